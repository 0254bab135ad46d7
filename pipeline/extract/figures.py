"""Figures: every quantitative statement, with value, unit, qualifier, kind, indicator, scope, period.

Candidates come from the quantity grammar (normalise.numbers.QUANTITY); rules
as data (rules/figures.toml) drop numbers that name rather than measure and
read the kind from the sentence around the number: a comparison from its
direction word and reference, a rank from its ranking verb, a forecast or a
target from the cues before it in the same sentence. Periods carry over from
the last time expression of the paragraph, as a reader resolves them.

extract_figures(sentences, meta) returns LocalFigures, offsets local to their
sentence; stages.py turns them into rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from ..model import LocalFigure, Metadata, Part, Sentence
from ..normalise import numbers
from ..normalise.indicators import stem
from ..normalise.periods import period_bounds
from ..normalise.places import scope_in
from ..normalise.timex import Timex, find_timexes
from ..resources import load_toml, load_tsv
from . import measured

_DIGIT = regex.compile(r"[0-9]")


@cache
def _rules() -> dict:
    """figures.toml compiled: patterns by name, word lists, and the few settings."""
    raw = load_toml("rules/figures.toml")
    out = {k: regex.compile(v["pattern"]) for k, v in raw.items() if "pattern" in v}
    out["commitment"] = raw["commitment"]["words"]
    out["target_window"] = int(raw["target"]["window"])
    out["duration_units"] = set(raw["duration_units"]["units"])
    out["one_units"] = set(raw["one"]["units"])
    out["higher"] = regex.compile("|".join(raw["direction"]["higher"]))
    out["lower"] = regex.compile("|".join(raw["direction"]["lower"]))
    out["anaphoric_year"] = frozenset(raw["anaphoric_year"]["words"])
    out["clause_end"] = raw["punctuation"]["clause_end"]
    out["window_breaks"] = raw["punctuation"]["window_breaks"]
    out["date_units"] = frozenset(raw["date_units"]["units"])
    out["streak_units"] = frozenset(raw["streak_units"]["units"])
    return out


@cache
def _quantity() -> regex.Pattern:
    return regex.compile(numbers.QUANTITY)


@cache
def _counted() -> list[tuple[str, str]]:
    return sorted(((r["noun"], r["unit"]) for r in load_tsv("lexicons/counted_nouns.tsv")), key=lambda x: -len(x[0]))


@dataclass(frozen=True)
class _Seen:
    """A figure already read in this sentence: what later numbers of the sentence may refer back to."""
    start: int
    end: int
    indicator: str
    kind: str
    unit: str
    clause_start: int
    period: str | None


def extract_figures(sentences: list[Sentence], meta: Metadata) -> list[LocalFigure]:
    """Figures of a document's sentences; a period in play, and the last indicator named, carry to the next
    sentence of the paragraph (本月差距缩小到1.5个百分点 after a sentence on 规上工业增加值)."""
    out: list[LocalFigure] = []
    carried, paragraph, topic = None, None, ""
    for sent in sentences:
        if sent.part.notes:
            continue
        if sent.paragraph != paragraph:  # a new paragraph: only the part's own years are in play
            carried, paragraph, topic = _part_period(sent.part), sent.paragraph, ""
        found, carried = sentence_figures(sent, meta, carried, topic)
        out.extend(found)
        topic = next((f.indicator for f in reversed(found) if f.kind in measured.BASE_KINDS and f.indicator
                      and f.unit not in measured.STREAK_UNITS), topic)
    return out


def sentence_figures(sent: Sentence, meta: Metadata, carried: str | None,
                     carried_indicator: str = "") -> tuple[list[LocalFigure], str | None]:
    """The figures of one sentence, and the period it leaves in play."""
    r = _rules()
    text = sent.text
    when = meta.reference_date or meta.speech_date
    timexes = find_timexes(text, when) if when else []
    found = []
    for m in _quantity().finditer(text):
        s, e = m.start("qty_core"), m.end()
        if any(t.start < e and m.start() < t.end for t in timexes):
            continue
        if (q := numbers.quantity_or_none(text[m.start():e])) is None:
            continue
        unit = _unit(q, text, s, e, r)
        if unit is not None:
            found.append((s, e, q, unit))
    if not found:  # most sentences: only the period they leave in play
        return [], _carry(_period(timexes, len(text), carried, text))
    layout = measured.Layout(sent, [measured.Slot(s, e, unit, q.qualifier) for s, e, q, unit in found],
                             meta.city, when)
    ctx = measured.Context(carried=carried_indicator)
    sent_scope = None
    out = []
    for i, (s, e, q, unit) in enumerate(found):
        fig, sent_scope = _figure(sent, meta, layout, i, q, unit, timexes, carried, ctx, sent_scope)
        ctx.priors.append(_Seen(s, e, fig.indicator, fig.kind, fig.unit, s - len(_clause_before(text, s)),
                                fig.period))
        out.append(fig)
    return out, _carry(_period(timexes, len(text), carried, text))


def _unit(q: numbers.Quantity, text: str, s: int, e: int, r: dict) -> str | None:
    """The figure's unit, or None when the number names, dates or counts nothing (not a figure)."""
    mention, before, after = text[s:e], text[:s], text[e:]
    if r["exclude_after"].match(after) or _in_short_quote(text, s, e) or (not q.unit and r["name_after"].match(after)):
        return None
    if q.unit == "位" and (not r["rank_cue"].search(before) or r["rank_exclude_after"].match(after)):
        return None
    if q.unit in r["date_units"] and q.value >= 1900:
        return None
    if r["exclude_before"].search(before):
        return None
    if q.unit in r["duration_units"] and (r["duration_before"].search(before) or r["duration_after"].match(after)):
        return None
    if q.value == 1 and "一" in mention and not _DIGIT.search(mention) and q.unit not in r["one_units"]:
        return None
    unit = _unit_from_context(q, mention, after)
    if not unit and not _DIGIT.search(mention):
        return None
    return unit


def _figure(sent: Sentence, meta: Metadata, layout: measured.Layout, i: int, q: numbers.Quantity, unit: str,
            timexes, carried: str | None, ctx: measured.Context, sent_scope: str | None) -> tuple[LocalFigure, str | None]:
    """Every field of one figure; and the scope the sentence has named so far."""
    r = _rules()
    text = sent.text
    s, e = layout.slots[i].start, layout.slots[i].end
    seen = ctx.priors
    when = meta.reference_date or meta.speech_date
    before, after = text[:s], text[e:]
    clause = _clause_before(text, s)
    c0 = s - len(clause)
    cmp_at = r["comparison"].search(clause)
    period = _period(timexes, c0 + cmp_at.start() if cmp_at else s, carried, text)
    kind, cmp = _kind(before, clause, after, unit, period, when, sent.part, r)
    if kind == "target" and when:
        own = [t for t in timexes if t.start >= c0 and t.interval is not None and t.interval.end > when]
        period = _period(own, s, None, text) or _plan_year(sent.part, when)  # 去年确定的资金 is not its year
    if r["streak"].search(before) and unit in r["streak_units"]:
        period = _streak(q.value, unit, _period(timexes, len(text), carried, text)) or period
    elif kind == "rank" and seen and seen[-1].unit in r["streak_units"] and seen[-1].period:
        period = seen[-1].period  # 连续6年位居全省首位: the rank holds over the streak
    value = q.value
    if kind in ("actual", "target", "forecast") and unit == "%" and r["negative"].search(before):
        value = -value
    subj = clause[: cmp.start()] if cmp else clause
    if kind == "rank" and q.qualifier != "<=" and (rc := r["rank_cue"].search(subj)):
        subj = subj[: rc.start()]  # 居全省第9位: 全省 is the ranking's field, not the scope
    named = scope_in(subj, meta.city, when)
    scope = named or sent_scope or meta.city
    base = [f for f in seen if f.kind in measured.BASE_KINDS and f.unit not in measured.STREAK_UNITS]
    ctx.topic = stem(base[0].indicator) if base else ""
    indicator = measured.indicator(layout, i, kind, cmp, ctx)
    fig = LocalFigure(
        sentence=sent.index, start=s, end=e, value=value, value_max=q.value_max, unit=unit, qualifier=q.qualifier,
        kind=kind, indicator=indicator, scope=scope, period=period, compared_to=_compared_to(cmp),
        direction=_direction(cmp) if kind == "comparison" else None,
        commitment=_commitment(before, r) if kind == "target" else None)
    return fig, named or sent_scope


def _clause_before(text: str, i: int) -> str:
    """text[:i] from just after its last clause end (the clause the position i is in, up to i)."""
    return text[_last_of(_rules()["clause_end"], text, i) + 1:i]


def _last_of(chars: str, text: str, i: int) -> int:
    """max(text.rfind(c, 0, i) for c in chars): one backward search in C instead of one scan per character."""
    m = _backwards(chars).search(text, 0, i)
    return m.start() if m else -1


@cache
def _backwards(chars: str) -> regex.Pattern:
    return regex.compile("(?r)[" + regex.escape(chars) + "]")


def _unit_from_context(q: numbers.Quantity, mention: str, after: str) -> str:
    if q.unit:
        return q.unit
    for noun, unit in _counted():
        if after.startswith(noun):
            return unit
    if "亿" in mention or "万" in mention:
        return "元"  # 千万以上, 突破30亿: money is implied
    return ""


def _in_short_quote(text: str, s: int, e: int) -> bool:
    return any(m.start() < s and e < m.end() for m in _rules()["short_quote"].finditer(text))


def _window(before: str, n: int) -> str:
    """The last n clauses of the sentence before the number: the reach of a modal verb."""
    k = len(before)
    for _ in range(n):
        k = _last_of(_rules()["window_breaks"], before, k)
        if k < 0:
            return before
    return before[k + 1:]


def _part_period(part: Part) -> str | None:
    """The period a review part's figures have when their sentences name none: the reviewed year(s)."""
    return part.period if part.role == "review" and part.dated else None


def _plan_year(part: Part, when) -> str:
    """The year a target is for when its clause names none: the plan part's year, else the text's year."""
    return str(part.year) if part.role == "plan" and part.dated else str(when.year)


def _kind(before: str, clause: str, after: str, unit: str, period: str | None, when, part: Part, r: dict):
    """actual / target / comparison / rank / forecast, and the comparison match if any.

    The part decides what the sentence leaves open: in a review part a figure is an actual even under a
    task verb (新增减税降费15.89亿元), in a plan part a goal is a target without a modal word of its own
    (完成高标准农田建设26.72万亩), unless it states a present or past fact."""
    kind, cmp = _sentence_kind(before, clause, after, unit, period, when, part, r)
    if kind == "target" and part.role == "review" and part.dated:
        return "actual", cmp
    return kind, cmp


def _sentence_kind(before: str, clause: str, after: str, unit: str, period: str | None, when, part: Part,
                   r: dict):
    if unit == "位":
        return "rank", None
    cmp = r["comparison"].search(clause)
    if cmp and (unit == "百分点" or cmp.group("ref") or cmp.group("ref2")):
        return "comparison", cmp
    if unit == "百分点":
        return "comparison", None
    window = _window(before, r["target_window"])
    if r["forecast"].search(window):
        return "forecast", None
    past = max((m.end() for m in r["past"].finditer(window)), default=-1)
    modal = max((m.end() for m in r["target"].finditer(window)), default=-1)
    if r["actual_after"].match(after):
        return "actual", None
    if modal > past:
        return "target", None
    if past >= 0:
        return "actual", None
    bounds = period_bounds(period)
    if bounds and when and bounds[1] <= when:
        return "actual", None
    if bounds and when and bounds[0] > when:  # about a time still to come (二季度完成…50%): a goal
        return "target", None
    if (part.role == "plan" and part.dated) or r["task"].search(clause):
        return "target", None
    if bounds and when and period == _plan_year(part, when):
        return "target", None
    return "actual", None


def _direction(m: regex.Match | None) -> str | None:
    word = (m.group("dir") or m.group("dir2") or m.group("dir3") or "") if m else ""
    if _rules()["higher"].search(word):
        return "higher"
    if _rules()["lower"].search(word):
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
        if i > pos and not (w == "要" and r["not_commitment"].match(before, i)):
            best, pos = w, i
    return best


def _carry(period: str | None) -> str | None:
    """What a point in time leaves for the next sentences: 到2019年底 -> the year 2019."""
    if period and len(period) == 10 and period.endswith("-12-31"):
        return period[:4]
    return period


def _streak(n, unit: str, period: str | None) -> str | None:
    """连续N年/个月 ending at the period in play: 连续6年 in 2019 -> 2014/2019."""
    b = period_bounds(period)
    if not b or n != int(n) or n < 1:
        return None
    n, end = int(n), b[1]
    if unit == "年":
        return f"{end.year - n + 1}/{end.year}"
    months = end.year * 12 + end.month - 1 - (n - 1)
    return f"{months // 12}-{months % 12 + 1:02d}/{end.year}-{end.month:02d}"


def _period(timexes: list[Timex], limit: int, carried: str | None, text: str = "") -> str | None:
    """The period of the last time expression before `limit`, else the carried one.

    A reader resolves time against what is already in play: 全年/年度 refer back to
    a year already named (过去一年 ... 全年目标); a starting point (从5月份开始)
    sets no period.
    """
    r = _rules()
    period = carried
    for t in timexes:
        if t.end > limit or t.interval is None:
            continue
        if text and (r["start_before"].search(text, 0, t.start) or r["start_after"].match(text, t.end)
                     or r["reference_before"].search(text, 0, t.start) or "同期" in t.text
                     or text.startswith("同期", t.end)):
            continue
        p = t.interval.period()
        if t.text in r["anaphoric_year"] and period:
            continue
        if text and text.endswith("由", 0, t.start) and r["changed_to"].search(text[t.end:limit]):
            continue  # 由1-4月的下降0.6%转为增长1.4%: 1-4月 belongs to the first figure only
        period = p
    return period
