"""minigrad.Size, the new_* methods, as_tensor, is_tensor, numel, isclose / allclose and
format() of 0-d tensors, each against PyTorch."""

import pickle

import numpy as np
import pytest

import minigrad


def same_repr(ours, theirs):
    assert repr(ours) == repr(theirs).replace("torch.", "minigrad.")


SIZE_EXPRESSIONS = [
    lambda S: S([2, 3]),
    lambda S: S((2, 3)),
    lambda S: S(),
    lambda S: S([2, 3])[1:],
    lambda S: S([2, 3])[::-1],
    lambda S: S([2, 3])[0:0],
    lambda S: S([2, 3]) + (4,),
    lambda S: (4,) + S([2, 3]),
    lambda S: S([2, 3]) + S([4]),
    lambda S: S([2, 3]) * 2,
    lambda S: 2 * S([2, 3]),
    lambda S: S([True, 2]),
    lambda S: S(np.array([2, 3])),
    lambda S: S([-1]),
]


@pytest.mark.parametrize("make", SIZE_EXPRESSIONS)
def test_size_behaves_as_torch_size(torch, make):
    ours, theirs = make(minigrad.Size), make(torch.Size)
    same_repr(ours, theirs)
    assert str(ours) == str(theirs).replace("torch.", "minigrad.")
    assert type(ours) is minigrad.Size and ours == theirs and ours.numel() == theirs.numel()
    assert hash(ours) == hash(tuple(theirs))


def test_size_refuses_what_torch_size_refuses(torch):
    for bad in ([2.5], 3, ["a"]):
        with pytest.raises(TypeError):
            torch.Size(bad)
        with pytest.raises(TypeError):
            minigrad.Size(bad)
    with pytest.raises(TypeError):
        minigrad.Size([2]) + [4]


def test_shape_and_size_return_a_size(torch):
    t, tt = minigrad.zeros(2, 3), torch.zeros(2, 3)
    same_repr(t.shape, tt.shape)
    same_repr(t.size(), tt.size())
    assert t.size(1) == tt.size(1) == 3 and t.size(dim=-1) == 3 and t.size(None) == (2, 3)
    assert t.shape == (2, 3) and t.shape != [2, 3] and isinstance(t.shape, tuple)
    assert minigrad.zeros(2, 3).shape.numel() == 6 and minigrad.tensor(1.0).shape.numel() == 1
    assert pickle.loads(pickle.dumps(t.shape)) == t.shape
    assert minigrad.zeros(t.shape).shape == t.shape and minigrad.zeros(*t.shape).shape == t.shape
    assert t.view(t.shape[::-1]).shape == (3, 2)


@pytest.mark.parametrize("shape, dim", [((2,), 2), ((2,), -3), ((), 0), ((2, 3), 5)])
def test_size_of_a_bad_dim_raises_pytorchs_error(torch, shape, dim):
    with pytest.raises(IndexError) as theirs:
        torch.zeros(shape).size(dim)
    with pytest.raises(IndexError) as ours:
        minigrad.zeros(shape).size(dim)
    assert str(ours.value) == str(theirs.value)


NEW_CALLS = [
    lambda m, t: t.new_ones(2),
    lambda m, t: t.new_ones((2, 3)),
    lambda m, t: t.new_ones(2, 3),
    lambda m, t: t.new_zeros([2, 3]),
    lambda m, t: t.new_full((2,), 3),
    lambda m, t: t.new_full([2], 3.5),
    lambda m, t: t.new_empty(2).shape,
    lambda m, t: t.new_tensor([1, 2]),
    lambda m, t: t.new_tensor([1, 2], dtype=m.int64),
    lambda m, t: t.new_tensor([1.5, 2]),
    lambda m, t: t.new_ones(2, requires_grad=True),
    lambda m, t: t.new_ones(2, dtype=m.int64),
    lambda m, t: t.new_zeros(2, dtype=m.float64),
]


@pytest.mark.parametrize("dtype", ["float32", "float64", "int32"])
@pytest.mark.parametrize("call", NEW_CALLS)
def test_new_methods_match_pytorch(torch, call, dtype):
    source, torch_source = (
        minigrad.tensor([5], dtype=getattr(minigrad, dtype)),
        torch.tensor([5], dtype=getattr(torch, dtype)),
    )
    try:
        theirs = call(torch, torch_source)
    except RuntimeError:  # an integer tensor cannot require grad
        with pytest.raises(RuntimeError):
            call(minigrad, source)
        return
    same_repr(call(minigrad, source), theirs)


def test_new_methods_ignore_the_source_autograd_state(torch):
    x = minigrad.tensor(5.5, requires_grad=True)
    assert not x.new_ones(2).requires_grad and not torch.tensor(5.5, requires_grad=True).new_ones(2).requires_grad
    with pytest.raises(TypeError):
        torch.tensor(5.5).new_full(2, 3)
    with pytest.raises(TypeError, match="new_full"):
        minigrad.tensor(5.5).new_full(2, 3)


def test_as_tensor_shares_when_it_can(torch):
    a = np.zeros(3, dtype=np.float32)
    t = minigrad.as_tensor(a)
    t[0] = 1.0
    assert a[0] == 1.0 and t.dtype is minigrad.float32
    assert minigrad.as_tensor(np.zeros(2)).dtype is minigrad.float64  # the array's dtype, as torch
    assert torch.as_tensor(np.zeros(2)).dtype is torch.float64
    x = minigrad.ones(2)
    assert minigrad.as_tensor(x) is x and minigrad.as_tensor(x, dtype=minigrad.float32) is not None
    converted = minigrad.as_tensor(a, dtype=minigrad.float64)
    converted[1] = 7.0
    assert a[1] == 0.0  # another dtype: a copy
    for data in ([1, 2], 3.0, [[1.5], [2.0]], (True, False)):
        same_repr(minigrad.as_tensor(data), torch.as_tensor(data))
    g = minigrad.as_tensor(minigrad.ones(2, requires_grad=True), dtype=minigrad.float64)
    assert g.requires_grad and g.grad_fn is not None  # a differentiable conversion, as PyTorch's ToCopyBackward0


def test_is_tensor_and_numel(torch):
    for obj in ([1], np.ones(1), 3.0, None):
        assert minigrad.is_tensor(obj) is torch.is_tensor(obj) is False
    assert minigrad.is_tensor(minigrad.ones(1)) and minigrad.is_tensor(minigrad.nn.Parameter(minigrad.ones(1)))
    assert minigrad.numel(minigrad.zeros(2, 3)) == torch.numel(torch.zeros(2, 3)) == 6
    with pytest.raises(TypeError):
        torch.numel([1, 2])
    with pytest.raises(TypeError, match="must be Tensor"):
        minigrad.numel([1, 2])


CLOSE_CASES = [
    ([1.0, 2.0], [1.0, 2.1], {}),
    ([1.0, 2.0], [1.0 + 1e-6, 2.0], {}),
    ([1.0, 2.0], [1.0 + 1e-4, 2.0], {}),
    ([1.0, 2.0], [1.1, 2.0], {"rtol": 0.2}),
    ([0.0], [1e-9], {}),
    ([0.0], [1e-7], {}),
    ([0.0], [1e-7], {"atol": 1e-6}),
    ([float("nan"), 1.0], [float("nan"), 1.0], {}),
    ([float("nan"), 1.0], [float("nan"), 1.0], {"equal_nan": True}),
    ([float("inf"), float("-inf")], [float("inf"), float("inf")], {}),
    ([[1.0, 2.0], [3.0, 4.0]], [1.0, 2.0], {}),
    ([1, 2], [1, 3], {}),
    ([True, False], [True, True], {}),
]


@pytest.mark.parametrize("a, b, kwargs", CLOSE_CASES)
def test_isclose_and_allclose_match_pytorch(torch, a, b, kwargs):
    ma, mb, ta, tb = minigrad.tensor(a), minigrad.tensor(b), torch.tensor(a), torch.tensor(b)
    same_repr(minigrad.isclose(ma, mb, **kwargs), torch.isclose(ta, tb, **kwargs))
    same_repr(ma.isclose(mb, **kwargs), ta.isclose(tb, **kwargs))
    assert minigrad.allclose(ma, mb, **kwargs) is torch.allclose(ta, tb, **kwargs)
    assert ma.allclose(mb, **kwargs) is ta.allclose(tb, **kwargs)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.isclose(m.tensor([1, 2]), m.tensor([1.0, 2.1])),
        lambda m: m.allclose(m.tensor([1.0]), m.tensor([1.0], dtype=m.float64)),
        lambda m: m.allclose(m.tensor([1.0, 2.0]), 1.0),
        lambda m: m.isclose(m.tensor([1.0]), m.tensor([1.0]), rtol=-1),
        lambda m: m.isclose(m.tensor([1.0]), m.tensor([1.0]), atol=-1),
        lambda m: m.allclose(m.ones(2, 3), m.ones(4)),
    ],
)
def test_isclose_refuses_what_pytorch_refuses(torch, call):
    with pytest.raises(Exception) as theirs:
        call(torch)
    with pytest.raises(type(theirs.value)) as ours:
        call(minigrad)
    if "did not match" in str(theirs.value) or "greater than or equal" in str(theirs.value):
        assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    "value, spec",
    [(2.5, ".3f"), (2.5, ""), (2, "d"), (2.5, ">10"), (True, ""), (1e-7, ".2e"), (3, "")],
)
def test_format_of_0d_tensors_is_the_values(torch, value, spec):
    assert format(minigrad.tensor(value), spec) == format(torch.tensor(value), spec)
    loss = minigrad.tensor(0.123456, requires_grad=True) * 1
    assert f"loss: {loss:.3f}" == "loss: 0.123"


def test_format_spec_on_a_non_scalar_tensor_raises_as_pytorch(torch):
    with pytest.raises(TypeError) as theirs:
        format(torch.tensor([2.5]), ".3f")
    with pytest.raises(TypeError) as ours:
        format(minigrad.tensor([2.5]), ".3f")
    assert str(ours.value) == str(theirs.value)
    assert format(minigrad.tensor([2.5]), "") == format(torch.tensor([2.5]), "") == "tensor([2.5000])"
