"""Loss modules: each holds its options and calls the function of the same name in F."""

from __future__ import annotations

from ...ops.loss import check_reduction
from ...tensor import Tensor
from .. import functional as F
from .module import Module

__all__ = ["CrossEntropyLoss", "NLLLoss", "MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss", "FocalLoss"]


class _Loss(Module):
    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(reduction)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(self, weight: Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        if weight is not None and not isinstance(weight, Tensor):
            raise TypeError(f"weight must be a Tensor, but got {type(weight).__name__}")
        self.register_buffer("weight", weight)


class CrossEntropyLoss(_WeightedLoss):
    """Cross entropy of logits against class indices or probabilities.

    The module form of :func:`~minigrad.nn.functional.cross_entropy`: softmax and negative
    log likelihood in one stable step, so the model's last layer outputs raw logits.

    Args:
        weight: optional (C,) rescaling of each class; default None.
        ignore_index: a target index that contributes nothing; default -100.
        reduction: ``'mean'`` (default, weighted by ``weight``), ``'sum'`` or ``'none'``.
        label_smoothing: s in [0, 1] mixing the target with the uniform distribution;
            default 0.0.

    Shape:
        input: (N, C), (N, C, d1, ...) or (C,) logits. target: (N,), (N, d1, ...) or () class
        indices in [0, C), or probabilities of the input's shape. output: () or, with
        ``'none'``, (N, d1, ...).

    Example:
        >>> loss_fn = nn.CrossEntropyLoss()
        >>> logits = minigrad.randn(4, 10, requires_grad=True)
        >>> loss = loss_fn(logits, minigrad.tensor([1, 0, 9, 3]))
        >>> loss.backward()
        >>> loss.shape, logits.grad.shape
        (minigrad.Size([]), minigrad.Size([4, 10]))
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of logits ``input`` against ``target`` (``F.cross_entropy``).

        Args:
            input: the prediction, as in the class's Shape section.
            target: the target, as in the class's Shape section.

        Example:
            >>> nn.CrossEntropyLoss()(minigrad.zeros(2, 4), minigrad.tensor([0, 3]))  # log(4)
            tensor(1.3863)
        """
        return F.cross_entropy(input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log likelihood of log-probabilities against class indices.

    The module form of :func:`~minigrad.nn.functional.nll_loss`; put a :class:`LogSoftmax`
    before it (the pair is :class:`CrossEntropyLoss`).

    Args:
        weight: optional (C,) rescaling of each class; default None.
        ignore_index: a target index that contributes nothing; default -100.
        reduction: ``'mean'`` (default, weighted by ``weight``), ``'sum'`` or ``'none'``.

    Shape:
        input: (N, C), (N, C, d1, ...) or (C,) log-probabilities. target: (N,), (N, d1, ...) or
        () class indices in [0, C). output: () or, with ``'none'``, (N, d1, ...).

    Example:
        >>> logp = nn.LogSoftmax(dim=1)(minigrad.tensor([[2.0, 0.0], [0.0, 2.0]]))
        >>> nn.NLLLoss()(logp, minigrad.tensor([0, 1]))
        tensor(0.1269)
    """

    def __init__(self, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean") -> None:
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The loss of log-probabilities ``input`` against ``target`` (``F.nll_loss``).

        Args:
            input: the prediction, as in the class's Shape section.
            target: the target, as in the class's Shape section.

        Example:
            >>> nn.NLLLoss()(minigrad.tensor([[-0.5, -2.0]]), minigrad.tensor([1]))
            tensor(2.)
        """
        return F.nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class MSELoss(_Loss):
    """Mean squared error ``(input - target)**2``, reduced.

    The module form of :func:`~minigrad.nn.functional.mse_loss`.

    Args:
        reduction: ``'mean'`` (default) over all elements, ``'sum'`` or ``'none'``.

    Shape:
        input: any shape (*); target: the same; output: () or, with ``'none'``, (*).

    Example:
        >>> nn.MSELoss()(minigrad.tensor([1.0, 2.0]), minigrad.tensor([0.0, 0.0]))
        tensor(2.5000)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The mean squared error of ``input`` against ``target``.

        Args:
            input: the prediction, as in the class's Shape section.
            target: the target, as in the class's Shape section.

        Example:
            >>> nn.MSELoss()(minigrad.tensor([3.0]), minigrad.tensor([1.0]))
            tensor(4.)
        """
        return F.mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """Mean absolute error ``|input - target|``, reduced.

    The module form of :func:`~minigrad.nn.functional.l1_loss`.

    Args:
        reduction: ``'mean'`` (default) over all elements, ``'sum'`` or ``'none'``.

    Shape:
        input: any shape (*); target: the same; output: () or, with ``'none'``, (*).

    Example:
        >>> nn.L1Loss(reduction="sum")(minigrad.tensor([1.0, -2.0]), minigrad.tensor([0.0, 0.0]))
        tensor(3.)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The mean absolute error of ``input`` against ``target``.

        Args:
            input: the prediction, as in the class's Shape section.
            target: the target, as in the class's Shape section.

        Example:
            >>> nn.L1Loss()(minigrad.tensor([3.0]), minigrad.tensor([1.0]))
            tensor(2.)
        """
        return F.l1_loss(input, target, self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross entropy of probabilities in [0, 1] against targets of the same shape.

    The module form of :func:`~minigrad.nn.functional.binary_cross_entropy`; put a
    :class:`Sigmoid` before it, or use :class:`BCEWithLogitsLoss`.

    Args:
        weight: optional rescaling of each element, broadcast against the input; default None.
        reduction: ``'mean'`` (default) over all elements, ``'sum'`` or ``'none'``.

    Shape:
        input: probabilities, any shape (*); target: the same, in [0, 1]; output: () or, with
        ``'none'``, (*).

    Example:
        >>> nn.BCELoss()(minigrad.tensor([0.9, 0.2]), minigrad.tensor([1.0, 0.0]))
        tensor(0.1643)
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The binary cross entropy of probabilities ``input`` against ``target``.

        Args:
            input: the prediction, as in the class's Shape section.
            target: the target, as in the class's Shape section.

        Example:
            >>> nn.BCELoss()(minigrad.tensor([0.5]), minigrad.tensor([1.0]))  # log(2)
            tensor(0.6931)
        """
        return F.binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Sigmoid and binary cross entropy in one stable step, on logits.

    The module form of :func:`~minigrad.nn.functional.binary_cross_entropy_with_logits`.

    Args:
        weight: optional rescaling of each element, broadcast against the input; default None.
        reduction: ``'mean'`` (default) over all elements, ``'sum'`` or ``'none'``.
        pos_weight: optional weight of the positive term, one per class (the last dimension);
            default None.

    Shape:
        input: logits, any shape (*); target: the same, in [0, 1]; output: () or, with
        ``'none'``, (*).

    Example:
        >>> loss_fn = nn.BCEWithLogitsLoss(pos_weight=minigrad.tensor([2.0]))
        >>> loss_fn(minigrad.tensor([2.0, -1.0]), minigrad.tensor([1.0, 0.0]))
        tensor(0.2836)
    """

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean", pos_weight: Tensor | None = None) -> None:
        super().__init__(weight, reduction)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The binary cross entropy of logits ``input`` against ``target``.

        Args:
            input: the prediction, as in the class's Shape section.
            target: the target, as in the class's Shape section.

        Example:
            >>> nn.BCEWithLogitsLoss()(minigrad.tensor([0.0]), minigrad.tensor([1.0]))  # log(2)
            tensor(0.6931)
        """
        return F.binary_cross_entropy_with_logits(input, target, self.weight, self.reduction, self.pos_weight)


class FocalLoss(_Loss):
    """Focal loss ``-alpha[y] * (1 - p_t)**gamma * log(p_t)`` on logits (N, C, *).

    The module form of :func:`~minigrad.nn.functional.focal_loss` (not in torch.nn; the
    notes' loss for unbalanced classes).

    Args:
        gamma: focusing parameter >= 0; default 2.0 (0 gives cross entropy).
        alpha: optional (C,) per-class weights; default None.
        reduction: ``'mean'`` (default), ``'sum'`` or ``'none'``.

    Shape:
        input: (N, C), (N, C, d1, ...) or (C,) logits. target: (N,), (N, d1, ...) or () class
        indices. output: () or, with ``'none'``, (N, d1, ...).

    Example:
        >>> logits, target = minigrad.tensor([[2.0, 0.0], [0.0, 2.0]]), minigrad.tensor([0, 0])
        >>> nn.FocalLoss(gamma=2.0)(logits, target)
        tensor(0.8259)
    """

    def __init__(self, gamma: float = 2.0, alpha: Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        if gamma < 0:
            raise ValueError(f"focal_loss: gamma must be non-negative, but got {gamma}")
        self.gamma = gamma
        self.register_buffer("alpha", alpha)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The focal loss of logits ``input`` against ``target`` (``F.focal_loss``).

        Args:
            input: the prediction, as in the class's Shape section.
            target: the target, as in the class's Shape section.

        Example:
            >>> nn.FocalLoss(gamma=0.0)(minigrad.zeros(1, 2), minigrad.tensor([1]))  # = cross entropy, log(2)
            tensor(0.6931)
        """
        return F.focal_loss(input, target, self.gamma, self.alpha, self.reduction)

    def extra_repr(self) -> str:
        """The arguments shown in the printout (non-default ones where PyTorch omits them).

        Example:
            >>> nn.FocalLoss(gamma=1.0)
            FocalLoss(gamma=1.0)
        """
        return f"gamma={self.gamma}" if self.gamma != 2.0 else ""
