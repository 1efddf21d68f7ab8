"""im2col's stride-4 column copy (AlexNet's first conv, 11x11 stride 4) against the naive
references: the patches (F.unfold's kernel) and the convolution, with padding that puts
taps outside the input on both sides."""

import numpy as np
import pytest
import reference as ref
from hypothesis import given, settings
from hypothesis import strategies as st
from reference import DTYPES, close

from minigrad_core import conv


@settings(max_examples=30)
@given(
    size=st.integers(5, 30),
    kernel=st.integers(1, 11),
    pad=st.integers(0, 5),
    stride_h=st.sampled_from([1, 4]),
    dtype=DTYPES,
    seed=st.integers(0, 2**31),
)
def test_stride_4_patches_and_convolution_match_reference(size, kernel, pad, stride_h, dtype, seed):
    if size + 2 * pad < kernel:
        return
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((1, 2, size, size + 3)).astype(dtype)
    stride, padding = (stride_h, 4), (pad, pad)
    OH, OW = ref.out_size(size, kernel, stride_h, pad), ref.out_size(size + 3, kernel, 4, pad)
    cols = np.empty((1, 2 * kernel * kernel, OH * OW), dtype)
    conv.im2col(x, cols, (kernel, kernel), stride, padding, (1, 1))
    np.testing.assert_array_equal(cols, ref.unfold(x, (kernel, kernel), (1, 1), padding, stride))
    w = rng.standard_normal((3, 2, kernel, kernel)).astype(dtype)
    out = np.empty((1, 3, OH, OW), dtype)
    conv.conv2d_forward(x, w, None, out, stride, padding, (1, 1), 1)
    close(out, ref.conv2d(x, w, None, stride, padding), dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_alexnet_first_conv_matches_reference(dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 3, 67, 67)).astype(dtype)
    w = rng.standard_normal((4, 3, 11, 11)).astype(dtype)
    out = np.empty((1, 4, 16, 16), dtype)
    conv.conv2d_forward(x, w, None, out, (4, 4), (2, 2), (1, 1), 1)
    close(out, ref.conv2d(x, w, None, (4, 4), (2, 2)), dtype)
