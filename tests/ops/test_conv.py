"""conv2d, conv1d, conv_transpose2d, unfold, fold and pad through minigrad.nn.functional:
gradcheck and gradgradcheck in float64, PyTorch's error wording, non-contiguous inputs,
and PyTorch itself as an oracle when it is installed."""

import hypothesis
import numpy as np
import pytest
from hypothesis import strategies as st

import minigrad
import minigrad.nn.functional as F
from minigrad.autograd import gradcheck, gradgradcheck


def leaf(rng, *shape, dtype=np.float64):
    return minigrad.tensor(rng.standard_normal(shape).astype(dtype), requires_grad=True)


CONV_CASES = [
    # x shape, w shape, kwargs
    ((2, 3, 6, 5), (4, 3, 3, 3), dict()),
    ((1, 4, 7, 6), (6, 2, 3, 2), dict(stride=(2, 1), padding=1, dilation=(1, 2), groups=2)),
    ((2, 4, 5, 5), (4, 1, 3, 3), dict(padding=1, groups=4)),  # depthwise
    ((1, 3, 6, 6), (2, 3, 1, 1), dict(stride=2)),  # strided 1x1
    ((1, 2, 6, 7), (3, 2, 2, 3), dict(padding="same", dilation=(2, 1))),  # odd totals: asymmetric
    ((1, 2, 5, 5), (3, 2, 2, 2), dict(padding="valid")),
]


@pytest.mark.parametrize("x_shape, w_shape, kwargs", CONV_CASES)
def test_conv2d_gradcheck_and_gradgradcheck(rng, x_shape, w_shape, kwargs):
    x, w, b = leaf(rng, *x_shape), leaf(rng, *w_shape), leaf(rng, w_shape[0])

    def fn(x, w, b):
        return F.conv2d(x, w, b, **kwargs)

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_conv1d_gradcheck(rng):
    x, w, b = leaf(rng, 2, 3, 9), leaf(rng, 4, 3, 3), leaf(rng, 4)
    fn = lambda x, w, b: F.conv1d(x, w, b, stride=2, padding=1, dilation=2)  # noqa: E731
    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))
    assert F.conv1d(x, w, padding="same").shape == (2, 4, 9)


@pytest.mark.parametrize(
    "kwargs, w_shape",
    [
        (dict(stride=2, padding=1, output_padding=1), (3, 2, 3, 3)),
        (dict(stride=(2, 1), padding=(0, 1), groups=3, dilation=(1, 2)), (3, 1, 2, 3)),
        (dict(stride=1, dilation=3, output_padding=2), (3, 2, 2, 2)),  # output_padding >= stride
    ],
)
def test_conv_transpose2d_gradcheck_and_gradgradcheck(rng, kwargs, w_shape):
    x, w, b = leaf(rng, 2, 3, 4, 3), leaf(rng, *w_shape), leaf(rng, w_shape[1] * kwargs.get("groups", 1))

    def fn(x, w, b):
        return F.conv_transpose2d(x, w, b, **kwargs)

    assert gradcheck(fn, (x, w, b))
    assert gradgradcheck(fn, (x, w, b))


def test_unfold_fold_pad_gradcheck(rng):
    x = leaf(rng, 2, 2, 5, 6)
    assert gradgradcheck(lambda x: F.unfold(x, (2, 3), dilation=(2, 1), padding=1, stride=(1, 2)), (x,))
    cols = leaf(rng, 2, 2 * 4, 9)
    assert gradgradcheck(lambda c: F.fold(c, (4, 4), 2, padding=1, stride=2), (cols,))
    for mode in ("constant", "reflect", "replicate", "circular"):
        assert gradgradcheck(lambda x, mode=mode: F.pad(x, (2, 1, 1, 3), mode=mode), (x,))
    assert gradgradcheck(lambda x: F.pad(x, (-1, 2, 0, -2), value=1.5), (x,))


def test_grad_fn_names_and_graph_of_gradients():
    x = minigrad.randn(1, 2, 5, 5, requires_grad=True)
    w = minigrad.randn(3, 2, 3, 3, requires_grad=True)
    y = F.conv2d(x, w)
    assert type(y.grad_fn).__name__ == y.grad_fn.name() == "ConvolutionBackward0"  # PyTorch's name
    assert y.grad_fn._forward_cls.__name__ == "Conv2dFunction"
    assert y.grad_fn.stride == (1, 1) and y.grad_fn.groups == 1
    gx, gw = minigrad.autograd.grad(y.sum(), (x, w), create_graph=True)
    assert gx.grad_fn.name() == "ConvolutionBackward0"
    assert gx.grad_fn._forward_cls.__name__ == "ConvTranspose2dFunction"
    assert gw.grad_fn.name() == "Conv2dWeightBackward0"
    transposed = F.conv_transpose2d(x, w.transpose(0, 1)).grad_fn
    assert transposed.name() == "ConvolutionBackward0" and transposed._forward_cls.__name__ == "ConvTranspose2dFunction"
    assert F.unfold(x, 2).grad_fn.name() == "Im2ColBackward0"


def test_only_the_needed_gradients_are_computed(monkeypatch):
    from minigrad_core import conv as kernels

    calls = []
    for name in ("conv2d_backward_weight", "conv_transpose2d"):
        original = getattr(kernels, name)
        monkeypatch.setattr(kernels, name, lambda *a, _f=original, _n=name, **k: (calls.append(_n), _f(*a, **k))[1])
    x = minigrad.randn(1, 2, 5, 5)
    w = minigrad.randn(3, 2, 3, 3, requires_grad=True)
    F.conv2d(x, w).sum().backward()
    assert calls == ["conv2d_backward_weight"]
    calls.clear()
    x.requires_grad_(True)
    F.conv2d(x, w.detach()).sum().backward()
    assert calls == ["conv_transpose2d"]


LENET = [
    ((64, 1, 32, 32), (6, 1, 5, 5)),
    ((64, 6, 14, 14), (16, 6, 5, 5)),
    ((1, 1, 32, 32), (6, 1, 5, 5)),
    ((1, 6, 14, 14), (16, 6, 5, 5)),
]


@pytest.mark.parametrize("x_shape, w_shape", LENET)
def test_lenet_input_gradients_follow_the_measured_rule(rng, x_shape, w_shape):
    """LeNet's convs widen the channels (1 -> 6, 6 -> 16) with 5x5 kernels: col2im of W^T g
    was measured >= 1.2x faster there (docs/kernels.md), and the nodes say so."""
    x, w = leaf(rng, *x_shape, dtype=np.float32), leaf(rng, *w_shape, dtype=np.float32)
    y = F.conv2d(x, w)
    assert y.grad_fn.graph_note == "input gradient: col2im of W^T g (measured >= 1.2x faster here)"
    gx, _ = minigrad.autograd.grad(y.sum(), (x, w), create_graph=True)
    assert gx.grad_fn.graph_note == "col2im of W^T g (measured >= 1.2x faster here)"


def test_flipped_kernel_only_runs_the_flipped_kernel_convolution_everywhere(rng, monkeypatch):
    """With minigrad.backends.conv.flipped_kernel_only no other path runs (not col2im, not
    Winograd, not the depthwise loops), and the gradients equal the naive reference."""
    import reference as ref

    from minigrad_core import conv as kernels

    paths = []
    original = kernels.conv_transpose2d
    monkeypatch.setattr(kernels, "conv_transpose2d", lambda *a, **k: paths.append(original(*a, **k)) or paths[-1])
    cases = LENET[3:] + [
        ((2, 32, 8, 8), (32, 32, 3, 3), dict(padding=1)),  # Winograd's shape
        ((2, 4, 9, 9), (4, 1, 3, 3), dict(stride=2, groups=4)),  # depthwise
        ((2, 3, 9, 9), (8, 3, 3, 3), dict(stride=2, dilation=2)),
    ]
    for x_shape, w_shape, *kwargs in cases:
        kwargs = kwargs[0] if kwargs else {}
        x, w = leaf(rng, *x_shape), leaf(rng, *w_shape)
        with minigrad.backends.conv.flags(flipped_kernel_only=True):
            y = F.conv2d(x, w, **kwargs)
            assert y.grad_fn.graph_note == "input gradient: flipped-kernel convolution"
            g = minigrad.tensor(rng.standard_normal(y.shape))
            gx, _ = minigrad.autograd.grad(y, (x, w), g, create_graph=True)
        assert gx.grad_fn.graph_note == "flipped-kernel convolution"
        hyper = {k: (v, v) for k, v in kwargs.items() if k != "groups"}
        expected = ref.conv2d_grad_input(x_shape, w._array, g._array, groups=kwargs.get("groups", 1), **hyper)
        np.testing.assert_allclose(gx._array, expected, rtol=1e-10, atol=1e-10)
    assert paths == ["flipped"] * len(cases)
    assert minigrad.backends.conv.flipped_kernel_only is False


def test_flipped_kernel_only_attribute_switch(rng):
    x, w = leaf(rng, 1, 1, 12, 12), leaf(rng, 6, 1, 5, 5)
    minigrad.backends.conv.flipped_kernel_only = True
    try:
        out = F.conv_transpose2d(F.conv2d(x, w), w)
    finally:
        minigrad.backends.conv.flipped_kernel_only = False
    assert out.grad_fn.graph_note == "flipped-kernel convolution"
    assert F.conv_transpose2d(F.conv2d(x, w), w).grad_fn.graph_note.startswith("col2im")


def test_non_contiguous_inputs_give_the_same_results(rng):
    base = rng.standard_normal((2, 3, 8, 7))
    x_nc = minigrad.tensor(base.transpose(0, 1, 3, 2).copy()).transpose(2, 3)  # a strided view
    assert not x_nc._array.flags.c_contiguous
    x_c = minigrad.tensor(base)
    w = minigrad.tensor(rng.standard_normal((4, 3, 7, 3)))[:, :, ::2, :]  # sliced weight
    assert not w._array.flags.c_contiguous
    np.testing.assert_allclose(
        F.conv2d(x_nc, w, padding=1).numpy(), F.conv2d(x_c, minigrad.tensor(w.numpy().copy()), padding=1).numpy()
    )
    sliced = minigrad.tensor(rng.standard_normal((2, 3, 16, 7)))[:, :, ::2]
    np.testing.assert_allclose(
        F.max_pool2d(sliced, 2).numpy(), F.max_pool2d(minigrad.tensor(sliced.numpy().copy()), 2).numpy()
    )


def test_unbatched_input():
    x = minigrad.randn(3, 6, 6)
    w = minigrad.randn(2, 3, 3, 3)
    assert F.conv2d(x, w).shape == (2, 4, 4)
    assert F.conv_transpose2d(minigrad.randn(2, 4, 4), w).shape == (3, 6, 6)


def test_float32_stays_float32():
    x, w = minigrad.randn(1, 2, 5, 5), minigrad.randn(3, 2, 3, 3)
    assert F.conv2d(x, w).dtype == minigrad.float32


# ---- errors in PyTorch's words ---------------------------------------------------------------


def test_channel_mismatch_message():
    x, w = minigrad.zeros(64, 3, 28, 28), minigrad.zeros(6, 1, 5, 5)
    with pytest.raises(RuntimeError) as err:
        F.conv2d(x, w)
    assert str(err.value) == (
        "Given groups=1, weight of size [6, 1, 5, 5], expected input[64, 3, 28, 28] "
        "to have 1 channels, but got 3 channels instead"
    )


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda x, w: F.conv2d(x, w, stride=0), RuntimeError, "non-positive stride is not supported"),
        (lambda x, w: F.conv2d(x, w, padding=-1), RuntimeError, "negative padding is not supported"),
        (lambda x, w: F.conv2d(x, w, dilation=0), RuntimeError, "dilation should be greater than zero"),
        (lambda x, w: F.conv2d(x, w, groups=0), RuntimeError, "non-positive groups is not supported"),
        (
            lambda x, w: F.conv2d(x, minigrad.zeros(5, 2, 3, 3), groups=2),
            RuntimeError,
            r"Given groups=2, expected weight to be divisible by 2 at dimension 0, "
            r"but got weight of size \[5, 2, 3, 3\]",
        ),
        (
            lambda x, w: F.conv2d(x, minigrad.zeros(4, 4, 7, 7)),
            RuntimeError,
            r"Calculated padded input size per channel: \(6 x 6\). "
            r"Kernel size: \(7 x 7\). Kernel size can't be greater",
        ),
        (
            lambda x, w: F.conv2d(x[0, 0], w),
            RuntimeError,
            r"Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: \[6, 6\]",
        ),
        (lambda x, w: F.conv2d(x, w[0]), RuntimeError, "Expected 4-dimensional weight for 4-dimensional input"),
        (
            lambda x, w: F.conv2d(x, w.double()),
            RuntimeError,
            r"Input type \(float\) and weight type \(double\) should be the same",
        ),
        (
            lambda x, w: F.conv2d(x, w, bias=minigrad.zeros(3)),
            RuntimeError,
            r"expected bias to be 1-dimensional with 4 elements, but got bias of size \[3\]",
        ),
        (
            lambda x, w: F.conv2d(x, w, padding="same", stride=2),
            RuntimeError,
            "padding='same' is not supported for strided convolutions",
        ),
        (lambda x, w: F.conv2d(x, w, padding="full"), RuntimeError, "Invalid padding string: 'full'"),
        (lambda x, w: F.conv2d(x.long(), w.long()), RuntimeError, "not implemented for 'long'"),
        (lambda x, w: F.conv2d(x.numpy(), w), TypeError, "must be Tensor"),
        (lambda x, w: F.conv2d(x, w, stride=(1, 2, 3)), RuntimeError, "expected stride to be a single int"),
        (
            lambda x, w: F.conv_transpose2d(x, w.transpose(0, 1), stride=2, output_padding=2),
            RuntimeError,
            "output padding must be smaller than either stride or dilation",
        ),
        (lambda x, w: F.unfold(x, 7), RuntimeError, "calculated shape of the array of sliding blocks"),
        (
            lambda x, w: F.fold(minigrad.zeros(1, 8, 5), (4, 4), 2),
            RuntimeError,
            "expected size of input's dimension 2 to match the calculated number of sliding blocks 3 \\* 3 = 9",
        ),
        (
            lambda x, w: F.fold(minigrad.zeros(1, 7, 9), (4, 4), 2),
            RuntimeError,
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size",
        ),
        (lambda x, w: F.pad(x, (1, 2, 3)), RuntimeError, "Padding length must be divisible by 2"),
        (
            lambda x, w: F.pad(x, (6, 0), mode="reflect"),
            RuntimeError,
            "Padding size should be less than the corresponding input dimension",
        ),
        (lambda x, w: F.pad(x, (1, 1), mode="wrap"), NotImplementedError, "Unrecognised padding mode wrap"),
    ],
)
def test_errors(call, error, message):
    x, w = minigrad.zeros(2, 4, 6, 6), minigrad.zeros(4, 4, 3, 3)
    with pytest.raises(error, match=message):
        call(x, w)


def test_conv_transpose_channel_mismatch_message():
    with pytest.raises(RuntimeError) as err:
        F.conv_transpose2d(minigrad.zeros(1, 3, 4, 4), minigrad.zeros(2, 5, 3, 3))
    assert str(err.value) == (
        "Given transposed=1, weight of size [2, 5, 3, 3], expected input[1, 3, 4, 4] "
        "to have 2 channels, but got 3 channels instead"
    )


def test_notes_output_sizes_through_functional():
    assert F.conv2d(minigrad.zeros(1, 1, 5, 5), minigrad.zeros(1, 1, 3, 3), padding=1, stride=2).shape == (1, 1, 3, 3)
    assert F.conv2d(minigrad.zeros(1, 3, 32, 32), minigrad.zeros(6, 3, 5, 5)).shape == (1, 6, 28, 28)
    assert F.conv2d(minigrad.zeros(1, 1, 7, 7), minigrad.zeros(1, 1, 3, 3), stride=3).shape == (1, 1, 2, 2)
    x = F.conv2d(minigrad.zeros(1, 3, 227, 227), minigrad.zeros(4, 3, 11, 11), stride=4)
    assert x.shape[2:] == (55, 55)
    x = F.max_pool2d(x, 3, 2)
    assert x.shape[2:] == (27, 27)
    x = F.max_pool2d(F.conv2d(x, minigrad.zeros(4, 4, 5, 5), padding=2), 3, 2)
    assert x.shape[2:] == (13, 13)
    assert F.max_pool2d(F.conv2d(x, minigrad.zeros(4, 4, 3, 3), padding=1), 3, 2).shape[2:] == (6, 6)


# ---- PyTorch as the oracle ----------------------------------------------------------------------


def _against_torch(torch, rng, mg_fn, torch_fn, shapes, rtol=1e-10, atol=1e-10):
    """Forward and the gradients of a random cotangent, minigrad vs PyTorch, in float64."""
    arrays = [rng.standard_normal(s) for s in shapes]
    mg_in = [minigrad.tensor(a, requires_grad=True) for a in arrays]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    mg_out, t_out = mg_fn(*mg_in), torch_fn(*t_in)
    np.testing.assert_allclose(mg_out.detach().numpy(), t_out.detach().numpy(), rtol=rtol, atol=atol)
    cot = rng.standard_normal(t_out.shape)
    mg_out.backward(minigrad.tensor(cot))
    t_out.backward(torch.tensor(cot))
    for m, t in zip(mg_in, t_in):
        np.testing.assert_allclose(m.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=atol)


@pytest.mark.parametrize(
    "x_shape, w_shape, kwargs",
    CONV_CASES
    + [
        ((2, 6, 9, 8), (6, 1, 3, 3), dict(stride=2, padding=1, groups=6)),
        ((1, 3, 11, 11), (8, 3, 5, 5), dict(stride=3, padding=2, dilation=1)),
    ],
)
def test_conv2d_against_torch(rng, x_shape, w_shape, kwargs, torch):
    torch_f = torch.nn.functional
    _against_torch(
        torch,
        rng,
        lambda x, w, b: F.conv2d(x, w, b, **kwargs),
        lambda x, w, b: torch_f.conv2d(x, w, b, **kwargs),
        [x_shape, w_shape, (w_shape[0],)],
    )


def test_conv1d_and_conv_transpose_against_torch(rng, torch):
    torch_f = torch.nn.functional
    _against_torch(
        torch,
        rng,
        lambda x, w: F.conv1d(x, w, stride=2, padding="valid", dilation=2),
        lambda x, w: torch_f.conv1d(x, w, stride=2, padding="valid", dilation=2),
        [(2, 3, 11), (4, 3, 3)],
    )
    _against_torch(
        torch,
        rng,
        lambda x, w: F.conv1d(x, w, padding="same"),
        lambda x, w: torch_f.conv1d(x, w, padding="same"),
        [(2, 3, 11), (4, 3, 4)],
    )
    kw = dict(stride=(2, 3), padding=(1, 0), output_padding=(1, 2), groups=2, dilation=(1, 2))
    _against_torch(
        torch,
        rng,
        lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
        lambda x, w, b: torch_f.conv_transpose2d(x, w, b, **kw),
        [(2, 4, 5, 6), (4, 3, 3, 3), (6,)],
    )
    _against_torch(
        torch,
        rng,
        lambda x, w: F.conv_transpose1d(x, w, stride=2, padding=1, output_padding=1),
        lambda x, w: torch_f.conv_transpose1d(x, w, stride=2, padding=1, output_padding=1),
        [(2, 3, 7), (3, 2, 4)],
    )


def test_unfold_fold_pad_against_torch(rng, torch):
    torch_f = torch.nn.functional
    kw = dict(kernel_size=(2, 3), dilation=(1, 2), padding=(1, 0), stride=(2, 1))
    _against_torch(torch, rng, lambda x: F.unfold(x, **kw), lambda x: torch_f.unfold(x, **kw), [(2, 3, 7, 8)])
    _against_torch(
        torch, rng, lambda c: F.fold(c, (7, 8), **kw), lambda c: torch_f.fold(c, (7, 8), **kw), [(2, 18, 16)]
    )
    for mode in ("constant", "reflect", "replicate", "circular"):
        _against_torch(
            torch,
            rng,
            lambda x, mode=mode: F.pad(x, (2, 1, 3, 0), mode=mode),
            lambda x, mode=mode: torch_f.pad(x, (2, 1, 3, 0), mode=mode),
            [(2, 3, 5, 4)],
        )
    _against_torch(
        torch,
        rng,
        lambda x: F.pad(x, (1, 2), mode="reflect"),
        lambda x: torch_f.pad(x, (1, 2), mode="reflect"),
        [(2, 3, 5)],
    )
    _against_torch(
        torch,
        rng,
        lambda x: F.pad(x, (-1, 2, 1, -2), value=0.5),
        lambda x: torch_f.pad(x, (-1, 2, 1, -2), value=0.5),
        [(2, 3, 5, 4)],
    )


def test_float32_against_torch(rng, torch):
    x = rng.standard_normal((4, 16, 20, 20)).astype(np.float32)
    w = rng.standard_normal((32, 16, 3, 3)).astype(np.float32)
    out = F.conv2d(minigrad.tensor(x), minigrad.tensor(w), stride=2, padding=1).numpy()
    expected = torch.nn.functional.conv2d(torch.tensor(x), torch.tensor(w), stride=2, padding=1).numpy()
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)


# ---- padding modes swept against numpy's np.pad ---------------------------------------------------


@hypothesis.settings(max_examples=40)
@hypothesis.given(
    shape=st.lists(st.integers(1, 5), min_size=3, max_size=4),
    mode=st.sampled_from(["constant", "reflect", "replicate", "circular"]),
    amounts=st.lists(st.integers(0, 4), min_size=2, max_size=4),
    seed=st.integers(0, 2**31),
)
def test_pad_modes_match_numpy(shape, mode, amounts, seed):
    k = len(amounts) // 2
    pad = tuple(amounts[: 2 * k])
    sizes = shape[len(shape) - k :]
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in reversed(range(k))]  # dimension order
    if mode == "reflect" and any(max(p) >= n for p, n in zip(pairs, sizes)):
        return
    if mode == "circular" and any(max(p) > n for p, n in zip(pairs, sizes)):
        return
    x = np.random.default_rng(seed).standard_normal(shape)
    widths = [(0, 0)] * (len(shape) - k) + pairs
    numpy_mode = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    expected = np.pad(x, widths, mode=numpy_mode)
    np.testing.assert_array_equal(F.pad(minigrad.tensor(x), pad, mode=mode).numpy(), expected)


def test_double_backward_when_only_some_inputs_need_gradients():
    """The gradient of a gradient where the upstream gradient is a constant (no grad): the
    weight-gradient node then saves only one of its two inputs."""
    x = minigrad.randn(1, 2, 4, 4, requires_grad=True)
    w = minigrad.randn(2, 3, 3, 3, requires_grad=True)
    for out in (F.conv_transpose2d(x, w, stride=2, output_padding=1), F.conv2d(x, w.transpose(0, 1))):
        gx, gw = minigrad.autograd.grad(out.sum(), [x, w], create_graph=True)
        (gx.sum() + gw.sum()).backward()
        assert x.grad is not None and w.grad is not None
        x.grad = w.grad = None
