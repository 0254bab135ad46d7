"""Places and scopes from an administrative-division dataset.

The divisions come from cpca's packaged adcodes.csv (a maintained package, not
a hand list), with a dated overrides lexicon for changes it does not know
(旬阳县 -> 旬阳市, 2021). Development zones (高新区, 示范区 ...) are found by
suffix, since no dataset lists them.

A text's own jurisdiction (the scope of 全市/我市, and of 全州/我州, 全盟/我盟 for
a prefecture or league) is read from its header, title or front matter first,
by full name or by the short forms texts use (恩施州 for 恩施土家族苗族自治州:
the place before the ethnic names, plus 州), and only then from the body.
Suffixes of division names are one lexicon (lexicons/place_suffixes.tsv, read
by place_suffixes() here and by the entity rules); the zone pattern and the
scope rules are in rules/places.toml.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
import importlib.util
from pathlib import Path

import regex

from ..resources import any_word, char_class, load_toml, load_tsv, punctuation


@cache
def place_suffixes(use: str) -> tuple[str, ...]:
    """The suffixes of division names marked for one use in lexicons/place_suffixes.tsv (place_word,
    upper_prefix, short_name, written_after), in the lexicon's order: the first that fits is cut."""
    return tuple(r["suffix"] for r in load_tsv("lexicons/place_suffixes.tsv") if r[use] == "1")


@cache
def _rules() -> dict:
    """places.toml compiled: the zone pattern, what may not follow a county suffix, non-scope words."""
    raw = load_toml("rules/places.toml")
    return {"zone": regex.compile(raw["zone"]["pattern"]),
            "suffix_not_before": raw["county_written"]["not_before"],
            "not_scope_after": tuple(raw["not_scope_after"]["words"]),
            "in_list": regex.compile(char_class(punctuation("enumeration")))}


@dataclass(frozen=True)
class Division:
    adcode: str
    name: str

    @property
    def level(self) -> str:
        if self.adcode[2:] == "0" * 10:
            return "province"
        if self.adcode[4:] == "0" * 8:
            return "city"
        return "county"


@cache
def divisions() -> tuple[Division, ...]:
    # cpca runs heavy set-up (and needs pkg_resources) when imported: read its data file without importing it.
    spec = importlib.util.find_spec("cpca")
    text = (Path(spec.origin).parent / "resources" / "adcodes.csv").read_text(encoding="utf-8")
    out = [Division(r["adcode"], r["name"]) for r in csv.DictReader(io.StringIO(text))
           if not r["name"].endswith("辖区") and r["name"] != "县"]
    for o in load_tsv("lexicons/places_overrides.tsv"):
        out.append(Division(o["adcode"], o["name"]))
    return tuple(out)


@cache
def _by_name() -> dict[str, Division]:
    return {d.name: d for d in divisions()}


@cache
def _cities() -> dict[str, Division]:
    return {d.name: d for d in divisions() if d.level == "city"}


@cache
def province_of(city: str | None) -> str | None:
    d = _by_name().get(city or "")
    if not d:
        return None
    prov = next((p for p in divisions() if p.adcode == d.adcode[:2] + "0" * 10), None)
    return prov.name if prov else None


@cache
def _autonomous() -> regex.Pattern:
    """自治州/自治县/自治区 names: the place, then its ethnic groups (族 sometimes left out: 伊犁哈萨克自治州;
    none at all in 西藏自治区)."""
    groups = sorted((r["name"] for r in load_tsv("lexicons/ethnic_groups.tsv")), key=len, reverse=True)
    eth = "|".join(regex.escape(g) for g in groups)
    return regex.compile(rf"(?P<place>\p{{Han}}{{2,}}?)(?:(?:{eth})族?)*(?P<kind>自治州|自治县|自治区)")


def _short(name: str) -> str:
    """The name without its administrative suffix: 汉中市 -> 汉中, 恩施土家族苗族自治州 -> 恩施."""
    if name.endswith(("自治州", "自治县", "自治区")) and (m := _autonomous().fullmatch(name)):
        return m["place"]
    for suf in place_suffixes("short_name"):
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    return name


@cache
def _city_short_forms() -> dict[str, str]:
    """Short forms a text writes for a prefecture-level division in its own title or header, -> full name:
    恩施州 (自治州: the place plus 州). Only forms no other prefecture-level division shares."""
    forms: dict[str, list[str]] = {}
    for name in _cities():
        if name.endswith("自治州") and (place := _short(name)) != name:
            forms.setdefault(place + "州", []).append(name)
    return {f: names[0] for f, names in forms.items() if len(names) == 1 and f not in _cities()}


@cache
def counties_of(city: str) -> dict[str, str]:
    """Surface (full and unambiguous short name) -> full county name, for one city."""
    d = _by_name().get(city)
    if not d:
        return {}
    out: dict[str, str] = {}
    shorts: dict[str, list[str]] = {}
    for c in _counties_by_city().get(d.adcode[:4], ()):
        out[c.name] = c.name
        shorts.setdefault(_short(c.name), []).append(c.name)
    renamed = {(o["replaces"], o["name"]) for o in load_tsv("lexicons/places_overrides.tsv")}
    for s, names in shorts.items():
        if len(names) == 2 and (tuple(sorted(names)) in renamed or tuple(sorted(names, reverse=True)) in renamed):
            names = names[:1]  # one place under its old and new name; county_name() picks by date
        if len(names) == 1 and s not in out:
            out[s] = names[0]
    return out


@cache
def _counties_by_city() -> dict[str, list[Division]]:
    """The counties of each prefecture (the first four digits of their adcode), in the dataset's order: a
    corpus of a hundred cities asked for each one's counties, and each ask walked all 3,000 divisions."""
    out: dict[str, list[Division]] = {}
    for c in divisions():
        if c.level == "county":
            out.setdefault(c.adcode[:4], []).append(c)
    return out


def county_name(name: str, city: str, on: date | None) -> str:
    """Full name as valid on a date: 旬阳县 before 2021, 旬阳市 after."""
    for o in load_tsv("lexicons/places_overrides.tsv"):
        if name in (o["name"], o["replaces"]) and o["valid_from"]:
            if on and on >= date.fromisoformat(o["valid_from"]):
                return o["name"]
            return o["replaces"] or name
    return name


_OWN_CITY = ("全市", "我市", "市委", "市政府")
# what a text calls its own jurisdiction when that is not a city: the names it may then be among
_OWN_OTHER = (("州", ("全州", "我州", "州委", "州政府")), ("盟", ("全盟", "我盟", "盟委")),
              ("省", ("全省", "我省", "省委", "省政府")), ("自治区", ("全区", "我区", "自治区党委", "自治区政府")))
_NATIONAL = ("中华人民共和国", "国家统计局", "国务院")


def _named(text: str, names) -> str | None:
    """The name of `names` written first in text (the longest at one position)."""
    best = None
    for name in names:
        i = text.find(name)
        if i >= 0 and (best is None or (i, -len(name)) < (best[0], -len(best[1]))):
            best = (i, name)
    return best[1] if best else None


def infer_city(issuer_place: str | None, title: str, body: str, header: str = "") -> str | None:
    """The text's own jurisdiction.

    In order: the issuing office's place, the title, the other header lines (the meeting line
    ——…在恩施土家族苗族自治州第…会议上, the speaker's 汉中市代市长), each by full name, then by the short
    form of a prefecture (恩施州), then by a short name the title starts with (汉中政府工作报告); a
    province or the whole country when those name no prefecture-level division but a province (在安徽省…
    会议上) or the state (国家统计局); else the division named most in the body, counting short names
    too (a prefecture is named 恩施 far more often than the provincial capital it mentions), among
    prefectures when the text speaks of 全州/我州 more than of 全市/我市 (leagues, provinces and
    autonomous regions likewise: 全盟, 全省, 全区).
    """
    cities = _cities()
    short_forms = _city_short_forms()
    texts = [t for t in (issuer_place or "", title, header) if t]
    for text in texts:
        if name := _named(text, cities):
            return name
        if form := _named(text, short_forms):
            return short_forms[form]
        for name in cities:
            if len(_short(name)) >= 2 and text.startswith(_short(name)):
                return name
    for text in texts:
        if name := _named(text, _provinces()):
            return name
        if any(w in text for w in _NATIONAL):
            return "全国"
    own = sum(body.count(w) for w in _OWN_CITY)
    kind, n_kind = max(((suf, sum(body.count(w) for w in words)) for suf, words in _OWN_OTHER), key=lambda x: x[1])
    pool = cities
    if n_kind > own:
        pool = {n: d for n, d in (_provinces() if kind in ("省", "自治区") else cities).items() if n.endswith(kind)}
    counts = {}
    for name in pool:
        s = _short(name)
        n = body.count(s) if len(s) >= 2 else body.count(name)
        if n:
            counts[name] = n
    if not counts:
        return None
    return max(sorted(counts), key=counts.get)


@cache
def _provinces() -> dict[str, Division]:
    return {d.name: d for d in divisions() if d.level == "province"}


def zones(text: str) -> list[str]:
    return [m.group() for m in _rules()["zone"].finditer(text)]


@cache
def _scope_words() -> list[tuple[str, str]]:
    """(surface, scope or a role: @national @province @city), longest first, from the lexicon."""
    rows = [(r["surface"], r["scope"]) for r in load_tsv("lexicons/scope_groups.tsv")]
    return sorted(rows, key=lambda x: -len(x[0]))


@cache
def _any_scope_word():
    """Every scope word as one pattern (re: literals, searched in C): most stretches before a figure hold
    none, and scope_in then skips its look for each."""
    return any_word(s for s, _ in _scope_words())


def _suffix_len(text: str, end: int) -> int:
    """1 when the county suffix is written at text[end] (南郑|区) and no office follows it (县长, 区委), else 0."""
    if end < len(text) and text[end] in _suffix_chars():
        return 0 if end + 1 < len(text) and text[end + 1] in _rules()["suffix_not_before"] else 1
    return 0


@cache
def _suffix_chars() -> frozenset[str]:
    return frozenset("".join(place_suffixes("written_after")))


def _county_spans(surface: str, text: str):
    """(start, end) of each occurrence of a county's surface, left to right and not overlapping, with the
    county suffix written after it taken in (see _suffix_len)."""
    i = text.find(surface)
    while i >= 0:
        end = i + len(surface)
        end += _suffix_len(text, end)
        yield i, end
        i = text.find(surface, end)


@lru_cache(maxsize=64)
def _leading_table(city: str | None) -> dict[str, tuple[tuple[str, bool], ...]]:
    """First character -> (surface, takes a county suffix) of every place that may open a phrase in a text
    of this city, longest first: scope words, the city's names, its counties. A lookup per character, where
    one regex alternation per city cost a compilation per city (a corpus of many cities paid it for each)."""
    names = {s: False for s, _ in _scope_words()}
    if city:
        names.update({city: False, _short(city): False})
        for c in counties_of(city):
            names[c] = True
    table: dict[str, list[tuple[str, bool]]] = {}
    for s in sorted((s for s in names if s), key=lambda s: (-len(s), s)):
        table.setdefault(s[0], []).append((s, names[s]))
    return {k: tuple(v) for k, v in table.items()}


@cache
def _trailing_rx() -> regex.Pattern:
    return regex.compile("(?:" + "|".join(regex.escape(s) for s, _ in _scope_words()) + ")$")


def leading_place(text: str, city: str | None, on: date | None = None) -> int:
    """The length of the place that opens a text (全市, 夷陵区, 宜昌, 县域工业集中区, 宜昌高新区), 0 if none:
    before a figure the place is its scope, not part of what it measures."""
    best = 0
    for surface, county in _leading_table(city).get(text[:1], ()):
        if text.startswith(surface):
            best = len(surface) + (_suffix_len(text, len(surface)) if county else 0)
            break
    if z := _rules()["zone"].match(text):
        best = max(best, z.end())
    return best


def trailing_place(text: str) -> int:
    """The length of the scope word that ends a text (仅占全市|520户, 位列全省|11个): the scope of what
    follows. Place names are left alone there (文明宜昌|12项行动 names its campaign)."""
    m = _trailing_rx().search(text)
    return len(m[0]) if m and m.start() > 0 else 0


def scope_in(text: str, city: str | None, on: date | None = None) -> str | None:
    """The last scope named in a stretch of text (nearest to what follows it).

    Places inside an enumeration (北京、雄安新区、昆山等地; 汉滨、汉阴…7县区) are not
    one figure's scope, so a name touching 、 is passed over.
    """
    found: list[tuple[int, int, str]] = []  # (start, -length, scope)
    r = _rules()
    in_list, not_after = r["in_list"], r["not_scope_after"]

    def see(start: int, surface: str, value: str | None):
        if not value or start < 0:
            return
        end = start + len(surface)
        listed = (start > 0 and in_list.match(text, start - 1)) or in_list.match(text, end)
        if listed or text.startswith(not_after, end):
            return  # in a list of places, or 全国各地 (from everywhere): not the figure's scope
        found.append((start, -len(surface), value))

    prov = province_of(city)
    roles = {"@national": "全国", "@province": prov, "@city": city}
    for surface, scope in _scope_words() if _any_scope_word().search(text) else ():
        i = text.find(surface)
        while i >= 0:
            see(i, surface, roles.get(scope, scope))
            i = text.find(surface, i + len(surface))
    if city:
        written = place_suffixes("written_after")
        for surface, full in counties_of(city).items():
            if surface not in text:
                continue
            for a, b in _county_spans(surface, text):
                written_as = text[a:b]
                if b > a + len(surface) and surface == full[: len(surface)] and not surface.endswith(written):
                    # written with its own suffix (南郑区 after the dataset's 南郑县): keep it as written
                    see(a, written_as, written_as if written_as != full else county_name(full, city, on))
                else:
                    see(a, surface, county_name(full, city, on))
    for m in r["zone"].finditer(text):
        see(m.start(), m.group(), m.group())
    if not found:
        return None
    # the last place named; at one position the longest name (县域工业集中区 over 工业集中区)
    start, _, scope = max(found, key=lambda x: (x[0], -x[1]))
    covering = [f for f in found if f[0] <= start < f[0] - f[1] and f[1] < _]
    return covering[0][2] if covering else scope
