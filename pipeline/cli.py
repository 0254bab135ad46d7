"""Command line: thin wrappers over library calls (extract, eval, history).

Start-up is part of every command's time, and `make extract` with nothing new is the commonest run: this
module imports only the light modules that read inputs and check the run stamp (runstamp.py). The stages,
models and writers (corpus.py) and the scorers (devsets.py) are imported when a command needs them; that
is the one place where the pipeline imports its own modules inside functions (tests/test_structure.py).
"""
from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path

from .config import PROJECT_DIR, ConfigError, load_settings
from .history import print_history
from .runlock import RunLocked, run_lock
from .runstamp import prepare, up_to_date

EPILOG = """exit status of extract: 0 every input taken; 3 some inputs rejected (listed in
extracted/errors.csv and on stderr); 1 failure (or any rejection with --strict)."""


def _settings(a, corpus: Path):
    """The run's settings: corpus.toml under the command line's options."""
    return load_settings(corpus, segmenter=a.segmenter, city=a.city, ner=False if a.no_ner else None)


def _extract(a) -> int:
    corpus = Path(a.corpus)
    if not corpus.is_dir():
        print(f"error: corpus folder {corpus} does not exist (put bulletins in it, or name another folder)",
              file=sys.stderr)
        return 1
    try:
        settings = _settings(a, corpus)
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except tomllib.TOMLDecodeError as e:
        print(f"error: {corpus / 'corpus.toml'}: not valid TOML ({e})", file=sys.stderr)
        return 1
    out, cache_dir = Path(a.out), None if a.no_cache else Path(a.cache)
    if a.watch:
        return _watch(a, corpus, out, cache_dir)
    try:
        with run_lock(out, wait=not a.no_wait):
            p = prepare(corpus, out, settings, cache_dir, a.xlsx)
            if p.counts is not None:
                report = up_to_date(p)
            else:
                from .corpus import run_prepared  # lazy: the stages and models, only when there is work to do
                report = run_prepared(p, out, settings, jobs=a.jobs, progress=None if not a.quiet else False,
                                      engine=a.engine, scheduler=a.scheduler, cache_dir=cache_dir, xlsx=a.xlsx)
    except RunLocked as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print("\n".join(_summary(report, a.out)))
    if report.errors:
        return 1 if a.strict else 3
    return 0


def _summary(report, out) -> list[str]:
    c = report.counts
    lines = [f"documents   {c.get('documents', 0)}  (rejected inputs: {len(report.errors)})"]
    lines += [f"{k:<11} {c.get(k, 0)}" for k in ("sentences", "figures", "targets", "deadlines", "enterprises",
                                                 "projects", "series")]
    lines.append(f"up to date  {out} (no bulletin and no rule changed since it was written)" if report.up_to_date
                 else f"written to  {out}")
    return lines


def _watch(a, corpus: Path, out: Path, cache_dir: Path | None) -> int:
    """extract --watch: the first round's summary as extract prints it, then a line per round."""
    from .watch import watch  # lazy: the stages and models (corpus.py), as for a run with work to do

    def report(n, r, seconds):
        if n == 1:
            print("\n".join(_summary(r, a.out)), flush=True)
            print(f"watching    {corpus} every {a.interval:g} s (Ctrl-C stops)", flush=True)
            return
        c = r.counts
        what = "up to date" if r.up_to_date else "written to"
        print(f"round {n:<5} {what} {a.out} in {seconds:.2f} s: {c.get('documents', 0)} documents, "
              f"{c.get('figures', 0)} figures, {c.get('enterprises', 0)} enterprises, "
              f"{c.get('projects', 0)} projects, rejected inputs {len(r.errors)}", flush=True)

    def failed(e):
        print(f"error: this round failed ({type(e).__name__}: {e}); {a.out} is as the last round wrote it, "
              "and the next change is tried again", file=sys.stderr, flush=True)

    if a.engine != "local":
        print("error: --watch runs the per-document stages here (--engine local), not on dask", file=sys.stderr)
        return 1
    try:
        watch(corpus, out, lambda: _settings(a, corpus), jobs=a.jobs, cache_dir=cache_dir, xlsx=a.xlsx,
              interval=a.interval, report=report, failed=failed)
    except KeyboardInterrupt:
        print("stopped", flush=True)
    except (ConfigError, tomllib.TOMLDecodeError) as e:
        print(f"error: {corpus / 'corpus.toml'}: {e}", file=sys.stderr)
        return 1
    return 0


EVAL_EPILOG = """Without --gold, two development sets are scored, each in its own block:
  bulletins     the KB in --extracted (default extracted/, the committed one: the pipeline is not
                re-run) against tests/gold;
  work reports  the texts of --gold-reports (default ../shared/gold_reports) extracted into
                --reports-kb (default .cache/eval/gold_reports) through the per-document cache, so a
                rerun with no code change is quick, then scored against its gold/; when that folder
                is absent the block says it was skipped and why.
With --gold DIR, only --extracted is scored, against DIR. Scores are those of the shared reference
scorer (pipeline/reference_score.py = ../shared/tools/score.py). --errors lists every false positive,
miss and wrong attribute behind them, grouped by metric, with its sentence; --json gives either as JSON."""


def _eval(a) -> int:
    from . import devsets  # lazy: the scorers and the whole pipeline, which `extract` does not always need
    if a.gold is not None:
        sets = [devsets.single(Path(a.extracted), Path(a.gold))]
    else:
        given = {k: Path(v) for k, v in (("root", a.gold_reports), ("out", a.reports_kb), ("cache", a.cache)) if v}
        sets = [devsets.bulletins(Path(a.extracted)), devsets.work_reports(**given)]
    for s in sets:
        if s.note:
            print(s.note, file=sys.stderr)
    results = [devsets.scored(s, errors=a.errors) for s in sets]
    if a.json:
        out = {s.key: devsets.as_json(r) for s, r in zip(sets, results)}
        print(json.dumps(out["kb"] if a.gold is not None else out, ensure_ascii=False, indent=1))
    else:
        print("\n\n".join(devsets.as_text(s, r) for s, r in zip(sets, results)))
    return 0


def _history(a) -> int:
    return print_history(Path(a.extracted), a.phrase)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pipeline",
                                description="Mine government bulletins into a knowledge base (extracted/).")
    sub = p.add_subparsers(dest="command", required=True)
    e = sub.add_parser("extract", help="run the pipeline on a corpus folder and write the knowledge base",
                       epilog=EPILOG)
    e.add_argument("corpus", nargs="?", default=str(PROJECT_DIR / "corpus"),
                   help="folder of bulletins (.txt in any common encoding, .pdf, .docx, .html); default corpus/")
    e.add_argument("--out", default=str(PROJECT_DIR / "extracted"), help="output folder (default extracted/)")
    e.add_argument("--jobs", type=int, default=1, help="worker processes for the per-document stages")
    e.add_argument("--segmenter", choices=["jieba", "pkuseg"], default=None, help="word segmenter (default jieba)")
    e.add_argument("--city", default=None, help="jurisdiction of 全市/我市 for every bulletin (else from headers)")
    e.add_argument("--no-ner", action="store_true", help="rules only: skip the statistical NER model")
    e.add_argument("--strict", action="store_true", help="exit 1 when any input is rejected")
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    e.add_argument("--engine", choices=["local", "dask"], default="local", help="where per-document stages run")
    e.add_argument("--scheduler", default=None, help="dask scheduler address (default: start a LocalCluster)")
    e.add_argument("--cache", default=str(PROJECT_DIR / ".cache" / "docs"),
                   help="per-document result cache; it also remembers the last run into each --out, so a run "
                        "with nothing new says \"up to date\" and writes nothing")
    e.add_argument("--no-cache", action="store_true", help="recompute every document and rewrite the KB")
    e.add_argument("--xlsx", action="store_true",
                   help="also write kb.xlsx, every table as a spreadsheet (make extract does; it costs about as "
                        "much as linking the corpus, so it is written only when asked)")
    e.add_argument("--no-wait", action="store_true",
                   help="when another run is writing the same --out, exit 1 at once instead of waiting for it")
    e.add_argument("--watch", action="store_true",
                   help="stay up and run again whenever an input (or corpus.toml) changes, in this process: "
                        "the segmenter, models and rules are loaded once, so a new text costs about its own "
                        "work (Ctrl-C stops; every round takes the run lock and writes the KB as a run does)")
    e.add_argument("--interval", type=float, default=1.0,
                   help="with --watch: seconds between two looks at the corpus folder (default 1)")
    e.set_defaults(func=_extract)
    v = sub.add_parser("eval", help="score the bulletins' extracted/ and the work reports against their gold "
                                    "annotations", epilog=EVAL_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    v.add_argument("--extracted", default=str(PROJECT_DIR / "extracted"),
                   help="the KB to score (default extracted/; the bulletins' set unless --gold is given)")
    v.add_argument("--gold", default=None, help="score --extracted against this gold folder alone")
    v.add_argument("--gold-reports", default=None,
                   help="the work-report set: a folder with texts/ and gold/ (default ../shared/gold_reports)")
    v.add_argument("--reports-kb", default=None,
                   help="where the work reports' KB is written (default .cache/eval/gold_reports)")
    v.add_argument("--cache", default=None,
                   help="per-document result cache used for the work reports (default .cache/docs, as extract)")
    v.add_argument("--errors", action="store_true",
                   help="list the errors behind the scores (false positives, misses, wrong attributes)")
    v.add_argument("--json", action="store_true", help="machine-readable output")
    v.set_defaults(func=_eval)
    h = sub.add_parser("history", help="print the figure series whose indicator matches a phrase")
    h.add_argument("phrase", help="e.g. 标准化厂房")
    h.add_argument("--extracted", default=str(PROJECT_DIR / "extracted"))
    h.set_defaults(func=_history)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)
