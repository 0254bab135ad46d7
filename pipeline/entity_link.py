"""Corpus stage: one canonical entity per real enterprise or project across documents.

Each mention arrives with a proposed canonical name (extract/entity_rules.py drops
place prefixes and one industry word: 扬州安贝斯, 安贝斯玩具 -> 安贝斯). Names of one
type are then clustered: equal names, and a name that extends a distinctive
shorter one by generic words only (博远科技 ~ 博远). A cluster is named by its
shortest distinctive member, and its entity_id hashes type and that name, so
ids are stable across runs. A project carries the enterprise it is named
after (中云科技智能终端 -> 中云科技) as owner_entity_id.
"""
from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict

from .extract.entity_rules import canonical_enterprise, canonical_project, covered, is_common, is_place
from .model import EntityRow, MentionRow


def entity_id(typ: str, name: str) -> str:
    return "E" + hashlib.sha1(f"{typ}|{name}".encode("utf-8")).hexdigest()[:10]


def _squeeze(s: str) -> str:
    return "".join(s.split())


def _extends(long_: str, short: str) -> bool:
    """long_ is short plus generic words (industry, company or facility words): the same enterprise."""
    if len(short) < 2 or len(long_) <= len(short) or not long_.startswith(short):
        return False
    if is_common(short) or is_place(short):
        return False
    return covered(long_[len(short):], ("industry", "keep", "company"))


class _Union:
    def __init__(self, items):
        self.up = {x: x for x in items}

    def find(self, x):
        while self.up[x] != x:
            self.up[x] = self.up[self.up[x]]
            x = self.up[x]
        return x

    def join(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = sorted((ra, rb), key=lambda s: (len(s), s))
            self.up[hi] = lo


def cluster_names(typ: str, names: list[str]) -> dict[str, str]:
    """name -> cluster name. Enterprises merge a name into a distinctive name it extends; projects only
    merge equal names (their canonical forms already dropped quotes and generic prefixes)."""
    names = sorted(set(names), key=lambda s: (len(s), s))
    uf = _Union(names)
    if typ == "enterprise":
        lex = sorted(names)  # the names that start with `short` sit right after it: no all-pairs scan
        for short in names:
            j = bisect.bisect_right(lex, short)
            while j < len(lex) and lex[j].startswith(short):
                if _extends(lex[j], short):
                    uf.join(short, lex[j])
                j += 1
    groups: dict[str, list[str]] = defaultdict(list)
    for n in names:
        groups[uf.find(n)].append(n)
    out = {}
    for members in groups.values():
        best = min(members, key=lambda s: (is_common(s), len(s), s)) if typ == "enterprise" else min(
            members, key=lambda s: (len(s), s))
        for n in members:
            out[n] = best
    return out


class _Owners:
    """Enterprise names and aliases indexed by the name, so that a project finds its owner by its own
    prefixes (and the few group/company names by containment) rather than by a scan of every enterprise."""

    def __init__(self, enterprises: dict[str, set[str]]):
        self.by_name: dict[str, str] = {}
        self.groups: list[tuple[str, str]] = []
        for eid in sorted(enterprises, reverse=True):  # equal names: the smallest id wins, as in a sorted scan
            for s in enterprises[eid]:
                if len(s) >= 2:
                    self.by_name[s] = eid
                    if s.endswith(("集团", "公司")):
                        self.groups.append((s, eid))

    def __call__(self, project: str) -> str | None:
        """The enterprise whose name or alias starts the project's name, or a group/company named inside it;
        the longest such name wins, then the smallest entity id."""
        found = [(len(s), eid) for s, eid in self.groups if len(s) < len(project) and s in project] \
            if "集团" in project or "公司" in project else []  # a group's name ends so: no scan without one
        found += [(k, self.by_name[project[:k]]) for k in range(2, len(project)) if project[:k] in self.by_name]
        if not found:
            return None
        longest = max(k for k, _ in found)
        return min(eid for k, eid in found if k == longest)


def ready() -> None:
    """Load what clustering names reads (the dictionary's word frequencies: a common word is not a distinctive
    name; the name rules and word lists), so that a run can do it while its workers compute."""
    is_common("的")
    is_place("")
    canonical_enterprise("示例科技")
    canonical_project("示例项目")
    covered("产业")


def link_entities(results) -> tuple[list[MentionRow], list[EntityRow]]:
    """Mentions with their entity_id, and one EntityRow per cluster (doc_count, first/last speech date)."""
    mentions = [m for r in results for m in r.mentions]
    dates = {r.document.doc_id: r.document.speech_date for r in results}

    def proposed(m: MentionRow) -> str:
        if m.name:
            return m.name
        return canonical_enterprise(m.mention) if m.type == "enterprise" else canonical_project(m.mention)

    by_type: dict[str, list[str]] = defaultdict(list)
    for m in mentions:
        by_type[m.type].append(proposed(m))
    canon = {typ: cluster_names(typ, names) for typ, names in by_type.items()}

    ents: dict[str, dict] = {}
    out = []
    for m in mentions:
        name = canon[m.type][proposed(m)]
        eid = entity_id(m.type, name)
        e = ents.setdefault(eid, {"type": m.type, "name": name, "aliases": set(), "docs": set()})
        e["aliases"].update({_squeeze(m.mention), proposed(m)} - {"", name})
        e["docs"].add(m.doc_id)
        out.append(MentionRow(m.mention_id, m.doc_id, m.start, m.end, m.mention, m.type, eid, m.method, m.name))

    owner_of = _Owners({eid: {e["name"], *e["aliases"]} for eid, e in ents.items() if e["type"] == "enterprise"})
    rows = []
    for eid, e in sorted(ents.items()):
        owner = owner_of(canonical_project(e["name"])) if e["type"] == "project" else None
        if owner is None and e["type"] == "project":
            owner = next((o for a in sorted(e["aliases"]) if (o := owner_of(canonical_project(a)))), None)
        seen = sorted(d for d in (dates.get(x) for x in e["docs"]) if d)
        rows.append(EntityRow(eid, e["type"], e["name"], sorted(e["aliases"]), owner, len(e["docs"]),
                              seen[0] if seen else None, seen[-1] if seen else None))
    out.sort(key=lambda m: (m.doc_id, m.start, m.end, m.type))
    return out, rows
