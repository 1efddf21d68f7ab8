"""Adamax (Adam with the infinity norm), PyTorch's formulation."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .optimizer import Optimizer, ParamsT, _addcdiv_, _lerp_, _step_tensor, _zeros_like

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax: Adam whose second moment is a decaying maximum of ``|g|``.

    For each parameter with gradient ``g`` at step ``t``::

        g = g + weight_decay * p                        (if weight_decay != 0)
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, |g| + eps)
        p = p - lr / (1 - beta1**t) * m / u

    Args:
        params: parameters or param-group dicts.
        lr (float): learning rate. Default: 2e-3.
        betas (Tuple[float, float]): decay rates of ``m`` and ``u``. Default: (0.9, 0.999).
        eps (float): added to ``|g|``. Default: 1e-8.
        weight_decay (float): L2 penalty. Default: 0.
        maximize (bool): maximize the objective instead of minimizing. Default: False.

    State per parameter: ``step``, ``exp_avg`` (m) and ``exp_inf`` (u).

    Example:

        >>> import minigrad
        >>> w = minigrad.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = minigrad.optim.Adamax([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> [round(v, 4) for v in w.tolist()]
        [0.9, -1.9]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        *,
        maximize: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once.

        Args:
            closure (callable, optional): re-evaluates the model and returns the loss,
                which ``step`` returns. Default: None.

        Example:
            >>> w = minigrad.tensor([1.0, -2.0], requires_grad=True)
            >>> opt = minigrad.optim.Adamax([w], lr=0.1)
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
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            for p, grad, state in self._params_with_grad(group):
                if not state:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_inf"] = _zeros_like(p)
                state["step"]._array += 1
                step = float(state["step"]._array)
                exp_avg, exp_inf = state["exp_avg"]._array, state["exp_inf"]._array
                _lerp_(exp_avg, grad, 1 - beta1)
                exp_inf *= beta2
                bound = np.abs(grad)
                bound += eps
                np.maximum(exp_inf, bound, out=exp_inf)
                _addcdiv_(p._array, exp_avg, exp_inf, -lr / (1 - beta1**step))
        return loss
