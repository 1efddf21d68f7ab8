"""Run under mpiexec -n 2: the collectives' values, dtypes and ops against numpy."""

import numpy as np

import minigrad
import minigrad.distributed as dist
from minigrad.distributed import ReduceOp

dist.init_process_group(backend="mpi")
rank, world = dist.get_rank(), dist.get_world_size()
assert dist.is_initialized() and dist.is_available() and dist.get_backend() == "mpi"


def values(r, dtype):
    return (np.arange(6).reshape(2, 3) * (r + 1) - 2 * r).astype(dtype)


everyone = lambda dtype: [values(r, dtype) for r in range(world)]  # noqa: E731
expected = {
    ReduceOp.SUM: lambda a: np.sum(a, axis=0),
    ReduceOp.PRODUCT: lambda a: np.prod(a, axis=0),
    ReduceOp.MAX: lambda a: np.max(a, axis=0),
    ReduceOp.MIN: lambda a: np.min(a, axis=0),
}
for dtype in (np.float32, np.float64, np.int32, np.int64):
    for op, reference in expected.items():
        t = minigrad.tensor(values(rank, dtype))
        version = t._version
        dist.all_reduce(t, op=op)
        assert t.numpy().dtype == dtype and np.array_equal(t.numpy(), reference(np.stack(everyone(dtype)))), (dtype, op)
        assert t._version > version
    t = minigrad.tensor(values(rank, dtype))
    dist.broadcast(t, src=1)
    assert np.array_equal(t.numpy(), values(1, dtype))
    gathered = [minigrad.zeros(2, 3, dtype=minigrad.tensor(values(0, dtype)).dtype) for _ in range(world)]
    dist.all_gather(gathered, minigrad.tensor(values(rank, dtype)))
    assert all(np.array_equal(g.numpy(), v) for g, v in zip(gathered, everyone(dtype)))
    out = minigrad.tensor(np.zeros((2, 3), dtype))
    dist.reduce_scatter(out, [minigrad.tensor(values(rank, dtype) + 10 * r) for r in range(world)])
    assert np.array_equal(out.numpy(), sum(v + 10 * rank for v in everyone(dtype)))

for dtype in (np.float32, np.float64):
    t = minigrad.tensor(values(rank, dtype))
    dist.all_reduce(t, op=ReduceOp.AVG)
    np.testing.assert_allclose(t.numpy(), np.mean(everyone(dtype), axis=0), rtol=1e-6)
    t = minigrad.tensor(values(rank, dtype))
    work = dist.all_reduce(t, op=ReduceOp.AVG, async_op=True)
    assert work.wait()
    np.testing.assert_allclose(t.numpy(), np.mean(everyone(dtype), axis=0), rtol=1e-6)

try:
    dist.all_reduce(minigrad.tensor([1, 2]), op=ReduceOp.AVG)
except RuntimeError as error:
    assert "floating point" in str(error)
else:
    raise AssertionError("AVG on integers must refuse")
try:
    dist.all_reduce(minigrad.ones(3, 4).t())
except ValueError as error:
    assert "contiguous" in str(error)
else:
    raise AssertionError("a non-contiguous tensor must refuse")
try:
    dist.init_process_group("mpi")
except RuntimeError as error:
    assert "twice" in str(error)
else:
    raise AssertionError("a second init_process_group must refuse")

dist.barrier()
dist.destroy_process_group()
assert not dist.is_initialized()
try:
    dist.get_rank()
except ValueError as error:
    assert "init_process_group" in str(error)
else:
    raise AssertionError("get_rank without a process group must refuse")
print(f"rank {rank}: ok")
