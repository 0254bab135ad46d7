"""Unit families: which units measure the same thing, for comparing figures."""
from __future__ import annotations

from functools import cache

from ..resources import load_tsv


@cache
def _families() -> dict[str, str]:
    return {r["unit"]: r["family"] for r in load_tsv("lexicons/unit_families.tsv")}


def unit_family(unit: str | None) -> str:
    return _families().get(unit or "", unit or "")
