"""Eval-mode batch norm folded into the conv before it (minigrad.nn.utils.fusion): the
same numbers as bn(conv(x)) to float32 rounding; never in training mode or when a
gradient can be asked for; recomputed when a weight or statistic changes."""

import numpy as np
import pytest

import minigrad
from minigrad import models, nn
from minigrad.nn.utils import fuse_conv_bn_eval
from minigrad.nn.utils.fusion import _folded, conv_bn


def _pair(bias=True, affine=True, groups=1, seed=0):
    minigrad.manual_seed(seed)
    conv = nn.Conv2d(4, 6, 3, stride=2, padding=1, groups=groups, bias=bias)
    bn = nn.BatchNorm2d(6, affine=affine)
    rng = np.random.default_rng(seed)
    with minigrad.no_grad():
        bn.running_mean.copy_(minigrad.tensor(rng.standard_normal(6).astype(np.float32)))
        bn.running_var.copy_(minigrad.tensor(rng.uniform(0.5, 2, 6).astype(np.float32)))
        if affine:
            bn.weight.copy_(minigrad.tensor(rng.standard_normal(6).astype(np.float32)))
            bn.bias.copy_(minigrad.tensor(rng.standard_normal(6).astype(np.float32)))
    return conv.eval(), bn.eval()


def _close(a, b):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("affine", [True, False])
@pytest.mark.parametrize("groups", [1, 2])
def test_folded_conv_bn_gives_the_numbers_of_bn_of_conv(bias, affine, groups):
    conv, bn = _pair(bias, affine, groups)
    x = minigrad.randn(2, 4, 9, 7)
    expected = bn(conv(x))
    with minigrad.no_grad():
        folded = conv_bn(conv, bn, x)
    assert bn in _folded  # it did fold
    _close(folded, expected)
    with minigrad.inference_mode():
        _close(conv_bn(conv, bn, x), expected)
    _close(fuse_conv_bn_eval(conv, bn)(x), expected)


def test_no_folding_when_a_gradient_can_be_asked_for_or_in_training():
    conv, bn = _pair()
    x = minigrad.randn(2, 4, 9, 7, requires_grad=True)
    out = conv_bn(conv, bn, x)
    assert bn not in _folded and out.grad_fn is not None
    out.sum().backward()
    assert conv.weight.grad is not None and bn.weight.grad is not None
    bn.train()
    with minigrad.no_grad():
        trained = conv_bn(conv, bn, x)
    assert bn not in _folded
    assert int(bn.num_batches_tracked.item()) == 1  # batch statistics, running ones updated
    np.testing.assert_allclose(trained.numpy().mean(axis=(0, 2, 3)), bn.bias.detach().numpy(), atol=1e-5)


def test_folded_weights_follow_changes_of_weights_and_statistics():
    conv, bn = _pair()
    x = minigrad.randn(2, 4, 9, 7)
    with minigrad.no_grad():
        conv_bn(conv, bn, x)
        conv.weight.mul_(2)  # in place
        _close(conv_bn(conv, bn, x), bn(conv(x)))
        bn.running_var.add_(1)  # a buffer in place
        _close(conv_bn(conv, bn, x), bn(conv(x)))
        bn.eps = 0.5
        _close(conv_bn(conv, bn, x), bn(conv(x)))
        conv.weight = nn.Parameter(minigrad.randn(6, 4, 3, 3))  # replaced
        _close(conv_bn(conv, bn, x), bn(conv(x)))
        other, _ = _pair(seed=3)
        conv.load_state_dict(other.state_dict())
        _close(conv_bn(conv, bn, x), bn(conv(x)))


def test_hooks_see_their_modules_run():
    conv, bn = _pair()
    calls = []
    bn.register_forward_hook(lambda module, args, out: calls.append("bn"))
    with minigrad.no_grad():
        conv_bn(conv, bn, minigrad.randn(1, 4, 5, 5))
    assert calls == ["bn"] and bn not in _folded


def test_resnet_in_eval_mode_gives_the_same_logits_folded_or_not():
    minigrad.manual_seed(0)
    model = models.resnet18_cifar()
    model.train()
    with minigrad.no_grad():
        model(minigrad.randn(4, 3, 32, 32))  # running statistics away from (0, 1)
    model.eval()
    x = minigrad.randn(2, 3, 32, 32)
    recorded = model(x)  # parameters require grad: nothing folds
    with minigrad.no_grad():
        folded = model(x)
    np.testing.assert_allclose(folded.numpy(), recorded.detach().numpy(), rtol=1e-4, atol=1e-4)


def test_fuse_conv_bn_eval_refuses_training_modules():
    conv, bn = _pair()
    with pytest.raises(ValueError, match="eval"):
        fuse_conv_bn_eval(conv, bn.train())


def test_relu_after_the_folded_conv_is_relu_of_bn_of_conv():
    conv, bn = _pair()
    x = minigrad.randn(2, 4, 9, 7)
    relu = nn.ReLU()
    with minigrad.no_grad():
        out = conv_bn(conv, bn, x, relu)
        assert bn in _folded
        _close(out, bn(conv(x)).relu())
        calls = []
        relu.register_forward_hook(lambda module, args, out: calls.append("relu"))
        _close(conv_bn(conv, bn, x, relu), bn(conv(x)).relu())
        assert calls == ["relu"]
    recorded = conv_bn(conv, bn, x, nn.ReLU())
    assert recorded.grad_fn is not None
    _close(recorded, bn(conv(x)).relu())


def test_residual_then_relu_folded_or_not():
    conv, bn = _pair()
    x = minigrad.randn(2, 4, 9, 7)
    residual = minigrad.randn(2, 6, 5, 4)
    kept = residual.numpy().copy()
    with minigrad.no_grad():
        expected = (bn(conv(x)) + residual).relu()
        _close(conv_bn(conv, bn, x, nn.ReLU(), residual=residual), expected)
        np.testing.assert_array_equal(residual.numpy(), kept)  # only the conv's output is overwritten
        row = minigrad.randn(4)  # broadcast over the output: a new tensor
        _close(conv_bn(conv, bn, x, residual=row), bn(conv(x)) + row)
    _close(conv_bn(conv, bn, x, nn.ReLU(), residual=residual), expected)  # recorded: op by op
