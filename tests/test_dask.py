"""--engine dask gives the local engine's KB byte for byte, on a LocalCluster the pipeline or the test starts."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from pipeline.config import load_settings
from pipeline.corpus import run

from test_parallel import assert_same_kb

pytest.importorskip("distributed")
pytestmark = pytest.mark.dask

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("dask") / "corpus"
    folder.mkdir()
    for p in sorted((ROOT / "corpus").glob("*.txt"))[1:4]:
        shutil.copy(p, folder / p.name)
    return folder


def test_dask_engine_matches_local(corpus, tmp_path):
    from dask.distributed import LocalCluster

    settings = load_settings(None, ner=False)
    run(corpus, tmp_path / "local", settings, jobs=1, progress=False, cache_dir=None)

    run(corpus, tmp_path / "own-cluster", settings, jobs=2, engine="dask", progress=False, cache_dir=None)
    assert_same_kb(tmp_path / "local", tmp_path / "own-cluster")

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster:
        run(corpus, tmp_path / "scheduler", settings, engine="dask", scheduler=cluster.scheduler_address,
            progress=False, cache_dir=tmp_path / "cache")
    assert_same_kb(tmp_path / "local", tmp_path / "scheduler")
    assert len(list((tmp_path / "cache").glob("*/*.pkl"))) == 3, "results computed on the cluster are cached"


class _Client:
    def __init__(self, fingerprints, nthreads):
        self.fingerprints, self.threads = fingerprints, nthreads

    def run(self, fn):
        return self.fingerprints

    def nthreads(self):
        return self.threads


@pytest.mark.parametrize("fingerprints,nthreads,message", [
    ({}, {}, "no workers"),
    ({"tcp://w1": "old"}, {"tcp://w1": 1}, "tcp://w1 run a different version"),
    ({"tcp://w1": None, "tcp://w2": None}, {"tcp://w1": 1, "tcp://w2": 4}, "tcp://w2 run several threads"),
])
def test_odd_workers_are_refused(fingerprints, nthreads, message):
    from pipeline.cache import code_fingerprint
    from pipeline.executor import check_workers

    mine = code_fingerprint()
    fps = {w: (mine if fp is None else fp) for w, fp in fingerprints.items()}
    with pytest.raises(RuntimeError, match=message):
        check_workers(_Client(fps, nthreads), "tcp://scheduler:8786")


def test_matching_single_threaded_workers_pass():
    from pipeline.cache import code_fingerprint
    from pipeline.executor import check_workers

    check_workers(_Client({"tcp://w1": code_fingerprint()}, {"tcp://w1": 1}), "tcp://scheduler:8786")
