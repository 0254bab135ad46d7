"""Rules and lexicons as data files; loaded lazily and cached."""
from __future__ import annotations

import csv
import tomllib
from functools import cache
from importlib import resources


def path(rel: str):
    return resources.files(__name__).joinpath(rel)


@cache
def load_toml(rel: str) -> dict:
    return tomllib.loads(path(rel).read_text(encoding="utf-8"))


@cache
def load_tsv(rel: str) -> tuple[dict, ...]:
    """Rows of a TSV lexicon; lines starting with # are comments."""
    lines = [l for l in path(rel).read_text(encoding="utf-8").splitlines() if l.strip() and not l.startswith("#")]
    return tuple(csv.DictReader(lines, delimiter="\t"))
