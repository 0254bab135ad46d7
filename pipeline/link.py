"""Corpus stages: canonical entities, figure series across speeches, targets vs actuals.

Figures are blocked on cheap keys (scope, period, kind, unit family), then
compared on their indicators (lexicon canonical form, then a similarity
measure) — so no pair is ever made across periods, scopes or unit families.
"""
from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date
from decimal import Decimal

from .model import EntityRow, FigureRow, HistoryRow, MentionRow, TargetActualRow
from .normalise.indicators import indicator_key, similar
from .normalise.units import unit_family


def _hid(prefix: str, *parts) -> str:
    return prefix + hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:10]


# ---------------------------------------------------------------- entities
def link_entities(results) -> tuple[list[MentionRow], list[EntityRow]]:
    """Merge mention names into entities: equal names, or a name that extends another (安贝斯玩具 -> 安贝斯)."""
    mentions = [m for r in results for m in r.mentions]
    dates = {r.document.doc_id: r.document.speech_date for r in results}
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    for m in mentions:
        names[(m.type, m.name or m.mention)].add(m.mention)
    canon: dict[tuple[str, str], str] = {}
    by_type: dict[str, list[str]] = defaultdict(list)
    for typ, name in sorted(names):
        by_type[typ].append(name)
    for typ, lst in by_type.items():
        lst.sort(key=lambda s: (len(s), s))
        for name in lst:
            root = next((c for c in lst if len(c) < len(name) and len(c) >= 2 and name.startswith(c)
                         and canon.get((typ, c)) == c), name)
            canon[(typ, name)] = root
    ents: dict[str, dict] = {}
    out_mentions = []
    for m in mentions:
        name = canon[(m.type, m.name or m.mention)]
        eid = _hid("E", m.type, name)
        e = ents.setdefault(eid, {"type": m.type, "name": name, "aliases": set(), "docs": set()})
        e["aliases"].update({m.mention.replace(" ", "").replace("\n", ""), m.name or ""} - {"", name})
        e["docs"].add(m.doc_id)
        out_mentions.append(MentionRow(m.mention_id, m.doc_id, m.start, m.end, m.mention, m.type, eid, m.method,
                                       m.name))
    enterprise_names = sorted(((e["name"], eid) for eid, e in ents.items() if e["type"] == "enterprise"),
                              key=lambda x: -len(x[0]))
    rows = []
    for eid, e in sorted(ents.items()):
        owner = None
        if e["type"] == "project":
            owner = next((oid for n, oid in enterprise_names if len(n) >= 2 and e["name"].startswith(n)), None)
        seen = sorted(d for d in (dates.get(x) for x in e["docs"]) if d)
        rows.append(EntityRow(eid, e["type"], e["name"], sorted(e["aliases"]), owner, len(e["docs"]),
                              seen[0] if seen else None, seen[-1] if seen else None))
    return out_mentions, rows


# ---------------------------------------------------------------- figure series
def _block(f: FigureRow) -> tuple:
    return (f.scope or "", f.period or "", f.kind, unit_family(f.unit))


def series_of(figures: list[FigureRow], docs: dict) -> dict[str, list[FigureRow]]:
    """series_id -> the figures of one (indicator, scope, period, kind) across documents."""
    blocks: dict[tuple, list[FigureRow]] = defaultdict(list)
    for f in figures:
        if f.indicator and f.kind in ("actual", "target", "forecast", "rank"):
            blocks[_block(f)].append(f)
    out: dict[str, list[FigureRow]] = {}
    for key, figs in sorted(blocks.items()):
        if len({f.doc_id for f in figs}) < 2:
            continue
        # union-find over figures of different documents with matching indicators
        parent = list(range(len(figs)))

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        keys = [indicator_key(f.indicator) for f in figs]
        for i in range(len(figs)):
            for j in range(i + 1, len(figs)):
                if figs[i].doc_id != figs[j].doc_id and similar(keys[i], keys[j]):
                    parent[find(i)] = find(j)
        groups: dict[int, list[FigureRow]] = defaultdict(list)
        for i, f in enumerate(figs):
            groups[find(i)].append(f)
        for g in groups.values():
            if len({f.doc_id for f in g}) < 2:
                continue
            ind = min((indicator_key(f.indicator) for f in g), key=lambda s: (len(s), s))
            out[_hid("S", ind, *key)] = g
    return out


def figure_history(figures: list[FigureRow], docs: dict) -> list[HistoryRow]:
    rows = []
    for sid, group in series_of(figures, docs).items():
        # the first statement of each speech represents it
        firsts: dict[str, FigureRow] = {}
        for f in sorted(group, key=lambda f: (f.doc_id, f.start)):
            firsts.setdefault(f.doc_id, f)
        ordered = sorted(firsts.values(), key=lambda f: (docs[f.doc_id].speech_date or date.min, f.doc_id))
        ind = min((indicator_key(f.indicator) for f in group), key=lambda s: (len(s), s))
        prev = None
        for f in ordered:
            d = docs[f.doc_id].speech_date
            if prev is None:
                status, pv, pq, delta, pid = "first", None, None, None, None
            else:
                same = f.value == prev.value and unit_family(f.unit) == unit_family(prev.unit)
                status = "restated" if same else "changed"
                pv, pq, pid, delta = prev.value, prev.qualifier, prev.figure_id, f.value - prev.value
            rows.append(HistoryRow(sid, ind, f.scope, f.period, f.kind, f.unit, f.doc_id, d, f.figure_id, f.value,
                                   f.qualifier, status, pid, pv, pq, delta, f.start))
            if prev is None or (docs[prev.doc_id].speech_date or date.min) <= (d or date.min):
                prev = f
    return rows


# ---------------------------------------------------------------- targets vs actuals
def period_bounds(p: str | None) -> tuple[date, date] | None:
    """Inclusive date bounds of a GUIDE period string."""
    import calendar

    if not p:
        return None

    def one(s: str, end: bool) -> date:
        parts = [int(x) for x in s.split("-")]
        if len(parts) == 1:
            return date(parts[0], 12, 31) if end else date(parts[0], 1, 1)
        if len(parts) == 2:
            return date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1] if end else 1)
        return date(*parts)

    try:
        a, _, b = p.partition("/")
        return one(a, False), one(b or a, True)
    except (ValueError, TypeError):
        return None


def _satisfies(actual: Decimal, target: FigureRow) -> bool:
    q, v = target.qualifier, target.value
    if q == "range" and target.value_max is not None:
        return actual >= v
    if q in ("<=", "<"):
        return actual <= v if q == "<=" else actual < v
    if q == ">":
        return actual > v
    if q == "~":
        return actual >= v * Decimal("0.95")
    return actual >= v


def targets_vs_actuals(figures: list[FigureRow], docs: dict) -> list[TargetActualRow]:
    rows = []
    targets = [f for f in figures if f.kind == "target" and f.indicator]
    actuals = [f for f in figures if f.kind == "actual" and f.indicator]
    for t in targets:
        tb, td = period_bounds(t.period), docs[t.doc_id].speech_date
        if not tb or not td:
            continue
        tk = indicator_key(t.indicator)
        for a in actuals:
            ad = docs[a.doc_id].speech_date
            ab = period_bounds(a.period)
            if (not ad or ad <= td or not ab or a.scope != t.scope or unit_family(a.unit) != unit_family(t.unit)
                    or ab[1] < tb[0] or ab[0] > tb[1] or not similar(tk, indicator_key(a.indicator))):
                continue
            share = (a.value / t.value).quantize(Decimal("0.0001")) if t.value else None
            if _satisfies(a.value, t):
                outcome = "met"
            elif ab[1] < tb[1]:
                outcome = "partial"
            else:
                outcome = "not_met"
            rows.append(TargetActualRow(t.figure_id, a.figure_id, tk, t.scope, t.period, a.period, t.value,
                                        t.qualifier, a.value, outcome, share))
    return rows
