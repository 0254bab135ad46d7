"""Rules and lexicons as data files; loaded lazily and cached."""
from __future__ import annotations

import csv
import re
import tomllib
from functools import cache
from importlib import resources

import regex


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


@cache
def punctuation(name: str, key: str = "chars") -> frozenset[str]:
    """A named set of rules/punctuation.toml: its characters under key, and for "chars" those of the sets
    it includes, so that a wider set (what breaks a name) is written as the narrower ones it adds to."""
    entry = load_toml("rules/punctuation.toml")[name]
    out = set(entry.get(key, ""))
    if key == "chars":
        for other in entry.get("includes", ()):
            out |= punctuation(other)
    return frozenset(out)


def char_class(chars) -> str:
    """A regex character class of these characters (sorted, escaped): one pattern per set, built from data."""
    return "[" + regex.escape("".join(sorted(chars))) + "]"


def any_word(words) -> re.Pattern:
    """A pattern matching any of these literal words, longest first, compiled by re: a prefilter (does a
    text hold one of them at all?) searched in C, a third of the time of a loop of `in` tests or of regex
    over an alternation of literals on the real texts' sentences."""
    return re.compile("|".join(map(re.escape, sorted(set(words), key=lambda w: (-len(w), w)))))


def expand_defs(pattern: str, defs: dict[str, str]) -> str:
    """Replace @NAME@ by defs[NAME] until none is left (defs may use defs); an unknown or circular name is
    an error in the rules file, reported with its name."""
    for _ in range(len(defs) + 1):
        new = regex.sub(r"@(\w+)@", lambda m: defs[m[1]] if m[1] in defs else m[0], pattern)
        if new == pattern:
            break
        pattern = new
    if left := [n for n in regex.findall(r"@(\w+)@", pattern) if n in defs]:
        raise ValueError(f"circular definitions in a rules file: {sorted(set(left))}")
    return pattern


def compile_pattern(pattern: str):
    """A rule's pattern compiled by the standard library's re when re can read it, else by regex.

    The rules are written for the regex module (\\p{Han} and the like), and regex reads every pattern;
    but on a pattern both can read, such as a long alternation of literal words, re scans about four
    times faster. regex, in its default mode, matches as re does on such patterns; a test compares the two
    on every sentence of the development texts for each rule that goes to re.
    """
    try:
        return re.compile(pattern)
    except re.error:
        return regex.compile(pattern)
