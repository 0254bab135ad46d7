"""The shipped entity model: small, carded, loaded with numpy alone; it confirms the rules' guesses and
rejects their bad ones in invented sentences, deterministically; the silver data keeps development texts out.
Sentences are invented in the style of government texts (no names from the development documents)."""
import subprocess
import sys

import numpy
import pytest

from pipeline.extract import entities, entity_model
from pipeline.extract.entity_finders import rule_candidates
from pipeline.segment import sentence_of

MODEL = entity_model.shipped_dir()


def test_model_is_shipped_small_and_carded():
    assert (MODEL / "weights.npy").is_file(), "run `python -m pipeline.train` to build resources/models/entities"
    size = sum(p.stat().st_size for p in MODEL.rglob("*") if p.is_file())
    assert size < 20 * 1024 * 1024
    assert (MODEL.parent / "README.md").is_file()


def test_a_run_with_the_model_imports_no_spacy():
    code = ("import sys; from pipeline.extract.entity_model import shipped_predictor; "
            "from pipeline.segment import sentence_of; p = shipped_predictor(); p([sentence_of('加快建设锦江大道')]); "
            "print('spacy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


CONFIRMS = [
    ("company-in-project-list", "推动瑞丰食品、宏图视界等一批工业项目落地", "瑞丰", "enterprise"),
    ("road-list-with-verb", "推进长乐大道、锦江大道等主干道改造", "锦江大道", "project"),
]


@pytest.mark.parametrize("text,name,typ", [c[1:] for c in CONFIRMS], ids=[c[0] for c in CONFIRMS])
def test_model_keeps_names_in_invented_sentences(text, name, typ):
    sent = sentence_of(text)
    got = entities.extract_mentions([sent], entity_model.shipped_predictor())
    assert (name, typ) in {(text[m.start:m.end], m.type) for m in got}


REJECTS = [
    ("place-front-of-a-reservoir", "力争青溪水库、白石河水电站开工", "青溪", "enterprise"),
    ("slogan-quoted", "全力打造“幸福之州”", "幸福之州", "project"),
]


@pytest.mark.parametrize("text,name,typ", [c[1:] for c in REJECTS], ids=[c[0] for c in REJECTS])
def test_model_leaves_bad_guesses_out(text, name, typ):
    sent = sentence_of(text)
    got = entities.extract_mentions([sent], entity_model.shipped_predictor())
    assert (name, typ) not in {(text[m.start:m.end], m.type) for m in got}


def test_predictions_are_deterministic_and_in_range():
    predict = entity_model.shipped_predictor()
    sents = [sentence_of(c[1]) for c in CONFIRMS + REJECTS] + [sentence_of(""), sentence_of("。")]
    first, second = predict(sents), predict(sents)
    assert first == second
    for sent, spans in zip(sents, first):
        for a, b, t, sc in spans:
            assert 0 <= a < b <= len(sent.text) and t in entity_model.LABELS and 0.0 <= sc <= 1.0


def test_asked_spans_score_as_in_the_full_pass():
    """Asking about some spans gives them the scores they get when every candidate is scored."""
    predict = entity_model.shipped_predictor()
    sent = sentence_of(CONFIRMS[0][1])
    full = {(a, b, t): v for a, b, t, v in predict([sent])[0]}
    asks = sorted({(a, b) for a, b, _ in full})[:3]
    part = predict([sent], [asks])[0]
    assert part and all(full[(a, b, t)] == v for a, b, t, v in part)


def test_features_are_hashed_deterministically():
    sent = sentence_of("推进长乐大道、锦江大道等主干道改造")
    spans, rows = entity_model.sentence_rows(sent)
    spans2, rows2 = entity_model.sentence_rows(sentence_of(sent.text))
    assert spans == spans2 and rows == rows2
    assert all(0 <= i < (1 << entity_model.BITS) for r in rows for i in r)


def test_save_and_load_round_trip(tmp_path):
    w = numpy.zeros((1 << entity_model.BITS, len(entity_model.LABELS)), dtype="float32")
    w[[3, 77, 1000]] = [[0.5, -1.0], [2.0, 0.0], [-0.25, 0.75]]
    entity_model.save(w, tmp_path / "m", {"seed": 1})
    assert (entity_model.load(tmp_path / "m").weights == w).all()


def test_weak_guesses_need_the_model():
    """A rules-only run leaves the weak guesses out (the company read out of a project name)."""
    sent = sentence_of(CONFIRMS[0][1])
    weak = {(sent.text[c.start:c.end], c.type) for c in rule_candidates(sent) if c.weak}
    assert ("瑞丰", "enterprise") in weak
    assert ("瑞丰", "enterprise") not in {(sent.text[m.start:m.end], m.type)
                                          for m in entities.extract_mentions([sent], None)}


def test_silver_keeps_development_texts_out():
    from pipeline.config import PROJECT_DIR
    from pipeline.silver import overlaps_dev

    text = next((PROJECT_DIR / "corpus").glob("*.txt")).read_text(encoding="utf-8")
    assert overlaps_dev(text)
    lines = [l for l in text.splitlines() if len(l) > 40][:5]
    assert overlaps_dev("前言。\n" + "\n".join(lines) + "\n结语。")     # a copy with other words around it
    assert not overlaps_dev("加快建设锦江大道。推动瑞丰食品项目投产。全力打造青溪水库。")


@pytest.mark.slow
def test_training_is_reproducible(tmp_path):
    """Two trainings write byte-identical files (a small run: one document, no silver)."""
    import hashlib

    from pipeline.entity_eval import load_docs
    from pipeline.train import train_model

    docs = load_docs()[:1]

    def digest(out):
        entity_model.save(train_model(docs, silver=False), out, {"seed": 7})
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())}

    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_a_documents_spans_scored_at_once_are_scored_as_one_at_a_time():
    """scores() (the spans of a document grouped by their number of features, one numpy pass per group)
    gives score_each's numbers bit for bit, on every candidate span of the five bulletins' sentences."""
    from pathlib import Path

    weights = entity_model.shipped_predictor().weights
    rows = []
    for p in sorted((Path(__file__).resolve().parent.parent / "corpus").glob("*.txt")):
        for line in p.read_text(encoding="utf-8").splitlines()[:60]:
            if line.strip():
                rows += entity_model.sentence_rows(sentence_of(line.strip()))[1]
    assert len({len(r) for r in rows}) > 3 and len(rows) > 500
    batched = entity_model.scores(weights, rows)
    assert batched.tolist() == [p.tolist() for p in entity_model.score_each(weights, rows)]


def test_memoised_feature_buckets_are_the_crc32_ones():
    """hashed (a memo of buckets) gives each feature crc32(UTF-8) & mask, asked once or again, for features
    of one span and of a real sentence's spans."""
    import zlib

    from pipeline.extract import entity_model as EM

    feats = ["bias", "len=3", "w-1=建设", "hcls*ctx=noneO", "bias", "", "rule=list|close|project|True"]
    for _ in range(2):
        assert EM.hashed(feats) == [zlib.crc32(s.encode("utf-8")) & EM._MASK for s in feats]
    assert all(EM._BUCKETS[s] == EM.hash_of(s) for s in feats)
