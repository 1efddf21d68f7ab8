"""grad_fn chains read as PyTorch's: the node type names of the common ops, losses and
Linear as one node each, the neural-networks tutorial's ``next_functions`` walk, custom
Functions, and the backward view still opening a loss node up."""

import numpy as np
import pytest
from dotreader import parse

import minigrad
from minigrad.autograd import Function
from minigrad.viz import make_dot


def _cases(lib):
    F = lib.nn.functional
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    y = lib.tensor(rng.standard_normal((3, 4)).astype(np.float32), requires_grad=True)
    w = lib.tensor(rng.standard_normal((4, 4)).astype(np.float32), requires_grad=True)
    b3 = lib.tensor(rng.standard_normal((2, 3, 4)).astype(np.float32), requires_grad=True)
    img = lib.tensor(rng.standard_normal((1, 2, 6, 6)).astype(np.float32), requires_grad=True)
    kernel = lib.tensor(rng.standard_normal((3, 2, 3, 3)).astype(np.float32), requires_grad=True)
    target = lib.tensor([0, 3, 1])
    return {
        "add": x + y,
        "add_scalar": x + 1,
        "sub": x - y,
        "sub_scalar": x - 1,
        "rsub": 1 - x,
        "mul": x * y,
        "mul_scalar": 2 * x,
        "div": x / y,
        "matmul": x @ w,
        "mm": x.mm(w),
        "bmm": lib.bmm(b3, b3.transpose(1, 2)),
        "relu": x.relu(),
        "sigmoid": x.sigmoid(),
        "tanh": x.tanh(),
        "sum": x.sum(),
        "sum_dim": x.sum(0),
        "mean": x.mean(),
        "mean_dim": x.mean(1, keepdim=True),
        "view": x.view(12),
        "reshape": x.reshape(2, 6),
        "flatten": x.flatten(),
        "squeeze": x[None].squeeze(),
        "squeeze_dim": x[None].squeeze(0),
        "unsqueeze": x.unsqueeze(0),
        "pow": x**2,
        "pow_tensor": x.abs() ** y,
        "pow_scalar_base": 2**x,
        "exp": x.exp(),
        "log": x.abs().log(),
        "t": x.t(),
        "transpose": x.transpose(0, 1),
        "permute": x.permute(1, 0),
        "T": x.T,
        "expand": x[:1].expand(3, 4),
        "cat": lib.cat([x, y]),
        "select": x[0],
        "select_last": x[1:, 0],
        "slice": x[1:],
        "slice_last": x[0, 1:],
        "full_slice": x[:],
        "unsqueeze_index": x[None],
        "alias": x[...],
        "index": x[[0, 1]],
        "mask": x[x > 0],
        "conv2d": F.conv2d(img, kernel),
        "conv_transpose2d": F.conv_transpose2d(img, kernel.transpose(0, 1)),
        "max_pool2d": F.max_pool2d(img, 2),
        "avg_pool2d": F.avg_pool2d(img, 2),
        "adaptive_max_pool2d": F.adaptive_max_pool2d(img, 2),
        "linear": lib.nn.functional.linear(x, w, w[0]),
        "linear_no_bias": lib.nn.functional.linear(x, w),
        "mse_loss": F.mse_loss(x, y),
        "mse_loss_none": F.mse_loss(x, y, reduction="none"),
        "cross_entropy": F.cross_entropy(x, target),
        "nll_loss": F.nll_loss(x.log_softmax(1), target, reduction="sum"),
        "l1_loss": F.l1_loss(x, y),
        "bce": F.binary_cross_entropy(x.sigmoid(), y.sigmoid().detach()),
        "bce_with_logits": F.binary_cross_entropy_with_logits(x, y.sigmoid().detach()),
        "log_softmax": x.log_softmax(1),
        "softmax": x.softmax(1),
        "abs": x.abs(),
        "neg": -x,
        "sqrt": x.abs().sqrt(),
        "gather": x.gather(1, target[:, None]),
        "scatter": x.scatter(1, target[:, None], y),
        "scatter_value": x.scatter(1, target[:, None], value=2.0),
        "where": lib.where(x > 0, x, y),
        "maximum": lib.maximum(x, y),
        "logsumexp": x.logsumexp(1),
        "clone": x.clone(),
        "to_double": x.double(),
        "unfold": F.unfold(img, 2),
        "pad": F.pad(img, (1, 1)),
        "batch_norm": F.batch_norm(img, None, None, training=True),
    }


def test_node_names_match_torch(torch):
    ours, theirs = _cases(minigrad), _cases(torch)
    got = {name: type(t.grad_fn).__name__ for name, t in ours.items()}
    expected = {name: type(t.grad_fn).__name__ for name, t in theirs.items()}
    assert got == expected
    for name, t in ours.items():
        assert repr(t.grad_fn).startswith(f"<{got[name]} object at 0x"), name
        assert t.grad_fn.name() == got[name]


def test_cross_entropy_is_nll_over_log_softmax(torch):
    for lib in (minigrad, torch):
        x = lib.ones(2, 3, requires_grad=True)
        loss = lib.nn.functional.cross_entropy(x, lib.tensor([0, 2]))
        assert type(loss.grad_fn).__name__ == "NllLossBackward0"
        assert type(loss.grad_fn.next_functions[0][0]).__name__ == "LogSoftmaxBackward0"
        assert type(loss.grad_fn.next_functions[0][0].next_functions[0][0]).__name__ == "AccumulateGrad"


def _tutorial_walk(lib):
    """The neural-networks tutorial's net (conv, relu, pool, flatten, linear, MSE), walked from the loss."""
    nn_ = lib.nn
    conv, fc = nn_.Conv2d(1, 2, 3), nn_.Linear(2 * 3 * 3, 4)
    h = nn_.functional.max_pool2d(nn_.functional.relu(conv(lib.ones(1, 1, 8, 8))), 2)
    loss = nn_.MSELoss()(fc(lib.flatten(h, 1)), lib.zeros(1, 4))
    names, node = [], loss.grad_fn
    while node is not None:
        names.append(type(node).__name__)
        node = node.next_functions[0][0] if node.next_functions else None
    bias_edge = type(fc(lib.ones(2, 18)).grad_fn.next_functions[0][0]).__name__
    return names, bias_edge, loss


def test_the_tutorial_walk_reads_as_torchs(torch):
    ours, bias_edge, loss = _tutorial_walk(minigrad)
    theirs, _, _ = _tutorial_walk(torch)
    # Linear's node keeps addmm's edge order (bias, input, weight): the walk stops at the bias.
    assert ours == theirs == ["MseLossBackward0", "AddmmBackward0", "AccumulateGrad"]
    assert bias_edge == "AccumulateGrad"
    assert loss.grad_fn._forward_cls.__name__ == "MseLossFunction"


def test_a_custom_function_is_named_as_pytorch_names_it(torch):
    class Cube(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x._array**3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * g * x * x

    class TorchCube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x**3

        @staticmethod
        def backward(ctx, g):
            return g

    y = Cube.apply(minigrad.ones(2, requires_grad=True))
    assert type(y.grad_fn).__name__ == "CubeBackward" and isinstance(y.grad_fn, Cube)
    assert y.grad_fn._forward_cls is Cube
    torch_y = TorchCube.apply(torch.ones(2, requires_grad=True))
    assert type(torch_y.grad_fn).__name__ == "TorchCubeBackward"


def test_the_backward_view_opens_a_loss_node_up():
    x = minigrad.randn(3, 4, requires_grad=True)
    loss = minigrad.nn.functional.mse_loss(x, minigrad.randn(3, 4))
    forward = parse(make_dot(loss, params={"x": x}))
    assert "MseLossBackward0" in forward.titles()
    backward = parse(make_dot(loss, params={"x": x}, view="backward"))
    inside = [n for n in backward.nodes.values() if backward.cluster_label(n) == "MseLossBackward0"]
    assert {"Sub", "Mul"} <= {n.title for n in inside}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_single_node_losses_equal_torch_in_value_and_gradient(torch, reduction):
    rng = np.random.default_rng(1)
    x_np, t_np = rng.standard_normal((4, 5)), rng.random((4, 5))
    w_np, pw_np = rng.random((4, 5)), rng.random(5) + 0.5
    labels = np.array([0, 4, 2, -100])
    for make in (
        lambda F, x, t, lib: F.mse_loss(x, t, reduction=reduction),
        lambda F, x, t, lib: F.binary_cross_entropy(x.sigmoid(), t, lib.tensor(w_np), reduction=reduction),
        lambda F, x, t, lib: F.binary_cross_entropy_with_logits(
            x, t, lib.tensor(w_np), reduction=reduction, pos_weight=lib.tensor(pw_np)
        ),
        lambda F, x, t, lib: F.nll_loss(x, lib.tensor(labels), lib.tensor(w_np[0]), reduction=reduction),
        lambda F, x, t, lib: F.cross_entropy(x, lib.tensor(labels), reduction=reduction),
    ):
        results = []
        for lib in (minigrad, torch):
            x = lib.tensor(x_np, requires_grad=True)
            t = lib.tensor(t_np, requires_grad=True)
            loss = make(lib.nn.functional, x, t, lib)
            loss.sum().backward()
            results.append((loss.detach().numpy(), x.grad.numpy(), None if t.grad is None else t.grad.numpy()))
        (value, gx, gt), (value_t, gx_t, gt_t) = results
        np.testing.assert_allclose(value, value_t, rtol=1e-10)
        np.testing.assert_allclose(gx, gx_t, rtol=1e-10, atol=1e-12)
        assert (gt is None) == (gt_t is None)
        if gt is not None:
            np.testing.assert_allclose(gt, gt_t, rtol=1e-10, atol=1e-12)


def test_weights_that_require_grad_are_refused_as_in_torch(torch):
    for lib in (minigrad, torch):
        F = lib.nn.functional
        x = lib.ones(2, 3, requires_grad=True)
        w = lib.ones(2, 3, requires_grad=True)
        with pytest.raises(RuntimeError, match="is not differentiable with respect to argument 'weight'"):
            F.binary_cross_entropy_with_logits(x, x.detach(), w)
        with pytest.raises(RuntimeError, match="is not differentiable with respect to argument 'pos_weight'"):
            F.binary_cross_entropy_with_logits(x, x.detach(), pos_weight=lib.ones(3, requires_grad=True))
