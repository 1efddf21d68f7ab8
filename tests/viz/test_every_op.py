"""Every op in the library draws in both views (a case per op, checked against the list of
Function classes)."""

import numpy as np
import pytest
from dotreader import parse
from inputs import uniform_leaf
from opcheck import function_classes

import minigrad
from minigrad import nn
from minigrad.autograd import grad
from minigrad.viz import make_dot
from minigrad.viz.labels import op_title

# ---- every op in the library ------------------------------------------------------------


def _cases():
    F = nn.functional
    idx = np.array([[0, 2], [1, 0]])
    mask = np.array([[True, False, True], [False, True, False]])
    return {
        "add": lambda a, b: a + b,
        "sub": lambda a, b: a - b,
        "mul": lambda a, b: a * b,
        "div": lambda a, b: a / b,
        "pow": lambda a, b: a**b,
        "pow_scalar": lambda a, b: a**3,
        "pow_scalar_base": lambda a, b: 2**a,
        "rsub": lambda a, b: 1 - a,
        "neg": lambda a, b: -a,
        "exp": lambda a, b: a.exp(),
        "log": lambda a, b: a.log(),
        "sqrt": lambda a, b: a.sqrt(),
        "abs": lambda a, b: a.abs(),
        "tanh": lambda a, b: a.tanh(),
        "sigmoid": lambda a, b: a.sigmoid(),
        "relu": lambda a, b: a.relu(),
        "clamp": lambda a, b: a.clamp(0.7, 1.2),
        "maximum": lambda a, b: minigrad.maximum(a, b),
        "minimum": lambda a, b: minigrad.minimum(a, b),
        "where": lambda a, b: minigrad.where(mask, a, b),
        "masked_fill": lambda a, b: a.masked_fill(mask, 0.0),
        "matmul": lambda a, b: a @ b.T,
        "bmm": lambda a, b: minigrad.bmm(a.unsqueeze(0), b.T.unsqueeze(0)),
        "linear": lambda a, b: F.linear(a, b, b[:, 0]),
        "sum": lambda a, b: a.sum(dim=1),
        "sum_all": lambda a, b: a.sum(),
        "mean": lambda a, b: a.mean(),
        "amax": lambda a, b: a.amax(dim=1),
        "max_dim": lambda a, b: a.max(dim=1)[0],
        "min": lambda a, b: a.min(),
        "gather": lambda a, b: minigrad.gather(a, 1, idx),
        "scatter": lambda a, b: minigrad.scatter(a, 1, idx, b),
        "softmax": lambda a, b: a.softmax(dim=1),
        "log_softmax": lambda a, b: a.log_softmax(dim=1),
        "logsumexp": lambda a, b: a.logsumexp(dim=1),
        "std": lambda a, b: a.std(),
        "var": lambda a, b: a.var(dim=0),
        "expand": lambda a, b: a[:1].expand(4, 3),
        "reshape": lambda a, b: a.reshape(3, 2),
        "permute": lambda a, b: a.permute(1, 0),
        "transpose": lambda a, b: a.transpose(0, 1),
        "t": lambda a, b: a.t(),
        "squeeze": lambda a, b: a.unsqueeze(0).squeeze(0),
        "squeeze_all": lambda a, b: a.unsqueeze(0).squeeze(),
        "flatten": lambda a, b: a.flatten(),
        "cat": lambda a, b: minigrad.cat([a, b], dim=1),
        "stack": lambda a, b: minigrad.stack([a, b]),
        "split": lambda a, b: a.split(1, dim=0)[1],
        "chunk": lambda a, b: a.chunk(3, dim=1)[2],
        "narrow": lambda a, b: a.narrow(1, 1, 2),
        "getitem_basic": lambda a, b: a[1:, ::2],
        "getitem_select": lambda a, b: a[None, 1],
        "getitem_alias": lambda a, b: a[...],
        "getitem_advanced": lambda a, b: a[[0, 1, 1], [2, 0, 0]],
        "index_put": lambda a, b: _index_put(a, b),
        "clone": lambda a, b: a.clone(),
        "to_dtype": lambda a, b: a.to(minigrad.float64),
        "leaky_relu": lambda a, b: F.leaky_relu(a - 1.0, 0.1),
        "dropout": lambda a, b: F.dropout(a, 0.5),
        "batch_norm": lambda a, b: F.batch_norm(a, None, None, b[0], b[1], training=True),
        "cross_entropy": lambda a, b: F.cross_entropy(a, minigrad.tensor([0, 2])),
        "mse_loss": lambda a, b: F.mse_loss(a, b),
        "bce": lambda a, b: F.binary_cross_entropy(a.sigmoid(), b - 0.5),
        "bce_with_logits": lambda a, b: F.binary_cross_entropy_with_logits(a, b - 0.5),
        "conv2d": lambda a, b: F.conv2d(_img(a), _kernel(b), padding=1),
        "conv_transpose2d": lambda a, b: F.conv_transpose2d(_img(a), _kernel(b).permute(1, 0, 2, 3), stride=2),
        "max_pool2d": lambda a, b: F.max_pool2d(_img(a), 2),
        "avg_pool2d": lambda a, b: F.avg_pool2d(_img(a), 2),
        "adaptive_avg": lambda a, b: F.adaptive_avg_pool2d(_img(a), 1),
        "adaptive_max": lambda a, b: F.adaptive_max_pool2d(_img(a), 1),
        "max_unpool2d": lambda a, b: F.max_unpool2d(*F.max_pool2d(_img(a), 2, return_indices=True), 2),
        "unfold": lambda a, b: F.unfold(_img(a), 2),
        "fold": lambda a, b: F.fold(F.unfold(_img(a), 2), (2, 3), 2),
        "pad_constant": lambda a, b: F.pad(_img(a), (1, 1, 1, 1)),
        "pad_reflect": lambda a, b: F.pad(_img(a), (1, 1, 1, 1), mode="reflect"),
        "sin": lambda a, b: a.sin(),
        "cos": lambda a, b: a.cos(),
        "tan": lambda a, b: a.tan(),
        "sinh": lambda a, b: a.sinh(),
        "cosh": lambda a, b: a.cosh(),
        "asin": lambda a, b: (a * 0.3).asin(),
        "acos": lambda a, b: (a * 0.3).acos(),
        "atan": lambda a, b: a.atan(),
        "atan2": lambda a, b: minigrad.atan2(a, b),
        "erf": lambda a, b: a.erf(),
        "norm": lambda a, b: a.norm(3, dim=1),
    }


def _img(a):
    return a.reshape(1, 1, 2, 3)


def _kernel(b):
    return b.reshape(1, 1, 2, 3)[:, :, :2, :2].reshape(1, 1, 2, 2).expand(2, 1, 2, 2)


def _index_put(a, b):
    c = a.clone()
    c[0] = b[1]
    return c


def test_double_backward_of_conv_transpose2d_draws():
    a, b = uniform_leaf(2, 3, seed=1), uniform_leaf(2, 3, seed=2)
    out = _cases()["conv_transpose2d"](a, b)
    grads = grad(out.sum(), [a, b], create_graph=True)
    d = parse(make_dot(sum(g.sum() for g in grads), view="backward"))
    assert d.titles()["grad_output"] == 1


@pytest.mark.slow
def test_every_op_in_the_library_renders(dot_program):
    """Forward view, backward view, and the backward view of each gradient (double backward):
    every Function subclass in minigrad must show up in one of them, and every drawing must
    go through the real dot."""
    seen_forward, seen_backward = set(), set()
    failures = []
    for name, fn in _cases().items():
        a = uniform_leaf(2, 3, seed=1)
        b = uniform_leaf(2, 3, seed=2)
        try:
            out = fn(a, b)
            graphs = [
                make_dot(out, params={"a": a, "b": b}, show_attrs=True, show_saved=True),
                make_dot(out, params={"a": a, "b": b}, show_attrs=True, view="backward"),
            ]
            inputs = [t for t in (a, b) if t.requires_grad]
            grads = grad((out * out).sum(), inputs, create_graph=True, allow_unused=True)
            total = sum(g.sum() for g in grads if g is not None and g.requires_grad)
            if not isinstance(total, int):
                graphs.append(make_dot(total, view="backward"))
            for i, graph in enumerate(graphs):
                d = parse(graph)
                (seen_forward if i == 0 else seen_backward).update(d.titles())
                layout = graph.pipe(format="plain").decode()
                assert layout.startswith("graph ") and layout.rstrip().endswith("stop")
        except Exception as error:  # collect them all, then fail with the list
            failures.append(f"{name}: {type(error).__name__}: {error}")
    assert not failures, "\n".join(failures)
    missing = []
    for cls in function_classes():
        title = op_title(cls)
        if cls.name() in seen_forward:
            continue
        if any(t == title or t.startswith(title + " ") for t in seen_backward):
            continue
        missing.append(f"{cls.__module__}.{cls.__name__}")
    assert not missing, (
        "these ops appear in no drawing; add a case to _cases() in tests/viz/test_every_op.py: "
        + ", ".join(sorted(missing))
    )
