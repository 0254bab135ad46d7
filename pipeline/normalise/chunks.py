"""The chunker behind indicator names: noun phrases and predicates read over the shared word pass.

Indicators are read from the words and part-of-speech tags of the one word pass (Sentence.tagged
gives a stretch of them, clipped at its ends); nothing here segments text again. jieba's tags are
noisy in this genre (收入/v, 率/v, 桩/q), so a phrase is not a run of one tag: it is read the way a
reader of a Chinese noun phrase does — the head at its end, modifiers before it, a verb inside it when
a noun stands on its left (招商推介活动, 数字乡村试点村), the verbs that govern it only when they say
what is measured (新增企业, not 开展招商推介活动). The word classes and word lists are data
(rules/indicators.toml, section by section); extract/measured.py decides which phrase a figure
measures.
"""
from __future__ import annotations

from functools import cache

import regex

from ..model import Tagged
from ..resources import char_class, load_toml, load_tsv, punctuation
from .places import leading_place, trailing_place


@cache
def rules() -> dict:
    """indicators.toml compiled: patterns by name, the chunker's word classes and the word lists."""
    raw = load_toml("rules/indicators.toml")
    out = {k: regex.compile(v["pattern"]) for k, v in raw.items() if "pattern" in v}
    ch = raw["chunk"]
    out["nominal"], out["modifier"] = tuple(ch["nominal_tags"]), tuple(ch["modifier_tags"])
    out["adverb"], out["verb_tags"] = tuple(ch["adverb_tags"]), tuple(ch["verb_tags"])
    out["joiners"], out["clause_end"] = frozenset(ch["joiners"]), ch["clause_end"]
    out["clause_end_rx"] = regex.compile(char_class(ch["clause_end"]))  # where a sentence's clauses end, in one scan
    out["verb_prefix"], out["max_after"] = tuple(ch["verb_prefix"]), int(ch["max_after"])
    out["max_joined"], out["copulas"] = int(ch["max_joined"]), tuple(ch["copulas"])
    for key in ("task_verbs", "light_verbs", "push_verbs", "measure_verbs"):
        out[key] = frozenset(raw[key]["words"])
    out["short_noun"] = int(raw["measure_verbs"]["short_noun"])
    th = raw["threshold_before"]
    out["th_tags"], out["th_words"] = tuple(th["tags"]), tuple(th["words"])
    out["th_span_tags"] = out["th_tags"] + tuple(th["span_tags"])
    out["th_span_words"] = out["th_words"] + tuple(th["span_words"])
    out["th_number_tags"], out["th_drop"] = tuple(th["number_tags"]), tuple(th["drop_words"])
    out["shared_tail"], out["kept_tail"] = tuple(raw["distributed_tail"]["words"]), raw["distributed_tail"]["kept"]
    out["threshold"] = raw["threshold"]
    out["threshold_measures"] = tuple(sorted(raw["threshold"]["measures"], key=len, reverse=True))
    np = raw["noun_phrase"]
    out["heads"], out["generic_heads"] = tuple(np["heads"]), tuple(np["generic_heads"])
    out["after_generic"] = frozenset(np["after_generic"])
    out["count_units"] = frozenset(raw["count_units"]["words"])
    out["measure_heads"] = tuple(sorted(raw["measure_heads"]["words"], key=len, reverse=True))
    out["listing_verbs"] = tuple(raw["designation"]["listing_verbs"])
    out["named_after_verb"] = tuple(raw["comparison_verb_first"]["words"])
    out["together"] = raw["rank_together"]["word"]
    out["contractions"] = {r["word"]: r["parts"].split("|") for r in load_tsv("lexicons/indicator_contractions.tsv")}
    return out


@cache
def _quotes() -> str:
    return "".join(sorted(punctuation("indicator_quotes")))


def nominal(tag: str) -> bool:
    return tag.startswith(rules()["nominal"])


def noun(tag: str) -> bool:
    """A noun proper: nominal but not a verbal noun."""
    return nominal(tag) and tag != "vn"


def verb(tag: str) -> bool:
    """A verb proper (not a verbal noun)."""
    return tag in rules()["verb_tags"]


def has_noun(t: Tagged) -> bool:
    return any(noun(tag) for _, tag in t.pairs)


def clean(t: Tagged) -> Tagged:
    """Without quote marks and footnote markers (〔5〕): they are not part of what is measured."""
    t = t.without(_quotes())
    for m in reversed(list(rules()["footnote"].finditer(t.text))):
        t = t.cut(0, m.start()) + t.cut(m.end())
    return t


def trim(t: Tagged, city: str | None, when=None, growth: bool = False) -> Tagged:
    """Without what opens a phrase (scope, time and discourse words, places, task verbs such as 推进) and
    what closes it before a number (verbs, modals, particles: 达到, 稳定在, 不少于; growth verbs before a
    percentage, or when nothing else stands there)."""
    r = rules()
    while True:
        before = t.text
        if m := r["strip_leading"].match(t.text):
            t = t.cut(_boundary(t, m.end(), down=True))
        if n := leading_place(t.text, city, when):
            t = t.cut(n)
        if m := r["strip_trailing"].search(t.text):
            t = t.cut(0, _boundary(t, m.start()))
        if (m := r["strip_growth"].search(t.text)) and (growth or m.start() == 0 and t.text.startswith("同比")):
            t = t.cut(0, _boundary(t, m.start()))  # 同比增加9天; but 提升80公里 upgrades something
        if n := trailing_place(t.text):
            t = t.cut(0, len(t) - n)
        while len(t.pairs) > 1 and (t.pairs[0][1].startswith(r["adverb"]) or t.pairs[0][0] in r["task_verbs"]
                                    and not (len(t.pairs) == 2 and t.pairs[1][1].startswith("v"))):
            t = t.cut(len(t.pairs[0][0]))  # 启动实施 keeps its first verb: 实施 alone would say less
        if t.text == before:
            return t


def _boundary(t: Tagged, pos: int, down: bool = False) -> int:
    """The word boundary of t at or after pos (before it with down): a word list cuts whole words of the word
    pass, never a word in two (新签约 keeps its 约, which is stripped only as a word: 约/d 100个)."""
    edge = 0
    for w, _ in t.pairs:
        if edge >= pos:
            return edge
        if down and edge + len(w) > pos:
            return edge
        edge += len(w)
    return edge


def _verb_like(w: str, tag: str) -> bool:
    """A verb, or what writes one: 新 (新签约), a bracketed alternative (新（改）建), 改扩建 (tagged j)."""
    return tag.startswith(("v", "a", "d")) or w in rules()["verb_prefix"] or w in "（）()" or (
        tag == "j" and w.startswith("改"))


def lead_verbs(t: Tagged) -> tuple[str, Tagged]:
    """The verbs a phrase opens with (新增, 新建, 新（改）建, 改扩建) and the rest."""
    n = 0
    for w, tag in t.pairs:
        if w in rules()["light_verbs"] or tag == "vn" or not _verb_like(w, tag):
            break
        n += len(w)
    if rules()["threshold_cue"].fullmatch(t.text[:n]):
        n = 0  # 超亿元企业: a bound, not a verb of its own
    return t.text[:n], t.cut(n)


def verb_run(t: Tagged) -> str:
    """The verbs that end a stretch and govern the noun after the number (启动实施32个试点村), without the
    ones that only push a task along (推进58个背街小巷改造) or are modal (要建立)."""
    r = rules()
    out = []
    for w, tag in reversed(t.pairs):
        if not (tag.startswith("v") or w in r["verb_prefix"] or w in "（）()" or (tag == "j" and w.startswith("改"))) \
                or w in r["push_verbs"] or w in r["light_verbs"] or r["rank_verb"].fullmatch(w):
            break
        out.append(w)
    return "".join(reversed(out))


def ends_with_verb(t: Tagged) -> bool:
    """Whether a stretch ends with a verb that governs what follows it, or is only verbs (改扩建)."""
    if t.pairs and verb(t.pairs[-1][1]) and t.pairs[-1][0] not in rules()["light_verbs"]:
        return True
    verbs, rest = lead_verbs(t)
    return bool(verbs) and not rest


def noun_phrase_after(after: Tagged) -> tuple[str, Tagged]:
    """The noun phrase a number counts when it comes first, and the words that follow it.

    Up to three verbs or modifiers before the first noun modify it (60户停产减产企业, 32个共同富裕示范试点);
    after a noun, verbs and adjectives stay inside when a noun follows them (32个数字乡村试点村, 15个农村
    互助养老服务站) and so does 及/和 after a short noun (9个供热及供气管网改造项目); a bracket stays with
    its word (街道（社区）); a count's own threshold stays too (2个产值过50亿元的主导产业); a measure after a
    verb does not (60户停产减产企业|拉低工业增速)."""
    r = rules()
    m = r["after_skip"].match(after.text)
    t = after.cut(m.end()) if m else after
    if (th := r["threshold_after"].match(t.text)) and th.end() < len(t):
        rest = t.cut(th.end())
        head, tail = noun_phrase_after(rest)
        if not head and (h := r["head_after_threshold"].match(rest.text)):
            head, tail = h.group(), rest.cut(h.end())
        if head:
            return th["lead"] + th["cond"] + head, tail
    pairs, out, seen_noun, i = t.pairs, [], False, 0
    while i < len(pairs):
        w, tag = pairs[i]
        if w in "（(" and out:
            j = next((k for k in range(i + 1, min(i + 5, len(pairs))) if pairs[k][0] in "）)"), -1)
            if j < 0:
                break
            out.extend(p[0] for p in pairs[i:j + 1])
            i = j + 1
            continue
        if nominal(tag) and w not in r["light_verbs"]:
            seen_noun = True
            out.append(w)
        elif not seen_noun and len(out) < 3 and (tag.startswith(r["modifier"]) or tag == "d") \
                and w not in r["light_verbs"]:
            out.append(w)
        elif seen_noun and _inside(pairs, i, len(out)):
            out.append(w)
        else:
            break
        i += 1
    if not seen_noun:
        return "", after
    for k in range(1, len(out)):
        if pairs[k][1] == "v" and noun(pairs[k - 1][1]) and any(h in "".join(out[k:]) for h in r["measure_heads"]):
            out = out[:k]
            break
    phrase = "".join(out)
    return phrase, t.cut(len(phrase))


def _inside(pairs, i: int, n: int) -> bool:
    """Whether word i, after a noun, stays inside the phrase: a modifier or (after a short noun of n words)
    a joiner that a noun follows, never a light verb or a designation (古村落|列入…名录)."""
    r = rules()
    w, tag = pairs[i]
    if w in r["light_verbs"] or r["designation_start"].match(w):
        return False
    joined = w in r["joiners"] and n <= r["max_joined"] and i + 1 < len(pairs) and (
        nominal(pairs[i + 1][1]) or pairs[i + 1][1] in ("a", "b"))
    return (tag.startswith(r["modifier"]) or joined) and _noun_follows(pairs, i + 1)


def _noun_follows(pairs, i: int) -> bool:
    """Whether the words from i reach a noun through modifiers only, so that they are inside the phrase."""
    r = rules()
    for w, tag in pairs[i:i + 4]:
        if noun(tag):
            return True
        if not (tag.startswith(r["modifier"]) or tag == "vn"):
            return False
    return False


def noun_phrase_before(t: Tagged, governing: bool = True) -> str:
    """The noun phrase that ends a stretch (the subject right before a number), read backwards: nouns, the
    modifiers and verbs inside it (城镇新增就业, 招商推介活动, 地方一般公共预算收入, 矛盾纠纷和重复投诉化解率),
    a threshold it carries (营收过20亿元的商贸企业), and — with governing — the verbs that govern it unless they
    only carry a task out (新增企业, 累计兑付惠企资金 keep theirs; 开展招商推介活动 does not)."""
    r = rules()
    pairs = t.pairs
    out: list[str] = []
    i = len(pairs) - 1

    def inner(k: int) -> bool:
        """Whether a noun stands left of k, across modifiers and joiners: k is inside the phrase."""
        for w, tag in reversed(pairs[max(0, k - 4):k]):
            if nominal(tag) or w in "）)":
                return True
            if not (tag.startswith(r["modifier"]) and not tag.startswith("v") or w in r["joiners"] or w == "、"
                    or tag == "d"):
                return False
        return False

    verbs_only = True  # the phrase read so far is verbs only: it may end with them (肉牛出栏, 减税降费)
    while i >= 0:
        w, tag = pairs[i]
        if w in "）)":
            j = next((k for k in range(i - 1, max(-1, i - 6), -1) if pairs[k][0] in "（("), -1)
            if j < 1 or not out:
                break
            out.extend(p[0] for p in reversed(pairs[j:i + 1]))
            i = j - 1
            continue
        done = w in r["task_verbs"] or w in r["light_verbs"]
        if nominal(tag) or (tag == "x" and w.isalnum()) or (out and tag.startswith(r["modifier"])
                                                              and not tag.startswith("v")):
            out.append(w)
            verbs_only = verbs_only and tag.startswith("v")
        elif tag.startswith("v") and not done and (verbs_only or inner(i)):
            out.append(w)
        elif tag.startswith("v") and out:
            while governing and i >= 0 and verb(pairs[i][1]) and not (
                    pairs[i][0] in r["task_verbs"] or pairs[i][0] in r["light_verbs"] or pairs[i][0] in r["push_verbs"]):
                out.append(pairs[i][0])
                i -= 1
            if governing and i >= 0 and pairs[i][0] in r["verb_prefix"]:
                out.append(pairs[i][0])  # 新签约
            break
        elif out and (w in r["joiners"] or w == "、" or tag == "d") and i > 0 and inner(i) and not (
                w in r["joiners"] and verb(pairs[i + 1][1])):
            out.append(w)  # 茶园新建和改造, 绿色、有机、地理标志农产品, 专精特新企业 (not 生产和|达产企业)
        elif out and (tag in r["th_tags"] or w in r["th_words"]):
            j = i  # a threshold before the noun (营收过20亿元的商贸企业) belongs to it
            while j >= 0 and (pairs[j][1] in r["th_span_tags"] or pairs[j][0] in r["th_span_words"]):
                j -= 1
            k = j
            while k >= 0 and nominal(pairs[k][1]):
                k -= 1
            span = pairs[k + 1:i + 1]
            if (k < j or j < 0) and any(tg in r["th_number_tags"] for _, tg in span):
                out.extend(wd for wd, _ in reversed(span) if wd not in r["th_drop"])
                i = k
                continue
            break
        else:
            break
        i -= 1
    return r["strip_leading"].sub("", "".join(reversed(out)))


def predicate(rest: Tagged) -> str:
    """What a counted subject did (建成投产, 在全省复制推广), adverbs and light verbs left out; empty when it
    holds no verb, ends with a measure (完成投资), follows a list comma or is too long to be part of a name."""
    r = rules()
    m = r["after_skip"].match(rest.text)
    rest = rest.cut(m.end()) if m else rest
    if rest.text.startswith(tuple(r["joiners"]) + ("、",)) or not any(
            verb(tag) or tag == "z" for _, tag in rest.pairs):
        return ""
    text = "".join(w for w, tag in rest.pairs if w not in r["light_verbs"] and w.strip(" 、")
                   and not (tag.startswith(r["adverb"]) and not tag.startswith("p")))
    text = r["strip_leading"].sub("", text)
    if not text or len(text) > r["max_after"] or text.endswith(r["measure_heads"]):
        return ""
    return text


def designated(tail: Tagged, np: str) -> str:
    """A count named by what its members became: 8个社区被命名为省级文明示范社区 -> the title;
    9个古村落列入…名录 -> 列入…名录古村落; "" when no designation follows."""
    if not (d := rules()["designation"].match(tail.text)):
        return ""
    return (d["verb"] + d["np"] + np) if d["verb"] in rules()["listing_verbs"] else d["np"]


def counted(np: str, tail: Tagged, with_predicate: bool) -> str:
    """A counted noun, named by a designation after it or with what it did (18个乡镇实现集中供水全覆盖 ->
    集中供水全覆盖的乡镇)."""
    if d := designated(tail, np):
        return d
    pred = predicate(tail) if with_predicate else ""
    return (pred + "的" + np) if len(pred) > 4 else pred + np
