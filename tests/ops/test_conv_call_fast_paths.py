"""conv2d's fast paths, in F.conv2d (ints or pairs of ints, a batched float input) and in
the kernel's entry point (exact arrays, tuples of small ints): the same output as the
general path gives for equal arguments of other types, and every call they decline still
raises the general path's error."""

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad_core import conv


def test_hyper_parameters_as_ints_pairs_lists_and_numpy_ints_agree():
    x, w, b = minigrad.randn(2, 4, 9, 8), minigrad.randn(6, 2, 3, 2), minigrad.randn(6)
    plain = F.conv2d(x, w, b, 2, 1, 1, 2).numpy()
    for stride, padding, dilation, groups in [
        ((2, 2), (1, 1), (1, 1), 2),
        ([2, 2], [1, 1], [1, 1], 2),
        (np.int64(2), (1, np.int32(1)), 1, np.int64(2)),
    ]:
        np.testing.assert_array_equal(F.conv2d(x, w, b, stride, padding, dilation, groups).numpy(), plain)


def test_unbatched_and_one_dimensional_calls_take_the_general_path_and_agree():
    x, w = minigrad.randn(3, 7, 7), minigrad.randn(4, 3, 3, 3)
    np.testing.assert_array_equal(F.conv2d(x, w, padding=1).numpy(), F.conv2d(x[None], w, padding=1)[0].numpy())
    x1, w1 = minigrad.randn(2, 3, 9), minigrad.randn(4, 3, 3)
    np.testing.assert_allclose(
        F.conv1d(x1, w1).numpy(), F.conv2d(x1[:, :, None], w1[:, :, None]).numpy()[:, :, 0], rtol=1e-6
    )


@pytest.mark.parametrize(
    "args, error, message",
    [
        (dict(stride=0), RuntimeError, "non-positive stride is not supported"),
        (dict(padding=-1), RuntimeError, "negative padding is not supported"),
        (
            dict(dilation=(1, 0)),
            RuntimeError,
            "dilation should be greater than zero, but got dilationH: 1 dilationW: 0",
        ),
        (dict(groups=0), RuntimeError, "non-positive groups is not supported"),
        (dict(groups=2), RuntimeError, "Given groups=2, weight of size"),
        (dict(stride=True), TypeError, "stride"),
        (dict(padding=(1, 2, 3)), RuntimeError, "expected padding to be a single int or a tuple of 2 ints"),
        (dict(weight=(4, 3, 9, 9)), RuntimeError, "Kernel size can't be greater than actual input size"),
        (
            dict(weight_dtype=np.float64),
            RuntimeError,
            r"Input type \(float\) and weight type \(double\) should be the same",
        ),
        (dict(bias=5), RuntimeError, "expected bias to be 1-dimensional with 4 elements, but got bias of size"),
        (dict(input=(2, 3, 0, 5)), RuntimeError, "Only zero batch or zero channel inputs are supported"),
    ],
)
def test_calls_off_the_fast_path_raise_the_general_errors(args, error, message):
    x = minigrad.randn(*args.pop("input", (2, 3, 7, 7)))
    w = minigrad.tensor(np.ones(args.pop("weight", (4, 3, 3, 3)), args.pop("weight_dtype", np.float32)))
    bias = args.pop("bias", None)
    b = None if bias is None else minigrad.zeros(bias)
    with pytest.raises(error, match=message):
        F.conv2d(x, w, b, **args)


def test_integer_inputs_are_refused_as_before():
    with pytest.raises(NotImplementedError):
        F.conv2d(minigrad.ones(1, 1, 3, 3, dtype=minigrad.int64), minigrad.ones(1, 1, 2, 2, dtype=minigrad.int64))


# ---- the kernel's entry point -------------------------------------------------------------


def _arrays(dtype=np.float32):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4, 7, 6)).astype(dtype)
    w = rng.standard_normal((6, 2, 3, 3)).astype(dtype)
    b = rng.standard_normal(6).astype(dtype)
    return x, w, b, np.empty((2, 6, 4, 6), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kernel_fast_and_general_arguments_give_the_same_output(dtype):
    x, w, b, out = _arrays(dtype)
    conv.conv2d_forward(x, w, b, out, (2, 1), (1, 1), (1, 1), 2)
    again = np.empty_like(out)
    conv.conv2d_forward(x, w, b, again, [2, 1], (np.int64(1), 1), [1, 1], np.int64(2))
    np.testing.assert_array_equal(out, again)


def _kernel_error(**change):
    x, w, b, out = _arrays()
    args = dict(x=x, weight=w, bias=b, out=out, stride=(2, 1), padding=(1, 1), dilation=(1, 1), groups=2)
    args.update(change)
    with pytest.raises((TypeError, ValueError)) as info:
        conv.conv2d_forward(*args.values())
    return type(info.value).__name__, str(info.value)


@pytest.mark.parametrize(
    "change, expected",
    [
        (
            dict(x=np.zeros((2, 4, 7, 6), ">f4")),
            ("TypeError", "conv2d_forward: x must be float32 or float64, but got >f4"),
        ),
        (
            dict(weight=np.zeros((6, 2, 3, 3))),
            ("TypeError", "conv2d_forward: weight must have the dtype of x (float32), but got float64"),
        ),
        (
            dict(out=np.empty((2, 6, 4, 5), np.float32)),
            ("ValueError", "conv2d_forward: the output-side buffer must be (2, 6, 4, 6), but got (2, 6, 4, 5)"),
        ),
        (
            dict(out=np.empty((2, 6, 6, 4), np.float32).transpose(0, 1, 3, 2)),
            ("ValueError", "conv2d_forward: out must be C-contiguous"),
        ),
        (dict(bias=np.zeros(5, np.float32)), ("ValueError", "conv2d_forward: bias must be (6,), but got (5,)")),
        (
            dict(bias=np.zeros(6)),
            ("TypeError", "conv2d_forward: bias must have the dtype of x (float32), but got float64"),
        ),
        (
            dict(groups=3),
            ("ValueError", "conv2d_forward: weight (6, 2, 3, 3) does not fit input (2, 4, 7, 6) with groups=3"),
        ),
        (dict(stride=(0, 1)), ("ValueError", "conv2d_forward: stride[0] must be at least 1, but got 0")),
        (dict(padding=(1,)), ("ValueError", "conv2d_forward: expected padding to be a tuple of 2 ints, but got (1,)")),
        (dict(dilation=(1, True)), ("TypeError", "conv2d_forward: dilation[1] must be an int, but got bool True")),
        (dict(groups=2.0), ("TypeError", "conv2d_forward: groups must be an int, but got float 2.0")),
        (dict(padding=(9, 1), out=np.empty((2, 6, 12, 6), np.float32)), None),
    ],
)
def test_kernel_arguments_off_the_fast_path_raise_the_general_errors(change, expected):
    if expected is None:  # a valid call the fast path also takes
        x, w, b, out = _arrays()
        conv.conv2d_forward(x, w, b, change["out"], (2, 1), change["padding"], (1, 1), 2)
        return
    assert _kernel_error(**change) == expected


def test_kernel_refuses_a_read_only_output():
    x, w, b, out = _arrays()
    out.flags.writeable = False
    assert _kernel_error(out=out) == ("ValueError", "conv2d_forward: out is read-only; the kernel writes into it")
