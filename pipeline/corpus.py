"""Run the pipeline over a corpus folder: read, dedupe, per-document stages, link, write.

Inputs are read one at a time and a bad one becomes a row of errors.csv, never
a crash. Documents are identified by the hash of their decoded text, so copies
of one bulletin (two names, two encodings) are processed once.
"""
from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .cache import doc_key, pipeline_fingerprint
from .config import Settings
from .entity_link import link_entities
from .executor import process_all
from .link import figure_history, targets_of, targets_vs_actuals
from .metadata import date_notice
from .model import DocResult, ErrorRow, SourceDoc
from .readers import InputRejected, read_source
from .runlock import run_lock
from .stages import doc_id_of
from .write import recover, render_lazy, verify, write_kb


@dataclass
class RunReport:
    results: list[DocResult] = field(default_factory=list)
    errors: list[ErrorRow] = field(default_factory=list)
    tables: dict = field(default_factory=dict)
    counts: dict = field(default_factory=dict)  # rows per kind of fact (the summary `extract` prints)
    up_to_date: bool = False                    # nothing changed since the KB in out/ was written: not rewritten

    @property
    def exit_code(self) -> int:
        return 3 if self.errors else 0


CONFIG_NAME = "corpus.toml"  # the corpus's own settings (config.load_settings), not an input


def discover(corpus: Path, skip: tuple[Path, ...] = ()) -> list[Path]:
    """Every input under corpus, sorted by relative path: every file, whatever its suffix, and anything
    that is not a regular file (dangling link, FIFO), so that what the readers cannot take (.doc, images,
    archives, a stray README) becomes an errors.csv row and a stderr line instead of being skipped without
    a word (a folder of unknown files used to give an empty KB and exit 0). Not inputs: the corpus's own
    corpus.toml, hidden files and folders (.git, .DS_Store, .extracted.new), and the folders in `skip`
    (the output folder, when it lies inside the corpus). Folders are walked, whatever their name."""
    skip = tuple(os.path.realpath(p) + os.sep for p in skip)
    files = []
    for p in corpus.rglob("*"):
        rel = p.relative_to(corpus)
        if any(part.startswith(".") for part in rel.parts) or rel.as_posix() == CONFIG_NAME:
            continue
        if p.is_dir() and not p.is_symlink():
            continue  # a real folder: rglob walks into it
        if skip and os.path.realpath(p).startswith(skip):  # realpath: no error on a symlink loop
            continue
        files.append(p)
    return sorted(files, key=lambda p: p.relative_to(corpus).as_posix())


def read_inputs(corpus: Path, files: list[Path]) -> tuple[list[SourceDoc], list[ErrorRow]]:
    """Distinct texts (copies merged, all their paths kept) and the rejected inputs.

    A rejection becomes an errors.csv row and one stderr line "rejected: <path> (<error>): <why>"; so does
    any other exception a reader raises (error "reader_error").
    """
    by_id: dict[str, SourceDoc] = {}
    errors = []
    for p in files:
        rel = p.relative_to(corpus).as_posix()
        try:
            st = read_source(p)
        except Exception as e:  # a reader bug on a strange file must not stop the run either
            if not isinstance(e, InputRejected):
                e = InputRejected("reader_error", f"{p.name}: the {p.suffix.lower()} reader failed "
                                  f"({type(e).__name__}: {e}); the file is probably damaged (re-export it)")
            errors.append(ErrorRow(rel, "read", e.error, e.message))
            why = e.message.removeprefix(f"{p.name}: ")
            print(f"rejected: {rel} ({e.error}): {why}", file=sys.stderr)
            continue
        key = doc_id_of(st.text)
        if key in by_id:
            by_id[key].sources.append(rel)
        else:
            by_id[key] = SourceDoc(st.text, st.format, st.encoding, [rel])
    return [by_id[k] for k in sorted(by_id)], errors


def link_corpus(results: list[DocResult], errors: list[ErrorRow]) -> dict[str, list]:
    """Corpus stages: entities across documents, figure series, targets vs actuals."""
    results = sorted(results, key=lambda r: r.document.doc_id)
    mentions, entities = link_entities(results)
    figures = [f for r in results for f in r.figures]
    targets = targets_of(figures)
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


GC_THRESHOLDS = (5000, 20, 20)  # Python's are (700, 10, 10)


@contextlib.contextmanager
def fewer_gc_passes():
    """Cyclic garbage collection less often while a run builds its rows. The rows hold no cycles
    (reference counting frees them), yet each collection walks every live one, and a run keeps a whole
    corpus of them: at the default thresholds the walks were 3-4 % of a run, now well under 1 %. Worker
    processes forked for --jobs inherit the setting."""
    old = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*old)


def run(corpus: Path, out: Path, settings: Settings, jobs: int = 1, progress: bool | None = None,
        engine: str = "local", scheduler: str | None = None, cache_dir: Path | None = None,
        wait: bool = True, xlsx: bool = False) -> RunReport:
    """Read, extract, link and write the KB of corpus into out (kb.xlsx too when asked: rendering every
    row as a spreadsheet cell costs about as much as linking the corpus). One run at a time writes out:
    another run on it is waited for (wait=False: runlock.RunLocked is raised instead)."""
    with run_lock(out, wait=wait):
        return _run(corpus, out, settings, jobs, progress, engine, scheduler, cache_dir, xlsx)


def _run(corpus: Path, out: Path, settings: Settings, jobs: int, progress: bool | None, engine: str,
         scheduler: str | None, cache_dir: Path | None, xlsx: bool) -> RunReport:
    files = discover(corpus, skip=(Path(out),))
    docs, errors = read_inputs(corpus, files)
    stamp = RunStamp(cache_dir, out, settings, docs, errors, xlsx) if cache_dir is not None else None
    if stamp is not None and (counts := stamp.unchanged()) is not None:
        return RunReport([], errors, {}, counts, up_to_date=True)
    with fewer_gc_passes():
        results, failed = process_all(docs, settings, jobs=jobs, progress=progress, engine=engine,
                                      scheduler=scheduler, cache_dir=cache_dir, keep_sentences=xlsx)
        errors.extend(failed)
        for r in results:  # here, not in the workers: a document taken from the cache is reported too
            if notice := date_notice(r.document, r.document.source):
                print(notice, file=sys.stderr)
        tables = link_corpus(results, errors)
        extra = {f"texts/{r.document.doc_id}.txt": s.text.encode("utf-8")
                 for r, s in _pairs(results, docs) if r.document.format not in ("txt", "md")}
        counts = summary_counts(tables)
        pre = {r.document.doc_id: r.rendered for r in results if r.rendered is not None}
        write_kb(out, render_lazy(tables, xlsx=xlsx, pre=pre), extra)
    if stamp is not None and not failed:  # a failure may be passing (memory ...): the next run retries it
        stamp.record(counts)
    return RunReport(results, errors, tables, counts)


def summary_counts(tables: dict) -> dict[str, int]:
    ents = tables["entities"]
    return {"documents": len(tables["documents"]), "sentences": sum(d.n_sentences for d in tables["documents"]),
            "figures": len(tables["figures"]), "targets": len(tables["targets"]),
            "deadlines": len(tables["deadlines"]),
            "enterprises": sum(1 for e in ents if e.type == "enterprise"),
            "projects": sum(1 for e in ents if e.type == "project"),
            "series": len({h.series_id for h in tables["figure_history"]})}


class RunStamp:
    """Whether out/ already holds the KB of exactly these inputs under this pipeline: then a rerun has
    nothing to do (`make extract` with no new bulletin). Kept in the cache folder, next to the entries it
    vouches for, as (inputs digest, manifest digest, each KB file's size and modification time); a file
    whose size or time moved is hashed against the manifest, so an edited or damaged KB is rewritten, and a
    KB nobody touched is not read through again."""

    def __init__(self, cache_dir: Path, out: Path, settings: Settings, docs: list[SourceDoc], errors: list[ErrorRow],
                 xlsx: bool = False):
        h = hashlib.sha256(f"{pipeline_fingerprint(settings)}|xlsx={xlsx}".encode())
        for d in docs:
            h.update(doc_key(d).encode())
        h.update(json.dumps([list(map(str, dataclasses.astuple(e))) for e in errors], ensure_ascii=False).encode())
        self.inputs = h.hexdigest()
        self.out = Path(out)
        where = hashlib.sha256(str(self.out.resolve()).encode()).hexdigest()[:24]
        self.path = Path(cache_dir) / "runs" / f"{where}.json"

    def _manifest_digest(self) -> str | None:
        try:
            return hashlib.sha256((self.out / "manifest.json").read_bytes()).hexdigest()
        except OSError:
            return None

    def unchanged(self) -> dict | None:
        """The recorded counts when nothing changed, else None."""
        try:
            rec = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(rec, dict) or rec.get("inputs") != self.inputs:
            return None
        recover(self.out)  # a crash after the last run's write: finish or undo it first
        if rec.get("manifest") != self._manifest_digest():
            return None
        if rec.get("files") != self._stats() and verify(self.out):
            return None
        return rec.get("counts")

    def _stats(self) -> dict[str, list[int]] | None:
        """Size and modification time of every file the manifest lists, and of the manifest."""
        try:
            names = json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))["files"]
            out = {}
            for name in [*names, "manifest.json"]:
                st = (self.out / name).stat()
                out[name] = [st.st_size, st.st_mtime_ns]
            return out
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def record(self, counts: dict) -> None:
        """Vouch for the KB just written. A stamp that cannot be written costs the next run its shortcut,
        never this run its result."""
        rec = {"inputs": self.inputs, "manifest": self._manifest_digest(), "out": str(self.out), "counts": counts,
               "files": self._stats()}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(rec, f, ensure_ascii=False)
            os.replace(tmp, self.path)
        except OSError as e:
            print(f"warning: could not record the run in {self.path.parent} ({e}); the next run redoes the work",
                  file=sys.stderr)


def _pairs(results, docs):
    by_src = {d.sources[0]: d for d in docs}
    return [(r, by_src[r.document.source]) for r in results if r.document.source in by_src]
