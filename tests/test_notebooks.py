"""The analyst notebooks run top to bottom, headless, in under a minute, and save their charts.

Each notebook runs against the committed extracted/, against a small synthetic KB
that exercises every branch (changed series, moved qualifiers, met/not_met/partial,
Traditional Chinese names, missing dates), and against an empty KB (header-only
CSVs, some files missing). A chart with a glyph the font lacks fails its cell.
"""
from __future__ import annotations

import importlib.util
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline import model as m
from pipeline import write

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
_spec = importlib.util.spec_from_file_location("notebooks_run", NOTEBOOKS / "run.py")
nbrun = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nbrun)
SCRIPTS = nbrun.notebooks()
PNG = b"\x89PNG\r\n\x1a\n"


def synthetic_tables() -> dict[str, list]:
    d1, d2, d3 = "a" * 16, "b" * 16, "c" * 16
    s = "确保新建标准化厂房面积50万平方米以上。"

    def fig(doc, start, indicator, value, unit, kind="actual", q="=", period="2021", mention=None):
        return m.FigureRow(f"{doc}-f{start:06d}", doc, f"{doc}-s0000", start, start + 4, mention or f"{value}{unit}",
                           Decimal(value), None, unit, q, kind, indicator, "安康市", period, None, None, s)

    def hist(series, doc, day, f, value, q, status, prev=None, prev_value=None, prev_q=None, indicator="新建标准化厂房面积",
             unit="平方米", kind="target"):
        delta = None if prev_value is None else Decimal(value) - Decimal(prev_value)
        return m.HistoryRow(series, indicator, "安康市", "2021", kind, unit, f[:16], day, f, Decimal(value), q, status,
                            prev, None if prev_value is None else Decimal(prev_value), prev_q, delta)

    figures = [
        fig(d1, 10, "新建标准化厂房面积", "500000", "平方米", "target", ">="),
        fig(d1, 40, "規上工業企業數", "40", "户", q=">="),  # Traditional characters
        fig(d2, 10, "新建标准化厂房面积", "700000", "平方米", "target"),
        fig(d2, 40, "規上工業企業數", "40", "户"),
        fig(d2, 60, "新建标准化厂房面积", "460000", "平方米", period="2021-01/2021-09"),
        fig(d3, 10, "工业投资增速", "-2.5", "%"),  # a speech with no date
    ]
    return {
        "documents": [
            m.DocumentRow(d1, "1.txt", ["1.txt"], "txt", "1" * 64, "安政通报", 13, date(2021, 3, 10), date(2021, 3, 8),
                          "header", "高晶华", "稳增长等六大工作专班专题会议", None, "安康市", 100, 1),
            m.DocumentRow(d2, "2.txt", ["2.txt"], "txt", "2" * 64, None, None, None, date(2021, 10, 29), "header", "寇全安",
                          "全市县域工业集中区高质量发展暨工业经济运行调度工作会议", None, "安康市", 100, 1),
            m.DocumentRow(d3, "3.docx", ["3.docx"], "docx", "3" * 64, None, None, None, None, None, None, None,
                          None, None, 50, 1),
        ],
        "sentences": [m.SentenceRow(d, f"{d}-s0000", 0, 20, "一/（一）", "other", None, s) for d in (d1, d2, d3)],
        "figures": figures,
        "targets": [
            m.TargetRow(f"{d1}-f000010-t", f"{d1}-f000010", d1, 10, 14, "50万平方米以上", Decimal(500000), None, "平方米",
                        ">=", "新建标准化厂房面积", "安康市", "2021", "确保", s),
            m.TargetRow(f"{d2}-f000010-t", f"{d2}-f000010", d2, 10, 14, "70万平方米", Decimal(700000), None, "平方米",
                        "=", "新建标准化厂房面积", "安康市", "2021", None, s),
            m.TargetRow(f"{d3}-f000020-t", f"{d3}-f000020", d3, 20, 24, "30亿元", Decimal(3000000000), None, "元", "=",
                        "十三五产值", None, "2016/2020", "力求", s),
        ],
        "deadlines": [],
        "mentions": [
            m.MentionRow(f"{d1}-m1-e", d1, 1, 5, "禾瑞光電", "enterprise", "E1", "rule"),
            m.MentionRow(f"{d1}-m1-p", d1, 1, 5, "禾瑞光電", "project", "E2", "rule"),
            m.MentionRow(f"{d2}-m9-p", d2, 9, 15, "中云科技智能终端", "project", "E3", "ner"),
            m.MentionRow(f"{d2}-m1-e", d2, 1, 5, "禾瑞光電", "enterprise", "E1", "gazetteer"),
            m.MentionRow(f"{d3}-m1-e", d3, 1, 5, "中云科技", "enterprise", "E4", "rule"),
        ],
        "entities": [
            m.EntityRow("E1", "enterprise", "禾瑞光電", ["禾瑞"], None, 2, date(2021, 3, 8), date(2021, 10, 29)),
            m.EntityRow("E2", "project", "禾瑞光電", [], "E1", 1, date(2021, 3, 8), date(2021, 3, 8)),
            m.EntityRow("E3", "project", "中云科技智能终端", [], "E4", 1, date(2021, 10, 29), date(2021, 10, 29)),
            m.EntityRow("E4", "enterprise", "中云科技", [], None, 1, None, None),
        ],
        "figure_history": [
            hist("S1", d1, date(2021, 3, 8), f"{d1}-f000010", "500000", ">=", "first"),
            hist("S1", d2, date(2021, 10, 29), f"{d2}-f000010", "700000", "=", "changed", f"{d1}-f000010", "500000",
                 ">="),
            hist("S2", d1, date(2021, 3, 8), f"{d1}-f000040", "40", ">=", "first", indicator="規上工業企業數",
                 unit="户", kind="actual"),
            hist("S2", d2, date(2021, 10, 29), f"{d2}-f000040", "40", "=", "restated", f"{d1}-f000040", "40", ">=",
                 indicator="規上工業企業數", unit="户", kind="actual"),
        ],
        "targets_vs_actuals": [
            m.TargetActualRow(f"{d1}-f000010-t", f"{d2}-f000060", "新建标准化厂房面积", "安康市", "2021",
                              "2021-01/2021-09", Decimal(500000), ">=", Decimal(460000), "partial", Decimal("0.92")),
            m.TargetActualRow(f"{d2}-f000010", f"{d2}-f000060", "新建标准化厂房面积", "安康市", "2021", "2021",
                              Decimal(700000), "=", Decimal(460000), "not_met", Decimal("0.6571")),
            m.TargetActualRow(f"{d3}-f000020-t", f"{d2}-f000060", "十三五产值", None, "2016/2020", "2020",
                              Decimal(3000000000), "=", Decimal(3100000000), "met", Decimal("1.0333")),
        ],
        "errors": [],
    }


def write_kb(folder: Path, tables: dict[str, list], drop: tuple[str, ...] = ()) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in write.render(tables).items():
        if name.endswith(".csv") and name not in drop:
            (folder / name).write_bytes(data)
    return folder


KBS = {
    "extracted": lambda tmp: ROOT / "extracted",
    "synthetic": lambda tmp: write_kb(tmp / "kb", synthetic_tables()),
    "empty": lambda tmp: write_kb(tmp / "kb", {}, drop=("figure_history.csv", "targets_vs_actuals.csv")),
}


def saved_charts(script: Path) -> list[str]:
    return re.findall(r'save\(fig, "([^"]+)"\)', script.read_text(encoding="utf-8"))


@pytest.mark.parametrize("kb", list(KBS))
@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_notebook_runs(script, kb, tmp_path):
    figures = tmp_path / "figures"
    seconds = nbrun.execute(script, out_dir=tmp_path,
                            env={"BULLETIN_KB": str(KBS[kb](tmp_path)), "BULLETIN_FIGURES": str(figures)})
    assert seconds < 60, f"{script.stem} took {seconds:.0f} s"
    assert (tmp_path / f"{script.stem}.ipynb").exists()
    charts = saved_charts(script)
    assert charts, "every notebook saves at least one chart"
    for name in charts:
        png = figures / f"{name}.png"
        assert png.read_bytes()[:8] == PNG, f"{png.name} is a PNG"


def test_four_notebooks():
    assert [s.stem[:2] for s in SCRIPTS] == ["01", "02", "03", "04"]


def test_missing_glyph_is_an_error(tmp_path, monkeypatch):
    """_style.setup() turns matplotlib's missing-glyph warning into an error, so the notebook cell fails."""
    import matplotlib
    import matplotlib.pyplot as plt

    monkeypatch.setenv("BULLETIN_FIGURES", str(tmp_path))
    spec = importlib.util.spec_from_file_location("notebooks_style", NOTEBOOKS / "_style.py")
    style = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(style)
    with matplotlib.rc_context():
        assert style.setup() == "Noto Sans SC"
        fig, ax = plt.subplots()
        ax.set_title("安康市 旬陽縣 ≥50万平方米")
        style.save(fig, "ok")  # every CJK glyph is there: no warning, so no error
        ax.set_title("\U0001F643 has no glyph")
        with pytest.raises(UserWarning, match="missing from font"):
            style.save(fig, "bad")
        plt.close(fig)
    assert (tmp_path / "ok.png").read_bytes()[:8] == PNG
