"""kb.xlsx as an Excel user meets it: one sheet per table, frozen header, autofilter,
column widths, numbers as numbers, text (even "=SUM(A1)" and "+86") as text, same bytes every time."""
from __future__ import annotations

import dataclasses
import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pipeline import model as m
from pipeline import write

TABLE_NAMES = [name for name, *_ in write.TABLES]
CLASSES = {name: cls for name, cls, *_ in write.TABLES}
SENT = "今年力争新增规上工业企业100户以上，电话+86。"


def small_tables() -> dict[str, list]:
    """A few rows of every table but errors (left empty), built from the model dataclasses."""
    d1, d2 = "0123456789abcdef", "fedcba9876543210"
    return {
        "documents": [
            m.DocumentRow(d1, "001.txt", ["001.txt", "copy/001.txt"], "txt", "0" * 64, "安政通报", 9,
                          date(2020, 3, 1), date(2020, 2, 28), "header", "寇全安", "全市工业经济稳增长专班第一次会议", None,
                          "安康市", 4038, 2),
            m.DocumentRow(d2, "002.pdf", ["002.pdf"], "pdf", "1" * 64, None, None, None, None, None, None, None,
                          None, None, 10, 1),
        ],
        "sentences": [m.SentenceRow(d1, f"{d1}-s0000", 0, 24, "一/（一）", "plan", 2020, SENT),
                      m.SentenceRow(d2, f"{d2}-s0000", 0, 10, "", "other", None, "=1+1 不是公式")],
        "figures": [
            m.FigureRow(f"{d1}-f000008", d1, f"{d1}-s0000", 8, 16, "100户以上", Decimal("100"), None, "户", ">=",
                        "target", "新增规上工业企业数", "安康市", "2020", None, None, SENT, "力争"),
            m.FigureRow(f"{d1}-f000030", d1, f"{d1}-s0000", 30, 36, "16.4亿元", Decimal("1640000000"), None, "元",
                        "=", "actual", "产值", "安康市", "2020-01/2020-05", None, None, SENT),
            m.FigureRow(f"{d2}-f000002", d2, f"{d2}-s0000", 2, 5, "+86", Decimal("-20.7"), Decimal("0.5"), "%",
                        "range", "comparison", "增速", None, None, "全省", "lower", "=1+1 不是公式"),
        ],
        "targets": [m.TargetRow(f"{d1}-f000008-t", f"{d1}-f000008", d1, 8, 16, "100户以上", Decimal("100"), None,
                                "户", ">=", "新增规上工业企业数", "安康市", "2020", "力争", SENT)],
        "deadlines": [m.DeadlineRow(f"{d1}-d000001", d1, 1, 4, "6月底前", date(2020, 6, 30), "应清尽清", "市工信局",
                                    SENT)],
        "mentions": [
            m.MentionRow(f"{d1}-m000001-000009-e", d1, 1, 9, "=SUM(A1)", "enterprise", "E0000000001", "rule"),
            m.MentionRow(f"{d1}-m000010-000013-e", d1, 10, 13, "+86", "enterprise", "E0000000002", "gazetteer"),
            m.MentionRow(f"{d2}-m000001-000005-p", d2, 1, 5, "安康无水港", "project", "E0000000003", "ner"),
        ],
        "entities": [
            m.EntityRow("E0000000001", "enterprise", "=SUM(A1)", ["=SUM(A1)"], None, 1, date(2020, 2, 28),
                        date(2020, 2, 28)),
            m.EntityRow("E0000000002", "enterprise", "+86", [], None, 1, date(2020, 2, 28), date(2020, 2, 28)),
            m.EntityRow("E0000000003", "project", "安康无水港", ["“安康无水港”"], "E0000000001", 1, None, None),
        ],
        "figure_history": [
            m.HistoryRow("S0000000001", "产值", "安康市", "2020", "actual", "元", d1, date(2020, 2, 28),
                         f"{d1}-f000030", Decimal("1640000000"), "=", "first", None, None, None, None, 30),
            m.HistoryRow("S0000000001", "产值", "安康市", "2020", "actual", "元", d2, date(2020, 5, 7),
                         f"{d2}-f000002", Decimal("1639999999.5"), ">=", "changed", f"{d1}-f000030",
                         Decimal("1640000000"), "=", Decimal("-0.5"), 2),
        ],
        "targets_vs_actuals": [m.TargetActualRow(f"{d1}-f000008-t", f"{d2}-f000002", "新增规上工业企业数", "安康市",
                                                 "2020", "2020-01/2020-09", Decimal("100"), ">=", Decimal("92"),
                                                 "partial", Decimal("0.92"))],
        "errors": [],
    }


@pytest.fixture(scope="module")
def xlsx_bytes() -> bytes:
    return write.render(small_tables())["kb.xlsx"]


@pytest.fixture(scope="module")
def wb(xlsx_bytes):
    return load_workbook(io.BytesIO(xlsx_bytes))


def find_row(ws, column: str, value: str) -> int:
    """The sheet row (1-based) whose cell in `column` holds `value`."""
    col = [c.value for c in ws[1]].index(column) + 1
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col).value == value:
            return r
    raise AssertionError(f"{value!r} not in column {column}")


def column_width(ws, i: int) -> float | None:
    """The width set for column i (<col min max> elements may span several equal columns)."""
    for dim in ws.column_dimensions.values():
        if dim.min <= i <= dim.max and dim.customWidth:
            return dim.width
    return None


def test_one_sheet_per_table_in_order(wb):
    assert wb.sheetnames == TABLE_NAMES


@pytest.mark.parametrize("name", TABLE_NAMES, ids=TABLE_NAMES)
def test_sheet_layout(wb, name):
    ws = wb[name]
    fields = [f.name for f in dataclasses.fields(CLASSES[name])]
    n_rows = len(small_tables()[name])
    last = get_column_letter(len(fields))
    assert [c.value for c in ws[1]] == fields, "header = the dataclass fields, in CSV order"
    assert all(c.font.b for c in ws[1]), "header is bold"
    assert ws.freeze_panes == "A2", "header row frozen"
    assert ws.auto_filter.ref == f"A1:{last}{n_rows + 1}", "autofilter over header and data"
    assert ws.max_row == n_rows + 1 or (n_rows == 0 and ws.max_row == 1)
    for i, f in enumerate(fields, start=1):
        assert len(f) < column_width(ws, i) <= 64, f"column {f} has a width fitted to it"


# (sheet, key column, key value, column, expected value, openpyxl data type)
CELLS = [
    ("mentions", "mention_id", "0123456789abcdef-m000001-000009-e", "mention", "=SUM(A1)", "s"),
    ("mentions", "mention_id", "0123456789abcdef-m000010-000013-e", "mention", "+86", "s"),
    ("entities", "entity_id", "E0000000001", "name", "=SUM(A1)", "s"),
    ("entities", "entity_id", "E0000000001", "aliases", '["=SUM(A1)"]', "s"),
    ("figures", "figure_id", "fedcba9876543210-f000002", "mention", "+86", "s"),
    ("sentences", "sentence_id", "fedcba9876543210-s0000", "text", "=1+1 不是公式", "s"),
    ("documents", "doc_id", "0123456789abcdef", "doc_id", "0123456789abcdef", "s"),
    ("documents", "doc_id", "0123456789abcdef", "sources", '["001.txt", "copy/001.txt"]', "s"),
    ("documents", "doc_id", "0123456789abcdef", "issue_no", 9, "n"),
    ("documents", "doc_id", "0123456789abcdef", "n_chars", 4038, "n"),
    ("documents", "doc_id", "0123456789abcdef", "speech_date", datetime(2020, 2, 28), "d"),
    ("documents", "doc_id", "fedcba9876543210", "issue_no", None, "n"),
    ("documents", "doc_id", "fedcba9876543210", "speech_date", None, "n"),
    ("figures", "figure_id", "0123456789abcdef-f000030", "value", 1640000000, "n"),
    ("figures", "figure_id", "0123456789abcdef-f000030", "period", "2020-01/2020-05", "s"),
    ("figures", "figure_id", "0123456789abcdef-f000008", "period", "2020", "s"),
    ("figures", "figure_id", "0123456789abcdef-f000008", "start", 8, "n"),
    ("figures", "figure_id", "fedcba9876543210-f000002", "value", -20.7, "n"),
    ("figures", "figure_id", "fedcba9876543210-f000002", "value_max", 0.5, "n"),
    ("figures", "figure_id", "fedcba9876543210-f000002", "qualifier", "range", "s"),
    ("targets", "target_id", "0123456789abcdef-f000008-t", "qualifier", ">=", "s"),
    ("deadlines", "deadline_id", "0123456789abcdef-d000001", "date", datetime(2020, 6, 30), "d"),
    ("entities", "entity_id", "E0000000003", "doc_count", 1, "n"),
    ("figure_history", "figure_id", "fedcba9876543210-f000002", "value", 1639999999.5, "n"),
    ("figure_history", "figure_id", "fedcba9876543210-f000002", "delta", -0.5, "n"),
    ("figure_history", "figure_id", "fedcba9876543210-f000002", "previous_qualifier", "=", "s"),
    ("targets_vs_actuals", "target_id", "0123456789abcdef-f000008-t", "share", 0.92, "n"),
    ("targets_vs_actuals", "target_id", "0123456789abcdef-f000008-t", "outcome", "partial", "s"),
]


@pytest.mark.parametrize("sheet,key,key_value,column,expected,data_type", CELLS,
                         ids=[f"{c[0]}.{c[3]}={c[4]!r}" for c in CELLS])
def test_cell_types(wb, sheet, key, key_value, column, expected, data_type):
    ws = wb[sheet]
    cell = ws.cell(find_row(ws, key, key_value), [c.value for c in ws[1]].index(column) + 1)
    assert cell.value == expected
    assert cell.data_type == data_type
    if isinstance(expected, (int, float)):
        assert isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool)
    if isinstance(expected, str):
        assert isinstance(cell.value, str)


def test_no_formula_anywhere(xlsx_bytes):
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == len(TABLE_NAMES)
        for n in sheets:
            assert not re.search(rb"<f[ >]", z.read(n)), f"{n} holds a formula"


def test_same_bytes_every_render(xlsx_bytes):
    again = write.render(small_tables())["kb.xlsx"]
    assert again == xlsx_bytes
    with zipfile.ZipFile(io.BytesIO(xlsx_bytes)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 31, 0, 0, 0)}, "fixed zip timestamps"
        core = z.read("docProps/core.xml").decode()
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2020-01-01T00:00:00Z" in core
    assert "<dcterms:modified xsi:type=\"dcterms:W3CDTF\">2020-01-01T00:00:00Z" in core


def test_empty_kb_still_has_every_sheet():
    wb = load_workbook(io.BytesIO(write.render({})["kb.xlsx"]))
    assert wb.sheetnames == TABLE_NAMES
    for name in TABLE_NAMES:
        assert wb[name].max_row == 1 and wb[name].freeze_panes == "A2"


def test_a_table_beyond_the_sheet_limit_goes_on_in_a_second_sheet(monkeypatch):
    """Excel stops at 1,048,576 rows; a corpus of thousands of bulletins passes that in sentences. Nothing
    may be cut silently: the rows go on in "name (2)", each part with its header, in order."""
    from pipeline import xlsx

    monkeypatch.setattr(xlsx, "SHEET_ROWS", 2)
    tables = small_tables()
    extra = [dataclasses.replace(tables["sentences"][0], sentence_id=f"x{i}") for i in range(3)]
    tables["sentences"] = tables["sentences"] + extra
    n = len(tables["sentences"])
    wb = load_workbook(io.BytesIO(write.render(tables)["kb.xlsx"]))
    parts = [s for s in wb.sheetnames if s.startswith("sentences")]
    assert parts == ["sentences"] + [f"sentences ({k})" for k in range(2, len(parts) + 1)] and len(parts) == -(-n // 2)
    ids = [row[1] for s in parts for row in wb[s].iter_rows(min_row=2, values_only=True)]
    assert sorted(ids) == sorted(r.sentence_id for r in tables["sentences"]) and len(ids) == n
    assert all([c.value for c in wb[s][1]][:2] == ["doc_id", "sentence_id"] for s in parts)


def _per_cell_workbook(tables: dict[str, list]) -> bytes:
    """The workbook written the plain way, every cell through xlsxwriter (constant_memory): the reference
    the bulk row writer of pipeline.xlsx must reproduce."""
    import xlsxwriter

    from pipeline import xlsx
    from pipeline.cells import cell, field_type

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False, "default_date_format": "yyyy-mm-dd"})
    wb.set_properties({"title": "Bulletin knowledge base", "subject": "extracted/ as one sheet per table",
                       "author": "bulletin-pipeline", "comments": "Generated; columns as in KB_SCHEMA.md",
                       "created": xlsx.FIXED_TIME})
    header = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "bottom": 1})
    day = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, cls, *_ in write.TABLES:
        fields = [f.name for f in dataclasses.fields(cls)]
        kinds = [field_type(cls, f)[0] for f in fields]
        rows = tables.get(name, [])
        ws = wb.add_worksheet(name)
        widths = [xlsx._width(f) + 4 for f in fields]
        for c, f in enumerate(fields):
            ws.write_string(0, c, f, header)
        for r, row in enumerate(rows, start=1):
            for c, kind in enumerate(kinds):
                v = getattr(row, fields[c])
                if v is None:
                    continue
                if kind in ("integer", "number") and xlsx._is_number(v):
                    ws.write_number(r, c, float(v) if isinstance(v, Decimal) else v)
                elif kind == "date" and isinstance(v, date) and v.year >= 1900:
                    ws.write_datetime(r, c, datetime(v.year, v.month, v.day), day)
                else:
                    ws.write_string(r, c, cell(v)[:xlsx.MAX_CELL])
                if r <= xlsx.WIDTH_ROWS and widths[c] < xlsx.MAX_WIDTH:
                    widths[c] = max(widths[c], min(xlsx.MAX_WIDTH, xlsx._width(cell(v)) + 2))
        for c, w in enumerate(widths):
            ws.set_column(c, c, w)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(rows), len(fields) - 1)
    wb.close()
    return buf.getvalue()


AWKWARD = [" 前后有空格 ", "换行\n", "\n开头换行", "a&b<c>d\"e'", "控制\x01字符\x1f", "_x0041_ 像转义", "非字符\ufffe",
           "𠀀𠀁 扩展区", "\u3000全角空格", "末尾全角\u3000", "=SUM(A1)", "-", "长" * 40000, "𠀀" * 20000, ""]


@pytest.mark.parametrize("tables", [small_tables(), {}, {"sentences": [
    m.SentenceRow("d", f"d-s{i:04d}", i, i + 1, "", "other", None, s) for i, s in enumerate(AWKWARD)] + [
    m.SentenceRow("d", "d-s9999", None, None, None, None, None, None)]}], ids=["small", "empty", "awkward"])
def test_bulk_rows_are_what_xlsxwriter_writes_cell_by_cell(tables):
    """Same members as the per-cell way, byte for byte (escapes, whitespace, truncation, numbers, dates,
    styles, extent), in the same zip entries; only the deflate level differs (xlsx.COMPRESS_LEVEL)."""
    from pipeline import xlsx

    ours = xlsx.workbook_bytes(tables, write.TABLES)
    ref = _per_cell_workbook(tables)
    entry = ("filename", "date_time", "compress_type", "external_attr", "create_system", "file_size", "CRC")
    with zipfile.ZipFile(io.BytesIO(ours)) as a, zipfile.ZipFile(io.BytesIO(ref)) as b:
        assert a.namelist() == b.namelist()
        for ia, ib in zip(a.infolist(), b.infolist()):
            assert [getattr(ia, k) for k in entry] == [getattr(ib, k) for k in entry], ia.filename
            assert a.read(ia) == b.read(ib), ia.filename
