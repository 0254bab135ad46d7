"""Run per-document stages: in this process, in N worker processes, or on a Dask cluster.

Only documents missing from the cache are computed. Work is submitted in a
bounded window and taken back in input order, so memory holds a few documents
in flight (plus the small results linking needs) and the output does not
depend on which worker finished first. Each worker loads models once (the
segmenter and NER are cached per process). A document whose processing raises
becomes an error row, and the run goes on.
"""
from __future__ import annotations

import gc
import itertools
import logging
import sys
import traceback
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterator

from tqdm import tqdm

from .cache import DocCache, code_fingerprint, doc_key, pipeline_fingerprint
from .model import DocResult, ErrorRow, SourceDoc
from .runner import process_document
from .spill import SpillFile, Spilled
from .write import prerender

WINDOW_PER_WORKER = 4  # documents in flight per worker: enough to hide hand-over latency, small enough to bound memory


def _safe(doc: SourceDoc, settings, keep: "_Keep | None" = None) -> DocResult | ErrorRow:
    try:
        result = process_document(doc, settings)
        result.rendered = prerender(result)  # its rows' text, made here: in parallel, and kept in the cache
    except Exception as e:  # a bad document must not stop the corpus
        tb = traceback.format_exc(limit=3)
        return ErrorRow(doc.sources[0], "process", type(e).__name__, f"{e} | {tb.splitlines()[-1]}")
    if keep is not None:
        keep(result)
    settle()
    return result


class _Keep:
    """What a worker process does with its result before handing it over: writes its cache entry (the
    whole result, as the main process would), then lets go of its sentence rows when the main process
    would drop them anyway (see _lean). Handing a result over pickles it here and reads it back there,
    in the process that also takes every other result: without its sentences, half the reading."""

    def __init__(self, cache_root, fingerprint: str | None, key: str | None, keep_sentences: bool):
        self.cache_root, self.fingerprint, self.key, self.keep_sentences = cache_root, fingerprint, key, keep_sentences

    def __call__(self, result: DocResult) -> None:
        if self.key is not None:
            DocCache(self.cache_root, self.fingerprint).put(self.key, result)
        if not self.keep_sentences:
            result.sentences = []


def settle() -> None:
    """Take what exists now out of the cyclic collector's walks (gc.freeze), once a document is done.

    A document leaves no cyclic garbage (a test checks): reference counting frees all of it, so the
    collector, which walks every live object of the generations it collects, only ever finds nothing. A
    run keeps many live objects (rows, models, dictionaries, results from the cache); frozen, they are
    walked no more, and the collector's time in a run falls by about half (0.75 -> 0.35 s on the 120 real
    texts with --jobs 1). Frozen objects are still freed when their last reference goes;
    corpus.fewer_gc_passes unfreezes them when the run ends."""
    gc.freeze()


def _bar(total: int, progress: bool | None):
    enabled = sys.stderr.isatty() if progress is None else progress
    return tqdm(total=total, unit="doc", disable=not enabled, file=sys.stderr, dynamic_ncols=True)


def _windowed(submit: Callable[[list], list], docs: list, window: int) -> Iterator:
    """Results of submit()ted futures in input order, never more than ~window documents in flight. The first
    batch is submitted at once, before a result is asked for: the workers start while the caller goes on."""
    pending: deque = deque()
    batch = max(1, window // 2)
    starts = range(0, len(docs), batch)
    if starts:
        pending.extend(submit(docs[:batch]))

    def results() -> Iterator:
        for k, i in enumerate(starts):
            if k:
                pending.extend(submit(docs[i:i + batch]))
            while len(pending) > window - batch:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()

    return results()


def _run_local(docs: list[SourceDoc], settings, jobs: int, keeps: list | None = None) -> Iterator:
    """Results in input order: here, one after another, with jobs 1; else from min(jobs, documents) worker
    processes, started now (a single document too: it is computed while this process reads the cache).
    keeps: each document's _Keep, for the workers (with jobs 1 the caller caches and leans the results)."""
    if not _pooled(jobs, docs):
        return (_safe(d, settings) for d in docs)
    ex = ProcessPoolExecutor(max_workers=min(jobs, len(docs)))
    pairs = list(zip(docs, keeps or [None] * len(docs)))
    results = _windowed(lambda b: [ex.submit(_safe, d, settings, k) for d, k in b], pairs, jobs * WINDOW_PER_WORKER)

    def closing() -> Iterator:
        with ex:
            yield from results

    return closing()


def _pooled(jobs: int, docs: list) -> bool:
    """Whether _run_local hands the documents to worker processes."""
    return jobs > 1 and bool(docs)


def _worker_fingerprint() -> str:
    return code_fingerprint()


def check_workers(client, scheduler: str) -> None:
    """Refuse a cluster whose results could differ from a local run's.

    Every worker must run this pipeline (same code, rules, models, library versions: the fingerprint),
    in one thread: the stages are pure Python, so threads gain nothing, and jieba's POS tagger set-up
    is not thread-safe (two taggers built at once over one tokenizer lose the user dictionary's tags).
    """
    try:
        theirs = client.run(_worker_fingerprint)
    except Exception as e:  # typically: the workers cannot import the pipeline at all
        raise RuntimeError(f"dask workers of {scheduler} cannot run the pipeline ({type(e).__name__}: {e}): "
                           "install this checkout on them and restart them") from e
    if not theirs:
        raise RuntimeError(f"dask scheduler {scheduler} has no workers: start some with `dask worker {scheduler}`")
    mine = code_fingerprint()
    odd = sorted(w for w, fp in theirs.items() if fp != mine)
    if odd:
        raise RuntimeError(f"dask workers {', '.join(odd)} run a different version of the pipeline (code, rules, "
                           "models or libraries): install this checkout on them and restart them")
    threaded = sorted(w for w, n in client.nthreads().items() if n != 1)
    if threaded:
        raise RuntimeError(f"dask workers {', '.join(threaded)} run several threads: restart them with "
                           "`dask worker --nthreads 1` (one process per core)")


def _run_dask(docs: list[SourceDoc], settings, jobs: int, scheduler: str | None) -> Iterator:
    """Per-document stages on dask.distributed: the given scheduler (its workers, whatever `jobs` says),
    or a LocalCluster of `jobs` single-threaded processes."""
    try:
        from dask.distributed import Client, LocalCluster  # the optional dask extra: only --engine dask needs it
    except ImportError as e:
        raise RuntimeError("--engine dask needs dask.distributed: pip install 'bulletin-pipeline[dask]'") from e
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="30s")
        except OSError as e:  # refused, unknown host, timed out
            raise RuntimeError(f"cannot reach the dask scheduler at {scheduler} ({e}): start it with "
                               "`dask scheduler`, or check the address and port") from e
    else:
        cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                               dashboard_address=None, silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        if scheduler:
            check_workers(client, scheduler)
        if docs:
            nthreads = sum(client.nthreads().values()) or 1
            remote = client.scatter(settings, broadcast=True)
            yield from _windowed(lambda b: client.map(_safe, b, settings=remote, pure=False), docs,
                                 nthreads * WINDOW_PER_WORKER)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


class _Spill:
    """The run's spill file (in the temporary folder: TMPDIR), made when the first prerendered text
    arrives; a worker forked after that inherits its descriptor and never uses it."""

    def __init__(self):
        self.file: SpillFile | None = None

    def __call__(self, result: DocResult) -> None:
        if result.rendered is not None and not isinstance(result.rendered, Spilled):  # (kept from a last run)
            if self.file is None:
                self.file = SpillFile()
            result.rendered = self.file.add(result.rendered)


def _lean(result: DocResult, keep_sentences: bool, spill: _Spill) -> None:
    """What the main process keeps of a result until the KB is written: its rendered text goes to the spill
    file, and its sentence rows go unless rows are rendered."""
    spill(result)
    if not keep_sentences and result.rendered is not None:
        result.sentences = []


def process_all(docs: list[SourceDoc], settings, jobs: int = 1, progress: bool | None = None,
                engine: str = "local", scheduler: str | None = None, cache_dir=None, keep_sentences: bool = True,
                while_waiting: Callable[[], object] | None = None, kept: dict | None = None):
    """(results, errors) in input order; cached documents are taken from cache_dir (None: no cache).

    keep_sentences=False lets go of each result's sentence rows once it is cached: its rendered text
    (write.prerender) writes sentences.csv and kb.json, nothing links sentences, and they are most of a
    corpus's rows (a writer that renders rows, kb.xlsx, keeps them). The rendered text itself is moved to
    a temporary file as each result arrives (spill.py): a result's .rendered reads it back from there.
    while_waiting: called once the cached results are read, while workers may still be computing (what
    the caller will need next, loaded meanwhile); with more new documents than workers, before they are
    started instead (they are forked with it loaded). kept: the results of this process's last run by
    document key (a resident run: watch.py), taken as they are before the cache is asked; refilled with
    this run's."""
    if engine not in ("local", "dask"):
        raise ValueError(f"unknown engine {engine!r}: choose local or dask")
    bar = _bar(len(docs), progress)
    cache = DocCache(cache_dir, pipeline_fingerprint(settings)) if cache_dir is not None else None
    out: list[DocResult | ErrorRow | None] = [None] * len(docs)
    keys = [doc_key(d) for d in docs] if cache is not None or kept is not None else [None] * len(docs)
    last, kept = (kept or {}).copy(), kept
    if kept is not None:
        kept.clear()
    todo = [i for i, k in enumerate(keys) if k not in last and (cache is None or not cache.has(k))]
    reads = len(docs) - len(todo) - sum(1 for k in keys if k in last)
    kept_there: set[int] = set()  # computed by local workers, which cache them and let go of their sentences
    if engine == "dask" and todo:
        stream = _run_dask([docs[i] for i in todo], settings, jobs, scheduler)
    else:  # with --jobs 2+, workers are already at the new documents while the cached ones are read here
        # (one new document and nothing to read: computed here, no worker to start); they cache their results
        fp = cache.dir.name if cache is not None else None
        keeps = [_Keep(cache_dir, fp, keys[i] if cache is not None else None, keep_sentences) for i in todo]
        local_jobs = jobs if len(todo) > 1 or reads else 1
        kept_there = set(todo) if _pooled(local_jobs, todo) else set()
        if while_waiting is not None and len(todo) > local_jobs > 1:
            # many new documents: what linking needs (the dictionary above all) is loaded now, before the
            # workers fork, and they find it loaded (instead of each loading it while this process does too)
            while_waiting()
            while_waiting = None
        stream = _run_local([docs[i] for i in todo], settings, local_jobs, keeps)
    spill = _Spill()
    unreadable = []
    for i in sorted(set(range(len(docs))) - set(todo)):
        if keys[i] in last:
            out[i] = last[keys[i]]
            if cache is not None:
                cache.used.add(keys[i])  # not pruned: it is this run's too
        else:
            out[i] = cache.get(keys[i])
        if out[i] is None:  # an entry there but unreadable: computed again, after the others
            unreadable.append(i)
            continue
        _lean(out[i], keep_sentences, spill)
        settle()
        bar.update(1)
    if while_waiting is not None:
        while_waiting()
    todo += unreadable
    stream = itertools.chain(stream, (_safe(docs[i], settings) for i in unreadable))
    for j, x in enumerate(stream):  # runs the stream to its end, so a cluster it started is closed
        i = todo[j]
        out[i] = x
        if isinstance(x, ErrorRow):
            print(f"failed: {x.source}: {x.error}: {x.message}", file=sys.stderr)
        else:
            if i in kept_there:  # a worker cached it and let go of what this process would (_Keep)
                if cache is not None:
                    cache.used.add(keys[i])
            elif cache is not None:
                cache.put(keys[i], x)
            _lean(x, keep_sentences, spill)
            settle()
        bar.update(1)
    bar.close()
    if cache is not None:
        cache.prune()
    if kept is not None:
        kept.update((k, x) for k, x in zip(keys, out) if isinstance(x, DocResult))
    results = [x for x in out if isinstance(x, DocResult)]
    errors = [x for x in out if isinstance(x, ErrorRow)]
    return results, errors
