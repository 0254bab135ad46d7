"""Cleaning repairs PDF noise and keeps a complete map back to source offsets."""
import pytest

from pipeline.clean import clean


def _body(text: str) -> str:
    return clean(text)[0].text


@pytest.mark.parametrize("source,expected", [
    ("全市规上工业增加值\n\n增长 11.4%，增速高于全省 6.2 个百分点。", "全市规上工业增加值增长11.4%，增速高于全省6.2个百分点。"),
    ("旬\n\n阳县发展良好。", "旬阳县发展良好。"),
    ("新建标准化厂房 61 万\n\n平方米。", "新建标准化厂房61万平方米。"),
    ("**三是招商引资活动受限。**大多数企业", "三是招商引资活动受限。大多数企业"),
    ("　　全年新增企业。", "全年新增企业。"),
    ("引进 PP 棉企业。", "引进PP棉企业。"),
    ("Hello World 项目。", "Hello World项目。"),
    ("第一段结束。\n\n第二段开始。", "第一段结束。\n第二段开始。"),
    ("讲几点意见：\n 一、肯定成绩\n\n过去一年，", "讲几点意见：\n一、肯定成绩\n过去一年，"),
    ("正文。\n\n- 3 -\n\n继续。", "正文。\n继续。"),
    ("结束。\n\n主送：各县区人民政府。\n\n抄送：市委办公室。", "结束。"),
    ("增长<br/>11.4%。", "增长11.4%。"),
    ("增长１１.４％。", "增长11.4%。"),
    ("第五，加强防控工作。当前，难点在\n 城镇。", "第五，加强防控工作。当前，难点在城镇。"),
    ("這個國家的經濟發展們會議，產業區縣為企業", "这个国家的经济发展们会议，产业区县为企业"),
], ids=["spaces-in-numbers", "broken-word", "broken-unit", "markdown", "fullwidth-indent", "latin-cjk",
        "latin-latin", "paragraphs", "heading-line", "page-number", "footer", "html-tag", "fullwidth-digits",
        "heading-inline-continues", "traditional"])
def test_clean_text(source, expected):
    assert _body(source) == expected


@pytest.mark.parametrize("source", [
    "全市规上工业增加值\r\n\r\n增长 11.4%。\r\n下一段。",
    "旬\r阳县。\r",
    "**三是**\n\n招商 61 万\n平方米",
    "這個國家的經濟發展們會議，產業區縣為",
    " 第九期\n\n（2020 年 2 月 28 日）\n\n正文 1 户。",
], ids=["crlf", "cr", "markup", "traditional", "header"])
def test_offset_map_points_at_the_same_characters(source):
    ct, _ = clean(source)
    assert len(ct.src) == len(ct.text) + 1
    for i, ch in enumerate(ct.text):
        src = source[ct.src[i]]
        if ch == "\n":
            assert src in "\r\n"
        elif src != ch:  # a one-for-one substitution: full-width fold or Traditional -> Simplified
            assert ord(src) > 0x2E80 or src in "％"


def test_header_lines_are_counted_and_kept_apart():
    src = "安政通报\n\n第十三期\n\n安康市人民政府办公室\n\n2021年3月10日\n\n（2021年3月8日）\n\n今天召开会议。"
    ct, header_n = clean(src)
    assert header_n == 5
    assert ct.text.split("\n")[:5] == ["安政通报", "第十三期", "安康市人民政府办公室", "2021年3月10日", "（2021年3月8日）"]


def test_source_span_maps_back_across_a_line_break():
    src = "新建标准化厂房 61 万\n\n平方米。"
    ct, _ = clean(src)
    i = ct.text.index("61万平方米")
    s, e = ct.source_span(i, i + len("61万平方米"))
    assert src[s:e] == "61 万\n\n平方米"


def test_lines_with_nothing_to_change_are_kept_as_they_are(monkeypatch):
    """_line_chars returns a line without markup, spaces or full-width characters at once; every corpus
    line comes out as the character-by-character walk makes it."""
    from pathlib import Path

    import regex

    from pipeline import clean

    root = Path(__file__).resolve().parent.parent
    src = "".join(p.read_text(encoding="utf-8") for p in sorted((root / "corpus").glob("*.txt")))
    src += "\n增长１１．４％\n<b>标记</b>\n  前后空格  \n纯文本一行\n"
    markup = clean._rules()["markup"]
    spans = list(clean._lines(src))
    fast = [clean._line_chars(src, s, e, markup) for s, e in spans]
    monkeypatch.setattr(clean, "_CHANGED", regex.compile(r"[\s\S]"))  # every line takes the walk
    assert fast == [clean._line_chars(src, s, e, markup) for s, e in spans]
