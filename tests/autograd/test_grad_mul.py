"""grad_mul (minigrad/autograd/_engine.pyx): the products in mul's and relu's backward are
bare array products when nothing records them, and recorded ops otherwise (create_graph,
observers); either way the gradients are PyTorch's."""

import numpy as np
import pytest

import minigrad
from minigrad.autograd._engine import grad_mul
from minigrad.autograd.function import observe


def _chain(a, b):
    return ((a * b + b).relu() * a).sum()


@pytest.mark.parametrize("dtypes", [("float32", "float32"), ("float64", "float32"), ("float32", "float64")])
def test_mul_and_relu_gradients_match_torch_for_mixed_dtypes(torch, dtypes):
    rng = np.random.default_rng(0)
    a_np, b_np = rng.standard_normal((3, 4)).astype(dtypes[0]), rng.standard_normal(4).astype(dtypes[1])
    a, b = minigrad.tensor(a_np, requires_grad=True), minigrad.tensor(b_np, requires_grad=True)
    ta, tb = torch.tensor(a_np, requires_grad=True), torch.tensor(b_np, requires_grad=True)
    _chain(a, b).backward()
    _chain(ta, tb).backward()
    for mine, theirs in ((a.grad, ta.grad), (b.grad, tb.grad)):
        assert str(mine.dtype) == str(theirs.dtype).replace("torch", "minigrad")
        np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-6)


def test_without_a_graph_it_is_the_product_and_records_nothing():
    g, other = minigrad.ones(3, requires_grad=True), minigrad.tensor([1.0, 2.0, 3.0])
    with minigrad.no_grad():
        out = grad_mul(g, other)
        assert out.grad_fn is None and not out.requires_grad
        np.testing.assert_array_equal(out.numpy(), [1.0, 2.0, 3.0])
        np.testing.assert_array_equal(grad_mul(g, np.array([2.0, 2.0, 2.0])).numpy(), [2.0, 2.0, 2.0])
        assert grad_mul(g, 2.0).numpy().tolist() == [2.0, 2.0, 2.0]  # a number: the op


def test_with_create_graph_the_gradient_is_recorded_and_differentiable():
    x = minigrad.tensor([1.0, -2.0, 3.0], requires_grad=True)
    (gx,) = minigrad.autograd.grad((x * x * x).relu().sum(), x, create_graph=True)
    assert gx.grad_fn is not None
    (ggx,) = minigrad.autograd.grad(gx.sum(), x)
    np.testing.assert_allclose(ggx.numpy(), [6.0, 0.0, 18.0])


def test_observers_see_the_products_of_the_backward():
    class Names:
        def __init__(self):
            self.names, self.in_backward = [], False

        def on_forward(self, ctx, args, outputs, recorded):
            if self.in_backward:
                self.names.append(ctx.name())

        def on_backward_start(self, node):
            self.in_backward = True

        def on_backward(self, node, seconds):
            self.in_backward = False

    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with observe(Names()) as seen:
        (x * x).relu().sum().backward()
    assert seen.names.count("MulBackward0") == 3  # relu's product and mul's two
