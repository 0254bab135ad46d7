"""Whether a run has anything to do: the inputs read, and the stamp of the last run into the same out/.

`make extract` with nothing new is the commonest run. Everything it needs (reading the inputs, hashing
them with the pipeline's fingerprint, comparing with the stamp) lives here and in modules as light as
this one, so that the command line can answer "up to date" without importing the stages, the models and
the writers (corpus.py): their import was most of a no-change rerun's time.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import write_whole
from .cache import doc_key, pipeline_fingerprint
from .config import Settings
from .inputs import discover, read_inputs
from .model import DocResult, ErrorRow, SourceDoc
from .kbstore import recover, verify


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


class RunStamp:
    """Whether out/ already holds the KB of exactly these inputs under this pipeline: then a rerun has
    nothing to do (`make extract` with no new bulletin). Kept in the cache folder, next to the entries it
    vouches for, as (inputs digest, manifest digest, each KB file's size and modification time); a file
    whose size or time moved is hashed against the manifest, so an edited or damaged KB is rewritten, and a
    KB nobody touched is not read through again."""

    def __init__(self, cache_dir: Path, out: Path, settings: Settings, docs: list[SourceDoc], errors: list[ErrorRow],
                 xlsx: bool = False):
        self.fingerprint = pipeline_fingerprint(settings)
        h = hashlib.sha256(f"{self.fingerprint}|xlsx={xlsx}".encode())
        for d in docs:
            h.update(doc_key(d).encode())
        h.update(json.dumps([list(map(str, dataclasses.astuple(e))) for e in errors], ensure_ascii=False).encode())
        self.inputs = h.hexdigest()
        self.out = Path(out)
        where = hashlib.sha256(str(self.out.resolve()).encode()).hexdigest()[:24]
        self.path = Path(cache_dir) / "runs" / f"{where}.json"
        self.links_path = self.path.with_suffix(".links.pickle")

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

    def known_links(self):
        """(document ids, targets_vs_actuals rows) of the last run into out under this pipeline, or None:
        link.targets_vs_actuals keeps the rows between documents it linked then."""
        try:
            with open(self.links_path, "rb") as f:
                fingerprint, known = pickle.load(f)
        except Exception:  # absent, truncated, from another version: link everything
            return None
        return known if fingerprint == self.fingerprint else None

    def record(self, counts: dict, links=None) -> None:
        """Vouch for the KB just written (and keep links: see known_links). A stamp that cannot be written
        costs the next run its shortcut, never this run its result."""
        rec = {"inputs": self.inputs, "manifest": self._manifest_digest(), "out": str(self.out), "counts": counts,
               "files": self._stats()}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if links is not None:
                write_whole(self.links_path, pickle.dumps((self.fingerprint, links), protocol=pickle.HIGHEST_PROTOCOL))
            write_whole(self.path, json.dumps(rec, ensure_ascii=False).encode("utf-8"))
        except OSError as e:
            print(f"warning: could not record the run in {self.path.parent} ({e}); the next run redoes the work",
                  file=sys.stderr)


@dataclass
class Prepared:
    """A corpus's inputs as read under the run lock, and whether out/ already holds their KB."""
    docs: list[SourceDoc]
    errors: list[ErrorRow]
    stamp: RunStamp | None   # None: no cache, so no memory of earlier runs
    counts: dict | None      # the last run's counts when nothing changed since, else None


def prepare(corpus: Path, out: Path, settings: Settings, cache_dir: Path | None, xlsx: bool) -> Prepared:
    """Read corpus's inputs and check the stamp; the caller holds out's run lock (recover may finish an
    interrupted write)."""
    docs, errors = read_inputs(corpus, discover(corpus, skip=(Path(out),)))
    stamp = RunStamp(cache_dir, out, settings, docs, errors, xlsx) if cache_dir is not None else None
    return Prepared(docs, errors, stamp, stamp.unchanged() if stamp is not None else None)


def up_to_date(p: Prepared) -> RunReport:
    return RunReport([], p.errors, {}, p.counts, up_to_date=True)
