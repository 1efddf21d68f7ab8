"""Losses as functions and Modules: values and gradients against PyTorch, and a hypothesis
sweep of cross_entropy's options. (The focal loss, gradchecks and error messages:
tests/nn/test_losses.py.)"""

import hypothesis
import numpy as np
import pytest
import torch
from hypothesis import strategies as st
from inputs import LOGITS, LOGITS_2D, TARGET, TARGET_2D, WEIGHT

import minigrad
from minigrad import nn
from minigrad.nn import functional as F

TF = torch.nn.functional


def _pair(array, requires_grad=True):
    return minigrad.tensor(array, requires_grad=requires_grad), torch.tensor(array, requires_grad=requires_grad)


def _check(ours_fn, torch_fn, x, *args, rtol=1e-5, atol=1e-6, **kwargs):
    """Loss value and input gradient of ours_fn(x, *args) vs torch_fn (args: arrays or None)."""
    xm, xt = _pair(x)
    margs = [minigrad.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    targs = [torch.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    lm, lt = ours_fn(xm, *margs, **kwargs), torch_fn(xt, *targs, **kwargs)
    np.testing.assert_allclose(lm._array, lt.detach().numpy(), rtol=rtol, atol=atol)
    cot = np.random.default_rng(2).standard_normal(lt.shape).astype(x.dtype)
    lm.backward(minigrad.tensor(cot))
    lt.backward(torch.tensor(cot))
    np.testing.assert_allclose(xm.grad._array, xt.grad.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weight", [None, WEIGHT])
@pytest.mark.parametrize("ignore_index", [-100, 1])
@pytest.mark.parametrize("label_smoothing", [0.0, 0.15])
def test_cross_entropy_matches_torch(reduction, weight, ignore_index, label_smoothing):
    for x, t in ((LOGITS, TARGET), (LOGITS_2D, TARGET_2D)):
        _check(
            F.cross_entropy,
            TF.cross_entropy,
            x,
            t,
            weight,
            ignore_index=ignore_index,
            reduction=reduction,
            label_smoothing=label_smoothing,
        )


def test_cross_entropy_unbatched_and_probability_targets():
    _check(F.cross_entropy, TF.cross_entropy, LOGITS[0], np.array(2))
    probs = np.random.default_rng(1).dirichlet(np.ones(4), 6).astype(np.float32)
    for reduction in ("mean", "none"):
        _check(F.cross_entropy, TF.cross_entropy, LOGITS, probs, WEIGHT, reduction=reduction, label_smoothing=0.1)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_matches_torch(reduction):
    logp = np.log(np.random.default_rng(3).dirichlet(np.ones(4), 6)).astype(np.float32)
    _check(F.nll_loss, TF.nll_loss, logp, TARGET, WEIGHT, ignore_index=3, reduction=reduction)
    _check(F.nll_loss, TF.nll_loss, logp, TARGET, reduction=reduction)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_and_binary_losses_match_torch(reduction, rng):
    x = rng.standard_normal((5, 3)).astype(np.float32)
    y = rng.standard_normal((5, 3)).astype(np.float32)
    p = rng.uniform(0.05, 0.95, (5, 3)).astype(np.float32)
    t = rng.uniform(0, 1, (5, 3)).astype(np.float32)
    w = rng.uniform(0.5, 2, (5, 3)).astype(np.float32)
    _check(F.mse_loss, TF.mse_loss, x, y, reduction=reduction)
    _check(F.l1_loss, TF.l1_loss, x + 0.01, y, reduction=reduction)
    _check(F.binary_cross_entropy, TF.binary_cross_entropy, p, t, w, reduction=reduction)
    _check(F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits, x * 10, t, w, reduction=reduction)
    pos_weight = np.array([0.5, 1.0, 3.0], dtype=np.float32)
    xm, xt = _pair(x)
    lm = F.binary_cross_entropy_with_logits(
        xm, minigrad.tensor(t), reduction=reduction, pos_weight=minigrad.tensor(pos_weight)
    )
    lt = TF.binary_cross_entropy_with_logits(
        xt, torch.tensor(t), reduction=reduction, pos_weight=torch.tensor(pos_weight)
    )
    np.testing.assert_allclose(lm._array, lt.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_bce_with_logits_is_stable_for_large_logits():
    x = minigrad.tensor([-200.0, 200.0], requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, minigrad.tensor([1.0, 0.0]), reduction="sum")
    np.testing.assert_allclose(loss.item(), 400.0)
    loss.backward()
    np.testing.assert_allclose(x.grad._array, [-1.0, 1.0])


def test_bce_clamps_log_at_minus_100():
    loss = F.binary_cross_entropy(minigrad.tensor([0.0, 1.0]), minigrad.tensor([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(loss._array, [100.0, 100.0])


# ---- modules --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ours,theirs,make_input,make_target",
    [
        (
            nn.CrossEntropyLoss(minigrad.tensor(WEIGHT), label_smoothing=0.1),
            torch.nn.CrossEntropyLoss(torch.tensor(WEIGHT), label_smoothing=0.1),
            lambda: LOGITS,
            lambda: TARGET,
        ),
        (nn.NLLLoss(ignore_index=0), torch.nn.NLLLoss(ignore_index=0), lambda: -np.abs(LOGITS), lambda: TARGET),
        (nn.MSELoss(reduction="sum"), torch.nn.MSELoss(reduction="sum"), lambda: LOGITS, lambda: LOGITS[::-1].copy()),
        (nn.L1Loss(), torch.nn.L1Loss(), lambda: LOGITS, lambda: LOGITS[::-1].copy()),
        (nn.BCELoss(), torch.nn.BCELoss(), lambda: 1 / (1 + np.exp(-LOGITS)), lambda: (LOGITS > 0).astype(np.float32)),
        (
            nn.BCEWithLogitsLoss(pos_weight=minigrad.tensor(WEIGHT)),
            torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(WEIGHT)),
            lambda: LOGITS,
            lambda: (LOGITS > 0).astype(np.float32),
        ),
    ],
)
def test_loss_modules_match_torch(ours, theirs, make_input, make_target):
    _check(ours, theirs, make_input(), make_target())
    assert repr(ours) == repr(theirs)


@hypothesis.given(
    n=st.integers(1, 6),
    c=st.integers(2, 5),
    extra=st.sampled_from([(), (3,), (2, 2)]),
    smoothing=st.sampled_from([0.0, 0.3]),
    reduction=st.sampled_from(["mean", "sum", "none"]),
    weighted=st.booleans(),
    ignore=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_cross_entropy_sweep_matches_torch(n, c, extra, smoothing, reduction, weighted, ignore, seed):
    g = np.random.default_rng(seed)
    x = g.standard_normal((n, c) + extra)
    t = g.integers(0, c, (n,) + extra)
    if ignore:
        t.flat[0] = -100  # at least one target left out of the loss and of the weighted mean
        hypothesis.assume((t != -100).any())
    w = g.uniform(0.1, 2.0, c) if weighted else None
    ours = F.cross_entropy(
        minigrad.tensor(x),
        minigrad.tensor(t),
        None if w is None else minigrad.tensor(w),
        reduction=reduction,
        label_smoothing=smoothing,
    )
    theirs = TF.cross_entropy(
        torch.tensor(x),
        torch.tensor(t),
        None if w is None else torch.tensor(w),
        reduction=reduction,
        label_smoothing=smoothing,
    )
    np.testing.assert_allclose(ours._array, theirs.numpy(), rtol=1e-10, atol=1e-12)
