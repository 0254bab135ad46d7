"""pipeline.readers: every fixture is generated here (tmp_path), so the cases say exactly what they hold."""
from __future__ import annotations

import io
import os
import tracemalloc
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_docx, make_pdf, random_bytes
from pipeline.readers import SUPPORTED_SUFFIXES, InputRejected, SourceText, decode_text, read_source

ZH = ("安康市人民政府办公室关于全市工业经济运行情况的通报。今年以来，全市规模以上工业增加值同比增长12.5%，"
      "新建标准化厂房50万平方米以上，新引进毛绒玩具企业20家，县域工业集中区完成投资16.4亿元。")
ZH2 = "各县区要认真落实市政府的工作部署，确保年底前完成全年目标任务，进一步推动工业经济高质量发展。"
ZH_TRAD = ("臺灣地區的經濟發展與轉型，政府應當積極推動產業升級，並且加強對中小企業的扶持與輔導，"
           "確保經濟穩定增長與社會和諧發展。")
NOPUNCT = "安康市新社区工厂吸纳就业人员持续增加毛绒玩具产业集群发展壮大"
MD = f"---\ntitle: 洛阳市政府工作报告（2022年1月9日 周明远）\n---\n\n<!-- 摘要 -->\n**一、工作回顾**\n\n{ZH}\n"


def _docx_merged() -> bytes:
    """A 2x3 table: (0,0)+(0,1) merged across, (0,2)+(1,2) merged down."""
    doc = docx.Document()
    doc.add_paragraph("表一")
    t = doc.add_table(rows=2, cols=3)
    t.cell(0, 0).merge(t.cell(0, 1)).text = "合并"
    t.cell(0, 2).merge(t.cell(1, 2)).text = "数值"
    t.cell(1, 0).text, t.cell(1, 1).text = "x", "y"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _zip(files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, content in files.items():
            z.writestr(name, content)
    return buf.getvalue()


GOV_PAGE = f"""<!DOCTYPE html>
<html><head><meta charset="{{charset}}"><title>安康市人民政府门户网站</title>
<script>var tip = "脚本里的中文不应出现";</script><style>.nav {{{{ color: red }}}}</style></head>
<body>
<div class="header"><div class="logo">安康市人民政府门户网站欢迎您</div></div>
<div id="nav"><ul><li><a href="/">首页</a></li><li><a>政务公开</a></li><li><a>政府信息公开目录</a></li>
<li><a>办事服务</a></li><li><a>互动交流</a></li><li><a>走进安康</a></li></ul></div>
<div class="breadcrumb">当前位置：首页 &gt; 政务公开 &gt; 安政通报</div>
<div class="main"><div class="left-menu"><ul><li>通知公告</li><li>政府文件</li><li>政策解读</li></ul></div>
<div class="article"><h1>关于全市工业经济运行情况的通报</h1>
<div class="content">
<p>　　{ZH}</p>
<p>　　{ZH2}</p>
<p>　　三是加快项目建设，<b>70万平方米</b>标准化厂房年内建成投用。</p>
</div></div></div>
<div class="bdshare">分享到：微信 微博 QQ空间</div>
<div class="footer">主办单位：安康市人民政府办公室　版权所有　陕ICP备12345678号</div>
</body></html>
"""
GOV_PARAS = f"{ZH}\n{ZH2}\n三是加快项目建设，70万平方米标准化厂房年内建成投用。"
NAV_WORDS = ["首页", "政务公开", "当前位置", "通知公告", "分享到", "主办单位", "脚本", "门户网站"]

LAYOUT_PAGE = f"""<html><body><table><tr>
<td class="menu">首页<br>政务公开<br>办事服务</td>
<td>{ZH}<br>{ZH2}</td></tr></table></body></html>"""

DIV_PARAS_PAGE = f"""<html><body><div class="sidebar">相关链接：安康市发展和改革委员会</div>
<div id="zoom"><div>{ZH}</div><div>{ZH2}</div></div></body></html>"""

NO_MAIN_PAGE = """<html><head><title>安康市人民政府</title><script>var a = "中文";</script></head>
<body><nav>首页 政务公开</nav><footer>版权所有</footer></body></html>"""


def ok(text: str, encoding: str = "", absent: tuple[str, ...] = ()) -> dict:
    """Expected success: the exact source text, the reported encoding, words that must not leak in."""
    return {"text": text, "encoding": encoding, "absent": absent}


def case(name: str, make, expected, id: str | None = None):
    """One file per case, named by its phenomenon; the id is the file name unless given."""
    return pytest.param(name, make, expected, id=id or name)


def _half(data: bytes) -> bytes:
    return data[: len(data) // 2]


CASES = [
    # plain text: rejections
    case("empty.txt", lambda: b"", "empty"),
    case("whitespace-ascii.txt", lambda: b"  \t\r\n \n\n", "whitespace_only"),
    case("whitespace-fullwidth.txt", lambda: "　　\n　 \r\n".encode("utf-8"), "whitespace_only"),
    case("whitespace-fullwidth-gbk.txt", lambda: "　　\r\n　\n".encode("gbk"), "whitespace_only"),
    case("bom-only.txt", lambda: b"\xef\xbb\xbf", "whitespace_only"),
    case("utf16-bom-whitespace.txt", lambda: b"\xff\xfe" + " \n".encode("utf-16-le"), "whitespace_only"),
    case("binary-random-with-nul.txt", lambda: random_bytes(4096, seed=7), "binary"),
    case("binary-random-no-nul.txt", lambda: random_bytes(4096, seed=7, nul=False), "binary"),
    case("binary-control-chars.txt", lambda: bytes(range(1, 9)) * 64 + b"abc", "binary"),
    case("replacement-chars.txt", lambda: ("\ufffd" * 40 + ZH).encode(), "binary"),
    case("utf8-nul-odd-length.txt", lambda: ZH.encode() + b"\0" + ZH.encode(), "binary"),
    case("utf8-nul-even-length.txt", lambda: ZH.encode() + b"\0\0" + ZH.encode(), "binary"),
    case("utf8-truncated-char.txt", lambda: (ZH * 3).encode()[:-1], "undecodable"),
    # plain text: encodings, decoded exactly
    case("utf8.txt", lambda: ZH.encode(), ok(ZH, "utf-8")),
    case("utf8-bom.txt", lambda: b"\xef\xbb\xbf" + ZH.encode(), ok(ZH, "utf-8-sig")),
    case("gbk.txt", lambda: ZH.encode("gbk"), ok(ZH, "gb18030")),
    case("gb18030-beyond-gbk.txt", lambda: (ZH + "𠀀㐀").encode("gb18030"), ok(ZH + "𠀀㐀", "gb18030")),
    case("utf16le-bom.txt", lambda: b"\xff\xfe" + ZH.encode("utf-16-le"), ok(ZH, "utf-16")),
    case("utf16be-bom.txt", lambda: b"\xfe\xff" + ZH.encode("utf-16-be"), ok(ZH, "utf-16")),
    case("utf16le-no-bom.txt", lambda: f"第1期\n{ZH}".encode("utf-16-le"), ok(f"第1期\n{ZH}", "utf-16-le")),
    case("utf16be-no-bom.txt", lambda: f"一是\n{ZH}".encode("utf-16-be"), ok(f"一是\n{ZH}", "utf-16-be")),
    case("big5-traditional.txt", lambda: ZH_TRAD.encode("big5"), ok(ZH_TRAD, "big5")),
    case("utf8-traditional.txt", lambda: ZH_TRAD.encode(), ok(ZH_TRAD, "utf-8")),
    case("crlf-kept.txt", lambda: f"第一行\r\n{ZH}\r\n\r\n".encode(),
         ok(f"第一行\r\n{ZH}\r\n\r\n", "utf-8")),
    case("lone-cr-kept-gbk.txt", lambda: f"第一行\r{ZH}\r".encode("gbk"), ok(f"第一行\r{ZH}\r", "gb18030")),
    case("leading-blank-lines-kept.txt", lambda: f"\n\n安政通报\r\n\r\n{ZH}\n".encode(),
         ok(f"\n\n安政通报\r\n\r\n{ZH}\n", "utf-8")),
    case("1mb-single-line-utf8.txt", lambda: (NOPUNCT * 12000).encode(), ok(NOPUNCT * 12000, "utf-8")),
    case("1mb-single-line-gb18030.txt", lambda: (NOPUNCT * 12000).encode("gb18030"),
         ok(NOPUNCT * 12000, "gb18030")),
    # markdown: read as text, the file as it is (front matter and markup stay; clean.py removes them)
    case("report.md", lambda: MD.encode(), ok(MD, "utf-8")),
    case("report-gbk-crlf.md", lambda: MD.replace("\n", "\r\n").encode("gbk"), ok(MD.replace("\n", "\r\n"), "gb18030")),
    case("notes.markdown", lambda: ZH.encode(), ok(ZH, "utf-8")),
    case("empty.md", lambda: b"", "empty"),
    # pdf
    case("chinese-cid-font.pdf", lambda: make_pdf([["全市规模以上工业增加值同比增长12.5%", "第二行文字"], ["第二页"]]),
         ok("全市规模以上工业增加值同比增长12.5%\n第二行文字\n\n第二页")),
    case("scanned-no-text-layer.pdf", lambda: make_pdf(None), "no_text_layer"),
    case("truncated-half.pdf", lambda: _half(make_pdf([[ZH[:30]]])), "corrupt_pdf"),
    case("not-a-pdf.pdf", lambda: ZH.encode(), "corrupt_pdf"),
    case("empty.pdf", lambda: b"", "empty"),
    # docx
    case("two-paragraphs.docx", lambda: make_docx([ZH, ZH2]), ok(f"{ZH}\n{ZH2}")),
    case("table-after-body.docx", lambda: make_docx([ZH], [["指标", "数值"], ["增加值增速", "12.5%"]]),
         ok(f"{ZH}\n指标\t数值\n增加值增速\t12.5%")),
    case("merged-cells-once.docx", _docx_merged, ok("表一\n合并\t数值\nx\ty")),
    case("truncated-zip.docx", lambda: _half(make_docx([ZH])), "corrupt_docx"),
    case("zip-not-word.docx", lambda: _zip({"hello.txt": ZH}), "corrupt_docx"),
    case("not-a-zip.docx", lambda: ZH.encode(), "corrupt_docx"),
    case("no-text.docx", lambda: make_docx(["", "　"]), "whitespace_only"),
    # html
    case("gov-page.html", lambda: GOV_PAGE.format(charset="utf-8").encode(), ok(GOV_PARAS, absent=NAV_WORDS)),
    case("gbk-meta-charset.htm", lambda: GOV_PAGE.format(charset="gbk").encode("gbk"),
         ok(GOV_PARAS, absent=NAV_WORDS)),
    case("meta-charset-wrong.html", lambda: GOV_PAGE.format(charset="gb2312").encode(), ok(GOV_PARAS)),
    case("meta-charset-latin1-on-gbk.html", lambda: GOV_PAGE.format(charset="iso-8859-1").encode("gbk"),
         ok(GOV_PARAS)),
    case("no-charset-gb18030.html",
         lambda: GOV_PAGE.replace('<meta charset="{charset}">', "").encode("gb18030"), ok(GOV_PARAS)),
    case("layout-table-br.html", lambda: LAYOUT_PAGE.encode(), ok(f"{ZH}\n{ZH2}", absent=("首页",))),
    case("div-paragraphs.html", lambda: DIV_PARAS_PAGE.encode(), ok(f"{ZH}\n{ZH2}", absent=("相关链接",))),
    case("deep-nesting-300.html", lambda: ("<div>" * 300 + ZH + "</div>" * 300).encode(), ok(ZH)),
    case("no-main-text.html", lambda: NO_MAIN_PAGE.encode(), "no_main_text"),
    case("binary.html", lambda: random_bytes(4096, seed=3), "binary"),
    # suffixes and names
    case("unsupported.doc", lambda: ZH.encode(), "unsupported_format"),
    case("README", lambda: ZH.encode(), "unsupported_format"),
    case("安康市 \"通报\" 第1期 it's.txt", lambda: ZH.encode("gbk"), ok(ZH, "gb18030"),
         id="name-quotes-chinese.txt"),
    case("安康 'x' \"y\".docx", lambda: make_docx([ZH]), ok(ZH), id="name-quotes-chinese.docx"),
    case("安康 'x' \"y\".PDF", lambda: make_pdf([["第一期"]]), ok("第一期"), id="name-quotes-chinese-upper-suffix.PDF"),
]


@pytest.mark.parametrize("name, make, expected", CASES)
def test_read_source(tmp_path: Path, name: str, make, expected) -> None:
    path = tmp_path / name
    data = make()
    path.write_bytes(data)
    if isinstance(expected, str):
        with pytest.raises(InputRejected) as info:
            read_source(path)
        assert info.value.error == expected
        assert info.value.stage == "read"
        assert info.value.message.startswith(f"{name}: ")
        return
    result = read_source(path)
    assert isinstance(result, SourceText)
    assert result.format == {".htm": "html", ".markdown": "md"}.get(path.suffix, path.suffix.lower().lstrip("."))
    assert result.text == expected["text"]
    assert result.encoding == expected["encoding"]
    for word in expected["absent"]:
        assert word not in result.text
    if result.format in ("txt", "md"):
        assert data.decode(result.encoding) == result.text  # the reported codec reproduces the text


def test_no_text_layer_message(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(make_pdf(None))
    with pytest.raises(InputRejected, match=r"^scan\.pdf: no text layer: needs OCR \(.*OCR.*\.txt\)$"):
        read_source(path)


@pytest.mark.parametrize("kind, os_message", [
    pytest.param(kind, message, id=kind) for kind, message in [
        ("chmod-000", "Permission denied"),
        ("permission-denied-simulated", "Permission denied"),
        ("directory", "Is a directory"),
        ("vanished", "No such file or directory"),
    ]
])
def test_unreadable(tmp_path: Path, kind: str, os_message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "b.txt"
    if kind == "permission-denied-simulated":  # what chmod 000 gives a non-root user, also under root

        def denied(self: Path) -> bytes:
            raise PermissionError(13, "Permission denied", str(self))

        path.write_bytes(ZH.encode())
        monkeypatch.setattr(Path, "read_bytes", denied)
    elif kind == "chmod-000":
        if os.geteuid() == 0:
            pytest.skip("root ignores file permissions (the directory case covers unreadable)")
        path.write_bytes(ZH.encode("utf-8"))
        path.chmod(0)
    elif kind == "directory":
        path.mkdir()
    with pytest.raises(InputRejected) as info:
        read_source(path)
    assert info.value.error == "unreadable"
    assert info.value.message.startswith(f"b.txt: cannot read: {os_message} (")


def test_supported_suffixes() -> None:
    assert SUPPORTED_SUFFIXES == (".txt", ".md", ".markdown", ".pdf", ".docx", ".html", ".htm")


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\ufffd")
                | st.sampled_from("\r\n\t "), min_size=1)


@settings(max_examples=150, deadline=None, database=None)
@given(text=_TEXT, encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_unicode_round_trip(text: str, encoding: str) -> None:
    """Unicode text comes back exactly (no newline translation, BOM dropped), or is rejected as blank."""
    data = text.encode(encoding)
    if not text.strip():
        with pytest.raises(InputRejected, match="only whitespace"):
            decode_text(data)
        return
    decoded, used = decode_text(data)
    assert decoded == text
    assert used == encoding


@settings(max_examples=200, deadline=None, database=None)
@given(data=st.binary(max_size=2000))
def test_any_bytes_decode_or_reject(data: bytes) -> None:
    """Arbitrary bytes never crash the reader: either a faithful decode or an InputRejected."""
    try:
        text, encoding = decode_text(data)
    except InputRejected as e:
        assert e.error in {"empty", "whitespace_only", "binary", "undecodable"}
    else:
        assert data.decode(encoding) == text


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_50mb_bounded_memory(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "big.txt"
    line = (ZH + "\r\n").encode(encoding)
    with path.open("wb") as f:
        for _ in range(50 * 2**20 // len(line) + 1):
            f.write(line)
    size = path.stat().st_size
    tracemalloc.start()
    try:
        result = read_source(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.encoding == encoding
    assert result.text.startswith(ZH + "\r\n") and result.text.endswith("\r\n")
    assert len(result.text) == (size // len(line)) * len(ZH + "\r\n")
    assert peak < 4 * size, f"peak {peak / 2**20:.0f} MiB for a {size / 2**20:.0f} MiB file"
