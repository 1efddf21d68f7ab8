"""nn.utils against torch.nn.utils: clip_grad_norm_ (every norm type, nonfinite norms),
clip_grad_value_, get_total_norm, parameters_to_vector and vector_to_parameters; the
gradients and parameters they change count as changed in place."""

import numpy as np
import pytest

import minigrad
from minigrad.nn import utils

SHAPES = [(3, 4), (5,), (2, 1, 3)]


def _params_with_grads(lib, rng_seed, dtype, scale=1.0):
    rng = np.random.default_rng(rng_seed)
    params = []
    for shape in SHAPES:
        p = lib.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)
        p.grad = lib.tensor((scale * rng.standard_normal(shape)).astype(dtype))
        params.append(p)
    return params


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf", 0])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clip_grad_norm_matches_torch(torch, norm_type, max_norm, dtype):
    ours = _params_with_grads(minigrad, 0, dtype)
    theirs = _params_with_grads(torch, 0, dtype)
    total = utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type, foreach=None)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, minigrad.Tensor) and total.shape == ()
    assert total.numpy().dtype == expected.numpy().dtype
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(total.numpy(), expected.numpy(), rtol=tol)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=tol, atol=tol)


def test_clip_grad_norm_takes_one_tensor_a_generator_and_parameters_without_grads(torch):
    layer = minigrad.nn.Linear(3, 2)
    layer(minigrad.ones(4, 3)).sum().backward()
    layer.bias.grad = None
    total = utils.clip_grad_norm_(layer.parameters(), 1.0)
    assert np.isclose(total.item(), np.sqrt(6 * 4**2))  # the 6 weight grads are 4 each (4 rows of ones)
    np.testing.assert_allclose(np.linalg.norm(layer.weight.grad.numpy()), 1.0, rtol=1e-5)
    single = utils.clip_grad_norm_(layer.weight, 0.5)
    assert np.isclose(single.item(), 1.0, rtol=1e-5)
    with pytest.warns(UserWarning, match="`parameters` is an empty generator"):
        assert utils.clip_grad_norm_((p for p in []), 1.0).item() == 0.0


def test_nonfinite_norm_raises_only_when_asked(torch):
    for lib, module in ((minigrad, utils), (torch, torch.nn.utils)):
        params = _params_with_grads(lib, 0, np.float32)
        params[1].grad[0] = float("nan")
        with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from `parameters` is non-"):
            module.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
        assert np.isnan(module.clip_grad_norm_(params, 1.0).item())


def test_clipping_counts_as_an_in_place_change_of_the_gradient():
    w = minigrad.tensor([3.0, 4.0], requires_grad=True)
    (w * w).sum().backward()
    before = w.grad._version
    utils.clip_grad_norm_([w], 1.0)
    assert w.grad._version == before + 1 and w._version == 0
    utils.clip_grad_value_([w], 0.1)
    assert w.grad._version == before + 2


@pytest.mark.parametrize("clip_value", [0.3, 1, 10.0])
def test_clip_grad_value_matches_torch(torch, clip_value):
    ours = _params_with_grads(minigrad, 1, np.float32, scale=2.0)
    theirs = _params_with_grads(torch, 1, np.float32, scale=2.0)
    assert utils.clip_grad_value_(ours, clip_value) is None
    torch.nn.utils.clip_grad_value_(theirs, clip_value)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


def test_get_total_norm_and_clip_grads_with_norm_match_torch(torch):
    ours = _params_with_grads(minigrad, 2, np.float64)
    theirs = _params_with_grads(torch, 2, np.float64)
    total = utils.get_total_norm([p.grad for p in ours], 3.0)
    expected = torch.nn.utils.get_total_norm([p.grad for p in theirs], 3.0)
    np.testing.assert_allclose(total.numpy(), expected.numpy(), rtol=1e-12)
    utils.clip_grads_with_norm_(ours, 1.0, total)
    torch.nn.utils.clip_grads_with_norm_(theirs, 1.0, expected)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=1e-12)
    assert utils.get_total_norm([]).item() == 0.0


def test_parameters_to_vector_is_differentiable_and_vector_to_parameters_inverts_it(torch):
    ours = _params_with_grads(minigrad, 3, np.float64)
    theirs = _params_with_grads(torch, 3, np.float64)
    vec = utils.parameters_to_vector(ours)
    np.testing.assert_array_equal(vec.detach().numpy(), torch.nn.utils.parameters_to_vector(theirs).detach().numpy())
    weights = minigrad.arange(vec.shape[0], dtype=minigrad.float64)
    (vec * weights).sum().backward()
    flat_grads = np.concatenate([p.grad.numpy().ravel() for p in ours])
    np.testing.assert_array_equal(flat_grads, np.concatenate([g.ravel() for g in _grads_plus(theirs, weights)]))

    new = minigrad.arange(vec.shape[0], dtype=minigrad.float64)
    utils.vector_to_parameters(new, ours)
    torch.nn.utils.vector_to_parameters(torch.arange(vec.shape[0], dtype=torch.float64), theirs)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.detach().numpy(), q.detach().numpy())
        assert p.shape == tuple(q.shape)


def _grads_plus(theirs, weights):
    """The expected .grad after the backward above: the starting gradient plus the weights."""
    start = 0
    for q in theirs:
        n = q.numel()
        yield q.grad.numpy() + weights.numpy()[start : start + n].reshape(tuple(q.shape))
        start += n


def test_vector_to_parameters_errors_match_torch(torch):
    for lib, module in ((minigrad, utils), (torch, torch.nn.utils)):
        p = lib.zeros(3, requires_grad=True)
        with pytest.raises(TypeError, match="Tensor, but got: list"):
            module.vector_to_parameters([1.0, 2.0, 3.0], [p])
        with pytest.raises(RuntimeError, match=r"shape '\[3\]' is invalid for input of size 2"):
            module.vector_to_parameters(lib.zeros(2), [p])
