"""The pooling kernels' def entry points accept the common arguments (exact ndarrays, tuples
of plain ints) on a fast path: the same results as the general checks give for equal
arguments of other types (lists, numpy ints), and every argument the fast path declines
still raises the general checks' error."""

import numpy as np
import pytest

from minigrad_core import pool


def _x(shape=(2, 3, 7, 6), dtype=np.float32):
    return np.random.default_rng(0).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fast_and_general_arguments_give_the_same_pools(dtype):
    x = _x(dtype=dtype)
    fast = dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2))
    general = dict(kernel_size=[3, 2], stride=(np.int64(2), 1), padding=[1, 0], dilation=(1, np.int32(2)))
    results = []
    for args in (fast, general):
        out, idx = np.empty((2, 3, 4, 4), dtype), np.empty((2, 3, 4, 4), np.int64)
        pool.max_pool2d_forward(x, out, idx, *args.values())
        avg = np.empty((2, 3, 4, 5), dtype)
        window = (args["kernel_size"], args["stride"], args["padding"])
        pool.avg_pool2d_forward(x, avg, *window, True, 0 if args is fast else np.int64(0))
        results.append((out, idx, avg))
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def _error(call):
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    return type(info.value).__name__, str(info.value)


def _avg(x=None, out=None, kernel_size=(2, 2), stride=(2, 2), padding=(0, 0), count_include_pad=True, divisor=0):
    x = _x() if x is None else x
    out = np.empty((2, 3, 3, 3), np.float32) if out is None else out
    return lambda: pool.avg_pool2d_forward(x, out, kernel_size, stride, padding, count_include_pad, divisor)


@pytest.mark.parametrize(
    "call, expected",
    [
        (_avg(x=_x().tolist()), ("TypeError", "avg_pool2d_forward: x must be a numpy array, but got list")),
        (
            _avg(x=_x(dtype=np.float16)),
            ("TypeError", "avg_pool2d_forward: x must be float32 or float64, but got float16"),
        ),
        (_avg(x=_x().astype(">f4")), ("TypeError", "avg_pool2d_forward: x must be float32 or float64, but got >f4")),
        (_avg(x=_x()[..., ::2]), ("ValueError", "avg_pool2d_forward: x must be C-contiguous")),
        (_avg(x=_x()[0]), ("ValueError", "avg_pool2d_forward: x must be 4-D, but got shape (3, 7, 6)")),
        (
            _avg(out=np.empty((2, 3, 3, 3), np.float64)),
            ("TypeError", "avg_pool2d_forward: out must have the dtype of x (float32), but got float64"),
        ),
        (
            _avg(out=np.empty((2, 2, 3, 3), np.float32)),
            ("ValueError", "avg_pool2d_forward: x (2, 3, 7, 6) and out (2, 2, 3, 3) differ in batch or channels"),
        ),
        (
            _avg(kernel_size=(2,)),
            ("ValueError", "avg_pool2d_forward: expected kernel_size to be a tuple of 2 ints, but got (2,)"),
        ),
        (_avg(stride=(0, 2)), ("ValueError", "avg_pool2d_forward: stride[0] must be at least 1, but got 0")),
        (_avg(padding=(0, -1)), ("ValueError", "avg_pool2d_forward: padding[1] must be at least 0, but got -1")),
        (
            _avg(kernel_size=(True, 2)),
            ("TypeError", "avg_pool2d_forward: kernel_size[0] must be an int, but got bool True"),
        ),
        (
            _avg(stride=(2, 2**62)),
            ("ValueError", "avg_pool2d_forward: stride[1] must be less than 2**62, but got 4611686018427387904"),
        ),
        (
            _avg(count_include_pad=1),
            ("TypeError", "avg_pool2d_forward: count_include_pad must be a bool, but got 1"),
        ),
        (_avg(divisor=2.0), ("TypeError", "avg_pool2d_forward: divisor_override must be an int, but got float 2.0")),
    ],
)
def test_arguments_off_the_fast_path_raise_the_general_errors(call, expected):
    assert _error(call) == expected


def test_read_only_outputs_and_indices_are_refused():
    x = _x()
    out, idx = np.empty((2, 3, 3, 3), np.float32), np.empty((2, 3, 3, 3), np.int64)
    out.flags.writeable = False
    assert _error(lambda: pool.max_pool2d_forward(x, out, idx, (2, 2), (2, 2), (0, 0), (1, 1))) == (
        "ValueError",
        "max_pool2d_forward: out is read-only; the kernel writes into it",
    )
    out.flags.writeable = True
    idx.flags.writeable = False
    assert _error(lambda: pool.max_pool2d_forward(x, out, idx, (2, 2), (2, 2), (0, 0), (1, 1))) == (
        "ValueError",
        "max_pool2d_forward: indices is read-only; the kernel writes into it",
    )


def test_indices_of_another_shape_or_dtype_are_refused():
    x, out = _x(), np.empty((2, 3, 3, 3), np.float32)
    wrong_shape, wrong_dtype = np.empty((2, 3, 3, 2), np.int64), np.empty((2, 3, 3, 3), np.int32)
    window = ((2, 2), (2, 2), (0, 0), (1, 1))
    assert _error(lambda: pool.max_pool2d_forward(x, out, wrong_shape, *window)) == (
        "ValueError",
        "max_pool2d_forward: indices must be (2, 3, 3, 3), but got (2, 3, 3, 2)",
    )
    assert _error(lambda: pool.max_pool2d_forward(x, out, wrong_dtype, *window))[0] == "TypeError"


def test_huge_windows_take_the_span_check():
    x, out = _x(), np.empty((2, 3, 2, 1), np.float32)
    kind, message = _error(lambda: pool.avg_pool2d_forward(x, out, (2, 2), (2**61, 1), (0, 0), True, 0))
    assert kind == "ValueError" and "more than 2**62" in message
