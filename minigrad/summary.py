"""``minigrad.summary(model, input_size)``: a table of layers, output shapes, parameters,
mult-adds and the memory each layer keeps for backward, as torchinfo prints it.

The model runs forward once on zeros of ``input_size`` in training mode (with a batch of 2
whatever batch size is given, so that batch norm has statistics), with
forward hooks recording each module's output shape and an autograd observer recording
what every op saves for backward (attributed to the innermost module running). Running
statistics and each module's mode are restored afterwards. Figures are per image: the
batch dimension prints as -1.

Counting rules (the costs themselves are counted by ``minigrad.costs``, as in ``minigrad.viz``):
  * Param #: a parameter shared by several modules counts once in the totals.
  * Mult-Adds: the multiply-accumulates each op declares (``Function.mult_adds``), summed
    over the ops a leaf layer runs: Conv (output elements x C_in / groups x KH x KW),
    ConvTranspose (input elements x C_out / groups x KH x KW) and Linear (output elements
    x in_features); FLOPs are about 2 per mult-add (reported on their own line).
  * Forward pass size: every output that is new memory (not a view of the layer's input;
    ``inplace=True`` layers add none, as in PyTorch): the notes' activation arithmetic.
  * Saved for backward: the arrays that autograd keeps for the backward pass (inputs,
    masks, statistics; parameters excluded), each distinct buffer counted once, for the
    first layer that saves it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Sequence

from . import nn
from .autograd.function import observe
from .autograd.grad_mode import enable_grad
from .costs import SavedBytes, mult_adds, owner
from .creation import zeros
from .tensor import Tensor

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from . import dtypes
    from .nn.modules.module import Module

__all__ = ["summary", "ModelSummary", "LayerInfo"]

_BATCH = 2
_COLUMNS = {
    "output_size": "Output Shape",
    "num_params": "Param #",
    "mult_adds": "Mult-Adds",
    "output_memory": "Output (fwd)",
    "saved_memory": "Saved (bwd)",
}


@dataclass
class LayerInfo:
    """One call of one module during the summary's forward pass."""

    module: Module
    type_name: str
    depth: int
    depth_index: int
    parent: LayerInfo | None = None
    output_shapes: list[list[int]] = field(default_factory=list)
    own_params: int = 0
    total_params: int = 0
    shared: bool = False
    mult_adds: int = 0
    forward_bytes: int = 0
    saved_bytes: int = 0
    children: list[LayerInfo] = field(default_factory=list)

    @property
    def is_leaf(self) -> bool:
        return not any(True for _ in self.module.children())

    def subtree(self, attribute: str) -> int:
        """``attribute`` summed over this call and every call made inside it."""
        return getattr(self, attribute) + sum(child.subtree(attribute) for child in self.children)


def _tensors_in(value):
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _tensors_in(v)]
    return []


class _Recorder:
    """Forward hooks and autograd observer that fill one LayerInfo per module call."""

    def __init__(self, model):
        self.model = model
        self.calls = []
        self.stack = []
        self.seen_modules = set()
        self.seen_params = set()
        self.depth_counters = {}
        # Parameters live anyway: saving them for backward costs no memory.
        self.saved = SavedBytes({id(owner(p._array)) for p in model.parameters()})
        self.depths = {}
        self._index_depths(model, 0)

    def _index_depths(self, module, depth):
        self.depths.setdefault(id(module), depth)
        for child in module.children():
            self._index_depths(child, depth + 1)

    def pre_hook(self, module, args):
        depth = self.depths[id(module)]
        self.depth_counters[depth] = self.depth_counters.get(depth, 0) + 1
        parent = self.stack[-1] if self.stack else None
        info = LayerInfo(module, type(module).__name__, depth, self.depth_counters[depth], parent)
        info.shared = module in self.seen_modules
        self.seen_modules.add(module)
        if not info.shared:
            own = [p for p in module.parameters(recurse=False) if id(p) not in self.seen_params]
            self.seen_params.update(id(p) for p in own)
            info.own_params = sum(p.numel() for p in own)
            info.total_params = sum(p.numel() for p in module.parameters())
        if parent is not None:
            parent.children.append(info)
        self.calls.append(info)
        self.stack.append(info)

    def hook(self, module, args, output):
        info = self.stack.pop()
        inputs, outputs = _tensors_in(args), _tensors_in(output)
        info.output_shapes = [list(t.shape) for t in outputs]
        if info.is_leaf and not getattr(module, "inplace", False):
            input_roots = {id(owner(t._array)) for t in inputs}
            info.forward_bytes = sum(t._array.nbytes for t in outputs if id(owner(t._array)) not in input_roots)

    def on_forward(self, node, args, outputs, recorded):
        if not self.stack:
            return
        info = self.stack[-1]
        if info.is_leaf:
            info.mult_adds += mult_adds(node, args, outputs) or 0
        if recorded:
            info.saved_bytes += self.saved.add(node)

    def on_backward_start(self, node):
        pass

    def on_backward(self, node, seconds):
        pass


def _is_last(info):
    return info.parent is None or info.parent.children[-1] is info


def _format_int(n):
    return f"{n:,}"


def _format_bytes(n):
    if n == 0:
        return "--"
    for unit, size in (("MB", 1e6), ("KB", 1e3)):
        if n >= size:
            return f"{n / size:,.2f} {unit}"
    return f"{n} B"


class ModelSummary:
    """The result of ``minigrad.summary``: ``str()`` is the table; the totals are attributes.

    Attributes (per image): ``total_params``, ``trainable_params``, ``total_mult_adds``,
    ``input_bytes``, ``forward_bytes``, ``saved_bytes``, ``params_bytes``; ``layers`` holds
    one LayerInfo per module call, in call order.
    """

    def __init__(
        self,
        model: Module,
        input_size: tuple[int, ...],
        layers: list[LayerInfo],
        input_bytes: int,
        col_names: Sequence[str],
        depth: int,
        layout: str,
    ) -> None:
        self.model = model
        self.input_size = input_size
        self.layers = layers
        self.col_names = tuple(col_names)
        self.depth = depth
        self.layout = layout
        params = list(model.parameters())
        self.total_params = sum(p.numel() for p in params)
        self.trainable_params = sum(p.numel() for p in params if p.requires_grad)
        self.params_bytes = sum(p._array.nbytes for p in params)
        self.input_bytes = input_bytes
        self.total_mult_adds = sum(info.mult_adds for info in layers) // _BATCH
        self.forward_bytes = sum(info.forward_bytes for info in layers) // _BATCH
        self.saved_bytes = sum(info.saved_bytes for info in layers) // _BATCH

    # ---- rows ----------------------------------------------------------------------------
    def _shown(self):
        if self.layout == "flat":
            return [info for info in self.layers if info.is_leaf]
        return [info for info in self.layers if 0 < info.depth <= self.depth or (info.depth == 0 and info.is_leaf)]

    def _expanded(self, info):
        """True when the rows of this call's children are shown too (the tree layout)."""
        return self.layout == "tree" and info.children and info.depth < self.depth

    def _cell(self, info, column):
        expanded = self._expanded(info)
        empty = "0" if self.layout == "flat" else "--"
        if column == "output_size":
            shapes = [[-1] + s[1:] if s else s for s in info.output_shapes]
            return str(shapes[0]) if len(shapes) == 1 else str(shapes)
        if column == "num_params":
            if info.shared:
                return "(shared)"
            n = info.own_params if expanded else info.total_params
            return _format_int(n) if n else empty
        if column == "mult_adds":
            n = (info.mult_adds if expanded else info.subtree("mult_adds")) // _BATCH
            return _format_int(n) if n else "--"
        attribute = "forward_bytes" if column == "output_memory" else "saved_bytes"
        n = (getattr(info, attribute) if expanded else info.subtree(attribute)) // _BATCH
        return _format_bytes(n)

    def rows(self) -> list[tuple[str, ...]]:
        """The table's rows as tuples of strings: (layer, *columns)."""
        out = []
        shown = self._shown()
        for k, info in enumerate(shown):
            if self.layout == "flat":
                name = f"{info.type_name}-{k + 1}"
            else:
                name = f"{info.type_name}: {info.depth}-{info.depth_index}"
            out.append((name,) + tuple(self._cell(info, c) for c in self.col_names))
        return out

    def _names_with_tree(self, rows):
        if self.layout == "flat":
            return [r[0] for r in rows]
        names = []
        for info, row in zip(self._shown(), rows):
            prefix, ancestor = "", info.parent
            while ancestor is not None and ancestor.depth >= 1:
                prefix = ("     " if _is_last(ancestor) else "│    ") + prefix
                ancestor = ancestor.parent
            names.append(prefix + ("└─" if _is_last(info) else "├─") + row[0])
        return names

    # ---- text ----------------------------------------------------------------------------
    def __str__(self) -> str:
        rows = self.rows()
        first = "Layer (type)" if self.layout == "flat" else "Layer (type:depth-idx)"
        header = (first,) + tuple(_COLUMNS[c] for c in self.col_names)
        names = self._names_with_tree(rows)
        widths = [max([len(header[0])] + [len(n) for n in names]) + 4]
        widths += [max([len(header[i])] + [len(r[i]) for r in rows]) + 4 for i in range(1, len(header))]
        total_width = sum(widths)

        def line(cells):
            return cells[0].ljust(widths[0]) + "".join(c.rjust(w) for c, w in zip(cells[1:], widths[1:]))

        mb = 1e6
        out = ["=" * total_width, line(header), "=" * total_width]
        out += [line((name,) + row[1:]) for name, row in zip(names, rows)]
        out += [
            "=" * total_width,
            f"Total params: {_format_int(self.total_params)}",
            f"Trainable params: {_format_int(self.trainable_params)}",
            f"Non-trainable params: {_format_int(self.total_params - self.trainable_params)}",
            f"Total mult-adds (M): {self.total_mult_adds / 1e6:,.2f}",
            f"FLOPs, 2 per mult-add (M): {2 * self.total_mult_adds / 1e6:,.2f}",
            "-" * total_width,
            f"Input size (MB): {self.input_bytes / mb:,.2f}",
            f"Forward pass size (MB): {self.forward_bytes / mb:,.2f}",
            f"Saved for backward (MB): {self.saved_bytes / mb:,.2f}",
            f"Params size (MB): {self.params_bytes / mb:,.2f}",
            f"Estimated training size (MB): {self.estimated_training_bytes / mb:,.2f}",
            "=" * total_width,
        ]
        return "\n".join(out)

    __repr__ = __str__

    @property
    def estimated_training_bytes(self) -> int:
        """Input + saved for backward + parameters and their gradients, for one image."""
        return self.input_bytes + self.saved_bytes + 2 * self.params_bytes


def summary(
    model: Module,
    input_size: Sequence[int] | None = None,
    input_data: Tensor | ArrayLike | None = None,
    *,
    col_names: Sequence[str] = ("output_size", "num_params", "mult_adds", "saved_memory"),
    depth: int = 3,
    layout: str = "tree",
    dtype: dtypes.dtype | None = None,
    verbose: int = 1,
) -> ModelSummary:
    """Summarize ``model`` for inputs of ``input_size``, batch dimension first, as torchinfo takes it.

    Args:
        model: an ``nn.Module``.
        input_size: e.g. ``(1, 1, 32, 32)``; or give ``input_data``, a batch. The batch size
            is shown as -1 and every figure is per sample.
        col_names: any of ``'output_size'``, ``'num_params'``, ``'mult_adds'``, ``'output_memory'``
            (new memory of the layer's output, as counted in the forward pass size),
            ``'saved_memory'``.
        depth: deepest module level shown in the ``'tree'`` layout.
        layout: ``'tree'`` (torchinfo: ``Conv2d: 2-1`` rows under their parents) or ``'flat'``
            (torchsummary: leaf layers numbered ``Conv2d-1``, ``AvgPool2d-2``, ...).
        verbose: 1 prints the table, 0 only returns it.
        input_data (Tensor or array-like, optional): a batch to run instead of zeros of
            ``input_size``. Default: None.
        dtype (minigrad.dtype, optional): the dtype of the made-up input. Default: None (the
            default dtype).

    Example:

        >>> s = minigrad.summary(minigrad.models.lenet5(), (1, 1, 32, 32), verbose=0)
        >>> s.total_params
        61706
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"summary(): expected model to be an nn.Module, but got {type(model).__name__}")
    if layout not in ("tree", "flat"):
        raise ValueError(f"summary(): layout must be 'tree' or 'flat', but got {layout!r}")
    unknown = [c for c in col_names if c not in _COLUMNS]
    if unknown:
        raise ValueError(f"summary(): unknown column(s) {unknown}; choose from {list(_COLUMNS)}")
    if input_data is not None:
        sample = input_data if isinstance(input_data, Tensor) else Tensor(input_data)
        x = zeros((_BATCH,) + tuple(sample.shape[1:]), dtype=sample.dtype)
    elif input_size is not None:
        if len(input_size) < 1:
            raise ValueError("summary(): input_size needs a batch dimension first, e.g. (1, 3, 224, 224)")
        x = zeros((_BATCH,) + tuple(input_size[1:]), dtype=dtype)
    else:
        raise ValueError("summary(): give input_size (batch dimension first) or input_data")

    recorder = _Recorder(model)
    modes = [(m, m.training) for m in model.modules()]
    buffers = [(b, b._array.copy()) for b in model.buffers()]
    handles = []
    for m in model.modules():
        handles.append(m.register_forward_pre_hook(recorder.pre_hook))
        handles.append(m.register_forward_hook(recorder.hook))
    try:
        model.train()
        with enable_grad(), observe(recorder):
            model(x)
    finally:
        for h in handles:
            h.remove()
        for m, mode in modes:
            object.__setattr__(m, "training", mode)
        for b, data in buffers:
            b._array = data
    result = ModelSummary(
        model, tuple(x.shape[1:]), recorder.calls, x._array.nbytes // _BATCH, col_names, depth, layout
    )
    if verbose:
        print(result)
    return result
