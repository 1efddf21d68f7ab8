"""Optimizer: the base class holding param_groups, per-parameter state and their state_dict.

Updates run on the parameters' numpy arrays (``p._array``) in place, outside the tape: a
step never records, so it needs no ``no_grad`` and costs no graph nodes.
"""

from __future__ import annotations

from collections import defaultdict
from copy import deepcopy
from itertools import chain
from typing import Any, Callable, Dict, Iterable, Union

import numpy as np

from ..autograd import enable_grad
from ..tensor import Tensor

__all__ = ["Optimizer"]

ParamsT = Union[Iterable[Tensor], Iterable[Dict[str, Any]]]
"""What an optimizer takes: Tensors, or param-group dicts with a ``"params"`` entry."""


class Optimizer:
    """Base class for optimizers.

    Args:
        params: an iterable of Tensors, or of dicts (param groups) with a ``"params"``
            entry and per-group hyper-parameters overriding ``defaults``.
        defaults (dict): the hyper-parameters every group gets unless it sets its own.

    Subclasses implement ``step``; per-parameter buffers live in ``self.state[p]``.

    Example:
        >>> w, b = minigrad.ones(2, requires_grad=True), minigrad.zeros(1, requires_grad=True)
        >>> opt = minigrad.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
        >>> [group["lr"] for group in opt.param_groups]
        [0.1, 0.5]
    """

    def __init__(self, params: ParamsT, defaults: dict[str, Any]) -> None:
        self.defaults = defaults
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, "
                f"but got {type(params).__name__}"
            )
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __repr__(self) -> str:
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        return "\n".join(lines) + "\n)"

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters, filling unset hyper-parameters from ``defaults``.

        Args:
            param_group (dict): ``{"params": tensors, ...}`` with optional hyper-parameters
                of its own (``"lr"``, ...).

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.ones(1, requires_grad=True)], lr=0.1)
            >>> opt.add_param_group({"params": [minigrad.ones(2, requires_grad=True)], "lr": 0.01})
            >>> len(opt.param_groups), opt.param_groups[1]["momentum"]
            (2, 0)
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering "
                "of tensors in sets will change between runs. Please use a list instead."
            )
        params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {type(p).__name__}")
            if not p.is_leaf:
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group, params=params)
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            raise ValueError("optimizer contains a parameter group with duplicate parameters")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to None (default), or to zeros in place.

        Args:
            set_to_none (bool): set ``.grad`` to None rather than fill it with zeros.
                Default: True.

        Example:
            >>> w = minigrad.ones(2, requires_grad=True)
            >>> opt = minigrad.optim.SGD([w], lr=0.1)
            >>> w.sum().backward()
            >>> opt.zero_grad(set_to_none=False)
            >>> w.grad
            tensor([0., 0.])
            >>> opt.zero_grad()
            >>> w.grad is None
            True
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    p.grad.detach_()
                    p.grad.fill_(0)  # not zero_(): it computes grad * 0, which keeps NaN and inf

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Update the parameters once; each optimizer defines it.

        Args:
            closure (callable, optional): re-evaluates the model (zero_grad, forward,
                backward) and returns the loss, which ``step`` returns. Default: None.

        Example:
            >>> w = minigrad.tensor([1.0], requires_grad=True)
            >>> opt = minigrad.optim.SGD([w], lr=0.1)
            >>> (2 * w).sum().backward()
            >>> opt.step()
            >>> w
            tensor([0.8000], requires_grad=True)
        """
        raise NotImplementedError

    def _closure_loss(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def _params_with_grad(self, group, l2_penalty=True):
        """(param, gradient array, state) for each parameter of ``group`` that has a gradient.

        The gradient is negated for ``maximize`` and, with ``l2_penalty``, has
        ``weight_decay * param`` added; the parameter's own ``.grad`` is never written to.
        The caller updates ``param._array`` in place; that counts as an in-place change of the
        parameter (its version moves on), so a graph that saved it refuses to backward.
        """
        maximize, weight_decay = group.get("maximize", False), group.get("weight_decay", 0)
        for p in group["params"]:
            if p.grad is None:
                continue
            grad = -p.grad._array if maximize else p.grad._array
            if l2_penalty and weight_decay != 0:
                decayed = weight_decay * p._array
                decayed += grad
                grad = decayed
            p._bump_version()
            yield p, grad, self.state[p]

    # ---- state dict ---------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """The optimizer's state as ``{"state": {index: {...}}, "param_groups": [{..., "params": [index]}]}``.

        Parameters are numbered in the order they appear across the groups, as in PyTorch;
        the parameters themselves are not saved, and the tensors are not copied.

        Example:
            >>> w = minigrad.ones(2, requires_grad=True)
            >>> opt = minigrad.optim.SGD([w], lr=0.1, momentum=0.9)
            >>> w.sum().backward()
            >>> opt.step()
            >>> state = opt.state_dict()
            >>> state["state"]
            {0: {'momentum_buffer': tensor([1., 1.])}}
            >>> state["param_groups"][0]["params"]
            [0]
        """
        index_of = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index_of.setdefault(id(p), len(index_of))
            packed["params"] = [index_of[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index_of[id(p)]: s for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Load a state from ``state_dict()`` (tensors are copied, cast to their parameter's dtype).

        Args:
            state_dict (dict): what ``state_dict()`` returned, for the same parameter
                layout (groups and sizes).

        Example:
            >>> w = minigrad.ones(2, requires_grad=True)
            >>> opt = minigrad.optim.Adam([w], lr=0.1)
            >>> w.sum().backward()
            >>> opt.step()
            >>> fresh = minigrad.optim.Adam([w], lr=0.5)
            >>> fresh.load_state_dict(opt.state_dict())
            >>> fresh.param_groups[0]["lr"], fresh.state[w]["step"]
            (0.1, tensor(1.))
        """
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(self.param_groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups, saved_groups)):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"
            )
        param_of = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in self.param_groups),
            )
        )
        state = defaultdict(dict)
        for key, value in state_dict["state"].items():
            # Keys are ints, or their string form when the dict went through a text format.
            key = int(key) if isinstance(key, str) and key.isdigit() else key
            if key in param_of:
                param = param_of[key]
                state[param] = {name: _cast_state(param, name, v) for name, v in value.items()}
            else:
                state[key] = value
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
        self.state = state
        self.param_groups = saved_groups


def _cast_state(param, name, value):
    """A copy of a state tensor in its parameter's dtype; ``step`` keeps its own dtype."""
    if not isinstance(value, Tensor):
        return value
    dtype = value._array.dtype if name == "step" or param._array.dtype.kind != "f" else param._array.dtype
    return Tensor._make(np.array(value._array, dtype=dtype))


# In-place kernels with PyTorch's rounding order and one temporary each.


def _lerp_(start, end, weight):
    """``start += weight * (end - start)``, in the two-branch form of PyTorch's lerp."""
    diff = end - start
    if abs(weight) < 0.5:
        diff *= weight
        start += diff
    else:
        diff *= 1 - weight
        np.subtract(end, diff, out=start)


def _addcmul_(target, a, b, value):
    """``target += value * a * b`` (PyTorch's addcmul_)."""
    product = a * value
    product *= b
    target += product


def _addcdiv_(target, a, b, value):
    """``target += value * a / b`` (PyTorch's addcdiv_)."""
    quotient = a * value
    quotient /= b
    target += quotient


def _step_tensor():
    """PyTorch's per-parameter step counter: a float32 scalar tensor."""
    return Tensor._make(np.zeros((), dtype=np.float32))


def _zeros_like(p):
    return Tensor._make(np.zeros_like(p._array))
