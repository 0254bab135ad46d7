"""Time expressions: resolution against the speech date, spans in running text, and the rule data."""
from datetime import date, timedelta

import pytest
from hypothesis import given, strategies as st

from pipeline.normalise.timex import Interval, find_timexes, resolve

D = date.fromisoformat

# (id, expression, speech date, expected start, expected end, expected period string)
RESOLVE = [
    # absolute dates, spaces, Chinese numerals
    ("ymd", "2020年6月30日", "2020-06-24", "2020-06-30", "2020-06-30", "2020-06-30"),
    ("ymd-spaces", "2020 年 3 月 1 日", "2020-02-28", "2020-03-01", "2020-03-01", "2020-03-01"),
    ("md", "6月30日", "2020-06-24", "2020-06-30", "2020-06-30", "2020-06-30"),
    ("md-chinese", "六月三十日", "2020-06-24", "2020-06-30", "2020-06-30", "2020-06-30"),
    ("ymd-chinese", "二〇二〇年六月三十日", "2021-01-01", "2020-06-30", "2020-06-30", "2020-06-30"),
    ("md-hao", "3月8号", "2021-03-01", "2021-03-08", "2021-03-08", "2021-03-08"),
    ("md-fullwidth", "６月３０日", "2020-06-24", "2020-06-30", "2020-06-30", "2020-06-30"),
    ("year-chinese", "二〇二〇年", "2021-03-08", "2020-01-01", "2020-12-31", "2020"),
    ("year", "2020年", "2021-03-08", "2020-01-01", "2020-12-31", "2020"),
    ("year-du", "2020年度", "2021-03-08", "2020-01-01", "2020-12-31", "2020"),
    ("year-month", "2020年6月", "2021-03-08", "2020-06-01", "2020-06-30", "2020-06"),
    ("month-fen", "5月份", "2020-06-24", "2020-05-01", "2020-05-31", "2020-05"),
    ("month-chinese", "十二月", "2020-06-24", "2020-12-01", "2020-12-31", "2020-12"),
    ("month-chinese-fen", "三月份", "2020-06-24", "2020-03-01", "2020-03-31", "2020-03"),
    # month ends and thirds
    ("month-end", "6月底", "2020-06-24", "2020-06-30", "2020-06-30", "2020-06-30"),
    ("month-end-space", "6 月底", "2020-06-24", "2020-06-30", "2020-06-30", "2020-06-30"),
    ("month-mo", "6月末", "2020-06-24", "2020-06-30", "2020-06-30", "2020-06-30"),
    ("month-end-feb-leap", "2月底", "2020-01-10", "2020-02-29", "2020-02-29", "2020-02-29"),
    ("xun-early", "5月上旬", "2020-05-07", "2020-05-01", "2020-05-10", "2020-05-01/2020-05-10"),
    ("xun-mid", "5月中旬", "2020-05-07", "2020-05-11", "2020-05-20", "2020-05-11/2020-05-20"),
    ("xun-late", "5月下旬", "2020-05-07", "2020-05-21", "2020-05-31", "2020-05-21/2020-05-31"),
    # quarters and halves
    ("q1", "一季度", "2020-05-07", "2020-01-01", "2020-03-31", "2020-01/2020-03"),
    ("q1-di", "第一季度", "2020-05-07", "2020-01-01", "2020-03-31", "2020-01/2020-03"),
    ("q3-end", "三季度末", "2020-06-24", "2020-09-30", "2020-09-30", "2020-09-30"),
    ("q4", "四季度", "2021-10-29", "2021-10-01", "2021-12-31", "2021-10/2021-12"),
    ("q-first", "首季", "2021-03-08", "2021-01-01", "2021-03-31", "2021-01/2021-03"),
    ("q1-to-q3", "前三季度", "2021-10-29", "2021-01-01", "2021-09-30", "2021-01/2021-09"),
    ("q1-to-q3-this-year", "今年前三季度", "2021-10-29", "2021-01-01", "2021-09-30", "2021-01/2021-09"),
    ("next-year-q1", "明年一季度", "2020-11-05", "2021-01-01", "2021-03-31", "2021-01/2021-03"),
    ("this-quarter", "本季度", "2020-05-07", "2020-04-01", "2020-06-30", "2020-04/2020-06"),
    ("next-quarter-rollover", "下个季度", "2020-11-05", "2021-01-01", "2021-03-31", "2021-01/2021-03"),
    ("h1", "上半年", "2020-05-07", "2020-01-01", "2020-06-30", "2020-01/2020-06"),
    ("h2", "下半年", "2020-06-24", "2020-07-01", "2020-12-31", "2020-07/2020-12"),
    ("h2-this-year", "今年下半年", "2020-06-24", "2020-07-01", "2020-12-31", "2020-07/2020-12"),
    # year ends and relative years
    ("year-end", "年底", "2021-10-29", "2021-12-31", "2021-12-31", "2021-12-31"),
    ("within-year", "年内", "2020-02-28", "2020-01-01", "2020-12-31", "2020"),
    ("year-mo", "年末", "2020-02-28", "2020-12-31", "2020-12-31", "2020-12-31"),
    ("this-year-within", "今年内", "2020-02-28", "2020-01-01", "2020-12-31", "2020"),
    ("y2019-end", "2019年底", "2020-05-07", "2019-12-31", "2019-12-31", "2019-12-31"),
    ("last-year-end", "去年底", "2020-05-07", "2019-12-31", "2019-12-31", "2019-12-31"),
    ("this-year", "今年", "2020-02-28", "2020-01-01", "2020-12-31", "2020"),
    ("whole-year", "全年", "2021-03-08", "2021-01-01", "2021-12-31", "2021"),
    ("last-year", "去年", "2020-02-28", "2019-01-01", "2019-12-31", "2019"),
    ("past-year", "过去一年", "2020-02-28", "2019-01-01", "2019-12-31", "2019"),
    ("next-year", "明年", "2021-10-29", "2022-01-01", "2022-12-31", "2022"),
    # days and weeks
    ("today", "今天", "2020-02-28", "2020-02-28", "2020-02-28", "2020-02-28"),
    ("tonight", "今晚", "2020-02-28", "2020-02-28", "2020-02-28", "2020-02-28"),
    ("this-evening", "今天晚上", "2020-02-28", "2020-02-28", "2020-02-28", "2020-02-28"),
    ("tomorrow", "明天", "2020-02-28", "2020-02-29", "2020-02-29", "2020-02-29"),
    ("yesterday", "昨天", "2020-03-01", "2020-02-29", "2020-02-29", "2020-02-29"),
    ("this-week", "本周", "2020-02-28", "2020-02-24", "2020-03-01", "2020-02-24/2020-03-01"),
    ("next-week", "下周", "2020-02-28", "2020-03-02", "2020-03-08", "2020-03-02/2020-03-08"),
    ("next-week-rollover", "下周", "2020-12-30", "2021-01-04", "2021-01-10", "2021-01-04/2021-01-10"),
    ("last-week-on-monday", "上个星期", "2021-03-08", "2021-03-01", "2021-03-07", "2021-03-01/2021-03-07"),
    ("last-week", "上周", "2021-03-10", "2021-03-01", "2021-03-07", "2021-03-01/2021-03-07"),
    ("next-friday", "下周五", "2021-10-29", "2021-11-05", "2021-11-05", "2021-11-05"),
    # months relative to the speech
    ("this-month", "本月", "2020-06-24", "2020-06-01", "2020-06-30", "2020-06"),
    ("next-month", "下月", "2020-06-24", "2020-07-01", "2020-07-31", "2020-07"),
    ("last-month", "上月", "2020-06-24", "2020-05-01", "2020-05-31", "2020-05"),
    ("next-month-rollover", "下个月", "2020-12-10", "2021-01-01", "2021-01-31", "2021-01"),
    ("this-month-end", "本月底", "2020-02-10", "2020-02-29", "2020-02-29", "2020-02-29"),
    # cumulative ranges and "since"
    ("range-hyphen", "1-5月", "2020-06-24", "2020-01-01", "2020-05-31", "2020-01/2020-05"),
    ("range-zhi-fen", "1至2月份", "2021-03-08", "2021-01-01", "2021-02-28", "2021-01/2021-02"),
    ("range-emdash", "1—5月", "2020-06-24", "2020-01-01", "2020-05-31", "2020-01/2020-05"),
    ("range-fullwidth-hyphen", "1－2 月", "2020-02-28", "2020-01-01", "2020-02-29", "2020-01/2020-02"),
    ("range-whole-year", "1-12月", "2020-02-28", "2020-01-01", "2020-12-31", "2020"),
    ("since-this-year", "今年以来", "2021-10-29", "2021-01-01", "2021-09-30", "2021-01/2021-09"),
    ("since-this-year-january", "今年以来", "2021-01-20", "2021-01-01", "2021-01-20", "2021-01-01/2021-01-20"),
    ("since-start-of-year", "年初以来", "2020-06-24", "2020-01-01", "2020-05-31", "2020-01/2020-05"),
    ("day-range", "3月1日至7日", "2021-03-08", "2021-03-01", "2021-03-07", "2021-03-01/2021-03-07"),
    # reference points
    ("now", "目前", "2021-10-29", "2021-10-29", "2021-10-29", "2021-10-29"),
    ("current", "当前", "2020-06-24", "2020-06-24", "2020-06-24", "2020-06-24"),
    ("as-of-now", "截至目前", "2020-05-07", "2020-05-07", "2020-05-07", "2020-05-07"),
    ("as-of-day", "截止2月27日", "2020-02-28", "2020-02-27", "2020-02-27", "2020-02-27"),
    ("as-of-day-spaces", "截止 2 月 27 日", "2020-02-28", "2020-02-27", "2020-02-27", "2020-02-27"),
    ("as-of-month-end", "截至5月底", "2020-06-10", "2020-05-31", "2020-05-31", "2020-05-31"),
    # plan periods and year ranges
    ("fyp13-period", "十三五时期", "2021-10-29", "2016-01-01", "2020-12-31", "2016/2020"),
    ("fyp13-quoted", "“十三五”时期", "2021-10-29", "2016-01-01", "2020-12-31", "2016/2020"),
    ("fyp14", "十四五", "2021-03-08", "2021-01-01", "2025-12-31", "2021/2025"),
    ("fyp13-end", "“十三五”末", "2021-03-08", "2020-01-01", "2020-12-31", "2020"),
    ("year-range", "2014 年—2019 年", "2020-02-28", "2014-01-01", "2019-12-31", "2014/2019"),
    # holidays and durations
    ("may-day", "“五一”", "2020-04-20", "2020-05-01", "2020-05-01", "2020-05-01"),
    ("national-day", "国庆节", "2020-09-01", "2020-10-01", "2020-10-01", "2020-10-01"),
    ("spring-festival", "春节", "2021-01-05", "2021-02-12", "2021-02-12", "2021-02-12"),
    ("three-days", "3天内", "2020-02-28", "2020-02-28", "2020-03-02", "2020-02-28/2020-03-02"),
    ("ten-workdays", "10个工作日内", "2020-06-24", "2020-06-24", "2020-07-08", "2020-06-24/2020-07-08"),
    # same period a year earlier, without context
    ("same-period", "去年同期", "2021-10-29", "2020-01-01", "2020-12-31", "2020"),
]


@pytest.mark.parametrize("expr,speech,start,end,period", [c[1:] for c in RESOLVE], ids=[c[0] for c in RESOLVE])
def test_resolve(expr, speech, start, end, period):
    iv = resolve(expr, D(speech))
    assert iv is not None
    assert (iv.start, iv.end) == (D(start), D(end))
    assert iv.period() == period


# future=True (deadlines): a month/day/quarter without a year that has already passed means next year's.
FUTURE = [
    ("jan-end-in-december", "1月底", "2020-12-05", True, "2021-01-31"),
    ("jan-end-in-december-no-roll", "1月底", "2020-12-05", False, "2020-01-31"),
    ("june-end-not-passed", "6月底", "2020-06-24", True, "2020-06-30"),
    ("explicit-year-never-rolls", "2020年1月底", "2020-12-05", True, "2020-01-31"),
    ("spring-festival-next", "春节", "2020-12-20", True, "2021-02-12"),
    ("q1-in-november", "一季度", "2020-11-05", True, "2021-03-31"),
]


@pytest.mark.parametrize("expr,speech,future,end", [c[1:] for c in FUTURE], ids=[c[0] for c in FUTURE])
def test_resolve_future(expr, speech, future, end):
    assert resolve(expr, D(speech), future=future).end == D(end)


UNRESOLVED = [("not-a-time", "规上工业增加值"), ("month-13", "13月"), ("day-32", "6月32日"),
              ("duration", "两年多来")]


@pytest.mark.parametrize("expr", [c[1] for c in UNRESOLVED], ids=[c[0] for c in UNRESOLVED])
def test_resolve_none(expr):
    assert resolve(expr, D("2020-06-24")) is None


# find_timexes over sentences: (id, text, speech date, [(span text, period)])
SPANS = [
    ("stats-and-comparison", "今年以来，全市规上工业增加值增长8.2%，比去年同期高3个百分点。", "2021-10-29",
     [("今年以来", "2021-01/2021-09"), ("去年同期", "2020-01/2020-09")]),
    ("range-then-deadline", "1-5月全市退库企业已达43户，6月底前要确保应清尽清。", "2020-06-24",
     [("1-5月", "2020-01/2020-05"), ("6月底", "2020-06-30")]),
    ("meeting-date-and-week", "俊民市长6月17日在会上要求，下周召开视频会。", "2020-06-24",
     [("6月17日", "2020-06-17"), ("下周", "2020-06-29/2020-07-05")]),
    ("longest-match", "力争明年一季度实现投产，今年内完成主体工程。", "2020-11-05",
     [("明年一季度", "2021-01/2021-03"), ("今年内", "2020")]),
    ("spaces-kept", "截止 2 月 27 日，复工企业达 300 户。", "2020-02-28", [("截止 2 月 27 日", "2020-02-27")]),
    ("no-frequency", "落实一周一研判、一月一调度制度。", "2021-03-08", []),
    ("plan-and-now", "“十三五”时期全市工业稳步增长，目前仍面临困难。", "2021-03-08",
     [("“十三五”时期", "2016/2020"), ("目前", "2021-03-08")]),
]


@pytest.mark.parametrize("text,speech,expected", [c[1:] for c in SPANS], ids=[c[0] for c in SPANS])
def test_find_timexes(text, speech, expected):
    found = find_timexes(text, D(speech))
    assert [(t.text, t.interval.period()) for t in found] == expected
    for t in found:
        assert text[t.start:t.end] == t.text


def test_interval_period_granularity_free():
    assert Interval(D("2020-01-01"), D("2020-12-31"), "range").period() == "2020"
    assert Interval(D("2016-01-01"), D("2020-12-31"), "range").period() == "2016/2020"


_dates = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))


@given(_dates)
def test_next_week_is_the_following_monday_to_sunday(sd):
    iv = resolve("下周", sd)
    assert iv.start.weekday() == 0 and (iv.end - iv.start).days == 6
    assert 1 <= (iv.start - sd).days <= 7


@given(_dates, st.integers(1, 12))
def test_month_end_is_last_day_and_month_period(sd, m):
    end = resolve(f"{m}月底", sd).end
    assert end.month == m and (end + timedelta(days=1)).day == 1
    assert resolve(f"{m}月", sd).period() == f"{sd.year}-{m:02d}"


def test_a_rule_matches_only_where_one_of_its_needed_characters_is():
    """The needs prefilter is exact: on every line of the corpus (and its substrings), wherever a rule's
    pattern matches, the text holds one of the characters the rule needs (and of the words: holidays).
    The holidays' names are in few lines of the corpus: their examples and made-up lines test them too."""
    from pathlib import Path

    from pipeline.normalise.timex import _holidays, _may_match, rules

    root = Path(__file__).resolve().parent.parent / "corpus"
    lines = [l for p in sorted(root.glob("*.txt")) for l in p.read_text(encoding="utf-8").splitlines() if l.strip()]
    lines += [l[i:i + 9] for l in lines[::3] for i in range(0, len(l), 5)]
    lines += [f"{q}{name}{q2}前完成" for name in _holidays() if name for q, q2 in (("", ""), ("“", "”"), ('"', '"'))]
    hits = 0
    for rule in rules():
        assert rule.needs, rule.name
        for line in lines:
            if rule.rx.search(line):
                hits += rule.needs_words is not None
                assert not rule.needs.isdisjoint(line), (rule.name, line)
                assert _may_match(rule, line, set(line)), (rule.name, line)
    assert hits > len(_holidays())  # the holiday rule's words were tested on matches


def test_the_rules_asked_of_a_text_are_those_whose_needs_it_meets():
    """_rules_for (rules found from the text's characters) gives the rules _may_match lets through, in
    order, on every line of the corpus, on holiday lines and on random strings of needed characters."""
    import random
    from pathlib import Path

    from pipeline.normalise.timex import _holidays, _may_match, _rules_by_char, _rules_for, rules

    root = Path(__file__).resolve().parent.parent / "corpus"
    lines = [l for p in sorted(root.glob("*.txt")) for l in p.read_text(encoding="utf-8").splitlines() if l.strip()]
    lines += [f"{name}前" for name in _holidays() if name] + ["", "无时间的一句话"]
    needed = sorted(_rules_by_char()[2])
    rnd = random.Random(2)
    lines += ["".join(rnd.choice(needed + ["的", "1", "“", "”"]) for _ in range(rnd.randint(1, 12))) for _ in range(2000)]
    for text in lines:
        assert _rules_for(text) == [i for i, r in enumerate(rules()) if _may_match(r, text, set(text))], text
