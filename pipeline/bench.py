"""make bench: the whole pipeline's speed on real text, as ratios to jieba.lcut over the same texts in one run.

By default the texts are the 120 real government texts of ../shared/corpus_reports (`--texts DIR` for
another folder); `--synthetic N` measures a synthetic corpus of N bulletins instead (bench_corpus.py), the
scale case (the peak-memory goal is for 2,000 of them). jieba.lcut over the same texts is the baseline,
timed right before and right after the `--jobs 1` run it is compared with (their mean is the baseline, so a
machine that speeds up or slows down during the run moves both); ratios mean something on any hardware,
and only on an otherwise idle machine (the load average is printed). Each pipeline run is a fresh
`python -m pipeline extract` process, as a user runs it (start-up and model loading included):

  jobs 1         the default run (rules + model), no cache
  jobs 1 no-ner  the same with rules only: what the model costs
  jobs N         N worker processes, no cache
  full           jobs N filling an empty cache
  rerun          nothing changed: every document from the cache (the KB is verified, not rewritten)
  one changed    one text edited: it is re-extracted, the rest come from the cache, the corpus re-linked
  watched        `extract --watch` running on the same KB (started first, not timed): three texts edited in
                 turn, each timed from the edit to the watcher's line for its round (the median is the
                 ratio; the watcher looks every 0.05 s, and the wait for its look is part of the time);
                 the resident process has its models loaded and the other results in memory

Memory is the peak of the summed RSS of that process and its workers (pages they share are counted in
each: an upper bound). The pipeline keeps sentence-level memos within one document only
(pipeline/memo.py), so repeated sentences across texts are not free: throughput is of work done.

    python -m pipeline.bench [--texts DIR | --synthetic N] [--jobs 2] [--repeat N] [--keep DIR] [--no-ner] [--stages]

--repeat N times jieba and every run N times and keeps the fastest of each (the watched change is always
the median of three edits).

--stages prints, instead of the timed runs, where one process spends its CPU time, stage by stage, as
multiples of jieba.lcut's time (the profile the speed issue asks for).
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import jieba

from .bench_corpus import build_corpus
from .config import PROJECT_DIR, load_settings
from .corpus import link_corpus
from .inputs import discover, read_inputs
from .kbstore import write_kb
from .memo import new_document
from .model import DocResult
from .readers import read_source
from .runner import DOC_STAGES, StageContext
from .write import prerender, render_lazy

GOALS = {"jobs1/jieba": 0.33, "model/rules": 1.5, "jobsN/jobs1": 1.7, "rerun/full": 0.02, "changed/full": 0.10,
         "rss_gb": 1.0}
REAL_TEXTS = PROJECT_DIR.parent / "shared" / "corpus_reports" / "texts"
EDIT = "\n全年新增规上工业企业12户。\n"  # what "one changed" appends to one text


# ---------------------------------------------------------------- measurements
def jieba_seconds(texts: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of jieba.lcut over the texts, with a fresh Tokenizer loaded before timing."""
    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    tok.initialize()
    t0, c0 = time.perf_counter(), time.process_time()
    for t in texts:
        tok.lcut(t)
    return time.perf_counter() - t0, time.process_time() - c0


class PeakRSS:
    """Peak summed RSS of a process and its descendants (psutil), else the largest child's (getrusage)."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        try:
            import psutil  # installed with the dask extra (in the lock file); without it RSS is not sampled
        except ImportError:
            self.psutil = None
            return
        self.psutil = psutil
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self):
        ps = self.psutil
        try:
            root = ps.Process(self.pid)
        except ps.Error:
            return
        while not self._stop.is_set():
            total = 0
            try:
                procs = [root] + root.children(recursive=True)
            except ps.Error:
                break
            for p in procs:
                try:
                    total += p.memory_info().rss
                except ps.Error:
                    pass
            self.peak = max(self.peak, total)
            self._stop.wait(0.05)

    def stop(self) -> int:
        self._stop.set()
        if self.psutil is not None:
            self._thread.join()
            return self.peak

        return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_pipeline(corpus: Path, out: Path, jobs: int, cache: Path | None, extra: tuple[str, ...] = ()
                 ) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS bytes) of one `python -m pipeline extract` process and its workers."""
    cmd = [sys.executable, "-m", "pipeline", "extract", str(corpus), "--out", str(out), "--jobs", str(jobs),
           "--quiet", *(["--cache", str(cache)] if cache else ["--no-cache"]), *extra]
    t0, c0 = time.perf_counter(), _children_cpu()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    rss = PeakRSS(proc.pid)
    stdout, stderr = proc.communicate()
    seconds, cpu = time.perf_counter() - t0, _children_cpu() - c0
    peak = rss.stop()
    if proc.returncode not in (0, 3):
        raise SystemExit(f"bench: {' '.join(cmd)} failed with exit {proc.returncode}:\n{stderr[-3000:]}")
    return seconds, cpu, peak


def watch_rounds(corpus: Path, out: Path, jobs: int, cache: Path, extra: tuple[str, ...] = (), edits: int = 3
                 ) -> list[float]:
    """Seconds from each of `edits` edits (a line appended to one text, a different text each time) to the
    line an `extract --watch` process prints when that round's KB is written."""
    cmd = [sys.executable, "-m", "pipeline", "extract", str(corpus), "--out", str(out), "--jobs", str(jobs),
           "--quiet", "--cache", str(cache), "--watch", "--interval", "0.05", *extra]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    texts = sorted(p for p in corpus.iterdir() if p.is_file())
    out_s = []
    try:
        _read_until(proc, "watching")
        for k in range(edits):
            edited = texts[(k + 1) % len(texts)]
            t0 = time.perf_counter()
            edited.write_text(edited.read_text(encoding="utf-8") + EDIT, encoding="utf-8")
            line = _read_until(proc, "round")
            out_s.append(time.perf_counter() - t0)
            if "written to" not in line:
                raise SystemExit(f"bench: extract --watch did not write the KB after an edit: {line}")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out_s


def _read_until(proc, prefix: str) -> str:
    while line := proc.stdout.readline():
        if line.startswith(prefix):
            return line
    raise SystemExit(f"bench: extract --watch ended (exit {proc.wait()}) before printing {prefix!r}")


def kb_digest(out: Path) -> str:
    return hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()[:16]


def _line(label: str, seconds: float, cpu: float | None, chars: int, note: str = "") -> str:
    cpu_text = f"{cpu:8.2f} s" if cpu is not None else f"{'-':>8}  "  # None: not measured (another process's)
    return f"{label:<12}{seconds:9.2f} s {chars / seconds:>10,.0f} chars/s  CPU {cpu_text}  {note}".rstrip()


def _load() -> str:
    """The machine's load: wall-clock ratios only mean something when nothing else is running."""
    try:
        one, five, _ = os.getloadavg()
    except OSError:
        return "load average unknown"
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} CPUs"


def _ratio(label: str, value: float, goal: float, lower_is_better: bool, pct: bool = False) -> str:
    ok = value <= goal if lower_is_better else value >= goal
    fmt = (lambda v: f"{v:.1%}") if pct else (lambda v: f"{v:.2f}")
    sign = "<=" if lower_is_better else ">="
    return f"ratio {label:<12}{fmt(value):>8}  (goal {sign} {fmt(goal)})  {'ok' if ok else 'MISSED'}"


def stage_profile(corpus: Path, out: Path) -> list[str]:
    """Where one process's CPU time goes, stage by stage, as multiples of jieba.lcut's CPU time over the same
    texts (measured first, in this process): the per-document stages of every text, then linking the corpus
    and writing its KB. Models and dictionaries are loaded on a first document before timing starts."""
    settings = load_settings(corpus)
    docs, _ = read_inputs(corpus, discover(corpus))
    _, jb = jieba_seconds([d.text for d in docs])
    spent: dict[str, float] = {st.name: 0.0 for st in DOC_STAGES}
    spent["prerender"] = 0.0
    _profiled(docs[0], settings, {})  # loads models and dictionaries: not counted
    results = [_profiled(d, settings, spent) for d in docs]
    c = time.process_time()
    tables = link_corpus(results, [])
    spent["link (corpus)"] = time.process_time() - c
    c = time.process_time()
    write_kb(out, render_lazy(tables, xlsx=False, pre={r.document.doc_id: r.rendered for r in results}))
    spent["write (corpus)"] = time.process_time() - c
    lines = [f"stage CPU in one process, as multiples of jieba.lcut's {jb:.2f} s CPU over the same texts:"]
    lines += [f"  {k:<16}{v:8.2f} s  {v / jb:5.2f}x" for k, v in spent.items()]
    total = sum(spent.values())
    lines.append(f"  {'total':<16}{total:8.2f} s  {total / jb:5.2f}x  (so at most {jb / total:.2f} of jieba's "
                 "speed before start-up)")
    return lines


def _profiled(doc, settings, spent: dict[str, float]) -> DocResult:
    """One document through the stages and prerender, each one's CPU time added to spent (if it has the key)."""
    new_document()
    store = {"source": doc, "settings": settings}
    for st in DOC_STAGES:
        c = time.process_time()
        st.fn(StageContext(store, st))
        if st.name in spent:
            spent[st.name] += time.process_time() - c
    r = DocResult(store["document_row"], store["sentence_rows"], store["figures"], store["deadlines"],
                  store["mentions"])
    c = time.process_time()
    r.rendered = prerender(r)
    if "prerender" in spent:
        spent["prerender"] += time.process_time() - c
    return r


def copy_texts(src: Path, corpus: Path) -> list[str]:
    """The texts of src copied into corpus (so that editing one leaves src alone), as the pipeline decodes them."""
    files = sorted(p for p in src.iterdir() if p.is_file() and not p.name.startswith("."))
    if not files:
        raise SystemExit(f"bench: no texts in {src} (name a folder with --texts, or use --synthetic N)")
    corpus.mkdir(parents=True)
    for p in files:
        shutil.copyfile(p, corpus / p.name)
    return [read_source(corpus / p.name).text for p in files]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="goals: " + ", ".join(f"{k} {v}" for k, v in GOALS.items()))
    ap.add_argument("--texts", default=str(REAL_TEXTS), help="folder of real texts (default %(default)s)")
    ap.add_argument("--synthetic", type=int, default=None, metavar="N",
                    help="measure N synthetic bulletins instead of real texts (the scale case: 2000)")
    ap.add_argument("--docs", type=int, default=None, help=argparse.SUPPRESS)  # the old name of --synthetic
    ap.add_argument("--seed", type=int, default=7, help="seed of the synthetic corpus")
    ap.add_argument("--jobs", type=int, default=2, help="workers of the parallel run (default 2)")
    ap.add_argument("--keep", default=None, help="work in this folder and keep it (default: a temporary one)")
    ap.add_argument("--repeat", type=int, default=1, metavar="N",
                    help="time jieba and every run N times and keep the fastest (as timeit does: on a noisy "
                         "machine the fastest is the least disturbed); N times as long")
    ap.add_argument("--no-ner", action="store_true", help="every run rules only (a quicker look; no model/rules ratio)")
    ap.add_argument("--stages", action="store_true",
                    help="instead of the timed runs: where the time goes, stage by stage, in one process")
    a = ap.parse_args(argv)
    synthetic = a.synthetic if a.synthetic is not None else a.docs

    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpus = work / "corpus"
        shutil.rmtree(corpus, ignore_errors=True)
        if synthetic:
            texts = build_corpus(corpus, synthetic, a.seed)
            what = f"{synthetic} synthetic bulletins (seed {a.seed})"
        else:
            texts = copy_texts(Path(a.texts), corpus)
            what = f"{len(texts)} texts of {a.texts}"
        chars = sum(len(t) for t in texts)
        print(f"corpus      {what}, {chars:,} characters; {_load()}", flush=True)
        if a.stages:
            print("\n".join(stage_profile(corpus, work / "out-stages")))
            return 0
        fastest = f", fastest of {a.repeat}" if a.repeat > 1 else ""
        jb, jb_cpu = min(jieba_seconds(texts) for _ in range(a.repeat))
        print(_line("jieba.lcut", jb, jb_cpu, chars, f"(baseline, dictionary loaded before timing{fastest})"),
              flush=True)
        cache = work / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        runs = {}
        extra = ("--no-ner",) if a.no_ner else ()
        plan = [("jobs 1", 1, None, extra, "(no cache)")]
        if not a.no_ner:
            plan.append(("jobs 1 no-ner", 1, None, ("--no-ner",), "(no cache, rules only)"))
        plan += [(f"jobs {a.jobs}", a.jobs, None, extra, "(no cache)"),
                 ("full", a.jobs, cache, extra, f"(jobs {a.jobs}, empty cache: fills it)"),
                 ("rerun", a.jobs, cache, extra, f"(jobs {a.jobs}, no change: every document from the cache)")]
        jb_after = None
        for name, jobs, cache_dir, flags, note in plan:
            # the rerun writes over the full run's KB, as `make extract` does
            out = work / ("out-cached" if cache_dir else f"out-{name.replace(' ', '')}")
            tries = []
            for _ in range(a.repeat):
                if name == "full":  # each try fills an empty cache
                    shutil.rmtree(cache, ignore_errors=True)
                tries.append(run_pipeline(corpus, out, jobs, cache_dir, flags))
            secs, cpu, _ = min(tries)
            peak = max(t[2] for t in tries)
            runs[name] = (secs, peak, kb_digest(out), flags)  # read now: the rerun replaces this KB
            print(_line(name, secs, cpu, chars, f"peak RSS {peak / 2**20:,.0f} MB  {note[:-1]}{fastest})"), flush=True)
            if name == "jobs 1":  # the baseline again: the two bracket the run they are compared with
                jb_after, jb_after_cpu = min(jieba_seconds(texts) for _ in range(a.repeat))
                print(_line("jieba.lcut", jb_after, jb_after_cpu, chars,
                            f"(baseline again, right after jobs 1{fastest})"), flush=True)
        # one text edited: re-extracted from scratch, the rest from the cache, the corpus re-linked and its KB
        # written again (what `make extract` costs when a text arrives)
        tries = []
        for k in range(a.repeat):  # a different text each try
            edited = sorted(p for p in corpus.iterdir() if p.is_file())[k % len(texts)]
            edited.write_text(edited.read_text(encoding="utf-8") + EDIT, encoding="utf-8")
            tries.append(run_pipeline(corpus, work / "out-cached", a.jobs, cache, extra))
        secs, cpu, _ = min(tries)
        peak1 = max(t[2] for t in tries)
        print(_line("one changed", secs, cpu, chars, f"peak RSS {peak1 / 2**20:,.0f} MB  (jobs {a.jobs}: one "
                    f"text re-extracted, {len(texts) - 1} from the cache, corpus re-linked{fastest})"), flush=True)
        watched = watch_rounds(corpus, work / "out-cached", a.jobs, cache, extra)
        print(_line("watched", sorted(watched)[1], None, chars, f"(jobs {a.jobs}, extract --watch --interval 0.05: "
                    f"from the edit to the KB written, median of {', '.join(f'{w:.2f}' for w in watched)} s)"),
              flush=True)
        peak = max([r[1] for r in runs.values()] + [peak1])
        digests = {r[2] for r in runs.values() if r[3] == extra}
        print(f"identical   {'yes' if len(digests) == 1 else 'NO'} (manifest of every {'' if a.no_ner else 'model '}"
              f"run's KB: {', '.join(sorted(digests))})")
        j1, jn = runs["jobs 1"][0], runs[f"jobs {a.jobs}"][0]
        print(_ratio("jobs1/jieba", (jb + jb_after) / 2 / j1, GOALS["jobs1/jieba"], False)
              + f"  (against the mean of the two baselines: {jb / j1:.2f} before, {jb_after / j1:.2f} after)")
        if not a.no_ner:
            print(_ratio("model/rules", j1 / runs["jobs 1 no-ner"][0], GOALS["model/rules"], True)
                  + "  (jobs 1 with the model against jobs 1 --no-ner)")
        print(_ratio(f"jobs{a.jobs}/jobs1", j1 / jn, GOALS["jobsN/jobs1"], False))
        print(_ratio("rerun/full", runs["rerun"][0] / runs["full"][0], GOALS["rerun/full"], True, pct=True))
        print(_ratio("changed/full", secs / runs["full"][0], GOALS["changed/full"], True, pct=True)
              + "  (a new extract process)")
        print(_ratio("watched/full", sorted(watched)[1] / runs["full"][0], GOALS["changed/full"], True, pct=True)
              + "  (the same change, picked up by extract --watch)")
        method = "process tree, psutil" if _has_psutil() else "largest process, getrusage"
        verdict = "ok" if peak / 2**30 <= GOALS["rss_gb"] else "MISSED"
        scale = "" if synthetic == 2000 else "; the goal is for --synthetic 2000"
        print(f"peak RSS    {peak / 2**30:8.2f} GB  (goal <= {GOALS['rss_gb']} GB, {method}{scale})  {verdict}")
        print(f"machine     {_load()} at the end")
    finally:
        if not a.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _has_psutil() -> bool:
    try:
        import psutil  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
