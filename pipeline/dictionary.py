"""jieba's dictionary and the domain user dictionary as one table: each word's frequency and tag.

The entity rules ask how common a word is (a frequent word is too plain to be a
name) and the tagger asks a word's part of speech; both read the same two
files jieba's tokenizer loads (its dict.txt, then resources/segmenter/
userdict.txt over it), read once per process without building a tokenizer:
linking a corpus from the cache needs the frequencies, not a segmenter.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from functools import cache
from pathlib import Path

import jieba

from .resources import path


@cache
def entries() -> dict[str, tuple[int, str]]:
    """word -> (frequency, tag), the user dictionary's lines over jieba's.

    Parsing jieba's 350,000 lines takes most of a second in every process that tags or links; the table
    is kept as a pickle in the temporary folder (as jieba keeps its prefix dictionary), named by the
    digest of both files, and read back in a fifth of the time. A missing or unreadable pickle is
    rebuilt; the table is the parsed one either way (a test compares)."""
    with jieba.get_dict_file() as f:
        main = f.read()
    user = path("segmenter/userdict.txt").read_bytes()
    digest = hashlib.sha256(main + b"\0" + user).hexdigest()[:20]
    cached = Path(tempfile.gettempdir()) / f"bulletin-pipeline-dictionary-{digest}.pickle"
    try:
        with open(cached, "rb") as f:
            table = pickle.load(f)
        if isinstance(table, dict):
            return table
    except Exception:  # absent, truncated, or written by another version: parse the files again
        pass
    table = parse(main, user)
    try:
        fd, tmp = tempfile.mkstemp(dir=cached.parent, prefix=".bulletin-pipeline-dictionary-")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(table, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, cached)
    except OSError:  # a read-only temporary folder costs speed, not the table
        pass
    return table


def parse(main: bytes, user: bytes) -> dict[str, tuple[int, str]]:
    """The table from the two files' bytes: jieba's dict.txt, then the user dictionary over it."""
    table: dict[str, tuple[int, str]] = {}
    for line in main.decode("utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2:
            table[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else "")
    for line in user.decode("utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.startswith("#"):
            old = table.get(parts[0], (0, ""))
            table[parts[0]] = (int(parts[1]), parts[2] if len(parts) > 2 else old[1])
    return table


def word_frequency(word: str) -> int:
    """How often the dictionaries count a word; 0 for a word they do not have."""
    e = entries().get(word)
    return e[0] if e else 0
