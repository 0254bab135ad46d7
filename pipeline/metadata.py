"""Header rules -> bulletin, issue, dates, speaker, title, note, city.

Headers differ between issues (no 期号, no header date, the speaker on a line
of its own), so each field is a rule over header lines rather than a layout.
"""
from __future__ import annotations

from datetime import date
from functools import cache

import regex

from .model import Metadata
from .normalise.numbers import to_decimal
from .normalise.places import infer_city
from .resources import load_toml


@cache
def _rules() -> dict[str, regex.Pattern]:
    return {k: regex.compile(v["pattern"]) for k, v in load_toml("rules/metadata.toml").items()}


def _iso(s: str) -> date | None:
    m = regex.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", s)
    try:
        return date(int(m[1]), int(m[2]), int(m[3])) if m else None
    except ValueError:
        return None


def read_metadata(header: list[str], body: str, city_override: str | None = None) -> Metadata:
    """Fields from the header paragraphs; city from issuer, title, or body."""
    r = _rules()
    f: dict = {}
    speech_lines = []
    for line in header:
        if m := r["speech_date"].search(line):
            f["speech_date"] = _iso(m["date"])
            note = (m["note"] or "").strip("·•・. ")
            f["note"] = note or None
            continue
        used = False
        if m := r["bulletin"].fullmatch(line):
            f["bulletin"] = m["bulletin"]
            used = True
        if m := r["issue_no"].search(line):
            f["issue_no"] = int(to_decimal(m["issue"]))
            used = True
        if m := r["issuer"].match(line):
            f["issuer_place"] = m["place"]
            if m["date"]:
                f["published_on"] = _iso(m["date"])
            used = True
        elif m := r["published_on"].fullmatch(line):
            f["published_on"] = _iso(m["date"])
            used = True
        if not used:
            speech_lines.append(line)
    speech = "".join(speech_lines)
    if speech and (m := r["speech"].fullmatch(speech)):
        f["speaker"] = m["speaker"]
        f["title"] = m["title"] or None
    city = city_override or infer_city(f.get("issuer_place"), f.get("title") or "", body)
    f.pop("issuer_place", None)
    if f.get("speech_date"):
        f["date_source"] = "header"
    return Metadata(**f, city=city, reference_date=f.get("speech_date"))
