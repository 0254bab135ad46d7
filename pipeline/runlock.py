"""One run at a time on one output folder: a lock file beside it, held for the whole run.

Two `extract` runs writing one extracted/ would interleave their KB swaps and
run stamps; the second one waits for the first (saying so on stderr), or, with
wait=False, stops with a clear message. The lock is an flock on
`.<out>.lock` next to the output folder (a hidden name, so a corpus folder that
holds its output does not take it as an input); the operating system drops it
when its process ends, so a crashed run never leaves a stale lock behind.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import sys
from pathlib import Path


class RunLocked(RuntimeError):
    """Another run holds the output folder and we were told not to wait."""


def lock_path(out: Path) -> Path:
    out = Path(out).resolve()
    return out.parent / f".{out.name}.lock"


@contextlib.contextmanager
def run_lock(out: Path, wait: bool = True):
    """Hold the output folder's lock for the block; wait for another run to finish, or raise RunLocked."""
    path = lock_path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "another process"
            if not wait:
                raise RunLocked(f"{out} is being written by another run (pid {holder}); wait for it to end, "
                                f"or write elsewhere with --out") from None
            print(f"waiting: {out} is being written by another run (pid {holder}) ...", file=sys.stderr, flush=True)
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
        yield path
    finally:
        os.close(fd)  # closing the descriptor releases the lock
