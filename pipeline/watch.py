"""Keep a corpus folder's KB current: one process that stays up and runs again when an input changes.

A new `extract` after one text arrives pays, before that text, for starting Python, loading the segmenter,
the models and the rules, and reading every other document back from the cache (about 1.6 s of a 1.7 s
run on the 120 real texts; the text itself takes 0.2). `extract --watch` pays the loading once: it runs
as `extract` does, then looks at the folder every --interval seconds (its inputs' names, sizes and
modification times, and corpus.toml) and, when anything changed, runs again in the same process; with
--jobs 2 or more its workers are forked from it with everything already loaded. Every round is an
ordinary run (the run lock, the cache, the run stamp, the same KB a one-off run writes). Ctrl-C stops it.
"""
from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

from .cache import pipeline_fingerprint
from .config import Settings
from .corpus import run_prepared
from .executor import process_all
from .inputs import CONFIG_NAME, discover
from .model import SourceDoc
from .runlock import run_lock
from .runner import process_document
from .runstamp import RunReport, prepare, up_to_date

# a short text that takes every stage through its models, dictionaries and rules
WARM_UP_TEXT = ("关于全市工业经济运行情况的通报\n"
                "1-5月，全市规上工业增加值增长11.4%，高于全省6.2个百分点。"
                "力争全年新增规上工业企业40户以上，6月底前完成旬阳水电站项目建设。\n")


def snapshot(corpus: Path, out: Path) -> tuple:
    """What a change of the corpus changes: every input's path, size, modification time and inode, and
    corpus.toml's (the settings). Stat calls only: the texts are read when this changes."""
    paths = discover(corpus, skip=(Path(out),))
    config = corpus / CONFIG_NAME
    if config.exists():
        paths.append(config)
    out_ = []
    for p in paths:
        try:
            st = os.stat(p)
            out_.append((str(p), st.st_size, st.st_mtime_ns, st.st_ino))
        except OSError:  # vanished, or a dangling link: its path alone (the run rejects it)
            out_.append((str(p), -1, -1, -1))
    return tuple(out_)


def warm_up(settings: Settings) -> None:
    """Load what the stages load on first use (segmenter, tagger, models, rules), here: workers forked from
    this process then start with all of it."""
    process_document(SourceDoc(WARM_UP_TEXT, "txt", "utf-8", ["warm-up.txt"]), settings)


def watch(corpus: Path, out: Path, settings_of: Callable[[], Settings], *, jobs: int = 1,
          cache_dir: Path | None = None, xlsx: bool = False, interval: float = 1.0,
          report: Callable[[int, RunReport, float], None] = lambda n, r, s: None,
          rounds: int | None = None, sleep: Callable[[float], None] = time.sleep,
          failed: Callable[[Exception], None] = lambda e: None) -> None:
    """Run, then run again whenever snapshot() changes, until `rounds` rounds are done (None: until
    interrupted). report(round, its RunReport, its seconds) after each round; failed(exception) for a
    round that raised after the first (the KB stays as the last round wrote it; the next change tries
    again). settings_of() is asked each round, so that an edited corpus.toml takes effect."""
    seen, n, kept, kept_for = None, 0, {}, None  # kept: the last round's results by document key, and for what
    noticed: set[str] = set()  # documents whose date notice was printed (once per watch, not once per round)
    while rounds is None or n < rounds:
        now = snapshot(corpus, out)
        if now == seen:
            sleep(interval)
            continue
        t0 = time.perf_counter()
        try:
            settings = settings_of()
            if (fp := pipeline_fingerprint(settings)) != kept_for:  # other settings (or code): other results
                kept.clear()
                noticed.clear()
                kept_for = fp
            with run_lock(out, wait=True):
                p = prepare(corpus, out, settings, cache_dir, xlsx)
                result = up_to_date(p) if p.counts is not None else run_prepared(
                    p, out, settings, jobs=jobs, progress=False, cache_dir=cache_dir, xlsx=xlsx, kept=kept,
                    noticed=noticed)
                if result.up_to_date and not kept and cache_dir is not None:  # results not needed: read, kept
                    process_all(p.docs, settings, progress=False, cache_dir=cache_dir, keep_sentences=xlsx,
                                kept=kept)
            if n == 0:  # once, before the next round's workers are forked from this process (and before it
                warm_up(settings)  # says it is watching)
        except Exception as e:  # noqa: BLE001 - a failed round (a bad corpus.toml, a full disk) is reported;
            if n == 0:  # the watch goes on and tries again at the next change. The first round must work.
                raise
            kept.clear()
            seen = now
            failed(e)
            continue
        seen, n = now, n + 1
        report(n, result, time.perf_counter() - t0)
