"""The default thread count adapts to the machine's load; an explicit count does not.

The rule (threads_for_load) is a pure function of the load, tested on given loads; the
timing it buys is measured by ``bench/bench_train.py --busy``, never asserted here.
"""

import os
import subprocess
import sys

import numpy as np
import pytest

import minigrad
from minigrad import parallel
from minigrad_core import _threads


@pytest.mark.parametrize(
    "limit, cpus, other_busy, expected",
    [
        (2, 2, 0.0, 2),  # idle: every core
        (2, 2, 0.39, 2),  # background work leaves 61% of the second core free
        (2, 2, 0.5, 1),  # half of it: two threads would take as long as one
        (2, 2, 1.0, 1),  # one process spinning on a core: one thread
        (2, 2, 5.0, 1),  # overloaded: still one thread, never zero
        (1, 8, 0.0, 1),  # never more than the limit
        (4, 8, 0.0, 4),
        (8, 8, 2.5, 5),  # 5.5 cores free
        (64, 64, 63.9, 1),
    ],
)
def test_threads_for_load_uses_the_cores_other_processes_leave_free(limit, cpus, other_busy, expected):
    assert _threads.threads_for_load(limit, cpus, other_busy) == expected


def test_an_explicit_count_is_kept_whatever_the_load():
    before = minigrad.get_num_threads()
    try:
        minigrad.set_num_threads(2)
        model = minigrad.models.lenet5()
        for _ in range(3):
            model(minigrad.randn(64, 1, 32, 32)).sum().backward()
        assert minigrad.get_num_threads() == 2 and _threads.threads_in_use() == 2
    finally:
        minigrad.set_num_threads(before)


def _run(script, **env):
    environ = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env={**environ, **env}
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout.split()


ADAPTED = (
    "import time, minigrad\n"
    "from minigrad_core import _threads\n"
    "model = minigrad.models.lenet5()\n"
    "end = time.monotonic() + 3 * _threads.SAMPLE_SECONDS\n"
    "while time.monotonic() < end:\n"
    "    model(minigrad.randn(64, 1, 32, 32)).sum().backward()\n"
    "print(minigrad.get_num_threads(), _threads.threads_in_use(), _threads.SAMPLE_SECONDS)\n"
)


def test_the_default_count_stays_within_one_and_the_cores():
    limit, in_use, _ = _run(ADAPTED)
    assert int(limit) == len(os.sched_getaffinity(0)) and 1 <= int(in_use) <= int(limit)


def test_omp_num_threads_fixes_the_count():
    limit, in_use, _ = _run(ADAPTED, OMP_NUM_THREADS="3")
    assert (limit, in_use) == ("3", "3")


def test_use_default_threads_returns_to_the_default_after_set_num_threads():
    limit, in_use = _run(
        "import minigrad\n"
        "from minigrad.parallel import use_default_threads\n"
        "from minigrad_core import _threads\n"
        "default = minigrad.get_num_threads()\n"
        "minigrad.set_num_threads(default + 3)\n"
        "use_default_threads()\n"
        "print(minigrad.get_num_threads() == default, _threads.threads_in_use() == default)\n"
    )
    assert (limit, in_use) == ("True", "True")


def test_results_do_not_depend_on_the_count_in_use():
    """A training step at the default (adapting) count equals the step at one thread."""
    grads = []
    before = minigrad.get_num_threads()
    try:
        for setting in (parallel.use_default_threads, lambda: minigrad.set_num_threads(1)):
            setting()
            minigrad.manual_seed(0)
            model = minigrad.models.lenet5()
            model(minigrad.randn(64, 1, 32, 32)).sum().backward()
            grads.append([p.grad.numpy() for p in model.parameters()])
    finally:
        minigrad.set_num_threads(before)
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_both_blas_libraries_stay_on_one_thread_at_any_count():
    from threadpoolctl import ThreadpoolController

    before = minigrad.get_num_threads()
    try:
        for setting in (lambda: minigrad.set_num_threads(2), parallel.use_default_threads):
            setting()
            blas = [lib.num_threads for lib in ThreadpoolController().lib_controllers if lib.user_api == "blas"]
            assert blas and set(blas) == {1}
    finally:
        minigrad.set_num_threads(before)
