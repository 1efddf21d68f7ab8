"""Adadelta, Adagrad, Adamax and NAdam against torch.optim: 20 steps in float64 from the same
parameters and gradients, every hyper-parameter branch; defaults, errors and state_dicts."""

import numpy as np
import pytest

import minigrad
from minigrad import optim

SHAPES = [(3, 4), (5,)]

CASES = [
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.1}),
    ("Adadelta", {"maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.3}),
    ("Adagrad", {"eps": 1e-6, "maximize": True}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}),
    ("Adamax", {"maximize": True}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("NAdam", {"weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("NAdam", {"maximize": True}),
]


def _trajectory(lib, name, kwargs, init, grads):
    params = [lib.tensor(a.copy(), requires_grad=True) for a in init]
    opt = getattr(lib.optim, name)(params, **kwargs)
    history = []
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = lib.tensor(g.copy())
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history, opt


@pytest.mark.parametrize("name, kwargs", CASES)
def test_trajectory_matches_torch_over_20_steps(torch, rng, name, kwargs):
    init = [rng.standard_normal(s) for s in SHAPES]
    grads = [[rng.standard_normal(s) for s in SHAPES] for _ in range(20)]
    ours, _ = _trajectory(minigrad, name, kwargs, init, grads)
    theirs, _ = _trajectory(torch, name, kwargs, init, grads)
    for step, (a, b) in enumerate(zip(ours, theirs)):
        for x, y in zip(a, b):
            np.testing.assert_allclose(x, y, rtol=1e-6, atol=1e-6, err_msg=f"step {step + 1}")


@pytest.mark.parametrize("name", ["Adadelta", "Adagrad", "Adamax", "NAdam"])
def test_defaults_and_state_names_match_torch(torch, rng, name):
    init = [rng.standard_normal(s) for s in SHAPES]
    grads = [[rng.standard_normal(s) for s in SHAPES]]
    _, ours = _trajectory(minigrad, name, {}, init, grads)
    _, theirs = _trajectory(torch, name, {}, init, grads)
    ignored = {"foreach", "capturable", "differentiable", "fused", "params", "decoupled_weight_decay"}
    expected = {k: v for k, v in theirs.param_groups[0].items() if k not in ignored}
    got = {k: v for k, v in ours.param_groups[0].items() if k not in ignored}
    assert got == expected
    ours_state, theirs_state = ours.state_dict()["state"][0], theirs.state_dict()["state"][0]
    assert sorted(ours_state) == sorted(theirs_state)
    for key, value in theirs_state.items():
        np.testing.assert_allclose(ours_state[key].numpy(), value.numpy(), rtol=1e-6)
        assert ours_state[key].numpy().dtype == value.numpy().dtype


@pytest.mark.parametrize(
    "name, kwargs, message",
    [
        ("Adadelta", {"lr": -1}, "Invalid learning rate: -1"),
        ("Adadelta", {"rho": 1.5}, "Invalid rho value: 1.5"),
        ("Adagrad", {"lr_decay": -1}, "Invalid lr_decay value: -1"),
        ("Adagrad", {"initial_accumulator_value": -1}, "Invalid initial_accumulator_value value: -1"),
        ("Adamax", {"betas": (0.9, 1.0)}, "Invalid beta parameter at index 1: 1.0"),
        ("NAdam", {"momentum_decay": -1}, "Invalid momentum_decay value: -1"),
        ("NAdam", {"eps": -1}, "Invalid epsilon value: -1"),
    ],
)
def test_bad_hyper_parameters_raise_torchs_errors(torch, name, kwargs, message):
    for lib in (minigrad, torch):
        with pytest.raises(ValueError, match=message):
            getattr(lib.optim, name)([lib.zeros(2, requires_grad=True)], **kwargs)


def test_a_step_counts_as_an_in_place_change():
    w = minigrad.ones(3, requires_grad=True)
    opt = optim.Adagrad([w])
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    opt.step()
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
