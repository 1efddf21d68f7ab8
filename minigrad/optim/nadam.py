"""NAdam (Adam with Nesterov momentum), PyTorch's formulation."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, _addcdiv_, _addcmul_, _lerp_, _step_tensor, _zeros_like

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam: Adam whose first moment looks one step ahead, with a momentum schedule.

    For each parameter with gradient ``g`` at step ``t``::

        g = g + weight_decay * p                        (L2 penalty, if weight_decay != 0)
        p = p * (1 - lr * weight_decay)                 (decoupled_weight_decay instead)
        mu_t = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
        M_t = mu_1 * ... * mu_t                         (state mu_product)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        d = sqrt(v / (1 - beta2**t)) + eps
        p = p - lr * (1 - mu_t) / (1 - M_t) * g / d - lr * mu_{t+1} / (1 - M_t * mu_{t+1}) * m / d

    Args:
        params: parameters or param-group dicts.
        lr (float): learning rate. Default: 2e-3.
        betas (Tuple[float, float]): decay rates of the moment estimates. Default: (0.9, 0.999).
        eps (float): added to the denominator. Default: 1e-8.
        weight_decay (float): weight decay. Default: 0.
        momentum_decay (float): how fast mu_t approaches beta1. Default: 4e-3.
        decoupled_weight_decay (bool): decay the weights directly, as AdamW does. Default: False.
        maximize (bool): maximize the objective instead of minimizing. Default: False.

    State per parameter: ``step``, ``mu_product`` (float32 scalars, as in PyTorch),
    ``exp_avg`` and ``exp_avg_sq``.

    Example:

        >>> import minigrad
        >>> w = minigrad.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = minigrad.optim.NAdam([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> [round(v, 4) for v in w.tolist()]
        [0.8944, -1.8944]
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
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
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(
            lr=lr,
            betas=tuple(betas),
            eps=eps,
            weight_decay=weight_decay,
            momentum_decay=momentum_decay,
            decoupled_weight_decay=decoupled_weight_decay,
            maximize=maximize,
        )
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once.

        Args:
            closure (callable, optional): re-evaluates the model and returns the loss,
                which ``step`` returns. Default: None.

        Example:
            >>> w = minigrad.tensor([1.0, -2.0], requires_grad=True)
            >>> opt = minigrad.optim.NAdam([w], lr=0.1)
            >>> def closure():
            ...     opt.zero_grad()
            ...     loss = (w * w).sum()
            ...     loss.backward()
            ...     return loss
            >>> opt.step(closure)
            tensor(5., grad_fn=<SumBackward0>)
            >>> w
            tensor([ 0.8944, -1.8944], requires_grad=True)
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            decoupled, momentum_decay = group["decoupled_weight_decay"], group["momentum_decay"]
            for p, grad, state in self._params_with_grad(group, l2_penalty=not decoupled):
                if decoupled and group["weight_decay"] != 0:
                    p._array *= 1 - lr * group["weight_decay"]
                if not state:
                    state["step"] = _step_tensor()
                    state["mu_product"] = Tensor._make(np.ones((), dtype=np.float32))
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                state["step"]._array += 1
                step = float(state["step"]._array)
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
                state["mu_product"]._array *= np.float32(mu)  # a float32 product, as PyTorch keeps it
                mu_product = float(state["mu_product"]._array)
                exp_avg, exp_avg_sq = state["exp_avg"]._array, state["exp_avg_sq"]._array
                _lerp_(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                _addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
                denom = exp_avg_sq / (1 - beta2**step)
                np.sqrt(denom, out=denom)
                denom += eps
                _addcdiv_(p._array, grad, denom, -lr * (1.0 - mu) / (1.0 - mu_product))
                _addcdiv_(p._array, exp_avg, denom, -lr * mu_next / (1.0 - mu_product * mu_next))
        return loss
