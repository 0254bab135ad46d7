"""Write the knowledge base deterministically and atomically.

Every table is derived from a model dataclass (columns, types, keys), so the
CSVs, kb.json and datapackage.json cannot disagree. The KB is written to a
sibling temporary folder, manifest.json last, then swapped in with two
renames; recover() at start-up finishes or undoes a swap a crash interrupted.
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import os
import shutil
import typing
from datetime import date
from decimal import Decimal
from pathlib import Path

from . import model as m

# name, row class, sort key, primary key, foreign keys (field, table, field)
TABLES = (
    ("documents", m.DocumentRow, lambda r: r.doc_id, ["doc_id"], []),
    ("sentences", m.SentenceRow, lambda r: (r.doc_id, r.start, r.end), ["sentence_id"],
     [("doc_id", "documents", "doc_id")]),
    ("figures", m.FigureRow, lambda r: (r.doc_id, r.start, r.end), ["figure_id"],
     [("doc_id", "documents", "doc_id"), ("sentence_id", "sentences", "sentence_id")]),
    ("targets", m.TargetRow, lambda r: (r.doc_id, r.start, r.end), ["target_id"],
     [("figure_id", "figures", "figure_id")]),
    ("deadlines", m.DeadlineRow, lambda r: (r.doc_id, r.start, r.end), ["deadline_id"],
     [("doc_id", "documents", "doc_id")]),
    ("mentions", m.MentionRow, lambda r: (r.doc_id, r.start, r.end, r.type), ["mention_id"],
     [("doc_id", "documents", "doc_id"), ("entity_id", "entities", "entity_id")]),
    ("entities", m.EntityRow, lambda r: r.entity_id, ["entity_id"], []),
    ("figure_history", m.HistoryRow, lambda r: (r.series_id, str(r.speech_date), r.doc_id, r.start), [],
     [("figure_id", "figures", "figure_id")]),
    ("targets_vs_actuals", m.TargetActualRow, lambda r: (r.target_id, r.actual_figure_id), [],
     [("target_id", "targets", "target_id"), ("actual_figure_id", "figures", "figure_id")]),
    ("errors", m.ErrorRow, lambda r: (r.source, r.stage), [], []),
)
_TYPES = {int: "integer", Decimal: "number", date: "date", str: "string", bool: "boolean"}


def cell(v) -> str:
    """One value as CSV text: Decimals exact and without exponent, lists as JSON."""
    if v is None:
        return ""
    if isinstance(v, Decimal):
        s = format(v.normalize(), "f")
        return "0" if s in ("-0", "0") else s
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def jsonable(v):
    if isinstance(v, Decimal):
        return json.loads(cell(v))
    if isinstance(v, date):
        return v.isoformat()
    return v


def _field_type(cls, name) -> tuple[str, str]:
    hint = typing.get_type_hints(cls)[name]
    args = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    base = typing.get_origin(args[0]) or args[0]
    if base is list:
        return "string", "json"
    return _TYPES.get(base, "string"), "default"


def table_schema(cls, pk, fks) -> dict:
    fields = []
    for f in dataclasses.fields(cls):
        t, fmt = _field_type(cls, f.name)
        d = {"name": f.name, "type": t}
        if fmt == "json":
            d["description"] = "JSON list"
        fields.append(d)
    schema = {"fields": fields, "missingValues": [""]}
    if pk:
        schema["primaryKey"] = pk
    if fks:
        schema["foreignKeys"] = [{"fields": a, "reference": {"resource": t, "fields": b}} for a, t, b in fks]
    return schema


def csv_text(cls, rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    names = [f.name for f in dataclasses.fields(cls)]
    w.writerow(names)
    for r in rows:
        w.writerow([cell(getattr(r, n)) for n in names])
    return buf.getvalue()


def _kb_json(tables: dict[str, list]) -> str:
    def rec(r):
        return {k: jsonable(v) for k, v in dataclasses.asdict(r).items()}

    docs = []
    for d in tables["documents"]:
        entry = rec(d)
        for name in ("sentences", "figures", "targets", "deadlines", "mentions"):
            entry[name] = [rec(r) for r in tables[name] if r.doc_id == d.doc_id]
        docs.append(entry)
    series: dict[str, dict] = {}
    for h in tables["figure_history"]:
        s = series.setdefault(h.series_id, {"series_id": h.series_id, "indicator": h.indicator, "scope": h.scope,
                                            "period": h.period, "kind": h.kind, "unit": h.unit, "statements": []})
        s["statements"].append(rec(h))
    kb = {"documents": docs, "entities": [rec(e) for e in tables["entities"]], "series": list(series.values()),
          "targets_vs_actuals": [rec(t) for t in tables["targets_vs_actuals"]],
          "errors": [rec(e) for e in tables["errors"]]}
    return json.dumps(kb, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


def render(tables: dict[str, list]) -> dict[str, bytes]:
    """File name -> bytes of the whole KB (manifest excluded)."""
    files: dict[str, bytes] = {}
    resources = []
    for name, cls, key, pk, fks in TABLES:
        rows = sorted(tables.get(name, []), key=key)
        tables[name] = rows
        files[f"{name}.csv"] = csv_text(cls, rows).encode("utf-8")
        resources.append({"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource",
                          "format": "csv", "encoding": "utf-8", "schema": table_schema(cls, pk, fks)})
    files["kb.json"] = _kb_json(tables).encode("utf-8")
    pkg = {"profile": "tabular-data-package", "name": "bulletin-kb",
           "title": "Knowledge base mined from government bulletins", "resources": resources}
    files["datapackage.json"] = (json.dumps(pkg, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    from .xlsx import workbook_bytes

    files["kb.xlsx"] = workbook_bytes(tables, TABLES)
    return files


def _paths(out: Path) -> tuple[Path, Path]:
    return out.with_name(f".{out.name}.new"), out.with_name(f".{out.name}.old")


def recover(out: Path) -> None:
    """Finish or undo a swap that a crash interrupted: the complete KB wins."""
    new, old = _paths(out)
    if not out.exists() and old.exists():
        old.rename(out)
    if old.exists():
        shutil.rmtree(old)
    if new.exists():
        shutil.rmtree(new)


def write_kb(out: Path, files: dict[str, bytes], extra: dict[str, bytes] | None = None) -> None:
    """Write files into a temporary folder (manifest last) and swap it in place of out."""
    out = Path(out)
    recover(out)
    new, old = _paths(out)
    new.mkdir(parents=True)
    allfiles = dict(files)
    allfiles.update(extra or {})
    for name in sorted(allfiles):
        p = new / name
        p.parent.mkdir(parents=True, exist_ok=True)
        with open(p, "wb") as f:
            f.write(allfiles[name])
            f.flush()
            os.fsync(f.fileno())
    manifest = {"files": {n: hashlib.sha256(b).hexdigest() for n, b in sorted(allfiles.items())},
                "generator": "bulletin-pipeline"}
    with open(new / "manifest.json", "w", encoding="utf-8") as f:
        f.write(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
        f.flush()
        os.fsync(f.fileno())
    if out.exists():
        out.rename(old)
    new.rename(out)
    if old.exists():
        shutil.rmtree(old)
