"""Matrix products: ``matmul`` / ``@`` with numpy's rules (1-D operands, batched broadcast)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from minigrad_core import linear as _linear_kernels
from minigrad_core import matmul as _kernels

from ..autograd.function import Function
from ._args import write_out
from .reduce import sum_to

_MATVEC = _linear_kernels.available()  # the processor has AVX-512: batch-1 linear on it

if TYPE_CHECKING:
    from ..tensor import Tensor

__all__ = ["matmul", "mm", "bmm", "linear"]


class MatmulFunction(Function):
    """out = a @ b for a, b with ndim >= 2;  da = g @ b^T,  db = a^T @ g (batch dims summed).

    PyTorch names the node of a product of matrices MmBackward0; BmmFunction names the
    batched one.
    """

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a if ctx.needs_input_grad[1] else None, b if ctx.needs_input_grad[0] else None)
        ctx.shapes = (a._array.shape, b._array.shape)
        return _matmul_arrays(a._array, b._array)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        a_shape, b_shape = ctx.shapes
        ga = sum_to(_product(g, b.transpose(-1, -2)), a_shape) if ctx.needs_input_grad[0] else None
        gb = sum_to(_product(a.transpose(-1, -2), g), b_shape) if ctx.needs_input_grad[1] else None
        return ga, gb

    @staticmethod
    def mult_adds(args, outputs):
        """out.numel * K (M*N*K per matrix)."""
        return outputs[0].numel() * args[0].shape[-1]


class BmmFunction(MatmulFunction):
    """A batched product (an operand with ndim > 2): MatmulFunction, named BmmBackward0."""

    node_name = "BmmBackward0"


# A product of at least this many multiply-adds with a transposed operand (a linear
# layer's forward x @ w^T, its weight gradient g^T @ x) runs on minigrad_core.matmul, on
# the kernels' threads; smaller ones, and products of two C-contiguous matrices (the input
# gradient g @ w), on numpy's matmul, on one thread. Measured at 1 and 2 threads on
# AlexNet's 9216 -> 4096 layer at batch 8 (ms): x @ w^T 38 and 21 against numpy's 45 and
# 50, g^T @ x 42 and 25 against 67 and 53, but g @ w 92 and 54 against 40 and 43: there
# numpy's OpenBLAS (0.3.31) is the faster library (SciPy's, under the kernels, is 0.3.30).
_KERNEL_WORK = 1 << 22


def _matmul_arrays(a, b):
    """a (m, k) @ b (k, n) for 2-D arrays: minigrad_core.matmul for a large product with a
    transposed operand (as above), else numpy's matmul."""
    trans_a = not a.flags.c_contiguous and a.T.flags.c_contiguous
    trans_b = not b.flags.c_contiguous and b.T.flags.c_contiguous
    if (
        not (trans_a or trans_b)
        or a.shape[0] * a.shape[1] * b.shape[1] < _KERNEL_WORK
        or a.dtype != b.dtype
        or a.dtype not in (np.float32, np.float64)
    ):
        return np.matmul(a, b)
    out = np.empty((a.shape[0], b.shape[1]), dtype=a.dtype)
    _kernels.matmul(
        a.T if trans_a else np.ascontiguousarray(a), b.T if trans_b else np.ascontiguousarray(b), out, trans_a, trans_b
    )
    return out


def _product(a, b):
    """``a @ b`` for operands with ndim >= 2, through the Function PyTorch's name calls for."""
    return (MatmulFunction if a.ndim == 2 and b.ndim == 2 else BmmFunction).apply(a, b)


def _shape_error(op, a, b):
    if a.ndim == 1 and b.ndim == 1:
        return RuntimeError(
            f"{op}: inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
            f"to have the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively"
        )
    rows_a = a.reshape(-1, a.shape[-1]).shape if a.ndim >= 2 else (1, a.shape[0])
    cols_b = (b.shape[-2], b.shape[-1]) if b.ndim >= 2 else (b.shape[0], 1)
    return RuntimeError(
        f"{op}: mat1 and mat2 shapes cannot be multiplied ({rows_a[0]}x{rows_a[1]} and {cols_b[0]}x{cols_b[1]})"
    )


def matmul(input: Tensor, other: Tensor, *, out: Tensor | None = None) -> Tensor:
    """Matrix product with numpy's rules: 1-D operands are vectors, leading dims broadcast.

    ``out=`` receives the result, as in PyTorch (not while autograd records).

    Args:
        input (Tensor): the left operand (1-D or more).
        other (Tensor): the right operand (1-D or more).
        out (Tensor, optional): the tensor to write the result into (resized if needed).
            Default: None.

    Example:
        >>> minigrad.matmul(minigrad.ones(10, 2, 3), minigrad.ones(3)).shape  # a batch of matrix-vector products
        minigrad.Size([10, 2])
    """
    if out is not None:
        return write_out("matmul", matmul(input, other), out)
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(
            f"matmul: both arguments to matmul need to be at least 1D, but they are {input.ndim}D and {other.ndim}D"
        )
    inner_a = input.shape[-1]
    inner_b = other.shape[-2] if other.ndim >= 2 else other.shape[0]
    if inner_a != inner_b:
        raise _shape_error("matmul", input, other)
    try:
        np.broadcast_shapes(input.shape[:-2], other.shape[:-2])
    except ValueError:
        raise RuntimeError(
            f"matmul: the batch dimensions {list(input.shape[:-2])} and {list(other.shape[:-2])} are not broadcastable"
        ) from None
    a = input.unsqueeze(0) if input.ndim == 1 else input
    b = other.unsqueeze(-1) if other.ndim == 1 else other
    out = _product(a, b)
    if other.ndim == 1:
        out = out.squeeze(-1)
    if input.ndim == 1:
        out = out.squeeze(-2) if other.ndim > 1 else out.squeeze(-1)
    return out


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Product of two 2-D matrices.

    Args:
        input (Tensor): an (N, M) matrix.
        mat2 (Tensor): an (M, P) matrix.

    Example:
        >>> minigrad.mm(minigrad.tensor([[1.0, 2.0]]), minigrad.tensor([[3.0], [4.0]]))
        tensor([[11.]])
    """
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"mm: expected 2D tensors, but got {input.ndim}D and {mat2.ndim}D")
    return matmul(input, mat2)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batched product of 3-D tensors of equal batch size.

    Args:
        input (Tensor): a batch of matrices, (B, N, M).
        mat2 (Tensor): a batch of matrices, (B, M, P).

    Example:
        >>> minigrad.bmm(minigrad.ones(4, 2, 3), minigrad.ones(4, 3, 5)).shape
        minigrad.Size([4, 2, 5])
    """
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"bmm: expected 3D tensors, but got {input.ndim}D and {mat2.ndim}D")
    if input.shape[0] != mat2.shape[0]:
        raise RuntimeError(
            f"bmm: batch1 and batch2 must have the same batch size, got {input.shape[0]} and {mat2.shape[0]}"
        )
    return matmul(input, mat2)


class LinearFunction(Function):
    """out = x @ w^T + b over the last dim of x;  dx = g @ w,  dw = g^T x,  db = sum(g).

    One node, named as PyTorch's ``addmm(b, x, w^T)``: AddmmBackward0, with its edges in
    addmm's order (b, x, w), so that a walk of ``next_functions`` reads as in PyTorch (whose
    third edge passes through a TBackward0 node before w's AccumulateGrad).
    """

    node_name = "AddmmBackward0"

    @staticmethod
    def forward(ctx, bias, x, weight):
        _, needs_x, needs_w = ctx.needs_input_grad
        return _linear_forward(ctx, x, weight, needs_x, needs_w, bias._array)

    @staticmethod
    def backward(ctx, g):
        needs_b, needs_x, needs_w = ctx.needs_input_grad
        gx, gw = _linear_backward(ctx, g, needs_x, needs_w)
        gb = g.reshape(-1, g.shape[-1]).sum(0) if needs_b else None
        return gb, gx, gw

    @staticmethod
    def mult_adds(args, outputs):
        """out.numel * in_features."""
        return outputs[0].numel() * args[2].shape[-1]


class LinearNoBiasFunction(Function):
    """out = x @ w^T over the last dim of x;  dx = g @ w,  dw = g^T x.

    Named MmBackward0 as PyTorch's ``mm(x, w^T)``, edges (x, w).
    """

    node_name = "MmBackward0"

    @staticmethod
    def forward(ctx, x, weight):
        return _linear_forward(ctx, x, weight, *ctx.needs_input_grad)

    @staticmethod
    def backward(ctx, g):
        return _linear_backward(ctx, g, *ctx.needs_input_grad)

    @staticmethod
    def mult_adds(args, outputs):
        """out.numel * in_features."""
        return outputs[0].numel() * args[1].shape[-1]


def _linear_forward(ctx, x, weight, needs_x, needs_w, bias=None):
    """x @ w^T (+ bias, an array) as an array, saving what the two gradients read (linear's
    Functions). One float32 row (batch-1 inference) runs on the matrix-vector kernel where
    the processor has AVX-512 (minigrad_core.linear); the rest on np.matmul."""
    ctx.save_for_backward(x if needs_w else None, weight if needs_x else None)
    a, w = x._array, weight._array
    if _MATVEC and _one_float32_row(a, w, bias):
        out = np.empty(a.shape[:-1] + w.shape[:1], np.float32)
        _linear_kernels.matvec(w, a.reshape(-1), bias, out.reshape(-1))
        return out
    out = _matmul_arrays(a, w.T) if a.ndim == 2 else np.matmul(a, w.T)
    if bias is not None:
        out += bias
    return out


def _one_float32_row(a, w, bias):
    """Whether x @ w^T (+ bias) is one row of float32 arrays the matrix-vector kernel takes
    as they are (C-contiguous; the shapes agree, as linear has checked)."""
    return (
        a.dtype == np.float32
        and w.dtype == np.float32
        and a.ndim >= 1
        and a.size == a.shape[-1]
        and a.flags.c_contiguous
        and w.flags.c_contiguous
        and (bias is None or (bias.dtype == np.float32 and bias.flags.c_contiguous))
    )


def _linear_backward(ctx, g, needs_x, needs_w):
    """(dx, dw) of x @ w^T for the upstream gradient g, None where not needed."""
    x, weight = ctx.saved_tensors
    gx = matmul(g, weight) if needs_x else None
    gw = None
    if needs_w:
        rows_g = g.reshape(-1, g.shape[-1])
        gw = matmul(rows_g.transpose(0, 1), x.reshape(-1, x.shape[-1]))
    return gx, gw


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias``; weight is (out_features, in_features).

    Shape: input (*, in_features), weight (out_features, in_features), bias
    (out_features,) -> (*, out_features).

    Args:
        input (Tensor): (*, in_features).
        weight (Tensor): (out_features, in_features).
        bias (Tensor, optional): (out_features). Default: None.

    Example:
        >>> minigrad.linear(minigrad.ones(2, 3), minigrad.ones(4, 3), minigrad.zeros(4))
        tensor([[3., 3., 3., 3.],
                [3., 3., 3., 3.]])
    """
    if input.ndim == 0 or weight.ndim != 2 or input.shape[-1] != weight.shape[-1]:
        rows = int(np.prod(input.shape[:-1])) if input.ndim else 1
        columns = input.shape[-1] if input.ndim else 1
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows}x{columns} and {weight.shape[-1]}x{weight.shape[0]})"
        )
    if bias is not None and bias.shape != (weight.shape[0],):
        raise RuntimeError(f"linear: expected bias of shape [{weight.shape[0]}], but got {list(bias.shape)}")
    if bias is None:
        return LinearNoBiasFunction.apply(input, weight)
    return LinearFunction.apply(bias, input, weight)
