"""Tensor: constructors and dtype rules, factories, attributes, repr, conversions, and
the rules for requires_grad."""

import numpy as np
import pytest

import minigrad
from minigrad import Tensor
from minigrad.testing import assert_close

# ---- minigrad.tensor and its dtype rules ------------------------------------------------


@pytest.mark.parametrize(
    "data, dtype",
    [
        (1.5, minigrad.float32),
        ([1.0, 2.0], minigrad.float32),
        ([[1.0, 2.0], [3.0, 4.0]], minigrad.float32),
        ([1, 2.5], minigrad.float32),  # one float makes the whole tensor floating
        (3, minigrad.int64),
        ([1, 2, 3], minigrad.int64),
        (True, minigrad.bool),
        ([True, False], minigrad.bool),
    ],
)
def test_python_data_dtype(data, dtype):
    t = minigrad.tensor(data)
    assert t.dtype is dtype
    np.testing.assert_array_equal(t._array, np.asarray(data))


@pytest.mark.parametrize(
    "np_dtype, dtype",
    [
        (np.float64, minigrad.float64),
        (np.float32, minigrad.float32),
        (np.float16, minigrad.float16),
        (np.int32, minigrad.int32),
        (np.int64, minigrad.int64),
        (np.uint8, minigrad.uint8),
        (np.bool_, minigrad.bool),
    ],
)
def test_numpy_array_keeps_its_dtype(np_dtype, dtype):
    t = minigrad.tensor(np.array([1, 0, 1], dtype=np_dtype))
    assert t.dtype is dtype


def test_numpy_scalar_keeps_its_dtype():
    assert minigrad.tensor(np.float64(1.0)).dtype is minigrad.float64
    assert minigrad.tensor(np.float32(1.0)).dtype is minigrad.float32


def test_explicit_dtype_wins():
    t = minigrad.tensor([1, 2], dtype=minigrad.float64)
    assert t.dtype is minigrad.float64
    assert minigrad.tensor([1.7, 2.2], dtype=minigrad.int64).tolist() == [1, 2]
    assert minigrad.tensor(np.array([1.0]), dtype=minigrad.float32).dtype is minigrad.float32


def test_default_dtype_governs_python_floats_and_factories():
    minigrad.set_default_dtype(minigrad.float64)
    try:
        assert minigrad.tensor([1.0]).dtype is minigrad.float64
        assert minigrad.zeros(2).dtype is minigrad.float64
        assert minigrad.tensor([1]).dtype is minigrad.int64
    finally:
        minigrad.set_default_dtype(minigrad.float32)
    assert minigrad.tensor([1.0]).dtype is minigrad.float32
    with pytest.raises(TypeError, match="floating-point"):
        minigrad.set_default_dtype(minigrad.int64)


def test_tensor_copies_its_data():
    array = np.array([1.0, 2.0])
    t = minigrad.tensor(array)
    array[0] = 100.0
    assert t.tolist() == [1.0, 2.0]
    u = minigrad.tensor(t)
    t._array[1] = 50.0
    assert u.tolist() == [1.0, 2.0]


def test_from_numpy_shares_memory():
    array = np.array([1.0, 2.0])
    t = minigrad.from_numpy(array)
    array[0] = 7.0
    assert t.tolist() == [7.0, 2.0]
    assert t.dtype is minigrad.float64


def test_tensor_from_a_tensor_drops_the_graph():
    x = minigrad.tensor([1.0], requires_grad=True)
    y = minigrad.tensor(x * 2)
    assert y.grad_fn is None and not y.requires_grad


def test_unsupported_data_is_rejected():
    with pytest.raises(TypeError, match="could not infer a dtype"):
        minigrad.tensor("abc")
    with pytest.raises(TypeError, match="no dtype for numpy dtype complex128"):
        minigrad.tensor(np.array([1j]))


def test_ragged_data_is_rejected():
    with pytest.raises(ValueError):
        minigrad.tensor([[1.0], [1.0, 2.0]])


def test_dtype_aliases():
    assert minigrad.float is minigrad.float32
    assert minigrad.double is minigrad.float64
    assert minigrad.long is minigrad.int64
    assert repr(minigrad.float32) == "minigrad.float32"
    assert minigrad.float32.is_floating_point and not minigrad.int64.is_floating_point


# ---- factories --------------------------------------------------------------------------


@pytest.mark.parametrize("factory, value", [(minigrad.zeros, 0.0), (minigrad.ones, 1.0)])
def test_zeros_ones(factory, value):
    for t in (factory(2, 3), factory((2, 3)), factory([2, 3])):
        assert t.shape == (2, 3) and t.dtype is minigrad.float32
        assert (t._array == value).all()
    assert factory(2, dtype=minigrad.int64).dtype is minigrad.int64
    assert factory(()).shape == ()
    t = factory(2, requires_grad=True)
    assert t.requires_grad and t.is_leaf


def test_full_dtype_follows_the_fill_value():
    assert minigrad.full((2,), 1.5).dtype is minigrad.float32
    assert minigrad.full((2,), 3).dtype is minigrad.int64
    assert minigrad.full((2,), True).dtype is minigrad.bool
    assert minigrad.full((2, 2), 7, dtype=minigrad.float64).tolist() == [[7.0, 7.0], [7.0, 7.0]]


def test_empty_and_like_factories():
    base = minigrad.tensor([[1, 2, 3]])
    assert minigrad.empty(3, 4).shape == (3, 4)
    assert minigrad.zeros_like(base).dtype is minigrad.int64
    assert minigrad.zeros_like(base).tolist() == [[0, 0, 0]]
    assert minigrad.ones_like(base, dtype=minigrad.float64).tolist() == [[1.0, 1.0, 1.0]]
    assert minigrad.ones_like(base, dtype=minigrad.float64).dtype is minigrad.float64
    assert minigrad.full_like(base, 5).tolist() == [[5, 5, 5]]
    assert minigrad.empty_like(base).shape == (1, 3)


def test_factory_size_errors():
    with pytest.raises(RuntimeError, match="negative dimension -1"):
        minigrad.zeros(2, -1)
    with pytest.raises(TypeError, match="tuple of ints"):
        minigrad.ones(2.5)


def test_arange():
    assert minigrad.arange(5).tolist() == [0, 1, 2, 3, 4]
    assert minigrad.arange(5).dtype is minigrad.int64
    assert minigrad.arange(2, 8, 3).tolist() == [2, 5]
    t = minigrad.arange(0, 1, 0.25)
    assert t.dtype is minigrad.float32
    assert_close(t, [0.0, 0.25, 0.5, 0.75])
    assert minigrad.arange(5, 0, -2).tolist() == [5, 3, 1]
    assert minigrad.arange(3, dtype=minigrad.float64).dtype is minigrad.float64
    with pytest.raises(RuntimeError, match="step must be nonzero"):
        minigrad.arange(0, 5, 0)


def test_eye_and_linspace():
    assert_close(minigrad.eye(3), np.eye(3, dtype=np.float32))
    assert_close(minigrad.eye(2, 3), np.eye(2, 3, dtype=np.float32))
    assert_close(minigrad.linspace(0, 1, 5), np.linspace(0, 1, 5).astype(np.float32))


def test_random_factories_shapes_and_ranges():
    r = minigrad.rand(1000)
    assert r.dtype is minigrad.float32 and r.shape == (1000,)
    assert 0.0 <= r._array.min() and r._array.max() < 1.0
    n = minigrad.randn(4000, dtype=minigrad.float64)
    assert n.dtype is minigrad.float64
    assert abs(n._array.mean()) < 0.1 and abs(n._array.std() - 1.0) < 0.1
    i = minigrad.randint(3, 7, (500,))
    assert i.dtype is minigrad.int64
    assert set(i.tolist()) == {3, 4, 5, 6}
    assert set(minigrad.randint(2, (100,)).tolist()) == {0, 1}
    with pytest.raises(RuntimeError, match="from=5 >= to=5"):
        minigrad.randint(5, 5, (2,))
    assert sorted(minigrad.randperm(6).tolist()) == list(range(6))
    assert minigrad.rand(2, 3, requires_grad=True).requires_grad


def test_manual_seed_reproduces_random_tensors():
    minigrad.manual_seed(123)
    a = (minigrad.rand(3), minigrad.randn(2, 2), minigrad.randint(0, 100, (4,)))
    minigrad.manual_seed(123)
    b = (minigrad.rand(3), minigrad.randn(2, 2), minigrad.randint(0, 100, (4,)))
    for x, y in zip(a, b):
        assert x.equal(y)
    assert not minigrad.rand(3).equal(a[0])
    assert minigrad.initial_seed() == 123


def test_generator_is_independent_of_the_global_seed():
    g = minigrad.Generator().manual_seed(5)
    first = minigrad.randn(3, generator=g)
    g.manual_seed(5)
    minigrad.manual_seed(99)
    assert minigrad.randn(3, generator=g).equal(first)


# ---- attributes -------------------------------------------------------------------------


def test_shape_attributes():
    t = minigrad.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4)
    assert t.ndim == 3 and t.dim() == 3
    assert t.size() == (2, 3, 4)
    assert t.size(1) == 3 and t.size(-1) == 4
    assert t.numel() == 24
    assert len(t) == 2
    assert t.dtype is minigrad.float32
    assert t.is_floating_point() and not minigrad.tensor([1]).is_floating_point()
    assert t.device == "cpu"
    scalar = minigrad.tensor(2.0)
    assert scalar.shape == () and scalar.ndim == 0 and scalar.numel() == 1
    with pytest.raises(TypeError, match="len\\(\\) of a 0-d tensor"):
        len(scalar)


def test_iteration_yields_rows():
    rows = list(minigrad.tensor([[1, 2], [3, 4]]))
    assert [r.tolist() for r in rows] == [[1, 2], [3, 4]]
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(minigrad.tensor(1.0))


def test_bool_of_a_tensor():
    assert bool(minigrad.tensor([1.0])) is True
    assert bool(minigrad.tensor(0)) is False
    with pytest.raises(RuntimeError, match="more than one value is ambiguous"):
        bool(minigrad.tensor([1.0, 2.0]))


def test_tensors_hash_by_identity():
    a, b = minigrad.tensor([1.0]), minigrad.tensor([1.0])
    assert len({a, b}) == 2


# ---- repr -------------------------------------------------------------------------------


def test_repr_of_default_dtypes_omits_the_dtype():
    assert repr(minigrad.tensor(1.5)) == "tensor(1.5)"
    assert repr(minigrad.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(minigrad.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(minigrad.tensor([[1, 2], [3, 4]])) == "tensor([[1, 2],\n        [3, 4]])"


def test_repr_names_other_dtypes_and_autograd_state():
    assert repr(minigrad.tensor([1.0], dtype=minigrad.float64)) == "tensor([1.], dtype=minigrad.float64)"
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "tensor([1., 2.], requires_grad=True)"
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<MulBackward>)"
    assert repr(x + 1).endswith("grad_fn=<AddBackward>)")
    assert "tensor([], size=(2, 0)" in repr(minigrad.zeros(2, 0))


def test_repr_of_a_large_tensor_is_summarized():
    text = repr(minigrad.arange(5000))
    assert "..." in text and len(text) < 200


# ---- conversions ------------------------------------------------------------------------


def test_item():
    assert minigrad.tensor(2.5).item() == 2.5
    assert isinstance(minigrad.tensor([3]).item(), int)
    assert isinstance(minigrad.tensor([[True]]).item(), bool)
    with pytest.raises(RuntimeError, match="a Tensor with 2 elements cannot be converted to Scalar"):
        minigrad.tensor([1.0, 2.0]).item()
    assert float(minigrad.tensor(1.5)) == 1.5 and int(minigrad.tensor(7)) == 7


def test_item_of_a_tensor_that_requires_grad():
    x = minigrad.tensor(3.0, requires_grad=True)
    assert (x * 2).item() == 6.0


def test_numpy_shares_memory_and_refuses_requires_grad():
    t = minigrad.tensor([1.0, 2.0])
    array = t.numpy()
    assert isinstance(array, np.ndarray) and array.dtype == np.float32
    array[0] = 9.0
    assert t.tolist() == [9.0, 2.0]
    x = minigrad.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Use tensor.detach\(\).numpy\(\) instead"):
        x.numpy()
    assert x.detach().numpy().tolist() == [1.0]
    assert np.asarray(t).shape == (2,)


def test_tolist():
    assert minigrad.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert minigrad.tensor(2.0).tolist() == 2.0
    values = minigrad.tensor([0.5, 1.5]).tolist()
    assert all(type(v) is float for v in values)


@pytest.mark.parametrize(
    "method, dtype",
    [
        ("float", minigrad.float32),
        ("double", minigrad.float64),
        ("long", minigrad.int64),
        ("int", minigrad.int32),
        ("bool", minigrad.bool),
        ("half", minigrad.float16),
    ],
)
def test_dtype_conversion_methods(method, dtype):
    t = getattr(minigrad.tensor([0.0, 2.7]), method)()
    assert t.dtype is dtype
    assert minigrad.tensor([1.0]).to(dtype).dtype is dtype


def test_to_the_same_dtype_returns_self_and_clone_copies():
    t = minigrad.tensor([1.0])
    assert t.to(minigrad.float32) is t
    assert t.to("cpu") is t
    c = t.clone()
    c._array[0] = 5.0
    assert t.item() == 1.0
    with pytest.raises(RuntimeError, match="CPU only"):
        t.to("cuda")


def test_dtype_conversion_is_differentiable():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x.double()
    assert y.dtype is minigrad.float64
    (y * y).sum().backward()
    assert x.grad.dtype is minigrad.float32
    assert_close(x.grad, [2.0, 4.0])


# ---- requires_grad rules ----------------------------------------------------------------


def test_leaf_defaults():
    t = minigrad.tensor([1.0])
    assert not t.requires_grad and t.is_leaf and t.grad is None and t.grad_fn is None


def test_requires_grad_only_for_floating_dtypes():
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype can require gradients"):
        minigrad.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="only Tensors of floating point dtype"):
        minigrad.tensor([True]).requires_grad_()


def test_requires_grad_underscore_returns_self_and_toggles():
    t = minigrad.tensor([1.0])
    assert t.requires_grad_() is t and t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad


def test_results_require_grad_when_an_input_does():
    x = minigrad.tensor([1.0], requires_grad=True)
    c = minigrad.tensor([2.0])
    y = x * c
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    z = c * c
    assert not z.requires_grad and z.is_leaf and z.grad_fn is None


def test_non_leaf_cannot_stop_requiring_grad():
    y = minigrad.tensor([1.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="only change requires_grad flags of leaf variables"):
        y.requires_grad_(False)
    assert y.requires_grad_(True) is y


def test_integer_results_of_float_inputs_do_not_require_grad():
    x = minigrad.tensor([1.5, -2.0], requires_grad=True)
    assert not x.argmax().requires_grad
    assert not (x > 0).requires_grad
    values, indices = x.max(0)
    assert values.requires_grad and not indices.requires_grad


def test_detach_shares_data_but_not_history():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert np.shares_memory(d._array, y._array)
    d_ = (x * 3).detach_()
    assert d_.grad_fn is None and not d_.requires_grad


def test_grad_attribute_is_a_tensor_of_the_leaf_shape_and_dtype():
    x = minigrad.tensor([[1.0, 2.0]], dtype=minigrad.float64, requires_grad=True)
    (x * x).sum().backward()
    assert isinstance(x.grad, Tensor)
    assert x.grad.shape == (1, 2) and x.grad.dtype is minigrad.float64
    assert not x.grad.requires_grad


def test_comparisons_and_logical_ops_give_bool_tensors():
    a = minigrad.tensor([1.0, 2.0, 3.0])
    for result in (a == 2.0, a != 2.0, a < 2.0, a <= 2.0, a > 2.0, a >= 2.0, ~(a > 1), (a > 1) & (a < 3)):
        assert result.dtype is minigrad.bool
    assert (a > 1.5).tolist() == [False, True, True]
    assert a.eq(a).all().item() is True
    assert a.equal(minigrad.tensor([1.0, 2.0, 3.0]))
    assert not a.equal(minigrad.tensor([1.0, 2.0]))
    assert a.allclose(a + 1e-9)
