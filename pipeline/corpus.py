"""Run the pipeline over a corpus folder: read, dedupe, per-document stages, link, write.

Reading the inputs and the no-change check live in inputs.py and runstamp.py (light modules, so a rerun
with nothing new does not load the stages); this module runs the stages over what changed, links the
corpus and writes its KB.
"""
from __future__ import annotations

import contextlib
import gc
import sys
from pathlib import Path

from . import entity_link
from .config import Settings
from .entity_link import link_entities
from .executor import process_all
from .forked import Forked
from .link import figure_history, targets_of, targets_vs_actuals
from .metadata import date_notice
from .model import DocResult, ErrorRow
from .runlock import run_lock
from .kbstore import write_kb
from .runstamp import Prepared, RunReport, prepare, up_to_date
from .write import render_lazy


def link_corpus(results: list[DocResult], errors: list[ErrorRow], known_links=None, parallel: bool = False
                ) -> dict[str, list]:
    """Corpus stages: entities across documents, figure series, targets vs actuals (known_links: the last
    run's, see link.targets_vs_actuals). parallel: the figure series and targets vs actuals each in a
    forked child (forked.py) while this process clusters entities; the same tables."""
    results = sorted(results, key=lambda r: r.document.doc_id)
    figures = [f for r in results for f in r.figures]
    docs = {r.document.doc_id: r.document for r in results}
    series = Forked(figure_history, figures, docs, parallel=parallel)
    # with the last run's links only the new documents' pairs are made (a few hundredths of a second): here,
    # after the entities, rather than in a third process competing with this one for two cores
    tva = Forked(targets_vs_actuals, figures, docs, known_links, parallel=parallel and known_links is None)
    mentions, entities = link_entities(results)
    targets = targets_of(figures)
    history, tva = series.result(), tva.result()
    return {
        "documents": [r.document for r in results],
        "sentences": [s for r in results for s in r.sentences],
        "figures": figures,
        "targets": targets,
        "deadlines": [d for r in results for d in r.deadlines],
        "mentions": mentions,
        "entities": entities,
        "figure_history": history,
        "targets_vs_actuals": tva,
        "errors": errors,
    }


GC_THRESHOLDS = (100_000, 50, 50)  # Python's are (700, 10, 10)


@contextlib.contextmanager
def fewer_gc_passes():
    """Cyclic garbage collection less often while a run builds its rows. The rows hold no cycles
    (reference counting frees them), yet each collection walks every live one, and a run keeps a whole
    corpus of them: at Python's thresholds the walks were 4-5 % of a run; with what is done frozen
    (executor.settle), 0.24 s of 14 on the 120 real texts with --jobs 1 at (5000, 20, 20) and 0.02 s (two
    collections) at these. A gen-0 pass every 100,000 container allocations holds at most that many
    objects of cyclic garbage a little longer: a document makes none (a test checks). Worker
    processes forked for --jobs inherit the setting. What the run freezes out of the collector's walks as
    each document is done (executor.settle) is unfrozen when it ends."""
    old = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def run(corpus: Path, out: Path, settings: Settings, jobs: int = 1, progress: bool | None = None,
        engine: str = "local", scheduler: str | None = None, cache_dir: Path | None = None,
        wait: bool = True, xlsx: bool = False) -> RunReport:
    """Read, extract, link and write the KB of corpus into out (kb.xlsx too when asked: rendering every
    row as a spreadsheet cell costs about as much as linking the corpus). One run at a time writes out:
    another run on it is waited for (wait=False: runlock.RunLocked is raised instead)."""
    with run_lock(out, wait=wait):
        p = prepare(corpus, out, settings, cache_dir, xlsx)
        return run_prepared(p, out, settings, jobs, progress, engine, scheduler, cache_dir, xlsx)


def run_prepared(p: Prepared, out: Path, settings: Settings, jobs: int = 1, progress: bool | None = None,
                 engine: str = "local", scheduler: str | None = None, cache_dir: Path | None = None,
                 xlsx: bool = False, kept: dict | None = None, noticed: set | None = None) -> RunReport:
    """The run of inputs already read by runstamp.prepare; the caller holds out's run lock. kept: see
    executor.process_all (a process that runs again and again keeps its last results); noticed: the
    documents whose notices (a missing speech date) such a process has printed already, not printed again."""
    if p.counts is not None:
        return up_to_date(p)
    docs, errors, stamp = p.docs, list(p.errors), p.stamp
    with fewer_gc_passes():
        results, failed = process_all(docs, settings, jobs=jobs, progress=progress, engine=engine,
                                      scheduler=scheduler, cache_dir=cache_dir, keep_sentences=xlsx,
                                      while_waiting=entity_link.ready, kept=kept)
        errors.extend(failed)
        for r in results:  # here, not in the workers: a document taken from the cache is reported too
            if noticed is not None and r.document.doc_id in noticed:
                continue
            if notice := date_notice(r.document, r.document.source):
                print(notice, file=sys.stderr)
            if noticed is not None:
                noticed.add(r.document.doc_id)
        tables = link_corpus(results, errors, stamp.known_links() if stamp is not None else None, jobs > 1)
        extra = {f"texts/{r.document.doc_id}.txt": s.text.encode("utf-8")
                 for r, s in _pairs(results, docs) if r.document.format not in ("txt", "md")}
        counts = summary_counts(tables)
        pre = {r.document.doc_id: r.rendered for r in results if r.rendered is not None}
        write_kb(out, render_lazy(tables, xlsx=xlsx, pre=pre), extra, parallel=jobs > 1)
    if stamp is not None and not failed:  # a failure may be passing (memory ...): the next run retries it
        stamp.record(counts, (frozenset(d.doc_id for d in tables["documents"]), tables["targets_vs_actuals"]))
    return RunReport(results, errors, tables, counts)


def summary_counts(tables: dict) -> dict[str, int]:
    ents = tables["entities"]
    return {"documents": len(tables["documents"]), "sentences": sum(d.n_sentences for d in tables["documents"]),
            "figures": len(tables["figures"]), "targets": len(tables["targets"]),
            "deadlines": len(tables["deadlines"]),
            "enterprises": sum(1 for e in ents if e.type == "enterprise"),
            "projects": sum(1 for e in ents if e.type == "project"),
            "series": len({h.series_id for h in tables["figure_history"]})}


def _pairs(results, docs):
    by_src = {d.sources[0]: d for d in docs}
    return [(r, by_src[r.document.source]) for r in results if r.document.source in by_src]
