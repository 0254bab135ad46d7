"""Incremental runs: only new or changed bulletins are re-extracted, and the KB equals a clean full run."""
from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from pipeline import cache as cache_mod
from pipeline import executor
from pipeline.bench_corpus import build_corpus
from pipeline.cache import DocCache, code_fingerprint, doc_key, pipeline_fingerprint
from pipeline.config import load_settings
from pipeline.corpus import run
from pipeline.model import DocResult, DocumentRow, SourceDoc

from test_parallel import assert_same_kb

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def settings():
    return load_settings(None, ner=False)


@pytest.fixture()
def counted(monkeypatch):
    """Sources of the documents actually processed (not taken from the cache)."""
    seen: list[str] = []
    real = executor._safe

    def spy(doc, s):
        seen.append(doc.sources[0])
        return real(doc, s)

    monkeypatch.setattr(executor, "_safe", spy)
    return seen


def _corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    build_corpus(folder, 4, seed=5)
    shutil.copy(sorted((ROOT / "corpus").glob("*.txt"))[3], folder / "real.txt")
    return folder


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*/*.pkl"))


def test_incremental_run_equals_clean_run(tmp_path, settings, counted):
    """Runs write over the previous KB, as `make extract` does: nothing of it may survive a change."""
    corpus, cache, out = _corpus(tmp_path), tmp_path / "cache", tmp_path / "extracted"
    run(corpus, out, settings, progress=False, cache_dir=cache)
    assert len(counted) == 5 and len(_entries(cache)) == 5

    counted.clear()
    build_corpus(tmp_path / "more", 6, seed=5)
    shutil.copy(tmp_path / "more" / "00005.txt", corpus / "added.txt")          # new
    (corpus / "00001.txt").write_text((corpus / "00001.txt").read_text(encoding="utf-8") + "\n补充一句。\n",
                                      encoding="utf-8")                            # changed
    (corpus / "00002.txt").unlink()                                                 # deleted
    shutil.copy(corpus / "00003.txt", corpus / "00003-copy.txt")                    # a second path: sources change
    run(corpus, out, settings, progress=False, cache_dir=cache)
    assert sorted(counted) == ["00001.txt", "00003-copy.txt", "added.txt"]

    run(corpus, tmp_path / "clean", settings, progress=False, cache_dir=None)
    assert_same_kb(tmp_path / "clean", out)
    assert len(_entries(cache)) == 5, "entries of deleted or changed bulletins are pruned"

    counted.clear()
    run(corpus, out, settings, progress=False, cache_dir=cache)
    assert counted == []
    assert_same_kb(tmp_path / "clean", out)


def test_corrupt_entry_is_recomputed(tmp_path, settings, counted):
    corpus, cache = _corpus(tmp_path), tmp_path / "cache"
    run(corpus, tmp_path / "first", settings, progress=False, cache_dir=cache)
    victim, truncated = _entries(cache)[:2]
    victim.write_bytes(b"not a pickle")
    truncated.write_bytes(truncated.read_bytes()[:50])
    counted.clear()
    run(corpus, tmp_path / "second", settings, progress=False, cache_dir=cache)
    assert len(counted) == 2
    assert_same_kb(tmp_path / "first", tmp_path / "second")
    key, result = pickle.loads(victim.read_bytes())
    assert isinstance(result, DocResult) and victim.name == f"{key}.pkl"


def test_settings_change_misses_the_cache(tmp_path, counted):
    corpus, cache = _corpus(tmp_path), tmp_path / "cache"
    run(corpus, tmp_path / "a", load_settings(None, ner=False), progress=False, cache_dir=cache)
    counted.clear()
    run(corpus, tmp_path / "b", load_settings(None, ner=False, city="汉中市"), progress=False, cache_dir=cache)
    assert len(counted) == 5
    assert len({p.parent for p in _entries(cache)}) == 1, "the old fingerprint's folder is pruned"


def test_fingerprint_covers_code_and_resources(tmp_path):
    pkg = tmp_path / "pkg"
    shutil.copytree(cache_mod.PACKAGE_DIR, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    base = code_fingerprint(pkg)
    assert code_fingerprint(pkg) == base
    (pkg / "__pycache__").mkdir(exist_ok=True)
    (pkg / "__pycache__" / "x.pyc").write_bytes(b"compiled")
    assert code_fingerprint(pkg) == base, "bytecode is not source"
    for rel in ("stages.py", "resources/rules/figures.toml", "resources/segmenter/userdict.txt"):
        p = pkg / rel
        old = p.read_bytes()
        p.write_bytes(old + b"\n")
        assert code_fingerprint(pkg) != base, rel
        p.write_bytes(old)
    (pkg / "resources" / "models").mkdir(exist_ok=True)
    (pkg / "resources" / "models" / "new.bin").write_bytes(b"weights")
    assert code_fingerprint(pkg) != base


def test_fingerprint_covers_settings_and_library_versions(monkeypatch):
    a = pipeline_fingerprint(load_settings(None, ner=False))
    assert a != pipeline_fingerprint(load_settings(None, ner=True))
    monkeypatch.setattr(cache_mod, "_version", lambda dist: "9.9" if dist == "jieba" else "1.0")
    assert pipeline_fingerprint(load_settings(None, ner=False)) != a


def test_doc_key_covers_text_and_sources():
    d = SourceDoc("文本。", "txt", "utf-8", ["a.txt"])
    assert doc_key(d) == doc_key(SourceDoc("文本。", "txt", "utf-8", ["a.txt"]))
    assert doc_key(d) != doc_key(SourceDoc("文本！", "txt", "utf-8", ["a.txt"]))
    assert doc_key(d) != doc_key(SourceDoc("文本。", "txt", "utf-8", ["a.txt", "b.txt"]))
    assert doc_key(d) != doc_key(SourceDoc("文本。", "txt", "gb18030", ["a.txt"]))


def _result() -> DocResult:
    return DocResult(DocumentRow("d", "a.txt", ["a.txt"], "txt", "x", None, None, None, None, None, None, None,
                                 None, None, 1, 0))


def test_put_is_atomic_and_leaves_no_temp_files(tmp_path):
    c = DocCache(tmp_path, "f" * 24)
    key = "a" * 64
    c.put(key, _result())
    assert c.get(key) == _result()
    bad = _result()
    bad.sentences = [lambda: None]  # unpicklable: the write fails
    with pytest.raises(Exception):
        c.put("b" * 64, bad)
    assert sorted(p.name for p in c.dir.iterdir()) == [f"{key}.pkl"]


def test_prune_touches_only_cache_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "data.pkl").write_bytes(b"mine")
    old = DocCache(tmp_path, "0" * 24)
    old.put("c" * 64, _result())
    c = DocCache(tmp_path, "f" * 24)
    c.put("a" * 64, _result())
    c.put("b" * 64, _result())
    c.used = {"a" * 64}
    assert c.prune() == 2
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()) == [
        f"{'f' * 24}/{'a' * 64}.pkl", "notes.txt", "project/data.pkl"]


def test_no_change_rerun_writes_nothing_and_a_damaged_kb_is_rewritten(tmp_path, settings, counted, monkeypatch):
    """`make extract` with nothing new: the KB in out/ is vouched for by the run stamp and left alone;
    but an edited KB file, a changed bulletin or another output folder all mean a real run."""
    from pipeline import corpus as corpus_mod
    from pipeline import kbstore as write

    corpus, cache, out = _corpus(tmp_path), tmp_path / "cache", tmp_path / "extracted"
    first = run(corpus, out, settings, progress=False, cache_dir=cache)
    assert not first.up_to_date and first.counts["documents"] == 5
    counted.clear()
    writes: list[Path] = []
    real = write.write_kb
    monkeypatch.setattr(corpus_mod, "write_kb", lambda o, *a, **k: (writes.append(o), real(o, *a, **k))[1])

    again = run(corpus, out, settings, progress=False, cache_dir=cache)
    assert again.up_to_date and again.counts == first.counts and writes == [] and counted == []

    (out / "figures.csv").write_text("edited by hand\n", encoding="utf-8")
    fixed = run(corpus, out, settings, progress=False, cache_dir=cache)
    assert not fixed.up_to_date and writes == [out] and counted == [], "rewritten from the cache"
    run(corpus, tmp_path / "clean", settings, progress=False, cache_dir=None)
    assert_same_kb(tmp_path / "clean", out)

    (corpus / "00001.txt").write_text((corpus / "00001.txt").read_text(encoding="utf-8") + "\n补充一句。\n",
                                      encoding="utf-8")
    counted.clear()
    changed = run(corpus, out, settings, progress=False, cache_dir=cache)
    assert not changed.up_to_date and counted == ["00001.txt"]
    assert not run(corpus, tmp_path / "elsewhere", settings, progress=False, cache_dir=cache).up_to_date


def test_a_same_size_edit_is_caught_and_a_touch_alone_is_not_a_change(tmp_path, settings, counted):
    """The stamp compares each KB file's size and time first; a file whose time moved is hashed: an edit of the
    same length is rewritten, a file only touched is still the KB the stamp vouches for."""
    import os

    corpus, cache, out = _corpus(tmp_path), tmp_path / "cache", tmp_path / "extracted"
    run(corpus, out, settings, progress=False, cache_dir=cache)
    p = out / "figures.csv"
    data = p.read_bytes()
    st = p.stat()
    os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))  # touched: same bytes
    assert run(corpus, out, settings, progress=False, cache_dir=cache).up_to_date
    p.write_bytes(data[:-2] + (b"9\n" if data[-2:-1] != b"9" else b"8\n"))  # one character edited, same size
    assert p.stat().st_size == len(data)
    assert not run(corpus, out, settings, progress=False, cache_dir=cache).up_to_date
    assert p.read_bytes() == data


def test_a_stamp_that_cannot_be_written_does_not_fail_the_run(tmp_path, settings, monkeypatch, capsys):
    import os

    corpus, out, cache = _corpus(tmp_path), tmp_path / "extracted", tmp_path / "cache"
    rename = os.rename

    def refuse_stamps(src, dst):  # cache entries are stored, the run stamp is refused
        if Path(dst).parent.name == "runs":
            raise PermissionError(13, "read-only", str(dst))
        return rename(src, dst)

    monkeypatch.setattr(os, "replace", refuse_stamps)
    report = run(corpus, out, settings, progress=False, cache_dir=cache)
    assert report.counts["documents"] == 5 and (out / "manifest.json").is_file()
    assert "could not record the run" in capsys.readouterr().err
    monkeypatch.undo()
    assert not run(corpus, out, settings, progress=False, cache_dir=cache).up_to_date


def test_a_changed_text_is_linked_as_in_a_fresh_run(tmp_path, settings):
    """One text edited, the rest from the cache: targets vs actuals between unchanged texts come from the
    last run (runs/*.links.pickle), the edited text's pairs are made again, and the KB is a fresh run's."""
    from test_link import SPEECHES

    corpus, cache, out = tmp_path / "corpus", tmp_path / "cache", tmp_path / "out"
    corpus.mkdir()
    for name, text in SPEECHES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    first = run(corpus, out, settings, progress=False, cache_dir=cache)
    assert {r.outcome for r in first.tables["targets_vs_actuals"]} >= {"met", "partial"}
    assert list((cache / "runs").glob("*.links.pickle"))
    (corpus / "c.txt").write_text(SPEECHES["c.txt"].replace("45户", "38户"), encoding="utf-8")
    changed = run(corpus, out, settings, progress=False, cache_dir=cache)
    assert "not_met" in {r.outcome for r in changed.tables["targets_vs_actuals"]}
    run(corpus, tmp_path / "fresh", settings, progress=False, cache_dir=None)
    assert_same_kb(tmp_path / "fresh", out)
