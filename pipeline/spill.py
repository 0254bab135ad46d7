"""Each document's prerendered KB text, kept in a temporary file while the run goes on, not in memory.

A document's part of the KB (write.prerender: its CSV lines and its kb.json record, UTF-8) is most of
what a run would otherwise hold for every document until the KB is written at the end: about 140 kB a
bulletin, 280 MB for 2,000 of them. The main process appends each document's pieces to one anonymous
temporary file as its result arrives and keeps their offsets; writing the KB reads them back one piece
at a time (write.render_lazy streams them into the files). The bytes are the ones prerender made, so
the KB is the same (a test compares).

The file has no name (it is removed at creation, or made with O_TMPFILE), so a run that crashes leaves
nothing behind; it is closed when the last result that refers to it is let go.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from typing import Iterator


class SpillFile:
    """An append-only anonymous file of byte pieces, read back by offset."""

    def __init__(self, directory: str | None = None):
        self._file = tempfile.TemporaryFile(prefix="bulletin-pipeline-spill-", dir=directory)
        self._fd = self._file.fileno()
        self._end = 0

    def add(self, pieces: Mapping[str, bytes]) -> Spilled:
        """Write one document's pieces (name -> UTF-8 bytes); a mapping that reads them back."""
        spans, chunks, at = {}, [], self._end
        for name, data in pieces.items():
            if not isinstance(data, bytes):
                raise TypeError(f"a spilled piece is bytes, not {type(data).__name__} ({name!r})")
            spans[name] = (at, len(data))
            chunks.append(data)
            at += len(data)
        if chunks:
            data = b"".join(chunks)
            written = os.pwrite(self._fd, data, self._end)
            while written < len(data):  # a short write (a signal, a full pipe): go on from there
                written += os.pwrite(self._fd, data[written:], self._end + written)
        self._end = at
        return Spilled(self, spans)

    def read(self, offset: int, size: int) -> bytes:
        data = os.pread(self._fd, size, offset)
        while len(data) < size:  # pread may return less than asked on some file systems
            more = os.pread(self._fd, size - len(data), offset + len(data))
            if not more:
                raise OSError(f"spill file ends at {offset + len(data)}, {size - len(data)} bytes short")
            data += more
        return data

    @property
    def size(self) -> int:
        return self._end

    def close(self) -> None:
        self._file.close()


class Spilled(Mapping):
    """One document's prerendered pieces, read from the spill file when asked for (name -> bytes)."""

    __slots__ = ("_store", "_spans")

    def __init__(self, store: SpillFile, spans: dict[str, tuple[int, int]]):
        self._store, self._spans = store, spans

    def __getitem__(self, name: str) -> bytes:
        offset, size = self._spans[name]
        return self._store.read(offset, size)

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def __reduce__(self):  # a result put in the cache or sent elsewhere carries the text, not a file offset
        return dict, (dict(self.items()),)
