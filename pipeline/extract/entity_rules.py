"""The enterprise and project rule layer: lexicons, filters, the rules' proposals, canonical names.

Rules (rules/entities.toml) propose names from enumerations closed by 等 + a
head noun, company and facility suffixes, quoted facilities and projects named
after an enterprise; a project item that starts with a brand also yields its
enterprise (中云科技智能终端 -> 中云科技). Words are the sentence's words from
the one word pass (Sentence.words_in), never a tokenizer of this module's own.
Canonical names drop place prefixes and one generic industry word so that
扬州安贝斯 and 安贝斯玩具 meet as 安贝斯 when linked. Vocabulary is data: patterns
and word lists in rules/entities.toml, punctuation in rules/punctuation.toml,
division-name suffixes in lexicons/place_suffixes.tsv.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import regex

from ..memo import per_document
from ..model import Sentence
from ..normalise.places import divisions, place_suffixes
from ..resources import char_class, load_toml, load_tsv, punctuation
from ..dictionary import word_frequency

COMMON_FREQ = 100          # a word this frequent in jieba's dictionary is a common word, not a brand
MAX_LEFT = 16              # how far a suffix-found name may run left of its suffix


def quotes() -> frozenset[str]:
    """Quote marks stripped from a name's ends and ignored when names are compared (punctuation.toml)."""
    return punctuation("name_quotes")


def clause_end() -> frozenset[str]:
    """Where a clause ends for names: punctuation, brackets and title marks (punctuation.toml)."""
    return punctuation("name_clause_end")


def enumeration() -> frozenset[str]:
    """The enumeration comma 、 (punctuation.toml): it separates list items, it ends no clause."""
    return punctuation("enumeration")


@cache
def _clause_end_rx() -> regex.Pattern:
    return regex.compile(char_class(clause_end()))


def _clause_ends(text: str) -> list[int]:
    """Offsets of the characters that end a clause, then len(text)."""
    return [m.start() for m in _clause_end_rx().finditer(text)] + [len(text)]


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


@cache
def rules() -> dict:
    """entities.toml's patterns by name, each with its compiled rx (candidate finders have a kind)."""
    raw = load_toml("rules/entities.toml")
    out = {k: dict(v, rx=regex.compile(v["pattern"])) for k, v in raw.items() if "pattern" in v}
    return out


@cache
def vocabulary() -> dict:
    """entities.toml's word lists: list connectors, the word that closes a list, one-character function
    words, company words a canonical name keeps whole."""
    raw = load_toml("rules/entities.toml")
    return {"connectors": frozenset(raw["list_connectors"]["words"]), "list_end": raw["list_end"]["word"],
            "function": frozenset(raw["function_chars"]["words"]),
            "company": tuple(raw["company_words"]["words"])}


@cache
def _enum_rx() -> regex.Pattern:
    return regex.compile("(" + char_class(enumeration()) + ")")


def has_connector(s: str) -> bool:
    """s holds a list connector (和, 及, 与, 以及): only then need its words be read to split it."""
    return any(w in s for w in vocabulary()["connectors"])


@cache
def _words() -> dict[str, frozenset]:
    kinds: dict[str, set] = {}
    for row in load_tsv("lexicons/entity_generic_words.tsv"):
        kinds.setdefault(row["kind"], set()).add(row["word"])
    kinds["lead"] = {r["word"] for r in load_tsv("lexicons/entity_lead_words.tsv")}
    return {k: frozenset(v) for k, v in kinds.items()}


@cache
def _places() -> frozenset:
    """Provinces, cities and counties with their short forms (安康, 旬阳, 扬州, 广东): the first place_word
    suffix of lexicons/place_suffixes.tsv that leaves two characters is cut."""
    out = set()
    suffixes = place_suffixes("place_word")
    for d in divisions():
        out.add(d.name)
        for suf in suffixes:
            if d.name.endswith(suf) and len(d.name) - len(suf) >= 2:
                out.add(d.name[: -len(suf)])
                break
    return frozenset(out)


@cache
def _upper_places() -> tuple[str, ...]:
    """Province and city names and short forms (upper_prefix suffixes cut): the prefixes stripped from an
    enterprise name."""
    out = set()
    suffixes = place_suffixes("upper_prefix")
    for d in divisions():
        if d.level in ("province", "city"):
            out.add(d.name)
            for suf in suffixes:
                if d.name.endswith(suf) and len(d.name) - len(suf) >= 2:
                    out.add(d.name[: -len(suf)])
    return tuple(sorted(out, key=lambda s: (-len(s), s)))


def is_common(word: str) -> bool:
    """A frequent dictionary word (合力, 通用, 西北): too plain to name an enterprise alone."""
    return word_frequency(word) >= COMMON_FREQ


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
def _lead_cut(sent: Sentence, s: int, e: int, inner: bool) -> int:
    """New start of text[s:e] after the verbs and function words that open it (突出抓好|旬阳烟厂).

    Words are the sentence's words, so 及时雨食品 keeps its 及. With inner=True the cut may also fall after the
    last lead word inside (针对物流贵引进了|上港物流集团): used where no separator bounds the name."""
    lead, function = _words()["lead"], vocabulary()["function"]
    toks = sent.words_in(s, e)
    pos = [s]
    for t in toks:
        pos.append(pos[-1] + len(t))
    start_i = 0
    if inner:
        for i, t in enumerate(toks[:-1]):
            if t in lead and (len(t) >= 2 or t in function):
                start_i = i + 1
    while start_i < len(toks) - 1 and toks[start_i] in lead:
        start_i += 1
    return pos[start_i]


def _strip_quotes(text: str, s: int, e: int) -> tuple[int, int]:
    """Drop quotes that wrap the whole span (“安康无水港” -> 安康无水港); inner quotes stay."""
    q = quotes()
    while e - s >= 2 and text[s] in q and text[e - 1] in q and not any(c in q for c in text[s + 1:e - 1]):
        s, e = s + 1, e - 1
    if e - s >= 1 and text[s] in q and not any(c in q for c in text[s + 1:e]):
        s += 1
    if e - s >= 1 and text[e - 1] in q and not any(c in q for c in text[s:e - 1]):
        e -= 1
    return s, e


def _bare(s: str) -> str:
    """Without whitespace (PDF spaces) and name quotes: the form names are compared in."""
    q = quotes()
    return "".join(c for c in s if not c.isspace() and c not in q)


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
    head = r["kind_head"]["rx"].search(bare)
    if head and (len(bare) - len(head[0]) <= 2 or covered(bare[: head.start()])):
        return False                      # 重点工业项目, 大项目: a kind of project, not one
    return True


# ---------------------------------------------------------------------------------------------- rules
def _clause_start(text: str, i: int) -> int:
    ends = clause_end()
    while i > 0 and text[i - 1] not in ends:
        i -= 1
    return i


def _clause_end(text: str, i: int) -> int:
    ends = clause_end()
    while i < len(text) and text[i] not in ends:
        i += 1
    return i


def _split_items(sent: Sentence, s: int, e: int) -> list[tuple[int, int]]:
    """Items of text[s:e] separated by 、 and by 和/及/与 when the word pass reads them as connectors."""
    text = sent.text
    out = []
    pos = s
    enum, connectors = enumeration(), vocabulary()["connectors"]
    for piece in _enum_rx().split(text[s:e]):
        if piece in enum:
            pos += 1
            continue
        ps = pos
        sub = [ps]
        acc = ps
        toks = sent.words_in(ps, ps + len(piece)) if has_connector(piece) else ()
        for k, t in enumerate(toks):
            if t in connectors and 0 < k < len(toks) - 1 and acc - sub[-1] >= 2:
                out.append((sub[-1], acc))
                sub.append(acc + len(t))
            acc += len(t)
        out.append((sub[-1], ps + len(piece)))
        pos = ps + len(piece)
    return [(a, b) for a, b in out if b > a]


def _item_span(sent: Sentence, s: int, e: int) -> tuple[int, int]:
    """A list item without the verbs before it (加快推进|X) and without wrapping quotes."""
    s = _lead_cut(sent, s, e, inner=True)
    return _strip_quotes(sent.text, s, e)


@per_document()  # asked of every candidate span, and of each rule's project items
def brand_of(name: str) -> tuple[int, int] | None:
    """Span of the enterprise a project is named after (中云科技智能终端 -> 中云科技; 通用汽配制造 -> 通用汽配).

    The brand is 2-6 Han characters before an industry word or a place; a place prefix is kept in the span
    (上海港务集团 -> whole); a common word is extended by the industry word after it; regions, places and
    industry words are never brands (锂电新能源, 西北电子信息基地, 旬阳水电站 have none)."""
    w, function = _words(), vocabulary()["function"]
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
        if any(c in brand for c in function):
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


def _from_list(sent: Sentence, name: str, m) -> list[Candidate]:
    """Items of one enumeration, typed by its head; a project item also yields the brand it carries. A list
    where fewer than half the items pass the filters is a list of kinds of things, and yields nothing."""
    text = sent.text
    r = rules()[name]
    if name == "list_close":
        if rules()["list_between_block"]["rx"].search(m["between"]):
            return []
        s0, e0 = _clause_start(text, m.start()), m.start()
    else:
        s0, e0 = m.start("items"), m.end("items")
        tail = text.find(vocabulary()["list_end"], s0, e0)
        if tail >= 0:
            e0 = tail
    head = m["head"]
    typ = "enterprise" if head in r.get("enterprise_heads", ["企业"]) else "project"
    items = _split_items(sent, s0, e0)
    good, seen = [], 0
    for a, b in reversed(items):          # from 等 back to where the list starts
        seen += 1
        a2, b2 = _item_span(sent, a, b)
        if b2 - a2 >= (2 if name == "list_close" else 3) and plausible(text[a2:b2], typ):
            good.append((a2, b2))
        if a2 > a and _lead_cut(sent, a, b, inner=True) > _lead_cut(sent, a, b, inner=False):
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


def _joined_singles(words: list[str]) -> list[str]:
    """Words with each run of two or more one-character words joined: a run the dictionary could not cut
    (上/港 before 物流集团) is an unknown word, a name more often than not."""
    out: list[str] = []
    run = ""
    for w in words + [""]:
        if len(w) == 1 and _HAN.fullmatch(w):
            run += w
            continue
        if run:
            out.append(run)
            run = ""
        if w:
            out.append(w)
    return out


def _company_ok(sent: Sentence, a: int, b: int) -> bool:
    """The words before 集团/公司 hold a place, a Latin name or an uncommon word (not 园区平台|公司)."""
    modifier = _bare(sent.text[a:b])
    if rules()["latin"]["rx"].search(modifier):
        return True
    toks = _joined_singles([w for w in map(_bare, sent.words_in(a, b)) if w])
    return any(is_place(t) or (not is_common(t) and not is_generic(t) and len(t) >= 2) for t in toks) or any(
        is_place(modifier[:i]) for i in range(2, len(modifier) + 1))


def _from_suffix(sent: Sentence, name: str, m) -> list[Candidate]:
    text = sent.text
    r = rules()[name]
    typ = r["type"]
    ss = m.start()
    ls = ss
    ends, enum, name_char = clause_end(), enumeration(), rules()["name_char"]["rx"]
    while ls > 0 and ss - ls < MAX_LEFT and text[ls - 1] not in ends and text[ls - 1] not in enum and (
            name_char.match(text[ls - 1])):
        ls -= 1
    if ls == ss:
        return []
    a = _lead_cut(sent, ls, m.end(), inner=True)
    a, b = _strip_quotes(text, a, m.end())
    modifier = _bare(text[a:ss])
    if len(modifier) < 2 or not plausible(text[a:b], typ):
        return []
    if typ == "enterprise":
        if not _company_ok(sent, a, ss):
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


def _from_quoted(sent: Sentence, name: str, m) -> list[Candidate]:
    text = sent.text
    if not (m["before"] or m["after"]):
        return []
    a, b = m.span("name")
    if not plausible(text[a:b], "project"):
        return []
    return [Candidate(a, b, "project", "rule", name)]


def _from_named(sent: Sentence, name: str, m) -> list[Candidate]:
    text = sent.text
    a, b = m.span("name")
    a = _lead_cut(sent, a, b, inner=True)
    if b - a < 4 or vocabulary()["list_end"] in text[a:b] or not plausible(text[a:b], "project"):
        return []                         # “X”等重点项目 is a list's tail, not a name
    out = [Candidate(a, b, "project", "rule", name)]
    br = brand_of(text[a:b])
    if br:
        out.append(Candidate(a + br[0], a + br[1], "enterprise", "rule", name + ".brand"))
    return out


_FINDERS = {"list": _from_list, "suffix": _from_suffix, "quoted": _from_quoted, "named": _from_named}


def rule_candidates(sent: Sentence, only: str | None = None) -> list[Candidate]:
    """Every rule's proposals over one sentence (only: one rule's, for its tests)."""
    out = []
    for name, r in rules().items():
        kind = r.get("kind")
        if not kind or (only and name != only):
            continue
        for m in r["rx"].finditer(sent.text):
            out.extend(_FINDERS[kind](sent, name, m))
    return _dedupe(out)


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


# ---------------------------------------------------------------------------------------------- names
@cache
def _industry_longest_first() -> tuple[str, ...]:
    return tuple(sorted(_words()["industry"], key=lambda x: (-len(x), x)))


def canonical_enterprise(surface: str) -> str:
    """Shortest distinctive name: 扬州安贝斯 -> 安贝斯, 汇美思毛绒玩具 -> 汇美思; 杭州合力, 旬阳烟厂, 华银科技 stay.

    A province/city prefix goes when the rest is not a common word; one industry word at the end goes
    when the core left is 2+ characters, not common, not a place; company words (科技, 集团, 厂) stay."""
    s = rules()["generic_tail"]["rx"].sub("", _bare(surface))
    if s.endswith(vocabulary()["company"]):
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
    m = rules()["quoted_after_words"]["rx"].fullmatch(s)
    if m and (not m["pre"] or covered(m["pre"])):
        return m["q"]
    return _bare(s)
