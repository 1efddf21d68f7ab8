# cython: language_level=3, cdivision=True
# boundscheck / wraparound / initializedcheck come from setup.py's COMPILER_DIRECTIVES,
# so that MINIGRAD_BOUNDSCHECK=1 rebuilds these kernels with the checks on.
"""Convolution entry points: conv2d forward, its weight gradient, conv_transpose2d (= its
input gradient), im2col/col2im; each checks its buffers and picks an algorithm.

Notation: N batch; C input channels, H W input height and width; O output channels;
KH KW kernel size; OH OW output size; G groups, Cg = C // G and Og = O // G channels per
group; sh sw stride, ph pw padding, dh dw dilation. All arrays are NCHW, C-contiguous,
float32 or float64 (one fused type per call); weights are (O, Cg, KH, KW).

The algorithms, one module each:
    im2col_gemm     im2col + GEMM a block of columns at a time (any conv; the default)
    winograd        F(2x2, 3x3) for 3x3 stride-1 convs with at least 32 channels
    depthwise       direct loops when each group has one input channel
    conv_transpose  the input gradient as the flipped-kernel convolution, and col2im(w^T g)
The shared pieces are _blas.pxd (the GEMM, axpy and dot), _index.pxd (index arithmetic)
and _omp.pxd (thread counts).

The callers (minigrad.ops) validate every argument. The def wrappers here only check
that the buffers' shapes agree with the hyper-parameters, so that no call, however
malformed, reads or writes out of bounds; the cdef kernels assume they do.
Output buffers are allocated by the caller; scratch is allocated by the kernels before
the GIL is released. Each call is one OpenMP parallel region on up to kernel_threads()
threads (minigrad.set_num_threads), one for small work; inside it every thread takes
whole items with its own scratch and single-threaded GEMMs. That BLAS (SciPy's) must be
kept single-threaded by the caller: importing minigrad does it (minigrad.parallel).
"""
import numpy as np

from cython cimport floating
from libc.string cimport memset

from minigrad_core cimport conv_transpose, depthwise, im2col_gemm, winograd
from minigrad_core._index cimport _dims
from minigrad_core._omp cimport mg_threads_for
from minigrad_core.im2col_gemm cimport _col2im, _im2col


def _shape_error(name, what, expected, got):
    return ValueError(f"{name}: {what} must be {tuple(expected)}, got {tuple(got)}")


def _conv_out_size(size, k, s, p, d):
    # untyped on purpose: Python's floor division (cdivision would truncate a negative size)
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _check_hyper(name, stride, padding, dilation, Py_ssize_t groups):
    if min(stride) < 1 or min(dilation) < 1 or min(padding) < 0 or groups < 1:
        raise ValueError(f"{name}: stride, dilation and groups must be positive and padding "
                         f"non-negative, got stride={stride}, padding={padding}, "
                         f"dilation={dilation}, groups={groups}")


def _check_conv_shapes(name, x_shape, w_shape, y_shape, stride, padding, dilation,
                       Py_ssize_t groups, bint exact):
    """x (N, C, H, W), w (O, C // groups, KH, KW), y (N, O, OH, OW) agree.

    exact: OH OW must be the conv output size of H W; otherwise (the flipped-kernel
    kernels) any sizes are safe, since they bound every index by both H W and OH OW.
    """
    _check_hyper(name, stride, padding, dilation, groups)
    N, C, H, W = x_shape
    O, Cg, KH, KW = w_shape
    if C != Cg * groups or O % groups != 0 or KH < 1 or KW < 1:
        raise ValueError(f"{name}: weight {tuple(w_shape)} does not fit input "
                         f"{tuple(x_shape)} with groups={groups}")
    if exact:
        OH = _conv_out_size(H, KH, stride[0], padding[0], dilation[0])
        OW = _conv_out_size(W, KW, stride[1], padding[1], dilation[1])
        if OH < 1 or OW < 1:
            raise ValueError(f"{name}: kernel larger than the padded input")
        expected = (N, O, OH, OW)
    else:
        expected = (N, O, y_shape[2], y_shape[3])
    if tuple(y_shape) != expected:
        raise _shape_error(name, "the output-side buffer", expected, y_shape)



# ----------------------------------------------------------------------------------------
# conv2d: Winograd, depthwise loops, or im2col + GEMM

def conv2d_forward(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] weight,
                   const floating[::1] bias, floating[:, :, :, ::1] out,
                   stride, padding, dilation, Py_ssize_t groups):
    """out = conv2d(x, weight, bias): out[n, g] = w[g] (Og, Cg*KH*KW) @ im2col(x[n, g]) + bias."""
    _check_conv_shapes("conv2d_forward", _dims(x.shape, 4), _dims(weight.shape, 4), _dims(out.shape, 4),
                       stride, padding, dilation, groups, True)
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], O = weight.shape[0]
    cdef Py_ssize_t KH = weight.shape[2], KW = weight.shape[3], G = groups
    cdef Py_ssize_t sh = stride[0], sw = stride[1], ph = padding[0], pw = padding[1]
    cdef Py_ssize_t dh = dilation[0], dw = dilation[1]
    cdef bint has_bias = bias is not None
    if has_bias and bias.shape[0] != O:
        raise _shape_error("conv2d_forward", "bias", (O,), (bias.shape[0],))
    if N == 0 or O == 0:
        return
    if C == 0:
        out[...] = 0
        if has_bias:
            np.asarray(out)[...] += np.asarray(bias)[:, None, None]
        return
    cdef const floating* b = &bias[0] if has_bias else NULL
    if winograd.fits(KH, KW, sh, sw, dh, dw, G) and winograd.pays(C, O):
        winograd.conv2d(x, weight, b, out, ph, pw, False)
    elif C // G == 1 and G > 1:
        depthwise.conv2d(x, weight, b, out, sh, sw, ph, pw, dh, dw)
    else:
        im2col_gemm.conv2d(x, weight, b, out, sh, sw, ph, pw, dh, dw, G)


def conv2d_backward_weight(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] grad_output,
                           floating[:, :, :, ::1] grad_weight, stride, padding, dilation,
                           Py_ssize_t groups):
    """grad_weight = the cross-correlation of x with grad_output:

    gw[o, c, a, b] = sum_{n, y, x} gy[n, o, y, x] * x[n, g*Cg + c, y*sh - ph + a*dh, x*sw - pw + b*dw],
    i.e. gw[g] (Og, Cg*KH*KW) = sum_n gy[n, g] (Og, OH*OW) @ im2col(x[n, g])^T; by
    Winograd for 3x3 stride-1 kernels with enough channels.
    """
    _check_conv_shapes("conv2d_backward_weight", _dims(x.shape, 4), _dims(grad_weight.shape, 4),
                       _dims(grad_output.shape, 4), stride, padding, dilation, groups, True)
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], O = grad_weight.shape[0]
    cdef Py_ssize_t KH = grad_weight.shape[2], KW = grad_weight.shape[3], G = groups
    cdef Py_ssize_t sh = stride[0], sw = stride[1], ph = padding[0], pw = padding[1]
    cdef Py_ssize_t dh = dilation[0], dw = dilation[1]
    grad_weight[...] = 0
    if N == 0 or O == 0 or C == 0:
        return
    if winograd.fits(KH, KW, sh, sw, dh, dw, G) and winograd.pays(C, O):
        winograd.conv2d_weight(x, grad_output, grad_weight, ph, pw)
    elif C // G == 1 and G > 1:
        depthwise.conv2d_weight(x, grad_output, grad_weight, sh, sw, ph, pw, dh, dw)
    else:
        im2col_gemm.conv2d_weight(x, grad_output, grad_weight, sh, sw, ph, pw, dh, dw, G)


# ----------------------------------------------------------------------------------------
# conv_transpose2d = conv2d's input gradient = the flipped-kernel convolution

PATHS = ("flipped", "winograd", "depthwise", "col2im")


def conv_transpose2d(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] weight,
                     const floating[::1] bias, floating[:, :, :, ::1] out, stride, padding,
                     dilation, Py_ssize_t groups, path=None):
    """out (N, C, H, W) = conv_transpose2d(x (N, O, OH, OW), weight (O, C/G, KH, KW)) + bias:
    the input gradient of the conv2d (stride, padding, dilation, groups) that maps out's
    shape to x's, i.e. x convolved with the flipped, channel-swapped kernel. out's size is
    taken as given, so any output_padding is allowed. Returns the path that ran:

        "flipped"    the flipped-kernel convolution, phase by phase (im2col of x + GEMM)
        "winograd"   the same flipped-kernel correlation by F(2x2, 3x3) (3x3, stride 1,
                     one group, at least 32 channels)
        "depthwise"  the same flipped-kernel correlation by direct loops, tap by tap
                     (one channel per group)
        "col2im"     col2im(w^T @ x), the adjoint of im2col + GEMM: a different order of
                     the same sum, only where it was measured >= 1.2x faster
                     (_col2im_measured_faster)

    path forces one of them (winograd and depthwise only where they apply); None picks.
    """
    name = "conv_transpose2d"
    _check_conv_shapes(name, _dims(out.shape, 4), _dims(weight.shape, 4), _dims(x.shape, 4),
                       stride, padding, dilation, groups, False)
    if bias is not None and bias.shape[0] != out.shape[1]:
        raise _shape_error(name, "bias", (out.shape[1],), (bias.shape[0],))
    cdef Py_ssize_t N = x.shape[0], O = x.shape[1], OH = x.shape[2], OW = x.shape[3]
    cdef Py_ssize_t C = out.shape[1], H = out.shape[2], W = out.shape[3]
    cdef Py_ssize_t KH = weight.shape[2], KW = weight.shape[3], G = groups
    cdef Py_ssize_t sh = stride[0], sw = stride[1], ph = padding[0], pw = padding[1]
    cdef Py_ssize_t dh = dilation[0], dw = dilation[1]
    if path is None:
        path = conv_transpose2d_path(N, C, H, W, O, OH, OW, KH, KW, stride, padding, dilation, G)
    elif (path not in PATHS or (path == "winograd" and not _winograd_fits(H, W, OH, OW, KH, KW, stride,
                                                                          padding, dilation, G))
          or (path == "depthwise" and not (C // G == 1 and G > 1))):
        raise ValueError(f"{name}: path must be None, 'flipped', 'col2im', (when C == groups) "
                         f"'depthwise' or (3x3, stride 1, one group) 'winograd', got {path!r}")
    if path == "winograd" and min(N, C, O) > 0:
        winograd.conv2d(x, weight, NULL, out, 2 - ph, 2 - pw, True)
    else:
        out[...] = 0
        if N == 0 or C == 0 or O == 0 or H == 0 or W == 0 or OH == 0 or OW == 0:
            pass
        elif path == "flipped":
            conv_transpose.flipped_kernel(x, weight, out, sh, sw, ph, pw, dh, dw, G)
        elif path == "col2im":
            conv_transpose.col2im_scatter(x, weight, out, sh, sw, ph, pw, dh, dw, G)
        else:
            depthwise.conv_transpose2d(x, weight, out, sh, sw, ph, pw, dh, dw)
    if bias is not None:
        np.asarray(out)[...] += np.asarray(bias)[:, None, None]
    return path


def _winograd_fits(H, W, OH, OW, KH, KW, stride, padding, dilation, G):
    """Whether winograd.conv2d computes this input gradient: 3x3, stride 1, one group, and
    the sizes of a conv2d input gradient (no output_padding)."""
    return (winograd.fits(KH, KW, stride[0], stride[1], dilation[0], dilation[1], G)
            and padding[0] <= 2 and padding[1] <= 2
            and H == OH + 2 - 2 * padding[0] and W == OW + 2 - 2 * padding[1])


def conv_transpose2d_path(N, C, H, W, O, OH, OW, KH, KW, stride, padding, dilation, G):
    """The path conv_transpose2d takes by default for these sizes (see its docstring)."""
    if _winograd_fits(H, W, OH, OW, KH, KW, stride, padding, dilation, G) and winograd.pays(C, O):
        return "winograd"
    if C // G == 1 and G > 1:
        return "depthwise"
    if _col2im_measured_faster(N, C, H, W, O, KH, KW, stride, padding, dilation, G):
        return "col2im"
    return "flipped"


def _col2im_measured_faster(N, C, H, W, O, KH, KW, stride, padding, dilation, G):
    """Whether col2im(w^T g) was measured at least 1.2x faster than the flipped-kernel
    convolution on shapes like this one: one group, a kernel larger than 1x1, at most 64
    input channels and at least twice as many output channels (LeNet's convs, RGB stems,
    AlexNet's first two, ResNet's 64 -> 128 stride-2 conv: 1.3x to 18x; see
    bench/bench_input_grad.py and docs/kernels.md). There the flipped kernel's GEMMs are
    thin (C rows) and its columns O/C times larger than col2im's. Elsewhere col2im was
    slower or less than 1.2x faster in some measured case (128 -> 256 stride 2: 1.16 to
    1.22x; equal channels: 0.5 to 1.3x; narrowing: 0.7x; 1x1: 1.1x), so it does not run."""
    return G == 1 and KH * KW > 1 and C <= 64 and O >= 2 * C


# ----------------------------------------------------------------------------------------
# im2col / col2im (F.unfold / F.fold)

def im2col(const floating[:, :, :, ::1] x, floating[:, :, ::1] out, kernel_size, stride,
           padding, dilation):
    """out (N, C*KH*KW, OH*OW) = the patches of x (N, C, H, W); F.unfold."""
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t KH = kernel_size[0], KW = kernel_size[1]
    cdef Py_ssize_t sh = stride[0], sw = stride[1], ph = padding[0], pw = padding[1]
    cdef Py_ssize_t dh = dilation[0], dw = dilation[1]
    _check_hyper("im2col", stride, padding, dilation, 1)
    cdef Py_ssize_t OH = _conv_out_size(H, KH, sh, ph, dh), OW = _conv_out_size(W, KW, sw, pw, dw)
    if KH < 1 or KW < 1 or OH < 1 or OW < 1:
        raise ValueError("im2col: kernel larger than the padded input")
    if _dims(out.shape, 3) != (N, C * KH * KW, OH * OW):
        raise _shape_error("im2col", "out", (N, C * KH * KW, OH * OW), _dims(out.shape, 3))
    cdef int nt = mg_threads_for(C * KH * KW * OH * OW)
    cdef Py_ssize_t n
    if N == 0 or C == 0:
        return
    with nogil:
        for n in range(N):
            _im2col(&x[n, 0, 0, 0], &out[n, 0, 0], OH * OW, C, H, W, KH, KW, 0, OH, OW,
                    sh, sw, ph, pw, dh, dw, nt)


def col2im(const floating[:, :, ::1] cols, floating[:, :, :, ::1] out, kernel_size, stride,
           padding, dilation):
    """out (N, C, H, W) = the sum of the patches in cols (N, C*KH*KW, OH*OW); F.fold."""
    cdef Py_ssize_t N = out.shape[0], C = out.shape[1], H = out.shape[2], W = out.shape[3]
    cdef Py_ssize_t KH = kernel_size[0], KW = kernel_size[1]
    cdef Py_ssize_t sh = stride[0], sw = stride[1], ph = padding[0], pw = padding[1]
    cdef Py_ssize_t dh = dilation[0], dw = dilation[1]
    _check_hyper("col2im", stride, padding, dilation, 1)
    cdef Py_ssize_t OH = _conv_out_size(H, KH, sh, ph, dh), OW = _conv_out_size(W, KW, sw, pw, dw)
    if KH < 1 or KW < 1 or OH < 1 or OW < 1:
        raise ValueError("col2im: kernel larger than the padded output")
    if _dims(cols.shape, 3) != (N, C * KH * KW, OH * OW):
        raise _shape_error("col2im", "cols", (N, C * KH * KW, OH * OW), _dims(cols.shape, 3))
    cdef int nt = mg_threads_for(C * KH * KW * OH * OW)
    cdef Py_ssize_t n
    if N == 0 or C == 0:
        return
    with nogil:
        memset(&out[0, 0, 0, 0], 0, N * C * H * W * sizeof(floating))
        for n in range(N):
            _col2im(&cols[n, 0, 0], &out[n, 0, 0, 0], C, H, W, KH, KW, 0, OH, OW,
                    sh, sw, ph, pw, dh, dw, nt)
