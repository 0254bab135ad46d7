"""Word segmenters behind one small protocol: jieba (default) or pkuseg.

jieba runs as a private Tokenizer (never the global one) with the domain user
dictionary of general terms; pkuseg is optional and imported only when asked
for, since it needs its own build step (make pkuseg).

Word cutting is jieba's algorithm on jieba's dictionary: the dictionary route
is jieba_next's compiled one when it is installed, and runs of unknown
characters go to jieba's HMM (hmm_cut: its model and arithmetic, a leaner
Viterbi). The words are jieba's, a few times faster; tests pin both parts on
the corpus. Without jieba_next, jieba itself cuts. Part-of-speech tags come
from pipeline.pos, over these words.
"""
from __future__ import annotations

import hashlib
import logging
from functools import cache, lru_cache
from typing import Callable, Protocol

import jieba
from jieba import finalseg
from jieba.finalseg import MIN_FLOAT, PrevStatus, emit_P, start_P, trans_P

from .dictionary import entries, sources, word_frequency
from .resources import path
from .tmpkeep import kept


class Segmenter(Protocol):
    name: str

    def cut(self, text: str) -> list[str]: ...


def new_tokenizer(userdict: bool = False):
    """A private, initialised jieba tokenizer (jieba_next's route when installed), with the domain dictionary."""
    jieba.setLogLevel(logging.WARNING)
    try:
        tok = _compiled_route_tokenizer()
    except ImportError:  # pragma: no cover - jieba_next is a locked dependency; jieba cuts the same words
        tok = jieba.Tokenizer()
    tok.initialize()
    if userdict:
        tok.load_userdict(str(path("segmenter/userdict.txt")))
    return tok


def _compiled_route_tokenizer():
    """jieba_next's Tokenizer, whose dictionary route is compiled, with jieba's own HMM for runs of
    unknown characters: jieba_next's compiled HMM breaks ties otherwise (龘靐齉爩 comes out as one word,
    jieba cuts four), and the HMM is a small part of the cost."""
    import jieba_next  # a compiled fork of jieba: optional, jieba itself cuts the same words without it

    logging.getLogger("jieba_next").setLevel(logging.WARNING)

    from jieba_next.tokenizer import re_han_default, re_skip_default  # with jieba_next, above

    class Tokenizer(jieba_next.Tokenizer):
        blocks = (re_han_default, re_skip_default)  # jieba_next's: its Han block has no "-", jieba's has

        def lcut(self, sentence: str, cut_all: bool = False, HMM: bool = True) -> list[str]:
            """cut()'s words in a list (cut_words)."""
            if cut_all or not HMM:
                return list(self.cut(sentence, cut_all=cut_all, HMM=HMM))
            return cut_words(sentence, self.blocks, self._route_from_rust, self.FREQ.get)

        def _cut_dag(self, sentence: str):  # jieba's __cut_DAG over the compiled route
            for piece, is_word in route_pieces(sentence, self._route_from_rust(sentence)):
                if is_word:
                    yield piece
                else:
                    yield from self._unknown(piece)

        def _unknown(self, buf: str):
            if len(buf) == 1:
                yield buf
            elif not self.FREQ.get(buf):
                yield from hmm_cut(buf)
            else:
                yield from buf

    return Tokenizer()


def cut_words(sentence: str, blocks: tuple, route_of: Callable[[str], list[int]], is_word: Callable[[str], object]
              ) -> list[str]:
    """jieba's cut(sentence, HMM=True) in a list, built in one loop: jieba's blocks and route walk without its
    chain of generators, which cost more than the compiled route itself (the stages cut every sentence and
    many parts of sentences). blocks: the tokenizer's (Han block, skip) patterns; route_of(block) is the
    dictionary route of a Han block (route[x] = last index of the word at x); is_word(run) is true for a
    run of single characters that the dictionary has as a word of non-zero frequency (jieba's FREQ.get)."""
    out: list[str] = []
    append, extend = out.append, out.extend
    re_han, re_skip = blocks  # each with one group: split() gives what lies between matches, then a match
    for k, blk in enumerate(re_han.split(sentence)):
        if not k & 1:  # between Han blocks (jieba: re_han.match(blk) fails)
            for j, x in enumerate(re_skip.split(blk) if blk else ()):
                if j & 1:
                    append(x)  # a space or line break
                else:
                    extend(x)
            continue
        route = route_of(blk)
        x, run, n = 0, -1, len(blk)  # run: start of the current run of single characters
        while x < n:
            y = route[x] + 1
            if y - x == 1:
                run = x if run < 0 else run
                x = y
                continue
            if run >= 0:
                _run(blk[run:x], append, extend, is_word)
                run = -1
            append(blk[x:y])
            x = y
        if run >= 0:
            _run(blk[run:], append, extend, is_word)
    return out


def _run(buf: str, append, extend, is_word) -> None:
    """jieba's buf, the single characters between words: one character, a dictionary word spelt out, or
    the HMM's words."""
    if len(buf) == 1:
        append(buf)
    elif not is_word(buf):
        extend(hmm_cut(buf))
    else:
        extend(buf)


def route_pieces(sentence: str, route: list[int]):
    """(piece, is_word) along a dictionary route (route[x] = last index of the word at x), as jieba's
    __cut_DAG walks it: a word of two or more characters, or a run of single characters between them,
    which the caller cuts further (HMM, or character by character)."""
    x, buf, n = 0, "", len(sentence)
    while x < n:
        y = route[x] + 1
        if y - x == 1:
            buf += sentence[x]
        else:
            if buf:
                yield buf, False
                buf = ""
            yield sentence[x:y], True
        x = y
    if buf:
        yield buf, False


@lru_cache(maxsize=1 << 16)  # a run is a name or a rare word: it recurs across texts (46,000 runs, 14,000 distinct
def hmm_cut(run: str) -> tuple[str, ...]:  # in the 120 real texts); a pure function of the run, as pos.unknown_tag
    """jieba.finalseg.cut(run): the words its B/M/E/S HMM finds in a run of unknown characters. The
    Viterbi here keeps back-pointers where jieba's copies whole paths; sums, ties and results are jieba's
    (a test compares them)."""
    out: list[str] = []
    for blk in finalseg.re_han.split(run):
        if finalseg.re_han.match(blk):
            for word in _hmm_words(blk):
                out.extend(word if word in finalseg.Force_Split_Words else (word,))
        else:
            out.extend(x for x in finalseg.re_skip.split(blk) if x)
    return tuple(out)


def _hmm_words(text: str) -> list[str]:
    """The words of one Han block by jieba's B/M/E/S Viterbi, its four states written out: each state has
    two predecessors (PrevStatus), and of two equal scores the one whose state name is larger wins, as
    jieba's max over (score, state) pairs has it (B: E or S, M: M or B, S: S or E, E: B or M)."""
    eB, eM, eE, eS = emit_P["B"].get, emit_P["M"].get, emit_P["E"].get, emit_P["S"].get
    tBE, tBM = trans_P["B"].get("E", MIN_FLOAT), trans_P["B"].get("M", MIN_FLOAT)
    tEB, tES = trans_P["E"].get("B", MIN_FLOAT), trans_P["E"].get("S", MIN_FLOAT)
    tME, tMM = trans_P["M"].get("E", MIN_FLOAT), trans_P["M"].get("M", MIN_FLOAT)
    tSB, tSS = trans_P["S"].get("B", MIN_FLOAT), trans_P["S"].get("S", MIN_FLOAT)
    ch = text[0]
    vB, vM = start_P["B"] + eB(ch, MIN_FLOAT), start_P["M"] + eM(ch, MIN_FLOAT)
    vE, vS = start_P["E"] + eE(ch, MIN_FLOAT), start_P["S"] + eS(ch, MIN_FLOAT)
    back = []
    for ch in text[1:]:
        em = eB(ch, MIN_FLOAT)
        x, y = vE + tEB + em, vS + tSB + em
        nB, pB = (x, "E") if x > y else (y, "S")
        em = eM(ch, MIN_FLOAT)
        x, y = vM + tMM + em, vB + tBM + em
        nM, pM = (x, "M") if x >= y else (y, "B")
        em = eS(ch, MIN_FLOAT)
        x, y = vS + tSS + em, vE + tES + em
        nS, pS = (x, "S") if x >= y else (y, "E")
        em = eE(ch, MIN_FLOAT)
        x, y = vB + tBE + em, vM + tME + em
        nE, pE = (x, "B") if x > y else (y, "M")
        vB, vM, vS, vE = nB, nM, nS, nE
        back.append({"B": pB, "M": pM, "S": pS, "E": pE})
    state = "S" if vS >= vE else "E"
    tags = [state]
    for bp in reversed(back):
        state = bp[state]
        tags.append(state)
    tags.reverse()
    words, begin, nexti = [], 0, 0
    for i, tag in enumerate(tags):
        if tag == "B":
            begin = i
        elif tag == "E":
            words.append(text[begin:i + 1])
            nexti = i + 1
        elif tag == "S":
            words.append(text[i])
            nexti = i + 1
    if nexti < len(text):
        words.append(text[nexti:])
    return words


class JiebaSegmenter:
    """jieba's words (cut_words over jieba_next's compiled route) from the route's trie alone.

    A tokenizer holds jieba's dictionary twice: the compiled route's trie, and FREQ, a Python dict of
    every word and every prefix of one (500,000 entries, about 65 MB), which cutting only asks whether a
    run of single characters is a word. dictionary.entries() answers that from the table the tagger and
    the entity rules hold anyway, so the segmenter keeps the trie and no FREQ: every worker is that much
    smaller. The trie is built from that table too, with the tokenizer's total of frequencies (kept in the
    temporary folder: route_total), instead of initialising a tokenizer, which loads FREQ from jieba's
    cache (half a second in every process) only to build the trie from it and let it go. The words are the
    tokenizer's (a test compares, one the routes, and one that the two tables agree on every word). Without
    jieba_next, jieba's own tokenizer cuts."""
    name = "jieba"

    def __init__(self) -> None:
        try:
            from jieba_next import jieba_next_rust  # compiled: optional, jieba cuts the same words without it
        except ImportError:  # pragma: no cover - jieba_next is a locked dependency
            tok = new_tokenizer(userdict=True)
            self.cut = lambda text: tok.lcut(text, HMM=True)
            return
        words = {w: f for w, (f, _) in entries().items() if f}  # a node of frequency 0 is a prefix: implied
        prefix = jieba_next_rust.PrefixDict(words, float(route_total()))
        self._blocks, self._route = _compiled_route_tokenizer().blocks, prefix.get_dag_and_calc

    def cut(self, text: str) -> list[str]:
        return cut_words(text, self._blocks, self._route, word_frequency)


def route_total() -> int:
    """The tokenizer's total of word frequencies once the user dictionary is in (every route score is a
    log of frequency over total). jieba sums its dict.txt's lines and adds each user-dictionary line's
    frequency, or the frequency it suggests for a line without one (a comment line is one to it); kept in
    the temporary folder by the dictionaries' digest and jieba_next's version."""
    import jieba_next  # with the compiled route (see JiebaSegmenter)

    digest = hashlib.sha256(f"{sources()[2]}|{jieba_next.__version__}".encode()).hexdigest()
    return kept("jieba-total", digest, lambda: new_tokenizer(userdict=True).total, lambda v: isinstance(v, int))


class PkusegSegmenter:
    name = "pkuseg"

    def __init__(self) -> None:
        try:
            import pkuseg  # the optional pkuseg extra (make pkuseg): imported only when asked for
        except ImportError as e:  # pragma: no cover - depends on the optional extra
            raise RuntimeError("pkuseg is not installed: run `make pkuseg` (it needs numpy and cython first)") from e
        words = [l.split()[0] for l in path("segmenter/userdict.txt").read_text(encoding="utf-8").splitlines()
                 if l.strip() and not l.startswith("#")]
        self._seg = pkuseg.pkuseg(user_dict=words)

    def cut(self, text: str) -> list[str]:
        return self._seg.cut(text)


SEGMENTERS = {"jieba": JiebaSegmenter, "pkuseg": PkusegSegmenter}


@cache
def get_segmenter(name: str = "jieba") -> Segmenter:
    if name not in SEGMENTERS:
        raise ValueError(f"unknown segmenter {name!r}: choose one of {', '.join(SEGMENTERS)}")
    return SEGMENTERS[name]()
