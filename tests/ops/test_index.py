"""Indexing (basic, integer arrays, boolean masks) through ``opcheck.check``; repeated indices
accumulate their gradients."""

import numpy as np
import pytest
from opcheck import MASK, A, N, case, check

import minigrad

# ---- indexing ---------------------------------------------------------------------------


INDEXING = [
    case("int", lambda a: a[1], lambda a: a[1], N(3, 4)),
    case("neg_int", lambda a: a[-1, -2], lambda a: a[-1, -2], N(3, 4)),
    case("slice", lambda a: a[1:], lambda a: a[1:], N(3, 4)),
    case("slice_step", lambda a: a[:, ::2], lambda a: a[:, ::2], N(3, 4)),
    case("slice_both", lambda a: a[0:2, 1:3], lambda a: a[0:2, 1:3], N(3, 4)),
    case("ellipsis", lambda a: a[..., 1], lambda a: a[..., 1], N(2, 3, 4)),
    case("none", lambda a: a[None, :, None], lambda a: a[None, :, None], N(3, 4)),
    case("int_list", lambda a: a[[0, 2]], lambda a: a[[0, 2]], N(3, 4)),
    case("int_list_repeats", lambda a: a[[0, 0, 2, 0]], lambda a: a[[0, 0, 2, 0]], N(3, 4)),
    case("int_tensor", lambda a: a[minigrad.tensor([2, 1, 2])], lambda a: a[[2, 1, 2]], N(3, 4)),
    case("int_arrays_pair", lambda a: a[[0, 1, 0], [3, 3, 3]], lambda a: a[[0, 1, 0], [3, 3, 3]], N(3, 4)),
    case(
        "int_array_2d", lambda a: a[minigrad.tensor([[0, 1], [1, 1]])], lambda a: a[np.array([[0, 1], [1, 1]])], N(3, 4)
    ),
    case("int_array_and_slice", lambda a: a[[2, 0], 1:], lambda a: a[[2, 0], 1:], N(3, 4)),
    case("slice_and_int_array", lambda a: a[:, [3, 0, 3]], lambda a: a[:, [3, 0, 3]], N(3, 4)),
    case("bool_mask", lambda a: a[minigrad.tensor(MASK)], lambda a: a[MASK], N(3, 4)),
    case("bool_rows", lambda a: a[minigrad.tensor([True, False, True])], lambda a: a[[True, False, True]], N(3, 4)),
    case("bool_from_comparison", lambda a: a[a > 0], lambda a: a[a > 0], A(3, 4)),
]


@pytest.mark.parametrize("fn, ref, inputs, kwargs", INDEXING)
def test_indexing(fn, ref, inputs, kwargs):
    check(fn, ref, *inputs, **kwargs)


def test_repeated_integer_index_accumulates_gradient():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 0, 2, 0]].sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 1.0]


def test_basic_indexing_is_a_view():
    x = minigrad.tensor(N(3, 4))
    assert np.shares_memory(x[1:, ::2]._array, x._array)
    assert not np.shares_memory(x[[0, 1]]._array, x._array)


def test_index_out_of_range():
    x = minigrad.zeros(2, 3)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 1 with size 3"):
        x[0, 5]
    with pytest.raises(IndexError, match="too many indices for tensor of dimension 2"):
        x[0, 0, 0]
