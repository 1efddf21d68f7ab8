"""The ops of issue 10 item 3 against PyTorch: trigonometric functions and erf, norm,
sort/argsort/topk/unique, one_hot, repeat, swapaxes, concat, meshgrid, normal, the numpy
keyword names (``axis=``, ``keepdims=``), ``out=``, and softmax without ``dim``.

Each test runs the same call on both libraries: values, dtypes and shapes, gradients
where PyTorch has them, and the error type and message of bad input. (The float64
gradchecks of every new op are in tests/ops/test_registry.py.)
"""

import warnings

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.testing import assert_close

R = np.random.default_rng(10)
INF = float("inf")


def same(ours, theirs, rtol=1e-6, atol=1e-6):
    """A minigrad tensor equals a torch tensor: shape, dtype name and values (nan where nan)."""
    theirs = theirs.detach()
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype).split(".")[1] == str(theirs.dtype).split(".")[1]
    np.testing.assert_allclose(ours._array, theirs.numpy(), rtol=rtol, atol=atol, equal_nan=True)


def raises_like(torch_call, our_call):
    """Both calls raise the same exception type with the same message."""
    with pytest.raises(Exception) as theirs:
        torch_call()
    with pytest.raises(theirs.type) as ours:
        our_call()
    assert str(ours.value) == str(theirs.value).split("\n")[0]


def pair(array, requires_grad=False):
    """The same array as a minigrad tensor and a torch tensor."""
    import torch

    return (
        minigrad.tensor(array, requires_grad=requires_grad),
        torch.tensor(array, requires_grad=requires_grad),
    )


# ---- trigonometric, hyperbolic and erf ----------------------------------------------------

UNARY = ["sin", "cos", "tan", "sinh", "cosh", "asin", "acos", "atan", "erf"]


@pytest.mark.parametrize("name", UNARY)
def test_unary_values_dtypes_and_gradients(torch, name):
    values = R.uniform(-0.95, 0.95, (3, 4))
    for dtype in (np.float32, np.float64):
        ours, theirs = pair(values.astype(dtype), requires_grad=True)
        out_ours, out_theirs = getattr(minigrad, name)(ours), getattr(torch, name)(theirs)
        same(out_ours, out_theirs, rtol=1e-5)
        same(getattr(ours, name)(), getattr(theirs, name)(), rtol=1e-5)
        out_ours.sum().backward()
        out_theirs.sum().backward()
        same(ours.grad, theirs.grad, rtol=1e-5)
    # integer and bool inputs give the default float dtype; asin outside [-1, 1] is nan
    same(getattr(minigrad, name)(minigrad.tensor([0, 1, 2])), getattr(torch, name)(torch.tensor([0, 1, 2])))
    same(getattr(minigrad, name)(minigrad.tensor([True])), getattr(torch, name)(torch.tensor([True])))


def test_atan2_quadrants_broadcasting_promotion_and_errors(torch):
    y = R.standard_normal((2, 3))
    x = R.standard_normal(3)
    (ay, ty), (ax, tx) = pair(y, True), pair(x, True)
    same(minigrad.atan2(ay, ax), torch.atan2(ty, tx))
    minigrad.atan2(ay, ax).sum().backward()
    torch.atan2(ty, tx).sum().backward()
    same(ay.grad, ty.grad)
    same(ax.grad, tx.grad)
    same(ay.float().atan2(ax), ty.float().atan2(tx))  # float32 with float64 gives float64
    same(
        minigrad.atan2(minigrad.tensor([1, -1]), minigrad.tensor([-1, -1])),
        torch.atan2(torch.tensor([1, -1]), torch.tensor([-1, -1])),
    )
    raises_like(lambda: torch.atan2(ty, 2.0), lambda: minigrad.atan2(ay, 2.0))
    raises_like(lambda: torch.atan2(2.0, ty), lambda: minigrad.atan2(2.0, ay))
    with pytest.raises(RuntimeError, match="atan2"):
        minigrad.atan2(ay, minigrad.ones(2))


# ---- norm ---------------------------------------------------------------------------------

NORMS = [
    ("fro", None, False),
    ("fro", 1, False),
    ("fro", (0, 1), True),
    (None, None, False),
    (2, 0, True),
    (1, 1, False),
    (INF, 1, False),
    (-INF, (0, 1), False),
    (0, 1, False),
    (3, None, False),
    (0.5, 1, True),
    (-1, 1, False),
    (1.5, -1, False),
    (2, (), False),
]


@pytest.mark.parametrize("p, dim, keepdim", NORMS)
def test_norm_values_and_gradients_including_zeros_and_ties(torch, p, dim, keepdim):
    # a zero row (the subgradient at 0), a row with a zero and tied maxima, a plain row
    x = np.array([[0.0, 0.0, 0.0], [0.0, -3.0, 3.0], [1.0, 2.0, -0.5]])
    ours, theirs = pair(x, requires_grad=True)
    out_ours = minigrad.norm(ours, p, dim, keepdim)
    out_theirs = torch.norm(theirs, p, dim, keepdim)
    same(out_ours, out_theirs)
    out_ours.sum().backward()
    out_theirs.sum().backward()
    if theirs.grad is None:  # p = 0: PyTorch gives no gradient
        assert ours.grad is None
    else:
        same(ours.grad, theirs.grad)
    same(ours.norm(p, dim, keepdim), theirs.norm(p, dim, keepdim))


def test_vector_norm_and_dtype(torch):
    x = R.standard_normal((2, 3, 4)).astype(np.float32)
    ours, theirs = pair(x)
    for order, dim in [(2, None), (1, (0, 2)), (INF, -1), (0.7, 1)]:
        same(minigrad.linalg.vector_norm(ours, order, dim), torch.linalg.vector_norm(theirs, order, dim), rtol=1e-5)
    same(
        minigrad.linalg.vector_norm(ours, dtype=minigrad.float64), torch.linalg.vector_norm(theirs, dtype=torch.float64)
    )
    same(minigrad.norm(ours, dtype=minigrad.float64), torch.norm(theirs, dtype=torch.float64))
    same(minigrad.norm(minigrad.tensor(3.0), 2, 0), torch.norm(torch.tensor(3.0), 2, 0))


def test_norm_errors(torch):
    ours, theirs = pair(np.ones((2, 3), np.float32))
    calls = [
        (lambda m, a: m.norm(a.long())),
        (lambda m, a: m.norm(a, "fro", dim=(0, 1, 0))),
        (lambda m, a: m.norm(a, "abc")),
        (lambda m, a: m.norm(a, dtype=m.int64)),
        (lambda m, a: m.linalg.vector_norm(a, "x")),
        (lambda m, a: m.linalg.vector_norm(a, dtype=m.float16)),
        (lambda m, a: m.linalg.vector_norm(a, dim=(0, 0))),
        (lambda m, a: m.linalg.vector_norm(a[:0], INF)),
        (lambda m, a: m.linalg.vector_norm(a[:0], -1)),
    ]
    for call in calls:
        raises_like(lambda call=call: call(torch, theirs), lambda call=call: call(minigrad, ours))
    with pytest.raises(RuntimeError, match="nuc"):
        minigrad.norm(ours, "nuc")


# ---- sort, argsort, topk, unique ------------------------------------------------------------


def test_sort_and_argsort_are_stable_with_ties_and_nan(torch):
    x = R.integers(0, 3, (4, 6)).astype(np.float32)
    x[1, 2] = np.nan
    ours, theirs = pair(x)
    for dim in (0, 1, -1):
        for descending in (False, True):
            got, want = (
                minigrad.sort(ours, dim, descending),
                torch.sort(theirs, stable=True, dim=dim, descending=descending),
            )
            same(got.values, want.values)
            same(got.indices, want.indices)
            values, indices = ours.sort(dim, descending)
            assert values is not None and indices.dtype is minigrad.int64
            same(ours.argsort(dim, descending), torch.argsort(theirs, dim, descending))
    same(minigrad.sort(minigrad.tensor(3.0)).indices, torch.sort(torch.tensor(3.0)).indices)


def test_topk_values_indices_and_gradient(torch):
    x = R.permutation(12).reshape(3, 4).astype(np.float64)
    ours, theirs = pair(x, requires_grad=True)
    for k, dim, largest in [(2, -1, True), (3, 0, False), (0, 1, True), (4, 1, False)]:
        got, want = minigrad.topk(ours, k, dim, largest), torch.topk(theirs, k, dim, largest)
        same(got.values, want.values)
        same(got.indices, want.indices)
    got, want = ours.topk(2, dim=0), theirs.topk(2, dim=0)
    (got.values * minigrad.tensor(np.arange(8.0).reshape(2, 4))).sum().backward()
    (want.values * torch.arange(8.0, dtype=torch.float64).reshape(2, 4)).sum().backward()
    same(ours.grad, theirs.grad)
    raises_like(lambda: torch.topk(theirs, 5), lambda: minigrad.topk(ours, 5))
    raises_like(lambda: torch.topk(theirs, -1), lambda: minigrad.topk(ours, -1))


def test_unique(torch):
    flat, flat_t = pair(np.array([[3, 1], [3, 2]]))
    for kwargs in [
        {},
        {"return_inverse": True},
        {"return_counts": True},
        {"return_inverse": True, "return_counts": True},
    ]:
        got, want = minigrad.unique(flat, **kwargs), torch.unique(flat_t, **kwargs)
        for g, w in zip(got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)):
            same(g, w)
    rows, rows_t = pair(np.array([[1, 2], [1, 2], [0, 1]]))
    for g, w in zip(
        rows.unique(dim=0, return_inverse=True, return_counts=True),
        rows_t.unique(dim=0, return_inverse=True, return_counts=True),
    ):
        same(g, w)


# ---- one_hot, repeat, swapaxes, concat, meshgrid --------------------------------------------


def test_one_hot(torch):
    tf = torch.nn.functional
    for labels, classes in [([1, 2, 3], -1), ([[0, 2], [1, 1]], 4), (2, -1), ([], 3)]:
        array = np.array(labels, dtype=np.int64)
        same(F.one_hot(minigrad.tensor(array), classes), tf.one_hot(torch.tensor(array), classes))
    bad = [
        (np.array([1, 2]), 2),
        (np.array([-1, 2]), -1),
        (np.array([], dtype=np.int64), -1),
        (np.array([0, 1]), -2),
        (np.array([1.0, 2.0]), -1),
        (np.array([1, 2], dtype=np.int32), -1),
    ]
    for labels, classes in bad:
        raises_like(
            lambda labels=labels, classes=classes: tf.one_hot(torch.tensor(labels), classes),
            lambda labels=labels, classes=classes: F.one_hot(minigrad.tensor(labels), classes),
        )


def test_repeat_values_gradient_and_errors(torch):
    x = R.standard_normal((2, 3))
    ours, theirs = pair(x, requires_grad=True)
    for repeats in [(2, 1), (2, 1, 2), ((1, 3),), ([3, 2, 1, 1],), (0, 2)]:
        same(ours.repeat(*repeats), theirs.repeat(*repeats))
    weights = np.arange(24.0).reshape(2, 2, 6)
    (ours.repeat(2, 1, 2) * minigrad.tensor(weights)).sum().backward()
    (theirs.repeat(2, 1, 2) * torch.tensor(weights)).sum().backward()
    same(ours.grad, theirs.grad)
    same(minigrad.tensor(3.0).repeat(2), torch.tensor(3.0).repeat(2))
    raises_like(lambda: theirs.repeat(2), lambda: ours.repeat(2))
    raises_like(lambda: theirs.repeat(-1, 2), lambda: ours.repeat(-1, 2))


def test_swapaxes_swapdims_concat_concatenate(torch):
    (a, ta), (b, tb) = pair(R.standard_normal((2, 3))), pair(R.standard_normal((2, 1)))
    same(minigrad.swapaxes(a, 0, 1), torch.swapaxes(ta, 0, 1))
    same(a.swapdims(1, 0), ta.swapdims(1, 0))
    same(minigrad.swapaxes(a, axis0=0, axis1=1), torch.swapaxes(ta, axis0=0, axis1=1))
    same(minigrad.concat([a, b], dim=1), torch.concat([ta, tb], dim=1))
    same(minigrad.concatenate([a, b], axis=1), torch.concatenate([ta, tb], axis=1))
    same(minigrad.concatenate([a, b], dim=1), torch.concatenate([ta, tb], dim=1))


@pytest.mark.parametrize("indexing", ["ij", "xy"])
def test_meshgrid(torch, indexing):
    arrays = [np.array([1, 2, 3]), np.array([4, 5]), np.array([6, 7, 8, 9])]
    ours = minigrad.meshgrid(*[minigrad.tensor(a) for a in arrays], indexing=indexing)
    theirs = torch.meshgrid(*[torch.tensor(a) for a in arrays], indexing=indexing)
    for g, w in zip(ours, theirs):
        same(g, w)
    ours = minigrad.meshgrid([minigrad.tensor(3), minigrad.tensor([1, 2])], indexing=indexing)
    theirs = torch.meshgrid([torch.tensor(3), torch.tensor([1, 2])], indexing=indexing)
    for g, w in zip(ours, theirs):
        same(g, w)


def test_meshgrid_warning_gradient_and_errors(torch):
    with pytest.warns(UserWarning, match="in an upcoming release, it will be required to pass the indexing argument"):
        rows, cols = minigrad.meshgrid(minigrad.tensor([1, 2]), minigrad.tensor([3, 4, 5]))
    assert rows.shape == (2, 3)
    (a, ta), (b, tb) = pair(R.standard_normal(2), True), pair(R.standard_normal(3), True)
    weights = np.arange(6.0).reshape(3, 2)
    for m, x, y, w in [(minigrad, a, b, minigrad.tensor(weights)), (torch, ta, tb, torch.tensor(weights))]:
        gx, gy = m.meshgrid(x, y, indexing="xy")
        ((gx + 2 * gy) * w).sum().backward()
    same(a.grad, ta.grad)
    same(b.grad, tb.grad)
    i, ti = pair(np.array([1, 2, 3]))
    raises_like(lambda: torch.meshgrid(ti, ti, indexing="foo"), lambda: minigrad.meshgrid(i, i, indexing="foo"))
    raises_like(
        lambda: torch.meshgrid(ti, ti.float(), indexing="ij"), lambda: minigrad.meshgrid(i, i.float(), indexing="ij")
    )
    raises_like(lambda: torch.meshgrid(indexing="ij"), lambda: minigrad.meshgrid(indexing="ij"))
    with pytest.raises(RuntimeError, match="Expected 0D or 1D tensor"):
        minigrad.meshgrid(minigrad.ones(2, 2), indexing="ij")


# ---- normal ---------------------------------------------------------------------------------


def test_normal_forms_shapes_and_dtypes(torch):
    x, tx = pair(np.ones((2, 3), np.float32))
    forms = [
        lambda m, a: m.normal(0.0, 1.0, (2, 3)),
        lambda m, a: m.normal(0, 1, size=(4,)),
        lambda m, a: m.normal(a, 1.0),
        lambda m, a: m.normal(2.0, a),
        lambda m, a: m.normal(a.double(), a),
        lambda m, a: m.normal(a, m.ones(3)),
        lambda m, a: m.normal(mean=a),
        lambda m, a: m.normal(0.0, 1.0, (2,), dtype=m.float64),
    ]
    for form in forms:
        got, want = form(minigrad, x), form(torch, tx)
        assert tuple(got.shape) == tuple(want.shape)
        assert str(got.dtype).split(".")[1] == str(want.dtype).split(".")[1]
        assert not got.requires_grad
    for bad in [
        lambda m, a: m.normal(a, -1.0),
        lambda m, a: m.normal(0.0, -1.0, (2,)),
        lambda m, a: m.normal(a, m.tensor(-1.0)),
        lambda m, a: m.normal(a.long(), 1.0),
    ]:
        raises_like(lambda bad=bad: bad(torch, tx), lambda bad=bad: bad(minigrad, x))
    with pytest.raises(TypeError):
        minigrad.normal(0.0, 1.0)


def test_normal_draws_from_the_minigrad_generator():
    minigrad.manual_seed(3)
    first = minigrad.normal(minigrad.full((2,), 5.0), 0.5)
    minigrad.manual_seed(3)
    assert minigrad.normal(minigrad.full((2,), 5.0), 0.5).equal(first)
    generator = minigrad.Generator().manual_seed(3)
    assert minigrad.normal(5.0, 0.5, (2,), generator=generator).equal(first)
    many = minigrad.normal(minigrad.full((200, 100), 2.0), minigrad.full((100,), 3.0))
    assert abs(many.mean().item() - 2.0) < 0.1 and abs(many.std().item() - 3.0) < 0.1


# ---- numpy keyword names ----------------------------------------------------------------------

AXIS_CALLS = [
    lambda m, a: m.sum(a, axis=0),
    lambda m, a: m.sum(a, axis=1, keepdims=True),
    lambda m, a: a.sum(axis=(0, 1)),
    lambda m, a: m.mean(a, axis=1),
    lambda m, a: a.mean(axis=0, keepdims=True),
    lambda m, a: m.max(a, axis=1).values,
    lambda m, a: a.max(axis=1, keepdims=True).indices,
    lambda m, a: m.min(a, axis=0).indices,
    lambda m, a: m.amax(a, axis=1),
    lambda m, a: a.amin(axis=0),
    lambda m, a: m.argmax(a, axis=1),
    lambda m, a: a.argmin(axis=0, keepdims=True),
    lambda m, a: m.std(a, axis=1),
    lambda m, a: m.var(a, axis=1, keepdims=True),
    lambda m, a: m.logsumexp(a, axis=1),
    lambda m, a: m.softmax(a, axis=1),
    lambda m, a: a.log_softmax(axis=0),
    lambda m, a: m.cat([a, a], axis=1),
    lambda m, a: m.stack([a, a], axis=1),
    lambda m, a: m.squeeze(a[:1], axis=0),
    lambda m, a: a.unsqueeze(axis=0),
    lambda m, a: m.sort(a, axis=0).values,
    lambda m, a: a.argsort(axis=0),
    lambda m, a: m.topk(a, 1, axis=0).indices,
    lambda m, a: m.linalg.vector_norm(a, axis=0),
    lambda m, a: a.all(axis=0),
    lambda m, a: a.any(axis=1, keepdims=True),
]


@pytest.mark.parametrize("call", AXIS_CALLS)
def test_numpy_keyword_names(torch, call):
    ours, theirs = pair(R.permutation(6).reshape(2, 3).astype(np.float32))
    same(call(minigrad, ours), call(torch, theirs), rtol=1e-5)


def test_numpy_and_torch_name_together_is_refused(torch):
    ours, theirs = pair(np.ones((2, 3), np.float32))
    raises_like(lambda: torch.sum(theirs, dim=0, axis=1), lambda: minigrad.sum(ours, dim=0, axis=1))


# ---- out= -------------------------------------------------------------------------------------


def test_out_writes_into_and_returns_the_given_tensor(torch):
    x, tx = pair(R.standard_normal((2, 3)).astype(np.float32))
    cases = [
        (lambda m, a, o: m.add(a, 1, out=o), (2, 3)),
        (lambda m, a, o: m.mul(a, a, out=o), (2, 3)),
        (lambda m, a, o: m.sin(a, out=o), (0,)),
        (lambda m, a, o: m.exp(a, out=o), (2, 3)),
        (lambda m, a, o: m.clamp(a, -0.5, 0.5, out=o), (0,)),
        (lambda m, a, o: m.atan2(a, a, out=o), (0,)),
        (lambda m, a, o: m.maximum(a, a * 2, out=o), (0,)),
        (lambda m, a, o: m.erf(a, out=o), (2, 3)),
    ]
    for call, out_shape in cases:
        out, tout = minigrad.empty(out_shape), torch.empty(out_shape)
        version = out._version
        assert call(minigrad, x, out) is out
        call(torch, tx, tout)
        same(out, tout)
        assert out._version > version
    ints, tints = pair(np.array([1, 2, 3]))
    out, tout = minigrad.empty(3, dtype=minigrad.float64), torch.empty(3, dtype=torch.float64)
    same(minigrad.exp(ints, out=out), torch.exp(tints, out=tout))  # int64 into float64: allowed


def test_out_resizes_with_pytorchs_warning(torch):
    x = minigrad.ones(2, 3)
    with pytest.warns(UserWarning, match=r"had shape \[4\], which does not match the required output shape \[2, 3\]"):
        out = minigrad.add(x, 1, out=minigrad.empty(4))
    assert out.shape == (2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert minigrad.add(x, 1, out=minigrad.empty(0)).shape == (2, 3)  # an empty out: quietly


def test_out_errors(torch):
    x, tx = pair(np.ones((2, 3), np.float32), requires_grad=True)
    raises_like(lambda: torch.add(tx, 1, out=torch.empty(2, 3)), lambda: minigrad.add(x, 1, out=minigrad.empty(2, 3)))
    raises_like(
        lambda: torch.sin(tx.detach(), out=torch.empty(2, 3, requires_grad=True)),
        lambda: minigrad.sin(x.detach(), out=minigrad.empty(2, 3, requires_grad=True)),
    )
    raises_like(
        lambda: torch.add(tx.detach(), 1, out=torch.empty(2, 3, dtype=torch.long)),
        lambda: minigrad.add(x.detach(), 1, out=minigrad.empty(2, 3, dtype=minigrad.int64)),
    )
    with torch.no_grad(), minigrad.no_grad():
        same(minigrad.add(x, 1, out=minigrad.empty(2, 3)), torch.add(tx, 1, out=torch.empty(2, 3)))


def test_out_on_factories(torch):
    cases = [
        lambda m, o: m.zeros(2, 3, out=o),
        lambda m, o: m.ones(4, out=o),
        lambda m, o: m.full((2,), 1.5, out=o),
        lambda m, o: m.arange(3, out=o),
        lambda m, o: m.linspace(0, 1, 5, out=o),
        lambda m, o: m.eye(3, out=o),
    ]
    for call in cases:
        for dtype in ("float32", "int64", "float64"):
            out, tout = minigrad.empty(0, dtype=getattr(minigrad, dtype)), torch.empty(0, dtype=getattr(torch, dtype))
            assert call(minigrad, out) is out
            same(out, call(torch, tout))
    for call in [
        lambda m, o: m.rand(2, 3, out=o),
        lambda m, o: m.randn(5, out=o),
        lambda m, o: m.normal(0.0, 1.0, (2,), out=o),
    ]:
        out, tout = minigrad.empty(7, dtype=minigrad.float64), torch.empty(7, dtype=torch.float64)
        assert (
            call(minigrad, out) is out and out.shape == tuple(call(torch, tout).shape) and out.dtype is minigrad.float64
        )
    out = minigrad.ones(2, out=minigrad.empty(0), requires_grad=True)
    assert out.requires_grad and out.is_leaf
    raises_like(
        lambda: torch.zeros(2, dtype=torch.float64, out=torch.empty(0)),
        lambda: minigrad.zeros(2, dtype=minigrad.float64, out=minigrad.empty(0)),
    )
    raises_like(
        lambda: torch.ones(2, out=torch.empty(0, requires_grad=True)),
        lambda: minigrad.ones(2, out=minigrad.empty(0, requires_grad=True)),
    )


# ---- softmax without dim ------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 3, 4), (2, 3, 2, 2)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_without_dim_warns_and_takes_the_legacy_dim(torch, shape, name):
    ours, theirs = pair(R.standard_normal(shape).astype(np.float32))
    message = f"Implicit dimension choice for {name} has been deprecated"
    with pytest.warns(UserWarning, match=message) as record:
        got = getattr(F, name)(ours)
    assert record[0].filename == __file__  # the warning points at the caller
    with pytest.warns(UserWarning, match=message):
        want = getattr(torch.nn.functional, name)(theirs)
    same(got, want, rtol=1e-5)
    assert_close(got, getattr(F, name)(ours, 0 if len(shape) in (0, 1, 3) else 1))
