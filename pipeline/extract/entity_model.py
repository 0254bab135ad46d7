"""The entity model: a logistic classifier over candidate spans, with head, list and context features.

The spans it scores are the rules' proposals and the loose candidates (entity_candidates.loose_candidates:
every enumeration item, suffix boundary, quoted name, uncommon word with an industry or company word after
it). Each span is described by what the rules already know, read from the sentence's one word pass: its
head and head class (lexicons/entity_project_heads.tsv), the classes of its words (industry, company,
place, lead verb, common, rare), its length and last characters, the words and marks on either side, the
enumeration it sits in and the head that closes it (等 + 企业 / 项目 / 特色小镇), a building verb in its
clause, which rule proposed it (strong or weak) and whether the rules' filters pass it. Two binary
classifiers (enterprise, project) share these features; conjunctions of head class, list context and rule
carry what a linear model cannot combine itself.

Features are hashed (crc32, 2^18 buckets), so the shipped weights hold no text. Training (pipeline.train)
is plain full-batch gradient descent with L2 in numpy, deterministic. Loading needs numpy only.
"""
from __future__ import annotations

import json
import zlib
from functools import cache, lru_cache
from pathlib import Path

import numpy

from ..model import Sentence
from ..resources import path as resource_path, punctuation
from .entity_candidates import MAX_SIZE, context_tags, loose_candidates
from .entity_finders import company_shaped, rule_candidates
from .entity_rules import (_bare, _clause_end, _clause_start, _words, brand_of, enumeration, head_of, is_common,
                           is_place, plausible, rules, vocabulary)

MODEL_DIR = "models/entities"
LABELS = ("enterprise", "project")
BITS = 18
_MASK = (1 << BITS) - 1


@lru_cache(maxsize=65536)
def word_class(word: str) -> str:
    w = _words()
    for kind in ("facility", "company", "industry", "keep", "region", "category", "modifier", "lead"):
        if word in w[kind]:
            return kind
    if is_place(word):
        return "place"
    if len(word) == 1:
        return "punct" if word in punctuation("name_break") or word in punctuation("double_quotes") else "char"
    return "common" if is_common(word) else "rare"


def _list_heads(text: str) -> list[str]:
    """Per character, the head noun of the 等 list it is an item of ('' outside one)."""
    out = [""] * len(text)
    for m in rules()["list_close"]["rx"].finditer(text):
        a = _clause_start(text, m.start())
        for i in range(a, m.start()):
            out[i] = m["head"]
    return out


class SentenceView:
    """What the features of all spans of one sentence read: words with offsets, list context, rules."""

    def __init__(self, sent: Sentence, rule_cands=None, doc_text: str = ""):
        self.sent = sent
        self.text = sent.text
        self.starts = sent.word_starts
        self.ctx = context_tags(self.text)
        self.lhead = _list_heads(self.text)
        self.rules = rule_candidates(sent) if rule_cands is None else rule_cands
        self.by_span = {}
        for c in self.rules:
            self.by_span.setdefault((c.start, c.end), []).append(c)
        self.role = sent.part.role or "other"
        self.doc_text = doc_text

    def count(self, name: str) -> int:
        """How often name occurs in the other sentences of its document (0 without a document)."""
        if not self.doc_text or len(name) < 2:
            return 0
        return max(0, self.doc_text.count(name) - self.text.count(name))

    def word_at(self, i: int) -> int:
        """Index of the word holding character i."""
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= i:
                lo = mid
            else:
                hi = mid - 1
        return lo


def _len_bucket(n: int) -> str:
    return str(n) if n <= 5 else ("6-7" if n <= 7 else ("8-10" if n <= 10 else "11+"))


def features(v: SentenceView, a: int, b: int) -> list[str]:
    """The feature strings of span text[a:b]."""
    text, words = v.text, v.sent.words
    span = text[a:b]
    bare = _bare(span)
    f = ["bias", "len=" + _len_bucket(len(bare)), "l1=" + bare[-1:], "l2=" + bare[-2:], "role=" + v.role]
    head = head_of(bare)
    hcls = head[1] if head else "none"
    f += ["hcls=" + hcls, "head=" + (head[0] if head else "")]
    ctx = v.ctx[a] if a < len(text) else "O"
    lhead = v.lhead[a] if a < len(text) else ""
    f += ["ctx=" + ctx, "lhead=" + lhead, "hcls*ctx=" + hcls + ctx, "hcls*lhead=" + hcls + lhead]
    if words:
        i, j = v.word_at(a), v.word_at(max(a, b - 1))
        inner = [word_class(w) for w in words[i:j + 1]]
        f += ["fw=" + inner[0], "lw=" + inner[-1], "nw=" + str(min(len(inner), 5)),
              "fw*lw=" + inner[0] + inner[-1], "cut_l=" + str(v.starts[i] != a),
              "cut_r=" + str(v.starts[j] + len(words[j]) != b)]
        f += ["wc=" + c for c in set(inner)]
        prev = words[i - 1] if i > 0 and v.starts[i] == a else ""
        prev2 = words[i - 2] if i > 1 and prev else ""
        nxt = words[j + 1] if j + 1 < len(words) and v.starts[j] + len(words[j]) == b else ""
        nxt2 = words[j + 2] if j + 2 < len(words) and nxt else ""
        f += ["w-1=" + prev, "c-1=" + (word_class(prev) if prev else ""), "w-2=" + prev2,
              "w+1=" + nxt, "c+1=" + (word_class(nxt) if nxt else ""), "w+2=" + nxt2,
              "w+1*hcls=" + nxt + hcls, "c-1*hcls=" + (word_class(prev) if prev else "") + hcls]
    p1 = text[a - 1] if a > 0 else "^"
    n1 = text[b] if b < len(text) else "$"
    enum = enumeration()
    f += ["p1=" + p1, "n1=" + n1, "enum_l=" + str(p1 in enum), "enum_r=" + str(n1 in enum or n1 == "等")]
    cs, ce = _clause_start(text, a), _clause_end(text, b)
    cue = bool(rules()["build_cue"]["rx"].search(text[cs:ce]))
    f += ["cue=" + str(cue), "cue*hcls=" + str(cue) + hcls, "listend=" + str(vocabulary()["list_end"] in text[b:ce])]
    for c in v.by_span.get((a, b), ()):
        tag = f"{c.rule.split('.')[0]}|{c.rule.rsplit('.', 1)[-1] if '.' in c.rule else ''}|{c.type}|{c.weak}"
        f += ["rule=" + tag, "rule*ctx=" + tag + ctx, "rule*hcls=" + tag + hcls, "rule*lhead=" + tag + lhead]
    for c in v.rules:
        if c.start < b and a < c.end and (c.start, c.end) != (a, b):
            rel = "in" if a <= c.start and c.end <= b else (
                ("pre" if c.start == a else "out") if c.start <= a and b <= c.end else "x")
            outer = head_of(text[c.start:c.end]) if c.type == "project" and rel in ("pre", "out") else None
            ocls = outer[1] if outer else "none"
            f += [f"ovl={c.type}|{rel}|{c.weak}", f"ovl*hcls={c.type}|{rel}|{ocls}",
                  f"ovl*lhead={c.type}|{rel}|{ocls}|{lhead}"]
            if rel == "pre" and words:
                k = v.word_at(b) if b < len(text) else -1
                f.append(f"pre_next={c.type}|{word_class(words[k]) if k >= 0 else ''}|{ocls}")
    f.append("recur=" + str(min(v.count(bare), 3)))
    f += ["pl_e=" + str(plausible(span, "enterprise")), "pl_p=" + str(plausible(span, "project")),
          "company=" + str(company_shaped(bare)), "brand=" + str(brand_of(bare) is not None),
          "common=" + str(is_common(bare)), "place=" + str(is_place(bare)),
          "digit=" + str(any(ch.isdigit() for ch in bare)), "quote=" + str(span != bare)]
    return f


def hashed(feats: list[str]) -> list[int]:
    """Each feature's bucket (hash_of, memoised: a corpus's spans share a few thousand distinct features,
    "bias", "role=review", "hcls=none" ..., and every span has about fifty)."""
    get = _BUCKETS.get
    out = [get(s) for s in feats]
    if None in out:
        if len(_BUCKETS) > 1 << 18:  # a bound on the memo: let it refill
            _BUCKETS.clear()
        for k, s in enumerate(feats):
            if out[k] is None:
                out[k] = _BUCKETS[s] = hash_of(s)
    return out


def hash_of(feature: str) -> int:
    """A feature's bucket: crc32 of its UTF-8, in 2^BITS buckets."""
    return zlib.crc32(feature.encode("utf-8")) & _MASK


_BUCKETS: dict[str, int] = {}


def sentence_rows(sent: Sentence, spans=None, rule_cands=None, doc_text: str = "") -> tuple[list, list[list[int]]]:
    """(spans, hashed features of each): the spans asked, else every candidate the model is trained on.
    doc_text: the document's sentences joined, for how often a name recurs in it."""
    v = SentenceView(sent, rule_cands, doc_text)
    if spans is None:
        spans = sorted(set(loose_candidates(sent, MAX_SIZE, rule_cands=v.rules)) | set(v.by_span))
    return list(spans), [hashed(features(v, a, b)) for a, b in spans]


def doc_text_of(sentences: list[Sentence]) -> str:
    return "\n".join(s.text for s in sentences)


class Predictor:
    """Scores of candidate spans, per sentence: [(start, end, type, score)], score >= min_score."""

    def __init__(self, weights: numpy.ndarray, min_score: float = 0.05):
        self.weights = weights            # (2^BITS, len(LABELS)) float32
        self.min_score = min_score

    def __call__(self, sentences: list[Sentence], asks: list | None = None):
        doc_text = doc_text_of(sentences)
        asked = []  # (sentence index, its spans) in order, and all their hashed features
        rows: list[list[int]] = []
        for k, sent in enumerate(sentences):
            spans = None if asks is None else asks[k]
            if spans is None or spans:
                spans, r = sentence_rows(sent, spans, doc_text=doc_text)
                asked.append((k, spans))
                rows += r
        probs = scores(self.weights, rows)  # the document's spans in one pass
        keep, values = (probs >= self.min_score).tolist(), probs.tolist()
        out: list[list] = [[] for _ in sentences]
        n = 0
        for k, spans in asked:
            res = out[k]
            for a, b in spans:
                for j, label in enumerate(LABELS):
                    if keep[n][j]:
                        res.append((a, b, label, round(values[n][j], 6)))
                n += 1
        return out


def scores(weights: numpy.ndarray, rows: list[list[int]]) -> numpy.ndarray:
    """Each span's probability per label, (spans, labels), from its hashed features: the spans with the same
    number of features in one pass each. The numbers are score_each's, bit for bit (numpy sums a span's
    rows the same way alone or in a batch of equal length; a test compares on the development texts): a
    document's few thousand spans in a few dozen numpy calls, not a few per span."""
    out = numpy.empty((len(rows), len(LABELS)), dtype=weights.dtype)
    by_size: dict[int, list[int]] = {}
    for i, r in enumerate(rows):
        by_size.setdefault(len(r), []).append(i)
    for size, ids in by_size.items():
        idx = numpy.array([rows[i] for i in ids], dtype=numpy.int64).reshape(len(ids), size)
        out[ids] = 1.0 / (1.0 + numpy.exp(-weights[idx].sum(axis=1)))
    return out


def score_each(weights: numpy.ndarray, rows: list[list[int]]) -> list[numpy.ndarray]:
    """The plain version of scores(): one span at a time."""
    return [1.0 / (1.0 + numpy.exp(-weights[idx].sum(axis=0))) for idx in rows]


def save(weights: numpy.ndarray, out: Path, meta: dict) -> None:
    """The nonzero rows of the weights (index.npy, weights.npy) and a meta.json: the same bytes for the same
    training."""
    out.mkdir(parents=True, exist_ok=True)
    w = weights.astype("float32")
    nz = numpy.flatnonzero(numpy.abs(w).sum(axis=1) > 1e-7).astype("int32")
    numpy.save(out / "index.npy", nz)
    numpy.save(out / "weights.npy", w[nz])
    (out / "meta.json").write_text(json.dumps({**meta, "bits": BITS, "labels": list(LABELS)}, ensure_ascii=False,
                                              indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load(model_dir: Path) -> Predictor:
    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    if meta.get("bits") != BITS or tuple(meta.get("labels", ())) != LABELS:
        raise ValueError(f"{model_dir}: a model of another feature layout ({meta.get('bits')} bits)")
    w = numpy.zeros((1 << BITS, len(LABELS)), dtype="float32")
    w[numpy.load(model_dir / "index.npy")] = numpy.load(model_dir / "weights.npy")
    return Predictor(w)


def shipped_dir() -> Path:
    return Path(str(resource_path(MODEL_DIR)))


@cache
def shipped_predictor() -> Predictor | None:
    """The model in resources/models/entities, or None when it has not been trained (python -m pipeline.train)."""
    d = shipped_dir()
    if not (d / "weights.npy").is_file():
        return None
    return load(d)
