"""Score an existing extracted/ against gold JSONL annotations: the shared reference scorer, run as is.

pipeline/reference_score.py is a byte-identical copy of ../shared/tools/score.py (a test holds it
to that file), and every number here is printed by its main(): a second implementation of the
metrics would be a second definition of them, free to drift. The reference's --json output has no
attribute counts, so those are read from its text output (the `(n=...)` of each accuracy line).
"""
from __future__ import annotations

import io
import json
import re
import sys
from contextlib import redirect_stdout
from pathlib import Path
from unittest import mock

from . import reference_score

_ATTR_LINE = re.compile(r"^(\S+)\s+acc=\S+ \(n=(\d+)\)$", re.M)


def run_reference(*argv: str) -> str:
    """What `score.py ARGV...` prints, run in this process (main() reads sys.argv and prints)."""
    out = io.StringIO()
    with mock.patch.object(sys, "argv", ["score.py", *argv]), redirect_stdout(out):
        reference_score.main()
    return out.getvalue()


def evaluate(extracted: Path, gold_dir: Path) -> dict:
    """{"prf": metric -> (P, R, F1), "attr_acc": attribute -> accuracy, "attr_n": attribute -> pairs
    compared, "counts": the reference's raw tallies (fig.tp, enterprise.gold ...)}."""
    args = (str(extracted), str(gold_dir))
    res = json.loads(run_reference(*args, "--json"))
    res["prf"] = {k: tuple(v) for k, v in res["prf"].items()}
    res["attr_n"] = {k: int(n) for k, n in _ATTR_LINE.findall(run_reference(*args))}
    return res


def format_table(res: dict) -> str:
    lines = [f"{'metric':18s} {'P':>6s} {'R':>6s} {'F1':>6s}"]
    for k, (p, r, f) in res["prf"].items():
        lines.append(f"{k:18s} {p:6.3f} {r:6.3f} {f:6.3f}")
    lines.append("")
    lines.append(f"{'attribute':18s} {'acc':>6s} {'n':>5s}")
    for k in sorted(res["attr_acc"]):
        lines.append(f"{k:18s} {res['attr_acc'][k]:6.3f} {res['attr_n'][k]:5d}")
    return "\n".join(lines)
