"""Eval-mode batch norm: without a graph to record (no_grad, inference_mode, or nothing
requiring grad) it runs on arrays; its numbers are the recorded path's, to rounding."""

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F


def _stats(rng, channels, dtype):
    mean = minigrad.tensor(rng.standard_normal(channels).astype(dtype))
    var = minigrad.tensor(rng.uniform(0.5, 2.0, channels).astype(dtype))
    weight = minigrad.tensor(rng.standard_normal(channels).astype(dtype), requires_grad=True)
    bias = minigrad.tensor(rng.standard_normal(channels).astype(dtype), requires_grad=True)
    return mean, var, weight, bias


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 5), (2, 3, 4, 5)])
def test_unrecorded_eval_batch_norm_matches_the_recorded_one(dtype, affine, shape):
    rng = np.random.default_rng(0)
    x = minigrad.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
    mean, var, weight, bias = _stats(rng, shape[1], dtype)
    w, b = (weight, bias) if affine else (None, None)
    recorded = F.batch_norm(x, mean, var, w, b, training=False, eps=1e-3)
    assert recorded.grad_fn is not None
    with minigrad.no_grad():
        plain = F.batch_norm(x, mean, var, w, b, training=False, eps=1e-3)
    with minigrad.inference_mode():
        inferred = F.batch_norm(x, mean, var, w, b, training=False, eps=1e-3)
    tol = 1e-6 if dtype == np.float32 else 1e-14
    for out in (plain, inferred):
        assert out.grad_fn is None and not out.requires_grad and out.dtype == recorded.dtype
        np.testing.assert_allclose(out.numpy(), recorded.detach().numpy(), rtol=tol, atol=tol)
    direct = (x.detach().numpy() - mean.numpy().reshape((1, -1) + (1,) * (len(shape) - 2))) / np.sqrt(
        var.numpy().reshape((1, -1) + (1,) * (len(shape) - 2)) + 1e-3
    )
    if affine:
        direct = direct * weight.detach().numpy().reshape(direct.shape[1:2] + (1,) * (len(shape) - 2))
        direct = direct + bias.detach().numpy().reshape(direct.shape[1:2] + (1,) * (len(shape) - 2))
    np.testing.assert_allclose(plain.numpy(), direct, rtol=10 * tol, atol=10 * tol)


def test_eval_batch_norm_still_records_when_only_its_weight_requires_grad():
    rng = np.random.default_rng(1)
    x = minigrad.tensor(rng.standard_normal((2, 3, 4)).astype(np.float32))
    mean, var, weight, bias = _stats(rng, 3, np.float32)
    out = F.batch_norm(x, mean, var, weight, bias, training=False)
    out.sum().backward()
    expected = ((x.numpy() - mean.numpy()[:, None]) / np.sqrt(var.numpy()[:, None] + 1e-5)).sum(axis=(0, 2))
    np.testing.assert_allclose(weight.grad.numpy(), expected, rtol=1e-5)
    np.testing.assert_allclose(bias.grad.numpy(), np.full(3, 8.0))
