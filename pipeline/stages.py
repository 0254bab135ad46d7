"""Per-document stage functions: each reads and writes named context entries.

Thin glue: the work lives in clean, metadata, segment, extract.* and
normalise.*; these functions only convert cleaned-text offsets to source
offsets and build the output rows.
"""
from __future__ import annotations

import hashlib

from . import clean as clean_mod
from .metadata import read_metadata
from .model import DeadlineRow, DocumentRow, SentenceRow
from .segment import segment


def clean_stage(ctx: dict) -> None:
    from .runner import doc_id_of

    ct, header_n = clean_mod.clean(ctx["source"].text)
    ctx["doc_id"] = doc_id_of(ctx["source"].text)
    ctx["clean"], ctx["header_n"] = ct, header_n


def _body_start(ctx: dict) -> int:
    paras = ctx["clean"].text.split("\n")
    return min(len(ctx["clean"].text), sum(len(p) + 1 for p in paras[: ctx["header_n"]]))


def metadata_stage(ctx: dict) -> None:
    text = ctx["clean"].text
    header = text.split("\n")[: ctx["header_n"]]
    override = ctx["settings"].city_for(ctx["source"].sources[0])
    ctx["meta"] = read_metadata(header, text[_body_start(ctx):], override)


def segment_stage(ctx: dict) -> None:
    from .segmenters import get_segmenter

    ct, doc_id = ctx["clean"], ctx["doc_id"]
    seg = get_segmenter(ctx["settings"].segmenter)
    spans = segment(ct.text, _body_start(ctx))
    rows, words = [], []
    for i, sp in enumerate(spans):
        s, e = ct.source_span(sp.start, sp.end)
        text = ct.text[sp.start:sp.end]
        words.append(seg.cut(text))
        rows.append(SentenceRow(doc_id, f"{doc_id}-s{i:04d}", s, e, sp.section, text, len(words[-1])))
    ctx["sentences"] = rows
    ctx["spans"] = spans
    ctx["words"] = words


def figures_stage(ctx: dict) -> None:
    from .extract.figures import extract_figures

    ctx["figures"] = extract_figures(ctx["sentences"], ctx["spans"], ctx["clean"], ctx["meta"],
                                     ctx["source"].text, ctx["doc_id"])


def deadlines_stage(ctx: dict) -> None:
    from .extract.deadlines import find_deadlines

    meta, ct, src = ctx["meta"], ctx["clean"], ctx["source"].text
    rows = []
    if meta.speech_date is None:
        ctx["deadlines"] = rows
        return
    for sent, sp in zip(ctx["sentences"], ctx["spans"]):
        for d in find_deadlines(sent.text, meta.speech_date):
            s, e = ct.source_span(sp.start + d.start, sp.start + d.end)
            rows.append(DeadlineRow(f"{ctx['doc_id']}-d{s:06d}", ctx["doc_id"], s, e, src[s:e], d.date,
                                    d.task, d.responsible, sent.text))
    ctx["deadlines"] = rows


def entities_stage(ctx: dict) -> None:
    from .extract.entities import find_mentions

    ctx["mentions"] = find_mentions(ctx["sentences"], ctx["spans"], ctx["clean"], ctx["source"].text,
                                    ctx["doc_id"], ctx["settings"])


def document_stage(ctx: dict) -> None:
    src, meta = ctx["source"], ctx["meta"]
    ctx["document"] = DocumentRow(
        doc_id=ctx["doc_id"], source=src.sources[0], sources=list(src.sources), format=src.format,
        sha256=hashlib.sha256(src.text.encode("utf-8")).hexdigest(), bulletin=meta.bulletin,
        issue_no=meta.issue_no, published_on=meta.published_on, speech_date=meta.speech_date,
        speaker=meta.speaker, title=meta.title, note=meta.note, city=meta.city, n_chars=len(src.text),
        n_sentences=len(ctx["sentences"]), encoding=src.encoding)
