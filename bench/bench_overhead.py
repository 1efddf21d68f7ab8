"""Per-op framework overhead: a chain of small-tensor ops, forward + backward.

    x = (x * b + c).relu()   repeated N times on 10-element tensors, then x.sum().backward()

Runs minigrad, PyTorch (when installed) and bare numpy with a hand-written reverse sweep
in one process, interleaved (each round runs all three in turn; the best round counts),
timed by the calling thread's CPU time (all the work runs on it, PyTorch at one thread),
which other processes on a shared machine inflate far less than wall time, and prints
microseconds per recorded op and the ratio minigrad / PyTorch.
Usage: python bench/bench_overhead.py [--length 1000] [--repeats 20]
"""

import argparse
import platform
import time

import numpy as np

import minigrad as mg

OPS_PER_STEP = 3  # mul, add, relu


def cpu_model():
    """The processor's name, as /proc/cpuinfo gives it (Linux), else platform's."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def best_times(fns, repeats):
    """The best CPU time of each of fns over `repeats` rounds, each running every fn once."""
    for fn in fns:
        fn()  # warm-up
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.thread_time()
            fn()
            best[i] = min(best[i], time.thread_time() - start)
    return best


def chain_minigrad(length, size):
    x0 = mg.randn(size, requires_grad=True)
    b = (mg.rand(size) * 0.9).requires_grad_()
    c = mg.randn(size, requires_grad=True)

    def run():
        x = x0
        for _ in range(length):
            x = (x * b + c).relu()
        x.sum().backward()

    return run


def chain_torch(torch, length, size):
    x0 = torch.randn(size, requires_grad=True)
    b = (torch.rand(size) * 0.9).requires_grad_()
    c = torch.randn(size, requires_grad=True)

    def run():
        x = x0
        for _ in range(length):
            x = (x * b + c).relu()
        x.sum().backward()

    return run


def chain_numpy(length, size):
    rng = np.random.default_rng(0)
    x0, c = (rng.standard_normal(size).astype(np.float32) for _ in range(2))
    b = (rng.random(size) * 0.9).astype(np.float32)

    def run():
        x, tape = x0, []
        for _ in range(length):
            pre = x * b + c
            tape.append((x, pre > 0))
            x = pre * (pre > 0)
        g = np.ones_like(x)
        gb = np.zeros_like(b)
        gc = np.zeros_like(c)
        for inp, mask in reversed(tape):
            g = g * mask
            gc += g
            gb += g * inp
            g = g * b

    return run


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--size", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    n_ops = args.length * OPS_PER_STEP
    runs = [
        ("minigrad", chain_minigrad(args.length, args.size)),
        ("numpy (hand-written tape)", chain_numpy(args.length, args.size)),
    ]
    try:
        import torch

        torch.set_num_threads(1)
        runs.append(("pytorch", chain_torch(torch, args.length, args.size)))
    except ImportError:
        torch = None
    times = best_times([run for _, run in runs], args.repeats)
    rows = [(name, seconds) for (name, _), seconds in zip(runs, times)]
    print(f"chain of {args.length} x (mul, add, relu) on {args.size}-element tensors, forward + backward")
    print(f"CPU: {cpu_model()}; best of {args.repeats} interleaved rounds, CPU time of this thread")
    print(f"{'framework':28s} {'us/op':>8s}")
    for name, seconds in rows:
        print(f"{name:28s} {seconds / n_ops * 1e6:8.2f}")
    if torch is not None:
        print(f"ratio minigrad / pytorch: {rows[0][1] / rows[2][1]:.2f}")


if __name__ == "__main__":
    main()
