"""RemovableHandle: what every ``register_*hook`` returns (tensors, graph nodes, modules).

This module imports nothing from minigrad: Tensor, autograd's Function and nn.Module
all use it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RemovableHandle"]


class RemovableHandle:
    """Takes a hook off again: ``handle.remove()``, or leaving ``with handle:``.

    The hooks live in a dict keyed by their handle's ``id``, in the order they were
    registered: ``handle = RemovableHandle(hooks); hooks[handle.id] = hook``.
    """

    _next_id = 0

    def __init__(self, hooks: dict[int, Any]) -> None:
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()
