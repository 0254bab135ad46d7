"""The span model: a character-level spaCy spancat trained by `python -m pipeline.train`.

Tokens are characters (spacy.blank("zh")'s default segmenter), so a name's
boundaries never depend on the segmenter; the sentence's words from the one
word pass and the rule lexicons still reach the model as features (LEMMA = the
word a character belongs to, TAG = its position in that word and the word's
class: industry word, place, lead verb, uncommon word ...). spancat rather than ner because mentions nest (an
enterprise inside its project) and because the rules need a score per span to
confirm their weak guesses. The spans it scores come from a loose candidate
generator (entity_candidates.loose_candidates: every enumeration item, suffix boundary,
quoted name, uncommon word + industry word), so it learns to tell names from
the hard negatives around them, which a few thousand sentences can teach. Loaded lazily, once per process, from the repository.
"""
from __future__ import annotations

import re
from functools import cache, lru_cache
from pathlib import Path

import numpy
import spacy
from spacy.attrs import DEP, LEMMA, TAG
from spacy.language import Language
from spacy.strings import hash_string
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import NumpyOps, get_current_ops
from thinc.types import Ragged
from threadpoolctl import ThreadpoolController

from ..model import Sentence
from ..resources import path as resource_path, punctuation
from ..segment import sentence_of
from .entity_candidates import MAX_SIZE, context_tags, loose_candidates
from .entity_rules import _words, is_common, is_place

MODEL_DIR = "models/entities"
SPANS_KEY = "sc"
LABELS = ("enterprise", "project")
MIN_SIZE = 2
_SPACE = re.compile(r"\s")  # re's \s is str.isspace (both Py_UNICODE_ISSPACE), found in C


def _spaced(text: str) -> bool:
    """Whether text has whitespace, which the character tokenizer makes no token of."""
    return _SPACE.search(text) is not None


@cache
def register() -> None:
    """Register the feature component and the suggester with spaCy (idempotent; needed before load)."""
    Language.component("bulletin_entity_features", func=featurize)

    @registry.misc("bulletin.entity_candidates.v1")
    def make_suggester(max_size: int):
        def suggest(docs, *, ops=None):
            return candidate_spans(docs, max_size, ops)

        return suggest


@lru_cache(maxsize=65536)
def _word_class(word: str) -> str:
    w = _words()
    for kind in ("facility", "company", "industry", "keep", "region", "category", "lead"):
        if word in w[kind]:
            return kind
    if is_place(word):
        return "place"
    if len(word) == 1:
        return "punct" if word in punctuation("name_break") or word in punctuation("double_quotes") else "char"
    return "common" if is_common(word) else "rare"


def _features(sent: Sentence) -> tuple[list[str], list[str], list[str]]:
    """Per character of the sentence: the word holding it, B/M/E/S + the word's class, and the enumeration
    it sits in (entity_candidates.context_tags)."""
    text = sent.text
    word_at, tag_at = [], []
    for word in sent.words:
        word_at += [word] * len(word)
        tag_at += _position_tags(len(word), _word_class(word))
    if len(word_at) != len(text):  # the words always spell the text; this only guards the indexing
        word_at, tag_at = (word_at + [""] * len(text))[:len(text)], (tag_at + ["S-punct"] * len(text))[:len(text)]
    return word_at, tag_at, context_tags(text)


@lru_cache(maxsize=1024)
def _position_tags(n: int, cls: str) -> tuple[str, ...]:
    """TAG of each character of an n-character word of class cls: S-, or B- M-... E-."""
    if n == 1:
        return ("S-" + cls,)
    return ("B-" + cls,) + ("M-" + cls,) * (n - 2) + ("E-" + cls,)


def featurize(doc, sent: Sentence | None = None, window: tuple[int, int] | None = None, features=None):
    """Set LEMMA (the word holding each character), TAG (B/M/E/S + the word's class) and DEP (the
    enumeration the character sits in). `sent` is the sentence doc reads (its words from the word pass; a
    bare doc gets a word pass of its own text). With `window` (a, b), doc is sent.text[a:b] and its features
    are those of the whole sentence, sliced: a window of a sentence reads as it does inside the sentence."""
    sent = sent if sent is not None else sentence_of(doc.text)
    text = sent.text
    word_at, tag_at, ctx = features or _features(sent)
    a, b = window or (0, len(text))
    doc.user_data["text"] = text[a:b]
    if window is None:  # the whole sentence (training): the suggester's spans are its loose candidates
        doc.user_data["asked"] = tuple(loose_candidates(sent, MAX_SIZE))
    if len(doc) != b - a:  # whitespace tokens: one Token at a time
        for t in doc:
            t.lemma_ = word_at[a + t.idx] or t.text
            t.tag_ = tag_at[a + t.idx]
            t.dep_ = ctx[a + t.idx]
        return doc

    # one token per character: all hashes in one array, no Token objects; each distinct string hashed once
    keys = [w or c for w, c in zip(word_at[a:b], text[a:b])] + tag_at[a:b] + ctx[a:b]
    add = doc.vocab.strings.add
    hashes = {k: add(k) for k in dict.fromkeys(keys)}
    columns = numpy.array([hashes[k] for k in keys], dtype="uint64").reshape(3, -1)
    doc.from_array([LEMMA, TAG, DEP], columns.T.copy())
    return doc


def make_doc(nlp, text: str):
    """nlp.make_doc for the character tokenizer, without its O(n^2) alignment when the text has no space."""
    if _spaced(text):
        return nlp.make_doc(text)

    return Doc(nlp.vocab, words=list(text), spaces=[False] * len(text))


def candidate_spans(docs, max_size: int, ops=None):
    """The spans the model scores: those asked (doc.user_data["asked"], set by featurize and the Predictor),
    else entity_candidates.loose_candidates of the doc's text, a high-recall superset of the rules' names."""
    ops = ops or get_current_ops()
    rows, lengths = [], []
    for doc in docs:
        n = 0
        text = doc.user_data.get("text") or doc.text
        one_per_char = len(doc) == len(text)  # token i is character i
        asked = doc.user_data.get("asked")
        for a, b in (loose_candidates(sentence_of(text), max_size) if asked is None else asked):
            sp = (a, b) if one_per_char else doc.char_span(a, b, alignment_mode="expand")
            if sp is not None and len(sp):
                rows.append((a, b) if one_per_char else (sp.start, sp.end))
                n += 1
        lengths.append(n)
    data = numpy.asarray(rows, dtype="i").reshape((-1, 2)) if rows else numpy.zeros((0, 2), dtype="i")
    return Ragged(ops.asarray2i(data), ops.asarray1i(numpy.asarray(lengths, dtype="i")))


def model_config(width: int = 32, depth: int = 2, window: int = 3, rows: int = 4000, hidden: int = 32) -> dict:
    return {
        "spans_key": SPANS_KEY,
        "threshold": 0.5,
        "max_positive": None,
        "suggester": {"@misc": "bulletin.entity_candidates.v1", "max_size": MAX_SIZE},
        "model": {
            "@architectures": "spacy.SpanCategorizer.v1",
            "reducer": {"@layers": "spacy.mean_max_reducer.v1", "hidden_size": hidden},
            "scorer": {"@layers": "spacy.LinearLogistic.v1", "nO": None, "nI": None},
            "tok2vec": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": {"@architectures": "spacy.MultiHashEmbed.v2", "width": width,
                          "attrs": ["NORM", "LEMMA", "TAG", "DEP", "SHAPE"], "rows": [rows, rows, 200, 20, 50],
                          "include_static_vectors": False},
                "encode": {"@architectures": "spacy.MaxoutWindowEncoder.v2", "width": width, "depth": depth,
                           "window_size": window, "maxout_pieces": 3},
            },
        },
    }


def blank(**cfg):
    """An untrained pipeline: character tokenizer, features, spancat."""
    register()
    nlp = spacy.blank("zh")
    nlp.add_pipe("bulletin_entity_features")
    sc = nlp.add_pipe("spancat", config=model_config(**cfg))
    for label in LABELS:
        sc.add_label(label)
    return nlp


def windows(spans, text: str, context: int) -> list[tuple[int, int]]:
    """The merged stretches of text that the model reads to score these spans: each span with `context`
    characters either side (not counting whitespace, which is no token of its own), the receptive field
    of its characters' vectors, so that a span scores as it does when the model reads the whole text."""
    spaced = _spaced(text)
    out: list[list[int]] = []
    for a, b in sorted(spans):
        if spaced:
            lo, hi = _reach(text, a, -context), _reach(text, b, context)
        else:
            lo, hi = max(0, a - context), min(len(text), b + context)
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo, hi) for lo, hi in out]


def _reach(text: str, i: int, n: int) -> int:
    """The offset |n| non-space characters before (n < 0) or after (n > 0) offset i, within text."""
    left = abs(n)
    while left and (i > 0 if n < 0 else i < len(text)):
        ch = text[i - 1] if n < 0 else text[i]
        i += -1 if n < 0 else 1
        left -= not ch.isspace()
    return i


def blas_ops():
    """thinc's NumpyOps with its matrix products done by numpy's BLAS (OpenBLAS) rather than blis: the
    same products (scores agree to the 6th decimal, where a few round the other way), in a quarter less
    of the model's time. For inference only: training keeps blis, so `make train` stays reproducible."""
    class BlasOps(NumpyOps):
        def gemm(self, x, y, out=None, trans1=False, trans2=False):
            x, y = (x.T if trans1 else x), (y.T if trans2 else y)
            if out is None:
                return numpy.matmul(x, y)
            numpy.matmul(x, y, out=out)
            return out

    return BlasOps()


@cache
def _one_blas_thread():
    """The process's BLAS libraries (threadpoolctl, found once): predict holds them to one thread, since
    documents are what runs in parallel (--jobs) and BLAS threads on top would oversubscribe the cores
    (and make --jobs 1 use more than one)."""
    return ThreadpoolController()


class _Window:
    """What spancat reads of a Doc (its feature columns, its length, the spans asked about), for a
    window of a sentence without whitespace, where token i is character i: building a real Doc per
    window (Token structs, lexemes, StringStore entries) cost a third of the model's time."""
    __slots__ = ("columns", "user_data")

    def __init__(self, columns, text: str, asked: list[tuple[int, int]]):
        self.columns = columns
        self.user_data = {"text": text, "asked": asked}

    def __len__(self) -> int:
        return len(self.columns)

    def to_array(self, attrs):
        return self.columns


@lru_cache(maxsize=1024)
def _tag_hashes(n: int, cls: str) -> tuple[int, ...]:
    return tuple(hash_string(t) for t in _position_tags(n, cls))


@lru_cache(maxsize=65536)
def _word_hashes(word: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """LEMMA and TAG hashes of a word's characters."""
    return (hash_string(word),) * len(word), _tag_hashes(len(word), _word_class(word))


@cache
def _dep_hashes() -> dict[str, int]:
    return {k: hash_string(k) for k in ("O", "L-enterprise", "L-project", "L-other")}


class _Columns:
    """Per character of a text, the hashes the model embeds, in the model's column order: NORM and SHAPE
    of the character's lexeme (as a Doc's tokens have them), LEMMA, TAG and DEP as featurize sets them,
    computed per word and per character code rather than per Token. A test pins them to featurize's
    Doc, column by column."""
    KNOWN = ("NORM", "LEMMA", "TAG", "DEP", "SHAPE")

    def __init__(self, vocab, attrs):
        attrs = [str(a) for a in attrs]
        if sorted(attrs) != sorted(self.KNOWN):
            raise ValueError(f"the model embeds {attrs}; _Columns knows {self.KNOWN}")
        self.vocab, self.attrs = vocab, attrs
        # NORM and SHAPE hash per code point, filled as characters are met (untouched pages cost no memory)
        self._norm = numpy.zeros(0x110000, dtype="uint64")
        self._shape = numpy.zeros(0x110000, dtype="uint64")

    def _lexemes(self, codes):
        norm = self._norm[codes]
        if not norm.all():
            for c in numpy.unique(codes[norm == 0]).tolist():
                lex = self.vocab[chr(c)]
                self._norm[c], self._shape[c] = lex.norm, lex.shape
            norm = self._norm[codes]
        return norm, self._shape[codes]

    def __call__(self, sent: Sentence):
        """The (len(text), 5) column array, or None when the words do not spell the text."""

        text = sent.text
        lemma: list[int] = []
        tag: list[int] = []
        for word in sent.words:
            word_lemma, word_tag = _word_hashes(word)
            lemma += word_lemma
            tag += word_tag
        if len(lemma) != len(text):
            return None
        dep = _dep_hashes()
        norm, shape = self._lexemes(numpy.frombuffer(text.encode("utf-32-le"), dtype="uint32"))
        cols = {"NORM": norm, "SHAPE": shape, "LEMMA": lemma, "TAG": tag,
                "DEP": [dep.get(t) or hash_string(t) for t in context_tags(text)]}
        out = numpy.empty((len(text), len(self.attrs)), dtype="uint64")
        for j, a in enumerate(self.attrs):
            out[:, j] = cols[a]
        return out


class Predictor:
    """Scores of candidate spans, per text: [(start, end, type, score)], score >= min_score.

    The model reads only the windows around the spans asked about (windows()); a text with none is
    not read at all."""
    def __init__(self, nlp, min_score: float = 0.05, ops=None):
        self.nlp = nlp
        self.min_score = min_score
        enc = nlp.config["components"]["spancat"]["model"]["tok2vec"]["encode"]
        self.context = enc["depth"] * enc["window_size"]  # how far a character's vector sees
        model = nlp.get_pipe("spancat").model
        if ops is not None:
            for node in model.walk():
                node.ops = ops
        extractor = next(n for n in model.walk() if n.name == "extract_features")
        self.columns = _Columns(nlp.vocab, extractor.attrs["columns"])

    def __call__(self, sentences: list[Sentence], asks: list | None = None) -> list[list[tuple[int, int, str, float]]]:
        nlp = self.nlp
        sc = nlp.get_pipe("spancat")
        out: list[list[tuple[int, int, str, float]]] = [[] for _ in sentences]
        docs, where = [], []  # one doc per window: (sentence index, window start)
        for i, sent in enumerate(sentences):
            t = sent.text
            spans = loose_candidates(sent, MAX_SIZE) if asks is None else asks[i]
            if not spans or not t.strip():
                continue
            cols = None if _spaced(t) else self.columns(sent)
            feats = _features(sent) if cols is None else None
            for a, b in windows(spans, t, self.context):
                asked = [(s - a, e - a) for s, e in spans if a <= s and e <= b]
                if cols is None:  # whitespace is no token of its own: a real Doc maps tokens to characters
                    doc = featurize(make_doc(nlp, t[a:b]), sent, (a, b), feats)
                    doc.user_data["asked"] = asked
                else:
                    doc = _Window(cols[a:b], t[a:b], asked)
                docs.append(doc)
                where.append((i, a))
        if not docs:
            return out
        with _one_blas_thread().limit(limits=1, user_api="blas"):
            indices, scores = sc.predict(docs)
        scores = sc.model.ops.to_numpy(scores)
        off = 0
        for k, (i, a) in enumerate(where):
            idx = sc.model.ops.to_numpy(indices[k].dataXd)
            doc = docs[k]
            per_char = len(doc) == len(doc.user_data["text"])  # token j is character j
            for row in range(idx.shape[0]):
                s, e = int(idx[row, 0]), int(idx[row, 1])
                for j, label in enumerate(sc.labels):
                    v = float(scores[off + row, j])
                    if v >= self.min_score:
                        s0, e0 = (s, e) if per_char else (doc[s].idx, doc[e - 1].idx + len(doc[e - 1].text))
                        out[i].append((a + s0, a + e0, label, round(v, 6)))
            off += idx.shape[0]
        return out


def load(model_dir: str | Path):

    register()
    return spacy.load(str(model_dir))


def shipped_dir() -> Path:
    return Path(str(resource_path(MODEL_DIR)))


@cache
def shipped_predictor() -> Predictor | None:
    """The model in resources/models/entities, or None when it has not been trained (make train)."""
    d = shipped_dir()
    if not (d / "meta.json").is_file():
        return None
    return Predictor(load(d), ops=blas_ops())
