"""Engine semantics: accumulation, graph shapes, retain_graph, errors, grad modes,
autograd.grad, higher-order gradients, hooks, detach, the version counter, anomaly
detection, deep graphs, memory, the Function extension point, and gradcheck itself."""

import gc
import inspect
import tracemalloc
import warnings
import weakref

import numpy as np
import pytest

import minigrad
from minigrad import autograd
from minigrad.autograd import Function, GradcheckError, gradcheck, gradgradcheck
from minigrad.testing import assert_close


def leaf(values, dtype=minigrad.float64):
    return minigrad.tensor(values, dtype=dtype, requires_grad=True)


# ---- backward basics --------------------------------------------------------------------


def test_backward_accumulates_into_grad_over_two_calls():
    x = leaf([1.0, 2.0, 3.0])
    (x * x).sum().backward()
    assert_close(x.grad, np.array([2.0, 4.0, 6.0]))
    (x * x).sum().backward()
    assert_close(x.grad, np.array([4.0, 8.0, 12.0]))
    x.grad = None
    (3 * x).sum().backward()
    assert_close(x.grad, np.array([3.0, 3.0, 3.0]))


def test_grad_is_a_fresh_tensor_not_an_alias_of_an_intermediate():
    x = leaf([1.0, 2.0])
    y = x * 1.0
    y.sum().backward()
    first = x.grad
    first_values = first.tolist()
    (x * 5.0).sum().backward()
    assert first_values == [1.0, 1.0]
    assert x.grad.tolist() == [6.0, 6.0]


def test_diamond_graph_sums_both_paths():
    x = leaf([0.5, -1.0])
    y = x * 2.0  # used by two ops below
    z = y * y + y.exp()
    z.sum().backward()
    xv = np.array([0.5, -1.0])
    assert_close(x.grad, 2 * (2 * (2 * xv)) + 2 * np.exp(2 * xv))


def test_a_tensor_used_many_times():
    x = leaf([2.0])
    (x + x + x * x + x * 3.0).sum().backward()
    assert_close(x.grad, np.array([1 + 1 + 2 * 2.0 + 3]))


def test_nested_diamonds_reach_every_leaf_once_per_path():
    a = leaf([1.0])
    b = leaf([2.0])
    c = a * b
    d = c + a
    e = c * d
    f = e + d + c
    f.backward(minigrad.ones(1, dtype=minigrad.float64))
    # f = ab(ab + a) + ab + a + ab; df/da = 2ab^2 + 2ab + 2b + 1, df/db = 2a^2 b + a^2 + 2a
    assert_close(a.grad, np.array([2 * 1 * 4 + 2 * 1 * 2 + 2 * 2 + 1.0]))
    assert_close(b.grad, np.array([2 * 1 * 2 + 1 + 2.0]))


def test_only_leaves_that_require_grad_get_grad():
    x = leaf([1.0])
    c = minigrad.tensor([2.0], dtype=minigrad.float64)
    y = x * c
    (y * y).sum().backward()
    assert c.grad is None and y.grad is None
    assert x.grad is not None


def test_retain_graph_allows_a_second_backward():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert_close(x.grad, np.array([4.0, 8.0]))


def test_second_backward_through_a_freed_graph_raises():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(
        RuntimeError, match="Trying to backward through the graph a second time.*Specify retain_graph=True"
    ):
        y.backward()


def test_autograd_grad_frees_the_graph_unless_retained():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    autograd.grad(y, x, retain_graph=True)
    autograd.grad(y, x)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        autograd.grad(y, x)


def test_non_scalar_backward_needs_a_gradient():
    x = leaf([1.0, 2.0])
    y = x * 2
    with pytest.raises(RuntimeError, match="^grad can be implicitly created only for scalar outputs$"):
        y.backward()
    y.backward(minigrad.tensor([1.0, 10.0], dtype=minigrad.float64))
    assert_close(x.grad, np.array([2.0, 20.0]))


def test_backward_gradient_must_match_the_output_shape():
    x = leaf([1.0, 2.0])
    with pytest.raises(
        RuntimeError,
        match=r"Mismatch in shape: grad_output\[0\] has a shape of \[3\] and "
        r"output\[0\] has a shape of \[2\]",
    ):
        (x * 2).backward(minigrad.ones(3, dtype=minigrad.float64))


def test_one_element_non_scalar_backward_is_implicit():
    x = leaf([3.0])
    (x * x).backward()
    assert_close(x.grad, np.array([6.0]))


def test_backward_on_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match="element 0 of tensors does not require grad and does not have a grad_fn"):
        minigrad.tensor([1.0, 2.0]).sum().backward()
    x = leaf([1.0])
    with minigrad.no_grad():
        y = (x * 2).sum()
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_backward_on_a_leaf_itself():
    x = leaf([1.0, 2.0])
    x.backward(minigrad.tensor([3.0, 4.0], dtype=minigrad.float64))
    assert_close(x.grad, np.array([3.0, 4.0]))


def test_gradient_of_an_unused_branch_is_zero_filled():
    x = leaf([1.0, 2.0])
    values, indices = x.max(0)
    pieces = x.split(1)
    (pieces[1] * 3).sum().backward()
    assert_close(x.grad, np.array([0.0, 3.0]))


def test_gradients_keep_the_leaf_dtype():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (x.double() * x.double()).sum().backward()
    assert x.grad.dtype is minigrad.float32
    assert_close(x.grad, np.array([2.0, 4.0], dtype=np.float32))


# ---- grad modes -------------------------------------------------------------------------


def test_no_grad_stops_recording():
    x = leaf([1.0])
    with minigrad.no_grad():
        assert not minigrad.is_grad_enabled()
        y = x * 2
    assert minigrad.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None and y.is_leaf


def test_enable_grad_inside_no_grad():
    x = leaf([1.0])
    with minigrad.no_grad():
        with minigrad.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and not z.requires_grad


def test_set_grad_enabled_as_call_and_context():
    x = leaf([1.0])
    with minigrad.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert minigrad.is_grad_enabled()
    minigrad.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        minigrad.set_grad_enabled(True)
    with minigrad.set_grad_enabled(True):
        assert (x * 2).requires_grad
    assert autograd.is_grad_enabled is minigrad.is_grad_enabled


def test_grad_modes_as_decorators():
    x = leaf([1.0])

    @minigrad.no_grad()
    def off(t):
        assert not minigrad.is_grad_enabled()
        return t * 2

    @minigrad.enable_grad()
    def on(t):
        return t * 2

    @minigrad.set_grad_enabled(False)
    def off_too(t):
        return t * 2

    assert minigrad.is_grad_enabled(), "decorating must not change the mode"
    assert not off(x).requires_grad
    with minigrad.no_grad():
        assert on(x).requires_grad
    assert not off_too(x).requires_grad
    assert minigrad.is_grad_enabled()
    assert off.__name__ == "off"


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError):
        with minigrad.no_grad():
            raise ValueError("boom")
    assert minigrad.is_grad_enabled()

    @minigrad.no_grad()
    def fails():
        raise KeyError("x")

    with pytest.raises(KeyError):
        fails()
    assert minigrad.is_grad_enabled()


def test_grad_modes_as_bare_decorators():
    x = leaf([1.0])

    @minigrad.no_grad
    def off(t):
        return t * 2

    assert not off(x).requires_grad


def test_backward_runs_with_recording_off_unless_create_graph():
    seen = []
    x = leaf([1.0])
    y = x * 2
    y.register_hook(lambda g: seen.append(minigrad.is_grad_enabled()))
    y.sum().backward()
    assert seen == [False]
    assert not x.grad.requires_grad


# ---- autograd.grad ----------------------------------------------------------------------


def test_grad_returns_a_tuple_and_leaves_grad_untouched():
    x = leaf([1.0, 2.0])
    (g,) = autograd.grad((x * x).sum(), x)
    assert_close(g, np.array([2.0, 4.0]))
    assert x.grad is None
    assert not g.requires_grad


def test_grad_with_grad_outputs():
    x = leaf([1.0, 2.0, 3.0])
    y = x * x
    (g,) = autograd.grad(y, [x], grad_outputs=[minigrad.tensor([1.0, 0.0, -1.0], dtype=minigrad.float64)])
    assert_close(g, np.array([2.0, 0.0, -6.0]))
    (g,) = autograd.grad(x * 3, x, grad_outputs=minigrad.tensor([1.0, 2.0, 3.0], dtype=minigrad.float64))
    assert_close(g, np.array([3.0, 6.0, 9.0]))


def test_grad_of_several_outputs_and_inputs():
    x = leaf([1.0, 2.0])
    w = leaf([3.0])
    y1 = (x * w).sum()
    y2 = (x * x).sum()
    gx, gw = autograd.grad([y1, y2], [x, w])
    assert_close(gx, np.array([3.0 + 2.0, 3.0 + 4.0]))
    assert_close(gw, np.array([3.0]))


def test_grad_needs_one_grad_output_per_output():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="got 2 grad_outputs and 1 outputs"):
        autograd.grad(x * 2, x, grad_outputs=[minigrad.ones(2, dtype=minigrad.float64)] * 2)


def test_grad_of_a_non_scalar_output_needs_grad_outputs():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        autograd.grad(x * 2, x)


def test_grad_allow_unused():
    x = leaf([1.0])
    unused = leaf([5.0])
    y = (x * 2).sum()
    with pytest.raises(
        RuntimeError,
        match="One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True",
    ):
        autograd.grad(y, [x, unused], retain_graph=True)
    gx, gu = autograd.grad(y, [x, unused], allow_unused=True)
    assert_close(gx, np.array([2.0])) and gu is None


def test_grad_of_an_intermediate():
    x = leaf([1.0, 2.0])
    h = x * 3
    y = (h * h).sum()
    (gh,) = autograd.grad(y, h)
    assert_close(gh, 2 * np.array([3.0, 6.0]))


def test_grad_with_the_same_input_twice_and_an_intermediate_with_its_leaf():
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    g1, g2 = autograd.grad(y, [x, x])
    assert_close(g1, np.array([2.0, 4.0])) and assert_close(g2, np.array([2.0, 4.0]))
    h = x * 2
    y = (h * h).sum() + h.sum()
    gh, gx = autograd.grad(y, [h, x])
    assert_close(gh, np.array([5.0, 9.0]))
    assert_close(gx, np.array([10.0, 18.0]))
    (g,) = autograd.grad(x, x, grad_outputs=minigrad.ones(2, dtype=minigrad.float64))
    assert_close(g, np.array([1.0, 1.0]))


def test_grad_inputs_must_require_grad():
    x = leaf([1.0])
    c = minigrad.tensor([2.0], dtype=minigrad.float64)
    with pytest.raises(RuntimeError, match="does not require grad"):
        autograd.grad((x * c).sum(), c)


# ---- higher order -----------------------------------------------------------------------


def test_second_and_third_derivative_of_cube():
    x = leaf([-1.5, 0.5, 2.0])
    y = (x**3).sum()
    (g,) = autograd.grad(y, x, create_graph=True)
    assert g.requires_grad and g.grad_fn is not None
    assert_close(g, 3 * x.data**2)
    (gg,) = autograd.grad(g.sum(), x, create_graph=True)
    assert_close(gg, 6 * x.data)
    (ggg,) = autograd.grad(gg.sum(), x)
    assert_close(ggg, np.full(3, 6.0))


def test_second_derivative_of_tanh():
    xv = np.array([-1.0, 0.3, 2.0])
    x = leaf(xv)
    (g,) = autograd.grad(x.tanh().sum(), x, create_graph=True)
    t = np.tanh(xv)
    assert_close(g, 1 - t**2)
    (gg,) = autograd.grad(g.sum(), x)
    assert_close(gg, -2 * t * (1 - t**2))


def test_second_derivative_of_tanh_of_a_0d_tensor():
    x = leaf(0.3)
    (g,) = autograd.grad(x.tanh(), x, create_graph=True)
    (gg,) = autograd.grad(g, x)
    t = np.tanh(0.3)
    assert_close(gg, np.asarray(-2 * t * (1 - t**2)))


def test_backward_with_create_graph_records_grad():
    x = leaf([2.0])
    (x**3).sum().backward(create_graph=True)
    assert x.grad.requires_grad
    (gg,) = autograd.grad(x.grad.sum(), x)
    assert_close(gg, np.array([12.0]))


def test_hessian_vector_product_of_a_mixed_expression():
    xv, wv = np.array([0.2, -0.4]), np.array([1.5, 0.5])
    x, w = leaf(xv), leaf(wv)
    y = ((x * w).sigmoid() * x).sum()
    (gx,) = autograd.grad(y, x, create_graph=True)
    v = minigrad.tensor([1.0, -2.0], dtype=minigrad.float64)
    hv_x, hv_w = autograd.grad((gx * v).sum(), [x, w])

    def f(xa, wa):
        return np.sum(1 / (1 + np.exp(-xa * wa)) * xa)

    def grad_x(xa, wa, h=1e-6):
        return np.array([(f(xa + h * e, wa) - f(xa - h * e, wa)) / (2 * h) for e in np.eye(2)])

    h = 1e-4
    vv = np.array([1.0, -2.0])
    num_x = (grad_x(xv + h * vv, wv) - grad_x(xv - h * vv, wv)) / (2 * h)
    num_w = np.array([(grad_x(xv, wv + h * e) @ vv - grad_x(xv, wv - h * e) @ vv) / (2 * h) for e in np.eye(2)])
    assert_close(hv_x, num_x, rtol=1e-4, atol=1e-6)
    assert_close(hv_w, num_w, rtol=1e-4, atol=1e-6)


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


# ---- the version counter and in-place rules ---------------------------------------------


def test_inplace_change_of_a_saved_input_raises_naming_the_op():
    x = leaf([1.0, 2.0])
    h = x * 1.0
    y = h * h  # MulBackward saves h
    h.add_(1.0)
    with pytest.raises(
        RuntimeError,
        match=r"one of the variables needed for gradient computation has been "
        r"modified by an inplace operation: \[minigrad.float64 \[2\]\], which is "
        r"saved by MulBackward, is at version 1; expected version 0 instead",
    ):
        y.sum().backward()


def test_inplace_change_of_a_saved_output_raises():
    x = leaf([1.0, 2.0])
    y = x.exp()  # ExpBackward saves its output
    y.mul_(2.0)
    with pytest.raises(RuntimeError, match="saved by ExpBackward, is at version 1; expected version 0"):
        y.sum().backward()


def test_inplace_change_of_an_unsaved_tensor_is_fine():
    x = leaf([1.0, 2.0])
    h = x * 2.0
    y = h + 1.0  # add saves nothing
    h.mul_(3.0)
    (y.sum() + h.sum()).backward()
    assert_close(x.grad, np.array([2.0 + 6.0, 2.0 + 6.0]))


def test_inplace_ops_are_recorded_and_differentiable():
    x = leaf([1.0, 2.0])
    h = x * 1.0
    h.mul_(x)
    h.add_(x, alpha=3.0)
    assert h.grad_fn is not None and not h.is_leaf
    h.sum().backward()
    assert_close(x.grad, 2 * np.array([1.0, 2.0]) + 3.0)


def test_inplace_into_a_plain_tensor_from_one_that_requires_grad_is_recorded():
    x = leaf([1.0, 2.0])
    buf = minigrad.zeros(3, dtype=minigrad.float64)
    buf[1:] = x * 2
    assert not buf.is_leaf and buf.requires_grad
    buf.sum().backward()
    assert_close(x.grad, np.array([2.0, 2.0]))
    for fill, expected in (
        (lambda c: c.add_(x).mul_(x), [2.0, 4.0]),
        (lambda c: c.copy_(x * x), [2.0, 4.0]),
        (lambda c: c.fill_(x.sum()), [2.0, 2.0]),
        (lambda c: c.masked_fill_(minigrad.tensor([True, False]), x.sum()), [1.0, 1.0]),
    ):
        x.grad = None
        c = minigrad.zeros(2, dtype=minigrad.float64)
        fill(c)
        c.sum().backward()
        assert_close(x.grad, np.array(expected))


def test_parameter_update_under_no_grad_before_backward_is_caught():
    w = leaf([1.0, 2.0])
    loss = (w * w).sum()
    with minigrad.no_grad():
        w.sub_(0.1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        loss.backward()


def test_inplace_on_a_leaf_that_requires_grad_raises():
    x = leaf([1.0])
    with pytest.raises(
        RuntimeError, match="a leaf Variable that requires grad is being used in an in-place operation."
    ):
        x.add_(1.0)
    with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
        x += 1.0
    assert x.tolist() == [1.0]


def test_views_share_the_version_counter_of_their_base():
    x = leaf([1.0, 2.0])
    h = x * 1.0
    y = (h * h).sum()
    with minigrad.no_grad():
        h[0].fill_(5.0)  # a write through a view bumps the base's version
    with pytest.raises(RuntimeError, match="saved by MulBackward, is at version 1; expected version 0"):
        y.backward()
    x = leaf([1.0, 2.0])
    h = x * 1.0
    v = h.view(2, 1)
    y = (v * v).sum()
    with minigrad.no_grad():
        h.add_(1.0)  # a write into the base is seen through the view
    with pytest.raises(RuntimeError, match=r"\[minigrad.float64 \[2, 1\]\], which is saved by MulBackward"):
        y.backward()


def test_a_view_taken_before_a_recorded_inplace_op_is_not_used_with_stale_history():
    a = leaf([1.0, 2.0])
    b = a * 1.0
    v = b[0]
    b.mul_(2.0)
    with pytest.raises(RuntimeError, match="view of a tensor that was modified in place"):
        (v * 3).sum().backward()
    w = b[0]  # taken again after the in-place op: fine
    (w * 3).sum().backward()
    assert_close(a.grad, np.array([6.0, 0.0]))


def test_inplace_on_a_view_of_a_recorded_tensor_is_refused():
    x = leaf([1.0, 2.0])
    h = x * 1.0
    with pytest.raises(RuntimeError, match="mul_: in-place operations on a view are not recorded"):
        h[0].mul_(2.0)
    with pytest.raises(RuntimeError, match="in-place operations on a view"):
        h[:1].add_(2.0)


def test_view_of_a_base_changed_in_place_sees_the_change_in_backward():
    a = leaf([1.0, 2.0])
    b = a * 1.0
    v = b.view(2, 1)
    b.mul_(2.0)
    try:
        (v * v).sum().backward()
    except RuntimeError:
        return  # refusing is acceptable; a wrong gradient is not
    assert_close(a.grad, np.array([8.0, 16.0]))


# ---- anomaly detection ------------------------------------------------------------------


def _forward_with_a_bad_log(x):
    return (x - 1.0).log() * 0.0  # d/dx log(0) = inf, times 0 gives nan in LogBackward


def test_detect_anomaly_names_the_op_and_the_forward_line():
    x = leaf([1.0, 2.0])
    with autograd.detect_anomaly(), np.errstate(invalid="ignore", divide="ignore"):
        y = _forward_with_a_bad_log(x).sum()
        with pytest.raises(RuntimeError) as info:
            y.backward()
    message = str(info.value)
    assert "Function 'LogBackward' returned nan values" in message
    source_line = inspect.getsourcelines(_forward_with_a_bad_log)[1] + 1
    assert f"line {source_line}, in _forward_with_a_bad_log" in message
    assert "(x - 1.0).log() * 0.0" in message
    assert __file__.replace(".pyc", ".py") in message or "test_autograd.py" in message


def test_detect_anomaly_reports_inf():
    x = leaf([0.0, 4.0])
    with autograd.detect_anomaly():
        y = x.sqrt().sum()
        with pytest.raises(RuntimeError, match="Function 'SqrtBackward' returned inf values"):
            y.backward()


def test_without_anomaly_mode_nan_gradients_pass_silently():
    x = leaf([1.0, 2.0])
    with np.errstate(all="ignore"):
        _forward_with_a_bad_log(x).sum().backward()
    assert np.isnan(x.grad.data[0])
    assert not autograd.grad_mode.is_anomaly_enabled()


def test_detect_anomaly_restores_the_mode():
    with autograd.detect_anomaly():
        assert autograd.grad_mode.is_anomaly_enabled()
    assert not autograd.grad_mode.is_anomaly_enabled()


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


# ---- the Function extension point -------------------------------------------------------


class Cube(Function):
    """out = x ** 3 * k;  dx = 3 k x ** 2 (written with minigrad ops: differentiable again)."""

    calls = []

    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(x)
        ctx.k = k
        Cube.calls.append(ctx.needs_input_grad)
        return x.data**3 * k

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * ctx.k * x * x, None


class ScaledProduct(Function):
    """out = a * b;  da = g * b, db = g * a, each computed only when needed."""

    computed = []

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a.data * b.data

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ScaledProduct.computed.append("a")
            ga = g * b
        if ctx.needs_input_grad[1]:
            ScaledProduct.computed.append("b")
            gb = g * a
        return ga, gb


class SplitTwo(Function):
    """Two outputs: (2x, x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.data * 2, x.data**2

    @staticmethod
    def backward(ctx, g1, g2):
        (x,) = ctx.saved_tensors
        return g1 * 2 + g2 * 2 * x


def test_custom_function_forward_backward_and_node_name():
    x = leaf([1.0, -2.0])
    y = Cube.apply(x, 2.0)
    assert_close(y, np.array([2.0, -16.0]))
    assert y.grad_fn.name() == "CubeBackward" and repr(y).endswith("grad_fn=<CubeBackward>)")
    y.sum().backward()
    assert_close(x.grad, 6 * np.array([1.0, 4.0]))


class Softplus(Function):
    """A forward written with Tensor ops (recording is off inside forward); saves None too."""

    @staticmethod
    def forward(ctx, x, beta):
        assert not minigrad.is_grad_enabled()
        ctx.save_for_backward(x, None)
        ctx.beta = beta
        return (1 + (x * beta).exp()).log() / beta

    @staticmethod
    def backward(ctx, g):
        x, nothing = ctx.saved_tensors
        assert nothing is None
        assert ctx.saved_tensors[0] is x or ctx.saved_tensors[0].data is x.data  # readable twice
        return g * (x * ctx.beta).sigmoid(), None


def test_custom_function_with_a_tensor_forward():
    xv = np.array([0.3, -1.2])
    x = leaf(xv)
    y = Softplus.apply(x, 2.0)
    assert y.grad_fn.name() == "SoftplusBackward"
    assert_close(y, np.log1p(np.exp(2 * xv)) / 2)
    y.sum().backward(retain_graph=True)
    y.sum().backward()
    assert_close(x.grad, 2 / (1 + np.exp(-2 * xv)))
    assert gradcheck(lambda t: Softplus.apply(t, 2.0), (x,))
    assert gradgradcheck(lambda t: Softplus.apply(t, 2.0), (x,))


def test_custom_function_sees_needs_input_grad():
    Cube.calls.clear()
    Cube.apply(leaf([1.0]), 1.0)
    Cube.apply(minigrad.tensor([1.0]), 1.0)
    assert Cube.calls == [(True, False), (False, False)]
    ScaledProduct.computed.clear()
    a, c = leaf([2.0]), minigrad.tensor([3.0], dtype=minigrad.float64)
    ScaledProduct.apply(a, c).sum().backward()
    assert ScaledProduct.computed == ["a"]
    assert_close(a.grad, np.array([3.0]))


def test_custom_function_without_grad_inputs_records_nothing():
    y = Cube.apply(minigrad.tensor([2.0]), 1.0)
    assert not y.requires_grad and y.grad_fn is None


def test_custom_function_is_gradchecked_to_second_order():
    x = leaf([0.5, -1.2, 2.0])
    assert gradcheck(lambda t: Cube.apply(t, 1.5), (x,))
    assert gradgradcheck(lambda t: Cube.apply(t, 1.5), (x,))
    a, b = leaf([[0.3, -0.7]]), leaf([[1.1, 0.4]])
    assert gradcheck(ScaledProduct.apply, (a, b))
    assert gradgradcheck(ScaledProduct.apply, (a, b))


def test_custom_function_with_two_outputs():
    x = leaf([1.0, 3.0])
    twice, square = SplitTwo.apply(x)
    assert twice.grad_fn is square.grad_fn
    square.sum().backward()  # the unused output's gradient arrives as zeros
    assert_close(x.grad, np.array([2.0, 6.0]))
    assert gradcheck(SplitTwo.apply, (leaf([0.5, -1.0]),))
    assert gradgradcheck(SplitTwo.apply, (leaf([0.5, -1.0]),))


def test_custom_function_saved_tensors_are_version_checked():
    x = leaf([1.0, 2.0])
    h = x * 1.0
    y = Cube.apply(h, 1.0)
    h.add_(1.0)
    with pytest.raises(RuntimeError, match="saved by CubeBackward"):
        y.sum().backward()


def test_custom_function_returning_too_many_gradients_is_an_error():
    class TooMany(Function):
        @staticmethod
        def forward(ctx, x):
            return x.data * 1

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match="returned an incorrect number of gradients"):
        TooMany.apply(leaf([1.0])).sum().backward()


def test_custom_function_mark_non_differentiable():
    class SortWithOrder(Function):
        @staticmethod
        def forward(ctx, x):
            order = np.argsort(x.data)
            ctx.order = order
            positions = order.astype(np.float64)
            ctx.mark_non_differentiable(positions)
            return x.data[order], positions

        @staticmethod
        def backward(ctx, g, g_positions):
            return g[minigrad.tensor(np.argsort(ctx.order))]

    x = leaf([3.0, 1.0, 2.0])
    values, positions = SortWithOrder.apply(x)
    assert values.requires_grad and not positions.requires_grad
    assert positions.dtype is minigrad.float64
    (values * minigrad.tensor([1.0, 10.0, 100.0], dtype=minigrad.float64)).sum().backward()
    assert x.grad.tolist() == [100.0, 1.0, 10.0]


def test_custom_function_returning_a_wrong_shaped_gradient_is_an_error():
    class WrongShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x.data.sum()

        @staticmethod
        def backward(ctx, g):
            return minigrad.ones(3, dtype=minigrad.float64)

    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match="WrongShapeBackward"):
        WrongShape.apply(x).backward()


def test_custom_function_backward_returning_an_array():
    class ArrayGrad(Function):
        @staticmethod
        def forward(ctx, x):
            return x.data * 2

        @staticmethod
        def backward(ctx, g):
            return g.data * 2

    x = leaf([1.0, 2.0])
    try:
        ArrayGrad.apply(x).sum().backward()
    except (TypeError, RuntimeError) as error:
        assert "ArrayGradBackward" in str(error)
        return
    assert_close(x.grad, np.array([2.0, 2.0]))


@pytest.mark.parametrize("op", ["mul", "cat", "inplace_add"])
def test_a_leaf_in_a_mixed_dtype_op_keeps_its_grad_dtype(op):
    a = minigrad.tensor([1.0, 2.0], requires_grad=True)
    b = leaf([3.0, 4.0])
    if op == "inplace_add":
        out = a * 1.0
        out.add_(b)  # written into float32 storage; b's gradient is still float64 in torch
    else:
        out = a * b if op == "mul" else minigrad.cat([a, b])
        assert out.dtype is minigrad.float64
    out.sum().backward()
    assert a.grad.dtype is minigrad.float32 and b.grad.dtype is minigrad.float64


def test_grad_keeps_the_leaf_dtype_when_the_gradient_argument_has_another():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward(minigrad.tensor([1.0, 1.0], dtype=minigrad.float64))
    assert x.grad.dtype is minigrad.float32


def test_built_in_ops_are_functions_too():
    y = leaf([1.0]) * 2
    assert isinstance(y.grad_fn, Function)
    assert y.grad_fn.next_functions[0][0].name() == "AccumulateGrad"


# ---- gradcheck and gradgradcheck themselves ---------------------------------------------


class WrongAtOneElement(Function):
    """out = x ** 2, with a backward that is wrong only for element [0, 1]."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.data**2

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        bump = np.zeros(x.shape)
        bump[0, 1] = 0.5
        return g * 2 * x + minigrad.tensor(bump) * g


class ConstantBackwardSin(Function):
    """sin with a correct first derivative computed as a constant: no second derivative."""

    @staticmethod
    def forward(ctx, x):
        ctx.cos = np.cos(x.data)
        return np.sin(x.data)

    @staticmethod
    def backward(ctx, g):
        return g * minigrad.tensor(ctx.cos)


def test_gradcheck_names_input_element_and_both_values():
    xv = np.array([[0.5, 1.0, 1.5], [2.0, 2.5, 3.0]])
    x = leaf(xv)
    with pytest.raises(GradcheckError) as info:
        gradcheck(WrongAtOneElement.apply, (x,))
    message = str(info.value)
    assert "with respect to input 0" in message
    assert "d output[0, 1] / d input[0, 1]" in message
    numerical, analytical = (
        float(v) for v in __import__("re").search(r"numerical (\S+), analytical (\S+) ", message).groups()
    )
    assert abs(numerical - 2.0) < 1e-5 and abs(analytical - 2.5) < 1e-12


def test_gradcheck_names_the_second_input():
    a = leaf([[1.0, 2.0]])
    b = leaf([[0.5, 1.0, 1.5], [2.0, 2.5, 3.0]])
    with pytest.raises(GradcheckError, match="with respect to input 1"):
        gradcheck(lambda p, q: p @ WrongAtOneElement.apply(q), (a, b))


def test_gradcheck_catches_a_nan_gradient():
    class NanGrad(Function):
        @staticmethod
        def forward(ctx, x):
            return x.data * 2

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    with pytest.raises(GradcheckError, match="analytical nan"):
        gradcheck(NanGrad.apply, (leaf([1.0, 2.0]),))


def test_gradcheck_fast_mode_catches_a_nan_gradient():
    class NanGrad(Function):
        @staticmethod
        def forward(ctx, x):
            return x.data * 2

        @staticmethod
        def backward(ctx, g):
            return g * float("nan")

    with pytest.raises(GradcheckError, match="analytical nan"):
        gradcheck(NanGrad.apply, (leaf([1.0, 2.0]),), fast_mode=True)


def test_gradcheck_raise_exception_false_returns_false():
    x = leaf(np.ones((2, 3)))
    assert gradcheck(WrongAtOneElement.apply, (x,), raise_exception=False) is False
    assert gradcheck(lambda t: t**2, (x,), raise_exception=False) is True


def test_gradcheck_fast_mode_passes_correct_and_catches_wrong_gradients():
    x = leaf(np.linspace(0.5, 3.0, 6).reshape(2, 3))
    assert gradcheck(lambda t: (t**2).sum(1).tanh(), (x,), fast_mode=True)
    with pytest.raises(GradcheckError, match=r"with respect to input 0 \(fast mode.*numerical .*analytical"):
        gradcheck(WrongAtOneElement.apply, (x,), fast_mode=True)


def test_gradcheck_fast_mode_on_a_large_input_is_cheap():
    x = leaf(np.random.default_rng(0).standard_normal((60, 50)))
    w = leaf(np.random.default_rng(1).standard_normal((50, 40)))
    assert gradcheck(lambda a, b: (a @ b).tanh(), (x, w), fast_mode=True)


def test_gradcheck_warns_on_float32_instead_of_failing():
    x = minigrad.tensor([[0.3, -0.2, 1.1]], requires_grad=True)
    with pytest.warns(UserWarning, match="Input #0 requires gradient and is not a double precision"):
        assert gradcheck(lambda t: t.exp() * t.sigmoid(), (x,))
    assert x.dtype is minigrad.float32, "the user's tensor is not converted"


def test_gradcheck_float64_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert gradcheck(lambda t: t.exp(), (leaf([0.1, 0.2]),))


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda t: t.exp(), (minigrad.tensor([1.0], dtype=minigrad.float64),))


def test_gradcheck_passes_non_tensor_arguments_through():
    assert gradcheck(lambda t, k: t**k, (leaf([0.5, 1.5]), 3))


def test_gradcheck_with_several_outputs():
    assert gradcheck(lambda t: (t.exp(), t * 2, t.sum()), (leaf([[0.1, 0.2], [0.3, 0.4]]),))


def test_gradcheck_leaves_inputs_unchanged():
    x = leaf([0.5, 1.5])
    gradcheck(lambda t: t.tanh(), (x,))
    assert x.tolist() == [0.5, 1.5] and x.grad is None


def test_gradgradcheck_catches_a_backward_that_is_not_differentiable():
    x = leaf([0.3, 1.1, -0.8])
    assert gradcheck(ConstantBackwardSin.apply, (x,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(ConstantBackwardSin.apply, (x,))
    assert gradgradcheck(ConstantBackwardSin.apply, (x,), raise_exception=False) is False


def test_gradgradcheck_fast_mode_and_explicit_grad_outputs():
    x = leaf([0.3, 1.1, -0.8])
    assert gradgradcheck(lambda t: (t * t).tanh(), (x,), fast_mode=True)
    v = minigrad.tensor([1.0, -1.0, 0.5], dtype=minigrad.float64)
    assert gradgradcheck(lambda t: (t * t).tanh(), (x,), grad_outputs=v)
    with pytest.raises(GradcheckError):
        gradgradcheck(ConstantBackwardSin.apply, (x,), fast_mode=True)


def test_leaf_grads_never_alias_a_gradient_someone_else_holds():
    # .grad takes the engine's gradient without a copy only when nobody else holds it
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (x + y).sum().backward()  # AddBackward hands the same gradient to both leaves
    x.grad.mul_(10)
    assert_close(y.grad, np.array([1.0, 1.0]))
    x.grad = None
    seed = minigrad.ones(2, dtype=minigrad.float64)
    (x + 0.0).backward(seed)  # the user's gradient passes through unchanged
    x.grad.zero_()
    assert_close(seed, np.array([1.0, 1.0]))
    kept = []
    x.grad = None
    x.register_hook(lambda g: kept.append(g))
    (x * 2).sum().backward()
    x.grad.zero_()
    assert_close(kept[0], np.array([2.0, 2.0]))


def test_leaf_takes_a_gradient_nobody_else_holds_without_a_copy():
    # The engine hands the leaf the very array a backward made, when no one else holds it.
    made = []

    class Double(Function):
        @staticmethod
        def forward(ctx, a):
            return a.data * 2

        @staticmethod
        def backward(ctx, g):
            out = g * 2
            made.append(id(out.data))  # the id only: keeping the array would force a copy
            return out

    x = leaf([1.0, 2.0])
    Double.apply(x).sum().backward()
    assert id(x.grad.data) == made[0]
    assert_close(x.grad, np.array([2.0, 2.0]))


def test_gradients_summed_for_one_tensor_leave_every_incoming_gradient_unchanged():
    # Three gradients reach y; the engine sums them in an array of its own, never in one
    # of theirs (here each is also held by the backward that made it).
    held = []

    class Keep(Function):
        @staticmethod
        def forward(ctx, a):
            return a.data.copy()

        @staticmethod
        def backward(ctx, g):
            held.append(g)
            return g

    x = leaf([1.0, 2.0])
    y = x * 1.0
    (Keep.apply(y) + Keep.apply(y) + Keep.apply(y) * 2.0).sum().backward()
    assert len(held) == 3
    for g, expected in zip(sorted(held, key=lambda t: float(t.data[0])), ([1.0, 1.0], [1.0, 1.0], [2.0, 2.0])):
        assert_close(g, np.array(expected))
    assert_close(x.grad, np.array([4.0, 4.0]))
