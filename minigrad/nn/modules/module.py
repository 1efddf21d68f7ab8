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

    Example::

        >>> class Net(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc = nn.Linear(4, 2)
        ...     def forward(self, x):
        ...         return self.fc(x).relu()
        >>> [name for name, _ in Net().named_parameters()]
        ['fc.weight', 'fc.bias']
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
        """Add a Parameter (or None) under ``name``."""
        self._check_name("parameter", name)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' (nn.Parameter or None required)"
            )
        self._forget(name, self._parameters)
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: state that is saved in ``state_dict`` (unless not persistent) but not learned."""
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
        """Add a child module under ``name``."""
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
        """``(name, module)`` for this module and every descendant, depth first."""
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
        for _, module in self.named_modules():
            yield module

    def named_children(self) -> Iterator[tuple[str, Module]]:
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator[Module]:
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
        """``(name, Parameter)`` pairs; a parameter shared by two modules comes once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(
        self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True
    ) -> Iterator[tuple[str, Tensor]]:
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, buf in self.named_buffers(recurse=recurse):
            yield buf

    def get_submodule(self, target: str) -> Module:
        """The descendant named ``target`` (dotted path, e.g. ``'layer1.0.conv1'``)."""
        module = self
        for item in target.split(".") if target else []:
            if item not in module._modules:
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            module = module._modules[item]
        return module

    # ---- modes and gradients -------------------------------------------------------------
    def train(self: _M, mode: bool = True) -> _M:
        """Set training mode (dropout active, batch norm using batch statistics) recursively."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            object.__setattr__(module, "training", mode)
        return self

    def eval(self: _M) -> _M:
        """Set evaluation mode: the same as ``train(False)``."""
        return self.train(False)

    def requires_grad_(self: _M, requires_grad: bool = True) -> _M:
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters (to None, or to zeros)."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                param.grad = Tensor._make(np.zeros_like(param.grad._array))

    def apply(self: _M, fn: Callable[[Module], object]) -> _M:
        """Call ``fn`` on every submodule (children first) and on this module; returns self."""
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
        """Cast floating parameters and buffers in place: ``to(dtype)``, ``to(device, dtype)``,
        ``to(tensor)`` or keywords, as ``Tensor.to``; devices other than the CPU are refused."""
        dtype, _ = to_arguments(args, kwargs)
        if dtype is None:
            return self
        if not dtype.is_floating_point:
            raise TypeError(
                f"nn.Module.to only accepts floating point or complex dtypes, but got desired dtype={dtype}"
            )
        return self._apply_to_tensors(lambda a: a.astype(dtype.np_dtype, copy=False))

    def float(self: _M) -> _M:
        return self.to(dtypes.float32)

    def double(self: _M) -> _M:
        return self.to(dtypes.float64)

    def half(self: _M) -> _M:
        return self.to(dtypes.float16)

    def cpu(self: _M) -> _M:
        """This module (its tensors are on the CPU already)."""
        return self

    def cuda(self: _M, device: Any = None) -> _M:
        """Refused: minigrad runs on the CPU only."""
        raise devices.unavailable("cuda")

    def type(self: _M, dst_type: dtypes.dtype) -> _M:
        return self.to(dst_type)

    # ---- state dict ----------------------------------------------------------------------
    def state_dict(
        self, destination: dict[str, Tensor] | None = None, prefix: str = "", keep_vars: bool = False
    ) -> dict[str, Tensor]:
        """An ordered dict of every parameter and persistent buffer by dotted name.

        The tensors share memory with the module's (detached unless ``keep_vars``).
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
        """Copy parameters and buffers from ``state_dict`` (values: Tensors, numpy arrays or torch tensors).

        With ``strict`` every key must match; otherwise the missing and unexpected keys are
        returned. A value of the wrong shape, one that is not a tensor, or one whose cast
        to the module's dtype would lose information (complex into real, a finite value
        that overflows to inf, NaN or out-of-range values into an integer buffer) is always
        an error. Every entry is checked before any is written, so a failed load leaves the
        module as it was.
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
        """Call ``hook(module, args, output)`` after each forward; a returned value replaces the output."""
        handle = RemovableHandle(self._forward_hooks)
        self._forward_hooks[handle.id] = hook
        return handle

    def register_forward_pre_hook(self, hook: Callable[[Module, tuple[Any, ...]], Any]) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; a returned value replaces the args."""
        handle = RemovableHandle(self._forward_pre_hooks)
        self._forward_pre_hooks[handle.id] = hook
        return handle

    # ---- printing ------------------------------------------------------------------------
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self) -> str:
        """The arguments shown inside this module's parentheses (subclasses override)."""
        return ""

    def __repr__(self) -> str:
        lines = self.extra_repr().split("\n") if self.extra_repr() else []
        children = [f"({name}): " + _indent(repr(module), 2) for name, module in self._modules.items()]
        if not children and len(lines) <= 1:
            return f"{self._get_name()}({lines[0] if lines else ''})"
        body = "\n  ".join(lines + children)
        return f"{self._get_name()}(\n  {body}\n)"
