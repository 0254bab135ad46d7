"""Per-document result cache: the reason an incremental run does no work twice.

An entry is one pickled DocResult, stored under a folder named by the pipeline
fingerprint (code, resources, library versions, settings) and a file named by
the document key (its text and every path it was found under, since
documents.csv records them). Any change to the pipeline therefore misses the
whole cache, and any change to a bulletin misses only that bulletin. Entries
are written atomically (temporary file + rename) so a crash never leaves a
half-written one; an unreadable entry counts as a miss and is recomputed.
"""
from __future__ import annotations

import hashlib
import json
import pickle
import shutil
import sys
import time
from pathlib import Path

from .atomic import write_whole
from .model import DocResult, SourceDoc

FORMAT = "v1"  # bump when the entry layout changes
PACKAGE_DIR = Path(__file__).resolve().parent
# Third-party code whose behaviour reaches per-document results (segmenter, NER, regex engine,
# entity classifier's arithmetic, division data, Traditional->Simplified table, numerals).
LIBRARIES = ("jieba", "jieba-next", "numpy", "regex", "cpca", "zhconv", "cn2an")


def _version(dist: str) -> str:
    from importlib import metadata  # lazy: 15 ms of every start-up, a rerun's included; asked once per run
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "-"


def code_fingerprint(package_dir: Path = PACKAGE_DIR) -> str:
    """sha256 over every source and resource file of the package (paths and bytes), plus library versions."""
    h = hashlib.sha256(f"{FORMAT}|{sys.version_info[:2]}".encode())
    files = sorted(p for p in package_dir.rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"))
    for p in files:
        rel = p.relative_to(package_dir).as_posix()
        h.update(f"\0{rel}\0{p.stat().st_size}\0".encode())
        with open(p, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    for dist in LIBRARIES:
        h.update(f"\0{dist}={_version(dist)}".encode())
    return h.hexdigest()


def pipeline_fingerprint(settings) -> str:
    return hashlib.sha256(f"{code_fingerprint()}|{settings.fingerprint()}".encode()).hexdigest()[:24]


def doc_key(doc: SourceDoc) -> str:
    """What a DocResult depends on besides the pipeline: the text and the input's paths, format, encoding."""
    h = hashlib.sha256(doc.text.encode("utf-8"))
    h.update(json.dumps([doc.sources, doc.format, doc.encoding], ensure_ascii=False).encode("utf-8"))
    return h.hexdigest()


class DocCache:
    """Entries of one pipeline fingerprint under root/<fingerprint>/<key>.pkl."""

    SUFFIX = ".pkl"

    def __init__(self, root: Path, fingerprint: str):
        self.root = Path(root)
        self.dir = self.root / fingerprint
        self.used: set[str] = set()

    def _path(self, key: str) -> Path:
        return self.dir / f"{key}{self.SUFFIX}"

    def has(self, key: str) -> bool:
        """Whether an entry is stored under key (get() may still find it unreadable)."""
        return self._path(key).is_file()

    def get(self, key: str) -> DocResult | None:
        """The cached result, or None when absent or unreadable (it will be recomputed and rewritten)."""
        self.used.add(key)
        try:
            with open(self._path(key), "rb") as f:
                stored_key, result = pickle.load(f)
        except FileNotFoundError:
            return None
        except Exception:  # truncated, corrupt, or from an incompatible version: a miss
            return None
        if stored_key != key or not isinstance(result, DocResult):
            return None
        return result

    def put(self, key: str, result: DocResult) -> None:
        self.used.add(key)
        self.dir.mkdir(parents=True, exist_ok=True)
        write_whole(self._path(key), pickle.dumps((key, result), protocol=pickle.HIGHEST_PROTOCOL))

    def prune(self) -> int:
        """Delete entries this run did not use (deleted or changed bulletins) and other fingerprints' folders.

        Only names this cache writes are touched, so a --cache pointed at a wrong folder deletes nothing else.
        """
        removed = 0
        if not self.root.is_dir():
            return 0
        for sub in self.root.iterdir():
            if not (sub.is_dir() and _is_fingerprint(sub.name)):
                continue
            for p in sub.iterdir():
                stem = p.name[:-len(self.SUFFIX)] if p.name.endswith(self.SUFFIX) else None
                stale = (stem is not None and _is_key(stem) and (sub != self.dir or stem not in self.used)) \
                    or (p.name.startswith(".tmp-") and time.time() - p.stat().st_mtime > 3600)  # crashed writer
                if stale and p.is_file():
                    p.unlink(missing_ok=True)
                    removed += 1
            if sub != self.dir and not any(sub.iterdir()):
                shutil.rmtree(sub, ignore_errors=True)
        return removed


def _is_hex(s: str, n: int) -> bool:
    return len(s) == n and all(c in "0123456789abcdef" for c in s)


def _is_fingerprint(name: str) -> bool:
    return _is_hex(name, 24)


def _is_key(name: str) -> bool:
    return _is_hex(name, 64)
