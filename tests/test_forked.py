"""forked.Forked: a function's result computed in a forked child, or here; failures come back as errors."""
from __future__ import annotations

import os

import pytest

from pipeline.forked import Forked


def _square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def _fails(message: str):
    raise ValueError(message)


def _vanishes():
    os._exit(3)  # the child ends without sending anything back


@pytest.mark.parametrize("parallel", [True, False])
def test_the_result_is_the_functions(parallel):
    value, pid = Forked(_square_and_pid, 7, parallel=parallel).result()
    assert value == 49
    assert (pid != os.getpid()) == (parallel and hasattr(os, "fork"))


def test_two_children_at_once_each_answer():
    a, b = Forked(_square_and_pid, 3), Forked(_square_and_pid, 4)
    assert (b.result()[0], a.result()[0]) == (16, 9)


@pytest.mark.parametrize("parallel", [True, False])
def test_an_exception_reaches_the_caller(parallel):
    expected = RuntimeError if parallel and hasattr(os, "fork") else ValueError
    with pytest.raises(expected, match="no such figure"):
        Forked(_fails, "no such figure", parallel=parallel).result()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_that_dies_silently_is_an_error():
    with pytest.raises(RuntimeError, match="ended without a result"):
        Forked(_vanishes).result()
