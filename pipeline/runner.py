"""Run the per-document stages in order, each seeing only what it declared.

Per-document stages only read what earlier stages provided (check_order, pinned
by a test), and a StageContext refuses a read or write a stage did not declare:
that independence is what lets documents run in worker processes, from the
cache, or on a cluster, and what keeps the stage table honest.
"""
from __future__ import annotations

from .memo import new_document
from .model import DocResult
from .stages import STAGES, Stage

DOC_INPUTS = ("source", "settings")
DOC_STAGES: tuple[Stage, ...] = tuple(STAGES)


class StageContractError(RuntimeError):
    """A stage read or wrote a context entry it did not declare."""


class StageContext:
    """The context entries one stage may read (its requires) and write (its provides)."""

    __slots__ = ("_store", "_stage")

    def __init__(self, store: dict, stage: Stage):
        self._store, self._stage = store, stage

    def __getitem__(self, key: str):
        if key not in self._stage.requires:
            raise StageContractError(f"stage {self._stage.name!r} reads {key!r}, which it does not require "
                                     f"(requires {self._stage.requires})")
        return self._store[key]

    def __setitem__(self, key: str, value) -> None:
        if key not in self._stage.provides:
            raise StageContractError(f"stage {self._stage.name!r} writes {key!r}, which it does not provide "
                                     f"(provides {self._stage.provides})")
        self._store[key] = value


def check_order(stage_list: tuple[Stage, ...] = DOC_STAGES, inputs: tuple[str, ...] = DOC_INPUTS) -> None:
    """Raise if a stage requires something no earlier stage provides."""
    have = set(inputs)
    for st in stage_list:
        missing = [r for r in st.requires if r not in have]
        if missing:
            raise RuntimeError(f"stage {st.name!r} requires {missing} before it is provided")
        have.update(st.provides)


def run_stages(store: dict, stage_list: tuple[Stage, ...] = DOC_STAGES) -> dict:
    """Run the stages over store (the inputs), each through its own StageContext; returns the store."""
    for st in stage_list:
        st.fn(StageContext(store, st))
        missing = [p for p in st.provides if p not in store]
        if missing:
            raise StageContractError(f"stage {st.name!r} did not provide {missing}")
    return store


def process_document(source, settings) -> DocResult:
    """Run every per-document stage on one SourceDoc (with .sources set by the caller)."""
    new_document()
    ctx = run_stages({"source": source, "settings": settings})
    return DocResult(ctx["document_row"], ctx["sentence_rows"], ctx["figures"], ctx["deadlines"], ctx["mentions"])
