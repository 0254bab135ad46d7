"""Enterprise and project rules, names and the rules+model combination; one case per test id.

The examples and counterexamples of rules/entities.toml run in tests/test_rules.py. Sentences are
invented in the style of the bulletins (no names from the corpus).
"""
import pytest

from pipeline.extract import entities
from pipeline.extract import entity_finders as F
from pipeline.extract import entity_rules as E
from pipeline.segment import sentence_of

CANONICAL_ENTERPRISE = [
    ("place-prefix", "苏州嘉禾悦", "嘉禾悦"),
    ("province-prefix", "浙江瑞丰泰", "瑞丰泰"),
    ("industry-tail", "嘉禾悦毛绒玩具", "嘉禾悦"),
    ("product-tail", "宏邦锻造", "宏邦"),
    ("keep-company-word", "博远科技", "博远科技"),
    ("keep-factory", "岚河酒厂", "岚河酒厂"),
    ("keep-group", "华泰物流集团", "华泰物流集团"),
    ("common-core-keeps-prefix", "杭州合力", "杭州合力"),
    ("common-core-keeps-tail", "通用汽配", "通用汽配"),
    ("legal-form", "陕西瑞丰泰科技有限公司", "瑞丰泰科技"),
    ("quotes-and-spaces", "“宏 鑫”", "宏鑫"),
    ("one-tail-only", "凯达装备建筑", "凯达装备"),
    ("county-named-brand", "永泰碳基肥", "永泰"),
]


@pytest.mark.parametrize("surface,expected", [c[1:] for c in CANONICAL_ENTERPRISE],
                         ids=[c[0] for c in CANONICAL_ENTERPRISE])
def test_canonical_enterprise(surface, expected):
    assert E.canonical_enterprise(surface) == expected


CANONICAL_PROJECT = [
    ("quoted-behind-generic-words", "毛绒玩具文创产业“三大中心”", "三大中心"),
    ("quoted-alone", "“秦巴无水港”", "秦巴无水港"),
    ("pdf-space", "PP 棉生产基地", "PP棉生产基地"),
    ("quoted-inside-name", "宏达集团“秦巴无水港”多式联运项目", "宏达集团秦巴无水港多式联运项目"),
    ("plain", "南湖康养小镇", "南湖康养小镇"),
]


@pytest.mark.parametrize("surface,expected", [c[1:] for c in CANONICAL_PROJECT],
                         ids=[c[0] for c in CANONICAL_PROJECT])
def test_canonical_project(surface, expected):
    assert E.canonical_project(surface) == expected


BRANDS = [
    ("brand-industry", "宏鑫光电", "宏鑫"),
    ("brand-keep-word", "博远科技智能装备", "博远科技"),
    ("brand-before-place", "嘉禾悦秦巴宠物文创产业集群项目", "嘉禾悦"),
    ("common-brand-extended", "通用汽配制造", "通用汽配"),
    ("region-is-no-brand", "西北电子信息基地", None),
    ("industry-is-no-brand", "锂电新能源", None),
    ("place-is-no-brand", "紫阳水电站", None),
    ("latin-is-no-brand", "PP棉生产基地", None),
    ("place-prefix-kept", "苏州嘉禾悦宠物产业园", "苏州嘉禾悦"),
    ("no-industry-word", "南环线", None),
]


@pytest.mark.parametrize("item,brand", [c[1:] for c in BRANDS], ids=[c[0] for c in BRANDS])
def test_brand_of(item, brand):
    span = E.brand_of(item)
    assert (item[span[0]:span[1]] if span else None) == brand


WEAKNESS = [
    ("cue-build", "要加快紫阳水电站建设", "紫阳水电站", False),
    ("cue-cultivate", "积极培育茶旅小镇", "茶旅小镇", False),
    ("no-cue", "我市岚河码头和铁路毗邻湖北", "岚河码头", True),
]


@pytest.mark.parametrize("text,surface,weak", [c[1:] for c in WEAKNESS], ids=[c[0] for c in WEAKNESS])
def test_facility_without_building_verb_is_weak(text, surface, weak):
    got = {text[c.start:c.end]: c.weak for c in F.rule_candidates(sentence_of(text), only="facility_suffix")}
    assert got[surface] is weak


TEXT = "我市有2条国道、岚河码头和铁路毗邻湖北，宏鑫光电获批省级示范企业"
_WEAK = E.Candidate(8, 12, "project", "rule", "facility_suffix", weak=True)
_STRONG = E.Candidate(20, 24, "enterprise", "rule", "list_close")
COMBINE = [
    ("rules-drop-weak", "rules", [_WEAK, _STRONG], [], [(20, 24, "enterprise", "rule")]),
    ("model-only", "model", [_WEAK, _STRONG], [(20, 24, "enterprise", 0.9), (20, 22, "enterprise", 0.6)],
     [(20, 24, "enterprise", "ner")]),
    ("both-confirms-weak", "both", [_WEAK, _STRONG], [(8, 12, "project", 0.9)],
     [(8, 12, "project", "rule"), (20, 24, "enterprise", "rule")]),
    ("both-weak-unconfirmed", "both", [_WEAK, _STRONG], [(8, 12, "project", 0.1)], [(20, 24, "enterprise", "rule")]),
    ("both-model-adds", "both", [_STRONG], [(8, 12, "project", 0.95)],
     [(20, 24, "enterprise", "rule"), (8, 12, "project", "ner")]),
    ("both-rule-wins-overlap", "both", [_STRONG], [(20, 22, "enterprise", 0.99)], [(20, 24, "enterprise", "rule")]),
    ("both-no-model-enterprise-in-rule-project", "both", [_WEAK.__class__(8, 12, "project", "rule", "list_close")],
     [(8, 12, "enterprise", 0.99)], [(8, 12, "project", "rule")]),
    ("both-filters-model-place", "both", [], [(17, 19, "enterprise", 0.99)], []),
]


@pytest.mark.parametrize("mode,rules,spans,expected", [c[1:] for c in COMBINE], ids=[c[0] for c in COMBINE])
def test_combine(mode, rules, spans, expected):
    got = entities.combine(TEXT, rules, spans, mode)
    assert sorted((c.start, c.end, c.type, c.method) for c in got) == sorted(expected)


BULLETIN = ("第九期\n\n示例市人民政府办公室 2022 年 3 月 1 日\n\n（2022 年 2 月 28 日）\n\n"
            "一、抓好重点企业\n\n突出抓好岚河酒厂、恒远建材、金穗食品等重点企业满负荷\n\n生产。"
            "加快推进宏鑫光电、天泽医药等一批工业项目建设，引进了华泰物流集团，共建“秦巴无水港”。\n")


def _doc(settings):
    from pipeline.model import SourceDoc
    from pipeline.runner import DOC_STAGES, run_stages

    store = {"source": SourceDoc(BULLETIN, "txt", "utf-8", ["demo.txt"]), "settings": settings}
    return run_stages(store, tuple(s for s in DOC_STAGES if s.name in ("clean", "metadata", "segment")))["document"]


@pytest.mark.parametrize("ner", [False, True], ids=["rules", "rules+model"])
def test_find_mentions_offsets_and_determinism(ner):
    from pipeline.config import Settings
    from pipeline.extract.entity_model import shipped_predictor
    from pipeline.stages import mention_rows

    doc = _doc(Settings(ner=ner))
    predict = shipped_predictor() if ner else None
    run = lambda: mention_rows(doc, entities.extract_mentions(doc.sentences, predict))
    first, second = run(), run()
    assert first == second
    for m in first:
        assert BULLETIN[m.start:m.end] == m.mention
    names = {(m.name, m.type) for m in first}
    for want in [("岚河酒厂", "enterprise"), ("恒远", "enterprise"), ("金穗", "enterprise"),
                 ("宏鑫光电", "project"), ("华泰物流集团", "enterprise"), ("秦巴无水港", "project")]:
        assert want in names
    # the company read out of a project's name is a weak guess: the model confirms it, rules alone leave it out
    assert (("宏鑫", "enterprise") in names) is ner


HEADS = [
    ("road", "锦江大道", ("大道", "transport")),
    ("reservoir", "石门水库", ("水库", "water_energy")),
    ("venue", "市科技馆", ("科技馆", "building")),
    ("phase", "瑞丰科技一期", ("一期", "phase")),
    ("activity-after-a-head", "锦江大道快速化改造", ("快速化改造", "transport")),
    ("activity-alone", "城区快速化改造", None),
    ("one-character-head", "科技馆", ("馆", "building")),
    ("head-alone", "大道", None),
    ("list-head-ends-no-name", "城市主干道", None),
]


@pytest.mark.parametrize("name,expected", [c[1:] for c in HEADS], ids=[c[0] for c in HEADS])
def test_head_of(name, expected):
    assert E.head_of(name) == expected


PROJECT_BRANDS = [
    ("plant-named-after-company", "宏图药业智慧车间", "宏图"),
    ("river-names-a-plant", "南溪河水电站", None),
    ("park-front-is-no-company", "青岭智创轻工纺织产业园", None),
    ("company-word-before-park", "华泰物流集团物流园", "华泰物流集团"),
]


@pytest.mark.parametrize("name,brand", [c[1:] for c in PROJECT_BRANDS], ids=[c[0] for c in PROJECT_BRANDS])
def test_project_brand(name, brand):
    span = E.project_brand(name)
    assert (name[span[0]:span[1]] if span else None) == brand


COMPANY_SHAPED = [
    ("brand-and-product", "瑞丰食品", True),
    ("four-character-brand", "宏图视界", True),
    ("county-and-place", "青川白石", False),
    ("headed-works", "锦江大道", False),
    ("verb-first", "抓好宏图", False),
    ("short-bare-word", "青岭", False),
]


@pytest.mark.parametrize("name,shaped", [c[1:] for c in COMPANY_SHAPED], ids=[c[0] for c in COMPANY_SHAPED])
def test_company_shaped(name, shaped):
    assert F.company_shaped(name) is shaped


NOT_WORKS = [
    ("positioning-goal", "打造华东地区新材料基地", "华东地区新材料基地"),
    ("kind-after-quantifier", "布局建设一批研学基地、康养小镇", "康养小镇"),
    ("slogan", "加快建设诚信之城", "诚信之城"),
    ("count-after", "建成“邻里驿站”150个", "邻里驿站"),
    ("grade", "推动建设二级医院", "二级医院"),
]


@pytest.mark.parametrize("text,name", [c[1:] for c in NOT_WORKS], ids=[c[0] for c in NOT_WORKS])
def test_goals_slogans_and_kinds_are_no_projects(text, name):
    got = {text[c.start:c.end] for c in F.rule_candidates(sentence_of(text)) if c.type == "project"}
    assert name not in got


def test_bare_drops_exactly_whitespace_and_name_quotes():
    """_bare (translate + split) is the character filter it replaced, on random text with odd spaces."""
    import random

    from pipeline.extract.entity_rules import _bare, quotes

    q = quotes()
    rng = random.Random(3)
    pool = [chr(i) for i in range(0x2000, 0x3100)] + list(q) * 30 + [" ", "\u3000", "\xa0", "\x85", "\x1c"] * 40
    for _ in range(3000):
        s = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        assert _bare(s) == "".join(c for c in s if not c.isspace() and c not in q), repr(s)


def _dev_lines() -> list[str]:
    """Every line of the bulletins and the work reports, and pieces of them (as the rules see clauses)."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    files = sorted((root / "corpus").glob("*.txt")) + sorted((root.parent / "shared" / "gold_reports").rglob("*.txt"))
    lines = [l for p in files for l in p.read_text(encoding="utf-8").splitlines() if l.strip()]
    return lines + [l[i:i + 12] for l in lines[::3] for i in range(0, len(l), 7)]


def test_a_finder_matches_only_where_one_of_its_needed_strings_is():
    """The needs prefilter is exact: on every line of the bulletins and the work reports, on pieces of them,
    and on every rule's own examples, wherever a finder's pattern matches, the text holds one of the strings
    the finder needs. Each of those finders has matches here (the check is not empty)."""
    lines = _dev_lines()
    needy = {n: r for n, r in E.rules().items() if r.get("kind") and "needs" in r}
    assert {"named_works", "named_project", "list_close"} <= set(needy)
    for name, r in needy.items():
        cases = lines + [str(x).split(" -> ")[0] for x in r.get("examples", []) + r.get("counterexamples", [])]
        hits = [t for t in cases if r["rx"].search(t)]
        assert hits, name
        for t in hits:
            assert any(n in t for n in r["needs"]), (name, t)
            assert r["needs_rx"].search(t), (name, t)
        for t in cases:  # the compiled test is the list's
            assert (r["needs_rx"].search(t) is not None) == any(n in t for n in r["needs"]), (name, t)


def test_rules_compiled_by_re_match_as_regex_does():
    """compile_pattern hands the patterns re can read to re: on every line of the development texts and on
    pieces of them, each such rule finds the same matches, spans and groups as the regex module."""
    import re

    import regex

    lines = _dev_lines()
    to_re = {n: r["rx"] for n, r in E.rules().items() if isinstance(r["rx"], re.Pattern)}
    assert {"facility_suffix", "company_suffix"} <= set(to_re)
    assert isinstance(E.rules()["named_works"]["rx"], regex.Pattern), "\\p{Han} is the regex module's"
    for name, rx in to_re.items():
        slow = regex.compile(rx.pattern)
        for t in lines:
            assert [(m.span(), m.groups()) for m in rx.finditer(t)] == \
                   [(m.span(), m.groups()) for m in slow.finditer(t)], (name, t)
            assert bool(rx.fullmatch(t)) == bool(slow.fullmatch(t)), (name, t)


def test_the_gazetteer_finds_what_the_sentence_by_sentence_loop_finds():
    """_gazetteer looks each name up once in the joined document; the candidates are those of looking every
    name up in every sentence in turn (the loop it replaced), on random sentences and names."""
    import random

    from pipeline.extract import entities as ent
    from pipeline.extract.entity_rules import Candidate

    def plain(texts, found, names):
        ordered = sorted(names, key=lambda x: (-len(x), x))
        out = []
        for text, cands in zip(texts, found):
            add = []
            for n in ordered:
                i = text.find(n)
                while i >= 0:
                    c = Candidate(i, i + len(n), "enterprise", "gazetteer", "gazetteer")
                    i = text.find(n, i + len(n))
                    if not any(ent._overlaps(c, k) for k in cands + add):
                        add.append(c)
            out.append(cands + add)
        return out

    rng = random.Random(4)
    alphabet = "汇美思安贝斯科技集团\n"
    for _ in range(300):
        texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(rng.randint(1, 6))]
        names = {"".join(rng.choice(alphabet[:-1]) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(0, 5))}
        found = [[] for _ in texts]
        # the names as the rules' strong enterprise candidates of the first sentence that holds them
        for n in names:
            k = next((k for k, t in enumerate(texts) if n in t), None)
            if k is not None:
                i = texts[k].find(n)
                found[k].append(Candidate(i, i + len(n), "enterprise", "rule", "company_suffix"))
        monkey = dict(canonical_enterprise=lambda s: s, is_common=lambda s: False, is_place=lambda s: False,
                      is_generic=lambda s: False)
        saved = {k: getattr(ent, k) for k in monkey}
        try:
            for k, v in monkey.items():
                setattr(ent, k, v)
            got = ent._gazetteer(texts, [list(f) for f in found])
        finally:
            for k, v in saved.items():
                setattr(ent, k, v)
        assert got == plain(texts, [list(f) for f in found], {t[c.start:c.end] for t, f in zip(texts, found) for c in f})
