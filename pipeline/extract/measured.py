"""What a figure measures: the indicator phrase of the number's own clause, read by a chunker over the word pass.

Series, restated/changed and targets-vs-actuals all hang on the indicator, and a reader finds it in the
number's own clause, not in the sentence's first one. So every sentence is laid out once (Layout): its
clause ends and the slots of its figures. A figure's own stretch runs from its clause start — or from
the figure before it in the clause, unless that one is a threshold (5亿元以上项目42个: the threshold
belongs to the phrase it qualifies) — to the number; the words after it run to the next figure or the
clause end. Both are read by the chunker (normalise.chunks) over the words and tags of the one word
pass, never re-segmented:

- a count names what it counts, on either side of the number (新增规上服务业企业52家; 建成12个街道（社区）
  综合养老服务中心), with the verb that says what is counted (新增, 建成) and, when the count is the
  subject of its clause, what it did (36个重点项目建成投产);
- an amount or a rate names the phrase before it (茶园面积稳定在85万亩以上), else the one after it
  (发放2000万元文旅惠民券);
- 分别 aligns a list of subjects with a list of numbers item by item (城镇、农村居民人均消费支出分别增长
  4.5%、7.2%), an item that only modifies the last one taking that one's head;
- a rank names what it ranks (农产品加工业产值增速居全省第二), a comparison what it compares;
- a threshold (纳税超5000万元企业) names the measure it bounds (企业纳税额门槛).

What is measured of the phrase (增速, 占比, 数, 面积 …) is added by normalise.indicators.name from the
figure's kind of value. Every word list is data: rules/indicators.toml.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field
from functools import cached_property

import regex

from ..model import Sentence, Tagged
from ..normalise.chunks import (clean, counted, ends_with_verb, has_noun, lead_verbs, nominal, noun_phrase_after,
                                noun_phrase_before, predicate, rules, trim, verb, verb_run)
from ..normalise.indicators import canonical, name, stem, strip_scope
from ..normalise.places import leading_place

BASE_KINDS = ("actual", "target", "forecast")
STREAK_UNITS = ("年", "个月")
_DIGIT = regex.compile(r"[0-9]")


# ---------------------------------------------------------------------------------------------- the layout
@dataclass(frozen=True)
class Slot:
    """A figure's number in its sentence: where it is, its unit and qualifier."""
    start: int
    end: int
    unit: str
    qualifier: str


@dataclass
class Context:
    """What comes before a figure: the figures already read in its sentence (objects with start, end,
    indicator, kind, unit, clause_start), the sentence's topic (what its first figure measures) and the
    paragraph's last indicator."""
    priors: list = field(default_factory=list)
    topic: str = ""
    carried: str = ""


class Layout:
    """One sentence read once for its indicators: clause ends and the slots of its figures."""

    def __init__(self, sent: Sentence, slots: list[Slot], city: str | None = None, when=None):
        self.sent, self.text, self.slots, self.city, self.when = sent, sent.text, slots, city, when
        self.cuts = [m.start() for m in rules()["clause_end_rx"].finditer(self.text)]
        self._threshold: dict[int, bool] = {}
        self._words: dict[tuple[int, int], Tagged] = {}
        self._trimmed: dict[tuple, Tagged] = {}

    def clause(self, pos: int) -> tuple[int, int]:
        """[start, end) of the clause holding pos."""
        k = bisect_left(self.cuts, pos)
        return (self.cuts[k - 1] + 1 if k else 0), (self.cuts[k] if k < len(self.cuts) else len(self.text))

    def words(self, a: int, b: int) -> Tagged:
        """The words of text[a:b] without quote marks and footnote markers (〔5〕); a stretch is asked for
        again by later figures of the sentence (a quarter of the calls), so each is made once."""
        if (got := self._words.get((a, b))) is None:
            got = self._words[(a, b)] = clean(self.sent.tagged(a, max(a, b)))
        return got

    def trim(self, t: Tagged, growth: bool = False) -> Tagged:
        """normalise.chunks.trim of a stretch of this sentence, once per stretch (its words and tags)."""
        key = (t.pairs, growth)
        if (got := self._trimmed.get(key)) is None:
            got = self._trimmed[key] = trim(t, self.city, self.when, growth)
        return got

    def after(self, i: int) -> Tagged:
        """The words after slot i, to the next figure (a threshold is read through) or the clause end."""
        limit = self.clause(self.slots[i].start)[1]
        for j in range(i + 1, len(self.slots)):
            if self.slots[j].start >= limit:
                break
            if not self.threshold(j):
                limit = self.slots[j].start
                break
        return self.words(self.slots[i].end, limit)

    def own_start(self, i: int) -> int:
        """Where slot i's own stretch starts: its clause start, or past the figure before it in the clause
        (and past the noun that one counts, in a list) unless that one is a threshold; at the number when
        examples end with 等 right before it (某某材料、某某装备等24个续建项目)."""
        s = self.slots[i].start
        a = self.clause(s)[0]
        for j in range(i - 1, -1, -1):
            if self.slots[j].end <= a:
                break
            if not self.threshold(j):
                a = self._past_item(self.slots[j].end, s)
                break
        return s if self.text[a:s].rstrip().endswith("等") else a

    def _past_item(self, a: int, s: int) -> int:
        """Past a list item's noun (28条县道、|4条省道; 71%是林地、|12%是耕地; 6所学校建成投用、|新增…)."""
        r = rules()
        k = next((k for k in range(a, s) if self.text[k] in "、和及与"), -1)
        if k < 0:
            return a
        seg = self.words(a, k)
        np, tail = noun_phrase_after(seg.cut(r["share_after"].match(seg.text).end()))
        return k + 1 if np and (not tail.text.strip() or predicate(tail)) else a

    def threshold(self, i: int) -> bool:
        """Whether slot i bounds the noun right after it (营收过20亿元的商贸企业, 3亿元以上外资项目, 纳税超5000万元企业)."""
        if i not in self._threshold:
            self._threshold[i] = self._is_threshold(i)
        return self._threshold[i]

    def _is_threshold(self, i: int) -> bool:
        r, sl = rules(), self.slots[i]
        if sl.unit not in r["threshold"]["units"]:
            return False
        nxt = self.slots[i + 1].start if i + 1 < len(self.slots) else len(self.text)
        after = self.words(sl.end, min(nxt, self.clause(sl.start)[1]))
        m = r["after_skip"].match(after.text)
        rest = after.cut(m.end()) if m else after
        if not rest or not any(nominal(t) for _, t in rest.pairs[:2]):
            return False
        bound = self.text[sl.start:sl.end].endswith(("以上", "以下")) or bool(m and regex.search("以上|以下|的", m[0]))
        return bound or bool(r["threshold_cue"].search(self.text, 0, sl.start))

    @cached_property
    def opening(self) -> str:
        """The noun phrase the sentence opens with before its first figure (or streak): what a bare generic
        head (产值 alone) or a bare 增速 is about when no figure before it says."""
        first = self.slots[0].start if self.slots else len(self.text)
        if (k := self.text.find("连续", 0, first)) >= 0:
            first = k
        a = 0
        for c in self.cuts + [len(self.text)]:
            if a >= first:
                break
            t = self.trim(self.words(a, min(c, first)))
            np = noun_phrase_after(t)[0] if t and nominal(t.pairs[0][1]) else noun_phrase_before(t, False)
            if (digit := _DIGIT.search(np)) and (k := t.text.find(np)) >= 0:
                np = noun_phrase_before(self.trim(t.cut(0, k + digit.start())), False)  # 生产总值|突破2000亿元大关
            if np and np not in rules()["heads"]:
                return np
            a = c + 1
        return ""


# ---------------------------------------------------------------------------------------------- the indicator
def indicator(lay: Layout, i: int, kind: str, cmp, ctx: Context) -> str:
    """The indicator of slot i; cmp is the comparison match of its clause (figures.toml), if any."""
    r, text = rules(), lay.text
    sl = lay.slots[i]
    c0 = lay.clause(sl.start)[0]
    a = lay.own_start(i)
    base = [p for p in ctx.priors if p.kind in BASE_KINDS and p.unit not in STREAK_UNITS]
    previous = base[-1].indicator if base else ""
    if kind == "rank":
        return _rank(lay, i, base, ctx)
    if lay.threshold(i):
        return _threshold(lay, i)
    if (k := text.find("分别", c0, sl.start)) >= 0:
        if got := _distributed(lay, i, c0, k, kind, base):
            return got
        a = max(a, k + 2)
    if kind == "comparison":
        return _comparison(lay, i, cmp, previous, ctx)
    raw = lay.words(a, sl.start)
    if sl.unit == "倍" and lay.text[a:sl.start].lstrip().startswith(r["copulas"]) and (
            whole := previous or ctx.topic or lay.opening):  # 生产总值突破2000亿元，是十年前的2.1倍
        return stem(whole) if whole.endswith("增速") else whole
    if r["streak"].search(raw.text):
        subject = noun_phrase_before(lay.trim(raw.cut(0, len(raw) - 2))) or previous
        return canonical(subject) + "连续" + ("年数" if sl.unit == "年" else "月数") if subject else ""
    if sl.unit == "%" and (m := r["share_of"].search(raw.text)):
        part = noun_phrase_before(lay.trim(raw.cut(0, m.end("a")))) or stem(previous or ctx.topic)
        whole = r["strip_trailing"].sub("", r["strip_leading"].sub("", m["b"]))
        if part:
            return canonical(part + "占" + whole + "比重")
    growth, share, change = _percent(raw.text, sl.unit)
    if change:
        raw = raw.cut(0, len(raw) - len(change) + 2)
    own = lay.trim(raw, growth=sl.unit == "%")
    if sl.unit == "%":
        phrase = noun_phrase_before(own) if any(nominal(tag) for _, tag in own.pairs) else ""
        if not phrase:  # 71%是林地, 60%产品销往省外
            phrase, share = _share_after(lay, i, share)
        elif growth and previous and len(phrase) <= 3 and phrase not in r["heads"]:
            phrase = stem(previous) + phrase  # 自然增长2.1%、同口径增长6.3%: a way of counting the same growth
    else:
        phrase = _phrase(lay, i, own, base, ctx)
    if not phrase and sl.unit != "%" and previous.endswith("增速"):
        previous = stem(previous)  # 增长5%左右、突破3000亿元: the level of what grew
    placed = bool(leading_place(r["strip_leading"].sub("", raw.text), lay.city, lay.when))
    phrase = _complete(phrase, own, previous, ctx, lay, i, placed)
    if change:
        phrase, growth = phrase + change, False
    return name(phrase, sl.unit, growth, share, raw.text)


def _percent(before: str, unit: str) -> tuple[bool, bool, str]:
    """For a percentage: whether it is a growth rate, a share, or a change of a named kind (压缩 -> 压缩幅度)."""
    if unit != "%":
        return False, False, ""
    r = rules()
    if m := r["change_verb"].search(before):
        return False, False, m["verb"] + "幅度"
    return bool(r["growth"].search(before)), bool(r["share"].search(before)), ""


def _share_after(lay: Layout, i: int, share: bool) -> tuple[str, bool]:
    """A percentage stated before its noun: the noun (and what it does) is a share (60%产品销往省外)."""
    r = rules()
    after = lay.after(i)
    np, tail = noun_phrase_after(after.cut(r["share_after"].match(after.text).end()))
    if not np:
        return "", share
    pred = predicate(tail)
    return (pred + np if pred and len(pred) <= 4 else np), share or not np.endswith(r["heads"])


def _phrase(lay: Layout, i: int, own: Tagged, base: list, ctx: Context) -> str:
    """The measured phrase of an amount or a count from its own stretch (trimmed) and the words after it."""
    r = rules()
    np, tail = noun_phrase_after(lay.after(i))
    if np in r["after_generic"]:
        np = ""
    if np and ends_with_verb(own):  # 建成12个…服务中心, 启动实施32个试点村: the verbs and what they govern
        verbs = verb_run(own)
        if len(np) > r["short_noun"] and not verbs.endswith(tuple(r["measure_verbs"])):
            verbs = ""  # 要筛选40个重大项目实行清单管理: the noun, and what it does
        return verbs + counted(np, tail, with_predicate=not verbs)
    verbs, rest = lead_verbs(own)
    if verbs and not rest:  # 减税降费9.6亿元; 改扩建20所 after 新建公办幼儿园12所; 导致近3000人失业
        if not np and (pred := predicate(tail)):
            return pred
        alone = len(_outside_brackets(own)) == 1  # 改扩建, 新（改）建: one verb without its object
        return _verb_only(lay, i, verbs, base, ctx) if alone else verbs
    before = noun_phrase_before(own)
    if not verbs and not has_noun(Tagged([p for p in own.pairs if p[0] in before])) and has_noun(own) and len(own) <= 12:
        before = own.text  # a phrase the tags do not read as one (地 tagged as a particle)
    if before and has_noun(own):
        if np and lay.slots[i].unit in r["count_units"] and own.text.endswith(before):
            if "、" in before:  # 工业投资、民间投资、技改投资三项指标: members, then the noun
                return counted(np, tail, with_predicate=True)
            return before + np  # 文明宜昌12项行动
        if before in r["generic_heads"] and own.text != before:
            before = own.text  # 交通类项目累计完成投资: the subject, the verb and the generic head
        return strip_scope(("" if verbs else _inherited_verb(lay, i)) + before)
    if np:
        return _inherited_verb(lay, i) + counted(np, tail, with_predicate=True)
    if pred := predicate(lay.after(i)):
        return pred  # 近3000人失业
    return before or (own.text if len(own) <= 8 else "")  # a short stretch the tags read as no phrase at all


def _outside_brackets(t: Tagged) -> list[str]:
    """The words of a stretch outside brackets, 新 left out (新（改）建 -> 建)."""
    out, depth = [], 0
    for w, _ in t.pairs:
        depth += (w in "（(") - (w in "）)")
        if depth == 0 and w not in "）)" and w not in rules()["verb_prefix"]:
            out.append(w)
    return out


def _verb_only(lay: Layout, i: int, verbs: str, base: list, ctx: Context) -> str:
    """A verb alone takes the object of the figure before it in its clause (改扩建20所 after 新建公办幼儿园
    12所), else of the paragraph's last indicator with that verb (今年新建500个 after 新建停车泊位…),
    else the noun the clause before it ends with (加快建设“美丽乡村”公路，新建120公里)."""
    c0 = lay.clause(lay.slots[i].start)[0]
    for p in reversed(base):
        j = next((j for j, sl in enumerate(lay.slots[:i]) if sl.start == p.start), None)
        if j is None or p.clause_start != c0:
            continue
        pverbs, prest = lead_verbs(lay.trim(lay.words(lay.own_start(j), lay.slots[j].start)))
        obj = prest.text if has_noun(prest) else noun_phrase_after(lay.after(j))[0]
        if pverbs and obj:
            return verbs + obj
    if ctx.carried and ctx.carried.startswith(verbs):
        return stem(ctx.carried)
    p0 = lay.clause(c0 - 1)[0] if c0 > 0 else 0
    if c0 > 0 and not any(p0 <= sl.start < c0 for sl in lay.slots) and (
            obj := noun_phrase_before(lay.trim(lay.words(p0, c0 - 1)), False)):
        return verbs + obj
    return verbs


def _inherited_verb(lay: Layout, i: int) -> str:
    """The verb of a list's first item when this item has none (新增规上服务业企业52家、科技型中小企业120家)."""
    c0 = lay.clause(lay.slots[i].start)[0]
    first = i
    while first > 0 and lay.slots[first - 1].start >= c0 and lay.own_start(first) == lay.slots[first - 1].end \
            and lay.text[lay.slots[first - 1].end:lay.slots[first].start].lstrip().startswith("、"):
        first -= 1
    if first == i:
        return ""
    own = lay.trim(lay.words(lay.own_start(first), lay.slots[first].start))
    verbs, _ = lead_verbs(own)
    n = 0
    for w, _ in own.pairs:  # the first verb (新增, 新推出), not what follows it (纳税超)
        n += len(w)
        if w not in rules()["verb_prefix"]:
            break
    verbs = verbs[:n]
    return "" if verbs in rules()["task_verbs"] else verbs


def _complete(phrase: str, own: Tagged, previous: str, ctx: Context, lay: Layout, i: int,
              placed: bool = False) -> str:
    """A phrase that names no subject of its own takes one: a head alone (增速) the figure's before it, or
    a later comparison's reference, or the sentence's opening, or the paragraph's last indicator; a
    generic head after a verb (吸纳就业, 完成投资) the noun the figure before it in the clause counted, else
    what the sentence's first figure measures, and a bare generic head (产值) the sentence's opening too —
    unless a place opened the clause (商洛高新区实现产值); nothing at all the figure before it."""
    r = rules()
    if not phrase:
        return previous or ctx.topic or lay.opening or ctx.carried
    if phrase in r["heads"]:  # what the paragraph measured before is nearer than the sentence's opening words
        anchor = previous or ctx.topic or _later_reference(lay, i, phrase) or ctx.carried or lay.opening
        return (anchor if anchor.endswith(phrase) else stem(anchor) + phrase) if anchor else phrase
    head = next((g for g in r["generic_heads"] if phrase.endswith(g)), "")
    lead = phrase[:-len(head)] if head else ""
    if head and not placed and (not lead or any(w == lead and verb(t) for w, t in own.pairs)):
        subject = _counted_before(lay, i) or stem(ctx.topic) or ("" if lead else lay.opening)
        if subject and subject not in phrase:
            return subject + phrase
    return phrase


def _counted_before(lay: Layout, i: int) -> str:
    """The noun the figure before slot i in its clause counted (126个市级重点项目|完成投资380亿元)."""
    if i == 0 or lay.slots[i - 1].start < lay.clause(lay.slots[i].start)[0]:
        return ""
    return noun_phrase_after(lay.words(lay.slots[i - 1].end, lay.slots[i].start))[0]


def _later_reference(lay: Layout, i: int, head: str) -> str:
    """开发区增速12%，高出全市规上工业总产值增速4个百分点: like is compared with like."""
    r = rules()
    if (m := r["later_reference"].search(lay.text, lay.slots[i].end)) and head in m["ref"]:
        return strip_scope(r["reference_scope"].sub("", m["ref"]))
    return ""


# ---------------------------------------------------------------------------------------------- thresholds
def _threshold(lay: Layout, i: int) -> str:
    """A bound's indicator: the noun it bounds, the measure bounded and 门槛 (纳税超5000万元企业 -> 企业纳税额门槛)."""
    np, _ = noun_phrase_after(lay.after(i))
    measure, np = _measure(lay, i, np)
    return canonical(np + measure + rules()["threshold"]["suffix"])


def _measure(lay: Layout, i: int, np: str) -> tuple[str, str]:
    """What a threshold bounds: the measure written before it (纳税超, 计划总投资), or starting the noun after
    it (500万元以上投资企业), or the list's earlier threshold's, or an investment of projects and
    enterprises and an amount of anything else."""
    r = rules()
    th = r["threshold"]
    before = lay.words(lay.own_start(i), lay.slots[i].start).text
    before = r["strip_trailing"].sub("", r["threshold_cue"].sub("", before))
    measure = next((w for w in r["threshold_measures"] if before.endswith(w)), "")
    if not measure and (m := next((w for w in r["threshold_measures"] if np.startswith(w) and len(np) > len(w)), "")):
        measure, np = m, np[len(m):]
    if not measure:
        for j in range(i - 1, -1, -1):
            if lay.threshold(j):
                return _measure(lay, j, np)[0], np
        return (th["default_measure"] if np.endswith(tuple(th["investment_heads"])) else th["other_measure"]), np
    return (measure + "额" if measure.endswith(tuple(th["add_e"])) else measure), np


# ---------------------------------------------------------------------------------------------- 分别 lists
def _groups_after(lay: Layout, k: int, c1: int) -> list[list[int]]:
    """The slots after 分别 (at k) in its clause, grouped: a group is numbers joined only by 、和及."""
    groups: list[list[int]] = []
    last = None
    for j, sl in enumerate(lay.slots):
        if sl.start < k or sl.start >= c1:
            continue
        if last is not None and rules()["list_joiner"].fullmatch(lay.text, lay.slots[last].end, sl.start):
            groups[-1].append(j)
        else:
            groups.append([j])
        last = j
    return groups


def _distributed(lay: Layout, i: int, c0: int, k: int, kind: str, base: list) -> str:
    """Slot i under 分别: the item of the subject list at its place in its group of numbers; with no list
    before 分别, the figures the sentence named before it, in turn."""
    c1 = lay.clause(lay.slots[i].start)[1]
    group = next((g for g in _groups_after(lay, k, c1) if i in g), [i])
    if len(group) < 2:
        return ""
    idx = group.index(i)
    g0 = lay.slots[group[0]].start
    verb_text = lay.text[max(k, g0 - 8):g0]
    unit = lay.slots[i].unit
    growth, share, change = _percent(verb_text, unit)
    items = _items(lay, c0, k)
    if not items:  # 接待过夜游客850万人次，实现旅游综合消费96亿元，分别增长12%、15%
        pick = [p for p in base if p.clause_start != c0][-len(group):]
        if len(pick) != len(group):
            return ""
        return name(stem(pick[idx].indicator) if growth else pick[idx].indicator, unit, growth, share, verb_text)
    if len(items) == 1 and (parts := _contracted(items[0], len(group))):
        items = parts
    if idx >= len(items):
        return ""
    if kind == "comparison":
        return canonical(items[idx])
    return name(items[idx] + change, unit, growth and not change, share, verb_text)


def _items(lay: Layout, c0: int, k: int) -> list[str]:
    """The subjects before 分别 (城镇、农村居民人均消费支出), each completed from the last one, and the
    word all of them share (年均) kept on each."""
    r = rules()
    span = lay.words(c0, k)
    tail = next((w for w in r["shared_tail"] if span.text.endswith(w) and len(span) > len(w)), "")
    span = lay.trim(span.cut(0, len(span) - len(tail)))
    tail = tail if tail == r["kept_tail"] else ""
    pieces, start = [], 0
    for m in r["list_separator"].finditer(span.text):
        if m.start() > start:
            pieces.append(span.cut(start, m.start()))
        start = m.end()
    pieces.append(span.cut(start))
    pieces = [p for p in (lay.trim(p.cut(_lead_count(p))) for p in pieces) if p]
    if not pieces:
        return []
    last = pieces[-1]
    return [strip_scope(_complete_item(p, last)) + tail for p in pieces[:-1]] + [strip_scope(last.text) + tail]


def _lead_count(t: Tagged) -> int:
    """Where an item's own count (8条特色产业链) ends: the item is what follows it."""
    if t.pairs and t.pairs[0][1] == "m" and _DIGIT.match(t.text):
        n = len(t.pairs[0][0])
        return n + (len(t.pairs[1][0]) if len(t.pairs) > 1 and t.pairs[1][1] in ("q", "n") else 0)
    return 0


def _complete_item(item: Tagged, last: Tagged) -> str:
    """An item that only modifies the last one takes its head: 城镇 + 农村居民人均消费支出 -> 城镇居民人均消费
    支出; 新签约 + 新落地招商项目 -> 新签约招商项目; 三大支柱产业 + 特色产业链产值 -> 三大支柱产业产值."""
    r = rules()
    verbs, rest = lead_verbs(item)
    lverbs, lrest = lead_verbs(last)
    if lverbs in r["verb_prefix"] and lrest.pairs and lrest.pairs[0][1].startswith("v"):
        lverbs, lrest = lverbs + lrest.pairs[0][0], lrest.cut(len(lrest.pairs[0][0]))  # 新投产 (投产 a verbal noun)
    if (verbs and not rest) or (lverbs and lrest and len(item.pairs) == 1):
        return item.text + lrest.text
    if len(item.pairs) == 1 and len(last) > len(item) <= 2 and not item.text.endswith(r["measure_heads"]):
        return item.text + last.text[len(item):]  # 城镇 for 农村 of 农村居民人均消费支出
    text, run = last.text, ""
    while h := next((h for h in r["measure_heads"] if text.endswith(h) and len(text) > len(h)), ""):
        run, text = h + run, text[:-len(h)]
    if run and not item.text.endswith(r["measure_heads"]):
        return item.text + run
    return item.text


def _contracted(item: str, n: int) -> list[str]:
    """城乡居民人均存款余额 over two numbers: 城镇… and 农村… (lexicons/indicator_contractions.tsv)."""
    for word, parts in rules()["contractions"].items():
        if item.startswith(word) and len(parts) == n:
            return [p + item[len(word):] for p in parts]
    return []


# ---------------------------------------------------------------------------------------------- ranks, comparisons
def _rank(lay: Layout, i: int, base: list, ctx: Context) -> str:
    """What a rank ranks: a bounded group (全国前50名家具企业), a 分别 list's figures in turn, a streak's
    subject (连续4年位居全省首位), the phrase before its ranking verb (营商环境评价位列全省11个地市第3位),
    the figure it follows (增长5.1%、增速位居全省第二)."""
    r, text = rules(), lay.text
    sl = lay.slots[i]
    c0, c1 = lay.clause(sl.start)
    if sl.qualifier == "<=" and (np := noun_phrase_after(lay.after(i))[0]):
        return canonical(np) + "排名"
    if (k := text.find("分别", c0, sl.start)) >= 0:
        prior = [p for p in base if p.clause_start != c0]
        n = len(r["rank_word"].findall(text, k, c1))
        group = prior[-n:] if len(prior) >= n else prior
        idx = len([p for p in ctx.priors if p.clause_start == c0 and p.kind == "rank"])
        if idx < len(group):
            return group[idx].indicator
    if streaks := [p for p in ctx.priors if p.unit in STREAK_UNITS and p.clause_start == c0]:
        return stem(streaks[-1].indicator) or (base[-1].indicator if base else "")
    cue = r["rank_verb"].search(text, c0, sl.start)
    end = cue.start() if cue else sl.start
    start = max([c0] + [lay.slots[j].end for j in range(i) if c0 <= lay.slots[j].start and lay.slots[j].end <= end])
    own = lay.trim(lay.words(start, end))
    phrase = r["rank_field"].sub("", own.text)
    if phrase and phrase not in r["heads"] and has_noun(own) and not _DIGIT.search(phrase):
        return canonical(phrase)
    if phrase in r["heads"] and (together := _together(lay, c0, base)):
        return together + phrase
    previous = base[-1].indicator if base else ""
    if phrase in r["heads"]:
        return _complete(phrase, own, previous, ctx, lay, i)
    return previous or ctx.topic or ctx.carried


def _together(lay: Layout, c0: int, base: list) -> str:
    """均居全省第一 after a 分别 list: the indicators ranked together (出口总额和实际到位资金)."""
    if rules()["together"] not in lay.text[c0:c0 + 6]:
        return ""
    k = lay.text.rfind("分别", 0, c0)
    members = [p for p in base if p.start > k] if k >= 0 else []
    return "和".join(stem(p.indicator) for p in members) if len(members) > 1 else ""


def _comparison(lay: Layout, i: int, cmp, previous: str, ctx: Context) -> str:
    """What a comparison compares: what a 下拉/拉低 names after the verb (拉低全市工业增速1.8个百分点), its own
    subject when it names one (高技术制造业增加值占比提高了2.3个百分点), else the figure it follows."""
    r = rules()
    sl = lay.slots[i]
    c0 = lay.clause(sl.start)[0]
    if cmp is not None and cmp.group("dir3") in r["named_after_verb"] and cmp.group("ref3"):
        if ref := strip_scope(r["strip_leading"].sub("", cmp.group("ref3"))):
            return canonical(ref)
    a, end = max(c0, lay.own_start(i)), c0 + cmp.start() if cmp is not None else sl.start
    own = lay.trim(lay.words(a, end), growth=True)
    if lay.text[a:end].lstrip().startswith(r["copulas"]):
        own = Tagged()  # 是十年前的2.1倍: what follows 是 is the reference
    phrase = own.text
    if phrase and phrase not in r["heads"] and has_noun(own) and not _DIGIT.search(phrase):
        return canonical(phrase)
    if not previous and not ctx.topic and ctx.carried:
        return ctx.carried  # 本月差距缩小到1.5个百分点, after a sentence on what is compared
    return _complete(phrase if phrase in r["heads"] else "", own, previous, ctx, lay, i)
