"""Indicator names: canonical forms from a lexicon, and a similarity for paraphrases.

The lexicon (lexicons/indicators.tsv) is what an analyst extends; similarity
(rapidfuzz over the canonical keys, threshold chosen on the dev gold and kept
in the lexicon's rules file) catches paraphrases the lexicon does not list.
"""
from __future__ import annotations

import math
from collections import Counter
from functools import cache, lru_cache

import regex

from ..resources import load_toml, load_tsv


@cache
def _synonyms() -> list[tuple[str, str]]:
    pairs = []
    for row in load_tsv("lexicons/indicators.tsv"):
        for syn in row["synonyms"].split("|"):
            if syn and syn != row["canonical"]:
                pairs.append((syn, row["canonical"]))
    return sorted(pairs, key=lambda p: -len(p[0]))


@cache
def _stopwords() -> tuple[str, ...]:
    return tuple(sorted((r["word"] for r in load_tsv("lexicons/indicator_stopwords.tsv")), key=len, reverse=True))


def canonical(phrase: str) -> str:
    """Replace synonyms by canonical names (规模以上工业增加值 -> 规上工业增加值)."""
    out = phrase
    for syn, can in _synonyms():
        if syn in out:
            out = out.replace(syn, "\0" + can + "\1")
    return out.replace("\0", "").replace("\1", "")


@cache
def indicator_key(indicator: str) -> str:
    """Comparison key: canonical, with qualifying modifiers dropped."""
    key = canonical(indicator)
    for w in _stopwords():
        key = key.replace(w, "")
    return key


def similarity(a: str, b: str) -> float:
    """0..1: character-overlap F1, 2 x (characters in common, as multisets) / (len a + len b).

    Overlap catches reordered paraphrases (标准化厂房建设面积 / 新建标准化厂房面积) that an edit
    distance scores low. It is also never below rapidfuzz's ratio (2 x longest common subsequence / the
    same sum: a common subsequence is a common multiset), so it is "the better of the two" that linking
    used to compute (a test pins the equality), at a third of the cost.
    """
    if not a or not b:
        return 0.0
    ca, cb = _chars(a), _chars(b)
    if len(ca) > len(cb):
        ca, cb = cb, ca
    common = sum(n if n <= cb.get(ch, 0) else cb.get(ch, 0) for ch, n in ca.items())
    return 2 * common / (len(a) + len(b))


@lru_cache(maxsize=1 << 16)
def _chars(s: str) -> dict[str, int]:
    return Counter(s)


@cache
def _threshold() -> float:
    return load_toml("rules/linking.toml")["indicator_similarity"]["threshold"]


def similar(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    return _similar(a, b) if a < b else _similar(b, a)


@cache
def _contrasts() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(r["words"].split("|")) for r in load_tsv("lexicons/indicator_contrasts.tsv"))


def contrasting(a: str, b: str) -> bool:
    """Whether two indicators name different words of one contrast (工业 / 服务业, 城镇 / 农村, 开工 / 竣工):
    then they measure different things however alike the rest reads (lexicons/indicator_contrasts.tsv)."""
    for group in _contrasts():
        wa, wb = {w for w in group if w in a}, {w for w in group if w in b}
        if wa and wb and wa != wb:
            return True
    return False


def similar_lengths(n: int) -> tuple[int, int]:
    """The lengths a key may have to be similar to one of length n: even sharing every character of the
    shorter, 2 x shorter / (sum of lengths) must reach the threshold."""
    t = _threshold()
    return math.ceil(t * n / (2 - t) - 1e-9), math.floor(n * (2 - t) / t + 1e-9)


def similar_among(a: str, keys: list[str]) -> list[str]:
    """[k for k in keys if similar(a, k)], in the order of keys, with most keys ruled out by a bound.

    Linking asks this of each target's indicator against every actual key of similar length, and most
    share too few characters. The characters two strings have in common (as multisets) are at most the
    distinct characters they share plus the fewer repeats of the two; the distinct ones are one AND of
    two bit sets. Where even that bound falls short of the threshold, similar() would say no; the rest
    are asked (a test compares the two on random keys).
    """
    if not a:
        return []
    t, ma, ra, la = _threshold(), *_signature(a), len(a)
    out = []
    for k in keys:
        mk, rk = _signature(k)
        if k == a or 2 * ((ma & mk).bit_count() + min(ra, rk)) / (la + len(k)) >= t and similar(a, k):
            out.append(k)
    return out


_BITS: dict[str, int] = {}  # character -> its bit in _signature's sets (any order: only the counts matter)


@lru_cache(maxsize=1 << 16)
def _signature(s: str) -> tuple[int, int]:
    """(bit set of s's distinct characters, how many of its characters repeat one before them)."""
    mask = 0
    for ch in set(s):
        mask |= 1 << _BITS.setdefault(ch, len(_BITS))
    return mask, len(s) - len(set(s))


@lru_cache(maxsize=1 << 18)  # linking asks about the same few indicator pairs again and again
def _similar(a: str, b: str) -> bool:
    t = _threshold()
    if 2 * min(len(a), len(b)) < t * (len(a) + len(b)):  # even all of the shorter in common falls short
        return False
    return similarity(a, b) >= t and not contrasting(a, b)


@cache
def _phrase_rules() -> dict:
    raw = load_toml("rules/indicators.toml")
    out = {k: regex.compile(v["pattern"]) for k, v in raw.items() if "pattern" in v}
    out["suffix_by_unit"] = {k: v for k, v in raw["suffix_by_unit"].items() if k != "description"}
    out["people"] = tuple(raw["noun_phrase"]["people_nouns"])
    out["measured"] = tuple(raw["measured_suffixes"]["words"])
    out["measured_ends"] = tuple(raw["measured_ends"]["words"])
    out["rate_ends"] = tuple(raw["rate_ends"]["words"])
    return out


def stem(indicator: str) -> str:
    """An indicator without what is measured of it: 产值增速 -> 产值, 企业数 -> 企业."""
    for suf in _phrase_rules()["measured"]:
        if indicator.endswith(suf) and len(indicator) > len(suf):
            return indicator[: -len(suf)]
    return indicator


@cache
def _scope_surfaces() -> tuple[str, ...]:
    """Surfaces of lexicons/scope_groups.tsv, longest first."""
    return tuple(row["surface"] for row in sorted(load_tsv("lexicons/scope_groups.tsv"),
                                                   key=lambda x: -len(x["surface"])))


def strip_scope(phrase: str) -> str:
    """Drop a place at the start of a phrase: the place is the scope, not the indicator."""
    for surface in _scope_surfaces():
        if phrase.startswith(surface) and len(phrase) > len(surface):
            return phrase[len(surface):]
    return phrase


def name(phrase: str, unit: str, growth: bool = False, share: bool = False, before: str = "") -> str:
    """The indicator: the measured phrase in canonical form, plus what of it the number measures.

    A growth rate adds 增速, a share 占比, a count 数, an area 面积 … (suffix_by_unit), unless the phrase
    already ends with what it measures (…率, …面积, …人数). A percentage with no verb of its own after a
    noun is its share (家具企业70%属于…), after another verb (达到8.5%) the growth rate of a quantity,
    and never a rate of a rate (基层就诊率保持在65%以上)."""
    if not phrase:
        return ""
    r = _phrase_rules()
    phrase = canonical(phrase)
    if unit == "%" and not growth and not share and not phrase.endswith(r["rate_ends"]):
        if before and before.rstrip().endswith(phrase[-2:]):
            share = True
        else:
            growth = True
    if unit == "%":
        if growth and not phrase.endswith(r["rate_ends"]):
            return phrase + "增速"
        if share and not phrase.endswith(r["rate_ends"]):
            return phrase + "占比"
        return phrase
    suffix = r["suffix_by_unit"].get(unit, "")
    if unit == "人":
        suffix = "数" if phrase.endswith(r["people"]) else "人数"
    if suffix and not phrase.endswith(suffix) and not phrase.endswith(r["measured_ends"]):
        phrase += suffix
    return phrase
