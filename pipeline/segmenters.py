"""Word segmenters behind one small protocol: jieba (default) or pkuseg.

jieba runs as a private Tokenizer (never the global one) with the domain user
dictionary of general terms; pkuseg is optional and imported only when asked
for, since it needs its own build step (make pkuseg).
"""
from __future__ import annotations

from functools import cache
from typing import Protocol

from .memo import per_document
from .resources import path


class Segmenter(Protocol):
    name: str

    def cut(self, text: str) -> list[str]: ...


@cache
def _pos_tokenizer():
    import jieba.posseg

    return jieba.posseg.POSTokenizer(get_segmenter("jieba")._tok)


@per_document()
def pos_tag(text: str) -> tuple[tuple[str, str], ...]:
    """(word, part of speech) by jieba with the domain dictionary, whatever the word segmenter.

    pkuseg's tagger needs a model it downloads at run time, so tags always come from jieba.
    """
    return tuple((p.word, p.flag) for p in _pos_tokenizer().lcut(text))


class JiebaSegmenter:
    name = "jieba"

    def __init__(self) -> None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tok = jieba.Tokenizer()
        self._tok.load_userdict(str(path("segmenter/userdict.txt")))

    def cut(self, text: str) -> list[str]:
        return self._tok.lcut(text, HMM=True)


class PkusegSegmenter:
    name = "pkuseg"

    def __init__(self) -> None:
        try:
            import pkuseg
        except ImportError as e:  # pragma: no cover - depends on the optional extra
            raise RuntimeError("pkuseg is not installed: run `make pkuseg` (it needs numpy and cython first)") from e
        words = [l.split()[0] for l in path("segmenter/userdict.txt").read_text(encoding="utf-8").splitlines()
                 if l.strip() and not l.startswith("#")]
        self._seg = pkuseg.pkuseg(user_dict=words)

    def cut(self, text: str) -> list[str]:
        return self._seg.cut(text)


SEGMENTERS = {"jieba": JiebaSegmenter, "pkuseg": PkusegSegmenter}


@cache
def get_segmenter(name: str = "jieba") -> Segmenter:
    if name not in SEGMENTERS:
        raise ValueError(f"unknown segmenter {name!r}: choose one of {', '.join(SEGMENTERS)}")
    return SEGMENTERS[name]()
