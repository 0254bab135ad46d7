"""Enterprise and project mentions: a rule layer (rules/entities.toml) plus the shipped NER model.

Rules find names in enumerations closed by 等 + a head noun, by company and
facility suffixes, and in quotes after building verbs; the statistical model
(if shipped and enabled) adds names the rules do not know. Each mention
records which produced it. Canonical names drop place prefixes and generic
industry words so that 扬州安贝斯 and 安贝斯玩具 meet as 安贝斯 when linked.
"""
from __future__ import annotations

from functools import cache

import regex

from ..model import MentionRow
from ..normalise.places import counties_of, divisions
from ..resources import load_toml


@cache
def _rules() -> dict:
    raw = load_toml("rules/entities.toml")
    out = {k: regex.compile(v["pattern"]) for k, v in raw.items() if "pattern" in v}
    out["ent_heads"] = tuple(raw["list_enterprise_heads"]["words"])
    out["pro_heads"] = tuple(raw["list_project_heads"]["words"])
    return out


@cache
def _place_prefixes() -> tuple[str, ...]:
    """Province and city names (and their short forms) that may prefix a company name."""
    names = set()
    for d in divisions():
        if d.level in ("province", "city"):
            names.add(d.name)
            for suf in ("省", "市", "自治区", "特别行政区"):
                if d.name.endswith(suf) and len(d.name) - len(suf) >= 2:
                    names.add(d.name[: -len(suf)])
    return tuple(sorted(names, key=len, reverse=True))


def canonical_enterprise(name: str) -> str:
    r = _rules()
    core = name.replace("“", "").replace("”", "")
    for p in _place_prefixes():
        if core.startswith(p) and len(core) - len(p) >= 2:
            core = core[len(p):]
            break
    stripped = r["generic_tail"].sub("", core)
    if len(stripped) >= 2 and not stripped.endswith(("集团", "厂")):
        core = stripped
    return core


def _is_place(name: str) -> bool:
    return name in _place_prefixes() or any(name == c for c in counties_of("安康市"))


def _candidates(text: str) -> list[tuple[int, int, str, str]]:
    """(start, end, type, method) over one cleaned sentence."""
    r = _rules()
    out = []
    for m in r["list"].finditer(text):
        head = m["head"]
        typ = "enterprise" if head in r["ent_heads"] else "project"
        pos = m.start("items")
        for item in regex.split(r"(、|和|及)", m["items"]):
            if item in ("、", "和", "及"):
                pos += len(item)
                continue
            s, e = pos, pos + len(item)
            pos = e
            pm = r["strip_prefix_words"].match(item)
            if pm:
                s += pm.end()
            name = text[s:e]
            if len(name) < 2 or r["not_entity"].search(name) or _is_place(name):
                continue
            out.append((s, e, typ, "rule"))
            if typ == "project":
                core = canonical_enterprise(name)
                if core != name.replace("“", "").replace("”", "") and len(core) >= 2 and not _is_place(core):
                    out.append((s, s + len(core), "enterprise", "rule"))
    for key, typ in (("company_suffix", "enterprise"), ("project_suffix", "project"), ("quoted_project", "project")):
        for m in r[key].finditer(text):
            s, e = m.span("name")
            pm = r["strip_prefix_words"].match(text, s, e)
            if pm:
                s = pm.end()
            if e - s >= 3 and not r["not_entity"].search(text[s:e]):
                out.append((s, e, typ, "rule"))
    return out


def find_mentions(sentences, spans, ct, source: str, doc_id: str, settings) -> list[MentionRow]:
    seen = set()
    rows = []
    for sent, sp in zip(sentences, spans):
        cands = _candidates(sent.text)
        if settings.ner:
            from .ner import predict

            cands += predict(sent.text)
        for s, e, typ, method in cands:
            ss, se = ct.source_span(sp.start + s, sp.start + e)
            if (ss, se, typ) in seen:
                continue
            seen.add((ss, se, typ))
            surface = sent.text[s:e]
            name = canonical_enterprise(surface) if typ == "enterprise" else surface.replace("“", "").replace("”", "")
            rows.append(MentionRow(f"{doc_id}-m{ss:06d}-{se:06d}-{typ[0]}", doc_id, ss, se, source[ss:se], typ, "",
                                   method, name))
    return rows
