"""The document model's word views: a Tagged stretch cut by bisection gives what a walk over its words gives."""
from hypothesis import given, settings, strategies as st

from pipeline.model import Sentence, Tagged


def _plain_cut(pairs, a, b):
    """The reference: walk every word, keep the part of each inside [a, b)."""
    n = sum(len(w) for w, _ in pairs)
    b = n if b is None else (b + n if b < 0 else b)
    a = a + n if a < 0 else a
    a, b = max(0, a), min(n, b)
    if a >= b:
        return []
    out, pos = [], 0
    for w, t in pairs:
        s, e = pos, pos + len(w)
        pos = e
        if e <= a or s >= b:
            continue
        out.append((w[max(a, s) - s:min(b, e) - s], t))
    return out


_WORDS = st.lists(st.tuples(st.text("甲乙丙丁12%，", min_size=1, max_size=4), st.sampled_from(["n", "v", "m", "x"])),
                  max_size=8)


@settings(max_examples=400, deadline=None)
@given(_WORDS, st.integers(-12, 14), st.one_of(st.none(), st.integers(-12, 14)))
def test_cut_is_the_plain_walk(pairs, a, b):
    t = Tagged(tuple(pairs))
    got = t.cut(a, b)
    assert list(got.pairs) == _plain_cut(pairs, a, b)
    assert got.text == "".join(w for w, _ in got.pairs)


@settings(max_examples=200, deadline=None)
@given(_WORDS, st.integers(0, 14), st.integers(0, 14))
def test_a_sentence_view_is_its_words_clipped(pairs, a, b):
    text = "".join(w for w, _ in pairs)
    s = Sentence(0, "s0", text, 0, len(text), 0, len(text), words=tuple(w for w, _ in pairs),
                 tags=tuple(t for _, t in pairs))
    assert list(s.tagged(a, b).pairs) == (_plain_cut(pairs, a, b) if a < b else [])
    assert s.tagged(a, b).text == text[a:b] if a < b else s.tagged(a, b).text == ""
    assert s.words_in(a, b) == [w for w, _ in _plain_cut(pairs, a, b)]


def test_tags_are_computed_once_when_first_read():
    calls = []
    s = Sentence(0, "s0", "甲乙丙", 0, 3, 0, 3, words=("甲乙", "丙"), tagger=lambda w: calls.append(w) or ("n", "v"))
    assert s.words_in(0, 3) == ["甲乙", "丙"] and calls == []  # words need no tags
    assert s.tagged(1, 3).pairs == (("乙", "n"), ("丙", "v"))
    s.tagged(0, 2)
    assert calls == [("甲乙", "丙")]


def test_without_drops_characters_and_empty_words():
    t = Tagged((("“", "x"), ("六稳", "n"), ("”", "x"), ("工作", "vn")))
    assert t.without("“”").pairs == (("六稳", "n"), ("工作", "vn"))
    assert t.without("#") is t


def test_word_offsets_are_the_running_sum_of_word_lengths():
    """model._starts (itertools.accumulate) gives each word's offset as a walk over the words does."""
    import random

    from pipeline.model import _starts

    rnd = random.Random(3)
    for n in range(0, 40):
        words = ["字" * rnd.randint(1, 5) for _ in range(n)]
        walked, pos = [], 0
        for w in words:
            walked.append(pos)
            pos += len(w)
        assert _starts(words) == walked
        assert _starts(tuple(words)) == walked
