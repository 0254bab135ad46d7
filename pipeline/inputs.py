"""What a corpus folder holds: its inputs found, read and decoded, copies of one text merged.

Kept apart from the run (corpus.py) so that a rerun can read its inputs and learn that nothing changed
without loading the stages (runstamp.py, cli.py). Inputs are read one at a time and a bad one becomes
an errors.csv row, never a crash. Documents are identified by the hash of their decoded text, so copies
of one bulletin (two names, two encodings) are processed once.
"""
from __future__ import annotations

import hashlib
import os
import sys
from pathlib import Path

from .model import ErrorRow, SourceDoc
from .readers import InputRejected, read_source

CONFIG_NAME = "corpus.toml"  # the corpus's own settings (config.load_settings), not an input


def doc_id_of(text: str) -> str:
    """Stable id from the decoded text: the same bulletin in two encodings is one document."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


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
