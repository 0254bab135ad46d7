"""Sentences, the section path of each sentence, and the one word pass.

Sentences end at 。！？；(and ASCII !?;) outside quotes, and at paragraph ends;
a closing quote or bracket right after the terminal stays with the sentence
(the sets are named in rules/punctuation.toml).
Section levels are not fixed by marker type: the first marker type seen opens
a level, a type already on the stack closes everything below it, so 一、/（一）
/一是 and 第一， nest in whatever order a speech uses them. Inline 一是/一要
markers only hold until the end of their paragraph.

The word pass: every sentence is cut once by the run's segmenter (jieba with
the domain user dictionary, or pkuseg) and its words tagged once (pipeline.pos);
figures, deadlines, entity rules and the entity model all read those words.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from .model import Sentence
from .offsets import CleanText
from .pos import tag_words
from .resources import char_class, load_toml, punctuation
from .segmenters import get_segmenter


@dataclass(frozen=True)
class Span:
    start: int  # cleaned-text offsets
    end: int
    section: str


@cache
def _markers() -> list[tuple[str, regex.Pattern]]:
    rules = load_toml("rules/sections.toml")
    return [(name, regex.compile(r["pattern"])) for name, r in rules.items()]


def heading_marker(sentence: str) -> tuple[str, str] | None:
    """(marker type, label) when a sentence opens with a heading marker."""
    for name, pat in _markers():
        if m := pat.match(sentence):
            return name, m["label"]
    return None


MAX_SENTENCE = 400  # a run-on "sentence" (no 。；！？ for pages) is cut at a comma, else hard


def split_sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentence spans inside one paragraph text[start:end], none longer than MAX_SENTENCE."""
    out = []
    cuts = punctuation("long_sentence_cut")
    for s, e in _split_terminals(text, start, end):
        while e - s > MAX_SENTENCE:
            cut = max(text.rfind(c, s + MAX_SENTENCE // 2, s + MAX_SENTENCE) for c in cuts)
            cut = cut + 1 if cut > s else s + MAX_SENTENCE
            out.append((s, cut))
            s = cut
        out.append((s, e))
    return out


def _split_terminals(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans between sentence ends (rules/punctuation.toml) outside quoted speech, closing marks kept.

    Only sentence ends and quote marks change anything, so the scan visits those characters alone (one
    regex over the text) rather than every character in Python; tests compare it with the plain scan."""
    ends, closing = punctuation("sentence_end"), punctuation("sentence_close")
    q_open, q_close = punctuation("quoted_speech", "open"), punctuation("quoted_speech", "close")
    out = []
    depth = 0
    s = nxt = start  # nxt: the scan resumes here (past the closing marks kept with a sentence end)
    for m in _terminal_marks().finditer(text, start, end):
        i = m.start()
        if i < nxt:
            continue
        ch = text[i]
        if ch in q_open:
            depth += 1
        elif ch in q_close and depth:
            depth -= 1
            if depth == 0 and i > start and text[i - 1] in ends:  # 他说：“好。” ends with its quote
                out.append((s, i + 1))
                s = nxt = i + 1
        elif ch in ends and depth == 0:
            j = i + 1
            while j < end and text[j] in closing:
                j += 1
            out.append((s, j))
            s = nxt = j
    if s < end and text[s:end].strip():
        out.append((s, end))
    return out


@cache
def _terminal_marks() -> regex.Pattern:
    """Every character _split_terminals acts on: sentence ends and quote marks."""
    marks = punctuation("sentence_end") | punctuation("quoted_speech", "open") | punctuation("quoted_speech", "close")
    return regex.compile(char_class(marks))


def segment(text: str, body_start: int) -> list[Span]:
    """Sentences of the body (text[body_start:]) with their section paths."""
    stack: list[tuple[str, str, bool]] = []  # (marker type, label, opened inline)
    spans = []
    pos = body_start
    for para in text[body_start:].split("\n"):
        p_start, p_end = pos, pos + len(para)
        pos = p_end + 1
        first = True
        for s, e in split_sentences(text, p_start, p_end):
            mk = heading_marker(text[s:e])
            if first and (mk is None or mk[0] != "item"):
                stack = [x for x in stack if not x[2]]
            if mk:
                kind, label = mk
                types = [x[0] for x in stack]
                if kind in types:
                    stack = stack[: types.index(kind)]
                stack.append((kind, label, not first))
            spans.append(Span(s, e, "/".join(x[1] for x in stack)))
            first = False
    return spans


def word_pass(text: str, segmenter: str = "jieba") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The words of text by the named segmenter, and their part-of-speech tags."""
    words = tuple(get_segmenter(segmenter).cut(text))
    return words, tag_words(words)


def sentence_of(text: str, segmenter: str = "jieba") -> Sentence:
    """A lone text as a Sentence with its word pass (tests, training variants): offsets are its own."""
    return Sentence(0, "s0", text, 0, len(text), 0, len(text), words=tuple(get_segmenter(segmenter).cut(text)),
                    tagger=tag_words)


def sentences(ct: CleanText, body_start: int, doc_id: str, segmenter: str = "jieba") -> list[Sentence]:
    """The body's sentences in order, with section path, paragraph number, source offsets and words (their
    tags computed when first read)."""
    cut = get_segmenter(segmenter).cut
    out = []
    paragraph, last_end = 0, body_start
    for i, sp in enumerate(segment(ct.text, body_start)):
        if "\n" in ct.text[last_end:sp.start]:
            paragraph += 1
        last_end = sp.end
        text = ct.text[sp.start:sp.end]
        s, e = ct.source_span(sp.start, sp.end)
        out.append(Sentence(i, f"{doc_id}-s{i:04d}", text, sp.start, sp.end, s, e, sp.section, paragraph,
                            words=tuple(cut(text)), tagger=tag_words))
    return out
