"""The committed knowledge base: fresh, deterministic, self-describing, and honest about offsets."""
import csv
import hashlib
import json
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.corpus import run
from pipeline.write import TABLES

ROOT = Path(__file__).resolve().parent.parent
EXTRACTED = ROOT / "extracted"
KB_FILES = sorted(p.name for p in EXTRACTED.iterdir() if p.is_file())


@pytest.mark.parametrize("name", KB_FILES)
def test_committed_kb_is_not_stale(fresh_kb, name):
    """extracted/ must be what the code writes today: run `make extract` and commit the diff."""
    assert (fresh_kb / name).read_bytes() == (EXTRACTED / name).read_bytes(), f"extracted/{name} is stale"


def test_two_runs_are_byte_identical(fresh_kb, tmp_path):
    out = tmp_path / "again"
    run(ROOT / "corpus", out, load_settings(ROOT / "corpus"), progress=False, cache_dir=None, xlsx=True)
    for p in sorted(fresh_kb.iterdir()):
        if p.is_file():
            assert (out / p.name).read_bytes() == p.read_bytes(), p.name


def test_manifest_lists_every_file_with_its_hash(fresh_kb):
    manifest = json.loads((fresh_kb / "manifest.json").read_text(encoding="utf-8"))
    files = {p.name for p in fresh_kb.iterdir() if p.is_file() and p.name != "manifest.json"}
    assert set(manifest["files"]) == files
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((fresh_kb / name).read_bytes()).hexdigest() == digest


@pytest.mark.parametrize("table", [t[0] for t in TABLES])
def test_datapackage_describes_each_csv(fresh_kb, table):
    pkg = json.loads((fresh_kb / "datapackage.json").read_text(encoding="utf-8"))
    res = next(r for r in pkg["resources"] if r["name"] == table)
    with open(fresh_kb / res["path"], encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == [fl["name"] for fl in res["schema"]["fields"]]


def _rows(kb: Path, table: str) -> list[dict]:
    with open(kb / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_documents_match_gold_metadata(fresh_kb):
    gold = {}
    for p in (ROOT / "tests" / "gold").glob("0*.jsonl"):
        rec = json.loads(p.read_text(encoding="utf-8").splitlines()[0])
        gold[p.stem] = rec
    for d in _rows(fresh_kb, "documents"):
        g = gold[Path(d["source"]).stem]
        for k in ("issue_no", "published_on", "speech_date", "speaker", "title"):
            assert d[k] == ("" if g[k] is None else str(g[k])), (d["source"], k)


@pytest.mark.parametrize("table", ["figures", "targets", "deadlines", "mentions"])
def test_offset_invariant(fresh_kb, table):
    texts = {d["doc_id"]: (ROOT / "corpus" / d["source"]).read_bytes().decode("utf-8")
             for d in _rows(fresh_kb, "documents")}
    rows = _rows(fresh_kb, table)
    for r in rows:
        span = texts[r["doc_id"]][int(r["start"]):int(r["end"])]
        assert "".join(span.split()) == "".join(r["mention"].split()), r


def test_required_columns_present(fresh_kb):
    required = {
        "documents": "doc_id source sources format sha256 bulletin issue_no published_on speech_date speaker title note city n_chars n_sentences",
        "sentences": "doc_id sentence_id start end section text",
        "figures": "figure_id doc_id sentence_id start end mention value value_max unit qualifier kind indicator scope period compared_to direction sentence",
        "targets": "target_id figure_id doc_id start end mention value value_max unit qualifier indicator scope period commitment sentence",
        "deadlines": "deadline_id doc_id start end mention date task responsible sentence",
        "mentions": "mention_id doc_id start end mention type entity_id method",
        "entities": "entity_id type name aliases owner_entity_id doc_count first_seen last_seen",
        "figure_history": "series_id indicator scope period kind unit doc_id speech_date figure_id value qualifier status previous_figure_id previous_value previous_qualifier delta",
        "targets_vs_actuals": "target_id actual_figure_id indicator scope target_period actual_period target_value qualifier actual_value outcome share",
        "errors": "source stage error message",
    }
    for table, cols in required.items():
        with open(fresh_kb / f"{table}.csv", encoding="utf-8", newline="") as f:
            header = next(csv.reader(f))
        assert set(cols.split()) <= set(header), table


def test_prerendered_documents_write_the_bytes_of_every_row(tmp_path):
    """The KB joined from each document's prerendered text (made in the workers, kept in the cache) is the KB
    rendered row by row, every file: on the corpus, and with an empty document and awkward strings."""
    import copy
    import dataclasses

    from pipeline import write
    from pipeline.corpus import link_corpus
    from pipeline.spill import Spilled

    report = run(ROOT / "corpus", tmp_path / "kb", load_settings(ROOT / "corpus", ner=False), progress=False,
                 cache_dir=None, xlsx=True)  # with kb.xlsx, the results keep their sentence rows
    results = list(report.results)
    assert all(isinstance(r.rendered, Spilled) for r in results)  # the run kept their text on disk
    odd = copy.deepcopy(results[0])
    odd.document = dataclasses.replace(odd.document, doc_id="0" * 16, title='引号"，逗号\r\n换行 =1+1 \u0001')
    odd.sentences = [dataclasses.replace(s, doc_id="0" * 16, text=s.text + ' "x",\r') for s in odd.sentences[:3]]
    odd.figures, odd.deadlines, odd.mentions = [], [], []
    odd.rendered = write.prerender(odd)
    results.append(odd)
    # mentions with awkward strings (rendered with holes for their entity ids), and one with a NUL (rendered
    # when linked instead)
    for k, extra in enumerate(['引号"，逗号\r\n换行', "\x00"]):
        other = copy.deepcopy(results[k + 1])
        assert other.mentions
        other.document = dataclasses.replace(other.document, doc_id=f"{k + 1}" * 16)
        other.sentences = [dataclasses.replace(s, doc_id=f"{k + 1}" * 16) for s in other.sentences]
        other.figures, other.deadlines = [], []
        other.mentions = [dataclasses.replace(m, doc_id=f"{k + 1}" * 16, mention=m.mention + extra * (i % 2))
                          for i, m in enumerate(other.mentions)]
        other.rendered = write.prerender(other)
        assert ("mentions" in other.rendered) == (extra != "\x00")
        results.append(other)
    assert all(r.rendered is not None for r in results)
    plain = write.render(link_corpus(results, []))
    joined = {name: write._bytes(make()) for name, make in
              write.render_lazy(link_corpus(results, []), pre={r.document.doc_id: r.rendered for r in results}).items()}
    assert plain.keys() == joined.keys()
    for name in plain:
        assert joined[name] == plain[name], name


def test_kb_json_streamed_is_the_plain_json_dump_with_series(tmp_path):
    """kb.json written one document and one series at a time is json.dumps of the nested KB, on a corpus
    whose figures make series across documents (the fuzz test's few documents rarely do)."""
    from tests.test_fuzz import _kb_json_reference

    from pipeline import write
    from pipeline.corpus import link_corpus

    report = run(ROOT / "corpus", tmp_path / "kb", load_settings(ROOT / "corpus", ner=False), progress=False,
                 cache_dir=None, xlsx=True)
    tables = link_corpus(list(report.results), [])
    assert len({h.series_id for h in tables["figure_history"]}) >= 5
    assert write._kb_json(tables) == _kb_json_reference(tables)
