"""``export(model, args, f)``: a model's forward pass written as an ONNX graph.

The model runs once on ``args`` in eval mode with gradient recording off. An op observer
(``minigrad.autograd.function.observe``) sees every op with its arguments (tensors and
hyper-parameters) and outputs; forward hooks on every module tell which module call each
op belongs to. Each op becomes one or a few ONNX nodes built with ``onnx.helper``
(``_CONVERTERS``). Tensors are named by identity: parameters and buffers become
initializers named as their ``state_dict`` keys, the inputs become graph inputs, anything
else an op was given (a number, an array) becomes a constant initializer.

Batch norm in eval mode is computed by minigrad as a few multiplications and additions; the
module hooks replace them with one BatchNormalization node.
"""

from __future__ import annotations

import io
import os
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import onnx
from onnx import helper, numpy_helper

from ..autograd.function import observe
from ..autograd.grad_mode import no_grad
from ..nn.modules.normalization import _BatchNorm
from ..ops import activation, conv, elementwise, linalg, padding, pool, shape
from ..tensor import Tensor

if TYPE_CHECKING:
    from ..nn import Module

__all__ = ["export"]


class _Graph:
    """The ONNX graph being built: nodes, initializers, and the name of every tensor seen."""

    def __init__(self, model: Module, inputs: Sequence[Tensor], input_names: Sequence[str]):
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: dict[str, onnx.TensorProto] = {}
        self.names: dict[int, str] = {}
        self.keep: list[Any] = []  # every named object stays alive, so no id is reused
        self.counter = 0
        self.state_names = {id(t): name for name, t in model.named_parameters()}
        self.state_names.update({id(t): name for name, t in model.named_buffers() if t is not None})
        for t, name in zip(inputs, input_names):
            self.bind(t, name)
        self.where = ""  # the module call the current op belongs to, for error messages
        self.unexported: dict[int, str] = {}  # op outputs with no ONNX counterpart (max_pool2d's indices)

    def bind(self, t: Any, name: str) -> None:
        self.names[id(t)] = name
        self.keep.append(t)

    def fresh(self, stem: str) -> str:
        self.counter += 1
        return f"{stem}_{self.counter}"

    def name(self, value: Any, dtype: np.dtype) -> str:
        """The ONNX name of an op argument: a traced tensor, a parameter, or a new constant."""
        if id(value) in self.names:
            return self.names[id(value)]
        if id(value) in self.unexported:
            raise _Unmapped(f"using the {self.unexported[id(value)]}")
        if isinstance(value, Tensor) and id(value) in self.state_names:
            name = self.state_names[id(value)]
            self.initializers[name] = numpy_helper.from_array(np.ascontiguousarray(value._array), name)
            self.bind(value, name)
            return name
        array = value._array if isinstance(value, Tensor) else np.asarray(value, dtype=dtype)
        return self.constant(array)

    def constant(self, array: np.ndarray) -> str:
        name = self.fresh("const")
        self.initializers[name] = numpy_helper.from_array(np.ascontiguousarray(array), name)
        return name

    def add(self, op_type: str, inputs: Sequence[str], **attrs: Any) -> list[str]:
        """Append one node, named after the module call it belongs to; return [its output's name]."""
        output = self.fresh(op_type)
        node_name = f"{self.where or 'model'}/{op_type}_{self.counter}"
        self.nodes.append(helper.make_node(op_type, list(inputs), [output], name=node_name, **attrs))
        return [output]


# ---- converters: (graph, args, outputs) -> the ONNX names of the op's outputs -----------------------


def _x(g, t):
    return g.name(t, t._array.dtype)


def _conv(g, args, out):
    x, w, b, stride, pad, dilation, groups = args
    inputs = [_x(g, x), _x(g, w)] + ([_x(g, b)] if b is not None else [])
    return g.add(
        "Conv", inputs, strides=list(stride), pads=list(pad) * 2, dilations=list(dilation), group=groups,
        kernel_shape=list(w.shape[2:]),
    )  # fmt: skip


def _conv_transpose(g, args, out):
    x, w, b, stride, pad, dilation, groups, out_size = args
    natural = [
        (n - 1) * s - 2 * p + d * (k - 1) + 1 for n, s, p, d, k in zip(x.shape[2:], stride, pad, dilation, w.shape[2:])
    ]
    inputs = [_x(g, x), _x(g, w)] + ([_x(g, b)] if b is not None else [])
    return g.add(
        "ConvTranspose", inputs, strides=list(stride), pads=list(pad) * 2, dilations=list(dilation), group=groups,
        kernel_shape=list(w.shape[2:]), output_padding=[o - n for o, n in zip(out_size, natural)],
    )  # fmt: skip


def _ceil_mode(x, kernel, stride, pad, dilation, out_size):
    """1 if out_size is the rounded-up output size, 0 if the rounded-down one."""
    floor = [
        (n + 2 * p - d * (k - 1) - 1) // s + 1 for n, k, s, p, d in zip(x.shape[2:], kernel, stride, pad, dilation)
    ]
    return int(list(out_size) != floor)


def _max_pool(g, args, out):
    x, kernel, stride, pad, dilation, out_size = args
    ceil = _ceil_mode(x, kernel, stride, pad, dilation, out_size)
    attrs = dict(kernel_shape=list(kernel), strides=list(stride), pads=list(pad) * 2, dilations=list(dilation))
    return g.add("MaxPool", [_x(g, x)], ceil_mode=ceil, **attrs) + [None]  # indices: not exported


def _avg_pool(g, args, out):
    x, kernel, stride, pad, count_include_pad, divisor_override, out_size = args
    if divisor_override is not None:
        raise _Unmapped("avg_pool2d with divisor_override")
    ceil = _ceil_mode(x, kernel, stride, pad, (1, 1), out_size)
    attrs = dict(kernel_shape=list(kernel), strides=list(stride), pads=list(pad) * 2)
    return g.add("AveragePool", [_x(g, x)], ceil_mode=ceil, count_include_pad=int(count_include_pad), **attrs)


def _pooling_matrix(n: int, size: int, dtype) -> np.ndarray:
    """(size, n): row i averages input positions [floor(i*n/size), ceil((i+1)*n/size))."""
    matrix = np.zeros((size, n), dtype=dtype)
    for i in range(size):
        lo, hi = (i * n) // size, -((-(i + 1) * n) // size)
        matrix[i, lo:hi] = 1.0 / (hi - lo)
    return matrix


def _adaptive_avg_pool(g, args, out):
    """(1, 1): GlobalAveragePool; otherwise two MatMuls with constant averaging matrices."""
    x, (oh, ow) = args
    if (oh, ow) == (1, 1):
        return g.add("GlobalAveragePool", [_x(g, x)])
    h, w = x.shape[2:]
    rows = g.constant(_pooling_matrix(h, oh, x._array.dtype))
    columns = g.constant(_pooling_matrix(w, ow, x._array.dtype).T)
    (pooled_w,) = g.add("MatMul", [_x(g, x), columns])
    return g.add("MatMul", [rows, pooled_w])


def _linear(g, args, out):
    b, x, w = args  # LinearFunction keeps addmm's argument order
    return _gemm(g, x, w, b)


def _linear_no_bias(g, args, out):
    x, w = args
    return _gemm(g, x, w, None)


def _gemm(g, x, w, b):
    """x @ w^T (+ b): one Gemm for 2-D x, else Transpose, MatMul and Add."""
    if x.ndim == 2:
        return g.add("Gemm", [_x(g, x), _x(g, w)] + ([_x(g, b)] if b is not None else []), transB=1)
    (wt,) = g.add("Transpose", [_x(g, w)], perm=[1, 0])
    (product,) = g.add("MatMul", [_x(g, x), wt])
    return [product] if b is None else g.add("Add", [product, _x(g, b)])


def _binary(op_type):
    def convert(g, args, out):
        a, b = args[:2]
        dtype = out[0]._array.dtype
        if len(args) > 2 and args[2] != 1:  # alpha of add / sub
            b = b._array * args[2] if isinstance(b, Tensor) else np.asarray(b) * args[2]
        return g.add(op_type, [g.name(a, dtype), g.name(b, dtype)])

    return convert


def _matmul(g, args, out):
    return g.add("MatMul", [_x(g, args[0]), _x(g, args[1])])


def _unary(op_type, **fixed):
    def convert(g, args, out):
        return g.add(op_type, [_x(g, args[0])], **fixed)

    return convert


def _leaky_relu(g, args, out):
    return g.add("LeakyRelu", [_x(g, args[0])], alpha=float(args[1]))


def _softmax(op_type):
    def convert(g, args, out):
        return g.add(op_type, [_x(g, args[0])], axis=int(args[1]))

    return convert


def _reshape(g, args, out):
    """Reshape to the traced shape; a leading size equal to the input's is 0 (copied), so the batch stays dynamic."""
    x = args[0]
    target = list(out[0].shape)
    if target and x.ndim and target[0] == x.shape[0]:
        target[0] = 0
    return g.add("Reshape", [_x(g, x), g.constant(np.array(target, dtype=np.int64))])


def _permute(g, args, out):
    return g.add("Transpose", [_x(g, args[0])], perm=[int(d) for d in args[1]])


def _cat(g, args, out):
    axis, *tensors = args
    return g.add("Concat", [_x(g, t) for t in tensors], axis=int(axis))


def _constant_pad(g, args, out):
    x, pairs, value = args
    lead = x.ndim - len(pairs)
    pads = [0] * lead + [lo for lo, _ in pairs] + [0] * lead + [hi for _, hi in pairs]
    fill = g.constant(np.asarray(value, dtype=x._array.dtype))
    return g.add("Pad", [_x(g, x), g.constant(np.array(pads, dtype=np.int64)), fill], mode="constant")


def _index_pad(g, args, out):
    """reflect -> Pad 'reflect', replicate -> Pad 'edge', circular -> a Gather per padded dim (opset 17
    has no 'wrap' mode)."""
    x, maps, mode = args
    lead = x.ndim - len(maps)
    if mode == "circular":
        name = _x(g, x)
        for i, m in enumerate(maps):
            (name,) = g.add("Gather", [name, g.constant(np.asarray(m, dtype=np.int64))], axis=lead + i)
        return [name]
    pairs = [_pad_pair(mode, n, m) for n, m in zip(x.shape[lead:], maps)]
    pads = [0] * lead + [lo for lo, _ in pairs] + [0] * lead + [hi for _, hi in pairs]
    onnx_mode = {"reflect": "reflect", "replicate": "edge"}[mode]
    return g.add("Pad", [_x(g, x), g.constant(np.array(pads, dtype=np.int64))], mode=onnx_mode)


def _pad_pair(mode, size, index_map):
    """The (lo, hi) amounts behind one dimension's index map."""
    total = len(index_map) - size
    for lo in range(total + 1):
        if np.array_equal(padding._index_map(mode, size, lo, total - lo), index_map):
            return lo, total - lo
    raise _Unmapped(f"{mode} padding")


class _Unmapped(Exception):
    """An op (or a variant of it) that has no ONNX mapping."""


_CONVERTERS = {
    conv.Conv2dFunction: _conv,
    conv.ConvTranspose2dFunction: _conv_transpose,
    pool.MaxPool2dFunction: _max_pool,
    pool.AvgPool2dFunction: _avg_pool,
    pool.AdaptiveAvgPool2dFunction: _adaptive_avg_pool,
    linalg.LinearFunction: _linear,
    linalg.LinearNoBiasFunction: _linear_no_bias,
    linalg.MatmulFunction: _matmul,
    linalg.BmmFunction: _matmul,
    activation.ReluFunction: _unary("Relu"),
    activation.LeakyReluFunction: _leaky_relu,
    activation.SigmoidFunction: _unary("Sigmoid"),
    activation.TanhFunction: _unary("Tanh"),
    activation.SoftmaxFunction: _softmax("Softmax"),
    activation.LogSoftmaxFunction: _softmax("LogSoftmax"),
    elementwise.AddFunction: _binary("Add"),
    elementwise.SubFunction: _binary("Sub"),
    elementwise.RsubFunction: _binary("Sub"),
    elementwise.MulFunction: _binary("Mul"),
    elementwise.DivFunction: _binary("Div"),
    elementwise.NegFunction: _unary("Neg"),
    elementwise.ExpFunction: _unary("Exp"),
    elementwise.LogFunction: _unary("Log"),
    elementwise.SqrtFunction: _unary("Sqrt"),
    elementwise.AbsFunction: _unary("Abs"),
    shape.ReshapeFunction: _reshape,
    shape.SqueezeFunction: _reshape,
    shape.SqueezeDimFunction: _reshape,
    shape.UnsqueezeFunction: _reshape,
    shape.PermuteFunction: _permute,
    shape.TransposeFunction: _permute,
    shape.TFunction: _permute,
    shape.CatFunction: _cat,
    padding.ConstantPadFunction: _constant_pad,
    padding.IndexPadFunction: _index_pad,
}


class _Tracer:
    """Module hooks and an op observer that turn one forward pass into ``_Graph`` nodes."""

    def __init__(self, model: Module, graph: _Graph):
        self.graph = graph
        self.paths = {id(m): name for name, m in model.named_modules()}
        self.stack: list[Module] = []
        self.fused: Module | None = None  # the batch-norm call whose own ops are skipped

    def path(self) -> str:
        if not self.stack:
            return ""
        module = self.stack[-1]
        return self.paths.get(id(module), "?")

    def where(self) -> str:
        """``module 'layer1.0.conv1' (Conv2d)``, or the model's own forward."""
        if not self.stack:
            return "the model's forward"
        module = self.stack[-1]
        return f"module '{self.path() or '(the model)'}' ({type(module).__name__})"

    def pre_hook(self, module, args):
        self.stack.append(module)
        if self.fused is None and isinstance(module, _BatchNorm) and _eval_batch_norm(module):
            self.fused = module

    def hook(self, module, args, output):
        if self.fused is module:
            self.fused = None
            self.graph.where = self.path()
            self._batch_norm(module, args[0], output)
        self.stack.pop()

    def _batch_norm(self, module, x, output):
        g = self.graph
        dtype = x._array.dtype
        channels = x.shape[1]
        weight = module.weight if module.weight is not None else np.ones(channels, dtype)
        bias = module.bias if module.bias is not None else np.zeros(channels, dtype)
        names = [g.name(v, dtype) for v in (x, weight, bias, module.running_mean, module.running_var)]
        (out,) = g.add("BatchNormalization", names, epsilon=float(module.eps))
        g.bind(output, out)

    def on_forward(self, ctx, args, outputs, recorded):
        if self.fused is not None:
            return
        g = self.graph
        g.where = self.path()
        function = ctx._forward_cls
        convert = _CONVERTERS.get(function)
        if convert is None:
            raise _unmapped_error(f"{ctx.name()} ({function.__name__})", self.where())
        try:
            names = convert(g, args, outputs)
        except _Unmapped as error:
            raise _unmapped_error(str(error), self.where()) from None
        for t, name in zip(outputs, names):
            if name is not None:
                g.bind(t, name)
            else:
                g.unexported[id(t)] = f"second output of {ctx.name()}"
                g.keep.append(t)

    def on_backward_start(self, node):
        pass

    def on_backward(self, node, seconds):
        pass


def _eval_batch_norm(module) -> bool:
    """Whether this batch norm call normalizes with its running statistics (eval mode)."""
    return not module.training and module.running_mean is not None and module.running_var is not None


def _unmapped_error(op: str, where: str) -> RuntimeError:
    return RuntimeError(f"minigrad.onnx.export: {op} has no ONNX mapping; it runs in {where}")


def _as_tuple(args: Any) -> tuple[Tensor, ...]:
    return tuple(args) if isinstance(args, (tuple, list)) else (args,)


def _value_info(name: str, t: Tensor, dynamic: dict[int, str]) -> onnx.ValueInfoProto:
    dims = [dynamic.get(i, n) for i, n in enumerate(t.shape)]
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(t._array.dtype), dims)


def _dynamic(dynamic_axes: dict | None, name: str) -> dict[int, str]:
    """``{axis: symbol}`` for one input or output: dynamic_axes lists axes or maps them to names."""
    axes = (dynamic_axes or {}).get(name, {})
    if isinstance(axes, dict):
        return {int(a): str(s) for a, s in axes.items()}
    return {int(a): f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(axes)}


def export(
    model: Module,
    args: Tensor | Sequence[Tensor],
    f: str | os.PathLike | io.IOBase,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    dynamic_axes: dict[str, Sequence[int] | dict[int, str]] | None = None,
    opset_version: int = 17,
) -> onnx.ModelProto:
    """Write ``model``'s forward pass on ``args`` to ``f`` as an ONNX model, as ``torch.onnx.export``.

    Args:
        model: a Module; it runs once in eval mode (its mode is restored afterwards).
        args: the input Tensor, or a tuple of them passed positionally.
        f: a file name or a binary file object.
        input_names, output_names: graph names of the inputs and outputs (default
            ``input``/``output``, numbered from 0 when there are several).
        dynamic_axes: ``{name: [axis, ...]}`` or ``{name: {axis: symbol}}``: those dims of that
            input or output are left free (the batch dimension, typically axis 0).
        opset_version: the ONNX opset of the graph (13 or later).

    Returns the ``onnx.ModelProto`` written (checked by ``onnx.checker``).

    Example:
        >>> import io, minigrad, minigrad.onnx
        >>> model = minigrad.nn.Sequential(minigrad.nn.Linear(4, 2), minigrad.nn.ReLU())
        >>> proto = minigrad.onnx.export(model, minigrad.randn(1, 4), io.BytesIO(), dynamic_axes={"input": [0]})
        >>> [node.op_type for node in proto.graph.node]
        ['Gemm', 'Relu', 'Identity']
    """
    if isinstance(opset_version, bool) or not isinstance(opset_version, int) or opset_version < 13:
        raise ValueError(f"minigrad.onnx.export: opset_version must be an int, 13 or later, got {opset_version!r}")
    inputs = _as_tuple(args)
    if not all(isinstance(t, Tensor) for t in inputs):
        raise TypeError("minigrad.onnx.export: args must be a Tensor or a tuple of Tensors")
    input_names = list(input_names or (["input"] if len(inputs) == 1 else [f"input{i}" for i in range(len(inputs))]))
    if len(input_names) != len(inputs):
        raise ValueError(f"minigrad.onnx.export: {len(input_names)} input_names for {len(inputs)} inputs")
    graph = _Graph(model, inputs, input_names)
    tracer = _Tracer(model, graph)
    was_training = [(m, m.training) for m in model.modules()]
    model.eval()
    handles = []
    try:
        for module in model.modules():
            handles.append(module.register_forward_pre_hook(tracer.pre_hook))
            handles.append(module.register_forward_hook(tracer.hook))
        with no_grad(), observe(tracer):
            result = model(*inputs)
    finally:
        for handle in handles:
            handle.remove()
        for module, training in was_training:
            module.training = training
    outputs = _as_tuple(result)
    output_names = list(
        output_names or (["output"] if len(outputs) == 1 else [f"output{i}" for i in range(len(outputs))])
    )
    if len(output_names) != len(outputs):
        raise ValueError(f"minigrad.onnx.export: {len(output_names)} output_names for {len(outputs)} outputs")
    graph.where = ""
    for t, name in zip(outputs, output_names):
        graph.nodes.append(
            helper.make_node("Identity", [graph.name(t, t._array.dtype)], [name], name=f"{name}/Identity")
        )
    onnx_graph = helper.make_graph(
        graph.nodes,
        type(model).__name__,
        [_value_info(n, t, _dynamic(dynamic_axes, n)) for t, n in zip(inputs, input_names)],
        [_value_info(n, t, _dynamic(dynamic_axes, n)) for t, n in zip(outputs, output_names)],
        initializer=list(graph.initializers.values()),
    )
    proto = helper.make_model(
        onnx_graph, opset_imports=[helper.make_opsetid("", opset_version)], producer_name="minigrad"
    )
    onnx.checker.check_model(proto)
    if isinstance(f, (str, os.PathLike)):
        onnx.save(proto, os.fspath(f))
    else:
        f.write(proto.SerializeToString())
    return proto
