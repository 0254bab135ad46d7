"""Parts of a text (review / plan / other, and their years) and what they mean for figures and deadlines.

Headings and sentences are invented, in the style of municipal work reports and bulletin speeches.
"""
from datetime import date

import pytest

from pipeline.config import Settings
from pipeline.model import SourceDoc
from pipeline.parts import read_heading
from pipeline.runner import DOC_STAGES, run_stages

D = date.fromisoformat
REVIEW_2023 = read_heading("一、2023年工作回顾", D("2024-01-20"), [])

# (id, heading, text date, the parts before it, role, year, first year, dated)
HEADINGS = [
    ("dated-review", "一、2023年工作回顾", "2024-01-20", [], "review", 2023, 2023, True),
    ("chinese-numeral-year", "二、二〇二四年工作安排", "2024-01-20", [REVIEW_2023], "plan", 2024, 2024, True),
    ("five-years-back", "一、过去五年工作回顾", "2022-01-12", [], "review", 2021, 2017, True),
    ("last-year", "一、过去一年的主要工作", "2022-01-12", [], "review", 2021, 2021, True),
    ("plan-after-review", "三、全面加强政府自身建设", "2024-01-20", [REVIEW_2023], "plan", 2024, 2024, True),
    ("no-cue-after-review", "四、持续保障和改善民生", "2024-01-20", [REVIEW_2023], "plan", 2024, 2024, True),
    ("december-report-plans-next-year", "二、2024年主要目标任务", "2023-12-27",
     [read_heading("一、2023年工作回顾", D("2023-12-27"), [])], "plan", 2024, 2024, True),
    ("five-year-plan", "二、“十五五”时期的主要目标", "2026-01-15", [], "plan", 2030, 2030, True),
    ("speech-review-undated", "一、充分肯定成绩，坚定发展信心", "2022-05-06", [], "review", 2022, 2022, False),
    ("speech-tasks-undated", "二、聚焦重点任务，狠抓工作落实", "2022-05-06", [], "plan", 2022, 2022, False),
    ("statistics-chapter", "二、农业", "2022-02-28", [], "other", None, None, False),
]


@pytest.mark.parametrize("heading,when,before,role,year,first,dated", [c[1:] for c in HEADINGS],
                         ids=[c[0] for c in HEADINGS])
def test_read_heading(heading, when, before, role, year, first, dated):
    p = read_heading(heading, D(when), before)
    assert (p.role, p.year, p.first_year, p.dated) == (role, year, first, dated)


REPORT = """---
title: 江城市政府工作报告（2024年1月20日 王明）
---

——2024年1月20日在江城市第九届人民代表大会第三次会议上

市长 王明

各位代表：

现在，我代表市人民政府向大会报告工作。

一、2023年工作回顾

一年来，全市地区生产总值增长6.1%。新增减税降费12.5亿元。全年新增城镇就业3.2万人。

二、2024年工作安排

今年经济社会发展的主要预期目标是：地区生产总值增长6%左右，城镇调查失业率控制在5.5%以内，规上工业增加值增长7%以上。

完成高标准农田建设12万亩。年内新增高新技术企业60家。目前全市有各类市场主体35万户。

注释

〔1〕数字经济：指以数据资源为关键要素的经济形态，占比达到40%。
"""


@pytest.fixture(scope="module")
def report():
    store = {"source": SourceDoc(REPORT, "md", "utf-8", ["江城市_2024.md"]), "settings": Settings(ner=False)}
    return run_stages(store, tuple(s for s in DOC_STAGES if s.name != "entities"))


def _fig(report, mention):
    found = [f for f in report["figures"] if "".join(f.mention.split()) == mention]
    assert found, (mention, [f.mention for f in report["figures"]])
    return found[0]


# (mention, kind, period): what the part says when the sentence says nothing
FIGURES = [
    ("6.1%", "actual", "2023"),          # review: the reviewed year
    ("12.5亿元", "actual", "2023"),       # review: a task verb (新增) does not make a target
    ("3.2万人", "actual", "2023"),        # 全年 in a review is the reviewed year
    ("6%左右", "target", "2024"),         # 预期目标 is a plan, not a forecast
    ("7%以上", "target", "2024"),         # the modal word is further back than the window
    ("12万亩", "target", "2024"),         # a plan goal without a modal word of its own
    ("60家", "target", "2024"),
    ("35万户", "actual", "2024-01-20"),   # a present fact in the plan part
]


@pytest.mark.parametrize("mention,kind,period", FIGURES, ids=[c[0] for c in FIGURES])
def test_the_part_gives_kind_and_period(report, mention, kind, period):
    f = _fig(report, mention)
    assert (f.kind, f.period) == (kind, period)


def test_sentences_carry_their_part(report):
    rows = {r.text: (r.part, r.part_year) for r in report["sentence_rows"]}
    assert rows["一、2023年工作回顾"] == ("review", 2023)
    assert rows["完成高标准农田建设12万亩。"] == ("plan", 2024)
    assert rows["现在，我代表市人民政府向大会报告工作。"] == ("other", None)


def test_the_notes_after_the_text_give_no_fact(report):
    notes_start = REPORT.index("注释")
    assert not [f for f in report["figures"] if f.start >= notes_start]
    assert [d.mention for d in report["deadlines"]] == ["年内"]


def test_the_header_of_the_report_is_read(report):
    row = report["document_row"]
    assert (row.speech_date, row.speaker) == (D("2024-01-20"), "王明")
