"""``Tensor.data`` as in PyTorch: the tutorial idioms through ``.data`` give PyTorch's results.

``.data`` is a tensor sharing the memory, not requiring grad, with no history and its own
version counter (in-place changes through it are neither recorded nor seen by the
saved-tensor check, unlike ``detach()``); ``p.data = t`` replaces the storage. The array
itself is ``numpy()`` for users (``_array`` inside minigrad).
"""

import numpy as np
import pytest

import minigrad
from minigrad import nn


def pair(torch, values, requires_grad=False):
    """The same float32 values as a minigrad and a torch tensor."""
    values = np.asarray(values, dtype=np.float32)
    ours = minigrad.tensor(values, requires_grad=requires_grad)
    return ours, torch.tensor(values, requires_grad=requires_grad)


def test_data_is_a_tensor_sharing_memory_outside_autograd(torch):
    for module in (minigrad, torch):
        p = module.nn.Parameter(module.ones(3))
        d = p.data
        assert type(d) is module.Tensor  # not a Parameter
        assert not d.requires_grad and d.grad_fn is None and d.is_leaf
        assert p.requires_grad and d is not p.data  # a new tensor on every read
        d[0] = 5.0  # written through .data: p sees it, autograd does not
        assert p[0].item() == 5.0 and p._version == 0 and p.is_leaf


def test_data_of_a_non_leaf(torch):
    x, xt = pair(torch, [0.5, -1.0, 2.0], requires_grad=True)
    y, yt = x * 2, xt * 2
    for d in (y.data, yt.data):
        assert not d.requires_grad and d.is_leaf and d.grad_fn is None
    assert y.data.tolist() == yt.data.tolist()
    assert np.shares_memory(y.data.numpy(), y.detach().numpy())


@pytest.mark.parametrize("form", ["sub_", "isub"])
def test_manual_sgd_through_data(torch, form):
    """The beginner tutorials' loop: update with .data under grad mode, zero the grads."""
    rng = np.random.default_rng(0)
    x, xt = pair(torch, rng.standard_normal((8, 3)))
    y, yt = pair(torch, rng.standard_normal((8, 1)))
    w, wt = pair(torch, rng.standard_normal((3, 1)), requires_grad=True)
    b, bt = pair(torch, [0.1], requires_grad=True)
    lr = 0.05
    for params, xs, ys in (([w, b], x, y), ([wt, bt], xt, yt)):
        for _ in range(3):
            loss = ((xs @ params[0] + params[1] - ys) ** 2).mean()
            loss.backward()
            for p in params:  # no no_grad(): in-place through .data is not recorded
                if form == "sub_":
                    p.data.sub_(lr * p.grad.data)
                else:
                    p.data -= lr * p.grad.data
                p.grad.data.zero_()
    for ours, theirs in ((w, wt), (b, bt)):
        np.testing.assert_allclose(ours.detach().numpy(), theirs.detach().numpy(), rtol=1e-6, atol=1e-7)
        assert ours.is_leaf and ours.requires_grad and ours.grad_fn is None
        assert ours._version == theirs._version == 0
        assert ours.grad.abs().sum().item() == theirs.grad.abs().sum().item() == 0.0


def test_max_of_data_gives_indices(torch):
    """``_, predicted = torch.max(outputs.data, 1)`` counts correct predictions."""
    rng = np.random.default_rng(1)
    out, out_t = pair(torch, rng.standard_normal((6, 4)), requires_grad=True)
    labels = np.array([0, 1, 2, 3, 0, 1])
    _, pred = out.data.max(1)
    _, pred_t = out_t.data.max(1)
    _, pred_f = minigrad.max(out.data, 1)
    assert pred.dtype == minigrad.int64 and pred.tolist() == pred_t.tolist() == pred_f.tolist()
    correct = (pred == minigrad.tensor(labels)).sum().item()
    assert correct == (pred_t == torch.tensor(labels)).sum().item()


def test_norm_of_data(torch):
    w, wt = pair(torch, [[3.0, -4.0], [1.0, 2.0]], requires_grad=True)
    n, nt = w.data.norm(), wt.data.norm()
    assert not n.requires_grad and not nt.requires_grad
    np.testing.assert_allclose(n.item(), nt.item(), rtol=1e-6)


def test_normal_uniform_zero_through_data(torch):
    """Weight init as older code writes it: on a parameter, through .data, under grad mode."""
    for module in (minigrad, torch):
        layer = module.nn.Linear(50, 40)
        version = layer.weight._version
        module.manual_seed(0)
        layer.weight.data.normal_(0.0, 0.02)
        layer.bias.data.zero_()
        w = layer.weight.detach().numpy()
        assert abs(w.mean()) < 0.002 and abs(w.std() - 0.02) < 0.002 and w.dtype == np.float32
        assert (layer.bias.detach().numpy() == 0).all()
        layer.weight.data.uniform_(-0.1, 0.1)
        w = layer.weight.detach().numpy()
        assert w.min() >= -0.1 and w.max() <= 0.1 and w.std() > 0.05
        assert layer.weight.is_leaf and layer.weight.requires_grad and layer.weight._version == version
    g = minigrad.Generator().manual_seed(3)
    first = minigrad.empty(5).normal_(generator=g).tolist()
    g.manual_seed(3)
    assert minigrad.empty(5).normal_(generator=g).tolist() == first


def test_random_fills_refuse_integers_and_leaves_that_require_grad(torch):
    for module in (minigrad, torch):
        with pytest.raises(NotImplementedError, match="^\"normal_kernel_cpu\" not implemented for 'Long'$"):
            module.zeros(2, dtype=module.int64).normal_()
        with pytest.raises(NotImplementedError, match="^\"check_uniform_bounds\" not implemented for 'Long'$"):
            module.zeros(2, dtype=module.int64).uniform_()
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            module.zeros(2, requires_grad=True).normal_()


def test_clone_of_data(torch):
    for module in (minigrad, torch):
        p = module.nn.Parameter(module.ones(3))
        c = p.data.clone()
        assert not c.requires_grad and c.grad_fn is None
        c.add_(1.0)
        assert p.tolist() == [1.0, 1.0, 1.0] and c.tolist() == [2.0, 2.0, 2.0]


def test_set_data_replaces_the_storage(torch):
    for module in (minigrad, torch):
        p = module.zeros(3, requires_grad=True)
        p.grad = module.ones(3)
        t = module.arange(4.0, dtype=module.float64)
        before = id(p)
        p.data = t  # another shape and dtype: PyTorch allows both
        assert id(p) == before and p.requires_grad and p.is_leaf and p.grad.tolist() == [1.0, 1.0, 1.0]
        assert p.shape == (4,) and p.dtype == module.float64
        t[0] = 10.0  # p now uses t's memory
        assert p[0].item() == 10.0 and p._version == 0
        layer = module.nn.Linear(2, 2)
        layer.weight.data = module.ones(2, 2)
        assert isinstance(layer.weight, module.nn.Parameter) and layer(module.ones(1, 2)).shape == (1, 2)


def test_set_data_errors(torch):
    for module in (minigrad, torch):
        with pytest.raises(TypeError, match=r"^Variable data has to be a tensor, but got numpy.ndarray$"):
            module.zeros(2).data = np.zeros(2)
        with pytest.raises(TypeError, match=r"^Variable data has to be a tensor, but got float$"):
            module.zeros(2).data = 1.0
        with pytest.raises(
            RuntimeError, match="^data set to a tensor that requires gradients must be floating point or complex dtype$"
        ):
            module.zeros(2, requires_grad=True).data = module.zeros(2, dtype=module.int64)
        x = module.zeros(2)  # no grad required: any dtype
        x.data = module.zeros(2, dtype=module.int64)
        assert x.dtype == module.int64


def test_version_counter_of_data_is_its_own_unlike_detach(torch):
    """In place through .data: backward runs (on the changed values); through detach(): it refuses."""
    x, xt = pair(torch, [0.5, -1.0, 2.0], requires_grad=True)
    y, yt = x.exp(), xt.exp()  # exp saves its output
    y.data.mul_(2.0)
    yt.data.mul_(2.0)
    assert y._version == yt._version == 0
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), xt.grad.numpy(), rtol=1e-6)  # 2 e^x: the changed values

    x, xt = pair(torch, [0.5, -1.0, 2.0], requires_grad=True)
    y, yt = x.exp(), xt.exp()
    y.detach().mul_(2.0)
    yt.detach().mul_(2.0)
    assert y._version == yt._version == 1
    for out in (y, yt):
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            out.sum().backward()


def test_numpy_shares_memory_and_refuses_tensors_that_require_grad(torch):
    for module in (minigrad, torch):
        p = module.ones(2, requires_grad=True)
        with pytest.raises(
            RuntimeError,
            match=r"^Can't call numpy\(\) on Tensor that requires grad. Use tensor.detach\(\).numpy\(\) instead.$",
        ):
            p.numpy()
        a = p.data.numpy()
        a[0] = 7.0
        assert p[0].item() == 7.0 and np.shares_memory(a, p.detach().numpy())


def test_module_parameters_loop_with_data():
    """The nn tutorial's update: ``for p in model.parameters(): p.data -= lr * p.grad.data``."""
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    x = minigrad.randn(5, 3)
    loss = model(x).pow(2).mean()
    loss.backward()
    before = [p.detach().numpy().copy() for p in model.parameters()]
    for p in model.parameters():
        p.data -= 0.1 * p.grad.data
    for p, old in zip(model.parameters(), before):
        np.testing.assert_allclose(p.detach().numpy(), old - 0.1 * p.grad.numpy(), rtol=1e-6)
        assert p.is_leaf and p.requires_grad
