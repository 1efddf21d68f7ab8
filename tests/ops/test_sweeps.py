"""Hypothesis sweeps of shapes: broadcasting binary ops, reductions over any dims, permute and
reshape round trips, matmul shapes, basic and integer-array indexing; forward against numpy
and gradients against the local derivatives each op stands for."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from opcheck import BINARY, logsumexp, sum_to

import minigrad
from minigrad.testing import assert_close

_LOCAL_GRADS = {
    "add": lambda a, b, out: (np.ones_like(out), np.ones_like(out)),
    "sub": lambda a, b, out: (np.ones_like(out), -np.ones_like(out)),
    "mul": lambda a, b, out: (b + 0 * out, a + 0 * out),
    "div": lambda a, b, out: (1 / b + 0 * out, -a / b**2 + 0 * out),
    "pow": lambda a, b, out: (b * a ** (b - 1) + 0 * out, out * np.log(a)),
    "maximum": lambda a, b, out: ((a > b) + 0 * out, (a < b) + 0 * out),
    "minimum": lambda a, b, out: ((a < b) + 0 * out, (a > b) + 0 * out),
}


@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3),
    name=st.sampled_from(sorted(BINARY)),
    seed=st.integers(0, 2**32 - 1),
)
def test_sweep_broadcasting_binary_ops(shapes, name, seed):
    rng = np.random.default_rng(seed)
    sa, sb = shapes.input_shapes
    if name == "pow":
        a, b = rng.uniform(0.5, 2.0, sa), rng.standard_normal(sb)
    elif name == "div":
        a, b = rng.standard_normal(sa), rng.uniform(0.5, 2.0, sb) * rng.choice([-1, 1], sb)
    elif name in ("maximum", "minimum"):
        a = rng.standard_normal(sa)
        b = rng.standard_normal(sb)
        b = (
            np.where(np.abs(np.broadcast_to(a, np.broadcast_shapes(sa, sb)).min() - b) < 1e-3, b + 0.5, b)
            if b.size
            else b
        )
    else:
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    fn, ref = BINARY[name]
    x = minigrad.tensor(a, requires_grad=True)
    y = minigrad.tensor(b, requires_grad=True)
    out = fn(x, y)
    expected = ref(a, b)
    assert out.shape == shapes.result_shape
    assert_close(out, np.asarray(expected))
    w = rng.standard_normal(out.shape)
    (out * minigrad.tensor(w)).sum().backward()
    da, db = _LOCAL_GRADS[name](a, b, np.asarray(expected))
    assert x.grad.shape == sa and y.grad.shape == sb
    if name in ("maximum", "minimum") and np.any(np.broadcast_to(a, out.shape) == np.broadcast_to(b, out.shape)):
        return  # a tie: the split gradient is tested elsewhere
    assert_close(x.grad, sum_to(w * da, sa).reshape(sa), rtol=1e-10, atol=1e-10)
    assert_close(y.grad, sum_to(w * db, sb).reshape(sb), rtol=1e-10, atol=1e-10)


@st.composite
def _reduction_case(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=4))
    ndim = len(shape)
    dim = draw(
        st.one_of(
            st.none(),
            st.integers(-ndim, ndim - 1),
            st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).map(tuple),
        )
    )
    keepdim = draw(st.booleans())
    return shape, dim, keepdim


def _axes(dim, ndim):
    if dim is None:
        return tuple(range(ndim))
    return tuple(sorted(d % ndim for d in ((dim,) if isinstance(dim, int) else dim)))


@given(
    case_=_reduction_case(),
    name=st.sampled_from(["sum", "mean", "var", "std", "amax", "amin", "logsumexp"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_sweep_reductions(case_, name, seed):
    shape, dim, keepdim = case_
    rng = np.random.default_rng(seed)
    a = rng.permutation(int(np.prod(shape))).reshape(shape) * 0.3 + rng.uniform(0, 0.1)
    axes = _axes(dim, len(shape))
    count = int(np.prod([shape[i] for i in axes]))
    if name in ("var", "std") and count < 2:
        return
    if name == "logsumexp" and dim is None:
        dim = axes
    x = minigrad.tensor(a, requires_grad=True)
    out = getattr(x, name)(dim, keepdim=keepdim) if dim is not None else getattr(x, name)(keepdim=keepdim)
    kept = {
        "sum": lambda: a.sum(axes, keepdims=True),
        "mean": lambda: a.mean(axes, keepdims=True),
        "var": lambda: a.var(axes, ddof=1, keepdims=True),
        "std": lambda: a.std(axes, ddof=1, keepdims=True),
        "amax": lambda: a.max(axes, keepdims=True),
        "amin": lambda: a.min(axes, keepdims=True),
        "logsumexp": lambda: logsumexp(a, axes, True),
    }[name]()
    expected = kept if keepdim else kept.reshape([s for i, s in enumerate(shape) if i not in axes])
    assert out.shape == expected.shape
    assert_close(out, expected, rtol=1e-9, atol=1e-9)
    w = rng.standard_normal(out.shape)
    (out * minigrad.tensor(w)).sum().backward()
    wk = w.reshape(kept.shape)
    local = {
        "sum": lambda: np.ones_like(a),
        "mean": lambda: np.full_like(a, 1.0 / count),
        "var": lambda: 2 * (a - a.mean(axes, keepdims=True)) / (count - 1),
        "std": lambda: (a - a.mean(axes, keepdims=True)) / ((count - 1) * kept),
        "amax": lambda: (a == kept).astype(float),
        "amin": lambda: (a == kept).astype(float),
        "logsumexp": lambda: np.exp(a - kept),
    }[name]()
    assert x.grad.shape == shape
    assert_close(x.grad, wk * local, rtol=1e-8, atol=1e-10)


@given(shape=hnp.array_shapes(min_dims=1, max_dims=4, max_side=4), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_sweep_permute_and_reshape_round_trip(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    perm = data.draw(st.permutations(range(len(shape))))
    x = minigrad.tensor(a, requires_grad=True)
    y = x.permute(*perm).reshape(-1)
    assert_close(y, a.transpose(perm).reshape(-1))
    w = rng.standard_normal(y.shape)
    (y * minigrad.tensor(w)).sum().backward()
    assert_close(x.grad, w.reshape(a.transpose(perm).shape).transpose(np.argsort(perm)))


@st.composite
def _matmul_shapes(draw):
    """Operand shapes numpy's matmul accepts: 1-D vectors, matrices, broadcast batches."""
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=3))
    ba, bb = batch.input_shapes
    a_vector, b_vector = draw(st.booleans()), draw(st.booleans())
    sa = (k,) if a_vector else ba + (n, k)
    sb = (k,) if b_vector else bb + (k, m)
    return sa, sb


@given(shapes=_matmul_shapes(), seed=st.integers(0, 2**32 - 1))
def test_sweep_matmul_shapes(shapes, seed):
    sa, sb = shapes
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    x, y = minigrad.tensor(a, requires_grad=True), minigrad.tensor(b, requires_grad=True)
    out = x @ y
    expected = np.matmul(a, b)
    assert out.shape == expected.shape
    assert_close(out, np.asarray(expected), rtol=1e-10, atol=1e-12)
    w = rng.standard_normal(expected.shape)
    (out * minigrad.tensor(w)).sum().backward()
    # reference gradients: promote vectors to matrices, then sum broadcast batches away
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    w2 = w
    if b.ndim == 1:
        w2 = w2[..., None]
    if a.ndim == 1:
        w2 = w2[..., None, :]
    ga = np.matmul(w2, np.swapaxes(b2, -1, -2))
    gb = np.matmul(np.swapaxes(a2, -1, -2), w2)
    ga = sum_to(ga, a2.shape).reshape(sa)
    gb = sum_to(gb, b2.shape).reshape(sb)
    assert x.grad.shape == sa and y.grad.shape == sb
    assert_close(x.grad, ga, rtol=1e-9, atol=1e-12)
    assert_close(y.grad, gb, rtol=1e-9, atol=1e-12)


@st.composite
def _basic_index(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    index = draw(hnp.basic_indices(shape, min_dims=0, allow_newaxis=True, allow_ellipsis=True))
    return shape, index


@given(case_=_basic_index(), seed=st.integers(0, 2**32 - 1))
def test_sweep_basic_indexing(case_, seed):
    shape, index = case_
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    x = minigrad.tensor(a, requires_grad=True)
    out = x[index]
    expected = a[index]
    assert out.shape == np.shape(expected)
    assert_close(out, np.asarray(expected))
    assert np.shares_memory(out._array, x._array) or out._array.size == 0
    w = rng.standard_normal(np.shape(expected))
    (out * minigrad.tensor(w)).sum().backward()
    reference = np.zeros(shape)
    view = reference[index]
    if np.ndim(view):
        view += w  # basic indexing never repeats an element
    else:
        reference[index] = w
    assert_close(x.grad, reference)


@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
    seed=st.integers(0, 2**32 - 1),
    data=st.data(),
)
def test_sweep_integer_array_indexing(shape, seed, data):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(shape)
    n = data.draw(st.integers(1, len(shape)))  # index the first n dims with arrays
    count = data.draw(st.integers(1, 5))
    arrays = tuple(rng.integers(-shape[d], shape[d], count) for d in range(n))
    x = minigrad.tensor(a, requires_grad=True)
    out = x[tuple(minigrad.tensor(i) for i in arrays)]
    expected = a[arrays]
    assert_close(out, expected)
    w = rng.standard_normal(expected.shape)
    (out * minigrad.tensor(w)).sum().backward()
    reference = np.zeros(shape)
    np.add.at(reference, arrays, w)  # repeated indices accumulate
    assert_close(x.grad, reference, rtol=1e-12, atol=1e-12)
