"""Optimizers against their update formulas written out in numpy and against torch.optim; param
groups, state dicts, and a step counting as an in-place change of the parameters.
(Learning-rate schedulers: test_schedulers.py.)"""

import numpy as np
import pytest

import minigrad
from minigrad import optim

SHAPES = [(3, 4), (5,)]


def _grads(rng, steps, dtype):
    return [[rng.standard_normal(s).astype(dtype) for s in SHAPES] for _ in range(steps)]


def _params(rng, dtype):
    return [rng.standard_normal(s).astype(dtype) for s in SHAPES]


def _run_minigrad(cls, kwargs, init, grads):
    params = [minigrad.tensor(a.copy(), requires_grad=True) for a in init]
    opt = cls(params, **kwargs)
    history = []
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = minigrad.tensor(g)
        opt.step()
        history.append([p._array.copy() for p in params])
    return history, opt, params


# ---- the update formulas, written out ---------------------------------------------------------


def _sgd_reference(init, grads, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, maximize=False):
    params, bufs, history = [a.copy() for a in init], [None] * len(init), []
    for step_grads in grads:
        for i, g in enumerate(step_grads):
            g = -g if maximize else g
            g = g + weight_decay * params[i]
            if momentum:
                bufs[i] = g.copy() if bufs[i] is None else momentum * bufs[i] + (1 - dampening) * g
                g = g + momentum * bufs[i] if nesterov else bufs[i]
            params[i] = params[i] - lr * g
        history.append([p.copy() for p in params])
    return history


def _adam_reference(
    init, grads, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False, decoupled=False, maximize=False
):
    b1, b2 = betas
    params = [a.copy() for a in init]
    m = [np.zeros_like(a) for a in init]
    v = [np.zeros_like(a) for a in init]
    vmax = [np.zeros_like(a) for a in init]
    history = []
    for t, step_grads in enumerate(grads, start=1):
        for i, g in enumerate(step_grads):
            g = -g if maximize else g
            if decoupled:
                params[i] = params[i] * (1 - lr * weight_decay)
            else:
                g = g + weight_decay * params[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            vmax[i] = np.maximum(vmax[i], v[i])
            m_hat = m[i] / (1 - b1**t)
            v_hat = (vmax[i] if amsgrad else v[i]) / (1 - b2**t)
            # PyTorch puts eps on sqrt(v) / sqrt(1 - b2**t), i.e. sqrt(v_hat) + eps.
            params[i] = params[i] - lr * m_hat / (np.sqrt(v_hat) + eps)
        history.append([p.copy() for p in params])
    return history


def _rmsprop_reference(init, grads, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False):
    params = [a.copy() for a in init]
    sq = [np.zeros_like(a) for a in init]
    gavg = [np.zeros_like(a) for a in init]
    buf = [np.zeros_like(a) for a in init]
    history = []
    for step_grads in grads:
        for i, g in enumerate(step_grads):
            g = g + weight_decay * params[i]
            sq[i] = alpha * sq[i] + (1 - alpha) * g * g
            if centered:
                gavg[i] = alpha * gavg[i] + (1 - alpha) * g
                avg = np.sqrt(sq[i] - gavg[i] ** 2) + eps
            else:
                avg = np.sqrt(sq[i]) + eps
            if momentum > 0:
                buf[i] = momentum * buf[i] + g / avg
                params[i] = params[i] - lr * buf[i]
            else:
                params[i] = params[i] - lr * g / avg
        history.append([p.copy() for p in params])
    return history


FORMULA_CASES = [
    (optim.SGD, dict(lr=0.1), _sgd_reference),
    (optim.SGD, dict(lr=0.1, momentum=0.9), _sgd_reference),
    (optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.3, weight_decay=1e-2), _sgd_reference),
    (optim.SGD, dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=1e-3), _sgd_reference),
    (optim.SGD, dict(lr=0.05, momentum=0.8, maximize=True), _sgd_reference),
    (optim.Adam, dict(lr=0.01), _adam_reference),
    (optim.Adam, dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True), _adam_reference),
    (optim.Adam, dict(lr=0.01, maximize=True), _adam_reference),
    (optim.AdamW, dict(lr=0.01, weight_decay=0.1), lambda *a, **k: _adam_reference(*a, decoupled=True, **k)),
    (
        optim.AdamW,
        dict(lr=0.01, amsgrad=True),
        lambda *a, **k: _adam_reference(*a, decoupled=True, weight_decay=1e-2, **k),
    ),
    (optim.RMSprop, dict(lr=0.01), _rmsprop_reference),
    (optim.RMSprop, dict(lr=0.01, alpha=0.9, momentum=0.5, centered=True, weight_decay=0.1), _rmsprop_reference),
]


@pytest.mark.parametrize("cls,kwargs,reference", FORMULA_CASES, ids=lambda v: getattr(v, "__name__", None))
def test_update_matches_formula(cls, kwargs, reference, rng):
    init, grads = _params(rng, np.float64), _grads(rng, 6, np.float64)
    got, _, _ = _run_minigrad(cls, kwargs, init, grads)
    want = reference(init, grads, **kwargs)
    for got_step, want_step in zip(got, want):
        for g, w in zip(got_step, want_step):
            np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-14)


def test_step_keeps_dtype_and_identity_and_does_not_record(rng):
    w = minigrad.tensor(rng.standard_normal(4).astype(np.float32), requires_grad=True)
    array = w._array
    opt = optim.Adam([w], lr=0.1)
    (w * w).sum().backward()
    opt.step()
    assert w._array is array and w._array.dtype == np.float32
    assert w.is_leaf and w.grad_fn is None and w.requires_grad
    assert opt.state[w]["exp_avg"].dtype == minigrad.float32


def test_parameters_without_grad_are_skipped():
    a = minigrad.ones(2, requires_grad=True)
    b = minigrad.ones(2, requires_grad=True)
    opt = optim.SGD([a, b], lr=1.0, momentum=0.9)
    a.grad = minigrad.ones(2)
    opt.step()
    assert a.tolist() == [0.0, 0.0] and b.tolist() == [1.0, 1.0]
    assert b not in opt.state


def test_param_groups_override_defaults():
    a = minigrad.ones(1, requires_grad=True)
    b = minigrad.ones(1, requires_grad=True)
    opt = optim.SGD([{"params": [a]}, {"params": b, "lr": 0.5}], lr=0.1, momentum=0.9)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["params"] == [b]
    a.grad, b.grad = minigrad.ones(1), minigrad.ones(1)
    opt.step()
    assert a.item() == pytest.approx(0.9) and b.item() == pytest.approx(0.5)


def test_zero_grad():
    w = minigrad.ones(3, requires_grad=True)
    opt = optim.SGD([w], lr=0.1)
    w.grad = minigrad.tensor([1.0, float("nan"), float("inf")])
    grad = w.grad
    opt.zero_grad(set_to_none=False)
    assert w.grad is grad and w.grad.tolist() == [0.0, 0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None


def test_closure_is_evaluated_with_grad_enabled():
    w = minigrad.tensor([2.0], requires_grad=True)
    opt = optim.SGD([w], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with minigrad.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0 and w.item() == 1.0


@pytest.mark.parametrize(
    "make,message",
    [
        (lambda p: optim.SGD(p, lr=-1), "Invalid learning rate: -1"),
        (lambda p: optim.SGD(p, momentum=-0.5), "Invalid momentum value: -0.5"),
        (lambda p: optim.SGD(p, weight_decay=-1), "Invalid weight_decay value: -1"),
        (lambda p: optim.SGD(p, nesterov=True), "Nesterov momentum requires a momentum and zero dampening"),
        (lambda p: optim.Adam(p, betas=(0.9, 1.0)), "Invalid beta parameter at index 1: 1.0"),
        (lambda p: optim.Adam(p, eps=-1), "Invalid epsilon value: -1"),
        (lambda p: optim.RMSprop(p, alpha=-1), "Invalid alpha value: -1"),
        (lambda p: optim.SGD([], lr=0.1), "optimizer got an empty parameter list"),
        (
            lambda p: optim.SGD([{"params": p}, {"params": p}]),
            "some parameters appear in more than one parameter group",
        ),
        (lambda p: optim.SGD([p[0] * 2]), "can't optimize a non-leaf Tensor"),
    ],
)
def test_invalid_arguments(make, message):
    params = [minigrad.ones(2, requires_grad=True)]
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make(params)


def test_type_errors():
    w = minigrad.ones(2, requires_grad=True)
    with pytest.raises(TypeError, match="iterable of Tensors or dicts, but got Tensor"):
        optim.SGD(w)
    with pytest.raises(TypeError, match="Please use a list instead"):
        optim.SGD([{"params": {w}}])
    with pytest.raises(TypeError, match="optimizer can only optimize Tensors, but one of the params is int"):
        optim.SGD([w, 3])


@pytest.mark.parametrize(
    "cls,kwargs",
    [
        (optim.SGD, dict(lr=0.1, momentum=0.9)),
        (optim.Adam, dict(amsgrad=True)),
        (optim.RMSprop, dict(momentum=0.5, centered=True)),
    ],
)
def test_state_dict_round_trip(cls, kwargs, rng):
    init, grads = _params(rng, np.float32), _grads(rng, 5, np.float32)
    reference, _, _ = _run_minigrad(cls, kwargs, init, grads)
    _, first, params = _run_minigrad(cls, kwargs, init, grads[:3])
    state = first.state_dict()
    before = {k: v._array.copy() for k, v in state["state"][0].items()}
    assert sorted(state) == ["param_groups", "state"]
    assert state["param_groups"][0]["params"] == [0, 1] and sorted(state["state"]) == [0, 1]
    resumed = [minigrad.tensor(p._array.copy(), requires_grad=True) for p in params]
    second = cls(resumed, lr=123.0)
    second.load_state_dict(state)
    assert second.param_groups[0]["lr"] == first.param_groups[0]["lr"]
    assert second.param_groups[0]["params"][0] is resumed[0]
    for step_grads in grads[3:]:
        for p, g in zip(resumed, step_grads):
            p.grad = minigrad.tensor(g)
        second.step()
    for p, want in zip(resumed, reference[-1]):
        np.testing.assert_array_equal(p._array, want)
    # the loaded state is a copy: stepping the second optimizer left the first one's alone
    for key, value in before.items():
        np.testing.assert_array_equal(first.state[params[0]][key]._array, value)


def test_load_state_dict_checks_groups():
    a, b = minigrad.ones(1, requires_grad=True), minigrad.ones(1, requires_grad=True)
    state = optim.SGD([a, b]).state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.SGD([{"params": [a]}, {"params": [b]}]).load_state_dict(state)
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        optim.SGD([a]).load_state_dict(state)


# ---- against torch.optim ----------------------------------------------------------------------

TORCH_CASES = [
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.1, weight_decay=1e-2)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, maximize=True)),
    ("Adam", dict(lr=1e-2, weight_decay=1e-2)),
    ("Adam", dict(lr=1e-2, betas=(0.5, 0.9), amsgrad=True, maximize=True)),
    ("AdamW", dict(lr=1e-2)),
    ("AdamW", dict(lr=1e-2, weight_decay=0.5, amsgrad=True)),
    ("RMSprop", dict(lr=1e-2)),
    ("RMSprop", dict(lr=1e-2, momentum=0.9, centered=True, weight_decay=1e-2)),
]


def _torch_run(torch, name, kwargs, init, grads, state=None):
    params = [torch.tensor(a.copy(), requires_grad=True) for a in init]
    opt = getattr(torch.optim, name)(params, foreach=False, **kwargs)
    if state is not None:
        opt.load_state_dict(state)
    history = []
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad = torch.tensor(g)
        opt.step()
        history.append([p.detach().numpy().copy() for p in params])
    return history, opt


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name,kwargs", TORCH_CASES)
def test_matches_torch(name, kwargs, dtype, rng, torch):
    init, grads = _params(rng, dtype), _grads(rng, 8, dtype)
    got, opt, _ = _run_minigrad(getattr(optim, name), kwargs, init, grads)
    want, torch_opt = _torch_run(torch, name, kwargs, init, grads)
    rtol = 2e-6 if dtype == np.float32 else 1e-13
    for got_step, want_step in zip(got, want):
        for g, w in zip(got_step, want_step):
            np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol)
    ours, theirs = opt.state_dict(), torch_opt.state_dict()
    assert sorted(ours["state"][0]) == sorted(theirs["state"][0])
    for key, value in theirs["state"][1].items():
        np.testing.assert_allclose(ours["state"][1][key]._array, value.numpy(), rtol=rtol, atol=rtol)
    for key in ours["param_groups"][0]:
        assert ours["param_groups"][0][key] == theirs["param_groups"][0][key], key


@pytest.mark.parametrize("name,kwargs", [TORCH_CASES[0], TORCH_CASES[3], TORCH_CASES[7]])
def test_torch_state_dict_loads(name, kwargs, rng, torch):
    """A state dict taken from torch.optim (tensors converted) resumes in minigrad as in torch."""
    init, grads = _params(rng, np.float64), _grads(rng, 6, np.float64)
    first, torch_opt = _torch_run(torch, name, kwargs, init, grads[:3])
    state = torch_opt.state_dict()
    converted = {
        "state": {i: {k: minigrad.tensor(v.numpy()) for k, v in s.items()} for i, s in state["state"].items()},
        "param_groups": state["param_groups"],
    }
    params = [minigrad.tensor(a, requires_grad=True) for a in first[-1]]
    opt = getattr(optim, name)(params)
    opt.load_state_dict(converted)
    want, _ = _torch_run(torch, name, kwargs, first[-1], grads[3:], state=state)
    for step_grads in grads[3:]:
        for p, g in zip(params, step_grads):
            p.grad = minigrad.tensor(g)
        opt.step()
    for p, w in zip(params, want[-1]):
        np.testing.assert_allclose(p._array, w, rtol=1e-13)


# ---- a step changes the parameters in place -------------------------------------------------


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (optim.SGD, {"lr": 0.1, "momentum": 0.9}),
        (optim.Adam, {"lr": 0.1}),
        (optim.AdamW, {"lr": 0.1}),
        (optim.RMSprop, {"lr": 0.1}),
    ],
)
def test_step_counts_as_an_inplace_change_of_a_parameter_a_graph_saved(cls, kwargs):
    # As in PyTorch: stepping between a forward and its backward is refused, not silently wrong.
    w = minigrad.tensor([1.0, -2.0, 3.0], requires_grad=True)
    loss = (w * w).sum()  # MulBackward saves w at version 0
    w.grad = minigrad.ones(3)
    cls([w], **kwargs).step()
    assert w._version == 1
    with pytest.raises(
        RuntimeError,
        match=r"modified by an inplace operation: .*saved by MulBackward, "
        r"is at version 1; expected version 0 instead",
    ):
        loss.backward()


def test_init_and_load_state_dict_count_as_inplace_changes():
    layer = minigrad.nn.Linear(3, 2)
    out = (layer.bias * 2).sum()  # a graph that saved nothing of the weight
    loss = (layer.weight * layer.weight).sum()  # MulBackward saves the weight
    minigrad.nn.init.zeros_(layer.weight)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
    loss = (layer.weight * layer.weight).sum()
    layer.load_state_dict({k: v.detach() for k, v in layer.state_dict().items()})
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()
    out.backward()  # unaffected: MulBackward saved the number 2, and bias is an unsaved input
