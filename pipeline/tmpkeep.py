"""Values slow to build and the same for every run of one installation, kept in the temporary folder.

jieba keeps its prefix dictionary there (jieba.cache); the pipeline keeps its dictionary table, the
tagger's compact model and the segmenter's dictionary total the same way, each named by a digest of the
files it is built from: building them took about a second in every process (each worker, each rerun),
reading them back takes a few milliseconds. What is read back must pass the caller's check, else it is
built again; the value is the built one either way (each caller's tests compare).
"""
from __future__ import annotations

import pickle
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

from .atomic import write_whole

T = TypeVar("T")


def kept_path(name: str, digest: str) -> Path:
    return Path(tempfile.gettempdir()) / f"bulletin-pipeline-{name}-{digest[:20]}.pickle"


def kept(name: str, digest: str, build: Callable[[], T], valid: Callable[[object], bool]) -> T:
    """The value kept under (name, digest) if it reads back and valid(value), else build() (then kept)."""
    path = kept_path(name, digest)
    try:
        with open(path, "rb") as f:
            value = pickle.load(f)
        if valid(value):
            return value
    except Exception:  # absent, truncated, or written by another version: build it again
        pass
    value = build()
    try:
        write_whole(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), prefix=f".bulletin-pipeline-{name}-")
    except OSError:  # a read-only temporary folder costs speed, not the value
        pass
    return value
