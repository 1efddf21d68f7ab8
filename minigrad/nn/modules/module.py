"""Module: the base class of layers and models.

A Module owns Parameters (learnable), buffers (state such as BatchNorm's running
statistics) and child Modules, each registered by assigning it to an attribute.
Everything that walks a model (``parameters``, ``state_dict``, ``train``, ``to``,
``repr``) follows the registration order, as PyTorch does.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from typing import TYPE_CHECKING, Any, Callable, Iterator, Mapping, TypeVar

import numpy as np

from ... import devices, dtypes
from ...tensor import Tensor, to_arguments
from ...utils.hooks import RemovableHandle
from .. import init
from ..parameter import Parameter, UninitializedTensorMixin

if TYPE_CHECKING:
    # What train(), eval(), to() and the like return: the module itself, with its own class.
    _M = TypeVar("_M", bound="Module")

__all__ = ["Module"]


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _indent(text, spaces):
    lines = text.split("\n")
    return lines[0] if len(lines) == 1 else lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


def _as_array(value):
    """The ndarray of a Tensor, a numpy array or a CPU torch tensor; None for anything else."""
    if isinstance(value, Tensor):
        return value._array
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value)
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return value.detach().numpy()
    return None


def _cast_for_load(value, dtype):
    """``value`` cast to ``dtype`` (a copy), or a str saying why the cast would lose information.

    Refused: non-number dtypes, complex into a real dtype, finite values that overflow a
    floating dtype, and NaN, inf or out-of-range values for an integer dtype. Rounding
    (float64 into float32) and dropping a fraction (2.7 into int64) are kept, as in PyTorch.
    """
    if value.dtype.kind not in "biufc":
        return f"expected a tensor of numbers from checkpoint, but its dtype is {value.dtype}"
    if value.dtype.kind == "c" and dtype.kind != "c":
        return f"{value.dtype} values would lose their imaginary part in the model's {dtype}"
    if dtype.kind in "iu" and value.size:
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            return f"NaN or inf values cannot be stored in the model's {dtype}"
        low, high = int(value.min()), int(value.max())  # int() drops a fraction, as the cast does
        info = np.iinfo(dtype)
        if low < info.min or high > info.max:
            return f"values from {low} to {high} do not fit the model's {dtype} ({info.min} to {info.max})"
    with np.errstate(over="ignore"):
        cast = value.astype(dtype)
    if dtype.kind == "f" and (np.isinf(cast) & ~np.isinf(value)).any():
        largest = np.abs(value[np.isinf(cast) & ~np.isinf(value)]).max()
        return f"the value {largest:g} overflows the model's {dtype} (largest {np.finfo(dtype).max:g})"
    return cast


class Module:
    """Base class of every layer and model; subclasses define ``forward``.

    Assigning a :class:`~minigrad.nn.Parameter`, a Module or a registered buffer to an
    attribute registers it, so ``parameters()``, ``state_dict()``, ``train()``, ``to()`` and
    the printout find it, in the order of registration. Call the module (``model(x)``), not
    ``forward``, so that hooks run.

    Example:
        >>> class Net(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc = nn.Linear(4, 2)
        ...     def forward(self, x):
        ...         return self.fc(x).relu()
        >>> net = Net()
        >>> [name for name, _ in net.named_parameters()]
        ['fc.weight', 'fc.bias']
        >>> net(minigrad.ones(3, 4)).shape
        minigrad.Size([3, 2])
    """

    training: bool

    def __init__(self) -> None:
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", OrderedDict())
        object.__setattr__(self, "_buffers", OrderedDict())
        object.__setattr__(self, "_non_persistent_buffers", set())
        object.__setattr__(self, "_modules", OrderedDict())
        object.__setattr__(self, "_forward_hooks", OrderedDict())
        object.__setattr__(self, "_forward_pre_hooks", OrderedDict())

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation of the module, defined by every subclass (the base raises
        NotImplementedError).

        Call the module itself (``module(x)``), which runs the forward pre-hooks, ``forward`` and
        the forward hooks.

        Args:
            args: the inputs, as the subclass defines them.
            kwargs: keyword inputs, as the subclass defines them.

        Example:
            >>> layer = nn.Linear(3, 1)
            >>> x = minigrad.ones(2, 3)
            >>> bool((layer.forward(x) == layer(x)).all())
            True
        """
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if not (self._forward_pre_hooks or self._forward_hooks):
            return self.forward(*args, **kwargs)
        for hook in list(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks.values()):
            result = hook(self, args, output)
            if result is not None:
                output = result
        return output

    # ---- registration --------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign to a Module attribute before Module.__init__() call")
        params, modules, buffers = self._parameters, self._modules, self._buffers
        if isinstance(value, Parameter):
            self._forget(name, params)
            params[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' (nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            self._forget(name, modules)
            modules[name] = value
        elif name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' (nn.Module or None expected)"
                )
            modules[name] = None
        elif name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' as buffer '{name}' (Tensor or None expected)")
            buffers[name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name, keep):
        """Drop ``name`` from every store but ``keep``, where it is about to be replaced in place
        (so that replacing a child, parameter or buffer keeps its position, as in PyTorch)."""
        self.__dict__.pop(name, None)
        for store in (self._parameters, self._buffers, self._modules):
            if store is not keep:
                store.pop(name, None)
        self._non_persistent_buffers.discard(name)

    def __getattr__(self, name: str) -> Any:
        d = self.__dict__
        for store in ("_parameters", "_buffers", "_modules"):
            if store in d and name in d[store]:
                return d[store][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        for store in (self._parameters, self._buffers, self._modules):
            if name in store:
                del store[name]
                self._non_persistent_buffers.discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._parameters) | set(self._buffers) | set(self._modules))

    def _check_name(self, kind, name):
        if not isinstance(name, str):
            raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
        if "." in name:
            raise KeyError(f'{kind} name can\'t contain "."')
        if name == "":
            raise KeyError(f'{kind} name can\'t be empty string ""')
        if hasattr(self, name) and name not in getattr(self, "_" + kind.split()[0] + "s", {}):
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a Parameter (or None, a declared but absent parameter) under ``name``.

        The same as assigning ``self.name = param`` for a Parameter, and the only way to register
        a None parameter (as ``Linear(bias=False)`` does).

        Args:
            name: the attribute name; no dots, not an existing non-parameter attribute.
            param: a :class:`~minigrad.nn.Parameter`, or None.

        Example:
            >>> m = nn.Module()
            >>> m.register_parameter("scale", nn.Parameter(minigrad.ones(3)))
            >>> m.register_parameter("shift", None)
            >>> [name for name, _ in m.named_parameters()]
            ['scale']
        """
        self._check_name("parameter", name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' (nn.Parameter or None required)"
            )
        self._forget(name, self._parameters)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: state that is saved in ``state_dict`` (unless not persistent) and follows
        ``to()``, but is not learned (BatchNorm's running statistics).

        Args:
            name: the attribute name; no dots.
            tensor: a Tensor, or None.
            persistent: whether ``state_dict`` includes it; default True.

        Example:
            >>> m = nn.Module()
            >>> m.register_buffer("count", minigrad.zeros(()))
            >>> m.register_buffer("cache", minigrad.zeros(2), persistent=False)
            >>> list(m.state_dict()), len(list(m.buffers()))
            (['count'], 2)
        """
        self._check_name("buffer", name)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(
                f"cannot assign '{type(tensor).__name__}' object to buffer '{name}' (Tensor or None required)"
            )
        self._forget(name, self._buffers)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Add a child module under ``name`` (also ``register_module``); the same as assigning
        ``self.name = module``, for names that are not identifiers.

        Args:
            name: the child's name; no dots.
            module: a Module, or None.

        Example:
            >>> m = nn.Module()
            >>> m.add_module("conv-1", nn.Conv2d(1, 2, 3))
            >>> [name for name, _ in m.named_children()]
            ['conv-1']
        """
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._check_name("module", name)
        self._forget(name, self._modules)
        self._modules[name] = module

    register_module = add_module

    # ---- traversal -----------------------------------------------------------------------
    def named_modules(
        self, memo: set[Module] | None = None, prefix: str = "", remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for this module (name ``''``, or ``prefix``) and every descendant,
        depth first.

        Args:
            memo: modules to skip (used by the recursion); default None.
            prefix: prepended to every name with a dot; default ``''``.
            remove_duplicate: yield a module reached twice only once; default True.

        Example:
            >>> net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU()))
            >>> [name for name, _ in net.named_modules()]
            ['', '0', '1', '1.0']
        """
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            yield from module.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """Every module of the tree, this one first, depth first (each once).

        Example:
            >>> net = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
            >>> [type(m).__name__ for m in net.modules()]
            ['Sequential', 'Linear', 'ReLU']
        """
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """``(name, module)`` for the direct children (each once).

        Example:
            >>> net = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.ReLU()))
            >>> [name for name, _ in net.named_children()]
            ['0', '1']
        """
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
        """The direct children (each once).

        Example:
            >>> net = nn.Sequential(nn.Linear(2, 2), nn.ReLU())
            >>> list(net.children())
            [Linear(in_features=2, out_features=2, bias=True), ReLU()]
        """
        for _, module in self.named_children():
            yield module

    def _named_members(self, store, prefix, recurse, remove_duplicate=True):
        seen = set()
        modules = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for name, value in getattr(module, store).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, Parameter)`` pairs, in registration order; a parameter shared by two
        modules comes once.

        Args:
            prefix: prepended to every name with a dot; default ``''``.
            recurse: include the descendants' parameters; default True (False: this module's own).
            remove_duplicate: yield a shared parameter only once; default True.

        Example:
            >>> net = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
            >>> [(name, tuple(p.shape)) for name, p in net.named_parameters()]
            [('0.weight', (2, 3)), ('0.bias', (2,)), ('2.weight', (1, 2)), ('2.bias', (1,))]
        """
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every Parameter of the module and (by default) its descendants, each once: what an
        optimizer takes.

        Args:
            recurse: include the descendants' parameters; default True.

        Example:
            >>> net = nn.Sequential(nn.Linear(3, 2), nn.ReLU(), nn.Linear(2, 1))
            >>> sum(p.numel() for p in net.parameters())  # 3*2 + 2 + 2*1 + 1
            11
            >>> optimizer = minigrad.optim.SGD(net.parameters(), lr=0.1)
        """
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        """``(dotted name, buffer)`` pairs, persistent or not, in registration order.

        Args:
            prefix: prepended to every name with a dot; default ``''``.
            recurse: include the descendants' buffers; default True.
            remove_duplicate: yield a shared buffer only once; default True.

        Example:
            >>> [name for name, _ in nn.BatchNorm1d(3).named_buffers()]
            ['running_mean', 'running_var', 'num_batches_tracked']
        """
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer of the module and (by default) its descendants.

        Args:
            recurse: include the descendants' buffers; default True.

        Example:
            >>> [tuple(b.shape) for b in nn.Sequential(nn.BatchNorm1d(3)).buffers()]
            [(3,), (3,), ()]
        """
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def get_submodule(self, target: str) -> Module:
        """The descendant at a dotted path (AttributeError if there is none).

        Args:
            target: the path, e.g. ``'layer1.0.conv1'``; ``''`` is this module.

        Example:
            >>> net = nn.Sequential(nn.Sequential(nn.Linear(2, 3)), nn.ReLU())
            >>> net.get_submodule("0.0")
            Linear(in_features=2, out_features=3, bias=True)
        """
        module = self
        for item in target.split(".") if target else []:
            if item not in module._modules:
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            module = module._modules[item]
        return module

    # ---- modes and gradients -------------------------------------------------------------
    def train(self: _M, mode: bool = True) -> _M:
        """Set training mode on this module and every descendant, and return it.

        Training mode makes :class:`~minigrad.nn.Dropout` drop and
        :class:`~minigrad.nn.BatchNorm2d` use (and update) the batch's statistics; a new module
        is in training mode.

        Args:
            mode: True for training, False for evaluation; default True.

        Example:
            >>> net = nn.Sequential(nn.Linear(2, 2), nn.Dropout())
            >>> net.train(False)[1].training
            False
            >>> net.train().training
            True
        """
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self: _M) -> _M:
        """Set evaluation mode (``train(False)``) on this module and every descendant, and return it:
        dropout off, batch norm on its running statistics. Call it before inference.

        Example:
            >>> net = nn.Sequential(nn.Linear(2, 2), nn.Dropout()).eval()
            >>> net.training, net[1].training
            (False, False)
        """
        return self.train(False)

    def requires_grad_(self: _M, requires_grad: bool = True) -> _M:
        """Set ``requires_grad`` on every parameter, and return the module: ``False`` freezes it
        (for fine-tuning only a new head, say).

        Args:
            requires_grad: whether autograd records operations on the parameters; default True.

        Example:
            >>> backbone = nn.Linear(4, 4).requires_grad_(False)
            >>> [p.requires_grad for p in backbone.parameters()]
            [False, False]
        """
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters before the next backward (gradients accumulate).

        Args:
            set_to_none: set ``.grad`` to None (default True) rather than to zeros.

        Example:
            >>> layer = nn.Linear(2, 1)
            >>> layer(minigrad.ones(1, 2)).sum().backward()
            >>> layer.zero_grad()
            >>> layer.weight.grad is None
            True
        """
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad = Tensor._make(np.zeros_like(param.grad._array))

    def apply(self: _M, fn: Callable[[Module], object]) -> _M:
        """Call ``fn`` on every submodule (children first, recursively) and then on this module, and
        return this module; typically used to initialize weights.

        Args:
            fn: a function of one Module.

        Example:
            >>> def init_weights(m):
            ...     if isinstance(m, nn.Linear):
            ...         nn.init.zeros_(m.bias)
            >>> net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)).apply(init_weights)
            >>> net[0].bias.tolist()
            [0.0, 0.0, 0.0]
        """
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- dtype ---------------------------------------------------------------------------
    def _apply_to_tensors(self, convert):
        """Replace the data of every floating parameter, gradient and buffer by ``convert(data)``."""
        for module in self.modules():
            for store in (module._parameters, module._buffers):
                for tensor in store.values():
                    if tensor is None or tensor._array.dtype.kind != "f":
                        continue
                    tensor._array = convert(tensor._array)
                    if tensor.grad is not None:
                        tensor.grad = Tensor._make(convert(tensor.grad._array))
        return self

    def to(self: _M, *args: Any, **kwargs: Any) -> _M:
        """Cast the floating parameters, gradients and buffers in place and return the module.

        The forms of ``Tensor.to``: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``,
        ``to(tensor)`` (its dtype) or keywords; the only device is the CPU. Integer buffers (such
        as ``num_batches_tracked``) keep their dtype.

        Args:
            args: a dtype, a device, both, or a tensor.
            kwargs: ``device=``, ``dtype=`` (and PyTorch's ``non_blocking=``, which changes nothing).

        Example:
            >>> layer = nn.Linear(2, 2).to(minigrad.float64)
            >>> layer.weight.dtype
            minigrad.float64
            >>> layer.to("cpu") is layer
            True
        """
        dtype, _ = to_arguments(args, kwargs)
        if dtype is None:
            return self
        if not dtype.is_floating_point:
            raise TypeError(
                f"nn.Module.to only accepts floating point or complex dtypes, but got desired dtype={dtype}"
            )
        return self._apply_to_tensors(lambda a: a.astype(dtype.np_dtype, copy=False))

    def float(self: _M) -> _M:
        """Cast floating parameters and buffers to float32 (``to(minigrad.float32)``).

        Example:
            >>> nn.Linear(2, 2).double().float().weight.dtype
            minigrad.float32
        """
        return self.to(dtypes.float32)

    def double(self: _M) -> _M:
        """Cast floating parameters and buffers to float64 (``to(minigrad.float64)``), as
        gradient checks need.

        Example:
            >>> nn.Linear(2, 2).double().weight.dtype
            minigrad.float64
        """
        return self.to(dtypes.float64)

    def half(self: _M) -> _M:
        """Cast floating parameters and buffers to float16 (``to(minigrad.float16)``).

        Example:
            >>> nn.Linear(2, 2).half().bias.dtype
            minigrad.float16
        """
        return self.to(dtypes.float16)

    def cpu(self: _M) -> _M:
        """This module, unchanged: its tensors are on the CPU already.

        Example:
            >>> layer = nn.Linear(2, 2)
            >>> layer.cpu() is layer
            True
        """
        return self

    def cuda(self: _M, device: Any = None) -> _M:
        """Refused with an AssertionError (PyTorch's error without CUDA): minigrad runs on the CPU only.

        Args:
            device: accepted for PyTorch's signature; default None.

        Example:
            >>> nn.Linear(2, 2).cuda()
            Traceback (most recent call last):
            ...
            AssertionError: minigrad runs on the CPU only: ...
        """
        raise devices.unavailable("cuda")

    def type(self: _M, dst_type: dtypes.dtype) -> _M:
        """Cast floating parameters and buffers to ``dst_type`` (``to(dst_type)``).

        Args:
            dst_type: a floating dtype.

        Example:
            >>> nn.Linear(2, 2).type(minigrad.float64).weight.dtype
            minigrad.float64
        """
        return self.to(dst_type)

    # ---- state dict ----------------------------------------------------------------------
    def state_dict(
        self, destination: dict[str, Tensor] | None = None, prefix: str = "", keep_vars: bool = False
    ) -> dict[str, Tensor]:
        """An ordered dict of every parameter and persistent buffer by dotted name, for
        ``minigrad.save`` and ``load_state_dict``.

        The tensors share memory with the module's (detached unless ``keep_vars``): copy them to
        keep a snapshot while training goes on.

        Args:
            destination: a dict to fill and return; default None (a new OrderedDict).
            prefix: prepended to every key; default ``''``.
            keep_vars: return the Parameters themselves instead of detached tensors; default False.

        Example:
            >>> net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
            >>> list(net.state_dict())
            ['0.weight', '0.bias', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']
        """
        if destination is None:
            destination = OrderedDict()
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if keep_vars else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = buf if keep_vars else buf.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> _IncompatibleKeys:
        """Copy parameters and buffers from ``state_dict`` in place (values: Tensors, numpy arrays
        or torch tensors), cast to the module's dtypes.

        With ``strict`` every key must match; otherwise the missing and unexpected keys are
        returned. A value of the wrong shape, one that is not a tensor, or one whose cast to the
        module's dtype would lose information (complex into real, a finite value that overflows to
        inf, NaN or out-of-range values into an integer buffer) is always an error. Every entry is
        checked before any is written, so a failed load leaves the module as it was.

        Args:
            state_dict: a mapping from dotted names to tensors, as ``state_dict()`` returns.
            strict: raise a RuntimeError on missing or unexpected keys; default True.

        Returns:
            A named tuple ``(missing_keys, unexpected_keys)``.

        Example:
            >>> source, target = nn.Linear(2, 2), nn.Linear(2, 2)
            >>> target.load_state_dict(source.state_dict())
            <All keys matched successfully>
            >>> bool((target.weight == source.weight).all())
            True
            >>> target.load_state_dict({"weight": source.weight}, strict=False)
            _IncompatibleKeys(missing_keys=['bias'], unexpected_keys=[])
        """
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        own = self.state_dict(keep_vars=True)
        # Entries a module can do without (a class's ``_optional_state``) are not missing when absent.
        optional = {
            f"{name}.{key}" if name else key
            for name, module in self.named_modules()
            for key in getattr(module, "_optional_state", ())
        }
        missing = [k for k in own if k not in state_dict and k not in optional]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict:
            if unexpected:
                errors.append("Unexpected key(s) in state_dict: " + ", ".join(f'"{k}"' for k in unexpected) + ". ")
            if missing:
                errors.append("Missing key(s) in state_dict: " + ", ".join(f'"{k}"' for k in missing) + ". ")
        # Cast copies of every value first: a failed entry writes nothing, and values that
        # share memory with the module are all read before any is overwritten.
        arrays = {}
        for key, target in own.items():
            if key not in state_dict:
                continue
            lazy_target = isinstance(target, UninitializedTensorMixin)
            if lazy_target and isinstance(state_dict[key], UninitializedTensorMixin):
                continue  # a lazy layer's placeholder into another: nothing to copy yet
            value = _as_array(state_dict[key])
            if value is not None and lazy_target:
                target.materialize(value.shape)  # a lazy layer takes the checkpoint's shapes
            if value is None:
                errors.append(
                    f'While copying the parameter named "{key}", expected Tensor or array from checkpoint '
                    f"but received {type(state_dict[key])}"
                )
            elif value.shape != target._array.shape:
                errors.append(
                    f"size mismatch for {key}: copying a param with shape {list(value.shape)} from checkpoint, "
                    f"the shape in current model is {list(target._array.shape)}."
                )
            else:
                cast = _cast_for_load(value, target._array.dtype)
                if isinstance(cast, str):
                    errors.append(f'While copying the parameter named "{key}", {cast}.')
                else:
                    arrays[key] = cast
        if errors:
            raise RuntimeError(f"Error(s) in loading state_dict for {self._get_name()}:\n\t" + "\n\t".join(errors))
        for key, value in arrays.items():
            init._fill(own[key], value)
        return _IncompatibleKeys(missing, unexpected)

    # ---- hooks ---------------------------------------------------------------------------
    def register_forward_hook(self, hook: Callable[[Module, tuple[Any, ...], Any], Any]) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each forward; a value it returns replaces the
        output. Useful to record activations.

        Args:
            hook: a function of the module, the tuple of positional inputs and the output.

        Returns:
            A handle whose ``remove()`` unregisters the hook.

        Example:
            >>> shapes = []
            >>> net = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
            >>> handle = net[0].register_forward_hook(lambda m, args, out: shapes.append(tuple(out.shape)))
            >>> _ = net(minigrad.ones(2, 4))
            >>> handle.remove()
            >>> _ = net(minigrad.ones(2, 4))
            >>> shapes
            [(2, 3)]
        """
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    def register_forward_pre_hook(self, hook: Callable[[Module, tuple[Any, ...]], Any]) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; a value it returns (a tuple, or a single
        input) replaces the positional inputs.

        Args:
            hook: a function of the module and the tuple of positional inputs.

        Returns:
            A handle whose ``remove()`` unregisters the hook.

        Example:
            >>> layer = nn.Identity()
            >>> handle = layer.register_forward_pre_hook(lambda m, args: args[0] * 2)
            >>> layer(minigrad.tensor([1.0, 2.0]))
            tensor([2., 4.])
        """
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    # ---- printing ------------------------------------------------------------------------
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self) -> str:
        """The arguments shown inside this module's parentheses when it prints; subclasses
        override it (the base returns ``''``).

        Example:
            >>> class Scale(nn.Module):
            ...     def __init__(self, factor):
            ...         super().__init__()
            ...         self.factor = factor
            ...     def extra_repr(self):
            ...         return f"factor={self.factor}"
            >>> Scale(3)
            Scale(factor=3)
        """
        return ""

    def __repr__(self) -> str:
        lines = self.extra_repr().split("\n") if self.extra_repr() else []
        children = [f"({name}): " + _indent(repr(module), 2) for name, module in self._modules.items()]
        if not children and len(lines) <= 1:
            return f"{self._get_name()}({lines[0] if lines else ''})"
        body = "\n  ".join(lines + children)
        return f"{self._get_name()}(\n  {body}\n)"
