"""im2col's row copies against the naive references (the patches, F.unfold's kernel, and
the convolution): short rows (at most 16 output columns, one memset and plain loops) and
long ones (memset and memcpy around the part inside the input), every stride including
the stride-4 loop of AlexNet's first conv, with padding that puts taps outside the input
on both sides."""

import numpy as np
import pytest
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import DTYPES, close

from minigrad_core import conv


@settings(max_examples=60)
@given(
    size=st.integers(3, 40),
    kernel=st.integers(1, 11),
    pad=st.integers(0, 5),
    stride=st.sampled_from([1, 2, 3, 4]),
    dilation=st.integers(1, 2),
    dtype=DTYPES,
    seed=st.integers(0, 2**31),
)
def test_patches_and_convolution_match_reference(size, kernel, pad, stride, dilation, dtype, seed):
    effective = dilation * (kernel - 1) + 1
    if size + 2 * pad < effective:
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, 2, size + 1, size)).astype(dtype)
    strides, padding, dilations = (1, stride), (pad, pad), (dilation, dilation)
    OH = ref.out_size(size + 1, kernel, 1, pad, dilation)
    OW = ref.out_size(size, kernel, stride, pad, dilation)
    cols = np.empty((1, 2 * kernel * kernel, OH * OW), dtype)
    conv.im2col(x, cols, (kernel, kernel), strides, padding, dilations)
    np.testing.assert_array_equal(cols, ref.unfold(x, (kernel, kernel), dilations, padding, strides))
    w = rng.standard_normal((3, 2, kernel, kernel)).astype(dtype)
    out = np.empty((1, 3, OH, OW), dtype)
    conv.conv2d_forward(x, w, None, out, strides, padding, dilations, 1)
    close(out, ref.conv2d(x, w, None, strides, padding, dilations), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_alexnet_first_conv_matches_reference(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 3, 67, 67)).astype(dtype)
    w = rng.standard_normal((4, 3, 11, 11)).astype(dtype)
    out = np.empty((1, 4, 16, 16), dtype)
    conv.conv2d_forward(x, w, None, out, (4, 4), (2, 2), (1, 1), 1)
    close(out, ref.conv2d(x, w, None, (4, 4), (2, 2)), dtype)
