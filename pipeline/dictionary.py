"""jieba's dictionary and the domain user dictionary as one table: each word's frequency and tag.

The entity rules ask how common a word is (a frequent word is too plain to be a
name) and the tagger asks a word's part of speech; both read the same two
files jieba's tokenizer loads (its dict.txt, then resources/segmenter/
userdict.txt over it), read once per process without building a tokenizer:
linking a corpus from the cache needs the frequencies, not a segmenter.
"""
from __future__ import annotations

from functools import cache

import jieba

from .resources import path


@cache
def entries() -> dict[str, tuple[int, str]]:
    """word -> (frequency, tag), the user dictionary's lines over jieba's."""
    table: dict[str, tuple[int, str]] = {}
    with jieba.get_dict_file() as f:
        for raw in f:
            parts = raw.decode("utf-8").split()
            if len(parts) >= 2:
                table[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else "")
    for line in path("segmenter/userdict.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.startswith("#"):
            old = table.get(parts[0], (0, ""))
            table[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else old[1])
    return table


def word_frequency(word: str) -> int:
    """How often the dictionaries count a word; 0 for a word they do not have."""
    e = entries().get(word)
    return e[0] if e else 0


@cache
def word_tags() -> dict[str, str]:
    """word -> tag, for the words the dictionaries tag."""
    return {w: t for w, (_, t) in entries().items() if t}
