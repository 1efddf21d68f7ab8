"""Data-parallel training: minigrad's DistributedDataParallel (MPI) beside PyTorch's (gloo).

For each model (LeNet-5 on 1x32x32, ResNet-18 CIFAR on 3x32x32) and each world size
(1 and 2 ranks, one thread each, launched with mpiexec) it times SGD steps (forward,
backward, allreduce, update) on random data of --batch images per rank, in both
frameworks, and prints:

- images/s over all ranks, and the speed-up of 2 ranks over 1;
- the step time and its ratio minigrad / PyTorch (below 1: minigrad is faster);
- allreduce: the time one blocking allreduce of all the gradients takes on its own;
- exposed: step time minus the same step under ``no_sync()`` (no communication), the
  part of the communication that backward did not hide; overlap = 1 - exposed / allreduce.

    python bench/bench_ddp.py [--steps 6] [--only lenet5 resnet18_cifar]

Each (framework, model, ranks) runs in its own ``mpiexec`` job; PyTorch joins its gloo
group over TCP on 127.0.0.1, with a port rank 0 picks and broadcasts through MPI.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

# model name, input shape (C, H, W), batch per rank
MODELS = {"lenet5": ((1, 32, 32), 64), "resnet18_cifar": ((3, 32, 32), 16)}


def build(framework, name):
    if framework == "minigrad":
        import minigrad

        minigrad.manual_seed(0)
        return getattr(minigrad.models, name)(in_channels=MODELS[name][0][0], num_classes=10)
    import torch

    torch.manual_seed(0)
    if name == "lenet5":
        n = torch.nn
        return n.Sequential(
            n.Conv2d(1, 6, 5), n.AvgPool2d(2), n.Sigmoid(), n.Conv2d(6, 16, 5), n.AvgPool2d(2), n.Sigmoid(),
            n.Flatten(), n.Linear(400, 120), n.Sigmoid(), n.Linear(120, 84), n.Sigmoid(), n.Linear(84, 10),
        )  # fmt: skip
    return _torch_resnet18_cifar()


def _torch_resnet18_cifar():
    """torchvision's ResNet-18 with the CIFAR stem (3x3 conv, no max pool), as minigrad's resnet18_cifar."""
    import torch.nn as n

    class Block(n.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1, self.bn1 = n.Conv2d(cin, cout, 3, stride, 1, bias=False), n.BatchNorm2d(cout)
            self.conv2, self.bn2 = n.Conv2d(cout, cout, 3, 1, 1, bias=False), n.BatchNorm2d(cout)
            self.shortcut = n.Sequential()
            if stride != 1 or cin != cout:
                self.shortcut = n.Sequential(n.Conv2d(cin, cout, 1, stride, bias=False), n.BatchNorm2d(cout))

        def forward(self, x):
            y = self.bn1(self.conv1(x)).relu()
            return (self.bn2(self.conv2(y)) + self.shortcut(x)).relu()

    layers, cin = [n.Conv2d(3, 64, 3, 1, 1, bias=False), n.BatchNorm2d(64), n.ReLU()], 64
    for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [Block(cin, cout, stride), Block(cout, cout, 1)]
        cin = cout
    return n.Sequential(*layers, n.AdaptiveAvgPool2d(1), n.Flatten(), n.Linear(512, 10))


def worker(framework, name, steps):
    """Run under mpiexec: time synced and no_sync steps, print rank 0's numbers as JSON."""
    import contextlib

    import numpy as np
    from mpi4py import MPI

    comm = MPI.COMM_WORLD
    rank, world = comm.Get_rank(), comm.Get_size()
    shape, batch = MODELS[name]
    rng = np.random.default_rng(rank)
    x = rng.standard_normal((batch, *shape)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    if framework == "minigrad":
        import minigrad
        import minigrad.distributed as dist
        from minigrad.nn.parallel import DistributedDataParallel

        minigrad.set_num_threads(1)
        dist.init_process_group("mpi")
        model = DistributedDataParallel(build("minigrad", name))
        x, y = minigrad.tensor(x), minigrad.tensor(y)
        loss_fn, optimizer = minigrad.nn.CrossEntropyLoss(), minigrad.optim.SGD(model.parameters(), lr=0.01)
        flat = np.zeros(sum(p.numel() for p in model.parameters()), np.float32)

        def allreduce():
            comm.Allreduce(MPI.IN_PLACE, flat, MPI.SUM)
    else:
        import torch
        import torch.distributed as dist

        torch.set_num_threads(1)
        port = None
        if rank == 0:
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
        port = comm.bcast(port, root=0)
        dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
        model = torch.nn.parallel.DistributedDataParallel(build("torch", name))
        x, y = torch.from_numpy(x), torch.from_numpy(y)
        loss_fn, optimizer = torch.nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), lr=0.01)
        flat = torch.zeros(sum(p.numel() for p in model.parameters()))

        def allreduce():
            dist.all_reduce(flat)

    def step():
        optimizer.zero_grad()
        loss_fn(model(x), y).backward()
        optimizer.step()

    def timed(context):
        times = []
        for i in range(steps + 2):  # two warm-up steps
            comm.Barrier()
            start = time.perf_counter()
            with context():
                step()
            if i >= 2:
                times.append(time.perf_counter() - start)
        times = np.array(times)
        comm.Allreduce(MPI.IN_PLACE, times, MPI.MAX)  # a step ends when its slowest rank is done
        return float(np.median(times))

    synced = timed(contextlib.nullcontext)
    local = timed(model.no_sync) if world > 1 else synced
    reduce_times = []
    for _ in range(steps + 2):
        comm.Barrier()
        start = time.perf_counter()
        allreduce()
        reduce_times.append(time.perf_counter() - start)
    if rank == 0:
        result = dict(step=synced, local=local, allreduce=float(np.median(reduce_times[2:])) if world > 1 else 0.0)
        result["images_per_second"] = world * batch / synced
        print(json.dumps(result), flush=True)


def mpiexec():
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    return beside if os.path.exists(beside) else shutil.which("mpiexec")


def run(framework, name, ranks, steps):
    env = dict(os.environ, PYTHONPATH=ROOT, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    command = [mpiexec(), "--allow-run-as-root", "--oversubscribe", "-n", str(ranks), sys.executable, __file__]
    command += ["--worker", framework, "--only", name, "--steps", str(steps)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=6, help="timed steps (after 2 warm-up steps); the median is kept")
    parser.add_argument("--only", nargs="+", choices=list(MODELS), default=list(MODELS))
    parser.add_argument("--worker", choices=("minigrad", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.only[0], args.steps)
        return
    print(f"CPU cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}; one thread per rank")
    header = "| model | ranks | batch/rank | framework | images/s | speed-up | step ms | vs PyTorch |"
    header += " allreduce ms | exposed ms | overlap |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for name in args.only:
        results = {}
        for ranks in (1, 2):
            for framework in ("minigrad", "torch"):
                results[framework, ranks] = r = run(framework, name, ranks, args.steps)
        for ranks in (1, 2):
            for framework in ("minigrad", "torch"):
                r = results[framework, ranks]
                speedup = r["images_per_second"] / results[framework, 1]["images_per_second"]
                ratio = r["step"] / results["torch", ranks]["step"]
                exposed = max(r["step"] - r["local"], 0.0)
                overlap = f"{max(0.0, 1 - exposed / r['allreduce']):.0%}" if ranks > 1 else "-"
                print(
                    f"| {name} | {ranks} | {MODELS[name][1]} | {framework} | {r['images_per_second']:.0f} | "
                    f"{speedup:.2f}x | {1e3 * r['step']:.1f} | {ratio:.2f} | {1e3 * r['allreduce']:.2f} | "
                    f"{1e3 * exposed:.2f} | {overlap} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
