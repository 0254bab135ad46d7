"""`make eval` is the shared reference scorer: the same file, and the same numbers as running it."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import reference_score
from pipeline.evaluate import evaluate, format_table

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "gold"
SHARED_SCORER = ROOT.parent / "shared" / "tools" / "score.py"
VENDORED = ROOT / "pipeline" / "reference_score.py"
# the script run as its own process: the shared one where this checkout sits beside ../shared
SCORER = SHARED_SCORER if SHARED_SCORER.exists() else VENDORED
METRICS = ["figures", "figures.strict", "figures.full", "targets", "targets.strict", "deadlines",
           "deadlines.strict", "enterprises", "projects", "links", "links.status"]


def test_vendored_scorer_is_the_shared_one():
    assert Path(reference_score.__file__).resolve() == VENDORED
    if SHARED_SCORER.exists():
        assert VENDORED.read_bytes() == SHARED_SCORER.read_bytes(), "re-copy ../shared/tools/score.py, unedited"
    else:  # a clone without ../shared: the vendored copy is what scores
        assert callable(reference_score.main) and callable(reference_score.match_spans)


@pytest.fixture(scope="module")
def scored(fresh_kb):
    """(evaluate(), `python -m pipeline eval --json`, the reference script as a process), one KB."""
    ref = subprocess.run([sys.executable, str(SCORER), str(fresh_kb), str(GOLD), "--json"],
                         capture_output=True, text=True, check=True)
    cli = subprocess.run([sys.executable, "-m", "pipeline", "eval", "--extracted", str(fresh_kb), "--gold", str(GOLD),
                          "--json"], capture_output=True, text=True, check=True, cwd=ROOT)
    return evaluate(fresh_kb, GOLD), json.loads(cli.stdout), json.loads(ref.stdout)


@pytest.mark.parametrize("metric", METRICS)
def test_prf_agrees(scored, metric):
    mine, cli, ref = scored
    assert mine["prf"][metric] == tuple(ref["prf"][metric])
    assert cli["prf"][metric] == ref["prf"][metric]


def test_attribute_accuracies_and_counts_agree(scored):
    mine, cli, ref = scored
    assert mine["attr_acc"] == ref["attr_acc"] == cli["attr_acc"]
    assert mine["counts"] == ref["counts"] == cli["counts"]
    assert mine["counts"]["fig.tp"] > 100


def test_attribute_counts_read_from_the_reference_text(scored):
    """attr_n comes from the reference's `(n=...)`: every matched figure is compared on each attribute,
    every annotated bulletin on each document field."""
    mine, _, _ = scored
    assert set(mine["attr_n"]) == set(mine["attr_acc"])
    for k, n in mine["attr_n"].items():
        assert n == (mine["counts"]["fig.tp"] if k.startswith("fig.") else len(list(GOLD.glob("0*.jsonl")))), k


def test_table_lists_every_metric(scored):
    table = format_table(scored[0])
    for k in METRICS + list(scored[0]["attr_acc"]):
        assert any(line.split()[0] == k for line in table.splitlines() if line), k
