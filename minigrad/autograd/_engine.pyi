"""What type checkers see of the compiled engine, ``_engine.pyx``: its Python-visible names.

The .pyx is the source of truth; change this file with it. The engine never imports the
Tensor class, so the tensors it makes and passes on are typed ``Any`` here (minigrad.Tensor
subclasses ``TensorBase`` and declares its own field types).
"""

from typing import Any, Callable, NoReturn, Sequence

import numpy as np

FREED_MESSAGE: str

def set_tensor_type(cls: type[TensorBase]) -> None: ...

class GradState:
    grad_enabled: bool
    anomaly_enabled: bool
    @property
    def observers(self) -> tuple[Any, ...]: ...
    @observers.setter
    def observers(self, observers: Sequence[Any]) -> None: ...

state: GradState

class VersionCounter:
    value: int

class TensorBase:
    _array: np.ndarray
    grad: Any
    grad_fn: Node | None
    requires_grad: bool
    _output_nr: int
    _vc: VersionCounter | None
    _base: Any
    _base_grad_fn: Node | None
    _accumulator: Callable[[], AccumulateGrad | None] | None
    _backward_hooks: dict[int, Callable[[Any], Any]] | None
    _retains_grad: bool
    def _version_counter(self) -> VersionCounter: ...
    def _bump_version(self) -> None: ...
    def _grad_accumulator(self) -> AccumulateGrad: ...

def make_tensor(
    data: np.ndarray,
    requires_grad: bool = False,
    grad_fn: Node | None = None,
    output_nr: int = 0,
    version: VersionCounter | None = None,
) -> Any: ...

class Node:
    needs_input_grad: tuple[bool, ...]
    _next: tuple[Any, ...]
    _saved: tuple[Any, ...] | None
    _released: bool
    _to_save: tuple[Any, ...] | None
    _pre_hooks: dict[int, dict[int, Callable[[Any], Any]]] | None
    _trace: Any
    _num_outputs: int
    _non_differentiable: tuple[Any, ...] | None
    _input_shapes: tuple[Any, ...] | None
    _shape0: Any
    _dtype0: Any
    _more_meta: tuple[Any, ...] | None
    shapes: Any
    @property
    def next_functions(self) -> tuple[tuple[Node | None, int], ...]: ...
    def release(self) -> None: ...
    def save_for_backward(self, *values: Any) -> None: ...
    def mark_non_differentiable(self, *outputs: Any) -> None: ...
    @property
    def _output_meta(self) -> tuple[tuple[Any, Any], ...]: ...
    @property
    def saved_tensors(self) -> tuple[Any, ...]: ...
    def _raise_modified(self, value: Any, current: int, version: int) -> NoReturn: ...

class AccumulateGrad(Node):
    variable: TensorBase
    def __init__(self, variable: TensorBase) -> None: ...
    @staticmethod
    def name() -> str: ...

def apply(cls: type[Node], *args: Any) -> Any: ...
def binary_forward(
    ctx: Node, op: str, numpy_op: Callable[..., Any], a: Any, b: Any, floating: bool = False
) -> np.ndarray: ...
def grad_mul(g: Any, other: Any) -> Any: ...
def run_backward(
    tensors: tuple[Any, ...],
    grad_tensors: list[Any],
    retain_graph: bool,
    create_graph: bool,
    inputs: tuple[Any, ...] | None = None,
    allow_unused: bool = False,
) -> tuple[Any, ...] | None: ...
