"""Learning-rate schedulers: lr sequences against torch.optim.lr_scheduler, closed forms,
state dicts and checkpoints, and ReduceLROnPlateau."""

import math

import pytest

import minigrad
from minigrad import optim
from minigrad.optim import lr_scheduler

# ---- schedulers -------------------------------------------------------------------------------

SCHEDULERS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.1)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=6, eta_min=0.001)),
    ("CosineAnnealingLR", dict(T_max=4)),
]


def _lr_sequence(module, opt_factory, name, kwargs, epochs=20):
    opt = opt_factory()
    sched = getattr(module, name)(opt, **kwargs)
    lrs = [[g["lr"] for g in opt.param_groups]]
    for _ in range(epochs):
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr())
    return lrs, sched


@pytest.mark.parametrize("name,kwargs", SCHEDULERS)
def test_scheduler_matches_torch(name, kwargs, torch):

    def ours():
        return optim.SGD(
            [
                {"params": [minigrad.zeros(1, requires_grad=True)]},
                {"params": [minigrad.zeros(1, requires_grad=True)], "lr": 0.05},
            ],
            lr=0.1,
        )

    def theirs():
        return torch.optim.SGD(
            [
                {"params": [torch.zeros(1, requires_grad=True)]},
                {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.05},
            ],
            lr=0.1,
        )

    got, _ = _lr_sequence(lr_scheduler, ours, name, kwargs)
    want, _ = _lr_sequence(torch.optim.lr_scheduler, theirs, name, kwargs)
    assert got == want


def test_step_lr_closed_form():
    opt = optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
    sched.step(5)
    assert sched.get_last_lr() == [pytest.approx(0.01)]
    assert sched.last_epoch == 5


def test_cosine_formula():
    opt = optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
    sched = lr_scheduler.CosineAnnealingLR(opt, T_max=10, eta_min=0.0)
    for epoch in range(1, 11):
        sched.step()
        assert sched.get_last_lr()[0] == pytest.approx(0.05 * (1 + math.cos(math.pi * epoch / 10)), abs=1e-15)


def test_scheduler_state_dict_round_trip():
    opt = optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=1.0)
    sched = lr_scheduler.MultiStepLR(opt, milestones=[2, 4])
    for _ in range(3):
        sched.step()
    state = sched.state_dict()
    assert "optimizer" not in state and state["last_epoch"] == 3
    opt2 = optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=1.0)
    sched2 = lr_scheduler.MultiStepLR(opt2, milestones=[7])
    sched2.load_state_dict(state)
    opt2.param_groups[0]["lr"] = opt.param_groups[0]["lr"]
    sched.step(), sched2.step()
    assert sched2.get_last_lr() == sched.get_last_lr() == [pytest.approx(0.01)]


def test_scheduler_state_survives_a_checkpoint(tmp_path):
    opt = optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=1.0)
    scheds = [lr_scheduler.MultiStepLR(opt, milestones=[2, 4, 4]), lr_scheduler.ReduceLROnPlateau(opt, patience=0)]
    scheds[1].step(1.0)
    minigrad.save({"optimizer": opt.state_dict(), "schedulers": [s.state_dict() for s in scheds]}, tmp_path / "c")
    saved = minigrad.load(tmp_path / "c")
    opt2 = optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=1.0)
    opt2.load_state_dict(saved["optimizer"])
    resumed = [lr_scheduler.MultiStepLR(opt2, milestones=[9]), lr_scheduler.ReduceLROnPlateau(opt2)]
    for sched, state in zip(resumed, saved["schedulers"]):
        sched.load_state_dict(state)
    resumed[0].step(5)  # the closed form reads the milestone counts
    assert resumed[0].get_last_lr() == [pytest.approx(1e-3)]
    assert resumed[1].best == 1.0 and resumed[1].patience == 0


def test_resuming_requires_initial_lr():
    opt = optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=1.0)
    with pytest.raises(KeyError, match=r"param 'initial_lr' is not specified in param_groups\[0\]"):
        lr_scheduler.StepLR(opt, step_size=1, last_epoch=3)


PLATEAU_METRICS = [
    1.0,
    0.9,
    0.9,
    0.95,
    0.9,
    0.91,
    0.92,
    0.5,
    0.5,
    0.5,
    0.5,
    0.5,
    0.49999,
    0.4,
    0.4,
    0.4,
    0.4,
    0.4,
    0.4,
    0.4,
    0.4,
    0.4,
]


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(patience=2),
        dict(patience=1, cooldown=2, factor=0.5),
        dict(patience=0, min_lr=[0.002, 0.01], threshold=0.1),
        dict(mode="max", patience=1, threshold_mode="abs", threshold=0.01),
        dict(mode="min", patience=1, threshold_mode="abs", threshold=0.05, eps=0.02),
    ],
)
def test_reduce_on_plateau_matches_torch(kwargs, torch):
    opt = optim.SGD(
        [
            {"params": [minigrad.zeros(1, requires_grad=True)]},
            {"params": [minigrad.zeros(1, requires_grad=True)], "lr": 0.05},
        ],
        lr=0.1,
    )
    topt = torch.optim.SGD(
        [
            {"params": [torch.zeros(1, requires_grad=True)]},
            {"params": [torch.zeros(1, requires_grad=True)], "lr": 0.05},
        ],
        lr=0.1,
    )
    ours = lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
    theirs = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kwargs)
    for metric in PLATEAU_METRICS:
        ours.step(metric)
        theirs.step(metric)
        assert ours.get_last_lr() == theirs.get_last_lr()
        assert (ours.best, ours.num_bad_epochs, ours.cooldown_counter) == (
            theirs.best,
            theirs.num_bad_epochs,
            theirs.cooldown_counter,
        )


def test_reduce_on_plateau_divides_by_ten():
    """The notes' recipe: lr 0.1, divided by 10 when the validation error plateaus."""
    opt = optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    sched = lr_scheduler.ReduceLROnPlateau(opt, mode="min", factor=0.1, patience=2)
    for error in [0.5, 0.4, 0.3, 0.3, 0.3, 0.3]:
        sched.step(error)
    assert opt.param_groups[0]["lr"] == pytest.approx(0.01)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(factor=1.0), "Factor should be < 1.0."),
        (dict(mode="lowest"), "mode lowest is unknown!"),
        (dict(threshold_mode="pct"), "threshold mode pct is unknown!"),
        (dict(min_lr=[0.1, 0.2]), "expected 1 min_lrs, got 2"),
    ],
)
def test_reduce_on_plateau_errors(kwargs, message):
    opt = optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        lr_scheduler.ReduceLROnPlateau(opt, **kwargs)
