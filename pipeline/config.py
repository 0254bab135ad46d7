"""Run settings: defaults from default.toml, a corpus's own corpus.toml, then CLI overrides."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .resources import load_toml

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent


@dataclass(frozen=True)
class Settings:
    segmenter: str = "jieba"
    ner: bool = True            # run the shipped statistical NER beside the rules
    city: str | None = None     # jurisdiction of 全市/我市 for every bulletin (else inferred per bulletin)
    city_by_source: dict[str, str] = field(default_factory=dict)  # per-file override, path relative to corpus

    def city_for(self, source: str) -> str | None:
        return self.city_by_source.get(source, self.city)

    def fingerprint(self) -> str:
        return f"{self.segmenter}|{self.ner}|{self.city}|{sorted(self.city_by_source.items())}"


def load_settings(corpus: Path | None = None, **overrides) -> Settings:
    """default.toml < CORPUS/corpus.toml < keyword overrides (None means not given)."""
    data = dict(load_toml("../default.toml")["settings"])
    if corpus is not None and (corpus / "corpus.toml").is_file():
        local = tomllib.loads((corpus / "corpus.toml").read_text(encoding="utf-8"))
        data.update({k: v for k, v in local.items() if k in ("city", "segmenter", "ner")})
        data["city_by_source"] = {k: v["city"] for k, v in local.get("documents", {}).items() if "city" in v}
    data.update({k: v for k, v in overrides.items() if v is not None})
    data["city"] = data.get("city") or None
    return replace(Settings(), **data)
