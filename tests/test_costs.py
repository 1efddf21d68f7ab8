"""minigrad.costs: the mult-adds each product op declares, and saved memory counted per buffer."""

import minigrad
from minigrad import costs
from minigrad.autograd.function import observe
from minigrad.nn import functional as F


class _MultAdds:
    """Observer: the mult-adds of every op run, by Function name."""

    def __init__(self):
        self.by_op = {}

    def on_forward(self, ctx, args, outputs, recorded):
        self.by_op[type(ctx).__name__] = costs.mult_adds(ctx, args, outputs)

    def on_backward_start(self, node):
        pass

    def on_backward(self, node, seconds):
        pass


def test_the_conv_triad_declares_the_same_products():
    x = minigrad.randn(2, 4, 7, 7, requires_grad=True)
    w = minigrad.randn(6, 2, 3, 3, requires_grad=True)
    with observe(_MultAdds()) as seen:
        y = F.conv2d(x, w, stride=2, groups=2)
        y.sum().backward()
    forward = y.numel() * 2 * 3 * 3  # out.numel * C/G * KH * KW
    # dx (the flipped-kernel convolution) and dw (the cross-correlation) multiply the same pairs.
    assert seen.by_op["Conv2dFunction"] == seen.by_op["ConvTranspose2dFunction"] == forward
    assert seen.by_op["Conv2dWeightFunction"] == forward


def test_matmul_and_linear_declare_theirs_and_other_ops_none():
    with observe(_MultAdds()) as seen:
        minigrad.randn(3, 4, 5) @ minigrad.randn(5, 2)
        F.linear(minigrad.randn(3, 5), minigrad.randn(7, 5))
        minigrad.randn(3) + minigrad.randn(3)
    assert seen.by_op["MatmulFunction"] == 3 * 4 * 2 * 5
    assert seen.by_op["LinearFunction"] == 3 * 7 * 5
    assert seen.by_op["AddFunction"] is None


def test_saved_memory_is_the_buffer_behind_each_view_counted_once():
    x = minigrad.randn(4, 8, requires_grad=True)
    a = x * 2  # a new 4x8 float32 buffer, 128 bytes
    b = a[:, :2] * a[:, :2]  # saves two views of it
    c = a.reshape(8, 4) * a.reshape(8, 4)  # and two more
    assert costs.saved_bytes(b.grad_fn) == costs.saved_bytes(c.grad_fn) == 128
    counted = costs.SavedBytes(exclude={id(costs.owner(x._array))})
    assert [counted.add(node) for node in (a.grad_fn, b.grad_fn, c.grad_fn)] == [0, 128, 0]
    assert counted.total == 128
