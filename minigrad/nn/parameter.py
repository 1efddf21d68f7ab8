"""Parameter: a Tensor that a Module registers as one of its learnable weights."""

import numpy as np

from ..tensor import Tensor

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

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.empty(0, dtype=np.float32)
        super().__init__(data)
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        # Data and requires_grad only (as PyTorch): a parameter used in a graph holds a weak
        # reference to its gradient accumulator, which cannot be pickled or copied.
        return (Parameter, (self.data, self.requires_grad))
