"""
Benchmarks, and how to read them
================================

``bench/`` holds side-by-side benchmarks: each script runs minigrad and a reference
(PyTorch, which the ``docs`` extra installs, and for the tape's overhead also a
hand-written numpy tape) in one process, on the same inputs, and prints times and the
ratio ``minigrad / reference``. This page runs two of
them at tiny sizes, so that the build stays fast, and explains what the columns mean.
Numbers here come from whatever machine built the page, possibly busy with other work:
read the ratios, not the absolute times, and rerun at full size before concluding.

=========================  =================================================================
script                     what it measures
=========================  =================================================================
``bench_overhead.py``      the per-op cost of the tape: a chain of tiny ops, forward + backward
``bench_conv.py``          convolution and pooling kernels (LeNet, AlexNet, VGG, ResNet shapes)
``bench_train.py``         one full training step of LeNet-5, a CIFAR ResNet-18 and AlexNet
=========================  =================================================================
"""

import os
import subprocess
import sys
from pathlib import Path

import minigrad

# the repository root: the first folder up from here that holds bench/ (run this from
# inside the checkout, as the docs build does)
ROOT = next((d for d in [Path.cwd(), *Path.cwd().parents] if (d / "bench" / "bench_conv.py").is_file()), None)
if ROOT is None:
    raise SystemExit("run this tutorial from inside a minigrad checkout (it runs the scripts in bench/)")
BENCH = ROOT / "bench"
# the benchmarks import the minigrad of this checkout
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))


def run(script, *args):
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *args], env=ENV, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    if result.returncode != 0:
        raise RuntimeError(f"{script} failed:\n{result.stderr}")
    print(result.stdout.strip())


# %%
# Framework overhead
# ------------------
# A chain of ``(x * b + c).relu()`` on 10-element tensors, then ``sum().backward()``.
# The arithmetic is nothing; what is measured is the cost of recording one op on the
# tape (creating the node, saving inputs) and of running its backward: the time per op
# in microseconds. The numpy row is a hand-written tape with no framework at all, a
# floor for any Python implementation; PyTorch's row (when installed) is C++ dispatch.
run("bench_overhead.py", "--length", "300", "--repeats", "5")

# %%
# How to read it: a ratio to PyTorch of 2 means minigrad spends twice PyTorch's time per
# op on tiny tensors. On real layers the kernels dominate and the overhead disappears
# in the noise; a chain of 100-element ops is where it shows.
#
# Convolution and pooling kernels
# -------------------------------
# ``bench_conv.py`` times forward and forward + backward of each workload, best of
# ``--repeat`` runs after a warm-up, at each thread count in ``--threads``. It needs
# PyTorch as the reference, which the ``docs`` extra installs (``torch==2.13.0``, the
# CPU build the tests compare against). Here, two LeNet-sized convolutions on one thread:
run("bench_conv.py", "--only", "lenet_conv1", "lenet_conv2", "--repeat", "3", "--threads", "1")

# %%
# The columns:
#
# * **fwd mg / fwd torch**: milliseconds for the forward pass of each framework; at one
#   thread the clock is the CPU time of the calling thread, so other processes on the
#   machine count against neither, and at two threads it is wall time. **fwd ratio** is
#   minigrad's time divided by PyTorch's: below 1, minigrad is faster.
# * **fwd+bwd**: forward and backward together, with every input requiring grad, so
#   both the input gradient (the flipped-kernel convolution) and the weight gradient
#   (the cross-correlation) are computed, in both frameworks.
# * **rate**: useful work per second, GFLOP/s for convolutions (2 FLOPs per mult-add,
#   forward plus the two gradients) and GB/s for pooling. Compared with the machine's
#   GEMM rate, printed at the end, it says how close a kernel comes to the hardware.
# * the **geometric mean** of the ratios summarizes a set of workloads without letting
#   one large ratio dominate.
#
# Things that move the numbers: threads (``--threads 1 2``, or
# :func:`minigrad.set_num_threads`), the BLAS build (the script prints which kernel
# OpenBLAS chose; an ``OPENBLAS_CORETYPE`` forced for old processors slows a current
# one), and other work on the machine (compare ratios from one run, never times from
# two).
print("kernel threads:", minigrad.get_num_threads())

# %%
# Full runs
# ---------
# The full-size commands, from the repository root (each takes minutes; add
# ``--memory`` to ``bench_conv.py`` for peak memory per workload, measured in a fresh
# process per framework)::
#
#     python bench/bench_overhead.py
#     python bench/bench_conv.py --threads 1 2
#     python bench/bench_train.py --steps 5
#
# The kernel authors' full results, with how they were measured, are in
# :doc:`/kernels`; the overhead of the tape and the engine's hot path are discussed in
# :doc:`/architecture`.
