"""The spans the entity model learns from, and the list context it reads as a feature.

loose_candidates is a high-recall superset of what the rules accept (every
enumeration item, suffix boundary, quoted name, uncommon word with industry or
company words after it): the model (entity_model) is trained on these and the
rules' proposals, so it learns to tell names from the hard negatives around
them; the model-only mode of the evaluation scores all of them.
"""
from __future__ import annotations

from ..model import Sentence
from .entity_rules import (_HAN, Candidate, _clause_ends, _clause_start, _lead_cut, _split_items, _strip_quotes,
                           _vocabulary, _words, brand_of, clause_end, enumeration, has_connector, is_common,
                           is_generic, is_place, rules, vocabulary)
from .entity_finders import rule_candidates

MAX_SIZE = 16  # the longest name the model is asked about (characters); longer names are left to the rules


def context_tags(text: str) -> list[str]:
    """Per character, the enumeration it sits in: L-enterprise / L-project (closed by 等 + that head),
    L-other (any other 、 list or X等), O outside. A feature for the model, which cannot see that far."""
    tags = ["O"] * len(text)
    r = rules()["list_close"]
    enum, list_end = enumeration(), vocabulary()["list_end"]
    done = set()
    for m in r["rx"].finditer(text):
        a = _clause_start(text, m.start())
        blocked = bool(rules()["list_between_block"]["rx"].search(m["between"]))
        kind = "other" if blocked else ("enterprise" if m["head"] in r["enterprise_heads"] else "project")
        for i in range(a, m.start()):
            tags[i] = "L-" + kind
        done.add(a)
    start = 0
    for end in _clause_ends(text):
        if start not in done and (not enum.isdisjoint(text[start:end]) or list_end in text[start:end]):
            stop = text.find(list_end, start, end)
            for i in range(start, stop if stop > start else end):
                tags[i] = "L-other"
        start = end + 1
    return tags


def loose_candidates(sent: Sentence, max_len: int = 16, bare_words: bool = True,
                     rule_cands: list[Candidate] | None = None) -> list[tuple[int, int]]:
    """Spans the model learns from: a high-recall superset of what the rules accept.

    Items of any 、/和 enumeration and of any X等 phrase, brands inside them, every left boundary of a
    company or facility suffix, quoted names, and uncommon words with the industry/company/facility words
    after them. No lexicon filter decides here: the model learns which of these are names.

    bare_words=False leaves out an uncommon word standing alone (no such word after it). Training keeps
    them, as the hard negatives they are; extract(..., params={"ask_all": True}) does not ask about them.
    rule_cands: the rules' proposals, when the caller has them."""
    text = sent.text
    out: set[tuple[int, int]] = set()
    ends, enum, list_end = clause_end(), enumeration(), vocabulary()["list_end"]

    def add(a: int, b: int) -> None:
        a, b = _strip_quotes(text, a, b)
        if 2 <= b - a <= max_len and not any(c in ends or c in enum for c in text[a:b]):
            out.add((a, b))
            br = brand_of(text[a:b])
            if br:
                out.add((a + br[0], a + br[1]))

    bounds = _clause_ends(text)
    start = 0
    for end in bounds:
        clause = text[start:end]
        stop = clause.find(list_end)
        span_end = start + stop if stop > 0 else end
        if stop > 0 or not enum.isdisjoint(clause) or has_connector(clause):  # else a single item: no list
            items = _split_items(sent, start, span_end)
            if len(items) >= 2 or stop > 0:
                for a, b in items:
                    add(_lead_cut(sent, a, b, inner=True), b)
        start = end + 1
    for name in ("company_suffix", "facility_suffix"):
        for m in rules()[name]["rx"].finditer(text):
            ls = _clause_start(text, m.start())
            pos = m.start()
            for t in reversed(sent.words_in(max(ls, m.start() - 12), m.start())):
                if t in enum or t in ends:
                    break
                pos -= len(t)
                add(pos, m.end())
    for m in rules()["quoted_span"]["rx"].finditer(text):
        add(*m.span(1))
    w = _words()
    tails = _vocabulary(("industry", "keep", "facility", "company"))  # what may follow an uncommon word in a name
    toks = sent.words
    pos = [0]
    for t in toks:
        pos.append(pos[-1] + len(t))
    for i, t in enumerate(toks):
        if not bare_words and (i + 1 == len(toks) or toks[i + 1] not in tails):
            continue                      # nothing would be added for t: skip the word tests
        if len(t) >= 2 and _HAN.fullmatch(t) and not is_common(t) and not is_generic(t) \
                and t not in w["lead"]:
            a = pos[i - 1] if i and is_place(toks[i - 1]) else pos[i]
            if bare_words:
                add(a, pos[i + 1])
            j = i + 1
            while j < len(toks) and j - i <= 3 and toks[j] in tails:
                add(a, pos[j + 1])
                j += 1
    for c in rule_candidates(sent) if rule_cands is None else rule_cands:
        add(c.start, c.end)
    return sorted(out)


