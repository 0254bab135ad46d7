"""The prerendered text a run keeps on disk (spill.py) reads back as written, and the KB made from it is the
KB rendered row by row (test_kb compares every file)."""
import pickle
import random

import pytest

from pipeline.spill import SpillFile, Spilled


def test_spilled_pieces_read_back_as_written():
    rnd = random.Random(3)
    store = SpillFile()
    docs = []
    for i in range(300):
        pieces = {name: bytes(rnd.randrange(256) for _ in range(rnd.choice([0, 1, 7, 300, 5000])))
                  for name in ("documents", "sentences", "kb.json", "kb.json tail")}
        pieces["sentences"] = f"第{i}句，“引号”\r\n".encode("utf-8") + pieces["sentences"]
        docs.append((pieces, store.add(pieces)))
    assert store.size == sum(len(b) for p, _ in docs for b in p.values())
    for pieces, spilled in reversed(docs):  # any order: each piece is read by its own offset
        assert isinstance(spilled, Spilled)
        assert list(spilled) == list(pieces) and len(spilled) == len(pieces)
        assert dict(spilled) == pieces
    assert dict(store.add({})) == {}


def test_only_bytes_are_spilled():
    with pytest.raises(TypeError, match="bytes"):
        SpillFile().add({"kb.json": "text"})


def test_a_pickled_spilled_record_carries_its_text():
    """A result pickled after its text was spilled (into the cache, to another process) holds the bytes, not
    an offset into a file that process does not have."""
    spilled = SpillFile().add({"a": b"x,y\n", "b": "总体".encode("utf-8")})
    back = pickle.loads(pickle.dumps(spilled))
    assert type(back) is dict and back == {"a": b"x,y\n", "b": "总体".encode("utf-8")}


def test_the_file_has_no_name_and_closes():
    import os

    store = SpillFile()
    spilled = store.add({"a": b"abc"})
    assert not os.path.exists(os.readlink(f"/proc/self/fd/{store._fd}").removesuffix(" (deleted)")) \
        if os.path.isdir("/proc/self/fd") else True
    store.close()
    with pytest.raises(OSError):
        spilled["a"]
