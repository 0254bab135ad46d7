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
from ..normalise.indicators import _strip_scope, build_indicator, canonical, noun_phrase_after, noun_phrase_before
from ..normalise.periods import period_bounds
from ..normalise.places import scope_in
from ..normalise.timex import find_timexes
from ..resources import load_toml, load_tsv

_PREFIX_Q = regex.compile(r"(?:大约|接近|约|近|超过|多于|突破|不足|不低于|不超过|至少|低于|高于|过)")
_QUOTE = regex.compile(r"[“「‘\"]([^”」’\"]{1,12})[”」’\"]")
_CLAUSE_END = "，。；：！？"


@cache
def _rules() -> dict:
    raw = load_toml("rules/figures.toml")
    out = {k: regex.compile(v["pattern"]) for k, v in raw.items() if "pattern" in v}
    out["commitment"] = raw["commitment"]["words"]
    out["target_window"] = int(raw["target"]["window"])
    out["streak"] = regex.compile(r"连续$")
    d = raw["duration_excluded"]
    out["duration_units"] = set(d["units"])
    out["duration_before"] = regex.compile(d["before"])
    out["duration_after"] = regex.compile(d["after"])
    out["one_units"] = set(raw["one"]["units"])
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
    if regex.search(r"[亿万]", mention):
        return "元"  # 千万以上, 突破30亿: money is implied
    return ""


def _in_short_quote(text: str, s: int, e: int) -> bool:
    return any(m.start() < s and e < m.end() for m in _QUOTE.finditer(text))


def _window(before: str, n: int) -> str:
    """The last n clauses of the sentence before the number: the reach of a modal verb."""
    k = len(before)
    for _ in range(n):
        k = max(before.rfind(c, 0, k) for c in "，；：")
        if k < 0:
            return before
    return before[k + 1:]


def _kind(before: str, clause: str, after: str, unit: str, period: str | None, speech, r: dict):
    """actual / target / comparison / rank / forecast, and the comparison match if any."""
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
    if bounds and speech and bounds[1] <= speech:
        return "actual", None
    if r["task"].search(clause):
        return "target", None
    if bounds and speech and period == str(speech.year):
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
        sent_figs: list[tuple] = []  # (start, indicator, kind, unit, clause start) of this sentence's figures
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
            if r["exclude_before"].search(before):
                continue
            if q.unit in r["duration_units"] and (r["duration_before"].search(before)
                                                 or r["duration_after"].match(after)):
                continue
            if q.value == 1 and "一" in mention_c and not regex.search(r"[0-9]", mention_c) \
                    and q.unit not in r["one_units"]:
                continue
            unit = _unit_from_context(q, mention_c, after)
            if not unit and _has_han_numeral_only(mention_c):
                continue
            cmp_at = r["comparison"].search(clause)
            limit = s - len(clause) + cmp_at.start() if cmp_at else s
            period = _period(timexes, limit, state.period, text)
            kind, cmp = _kind(before, clause, after, unit, period, speech, r)
            if kind == "target" and speech:
                w0 = s - len(clause)
                own = [t for t in timexes if t.start >= w0 and t.interval is not None and t.interval.end > speech]
                period = _period(own, s, None, text) or str(speech.year)  # 去年确定的资金 is not the target's year
            if r["streak"].search(before) and unit in ("年", "个月"):
                streak_period = _streak(q.value, unit, _period(timexes, len(text), state.period, text))
                period = streak_period or period
            elif kind == "rank" and sent_figs and sent_figs[-1][3] in ("年", "个月") and sent_figs[-1][5]:
                period = sent_figs[-1][5]  # 连续6年位居全省首位: the rank holds over the streak
            value = q.value
            if kind in ("actual", "target", "forecast") and unit == "%" and r["negative"].search(before):
                value = -value
            subj = clause[: cmp.start()] if cmp else clause
            if kind == "rank" and q.qualifier != "<=" and (rc := r["rank_cue"].search(subj)):
                subj = subj[: rc.start()]  # 居全省第9位: 全省 is the ranking's field, not the scope
            named = scope_in(subj, meta.city, speech)
            scope = named or sent_scope or meta.city
            sent_scope = named or sent_scope
            if kind == "rank" and q.qualifier == "<=" and (group := noun_phrase_after(after)):
                indicator = canonical(group) + "排名"  # 全国前20名毛绒玩具企业: the ranked group follows the bound
            else:
                indicator = _indicator(text, s, clause, cmp, after, unit, kind, sent_figs)
            sent_figs.append((s, indicator, kind, unit, len(text[:s]) - len(clause), period))
            ss, se = ct.source_span(sp.start + s, sp.start + e)
            rows.append(FigureRow(
                figure_id=f"{doc_id}-f{ss:06d}", doc_id=doc_id, sentence_id=sent.sentence_id, start=ss, end=se,
                mention=source[ss:se], value=value, value_max=q.value_max, unit=unit, qualifier=q.qualifier,
                kind=kind, indicator=indicator, scope=scope, period=period, compared_to=_compared_to(cmp),
                direction=_direction(cmp, clause) if kind == "comparison" else None, sentence=text,
                commitment=_commitment(before, r) if kind == "target" else None))
        state.period = _carry(_period(timexes, len(text), state.period, text))
    return rows


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


def _indicator(text, s, clause, cmp, after, unit, kind, sent_figs) -> str:
    """Indicator of one figure, using the figures before it in the sentence.

    Comparisons and ranks measure the indicator just stated (增速高于全省6.2个百分点);
    分别 distributes a list of subjects over a list of numbers (工业投资、技改投资分别增长1.5%、50.1%).
    """
    c0 = s - len(clause)
    same_clause = [f for f in sent_figs if f[4] == c0]
    base = [f for f in sent_figs if f[2] in ("actual", "target", "forecast") and f[3] not in ("年", "个月")]
    previous = base[-1][1] if base else None
    k = clause.find("分别")
    if k >= 0:
        idx = len(same_clause)
        if kind == "rank":
            prior = [f for f in base if f[4] != c0]
            n = sum(1 for _ in regex.finditer(r"第|首位|倒数", clause[k:])) + 1
            group = prior[-n:] if len(prior) >= n else prior
            if idx < len(group):
                return group[idx][1]
        else:
            subjects = [x for x in regex.split(r"[、和及]", clause[:k]) if x]
            if idx < len(subjects):
                tail = regex.sub(r"[\d.%、]+", "", clause[k + 2:])
                return build_indicator(subjects[idx] + tail, after, unit, kind, previous)
    first = regex.split(r"[，；：]", text, maxsplit=1)[0]
    subject = noun_phrase_before(first[: first.find("连续")] if "连续" in first else first)
    if not subject and base:
        subject = base[0][1]  # the sentence's topic: what its first figure measures
    if subject and unit == "%" and r_growth(text[:s]):
        subject = subject if subject.endswith("增速") else subject + "增速"
    ind = build_indicator(clause if not cmp else clause[: cmp.start()], after, unit, kind, previous, subject)
    if ind in _BARE_HEADS and (m := _LATER_REF.search(text, s)) and ind in m["ref"]:
        # 集中区增速8.85%，高出全市工业总产值增速近7个百分点: like is compared with like
        ref = _strip_scope(regex.sub(r"^(?:全市|全省|全国|我市|平均水平)", "", m["ref"]))
        return ref or ind
    return ind


_BARE_HEADS = ("增速", "占比", "比重", "增幅")
_LATER_REF = regex.compile(r"(?:高于|低于|高出|低出|快于|慢于)(?P<ref>[^，。；\d]{2,20}?)(?:近|约|超过)?[0-9]")


def r_growth(before: str) -> bool:
    return bool(regex.search(r"(?:增长|下降|增速|增幅|回升|下滑)(?:了)?$", before))


_ANAPHORIC_YEAR = ("全年", "年度", "全年度", "当年")


def _period(timexes, limit: int, carried: str | None, text: str = "") -> str | None:
    """The period of the last time expression before `limit`, else the carried one.

    A reader resolves time against what is already in play: 全年/年度 refer back to
    a year already named (过去一年 ... 全年目标); a starting point (从5月份开始)
    sets no period.
    """
    period = carried
    for t in timexes:
        if t.end > limit or t.interval is None:
            continue
        if text and (_START_BEFORE.search(text, 0, t.start) or _START_AFTER.match(text, t.end)
                     or _REFERENCE.search(text, 0, t.start) or "同期" in t.text or text.startswith("同期", t.end)):
            continue
        p = t.interval.period()
        if t.text in _ANAPHORIC_YEAR and period:
            continue
        if text and text.endswith("由", 0, t.start) and regex.search(r"转为|变为|转变为", text[t.end:limit]):
            continue  # 由1-4月的下降0.6%转为增长1.4%: 1-4月 belongs to the first figure only
        period = p
    return period


_START_BEFORE = regex.compile(r"(?:从|自|自从)$")
_START_AFTER = regex.compile(r"(?:开始|起|以来)")
_REFERENCE = regex.compile(r"(?:(?<![同环])比|较|于|与|相比)$")  # 较4月, 高于去年同期: a comparison's reference
