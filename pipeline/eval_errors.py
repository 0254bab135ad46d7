"""Every error behind the scores, one line each, grouped by metric: the list issues are worked from.

Matches are decided by the reference scorer's own functions (load_gold, read_csv, match_spans,
ent_match, entity_strings, same_value, the norm_* folds, char_f1) on the rows it scores. Only the
glue of its main() -- which documents, regions and kinds count, which attributes are compared -- is
restated here, and tests/test_eval_errors.py holds the number of listed errors in every group to
what the metrics imply (figure false positives = pred - tp, wrong kinds = n x (1 - acc) ...).
"""
from __future__ import annotations

import bisect
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from . import reference_score as ref

ALL_TYPES = ("figure", "target", "deadline", "enterprise", "project")
DOC_FIELDS = ("issue_no", "published_on", "speech_date", "speaker")
FIGURE_ATTRS = ("value", "unit", "qualifier", "kind", "period", "scope", "indicator")
INDICATOR_MIN = 0.6  # the reference's threshold for a matched indicator (fig.indicator>=0.6)

FP, MISS = "false positives", "misses"
FIG_WRONG = {a: f"wrong {a}" for a in FIGURE_ATTRS} | {"indicator": "wrong indicator (char F1 < 0.6)"}
TARGET_WRONG, DEADLINE_WRONG, LINK_WRONG = "wrong value/unit/qualifier (strict)", "wrong date (strict)", "wrong status"
# (metric, what) in the order they are printed; every group is printed, empty ones too (links only
# when the gold has links.jsonl)
GROUPS = ([("figures", FP), ("figures", MISS)] + [("figures", w) for w in FIG_WRONG.values()]
          + [("targets", FP), ("targets", MISS), ("targets", TARGET_WRONG),
             ("deadlines", FP), ("deadlines", MISS), ("deadlines", DEADLINE_WRONG),
             ("enterprises", FP), ("enterprises", MISS), ("projects", FP), ("projects", MISS)]
          + [("document", f"wrong {k}") for k in DOC_FIELDS]
          + [("links", FP), ("links", MISS), ("links", LINK_WRONG)])
# what a false positive or a miss is shown with
SUMMARY = {"figures": ("value", "unit", "qualifier", "kind", "indicator", "scope", "period"),
           "targets": ("value", "unit", "qualifier", "indicator", "scope", "period"),
           "deadlines": ("date",)}


@dataclass(frozen=True, order=True)
class Error:
    """One wrong prediction or missed annotation; fields in sort order (document, offsets, ...)."""
    stem: str
    start: int
    end: int
    mention: str
    detail: str  # what is wrong: "pred | gold"
    sentence: str

    def line(self) -> str:
        where = f"{self.start}-{self.end}" if self.end > self.start else (str(self.start) if self.start >= 0 else "-")
        return f"  {self.stem}  {where}  「{_one_line(self.mention)}」  {_one_line(self.detail)}  ‖ {self.sentence}"


def _int(x, default: int = -1) -> int:
    try:
        return int(float(x))
    except (TypeError, ValueError):
        return default


def _shown(v) -> str:
    return "∅" if v is None or v == "" else str(v)


def _one_line(s) -> str:
    return " ".join(str(s or "").split())


class _Sentences:
    """The KB sentence around an offset of a document (by gold stem), for lines that have none."""

    def __init__(self, rows: list[dict], stem_of: dict[str, str]):
        by = defaultdict(list)
        for r in rows:
            if r.get("doc_id") in stem_of:
                by[stem_of[r["doc_id"]]].append((_int(r.get("start")), _int(r.get("end")), r.get("text") or ""))
        self.by = {st: sorted(v) for st, v in by.items()}

    def at(self, stem: str, offset: int, fallback: str = "") -> str:
        rows = self.by.get(stem, [])
        i = bisect.bisect_right(rows, (offset, float("inf"), "")) - 1
        if i >= 0 and rows[i][0] <= offset < rows[i][1]:
            return _one_line(rows[i][2])
        return _one_line(fallback)


def _pred_error(st: str, p: dict, detail: str, sents: _Sentences) -> Error:
    start = _int(p.get("start"))
    return Error(st, start, _int(p.get("end")), p.get("mention") or "", detail,
                 _one_line(p.get("sentence")) or sents.at(st, start))


def _gold_error(st: str, g: dict, detail: str, sents: _Sentences, mention: str | None = None) -> Error:
    start = _int(g.get("start"))
    return Error(st, start, _int(g.get("end"), start), mention if mention is not None else g.get("mention") or "",
                 detail, sents.at(st, start, g.get("quote") or ""))


def _summary(metric: str, r: dict) -> str:
    return " ".join(f"{k}:{_shown(r.get(k))}" for k in SUMMARY[metric])


def _figure_checks(p: dict, g: dict) -> dict[str, tuple[bool, str, str]]:
    """attribute -> (right?, pred, gold), compared as the reference's main() compares them."""
    ind = ref.char_f1(ref.norm_indicator(p.get("indicator")), ref.norm_indicator(g.get("indicator")))
    return {
        "value": (ref.same_value(p.get("value"), g.get("value")), p.get("value"), g.get("value")),
        "unit": (ref.norm_unit(p.get("unit")) == ref.norm_unit(g.get("unit")), p.get("unit"), g.get("unit")),
        "qualifier": ((p.get("qualifier") or "=") == g.get("qualifier"), p.get("qualifier"), g.get("qualifier")),
        "kind": (p.get("kind") == g.get("kind"), p.get("kind"), g.get("kind")),
        "period": ((p.get("period") or "") == (g.get("period") or ""), p.get("period"), g.get("period")),
        "scope": (ref.norm_scope(p.get("scope")) == ref.norm_scope(g.get("scope")), p.get("scope"), g.get("scope")),
        "indicator": (ind >= INDICATOR_MIN, p.get("indicator"), f"{_shown(g.get('indicator'))} (char F1 {ind:.2f})"),
    }


def _span_note(p: dict, g: dict) -> str:
    """The gold span when the matched prediction's differs from it."""
    if (_int(p.get("start")), _int(p.get("end"))) == (_int(g.get("start")), _int(g.get("end"))):
        return ""
    return f"  [gold span {g.get('start')}-{g.get('end')} 「{g.get('mention') or ''}」]"


class _Collector:
    def __init__(self, extracted: Path, gold_dir: Path):
        self.ext = str(extracted)
        self.gold, self.gold_links = ref.load_gold(str(gold_dir))
        self.docs = self._csv("documents.csv")
        self.stem_of = {d["doc_id"]: os.path.splitext(os.path.basename(d.get("source", "")))[0] for d in self.docs}
        self.docrec = {st: next((r for r in recs if r["type"] == "document"), {}) for st, recs in self.gold.items()}
        self.sents = _Sentences(self._csv("sentences.csv"), self.stem_of)
        self.out: dict[tuple[str, str], list[Error]] = {g: [] for g in GROUPS}

    def _csv(self, name: str) -> list[dict]:
        return ref.read_csv(os.path.join(self.ext, name))

    def _in_region(self, st: str, row: dict) -> bool:
        reg = self.docrec[st].get("region")
        if not reg:
            return True
        try:
            return int(reg[0]) <= int(float(row.get("start"))) < int(reg[1])
        except (TypeError, ValueError):
            return False

    def _by_doc(self, name: str) -> dict[str, list[dict]]:
        out = defaultdict(list)
        for r in self._csv(name):
            st = self.stem_of.get(r.get("doc_id"))
            if st in self.gold and self._in_region(st, r):
                out[st].append(r)
        return out

    def add(self, metric: str, what: str, err: Error) -> None:
        self.out[(metric, what)].append(err)

    def collect(self) -> dict[tuple[str, str], list[Error]]:
        self.documents()
        figs, tars, dls, mens = (self._by_doc(n) for n in ("figures.csv", "targets.csv", "deadlines.csv",
                                                            "mentions.csv"))
        entities = {e["entity_id"]: e for e in self._csv("entities.csv")}
        anchors = {}
        for st, recs in self.gold.items():
            types = set(self.docrec[st].get("types") or ALL_TYPES)
            if "figure" not in types:
                figs[st], tars[st] = [], []
            if "deadline" not in types:
                dls[st] = []
            anchors.update(self.figures(st, figs[st], [r for r in recs if r["type"] == "figure"]))
            self.targets(st, tars[st], [r for r in recs if r["type"] == "target"])
            self.deadlines(st, dls[st], [r for r in recs if r["type"] == "deadline"])
            for typ in ("enterprise", "project"):
                if typ in types:
                    self.entities(st, typ, mens[st], entities, [r for r in recs if r["type"] == typ])
        if self.gold_links:
            self.links(figs, anchors)
        else:  # not scored either: the reference has no links metric without gold links
            self.out = {g: v for g, v in self.out.items() if g[0] != "links"}
        return {g: sorted(v) for g, v in self.out.items()}

    def documents(self) -> None:
        for d in self.docs:
            st = self.stem_of[d["doc_id"]]
            gd = next((r for r in self.gold.get(st, []) if r["type"] == "document"), None)
            if not gd:
                continue
            for k in DOC_FIELDS:
                gv = "" if gd.get(k) is None else str(gd.get(k))
                pv = (d.get(k) or "").strip()
                if k == "issue_no" and pv:
                    try:
                        pv = str(int(float(pv)))
                    except ValueError:
                        pass
                if gv != pv:
                    self.add("document", f"wrong {k}", Error(st, -1, -1, k, f"{_shown(pv)} | {_shown(gv)}",
                                                             _one_line(gd.get("title") or d.get("title"))))

    def _unmatched(self, metric: str, st: str, preds: list[dict], golds: list[dict]) -> list[tuple[dict, dict]]:
        pairs = ref.match_spans(preds, golds)
        hit_p, hit_g = {id(p) for p, _ in pairs}, {id(g) for _, g in pairs}
        for p in preds:
            if id(p) not in hit_p:
                self.add(metric, FP, _pred_error(st, p, "pred " + _summary(metric, p), self.sents))
        for g in golds:
            if id(g) not in hit_g:
                self.add(metric, MISS, _gold_error(st, g, "gold " + _summary(metric, g), self.sents))
        return pairs

    def figures(self, st: str, preds: list[dict], golds: list[dict]) -> dict:
        anchors = {}
        for p, g in self._unmatched("figures", st, preds, golds):
            anchors[p.get("figure_id")] = (st, g["start"], g["end"])
            for attr, (ok, pv, gv) in _figure_checks(p, g).items():
                if not ok:
                    detail = f"{_shown(pv)} | {_shown(gv)}{_span_note(p, g)}"
                    self.add("figures", FIG_WRONG[attr], _pred_error(st, p, detail, self.sents))
        return anchors

    def targets(self, st: str, preds: list[dict], golds: list[dict]) -> None:
        for p, g in self._unmatched("targets", st, preds, golds):
            checks = _figure_checks(p, g)
            wrong = [f"{a} {_shown(checks[a][1])} | {_shown(checks[a][2])}"
                     for a in ("value", "unit", "qualifier") if not checks[a][0]]
            if wrong:
                self.add("targets", TARGET_WRONG, _pred_error(st, p, "; ".join(wrong) + _span_note(p, g), self.sents))

    def deadlines(self, st: str, preds: list[dict], golds: list[dict]) -> None:
        for p, g in self._unmatched("deadlines", st, preds, golds):
            if (p.get("date") or "")[:10] != g.get("date"):
                self.add("deadlines", DEADLINE_WRONG,
                         _pred_error(st, p, f"{_shown(p.get('date'))} | {_shown(g.get('date'))}{_span_note(p, g)}",
                                     self.sents))

    def entities(self, st: str, typ: str, mentions: list[dict], entities: dict, golds: list[dict]) -> None:
        strings, rows = defaultdict(set), defaultdict(list)
        for m in mentions:
            if m.get("type") != typ:
                continue
            key = m.get("entity_id") or m.get("mention")
            strings[key].add(m.get("mention"))
            rows[key].append(m)
            e = entities.get(m.get("entity_id"))
            if e and e.get("name"):
                strings[key].add(e["name"])
        gold_strings = [ref.entity_strings(g) for g in golds]
        metric = typ + "s"
        for key, pred in strings.items():
            if not any(ref.ent_match(pred, gs) for gs in gold_strings):
                first = min(rows[key], key=lambda m: (_int(m.get("start")), _int(m.get("end"))))
                e = entities.get(first.get("entity_id")) or {}
                names = " / ".join(sorted(s for s in pred if s))
                err = Error(st, _int(first.get("start")), _int(first.get("end")), e.get("name") or first["mention"],
                            f"pred {names} ({len(rows[key])} mentions)", self.sents.at(st, _int(first.get("start"))))
                self.add(metric, FP, err)
        for g, gs in zip(golds, gold_strings):
            if not any(ref.ent_match(p, gs) for p in strings.values()):
                self.add(metric, MISS, _gold_error(st, g, "gold " + " / ".join(sorted(gs)), self.sents,
                                                   mention=g.get("name") or ""))

    def links(self, figs: dict[str, list[dict]], anchors: dict) -> None:
        allfig = {r.get("figure_id"): (st, r) for st, rows in figs.items() for r in rows}
        gold, link_of = defaultdict(set), {}  # unordered anchor pair -> gold statuses; (pair, status) -> link
        for l in self.gold_links:
            pair = frozenset([(l["a"]["doc"], l["a"]["start"], l["a"]["end"]),
                              (l["b"]["doc"], l["b"]["start"], l["b"]["end"])])
            gold[pair].add(l["status"])
            link_of.setdefault((pair, l["status"]), l)
        pred, counted = defaultdict(set), set()
        history = sorted(self._csv("figure_history.csv"),
                         key=lambda h: (h.get("figure_id") or "", h.get("previous_figure_id") or ""))
        for h in history:
            if h.get("status") not in ("restated", "changed") or not h.get("previous_figure_id"):
                continue
            fa, fb = allfig.get(h.get("previous_figure_id")), allfig.get(h.get("figure_id"))
            if not fa or not fb:
                continue
            a, b = anchors.get(h.get("previous_figure_id")), anchors.get(h.get("figure_id"))
            pair = frozenset([a, b]) if a and b else None
            if pair is not None:
                pred[pair].add(h["status"])
            if pair in gold and pair not in counted:
                counted.add(pair)
                continue
            why = "a second prediction of a gold link" if pair in gold else "no such gold link"
            (sa, ra), (sb, rb) = fa, fb
            self.add("links", FP, _pred_error(sa, ra, f"{h['status']} -> {sb} {rb.get('start')}-{rb.get('end')} "
                                                      f"「{rb.get('mention') or ''}」: {why}", self.sents))
        for (pair, status), l in link_of.items():
            other = f"-> {l['b']['doc']} {l['b']['start']}-{l['b']['end']} 「{l['b'].get('mention') or ''}」"
            g = dict(l["a"], quote="")
            if pair not in pred:
                self.add("links", MISS, _gold_error(l["a"]["doc"], g, f"gold {status} {other}", self.sents))
            elif not pred[pair] & gold[pair] and status == min(gold[pair]):  # one entry per pair
                self.add("links", LINK_WRONG, _gold_error(
                    l["a"]["doc"], g, f"{'/'.join(sorted(pred[pair]))} | {'/'.join(sorted(gold[pair]))} {other}",
                    self.sents))


def collect_errors(extracted: Path, gold_dir: Path) -> dict[tuple[str, str], list[Error]]:
    """(metric, what) -> sorted errors, for every group of GROUPS that is scored (empty ones included)."""
    return _Collector(extracted, gold_dir).collect()


def format_errors(errors: dict[tuple[str, str], list[Error]]) -> str:
    """The counts per group first (the whole picture on one screen), then per metric a heading with its
    total, per group a heading with its count, and one line per error: document, offsets, mention,
    what is wrong, and after ‖ its sentence (so that grep finds an error with its context)."""
    counts = error_counts(errors)
    width = max(map(len, counts))
    lines = ["counts per group:"] + [f"  {k:{width}s} {n:5d}" for k, n in counts.items()] + [""]
    for metric in dict.fromkeys(m for m, _ in errors):
        groups = [(what, errors[(metric, what)]) for m, what in GROUPS if m == metric]
        lines.append(f"## {metric}: {sum(len(v) for _, v in groups)} errors")
        for what, errs in groups:
            legend = "" if what in (FP, MISS) else "  [pred | gold]"
            lines.append(f"### {metric}: {what} ({len(errs)}){legend}")
            lines.extend(e.line() for e in errs)
        lines.append("")
    return "\n".join(lines).rstrip("\n")


def error_counts(errors: dict[tuple[str, str], list[Error]]) -> dict[str, int]:
    """"metric: what" -> number of errors, in GROUPS order (the --json and summary form)."""
    return {f"{m}: {w}": len(errors[(m, w)]) for m, w in GROUPS if (m, w) in errors}
