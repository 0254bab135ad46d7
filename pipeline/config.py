"""Run settings: defaults from default.toml, a corpus's own corpus.toml, then CLI overrides."""
from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .resources import load_toml

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


class ConfigError(ValueError):
    """A corpus.toml value that cannot be used; the message names the file, the key and what to write."""


@dataclass(frozen=True)
class Settings:
    segmenter: str = "jieba"
    ner: bool = True            # run the shipped statistical NER beside the rules
    city: str | None = None     # jurisdiction of 全市/我市 for every bulletin (else inferred per bulletin)
    city_by_source: dict[str, str] = field(default_factory=dict)  # per-file override, path relative to corpus
    # The last fallback for a text's speech date when its header, front matter, published date and title
    # give none (metadata.read_metadata config_date): corpus-wide, or per file.
    date: dt.date | None = None
    date_by_source: dict[str, dt.date] = field(default_factory=dict)

    def city_for(self, source: str) -> str | None:
        return self.city_by_source.get(source, self.city)

    def date_for(self, source: str) -> dt.date | None:
        return self.date_by_source.get(source, self.date)

    def fingerprint(self) -> str:
        base = f"{self.segmenter}|{self.ner}|{self.city}|{sorted(self.city_by_source.items())}"
        if self.date or self.date_by_source:  # unchanged when no date is configured: caches stay valid
            base += f"|{self.date}|{sorted(self.date_by_source.items())}"
        return base


def _date(value, where: str) -> dt.date:
    """A TOML date (date = 2021-02-02) or an ISO string (date = "2021-02-02")."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: date = {value!r} is not a date (write date = \"YYYY-MM-DD\")") from None


def load_settings(corpus: Path | None = None, **overrides) -> Settings:
    """default.toml < CORPUS/corpus.toml < keyword overrides (None means not given)."""
    data = dict(load_toml("../default.toml")["settings"])
    if corpus is not None and (corpus / "corpus.toml").is_file():
        where = str(corpus / "corpus.toml")
        local = tomllib.loads((corpus / "corpus.toml").read_text(encoding="utf-8"))
        data.update({k: v for k, v in local.items() if k in ("city", "segmenter", "ner")})
        docs = local.get("documents", {})
        data["city_by_source"] = {k: v["city"] for k, v in docs.items() if "city" in v}
        if local.get("date"):
            data["date"] = _date(local["date"], where)
        data["date_by_source"] = {k: _date(v["date"], f"{where} [documents.\"{k}\"]")
                                  for k, v in docs.items() if v.get("date")}
    data.update({k: v for k, v in overrides.items() if v is not None})
    data["city"] = data.get("city") or None
    if isinstance(data.get("date"), str):
        data["date"] = _date(data["date"], "settings") if data["date"] else None
    return replace(Settings(), **data)
