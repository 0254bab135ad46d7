"""Command line: thin wrappers over library calls (extract, eval, history)."""
from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from .config import PROJECT_DIR

EPILOG = """exit status of extract: 0 every input taken; 3 some inputs rejected (listed in
extracted/errors.csv and on stderr); 1 failure (or any rejection with --strict)."""


def _extract(a) -> int:
    from .config import ConfigError, load_settings
    from .corpus import run

    corpus = Path(a.corpus)
    if not corpus.is_dir():
        print(f"error: corpus folder {corpus} does not exist (put bulletins in it, or name another folder)",
              file=sys.stderr)
        return 1
    try:
        settings = load_settings(corpus, segmenter=a.segmenter, city=a.city, ner=False if a.no_ner else None)
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    except tomllib.TOMLDecodeError as e:
        print(f"error: {corpus / 'corpus.toml'}: not valid TOML ({e})", file=sys.stderr)
        return 1
    report = run(corpus, Path(a.out), settings, jobs=a.jobs, progress=None if not a.quiet else False,
                 engine=a.engine, scheduler=a.scheduler, cache_dir=None if a.no_cache else Path(a.cache))
    c = report.counts
    lines = [f"documents   {c.get('documents', 0)}  (rejected inputs: {len(report.errors)})"]
    lines += [f"{k:<11} {c.get(k, 0)}" for k in ("sentences", "figures", "targets", "deadlines", "enterprises",
                                                 "projects", "series")]
    lines.append(f"up to date  {a.out} (no bulletin and no rule changed since it was written)" if report.up_to_date
                 else f"written to  {a.out}")
    print("\n".join(lines))
    if report.errors:
        return 1 if a.strict else 3
    return 0


def _eval(a) -> int:
    from .evaluate import evaluate, format_table

    res = evaluate(Path(a.extracted), Path(a.gold))
    if a.json:
        import json

        print(json.dumps(res, ensure_ascii=False, indent=1))
    else:
        print(format_table(res))
    return 0


def _history(a) -> int:
    from .history import print_history

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
    e.set_defaults(func=_extract)
    v = sub.add_parser("eval", help="score extracted/ against gold annotations (does not re-run the pipeline)")
    v.add_argument("--extracted", default=str(PROJECT_DIR / "extracted"))
    v.add_argument("--gold", default=str(PROJECT_DIR / "tests" / "gold"))
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
