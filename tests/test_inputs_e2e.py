"""Inputs as they arrive, end to end through the whole pipeline (issue 9).

One corpus folder holds every bad input of the issue beside good bulletins; `python -m pipeline
extract` runs over it once and each case checks its own outcome: rejected (errors.csv row, stderr
line) or taken (documents.csv row, facts, offsets). Other tests compare one input's KB with the KB
of its UTF-8 / LF / Simplified original, run alone so that copies are not merged.
"""
from __future__ import annotations

import csv
import ctypes
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from conftest import make_docx, make_pdf, random_bytes
from pipeline.config import PROJECT_DIR, load_settings
from pipeline.corpus import run
from test_offsets import check_rows, kb_sources, read_kb

CORPUS = PROJECT_DIR / "corpus"
BULLETINS = sorted(CORPUS.glob("*.txt"))
TEXT = BULLETINS[0].read_text(encoding="utf-8")   # the bulletin most cases are made from
OTHER = BULLETINS[2].read_text(encoding="utf-8")  # a second one, for names and folders
GB18030_ONLY = "䶮𠀀"  # characters GBK has not: a GB18030 file that is not also a GBK file


def cli(corpus: Path, out: Path, *extra: str, preexec_fn=None, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline", "extract", str(corpus), "--out", str(out),
                           "--no-cache", "--quiet", "--no-ner", *extra], cwd=PROJECT_DIR, capture_output=True,
                          text=True, timeout=timeout, preexec_fn=preexec_fn)


def run_alone(tmp: Path, name: str, data: bytes) -> dict[str, list[dict]]:
    """The KB (as dicts) of a corpus holding only this one file, through pipeline.corpus.run."""
    corpus, out = tmp / f"in-{name}", tmp / f"out-{name}"
    corpus.mkdir()
    (corpus / name).write_bytes(data)
    report = run(corpus, out, load_settings(corpus, ner=False), progress=False)
    assert not report.errors, report.errors
    kb = read_kb(out)
    bad = check_rows(kb, kb_sources(out, corpus))
    assert not bad, "\n".join(bad[:10])
    return kb


def _damaged_docx() -> bytes:
    """A .docx whose document.xml deflate stream is overwritten in the middle (zlib fails, not zipfile)."""
    import zipfile

    data = bytearray(make_docx(LINES))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("word/document.xml")
    mid = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + info.compress_size // 2
    data[mid:mid + 16] = b"\xff" * 16
    return bytes(data)


def _encrypted_pdf() -> bytes:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, encrypt=pdfencrypt.StandardEncryption("user", ownerPassword="owner", strength=128))
    c.drawString(72, 720, "2020")
    c.showPage()
    c.save()
    return buf.getvalue()


def _html(lines: list[str]) -> bytes:
    body = "".join(f"<p>{line}</p>" for line in lines if line.strip())
    return (f"<html><head><meta charset='gbk'><title>通报</title></head><body><div class='nav'>首页 &gt; 政务公开"
            f"</div><div class='content'>{body}</div><div class='footer'>版权所有 网站标识码</div></body></html>"
            ).encode("gbk")


def _trad(text: str) -> str:
    """Traditional Chinese, converted character by character (so every offset stays put)."""
    import zhconv

    out = []
    for ch in text:
        t = zhconv.convert(ch, "zh-hant")
        out.append(t if len(t) == 1 else ch)
    return "".join(out)


def _no_punct_line(n_bytes: int, source: str) -> bytes:
    """One line of n_bytes UTF-8 made of the Han characters (and digits) of source, no punctuation."""
    import regex

    body = regex.sub(r"[\p{P}\p{S}\s]", "", source)
    data = (body * (n_bytes // len(body.encode()) + 1)).encode()[:n_bytes]
    return data.decode("utf-8", "ignore").encode()


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[Path], None]   # creates the input(s) in the corpus folder
    source: str                    # path (relative to the corpus) whose outcome is checked
    error: str | None = None       # expected errors.csv `error`; None: taken
    says: str = ""                 # expected in the message


def _put(name: str, data: bytes | Callable[[], bytes]):
    def make(folder: Path) -> None:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data() if callable(data) else data)
    return make


def _symlink(name: str, target: str):
    return lambda folder: os.symlink(target, folder / name)


def _fifo(name: str):
    return lambda folder: os.mkfifo(folder / name)


LINES = TEXT.split("\n")
# An invented Markdown work report (front matter, bold heading lines, an HTML comment) of a city that is
# in none of the shared texts: the reader takes it as it is, cleaning removes the markup.
MD_REPORT = """---
title: 洛阳市政府工作报告（2022年1月9日 周明远）
source: https://example.org/report
---

<!-- 市长周明远作政府工作报告 -->

**——2022年1月9日在洛阳市第十六届人民代表大会第一次会议上**

**市长 周明远**

各位代表：

现在，我代表市人民政府向大会报告工作，请予审议。

**一、2021年工作回顾**

全市地区生产总值增长6.5%，新增规模以上工业企业120家，我市新建5G基站3000个。

**二、2022年主要目标**

全市地区生产总值增长7%左右，年底前完成老旧小区改造200个。
"""
NUMERALS = "〇零一二两三四五六七八九十百千万亿"
NAME = "通报 第9期 \"终稿\" 'v2'.txt"

CASES = [
    # rejected
    Case("empty", _put("empty.txt", b""), "empty.txt", "empty", "empty file (0 bytes)"),
    Case("whitespace-only", _put("blank.txt", " \r\n\t\u3000\n\n".encode()), "blank.txt", "whitespace_only",
         "only whitespace"),
    Case("binary-garbage", _put("garbage.txt", lambda: random_bytes(8192, 1)), "garbage.txt", "binary",
         "binary data, not text"),
    Case("binary-garbage-no-nul", _put("noise.txt", lambda: random_bytes(8192, 2, nul=False)),
         "noise.txt", "binary", "binary data, not text"),
    Case("gbk-cut-inside-a-character", _put("cut.txt", TEXT.rstrip().encode("gbk")[:-1]), "cut.txt", "undecodable",
         "not valid gb18030 (GBK) near byte"),
    Case("docx-renamed-txt", _put("word.txt", lambda: make_docx(LINES[:5])), "word.txt", "binary", "binary data"),
    Case("scanned-pdf", _put("scan.pdf", lambda: make_pdf(None)), "scan.pdf", "no_text_layer",
         "no text layer: needs OCR"),
    Case("truncated-pdf", _put("cut.pdf", lambda: make_pdf([LINES])[:3000]), "cut.pdf", "corrupt_pdf", "truncated"),
    Case("password-pdf", _put("locked.pdf", _encrypted_pdf), "locked.pdf", "encrypted_pdf", "password-protected"),
    Case("damaged-docx", _put("damaged.docx", _damaged_docx), "damaged.docx", "corrupt_docx", "not a readable .docx"),
    Case("dangling-symlink", _symlink("gone.txt", "nowhere/missing.txt"), "gone.txt", "unreadable",
         "No such file or directory"),
    Case("symlink-loop", _symlink("loop.txt", "loop.txt"), "loop.txt", "unreadable",
         "Too many levels of symbolic links"),
    Case("fifo", _fifo("pipe.txt"), "pipe.txt", "unreadable", "not a regular file"),
    Case("old-word-doc", _put("old.doc", b"\xd0\xcf\x11\xe0" + bytes(500)), "old.doc", "unsupported_format",
         "save it as .docx"),
    Case("scan-image", _put("page1.jpg", b"\xff\xd8\xff\xe0" + bytes(500)), "page1.jpg", "unsupported_format",
         "needs OCR"),
    Case("rejected-odd-name", _put("坏 文件 \"x\", 'y'.txt", b""), "坏 文件 \"x\", 'y'.txt", "empty", "empty file"),
    Case("unknown-suffix", _put("notes.xyz", "备忘".encode()), "notes.xyz", "unsupported_format",
         "unsupported format '.xyz'"),
    Case("no-suffix", _put("README", "说明".encode()), "README", "unsupported_format",
         "unsupported format '(no suffix)'"),
    Case("spreadsheet", _put("data/figures.xlsx", b"PK\x03\x04" + bytes(100)), "data/figures.xlsx",
         "unsupported_format", "unsupported format '.xlsx'"),
    # taken
    Case("markdown", _put("report.md", MD_REPORT.encode()), "report.md"),
    Case("utf-8", _put("bulletin.txt", TEXT.encode()), "bulletin.txt"),
    Case("gbk", _put("gbk.txt", TEXT.encode("gbk")), "gbk.txt"),
    Case("gb18030", _put("gb18030.txt", (TEXT + GB18030_ONLY).encode("gb18030")), "gb18030.txt"),
    Case("utf-16", _put("utf16.txt", TEXT.encode("utf-16")), "utf16.txt"),
    Case("utf-8-bom", _put("bom.txt", TEXT.encode("utf-8-sig")), "bom.txt"),
    Case("crlf", _put("crlf.txt", TEXT.replace("\n", "\r\n").encode()), "crlf.txt"),
    Case("cr", _put("cr.txt", TEXT.replace("\n", "\r").encode()), "cr.txt"),
    Case("traditional", _put("trad.txt", _trad(TEXT).encode()), "trad.txt"),
    Case("pdf", _put("bulletin.pdf", lambda: make_pdf([LINES])), "bulletin.pdf"),
    Case("docx", _put("bulletin.docx", lambda: make_docx(LINES, [["指标", "数值"], ["新增企业", "20家"]])),
         "bulletin.docx"),
    Case("html-gbk", _put("bulletin.html", lambda: _html(LINES)), "bulletin.html"),
    Case("name-spaces-quotes-chinese", _put(NAME, OTHER.encode()), NAME),
    Case("duplicate-second-name", _put("copy of bulletin.txt", TEXT.encode()), "copy of bulletin.txt"),
    Case("folder-named-x.txt", _put("2020.txt/inner.txt", BULLETINS[1].read_bytes()), "2020.txt/inner.txt"),
    Case("recipe-english", _put("recipe.txt", b"Pancakes\n\nMix 200 g flour, 2 eggs and 300 ml milk.\r\n"
                                b"Fry 2 minutes each side. Serves 4.\n"), "recipe.txt"),
    Case("recipe-chinese", _put("菜谱.txt", "番茄炒蛋\n\n鸡蛋3个，番茄2个，盐5克。先炒蛋，再炒番茄，约10分钟。\n"
                                         "小贴士：番茄去皮口感更好！\n".encode()), "菜谱.txt"),
]
REJECTED = [c for c in CASES if c.error]
TAKEN = [c for c in CASES if not c.error]


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """One CLI run over a folder holding every case: (corpus, out, completed process, KB)."""
    base = tmp_path_factory.mktemp("mixed")
    corpus, out = base / "corpus", base / "extracted"
    corpus.mkdir()
    for c in CASES:
        c.make(corpus)
    proc = cli(corpus, out)
    return corpus, out, proc, read_kb(out)


def _errors(out: Path) -> list[dict]:
    with open(out / "errors.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _doc_of(kb, source: str) -> dict:
    rows = [d for d in kb["documents"] if source in _json_list(d["sources"])]
    assert len(rows) == 1, f"{source}: in {len(rows)} documents"
    return rows[0]


def _json_list(s: str) -> list[str]:
    return json.loads(s)


def test_mixed_run_exit_status_3(mixed):
    """Rejections do not stop the run: exit 3, errors.csv lists exactly the rejected inputs, no traceback."""
    corpus, out, proc, kb = mixed
    assert proc.returncode == 3, proc.stderr
    assert {e["source"] for e in _errors(out)} == {c.source for c in REJECTED}
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("case", REJECTED, ids=[c.id for c in REJECTED])
def test_rejected(mixed, case):
    """errors.csv: one row (source, stage read, error type, message naming the file and what to do);
    stderr: one line naming the path and the reason."""
    corpus, out, proc, kb = mixed
    rows = [e for e in _errors(out) if e["source"] == case.source]
    assert len(rows) == 1, rows
    row = rows[0]
    assert (row["stage"], row["error"]) == ("read", case.error)
    assert case.says in row["message"] and row["message"].startswith(Path(case.source).name + ": ")
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith(f"rejected: {case.source} ({case.error}): ")]
    assert len(lines) == 1 and case.says in lines[0], proc.stderr
    assert not any(case.source in _json_list(d["sources"]) for d in kb["documents"])


@pytest.mark.parametrize("case", TAKEN, ids=[c.id for c in TAKEN])
def test_taken(mixed, case):
    """Every taken input is in exactly one document's `sources`, with its format; offsets hold."""
    corpus, out, proc, kb = mixed
    doc = _doc_of(kb, case.source)
    assert doc["format"] == Path(case.source).suffix.lstrip(".")
    assert not any(e["source"] == case.source for e in _errors(out))
    one = {name: [r for r in rows if r.get("doc_id") == doc["doc_id"]] for name, rows in kb.items()}
    bad = check_rows(one, kb_sources(out, corpus))
    assert not bad, "\n".join(bad[:10])


def test_offsets_of_the_whole_mixed_kb(mixed):
    corpus, out, proc, kb = mixed
    bad = check_rows(kb, kb_sources(out, corpus))
    assert not bad, "\n".join(bad[:10])


def test_copies_are_one_document(mixed):
    """The same bulletin under two names and in GBK, UTF-16, UTF-8 with BOM: one document, every path
    in `sources` (sorted), the first one in `source`."""
    corpus, out, proc, kb = mixed
    doc = _doc_of(kb, "bulletin.txt")
    assert _json_list(doc["sources"]) == ["bom.txt", "bulletin.txt", "copy of bulletin.txt", "gbk.txt", "utf16.txt"]
    assert doc["source"] == "bom.txt"
    assert _doc_of(kb, "gb18030.txt")["doc_id"] != doc["doc_id"]  # it has two more characters


def test_names_are_recorded_exactly(mixed):
    corpus, out, proc, kb = mixed
    assert _doc_of(kb, NAME)["source"] == NAME
    assert _doc_of(kb, "2020.txt/inner.txt")["source"] == "2020.txt/inner.txt"


def test_bulletins_in_other_formats_give_facts(mixed):
    """PDF, DOCX and HTML copies of the bulletin: texts/<doc_id>.txt written, figures extracted."""
    corpus, out, proc, kb = mixed
    n_txt = sum(f["doc_id"] == _doc_of(kb, "bulletin.txt")["doc_id"] for f in kb["figures"])
    for name in ("bulletin.pdf", "bulletin.docx", "bulletin.html"):
        doc = _doc_of(kb, name)
        assert (out / "texts" / f"{doc['doc_id']}.txt").is_file()
        n = sum(f["doc_id"] == doc["doc_id"] for f in kb["figures"])
        assert n >= 0.8 * n_txt, f"{name}: {n} figures, the .txt has {n_txt}"
        assert doc["speech_date"], name


@pytest.mark.parametrize("name", ["recipe.txt", "菜谱.txt"])
def test_not_a_bulletin_extracts_little(mixed, name):
    corpus, out, proc, kb = mixed
    doc = _doc_of(kb, name)
    assert not doc["speech_date"] and not doc["issue_no"]
    assert sum(f["doc_id"] == doc["doc_id"] for f in kb["figures"]) <= 4
    assert not any(d["doc_id"] == doc["doc_id"] for d in kb["deadlines"])


def test_strict_turns_rejections_into_failure(mixed, tmp_path):
    corpus, *_ = mixed
    proc = cli(corpus, tmp_path / "strict", "--strict")
    assert proc.returncode == 1, proc.stderr
    assert len(_errors(tmp_path / "strict")) == len(REJECTED)


def test_all_taken_exit_0(tmp_path):
    corpus = tmp_path / "good"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT, encoding="utf-8")
    (corpus / "b.pdf").write_bytes(make_pdf([OTHER.split("\n")]))
    proc = cli(corpus, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert _errors(tmp_path / "out") == [] and "rejected" not in proc.stderr


def test_a_reader_crash_is_a_rejection_too(tmp_path, monkeypatch):
    """Whatever a reader raises on a strange file, the run goes on: errors.csv row `reader_error`."""
    import pipeline.inputs

    real = pipeline.inputs.read_source

    def flaky(path):
        if path.name == "odd.pdf":
            raise RuntimeError("pdfium went wrong")
        return real(path)

    monkeypatch.setattr(pipeline.inputs, "read_source", flaky)
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT, encoding="utf-8")
    (corpus / "odd.pdf").write_bytes(make_pdf([["2020"]]))
    report = run(corpus, tmp_path / "out", load_settings(corpus, ner=False), progress=False)
    assert report.exit_code == 3 and len(report.results) == 1
    (row,) = _errors(tmp_path / "out")
    assert (row["source"], row["stage"], row["error"]) == ("odd.pdf", "read", "reader_error")
    assert "RuntimeError: pdfium went wrong" in row["message"]


def _drop_dac():
    """In the child, before exec: give up root's permission override (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH),
    so that a chmod 000 file is unreadable as it is for any user."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_permission_denied(tmp_path):
    """chmod 000: rejected as unreadable, the other file still taken (exit 3). As root the child
    drops the capabilities that let root read anything."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "ok.txt").write_text(TEXT, encoding="utf-8")
    locked = corpus / "locked.txt"
    locked.write_text(OTHER, encoding="utf-8")
    locked.chmod(0)
    proc = cli(corpus, tmp_path / "out", preexec_fn=_drop_dac if os.geteuid() == 0 else None)
    assert proc.returncode == 3, proc.stderr
    (row,) = _errors(tmp_path / "out")
    assert (row["source"], row["error"]) == ("locked.txt", "unreadable") and "Permission denied" in row["message"]
    assert "rejected: locked.txt (unreadable): cannot read: Permission denied" in proc.stderr


def test_a_folder_of_unknown_files_is_not_an_empty_success(tmp_path):
    """Files the readers do not take are each reported (errors.csv row, stderr line, exit 3), never skipped
    without a word; the corpus's corpus.toml, hidden files and the output folder inside the corpus are not inputs."""
    corpus = tmp_path / "c"
    (corpus / ".git").mkdir(parents=True)
    (corpus / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    (corpus / ".DS_Store").write_bytes(b"\0\1")
    (corpus / "corpus.toml").write_text('city = "洛阳市"\n', encoding="utf-8")
    (corpus / "minutes.odt").write_bytes(b"PK\x03\x04" + bytes(50))
    (corpus / "list.csv").write_text("a,b\n", encoding="utf-8")
    proc = cli(corpus, corpus / "kb")
    assert proc.returncode == 3, proc.stderr
    assert sorted(e["source"] for e in _errors(corpus / "kb")) == ["list.csv", "minutes.odt"]
    assert "rejected: list.csv (unsupported_format)" in proc.stderr
    proc = cli(corpus, corpus / "kb")  # a second run does not report the KB it wrote into the corpus
    assert sorted(e["source"] for e in _errors(corpus / "kb")) == ["list.csv", "minutes.odt"], proc.stderr


def test_markdown_markup_is_cleaned_and_offsets_point_into_the_file(mixed):
    """The .md source text is the file itself (no texts/ copy needed); the front matter and the header lines
    never become sentences; bold markers and the HTML comment are not in any sentence."""
    corpus, out, proc, kb = mixed
    doc = _doc_of(kb, "report.md")
    assert doc["format"] == "md" and not (out / "texts" / f"{doc['doc_id']}.txt").exists()
    sents = [r for r in kb["sentences"] if r["doc_id"] == doc["doc_id"]]
    text = "".join(r["text"] for r in sents)
    for gone in ("title", "---", "**", "<!--", "周明远", "人民代表大会"):
        assert gone not in text, gone
    assert sents[0]["text"].startswith("各位代表")
    assert doc["speech_date"] == "2022-01-09" and doc["speaker"] == "周明远" and doc["city"] == "洛阳市"
    figs = [f for f in kb["figures"] if f["doc_id"] == doc["doc_id"]]
    assert {f["mention"] for f in figs} >= {"6.5%", "120家", "7%左右"}


# --- same facts as the original --------------------------------------------------------------------

FACTS = ("start", "end", "mention", "value", "value_max", "unit", "qualifier", "kind", "indicator", "scope",
         "period", "compared_to", "direction", "sentence")


def _facts(kb, table="figures", fields=FACTS) -> list[tuple]:
    return [tuple(r[f] for f in fields) for r in kb[table]]


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    """The KBs of the UTF-8, LF originals (TEXT, and TEXT + GB18030-only characters)."""
    tmp = tmp_path_factory.mktemp("orig")
    return {"": run_alone(tmp, "orig.txt", TEXT.encode()),
            "gb18030": run_alone(tmp, "orig18030.txt", (TEXT + GB18030_ONLY).encode())}


@pytest.mark.parametrize("encoding,original", [
    ("gbk", ""), ("gb18030", "gb18030"), ("utf-16", ""), ("utf-16-le", ""), ("utf-16-be", ""), ("utf-8-sig", ""),
], ids=["gbk", "gb18030", "utf-16-bom", "utf-16le-no-bom", "utf-16be-no-bom", "utf-8-bom"])
def test_encodings_give_the_same_kb(tmp_path, originals, encoding, original):
    """Alone in its corpus, an encoded copy gives the original's documents/sentences/figures/mentions,
    offsets included (they are relative to the decoded text, which is the same)."""
    text = TEXT + (GB18030_ONLY if original else "")
    kb = run_alone(tmp_path, "x.txt", text.encode(encoding))
    orig = originals[original]
    assert kb["figures"] and _facts(kb) == _facts(orig)
    assert _facts(kb, "sentences", ("start", "end", "section", "text")) == \
        _facts(orig, "sentences", ("start", "end", "section", "text"))
    assert _facts(kb, "mentions", ("start", "end", "mention", "type")) == \
        _facts(orig, "mentions", ("start", "end", "mention", "type"))
    assert kb["documents"][0]["doc_id"] == orig["documents"][0]["doc_id"]
    assert kb["documents"][0]["encoding"] == {"gbk": "gb18030"}.get(encoding, encoding)  # GBK read as its superset


@pytest.mark.parametrize("eol", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_line_ends_keep_facts_and_shift_offsets(tmp_path, originals, eol):
    """CRLF/CR copies: the same facts; each offset moves by the number of "\\n" before it that became
    two characters ("\\r\\n" counts two); a mention across a line break keeps the source's line end."""
    orig = originals[""]
    kb = run_alone(tmp_path, "x.txt", TEXT.replace("\n", eol).encode())
    src = TEXT.replace("\n", eol)

    def moved(i: int) -> int:
        return i + (TEXT.count("\n", 0, i) if eol == "\r\n" else 0)

    want = [(str(moved(int(s))), str(moved(int(e))), src[moved(int(s)):moved(int(e))], *rest)
            for s, e, _m, *rest in _facts(orig)]
    assert kb["figures"] and _facts(kb) == want
    assert any(eol in r["mention"] for r in kb["figures"]) == any("\n" in r["mention"] for r in orig["figures"])
    assert _facts(kb, "sentences", ("section", "text")) == _facts(orig, "sentences", ("section", "text"))


def test_traditional_runs_through_a_simplified_view(tmp_path, originals):
    """A Traditional copy gives the original's figures (values, kinds, periods at the same offsets) while
    every mention keeps the Traditional characters of the source."""
    trad = _trad(TEXT)
    assert len(trad) == len(TEXT) and trad != TEXT
    kb = run_alone(tmp_path, "trad.txt", trad.encode())
    orig = originals[""]
    keep = ("start", "end", "value", "value_max", "unit", "qualifier", "kind", "period", "scope")
    assert kb["figures"] and _facts(kb, fields=keep) == _facts(orig, fields=keep)
    for table in ("figures", "mentions", "deadlines"):
        for r in kb[table]:
            assert r["mention"] == trad[int(r["start"]):int(r["end"])]
    assert any(r["mention"] != o["mention"] for r, o in zip(kb["mentions"], orig["mentions"]))  # Traditional kept
    assert len(kb["mentions"]) >= 0.8 * len(orig["mentions"])
    assert len(kb["deadlines"]) == len(orig["deadlines"])


# --- size ----------------------------------------------------------------------------------------------

# Was quadratic before segment.MAX_SENTENCE: one 1 MB sentence, re-scanned before every match (>10 min).


def test_one_mb_line_without_punctuation(tmp_path):
    """1 MB on one line, the bulletins' characters and digits with every punctuation mark and line
    break removed: taken (exit 0, figures found) within 30 s (about 3x what a length cap gives)."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "line.txt").write_bytes(_no_punct_line(1 << 20, "".join(b.read_text("utf-8") for b in BULLETINS)))
    try:
        proc = cli(corpus, tmp_path / "out", timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail("a 1 MB line with no punctuation did not finish in 30 s")
    assert proc.returncode == 0, proc.stderr
    kb = read_kb(tmp_path / "out")
    assert len(kb["figures"]) > 1000
    bad = check_rows(kb, kb_sources(tmp_path / "out", corpus))
    assert not bad, "\n".join(bad[:10])


def test_run_on_text_is_cut_into_bounded_sentences():
    """The root cause, fast: segment() cuts a 1 MB run-on line into bounded sentences, losing nothing."""
    from pipeline.segment import segment

    text = _no_punct_line(1 << 20, TEXT).decode()
    spans = segment(text, 0)
    assert max(s.end - s.start for s in spans) <= 2000
    assert "".join(text[s.start:s.end] for s in spans) == text  # cut, nothing lost


def _bodies() -> str:
    """The corpus bulletins without their distribution footers (cleaning stops at a footer), joined."""
    import regex

    footer = regex.compile(r"(?:主\s*送|抄\s*送|印\s*发)\s*[:：]")
    texts = [b.read_text(encoding="utf-8") for b in BULLETINS]
    return "\n".join(t[:m.start()] if (m := footer.search(t)) else t for t in texts)


# Was ~185 bytes per character before clean.py kept a string and an offset array per line.


def test_clean_memory_per_character():
    """Cleaning costs a few machine words per character (the offset map is one), not Python objects."""
    import tracemalloc

    from pipeline.clean import clean

    text = _bodies() * 30  # ~1 M characters
    tracemalloc.start()
    try:
        ct, _ = clean(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(ct.text) > 0.5 * len(text)
    assert peak / len(text) <= 48, f"{peak / len(text):.0f} bytes per character"


# Was targets x actuals with periods re-parsed per pair before link.py blocked actuals.


def test_targets_vs_actuals_scales():
    """1,000 targets and 2,000 actuals of one speech (nothing to pair): well under a second."""
    import time
    from datetime import date
    from decimal import Decimal
    from types import SimpleNamespace

    from pipeline.link import targets_vs_actuals
    from pipeline.model import FigureRow

    def fig(i: int, kind: str) -> FigureRow:
        return FigureRow(f"d-f{i:06d}", "d", "d-s0", i, i + 3, "50万", Decimal(500000 + i), None, "平方米", "=", kind,
                         f"新建标准化厂房面积{i % 7}", "安康市", "2020", None, None, "")

    figures = [fig(i, "target") for i in range(1000)] + [fig(i, "actual") for i in range(1000, 3000)]
    docs = {"d": SimpleNamespace(speech_date=date(2020, 3, 1))}
    t = time.perf_counter()
    assert targets_vs_actuals(figures, docs) == []
    assert time.perf_counter() - t < 1.0


def _peak_rss_run(args: list[str], limit_mb: int, timeout: float) -> tuple[int, int]:
    """Run a command; kill it when its RSS passes limit_mb or time runs out. (exit status, peak RSS MB)."""
    import time

    p = subprocess.Popen(args, cwd=PROJECT_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end, peak = time.monotonic() + timeout, 0
    while True:
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            p.returncode = os.waitstatus_to_exitcode(status)
            return p.returncode, max(peak, usage.ru_maxrss // 1024)
        try:
            rss = next(int(ln.split()[1]) for ln in open(f"/proc/{p.pid}/status") if ln.startswith("VmRSS:")) // 1024
        except (OSError, StopIteration):
            rss = 0
        peak = max(peak, rss)
        if rss > limit_mb or time.monotonic() > end:
            p.kill()
            p.wait()
            return (-9 if rss > limit_mb else -15), peak
        time.sleep(0.2)


@pytest.mark.slow
def test_fifty_mb_text_file(tmp_path):
    """A 50 MB bulletin (the corpus bodies repeated, footers removed so that all of it is body): taken,
    with peak RSS under 3 GB (60 bytes per input byte: the whole KB is built in memory) within 20 min."""
    unit = _bodies().encode()
    corpus = tmp_path / "c"
    corpus.mkdir()
    size = 50 << 20
    with open(corpus / "big.txt", "wb") as f:
        for _ in range(size // len(unit) + 1):
            f.write(unit)
    rc, peak = _peak_rss_run([sys.executable, "-m", "pipeline", "extract", str(corpus), "--out", str(tmp_path / "out"),
                              "--no-cache", "--quiet", "--no-ner"], limit_mb=3072, timeout=1200)
    assert rc == 0, f"exit {rc} (-9: memory over 3 GB, -15: over 20 min), peak RSS {peak} MB"
    assert peak <= 3072
    doc = read_kb(tmp_path / "out")["documents"][0]
    assert int(doc["n_chars"]) > 15_000_000
