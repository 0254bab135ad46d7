"""The shipped statistical NER model, loaded once per process; absent model -> no predictions."""
from __future__ import annotations

from functools import cache

from ..resources import path


@cache
def _nlp():
    import spacy

    p = path("models/ner")
    if not p.joinpath("meta.json").is_file():
        return None
    return spacy.load(str(p))


def predict(text: str) -> list[tuple[int, int, str, str]]:
    nlp = _nlp()
    if nlp is None:
        return []
    from ..segmenters import get_segmenter
    from spacy.tokens import Doc

    words = get_segmenter("jieba").cut(text)
    doc = nlp(Doc(nlp.vocab, words=words, spaces=[False] * len(words)))
    return [(ent.start_char, ent.end_char, ent.label_.lower(), "ner") for ent in doc.ents]
