"""The backward pass: walk the recorded graph in reverse topological order.

The walk is iterative (an explicit stack, never recursion), so a chain of 100,000 ops
backpropagates. Each node runs once, after every node that feeds it a gradient has run;
gradients reaching a node from several uses are summed first (diamond graphs).
"""
import time

import numpy as np

from .. import dtypes
from .function import AccumulateGrad
from .grad_mode import state

__all__ = ["backward", "grad"]


def _count_dependencies(roots):
    """For every node reachable from ``roots``, how many edges point at it."""
    dependencies = {}
    seen = set(roots)
    stack = list(roots)
    while stack:
        node = stack.pop()
        for edge in node.next_functions:
            if edge is None:
                continue
            child = edge[0]
            dependencies[child] = dependencies.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return dependencies


def _nodes_leading_to(roots, targets):
    """The nodes from which some node in ``targets`` can be reached (post-order walk)."""
    leads = {}
    stack = [(node, False) for node in roots]
    while stack:
        node, expanded = stack.pop()
        if node in leads and not expanded:
            continue
        if expanded:
            leads[node] = node in targets or any(
                edge is not None and leads.get(edge[0], False) for edge in node.next_functions)
            continue
        leads[node] = False  # placeholder; breaks nothing since graphs are acyclic
        stack.append((node, True))
        for edge in node.next_functions:
            if edge is not None and edge[0] not in leads:
                stack.append((edge[0], False))
    return {node for node, lead in leads.items() if lead}


def _anomaly_check(node, grads):
    for i, g in enumerate(grads):
        if g is None or g.data.dtype.kind not in "fc":
            continue
        if not np.all(np.isfinite(g.data)):
            kind = "nan" if np.isnan(g.data).any() else "inf"
            where = "".join(node._trace[-4:]) if node._trace else "(no trace recorded)\n"
            raise RuntimeError(
                f"Function '{node.name()}' returned {kind} values in its {i}th output.\n"
                f"The op was created in the forward pass at:\n{where}")


def _check_gradients(node, input_grads, edges):
    """Validate what a user-defined Function's backward returned.

    Pads a short tuple with None, refuses extra gradients that are not None, wraps arrays
    into Tensors and refuses gradients whose shape is not the input's.
    """
    if len(input_grads) > len(edges) and any(g is not None for g in input_grads[len(edges):]):
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients "
            f"(expected {len(edges)}, got {len(input_grads)})")
    input_grads = list((input_grads + (None,) * len(edges))[:len(edges)])
    shapes = node._input_shapes or ()
    for i, (g, shape) in enumerate(zip(input_grads, shapes)):
        if g is None or shape is None:
            continue
        if not isinstance(g, Tensor):
            g = input_grads[i] = Tensor._make(np.asarray(g))
        if g.shape != shape:
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {i} - got {list(g.shape)} "
                f"but expected shape compatible with {list(shape)}")
    return tuple(input_grads)


def _zero_grad_for(meta):
    shape, dtype = meta
    return Tensor._make(np.zeros(shape, dtype=dtype))


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None, allow_unused=False):
    """Backpropagate ``grad_tensors`` from ``tensors``.

    With ``inputs`` None the gradients accumulate into the leaves' ``.grad``; otherwise
    they are returned, one per input, and no ``.grad`` is touched.
    """

    buffers = {}
    roots = []
    for t, g in zip(tensors, grad_tensors):
        node, nr = (t.grad_fn, t._output_nr) if t.grad_fn is not None else (t._grad_accumulator(), 0)
        buffer = buffers.get(node)
        if buffer is None:
            buffer = buffers[node] = [None] * node._num_outputs
            roots.append(node)
        buffer[nr] = g if buffer[nr] is None else buffer[nr] + g

    captures = None
    needed = None
    if inputs is not None:
        captures = {}
        for i, t in enumerate(inputs):
            if t.grad_fn is not None:
                key = (t.grad_fn, t._output_nr)
            else:
                accumulator = t._accumulator() if t._accumulator is not None else None
                key = (accumulator, 0)
            captures.setdefault(key[0], []).append((key[1], i))
        captures.pop(None, None)
        needed = _nodes_leading_to(roots, captures)
    results = [None] * (len(inputs) if inputs is not None else 0)

    dependencies = _count_dependencies(roots)
    ready = [node for node in roots if dependencies.get(node, 0) == 0]
    previous_mode = state.grad_enabled
    state.grad_enabled = create_graph
    try:
        while ready:
            node = ready.pop()
            grads = buffers.pop(node)
            if node._pre_hooks:
                for nr, hooks in node._pre_hooks.items():
                    for hook in hooks:
                        if grads[nr] is not None:
                            result = hook(grads[nr])
                            if result is not None:
                                grads[nr] = result
            if captures is not None and node in captures:
                for nr, i in captures[node]:
                    results[i] = grads[nr]
            if type(node) is AccumulateGrad:
                if inputs is None:
                    node.accumulate(grads[0], create_graph)
                continue
            if needed is not None and node not in needed:
                continue
            if node._num_outputs > 1:
                for nr, g in enumerate(grads):
                    if g is None:
                        grads[nr] = _zero_grad_for(node._output_meta[nr])
            if state.observers:
                for observer in state.observers:
                    observer.on_backward_start(node)
                started = time.perf_counter()
                input_grads = node.backward(node, *grads)
                for observer in state.observers:
                    observer.on_backward(node, time.perf_counter() - started)
            else:
                input_grads = node.backward(node, *grads)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            edges = node.next_functions
            if len(input_grads) != len(edges) or node._input_shapes is not None:
                input_grads = _check_gradients(node, input_grads, edges)
            if node._trace is not None:
                _anomaly_check(node, input_grads)
            if not retain_graph and node._saved:
                node._saved = None
            for edge, g in zip(edges, input_grads):
                if edge is None or g is None:
                    continue
                child, nr = edge
                expected_dtype = child._output_meta[nr][1]
                if g.data.dtype is not expected_dtype and g.data.dtype != expected_dtype:
                    g = g.to(dtypes.from_numpy_dtype(expected_dtype))  # as PyTorch: grads take the input's dtype
                buffer = buffers.get(child)
                if buffer is None:
                    buffer = buffers[child] = [None] * child._num_outputs
                if buffer[nr] is None:
                    buffer[nr] = g
                elif create_graph:
                    buffer[nr] = buffer[nr] + g
                else:
                    buffer[nr] = Tensor._make(buffer[nr].data + g.data)
                remaining = dependencies[child] - 1
                dependencies[child] = remaining
                if remaining == 0:
                    ready.append(child)
            # Drop this frame's references to the gradients handed on, so AccumulateGrad
            # can tell a gradient nobody else holds (and take it without a copy).
            input_grads = g = grads = None
    finally:
        state.grad_enabled = previous_mode

    if inputs is not None:
        for i, r in enumerate(results):
            if r is None and not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior.")
        if not create_graph:
            results = [None if r is None else r.detach() for r in results]
        return tuple(results)
    return None


def _as_tuple(x):
    if x is None:
        return None
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,)


def _make_grads(outputs, grad_outputs):
    grads = []
    for out, g in zip(outputs, grad_outputs):
        if g is None:
            if out.data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grads.append(Tensor._make(np.ones(out.data.shape, dtype=out.data.dtype)))
            continue
        if not isinstance(g, Tensor):
            g = Tensor._make(np.asarray(g, dtype=out.data.dtype))
        elif g.data.dtype != out.data.dtype:
            g = Tensor._make(g.data.astype(out.data.dtype))
        if g.data.shape != out.data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[0] has a shape of {list(g.data.shape)} and "
                f"output[0] has a shape of {list(out.data.shape)}.")
        grads.append(g)
    return grads


def _check_requires_grad(outputs):
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False):
    """Accumulate d(tensors)/d(leaf) into every leaf's ``.grad``."""
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) or (None,) * len(tensors)
    _check_requires_grad(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    run_backward(tensors, _make_grads(tensors, grad_tensors), retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Return d(outputs)/d(inputs) as a tuple, without touching ``.grad``.

    With ``create_graph=True`` the returned gradients are recorded, so they can be
    differentiated again.
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad requires one grad_output per output: got {len(grad_outputs)} grad_outputs "
            f"and {len(outputs)} outputs")
    _check_requires_grad(outputs)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of the inputs does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    return run_backward(outputs, _make_grads(outputs, grad_outputs), retain_graph, create_graph,
                        inputs=inputs, allow_unused=allow_unused)


from ..tensor import Tensor  # noqa: E402  (tensor.py imports this package first)
