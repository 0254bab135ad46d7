"""The annotated documents the entity model learns from and is measured on, and how it is measured.

Two development sets in two genres: the five bulletins of corpus/ (tests/gold) and the three work reports
of ../shared/gold_reports (texts/ and gold/). Each document goes through the pipeline's own clean, metadata
and segment stages, so that training and scoring read the sentences (and the one word pass) that a run
reads. Scores are the shared metric (pipeline.evaluate runs the vendored score.py) after corpus linking.

Splits: leave-one-document-out over the eight (`--lodo`), and across genres (train on the bulletins, score
the reports; and the reverse). The rules are not trained: their scores are the same in every split, and
optimistic, since they were written while reading all eight documents. The model's are honest: a held-out
document's text is never in its training data (silver included: silver.py drops any text that shares
sentences with a gold document).
"""
from __future__ import annotations

import csv
import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import regex

from .config import PROJECT_DIR, load_settings
from .inputs import discover, read_inputs
from .entity_link import link_entities
from .evaluate import evaluate
from .extract.entities import extract_mentions
from .model import DocResult, Document, DocumentRow, Sentence
from .runner import DOC_STAGES, run_stages
from .stages import mention_rows

REPORTS = PROJECT_DIR.parent / "shared" / "gold_reports"
DEV_SETS = {"bulletins": (PROJECT_DIR / "corpus", PROJECT_DIR / "tests" / "gold"),
            "reports": (REPORTS / "texts", REPORTS / "gold")}
MODES = ("rules", "guesses", "model", "both")


@dataclass
class DocData:
    stem: str
    genre: str                                 # the dev set it belongs to (bulletins / reports)
    gold_dir: Path
    document: Document                         # as the pipeline's stages build it (sentences with their words)
    row: DocumentRow
    gold: list[dict]                           # enterprise/project records
    labels: list[list[tuple[int, int, str]]] = field(default_factory=list)

    @property
    def sentences(self) -> list[Sentence]:
        return [s for s in self.document.sentences if not s.part.notes]


def prepared(texts: Path, upto=("clean", "metadata", "segment", "rows")):
    """(SourceDoc, stage context) of every text of a folder, through the pipeline's own stages."""
    settings = load_settings(texts, ner=False)
    docs, _ = read_inputs(texts, discover(texts))
    stages = tuple(st for st in DOC_STAGES if st.name in upto)
    for sd in docs:
        yield sd, run_stages({"source": sd, "settings": settings}, stages)


def load_docs(sets: dict[str, tuple[Path, Path]] | None = None) -> list[DocData]:
    """Documents of each set's text folder that have a gold file in its gold folder (absent sets skipped)."""
    out = []
    for genre, (texts, gold_dir) in (sets or DEV_SETS).items():
        if not texts.is_dir() or not gold_dir.is_dir():
            continue
        for sd, ctx in prepared(texts):
            stem = Path(sd.sources[0]).stem
            gp = gold_dir / f"{stem}.jsonl"
            if not gp.is_file():
                continue
            recs = [json.loads(l) for l in gp.read_text(encoding="utf-8").splitlines() if l.strip()]
            gold = [r for r in recs if r.get("type") in ("enterprise", "project")]
            d = DocData(stem, genre, gold_dir, ctx["document"], ctx["document_row"], gold)
            d.labels = [project_gold(s.text, gold) for s in d.sentences]
            out.append(d)
    return sorted(out, key=lambda d: (d.genre, d.stem))


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


# ------------------------------------------------------------------------------------------ scoring
def doc_mentions(d: DocData, mode: str, predict=None, params: dict | None = None):
    return mention_rows(d.document, extract_mentions(d.document.sentences, predict, mode, params))


def score(docs: list[DocData], mentions_by_doc: dict, scored: list[str]) -> dict:
    """Enterprise/project counts of pipeline.evaluate for the `scored` stems, after corpus linking."""
    results = [DocResult(d.row, mentions=mentions_by_doc[d.stem]) for d in docs if d.stem in mentions_by_doc]
    mentions, entities = link_entities(results)
    with tempfile.TemporaryDirectory() as tmp:
        ext, gd = Path(tmp) / "ext", Path(tmp) / "gold"
        ext.mkdir()
        gd.mkdir()
        for d in docs:
            if d.stem in scored:
                shutil.copy(d.gold_dir / f"{d.stem}.jsonl", gd / f"{d.stem}.jsonl")
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


def add_counts(total: dict, c: dict) -> None:
    for k, v in c.items():
        total[k] = total.get(k, 0) + v


# ------------------------------------------------------------------------------------------ splits
def lodo_splits(docs: list[DocData]) -> list[tuple[str, list[str], list[str]]]:
    """(name, training stems, scored stems): each document held out in turn."""
    stems = [d.stem for d in docs]
    return [(s, [t for t in stems if t != s], [s]) for s in stems]


def genre_splits(docs: list[DocData]) -> list[tuple[str, list[str], list[str]]]:
    """Train on one genre, score the other, both ways (only when both genres are there)."""
    genres = sorted({d.genre for d in docs})
    out = []
    for g in genres:
        rest = [h for h in genres if h != g]
        if rest:
            out.append((f"{g} -> {'+'.join(rest)}", [d.stem for d in docs if d.genre == g],
                        [d.stem for d in docs if d.genre != g]))
    return out


def format_table(title: str, totals: dict) -> str:
    lines = [f"{title:28s} {'P':>6s} {'R':>6s} {'F1':>6s}   {'tp_p/pred':>9s} {'tp_g/gold':>9s}"]
    names = {"rules": "rules only", "guesses": "rules+guesses", "model": "model only", "both": "rules + model"}
    for typ in ("enterprise", "project"):
        for mode in MODES:
            if mode not in totals:
                continue
            c = totals[mode]
            p, r, f = prf(c, typ)
            lines.append(f"{typ + 's':12s} {names[mode]:15s} {p:6.3f} {r:6.3f} {f:6.3f}   "
                         f"{c.get(typ + '.tp_p', 0):4d}/{c.get(typ + '.pred', 0):<4d} "
                         f"{c.get(typ + '.tp_g', 0):4d}/{c.get(typ + '.gold', 0):<4d}")
    return "\n".join(lines)


def format_changes(docs: list[DocData], mentions: dict) -> str:
    """Per held-out document, what the model changed against the rules alone (+ added, - dropped)."""
    lines = []
    for d in docs:
        if (d.stem, "both") not in mentions:
            continue
        rules = {(m.start, m.end, m.type): m for m in mentions[(d.stem, "rules")]}
        both = {(m.start, m.end, m.type): m for m in mentions[(d.stem, "both")]}
        for k in sorted(set(rules) ^ set(both)):
            m = both.get(k) or rules[k]
            lines.append(f"{d.stem} {'+' if k in both else '-'} {m.type:10s} {''.join(m.mention.split())} ({m.method})")
    return "\n".join(lines) or "(the model changed nothing)"
