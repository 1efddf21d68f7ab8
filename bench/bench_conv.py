"""Convolution and pooling: minigrad side by side with PyTorch, in one process.

For each workload of issue 3 it times forward and forward+backward (best of --repeat
rounds after a warm-up, each round running both frameworks' forward and forward+backward
in turn), at 1 and 2 threads, and prints minigrad's and PyTorch's times,
the ratio minigrad / PyTorch (below 1: minigrad is faster), GFLOP/s for the convs and
GB/s for the pools. With --memory each workload's forward+backward is also run in a fresh
process per framework, after a batch-1 warm-up of the same op (which loads code and lazy
state), and the peak resident memory of that run above the resident size just before it
is printed (Linux: the peak is reset through /proc/self/clear_refs).

minigrad is measured through minigrad.nn.functional (autograd included); --impl kernels
calls the Cython kernels directly instead. Every input requires grad, so the backward
computes both the input and the weight gradient, in both frameworks.

    python bench/bench_conv.py [--repeat 5] [--threads 1 2] [--memory] [--only NAME ...]

Environment: OPENBLAS_CORETYPE may be set on this machine (see the env notes); it can
slow a current OpenBLAS. The script prints the BLAS kernel in use.
"""

import argparse
import math
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

# name, kind, shapes and hyper-parameters
WORKLOADS = [
    ("lenet_conv1", "conv", dict(N=64, C=1, O=6, H=32, K=5)),
    ("lenet_conv2", "conv", dict(N=64, C=6, O=16, H=14, K=5)),
    ("alexnet_conv1", "conv", dict(N=8, C=3, O=64, H=224, K=11, stride=4, padding=2)),
    ("vgg_3x3", "conv", dict(N=8, C=64, O=64, H=56, K=3, padding=1)),
    ("resnet_3x3", "conv", dict(N=16, C=128, O=128, H=28, K=3, padding=1)),
    ("resnet_3x3_s2", "conv", dict(N=16, C=128, O=256, H=28, K=3, stride=2, padding=1)),
    ("conv_1x1", "conv", dict(N=16, C=256, O=64, H=28, K=1)),
    ("depthwise_3x3", "conv", dict(N=16, C=128, O=128, H=28, K=3, padding=1, groups=128)),
    ("dilated_3x3", "conv", dict(N=8, C=64, O=64, H=56, K=3, padding=2, dilation=2)),
    ("max_pool_2x2_s2", "max_pool", dict(N=16, C=64, H=112, K=2, stride=2)),
    ("max_pool_3x3_s2", "max_pool", dict(N=16, C=64, H=112, K=3, stride=2)),
    ("avg_pool_2x2", "avg_pool", dict(N=16, C=64, H=112, K=2, stride=2)),
]


def _conv_args(p):
    return dict(
        stride=p.get("stride", 1), padding=p.get("padding", 0), dilation=p.get("dilation", 1), groups=p.get("groups", 1)
    )


def _out(h, k, s=1, p=0, d=1):
    return (h + 2 * p - d * (k - 1) - 1) // s + 1


def make_inputs(kind, p, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((p["N"], p["C"], p["H"], p["H"]), dtype=np.float32)
    if kind != "conv":
        return x, None, None
    w = rng.standard_normal((p["O"], p["C"] // p.get("groups", 1), p["K"], p["K"]), dtype=np.float32)
    w *= 1.0 / math.sqrt(w[0].size)
    b = rng.standard_normal(p["O"], dtype=np.float32)
    return x, w, b


def work(kind, p):
    """FLOPs of one forward (convs) or bytes one forward moves (pools)."""
    if kind == "conv":
        a = _conv_args(p)
        oh = _out(p["H"], p["K"], a["stride"], a["padding"], a["dilation"])
        return 2.0 * p["N"] * p["O"] * oh * oh * (p["C"] // a["groups"]) * p["K"] ** 2
    oh = _out(p["H"], p["K"], p["stride"])
    return 4.0 * p["N"] * p["C"] * (p["H"] ** 2 + oh * oh)


# ------------------------------------------------------------------------------------------
# the two frameworks, each as make(kind, p) -> (forward, forward_backward) closures


def torch_runner(kind, p):
    import torch
    import torch.nn.functional as TF

    x, w, b = (None if a is None else torch.from_numpy(a) for a in make_inputs(kind, p))
    if kind == "conv":
        a = _conv_args(p)

        def op(x_, w_, b_):
            return TF.conv2d(x_, w_, b_, **a)

        args = (x, w, b)
    elif kind == "max_pool":

        def op(x_):
            return TF.max_pool2d(x_, p["K"], p["stride"])

        args = (x,)
    else:

        def op(x_):
            return TF.avg_pool2d(x_, p["K"], p["stride"])

        args = (x,)
    with torch.no_grad():
        gy = torch.ones_like(op(*args))
    leaves = [a.clone().requires_grad_(True) for a in args]

    def forward():
        with torch.no_grad():
            return op(*args)

    def forward_backward():
        for leaf in leaves:
            leaf.grad = None
        op(*leaves).backward(gy)

    return forward, forward_backward


def minigrad_runner(kind, p, impl):
    x, w, b = make_inputs(kind, p)
    if impl == "kernels":
        return _kernel_runner(kind, p, x, w, b)
    import minigrad
    import minigrad.nn.functional as F

    if kind == "conv":
        a = _conv_args(p)

        def op(x_, w_, b_):
            return F.conv2d(x_, w_, b_, **a)

        args = (x, w, b)
    elif kind == "max_pool":

        def op(x_):
            return F.max_pool2d(x_, p["K"], p["stride"])

        args = (x,)
    else:

        def op(x_):
            return F.avg_pool2d(x_, p["K"], p["stride"])

        args = (x,)
    plain = [minigrad.tensor(a) for a in args]
    leaves = [minigrad.tensor(a, requires_grad=True) for a in args]
    with minigrad.no_grad():
        gy = minigrad.ones_like(op(*plain))

    def forward():
        with minigrad.no_grad():
            return op(*plain)

    def forward_backward():
        for leaf in leaves:
            leaf.grad = None
        op(*leaves).backward(gy)

    return forward, forward_backward


def _kernel_runner(kind, p, x, w, b):
    from minigrad_core import conv, pool

    if kind == "conv":
        a = _conv_args(p)
        s, pd, d, g = ((a["stride"],) * 2, (a["padding"],) * 2, (a["dilation"],) * 2, a["groups"])
        oh = _out(p["H"], p["K"], s[0], pd[0], d[0])
        shape = (p["N"], p["O"], oh, oh)

        def forward():
            y = np.empty(shape, np.float32)
            conv.conv2d_forward(x, w, b, y, s, pd, d, g)
            return y

        def forward_backward():
            y = forward()
            gy = np.ones_like(y)
            gx, gw = np.empty_like(x), np.empty_like(w)
            conv.conv_transpose2d(gy, w, None, gx, s, pd, d, g)
            conv.conv2d_backward_weight(x, gy, gw, s, pd, d, g)
            gy.sum(axis=(0, 2, 3))

        return forward, forward_backward
    k, st = (p["K"],) * 2, (p["stride"],) * 2
    oh = _out(p["H"], p["K"], p["stride"])
    shape = (p["N"], p["C"], oh, oh)
    if kind == "max_pool":

        def forward():
            y, i = np.empty(shape, np.float32), np.empty(shape, np.int64)
            pool.max_pool2d_forward(x, y, i, k, st, (0, 0), (1, 1))
            return y, i

        def forward_backward():
            y, i = forward()
            gx = np.empty_like(x)
            pool.max_pool2d_backward(np.ones_like(y), i, gx)

        return forward, forward_backward

    def forward():
        y = np.empty(shape, np.float32)
        pool.avg_pool2d_forward(x, y, k, st, (0, 0), True, 0)
        return y

    def forward_backward():
        y = forward()
        gx = np.empty_like(x)
        pool.avg_pool2d_backward(np.ones_like(y), gx, k, st, (0, 0), True, 0)

    return forward, forward_backward


# ------------------------------------------------------------------------------------------


def best_time(fn, repeat, clock=time.perf_counter):
    return best_times([fn], repeat, clock)[0]


def best_times(fns, repeat, clock=time.perf_counter):
    """The best time of each of fns over `repeat` rounds, each round running every fn once
    in turn (interleaved: a stretch of load on this shared machine hits all of them)."""
    for fn in fns:
        fn()
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = clock()
            fn()
            best[i] = min(best[i], clock() - start)
    return best


def gemm_rate(clock, repeat, threads, size=1024):
    """float32 GEMM GFLOP/s of the BLAS the kernels call (SciPy's) on `threads` threads,
    the machine's yardstick (the kernels keep it single-threaded and thread around it)."""
    from scipy.linalg.blas import sgemm
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(0)
    a = np.asfortranarray(rng.standard_normal((size, size), dtype=np.float32))
    b = np.asfortranarray(rng.standard_normal((size, size), dtype=np.float32))
    c = np.asfortranarray(np.empty((size, size), dtype=np.float32))
    with threadpool_limits(limits=threads, user_api="blas"):
        seconds = best_time(lambda: sgemm(1.0, a, b, c=c, overwrite_c=1), repeat, clock)
    return 2.0 * size**3 / seconds / 1e9


def set_threads(n):
    import torch

    from minigrad.parallel import set_num_threads

    set_num_threads(n)
    torch.set_num_threads(n)


def _status_bytes(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def memory_child(framework, name, impl):
    """Run one forward+backward in this fresh process; print its peak RSS above the RSS before."""
    kind, p = {n: (k, q) for n, k, q in WORKLOADS}[name]
    import torch  # noqa: F401  (both frameworks pay the same import)

    set_threads(1)
    make = torch_runner if framework == "torch" else (lambda k, q: minigrad_runner(k, q, impl))
    make(kind, dict(p, N=1))[1]()  # batch-1 warm-up: loads code pages and lazy state, little heap
    fwd, fwdbwd = make(kind, p)
    import gc

    gc.collect()
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # reset the peak (VmHWM) to the current resident size
    base = _status_bytes("VmRSS")
    fwdbwd()
    print(max(0, _status_bytes("VmHWM") - base))


def peak_memory(framework, name, impl):
    out = subprocess.run(
        [sys.executable, os.path.abspath(__file__), "--memory-child", framework, name, "--impl", impl],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.split()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--impl", choices=["functional", "kernels"], default="functional")
    parser.add_argument("--memory", action="store_true", help="also measure peak memory")
    parser.add_argument("--only", nargs="+", help="workload names to run")
    parser.add_argument(
        "--clock",
        choices=["auto", "wall", "cpu"],
        default="auto",
        help="auto: the calling thread's CPU time at 1 thread (robust when the "
        "machine is shared: all work then runs on that thread), wall time above",
    )
    parser.add_argument("--memory-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child[0], args.memory_child[1], args.impl)
        return
    import torch
    from threadpoolctl import threadpool_info

    blas = {i.get("internal_api"): i.get("architecture") for i in threadpool_info() if i["user_api"] == "blas"}
    print(
        f"torch {torch.__version__}; minigrad via {args.impl}; BLAS {blas}; "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE')}"
    )
    workloads = [w for w in WORKLOADS if not args.only or w[0] in args.only]
    for n in args.threads:
        set_threads(n)
        cpu = args.clock == "cpu" or (args.clock == "auto" and n == 1)
        clock = time.thread_time if cpu else time.perf_counter
        print(
            f"\n## {n} thread{'s' if n > 1 else ''}: best of {args.repeat}, "
            f"{'CPU time of the calling thread' if cpu else 'wall time'} in ms, "
            f"ratio = minigrad / PyTorch"
        )
        print(
            "| workload | fwd mg | fwd torch | fwd ratio | fwd+bwd mg | fwd+bwd torch | "
            "fwd+bwd ratio | mg rate | torch rate |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        gemm = gemm_rate(clock, max(3, args.repeat), n)
        conv_ratios, pool_ratios, gemm_share = [], [], []
        for name, kind, p in workloads:
            t_fwd, t_all = torch_runner(kind, p)
            m_fwd, m_all = minigrad_runner(kind, p, args.impl)
            tf, ta, mf, ma = best_times([t_fwd, t_all, m_fwd, m_all], args.repeat, clock)
            amount = work(kind, p)
            if kind == "conv":
                conv_ratios.append(ma / ta)
                unit, rate_m, rate_t = "GFLOP/s", 3 * amount / ma / 1e9, 3 * amount / ta / 1e9
                gemm_share.append((name, rate_m / gemm))
            else:
                pool_ratios.append(ma / ta)
                unit, rate_m, rate_t = "GB/s", 2 * amount / ma / 1e9, 2 * amount / ta / 1e9
            print(
                f"| {name} | {mf * 1e3:.2f} | {tf * 1e3:.2f} | {mf / tf:.2f} | {ma * 1e3:.2f} | "
                f"{ta * 1e3:.2f} | {ma / ta:.2f} | {rate_m:.1f} {unit} | {rate_t:.1f} {unit} |",
                flush=True,
            )
        if conv_ratios:
            geo = math.exp(sum(math.log(r) for r in conv_ratios) / len(conv_ratios))
            print(f"\nconv fwd+bwd ratio: geometric mean {geo:.2f}, max {max(conv_ratios):.2f}")
        if pool_ratios:
            print(f"pool fwd+bwd ratio: max {max(pool_ratios):.2f}")
        print(
            f"float32 GEMM (SciPy's BLAS, 1024^3, {n} thread{'s' if n > 1 else ''}): {gemm:.1f} GFLOP/s; "
            f"conv fwd+bwd rate as a share of it: " + ", ".join(f"{n} {share:.0%}" for n, share in gemm_share)
        )
    if args.memory:
        print("\n## peak memory of one forward+backward (MB above the process baseline, 1 thread)")
        print("| workload | minigrad | PyTorch | ratio |")
        print("|---|---:|---:|---:|")
        for name, _, _ in workloads:
            m, t = peak_memory("minigrad", name, args.impl), peak_memory("torch", name, args.impl)
            print(f"| {name} | {m / 2**20:.1f} | {t / 2**20:.1f} | {m / max(t, 1):.2f} |", flush=True)


if __name__ == "__main__":
    main()
