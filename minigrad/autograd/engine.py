"""The backward pass: ``backward`` and ``grad`` check their arguments here, then the
compiled ``run_backward`` (minigrad/autograd/_engine.pyx) walks the recorded graph in
reverse topological order.

The walk is iterative (an explicit stack, never recursion), so a chain of 100,000 ops
backpropagates. Each node runs once, after every node that feeds it a gradient has run;
gradients reaching a node from several uses are summed first (diamond graphs).
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from ._engine import TensorBase, make_tensor, run_backward

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["backward", "grad", "queue_callback"]

# One list of final callbacks per backward pass running in this thread (a stack: a hook
# may run a backward pass of its own).
_final_callbacks = threading.local()


def queue_callback(callback: Callable[[], None]) -> None:
    """Run ``callback()`` once the backward pass running now has finished walking the graph.

    Called from a gradient hook, like PyTorch's ``Variable._execution_engine.queue_callback``;
    DistributedDataParallel waits for its gradient allreduces this way.
    """
    stack = getattr(_final_callbacks, "stack", None)
    if not stack:
        raise RuntimeError("Final callbacks can only be installed during backward pass.")
    stack[-1].append(callback)


def _run_backward(*args, **kwargs):
    """``run_backward``, then the callbacks queued during it, in order."""
    stack = _final_callbacks.__dict__.setdefault("stack", [])
    callbacks = []
    stack.append(callbacks)
    try:
        result = run_backward(*args, **kwargs)
    finally:
        stack.pop()
    for callback in callbacks:
        callback()
    return result


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
    """Accumulate d(tensors)/d(leaf) into every leaf's ``.grad``.

    Args:
        tensors (Tensor or sequence of Tensor): the outputs to differentiate.
        grad_tensors (Tensor or sequence, optional): the gradient with respect to each of
            ``tensors``, of its shape; may be omitted (None) for a one-element output,
            which then counts as 1. Default: None.
        retain_graph (bool, optional): keep the graph's saved tensors so that backward can
            run through it again. Default: the value of ``create_graph``.
        create_graph (bool): record the backward pass, so that the gradients can be
            differentiated again. Default: False.

    Example:
        >>> x = minigrad.tensor([1.0, 2.0], requires_grad=True)
        >>> minigrad.autograd.backward((x * x).sum())
        >>> x.grad
        tensor([2., 4.])
    """
    tensors = _as_tuple(tensors)
    grad_tensors = _as_tuple(grad_tensors) or (None,) * len(tensors)
    _check_requires_grad(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    _run_backward(tensors, _make_grads(tensors, grad_tensors), retain_graph, create_graph)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Return d(outputs)/d(inputs) as a tuple, without touching ``.grad``.

    Args:
        outputs (Tensor or sequence of Tensor): the outputs to differentiate.
        inputs (Tensor or sequence of Tensor): the tensors (requiring grad) to
            differentiate with respect to.
        grad_outputs (Tensor or sequence, optional): the gradient with respect to each
            output, of its shape; None for a one-element output means 1. Default: None.
        retain_graph (bool, optional): keep the graph for another backward pass.
            Default: the value of ``create_graph``.
        create_graph (bool): record the gradients' computation, so that they can be
            differentiated again (second derivatives). Default: False.
        allow_unused (bool): return None for an input the outputs do not depend on,
            instead of raising. Default: False.

    Returns:
        tuple of Tensor: one gradient per input, of the input's shape.

    Example:
        >>> x = minigrad.tensor(3.0, requires_grad=True)
        >>> (dy,) = minigrad.autograd.grad(x**3, x, create_graph=True)
        >>> dy
        tensor(27., grad_fn=<MulBackward0>)
        >>> minigrad.autograd.grad(dy, x)
        (tensor(18.),)
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
    return _run_backward(
        outputs,
        _make_grads(outputs, grad_outputs),
        retain_graph,
        create_graph,
        inputs=inputs,
        allow_unused=allow_unused,
    )
