"""Run under mpiexec -n 2: DDP with batch norm against PyTorch's DDP (gloo) in the same processes.

Per-rank batch statistics, rank 0's running statistics broadcast at each forward: after a
few SGD steps each rank's parameters and buffers match PyTorch's on the same rank.
"""

import socket

import numpy as np
import torch
import torch.distributed as torch_dist
from mpi4py import MPI

import minigrad
import minigrad.distributed as dist
from minigrad.nn.parallel import DistributedDataParallel

dist.init_process_group(backend="mpi")
rank, world = dist.get_rank(), dist.get_world_size()
port = None
if rank == 0:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
port = MPI.COMM_WORLD.bcast(port, root=0)
torch_dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
torch.set_num_threads(1)


def build(lib):
    return lib.nn.Sequential(
        lib.nn.Conv2d(2, 3, 3), lib.nn.BatchNorm2d(3), lib.nn.ReLU(), lib.nn.Flatten(), lib.nn.Linear(3 * 4 * 4, 4)
    )


minigrad.manual_seed(rank)  # different replicas: DDP makes them rank 0's
ours, theirs = build(minigrad), build(torch)
with torch.no_grad():
    for p, q in zip(ours.state_dict().values(), theirs.state_dict().values()):
        q.copy_(torch.from_numpy(p.detach().numpy().copy()))
ours = DistributedDataParallel(ours, bucket_cap_mb=0.0005)
theirs = torch.nn.parallel.DistributedDataParallel(theirs, bucket_cap_mb=0.0005)
opt_ours = minigrad.optim.SGD(ours.parameters(), lr=0.1, momentum=0.9)
opt_theirs = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)

rng = np.random.default_rng(rank)
for _ in range(4):
    x = rng.standard_normal((5, 2, 6, 6)).astype(np.float32) * (rank + 1)
    y = rng.integers(0, 4, 5)
    opt_ours.zero_grad()
    minigrad.nn.functional.cross_entropy(ours(minigrad.tensor(x)), minigrad.tensor(y)).backward()
    opt_ours.step()
    opt_theirs.zero_grad()
    torch.nn.functional.cross_entropy(theirs(torch.from_numpy(x)), torch.from_numpy(y)).backward()
    opt_theirs.step()

for (name, p), q in zip(ours.module.state_dict().items(), theirs.module.state_dict().values()):
    np.testing.assert_allclose(p.detach().numpy(), q.numpy(), rtol=1e-4, atol=1e-5, err_msg=name)
ours.eval()
theirs.eval()
x = rng.standard_normal((3, 2, 6, 6)).astype(np.float32)
np.testing.assert_allclose(
    ours(minigrad.tensor(x)).detach().numpy(), theirs(torch.from_numpy(x)).detach().numpy(), rtol=1e-4, atol=1e-5
)
torch_dist.destroy_process_group()
print(f"rank {rank}: ok")
