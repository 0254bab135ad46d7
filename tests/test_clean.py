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
    assert fast == [clean._walk(src, s, e, markup) for s, e in spans]


def test_a_line_taken_run_by_run_is_the_character_walk():
    """_line_chars (runs of non-space characters) against _walk (one character at a time), on every line
    of the development texts and on random lines of spaces, Latin and Han, full-width characters, markup,
    dropped spans that overlap, start before the line or end after it, and line prefixes."""
    import random
    from pathlib import Path

    from pipeline import clean

    root = Path(__file__).resolve().parent.parent
    shared = root.parent / "shared"
    texts = [p.read_text(encoding="utf-8") for p in sorted((root / "corpus").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((shared / "gold_reports" / "texts").glob("*"))
              if p.is_file()]
    r = clean._rules()
    markup, prefix = r["markup"], r["line_markup"]
    cases = [(t, s, e, None) for t in texts for s, e in clean._lines(t)]
    rnd = random.Random(11)
    alphabet = ["a", "B", "7", "Ｘ", "９", "％", " ", "  ", "\t", "\u3000", "\u00a0", "\u200b", "增", "长", "。",
                "**", "<b>", "</b>", "# ", "- ", "> ", "![x](y)", "[链接](http://a.b)"]
    for _ in range(3000):
        line = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 14)))
        n = len(line)
        drops = sorted((a, a + rnd.randint(0, 4)) for a in (rnd.randint(-3, n + 1) for _ in range(rnd.randint(0, 3))))
        cases.append((line, 0, n, drops or None))
    assert len(cases) > 4000
    for text, s, e, drops in cases:
        for pre in (None, prefix):
            got = clean._line_chars(text, s, e, markup, list(drops) if drops else None, pre)
            assert got == clean._walk(text, s, e, markup, list(drops) if drops else None, pre), (text[s:e], drops)


# --- Markdown and the headers of other government texts (invented lines) ---------------------------

@pytest.mark.parametrize("source,expected", [
    ("## 一、综合\n\n全年增长5%。", "一、综合\n全年增长5%。"),
    ("- 居民消费价格 2.5\n- 食品 3.0", "居民消费价格2.5食品3.0"),
    ("> 引文一段。", "引文一段。"),
    ("增长5%。\n\n![](./chart.png)\n\n继续。", "增长5%。\n继续。"),
    ("见[统计公报](https://example.org/a.html)。", "见统计公报。"),
    ("| 指标 | 数值 |\n| --- | ---: |\n| 增长 | 5% |", "|指标|数值||增长|5%|"),
    ("正文一。\n\n---\n\n正文二。", "正文一。\n正文二。"),
    ("开头<!-- 注释 -->正文。", "开头正文。"),
    ("开头。\n<!-- 跨\n两行 -->\n正文。", "开头。\n正文。"),
    ("未闭合 <!-- 注释", "未闭合<!--注释"),
    ("第一段。**1.5万**户。", "第一段。1.5万户。"),
], ids=["heading", "list", "quote", "image-line", "link", "table", "rule", "comment", "comment-two-lines",
        "unclosed-comment", "bold"])
def test_markdown_markup_is_removed(source, expected):
    assert _body(source) == expected


FRONT = "---\ntitle: 九江市政府工作报告（2019年3月5日 李华强）\nsource: https://example.org/r.html\n---\n\n"


@pytest.mark.parametrize("source,header", [
    (FRONT + "——2019年3月5日在九江市第十五届人民代表大会第四次会议上\n\n九江市人民政府市长 李华强\n\n各位代表：\n\n正文。",
     ["title:九江市政府工作报告（2019年3月5日李华强）", "source:https://example.org/r.html",
      "——2019年3月5日在九江市第十五届人民代表大会第四次会议上", "九江市人民政府市长李华强"]),
    ("**（2022年12月29日在州十五届人大三次会议上）**\n**州长 吴胜**\n各位代表:\n正文。",
     ["（2022年12月29日在州十五届人大三次会议上）", "州长吴胜"]),
    ("（2022年12月29日在市十届人大一次会议上）\n市长 吴胜\n各位代表：\n正文。",
     ["（2022年12月29日在市十届人大一次会议上）", "市长吴胜"]),
    ("政府工作报告\n——2023年2月9日在赣州市第六届人民代表大会\n第三次会议上\n刘明远\n各位代表：现在，我报告工作。",
     ["政府工作报告", "——2023年2月9日在赣州市第六届人民代表大会", "第三次会议上", "刘明远"]),
    ("——2020年1月8日在市人民代表大会上\n市长 王浩\n2019年工作回顾\n过去一年，全市增长。",
     ["——2020年1月8日在市人民代表大会上", "市长王浩"]),
    ("中华人民共和国2016年统计公报[1]\n国家统计局\n2017年2月28日\n2016年，全国经济增长6.7%。",
     ["中华人民共和国2016年统计公报[1]", "国家统计局", "2017年2月28日"]),
    (FRONT + "<!-- 摘要 -->\n**各位代表：**\n正文。", ["title:九江市政府工作报告（2019年3月5日李华强）",
                                                  "source:https://example.org/r.html"]),
    ("全市规上工业增加值\n增长 11.4%，增速高于全省。", []),
    ("番茄炒蛋\n\n鸡蛋3个，番茄2个。", []),
    ("---\n---\n正文。", []),
], ids=["front-matter-and-report-lines", "bold-bracket-line", "short-bracket-line-then-speaker", "broken-meeting-line",
        "heading-after-speaker-is-body", "communique", "front-matter-only", "broken-first-sentence", "recipe",
        "empty-fences-are-rules"])
def test_header_lines_of_other_texts(source, header):
    ct, n = clean(source)
    assert ct.text.split("\n")[:n] == header


def test_front_matter_never_becomes_body_and_offsets_point_into_the_file():
    src = FRONT + "<!-- 市长作报告 -->\n**——2019年3月5日在九江市第十五届人民代表大会第四次会议上**\n\n市长 李华强\n\n各位代表：\n\n**一、工作回顾**\n\n增长 5%。"
    ct, n = clean(src)
    body = ct.text.split("\n")[n:]
    assert body == ["各位代表：", "一、工作回顾", "增长5%。"]
    for i, ch in enumerate(ct.text):
        assert ch == "\n" or src[ct.src[i]] == ch
    i = ct.text.index("5%")
    s, e = ct.source_span(i, i + 2)
    assert src[s:e] == "5%"


def test_line_positions_are_the_range_far_into_a_long_text(monkeypatch):
    """_positions slices a kept 0, 1, 2 ... array, grown as texts get longer, and builds the range itself
    past IOTA_MAX (a huge text does not leave a huge array behind): the same numbers either way."""
    from array import array

    from pipeline import clean

    monkeypatch.setattr(clean, "IOTA_MAX", 100_000)
    monkeypatch.setattr(clean, "_IOTA", [array("l")])
    for start, end in [(0, 0), (0, 5), (3, 70_000), (69_990, 70_010), (99_990, 100_000), (99_995, 100_020),
                       (250_000, 250_100)]:
        assert clean._positions(start, end) == array("l", range(start, end)), (start, end)
    assert len(clean._IOTA[0]) <= 100_000
