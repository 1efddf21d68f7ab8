"""Batch norm (training) and ReLU, forward + backward, side by side with PyTorch.

    y = F.batch_norm(x, rm, rv, w, b, training=True); y.backward(g)      (N, C, H, W)
    y = x.relu(); y.backward(g)

Runs minigrad and PyTorch (when installed) in one process, interleaved (each round runs
both in turn; the best round counts), at the given thread count for both, timed by wall
time (CPU time of the calling thread at 1 thread), and prints milliseconds and the ratio
minigrad / PyTorch with the processor's name and the load average.
Usage: python bench/bench_norm.py [--threads 1] [--repeats 30]
"""

import argparse
import os
import time

import numpy as np
from bench_train import cpu_model  # (bench/ is on the path when this script runs)

import minigrad as mg
import minigrad.nn.functional as F

SHAPES = [(32, 64, 32, 32), (32, 512, 4, 4), (64, 256)]


def runners(mod, shape, op):
    """A forward + backward closure of op ("batch_norm" or "relu") on mod (minigrad or torch)."""
    rng = np.random.default_rng(0)
    channels = shape[1]
    x = mod.tensor(rng.standard_normal(shape, dtype=np.float32), requires_grad=True)
    g = mod.tensor(rng.standard_normal(shape, dtype=np.float32))
    w = mod.tensor(rng.random(channels, dtype=np.float32) + 0.5, requires_grad=True)
    b = mod.tensor(rng.standard_normal(channels, dtype=np.float32), requires_grad=True)
    rm, rv = mod.zeros(channels), mod.ones(channels)
    functional = F if mod is mg else __import__("torch").nn.functional

    def run():
        x.grad = w.grad = b.grad = None
        if op == "batch_norm":
            y = functional.batch_norm(x, rm, rv, w, b, training=True)
        else:
            y = functional.relu(x)
        y.backward(g)

    return run


def best_times(fns, repeats, clock):
    for fn in fns:
        fn()
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = clock()
            fn()
            best[i] = min(best[i], clock() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        torch = None
    mg.set_num_threads(args.threads)
    if torch is not None:
        torch.set_num_threads(args.threads)
    clock = time.thread_time if args.threads == 1 else time.perf_counter
    print(f"CPU: {cpu_model()}; load average {os.getloadavg()[0]:.2f}")
    print(f"threads {args.threads}; {clock.__name__}, best of {args.repeats}")
    print(f"{'op':<11} {'shape':<18} {'minigrad ms':>11} {'torch ms':>9} {'ratio':>6}")
    for op in ("batch_norm", "relu"):
        for shape in SHAPES:
            fns = [runners(mg, shape, op)] + ([runners(torch, shape, op)] if torch is not None else [])
            times = best_times(fns, args.repeats, clock)
            ms = [1e3 * t for t in times]
            ratio = f"{times[0] / times[1]:6.2f}" if torch is not None else "     -"
            torch_ms = f"{ms[1]:9.3f}" if torch is not None else "        -"
            print(f"{op:<11} {str(shape):<18} {ms[0]:11.3f} {torch_ms} {ratio}")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
