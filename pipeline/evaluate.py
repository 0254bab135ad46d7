"""Score an existing extracted/ against gold JSONL annotations.

The metric definitions are those of the shared reference scorer (span
overlap matching one-to-one, best overlap first; strict/full figure matches;
entity matching by equality or half-length containment; cross-speech links),
re-implemented here and pinned to it by tests/test_evaluate.py.
"""
from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

UNIT_ALIASES = {"％": "%", "个百分点": "百分点", "㎡": "平方米", "m2": "平方米", "万平方米": "平方米"}
SCOPE_ALIASES = {"全市": "安康市", "我市": "安康市", "安康": "安康市", "全省": "陕西省", "陕西": "陕西省"}
INDICATOR_FOLDS = (("规模以上", "规上"), ("规模工业", "规上工业"), ("增长率", "增速"), ("增幅", "增速"))
ALL_TYPES = ("figure", "target", "deadline", "enterprise", "project")


def _rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _num(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def same_value(a, b) -> bool:
    a, b = _num(a), _num(b)
    return a is not None and b is not None and abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def _unit(u) -> str:
    u = (u or "").strip()
    return UNIT_ALIASES.get(u, u)


def _scope(s) -> str:
    s = (s or "").strip()
    return SCOPE_ALIASES.get(s, s)


def _indicator(s) -> str:
    s = (s or "").strip()
    for a, b in INDICATOR_FOLDS:
        s = s.replace(a, b)
    return s


def char_f1(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    from collections import Counter

    common = sum((Counter(a) & Counter(b)).values())
    if not common:
        return 0.0
    p, r = common / len(a), common / len(b)
    return 2 * p * r / (p + r)


def prf(tp: int, npred: int, ngold: int) -> tuple[float, float, float]:
    p = tp / npred if npred else 0.0
    r = tp / ngold if ngold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def match_spans(preds: list[dict], golds: list[dict]) -> list[tuple[dict, dict]]:
    """One-to-one pairs of overlapping spans, largest overlap first (ties by input order)."""
    cands = []
    for i, p in enumerate(preds):
        ps, pe = int(p["start"]), int(p["end"])
        for j, g in enumerate(golds):
            gs, ge = int(g["start"]), int(g["end"])
            if ps < ge and gs < pe:
                cands.append((-(min(pe, ge) - max(ps, gs)), i, j))
    cands.sort()
    taken_p, taken_g, pairs = set(), set(), []
    for _, i, j in cands:
        if i in taken_p or j in taken_g:
            continue
        taken_p.add(i)
        taken_g.add(j)
        pairs.append((preds[i], golds[j]))
    return pairs


def _names_match(pred: set[str], gold: set[str]) -> bool:
    for p in pred:
        for g in gold:
            if p == g:
                return True
            short, long_ = sorted((p, g), key=len)
            if len(short) >= 2 and short in long_ and len(short) / len(long_) >= 0.5:
                return True
    return False


def load_gold(gold_dir: Path) -> tuple[dict[str, list[dict]], list[dict]]:
    docs = {}
    for p in sorted(gold_dir.glob("*.jsonl")):
        if p.name == "links.jsonl":
            continue
        docs[p.stem] = [json.loads(l) for l in p.read_text(encoding="utf-8").splitlines() if l.strip()]
    lp = gold_dir / "links.jsonl"
    links = [json.loads(l) for l in lp.read_text(encoding="utf-8").splitlines() if l.strip()] if lp.exists() else []
    return docs, links


class _Acc:
    def __init__(self):
        self.n = defaultdict(int)
        self.attr = defaultdict(lambda: [0, 0])

    def hit(self, key: str, ok: bool) -> None:
        self.attr[key][0] += int(ok)
        self.attr[key][1] += 1


def evaluate(extracted: Path, gold_dir: Path) -> dict:
    gold, gold_links = load_gold(gold_dir)
    docs = _rows(extracted / "documents.csv")
    stem = {d["doc_id"]: Path(d.get("source", "")).stem for d in docs}
    acc = _Acc()
    docrec = {st: next((r for r in recs if r["type"] == "document"), {}) for st, recs in gold.items()}

    for d in docs:
        g = docrec.get(stem[d["doc_id"]])
        if not g:
            continue
        for k in ("issue_no", "published_on", "speech_date", "speaker"):
            gv = "" if g.get(k) is None else str(g.get(k))
            pv = (d.get(k) or "").strip()
            if k == "issue_no" and pv:
                try:
                    pv = str(int(float(pv)))
                except ValueError:
                    pass
            acc.hit("doc." + k, gv == pv)

    def region_ok(st: str, row: dict) -> bool:
        reg = docrec[st].get("region")
        if not reg:
            return True
        try:
            return int(reg[0]) <= int(float(row.get("start"))) < int(reg[1])
        except (TypeError, ValueError):
            return False

    def grouped(name: str) -> dict[str, list[dict]]:
        out = defaultdict(list)
        for row in _rows(extracted / name):
            st = stem.get(row.get("doc_id"))
            if st in gold and region_ok(st, row):
                out[st].append(row)
        return out

    figs, tars, dls, mens = (grouped(n) for n in ("figures.csv", "targets.csv", "deadlines.csv", "mentions.csv"))
    entities = {e["entity_id"]: e for e in _rows(extracted / "entities.csv")}
    anchor = {}
    n = acc.n
    for st, recs in gold.items():
        types = set(docrec[st].get("types") or ALL_TYPES)
        pf = figs[st] if "figure" in types else []
        pt = tars[st] if "figure" in types else []
        pd = dls[st] if "deadline" in types else []
        gf = [r for r in recs if r["type"] == "figure"]
        pairs = match_spans(pf, gf)
        n["fig.tp"] += len(pairs)
        n["fig.pred"] += len(pf)
        n["fig.gold"] += len(gf)
        for p, g in pairs:
            anchor[p.get("figure_id")] = (st, g["start"], g["end"])
            v = same_value(p.get("value"), g.get("value"))
            u = _unit(p.get("unit")) == _unit(g.get("unit"))
            q = (p.get("qualifier") or "=") == g.get("qualifier")
            k = p.get("kind") == g.get("kind")
            acc.hit("fig.value", v)
            acc.hit("fig.unit", u)
            acc.hit("fig.qualifier", q)
            acc.hit("fig.kind", k)
            acc.hit("fig.period", (p.get("period") or "") == (g.get("period") or ""))
            acc.hit("fig.scope", _scope(p.get("scope")) == _scope(g.get("scope")))
            acc.hit("fig.indicator>=0.6", char_f1(_indicator(p.get("indicator")), _indicator(g.get("indicator"))) >= 0.6)
            n["fig.strict_tp"] += v and u
            n["fig.full_tp"] += v and u and q and k
        gt = [r for r in recs if r["type"] == "target"]
        tp = match_spans(pt, gt)
        n["tar.pred"] += len(pt)
        n["tar.gold"] += len(gt)
        n["tar.tp"] += len(tp)
        n["tar.strict_tp"] += sum(same_value(p.get("value"), g.get("value")) and _unit(p.get("unit")) == _unit(g.get("unit"))
                                  and (p.get("qualifier") or "=") == g.get("qualifier") for p, g in tp)
        gd = [r for r in recs if r["type"] == "deadline"]
        dp = match_spans(pd, gd)
        n["dl.pred"] += len(pd)
        n["dl.gold"] += len(gd)
        n["dl.tp"] += len(dp)
        n["dl.strict_tp"] += sum((p.get("date") or "")[:10] == g.get("date") for p, g in dp)
        for typ in ("enterprise", "project"):
            if typ not in types:
                continue
            ge = [r for r in recs if r["type"] == typ]
            pred: dict[str, set[str]] = defaultdict(set)
            for m in mens[st]:
                if m.get("type") != typ:
                    continue
                key = m.get("entity_id") or m.get("mention")
                pred[key].add(m.get("mention"))
                e = entities.get(m.get("entity_id"))
                if e and e.get("name"):
                    pred[key].add(e["name"])
            gsets = [{s for s in [g.get("name"), *(g.get("mentions") or [])] if s} for g in ge]
            n[typ + ".gold"] += len(ge)
            n[typ + ".pred"] += len(pred)
            n[typ + ".tp_g"] += sum(any(_names_match(p, gs) for p in pred.values()) for gs in gsets)
            n[typ + ".tp_p"] += sum(any(_names_match(p, gs) for gs in gsets) for p in pred.values())

    res: dict[str, tuple] = {}
    if gold_links:
        res.update(_links(extracted, figs, anchor, gold_links))
    res["figures"] = prf(n["fig.tp"], n["fig.pred"], n["fig.gold"])
    res["figures.strict"] = prf(n["fig.strict_tp"], n["fig.pred"], n["fig.gold"])
    res["figures.full"] = prf(n["fig.full_tp"], n["fig.pred"], n["fig.gold"])
    res["targets"] = prf(n["tar.tp"], n["tar.pred"], n["tar.gold"])
    res["targets.strict"] = prf(n["tar.strict_tp"], n["tar.pred"], n["tar.gold"])
    res["deadlines"] = prf(n["dl.tp"], n["dl.pred"], n["dl.gold"])
    res["deadlines.strict"] = prf(n["dl.strict_tp"], n["dl.pred"], n["dl.gold"])
    for typ in ("enterprise", "project"):
        p = n[typ + ".tp_p"] / n[typ + ".pred"] if n[typ + ".pred"] else 0.0
        r = n[typ + ".tp_g"] / n[typ + ".gold"] if n[typ + ".gold"] else 0.0
        res[typ + "s"] = (p, r, 2 * p * r / (p + r) if p + r else 0.0)
    return {"prf": res, "attr_acc": {k: (v[0] / v[1] if v[1] else 0.0) for k, v in acc.attr.items()},
            "attr_n": {k: v[1] for k, v in acc.attr.items()}, "counts": dict(n)}


def _links(extracted: Path, figs, anchor, gold_links) -> dict:
    known = {r.get("figure_id") for rows in figs.values() for r in rows}
    pred, npred = set(), 0
    for h in _rows(extracted / "figure_history.csv"):
        if h.get("status") not in ("restated", "changed") or not h.get("previous_figure_id"):
            continue
        if h.get("previous_figure_id") not in known or h.get("figure_id") not in known:
            continue
        npred += 1
        a, b = anchor.get(h.get("previous_figure_id")), anchor.get(h.get("figure_id"))
        if a and b:
            pred.add((frozenset([a, b]), h["status"]))
    gold = {(frozenset([(l["a"]["doc"], l["a"]["start"], l["a"]["end"]), (l["b"]["doc"], l["b"]["start"], l["b"]["end"])]),
             l["status"]) for l in gold_links}
    pairs = lambda s: {x[0] for x in s}
    return {"links": prf(len(pairs(pred) & pairs(gold)), npred, len(gold)),
            "links.status": prf(len(pred & gold), npred, len(gold))}


def format_table(res: dict) -> str:
    lines = [f"{'metric':18s} {'P':>6s} {'R':>6s} {'F1':>6s}"]
    for k, (p, r, f) in res["prf"].items():
        lines.append(f"{k:18s} {p:6.3f} {r:6.3f} {f:6.3f}")
    lines.append("")
    lines.append(f"{'attribute':18s} {'acc':>6s} {'n':>5s}")
    for k in sorted(res["attr_acc"]):
        lines.append(f"{k:18s} {res['attr_acc'][k]:6.3f} {res['attr_n'][k]:5d}")
    return "\n".join(lines)
