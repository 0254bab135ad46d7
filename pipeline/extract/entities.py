"""Enterprise and project mentions: a rule layer (rules/entities.toml) combined with the shipped span model.

Rules propose names from enumerations closed by 等 + a head noun, company and
facility suffixes, quoted facilities and projects named after an enterprise;
a project item that starts with a brand also yields its enterprise
(中云科技智能终端 -> 中云科技). The model (extract/ner.py) scores spans: it
confirms the rules' weak proposals (a facility word outside any list) and adds
confident names the rules miss. Every mention records what produced it (rule,
ner, gazetteer). Canonical names drop place prefixes and one generic industry
word so that 扬州安贝斯 and 安贝斯玩具 meet as 安贝斯 when linked.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from ..memo import per_document
from ..model import MentionRow
from ..resources import load_toml, load_tsv

COMMON_FREQ = 100          # a word this frequent in jieba's dictionary is a common word, not a brand
MAX_LEFT = 16              # how far a suffix-found name may run left of its suffix
QUOTES = "“”\"「」"
_CLAUSE_END = set("，。；：！？,;:!?（）()《》【】[]\n")
_CLAUSE_END_RX = regex.compile("[" + regex.escape("".join(sorted(_CLAUSE_END))) + "]")


def _clause_ends(text: str) -> list[int]:
    """Offsets of the characters that end a clause, then len(text)."""
    return [m.start() for m in _CLAUSE_END_RX.finditer(text)] + [len(text)]


@dataclass(frozen=True)
class Candidate:
    start: int            # offsets in the sentence text
    end: int
    type: str             # enterprise | project
    method: str           # rule | ner | gazetteer
    rule: str = ""        # which rule (or "model")
    weak: bool = False    # a rule guess the model must confirm when it runs
    score: float = 1.0


# ---------------------------------------------------------------------------------------------- resources
_HAN = regex.compile(r"\p{Han}+")
_ENUM = regex.compile(r"(、)")
_CONNECTOR_CHARS = frozenset("和及与")  # the characters of _split_items' connectors 和, 及, 与, 以及
_QUOTED = regex.compile(r"[“\"]([^“”\"]{2,16})[”\"]")


@cache
def rules() -> dict:
    raw = load_toml("rules/entities.toml")
    out = {k: dict(v, rx=regex.compile(v["pattern"])) for k, v in raw.items() if "pattern" in v}
    return out


@cache
def _words() -> dict[str, frozenset]:
    kinds: dict[str, set] = {}
    for row in load_tsv("lexicons/entity_generic_words.tsv"):
        kinds.setdefault(row["kind"], set()).add(row["word"])
    kinds["lead"] = {r["word"] for r in load_tsv("lexicons/entity_lead_words.tsv")}
    return {k: frozenset(v) for k, v in kinds.items()}


@cache
def _places() -> frozenset:
    """Provinces, cities and counties with their short forms (安康, 旬阳, 扬州, 广东)."""
    from ..normalise.places import divisions

    out = set()
    for d in divisions():
        out.add(d.name)
        for suf in ("特别行政区", "自治区", "自治州", "自治县", "地区", "省", "市", "县", "区", "州", "盟"):
            if d.name.endswith(suf) and len(d.name) - len(suf) >= 2:
                out.add(d.name[: -len(suf)])
                break
    return frozenset(out)


@cache
def _upper_places() -> tuple[str, ...]:
    """Province and city names and short forms: the prefixes stripped from an enterprise name."""
    from ..normalise.places import divisions

    out = set()
    for d in divisions():
        if d.level in ("province", "city"):
            out.add(d.name)
            for suf in ("特别行政区", "自治区", "省", "市"):
                if d.name.endswith(suf) and len(d.name) - len(suf) >= 2:
                    out.add(d.name[: -len(suf)])
    return tuple(sorted(out, key=lambda s: (-len(s), s)))


@cache
def _jieba():
    from ..segmenters import new_tokenizer

    return new_tokenizer(userdict=False)


@per_document()
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_jieba().lcut(text, HMM=True))


def tokens(text: str) -> list[str]:
    """jieba words of text; cached, since the rules, the candidates and the model features all ask."""
    return list(_tokens(text))


def is_common(word: str) -> bool:
    """A frequent dictionary word (合力, 通用, 西北): too plain to name an enterprise alone."""
    return (_jieba().FREQ.get(word) or 0) >= COMMON_FREQ


def is_place(word: str) -> bool:
    return word in _places() or word in _words()["region"]


def is_generic(word: str) -> bool:
    w = _words()
    return word in w["category"] or word in w["industry"] or word in w["region"] or word in w["keep"]


@cache
def _vocabulary(kinds: tuple[str, ...]) -> frozenset:
    """The words of these lexicon kinds, united once."""
    return frozenset().union(*(_words()[k] for k in kinds))


def covered(s: str, kinds=("industry", "category", "keep", "region")) -> bool:
    """s is a concatenation of lexicon words (毛绒玩具|文创|产业): a description, not a name."""
    vocab = _vocabulary(tuple(kinds))
    ok = [True] + [False] * len(s)
    for i in range(len(s)):
        if ok[i]:
            for j in range(i + 1, min(len(s), i + 8) + 1):
                if s[i:j] in vocab:
                    ok[j] = True
    return bool(s) and ok[len(s)]


class _PrefixIndex:
    """A set of words and the lengths they come in: the longest word that starts a string, by one set
    lookup per length, not a scan of the list."""

    def __init__(self, words, lengths: range | None = None):
        self.words = frozenset(words)
        self.lengths = sorted({len(w) for w in self.words if lengths is None or len(w) in lengths}, reverse=True)

    def longest(self, s: str) -> str:
        words, size = self.words, len(s)
        for n in self.lengths:
            if n <= size and s[:n] in words:
                return s[:n]
        return ""


@cache
def _lexicon_index(kinds: tuple[str, ...]) -> _PrefixIndex:
    return _PrefixIndex(_vocabulary(kinds))


@cache
def _upper_index() -> _PrefixIndex:
    return _PrefixIndex(_upper_places())


@cache
def _place_index() -> _PrefixIndex:
    return _PrefixIndex(_places(), range(2, 9))


def _starts_word(s: str, kinds: tuple[str, ...]) -> str:
    """The longest word of the kinds' lexicons that starts s."""
    return _lexicon_index(kinds).longest(s)


def _upper_prefix(s: str) -> str:
    """The longest province or city name that starts s."""
    return _upper_index().longest(s)


def _place_prefix(s: str) -> str:
    """The longest place name (province, city, county or short form, 2-8 characters) that starts s."""
    return _place_index().longest(s)


# ---------------------------------------------------------------------------------------------- trimming
def _lead_cut(text: str, s: int, e: int, inner: bool) -> int:
    """New start of text[s:e] after the verbs and function words that open it (突出抓好|旬阳烟厂).

    Words are jieba tokens, so 及时雨食品 keeps its 及. With inner=True the cut may also fall after the
    last lead word inside (针对物流贵引进了|上港物流集团): used where no separator bounds the name."""
    lead = _words()["lead"]
    toks = tokens(text[s:e])
    pos = [s]
    for t in toks:
        pos.append(pos[-1] + len(t))
    start_i = 0
    if inner:
        for i, t in enumerate(toks[:-1]):
            if t in lead and (len(t) >= 2 or t in ("了", "的", "和", "及", "与")):
                start_i = i + 1
    while start_i < len(toks) - 1 and toks[start_i] in lead:
        start_i += 1
    return pos[start_i]


def _strip_quotes(text: str, s: int, e: int) -> tuple[int, int]:
    """Drop quotes that wrap the whole span (“安康无水港” -> 安康无水港); inner quotes stay."""
    while e - s >= 2 and text[s] in QUOTES and text[e - 1] in QUOTES and not any(
            c in QUOTES for c in text[s + 1:e - 1]):
        s, e = s + 1, e - 1
    if e - s >= 1 and text[s] in QUOTES and not any(c in QUOTES for c in text[s + 1:e]):
        s += 1
    if e - s >= 1 and text[e - 1] in QUOTES and not any(c in QUOTES for c in text[s:e - 1]):
        e -= 1
    return s, e


def _bare(s: str) -> str:
    return "".join(c for c in s if not c.isspace() and c not in QUOTES)


_HEAD_NOUN = regex.compile(r"(?:项目|工程|企业)$")
_LATIN = regex.compile(r"[A-Za-z]")
_NAME_CHAR = regex.compile(r"[\p{Han}A-Za-z0-9“”]")


def plausible(name: str, typ: str) -> bool:
    """Filters every rule applies: not a body, place, count, clause or kind of thing. The same for
    both types today; typ stays in the signature so that a type-specific filter has its place."""
    return _plausible(name)


@per_document()  # the same name is weighed by several rules and by the model's questions, for both types
def _plausible(name: str) -> bool:
    r = rules()
    bare = _bare(name)
    if len(bare) < 2 or len(bare) > 30 or bare[0].isdigit():
        return False
    if name.count("“") != name.count("”"):
        return False
    if r["not_entity"]["rx"].search(bare) or r["not_name_inside"]["rx"].search(bare):
        return False
    if is_generic(bare) or is_place(bare) or r["generic_suffix"]["rx"].search(bare):
        return False
    head = _HEAD_NOUN.search(bare)
    if head and (len(bare) - len(head[0]) <= 2 or covered(bare[: head.start()])):
        return False                      # 重点工业项目, 大项目: a kind of project, not one
    return True


# ---------------------------------------------------------------------------------------------- rules
def _clause_start(text: str, i: int) -> int:
    while i > 0 and text[i - 1] not in _CLAUSE_END:
        i -= 1
    return i


def _clause_end(text: str, i: int) -> int:
    while i < len(text) and text[i] not in _CLAUSE_END:
        i += 1
    return i


def _split_items(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Items of text[s:e] separated by 、 and by 和/及/与 when jieba reads them as connectors."""
    out = []
    pos = s
    for piece in _ENUM.split(text[s:e]):
        if piece == "、":
            pos += 1
            continue
        ps = pos
        sub = [ps]
        acc = ps
        toks = tokens(piece) if _CONNECTOR_CHARS.intersection(piece) else ()  # nothing to split on: no jieba
        for k, t in enumerate(toks):
            if t in ("和", "及", "与", "以及") and 0 < k < len(toks) - 1 and acc - sub[-1] >= 2:
                out.append((sub[-1], acc))
                sub.append(acc + len(t))
            acc += len(t)
        out.append((sub[-1], ps + len(piece)))
        pos = ps + len(piece)
    return [(a, b) for a, b in out if b > a]


def _item_span(text: str, s: int, e: int) -> tuple[int, int]:
    """A list item without the verbs before it (加快推进|X) and without wrapping quotes."""
    s = _lead_cut(text, s, e, inner=True)
    return _strip_quotes(text, s, e)


@per_document()  # asked of every candidate span, and of each rule's project items
def brand_of(name: str) -> tuple[int, int] | None:
    """Span of the enterprise a project is named after (中云科技智能终端 -> 中云科技; 通用汽配制造 -> 通用汽配).

    The brand is 2-6 Han characters before an industry word or a place; a place prefix is kept in the span
    (上海港务集团 -> whole); a common word is extended by the industry word after it; regions, places and
    industry words are never brands (锂电新能源, 西北电子信息基地, 旬阳水电站 have none)."""
    w = _words()
    off = 0
    pre = _upper_prefix(name)
    if pre and len(name) - len(pre) >= 2:
        off = len(pre)
    core = name[off:]
    if not core or _starts_word(core, ("industry", "category", "region", "keep")) or _starts_word(core, ("lead",)):
        return None
    for i in range(2, min(len(core), 7)):
        nxt = _starts_word(core[i:], ("industry", "keep", "region")) or (
            _place_prefix(core[i:]))
        if not nxt:
            continue
        brand = core[:i]
        if not _HAN.fullmatch(brand) or is_place(brand) or is_generic(brand):
            return None
        if any(c in brand for c in "的了和与及"):
            return None
        end = i
        if nxt in w["keep"]:
            end = i + len(nxt)
        elif is_common(brand):
            if nxt not in w["industry"]:
                return None
            end = i + len(nxt)
        if end >= len(core):          # the whole item is the enterprise name: the caller has it already
            return None
        return 0, off + end
    return None


def _from_list(text: str, name: str, m) -> list[Candidate]:
    """Items of one enumeration, typed by its head; a project item also yields the brand it carries. A list
    where fewer than half the items pass the filters is a list of kinds of things, and yields nothing."""
    r = rules()[name]
    if name == "list_close":
        if rules()["list_between_block"]["rx"].search(m["between"]):
            return []
        s0, e0 = _clause_start(text, m.start()), m.start()
    else:
        s0, e0 = m.start("items"), m.end("items")
        tail = text.find("等", s0, e0)
        if tail >= 0:
            e0 = tail
    head = m["head"]
    typ = "enterprise" if head in r.get("enterprise_heads", ["企业"]) else "project"
    items = _split_items(text, s0, e0)
    good, seen = [], 0
    for a, b in reversed(items):          # from 等 back to where the list starts
        seen += 1
        a2, b2 = _item_span(text, a, b)
        if b2 - a2 >= (2 if name == "list_close" else 3) and plausible(text[a2:b2], typ):
            good.append((a2, b2))
        if a2 > a and _lead_cut(text, a, b, inner=True) > _lead_cut(text, a, b, inner=False):
            break                         # a verb inside: the list opens here (…围绕|X、Y等)
    good.reverse()
    if not good or 2 * len(good) < seen or (name == "list_open" and len(items) < 2):
        return []
    out = []
    for a, b in good:
        out.append(Candidate(a, b, typ, "rule", name))
        if typ == "project":
            br = brand_of(text[a:b])
            if br:
                out.append(Candidate(a + br[0], a + br[1], "enterprise", "rule", name + ".brand"))
    return out


def _company_ok(modifier: str) -> bool:
    """The words before 集团/公司 hold a place, a Latin name or an uncommon word (not 园区平台|公司)."""
    if _LATIN.search(modifier):
        return True
    toks = tokens(modifier)
    return any(is_place(t) or (not is_common(t) and not is_generic(t) and len(t) >= 2) for t in toks) or any(
        is_place(modifier[:i]) for i in range(2, len(modifier) + 1))


def _from_suffix(text: str, name: str, m) -> list[Candidate]:
    r = rules()[name]
    typ = r["type"]
    ss = m.start()
    ls = ss
    while ls > 0 and ss - ls < MAX_LEFT and text[ls - 1] not in _CLAUSE_END and text[ls - 1] != "、" and (
            _NAME_CHAR.match(text[ls - 1])):
        ls -= 1
    if ls == ss:
        return []
    a = _lead_cut(text, ls, m.end(), inner=True)
    a, b = _strip_quotes(text, a, m.end())
    modifier = _bare(text[a:ss])
    if len(modifier) < 2 or not plausible(text[a:b], typ):
        return []
    if typ == "enterprise":
        if not _company_ok(modifier):
            return []
        return [Candidate(a, b, typ, "rule", name)]
    if rules()["designation_before"]["rx"].search(text[_clause_start(text, ls):ss]):
        return []
    if covered(modifier, ("lead",)) or modifier in _words()["category"]:
        return []
    cue = bool(rules()["build_cue"]["rx"].search(text[_clause_start(text, ls):_clause_end(text, b)]))
    out = [Candidate(a, b, typ, "rule", name, weak=not cue)]
    br = brand_of(text[a:b])
    if br:
        out.append(Candidate(a + br[0], a + br[1], "enterprise", "rule", name + ".brand", weak=not cue))
    return out


def _from_quoted(text: str, name: str, m) -> list[Candidate]:
    if not (m["before"] or m["after"]):
        return []
    a, b = m.span("name")
    if not plausible(text[a:b], "project"):
        return []
    return [Candidate(a, b, "project", "rule", name)]


def _from_named(text: str, name: str, m) -> list[Candidate]:
    a, b = m.span("name")
    a = _lead_cut(text, a, b, inner=True)
    if b - a < 4 or "等" in text[a:b] or not plausible(text[a:b], "project"):
        return []                         # “X”等重点项目 is a list's tail, not a name
    out = [Candidate(a, b, "project", "rule", name)]
    br = brand_of(text[a:b])
    if br:
        out.append(Candidate(a + br[0], a + br[1], "enterprise", "rule", name + ".brand"))
    return out


_FINDERS = {"list": _from_list, "suffix": _from_suffix, "quoted": _from_quoted, "named": _from_named}


def rule_candidates(text: str, only: str | None = None) -> list[Candidate]:
    """Every rule's proposals over one sentence (only: one rule's, for its tests)."""
    return list(_rule_candidates(text, only))


@per_document()  # asked twice per sentence: by the rule layer and by the model's candidate spans
def _rule_candidates(text: str, only: str | None) -> tuple[Candidate, ...]:
    out = []
    for name, r in rules().items():
        kind = r.get("kind")
        if not kind or (only and name != only):
            continue
        for m in r["rx"].finditer(text):
            out.extend(_FINDERS[kind](text, name, m))
    return tuple(_dedupe(out))


def _dedupe(cands: list[Candidate]) -> list[Candidate]:
    """One candidate per (span, type): the strongest (strong rule > weak rule > model), then the first."""
    best: dict[tuple[int, int, str], Candidate] = {}
    for c in cands:
        k = (c.start, c.end, c.type)
        old = best.get(k)
        if old is None or _rank(c) > _rank(old):
            best[k] = c
    return sorted(best.values(), key=lambda c: (c.start, c.end, c.type))


def _rank(c: Candidate) -> tuple:
    return (c.method == "rule", not c.weak, c.score)


# ---------------------------------------------------------------------------------------------- model candidates
def context_tags(text: str) -> list[str]:
    """Per character, the enumeration it sits in: L-enterprise / L-project (closed by 等 + that head),
    L-other (any other 、 list or X等), O outside. A feature for the model, which cannot see that far."""
    tags = ["O"] * len(text)
    r = rules()["list_close"]
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
        if start not in done and ("、" in text[start:end] or "等" in text[start:end]):
            stop = text.find("等", start, end)
            for i in range(start, stop if stop > start else end):
                tags[i] = "L-other"
        start = end + 1
    return tags


def loose_candidates(text: str, max_len: int = 16, bare_words: bool = True) -> list[tuple[int, int]]:
    """Spans the model is asked about: a high-recall superset of what the rules accept.

    Items of any 、/和 enumeration and of any X等 phrase, brands inside them, every left boundary of a
    company or facility suffix, quoted names, and uncommon words with the industry/company/facility words
    after them. No lexicon filter decides here: the model learns which of these are names.

    bare_words=False leaves out an uncommon word standing alone (no such word after it). Training keeps
    them, as the hard negatives they are; extract() does not ask about them, since in nearly every sentence
    there is one and, measured on the corpus and on synthetic bulletins with new names, a bare word never
    changes the combined answer (tests/test_ner.py): the model then reads only the sentences with a list,
    a suffix, a quote or a rule's guess in them."""
    out: set[tuple[int, int]] = set()

    def add(a: int, b: int) -> None:
        a, b = _strip_quotes(text, a, b)
        if 2 <= b - a <= max_len and not any(c in _CLAUSE_END or c == "、" for c in text[a:b]):
            out.add((a, b))
            br = brand_of(text[a:b])
            if br:
                out.add((a + br[0], a + br[1]))

    bounds = _clause_ends(text)
    start = 0
    for end in bounds:
        clause = text[start:end]
        stop = clause.find("等")
        span_end = start + stop if stop > 0 else end
        if stop > 0 or "、" in clause or _CONNECTOR_CHARS.intersection(clause):  # else a single item: no list
            items = _split_items(text, start, span_end)
            if len(items) >= 2 or stop > 0:
                for a, b in items:
                    add(_lead_cut(text, a, b, inner=True), b)
        start = end + 1
    for name in ("company_suffix", "facility_suffix"):
        for m in rules()[name]["rx"].finditer(text):
            ls = _clause_start(text, m.start())
            pos = m.start()
            for t in reversed(tokens(text[max(ls, m.start() - 12):m.start()])):
                if t == "、" or t in _CLAUSE_END:
                    break
                pos -= len(t)
                add(pos, m.end())
    for m in _QUOTED.finditer(text):
        add(*m.span(1))
    w = _words()
    tails = _vocabulary(("industry", "keep", "facility", "company"))  # what may follow an uncommon word in a name
    toks = tokens(text)
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
    for c in rule_candidates(text):
        add(c.start, c.end)
    return sorted(out)


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


DEFAULT_PARAMS = {"add": 0.8, "confirm": 0.5, "model": 0.5}


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
    """Rules only, model only, or both.

    rules: every strong rule; weak ones (a facility word with no building verb in its clause) are dropped.
    model: the model's spans >= `model`, overlaps of one type resolved by score.
    both:  strong rules; a weak rule when the model scores an overlapping span of its type >= `confirm`;
           and the model's own names >= `add` among those it may add (_addable: they pass the rules'
           filters, no strong rule of that type has spoken), overlaps resolved by score, that overlap no
           rule mention kept so far."""
    p = {**DEFAULT_PARAMS, **(params or {})}
    strong = [c for c in rule_cands if not c.weak]
    if mode == "rules":
        return strong
    spans = spans or []
    if mode == "model":
        return _model_spans(text, spans, p["model"])
    out = list(strong)
    for c in rule_cands:
        if c.weak and any(typ == c.type and s < c.end and c.start < e and sc >= p["confirm"]
                          for s, e, typ, sc in spans):
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
            if c.type == "enterprise" and c.method == "rule" and not c.weak:
                core = canonical_enterprise(text[c.start:c.end])
                if len(core) >= 3 or (len(core) == 2 and not is_common(core)):
                    if not is_place(core) and not is_generic(core):
                        names.add(core)
    ordered = sorted(names, key=lambda x: (-len(x), x))
    out = []
    for text, cands in zip(texts, found):
        add = []
        for n in ordered:
            i = text.find(n)
            while i >= 0:
                c = Candidate(i, i + len(n), "enterprise", "gazetteer", "gazetteer")
                i = text.find(n, i + len(n))
                if not any(_overlaps(c, k) for k in cands + add):
                    add.append(c)
        out.append(cands + add)
    return out


def extract(texts: list[str], mode: str = "both", predict=None, params: dict | None = None) -> list[list[Candidate]]:
    """Candidates per sentence of one document. predict(texts, asks) -> spans per text, (start, end, type,
    score), for the candidate spans asked (None: all of them, as the model-only mode needs)."""
    rule_c = [rule_candidates(t) for t in texts] if mode != "model" else [[] for _ in texts]
    spans = [None] * len(texts)
    if predict is not None and mode == "model":
        spans = predict(texts)
    elif predict is not None and mode == "both":
        from .ner import MAX_SIZE, _loose

        spans = predict(texts, [model_questions(t, r, _loose(t, MAX_SIZE, bare_words=False)) for t, r in zip(texts, rule_c)])
    found = [combine(t, r, s, mode, params) for t, r, s in zip(texts, rule_c, spans)]
    if mode != "model":
        found = _gazetteer(texts, found)
    return [_dedupe(f) for f in found]


def find_mentions(sentences, spans, ct, source: str, doc_id: str, settings) -> list[MentionRow]:
    """Mentions of one document, in source offsets; rules plus the shipped model when settings.ner."""
    predict = None
    if getattr(settings, "ner", False):
        from .ner import shipped_predictor

        predict = shipped_predictor()
    texts = [s.text for s in sentences]
    found = extract(texts, "both" if predict else "rules", predict)
    return mention_rows(texts, spans, found, ct, source, doc_id)


def mention_rows(texts, spans, found, ct, source, doc_id) -> list[MentionRow]:
    rows, seen = [], set()
    for text, sp, cands in zip(texts, spans, found):
        for c in cands:
            ss, se = ct.source_span(sp.start + c.start, sp.start + c.end)
            if (ss, se, c.type) in seen or se <= ss:
                continue
            seen.add((ss, se, c.type))
            surface = text[c.start:c.end]
            name = canonical_enterprise(surface) if c.type == "enterprise" else canonical_project(surface)
            rows.append(MentionRow(f"{doc_id}-m{ss:06d}-{se:06d}-{c.type[0]}", doc_id, ss, se, source[ss:se],
                                   c.type, "", c.method, name))
    return sorted(rows, key=lambda r: (r.start, r.end, r.type))


# ---------------------------------------------------------------------------------------------- names
@cache
def _industry_longest_first() -> tuple[str, ...]:
    return tuple(sorted(_words()["industry"], key=lambda x: (-len(x), x)))


def canonical_enterprise(surface: str) -> str:
    """Shortest distinctive name: 扬州安贝斯 -> 安贝斯, 汇美思毛绒玩具 -> 汇美思; 杭州合力, 旬阳烟厂, 华银科技 stay.

    A province/city prefix goes when the rest is not a common word; one industry word at the end goes
    when the core left is 2+ characters, not common, not a place; company words (科技, 集团, 厂) stay."""
    s = rules()["generic_tail"]["rx"].sub("", _bare(surface))
    if s.endswith(("集团", "公司", "厂")):
        return s
    p = _upper_prefix(s)
    if p:
        rest = s[len(p):]
        if len(rest) >= 2 and not is_common(rest) and not is_generic(rest) and not is_place(rest):
            s = rest
    for w in _industry_longest_first():
        if s.endswith(w) and len(s) > len(w):
            core = s[: -len(w)]
            if len(core) >= 2 and not is_common(core) and core not in _upper_index().words and not is_generic(core) \
                    and not covered(core):
                s = core
            break
    return s


def canonical_project(surface: str) -> str:
    """Without quotes and spaces; a quoted name behind generic words stands alone (毛绒玩具文创产业“五大中心” ->
    五大中心)."""
    s = "".join(c for c in surface if not c.isspace())
    m = regex.fullmatch(r"(?P<pre>[^“”\"]*)[“\"](?P<q>[^“”\"]{2,})[”\"]", s)
    if m and (not m["pre"] or covered(m["pre"])):
        return m["q"]
    return _bare(s)
