"""Issue 11, items 4 and 5 (Python side): the repros as regression tests. Every public
conv, pool, pad, unfold and fold op checks its arguments' types and names the argument
in PyTorch's words; numpy integers go wherever ints go; nothing is silently truncated."""

import re

import numpy as np
import pytest

import minigrad
import minigrad.nn as nn
import minigrad.nn.functional as F


def raises(exc, message):
    return pytest.raises(exc, match=re.escape(message))


@pytest.fixture
def x():
    return minigrad.tensor(np.random.default_rng(0).standard_normal((1, 2, 6, 6)))


@pytest.fixture
def x1():
    return minigrad.tensor(np.random.default_rng(1).standard_normal((1, 2, 6)))


# ---- item 5: wrong types name the argument ----------------------------------------------


def test_conv_transpose2d_groups_str(x):
    with raises(TypeError, "conv_transpose2d(): argument 'groups' must be int, not str"):
        F.conv_transpose2d(x, minigrad.ones(2, 1, 3, 3, dtype=minigrad.float64), groups="a")


def test_max_pool1d_of_none():
    with raises(TypeError, "max_pool1d(): argument 'input' (position 1) must be Tensor, not NoneType"):
        F.max_pool1d(None, 3)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x, x1: F.avg_pool1d(None, 2), "avg_pool1d(): argument 'input' (position 1) must be Tensor"),
        (lambda x, x1: F.conv2d(x, x.numpy()), "conv2d(): argument 'weight' (position 2) must be Tensor, not numpy."),
        (lambda x, x1: F.conv_transpose2d(x, x, bias=[1.0]), "argument 'bias' (position 3) must be Tensor, not list"),
        (lambda x, x1: F.conv2d(x, x, stride=1.5), "conv2d(): argument 'stride' must be tuple of ints, not float"),
        (lambda x, x1: F.conv2d(x, x, padding=None), "argument 'padding' must be tuple of ints, not NoneType"),
        (lambda x, x1: F.conv2d(x, x, dilation=(1, 1.0)), "but found element of type float at pos 1"),
        (lambda x, x1: F.conv2d(x, x, groups=True), "conv2d(): argument 'groups' must be int, not bool"),
        (lambda x, x1: F.max_pool2d(x, 2.0), "max_pool2d(): argument 'kernel_size' must be tuple of ints, not float"),
        (lambda x, x1: F.max_pool1d(x1, 2, stride=1.5), "max_pool1d(): argument 'stride' must be tuple of ints"),
        (lambda x, x1: F.avg_pool1d(x1, 2, padding="a"), "avg_pool1d(): argument 'padding' must be tuple of ints"),
        (lambda x, x1: F.avg_pool2d(x, 2, divisor_override=2.0), "argument 'divisor_override' must be int, not float"),
        (lambda x, x1: F.unfold(x, 2, stride=1.5), "unfold(): argument 'stride' must be tuple of ints, not float"),
        (lambda x, x1: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), "a"), "argument 'kernel_size'"),
        (lambda x, x1: F.max_unpool2d(x, [1], 2), "max_unpool2d(): argument 'indices' (position 2) must be Tensor"),
        (lambda x, x1: F.pad(None, (1, 1)), "pad(): argument 'input' (position 1) must be Tensor, not NoneType"),
        (lambda x, x1: F.pad(x, 1), "pad(): argument 'pad' must be tuple of ints, not int"),
        (lambda x, x1: F.pad(x, np.array([1, 1])), "pad(): argument 'pad' must be tuple of ints, not numpy.ndarray"),
        (lambda x, x1: F.pad(x, (True, 1)), "argument 'pad' must be tuple of ints, but found element of type bool"),
        (lambda x, x1: F.pad(x, (1, 1), mode=3), "pad(): argument 'mode' must be str, not int"),
        (lambda x, x1: F.pad(x, (1, 1), value="a"), "pad(): argument 'value' must be float, not str"),
    ],
)
def test_wrong_types_name_the_argument(x, x1, call, message):
    with raises(TypeError, message):
        call(x, x1)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x, x1: F.conv2d(x, x, stride=(1, 1, 1)), "conv2d: expected stride to be a single int or a tuple"),
        (lambda x, x1: F.conv1d(x1, x1, stride=(1, 1)), "conv1d: expected stride to be a single int or a tuple of 1"),
        (lambda x, x1: F.max_pool2d(x, (2, 2, 2)), "max_pool2d: expected kernel_size to be a single int"),
        (lambda x, x1: F.max_pool1d(x1, (2, 2)), "max_pool1d: expected kernel_size to be a single int"),
        (lambda x, x1: F.unfold(x, ()), "unfold: expected kernel_size to be a single int or a tuple of 2 ints"),
        (lambda x, x1: F.adaptive_avg_pool2d(x, (2, 2, 2)), "adaptive_avg_pool2d: expected output_size"),
        (lambda x, x1: F.max_pool1d(x1, 2, stride=0), "max_pool1d() stride must be greater than zero, but got 0"),
        (lambda x, x1: F.avg_pool1d(x1, 0), "avg_pool1d() kernel_size must be greater than zero, but got 0"),
        (lambda x, x1: F.max_pool1d(x[0, 0, 0], 2), "max_pool1d: non-empty 2D or 3D (batch mode) tensor expected"),
    ],
)
def test_wrong_lengths_and_values_name_the_op(x, x1, call, message):
    with raises(RuntimeError, message):
        call(x, x1)


def test_dtype_refusals_are_not_implemented_errors(x):
    with raises(NotImplementedError, "\"max_pool2d\" not implemented for 'long'"):
        F.max_pool2d(x.long(), 2)
    with raises(NotImplementedError, "\"unfold\" not implemented for 'half'"):
        F.unfold(x.half(), 2)


def test_ints_past_int64_are_value_and_type_errors(x):
    """PyTorch raises ValueError for some ops and TypeError for others: catch either."""
    with raises(ValueError, "max_pool2d(): argument 'stride' is out of the int64 range: 9223372036854775808"):
        F.max_pool2d(x, 2, stride=2**63)
    with raises(TypeError, "fold(): argument 'output_size' is out of the int64 range"):
        F.fold(x[0], (2**64, 2), 2)


def test_impossible_pad_is_a_runtime_error_naming_pad(x):
    with raises(RuntimeError, "pad: can't allocate memory"):
        F.pad(x, (0, 2**50))


# ---- numpy integers are ints ---------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda x, i: F.max_pool2d(x, i(3), stride=i(2)),
        lambda x, i: F.max_pool2d(x, (i(3), i(2)), padding=[i(1), i(0)], dilation=i(1)),
        lambda x, i: F.avg_pool2d(x, i(2), divisor_override=i(3)),
        lambda x, i: F.max_pool1d(x[0], i(2), stride=i(1)),
        lambda x, i: F.avg_pool1d(x[0], i(3), padding=i(1)),
        lambda x, i: F.adaptive_avg_pool2d(x, (i(2), None)),
        lambda x, i: F.adaptive_max_pool2d(x, i(4)),
        lambda x, i: F.conv2d(x, x[:, :, :3, :3], stride=i(2), padding=i(1), groups=i(1)),
        lambda x, i: F.conv_transpose2d(x, x[0, :, None, :3, :3], stride=i(2), output_padding=i(1), groups=i(1)),
        lambda x, i: F.unfold(x, i(2), stride=(i(2), i(1))),
        lambda x, i: F.fold(F.unfold(x, 2), (i(6), i(6)), i(2)),
        lambda x, i: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), i(2), output_size=(i(7), i(6))),
        lambda x, i: F.pad(x, (i(1), i(2)), mode="reflect"),
    ],
)
def test_numpy_ints_go_wherever_ints_go(x, call):
    expected = call(x, int).numpy()
    for np_int in (np.int64, np.int32):
        np.testing.assert_array_equal(call(x, np_int).numpy(), expected)


def test_layers_take_numpy_ints():
    conv = nn.Conv2d(np.int64(2), np.int64(4), np.int64(3), stride=np.int32(2), groups=np.int64(2))
    assert conv.weight.shape == (4, 1, 3, 3) and conv.stride == (2, 2)
    assert nn.MaxPool2d(np.int64(2), stride=np.int64(1))(minigrad.ones(1, 1, 3, 3)).shape == (1, 1, 2, 2)


# ---- item 4: no silent truncation or ignored arguments -----------------------------------


def test_negative_divisor_override_divides(x):
    out = F.avg_pool2d(x, 2, divisor_override=-2)
    np.testing.assert_allclose(out.numpy(), -2 * F.avg_pool2d(x, 2).numpy())
    x.requires_grad_(True)
    F.avg_pool2d(x, 2, divisor_override=-2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.full(x.shape, -0.5))


def test_zero_divisor_override_is_refused(x):
    with raises(RuntimeError, "divisor must be not zero"):
        F.avg_pool2d(x, 2, divisor_override=0)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda x: F.adaptive_avg_pool2d(x, (2.5, 3)), "adaptive_avg_pool2d(): argument 'output_size'"),
        (lambda x: F.adaptive_max_pool2d(x, (2.5, 3)), "adaptive_max_pool2d(): argument 'output_size'"),
        (lambda x: F.fold(F.unfold(x, 2), (6.5, 6), 2), "fold(): argument 'output_size'"),
        (
            lambda x: F.max_unpool2d(*F.max_pool2d(x, 2, return_indices=True), 2, output_size=(6.5, 6)),
            "max_unpool2d(): argument 'output_size'",
        ),
    ],
)
def test_float_output_size_is_refused(x, call, message):
    with raises(TypeError, message + " must be tuple of ints, but found element of type float at pos 0"):
        call(x)


@pytest.mark.parametrize("ceil_mode", [1, "yes", np.bool_(True)])
def test_non_bool_ceil_mode_is_refused(x, x1, ceil_mode):
    for call, op in [
        (lambda: F.max_pool2d(x, 3, ceil_mode=ceil_mode), "max_pool2d"),
        (lambda: F.avg_pool2d(x, 3, ceil_mode=ceil_mode), "avg_pool2d"),
        (lambda: F.max_pool1d(x1, 3, ceil_mode=ceil_mode), "max_pool1d"),
        (lambda: F.avg_pool1d(x1, 3, ceil_mode=ceil_mode), "avg_pool1d"),
    ]:
        with raises(TypeError, f"{op}(): argument 'ceil_mode' must be bool, not "):
            call()
    with raises(TypeError, "avg_pool2d(): argument 'count_include_pad' must be bool, not "):
        F.avg_pool2d(x, 3, count_include_pad=ceil_mode)


@pytest.mark.parametrize(
    "call",
    [
        lambda x, x1: F.max_pool2d(x, 2, padding=2),
        lambda x, x1: F.max_pool2d(x, (1, 3), padding=(1, 0)),
        lambda x, x1: F.max_pool1d(x1, 2, padding=2),
        lambda x, x1: F.avg_pool2d(x, (4, 2), padding=(1, 2)),
        lambda x, x1: F.avg_pool1d(x1, 2, padding=2),
    ],
)
def test_pool_padding_above_half_the_kernel_is_refused(x, x1, call):
    with raises(RuntimeError, "pad should be at most half of effective kernel size, but got pad="):
        call(x, x1)


def test_reflect_and_replicate_crop_on_negative_padding(torch):
    data = np.arange(24.0).reshape(1, 2, 12)
    for mode in ("reflect", "replicate"):
        for pad in [(-1, 2), (2, -1), (-3, -2), (-5, 0)]:
            x = minigrad.tensor(data, requires_grad=True)
            t = torch.tensor(data, requires_grad=True)
            out, expected = F.pad(x, pad, mode=mode), torch.nn.functional.pad(t, pad, mode=mode)
            np.testing.assert_array_equal(out.detach().numpy(), expected.detach().numpy())
            out.sum().backward()
            expected.sum().backward()
            np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
    with raises(RuntimeError, "reflect padding: input dimension 2 of size 12 is too small"):
        F.pad(minigrad.tensor(data), (-6, -6), mode="reflect")


# ---- the layers check their hyper-parameters when built ----------------------------------


@pytest.mark.parametrize(
    "build, error, message",
    [
        (lambda: nn.Conv2d(2, 2, 3, groups="a"), TypeError, "Conv2d(): argument 'groups' must be int, not str"),
        (lambda: nn.Conv2d(2.0, 2, 3), TypeError, "Conv2d(): argument 'in_channels' must be int, not float"),
        (lambda: nn.Conv1d(2, 2, 3.5), TypeError, "Conv1d(): argument 'kernel_size' must be tuple of ints, not float"),
        (
            lambda: nn.ConvTranspose2d(2, 2, 3, groups="a"),
            TypeError,
            "ConvTranspose2d(): argument 'groups' must be int",
        ),
        (lambda: nn.Conv2d(-1, 2, 3), ValueError, "Conv2d: in_channels must be non-negative, but got in_channels=-1"),
        (lambda: nn.Conv2d(2, 2, 0), ValueError, "Conv2d: kernel_size must be positive, but got kernel_size=(0, 0)"),
        (lambda: nn.Conv2d(2, 2, 3, stride=0), ValueError, "Conv2d: stride must be positive"),
        (
            lambda: nn.Conv1d(2, 2, 3, padding=-1),
            ValueError,
            "Conv1d: padding must be non-negative, but got padding=-1",
        ),
        (lambda: nn.Conv2d(2, 2, 3, dilation=(1, 0)), ValueError, "Conv2d: dilation must be positive"),
        (lambda: nn.MaxPool2d(2.5), TypeError, "MaxPool2d(): argument 'kernel_size' must be tuple of ints, not float"),
        (lambda: nn.MaxPool2d(2, ceil_mode=1), TypeError, "MaxPool2d(): argument 'ceil_mode' must be bool, not int"),
        (lambda: nn.MaxPool2d(2, stride=0), ValueError, "MaxPool2d: stride must be positive"),
        (lambda: nn.AvgPool2d(2, padding=-1), ValueError, "AvgPool2d: padding must be non-negative"),
        (lambda: nn.AvgPool2d(2, count_include_pad=None), TypeError, "argument 'count_include_pad' must be bool"),
        (lambda: nn.AvgPool2d(2, divisor_override=0), ValueError, "AvgPool2d: divisor_override must be nonzero"),
        (lambda: nn.AvgPool2d(2, divisor_override=1.5), TypeError, "argument 'divisor_override' must be int"),
        (lambda: nn.AdaptiveAvgPool2d((2.5, 3)), TypeError, "AdaptiveAvgPool2d(): argument 'output_size' must be"),
        (lambda: nn.AdaptiveMaxPool2d((-1, 3)), ValueError, "AdaptiveMaxPool2d: output_size must be non-negative"),
    ],
)
def test_layers_check_hyper_parameters_when_built(build, error, message):
    with raises(error, message):
        build()


def test_layers_keep_their_arguments_as_given():
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert nn.AdaptiveAvgPool2d((None, 3)).output_size == (None, 3)


def test_conv_transpose_layer_output_size_is_checked():
    layer, x = nn.ConvTranspose2d(1, 1, 3, stride=2), minigrad.ones(1, 1, 3, 3)
    assert layer(x, output_size=(1, 1, np.int64(8), 8)).shape == (1, 1, 8, 8)
    with raises(TypeError, "ConvTranspose2d(): argument 'output_size' must be tuple of ints, but found element"):
        layer(x, output_size=(7.5, 7))
    with raises(ValueError, "ConvTranspose2d: output_size must have 2 or 4 elements, but got output_size=[7, 7, 7]"):
        layer(x, output_size=(7, 7, 7))


def test_invalid_unpool_index_names_the_op(x):
    out, indices = F.max_pool2d(x, 2, return_indices=True)
    with raises(RuntimeError, "max_unpool2d: Found an invalid max index: 36 (output volumes are of size 6x6)"):
        F.max_unpool2d(out, indices + 36 - indices.max(), 2)


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda x: F.pad(x, (0, 2**62)),
            "pad: Storage size calculation overflowed with sizes=[1, 2, 6, 4611686018427387910]",
        ),
        (
            lambda x: F.conv2d(x, x[:1, :, :1, :1], padding=2**31),
            "conv2d: Storage size calculation overflowed with sizes=",
        ),
        (lambda x: F.adaptive_max_pool2d(x, 2**40), "adaptive_max_pool2d: Storage size calculation overflowed"),
        (lambda x: F.unfold(x, 1, padding=2**31), "unfold: Storage size calculation overflowed with sizes=[1, 2, "),
        (
            lambda x: F.conv_transpose2d(x, x[0, :, None, :2, :2], dilation=2**62),
            "conv_transpose2d: Storage size calculation overflowed",
        ),
        (lambda x: F.pad(x.long(), (1, 1), value=float("nan")), "pad: value cannot be converted to type long without"),
        (lambda x: F.pad(x.float(), (1, 1), value=1e300), "pad: value cannot be converted to type float without"),
        (lambda x: F.conv2d(x[..., :0], x[:1, :, :1, :1], padding=1), "conv2d: Only zero batch or zero channel inputs"),
        (lambda x: F.conv2d(x, x[:1], padding="same", stride=2), "padding='same' is not supported for strided"),
    ],
)
def test_impossible_outputs_are_runtime_errors_naming_the_op(x, call, message):
    with raises(RuntimeError, message):
        call(x)


def test_an_unpool_output_size_past_int64_is_refused_as_pytorch_unpacks_it(x):
    # PyTorch fails to unpack the default output size into int64: a TypeError
    with raises(TypeError, "max_unpool2d(): argument 'output_size' is out of the int64 range"):
        F.max_unpool2d(*F.max_pool2d(x, 1, return_indices=True), 1, stride=2**63 - 1)


def test_pad_fill_values_convert_as_in_pytorch(x):
    row = F.pad(x.to(minigrad.uint8), (1, 1), value=2.7)[0, 0, 0].tolist()
    assert (row[0], row[-1]) == (2, 2)  # truncated, as PyTorch converts it
    assert F.pad(x.float(), (1, 0), value=float("-inf"))[0, 0, 0, 0].item() == float("-inf")
