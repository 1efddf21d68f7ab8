"""A sample of ops against PyTorch: identical float64 inputs, forward values and the
gradients of a random cotangent (and for some, second-order gradients) must agree.

One line per op through ``compare``: the same lambda runs on minigrad and torch tensors
when the APIs agree, or a second lambda gives torch's spelling.
"""

import numpy as np
import pytest
import torch

import minigrad
from minigrad.testing import assert_close


def _make(kind, shape, rng):
    if kind == "n":  # normal
        return rng.standard_normal(shape)
    if kind == "p":  # positive, away from 0
        return rng.uniform(0.5, 2.0, shape)
    if kind == "a":  # |x| >= 0.2: away from kinks at 0
        return rng.uniform(0.2, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    if kind == "d":  # distinct: no ties
        n = int(np.prod(shape, dtype=np.int64))
        return ((rng.permutation(n) - n / 2) * 0.25).reshape(shape) + 0.01
    raise ValueError(kind)


def compare(fn, inputs, torch_fn=None, *, second_order=False, seed=0):
    """Run ``fn`` on minigrad and ``torch_fn`` (default: ``fn``) on torch with the same inputs;
    assert equal outputs and gradients. ``inputs``: a list of (kind, shape)."""
    rng = np.random.default_rng(seed)
    arrays = [_make(kind, shape, rng) for kind, shape in inputs]
    ours = [minigrad.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out_m, out_t = fn(*ours), (torch_fn or fn)(*theirs)
    out_m = list(out_m) if isinstance(out_m, (tuple, list)) else [out_m]
    out_t = list(out_t) if isinstance(out_t, (tuple, list)) else [out_t]
    assert len(out_m) == len(out_t)
    for m, t in zip(out_m, out_t):
        assert tuple(m.shape) == tuple(t.shape), (m.shape, t.shape)
        if t.dtype.is_floating_point:
            assert_close(m, t.detach().numpy(), rtol=1e-10, atol=1e-12)
        else:
            np.testing.assert_array_equal(m._array, t.numpy())
    differentiable = [(m, t) for m, t in zip(out_m, out_t) if t.requires_grad]
    if not differentiable:
        return
    cotangents = [rng.standard_normal(tuple(t.shape)) for _, t in differentiable]
    loss_m = sum((m * minigrad.tensor(v)).sum() for (m, _), v in zip(differentiable, cotangents))
    loss_t = sum((t * torch.tensor(v)).sum() for (_, t), v in zip(differentiable, cotangents))
    grads_m = minigrad.autograd.grad(loss_m, ours, create_graph=second_order, allow_unused=True)
    grads_t = torch.autograd.grad(loss_t, theirs, create_graph=second_order, allow_unused=True)
    for i, (gm, gt) in enumerate(zip(grads_m, grads_t)):
        if gt is None:
            assert gm is None or not gm._array.any(), f"input {i}: torch has no gradient"
            continue
        assert gm is not None, f"input {i}: minigrad has no gradient"
        assert_close(gm, gt.detach().numpy(), rtol=1e-9, atol=1e-11, msg=f"gradient of input {i}")
    if second_order:
        _compare_second_order(ours, theirs, grads_m, grads_t, rng)


def _compare_second_order(ours, theirs, grads_m, grads_t, rng):
    """Differentiate sum(w * grad) again. A first-order gradient that does not depend on the
    inputs (constant, or zero curvature as for relu) may not require grad in minigrad; then
    torch's second-order gradient must be zero."""
    w = [None if g is None else rng.standard_normal(tuple(g.shape)) for g in grads_t]
    gg_t = [None] * len(theirs)
    pairs_t = [(g, v) for g, v in zip(grads_t, w) if g is not None and g.requires_grad]
    if pairs_t:
        gg_t = torch.autograd.grad(sum((g * torch.tensor(v)).sum() for g, v in pairs_t), theirs, allow_unused=True)
    gg_m = [None] * len(ours)
    pairs_m = [(g, v) for g, v in zip(grads_m, w) if g is not None and g.requires_grad]
    if pairs_m:
        gg_m = minigrad.autograd.grad(sum((g * minigrad.tensor(v)).sum() for g, v in pairs_m), ours, allow_unused=True)
    for i, (gm, gt) in enumerate(zip(gg_m, gg_t)):
        expected = np.zeros(ours[i].shape) if gt is None else gt.numpy()
        actual = np.zeros(ours[i].shape) if gm is None else gm._array
        assert_close(actual, expected, rtol=1e-9, atol=1e-11, msg=f"second-order gradient of input {i}")


def mg_or_torch(x, name):
    """``minigrad.<name>`` or ``torch.<name>`` for the library ``x`` belongs to."""
    return getattr(minigrad if isinstance(x, minigrad.Tensor) else torch, name)


MASK = np.array([[True, False, True, False], [False, True, True, False], [True, True, False, False]])


def mask_for(x):
    return minigrad.tensor(MASK) if isinstance(x, minigrad.Tensor) else torch.tensor(MASK)


def index_for(x, values):
    return minigrad.tensor(values) if isinstance(x, minigrad.Tensor) else torch.tensor(values)


def _inplace_chain(x, y):
    h = x * 1.0
    h.mul_(y)
    h.add_(y, alpha=2.0)
    h.sub_(0.5)
    h.div_(y)
    h += x
    h.clamp_(-1.0, 1.0)
    return h


# ---- the sample ---------------------------------------------------------------------------


def test_add_broadcast():
    compare(lambda x, y: x + y, [("n", (2, 3)), ("n", (3,))])


def test_add_alpha():
    compare(lambda x, y: x.add(y, alpha=3.0), [("n", (2, 3)), ("n", (2, 1))])


def test_sub_broadcast():
    compare(lambda x, y: x - y, [("n", (4, 1, 3)), ("n", (2, 1))])


def test_rsub_scalar():
    compare(lambda x: 1.5 - x, [("n", (3, 2))])


def test_mul_broadcast():
    compare(lambda x, y: x * y, [("n", (2, 1, 3)), ("n", (4, 1))], second_order=True)


def test_div():
    compare(lambda x, y: x / y, [("n", (2, 3)), ("a", (2, 3))], second_order=True)


def test_rdiv_scalar():
    compare(lambda x: 2.0 / x, [("a", (5,))], second_order=True)


def test_pow_scalar():
    compare(lambda x: x**3, [("n", (2, 3))], second_order=True)


def test_pow_fractional():
    compare(lambda x: x**-0.5, [("p", (2, 3))], second_order=True)


def test_pow_tensor():
    compare(lambda x, y: x**y, [("p", (2, 3)), ("n", (3,))], second_order=True)


def test_rpow_scalar():
    compare(lambda x: 2.0**x, [("n", (2, 3))], second_order=True)


def test_neg():
    compare(lambda x: -x, [("n", (2, 3))])


def test_matmul_2d():
    compare(lambda x, y: x @ y, [("n", (3, 4)), ("n", (4, 2))], second_order=True)


def test_matmul_batched_broadcast():
    compare(lambda x, y: x @ y, [("n", (2, 1, 3, 4)), ("n", (3, 4, 2))])


def test_matmul_vector_matrix():
    compare(lambda x, y: x @ y, [("n", (4,)), ("n", (2, 4, 3))])


def test_matmul_vector_vector():
    compare(lambda x, y: x.matmul(y), [("n", (5,)), ("n", (5,))])


def test_exp():
    compare(lambda x: x.exp(), [("n", (2, 3))], second_order=True)


def test_log():
    compare(lambda x: x.log(), [("p", (2, 3))], second_order=True)


def test_sqrt():
    compare(lambda x: x.sqrt(), [("p", (2, 3))], second_order=True)


def test_abs():
    compare(lambda x: x.abs(), [("a", (2, 3))])


def test_tanh():
    compare(lambda x: x.tanh(), [("n", (2, 3))], second_order=True)


def test_sigmoid():
    compare(lambda x: x.sigmoid(), [("n", (2, 3))], second_order=True)


def test_relu():
    compare(lambda x: x.relu(), [("a", (2, 3))], second_order=True)


def test_clamp():
    compare(lambda x: x.clamp(-0.6, 0.7), [("d", (3, 4))])


def test_clamp_tensor_bounds():
    compare(lambda x, lo, hi: x.clamp(lo, hi), [("d", (3, 4)), ("a", (4,)), ("p", (3, 1))])


def test_maximum():
    compare(lambda x, y: mg_or_torch(x, "maximum")(x, y), [("d", (3, 4)), ("a", (4,))])


def test_minimum():
    compare(lambda x, y: mg_or_torch(x, "minimum")(x, y), [("d", (3, 4)), ("a", (3, 1))])


def test_where():
    compare(lambda x, y: mg_or_torch(x, "where")(x > 0, x, y), [("a", (3, 4)), ("n", (4,))])


def test_masked_fill():
    compare(lambda x: x.masked_fill(mask_for(x), -1.0), [("n", (3, 4))])


def test_sum_dims_keepdim():
    compare(lambda x: x.sum((0, 2), keepdim=True), [("n", (2, 3, 4))])


def test_mean_dim():
    compare(lambda x: x.mean(-1), [("n", (2, 3, 4))], second_order=True)


def test_var_unbiased():
    compare(lambda x: x.var(1), [("n", (2, 5, 3))], second_order=True)


def test_var_biased():
    compare(lambda x: x.var(1, unbiased=False, keepdim=True), [("n", (2, 5, 3))])


def test_std():
    compare(lambda x: x.std(0), [("n", (4, 3))], second_order=True)


def test_std_all():
    compare(lambda x: x.std(), [("n", (4, 3))])


def test_max_all():
    compare(lambda x: x.max(), [("d", (3, 4))])


def test_max_dim():
    compare(lambda x: tuple(x.max(1)), [("d", (3, 4))])


def test_min_dim_keepdim():
    compare(lambda x: tuple(x.min(0, keepdim=True)), [("d", (3, 4))])


def test_amax():
    compare(lambda x: x.amax((0, 2)), [("d", (2, 3, 4))])


def test_argmax():
    compare(lambda x: x.argmax(1, keepdim=True), [("d", (3, 4))])


def test_argmin():
    compare(lambda x: x.argmin(), [("d", (3, 4))])


def test_softmax():
    compare(lambda x: x.softmax(-1), [("n", (3, 4))], second_order=True)


def test_log_softmax():
    compare(lambda x: x.log_softmax(0), [("n", (3, 4))], second_order=True)


def test_logsumexp():
    compare(lambda x: x.logsumexp(1), [("n", (3, 4))], second_order=True)


def test_softmax_large():
    compare(lambda x: (x * 1000).softmax(-1), [("n", (3, 4))])


def test_reshape():
    compare(lambda x: x.reshape(4, -1), [("n", (2, 3, 2))])


def test_view_flatten():
    compare(lambda x: x.view(6, 2).flatten(), [("n", (3, 4))])


def test_transpose():
    compare(lambda x: x.transpose(0, 2), [("n", (2, 3, 4))])


def test_permute():
    compare(lambda x: x.permute(1, 2, 0), [("n", (2, 3, 4))])


def test_T():
    compare(lambda x: x.T * 2, [("n", (2, 3))])


def test_squeeze_unsqueeze():
    compare(lambda x: x.squeeze(1).unsqueeze(0), [("n", (2, 1, 3))])


def test_expand():
    compare(lambda x: x.expand(2, 3, 4), [("n", (3, 1))])


def test_getitem_basic():
    compare(lambda x: x[1:, ::2, None], [("n", (3, 4))])


def test_getitem_int_array():
    compare(lambda x: x[index_for(x, [2, 0, 2])], [("n", (3, 4))])


def test_getitem_int_arrays():
    compare(lambda x: x[index_for(x, [0, 2, 0]), index_for(x, [3, 3, 1])], [("n", (3, 4))])


def test_getitem_bool():
    compare(lambda x: x[mask_for(x)], [("n", (3, 4))])


def test_cat():
    compare(lambda x, y: mg_or_torch(x, "cat")([x, y, x], 1), [("n", (2, 3)), ("n", (2, 1))])


def test_stack():
    compare(lambda x, y: mg_or_torch(x, "stack")([x, y], -1), [("n", (2, 3)), ("n", (2, 3))])


def test_split():
    compare(lambda x: tuple(x.split([1, 3], 1)), [("n", (2, 4))])


def test_chunk():
    compare(lambda x: tuple(x.chunk(3, 0)), [("n", (5, 2))])


def test_inplace_chain():
    compare(_inplace_chain, [("n", (2, 3)), ("p", (2, 3))])


def test_mlp_layer():
    compare(
        lambda x, w, b: (x @ w.T + b).tanh().log_softmax(-1),
        [("n", (4, 3)), ("n", (5, 3)), ("n", (5,))],
        second_order=True,
    )


def test_comparisons_match_torch():
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, 3, (3, 4)).astype(float), rng.integers(0, 3, (4,)).astype(float)
    for op in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
        ours = getattr(minigrad.tensor(a), op)(minigrad.tensor(b))
        theirs = getattr(torch.tensor(a), op)(torch.tensor(b))
        np.testing.assert_array_equal(ours._array, theirs.numpy())


_DTYPE_OPS = {
    "exp": lambda m, x: x.exp(),
    "log": lambda m, x: x.log(),
    "sqrt": lambda m, x: x.sqrt(),
    "tanh": lambda m, x: x.tanh(),
    "sigmoid": lambda m, x: x.sigmoid(),
    "abs": lambda m, x: x.abs(),
    "neg": lambda m, x: -x,
    "sum": lambda m, x: x.sum(),
    "max": lambda m, x: x.max(),
    "clamp_int_bounds": lambda m, x: x.clamp(0, 1),
    "clamp_float_bounds": lambda m, x: x.clamp(0.5, 1.5),
    "pow_int": lambda m, x: x**2,
    "pow_float": lambda m, x: x**0.5,
    "rpow_int": lambda m, x: 2**x,
    "rpow_float": lambda m, x: 2.5**x,
    "div_self": lambda m, x: x / x,
    "div_float": lambda m, x: x / 2.0,
    "where_float": lambda m, x: m.where(x > 1, x, 0.5),
    "matmul": lambda m, x: x @ x,
    "cat_with_float": lambda m, x: m.cat([x, m.tensor([1.5])]),
    "stack_with_float": lambda m, x: m.stack([x, m.tensor([1.5, 2.0, 3.0])]),
    "masked_fill_float": lambda m, x: x.masked_fill(x > 1, 0.5),
    "logsumexp": lambda m, x: x.logsumexp(0),
    "add_0d_float64": lambda m, x: x + m.tensor(1.0, dtype=m.float64),
    "argmax": lambda m, x: x.argmax(),
    "mul_bool_scalar": lambda m, x: x * True,
    "add_float_scalar": lambda m, x: x + 1.5,
}


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float16", "float32", "float64"])
@pytest.mark.parametrize("name", sorted(_DTYPE_OPS))
def test_result_dtype_matches_torch(name, dtype):
    fn = _DTYPE_OPS[name]
    data = np.array([1, 2, 3]).astype(dtype)
    try:
        expected = str(fn(torch, torch.tensor(data)).dtype).replace("torch.", "")
    except RuntimeError:
        pytest.skip("torch refuses this combination")
    assert fn(minigrad, minigrad.tensor(data)).dtype.name == expected


def test_dtype_promotion_matches_torch():
    cases = [
        (lambda m: m.tensor([1, 2]) * 2.5),
        (lambda m: m.tensor([1, 2]) / 2),
        (lambda m: m.tensor([1.0]) + 1),
        (lambda m: m.tensor([1, 2]) + 1),
        (lambda m: m.tensor([True]) + 1),
        (lambda m: m.tensor([1]).sum()),
        (lambda m: m.tensor([1.0], dtype=m.float64) * m.tensor([1.0])),
        (lambda m: 2 ** m.tensor([1.0])),
        (lambda m: m.tensor([1, 2]) * m.tensor([1.0, 2.0])),
        (lambda m: m.tensor([True, False]).sum()),
    ]
    for make in cases:
        ours, theirs = make(minigrad), make(torch)
        assert ours.dtype.name == str(theirs.dtype).replace("torch.", ""), (ours, theirs)


def test_tanh_of_a_0d_tensor_second_order():
    compare(lambda x: x.sum().tanh(), [("n", (3,))], second_order=True)


_KINKS = {
    "max_all": lambda x: x.max(),
    "min_all": lambda x: x.min(),
    "amax_dim": lambda x: x.amax(1),
    "max_dim_values": lambda x: x.max(1)[0],
    "min_dim_values": lambda x: x.min(0)[0],
    "clamp_at_bounds": lambda x: x.clamp(1.0, 2.0),
    "relu_at_0": lambda x: (x - 2).relu(),
    "abs_at_0": lambda x: (x - 2).abs(),
    "maximum_tie": lambda x: mg_or_torch(x, "maximum")(x * 0 + 2, x),
    "minimum_tie": lambda x: mg_or_torch(x, "minimum")(x * 0 + 2, x),
}


@pytest.mark.parametrize("name", sorted(_KINKS))
def test_gradients_at_ties_and_kinks_match_torch(name):
    """Where the derivative is not defined, minigrad picks the same subgradient as torch."""
    a = np.array([[2.0, 2.0, 1.0], [1.0, 3.0, 3.0]])
    ours, theirs = minigrad.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    _KINKS[name](ours).sum().backward()
    _KINKS[name](theirs).sum().backward()
    assert_close(ours.grad, theirs.grad.numpy(), rtol=0.0, atol=0.0)
