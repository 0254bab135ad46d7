"""Run the pipeline over a corpus folder: read, dedupe, per-document stages, link, write.

Inputs are read one at a time and a bad one becomes a row of errors.csv, never
a crash. Documents are identified by the hash of their decoded text, so copies
of one bulletin (two names, two encodings) are processed once.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings
from .model import DocResult, ErrorRow, SourceDoc, TargetRow


@dataclass
class RunReport:
    results: list[DocResult] = field(default_factory=list)
    errors: list[ErrorRow] = field(default_factory=list)
    tables: dict = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        return 3 if self.errors else 0


def discover(corpus: Path) -> list[Path]:
    from .readers import SUPPORTED_SUFFIXES

    files = [p for p in corpus.rglob("*") if p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
             and (p.is_file() or not p.exists() or p.is_symlink())]
    return sorted(files, key=lambda p: p.relative_to(corpus).as_posix())


def read_inputs(corpus: Path, files: list[Path]) -> tuple[list[SourceDoc], list[ErrorRow]]:
    """Distinct texts (copies merged, all their paths kept) and the rejected inputs."""
    from .readers import InputRejected, read_source
    from .runner import doc_id_of

    by_id: dict[str, SourceDoc] = {}
    errors = []
    for p in files:
        rel = p.relative_to(corpus).as_posix()
        try:
            st = read_source(p)
        except InputRejected as e:
            errors.append(ErrorRow(rel, "read", e.error, e.message))
            print(f"rejected: {rel}: {e.message}", file=sys.stderr)
            continue
        key = doc_id_of(st.text)
        if key in by_id:
            by_id[key].sources.append(rel)
        else:
            by_id[key] = SourceDoc(st.text, st.format, st.encoding, [rel])
    return [by_id[k] for k in sorted(by_id)], errors


def link_corpus(results: list[DocResult], errors: list[ErrorRow]) -> dict[str, list]:
    """Corpus stages: entities across documents, figure series, targets vs actuals."""
    from .entity_link import link_entities
    from .link import figure_history, target_id, targets_vs_actuals

    results = sorted(results, key=lambda r: r.document.doc_id)
    mentions, entities = link_entities(results)
    figures = [f for r in results for f in r.figures]
    targets = [TargetRow(target_id(f), f.figure_id, f.doc_id, f.start, f.end, f.mention, f.value, f.value_max,
                         f.unit, f.qualifier, f.indicator, f.scope, f.period, f.commitment, f.sentence)
               for f in figures if f.kind == "target"]
    docs = {r.document.doc_id: r.document for r in results}
    history = figure_history(figures, docs)
    return {
        "documents": [r.document for r in results],
        "sentences": [s for r in results for s in r.sentences],
        "figures": figures,
        "targets": targets,
        "deadlines": [d for r in results for d in r.deadlines],
        "mentions": mentions,
        "entities": entities,
        "figure_history": history,
        "targets_vs_actuals": targets_vs_actuals(figures, docs),
        "errors": errors,
    }


def run(corpus: Path, out: Path, settings: Settings, jobs: int = 1, progress: bool | None = None,
        engine: str = "local", scheduler: str | None = None, cache_dir: Path | None = None) -> RunReport:
    from .executor import process_all
    from .write import render, write_kb

    files = discover(corpus)
    docs, errors = read_inputs(corpus, files)
    results, failed = process_all(docs, settings, jobs=jobs, progress=progress, engine=engine,
                                  scheduler=scheduler, cache_dir=cache_dir)
    errors.extend(failed)
    tables = link_corpus(results, errors)
    extra = {f"texts/{r.document.doc_id}.txt": s.text.encode("utf-8")
             for r, s in _pairs(results, docs) if r.document.format != "txt"}
    write_kb(out, render(tables), extra)
    return RunReport(results, errors, tables)


def _pairs(results, docs):
    by_src = {d.sources[0]: d for d in docs}
    return [(r, by_src[r.document.source]) for r in results if r.document.source in by_src]
