"""extracted/kb.xlsx: one sheet per table for colleagues who live in Excel.

Numbers are written as numbers and text always as text (write_string), so a
mention starting with "=" or "+" is never evaluated as a formula. Document
dates are fixed so that the file is byte-identical between runs.
"""
from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime
from decimal import Decimal

FIXED_TIME = datetime(2020, 1, 1)


def workbook_bytes(tables: dict[str, list], specs) -> bytes:
    import xlsxwriter

    from .write import _field_type, cell

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False})
    wb.set_properties({"title": "Bulletin knowledge base", "created": FIXED_TIME})
    bold = wb.add_format({"bold": True})
    for name, cls, _key, _pk, _fks in specs:
        ws = wb.add_worksheet(name[:31])
        fields = [f.name for f in dataclasses.fields(cls)]
        kinds = [_field_type(cls, f)[0] for f in fields]
        widths = [len(f) + 2 for f in fields]
        for c, f in enumerate(fields):
            ws.write_string(0, c, f, bold)
        rows = tables.get(name, [])
        for r, row in enumerate(rows, start=1):
            for c, (f, kind) in enumerate(zip(fields, kinds)):
                v = getattr(row, f)
                if v is None:
                    continue
                if kind in ("integer", "number") and isinstance(v, (int, Decimal)) and not isinstance(v, bool):
                    ws.write_number(r, c, float(v) if isinstance(v, Decimal) else v)
                    text = cell(v)
                else:
                    text = cell(v)
                    ws.write_string(r, c, text)
                widths[c] = max(widths[c], min(60, _width(text) + 2))
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(1, len(rows)), len(fields) - 1)
    wb.close()
    return buf.getvalue()


def _width(s: str) -> int:
    """Display width: CJK characters take two columns."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)
