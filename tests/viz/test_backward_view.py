"""The backward view of make_dot: the ops backward runs, gradient accumulation, the flipped-kernel
convolution, notes set by nodes, and graphs of gradients made with create_graph."""

import numpy as np
from dotreader import parse
from inputs import uniform_leaf

from minigrad import nn
from minigrad.autograd import Function, grad
from minigrad.viz import make_dot

# ---- backward view ----------------------------------------------------------------------


def test_backward_view_draws_the_ops_backward_runs():
    x, w = uniform_leaf(2, 3), uniform_leaf(2, 3, seed=1)
    y = (x * w).sum()
    d = parse(make_dot(y, params={"x": x, "w": w}, view="backward"))
    assert d.titles()["grad_output"] == 1
    assert d.titles()["grad x"] == 1 and d.titles()["grad w"] == 1
    muls = d.by_title("Mul")
    assert len(muls) == 2 and {d.cluster_label(n) for n in muls} == {"MulBackward"}
    expand = d.by_title("Expand")
    assert len(expand) == 1 and d.cluster_label(expand[0]) == "SumBackward"
    edges = d.title_edges()
    # dx = g * w and dw = g * x: the saved leaves feed the products, which give the grads.
    assert edges[("w", "Mul")] == 1 and edges[("x", "Mul")] == 1
    assert edges[("Mul", "grad x")] == 1 and edges[("Mul", "grad w")] == 1
    assert edges[("Expand", "Mul")] == 2
    # Drawing ran backward without touching .grad and kept the graph usable.
    assert x.grad is None and w.grad is None
    y.backward()
    np.testing.assert_allclose(x.grad._array, w._array)


def test_backward_view_shows_gradient_accumulation():
    x = uniform_leaf(3)
    d = parse(make_dot((x * x).sum(), params={"x": x}, view="backward"))
    acc = d.by_title("Add (accumulate)")
    assert len(acc) == 1
    assert d.title_edges()[("Add (accumulate)", "grad x")] == 1
    assert d.title_edges()[("Mul", "Add (accumulate)")] == 2


def test_backward_view_of_a_convolution_shows_the_flipped_kernel_convolution():
    x = uniform_leaf(1, 2, 6, 6)
    w = uniform_leaf(3, 2, 3, 3, seed=1)
    b = uniform_leaf(3, seed=2)
    y = nn.functional.conv2d(x, w, b, padding=1)
    d = parse(make_dot(y, params={"x": x, "weight": w, "bias": b}, view="backward", show_attrs=True))
    (transpose,) = d.by_title("ConvTranspose2d")
    (weight_grad,) = d.by_title("Conv2dWeight")
    assert d.cluster_label(transpose) == "Conv2dBackward" == d.cluster_label(weight_grad)
    assert transpose.lines[0] == "(flipped-kernel convolution)"
    assert weight_grad.lines[0] == "(cross-correlation x * g)"
    assert "padding=(1, 1)" in transpose.lines
    edges = d.title_edges()
    assert edges[("grad_output", "ConvTranspose2d")] == 1 and edges[("weight", "ConvTranspose2d")] == 1
    assert edges[("grad_output", "Conv2dWeight")] == 1 and edges[("x", "Conv2dWeight")] == 1
    assert edges[("ConvTranspose2d", "grad x")] == 1 and edges[("Conv2dWeight", "grad weight")] == 1
    assert edges[("Sum", "grad bias")] == 1


class _Noted(Function):
    """y = 2x; says per call which path ran when told to (``ctx.graph_note``)."""

    graph_note = "the class's note"

    @staticmethod
    def forward(ctx, x, path):
        if path is not None:
            ctx.graph_note = path
        return x._array * 2

    @staticmethod
    def backward(ctx, g):
        return _Noted.apply(g, None), None


class _TwoPaths(Function):
    """y = 4x, whose backward runs _Noted twice: once with a note of its own, once without."""

    @staticmethod
    def forward(ctx, x):
        return x._array * 4

    @staticmethod
    def backward(ctx, g):
        return _Noted.apply(g, "the path that ran") + _Noted.apply(g, None)


def test_a_note_the_node_sets_for_its_call_wins_over_its_class_note():
    x = uniform_leaf(2, 3)
    d = parse(make_dot(_TwoPaths.apply(x).sum(), view="backward", show_attrs=True))
    notes = sorted(n.lines[0] for n in d.by_title("_Noted"))
    assert notes == ["(the class's note)", "(the path that ran)"]
    assert not any(line.startswith("graph_note=") for n in d.by_title("_Noted") for line in n.lines)


def test_backward_view_draws_forward_values_and_arrays_it_reads():
    x = uniform_leaf(2, 3)
    y = x.exp().relu().sum()
    d = parse(make_dot(y, view="backward"))
    # exp's backward multiplies by exp's saved output, a forward value.
    (value,) = d.by_title("ExpBackward out")
    assert value.lines == ["(2, 3) float32"]
    assert d.title_edges()[("ExpBackward out", "Mul")] >= 1


def test_graph_of_a_gradient_made_with_create_graph():
    x = uniform_leaf(3)
    y = (x * x * x).sum()
    (g,) = grad(y, x, create_graph=True)
    d = parse(make_dot(g, params={"x": x}))
    # dy/dx = 3x^2, recorded: products of the incoming gradient and saved x, accumulated.
    assert d.titles()["x"] == 1
    assert d.titles()["MulBackward"] >= 3 and d.titles()["AddBackward"] >= 1
    assert d.title_edges()[("x", "MulBackward")] >= 2
    # ... and the gradient of that gradient draws as a backward view too.
    d2 = parse(make_dot(g.sum(), params={"x": x}, view="backward"))
    assert d2.titles()["grad x"] == 1
