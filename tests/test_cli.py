"""The command line explains itself and reports failures with exit codes."""
import json
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
    (["eval", "--help"], ["--gold", "--json", "--errors", "--gold-reports", "--reports-kb", "work reports",
                          "bulletins", "../shared/gold_reports", ".cache/eval/gold_reports", "not"]),
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


REPORTS = ROOT.parent / "shared" / "gold_reports"


def test_eval_scores_both_sets(tmp_path):
    """`make eval`: the bulletins' committed KB, then the work reports extracted into --reports-kb."""
    r = cli("eval", "--reports-kb", str(tmp_path / "kb"), "--cache", str(tmp_path / "docs"))
    assert r.returncode == 0, r.stderr
    bulletins, reports = r.stdout.split("\n\n== ")
    assert bulletins.startswith("== bulletins: extracted against tests/gold\n")
    for metric in ("figures.strict", "deadlines", "enterprises", "links", "fig.period", "doc.speaker"):
        assert metric in bulletins
    if REPORTS.is_dir():
        assert reports.startswith("work reports: ") and "against" in reports.splitlines()[0]
        assert "figures.full" in reports and (tmp_path / "kb" / "figures.csv").exists()
    else:
        assert reports.startswith("work reports") and "skipped" in reports


def test_eval_says_why_a_set_is_skipped(tmp_path):
    r = cli("eval", "--gold-reports", str(tmp_path / "nowhere"), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"bulletins", "work_reports"} and "figures" in out["bulletins"]["prf"]
    why = out["work_reports"]["skipped"]
    assert "nowhere/texts not found" in why and "--gold-reports" in why
    text = cli("eval", "--gold-reports", str(tmp_path / "nowhere")).stdout
    assert text.rstrip().splitlines()[-1].startswith("== work reports (") and "skipped" in text.splitlines()[-1]


def test_readme_make_targets_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    import re

    for target in set(re.findall(r"`make ([a-z-]+)`", readme)):
        assert re.search(rf"^{target}:", makefile, re.M), target


def test_kb_xlsx_is_written_only_when_asked(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("（2022年3月1日）\n\n全市规上工业增加值增长8%。\n", encoding="utf-8")
    for flags, want in (([], False), (["--xlsx"], True)):
        out = tmp_path / f"out{len(flags)}"
        r = cli("extract", str(corpus), "--out", str(out), "--no-ner", "--no-cache", "--quiet", *flags)
        assert r.returncode == 0, r.stderr
        assert (out / "figures.csv").is_file() and (out / "kb.xlsx").is_file() is want
