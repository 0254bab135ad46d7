"""Map cleaned-text positions back to source-text code points.

Cleaning only deletes or substitutes characters one-for-one, so a single array
(cleaned index -> source index) is a complete map; the source text itself is
never modified, which is what keeps every fact traceable to the original file.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass


@dataclass(frozen=True)
class CleanText:
    text: str
    src: array  # src[i] = source offset of text[i]; one extra slot = source length

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Source [start, end) covering cleaned [start, end)."""
        if end <= start:
            s = self.src[start]
            return s, s
        return self.src[start], self.src[end - 1] + 1

    def __len__(self) -> int:
        return len(self.text)


class Builder:
    """Append kept text with its source positions (pieces, not one object per character)."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.src = array("l")

    def add(self, ch: str, pos: int) -> None:
        self.pieces.append(ch)
        self.src.append(pos)

    def extend(self, text: str, positions: array) -> None:
        self.pieces.append(text)
        self.src.extend(positions)

    def build(self, source_len: int) -> CleanText:
        self.src.append(source_len)
        return CleanText("".join(self.pieces), self.src)
