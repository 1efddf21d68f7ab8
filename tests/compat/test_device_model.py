"""The CPU device model: minigrad.device, Tensor.device, device= on every factory, .to/.cpu/.cuda
on tensors and modules, and the cuda / accelerator / backends questions, each against PyTorch
(a CPU build, as minigrad is)."""

import pickle

import numpy as np
import pytest

import minigrad
from minigrad import nn

DEVICE_SPECS = [("cpu",), ("cpu:0",), ("cpu", 0), ("cpu:3",), ("cuda",), ("cuda:1",), ("mps",), ("meta",)]


@pytest.mark.parametrize("spec", DEVICE_SPECS, ids=str)
def test_device_objects_read_as_pytorchs(torch, spec):
    ours, theirs = minigrad.device(*spec), torch.device(*spec)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs)
    assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert minigrad.device(ours) == ours and hash(minigrad.device(*spec)) == hash(ours)


def test_device_keyword_form_equality_and_pickling(torch):
    assert minigrad.device(type="cpu") == minigrad.device("cpu")
    assert minigrad.device(type="cpu", index=0) == minigrad.device("cpu:0")
    for a, b in [("cpu", "cpu:0"), ("cpu", "cuda"), ("cpu:0", "cpu:1")]:
        assert (minigrad.device(a) == minigrad.device(b)) == (torch.device(a) == torch.device(b))
    # A device is not equal to its string, in PyTorch as here.
    assert (minigrad.device("cpu") == "cpu") == (torch.device("cpu") == "cpu") == False  # noqa: E712
    assert pickle.loads(pickle.dumps(minigrad.device("cpu:0"))) == minigrad.device("cpu:0")


@pytest.mark.parametrize(
    "args",
    [("foo",), ("CPU",), ("cpu:x",), ("cpu:-1",), ("cpu", -1), ("cuda:0", 1), (5.0,), (None,), ("cpu", "x"), (0,)],
    ids=str,
)
def test_bad_device_specs_raise_pytorchs_exception_types(torch, args):
    with pytest.raises(Exception) as theirs:
        torch.device(*args)
    with pytest.raises(type(theirs.value)):
        minigrad.device(*args)


def test_tensor_device_is_the_cpu(torch):
    t = minigrad.zeros(2)
    assert t.device == minigrad.device("cpu") and t.device.type == "cpu" and t.device.index is None
    assert repr(t.device) == repr(torch.zeros(2).device)
    assert t.is_cpu and not t.is_cuda
    assert t.get_device() == torch.zeros(2).get_device() == -1


FACTORIES = [
    lambda m, d: m.zeros(2, 3, device=d),
    lambda m, d: m.ones((2, 3), device=d),
    lambda m, d: m.empty(2, device=d),
    lambda m, d: m.full((2,), 1.5, device=d),
    lambda m, d: m.rand(2, device=d),
    lambda m, d: m.randn(2, device=d),
    lambda m, d: m.randint(0, 5, (3,), device=d),
    lambda m, d: m.randperm(4, device=d),
    lambda m, d: m.arange(5, device=d),
    lambda m, d: m.linspace(0, 1, 5, device=d),
    lambda m, d: m.eye(3, device=d),
    lambda m, d: m.tensor([1.0, 2.0], device=d),
    lambda m, d: m.as_tensor([1.0, 2.0], device=d),
    lambda m, d: m.zeros_like(m.ones(2), device=d),
    lambda m, d: m.ones_like(m.ones(2), device=d),
    lambda m, d: m.full_like(m.ones(2), 3.0, device=d),
    lambda m, d: m.empty_like(m.ones(2), device=d),
    lambda m, d: m.rand_like(m.ones(2), device=d),
    lambda m, d: m.randn_like(m.ones(2), device=d),
    lambda m, d: m.ones(2).new_zeros(3, device=d),
    lambda m, d: m.ones(2).new_ones(3, device=d),
    lambda m, d: m.ones(2).new_empty(3, device=d),
    lambda m, d: m.ones(2).new_full((3,), 2.0, device=d),
    lambda m, d: m.ones(2).new_tensor([1.0], device=d),
]


@pytest.mark.parametrize("make", FACTORIES)
def test_every_factory_takes_a_cpu_device_and_refuses_cuda_as_pytorch(torch, make):
    for device in ("cpu", "cpu:0", minigrad.device("cpu"), None):
        t = make(minigrad, device)
        assert t.device == minigrad.device("cpu")
        assert t.shape == make(torch, None if device is None else str(device)).shape
    with pytest.raises(AssertionError):
        make(torch, "cuda")
    with pytest.raises(AssertionError, match="minigrad runs on the CPU only"):
        make(minigrad, "cuda")
    with pytest.raises(AssertionError, match="CPU only"):
        make(minigrad, minigrad.device("cuda", 0))
    with pytest.raises(RuntimeError, match="CPU only"):
        make(minigrad, "mps")


def test_legacy_constructor_takes_a_device():
    assert minigrad.Tensor(2, device="cpu").shape == (2,)
    with pytest.raises(AssertionError, match="CPU only"):
        minigrad.Tensor(2, device="cuda")


TO_CALLS = [
    ("to(float64)", lambda m, t: t.to(m.float64)),
    ("to('cpu')", lambda m, t: t.to("cpu")),
    ("to('cpu:0')", lambda m, t: t.to("cpu:0")),
    ("to(device('cpu'))", lambda m, t: t.to(m.device("cpu"))),
    ("to('cpu', float64)", lambda m, t: t.to("cpu", m.float64)),
    ("to(device('cpu'), int64)", lambda m, t: t.to(m.device("cpu"), m.int64)),
    ("to(other)", lambda m, t: t.to(m.ones(1, dtype=m.int64))),
    ("to(device=, dtype=)", lambda m, t: t.to(device="cpu", dtype=m.float64)),
    ("to(dtype, copy=True)", lambda m, t: t.to(m.float32, copy=True)),
    ("to(non_blocking=True)", lambda m, t: t.to(non_blocking=True)),
    ("to('cpu', non_blocking=True)", lambda m, t: t.to("cpu", non_blocking=True)),
    ("to(float32, False, True)", lambda m, t: t.to(m.float32, False, True)),
]


@pytest.mark.parametrize("name, call", TO_CALLS, ids=[n for n, _ in TO_CALLS])
def test_tensor_to_forms_match_pytorch(torch, name, call):
    t, tt = minigrad.tensor([1.5, 2.0]), torch.tensor([1.5, 2.0])
    ours, theirs = call(minigrad, t), call(torch, tt)
    assert repr(ours) == repr(theirs).replace("torch.", "minigrad.")
    if name != "to('cpu:0')":  # PyTorch returns an alias there (its tensors carry no CPU index); minigrad itself
        assert (ours is t) == (theirs is tt)


@pytest.mark.parametrize(
    "call",
    [
        lambda m, t: t.to("cuda"),
        lambda m, t: t.to(m.device("cuda")),
        lambda m, t: t.to("cuda", m.float64),
        lambda m, t: t.cuda(),
        lambda m, t: m.nn.Linear(2, 2).cuda(),
        lambda m, t: m.nn.Linear(2, 2).to("cuda"),
    ],
)
def test_cuda_requests_raise_assertion_error_as_pytorch_without_cuda(torch, call):
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        call(torch, torch.zeros(2))
    with pytest.raises(AssertionError, match="minigrad runs on the CPU only"):
        call(minigrad, minigrad.zeros(2))


@pytest.mark.parametrize(
    "call",
    [lambda m, t: t.to("mps"), lambda m, t: t.to("bad"), lambda m, t: t.to(5), lambda m, t: t.to(m.float32, m.float64)],
)
def test_other_bad_to_calls_raise_pytorchs_exception_type(torch, call):
    with pytest.raises(Exception) as theirs:
        call(torch, torch.zeros(2))
    with pytest.raises(type(theirs.value)):
        call(minigrad, minigrad.zeros(2))


def test_to_keeps_the_graph():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x.to("cpu", minigrad.float64)
    (y * y).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])
    assert x.to("cpu") is x and x.cpu() is x


def test_module_to_cpu_and_cuda_as_pytorch(torch):
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    weight = net[0].weight
    assert net.to("cpu") is net and net.cpu() is net and net.to(minigrad.device("cpu")) is net
    assert net.to(device="cpu", dtype=minigrad.float64) is net
    assert weight.dtype is minigrad.float64 and net[0].weight is weight
    net.to(minigrad.device("cpu"), minigrad.float32)
    assert weight.dtype is minigrad.float32
    net.to(minigrad.zeros(1, dtype=minigrad.float64))
    assert weight.dtype is minigrad.float64
    assert net[1].num_batches_tracked.dtype is minigrad.int64
    with pytest.raises(TypeError) as theirs:
        torch.nn.Linear(2, 2).to(torch.int64)
    with pytest.raises(TypeError, match="floating point or complex") as ours:
        net.to(minigrad.int64)
    assert str(ours.value) == str(theirs.value).replace("torch.", "minigrad.")


def test_cuda_accelerator_and_backend_answers_match_pytorch(torch):
    assert minigrad.cuda.is_available() is torch.cuda.is_available() is False
    assert minigrad.cuda.device_count() == torch.cuda.device_count() == 0
    assert minigrad.cuda.manual_seed(0) is None and minigrad.cuda.manual_seed_all(0) is None
    assert minigrad.accelerator.is_available() is torch.accelerator.is_available() is False
    assert minigrad.accelerator.current_accelerator() is torch.accelerator.current_accelerator() is None
    assert minigrad.accelerator.device_count() == torch.accelerator.device_count() == 0
    assert minigrad.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert minigrad.backends.mps.is_built() is torch.backends.mps.is_built() is False
    assert minigrad.backends.cudnn.is_available() is torch.backends.cudnn.is_available() is False
    for flag in ("enabled", "benchmark", "deterministic"):
        assert getattr(minigrad.backends.cudnn, flag) == getattr(torch.backends.cudnn, flag)


def test_cudnn_flags_are_plain_attributes(monkeypatch):
    monkeypatch.setattr(minigrad.backends.cudnn, "benchmark", minigrad.backends.cudnn.benchmark)
    monkeypatch.setattr(minigrad.backends.cudnn, "deterministic", minigrad.backends.cudnn.deterministic)
    minigrad.backends.cudnn.benchmark = True
    minigrad.backends.cudnn.deterministic = True
    assert minigrad.backends.cudnn.benchmark and minigrad.backends.cudnn.deterministic


def test_default_device():
    minigrad.set_default_device("cpu")
    minigrad.set_default_device(minigrad.device("cpu"))
    minigrad.set_default_device(None)
    assert minigrad.get_default_device() == minigrad.device("cpu")
    with pytest.raises(AssertionError, match="CPU only"):
        minigrad.set_default_device("cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        minigrad.set_default_device("mps")


def test_the_device_idiom_of_the_tutorials_runs():
    # The opening lines of the PyTorch tutorials, with only the import changed.
    torch = minigrad
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    device = (
        torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
    )  # the newer form
    if torch.backends.mps.is_available():
        device = torch.device("mps")
    torch.cuda.manual_seed(1)
    model = torch.nn.Linear(3, 2).to(device)
    x = torch.randn(4, 3, device=device)
    y = model(x.to(device))
    assert y.device.type == "cpu" and str(y.cpu().device) == "cpu"
