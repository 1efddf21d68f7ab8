"""Training batch norm and ReLU against PyTorch on the paths of the fused kernels
(minigrad_core.batch_norm) and the numpy paths they leave to others: forward, backward,
running statistics, NaN / inf propagation, and double backward (gradcheck,
gradgradcheck) in float64."""

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad.autograd import gradcheck, gradgradcheck

TOL = {np.float32: dict(rtol=1e-4, atol=1e-5), np.float64: dict(rtol=1e-10, atol=1e-12)}


def _pair(torch, array, requires_grad=False):
    """The same values as a minigrad and a torch tensor."""
    return (
        minigrad.tensor(array.copy(), requires_grad=requires_grad),
        torch.tensor(array.copy(), requires_grad=requires_grad),
    )


def _close(actual, expected, dtype):
    np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(), equal_nan=True, **TOL[dtype])


def _batch_norm_both(torch, x, g, affine, momentum=0.1, steps=2, layout=None):
    """Train-mode batch norm, `steps` calls, on minigrad and torch; x (N, C, *) arrays.
    layout="transposed" feeds a non-contiguous input (the numpy path)."""
    rng = np.random.default_rng(1)
    channels, dtype = x.shape[1], x.dtype.type
    weight = (rng.random(channels) + 0.5).astype(dtype) if affine else None
    bias = rng.standard_normal(channels).astype(dtype) if affine else None
    results = []
    for lib, tensor in ((minigrad, minigrad.tensor), (torch, torch.tensor)):
        xs = tensor(x.copy(), requires_grad=True)
        inp = xs.transpose(0, 1).contiguous().transpose(0, 1) if layout == "transposed" else xs
        w = tensor(weight.copy(), requires_grad=True) if affine else None
        b = tensor(bias.copy(), requires_grad=True) if affine else None
        rm, rv = tensor(np.zeros(channels, dtype)), tensor(np.ones(channels, dtype))
        functional = F if lib is minigrad else torch.nn.functional
        for _ in range(steps):
            y = functional.batch_norm(inp, rm, rv, w, b, training=True, momentum=momentum)
        y.backward(tensor(g.copy()))
        results.append(
            dict(y=y, gx=xs.grad, gw=None if w is None else w.grad, gb=None if b is None else b.grad, rm=rm, rv=rv)
        )
    return results


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize(
    "shape",
    [(8, 4, 6, 5), (4, 3, 32, 32), (16, 32, 4, 4), (3, 5, 1, 1), (7, 6), (5, 1100), (3, 4, 9), (2, 3, 2, 3, 4)],
)
def test_forward_backward_and_running_statistics_match_torch(torch, shape, affine, dtype):
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(shape) * 2 + 3).astype(dtype)
    g = rng.standard_normal(shape).astype(dtype)
    mine, theirs = _batch_norm_both(torch, x, g, affine, momentum=0.3)
    for key in mine:
        if mine[key] is not None:
            _close(mine[key], theirs[key], dtype)


def test_the_numpy_path_for_a_strided_input_matches_torch(torch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3, 5, 5)).astype(np.float32)
    g = rng.standard_normal(x.shape).astype(np.float32)
    mine, theirs = _batch_norm_both(torch, x, g, affine=True, layout="transposed")
    for key in mine:
        _close(mine[key], theirs[key], np.float32)


@pytest.mark.parametrize("shape", [(4, 3, 5, 5), (4, 3, 2, 2), (6, 3)])
@pytest.mark.parametrize("special", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_propagate_as_in_torch(torch, shape, special):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    x[(1, 0) + (0,) * (len(shape) - 2)] = special
    g = rng.standard_normal(shape)
    g[(0, 2) + (0,) * (len(shape) - 2)] = special
    mine, theirs = _batch_norm_both(torch, x, g, affine=True)
    for key in mine:
        _close(mine[key], theirs[key], np.float64)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_backward_matches_torch_threshold_backward(torch, dtype):
    """Large enough for the kernel: NaN in the output lets the gradient through, a NaN or inf
    gradient where the output is 0 gives 0."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 8, 16, 16)).astype(dtype)
    x.flat[:4] = [np.nan, np.inf, -np.inf, 0.0]
    g = rng.standard_normal(x.shape).astype(dtype)
    g.flat[2:8] = [np.nan, np.inf, np.nan, -np.inf, np.nan, np.inf]
    ours, theirs = _pair(torch, x, requires_grad=True)
    minigrad.relu(ours).backward(minigrad.tensor(g))
    torch.relu(theirs).backward(torch.tensor(g))
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


def test_relu_backward_of_a_strided_gradient_matches_torch(torch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 256))
    g = rng.standard_normal((256, 64))
    ours, theirs = _pair(torch, x, requires_grad=True)
    minigrad.relu(ours).backward(minigrad.tensor(g).t())
    torch.relu(theirs).backward(torch.tensor(g).t())
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy())


@pytest.mark.parametrize("shape", [(2, 2, 4, 5), (3, 2, 2, 2), (4, 3)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_gradcheck_and_gradgradcheck(shape, affine):
    rng = np.random.default_rng(0)
    x = minigrad.tensor(rng.standard_normal(shape), requires_grad=True)
    channels = shape[1]
    params = (
        (
            minigrad.tensor(rng.random(channels) + 0.5, requires_grad=True),
            minigrad.tensor(rng.standard_normal(channels), requires_grad=True),
        )
        if affine
        else ()
    )

    def fn(x, *wb):
        return F.batch_norm(x, None, None, *wb, training=True)

    assert gradcheck(fn, (x, *params))
    assert gradgradcheck(fn, (x, *params))


def test_relu_gradcheck_through_the_kernel():
    """Large enough for the kernel (its double backward, recorded, is the registry's gradgradcheck)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(8192)
    x[np.abs(x) < 0.05] = 0.5  # away from the kink
    x = minigrad.tensor(x, requires_grad=True)

    def fn(x):
        return (minigrad.relu(x) * minigrad.relu(x)).sum()

    assert gradcheck(fn, (x,))
