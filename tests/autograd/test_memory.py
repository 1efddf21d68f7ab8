"""Deep graphs backpropagate without recursion; training and double-backward loops do not grow
memory; graph nodes and saved tensors are freed."""

import gc
import tracemalloc
import weakref

import numpy as np
import pytest
from inputs import leaf

import minigrad
from minigrad import autograd
from minigrad.autograd import Function

# ---- deep graphs and memory -------------------------------------------------------------


@pytest.mark.slow
def test_a_chain_of_100000_ops_backpropagates_without_recursion_error():
    x = leaf([1.0])
    y = x
    for _ in range(100_000):
        y = -y
    y.sum().backward()
    assert x.grad.tolist() == [1.0]
    del y  # freeing a 100,000-node chain must not overflow the C stack either
    gc.collect()


@pytest.mark.slow
def test_a_long_chain_of_recorded_binary_ops():
    x = leaf([1.0])
    y = x
    for _ in range(20_000):
        y = y * 1.0 + 0.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0]


def _train_step(w, b, data, target):
    pred = (data @ w + b).tanh()
    loss = ((pred - target) ** 2).mean()
    loss.backward()
    with minigrad.no_grad():
        w.sub_(w.grad * 0.01)
        b.sub_(b.grad * 0.01)
    w.grad = None
    b.grad = None
    return loss


def _live_graph_objects():
    # issubclass on type(o), not isinstance: isinstance reads o.__class__, which some
    # foreign objects (e.g. torch's deprecated aliases) turn into a warning
    return sum(issubclass(type(o), (minigrad.Tensor, Function)) for o in gc.get_objects())


@pytest.mark.slow
def test_training_loop_of_1000_iterations_does_not_grow_memory():
    rng = np.random.default_rng(0)
    w = leaf(rng.standard_normal((8, 4)) * 0.1)
    b = leaf(np.zeros(4))
    data = minigrad.tensor(rng.standard_normal((16, 8)))
    target = minigrad.tensor(rng.standard_normal((16, 4)))
    losses = []
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()  # the graph must be freed by reference counting alone: no cycles
    try:
        for i in range(1000):
            loss = _train_step(w, b, data, target)
            if i % 100 == 0:
                losses.append(weakref.ref(loss))
            if i == 100:
                live_before = _live_graph_objects()
            if i == 800:
                tracemalloc.start()
                baseline = tracemalloc.get_traced_memory()[0]
        grown = tracemalloc.get_traced_memory()[0] - baseline
        tracemalloc.stop()
        live_after = _live_graph_objects()
        alive = sum(ref() is not None for ref in losses)
    finally:
        if was_enabled:
            gc.enable()
    assert alive <= 1, f"{alive} losses (and their graphs) are still alive"
    assert live_after == live_before, f"live Tensors and graph nodes went from {live_before} to {live_after}"
    assert grown < 50_000, f"traced memory grew by {grown} bytes over the last 200 iterations"


@pytest.mark.slow
def test_double_backward_loop_does_not_grow_memory():
    rng = np.random.default_rng(0)
    w = leaf(rng.standard_normal((4, 3)))
    x = leaf(rng.standard_normal((5, 4)))
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        for i in range(300):
            (g,) = autograd.grad((x @ w).tanh().sum(), x, create_graph=True)
            (g * g).sum().backward()  # a gradient penalty: backward through the gradient
            (w * w).sum().backward(create_graph=True)
            w.grad = x.grad = None
            if i == 50:
                live_before = _live_graph_objects()
        live_after = _live_graph_objects()
    finally:
        if was_enabled:
            gc.enable()
    assert live_after == live_before


def test_graph_nodes_die_with_their_outputs():
    x = leaf([1.0, 2.0])
    y = (x * 2).exp().sum()
    node = weakref.ref(y.grad_fn)
    y.backward()
    del y
    assert node() is None


def test_saved_tensors_are_released_after_backward():
    x = leaf(np.ones(1000))
    big = x.exp()
    y = (big * big).sum()
    ref = weakref.ref(big)
    del big
    y.backward()
    assert ref() is None, "backward must drop what the graph saved"
