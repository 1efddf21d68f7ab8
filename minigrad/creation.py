"""Tensor factories: zeros, ones, full, empty, *_like, arange, eye, rand, randn, randint,
normal.

The factories PyTorch gives ``out=`` take it too (``_takes_out``): the new values are
written into that tensor, which is returned.
"""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Sequence

import numpy as np

from . import dtypes
from ._broadcast import check_broadcast
from .devices import DeviceLike, check_cpu
from .random import rng_of
from .size import sizes_from_args
from .tensor import Tensor

# isort: split
# After Tensor: tensor.py imports the ops package at its end, so ops must not load first.
from .ops._args import type_name, write_out

__all__ = [
    "zeros",
    "ones",
    "full",
    "empty",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "arange",
    "linspace",
    "eye",
    "rand",
    "randn",
    "randint",
    "randperm",
    "rand_like",
    "randn_like",
    "from_numpy",
    "normal",
]

if TYPE_CHECKING:
    from .random import Generator


def _float_dtype(dtype):
    return dtypes.to_numpy_dtype(dtype) if dtype is not None else dtypes.get_default_dtype().np_dtype


def _finish(array, requires_grad):
    t = Tensor._make(array)
    return t.requires_grad_(True) if requires_grad else t


def _takes_out(factory):
    """``factory`` also taking PyTorch's ``out=``: the values are made in ``out``'s dtype
    (a different ``dtype=`` is refused) and written into ``out``, resized as needed."""

    @functools.wraps(factory)
    def call(*args, out=None, **kwargs):
        if out is None:
            return factory(*args, **kwargs)
        dtype = kwargs.get("dtype")
        if dtype is not None and dtypes.to_numpy_dtype(dtype) != out._array.dtype:
            raise RuntimeError(
                f"dtype {type_name(dtypes.to_numpy_dtype(dtype)).capitalize()} does not match dtype of out "
                f"parameter ({type_name(out._array.dtype).capitalize()})"
            )
        kwargs["dtype"] = out.dtype
        requires_grad = kwargs.pop("requires_grad", False)
        write_out(f"aten::{factory.__name__}", factory(*args, **kwargs), out, warn_resize=False)
        return out.requires_grad_(True) if requires_grad else out

    signature = inspect.signature(factory)
    out_parameter = inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="Tensor | None")
    call.__signature__ = signature.replace(parameters=[*signature.parameters.values(), out_parameter])
    return call


def _size_keyword(factory):
    """``factory(*size)`` also taking the size as a keyword, as PyTorch's ``rand(size=(2, 3))``."""

    @functools.wraps(factory)
    def call(*args, **kwargs):
        if "size" in kwargs:
            if args:
                raise TypeError(f"{factory.__name__}() got multiple values for argument 'size'")
            args = (kwargs.pop("size"),)
        return factory(*args, **kwargs)

    return call


@_size_keyword
@_takes_out
def zeros(
    *size: int | Sequence[int],
    dtype: dtypes.dtype | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of zeros of the given size (default dtype float32).

    Args:
        *size (int or sequence of ints): the shape, as several ints or one sequence (also
            ``size=``).
        dtype (minigrad.dtype, optional): the dtype of the result; ``get_default_dtype()``
            when None. Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.zeros(2, 3)
        tensor([[0., 0., 0.],
                [0., 0., 0.]])
        >>> minigrad.zeros((2,), dtype=minigrad.int64)
        tensor([0, 0])
    """
    check_cpu(device)
    return _finish(np.zeros(sizes_from_args(size), dtype=_float_dtype(dtype)), requires_grad)


@_size_keyword
@_takes_out
def ones(
    *size: int | Sequence[int],
    dtype: dtypes.dtype | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of ones of the given size.

    Args:
        *size (int or sequence of ints): the shape, as several ints or one sequence (also
            ``size=``).
        dtype (minigrad.dtype, optional): the dtype of the result; ``get_default_dtype()``
            when None. Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.ones(2, requires_grad=True)
        tensor([1., 1.], requires_grad=True)
    """
    check_cpu(device)
    return _finish(np.ones(sizes_from_args(size), dtype=_float_dtype(dtype)), requires_grad)


@_takes_out
def full(
    size: int | Sequence[int],
    fill_value: float,
    dtype: dtypes.dtype | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor filled with ``fill_value``; its dtype follows the value (bool, int64 or float32).

    Args:
        size (int or sequence of ints): the shape.
        fill_value (number): the value of every element.
        dtype (minigrad.dtype, optional): the dtype; from ``fill_value`` when None. Default:
            None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.full((2, 2), 7)
        tensor([[7, 7],
                [7, 7]])
        >>> minigrad.full((2,), 0.5)
        tensor([0.5000, 0.5000])
    """
    check_cpu(device)
    if dtype is None:
        dtype = (
            dtypes.bool
            if isinstance(fill_value, bool)
            else dtypes.int64
            if isinstance(fill_value, int)
            else dtypes.get_default_dtype()
        )
    return _finish(np.full(sizes_from_args((size,)), fill_value, dtype=dtypes.to_numpy_dtype(dtype)), requires_grad)


@_size_keyword
@_takes_out
def empty(
    *size: int | Sequence[int],
    dtype: dtypes.dtype | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """An uninitialized tensor of the given size.

    Args:
        *size (int or sequence of ints): the shape, as several ints or one sequence (also
            ``size=``).
        dtype (minigrad.dtype, optional): the dtype of the result; ``get_default_dtype()``
            when None. Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.empty(2, 3).shape
        minigrad.Size([2, 3])
    """
    check_cpu(device)
    return _finish(np.empty(sizes_from_args(size), dtype=_float_dtype(dtype)), requires_grad)


def _like(input, dtype):
    return input._array.dtype if dtype is None else dtypes.to_numpy_dtype(dtype)


def zeros_like(
    input: Tensor, dtype: dtypes.dtype | None = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of zeros of ``input``'s shape (and dtype, unless ``dtype``).

    Args:
        input (Tensor): the tensor whose shape (and dtype) to take.
        dtype (minigrad.dtype, optional): the dtype; ``input``'s when None. Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.

    Example:
        >>> minigrad.zeros_like(minigrad.tensor([[1, 2]]))
        tensor([[0, 0]])
    """
    check_cpu(device)
    return _finish(np.zeros(input._array.shape, dtype=_like(input, dtype)), requires_grad)


def ones_like(
    input: Tensor, dtype: dtypes.dtype | None = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """A tensor of ones of ``input``'s shape (and dtype, unless ``dtype``).

    Args:
        input (Tensor): the tensor whose shape (and dtype) to take.
        dtype (minigrad.dtype, optional): the dtype; ``input``'s when None. Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.

    Example:
        >>> minigrad.ones_like(minigrad.tensor([1.0, 2.0]), dtype=minigrad.float64)
        tensor([1., 1.], dtype=minigrad.float64)
    """
    check_cpu(device)
    return _finish(np.ones(input._array.shape, dtype=_like(input, dtype)), requires_grad)


def full_like(
    input: Tensor,
    fill_value: float,
    dtype: dtypes.dtype | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """A tensor of ``input``'s shape (and dtype, unless ``dtype``) filled with ``fill_value``.

    Args:
        input (Tensor): the tensor whose shape (and dtype) to take.
        fill_value (number): the value of every element.
        dtype (minigrad.dtype, optional): the dtype; ``input``'s when None. Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.

    Example:
        >>> minigrad.full_like(minigrad.zeros(2), 3.0)
        tensor([3., 3.])
    """
    check_cpu(device)
    return _finish(np.full(input._array.shape, fill_value, dtype=_like(input, dtype)), requires_grad)


def empty_like(
    input: Tensor, dtype: dtypes.dtype | None = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """An uninitialized tensor of ``input``'s shape (and dtype, unless ``dtype``).

    Args:
        input (Tensor): the tensor whose shape (and dtype) to take.
        dtype (minigrad.dtype, optional): the dtype; ``input``'s when None. Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.

    Example:
        >>> minigrad.empty_like(minigrad.zeros(2, 3)).shape
        minigrad.Size([2, 3])
    """
    check_cpu(device)
    return _finish(np.empty(input._array.shape, dtype=_like(input, dtype)), requires_grad)


@_takes_out
def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: dtypes.dtype | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; int64 unless a bound is a float.

    Args:
        start (number): the first value; the end, with ``start = 0``, when ``end`` is None.
        end (number, optional): the bound, not included. Default: None.
        step (number): the gap between values. Default: 1.
        dtype (minigrad.dtype, optional): the dtype; int64 or the default float dtype, from
            the bounds, when None. Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.arange(4)
        tensor([0, 1, 2, 3])
        >>> minigrad.arange(1, 2, 0.25)
        tensor([1.0000, 1.2500, 1.5000, 1.7500])
    """
    check_cpu(device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("arange: step must be nonzero")
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if is_int else dtypes.get_default_dtype()
    return _finish(np.arange(start, end, step, dtype=dtypes.to_numpy_dtype(dtype)), requires_grad)


@_takes_out
def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: dtypes.dtype | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    Args:
        start (number): the first value.
        end (number): the last value.
        steps (int): the number of values.
        dtype (minigrad.dtype, optional): the dtype of the result; ``get_default_dtype()``
            when None. Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.linspace(0, 1, steps=5)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    check_cpu(device)
    return _finish(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


@_takes_out
def eye(
    n: int,
    m: int | None = None,
    dtype: dtypes.dtype | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """An n x m identity matrix.

    Args:
        n (int): the number of rows.
        m (int, optional): the number of columns; ``n`` when None. Default: None.
        dtype (minigrad.dtype, optional): the dtype of the result; ``get_default_dtype()``
            when None. Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.eye(2, 3)
        tensor([[1., 0., 0.],
                [0., 1., 0.]])
    """
    check_cpu(device)
    return _finish(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


@_size_keyword
@_takes_out
def rand(
    *size: int | Sequence[int],
    generator: Generator | None = None,
    dtype: dtypes.dtype | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform samples in [0, 1).

    Args:
        *size (int or sequence of ints): the shape, as several ints or one sequence (also
            ``size=``).
        generator (Generator, optional): the random source; the global one (``manual_seed``)
            when None. Default: None.
        dtype (minigrad.dtype, optional): the dtype of the result; ``get_default_dtype()``
            when None. Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.rand(2, 3).shape
        minigrad.Size([2, 3])
        >>> g = minigrad.Generator().manual_seed(1)
        >>> bool((minigrad.rand(100, generator=g) < 1).all())
        True
    """
    check_cpu(device)
    np_dtype = _float_dtype(dtype)
    return _finish(rng_of(generator).random(sizes_from_args(size), dtype=np.float64).astype(np_dtype), requires_grad)


@_size_keyword
@_takes_out
def randn(
    *size: int | Sequence[int],
    generator: Generator | None = None,
    dtype: dtypes.dtype | None = None,
    device: DeviceLike = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal samples.

    Args:
        *size (int or sequence of ints): the shape, as several ints or one sequence (also
            ``size=``).
        generator (Generator, optional): the random source; the global one (``manual_seed``)
            when None. Default: None.
        dtype (minigrad.dtype, optional): the dtype of the result; ``get_default_dtype()``
            when None. Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> x = minigrad.randn(10000)
        >>> round(x.mean().item(), 1), round(x.std().item(), 1)
        (0.0, 1.0)
    """
    check_cpu(device)
    np_dtype = _float_dtype(dtype)
    return _finish(rng_of(generator).standard_normal(sizes_from_args(size)).astype(np_dtype), requires_grad)


@_takes_out
def randint(
    low: int = 0,
    high: int | Sequence[int] | None = None,
    size: int | Sequence[int] | None = None,
    generator: Generator | None = None,
    dtype: dtypes.dtype | None = None,
    device: DeviceLike = None,
) -> Tensor:
    """Integers uniform in [low, high); ``randint(high, size)`` and ``randint(high, size=size)``
    start at 0.

    Args:
        low (int): the lowest value (the bound ``high`` in ``randint(high, size)``).
            Default: 0.
        high (int): one above the highest value.
        size (int or sequence of ints): the shape.
        generator (Generator, optional): the random source; the global one (``manual_seed``)
            when None. Default: None.
        dtype (minigrad.dtype, optional): the dtype. Default: None (int64).
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> x = minigrad.randint(0, 10, (2, 3))
        >>> x.shape, x.dtype, bool(((x >= 0) & (x < 10)).all())
        (minigrad.Size([2, 3]), minigrad.int64, True)
    """
    check_cpu(device)
    if size is None:
        if high is None:
            raise TypeError("randint() missing the size argument: randint(high, size) or randint(low, high, size)")
        low, high, size = 0, low, high
    elif high is None:
        low, high = 0, low
    np_dtype = dtypes.to_numpy_dtype(dtype) if dtype is not None else np.int64
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    return Tensor._make(rng_of(generator).integers(low, high, size=sizes_from_args((size,))).astype(np_dtype))


@_takes_out
def randperm(
    n: int, generator: Generator | None = None, dtype: dtypes.dtype | None = None, device: DeviceLike = None
) -> Tensor:
    """A random permutation of 0 .. n-1.

    Args:
        n (int): the number of values.
        generator (Generator, optional): the random source; the global one (``manual_seed``)
            when None. Default: None.
        dtype (minigrad.dtype, optional): the dtype. Default: None (int64).
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> sorted(minigrad.randperm(5).tolist())
        [0, 1, 2, 3, 4]
    """
    check_cpu(device)
    np_dtype = dtypes.to_numpy_dtype(dtype) if dtype is not None else np.int64
    return Tensor._make(rng_of(generator).permutation(n).astype(np_dtype))


def rand_like(
    input: Tensor, dtype: dtypes.dtype | None = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """Uniform samples in [0, 1) of ``input``'s shape (and dtype, unless ``dtype``).

    Args:
        input (Tensor): the tensor whose shape (and dtype) to take.
        dtype (minigrad.dtype, optional): the dtype; ``input``'s when None. Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.

    Example:
        >>> minigrad.rand_like(minigrad.zeros(2, 2)).shape
        minigrad.Size([2, 2])
    """
    check_cpu(device)
    return rand(*input._array.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(
    input: Tensor, dtype: dtypes.dtype | None = None, device: DeviceLike = None, requires_grad: bool = False
) -> Tensor:
    """Standard normal samples of ``input``'s shape (and dtype, unless ``dtype``).

    Args:
        input (Tensor): the tensor whose shape (and dtype) to take.
        dtype (minigrad.dtype, optional): the dtype; ``input``'s when None. Default: None.
        device (str or device, optional): where to put the result; only the CPU exists.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.

    Example:
        >>> minigrad.randn_like(minigrad.zeros(3, dtype=minigrad.float64)).dtype
        minigrad.float64
    """
    check_cpu(device)
    return randn(*input._array.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor sharing memory with ``array`` (its dtype kept).

    Args:
        array (numpy.ndarray): the array, shared, not copied.

    Example:
        >>> a = np.array([1.0, 2.0])
        >>> t = minigrad.from_numpy(a)
        >>> a[0] = 9.0
        >>> t
        tensor([9., 2.], dtype=minigrad.float64)
    """
    dtypes.from_numpy_dtype(array.dtype)
    return Tensor._make(array)


@_takes_out
def normal(
    mean: Tensor | float,
    std: Tensor | float = 1.0,
    size: Sequence[int] | None = None,
    *,
    generator: Generator | None = None,
    dtype: dtypes.dtype | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Normal samples with the given means and standard deviations (``torch.normal``).

    Either ``mean`` or ``std`` is a tensor (the other a tensor or a number), and the
    result has their broadcast shape and dtype; or both are numbers and ``size`` gives the
    shape (default dtype unless ``dtype``). Draws come from ``minigrad.random`` (the
    global generator, seeded by ``manual_seed``, or ``generator``); not differentiable.

    Args:
        mean (Tensor or number): the mean(s).
        std (Tensor or number): the standard deviation(s). Default: 1.0.
        size (sequence of ints, optional): the shape, when ``mean`` and ``std`` are numbers.
            Default: None.
        generator (Generator, optional): the random source; the global one (``manual_seed``)
            when None. Default: None.
        dtype (minigrad.dtype, optional): the dtype, when ``mean`` and ``std`` are numbers.
            Default: None.
        requires_grad (bool): whether autograd records operations on the result. Default:
            False.
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> import minigrad
        >>> minigrad.normal(minigrad.zeros(2, 3), 1.0).shape
        minigrad.Size([2, 3])
    """
    tensors = [v for v in (mean, std) if isinstance(v, Tensor)]
    if not tensors:
        if size is None:
            raise TypeError(
                "normal() received an invalid combination of arguments - got (float, float): give a size, "
                "or a tensor mean or std"
            )
        shape, np_dtype = sizes_from_args((size,)), _float_dtype(dtype)
    else:
        if size is not None:
            raise TypeError(
                "normal() received an invalid combination of arguments: size is only taken with float mean and std"
            )
        for t in tensors:
            if t._array.dtype.kind != "f":
                raise NotImplementedError(
                    f"\"normal_kernel_cpu\" not implemented for '{type_name(t._array.dtype).capitalize()}'"
                )
        check_broadcast(
            "normal",
            np.asarray(mean._array if isinstance(mean, Tensor) else mean),
            np.asarray(std._array if isinstance(std, Tensor) else std),
        )
        shape = np.broadcast_shapes(*(t.shape for t in tensors))
        np_dtype = dtypes.to_numpy_dtype(dtype) if dtype is not None else np.result_type(*(t._array for t in tensors))
    if isinstance(std, Tensor):
        if (std._array < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    means = mean._array if isinstance(mean, Tensor) else mean
    stds = std._array if isinstance(std, Tensor) else std
    samples = means + stds * rng_of(generator).standard_normal(shape)
    return _finish(np.asarray(samples).astype(np_dtype), requires_grad)
