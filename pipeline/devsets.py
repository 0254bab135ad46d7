"""The development sets `make eval` scores, each a (KB, gold) pair, and how their scores are shown.

Two sets, two genres: the bulletins of corpus/, whose KB is committed (extracted/) and so is scored
as it stands, never re-run; and the work reports of ../shared/gold_reports, which have no committed
KB: their texts are extracted into a cache folder with the usual per-document cache, so a second
`make eval` with no code change finds that KB up to date instead of recomputing it. A set whose
folder is absent is reported as skipped, with the reason, rather than failing the command.
"""
from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

from .config import PROJECT_DIR, load_settings
from .corpus import run
from .eval_errors import collect_errors, error_counts, format_errors
from .evaluate import evaluate, format_table

BULLETIN_KB = PROJECT_DIR / "extracted"
BULLETIN_GOLD = PROJECT_DIR / "tests" / "gold"
REPORTS = PROJECT_DIR.parent / "shared" / "gold_reports"
REPORTS_KB = PROJECT_DIR / ".cache" / "eval" / "gold_reports"
DOC_CACHE = PROJECT_DIR / ".cache" / "docs"


def shown(p: Path) -> str:
    """A path as the reader would type it from here (relative unless that climbs more than one level)."""
    rel = os.path.relpath(p)
    return rel if not rel.startswith(os.path.join(os.pardir, os.pardir)) else str(Path(p).resolve())


@dataclass
class DevSet:
    key: str          # in --json
    title: str        # heading of its block
    extracted: Path | None = None
    gold: Path | None = None
    skipped: str = ""  # why it was not scored
    note: str = ""     # how its KB was had (for stderr: stdout stays the same from run to run)


def bulletins(extracted: Path = BULLETIN_KB, gold: Path = BULLETIN_GOLD) -> DevSet:
    return DevSet("bulletins", f"bulletins: {shown(extracted)} against {shown(gold)}", extracted, gold)


def single(extracted: Path, gold: Path) -> DevSet:
    return DevSet("kb", f"{shown(extracted)} against {shown(gold)}", extracted, gold)


def work_reports(root: Path = REPORTS, out: Path = REPORTS_KB, cache: Path | None = DOC_CACHE) -> DevSet:
    """Extract root/texts into `out` (through the document cache) and pair it with root/gold."""
    texts, gold = root / "texts", root / "gold"
    absent = [p for p in (texts, gold) if not p.is_dir()]
    if absent:
        return DevSet("work_reports", f"work reports ({shown(root)})",
                      skipped=f"{shown(absent[0])} not found (name the folder with --gold-reports DIR, "
                              f"or GOLD_REPORTS=DIR for make eval)")
    report = run(texts, out, load_settings(texts), progress=False, cache_dir=cache)
    note = f"work reports: {shown(out)} {'up to date' if report.up_to_date else 'extracted from ' + shown(texts)}"
    if report.errors:
        note += f" ({len(report.errors)} inputs rejected, see {shown(out / 'errors.csv')})"
    return DevSet("work_reports", f"work reports: {shown(texts)} extracted into {shown(out)}, against {shown(gold)}",
                  out, gold, note=note)


def scored(s: DevSet, errors: bool = False) -> dict:
    """The set's metrics (pipeline.evaluate), with its error list when asked; {"skipped": why} if skipped."""
    if s.skipped:
        return {"skipped": s.skipped}
    res = {"extracted": str(s.extracted), "gold": str(s.gold), **evaluate(s.extracted, s.gold)}
    if errors:
        res["errors"] = collect_errors(s.extracted, s.gold)
    return res


def as_text(s: DevSet, res: dict) -> str:
    """One block: a heading line, then the metric table, or the error list with its counts per group."""
    if "skipped" in res:
        return f"== {s.title}: skipped, {res['skipped']}"
    if "errors" not in res:
        return f"== {s.title}\n{format_table(res)}"
    total = sum(error_counts(res["errors"]).values())
    return f"== {s.title}: {total} errors\n{format_errors(res['errors'])}"


def as_json(res: dict) -> dict:
    """The JSON form: errors as lists of objects under "metric: what", with their counts."""
    if "errors" not in res:
        return res
    errs = res["errors"]
    return {**res, "error_counts": error_counts(errs),
            "errors": {f"{m}: {w}": [asdict(e) for e in v] for (m, w), v in errs.items()}}
