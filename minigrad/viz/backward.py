"""The backward pass, recorded and drawn (``make_dot(..., view='backward')``).

Backward runs once (gradients are returned, no ``.grad`` changes, the graph is
retained) while an observer records every op it executes; those ops are drawn grouped
by the node whose backward ran them. A conv's input gradient shows up as the
flipped-kernel convolution, its weight gradient as the cross-correlation: each op's
``graph_note`` says what it means there. ``make_dot(g)`` of a gradient made with
``create_graph=True`` draws the graph of that gradient, which reaches back into the
forward graph.
"""

import numpy as np

from ..autograd.engine import grad as autograd_grad
from ..autograd.function import observe
from ..costs import forward_seconds, mult_adds
from ..ops.elementwise import AddFunction
from ..tensor import Tensor
from .dot import Cluster, Drawing, Vertex
from .forward import leaf_tensors, root_nodes, walk
from .labels import graph_note, node_attrs, op_title, shape_text

__all__ = ["backward_drawing"]


class _TracedOp:
    """One op run during the traced backward: its class, node, arguments and outputs, and who ran it."""

    __slots__ = ("cls", "ctx", "args", "outputs", "owner", "role")

    def __init__(self, cls, ctx, args, outputs, owner, role):
        self.cls = cls
        self.ctx = ctx
        self.args = args
        self.outputs = outputs
        self.owner = owner  # the forward node whose backward ran this op (None otherwise)
        self.role = role  # 'backward', 'accumulate' or 'hook'


class _BackwardTracer:
    """Observer that records every op run during one backward pass and who ran it.

    An op seen between ``on_backward_start(node)`` and ``on_backward(node)`` belongs to
    that node's backward; an addition outside those windows is the engine summing the
    gradients of a tensor used twice; anything else outside them ran in a hook.
    """

    def __init__(self):
        self.ops = []
        self._running = None

    def on_forward(self, ctx, args, outputs, recorded):
        if self._running is not None:
            owner, role = self._running, "backward"
        else:
            owner, role = None, "accumulate" if type(ctx) is AddFunction else "hook"
        self.ops.append(_TracedOp(type(ctx), ctx, args, outputs, owner, role))

    def on_backward_start(self, node):
        self._running = node

    def on_backward(self, node, seconds):
        self._running = None


def _trace_backward(outputs, leaves):
    """Run backward once (graph retained, nothing accumulated) under a tracer.

    The incoming gradient requires grad, so with ``create_graph=True`` the ops backward
    runs are recorded too; returns (tracer, seeds, grads).
    """
    seeds = [Tensor(np.ones(t._array.shape, dtype=t._array.dtype), requires_grad=True) for t in outputs]
    tracer = _BackwardTracer()
    with observe(tracer):
        grads = autograd_grad(
            outputs, leaves, grad_outputs=seeds, retain_graph=True, create_graph=True, allow_unused=True
        )
    return tracer, seeds, grads


def backward_drawing(outputs, names, show_attrs, show_shapes, node_cluster=None, profile=False, where="make_dot"):
    """The drawing of what backward executes, ops grouped by the node whose backward ran them.

    ``node_cluster(node)`` gives the module cluster a forward node belongs to (draw_graph).
    """
    roots = root_nodes(outputs, where)
    order = walk(roots)
    leaves = leaf_tensors(order)
    if not leaves:
        raise ValueError(f"{where}: the graph reaches no leaf that requires grad; backward computes nothing")
    tracer, seeds, grads = _trace_backward(outputs, leaves)
    drawing = Drawing()
    produced = {}  # id(tensor) -> vertex index of the op that produced it
    keep = []  # keeps traced tensors alive so their ids stay unique

    def add_seed(i, seed):
        title = "grad_output" if len(seeds) == 1 else f"grad_output {i}"
        lines = [shape_text(seed._array.shape, seed._array.dtype)] if show_shapes else []
        produced[id(seed)] = drawing.add(Vertex("seed", title, lines))

    for i, seed in enumerate(seeds):
        add_seed(i, seed)

    # Cluster per forward node whose backward ran ops, nested in its module cluster.
    node_number = {node: i for i, node in enumerate(order)}
    if node_cluster is not None:
        for key, cluster in node_cluster.clusters.items():
            drawing.clusters[key] = cluster

    def cluster_for(op):
        if op.owner is None:
            return None
        key = ("node", node_number.get(op.owner, -1))
        if key not in drawing.clusters:
            parent = node_cluster(op.owner) if node_cluster is not None else None
            label = op.owner.name()
            drawing.clusters[key] = Cluster(key, label, parent, None, style="node")
        return key

    externals = {}  # forward value / leaf / constant -> vertex index

    def source_of(arg, consumer_cluster):
        i = produced.get(id(arg))
        if i is not None:
            return i
        if arg.grad_fn is not None:
            key = ("value", node_number.get(arg.grad_fn, -1), arg._output_nr, arg.grad_fn)
            title = (
                f"{arg.grad_fn.name()} out"
                if getattr(arg.grad_fn, "_num_outputs", 1) == 1
                else f"{arg.grad_fn.name()} out{arg._output_nr}"
            )
            kind = "value"
        elif arg.requires_grad:
            key = ("leaf", id(arg))
            title = names.get(id(arg), "leaf")
            kind = "input" if title == "input" else "leaf"
        else:
            key = ("const", id(arg))
            title = names.get(id(arg), "constant")
            kind = "input" if title == "input" else "const"
        i = externals.get(key)
        if i is None:
            lines = [shape_text(arg._array.shape, arg._array.dtype)] if show_shapes else []
            if kind in ("value", "const") and title != "input":
                cluster = consumer_cluster
            elif kind == "leaf" and node_cluster is not None:
                cluster = node_cluster.param_cluster(names.get(id(arg)))
            else:
                cluster = None
            i = externals[key] = drawing.add(Vertex(kind, title, lines, cluster))
            keep.append(arg)
        return i

    def array_source(arg, consumer_cluster):
        key = ("array", id(arg))
        i = externals.get(key)
        if i is None:
            lines = [shape_text(arg.shape, arg.dtype)] if show_shapes else []
            i = externals[key] = drawing.add(Vertex("const", "array", lines, consumer_cluster))
            keep.append(arg)
        return i

    for op in tracer.ops:
        cluster = cluster_for(op)
        lines = node_attrs(op.ctx) if (show_attrs and op.ctx is not None) else []
        if show_shapes:
            if len(op.outputs) == 1:
                lines.append(shape_text(op.outputs[0]._array.shape, op.outputs[0]._array.dtype))
            else:
                lines.extend(f"out{i}: {shape_text(o._array.shape, o._array.dtype)}" for i, o in enumerate(op.outputs))
        title = op_title(op.cls)
        note = graph_note(op.ctx)
        if note is not None:
            lines.insert(0, f"({note})")
        if op.role == "accumulate":
            title += " (accumulate)"
        elif op.role == "hook":
            title += " (hook)"
        vertex = Vertex("op", title, lines, cluster)
        if profile:
            vertex.cost = {"time": forward_seconds(op.ctx), "macs": mult_adds(op.ctx, op.args, op.outputs)}
        index = drawing.add(vertex)
        for arg in op.args:
            if isinstance(arg, Tensor):
                drawing.edge(source_of(arg, cluster), index)
            elif isinstance(arg, np.ndarray) and arg.ndim:
                drawing.edge(array_source(arg, cluster), index)
        for out in op.outputs:
            produced[id(out)] = index
        keep.append(op)

    for leaf, g in zip(leaves, grads):
        name = names.get(id(leaf))
        title = f"grad {name}" if name is not None else "grad"
        lines = [shape_text(leaf._array.shape, leaf._array.dtype)] if show_shapes else []
        cluster = node_cluster.param_cluster(name) if node_cluster is not None else None
        index = drawing.add(Vertex("grad", title, lines, cluster))
        if g is not None:
            source = produced.get(id(g))
            if source is not None:
                drawing.edge(source, index)
    drawing.keep = keep  # the traced tensors stay alive (and their ids unique) with the drawing
    return drawing
