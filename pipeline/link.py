"""Corpus stages: figure series across speeches, and targets vs actuals.

Figures are blocked on cheap keys (scope, period, kind, unit family), then
compared on their indicators (lexicon canonical form, then a similarity
measure) — so no pair is ever made across periods, scopes or unit families.
"""
from __future__ import annotations

import hashlib
from bisect import bisect_right
from collections import defaultdict
from datetime import date
from decimal import Decimal
from functools import cache

from .model import FigureRow, HistoryRow, TargetActualRow, TargetRow
from .normalise.indicators import indicator_key, similar, similar_among, similar_lengths
from .normalise.periods import period_bounds
from .normalise.units import unit_family
from .resources import load_toml


def _hid(prefix: str, *parts) -> str:
    return prefix + hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:10]


# ---------------------------------------------------------------- figure series
def target_id(f: FigureRow) -> str:
    """A target's id: from its document and start, like every other fact's id."""
    return f"{f.doc_id}-t{f.start:06d}"


def targets_of(figures: list[FigureRow]) -> list[TargetRow]:
    """The targets.csv rows: every figure of kind target, with its commitment."""
    return [TargetRow(target_id(f), f.figure_id, f.doc_id, f.start, f.end, f.mention, f.value, f.value_max,
                      f.unit, f.qualifier, f.indicator, f.scope, f.period, f.commitment, f.sentence)
            for f in figures if f.kind == "target"]


@cache
def _max_ratio(rule: str) -> Decimal:

    return Decimal(str(load_toml("rules/linking.toml")[rule]["max_ratio"]))


def _comparable(a: Decimal, b: Decimal, rule: str = "value_ratio") -> bool:
    """Values close enough to be one figure restated, revised or reached: within max_ratio."""
    ratio = _max_ratio(rule)
    a, b = abs(a), abs(b)
    if a == 0 or b == 0:
        return a == b
    return max(a, b) / min(a, b) <= ratio


def _block(f: FigureRow) -> tuple:
    return (f.scope or "", f.period or "", f.kind, unit_family(f.unit))


def series_of(figures: list[FigureRow], docs: dict) -> dict[str, list[FigureRow]]:
    """series_id -> the figures of one (indicator, scope, period, kind) across documents."""
    blocks: dict[tuple, list[FigureRow]] = defaultdict(list)
    for f in figures:
        if f.indicator and f.kind in ("actual", "target", "forecast", "rank"):
            blocks[_block(f)].append(f)
    out: dict[str, list[FigureRow]] = {}
    ratio = _max_ratio("value_ratio")
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
        doc = [f.doc_id for f in figs]
        size = [abs(f.value) for f in figs]
        # pairs in order of size: once a value is too far from figs[i]'s, so is every larger one
        # (_comparable, inlined: this loop meets every pair of a block's comparable values)
        order = sorted(range(len(figs)), key=size.__getitem__)
        for x, i in enumerate(order):
            vi, di, ki = size[i], doc[i], keys[i]
            for j in order[x + 1:]:
                vj = size[j]
                if (vj != vi) if vi == 0 else vj / vi > ratio:
                    break
                if doc[j] != di and similar(ki, keys[j]):
                    parent[find(i)] = find(j)
        groups: dict[int, list[FigureRow]] = defaultdict(list)
        for i, f in enumerate(figs):
            groups[find(i)].append(f)
        for g in groups.values():
            if len({f.doc_id for f in g}) < 2:
                continue
            ind = min((indicator_key(f.indicator) for f in g), key=lambda s: (len(s), s))
            sid, n = _hid("S", ind, *key), 0
            while sid in out:  # one key, values too far apart to be one figure (5 vs 100 projects): two series
                n += 1
                sid = _hid("S", ind, *key, min(abs(f.value) for f in g), *([n] if n > 1 else []))
            out[sid] = g
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
                                   f.qualifier, status, pid, pv, pq, delta, f.start, docs[f.doc_id].doc_kind))
            if prev is None or (docs[prev.doc_id].speech_date or date.min) <= (d or date.min):
                prev = f
    return rows


# ---------------------------------------------------------------- targets vs actuals
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


def targets_vs_actuals(figures: list[FigureRow], docs: dict,
                       known: tuple[frozenset[str], list[TargetActualRow]] | None = None) -> list[TargetActualRow]:
    """Each target against the actuals a later speech reports for its series and an overlapping period.

    Rows are made pair by pair (a target, an actual), each from its two documents alone. known: the
    documents and the rows of an earlier call under the same pipeline (code, rules, settings): the rows
    between two documents linked then are kept, and only the pairs with a document new since are made.
    One text changed then costs its own pairs, not the corpus's; the rows are the same (a test compares).
    Rows come in any order: the writer sorts them by (target_id, actual_figure_id).
    """
    if known is None:
        return _pairs(figures, figures, docs)
    same = known[0] & docs.keys()
    kept = [r for r in known[1] if _doc_of(r.target_id) in same and _doc_of(r.actual_figure_id) in same]
    fresh = [f for f in figures if f.doc_id not in same]
    old = [f for f in figures if f.doc_id in same]
    return kept + _pairs(fresh, figures, docs) + _pairs(old, fresh, docs)


def _doc_of(fact_id: str) -> str:
    """The document of a figure or target id (<doc_id>-f000123, <doc_id>-t000123)."""
    return fact_id.rsplit("-", 1)[0]


def _pairs(targets: list[FigureRow], actuals: list[FigureRow], docs: dict) -> list[TargetActualRow]:
    """The rows of the targets among `targets` against the actuals among `actuals`.

    Actuals are blocked on (scope, unit family), only in blocks some target has, and, inside a block, on
    their indicator key, sorted by speech date and their periods parsed once; a target whose block holds
    no actual is passed over at once (with one changed text, the old targets against its actuals). Which
    keys of a block are similar to a target's key is asked once per (block, key), so the cost follows the
    pairs that can match, not targets x actuals.
    """
    rows = []
    wanted = {(t.scope, unit_family(t.unit)) for t in targets if t.kind == "target" and t.indicator}
    blocks: dict[tuple, dict] = defaultdict(lambda: defaultdict(list))
    for a in actuals:
        if a.kind != "actual" or not a.indicator or (a.scope, unit_family(a.unit)) not in wanted:
            continue  # an actual no target shares a block with is nobody's
        ad, ab = docs[a.doc_id].speech_date, period_bounds(a.period)
        if ad and ab:
            blocks[(a.scope, unit_family(a.unit))][indicator_key(a.indicator)].append((ad, ab, a))
    lengths: dict[tuple, dict[int, list[str]]] = {}  # block -> key length -> keys: similar() bounds the length
    for block, by_key in blocks.items():  # by speech date, so a target visits only the later speeches' actuals
        for key, seen in by_key.items():
            seen.sort(key=lambda x: x[0])
            by_key[key] = ([x[0] for x in seen], seen)
            lengths.setdefault(block, {}).setdefault(len(key), []).append(key)
    matching: dict[tuple, list[tuple]] = {}  # (block, target key) -> (dates, actuals) of the similar keys
    for t in targets:
        if t.kind != "target" or not t.indicator:
            continue
        block = (t.scope, unit_family(t.unit))
        if block not in blocks:  # no actual there (one changed text's actuals: most targets' blocks)
            continue
        tb, td = period_bounds(t.period), docs[t.doc_id].speech_date
        if not tb or not td:
            continue
        tk = indicator_key(t.indicator)
        lists = matching.get((block, tk))
        if lists is None:
            by_key, lo, hi = blocks.get(block, {}), *similar_lengths(len(tk))
            near = [ak for n, keys in lengths.get(block, {}).items() if lo <= n <= hi for ak in keys]
            lists = matching[(block, tk)] = [by_key[ak] for ak in similar_among(tk, near)]
        for dates, seen in lists:
            for _, ab, a in seen[bisect_right(dates, td):]:
                if ab[1] < tb[0] or ab[0] > tb[1] or not _comparable(a.value, t.value, "target_actual_ratio"):
                    continue
                share = (a.value / t.value).quantize(Decimal("0.0001")) if t.value else None
                if _satisfies(a.value, t):
                    outcome = "met"
                elif ab[1] < tb[1]:
                    outcome = "partial"
                else:
                    outcome = "not_met"
                rows.append(TargetActualRow(target_id(t), a.figure_id, tk, t.scope, t.period, a.period, t.value,
                                            t.qualifier, a.value, outcome, share))
    return rows
