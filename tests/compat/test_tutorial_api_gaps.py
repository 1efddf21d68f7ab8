"""The API gaps the tutorial ports met, against PyTorch: scatter / scatter_ (the transforms
tutorial's one-hot), matmul(out=), the factories' size= keyword (d2l's rand(size=...))."""

import numpy as np
import pytest

import minigrad


def scatter_cases(t):
    src = t.arange(12.0).reshape(3, 4)
    return [
        t.zeros(10, dtype=t.float).scatter_(0, t.tensor(3), value=1),
        t.zeros(3, 4).scatter(1, t.tensor([[0, 2], [1, 0], [3, 1]]), src),
        t.ones(3, 4).scatter(0, t.tensor([[2, 1, 0, 1]]), src),
        t.scatter(t.zeros(2, 3), -1, t.tensor([[1], [2]]), value=7.0),
        t.zeros(2, 2, dtype=t.long).scatter_(1, t.tensor([[1], [0]]), t.tensor([[5], [6]])),
    ]


def test_scatter_as_in_torch(torch):
    for ours, theirs in zip(scatter_cases(minigrad), scatter_cases(torch)):
        assert ours.numpy().dtype == theirs.numpy().dtype
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_scatter_gradients_as_in_torch(torch):
    grads = []
    for t in (minigrad, torch):
        x = t.ones(3, 4, requires_grad=True)
        src = t.full((3, 1), 2.0, requires_grad=True)
        y = t.scatter(x * 1, 1, t.tensor([[0], [1], [3]]), src)
        (y * t.arange(12.0).reshape(3, 4)).sum().backward()
        grads.append((x.grad.numpy(), src.grad.numpy(), type(y.grad_fn).__name__))
    np.testing.assert_array_equal(grads[0][0], grads[1][0])
    np.testing.assert_array_equal(grads[0][1], grads[1][1])
    assert grads[0][2] == grads[1][2] == "ScatterBackward0"


def test_scatter_refuses():
    with pytest.raises(RuntimeError, match="out of bounds"):
        minigrad.zeros(3).scatter(0, minigrad.tensor([5]), value=1)
    with pytest.raises(RuntimeError, match="int64"):
        minigrad.zeros(3).scatter(0, minigrad.tensor([1.0]), value=1)
    with pytest.raises(TypeError, match="exactly one"):
        minigrad.zeros(3).scatter(0, minigrad.tensor([1]))


def test_matmul_out_as_in_torch(torch):
    results = []
    for t in (minigrad, torch):
        a = t.tensor(np.arange(6.0, dtype=np.float32).reshape(2, 3))
        out = t.empty(2, 2)
        returned = t.matmul(a, a.T, out=out)
        results.append((out.numpy().copy(), returned is out))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    assert results[0][1] and results[1][1]
    with pytest.raises(RuntimeError, match="out="):
        minigrad.matmul(minigrad.ones(2, 2, requires_grad=True), minigrad.ones(2, 2), out=minigrad.empty(2, 2))


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "rand", "randn"])
def test_size_keyword_as_in_torch(torch, name):
    ours = getattr(minigrad, name)(size=(2, 3), dtype=minigrad.float64)
    theirs = getattr(torch, name)(size=(2, 3), dtype=torch.float64)
    assert tuple(ours.shape) == tuple(theirs.shape) and ours.numpy().dtype == theirs.numpy().dtype
    with pytest.raises(TypeError):
        getattr(torch, name)(2, size=(3,))
    with pytest.raises(TypeError, match="multiple values for argument 'size'"):
        getattr(minigrad, name)(2, size=(3,))


def test_randint_forms_as_in_torch(torch):
    for lib in (minigrad, torch):
        lib.manual_seed(0)
        assert isinstance(lib.randint(10, size=(1,)).item(), int)  # the datasets tutorial's sample index
        assert lib.randint(high=5, size=(2,)).shape == (2,)
        values = lib.randint(3, 10, size=(50,))
        assert 3 <= values.min().item() and values.max().item() < 10
        with pytest.raises(TypeError):
            lib.randint(10)
