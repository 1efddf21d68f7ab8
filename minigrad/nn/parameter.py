"""Parameter: a Tensor that a Module registers as one of its learnable weights; and the
placeholders of the lazy layers, UninitializedParameter and UninitializedBuffer, which get
their shape on the layer's first forward."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import dtypes
from ..tensor import Tensor, as_tensor

if TYPE_CHECKING:
    from typing import SupportsIndex

    from numpy.typing import ArrayLike

__all__ = ["Parameter", "UninitializedParameter", "UninitializedBuffer"]


class Parameter(Tensor):
    """A leaf Tensor that requires grad and is found by ``Module.parameters()``.

    Assigning a Parameter to a Module attribute registers it under that name; a plain Tensor
    assigned the same way is just an attribute (use ``register_buffer`` for state). It shares
    memory with ``data`` when ``data`` is a Tensor or an ndarray.

    Args:
        data: the values: a Tensor, an ndarray or anything ``minigrad.tensor`` takes; default
            None (an empty float32 tensor).
        requires_grad: whether autograd computes its gradient; default True.

    Example:
        >>> w = nn.Parameter(minigrad.zeros(2))
        >>> w.requires_grad, w.is_leaf
        (True, True)
        >>> m = nn.Module()
        >>> m.scale = w
        >>> [name for name, _ in m.named_parameters()]
        ['scale']
    """

    def __init__(self, data: Tensor | ArrayLike | None = None, requires_grad: bool = True) -> None:
        self._array = np.empty(0, dtype=np.float32) if data is None else as_tensor(data)._array
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        # Data and requires_grad only (as PyTorch): a parameter used in a graph holds a weak
        # reference to its gradient accumulator, which cannot be pickled or copied.
        return (Parameter, (self._array, self.requires_grad))


class UninitializedTensorMixin:
    """A tensor without a shape yet: ``materialize(shape)`` gives it one and turns it into a
    ``cls_to_become`` (a Parameter or a plain Tensor), the same object, so that an optimizer
    or a reference made before still sees it.

    Until then it holds an empty array that keeps its dtype (``Module.to(dtype)`` changes
    it), and asking for its shape, size or values raises, as in PyTorch.
    """

    cls_to_become: type[Tensor]

    def materialize(self, shape: tuple[int, ...], device: str | None = None, dtype: dtypes.dtype | None = None) -> None:
        """Allocate the (uninitialized) values with ``shape`` and become a ``cls_to_become`` (a
        Parameter or a plain Tensor), the same object; the lazy layer then initializes them.

        Args:
            shape: the shape to allocate.
            device: only ``'cpu'`` (or None, the default).
            dtype: the dtype; default None, the placeholder's own.

        Example:
            >>> p = nn.UninitializedParameter()
            >>> p.materialize((2, 3))
            >>> type(p).__name__, p.shape
            ('Parameter', minigrad.Size([2, 3]))
        """
        np_dtype = self._array.dtype if dtype is None else dtypes.to_numpy_dtype(dtype)
        self._array = np.empty(tuple(shape), dtype=np_dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self) -> tuple[int, ...]:
        """Refused with a RuntimeError until ``materialize``: the shape is not known yet."""
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually happens in "
            "`load_state_dict` when trying to load an uninitialized parameter into an initialized one. Call "
            "`forward` to initialize the parameters before accessing their attributes."
        )

    def _refuse(self, method):
        raise ValueError(
            f"Attempted to use an uninitialized parameter in {method}. This error happens when you are using a "
            f"`LazyModule` or explicitly manipulating `{type(self).__name__}` objects. When using LazyModules "
            "Call `forward` with a dummy batch to initialize the parameters before calling minigrad functions"
        )

    def numel(self) -> int:
        """Refused with a ValueError until ``materialize``, as in PyTorch.

        Example:
            >>> nn.UninitializedParameter().numel()
            Traceback (most recent call last):
            ...
            ValueError: Attempted to use an uninitialized parameter in numel. ...
        """
        self._refuse("numel")

    def dim(self) -> int:
        """Refused with a ValueError until ``materialize``, as in PyTorch.

        Example:
            >>> nn.UninitializedBuffer().dim()
            Traceback (most recent call last):
            ...
            ValueError: Attempted to use an uninitialized parameter in dim. ...
        """
        self._refuse("dim")

    def __len__(self) -> int:
        self._refuse("__len__")

    def detach(self) -> Tensor:
        """Refused with a ValueError until ``materialize``, as in PyTorch.

        Example:
            >>> nn.UninitializedParameter().detach()
            Traceback (most recent call last):
            ...
            ValueError: Attempted to use an uninitialized parameter in detach. ...
        """
        self._refuse("detach")

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        return (type(self), (self.requires_grad, None, dtypes.from_numpy_dtype(self._array.dtype)))


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A Parameter whose shape a lazy layer (``nn.LazyLinear``, ...) sets on its first forward.

    Until ``materialize(shape)`` its shape, size and values cannot be read (as in PyTorch);
    it can already be handed to an optimizer, which then updates the materialized object.

    Args:
        requires_grad: whether autograd computes its gradient; default True.
        device: only ``'cpu'`` (or None, the default).
        dtype: the dtype once materialized; default None, the default dtype.

    Example:
        >>> layer = nn.LazyLinear(2)
        >>> layer.weight
        <UninitializedParameter>
        >>> _ = layer(minigrad.ones(1, 3))
        >>> type(layer.weight).__name__, layer.weight.shape
        ('Parameter', minigrad.Size([2, 3]))
    """

    cls_to_become = Parameter

    def __init__(self, requires_grad: bool = True, device: str | None = None, dtype: dtypes.dtype | None = None):
        super().__init__(np.empty(0, _numpy_dtype(dtype)), requires_grad)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape a lazy layer (``nn.LazyBatchNorm2d``, ...) sets on its first forward;
    then a plain Tensor.

    Args:
        requires_grad: whether autograd computes its gradient; default False.
        device: only ``'cpu'`` (or None, the default).
        dtype: the dtype once materialized; default None, the default dtype.

    Example:
        >>> bn = nn.LazyBatchNorm1d()
        >>> bn.running_mean
        <UninitializedBuffer>
        >>> _ = bn(minigrad.ones(4, 3))
        >>> bn.running_mean.shape
        minigrad.Size([3])
    """

    cls_to_become = Tensor

    def __init__(self, requires_grad: bool = False, device: str | None = None, dtype: dtypes.dtype | None = None):
        # not Tensor.__init__, which is PyTorch's legacy constructor
        self._array = np.empty(0, _numpy_dtype(dtype))
        if requires_grad:
            self.requires_grad_(True)


def _numpy_dtype(dtype):
    return dtypes.get_default_dtype().np_dtype if dtype is None else dtypes.to_numpy_dtype(dtype)
