"""Registration: every op is where CONTRIBUTING.md says, and is reachable everywhere it should be.

- every Function subclass lives in ``minigrad/ops/`` (none in ``nn/`` or elsewhere);
- each ops module lists its public functions in ``__all__``; ``minigrad.ops`` exports them
  all, ``minigrad`` the tensor families and ``minigrad.nn.functional`` the layer families,
  and ``F`` adds no code of its own beyond PyTorch's argument conventions;
- every function of ``torch.nn.functional`` that minigrad has is ``minigrad.nn.functional.X``;
- every layer in an ``nn/modules`` ``__all__`` is exported by ``minigrad.nn``;
- every differentiable public op has an entry in ``GRADCHECK`` below, checked in float64 to
  the second order.
"""

import importlib
import inspect
import pkgutil

import numpy as np
import pytest
from opcheck import function_classes

import minigrad
import minigrad.nn.functional as F
from minigrad import nn, ops
from minigrad.autograd import gradcheck, gradgradcheck

# Public functions of an ops module that are helpers for other ops, not ops themselves.
HELPERS = {"check_broadcast", "normalize_index", "reduce_axes", "sum_to", "check_reduction"}
# The F functions that wrap their op to take PyTorch's ``inplace=`` (accepted, not used).
F_WRAPPERS = {"relu", "leaky_relu", "dropout", "dropout2d"}
# Public ops without a gradient.
NOT_DIFFERENTIABLE = {"sign", "argmax", "argmin", "argsort", "unique", "one_hot"}

FAMILIES = sorted({*ops.TENSOR_FAMILIES, *ops.LAYER_FAMILIES}, key=lambda m: m.__name__)


def test_every_function_subclass_lives_in_ops():
    classes = function_classes()
    assert len(classes) > 30
    outside = sorted(f"{c.__module__}.{c.__name__}" for c in classes if not c.__module__.startswith("minigrad.ops."))
    assert not outside, f"Function subclasses outside minigrad/ops/: {outside}"


def test_every_ops_module_is_a_family():
    on_disk = {m.name for m in pkgutil.iter_modules(ops.__path__) if not m.name.startswith("_")}
    assert on_disk == {m.__name__.rsplit(".", 1)[1] for m in FAMILIES}, (
        "add a new ops module to TENSOR_FAMILIES or LAYER_FAMILIES in minigrad/ops/__init__.py"
    )


@pytest.mark.parametrize("family", FAMILIES, ids=lambda m: m.__name__)
def test_public_functions_are_in_all(family):
    public = {
        name
        for name, f in vars(family).items()
        if inspect.isfunction(f) and f.__module__ == family.__name__ and not name.startswith("_")
    }
    assert public - HELPERS == set(family.__all__), "list every public op in the module's __all__"


@pytest.mark.parametrize("family", FAMILIES, ids=lambda m: m.__name__)
def test_minigrad_ops_exports_every_family(family):
    for name in family.__all__:
        assert getattr(ops, name) is getattr(family, name), name
        assert name in ops.__all__


def test_minigrad_namespace_has_the_tensor_families():
    for family in ops.TENSOR_FAMILIES:
        for name in family.__all__:
            assert getattr(minigrad, name) is getattr(family, name), name


def test_functional_only_re_exports_the_layer_families():
    names = [name for family in ops.LAYER_FAMILIES for name in family.__all__]
    assert set(names) <= set(F.__all__)
    for name in F.__all__:
        if name in F_WRAPPERS:
            assert "inplace" in inspect.signature(getattr(F, name)).parameters
        else:
            assert getattr(F, name) is getattr(ops, name), f"F.{name} must be the op itself"
    defined_in_f = {name for name, f in vars(F).items() if inspect.isfunction(f) and f.__module__ == F.__name__}
    assert defined_in_f == F_WRAPPERS


def test_torch_functional_names_are_reachable(torch):
    torch_f = torch.nn.functional
    missing = [name for name in ops.__all__ if hasattr(torch_f, name) and not hasattr(F, name)]
    assert not missing, f"in torch.nn.functional but not minigrad.nn.functional: {missing}"


def test_every_layer_is_exported_by_nn():
    layers = []
    for info in pkgutil.iter_modules(nn.modules.__path__):
        module = importlib.import_module(f"minigrad.nn.modules.{info.name}")
        defined = {
            name
            for name, c in vars(module).items()
            if inspect.isclass(c)
            and issubclass(c, nn.Module)
            and c.__module__ == module.__name__
            and not name.startswith("_")
        }
        assert defined <= set(module.__all__), f"{module.__name__}: list {defined - set(module.__all__)} in __all__"
        layers += module.__all__
    assert len(layers) > 25
    for name in layers:
        assert name in nn.__all__ and inspect.isclass(getattr(nn, name)), name


# ---- the gradcheck table: one entry per differentiable public op ----------------------------

R = np.random.default_rng(9)


def leaf(*shape):
    """float64 values with 0.2 <= |x| < 2 (away from the kinks of relu, abs and clamp's bounds)."""
    return minigrad.tensor(R.uniform(0.2, 2.0, shape) * R.choice([-1.0, 1.0], shape), requires_grad=True)


def distinct(*shape):
    """float64 values at least 0.25 apart (no ties for max and max pooling)."""
    n = int(np.prod(shape))
    return minigrad.tensor(((R.permutation(n) - n / 2) * 0.25).reshape(shape), requires_grad=True)


def probabilities(*shape):
    return minigrad.tensor(R.uniform(0.2, 0.8, shape), requires_grad=True)


def seeded(fn):
    """``fn`` with the generator reseeded first, so that dropout draws one mask for every call."""

    def call(*args):
        minigrad.manual_seed(0)
        return fn(*args)

    return call


CLASSES = np.array([0, 2, 1])
INDEX = np.array([[0, 2], [1, 0], [2, 2]])

GRADCHECK = {
    # activation
    "relu": (ops.relu, lambda: (leaf(2, 3),)),
    "leaky_relu": (lambda a: ops.leaky_relu(a, 0.1), lambda: (leaf(2, 3),)),
    "sigmoid": (ops.sigmoid, lambda: (leaf(2, 3),)),
    "tanh": (ops.tanh, lambda: (leaf(2, 3),)),
    "softmax": (lambda a: ops.softmax(a, 1), lambda: (leaf(2, 3),)),
    "log_softmax": (lambda a: ops.log_softmax(a, 0), lambda: (leaf(2, 3),)),
    # convert
    "to_dtype": (lambda a: ops.to_dtype(a, minigrad.float64), lambda: (leaf(2, 3),)),
    "clone": (ops.clone, lambda: (leaf(2, 3),)),
    # elementwise
    "add": (lambda a, b: ops.add(a, b, alpha=2), lambda: (leaf(2, 3), leaf(3))),
    "sub": (ops.sub, lambda: (leaf(2, 3), leaf(2, 1))),
    "mul": (ops.mul, lambda: (leaf(2, 3), leaf(3))),
    "div": (ops.div, lambda: (leaf(2, 3), leaf(2, 3))),
    "pow": (ops.pow, lambda: (probabilities(2, 3), leaf(2, 3))),
    "neg": (ops.neg, lambda: (leaf(2, 3),)),
    "exp": (ops.exp, lambda: (leaf(2, 3),)),
    "log": (ops.log, lambda: (probabilities(2, 3),)),
    "sqrt": (ops.sqrt, lambda: (probabilities(2, 3),)),
    "abs": (ops.abs, lambda: (leaf(2, 3),)),
    "clamp": (lambda a: ops.clamp(a, -1.0, 1.0), lambda: (leaf(2, 3),)),
    "maximum": (ops.maximum, lambda: (distinct(2, 3), distinct(2, 3) + 0.1)),
    "minimum": (ops.minimum, lambda: (distinct(2, 3), distinct(2, 3) + 0.1)),
    "where": (lambda a, b: ops.where(INDEX[:2] > 0, a, b), lambda: (leaf(2, 2), leaf(2, 2))),
    "masked_fill": (lambda a: ops.masked_fill(a, INDEX[:2] > 0, 0.5), lambda: (leaf(2, 2),)),
    "sin": (ops.sin, lambda: (leaf(2, 3),)),
    "cos": (ops.cos, lambda: (leaf(2, 3),)),
    "tan": (ops.tan, lambda: (leaf(2, 3) * 0.6,)),
    "sinh": (ops.sinh, lambda: (leaf(2, 3),)),
    "cosh": (ops.cosh, lambda: (leaf(2, 3),)),
    "asin": (ops.asin, lambda: (probabilities(2, 3) - 0.5,)),
    "acos": (ops.acos, lambda: (probabilities(2, 3) - 0.5,)),
    "atan": (ops.atan, lambda: (leaf(2, 3),)),
    "atan2": (ops.atan2, lambda: (leaf(2, 3), leaf(3))),
    "erf": (ops.erf, lambda: (leaf(2, 3),)),
    # index
    "getitem": (lambda a: ops.getitem(a, (slice(1, None), [0, 2, 2])), lambda: (leaf(3, 3),)),
    "index_put": (lambda a, v: ops.index_put(a, (0,), v), lambda: (leaf(2, 3), leaf(3))),
    "gather": (lambda a: ops.gather(a, 1, INDEX), lambda: (leaf(3, 3),)),
    "scatter": (
        lambda a, src: ops.scatter(a, 1, np.array([[0, 2], [1, 0], [2, 1]]), src),
        lambda: (leaf(3, 3), leaf(3, 3)),
    ),
    # linalg
    "matmul": (ops.matmul, lambda: (leaf(2, 3), leaf(3))),
    "mm": (ops.mm, lambda: (leaf(2, 3), leaf(3, 2))),
    "bmm": (ops.bmm, lambda: (leaf(2, 2, 3), leaf(2, 3, 2))),
    "linear": (ops.linear, lambda: (leaf(2, 3), leaf(4, 3), leaf(4))),
    # reduce
    "sum": (lambda a: ops.sum(a, 1), lambda: (leaf(2, 3),)),
    "mean": (lambda a: ops.mean(a, 0, keepdim=True), lambda: (leaf(2, 3),)),
    "max": (lambda a: ops.max(a, 1)[0], lambda: (distinct(2, 3),)),
    "min": (ops.min, lambda: (distinct(2, 3),)),
    "amax": (lambda a: ops.amax(a, (0, 1)), lambda: (distinct(2, 3),)),
    "amin": (lambda a: ops.amin(a, 1), lambda: (distinct(2, 3),)),
    "var": (lambda a: ops.var(a, 1), lambda: (leaf(2, 3),)),
    "std": (ops.std, lambda: (leaf(2, 3),)),
    "logsumexp": (lambda a: ops.logsumexp(a, 1), lambda: (leaf(2, 3),)),
    "norm": (lambda a: ops.norm(a, 3, dim=1), lambda: (leaf(2, 3),)),
    "vector_norm": (lambda a: ops.vector_norm(a, 0.5, dim=(0, 1), keepdim=True), lambda: (leaf(2, 3),)),
    # shape
    "reshape": (lambda a: ops.reshape(a, 3, 2), lambda: (leaf(2, 3),)),
    "view": (lambda a: ops.view(a, -1), lambda: (leaf(2, 3),)),
    "flatten": (ops.flatten, lambda: (leaf(2, 3),)),
    "permute": (lambda a: ops.permute(a, 1, 0), lambda: (leaf(2, 3),)),
    "transpose": (lambda a: ops.transpose(a, 0, 1), lambda: (leaf(2, 3),)),
    "t": (ops.t, lambda: (leaf(2, 3),)),
    "squeeze": (ops.squeeze, lambda: (leaf(2, 1, 3),)),
    "unsqueeze": (lambda a: ops.unsqueeze(a, 1), lambda: (leaf(2, 3),)),
    "expand": (lambda a: ops.expand(a, 4, 2, 3), lambda: (leaf(2, 1),)),
    "cat": (lambda a, b: ops.cat([a, b], 1), lambda: (leaf(2, 3), leaf(2, 1))),
    "stack": (lambda a, b: ops.stack([a, b]), lambda: (leaf(2, 3), leaf(2, 3))),
    "split": (lambda a: ops.split(a, [1, 2], 1), lambda: (leaf(2, 3),)),
    "chunk": (lambda a: ops.chunk(a, 2, 1), lambda: (leaf(2, 3),)),
    "narrow": (lambda a: ops.narrow(a, 1, 1, 2), lambda: (leaf(2, 3),)),
    "swapaxes": (lambda a: ops.swapaxes(a, 0, 1), lambda: (leaf(2, 3),)),
    "swapdims": (lambda a: ops.swapdims(a, 1, 0), lambda: (leaf(2, 3),)),
    "repeat": (lambda a: ops.repeat(a, 2, 1, 2), lambda: (leaf(2, 3),)),
    "concat": (lambda a, b: ops.concat([a, b], 1), lambda: (leaf(2, 3), leaf(2, 1))),
    "concatenate": (lambda a, b: ops.concatenate([a, b], axis=0), lambda: (leaf(2, 3), leaf(1, 3))),
    "meshgrid": (lambda a, b: ops.meshgrid(a, b, indexing="xy"), lambda: (leaf(2), leaf(3))),
    # sort
    "sort": (lambda a: ops.sort(a, 0, descending=True).values, lambda: (distinct(2, 3),)),
    "topk": (lambda a: ops.topk(a, 2, largest=False).values, lambda: (distinct(2, 3),)),
    # conv
    "conv2d": (
        lambda x, w, b: ops.conv2d(x, w, b, stride=2, padding=1),
        lambda: (leaf(1, 2, 4, 4), leaf(3, 2, 2, 2), leaf(3)),
    ),
    "conv1d": (lambda x, w: ops.conv1d(x, w, padding="same"), lambda: (leaf(1, 2, 5), leaf(3, 2, 2))),
    "conv_transpose2d": (
        lambda x, w: ops.conv_transpose2d(x, w, stride=2),
        lambda: (leaf(1, 2, 2, 2), leaf(2, 3, 2, 2)),
    ),
    "conv_transpose1d": (lambda x, w: ops.conv_transpose1d(x, w, padding=1), lambda: (leaf(1, 2, 3), leaf(2, 1, 3))),
    "unfold": (lambda x: ops.unfold(x, 2), lambda: (leaf(1, 2, 3, 3),)),
    "fold": (lambda c: ops.fold(c, (3, 3), 2), lambda: (leaf(1, 8, 4),)),
    # pool
    "max_pool2d": (lambda x: ops.max_pool2d(x, 2, 1), lambda: (distinct(1, 2, 3, 3),)),
    "avg_pool2d": (lambda x: ops.avg_pool2d(x, 2, padding=1), lambda: (leaf(1, 2, 3, 3),)),
    "adaptive_avg_pool2d": (lambda x: ops.adaptive_avg_pool2d(x, (2, 1)), lambda: (leaf(1, 2, 3, 3),)),
    "adaptive_max_pool2d": (lambda x: ops.adaptive_max_pool2d(x, 2), lambda: (distinct(1, 2, 3, 3),)),
    "max_unpool2d": (
        lambda x: ops.max_unpool2d(x, minigrad.tensor(np.array([[[[0, 3], [10, 15]]]])), 2),
        lambda: (leaf(1, 1, 2, 2),),
    ),
    "max_pool1d": (lambda x: ops.max_pool1d(x, 2), lambda: (distinct(1, 2, 4),)),
    "avg_pool1d": (lambda x: ops.avg_pool1d(x, 3, 1), lambda: (leaf(1, 2, 4),)),
    # padding
    "pad": (lambda x: ops.pad(x, (1, 2, 0, 1), mode="reflect"), lambda: (leaf(1, 1, 3, 3),)),
    # dropout
    "dropout": (seeded(lambda a: ops.dropout(a, 0.5)), lambda: (leaf(2, 3),)),
    "dropout2d": (seeded(lambda a: ops.dropout2d(a, 0.5)), lambda: (leaf(2, 3, 2, 2),)),
    # normalization
    "batch_norm": (
        lambda x, w, b: ops.batch_norm(x, None, None, w, b, training=True),
        lambda: (leaf(3, 2, 2), leaf(2), leaf(2)),
    ),
    # loss
    "cross_entropy": (lambda a: ops.cross_entropy(a, CLASSES, label_smoothing=0.1), lambda: (leaf(3, 3),)),
    "nll_loss": (lambda a: ops.nll_loss(a, CLASSES), lambda: (leaf(3, 3),)),
    "focal_loss": (lambda a: ops.focal_loss(a, CLASSES), lambda: (leaf(3, 3),)),
    "mse_loss": (ops.mse_loss, lambda: (leaf(2, 3), leaf(2, 3))),
    "l1_loss": (ops.l1_loss, lambda: (distinct(2, 3), distinct(2, 3) + 0.1)),
    "binary_cross_entropy": (ops.binary_cross_entropy, lambda: (probabilities(2, 3), probabilities(2, 3))),
    "binary_cross_entropy_with_logits": (
        ops.binary_cross_entropy_with_logits,
        lambda: (leaf(2, 3), probabilities(2, 3)),
    ),
}


def test_every_differentiable_op_is_in_the_gradcheck_table():
    missing = set(ops.__all__) - NOT_DIFFERENTIABLE - set(GRADCHECK)
    assert not missing, f"add a GRADCHECK entry for {sorted(missing)}"
    assert set(GRADCHECK) <= set(ops.__all__)


@pytest.mark.parametrize("name", sorted(GRADCHECK))
def test_gradcheck_and_gradgradcheck(name):
    fn, make_inputs = GRADCHECK[name]
    inputs = make_inputs()
    assert gradcheck(fn, inputs)
    assert gradgradcheck(fn, inputs)
