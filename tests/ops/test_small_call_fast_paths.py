"""The fast paths of per-call argument handling (pool windows given as plain ints or
tuples, flatten's dims, kernel outputs from minigrad_core._check.empty) give what the
general path gives, and the arguments they decline raise the general path's errors."""

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad_core import _check


@pytest.mark.parametrize("op", [F.avg_pool2d, F.max_pool2d])
def test_pool_windows_as_ints_tuples_lists_and_numpy_ints_agree(op):
    x = minigrad.randn(2, 3, 9, 8)
    plain = op(x, 3, 2, 1).numpy()
    for kernel_size, stride, padding in [
        ((3, 3), (2, 2), (1, 1)),
        ([3, 3], [2, 2], [1, 1]),
        (np.int64(3), 2, (1, np.int32(1))),
    ]:
        np.testing.assert_array_equal(op(x, kernel_size, stride, padding).numpy(), plain)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(kernel_size=0), "kernel size should be greater than zero, but got kH: 0 kW: 0"),
        (dict(kernel_size=2, stride=(1, 0)), "stride should be greater than zero, but got dH: 1 dW: 0"),
        (dict(kernel_size=2, padding=-1), "avg_pool2d: padding must be non-negative, but got padH: -1 padW: -1"),
        (dict(kernel_size=2, padding=2), "pad should be at most half of effective kernel size"),
        (dict(kernel_size=20), "Output size is too small"),
    ],
)
def test_pool_windows_the_fast_path_declines_raise_as_before(kwargs, message):
    with pytest.raises(RuntimeError, match=message):
        F.avg_pool2d(minigrad.randn(1, 2, 6, 6), **kwargs)


def test_pool_input_checks_keep_their_messages():
    with pytest.raises(
        RuntimeError,
        match=r"non-empty 3D or 4D \(batch mode\) tensor expected for input, but got input of size: \[1, 0, 4, 4\]",
    ):
        F.max_pool2d(minigrad.zeros(1, 0, 4, 4), 2)
    with pytest.raises(RuntimeError, match=r"but got input of size: \[4, 4\]"):
        F.avg_pool2d(minigrad.zeros(4, 4), 2)
    assert F.avg_pool2d(minigrad.ones(2, 4, 4), 2).shape == (2, 2, 2)


@pytest.mark.parametrize("shape", [(2, 3, 4), (0, 3, 4), (2, 0, 4), (5,), (1, 1, 1, 1)])
@pytest.mark.parametrize("dims", [(0, -1), (1, -1), (0, 1), (-2, -1), (1, 1)])
def test_flatten_matches_pytorch_zero_sizes_included(torch, shape, dims):
    try:
        expected = tuple(torch.zeros(*shape).flatten(*dims).shape)
    except (IndexError, RuntimeError) as e:
        with pytest.raises(type(e)):
            minigrad.zeros(*shape).flatten(*dims)
    else:
        assert tuple(minigrad.zeros(*shape).flatten(*dims).shape) == expected


def test_flatten_with_nothing_to_merge_returns_the_input_and_records_otherwise():
    x = minigrad.randn(2, 3, requires_grad=True)
    assert x.flatten(1) is x
    y = x.flatten()
    assert y.shape == (6,) and type(y.grad_fn).__name__ == "ViewBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones((2, 3), np.float32))


@pytest.mark.parametrize(
    "dims, error, message",
    [
        ((5, -1), IndexError, r"Dimension out of range \(expected to be in range of \[-3, 2\], but got 5\)"),
        ((2, 0), RuntimeError, "start_dim cannot come after end_dim"),
        ((np.int64(1), -1), None, None),
    ],
)
def test_flatten_dims_off_the_fast_path(dims, error, message):
    x = minigrad.zeros(2, 3, 4)
    if error is None:
        assert x.flatten(*dims).shape == (2, 12)
    else:
        with pytest.raises(error, match=message):
            x.flatten(*dims)


def test_kernel_outputs_refuse_impossible_sizes_with_pytorchs_errors():
    assert _check.empty((2, 3), np.float32).shape == (2, 3)
    with pytest.raises(RuntimeError, match=r"Trying to create tensor with negative dimension -1: \[2, -1, -3\]"):
        _check.empty((2, -1, -3), np.float32)
    with pytest.raises(
        RuntimeError, match=r"Storage size calculation overflowed with sizes=\[4611686018427387904, 4\]"
    ):
        _check.empty((2**62, 4), np.float32)
    with pytest.raises(
        _check.AllocationError, match=r"can't allocate memory: you tried to allocate 4611686018427387904 bytes"
    ):
        _check.empty((2**60,), np.float32)
