"""``draw_graph(model, input)``: a model's graph, clustered by module call, folded by depth, profiled.

The model runs once with a forward pre-hook and hook on every module and an op
observer, so each node lands in a cluster for the module *call* that recorded it
(``layer1.0.conv2: Conv2d``); clusters nest as the calls did, and a module called twice
gets one cluster per call. ``depth`` folds every module deeper than that into one box.
``profile=True`` adds forward and backward time, bytes saved for backward and mult-adds
(``minigrad.costs``) to every node and box, and shades them by cost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from ..autograd.engine import grad as autograd_grad
from ..autograd.function import AccumulateGrad, observe
from ..costs import SavedBytes, add_costs, mult_adds, node_costs, owner
from ..tensor import Tensor
from .backward import backward_drawing
from .dot import Cluster, emit
from .forward import as_tensors, check_view, forward_drawing, leaf_tensors, param_names, root_nodes, walk
from .labels import format_bytes, format_count, format_seconds, shape_text

if TYPE_CHECKING:
    from ..nn.modules.module import Module
    from .render import DotGraph

__all__ = ["draw_graph"]


class _ModuleTracer:
    """Hooks on every module plus an op observer: which module call produced each node."""

    def __init__(self, model):
        self.names = {}
        for name, module in model.named_modules():
            self.names.setdefault(id(module), name)
        self.clusters = {}
        self.node_call = {}
        self.stack = []
        self.calls_per_name = {}
        self.first_call = {}
        self.param_names = {}
        self.macs = {}
        self.profile = False
        self.inputs = ()
        self.input_consumers = {}

    # forward hooks
    def pre_hook(self, module, args):
        name = self.names.get(id(module), "?")
        count = self.calls_per_name.get(name, 0) + 1
        self.calls_per_name[name] = count
        key = ("call", len(self.clusters))
        parent = self.stack[-1] if self.stack else None
        label = name if name else type(module).__name__
        if count > 1:
            label += f" (call {count})"
        depth = 0 if name == "" else name.count(".") + 1
        title = label
        lines = [type(module).__name__] if name else []
        self.clusters[key] = Cluster(
            key, f"{label}: {type(module).__name__}" if name else label, parent, depth, title=title, lines=lines
        )
        self.first_call.setdefault(name, key)
        self.stack.append(key)

    def hook(self, module, args, output):
        if self.stack:
            key = self.stack.pop()
            try:
                tensors = as_tensors(output)
            except TypeError:
                tensors = []
            cluster = self.clusters[key]
            cluster.lines = list(cluster.lines) + [shape_text(t._array.shape, t._array.dtype) for t in tensors[:2]]

    # op observer
    def on_forward(self, node, args, outputs, recorded):
        if not recorded:
            return
        if self.stack:
            self.node_call[node] = self.stack[-1]
        for arg in args:
            for i, t in enumerate(self.inputs):
                if arg is t:
                    self.input_consumers.setdefault(i, []).append(node)
        if self.profile:
            self.macs[node] = mult_adds(node, args, outputs)

    def on_backward_start(self, node):
        pass

    def on_backward(self, node, seconds):
        pass

    def param_cluster(self, name):
        """The first call of the module that owns parameter ``name`` (``a.b.weight`` -> ``a.b``)."""
        if name is None:
            return None
        return self.first_call.get(name.rsplit(".", 1)[0] if "." in name else "")

    def __call__(self, node):
        """The cluster of a node: the call that recorded it, or for a leaf its module's call."""
        if type(node) is AccumulateGrad:
            return self.param_cluster(self.param_names.get(id(node.variable)))
        return self.node_call.get(node)


def _warm_up(model, inputs):
    """One forward and backward first, so first-call costs do not colour the picture."""
    outputs = as_tensors(model(*inputs))
    try:
        order = walk(root_nodes(outputs, "draw_graph"))
    except ValueError:
        return
    leaves = leaf_tensors(order)
    if leaves:
        seeds = [Tensor(np.ones(t._array.shape, dtype=t._array.dtype)) for t in outputs]
        autograd_grad(outputs, leaves, grad_outputs=seeds, allow_unused=True)


def draw_graph(
    model: Module,
    input: Tensor | Sequence[Tensor],
    depth: int | None = None,
    view: str = "forward",
    profile: bool = False,
    show_attrs: bool = False,  # noqa: A002
    show_saved: bool = False,
    show_shapes: bool = True,
    shade_by: str = "time",
) -> DotGraph:
    """Run ``model(input)`` once and draw its graph, clustered by the module calls.

    Args:
        model: a Module (anything with ``named_modules()``, ``named_parameters()`` and
            forward pre-/post-hooks).
        input: a Tensor, or a tuple of Tensors passed as positional arguments.
        depth: fold every module nested deeper than ``depth`` into one box (``1`` keeps
            only top-level children such as ``layer1``; ``2`` keeps ``layer1.0``); None
            draws every op.
        view: ``'forward'`` or ``'backward'`` (the ops backward runs, each inside the
            cluster of the module whose forward recorded the node it differentiates).
        profile: add forward time, backward time, bytes saved for backward (parameters
            and inputs excluded: they live anyway) and mult-adds to every node and box,
            and shade them by ``shade_by``. Forward and backward run once first as a
            warm-up; the timed backward retains the graph and returns gradients instead
            of touching ``.grad``.
        shade_by: ``'time'`` (forward + backward), ``'memory'`` (saved bytes) or ``'macs'``.

    Returns a ``graphviz.Digraph`` (a ``DotGraph``).
    """
    check_view(view, "draw_graph")
    if shade_by not in ("time", "memory", "macs"):
        raise ValueError(f"draw_graph: shade_by must be 'time', 'memory' or 'macs', got {shade_by!r}")
    if depth is not None and (isinstance(depth, bool) or not isinstance(depth, int) or depth < 1):
        raise ValueError(f"draw_graph: depth must be a positive int or None, got {depth!r}")
    inputs = tuple(input) if isinstance(input, (tuple, list)) else (input,)
    if profile:
        _warm_up(model, inputs)
    tracer = _ModuleTracer(model)
    tracer.profile = profile
    tracer.inputs = inputs
    handles = []
    try:
        for _, module in model.named_modules():
            handles.append(module.register_forward_pre_hook(tracer.pre_hook))
            handles.append(module.register_forward_hook(tracer.hook))
        with observe(tracer):
            output = model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
    outputs = as_tensors(output)
    names = param_names(model)
    tracer.param_names = names
    for t in inputs:
        if hasattr(t, "_array"):
            names.setdefault(id(t), "input")

    costs = None
    caption = None
    if profile and view == "forward":
        order = walk(root_nodes(outputs, "draw_graph"))
        # Parameters and inputs live anyway: saving them for backward costs no memory.
        exclude = {id(owner(node.variable._array)) for node in order if type(node) is AccumulateGrad}
        exclude.update(id(owner(t._array)) for t in inputs if isinstance(t, Tensor))
        costs, backward_total = node_costs(outputs, order, exclude, tracer.macs)
        totals = {}
        saved = SavedBytes(exclude)
        for node, cost in costs.items():
            add_costs(totals, cost)
            saved.add(node)
        caption = "  |  ".join(
            ([f"forward {format_seconds(totals['forward'])} (sum over ops)"] if totals.get("forward") else [])
            + [f"backward {format_seconds(backward_total)}", f"saved for backward {format_bytes(saved.total)}"]
            + ([f"{format_count(totals['macs'])} MACs"] if totals.get("macs") else [])
        )

    # The module cluster of a node: its call; clusters are the tracer's, in call order.
    if view == "forward":
        extra = [
            ("input" if len(inputs) == 1 else f"input {i}", inputs[i], tracer.input_consumers.get(i, ()))
            for i in range(len(inputs))
            if hasattr(inputs[i], "_array") and not inputs[i].requires_grad
        ]
        drawing = forward_drawing(
            outputs,
            names,
            show_attrs,
            show_saved,
            show_shapes,
            cluster_of=tracer,
            costs=costs,
            inputs=extra,
            where="draw_graph",
        )
        drawing.clusters = dict(tracer.clusters)
    else:
        drawing = backward_drawing(
            outputs, names, show_attrs, show_shapes, node_cluster=tracer, profile=profile, where="draw_graph"
        )
        if profile:
            totals = {}
            for v in drawing.vertices:
                if v.cost:
                    add_costs(totals, v.cost)
            caption = "  |  ".join(
                [
                    f"backward: {sum(1 for v in drawing.vertices if v.kind == 'op')} ops, "
                    f"{format_seconds(totals.get('time') or 0.0)} (sum over ops)"
                ]
                + ([f"{format_count(totals['macs'])} MACs"] if totals.get("macs") else [])
            )
    # The root call (the model itself) draws as the whole picture, not as a cluster.
    root_keys = [key for key, c in drawing.clusters.items() if c.depth == 0]
    for v in drawing.vertices:
        if v.cluster in root_keys:
            v.cluster = None
    for key in root_keys:
        del drawing.clusters[key]
    for c in drawing.clusters.values():
        if c.parent in root_keys:
            c.parent = None
    drawing.caption = caption
    return emit(drawing, depth=depth, shade_by=shade_by if profile else None)
