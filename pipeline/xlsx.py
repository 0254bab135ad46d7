"""extracted/kb.xlsx: one sheet per table for colleagues who live in Excel.

Each sheet has the table's columns in CSV order, a bold frozen header row, an
autofilter over the data and column widths fitted to the content of its first
2,000 rows (CJK counts double). Types come from the row dataclasses (pipeline.model), as for the CSVs:
integer and number fields are written as numbers, date fields as Excel dates
(yyyy-mm-dd), everything else as text with write_string, so a mention that
starts with "=" or "+" is never a formula. The bytes are deterministic: fixed
document properties, and xlsxwriter stamps every zip member 1980-01-31.

xlsxwriter lays out the workbook (styles, sheets, header rows, frozen panes,
filters, widths, properties); the data rows, which are nearly all of the work,
are rendered here in bulk and streamed into each sheet's <sheetData>, exactly
as xlsxwriter's constant_memory mode writes them (inline strings, its escapes,
its number format: a test compares the two workbooks member by member). Calling
xlsxwriter once per cell cost about as much as segmenting the whole corpus.
Rows are streamed in chunks, so a 200,000-row sheet costs megabytes of memory.
"""
from __future__ import annotations

import dataclasses
import io
import math
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from xlsxwriter.utility import (_datetime_to_excel_datetime, _utf16_len, _utf16_truncate, xl_col_to_name,
                                xl_rowcol_to_cell)
from xlsxwriter.xmlwriter import XMLwriter

from .cells import cell, field_type

FIXED_TIME = datetime(2020, 1, 1)
MAX_WIDTH = 60  # characters; longer cells (sentences) are cut off on screen, not in the file
MAX_CELL = 32767  # Excel's limit on the characters of one cell
SHEET_ROWS = 1_048_575  # data rows under the header row of one sheet
# deflate level of every member: at zlib's default (6) compressing the sheets took as long as rendering
# them (3.7 s for a 2,000-bulletin KB); level 1 takes a third of that, for a file 16% bigger
COMPRESS_LEVEL = 1
WIDTH_ROWS = 2000  # column widths fit the first rows: enough to size a column, cheap on a big corpus
_WIDE = re.compile("[\u2e81-\U0010ffff]")
# what xlsxwriter's _escape_control_characters rewrites: control characters, non-characters, and text that
# reads as such an escape
_CONTROL_CHARS = "\x00-\x08\x0b-\x1f\ufffe\uffff"
_CONTROL = re.compile(f"_x[0-9a-fA-F]{{4}}_|[{_CONTROL_CHARS}]")
_SPECIAL = re.compile(f"_x[0-9a-fA-F]{{4}}_|[{_CONTROL_CHARS}&<>]")  # _CONTROL, or what XML escapes


def workbook_bytes(tables: dict[str, list], specs) -> bytes:
    """The workbook as bytes: one sheet per (name, row class, ...) in specs, rows from tables[name]."""
    skeleton, sheets = _skeleton(tables, specs)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(skeleton)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, info.date_time)
            member.compress_type, member.external_attr = info.compress_type, info.external_attr
            member.create_system = info.create_system
            _set_level(member, COMPRESS_LEVEL)
            data = src.read(info)
            if info.filename not in sheets:
                dst.writestr(member, data)
                continue
            with dst.open(member, "w") as f:
                for chunk in _sheet_xml(data.decode("utf-8"), *sheets[info.filename]):
                    f.write(chunk.encode("utf-8"))
    return out.getvalue()


def _set_level(member: zipfile.ZipInfo, level: int) -> None:
    """The member's deflate level: ZipInfo.compress_level from Python 3.13, _compresslevel before."""
    setattr(member, "compress_level" if hasattr(member, "compress_level") else "_compresslevel", level)


def _skeleton(tables: dict[str, list], specs) -> tuple[bytes, dict]:
    """xlsxwriter's workbook with header rows only, and per sheet member (fields, kinds, rows, date style)."""


    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False, "default_date_format": "yyyy-mm-dd"})
    wb.set_properties({"title": "Bulletin knowledge base", "subject": "extracted/ as one sheet per table",
                       "author": "bulletin-pipeline", "comments": "Generated; columns as in KB_SCHEMA.md",
                       "created": FIXED_TIME})
    header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    header._get_xf_index()  # style numbers in the order xlsxwriter gives them when it writes every cell
    sheets, k_sheet = {}, 0
    for name, cls, _key, _pk, _fks in specs:
        fields = [f.name for f in dataclasses.fields(cls)]
        kinds = [field_type(cls, f)[0] for f in fields]
        every = tables.get(name, [])
        if "date" in kinds and any(_is_date(getattr(r, f)) for r in every for f, kd in zip(fields, kinds)
                                   if kd == "date"):
            day._get_xf_index()
        # Excel stops at 1,048,576 rows: a bigger table goes on over further sheets, "name (2)" ...
        for k in range(max(1, math.ceil(len(every) / SHEET_ROWS))):
            rows = every[k * SHEET_ROWS:(k + 1) * SHEET_ROWS]
            ws = wb.add_worksheet(name[:31] if k == 0 else f"{name[:24]} ({k + 1})")
            _layout(ws, fields, kinds, rows, header)
            k_sheet += 1
            sheets[f"xl/worksheets/sheet{k_sheet}.xml"] = (fields, kinds, rows, day)
    wb.close()
    return buf.getvalue(), sheets


def _layout(ws, fields: list[str], kinds: list[str], rows: list, header) -> None:
    """Header row, column widths (fitted to the first WIDTH_ROWS rows), frozen header, autofilter."""
    widths = [_width(f) + 4 for f in fields]  # room for the autofilter button
    for c, f in enumerate(fields):
        ws.write_string(0, c, f, header)
    for c, f in enumerate(fields):
        for row in rows[:WIDTH_ROWS]:
            if widths[c] >= MAX_WIDTH:
                break
            v = getattr(row, f)
            if v is not None:
                widths[c] = max(widths[c], min(MAX_WIDTH, _width(cell(v)) + 2))
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(rows), len(fields) - 1)


def _is_date(v) -> bool:
    return isinstance(v, date) and v.year >= 1900


def _sheet_xml(skeleton: str, fields: list[str], kinds: list[str], rows: list, day, chunk: int = 2000):
    """The sheet's XML with the data rows after its header row, in chunks of text."""

    head, tail = skeleton.split("</sheetData>", 1)
    last = next((r for r in range(len(rows), 0, -1) if any(getattr(rows[r - 1], f) is not None for f in fields)), 0)
    if last:  # the extent xlsxwriter records: the header row to the last row with a cell
        old = head[head.index("<dimension ref=\""):head.index("/>", head.index("<dimension ")) + 2]
        head = head.replace(old, f'<dimension ref="A1:{xl_rowcol_to_cell(last, len(fields) - 1)}"/>', 1)
    yield head
    cols = [(f, kd, xl_col_to_name(c)) for c, (f, kd) in enumerate(zip(fields, kinds))]
    day_style = f' s="{day._get_xf_index()}"' if day.xf_index is not None else ""
    for at in range(0, len(rows), chunk):
        yield "".join(_row_xml(r, row, cols, day_style) for r, row in enumerate(rows[at:at + chunk], start=at + 2))
    yield "</sheetData>" + tail


def _row_xml(r: int, row, cols, day_style: str) -> str:
    """One <row> as xlsxwriter's constant_memory mode writes it ('' when it has no cell)."""
    out = []
    for f, kind, col in cols:
        v = getattr(row, f)
        if v is None:
            continue
        if kind in ("integer", "number") and _is_number(v):
            out.append(f'<c r="{col}{r}"><v>{float(v) if isinstance(v, Decimal) else v:.16G}</v></c>')
        elif kind == "date" and _is_date(v):
            serial = _datetime_to_excel_datetime(datetime(v.year, v.month, v.day), False, False)
            out.append(f'<c r="{col}{r}"{day_style}><v>{serial:.16G}</v></c>')
        else:
            s = cell(v)[:MAX_CELL]
            if len(s) > MAX_CELL // 2 and _utf16_len(s) > MAX_CELL:
                s = _utf16_truncate(s, MAX_CELL)
            if _SPECIAL.search(s):  # one scan; most cells need neither rewriting
                if _CONTROL.search(s):
                    s = XMLwriter._escape_control_characters(s)
                if "&" in s or "<" in s or ">" in s:
                    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            space = ' xml:space="preserve"' if s and (s[0].isspace() or s[-1].isspace()) else ""
            out.append(f'<c r="{col}{r}" t="inlineStr"><is><t{space}>{s}</t></is></c>')
    return f'<row r="{r}">{"".join(out)}</row>' if out else ""


def _is_number(v) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float, Decimal)):
        return False
    return isinstance(v, int) or math.isfinite(v)


def _width(s: str) -> int:
    """Display width: CJK characters take two columns."""
    if len(s) >= MAX_WIDTH:
        return 2 * len(s)  # at least MAX_WIDTH either way, and a sentence need not be walked
    return len(s) + len(_WIDE.findall(s))
