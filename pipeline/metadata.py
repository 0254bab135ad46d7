"""Header rules -> bulletin, issue, dates, speaker, title, note, city; and where the date came from.

Headers differ between issues and genres (a bulletin's 期号 and bracketed date; a work report's
——date在…会议上 line, 市长 X line and front-matter title X市政府工作报告（date name）), so each field is
a rule over header lines rather than a layout. A text whose header gives no speech date falls back
to other dates and says which (date_source), and always gets a reference_date to resolve its times
against when any date is to be had, so that later stages never drop a deadline or a period silently.
"""
from __future__ import annotations

import sys
from datetime import date
from functools import cache

import regex

from .model import DocumentRow, Metadata
from .normalise.numbers import to_decimal
from .normalise.places import infer_city
from .resources import load_toml

# Where speech_date came from (documents.csv date_source), in the order they are tried.
DATE_SOURCES = ("header", "front_matter", "published_on", "title", "config")
# How reference_date was found when there is no speech date (both are estimates).
ESTIMATES = ("latest_date_in_text", "title_year")


@cache
def _rules() -> dict[str, regex.Pattern]:
    return {k: regex.compile(v["pattern"]) for k, v in load_toml("rules/metadata.toml").items()}


_HAN_DIGIT = {"〇": 0, "零": 0, "○": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_DATE = regex.compile(r"(?P<y>\d{4}|[〇零○一二三四五六七八九]{4})\s*年\s*(?P<m>\d{1,2}|[一二三四五六七八九十]{1,3})"
                      r"\s*月\s*(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日")
# a date that limits a task (2021年12月31日前, 2025年6月30日起) is no estimate of when the text was written
_DATE_LIMIT = regex.compile(r"\s*(?:前|之前|以前|止|为止|起|开始|以后|之后|后)")
_YEAR = regex.compile(r"(?<!\d)((?:19|20)\d{2})\s*年")


def _small(s: str) -> int:
    """1-31 written as digits or Chinese numerals (九, 十二, 二十九, 三十一)."""
    if s.isdigit():
        return int(s)
    tens, _, ones = s.rpartition("十")
    if "十" not in s:
        return _HAN_DIGIT[s]
    return (_HAN_DIGIT[tens] if tens else 1) * 10 + (_HAN_DIGIT[ones] if ones else 0)


def _date_of(m: regex.Match) -> date | None:
    y = m["y"] if m["y"].isdigit() else "".join(str(_HAN_DIGIT[c]) for c in m["y"])
    try:
        return date(int(y), _small(m["m"]), _small(m["d"]))
    except (ValueError, KeyError):
        return None


def _iso(s: str) -> date | None:
    m = _DATE.fullmatch(s)
    return _date_of(m) if m else None


def _find_date(s: str) -> date | None:
    m = _DATE.search(s or "")
    return _date_of(m) if m else None


def latest_date(text: str) -> date | None:
    """The latest full date written in a text, leaving out dates that limit a task (…日前, …日起): the
    documented estimate of when an undated text was written (a report names events up to its delivery)."""
    best = None
    for m in _DATE.finditer(text):
        if _DATE_LIMIT.match(text, m.end()):
            continue
        d = _date_of(m)
        if d and 1949 <= d.year <= 2100 and (best is None or d > best):
            best = d
    return best


def _split_title(title: str | None) -> tuple[str | None, str]:
    """Front-matter title -> (title without its bracket, what the bracket holds)."""
    if not title:
        return None, ""
    if m := _rules()["title_bracket"].fullmatch(title):
        return m["title"], m["inner"]
    return title, ""


def _bracket_speaker(inner: str) -> str | None:
    """The name after the date in a title bracket （2021年3月28日 赵俊民）, if it is name-shaped."""
    m = _DATE.search(inner)
    rest = (inner[m.end():] if m else inner).strip(" 　")
    return rest if rest and _rules()["speaker_name"].fullmatch(rest) else None


def _doc_title(lines: list[str]) -> str | None:
    """The first title line of the header, joined with the lines before it when together they still
    read as one title (中华人民共和国 / 2004年国民经济和社会发展统计公报)."""
    r = _rules()["doc_title"]
    for i, line in enumerate(lines):
        if m := r.fullmatch(line):
            for j in range(i):
                if joined := r.fullmatch("".join(lines[j:i + 1])):
                    return joined["title"]
            return m["title"]
    return None


def read_metadata(header: list[str], body: str, city_override: str | None = None, *,
                  config_date: date | None = None, source: str | None = None) -> Metadata:
    """Fields from the header paragraphs (front-matter lines first, as clean.py keeps them); city from
    issuer, title, header or body. `config_date` is corpus.toml's date for this text (the last fallback);
    with `source` (the file's path) a fallback or a missing date is said on stderr, one line."""
    r = _rules()
    f: dict = {}
    fm: dict[str, str] = {}
    speech_lines: list[str] = []
    header_titles: list[str] = []
    in_fm, after_anchor = True, False  # after a date, meeting or title line a bare name is the speaker
    for line in header:
        if in_fm and (m := r["front_matter"].fullmatch(line)):
            fm.setdefault(m["key"].lower(), m["value"].strip().strip("'\""))
            continue
        in_fm = False
        if m := r["speech_date"].search(line):
            f["speech_date"] = _iso(m["date"])
            note = (m["note"] or "").strip("·•・. ")
            f["note"] = note or None
            after_anchor = True
            continue
        if m := r["meeting_date"].search(line):
            f["speech_date"] = f.get("speech_date") or _iso(m["date"])  # the first that reads as a date
            if prefix := line[:m.start()].strip("—─－ "):
                header_titles.append(prefix)
            after_anchor = True
            continue
        used = False
        if m := r["bulletin"].fullmatch(line):
            f["bulletin"] = m["bulletin"]
            used = True
        if m := r["issue_no"].search(line):
            f["issue_no"] = int(to_decimal(m["issue"]))
            used = True
        if m := r["issuer"].match(line):
            f["issuer_place"] = m["place"]
            if m["date"]:
                f["published_on"] = _iso(m["date"])
            used = True
        elif m := r["published_on"].fullmatch(line):
            f["published_on"] = _iso(m["date"])
            used = True
        if used:
            after_anchor = False
            continue
        if m := r["speaker_line"].fullmatch(line):
            if m["speaker"]:
                f.setdefault("speaker", m["speaker"])
            after_anchor = False
            continue
        if after_anchor and "speaker" not in f and r["speaker_name"].fullmatch(line):
            f["speaker"] = line
            continue
        speech_lines.append(line)
        after_anchor = bool(r["doc_title"].fullmatch(line) or (after_anchor and r["meeting_tail"].search(line)))
    speech = "".join(speech_lines)
    if speech and ("在" in speech or "于" in speech) and (m := r["speech"].fullmatch(speech)):
        f["speaker"] = f.get("speaker") or m["speaker"]
        f["title"] = m["title"] or None
    elif title := _doc_title(speech_lines):
        header_titles.insert(0, title)
    fm_title, fm_inner = _split_title(fm.get("title"))
    if "title" not in f:
        if fm_title and r["doc_title"].fullmatch(fm_title):
            f["title"] = fm_title
        elif header_titles:
            f["title"] = header_titles[0]
        else:
            f["title"] = fm_title
    if not f.get("speaker") and (name := _bracket_speaker(fm_inner)):
        f["speaker"] = name
    _date_fields(f, fm_inner, [f.get("title") or "", *header_titles, fm.get("title") or ""], config_date, body,
                 header)
    header_text = "\n".join([*header_titles, *(ln for ln in header if not r["front_matter"].fullmatch(ln)),
                             fm_title or ""])
    city = city_override or infer_city(f.get("issuer_place"), f.get("title") or fm_title or "", body, header_text)
    f.pop("issuer_place", None)
    f["doc_kind"] = doc_kind(header_text, bool(f.get("bulletin") or f.get("issue_no")))
    meta = Metadata(**f, city=city)
    if source is not None and (notice := date_notice(meta, source)):
        print(notice, file=sys.stderr)
    return meta


def doc_kind(header_text: str, bulletin: bool) -> str:
    """report (a work report), speech (a speech, or any bulletin issue) or other, from the title and header
    lines: a ledger that joins both genres says which kind each statement comes from."""
    r = _rules()
    if r["report_kind"].search(header_text):
        return "report"
    return "speech" if bulletin or r["speech_kind"].search(header_text) else "other"


def _date_fields(f: dict, fm_inner: str, titles: list[str], config_date: date | None, body: str,
                 header: list[str]) -> None:
    """speech_date by DATE_SOURCES in order, date_source, reference_date and reference_source."""
    found = {"header": f.get("speech_date"), "front_matter": _find_date(fm_inner),
             "published_on": f.get("published_on"),
             "title": next((d for t in titles if (d := _find_date(t))), None), "config": config_date}
    src = next((k for k in DATE_SOURCES if found[k]), None)
    f["speech_date"], f["date_source"] = (found[src], src) if src else (None, None)
    if src:
        f["reference_date"], f["reference_source"] = found[src], "speech_date"
    elif d := latest_date("\n".join([*header, body])):
        f["reference_date"], f["reference_source"] = d, "latest_date_in_text"
    elif m := next((m for t in titles if (m := _YEAR.search(t))), None):
        f["reference_date"], f["reference_source"] = date(int(m[1]), 1, 1), "title_year"


_USED = {"published_on": "its published date", "title": "the date in its title", "config": "corpus.toml's date"}
_ESTIMATED = {"latest_date_in_text": "the latest full date written in it",
              "title_year": "1 January of its title's year"}


def date_notice(meta: Metadata | DocumentRow, source: str) -> str | None:
    """One stderr line when the speech date is not the text's own (header, front matter) or is missing."""
    if meta.date_source in ("header", "front_matter"):
        return None
    if meta.date_source:
        return (f"date: {source}: no speech date in its header or front matter; speech_date "
                f"{meta.speech_date} is {_USED[meta.date_source]} (date_source {meta.date_source})")
    tried = "no speech date found (header, front matter, published date, title, corpus.toml date)"
    if meta.reference_date:
        return (f"date: {source}: {tried}; times resolve against {meta.reference_date}, "
                f"{_ESTIMATED[meta.reference_source]} (an estimate; set date = \"YYYY-MM-DD\" for it in corpus.toml)")
    return f"date: {source}: {tried}, nor any date in the text; set date = \"YYYY-MM-DD\" for it in corpus.toml"
