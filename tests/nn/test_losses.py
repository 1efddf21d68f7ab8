"""Losses as functions and Modules: the focal loss against its formula, float64 gradchecks,
weights kept as buffers, and PyTorch's error messages.
(Values and gradients against PyTorch: tests/against_torch/test_losses_vs_torch.py.)"""

import numpy as np
import pytest
from inputs import LOGITS, LOGITS_2D, TARGET, TARGET_2D, WEIGHT

import minigrad
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck
from minigrad.nn import functional as F

# ---- focal loss -----------------------------------------------------------------------------


def _focal_reference(logits, target, gamma, alpha=None):
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    logp_t = logp[np.arange(len(target)), target]
    loss = -((1 - np.exp(logp_t)) ** gamma) * logp_t
    return loss * (alpha[target] if alpha is not None else 1)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 2.0, 5.0])
@pytest.mark.parametrize("alpha", [None, WEIGHT])
def test_focal_loss_matches_formula(gamma, alpha):
    x = LOGITS.astype(np.float64)
    expected = _focal_reference(x, TARGET, gamma, alpha)
    a = minigrad.tensor(alpha) if alpha is not None else None
    out = F.focal_loss(minigrad.tensor(x), minigrad.tensor(TARGET), gamma, a, reduction="none")
    np.testing.assert_allclose(out._array, expected, rtol=1e-6)
    np.testing.assert_allclose(
        F.focal_loss(minigrad.tensor(x), minigrad.tensor(TARGET), gamma, a).item(), expected.mean(), rtol=1e-6
    )
    module = nn.FocalLoss(gamma, a, reduction="sum")
    np.testing.assert_allclose(module(minigrad.tensor(x), minigrad.tensor(TARGET)).item(), expected.sum(), rtol=1e-6)


def test_focal_loss_with_gamma_zero_is_cross_entropy_and_down_weights_easy_examples():
    x, t = minigrad.tensor(LOGITS), minigrad.tensor(TARGET)
    np.testing.assert_allclose(F.focal_loss(x, t, gamma=0).item(), F.cross_entropy(x, t).item(), rtol=1e-6)
    easy = minigrad.tensor([[8.0, 0.0, 0.0]])
    ce = F.cross_entropy(easy, minigrad.tensor([0])).item()
    assert F.focal_loss(easy, minigrad.tensor([0])).item() < 1e-3 * ce
    x2d = minigrad.tensor(LOGITS_2D.astype(np.float64))
    flat = LOGITS_2D.astype(np.float64).transpose(0, 2, 3, 1).reshape(-1, 4)
    np.testing.assert_allclose(
        F.focal_loss(x2d, minigrad.tensor(TARGET_2D), reduction="none")._array.ravel(),
        _focal_reference(flat, TARGET_2D.ravel(), 2.0),
        rtol=1e-6,
    )


# ---- float64 gradchecks ---------------------------------------------------------------------


def test_loss_gradchecks():
    x = minigrad.tensor(LOGITS.astype(np.float64), requires_grad=True)
    t = minigrad.tensor(TARGET)
    w = minigrad.tensor(WEIGHT.astype(np.float64))
    assert gradcheck(lambda x: F.cross_entropy(x, t, w, ignore_index=2, label_smoothing=0.1), (x,))
    assert gradgradcheck(lambda x: F.cross_entropy(x, t, w, label_smoothing=0.1), (x,))
    assert gradcheck(lambda x: F.focal_loss(x, t, 2.0, w), (x,))
    assert gradgradcheck(lambda x: F.focal_loss(x, t, 2.0), (x,))
    assert gradcheck(lambda x: F.nll_loss(x, t, w, reduction="sum"), (x,))
    p = minigrad.tensor(np.random.default_rng(4).uniform(0.1, 0.9, (3, 2)), requires_grad=True)
    y = minigrad.tensor(np.random.default_rng(5).uniform(0, 1, (3, 2)), requires_grad=True)
    assert gradcheck(lambda p, y: F.binary_cross_entropy(p, y), (p, y))
    assert gradcheck(lambda p, y: F.binary_cross_entropy_with_logits(p, y), (p, y))
    assert gradgradcheck(lambda p, y: F.binary_cross_entropy_with_logits(p, y), (p, y))
    assert gradcheck(lambda p, y: F.mse_loss(p, y), (p, y))
    assert gradcheck(lambda p, y: F.l1_loss(p, y, reduction="sum"), (p, y))


def test_loss_module_weights_are_buffers():
    loss = nn.CrossEntropyLoss(weight=minigrad.tensor(WEIGHT))
    assert list(loss.state_dict()) == ["weight"]
    assert list(loss.parameters()) == []


# ---- errors ---------------------------------------------------------------------------------


def test_loss_errors_use_torch_wording():
    x = minigrad.tensor(LOGITS)
    with pytest.raises(ValueError, match=r"Expected input batch_size \(6\) to match target batch_size \(4\)"):
        F.cross_entropy(x, minigrad.tensor([0, 1, 2, 3]))
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        F.cross_entropy(x, minigrad.tensor([0, 1, 2, 3, 7, 1]))
    with pytest.raises(ValueError, match="sum_all is not a valid value for reduction"):
        F.mse_loss(x, x, reduction="sum_all")
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 4 classes"):
        F.nll_loss(x, minigrad.tensor(TARGET), weight=minigrad.ones(3))
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(x, minigrad.zeros(6, 4))
    with pytest.raises(ValueError, match="different to the input size"):
        F.binary_cross_entropy(minigrad.zeros(6, 4) + 0.5, minigrad.zeros(6, 1))
    with pytest.raises(RuntimeError, match=r"Expected target size \[2, 3, 2\], got \[2, 3\]"):
        F.cross_entropy(minigrad.tensor(LOGITS_2D), minigrad.tensor(TARGET_2D[:, :, 0]))
    with pytest.raises(ValueError, match="label_smoothing must be between 0.0 and 1.0"):
        F.cross_entropy(x, minigrad.tensor(TARGET), label_smoothing=1.5)
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(x, minigrad.zeros(6, 1))
