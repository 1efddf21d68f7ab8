"""RMSprop, PyTorch's formulation (optionally centered, with momentum)."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .optimizer import Optimizer, ParamsT, _addcdiv_, _addcmul_, _lerp_, _step_tensor, _zeros_like

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop: divide the gradient by a running root mean square of its recent values.

    For each parameter with gradient ``g``::

        g = g + weight_decay * p                        (if weight_decay != 0)
        v = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v - g_avg**2) + eps,  g_avg = alpha * g_avg + (1 - alpha) * g   (centered)
        avg = sqrt(v) + eps                                                        (otherwise)
        b = momentum * b + g / avg;  p = p - lr * b     (if momentum > 0)
        p = p - lr * g / avg                            (otherwise)

    Args:
        params: parameters or param-group dicts.
        lr (float): learning rate. Default: 1e-2.
        alpha (float): smoothing constant. Default: 0.99.
        eps (float): added to the denominator. Default: 1e-8.
        weight_decay (float): L2 penalty. Default: 0.
        momentum (float): momentum factor. Default: 0.
        centered (bool): normalize by an estimate of the gradient's variance. Default: False.
        maximize (bool): maximize the objective instead of minimizing. Default: False.

    State per parameter: ``step``, ``square_avg``, and ``momentum_buffer`` (momentum > 0)
    and ``grad_avg`` (centered).

    Example:
        >>> w = minigrad.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = minigrad.optim.RMSprop([w], lr=0.01)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        tensor([ 0.9000, -1.9000], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            weight_decay=weight_decay,
            momentum=momentum,
            centered=centered,
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
            >>> opt = minigrad.optim.RMSprop([w], lr=0.01)
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
            lr, alpha, eps, momentum = group["lr"], group["alpha"], group["eps"], group["momentum"]
            for p, grad, state in self._params_with_grad(group):
                if not state:
                    state["step"] = _step_tensor()
                    state["square_avg"] = _zeros_like(p)
                    if momentum > 0:
                        state["momentum_buffer"] = _zeros_like(p)
                    if group["centered"]:
                        state["grad_avg"] = _zeros_like(p)
                state["step"]._array += 1
                square_avg = state["square_avg"]._array
                square_avg *= alpha
                _addcmul_(square_avg, grad, grad, 1 - alpha)
                if group["centered"]:
                    grad_avg = state["grad_avg"]._array
                    _lerp_(grad_avg, grad, 1 - alpha)
                    avg = grad_avg * -1  # square_avg - grad_avg**2, as addcmul(grad_avg, grad_avg, value=-1)
                    avg *= grad_avg
                    avg += square_avg
                    np.sqrt(avg, out=avg)
                else:
                    avg = np.sqrt(square_avg)
                avg += eps
                if momentum > 0:
                    buf = state["momentum_buffer"]._array
                    buf *= momentum
                    _addcdiv_(buf, grad, avg, 1)
                    p._array -= lr * buf
                else:
                    _addcdiv_(p._array, grad, avg, -lr)
        return loss
