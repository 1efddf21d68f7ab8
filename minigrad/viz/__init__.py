"""Drawing the recorded graph with Graphviz: forward, backward, by module, with costs.

Four entry points:

* ``make_dot(output)`` draws the graph recorded behind ``output``: one box per op node
  (named as the node, ``MulBackward``), the leaves it reaches (named from ``params``),
  shapes and dtypes, and on request what each node saved and its hyper-parameters.
* ``make_dot(output, view='backward')`` draws the backward pass itself: it runs backward
  once (gradients are returned, no ``.grad`` changes, the graph is retained) while an
  observer records every op that backward executes, and draws those ops grouped by the
  node whose backward ran them.
* ``draw_graph(model, input)`` runs the model once and groups the nodes into nested
  clusters by the module call that produced them (``layer1.0.conv2``); ``depth`` folds
  every module deeper than that into one box. ``profile=True`` adds forward and backward
  time, bytes saved for backward and mult-adds to every node, and shades nodes by cost.
* ``render(graph, path)`` writes svg, png, pdf or the DOT source.

The result is a ``DotGraph``, a ``graphviz.Digraph`` whose rendering methods raise
``GraphvizNotFoundError`` (saying how to install Graphviz) instead of graphviz's terse
error when the ``dot`` program is missing; ``.source`` works without it, and is the same
text every time the same graph is drawn.

One module per job:

* ``forward``: walking the recorded graph and drawing it;
* ``backward``: recording the backward pass and drawing it;
* ``modules``: ``draw_graph``, the module tracer that clusters nodes by module call;
* ``dot``: the drawing (vertices, edges, clusters) and its DOT text (``emit``);
* ``labels``: what the boxes say (shapes, sizes, times, hyper-parameters, notes);
* ``render``: files and Graphviz (``render``, ``DotGraph``, ``GraphvizNotFoundError``).

What ops cost (mult-adds, saved bytes, time) is counted in ``minigrad.costs``, shared
with ``minigrad.summary``.

Notation: a *node* is a recorded op (a ``Function`` instance, or ``AccumulateGrad`` at a
leaf); a *vertex* is a box in the drawing; a *call* is one run of one module's forward.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from .backward import backward_drawing
from .dot import emit
from .forward import as_tensors, check_view, forward_drawing, param_names
from .modules import draw_graph
from .render import DotGraph, GraphvizNotFoundError, render

if TYPE_CHECKING:
    from ..nn.modules.module import Module
    from ..tensor import Tensor

__all__ = ["make_dot", "draw_graph", "render", "DotGraph", "GraphvizNotFoundError"]


def make_dot(
    output: Tensor | Sequence[Tensor],
    params: Mapping[str, Tensor] | Iterable[tuple[str, Tensor]] | Module | None = None,
    show_attrs: bool = False,
    show_saved: bool = False,
    show_shapes: bool = True,
    view: str = "forward",
) -> DotGraph:
    """Draw the graph recorded behind ``output`` as a ``graphviz.Digraph``.

    Args:
        output: a Tensor (or a tuple/list of Tensors) with a recorded graph.
        params: names for leaf tensors: a dict ``{name: tensor}``, pairs, or a Module
            (its ``named_parameters()``). Unnamed leaves are drawn as ``leaf``.
        show_attrs: add each node's hyper-parameters (stride, dim, ...).
        show_saved: add what each node saved for backward (dashed, with shapes and bytes).
        show_shapes: add output shapes and dtypes to every vertex.
        view: ``'forward'`` draws the recorded graph; ``'backward'`` runs backward once
            (retaining the graph, leaving every ``.grad`` untouched) and draws the ops it
            executed, grouped by the node whose backward ran them.

    Example::

        >>> import minigrad
        >>> from minigrad.viz import make_dot
        >>> x = minigrad.ones(2, 3, requires_grad=True)
        >>> g = make_dot((x * 2).sum(), params={"x": x})
        >>> g.source.count("MulBackward")
        1
    """
    check_view(view, "make_dot")
    outputs = as_tensors(output)
    names = param_names(params)
    if view == "forward":
        drawing = forward_drawing(outputs, names, show_attrs, show_saved, show_shapes)
    else:
        drawing = backward_drawing(outputs, names, show_attrs, show_shapes)
    return emit(drawing)
