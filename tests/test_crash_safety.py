"""A crash at any moment of writing leaves a complete extracted/ (the previous KB or the new one).

Two levels: every step of write_kb interrupted in-process (both the atomic-exchange swap and the
two-rename fallback), and real `python -m pipeline extract` runs killed with SIGKILL at random
moments while they write.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import make_pdf
from pipeline import kbstore as write  # the KB's files on disk (write.py renders them)
from pipeline.config import PROJECT_DIR

CORPUS = PROJECT_DIR / "corpus"


def kb_state(out: Path) -> dict[str, str]:
    """name -> sha256 of a complete KB; fails unless manifest.json lists exactly the files present
    and every digest matches (computed here, not through the code under test)."""
    assert (out / "manifest.json").is_file(), f"{out}: no manifest.json"
    listed = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
    assert present == set(listed), f"files {sorted(present ^ set(listed))} differ from the manifest"
    for name, digest in listed.items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest, f"{name} is not as listed"
    return listed


def leftovers(out: Path) -> list[str]:
    """Temporary folders and files a write left beside out (the run lock stays: it is the lock, not a leftover)."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")
                  and p.name != f".{out.name}.lock")


def _kb(tag: str, n: int) -> tuple[dict[str, bytes], dict[str, bytes]]:
    files = {f"t{i}.csv": f"{tag},{i}\n".encode() * (i + 1) for i in range(n)}
    return files, {f"texts/{tag}{i}.txt": tag.encode() for i in range(2)}


class Crash(BaseException):
    """Stands for the process dying: nothing after it runs (not even `except Exception`)."""


def _arm(monkeypatch, at: int, exchange: bool) -> list[str]:
    """Make the at-th filesystem step of write_kb/recover raise Crash; returns the step log."""
    log: list[str] = []

    def step(name, fn):
        def wrapped(*a, **k):
            log.append(name)
            if len(log) == at:
                if name == "rmtree":  # die half-way through deleting a tree
                    files = sorted(p for p in Path(a[0]).rglob("*") if p.is_file())
                    for p in files[: len(files) // 2]:
                        p.unlink()
                raise Crash(name)
            return fn(*a, **k)
        return wrapped

    monkeypatch.setattr(write, "_write_synced", step("write", write._write_synced))
    monkeypatch.setattr(write, "_fsync_dir", step("fsync_dir", write._fsync_dir))
    monkeypatch.setattr(write.os, "rename", step("rename", os.rename))
    monkeypatch.setattr(write.shutil, "rmtree", step("rmtree", shutil.rmtree))
    real_exchange = write._exchange
    monkeypatch.setattr(write, "_exchange", step("exchange", real_exchange if exchange else lambda a, b: False))
    return log


@pytest.mark.parametrize("exchange", [True, False], ids=["rename-exchange", "two-renames"])
@pytest.mark.parametrize("first", [False, True], ids=["replace", "first-run"])
def test_crash_at_every_step(tmp_path, monkeypatch, exchange, first):
    """Kill write_kb at each of its steps in turn: out stays the previous or the new KB (for the
    two-rename swap: or is missing with .old complete, which recover() puts back), and after
    recover() and one more write there is exactly the new KB and no leftover folder."""
    if exchange:
        assert write._renameat2() is not None, "this Linux libc has renameat2: the exchange path must be tested"
    out = tmp_path / "extracted"
    old_files, old_extra = _kb("old", 3)
    new_files, new_extra = _kb("new", 4)
    want_new = kb_state(_reference(tmp_path / "ref-new", new_files, new_extra))
    want_old = None if first else kb_state(_reference(tmp_path / "ref-old", old_files, old_extra))
    steps, at = None, 1
    while steps is None or at <= steps:
        shutil.rmtree(out, ignore_errors=True)
        for p in tmp_path.glob(".extracted.*"):
            shutil.rmtree(p)
        if not first:
            write.write_kb(out, old_files, old_extra)
        with monkeypatch.context() as m:
            log = _arm(m, at, exchange)
            try:
                write.write_kb(out, new_files, new_extra)
                steps = len(log)  # no crash: every step has been tried
            except Crash:
                pass
        if out.exists():
            assert kb_state(out) in (want_old, want_new), f"crash at step {at} ({log[-1]}): mixed KB"
        else:
            assert first or (not exchange and kb_state(tmp_path / ".extracted.old") == want_old), \
                f"crash at step {at} ({log[-1]}): no KB and no complete .old"
        write.recover(out)
        if out.exists() or not first:
            assert kb_state(out) in (want_old, want_new), f"after recover, crash at step {at}"
        assert leftovers(out) == []
        write.write_kb(out, new_files, new_extra)
        assert kb_state(out) == want_new and leftovers(out) == []
        at += 1
    assert steps >= (6 if first else 7), f"only {steps} steps seen: the wrapper missed write_kb's calls"


def _reference(folder: Path, files, extra) -> Path:
    write.write_kb(folder, files, extra)
    return folder


def test_recover_finishes_an_interrupted_first_run(tmp_path):
    """A complete .new with no out (first run killed before its rename) becomes out; a partial one goes."""
    out = tmp_path / "extracted"
    files, extra = _kb("a", 2)
    write.write_kb(tmp_path / "ref", files, extra)
    shutil.copytree(tmp_path / "ref", tmp_path / ".extracted.new")
    write.recover(out)
    assert kb_state(out) == kb_state(tmp_path / "ref") and leftovers(out) == []
    shutil.rmtree(out)
    shutil.copytree(tmp_path / "ref", tmp_path / ".extracted.new")
    (tmp_path / ".extracted.new" / "manifest.json").unlink()
    write.recover(out)
    assert not out.exists() and leftovers(out) == []


def test_verify_reports_damage(tmp_path):
    files, extra = _kb("a", 2)
    write.write_kb(tmp_path / "kb", files, extra)
    assert write.verify(tmp_path / "kb") == []
    (tmp_path / "kb" / "t1.csv").write_bytes(b"changed")
    (tmp_path / "kb" / "texts" / "a0.txt").unlink()
    problems = write.verify(tmp_path / "kb")
    assert len(problems) == 2 and any("t1.csv" in p for p in problems), problems


# --- real processes killed with SIGKILL ------------------------------------------------------------

def _corpus(folder: Path, variant: str) -> Path:
    """The project corpus, each bulletin with a variant line (so A and B give different KBs), plus a PDF."""
    folder.mkdir(parents=True)
    for p in sorted(CORPUS.glob("*.txt")):
        (folder / p.name).write_text(p.read_text(encoding="utf-8") + f"\n附：{variant}版。\n", encoding="utf-8")
    (folder / "bulletin.pdf").write_bytes(make_pdf([[f"{variant}：全市工业增加值同比增长12.5%。"]]))
    return folder


def _extract(corpus: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipeline", "extract", str(corpus), "--out", str(out),
                             "--no-cache", "--quiet", "--no-ner"], cwd=PROJECT_DIR,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_sigkill_while_writing(tmp_path):
    """Runs killed at random moments of their write phase (watched from outside: the temporary
    folder appearing) or earlier: each time extracted/ is complete and is the previous KB or the
    new one; the next run succeeds and leaves no temporary folder behind."""
    corpora = [_corpus(tmp_path / "A", "甲"), _corpus(tmp_path / "B", "乙")]
    want = []
    for i, c in enumerate(corpora):
        ref = tmp_path / f"ref{i}"
        p = _extract(c, ref)
        assert p.wait(120) == 0, p.stderr.read().decode()
        want.append(kb_state(ref))
    assert want[0] != want[1]
    out = tmp_path / "extracted"
    shutil.copytree(tmp_path / "ref0", out)
    current = 0
    rnd = random.Random(20240509)
    killed_mid_write = 0
    for attempt in range(6):
        nxt = 1 - current
        p = _extract(corpora[nxt], out)
        tmp = tmp_path / ".extracted.new"
        if attempt == 2:  # once anywhere in the run, not only in the write phase
            time.sleep(rnd.uniform(0.05, 1.0))
        else:
            deadline = time.monotonic() + 120
            while not tmp.exists() and p.poll() is None and time.monotonic() < deadline:
                time.sleep(0.0002)
            time.sleep(rnd.uniform(0, 0.004 if attempt % 2 else 0.05))  # early in the writing, or anywhere
        writing = tmp.exists()
        p.send_signal(signal.SIGKILL)
        rc = p.wait(60)
        if rc == -signal.SIGKILL and writing:
            killed_mid_write += 1
        state = kb_state(out)
        assert state in (want[current], want[nxt]), f"attempt {attempt}: extracted/ is neither KB"
        current = want.index(state)
    p = _extract(corpora[1 - current], out)
    assert p.wait(120) == 0, p.stderr.read().decode()
    assert kb_state(out) == want[1 - current]
    assert leftovers(out) == []
    assert killed_mid_write >= 2, f"only {killed_mid_write} kills landed while writing"


@pytest.mark.parametrize("layout", ["missing-parents", "symlinked-out", "dangling-symlink-out"])
def test_out_folder_layouts(tmp_path, layout):
    """extracted/ under folders that do not exist yet, or a symlink (kept: the KB goes where it points)."""
    files, extra = _kb("a", 2)
    if layout == "missing-parents":
        out = target = tmp_path / "x" / "y" / "extracted"
    else:
        target, out = tmp_path / "real", tmp_path / "extracted"
        if layout == "symlinked-out":
            target.mkdir()
        os.symlink("real", out)
    write.write_kb(out, files, extra)
    write.write_kb(out, *_kb("b", 3))
    assert kb_state(target) == kb_state(out) and "t2.csv" in kb_state(out)
    assert os.path.islink(out) == (layout != "missing-parents")
    assert leftovers(target) == []


def test_two_runs_on_one_output_never_interleave(tmp_path):
    """While one run holds extracted/, a second one with --no-wait stops with a clear message and exit 1, and
    one that waits starts only when the first has finished, then writes a complete KB."""
    from pipeline.runlock import run_lock

    corpus, out = tmp_path / "corpus", tmp_path / "extracted"
    corpus.mkdir()
    (corpus / "a.txt").write_text("（2022年3月1日）\n\n全市规上工业增加值增长8%。\n", encoding="utf-8")
    cmd = [sys.executable, "-m", "pipeline", "extract", str(corpus), "--out", str(out), "--no-ner", "--no-cache",
           "--quiet"]
    with run_lock(out):
        refused = subprocess.run(cmd + ["--no-wait"], capture_output=True, text=True)
        assert refused.returncode == 1 and "being written by another run" in refused.stderr
        waiting = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        assert waiting.poll() is None, "the second run went on while the first held the lock"
    _, err = waiting.communicate(timeout=120)
    assert waiting.returncode == 0 and "waiting:" in err
    assert (out / "manifest.json").is_file() and not write.verify(out)
