"""Repair PDF-extraction noise while keeping the way back to source offsets.

Repairs, each a deletion or a one-for-one substitution recorded in the map:
lines broken mid-sentence are re-joined (blank lines between them dropped);
spaces inside a line are dropped unless both neighbours are Latin letters or
digits ("增长 11.4%" -> "增长11.4%", "PP 棉" -> "PP棉", "Hello World" kept);
leading/trailing and full-width spaces; markdown emphasis (**), line prefixes
(# heading, > quote, - list), images, link targets, HTML comments (also over
several lines) and stray HTML tags; page furniture lines ("- 3 -", table rules);
the distribution footer (主送/抄送 ...). A YAML front matter (--- key: value ---
at the very start, as Markdown texts carry it) is kept as header lines, never
as body, whatever the file's suffix: a .txt copy of a .md file is read alike.
Full-width digits/letters/％ become ASCII and Traditional characters become
Simplified one-for-one, so rules see one script. No Unicode normalisation
form is applied to the whole text: NFKC would change lengths and punctuation.
Paragraphs are joined by "\n" in the cleaned text.
"""
from __future__ import annotations

from array import array
from functools import cache

import regex

from .offsets import Builder, CleanText
from .resources import load_toml

_LINE = regex.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")
_SPACE = set(" \t\u3000\u00a0\u2002\u2003\u2009\u200b\ufeff")
# a character _line_chars changes (a space, a full-width letter or digit): a line without one is kept as it is
_CHANGED = regex.compile("[" + "".join(sorted(_SPACE)) + "\uff10-\uff19\uff21-\uff3a\uff41-\uff5a％]")
_RUN = regex.compile("[^" + "".join(sorted(_SPACE)) + "]+")  # a run of characters that are not spaces
# full-width digits, letters and ％ -> ASCII (str.translate's table)
_FOLD = {o: o - 0xFEE0 for o in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B), ord("％"))}


@cache
def _rules() -> dict:
    rules = load_toml("rules/clean.toml")
    return {
        "footer": regex.compile(rules["footer"]["pattern"]),
        "furniture": regex.compile(rules["furniture"]["pattern"]),
        "markup": regex.compile(rules["markup"]["pattern"]),
        "heading": regex.compile(rules["heading"]["pattern"]),
        "para_end": regex.compile(rules["para_end"]["pattern"]),
        "header_end": regex.compile(rules["header_end"]["pattern"]),
        "header_max_lines": int(rules["header_end"]["max_lines"]),
        "line_markup": regex.compile(rules["line_markup"]["pattern"]),
        "comment": regex.compile(rules["comment"]["pattern"]),
        "front_matter_fence": regex.compile(rules["front_matter_fence"]["pattern"]),
        "front_matter_max_lines": int(rules["front_matter_fence"]["max_lines"]),
        "header_line": regex.compile(rules["header_line"]["pattern"]),
        "header_anchor": regex.compile(rules["header_anchor"]["pattern"]),
        # one definition of a speaker line and a bare name, shared with the metadata that reads them
        "speaker_line": regex.compile(load_toml("rules/metadata.toml")["speaker_line"]["pattern"]),
        "header_name": regex.compile(load_toml("rules/metadata.toml")["speaker_name"]["pattern"]),
        "meeting_tail": regex.compile(load_toml("rules/metadata.toml")["meeting_tail"]["pattern"]),
        "sentence_end": regex.compile(r"[。！？；!?;]"),
    }


def _lines(source: str) -> list[tuple[int, int]]:
    """(start, end) of each line's content, end excluding the line terminator."""
    out = []
    for m in _LINE.finditer(source):
        if m.start() == len(source):
            break
        s = m.group()
        content = s.rstrip("\r\n")
        out.append((m.start(), m.start() + len(content)))
    return out


def _fold(ch: str) -> str:
    return ch.translate(_FOLD)


def _is_latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _line_chars(source: str, start: int, end: int, markup, drops: list[tuple[int, int]] | None = None,
                line_markup=None) -> tuple[str, array]:
    """Kept text of one line and each character's source position: markup removed, spaces squeezed.
    `drops` are further source spans to remove (HTML comments); `line_markup` a prefix rule (# , - ).
    The line is taken a run of non-space characters at a time (one slice, one fold, one range of
    positions each); _walk, a character at a time, is what it does (a test compares the two)."""
    drops = _drops(source, start, end, markup, drops, line_markup)
    if not drops and not _CHANGED.search(source, start, end):
        return source[start:end], _positions(start, end)
    chars: list[str] = []
    pos = array("l")
    space_at = -1  # the first space since the last kept character
    for a, b in _kept_spans(drops, start, end):
        at = a
        for m in _RUN.finditer(source, a, b):
            if m.start() > at and space_at < 0:  # only spaces between: runs are maximal
                space_at = at
            if space_at >= 0:
                if chars and _is_latin(chars[-1][-1]) and _is_latin(source[m.start()]):
                    chars.append(" ")
                    pos.append(space_at)
                space_at = -1
            chars.append(m.group().translate(_FOLD))
            pos.extend(_positions(m.start(), m.end()))
            at = m.end()
        if at < b and space_at < 0:
            space_at = at
    return "".join(chars), pos


_IOTA = [array("l")]  # 0, 1, 2 ... as far as the longest text yet (up to IOTA_MAX): what _positions slices
IOTA_MAX = 1 << 22  # 4 M characters, 32 MB kept: a longer text's later lines build their positions as before


def _positions(start: int, end: int) -> array:
    """array("l", range(start, end)), sliced from one kept array (a copy in C): building it from a range
    made every character an int object, half the time of cleaning the real texts."""
    if end > IOTA_MAX:
        return array("l", range(start, end))
    iota = _IOTA[0]
    if len(iota) < end:
        size = min(IOTA_MAX, end + max(1 << 16, len(iota)))  # grown by at least what it was
        iota = _IOTA[0] = array("l", range(size))
    return iota[start:end]


def _drops(source: str, start: int, end: int, markup, drops, line_markup) -> list[tuple[int, int]]:
    """The source spans a line loses: markup, the given drops, a line prefix (# , - ), in order."""
    drops = sorted((drops or []) + [(m.start(), m.end()) for m in markup.finditer(source, start, end)])
    if line_markup is not None:
        lead = start
        while lead < end and source[lead] in _SPACE:
            lead += 1
        if m := line_markup.match(source, lead, end):
            drops.insert(0, (m.start(), m.end()))
    return drops


def _kept_spans(drops: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """[start, end) less the drops (sorted; they may overlap, or reach outside the line)."""
    out, i = [], start
    for ds, de in drops:
        if ds > i and i < end:
            out.append((i, min(ds, end)))
        i = max(i, de)
    if i < end:
        out.append((i, end))
    return out


def _walk(source: str, start: int, end: int, markup, drops: list[tuple[int, int]] | None = None,
          line_markup=None) -> tuple[str, array]:
    """_line_chars a character at a time (the reference its test compares with)."""
    drops = _drops(source, start, end, markup, drops, line_markup)
    chars: list[str] = []
    pos = array("l")
    d = 0
    space_at = -1
    i = start
    while i < end:
        if d < len(drops) and i >= drops[d][0]:
            i = max(i, drops[d][1])
            d += 1
            continue
        ch = source[i]
        if ch in _SPACE:
            if space_at < 0:
                space_at = i
            i += 1
            continue
        if space_at >= 0:
            if chars and _is_latin(chars[-1]) and _is_latin(ch):
                chars.append(" ")
                pos.append(space_at)
            space_at = -1
        chars.append(_fold(ch))
        pos.append(i)
        i += 1
    return "".join(chars), pos


def _comments(source: str, r: dict) -> list[tuple[int, int]]:
    """Source spans of HTML comments (<!-- ... -->, possibly over several lines); an unclosed one is text."""
    if "<!--" not in source:
        return []
    return [(m.start(), m.end()) for m in r["comment"].finditer(source)]


def _front_matter(source: str, spans: list[tuple[int, int]], r: dict) -> int:
    """Number of source lines a YAML front matter takes at the very start (both fences included), else 0."""
    if not spans or not r["front_matter_fence"].fullmatch(source, *spans[0]):
        return 0
    for i in range(1, min(len(spans), r["front_matter_max_lines"])):
        if r["front_matter_fence"].fullmatch(source, *spans[i]):
            return i + 1 if i > 1 else 0  # "---\n---" is a rule, not a front matter
    return 0


def _in_comment(s: int, e: int, comments: list[tuple[int, int]]) -> list[tuple[int, int]]:
    return [(max(a, s), min(b, e)) for a, b in comments if a < e and s < b]


def clean(source: str) -> tuple[CleanText, int]:
    """Cleaned text and the number of header paragraphs at its start.

    Header lines (front matter, bulletin name, issue, dates, speaker, title) are kept one per
    paragraph for the metadata rules; the body is re-joined into paragraphs.
    Memory stays a few bytes per character: a string and an offset array per line.
    """
    r = _rules()
    lines: list[tuple[str, array, int]] = []
    spans = _lines(source)
    n_fm_src = _front_matter(source, spans, r)
    comments = _comments(source, r)
    n_fm = 0  # front-matter lines kept (header paragraphs)
    for k, (s, e) in enumerate(spans):
        text = source[s:e]
        if not text.strip(" \t\u3000\u00a0\ufeff"):
            continue
        if k < n_fm_src:
            if 0 < k < n_fm_src - 1:
                kept, pos = _line_chars(source, s, e, r["markup"], _in_comment(s, e, comments))
                if kept:
                    lines.append((kept, pos, e))
                    n_fm += 1
            continue
        if r["footer"].match(text.lstrip(" \t\u3000\u00a0\ufeff")) and len(lines) > n_fm:
            break
        if r["furniture"].fullmatch(text.strip(" \t\u3000\u00a0\ufeff")):
            continue
        kept, pos = _line_chars(source, s, e, r["markup"], _in_comment(s, e, comments) if comments else None,
                                r["line_markup"])
        if kept:
            lines.append((kept, pos, e))
    header_n = n_fm + _header_count([line for line, _, _ in lines[n_fm:]], r)
    b = Builder()
    for i, (line, pos, end) in enumerate(lines):
        b.extend(line, pos)
        if i + 1 == len(lines):
            break
        nxt = lines[i + 1][0]
        if (i < header_n or r["para_end"].search(line) or r["heading"].match(nxt)
                or (r["heading"].match(line) and not r["sentence_end"].search(line))):
            b.add("\n", end)
    ct = b.build(len(source))
    return _simplify(ct), header_n


def _header_count(lines: list[str], r: dict) -> int:
    """How many of the first lines (after any front matter) form the text's header.

    A bulletin's header closes with its bracketed speech date （2020年2月28日）, wherever it stands in
    the first lines (the rule that always held); speaker lines right under it still belong to it. Other
    texts (work reports, communiqués) have no such closing line: their header is the run of short lines
    without sentence punctuation at the start, up to the last that is plainly header (a date, a
    ——…在…会议上 line, a speaker, a title ending in 报告/讲话/公报, a bare name under one of these).
    A text whose first lines show none of these has no header (a broken first sentence stays body).
    """
    top = lines[: r["header_max_lines"]]
    for i, line in enumerate(top):
        if r["header_end"].fullmatch(line):
            n = i + 1
            while n < len(top) and r["speaker_line"].fullmatch(top[n]):
                n += 1
            return n
    n, after_anchor = 0, False
    for i, line in enumerate(top):
        if not r["header_line"].fullmatch(line) or r["heading"].match(line):
            break
        if (r["header_anchor"].search(line) or r["speaker_line"].fullmatch(line)
                or (after_anchor and (r["header_name"].fullmatch(line) or r["meeting_tail"].search(line)))):
            n, after_anchor = i + 1, True
        else:
            after_anchor = False
    return n


def _simplify(ct: CleanText) -> CleanText:
    """Traditional -> Simplified, one character for one, offsets unchanged."""
    sample = ct.text[:20000]
    if sum(sample.count(ch) for ch in _TRADITIONAL_MARKERS) < 5:
        return ct
    return CleanText(ct.text.translate(_trad_table()), ct.src)


# Frequent characters that exist only in Traditional script: cheap detection,
# so Simplified text (which also uses e.g. 著, 乾) is never converted.
_TRADITIONAL_MARKERS = "們個這國經發產業會區縣為與實點進來對開動務導們過還將"


@cache
def _trad_table() -> dict[int, str]:
    import zhconv  # its tables load only when a text is in Traditional script

    table = {}
    for trad, simp in zhconv.zhconv.getdict("zh-hans").items():
        if len(trad) == 1 and len(simp) == 1 and trad != simp:
            table[ord(trad)] = simp
    return table
