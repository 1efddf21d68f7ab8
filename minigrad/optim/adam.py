"""Adam and AdamW (with the AMSGrad variant), PyTorch's formulation."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .optimizer import Optimizer, ParamsT, _addcdiv_, _addcmul_, _lerp_, _step_tensor, _zeros_like

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    r"""Adam: adaptive moment estimation.

    For each parameter with gradient ``g`` at step ``t``::

        g = g + weight_decay * p                     (Adam: L2 penalty, if weight_decay != 0)
        p = p * (1 - lr * weight_decay)              (AdamW: decoupled decay instead)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v)                        (amsgrad; then v_max replaces v below)
        p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    Args:
        params: parameters or param-group dicts.
        lr (float): learning rate. Default: 1e-3.
        betas (Tuple[float, float]): decay rates of the moment estimates. Default: (0.9, 0.999).
        eps (float): added to the denominator. Default: 1e-8.
        weight_decay (float): L2 penalty. Default: 0.
        amsgrad (bool): keep the maximum of the second moments (AMSGrad). Default: False.
        maximize (bool): maximize the objective instead of minimizing. Default: False.

    State per parameter: ``step`` (float32 scalar tensor), ``exp_avg``, ``exp_avg_sq`` and,
    with amsgrad, ``max_exp_avg_sq``.

    Example:

        >>> import minigrad
        >>> w = minigrad.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = minigrad.optim.Adam([w], lr=0.1)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    _decoupled_weight_decay = False

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
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
        defaults = dict(
            lr=lr, betas=tuple(betas), eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize
        )
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once.

        Args:
            closure (callable, optional): re-evaluates the model and returns the loss,
                which ``step`` returns. Default: None.

        Example:
            >>> w = minigrad.tensor([1.0, -2.0], requires_grad=True)
            >>> opt = minigrad.optim.Adam([w], lr=0.1)
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
            lr, (beta1, beta2), eps, amsgrad = group["lr"], group["betas"], group["eps"], group["amsgrad"]
            decay = 1 - lr * group["weight_decay"] if self._decoupled_weight_decay else 1
            for p, grad, state in self._params_with_grad(group, l2_penalty=not self._decoupled_weight_decay):
                if decay != 1:
                    p._array *= decay
                if not state:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _zeros_like(p)
                    state["exp_avg_sq"] = _zeros_like(p)
                    if amsgrad:
                        state["max_exp_avg_sq"] = _zeros_like(p)
                state["step"]._array += 1
                step = float(state["step"]._array)
                exp_avg, exp_avg_sq = state["exp_avg"]._array, state["exp_avg_sq"]._array
                _lerp_(exp_avg, grad, 1 - beta1)
                exp_avg_sq *= beta2
                _addcmul_(exp_avg_sq, grad, grad, 1 - beta2)
                if amsgrad:
                    np.maximum(state["max_exp_avg_sq"]._array, exp_avg_sq, out=state["max_exp_avg_sq"]._array)
                    exp_avg_sq = state["max_exp_avg_sq"]._array
                step_size = lr / (1 - beta1**step)
                denom = np.sqrt(exp_avg_sq)
                denom /= (1 - beta2**step) ** 0.5
                denom += eps
                _addcdiv_(p._array, exp_avg, denom, -step_size)
        return loss


class AdamW(Adam):
    r"""Adam with decoupled weight decay: ``p = p * (1 - lr * weight_decay)`` before the Adam update.

    Same arguments as :class:`Adam`, but ``weight_decay`` defaults to 1e-2 and is applied
    to the parameter directly instead of being added to the gradient.

    Args:
        params: parameters or param-group dicts.
        lr (float): learning rate. Default: 1e-3.
        betas (Tuple[float, float]): decay rates of the moment estimates. Default: (0.9, 0.999).
        eps (float): added to the denominator. Default: 1e-8.
        weight_decay (float): decoupled weight decay. Default: 1e-2.
        amsgrad (bool): keep the maximum of the second moments (AMSGrad). Default: False.
        maximize (bool): maximize the objective instead of minimizing. Default: False.

    Example:
        >>> w = minigrad.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = minigrad.optim.AdamW([w], lr=0.1, weight_decay=0.5)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        tensor([ 0.8500, -1.8000], requires_grad=True)
    """

    _decoupled_weight_decay = True

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize)
