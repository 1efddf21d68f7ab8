"""The input gradient of a conv (= conv_transpose2d): every path the kernels have, timed
against the flipped-kernel convolution on the shapes that matter, in one process.

For each shape it times each path that applies ("flipped", the phase-by-phase
flipped-kernel convolution; "col2im", col2im(w^T g); "winograd" and "depthwise" where
they apply), interleaved (one run of each path per round) and keeps the minimum over the
rounds, so that load from other processes touches every path alike. At one thread (the
default) the clock is the calling thread's CPU time, which time slices lost to other
processes do not inflate; with more threads it is wall time. It prints the CPU,
the times, each path's speedup over "flipped" (above 1: faster than the flipped-kernel
convolution), and the path the kernels take by default. docs/kernels.md records a run
and the rule derived from it: a path other than the flipped-kernel convolution runs by
default only where it is at least 1.2x faster.

    python bench/bench_input_grad.py [--rounds 9] [--threads 1] [--only NAME ...]
"""

import argparse
import os
import platform
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import minigrad  # noqa: E402  (applies the kernels' BLAS thread policy)
from minigrad_core import conv  # noqa: E402

# name: N, C (conv input channels), O, H (input size), K, stride, padding, dilation, groups
SHAPES = [
    ("lenet_conv1_b64", dict(N=64, C=1, O=6, H=32, K=5)),
    ("lenet_conv2_b64", dict(N=64, C=6, O=16, H=14, K=5)),
    ("lenet_conv1_b1", dict(N=1, C=1, O=6, H=32, K=5)),
    ("lenet_conv2_b1", dict(N=1, C=6, O=16, H=14, K=5)),
    ("cifar_resnet_stem", dict(N=16, C=3, O=64, H=32, K=3, p=1)),
    ("cifar_resnet_64", dict(N=16, C=64, O=64, H=32, K=3, p=1)),
    ("cifar_resnet_128_s2", dict(N=16, C=64, O=128, H=32, K=3, s=2, p=1)),
    ("cifar_resnet_1x1_s2", dict(N=16, C=64, O=128, H=32, K=1, s=2)),
    ("cifar_resnet_256", dict(N=16, C=256, O=256, H=8, K=3, p=1)),
    ("cifar_resnet_512", dict(N=16, C=512, O=512, H=4, K=3, p=1)),
    ("resnet224_stem_7x7_s2", dict(N=2, C=3, O=64, H=224, K=7, s=2, p=3)),
    ("resnet224_64", dict(N=4, C=64, O=64, H=56, K=3, p=1)),
    ("resnet224_128_s2", dict(N=4, C=64, O=128, H=56, K=3, s=2, p=1)),
    ("resnet224_1x1_s2", dict(N=4, C=256, O=512, H=28, K=1, s=2)),
    ("resnet224_256", dict(N=4, C=256, O=256, H=14, K=3, p=1)),
    ("resnet224_512", dict(N=4, C=512, O=512, H=7, K=3, p=1)),
    ("resnet_3x3_128", dict(N=16, C=128, O=128, H=28, K=3, p=1)),
    ("resnet_3x3_128_s2", dict(N=16, C=128, O=256, H=28, K=3, s=2, p=1)),
    ("conv_1x1_256", dict(N=16, C=256, O=64, H=28, K=1)),
    ("alexnet_conv1", dict(N=8, C=3, O=64, H=224, K=11, s=4, p=2)),
    ("alexnet_conv2", dict(N=8, C=64, O=192, H=27, K=5, p=2)),
    ("vgg_3x3_rgb", dict(N=2, C=3, O=64, H=224, K=3, p=1)),
    ("vgg_3x3", dict(N=8, C=64, O=64, H=56, K=3, p=1)),
    ("dilated_3x3", dict(N=8, C=64, O=64, H=56, K=3, p=2, d=2)),
    ("small_16_3x3", dict(N=16, C=16, O=16, H=32, K=3, p=1)),
    ("narrowing_64_16_3x3", dict(N=16, C=64, O=16, H=32, K=3, p=1)),
    ("widening_32_64_5x5", dict(N=64, C=32, O=64, H=14, K=5, p=2)),
    ("grouped_8x16_3x3", dict(N=16, C=128, O=128, H=28, K=3, p=1, g=8)),
    ("depthwise_3x3", dict(N=16, C=128, O=128, H=28, K=3, p=1, g=128)),
    ("depthwise_3x3_s2", dict(N=16, C=128, O=128, H=28, K=3, s=2, p=1, g=128)),
]


COLUMNS = ("flipped", "col2im", "winograd", "depthwise")


def _cpu():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def problem(p, seed=0):
    """gy, w, and an empty gx of one shape, with its hyper-parameters."""
    s, pad, d, g = p.get("s", 1), p.get("p", 0), p.get("d", 1), p.get("g", 1)
    OH = (p["H"] + 2 * pad - d * (p["K"] - 1) - 1) // s + 1
    rng = np.random.default_rng(seed)
    gy = rng.standard_normal((p["N"], p["O"], OH, OH), dtype=np.float32)
    w = rng.standard_normal((p["O"], p["C"] // g, p["K"], p["K"]), dtype=np.float32)
    gx = np.empty((p["N"], p["C"], p["H"], p["H"]), dtype=np.float32)
    return gy, w, gx, ((s, s), (pad, pad), (d, d), g)


def applicable_paths(gy, w, gx, hyper):
    """The paths conv_transpose2d accepts for this shape."""
    paths = []
    for path in conv.PATHS:
        try:
            conv.conv_transpose2d(gy[:1], w, None, gx[:1].copy(), *hyper, path=path)
        except ValueError:
            continue
        paths.append(path)
    return paths


def measure(p, rounds, clock):
    """{path: best seconds} over interleaved rounds, and the default path."""
    gy, w, gx, hyper = problem(p)
    paths = applicable_paths(gy, w, gx, hyper)
    best = {path: float("inf") for path in paths}
    for path in paths:  # warm-up: code, pages, scratch
        conv.conv_transpose2d(gy, w, None, gx, *hyper, path=path)
    for _ in range(rounds):
        for path in paths:
            t0 = clock()
            conv.conv_transpose2d(gy, w, None, gx, *hyper, path=path)
            best[path] = min(best[path], clock() - t0)
    default = conv.conv_transpose2d(gy, w, None, gx, *hyper)
    return best, default


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", nargs="+", help="shape names to run")
    args = parser.parse_args()
    minigrad.set_num_threads(args.threads)
    clock = time.thread_time if args.threads == 1 else time.perf_counter
    print(
        f"CPU: {_cpu()}; {args.threads} thread(s); float32; min of {args.rounds} interleaved rounds, "
        f"ms of {'thread CPU' if args.threads == 1 else 'wall'} time; speedup = flipped time / path time"
    )
    print(
        "| shape | N C O H K s p d g | flipped | col2im | winograd | depthwise | col2im speedup "
        "| winograd speedup | depthwise speedup | default |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, p in SHAPES:
        if args.only and name not in args.only:
            continue
        best, default = measure(p, args.rounds, clock)
        dims = " ".join(
            str(p.get(k, dflt))
            for k, dflt in (("N", 0), ("C", 0), ("O", 0), ("H", 0), ("K", 0), ("s", 1), ("p", 0), ("d", 1), ("g", 1))
        )
        times = " | ".join(f"{best[path] * 1e3:.3f}" if path in best else "-" for path in COLUMNS)
        speedups = " | ".join(f"{best['flipped'] / best[path]:.2f}" if path in best else "-" for path in COLUMNS[1:])
        print(f"| {name} | {dims} | {times} | {speedups} | {default} |", flush=True)


if __name__ == "__main__":
    main()
