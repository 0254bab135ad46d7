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


# --- other government texts: work reports, communiqués (invented headers of cities none of the shared texts are from)

FM = "---\ntitle: {title}\n---\n\n"
BODY = "各位代表：\n\n现在，我代表市人民政府向大会报告工作，请予审议。全市生产总值增长6%。"


@pytest.mark.parametrize("source,expected", [
    (FM.format(title="九江市政府工作报告（2019年3月5日 李华强）")
     + "——2019年3月5日在九江市第十五届人民代表大会第四次会议上\n\n九江市人民政府市长 李华强\n\n" + BODY,
     dict(speech_date=date(2019, 3, 5), date_source="header", speaker="李华强", title="九江市政府工作报告",
          city="九江市", reference_date=date(2019, 3, 5), reference_source="speech_date")),
    (FM.format(title="黔南州政府工作报告（2022年12月29日 吴胜）")
     + "（二〇二二年十二月二十九日在州第十五届人民代表大会第三次会议上）\n\n州长 吴胜\n\n" + BODY,
     dict(speech_date=date(2022, 12, 29), date_source="header", speaker="吴胜", title="黔南州政府工作报告",
          city="黔南布依族苗族自治州")),
    ("**——2021年3月28日在绵阳市第八届人民代表大会第五次会议上**\n\n**绵阳市人民政府代理市长 陈 刚**\n\n" + BODY,
     dict(speech_date=date(2021, 3, 28), date_source="header", speaker="陈刚", city="绵阳市", title=None)),
    ("政府工作报告\n——二〇二三年二月九日在赣州市第六届人民代表大会第三次会议上\n刘明远\n" + BODY,
     dict(speech_date=date(2023, 2, 9), speaker="刘明远", title="政府工作报告", city="赣州市")),
    ("2020年1月8日在巴音郭楞蒙古自治州第十五届人民代表大会第四次会议上\n自治州州长 阿不都·热合曼\n" + BODY,
     dict(speech_date=date(2020, 1, 8), speaker="阿不都·热合曼", city="巴音郭楞蒙古自治州")),
    ("（2021年1月20日在盟十届人大五次会议上）\n锡林郭勒盟盟长 巴特尔\n各位代表：\n我代表盟行政公署报告工作。全盟经济增长5%。",
     dict(speech_date=date(2021, 1, 20), note=None, speaker="巴特尔", city="锡林郭勒盟")),
    ("——2009年1月14日在江西省第十一届人民代表大会第二次会议上\n省人民政府省长\n" + BODY,
     dict(speech_date=date(2009, 1, 14), speaker=None, city="江西省")),
    (FM.format(title="芜湖市政府工作报告（2020年1月6日 王晓东）") + "<!-- 市长作报告 -->\n" + BODY,
     dict(speech_date=date(2020, 1, 6), date_source="front_matter", speaker="王晓东", title="芜湖市政府工作报告",
          city="芜湖市")),
    ("---\nsource: https://example.org/a.html\ntitle: 2016年\n---\n**中华人民共和国**\n**2016年国民经济和社会发展统计公报**\n"
     "国家统计局\n2017年2月28日\n2016年，全国经济增长6.7%。",
     dict(speech_date=date(2017, 2, 28), published_on=date(2017, 2, 28), date_source="published_on", speaker=None,
          title="中华人民共和国2016年国民经济和社会发展统计公报", city="全国")),
    ("张明同志在2021年3月1日宜宾市工业大会上的讲话\n\n今天召开会议。全市工业增长8%。",
     dict(speech_date=date(2021, 3, 1), date_source="title", speaker="张明", city="宜宾市")),
    ("各位代表：\n\n2021年6月30日，全市完成改造任务；2022年12月31日前完成其余任务。洛阳发展良好。",
     dict(speech_date=None, date_source=None, reference_date=date(2021, 6, 30),
          reference_source="latest_date_in_text", city="洛阳市")),
    (FM.format(title="2024年政府工作报告") + BODY,
     dict(speech_date=None, date_source=None, reference_date=date(2024, 1, 1), reference_source="title_year",
          title="2024年政府工作报告")),
    ("番茄炒蛋\n\n鸡蛋3个，番茄2个。", dict(speech_date=None, date_source=None, reference_date=None, title=None)),
    ("——2023年2月9日在赣州市第六届人民代表大会\n第三次会议上\n刘明远\n" + BODY,
     dict(speech_date=date(2023, 2, 9), speaker="刘明远", city="赣州市")),
], ids=["front-matter-dash-line", "bracket-line-chinese-numerals-prefecture", "bold-lines-acting-mayor",
        "title-line-bare-name", "dot-name-prefecture", "league", "province-no-name", "front-matter-only",
        "communique-published-date", "date-in-title", "estimate-latest-date", "estimate-title-year", "no-date",
        "meeting-line-broken-then-bare-name"])
def test_report_metadata(source, expected):
    m = meta_of(source)
    for k, v in expected.items():
        assert getattr(m, k) == v, (k, getattr(m, k))


def _header_body(source: str):
    ct, n = clean(source)
    paras = ct.text.split("\n")
    return paras[:n], "\n".join(paras[n:])


def test_corpus_date_is_the_last_fallback():
    header, body = _header_body("各位代表：\n\n今年全市经济增长5%。")
    m = read_metadata(header, body, config_date=date(2021, 2, 2))
    assert (m.speech_date, m.date_source, m.reference_date) == (date(2021, 2, 2), "config", date(2021, 2, 2))
    header, body = _header_body("——2020年1月6日在市人民代表大会上\n市长王浩\n各位代表：\n正文。")
    assert read_metadata(header, body, config_date=date(2021, 2, 2)).date_source == "header"


@pytest.mark.parametrize("source,says", [
    ("国家统计局\n2017年2月28日\n2016年，全国经济增长6.7%。", "is its published date (date_source published_on)"),
    ("各位代表：\n\n2021年6月30日，全市完成改造任务。", "times resolve against 2021-06-30, the latest full date"),
    ("各位代表：\n\n全市完成改造任务。", "nor any date in the text"),
])
def test_a_fallback_is_said_on_stderr(capsys, source, says):
    header, body = _header_body(source)
    read_metadata(header, body, source="reports/x.md")
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("date: reports/x.md: ") and says in err[0], err


def test_the_texts_own_date_is_not_reported(capsys):
    header, body = _header_body("——2020年1月6日在市人民代表大会上\n市长王浩\n各位代表：\n正文。")
    read_metadata(header, body, source="x.md")
    assert capsys.readouterr().err == ""


def test_corpus_toml_dates(tmp_path):
    """date = … corpus-wide and per document ([documents."x.md"]), a TOML date or an ISO string."""
    from pipeline.config import ConfigError, load_settings

    (tmp_path / "corpus.toml").write_text('date = "2021-02-02"\n[documents."a/x.md"]\ndate = 2020-12-29\n'
                                          '[documents."y.md"]\ncity = "九江市"\n', encoding="utf-8")
    s = load_settings(tmp_path)
    assert s.date_for("a/x.md") == date(2020, 12, 29) and s.date_for("y.md") == date(2021, 2, 2)
    assert s.city_for("y.md") == "九江市" and s.fingerprint() != load_settings(None).fingerprint()
    (tmp_path / "corpus.toml").write_text('[documents."x.md"]\ndate = "2021年2月2日"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r'\[documents."x.md"\]: date = .* is not a date \(write date = "YYYY-MM-DD"\)'):
        load_settings(tmp_path)
