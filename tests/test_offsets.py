"""The KB_SCHEMA offset contract, checked on every row of every table of a run over corpus/.

figures, targets, deadlines, mentions: whitespace-stripped source_text[start:end] equals the
whitespace-stripped mention, and the span lies inside a sentence. sentences: start/end inside the
text, and the sentence text equals the cleaned text of that span, modulo what cleaning removes
(whitespace, markup, page-furniture lines) and its one-for-one folds (full-width, Traditional).
source_text is the file decoded as the reader decodes it (for .pdf/.docx/.html: texts/<doc_id>.txt).
check_rows() is shared by test_inputs_e2e.py and test_fuzz.py.
"""
from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest
import regex

from pipeline.config import PROJECT_DIR, load_settings
from pipeline.corpus import run
from pipeline.readers import read_source
from pipeline.resources import load_toml

CORPUS = PROJECT_DIR / "corpus"
SPAN_TABLES = ("figures", "targets", "deadlines", "mentions")
_INVISIBLE = "\u200b\ufeff"  # cleaning drops these like spaces; str.isspace() does not know them


def squeeze(s: str) -> str:
    """s without any whitespace."""
    return "".join(c for c in s if not c.isspace() and c not in _INVISIBLE)


@cache
def _fold_table() -> dict[int, str]:
    import zhconv

    table = {o: chr(o - 0xFEE0) for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
             for o in range(r[0], r[1] + 1)}
    table[ord("％")] = "%"
    for trad, simp in zhconv.zhconv.getdict("zh-hans").items():
        if len(trad) == 1 and len(simp) == 1:
            table[ord(trad)] = simp
    return table


def fold(s: str) -> str:
    """The one-for-one substitutions cleaning may apply (full-width to ASCII, Traditional to Simplified)."""
    return s.translate(_fold_table())


@cache
def _removable_rules() -> tuple[regex.Pattern, regex.Pattern]:
    rules = load_toml("rules/clean.toml")
    return regex.compile(rules["markup"]["pattern"]), regex.compile(rules["furniture"]["pattern"])


def removable(source: str) -> bytearray:
    """1 at every source position cleaning may drop: whitespace, markup (matched per line, as clean
    does), and every character of a page-furniture line."""
    markup, furniture = _removable_rules()
    out = bytearray(len(source))
    for m in regex.finditer(r"[^\r\n]*", source):
        s, e = m.span()
        if s == e:
            continue
        if furniture.fullmatch(source[s:e].strip(" \t\u3000\u00a0\ufeff")):
            out[s:e] = b"\1" * (e - s)
            continue
        for mm in markup.finditer(source, s, e):
            out[mm.start():mm.end()] = b"\1" * (mm.end() - mm.start())
    for i, c in enumerate(source):
        if c.isspace() or c in _INVISIBLE:
            out[i] = 1
    return out


def kept(source: str, drop: bytearray, start: int, end: int) -> str:
    """The non-removable source characters of [start, end), folded."""
    return fold("".join(source[i] for i in range(start, end) if not drop[i]))


def check_rows(tables: dict[str, list], sources: dict[str, str]) -> list[str]:
    """Every violation of the offset contract in tables (name -> rows with .doc_id/.start/.end ... as
    dataclasses or dicts from csv), given doc_id -> source text. Empty when all rows hold."""
    def get(r, k):
        return r[k] if isinstance(r, dict) else getattr(r, k)

    bad: list[str] = []
    drops = {d: removable(t) for d, t in sources.items()}
    sents: dict[str, list[tuple[int, int, str]]] = {}
    by_sid = {}
    for r in tables.get("sentences", []):
        d, s, e, text = get(r, "doc_id"), int(get(r, "start")), int(get(r, "end")), get(r, "text")
        src = sources.get(d)
        where = f"sentences {get(r, 'sentence_id')} [{s}:{e}]"
        if src is None:
            bad.append(f"{where}: no source text for doc {d}")
            continue
        if not 0 <= s < e <= len(src):
            bad.append(f"{where}: outside the text (length {len(src)})")
            continue
        want, got = kept(src, drops[d], s, e), squeeze(fold(text))
        if want != got:
            bad.append(f"{where}: cleaned span {want[:60]!r} != sentence text {got[:60]!r}")
        sents.setdefault(d, []).append((s, e, text))
        by_sid[get(r, "sentence_id")] = (s, e, text)
    for name in SPAN_TABLES:
        for r in tables.get(name, []):
            d, s, e, mention = get(r, "doc_id"), int(get(r, "start")), int(get(r, "end")), get(r, "mention")
            src = sources.get(d)
            where = f"{name} {d}[{s}:{e}] {mention!r}"
            if src is None:
                bad.append(f"{where}: no source text for doc {d}")
                continue
            if not 0 <= s < e <= len(src):
                bad.append(f"{where}: outside the text (length {len(src)})")
                continue
            if squeeze(src[s:e]) != squeeze(mention) or not squeeze(mention):
                bad.append(f"{where}: source has {src[s:e]!r}")
                continue
            sid = get(r, "sentence_id") if name == "figures" else None
            homes = [by_sid[sid]] if sid else sents.get(d, [])
            if sid and sid not in by_sid:
                bad.append(f"{where}: sentence {sid} not in sentences")
            elif not any(ss <= s and e <= se and kept(src, drops[d], s, e) in squeeze(fold(t))
                         for ss, se, t in homes):
                bad.append(f"{where}: not inside {'its' if sid else 'any'} sentence")
    return bad


def read_kb(folder: Path) -> dict[str, list[dict]]:
    """The span tables and documents of a written KB, as dicts (csv read with newline='')."""
    out = {}
    for name in ("documents", "sentences", *SPAN_TABLES):
        with open(folder / f"{name}.csv", encoding="utf-8", newline="") as f:
            out[name] = list(csv.DictReader(f))
    return out


def kb_sources(folder: Path, corpus: Path) -> dict[str, str]:
    """doc_id -> source text: the input re-read as the reader reads it; for an input that is not plain
    text (.txt, .md) also checked against texts/<doc_id>.txt, which the contract says holds exactly that text."""
    out = {}
    for d in read_kb(folder)["documents"]:
        text = read_source(corpus / d["source"]).text
        if d["format"] not in ("txt", "md"):  # a .md file is its own source text, as a .txt is
            assert (folder / "texts" / f"{d['doc_id']}.txt").read_text(encoding="utf-8") == text
        out[d["doc_id"]] = text
    return out


@pytest.fixture(scope="module")
def corpus_kb(tmp_path_factory):
    out = tmp_path_factory.mktemp("kb") / "extracted"
    run(CORPUS, out, load_settings(CORPUS, ner=False), progress=False)
    return out


def test_corpus_run_has_rows(corpus_kb):
    """Guard: the invariant below is checked on a real amount of rows."""
    kb = read_kb(corpus_kb)
    assert len(kb["documents"]) == len(list(CORPUS.glob("*.txt")))
    for name in ("sentences", "figures", "targets", "mentions", "deadlines"):
        assert kb[name], f"{name}.csv is empty"


@pytest.mark.parametrize("table", ["sentences", *SPAN_TABLES])
def test_corpus_offsets(corpus_kb, table):
    """Every row of the table written for corpus/ satisfies the offset contract."""
    kb = read_kb(corpus_kb)
    tables = {"sentences": kb["sentences"], table: kb[table]}
    bad = check_rows(tables, kb_sources(corpus_kb, CORPUS))
    assert not bad, "\n".join(bad[:20])


def test_targets_are_their_figures(corpus_kb):
    """A target row repeats its figure's span and mention."""
    kb = read_kb(corpus_kb)
    with open(corpus_kb / "targets.csv", encoding="utf-8", newline="") as f:
        targets = list(csv.DictReader(f))
    figs = {r["figure_id"]: r for r in kb["figures"]}
    for t in targets:
        f = figs[t["figure_id"]]
        assert (t["doc_id"], t["start"], t["end"], t["mention"]) == (f["doc_id"], f["start"], f["end"], f["mention"])


SRC = "一、总体\n全市工业增长**12.5%**，\n- 3 -\n新建厂房50万\n平方米。"
P, W = SRC.index("12.5%"), SRC.index("50万")
SENT = {"doc_id": "d", "sentence_id": "d-s0", "start": SRC.index("全市"), "end": len(SRC),
        "text": "全市工业增长12.5%，新建厂房50万平方米。"}


@pytest.mark.parametrize("row,problem", [
    ({"start": P, "end": P + 5, "mention": "12.5%"}, None),
    ({"start": P - 1, "end": P + 4, "mention": "12.5%"}, "source has"),
    ({"start": W, "end": W + 7, "mention": "50万\n平方米"}, None),
    ({"start": W, "end": W + 99, "mention": "50万平方米"}, "outside the text"),
    ({"start": 0, "end": 2, "mention": "一、"}, "not inside any sentence"),
], ids=["ok", "shifted", "across-line-break", "past-end", "outside-sentences"])
def test_checker_catches(row, problem):
    """The checker itself: a correct row passes, each kind of wrong row is reported."""
    bad = check_rows({"sentences": [SENT], "mentions": [dict(row, doc_id="d")]}, {"d": SRC})
    assert (not bad) if problem is None else (len(bad) == 1 and problem in bad[0]), bad


def test_checker_catches_sentence_text_drift():
    """A sentence whose text is not the cleaned text of its span is reported."""
    bad = check_rows({"sentences": [SENT]}, {"d": SRC})
    assert not bad, bad
    bad = check_rows({"sentences": [dict(SENT, text=SENT["text"].replace("12.5", "12.6"))]}, {"d": SRC})
    assert len(bad) == 1 and "cleaned span" in bad[0]
