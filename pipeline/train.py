"""Train the shipped span model, and measure rules / model / rules+model leave-one-document-out.

    python -m pipeline.train            # train on every gold document, write resources/models/entities
    python -m pipeline.train --lodo     # train on four, score the fifth, all rotations; print the table

Training data: the gold enterprise/project records projected onto every
occurrence of their surface forms in the cleaned sentences, plus variants of
those sentences in which names are rewritten (brand characters drawn at random,
industry, place, facility and company words swapped within their lexicon
class), so that the model learns the contexts and shapes of names rather than
the names; and silver: the rule layer's strong proposals over those rewritten
sentences, where they add a span the projection lacks. A held-out document's
text is never seen in training. Scores use pipeline.evaluate (the shared
score.py, vendored). Deterministic from --seed: one thread, seeded shuffles.
"""
from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import csv
import json
import random
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import regex
from spacy.training import Example
from spacy.util import fix_random_seed, minibatch

from .config import PROJECT_DIR, load_settings
from .corpus import discover, read_inputs
from .entity_link import link_entities
from .evaluate import evaluate
from .extract.entities import extract_mentions
from .extract.entity_candidates import MAX_SIZE
from .extract.entity_rules import _place_prefix, _upper_places, _words, rule_candidates
from .extract.ner import SPANS_KEY, Predictor, blank, blas_ops, featurize, shipped_dir
from .model import DocResult, Document, DocumentRow, Sentence
from .runner import DOC_STAGES, run_stages
from .segment import sentence_of
from .stages import mention_rows

SEED = 20240531
EPOCHS = 20
VARIANTS = 16         # rewritten copies of each sentence that holds a gold name
BATCH = 32
DROPOUT = 0.15
NEG_SHARE = 0.5       # share of the sentences without a name used in each epoch
# Characters of invented brand names (common in Chinese company names; none is a name by itself).
BRAND_CHARS = ("华瑞康泰达鑫通源丰盛宏隆兴恒安信德嘉利美佳新金天宇博创汇科润腾凯力明诚福祥海星远航光晟"
               "昊森欣豪卓越展鼎立伟峰鹏飞龙凤祥麒麟骏驰锦绣融和顺益正道远志成奥普赛亿万千百佳禾田禧"
               "云峰岭川江河湖月辰星朗晖耀辉煌元亨贞乾坤中南东西北银铜玉珠宝盈昌旺茂荣")


@dataclass
class DocData:
    stem: str
    document: Document                         # as the pipeline's stages build it (sentences with their words)
    row: DocumentRow
    gold: list[dict]                           # enterprise/project records
    labels: list[list[tuple[int, int, str]]] = field(default_factory=list)

    @property
    def sentences(self) -> list[Sentence]:
        return self.document.sentences


# ------------------------------------------------------------------------------------------ corpus + gold
def load_docs(corpus: Path, gold_dir: Path) -> list[DocData]:
    """Documents of the corpus that have a gold file, through the pipeline's own clean/segment stages."""
    settings = load_settings(corpus, ner=False)
    docs, _ = read_inputs(corpus, discover(corpus))
    out = []
    for sd in docs:
        stem = Path(sd.sources[0]).stem
        gp = gold_dir / f"{stem}.jsonl"
        if not gp.is_file():
            continue
        ctx = run_stages({"source": sd, "settings": settings},
                         tuple(st for st in DOC_STAGES if st.name in ("clean", "metadata", "segment", "rows")))
        recs = [json.loads(l) for l in gp.read_text(encoding="utf-8").splitlines() if l.strip()]
        gold = [r for r in recs if r.get("type") in ("enterprise", "project")]
        d = DocData(stem, ctx["document"], ctx["document_row"], gold)
        d.labels = [project_gold(s.text, gold) for s in d.sentences]
        out.append(d)
    return sorted(out, key=lambda d: d.stem)


def project_gold(text: str, gold: list[dict]) -> list[tuple[int, int, str]]:
    """Every occurrence of a record's name or mentions (spaces removed); inside one type the longest wins.

    An enterprise read out of a project item is labelled by its brand (禾瑞光电 -> 禾瑞, as 普欣 is in
    普欣中药配方颗粒), so the model sees one convention for enterprises inside projects."""
    squeeze = lambda s: "".join(s.split())
    project_forms = {squeeze(s) for r in gold if r["type"] == "project"
                     for s in [r.get("name"), *(r.get("mentions") or [])] if s}
    found = set()
    for r in gold:
        forms = {squeeze(s) for s in [r.get("name"), *(r.get("mentions") or [])] if s}
        if r["type"] == "enterprise" and r.get("name") and forms & project_forms:
            name = squeeze(r["name"])
            forms = {f for f in forms if f not in project_forms or name not in f} | {name}
        for f in sorted(forms):
            if len(f) < 2:
                continue
            for m in regex.finditer(regex.escape(f), text, overlapped=True):
                found.add((m.start(), m.end(), r["type"]))
    keep = [a for a in found if not any(b != a and b[2] == a[2] and b[0] <= a[0] and a[1] <= b[1] for b in found)]
    return sorted(keep)


# ------------------------------------------------------------------------------------------ augmentation
def _segments(name: str) -> list[tuple[int, int, str]]:
    """Greedy longest-match split of a name into lexicon words (kind) and runs of other characters ("run")."""
    w = _words()
    vocab = {}
    for kind in ("facility", "company", "industry", "keep", "region", "category"):
        for x in w[kind]:
            vocab.setdefault(x, kind)
    out, i, run = [], 0, None
    while i < len(name):
        hit = max((x for x in (name[i:i + k] for k in range(8, 1, -1)) if x in vocab), key=len, default="")
        kind = vocab.get(hit, "")
        if not hit:
            p = _place_prefix(name[i:])
            if p:
                hit, kind = p, "place"
        if hit:
            if run is not None:
                out.append((run, i, "run"))
                run = None
            out.append((i, i + len(hit), kind))
            i += len(hit)
        else:
            run = i if run is None else run
            i += 1
    if run is not None:
        out.append((run, len(name), "run"))
    return out


@dataclass
class _Pools:
    by_kind: dict


def _pools() -> _Pools:
    w = _words()
    by = {k: sorted(w[k]) for k in ("facility", "company", "industry", "keep", "region")}
    by["place"] = sorted(p for p in _upper_places() if len(p) <= 3)
    return _Pools(by)


def rewrite(text: str, spans: list[tuple[int, int, str]], rng: random.Random, pools: _Pools):
    """A variant of text whose labelled names are rewritten; spans follow. Runs of other characters become
    invented ones of the same length; lexicon words are swapped within their class half of the time."""
    if not spans:
        return text, []
    cuts = sorted({0, len(text)} | {s for s, _, _ in spans} | {e for _, e, _ in spans})
    covered = [False] * len(text)
    for s, e, _ in spans:
        for i in range(s, e):
            covered[i] = True
    new, pos_map = [], {}
    out_pos = 0
    for a, b in zip(cuts, cuts[1:]):
        pos_map[a] = out_pos
        piece = text[a:b]
        if covered[a] and "“" not in piece and "”" not in piece:
            parts = []
            for s, e, kind in _segments(piece):
                seg = piece[s:e]
                if kind == "run" and e - s >= 2 and all("\u4e00" <= c <= "\u9fff" for c in seg):
                    seg = "".join(rng.choice(BRAND_CHARS) for _ in range(max(2, e - s + rng.choice((-1, 0, 0, 1)))))
                elif kind in pools.by_kind and rng.random() < 0.5:
                    seg = rng.choice(pools.by_kind[kind])
                parts.append(seg)
            piece = "".join(parts)
        new.append(piece)
        out_pos += len(piece)
    pos_map[len(text)] = out_pos
    return "".join(new), [(pos_map[s], pos_map[e], t) for s, e, t in spans]


def training_items(docs: list[DocData], seed: int, variants: int = VARIANTS, silver: bool = True):
    """(sentence, spans) pairs: every sentence as written, rewritten copies of those with names (each with a
    word pass of its own), silver spans."""
    rng = random.Random(seed)
    pools = _pools()
    items = []
    for d in docs:
        for sent, spans in zip(d.sentences, d.labels):
            items.append((sent, spans))
            for _ in range(variants if spans else 0):
                t2, s2 = rewrite(sent.text, spans, rng, pools)
                sent2 = sentence_of(t2)
                if silver:
                    have = {(s, e, t) for s, e, t in s2}
                    for c in rule_candidates(sent2):
                        if not c.weak and c.method == "rule" and (c.start, c.end, c.type) not in have and not any(
                                t == c.type and s < c.end and c.start < e for s, e, t in s2):
                            have.add((c.start, c.end, c.type))
                    s2 = sorted(have)
                items.append((sent2, s2))
    return items


# ------------------------------------------------------------------------------------------ training
def train_model(docs: list[DocData], seed: int = SEED, epochs: int = EPOCHS, silver: bool = True,
                log=None):
    """A fresh spancat trained on docs; same inputs and seed -> same weights."""
    fix_random_seed(seed)
    nlp = blank()
    examples = []
    for sent, spans in training_items(docs, seed, silver=silver):
        pred = featurize(nlp.make_doc(sent.text), sent)
        ref = nlp.make_doc(sent.text)
        group = []
        for s, e, t in spans:
            sp = ref.char_span(s, e, label=t)
            if sp is not None and 2 <= len(sp) <= MAX_SIZE:
                group.append(sp)
        ref.spans[SPANS_KEY] = group
        examples.append(Example(pred, ref))
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    for epoch in range(epochs):
        # every sentence with a name, and a sampled share of the others (they are most of the text)
        order = [i for i, ex in enumerate(examples) if len(ex.reference.spans[SPANS_KEY]) or rng.random() < NEG_SHARE]
        rng.shuffle(order)
        losses: dict = {}
        for batch in minibatch([examples[i] for i in order], size=BATCH):
            nlp.update(batch, sgd=optimizer, drop=DROPOUT, losses=losses)
        if log:
            log(f"  epoch {epoch + 1:2d}/{epochs} loss {losses.get('spancat', 0.0):.2f}")
    return nlp


def write_model(nlp, out: Path, meta: dict) -> None:
    """Serialise without run-dependent fields, so that two trainings give the same bytes. The string store
    is emptied: hashed features need no strings, and the model should not carry the training text."""
    nlp.meta.update(meta)
    nlp.meta.pop("performance", None)
    nlp.vocab.strings._reset_and_load(list(nlp.get_pipe("spancat").labels))
    tmp = out.with_name(out.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    nlp.to_disk(tmp)
    shutil.rmtree(out, ignore_errors=True)
    tmp.rename(out)


# ------------------------------------------------------------------------------------------ evaluation
MODES = ("rules", "model", "both")


def doc_mentions(d: DocData, mode: str, predict=None, params: dict | None = None):
    return mention_rows(d.document, extract_mentions(d.sentences, predict, mode, params))


def score(docs: list[DocData], mentions_by_doc: dict, scored: list[str]) -> dict:
    """Enterprise/project counts of pipeline.evaluate for the `scored` stems, after corpus linking."""
    results = [DocResult(d.row, mentions=mentions_by_doc[d.stem]) for d in docs]
    mentions, entities = link_entities(results)
    gold_dir = Path(os.environ.get("BULLETIN_GOLD", PROJECT_DIR / "tests" / "gold"))
    with tempfile.TemporaryDirectory() as tmp:
        ext, gd = Path(tmp) / "ext", Path(tmp) / "gold"
        ext.mkdir()
        gd.mkdir()
        for st in scored:
            shutil.copy(gold_dir / f"{st}.jsonl", gd / f"{st}.jsonl")
        _csv(ext / "documents.csv", ["doc_id", "source"], [(d.row.doc_id, d.row.source) for d in docs])
        _csv(ext / "mentions.csv", ["doc_id", "start", "end", "mention", "type", "entity_id", "method"],
             [(m.doc_id, m.start, m.end, m.mention, m.type, m.entity_id, m.method) for m in mentions])
        _csv(ext / "entities.csv", ["entity_id", "type", "name"], [(e.entity_id, e.type, e.name) for e in entities])
        counts = evaluate(ext, gd)["counts"]
    return {k: v for k, v in counts.items() if k.startswith(("enterprise", "project"))}


def _csv(path: Path, header: list[str], rows) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def prf(c: dict, typ: str) -> tuple[float, float, float]:
    p = c.get(typ + ".tp_p", 0) / c[typ + ".pred"] if c.get(typ + ".pred") else 0.0
    r = c.get(typ + ".tp_g", 0) / c[typ + ".gold"] if c.get(typ + ".gold") else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _fold(args) -> tuple[str, dict, float]:
    """One rotation in a worker: train without `held`, then the model's and the combination's mentions."""
    corpus, gold_dir, held, seed, epochs, silver, params = args
    t0 = time.time()
    docs = load_docs(Path(corpus), Path(gold_dir))
    predict = Predictor(train_model([d for d in docs if d.stem != held], seed, epochs, silver), ops=blas_ops())
    men = {mode: {d.stem: doc_mentions(d, mode, predict, params) for d in docs} for mode in ("model", "both")}
    return held, men, time.time() - t0


def lodo(docs: list[DocData], corpus: Path, gold_dir: Path, seed: int = SEED, epochs: int = EPOCHS,
         silver: bool = True, params: dict | None = None, jobs: int = 2, log=print) -> dict:
    """Counts per mode summed over the rotations (micro-averaged); each fold's model never sees its document.
    Rotations run in `jobs` worker processes (each one deterministic on its own)."""
    totals = {m: {} for m in MODES}
    per_fold, mentions = {}, {}
    rules_m = {d.stem: doc_mentions(d, "rules") for d in docs}
    tasks = [(str(corpus), str(gold_dir), d.stem, seed, epochs, silver, params) for d in docs]
    with ProcessPoolExecutor(max_workers=max(1, jobs)) as ex:
        for held, men, secs in ex.map(_fold, tasks):
            men["rules"] = rules_m
            for mode in MODES:
                mentions[(held, mode)] = men[mode][held]
                c = score(docs, men[mode], [held])
                per_fold[(held, mode)] = c
                for k, v in c.items():
                    totals[mode][k] = totals[mode].get(k, 0) + v
            log(f"fold {held}: trained on {len(docs) - 1} documents, {secs:.0f}s")
    return {"totals": totals, "per_fold": per_fold, "mentions": mentions}


def format_changes(docs: list[DocData], res: dict) -> str:
    """Per held-out document, what the model changed against the rules alone (+ added, - dropped)."""
    lines = []
    for d in docs:
        rules = {(m.start, m.end, m.type): m for m in res["mentions"][(d.stem, "rules")]}
        both = {(m.start, m.end, m.type): m for m in res["mentions"][(d.stem, "both")]}
        for k in sorted(set(rules) ^ set(both)):
            m = both.get(k) or rules[k]
            lines.append(f"{d.stem} {'+' if k in both else '-'} {m.type:10s} {''.join(m.mention.split())} ({m.method})")
    return "\n".join(lines) or "(the model changed nothing)"


def format_lodo(res: dict) -> str:
    lines = [f"{'LODO (micro, 5 rotations)':28s} {'P':>6s} {'R':>6s} {'F1':>6s}   {'tp_p/pred':>9s} {'tp_g/gold':>9s}"]
    names = {"rules": "rules only", "model": "model only", "both": "rules + model"}
    for typ in ("enterprise", "project"):
        for mode in MODES:
            c = res["totals"][mode]
            p, r, f = prf(c, typ)
            lines.append(f"{typ + 's':12s} {names[mode]:15s} {p:6.3f} {r:6.3f} {f:6.3f}   "
                         f"{c.get(typ + '.tp_p', 0):4d}/{c.get(typ + '.pred', 0):<4d} "
                         f"{c.get(typ + '.tp_g', 0):4d}/{c.get(typ + '.gold', 0):<4d}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ command line
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.train", description=__doc__.splitlines()[0])
    ap.add_argument("--lodo", action="store_true", help="leave-one-document-out table instead of training")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--epochs", type=int, default=EPOCHS)
    ap.add_argument("--no-silver", action="store_true", help="train on gold and its rewrites only")
    ap.add_argument("--jobs", type=int, default=2, help="worker processes for --lodo rotations")
    ap.add_argument("--show", action="store_true", help="with --lodo: list what the model added or dropped")
    ap.add_argument("--corpus", default=str(PROJECT_DIR / "corpus"))
    ap.add_argument("--gold", default=str(PROJECT_DIR / "tests" / "gold"))
    ap.add_argument("--out", default=None, help="model folder (default: the shipped resources/models/entities)")
    a = ap.parse_args(argv)
    os.environ["BULLETIN_GOLD"] = a.gold
    docs = load_docs(Path(a.corpus), Path(a.gold))
    if not docs:
        print(f"error: no corpus document in {a.corpus} has a gold file in {a.gold}", file=sys.stderr)
        return 1
    log = lambda s: print(s, file=sys.stderr)
    if a.lodo:
        res = lodo(docs, Path(a.corpus), Path(a.gold), a.seed, a.epochs, not a.no_silver, jobs=a.jobs, log=log)
        print(format_lodo(res))
        if a.show:
            print("\nrules + model against rules only, per held-out document:")
            print(format_changes(docs, res))
        return 0
    t0 = time.time()
    nlp = train_model(docs, a.seed, a.epochs, not a.no_silver, log=log)
    out = Path(a.out) if a.out else shipped_dir()
    write_model(nlp, out, {"name": "bulletin_entities", "version": "1.0.0",
                           "description": "enterprise/project span model; see ../README.md",
                           "seed": a.seed, "epochs": a.epochs, "silver": not a.no_silver,
                           "trained_on": [d.stem for d in docs]})
    log(f"trained on {len(docs)} documents in {time.time() - t0:.0f}s -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
