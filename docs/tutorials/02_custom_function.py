"""
Writing your own op with ``autograd.Function``
==============================================

Every differentiable op in minigrad, from ``add`` to ``conv2d``, is a subclass of
:class:`minigrad.autograd.Function` with a ``forward`` and a ``backward`` side by side.
Yours are no different. This tutorial writes *softplus*,
:math:`y = \\log(1 + e^x)`, checks its gradient with
:func:`~minigrad.autograd.gradcheck`, and shows what gradcheck says about a wrong one.
"""

import numpy as np

import minigrad
from minigrad.autograd import Function, GradcheckError, gradcheck, gradgradcheck

# %%
# forward and backward
# --------------------
# ``forward(ctx, *args)`` receives the arguments as given (tensors stay tensors) and may
# compute on their numpy arrays (``x.detach().numpy()``, shared memory, as in PyTorch's
# numpy extensions) and return an array; recording is off inside it.
# ``ctx`` is the node that will sit in the graph: ``ctx.save_for_backward`` keeps what
# backward reads, and ``ctx.needs_input_grad`` says which inputs want a gradient.
#
# ``backward(ctx, grad_output)`` returns one gradient per forward argument (``None`` for
# the ones that need none). Written with minigrad ops rather than numpy, the backward is
# itself differentiable, which is what makes gradients of gradients work (tutorial 3).
#
# The derivative of softplus is the logistic sigmoid, :math:`dy/dx = \sigma(x)`.


class SoftplusFunction(Function):
    """y = log(1 + exp(x));  dx = g * sigmoid(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        # log(1 + e^x) without overflow for large x
        return np.logaddexp(0.0, x.detach().numpy())

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x.sigmoid()


def softplus(x):
    """The public function: validation would go here; the Function does the work."""
    return SoftplusFunction.apply(x)


x = minigrad.tensor([-2.0, 0.0, 3.0], requires_grad=True)
y = softplus(x)
print(y)
print("grad_fn:", y.grad_fn.name())  # the class name + "Backward", as PyTorch names custom nodes
y.sum().backward()
print("x.grad     :", x.grad.tolist())
print("sigmoid(x) :", (1 / (1 + np.exp(-x.detach().numpy()))).tolist())

# %%
# Checking it with gradcheck
# --------------------------
# :func:`~minigrad.autograd.gradcheck` perturbs each input element by ``eps`` in both
# directions, estimates the Jacobian by central differences, and compares it with the
# one backward computes (one backward per output element). It works in float64, where
# finite differences are accurate to about 1e-10; in float32 they are not, which is why
# the inputs are converted.
x = minigrad.randn(4, 5, dtype=minigrad.float64, requires_grad=True)
print("gradcheck:", gradcheck(softplus, (x,)))
print("gradgradcheck:", gradgradcheck(softplus, (x,)))

# %%
# A wrong backward, caught
# ------------------------
# A classic slip: the derivative written as if the op were :math:`\log(e^x) = x`,
# forgetting the one. gradcheck names the input, the element and both values.


class BrokenSoftplusFunction(SoftplusFunction):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x.exp() / x.exp()  # should be exp(x) / (1 + exp(x))


try:
    gradcheck(BrokenSoftplusFunction.apply, (x,))
except GradcheckError as error:
    print("GradcheckError:", error)

# %%
# Several inputs, non-tensor arguments
# ------------------------------------
# Arguments that are not tensors (sizes, flags, hyper-parameters) pass through
# ``apply`` to ``forward`` unchanged and get ``None`` as their gradient. Here is a
# scaled product :math:`z = \alpha\, a \odot b` whose backward skips the work nobody asked for:


class ScaledMulFunction(Function):
    """z = alpha * a * b;  da = alpha * g * b,  db = alpha * g * a."""

    @staticmethod
    def forward(ctx, a, b, alpha):
        ctx.alpha = alpha
        ctx.save_for_backward(a, b)
        return alpha * a.detach().numpy() * b.detach().numpy()

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        needs_a, needs_b, _ = ctx.needs_input_grad
        grad_a = ctx.alpha * grad_output * b if needs_a else None
        grad_b = ctx.alpha * grad_output * a if needs_b else None
        return grad_a, grad_b, None


a = minigrad.randn(3, dtype=minigrad.float64, requires_grad=True)
b = minigrad.randn(3, dtype=minigrad.float64)  # a constant: no gradient computed
print("needs_input_grad:", ScaledMulFunction.apply(a, b, 2.5).grad_fn.needs_input_grad)
print("gradcheck:", gradcheck(lambda a: ScaledMulFunction.apply(a, b, 2.5), (a,)))

# %%
# That is the whole recipe the built-in ops follow (see :doc:`/architecture` for where
# they live and how to add one to the library itself).

# %%
# Exercises
# ---------
# 1. Write :math:`\mathrm{logsumexp}(x) = \log \sum_j e^{x_j}` over the last dimension
#    as a ``Function``: a forward that gives a finite answer for ``x = 1000``, a backward
#    in minigrad ops. Check it with ``gradcheck`` and ``gradgradcheck`` and against
#    ``minigrad.logsumexp``. (``t02_logsumexp_function.py``)
# 2. minigrad has no ``hardtanh``. Add ``F.hardtanh(input, min_val=-1.0, max_val=1.0)``
#    and ``nn.Hardtanh`` following the "Adding an op" checklist of ``CONTRIBUTING.md``:
#    the Function, the public function with PyTorch's error for ``min_val > max_val``, the
#    layer, and the tests the checklist asks for (gradchecks, a reference, PyTorch).
#    (``t02_new_op_hardtanh.py``)
#
# The solutions, one file each in ``docs/solutions/``, are on the page
# :doc:`/solutions/index`; the test suite runs every one of them and checks it against
# an independent oracle (``tests/test_solutions_t01_t07.py``).
