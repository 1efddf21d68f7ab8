"""A thread count that would exhaust the process is refused (issue 11: set_num_threads(10**8) crashed)."""

import subprocess
import sys

import pytest

import minigrad
from minigrad.parallel import MAX_THREADS


@pytest.mark.parametrize("n", [0, -1, MAX_THREADS + 1, 10**8])
def test_thread_counts_outside_the_bound_are_refused(n):
    before = minigrad.get_num_threads()
    with pytest.raises(ValueError, match=rf"set_num_threads\(\): expected a number of threads from 1 to {MAX_THREADS}"):
        minigrad.set_num_threads(n)
    assert minigrad.get_num_threads() == before


def test_a_huge_count_then_training_does_not_kill_the_interpreter():
    script = (
        "import minigrad\n"
        "try:\n    minigrad.set_num_threads(10**8)\nexcept ValueError:\n    pass\n"
        "model = minigrad.models.lenet5()\n"
        "model(minigrad.randn(64, 1, 32, 32)).sum().backward()\n"
        "print('trained')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "trained" in result.stdout, result.stderr[-2000:]
