"""Batch normalization: BatchNorm1d (N, C) / (N, C, L) and BatchNorm2d (N, C, H, W), and their lazy
forms LazyBatchNorm1d and LazyBatchNorm2d (num_features from the first input)."""

from __future__ import annotations

import numpy as np

from ... import dtypes
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..parameter import UninitializedBuffer, UninitializedParameter
from .lazy import LazyModuleMixin
from .linear import empty_parameter
from .module import Module

__all__ = ["BatchNorm1d", "BatchNorm2d", "LazyBatchNorm1d", "LazyBatchNorm2d"]


class _BatchNorm(Module):
    """Shared by BatchNorm1d/2d: ``y = (x - E[x]) / sqrt(Var[x] + eps) * weight + bias`` per channel.

    Training uses the batch's statistics (biased variance) and, with
    ``track_running_stats``, updates ``running_mean`` / ``running_var`` (unbiased variance)
    with ``momentum`` (None: a cumulative average over ``num_batches_tracked``); eval mode
    uses the running statistics. ``bias=False`` (keyword) keeps the scale but drops the shift.
    """

    # Checkpoints from before PyTorch 0.4.1 have no counter: load_state_dict keeps ours.
    _optional_state = ("num_batches_tracked",)

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-05,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: str | None = None,
        dtype: dtypes.dtype | None = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = empty_parameter((num_features,), dtype)
            if bias:
                self.bias = empty_parameter((num_features,), dtype)
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        np_dtype = dtypes.to_numpy_dtype(dtype) if dtype is not None else dtypes.get_default_dtype().np_dtype
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._make(np.zeros(num_features, np_dtype)))
            self.register_buffer("running_var", Tensor._make(np.ones(num_features, np_dtype)))
            self.register_buffer("num_batches_tracked", Tensor._make(np.zeros((), np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self) -> None:
        """Reset ``running_mean`` to zeros, ``running_var`` to ones and ``num_batches_tracked`` to 0
        (nothing without ``track_running_stats``).

        Example:
            >>> bn = nn.BatchNorm1d(2)
            >>> _ = bn(minigrad.randn(4, 2) + 3)
            >>> bn.reset_running_stats()
            >>> bn.running_mean.tolist(), int(bn.num_batches_tracked)
            ([0.0, 0.0], 0)
        """
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self) -> None:
        """Reset the running statistics and, with ``affine``, ``weight`` to ones and ``bias`` to
        zeros (the constructor's state).

        Example:
            >>> bn = nn.BatchNorm2d(2)
            >>> _ = nn.init.normal_(bn.weight)
            >>> bn.reset_parameters()
            >>> bn.weight.tolist(), bn.bias.tolist()
            ([1.0, 1.0], [0.0, 0.0])
        """
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            if self.bias is not None:
                init.zeros_(self.bias)

    def _check_input_dim(self, input):
        raise NotImplementedError(
            f"{type(self).__name__} must say which input ranks it accepts (BatchNorm1d and BatchNorm2d do)"
        )

    def forward(self, input: Tensor) -> Tensor:
        """Normalize ``input`` per channel: by the batch's statistics in training mode (updating
        the running ones), by the running statistics in eval mode.

        Args:
            input: (N, C), (N, C, L) for BatchNorm1d; (N, C, H, W) for BatchNorm2d.

        Example:
            >>> bn = nn.BatchNorm1d(1).eval()  # running mean 0, variance 1: (x - 0) / sqrt(1 + eps)
            >>> round(bn(minigrad.tensor([[2.0]])).item(), 4)
            2.0
        """
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats and self.num_batches_tracked is not None:
            self.num_batches_tracked.add_(1)
            if self.momentum is None:
                factor = 1.0 / float(self.num_batches_tracked._array)
        use_batch_stats = self.training or (self.running_mean is None and self.running_var is None)
        track = not self.training or self.track_running_stats
        return F.batch_norm(
            input,
            self.running_mean if track else None,
            self.running_var if track else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )

    def extra_repr(self) -> str:
        """The arguments shown in the printout (non-default ones where PyTorch omits them).

        Example:
            >>> nn.BatchNorm2d(8, momentum=None)
            BatchNorm2d(8, eps=1e-05, momentum=None, affine=True, bias=True, track_running_stats=True)
        """
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
            f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    r"""Batch normalization over (N, C) or (N, C, L) input: statistics over N (and L) per channel.

    The formula and the running statistics are those of :class:`BatchNorm2d`, with the mean
    and variance of channel c taken over the batch (and the length L).

    Args:
        num_features: C, the number of channels (features) of the input.
        eps: added to the variance under the square root, for stability; default 1e-5.
        momentum: weight of the new batch in the running statistics; default 0.1. None keeps
            a cumulative (equal-weight) average over ``num_batches_tracked`` batches instead.
        affine: learn ``weight`` (gamma, ones at first) and ``bias`` (beta, zeros) of shape
            (C,); default True.
        track_running_stats: keep ``running_mean`` and ``running_var`` buffers (zeros, ones)
            and use them in eval mode; default True. With False the batch's statistics are used
            in both modes.
        device: only ``'cpu'`` (or None, the default).
        dtype: the dtype of parameters and buffers; default the default dtype.
        bias: keyword-only; False keeps the scale ``weight`` but drops the shift; default True.

    Shape:
        input: (N, C) or (N, C, L); output: the same shape.

    Example:
        >>> bn = nn.BatchNorm1d(3)
        >>> y = bn(minigrad.randn(8, 3) * 5 + 2)
        >>> y.mean(0).abs().max().item() < 1e-6, y.shape
        (True, minigrad.Size([8, 3]))
    """

    def _check_input_dim(self, input):
        if input.ndim not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.ndim}D input)")


class BatchNorm2d(_BatchNorm):
    r"""Batch normalization over (N, C, H, W) input: statistics over N, H and W per channel.

    For each channel c, with the mean and variance taken over the N*H*W values of that channel,

    .. math::

        y = \frac{x - \mathrm{E}[x]}{\sqrt{\mathrm{Var}[x] + \epsilon}} \, \gamma + \beta

    where :math:`\gamma` is ``weight`` and :math:`\beta` is ``bias`` (both of shape (C,)).

    In training mode the batch's own mean and biased variance normalize the input, and (with
    ``track_running_stats``) each running statistic r (``running_mean``, ``running_var``)
    moves toward the batch's value s (its mean, and its *unbiased* variance):
    :math:`r \leftarrow (1 - m)\, r + m\, s` with :math:`m` = ``momentum`` (PyTorch's
    convention: the weight of the new value, so 0.1 here is 0.9 in TensorFlow's terms).
    With ``momentum=None``, :math:`m = 1/t` at the t-th batch, an equal-weight cumulative
    average. ``num_batches_tracked`` counts the batches.
    In eval mode the running statistics are used instead, so the output of one sample no
    longer depends on the others in the batch (call ``model.eval()`` before inference).

    Args:
        num_features: C, the number of channels (features) of the input.
        eps: added to the variance under the square root, for stability; default 1e-5.
        momentum: weight of the new batch in the running statistics; default 0.1. None keeps
            a cumulative (equal-weight) average over ``num_batches_tracked`` batches instead.
        affine: learn ``weight`` (gamma, ones at first) and ``bias`` (beta, zeros) of shape
            (C,); default True.
        track_running_stats: keep ``running_mean`` and ``running_var`` buffers (zeros, ones)
            and use them in eval mode; default True. With False the batch's statistics are used
            in both modes.
        device: only ``'cpu'`` (or None, the default).
        dtype: the dtype of parameters and buffers; default the default dtype.
        bias: keyword-only; False keeps the scale ``weight`` but drops the shift; default True.

    Shape:
        input: (N, C, H, W); output: (N, C, H, W).

    Example:
        >>> bn = nn.BatchNorm2d(2)
        >>> x = minigrad.randn(4, 2, 3, 3) * 3 + 5
        >>> y = bn(x)  # training: normalized by the batch's statistics
        >>> y.mean((0, 2, 3)).abs().max().item() < 1e-6
        True
        >>> bn.running_mean.shape, int(bn.num_batches_tracked)
        (minigrad.Size([2]), 1)
        >>> _ = bn.eval()  # eval: normalized by the running statistics
        >>> bn(x).shape
        minigrad.Size([4, 2, 3, 3])
    """

    def _check_input_dim(self, input):
        if input.ndim != 4:
            raise ValueError(f"expected 4D input (got {input.ndim}D input)")


class _LazyBatchNorm(LazyModuleMixin, _BatchNorm):
    """What the lazy batch norms share: ``num_features`` from the input's channel dim (dim 1)."""

    def __init__(
        self,
        eps: float = 1e-05,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: str | None = None,
        dtype: dtypes.dtype | None = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__(0, eps, momentum, False, False, device, dtype, bias=False)
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = UninitializedParameter(dtype=dtype)
            if bias:
                self.bias = UninitializedParameter(dtype=dtype)
        if track_running_stats:
            self.running_mean = UninitializedBuffer(dtype=dtype)
            self.running_var = UninitializedBuffer(dtype=dtype)
            self.num_batches_tracked = Tensor._make(np.zeros((), np.int64))

    def reset_parameters(self) -> None:
        """Reset the statistics and the affine parameters as BatchNorm does, once their shapes are
        known (no effect before).

        Example:
            >>> bn = nn.LazyBatchNorm2d()
            >>> bn.reset_parameters()  # nothing to reset yet
            >>> bn.has_uninitialized_params()
            True
        """
        if not self.has_uninitialized_params() and self.num_features != 0:
            super().reset_parameters()

    def initialize_parameters(self, input: Tensor) -> None:
        """Give the parameters and buffers their shape (C,) from ``input``'s channels, then
        initialize them.

        Args:
            input: (N, C, *).

        Example:
            >>> bn = nn.LazyBatchNorm2d()
            >>> bn.initialize_parameters(minigrad.ones(2, 5, 3, 3))
            >>> bn.num_features, bn.running_var.shape
            (5, minigrad.Size([5]))
        """
        if not self.has_uninitialized_params():
            return
        self.num_features = input.shape[1]
        for tensor in (self.weight, self.bias, self.running_mean, self.running_var):
            if tensor is not None:
                tensor.materialize((self.num_features,))
        self.reset_parameters()


class LazyBatchNorm1d(_LazyBatchNorm, BatchNorm1d):
    """A BatchNorm1d whose ``num_features`` comes from its first input (N, C) or (N, C, L).

    After the first forward it becomes a :class:`BatchNorm1d`.

    Args:
        eps, momentum, affine, track_running_stats, device, dtype, bias: as in
            :class:`BatchNorm1d`.

    Shape:
        input: (N, C) or (N, C, L); output: the same shape.

    Example:
        >>> bn = nn.LazyBatchNorm1d()
        >>> bn(minigrad.ones(4, 5)).shape, bn.num_features
        (minigrad.Size([4, 5]), 5)
    """

    cls_to_become = BatchNorm1d


class LazyBatchNorm2d(_LazyBatchNorm, BatchNorm2d):
    """A BatchNorm2d whose ``num_features`` comes from its first input (N, C, H, W).

    After the first forward it becomes a :class:`BatchNorm2d`.

    Args:
        eps, momentum, affine, track_running_stats, device, dtype, bias: as in
            :class:`BatchNorm2d`.

    Shape:
        input: (N, C, H, W); output: (N, C, H, W).

    Example:

        >>> bn = nn.LazyBatchNorm2d()
        >>> bn(minigrad.ones(2, 6, 4, 4)).shape
        minigrad.Size([2, 6, 4, 4])
        >>> bn
        BatchNorm2d(6, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
    """

    cls_to_become = BatchNorm2d
