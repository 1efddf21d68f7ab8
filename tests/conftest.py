"""Shared fixtures: a seeded numpy generator, PyTorch for the tests that compare against it,
hypothesis settings, and a guard that every test leaves minigrad's global state (grad mode,
anomaly mode, default dtype) as it found it."""

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import minigrad
from minigrad.autograd import grad_mode

# Two shared cores: keep sweeps short and free of wall-clock deadlines. The default
# profile is derandomized (the same examples every run, so CI cannot flake) and keeps
# no example database in the work tree; ``--hypothesis-profile=thorough`` explores.
settings.register_profile(
    "minigrad",
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("thorough", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("minigrad")


@pytest.fixture
def rng():
    """A numpy Generator with a fixed seed, so every test sees the same data."""
    return np.random.default_rng(0)


@pytest.fixture(scope="session")
def torch():
    """PyTorch, the third oracle: a test that takes this fixture skips where it is not installed.
    (Files whose every test compares against PyTorch live in tests/against_torch/.)"""
    return pytest.importorskip("torch", reason="torch is not installed: this test compares against PyTorch")


@pytest.fixture(autouse=True)
def _global_state_is_restored():
    minigrad.manual_seed(0)
    yield
    leaked = []
    if not grad_mode.state.grad_enabled:
        leaked.append("grad mode left disabled")
    if grad_mode.state.anomaly_enabled:
        leaked.append("anomaly mode left enabled")
    if minigrad.get_default_dtype() is not minigrad.float32:
        leaked.append(f"default dtype left as {minigrad.get_default_dtype()}")
    # Restore before failing so one leaking test does not break the rest.
    grad_mode.state.grad_enabled = True
    grad_mode.state.anomaly_enabled = False
    minigrad.set_default_dtype(minigrad.float32)
    assert not leaked, "; ".join(leaked)
