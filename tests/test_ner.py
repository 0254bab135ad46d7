"""The shipped span model: loads offline from the repository, finds names in invented sentences, and is
deterministic; its feature and candidate helpers are checked case by case."""
import hashlib
from pathlib import Path

import pytest

from pipeline.extract import ner
from pipeline.extract.entity_candidates import MAX_SIZE, context_tags, loose_candidates
from pipeline.segment import sentence_of

MODEL = ner.shipped_dir()


def test_model_is_shipped_small_and_carded():
    assert (MODEL / "meta.json").is_file(), "run `make train` to build resources/models/entities"
    size = sum(p.stat().st_size for p in MODEL.rglob("*") if p.is_file())
    assert size < 20 * 1024 * 1024
    assert (MODEL.parent / "README.md").is_file()


def test_model_loads_offline(monkeypatch):
    import socket

    def no_network(*a, **k):
        raise AssertionError("the model must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    nlp = ner.load(MODEL)
    assert nlp.pipe_names == ["bulletin_entity_features", "spancat"]


SENTENCES = [
    ("enterprise-list", "突出抓好岚河酒厂、恒远建材、金穗食品等重点企业满负荷生产", "enterprise", "恒远建材"),
    ("project-list", "要加快紫阳水电站、秦巴医药产业园、南湖康养小镇等项目建设", "project", "秦巴医药产业园"),
    ("place-prefixed-list", "吸引了苏州嘉禾悦、浙江瑞丰泰等一大批行业巨头纷纷落户", "enterprise", "浙江瑞丰泰"),
]


@pytest.mark.parametrize("text,typ,name", [c[1:] for c in SENTENCES], ids=[c[0] for c in SENTENCES])
def test_model_finds_a_name_in_an_invented_sentence(text, typ, name):
    predict = ner.shipped_predictor()
    spans = predict([sentence_of(text)])[0]
    s = text.index(name)
    best = max((sc for a, b, t, sc in spans if (a, b, t) == (s, s + len(name), typ)), default=0.0)
    assert best >= 0.5, sorted(spans, key=lambda x: -x[3])[:5]


def test_predictions_are_deterministic_and_in_range():
    predict = ner.shipped_predictor()
    sents = [sentence_of(c[1]) for c in SENTENCES] + [sentence_of(""), sentence_of("。")]
    first, second = predict(sents), predict(sents)
    assert first == second
    for sent, spans in zip(sents, first):
        for a, b, t, sc in spans:
            assert 0 <= a < b <= len(sent.text) and t in ner.LABELS and 0.0 <= sc <= 1.0


def test_blas_products_score_as_blis_does_and_hold_blas_to_one_thread(monkeypatch):
    """The shipped predictor's numpy/BLAS matrix products give blis's scores (to rounding at the 6th
    decimal) on corpus sentences, and BLAS runs on one thread while the model predicts."""
    from threadpoolctl import threadpool_info

    fast = ner.shipped_predictor()
    slow = ner.Predictor(ner.load(ner.shipped_dir()))
    texts = [s for s in _corpus_sentences() if s.text.strip()][::4]
    a, b = fast(texts), slow(texts)
    assert [[x[:3] for x in t] for t in a] == [[x[:3] for x in t] for t in b]
    assert max(abs(x[3] - y[3]) for ta, tb in zip(a, b) for x, y in zip(ta, tb)) <= 2e-6
    seen = []
    sc = fast.nlp.get_pipe("spancat")
    real = sc.predict

    def spy(docs):
        seen.extend(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")
        return real(docs)

    monkeypatch.setattr(sc, "predict", spy)
    fast(texts[:3])
    assert seen and set(seen) == {1}


FEATURES = [
    ("industry-word", "宏鑫光电、天泽医药等一批工业项目", 2, "B-industry", "L-project"),
    ("outside-list", "要加快建设，宏鑫光电", 0, "S-lead", "O"),
    ("enterprise-list", "岚河酒厂、恒远建材等重点企业", 2, "B-company", "L-enterprise"),
]


@pytest.mark.parametrize("text,i,tag,dep", [c[1:] for c in FEATURES], ids=[c[0] for c in FEATURES])
def test_features(text, i, tag, dep):
    nlp = ner.blank()
    doc = ner.featurize(nlp.make_doc(text))
    assert (doc[i].tag_, doc[i].dep_) == (tag, dep)


def test_candidates_never_cross_punctuation():
    nlp = ner.blank()
    doc = ner.featurize(nlp.make_doc("突出抓好岚河酒厂、恒远建材、金穗食品等重点企业满负荷生产，共建“秦巴无水港”。"))
    spans = ner.candidate_spans([doc], MAX_SIZE)
    texts = {doc[int(a):int(b)].text for a, b in spans.dataXd}
    assert {"岚河酒厂", "恒远建材", "金穗食品", "秦巴无水港"} <= texts
    assert not any(c in t for t in texts for c in "、，。")


FAST_PATH_TEXTS = ["突出抓好岚河酒厂、恒远建材等重点企业", "含 空格 的句子，旬阳 水电站", " 前后有空格 ", "a b", "。"]


@pytest.mark.parametrize("text", FAST_PATH_TEXTS)
def test_fast_doc_and_features_equal_spacys_own(text):
    """make_doc and the array path of featurize are shortcuts: the tokens and every feature the model reads
    must be what nlp.make_doc and Token-by-Token assignment give."""
    from spacy.attrs import DEP, LEMMA, NORM, SHAPE, TAG

    nlp = ner.blank()
    sent = sentence_of(text)
    fast = ner.featurize(ner.make_doc(nlp, text), sent)
    slow = nlp.make_doc(text)
    assert [(t.text, t.whitespace_) for t in fast] == [(t.text, t.whitespace_) for t in slow]
    word_at, i = [""] * len(text), 0
    for w in sent.words:
        word_at[i:i + len(w)] = [w] * len(w)
        i += len(w)
    ctx = context_tags(text)
    for t in slow:
        t.lemma_ = word_at[t.idx] or t.text
        t.dep_ = ctx[t.idx]
    attrs = [NORM, LEMMA, DEP, SHAPE]
    assert (fast.to_array(attrs) == slow.to_array(attrs)).all()
    assert all(t.tag_ for t in fast) and fast.user_data["text"] == text


def test_prediction_columns_are_featurizes_doc():
    """The predictor's feature columns (no Doc: per word and per character code) are, column by column,
    what featurize puts on the Doc the model was trained on, for corpus sentences, rare characters and
    Latin; texts with whitespace take the Doc path."""
    predict = ner.shipped_predictor()
    nlp = predict.nlp
    attrs = predict.columns.attrs
    sents = [s for s in _corpus_sentences(150) if not any(c.isspace() for c in s.text)]
    sents += [sentence_of(t) for t in ["龘靐齉爩ABC-12.5%项目。", "突出抓好岚河酒厂、恒远建材等重点企业", "a", "𠀋𠀌园区"]]
    for sent in sents:
        doc = ner.featurize(ner.make_doc(nlp, sent.text), sent)
        assert (predict.columns(sent) == doc.to_array(attrs)).all(), sent.text


def test_sentences_without_candidates_are_skipped_and_nothing_else_changes(monkeypatch):
    """The model reads only sentences with a candidate span; the scores of the others' spans are what they
    are when each sentence is scored alone."""
    predict = ner.shipped_predictor()
    texts = [sentence_of(t) for t in [c[1] for c in SENTENCES] + ["会议要求，抓紧落实。", "", "同比增长11.4%。"]]
    read: set[str] = set()  # texts whose features were computed, by the column path or the Doc path
    real_features, real_columns = ner._features, predict.columns
    monkeypatch.setattr(ner, "_features", lambda s: (read.add(s.text), real_features(s))[1])
    monkeypatch.setattr(predict, "columns", lambda s: (read.add(s.text), real_columns(s))[1])
    together = predict(texts)
    assert len(read) == sum(1 for t in texts if loose_candidates(t, MAX_SIZE)) < len(texts)
    alone = [predict([t])[0] for t in texts]
    assert [[(a, b, t) for a, b, t, _ in s] for s in together] == [[(a, b, t) for a, b, t, _ in s] for s in alone]
    for s1, s2 in zip(together, alone):
        assert all(abs(x[3] - y[3]) < 1e-4 for x, y in zip(s1, s2))


def _corpus_sentences(limit: int = 400):
    """Sentences of the corpus (with their word pass), about `limit` of them, evenly picked."""
    from pipeline.config import load_settings
    from pipeline.corpus import discover, read_inputs
    from pipeline.runner import DOC_STAGES, run_stages

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    settings = load_settings(corpus, ner=False)
    docs, _ = read_inputs(corpus, discover(corpus))
    out = []
    upto = tuple(s for s in DOC_STAGES if s.name in ("clean", "metadata", "segment"))
    for d in docs:
        out += run_stages({"source": d, "settings": settings}, upto)["document"].sentences
    return out[::max(1, len(out) // limit)]


def test_windows_score_as_the_whole_sentence():
    """The model reads only the stretches around the spans asked about, as far as a character's vector
    sees; every span scores as when the whole sentence is read (corpus sentences, and spaced ones)."""
    predict = ner.shipped_predictor()
    texts = _corpus_sentences(200) + [sentence_of("突出抓好岚河 酒厂、恒远建材  等重点企业，新建 旬阳水电站 项目。")]
    windowed = predict(texts)
    reads = []
    real = ner.windows
    try:
        ner.windows = lambda spans, text, context: (reads.append(real(spans, text, context)), [(0, len(text))])[1]
        whole = predict(texts)
    finally:
        ner.windows = real
    assert any(len(w) > 1 or (w and w[0] != (0, len(t.text))) for w, t in zip(reads, texts))  # windows were cut
    for a, b in zip(windowed, whole):
        assert [x[:3] for x in sorted(a)] == [x[:3] for x in sorted(b)]
        assert all(abs(x[3] - y[3]) < 1e-4 for x, y in zip(sorted(a), sorted(b)))


@pytest.mark.parametrize("spans, text, context, expected", [
    ([(5, 7)], "一二三四五六七八九十", 2, [(3, 9)]),
    ([(1, 2)], "一二三四五", 3, [(0, 5)]),
    ([(2, 3), (6, 7)], "一二三四五六七八九十", 1, [(1, 4), (5, 8)]),
    ([(2, 3), (5, 6)], "一二三四五六七八九十", 1, [(1, 7)]),       # touching stretches merge
    ([(4, 6)], "一 二 三四 五 六七", 2, [(0, 10)]),                # whitespace is not counted
])
def test_windows(spans, text, context, expected):
    assert ner.windows(spans, text, context) == expected


def test_only_the_questions_matter_to_the_combination():
    """combine(both) reads only the scores of model_questions' spans: scoring every candidate span
    instead gives the same mentions."""
    from pipeline.extract import entities

    predict = ner.shipped_predictor()
    sents = _corpus_sentences(300)
    rules = [entities.rule_candidates(s) for s in sents]
    asks = [entities.model_questions(s.text, r, loose_candidates(s, MAX_SIZE)) for s, r in zip(sents, rules)]
    assert sum(map(len, asks)) < sum(len(loose_candidates(s, MAX_SIZE)) for s in sents)
    asked, every = predict(sents, asks), predict(sents)
    params = {"add": 0.3, "confirm": 0.3}  # low thresholds, so that many model spans take part
    for s, r, a, e in zip(sents, rules, asked, every):
        assert entities.combine(s.text, r, a, "both", params) == entities.combine(s.text, r, e, "both", params)


def test_bare_words_change_no_mention():
    """extract() does not ask about uncommon words standing alone: asking about them too gives the same
    mentions on the corpus sentences, while the model reads fewer sentences."""
    from pipeline.extract import entities

    predict = ner.shipped_predictor()
    sents = _corpus_sentences(400)
    rules = [entities.rule_candidates(s) for s in sents]
    full = [entities.model_questions(s.text, r, loose_candidates(s, MAX_SIZE)) for s, r in zip(sents, rules)]
    lean = [entities.model_questions(s.text, r, loose_candidates(s, MAX_SIZE, False)) for s, r in zip(sents, rules)]
    assert sum(1 for q in lean if q) < sum(1 for q in full if q)
    assert all(set(a) <= set(b) for a, b in zip(lean, full))
    for s, r, a, b in zip(sents, rules, predict(sents, full), predict(sents, lean)):
        assert entities.combine(s.text, r, a, "both") == entities.combine(s.text, r, b, "both")


@pytest.mark.slow
def test_training_is_reproducible(tmp_path):
    """Two trainings from one seed write byte-identical model files (a small run: one document, 2 epochs)."""
    from pipeline.config import PROJECT_DIR
    from pipeline.train import load_docs, train_model, write_model

    docs = load_docs(PROJECT_DIR / "corpus", PROJECT_DIR / "tests" / "gold")[:1]

    def digest(out: Path) -> dict:
        write_model(train_model(docs, seed=7, epochs=2), out, {"seed": 7})
        return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(out.rglob("*")) if p.is_file()}

    assert digest(tmp_path / "a") == digest(tmp_path / "b")
