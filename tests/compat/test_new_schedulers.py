"""OneCycleLR and CosineAnnealingWarmRestarts against torch.optim.lr_scheduler: the lr (and
momentum) sequences, step-by-step and with explicit (fractional) epochs, and the errors."""

import pytest

import minigrad


def _sequence(lib, optimizer, make, steps, epochs=None):
    w = lib.zeros(1, requires_grad=True)
    opt = optimizer(lib, w)
    sched = make(lib.optim.lr_scheduler, opt)
    seen = []
    for i in range(steps):
        opt.step()
        sched.step() if epochs is None else sched.step(epochs[i])
        group = opt.param_groups[0]
        seen.append((sched.get_last_lr()[0], group.get("momentum"), group.get("betas")))
    return seen


def _sgd(lib, w):
    return lib.optim.SGD([w], lr=0.1, momentum=0.9)


def _adam(lib, w):
    return lib.optim.Adam([w], lr=0.1)


ONE_CYCLE = [
    (_sgd, dict(max_lr=1.0, total_steps=30)),
    (_adam, dict(max_lr=0.5, epochs=3, steps_per_epoch=7, pct_start=0.25, anneal_strategy="linear")),
    (_sgd, dict(max_lr=2.0, total_steps=25, three_phase=True, div_factor=10.0, final_div_factor=100.0)),
    (_sgd, dict(max_lr=1.0, total_steps=20, cycle_momentum=False)),
]


@pytest.mark.parametrize("optimizer, kwargs", ONE_CYCLE)
def test_one_cycle_matches_torch(torch, optimizer, kwargs):
    steps = kwargs.get("total_steps") or kwargs["epochs"] * kwargs["steps_per_epoch"]
    ours = _sequence(minigrad, optimizer, lambda s, o: s.OneCycleLR(o, **kwargs), steps - 1)
    theirs = _sequence(torch, optimizer, lambda s, o: s.OneCycleLR(o, **kwargs), steps - 1)
    assert ours == pytest.approx(theirs, rel=1e-12)


def test_one_cycle_refuses_to_step_past_total_steps(torch):
    for lib in (minigrad, torch):
        w = lib.zeros(1, requires_grad=True)
        opt = lib.optim.SGD([w], lr=0.1, momentum=0.9)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=3)
        for _ in range(3):
            sched.step()
        with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
            sched.step()


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(max_lr=1.0), r"You must define either total_steps OR \(epochs AND steps_per_epoch\)"),
        (dict(max_lr=1.0, total_steps=0), "Expected positive integer total_steps, but got 0"),
        (dict(max_lr=1.0, total_steps=5, pct_start=1.5), "Expected float between 0 and 1 pct_start, but got 1.5"),
        (dict(max_lr=1.0, total_steps=5, anneal_strategy="exp"), "anneal_strategy must be one of 'cos' or 'linear'"),
        (dict(max_lr=[1.0, 2.0], total_steps=5), "max_lr must have the same length as optimizer.param_groups"),
    ],
)
def test_one_cycle_errors_match_torch(torch, kwargs, message):
    for lib in (minigrad, torch):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        with pytest.raises(ValueError, match=message):
            lib.optim.lr_scheduler.OneCycleLR(opt, **kwargs)


def test_one_cycle_needs_momentum_to_cycle(torch):
    for lib in (minigrad, torch):
        opt = lib.optim.Adagrad([lib.zeros(1, requires_grad=True)])
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=5)


@pytest.mark.parametrize(
    "kwargs, epochs",
    [
        (dict(T_0=5), None),
        (dict(T_0=3, T_mult=2, eta_min=0.01), None),
        (dict(T_0=3, T_mult=2), [i * 0.37 for i in range(40)]),
        (dict(T_0=4), [i * 0.5 for i in range(40)]),
    ],
)
def test_cosine_warm_restarts_matches_torch(torch, kwargs, epochs):
    ours = _sequence(minigrad, _sgd, lambda s, o: s.CosineAnnealingWarmRestarts(o, **kwargs), 40, epochs)
    theirs = _sequence(torch, _sgd, lambda s, o: s.CosineAnnealingWarmRestarts(o, **kwargs), 40, epochs)
    assert ours == pytest.approx(theirs, rel=1e-12)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(T_0=0), "Expected positive integer T_0, but got 0"),
        (dict(T_0=2, T_mult=0), "Expected integer T_mult >= 1, but got 0"),
    ],
)
def test_cosine_warm_restarts_errors_match_torch(torch, kwargs, message):
    for lib in (minigrad, torch):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
        with pytest.raises(ValueError, match=message):
            lib.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, **kwargs)
