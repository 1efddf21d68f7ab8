"""Learning-rate schedulers: StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR,
CosineAnnealingWarmRestarts, OneCycleLR, ReduceLROnPlateau.

Call ``scheduler.step()`` once per epoch, after ``optimizer.step()``; ReduceLROnPlateau
takes the validation metric: ``scheduler.step(val_loss)``. The chainable schedulers
update each group's current ``lr`` from its previous value, as PyTorch's do, so their lr
sequences match PyTorch's to the last bit.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter
from typing import Any, Iterable, Sequence, SupportsFloat

from .optimizer import Optimizer

__all__ = [
    "LRScheduler",
    "StepLR",
    "MultiStepLR",
    "ExponentialLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "OneCycleLR",
    "ReduceLROnPlateau",
]


class LRScheduler:
    """Base class: sets ``initial_lr`` in each group and takes the first step at construction.

    Subclasses implement ``get_lr()`` (the chainable rule, from the current lrs) and may
    implement ``_get_closed_form_lr()`` (from ``base_lrs``), used by ``step(epoch)``.

    Args:
        optimizer (Optimizer): the optimizer whose lrs to set.
        last_epoch (int): the index of the last epoch when resuming; -1 starts afresh
            (the groups must then hold ``initial_lr``). Default: -1.

    Example:
        >>> class Halve(minigrad.optim.lr_scheduler.LRScheduler):
        ...     def get_lr(self):
        ...         return [base * 0.5**self.last_epoch for base in self.base_lrs]
        >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = Halve(opt)
        >>> sched.step()
        >>> sched.get_last_lr()
        [0.05]
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming an optimizer"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        self.step()
        self._is_initial = False

    def state_dict(self) -> dict[str, Any]:
        """Every attribute except the optimizer.

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> sched = minigrad.optim.lr_scheduler.StepLR(opt, step_size=2)
            >>> sched.state_dict()["last_epoch"], sched.state_dict()["base_lrs"]
            (0, [0.1])
        """
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned.

        Args:
            state_dict (dict): a scheduler's ``state_dict()``.

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> old = minigrad.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
            >>> old.step()
            >>> new = minigrad.optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
            >>> new.load_state_dict(old.state_dict())
            >>> new.gamma, new.last_epoch
            (0.5, 1)
        """
        self.__dict__.update(state_dict)

    def get_last_lr(self) -> list[float]:
        """The learning rates the last ``step()`` set, one per param group.

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> sched = minigrad.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
            >>> sched.step()
            >>> sched.get_last_lr()
            [0.05]
        """
        return self._last_lr

    def get_lr(self) -> list[float]:
        """The lrs of the epoch ``self.last_epoch``, one per group; each scheduler defines it.

        ``step()`` calls it after advancing ``last_epoch``; the chainable schedulers compute
        it from the groups' current lrs, so call ``get_last_lr()`` to read the lrs.

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> sched = minigrad.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
            >>> sched.last_epoch += 1
            >>> sched.get_lr()
            [0.05]
        """
        raise NotImplementedError

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or jump to ``epoch`` using the closed form) and set the groups' lrs.

        Args:
            epoch (int, optional): the epoch to go to (PyTorch deprecates it); None
                advances by one. Default: None.

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> sched = minigrad.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1)
            >>> for epoch in range(3):
            ...     sched.step()
            >>> sched.get_last_lr()
            [0.010000000000000002]
        """
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", self.get_lr)
            values = closed_form()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]


class StepLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` every ``step_size`` epochs.

    ``lr = base_lr * gamma ** (epoch // step_size)``.

    Args:
        optimizer (Optimizer): the optimizer whose lrs to set.
        step_size (int): the number of epochs between two decays.
        gamma (float): the multiplier. Default: 0.1.
        last_epoch (int): the last epoch's index when resuming. Default: -1.

    Example:
        >>> w = minigrad.zeros(1, requires_grad=True)
        >>> opt = minigrad.optim.SGD([w], lr=0.1)
        >>> sched = minigrad.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        >>> for epoch in range(4):
        ...     opt.step(); sched.step()
        >>> sched.get_last_lr()
        [0.025]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The lrs after stepping to ``self.last_epoch`` (called by ``step()``).

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> sched = minigrad.optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5)
            >>> sched.last_epoch += 1
            >>> sched.get_lr()
            [0.05]
        """
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` when the epoch reaches each of ``milestones``.

    Args:
        optimizer (Optimizer): the optimizer whose lrs to set.
        milestones (iterable of int): the epochs at which to decay (a repeated epoch
            decays as many times).
        gamma (float): the multiplier. Default: 0.1.
        last_epoch (int): the last epoch's index when resuming. Default: -1.

    Example:
        >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = minigrad.optim.lr_scheduler.MultiStepLR(opt, milestones=[2, 4], gamma=0.5)
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(sched.get_last_lr()[0])
        ...     sched.step()
        >>> lrs
        [0.1, 0.1, 0.05, 0.05, 0.025]
    """

    def __init__(
        self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The lrs after stepping to ``self.last_epoch`` (called by ``step()``).

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> sched = minigrad.optim.lr_scheduler.MultiStepLR(opt, milestones=[1])
            >>> sched.last_epoch += 1
            >>> sched.get_lr()
            [0.010000000000000002]
        """
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self._current_lrs()]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict()`` returned (the milestones become a Counter again).

        Args:
            state_dict (dict): a MultiStepLR's ``state_dict()``.

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> old = minigrad.optim.lr_scheduler.MultiStepLR(opt, milestones=[3, 3])
            >>> new = minigrad.optim.lr_scheduler.MultiStepLR(opt, milestones=[1])
            >>> new.load_state_dict(old.state_dict())
            >>> new.milestones
            Counter({3: 2})
        """
        super().load_state_dict(state_dict)
        self.milestones = Counter(self.milestones)  # a plain dict after minigrad.load

    def _get_closed_form_lr(self):
        milestones = sorted(self.milestones.elements())
        return [base_lr * self.gamma ** bisect_right(milestones, self.last_epoch) for base_lr in self.base_lrs]


class ExponentialLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` every epoch: ``lr = base_lr * gamma ** epoch``.

    Args:
        optimizer (Optimizer): the optimizer whose lrs to set.
        gamma (float): the multiplier.
        last_epoch (int): the last epoch's index when resuming. Default: -1.

    Example:
        >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = minigrad.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
        >>> for epoch in range(3):
        ...     sched.step()
        >>> sched.get_last_lr()
        [0.0125]
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The lrs after stepping to ``self.last_epoch`` (called by ``step()``).

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> sched = minigrad.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
            >>> sched.last_epoch += 1
            >>> sched.get_lr()
            [0.05]
        """
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Anneal each group's lr along a cosine from ``base_lr`` to ``eta_min`` over ``T_max`` epochs.

    ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``, computed
    recursively from the previous lr as PyTorch does (past ``T_max`` it climbs back up).

    Args:
        optimizer (Optimizer): the optimizer whose lrs to set.
        T_max (int): the number of epochs of the half cosine.
        eta_min (float): the lowest lr. Default: 0.
        last_epoch (int): the last epoch's index when resuming. Default: -1.

    Example:
        >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = minigrad.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=4)
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     sched.step()
        >>> lrs
        [0.1, 0.0854, 0.05, 0.0146, 0.0]
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The lrs after stepping to ``self.last_epoch`` (called by ``step()``).

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> sched = minigrad.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=2)
            >>> sched.last_epoch += 1
            >>> sched.get_lr()
            [0.05]
        """
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and self.last_epoch > 0:
            return self._get_closed_form_lr()
        if (self.last_epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            return [
                lr + (base_lr - self.eta_min) * (1 - math.cos(math.pi / self.T_max)) / 2
                for lr, base_lr in zip(self._current_lrs(), self.base_lrs)
            ]
        ratio = (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / (
            1 + math.cos(math.pi * (self.last_epoch - 1) / self.T_max)
        )
        return [ratio * (lr - self.eta_min) + self.eta_min for lr in self._current_lrs()]

    def _get_closed_form_lr(self):
        return [
            self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
            for base_lr in self.base_lrs
        ]


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing from ``base_lr`` to ``eta_min``, restarted every cycle (SGDR).

    ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2``, where ``T_cur``
    counts the epochs since the last restart and the i-th cycle lasts ``T_i = T_0 * T_mult**i``
    epochs. ``step()`` may be called once per batch with a fractional epoch,
    ``step(epoch + i / iters)``.

    Args:
        optimizer (Optimizer): the optimizer whose lrs to set.
        T_0 (int): length of the first cycle, in epochs (> 0).
        T_mult (int): factor by which each cycle is longer than the last (>= 1). Default: 1.
        eta_min (float): the lowest lr. Default: 0.
        last_epoch (int): the last epoch's index when resuming. Default: -1.

    Example:
        >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = minigrad.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2)
        >>> lrs = []
        >>> for epoch in range(5):
        ...     lrs.append(round(sched.get_last_lr()[0], 4))
        ...     sched.step()
        >>> lrs
        [0.1, 0.05, 0.1, 0.05, 0.1]
    """

    def __init__(
        self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        if not isinstance(T_0, int) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if not isinstance(T_mult, int) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if not isinstance(eta_min, (float, int)):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}")
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The lrs at ``T_cur`` epochs into the current cycle (called by ``step()``).

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> sched = minigrad.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=4)
            >>> sched.T_cur = 2
            >>> sched.get_lr()
            [0.05]
        """
        return [
            self.eta_min + (base_lr - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
            for base_lr in self.base_lrs
        ]

    def step(self, epoch: float | None = None) -> None:
        """Advance one epoch, or go to ``epoch`` (which may be fractional).

        Args:
            epoch (float, optional): the epoch to go to, e.g. ``epoch + i / iters`` once
                per batch; None advances by one. Default: None.

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> sched = minigrad.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=2)
            >>> sched.step(0.5)
            >>> round(sched.get_last_lr()[0], 4)
            0.0854
        """
        self._step_count += 1
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        elif epoch < 0:
            raise ValueError(f"Expected non-negative epoch, but got {epoch}")
        elif epoch >= self.T_0:
            if self.T_mult == 1:
                self.T_cur = epoch % self.T_0
            else:
                # the cycle n that holds epoch: T_0 * (T_mult**n - 1) / (T_mult - 1) <= epoch
                n = int(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
                self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                self.T_i = self.T_0 * self.T_mult**n
        else:
            self.T_i = self.T_0
            self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = self._current_lrs()


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy: the lr rises from ``max_lr / div_factor`` to ``max_lr``, then falls far below.

    Stepped once per batch, ``total_steps`` times (or ``epochs * steps_per_epoch``). Over the
    first ``pct_start`` of the steps the lr goes from ``initial_lr = max_lr / div_factor`` up
    to ``max_lr``, then down to ``min_lr = initial_lr / final_div_factor``; with
    ``three_phase`` it comes back to ``initial_lr`` first, symmetrically, and then falls to
    ``min_lr``. Each move follows a half cosine (``anneal_strategy='cos'``) or a line
    (``'linear'``). With ``cycle_momentum`` the momentum (or Adam's beta1) moves the other
    way, between ``max_momentum`` and ``base_momentum``.

    Args:
        optimizer (Optimizer): the optimizer whose lrs (and momenta) to set.
        max_lr (float or list): the peak lr, or one per group.
        total_steps (int, optional): the number of steps. Default: None, then
            ``epochs * steps_per_epoch``.
        epochs (int, optional): the number of epochs, with ``steps_per_epoch``. Default: None.
        steps_per_epoch (int, optional): the number of batches per epoch. Default: None.
        pct_start (float): fraction of the steps spent rising. Default: 0.3.
        anneal_strategy (str): ``'cos'`` or ``'linear'``. Default: ``'cos'``.
        cycle_momentum (bool): move the momentum inversely to the lr. Default: True.
        base_momentum, max_momentum (float or list): momentum bounds. Default: 0.85, 0.95.
        div_factor (float): ``initial_lr = max_lr / div_factor``. Default: 25.
        final_div_factor (float): ``min_lr = initial_lr / final_div_factor``. Default: 1e4.
        three_phase (bool): rise, fall back to ``initial_lr``, then fall to ``min_lr``. Default: False.
        last_epoch (int): the index of the last step when resuming. Default: -1.

    Example:
        >>> w = minigrad.zeros(1, requires_grad=True)
        >>> opt = minigrad.optim.SGD([w], lr=0.1, momentum=0.9)
        >>> sched = minigrad.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
        >>> for batch in range(2):  # the peak comes after 30% of the 10 steps, minus one
        ...     opt.step(); sched.step()
        >>> round(sched.get_last_lr()[0], 6)
        1.0
    """

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | Sequence[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | Sequence[float] = 0.85,
        max_momentum: float | Sequence[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if total_steps is not None:
            if not isinstance(total_steps, int) or total_steps <= 0:
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = total_steps
        elif epochs is not None and steps_per_epoch is not None:
            if not isinstance(epochs, int) or epochs <= 0:
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not isinstance(steps_per_epoch, int) or steps_per_epoch <= 0:
                raise ValueError(f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}")
            self.total_steps = epochs * steps_per_epoch
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        if not isinstance(pct_start, float) or not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self.anneal_strategy = anneal_strategy
        rise_end = float(pct_start * self.total_steps) - 1
        # (last step of the phase, lr key at its start, at its end, momentum key at its start, at its end)
        if three_phase:
            self._phases = [
                (rise_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (float(2 * pct_start * self.total_steps) - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                (self.total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        else:
            self._phases = [
                (rise_end, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (self.total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
            ]
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group, peak in zip(groups, _per_group("max_lr", groups, max_lr)):
                group["initial_lr"] = peak / div_factor
                group["max_lr"] = peak
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
                raise ValueError("optimizer must support momentum or beta1 with `cycle_momentum` option enabled")
            self.use_beta1 = "betas" in optimizer.defaults
            if last_epoch == -1:
                highs = _per_group("max_momentum", groups, max_momentum)
                lows = _per_group("base_momentum", groups, base_momentum)
                for group, high, low in zip(groups, highs, lows):
                    self._set_momentum(group, high)
                    group["max_momentum"] = high
                    group["base_momentum"] = low
        super().__init__(optimizer, last_epoch)

    def _set_momentum(self, group, value):
        if self.use_beta1:
            group["betas"] = (value, *group["betas"][1:])
        else:
            group["momentum"] = value

    def _anneal(self, start, end, pct):
        if self.anneal_strategy == "linear":
            return (end - start) * pct + start
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)

    def get_lr(self) -> list[float]:
        """The lrs of step ``self.last_epoch`` (called by ``step()``; sets the momenta too).

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
            >>> sched = minigrad.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
            >>> sched.last_epoch = 2
            >>> sched.get_lr()
            [1.0]
        """
        step = self.last_epoch
        if step > self.total_steps:
            raise ValueError(f"Tried to step {step} times. The specified number of total steps is {self.total_steps}")
        lrs = []
        for group in self.optimizer.param_groups:
            start = 0.0
            for i, (end, lr_from, lr_to, momentum_from, momentum_to) in enumerate(self._phases):
                if step <= end or i == len(self._phases) - 1:
                    pct = (step - start) / (end - start)
                    lrs.append(self._anneal(group[lr_from], group[lr_to], pct))
                    if self.cycle_momentum:
                        self._set_momentum(group, self._anneal(group[momentum_from], group[momentum_to], pct))
                    break
                start = end
        return lrs


def _per_group(name, groups, value):
    """``value`` for each param group: a list of one per group, or one value for all."""
    if isinstance(value, (list, tuple)):
        if len(value) != len(groups):
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. "
                f"{name} has {len(value)} values, param_groups has {len(groups)}."
            )
        return list(value)
    return [value] * len(groups)


class ReduceLROnPlateau(LRScheduler):
    """Multiply the lr by ``factor`` once the metric has stopped improving for ``patience`` epochs.

    The notes' ResNet recipe, "divide by 10 when the validation error plateaus", is
    ``ReduceLROnPlateau(opt, mode='min', factor=0.1)`` stepped with the validation error.

    Args:
        optimizer (Optimizer): the optimizer whose lrs to reduce.
        mode (str): ``'min'`` (the metric should fall) or ``'max'``. Default: ``'min'``.
        factor (float): multiplier of the lr, < 1. Default: 0.1.
        patience (int): epochs without improvement tolerated before reducing. Default: 10.
        threshold (float): how much better counts as an improvement. Default: 1e-4.
        threshold_mode (str): ``'rel'`` (best * (1 -/+ threshold)) or ``'abs'`` (best -/+ threshold).
        cooldown (int): epochs to wait after a reduction before counting again. Default: 0.
        min_lr (float or list): lower bound of the lr, or one per group. Default: 0.
        eps (float): reductions smaller than this are skipped. Default: 1e-8.

    Example:
        >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
        >>> sched = minigrad.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.1, patience=1)
        >>> for val_loss in [1.0, 0.5, 0.5, 0.5, 0.4]:
        ...     sched.step(val_loss)
        ...     print(sched.get_last_lr())
        [0.1]
        [0.1]
        [0.1]
        [0.010000000000000002]
        [0.010000000000000002]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | Sequence[float] = 0,
        eps: float = 1e-8,
    ) -> None:
        if factor >= 1.0:
            raise ValueError("Factor should be < 1.0.")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs, got {len(min_lr)}")
            self.min_lrs = list(min_lr)
        else:
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        self.mode, self.threshold, self.threshold_mode = mode, threshold, threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    @property
    def in_cooldown(self) -> bool:
        """True during the ``cooldown`` epochs that follow a reduction."""
        return self.cooldown_counter > 0

    def is_better(self, a: float, best: float) -> bool:
        """Whether metric ``a`` improves on ``best`` by more than the threshold.

        Args:
            a (float): the new metric.
            best (float): the best metric so far.

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> sched = minigrad.optim.lr_scheduler.ReduceLROnPlateau(opt, threshold=0.01)
            >>> sched.is_better(0.995, 1.0), sched.is_better(0.98, 1.0)
            (False, True)
        """
        if self.mode == "min":
            return a < best * (1.0 - self.threshold) if self.threshold_mode == "rel" else a < best - self.threshold
        return a > best * (self.threshold + 1.0) if self.threshold_mode == "rel" else a > best + self.threshold

    def step(self, metrics: SupportsFloat) -> None:
        """Record this epoch's metric (e.g. validation loss) and reduce the lrs if it has plateaued.

        Args:
            metrics (float or one-element Tensor): the epoch's metric.

        Example:
            >>> opt = minigrad.optim.SGD([minigrad.zeros(1, requires_grad=True)], lr=0.1)
            >>> sched = minigrad.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)
            >>> sched.step(1.0)
            >>> sched.step(minigrad.tensor(2.0))
            >>> sched.get_last_lr()
            [0.010000000000000002]
        """
        current = float(metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                old_lr = float(group["lr"])
                new_lr = max(old_lr * self.factor, min_lr)
                if old_lr - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()
