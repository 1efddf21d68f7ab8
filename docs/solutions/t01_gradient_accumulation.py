"""Tutorial 1, exercise 2: gradient accumulation.

Gradients accumulate in ``.grad`` until they are zeroed. Use that to compute the
full-batch gradient of the line fit in chunks: split the 32 points into 4 micro-batches,
call ``backward()`` once per micro-batch without zeroing in between, and scale each
micro-batch's loss so that the accumulated ``.grad`` equals the gradient of the loss on
all 32 points at once. (This is how a large batch is trained when it does not fit in
memory.)

Solution. The full loss is the mean over N points, and a micro-batch's loss the mean
over its n points; the full loss is the sum of the micro-batch losses, each times n / N.
"""

import minigrad


def accumulated_gradients(xs, ys, weight, bias, chunks):
    """Accumulate the gradients of mean((xs @ weight + bias - ys)^2) over ``chunks`` micro-batches.

    Args:
        xs, ys: (N, 1) tensors.
        weight: (1, 1) leaf; bias: (1,) leaf. Their ``.grad`` is reset, then accumulated.
        chunks: number of micro-batches.
    """
    weight.grad = bias.grad = None
    total = xs.shape[0]
    for x, y in zip(xs.chunk(chunks), ys.chunk(chunks)):
        loss = ((x @ weight + bias - y) ** 2).mean() * (x.shape[0] / total)
        loss.backward()
    return weight.grad, bias.grad


def full_batch_gradients(xs, ys, weight, bias):
    weight.grad = bias.grad = None
    ((xs @ weight + bias - ys) ** 2).mean().backward()
    return weight.grad, bias.grad


if __name__ == "__main__":
    xs = minigrad.linspace(-1, 1, 32, dtype=minigrad.float64).reshape(32, 1)
    ys = 3 * xs - 1
    weight = minigrad.full((1, 1), 0.5, dtype=minigrad.float64, requires_grad=True)
    bias = minigrad.zeros(1, dtype=minigrad.float64, requires_grad=True)
    print("4 micro-batches:", [g.tolist() for g in accumulated_gradients(xs, ys, weight, bias, 4)])
    print("full batch     :", [g.tolist() for g in full_batch_gradients(xs, ys, weight, bias)])
