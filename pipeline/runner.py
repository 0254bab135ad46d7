"""Stages with declared inputs and outputs, run per document then per corpus.

Per-document stages only read what earlier stages provided (checked once by
check_order, pinned by a test); that independence is what lets documents run
in worker processes, from the cache, or on a cluster.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable

from . import stages
from .model import DocResult


@dataclass(frozen=True)
class Stage:
    name: str
    fn: Callable[[dict], None]
    requires: tuple[str, ...]
    provides: tuple[str, ...]


DOC_INPUTS = ("source", "settings")

DOC_STAGES: tuple[Stage, ...] = (
    Stage("clean", stages.clean_stage, ("source",), ("doc_id", "clean", "header_n")),
    Stage("metadata", stages.metadata_stage, ("clean", "header_n", "settings"), ("meta",)),
    Stage("segment", stages.segment_stage, ("clean", "header_n", "doc_id", "settings"), ("sentences", "words")),
    Stage("figures", stages.figures_stage, ("sentences", "clean", "meta", "doc_id"), ("figures",)),
    Stage("deadlines", stages.deadlines_stage, ("sentences", "clean", "meta", "doc_id"), ("deadlines",)),
    Stage("entities", stages.entities_stage, ("sentences", "clean", "doc_id", "settings"), ("mentions",)),
    Stage("document", stages.document_stage, ("source", "doc_id", "meta", "sentences"), ("document",)),
)


def check_order(stage_list: tuple[Stage, ...] = DOC_STAGES, inputs: tuple[str, ...] = DOC_INPUTS) -> None:
    """Raise if a stage requires something no earlier stage provides."""
    have = set(inputs)
    for st in stage_list:
        missing = [r for r in st.requires if r not in have]
        if missing:
            raise RuntimeError(f"stage {st.name!r} requires {missing} before it is provided")
        have.update(st.provides)


def doc_id_of(text: str) -> str:
    """Stable id from the decoded text: the same bulletin in two encodings is one document."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def process_document(source, settings) -> DocResult:
    """Run every per-document stage on one SourceText (with .sources set by the caller)."""
    from .memo import new_document

    new_document()
    ctx: dict = {"source": source, "settings": settings}
    for st in DOC_STAGES:
        st.fn(ctx)
    return DocResult(ctx["document"], ctx["sentences"], ctx["figures"], ctx["deadlines"], ctx["mentions"])
