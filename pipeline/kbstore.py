"""The KB's files on disk: written into a new folder, fsynced, and swapped in place of the old one at once.

Kept apart from the rendering (write.py) so that the no-change check of a rerun (runstamp.py), which only
verifies and recovers the folder, does not load the renderers and the spreadsheet writer.
"""
from __future__ import annotations

import ctypes
import errno
import functools
import hashlib
import json
import os
import shutil
import sys
import typing
from pathlib import Path

from .forked import Forked


def _paths(out: Path) -> tuple[Path, Path]:
    return out.with_name(f".{out.name}.new"), out.with_name(f".{out.name}.old")


def _target(out: Path) -> Path:
    """out, or the folder it links to: a symlinked extracted/ keeps its link, the KB goes where it points."""
    out = Path(out)
    return Path(os.path.realpath(out)) if os.path.islink(out) else out


def _remove(p: Path) -> None:
    if os.path.islink(p) or not os.path.isdir(p):
        os.unlink(p)
    else:
        shutil.rmtree(p)


def _fsync_dir(path: Path) -> None:
    """Make a directory's entries (created files, renames) durable."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@functools.cache
def _renameat2():
    """libc's renameat2 (glibc >= 2.28), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2
_NO_EXCHANGE = {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one atomic step (Linux RENAME_EXCHANGE); False where unsupported."""
    fn = _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in _NO_EXCHANGE:
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def verify(folder: Path) -> list[str]:
    """Problems of a written KB: manifest.json missing or unreadable, a listed file missing or changed."""
    folder = Path(folder)
    try:
        listed = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        return [f"manifest.json: {type(e).__name__}: {e}"]
    problems = []
    for name, digest in listed.items():
        try:
            if hashlib.sha256((folder / name).read_bytes()).hexdigest() != digest:
                problems.append(f"{name}: sha256 differs from manifest.json")
        except OSError as e:
            problems.append(f"{name}: {e.strerror or e}")
    return problems


def recover(out: Path) -> None:
    """Put back a complete KB after a crash at any moment of write_kb, and remove the leftovers.

    States a crash can leave (N = .out.new, O = .out.old):
    out present: N partial, or N holding the previous KB after an exchange, or O being deleted -> drop both.
    out missing, O present: killed between the two renames -> O (the previous KB, complete) goes back.
    out missing, no O: a first run killed before its rename -> N becomes out if its manifest verifies.
    """
    out = _target(out)
    new, old = _paths(out)
    if not os.path.lexists(out):
        if old.is_dir():
            os.rename(old, out)
            _fsync_dir(out.parent)
        elif new.is_dir() and not verify(new):
            os.rename(new, out)
            _fsync_dir(out.parent)
    for p in (old, new):
        if os.path.lexists(p):
            _remove(p)


ASIDE = ("kb.json",)  # what a parallel write_kb renders in a forked child: the largest file, about half the work


def write_kb(out: Path, files: dict[str, bytes | typing.Callable[[], bytes]], extra: dict[str, bytes] | None = None,
             parallel: bool = False) -> None:
    """Write files (bytes, or functions giving them: see render_lazy) into a temporary folder (manifest
    last, all fsynced) and swap it in place of out. parallel: the files of ASIDE are rendered and written
    by a forked child (forked.py) while this process writes the others; the same files.

    The swap is one atomic renameat2(RENAME_EXCHANGE) where the OS has it, else two renames
    (out -> .out.old, .out.new -> out) that recover() completes after a crash.
    """
    out = _target(out)
    recover(out)
    new, old = _paths(out)
    new.mkdir(parents=True)
    allfiles = dict(files)
    allfiles.update(extra or {})
    aside = {name: allfiles.pop(name) for name in ASIDE if name in allfiles}
    child = Forked(_write_files, new, aside, parallel=parallel and bool(aside))
    digests = _write_files(new, allfiles)
    digests.update(child.result())
    digests = dict(sorted(digests.items()))
    manifest = {"files": digests, "generator": "bulletin-pipeline"}
    _write_synced(new / "manifest.json", (json.dumps(manifest, ensure_ascii=False, indent=1) + "\n").encode())
    dirs = {new} | {p for name in digests for p in (new / name).parents if new in p.parents}
    for d in sorted(dirs, key=lambda d: -len(d.parts)):
        _fsync_dir(d)
    if os.path.lexists(out):
        if _exchange(new, out):  # out is the new KB, .new the previous one
            _fsync_dir(out.parent)
            _remove(new)
            return
        os.rename(out, old)
    os.rename(new, out)
    _fsync_dir(out.parent)
    if os.path.lexists(old):
        _remove(old)


def _write_files(folder: Path, files: dict) -> dict[str, str]:
    """Write each file (rendered now, and let go once written) under folder: name -> sha256."""
    digests = {}
    for name in sorted(files):
        p = folder / name
        p.parent.mkdir(parents=True, exist_ok=True)
        data = files.pop(name)
        data = data() if callable(data) else data
        digests[name] = _write_synced(p, data)
        del data
    return digests


def _write_synced(path: Path, data) -> str:
    """Write bytes, or chunks of bytes, durably; their sha256."""
    h = hashlib.sha256()
    with open(path, "wb") as f:
        for chunk in [data] if isinstance(data, bytes) else data:
            f.write(chunk)
            h.update(chunk)
        f.flush()
        os.fsync(f.fileno())
    return h.hexdigest()
