"""Word segmenters: jieba always, pkuseg when its extra is installed (CI installs it with `make pkuseg`)."""
import os

import pytest

from pipeline.segment import word_pass
from pipeline.segmenters import get_segmenter

SENT = "全市规上工业增加值增长11.4%，新建标准化厂房61万平方米。"


def test_jieba_uses_the_domain_dictionary():
    words = get_segmenter("jieba").cut(SENT)
    assert "规上工业增加值" in words and "标准化厂房" in words
    assert "".join(words) == SENT


def test_jieba_is_a_private_tokenizer():
    import jieba

    get_segmenter("jieba")
    assert "规上工业增加值" not in jieba.lcut(SENT)  # the global tokenizer was not touched


def test_the_word_pass_tags_every_word():
    words, tags = word_pass(SENT)
    assert "".join(words) == SENT and len(tags) == len(words)
    assert dict(zip(words, tags))["标准化厂房"].startswith("n")  # the user dictionary's tag
    assert dict(zip(words, tags))["11.4%"] == "m"


def test_unknown_segmenter_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown segmenter"):
        get_segmenter("nope")


def _pkuseg_installed() -> bool:
    try:
        import pkuseg  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not _pkuseg_installed() and not os.environ.get("CI"),
                    reason="pkuseg is an optional extra: `make pkuseg` (CI installs it and runs this)")
def test_pkuseg_segments_offline():
    words = get_segmenter("pkuseg").cut(SENT)
    assert "".join(words) == SENT
    assert "规上工业增加值" in words  # the domain dictionary is passed to pkuseg too


@pytest.mark.skipif(not _pkuseg_installed() and not os.environ.get("CI"),
                    reason="pkuseg is an optional extra: `make pkuseg` (CI installs it and runs this)")
def test_pipeline_runs_with_pkuseg(tmp_path):
    from pathlib import Path

    from pipeline.config import load_settings
    from pipeline.corpus import run

    root = Path(__file__).resolve().parent.parent
    corpus = tmp_path / "c"
    corpus.mkdir()
    src = sorted((root / "corpus").glob("*.txt"))[1]
    (corpus / src.name).write_bytes(src.read_bytes())
    report = run(corpus, tmp_path / "out", load_settings(corpus, segmenter="pkuseg", ner=False), progress=False,
                 xlsx=True)  # kb.xlsx renders rows: the results keep their sentences
    sentences = report.tables["sentences"]
    assert report.tables["figures"] and sentences and all(s.n_words > 0 for s in sentences)


def _corpus_lines() -> list[str]:
    from pathlib import Path

    from pipeline.readers import read_source

    root = Path(__file__).resolve().parent.parent
    text = "".join(read_source(p).text for p in sorted((root / "corpus").glob("*.txt")))
    return [s for s in text.replace("。", "。\n").splitlines() if s.strip()]


def test_the_accelerated_cutter_cuts_as_jieba():
    """jieba_next (the compiled cutter the segmenter uses when installed) gives jieba's words on every
    corpus sentence, with the domain dictionary and without it, and on text it has never seen."""
    import jieba

    from pipeline.resources import path
    from pipeline.segmenters import new_tokenizer

    lines = _corpus_lines() + ["汇美思毛绒玩具ABC-12.5%项目，。", "龘靐齉爩 2021年1-5月 α β", "a\r\nb  c\t", "", " "]
    lines += [s[i:i + 3 + i % 17] for s in lines[::5] for i in range(0, len(s), 7)]  # parts, as the rules cut
    for userdict in (False, True):
        ref = jieba.Tokenizer()
        if userdict:
            ref.load_userdict(str(path("segmenter/userdict.txt")))
        tok = new_tokenizer(userdict)
        assert [p.groups for p in tok.blocks] == [1, 1]  # cut_words reads split()'s pieces by their parity
        assert [tok.lcut(s, HMM=True) for s in lines] == [ref.lcut(s, HMM=True) for s in lines]
        assert [list(tok.cut(s)) for s in lines[::9]] == [ref.lcut(s) for s in lines[::9]]


UNKNOWN_TAGS = [  # (word, tag): how a word no dictionary knows is tagged
    ("12.5%", "m"), ("2021", "m"), ("ABC", "eng"), ("5G", "eng"), ("，", "x"), ("—", "x"),
]


@pytest.mark.parametrize("word,tag", UNKNOWN_TAGS, ids=[w for w, _ in UNKNOWN_TAGS])
def test_unknown_words_take_possegs_classes(word, tag):
    from pipeline.pos import unknown_tag

    assert unknown_tag(word) == tag


def test_tags_are_jiebas_dictionary_tags_and_its_hmm():
    """A dictionary word takes jieba's tag (the user dictionary's over it); an unknown Han word takes the tag
    jieba.posseg's HMM gives its last character; the HMM here (predecessor-indexed) is jieba's."""
    from jieba.posseg.viterbi import viterbi as jieba_viterbi

    from pipeline import dictionary, pos

    words, tags = word_pass("全市规上工业增加值增长，龘靐齉爩企业加快发展。")
    table = {w: t for w, (_, t) in dictionary.entries().items() if t}
    for w, t in zip(words, tags):
        assert t == (table.get(w) or pos.unknown_tag(w)) == pos.tag_word(w)  # tag_words memoises tag_word
    assert table["规上工业增加值"] == "n" and table["发展"] == "vn"
    for run in ["旬阳烟厂泸康酒厂", "龘靐齉爩", "汇美思索啦咪"]:
        assert pos.viterbi(run) == jieba_viterbi(run, *pos._tables()[:4])
        assert pos.unknown_tag(run) == jieba_viterbi(run, *pos._tables()[:4])[1][-1][1]


def test_the_unknown_word_hmm_is_jiebas():
    """hmm_cut (back-pointer Viterbi, memoised) cuts every run as jieba.finalseg.cut does: corpus
    stretches, rare characters the model has never seen, mixed Latin and digits."""
    import random

    from jieba import finalseg

    from pipeline.segmenters import hmm_cut

    text = "".join(_corpus_lines())
    rnd = random.Random(5)
    runs = [text[i:i + rnd.randint(1, 14)] for i in (rnd.randrange(len(text) - 14) for _ in range(3000))]
    runs += ["".join(rnd.choice("龘靐齉爩汇美思索啦咪岚恒ab1.5%") for _ in range(rnd.randint(1, 9))) for _ in range(500)]
    for run in runs:
        assert list(hmm_cut(run)) == list(finalseg.cut(run)), run


def test_the_dictionary_table_is_the_tokenizers():
    """dictionary.entries() reads the files jieba's tokenizer loads: the same frequency for every word, and
    the same words of non-zero frequency that a block of text to cut can hold (what the segmenter asks of
    a run of single characters in place of the tokenizer's FREQ). jieba reads the user dictionary's comment
    line as a word too; with its spaces no block holds it."""
    from pipeline import dictionary
    from pipeline.resources import path
    from pipeline.segmenters import new_tokenizer

    tok = new_tokenizer(userdict=True)
    freq, block = tok.FREQ, tok.blocks[0]
    table = dictionary.entries()
    for w in [*table, "规上工业增加值", "标准化厂房", "龘靐"]:
        assert dictionary.word_frequency(w) == (freq.get(w) or 0), w
    words = {w for w, f in freq.items() if f and block.fullmatch(w)}
    assert words == {w for w, (f, _) in table.items() if f and block.fullmatch(w)}
    comment = path("segmenter/userdict.txt").read_text(encoding="utf-8").splitlines()[0]
    assert comment.startswith("# ") and [w for w, f in freq.items() if f and w not in table] == [comment]


def test_the_kept_dictionary_table_is_the_parsed_one(tmp_path, monkeypatch):
    """entries() read back from its pickle, written by a first call, equals parsing both files again."""
    import jieba

    from pipeline import dictionary
    from pipeline.resources import path

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    dictionary.entries.cache_clear()
    try:
        first = dictionary.entries()
        kept_files = list(tmp_path.glob("bulletin-pipeline-dictionary-*.pickle"))
        assert len(kept_files) == 1
        dictionary.entries.cache_clear()
        kept = dictionary.entries()
        kept_files[0].write_bytes(b"not a pickle")
        dictionary.entries.cache_clear()
        rebuilt = dictionary.entries()
    finally:
        dictionary.entries.cache_clear()
    with jieba.get_dict_file() as f:
        parsed = dictionary.parse(f.read(), path("segmenter/userdict.txt").read_bytes())
    assert kept == first == rebuilt == parsed
    for table in (first, kept):  # equal entries are one tuple: what keeps the table small
        assert len({id(e) for e in table.values()}) == len(set(table.values())) < len(table) / 10


def test_the_array_viterbi_is_jiebas_on_many_runs():
    """pos.viterbi (over arrays) gives jieba.posseg's viterbi result, probability and route, on stretches of
    the corpus and on characters jieba's table does not know."""
    import random

    from jieba.posseg.viterbi import viterbi as jieba_viterbi

    from pipeline import pos

    han = "".join(c for c in "".join(_corpus_lines()) if "\u4e00" <= c <= "\u9fff")
    rnd = random.Random(17)
    runs = [han[i:i + rnd.randint(1, 9)] for i in (rnd.randrange(len(han) - 9) for _ in range(500))]
    runs += ["".join(rnd.choice("龘靐齉爩汇美思索啦咪岚恒") for _ in range(rnd.randint(1, 6))) for _ in range(100)]
    for run in runs:
        assert pos.viterbi(run) == jieba_viterbi(run, *pos._tables()), run


def test_the_kept_posseg_model_is_the_built_one(tmp_path, monkeypatch):
    """pos._model reads the compact model back from the temporary folder: the same arrays as building it
    from jieba.posseg's tables, and a damaged file is rebuilt, not trusted."""
    import numpy

    from pipeline import pos

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    built = pos.build_model(pos._tables())
    pos._model.cache_clear()
    first = pos._model()  # builds it and keeps the pickle
    kept = list(tmp_path.glob("bulletin-pipeline-posseg-*.pickle"))
    assert len(kept) == 1
    pos._model.cache_clear()
    again = pos._model()  # read back
    kept[0].write_bytes(b"not a pickle")
    pos._model.cache_clear()
    rebuilt = pos._model()
    pos._model.cache_clear()
    for m in (first, again, rebuilt):
        assert m.order == built.order and m.rows == built.rows
        for name in ("trans", "has_next", "start", "allowed_ptr", "allowed_idx", "emit_ptr", "emit_idx", "emit_val"):
            assert numpy.array_equal(getattr(m, name), getattr(built, name)), name
