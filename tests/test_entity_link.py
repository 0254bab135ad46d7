"""Linking mentions into canonical entities across documents; one case per test id (invented names)."""
from datetime import date

import pytest

from pipeline.entity_link import entity_id, link_entities
from pipeline.extract.entities import canonical_enterprise, canonical_project
from pipeline.model import DocResult, DocumentRow, MentionRow

DATES = {"d1": date(2021, 3, 8), "d2": date(2021, 10, 29), "d3": date(2020, 5, 7)}


def _results(mentions: list[tuple[str, str, str]]) -> list[DocResult]:
    """mentions: (doc, surface, type); names proposed as extract/entities.py proposes them."""
    by_doc: dict[str, list[MentionRow]] = {d: [] for d in DATES}
    for i, (doc, surface, typ) in enumerate(mentions):
        name = canonical_enterprise(surface) if typ == "enterprise" else canonical_project(surface)
        by_doc[doc].append(MentionRow(f"{doc}-m{i}", doc, 10 * i, 10 * i + len(surface), surface, typ, "", "rule",
                                      name))
    out = []
    for doc, rows in by_doc.items():
        d = DocumentRow(doc, f"{doc}.txt", [f"{doc}.txt"], "txt", "", None, None, None, DATES[doc], "header", None, None,
                        None, None, 0, 0)
        out.append(DocResult(d, mentions=rows))
    return out


def _entities(mentions):
    _, ents = link_entities(_results(mentions))
    return ents


MERGES = [
    ("place-prefix-and-industry-tail", [("d1", "苏州嘉禾悦", "enterprise"), ("d2", "嘉禾悦毛绒玩具", "enterprise"),
                                        ("d3", "嘉禾悦", "enterprise")], "嘉禾悦"),
    ("keep-word-extension", [("d1", "博远科技", "enterprise"), ("d2", "博远", "enterprise")], "博远"),
    ("quoted-project", [("d1", "“秦巴无水港”", "project"), ("d2", "秦巴无水港", "project")], "秦巴无水港"),
    ("generic-words-before-quote", [("d1", "毛绒玩具“三大中心”", "project"), ("d2", "“三大中心”", "project")],
     "三大中心"),
]


@pytest.mark.parametrize("mentions,name", [c[1:] for c in MERGES], ids=[c[0] for c in MERGES])
def test_aliases_merge(mentions, name):
    ents = _entities(mentions)
    assert [e.name for e in ents] == [name]
    e = ents[0]
    assert e.entity_id == entity_id(e.type, name)
    docs = sorted({d for d, _, _ in mentions})
    assert e.doc_count == len(docs)
    assert e.first_seen == min(DATES[d] for d in docs) and e.last_seen == max(DATES[d] for d in docs)


APART = [
    ("two-groups", [("d1", "华泰物流集团", "enterprise"), ("d2", "华海港务集团", "enterprise")]),
    ("common-core", [("d1", "通用汽配", "enterprise"), ("d2", "通用电气", "enterprise")]),
    ("kept-place", [("d1", "杭州合力", "enterprise"), ("d2", "苏州合力", "enterprise")]),
    ("types-apart", [("d1", "宏鑫光电", "enterprise"), ("d1", "宏鑫光电", "project")]),
]


@pytest.mark.parametrize("mentions", [c[1] for c in APART], ids=[c[0] for c in APART])
def test_distinct_entities_stay_apart(mentions):
    assert len(_entities(mentions)) == len(mentions)


OWNERS = [
    ("project-after-brand", [("d1", "博远科技", "enterprise"), ("d1", "博远科技智能装备", "project")], "博远科技"),
    ("same-span-both-types", [("d1", "宏鑫光电", "enterprise"), ("d1", "宏鑫光电", "project")], "宏鑫"),
    ("group-inside-project", [("d2", "华泰集团", "enterprise"), ("d2", "华泰集团“秦巴物流港”多式联运项目", "project")],
     "华泰集团"),
    ("place-prefixed-alias", [("d1", "苏州嘉禾悦", "enterprise"), ("d2", "嘉禾悦宠物产业园", "project")], "嘉禾悦"),
    ("no-owner", [("d1", "宏鑫光电", "enterprise"), ("d1", "南湖康养小镇", "project")], None),
]


@pytest.mark.parametrize("mentions,owner", [c[1:] for c in OWNERS], ids=[c[0] for c in OWNERS])
def test_project_owner(mentions, owner):
    ents = {e.entity_id: e for e in _entities(mentions)}
    project = next(e for e in ents.values() if e.type == "project")
    assert (ents[project.owner_entity_id].name if project.owner_entity_id else None) == owner


def test_mentions_carry_their_entity_and_stable_order():
    results = _results([("d2", "嘉禾悦", "enterprise"), ("d1", "苏州嘉禾悦", "enterprise")])
    mentions, ents = link_entities(results)
    again, ents2 = link_entities(results)
    assert mentions == again and ents == ents2
    assert {m.entity_id for m in mentions} == {ents[0].entity_id}
    assert [m.doc_id for m in mentions] == ["d1", "d2"]
    assert ents[0].aliases == ["苏州嘉禾悦"]


def _owner_by_scan(project: str, enterprises: dict[str, set[str]]):
    """The definition, as a scan of every enterprise name: the longest name that starts the project (or a
    group/company name inside it) wins, then the smallest id."""
    best, best_len = None, 0
    for eid in sorted(enterprises):
        for s in enterprises[eid]:
            if len(s) < 2 or len(s) >= len(project) or len(s) <= best_len:
                continue
            if project.startswith(s) or (s.endswith(("集团", "公司")) and s in project):
                best, best_len = eid, len(s)
    return best


def test_indexed_owner_lookup_equals_the_scan():
    import random

    from pipeline.entity_link import _Owners

    rnd, chars = random.Random(3), "安康华集团公司科技"
    word = lambda lo, hi: "".join(rnd.choice(chars) for _ in range(rnd.randint(lo, hi)))
    for _ in range(2000):
        firms = {f"E{rnd.randint(0, 30):03d}": {word(1, 5) for _ in range(rnd.randint(1, 3))}
                 for _ in range(rnd.randint(1, 8))}
        owners = _Owners(firms)
        for _ in range(5):
            project = word(1, 8)
            assert owners(project) == _owner_by_scan(project, firms), (project, firms)


def test_clustering_merges_extensions_among_many_names():
    from pipeline.entity_link import cluster_names

    names = [f"博远{i}" for i in range(3000)] + ["安贝斯", "安贝斯玩具", "安贝斯科技"]
    out = cluster_names("enterprise", names)
    assert out["安贝斯玩具"] == out["安贝斯科技"] == "安贝斯" and out["博远7"] == "博远7"
