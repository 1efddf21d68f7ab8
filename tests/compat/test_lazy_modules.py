"""Lazy layers, as in PyTorch: placeholders until the first forward, then the eager class with
the same repr, shapes and (seeded) values as the eager layer; optimizers made before the dry
run; state_dict and load_state_dict before it; a d2l-style model compared with torch."""

import copy

import numpy as np
import pytest

import minigrad
from minigrad import nn

# (lazy factory, eager factory (same seed, same order of draws), input shape)
LAYERS = [
    (lambda n: n.LazyLinear(5), lambda n: n.Linear(7, 5), (3, 7)),
    (lambda n: n.LazyLinear(5, bias=False), lambda n: n.Linear(7, 5, bias=False), (2, 3, 7)),
    (lambda n: n.LazyConv1d(4, 3, stride=2), lambda n: n.Conv1d(2, 4, 3, stride=2), (2, 2, 9)),
    (lambda n: n.LazyConv2d(6, 5, padding=2), lambda n: n.Conv2d(3, 6, 5, padding=2), (2, 3, 8, 8)),
    (
        lambda n: n.LazyConv2d(4, 3, groups=2, bias=False),
        lambda n: n.Conv2d(2, 4, 3, groups=2, bias=False),
        (1, 2, 5, 5),
    ),
    (
        lambda n: n.LazyConvTranspose2d(4, 3, stride=2, groups=2),
        lambda n: n.ConvTranspose2d(2, 4, 3, stride=2, groups=2),
        (1, 2, 4, 4),
    ),
    (lambda n: n.LazyBatchNorm1d(), lambda n: n.BatchNorm1d(5), (4, 5)),
    (lambda n: n.LazyBatchNorm2d(momentum=None), lambda n: n.BatchNorm2d(3, momentum=None), (2, 3, 4, 4)),
    (lambda n: n.LazyBatchNorm2d(affine=False), lambda n: n.BatchNorm2d(3, affine=False), (2, 3, 4, 4)),
]


@pytest.mark.parametrize("make_lazy, make_eager, shape", LAYERS)
def test_before_and_after_the_first_call_as_in_torch(torch, make_lazy, make_eager, shape):
    ours, theirs = make_lazy(nn), make_lazy(torch.nn)
    assert type(ours).__name__ == type(theirs).__name__
    assert [(k, type(v).__name__) for k, v in ours.state_dict().items()] == [
        (k, type(v).__name__) for k, v in theirs.state_dict().items()
    ]
    assert [type(p).__name__ for p in ours.parameters()] == [type(p).__name__ for p in theirs.parameters()]
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    ours(minigrad.tensor(x))
    theirs(torch.tensor(x))
    assert type(ours).__name__ == type(theirs).__name__ == type(make_eager(nn)).__name__
    assert repr(ours) == repr(theirs)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
    ]
    assert all(type(p) is nn.Parameter for p in ours.parameters())
    assert not ours._forward_pre_hooks


@pytest.mark.parametrize("make_lazy, make_eager, shape", LAYERS)
def test_seeded_dry_run_equals_the_eager_layer(make_lazy, make_eager, shape):
    minigrad.manual_seed(3)
    lazy = make_lazy(nn)
    lazy(minigrad.zeros(*shape))
    minigrad.manual_seed(3)
    eager = make_eager(nn)
    for (name, a), (_, b) in zip(lazy.named_parameters(), eager.named_parameters()):  # the dry run moved BN stats
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy(), err_msg=name)


def _lenet(n):
    return n.Sequential(
        n.LazyConv2d(6, kernel_size=5, padding=2),
        n.LazyBatchNorm2d(),
        n.Sigmoid(),
        n.AvgPool2d(kernel_size=2, stride=2),
        n.LazyConv2d(16, kernel_size=5),
        n.Sigmoid(),
        n.AvgPool2d(kernel_size=2, stride=2),
        n.Flatten(),
        n.LazyLinear(120),
        n.LazyBatchNorm1d(),
        n.Sigmoid(),
        n.LazyLinear(10),
    )


def test_d2l_style_lazy_model_trains_as_torch_from_the_same_weights(torch):
    torch.manual_seed(0)
    ours, theirs = _lenet(nn).double(), _lenet(torch.nn).double()  # float64: compare to 1e-10
    opt_ours = minigrad.optim.SGD(ours.parameters(), lr=0.1)  # made before the dry run, as d2l does
    opt_theirs = torch.optim.SGD(theirs.parameters(), lr=0.1)
    ours(minigrad.zeros(2, 1, 28, 28, dtype=minigrad.float64))
    theirs(torch.zeros(2, 1, 28, 28, dtype=torch.float64))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    rng = np.random.default_rng(0)
    for _ in range(3):
        x = rng.standard_normal((4, 1, 28, 28))
        y = rng.integers(0, 10, 4)
        for model, opt, lib in ((ours, opt_ours, minigrad), (theirs, opt_theirs, torch)):
            opt.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(y))
            loss.backward()
            opt.step()
    for (name, a), (_, b) in zip(ours.state_dict().items(), theirs.state_dict().items()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_placeholders_refuse_shape_questions_as_torch_does(torch):
    for lib in (minigrad, torch):
        weight = lib.nn.LazyLinear(3).weight
        assert repr(weight) == "<UninitializedParameter>" and weight.requires_grad
        with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized parameter"):
            _ = weight.shape
        for call in (weight.numel, weight.dim, weight.detach, weight.__len__):
            with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter in"):
                call()


def test_optimizers_on_placeholders_as_in_torch(torch):
    for lib in (minigrad, torch):
        lib.optim.SGD(lib.nn.LazyLinear(3).parameters(), lr=0.1)
        lib.optim.Adam(lib.nn.LazyLinear(3).parameters())
        with pytest.raises((RuntimeError, ValueError), match="uninitialized parameter"):
            lib.optim.Adagrad(lib.nn.LazyLinear(3).parameters())


def test_load_state_dict_before_the_first_call(torch):
    eager = nn.Linear(4, 3)
    lazy = nn.LazyLinear(3)
    assert repr(lazy.load_state_dict(eager.state_dict())) == "<All keys matched successfully>"
    assert type(lazy) is nn.LazyLinear and lazy.weight.shape == (3, 4)
    x = minigrad.ones(2, 4)
    np.testing.assert_array_equal(lazy(x).detach().numpy(), eager(x).detach().numpy())
    assert type(lazy) is nn.Linear and lazy.in_features == 4
    still_lazy = nn.LazyLinear(3)
    still_lazy.load_state_dict(nn.LazyLinear(3).state_dict())
    assert still_lazy.has_uninitialized_params()
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        nn.Linear(4, 3).load_state_dict(nn.LazyLinear(3).state_dict())


def test_dtype_before_the_first_call_is_kept():
    model = nn.Sequential(nn.LazyLinear(3), nn.LazyBatchNorm1d()).double()
    model(minigrad.zeros(2, 5, dtype=minigrad.float64))
    assert {t.dtype for t in model.state_dict().values() if t.dtype.is_floating_point} == {minigrad.float64}
    assert nn.LazyConv2d(2, 3, dtype=minigrad.float64).weight._array.dtype == np.float64


def test_copies_and_errors():
    lazy = copy.deepcopy(nn.LazyConv2d(4, 3))
    assert lazy.has_uninitialized_params()
    lazy(minigrad.zeros(1, 2, 5, 5))
    assert type(lazy) is nn.Conv2d and lazy.in_channels == 2
    with pytest.raises(RuntimeError, match=r"Expected 3D \(unbatched\) or 4D \(batched\) input to LazyConv2d"):
        nn.LazyConv2d(4, 3)(minigrad.zeros(5, 5))
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        nn.LazyConv2d(4, 3, groups=2)(minigrad.zeros(1, 3, 5, 5))
