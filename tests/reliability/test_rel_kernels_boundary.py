"""Every public kernel function of minigrad_core refuses malformed arguments (issue 11,
item 1): short and long tuples, non-int and out-of-range values, wrong dtypes, mixed
float types, non-contiguous and read-only buffers, wrong shapes.

Each function's cases run in one child process, so a crash (SIGSEGV, SIGFPE) or a hang
fails the test instead of killing pytest. A valid call is mutated one argument at a
time; each mutation must raise TypeError or ValueError, or, for the few that are valid
(padding 0, a numpy int, a read-only input), run.
"""

import json
import subprocess
import sys

import pytest

# Run in the child: builds the arrays of each case and reports what each call did.
CHILD = r"""
import json, sys
import numpy as np
from minigrad_core import _threads, conv, pool

def a(shape, dtype=np.float64):
    return np.ones(shape, dtype=dtype)

def idx(shape):
    return np.zeros(shape, dtype=np.int64)

def as_type(arr, dtype):
    return None if arr is None else arr.astype(dtype)

def noncontig(arr):
    wide = np.zeros(arr.shape[:-1] + (2 * arr.shape[-1],), dtype=arr.dtype)
    view = wide[..., ::2]
    view[...] = arr
    return view

def readonly(arr):
    arr = arr.copy()
    arr.setflags(write=False)
    return arr

def grow(arr):
    return np.ones(arr.shape[:-1] + (arr.shape[-1] + 1,), dtype=arr.dtype)

for label, call in json.loads(sys.argv[1]):
    print(label, end="\t", flush=True)
    try:
        eval(call)
        print("ok", flush=True)
    except Exception as e:
        print(type(e).__name__, str(e).replace("\n", " "), sep="\t", flush=True)
"""

# The valid call of each function, argument by argument: (kind, expression).
VALID = {
    "conv.conv2d_forward": [
        ("in", "a((1, 2, 5, 5))"),
        ("in", "a((3, 2, 3, 3))"),
        ("opt", "a((3,))"),
        ("out", "a((1, 3, 3, 3))"),
        ("pos2", "(1, 1)"),
        ("nonneg2", "(0, 0)"),
        ("pos2", "(1, 1)"),
        ("pos", "1"),
    ],
    "conv.conv2d_backward_weight": [
        ("in", "a((1, 2, 5, 5))"),
        ("in", "a((1, 3, 3, 3))"),
        ("out", "a((3, 2, 3, 3))"),
        ("pos2", "(1, 1)"),
        ("nonneg2", "(0, 0)"),
        ("pos2", "(1, 1)"),
        ("pos", "1"),
    ],
    "conv.conv_transpose2d": [
        ("in", "a((1, 3, 3, 3))"),
        ("in", "a((3, 2, 3, 3))"),
        ("opt", "a((2,))"),
        ("out", "a((1, 2, 5, 5))"),
        ("pos2", "(1, 1)"),
        ("nonneg2", "(0, 0)"),
        ("pos2", "(1, 1)"),
        ("pos", "1"),
        ("path", "None"),
    ],
    "conv.conv_transpose2d_path": [
        ("nonneg", "1"),
        ("nonneg", "2"),
        ("nonneg", "5"),
        ("nonneg", "5"),
        ("nonneg", "3"),
        ("nonneg", "3"),
        ("nonneg", "3"),
        ("nonneg", "3"),
        ("nonneg", "3"),
        ("pos2", "(1, 1)"),
        ("nonneg2", "(0, 0)"),
        ("pos2", "(1, 1)"),
        ("pos", "1"),
    ],
    "conv.im2col": [
        ("in", "a((1, 2, 5, 5))"),
        ("out", "a((1, 18, 9))"),
        ("pos2", "(3, 3)"),
        ("pos2", "(1, 1)"),
        ("nonneg2", "(0, 0)"),
        ("pos2", "(1, 1)"),
    ],
    "conv.col2im": [
        ("in", "a((1, 18, 9))"),
        ("out", "a((1, 2, 5, 5))"),
        ("pos2", "(3, 3)"),
        ("pos2", "(1, 1)"),
        ("nonneg2", "(0, 0)"),
        ("pos2", "(1, 1)"),
    ],
    "pool.max_pool2d_forward": [
        ("in", "a((1, 2, 5, 5))"),
        ("out", "a((1, 2, 4, 4))"),
        ("idx_out", "idx((1, 2, 4, 4))"),
        ("pos2", "(2, 2)"),
        ("pos2", "(1, 1)"),
        ("nonneg2", "(0, 0)"),
        ("pos2", "(1, 1)"),
    ],
    "pool.max_pool2d_backward": [
        ("in", "a((1, 2, 4, 4))"),
        ("idx_in", "idx((1, 2, 4, 4))"),
        ("out", "a((1, 2, 5, 5))"),
    ],
    "pool.gather_planes": [("in", "a((1, 2, 5, 5))"), ("idx_in", "idx((1, 2, 4, 4))"), ("out", "a((1, 2, 4, 4))")],
    "pool.avg_pool2d_forward": [
        ("in", "a((1, 2, 5, 5))"),
        ("out", "a((1, 2, 4, 4))"),
        ("pos2", "(2, 2)"),
        ("pos2", "(1, 1)"),
        ("nonneg2", "(0, 0)"),
        ("bool", "True"),
        ("divisor", "0"),
    ],
    "pool.avg_pool2d_backward": [
        ("in", "a((1, 2, 4, 4))"),
        ("out", "a((1, 2, 5, 5))"),
        ("pos2", "(2, 2)"),
        ("pos2", "(1, 1)"),
        ("nonneg2", "(0, 0)"),
        ("bool", "True"),
        ("divisor", "0"),
    ],
    "pool.adaptive_avg_pool2d_forward": [("in", "a((1, 2, 5, 5))"), ("out", "a((1, 2, 3, 3))")],
    "pool.adaptive_avg_pool2d_backward": [("in", "a((1, 2, 3, 3))"), ("out", "a((1, 2, 5, 5))")],
    "pool.adaptive_max_pool2d_forward": [
        ("in", "a((1, 2, 5, 5))"),
        ("out", "a((1, 2, 3, 3))"),
        ("idx_out", "idx((1, 2, 3, 3))"),
    ],
    "_threads.set_num_threads": [("pos", "1")],
}

_ARRAY = ["as_type({e}, np.int32)", "as_type({e}, np.float32)", "noncontig({e})", "grow({e})", "{e}[None]",
          "{e}.tolist()", "None"]  # fmt: skip
_PAIR = ["(1,)", "()", "(1, 1, 1)", "[1]", "('a', 1)", "(1.5, 1)", "(True, 1)", "(-1, 1)", "(2**61, 1)",
         "(2**63, 1)", "None", "1", "tuple(np.int64(v) for v in {e})", "[*{e}]", "(0, 1)"]  # fmt: skip
_NUMPY_OR_LIST = {"tuple(np.int64(v) for v in {e})", "[*{e}]"}
# Mutations that may be valid or not, depending on the function: a larger array where
# sizes are free (conv_transpose2d's, the pools' output sizes), padding 1 where the output
# size is free, 2**61 where no index is formed (conv_transpose2d_path), path='winograd'
# where it fits. They must not crash.
EITHER = {"grow({e})", "(0, 1)", "(2**61, 1)", "'winograd'"}
# kind -> (mutations, those of them that are valid calls)
MUTATIONS = {
    "in": (_ARRAY + ["readonly({e})"], {"readonly({e})"}),
    "out": (_ARRAY + ["readonly({e})"], set()),
    "opt": (_ARRAY, {"None"}),
    "idx_in": (
        ["as_type({e}, np.int32)", "as_type({e}, np.float64)", "noncontig({e})", "grow({e})", "None", "readonly({e})"],
        {"readonly({e})"},
    ),  # fmt: skip
    "idx_out": (["as_type({e}, np.int32)", "noncontig({e})", "grow({e})", "None", "readonly({e})"], set()),
    "pos2": (_PAIR, _NUMPY_OR_LIST),
    "nonneg2": (_PAIR, _NUMPY_OR_LIST),
    "pos": (["0", "-1", "'a'", "1.0", "True", "2**63", "None", "np.int64(1)"], {"np.int64(1)"}),
    "nonneg": (["-1", "'a'", "1.5", "2**63", "None", "np.int64(1)"], {"np.int64(1)"}),
    "bool": (["1", "'a'", "None", "np.bool_(False)"], {"np.bool_(False)"}),
    "divisor": (["-2", "'a'", "2.5", "2**63", "None"], {"-2"}),
    "path": (["'bogus'", "'winograd'", "'depthwise'", "1", "'col2im'", "'flipped'"], {"'col2im'", "'flipped'"}),
}


def _cases(function):
    """(label, call, expected) for the valid call and each one-argument mutation of it;
    expected is "ok", "error" or "either"."""
    args = VALID[function]
    exprs = [e for _, e in args]
    cases = [("valid", f"{function}({', '.join(exprs)})", "ok")]
    for i, (kind, expr) in enumerate(args):
        mutations, valid = MUTATIONS[kind]
        for m in mutations:
            call = list(exprs)
            call[i] = m.format(e=expr)
            expected = "ok" if m in valid else "either" if m in EITHER else "error"
            cases.append((f"arg {i}: {call[i]}", f"{function}({', '.join(call)})", expected))
    return cases


def run_in_child(cases, timeout=60):
    """Run [(label, call)] in a fresh interpreter; {label: (outcome, message)} and its return code."""
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps(cases)], capture_output=True, text=True, timeout=timeout
    )
    results = {}
    for line in proc.stdout.splitlines():
        label, _, rest = line.partition("\t")
        outcome, _, message = rest.partition("\t")
        results[label] = (outcome, message)
    return results, proc


@pytest.mark.parametrize("function", sorted(VALID))
def test_kernel_entry_point_refuses_malformed_arguments_in_a_child_process(function):
    cases = _cases(function)
    results, proc = run_in_child([(label, call) for label, call, _ in cases])
    assert proc.returncode == 0, f"child died (status {proc.returncode}) after {list(results)[-1:]}: {proc.stderr}"
    for label, call, expected in cases:
        outcome, message = results[label]
        if expected == "ok":
            assert outcome == "ok", f"{call}: {outcome} {message}"
        elif expected == "error" or outcome != "ok":
            assert outcome in ("TypeError", "ValueError"), f"{call}: {outcome} {message}"
            assert message.startswith(function.split(".")[1] + ":"), message


def test_the_issue_repros_raise_with_a_clear_message():
    """conv.im2col with a 1-element kernel_size (SIGSEGV), conv2d_forward with stride=(1,)
    (SIGSEGV), max_pool2d_forward with stride=[1] (SIGFPE), a read-only output, float32
    and float64 mixed."""
    x, w, out = "a((1, 2, 5, 5))", "a((3, 2, 3, 3))", "a((1, 3, 3, 3))"
    hyper = "(1, 1), (0, 0), (1, 1), 1"
    cases = [
        ("im2col", f"conv.im2col({x}, a((1, 18, 9)), (3,), (1, 1), (0, 0), (1, 1))"),
        ("conv", f"conv.conv2d_forward({x}, {w}, None, {out}, (1,), (0, 0), (1, 1), 1)"),
        ("pool", f"pool.max_pool2d_forward({x}, a((1, 2, 4, 4)), idx((1, 2, 4, 4)), (2, 2), [1], (0, 0), (1, 1))"),
        ("readonly", f"conv.conv2d_forward({x}, {w}, None, readonly({out}), {hyper})"),
        ("mixed", f"conv.conv2d_forward(a((1, 2, 5, 5), np.float32), {w}, None, {out}, {hyper})"),
    ]
    results, proc = run_in_child(cases)
    assert proc.returncode == 0, proc.stderr
    assert results["im2col"] == ("ValueError", "im2col: expected kernel_size to be a tuple of 2 ints, but got (3,)")
    assert results["conv"] == ("ValueError", "conv2d_forward: expected stride to be a tuple of 2 ints, but got (1,)")
    assert results["pool"] == ("ValueError", "max_pool2d_forward: expected stride to be a tuple of 2 ints, but got [1]")
    assert results["readonly"] == ("ValueError", "conv2d_forward: out is read-only; the kernel writes into it")
    assert results["mixed"] == (
        "TypeError",
        "conv2d_forward: weight must have the dtype of x (float32), but got float64",
    )
