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

import hashlib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import jieba
import numpy
import regex

from .dictionary import entries
from .tmpkeep import kept

_NUMBER = regex.compile(r"[0-9.]+%?")
_LATIN = regex.compile(r"[A-Za-z0-9]+")
_HAN = regex.compile(r"\p{Han}")

MIN_FLOAT = -3.14e100  # jieba.posseg.viterbi's constants
MIN_INF = float("-inf")


@cache
def _tables():
    """jieba.posseg's model: states per character, start, transition and emission log probabilities (the
    tables the compact model is made from, and the reference its tests compare with)."""
    from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P  # half a second and 40 MB: when first built
    return char_state_tab_P, start_P, trans_P, emit_P


@dataclass(frozen=True)
class _Model:
    """jieba.posseg's model as arrays over every state, ordered so that index 0 is the largest state (jieba
    breaks a tie between two paths by the larger state, as numpy's argmax breaks one by the first index);
    each character's allowed states and emissions as slices of flat arrays (rows), 89,000 numbers in all
    instead of posseg's 256 dictionaries."""
    order: list
    trans: numpy.ndarray
    has_next: numpy.ndarray
    start: numpy.ndarray
    rows: dict            # character -> (row of its allowed states or -1, row of its emissions or -1)
    allowed_ptr: numpy.ndarray
    allowed_idx: numpy.ndarray
    emit_ptr: numpy.ndarray
    emit_idx: numpy.ndarray
    emit_val: numpy.ndarray


def build_model(tables) -> _Model:
    """The compact model from posseg's four tables (char_state_tab, start, trans, emit)."""
    states, start_p, trans_p, emit_p = tables
    order = sorted(trans_p, reverse=True)
    index = {st: i for i, st in enumerate(order)}
    trans = numpy.full((len(order), len(order)), MIN_INF)
    for y0, nexts in trans_p.items():
        for y, p in nexts.items():
            trans[index[y0], index[y]] = p
    has_next = numpy.array([bool(trans_p[st]) for st in order])
    by_char: dict[str, list] = {}
    for st in order:
        for ch, p in emit_p.get(st, {}).items():
            by_char.setdefault(ch, []).append((index[st], p))
    rows: dict[str, tuple[int, int]] = {}
    a_ptr, a_idx, e_ptr, e_idx, e_val = [0], [], [0], [], []
    for ch in sorted(set(states) | set(by_char)):
        a = e = -1
        if ch in states:
            a = len(a_ptr) - 1
            a_idx += sorted(index[st] for st in states[ch])
            a_ptr.append(len(a_idx))
        if ch in by_char:
            e = len(e_ptr) - 1
            for i, p in by_char[ch]:
                e_idx.append(i)
                e_val.append(p)
            e_ptr.append(len(e_idx))
        rows[ch] = (a, e)
    return _Model(order, trans, has_next, numpy.array([start_p[st] for st in order]), rows,
                  numpy.array(a_ptr), numpy.array(a_idx, dtype=numpy.int64), numpy.array(e_ptr),
                  numpy.array(e_idx, dtype=numpy.int64), numpy.array(e_val, dtype=numpy.float64))


@cache
def _model() -> _Model:
    """The compact model, kept in the temporary folder (tmpkeep.py), named by the digest of posseg's model
    files: importing jieba.posseg costs every process half a second (it also reads the whole dictionary for
    its own tagger) and 40 MB; the kept model loads in a few milliseconds. It is the built one either way
    (a test compares)."""
    folder = Path(jieba.__file__).parent / "posseg"
    digest = hashlib.sha256(b"".join((folder / f"{n}.py").read_bytes()
                                     for n in ("char_state_tab", "prob_emit", "prob_start", "prob_trans"))).hexdigest()
    return kept("posseg", digest, lambda: build_model(_tables()), lambda v: isinstance(v, _Model))


@cache
def _finite() -> numpy.ndarray:
    """Which transitions the model allows (a finite log probability), computed once."""
    return numpy.isfinite(_model().trans)


@lru_cache(maxsize=8192)
def _character(ch: str):
    """The states a character may take (all, when jieba's table does not know it) and its emissions
    (MIN_FLOAT for a state that never emits it), as posseg's dictionaries give them."""
    m = _model()
    a, e = m.rows.get(ch, (-1, -1))
    if a >= 0:
        allowed = numpy.zeros(len(m.order), dtype=bool)
        allowed[m.allowed_idx[m.allowed_ptr[a]:m.allowed_ptr[a + 1]]] = True
    else:
        allowed = numpy.ones(len(m.order), dtype=bool)
    emit = numpy.full(len(m.order), MIN_FLOAT)
    if e >= 0:
        emit[m.emit_idx[m.emit_ptr[e]:m.emit_ptr[e + 1]]] = m.emit_val[m.emit_ptr[e]:m.emit_ptr[e + 1]]
    return allowed, emit


def viterbi(obs: str):
    """jieba.posseg.viterbi.viterbi(obs, *jieba's tables), the same result: (log probability, [(B/M/E/S,
    tag) per character]), computed over arrays: at each character the states that follow a live state, and
    for each the best live predecessor (the sums in jieba's order, so the same floats; ties to the larger
    state). A test compares the two on thousands of runs, rare characters included."""
    m = _model()
    order, trans, has_next, start = m.order, m.trans, m.has_next, m.start
    finite = _finite()
    allowed, emit = _character(obs[0])
    cols = numpy.flatnonzero(allowed)  # the states defined at this character, and their scores V
    V = start[cols] + emit[cols]
    back = []  # per later character: (its states, each one's best predecessor)
    for ch in obs[1:]:
        allowed, emit = _character(ch)
        keep = has_next[cols]
        live, Vlive = cols[keep], V[keep]
        expect = finite[live].any(axis=0)
        here = allowed & expect
        if not here.any():  # jieba then takes every successor, else every state
            here = expect if expect.any() else numpy.ones(len(order), dtype=bool)
        cols = numpy.flatnonzero(here)
        scores = (Vlive[:, None] + trans[numpy.ix_(live, cols)]) + emit[cols]
        best = numpy.argmax(scores, axis=0)
        V = scores[best, numpy.arange(cols.size)]
        back.append((cols, live[best]))
    k = int(numpy.argmax(V))
    state, prob = cols[k], float(V[k])
    route = [None] * len(obs)
    for i in range(len(obs) - 1, -1, -1):
        route[i] = order[state]
        if i:
            states, prev = back[i - 1]
            state = prev[numpy.searchsorted(states, state)]
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
    return tuple(map(_tag, words))


def tag_word(word: str) -> str:
    """A word's tag: its dictionary tag, else unknown_tag's."""
    e = entries().get(word)
    return e[1] if e and e[1] else unknown_tag(word)


_tag = lru_cache(maxsize=1 << 18)(tag_word)  # every word of a tagged sentence asks: the answer kept, a C call
