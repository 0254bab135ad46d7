"""--jobs N gives the same KB, byte for byte, as one process; work streams in a bounded window, in order."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import executor
from pipeline.bench_corpus import build_corpus
from pipeline.config import load_settings
from pipeline.corpus import run
from pipeline.model import SourceDoc

ROOT = Path(__file__).resolve().parent.parent


def kb_files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def assert_same_kb(a: Path, b: Path) -> None:
    fa, fb = kb_files(a), kb_files(b)
    assert sorted(fa) == sorted(fb)
    for name in fa:
        assert fa[name] == fb[name], f"{name} differs"


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    """Three real bulletins (they link across speeches) and two synthetic variants."""
    folder = tmp_path_factory.mktemp("par") / "corpus"
    folder.mkdir()
    for p in sorted((ROOT / "corpus").glob("*.txt"))[:3]:
        shutil.copy(p, folder / p.name)
    build_corpus(folder / "synthetic", 2, seed=11)
    return folder


@pytest.fixture(scope="module")
def settings():
    return load_settings(None, ner=False)


@pytest.fixture(scope="module")
def serial_kb(small_corpus, settings, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serial") / "extracted"
    run(small_corpus, out, settings, jobs=1, progress=False, cache_dir=None)
    return out


def test_jobs2_is_byte_identical_to_jobs1(small_corpus, settings, serial_kb, tmp_path):
    out = tmp_path / "extracted"
    run(small_corpus, out, settings, jobs=2, progress=False, cache_dir=None)
    assert_same_kb(serial_kb, out)


def test_results_come_back_in_input_order(small_corpus, settings):
    from pipeline.inputs import discover, read_inputs

    docs, _ = read_inputs(small_corpus, discover(small_corpus))
    results, errors = executor.process_all(docs, settings, jobs=2, progress=False)
    assert not errors
    assert [r.document.source for r in results] == [d.sources[0] for d in docs]


def test_a_failing_document_becomes_an_error_row(settings, monkeypatch):
    real = executor.process_document

    def flaky(doc, s):
        if doc.sources == ["bad.txt"]:
            raise ValueError("boom")
        return real(doc, s)

    monkeypatch.setattr(executor, "process_document", flaky)
    text = (ROOT / "corpus" / sorted(p.name for p in (ROOT / "corpus").glob("*.txt"))[1]).read_text(encoding="utf-8")
    docs = [SourceDoc("一、总体情况\n坏的文件。", "txt", "utf-8", ["bad.txt"]), SourceDoc(text, "txt", "utf-8", ["good.txt"])]
    results, errors = executor.process_all(docs, settings, jobs=1, progress=False)
    assert [r.document.source for r in results] == ["good.txt"]
    assert [(e.source, e.stage, e.error) for e in errors] == [("bad.txt", "process", "ValueError")]


class _Done:
    def __init__(self, value, log):
        self.value, self.log = value, log

    def result(self):
        self.log.append(("result", self.value))
        return self.value


@pytest.mark.parametrize("n,window", [(0, 4), (1, 4), (7, 4), (20, 8), (5, 1)])
def test_window_bounds_documents_in_flight(n, window):
    log: list = []
    in_flight = []

    def submit(batch):
        log.extend(("submit", d) for d in batch)
        return [_Done(d, log) for d in batch]

    got = []
    for x in executor._windowed(submit, list(range(n)), window):
        got.append(x)
        in_flight.append(sum(1 for k, _ in log if k == "submit") - len(got))
    assert got == list(range(n))
    assert max(in_flight, default=0) <= max(window, 1)


def test_the_first_batch_goes_out_before_a_result_is_asked_for():
    """Workers start on new documents at once, while the caller reads the cached ones."""
    log: list = []

    def submit(batch):
        log.extend(("submit", d) for d in batch)
        return [_Done(d, log) for d in batch]

    results = executor._windowed(submit, list(range(5)), 4)
    assert log == [("submit", 0), ("submit", 1)]
    assert list(results) == list(range(5))


def test_bench_smoke(capsys, tmp_path):
    from pipeline.bench import main

    assert main(["--synthetic", "6", "--keep", str(tmp_path / "bench")]) == 0
    out = capsys.readouterr().out
    for label in ("corpus ", "jieba.lcut ", "baseline again", "jobs 1 ", "jobs 1 no-ner ", "jobs 2 ", "full ", "rerun ",
                  "identical   yes", "one changed ", "ratio jobs1/jieba", "ratio model/rules", "ratio jobs2/jobs1",
                  "ratio rerun/full", "ratio changed/full", "watched ", "ratio watched/full", "peak RSS "):
        assert label in out, f"{label!r} missing from bench output:\n{out}"
    assert "chars/s" in out


def test_bench_repeat_keeps_the_fastest(capsys, tmp_path):
    from pipeline.bench import main

    assert main(["--synthetic", "4", "--repeat", "2", "--no-ner", "--keep", str(tmp_path / "bench")]) == 0
    out = capsys.readouterr().out
    assert out.count("fastest of 2") >= 6 and "identical   yes" in out, out


def test_bench_stage_profile(capsys, tmp_path):
    """--stages: every per-document stage, linking and writing, each with its time as a multiple of jieba's."""
    import re

    from pipeline.bench import main
    from pipeline.runner import DOC_STAGES

    assert main(["--synthetic", "4", "--stages", "--keep", str(tmp_path / "bench")]) == 0
    out = capsys.readouterr().out
    rows = dict(re.findall(r"^  (\S+(?: \(corpus\))?)\s+([0-9.]+) s\s+[0-9.]+x", out, re.M))
    assert set(rows) == {st.name for st in DOC_STAGES} | {"prerender", "link (corpus)", "write (corpus)", "total"}
    assert float(rows["figures"]) > 0 and float(rows["total"]) >= float(rows["figures"])
    assert "jobs 1 " not in out, "--stages replaces the timed runs"


def test_synthetic_corpus_is_deterministic_and_distinct(tmp_path):
    a = build_corpus(tmp_path / "a", 7, seed=3)
    b = build_corpus(tmp_path / "b", 7, seed=3)
    assert a == b
    assert len(set(a)) == 7
    assert build_corpus(tmp_path / "c", 2, seed=4) != a[:2]


def test_results_let_go_of_their_sentence_rows_unless_rows_are_rendered(tmp_path):
    """Without kb.xlsx the sentences are written from each document's rendered text, so the results kept for
    linking hold no sentence rows (most of a corpus's memory); with it they keep them."""
    from pipeline.config import load_settings
    from pipeline.corpus import run

    corpus = tmp_path / "c"
    build_corpus(corpus, 3, seed=5)
    lean = run(corpus, tmp_path / "a", load_settings(corpus, ner=False), progress=False)
    full = run(corpus, tmp_path / "b", load_settings(corpus, ner=False), progress=False, xlsx=True)
    assert all(r.sentences == [] for r in lean.results) and all(r.sentences for r in full.results)
    assert lean.counts["sentences"] == full.counts["sentences"] == len(full.tables["sentences"])
    assert (tmp_path / "a" / "sentences.csv").read_bytes() == (tmp_path / "b" / "sentences.csv").read_bytes()


def test_workers_cache_whole_results_and_hand_over_what_is_kept(small_corpus, settings, serial_kb, tmp_path):
    """With --jobs 2 each worker writes its document's cache entry (the whole result, sentence rows too)
    and hands over the result without the sentence rows the run would drop; a later run that renders
    rows (kb.xlsx) from that cache has them, and every KB is the one-process KB."""
    import pickle

    from pipeline.cache import DocCache, doc_key, pipeline_fingerprint
    from pipeline.inputs import discover, read_inputs

    cache = tmp_path / "cache"
    docs, _ = read_inputs(small_corpus, discover(small_corpus))
    results, errors = executor.process_all(docs, settings, jobs=2, progress=False, cache_dir=cache,
                                           keep_sentences=False)
    assert not errors and len(results) == len(docs) and all(r.sentences == [] for r in results)
    store = DocCache(cache, pipeline_fingerprint(settings))
    for d in docs:
        with open(store._path(doc_key(d)), "rb") as f:
            key, whole = pickle.load(f)
        assert key == doc_key(d) and whole.sentences and whole.document.source == d.sources[0]
    again, _ = executor.process_all(docs, settings, jobs=2, progress=False, cache_dir=cache, keep_sentences=True)
    assert all(r.sentences for r in again)
    assert [r.document for r in again] == [r.document for r in results]
    out = tmp_path / "extracted"
    run(small_corpus, out, settings, jobs=2, progress=False, cache_dir=cache)
    assert_same_kb(serial_kb, out)


def test_what_linking_needs_is_loaded_before_workers_fork_for_many_documents(small_corpus, settings, monkeypatch):
    """With more new documents than workers, process_all calls while_waiting (the dictionary and name rules
    linking needs) before it starts the workers, which then find them loaded; once, either way."""
    from pipeline.inputs import discover, read_inputs

    events = []
    real = executor._run_local
    monkeypatch.setattr(executor, "_run_local", lambda *a, **k: (events.append("workers"), real(*a, **k))[1])
    docs, _ = read_inputs(small_corpus, discover(small_corpus))
    assert len(docs) > 2
    executor.process_all(docs, settings, jobs=2, progress=False, while_waiting=lambda: events.append("ready"))
    assert events == ["ready", "workers"]
    events.clear()
    executor.process_all(docs[:1], settings, jobs=2, progress=False, while_waiting=lambda: events.append("ready"))
    assert events == ["workers", "ready"]
