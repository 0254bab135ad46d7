"""`make eval` agrees with the shared reference scorer, metric by metric."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.evaluate import evaluate

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def both(fresh_kb):
    ref = subprocess.run([sys.executable, str(ROOT / "tests" / "reference_score.py"), str(fresh_kb),
                          str(ROOT / "tests" / "gold"), "--json"], capture_output=True, text=True, check=True)
    return evaluate(fresh_kb, ROOT / "tests" / "gold"), json.loads(ref.stdout)


METRICS = ["figures", "figures.strict", "figures.full", "targets", "targets.strict", "deadlines",
           "deadlines.strict", "enterprises", "projects", "links", "links.status"]


@pytest.mark.parametrize("metric", METRICS)
def test_prf_agrees(both, metric):
    mine, ref = both
    assert mine["prf"][metric] == pytest.approx(tuple(ref["prf"][metric]), abs=1e-12)


def test_attribute_accuracies_agree(both):
    mine, ref = both
    assert mine["attr_acc"] == pytest.approx(ref["attr_acc"], abs=1e-12)
