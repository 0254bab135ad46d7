"""Part-of-speech tags of the segmenter's words: jieba's dictionary tags, and jieba.posseg's HMM for the rest.

The words come from the one word pass (whatever segmenter the run uses); tags
do not cut them again. A word of jieba's dictionary or of the domain user
dictionary takes its tag from there, as jieba.posseg does; numbers and Latin
words take posseg's m / eng / x; a Han word no dictionary knows is tagged by
posseg's joint segmentation-and-tag HMM read over that word alone (the tag of
its last character: the head of a Chinese word is at its end). pkuseg's own
tagger would need a model downloaded at run time, so tags are jieba's for
both segmenters.

The HMM's Viterbi step here looks only at the predecessors a state can have,
not at every live state; ties and arithmetic are jieba's (a test compares).
"""
from __future__ import annotations

from functools import cache, lru_cache

import regex

from .dictionary import entries

_NUMBER = regex.compile(r"[0-9.]+%?")
_LATIN = regex.compile(r"[A-Za-z0-9]+")
_HAN = regex.compile(r"\p{Han}")

MIN_FLOAT = -3.14e100  # jieba.posseg.viterbi's constants
MIN_INF = float("-inf")


@cache
def _tables():
    """jieba.posseg's model: states per character, start, transition and emission log probabilities, and
    (added here) the states each state can follow."""
    from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P  # half a second to load: when first needed
    preds: dict = {}
    for y0, nexts in trans_P.items():
        for y in nexts:
            preds.setdefault(y, []).append(y0)
    return char_state_tab_P, start_P, trans_P, emit_P, {y: tuple(v) for y, v in preds.items()}


def viterbi(obs: str):
    """jieba.posseg.viterbi.viterbi(obs, *jieba's tables), the same result: (log probability, [(B/M/E/S,
    tag) per character])."""
    states, start_p, trans_p, emit_p, preds = _tables()
    all_states = trans_p.keys()
    V = [{}]
    mem_path = [{}]
    for y in states.get(obs[0], all_states):
        V[0][y] = start_p[y] + emit_p[y].get(obs[0], MIN_FLOAT)
        mem_path[0][y] = ""
    for t in range(1, len(obs)):
        prev, ch = V[t - 1], obs[t]
        prev_states = [x for x in mem_path[t - 1] if len(trans_p[x]) > 0]
        live = set(prev_states)
        expect = {y for x in prev_states for y in trans_p[x]}
        obs_states = set(states.get(ch, all_states)) & expect
        if not obs_states:
            obs_states = expect if expect else all_states
        vt, mt = {}, {}
        for y in obs_states:
            em = emit_p[y].get(ch, MIN_FLOAT)
            bp, bs = MIN_INF, None
            for y0 in preds.get(y, ()):
                if y0 in live:
                    p = prev[y0] + trans_p[y0][y] + em
                    if bs is None or p > bp or (p == bp and y0 > bs):
                        bp, bs = p, y0
            if bs is None or bp == MIN_INF:  # no finite path: jieba's max over every live state decides
                bp, bs = max((prev[y0] + trans_p[y0].get(y, MIN_INF) + em, y0) for y0 in prev_states)
            vt[y], mt[y] = bp, bs
        V.append(vt)
        mem_path.append(mt)
    prob, state = max((V[-1][y], y) for y in mem_path[-1])
    route = [None] * len(obs)
    for i in range(len(obs) - 1, -1, -1):
        route[i] = state
        state = mem_path[i][state]
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
