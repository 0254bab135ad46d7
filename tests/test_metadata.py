"""Header rules read each header form seen in bulletins (not per file)."""
from datetime import date

import pytest

from pipeline.clean import clean
from pipeline.metadata import read_metadata


def meta_of(source: str):
    ct, n = clean(source)
    paras = ct.text.split("\n")
    return read_metadata(paras[:n], "\n".join(paras[n:]))


@pytest.mark.parametrize("source,expected", [
    (" 第九期\n\n安康市人民政府办公室 2020 年 3 月 1 日\n\n（2020 年 2 月 28 日）\n\n刚才，同志们。",
     dict(issue_no=9, published_on=date(2020, 3, 1), speech_date=date(2020, 2, 28), speaker=None, title=None,
          city="安康市", bulletin=None)),
    ("安政通报\n\n第三十二期\n\n安康市人民政府办公室\n\n2020年6月30日\n\n寇全安同志 在全市工业经济稳增长专班 第一次会议上的讲话\n\n(2020年6月24日)\n\n今天。",
     dict(issue_no=32, published_on=date(2020, 6, 30), speech_date=date(2020, 6, 24), speaker="寇全安",
          title="全市工业经济稳增长专班第一次会议", bulletin="安政通报", city="安康市")),
    (" 寇全安同志\n\n在全市县域工业集中区高质量发展\n\n暨工业经济运行调度工作会议上的讲话\n\n（2021年10月29日）\n\n今天召开会议，安康高新区、汉滨发言，安康的发展。",
     dict(issue_no=None, published_on=None, speech_date=date(2021, 10, 29), speaker="寇全安",
          title="全市县域工业集中区高质量发展暨工业经济运行调度工作会议", city="安康市")),
    ("安政通报\n\n第二十五期\n\n安康市人民政府办公室\n\n2020年5月10日\n\n赵俊民同志 在市毛绒玩具文创产业发展领导小组第三次 全体扩大会议上的讲话\n\n(2020年5月7日·根据录音整理)\n\n今天。",
     dict(issue_no=25, speech_date=date(2020, 5, 7), speaker="赵俊民", note="根据录音整理",
          title="市毛绒玩具文创产业发展领导小组第三次全体扩大会议")),
    ("汉政通报\n\n第一百零五期\n\n汉中市人民政府办公室\n\n2022年1月5日\n\n李明同志在全市工作会议上的讲话\n\n（2022年1月4日）\n\n正文。",
     dict(issue_no=105, bulletin="汉政通报", city="汉中市", speaker="李明", title="全市工作会议")),
], ids=["issue-and-date-on-one-line", "full-header", "speaker-on-own-line-no-issue", "recording-note", "other-city"])
def test_metadata(source, expected):
    m = meta_of(source)
    for k, v in expected.items():
        assert getattr(m, k) == v, k


def test_city_override_wins():
    ct, n = clean("第一期\n\n（2020年1月2日）\n\n全市发展。")
    paras = ct.text.split("\n")
    assert read_metadata(paras[:n], "", city_override="汉中市").city == "汉中市"
