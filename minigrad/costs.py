"""What recorded ops cost: mult-adds, memory saved for backward, forward and backward time.

One set of rules for ``minigrad.summary`` (per layer) and ``minigrad.viz`` (per node,
``profile=True``):

* Mult-adds: each Function declares its own, ``cls.mult_adds(args, outputs)`` (None for
  ops that are no product); :func:`mult_adds` reads it.
* Saved for backward: a saved array keeps alive the buffer that owns its memory (itself,
  or the array it is a view of), so that buffer's bytes count, each buffer once;
  parameters and inputs live anyway and are left out by the caller (``exclude``: ids of
  owning buffers).
* Time: the engine times every op's forward while an observer runs
  (``node._forward_seconds``); :class:`BackwardTimer` sums the time of each node's
  backward.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Collection, Iterable, Mapping, Sequence

import numpy as np

from .autograd.engine import grad
from .autograd.function import AccumulateGrad, observe
from .tensor import Tensor

if TYPE_CHECKING:
    from .autograd._engine import Node
    from .autograd.function import Function

__all__ = [
    "mult_adds",
    "owner",
    "saved_buffers",
    "saved_bytes",
    "SavedBytes",
    "forward_seconds",
    "BackwardTimer",
    "node_costs",
    "add_costs",
]


def mult_adds(node: Function, args: tuple[Any, ...], outputs: tuple[Tensor, ...]) -> int | None:
    """Multiply-accumulates of one op call, as its Function declares them, or None."""
    return type(node).mult_adds(args, outputs)


def owner(array: np.ndarray) -> np.ndarray:
    """The array that owns ``array``'s memory (itself unless it is a view)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def saved_buffers(node: Function, exclude: Collection[int] = frozenset()) -> list[np.ndarray]:
    """The distinct buffers a node keeps for backward, minus those whose id is in ``exclude``."""
    buffers = {}
    for value in node.saved_values:
        data = value._array if isinstance(value, Tensor) else value
        if not isinstance(data, np.ndarray):
            continue
        buffer = owner(data)
        if id(buffer) not in exclude:
            buffers.setdefault(id(buffer), buffer)
    return list(buffers.values())


def saved_bytes(node: Function, exclude: Collection[int] = frozenset()) -> int:
    """Bytes a node keeps alive for backward (its buffers outside ``exclude``)."""
    return sum(buffer.nbytes for buffer in saved_buffers(node, exclude))


class SavedBytes:
    """Memory saved for backward by many nodes, each buffer counted once, for the first
    node that saves it; the buffers whose ids are in ``exclude`` never count."""

    def __init__(self, exclude: Iterable[int] = ()) -> None:
        self.counted = set(exclude)
        self.total = 0

    def add(self, node: Function) -> int:
        """Count ``node``'s buffers not counted yet; return their bytes."""
        new = saved_buffers(node, self.counted)
        self.counted.update(id(buffer) for buffer in new)
        added = sum(buffer.nbytes for buffer in new)
        self.total += added
        return added


def forward_seconds(node: Node) -> float | None:
    """Wall time of the node's forward, when it ran under an observer (else None)."""
    return getattr(node, "_forward_seconds", None)


class BackwardTimer:
    """Observer (``autograd.function.observe``) summing the seconds of each node's backward."""

    def __init__(self) -> None:
        self.seconds: dict[Node, float] = {}

    def on_forward(self, ctx: Function, args: tuple[Any, ...], outputs: tuple[Tensor, ...], recorded: bool) -> None:
        pass

    def on_backward_start(self, node: Node) -> None:
        pass

    def on_backward(self, node: Node, seconds: float) -> None:
        self.seconds[node] = self.seconds.get(node, 0.0) + seconds


def node_costs(
    outputs: Sequence[Tensor], order: Sequence[Node], exclude: Collection[int], macs: Mapping[Node, int | None]
) -> tuple[dict[Node, dict[str, Any]], float]:
    """The costs of each op node in ``order`` (the graph behind ``outputs``), and the backward's total time.

    Runs one timed backward (graph retained, gradients returned, no ``.grad`` touched).
    ``macs`` maps nodes to the mult-adds recorded when they ran; ``exclude`` as in
    :func:`saved_buffers`. Returns ``({node: {"forward", "backward", "saved", "macs"}}, seconds)``.
    """
    leaves = [node.variable for node in order if type(node) is AccumulateGrad]
    timer = BackwardTimer()
    seeds = [Tensor(np.ones(t._array.shape, dtype=t._array.dtype)) for t in outputs]
    started = time.perf_counter()
    with observe(timer):
        grad(outputs, leaves, grad_outputs=seeds, retain_graph=True, allow_unused=True)
    backward_total = time.perf_counter() - started
    costs = {}
    for node in order:
        if type(node) is AccumulateGrad:
            continue
        costs[node] = {
            "forward": forward_seconds(node),
            "backward": timer.seconds.get(node),
            "saved": saved_bytes(node, exclude),
            "macs": macs.get(node),
        }
    return costs, backward_total


def add_costs(total: dict[str, float], cost: Mapping[str, float | None]) -> None:
    """Add the numbers of one cost dict into ``total`` (None entries are skipped)."""
    for key, value in cost.items():
        if value is not None:
            total[key] = total.get(key, 0) + value
