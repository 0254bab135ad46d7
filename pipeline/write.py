"""Write the knowledge base deterministically and atomically.

Every table is derived from a model dataclass (columns, types, keys), so the
CSVs, kb.json and datapackage.json cannot disagree. The KB is written to a
sibling temporary folder, manifest.json last, every file and folder fsynced,
then swapped in: one atomic RENAME_EXCHANGE on Linux, else two renames that
recover() (run before every write) completes or undoes after a crash.
"""
from __future__ import annotations

import dataclasses
import functools
import itertools
import json
import math
import operator
import typing

from . import model as m
from .cells import cell, field_type, jsonable
from .link import targets_of
from .xlsx import workbook_bytes

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
def table_schema(cls, pk, fks) -> dict:
    fields = []
    for f in dataclasses.fields(cls):
        t, fmt = field_type(cls, f.name)
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


_QUOTE = frozenset(',"\r\n')


def _csv_field(s: str) -> str:
    """RFC 4180 quoting. csv.writer with lineterminator "\n" leaves a lone "\r" unquoted, and every CSV
    reader then ends the row there (a mention across a CR line break of the source cut figures.csv)."""
    return '"' + s.replace('"', '""') + '"' if not _QUOTE.isdisjoint(s) else s


@functools.cache
def _names(cls) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


def csv_text(cls, rows) -> str:
    return _csv_header(cls) + _csv_rows(cls, rows)


def _csv_header(cls) -> str:
    return ",".join(map(_csv_field, _names(cls))) + "\n"


def _csv_rows(cls, rows) -> str:
    """The rows' CSV lines. Most rows need no quoting at all: a row's cells joined are taken as they are
    when the line holds exactly the separating commas and no quote or line break (one scan of the line in
    C, instead of a quoting test per cell); any other row is quoted cell by cell (_csv_field). The same
    bytes either way (a test compares)."""
    get, n = _getter(cls), len(_names(cls)) - 1
    lines = []
    for r in rows:
        cells = [v if type(v) is str else cell(v) for v in get(r)]
        line = ",".join(cells)
        if line.count(",") != n or '"' in line or "\n" in line or "\r" in line:
            line = ",".join(map(_csv_field, cells))
        lines.append(line)
    return "\n".join(lines) + "\n" if lines else ""


def _csv_rows_plain(cls, rows) -> str:
    """_csv_rows without its shortcut: every cell through _csv_field (what the tests compare with)."""
    get = _getter(cls)
    return "".join([",".join([_csv_field(cell(v)) for v in get(r)]) + "\n" for r in rows])


def _rec(r) -> dict:
    return {n: jsonable(getattr(r, n)) for n in _names(type(r))}


@functools.cache
def _getter(cls) -> typing.Callable:
    """row -> the tuple of its field values, in one call."""
    names = _names(cls)
    return operator.attrgetter(*names) if len(names) > 1 else (lambda r: (getattr(r, names[0]),))


@functools.cache
def _record_layout(cls, level: int) -> tuple:
    """A row class's getter and its record's text with a %s for each value: the keys as _direct writes them
    at level ("\n" + indent + '"key": '), made once per class."""
    pad = "\n" + " " * (level + 1)
    keys = [pad + _STR(n).replace("%", "%%") + ": %s" for n in _names(cls)]
    return _getter(cls), "{" + ",".join(keys) + "\n" + " " * level + "}" if keys else "{}"


def _record(r, level: int) -> str:
    """_dumps(_rec(r), level) for a row dataclass, its values put into the class's text (_record_layout):
    kb.json holds a record per sentence, figure and mention of the corpus."""
    get, text = _record_layout(type(r), level)
    out = []
    for v in get(r):
        t = type(v)
        if t is str:  # most values, written before jsonable and _scalar are asked
            x = _STR(v)
        elif v is None:
            x = "null"
        elif t is int:
            x = int.__repr__(v)
        else:
            v = jsonable(v)
            x = _scalar(v)
            if x is None and (x := _direct(v, level + 1)) is None:
                return _dumps(_rec(r), level)
        out.append(x)
    return text % tuple(out)


_STR = json.encoder.encode_basestring  # json's own string encoder (C), as ensure_ascii=False uses it


def _scalar(v) -> str | None:
    """A scalar as json.dumps writes it; None for anything else."""
    if isinstance(v, str):
        return _STR(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if type(v) is int:
        return int.__repr__(v)
    if type(v) is float and math.isfinite(v):
        return float.__repr__(v)
    return None


def _dumps(obj, indent: int) -> str:
    """json.dumps(obj, indent=1) as it reads on a line indented by `indent` (a JSON string never holds a raw
    newline, so re-indenting line by line is exact). Dicts with string keys, lists and scalars, all of
    kb.json, are written directly (_direct): json's indenting encoder is pure Python, and was the bulk of
    writing the KB. Anything else (a tuple, a NaN, a Decimal) goes to json itself."""
    text = _direct(obj, indent)
    if text is not None:
        return text
    text = _ENCODER.encode(obj)
    return text.replace("\n", "\n" + " " * indent) if indent and "\n" in text else text


def _direct(obj, level: int) -> str | None:
    """The text of _dumps(obj, level), or None when obj holds something other than str-keyed dicts, lists
    and the scalars _scalar writes."""
    t = type(obj)
    if t is dict:
        if not obj:
            return "{}"
        pad, out = "\n" + " " * (level + 1), []
        for k, v in obj.items():
            if type(k) is not str:
                return None
            x = _scalar(v)
            if x is None and (x := _direct(v, level + 1)) is None:
                return None
            out.append(pad + _STR(k) + ": " + x)
        return "{" + ",".join(out) + "\n" + " " * level + "}"
    if t is list:
        if not obj:
            return "[]"
        pad, out = "\n" + " " * (level + 1), []
        for v in obj:
            x = _scalar(v)
            if x is None and (x := _direct(v, level + 1)) is None:
                return None
            out.append(pad + x)
        return "[" + ",".join(out) + "\n" + " " * level + "]"
    return _scalar(obj)


_ENCODER = json.JSONEncoder(ensure_ascii=False, indent=1)


def _json_chunks(obj: dict, indent: int, lazy: dict[str, typing.Iterable]) -> typing.Iterator[str]:
    """The text of _dumps(obj, indent) where each obj[k] for k in lazy is the list of lazy[k]'s items,
    produced one item at a time (an item is a dict, a function(indent) giving its chunks, or a row
    dataclass, written as its _rec)."""
    marks = {k: f"\u0000{k}\u0000" for k in lazy}
    text = _dumps({k: marks.get(k, v) for k, v in obj.items()}, indent)
    for k in obj:
        if k in lazy:
            head, text = text.split(json.dumps(marks[k]), 1)
            yield head
            yield from _list_chunks(lazy[k], indent + 2)  # the key's line is at indent + 1, the items one deeper
    yield text


def _list_chunks(items: typing.Iterable, inner: int) -> typing.Iterator[str]:
    """A JSON list whose items are written at indent `inner`, one item at a time."""
    first = True
    for item in items:
        yield ("[\n" if first else ",\n") + " " * inner
        if type(item) is dict:
            yield _dumps(item, inner)
        elif callable(item):
            yield from item(inner)
        else:
            yield _record(item, inner)
        first = False
    yield "[]" if first else "\n" + " " * (inner - 1) + "]"


_NESTED = ("sentences", "figures", "targets", "deadlines", "mentions")  # kb.json's lists in a document, in order
DOC_INDENT = 2  # where kb.json writes a document's record


def _document_json(d, rows: dict[str, list], indent: int) -> typing.Iterator[str]:
    entry = _rec(d)
    entry.update(dict.fromkeys(_NESTED))
    return _json_chunks(entry, indent, {name: rows.get(name, ()) for name in _NESTED})


def _kb_json_chunks(tables: dict[str, list], pre: dict[str, dict] | None = None) -> typing.Iterator[bytes]:
    """kb.json: exactly json.dumps(kb, ensure_ascii=False, indent=1) + "\n", built one row (one document,
    one series) at a time (rows grouped by doc_id once), so that no nested copy of the whole KB is held in
    memory (the series alone were 80 MB on 2,000 bulletins). A document with a prerendered record
    (pre[doc_id]) is written from it, its mentions (linked since) added."""
    pre = pre or {}
    by_doc: dict[str, dict[str, list]] = {}
    for name in _NESTED:
        if name == "mentions" or not pre:
            for r in tables[name]:
                by_doc.setdefault(r.doc_id, {}).setdefault(name, []).append(r)

    def document(d):
        rows = by_doc.get(d.doc_id, {})
        if (p := pre.get(d.doc_id)) is not None:
            return lambda indent: _prerendered_json(p, rows.get("mentions", ()), indent)
        return lambda indent: _document_json(d, rows, indent)

    series: dict[str, list] = {}  # series_id -> its rows; each series' record is made when it is written
    for h in tables["figure_history"]:
        series.setdefault(h.series_id, []).append(h)
    kb = dict.fromkeys(("documents", "entities", "series", "targets_vs_actuals", "errors"))
    lazy = {"documents": map(document, tables["documents"]), "entities": tables["entities"],
            "series": map(_series, series.values()), "targets_vs_actuals": tables["targets_vs_actuals"],
            "errors": tables["errors"]}
    for c in _json_chunks(kb, 0, lazy):
        yield c if type(c) is bytes else c.encode("utf-8")  # a prerendered record is bytes already
    yield b"\n"


def _series(rows: list) -> dict:
    """kb.json's record of one figure series: the first statement's keys, then every statement."""
    h = rows[0]
    return {"series_id": h.series_id, "indicator": h.indicator, "scope": h.scope, "period": h.period,
            "kind": h.kind, "unit": h.unit, "statements": [_rec(r) for r in rows]}


def _prerendered_json(pre: typing.Mapping[str, bytes], mentions, indent: int) -> typing.Iterator[str | bytes]:
    if indent != DOC_INDENT:
        raise ValueError(f"a document's record was prerendered at indent {DOC_INDENT}, not {indent}")
    yield pre["kb.json"]
    template = pre.get("kb.json mentions")
    filled = _filled(template, _JSON_HOLE.encode("utf-8"), [_STR(r.entity_id).encode("utf-8") for r in mentions]
                     ) if template is not None else None
    if filled is not None:
        yield filled
    else:
        yield from _list_chunks(mentions, indent + 2)
    yield pre["kb.json tail"]


def _kb_json(tables: dict[str, list]) -> bytes:
    return b"".join(_kb_json_chunks(tables))


# ---------------------------------------------------------------------------------------------- per document
PER_DOCUMENT = ("documents", "sentences", "figures", "targets", "deadlines")  # tables whose rows are a document's


def prerender(result) -> dict[str, bytes]:
    """One document's part of the KB's text, rendered where it was extracted (a worker; then kept in the
    cache): its rows of each per-document table as CSV lines, and its kb.json record but for its mentions,
    whose entity ids only linking the corpus gives, each as UTF-8 bytes (encoded in the worker, and the
    form the main process spills to disk: spill.py). Writing the KB then joins these (render_lazy), so a
    rerun after one text changed renders that text's rows alone; the bytes are those of rendering every row
    (a test compares)."""
    rows = {"documents": [result.document], "sentences": result.sentences, "figures": result.figures,
            "targets": targets_of(result.figures), "deadlines": result.deadlines}
    out = {name: _csv_rows(cls, sorted(rows[name], key=key)) for name, cls, key, _, _ in TABLES if name in rows}
    for name in ("sentences", "figures", "targets", "deadlines"):
        rows[name] = sorted(rows[name], key=lambda r: (r.start, r.end))
    chunks = list(_document_json(result.document, rows, DOC_INDENT))  # [..., head, "[]", tail]: no mentions
    out["kb.json"], out["kb.json tail"] = "".join(chunks[:-2]), chunks[-1]
    holes = [dataclasses.replace(r, entity_id=_HOLE) for r in sorted(result.mentions, key=_MENTION_ORDER)]
    csv, js = _csv_rows(m.MentionRow, holes), "".join(_list_chunks(holes, DOC_INDENT + 2))
    if csv.count(_HOLE) == js.count(_JSON_HOLE) == len(holes):  # else (a NUL in a mention) rendered when linked
        out["mentions"], out["kb.json mentions"] = csv, js
    return {name: text.encode("utf-8") for name, text in out.items()}


# A document's mentions are rendered with it, their entity ids (which linking gives) left as holes to fill
_HOLE = "\x00"
_JSON_HOLE = _STR(_HOLE)
_MENTION_ORDER = operator.attrgetter("start", "end", "type")  # within a document, as the mentions table


def _filled(template: bytes, hole: bytes, values: list[bytes]) -> bytes | None:
    """template with its holes filled by values in order; None when the counts differ."""
    parts = template.split(hole)
    if len(parts) != len(values) + 1:
        return None
    return b"".join(itertools.chain.from_iterable(zip(parts, values))) + parts[-1]


def _mentions_csv(docs: list, pieces: list, by_doc: dict[str, list]) -> typing.Iterator[bytes]:
    """mentions.csv from each document's rendered mentions, entity ids filled in (a document rendered
    without them: its rows rendered here)."""
    yield _csv_header(m.MentionRow).encode("utf-8")
    hole = _HOLE.encode("utf-8")
    for d, p in zip(docs, pieces):
        rows = by_doc.get(d.doc_id, [])
        template = p.get("mentions")
        filled = _filled(template, hole, [r.entity_id.encode("utf-8") for r in rows]) if template is not None else None
        yield filled if filled is not None else _csv_rows(m.MentionRow, rows).encode("utf-8")


def render_lazy(tables: dict[str, list], xlsx: bool = True, pre: dict[str, typing.Mapping] | None = None
                ) -> dict[str, typing.Callable[[], bytes | typing.Iterable[bytes]]]:
    """File name -> a function that renders it (bytes, or chunks of bytes): write_kb renders, writes and
    drops one file at a time, so the KB's files are never all in memory at once. kb.xlsx only with xlsx.
    pre: doc_id -> prerender() of that document (or the same pieces spilled to disk: spill.Spilled), for
    every document (or None: every row is rendered here); a file made of them is streamed piece by piece."""
    files: dict[str, typing.Callable[[], bytes]] = {}
    resources = []
    docs = sorted(tables.get("documents", []), key=lambda d: d.doc_id)
    if pre is not None and any(d.doc_id not in pre for d in docs):
        pre = None
    for name, cls, key, pk, fks in TABLES:
        rows = sorted(tables.get(name, []), key=key)
        tables[name] = rows
        if pre is not None and name in PER_DOCUMENT:
            files[f"{name}.csv"] = functools.partial(_joined, _csv_header(cls).encode("utf-8"),
                                                     [pre[d.doc_id] for d in docs], name)
        elif pre is not None and name == "mentions":
            by_doc: dict[str, list] = {}
            for r in rows:
                by_doc.setdefault(r.doc_id, []).append(r)
            files["mentions.csv"] = functools.partial(_mentions_csv, docs, [pre[d.doc_id] for d in docs], by_doc)
        else:
            files[f"{name}.csv"] = functools.partial(_csv_chunks, cls, rows)
        resources.append({"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource",
                          "format": "csv", "encoding": "utf-8", "schema": table_schema(cls, pk, fks)})
    files["kb.json"] = functools.partial(_kb_json_chunks, tables, pre)  # streamed to the file, never whole in memory
    pkg = {"profile": "tabular-data-package", "name": "bulletin-kb",
           "title": "Knowledge base mined from government bulletins", "resources": resources}
    files["datapackage.json"] = lambda: (json.dumps(pkg, ensure_ascii=False, indent=1) + "\n").encode("utf-8")

    if xlsx:
        files["kb.xlsx"] = functools.partial(workbook_bytes, tables, TABLES)
    return files


def _csv_chunks(cls, rows: list, block: int = 4096) -> typing.Iterator[bytes]:
    """csv_text(cls, rows) encoded, a block of rows at a time: the whole table's text is never held."""
    yield _csv_header(cls).encode("utf-8")
    for i in range(0, len(rows), block):
        yield _csv_rows(cls, rows[i:i + block]).encode("utf-8")


def _joined(head: bytes, pieces: list[typing.Mapping[str, bytes]], name: str) -> typing.Iterator[bytes]:
    """head, then each document's piece `name`, in about 1 MB chunks (a piece may be read from disk)."""
    buf, size = [head], len(head)
    for p in pieces:
        buf.append(piece := p[name])
        size += len(piece)
        if size >= 1 << 20:
            yield b"".join(buf)
            buf, size = [], 0
    yield b"".join(buf)


def render(tables: dict[str, list]) -> dict[str, bytes]:
    """File name -> bytes of the whole KB (manifest excluded)."""
    return {name: _bytes(make()) for name, make in render_lazy(tables).items()}


def _bytes(data) -> bytes:
    return data if isinstance(data, bytes) else b"".join(data)
