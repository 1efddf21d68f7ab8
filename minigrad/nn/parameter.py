"""Parameter: a Tensor that a Module registers as one of its learnable weights."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..tensor import Tensor

if TYPE_CHECKING:
    from typing import SupportsIndex

    from numpy.typing import ArrayLike

__all__ = ["Parameter"]


class Parameter(Tensor):
    """A leaf Tensor that requires grad and is found by ``Module.parameters()``.

    Assigning a Parameter to a Module attribute registers it under that name. It shares
    memory with ``data`` when ``data`` is a Tensor or an ndarray.

    Example::

        >>> w = Parameter(minigrad.zeros(2))
        >>> w.requires_grad
        True
    """

    def __init__(self, data: Tensor | ArrayLike | None = None, requires_grad: bool = True) -> None:
        if data is None:
            data = np.empty(0, dtype=np.float32)
        super().__init__(data)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        # Data and requires_grad only (as PyTorch): a parameter used in a graph holds a weak
        # reference to its gradient accumulator, which cannot be pickled or copied.
        return (Parameter, (self._array, self.requires_grad))
