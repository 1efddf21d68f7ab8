"""
Tensors and autograd
====================

A :class:`minigrad.Tensor` is a numpy array plus what automatic differentiation needs to
know about it. Operations on tensors that *require grad* are recorded as they run; this
record (the *tape*, or graph) is what :meth:`Tensor.backward` walks in reverse to
compute gradients. This tutorial shows the tape, leaves, ``.grad`` and ``no_grad``.
"""

import numpy as np

import minigrad

# %%
# Tensors
# -------
# Tensors are made like PyTorch's: from Python data, from numpy, or by a factory. Python
# floats become ``float32`` (the default dtype), Python ints ``int64``; ``.numpy()`` is the
# numpy array underneath, shared, not copied (as in PyTorch it refuses a tensor that
# requires grad: ``t.detach().numpy()`` then).
a = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]])
b = minigrad.from_numpy(np.arange(6, dtype=np.float64).reshape(2, 3))
c = minigrad.zeros(2, 3)
print(a.dtype, a.shape, b.dtype, c.dtype)
print(a @ b.float())
print(type(a.numpy()), a.numpy().sum())

# %%
# The tape
# --------
# A tensor made by you with ``requires_grad=True`` is a *leaf*. Every op applied to it
# records a node, reachable from the result as ``grad_fn``. Each node points at the
# nodes of its inputs through ``next_functions``: that chain of pointers *is* the graph.
x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
w = minigrad.tensor([0.5, -1.0, 2.0], requires_grad=True)
y = x * w
loss = (y * y).sum()

print("x is a leaf:", x.is_leaf, "   y is a leaf:", y.is_leaf)
print("loss.grad_fn:", loss.grad_fn.name())
node = loss.grad_fn
while node is not None and node.next_functions:
    names = [child.name() for child, _ in node.next_functions if child is not None]
    print(f"  {node.name():<15} -> {names}")
    node = next(child for child, _ in node.next_functions if child is not None)

# %%
# The leaves' nodes are ``AccumulateGrad``: they add what arrives into ``.grad``.
#
# Backward
# --------
# ``loss.backward()`` walks the graph from ``loss`` in reverse topological order and
# applies the chain rule at each node. Here :math:`L = \sum_i (x_i w_i)^2`, so
# :math:`\partial L / \partial x_i = 2 x_i w_i^2` and
# :math:`\partial L / \partial w_i = 2 w_i x_i^2`:
loss.backward()
print("x.grad   =", x.grad.tolist())
print("2 x w^2  =", (2 * x.detach() * w.detach() ** 2).tolist())
print("w.grad   =", w.grad.tolist())
print("2 w x^2  =", (2 * w.detach() * x.detach() ** 2).tolist())

# %%
# Only leaves keep ``.grad``; an intermediate such as ``y`` keeps it only if asked with
# ``retain_grad()`` before backward. Gradients *accumulate*: a second backward adds to
# ``.grad``, which is why training loops zero the gradients before each step.
y = x * w
y.retain_grad()
(y * y).sum().backward()
print("y.grad =", y.grad.tolist(), "(= 2 y)")
print("x.grad after a second backward:", x.grad.tolist(), "(twice the first)")
x.grad = None
w.grad = None

# %%
# The graph is freed by backward: the values saved for it (here ``x`` and ``w`` inside
# the multiplication) are released, and a second backward through the *same* graph
# raises, unless the first was told ``retain_graph=True``.
loss = (x * w).sum()
loss.backward()
try:
    loss.backward()
except RuntimeError as error:
    print("RuntimeError:", str(error)[:88], "...")

# %%
# no_grad
# -------
# Inside ``minigrad.no_grad()`` nothing is recorded: results have no ``grad_fn`` and do
# not require grad. Use it for evaluation and for updating parameters by hand.
with minigrad.no_grad():
    z = x * 2
print("under no_grad:", z.requires_grad, z.grad_fn)

# ``detach()`` gives the same values cut from the graph, sharing memory (no copy).
y = x * 2
d = y.detach()
print("detached:", d.requires_grad, d.grad_fn, "shares memory:", np.shares_memory(d.numpy(), y.detach().numpy()))

# ``.data`` is PyTorch's too: the same memory outside autograd. Older code updates weights
# through it (``p.data.sub_(lr * p.grad.data)``): the change is not recorded, and unlike a
# change through ``detach()`` it is not counted against the graphs that saved ``p``.
# ``with minigrad.no_grad():`` and ``p.sub_(...)`` is the modern spelling.
p = minigrad.tensor([1.0, 2.0], requires_grad=True)
p.data.mul_(0.5)
print(".data:", p, "still a leaf:", p.is_leaf, "version:", p._version)

# %%
# A step of gradient descent by hand
# ----------------------------------
# The whole training loop in five lines: forward, backward, update under ``no_grad``,
# zero the gradients. Fitting :math:`y = 3x - 1` with one weight and one bias:
minigrad.manual_seed(0)
xs = minigrad.linspace(-1, 1, 32).reshape(32, 1)
ys = 3 * xs - 1
weight = minigrad.zeros(1, 1, requires_grad=True)
bias = minigrad.zeros(1, requires_grad=True)
for _ in range(200):
    loss = ((xs @ weight + bias - ys) ** 2).mean()
    loss.backward()
    with minigrad.no_grad():
        weight -= 0.1 * weight.grad
        bias -= 0.1 * bias.grad
    weight.grad = None
    bias.grad = None
print(f"weight {weight.item():.4f}  bias {bias.item():.4f}  loss {loss.item():.2e}")

# %%
# Exercises
# ---------
# 1. For the line fit above, :math:`L = \frac{1}{N} \sum_i (x_i w + b - y_i)^2`, derive
#    :math:`\partial L / \partial w` and :math:`\partial L / \partial b` by hand,
#    compute them with numpy and compare with ``.grad`` after ``loss.backward()``.
#    (``t01_gradient_by_hand.py``)
# 2. Gradients accumulate. Compute the full-batch gradient of the same loss in four
#    micro-batches: one ``backward()`` per micro-batch, no zeroing in between, each
#    micro-batch's loss scaled so that the accumulated ``.grad`` equals the gradient on
#    all 32 points at once. (``t01_gradient_accumulation.py``)
#
# The solutions, one file each in ``docs/solutions/``, are on the page
# :doc:`/solutions/index`; the test suite runs every one of them and checks it against
# an independent oracle (``tests/test_solutions_t01_t07.py``).
