"""The backward engine: accumulation into .grad, graph shapes (diamonds, reuse, unused branches),
retain_graph, its errors, the dtype and aliasing of leaf gradients, autograd.grad, and
higher-order gradients."""

import numpy as np
import pytest
from inputs import leaf

import minigrad
from minigrad import autograd
from minigrad.autograd import Function
from minigrad.testing import assert_close

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
    assert_close(g, 3 * x._array**2)
    (gg,) = autograd.grad(g.sum(), x, create_graph=True)
    assert_close(gg, 6 * x._array)
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


# ---- the gradients leaves receive: dtype and aliasing -------------------------------------


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
            return a._array * 2

        @staticmethod
        def backward(ctx, g):
            out = g * 2
            made.append(id(out._array))  # the id only: keeping the array would force a copy
            return out

    x = leaf([1.0, 2.0])
    Double.apply(x).sum().backward()
    assert id(x.grad._array) == made[0]
    assert_close(x.grad, np.array([2.0, 2.0]))


def test_gradients_summed_for_one_tensor_leave_every_incoming_gradient_unchanged():
    # Three gradients reach y; the engine sums them in an array of its own, never in one
    # of theirs (here each is also held by the backward that made it).
    held = []

    class Keep(Function):
        @staticmethod
        def forward(ctx, a):
            return a._array.copy()

        @staticmethod
        def backward(ctx, g):
            held.append(g)
            return g

    x = leaf([1.0, 2.0])
    y = x * 1.0
    (Keep.apply(y) + Keep.apply(y) + Keep.apply(y) * 2.0).sum().backward()
    assert len(held) == 3
    for g, expected in zip(sorted(held, key=lambda t: float(t._array[0])), ([1.0, 1.0], [1.0, 1.0], [2.0, 2.0])):
        assert_close(g, np.array(expected))
    assert_close(x.grad, np.array([4.0, 4.0]))
