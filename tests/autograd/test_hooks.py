"""Tensor hooks and their handles, retain_grad, and detach."""

import numpy as np
import pytest
from inputs import leaf

import minigrad
from minigrad.testing import assert_close

# ---- hooks, retain_grad, detach ---------------------------------------------------------


def test_hook_on_a_leaf_replaces_its_gradient():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g.tolist()))
    x.register_hook(lambda g: g * 10)
    (x * x).sum().backward()
    assert seen == [[2.0, 4.0]]
    assert_close(x.grad, np.array([20.0, 40.0]))


def test_hook_on_an_intermediate_changes_what_flows_upstream():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.register_hook(lambda g: g + 1)
    (y * 3).sum().backward()
    assert_close(x.grad, np.array([8.0, 8.0]))
    assert y.grad is None


def test_hooks_run_once_with_the_summed_gradient():
    x = leaf([1.0, 2.0])
    leaf_calls, mid_calls = [], []
    x.register_hook(lambda g: leaf_calls.append(g.tolist()))
    h = x * 1.0
    h.register_hook(lambda g: mid_calls.append(g.tolist()))
    (h * 2 + h * 3 + x).sum().backward()
    assert mid_calls == [[5.0, 5.0]]
    assert leaf_calls == [[6.0, 6.0]]


def test_hook_returning_none_keeps_the_gradient():
    x = leaf([1.0])
    calls = []
    x.register_hook(lambda g: calls.append(1))
    (x * 4).sum().backward()
    assert calls == [1]
    assert_close(x.grad, np.array([4.0]))


def test_hook_handle_removes_the_hook():
    x = leaf([1.0])
    handle = x.register_hook(lambda g: g * 10)
    handle.remove()
    (x * 2).sum().backward()
    assert_close(x.grad, np.array([2.0]))


def test_hook_needs_requires_grad():
    with pytest.raises(RuntimeError, match="cannot register a hook on a tensor that doesn't require gradient"):
        minigrad.tensor([1.0]).register_hook(lambda g: g)


def test_retain_grad_keeps_intermediate_gradients():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.retain_grad()
    z = (y * y).sum()
    z.backward(retain_graph=True)
    assert_close(y.grad, np.array([4.0, 8.0]))
    assert_close(x.grad, np.array([8.0, 16.0]))
    (y * y).sum().backward()
    assert_close(y.grad, np.array([8.0, 16.0]))  # accumulates like a leaf's


def test_retain_grad_on_a_leaf_is_a_no_op_and_needs_requires_grad():
    x = leaf([1.0])
    x.retain_grad()
    (x * 3).sum().backward()
    assert_close(x.grad, np.array([3.0]))


def test_retain_grad_needs_requires_grad():
    with pytest.raises(RuntimeError, match="can't retain_grad on Tensor that has requires_grad=False"):
        (minigrad.tensor([1.0]) * 2).retain_grad()


def test_detach_blocks_the_gradient():
    x = leaf([1.0, 2.0])
    y = x * x
    z = (y.detach() * x).sum()
    z.backward()
    assert_close(x.grad, np.array([1.0, 4.0]))


def test_detached_tensor_shares_the_version_counter():
    x = leaf([1.0, 2.0])
    y = x.exp()
    z = (y * y).sum()
    y.detach().add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.backward()
