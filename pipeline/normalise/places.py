"""Places and scopes from an administrative-division dataset.

The divisions come from cpca's packaged adcodes.csv (a maintained package, not
a hand list), with a dated overrides lexicon for changes it does not know
(旬阳县 -> 旬阳市, 2021). Development zones (高新区, 示范区 ...) are found by
suffix, since no dataset lists them.
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

from ..resources import load_tsv

_ZONE = regex.compile(r"\p{Han}{2,4}?(?:高新技术产业开发区|经济技术开发区|高新区|经开区|示范区|开发区|新区)(?!域)")


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


def _short(name: str) -> str:
    for suf in ("自治县", "自治州", "地区", "市", "县", "区", "州", "盟"):
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    return name


@cache
def counties_of(city: str) -> dict[str, str]:
    """Surface (full and unambiguous short name) -> full county name, for one city."""
    d = _by_name().get(city)
    if not d:
        return {}
    out: dict[str, str] = {}
    shorts: dict[str, list[str]] = {}
    for c in divisions():
        if c.level == "county" and c.adcode[:4] == d.adcode[:4]:
            out[c.name] = c.name
            shorts.setdefault(_short(c.name), []).append(c.name)
    renamed = {(o["replaces"], o["name"]) for o in load_tsv("lexicons/places_overrides.tsv")}
    for s, names in shorts.items():
        if len(names) == 2 and (tuple(sorted(names)) in renamed or tuple(sorted(names, reverse=True)) in renamed):
            names = names[:1]  # one place under its old and new name; county_name() picks by date
        if len(names) == 1 and s not in out:
            out[s] = names[0]
    return out


def county_name(name: str, city: str, on: date | None) -> str:
    """Full name as valid on a date: 旬阳县 before 2021, 旬阳市 after."""
    for o in load_tsv("lexicons/places_overrides.tsv"):
        if name in (o["name"], o["replaces"]) and o["valid_from"]:
            if on and on >= date.fromisoformat(o["valid_from"]):
                return o["name"]
            return o["replaces"] or name
    return name


def infer_city(issuer_place: str | None, title: str, body: str) -> str | None:
    """The bulletin's own city: issuer, else title, else the city named most in the body."""
    cities = _cities()
    for text in (issuer_place or "", title):
        for name in cities:
            if name in text or (len(_short(name)) >= 2 and text.startswith(_short(name))):
                return name
    counts = {}
    for name in cities:
        s = _short(name)
        n = body.count(s) if len(s) >= 2 else body.count(name)
        if n:
            counts[name] = n
    if not counts:
        return None
    return max(sorted(counts), key=counts.get)


def zones(text: str) -> list[str]:
    return [m.group() for m in _ZONE.finditer(text)]


@cache
def _scope_words() -> list[tuple[str, str]]:
    """(surface, scope or a role: @national @province @city), longest first, from the lexicon."""
    rows = [(r["surface"], r["scope"]) for r in load_tsv("lexicons/scope_groups.tsv")]
    return sorted(rows, key=lambda x: -len(x[0]))


_IN_LIST = regex.compile(r"[、]")


@lru_cache(maxsize=4096)
def _county_rx(surface: str) -> regex.Pattern:
    return regex.compile(regex.escape(surface) + r"(?P<suffix>[县区市](?![长委政]))?")


def scope_in(text: str, city: str | None, on: date | None = None) -> str | None:
    """The last scope named in a stretch of text (nearest to what follows it).

    Places inside an enumeration (北京、雄安新区、昆山等地; 汉滨、汉阴…7县区) are not
    one figure's scope, so a name touching 、 is passed over.
    """
    found: list[tuple[int, int, str]] = []  # (start, -length, scope)

    def see(start: int, surface: str, value: str | None):
        if not value or start < 0:
            return
        end = start + len(surface)
        if (start > 0 and _IN_LIST.match(text, start - 1)) or _IN_LIST.match(text, end) or text.startswith("各地", end):
            return  # in a list of places, or 全国各地 (from everywhere): not the figure's scope
        found.append((start, -len(surface), value))

    prov = province_of(city)
    roles = {"@national": "全国", "@province": prov, "@city": city}
    for surface, scope in _scope_words():
        i = text.find(surface)
        while i >= 0:
            see(i, surface, roles.get(scope, scope))
            i = text.find(surface, i + len(surface))
    if city:
        for surface, full in counties_of(city).items():
            if surface not in text:
                continue
            for m in _county_rx(surface).finditer(text):
                if m["suffix"] and surface == full[: len(surface)] and not surface.endswith(("县", "区", "市")):
                    # written with its own suffix (南郑区 after the dataset's 南郑县): keep it as written
                    see(m.start(), m.group(), m.group() if m.group() != full else county_name(full, city, on))
                else:
                    see(m.start(), surface, county_name(full, city, on))
    for m in _ZONE.finditer(text):
        see(m.start(), m.group(), m.group())
    if not found:
        return None
    # the last place named; at one position the longest name (县域工业集中区 over 工业集中区)
    start, _, scope = max(found, key=lambda x: (x[0], -x[1]))
    covering = [f for f in found if f[0] <= start < f[0] - f[1] and f[1] < _]
    return covering[0][2] if covering else scope
