"""make check-reports: the module runs the pipeline on a folder of texts and compares with an index (invented texts)."""
from pathlib import Path

import pytest

from pipeline import check_reports

REPORT = """---
title: {city}政府工作报告（{date_cn} {name}）
---

——{date_cn}在{city}第十届人民代表大会第三次会议上

{city}人民政府市长 {name}

各位代表：

现在，我代表市人民政府向大会报告工作，请予审议。

一、过去一年工作回顾

全市地区生产总值增长6.5%，新增规模以上工业企业120家。

二、今年主要目标

全市地区生产总值增长7%左右，年底前完成老旧小区改造200个。
"""
UNDATED = "---\ntitle: {city}政府工作报告（{date_cn} {name}）\n---\n\n各位代表：\n\n全市地区生产总值增长5%。\n"
INDEX = ("file,kind,chars,front_matter_title,title_date,title_speaker,repo_path,blob\n"
         "九江市_2021.md,city,0,,2021-02-02,李华强,,\n"
         "芜湖市_2022.md,city,0,,2022-01-06,王晓东,,\n")


@pytest.fixture()
def folder(tmp_path) -> Path:
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "九江市_2021.md").write_text(REPORT.format(city="九江市", date_cn="2021年2月2日", name="李华强"),
                                        encoding="utf-8")
    (texts / "芜湖市_2022.md").write_text(UNDATED.format(city="芜湖市", date_cn="2022年1月6日", name="王晓东"),
                                        encoding="utf-8")
    (tmp_path / "index.csv").write_text(INDEX, encoding="utf-8")
    return texts


def test_counts_and_misses(folder, capsys):
    rc = check_reports.main([str(folder), "--no-ner"])
    out = capsys.readouterr().out
    assert "speech date = title_date, as given                 2/2" in out
    assert "speech date = title_date, front matter removed     1/2" in out  # the second text's date is only up front
    assert "date, front matter removed: 芜湖市_2022.md: got -, index says 2022-01-06" in out
    assert "speaker = title_speaker, as given                  2/2" in out
    assert "city = the place the file is named after           2/2" in out
    assert "failures 0" in out and "documents without figures: none" in out
    row = next(line for line in out.splitlines() if line.startswith("九江市_2021.md"))
    figures, targets, deadlines, *_ = map(int, row.split()[-5:])
    assert figures >= 3 and deadlines >= 1  # 6.5%, 120家, 7%左右, 200个; 年底前 resolves against 2021-02-02
    assert rc == 1  # 1 of 2 with the front matter removed misses the 95% goal


def test_metadata_only_and_help(folder, capsys):
    assert check_reports.main([str(folder), "--no-facts", "--quiet"]) == 1
    assert "full run" not in capsys.readouterr().out
    with pytest.raises(SystemExit) as e:
        check_reports.main(["--help"])
    assert e.value.code == 0 and "title_date" in capsys.readouterr().out


def test_missing_folder(tmp_path, capsys):
    assert check_reports.main([str(tmp_path / "none")]) == 1
    assert "need a folder of texts" in capsys.readouterr().err
