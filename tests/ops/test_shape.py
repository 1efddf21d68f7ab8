"""Shape ops (reshape, view, transpose, permute, squeeze, expand, ...) and joining and splitting
(cat, stack, split, chunk) through ``opcheck.check``; views sharing memory."""

import numpy as np
import pytest
from opcheck import N, case, check

import minigrad

# ---- shape ops --------------------------------------------------------------------------

SHAPE = [
    case("reshape", lambda a: a.reshape(3, 4), lambda a: a.reshape(3, 4), N(2, 6)),
    case("reshape_tuple", lambda a: a.reshape((4, -1)), lambda a: a.reshape(4, -1), N(2, 6)),
    case("reshape_fn", lambda a: minigrad.reshape(a, (-1,)), lambda a: a.reshape(-1), N(2, 6)),
    case("view", lambda a: a.view(6, 2), lambda a: a.reshape(6, 2), N(2, 6)),
    case("view_infer", lambda a: a.view(-1, 3), lambda a: a.reshape(-1, 3), N(2, 6)),
    case("view_as", lambda a: a.view_as(minigrad.zeros(3, 4)), lambda a: a.reshape(3, 4), N(2, 6)),
    case("flatten", lambda a: a.flatten(), lambda a: a.reshape(-1), N(2, 3, 4)),
    case("flatten_from_1", lambda a: minigrad.flatten(a, 1), lambda a: a.reshape(2, -1), N(2, 3, 4)),
    case("flatten_range", lambda a: a.flatten(0, 1), lambda a: a.reshape(6, 4), N(2, 3, 4)),
    case("transpose", lambda a: a.transpose(0, 2), lambda a: a.swapaxes(0, 2), N(2, 3, 4)),
    case("transpose_fn_neg", lambda a: minigrad.transpose(a, -1, -2), lambda a: a.swapaxes(-1, -2), N(2, 3, 4)),
    case("permute", lambda a: a.permute(2, 0, 1), lambda a: a.transpose(2, 0, 1), N(2, 3, 4)),
    case("permute_tuple", lambda a: minigrad.permute(a, (1, 2, 0)), lambda a: a.transpose(1, 2, 0), N(2, 3, 4)),
    case("T_2d", lambda a: a.T, lambda a: a.T, N(2, 3)),
    case("T_3d", lambda a: a.T, lambda a: a.transpose(2, 1, 0), N(2, 3, 4)),
    case("t", lambda a: a.t(), lambda a: a.T, N(2, 3)),
    case("mT", lambda a: a.mT, lambda a: a.swapaxes(-1, -2), N(2, 3, 4)),
    case("squeeze_all", lambda a: a.squeeze(), lambda a: a.squeeze(), N(2, 1, 3, 1)),
    case("squeeze_dim", lambda a: a.squeeze(1), lambda a: a.squeeze(1), N(2, 1, 3, 1)),
    case("squeeze_neg_dim", lambda a: minigrad.squeeze(a, -1), lambda a: a.squeeze(-1), N(2, 1, 3, 1)),
    case("squeeze_non_one", lambda a: a.squeeze(0), lambda a: a, N(2, 1, 3)),
    case("unsqueeze", lambda a: a.unsqueeze(0), lambda a: a[None], N(2, 3)),
    case("unsqueeze_neg", lambda a: minigrad.unsqueeze(a, -1), lambda a: a[..., None], N(2, 3)),
    case("unsqueeze_mid", lambda a: a.unsqueeze(1), lambda a: a[:, None], N(2, 3)),
    case("expand", lambda a: a.expand(2, 3, 4), lambda a: np.broadcast_to(a, (2, 3, 4)), N(3, 1)),
    case("expand_keep", lambda a: a.expand(-1, 4), lambda a: np.broadcast_to(a, (3, 4)), N(3, 1)),
    case("expand_fn_tuple", lambda a: minigrad.expand(a, (5, 2, 3)), lambda a: np.broadcast_to(a, (5, 2, 3)), N(2, 3)),
    case("expand_as", lambda a: a.expand_as(minigrad.zeros(2, 4, 3)), lambda a: np.broadcast_to(a, (2, 4, 3)), N(1, 3)),
    case("contiguous_after_T", lambda a: a.T.contiguous().view(-1), lambda a: a.T.reshape(-1), N(2, 3)),
    case("clone", lambda a: a.clone(), lambda a: a.copy(), N(2, 3)),
]


@pytest.mark.parametrize("fn, ref, inputs, kwargs", SHAPE)
def test_shape_ops(fn, ref, inputs, kwargs):
    check(fn, ref, *inputs, **kwargs)


def test_views_share_memory_and_reshape_of_same_shape_returns_self():
    x = minigrad.tensor(N(2, 6))
    for v in (x.view(3, 4), x.reshape(12), x.transpose(0, 1), x.unsqueeze(0), x[0], x.expand(3, 2, 6)):
        assert np.shares_memory(v._array, x._array)
    assert x.reshape(2, 6) is x


def test_view_of_a_non_contiguous_tensor_is_refused():
    x = minigrad.tensor(N(2, 3)).T
    with pytest.raises(RuntimeError, match="view size is not compatible with input tensor's size and stride"):
        x.view(6)
    assert x.reshape(6).shape == (6,)


def test_expand_gradient_sums_over_the_expanded_dims():
    x = minigrad.tensor([[1.0], [2.0]], requires_grad=True)
    y = x.expand(3, 2, 4)
    (y * minigrad.arange(4.0)).sum().backward()
    assert x.grad.shape == (2, 1)
    assert x.grad.tolist() == [[18.0], [18.0]]


# ---- cat, stack, split, chunk -----------------------------------------------------------

JOIN = [
    case("cat_0", lambda a, b: minigrad.cat([a, b]), lambda a, b: np.concatenate([a, b]), N(2, 3), N(1, 3)),
    case("cat_1", lambda a, b: minigrad.cat((a, b), 1), lambda a, b: np.concatenate([a, b], 1), N(2, 3), N(2, 2)),
    case(
        "cat_neg",
        lambda a, b, c: minigrad.cat([a, b, c], dim=-1),
        lambda a, b, c: np.concatenate([a, b, c], -1),
        N(2, 1),
        N(2, 3),
        N(2, 2),
    ),
    case("cat_same_twice", lambda a: minigrad.cat([a, a]), lambda a: np.concatenate([a, a]), N(2, 3)),
    case("stack_0", lambda a, b: minigrad.stack([a, b]), lambda a, b: np.stack([a, b]), N(2, 3), N(2, 3)),
    case("stack_last", lambda a, b: minigrad.stack([a, b], -1), lambda a, b: np.stack([a, b], -1), N(2, 3), N(2, 3)),
    case(
        "stack_mid",
        lambda a, b, c: minigrad.stack([a, b, c], 1),
        lambda a, b, c: np.stack([a, b, c], 1),
        N(2, 3),
        N(2, 3),
        N(2, 3),
    ),
    case("split_size", lambda a: a.split(2), lambda a: (a[:2], a[2:4], a[4:]), N(5, 2)),
    case("split_sizes", lambda a: minigrad.split(a, [1, 3], dim=1), lambda a: (a[:, :1], a[:, 1:]), N(2, 4)),
    case("split_neg_dim", lambda a: a.split(3, -1), lambda a: (a[..., :3], a[..., 3:]), N(2, 4)),
    case("chunk_even", lambda a: a.chunk(2), lambda a: (a[:2], a[2:]), N(4, 2)),
    case("chunk_uneven", lambda a: minigrad.chunk(a, 3, dim=1), lambda a: (a[:, :2], a[:, 2:4], a[:, 4:]), N(2, 5)),
    case("chunk_more_than_size", lambda a: a.chunk(5), lambda a: (a[:1], a[1:2]), N(2, 3)),
    case("narrow", lambda a: a.narrow(1, 1, 2), lambda a: a[:, 1:3], N(2, 4)),
    case(
        "gather",
        lambda a: a.gather(1, minigrad.tensor([[0, 0, 2], [1, 2, 1]])),
        lambda a: np.take_along_axis(a, np.array([[0, 0, 2], [1, 2, 1]]), 1),
        N(2, 4),
    ),
    case(
        "gather_fn_dim0",
        lambda a: minigrad.gather(a, 0, minigrad.tensor([[1, 0, 1, 1]])),
        lambda a: np.take_along_axis(a, np.array([[1, 0, 1, 1]]), 0),
        N(2, 4),
    ),
    case("linear", lambda x, w, b: minigrad.ops.linear(x, w, b), lambda x, w, b: x @ w.T + b, N(3, 4), N(2, 4), N(2)),
    case("linear_no_bias", lambda x, w: minigrad.ops.linear(x, w), lambda x, w: x @ w.T, N(2, 3, 4), N(5, 4)),
]


@pytest.mark.parametrize("fn, ref, inputs, kwargs", JOIN)
def test_join_and_split(fn, ref, inputs, kwargs):
    check(fn, ref, *inputs, **kwargs)


def test_split_pieces_used_partially_get_zero_gradient():
    x = minigrad.tensor(N(6), requires_grad=True)
    a, b, c = x.split(2)
    (b * 2).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 2.0, 2.0, 0.0, 0.0]


def test_stack_and_cat_of_mixed_requires_grad():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    c = minigrad.tensor([3.0, 4.0])
    out = minigrad.stack([c, x, c])
    (out * minigrad.tensor([[1.0], [2.0], [3.0]])).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
