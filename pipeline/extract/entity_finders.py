"""The rules' candidate finders: enumerations typed by their head, company suffixes, project heads, quoted
and company-named projects; rule_candidates runs them all over a sentence.

Project names end in a head of lexicons/entity_project_heads.tsv (roads and lines, buildings and venues,
water and energy works, parks and zones, towns and districts, plants and platforms); a list's head (等 +
企业 / 项目 / 特色小镇 / 断头路 ...) carries its type to every item, and so does the head the last item of a
、 list shares with the bare ones before it (X、Y片区). A project named after its company also yields the
company (X药业智慧车间 -> X药业; an item of a 项目 list that reads as a company name is both); a project with
a place-like head yields none (淋溪河水电站). Items after a quantifier (一批X、Y) and names followed by a count
(X150个) are kinds of things, not names.
"""
from __future__ import annotations

import bisect
from functools import cache

from ..memo import per_document
from ..model import Sentence
from ..dictionary import word_frequency
from .entity_rules import (_HAN, PLACE_LIKE, Candidate, _bare, _clause_end, _clause_start, _item_span, _lead_cut,
                           _place_prefix, _split_items, _starts_word, _strip_quotes, _upper_prefix, _words,
                           brand_of, clause_end, covered, enumeration, head_of, is_common, is_generic, is_place,
                           not_brand, plausible, project_brand, project_heads, rules, vocabulary)


MAX_LEFT = 16              # how far a suffix-found name may run left of its suffix
# Guesses from a name's shape, which the text does not state: the company read out of a project's name, the
# head a bare list item shares, a quoted or company-named project. On the 120 unannotated texts they are
# right far less often than on the development documents (models/README.md), so they are weak: the
# model confirms them, a rules-only run (--no-ner) leaves them out.
BRANDS_WEAK = True
LEVEL_CHARS = "市州县省区"   # one-character level words a venue's name may start with (市科技馆)


def company_shaped(name: str) -> bool:
    """name reads as a company's short name: a brand of 2-4 Han characters (not a place, generic or common
    word unless industry words follow) and then only industry or company words (洲际食品, 维冠视界), no head."""
    bare = _bare(name)
    if not _HAN.fullmatch(bare or "-") or head_of(bare) or bare in project_heads():
        return False
    pre = _upper_prefix(bare)
    core = bare[len(pre):] if pre and len(bare) - len(pre) >= 2 else bare
    function = vocabulary()["function"]
    if _place_prefix(core) or _starts_word(core, ("lead",)):
        return False                      # 某县+地名, 抓好+X: a place or a clause, not a brand
    for k in range(2, min(4, len(core)) + 1):
        brand, tail = core[:k], core[k:]
        if tail and not covered(tail, ("industry", "keep")):
            continue
        if is_place(brand) or is_generic(brand) or covered(brand) or brand[-1] in function or not_brand(brand):
            continue
        if tail or (len(brand) == 4 and not is_common(brand)):
            return True
    return False


def _brand_candidates(sent: Sentence, a: int, b: int, rule: str, weak: bool = False) -> list[Candidate]:
    """The enterprise a project item text[a:b] names (project_brand), or the whole item when it is a company's
    name used as its project's (洲际食品 in X、Y等项目), or the name before a phase or plant head (X一期); else,
    as a weak guess for the model, the uncommon word that opens an item whose head is not place-like (X一期,
    X功能性纤维 with a short X): a company's short name or a place's, which the rules cannot tell apart."""
    text = sent.text
    item = text[a:b]
    br = project_brand(item)
    if br:
        return [Candidate(a + br[0], a + br[1], "enterprise", "rule", rule + ".brand", weak=weak or BRANDS_WEAK)]
    head = head_of(item)
    if head and head[1] in ("phase", "plant_platform"):
        front = item[:len(item) - len(head[0])]
        if company_shaped(front):
            return [Candidate(a, a + len(front), "enterprise", "rule", rule + ".brand", weak=weak or BRANDS_WEAK)]
    if head and head[1] in PLACE_LIKE:
        return []                         # Y河水电站, Y湖公园: named after a place, not a company
    front = _front(sent, a, b)
    return [Candidate(front[0], front[1], "enterprise", "rule", rule + ".front", weak=True)] if front else []


def _front(sent: Sentence, a: int, b: int) -> tuple[int, int] | None:
    """The uncommon word (or run of one-character words, 2-4 characters) that opens text[a:b] after a place
    name, when something follows it: a possible company short name."""
    words = _joined_singles([w for w in sent.words_in(a, b)])
    pos = a
    if words and (is_place(words[0]) or _upper_prefix(words[0]) == words[0]) and len(words) > 1:
        pos += len(words[0])
        words = words[1:]
    if len(words) < 2:
        return None
    w = words[0]
    if not (2 <= len(w) <= 4 and _HAN.fullmatch(w)) or is_common(w) or is_place(w) or is_generic(w) \
            or w in _words()["lead"] or w in project_heads() or covered(w, ("industry",)) or not_brand(w):
        return None
    return pos, pos + len(w)


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
    if head in project_heads() and not _ends_word(sent, m.end("head")):
        return []                         # 等中心城区: the head is the start of another word
    if name == "list_close" and _word_span(sent, m.start())[:2] != (m.start(), m.start() + 1):
        return []                         # 平等, 等等: no list ends here
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
    generic_head = head == r.get("project_heads", ["项目"])[0]
    for a, b in good:
        out.append(Candidate(a, b, typ, "rule", name))
        if typ == "project":
            brands = _brand_candidates(sent, a, b, name)
            if generic_head and company_shaped(text[a:b]) and not any(c.rule.endswith(".brand") for c in brands):
                brands = [Candidate(a, b, "enterprise", "rule", name + ".company", weak=True)]  # not a mere front
            out.extend(brands)
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


def _left_end(text: str, ss: int) -> int:
    """How far a name ending at ss runs left: over name characters, to a clause end or a list mark."""
    ls = ss
    ends, enum, name_char = clause_end(), enumeration(), rules()["name_char"]["rx"]
    while ls > 0 and ss - ls < MAX_LEFT and text[ls - 1] not in ends and text[ls - 1] not in enum and (
            name_char.match(text[ls - 1])):
        ls -= 1
    return ls


def _from_suffix(sent: Sentence, name: str, m) -> list[Candidate]:
    """An enterprise ending in a company word (集团, 公司, 烟厂, 银行): the modifier must hold a place or an
    uncommon word (a bank's may be any name that is not a kind of bank)."""
    text = sent.text
    ss = m.start()
    ls = _left_end(text, ss)
    if ls == ss:
        return []
    a = _lead_cut(sent, ls, m.end(), inner=True)
    a, b = _strip_quotes(text, a, m.end())
    modifier = _bare(text[a:ss])
    if len(modifier) < 2 or not plausible(text[a:b], "enterprise"):
        return []
    if m.group(0) in rules()[name].get("any_modifier", []):
        if covered(modifier, ("category", "region", "modifier")) or rules()["bank_kind"]["rx"].search(modifier):
            return []
    elif not _company_ok(sent, a, ss):
        return []
    return [Candidate(a, b, "enterprise", "rule", name)]


def _word_span(sent: Sentence, i: int) -> tuple[int, int, str]:
    """The word of the word pass that holds character i: (start, end, word)."""
    starts = sent.word_starts
    k = max(0, bisect.bisect_right(starts, i) - 1)
    if not sent.words:
        return i, i + 1, sent.text[i:i + 1]
    return starts[k], starts[k] + len(sent.words[k]), sent.words[k]


def _ends_word(sent: Sentence, i: int) -> bool:
    """Offset i ends a word, or cuts one the dictionary does not know well (a name glued to what follows)."""
    if i >= len(sent.text):
        return True
    s, e, w = _word_span(sent, i)
    return s == i or not is_common(w)


def _head_in_word(sent: Sentence, hs: int, he: int) -> bool:
    """The head text[hs:he] sits inside a dictionary word that adds one character before it (思路, 宅基地, 阶段,
    中小学): no head there (北京路 adds a name)."""
    if not _ends_word(sent, he):
        return True
    s, e, w = _word_span(sent, hs)
    return s == hs - 1 and word_frequency(w) > 0 and e >= he


def _kinds_before(sent: Sentence, a: int) -> bool:
    """A quantifier opens the stretch before text[a:] (一批X、Y, 20个X): the names there are kinds."""
    text = sent.text
    if rules()["quantifier"]["rx"].match(text, a):
        return True                       # the name itself opens with one (各级X中心)
    cs = _clause_start(text, a)
    q = None
    for q in rules()["quantifier"]["rx"].finditer(text, cs, a):
        pass
    if q is None:
        return False
    lead = _words()["lead"]
    return not any(w in lead and len(w) >= 2 for w in sent.words_in(q.end(), a))


def _count_after(text: str, b: int) -> bool:
    return bool(rules()["count_after"]["rx"].match(text, b))


def _from_head(sent: Sentence, name: str, m) -> list[Candidate]:
    """A project ending in a lexicon head (X大道, X水库, X产业园, X片区, X一期): the name runs left to the clause
    start, a list mark or the last lead word. Weak without a building verb in its clause; nothing when it
    is a title awarded (获批…基地), a kind (一批X, X150个), or a head inside a common word (思路)."""
    text = sent.text
    hs, he = m.span()
    if _head_in_word(sent, hs, he):
        return []
    ls = _left_end(text, hs)
    a = _lead_cut(sent, ls, he, inner=True) if ls < hs else hs
    a, b = _strip_quotes(text, a, he)
    item = text[a:b]
    modifier = _bare(text[a:hs])
    listed = (a > 0 and text[a - 1] in enumeration()) or (b < len(text) and text[b] in enumeration())
    if len(modifier) < 2 and not (len(_bare(item)) >= 3 and (listed or modifier in tuple(LEVEL_CHARS))):
        return []
    if not head_of(item) or not plausible(item, "project"):
        return []
    cs = _clause_start(text, ls)
    if rules()["designation_before"]["rx"].search(text[cs:hs]):
        return []
    if (modifier and covered(modifier, ("lead",))) or modifier in _words()["category"]:
        return []
    if _kinds_before(sent, a) or _count_after(text, b) or vocabulary()["list_end"] in modifier:
        return []
    weak = not rules()["build_cue"]["rx"].search(text[cs:_clause_end(text, b)])
    generic = not _distinctive(sent, a, hs)
    out = [Candidate(a, b, "project", "rule", name, weak=weak or generic)]
    out += _brand_candidates(sent, a, b, name, weak)
    if a > 0 and text[a - 1] in enumeration():
        out += _shared_head(sent, name, cs, a - 1, weak)
    return out


def _distinctive(sent: Sentence, a: int, e: int) -> bool:
    """The words of text[a:e] before a head hold a name: a place, an uncommon word, Latin letters or digits
    (南溪河|水电站, 209|国道). Without one (市|科技馆, 国际|会展中心) the name may be a kind of facility as well as
    the city's own, and the rules leave the call to the model."""
    text = sent.text
    if any(ch.isdigit() or ("A" <= ch <= "z" and ch.isalpha()) for ch in text[a:e]):
        return True
    for w in _joined_singles([_bare(w) for w in sent.words_in(a, e) if _bare(w)]):
        if is_place(w) or (len(w) >= 2 and not is_common(w) and not is_generic(w)
                           and not covered(w, ("modifier", "category", "industry", "keep", "region"))):
            return True
    return False


def _shared_head(sent: Sentence, name: str, cs: int, e: int, weak: bool) -> list[Candidate]:
    """Bare items of a 、 list before an item with a head share it (X、Y片区: X is a 片区 too): items of 2-6
    characters with no head of their own, back to the clause start."""
    text = sent.text
    out = []
    for a, b in reversed(_split_items(sent, cs, e)):
        a2, b2 = _item_span(sent, a, b)
        item = text[a2:b2]
        if head_of(item):
            break                         # the items before it have their own head
        if not 2 <= len(_bare(item)) <= 6 or not plausible(item, "project") or _kinds_before(sent, a2):
            break
        out.append(Candidate(a2, b2, "project", "rule", name + ".shared", weak=True))
        if a2 > a:
            break                         # a verb inside: the list opens here
    return out


def _from_quoted(sent: Sentence, name: str, m) -> list[Candidate]:
    text = sent.text
    if not (m["before"] or m["after"]):
        return []
    a, b = m.span("name")
    if not plausible(text[a:b], "project") or _count_after(text, m.end()):
        return []
    return [Candidate(a, b, "project", "rule", name, weak=True)]


def _from_named(sent: Sentence, name: str, m) -> list[Candidate]:
    text = sent.text
    a, b = m.span("name")
    a = _lead_cut(sent, a, b, inner=True)
    if b - a < 4 or vocabulary()["list_end"] in text[a:b] or not plausible(text[a:b], "project"):
        return []                         # “X”等重点项目 is a list's tail, not a name
    return [Candidate(a, b, "project", "rule", name, weak=True)] + _brand_candidates(sent, a, b, name, True)


def _from_subject(sent: Sentence, name: str, m) -> list[Candidate]:
    """Weak: the company-shaped items of a clause that opens with them and goes on with a verb of firms."""
    text = sent.text
    cs = _clause_start(text, m.start())
    if m.start() - cs < 2:
        return []
    out = []
    for a, b in _split_items(sent, cs, m.start()):
        a2, b2 = _item_span(sent, a, b)
        if b2 - a2 < 2 or not company_shaped(text[a2:b2]) or not plausible(text[a2:b2], "enterprise"):
            return []
        out.append(Candidate(a2, b2, "enterprise", "rule", name, weak=True))
    return out


def _cue(text: str, a: int, b: int) -> bool:
    return bool(rules()["build_cue"]["rx"].search(text[_clause_start(text, a):_clause_end(text, b)]))


def _from_quoted_weak(sent: Sentence, name: str, m) -> list[Candidate]:
    """Weak: a quoted name in a clause with a building verb."""
    text = sent.text
    a, b = m.span("name")
    if not _cue(text, a, b) or not plausible(text[a:b], "project") or _count_after(text, m.end()):
        return []
    return [Candidate(a, b, "project", "rule", name, weak=True)]


def _from_named_weak(sent: Sentence, name: str, m) -> list[Candidate]:
    """Weak: X…项目 in a clause with a building verb, opened by an uncommon word."""
    text = sent.text
    a, b = m.span("name")
    a = _lead_cut(sent, _left_end(text, a), b, inner=True)
    if b - a < 4 or not _cue(text, a, b) or vocabulary()["list_end"] in text[a:b] or _kinds_before(sent, a):
        return []
    if not plausible(text[a:b], "project") or not _front(sent, a, b):
        return []
    return [Candidate(a, b, "project", "rule", name, weak=True)] + _brand_candidates(sent, a, b, name, True)


_FINDERS = {"list": _from_list, "suffix": _from_suffix, "head": _from_head, "quoted": _from_quoted,
            "named": _from_named, "subject": _from_subject, "quoted_weak": _from_quoted_weak,
            "named_weak": _from_named_weak}


def rule_candidates(sent: Sentence, only: str | None = None) -> list[Candidate]:
    """Every rule's proposals over one sentence (only: one rule's, for its tests)."""
    return list(_rule_candidates(sent, only))


@per_document()  # asked by the combination, the model's features and the loose candidates of one sentence
def _rule_candidates(sent: Sentence, only: str | None) -> tuple[Candidate, ...]:
    out = []
    text = sent.text
    for name, rx, needs, finder in _finder_rules():
        if only and name != only:
            continue
        if needs is not None and not needs.search(text):
            continue  # the pattern cannot match without one of these (entities.toml; tested on the corpora)
        for m in rx.finditer(text):
            out.extend(finder(sent, name, m))
    return tuple(_dedupe(_longest_heads(out))) if out else ()


@cache
def _finder_rules() -> tuple:
    """(name, pattern, needs pattern or None, finder) of each rule with a kind, in entities.toml's order:
    what every sentence is scanned with, looked up once."""
    return tuple((name, r["rx"], r.get("needs_rx"), _FINDERS[r["kind"]]) for name, r in rules().items()
                 if r.get("kind"))


def _longest_heads(cands: list[Candidate]) -> list[Candidate]:
    """Of head-found projects that start together (州文化中心 | 州文化中心文旅综合体), the longest."""
    longest: dict[int, int] = {}
    for c in cands:
        if c.type == "project" and c.rule == "facility_suffix":
            longest[c.start] = max(longest.get(c.start, 0), c.end)
    return [c for c in cands if not (c.type == "project" and c.rule == "facility_suffix" and c.end < longest[c.start])]


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


