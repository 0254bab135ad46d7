"""extract --watch (watch.py): rounds that follow the corpus folder, each the KB a one-off run writes, the
documents that did not change neither recomputed nor read back from the cache."""
from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import executor
from pipeline.bench_corpus import build_corpus
from pipeline.cache import DocCache
from pipeline.config import load_settings
from pipeline.corpus import run
from pipeline.watch import snapshot, watch
from tests.test_parallel import assert_same_kb

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    build_corpus(folder, 3, seed=11)
    return folder


@pytest.fixture()
def spied(monkeypatch):
    """Sources processed (not kept, not from the cache) and cache entries read, as the run goes."""
    seen: dict[str, list] = {"processed": [], "read": []}
    real_safe, real_get = executor._safe, DocCache.get

    def safe(doc, s):
        seen["processed"].append(doc.sources[0])
        return real_safe(doc, s)

    def get(self, key):
        seen["read"].append(key)
        return real_get(self, key)

    monkeypatch.setattr(executor, "_safe", safe)
    monkeypatch.setattr(DocCache, "get", get)
    return seen


def test_rounds_follow_the_folder_and_write_what_a_run_writes(corpus, tmp_path, spied):
    settings = load_settings(None, ner=False)
    out, cache = tmp_path / "kb", tmp_path / "cache"
    names = sorted(p.name for p in corpus.iterdir())
    edits = [  # what changes between rounds: an edit, a new text, a text removed, nothing (no round)
        lambda: (corpus / names[0]).write_text((corpus / names[0]).read_text(encoding="utf-8") + "\n全年新增企业12户。\n",
                                               encoding="utf-8"),
        lambda: shutil.copy(sorted((ROOT / "corpus").glob("*.txt"))[0], corpus / "new.txt"),
        lambda: (corpus / names[1]).unlink(),
    ]
    reports, processed = [], []

    def report(n, result, seconds):
        reports.append((n, result.counts["documents"], result.up_to_date))
        processed.append(sorted(spied["processed"]))
        spied["processed"].clear()
        spied["read"].clear()
        ref = tmp_path / f"ref{n}"
        run(corpus, ref, settings, progress=False, cache_dir=None)  # a one-off run over the folder as it is now
        spied["processed"].clear()
        assert_same_kb(ref, out)

    def sleep(_):
        if edits:
            edits.pop(0)()

    watch(corpus, out, lambda: settings, cache_dir=cache, report=report, rounds=4, sleep=sleep)
    assert [n for n, _, _ in reports] == [1, 2, 3, 4]
    assert [d for _, d, _ in reports] == [3, 3, 4, 3]
    assert processed[1:] == [[names[0]], ["new.txt"], []]  # only what changed is extracted again
    assert spied["read"] == []  # and the rest is kept in memory, not read back from the cache


def test_kept_results_are_used_and_their_cache_entries_stay(corpus, tmp_path, spied):
    """process_all(kept=...) takes a document's last result as it is; its cache entry is not pruned."""
    settings = load_settings(None, ner=False)
    cache, kept = tmp_path / "cache", {}
    run(corpus, tmp_path / "a", settings, progress=False, cache_dir=cache)
    entries = sorted(cache.glob("*/*.pkl"))
    spied["processed"].clear()
    results, _ = executor.process_all(_docs(corpus), settings, progress=False, cache_dir=cache, kept=kept)
    assert len(kept) == 3 and len(spied["read"]) == 3
    spied["read"].clear()
    again, _ = executor.process_all(_docs(corpus), settings, progress=False, cache_dir=cache, kept=kept)
    assert spied["read"] == [] and spied["processed"] == []
    assert [a is b for a, b in zip(again, results)] == [True] * 3
    assert sorted(cache.glob("*/*.pkl")) == entries


def _docs(corpus: Path):
    from pipeline.inputs import discover, read_inputs
    return read_inputs(corpus, discover(corpus))[0]


def test_the_snapshot_sees_an_edit_of_the_same_size_and_corpus_toml(corpus, tmp_path):
    first = snapshot(corpus, tmp_path / "kb")
    p = sorted(corpus.iterdir())[0]
    time.sleep(0.01)
    p.write_text(p.read_text(encoding="utf-8")[::-1], encoding="utf-8")  # same size
    second = snapshot(corpus, tmp_path / "kb")
    assert second != first
    (corpus / "corpus.toml").write_text('city = "安康市"\n', encoding="utf-8")
    assert snapshot(corpus, tmp_path / "kb") != second


def test_the_command_line_watches_until_interrupted(corpus, tmp_path):
    """extract --watch prints the first run's summary, then a line per round, and stops on Ctrl-C."""
    import signal

    cmd = [sys.executable, "-m", "pipeline", "extract", str(corpus), "--out", str(tmp_path / "kb"), "--cache",
           str(tmp_path / "cache"), "--no-ner", "--quiet", "--watch", "--interval", "0.05"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = []
        while not any(line.startswith("watching") for line in lines):
            lines.append(proc.stdout.readline())
            assert lines[-1], f"ended early: {proc.stderr.read()}"
        assert any(line.startswith("written to") for line in lines)
        p = sorted(corpus.iterdir())[0]
        p.write_text(p.read_text(encoding="utf-8") + "\n全年新增企业12户。\n", encoding="utf-8")
        line = proc.stdout.readline()
        assert line.startswith("round 2") and "written to" in line, line
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
    assert "stopped" in out and proc.returncode == 0


def test_a_watch_over_an_up_to_date_kb_reads_the_cache_once(corpus, tmp_path, spied):
    """Started on a KB that is up to date, the first round writes nothing but reads the results once, so
    that the next round, after an edit, recomputes the edited text alone and reads nothing back."""
    settings = load_settings(None, ner=False)
    out, cache = tmp_path / "kb", tmp_path / "cache"
    run(corpus, out, settings, progress=False, cache_dir=cache)
    p = sorted(corpus.iterdir())[0]
    seen = []

    def report(n, result, seconds):
        seen.append((n, result.up_to_date, len(spied["read"]), list(spied["processed"])))
        spied["read"].clear()
        spied["processed"].clear()

    spied["processed"].clear()
    watch(corpus, out, lambda: settings, cache_dir=cache, report=report, rounds=2,
          sleep=lambda _: p.write_text(p.read_text(encoding="utf-8") + "\n全年新增企业12户。\n", encoding="utf-8"))
    assert seen == [(1, True, 3, []), (2, False, 0, [p.name])]


def test_a_failed_round_is_reported_and_the_next_change_tried_again(corpus, tmp_path):
    """A round that raises (here: corpus.toml broken) leaves the KB as it was and the watch goes on."""
    out, cache = tmp_path / "kb", tmp_path / "cache"
    toml = corpus / "corpus.toml"
    steps = [lambda: toml.write_text("city = [broken\n", encoding="utf-8"),
             lambda: toml.write_text('city = "安康市"\n', encoding="utf-8")]
    reports, failures = [], []

    def settings_of():
        return load_settings(corpus, ner=False)

    def sleep(_):
        if steps:
            steps.pop(0)()

    watch(corpus, out, settings_of, cache_dir=cache, rounds=2, sleep=sleep,
          report=lambda n, r, s: reports.append(n), failed=lambda e: failures.append(type(e).__name__))
    assert reports == [1, 2] and failures == ["TOMLDecodeError"]


def test_a_date_notice_is_printed_once_per_watch(corpus, tmp_path, capsys):
    """A text without a speech date is reported on stderr in the first round, not again in every round."""
    (corpus / "undated.txt").write_text("全市规上工业增加值增长5%。\n", encoding="utf-8")
    p = sorted(corpus.glob("0*.txt"))[0]
    settings = load_settings(None, ner=False)
    watch(corpus, tmp_path / "kb", lambda: settings, cache_dir=tmp_path / "cache", rounds=3,
          sleep=lambda _: p.write_text(p.read_text(encoding="utf-8") + "\n全年新增企业12户。\n", encoding="utf-8"))
    err = capsys.readouterr().err
    assert err.count("undated.txt") == 1, err
