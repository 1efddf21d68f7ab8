"""Tensor: a numpy array plus what autograd needs to know about it.

A Tensor holds ``data`` (an ndarray), ``requires_grad``, ``grad``, and for results of
recorded ops ``grad_fn``, the graph node that made it. Every method here is a one-line
call into ``minigrad.ops``, where each op's forward and backward live side by side.
"""

from __future__ import annotations

import builtins
import weakref
from collections import namedtuple
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import numpy as np

from . import dtypes
from .autograd import grad_mode
from .autograd._engine import TensorBase, make_tensor, set_tensor_type
from .autograd.engine import backward as autograd_backward
from .autograd.grad_mode import state
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

__all__ = ["Tensor", "tensor", "as_array"]

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

    The fields (``data``, ``requires_grad``, ``grad``, ``grad_fn`` and autograd's
    bookkeeping) live in the compiled base ``TensorBase``, so that ops create and read
    them at C speed; a new tensor sets only ``data`` and what differs.
    """

    # The fields users read, for type checkers (they are the compiled base's attributes).
    _array: np.ndarray
    grad: Tensor | None
    grad_fn: Function | None
    requires_grad: _bool

    # Make numpy defer to Tensor's reflected operators (ndarray + Tensor -> Tensor.__radd__).
    __array_priority__ = 1000

    def __init__(self, data: Any, requires_grad: _bool = False) -> None:
        if isinstance(data, Tensor):
            data = data._array
        array = np.asarray(data) if isinstance(data, np.ndarray) else np.asarray(data, dtype=_infer_dtype(data))
        dtypes.from_numpy_dtype(array.dtype)
        self._array = array
        if requires_grad:
            self.requires_grad_(True)

    # Wrap an ndarray without copying or checking (the fast path used by ops):
    # ``Tensor._make(data, requires_grad=False, grad_fn=None, output_nr=0, version=None)``.
    _make = staticmethod(make_tensor)

    @property
    def _version(self):
        """How many times this tensor (or a view of its memory) was changed in place."""
        return 0 if self._vc is None else self._vc.value

    # ---- attributes ----------------------------------------------------------------------
    @property
    def shape(self) -> tuple[_int, ...]:
        return self._array.shape

    @property
    def ndim(self) -> _int:
        return self._array.ndim

    @property
    def dtype(self) -> dtypes.dtype:
        return dtypes.from_numpy_dtype(self._array.dtype)

    @property
    def is_leaf(self) -> _bool:
        """True for tensors made by the user, or by ops that did not record (no grad_fn)."""
        return self.grad_fn is None

    @property
    def T(self) -> Tensor:
        return self.permute(*reversed(range(self.ndim)))

    @property
    def mT(self) -> Tensor:
        return self.transpose(-2, -1)

    @property
    def device(self) -> str:
        return "cpu"

    def size(self, dim: _int | None = None) -> tuple[_int, ...] | _int:
        """The shape, or the size of one dimension."""
        return self._array.shape if dim is None else self._array.shape[dim]

    def dim(self) -> _int:
        return self._array.ndim

    def numel(self) -> _int:
        return self._array.size

    def element_size(self) -> _int:
        return self._array.itemsize

    def nbytes(self) -> _int:
        return self._array.nbytes

    def is_floating_point(self) -> _bool:
        return self._array.dtype.kind == "f"

    def is_contiguous(self) -> _bool:
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

    def __array__(self, dtype: DTypeLike | None = None, copy: _bool | None = None) -> np.ndarray:
        return self._array if dtype is None else self._array.astype(dtype)

    # ---- autograd ------------------------------------------------------------------------
    def requires_grad_(self, requires_grad: _bool = True) -> Tensor:
        """Set ``requires_grad`` on a leaf (floating dtypes only)."""
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
        """Accumulate the gradient of this tensor into the ``.grad`` of every leaf."""
        if inputs is not None:
            raise NotImplementedError("backward(inputs=...) is not supported; use autograd.grad")
        autograd_backward(self, gradient, retain_graph, create_graph)

    def detach(self) -> Tensor:
        """The same data, cut from the graph (shares memory and version counter)."""
        t = Tensor._make(self._array, version=self._version_counter())
        t._base = self._base if self._base is not None else self
        t._base_grad_fn = t._base.grad_fn
        return t

    def detach_(self) -> Tensor:
        self.grad_fn = None
        self.requires_grad = False
        return self

    def _owned_copy(self):
        return Tensor._make(self._array.copy())

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
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
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
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
        """The value of a one-element tensor as a Python number."""
        if self._array.size != 1:
            raise RuntimeError(f"a Tensor with {self._array.size} elements cannot be converted to Scalar")
        return self._array.reshape(()).item()

    def numpy(self) -> np.ndarray:
        """The ndarray (shared memory); refuses tensors that require grad, as PyTorch does."""
        if self.requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._array

    def tolist(self) -> Any:
        return self._array.tolist()

    def to(self, dtype: dtypes.dtype | str | None = None, *args: Any, copy: _bool = False, **kwargs: Any) -> Tensor:
        """A tensor of another dtype (differentiable); device arguments other than 'cpu' are refused."""
        if isinstance(dtype, str) or dtype is None:
            if dtype not in (None, "cpu"):
                raise RuntimeError(f"minigrad runs on the CPU only; got device {dtype!r}")
            dtype = args[0] if args else kwargs.get("dtype")
            if dtype is None:
                return self
        return ops.to_dtype(self, dtype, copy=copy)

    def type(self, dtype: dtypes.dtype | None = None) -> dtypes.dtype | Tensor:
        return self.dtype if dtype is None else self.to(dtype)

    def float(self) -> Tensor:
        return self.to(dtypes.float32)

    def double(self) -> Tensor:
        return self.to(dtypes.float64)

    def long(self) -> Tensor:
        return self.to(dtypes.int64)

    def int(self) -> Tensor:
        return self.to(dtypes.int32)

    def bool(self) -> Tensor:
        return self.to(dtypes.bool)

    def half(self) -> Tensor:
        return self.to(dtypes.float16)

    def cpu(self) -> Tensor:
        return self

    def clone(self) -> Tensor:
        """A copy with its own memory, recorded (gradient flows back unchanged)."""
        return ops.clone(self)

    def contiguous(self) -> Tensor:
        return self if self._array.flags.c_contiguous else self.clone()

    def __repr__(self) -> str:
        extras = []
        if self._array.dtype not in (np.float32, np.int64, np.bool_) or self._array.size == 0:
            extras.append(f"dtype={self.dtype!r}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self._array.size == 0:
            body = f"tensor([], size={tuple(self.shape)}" if self.ndim > 1 else "tensor(["
            body += "]" if self.ndim <= 1 else ""
            return body + "".join(", " + e for e in extras) + ")"
        text = np.array2string(
            self._array, separator=", ", prefix="tensor(", threshold=1000, precision=4, floatmode="maxprec_equal"
        )
        return "tensor(" + text + "".join(", " + e for e in extras) + ")"

    # ---- in place ------------------------------------------------------------------------
    def _apply_inplace(self, op_name, result_fn, *args):
        """Run ``result_fn(self, *args)`` and write its result into this tensor.

        Without a graph involved this is a plain numpy write. When gradients are being
        recorded, the op is recorded on a snapshot of the old value and this tensor takes
        over the result's history, so its earlier users still see (and version-check) the
        old value, as PyTorch's version counter does.
        """
        recording = state.grad_enabled and (
            self.requires_grad or builtins.any(isinstance(a, Tensor) and a.requires_grad for a in args)
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
        return self._apply_inplace("add_", lambda s, o: ops.add(s, o, alpha=alpha), other)

    def sub_(self, other: Tensor | _float, *, alpha: _float = 1) -> Tensor:
        return self._apply_inplace("sub_", lambda s, o: ops.sub(s, o, alpha=alpha), other)

    def mul_(self, other: Tensor | _float) -> Tensor:
        return self._apply_inplace("mul_", ops.mul, other)

    def div_(self, other: Tensor | _float) -> Tensor:
        return self._apply_inplace("div_", ops.div, other)

    def pow_(self, exponent: Tensor | _float) -> Tensor:
        return self._apply_inplace("pow_", ops.pow, exponent)

    def clamp_(self, min: Tensor | _float | None = None, max: Tensor | _float | None = None) -> Tensor:  # noqa: A002
        return self._apply_inplace("clamp_", lambda s: ops.clamp(s, min, max))

    def relu_(self) -> Tensor:
        return self._apply_inplace("relu_", ops.relu)

    def masked_fill_(self, mask: Tensor, value: Tensor | _float) -> Tensor:
        return self._apply_inplace("masked_fill_", lambda s, v: ops.masked_fill(s, mask, v), value)

    def zero_(self) -> Tensor:
        return self.fill_(0)

    def fill_(self, value: Tensor | _float) -> Tensor:
        if not isinstance(value, Tensor):
            value = np.asarray(value, dtype=self._array.dtype)
        return self._apply_inplace("fill_", lambda s, v: ops.where(True, v, s), value)

    def copy_(self, src: Tensor) -> Tensor:
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
        return self == other

    def ne(self, other: Tensor | _float) -> Tensor:
        return self != other

    def lt(self, other: Tensor | _float) -> Tensor:
        return self < other

    def le(self, other: Tensor | _float) -> Tensor:
        return self <= other

    def gt(self, other: Tensor | _float) -> Tensor:
        return self > other

    def ge(self, other: Tensor | _float) -> Tensor:
        return self >= other

    def equal(self, other: Tensor) -> _bool:
        """True when both tensors have the same shape and elements."""
        return self.shape == other.shape and builtins.bool(np.array_equal(self._array, other._array))

    def allclose(self, other: Tensor | _float, rtol: _float = 1e-05, atol: _float = 1e-08) -> _bool:
        return builtins.bool(np.allclose(self._array, as_array(other), rtol=rtol, atol=atol))

    def all(self, dim: _int | tuple[_int, ...] | None = None, keepdim: _bool = False) -> Tensor:
        return Tensor._make(np.asarray(np.all(self._array, axis=dim, keepdims=keepdim)))

    def any(self, dim: _int | tuple[_int, ...] | None = None, keepdim: _bool = False) -> Tensor:
        return Tensor._make(np.asarray(np.any(self._array, axis=dim, keepdims=keepdim)))

    def isnan(self) -> Tensor:
        return Tensor._make(np.isnan(self._array))

    def isfinite(self) -> Tensor:
        return Tensor._make(np.isfinite(self._array))

    # ---- methods that call ops -----------------------------------------------------------
    def add(self, other: Tensor | _float, *, alpha: _float = 1) -> Tensor:
        return ops.add(self, other, alpha=alpha)

    def sub(self, other: Tensor | _float, *, alpha: _float = 1) -> Tensor:
        return ops.sub(self, other, alpha=alpha)

    def mul(self, other: Tensor | _float) -> Tensor:
        return ops.mul(self, other)

    def div(self, other: Tensor | _float) -> Tensor:
        return ops.div(self, other)

    def pow(self, exponent: Tensor | _float) -> Tensor:
        return ops.pow(self, exponent)

    def neg(self) -> Tensor:
        return ops.neg(self)

    def matmul(self, other: Tensor) -> Tensor:
        return ops.matmul(self, other)

    def mm(self, other: Tensor) -> Tensor:
        return ops.mm(self, other)

    def bmm(self, other: Tensor) -> Tensor:
        return ops.bmm(self, other)

    def exp(self) -> Tensor:
        return ops.exp(self)

    def log(self) -> Tensor:
        return ops.log(self)

    def sqrt(self) -> Tensor:
        return ops.sqrt(self)

    def rsqrt(self) -> Tensor:
        return 1 / ops.sqrt(self)

    def abs(self) -> Tensor:
        return ops.abs(self)

    def sign(self) -> Tensor:
        return ops.sign(self)

    def tanh(self) -> Tensor:
        return ops.tanh(self)

    def sigmoid(self) -> Tensor:
        return ops.sigmoid(self)

    def relu(self) -> Tensor:
        return _activation.ReluFunction.apply(self)

    def clamp(self, min: Tensor | _float | None = None, max: Tensor | _float | None = None) -> Tensor:  # noqa: A002
        return ops.clamp(self, min, max)

    clip = clamp

    def maximum(self, other: Tensor | _float) -> Tensor:
        return ops.maximum(self, other)

    def minimum(self, other: Tensor | _float) -> Tensor:
        return ops.minimum(self, other)

    def masked_fill(self, mask: Tensor, value: Tensor | _float) -> Tensor:
        return ops.masked_fill(self, mask, value)

    def sum(self, dim: _dims_t = None, keepdim: _bool = False, dtype: dtypes.dtype | None = None) -> Tensor:
        return ops.sum(self, dim, keepdim, dtype=dtype)

    def mean(self, dim: _dims_t = None, keepdim: _bool = False) -> Tensor:
        return ops.mean(self, dim, keepdim)

    def max(self, dim: _int | Tensor | None = None, keepdim: _bool = False) -> Tensor | MaxResult:
        return ops.max(self, dim, keepdim)

    def min(self, dim: _int | Tensor | None = None, keepdim: _bool = False) -> Tensor | MaxResult:
        return ops.min(self, dim, keepdim)

    def amax(self, dim: _dims_t = None, keepdim: _bool = False) -> Tensor:
        return ops.amax(self, dim, keepdim)

    def amin(self, dim: _dims_t = None, keepdim: _bool = False) -> Tensor:
        return ops.amin(self, dim, keepdim)

    def var(
        self,
        dim: _dims_t = None,
        unbiased: _bool | None = None,
        keepdim: _bool = False,
        *,
        correction: _float | None = None,
    ) -> Tensor:
        return ops.var(self, dim, unbiased, keepdim, correction=correction)

    def std(
        self,
        dim: _dims_t = None,
        unbiased: _bool | None = None,
        keepdim: _bool = False,
        *,
        correction: _float | None = None,
    ) -> Tensor:
        return ops.std(self, dim, unbiased, keepdim, correction=correction)

    def argmax(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return ops.argmax(self, dim, keepdim)

    def argmin(self, dim: _int | None = None, keepdim: _bool = False) -> Tensor:
        return ops.argmin(self, dim, keepdim)

    def softmax(self, dim: _int) -> Tensor:
        return ops.softmax(self, dim)

    def log_softmax(self, dim: _int) -> Tensor:
        return ops.log_softmax(self, dim)

    def logsumexp(self, dim: _dims_t, keepdim: _bool = False) -> Tensor:
        return ops.logsumexp(self, dim, keepdim)

    def gather(self, dim: _int, index: Tensor) -> Tensor:
        return ops.gather(self, dim, index)

    def reshape(self, *shape: _int | Sequence[_int]) -> Tensor:
        return ops.reshape(self, *shape)

    def view(self, *shape: _int | Sequence[_int]) -> Tensor:
        return ops.view(self, *shape)

    def view_as(self, other: Tensor) -> Tensor:
        return ops.view(self, other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return ops.reshape(self, other.shape)

    def flatten(self, start_dim: _int = 0, end_dim: _int = -1) -> Tensor:
        return ops.flatten(self, start_dim, end_dim)

    def permute(self, *dims: _int | Sequence[_int]) -> Tensor:
        return ops.permute(self, *dims)

    def transpose(self, dim0: _int, dim1: _int) -> Tensor:
        return ops.transpose(self, dim0, dim1)

    def t(self) -> Tensor:
        if self.ndim > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
        return self.T

    def squeeze(self, dim: _dims_t = None) -> Tensor:
        return ops.squeeze(self, dim)

    def unsqueeze(self, dim: _int) -> Tensor:
        return ops.unsqueeze(self, dim)

    def expand(self, *sizes: _int | Sequence[_int]) -> Tensor:
        return ops.expand(self, *sizes)

    def expand_as(self, other: Tensor) -> Tensor:
        return ops.expand(self, other.shape)

    def split(self, split_size: _int | Sequence[_int], dim: _int = 0) -> tuple[Tensor, ...]:
        return ops.split(self, split_size, dim)

    def chunk(self, chunks: _int, dim: _int = 0) -> tuple[Tensor, ...]:
        return ops.chunk(self, chunks, dim)

    def narrow(self, dim: _int, start: _int, length: _int) -> Tensor:
        return ops.narrow(self, dim, start, length)


# The engine makes the results of ops: tell it their class (the one place it learns of
# anything above it; see minigrad/autograd/_engine.pyx).
set_tensor_type(Tensor)


def _rebuild_tensor(data, requires_grad, grad):
    t = Tensor._make(data)
    t.grad = grad
    return t.requires_grad_(True) if requires_grad else t


def tensor(data: Any, dtype: dtypes.dtype | None = None, requires_grad: bool = False) -> Tensor:
    """A new tensor that copies ``data`` (a list, number, ndarray or Tensor).

    Python floats become the default dtype (float32), ints int64, bools bool; a numpy
    array keeps its dtype, as ``torch.tensor`` does.
    """
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


# ---- the one import cycle: Tensor <-> ops -------------------------------------------------
# Every op module imports Tensor from this module, and Tensor's methods call the ops, so
# the ops are imported here, last, once Tensor exists. This is the only import cycle in
# minigrad (tests/test_layering.py; docs/architecture.md, "Imports point down").
from . import ops  # noqa: E402

# The hottest operators call their Function directly.
_elementwise = ops.elementwise
_activation = ops.activation
