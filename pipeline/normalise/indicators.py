"""Indicator names: canonical forms from a lexicon, and a similarity for paraphrases.

The lexicon (lexicons/indicators.tsv) is what an analyst extends; similarity
(rapidfuzz over the canonical keys, threshold chosen on the dev gold and kept
in the lexicon's rules file) catches paraphrases the lexicon does not list.
"""
from __future__ import annotations

from collections import Counter
from functools import cache, lru_cache

import regex

from ..model import Tagged
from ..resources import load_toml, load_tsv, punctuation


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


@lru_cache(maxsize=1 << 18)  # linking asks about the same few indicator pairs again and again
def _similar(a: str, b: str) -> bool:
    t = _threshold()
    if 2 * min(len(a), len(b)) < t * (len(a) + len(b)):  # even all of the shorter in common falls short
        return False
    return similarity(a, b) >= t


@cache
def _phrase_rules() -> dict:
    raw = load_toml("rules/indicators.toml")
    out = {k: regex.compile(v["pattern"]) for k, v in raw.items() if "pattern" in v}
    out["suffix_by_unit"] = {k: v for k, v in raw["suffix_by_unit"].items() if k != "description"}
    out["np_tags"] = tuple(raw["noun_phrase"]["tags"])
    out["generic"] = set(raw["noun_phrase"]["too_generic"])
    np = raw["noun_phrase"]
    out["heads"] = tuple(np["heads"])
    out["generic_heads"] = set(np["generic_heads"])
    out["after_generic"] = set(np["after_generic"])
    out["measure_verbs"] = set(np["measure_verbs"])
    out["people"] = tuple(np["people_nouns"])
    out["threshold_after"] = regex.compile(raw["threshold_after"]["pattern"])
    out["measured"] = tuple(raw["measured_suffixes"]["words"])
    th = raw["threshold_before"]
    out["threshold_tags"], out["threshold_words"] = tuple(th["tags"]), tuple(th["words"])
    out["threshold_span_tags"] = out["threshold_tags"] + tuple(th["span_tags"])
    out["threshold_span_words"] = out["threshold_words"] + tuple(th["span_words"])
    out["threshold_number_tags"], out["threshold_drop"] = tuple(th["number_tags"]), tuple(th["drop_words"])
    return out


@cache
def _quotes() -> str:
    """Quote marks removed before an indicator is read (punctuation.toml indicator_quotes), as Tagged.without
    takes them."""
    return "".join(sorted(punctuation("indicator_quotes")))


def _strip_lead(t: Tagged) -> Tagged:
    """Without the scope, time and discourse words that open it (strip_leading)."""
    m = _phrase_rules()["strip_leading"].match(t.text)
    return t.cut(m.end()) if m else t


def _strip_tail(t: Tagged) -> Tagged:
    """Without the verbs, modals and particles that close it (strip_trailing)."""
    m = _phrase_rules()["strip_trailing"].search(t.text)
    return t.cut(0, m.start()) if m else t


def _has_subject(clause: Tagged, head: str) -> bool:
    """Whether the clause names its own subject before the head (县域工业集中区实现产值)."""
    r = _phrase_rules()
    k = clause.text.rfind(head)
    lead = _strip_lead(clause.cut(0, k) if k >= 0 else clause)
    return any(_nounish(t, r["np_tags"]) or t in ("ns", "nr") for _, t in lead.pairs)


def stem(indicator: str) -> str:
    """An indicator without what is measured of it: 产值增速 -> 产值, 企业数 -> 企业."""
    for suf in _phrase_rules()["measured"]:
        if indicator.endswith(suf) and len(indicator) > len(suf):
            return indicator[: -len(suf)]
    return indicator


def _noun_skip(text: Tagged) -> Tagged:
    """Text after the counted noun: 25户企业被认定为… -> 被认定为…"""
    r = _phrase_rules()
    n = 0
    for word, tag in text.cut(0, 12).pairs:
        if not _nounish(tag, r["np_tags"]):
            break
        n += len(word)
    return text.cut(n)


def _nounish(tag: str, tags: tuple[str, ...]) -> bool:
    return tag.startswith(tags)


def noun_phrase_after(after: Tagged) -> str:
    """The noun phrase a number counts when it comes first: 100个重点工业项目实施… -> 重点工业项目.

    Verbs before the first noun modify it (98户退库留基企业); the first verb after a noun ends it.
    """
    r = _phrase_rules()
    after = after.without(_quotes())
    m = r["after_skip"].match(after.text)
    text = after.cut(m.end()) if m else after
    d = r["designation"].match(_noun_skip(text).text)
    if d:
        return d["np"]
    out: list[str] = []
    seen_noun = False
    if (t := r["threshold_after"].match(text.text)) and t.end() < len(text):
        rest = text.cut(t.end())
        head = noun_phrase_after(rest) or (r["head_after_threshold"].match(rest.text) or [""])[0]
        if head:
            return t["lead"] + t["cond"] + head  # 产值过百亿元的首位产业 -> 产值过百亿元首位产业
    for word, tag in text.cut(0, 24).pairs:
        if _nounish(tag, r["np_tags"]):
            seen_noun = seen_noun or tag.startswith("n") or tag in ("vn", "j", "l")
            out.append(word)
        elif tag.startswith("v") and not seen_noun and len(out) < 3:
            out.append(word)
        else:
            break
    return "".join(out) if seen_noun else ""


def noun_phrase_before(before: Tagged) -> str:
    """The subject phrase right before a number, verbs and scope/time words removed."""
    r = _phrase_rules()
    tagged = list(_strip_tail(before.without(_quotes())).cut(-30).pairs)
    out: list[str] = []
    i = len(tagged) - 1
    while i >= 0:
        word, tag = tagged[i]
        if _nounish(tag, r["np_tags"]):
            out.append(word)
        elif out and word in r["measure_verbs"]:  # 新增企业, 新建标准化厂房: the verb says what is counted
            out.append(word)
            break
        elif out and (tag in r["threshold_tags"] or word in r["threshold_words"]):
            # a threshold before the noun (产值过100亿元的园区, 总投资10亿元以上在库项目) belongs to it
            j = i
            while j >= 0 and (tagged[j][1] in r["threshold_span_tags"] or tagged[j][0] in r["threshold_span_words"]):
                j -= 1
            k = j
            while k >= 0 and _nounish(tagged[k][1], r["np_tags"]):
                k -= 1
            span = tagged[k + 1:i + 1]
            if k < j and any(t in r["threshold_number_tags"] for _, t in span):
                out.extend(w for w, _ in reversed(span) if w not in r["threshold_drop"])
                i = k
                continue
            break
        else:
            break
        i -= 1
    phrase = r["strip_leading"].sub("", "".join(reversed(out)))
    return strip_scope(phrase)


@cache
def _scope_surfaces() -> tuple[str, ...]:
    """Surfaces of lexicons/scope_groups.tsv, longest first."""
    return tuple(row["surface"] for row in sorted(load_tsv("lexicons/scope_groups.tsv"),
                                                   key=lambda x: -len(x["surface"])))


def is_growth(before: str) -> bool:
    """Whether a percentage right after this text is a growth rate (增长11.4%)."""
    return bool(_phrase_rules()["growth"].search(before))


def strip_scope(phrase: str) -> str:
    """Drop a place at the start of a phrase: the place is the scope, not the indicator."""
    for surface in _scope_surfaces():
        if phrase.startswith(surface) and len(phrase) > len(surface):
            return phrase[len(surface):]
    return phrase


def build_indicator(clause_before: Tagged, after: Tagged, unit: str, kind: str, previous: str | None,
                    sentence_subject: str = "") -> str:
    """A short indicator name: the noun phrase the number measures, plus what of it is measured.

    Counts name the thing counted (after the number when it follows: 25户企业), amounts
    and rates the subject before the number; 增速/占比/面积/数 say what is measured.
    """
    r = _phrase_rules()
    text = clause_before.text
    if unit == "%" and kind not in ("comparison", "rank") and (m := r["share_of"].search(text)):
        a = noun_phrase_before(clause_before.cut(*m.span("a"))) or stem(previous or sentence_subject or "")
        b = r["strip_leading"].sub("", r["strip_trailing"].sub("", m["b"]))
        if a:
            return canonical(a + "占" + b + "比重")
    if kind in ("comparison", "rank") and (previous or sentence_subject):
        return previous or sentence_subject
    suffix = r["suffix_by_unit"].get(unit, "")
    growth = unit == "%" and bool(r["growth"].search(text))
    share = unit == "%" and bool(r["share"].search(text))
    streak = r["streak"].search(text)
    before = noun_phrase_before(clause_before.cut(0, streak.start()) if streak else clause_before)
    if unit == "%" and before and text.endswith(before) and not before.endswith(r["heads"]):
        share = True  # 安康毛绒玩具企业80%属于…: a percentage right after a noun is its share
    if streak:
        base = before or previous or ""
        return canonical(base) + "连续" + ("年数" if unit == "年" else "月数")
    phrase = ""
    if unit == "%" and not before:
        phrase = noun_phrase_after(after.cut(r["share_after"].match(after.text).end()))
        share = share or (bool(phrase) and not phrase.endswith(r["heads"]))
    if not phrase and (suffix == "数" or unit in ("元", "人") or not before):
        phrase = noun_phrase_after(after)
        adjacent = before and text.removesuffix("的").endswith(before)
        if phrase in r["after_generic"]:
            phrase = ""
        elif phrase and before and (phrase in r["generic"] or (adjacent and len(phrase) <= 4)):
            phrase = before + phrase if not before.endswith(phrase) else before
    if not phrase:
        phrase = before
    if phrase in r["heads"] and (previous or sentence_subject):
        phrase = stem(previous or sentence_subject) + phrase
    elif phrase in r["generic_heads"] and sentence_subject and not _has_subject(clause_before, phrase):
        topic = stem(sentence_subject)
        phrase = phrase if topic in phrase else topic + phrase  # 实现产值 after 毛绒玩具企业…: 毛绒玩具企业产值
    if not phrase:
        phrase = previous or sentence_subject or ""
        if not phrase:
            return ""
    if unit == "人" and phrase.endswith(r["people"]):
        suffix = "数"
    if unit == "%" and not growth and not share and not phrase.endswith(("率", "占比", "比重", "增速")):
        growth = True  # a bare percentage of a quantity (规上工业增加值达到7%) is its growth rate
    phrase = canonical(phrase)
    if growth and not phrase.endswith(("增速", "率")):
        phrase += "增速"
    elif share and not phrase.endswith(("占比", "比重", "率")):
        phrase += "占比"
    elif suffix and suffix not in ("增速", "占比") and not phrase.endswith(suffix):
        phrase += suffix
    return phrase
