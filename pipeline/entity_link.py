"""Corpus stage: one canonical entity per real enterprise or project across documents.

Mentions carry a proposed canonical name (place prefix and generic industry
words dropped); names are merged when equal or when one extends another
(安贝斯玩具 -> 安贝斯), and a project names its enterprise when its name starts
with one (中云科技智能终端 -> 中云科技).
"""
from __future__ import annotations

import hashlib
from collections import defaultdict

from .model import EntityRow, MentionRow


def _hid(prefix: str, *parts) -> str:
    return prefix + hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:10]


def link_entities(results) -> tuple[list[MentionRow], list[EntityRow]]:
    """Merge mention names into entities: equal names, or a name that extends another (安贝斯玩具 -> 安贝斯)."""
    mentions = [m for r in results for m in r.mentions]
    dates = {r.document.doc_id: r.document.speech_date for r in results}
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    for m in mentions:
        names[(m.type, m.name or m.mention)].add(m.mention)
    canon: dict[tuple[str, str], str] = {}
    by_type: dict[str, list[str]] = defaultdict(list)
    for typ, name in sorted(names):
        by_type[typ].append(name)
    for typ, lst in by_type.items():
        lst.sort(key=lambda s: (len(s), s))
        for name in lst:
            root = next((c for c in lst if len(c) < len(name) and len(c) >= 2 and name.startswith(c)
                         and canon.get((typ, c)) == c), name)
            canon[(typ, name)] = root
    ents: dict[str, dict] = {}
    out_mentions = []
    for m in mentions:
        name = canon[(m.type, m.name or m.mention)]
        eid = _hid("E", m.type, name)
        e = ents.setdefault(eid, {"type": m.type, "name": name, "aliases": set(), "docs": set()})
        e["aliases"].update({m.mention.replace(" ", "").replace("\n", ""), m.name or ""} - {"", name})
        e["docs"].add(m.doc_id)
        out_mentions.append(MentionRow(m.mention_id, m.doc_id, m.start, m.end, m.mention, m.type, eid, m.method,
                                       m.name))
    enterprise_names = sorted(((e["name"], eid) for eid, e in ents.items() if e["type"] == "enterprise"),
                              key=lambda x: -len(x[0]))
    rows = []
    for eid, e in sorted(ents.items()):
        owner = None
        if e["type"] == "project":
            owner = next((oid for n, oid in enterprise_names if len(n) >= 2 and e["name"].startswith(n)), None)
        seen = sorted(d for d in (dates.get(x) for x in e["docs"]) if d)
        rows.append(EntityRow(eid, e["type"], e["name"], sorted(e["aliases"]), owner, len(e["docs"]),
                              seen[0] if seen else None, seen[-1] if seen else None))
    return out_mentions, rows
