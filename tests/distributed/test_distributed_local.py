"""minigrad.distributed in one process: the install hint, DistributedSampler against PyTorch's."""

import os
import sys

import pytest

import minigrad
import minigrad.distributed as dist
from minigrad.autograd.engine import queue_callback
from minigrad.utils.data.distributed import DistributedSampler


def test_without_mpi4py_the_error_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)
    assert not dist.is_available()
    with pytest.raises(RuntimeError, match=r'pip install "minigrad\[mpi\]"'):
        dist.init_process_group("mpi")
    assert not dist.is_initialized()


def test_without_a_process_group_rank_and_size_refuse_as_pytorch():
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.get_rank()
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        dist.get_world_size()


def test_only_the_mpi_backend():
    with pytest.raises(ValueError, match="only the 'mpi' backend"):
        dist.init_process_group("gloo")


def test_sampler_assigns_the_indices_pytorch_does(torch):
    for n in (1, 3, 7, 10, 12):
        for replicas in (1, 2, 3, 4):
            for drop_last in (False, True) if n >= replicas else (False,):
                for rank in range(replicas):
                    ours = DistributedSampler(range(n), replicas, rank, shuffle=False, drop_last=drop_last)
                    theirs = torch.utils.data.distributed.DistributedSampler(
                        range(n), replicas, rank, shuffle=False, drop_last=drop_last
                    )
                    assert list(ours) == list(theirs) and len(ours) == len(theirs), (n, replicas, rank, drop_last)


def test_sampler_shuffles_the_same_on_every_rank_and_anew_each_epoch():
    shards = [DistributedSampler(range(11), 3, rank, seed=5) for rank in range(3)]
    first = [list(s) for s in shards]
    assert all(len(s) == 4 for s in first)
    assert set(sum(first, [])) == set(range(11))  # every sample, one padded by repetition
    assert [list(s) for s in shards] == first  # same epoch, same order
    for s in shards:
        s.set_epoch(1)
    assert [list(s) for s in shards] != first


def test_sampler_rejects_a_rank_outside_the_world():
    with pytest.raises(ValueError, match=r"Invalid rank 2, rank should be in the interval \[0, 1\]"):
        DistributedSampler(range(4), num_replicas=2, rank=2)


def test_final_callbacks_run_after_the_backward_walk():
    x = minigrad.ones(3, requires_grad=True)
    seen = []
    x.register_hook(lambda g: queue_callback(lambda: seen.append(x.grad)))
    (x * 2).sum().backward()
    assert len(seen) == 1 and seen[0] is not None  # .grad was set before the callback ran
    with pytest.raises(RuntimeError, match="Final callbacks can only be installed during backward pass."):
        queue_callback(lambda: None)


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="checked on CI only (CI=true)")
def test_mpi4py_is_installed_on_ci():
    from mpi4py import MPI

    assert MPI.Get_library_version()
