"""Exact numbers and quantities as written in Chinese government bulletins.

Figures come as 11.4%, １１.４％, 61 万平方米, 一百零五个, 千万元以上, 1-2个 or 倒数第二; the knowledge
base wants one exact Decimal in base units plus a qualifier (gold/GUIDE.md). Everything stays in
Decimal: binary floats turn 16.4亿 into 1639999999, which is why cn2an's float path is not used.
Units and qualifier words are data (resources/lexicons/units.tsv, numerals_qualifiers.tsv).

QUANTITY named groups (all prefixed ``qty_`` so the pattern can be embedded):
  qty_prefix  qualifier word before the number (约, 超过 ...), outside qty_core;
  qty_core    the mention as the gold annotates it (number, multiplier, unit, suffix; 前20名; 倒数第二);
  qty_num | qty_lo, qty_hi  the numeral token(s); qty_infix, qty_unit, qty_suffix; qty_rank, qty_per.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, lru_cache

import regex

from ..resources import load_tsv

# Financial and traditional forms are folded to the everyday ones before evaluation.
_FOLD_CN = str.maketrans("壹貳贰參叁肆伍陸陆柒捌玖拾佰仟萬億兩", "一二二三三四五六六七八九十百千万亿两")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL = {"十": 10, "百": 100, "千": 1000}
_BIG = (("亿", 10**8), ("万", 10**4))  # 亿 first: 一万亿 is (一万) x 亿

_CN_D = "零〇一二两三四五六七八九壹贰貳叁參肆伍陆陸柒捌玖兩"
_CN_S = "十拾百佰千仟"
_CN_B = "万萬亿億"
_AD = "0-9０-９"
_S = r"\s{0,4}"  # stray spaces and PDF line breaks between the parts of one figure


def _fold(s: str) -> str:
    """NFKC (full-width digits, ％, ．, （）) plus financial numerals; for parsing only, never for offsets."""
    return unicodedata.normalize("NFKC", s).translate(_FOLD_CN)


def _alt(surfaces) -> str:
    """Alternation of literal surfaces, longest first so 个百分点 wins over 个."""
    return "|".join(regex.escape(s) for s in sorted(set(surfaces), key=lambda s: (-len(s), s)))


@cache
def _units() -> dict[str, tuple[str, Decimal]]:
    """Folded surface -> (base unit, multiplier)."""
    table: dict[str, tuple[str, Decimal]] = {}
    for r in load_tsv("lexicons/units.tsv"):
        entry = (r["unit"], Decimal(r["multiplier"]))
        key = _fold(r["surface"])
        if table.setdefault(key, entry) != entry:
            raise ValueError(f"units.tsv: conflicting rows for {key!r}")
    return table


@cache
def _qualifiers() -> dict[str, dict[str, str]]:
    """position -> folded surface -> qualifier."""
    out: dict[str, dict[str, str]] = {"prefix": {}, "infix": {}, "suffix": {}}
    for r in load_tsv("lexicons/numerals_qualifiers.tsv"):
        out[r["position"]][_fold(r["surface"])] = r["qualifier"]
    return out


def _unit_surfaces() -> list[str]:
    rows = load_tsv("lexicons/units.tsv")
    return [r["surface"] for r in rows] + [_fold(r["surface"]) for r in rows]


def _compound_guard() -> str:
    """Refuse to end a numeral on a character that starts a compound unit (5千瓦 = 5 千瓦, 6.2百分点)."""
    heads = _CN_S + _CN_B
    alts = sorted({(s[0], s[1:]) for s in _unit_surfaces()
                   if s[0] in heads and len(s) > 1 and _units()[_fold(s)][1] == 1})
    return "(?!" + "|".join(f"(?<={regex.escape(h)}){regex.escape(t)}" for h, t in alts) + ")" if alts else ""


def _qualifier_alt(position: str) -> str:
    parts = []
    for r in load_tsv("lexicons/numerals_qualifiers.tsv"):
        if r["position"] != position:
            continue
        s, not_after = r["surface"], (r.get("not_after") or "").strip()
        p = (f"(?<![{regex.escape(not_after)}])" if not_after else "") + regex.escape(s)
        if position == "suffix" and len(s) == 1:
            p += r"(?!\p{Han})"  # 3年多时间: a lone 多/余 after the unit must end the phrase
        parts.append((len(s), p))
    return "|".join(p for _, p in sorted(parts, key=lambda x: -x[0]))


_ARABIC = (rf"(?<![{_AD}.．,A-Za-zＡ-Ｚａ-ｚ])"
           rf"(?>(?:[{_AD}]{{1,3}}(?:,[{_AD}]{{3}})+(?![{_AD}])|[{_AD}]+)(?:[.．][{_AD}]+)?)")
_SEP = "[-－−~～〜—–至到]"  # range separators (1-2个, 3到5年, 1～2个)
_MULT = rf"(?:[十拾百佰千仟]?[万萬][亿億]?|[十拾百佰千仟]?[亿億]|[百佰千仟])"
_CHINESE = (rf"(?<![{_CN_D}{_CN_S}{_CN_B}])(?:[{_CN_D}]|[十拾]|[百佰千仟](?=[万萬亿億]))"
            rf"[{_CN_D}{_CN_S}{_CN_B}]*(?:点[{_CN_D}]+)?")

NUMERAL: str = rf"(?:{_ARABIC}(?:{_S}{_MULT})?|{_CHINESE}){_compound_guard()}"

_UNIT = _alt(_unit_surfaces())
_SUFFIX = _qualifier_alt("suffix")
_RANK = (rf"(?P<qty_rank>(?P<qty_bottom>倒数{_S})?第{_S}(?P<qty_rank_n>{NUMERAL})"
         rf"(?:{_S}[位名]|(?!{_S}(?!的)\p{{Han}}))"  # 第一方阵, 第七届 are not ranks
         rf"|(?P<qty_first>首位)(?!\p{{Han}})"
         rf"|(?P<qty_top>前){_S}(?P<qty_top_n>{NUMERAL}){_S}[名强位])")
_PER = rf"(?P<qty_per>百分之|千分之){_S}(?P<qty_per_n>{NUMERAL})"
_MAIN = (rf"(?<!第{_S})(?:(?=[{_AD}])|(?P<qty_cn>))"
         rf"(?:(?P<qty_lo>{NUMERAL})(?:{_S}(?P<qty_lo_unit>{_UNIT}))?{_S}{_SEP}{_S}"
         rf"(?P<qty_hi>{NUMERAL})(?(qty_lo_unit)(?={_S}(?P=qty_lo_unit)))|(?P<qty_num>{NUMERAL}))"
         rf"(?:{_S}(?P<qty_infix>{_qualifier_alt('infix')}))?"
         rf"(?:{_S}(?P<qty_unit>{_UNIT})(?:{_S}[（(]\p{{Han}}{{1,2}}[)）])?)?"
         # without a unit: 5 月, 1-5月, 28 日 are dates; 5G, 2.5.1 are names
         rf"(?(qty_unit)|(?!{_S}(?:[月日号时]|{_SEP}{_S}[{_AD}])|[A-Za-zＡ-Ｚａ-ｚ]|[.．,][{_AD}]))")
# A Chinese numeral alone is too often a word (千万 "by all means", 一是); it needs a unit or a qualifier.
QUANTITY: str = (rf"(?:(?P<qty_prefix>{_qualifier_alt('prefix')}){_S})?"
                 rf"(?P<qty_core>(?:{_RANK}|{_PER}|{_MAIN})(?:{_S}(?P<qty_suffix>{_SUFFIX}))?)"
                 rf"(?(qty_cn)(?(qty_unit)|(?(qty_infix)|(?(qty_suffix)|(?!)))))")


@cache
def _numeral_re() -> regex.Pattern:
    return regex.compile(NUMERAL)


@cache
def _quantity_re() -> regex.Pattern:
    return regex.compile(QUANTITY)


def _clean(v: Decimal) -> Decimal:
    """Canonical form: integers without exponent or trailing zeros (10900, not 10900.00 or 1.09E+4)."""
    return v.quantize(Decimal(1)) if v == v.to_integral_value() else v.normalize()


def _below_wan(s: str) -> int:
    """一百零五, 三千五(百), 十二: a section below 万."""
    total, num, last, zero = 0, None, None, False
    for c in s:
        if c in ("零", "〇"):
            zero = True
        elif c in _DIGITS:
            if num is not None:
                raise ValueError(f"malformed Chinese numeral {s!r}")
            num = _DIGITS[c]
        elif c in _SMALL:
            u = _SMALL[c]
            if last is not None and u >= last:
                raise ValueError(f"malformed Chinese numeral {s!r}")
            total += (1 if num is None else num) * u
            num, last, zero = None, u, False
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    if num is not None:  # 三千五 is 3500: a last digit right after a unit counts one place lower
        total += num * (last // 10) if last and not zero else num
    return total


def _cn_int(s: str) -> int:
    """Integer value with implied one (千万 = 1e7, 百亿 = 1e10, 一万亿 = 1e12, 一万二 = 12000)."""
    for big, mult in _BIG:
        if big in s:
            hi, _, lo = s.partition(big)
            head = _cn_int(hi) if hi else 1
            if len(lo) == 1 and lo in _DIGITS and lo not in "零〇":
                tail = _DIGITS[lo] * mult // 10
            else:
                rest = lo.lstrip("零〇")
                tail = _cn_int(rest) if rest else 0
            if tail >= mult:
                raise ValueError(f"malformed Chinese numeral {s!r}")
            return head * mult + tail
    return _below_wan(s)


def _cn_value(s: str) -> Decimal:
    if "点" in s:
        whole, _, frac = s.partition("点")
        if not frac or any(c not in _DIGITS for c in frac):
            raise ValueError(f"malformed Chinese decimal {s!r}")
        return Decimal(f"{_cn_int(whole) if whole else 0}." + "".join(str(_DIGITS[c]) for c in frac))
    if s and all(c in _DIGITS for c in s):  # 二〇二〇 is read digit by digit
        return Decimal("".join(str(_DIGITS[c]) for c in s))
    return Decimal(_cn_int(s))


_SPACE = regex.compile(r"\s+")
_ARABIC_RX = regex.compile(r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?")


def _split(token: str) -> tuple[Decimal, Decimal]:
    """(base, multiplier) of a numeral token: 1.09万 -> (1.09, 10000); Chinese tokens carry multiplier 1."""
    t = _SPACE.sub("", _fold(token))
    m = _ARABIC_RX.match(t)
    if m is None:
        return _cn_value(t), Decimal(1)
    rest = t[m.end():]
    if any(c not in "十百千万亿" for c in rest):
        raise ValueError(f"bad multiplier in {token!r}")
    return Decimal(m.group().replace(",", "")), Decimal(_cn_int(rest)) if rest else Decimal(1)


def to_decimal(s: str) -> Decimal:
    """Exact value of one numeral token (as NUMERAL matches it). Raises ValueError."""
    t = _fold(s).strip()
    if t == "半":
        return Decimal("0.5")
    if not t or _numeral_re().fullmatch(t) is None:
        raise ValueError(f"not a numeral: {s!r}")
    base, mult = _split(t)
    return _clean(base * mult)


@dataclass(frozen=True)
class Quantity:
    value: Decimal            # in base units, multipliers folded in
    unit: str                 # base unit or measure word as written; "" when none
    qualifier: str = "="      # = >= > <= < ~ range from_bottom
    value_max: Decimal | None = None  # upper bound when qualifier == "range"


def _pair(token: str) -> tuple[int, int] | None:
    """两三, 七八, 三四十, 两三万: two neighbouring digits state an approximate range, not 23 or 78."""
    t = _fold(token).strip()
    if len(t) >= 2 and all(c in _DIGITS and c not in "零〇" for c in t[:2]) and all(c in "十百千万亿" for c in t[2:]):
        a, b = _DIGITS[t[0]], _DIGITS[t[1]]
        scale = _cn_int(t[2:]) if t[2:] else 1
        return (a * scale, b * scale) if b == a + 1 else None
    return None


@lru_cache(maxsize=1 << 16)
def quantity_or_none(mention: str) -> Quantity | None:
    """parse_quantity(mention), None where it raises; memoised across documents. The same mentions recur
    (16,800 distinct among the 45,500 of the 120 real texts: 11.4%, 10万元, 第一) and the answer is a pure
    function of the mention, an immutable Quantity (a test compares with parse_quantity)."""
    try:
        return parse_quantity(mention)
    except ValueError:
        return None


def parse_quantity(mention: str) -> Quantity:
    """Parse a whole figure mention (what QUANTITY matches). Magnitudes only: signs are context."""
    text = _fold(mention).strip()
    m = _quantity_re().fullmatch(text) if text else None
    if m is None:
        if text.startswith("前") and len(text) > 1:  # 前100户规上工业企业: a group defined by rank is a count
            return parse_quantity(text[1:])
        raise ValueError(f"no quantity in {mention!r}")
    quals = _qualifiers()
    qualifier = "="
    for pos in ("infix", "suffix", "prefix"):  # the explicit bound word before the number wins
        if m.group(f"qty_{pos}"):
            qualifier = quals[pos][m.group(f"qty_{pos}")]
    if m.group("qty_rank"):
        if m.group("qty_first"):
            return Quantity(Decimal(1), "位")
        if m.group("qty_top"):
            return Quantity(to_decimal(m.group("qty_top_n")), "位", "<=")
        return Quantity(to_decimal(m.group("qty_rank_n")), "位", "from_bottom" if m.group("qty_bottom") else "=")
    if m.group("qty_per"):
        return Quantity(to_decimal(m.group("qty_per_n")), "%" if m.group("qty_per") == "百分之" else "‰", qualifier)
    unit, mult = _units()[m.group("qty_unit")] if m.group("qty_unit") else ("", Decimal(1))
    if m.group("qty_lo"):
        lo, lo_mult = _split(m.group("qty_lo"))
        hi, hi_mult = _split(m.group("qty_hi"))
        if lo_mult == 1 and hi_mult != 1:  # 5-10亿元: the multiplier is written once for both ends
            lo_mult = hi_mult
        return Quantity(_clean(lo * lo_mult * mult), unit, "range", _clean(hi * hi_mult * mult))
    if pair := _pair(m.group("qty_num")):
        return Quantity(_clean(pair[0] * mult), unit, "range", _clean(pair[1] * mult))
    return Quantity(_clean(to_decimal(m.group("qty_num")) * mult), unit, qualifier)
