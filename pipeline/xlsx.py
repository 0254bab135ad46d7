"""extracted/kb.xlsx: one sheet per table for colleagues who live in Excel.

Each sheet has the table's columns in CSV order, a bold frozen header row, an
autofilter over the data and column widths fitted to the content of its first
2,000 rows (CJK counts double). Types come from the row dataclasses (pipeline.model), as for the CSVs:
integer and number fields are written as numbers, date fields as Excel dates
(yyyy-mm-dd), everything else as text with write_string, so a mention that
starts with "=" or "+" is never a formula. The bytes are deterministic: fixed
document properties, and xlsxwriter stamps every zip member 1980-01-31. Rows go
out as they are written (constant_memory mode: inline strings, no shared-string
table), so a 200,000-row sheet costs megabytes, not the ~0.5 GB of cells held
in memory otherwise.
"""
from __future__ import annotations

import dataclasses
import io
import math
from datetime import date, datetime
from decimal import Decimal

FIXED_TIME = datetime(2020, 1, 1)
MAX_WIDTH = 60  # characters; longer cells (sentences) are cut off on screen, not in the file
MAX_CELL = 32767  # Excel's limit on the characters of one cell
SHEET_ROWS = 1_048_575  # data rows under the header row of one sheet
WIDTH_ROWS = 2000  # column widths fit the first rows: enough to size a column, cheap on a big corpus


def workbook_bytes(tables: dict[str, list], specs) -> bytes:
    """The workbook as bytes: one sheet per (name, row class, ...) in specs, rows from tables[name]."""
    import xlsxwriter

    from .write import _field_type

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False, "default_date_format": "yyyy-mm-dd"})
    wb.set_properties({"title": "Bulletin knowledge base", "subject": "extracted/ as one sheet per table",
                       "author": "bulletin-pipeline", "comments": "Generated; columns as in KB_SCHEMA.md",
                       "created": FIXED_TIME})
    header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, cls, _key, _pk, _fks in specs:
        fields = [f.name for f in dataclasses.fields(cls)]
        kinds = [_field_type(cls, f)[0] for f in fields]
        every = tables.get(name, [])
        # Excel stops at 1,048,576 rows: a bigger table goes on over further sheets, "name (2)" ...
        for k in range(max(1, math.ceil(len(every) / SHEET_ROWS))):
            rows = every[k * SHEET_ROWS:(k + 1) * SHEET_ROWS]
            ws = wb.add_worksheet(name[:31] if k == 0 else f"{name[:24]} ({k + 1})")
            _sheet(ws, fields, kinds, rows, header, day)
    wb.close()
    return buf.getvalue()


def _sheet(ws, fields: list[str], kinds: list[str], rows: list, header, day) -> None:
    from .write import cell

    widths = [_width(f) + 4 for f in fields]  # room for the autofilter button
    for c, f in enumerate(fields):
        ws.write_string(0, c, f, header)
    for r, row in enumerate(rows, start=1):
        for c, kind in enumerate(kinds):
            v = getattr(row, fields[c])
            if v is None:
                continue
            if kind in ("integer", "number") and _is_number(v):
                ws.write_number(r, c, float(v) if isinstance(v, Decimal) else v)
            elif kind == "date" and isinstance(v, date) and v.year >= 1900:
                ws.write_datetime(r, c, datetime(v.year, v.month, v.day), day)
            else:
                ws.write_string(r, c, cell(v)[:MAX_CELL])
            if r <= WIDTH_ROWS and widths[c] < MAX_WIDTH:
                widths[c] = max(widths[c], min(MAX_WIDTH, _width(cell(v)) + 2))
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, len(rows), len(fields) - 1)


def _is_number(v) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float, Decimal)):
        return False
    return isinstance(v, int) or math.isfinite(v)


def _width(s: str) -> int:
    """Display width: CJK characters take two columns."""
    if len(s) >= MAX_WIDTH:
        return 2 * len(s)  # at least MAX_WIDTH either way, and a sentence need not be walked
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)
