"""Drawing the recorded graph with Graphviz: forward, backward, by module, with costs.

Four entry points:

* ``make_dot(output)`` draws the graph recorded behind ``output``: one box per op node
  (named as the node, ``MulBackward``), the leaves it reaches (named from ``params``),
  shapes and dtypes, and on request what each node saved and its hyper-parameters.
* ``make_dot(output, view='backward')`` draws the backward pass itself: it runs backward
  once (gradients are returned, no ``.grad`` changes, the graph is retained) while an
  observer records every op that backward executes, and draws those ops grouped by the
  node whose backward ran them. A conv's input gradient shows up there as the
  flipped-kernel convolution, its weight gradient as the cross-correlation.
  ``make_dot(g)`` of a gradient ``g`` made with ``create_graph=True`` draws the graph of
  that gradient, which reaches back into the forward graph.
* ``draw_graph(model, input)`` runs the model once and groups the nodes into nested
  clusters by the module call that produced them (``layer1.0.conv2``); ``depth`` folds
  every module deeper than that into one box. ``profile=True`` adds forward and backward
  time, bytes saved for backward and mult-adds to every node, and shades nodes by cost.
* ``render(graph, path)`` writes svg, png, pdf or the DOT source.

The DOT text is deterministic: node ids come from the order in which the graph is
walked from its outputs (never from ``id()``), so drawing the same graph twice gives
byte-identical text. Every walk uses an explicit stack, so a graph of 100,000 nodes
draws without touching Python's recursion limit.

The result is a ``DotGraph``, a ``graphviz.Digraph`` whose rendering methods raise
``GraphvizNotFoundError`` (saying how to install Graphviz) instead of graphviz's terse
error when the ``dot`` program is missing; ``.source`` works without it. In Jupyter the
graph displays itself through graphviz's own SVG hook.

Notation: a *node* is a recorded op (a ``Function`` instance, or ``AccumulateGrad`` at a
leaf); a *vertex* is a box in the drawing; a *call* is one run of one module's forward.
"""
import os
import sys
import time

import graphviz
import numpy as np

from ..autograd.function import AccumulateGrad, observe
from ..ops.elementwise import AddFunction
from ..tensor import Tensor

__all__ = ["make_dot", "draw_graph", "render", "graph_command", "DotGraph", "GraphvizNotFoundError"]

_INSTALL_HINT = (
    "Graphviz's `dot` program was not found on PATH, so the graph cannot be rendered to "
    "{what}. The DOT source still works without it (`graph.source`, or "
    "`minigrad.viz.render(graph, 'graph.dot')`). Install Graphviz to render: "
    "`apt-get install graphviz` (Debian/Ubuntu), `dnf install graphviz` (Fedora), "
    "`brew install graphviz` (macOS), `conda install -c conda-forge graphviz`, or see "
    "https://graphviz.org/download/ (the `graphviz` Python package alone is not enough).")

_FORMATS = ("svg", "png", "pdf", "dot")

# Fill colours by vertex kind.
_FILL = {
    "op": "white",
    "leaf": "lightblue",
    "input": "lightyellow",
    "output": "palegreen",
    "saved": "orange",
    "seed": "khaki",
    "grad": "palegreen",
    "value": "bisque",
    "const": "gray92",
    "module": "lavender",
}

_SKIPPED_ATTRS = ("needs_input_grad", "next_functions")


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Rendering needs Graphviz's ``dot`` program, which is not installed."""

    def __init__(self, what="an image"):
        RuntimeError.__init__(self, _INSTALL_HINT.format(what=what))


class DotGraph(graphviz.Digraph):
    """A ``graphviz.Digraph`` whose renderers explain how to install Graphviz when needed."""

    def pipe(self, format=None, *args, **kwargs):  # noqa: A002  (graphviz's name)
        try:
            return super().pipe(format, *args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            if isinstance(error, GraphvizNotFoundError):
                raise
            raise GraphvizNotFoundError(format or self.format) from error

    def render(self, *args, **kwargs):
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as error:
            if isinstance(error, GraphvizNotFoundError):
                raise
            raise GraphvizNotFoundError(kwargs.get("format") or self.format) from error

    def _repr_svg_(self):
        """SVG for front-ends that only ask ``_repr_svg_`` (IPython uses the mimebundle)."""
        return self._repr_image_svg_xml()


def render(graph, path, format=None):  # noqa: A002  (graphviz's name)
    """Write ``graph`` to ``path`` as svg, png, pdf or dot (DOT source).

    Args:
        graph: a ``graphviz.Digraph`` (what ``make_dot`` and ``draw_graph`` return).
        path: the file to write; its extension gives the format when ``format`` is None.
        format: one of ``'svg'``, ``'png'``, ``'pdf'``, ``'dot'``.

    Returns the path. Raises ``GraphvizNotFoundError`` for svg/png/pdf when Graphviz's
    ``dot`` program is not installed (the ``'dot'`` format never needs it).
    """
    path = os.fspath(path)
    if format is None:
        format = os.path.splitext(path)[1].lstrip(".").lower() or "svg"  # noqa: A001
        if format == "gv":
            format = "dot"  # noqa: A001
    if format not in _FORMATS:
        raise ValueError(f"render: format must be one of {', '.join(_FORMATS)}, got {format!r}")
    if format == "dot":
        with open(path, "w", encoding="utf-8") as f:
            f.write(graph.source)
        return path
    try:
        data = graph.pipe(format=format)
    except graphviz.ExecutableNotFound as error:
        if isinstance(error, GraphvizNotFoundError):
            raise
        raise GraphvizNotFoundError(format) from error
    with open(path, "wb") as f:
        f.write(data)
    return path


# ---- formatting ---------------------------------------------------------------------------

def _shape_text(shape, dtype):
    return f"{tuple(int(s) for s in shape)} {np.dtype(dtype).name}"


def _is_tensor(value):
    return isinstance(value, Tensor)


def _array_of(value):
    """The ndarray behind a Tensor or an ndarray (an ndarray's own ``.data`` is a buffer)."""
    if isinstance(value, np.ndarray):
        return value
    return value.data if _is_tensor(value) else None


def _value_meta(value):
    """(shape, dtype) of a Tensor or ndarray, else None."""
    data = _array_of(value)
    if isinstance(data, np.ndarray):
        return data.shape, data.dtype
    return None


def _format_bytes(n):
    for unit in ("B", "KiB", "MiB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024.0
    return f"{n:.1f} GiB"


def _format_seconds(s):
    if s >= 1.0:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.2f} ms"
    return f"{s * 1e6:.0f} us"


def _format_count(n):
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= scale:
            return f"{n / scale:.2f} {unit}"
    return f"{n:.0f}"


def _format_value(value, budget=60):
    """A short, deterministic text for an attribute value, or None when not worth showing."""
    text = _value_text(value, 0)
    if text is None:
        return None
    return text if len(text) <= budget else text[: budget - 3] + "..."


def _value_text(value, depth):
    """Scalars, strings and tuples of them (an index may hold slices, ``...`` and arrays)."""
    if value is None or isinstance(value, (bool, str)):
        return repr(value)
    if isinstance(value, np.generic):
        return repr(value.item())
    if isinstance(value, (int, float)):
        return repr(value)
    if depth and isinstance(value, slice):
        parts = ["" if p is None else str(p) for p in (value.start, value.stop, value.step)]
        return ":".join(parts if value.step is not None else parts[:2])
    if depth and value is Ellipsis:
        return "..."
    if depth and isinstance(value, np.ndarray):
        return f"array{tuple(value.shape)}"
    if not isinstance(value, tuple):
        return None
    if depth > 4:
        return "(...)"
    items = [_value_text(v, depth + 1) for v in value]
    if any(item is None for item in items):
        return None
    return "(" + ", ".join(items) + (",)" if len(items) == 1 else ")")


def _node_attrs(node):
    """The hyper-parameters of a node worth showing: public scalar/tuple/str attributes."""
    lines = []
    try:
        items = vars(node).items()
    except TypeError:  # __slots__ nodes (AccumulateGrad) have none
        return lines
    for key, value in items:
        if key.startswith("_") or key in _SKIPPED_ATTRS:
            continue
        text = _format_value(value)
        if text is not None:
            lines.append(f"{key}={text}")
    return lines


# What a well-known op means when it shows up inside a backward pass.
_BACKWARD_NOTES = {
    "ConvTranspose2d": "flipped-kernel convolution",
    "Conv2dWeight": "cross-correlation x * g",
    "MaxPoolScatter": "scatter to argmax",
    "MaxPoolGather": "gather at argmax",
}


def _op_title(cls):
    """The name of an op class as an operation: ``ConvTranspose2dFunction`` -> ``ConvTranspose2d``."""
    name = cls.__name__
    for suffix in ("Function", "Backward"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


# ---- the drawing, before DOT: vertices, edges, clusters -----------------------------------

class _Vertex:
    __slots__ = ("kind", "title", "lines", "cluster", "cost", "cost_lines")

    def __init__(self, kind, title, lines, cluster=None):
        self.kind = kind
        self.title = title
        self.lines = lines
        self.cluster = cluster
        self.cost = None        # a dict of numbers when profiling
        self.cost_lines = ()


class _Cluster:
    __slots__ = ("key", "label", "parent", "depth", "style", "title", "lines", "cost_lines")

    def __init__(self, key, label, parent, depth, style="module", title="", lines=()):
        self.key = key
        self.label = label
        self.parent = parent    # a cluster key or None
        self.depth = depth      # module depth (dotted components); None for non-module clusters
        self.style = style
        self.title = title      # what a folded box shows
        self.lines = lines
        self.cost_lines = ()


class _Drawing:
    """Vertices (in graph order), edges between their indices, and the cluster tree."""

    def __init__(self):
        self.vertices = []
        self.edges = []          # (tail, head, attrs) with attrs a tuple of (key, value)
        self.clusters = {}       # key -> _Cluster, in order of creation
        self.caption = None
        self.keep = ()

    def add(self, vertex):
        self.vertices.append(vertex)
        return len(self.vertices) - 1

    def edge(self, tail, head, **attrs):
        self.edges.append((tail, head, tuple(attrs.items())))


def _walk(roots):
    """Every node reachable from ``roots``, each once, in depth-first preorder (iterative)."""
    order = []
    seen = set()
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        order.append(node)
        for edge in reversed(node.next_functions):
            if edge is not None and edge[0] not in seen:
                stack.append(edge[0])
    return order


def _as_tensors(output):
    if isinstance(output, Tensor):
        return [output]
    if isinstance(output, dict):
        output = list(output.values())
    if isinstance(output, (tuple, list)):
        tensors = []
        for item in output:
            tensors.extend(_as_tensors(item))
        return tensors
    raise TypeError(f"make_dot: expected a Tensor or a tuple/list of Tensors, got {type(output).__name__}")


def _param_names(params):
    """``{id(tensor): name}`` from a dict, an iterable of pairs, or a Module."""
    if params is None:
        return {}
    if hasattr(params, "named_parameters"):
        params = params.named_parameters()
    items = params.items() if isinstance(params, dict) else params
    names = {}
    for name, tensor in items:
        names.setdefault(id(tensor), str(name))
    return names


def _root_of(tensor):
    if tensor.grad_fn is not None:
        return tensor.grad_fn
    if tensor.requires_grad:
        return tensor._grad_accumulator()
    return None


def _roots(outputs, where):
    roots = []
    for t in outputs:
        node = _root_of(t)
        if node is not None and node not in roots:
            roots.append(node)
    if not roots:
        raise ValueError(
            f"{where}: the output has no grad_fn and does not require grad, so no graph was "
            "recorded (was it computed under no_grad(), or only from tensors that do not "
            "require grad?)")
    return roots


def _forward_drawing(outputs, names, show_attrs, show_saved, show_shapes, cluster_of=None,
                     costs=None, inputs=(), where="make_dot"):
    """The drawing of the recorded graph behind ``outputs`` (edges point along the data flow)."""
    drawing = _Drawing()
    roots = _roots(outputs, where)
    order = _walk(roots)
    index = {}
    for node in order:
        if type(node) is AccumulateGrad:
            variable = node.variable
            name = names.get(id(variable))
            lines = [_shape_text(variable.data.shape, variable.data.dtype)] if show_shapes else []
            kind = "input" if name == "input" else "leaf"
            vertex = _Vertex(kind, name if name is not None else "leaf", lines)
        else:
            lines = _node_attrs(node) if show_attrs else []
            if show_shapes:
                meta = node._output_meta
                if len(meta) == 1:
                    lines.append(_shape_text(*meta[0]))
                else:
                    lines.extend(f"out{i}: {_shape_text(*m)}" for i, m in enumerate(meta))
            vertex = _Vertex("op", node.name(), lines)
        if cluster_of is not None:
            vertex.cluster = cluster_of(node)
        if costs is not None and node in costs:
            vertex.cost = costs[node]
        index[node] = drawing.add(vertex)

    for node in order:
        head = index[node]
        for edge in node.next_functions:
            if edge is None:
                continue
            child, nr = edge
            if getattr(child, "_num_outputs", 1) > 1:
                drawing.edge(index[child], head, taillabel=str(nr))
            else:
                drawing.edge(index[child], head)

    # Inputs that do not require grad are no graph leaves; draw_graph knows which nodes
    # read them and draws them anyway, so the picture starts at the input.
    for title, tensor, consumers in inputs:
        consumers = [node for node in consumers if node in index]
        if not consumers:
            continue
        lines = [_shape_text(tensor.data.shape, tensor.data.dtype)] if show_shapes else []
        vertex_index = drawing.add(_Vertex("input", title, lines))
        for node in consumers:
            drawing.edge(vertex_index, index[node])

    if show_saved:
        _add_saved(drawing, order, index, show_shapes)

    for i, t in enumerate(outputs):
        node = _root_of(t)
        if node is None:
            continue
        title = "output" if len(outputs) == 1 else f"output {i}"
        lines = [_shape_text(t.data.shape, t.data.dtype)] if show_shapes else []
        vertex = _Vertex("output", title, lines)
        out = drawing.add(vertex)
        drawing.edge(index[node], out)
    return drawing


def _saved_slots(node):
    """``(value, output_nr)`` for each value a node saved (output_nr None for non-outputs)."""
    if type(node) is AccumulateGrad:
        return []
    return list(zip(node.saved_values, node.saved_outputs))


def _saved_role(node, output_nr, value, taken):
    """How a saved value relates to its node: 'output', 'input 1', 'tensor' or 'array'.

    ``taken`` holds the input positions already named for this node, so ``x * x``
    labels its two saved values ``input 0`` and ``input 1``.
    """
    if output_nr is not None:
        return "output" if getattr(node, "_num_outputs", 1) == 1 else f"output {output_nr}"
    if getattr(value, "requires_grad", False):
        edge = (value.grad_fn, value._output_nr) if value.grad_fn is not None else None
        for i, e in enumerate(node.next_functions):
            if e is None or i in taken:
                continue
            taken.add(i)
            if edge is not None and e[0] is edge[0] and e[1] == edge[1]:
                return f"input {i}"
            if edge is None and type(e[0]) is AccumulateGrad and e[0].variable is value:
                return f"input {i}"
            taken.discard(i)
    return "tensor" if hasattr(value, "grad_fn") else "array"


def _add_saved(drawing, order, index, show_shapes):
    """One vertex per distinct saved array, dashed edges to every node that saved it."""
    saved_index = {}
    for node in order:
        if type(node) is AccumulateGrad:
            continue
        taken = set()
        for value, output_nr in _saved_slots(node):
            meta = _value_meta(value)
            if meta is None:
                continue
            data = _array_of(value)
            key = id(data)
            vertex_index = saved_index.get(key)
            if vertex_index is None:
                lines = [_shape_text(*meta)] if show_shapes else []
                lines.append(_format_bytes(data.nbytes))
                vertex = _Vertex("saved", "saved", lines, drawing.vertices[index[node]].cluster)
                vertex_index = saved_index[key] = drawing.add(vertex)
            drawing.edge(vertex_index, index[node], style="dashed", arrowhead="none",
                         label=_saved_role(node, output_nr, value, taken), fontsize="8")


# ---- costs --------------------------------------------------------------------------------

def _mult_adds(cls, args, outputs):
    """Mult-adds of one op where the op is a known product (matmul, convolutions), else None.

    Conv2d: out.numel * Cin/groups * KH * KW (weight is the second argument).
    ConvTranspose2d: in.numel * Cout/groups * KH * KW (weight (Cin, Cout/groups, KH, KW)).
    Conv2dWeight(x, g): weight.numel * N * OH * OW (g is the second argument).
    """
    name = cls.__name__
    shapes = [a.data.shape for a in args if _is_tensor(a)]
    if not outputs or len(shapes) < 2:
        return None
    out = outputs[0].data
    if name in ("MatmulFunction", "BmmFunction", "MmFunction"):
        return int(out.size) * int(shapes[0][-1]) if shapes[0] else None
    if name == "LinearFunction":
        return int(out.size) * int(shapes[1][-1])
    if not name.startswith("Conv") or len(shapes[1]) < 3:
        return None
    if "Weight" in name:
        g = shapes[1]
        return int(out.size) * int(g[0]) * int(np.prod(g[2:]))
    per = int(np.prod(shapes[1][1:]))
    if "Transpose" in name:
        return int(np.prod(shapes[0])) * per
    return int(out.size) * per


def _owner(array):
    """The array that owns ``array``'s memory (itself unless it is a view)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _saved_arrays(node, exclude):
    """The distinct arrays a node keeps for backward, minus those whose memory is in ``exclude``
    (ids of owning arrays: parameters and inputs, which live anyway)."""
    arrays = []
    seen = set()
    for value in node.saved_values:
        data = _array_of(value)
        if not isinstance(data, np.ndarray) or id(data) in seen or id(_owner(data)) in exclude:
            continue
        seen.add(id(data))
        arrays.append(data)
    return arrays


def _node_saved_bytes(node, exclude=frozenset()):
    return sum(a.nbytes for a in _saved_arrays(node, exclude))


def _total_saved_bytes(order, exclude=frozenset()):
    """Bytes saved for backward by the nodes in ``order``, each array counted once."""
    seen = set()
    total = 0
    for node in order:
        if type(node) is AccumulateGrad:
            continue
        for data in _saved_arrays(node, exclude):
            if id(data) not in seen:
                seen.add(id(data))
                total += data.nbytes
    return total


def _cost_lines(cost):
    lines = []
    fwd, bwd = cost.get("forward"), cost.get("backward")
    times = []
    if fwd is not None:
        times.append(f"fwd {_format_seconds(fwd)}")
    if bwd is not None:
        times.append(f"bwd {_format_seconds(bwd)}")
    if cost.get("time") is not None:
        times.append(f"time {_format_seconds(cost['time'])}")
    if times:
        lines.append("  ".join(times))
    if cost.get("saved"):
        lines.append(f"saved {_format_bytes(cost['saved'])}")
    if cost.get("macs"):
        lines.append(f"{_format_count(cost['macs'])} MACs")
    return lines


def _cost_metric(cost, shade_by):
    if not cost:
        return 0.0
    if shade_by == "time":
        return (cost.get("forward") or 0.0) + (cost.get("backward") or 0.0) + (cost.get("time") or 0.0)
    if shade_by == "memory":
        return float(cost.get("saved") or 0)
    return float(cost.get("macs") or 0)


def _add_costs(total, cost):
    for key, value in cost.items():
        if value is not None:
            total[key] = total.get(key, 0) + value


# ---- DOT ----------------------------------------------------------------------------------

def _label(title, lines):
    text = "\\n".join([title] + list(lines)).replace('"', "'")
    if text.startswith("<") and text.endswith(">"):
        text = " " + text
    return text


def _emit(drawing, depth=None, shade_by=None, name="minigrad", rankdir="TB"):
    """Turn a drawing into a DotGraph; ``depth`` folds module clusters deeper than it."""
    clusters = drawing.clusters
    # A cluster folds into a box when it is the outermost module cluster at depth >= depth.
    folded = {}
    if depth is not None:
        for key, cluster in clusters.items():
            parent = folded.get(cluster.parent) if cluster.parent is not None else None
            if parent is not None:
                folded[key] = parent
            elif cluster.depth is not None and cluster.depth >= depth:
                folded[key] = key
    box_of = [folded.get(v.cluster) if v.cluster is not None else None for v in drawing.vertices]

    # Box vertices, one per folded cluster that holds anything, in graph order.
    box_ids = {}
    box_costs = {}
    for i, box in enumerate(box_of):
        if box is None:
            continue
        if box not in box_ids:
            box_ids[box] = f"m{len(box_ids)}"
        cost = drawing.vertices[i].cost
        if cost:
            _add_costs(box_costs.setdefault(box, {}), cost)

    def vertex_id(i):
        box = box_of[i]
        return box_ids[box] if box is not None else f"n{i}"

    # Shading by cost.
    metrics = {}
    if shade_by is not None:
        for i, v in enumerate(drawing.vertices):
            if box_of[i] is None and v.cost:
                metrics[f"n{i}"] = _cost_metric(v.cost, shade_by)
        for box, cost in box_costs.items():
            metrics[box_ids[box]] = _cost_metric(cost, shade_by)
    top = max(metrics.values(), default=0.0)

    def fill(vid, kind):
        if top > 0 and vid in metrics:
            share = metrics[vid] / top
            return f"0.000 {0.05 + 0.75 * share:.3f} 1.000"
        return _FILL[kind]

    graph = DotGraph(name=name, format="svg")
    graph.attr(rankdir=rankdir, ranksep="0.25", nodesep="0.2", fontname="Helvetica", fontsize="10")
    graph.attr("node", shape="box", style="filled", fontname="Helvetica", fontsize="9",
               height="0.2", margin="0.06,0.03")
    graph.attr("edge", arrowsize="0.6")
    if clusters:
        # One global ranking: without it dot ranks each cluster on its own and a path that
        # leaves a cluster and comes back (a residual gradient) turns into a back edge.
        graph.attr(newrank="true")
    if drawing.caption:
        graph.attr(label=drawing.caption, labelloc="t", labeljust="l")

    # Every visible (unfolded) cluster becomes a subgraph; nodes go into their cluster.
    visible = [key for key in clusters if key not in folded]

    cluster_names = {key: f"cluster_{i}" for i, key in enumerate(visible)}
    bodies = {key: [] for key in visible}
    root_body = []

    def target(cluster_key):
        # The nearest visible cluster at or above this one (folded ones were mapped to boxes).
        while cluster_key is not None and cluster_key not in bodies:
            cluster_key = clusters[cluster_key].parent
        return root_body if cluster_key is None else bodies[cluster_key]

    for i, v in enumerate(drawing.vertices):
        if box_of[i] is not None:
            continue
        lines = list(v.lines)
        if v.cost:
            lines.extend(_cost_lines(v.cost))
        attrs = {"label": _label(v.title, lines), "fillcolor": fill(f"n{i}", v.kind)}
        if v.kind == "saved":
            attrs["style"] = "filled,dashed"
        elif v.kind in ("leaf", "input", "seed", "grad", "value", "const"):
            attrs["style"] = "filled,rounded"
        # Leaves and gradients stay outside the clusters (they still fold into their
        # module's box): inside, they make dot lay the clusters out as a staircase.
        body = root_body if v.kind in ("leaf", "grad", "input") else target(v.cluster)
        body.append((f"n{i}", attrs))
    for box, vid in box_ids.items():
        cluster = clusters[box]
        lines = list(cluster.lines)
        if box in box_costs:
            lines.extend(_cost_lines(box_costs[box]))
        attrs = {"label": _label(cluster.title or cluster.label, lines), "fillcolor": fill(vid, "module"),
                 "style": "filled,rounded", "penwidth": "1.5"}
        target(cluster.parent).append((vid, attrs))

    # Build subgraphs bottom-up (children were created after their parents), no recursion.
    subgraphs = {}
    for key in reversed(visible):
        cluster = clusters[key]
        sub = DotGraph(name=cluster_names[key])
        if cluster.style == "module":
            sub.attr(label=cluster.label, labeljust="l", style="rounded", color="gray50",
                     fontsize="10", fontcolor="gray25")
        else:
            sub.attr(label=cluster.label, labeljust="l", style="dashed", color="gray65",
                     fontsize="9", fontcolor="gray35")
        for vid, attrs in bodies[key]:
            sub.node(vid, **attrs)
        subgraphs[key] = sub
    children = {key: [] for key in visible}
    top_level = []
    for key in visible:
        parent = clusters[key].parent
        while parent is not None and parent not in children:
            parent = clusters[parent].parent
        (top_level if parent is None else children[parent]).append(key)
    for key in reversed(visible):
        for child in children[key]:
            subgraphs[key].subgraph(subgraphs[child])

    for vid, attrs in root_body:
        graph.node(vid, **attrs)
    for key in top_level:
        graph.subgraph(subgraphs[key])

    seen_box_edges = set()
    for tail, head, attrs in drawing.edges:
        t, h = vertex_id(tail), vertex_id(head)
        if box_of[tail] is not None or box_of[head] is not None:
            if t == h or (t, h) in seen_box_edges:
                continue
            seen_box_edges.add((t, h))
            attrs = tuple(kv for kv in attrs if kv[0] in ("style", "arrowhead"))
        graph.edge(t, h, **dict(attrs))
    return graph


# ---- the backward pass, recorded ----------------------------------------------------------

class _TracedOp:
    __slots__ = ("cls", "ctx", "args", "outputs", "owner", "role")

    def __init__(self, cls, ctx, args, outputs, owner, role):
        self.cls = cls
        self.ctx = ctx
        self.args = args
        self.outputs = outputs
        self.owner = owner      # the forward node whose backward ran this op (None otherwise)
        self.role = role        # 'backward', 'accumulate' or 'hook'


class _BackwardTracer:
    """Observer that records every op run during one backward pass and who ran it.

    An op seen between ``on_backward_start(node)`` and ``on_backward(node)`` belongs to
    that node's backward; an addition outside those windows is the engine summing the
    gradients of a tensor used twice; anything else outside them ran in a hook.
    """

    def __init__(self):
        self.ops = []
        self._running = None
        self.backward_seconds = {}
        self.order = []         # forward nodes in the order their backward ran

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
        self.backward_seconds[node] = seconds
        self.order.append(node)


def _trace_backward(outputs, leaves):
    """Run backward once (graph retained, nothing accumulated) under a tracer.

    The incoming gradient requires grad, so with ``create_graph=True`` the ops backward
    runs are recorded too; returns (tracer, seeds, grads).
    """
    from ..autograd.engine import grad as autograd_grad
    seeds = [Tensor(np.ones(t.data.shape, dtype=t.data.dtype), requires_grad=True) for t in outputs]
    tracer = _BackwardTracer()
    with observe(tracer):
        grads = autograd_grad(outputs, leaves, grad_outputs=seeds, retain_graph=True, create_graph=True,
                              allow_unused=True)
    return tracer, seeds, grads


def _leaves(order):
    return [node.variable for node in order if type(node) is AccumulateGrad]


def _backward_drawing(outputs, names, show_attrs, show_shapes, node_cluster=None, profile=False,
                      where="make_dot"):
    """The drawing of what backward executes, ops grouped by the node whose backward ran them.

    ``node_cluster(node)`` gives the module cluster a forward node belongs to (draw_graph).
    """
    roots = _roots(outputs, where)
    order = _walk(roots)
    leaves = _leaves(order)
    if not leaves:
        raise ValueError(f"{where}: the graph reaches no leaf that requires grad; backward computes nothing")
    tracer, seeds, grads = _trace_backward(outputs, leaves)
    drawing = _Drawing()
    produced = {}           # id(tensor) -> vertex index of the op that produced it
    keep = []               # keeps traced tensors alive so their ids stay unique

    def add_seed(i, seed):
        title = "grad_output" if len(seeds) == 1 else f"grad_output {i}"
        lines = [_shape_text(seed.data.shape, seed.data.dtype)] if show_shapes else []
        produced[id(seed)] = drawing.add(_Vertex("seed", title, lines))

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
            drawing.clusters[key] = _Cluster(key, label, parent, None, style="node")
        return key

    externals = {}          # forward value / leaf / constant -> vertex index

    def source_of(arg, consumer_cluster):
        i = produced.get(id(arg))
        if i is not None:
            return i
        if arg.grad_fn is not None:
            key = ("value", node_number.get(arg.grad_fn, -1), arg._output_nr, arg.grad_fn)
            title = f"{arg.grad_fn.name()} out" if getattr(arg.grad_fn, "_num_outputs", 1) == 1 \
                else f"{arg.grad_fn.name()} out{arg._output_nr}"
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
            lines = [_shape_text(arg.data.shape, arg.data.dtype)] if show_shapes else []
            if kind in ("value", "const") and title != "input":
                cluster = consumer_cluster
            elif kind == "leaf" and node_cluster is not None:
                cluster = node_cluster.param_cluster(names.get(id(arg)))
            else:
                cluster = None
            i = externals[key] = drawing.add(_Vertex(kind, title, lines, cluster))
            keep.append(arg)
        return i

    def array_source(arg, consumer_cluster):
        key = ("array", id(arg))
        i = externals.get(key)
        if i is None:
            lines = [_shape_text(arg.shape, arg.dtype)] if show_shapes else []
            i = externals[key] = drawing.add(_Vertex("const", "array", lines, consumer_cluster))
            keep.append(arg)
        return i

    for op in tracer.ops:
        cluster = cluster_for(op)
        lines = _node_attrs(op.ctx) if (show_attrs and op.ctx is not None) else []
        if show_shapes:
            if len(op.outputs) == 1:
                lines.append(_shape_text(op.outputs[0].data.shape, op.outputs[0].data.dtype))
            else:
                lines.extend(f"out{i}: {_shape_text(o.data.shape, o.data.dtype)}" for i, o in enumerate(op.outputs))
        title = _op_title(op.cls)
        note = _BACKWARD_NOTES.get(title)
        if note is not None:
            lines.insert(0, f"({note})")
        if op.role == "accumulate":
            title += " (accumulate)"
        elif op.role == "hook":
            title += " (hook)"
        vertex = _Vertex("op", title, lines, cluster)
        if profile:
            seconds = getattr(op.ctx, "_forward_seconds", None)
            vertex.cost = {"time": seconds, "macs": _mult_adds(op.cls, op.args, op.outputs)}
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
        lines = [_shape_text(leaf.data.shape, leaf.data.dtype)] if show_shapes else []
        cluster = node_cluster.param_cluster(name) if node_cluster is not None else None
        index = drawing.add(_Vertex("grad", title, lines, cluster))
        if g is not None:
            source = produced.get(id(g))
            if source is not None:
                drawing.edge(source, index)
    drawing.keep = keep     # the traced tensors stay alive (and their ids unique) with the drawing
    return drawing


# ---- public API ---------------------------------------------------------------------------

def _check_view(view, where):
    if view not in ("forward", "backward"):
        raise ValueError(f"{where}: view must be 'forward' or 'backward', got {view!r}")


def make_dot(output, params=None, show_attrs=False, show_saved=False, show_shapes=True, view="forward"):
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
    _check_view(view, "make_dot")
    outputs = _as_tensors(output)
    names = _param_names(params)
    if view == "forward":
        drawing = _forward_drawing(outputs, names, show_attrs, show_saved, show_shapes)
    else:
        drawing = _backward_drawing(outputs, names, show_attrs, show_shapes)
    return _emit(drawing)


class _ModuleTracer:
    """Hooks on every module plus an op observer: which module call produced each node."""

    def __init__(self, model):
        self.model = model
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
        self.clusters[key] = _Cluster(key, f"{label}: {type(module).__name__}" if name else label,
                                      parent, depth, title=title, lines=lines)
        self.first_call.setdefault(name, key)
        self.stack.append(key)

    def hook(self, module, args, output):
        if self.stack:
            key = self.stack.pop()
            try:
                tensors = _as_tensors(output)
            except TypeError:
                tensors = []
            cluster = self.clusters[key]
            cluster.lines = list(cluster.lines) + [_shape_text(t.data.shape, t.data.dtype) for t in tensors[:2]]

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
            self.macs[node] = _mult_adds(type(node), args, outputs)

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


class _BackwardTimer:
    def __init__(self):
        self.seconds = {}

    def on_forward(self, ctx, args, outputs, recorded):
        pass

    def on_backward_start(self, node):
        pass

    def on_backward(self, node, seconds):
        self.seconds[node] = self.seconds.get(node, 0.0) + seconds


def _profile_costs(tracer, outputs, order, exclude):
    """Forward time (recorded), backward time (one timed backward), saved bytes, mult-adds."""
    from ..autograd.engine import grad as autograd_grad
    leaves = _leaves(order)
    timer = _BackwardTimer()
    seeds = [Tensor(np.ones(t.data.shape, dtype=t.data.dtype)) for t in outputs]
    started = time.perf_counter()
    with observe(timer):
        autograd_grad(outputs, leaves, grad_outputs=seeds, retain_graph=True, allow_unused=True)
    backward_total = time.perf_counter() - started
    costs = {}
    for node in order:
        if type(node) is AccumulateGrad:
            continue
        costs[node] = {
            "forward": getattr(node, "_forward_seconds", None),
            "backward": timer.seconds.get(node),
            "saved": _node_saved_bytes(node, exclude),
            "macs": tracer.macs.get(node),
        }
    return costs, backward_total


def _warm_up(model, inputs):
    """One forward and backward first, so first-call costs do not colour the picture."""
    from ..autograd.engine import grad as autograd_grad
    outputs = _as_tensors(model(*inputs))
    try:
        order = _walk(_roots(outputs, "draw_graph"))
    except ValueError:
        return
    leaves = _leaves(order)
    if leaves:
        seeds = [Tensor(np.ones(t.data.shape, dtype=t.data.dtype)) for t in outputs]
        autograd_grad(outputs, leaves, grad_outputs=seeds, allow_unused=True)


def draw_graph(model, input, depth=None, view="forward", profile=False, show_attrs=False,  # noqa: A002
               show_saved=False, show_shapes=True, shade_by="time"):
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
    _check_view(view, "draw_graph")
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
    outputs = _as_tensors(output)
    names = _param_names(model)
    tracer.param_names = names
    for t in inputs:
        if hasattr(t, "data"):
            names.setdefault(id(t), "input")

    costs = None
    caption = None
    if profile and view == "forward":
        order = _walk(_roots(outputs, "draw_graph"))
        # Parameters and inputs live anyway: saving them for backward costs no memory.
        exclude = {id(_owner(node.variable.data)) for node in order if type(node) is AccumulateGrad}
        exclude.update(id(_owner(t.data)) for t in inputs if _is_tensor(t))
        costs, backward_total = _profile_costs(tracer, outputs, order, exclude)
        totals = {}
        for cost in costs.values():
            _add_costs(totals, cost)
        caption = "  |  ".join(
            ([f"forward {_format_seconds(totals['forward'])} (sum over ops)"] if totals.get("forward") else [])
            + [f"backward {_format_seconds(backward_total)}",
               f"saved for backward {_format_bytes(_total_saved_bytes(order, exclude))}"]
            + ([f"{_format_count(totals['macs'])} MACs"] if totals.get("macs") else []))

    # The module cluster of a node: its call; clusters are the tracer's, in call order.
    if view == "forward":
        extra = [("input" if len(inputs) == 1 else f"input {i}", inputs[i], tracer.input_consumers.get(i, ()))
                 for i in range(len(inputs)) if hasattr(inputs[i], "data") and not inputs[i].requires_grad]
        drawing = _forward_drawing(outputs, names, show_attrs, show_saved, show_shapes,
                                   cluster_of=tracer, costs=costs, inputs=extra, where="draw_graph")
        drawing.clusters = dict(tracer.clusters)
    else:
        drawing = _backward_drawing(outputs, names, show_attrs, show_shapes, node_cluster=tracer,
                                    profile=profile, where="draw_graph")
        if profile:
            totals = {}
            for v in drawing.vertices:
                if v.cost:
                    _add_costs(totals, v.cost)
            caption = "  |  ".join(
                [f"backward: {sum(1 for v in drawing.vertices if v.kind == 'op')} ops, "
                 f"{_format_seconds(totals.get('time') or 0.0)} (sum over ops)"]
                + ([f"{_format_count(totals['macs'])} MACs"] if totals.get("macs") else []))
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
    return _emit(drawing, depth=depth, shade_by=shade_by if profile else None)


def graph_command(model_name, input_shape, output, backward=False, depth=None):
    """``minigrad graph MODEL --input C,H,W -o FILE [--backward] [--depth N]``.

    Builds ``minigrad.models.<model_name>()`` (seeded, training mode), runs it on one
    random input of shape ``(1, *input_shape)`` and writes its graph (forward, or the
    backward view with ``backward``) to ``output``, whose extension picks the format
    (svg, png, pdf, dot). Without Graphviz's ``dot`` it writes the DOT source next to
    ``output`` instead and says so on stderr. Returns the path written.
    """
    import minigrad
    from minigrad import models
    if isinstance(input_shape, str):
        try:
            input_shape = tuple(int(s) for s in input_shape.split(","))
        except ValueError:
            raise ValueError(f"graph: --input must look like C,H,W (e.g. 3,224,224), got {input_shape!r}") from None
    available = sorted(name for name in getattr(models, "__all__", ()) if name[:1].islower())
    factory = getattr(models, model_name, None) if model_name in available else None
    if factory is None:
        raise ValueError(f"graph: unknown model {model_name!r}; choose one of: {', '.join(available)}")
    minigrad.manual_seed(0)
    model = factory()
    x = minigrad.randn(1, *input_shape)
    view = "backward" if backward else "forward"
    graph = draw_graph(model, x, depth=depth, view=view)
    nodes = graph.source.count(" [label=")
    try:
        written = render(graph, output)
    except GraphvizNotFoundError as error:
        written = render(graph, os.path.splitext(os.fspath(output))[0] + ".dot")
        print(f"minigrad: {error}\nwrote the DOT source to {written} instead", file=sys.stderr)
        return written
    print(f"wrote the {view} graph of {model_name} ({nodes} nodes) to {written}")
    return written
