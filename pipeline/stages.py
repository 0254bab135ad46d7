"""The per-document stages, each declaring what it requires and provides beside its definition.

A stage is a function of a context (runner.StageContext) that reads only the
entries it requires and writes only those it provides; the runner refuses any
other read or write, so the table below is what the stages really do. The
work lives in clean, metadata, segment, extract.* and normalise.*; this module
alone turns the extractors' sentence-local results into rows with source
offsets (the one place where offsets are mapped).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

from . import clean as clean_mod
from .extract.deadlines import extract_deadlines
from .extract.entities import extract_mentions
from .extract.entity_model import shipped_predictor
from .extract.figures import extract_figures
from .inputs import doc_id_of
from .metadata import read_metadata
from .parts import assign_parts
from .model import (DeadlineRow, Document, DocumentRow, FigureRow, LocalDeadline, LocalFigure, LocalMention,
                    MentionRow, SentenceRow)
from .segment import sentences as build_sentences


@dataclass(frozen=True)
class Stage:
    name: str
    fn: Callable
    requires: tuple[str, ...]
    provides: tuple[str, ...]


STAGES: list[Stage] = []  # in definition order: the order they run in


def stage(requires: tuple[str, ...], provides: tuple[str, ...]) -> Callable:
    """Register a per-document stage with its declared inputs and outputs (as spaCy components declare
    what they assign)."""
    def register(fn: Callable) -> Callable:
        STAGES.append(Stage(fn.__name__.removesuffix("_stage"), fn, tuple(requires), tuple(provides)))
        return fn

    return register


def _body_start(ct, header_n: int) -> int:
    paras = ct.text.split("\n")
    return min(len(ct.text), sum(len(p) + 1 for p in paras[:header_n]))


@stage(requires=("source",), provides=("doc_id", "clean", "header_n"))
def clean_stage(ctx) -> None:
    ct, header_n = clean_mod.clean(ctx["source"].text)
    ctx["doc_id"] = doc_id_of(ctx["source"].text)
    ctx["clean"], ctx["header_n"] = ct, header_n


@stage(requires=("source", "clean", "header_n", "settings"), provides=("meta",))
def metadata_stage(ctx) -> None:
    ct, n = ctx["clean"], ctx["header_n"]
    source, settings = ctx["source"].sources[0], ctx["settings"]
    ctx["meta"] = read_metadata(ct.text.split("\n")[:n], ct.text[_body_start(ct, n):], settings.city_for(source),
                                config_date=settings.date_for(source))


@stage(requires=("source", "doc_id", "clean", "header_n", "meta", "settings"), provides=("document",))
def segment_stage(ctx) -> None:
    """The Document: sentences with their sections, paragraphs, parts and the one word pass."""
    ct, doc_id, meta = ctx["clean"], ctx["doc_id"], ctx["meta"]
    sents = build_sentences(ct, _body_start(ct, ctx["header_n"]), doc_id, ctx["settings"].segmenter)
    parts = assign_parts(sents, meta.reference_date or meta.speech_date)
    ctx["document"] = Document(doc_id, ctx["source"], ct, meta, sents, parts)


@stage(requires=("document",), provides=("figures",))
def figures_stage(ctx) -> None:
    doc = ctx["document"]
    ctx["figures"] = figure_rows(doc, extract_figures(doc.sentences, doc.meta))


@stage(requires=("document",), provides=("deadlines",))
def deadlines_stage(ctx) -> None:
    doc = ctx["document"]
    ctx["deadlines"] = deadline_rows(doc, extract_deadlines(doc.sentences, doc.meta))


@stage(requires=("document", "settings"), provides=("mentions",))
def entities_stage(ctx) -> None:
    doc = ctx["document"]
    predict = shipped_predictor() if ctx["settings"].ner else None
    ctx["mentions"] = mention_rows(doc, extract_mentions(doc.sentences, predict))


@stage(requires=("document",), provides=("document_row", "sentence_rows"))
def rows_stage(ctx) -> None:
    doc = ctx["document"]
    ctx["document_row"] = document_row(doc)
    ctx["sentence_rows"] = [SentenceRow(doc.doc_id, s.sentence_id, s.source_start, s.source_end, s.section,
                                        s.part.role, s.part.year, s.text, len(s.words)) for s in doc.sentences]


# ---------------------------------------------------------------------------------------------- rows
def document_row(doc: Document) -> DocumentRow:
    src, meta = doc.source, doc.meta
    return DocumentRow(
        doc_id=doc.doc_id, source=src.sources[0], sources=list(src.sources), format=src.format,
        sha256=hashlib.sha256(src.text.encode("utf-8")).hexdigest(), bulletin=meta.bulletin,
        issue_no=meta.issue_no, published_on=meta.published_on, speech_date=meta.speech_date,
        date_source=meta.date_source, speaker=meta.speaker, title=meta.title, note=meta.note, city=meta.city,
        n_chars=len(src.text), n_sentences=len(doc.sentences), reference_date=meta.reference_date,
        reference_source=meta.reference_source, encoding=src.encoding, doc_kind=meta.doc_kind or "")


def figure_rows(doc: Document, found: list[LocalFigure]) -> list[FigureRow]:
    rows = []
    for f in found:
        sent = doc.sentences[f.sentence]
        s, e = doc.source_span(sent, f.start, f.end)
        rows.append(FigureRow(
            figure_id=f"{doc.doc_id}-f{s:06d}", doc_id=doc.doc_id, sentence_id=sent.sentence_id, start=s, end=e,
            mention=doc.source.text[s:e], value=f.value, value_max=f.value_max, unit=f.unit, qualifier=f.qualifier,
            kind=f.kind, indicator=f.indicator, scope=f.scope, period=f.period, compared_to=f.compared_to,
            direction=f.direction, sentence=sent.text, commitment=f.commitment))
    return rows


def deadline_rows(doc: Document, found: list[LocalDeadline]) -> list[DeadlineRow]:
    rows = []
    for d in found:
        sent = doc.sentences[d.sentence]
        s, e = doc.source_span(sent, d.start, d.end)
        rows.append(DeadlineRow(f"{doc.doc_id}-d{s:06d}", doc.doc_id, s, e, doc.source.text[s:e], d.date, d.task,
                                d.responsible, sent.text))
    return rows


def mention_rows(doc: Document, found: list[LocalMention]) -> list[MentionRow]:
    """One row per (source span, type), sorted; entity ids are given when the corpus is linked."""
    rows, seen = [], set()
    for m in found:
        s, e = doc.source_span(doc.sentences[m.sentence], m.start, m.end)
        if (s, e, m.type) in seen or e <= s:
            continue
        seen.add((s, e, m.type))
        rows.append(MentionRow(f"{doc.doc_id}-m{s:06d}-{e:06d}-{m.type[0]}", doc.doc_id, s, e, doc.source.text[s:e],
                               m.type, "", m.method, m.name))
    return sorted(rows, key=lambda r: (r.start, r.end, r.type))
