"""Adadelta, PyTorch's formulation."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .optimizer import Optimizer, ParamsT, _addcmul_, _step_tensor, _zeros_like

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta: steps scaled by the ratio of running RMS of past updates and of gradients.

    For each parameter with gradient ``g``::

        g = g + weight_decay * p                        (if weight_decay != 0)
        v = rho * v + (1 - rho) * g * g
        delta = sqrt(u + eps) / sqrt(v + eps) * g
        u = rho * u + (1 - rho) * delta * delta
        p = p - lr * delta

    Args:
        params: parameters or param-group dicts.
        lr (float): scales the update. Default: 1.0.
        rho (float): decay rate of the running averages. Default: 0.9.
        eps (float): added inside the square roots. Default: 1e-6.
        weight_decay (float): L2 penalty. Default: 0.
        maximize (bool): maximize the objective instead of minimizing. Default: False.

    State per parameter: ``step``, ``square_avg`` (v) and ``acc_delta`` (u).

    Example:

        >>> import minigrad
        >>> w = minigrad.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = minigrad.optim.Adadelta([w], lr=1.0)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> [round(v, 4) for v in w.tolist()]
        [0.9968, -1.9968]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once.

        Args:
            closure (callable, optional): re-evaluates the model and returns the loss,
                which ``step`` returns. Default: None.

        Example:
            >>> w = minigrad.tensor([1.0, -2.0], requires_grad=True)
            >>> opt = minigrad.optim.Adadelta([w])
            >>> def closure():
            ...     opt.zero_grad()
            ...     loss = (w * w).sum()
            ...     loss.backward()
            ...     return loss
            >>> opt.step(closure)
            tensor(5., grad_fn=<SumBackward0>)
            >>> w
            tensor([ 0.9968, -1.9968], requires_grad=True)
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, rho, eps = group["lr"], group["rho"], group["eps"]
            for p, grad, state in self._params_with_grad(group):
                if not state:
                    state["step"] = _step_tensor()
                    state["square_avg"] = _zeros_like(p)
                    state["acc_delta"] = _zeros_like(p)
                state["step"]._array += 1
                square_avg, acc_delta = state["square_avg"]._array, state["acc_delta"]._array
                square_avg *= rho
                _addcmul_(square_avg, grad, grad, 1 - rho)
                std = np.sqrt(square_avg + eps)
                delta = np.sqrt(acc_delta + eps)
                delta /= std
                delta *= grad
                acc_delta *= rho
                _addcmul_(acc_delta, delta, delta, 1 - rho)
                delta *= -lr
                p._array += delta
        return loss
