"""One function run in a forked child process while this one goes on: the corpus stages side by side.

After the documents are done, a run links the corpus and writes its KB in the main process, one step at a
time, while the second core waits. Some of those steps need nothing of each other (targets vs actuals and
the entity clusters; kb.json and the CSVs): with --jobs 2 or more, one of them runs in a child forked from
this process, which sees every table as it is (copy-on-write, nothing pickled on the way in) and sends its
result back pickled through a pipe. Where there is no fork (not POSIX), or with --jobs 1, the function
runs in this process when its result is asked for: the same result, one core.
"""
from __future__ import annotations

import ctypes
import os
import pickle
import signal
import sys
import traceback
from typing import Callable


def _die_with_parent() -> None:
    """On Linux, the child is killed if this process dies first (a run killed mid-write leaves no writer
    behind, in a folder the next run's kbstore.recover removes)."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


class Forked:
    """The result of fn(*args), computed in a forked child (parallel=True and os.fork exists) or here."""

    def __init__(self, fn: Callable, *args, parallel: bool = True):
        self._fn, self._args = fn, args
        self._pid = None
        if parallel and hasattr(os, "fork"):
            r, w = os.pipe()
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:  # the child: compute, send, and leave without running the parent's exit handlers
                os.close(r)
                _die_with_parent()
                code = 0
                try:
                    payload = pickle.dumps((True, fn(*args)), protocol=pickle.HIGHEST_PROTOCOL)
                except BaseException as e:  # noqa: BLE001 - everything goes back to the parent
                    payload = pickle.dumps((False, f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=8)}"))
                    code = 1
                try:
                    with os.fdopen(w, "wb") as f:
                        f.write(payload)
                finally:
                    os._exit(code)
            os.close(w)
            self._pid, self._read = pid, r

    def result(self):
        """fn's return value; its exception (as a RuntimeError with the child's traceback) if it raised."""
        if self._pid is None:
            return self._fn(*self._args)
        with os.fdopen(self._read, "rb") as f:
            data = f.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = None
        try:
            ok, value = pickle.loads(data)
        except Exception:  # the child died before it could answer (killed, out of memory)
            raise RuntimeError(f"a forked step ({getattr(self._fn, '__name__', self._fn)}) ended without a "
                               f"result (wait status {status})") from None
        if not ok:
            raise RuntimeError(f"a forked step ({getattr(self._fn, '__name__', self._fn)}) failed: {value}")
        return value
