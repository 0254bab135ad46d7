"""Write a file whole or not at all: a temporary file beside it, renamed over it.

The cache's entries, the run stamp and its kept links, and the values kept in the temporary folder are
all read back by later runs; a run stopped halfway must leave the old file or none, never half of one.
(The KB's own folder is swapped as a whole: kbstore.py.)
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_whole(path: Path, data: bytes, prefix: str = ".tmp-") -> None:
    """path holds data, or what it held before (the temporary file, named prefix..., is removed on error)."""
    fd, tmp = tempfile.mkstemp(prefix=prefix, dir=Path(path).parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
