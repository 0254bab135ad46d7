"""Silver training data for the entity model from unannotated real texts (../shared/corpus_reports).

The texts go through the pipeline's own stages; every candidate span of a sentence with a rule proposal
gets the model's features (sentences without one hold no positive label and are skipped). Labels
come from the rules where the gold-trained model agrees with them: a strong rule proposal the model
scores >= AGREE is a positive; a candidate that no rule proposes (nor overlaps) for that type and that the
model scores below DISAGREE is a negative (one in NEGATIVE_STRIDE kept); everything else is left out. So silver adds the contexts of
120 more texts (heads, lists, verbs the eight documents lack) without teaching the model its own
mistakes or the rules' doubtful guesses.

No text of a development document is ever silver: a text is dropped when it equals one, or when it shares
SHARED or more of its sentences (10 characters or longer) with any text of the development sets' folders
(corpus/ and ../shared/gold_reports/texts), whichever of them a split trains on.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy

from .config import PROJECT_DIR
from .entity_eval import DEV_SETS, prepared
from .extract.entity_finders import rule_candidates
from .extract.entity_model import LABELS, doc_text_of, sentence_rows
from .readers import InputRejected, read_source

SILVER = PROJECT_DIR.parent / "shared" / "corpus_reports" / "texts"
SILVER_WEIGHT = 0.5   # a silver row counts half a gold one
AGREE, DISAGREE = 0.5, 0.1
SHARED = 3
NEGATIVE_STRIDE = 4   # silver negatives are plenty: every fourth is kept
MIN_SENTENCE = 10


def _sentences(text: str) -> set[str]:
    out, cur = set(), []
    for ch in text:
        if ch in "。！？；\n":
            s = "".join(c for c in cur if not c.isspace())
            if len(s) >= MIN_SENTENCE:
                out.add(s)
            cur = []
        else:
            cur.append(ch)
    return out


@cache
def _dev_sentences() -> tuple[frozenset, frozenset]:
    """Texts and sentences of every file in the development sets' text folders."""
    texts, sents = set(), set()
    for folder, _ in DEV_SETS.values():
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir()):
            if p.is_file():
                try:
                    t = read_source(p).text
                except InputRejected:
                    continue
                texts.add("".join(t.split()))
                sents |= _sentences(t)
    return frozenset(texts), frozenset(sents)


def overlaps_dev(text: str) -> bool:
    """The text is a development document, or shares SHARED+ sentences with one."""
    texts, sents = _dev_sentences()
    return "".join(text.split()) in texts or len(_sentences(text) & sents) >= SHARED


@cache
def _silver_features(folder: str) -> tuple:
    """(sentence rows per kept document, dropped file names): computed once per process."""
    kept, dropped = [], []
    path = Path(folder)
    if not path.is_dir():
        return (), ()
    for sd, ctx in prepared(path, ("clean", "metadata", "segment")):
        if overlaps_dev(sd.text):
            dropped.append(Path(sd.sources[0]).name)
            continue
        sents = [s for s in ctx["document"].sentences if not s.part.notes]
        doc_text = doc_text_of(sents)
        for sent in sents:
            cands = rule_candidates(sent)
            if not cands:                 # no proposal, no positive label: the sentence teaches little
                continue
            spans, feats = sentence_rows(sent, rule_cands=cands, doc_text=doc_text)
            kept.append((tuple(c for c in cands if not c.weak), spans, feats))
    return tuple(kept), tuple(dropped)


def silver_rows(predict, folder: Path = SILVER, log=None):
    """(rows, labels, weights) of the silver texts where the rules and the model `predict` agree."""
    kept, dropped = _silver_features(str(folder))
    if log and dropped:
        log(f"  silver: {len(dropped)} texts dropped as development text ({', '.join(dropped)})")
    rows, ys, ws = [], [], []
    w = predict.weights
    negatives = 0
    for strong, spans, feats in kept:
        for (a, b), f in zip(spans, feats):
            z = w[f].sum(axis=0)
            p = 1.0 / (1.0 + numpy.exp(-z))
            y, keep = [], True
            for j, t in enumerate(LABELS):
                exact = any(c.type == t and (c.start, c.end) == (a, b) for c in strong)
                near = any(c.type == t and c.start < b and a < c.end for c in strong)
                if exact and p[j] >= AGREE:
                    y.append(1.0)
                elif not near and p[j] < DISAGREE:
                    y.append(0.0)
                else:
                    keep = False
                    break
            if keep and not any(y):
                negatives += 1
                keep = negatives % NEGATIVE_STRIDE == 0   # one negative in NEGATIVE_STRIDE, the same each run
            if keep:
                rows.append(f)
                ys.append(y)
                ws.append(1.0)
    if log:
        n_pos = int(numpy.asarray(ys).sum()) if ys else 0
        log(f"  silver: {len(kept)} sentences, {len(rows)} spans kept, {n_pos} positive labels")
    return rows, numpy.asarray(ys, dtype="float64").reshape(-1, len(LABELS)), numpy.asarray(ws, dtype="float64")
