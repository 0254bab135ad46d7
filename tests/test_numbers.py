"""Tests for pipeline.normalise.numbers: exact values, base units and qualifiers (gold/GUIDE.md)."""
from __future__ import annotations

from decimal import Decimal

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.normalise.numbers import NUMERAL, QUANTITY, Quantity, parse_quantity, quantity_or_none, to_decimal
from pipeline.resources import load_tsv

D = Decimal

# (text, expected) — ids are the text itself so a failure names the case.
TO_DECIMAL = [
    ("11.4", D("11.4")),
    ("１１.４", D("11.4")),
    ("１１．４", D("11.4")),
    ("1,234", D(1234)),
    ("12,345,678.5", D("12345678.5")),
    ("一百零五", D(105)),
    ("两", D(2)),
    ("十二", D(12)),
    ("二十", D(20)),
    ("一十二", D(12)),
    ("1.09万", D(10900)),
    ("16.4亿", D(1640000000)),
    ("千万", D(10000000)),
    ("百亿", D(10000000000)),
    ("十万", D(100000)),
    ("1.1万亿", D(1100000000000)),
    ("61 万", D(610000)),
    ("61\n\n万", D(610000)),
    ("二〇二〇", D(2020)),
    ("三千五百", D(3500)),
    ("三千五", D(3500)),
    ("一万二", D(12000)),
    ("一万零五", D(10005)),
    ("三亿五千万", D(350000000)),
    ("一万亿", D(1000000000000)),
    ("两千万", D(20000000)),
    ("3千", D(3000)),
    ("3千万", D(30000000)),
    ("半", D("0.5")),
    ("零", D(0)),
    ("〇", D(0)),
    ("三点五", D("3.5")),
    ("壹佰零伍", D(105)),
    ("0.05", D("0.05")),
]


@pytest.mark.parametrize(("text", "expected"), TO_DECIMAL, ids=[t for t, _ in TO_DECIMAL])
def test_to_decimal(text, expected):
    got = to_decimal(text)
    assert got == expected
    assert isinstance(got, Decimal)


@pytest.mark.parametrize("text", ["16.4亿", "1.09万", "1.1万亿", "60.7亿"], ids=str)
def test_to_decimal_is_canonical(text):
    """Integers come back without exponent or trailing zeros, so str() is safe for CSV."""
    assert "E" not in str(to_decimal(text)) and "." not in str(to_decimal(text))


BAD_NUMERALS = ["", "万", "亿", "同比", "abc", "一一万万", "十万万", "1.2.3", "%"]


@pytest.mark.parametrize("text", BAD_NUMERALS, ids=lambda t: t or "<empty>")
def test_to_decimal_rejects(text):
    with pytest.raises(ValueError):
        to_decimal(text)


def Q(value, unit="", qualifier="=", value_max=None) -> Quantity:
    return Quantity(D(value), unit, qualifier, None if value_max is None else D(value_max))


PARSE = [
    # percentages and points
    ("11.4%", Q("11.4", "%")),
    ("１１.４％", Q("11.4", "%")),
    ("11.4 %", Q("11.4", "%")),
    ("6.2 个百分点", Q("6.2", "百分点")),
    ("0.5个百分点", Q("0.5", "百分点")),
    ("6.2百分点", Q("6.2", "百分点")),
    ("两个百分点", Q(2, "百分点")),
    # multipliers folded into base units
    ("61 万平方米", Q(610000, "平方米")),
    ("61 万\n\n平方米", Q(610000, "平方米")),
    ("966亿元", Q(96600000000, "元")),
    ("1.09万人", Q(10900, "人")),
    ("1000万元", Q(10000000, "元")),
    ("13.2亿元", Q(1320000000, "元")),
    ("60.7亿元", Q(6070000000, "元")),
    ("16.4亿元", Q(1640000000, "元")),
    ("千万元以上", Q(10000000, "元", ">=")),
    ("千万以上", Q(10000000, "", ">=")),
    ("百亿元", Q(10000000000, "元")),
    ("1.1万亿元", Q(1100000000000, "元")),
    ("3千万元", Q(30000000, "元")),
    ("30 亿", Q(3000000000)),
    ("1,234人", Q(1234, "人")),
    ("2万人次", Q(20000, "人次")),
    ("10万吨", Q(100000, "吨")),
    # compound units keep their prefix
    ("5万千瓦", Q(50000, "千瓦")),
    ("5千瓦", Q(5, "千瓦")),
    ("3.5千瓦时", Q("3.5", "千瓦时")),
    ("12千米", Q(12, "千米")),
    ("200兆瓦", Q(200, "兆瓦")),
    ("100㎡", Q(100, "平方米")),
    ("100m2", Q(100, "平方米")),
    ("300平米", Q(300, "平方米")),
    ("2000元/吨", Q(2000, "元/吨")),
    # suffix and infix qualifiers
    ("40 户以上", Q(40, "户", ">=")),
    ("25%以上", Q(25, "%", ">=")),
    ("7%左右", Q(7, "%", "~")),
    ("10 余场次", Q(10, "场次", ">")),
    ("400多家", Q(400, "家", ">")),
    ("1万多人", Q(10000, "人", ">")),
    ("10 余", Q(10, "", ">")),
    ("6000多", Q(6000, "", ">")),
    ("500 万元以下", Q(5000000, "元", "<=")),
    ("3年以内", Q(3, "年", "<=")),
    ("3年多", Q(3, "年", ">")),
    ("5%上下", Q(5, "%", "~")),
    ("十来个", Q(10, "个", "~")),
    # prefix qualifiers
    ("约100亿元", Q(10000000000, "元", "~")),
    ("近100亿元", Q(10000000000, "元", "~")),
    ("大约3个", Q(3, "个", "~")),
    ("接近5%", Q(5, "%", "~")),
    ("将近两万人", Q(20000, "人", "~")),
    ("超过300家", Q(300, "家", ">")),
    ("多于3个", Q(3, "个", ">")),
    ("过100亿元", Q(10000000000, "元", ">")),
    ("过百亿元", Q(10000000000, "元", ">")),
    ("突破100亿元", Q(10000000000, "元", ">")),
    ("不低于7%", Q(7, "%", ">=")),
    ("至少3个", Q(3, "个", ">=")),
    ("不足10亿元", Q(1000000000, "元", "<")),
    ("低于5%", Q(5, "%", "<")),
    ("不超过3年", Q(3, "年", "<=")),
    # ranges
    ("1-2个", Q(1, "个", "range", 2)),
    ("1至2个", Q(1, "个", "range", 2)),
    ("3到5年", Q(3, "年", "range", 5)),
    ("1～2个", Q(1, "个", "range", 2)),
    ("10%-15%", Q(10, "%", "range", 15)),
    ("5-10亿元", Q(500000000, "元", "range", 1000000000)),
    ("1万-2万元", Q(10000, "元", "range", 20000)),
    ("两三个", Q(2, "个", "range", 3)),
    ("三四十家", Q(30, "家", "range", 40)),
    # Chinese numerals
    ("两个", Q(2, "个")),
    ("五个", Q(5, "个")),
    ("十二家", Q(12, "家")),
    ("一百零五个", Q(105, "个")),
    ("三千五百吨", Q(3500, "吨")),
    ("一次", Q(1, "次")),
    ("三项", Q(3, "项")),
    ("三成", Q(30, "%")),
    ("3成", Q(30, "%")),
    ("七成以上", Q(70, "%", ">=")),
    ("百分之五", Q(5, "%")),
    ("百分之十二点五", Q("12.5", "%")),
    ("百分之五十以上", Q(50, "%", ">=")),
    ("千分之五", Q(5, "‰")),
    ("一半", Q(50, "%")),
    ("两倍", Q(2, "倍")),
    ("1.5倍", Q("1.5", "倍")),
    # ranks
    ("第9位", Q(9, "位")),
    ("第 9 位", Q(9, "位")),
    ("第一", Q(1, "位")),
    ("第一名", Q(1, "位")),
    ("第四", Q(4, "位")),
    ("首位", Q(1, "位")),
    ("倒数第二", Q(2, "位", "from_bottom")),
    ("倒数第1位", Q(1, "位", "from_bottom")),
    ("前20名", Q(20, "位", "<=")),
    ("前 20 名", Q(20, "位", "<=")),
    ("前20强", Q(20, "位", "<=")),
    ("前十名", Q(10, "位", "<=")),
    ("前100户", Q(100, "户")),
    # counts with a measure word as written
    ("2个月", Q(2, "个月")),
    ("7县区", Q(7, "县区")),
    ("308家（点）", Q(308, "家")),
    ("200 家（点）", Q(200, "家")),
    ("9条", Q(9, "条")),
    ("6 年", Q(6, "年")),
    ("20名", Q(20, "名")),
    ("4 个", Q(4, "个")),
    ("3所", Q(3, "所")),
]


@pytest.mark.parametrize(("mention", "expected"), PARSE, ids=[m.replace("\n", "⏎") for m, _ in PARSE])
def test_parse_quantity(mention, expected):
    assert parse_quantity(mention) == expected


NOT_QUANTITIES = ["", "   ", "同比", "万", "亿", "%", "第", "千万", "二〇二〇", "一是", "十三五", "5G",
                  "个百分点", "以上", "约"]


@pytest.mark.parametrize("mention", NOT_QUANTITIES, ids=lambda t: t.strip() or "<blank>")
def test_parse_quantity_rejects(mention):
    with pytest.raises(ValueError):
        parse_quantity(mention)


def test_the_memoised_reader_is_parse_quantity():
    """quantity_or_none (memoised across documents) answers as parse_quantity does, asked twice: the value
    for a quantity, None where parse_quantity raises."""
    for _ in range(2):
        for mention, expected in PARSE:
            assert quantity_or_none(mention) == parse_quantity(mention) == expected
        for mention in NOT_QUANTITIES:
            assert quantity_or_none(mention) is None


# (sentence, mentions found by QUANTITY, the same spans without prefix qualifiers as the gold writes them)
SENTENCES = [
    ("全市规上工业增加值增长 11.4%，增速高于全省 6.2 个百分点", ["11.4%", "6.2 个百分点"], None),
    ("确保全年新增规模工业企业 40 户以上", ["40 户以上"], None),
    ("新建标准化厂房 61 万平方米", ["61 万平方米"], None),
    ("力争全年达到7%左右", ["7%左右"], None),
    ("全市产值过100亿元的园区仅6个，不足10亿元的园区7个",
     ["过100亿元", "6个", "不足10亿元", "7个"], ["100亿元", "6个", "10亿元", "7个"]),
    ("每个县（市、区）都要培育1-2个产值过百亿元的首位产业", ["1-2个", "过百亿元"], ["1-2个", "百亿元"]),
    ("增速排名全省各地市倒数第二，居全省第9位", ["倒数第二", "第9位"], None),
    ("瞄准国内前20强的毛绒玩具行业龙头企业，吸引400多家企业", ["前20强", "400多家"], None),
    ("6000多贫困人口失去收入来源，近2万人失业", ["6000多", "近2万人"], ["6000多", "2万人"]),
    ("年新增千万元以上入园工业企业 110 户", ["千万元以上", "110 户"], None),
    ("布点308家（点），就业人数达到1.09万人", ["308家（点）", "1.09万人"], None),
    # no quantities: words made of numerals, dates, names, list markers followed by a noun
    ("千万不要统一思想，十三五期间推进5G网络，稳居第一方阵，培育首位产业", [], None),
    ("通过3年努力，最近3年", ["3年", "3年"], None),
    ("1-5月份，5 月 28 日召开第一次会议", [], None),
]


@pytest.mark.parametrize(("sentence", "mentions", "cores"), SENTENCES, ids=[s[:16] for s, _, _ in SENTENCES])
def test_quantity_finditer(sentence, mentions, cores):
    found = list(regex.finditer(QUANTITY, sentence))
    assert [m.group() for m in found] == mentions
    assert [m.group("qty_core") for m in found] == (cores if cores is not None else mentions)
    for m in found:
        assert sentence[m.start():m.end()] == m.group()
        parse_quantity(m.group())  # whatever QUANTITY finds, parse_quantity accepts


@pytest.mark.parametrize(("text", "token"), [
    ("增长 11.4%", "11.4"), ("１１.４％", "１１.４"), ("共 1,234 人", "1,234"), ("61 万平方米", "61 万"),
    ("一百零五个", "一百零五"), ("5千瓦", "5"), ("1.1万亿元", "1.1万亿"), ("千万元", "千万"),
], ids=lambda x: x if isinstance(x, str) else None)
def test_numeral_embeds(text, token):
    """NUMERAL has no capturing groups of its own, so it can be wrapped in a caller's pattern."""
    m = regex.search(rf"(?P<n>{NUMERAL})", text)
    assert m is not None and m.group("n") == token
    assert regex.compile(NUMERAL).groups == 0


# ---- property tests: render a value, parse it back ------------------------------------------------

_UNIT_ROWS = [(r["surface"], r["unit"], D(r["multiplier"])) for r in load_tsv("lexicons/units.tsv")]
_QUALS = {pos: [(r["surface"], r["qualifier"]) for r in load_tsv("lexicons/numerals_qualifiers.tsv")
                if r["position"] == pos] for pos in ("prefix", "infix", "suffix")}
_CN = "零一二三四五六七八九"
_FULL = str.maketrans("0123456789.", "０１２３４５６７８９．")


def _four(x: int) -> str:
    """1..9999 in standard Chinese (一千零五), written independently of the parser."""
    out, zero = "", False
    for u, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d = x // u % 10
        if d == 0:
            zero = zero or bool(out)
        else:
            out += ("零" if zero else "") + _CN[d] + name
            zero = False
    return out


def _chinese(n: int, short_ten: bool, liang: bool) -> str:
    hi, lo = divmod(n, 10**4)
    s = _four(lo) if not hi else _four(hi) + "万" + (("零" if lo < 1000 else "") + _four(lo) if lo else "")
    if short_ten and s.startswith("一十"):
        s = s[1:]
    if liang and s[0] == "二" and len(s) > 1:
        s = "两" + s[1:]
    return s


def _plain(v: Decimal) -> str:
    return format(v, "f")


values = st.one_of(
    st.integers(1, 10**13 - 1).map(Decimal),
    st.decimals(min_value=D("0.1"), max_value=D("9999999999999.9"), places=1),
    st.decimals(min_value=D("0.01"), max_value=D("9999999999999.99"), places=2),
)


@st.composite
def rendered(draw):
    v = draw(values)
    forms = ["plain", "thousands", "fullwidth"]
    if v >= 10**4:
        forms.append("wan")
    if v >= 10**8:
        forms.append("yi")
    if v == v.to_integral_value() and v < 10**8:
        forms.append("chinese")
    form = draw(st.sampled_from(forms))
    if form == "plain":
        num = _plain(v)
    elif form == "thousands":
        num = format(v, ",f")
    elif form == "fullwidth":
        num = _plain(v).translate(_FULL)
    elif form == "wan":
        num = _plain(v.scaleb(-4).normalize()) + draw(st.sampled_from(["万", " 万"]))
    elif form == "yi":
        num = _plain(v.scaleb(-8).normalize()) + "亿"
    else:
        num = _chinese(int(v), draw(st.booleans()), draw(st.booleans()))
    scaled = form in ("wan", "yi", "chinese")
    # a multiplier-bearing surface after a written multiplier (1.5万万元) is not how anyone writes
    rows = [r for r in _UNIT_ROWS if not (scaled and r[0][0] in "万亿")] + [("", "", D(1))]
    surface, unit, mult = draw(st.sampled_from(rows))
    position = draw(st.sampled_from(["none", "prefix", "infix", "suffix"]))
    if form == "chinese" and not surface and position in ("none", "prefix"):
        position = "suffix"  # a bare Chinese numeral is a word, not a figure
    qsurface, qualifier = draw(st.sampled_from(_QUALS[position])) if position != "none" else ("", "=")
    pre, inf, suf = (qsurface if position == p else "" for p in ("prefix", "infix", "suffix"))
    gap = draw(st.sampled_from(["", " "]))
    text = f"{pre}{num}{inf}{gap}{surface}{suf}"
    return text, Quantity(v * mult, unit, qualifier)


@settings(max_examples=200, deadline=None)
@given(rendered())
def test_roundtrip(case):
    text, expected = case
    got = parse_quantity(text)
    assert (got.value, got.unit, got.qualifier) == (expected.value, expected.unit, expected.qualifier), text


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 10**6), st.integers(1, 10**6), st.sampled_from(["-", "～", "至", "到", "—"]),
       st.sampled_from([r for r in _UNIT_ROWS if r[0][0] not in "万亿"]))
def test_range_roundtrip(a, b, sep, row):
    lo, hi = sorted((a, b))
    surface, unit, mult = row
    got = parse_quantity(f"{lo}{sep}{hi}{surface}")
    assert got == Quantity(D(lo) * mult, unit, "range", D(hi) * mult)


@settings(max_examples=200, deadline=None)
@given(values)
def test_to_decimal_roundtrip_never_float(v):
    """Exact through every written form: 16.4亿 must not become 1639999999."""
    assert to_decimal(_plain(v)) == v
    assert to_decimal(_plain(v.scaleb(-8).normalize()) + "亿") == v
    assert to_decimal(_plain(v.scaleb(-4).normalize()) + "万") == v
