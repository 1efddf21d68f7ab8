"""The Function extension point: custom forward and backward, ctx (saved tensors,
needs_input_grad, mark_non_differentiable), several outputs, and the errors for wrong backward
results."""

import numpy as np
import pytest
from inputs import leaf

import minigrad
from minigrad.autograd import Function, gradcheck, gradgradcheck
from minigrad.testing import assert_close

# ---- the Function extension point -------------------------------------------------------


class Cube(Function):
    """out = x ** 3 * k;  dx = 3 k x ** 2 (written with minigrad ops: differentiable again)."""

    calls = []

    @staticmethod
    def forward(ctx, x, k):
        ctx.save_for_backward(x)
        ctx.k = k
        Cube.calls.append(ctx.needs_input_grad)
        return x._array**3 * k

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
        return a._array * b._array

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
        return x._array * 2, x._array**2

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
        assert ctx.saved_tensors[0] is x or ctx.saved_tensors[0]._array is x._array  # readable twice
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
            return x._array * 1

        @staticmethod
        def backward(ctx, g):
            return g, g

    with pytest.raises(RuntimeError, match="returned an incorrect number of gradients"):
        TooMany.apply(leaf([1.0])).sum().backward()


def test_custom_function_mark_non_differentiable():
    class SortWithOrder(Function):
        @staticmethod
        def forward(ctx, x):
            order = np.argsort(x._array)
            ctx.order = order
            positions = order.astype(np.float64)
            ctx.mark_non_differentiable(positions)
            return x._array[order], positions

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
            return x._array.sum()

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
            return x._array * 2

        @staticmethod
        def backward(ctx, g):
            return g._array * 2

    x = leaf([1.0, 2.0])
    try:
        ArrayGrad.apply(x).sum().backward()
    except (TypeError, RuntimeError) as error:
        assert "ArrayGradBackward" in str(error)
        return
    assert_close(x.grad, np.array([2.0, 2.0]))


def test_built_in_ops_are_functions_too():
    y = leaf([1.0]) * 2
    assert isinstance(y.grad_fn, Function)
    assert y.grad_fn.next_functions[0][0].name() == "AccumulateGrad"
