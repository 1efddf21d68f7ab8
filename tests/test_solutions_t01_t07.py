"""The solutions of the exercises of tutorials 1 to 7 (docs/solutions/t01_*.py ... t07_*.py) run and are right.

Each solution is loaded from its file and checked against an independent oracle: minigrad's
own backward, a naive loop, numpy, or PyTorch (skipped where it is not installed). Every
solution file is also run as a script, as a reader would run it.
"""

import doctest
import importlib.util
import os
import re
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import nn
from minigrad.autograd import gradcheck, gradgradcheck

SOLUTIONS = Path(__file__).resolve().parents[1] / "docs" / "solutions"
FILES = sorted(p.name for p in SOLUTIONS.glob("t0[1-7]_*.py"))


def solution(stem):
    """The solution module docs/solutions/<stem>.py, imported from its file."""
    spec = importlib.util.spec_from_file_location(f"solution_{stem}", SOLUTIONS / f"{stem}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_tutorial_from_1_to_7_has_a_solution_and_an_exercises_block():
    tutorials = sorted((SOLUTIONS.parent / "tutorials").glob("0[1-7]_*.py"))
    assert len(tutorials) == 7
    for path in tutorials:
        number = path.name[:2]
        source = path.read_text()
        assert "Exercises\n# ---------" in source, f"{path.name}: no Exercises section"
        ours = [name for name in FILES if name.startswith(f"t{number}_")]
        assert ours, f"{path.name}: no solution in docs/solutions"
        for name in ours:
            assert name in source, f"{path.name} does not point to its solution {name}"


# tutorial 7's trains two networks for four epochs: its parts are tested below instead
@pytest.mark.parametrize("name", [name for name in FILES if not name.startswith("t07_")])
def test_solution_runs_as_a_script(name, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", [name])
    runpy.run_path(str(SOLUTIONS / name), run_name="__main__")
    assert capsys.readouterr().out


# ---- tutorial 1 -------------------------------------------------------------------------


def test_t01_gradients_by_hand_equal_backward():
    s = solution("t01_gradient_by_hand")
    rng = np.random.default_rng(1)
    xs, ys = rng.standard_normal(20), rng.standard_normal(20)
    for w, b in [(0.0, 0.0), (0.7, -1.3), (-2.0, 0.5)]:
        np.testing.assert_allclose(s.gradients_by_hand(xs, ys, w, b), s.gradients_by_backward(xs, ys, w, b), rtol=1e-12)


@pytest.mark.parametrize("chunks", [1, 3, 4])
def test_t01_accumulated_gradients_equal_the_full_batch(chunks):
    s = solution("t01_gradient_accumulation")
    xs = minigrad.randn(32, 1, dtype=minigrad.float64)
    ys = 2 * xs + 0.3 * minigrad.randn(32, 1, dtype=minigrad.float64)
    weight = minigrad.randn(1, 1, dtype=minigrad.float64, requires_grad=True)
    bias = minigrad.randn(1, dtype=minigrad.float64, requires_grad=True)
    accumulated = [g.numpy().copy() for g in s.accumulated_gradients(xs, ys, weight, bias, chunks)]
    full = [g.numpy() for g in s.full_batch_gradients(xs, ys, weight, bias)]
    for got, expected in zip(accumulated, full):
        np.testing.assert_allclose(got, expected, rtol=1e-12)


# ---- tutorial 2 -------------------------------------------------------------------------


def test_t02_logsumexp_values_gradients_and_overflow(torch):
    s = solution("t02_logsumexp_function")
    x = minigrad.randn(3, 4, 5, dtype=minigrad.float64, requires_grad=True)
    np.testing.assert_allclose(s.logsumexp(x).detach().numpy(), minigrad.logsumexp(x, dim=-1).detach().numpy())
    assert gradcheck(s.logsumexp, (x,))
    assert gradgradcheck(s.logsumexp, (x,))
    big = s.logsumexp(minigrad.tensor([[1000.0, 1000.0], [-1000.0, -1000.0]], dtype=minigrad.float64))
    np.testing.assert_allclose(big.numpy(), [1000 + np.log(2), -1000 + np.log(2)])
    # the Hessian, through the saved output, against PyTorch's
    v = minigrad.randn(5, dtype=minigrad.float64, requires_grad=True)
    (g,) = minigrad.autograd.grad(s.logsumexp(v), v, create_graph=True)
    hessian = np.stack([minigrad.autograd.grad(g[i], v, retain_graph=True)[0].numpy() for i in range(5)])
    expected = torch.autograd.functional.hessian(lambda t: torch.logsumexp(t, -1), torch.tensor(v.detach().numpy()))
    np.testing.assert_allclose(hessian, expected.numpy(), atol=1e-12)


def test_t02_hardtanh_against_torch(torch):
    s = solution("t02_new_op_hardtanh")
    values = np.array([-3.0, -1.0, -0.999, -0.2, 0.0, 0.4, 1.0, 1.5, 0.5, -0.5])
    for min_val, max_val in [(-1.0, 1.0), (0.0, 0.5), (-0.5, -0.5)]:
        x = minigrad.tensor(values, requires_grad=True)
        y = s.hardtanh(x, min_val, max_val)
        g = np.arange(1.0, 11.0)
        y.backward(minigrad.tensor(g))
        tx = torch.tensor(values, requires_grad=True)
        ty = torch.nn.functional.hardtanh(tx, min_val, max_val)
        ty.backward(torch.tensor(g))
        np.testing.assert_array_equal(y.detach().numpy(), ty.detach().numpy())
        np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())
    with pytest.raises(ValueError) as theirs:
        torch.nn.functional.hardtanh(torch.zeros(2), 1.0, -1.0)
    with pytest.raises(ValueError, match=f"^{re.escape(str(theirs.value))}$"):
        s.hardtanh(minigrad.zeros(2), 1.0, -1.0)


def test_t02_hardtanh_gradchecks_layer_and_docstring():
    s = solution("t02_new_op_hardtanh")
    # away from the kinks at -1 and 1, as the checklist asks
    x = minigrad.tensor(np.linspace(-2.9, 2.9, 20), dtype=minigrad.float64, requires_grad=True)
    assert gradcheck(s.hardtanh, (x,)) and gradgradcheck(s.hardtanh, (x,))
    layer = s.Hardtanh(0.0, 6.0)
    np.testing.assert_array_equal(layer(minigrad.tensor([-1.0, 3.0, 7.0])).numpy(), [0.0, 3.0, 6.0])
    assert repr(s.Hardtanh()) == "Hardtanh()" and repr(layer) == "Hardtanh(min_val=0.0, max_val=6.0)"
    with pytest.raises(ValueError, match="min_val"):
        s.Hardtanh(1.0, -1.0)
    with pytest.raises(TypeError, match="must be Tensor"):
        s.hardtanh([1.0])
    runner = doctest.DocTestRunner()
    for test in doctest.DocTestFinder().find(
        s.hardtanh, "hardtanh", globs={"minigrad": minigrad, "hardtanh": s.hardtanh}
    ):
        assert runner.run(test).failed == 0


# ---- tutorial 3 -------------------------------------------------------------------------


def _spd(n, seed):
    m = np.random.default_rng(seed).standard_normal((n, n))
    return m @ m.T + n * np.eye(n)


@pytest.mark.parametrize("n", [1, 4, 9])
def test_t03_one_newton_step_solves_a_quadratic(n):
    s = solution("t03_hessian_vector_product")
    a, b = _spd(n, n), np.random.default_rng(n + 1).standard_normal(n)
    f = s.quadratic(minigrad.tensor(a), minigrad.tensor(b))
    x0 = minigrad.tensor(np.random.default_rng(n + 2).standard_normal(n))
    v = minigrad.tensor(np.random.default_rng(n + 3).standard_normal(n))
    np.testing.assert_allclose(s.hvp(f, x0, v).numpy(), a @ v.numpy(), rtol=1e-12)
    np.testing.assert_allclose(s.newton_step(f, x0).numpy(), np.linalg.solve(a, b), rtol=1e-8, atol=1e-10)


def test_t03_hvp_of_a_non_quadratic_against_torch(torch):
    s = solution("t03_hessian_vector_product")
    x = minigrad.randn(6, dtype=minigrad.float64)
    v = minigrad.randn(6, dtype=minigrad.float64)
    ours = s.hvp(lambda t: (t.tanh() ** 2).sum() + t.sum() ** 2 * t[0], x, v)
    _, theirs = torch.autograd.functional.hvp(
        lambda t: (t.tanh() ** 2).sum() + t.sum() ** 2 * t[0], torch.tensor(x.numpy()), torch.tensor(v.numpy())
    )
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-10)


def test_t03_tanh_derivatives():
    s = solution("t03_tanh_derivatives")
    x = np.linspace(-4, 4, 41)
    auto, hand = s.derivatives_by_autograd(x), s.derivatives_by_hand(x)
    for got, expected in zip(auto, hand):
        np.testing.assert_allclose(got, expected, atol=1e-14)
    # the hand formulas themselves, by central differences of the order below
    h = 1e-5
    below = [np.tanh, *[lambda t, k=k: s.derivatives_by_hand(t)[k] for k in range(2)]]
    for order in range(3):
        np.testing.assert_allclose((below[order](x + h) - below[order](x - h)) / (2 * h), hand[order], atol=1e-8)


# ---- tutorial 4 -------------------------------------------------------------------------


@pytest.mark.parametrize("stride,padding,dilation", [(1, 0, 1), (1, 0, 2), (2, 1, 2), (1, 2, 3), (3, 1, 2)])
def test_t04_dilated_loops_equal_conv2d(stride, padding, dilation):
    s = solution("t04_dilated_conv_loops")
    rng = np.random.default_rng(dilation)
    x, w, b = rng.standard_normal((2, 2, 10, 9)), rng.standard_normal((3, 2, 3, 2)), rng.standard_normal(3)
    got = F.conv2d(minigrad.tensor(x), minigrad.tensor(w), minigrad.tensor(b), stride, padding, dilation).numpy()
    np.testing.assert_allclose(s.conv2d_loops(x, w, b, stride, padding, dilation), got, atol=1e-12)
    assert got.shape[2:] == (
        s.output_size(10, 3, stride, padding, dilation),
        s.output_size(9, 2, stride, padding, dilation),
    )


@pytest.mark.parametrize("k,stride,padding", [(1, 1, 0), (3, 1, 1), (3, 2, 1), (2, 3, 0), (5, 2, 2)])
def test_t04_numpy_im2col_equals_unfold_and_conv2d(k, stride, padding):
    s = solution("t04_im2col_numpy")
    rng = np.random.default_rng(k)
    x, w = rng.standard_normal((2, 3, 9, 8)), rng.standard_normal((4, 3, k, k))
    unfold = F.unfold(minigrad.tensor(x), k, padding=padding, stride=stride).numpy()
    np.testing.assert_array_equal(s.im2col(x, k, stride, padding), unfold)
    conv = F.conv2d(minigrad.tensor(x), minigrad.tensor(w), stride=stride, padding=padding).numpy()
    np.testing.assert_allclose(s.conv2d_im2col(x, w, stride, padding), conv, atol=1e-12)


# ---- tutorial 5 -------------------------------------------------------------------------


def test_t05_stride2_input_gradient_by_hand(torch):
    s = solution("t05_stride2_input_gradient")
    np.testing.assert_array_equal(s.input_gradient_by_backward(), s.BY_HAND)
    np.testing.assert_array_equal(s.input_gradient_by_flipped_kernel(), s.BY_HAND)
    x = torch.zeros(1, 1, 5, 5, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.conv2d(x, torch.tensor(s.K).reshape(1, 1, 3, 3), stride=2).backward(
        torch.tensor(s.G).reshape(1, 1, 2, 2)
    )
    np.testing.assert_array_equal(x.grad.numpy()[0, 0], s.BY_HAND)


@pytest.mark.parametrize("size,k,stride", [(6, 3, 2), (7, 2, 3), (8, 3, 1)])
def test_t05_flipped_kernel_recipe_on_other_shapes(size, k, stride):
    s = solution("t05_stride2_input_gradient")
    rng = np.random.default_rng(size)
    kernel = rng.standard_normal((k, k))
    n = (size - k) // stride + 1
    upstream = rng.standard_normal((n, n))
    np.testing.assert_allclose(
        s.input_gradient_by_flipped_kernel(kernel, upstream, size, stride),
        s.input_gradient_by_backward(kernel, upstream, size, stride),
        atol=1e-12,
    )


@pytest.mark.parametrize("stride,padding,size", [(1, 0, 8), (2, 1, 9), (2, 0, 10), (3, 2, 11)])
def test_t05_strided_weight_gradient_is_a_dilated_conv(stride, padding, size):
    s = solution("t05_strided_weight_gradient")
    x = minigrad.randn(2, 3, size, size, dtype=minigrad.float64)
    w = minigrad.randn(4, 3, 3, 3, dtype=minigrad.float64, requires_grad=True)
    y = F.conv2d(x, w, stride=stride, padding=padding)
    g = minigrad.randn(*y.shape, dtype=minigrad.float64)
    y.backward(g)
    np.testing.assert_allclose(s.weight_gradient(x, g, 3, stride, padding).numpy(), w.grad.numpy(), atol=1e-12)


# ---- tutorial 6 -------------------------------------------------------------------------


@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize(
    "shape,k,stride,padding", [((1, 1, 5, 5), 3, 2, 1), ((2, 3, 7, 6), 2, 2, 1), ((1, 2, 6, 6), 3, 1, 1)]
)
def test_t06_avg_pool_backward_loops(count_include_pad, shape, k, stride, padding, torch):
    s = solution("t06_avg_pool_backward_padding")
    rng = np.random.default_rng(k)
    x = rng.standard_normal(shape)
    out_shape = F.avg_pool2d(minigrad.tensor(x), k, stride, padding).shape
    g = rng.standard_normal(tuple(out_shape))
    loops = s.avg_pool2d_backward_loops(g, shape, k, stride, padding, count_include_pad)
    np.testing.assert_allclose(
        loops, s.avg_pool2d_backward_minigrad(g, x, k, stride, padding, count_include_pad), atol=1e-14
    )
    tx = torch.tensor(x, requires_grad=True)
    torch.nn.functional.avg_pool2d(tx, k, stride, padding, count_include_pad=count_include_pad).backward(
        torch.tensor(g)
    )
    np.testing.assert_allclose(loops, tx.grad.numpy(), atol=1e-14)


def test_t06_the_two_divisors_differ_on_the_border():
    s = solution("t06_avg_pool_backward_padding")
    g = np.ones((1, 1, 3, 3))
    included = s.avg_pool2d_backward_loops(g, (1, 1, 5, 5), 3, 2, 1, True)
    excluded = s.avg_pool2d_backward_loops(g, (1, 1, 5, 5), 3, 2, 1, False)
    assert included[0, 0, 0, 0] == pytest.approx(1 / 9) and excluded[0, 0, 0, 0] == pytest.approx(1 / 4)


@pytest.mark.parametrize(
    "shape,k,stride", [((2, 2, 6, 6), 2, 2), ((1, 3, 7, 7), 3, 2), ((2, 1, 5, 6), 3, 1), ((1, 1, 8, 8), 2, 3)]
)
def test_t06_max_pool_loops_with_ties(shape, k, stride, torch):
    s = solution("t06_max_pool_backward_ties")
    rng = np.random.default_rng(k * 10 + stride)
    x = rng.integers(0, 3, shape).astype(np.float64)  # three values: ties in almost every window
    out, indices = s.max_pool2d_loops(x, k, stride)
    ours, ours_indices = F.max_pool2d(minigrad.tensor(x), k, stride, return_indices=True)
    np.testing.assert_array_equal(out, ours.numpy())
    np.testing.assert_array_equal(indices, ours_indices.numpy())
    theirs, theirs_indices = torch.nn.functional.max_pool2d(torch.tensor(x), k, stride, return_indices=True)
    np.testing.assert_array_equal(indices, theirs_indices.numpy())
    g = rng.standard_normal(out.shape)
    loops = s.max_pool2d_backward_loops(g, indices, shape)
    np.testing.assert_allclose(loops, s.max_pool2d_backward_minigrad(g, x, k, stride), atol=1e-14)
    tx = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(tx, k, stride).backward(torch.tensor(g))
    np.testing.assert_allclose(loops, tx.grad.numpy(), atol=1e-14)


# ---- tutorial 7 -------------------------------------------------------------------------


def test_t07_both_lenets_have_the_notes_parameters_and_shapes():
    s = solution("t07_relu_maxpool_lenet")
    sigmoid_avg = s.lenet5(nn.Sigmoid, nn.AvgPool2d)
    relu_max = s.lenet5(nn.ReLU, nn.MaxPool2d)
    for model in (sigmoid_avg, relu_max):
        assert sum(p.numel() for p in model.parameters()) == 61_706
        assert model(minigrad.zeros(2, 1, 32, 32)).shape == (2, 10)
    assert list(sigmoid_avg.state_dict()) == list(relu_max.state_dict())
    assert sum(p.numel() for p in minigrad.models.lenet5().parameters()) == 61_706


@pytest.mark.slow
def test_t07_relu_max_pool_learns_faster_in_the_first_epoch():
    s = solution("t07_relu_maxpool_lenet")
    os.environ.setdefault("MPLBACKEND", "Agg")
    histories = s.compare(epochs=1)
    sigmoid, relu = histories["sigmoid + average pooling"], histories["ReLU + max pooling"]
    assert relu["loss"][0] < sigmoid["loss"][0]
    assert relu["test accuracy"][0] > sigmoid["test accuracy"][0]
