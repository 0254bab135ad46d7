"""Execute the analyst notebooks headless: `make notebooks` (or `.venv/bin/python notebooks/run.py [NAME ...]`).

Each notebooks/NN_*.py (jupytext percent script, the reviewed source) becomes
notebooks/NN_*.ipynb, is executed top to bottom by nbclient in a fresh kernel
and saved with its outputs (the .ipynb files and figures/ are not committed).
Exits 1 when any cell fails, or when any output mentions a missing glyph.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import jupytext
import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

HERE = Path(__file__).resolve().parent
CELL_TIMEOUT = 60  # seconds; each whole notebook is meant to run in well under a minute
ANSI = re.compile(r"\x1b\[[0-9;]*m")
GLYPH_WORDS = ("missing from font", "missing from current font", "does not have a glyph")


def notebooks() -> list[Path]:
    return sorted(HERE.glob("[0-9][0-9]_*.py"))


@contextmanager
def _env(overrides: dict[str, str]):
    old = {k: os.environ.get(k) for k in overrides}
    os.environ.update(overrides)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _glyph_complaints(nb) -> list[str]:
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            text = out.get("text", "") + "\n".join(out.get("traceback", []))
            text += str(out.get("data", {}).get("text/plain", ""))
            if any(w in text for w in GLYPH_WORDS):
                found.append(f"cell {i}: {text.strip()[:300]}")
    return found


def execute(script: Path, out_dir: Path | None = None, env: dict[str, str] | None = None,
            timeout: int = CELL_TIMEOUT) -> float:
    """Run one notebook script; write the executed .ipynb beside it (or into out_dir). Returns seconds.

    Raises CellExecutionError (a cell failed), CellTimeoutError, or RuntimeError (missing glyphs).
    """
    script = Path(script)
    nb = jupytext.read(script)
    target = (out_dir or script.parent) / (script.stem + ".ipynb")
    # transport_encryption="auto": the kernel's sockets use CurveZMQ keys, not plain TCP
    km = KernelManager(kernel_name="python3", transport_encryption="auto")
    client = NotebookClient(nb, km=km, timeout=timeout, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(script.parent)}})
    t0 = time.perf_counter()
    try:
        with _env(env or {}):
            client.execute()
    except CellExecutionError as e:  # drop the kernel's terminal colours from the report
        raise CellExecutionError(ANSI.sub("", e.traceback), e.ename, ANSI.sub("", str(e.evalue))) from None
    finally:
        if km.has_kernel:  # nbclient leaves a kernel it was handed running
            km.shutdown_kernel()
        nbformat.write(nb, target)  # the partly run notebook shows where it failed
    seconds = time.perf_counter() - t0
    complaints = _glyph_complaints(nb)
    if complaints:
        raise RuntimeError("missing glyphs in %s:\n%s" % (script.name, "\n".join(complaints)))
    return seconds


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", help="notebook names or stems (default: all)")
    args = ap.parse_args(argv)
    scripts = notebooks()
    if args.names:
        scripts = [s for s in scripts if any(n in (s.name, s.stem) or s.stem.startswith(n) for n in args.names)]
    failed = 0
    for script in scripts:
        try:
            seconds = execute(script)
            print(f"ok    {script.stem:32s} {seconds:5.1f} s -> {script.stem}.ipynb")
        except (CellExecutionError, CellTimeoutError, RuntimeError) as e:
            failed += 1
            print(f"FAIL  {script.stem:32s} (see {script.stem}.ipynb)\n{e}", file=sys.stderr)
    fig_dir = Path(os.environ.get("BULLETIN_FIGURES", HERE / "figures"))
    print(f"{len(scripts) - failed}/{len(scripts)} notebooks ran; {len(list(fig_dir.glob('*.png')))} charts in {fig_dir}")
    return 1 if failed or not scripts else 0


if __name__ == "__main__":
    sys.exit(main())
