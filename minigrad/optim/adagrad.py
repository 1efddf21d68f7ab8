"""Adagrad, PyTorch's formulation."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..creation import full_like
from ..nn.parameter import UninitializedParameter
from .optimizer import Optimizer, ParamsT, _addcdiv_, _addcmul_, _step_tensor

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad: each coordinate's step divided by the root of its summed squared gradients.

    For each parameter with gradient ``g`` at step ``t``::

        g = g + weight_decay * p                        (if weight_decay != 0)
        clr = lr / (1 + (t - 1) * lr_decay)
        s = s + g * g                                   (s starts at initial_accumulator_value)
        p = p - clr * g / (sqrt(s) + eps)

    Args:
        params: parameters or param-group dicts.
        lr (float): learning rate. Default: 1e-2.
        lr_decay (float): learning-rate decay per step. Default: 0.
        weight_decay (float): L2 penalty. Default: 0.
        initial_accumulator_value (float): starting value of ``s``. Default: 0.
        eps (float): added to the denominator. Default: 1e-10.
        maximize (bool): maximize the objective instead of minimizing. Default: False.

    State per parameter, created at construction as in PyTorch: ``step`` and ``sum`` (s).

    Example:

        >>> import minigrad
        >>> w = minigrad.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = minigrad.optim.Adagrad([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> [round(v, 4) for v in w.tolist()]
        [0.9, -1.9]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        *,
        maximize: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            maximize=maximize,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self.state[p]["step"] = _step_tensor()
                if isinstance(p, UninitializedParameter):
                    p._refuse("full_like")  # the state needs the shape, as PyTorch's Adagrad does
                self.state[p]["sum"] = full_like(p, group["initial_accumulator_value"])

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once.

        Args:
            closure (callable, optional): re-evaluates the model and returns the loss,
                which ``step`` returns. Default: None.

        Example:
            >>> w = minigrad.tensor([1.0, -2.0], requires_grad=True)
            >>> opt = minigrad.optim.Adagrad([w], lr=0.1)
            >>> def closure():
            ...     opt.zero_grad()
            ...     loss = (w * w).sum()
            ...     loss.backward()
            ...     return loss
            >>> opt.step(closure)
            tensor(5., grad_fn=<SumBackward0>)
            >>> w
            tensor([ 0.9000, -1.9000], requires_grad=True)
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
            for p, grad, state in self._params_with_grad(group):
                state["step"]._array += 1
                step = float(state["step"]._array)
                clr = lr / (1 + (step - 1) * lr_decay)
                state_sum = state["sum"]._array
                _addcmul_(state_sum, grad, grad, 1)
                std = np.sqrt(state_sum)
                std += eps
                _addcdiv_(p._array, grad, std, -clr)
        return loss
