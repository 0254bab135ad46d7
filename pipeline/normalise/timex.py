"""Time expressions in bulletin speeches, resolved against the speech date.

One module serves figure periods (1-5月 -> "2020-01/2020-05") and deadlines
(6月底前 -> 2020-06-30), so both read dates the same way. Patterns are data
(resources/rules/timex.toml); this module only turns a match into dates. Each
match carries a `role` from its rule that tells a deadline detector whether the
expression can bound a task at all (statistics periods such as 1-5月 or 今年以来
cannot).
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

import regex

from ..memo import per_document
from ..resources import any_word, expand_defs, load_toml, load_tsv


@dataclass(frozen=True)
class Interval:
    start: date
    end: date
    granularity: str  # "day", "week", "month", "quarter", "half", "year" or "range"

    def period(self) -> str:
        """The GUIDE's period string, derived from the dates alone so equal spans print alike."""
        s, e = self.start, self.end
        if s == e:
            return s.isoformat()
        if s.day == 1 and e == _month_end(e.year, e.month):
            if s.month == 1 and e.month == 12:
                return str(s.year) if s.year == e.year else f"{s.year}/{e.year}"
            if (s.year, s.month) == (e.year, e.month):
                return f"{s:%Y-%m}"
            return f"{s:%Y-%m}/{e:%Y-%m}"
        return f"{s.isoformat()}/{e.isoformat()}"


@dataclass(frozen=True)
class Timex:
    start: int
    end: int
    text: str
    interval: Interval | None
    rule: str = field(default="", compare=False, repr=False)
    role: str = field(default="never", compare=False, repr=False)  # "never" | "explicit" | "verb"


# ---------------------------------------------------------------- numbers and calendar helpers

_DIGIT = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
          "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _num(s: str) -> int:
    """Arabic (also full-width), positional Chinese (十二, 二十一, 廿一) or digit-wise (二〇二〇)."""
    s = s.strip()
    if s.isdigit():
        return int(s)
    if any(c in s for c in "十廿百"):
        total = cur = 0
        for ch in s:
            if ch == "十":
                total, cur = total + (cur or 1) * 10, 0
            elif ch == "廿":
                total, cur = total + 20, 0
            elif ch == "百":
                total, cur = total + (cur or 1) * 100, 0
            else:
                cur = _DIGIT[ch] if ch in _DIGIT else int(ch)
        return total + cur
    return int("".join(str(_DIGIT.get(ch, ch)) for ch in s))


def _month_end(y: int, m: int) -> date:
    return date(y, m, calendar.monthrange(y, m)[1])


def _add_months(y: int, m: int, k: int) -> tuple[int, int]:
    i = y * 12 + (m - 1) + k
    return i // 12, i % 12 + 1


def _shift_year(d: date, k: int) -> date:
    """Same calendar position k years away; a month end stays a month end (29 Feb -> 28 Feb)."""
    if d == _month_end(d.year, d.month):
        return _month_end(d.year + k, d.month)
    return date(d.year + k, d.month, d.day)


def _last_complete_month_end(d: date) -> date:
    return d.replace(day=1) - timedelta(days=1)


def _year_interval(y: int) -> Interval:
    return Interval(date(y, 1, 1), date(y, 12, 31), "year")


def _month_interval(y: int, m: int, mod: str | None) -> Interval:
    end = _month_end(y, m)
    if mod in ("底", "末"):
        return Interval(end, end, "day")
    if mod in ("初", "上旬"):
        return Interval(date(y, m, 1), date(y, m, 10), "range")
    if mod == "中旬":
        return Interval(date(y, m, 11), date(y, m, 20), "range")
    if mod == "下旬":
        return Interval(date(y, m, 21), end, "range")
    return Interval(date(y, m, 1), end, "month")


def _quarter_interval(y: int, q: int, mod: str | None) -> Interval:
    if not 1 <= q <= 4:
        raise ValueError(q)
    iv = Interval(date(y, 3 * q - 2, 1), _month_end(y, 3 * q), "quarter")
    if mod in ("末", "底"):
        return Interval(iv.end, iv.end, "day")
    if mod == "初":
        return _month_interval(y, 3 * q - 2, None)
    return iv


def _add_workdays(d: date, n: int) -> date:
    while n > 0:
        d += timedelta(days=1)
        n -= d.weekday() < 5
    return d


_YEAR_OFFSET = {"今年": 0, "今年度": 0, "本年": 0, "本年度": 0, "当年": 0, "全年": 0, "明年": 1, "来年": 1,
                "次年": 1, "去年": -1, "上年": -1, "前年": -2, "后年": 2}
_DAY_OFFSET = {"今天": 0, "今日": 0, "当天": 0, "当日": 0, "今晚": 0, "明天": 1, "明日": 1, "明晚": 1,
               "后天": 2, "昨天": -1, "昨日": -1, "昨晚": -1, "前天": -2}
_REL_OFFSET = {"本": 0, "这": 0, "当": 0, "下": 1, "次": 1, "上": -1}
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_HALF = {"上半年": 1, "前半年": 1, "下半年": 2, "后半年": 2}


def _rel(word: str) -> int:
    return _REL_OFFSET[word[0]]


def _g(m: regex.Match, name: str) -> str | None:
    try:
        return m.group(name)
    except IndexError:
        return None


# ---------------------------------------------------------------- resolvers: (match, speech date, year) -> Interval
# `year` is the explicit year or, when the expression names none, the year to try (speech year, or the next
# one when a deadline's month/day has already passed).

def _day(d: date) -> Interval:
    return Interval(d, d, "day")


def _r_fyp(m, sd, y):
    first = 1981 + 5 * (10 + _num(m["fyp"]) - 6)  # the 6th plan began in 1981
    if m["fmod"] in ("末", "期末"):
        return _year_interval(first + 4)
    if m["fmod"] in ("初", "期初"):
        return _year_interval(first)
    return Interval(date(first, 1, 1), date(first + 4, 12, 31), "range")


def _ordered(a: date, b: date) -> Interval:
    if b <= a:
        raise ValueError("empty range")
    return Interval(a, b, "range")


def _r_day_range(m, sd, y):
    m1 = _num(m["m"])
    return _ordered(date(y, m1, _num(m["d1"])), date(y, _num(m["m2"]) if m["m2"] else m1, _num(m["d2"])))


def _r_month(m, sd, y):
    if _g(m, "m"):
        yy, mm = y, _num(m["m"])
    else:  # 本月/下个月/月底: relative to the speech month
        yy, mm = _add_months(sd.year, sd.month, _rel(m["mrel"]) if _g(m, "mrel") else 0)
    return _month_interval(yy, mm, m["mod"])


def _r_year(m, sd, y):
    if m["mod"] in ("底", "末", "年底", "年末", "终"):
        return _day(date(y, 12, 31))
    return _month_interval(y, 1, None) if m["mod"] == "初" else _year_interval(y)


def _r_rel_quarter(m, sd, y):
    yy, mm = _add_months(sd.year, sd.month, 3 * _rel(m["qrel"]))
    return _quarter_interval(yy, (mm - 1) // 3 + 1, m["mod"])


def _r_half(m, sd, y):
    iv = (Interval(date(y, 1, 1), date(y, 6, 30), "half") if _HALF[m["h"]] == 1
          else Interval(date(y, 7, 1), date(y, 12, 31), "half"))
    return _day(iv.end) if m["mod"] else iv


def _r_week(m, sd, y):
    monday = sd - timedelta(days=sd.weekday()) + timedelta(weeks=_rel(m["wrel"]))
    if m["wd"]:
        return _day(monday + timedelta(days=int(m["wd"]) - 1 if m["wd"].isdigit() else _WEEKDAY[m["wd"]]))
    return Interval(monday, monday + timedelta(days=6), "week")


def _r_weekday(m, sd, y):
    d = sd - timedelta(days=sd.weekday()) + timedelta(days=_WEEKDAY[m["wd"]])
    # asked again with the next year (a deadline): a weekday already past this week means next week's
    return _day(d + timedelta(weeks=1) if y > sd.year else d)


def _r_within(m, sd, y):
    n, u = _num(m["n"]), m["u"]
    if u == "个工作日":
        end = _add_workdays(sd, n)
    elif u.endswith("月"):
        yy, mm = _add_months(sd.year, sd.month, n)
        end = date(yy, mm, min(sd.day, calendar.monthrange(yy, mm)[1]))
    elif u == "年":  # 三年内 said in 2023: by the end of 2025 (plans count calendar years, this one first)
        end = date(sd.year + n - 1, 12, 31)
    else:
        end = sd + timedelta(days=n * (7 if u in ("周", "星期", "个星期") else 1))
    return Interval(sd, end, "range")


_RESOLVERS = {
    "fyp": _r_fyp, "day_range": _r_day_range, "month": _r_month, "year": _r_year,
    "rel_quarter": _r_rel_quarter, "half": _r_half, "week": _r_week, "weekday": _r_weekday, "within": _r_within,
    "year_range": lambda m, sd, y: _ordered(date(_num(m["y1"]), 1, 1), date(_num(m["y2"]), 12, 31)),
    "month_range": lambda m, sd, y: _ordered(date(y, _num(m["m1"]), 1), _month_end(y, _num(m["m2"]))),
    "date": lambda m, sd, y: _day(date(y, _num(m["m"]), _num(m["d"]))),
    "past_year": lambda m, sd, y: _year_interval(sd.year - 1),
    "same_period": lambda m, sd, y: _year_interval(sd.year - 1),
    "quarter": lambda m, sd, y: _quarter_interval(y, 1 if m["first"] else _num(m["q"]), m["mod"]),
    "cum_quarter": lambda m, sd, y: Interval(date(y, 1, 1), _month_end(y, 3 * _num(m["q"])), "range"),
    "day": lambda m, sd, y: _day(sd + timedelta(days=_DAY_OFFSET[m["rel"] or m["night"]])),
    "now": lambda m, sd, y: _day(sd),
    "holiday": lambda m, sd, y: _day(_holiday_date(m["hol"].strip("“”\"‘’"), y)),
}
# Kinds whose dates carry an implicit year that a deadline may roll forward.
_ROLLABLE = {"date", "month", "quarter", "half", "holiday", "month_range", "day_range", "weekday"}
_DEADLINE_MODS = {"底", "末", "年底", "年末", "内", "终"}


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    role: str
    rx: regex.Pattern
    examples: tuple[str, ...]
    counterexamples: tuple[str, ...]
    needs: frozenset[str] = frozenset()  # one of these characters must be in a text the rule can match
    needs_words: re.Pattern | None = None  # and, when given, a match of this (one of the holidays' names)


@cache
def _holidays() -> dict[str, tuple[str | None, dict[int, date]]]:
    """surface name -> (fixed MM-DD or None, {year: date}); plus the @HOL@ alternation under key ''."""
    names: dict = {}
    alts = []
    for row in load_tsv("lexicons/holidays.tsv"):
        dates = {date.fromisoformat(d).year: date.fromisoformat(d) for d in (row["dates"] or "").split()}
        for name in row["names"].split("|"):
            names[name] = (row["fixed"] or None, dates)
            q = regex.escape(name)
            alts.append((len(name), f"[“\"]{q}[”\"]" if row["quoted"] == "1" else f"[“\"]?{q}[”\"]?"))
    names[""] = "|".join(a for _, a in sorted(alts, key=lambda a: -a[0]))
    return names


def _holiday_date(name: str, y: int) -> date:
    fixed, dates = _holidays()[name]
    if fixed:
        return date(y, int(fixed[:2]), int(fixed[3:]))
    return dates[y]  # KeyError (outside the table) -> unresolvable


@cache
def rules() -> tuple[Rule, ...]:
    """Compiled timex rules (lazily, once)."""
    data = load_toml("rules/timex.toml")
    defs = dict(data["defs"], HOL=_holidays()[""])
    out = []
    holiday_starts = "".join({name[0] for name in _holidays() if name})
    for r in data["rule"]:
        body = expand_defs(r["pattern"], defs)
        full = expand_defs(f"(?P<asof>@ASOF@)?(?:{body})(?P<since>@SINCE@)?", defs)
        needs = frozenset(r.get("needs", "").replace("@HOL@", holiday_starts))
        words = any_word(n for n in _holidays() if n) if "@HOL@" in r.get("needs", "") else None
        out.append(Rule(r["name"], r["kind"], r["role"], regex.compile(full),
                        tuple(r.get("examples", ())), tuple(r.get("counterexamples", ())), needs, words))
    return tuple(out)


def _explicit_year(m: regex.Match, sd: date) -> int | None:
    if _g(m, "y"):
        return _num(m["y"])
    if _g(m, "yrel"):
        return sd.year + _YEAR_OFFSET[m["yrel"]]
    return None


def _interpret(rule: Rule, m: regex.Match, sd: date, future: bool) -> tuple[Interval | None, str]:
    """(interval, role) of one match; ValueError when the match is not a real date (month 13)."""
    resolver = _RESOLVERS[rule.kind]
    year = _explicit_year(m, sd)
    try:
        iv = resolver(m, sd, sd.year if year is None else year)
        if future and year is None and rule.kind in _ROLLABLE and iv.end < sd:
            iv = resolver(m, sd, sd.year + 1)
    except KeyError:
        iv = None
    role = rule.role
    if rule.kind == "year" and _g(m, "mod") in _DEADLINE_MODS:
        role = "verb"
    if rule.kind == "fyp" and m["fmod"] in ("末", "期末"):  # 十四五末: a horizon a task can be bound to
        role = "verb"
    if rule.kind == "day" and (m["tod"] or m["night"] or m["clock"] or m["rel"] in ("明天", "明日", "后天")):
        role = "verb"
    if iv is not None and m["since"]:
        end = _last_complete_month_end(sd)
        iv = Interval(iv.start, end if iv.start.day == 1 and end >= iv.start else sd, "range")
    if m["asof"] or m["since"]:
        role = "never"
    return iv, role


@per_document()  # read with future=False (figures, deadlines) and future=True (deadlines): one scan
def _matches(text: str) -> tuple[tuple[int, Rule, regex.Match], ...]:
    rs = rules()
    return tuple((order, rs[order], m) for order in _rules_for(text) for m in rs[order].rx.finditer(text)
                 if m.end() > m.start())


def _rules_for(text: str) -> list[int]:
    """The rules that may match in text (_may_match), in order, found from its characters: each needed
    character names its rules (a sentence holds the characters of a few of the two dozen)."""
    by_char, always, wanted = _rules_by_char()
    found = set(always)
    for c in wanted.intersection(text):
        found.update(by_char[c])
    rs = rules()
    return [i for i in sorted(found) if rs[i].needs_words is None or rs[i].needs_words.search(text)]


@cache
def _rules_by_char() -> tuple[dict[str, tuple[int, ...]], tuple[int, ...], frozenset[str]]:
    """(character -> the rules that need it, the rules that need none, every needed character)."""
    by_char: dict[str, list[int]] = {}
    always = []
    for i, rule in enumerate(rules()):
        if not rule.needs:
            always.append(i)
        for c in rule.needs:
            by_char.setdefault(c, []).append(i)
    return {c: tuple(v) for c, v in by_char.items()}, tuple(always), frozenset(by_char)


def _may_match(rule: Rule, text: str, chars: set[str]) -> bool:
    """False when the text lacks what every match of the rule holds: one of its characters (needs), and
    one of its words (needs_words: the holiday rule's names, whose first characters, 一 五 十 国 春 ...,
    are in most sentences, where the holiday pattern cost more than any other rule's)."""
    if rule.needs and rule.needs.isdisjoint(chars):
        return False
    return rule.needs_words is None or rule.needs_words.search(text) is not None


def _candidates(text: str, sd: date, future: bool):
    for order, rule, m in _matches(text):
        try:
            iv, role = _interpret(rule, m, sd, future)
        except ValueError:
            continue
        yield m.start(), m.end(), order, rule, iv, role


def _shift_context(ctx: Interval | None, sd: date) -> Interval:
    """去年同期: the context span one year back when there is one in the same year, else last year."""
    if ctx is not None and ctx.start.year == ctx.end.year:
        return Interval(_shift_year(ctx.start, -1), _shift_year(ctx.end, -1), ctx.granularity)
    return _year_interval(sd.year - 1)


def find_timexes(text: str, speech_date: date, *, future: bool = False) -> list[Timex]:
    """Every time expression in the text, longest match, non-overlapping, in order."""
    return list(_find_timexes(text, speech_date, future))


@per_document()  # the figures and the deadlines both read a sentence's time expressions
def _find_timexes(text: str, speech_date: date, future: bool) -> tuple[Timex, ...]:
    cands = sorted(_candidates(text, speech_date, future), key=lambda c: (c[0] - c[1], c[0], c[2]))
    taken: list[tuple] = []
    for c in cands:
        if all(c[1] <= t[0] or c[0] >= t[1] for t in taken):
            taken.append(c)
    out, ctx = [], None
    for s, e, _, rule, iv, role in sorted(taken, key=lambda c: c[0]):
        if rule.kind == "same_period":
            iv = _shift_context(ctx, speech_date)
        elif iv is not None:
            ctx = iv
        out.append(Timex(s, e, text[s:e], iv, rule.name, role))
    return tuple(out)


def resolve(expr: str, speech_date: date, future: bool = False) -> Interval | None:
    """Resolve one time expression against the speech date.

    future=True (deadlines) rolls a month/day/quarter without an explicit year that has already passed
    into the next year: "1月底前" said in December means next January.
    """
    expr = expr.strip()
    for rule in rules():
        if m := rule.rx.fullmatch(expr):
            try:
                return _interpret(rule, m, speech_date, future)[0]
            except ValueError:  # not a real date under this rule; another rule may still read it
                continue
    return None
