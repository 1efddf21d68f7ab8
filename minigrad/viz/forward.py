"""The recorded graph: walking it from its outputs, and drawing it (``make_dot``'s forward view).

One box per op node (named as the node, ``MulBackward``), the leaves it reaches (named
from ``params``), shapes and dtypes, and on request what each node saved for backward
(dashed, with its role: ``input 0``, ``output``) and its hyper-parameters. Edges point
along the data flow. Every walk uses an explicit stack, so a graph of 100,000 nodes draws
without touching Python's recursion limit.
"""

from ..autograd.function import AccumulateGrad
from ..tensor import Tensor
from .dot import Drawing, Vertex
from .labels import array_of, format_bytes, node_attrs, shape_text, value_meta

__all__ = [
    "walk",
    "as_tensors",
    "param_names",
    "root_of",
    "root_nodes",
    "leaf_tensors",
    "check_view",
    "forward_drawing",
]


def walk(roots):
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


def as_tensors(output):
    """The Tensors in an output: a Tensor, or a tuple, list or dict of them (nested)."""
    if isinstance(output, Tensor):
        return [output]
    if isinstance(output, dict):
        output = list(output.values())
    if isinstance(output, (tuple, list)):
        tensors = []
        for item in output:
            tensors.extend(as_tensors(item))
        return tensors
    raise TypeError(f"make_dot: expected a Tensor or a tuple/list of Tensors, got {type(output).__name__}")


def param_names(params):
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


def root_of(tensor):
    """The node a tensor's gradient enters the graph at (its grad_fn, or its leaf node)."""
    if tensor.grad_fn is not None:
        return tensor.grad_fn
    if tensor.requires_grad:
        return tensor._grad_accumulator()
    return None


def root_nodes(outputs, where):
    """The distinct root nodes of ``outputs``; a ValueError naming ``where`` if there are none."""
    roots = []
    for t in outputs:
        node = root_of(t)
        if node is not None and node not in roots:
            roots.append(node)
    if not roots:
        raise ValueError(
            f"{where}: the output has no grad_fn and does not require grad, so no graph was "
            "recorded (was it computed under no_grad(), or only from tensors that do not "
            "require grad?)"
        )
    return roots


def leaf_tensors(order):
    """The leaf tensors (``AccumulateGrad`` nodes) among ``order``."""
    return [node.variable for node in order if type(node) is AccumulateGrad]


def check_view(view, where):
    """``view`` must be 'forward' or 'backward'."""
    if view not in ("forward", "backward"):
        raise ValueError(f"{where}: view must be 'forward' or 'backward', got {view!r}")


def forward_drawing(
    outputs, names, show_attrs, show_saved, show_shapes, cluster_of=None, costs=None, inputs=(), where="make_dot"
):
    """The drawing of the recorded graph behind ``outputs`` (edges point along the data flow)."""
    drawing = Drawing()
    roots = root_nodes(outputs, where)
    order = walk(roots)
    index = {}
    for node in order:
        if type(node) is AccumulateGrad:
            variable = node.variable
            name = names.get(id(variable))
            lines = [shape_text(variable._array.shape, variable._array.dtype)] if show_shapes else []
            kind = "input" if name == "input" else "leaf"
            vertex = Vertex(kind, name if name is not None else "leaf", lines)
        else:
            lines = node_attrs(node) if show_attrs else []
            if show_shapes:
                meta = node._output_meta
                if len(meta) == 1:
                    lines.append(shape_text(*meta[0]))
                else:
                    lines.extend(f"out{i}: {shape_text(*m)}" for i, m in enumerate(meta))
            vertex = Vertex("op", node.name(), lines)
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
        lines = [shape_text(tensor._array.shape, tensor._array.dtype)] if show_shapes else []
        vertex_index = drawing.add(Vertex("input", title, lines))
        for node in consumers:
            drawing.edge(vertex_index, index[node])

    if show_saved:
        _add_saved(drawing, order, index, show_shapes)

    for i, t in enumerate(outputs):
        node = root_of(t)
        if node is None:
            continue
        title = "output" if len(outputs) == 1 else f"output {i}"
        lines = [shape_text(t._array.shape, t._array.dtype)] if show_shapes else []
        vertex = Vertex("output", title, lines)
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
            meta = value_meta(value)
            if meta is None:
                continue
            data = array_of(value)
            key = id(data)
            vertex_index = saved_index.get(key)
            if vertex_index is None:
                lines = [shape_text(*meta)] if show_shapes else []
                lines.append(format_bytes(data.nbytes))
                vertex = Vertex("saved", "saved", lines, drawing.vertices[index[node]].cluster)
                vertex_index = saved_index[key] = drawing.add(vertex)
            drawing.edge(
                vertex_index,
                index[node],
                style="dashed",
                arrowhead="none",
                label=_saved_role(node, output_nr, value, taken),
                fontsize="8",
            )
