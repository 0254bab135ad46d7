"""Memoisation of sentence-keyed helpers, scoped to one document.

Several stages ask the same question of the same sentence (its jieba words, the
rules' proposals, the model's candidate spans, part-of-speech tags of a window),
so answers are kept while a document is processed. They are dropped when the
next document starts (runner.process_document calls new_document): memory stays
bounded in a worker that lives through thousands of bulletins, and measured
speed never rests on text repeated across bulletins (the bench's synthetic
corpus repeats much of it), only on work done.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Callable

_CACHES: list = []


def per_document(maxsize: int = 4096) -> Callable:
    def wrap(fn):
        cached = lru_cache(maxsize=maxsize)(fn)
        _CACHES.append(cached)
        return cached

    return wrap


def new_document() -> None:
    for c in _CACHES:
        c.cache_clear()
