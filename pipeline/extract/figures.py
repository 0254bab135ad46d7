"""Figures: every quantitative statement, with value, unit, qualifier, kind, indicator, scope, period.

Candidates come from the quantity grammar (normalise.numbers.QUANTITY); rules
as data (rules/figures.toml) drop numbers that name rather than measure and
read the kind from the sentence around the number: a comparison from its
direction word and reference, a rank from its ranking verb, a forecast or a
target from the cues before it in the same sentence. Periods carry over from
the last time expression of the paragraph, as a reader resolves them.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import regex

from ..model import FigureRow
from ..normalise import numbers
from ..normalise.indicators import build_indicator
from ..normalise.places import scope_in
from ..normalise.timex import find_timexes
from ..resources import load_toml, load_tsv

_PREFIX_Q = regex.compile(r"^(?:大约|接近|约|近|超过|多于|突破|不足|不低于|不超过|至少|低于|高于|过)")
_QUOTE = regex.compile(r"[“「‘\"]([^”」’\"]{1,12})[”」’\"]")
_CLAUSE_END = "，。；：！？"


@cache
def _rules() -> dict:
    raw = load_toml("rules/figures.toml")
    out = {k: regex.compile(v["pattern"]) for k, v in raw.items() if "pattern" in v}
    out["commitment"] = raw["commitment"]["words"]
    return out


@cache
def _quantity() -> regex.Pattern:
    return regex.compile(numbers.QUANTITY)


@cache
def _counted() -> list[tuple[str, str]]:
    return sorted(((r["noun"], r["unit"]) for r in load_tsv("lexicons/counted_nouns.tsv")), key=lambda x: -len(x[0]))


@dataclass
class _State:
    """What a reader carries from sentence to sentence inside a paragraph."""
    period: str | None = None


def _clause_before(text: str, i: int) -> str:
    j = i
    while j > 0 and text[j - 1] not in _CLAUSE_END:
        j -= 1
    return text[j:i]


def _has_han_numeral_only(s: str) -> bool:
    return not regex.search(r"[0-9]", s)


def _unit_from_context(q: numbers.Quantity, mention: str, after: str) -> str:
    if q.unit:
        return q.unit
    for noun, unit in _counted():
        if after.startswith(noun):
            return unit
    if regex.search(r"[亿万千百]", mention) and regex.search(r"[0-9一二三四五六七八九十两]", mention):
        return "元"  # 千万以上, 突破30亿: money is implied
    return ""


def _in_short_quote(text: str, s: int, e: int) -> bool:
    return any(m.start() < s and e < m.end() for m in _QUOTE.finditer(text))


def _kind(before: str, after: str, unit: str, r: dict) -> tuple[str, regex.Match | None]:
    if unit == "位":
        return "rank", None
    cmp = r["comparison"].search(before)
    if cmp and (unit in ("百分点", "个百分点") or cmp.group("ref") or cmp.group("ref2")):
        return "comparison", cmp
    if unit in ("百分点",):
        return "comparison", None
    if r["forecast"].search(before):
        return "forecast", None
    if r["target"].search(before) and not r["actual_after"].match(after):
        return "target", None
    return "actual", None


def _direction(m: regex.Match | None, before: str) -> str | None:
    word = ""
    if m:
        word = m.group("dir") or m.group("dir2") or m.group("dir3") or ""
    if regex.search(r"高|快|提|多|领先|扩大|增加|上升|增长|拉高", word):
        return "higher"
    if regex.search(r"低|慢|落后|回落|下降|放缓|收窄|减少|下滑|少|下拉|拉低|差", word):
        return "lower"
    return None


def _compared_to(m: regex.Match | None) -> str | None:
    if not m:
        return None
    ref = (m.group("ref") or m.group("ref2") or m.group("ref3") or "").strip()
    return ref or None


def _commitment(before: str, r: dict) -> str | None:
    best, pos = None, -1
    for w in r["commitment"]:
        i = before.rfind(w)
        if i > pos and not (w == "要" and regex.match(r"要(?:看到|清醒|认识|素|求)", before[i:])):
            best, pos = w, i
    return best


def extract_figures(sentences, spans, ct, meta, source: str, doc_id: str) -> list[FigureRow]:
    r = _rules()
    rows: list[FigureRow] = []
    state = _State()
    speech = meta.speech_date
    prev_end = None
    for sent, sp in zip(sentences, spans):
        text = sent.text
        if prev_end is None or "\n" in ct.text[prev_end:sp.start]:
            state = _State()
        prev_end = sp.end
        timexes = find_timexes(text, speech) if speech else []
        sent_scope = None
        prev_ind = None
        for m in _quantity().finditer(text):
            s, e = m.start(), m.end()
            if any(t.start < e and s < t.end for t in timexes):
                continue
            pm = _PREFIX_Q.match(text, s, e)
            if pm:
                s = pm.end()
            mention_c = text[s:e]
            try:
                q = numbers.parse_quantity(text[m.start():e])
            except ValueError:
                continue
            before, after = text[:s], text[e:]
            clause = _clause_before(text, s)
            if r["exclude_after"].match(after) or _in_short_quote(text, s, e):
                continue
            if q.unit == "位" and (not r["rank_cue"].search(before) or r["rank_exclude_after"].match(after)):
                continue
            if q.unit in ("年", "月", "日", "号", "月份", "季度") and q.value >= 1900:
                continue
            if r["exclude_before"].search(before) and q.unit in ("个月", "年", "天", "月"):
                continue
            unit = _unit_from_context(q, mention_c, after)
            if not unit and _has_han_numeral_only(mention_c):
                continue
            kind, cmp = _kind(clause, after, unit, r)
            if kind != "target" and kind != "comparison" and r["target"].search(before) \
                    and not r["actual_after"].match(after) and kind == "actual":
                kind = "target"
            value = q.value
            if kind in ("actual", "target", "forecast") and unit == "%" and r["negative"].search(before):
                value = -value
            # period: nearest time expression before the number in this sentence, else the paragraph's
            period = None
            for t in timexes:
                if t.end <= s and t.interval is not None:
                    period = t.interval.period()
            if period is None:
                period = state.period
            if period is None and kind == "target" and speech:
                period = str(speech.year)
            subj = clause[: cmp.start()] if cmp else clause
            scope = scope_in(subj, meta.city, speech) or sent_scope or meta.city
            sent_scope = scope_in(subj, meta.city, speech) or sent_scope
            indicator = build_indicator(clause if not cmp else clause[: cmp.start()], after, unit, kind, prev_ind)
            prev_ind = indicator or prev_ind
            ss, se = ct.source_span(sp.start + s, sp.start + e)
            rows.append(FigureRow(
                figure_id=f"{doc_id}-f{ss:06d}", doc_id=doc_id, sentence_id=sent.sentence_id, start=ss, end=se,
                mention=source[ss:se], value=value, value_max=q.value_max, unit=unit, qualifier=q.qualifier,
                kind=kind, indicator=indicator, scope=scope, period=period, compared_to=_compared_to(cmp),
                direction=_direction(cmp, clause) if kind == "comparison" else None, sentence=text,
                commitment=_commitment(before, r) if kind == "target" else None))
        for t in timexes:
            if t.interval is not None:
                state.period = t.interval.period()
    return rows
