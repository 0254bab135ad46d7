"""How one value is written in a cell (CSV, kb.xlsx, kb.json), and the schema type of a row field.

Shared by write.py and xlsx.py, so the CSVs and the workbook agree cell for cell.
"""
from __future__ import annotations

import functools
import json
import typing
from datetime import date
from decimal import Decimal

_TYPES = {int: "integer", Decimal: "number", date: "date", str: "string", bool: "boolean"}


def cell(v) -> str:
    """One value as CSV text: Decimals exact and without exponent, lists as JSON."""
    t = type(v)
    if t is str:  # most cells, asked first: cell() runs for every cell of the CSVs and of kb.xlsx
        return v
    if t is int:
        return int.__repr__(v)
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
    t = type(v)
    if t is str or t is int or v is None:
        return v
    if isinstance(v, Decimal):
        s = cell(v)  # digits, a sign and at most one point: what json.loads(s) reads, without its parser
        return (float(s) if "." in s else int(s)) if v.is_finite() else json.loads(s)
    if isinstance(v, date):
        return v.isoformat()
    return v


@functools.cache  # typing.get_type_hints reads the class's annotations anew each time: once per field
def field_type(cls, name) -> tuple[str, str]:
    hint = typing.get_type_hints(cls)[name]
    args = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    base = typing.get_origin(args[0]) or args[0]
    if base is list:
        return "string", "json"
    return _TYPES.get(base, "string"), "default"
