"""Containers: Sequential (runs children in order), ModuleList and ModuleDict (hold them)."""

from __future__ import annotations

import operator
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, ItemsView, Iterable, Iterator, KeysView, Mapping, NoReturn, TypeVar, ValuesView

from .module import Module

if TYPE_CHECKING:
    # What append() and extend() return: the container itself, with its own class.
    _S = TypeVar("_S", bound="_ModuleSequence")

__all__ = ["Sequential", "ModuleList", "ModuleDict"]


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: children named '0', '1', ... in order."""

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def _position(self, idx):
        """``idx`` as a position in 0..len-1 (negative counts from the end)."""
        idx = operator.index(idx)
        if not -len(self) <= idx < len(self):
            raise IndexError(f"index {idx} is out of range")
        return idx % len(self)

    def append(self: _S, module: Module) -> _S:
        """Add ``module`` at the end (named by its position) and return the container.

        Args:
            module: the Module to add.

        Example:
            >>> net = nn.Sequential(nn.Linear(2, 2)).append(nn.ReLU())
            >>> net
            Sequential(
              (0): Linear(in_features=2, out_features=2, bias=True)
              (1): ReLU()
            )
        """
        self.add_module(str(len(self)), module)
        return self

    def extend(self: _S, modules: Iterable[Module]) -> _S:
        """Add each of ``modules`` at the end, in order, and return the container.

        Args:
            modules: an iterable of Modules.

        Example:
            >>> layers = nn.ModuleList([nn.Linear(2, 2)]).extend([nn.ReLU(), nn.Linear(2, 1)])
            >>> len(layers)
            3
        """
        for module in modules:
            self.append(module)
        return self

    def _renumber(self, modules):
        self._modules = OrderedDict((str(i), m) for i, m in enumerate(modules))


class Sequential(_ModuleSequence):
    """Children called one after the other: ``Sequential(a, b)(x) == b(a(x))``.

    Built from modules (named '0', '1', ...) or from one OrderedDict of named modules. It
    indexes, slices (a new Sequential), deletes and iterates like a list.

    Args:
        args: the modules in order, or a single ``OrderedDict`` of name to module.

    Shape:
        input: what the first module takes; output: what the last one returns.

    Example:
        >>> net = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
        >>> net(minigrad.zeros(2, 4)).shape
        minigrad.Size([2, 3])
        >>> from collections import OrderedDict
        >>> named = nn.Sequential(OrderedDict([("fc", nn.Linear(4, 3)), ("act", nn.ReLU())]))
        >>> named.fc, named[1]
        (Linear(in_features=4, out_features=3, bias=True), ReLU())
    """

    def __init__(self, *args: Module | OrderedDict[str, Module]) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for name, module in args[0].items():
                self.add_module(name, module)
        else:
            for i, module in enumerate(args):
                self.add_module(str(i), module)

    def __getitem__(self, idx: int | slice) -> Module:
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[self._position(idx)]

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules.keys())[self._position(idx)]
        self.add_module(key, module)

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules.keys())
        for key in keys[idx] if isinstance(idx, slice) else [keys[self._position(idx)]]:
            del self._modules[key]
        self._renumber(self._modules.values())  # keep the names 0..n-1, as PyTorch does

    def forward(self, input: Any) -> Any:
        """Call each child on the output of the previous one, in order.

        Args:
            input: what the first child takes.

        Example:
            >>> nn.Sequential(nn.Flatten(), nn.Linear(4, 1))(minigrad.ones(3, 2, 2)).shape
            minigrad.Size([3, 1])
        """
        for module in self._modules.values():
            input = module(input)
        return input


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters the owner sees; indexing, slicing, ``append``,
    ``extend``, ``insert`` and ``+=`` as a Python list. It has no forward: iterate and call.

    A plain Python list of layers would hide their parameters from ``parameters()`` and
    ``state_dict()``; this one registers them as children '0', '1', ...

    Args:
        modules: an optional iterable of Modules; default None (empty).

    Example:
        >>> class Tower(nn.Module):
        ...     def __init__(self, depth):
        ...         super().__init__()
        ...         self.layers = nn.ModuleList(nn.Linear(3, 3) for _ in range(depth))
        ...     def forward(self, x):
        ...         for layer in self.layers:
        ...             x = layer(x).relu()
        ...         return x
        >>> tower = Tower(4)
        >>> len(list(tower.parameters())), tower(minigrad.ones(1, 3)).shape
        (8, minigrad.Size([1, 3]))
    """

    def __init__(self, modules: Iterable[Module] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    def __getitem__(self, idx: int | slice) -> Module:
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[str(self._position(idx))]

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(str(self._position(idx)), module)

    def __delitem__(self, idx: int | slice) -> None:
        modules = list(self._modules.values())
        del modules[idx if isinstance(idx, slice) else self._position(idx)]
        self._renumber(modules)

    def __iadd__(self, modules: Iterable[Module]) -> ModuleList:
        return self.extend(modules)

    def insert(self, index: int, module: Module) -> None:
        """Insert ``module`` before position ``index`` (the later ones are renumbered).

        Args:
            index: the position, as ``list.insert`` takes it.
            module: the Module to insert.

        Example:
            >>> layers = nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2)])
            >>> layers.insert(1, nn.ReLU())
            >>> [type(m).__name__ for m in layers]
            ['Linear', 'ReLU', 'Linear']
        """
        modules = list(self._modules.values())
        modules.insert(index, module)
        self._renumber(modules)

    def forward(self, *args: Any) -> NoReturn:
        """Refused with NotImplementedError: a ModuleList holds modules; iterate over it and call them.

        Args:
            args: any.

        Example:
            >>> nn.ModuleList([nn.ReLU()])(minigrad.ones(1))
            Traceback (most recent call last):
            ...
            NotImplementedError: ModuleList has no forward(); iterate over it and call its modules
        """
        raise NotImplementedError("ModuleList has no forward(); iterate over it and call its modules")


class ModuleDict(Module):
    """A dict of modules whose parameters the owner sees; keeps insertion order and indexes,
    iterates (over keys) and tests membership as a dict. It has no forward.

    Args:
        modules: an optional mapping of name to Module, or an iterable of (name, Module)
            pairs; default None (empty).

    Example:
        >>> heads = nn.ModuleDict({"cls": nn.Linear(4, 10), "box": nn.Linear(4, 4)})
        >>> x = minigrad.ones(2, 4)
        >>> {name: tuple(head(x).shape) for name, head in heads.items()}
        {'cls': (2, 10), 'box': (2, 4)}
    """

    def __init__(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]] | None = None) -> None:
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        self.add_module(key, module)

    def __delitem__(self, key: str) -> None:
        del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __contains__(self, key: object) -> bool:
        return key in self._modules

    def keys(self) -> KeysView[str]:
        """The names, in insertion order.

        Example:
            >>> list(nn.ModuleDict({"a": nn.ReLU(), "b": nn.Tanh()}).keys())
            ['a', 'b']
        """
        return self._modules.keys()

    def items(self) -> ItemsView[str, Module]:
        """The (name, module) pairs, in insertion order.

        Example:
            >>> list(nn.ModuleDict({"act": nn.ReLU()}).items())
            [('act', ReLU())]
        """
        return self._modules.items()

    def values(self) -> ValuesView[Module]:
        """The modules, in insertion order.

        Example:
            >>> list(nn.ModuleDict({"a": nn.ReLU(), "b": nn.Tanh()}).values())
            [ReLU(), Tanh()]
        """
        return self._modules.values()

    def pop(self, key: str) -> Module:
        """Remove the module named ``key`` and return it.

        Args:
            key: the name.

        Example:
            >>> d = nn.ModuleDict({"a": nn.ReLU(), "b": nn.Tanh()})
            >>> d.pop("a"), list(d.keys())
            (ReLU(), ['b'])
        """
        value = self[key]
        del self[key]
        return value

    def clear(self) -> None:
        """Remove every module.

        Example:
            >>> d = nn.ModuleDict({"a": nn.ReLU()})
            >>> d.clear()
            >>> len(d)
            0
        """
        self._modules.clear()

    def update(self, modules: Mapping[str, Module] | Iterable[tuple[str, Module]]) -> None:
        """Add or replace modules from a mapping or from (name, module) pairs, in their order.

        Args:
            modules: a mapping of name to Module, or an iterable of (name, Module) pairs.

        Example:
            >>> d = nn.ModuleDict({"a": nn.ReLU()})
            >>> d.update([("a", nn.Tanh()), ("b", nn.Sigmoid())])
            >>> d
            ModuleDict(
              (a): Tanh()
              (b): Sigmoid()
            )
        """
        pairs = modules.items() if hasattr(modules, "items") else modules
        for key, module in pairs:
            self[key] = module

    def forward(self, *args: Any) -> NoReturn:
        """Refused with NotImplementedError: a ModuleDict holds modules; index it and call them.

        Args:
            args: any.

        Example:
            >>> nn.ModuleDict({'act': nn.ReLU()})(minigrad.ones(1))
            Traceback (most recent call last):
            ...
            NotImplementedError: ModuleDict has no forward(); index it and call its modules
        """
        raise NotImplementedError("ModuleDict has no forward(); index it and call its modules")
