"""Stochastic gradient descent, with momentum, dampening, Nesterov momentum and weight decay."""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from minigrad_core import optim

from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), PyTorch's formulation.

    For each parameter with gradient ``g`` at step ``t``::

        g = g + weight_decay * p                       (if weight_decay != 0)
        b = g                                          (t = 1)
        b = momentum * b + (1 - dampening) * g         (t > 1)
        g = g + momentum * b  if nesterov  else  b     (if momentum != 0)
        p = p - lr * g

    with ``g`` negated first when ``maximize``. The notes' ResNet recipe is
    ``SGD(params, lr=0.1, momentum=0.9, weight_decay=...)``.

    Args:
        params: parameters or param-group dicts.
        lr (float): learning rate. Default: 1e-3.
        momentum (float): momentum factor. Default: 0.
        dampening (float): dampening of the momentum. Default: 0.
        weight_decay (float): L2 penalty. Default: 0.
        nesterov (bool): use Nesterov momentum. Default: False.
        maximize (bool): maximize the objective instead of minimizing. Default: False.

    Example:

        >>> import minigrad
        >>> w = minigrad.tensor([1.0, -2.0], requires_grad=True)
        >>> opt = minigrad.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> (w * w).sum().backward()
        >>> opt.step()
        >>> w
        tensor([ 0.8000, -1.6000], requires_grad=True)
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
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
            >>> opt = minigrad.optim.SGD([w], lr=0.1)
            >>> def closure():
            ...     opt.zero_grad()
            ...     loss = (w * w).sum()
            ...     loss.backward()
            ...     return loss
            >>> opt.step(closure)
            tensor(5., grad_fn=<SumBackward0>)
            >>> w
            tensor([ 0.8000, -1.6000], requires_grad=True)
        """
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr, momentum = group["lr"], group["momentum"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                first = "momentum_buffer" not in state
                if momentum != 0 and first:
                    state["momentum_buffer"] = Tensor._make(np.empty_like(p._array))
                buf = state["momentum_buffer"]._array if momentum != 0 else None
                p._bump_version()
                _sgd_step(p._array, p.grad._array, buf, lr, group, first)
        return loss


def _sgd_step(param, grad, buf, lr, group, first):
    """param (and buf) updated in place by the fused kernel; arrays it cannot take (not
    C-contiguous, or not float32/float64) go through copies, written back after."""
    dtype = param.dtype if param.dtype in (np.float32, np.float64) else np.dtype(np.float32)
    param_work = np.ascontiguousarray(param, dtype=dtype)
    buf_work = None if buf is None else np.ascontiguousarray(buf, dtype=dtype)
    optim.sgd_step(
        param_work.reshape(-1),
        np.ascontiguousarray(grad, dtype=dtype).reshape(-1),
        None if buf_work is None else buf_work.reshape(-1),
        lr,
        group["weight_decay"],
        group["momentum"],
        group["dampening"],
        group["nesterov"],
        group["maximize"],
        first,
    )
    if param_work is not param:
        param[...] = param_work
    if buf_work is not buf:
        buf[...] = buf_work
