"""Run under mpiexec -n 2: DDP with batch B per rank steps like one process with batch 2B.

Also: no_sync() accumulation, the error for an unused parameter, find_unused_parameters.
"""

import numpy as np

import minigrad
import minigrad.distributed as dist
from minigrad import nn
from minigrad.nn.parallel import DistributedDataParallel

dist.init_process_group(backend="mpi")
rank, world = dist.get_rank(), dist.get_world_size()
B, STEPS = 4, 5


def make_model(seed):
    minigrad.manual_seed(seed)
    return nn.Sequential(
        nn.Conv2d(1, 3, 3), nn.Tanh(), nn.Flatten(), nn.Linear(3 * 4 * 4, 5), nn.Tanh(), nn.Linear(5, 3)
    )


data = np.random.default_rng(0).standard_normal((STEPS, world * B, 1, 6, 6)).astype(np.float32)
targets = np.random.default_rng(1).integers(0, 3, (STEPS, world * B))
loss_fn = nn.CrossEntropyLoss()

for name, make_optimizer in [
    ("sgd", lambda ps: minigrad.optim.SGD(ps, lr=0.1, momentum=0.9)),
    ("adam", lambda ps: minigrad.optim.Adam(ps, lr=0.01)),
]:
    single = make_model(1)  # one process, the whole batch of 2B, from rank 0's weights
    ddp = DistributedDataParallel(make_model(rank + 1), bucket_cap_mb=0.00005)  # rank 0's weights win
    assert len(ddp._buckets) == 3
    single_opt, ddp_opt = make_optimizer(single.parameters()), make_optimizer(ddp.parameters())
    for step in range(STEPS):
        x, y = minigrad.tensor(data[step]), minigrad.tensor(targets[step])
        single_opt.zero_grad()
        loss_fn(single(x), y).backward()
        single_opt.step()
        shard = slice(rank * B, (rank + 1) * B)
        ddp_opt.zero_grad()
        loss_fn(ddp(x[shard]), y[shard]).backward()
        ddp_opt.step()
    for p, q in zip(single.parameters(), ddp.module.parameters()):
        np.testing.assert_allclose(q.detach().numpy(), p.detach().numpy(), rtol=1e-5, atol=1e-6, err_msg=name)

# no_sync: two micro-batches accumulated locally, then one synced backward, equal the whole batch.
single, ddp = make_model(0), DistributedDataParallel(make_model(0))
x, y = minigrad.tensor(data[0]), minigrad.tensor(targets[0])
loss_fn(single(x), y).backward()
half = B // 2
with ddp.no_sync():
    (loss_fn(ddp(x[rank * B : rank * B + half]), y[rank * B : rank * B + half]) / 2).backward()
assert not np.allclose(ddp.module[0].weight.grad.numpy(), single[0].weight.grad.numpy(), atol=1e-4)
(loss_fn(ddp(x[rank * B + half : (rank + 1) * B]), y[rank * B + half : (rank + 1) * B]) / 2).backward()
for p, q in zip(single.parameters(), ddp.module.parameters()):
    np.testing.assert_allclose(q.grad.numpy(), p.grad.numpy(), rtol=1e-5, atol=1e-6)


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.used, self.unused = nn.Linear(3, 2), nn.Linear(3, 2)

    def forward(self, x):
        return self.used(x)


x = minigrad.ones(2, 3) * (rank + 1)
ddp = DistributedDataParallel(TwoHeads())
ddp(x).sum().backward()
try:
    ddp(x)
except RuntimeError as error:
    assert "Expected to have finished reduction in the prior iteration" in str(error), error
    assert f"did not receive grad for rank {rank}: 2 3" in str(error), error
else:
    raise AssertionError("an unused parameter must stop the next forward")

ddp = DistributedDataParallel(TwoHeads(), find_unused_parameters=True)
for _ in range(2):
    ddp.zero_grad()
    ddp(x).sum().backward()
    assert ddp.module.unused.weight.grad is None
    # the rows of x are ones on rank 0, twos on rank 1: gradients 2 and 4, mean 3
    np.testing.assert_allclose(ddp.module.used.weight.grad.numpy(), np.full((2, 3), 3.0))
print(f"rank {rank}: ok")
