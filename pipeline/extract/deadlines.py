"""Deadlines: time expressions that bound a task, with the task and who must do it.

Not every date is a deadline: statistics periods (1-5月, 今年以来), dates of
past meetings (2月18日…会议后) and reports of things done (今天出台了…) are
not. A time expression becomes a deadline when a limit marker follows it
(6月底前, 本周内), when an action starts right after it (下周召开, 年内竣工,
三季度实现), when it opens a demand (下半年，要…确保完成…), or when it sits in
the object of a goal verb (夺取首季“开门红”). Which expressions may do that at
all is the `role` from timex.toml; the cues here are in deadlines.toml.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import regex

from ..model import LocalDeadline, Metadata, Sentence
from ..normalise.timex import Interval, Timex, find_timexes
from ..resources import char_class, expand_defs, load_toml, punctuation

_SPACE = regex.compile(r"\s+")


@dataclass(frozen=True)
class Deadline:
    start: int  # offsets of the mention inside the sentence given
    end: int
    mention: str  # as written, 前/之前/内 included
    date: date  # the last day of the limit
    task: str  # what must be done, without whitespace
    responsible: str | None  # body named as responsible in the same sentence


@cache
def rules() -> dict[str, regex.Pattern]:
    """Compiled cue patterns by name; responsible-body patterns under 'body:<name>'."""
    data = load_toml("rules/deadlines.toml")
    defs = data["defs"]
    out = {k: regex.compile(expand_defs(v["pattern"], defs)) for k, v in data.items()
           if isinstance(v, dict) and "pattern" in v}
    for b in data["body"]:
        out[f"body:{b['name']}"] = regex.compile(expand_defs(b["pattern"], defs))
    return out


@cache
def clause_end() -> regex.Pattern:
    """A task's clause ends at these (punctuation.toml task_clause_end; brackets stay inside a task)."""
    return regex.compile(char_class(punctuation("task_clause_end")))


def _clause_bounds(text: str, pos: int) -> tuple[int, int]:
    """Start and end of the clause (between ，。；： …) around pos."""
    starts = [m.end() for m in clause_end().finditer(text, 0, pos)]
    m = clause_end().search(text, pos)
    return (starts[-1] if starts else 0), (m.start() if m else len(text))


def _strip(s: str) -> str:
    return rules()["strip_lead"].sub("", s, count=1).strip()


def _clean(s: str) -> str:
    return _SPACE.sub("", s)


# ---------------------------------------------------------------- responsible


def _bodies(sentence: str) -> list[tuple[int, int]]:
    """Non-overlapping body-name spans, longest first."""
    R = rules()
    found = [(m.start(), m.end()) for k, rx in R.items() if k.startswith("body:") for m in rx.finditer(sentence)]
    taken: list[tuple[int, int]] = []
    for s, e in sorted(found, key=lambda x: (x[0] - x[1], x[0])):
        if all(e <= a or s >= b for a, b in taken):
            taken.append((s, e))
    return sorted(taken)


def _responsible(sentence: str, at: int) -> str | None:
    """The body that is the subject of a demand or the addressee of a request: the nearest one before the
    deadline, else the first one after it (国庆节前，市住建局要 …)."""
    R = rules()
    eligible = []
    for s, e in _bodies(sentence):
        head, tail = sentence[:s], sentence[e:]
        if R["blocked_before"].search(head):
            continue
        if (R["subject_after"].match(tail) or R["requested_before"].search(head) or R["heading"].match(head)
                or (s >= at and R["clause_start"].search(head))):
            eligible.append((s, sentence[s:e]))
    before = [b for s, b in eligible if s < at]
    after = [b for s, b in eligible if s >= at]
    return before[-1] if before else (after[0] if after else None)


def _drop_body(clause: str) -> str:
    for s, e in _bodies(clause):
        if s == 0 or not clause[:s].strip():
            return clause[e:]
        break
    return clause


# ---------------------------------------------------------------- task


def _topic_task(rest: str) -> str:
    """After 下半年，要 …: the clause that completes something, else the first demand."""
    clauses = [_strip(_drop_body(c.strip())) for c in clause_end().split(rest) if c.strip()]
    done = [c for c in clauses if rules()["completion"].match(c)]
    return done[-1] if done else (clauses[0] if clauses else "")


def _task(sentence: str, tx: Timex, end: int, mode: str) -> str:
    R = rules()
    c_start, c_end = _clause_bounds(sentence, end)
    if mode == "goal":
        g = R["goal_before"].search(sentence, c_start, tx.start)
        return _clean(sentence[g.start() if g else tx.start:c_end])
    post = sentence[end:c_end]
    if mode == "topic" or not post.strip():
        return _clean(_topic_task(sentence[end:]))
    post = _strip(post)
    if R["generic_task"].match(_clean(post)):  # 全部兑现到位: the previous clause says what
        p_start, _ = _clause_bounds(sentence, max(c_start - 1, 0))
        prev = _strip(_drop_body(sentence[p_start:max(c_start - 1, 0)]))
        return _clean(prev) if prev else _clean(post)
    if R["subject_adverb"].match(post):  # 所有项目问题在11月底前全部解决: keep the subject
        head = sentence[c_start:tx.start]
        if at := R["at"].search(head):
            head = head[:at.start()]
        return _clean(_strip(_drop_body(head)) + post)
    return _clean(post)


# ---------------------------------------------------------------- detection


def _mode(sentence: str, tx: Timex, end: int, marker: str | None) -> str | None:
    """How the expression bounds a task: 'post' (action follows), 'topic', 'goal', or None (no deadline)."""
    R = rules()
    before, rest = sentence[:tx.start], sentence[end:]
    if R["meeting_before"].search(before) or R["meeting_after"].match(sentence[tx.end:]):
        return None
    if marker:
        return "post"
    if tx.role == "explicit":
        return "post" if R["at"].search(before) and R["task_start"].match(rest) else None
    if R["task_start"].match(rest):
        return "post"
    if R["topic_frame"].match(rest) and R["clause_start"].search(before):
        return "topic"
    if tx.role == "verb" and R["clause_open"].search(before) and R["task_later"].match(rest):
        return "post"
    if R["goal_before"].search(before) and R["goal_after"].match(rest):
        return "goal"
    return None


def _deadline(sentence: str, tx: Timex, sd: date, rolled: Interval | None) -> Deadline | None:
    R = rules()
    after = sentence[tx.end:]
    marker, end = None, tx.end
    for name in ("before", "within"):
        if m := R[name].match(after):
            marker, end = name, tx.end + m.end()
            break
    mode = _mode(sentence, tx, end, marker)
    if mode is None:
        return None
    c_start, c_end = _clause_bounds(sentence, end)
    if R["past"].search(sentence, end, c_end):
        return None
    iv = rolled if marker else tx.interval  # only an explicit limit rolls a passed month into next year
    if iv is None:
        return None
    if marker == "before" and not R["endpoint"].search(tx.text):
        when = iv.start - timedelta(days=1)  # 7月1日前 -> 6月30日; “五一”前 -> 4月30日
    else:
        when = iv.end
    if when < sd:
        return None
    task = _task(sentence, tx, end, mode)
    if not task:
        return None
    return Deadline(tx.start, end, sentence[tx.start:end], when, task, _responsible(sentence, tx.start))


def extract_deadlines(sentences: list[Sentence], meta: Metadata) -> list[LocalDeadline]:
    """Deadlines of a document's sentences, resolved against its reference date (none without one).

    A dated review part (一、2022年工作回顾) reports work done and sets no limit; in a plan part for a later
    year than the text's (a report of December planning the next year), 年内 and 三季度 are that year's."""
    when = meta.reference_date or meta.speech_date
    if when is None:
        return []
    out = []
    for sent in sentences:
        part = sent.part
        if (part.role == "review" and part.dated) or part.notes:
            continue
        at = date(part.year, 1, 1) if part.role == "plan" and part.dated and part.year > when.year else when
        out += [LocalDeadline(sent.index, d.start, d.end, d.date, d.task, d.responsible)
                for d in find_deadlines(sent.text, at)]
    return out


def find_deadlines(sentence: str, speech_date: date) -> list[Deadline]:
    """Deadlines in one sentence, in order."""
    out = []
    rolled = {(t.start, t.end): t.interval for t in find_timexes(sentence, speech_date, future=True)}
    for tx in find_timexes(sentence, speech_date):
        if tx.role == "never" or tx.interval is None:
            continue
        if d := _deadline(sentence, tx, speech_date, rolled.get((tx.start, tx.end))):
            out.append(d)
    return out
