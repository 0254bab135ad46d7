"""One ledger across genres: a city's work report and its meeting speeches join one series per indicator.

The report sets the year's targets and reviews the last year; the speeches restate or change them and
report progress. A synthetic mixed corpus of one city (texts invented by the test, in neither development
set): a work report with front matter, a review part and a plan part, and two bulletin speeches. Series
are keyed by (indicator, scope, period, kind) whatever the genre (KB_SCHEMA.md), each statement says
which kind of document it comes from, and a look-alike indicator (新增规上服务业企业, the same number and
unit as 新增规上工业企业) stays out of the other's series.
"""
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import kb_of, kb_rows

ROOT = Path(__file__).resolve().parent.parent

REPORT = """---
title: 宜昌市政府工作报告（2023年1月10日 张华）
---

——2023年1月10日在宜昌市第八届人民代表大会第二次会议上

宜昌市市长 张华

各位代表：

现在，我代表市人民政府向大会报告工作，请予审议。

一、2022年工作回顾

过去一年，全市地区生产总值增长4.8%，新增规上工业企业98家，新建5G基站1600个。

二、2023年主要目标任务

今年经济社会发展的主要预期目标是：地区生产总值增长6.8%左右，新增规上工业企业120家以上，新增规上服务业企业52家，新建5G基站2000个。
"""


def speech(issue: str, published: str, date: str, meeting: str, body: str) -> str:
    return (f"宜政通报\n\n第{issue}期\n\n宜昌市人民政府办公室\n\n{published}\n\n"
            f"刘明同志在{meeting}上的讲话\n\n（{date}）\n\n{body}\n")


TEXTS = {
    "report.md": REPORT,
    "spring.txt": speech("四", "2023年3月20日", "2023年3月15日", "全市一季度经济工作会议",
                         "去年全市新增规上工业企业98家。今年要确保全年新增规上工业企业120家，新增规上服务业企业120家，"
                         "全年新建5G基站力争达到2500个，地区生产总值增长6.8%左右。"),
    "summer.txt": speech("十二", "2023年7月25日", "2023年7月20日", "全市半年经济形势分析会",
                         "上半年，全市新增规上工业企业65家，新建5G基站1300个。"),
}


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    return kb_of(TEXTS, tmp_path_factory.mktemp("mixed"))


def rows(kb: Path, table: str) -> list[dict]:
    return kb_rows(kb, table)


def series(kb: Path, indicator: str, period: str, kind: str) -> list[dict]:
    return [h for h in rows(kb, "figure_history")
            if h["indicator"] == indicator and h["period"] == period and h["kind"] == kind]


def kinds(kb: Path) -> dict[str, str]:
    return {d["source"]: d["doc_kind"] for d in rows(kb, "documents")}


def test_each_document_says_its_kind(kb):
    assert kinds(kb) == {"report.md": "report", "spring.txt": "speech", "summer.txt": "speech"}
    assert {d["city"] for d in rows(kb, "documents")} == {"宜昌市"}


STATEMENTS = [  # (indicator, period, kind): [(document kind, status, value, qualifier)] in speech-date order
    ("新增规上工业企业数", "2023", "target", [("report", "first", "120", ">="), ("speech", "restated", "120", "=")]),
    ("新建5G基站数", "2023", "target", [("report", "first", "2000", "="), ("speech", "changed", "2500", "=")]),
    ("生产总值增速", "2023", "target", [("report", "first", "6.8", "~"), ("speech", "restated", "6.8", "~")]),
    ("新增规上工业企业数", "2022", "actual", [("report", "first", "98", "="), ("speech", "restated", "98", "=")]),
]


@pytest.mark.parametrize("indicator,period,kind,expected", STATEMENTS,
                         ids=["restated-target", "changed-target", "restated-rate", "restated-actual"])
def test_a_report_and_a_speech_make_one_series(kb, indicator, period, kind, expected):
    s = series(kb, indicator, period, kind)
    assert [(h["doc_kind"], h["status"], h["value"], h["qualifier"]) for h in s] == expected
    assert len({h["series_id"] for h in s}) == 1 and {h["scope"] for h in s} == {"宜昌市"}


def test_a_changed_target_carries_what_it_was(kb):
    first, later = series(kb, "新建5G基站数", "2023", "target")
    assert later["previous_figure_id"] == first["figure_id"]
    assert (later["previous_value"], later["delta"]) == ("2000", "500")


def test_a_look_alike_stays_out(kb):
    """新增规上服务业企业120家 has the number, unit, period and kind of 新增规上工业企业120家: another series."""
    industry = {h["figure_id"] for h in series(kb, "新增规上工业企业数", "2023", "target")}
    services = [h for h in rows(kb, "figure_history") if "服务业" in h["indicator"]]
    assert services and not industry & {h["figure_id"] for h in services}
    assert not {h["series_id"] for h in services} & {h["series_id"] for h in
                                                       series(kb, "新增规上工业企业数", "2023", "target")}


def test_a_speech_reports_against_the_report_target(kb):
    found = [r for r in rows(kb, "targets_vs_actuals")
             if r["indicator"] == "新增规上工业企业数" and r["target_id"].startswith(
                 next(d["doc_id"] for d in rows(kb, "documents") if d["doc_kind"] == "report"))]
    assert [(r["target_value"], r["qualifier"], r["actual_value"], r["outcome"]) for r in found] == [
        ("120", ">=", "65", "partial")]
    assert Decimal(found[0]["share"]) == Decimal("0.5417")


def test_history_shows_the_kind_and_sentence_of_each_statement(kb):
    r = subprocess.run([sys.executable, "-m", "pipeline", "history", "5G基站", "--extracted", str(kb)],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    first = next(i for i, ln in enumerate(lines) if "report" in ln and "first" in ln and "2000" in ln)
    changed = next(i for i, ln in enumerate(lines) if "speech" in ln and "changed" in ln and "2500" in ln)
    assert "新建5G基站2000个" in lines[first + 1] and "宜昌市政府工作报告" in lines[first + 1]
    assert "全年新建5G基站力争达到2500个" in lines[changed + 1]
