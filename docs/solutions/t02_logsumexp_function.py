"""Tutorial 2, exercise 1: a custom Function, checked with gradcheck.

Write ``logsumexp(x)``, ``log(sum_j exp(x_j))`` over the last dimension, as a
``Function``: a forward that does not overflow for large inputs (``x = 1000`` must give
a finite answer) and a backward written with minigrad ops, so that ``gradgradcheck``
passes too. Check it with ``gradcheck`` and ``gradgradcheck`` and against
``minigrad.logsumexp``.

Solution. Forward: with m = max_j x_j, logsumexp(x) = m + log(sum_j exp(x_j - m)), whose
exponentials are at most 1. Backward: d out / d x_j = exp(x_j) / sum_k exp(x_k) =
exp(x_j - out), the softmax, so dx = g[..., None] * exp(x - out[..., None]). The array
forward returns, saved with ``save_for_backward``, comes back in backward as the output
tensor, with its place in the graph (as in relu's Function); so the backward, written
with tensor ops, is recorded under ``create_graph=True`` and differentiates correctly
through ``out`` as well.
"""

import numpy as np

import minigrad
from minigrad.autograd import Function, gradcheck, gradgradcheck


class LogSumExpFunction(Function):
    """out = log(sum(exp(x), -1));  dx = g[..., None] * exp(x - out[..., None])."""

    @staticmethod
    def forward(ctx, x):
        data = x.detach().numpy()
        m = data.max(axis=-1, keepdims=True)
        out = (m + np.log(np.exp(data - m).sum(axis=-1, keepdims=True)))[..., 0]
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        x, out = ctx.saved_tensors
        return grad_output.unsqueeze(-1) * (x - out.unsqueeze(-1)).exp()


def logsumexp(x):
    """log(sum(exp(x))) over the last dimension: (*, D) -> (*)."""
    return LogSumExpFunction.apply(x)


if __name__ == "__main__":
    x = minigrad.randn(3, 5, dtype=minigrad.float64, requires_grad=True)
    print("ours     :", logsumexp(x).tolist())
    print("minigrad :", minigrad.logsumexp(x, dim=-1).tolist())
    print("gradcheck:", gradcheck(logsumexp, (x,)), " gradgradcheck:", gradgradcheck(logsumexp, (x,)))
    print("x = [1000, 1000]:", logsumexp(minigrad.tensor([1000.0, 1000.0])).item(), "(1000 + log 2)")
