"""Part-of-speech tags: jieba.posseg, with its HMM made cheaper and its answers unchanged.

posseg cuts with the dictionary and hands every run of unknown characters to a
joint segmentation-and-tag HMM over 256 states; that HMM is most of the cost of
tagging. Here its Viterbi step looks only at the predecessors a state can have
(the transitions it has), not at every live state, and a document's runs are
memoised. Ties and arithmetic are those of jieba's viterbi, so the tags are the
same (a test compares the two on the corpus). The dictionary route is the
tokenizer's compiled one (jieba_next), as for word cutting (pipeline.segmenters).
"""
from __future__ import annotations

from functools import cache

from .memo import per_document

MIN_FLOAT = -3.14e100  # jieba.posseg.viterbi's constants
MIN_INF = float("-inf")


@cache
def _tables():
    """jieba.posseg's model: states per character, start, transition and emission log probabilities, and
    (added here) the states each state can follow."""
    from jieba.posseg import char_state_tab_P, emit_P, start_P, trans_P

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


@cache
def pos_tokenizer(tokenizer):
    """A jieba POSTokenizer cutting with `tokenizer` (jieba's or jieba_next's, user dictionary included)."""
    import jieba
    import jieba.posseg

    from .segmenters import route_pieces

    base = jieba.posseg.POSTokenizer
    pair = jieba.posseg.pair

    class POSTokenizer(base):
        def _POSTokenizer__cut(self, run: str):  # jieba's __cut, with the viterbi above
            _, pos_list = viterbi(run)
            begin, nexti = 0, 0
            for i, char in enumerate(run):
                pos = pos_list[i][0]
                if pos == "B":
                    begin = i
                elif pos == "E":
                    yield pair(run[begin:i + 1], pos_list[i][1])
                    nexti = i + 1
                elif pos == "S":
                    yield pair(char, pos_list[i][1])
                    nexti = i + 1
            if nexti < len(run):
                yield pair(run[nexti:], pos_list[nexti][1])

        @per_document(maxsize=16384)
        def _POSTokenizer__cut_DAG(self, sentence: str):  # jieba's __cut_DAG over the compiled route
            # a pure function of one block (a run of Han, letters and digits), which the windows around
            # the numbers of a sentence share: memoised, so each block of a sentence is tagged once
            route_of = getattr(self.tokenizer, "_route_from_rust", None)
            if route_of is None:
                return tuple(base._POSTokenizer__cut_DAG(self, sentence))
            tags = self.word_tag_tab
            out = []
            for piece, is_word in route_pieces(sentence, route_of(sentence)):
                if is_word or len(piece) == 1:
                    out.append(pair(piece, tags.get(piece, "x")))
                elif not self.tokenizer.FREQ.get(piece):
                    out += self._POSTokenizer__cut_detail(piece)
                else:
                    out += (pair(ch, tags.get(ch, "x")) for ch in piece)
            return tuple(out)

        @per_document(maxsize=16384)
        def _POSTokenizer__cut_detail(self, run: str):  # a run of characters the dictionary does not know
            return tuple(base._POSTokenizer__cut_detail(self, run))

    # POS tags of jieba's dictionary are read through a jieba Tokenizer (not initialised: no cost); the
    # cutting underneath is the given tokenizer, whose user dictionary adds its own tags.
    pos = POSTokenizer(jieba.Tokenizer())
    pos.tokenizer = tokenizer
    return pos
