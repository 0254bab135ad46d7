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
from functools import cache, lru_cache

import regex

from ..memo import per_document
from ..model import Sentence
from ..normalise.places import divisions, place_suffixes
from ..resources import any_word, char_class, compile_pattern, load_toml, load_tsv, punctuation
from ..dictionary import word_frequency

COMMON_FREQ = 100          # a word this frequent in jieba's dictionary is a common word, not a brand


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
    """entities.toml's patterns by name, each with its compiled rx (candidate finders have a kind), and
    needs_rx for a rule with needs: one search for any of its words, in C (re: a loop of `in` tests over
    every sentence cost twice as much)."""
    raw = load_toml("rules/entities.toml")
    out = {k: dict(v, rx=compile_pattern(_expand(v["pattern"]))) for k, v in raw.items() if "pattern" in v}
    for r in out.values():
        if "needs" in r:
            r["needs_rx"] = any_word(r["needs"])
    return out


def _expand(pattern: str) -> str:
    """@HEADS@ -> the heads that end a project name, @LISTHEADS@ -> the heads that type a list after 等
    (lexicons/entity_project_heads.tsv), longest first."""
    def alt(words) -> str:
        return "|".join(regex.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))

    heads = project_heads()
    if "@HEADS@" in pattern:
        pattern = pattern.replace("@HEADS@", alt(h for h, c in heads.items() if c != "list"))
    if "@LISTHEADS@" in pattern:
        pattern = pattern.replace("@LISTHEADS@", alt(h for h, c in heads.items() if c not in ("activity", "phase")
                                                     and len(h) >= 2 and h != "中心"))
    return pattern


PLACE_LIKE = frozenset({"transport", "building", "water_energy", "park_zone", "town_district"})


@cache
def project_heads() -> dict[str, str]:
    """Head word -> class (transport, building, water_energy, park_zone, town_district, plant_platform, phase,
    activity, list): lexicons/entity_project_heads.tsv."""
    return {r["head"]: r["class"] for r in load_tsv("lexicons/entity_project_heads.tsv")}


@cache
def _head_lengths() -> tuple[int, ...]:
    return tuple(sorted({len(h) for h in project_heads()}, reverse=True))


@per_document()  # asked of every project candidate by several rules
def head_of(name: str) -> tuple[str, str] | None:
    """(head, class) of the longest lexicon head that ends name and leaves something before it; an activity
    (快速化改造) counts only after a name with a head of its own, and then takes that head's class; list
    heads end no name."""
    heads = project_heads()
    bare = _bare(name)
    for n in _head_lengths():
        h = bare[-n:] if len(bare) > n else ""
        cls = heads.get(h)
        if not cls or cls == "list":
            continue
        if cls == "activity":
            inner = head_of(bare[:-n])
            return (h, inner[1]) if inner and inner[1] != "activity" else None
        return h, cls
    return None


def project_brand(name: str) -> tuple[int, int] | None:
    """The enterprise a project item is named after, unless its head is place-like (a road, venue, reservoir,
    park or town is named after its place: 淋溪河水电站, X文化产业园 name no company), where only a name with
    a company word before the head counts (X集团物流园)."""
    br = brand_of(name)
    head = head_of(name)
    if head and head[1] == "phase":       # X公路港一期: the works' own head says
        head = head_of(_bare(name)[:-len(head[0])]) or head
    if head and head[1] in PLACE_LIKE:
        front = _bare(name)[:len(_bare(name)) - len(head[0])]
        ends = [front.find(w) + len(w) for w in vocabulary()["company"] if w in front]
        return (0, max(ends)) if ends and max(ends) >= 4 else None
    return br


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
            if t in lead and (len(t) >= 2 or t in function) and not _glued(toks, i):
                start_i = i + 1
    while start_i < len(toks) - 1 and toks[start_i] in lead and not _glued(toks, start_i):
        start_i += 1
    return pos[start_i]


def _glued(toks, i: int) -> bool:
    """toks[i] is a one-character function word before a one-character word that leads nowhere (支持/和/诺/生物):
    the word pass cut a name it does not know, whose first character the function word is."""
    return (len(toks[i]) == 1 and toks[i] in vocabulary()["function"] and i + 1 < len(toks)
            and len(toks[i + 1]) == 1 and toks[i + 1] not in _words()["lead"] and bool(_HAN.fullmatch(toks[i + 1])))


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
    """Without whitespace (PDF spaces) and name quotes: the form names are compared in. (str.split() with
    no argument splits at exactly the characters str.isspace() accepts.)"""
    return "".join(s.translate(_unquote()).split())


@cache
def _unquote() -> dict[int, None]:
    return dict.fromkeys(map(ord, quotes()))


def plausible(name: str, typ: str) -> bool:
    """Filters every rule applies: not a body, place, count, clause or kind of thing. A project that ends in
    a lexicon head (X医院, X度假区) is a works, whatever a body or zone would end in; it is no positioning goal
    (国家级X基地, X地区Y基地) and no kind of base (only quality and industry words before 基地)."""
    return _plausible(name, typ == "project" and head_of(name) is not None)


@per_document()  # the same name is weighed by several rules and by the model's questions, for both types
def _plausible(name: str, headed: bool = False) -> bool:
    r = rules()
    bare = _bare(name)
    if len(bare) < 2 or len(bare) > 30 or (bare[0].isdigit() and not headed):
        return False
    if name.count("“") != name.count("”"):
        return False
    if (not headed and r["not_entity"]["rx"].search(bare)) or r["not_name_inside"]["rx"].search(bare):
        return False
    if headed and (r["not_project"]["rx"].search(bare) or _kind_of_base(bare)):
        return False
    if is_generic(bare) or is_place(bare) or r["generic_suffix"]["rx"].search(bare):
        return False
    head = r["kind_head"]["rx"].search(bare)
    if head and (len(bare) - len(head[0]) <= 2 or covered(bare[: head.start()])):
        return False                      # 重点工业项目, 大项目: a kind of project, not one
    return True


def _kind_of_base(bare: str) -> bool:
    """A base or demonstration zone whose words before the head are only quality, industry and category words
    (绿色食品示范基地, 高标准露营基地): a kind of base or a goal, not a works with a name; a road, town, district or
    park with only quality words before its head (美丽农村路, 宜居街区) is a kind too (an industry or product word
    names a town: X玩具小镇)."""
    m = rules()["base_head"]["rx"].search(bare)
    if m:
        return m.start() == 0 or covered(bare[:m.start()], ("industry", "category", "modifier", "keep"))
    head = head_of(bare)
    return bool(head) and head[1] in KIND_CHECKED and covered(bare[:len(bare) - len(head[0])], ("modifier",))


KIND_CHECKED = frozenset({"transport", "town_district", "park_zone"})


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
            if t in connectors and 0 < k < len(toks) - 1 and acc - sub[-1] >= 2 and not _glued(toks, k):
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
        if not _HAN.fullmatch(brand) or is_place(brand) or is_generic(brand) or not_brand(brand):
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


def not_brand(word: str) -> bool:
    """A word that cannot open a company's name (rules/entities.toml not_brand): a level word (市妇女儿童),
    a route (X至), a quality or category word (高端X, 跨境X), a water or land feature (X河, X流域)."""
    return bool(rules()["not_brand"]["rx"].search(word)) or covered(word, ("modifier", "category"))


# ---------------------------------------------------------------------------------------------- names
@cache
def _industry_longest_first() -> tuple[str, ...]:
    return tuple(sorted(_words()["industry"], key=lambda x: (-len(x), x)))


@lru_cache(maxsize=1 << 16)  # linking asks it of every mention of the corpus, most of them names seen before
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


@lru_cache(maxsize=1 << 16)  # as canonical_enterprise
def canonical_project(surface: str) -> str:
    """Without quotes and spaces; a quoted name behind generic words stands alone (毛绒玩具文创产业“五大中心” ->
    五大中心)."""
    s = "".join(c for c in surface if not c.isspace())
    m = rules()["quoted_after_words"]["rx"].fullmatch(s)
    if m and (not m["pre"] or covered(m["pre"])):
        return m["q"]
    return _bare(s)
