"""The command line explains itself and reports failures with exit codes."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def cli(*args):
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize("args,words", [
    (["--help"], ["extract", "eval", "history"]),
    (["extract", "--help"], ["--jobs", "--segmenter", "--out", "exit status"]),
    (["eval", "--help"], ["--gold", "--json"]),
], ids=["main", "extract", "eval"])
def test_help(args, words):
    r = cli(*args)
    assert r.returncode == 0
    for w in words:
        assert w in r.stdout


def test_missing_corpus_is_a_clear_failure(tmp_path):
    r = cli("extract", str(tmp_path / "nope"), "--out", str(tmp_path / "out"))
    assert r.returncode == 1
    assert "does not exist" in r.stderr


def test_eval_prints_the_table():
    r = cli("eval")
    assert r.returncode == 0
    for metric in ("figures.strict", "deadlines", "enterprises", "links", "fig.period", "doc.speaker"):
        assert metric in r.stdout


def test_readme_make_targets_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    import re

    for target in set(re.findall(r"`make ([a-z-]+)`", readme)):
        assert re.search(rf"^{target}:", makefile, re.M), target
