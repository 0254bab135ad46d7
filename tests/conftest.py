"""Fixtures shared by the test modules, and the builders of input files they write (PDF, DOCX, noise).

The builders are plain functions rather than fixtures because parametrize lists call them (inside
lambdas) to make their cases; modules import them with `from conftest import make_pdf, ...`.
"""
import io
import random
import shutil
from pathlib import Path

import docx
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

ROOT = Path(__file__).resolve().parent.parent
PDF_FONT = "STSong-Light"  # reportlab's built-in CID font for Chinese: no font file needed


def make_pdf(pages: list[list[str]] | None, width: int = 45) -> bytes:
    """A PDF with a text layer, one list of lines per page (10 pt, top down). A line longer than `width`
    characters wraps, a page that fills up continues on the next; empty lines take no room.
    pages=None: one page with only a filled rectangle, i.e. a scan without a text layer."""
    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for lines in pages or [[]]:
        c.setFont(PDF_FONT, 10)
        y = 800
        for line in lines:
            while line:
                if y < 40:
                    c.showPage()
                    c.setFont(PDF_FONT, 10)
                    y = 800
                c.drawString(40, y, line[:width])
                line, y = line[width:], y - 14
        if pages is None:
            c.rect(50, 50, 400, 600, fill=1)
        c.showPage()
    c.save()
    return buf.getvalue()


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    """A Word document: the paragraphs, then the table (rows of cell texts) if given."""
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    if table:
        t = d.add_table(rows=len(table), cols=len(table[0]))
        for i, row in enumerate(table):
            for j, cell in enumerate(row):
                t.cell(i, j).text = cell
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def random_bytes(n: int, seed: int, nul: bool = True) -> bytes:
    """n seeded random bytes (binary garbage); nul=False replaces NUL bytes by 0x01."""
    rnd = random.Random(seed)
    data = bytes(rnd.randrange(256) for _ in range(n))
    return data if nul else data.replace(b"\0", b"\x01")


@pytest.fixture(scope="session")
def fresh_kb(tmp_path_factory) -> Path:
    """The KB of corpus/ as a clean run writes it now (default settings, no cache)."""
    from pipeline.config import load_settings
    from pipeline.corpus import run

    out = tmp_path_factory.mktemp("kb") / "extracted"
    run(ROOT / "corpus", out, load_settings(ROOT / "corpus"), progress=False, cache_dir=None, xlsx=True)
    return out


@pytest.fixture()
def corpus_copy(tmp_path) -> Path:
    dst = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", dst)
    return dst


def kb_of(texts: dict[str, str], folder: Path) -> Path:
    """The KB (rules only, no cache) of a corpus of these texts (file name -> text), written beside it."""
    from pipeline.config import load_settings
    from pipeline.corpus import run

    corpus = folder / "corpus"
    corpus.mkdir(parents=True)
    for name, text in texts.items():
        (corpus / name).write_text(text, encoding="utf-8")
    out = folder / "kb"
    run(corpus, out, load_settings(corpus, ner=False), progress=False, cache_dir=None)
    return out


def kb_rows(kb: Path, table: str) -> list[dict]:
    """One CSV table of a KB as dicts."""
    import csv

    with open(kb / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))
