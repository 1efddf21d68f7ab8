"""Reductions (sum, mean, var, std, max, min, amax, argmax, ...) through ``opcheck.check``, over
all elements, over dims and of 0-d tensors; ties, integer inputs and the refused cases."""

import numpy as np
import pytest
from opcheck import D, N, case, check

import minigrad

# ---- reductions -------------------------------------------------------------------------

REDUCTIONS = [
    case("sum_all", lambda a: a.sum(), np.sum, N(2, 3, 4)),
    case("sum_fn", lambda a: minigrad.sum(a, 1), lambda a: a.sum(1), N(2, 3, 4)),
    case("sum_dim", lambda a: a.sum(1), lambda a: a.sum(1), N(2, 3, 4)),
    case("sum_neg_dim", lambda a: a.sum(-1), lambda a: a.sum(-1), N(2, 3, 4)),
    case("sum_dims", lambda a: a.sum((0, 2)), lambda a: a.sum((0, 2)), N(2, 3, 4)),
    case("sum_keepdim", lambda a: a.sum(1, keepdim=True), lambda a: a.sum(1, keepdims=True), N(2, 3, 4)),
    case(
        "sum_dims_keepdim", lambda a: a.sum((0, -1), keepdim=True), lambda a: a.sum((0, 2), keepdims=True), N(2, 3, 4)
    ),
    case("sum_0d", lambda a: a.sum(), np.sum, N()),
    case("mean_all", lambda a: a.mean(), np.mean, N(2, 3, 4)),
    case("mean_fn", lambda a: minigrad.mean(a, 0), lambda a: a.mean(0), N(2, 3, 4)),
    case(
        "mean_dims_keepdim", lambda a: a.mean((1, 2), keepdim=True), lambda a: a.mean((1, 2), keepdims=True), N(2, 3, 4)
    ),
    case("var_all", lambda a: a.var(), lambda a: a.var(ddof=1), N(2, 3, 4)),
    case("var_fn", lambda a: minigrad.var(a, 1), lambda a: a.var(1, ddof=1), N(2, 3, 4)),
    case("var_dim_keepdim", lambda a: a.var(1, keepdim=True), lambda a: a.var(1, ddof=1, keepdims=True), N(2, 3, 4)),
    case("var_dims", lambda a: a.var((0, 2)), lambda a: a.var((0, 2), ddof=1), N(2, 3, 4)),
    case("var_biased", lambda a: a.var(1, unbiased=False), lambda a: a.var(1), N(2, 3, 4)),
    case("var_correction", lambda a: a.var(-1, correction=0), lambda a: a.var(-1), N(2, 3, 4)),
    case("std_all", lambda a: a.std(), lambda a: a.std(ddof=1), N(2, 3, 4)),
    case("std_fn", lambda a: minigrad.std(a, 0), lambda a: a.std(0, ddof=1), N(2, 3, 4)),
    case("std_dim_keepdim", lambda a: a.std(-1, keepdim=True), lambda a: a.std(-1, ddof=1, keepdims=True), N(2, 3, 4)),
    case("std_biased", lambda a: a.std(unbiased=False), np.std, N(2, 3, 4)),
    case("max_all", lambda a: a.max(), np.max, D(2, 3, 4)),
    case("min_all", lambda a: a.min(), np.min, D(2, 3, 4)),
    case("max_fn_all", minigrad.max, np.max, D(2, 3)),
    case("max_dim", lambda a: a.max(1), lambda a: (a.max(1), a.argmax(1)), D(2, 3, 4)),
    case(
        "max_dim_keepdim",
        lambda a: a.max(-1, keepdim=True),
        lambda a: (a.max(-1, keepdims=True), a.argmax(-1)[..., None]),
        D(2, 3, 4),
    ),
    case("max_fn_dim", lambda a: minigrad.max(a, dim=0), lambda a: (a.max(0), a.argmax(0)), D(2, 3)),
    case("min_dim", lambda a: a.min(0), lambda a: (a.min(0), a.argmin(0)), D(2, 3, 4)),
    case(
        "min_dim_keepdim",
        lambda a: a.min(1, keepdim=True),
        lambda a: (a.min(1, keepdims=True), a.argmin(1)[:, None]),
        D(2, 3, 4),
    ),
    case("amax_dims", lambda a: minigrad.amax(a, (0, 2)), lambda a: a.max((0, 2)), D(2, 3, 4)),
    case("amin_keepdim", lambda a: a.amin(1, keepdim=True), lambda a: a.min(1, keepdims=True), D(2, 3, 4)),
]


@pytest.mark.parametrize("fn, ref, inputs, kwargs", REDUCTIONS)
def test_reductions(fn, ref, inputs, kwargs):
    check(fn, ref, *inputs, **kwargs)


ZERO_DIM = [
    case("sum_0d_dim0", lambda a: a.sum(0), lambda a: a, N()),
    case("sum_0d_dim_minus1_keepdim", lambda a: a.sum(-1, keepdim=True), lambda a: a, N()),
    case("mean_0d_dim0", lambda a: a.mean(0), lambda a: a, N()),
    case("amax_0d_dim0", lambda a: a.amax(0), lambda a: a, N()),
    case("logsumexp_0d", lambda a: a.logsumexp(0), lambda a: a, N()),
    case("var_0d_biased", lambda a: a.var(0, unbiased=False) + a, lambda a: a, N()),
    case("squeeze_0d_dim0", lambda a: a.squeeze(0), lambda a: a, N(), gradgrad=False),
    case("softmax_0d", lambda a: a.softmax(0), lambda a: np.ones(()), N()),
    case("max_0d_dim0", lambda a: a.max(0), lambda a: (a, np.zeros((), np.int64)), N(), gradgrad=False),
]


@pytest.mark.parametrize("fn, ref, inputs, kwargs", ZERO_DIM)
def test_reductions_of_0d_tensors_over_dim_0(fn, ref, inputs, kwargs):
    # regression: a 0-d tensor's only dims, 0 and -1, reached numpy as an axis it does not have
    check(fn, ref, *inputs, **kwargs)


def test_max_with_dim_returns_named_values_and_indices():
    x = minigrad.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]])
    result = x.max(dim=1)
    values, indices = result
    assert result.values is values and result.indices is indices
    assert values.tolist() == [5.0, 6.0] and indices.tolist() == [1, 2]
    assert indices.dtype is minigrad.int64
    values, indices = x.min(0, keepdim=True)
    assert values.tolist() == [[1.0, 2.0, 3.0]] and indices.tolist() == [[0, 1, 0]]


def test_max_over_all_ties_share_the_gradient_and_dim_picks_one():
    x = minigrad.tensor([2.0, 2.0, 1.0], requires_grad=True)
    x.max().backward()
    assert x.grad.tolist() == [0.5, 0.5, 0.0]
    y = minigrad.tensor([2.0, 2.0, 1.0], requires_grad=True)
    values, indices = y.max(0)
    values.backward()
    assert sum(y.grad.tolist()) == 1.0 and y.grad.tolist()[indices.item()] == 1.0


def test_var_of_one_element_is_nan_like_torch():
    assert np.isnan(minigrad.tensor([1.0]).var().item())
    assert minigrad.tensor([1.0]).var(unbiased=False).item() == 0.0


def test_sum_of_integers_and_bools_gives_int64():
    assert minigrad.tensor([1, 2, 3]).sum().dtype is minigrad.int64
    assert minigrad.tensor([True, True, False]).sum().item() == 2
    assert minigrad.tensor([1, 2]).sum(dtype=minigrad.float64).dtype is minigrad.float64


def test_mean_of_integers_is_refused():
    with pytest.raises(RuntimeError, match="mean\\(\\): could not infer output dtype.*Got: Int64"):
        minigrad.tensor([1, 2]).mean()


@pytest.mark.parametrize("dim, keepdim", [(None, False), (None, True), (0, False), (1, True), (-1, False)])
@pytest.mark.parametrize("op", ["argmax", "argmin"])
def test_argmax_argmin(op, dim, keepdim):
    a = D(3, 4)
    t = minigrad.tensor(a, requires_grad=True)
    out = getattr(t, op)(dim, keepdim) if dim is not None or keepdim else getattr(t, op)()
    fn_out = getattr(minigrad, op)(t, dim, keepdim)
    expected = getattr(np, op)(a, axis=dim, keepdims=keepdim)
    for result in (out, fn_out):
        assert result.dtype is minigrad.int64 and not result.requires_grad
        np.testing.assert_array_equal(result._array, expected)
