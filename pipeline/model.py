"""Records of the knowledge base, one dataclass per table row.

Field order is the CSV column order (KB_SCHEMA.md); write.py and the
datapackage schema are both derived from these classes, so they cannot drift.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


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
    speaker: str | None
    title: str | None
    note: str | None
    city: str | None
    n_chars: int
    n_sentences: int
    encoding: str = ""


@dataclass
class SentenceRow:
    doc_id: str
    sentence_id: str
    start: int
    end: int
    section: str
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


@dataclass
class SourceDoc:
    """One distinct input text and every path it was found under."""
    text: str
    format: str
    encoding: str
    sources: list[str]
