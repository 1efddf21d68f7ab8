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
    winograd        F(2x2, 3x3) for 3x3 stride-1 convs with at least 32 channels (dilated
                    ones too, when the dilation divides the input size and the padding)
    depthwise       direct loops when each group has one input channel
    conv_transpose  the input gradient as the flipped-kernel convolution, and col2im(w^T g)
The shared pieces are _blas.pxd (the GEMM, axpy and dot), _index.pxd (index arithmetic)
and _omp.pxd (thread counts).

The callers (minigrad.ops) validate every argument with PyTorch's rules. The def entry
points check again, with minigrad_core._check, everything the loops rely on (pair
lengths, int ranges, dtypes, layout, writability, shapes, index spans), so that no call,
however malformed, reads or writes out of bounds; the cdef functions under them assume it.
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
from minigrad_core._fastcheck cimport dim, float_type, plain_array, small_pair, small_param
from minigrad_core._omp cimport mg_threads_for
from minigrad_core.im2col_gemm cimport _col2im, _im2col

from minigrad_core import _check


def _conv_out_size(size, k, s, p, d):
    # untyped on purpose: Python's floor division (cdivision would truncate a negative size)
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def _hyper(name, stride, padding, dilation, groups=1):
    """stride, padding, dilation (pairs) and groups, checked (see minigrad_core._check)."""
    return (_check.pair(name, "stride", stride, 1), _check.pair(name, "padding", padding, 0),
            _check.pair(name, "dilation", dilation, 1), _check.integer(name, "groups", groups, 1))


def _check_conv(name, x, weight, y, stride, padding, dilation, groups, exact):
    """x (N, C, H, W), weight (O, C // groups, KH, KW) and y (N, O, OH, OW) agree, in dtype
    and in shape, and every index the loops form fits (minigrad_core._check).

    exact: OH OW must be the conv output size of H W (conv2d); otherwise (the input
    gradient, any output_padding) any sizes are safe, since its loops bound every index
    by both H W and OH OW.
    """
    _check.same_dtype(name, x=x, weight=weight, y=y)
    N, C, H, W = x.shape
    O, Cg, KH, KW = weight.shape
    if C != Cg * groups or O % groups != 0 or KH < 1 or KW < 1:
        raise ValueError(f"{name}: weight {weight.shape} does not fit input {x.shape} with groups={groups}")
    for i in range(2):
        size, k, s, p, d = x.shape[2 + i], weight.shape[2 + i], stride[i], padding[i], dilation[i]
        _check.span(name, "the padded input's", i, size, 2 * p, d * (k - 1))
        _check.span(name, "the strided output's", i, s * y.shape[2 + i], p)
    if exact:
        OH = _conv_out_size(H, KH, stride[0], padding[0], dilation[0])
        OW = _conv_out_size(W, KW, stride[1], padding[1], dilation[1])
        if OH < 1 or OW < 1:
            raise ValueError(f"{name}: kernel larger than the padded input")
        expected = (N, O, OH, OW)
    else:
        expected = (N, O, y.shape[2], y.shape[3])
    _check.shape(name, "the output-side buffer", y, expected)


def _check_bias(name, bias, channels, dtype):
    """bias: None, or (channels,) of dtype."""
    if bias is not None:
        _check.array(name, "bias", bias, 1)
        _check.shape(name, "bias", bias, (channels,))
        if bias.dtype != dtype:
            raise TypeError(f"{name}: bias must have the dtype of x ({dtype}), but got {bias.dtype}")


cdef bint _plain_conv2d(x, weight, bias, out, stride, padding, dilation, groups):
    """The arguments of conv2d_forward pass its checks (_hyper, _check.array, _check_conv,
    _check_bias) unchanged: decided in C for exact arrays and tuples of small ints (see
    _fastcheck.pxd); False sends them through the checks, which say what is wrong."""
    cdef int typenum = float_type(x)
    if not (typenum >= 0 and plain_array(x, 4, typenum, False) and plain_array(weight, 4, typenum, False)
            and plain_array(out, 4, typenum, True) and (bias is None or plain_array(bias, 1, typenum, False))
            and small_pair(stride, 1) and small_pair(padding, 0) and small_pair(dilation, 1)
            and small_param(groups, 1)):
        return False
    cdef Py_ssize_t G = groups, O = dim(weight, 0), i, span, size
    if dim(x, 1) != dim(weight, 1) * G or O % G != 0 or dim(weight, 2) < 1 or dim(weight, 3) < 1:
        return False
    if dim(out, 0) != dim(x, 0) or dim(out, 1) != O or (bias is not None and dim(bias, 0) != O):
        return False
    for i in range(2):  # the output size, as _conv_out_size gives it for a non-negative span
        span = dim(x, 2 + i) + 2 * <Py_ssize_t>padding[i] - <Py_ssize_t>dilation[i] * (dim(weight, 2 + i) - 1) - 1
        size = span // <Py_ssize_t>stride[i] + 1
        if span < 0 or dim(out, 2 + i) != size:
            return False
    return True


cdef bint _finite(const floating[:, :, :, ::1] a) noexcept:
    """Whether every value of a is finite (no inf, no NaN): x - x is 0 exactly then."""
    cdef const floating* p = &a[0, 0, 0, 0]
    cdef Py_ssize_t i, n = a.shape[0] * a.shape[1] * a.shape[2] * a.shape[3]
    cdef int ok = 1
    with nogil:
        for i in range(n):
            ok &= (p[i] - p[i]) == 0
    return ok



# ----------------------------------------------------------------------------------------
# conv2d: Winograd, depthwise loops, or im2col + GEMM.
#
# inf and NaN: im2col + GEMM computes the direct convolution's products, the zero padding's
# included (0 * inf = NaN there, as in PyTorch). The other paths may not:
# - Winograd's transforms subtract taps from each other (one inf becomes inf - inf = NaN
#   on every tap): the forward runs only on finite x and weight (_finite: one pass, about
#   1% of the conv; docs/kernels.md);
# - the depthwise loops skip the padding: the forward runs only on a finite weight (a
#   small check), where an inf weight times the padding would be NaN;
# - the weight gradients of both turn every inf or NaN among their inputs into an inf or
#   NaN somewhere in gw (every product they skip is also in a product they compute, except
#   gy * padding in a window with no tap in x, checked first), and may add NaN elsewhere
#   (the depthwise flat form's junk columns, Winograd's mixing): a non-finite gw, a check
#   of O*C*KH*KW values instead of two passes over x and gy, is recomputed by im2col + GEMM.

def conv2d_forward(x, weight, bias, out, stride, padding, dilation, groups):
    """out = conv2d(x, weight, bias): out[n, g] = w[g] (Og, Cg*KH*KW) @ im2col(x[n, g]) + bias.

    x (N, C, H, W), weight (O, C/groups, KH, KW), bias (O,) or None, out (N, O, OH, OW);
    one float dtype; stride, padding, dilation pairs of ints."""
    name = "conv2d_forward"
    if not _plain_conv2d(x, weight, bias, out, stride, padding, dilation, groups):
        stride, padding, dilation, groups = _hyper(name, stride, padding, dilation, groups)
        x, weight = _check.array(name, "x", x, 4), _check.array(name, "weight", weight, 4)
        out = _check.array(name, "out", out, 4, out=True)
        _check_conv(name, x, weight, out, stride, padding, dilation, groups, True)
        _check_bias(name, bias, weight.shape[0], x.dtype)
    if x.dtype == np.float32:
        _forward[float](x, weight, bias, out, stride, padding, dilation, groups)
    else:
        _forward[double](x, weight, bias, out, stride, padding, dilation, groups)


cdef _forward(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] weight,
              const floating[::1] bias, floating[:, :, :, ::1] out, stride, padding, dilation,
              Py_ssize_t G):
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], O = weight.shape[0]
    cdef Py_ssize_t KH = weight.shape[2], KW = weight.shape[3]
    cdef Py_ssize_t sh = stride[0], sw = stride[1], ph = padding[0], pw = padding[1]
    cdef Py_ssize_t dh = dilation[0], dw = dilation[1]
    cdef bint has_bias = bias is not None
    if N == 0 or O == 0:
        return
    if C == 0:
        out[...] = 0
        if has_bias:
            np.asarray(out)[...] += np.asarray(bias)[:, None, None]
        return
    cdef const floating* b = &bias[0] if has_bias else NULL
    if (winograd.fits(KH, KW, sh, sw, dh, dw, G, x.shape[2], x.shape[3], ph, pw)
            and winograd.pays(C, O) and winograd.enough_tiles(N, out.shape[2], out.shape[3])
            and _finite(x) and _finite(weight)):
        winograd.conv2d(x, weight, b, out, ph, pw, dh, dw, False)
    elif C // G == 1 and G > 1 and _finite(weight):
        depthwise.conv2d(x, weight, b, out, sh, sw, ph, pw, dh, dw)
    else:
        im2col_gemm.conv2d(x, weight, b, out, sh, sw, ph, pw, dh, dw, G)


def conv2d_backward_weight(x, grad_output, grad_weight, stride, padding, dilation, groups):
    """grad_weight = the cross-correlation of x with grad_output:

    gw[o, c, a, b] = sum_{n, y, x} gy[n, o, y, x] * x[n, g*Cg + c, y*sh - ph + a*dh, x*sw - pw + b*dw],
    i.e. gw[g] (Og, Cg*KH*KW) = sum_n gy[n, g] (Og, OH*OW) @ im2col(x[n, g])^T; by
    Winograd for 3x3 stride-1 kernels with enough channels and finite x and gy.
    """
    name = "conv2d_backward_weight"
    stride, padding, dilation, groups = _hyper(name, stride, padding, dilation, groups)
    x = _check.array(name, "x", x, 4)
    grad_output = _check.array(name, "grad_output", grad_output, 4)
    grad_weight = _check.array(name, "grad_weight", grad_weight, 4, out=True)
    _check_conv(name, x, grad_weight, grad_output, stride, padding, dilation, groups, True)
    if x.dtype == np.float32:
        _weight[float](x, grad_output, grad_weight, stride, padding, dilation, groups)
    else:
        _weight[double](x, grad_output, grad_weight, stride, padding, dilation, groups)


cdef _weight(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] grad_output,
             floating[:, :, :, ::1] grad_weight, stride, padding, dilation, Py_ssize_t G):
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], O = grad_weight.shape[0]
    cdef Py_ssize_t KH = grad_weight.shape[2], KW = grad_weight.shape[3]
    cdef Py_ssize_t sh = stride[0], sw = stride[1], ph = padding[0], pw = padding[1]
    cdef Py_ssize_t dh = dilation[0], dw = dilation[1]
    grad_weight[...] = 0
    if N == 0 or O == 0 or C == 0:
        return
    cdef bint fast = (winograd.fits(KH, KW, sh, sw, dh, dw, G, x.shape[2], x.shape[3], ph, pw)
                      and winograd.pays(C, O))
    cdef bint by_channel = C // G == 1 and G > 1
    if by_channel and not _every_window_reads_input(x, grad_weight, padding, dilation):
        by_channel = _finite(grad_output)      # its loops would skip gy * padding products
    if fast:
        winograd.conv2d_weight(x, grad_output, grad_weight, ph, pw, dh, dw)
    elif by_channel:
        depthwise.conv2d_weight(x, grad_output, grad_weight, sh, sw, ph, pw, dh, dw)
    if (fast or by_channel) and not _finite(grad_weight):
        # an inf or NaN in x or gy (or an overflow): the direct products decide, as below
        grad_weight[...] = 0
        fast = by_channel = False
    if not (fast or by_channel):
        im2col_gemm.conv2d_weight(x, grad_output, grad_weight, sh, sw, ph, pw, dh, dw, G)


def _every_window_reads_input(x, weight, padding, dilation):
    """Whether every conv window has a tap inside x (not only padding): sufficient that the
    padding is at most the dilated kernel's reach and the dilation at most the input size."""
    return all(padding[i] <= (weight.shape[2 + i] - 1) * dilation[i] and dilation[i] <= x.shape[2 + i]
               for i in range(2))


# ----------------------------------------------------------------------------------------
# conv_transpose2d = conv2d's input gradient = the flipped-kernel convolution

PATHS = ("flipped", "winograd", "depthwise", "col2im")


def conv_transpose2d(x, weight, bias, out, stride, padding, dilation, groups, path=None):
    """out (N, C, H, W) = conv_transpose2d(x (N, O, OH, OW), weight (O, C/G, KH, KW)) + bias:
    the input gradient of the conv2d (stride, padding, dilation, groups) that maps out's
    shape to x's, i.e. x convolved with the flipped, channel-swapped kernel. out's size is
    taken as given, so any output_padding is allowed. Returns the path that ran:

        "flipped"    the flipped-kernel convolution, phase by phase (im2col of x + GEMM)
        "winograd"   the same flipped-kernel correlation by F(2x2, 3x3) (3x3, stride 1,
                     one group, at least 32 channels, a dilation dividing the input size
                     and the padding; finite x and weight only)
        "depthwise"  the same flipped-kernel correlation by direct loops, tap by tap
                     (one channel per group)
        "col2im"     col2im(w^T @ x), the adjoint of im2col + GEMM: a different order of
                     the same sum, only where it was measured >= 1.2x faster
                     (_col2im_measured_faster)

    path forces one of them (winograd and depthwise only where they apply); None picks.
    inf and NaN propagate as in the direct convolution: an inf or NaN in x turns
    "winograd" into "flipped", one in weight turns every path into "col2im".
    """
    name = "conv_transpose2d"
    stride, padding, dilation, groups = _hyper(name, stride, padding, dilation, groups)
    x, weight = _check.array(name, "x", x, 4), _check.array(name, "weight", weight, 4)
    out = _check.array(name, "out", out, 4, out=True)
    _check_conv(name, out, weight, x, stride, padding, dilation, groups, False)
    _check_bias(name, bias, out.shape[1], x.dtype)
    N, O, OH, OW = x.shape
    C, H, W = out.shape[1:]
    KH, KW = weight.shape[2:]
    if path is None:
        path = conv_transpose2d_path(N, C, H, W, O, OH, OW, KH, KW, stride, padding, dilation, groups)
    elif (path not in PATHS or (path == "winograd" and not _winograd_fits(H, W, OH, OW, KH, KW, stride,
                                                                          padding, dilation, groups))
          or (path == "depthwise" and not (C // groups == 1 and groups > 1))):
        raise ValueError(f"{name}: path must be None, 'flipped', 'col2im', (when C == groups) "
                         f"'depthwise' or (3x3, stride 1, one group) 'winograd', got {path!r}")
    if x.dtype == np.float32:
        path = _transpose[float](x, weight, out, stride, padding, dilation, groups, path)
    else:
        path = _transpose[double](x, weight, out, stride, padding, dilation, groups, path)
    if bias is not None:
        out += bias[:, None, None]
    return path


cdef _transpose(const floating[:, :, :, ::1] x, const floating[:, :, :, ::1] weight,
                floating[:, :, :, ::1] out, stride, padding, dilation, Py_ssize_t G, path):
    cdef Py_ssize_t N = x.shape[0], O = x.shape[1], OH = x.shape[2], OW = x.shape[3]
    cdef Py_ssize_t C = out.shape[1], H = out.shape[2], W = out.shape[3]
    cdef Py_ssize_t sh = stride[0], sw = stride[1], ph = padding[0], pw = padding[1]
    cdef Py_ssize_t dh = dilation[0], dw = dilation[1]
    if not _finite(weight):
        # the flipped-kernel forms multiply x's zero padding by every tap: 0 * inf = NaN
        # where the conv's input gradient has no term at all; col2im's sum has none either
        path = "col2im"
    elif path == "winograd" and not _finite(x):
        path = "flipped"
    if path == "winograd" and min(N, C, O) > 0:
        winograd.conv2d(x, weight, NULL, out, 2 * dh - ph, 2 * dw - pw, dh, dw, True)
        return path
    out[...] = 0
    if N == 0 or C == 0 or O == 0 or H == 0 or W == 0 or OH == 0 or OW == 0:
        pass
    elif path == "flipped" or path == "winograd":
        conv_transpose.flipped_kernel(x, weight, out, sh, sw, ph, pw, dh, dw, G)
    elif path == "col2im":
        conv_transpose.col2im_scatter(x, weight, out, sh, sw, ph, pw, dh, dw, G)
    else:
        depthwise.conv_transpose2d(x, weight, out, sh, sw, ph, pw, dh, dw)
    return path


def _winograd_fits(H, W, OH, OW, KH, KW, stride, padding, dilation, G):
    """Whether winograd.conv2d computes this input gradient: 3x3, stride 1, one group, a
    dilation that divides the input size and the padding (winograd.fits), and the sizes of
    a conv2d input gradient (no output_padding)."""
    dh, dw = dilation
    return (winograd.fits(KH, KW, stride[0], stride[1], dh, dw, G, H, W, padding[0], padding[1])
            and padding[0] <= 2 * dh and padding[1] <= 2 * dw
            and H == OH + 2 * dh - 2 * padding[0] and W == OW + 2 * dw - 2 * padding[1])


def conv_transpose2d_path(N, C, H, W, O, OH, OW, KH, KW, stride, padding, dilation, G):
    """The path conv_transpose2d takes by default for these sizes and finite values (see its
    docstring for inf and NaN)."""
    name = "conv_transpose2d_path"
    stride, padding, dilation, G = _hyper(name, stride, padding, dilation, G)
    for arg, value in zip(("N", "C", "H", "W", "O", "OH", "OW", "KH", "KW"), (N, C, H, W, O, OH, OW, KH, KW)):
        _check.integer(name, arg, value, 0)
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

def _check_patches(name, image, cols, kernel_size, stride, padding, dilation):
    """image (N, C, H, W) and cols (N, C*KH*KW, OH*OW) agree for these window parameters."""
    _check.same_dtype(name, x=image, cols=cols)
    N, C, H, W = image.shape
    KH, KW = kernel_size
    for i in range(2):
        _check.span(name, "the padded image's", i, image.shape[2 + i], 2 * padding[i],
                    dilation[i] * (kernel_size[i] - 1))
    OH = _conv_out_size(H, KH, stride[0], padding[0], dilation[0])
    OW = _conv_out_size(W, KW, stride[1], padding[1], dilation[1])
    if OH < 1 or OW < 1:
        raise ValueError(f"{name}: kernel larger than the padded image")
    _check.shape(name, "cols", cols, (N, C * KH * KW, OH * OW))
    return OH, OW


def im2col(x, out, kernel_size, stride, padding, dilation):
    """out (N, C*KH*KW, OH*OW) = the patches of x (N, C, H, W); F.unfold."""
    name = "im2col"
    kernel_size = _check.pair(name, "kernel_size", kernel_size, 1)
    stride, padding, dilation, _ = _hyper(name, stride, padding, dilation)
    x, out = _check.array(name, "x", x, 4), _check.array(name, "out", out, 3, out=True)
    OH, OW = _check_patches(name, x, out, kernel_size, stride, padding, dilation)
    if x.dtype == np.float32:
        _unfold[float](x, out, kernel_size, stride, padding, dilation, OH, OW)
    else:
        _unfold[double](x, out, kernel_size, stride, padding, dilation, OH, OW)


cdef _unfold(const floating[:, :, :, ::1] x, floating[:, :, ::1] out, kernel_size, stride,
             padding, dilation, Py_ssize_t OH, Py_ssize_t OW):
    cdef Py_ssize_t N = x.shape[0], C = x.shape[1], H = x.shape[2], W = x.shape[3]
    cdef Py_ssize_t KH = kernel_size[0], KW = kernel_size[1]
    cdef Py_ssize_t sh = stride[0], sw = stride[1], ph = padding[0], pw = padding[1]
    cdef Py_ssize_t dh = dilation[0], dw = dilation[1]
    cdef int nt = mg_threads_for(C * KH * KW * OH * OW)
    cdef Py_ssize_t n
    if N == 0 or C == 0:
        return
    with nogil:
        for n in range(N):
            _im2col(&x[n, 0, 0, 0], &out[n, 0, 0], OH * OW, C, H, W, KH, KW, 0, OH, OW,
                    sh, sw, ph, pw, dh, dw, nt)


def col2im(cols, out, kernel_size, stride, padding, dilation):
    """out (N, C, H, W) = the sum of the patches in cols (N, C*KH*KW, OH*OW); F.fold."""
    name = "col2im"
    kernel_size = _check.pair(name, "kernel_size", kernel_size, 1)
    stride, padding, dilation, _ = _hyper(name, stride, padding, dilation)
    cols, out = _check.array(name, "cols", cols, 3), _check.array(name, "out", out, 4, out=True)
    OH, OW = _check_patches(name, out, cols, kernel_size, stride, padding, dilation)
    if out.dtype == np.float32:
        _fold[float](cols, out, kernel_size, stride, padding, dilation, OH, OW)
    else:
        _fold[double](cols, out, kernel_size, stride, padding, dilation, OH, OW)


cdef _fold(const floating[:, :, ::1] cols, floating[:, :, :, ::1] out, kernel_size, stride,
           padding, dilation, Py_ssize_t OH, Py_ssize_t OW):
    cdef Py_ssize_t N = out.shape[0], C = out.shape[1], H = out.shape[2], W = out.shape[3]
    cdef Py_ssize_t KH = kernel_size[0], KW = kernel_size[1]
    cdef Py_ssize_t sh = stride[0], sw = stride[1], ph = padding[0], pw = padding[1]
    cdef Py_ssize_t dh = dilation[0], dw = dilation[1]
    cdef int nt = mg_threads_for(C * KH * KW * OH * OW)
    cdef Py_ssize_t n
    if N == 0 or C == 0:
        return
    with nogil:
        memset(&out[0, 0, 0, 0], 0, N * C * H * W * sizeof(floating))
        for n in range(N):
            _col2im(&cols[n, 0, 0], &out[n, 0, 0, 0], C, H, W, KH, KW, 0, OH, OW,
                    sh, sw, ph, pw, dh, dw, nt)
