"""jieba's dictionary and the domain user dictionary as one table: each word's frequency and tag.

The entity rules ask how common a word is (a frequent word is too plain to be a
name), the tagger asks a word's part of speech, and the segmenter whether a run
of single characters is a word; all read the same two files jieba's tokenizer
loads (its dict.txt, then resources/segmenter/userdict.txt over it), read once
per process without building a tokenizer: linking a corpus from the cache needs
the frequencies, not a segmenter.

Every worker holds the table, so it is kept small: the 350,000 words share
their 17,000 distinct (frequency, tag) tuples, one object each, and so one tag
string each; the table takes about 40 MB in a process where the parsed one, a
tuple, a number and a tag string per word, takes 70. It is the parsed table
(equal, word for word: a test compares).
"""
from __future__ import annotations

import array
import hashlib
from functools import cache

import jieba

from .resources import path
from .tmpkeep import kept

TAG_BITS = 8  # a kept entry's low bits: the index of its tag


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


def pack(table: dict[str, tuple[int, str]]) -> tuple[tuple[str, ...], str, array.array]:
    """(tags, the words joined by newlines, frequency << TAG_BITS | tag index for each): the form kept on
    disk, a few flat objects that load at once."""
    tags = tuple(sorted({t for _, t in table.values()}))
    if len(tags) > 1 << TAG_BITS:
        raise ValueError(f"{len(tags)} tags do not fit in {TAG_BITS} bits")
    index = {t: i for i, t in enumerate(tags)}
    values = array.array("q", [(f << TAG_BITS) | index[t] for f, t in table.values()])
    return tags, "\n".join(table), values  # a word never holds whitespace: split() cut it


def unpack(tags: tuple[str, ...], words: str, values: array.array) -> dict[str, tuple[int, str]]:
    """The table from pack()'s form, equal entries sharing one tuple."""
    shared: dict[int, tuple[int, str]] = {}
    mask = (1 << TAG_BITS) - 1
    for v in set(values):
        shared[v] = (v >> TAG_BITS, tags[v & mask])
    return dict(zip(words.split("\n") if words else [], map(shared.__getitem__, values)))


def sources() -> tuple[bytes, bytes, str]:
    """jieba's dict.txt, the user dictionary, and a digest of both (what the kept table is named by)."""
    with jieba.get_dict_file() as f:
        main = f.read()
    user = path("segmenter/userdict.txt").read_bytes()
    return main, user, hashlib.sha256(main + b"\0" + user).hexdigest()


@cache
def entries() -> dict[str, tuple[int, str]]:
    """word -> (frequency, tag), the user dictionary's lines over jieba's.

    Parsing jieba's 350,000 lines takes most of a second in every process that tags or links; the table
    is kept in the temporary folder (tmpkeep.py), packed (pack()), named by the digest of both files, and
    read back in a fifth of the time. The table is the parsed one either way (a test compares)."""
    main, user, digest = sources()

    def packed_ok(v) -> bool:
        return isinstance(v, tuple) and len(v) == 3 and isinstance(v[0], tuple) and isinstance(v[1], str) \
            and isinstance(v[2], array.array)

    return unpack(*kept("dictionary", digest, lambda: pack(parse(main, user)), packed_ok))


def word_frequency(word: str) -> int:
    """How often the dictionaries count a word; 0 for a word they do not have."""
    e = entries().get(word)
    return e[0] if e else 0
