"""Tensor: a numpy array plus what autograd needs to know about it.

A Tensor holds ``_array`` (its ndarray; ``numpy()`` is the public way to it),
``requires_grad``, ``grad``, and for results of recorded ops ``grad_fn``, the graph node
that made it. ``data`` is PyTorch's: the same memory as a tensor outside autograd. Every method here is a one-line
call into ``minigrad.ops``, where each op's forward and backward live side by side.
"""

from __future__ import annotations

import builtins
import weakref
from collections import namedtuple
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import numpy as np

from . import devices, dtypes, printing
from ._broadcast import check_broadcast
from ._numpy_names import numpy_names
from .autograd import grad_mode
from .autograd._engine import TensorBase, make_tensor, set_tensor_type
from .autograd.engine import backward as autograd_backward
from .autograd.grad_mode import state
from .devices import DeviceLike, check_cpu
from .random import rng_of
from .size import Size, sizes_from_args
from .utils.hooks import RemovableHandle

if TYPE_CHECKING:
    # Tensor has methods named int, float and bool: annotations inside it use these names.
    from builtins import bool as _bool
    from builtins import float as _float
    from builtins import int as _int
    from typing import SupportsIndex

    from numpy.typing import ArrayLike, DTypeLike

    from .autograd.function import Function
    from .ops._args import _dims_t
    from .ops.sort import SortResult, TopkResult
    from .random import Generator

__all__ = [
    "Tensor",
    "tensor",
    "as_tensor",
    "is_tensor",
    "numel",
    "isclose",
    "allclose",
    "as_array",
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "LongTensor",
    "IntTensor",
    "ShortTensor",
    "CharTensor",
    "ByteTensor",
    "BoolTensor",
]

MaxResult = namedtuple("MaxResult", ["values", "indices"])


def as_array(value: Any) -> Any:
    """The ndarray behind a Tensor; anything else is returned as it is."""
    return value._array if isinstance(value, Tensor) else value


def _infer_dtype(data):
    """PyTorch's rule for Python data: floats give the default dtype, ints int64, bools bool."""
    flat = np.asarray(data)
    if flat.dtype == np.bool_:
        return np.bool_
    if flat.dtype.kind in "iu":
        return np.int64
    if flat.dtype.kind == "f":
        return dtypes.get_default_dtype().np_dtype
    raise TypeError(f"tensor(): could not infer a dtype for data of type {type(data).__name__}")


class Tensor(TensorBase):
    """An n-dimensional array that can record the operations applied to it.

    The fields (``_array``, the ndarray; ``requires_grad``, ``grad``, ``grad_fn`` and
    autograd's bookkeeping) live in the compiled base ``TensorBase``, so that ops create
    and read them at C speed; a new tensor sets only ``_array`` and what differs.

    Tensors are made by factories (``minigrad.tensor(data)``, ``zeros``, ``randn``, ...);
    ``Tensor(...)`` itself is PyTorch's legacy constructor.

    Args:
        *args: sizes (``Tensor(2, 3)``, uninitialized), data to copy (``Tensor([1, 2])``),
            a tensor to share memory with, or nothing (an empty tensor); in the default
            floating dtype.
        device (str or device, optional): only the CPU. Default: None.

    Attributes:
        requires_grad (bool): whether autograd records the operations on this tensor.
        grad (Tensor or None): the gradient accumulated by ``backward()`` (leaves only,
            unless ``retain_grad()``).
        grad_fn (Function or None): the graph node that made this tensor; None for leaves.
        is_cpu (bool): always True: minigrad computes on the CPU.
        is_cuda (bool): always False.

    Example:
        >>> x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
        >>> y = (x * x).sum()
        >>> y.grad_fn
        <SumBackward0 object at ...>
        >>> y.backward()
        >>> x.grad, x.is_leaf, y.is_leaf
        (tensor([2., 4., 6.]), True, False)
        >>> minigrad.Tensor(2, 3).shape
        minigrad.Size([2, 3])
    """

    # The fields, for type checkers (they are the compiled base's attributes).
    _array: np.ndarray
    grad: Tensor | None
    grad_fn: Function | None
    requires_grad: _bool

    # Make numpy defer to Tensor's reflected operators (ndarray + Tensor -> Tensor.__radd__).
    __array_priority__ = 1000

    def __init__(self, *args: Any, device: DeviceLike = None) -> None:
        """PyTorch's legacy constructor: ``Tensor(2, 3)`` is an uninitialized tensor of that
        shape, ``Tensor([1, 2])`` copies the data, both in the default floating dtype;
        ``Tensor()`` is empty and ``Tensor(t)`` shares ``t``'s memory. Prefer
        ``minigrad.tensor(data)`` and ``minigrad.empty(size)``."""
        self._array = _legacy_array(None, args, device)

    # Wrap an ndarray without copying or checking (the fast path used by ops):
    # ``Tensor._make(data, requires_grad=False, grad_fn=None, output_nr=0, version=None)``.
    _make = staticmethod(make_tensor)

    @property
    def _version(self):
        """How many times this tensor (or a view of its memory) was changed in place."""
        return 0 if self._vc is None else self._vc.value

    # ---- attributes ----------------------------------------------------------------------
    @property
    def shape(self) -> Size:
        """The size of each dimension, a ``minigrad.Size`` (also ``size()``)."""
        return tuple.__new__(Size, self._array.shape)

    @property
    def ndim(self) -> _int:
        """The number of dimensions (also ``dim()``)."""
        return self._array.ndim

    @property
    def dtype(self) -> dtypes.dtype:
        """The element type, a ``minigrad.dtype``."""
        return dtypes.from_numpy_dtype(self._array.dtype)

    @property
    def is_leaf(self) -> _bool:
        """True for tensors made by the user, or by ops that did not record (no grad_fn)."""
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        """The tensor with its dimensions reversed (the transpose of a matrix)."""
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        """The transpose of the last two dimensions (a batch of matrices transposed)."""
        return self.transpose(-2, -1)

    @property
    def device(self) -> devices.device:
        """Where the tensor lives: always ``device(type='cpu')``."""
        return devices.CPU

    is_cpu = True
    is_cuda = False

    def get_device(self) -> _int:
        """-1, PyTorch's answer for a CPU tensor.

        Example:
            >>> minigrad.zeros(1).get_device()
            -1
        """
        return -1

    def size(self, dim: _int | None = None) -> Size | _int:
        """The shape, or the size of one dimension.

        Args:
            dim (int, optional): a dimension. Default: None (the whole shape).

        Example:
            >>> x = minigrad.zeros(2, 3)
            >>> x.size(), x.size(-1)
            (minigrad.Size([2, 3]), 3)
        """
        shape = self._array.shape
        if dim is None:
            return tuple.__new__(Size, shape)
        if not shape:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        if not -len(shape) <= dim < len(shape):
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-len(shape)}, {len(shape) - 1}], but got {dim})"
            )
        return shape[dim]

    def dim(self) -> _int:
        """The number of dimensions (``ndim``).

        Example:
            >>> minigrad.zeros(2, 3).dim()
            2
        """
        return self._array.ndim

    def numel(self) -> _int:
        """The number of elements.

        Example:
            >>> minigrad.zeros(2, 3).numel()
            6
        """
        return self._array.size

    def element_size(self) -> _int:
        """The size of one element in bytes.

        Example:
            >>> minigrad.zeros(1).element_size(), minigrad.zeros(1, dtype=minigrad.float64).element_size()
            (4, 8)
        """
        return self._array.itemsize

    def nbytes(self) -> _int:
        """The size of the elements in bytes (``numel() * element_size()``).

        Example:
            >>> minigrad.zeros(2, 3).nbytes()
            24
        """
        return self._array.nbytes

    def is_floating_point(self) -> _bool:
        """Whether the dtype is a floating one.

        Example:
            >>> minigrad.zeros(1).is_floating_point(), minigrad.arange(2).is_floating_point()
            (True, False)
        """
        return self._array.dtype.kind == "f"

    def is_contiguous(self) -> _bool:
        """Whether the elements are laid out in row-major order without gaps.

        Example:
            >>> x = minigrad.zeros(2, 3)
            >>> x.is_contiguous(), x.t().is_contiguous()
            (True, False)
        """
        return self._array.flags.c_contiguous

    def __len__(self) -> _int:
        if self._array.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._array.shape[0]

    def __iter__(self) -> Iterator[Tensor]:
        if self._array.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._array.shape[0]))

    def __hash__(self) -> _int:
        return id(self)

    def __bool__(self) -> _bool:
        if self._array.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return builtins.bool(self._array)

    def __float__(self) -> _float:
        return float(self.item())

    def __int__(self) -> _int:
        return int(self.item())

    def __index__(self) -> _int:
        if self._array.dtype.kind not in "iu" or self._array.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._array)

    def __reduce_ex__(self, protocol: SupportsIndex) -> tuple[Any, ...]:
        """Pickle and deepcopy: a leaf's data, requires_grad and grad (the graph is not kept)."""
        if self.grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy "
                "protocol at the moment; call .detach() first"
            )
        return (_rebuild_tensor, (self._array, self.requires_grad, self.grad))

    def __format__(self, format_spec: str) -> str:
        """A 0-d tensor formats as its value (``f"{loss:.3f}"``); others only with an empty spec."""
        if self._array.ndim == 0 and type(self) is Tensor:
            return format(self.item(), format_spec)
        return object.__format__(self, format_spec)

    def __array__(self, dtype: DTypeLike | None = None, copy: _bool | None = None) -> np.ndarray:
        return self._array if dtype is None else self._array.astype(dtype)

    # ---- autograd ------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: _bool = True) -> Tensor:
        """Set ``requires_grad`` on a leaf (floating dtypes only).

        Args:
            requires_grad (bool): whether autograd should record operations on this tensor.
                Default: True.

        Example:
            >>> w = minigrad.zeros(2).requires_grad_()
            >>> w.requires_grad, (w * 2).grad_fn is not None
            (True, True)
        """
        if not self.is_leaf:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a "
                    "computed variable in a subgraph that doesn't require differentiation use "
                    "var_no_grad = var.detach()."
                )
            return self
        if requires_grad and self._array.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self.requires_grad = requires_grad
        return self

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: _bool | None = None,
        create_graph: _bool = False,
        inputs: Sequence[Tensor] | None = None,
    ) -> None:
        """Accumulate the gradient of this tensor into the ``.grad`` of every leaf.

        Args:
            gradient (Tensor, optional): the gradient with respect to this tensor, of its
                shape; may be omitted for a one-element tensor (then 1). Default: None.
            retain_graph (bool, optional): keep the graph so that backward can run through
                it again. Default: the value of ``create_graph``.
            create_graph (bool): record the backward pass, so that the gradients can be
                differentiated again. Default: False.
            inputs (sequence of Tensor, optional): not supported (use ``autograd.grad``);
                must be None. Default: None.

        Example:
            >>> x = minigrad.tensor([1.0, 2.0], requires_grad=True)
            >>> y = (x**2).sum()
            >>> y.backward()
            >>> x.grad
            tensor([2., 4.])
            >>> (x * 3).backward(gradient=minigrad.tensor([1.0, 0.0]))  # gradients accumulate
            >>> x.grad
            tensor([5., 4.])
        """
        if inputs is not None:
            raise NotImplementedError("backward(inputs=...) is not supported; use autograd.grad")
        autograd_backward(self, gradient, retain_graph, create_graph)

    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory and version counter).

        Example:
            >>> x = minigrad.tensor([1.0], requires_grad=True)
            >>> d = (x * 2).detach()
            >>> d.requires_grad, d.grad_fn is None
            (False, True)
        """
        t = Tensor._make(self._array, version=self._version_counter())
        t._base = self._base if self._base is not None else self
        t._base_grad_fn = t._base.grad_fn
        return t

    def detach_(self) -> Tensor:
        """Cut this tensor from the graph, in place: it becomes a leaf that does not require grad.

        Example:
            >>> y = minigrad.tensor([1.0], requires_grad=True) * 2
            >>> y.detach_()
            tensor([2.])
            >>> y.is_leaf
            True
        """
        self.grad_fn = None
        self.requires_grad = False
        return self

    @property
    def data(self) -> Tensor:
        """The same values as a tensor outside autograd: shares the memory, no grad, no history.

        Unlike ``detach()``, it has its own version counter, so in-place changes made through
        it (``p.data.sub_(lr * p.grad)``) are not recorded and do not trip the check of saved
        tensors at backward. Assigning ``p.data = t`` makes ``p`` use ``t``'s memory (any
        shape) and keeps ``p``'s identity, ``requires_grad`` and ``grad``.
        """
        return Tensor._make(self._array)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            name = type(value).__name__
            module = type(value).__module__
            raise TypeError(
                f"Variable data has to be a tensor, but got {name if module == 'builtins' else module + '.' + name}"
            )
        if self.requires_grad and value._array.dtype.kind not in "fc":
            raise RuntimeError("data set to a tensor that requires gradients must be floating point or complex dtype")
        self._array = value._array

    def _owned_copy(self):
        return Tensor._make(self._array.copy())

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward.

        Example:
            >>> x = minigrad.tensor([1.0, 2.0], requires_grad=True)
            >>> h = x * 3
            >>> h.retain_grad()
            >>> h.sum().backward()
            >>> h.grad
            tensor([1., 1.])
        """
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.is_leaf or self._retains_grad:
            return
        self._retains_grad = True
        ref = weakref.ref(self)

        def keep(grad):
            owner = ref()
            if owner is not None:
                g = grad if state.grad_enabled else grad.detach()
                owner.grad = (
                    g._owned_copy()
                    if owner.grad is None and not state.grad_enabled
                    else (g if owner.grad is None else owner.grad + g)
                )

        self.grad_fn.register_hook(self._output_nr, keep)

    def register_hook(self, hook: Callable[[Tensor], Tensor | None]) -> RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it.

        Args:
            hook (callable): ``hook(grad) -> Tensor or None``; a returned tensor replaces
                the gradient.

        Example:
            >>> x = minigrad.tensor([1.0, 2.0], requires_grad=True)
            >>> handle = x.register_hook(lambda grad: grad * 10)
            >>> x.sum().backward()
            >>> x.grad
            tensor([10., 10.])
            >>> handle.remove()
        """
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn.register_hook(self._output_nr, hook)
        if self._backward_hooks is None:
            self._backward_hooks = {}
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        return handle

    # ---- conversion ----------------------------------------------------------------------
    def item(self) -> _float | _int | _bool:
        """The value of a one-element tensor as a Python number.

        Example:
            >>> minigrad.tensor([[2.5]]).item()
            2.5
        """
        if self._array.size != 1:
            raise RuntimeError(f"a Tensor with {self._array.size} elements cannot be converted to Scalar")
        return self._array.reshape(()).item()

    def numpy(self) -> np.ndarray:
        """The ndarray (shared memory); refuses tensors that require grad, as PyTorch does.

        Example:
            >>> x = minigrad.tensor([1.0, 2.0])
            >>> a = x.numpy()
            >>> a[0] = 7.0
            >>> x
            tensor([7., 2.])
        """
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._array

    def tolist(self) -> Any:
        """The elements as (nested) Python lists of numbers.

        Example:
            >>> minigrad.tensor([[1, 2], [3, 4]]).tolist()
            [[1, 2], [3, 4]]
        """
        return self._array.tolist()

    def to(self, *args: Any, **kwargs: Any) -> Tensor:
        """This tensor in another dtype (differentiable), as PyTorch's forms allow:
        ``to(dtype)``, ``to(device, dtype)``, ``to(other)``, ``to(device=..., dtype=...)``,
        with ``non_blocking`` and ``copy``. Itself when nothing changes and ``copy`` is
        False. Devices other than the CPU are refused.

        Args:
            *args: a dtype, a device, a tensor (its dtype), or device then dtype, as PyTorch
                takes them.
            **kwargs: ``dtype=``, ``device=``, ``non_blocking=`` and ``copy=``.

        Example:
            >>> minigrad.tensor([1, 2]).to(minigrad.float32)
            tensor([1., 2.])
            >>> minigrad.tensor([1, 2]).to('cpu', dtype=minigrad.float64).dtype
            minigrad.float64
        """
        dtype, copy = to_arguments(args, kwargs)
        if dtype is None:
            return ops.clone(self) if copy else self
        return ops.to_dtype(self, dtype, copy=copy)

    def type(self, dtype: dtypes.dtype | str | type | None = None, non_blocking: _bool = False) -> str | Tensor:
        """The legacy type name (``'minigrad.FloatTensor'``), or this tensor converted to
        ``dtype`` (a dtype, a legacy type such as ``minigrad.DoubleTensor``, or its name).

        Args:
            dtype (minigrad.dtype, str or legacy type, optional): the type to convert to;
                None returns the type's name. Default: None.
            non_blocking (bool): accepted and unused. Default: False.

        Example:
            >>> x = minigrad.tensor([1.5])
            >>> x.type()
            'minigrad.FloatTensor'
            >>> x.type(minigrad.LongTensor)
            tensor([1])
        """
        if dtype is None:
            return "minigrad." + _LEGACY_NAMES[self.dtype]
        if isinstance(dtype, str):
            module, _, name = dtype.rpartition(".")
            if module in ("torch.cuda", "minigrad.cuda"):
                check_cpu("cuda")
            if module not in ("torch", "minigrad") or name not in _LEGACY_TYPES:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = _LEGACY_TYPES[name]
        if isinstance(dtype, _LegacyTensorType):
            dtype = dtype.dtype
        return self.to(dtype)

    def float(self) -> Tensor:
        """This tensor as ``minigrad.float32`` (itself when it has that dtype already).

        Example:
            >>> minigrad.tensor([0.0, 1.5]).float()
            tensor([0.0000, 1.5000])
        """
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        """This tensor as ``minigrad.float64`` (itself when it has that dtype already).

        Example:
            >>> minigrad.tensor([0.0, 1.5]).double()
            tensor([0.0000, 1.5000], dtype=minigrad.float64)
        """
        return self.to(dtypes.float64)

    def long(self) -> Tensor:
        """This tensor as ``minigrad.int64`` (itself when it has that dtype already).

        Example:
            >>> minigrad.tensor([0.0, 1.5]).long()
            tensor([0, 1])
        """
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        """This tensor as ``minigrad.int32`` (itself when it has that dtype already).

        Example:
            >>> minigrad.tensor([0.0, 1.5]).int()
            tensor([0, 1], dtype=minigrad.int32)
        """
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        """This tensor as ``minigrad.bool`` (itself when it has that dtype already).

        Example:
            >>> minigrad.tensor([0.0, 1.5]).bool()
            tensor([False,  True])
        """
        return self.to(dtypes.bool)

    def half(self) -> Tensor:
        """This tensor as ``minigrad.float16`` (itself when it has that dtype already).

        Example:
            >>> minigrad.tensor([0.0, 1.5]).half()
            tensor([0.0000, 1.5000], dtype=minigrad.float16)
        """
        return self.to(dtypes.float16)

    def cpu(self) -> Tensor:
        """This tensor (it is on the CPU already).

        Example:
            >>> x = minigrad.zeros(1)
            >>> x.cpu() is x
            True
        """
        return self

    def cuda(self, device: DeviceLike = None, non_blocking: _bool = False) -> Tensor:
        """Refused, with PyTorch's AssertionError: minigrad runs on the CPU only.

        Args:
            device (str, int or device, optional): the accelerator. Default: None.
            non_blocking (bool): accepted and unused. Default: False.

        Example:
            >>> minigrad.zeros(1).cuda()
            Traceback (most recent call last):
                ...
            AssertionError: minigrad runs on the CPU only: device 'cuda' is not available ...
        """
        raise devices.unavailable("cuda")

    def clone(self) -> Tensor:
        """A copy with its own memory, recorded (gradient flows back unchanged).

        Example:
            >>> x = minigrad.tensor([1.0])
            >>> y = x.clone()
            >>> y += 1
            >>> x, y
            (tensor([1.]), tensor([2.]))
        """
        return ops.clone(self)

    def contiguous(self) -> Tensor:
        """This tensor if contiguous, else a contiguous copy (recorded).

        Example:
            >>> minigrad.zeros(2, 3).t().contiguous().is_contiguous()
            True
        """
        return self if self._array.flags.c_contiguous else self.clone()

    # ---- new tensors like this one (its dtype unless told) -------------------------------
    def _new(self, size, fill, dtype, device, requires_grad):
        check_cpu(device)
        np_dtype = self._array.dtype if dtype is None else dtypes.to_numpy_dtype(dtype)
        array = np.empty(size, np_dtype) if fill is None else np.full(size, fill, np_dtype)
        t = Tensor._make(array)
        return t.requires_grad_(True) if requires_grad else t

    def new_zeros(
        self,
        *size: _int | Sequence[_int],
        dtype: dtypes.dtype | None = None,
        device: DeviceLike = None,
        requires_grad: _bool = False,
    ) -> Tensor:
        """Zeros of ``size``, with this tensor's dtype unless ``dtype`` is given.

        Args:
            *size (int or sequence of ints): the shape.
            dtype (minigrad.dtype, optional): the dtype; this tensor's when None. Default:
                None.
            device (str or device, optional): only the CPU. Default: None.
            requires_grad (bool): record operations on the result. Default: False.

        Example:
            >>> minigrad.tensor([1], dtype=minigrad.int64).new_zeros(2, 2)
            tensor([[0, 0],
                    [0, 0]])
        """
        return self._new(sizes_from_args(size), 0, dtype, device, requires_grad)

    def new_ones(
        self,
        *size: _int | Sequence[_int],
        dtype: dtypes.dtype | None = None,
        device: DeviceLike = None,
        requires_grad: _bool = False,
    ) -> Tensor:
        """Ones of ``size``, with this tensor's dtype unless ``dtype`` is given.

        Args:
            *size (int or sequence of ints): the shape.
            dtype (minigrad.dtype, optional): the dtype; this tensor's when None. Default:
                None.
            device (str or device, optional): only the CPU. Default: None.
            requires_grad (bool): record operations on the result. Default: False.

        Example:
            >>> minigrad.zeros(1, dtype=minigrad.float64).new_ones(2)
            tensor([1., 1.], dtype=minigrad.float64)
        """
        return self._new(sizes_from_args(size), 1, dtype, device, requires_grad)

    def new_empty(
        self,
        *size: _int | Sequence[_int],
        dtype: dtypes.dtype | None = None,
        device: DeviceLike = None,
        requires_grad: _bool = False,
    ) -> Tensor:
        """An uninitialized tensor of ``size``, with this tensor's dtype unless ``dtype`` is given.

        Args:
            *size (int or sequence of ints): the shape.
            dtype (minigrad.dtype, optional): the dtype; this tensor's when None. Default:
                None.
            device (str or device, optional): only the CPU. Default: None.
            requires_grad (bool): record operations on the result. Default: False.

        Example:
            >>> minigrad.zeros(1).new_empty(2, 3).shape
            minigrad.Size([2, 3])
        """
        return self._new(sizes_from_args(size), None, dtype, device, requires_grad)

    def new_full(
        self,
        size: Sequence[_int],
        fill_value: _float,
        dtype: dtypes.dtype | None = None,
        device: DeviceLike = None,
        requires_grad: _bool = False,
    ) -> Tensor:
        """``fill_value`` in every element of ``size`` (a sequence), with this tensor's dtype unless told.

        Args:
            size (sequence of ints): the shape.
            fill_value (number): the value.
            dtype (minigrad.dtype, optional): the dtype; this tensor's when None. Default:
                None.
            device (str or device, optional): only the CPU. Default: None.
            requires_grad (bool): record operations on the result. Default: False.

        Example:
            >>> minigrad.zeros(1).new_full((2,), 7)
            tensor([7., 7.])
        """
        if not isinstance(size, (tuple, list)):
            raise TypeError(f"new_full(): argument 'size' must be tuple of ints, not {type(size).__name__}")
        return self._new(sizes_from_args((size,)), fill_value, dtype, device, requires_grad)

    def new_tensor(
        self, data: Any, dtype: dtypes.dtype | None = None, device: DeviceLike = None, requires_grad: _bool = False
    ) -> Tensor:
        """A copy of ``data`` (as ``minigrad.tensor``) with this tensor's dtype unless ``dtype`` is given.

        Args:
            data (list, number, ndarray or Tensor): the values.
            dtype (minigrad.dtype, optional): the dtype; this tensor's when None. Default:
                None.
            device (str or device, optional): only the CPU. Default: None.
            requires_grad (bool): record operations on the result. Default: False.

        Example:
            >>> minigrad.zeros(1, dtype=minigrad.float64).new_tensor([1, 2])
            tensor([1., 2.], dtype=minigrad.float64)
        """
        return tensor(data, dtype=self.dtype if dtype is None else dtype, device=device, requires_grad=requires_grad)

    def __repr__(self) -> str:
        """PyTorch's print-out: ``tensor([5.5000, 3.0000], grad_fn=<MulBackward>)`` (see minigrad.printing)."""
        if self.grad_fn is not None:
            autograd_note = [f"grad_fn=<{node_name(self.grad_fn)}>"]
        else:
            autograd_note = ["requires_grad=True"] if self.requires_grad else []
        return printing.format_tensor(self._array, autograd_note)

    # ---- in place ------------------------------------------------------------------------
    def _apply_inplace(self, op_name, result_fn, *args):
        """Run ``result_fn(self, *args)`` and write its result into this tensor.

        Without a graph involved this is a plain numpy write. When gradients are being
        recorded, the op is recorded on a snapshot of the old value and this tensor takes
        over the result's history, so its earlier users still see (and version-check) the
        old value, as PyTorch's version counter does.
        """
        recording = (
            state.grad_enabled
            and not state.inference_enabled
            and (self.requires_grad or builtins.any(isinstance(a, Tensor) and a.requires_grad for a in args))
        )
        if not recording:
            with grad_mode.no_grad():
                result = result_fn(self, *args)
            self._write(op_name, result._array)
            return self
        if self.is_leaf and self.requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        if self._base is not None:
            raise RuntimeError(
                f"{op_name}: in-place operations on a view are not recorded by minigrad's autograd; "
                f"use the out-of-place form (e.g. x = x.{op_name.rstrip('_')}(...)) instead"
            )
        old = Tensor._make(self._array.copy(), self.requires_grad, self.grad_fn, self._output_nr)
        result = result_fn(old, *args)
        self._write(op_name, result._array)
        self.grad_fn, self._output_nr, self.requires_grad = result.grad_fn, result._output_nr, result.requires_grad
        return self

    def _write(self, op_name, values):
        if self._array.dtype != values.dtype and not np.can_cast(values.dtype, self._array.dtype, "same_kind"):
            raise RuntimeError(
                f"{op_name}: result type {dtypes.from_numpy_dtype(values.dtype).name.capitalize()} can't be "
                f"cast to the desired output type {self.dtype.name.capitalize()}"
            )
        try:
            np.copyto(self._array, np.broadcast_to(values, self._array.shape), casting="unsafe")
        except ValueError:
            raise RuntimeError(
                f"{op_name}: output with shape {list(self._array.shape)} doesn't match the broadcast "
                f"shape {list(np.shape(values))}"
            ) from None
        self._bump_version()

    def add_(self, other: Tensor | _float, *, alpha: _float = 1) -> Tensor:
        """``self += alpha * other``, in place; returns this tensor.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.
            alpha (number): the multiplier of ``other``. Default: 1.

        Example:
            >>> x = minigrad.tensor([1.0, 2.0])
            >>> x.add_(3.0)
            tensor([4., 5.])
        """
        return self._apply_inplace("add_", lambda s, o: ops.add(s, o, alpha=alpha), other)

    def sub_(self, other: Tensor | _float, *, alpha: _float = 1) -> Tensor:
        """``self -= alpha * other``, in place; returns this tensor.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.
            alpha (number): the multiplier of ``other``. Default: 1.

        Example:
            >>> x = minigrad.tensor([1.0, 2.0])
            >>> x.sub_(3.0)
            tensor([-2., -1.])
        """
        return self._apply_inplace("sub_", lambda s, o: ops.sub(s, o, alpha=alpha), other)

    def mul_(self, other: Tensor | _float) -> Tensor:
        """``self *= other``, in place; returns this tensor.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.

        Example:
            >>> x = minigrad.tensor([1.0, 2.0])
            >>> x.mul_(2)
            tensor([2., 4.])
        """
        return self._apply_inplace("mul_", ops.mul, other)

    def div_(self, other: Tensor | _float) -> Tensor:
        """``self /= other``, in place; returns this tensor.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.

        Example:
            >>> x = minigrad.tensor([1.0, 2.0])
            >>> x.div_(2)
            tensor([0.5000, 1.0000])
        """
        return self._apply_inplace("div_", ops.div, other)

    def pow_(self, exponent: Tensor | _float) -> Tensor:
        """``self **= exponent``, in place; returns this tensor.

        Args:
            exponent (Tensor or number): the exponent.

        Example:
            >>> x = minigrad.tensor([2.0, 3.0])
            >>> x.pow_(2)
            tensor([4., 9.])
        """
        return self._apply_inplace("pow_", ops.pow, exponent)

    def clamp_(self, min: Tensor | _float | None = None, max: Tensor | _float | None = None) -> Tensor:  # noqa: A002
        """Clamp every element into [min, max], in place.

        Args:
            min (Tensor or number, optional): the lower bound. Default: None.
            max (Tensor or number, optional): the upper bound. Default: None.

        Example:
            >>> x = minigrad.tensor([-2.0, 0.5, 3.0])
            >>> x.clamp_(max=1)
            tensor([-2.0000,  0.5000,  1.0000])
        """
        return self._apply_inplace("clamp_", lambda s: ops.clamp(s, min, max))

    def relu_(self) -> Tensor:
        """Elementwise ``max(x, 0)``, in place.

        Example:
            >>> x = minigrad.tensor([-1.0, 2.0])
            >>> x.relu_()
            tensor([0., 2.])
        """
        return self._apply_inplace("relu_", ops.relu)

    def masked_fill_(self, mask: Tensor, value: Tensor | _float) -> Tensor:
        """Write ``value`` where ``mask`` is True, in place.

        Args:
            mask (Tensor): a bool tensor, broadcast against this tensor.
            value (Tensor or number): the value to write.

        Example:
            >>> x = minigrad.tensor([1.0, 2.0, 3.0])
            >>> x.masked_fill_(x < 2, -1.0)
            tensor([-1.,  2.,  3.])
        """
        return self._apply_inplace("masked_fill_", lambda s, v: ops.masked_fill(s, mask, v), value)

    def zero_(self) -> Tensor:
        """Fill with zeros, in place; returns this tensor.

        Example:
            >>> minigrad.ones(2).zero_()
            tensor([0., 0.])
        """
        return self.fill_(0)

    def fill_(self, value: Tensor | _float) -> Tensor:
        """Fill with ``value``, in place; returns this tensor.

        Args:
            value (Tensor or number): the value (a number or a one-element tensor).

        Example:
            >>> minigrad.zeros(2).fill_(3.0)
            tensor([3., 3.])
        """
        if not isinstance(value, Tensor):
            value = np.asarray(value, dtype=self._array.dtype)
        return self._apply_inplace("fill_", lambda s, v: ops.where(True, v, s), value)

    def normal_(self, mean: _float = 0, std: _float = 1, *, generator: Generator | None = None) -> Tensor:
        """Fill with samples of N(mean, std**2), from ``generator`` or the global one.

        Args:
            mean (float): the mean. Default: 0.
            std (float): the standard deviation. Default: 1.
            generator (Generator, optional): the random source; the global one when None.
                Default: None.

        Example:
            >>> w = minigrad.empty(1000).normal_(mean=2.0, std=0.5)
            >>> round(w.mean().item(), 1), round(w.std().item(), 1)
            (2.0, 0.5)
        """
        self._check_floating_fill("normal_kernel_cpu")
        draws = rng_of(generator).standard_normal(self._array.shape) * std + mean
        return self._apply_inplace("normal_", lambda s, v: ops.where(True, v, s), draws.astype(self._array.dtype))

    def uniform_(self, from_: _float = 0, to: _float = 1, *, generator: Generator | None = None) -> Tensor:
        """Fill with samples of U(from_, to) (PyTorch's ``from``, a keyword in Python).

        Args:
            from_ (float): the lower bound (PyTorch's ``from``, a keyword in Python, given
                by position). Default: 0.
            to (float): the upper bound. Default: 1.
            generator (Generator, optional): the random source; the global one when None.
                Default: None.

        Example:
            >>> w = minigrad.empty(1000).uniform_(-1, 1)
            >>> bool((w >= -1).all() and (w < 1).all())
            True
        """
        self._check_floating_fill("check_uniform_bounds")
        draws = rng_of(generator).random(self._array.shape) * (to - from_) + from_
        return self._apply_inplace("uniform_", lambda s, v: ops.where(True, v, s), draws.astype(self._array.dtype))

    def _check_floating_fill(self, kernel):
        if self._array.dtype.kind != "f":
            name = ops._args.type_name(self._array.dtype).capitalize()
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")

    def copy_(self, src: Tensor) -> Tensor:
        """Copy the elements of ``src`` into this tensor (broadcast, cast to its dtype); returns it.

        Args:
            src (Tensor): the values.

        Example:
            >>> x = minigrad.zeros(2, 2)
            >>> x.copy_(minigrad.tensor([1, 2]))
            tensor([[1., 2.],
                    [1., 2.]])
        """
        return self._apply_inplace("copy_", lambda s, v: ops.where(True, v, s), src)

    def __setitem__(self, index: Any, value: Tensor | _float) -> None:
        self._apply_inplace("__setitem__", lambda s, v: ops.index_put(s, index, v), value)

    def __iadd__(self, other: Tensor | _float) -> Tensor:
        return self.add_(other)

    def __isub__(self, other: Tensor | _float) -> Tensor:
        return self.sub_(other)

    def __imul__(self, other: Tensor | _float) -> Tensor:
        return self.mul_(other)

    def __itruediv__(self, other: Tensor | _float) -> Tensor:
        return self.div_(other)

    # ---- arithmetic operators ----------------------------------------------------------
    def __add__(self, other: Tensor | _float) -> Tensor:
        return _elementwise.AddFunction.apply(self, other, 1)

    def __radd__(self, other: Tensor | _float) -> Tensor:
        return _elementwise.AddFunction.apply(other, self, 1)

    def __sub__(self, other: Tensor | _float) -> Tensor:
        return _elementwise.SubFunction.apply(self, other, 1)

    def __rsub__(self, other: Tensor | _float) -> Tensor:
        return ops.sub(other, self)

    def __mul__(self, other: Tensor | _float) -> Tensor:
        return _elementwise.MulFunction.apply(self, other)

    def __rmul__(self, other: Tensor | _float) -> Tensor:
        return _elementwise.MulFunction.apply(other, self)

    def __truediv__(self, other: Tensor | _float) -> Tensor:
        return _elementwise.DivFunction.apply(self, other)

    def __rtruediv__(self, other: Tensor | _float) -> Tensor:
        return ops.div(other, self)

    def __pow__(self, exponent: Tensor | _float) -> Tensor:
        return ops.pow(self, exponent)

    def __rpow__(self, base: Tensor | _float) -> Tensor:
        return ops.pow(base, self)

    def __neg__(self) -> Tensor:
        return ops.neg(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return ops.abs(self)

    def __matmul__(self, other: Tensor) -> Tensor:
        return ops.matmul(self, other)

    def __rmatmul__(self, other: ArrayLike) -> Tensor:
        return ops.matmul(Tensor._make(np.asarray(other)), self)

    def __getitem__(self, index: Any) -> Tensor:
        return ops.getitem(self, index)

    # ---- comparisons (never differentiable) ---------------------------------------------
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return Tensor._make(np.equal(self._array, as_array(other)))

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return Tensor._make(np.not_equal(self._array, as_array(other)))

    def __lt__(self, other: Tensor | _float) -> Tensor:
        return Tensor._make(np.less(self._array, as_array(other)))

    def __le__(self, other: Tensor | _float) -> Tensor:
        return Tensor._make(np.less_equal(self._array, as_array(other)))

    def __gt__(self, other: Tensor | _float) -> Tensor:
        return Tensor._make(np.greater(self._array, as_array(other)))

    def __ge__(self, other: Tensor | _float) -> Tensor:
        return Tensor._make(np.greater_equal(self._array, as_array(other)))

    def __invert__(self) -> Tensor:
        return Tensor._make(np.invert(self._array))

    def __and__(self, other: Tensor | _int) -> Tensor:
        return Tensor._make(np.bitwise_and(self._array, as_array(other)))

    def __or__(self, other: Tensor | _int) -> Tensor:
        return Tensor._make(np.bitwise_or(self._array, as_array(other)))

    def __xor__(self, other: Tensor | _int) -> Tensor:
        return Tensor._make(np.bitwise_xor(self._array, as_array(other)))

    def eq(self, other: Tensor | _float) -> Tensor:
        """Elementwise ``self == other``, a bool tensor.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.

        Example:
            >>> minigrad.tensor([1, 2, 3]).eq(2)
            tensor([False,  True, False])
        """
        return self == other

    def ne(self, other: Tensor | _float) -> Tensor:
        """Elementwise ``self != other``, a bool tensor.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.

        Example:
            >>> minigrad.tensor([1, 2, 3]).ne(2)
            tensor([ True, False,  True])
        """
        return self != other

    def lt(self, other: Tensor | _float) -> Tensor:
        """Elementwise ``self < other``, a bool tensor.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.

        Example:
            >>> minigrad.tensor([1, 2, 3]).lt(2)
            tensor([ True, False, False])
        """
        return self < other

    def le(self, other: Tensor | _float) -> Tensor:
        """Elementwise ``self <= other``, a bool tensor.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.

        Example:
            >>> minigrad.tensor([1, 2, 3]).le(2)
            tensor([ True,  True, False])
        """
        return self <= other

    def gt(self, other: Tensor | _float) -> Tensor:
        """Elementwise ``self > other``, a bool tensor.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.

        Example:
            >>> minigrad.tensor([1, 2, 3]).gt(2)
            tensor([False, False,  True])
        """
        return self > other

    def ge(self, other: Tensor | _float) -> Tensor:
        """Elementwise ``self >= other``, a bool tensor.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.

        Example:
            >>> minigrad.tensor([1, 2, 3]).ge(2)
            tensor([False,  True,  True])
        """
        return self >= other

    def equal(self, other: Tensor) -> _bool:
        """True when both tensors have the same shape and elements.

        Args:
            other (Tensor): the tensor to compare with.

        Example:
            >>> x = minigrad.tensor([1, 2])
            >>> x.equal(minigrad.tensor([1, 2])), x.equal(minigrad.tensor([1]))
            (True, False)
        """
        return self.shape == other.shape and builtins.bool(np.array_equal(self._array, other._array))

    def isclose(self, other: Tensor, rtol: _float = 1e-05, atol: _float = 1e-08, equal_nan: _bool = False) -> Tensor:
        """Where ``|self - other| <= atol + rtol * |other|``: ``minigrad.isclose(self, other, ...)``.

        Args:
            other (Tensor): the tensor to compare with, broadcast against this tensor.
            rtol (float): the relative tolerance. Default: 1e-05.
            atol (float): the absolute tolerance. Default: 1e-08.
            equal_nan (bool): count two NaNs as equal. Default: False.

        Example:
            >>> minigrad.tensor([1.0, 2.0]).isclose(minigrad.tensor([1.0, 2.1]))
            tensor([ True, False])
        """
        return isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other: Tensor, rtol: _float = 1e-05, atol: _float = 1e-08, equal_nan: _bool = False) -> _bool:
        """True when every element is close to ``other``'s: ``minigrad.allclose(self, other, ...)``.

        Args:
            other (Tensor): the tensor to compare with, broadcast against this tensor.
            rtol (float): the relative tolerance. Default: 1e-05.
            atol (float): the absolute tolerance. Default: 1e-08.
            equal_nan (bool): count two NaNs as equal. Default: False.

        Example:
            >>> minigrad.tensor([1.0, 2.0]).allclose(minigrad.tensor([1.0, 2.0 + 1e-7]))
            True
        """
        return allclose(self, other, rtol, atol, equal_nan)

    @numpy_names
    def all(self, dim: _int | tuple[_int, ...] | None = None, keepdim: _bool = False) -> Tensor:
        """Whether every element is nonzero (along ``dim``), a bool tensor.

        Args:
            dim (int or tuple of ints, optional): the dimension(s) to test along; all when
                None. Default: None.
            keepdim (bool): keep each reduced dimension, with size 1. Default: False.

        Example:
            >>> minigrad.tensor([[True, False], [True, True]]).all(dim=1)
            tensor([False,  True])
        """
        return Tensor._make(np.asarray(np.all(self._array, axis=dim, keepdims=keepdim)))

    @numpy_names
    def any(self, dim: _int | tuple[_int, ...] | None = None, keepdim: _bool = False) -> Tensor:
        """Whether some element is nonzero (along ``dim``), a bool tensor.

        Args:
            dim (int or tuple of ints, optional): the dimension(s) to test along; all when
                None. Default: None.
            keepdim (bool): keep each reduced dimension, with size 1. Default: False.

        Example:
            >>> minigrad.tensor([0, 0, 3]).any()
            tensor(True)
        """
        return Tensor._make(np.asarray(np.any(self._array, axis=dim, keepdims=keepdim)))

    def isnan(self) -> Tensor:
        """Where the elements are NaN, a bool tensor.

        Example:
            >>> minigrad.tensor([1.0, float('nan')]).isnan()
            tensor([False,  True])
        """
        return Tensor._make(np.isnan(self._array))

    def isfinite(self) -> Tensor:
        """Where the elements are neither infinite nor NaN, a bool tensor.

        Example:
            >>> minigrad.tensor([1.0, float('inf'), float('nan')]).isfinite()
            tensor([ True, False, False])
        """
        return Tensor._make(np.isfinite(self._array))

    # ---- methods that call ops -----------------------------------------------------------
    def add(self, other: Tensor | _float, *, alpha: _float = 1) -> Tensor:
        """``self + alpha * other``, broadcast.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.
            alpha (number): the multiplier of ``other``. Default: 1.

        Example:
            >>> minigrad.tensor([1.0, 2.0]).add(minigrad.tensor([1.0, 1.0]), alpha=10)
            tensor([11., 12.])
        """
        return ops.add(self, other, alpha=alpha)

    def sub(self, other: Tensor | _float, *, alpha: _float = 1) -> Tensor:
        """``self - alpha * other``, broadcast.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.
            alpha (number): the multiplier of ``other``. Default: 1.

        Example:
            >>> minigrad.tensor([1.0, 2.0]).sub(minigrad.tensor([1.0, 1.0]), alpha=10)
            tensor([-9., -8.])
        """
        return ops.sub(self, other, alpha=alpha)

    def mul(self, other: Tensor | _float) -> Tensor:
        """``self * other``, broadcast.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.

        Example:
            >>> minigrad.tensor([1.0, 2.0]).mul(2)
            tensor([2., 4.])
        """
        return ops.mul(self, other)

    def div(self, other: Tensor | _float) -> Tensor:
        """``self / other``, broadcast.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.

        Example:
            >>> minigrad.tensor([1.0, 2.0]).div(2)
            tensor([0.5000, 1.0000])
        """
        return ops.div(self, other)

    def pow(self, exponent: Tensor | _float) -> Tensor:
        """``self ** exponent``, broadcast.

        Args:
            exponent (Tensor or number): the exponent.

        Example:
            >>> minigrad.tensor([2.0, 3.0]).pow(2)
            tensor([4., 9.])
        """
        return ops.pow(self, exponent)

    def neg(self) -> Tensor:
        """Elementwise negation: ``minigrad.neg(self)``.

        Example:
            >>> minigrad.tensor([1.0, -2.0]).neg()
            tensor([-1.,  2.])
        """
        return ops.neg(self)

    def matmul(self, other: Tensor) -> Tensor:
        """Matrix product ``self @ other`` (numpy's rules for 1-D and batched operands).

        Args:
            other (Tensor): the right operand.

        Example:
            >>> minigrad.ones(2, 3).matmul(minigrad.ones(3))
            tensor([3., 3.])
        """
        return ops.matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        """Product of two 2-D matrices: (N, M) @ (M, P).

        Args:
            other (Tensor): the (M, P) right operand.

        Example:
            >>> minigrad.ones(2, 3).mm(minigrad.ones(3, 4)).shape
            minigrad.Size([2, 4])
        """
        return ops.mm(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        """Batched matrix product: (B, N, M) @ (B, M, P).

        Args:
            other (Tensor): the (B, M, P) right operand.

        Example:
            >>> minigrad.ones(5, 2, 3).bmm(minigrad.ones(5, 3, 4)).shape
            minigrad.Size([5, 2, 4])
        """
        return ops.bmm(self, other)

    def exp(self) -> Tensor:
        """Elementwise exponential: ``minigrad.exp(self)``.

        Example:
            >>> minigrad.tensor([0.0, 1.0]).exp()
            tensor([1.0000, 2.7183])
        """
        return ops.exp(self)

    def log(self) -> Tensor:
        """Elementwise natural logarithm: ``minigrad.log(self)``.

        Example:
            >>> minigrad.tensor([1.0, 2.7183]).log()
            tensor([0.0000, 1.0000])
        """
        return ops.log(self)

    def sqrt(self) -> Tensor:
        """Elementwise square root: ``minigrad.sqrt(self)``.

        Example:
            >>> minigrad.tensor([4.0, 9.0]).sqrt()
            tensor([2., 3.])
        """
        return ops.sqrt(self)

    def rsqrt(self) -> Tensor:
        """Elementwise ``1 / sqrt(x)``.

        Example:
            >>> minigrad.tensor([4.0, 0.25]).rsqrt()
            tensor([0.5000, 2.0000])
        """
        return 1 / ops.sqrt(self)

    def abs(self) -> Tensor:
        """Elementwise absolute value: ``minigrad.abs(self)``.

        Example:
            >>> minigrad.tensor([-1.5, 2.0]).abs()
            tensor([1.5000, 2.0000])
        """
        return ops.abs(self)

    def sign(self) -> Tensor:
        """Elementwise sign: ``minigrad.sign(self)``.

        Example:
            >>> minigrad.tensor([-2.0, 0.0, 3.0]).sign()
            tensor([-1.,  0.,  1.])
        """
        return ops.sign(self)

    def tanh(self) -> Tensor:
        """Elementwise hyperbolic tangent: ``minigrad.tanh(self)``.

        Example:
            >>> minigrad.tensor([0.0, 1.0]).tanh()
            tensor([0.0000, 0.7616])
        """
        return ops.tanh(self)

    def sigmoid(self) -> Tensor:
        """Elementwise logistic sigmoid: ``minigrad.sigmoid(self)``.

        Example:
            >>> minigrad.tensor([0.0, 2.0]).sigmoid()
            tensor([0.5000, 0.8808])
        """
        return ops.sigmoid(self)

    def relu(self) -> Tensor:
        """Elementwise ``max(x, 0)``.

        Example:
            >>> minigrad.tensor([-1.0, 2.0]).relu()
            tensor([0., 2.])
        """
        return _activation.ReluFunction.apply(self)

    def clamp(self, min: Tensor | _float | None = None, max: Tensor | _float | None = None) -> Tensor:  # noqa: A002
        """Every element clamped into [min, max] (``clip`` is the same method).

        Args:
            min (Tensor or number, optional): the lower bound. Default: None.
            max (Tensor or number, optional): the upper bound. Default: None.

        Example:
            >>> minigrad.tensor([-2.0, 0.5, 3.0]).clamp(0, 1)
            tensor([0.0000, 0.5000, 1.0000])
        """
        return ops.clamp(self, min, max)

    clip = clamp

    def maximum(self, other: Tensor | _float) -> Tensor:
        """Elementwise maximum with ``other``.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.

        Example:
            >>> minigrad.tensor([1.0, 5.0]).maximum(minigrad.tensor([3.0, 2.0]))
            tensor([3., 5.])
        """
        return ops.maximum(self, other)

    def minimum(self, other: Tensor | _float) -> Tensor:
        """Elementwise minimum with ``other``.

        Args:
            other (Tensor or number): the second operand, broadcast against this tensor.

        Example:
            >>> minigrad.tensor([1.0, 5.0]).minimum(minigrad.tensor([3.0, 2.0]))
            tensor([1., 2.])
        """
        return ops.minimum(self, other)

    def masked_fill(self, mask: Tensor, value: Tensor | _float) -> Tensor:
        """A copy with ``value`` where ``mask`` is True.

        Args:
            mask (Tensor): a bool tensor, broadcast against this tensor.
            value (Tensor or number): the value to write.

        Example:
            >>> x = minigrad.tensor([1.0, 2.0, 3.0])
            >>> x.masked_fill(x > 1.5, 0.0)
            tensor([1., 0., 0.])
        """
        return ops.masked_fill(self, mask, value)

    @numpy_names
    def sum(self, dim: _dims_t = None, keepdim: _bool = False, dtype: dtypes.dtype | None = None) -> Tensor:
        """Sum over ``dim`` (all elements when None).

        Args:
            dim (int or tuple of ints, optional): the dimension(s) to reduce; all of them
                when None. Default: None.
            keepdim (bool): keep each reduced dimension, with size 1. Default: False.
            dtype (minigrad.dtype, optional): the dtype to sum in. Default: None.

        Example:
            >>> x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])
            >>> x.sum(), x.sum(dim=0), x.sum(1, keepdim=True).shape
            (tensor(10.), tensor([4., 6.]), minigrad.Size([2, 1]))
        """
        return ops.sum(self, dim, keepdim, dtype=dtype)

    @numpy_names
    def mean(self, dim: _dims_t = None, keepdim: _bool = False) -> Tensor:
        """Mean over ``dim`` (all elements when None).

        Args:
            dim (int or tuple of ints, optional): the dimension(s) to reduce; all of them
                when None. Default: None.
            keepdim (bool): keep each reduced dimension, with size 1. Default: False.

        Example:
            >>> minigrad.tensor([[1.0, 2.0], [3.0, 4.0]]).mean(dim=0)
            tensor([2., 3.])
        """
        return ops.mean(self, dim, keepdim)

    @numpy_names
    def max(self, dim: _int | Tensor | None = None, keepdim: _bool = False) -> Tensor | MaxResult:
        """The largest element, or with ``dim`` the named tuple ``(values, indices)``.

        Args:
            dim (int, optional): the dimension to reduce, giving ``(values, indices)``; the
                whole tensor when None. Default: None.
            keepdim (bool): keep each reduced dimension, with size 1. Default: False.

        Example:
            >>> x = minigrad.tensor([[1.0, 5.0], [3.0, 4.0]])
            >>> x.max()
            tensor(5.)
            >>> x.max(dim=0).indices
            tensor([1, 0])
        """
        return ops.max(self, dim, keepdim)

    @numpy_names
    def min(self, dim: _int | Tensor | None = None, keepdim: _bool = False) -> Tensor | MaxResult:
        """The smallest element, or with ``dim`` the named tuple ``(values, indices)``.

        Args:
            dim (int, optional): the dimension to reduce, giving ``(values, indices)``; the
                whole tensor when None. Default: None.
            keepdim (bool): keep each reduced dimension, with size 1. Default: False.

        Example:
            >>> minigrad.tensor([[1.0, 5.0], [3.0, 4.0]]).min(dim=1)
            MaxResult(values=tensor([1., 3.]), indices=tensor([0, 0]))
        """
        return ops.min(self, dim, keepdim)

    @numpy_names
    def amax(self, dim: _dims_t = None, keepdim: _bool = False) -> Tensor:
        """Maximum over ``dim`` (several dims allowed).

        Args:
            dim (int or tuple of ints, optional): the dimension(s) to reduce; all of them
                when None. Default: None.
            keepdim (bool): keep each reduced dimension, with size 1. Default: False.

        Example:
            >>> minigrad.tensor([[1.0, 5.0], [3.0, 4.0]]).amax(dim=1)
            tensor([5., 4.])
        """
        return ops.amax(self, dim, keepdim)

    @numpy_names
    def amin(self, dim: _dims_t = None, keepdim: _bool = False) -> Tensor:
        """Minimum over ``dim`` (several dims allowed).

        Args:
            dim (int or tuple of ints, optional): the dimension(s) to reduce; all of them
                when None. Default: None.
            keepdim (bool): keep each reduced dimension, with size 1. Default: False.

        Example:
            >>> minigrad.tensor([[1.0, 5.0], [3.0, 4.0]]).amin(dim=1)
            tensor([1., 3.])
        """
        return ops.amin(self, dim, keepdim)

    @numpy_names
    def var(
        self,
        dim: _dims_t = None,
        unbiased: _bool | None = None,
        keepdim: _bool = False,
        *,
        correction: _float | None = None,
    ) -> Tensor:
        """Variance over ``dim``; unbiased unless told otherwise.

        Args:
            dim (int or tuple of ints, optional): the dimension(s) to reduce; all of them
                when None. Default: None.
            unbiased (bool, optional): divide by N - 1 (the default) or N. Default: None.
            keepdim (bool): keep each reduced dimension, with size 1. Default: False.
            correction (number, optional): divide by N - correction. Default: None (1).

        Example:
            >>> minigrad.tensor([1.0, 2.0, 3.0, 4.0]).var(correction=0)
            tensor(1.2500)
        """
        return ops.var(self, dim, unbiased, keepdim, correction=correction)

    @numpy_names
    def std(
        self,
        dim: _dims_t = None,
        unbiased: _bool | None = None,
        keepdim: _bool = False,
        *,
        correction: _float | None = None,
    ) -> Tensor:
        """Standard deviation over ``dim``; unbiased unless told otherwise.

        Args:
            dim (int or tuple of ints, optional): the dimension(s) to reduce; all of them
                when None. Default: None.
            unbiased (bool, optional): divide by N - 1 (the default) or N. Default: None.
            keepdim (bool): keep each reduced dimension, with size 1. Default: False.
            correction (number, optional): divide by N - correction. Default: None (1).

        Example:
            >>> minigrad.tensor([1.0, 2.0, 3.0, 4.0]).std()
            tensor(1.2910)
        """
        return ops.std(self, dim, unbiased, keepdim, correction=correction)

    @numpy_names
    def argmax(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        """The index of the largest element (along ``dim``).

        Args:
            dim (int, optional): the dimension to search; the flattened tensor when None.
                Default: None.
            keepdim (bool): keep each reduced dimension, with size 1. Default: False.

        Example:
            >>> minigrad.tensor([[1.0, 5.0], [3.0, 4.0]]).argmax(dim=1)
            tensor([1, 1])
        """
        return ops.argmax(self, dim, keepdim)

    @numpy_names
    def argmin(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        """The index of the smallest element (along ``dim``).

        Args:
            dim (int, optional): the dimension to search; the flattened tensor when None.
                Default: None.
            keepdim (bool): keep each reduced dimension, with size 1. Default: False.

        Example:
            >>> minigrad.tensor([[1.0, 5.0], [3.0, 4.0]]).argmin()
            tensor(0)
        """
        return ops.argmin(self, dim, keepdim)

    @numpy_names
    def softmax(self, dim: _int) -> Tensor:
        """``exp(x) / sum(exp(x))`` along ``dim``.

        Args:
            dim (int): the dimension along which the result sums to 1.

        Example:
            >>> minigrad.tensor([0.0, 0.0, 0.0, 0.0]).softmax(dim=0)
            tensor([0.2500, 0.2500, 0.2500, 0.2500])
        """
        return ops.softmax(self, dim)

    @numpy_names
    def log_softmax(self, dim: _int) -> Tensor:
        """``log(softmax(x))`` along ``dim``, computed stably.

        Args:
            dim (int): the dimension of the softmax.

        Example:
            >>> minigrad.tensor([0.0, 0.0]).log_softmax(dim=0)
            tensor([-0.6931, -0.6931])
        """
        return ops.log_softmax(self, dim)

    @numpy_names
    def logsumexp(self, dim: _dims_t, keepdim: _bool = False) -> Tensor:
        """``log(sum(exp(x)))`` over ``dim``, computed stably.

        Args:
            dim (int or tuple of ints): the dimension(s) to reduce.
            keepdim (bool): keep each reduced dimension, with size 1. Default: False.

        Example:
            >>> minigrad.tensor([1000.0, 1000.0]).logsumexp(dim=0)
            tensor(1000.6932)
        """
        return ops.logsumexp(self, dim, keepdim)

    def gather(self, dim: _int, index: Tensor) -> Tensor:
        """Values at ``index`` along ``dim``: ``minigrad.gather(self, dim, index)``.

        Args:
            dim (int): the dimension to index along.
            index (Tensor): int64 indices; the output has its shape.

        Example:
            >>> minigrad.tensor([[1, 2], [3, 4]]).gather(1, minigrad.tensor([[0], [1]]))
            tensor([[1],
                    [4]])
        """
        return ops.gather(self, dim, index)

    def scatter(
        self, dim: _int, index: Tensor, src: Tensor | _float | None = None, *, value: _float | None = None
    ) -> Tensor:
        """A copy with ``src`` (or ``value``) written at ``index`` along ``dim``, as ``torch.scatter``.

        Args:
            dim (int): the dimension to index along.
            index (Tensor): int64 indices, where to write.
            src (Tensor or number, optional): the values to write. Default: None.
            value (number, optional): one value to write instead of ``src``. Default: None.

        Example:
            >>> minigrad.zeros(2, 3).scatter(1, minigrad.tensor([[2], [0]]), 1.0)
            tensor([[0., 0., 1.],
                    [1., 0., 0.]])
        """
        return ops.scatter(self, dim, index, src, value=value)

    def scatter_(
        self, dim: _int, index: Tensor, src: Tensor | _float | None = None, *, value: _float | None = None
    ) -> Tensor:
        """Write ``src`` (or ``value``) at ``index`` along ``dim``, in place; returns this tensor.

        Args:
            dim (int): the dimension to index along.
            index (Tensor): int64 indices, where to write.
            src (Tensor or number, optional): the values to write. Default: None.
            value (number, optional): one value to write instead of ``src``. Default: None.

        Example:
            >>> x = minigrad.zeros(3)
            >>> x.scatter_(0, minigrad.tensor([1]), value=5.0)
            tensor([0., 5., 0.])
        """
        return self._apply_inplace(
            "scatter_", lambda s, *v: ops.scatter(s, dim, index, *v, value=value), *([] if src is None else [src])
        )

    def reshape(self, *shape: _int | Sequence[_int]) -> Tensor:
        """The same elements in a new shape (a view when possible).

        Args:
            *shape (int or sequence of ints): the new shape; one size may be -1.

        Example:
            >>> minigrad.arange(6).reshape(2, 3)
            tensor([[0, 1, 2],
                    [3, 4, 5]])
        """
        return ops.reshape(self, *shape)

    def view(self, *shape: _int | Sequence[_int]) -> Tensor:
        """A view with a new shape, sharing memory (the tensor must be laid out for it).

        Args:
            *shape (int or sequence of ints): the new shape; one size may be -1.

        Example:
            >>> minigrad.arange(6).view(3, -1).shape
            minigrad.Size([3, 2])
        """
        return ops.view(self, *shape)

    def view_as(self, other: Tensor) -> Tensor:
        """``self.view(other.shape)``.

        Args:
            other (Tensor): the tensor whose shape to take.

        Example:
            >>> minigrad.arange(4).view_as(minigrad.zeros(2, 2)).shape
            minigrad.Size([2, 2])
        """
        return ops.view(self, other._array.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        """``self.reshape(other.shape)``.

        Args:
            other (Tensor): the tensor whose shape to take.

        Example:
            >>> minigrad.arange(4).reshape_as(minigrad.zeros(4, 1)).shape
            minigrad.Size([4, 1])
        """
        return ops.reshape(self, other._array.shape)

    def flatten(self, start_dim: _int = 0, end_dim: _int = -1) -> Tensor:
        """Merge dimensions ``start_dim`` .. ``end_dim`` into one.

        Args:
            start_dim (int): the first dimension to merge. Default: 0.
            end_dim (int): the last dimension to merge. Default: -1.

        Example:
            >>> minigrad.zeros(2, 3, 4).flatten(1).shape
            minigrad.Size([2, 12])
        """
        return ops.flatten(self, start_dim, end_dim)

    def permute(self, *dims: _int | Sequence[_int]) -> Tensor:
        """Reorder the dimensions: output dim i is input dim ``dims[i]``.

        Args:
            *dims (int or sequence of ints): the new order.

        Example:
            >>> minigrad.zeros(2, 3, 4).permute(2, 0, 1).shape
            minigrad.Size([4, 2, 3])
        """
        return ops.permute(self, *dims)

    def transpose(self, dim0: _int, dim1: _int) -> Tensor:
        """Swap two dimensions (a view).

        Args:
            dim0 (int): the first dimension.
            dim1 (int): the second dimension.

        Example:
            >>> minigrad.zeros(2, 3).transpose(0, 1).shape
            minigrad.Size([3, 2])
        """
        return ops.transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        """The transpose of a matrix (0-D and 1-D tensors are returned as they are).

        Example:
            >>> minigrad.tensor([[1, 2, 3]]).t().shape
            minigrad.Size([3, 1])
        """
        return ops.t(self)

    @numpy_names
    def squeeze(self, dim: _dims_t = None) -> Tensor:
        """Remove dimensions of size 1 (only ``dim`` when given).

        Args:
            dim (int or tuple of ints, optional): the dimension(s) to remove. Default: None
                (all of size 1).

        Example:
            >>> minigrad.zeros(1, 3, 1).squeeze().shape
            minigrad.Size([3])
        """
        return ops.squeeze(self, dim)

    @numpy_names
    def unsqueeze(self, dim: _int) -> Tensor:
        """Insert a dimension of size 1 at ``dim``.

        Args:
            dim (int): where the new dimension goes.

        Example:
            >>> minigrad.zeros(3).unsqueeze(0).shape
            minigrad.Size([1, 3])
        """
        return ops.unsqueeze(self, dim)

    def expand(self, *sizes: _int | Sequence[_int]) -> Tensor:
        """A broadcast view of a larger shape; -1 keeps a dimension.

        Args:
            *sizes (int or sequence of ints): the new shape.

        Example:
            >>> minigrad.tensor([1, 2]).expand(3, -1)
            tensor([[1, 2],
                    [1, 2],
                    [1, 2]])
        """
        return ops.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        """``self.expand(other.shape)``.

        Args:
            other (Tensor): the tensor whose shape to take.

        Example:
            >>> minigrad.tensor([[1], [2]]).expand_as(minigrad.zeros(2, 3))
            tensor([[1, 1, 1],
                    [2, 2, 2]])
        """
        return ops.expand(self, other._array.shape)

    def split(self, split_size: _int | Sequence[_int], dim: _int = 0) -> tuple[Tensor, ...]:
        """Split into pieces of ``split_size`` along ``dim``, or of the given sizes.

        Args:
            split_size (int or sequence of ints): the size of each piece, or their sizes.
            dim (int): the dimension to split. Default: 0.

        Example:
            >>> minigrad.arange(5).split(2)
            (tensor([0, 1]), tensor([2, 3]), tensor([4]))
        """
        return ops.split(self, split_size, dim)

    def chunk(self, chunks: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        """Split into ``chunks`` pieces of (nearly) equal size along ``dim``.

        Args:
            chunks (int): the number of pieces.
            dim (int): the dimension to split. Default: 0.

        Example:
            >>> minigrad.arange(6).chunk(3)
            (tensor([0, 1]), tensor([2, 3]), tensor([4, 5]))
        """
        return ops.chunk(self, chunks, dim)

    def narrow(self, dim: _int, start: _int, length: _int) -> Tensor:
        """The slice ``start:start+length`` of dimension ``dim`` (a view).

        Args:
            dim (int): the dimension to slice.
            start (int): the first index.
            length (int): the number of elements.

        Example:
            >>> minigrad.arange(6).narrow(0, 1, 3)
            tensor([1, 2, 3])
        """
        return ops.narrow(self, dim, start, length)

    def repeat(self, *repeats: _int | Sequence[_int]) -> Tensor:
        """The tensor tiled ``repeats[i]`` times along dimension i.

        Args:
            *repeats (int or sequence of ints): the number of copies per dimension.

        Example:
            >>> minigrad.tensor([1, 2]).repeat(2)
            tensor([1, 2, 1, 2])
        """
        return ops.repeat(self, *repeats)

    def swapaxes(self, axis0: _int, axis1: _int) -> Tensor:
        """numpy's name for ``transpose``.

        Args:
            axis0 (int): the first dimension.
            axis1 (int): the second dimension.

        Example:
            >>> minigrad.zeros(2, 3).swapaxes(0, 1).shape
            minigrad.Size([3, 2])
        """
        return ops.transpose(self, axis0, axis1)

    def swapdims(self, dim0: _int, dim1: _int) -> Tensor:
        """Another name for ``transpose``.

        Args:
            dim0 (int): the first dimension.
            dim1 (int): the second dimension.

        Example:
            >>> minigrad.zeros(2, 3).swapdims(0, 1).shape
            minigrad.Size([3, 2])
        """
        return ops.transpose(self, dim0, dim1)

    # ---- trigonometric, hyperbolic and erf (ops/elementwise.py) -------------------------
    def sin(self) -> Tensor:
        """Elementwise sine: ``minigrad.sin(self)``.

        Example:
            >>> minigrad.tensor([0.0, 1.5708]).sin()
            tensor([0., 1.])
        """
        return ops.sin(self)

    def cos(self) -> Tensor:
        """Elementwise cosine: ``minigrad.cos(self)``.

        Example:
            >>> minigrad.tensor([0.0, 3.1416]).cos()
            tensor([ 1., -1.])
        """
        return ops.cos(self)

    def tan(self) -> Tensor:
        """Elementwise tangent: ``minigrad.tan(self)``.

        Example:
            >>> minigrad.tensor([0.0, 0.7854]).tan()
            tensor([0.0000, 1.0000])
        """
        return ops.tan(self)

    def sinh(self) -> Tensor:
        """Elementwise hyperbolic sine: ``minigrad.sinh(self)``.

        Example:
            >>> minigrad.tensor([0.0, 1.0]).sinh()
            tensor([0.0000, 1.1752])
        """
        return ops.sinh(self)

    def cosh(self) -> Tensor:
        """Elementwise hyperbolic cosine: ``minigrad.cosh(self)``.

        Example:
            >>> minigrad.tensor([0.0, 1.0]).cosh()
            tensor([1.0000, 1.5431])
        """
        return ops.cosh(self)

    def asin(self) -> Tensor:
        """Elementwise arcsine: ``minigrad.asin(self)``.

        Example:
            >>> minigrad.tensor([0.0, 1.0]).asin()
            tensor([0.0000, 1.5708])
        """
        return ops.asin(self)

    def acos(self) -> Tensor:
        """Elementwise arccosine: ``minigrad.acos(self)``.

        Example:
            >>> minigrad.tensor([1.0, 0.0]).acos()
            tensor([0.0000, 1.5708])
        """
        return ops.acos(self)

    def atan(self) -> Tensor:
        """Elementwise arctangent: ``minigrad.atan(self)``.

        Example:
            >>> minigrad.tensor([0.0, 1.0]).atan()
            tensor([0.0000, 0.7854])
        """
        return ops.atan(self)

    def atan2(self, other: Tensor) -> Tensor:
        """Elementwise ``atan2(self, other)``: the angle of the point (other, self).

        Args:
            other (Tensor): the x coordinates, broadcast against this tensor.

        Example:
            >>> minigrad.tensor([1.0]).atan2(minigrad.tensor([-1.0]))
            tensor([2.3562])
        """
        return ops.atan2(self, other)

    def erf(self) -> Tensor:
        """Elementwise error function: ``minigrad.erf(self)``.

        Example:
            >>> minigrad.tensor([0.0, 1.0]).erf()
            tensor([0.0000, 0.8427])
        """
        return ops.erf(self)

    # ---- norms (ops/reduce.py), sorting (ops/sort.py) -----------------------------------
    def norm(
        self,
        p: _float | str | None = "fro",
        dim: _dims_t = None,
        keepdim: _bool = False,
        dtype: dtypes.dtype | None = None,
    ) -> Tensor:
        """The p-norm over ``dim`` (all elements when None): ``minigrad.norm(self, p, dim, ...)``.

        Args:
            p (number or str): the order: a number, ``'fro'`` (2 over all elements) or
                ``inf``. Default: ``'fro'``.
            dim (int or tuple of ints, optional): the dimension(s) to reduce; all of them
                when None. Default: None.
            keepdim (bool): keep each reduced dimension, with size 1. Default: False.
            dtype (minigrad.dtype, optional): the dtype to compute in. Default: None.

        Example:
            >>> minigrad.tensor([3.0, 4.0]).norm()
            tensor(5.)
            >>> minigrad.tensor([3.0, -4.0]).norm(p=1)
            tensor(7.)
        """
        return ops.norm(self, p, dim, keepdim, dtype)

    @numpy_names
    def sort(self, dim: _int = -1, descending: _bool = False, *, stable: _bool = False) -> SortResult:
        """The elements sorted along ``dim``, as the named tuple ``(values, indices)``.

        Args:
            dim (int): the dimension to sort along. Default: -1.
            descending (bool): largest first. Default: False.
            stable (bool): accepted for PyTorch's signature: the sort is always stable. Default: False.

        Example:
            >>> minigrad.tensor([3.0, 1.0, 2.0]).sort(descending=True)
            SortResult(values=tensor([3., 2., 1.]), indices=tensor([0, 2, 1]))
        """
        return ops.sort(self, dim, descending, stable=stable)

    @numpy_names
    def argsort(self, dim: _int = -1, descending: _bool = False, *, stable: _bool = False) -> Tensor:
        """The indices that sort the tensor along ``dim``.

        Args:
            dim (int): the dimension to sort along. Default: -1.
            descending (bool): largest first. Default: False.
            stable (bool): accepted for PyTorch's signature: the sort is always stable. Default: False.

        Example:
            >>> minigrad.tensor([3.0, 1.0, 2.0]).argsort()
            tensor([1, 2, 0])
        """
        return ops.argsort(self, dim, descending, stable=stable)

    @numpy_names
    def topk(self, k: _int, dim: _int = -1, largest: _bool = True, sorted: _bool = True) -> TopkResult:  # noqa: A002
        """The ``k`` largest (or smallest) elements along ``dim``, as ``(values, indices)``.

        Args:
            k (int): how many.
            dim (int): the dimension to search. Default: -1.
            largest (bool): the largest (True) or smallest. Default: True.
            sorted (bool): in order. Default: True.

        Example:
            >>> minigrad.tensor([1.0, 4.0, 2.0, 3.0]).topk(2)
            TopkResult(values=tensor([4., 3.]), indices=tensor([1, 3]))
        """
        return ops.topk(self, k, dim, largest, sorted)

    def unique(
        self,
        sorted: _bool = True,  # noqa: A002  (PyTorch's name)
        return_inverse: _bool = False,
        return_counts: _bool = False,
        dim: _int | None = None,
    ) -> Tensor | tuple[Tensor, ...]:
        """The distinct elements (or slices along ``dim``), optionally with inverse indices and counts.

        Args:
            sorted (bool): return the values in ascending order. Default: True.
            return_inverse (bool): also return, for each element, the index of its value.
                Default: False.
            return_counts (bool): also return how often each value occurs. Default: False.
            dim (int, optional): unique slices along this dimension instead of elements.
                Default: None.

        Example:
            >>> minigrad.tensor([2, 1, 2, 3]).unique(return_counts=True)
            (tensor([1, 2, 3]), tensor([1, 2, 1]))
        """
        return ops.unique(self, sorted, return_inverse, return_counts, dim)


# The engine makes the results of ops: tell it their class (the one place it learns of
# anything above it; see minigrad/autograd/_engine.pyx).
set_tensor_type(Tensor)


def _rebuild_tensor(data, requires_grad, grad):
    t = Tensor._make(data)
    t.grad = grad
    return t.requires_grad_(True) if requires_grad else t


def tensor(
    data: Any, dtype: dtypes.dtype | None = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """A new tensor that copies ``data`` (a list, number, ndarray or Tensor).

    Python floats become the default dtype (float32), ints int64, bools bool; a numpy
    array keeps its dtype, as ``torch.tensor`` does.

    Args:
        data (list, number, numpy.ndarray or Tensor): the values, copied.
        dtype (minigrad.dtype, optional): the dtype; inferred from ``data`` when None
            (int64, bool, or the default float dtype). Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.

    Example:
        >>> minigrad.tensor([[1, 2], [3, 4]])
        tensor([[1, 2],
                [3, 4]])
        >>> minigrad.tensor(2.5, requires_grad=True)
        tensor(2.5000, requires_grad=True)
    """
    check_cpu(device)
    if isinstance(data, Tensor):
        data = data._array
    if dtype is not None:
        array = np.array(data, dtype=dtypes.to_numpy_dtype(dtype))
    elif isinstance(data, np.ndarray):
        array = data.copy()
    elif isinstance(data, np.generic):
        array = np.array(data)
    else:
        array = np.array(data, dtype=_infer_dtype(data))
    dtypes.from_numpy_dtype(array.dtype)
    t = Tensor._make(array)
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data: Any, dtype: dtypes.dtype | None = None, device: DeviceLike = None) -> Tensor:
    """``data`` as a tensor, without a copy when it can be: a Tensor of the asked dtype is
    returned as it is, an ndarray is shared; other data (and other dtypes) are copied or
    converted as ``minigrad.tensor`` and ``Tensor.to`` do.

    Args:
        data (list, number, numpy.ndarray or Tensor): the values.
        dtype (minigrad.dtype, optional): the dtype; ``data``'s when None. Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.

    Example:
        >>> a = np.zeros(3, dtype=np.float32)
        >>> t = minigrad.as_tensor(a)
        >>> t[0] = 1.0
        >>> a
        array([1., 0., 0.], dtype=float32)
    """
    check_cpu(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray):
        dtypes.from_numpy_dtype(data.dtype)
        return Tensor._make(data if dtype is None else data.astype(dtypes.to_numpy_dtype(dtype), copy=False))
    return tensor(data, dtype=dtype)


def is_tensor(obj: Any) -> bool:
    """True for a minigrad Tensor (Parameters included).

    Args:
        obj (object): anything.

    Example:
        >>> minigrad.is_tensor(minigrad.zeros(1)), minigrad.is_tensor([0.0])
        (True, False)
    """
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:
    """The number of elements of ``input``.

    Args:
        input (Tensor): the input tensor.

    Example:
        >>> minigrad.numel(minigrad.zeros(2, 3))
        6
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"numel(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    return input._array.size


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> Tensor:
    """Where ``|input - other| <= atol + rtol * |other|`` (elementwise, broadcast; a bool tensor).

    Infinities are close only to themselves, NaN to nothing unless ``equal_nan``. Both
    tensors must have the same dtype, as in PyTorch.

    Args:
        input (Tensor): the input tensor.
        other (Tensor): the tensor to compare with, broadcast against ``input``.
        rtol (float): the relative tolerance. Default: 1e-05.
        atol (float): the absolute tolerance. Default: 1e-08.
        equal_nan (bool): count two NaNs as equal. Default: False.

    Example:
        >>> minigrad.isclose(minigrad.tensor([1.0, 1.1]), minigrad.tensor([1.0 + 1e-9, 1.0]))
        tensor([ True, False])
    """
    for position, (name, value) in enumerate((("input", input), ("other", other)), 1):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"isclose(): argument '{name}' (position {position}) must be Tensor, not {type(value).__name__}"
            )
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{_LEGACY_NAMES[input.dtype][:-6]} did not match {_LEGACY_NAMES[other.dtype][:-6]}")
    if rtol < 0 or atol < 0:
        which, value = ("rtol", rtol) if rtol < 0 else ("atol", atol)
        raise RuntimeError(f"{which} must be greater than or equal to zero, but got {value}")
    check_broadcast("isclose", input._array, other._array)
    if input._array.dtype == np.bool_:
        return Tensor._make(np.equal(input._array, other._array))
    return Tensor._make(np.isclose(input._array, other._array, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """True when every element of ``input`` is close to ``other``'s (see ``isclose``).

    Args:
        input (Tensor): the input tensor.
        other (Tensor): the tensor to compare with, broadcast against ``input``.
        rtol (float): the relative tolerance. Default: 1e-05.
        atol (float): the absolute tolerance. Default: 1e-08.
        equal_nan (bool): count two NaNs as equal. Default: False.

    Example:
        >>> minigrad.allclose(minigrad.tensor([1.0, 2.0]), minigrad.tensor([1.0, 2.0 + 1e-7]))
        True
    """
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan)._array.all())


# ---- the legacy typed constructors: FloatTensor, LongTensor, ... ------------------------


class _LegacyTensorType(type):
    """The type of ``minigrad.FloatTensor`` and the others: calling one builds a Tensor of its
    dtype with the legacy constructor's rules; ``isinstance(t, FloatTensor)`` tests t's dtype.

    Example:
        >>> type(minigrad.FloatTensor).__name__
        '_LegacyTensorType'
    """

    dtype: dtypes.dtype

    def __call__(cls, *args: Any, device: DeviceLike = None) -> Tensor:
        return Tensor._make(_legacy_array(cls.dtype, args, device))

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, Tensor) and obj._array.dtype == cls.dtype.np_dtype

    def __repr__(cls) -> str:
        return f"<class 'minigrad.{cls.__name__}'>"


_LEGACY_NAMES = {
    dtypes.float32: "FloatTensor",
    dtypes.float64: "DoubleTensor",
    dtypes.float16: "HalfTensor",
    dtypes.int64: "LongTensor",
    dtypes.int32: "IntTensor",
    dtypes.int16: "ShortTensor",
    dtypes.int8: "CharTensor",
    dtypes.uint8: "ByteTensor",
    dtypes.bool: "BoolTensor",
}
_LEGACY_DOC = """PyTorch's legacy tensor type of dtype ``minigrad.{dtype}``.

Calling it builds a tensor with the rules of ``Tensor(*args)``; ``isinstance`` tests a
tensor's dtype.

Args:
    *args: sizes (``{name}(2, 3)``, uninitialized), data to copy (``{name}([1, 0])``),
        or nothing (an empty tensor).
    device (str or device, optional): only the CPU. Default: None.

Example:
    >>> t = minigrad.{name}([1, 0])
    >>> t.dtype, isinstance(t, minigrad.{name}), minigrad.{name}(2, 3).shape
    (minigrad.{dtype}, True, minigrad.Size([2, 3]))
"""
_LEGACY_TYPES = {
    name: _LegacyTensorType(
        name, (), {"dtype": dtype, "__module__": __name__, "__doc__": _LEGACY_DOC.format(name=name, dtype=dtype.name)}
    )
    for dtype, name in _LEGACY_NAMES.items()
}
FloatTensor = _LEGACY_TYPES["FloatTensor"]
DoubleTensor = _LEGACY_TYPES["DoubleTensor"]
HalfTensor = _LEGACY_TYPES["HalfTensor"]
LongTensor = _LEGACY_TYPES["LongTensor"]
IntTensor = _LEGACY_TYPES["IntTensor"]
ShortTensor = _LEGACY_TYPES["ShortTensor"]
CharTensor = _LEGACY_TYPES["CharTensor"]
ByteTensor = _LEGACY_TYPES["ByteTensor"]
BoolTensor = _LEGACY_TYPES["BoolTensor"]


def _legacy_array(dtype, args, device):
    """The array of ``Tensor(*args)`` / ``FloatTensor(*args)`` (``dtype`` None: the default
    floating dtype, and a Tensor argument of any dtype is shared)."""
    if device is not None and devices.device(device).type != "cpu":
        raise devices.unavailable(device)
    np_dtype = (dtype or dtypes.get_default_dtype()).np_dtype
    if not args:
        return np.empty(0, np_dtype)
    if isinstance(args[0], Size) or builtins.all(
        isinstance(a, (int, np.integer)) and not isinstance(a, (builtins.bool, np.bool_)) for a in args
    ):
        return np.empty(sizes_from_args(args), np_dtype)
    if len(args) > 1:
        raise TypeError(f"new() received an invalid combination of arguments: {args!r}")
    data = args[0]
    if isinstance(data, Tensor):
        if dtype is not None and data.dtype is not dtype:
            raise TypeError(f"expected {dtype!r} data, got a tensor of {data.dtype!r}; convert it with .to()")
        return data._array
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if not isinstance(data, (np.ndarray, Sequence)):
        raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
    return np.array(data, dtype=np_dtype)


# ---- helpers shared with nn.Module --------------------------------------------------------


def to_arguments(args: Sequence[Any], kwargs: dict[str, Any]) -> tuple[dtypes.dtype | None, bool]:
    """``(dtype, copy)`` from the arguments of ``Tensor.to`` / ``Module.to`` (PyTorch's forms:
    ``(dtype)``, ``(device, dtype)``, ``(tensor)``, keywords ``device``, ``dtype``,
    ``non_blocking``, ``copy``, ``memory_format``); devices other than the CPU are refused."""
    kwargs = dict(kwargs)
    device, dtype = kwargs.pop("device", None), kwargs.pop("dtype", None)
    flags = [kwargs.pop("non_blocking", False), kwargs.pop("copy", False)]
    kwargs.pop("memory_format", None)
    if kwargs:
        raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
    rest = list(args)
    if rest and isinstance(rest[0], Tensor):
        dtype = rest.pop(0).dtype
    elif rest and isinstance(rest[0], dtypes.dtype):
        dtype = rest.pop(0)
    elif rest and isinstance(rest[0], (str, devices.device, int)) and not isinstance(rest[0], builtins.bool):
        device = rest.pop(0)
        if rest and isinstance(rest[0], dtypes.dtype):
            dtype = rest.pop(0)
    if len(rest) > 2 or not builtins.all(isinstance(f, builtins.bool) for f in rest):
        raise TypeError(f"to() received an invalid combination of arguments: {tuple(args)!r}")
    flags[: len(rest)] = rest
    check_cpu(device)
    if dtype is not None and not isinstance(dtype, dtypes.dtype):
        raise TypeError(f"to(): dtype must be a minigrad dtype, not {type(dtype).__name__}")
    return dtype, builtins.bool(flags[1])


def node_name(node: Function) -> str:
    """The name a graph node prints under (``grad_fn=<...>`` in a tensor's repr): the name
    the node reports."""
    return node.name()


# ---- the one import cycle: Tensor <-> ops -------------------------------------------------
# Every op module imports Tensor from this module, and Tensor's methods call the ops, so
# the ops are imported here, last, once Tensor exists. This is the only import cycle in
# minigrad (tests/test_layering.py; docs/architecture.md, "Imports point down").
from . import ops  # noqa: E402

# The hottest operators call their Function directly.
_elementwise = ops.elementwise
_activation = ops.activation
