"""The cache of folded conv + batch norm weights (minigrad.nn.utils.fusion) is checked on
every call against the tensors, arrays and version counters it came from: repeated
in-place changes, arrays swapped under a tensor, a bias added, and a deleted parameter
all give bn(conv(x)) again, never stale folded weights."""

import numpy as np
import pytest

import minigrad
from minigrad import nn
from minigrad.nn.utils.fusion import _folded, conv_bn


def _modules(bias=False):
    minigrad.manual_seed(0)
    conv, bn = nn.Conv2d(3, 5, 3, padding=1, bias=bias).eval(), nn.BatchNorm2d(5).eval()
    with minigrad.no_grad():
        bn.running_mean.copy_(minigrad.randn(5))
        bn.running_var.copy_(minigrad.rand(5) + 0.5)
    return conv, bn


def _check(conv, bn, x):
    np.testing.assert_allclose(conv_bn(conv, bn, x).numpy(), bn(conv(x)).numpy(), rtol=1e-5, atol=1e-5)


def test_every_in_place_change_refolds():
    conv, bn, x = *_modules(), minigrad.randn(1, 3, 6, 6)
    with minigrad.no_grad():
        for _ in range(4):  # the counter exists after the first change: later ones bump it
            conv.weight.mul_(1.5)
            bn.running_mean.add_(0.25)
            _check(conv, bn, x)
        assert bn in _folded


def test_arrays_swapped_under_the_tensors_and_a_new_bias_refold():
    conv, bn, x = *_modules(), minigrad.randn(1, 3, 6, 6)
    with minigrad.no_grad():
        _check(conv, bn, x)
        conv.weight.data = minigrad.randn(5, 3, 3, 3)  # same tensor, another array
        _check(conv, bn, x)
        bn.running_var.data = minigrad.rand(5) + 2
        _check(conv, bn, x)
        conv.bias = nn.Parameter(minigrad.randn(5))
        _check(conv, bn, x)


def test_a_deleted_parameter_runs_the_modules_and_raises_as_they_do():
    conv, bn, x = *_modules(bias=True), minigrad.randn(1, 3, 6, 6)
    del conv.bias
    with minigrad.no_grad(), pytest.raises(AttributeError):
        conv_bn(conv, bn, x)
