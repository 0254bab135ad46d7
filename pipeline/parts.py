"""Parts: the top-level chapters of a text, what each does (review / plan / other) and the year it is about.

A work report reviews a year (一、2022年工作回顾) and plans the next (二、2023年工作安排;
主要预期目标); a speech looks back (肯定成绩) and sets tasks (任务, 要求). Readers
take a figure's kind and period from the part it stands in when its sentence
says nothing itself: a review part's figures are actuals of the reviewed year,
a plan part's goals are targets for the planned year (rules/parts.toml). Only
a dated part speaks for its figures: one whose heading names its year
(2022年工作回顾, 过去五年), or a plan after such a review. A speech's thematic
chapters (一、肯定成绩，坚定信心; 二、紧盯年度目标) keep their role in
sentences.csv, but their figures are read from their own sentences: such a
chapter mixes the state of things with the tasks it sets.

A part opens at a chapter heading (一、 at the start of a paragraph). After a
review part, a chapter with no cue of its own continues the plan (三、加强政府
自身建设 in a report). A glossary after the text (注释, 名词解释) is a part of its
own that runs to the end: its sentences are kept, no fact is read from them. The year: the one the heading names; else, for a review
of 过去一年 the year before the text's date, for a plan after a reviewed year
the year after it, else the text's own year.
"""
from __future__ import annotations

from datetime import date
from functools import cache

import regex

from .model import Part, Sentence
from .normalise.numbers import to_decimal
from .resources import load_toml
from .segment import heading_marker


@cache
def _rules() -> dict[str, regex.Pattern]:
    return {k: regex.compile(v["pattern"]) for k, v in load_toml("rules/parts.toml").items() if "pattern" in v}


def _int(s: str) -> int:
    return int(to_decimal(s.replace("○", "〇")))


def read_heading(heading: str, when: date | None, previous: list[Part]) -> Part:
    """The part a chapter heading opens, given the text's date and the parts before it."""
    r = _rules()
    review = bool(r["review"].search(heading))
    plan = not review and bool(r["plan"].search(heading))
    year = first = None
    if m := r["year"].search(heading):
        year = first = _int(m["y"])
    elif review and when and (m := r["years_back"].search(heading)):
        year, first = when.year - 1, when.year - _int(m["n"] or m["m"])
    elif review and when and r["last_year"].search(heading):
        year = first = when.year - 1
    dated = year is not None
    reviewed = [p for p in previous if p.role == "review" and p.dated]
    if not review and not plan and (reviewed or (year and when and year > when.year)):
        plan = True  # after the review, a chapter with no cue of its own belongs to the plan
    if not review and not plan and year and when and year < when.year:
        review = True
    if year is None and plan and reviewed:
        year = first = reviewed[-1].year + 1
        dated = True
    elif year is None and plan and (m := r["plan_period"].search(heading)):
        year = first = 1981 + 5 * (10 + _int(m["fyp"]) - 6) + 4  # the plan's last year (the 6th began in 1981)
        dated = True
    elif year is None and (review or plan) and when:
        year = first = when.year
    role = "review" if review else "plan" if plan else "other"
    return Part(heading, role, year, first, dated)


def assign_parts(sentences: list[Sentence], when: date | None) -> list[Part]:
    """Set each sentence's part (in place) from the chapter headings; the parts in order."""
    parts: list[Part] = []
    current = None
    for s in sentences:
        mk = heading_marker(s.text)
        opens = _opens_paragraph(s, sentences)
        if opens and _rules()["notes"].fullmatch(s.text.strip("*#： ")):
            current = Part(s.text, "other", notes=True)
            parts.append(current)
        elif current is not None and current.notes:
            pass  # a glossary runs to the end of the text, its numbered entries included
        elif mk and mk[0] == "chapter" and "/" not in s.section and opens:
            current = read_heading(s.text, when, parts)
            parts.append(current)
        if current is not None:
            s.part = current
    return parts


def _opens_paragraph(s: Sentence, sentences: list[Sentence]) -> bool:
    return s.index == 0 or sentences[s.index - 1].paragraph != s.paragraph
