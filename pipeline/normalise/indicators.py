"""Indicator names: canonical forms from a lexicon, and a similarity for paraphrases.

The lexicon (lexicons/indicators.tsv) is what an analyst extends; similarity
(rapidfuzz over the canonical keys, threshold chosen on the dev gold and kept
in the lexicon's rules file) catches paraphrases the lexicon does not list.
"""
from __future__ import annotations

from functools import cache

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


def similar(a: str, b: str) -> bool:
    from rapidfuzz import fuzz

    if not a or not b:
        return False
    if a == b:
        return True
    th = load_toml("rules/linking.toml")["indicator_similarity"]["threshold"]
    return fuzz.ratio(a, b) >= th


@cache
def _phrase_rules() -> dict:
    import regex

    raw = load_toml("rules/indicators.toml")
    out = {k: regex.compile(v["pattern"]) for k, v in raw.items() if "pattern" in v}
    out["suffix_by_unit"] = {k: v for k, v in raw["suffix_by_unit"].items() if k != "description"}
    return out


def _noun_after(after: str) -> str:
    """The noun a number counts when it comes first: 25户企业被认定 -> 企业."""
    import regex

    m = regex.match(r"(?:以上|以下|左右|余|多)?(?:的)?(\p{Han}{1,12}?)(?=被|已|在|获|实现|达到|完成|通过|进行|开工|建成|加快|正在|都|均|，|。|；|、|$)", after)
    return m.group(1) if m else ""


def build_indicator(clause_before: str, after: str, unit: str, kind: str, previous: str | None) -> str:
    """A short indicator name from the subject phrase before the number (or the noun after it)."""
    import regex

    r = _phrase_rules()
    phrase = r["strip_leading"].sub("", clause_before)
    growth = bool(r["growth"].search(phrase)) and unit == "%"
    share = bool(r["share"].search(phrase)) and unit == "%"
    phrase = r["strip_trailing"].sub("", phrase)
    phrase = regex.sub(r"[“”「」‘’\"《》（）()\s]", "", phrase)
    phrase = regex.sub(r"^.*?(?:的|，|、)(?=\p{Han}{2,})", "", phrase) if len(phrase) > 14 else phrase
    if not phrase or phrase in ("增速", "增幅", "增长"):
        if unit == "百分点" or phrase in ("增速", "增幅"):
            return previous or canonical(phrase)
        phrase = _noun_after(after)
    phrase = canonical(phrase)[-16:]
    if growth and not phrase.endswith(("增速", "率")):
        phrase += "增速"
    elif share and not phrase.endswith(("占比", "比重", "率")):
        phrase += "占比"
    else:
        suffix = r["suffix_by_unit"].get(unit, "")
        if suffix and not phrase.endswith(suffix) and kind != "comparison":
            phrase += suffix
    return phrase
