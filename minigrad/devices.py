"""The device model: minigrad computes on the CPU, and says so when asked for anything else.

``minigrad.device`` describes a device as ``torch.device`` does (``device('cpu')``,
``device('cuda:1')``, ``device(type='cpu', index=0)``), so code that builds device objects
runs unchanged. Every place that takes a ``device=`` argument passes it through
``check_cpu``, which accepts the CPU and refuses the rest with one clear message.

This module imports nothing from minigrad.
"""

from __future__ import annotations

from typing import Union

__all__ = ["device", "set_default_device", "get_default_device"]

# The device types PyTorch's device strings may name (its parser's list): any of them
# makes a device object; only "cpu" can hold tensors here.
DEVICE_TYPES = (
    "cpu",
    "cuda",
    "ipu",
    "xpu",
    "mkldnn",
    "opengl",
    "opencl",
    "ideep",
    "hip",
    "ve",
    "fpga",
    "maia",
    "xla",
    "lazy",
    "vulkan",
    "mps",
    "meta",
    "hpu",
    "mtia",
    "privateuseone",
)

_NO_ACCELERATOR = (
    "Cannot access accelerator device when none is available: minigrad runs on the CPU only "
    "(use device='cpu' or leave device out)"
)


class device:
    """Where a tensor lives: a type (``'cpu'``) and an optional index.

    Args:
        type: ``'cpu'``, ``'cpu:0'``, another device's type string, or a device.
        index: the device's number, or None.

    Example:
        >>> minigrad.device("cpu")
        device(type='cpu')
        >>> str(minigrad.device("cpu", 0))
        'cpu:0'
        >>> minigrad.zeros(2).device == minigrad.device("cpu")
        True
    """

    __slots__ = ("_type", "_index")

    def __init__(self, type: Union[str, device], index: int | None = None) -> None:  # noqa: A002
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device(): an index cannot be given with a device object")
            type, index = type.type, type.index  # noqa: A001
        elif isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError(_NO_ACCELERATOR)
        elif not isinstance(type, str):
            raise TypeError(f"device(): expected a device string or a device, got {type.__class__.__name__}")
        else:
            type, parsed = _parse(type)  # noqa: A001
            if parsed is not None:
                if index is not None:
                    raise RuntimeError(
                        f"type (string) must not include an index because index was passed explicitly: {type}:{parsed}"
                    )
                index = parsed
        if index is not None:
            if not isinstance(index, int) or isinstance(index, bool):
                raise TypeError(f"device(): argument 'index' must be int, not {index.__class__.__name__}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        self._type = type
        self._index = index

    @property
    def type(self) -> str:
        """The device type: ``'cpu'``, ``'cuda'``, ..."""
        return self._type

    @property
    def index(self) -> int | None:
        """The device's number, or None."""
        return self._index

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (self._type, self._index) == (other._type, other._index)

    def __hash__(self) -> int:
        return hash((self._type, self._index))

    def __repr__(self) -> str:
        index = "" if self._index is None else f", index={self._index}"
        return f"device(type='{self._type}'{index})"

    def __str__(self) -> str:
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __reduce__(self):
        return (device, (self._type, self._index))


def _parse(text):
    """``'cuda:1'`` -> ``('cuda', 1)``; ``'cpu'`` -> ``('cpu', None)``."""
    name, colon, number = text.partition(":")
    if name not in DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device string: {text}")
    if not colon:
        return name, None
    if not number.isdigit():
        raise RuntimeError(f"Invalid device string: '{text}'")
    return name, int(number)


CPU = device("cpu")

DeviceLike = Union[str, device, int, None]


def check_cpu(where: DeviceLike) -> None:
    """Accept None or a CPU device (as a device, ``'cpu'`` or ``'cpu:N'``); refuse the rest."""
    if where is None or where is CPU:
        return
    if (where.type if isinstance(where, device) else device(where).type) != "cpu":
        raise unavailable(where)


def unavailable(where: str | device) -> Exception:
    """The error for a device other than the CPU: AssertionError for CUDA (PyTorch's error when
    it was built without CUDA), RuntimeError for the others; both say minigrad runs on the CPU."""
    kind = device(where).type
    message = (
        f"minigrad runs on the CPU only: device '{where}' is not available "
        f"(minigrad.{'cuda' if kind == 'cuda' else 'accelerator'}.is_available() is False); "
        "use device='cpu' or leave device out"
    )
    return AssertionError(message) if kind == "cuda" else RuntimeError(message)


def set_default_device(device: DeviceLike) -> None:
    """Set the device of new tensors: only the CPU (or None, the same) is accepted.

    Args:
        device (str or device or None): ``'cpu'``, a CPU device, or None.

    Example:
        >>> minigrad.set_default_device('cpu')
        >>> minigrad.zeros(1).device
        device(type='cpu')
    """
    check_cpu(device)


def get_default_device() -> device:
    """The device new tensors are made on: always the CPU.

    Example:
        >>> minigrad.get_default_device()
        device(type='cpu')
    """
    return CPU
