"""Enterprise and project mentions: the rule layer (entity_finders) combined with the shipped model (entity_model).

The model scores candidate spans (entity_candidates): it confirms the rules'
weak proposals (guesses from a name's shape: a facility word with no building
verb, a generic facility name, the company read out of a project's name, a
quoted name) and adds confident names the rules miss. Every mention records what produced it (rule, ner, gazetteer).
extract_mentions(sentences, predictor) returns LocalMentions, offsets local to
their sentence; stages.py turns them into rows.
"""
from __future__ import annotations

from bisect import bisect_right

from ..model import LocalMention, Sentence
from .entity_candidates import MAX_SIZE, loose_candidates
from .entity_finders import _dedupe, rule_candidates
from .entity_rules import (Candidate, _strip_quotes, canonical_enterprise, canonical_project, is_common, is_generic,
                           is_place, plausible)


# ---------------------------------------------------------------------------------------------- combining
def _overlaps(a: Candidate, b: Candidate) -> bool:
    return a.start < b.end and b.start < a.end


def _model_spans(text: str, spans, threshold: float) -> list[Candidate]:
    """Model spans above the threshold, outer quotes dropped, overlaps of one type resolved by score."""
    kept: list[Candidate] = []
    for s, e, typ, sc in sorted(spans, key=lambda x: (-x[3], x[0], x[1], x[2])):
        s, e = _strip_quotes(text, s, e)
        c = Candidate(s, e, typ, "ner", "model", score=sc)
        if sc >= threshold and e - s >= 2 and not any(k.type == typ and _overlaps(k, c) for k in kept):
            kept.append(c)
    return kept


# Thresholds on the model's scores, chosen in eight-document LODO (models/README.md): a weak rule guess stands
# from `confirm` (an enterprise read out of a name from `confirm_enterprise`), a name of the model's own from `add`.
DEFAULT_PARAMS = {"add": 0.5, "confirm": 0.15, "confirm_enterprise": 0.15, "model": 0.5}


def _addable(text: str, a: int, b: int, typ: str, strong: list[Candidate]) -> bool:
    """Whether combine() may add a model name of this type over text[a:b] (quotes already stripped): it
    passes the rules' filters and overlaps no strong rule mention of its type (nor, for an enterprise, a
    strong rule project: the rules already said which enterprise, if any, names that project)."""
    if b - a < 2:
        return False
    for r in strong:
        if r.start < b and a < r.end and (r.type == typ or (typ == "enterprise" and r.type == "project")):
            return False
    return plausible(text[a:b], typ)


def model_questions(text: str, rule_cands: list[Candidate], loose) -> list[tuple[int, int]]:
    """The candidate spans whose scores combine(mode="both") can use: those overlapping a weak rule
    guess (which a score confirms) and those the model could add. The model scores only these, so that
    it reads only the sentences, and the parts of them, where it can change the answer."""
    strong = [c for c in rule_cands if not c.weak]
    weak = [c for c in rule_cands if c.weak]
    out = []
    for a, b in loose:
        if any(c.start < b and a < c.end for c in weak):
            out.append((a, b))
            continue
        s, e = _strip_quotes(text, a, b)
        if _addable(text, s, e, "enterprise", strong) or _addable(text, s, e, "project", strong):
            out.append((a, b))
    return out


def combine(text: str, rule_cands: list[Candidate], spans, mode: str, params: dict | None = None) -> list[Candidate]:
    """Rules only, model only, or both (or every rule proposal, weak ones too: "guesses", a reference).

    rules: every strong rule; weak ones (guesses from a name's shape) are dropped.
    model: the model's spans >= `model`, overlaps of one type resolved by score.
    both:  strong rules; a weak rule when the model scores an overlapping span of its type >= `confirm`;
           and the model's own names >= `add` among those it may add (_addable: they pass the rules'
           filters, no strong rule of that type has spoken), overlaps resolved by score, that overlap no
           rule mention kept so far."""
    p = {**DEFAULT_PARAMS, **(params or {})}
    strong = [c for c in rule_cands if not c.weak]
    if mode == "rules":
        return strong
    if mode == "guesses":               # every proposal, weak ones too: the reference the model must beat
        return list(rule_cands)
    spans = spans or []
    if mode == "model":
        return _model_spans(text, spans, p["model"])
    out = list(strong)
    for c in rule_cands:
        least = p["confirm_enterprise"] if c.type == "enterprise" else p["confirm"]
        if c.weak and any(typ == c.type and s < c.end and c.start < e and sc >= least for s, e, typ, sc in spans):
            out.append(c)
    pool = [sp for sp in spans if sp[3] >= p["add"] and _addable(text, *_strip_quotes(text, sp[0], sp[1]), sp[2],
                                                                  strong)]
    for m in _model_spans(text, pool, p["add"]):
        if not any(r.type == m.type and _overlaps(r, m) for r in out):
            out.append(m)
    return out


# ---------------------------------------------------------------------------------------------- document
def _gazetteer(texts: list[str], found: list[list[Candidate]]) -> list[list[Candidate]]:
    """Later bare mentions of enterprise names the rules found in this document (安贝斯 after 扬州安贝斯)."""
    names = set()
    for text, cands in zip(texts, found):
        for c in cands:
            if c.type == "enterprise" and c.method == "rule":  # strong, or weak and confirmed by the model
                core = canonical_enterprise(text[c.start:c.end])
                if len(core) >= 3 or (len(core) == 2 and not is_common(core)):
                    if not is_place(core) and not is_generic(core):
                        names.add(core)
    ordered = sorted(names, key=lambda x: (-len(x), x))
    # each name looked for once in the document (its sentences joined by a line break, which no name holds),
    # its places given back to their sentences; then each sentence as before: names longest first, each
    # name's places in order, a place kept unless it overlaps a candidate already there
    starts, pos = [], 0
    for text in texts:
        starts.append(pos)
        pos += len(text) + 1
    joined = "\n".join(texts)
    places: list[list[tuple[int, int, int]]] = [[] for _ in texts]  # per sentence: (name's rank, start, end)
    for rank, n in enumerate(ordered):
        if "\n" in n:  # (not in a name the rules find, but then: sentence by sentence)
            for k, text in enumerate(texts):
                i = text.find(n)
                while i >= 0:
                    places[k].append((rank, i, i + len(n)))
                    i = text.find(n, i + len(n))
            continue
        i = joined.find(n)
        while i >= 0:
            k = bisect_right(starts, i) - 1
            places[k].append((rank, i - starts[k], i - starts[k] + len(n)))
            i = joined.find(n, i + len(n))
    out = []
    for cands, found_here in zip(found, places):
        add = []
        for _, a, b in found_here:  # in rank order, then by position: the order of the loops they replace
            c = Candidate(a, b, "enterprise", "gazetteer", "gazetteer")
            if not any(_overlaps(c, k) for k in cands + add):
                add.append(c)
        out.append(cands + add)
    return out


def extract(sentences: list[Sentence], mode: str = "both", predict=None,
            params: dict | None = None) -> list[list[Candidate]]:
    """Candidates per sentence of one document. predict(sentences, asks) -> spans per sentence, (start, end,
    type, score), for the candidate spans asked (None: all of them, as the model-only mode needs). With the
    rules, the model is asked about the rules' weak guesses only; params["ask_all"] also asks about every
    span it could add (model_questions): in eight-document LODO that added one name, at twice the model's
    time. A glossary after the text (its notes part) is not read."""
    sentences = [s for s in sentences if not s.part.notes]
    rule_c = [rule_candidates(s) for s in sentences] if mode != "model" else [[] for _ in sentences]
    spans = [None] * len(sentences)
    if predict is not None and mode == "model":
        spans = predict(sentences)
    elif predict is not None and mode == "both":
        asks = [sorted({(c.start, c.end) for c in r if c.weak}) for r in rule_c]
        if params and params.get("ask_all"):
            asks = [model_questions(s.text, r, loose_candidates(s, MAX_SIZE, bare_words=False, rule_cands=r))
                    for s, r in zip(sentences, rule_c)]
        spans = predict(sentences, asks)
    texts = [s.text for s in sentences]
    found = [combine(t, r, sp, mode, params) for t, r, sp in zip(texts, rule_c, spans)]
    if mode != "model":
        found = _gazetteer(texts, found)
    return [_dedupe(f) for f in found]


def extract_mentions(sentences: list[Sentence], predict=None, mode: str | None = None,
                     params: dict | None = None) -> list[LocalMention]:
    """Mentions of a document's sentences: rules, plus the model when a predictor is given."""
    mode = mode or ("both" if predict else "rules")
    out = []
    read = [s for s in sentences if not s.part.notes]
    for sent, cands in zip(read, extract(read, mode, predict, params)):
        for c in cands:
            surface = sent.text[c.start:c.end]
            name = canonical_enterprise(surface) if c.type == "enterprise" else canonical_project(surface)
            out.append(LocalMention(sent.index, c.start, c.end, c.type, c.method, name))
    return out
