"""make bench: throughput of the pipeline against jieba.lcut, parallel speed-up, incremental rerun, peak memory.

The corpus is synthetic but realistic: the five corpus/ bulletins, each copy
with its body paragraphs shuffled, numbers scaled, dates and years shifted,
the city and the names of people and enterprises replaced, from a seeded RNG,
so every run measures the same 2,000 distinct texts. jieba.lcut over the same
texts is the baseline, measured on the same machine in the same run, right
before and right after the --jobs 1 run it is compared with (their mean is the
baseline, so a machine that speeds up or slows down during the run moves both),
so the ratios mean something on any hardware (and only on an otherwise idle
one: the load average is printed). Each pipeline run is a fresh `python -m pipeline
extract` process, as a user runs it (start-up and model loading included); the
rerun writes over the full run's KB, as `make extract` does; a last run edits
one bulletin, so the corpus is re-linked and rewritten. The pipeline keeps
sentence-level memos within one document only (pipeline/memo.py), so the
copies' repeated sentences are not free: throughput is of work done. Memory is the peak
of the summed RSS of that process and its workers (pages they share are
counted in each: an upper bound).

    python -m pipeline.bench [--docs 2000] [--seed 7] [--jobs 2] [--keep DIR] [--no-ner]
"""
from __future__ import annotations

import argparse
import hashlib
import logging
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import jieba
import regex

from .config import PROJECT_DIR
from .readers import read_source

GOALS = {"jobs1/jieba": 0.33, "jobs2/jobs1": 1.6, "rerun/full": 0.05, "rss_gb": 1.5}
# People and enterprise names of the five bulletins (tests/gold): replaced per copy.
NAMES = ("寇全安", "赵俊民", "高晶华", "汪小卫", "伍文", "启政", "华晔", "圣鑫", "奥邦", "宝通", "康汇", "普方", "普欣",
         "永春", "沣康", "禾瑞", "北医大", "及时雨", "安贝斯", "普瑞达", "汇美思", "索啦咪", "菜字头", "金思铭", "中云",
         "华银", "合力", "泸康")
NAME_CHARS = "安宝博昌达德东方丰福富国海浩和恒宏华汇佳嘉金锦晶景俊凯康坤蓝力利隆美明南鹏普奇瑞润森盛顺泰天通万伟鑫信星兴旭阳耀亿益英永宇元源远悦云泽展振正志中卓"
CITIES = ("安康", "汉中", "商洛", "宝鸡", "咸阳", "渭南", "延安", "榆林", "铜川", "天水")
# One pass over dates, years and measured numbers, so that nothing is altered twice. A measured number
# is not a month, day, ordinal, or the second end of a range such as 1-5月.
_TOKEN = regex.compile(
    r"(?P<date>(?P<y>\d{4})(?P<s1>\s*)年(?P<s2>\s*)(?P<m>\d{1,2})(?P<s3>\s*)月(?P<s4>\s*)(?P<d>\d{1,2})(?P<s5>\s*)日)"
    r"|(?P<year>(?<!\d)(?:19|20)\d\d(?=\s*(?:年|—|-|至)))"
    r"|(?<![\d.第\-—至到~])(?P<n>\d+(?:\.\d+)?)(?![\d.]|\s*[年月日号时期届次季\-—至到~])")
_SPEECH_DATE = regex.compile(r"^\s*[（(].*\d\s*日.*[）)]\s*$")
_PARA_END = tuple("。：！？；")
_FOOTER = regex.compile(r"\s*(?:主\s*送|抄\s*送|印\s*发)\s*[:：]")  # as rules/clean.toml [footer]


# ---------------------------------------------------------------- synthetic corpus
def _base_texts() -> list[str]:
    files = sorted((PROJECT_DIR / "corpus").glob("*.txt"))
    if not files:
        raise SystemExit(f"bench: no bulletins in {PROJECT_DIR / 'corpus'} to vary")
    return [read_source(p).text for p in files]


def _paragraphs(lines: list[str]) -> list[str]:
    """Lines grouped into paragraphs: a paragraph ends with a sentence end or a short (heading) line."""
    paras, cur = [], []
    for line in lines:
        cur.append(line)
        core = line.strip()
        if core and (core.endswith(_PARA_END) or len(core) < 20):
            paras.append("".join(cur))
            cur = []
    if cur:
        paras.append("".join(cur))
    return paras


def vary(text: str, rnd: random.Random) -> str:
    """One synthetic bulletin from a real one: header kept, body shuffled, numbers, dates and names altered.

    Dates and years move by whole years (plus a few days) and the city changes, so copies of one speech
    spread over periods and places as a real multi-year, multi-city corpus does, instead of restating
    the same series hundreds of times.
    """
    lines = text.splitlines(keepends=True)
    cut = next((i + 1 for i, l in enumerate(lines[:30]) if _SPEECH_DATE.match(l)), min(len(lines), 12))
    if not lines[-1].endswith(("\n", "\r")):
        lines[-1] += "\n"
    foot = next((i for i in range(cut, len(lines)) if _FOOTER.match(lines[i])), len(lines))
    body = _paragraphs(lines[cut:foot])
    rnd.shuffle(body)
    out = "".join(lines[:cut] + body + lines[foot:])  # the distribution footer stays last: cleaning stops there

    years, days = rnd.randint(-6, 6), timedelta(days=rnd.randint(-60, 60))

    def alter(m):
        if m["date"]:
            try:
                d = date(int(m["y"]) + years, int(m["m"]), min(int(m["d"]), 28)) + days
            except ValueError:
                return m.group()
            return f"{d.year}{m['s1']}年{m['s2']}{d.month}{m['s3']}月{m['s4']}{d.day}{m['s5']}日"
        if m["year"]:
            return str(int(m["year"]) + years)
        n = m["n"]
        decimals = len(n.split(".")[1]) if "." in n else 0
        return f"{max(float(n) * rnd.uniform(0.6, 1.4), 1.0):.{decimals}f}"

    out = _TOKEN.sub(alter, out)
    city = rnd.choice(CITIES)
    if city != "安康":
        out = out.replace("安康", city)
    for name in NAMES:
        if name in out and rnd.random() < 0.8:
            out = out.replace(name, "".join(rnd.choice(NAME_CHARS) for _ in name))
    return out


def build_corpus(folder: Path, n: int, seed: int = 7) -> list[str]:
    """n distinct synthetic bulletins written as UTF-8 files into folder; returns their texts."""
    base = _base_texts()
    folder.mkdir(parents=True, exist_ok=True)
    texts, seen = [], set()
    for i in range(n):
        rnd = random.Random(f"{seed}-{i}")
        t = vary(base[i % len(base)], rnd)
        while t in seen:  # vanishingly rare; keeps the document count exact
            t = vary(base[i % len(base)], rnd)
        seen.add(t)
        (folder / f"{i:05d}.txt").write_text(t, encoding="utf-8", newline="")
        texts.append(t)
    return texts


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


def kb_digest(out: Path) -> str:
    return hashlib.sha256((out / "manifest.json").read_bytes()).hexdigest()[:16]


def _line(label: str, seconds: float, cpu: float, chars: int, note: str = "") -> str:
    return f"{label:<12}{seconds:9.2f} s {chars / seconds:>10,.0f} chars/s  CPU {cpu:8.2f} s  {note}".rstrip()


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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.bench", description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=2000, help="synthetic documents (default 2000)")
    ap.add_argument("--seed", type=int, default=7, help="seed of the corpus variations")
    ap.add_argument("--jobs", type=int, default=2, help="workers of the parallel run (default 2)")
    ap.add_argument("--keep", default=None, help="work in this folder and keep it (default: a temporary one)")
    ap.add_argument("--no-ner", action="store_true", help="run the pipeline rules only (a quicker look)")
    a = ap.parse_args(argv)

    work = Path(a.keep) if a.keep else Path(tempfile.mkdtemp(prefix="pipeline-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        corpus = work / "corpus"
        if corpus.exists():
            shutil.rmtree(corpus)
        texts = build_corpus(corpus, a.docs, a.seed)
        chars = sum(len(t) for t in texts)
        print(f"corpus      {a.docs} documents, {chars:,} characters (seed {a.seed}); {_load()}", flush=True)
        jb, jb_cpu = jieba_seconds(texts)
        print(_line("jieba.lcut", jb, jb_cpu, chars, "(baseline, dictionary loaded before timing)"), flush=True)
        cache = work / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        runs = {}
        extra = ("--no-ner",) if a.no_ner else ()
        for name, jobs, cache_dir, note in (
                ("jobs 1", 1, None, "(no cache)"),
                (f"jobs {a.jobs}", a.jobs, None, "(no cache)"),
                ("full", a.jobs, cache, f"(jobs {a.jobs}, empty cache: fills it)"),
                ("rerun", a.jobs, cache, f"(jobs {a.jobs}, no change: every document from the cache)")):
            # the rerun writes over the full run's KB, as `make extract` does
            out = work / ("out-cached" if cache_dir else f"out-{name.replace(' ', '')}")
            secs, cpu, peak = run_pipeline(corpus, out, jobs, cache_dir, extra)
            runs[name] = (secs, peak, kb_digest(out))  # read now: the rerun replaces this KB
            print(_line(name, secs, cpu, chars, f"peak RSS {peak / 2**20:,.0f} MB  {note}"), flush=True)
            if name == "jobs 1":  # the baseline again: the two bracket the run they are compared with
                jb_after, jb_after_cpu = jieba_seconds(texts)
                print(_line("jieba.lcut", jb_after, jb_after_cpu, chars, "(baseline again, right after jobs 1)"),
                      flush=True)
        # one bulletin edited: re-extracts that one from scratch, takes the rest from the cache, re-links and
        # rewrites the whole KB (what `make extract` costs when a bulletin arrives)
        edited = sorted(corpus.glob("*.txt"))[0]
        edited.write_text(edited.read_text(encoding="utf-8") + "\n全年新增规上工业企业12户。\n", encoding="utf-8")
        secs, cpu, peak1 = run_pipeline(corpus, work / "out-cached", a.jobs, cache, extra)
        print(_line("one changed", secs, cpu, chars, f"peak RSS {peak1 / 2**20:,.0f} MB  (jobs {a.jobs}: one "
                    f"bulletin re-extracted, {a.docs - 1} from the cache, corpus re-linked and rewritten)"),
              flush=True)
        peak = max([r[1] for r in runs.values()] + [peak1])
        digests = {r[2] for r in runs.values()}
        print(f"identical   {'yes' if len(digests) == 1 else 'NO'} (manifest of every run's KB: "
              f"{', '.join(sorted(digests))})")
        j1, jn = runs["jobs 1"][0], runs[f"jobs {a.jobs}"][0]
        print(_ratio("jobs1/jieba", (jb + jb_after) / 2 / j1, GOALS["jobs1/jieba"], False)
              + f"  (against the mean of the two baselines: {jb / j1:.2f} before, {jb_after / j1:.2f} after)")
        print(_ratio(f"jobs{a.jobs}/jobs1", j1 / jn, GOALS["jobs2/jobs1"], False))
        print(_ratio("rerun/full", runs["rerun"][0] / runs["full"][0], GOALS["rerun/full"], True, pct=True))
        print(f"ratio one-changed/full {secs / runs['full'][0]:.1%}  (no goal: the cost of linking and writing)")
        method = "process tree, psutil" if _has_psutil() else "largest process, getrusage"
        verdict = "ok" if peak / 2**30 <= GOALS["rss_gb"] else "MISSED"
        print(f"peak RSS    {peak / 2**30:8.2f} GB  (goal <= {GOALS['rss_gb']} GB, {method})  {verdict}")
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
