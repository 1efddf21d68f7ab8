"""The solutions of the exercises of tutorials 08 and 11 (docs/solutions/t08_*.py, t11_*.py) run,
and their hand-derived answers agree with what minigrad computes (and PyTorch, where it has
the same function)."""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

import minigrad
import minigrad.nn.functional as F
from minigrad import models, nn
from minigrad.models.vgg import CONFIGS, make_layers

SOLUTIONS = Path(__file__).resolve().parent.parent / "docs" / "solutions"


def load(name):
    spec = importlib.util.spec_from_file_location(f"solution_{name}", SOLUTIONS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", sorted(SOLUTIONS.glob("t08_*.py")) + sorted(SOLUTIONS.glob("t11_*.py")), ids=str)
def test_solution_runs_as_a_script(path, capsys):
    import runpy

    runpy.run_path(str(path), run_name="__main__")
    assert capsys.readouterr().out


# ---- tutorial 08 -----------------------------------------------------------------------------


def test_vgg_c_by_hand_matches_minigrad():
    solution = load("t08_vgg_c_params")
    by_hand = solution.vgg_c_params_by_hand()
    model = solution.build_vgg_c()
    assert by_hand == sum(p.numel() for p in model.parameters())
    assert round(by_hand / 1e6) == 134  # the notes' table
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
    assert len(convs) + len(linears) == 16 and sum(c.kernel_size == (1, 1) for c in convs) == 3
    assert model(minigrad.zeros(1, 3, 32, 32)).shape == (1, 1000)
    # Independently: the convolutions of minigrad's VGG-16 (D) with three 3x3 layers made 1x1.
    d_convs = sum(p.numel() for p in make_layers(CONFIGS["D"]).parameters())
    saved = 8 * (256 * 256 + 2 * 512 * 512)  # a 1x1 keeps 1 of a 3x3's 9 weights per channel pair
    assert by_hand == d_convs - saved + sum(p.numel() for m in linears for p in m.parameters())


def test_stacked_3x3_receptive_field():
    solution = load("t08_stacked_3x3_receptive_field")
    for layers in (1, 2, 3, 4):
        assert solution.receptive_field(layers) == (1 + 2 * layers,) * 2
    assert solution.receptive_field(2, kernel_size=5) == (9, 9)
    assert solution.weights(16) == (27 * 16 * 16, 49 * 16 * 16)


def test_bottleneck_counts_match_resnet_blocks():
    solution = load("t08_bottleneck_params")
    assert solution.bottleneck_by_hand() == solution.measured(models.resnet50().layer1[1])
    assert solution.basic_by_hand(64) == solution.measured(models.resnet34().layer1[0], channels=64)


# ---- tutorial 11 -----------------------------------------------------------------------------


@pytest.mark.parametrize("x, p", [(1.0, 0.5), (3.0, 0.2), (-2.0, 0.8)])
def test_dropout_moments(x, p):
    solution = load("t11_dropout_moments")
    mean, var = solution.dropout_moments(x, p)
    sampled_mean, sampled_var = solution.sampled_moments(x, p, samples=400_000)
    # Five standard errors: the mean of 400,000 draws, and (loosely) their variance.
    assert abs(sampled_mean - mean) < 5 * math.sqrt(var / 400_000)
    assert sampled_var == pytest.approx(var, rel=0.03)


@pytest.mark.parametrize("gamma", [0.0, 0.5, 1.0, 2.0, 5.0])
def test_focal_loss_gradient_by_hand(gamma, rng):
    solution = load("t11_focal_loss_gradient")
    for _ in range(5):
        logits, target = rng.normal(size=6) * 2, int(rng.integers(6))
        np.testing.assert_allclose(
            solution.focal_loss_grad(logits, target, gamma), solution.autograd_grad(logits, target, gamma), atol=1e-12
        )


def test_focal_gradient_tenfold_point_against_autograd():
    solution = load("t11_focal_loss_gradient")
    p = solution.tenfold_smaller_at(2.0)
    logits = minigrad.tensor([[math.log(p), math.log(1 - p)]], dtype=minigrad.float64, requires_grad=True)
    target = minigrad.tensor([0])
    (focal,) = minigrad.autograd.grad(F.focal_loss(logits, target, gamma=2.0), logits)
    (ce,) = minigrad.autograd.grad(F.cross_entropy(logits, target), logits)
    assert focal.numpy()[0, 0] / ce.numpy()[0, 0] == pytest.approx(0.1, rel=1e-6)


def test_leaky_relu_init(torch):
    solution = load("t11_leaky_relu_init")
    for a in (0.01, 0.2, 0.5):
        std = solution.leaky_relu_std(512, a)
        assert std == pytest.approx(nn.init.calculate_gain("leaky_relu", a) / math.sqrt(512))
        assert std == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", a) / math.sqrt(512))
    assert solution.second_moment_per_layer(solution.leaky_relu_std(512, 0.5), 0.5) == pytest.approx(1.0, abs=0.06)
    assert solution.second_moment_per_layer(math.sqrt(2 / 512), 0.5) == pytest.approx(1.25, abs=0.06)


@pytest.mark.parametrize("bias, stride, groups", [(False, 1, 1), (True, 2, 2)])
def test_fold_batch_norm(bias, stride, groups, torch):
    solution = load("t11_fold_batch_norm")
    conv = nn.Conv2d(4, 6, 3, stride=stride, padding=1, groups=groups, bias=bias)
    bn = nn.BatchNorm2d(6)
    for _ in range(5):
        bn(conv(minigrad.randn(8, 4, 10, 10) * 3 + 1))
    with minigrad.no_grad():
        bn.weight.copy_(minigrad.rand(6) + 0.5)
        bn.bias.copy_(minigrad.randn(6))
    bn.eval()
    folded = solution.fold(conv, bn)
    x = minigrad.randn(2, 4, 10, 10)
    with minigrad.no_grad():
        np.testing.assert_allclose(folded(x).numpy(), bn(conv(x)).numpy(), atol=1e-5)
    # PyTorch's own folding of the same numbers.
    t_conv = torch.nn.Conv2d(4, 6, 3, stride=stride, padding=1, groups=groups, bias=bias).eval()
    t_bn = torch.nn.BatchNorm2d(6).eval()
    t_conv.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in conv.state_dict().items()})
    t_bn.load_state_dict({k: torch.from_numpy(np.asarray(v.numpy())) for k, v in bn.state_dict().items()})
    fused = torch.nn.utils.fusion.fuse_conv_bn_eval(t_conv, t_bn)
    np.testing.assert_allclose(folded.weight.detach().numpy(), fused.weight.detach().numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(folded.bias.detach().numpy(), fused.bias.detach().numpy(), rtol=1e-6, atol=1e-7)
