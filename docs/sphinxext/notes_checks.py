"""The checks behind ``docs/notes_map.md`` and the student pages, run by the build and the tests.

* :data:`ERRATA`, the corrections to the lecture notes, each with the code that checks it.
* :func:`page_doctest_failures` runs the ``>>>`` examples of a Markdown page.
* :func:`defines` tells whether a source file defines a name (for the ``{src}`` role).

Every entry of :data:`ERRATA` names where the notes (``/work/shared/reference``, files
000 to 004) say something, what they say, what is right, and a ``check`` function that
computes the right value with minigrad and raises ``AssertionError`` when minigrad (or
the correction) disagrees. The ``errata-table`` directive of ``minigrad_notes`` runs
every check while the docs are built and prints what each one measured, so the table in
``docs/notes_map.md`` cannot drift from the code; ``tests/test_notes_errata.py`` runs the
same checks in the test suite.

This module imports minigrad and numpy only, never Sphinx, so that the tests can use it.
"""

from __future__ import annotations

import doctest
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

import minigrad
import minigrad.nn.functional as F
from minigrad import models, nn


@dataclass(frozen=True)
class Erratum:
    """One correction: ``check()`` returns what minigrad measured, as a short text."""

    key: str
    where: str  # the notes' file and slide or section
    says: str  # what the notes say (MyST Markdown)
    correct: str  # what is right (MyST Markdown)
    check: Callable[[], str]
    kind: str = "error"  # or "convention": right in the notes' own terms, named otherwise here


def _conv_out(size: int, kernel: int, padding: int, stride: int) -> int:
    x = minigrad.zeros(1, 1, size, size)
    return F.conv2d(x, minigrad.zeros(1, 1, kernel, kernel), padding=padding, stride=stride).shape[-1]


def _check_example_stride_1() -> str:
    side = _conv_out(5, 3, padding=1, stride=1)
    assert side == 5, side
    return f"`conv2d` of 5x5, 3x3 kernel, padding 1, stride 1: {side}x{side}"


def _check_example_stride_2() -> str:
    side = _conv_out(5, 3, padding=1, stride=2)
    assert side == 3 == (5 - 3 + 2 * 1) // 2 + 1, side
    return f"`conv2d` of 5x5, 3x3 kernel, padding 1, stride 2: {side}x{side}"


def _check_parameters_vs_mult_adds() -> str:
    F_, K, L, H, W = 3, 16, 32, 8, 8
    layer = nn.Conv2d(K, L, F_, padding=1)
    s = minigrad.summary(layer, (1, K, H, W), verbose=0, col_names=("num_params", "mult_adds"))
    assert layer.weight.numel() == F_ * F_ * K * L and s.total_params == F_ * F_ * K * L + L
    assert s.total_mult_adds == F_ * F_ * K * L * H * W, s.total_mult_adds
    return (
        f"`Conv2d({K}, {L}, {F_}, padding=1)` on {H}x{W}: {s.total_params:,} parameters "
        f"($F^2KL + L$), {s.total_mult_adds:,} mult-adds ($F^2KLHW$)"
    )


def _check_im2col_rows() -> str:
    C_in, C_out, K = 3, 8, 5
    cols = F.unfold(minigrad.zeros(1, C_in, 12, 12), kernel_size=K)
    weight = nn.Conv2d(C_in, C_out, K).weight.reshape(C_out, -1)
    assert cols.shape[1] == K * K * C_in == weight.shape[1], (cols.shape, weight.shape)
    return (
        f"{C_in} input, {C_out} output channels, {K}x{K}: weights {tuple(weight.shape)}, im2col {tuple(cols.shape[1:])}"
    )


def _check_3x3_256() -> str:
    n = nn.Conv2d(256, 256, 3, padding=1, bias=False).weight.numel()
    assert n == 589_824 == 256 * 3 * 3 * 256, n
    return f"`Conv2d(256, 256, 3).weight.numel()` = {n:,}"


def _check_1d_backward() -> str:
    minigrad.manual_seed(0)
    x = minigrad.randn(1, 1, 9, dtype=minigrad.float64, requires_grad=True)
    w = minigrad.tensor([[[2.0, -3.0, 5.0]]], dtype=minigrad.float64)  # w1, w2, w3
    z = F.conv1d(x, w, padding=1)  # z_i = w1 x_{i-1} + w2 x_i + w3 x_{i+1}
    g = minigrad.randn(*z.shape, dtype=minigrad.float64)  # de/dz
    z.backward(g)
    gz = np.pad(g.numpy()[0, 0], 1)  # de/dz_i, zero outside the output
    w1, w2, w3 = w.numpy()[0, 0]
    by_formula = np.array([w1 * gz[i + 2] + w2 * gz[i + 1] + w3 * gz[i] for i in range(9)])
    assert np.abs(by_formula - x.grad.numpy()[0, 0]).max() < 1e-12
    as_printed = (w1 + w2 + w3) * g.numpy()[0, 0]
    assert np.abs(as_printed - x.grad.numpy()[0, 0]).max() > 1
    return "`conv1d` backward equals $w_1 g_{i+1} + w_2 g_i + w_3 g_{i-1}$ to 1e-12; the printed sum does not"


def _check_input_gradient_derivation() -> str:
    minigrad.manual_seed(0)
    x = minigrad.randn(1, 1, 8, 8, dtype=minigrad.float64)
    k = minigrad.randn(1, 1, 3, 3, dtype=minigrad.float64)
    y = F.conv2d(x, k).numpy()[0, 0]  # y(r, c) = sum over a', b' of x(r + a', c + b') k(a', b')
    xs, ks = x.numpy()[0, 0], k.numpy()[0, 0]
    r, c = 4, 5  # the input pixel (r', c')
    for a in range(3):
        for b in range(3):
            summed = sum(xs[r - a + a_, c - b + b_] * ks[a_, b_] for a_ in range(3) for b_ in range(3))
            assert abs(y[r - a, c - b] - summed) < 1e-12
    assert abs(y[r - 1, c - 1] - y[r, c]) > 1e-6  # y(r' - a, c' - b) is not y(r', c')
    return "`conv2d`: $y(r' - a, c' - b) = \\sum_{a', b'} x(r' - a + a', c' - b + b')\\, k(a', b')$ for all $a, b$"


def _check_resnet_count() -> str:
    as_printed = sum(p.numel() for p in models.resnet152(in_channels=2, num_classes=10).parameters())
    assert as_printed == 58_161_162, as_printed
    # back to 3 input channels (one more 7x7 plane per conv1 filter) and 1000 classes
    standard = as_printed + 64 * 7 * 7 + (2048 + 1) * (1000 - 10)
    assert standard == 60_192_808, standard
    return f"`resnet152(in_channels=2, num_classes=10)`: {as_printed:,}; 3 channels, 1000 classes: {standard:,}"


def _resnet_mult_adds(name: str) -> int:
    model = getattr(models, name)()
    return minigrad.summary(model, (1, 3, 224, 224), verbose=0, col_names=("mult_adds",)).total_mult_adds


def _check_flops_are_mult_adds() -> str:
    macs = _resnet_mult_adds("resnet18")
    assert round(macs / 1e9, 1) == 1.8, macs
    return f"`resnet18` at 224x224: {macs / 1e9:.3f} G mult-adds = {2 * macs / 1e9:.2f} GFLOPs"


def _check_resnet34_rounding() -> str:
    macs = _resnet_mult_adds("resnet34")
    assert round(macs / 1e9, 1) == 3.7, macs
    return f"`resnet34` at 224x224: {macs:,} mult-adds"


def _check_weight_shape() -> str:
    shape = tuple(nn.Conv2d(6, 4, kernel_size=(3, 5), groups=2).weight.shape)
    assert shape == (4, 3, 3, 5), shape
    return f"`Conv2d(6, 4, (3, 5), groups=2).weight.shape` = {shape}"


def _check_numpy_padding() -> str:
    W, H, p = 3, 4, 2  # the notes' x is W x H
    x = np.arange(W * H, dtype=np.float64).reshape(W, H)
    try:
        np.zeros(W + 2 * p, H + 2 * p)
    except TypeError:
        pass
    else:
        raise AssertionError("np.zeros(W + 2*p, H + 2*p) did not fail")
    padded = np.zeros((W + 2 * p, H + 2 * p))
    padded[p : W + p, p : H + p] = x
    ours = F.pad(minigrad.tensor(x), (p, p, p, p)).numpy()
    assert np.array_equal(padded, ours)
    return "the printed line raises `TypeError`; the corrected one equals `F.pad(x, (p, p, p, p))`"


def _check_grouping() -> str:
    minigrad.manual_seed(0)
    C, O, G = 6, 9, 3
    x = minigrad.randn(1, C, 5, 5, dtype=minigrad.float64)
    w = minigrad.randn(O, C // G, 3, 3, dtype=minigrad.float64)
    grouped = F.conv2d(x, w, groups=G).numpy()
    i, o = C // G, O // G  # channels in and out per group
    for g in range(G):
        alone = F.conv2d(x[:, g * i : (g + 1) * i], w[g * o : (g + 1) * o]).numpy()
        assert np.abs(alone - grouped[:, g * o : (g + 1) * o]).max() < 1e-12, g
    return f"`conv2d(groups={G})` equals group $g$ reading channels $g \\cdot {i}$ to $g \\cdot {i} + {i - 1}$"


def _check_dilation_sum() -> str:
    minigrad.manual_seed(0)
    d, K = 2, 3
    x = minigrad.randn(1, 2, 9, 9, dtype=minigrad.float64)
    w = minigrad.randn(1, 2, K, K, dtype=minigrad.float64)
    out = F.conv2d(x, w, dilation=d).numpy()[0, 0]
    xs, ws = x.numpy()[0], w.numpy()[0]
    side = 9 - d * (K - 1)
    summed = np.array(
        [
            [
                sum(ws[i, a, b] * xs[i, r + d * a, c + d * b] for i in range(2) for a in range(K) for b in range(K))
                for c in range(side)
            ]
            for r in range(side)
        ]
    )
    assert np.abs(summed - out).max() < 1e-12
    return f"`conv2d(dilation={d})` equals the sum over $\\Delta x, \\Delta y, i$ to 1e-12"


def _check_alexnet_scores() -> str:
    last = list(models.alexnet().classifier)[-1]
    assert isinstance(last, nn.Linear) and last.out_features == 1000, last
    return f"`alexnet().classifier` ends with `{last!r}`"


def _vgg16_rows(vgg: nn.Module, side: int) -> tuple[list[int], tuple[int, ...]]:
    """The numbers in each row of the notes' VGG-16 table (input, every conv, pool and FC
    output) for a ``side`` x ``side`` image, and the shape the features end with."""
    c, h = 3, side
    values = [h * h * c]
    for layer in vgg.features:
        if isinstance(layer, nn.Conv2d):  # 3x3, padding 1: the size is kept
            c = layer.out_channels
            values.append(h * h * c)
        elif isinstance(layer, nn.MaxPool2d):  # 2x2, stride 2: halved
            h //= 2
            values.append(h * h * c)
    values += [layer.out_features for layer in vgg.classifier if isinstance(layer, nn.Linear)]
    return values, (1, c, h, h)


def _check_vgg16_memory() -> str:
    vgg = models.vgg16()
    _, small = _vgg16_rows(vgg, 32)
    with minigrad.no_grad():  # the walk gives the shape the model computes (at 32x32: fast)
        assert tuple(vgg.features(minigrad.zeros(1, 3, 32, 32)).shape) == small
    values, _ = _vgg16_rows(vgg, 224)
    total = sum(values)
    assert total == 15_237_608 and round(total * 4 / 1e6) == 61, total
    return f"{len(values)} rows, {total:,} values x 4 bytes = {total * 4 / 1e6:.1f} MB"


def _check_alexnet_input() -> str:
    sides = {n: _conv_out(n, 11, padding=2, stride=4) for n in (224, 227)}
    assert sides == {224: 55, 227: 56}, sides
    return f"conv1 (11x11, stride 4, padding 2): 224 gives {sides[224]}, 227 gives {sides[227]}"


def _check_dropout_p() -> str:
    minigrad.manual_seed(0)
    layer = nn.Dropout(p=0.25).train()
    y = layer(minigrad.ones(100_000)).numpy()
    dropped = float((y == 0).mean())
    assert abs(dropped - 0.25) < 0.01 and np.allclose(y[y != 0], 1 / 0.75)
    return f"`nn.Dropout(p=0.25)` in training zeroes {dropped:.1%} and scales the rest by 1/0.75"


ERRATA: list[Erratum] = [
    Erratum(
        "conv-example-stride-1",
        "000, Lecture 10, *Convolutional Layer*, example 1",
        '5x5 image, 3x3 kernel, padding 1, stride 1: "Output: 3x3 feature map, (5-3+2\\*1)/1+1=5"',
        "a 5x5 feature map (the formula in the same line is right)",
        _check_example_stride_1,
    ),
    Erratum(
        "conv-example-stride-2",
        "000, Lecture 10, *Convolutional Layer*, example 2",
        'padding 1, stride 2: "2x2 feature map, (5-3+2\\*1)/2+1=2"',
        "$(5 - 3 + 2)/2 + 1 = 3$: a 3x3 feature map",
        _check_example_stride_2,
    ),
    Erratum(
        "parameters-vs-mult-adds",
        "000, Lecture 10, *Convolutional Layer*",
        "$H \\times W \\times K$ in, $H \\times W \\times L$ out, $F \\times F$ kernel: "
        '"$F^2 \\times K \\times L \\times H \\times W$ parameters"',
        "$F^2 K L$ weights and $L$ biases; $F^2 K L H W$ is the number of mult-adds",
        _check_parameters_vs_mult_adds,
    ),
    Erratum(
        "im2col-channels",
        "000, Lecture 10, *Convolutional Layer*",
        '"$D \\times (K^2C)$ matrix with $(K^2C) \\times N$ matrix, assume $D$ filters and $C$ output channels"',
        "$C$ is the number of *input* channels: each filter has $K^2 C$ weights",
        _check_im2col_rows,
    ),
    Erratum(
        "bottleneck-plain-count",
        "000, Lecture 10, *1x1 convolutions*, option 1",
        "$256 \\times 3 \\times 3 \\times 256 = 524{,}288$ parameters",
        "589,824 (the 1x1 bottleneck's 69,632 is right)",
        _check_3x3_256,
    ),
    Erratum(
        "backward-1d",
        "000, Lecture 10, *Backward pass*",
        'under "the gradient of the kernel": '
        "$\\frac{\\partial e}{\\partial x_i} = \\sum_{j=-1}^{1} \\frac{\\partial e}{\\partial z_i} w_j$",
        "that is the *input* gradient, and $x_i$ reaches $z_{i+1}, z_i, z_{i-1}$: "
        "$\\frac{\\partial e}{\\partial x_i} = \\sum_{j=-1}^{1} \\frac{\\partial e}{\\partial z_{i-j}} w_{j+2}$, "
        "a convolution with the flipped kernel",
        _check_1d_backward,
    ),
    Erratum(
        "resnet-58161162",
        "001, *ResNet*",
        '"#parameters: 58,161,162"',
        "ResNet-152 has 60,192,808; 58,161,162 is a ResNet-152 for 2-channel inputs and 10 classes "
        "([T8](auto_tutorials/08_model_summaries.rst#the-notes-58-161-162))",
        _check_resnet_count,
    ),
    Erratum(
        "resnet-flops",
        "001, *ResNet* table, last row",
        '"FLOPs" $1.8, 3.6, 3.8, 7.6, 11.3 \\times 10^9$',
        "these are mult-adds (multiply-accumulates), as in the paper; FLOPs are twice as many",
        _check_flops_are_mult_adds,
    ),
    Erratum(
        "resnet34-rounding",
        "001, *ResNet* table, 34-layer",
        "$3.6 \\times 10^9$",
        "3.66 G mult-adds, which rounds to 3.7 (the paper prints 3.6 too)",
        _check_resnet34_rounding,
    ),
    Erratum(
        "conv2d-weight-shape",
        "002, *2D CNN in PyTorch*",
        'weight: "(out-channels, in-channels/groups, in-channels, kH, kW)"',
        "four dimensions: (out_channels, in_channels / groups, kH, kW)",
        _check_weight_shape,
    ),
    Erratum(
        "numpy-zero-padding",
        "002, *Zero Padding in NumPy*",
        "`padded = np.zeros(W + 2*p, H + 2*p)`",
        "`np.zeros((W + 2*p, H + 2*p))`: the shape is one tuple (a second argument is read as the dtype)",
        _check_numpy_padding,
    ),
    Erratum(
        "grouping-channel-index",
        "002, *Grouping*",
        "$W^g[\\Delta x, \\Delta y, i, j]\\, L_\\ell[b, x + \\Delta x, y + \\Delta y, g + i]$",
        "group $g$ reads input channel $g \\cdot C/G + i$, $0 \\le i < C/G$",
        _check_grouping,
    ),
    Erratum(
        "dilation-sum",
        "002, *Dilation*",
        "$\\tilde L_{\\ell+1}[b, x, y, j] = "
        "W[\\Delta x, \\Delta y, i, j] L_\\ell[b, x + d \\Delta x, y + d \\Delta y, i] + B[j]$",
        "the sum over $\\Delta x, \\Delta y, i$ is missing: "
        "$\\sum_{\\Delta x, \\Delta y, i} W[\\ldots] L_\\ell[\\ldots] + B[j]$",
        _check_dilation_sum,
    ),
    Erratum(
        "alexnet-scores",
        "002, *Alexnet*",
        "$s[1000] = \\mathrm{ReLU}(\\mathrm{FC}(L_{10}, \\Phi_s))$, class scores",
        "the class scores are the last FC layer's output, without a ReLU (it would clip every negative logit to 0)",
        _check_alexnet_scores,
    ),
    Erratum(
        "vgg16-memory",
        "003, *Case Study: VGGNet*, total",
        '"TOTAL memory: 24M \\* 4 bytes ≈ 93MB / image"',
        "the rows above it add up to 15.2M values: 61 MB per image (forward only)",
        _check_vgg16_memory,
    ),
    Erratum(
        "input-gradient-derivation",
        "004, *Calculating the Gradient*",
        "$y(r' - a, c' - b) = (x * k)(r', c') = "
        "\\sum_{a=0}^{k_1-1} \\sum_{b=0}^{k_2-1} x(r' - a + a', c' - b + b')\\, k(a', b')$",
        "$(x * k)(r' - a, c' - b)$, and the sums run over $a', b'$: "
        "$y(r' - a, c' - b) = \\sum_{a'=0}^{k_1-1} \\sum_{b'=0}^{k_2-1} x(r' - a + a', c' - b + b')\\, k(a', b')$ "
        "(the result, the convolution of the upstream gradient with $k$, is right)",
        _check_input_gradient_derivation,
    ),
    Erratum(
        "alexnet-input-size",
        "001, *AlexNet* summary",
        "conv1 output [-1, 64, 56, 56], input size not given",
        "56x56 needs a 227x227 input (224x224 gives 55x55)",
        _check_alexnet_input,
        kind="unstated",
    ),
    Erratum(
        "dropout-p",
        "004, *Why Dropout Works*",
        '"probability $1 - p$ of losing that feature": $p$ keeps a unit',
        "`nn.Dropout(p)` (PyTorch's and minigrad's) takes the probability of *dropping* it",
        _check_dropout_p,
        kind="convention",
    ),
]


def page_doctest_failures(text: str, name: str) -> list[str]:
    """Run the ``>>>`` examples of a page in order, in one namespace, from seed 0; the
    failure reports (empty when every example prints what the page shows)."""
    minigrad.manual_seed(0)
    text = re.sub(r"^\s*(```|~~~).*$", "", text, flags=re.M)  # a fence ends an expected output
    test = doctest.DocTestParser().get_doctest(text, {"__name__": name}, name, name, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    runner.run(test, out=report.append)
    return report


def defines(path: Path, name: str) -> bool:
    """Whether the Python or Cython file defines ``name`` (``def``, ``class``, ``cdef``, ``name =``)."""
    name = re.escape(name)
    pattern = rf"^\s*(?:def|class|cdef|cpdef)\b[^\n]*?\b{name}\s*[(:]|^{name}\s*[:=]"
    return re.search(pattern, path.read_text(), re.M) is not None
