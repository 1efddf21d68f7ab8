"""Tutorial 2, exercise 2: a new op, following the contributor checklist.

minigrad has no ``hardtanh``. Add ``F.hardtanh(input, min_val=-1.0, max_val=1.0)`` and
the layer ``nn.Hardtanh`` the way CONTRIBUTING.md's "Adding an op" checklist says: a
Function with forward and backward side by side, the public function right under it
with PyTorch's name, arguments and error, the layer, and the tests (gradcheck and
gradgradcheck, a naive reference, PyTorch as a third oracle).

Solution. Written here as one file so that it runs on its own; in the library each
piece has its home, which the checklist names:

=============================  ==========================================================
piece                          where it goes
=============================  ==========================================================
``HardtanhFunction``           ``minigrad/ops/activation.py``, under ``# ---- elementwise``
``hardtanh``                   right under it, and its name in that module's ``__all__``
``Hardtanh``                   ``minigrad/nn/modules/activation.py``, and its ``__all__``
gradcheck entry                ``GRADCHECK`` in ``tests/ops/test_registry.py``
reference and PyTorch checks   ``tests/ops/``, ``tests/against_torch/test_ops_vs_torch.py``
=============================  ==========================================================

PyTorch names the node ``HardtanhBackward0``, which is the name minigrad gives
``HardtanhFunction`` once it lives in ``minigrad.ops``, so no ``node_name`` is needed (run
from this file, outside the package, it is named as a user's Function,
``HardtanhFunctionBackward``). The tests of this solution
(``tests/test_solutions_t01_t07.py``) are the ones the checklist asks for.

The math: out = min(max(x, min_val), max_val), so dout/dx is 1 strictly inside
(min_val, max_val) and 0 outside; at the two kinks PyTorch takes 0, and so do we.
"""

import numpy as np

import minigrad
from minigrad.autograd import Function
from minigrad.nn import Module


class HardtanhFunction(Function):
    """out = clip(x, min_val, max_val);  dx = g * (min_val < x < max_val)."""

    @staticmethod
    def forward(ctx, x, min_val, max_val):
        data = x._array
        ctx.save_for_backward(((data > min_val) & (data < max_val)).astype(data.dtype))
        return np.clip(data, min_val, max_val)

    @staticmethod
    def backward(ctx, g):
        (inside,) = ctx.saved_tensors
        return g * inside, None, None


def hardtanh(input, min_val=-1.0, max_val=1.0):
    """``min(max(x, min_val), max_val)`` elementwise.

    Args:
        input: a floating tensor of any shape (*).
        min_val: the lower bound. Default: -1.0.
        max_val: the upper bound, at least ``min_val``. Default: 1.0.

    Shape:
        Output: (*), the input's shape.

    Example:
        >>> hardtanh(minigrad.tensor([-2.0, 0.5, 3.0]))
        tensor([-1.0000,  0.5000,  1.0000])
    """
    if not isinstance(input, minigrad.Tensor):
        raise TypeError(f"hardtanh(): argument 'input' must be Tensor, not {type(input).__name__}")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return HardtanhFunction.apply(input, min_val, max_val)


class Hardtanh(Module):
    """``min(max(x, min_val), max_val)`` elementwise; see :func:`hardtanh`."""

    def __init__(self, min_val=-1.0, max_val=1.0):
        super().__init__()
        if min_val > max_val:  # refused when the layer is made, not at its first call
            raise ValueError(f"Hardtanh: max_val ({max_val}) must not be lower than min_val ({min_val})")
        self.min_val = min_val
        self.max_val = max_val

    def forward(self, input):
        return hardtanh(input, self.min_val, self.max_val)

    def extra_repr(self):
        changed = [
            f"{name}={value}"
            for name, value, default in [("min_val", self.min_val, -1.0), ("max_val", self.max_val, 1.0)]
            if value != default
        ]
        return ", ".join(changed)


if __name__ == "__main__":
    from minigrad.autograd import gradcheck, gradgradcheck

    x = minigrad.tensor([-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0], requires_grad=True)
    y = hardtanh(x)
    y.sum().backward()
    print("hardtanh:", y.tolist(), "grad:", x.grad.tolist(), "node:", y.grad_fn.name())
    xr = minigrad.tensor(np.linspace(-3, 3, 12) + 0.01, dtype=minigrad.float64, requires_grad=True)
    print("gradcheck:", gradcheck(hardtanh, (xr,)), " gradgradcheck:", gradgradcheck(hardtanh, (xr,)))
    print(Hardtanh(), Hardtanh(0.0, 6.0))
