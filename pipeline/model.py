"""The document model every stage reads, and the records of the knowledge base.

A Document is built once per input (stages.segment_stage): its source text,
the cleaned text with the offset map back to the source, the metadata read
from its header, its parts, and its Sentences in order, each with the words
and part-of-speech tags of the one word pass. Extractors read Sentences and
return results with offsets local to a sentence (LocalFigure, LocalDeadline,
LocalMention); stages.py alone maps those to source offsets and rows.

Row classes: field order is the CSV column order (KB_SCHEMA.md); write.py and
the datapackage schema are both derived from these classes, so they cannot drift.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from itertools import accumulate
from typing import Callable, Mapping

from .offsets import CleanText


# ---------------------------------------------------------------------------------------------- document model
@dataclass(frozen=True)
class Metadata:
    """What the header (or front matter, title, corpus.toml) says about a text."""
    bulletin: str | None = None
    issue_no: int | None = None
    published_on: date | None = None
    speech_date: date | None = None
    speaker: str | None = None
    title: str | None = None
    note: str | None = None
    city: str | None = None
    date_source: str | None = None       # header, front_matter, published_on, title, config; None: not found
    reference_date: date | None = None   # the date times resolve against: speech_date, else an estimate
    reference_source: str | None = None  # "speech_date" or how it was estimated; None when there is no date at all
    doc_kind: str | None = None          # report (a work report), speech (a speech or bulletin issue) or other


@dataclass(frozen=True)
class Part:
    """A top-level part of the text: its heading, what it does (review / plan / other) and the year it is about
    (a review of 过去五年 covers first_year to year)."""
    heading: str
    role: str = "other"
    year: int | None = None
    first_year: int | None = None
    dated: bool = False    # the year comes from the headings (2022年工作回顾, 过去五年, after a dated review)
    notes: bool = False    # the glossary or notes after the text (注释, 名词解释): no facts are read there

    @property
    def period(self) -> str | None:
        """The GUIDE's period string of the years the part is about ("2022", "2018/2022")."""
        if self.year is None:
            return None
        return str(self.year) if self.first_year in (None, self.year) else f"{self.first_year}/{self.year}"


NO_PART = Part("", "other", None)


def _starts(words) -> list[int]:
    """Each word's offset in the words joined: the running sum of their lengths, summed in C."""
    out = list(accumulate(map(len, words), initial=0))
    out.pop()
    return out


class Tagged:
    """A stretch of a sentence as (word, tag) pairs, the words clipped where the stretch cuts one.

    Indicator grammars read these instead of tagging substrings again: every word of a document
    comes from the one word pass. The text and the words' offsets are computed once per stretch, so
    cutting a stretch is a bisection, not a walk over its words."""

    __slots__ = ("pairs", "_text", "_starts")

    def __init__(self, pairs=(), text: str | None = None):
        self.pairs = pairs if type(pairs) is tuple else tuple(pairs)
        self._text = text
        self._starts = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = "".join([w for w, _ in self.pairs])
        return self._text

    def __len__(self) -> int:
        return len(self.text)

    def __bool__(self) -> bool:
        return bool(self.pairs)

    def __add__(self, other: "Tagged") -> "Tagged":
        return Tagged(self.pairs + other.pairs, self.text + other.text)

    def __repr__(self) -> str:
        return f"Tagged({'/'.join(f'{w}:{t}' for w, t in self.pairs)})"

    def _word_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = _starts([w for w, _ in self.pairs])
        return self._starts

    def cut(self, a: int, b: int | None = None) -> "Tagged":
        """Characters [a, b) of the stretch (negative offsets count from its end)."""
        text = self.text
        n = len(text)
        b = n if b is None else (b + n if b < 0 else b)
        a = a + n if a < 0 else a
        a, b = max(0, a), min(n, b)
        if a == 0 and b == n:
            return self
        if a >= b:
            return Tagged((), "")
        starts = self._word_starts()
        i = bisect.bisect_right(starts, a) - 1
        j = bisect.bisect_left(starts, b)
        pairs = list(self.pairs[i:j])
        w, t = pairs[0]
        s0 = starts[i]
        if s0 < a or s0 + len(w) > b:
            pairs[0] = (w[a - s0:min(b, s0 + len(w)) - s0], t)
        if j - 1 > i:
            w, t = pairs[-1]
            s1 = starts[j - 1]
            if s1 + len(w) > b:
                pairs[-1] = (w[:b - s1], t)
        return Tagged(tuple(pairs), text[a:b])

    def without(self, chars: str) -> "Tagged":
        """The stretch with these characters removed (quotes), words that were only those dropped."""
        if set(chars).isdisjoint(self.text):
            return self
        out = []
        for w, t in self.pairs:
            w2 = "".join(c for c in w if c not in chars)
            if w2:
                out.append((w2, t))
        return Tagged(tuple(out))


@dataclass(eq=False)
class Sentence:
    """One sentence: cleaned text, offsets (cleaned and source), section path, part, words and POS tags.

    The words come with the sentence (the one word pass); the tags are computed once, when first asked
    for (by `tagger` over the words): only the grammar of figures reads them, and most sentences hold
    no number."""
    index: int
    sentence_id: str
    text: str
    start: int                 # offsets into the cleaned text
    end: int
    source_start: int          # offsets into the source text
    source_end: int
    section: str = ""
    paragraph: int = 0         # paragraphs reset what a reader carries (a period in play)
    part: Part = NO_PART
    words: tuple[str, ...] = ()
    tags: tuple[str, ...] | None = None   # None until asked for: then tagger(words), once
    tagger: Callable[[tuple[str, ...]], tuple[str, ...]] | None = field(default=None, repr=False)

    @cached_property
    def whole(self) -> Tagged:
        """The sentence's words and tags as one stretch."""
        if self.tags is None:
            self.tags = self.tagger(self.words) if self.tagger else ("x",) * len(self.words)
        return Tagged(tuple(zip(self.words, self.tags)), self.text)

    @cached_property
    def word_starts(self) -> tuple[int, ...]:
        return tuple(_starts(self.words))

    def tagged(self, a: int = 0, b: int | None = None) -> Tagged:
        """The words and tags of text[a:b], the words at either end clipped to it."""
        b = len(self.text) if b is None else b
        if a >= b or not self.words:
            return Tagged((), "")
        return self.whole.cut(a, b)

    def words_in(self, a: int, b: int) -> list[str]:
        """The words of text[a:b], clipped at its ends (no tags needed)."""
        a, b = max(0, a), min(b, len(self.text))
        if a >= b or not self.words:
            return []
        starts, words = self.word_starts, self.words
        i = bisect.bisect_right(starts, a) - 1
        j = bisect.bisect_left(starts, b)
        out = list(words[i:j])
        s0 = starts[i]
        if s0 < a or s0 + len(out[0]) > b:
            out[0] = out[0][a - s0:min(b, s0 + len(out[0])) - s0]
        if j - 1 > i and starts[j - 1] + len(out[-1]) > b:
            out[-1] = out[-1][:b - starts[j - 1]]
        return out


@dataclass(eq=False)
class Document:
    """One input text as every extractor sees it."""
    doc_id: str
    source: "SourceDoc"
    clean: CleanText
    meta: Metadata
    sentences: list[Sentence]
    parts: list[Part] = field(default_factory=list)

    def source_span(self, sentence: Sentence, start: int, end: int) -> tuple[int, int]:
        """Source offsets of sentence-local [start, end)."""
        return self.clean.source_span(sentence.start + start, sentence.start + end)


# ---------------------------------------------------------------------------------------------- local results
@dataclass(frozen=True)
class LocalFigure:
    """A figure as an extractor finds it: offsets local to sentence `sentence` (its index)."""
    sentence: int
    start: int
    end: int
    value: Decimal
    value_max: Decimal | None
    unit: str
    qualifier: str
    kind: str
    indicator: str
    scope: str | None
    period: str | None
    compared_to: str | None = None
    direction: str | None = None
    commitment: str | None = None


@dataclass(frozen=True)
class LocalDeadline:
    sentence: int
    start: int
    end: int
    date: date
    task: str
    responsible: str | None


@dataclass(frozen=True)
class LocalMention:
    sentence: int
    start: int
    end: int
    type: str          # enterprise | project
    method: str        # rule | ner | gazetteer
    name: str          # canonical name proposed for this mention


# ---------------------------------------------------------------------------------------------- KB rows


@dataclass
class DocumentRow:
    doc_id: str
    source: str
    sources: list[str]
    format: str
    sha256: str
    bulletin: str | None
    issue_no: int | None
    published_on: date | None
    speech_date: date | None
    date_source: str | None
    speaker: str | None
    title: str | None
    note: str | None
    city: str | None
    n_chars: int
    n_sentences: int
    reference_date: date | None = None   # what times resolve against: speech_date, else an estimate (below)
    reference_source: str | None = None  # "speech_date", latest_date_in_text or title_year; empty: no date at all
    encoding: str = ""
    doc_kind: str = ""  # report (a work report), speech (a speech or bulletin issue) or other: what a statement is


@dataclass
class SentenceRow:
    doc_id: str
    sentence_id: str
    start: int
    end: int
    section: str
    part: str
    part_year: int | None
    text: str
    n_words: int = 0  # words by the run's segmenter (jieba or pkuseg)


@dataclass
class FigureRow:
    figure_id: str
    doc_id: str
    sentence_id: str
    start: int
    end: int
    mention: str
    value: Decimal
    value_max: Decimal | None
    unit: str
    qualifier: str
    kind: str
    indicator: str
    scope: str | None
    period: str | None
    compared_to: str | None
    direction: str | None
    sentence: str
    commitment: str | None = None


@dataclass
class TargetRow:
    target_id: str
    figure_id: str
    doc_id: str
    start: int
    end: int
    mention: str
    value: Decimal
    value_max: Decimal | None
    unit: str
    qualifier: str
    indicator: str
    scope: str | None
    period: str | None
    commitment: str | None
    sentence: str


@dataclass
class DeadlineRow:
    deadline_id: str
    doc_id: str
    start: int
    end: int
    mention: str
    date: date
    task: str
    responsible: str | None
    sentence: str


@dataclass
class MentionRow:
    mention_id: str
    doc_id: str
    start: int
    end: int
    mention: str
    type: str
    entity_id: str
    method: str
    name: str = ""  # canonical name proposed for this mention, before corpus merging


@dataclass
class EntityRow:
    entity_id: str
    type: str
    name: str
    aliases: list[str]
    owner_entity_id: str | None
    doc_count: int
    first_seen: date | None
    last_seen: date | None


@dataclass
class HistoryRow:
    series_id: str
    indicator: str
    scope: str | None
    period: str | None
    kind: str
    unit: str
    doc_id: str
    speech_date: date | None
    figure_id: str
    value: Decimal
    qualifier: str
    status: str
    previous_figure_id: str | None
    previous_value: Decimal | None
    previous_qualifier: str | None
    delta: Decimal | None
    start: int = 0
    doc_kind: str = ""  # the kind of the statement's document: speech or report (one ledger across both)


@dataclass
class TargetActualRow:
    target_id: str
    actual_figure_id: str
    indicator: str
    scope: str | None
    target_period: str | None
    actual_period: str | None
    target_value: Decimal
    qualifier: str
    actual_value: Decimal
    outcome: str
    share: Decimal | None


@dataclass
class ErrorRow:
    source: str
    stage: str
    error: str
    message: str


@dataclass
class DocResult:
    """Everything the per-document stages produce; what the corpus stages consume."""
    document: DocumentRow
    sentences: list[SentenceRow] = field(default_factory=list)
    figures: list[FigureRow] = field(default_factory=list)
    deadlines: list[DeadlineRow] = field(default_factory=list)
    mentions: list[MentionRow] = field(default_factory=list)
    rendered: Mapping[str, bytes] | None = None  # its part of the KB's text (write.prerender), made where it was extracted


@dataclass
class SourceDoc:
    """One distinct input text and every path it was found under."""
    text: str
    format: str
    encoding: str
    sources: list[str]
