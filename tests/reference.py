"""Naive references written straight from the notes' formulas, for the kernel tests (and, at
the end, how near the kernels must come to them, in which dtypes).

Plain nested loops over numpy arrays, no cleverness, small sizes only. The loop names
follow the notes (002, 004): b batch, x y output position, j output feature, dx dy the
kernel offset, i input feature:

    L_{l+1}[b, x, y, j] = B[j] + sum_{dx, dy, i} W[dx, dy, i, j] * L'_l[b, s*x + d*dx, s*y + d*dy, i]

with L' the zero-padded input, W[dx, dy, i, j] stored as w[j, i, dx, dy] (NCHW, PyTorch's
layout), and for groups the input features of group g only. The backward follows the
chain rule on that sum, term by term:

    dL/dW[dx, dy, i, j] += dL/dL_{l+1}[b, x, y, j] * L'_l[b, s*x + d*dx, s*y + d*dy, i]
    dL/dL'_l[b, s*x + d*dx, s*y + d*dy, i] += dL/dL_{l+1}[b, x, y, j] * W[dx, dy, i, j]
"""

import math

import numpy as np
from hypothesis import strategies as st


def out_size(size, k, s=1, p=0, d=1):
    """(W - F + 2P) / S + 1 of the notes, floored, with dilation d."""
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def pool_out_size(size, k, s, p=0, d=1, ceil_mode=False):
    """PyTorch's pooling size: floor or ceil, the last window starting inside input or left pad."""
    span = size + 2 * p - d * (k - 1) - 1
    out = (math.ceil(span / s) if ceil_mode else span // s) + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pad(x, ph, pw):
    padded = np.zeros(x.shape[:2] + (x.shape[2] + 2 * ph, x.shape[3] + 2 * pw), dtype=x.dtype)
    padded[:, :, ph : ph + x.shape[2], pw : pw + x.shape[3]] = x
    return padded


def conv2d(x, w, bias=None, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    N, C, H, W = x.shape
    O, Cg, KH, KW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    OH, OW = out_size(H, KH, sh, ph, dh), out_size(W, KW, sw, pw, dw)
    Og = O // groups
    xp = _pad(x, ph, pw)
    out = np.zeros((N, O, OH, OW), dtype=np.float64)
    for b in range(N):
        for j in range(O):
            g = j // Og
            for x_ in range(OH):
                for y in range(OW):
                    acc = 0.0 if bias is None else float(bias[j])
                    for i in range(Cg):
                        for dx in range(KH):
                            for dy in range(KW):
                                acc += w[j, i, dx, dy] * xp[b, g * Cg + i, sh * x_ + dh * dx, sw * y + dw * dy]
                    out[b, j, x_, y] = acc
    return out


def conv2d_grad_weight(x, gy, weight_shape, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    N, C, H, W = x.shape
    O, Cg, KH, KW = weight_shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    OH, OW = gy.shape[2:]
    Og = O // groups
    xp = _pad(x, ph, pw)
    gw = np.zeros(weight_shape, dtype=np.float64)
    for b in range(N):
        for j in range(O):
            g = j // Og
            for x_ in range(OH):
                for y in range(OW):
                    for i in range(Cg):
                        for dx in range(KH):
                            for dy in range(KW):
                                gw[j, i, dx, dy] += (
                                    gy[b, j, x_, y] * xp[b, g * Cg + i, sh * x_ + dh * dx, sw * y + dw * dy]
                                )
    return gw


def conv2d_grad_input(input_shape, w, gy, stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1):
    N, C, H, W = input_shape
    O, Cg, KH, KW = w.shape
    (sh, sw), (ph, pw), (dh, dw) = stride, padding, dilation
    OH, OW = gy.shape[2:]
    Og = O // groups
    # padded so that every s*x + d*dx lands inside, whatever H (conv_transpose's output_padding)
    gxp = np.zeros(
        (N, C, max(H + 2 * ph, sh * (OH - 1) + dh * (KH - 1) + 1), max(W + 2 * pw, sw * (OW - 1) + dw * (KW - 1) + 1)),
        dtype=np.float64,
    )
    for b in range(N):
        for j in range(O):
            g = j // Og
            for x_ in range(OH):
                for y in range(OW):
                    for i in range(Cg):
                        for dx in range(KH):
                            for dy in range(KW):
                                gxp[b, g * Cg + i, sh * x_ + dh * dx, sw * y + dw * dy] += (
                                    gy[b, j, x_, y] * w[j, i, dx, dy]
                                )
    return gxp[:, :, ph : ph + H, pw : pw + W]


def conv_transpose2d(x, w, bias=None, stride=(1, 1), padding=(0, 0), output_padding=(0, 0), dilation=(1, 1), groups=1):
    """The transposed convolution is the input gradient of the conv2d it transposes."""
    N, C, H, W = x.shape
    _, Og, KH, KW = w.shape
    size = tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + op + 1
        for n, s, p, d, k, op in zip((H, W), stride, padding, dilation, (KH, KW), output_padding)
    )
    out = conv2d_grad_input((N, Og * groups) + size, w, x, stride, padding, dilation, groups)
    if bias is not None:
        out = out + bias[None, :, None, None]
    return out


def unfold(x, kernel_size, dilation=(1, 1), padding=(0, 0), stride=(1, 1)):
    """The notes' im2col: L~[b, (i, dx, dy), (x, y)] = L'[b, i, s*x + d*dx, s*y + d*dy]."""
    N, C, H, W = x.shape
    KH, KW = kernel_size
    OH, OW = out_size(H, KH, stride[0], padding[0], dilation[0]), out_size(W, KW, stride[1], padding[1], dilation[1])
    xp = _pad(x, *padding)
    cols = np.zeros((N, C * KH * KW, OH * OW), dtype=np.float64)
    for b in range(N):
        for i in range(C):
            for dx in range(KH):
                for dy in range(KW):
                    for x_ in range(OH):
                        for y in range(OW):
                            cols[b, (i * KH + dx) * KW + dy, x_ * OW + y] = xp[
                                b, i, stride[0] * x_ + dilation[0] * dx, stride[1] * y + dilation[1] * dy
                            ]
    return cols


def _windows(H, W, OH, OW, kernel_size, stride, padding, dilation):
    """For each output (x, y), the in-bounds input positions of its window."""
    for x_ in range(OH):
        for y in range(OW):
            taps = []
            for dx in range(kernel_size[0]):
                for dy in range(kernel_size[1]):
                    r = stride[0] * x_ - padding[0] + dilation[0] * dx
                    c = stride[1] * y - padding[1] + dilation[1] * dy
                    if 0 <= r < H and 0 <= c < W:
                        taps.append((r, c))
            yield x_, y, taps


def max_pool2d(x, kernel_size, stride, padding=(0, 0), dilation=(1, 1), ceil_mode=False):
    """L_{l+1}[b, x, y, i] = max_{dx, dy} L_l[b, s*x + d*dx, s*y + d*dy, i]; and the arg max."""
    N, C, H, W = x.shape
    OH = pool_out_size(H, kernel_size[0], stride[0], padding[0], dilation[0], ceil_mode)
    OW = pool_out_size(W, kernel_size[1], stride[1], padding[1], dilation[1], ceil_mode)
    out = np.zeros((N, C, OH, OW), dtype=np.float64)
    idx = np.zeros((N, C, OH, OW), dtype=np.int64)
    for b in range(N):
        for i in range(C):
            for x_, y, taps in _windows(H, W, OH, OW, kernel_size, stride, padding, dilation):
                if not taps:  # a dilated window that only touches padding: -inf, no index
                    out[b, i, x_, y], idx[b, i, x_, y] = -np.inf, -1
                    continue
                best = max(taps, key=lambda t: x[b, i, t[0], t[1]])  # first maximum
                out[b, i, x_, y] = x[b, i, best[0], best[1]]
                idx[b, i, x_, y] = best[0] * W + best[1]
    return out, idx


def max_pool2d_grad(gy, idx, input_shape):
    gx = np.zeros(input_shape, dtype=np.float64)
    N, C, H, W = input_shape
    for b in range(N):
        for i in range(C):
            for o, k in zip(gy[b, i].ravel(), idx[b, i].ravel()):
                if k >= 0:
                    gx[b, i, k // W, k % W] += o
    return gx


def avg_pool2d(x, kernel_size, stride, padding=(0, 0), ceil_mode=False, count_include_pad=True, divisor_override=None):
    """The window mean; the divisor as PyTorch defines it (see avg_pool2d_divisor)."""
    N, C, H, W = x.shape
    OH = pool_out_size(H, kernel_size[0], stride[0], padding[0], 1, ceil_mode)
    OW = pool_out_size(W, kernel_size[1], stride[1], padding[1], 1, ceil_mode)
    out = np.zeros((N, C, OH, OW), dtype=np.float64)
    for b in range(N):
        for i in range(C):
            for x_, y, taps in _windows(H, W, OH, OW, kernel_size, stride, padding, (1, 1)):
                div = avg_pool2d_divisor(x_, y, H, W, kernel_size, stride, padding, count_include_pad, divisor_override)
                out[b, i, x_, y] = sum(x[b, i, r, c] for r, c in taps) / div
    return out


def avg_pool2d_divisor(x_, y, H, W, kernel_size, stride, padding, count_include_pad, divisor_override):
    """divisor_override, else the window's size clipped to the padded input (count_include_pad:
    a ceil_mode window hanging past the padding is cut there), else the in-input count."""
    if divisor_override:
        return divisor_override
    r0, c0 = stride[0] * x_ - padding[0], stride[1] * y - padding[1]
    r1, c1 = r0 + kernel_size[0], c0 + kernel_size[1]
    if count_include_pad:
        return (min(r1, H + padding[0]) - r0) * (min(c1, W + padding[1]) - c0)
    return (min(r1, H) - max(r0, 0)) * (min(c1, W) - max(c0, 0))


def avg_pool2d_grad(
    gy, input_shape, kernel_size, stride, padding=(0, 0), count_include_pad=True, divisor_override=None
):
    N, C, H, W = input_shape
    OH, OW = gy.shape[2:]
    gx = np.zeros(input_shape, dtype=np.float64)
    for b in range(N):
        for i in range(C):
            for x_, y, taps in _windows(H, W, OH, OW, kernel_size, stride, padding, (1, 1)):
                div = avg_pool2d_divisor(x_, y, H, W, kernel_size, stride, padding, count_include_pad, divisor_override)
                for r, c in taps:
                    gx[b, i, r, c] += gy[b, i, x_, y] / div
    return gx


def adaptive_windows(size, out):
    """Window i spans [floor(i*size/out), ceil((i+1)*size/out))."""
    return [(math.floor(i * size / out), math.ceil((i + 1) * size / out)) for i in range(out)]


def adaptive_avg_pool2d(x, output_size):
    N, C, H, W = x.shape
    rows, cols = adaptive_windows(H, output_size[0]), adaptive_windows(W, output_size[1])
    out = np.zeros((N, C) + tuple(output_size), dtype=np.float64)
    for x_, (r0, r1) in enumerate(rows):
        for y, (c0, c1) in enumerate(cols):
            out[:, :, x_, y] = x[:, :, r0:r1, c0:c1].astype(np.float64).mean(axis=(2, 3))
    return out


def adaptive_max_pool2d(x, output_size):
    N, C, H, W = x.shape
    rows, cols = adaptive_windows(H, output_size[0]), adaptive_windows(W, output_size[1])
    out = np.zeros((N, C) + tuple(output_size), dtype=np.float64)
    idx = np.zeros((N, C) + tuple(output_size), dtype=np.int64)
    for b in range(N):
        for i in range(C):
            for x_, (r0, r1) in enumerate(rows):
                for y, (c0, c1) in enumerate(cols):
                    window = x[b, i, r0:r1, c0:c1]
                    k = int(np.argmax(window))  # first maximum
                    r, c = r0 + k // (c1 - c0), c0 + k % (c1 - c0)
                    out[b, i, x_, y], idx[b, i, x_, y] = x[b, i, r, c], r * W + c
    return out, idx


# ---- how near the kernels must come, and in which dtypes ---------------------------------------

TOL = {np.float32: dict(rtol=2e-4, atol=2e-4), np.float64: dict(rtol=1e-10, atol=1e-10)}
DTYPES = st.sampled_from([np.float32, np.float64])


def close(actual, expected, dtype):
    np.testing.assert_allclose(actual, expected, **TOL[dtype])
