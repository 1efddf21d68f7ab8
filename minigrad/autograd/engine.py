"""The backward pass: ``backward`` and ``grad`` check their arguments here, then the
compiled ``run_backward`` (minigrad/autograd/_engine.pyx) walks the recorded graph in
reverse topological order.

The walk is iterative (an explicit stack, never recursion), so a chain of 100,000 ops
backpropagates. Each node runs once, after every node that feeds it a gradient has run;
gradients reaching a node from several uses are summed first (diamond graphs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

import numpy as np

from ._engine import TensorBase, make_tensor, run_backward

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["backward", "grad"]


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
            if out._array.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grads.append(make_tensor(np.ones(out._array.shape, dtype=out._array.dtype)))
            continue
        if not isinstance(g, TensorBase):
            g = make_tensor(np.asarray(g, dtype=out._array.dtype))
        elif g._array.dtype != out._array.dtype:
            g = make_tensor(g._array.astype(out._array.dtype))
        if g._array.shape != out._array.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[0] has a shape of {list(g._array.shape)} and "
                f"output[0] has a shape of {list(out._array.shape)}."
            )
        grads.append(g)
    return grads


def _check_requires_grad(outputs):
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Accumulate d(tensors)/d(leaf) into every leaf's ``.grad``."""
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) or (None,) * len(tensors)
    _check_requires_grad(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    run_backward(tensors, _make_grads(tensors, grad_tensors), retain_graph, create_graph)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Return d(outputs)/d(inputs) as a tuple, without touching ``.grad``.

    With ``create_graph=True`` the returned gradients are recorded, so they can be
    differentiated again.
    """
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(
            f"grad requires one grad_output per output: got {len(grad_outputs)} grad_outputs and {len(outputs)} outputs"
        )
    _check_requires_grad(outputs)
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"element {i} of the inputs does not require grad")
    if retain_graph is None:
        retain_graph = create_graph
    return run_backward(
        outputs,
        _make_grads(outputs, grad_outputs),
        retain_graph,
        create_graph,
        inputs=inputs,
        allow_unused=allow_unused,
    )
