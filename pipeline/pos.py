"""Part-of-speech tags of the segmenter's words: jieba's dictionary tags, and jieba.posseg's HMM for the rest.

The words come from the one word pass (whatever segmenter the run uses); tags
do not cut them again. A word of jieba's dictionary or of the domain user
dictionary takes its tag from there, as jieba.posseg does; numbers and Latin
words take posseg's m / eng / x; a Han word no dictionary knows is tagged by
posseg's joint segmentation-and-tag HMM read over that word alone (the tag of
its last character: the head of a Chinese word is at its end). pkuseg's own
tagger would need a model downloaded at run time, so tags are jieba's for
both segmenters.

The HMM's Viterbi runs over arrays of the model's states; ties and arithmetic
are jieba's (a test compares).
"""
from __future__ import annotations

from functools import cache, lru_cache

import numpy
import regex

from .dictionary import entries

_NUMBER = regex.compile(r"[0-9.]+%?")
_LATIN = regex.compile(r"[A-Za-z0-9]+")
_HAN = regex.compile(r"\p{Han}")

MIN_FLOAT = -3.14e100  # jieba.posseg.viterbi's constants
MIN_INF = float("-inf")


@cache
def _tables():
    """jieba.posseg's model: states per character, start, transition and emission log probabilities."""
    from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P  # half a second to load: when first needed
    return char_state_tab_P, start_P, trans_P, emit_P


@cache
def _arrays():
    """The model as arrays over every state, ordered so that index 0 is the largest state (jieba breaks a
    tie between two paths by the larger state, as numpy's argmax breaks one by the first index)."""
    _, start_p, trans_p, _ = _tables()
    order = sorted(trans_p, reverse=True)
    index = {s: i for i, s in enumerate(order)}
    trans = numpy.full((len(order), len(order)), MIN_INF)
    for y0, nexts in trans_p.items():
        for y, p in nexts.items():
            trans[index[y0], index[y]] = p
    has_next = numpy.array([bool(trans_p[s]) for s in order])
    return order, index, trans, has_next, numpy.array([start_p[s] for s in order])


@lru_cache(maxsize=8192)
def _character(ch: str):
    """The states a character may take (all, when jieba's table does not know it) and its emissions."""
    states, _, _, emit_p = _tables()
    order, index, *_ = _arrays()
    allowed = numpy.zeros(len(order), dtype=bool)
    if ch in states:
        allowed[[index[s] for s in states[ch]]] = True
    else:
        allowed[:] = True
    return allowed, numpy.array([emit_p[s].get(ch, MIN_FLOAT) for s in order])


def viterbi(obs: str):
    """jieba.posseg.viterbi.viterbi(obs, *jieba's tables), the same result: (log probability, [(B/M/E/S,
    tag) per character]), computed over arrays: at each character the states that follow a live state, and
    for each the best live predecessor (the sums in jieba's order, so the same floats; ties to the larger
    state). A test compares the two on thousands of runs, rare characters included."""
    order, _, trans, has_next, start = _arrays()
    allowed, emit = _character(obs[0])
    V, defined = numpy.where(allowed, start + emit, MIN_INF), allowed
    back = []
    for ch in obs[1:]:
        allowed, emit = _character(ch)
        live = numpy.flatnonzero(defined & has_next)
        expect = numpy.isfinite(trans[live]).any(axis=0)
        here = allowed & expect
        if not here.any():  # jieba then takes every successor, else every state
            here = expect if expect.any() else numpy.ones(len(order), dtype=bool)
        cols = numpy.flatnonzero(here)
        scores = (V[live][:, None] + trans[numpy.ix_(live, cols)]) + emit[cols]
        best = numpy.argmax(scores, axis=0)
        V = numpy.full(len(order), MIN_INF)
        V[cols] = scores[best, numpy.arange(cols.size)]
        ptr = numpy.full(len(order), -1)
        ptr[cols] = live[best]
        back.append(ptr)
        defined = here
    ends = numpy.flatnonzero(defined)
    state = ends[numpy.argmax(V[ends])]
    prob = float(V[state])
    route = [None] * len(obs)
    for i in range(len(obs) - 1, -1, -1):
        route[i] = order[state]
        if i:
            state = back[i - 1][state]
    return prob, route


@lru_cache(maxsize=65536)
def unknown_tag(word: str) -> str:
    """The tag of a word no dictionary knows: m for numbers, eng for Latin, the HMM's for Han, else x."""
    if _NUMBER.fullmatch(word):
        return "m"
    if _LATIN.fullmatch(word):
        return "eng"
    if _HAN.match(word):
        return viterbi(word)[1][-1][1]
    return "x"


def tag_words(words) -> tuple[str, ...]:
    """One tag per word."""
    table = entries()
    return tuple((e[1] if (e := table.get(w)) and e[1] else unknown_tag(w)) for w in words)
