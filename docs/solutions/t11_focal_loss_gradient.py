"""Tutorial 11, exercise 2: the gradient of the focal loss with respect to the logits.

With p_t = softmax(z)_t, derive dFL/dz_t and dFL/dz_j (j != t), and check them against
``F.focal_loss(...).backward()``. For which p_t does gamma = 2 shrink the gradient on the
true class by 10x compared with cross-entropy?

Solution. Write g for gamma and p for p_t: FL = -(1 - p)^g log p. Its derivative in p
is

    dFL/dp = g (1 - p)^(g - 1) log p - (1 - p)^g / p

and the softmax gives dp/dz_t = p (1 - p) and dp/dz_j = -p p_j for j != t. So

    dFL/dz_t = (1 - p)^g (g p log p + p - 1)
    dFL/dz_j = p_j (1 - p)^(g - 1) (1 - p - g p log p)      (j != t)

With g = 0 these are cross-entropy's p - 1 and p_j. On the true class the focal
gradient is cross-entropy's times (1 - p)^g (1 - g p log p / (1 - p)); for g = 2 that
factor falls to 1/10 at p_t = 0.81 (``tenfold_smaller_at``): from there on, an example
pushes its logit at least ten times less than under cross-entropy. Below p_t = 0.30 the factor
is above 1 (1.22 at most, near p_t = 0.10): hard examples get a larger gradient than
cross-entropy gives them.
"""

import math

import numpy as np

import minigrad
import minigrad.nn.functional as F


def focal_loss_grad(logits, target, gamma):
    """dFL/dz for one sample: logits (C,) numpy array, target an int; returns (C,)."""
    z = logits - logits.max()
    probs = np.exp(z) / np.exp(z).sum()
    p = probs[target]
    grad = probs * (1 - p) ** (gamma - 1) * (1 - p - gamma * p * math.log(p))
    grad[target] = (1 - p) ** gamma * (gamma * p * math.log(p) + p - 1)
    return grad


def autograd_grad(logits, target, gamma):
    """The same gradient from ``F.focal_loss(...).backward()``."""
    z = minigrad.tensor(logits[None], requires_grad=True)
    F.focal_loss(z, minigrad.tensor([target]), gamma=gamma).backward()
    return z.grad.numpy()[0]


def true_class_ratio(p, gamma):
    """dFL/dz_t divided by cross-entropy's dCE/dz_t = p - 1, at p_t = p."""
    return (1 - p) ** gamma * (1 - gamma * p * math.log(p) / (1 - p))


def tenfold_smaller_at(gamma=2.0):
    """The p_t at which the true-class gradient is 1/10 of cross-entropy's (bisection)."""
    low, high = 1e-9, 1 - 1e-9
    for _ in range(100):
        mid = (low + high) / 2
        low, high = (mid, high) if true_class_ratio(mid, gamma) > 0.1 else (low, mid)
    return (low + high) / 2


if __name__ == "__main__":
    logits = np.array([2.0, -1.0, 0.5, 0.0])
    for gamma in (0.0, 0.5, 2.0, 5.0):
        print(f"gamma = {gamma}: by hand {focal_loss_grad(logits, 2, gamma)}")
        print(f"{'':12}autograd {autograd_grad(logits, 2, gamma)}")
    print(f"gamma = 2 shrinks the true-class gradient tenfold at p_t = {tenfold_smaller_at():.4f}")
