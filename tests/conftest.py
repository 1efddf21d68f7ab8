"""Shared fixtures: a seeded numpy generator, hypothesis settings, and a guard that every
test leaves minigrad's global state (grad mode, anomaly mode, default dtype) as it found it."""

import numpy as np
import pytest

import minigrad
from minigrad.autograd import grad_mode

try:
    from hypothesis import HealthCheck, settings
except ImportError:  # hypothesis is a test extra; the sweeps skip without it
    pass
else:
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
