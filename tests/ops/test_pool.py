"""max_pool2d, avg_pool2d, adaptive pools and max_unpool2d through minigrad.nn.functional:
gradcheck and gradgradcheck in float64 (inputs without ties), PyTorch's rules and error
wording, and PyTorch itself as an oracle when it is installed."""

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.autograd import gradcheck, gradgradcheck


def untied(rng, *shape):
    """A float64 leaf whose entries are distinct and well apart (max pooling has no kinks)."""
    values = rng.permutation(int(np.prod(shape))).reshape(shape) * 0.1 + 0.01 * rng.random(shape)
    return minigrad.tensor(values, requires_grad=True)


MAX_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=(2, 3), stride=(1, 2), dilation=(2, 1), padding=(1, 0)),
]
AVG_CASES = [
    dict(kernel_size=2),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
    dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
    dict(kernel_size=(2, 3), stride=(3, 1), padding=(1, 1), divisor_override=4),
]


@pytest.mark.parametrize("kwargs", MAX_CASES)
def test_max_pool2d_gradcheck_and_gradgradcheck(rng, kwargs):
    x = untied(rng, 2, 2, 7, 6)
    fn = lambda x: F.max_pool2d(x, **kwargs)  # noqa: E731
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("kwargs", AVG_CASES)
def test_avg_pool2d_gradcheck_and_gradgradcheck(rng, kwargs):
    x = untied(rng, 2, 2, 7, 6)
    fn = lambda x: F.avg_pool2d(x, **kwargs)  # noqa: E731
    assert gradcheck(fn, (x,))
    assert gradgradcheck(fn, (x,))


@pytest.mark.parametrize("output_size", [(3, 2), 4, (None, 5), 1])
def test_adaptive_pools_gradcheck_and_gradgradcheck(rng, output_size):
    x = untied(rng, 2, 2, 7, 6)
    for fn in (lambda x: F.adaptive_avg_pool2d(x, output_size), lambda x: F.adaptive_max_pool2d(x, output_size)):
        assert gradcheck(fn, (x,))
        assert gradgradcheck(fn, (x,))


def test_max_unpool2d_gradcheck_and_round_trip(rng):
    x = untied(rng, 1, 2, 6, 6)
    out, idx = F.max_pool2d(x, 2, return_indices=True)
    assert idx.dtype == minigrad.int64 and not idx.requires_grad
    un = F.max_unpool2d(out, idx, 2)
    assert un.shape == x.shape
    np.testing.assert_array_equal((un.detach().numpy() != 0), (x.detach().numpy() == un.detach().numpy()))
    assert gradgradcheck(lambda v: F.max_unpool2d(v, idx, 2), (out.detach().requires_grad_(True),))


def test_1d_pools(rng):
    x = untied(rng, 2, 3, 9)
    assert F.max_pool1d(x, 3, 2).shape == (2, 3, 4)
    assert gradgradcheck(lambda x: F.avg_pool1d(x, 3, 2, padding=1, ceil_mode=True), (x,))


def test_grad_fn_names():
    x = minigrad.randn(1, 1, 4, 4, requires_grad=True)
    y = F.max_pool2d(x, 2)
    assert y.grad_fn.name() == "MaxPool2DWithIndicesBackward0" and y.grad_fn.kernel_size == (2, 2)
    (g,) = minigrad.autograd.grad((y * y).sum(), (x,), create_graph=True)
    assert g.grad_fn.name() == "MaxPool2DWithIndicesBackwardBackward0"
    assert g.grad_fn._forward_cls.__name__ == "MaxPoolScatterFunction"
    assert F.avg_pool2d(x, 2).grad_fn.name() == "AvgPool2DBackward0"
    assert F.adaptive_avg_pool2d(x, 1).grad_fn.name() == "AdaptiveAvgPool2DBackward0"


def test_shapes_of_the_notes():
    x = minigrad.zeros(1, 96, 55, 55)
    assert F.max_pool2d(x, 3, 2).shape == (1, 96, 27, 27)  # AlexNet L2
    assert F.max_pool2d(minigrad.zeros(1, 1, 13, 13), 3, 2).shape[2:] == (6, 6)
    assert F.avg_pool2d(minigrad.zeros(1, 6, 28, 28), 2, 2).shape == (1, 6, 14, 14)  # LeNet-5
    assert F.max_pool2d(minigrad.zeros(1, 1, 5, 5), 2, 2, ceil_mode=True).shape[2:] == (3, 3)
    assert F.max_pool2d(minigrad.zeros(1, 1, 5, 5), 2, 2).shape[2:] == (2, 2)
    assert F.max_pool2d(minigrad.zeros(3, 5, 5), 2).shape == (3, 2, 2)  # unbatched


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x: F.max_pool2d(x, 0), "kernel size should be greater than zero"),
        (lambda x: F.max_pool2d(x, 2, stride=0), "stride should be greater than zero"),
        (lambda x: F.max_pool2d(x, 2, dilation=0), "dilation should be greater than zero"),
        (
            lambda x: F.max_pool2d(x, 3, padding=2),
            "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1",
        ),
        (lambda x: F.avg_pool2d(x, 3, padding=2), "pad should be at most half of effective kernel size"),
        (lambda x: F.avg_pool2d(x, 2, divisor_override=0), "divisor must be not zero"),
        (
            lambda x: F.max_pool2d(x, 7),
            r"Given input size: \(2x5x5\). Calculated output size: \(2x0x0\). "
            r"Output size is too small",
        ),
        (lambda x: F.max_pool2d(x[0, 0, 0], 2), "non-empty 3D or 4D"),
        (lambda x: F.max_pool2d(x.long(), 2), "not implemented for 'long'"),
        (lambda x: F.adaptive_avg_pool2d(x, (2, 2, 2)), "output_size"),
    ],
)
def test_errors(call, message):
    x = minigrad.zeros(1, 2, 5, 5)
    with pytest.raises((RuntimeError, TypeError), match=message):
        call(x)


# ---- PyTorch as the oracle ----------------------------------------------------------------------


def _against_torch(torch, x, mg_fn, torch_fn, rng):
    mg_x = minigrad.tensor(x, requires_grad=True)
    t_x = torch.tensor(x, requires_grad=True)
    mg_out, t_out = mg_fn(mg_x), torch_fn(t_x)
    if isinstance(t_out, tuple):
        np.testing.assert_array_equal(mg_out[1].numpy(), t_out[1].numpy())
        mg_out, t_out = mg_out[0], t_out[0]
    np.testing.assert_allclose(mg_out.detach().numpy(), t_out.detach().numpy(), rtol=1e-12, atol=1e-12)
    cot = rng.standard_normal(t_out.shape)
    mg_out.backward(minigrad.tensor(cot))
    t_out.backward(torch.tensor(cot))
    np.testing.assert_allclose(mg_x.grad.numpy(), t_x.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kwargs", MAX_CASES + [dict(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True)])
def test_max_pool2d_against_torch(rng, kwargs, torch):
    torch_f = torch.nn.functional
    x = rng.standard_normal((2, 3, 9, 8))
    _against_torch(
        torch,
        x,
        lambda t: F.max_pool2d(t, return_indices=True, **kwargs),
        lambda t: torch_f.max_pool2d(t, return_indices=True, **kwargs),
        rng,
    )


@pytest.mark.parametrize(
    "kwargs",
    AVG_CASES
    + [
        dict(kernel_size=4, stride=3, padding=2, ceil_mode=True),  # window past the padding
        dict(kernel_size=4, stride=3, padding=2, ceil_mode=True, count_include_pad=False),
        dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, divisor_override=2),
    ],
)
def test_avg_pool2d_against_torch(rng, kwargs, torch):
    torch_f = torch.nn.functional
    for shape in ((2, 3, 9, 8), (1, 2, 6, 6), (1, 1, 10, 7)):
        _against_torch(
            torch,
            rng.standard_normal(shape),
            lambda t: F.avg_pool2d(t, **kwargs),
            lambda t: torch_f.avg_pool2d(t, **kwargs),
            rng,
        )


@pytest.mark.parametrize("output_size", [(3, 2), (4, 5), (7, 6), (5, 3), 1, (None, 4)])
def test_adaptive_pools_against_torch(rng, output_size, torch):
    torch_f = torch.nn.functional
    x = rng.standard_normal((2, 3, 7, 6))
    _against_torch(
        torch,
        x,
        lambda t: F.adaptive_avg_pool2d(t, output_size),
        lambda t: torch_f.adaptive_avg_pool2d(t, output_size),
        rng,
    )
    _against_torch(
        torch,
        x,
        lambda t: F.adaptive_max_pool2d(t, output_size, return_indices=True),
        lambda t: torch_f.adaptive_max_pool2d(t, output_size, return_indices=True),
        rng,
    )


def test_max_unpool2d_against_torch(rng, torch):
    x = rng.standard_normal((2, 3, 7, 8))
    out, idx = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    expected = torch.nn.functional.max_unpool2d(out, idx, 3, 2, 1, output_size=(7, 8))
    got = F.max_unpool2d(minigrad.tensor(out.numpy()), minigrad.tensor(idx.numpy()), 3, 2, 1, output_size=(7, 8))
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


def test_float32_against_torch(rng, torch):
    x = rng.standard_normal((4, 8, 33, 30)).astype(np.float32)
    for mg, t in ((F.max_pool2d, torch.nn.functional.max_pool2d), (F.avg_pool2d, torch.nn.functional.avg_pool2d)):
        np.testing.assert_allclose(
            mg(minigrad.tensor(x), 3, 2, 1, ceil_mode=True).numpy(),
            t(torch.tensor(x), 3, 2, 1, ceil_mode=True).numpy(),
            rtol=1e-6,
            atol=1e-6,
        )
