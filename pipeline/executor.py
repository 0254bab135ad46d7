"""Run per-document stages: in this process, in N worker processes, or on Dask.

Results stream back in input order; each worker loads models once (the
segmenter and NER are cached per process). A document whose processing
raises is reported as an error row, and the run goes on.
"""
from __future__ import annotations

import sys
import traceback
from concurrent.futures import ProcessPoolExecutor

from .model import DocResult, ErrorRow, SourceDoc


def _safe(doc: SourceDoc, settings) -> DocResult | ErrorRow:
    from .runner import process_document

    try:
        return process_document(doc, settings)
    except Exception as e:  # a bad document must not stop the corpus
        tb = traceback.format_exc(limit=3)
        return ErrorRow(doc.sources[0], "process", type(e).__name__, f"{e} | {tb.splitlines()[-1]}")


def _bar(total: int, progress: bool | None):
    from tqdm import tqdm

    enabled = sys.stderr.isatty() if progress is None else progress
    return tqdm(total=total, unit="doc", disable=not enabled, file=sys.stderr, dynamic_ncols=True)


def process_all(docs: list[SourceDoc], settings, jobs: int = 1, progress: bool | None = None,
                engine: str = "local", scheduler: str | None = None, cache_dir=None):
    results: list[DocResult] = []
    errors: list[ErrorRow] = []
    bar = _bar(len(docs), progress)

    def take(x):
        if isinstance(x, ErrorRow):
            errors.append(x)
            print(f"failed: {x.source}: {x.error}: {x.message}", file=sys.stderr)
        else:
            results.append(x)
        bar.update(1)

    if jobs <= 1 or len(docs) <= 1:
        for d in docs:
            take(_safe(d, settings))
    else:
        with ProcessPoolExecutor(max_workers=jobs) as ex:
            for x in ex.map(_safe, docs, [settings] * len(docs), chunksize=4):
                take(x)
    bar.close()
    return results, errors
