"""Check the pipeline on a folder of real government texts nobody here wrote (corpus_reports).

Why: the rules were first written on five bulletins of one city; this run says, on 120 texts of
other genres and places, whether each text is read (speech date, speaker, city), whether the dates
still come when the front matter that happens to carry them is gone, and whether every text goes
through the whole pipeline without a crash and with plausible fact counts. It measures, it does not
tune: the silver answers (index.csv's title_date, title_speaker) are only compared with, never read
by the pipeline.

Run: python -m pipeline.check_reports [TEXTS] (make check-reports). Exit status 0 when every goal is
met and no document failed, else 1.
"""
from __future__ import annotations

import argparse
import csv
import math
import sys
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import regex

from .config import PROJECT_DIR, load_settings
from .corpus import run
from .metadata import date_notice
from .model import Metadata, SourceDoc
from .runner import DOC_STAGES, run_stages
from .readers import InputRejected, read_source

DEFAULT_TEXTS = PROJECT_DIR.parent / "shared" / "corpus_reports" / "texts"
GOALS = {"date": 0.98, "date_stripped": 0.95, "speaker": 0.95}  # shares of the city reports (98 of 100 ...)
_FRONT_MATTER = regex.compile(r"\A---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", regex.S)
FACTS = ("figures", "targets", "deadlines", "enterprises", "projects")


@dataclass
class Row:
    file: str
    kind: str
    silver_date: str
    silver_speaker: str
    meta: Metadata | None = None
    stripped: Metadata | None = None
    error: str = ""


def read_index(path: Path) -> dict[str, dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return {r["file"]: r for r in csv.DictReader(f)}


def metadata_of(path: Path, rel: str, settings) -> Metadata:
    """The metadata exactly as the pipeline's own clean and metadata stages make it."""
    st = read_source(path)
    store = {"source": SourceDoc(st.text, st.format, st.encoding, [rel]), "settings": settings}
    return run_stages(store, tuple(s for s in DOC_STAGES if s.name in ("clean", "metadata")))["meta"]


def strip_front_matter(texts: Path, files: list[str], into: Path) -> None:
    """Copies of the texts without their YAML front matter (the rest byte for byte)."""
    for name in files:
        data = (texts / name).read_bytes()
        text = data.decode("utf-8")
        (into / name).write_bytes(_FRONT_MATTER.sub("", text, count=1).encode("utf-8"))


def full_run(texts: Path, out: Path, ner: bool, jobs: int):
    """The whole pipeline over the folder: per-document fact counts, failures, time."""
    t0 = time.perf_counter()
    report = run(texts, out, load_settings(texts, ner=ner), jobs=jobs, progress=False)
    seconds = time.perf_counter() - t0
    by_doc = {d.doc_id: d.source for d in report.tables["documents"]}
    counts: dict[str, Counter] = defaultdict(Counter)
    for name in ("figures", "targets", "deadlines"):
        for row in report.tables[name]:
            counts[by_doc[row.doc_id]][name] += 1
    seen = set()
    for m in report.tables["mentions"]:
        key = (m.doc_id, m.type, m.entity_id)
        if key not in seen:
            seen.add(key)
            counts[by_doc[m.doc_id]][m.type + "s"] += 1
    docs = {d.source: d for d in report.tables["documents"]}
    return counts, docs, report.errors, seconds


def _place_of(file: str) -> str:
    """The place a corpus_reports file is named after (三门峡市_2021.md -> 三门峡市): for measuring only."""
    return file.rsplit("_", 1)[0]


def _pad(text: str, width: int) -> str:
    """Left-justify for a terminal: a Chinese character takes two columns."""
    cols = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(1, width - cols)


def _fmt(m: Metadata | None) -> str:
    if m is None:
        return "-"
    return f"{m.speech_date or '-'} ({m.date_source or 'none'})"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m pipeline.check_reports", description=__doc__.split("\n\n")[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog=f"goals, as shares of the city reports: speech date {GOALS['date']:.0%}, with "
                                       f"the front matter removed {GOALS['date_stripped']:.0%}, speaker "
                                       f"{GOALS['speaker']:.0%}. Exit status 0 when every goal is met and no "
                                       "document failed, else 1.")
    p.add_argument("texts", nargs="?", default=str(DEFAULT_TEXTS), help=f"folder of texts (default {DEFAULT_TEXTS})")
    p.add_argument("--index", default=None, help="index.csv with title_date, title_speaker (default: next to TEXTS)")
    p.add_argument("--no-ner", action="store_true", help="full run with rules only (faster; NER adds entities)")
    p.add_argument("--no-facts", action="store_true", help="metadata only: skip the full run and its fact counts")
    p.add_argument("--jobs", type=int, default=1, help="worker processes for the full run")
    p.add_argument("--quiet", action="store_true", help="no per-document table, only the summary and the misses")
    a = p.parse_args(argv)
    texts = Path(a.texts)
    index_path = Path(a.index) if a.index else texts.parent / "index.csv"
    if not texts.is_dir() or not index_path.is_file():
        print(f"error: need a folder of texts ({texts}) and its index.csv ({index_path})", file=sys.stderr)
        return 1
    index = read_index(index_path)
    rows = [Row(f, r["kind"], r.get("title_date", ""), r.get("title_speaker", "")) for f, r in sorted(index.items())]
    settings = load_settings(texts)
    with tempfile.TemporaryDirectory(prefix="check_reports-") as tmp:
        stripped = Path(tmp) / "stripped"
        stripped.mkdir()
        strip_front_matter(texts, [r.file for r in rows if (texts / r.file).is_file()], stripped)
        for r in rows:
            try:
                r.meta = metadata_of(texts / r.file, r.file, settings)
                r.stripped = metadata_of(stripped / r.file, r.file, settings)
            except (InputRejected, OSError, UnicodeDecodeError) as e:
                r.error = f"{type(e).__name__}: {e}"
        counts, docs, errors, seconds = ({}, {}, [], 0.0) if a.no_facts else \
            full_run(texts, Path(tmp) / "kb", ner=not a.no_ner, jobs=a.jobs)
    return report(rows, counts, docs, errors, seconds, a)


def report(rows: list[Row], counts, docs, errors, seconds: float, a) -> int:
    """Print the table, the summary against the goals and every miss; 0 when all goals hold."""
    city = [r for r in rows if r.kind == "city"]
    date_ok = [r for r in city if r.meta and str(r.meta.speech_date or "") == r.silver_date]
    date_st = [r for r in city if r.stripped and str(r.stripped.speech_date or "") == r.silver_date]
    spk_ok = [r for r in city if r.meta and (r.meta.speaker or "") == r.silver_speaker]
    spk_st = [r for r in city if r.stripped and (r.stripped.speaker or "") == r.silver_speaker]
    city_found = [r for r in rows if r.meta and r.meta.city]
    city_named = [r for r in city if r.meta and r.meta.city == _place_of(r.file)]
    if not a.quiet:
        widths = (("file", 30), ("kind", 15), ("speech date (source)", 27), ("front matter removed", 27),
                  ("speaker", 19), ("city", 21))
        print("".join(_pad(h, w) for h, w in widths) + " ".join(f"{k[:5]:>5}" for k in FACTS))
        for r in rows:
            c, m = counts.get(r.file, Counter()), r.meta
            cells = (r.file, r.kind, _fmt(m), _fmt(r.stripped), (m and m.speaker) or "-", (m and m.city) or "-")
            print("".join(_pad(v, w) for v, (_, w) in zip(cells, widths))
                  + " ".join(f"{'-' if a.no_facts else c[k]:>5}" for k in FACTS) + (f"  {r.error}" if r.error else ""))
        print()
    n = len(city)
    goals = [("speech date = title_date, as given", len(date_ok), math.ceil(GOALS["date"] * n)),
             ("speech date = title_date, front matter removed", len(date_st), math.ceil(GOALS["date_stripped"] * n)),
             ("speaker = title_speaker, as given", len(spk_ok), math.ceil(GOALS["speaker"] * n))]
    print(f"city reports: {n}; all texts: {len(rows)}")
    for label, got, goal in goals:
        print(f"  {label:<48} {got:>3}/{n}  (goal >= {goal}: {'met' if got >= goal else 'MISSED'})")
    print(f"  {'speaker = title_speaker, front matter removed':<48} {len(spk_st):>3}/{n}")
    print(f"  {'city found (any text)':<48} {len(city_found):>3}/{len(rows)}")
    print(f"  {'city = the place the file is named after':<48} {len(city_named):>3}/{n}")
    sources = Counter(r.meta.date_source or "none" for r in rows if r.meta)
    print(f"  date_source, as given: {dict(sorted(sources.items()))}")
    if not a.no_facts:
        totals = {k: sum(c[k] for c in counts.values()) for k in FACTS}
        print(f"full run ({'rules only, --no-ner' if a.no_ner else 'rules + NER'}, {seconds:.0f} s): "
              f"{len(docs)} documents, failures {len(errors)}; " + ", ".join(f"{k} {v}" for k, v in totals.items()))
        no_figs = [r.file for r in rows if r.file in docs and not counts.get(r.file, Counter())["figures"]]
        print(f"  documents without figures: {', '.join(no_figs) or 'none'}")
        undated = [r.file for r in rows if r.file in docs and not docs[r.file].speech_date]
        print(f"  documents without a speech date in documents.csv: {', '.join(undated) or 'none'}")
    print("misses:")
    for label, ok, attr, silver in (("date", date_ok, "meta", "silver_date"),
                                    ("date, front matter removed", date_st, "stripped", "silver_date"),
                                    ("speaker", spk_ok, "meta", "silver_speaker"),
                                    ("speaker, front matter removed", spk_st, "stripped", "silver_speaker")):
        for r in city:
            if r not in ok:
                m = getattr(r, attr)
                got = (m.speech_date if "date" in label else m.speaker) if m else r.error
                print(f"  {label}: {r.file}: got {got or '-'}, index says {getattr(r, silver) or '-'}")
    for r in city:
        if r not in city_named:
            print(f"  city: {r.file}: got {(r.meta and r.meta.city) or '-'}")
    for e in errors:
        print(f"  failed: {e.source} ({e.stage}, {e.error}): {e.message}")
    notices = [notice for r in rows if r.meta and (notice := date_notice(r.meta, r.file))]
    print(f"date fallbacks ({len(notices)}; the stderr lines of read_metadata(..., source=)):")
    for notice in notices:
        print(f"  {notice}")
    ok = all(got >= goal for _, got, goal in goals) and not errors and not any(r.error for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
