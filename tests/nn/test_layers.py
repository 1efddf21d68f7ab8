"""The nn layers' own behaviour: dropout statistics and seeding, float64 gradchecks of the
layers' math, PyTorch's errors for bad hyper-parameters, and the default initialization.
(Forward and gradients against PyTorch: tests/against_torch/test_layers_vs_torch.py.)"""

import numpy as np
import pytest
from inputs import seeded_normal

import minigrad
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck

# ---- dropout --------------------------------------------------------------------------------


def test_dropout_statistics_scale_and_eval_identity():
    x = minigrad.ones(200, 100)
    layer = nn.Dropout(0.3)
    y = layer(x)._array
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((y == 0).mean() - 0.3) < 0.02
    assert abs(y.mean() - 1.0) < 0.03
    layer.eval()
    assert layer(x) is x
    assert (nn.Dropout(1.0)(x)._array == 0).all()


def test_dropout_follows_manual_seed_and_gradient_uses_the_mask():
    minigrad.manual_seed(3)
    a = nn.Dropout()(minigrad.ones(50))._array
    minigrad.manual_seed(3)
    x = minigrad.ones(50, requires_grad=True)
    y = nn.Dropout()(x)
    np.testing.assert_array_equal(a, y._array)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._array, y._array)
    assert y.grad_fn.name() == "DropoutBackward"


def test_dropout2d_zeroes_whole_channels():
    y = nn.Dropout2d(0.5)(minigrad.ones(8, 16, 3, 3))._array
    per_channel = y.reshape(8, 16, 9)
    assert ((per_channel == 0).all(axis=2) | (per_channel == 2).all(axis=2)).all()
    assert 0.2 < (per_channel[:, :, 0] == 0).mean() < 0.8
    y3 = nn.Dropout2d(0.5)(minigrad.ones(16, 3, 3))._array
    assert ((y3.reshape(16, 9) == 0).all(axis=1) | (y3.reshape(16, 9) == 2).all(axis=1)).all()


def test_dropout_gradcheck_with_fixed_seed():
    x = minigrad.tensor(seeded_normal(4, 5, dtype=np.float64), requires_grad=True)

    def f(t):
        minigrad.manual_seed(7)
        return minigrad.nn.functional.dropout(t, 0.4)

    assert gradcheck(f, (x,))
    assert gradgradcheck(f, (x,))


# ---- float64 gradchecks of the layers' own math -----------------------------------------------


def test_linear_gradcheck():
    layer = nn.Linear(4, 3).double()
    x = minigrad.tensor(seeded_normal(2, 4, dtype=np.float64), requires_grad=True)
    assert gradcheck(lambda x, w, b: nn.functional.linear(x, w, b), (x, layer.weight, layer.bias))
    assert gradgradcheck(lambda x, w, b: nn.functional.linear(x, w, b), (x, layer.weight, layer.bias))


@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (3, 2, 3, 2)])
def test_batch_norm_function_gradcheck_and_gradgradcheck(shape):
    x = minigrad.tensor(seeded_normal(*shape, dtype=np.float64), requires_grad=True)
    w = minigrad.tensor(np.linspace(0.5, 1.5, shape[1]), requires_grad=True)
    b = minigrad.tensor(np.linspace(-0.2, 0.2, shape[1]), requires_grad=True)

    def f(x, w, b):
        return nn.functional.batch_norm(x, None, None, w, b, training=True)

    assert gradcheck(f, (x, w, b))
    assert gradgradcheck(f, (x, w, b))
    assert gradcheck(lambda x: nn.functional.batch_norm(x, None, None, training=True), (x,))


def test_batch_norm_eval_gradcheck():
    bn = nn.BatchNorm2d(3).double()
    bn.running_mean[...] = np.array([0.1, -0.2, 0.3])
    bn.running_var[...] = np.array([0.5, 2.0, 1.5])
    bn.eval()
    x = minigrad.tensor(seeded_normal(2, 3, 2, 2, dtype=np.float64), requires_grad=True)
    assert gradcheck(
        lambda x, w, b: nn.functional.batch_norm(x, bn.running_mean, bn.running_var, w, b), (x, bn.weight, bn.bias)
    )


def test_leaky_relu_gradcheck():
    x = minigrad.tensor(seeded_normal(3, 4, dtype=np.float64) + 0.05, requires_grad=True)
    assert gradcheck(lambda t: nn.functional.leaky_relu(t, 0.2), (x,))
    assert gradgradcheck(lambda t: nn.functional.leaky_relu(t, 0.2), (x,))


def test_conv_and_pool_layers_gradcheck():
    conv = nn.Conv2d(2, 3, 3, padding=1, padding_mode="reflect").double()
    x = minigrad.tensor(seeded_normal(1, 2, 4, 4, dtype=np.float64), requires_grad=True)
    assert gradcheck(
        lambda x, w: nn.functional.conv2d(nn.functional.pad(x, (1, 1, 1, 1), mode="reflect"), w), (x, conv.weight)
    )
    assert gradcheck(lambda x: nn.AvgPool2d(2)(x), (x,))


# ---- hyper-parameter errors, raised at construction as PyTorch does ------------------------------


@pytest.mark.parametrize(
    "build,error,message",
    [
        (lambda: nn.Conv2d(3, 4, 3, groups=2), ValueError, "in_channels must be divisible by groups"),
        (lambda: nn.Conv2d(4, 3, 3, groups=2), ValueError, "out_channels must be divisible by groups"),
        (lambda: nn.Conv2d(4, 4, 3, padding_mode="mirror"), ValueError, "padding_mode must be one of"),
        (lambda: nn.Conv2d(4, 4, 3, padding="full"), ValueError, "Invalid padding string 'full'"),
        (lambda: nn.Conv2d(4, 4, 3, stride=2, padding="same"), ValueError, "not supported for strided convolutions"),
        (lambda: nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"), ValueError, 'Only "zeros" padding mode'),
        (lambda: nn.Dropout(1.5), ValueError, "dropout probability has to be between 0 and 1, but got 1.5"),
        (lambda: nn.CrossEntropyLoss(reduction="avg"), ValueError, "avg is not a valid value for reduction"),
    ],
)
def test_bad_hyper_parameters_raise_at_construction(build, error, message):
    with pytest.raises(error, match=message):
        build()


def test_batch_norm_input_errors():
    with pytest.raises(ValueError, match=r"expected 4D input \(got 2D input\)"):
        nn.BatchNorm2d(3)(minigrad.zeros(2, 3))
    with pytest.raises(ValueError, match=r"expected 2D or 3D input \(got 4D input\)"):
        nn.BatchNorm1d(3)(minigrad.zeros(2, 3, 1, 1))
    with pytest.raises(ValueError, match="Expected more than 1 value per channel when training"):
        nn.BatchNorm1d(3)(minigrad.zeros(1, 3))
    nn.BatchNorm1d(3).eval()(minigrad.zeros(1, 3))  # fine in eval mode


def test_default_initialization_bounds_follow_fan_in():
    layer = nn.Linear(100, 50)
    assert np.abs(layer.weight._array).max() <= 0.1 and np.abs(layer.bias._array).max() <= 0.1
    assert np.abs(layer.weight._array).max() > 0.09  # uniform over the whole range
    conv = nn.Conv2d(4, 8, 3)
    bound = 1 / np.sqrt(4 * 9)
    assert np.abs(conv.weight._array).max() <= bound and np.abs(conv.bias._array).max() <= bound
    assert layer.weight.dtype == minigrad.float32
