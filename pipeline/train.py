"""Train the shipped entity model, and measure rules / model / rules+model on the eight annotated documents.

    python -m pipeline.train            # train on every gold document (+ silver), write resources/models/entities
    python -m pipeline.train --lodo     # leave-one-document-out over the eight, then the cross-genre splits

Training data: every candidate span of the gold documents' sentences (entity_model.sentence_rows: the rules'
proposals and the loose candidates), labelled by the gold enterprise/project records projected onto their
occurrences (entity_eval.project_gold); a span that matches a gold name only loosely (the metric's
containment) is left out rather than called wrong. Silver (silver.py): the same rows from the 120 unannotated
texts of ../shared/corpus_reports, labelled by the rules' strong proposals where the gold-trained model
agrees. A held-out document's text is never in its split's training data. Deterministic: fixed seeds, one
thread, full-batch gradient descent.
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy

from .entity_eval import (MODES, DocData, add_counts, doc_mentions, format_changes, format_table, genre_splits,
                          load_docs, lodo_splits, score)
from .extract.entity_model import BITS, LABELS, Predictor, doc_text_of, save, sentence_rows, shipped_dir
from .extract.entity_rules import _strip_quotes
from .reference_score import ent_match
from .silver import SILVER_WEIGHT, silver_rows

SEED = 20240531
ITERS = 300
L2 = 1e-4
RATE = 0.05


# ------------------------------------------------------------------------------------------ data
def gold_rows(docs: list[DocData]):
    """(hashed feature rows, labels (n, 2), weights (n,)) of every candidate span of the documents."""
    rows, ys, ws = [], [], []
    for d in docs:
        doc_text = doc_text_of(d.sentences)
        for sent, labels in zip(d.sentences, d.labels):
            gold = {(*_strip_quotes(sent.text, s, e), t) for s, e, t in labels}
            spans, feats = sentence_rows(sent, doc_text=doc_text)
            for (a, b), f in zip(spans, feats):
                y = [float((a, b, t) in gold) for t in LABELS]
                w = 1.0
                for j, t in enumerate(LABELS):
                    if not y[j] and any(t == gt and gs < b and a < ge and ent_match({sent.text[a:b]},
                                                                                    {sent.text[gs:ge]})
                                        for gs, ge, gt in gold):
                        w = 0.0           # a loose match of a gold name: neither right nor wrong
                rows.append(f)
                ys.append(y)
                ws.append(w)
    return rows, numpy.asarray(ys, dtype="float64").reshape(-1, len(LABELS)), numpy.asarray(ws, dtype="float64")


def fit(rows, y, w, iters: int = ITERS, l2: float = L2, rate: float = RATE, log=None) -> numpy.ndarray:
    """Two logistic regressions over hashed binary features: full-batch Adam, L2, deterministic."""
    d = 1 << BITS
    lengths = numpy.fromiter((len(r) for r in rows), dtype="int64", count=len(rows))
    idx = numpy.fromiter((i for r in rows for i in r), dtype="int64", count=int(lengths.sum()))
    starts = numpy.concatenate([[0], numpy.cumsum(lengths)[:-1]])
    wsum = max(w.sum(), 1.0)
    weights = numpy.zeros((d, y.shape[1]))
    m, v = numpy.zeros_like(weights), numpy.zeros_like(weights)
    for it in range(1, iters + 1):
        z = numpy.add.reduceat(weights[idx], starts, axis=0)
        p = 1.0 / (1.0 + numpy.exp(-z))
        g_rows = (p - y) * w[:, None] / wsum
        rep = numpy.repeat(g_rows, lengths, axis=0)
        grad = numpy.stack([numpy.bincount(idx, weights=rep[:, k], minlength=d) for k in range(y.shape[1])], axis=1)
        grad += l2 * weights
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        weights -= rate * (m / (1 - 0.9 ** it)) / (numpy.sqrt(v / (1 - 0.999 ** it)) + 1e-8)
        if log and it % 100 == 0:
            loss = -(w[:, None] * (y * numpy.log(p + 1e-12) + (1 - y) * numpy.log(1 - p + 1e-12))).sum() / wsum
            log(f"  iteration {it}/{iters} loss {loss:.4f}")
    return weights.astype("float32")


def train_model(docs: list[DocData], seed: int = SEED, silver: bool = True, log=None) -> numpy.ndarray:
    """Weights from the documents' gold rows, then (silver) from gold + the silver rows the gold model agrees
    with; same inputs -> same weights (seed kept for the record: the optimiser has no randomness)."""
    rows, y, w = gold_rows(docs)
    weights = fit(rows, y, w, log=log)
    if not silver:
        return weights
    s_rows, s_y, s_w = silver_rows(Predictor(weights), log=log)
    if not s_rows:
        return weights
    return fit(rows + s_rows, numpy.vstack([y, s_y]), numpy.concatenate([w, s_w * SILVER_WEIGHT]), log=log)


# ------------------------------------------------------------------------------------------ evaluation
def _fold(args) -> tuple[str, dict, float]:
    """One split in a worker: train on `train`, then the model's and the combination's mentions of `test`."""
    name, train, test, seed, silver, params = args
    t0 = time.time()
    docs = load_docs()
    predict = Predictor(train_model([d for d in docs if d.stem in train], seed, silver))
    men = {mode: {d.stem: doc_mentions(d, mode, predict, params) for d in docs if d.stem in test}
           for mode in ("model", "both")}
    return name, men, time.time() - t0


def run_splits(docs: list[DocData], splits, seed: int = SEED, silver: bool = True, params: dict | None = None,
               jobs: int = 2, log=print) -> dict:
    """Counts per mode summed over the splits' scored documents (micro-averaged); a split's model never sees
    the documents it scores. Splits run in `jobs` worker processes (each one deterministic on its own)."""
    totals = {m: {} for m in MODES}
    mentions = {}
    rules_m = {mode: {d.stem: doc_mentions(d, mode) for d in docs} for mode in ("rules", "guesses")}
    tasks = [(name, train, test, seed, silver, params) for name, train, test in splits]
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as ex:
        for (name, train, test), (_, men, secs) in zip(splits, ex.map(_fold, tasks)):
            for mode in ("rules", "guesses"):
                men[mode] = {s: rules_m[mode][s] for s in test}
            for mode in MODES:
                for s in test:
                    mentions[(s, mode)] = men[mode][s]
                add_counts(totals[mode], score(docs, men[mode], test))
            log(f"split {name}: trained on {len(train)} documents, {secs:.0f}s")
    return {"totals": totals, "mentions": mentions}


# ------------------------------------------------------------------------------------------ command line
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.train", description=__doc__.splitlines()[0])
    ap.add_argument("--lodo", action="store_true",
                    help="leave-one-document-out and cross-genre tables instead of training")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--no-silver", action="store_true", help="train on the gold documents only")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes for --lodo splits")
    ap.add_argument("--show", action="store_true", help="with --lodo: list what the model added or dropped")
    ap.add_argument("--out", default=None, help="model folder (default: the shipped resources/models/entities)")
    a = ap.parse_args(argv)
    docs = load_docs()
    if not docs:
        print("error: no annotated document found (corpus/ with tests/gold, ../shared/gold_reports)", file=sys.stderr)
        return 1
    log = lambda s: print(s, file=sys.stderr)
    if a.lodo:
        kw = dict(seed=a.seed, silver=not a.no_silver, jobs=a.jobs, log=log)
        res = run_splits(docs, lodo_splits(docs), **kw)
        print(format_table(f"LODO (micro, {len(docs)} rotations)", res["totals"]))
        if a.show:
            print("\nrules + model against rules only, per held-out document:")
            print(format_changes(docs, res["mentions"]))
        for name, train, test in genre_splits(docs):
            cross = run_splits(docs, [(name, train, test)], **kw)
            print()
            print(format_table(f"train {name}", cross["totals"]))
        return 0
    t0 = time.time()
    weights = train_model(docs, a.seed, not a.no_silver, log=log)
    out = Path(a.out) if a.out else shipped_dir()
    save(weights, out, {"name": "bulletin_entities", "version": "2.0.0",
                        "description": "enterprise/project candidate-span classifier; see ../README.md",
                        "seed": a.seed, "iterations": ITERS, "l2": L2, "silver": not a.no_silver,
                        "trained_on": [d.stem for d in docs]})
    log(f"trained on {len(docs)} documents in {time.time() - t0:.0f}s -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
