"""Bad input raises a clear error: the right exception type, naming the op and the shapes
(or sizes, dims, dtypes) involved. Each test asserts the message."""

import re

import numpy as np
import pytest

import minigrad


def raises(exc, pattern):
    return pytest.raises(exc, match=re.escape(pattern) if not pattern.startswith("re:") else pattern[3:])


# ---- broadcasting -----------------------------------------------------------------------


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow", "maximum", "minimum"])
def test_incompatible_broadcast_names_op_and_shapes(op):
    a, b = minigrad.zeros(2, 3), minigrad.ones(4)
    with raises(
        RuntimeError,
        f"{op}: the size of tensor a [2, 3] must match the size of tensor b [4] at a "
        f"non-singleton dimension (shapes are not broadcastable)",
    ):
        getattr(minigrad, op)(a, b)


@pytest.mark.parametrize(
    "expression, op",
    [
        (lambda a, b: a + b, "add"),
        (lambda a, b: a - b, "sub"),
        (lambda a, b: a * b, "mul"),
        (lambda a, b: a / b, "div"),
        (lambda a, b: a**b, "pow"),
    ],
)
def test_operators_report_the_same_broadcast_error(expression, op):
    with raises(RuntimeError, f"{op}: the size of tensor a [3, 1, 2] must match the size of tensor b [3, 3]"):
        expression(minigrad.zeros(3, 1, 2), minigrad.ones(3, 3))


def test_broadcast_error_with_requires_grad_and_numpy_operand():
    x = minigrad.zeros(2, 3, requires_grad=True)
    with raises(RuntimeError, "mul: the size of tensor a [2, 3] must match the size of tensor b [2]"):
        x * np.ones(2, dtype=np.float32)


def test_where_shapes_must_broadcast():
    with raises(RuntimeError, "where: the shapes of condition [2], input [2, 3] and other [4] are not broadcastable"):
        minigrad.where(minigrad.tensor([True, False]), minigrad.zeros(2, 3), minigrad.zeros(4))


def test_masked_fill_mask_shape_and_dtype():
    x = minigrad.zeros(2, 3)
    with raises(
        RuntimeError, "masked_fill: the size of the mask [2] must be broadcastable to the size of the input [2, 3]"
    ):
        x.masked_fill(minigrad.tensor([True, False]), 1.0)
    with raises(RuntimeError, "masked_fill only supports boolean masks, but got mask with dtype int64"):
        x.masked_fill(minigrad.tensor([1, 0, 1]), 1.0)


def test_inplace_result_must_fit_the_tensor():
    with raises(RuntimeError, "add_: output with shape [3] doesn't match the broadcast shape [2, 3]"):
        minigrad.zeros(3).add_(minigrad.ones(2, 3))
    with raises(RuntimeError, "mul_: output with shape [1] doesn't match the broadcast shape [4]"):
        minigrad.zeros(1).mul_(minigrad.ones(4))


def test_inplace_result_dtype_must_cast():
    with raises(RuntimeError, "mul_: result type Float32 can't be cast to the desired output type Int64"):
        minigrad.tensor([1, 2]).mul_(0.5)


def test_expand_errors():
    with raises(
        RuntimeError,
        "expand: the expanded size of the tensor [4, 3] must match the existing size [2, 3] "
        "at non-singleton dimensions",
    ):
        minigrad.zeros(2, 3).expand(4, 3)
    with raises(
        RuntimeError,
        "expand: the number of sizes provided (1) must be greater or equal to the number of "
        "dimensions in the tensor (2)",
    ):
        minigrad.zeros(2, 3).expand(3)


# ---- matmul -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sa, sb, pattern",
    [
        ((2, 3), (4, 2), "matmul: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x2)"),
        ((3,), (4, 2), "matmul: mat1 and mat2 shapes cannot be multiplied (1x3 and 4x2)"),
        ((2, 3), (4,), "matmul: mat1 and mat2 shapes cannot be multiplied (2x3 and 4x1)"),
        ((5, 2, 3), (4, 2), "matmul: mat1 and mat2 shapes cannot be multiplied (10x3 and 4x2)"),
        (
            (3,),
            (4,),
            "matmul: inconsistent tensor size, expected tensor [3] and src [4] to have the same number of "
            "elements, but got 3 and 4 elements respectively",
        ),
        ((2, 2, 3), (3, 3, 2), "matmul: the batch dimensions [2] and [3] are not broadcastable"),
        ((), (3,), "matmul: both arguments to matmul need to be at least 1D, but they are 0D and 1D"),
    ],
)
def test_matmul_shape_errors(sa, sb, pattern):
    a, b = minigrad.zeros(*sa), minigrad.zeros(*sb)
    with raises(RuntimeError, pattern):
        a @ b
    with raises(RuntimeError, pattern):
        minigrad.matmul(a, b)


def test_mm_and_bmm_shape_errors():
    with raises(RuntimeError, "mm: expected 2D tensors, but got 1D and 2D"):
        minigrad.mm(minigrad.zeros(3), minigrad.zeros(3, 2))
    with raises(RuntimeError, "matmul: mat1 and mat2 shapes cannot be multiplied (2x3 and 2x2)"):
        minigrad.mm(minigrad.zeros(2, 3), minigrad.zeros(2, 2))
    with raises(RuntimeError, "bmm: expected 3D tensors, but got 2D and 2D"):
        minigrad.bmm(minigrad.zeros(2, 3), minigrad.zeros(3, 2))
    with raises(RuntimeError, "bmm: batch1 and batch2 must have the same batch size, got 2 and 3"):
        minigrad.bmm(minigrad.zeros(2, 2, 3), minigrad.zeros(3, 3, 2))


# ---- shape ops --------------------------------------------------------------------------


def test_reshape_and_view_sizes():
    x = minigrad.zeros(2, 3)
    with raises(RuntimeError, "reshape: shape '[4, 2]' is invalid for input of size 6"):
        x.reshape(4, 2)
    with raises(RuntimeError, "view: shape '[5]' is invalid for input of size 6"):
        x.view(5)
    with raises(RuntimeError, "reshape: only one dimension can be inferred"):
        x.reshape(-1, -1)
    with raises(RuntimeError, "reshape: shape '[-1, 4]' is invalid for input of size 6"):
        x.reshape(-1, 4)


def test_view_of_non_contiguous():
    with raises(RuntimeError, "view size is not compatible with input tensor's size and stride"):
        minigrad.zeros(2, 3).T.view(6)


def test_permute_errors():
    x = minigrad.zeros(2, 3)
    with raises(RuntimeError, "input.dim() = 2 is not equal to len(dims) = 1"):
        x.permute(0)
    with raises(RuntimeError, "permute(): duplicate dims are not allowed."):
        x.permute(0, 0)


@pytest.mark.parametrize(
    "call, op, given, low, high",
    [
        (lambda x: x.sum(2), "sum", 2, -2, 1),
        (lambda x: x.sum(-3), "sum", -3, -2, 1),
        (lambda x: x.mean(5), "mean", 5, -2, 1),
        (lambda x: x.var(3), "var", 3, -2, 1),
        (lambda x: x.max(2), "max", 2, -2, 1),
        (lambda x: x.argmax(2), "argmax", 2, -2, 1),
        (lambda x: x.softmax(5), "softmax", 5, -2, 1),
        (lambda x: x.log_softmax(-3), "log_softmax", -3, -2, 1),
        (lambda x: x.logsumexp(2), "logsumexp", 2, -2, 1),
        (lambda x: x.transpose(0, 2), "transpose", 2, -2, 1),
        (lambda x: x.squeeze(3), "squeeze", 3, -2, 1),
        (lambda x: x.unsqueeze(4), "unsqueeze", 4, -3, 2),
        (lambda x: x.flatten(0, 2), "flatten", 2, -2, 1),
        (lambda x: minigrad.cat([x, x], 2), "cat", 2, -2, 1),
        (lambda x: x.split(1, 2), "split", 2, -2, 1),
    ],
)
def test_dimension_out_of_range(call, op, given, low, high):
    with raises(
        IndexError, f"{op}: Dimension out of range (expected to be in range of [{low}, {high}], but got {given})"
    ):
        call(minigrad.zeros(2, 3))


def test_flatten_dims_in_the_wrong_order():
    with raises(RuntimeError, "flatten() has invalid args: start_dim cannot come after end_dim"):
        minigrad.zeros(2, 3, 4).flatten(2, 1)


def test_t_of_a_3d_tensor():
    with raises(RuntimeError, "t() expects a tensor with <= 2 dimensions, but self is 3D"):
        minigrad.zeros(2, 3, 4).t()


def test_cat_and_stack_errors():
    with raises(
        RuntimeError,
        "cat: Sizes of tensors must match except in dimension 0. Expected size 3 but got "
        "size 2 for tensor number 1 in the list (shapes [2, 3] and [3, 2]).",
    ):
        minigrad.cat([minigrad.zeros(2, 3), minigrad.zeros(3, 2)])
    with raises(RuntimeError, "cat: Tensors must have same number of dimensions: got 2 and 1 (shapes [2, 3] and [3])"):
        minigrad.cat([minigrad.zeros(2, 3), minigrad.zeros(3)])
    with raises(RuntimeError, "cat(): expected a non-empty list of Tensors"):
        minigrad.cat([])
    with raises(
        RuntimeError, "stack expects each tensor to be equal size, but got [2, 3] at entry 0 and [3, 2] at entry 1"
    ):
        minigrad.stack([minigrad.zeros(2, 3), minigrad.zeros(3, 2)])
    with raises(RuntimeError, "stack expects a non-empty TensorList"):
        minigrad.stack([])


def test_split_and_chunk_errors():
    x = minigrad.zeros(2, 3)
    with raises(
        RuntimeError,
        "split_with_sizes expects split_sizes to sum exactly to 3 (input tensor's size at "
        "dimension 1), but got split_sizes=[1, 1]",
    ):
        x.split([1, 1], 1)
    with raises(RuntimeError, "split expects split_size be non-negative, but got split_size=0"):
        x.split(0)
    with raises(RuntimeError, "chunk expects `chunks` to be greater than 0, got: 0"):
        x.chunk(0)


# ---- indexing ---------------------------------------------------------------------------


def test_index_errors_name_dimension_and_size():
    x = minigrad.zeros(2, 3)
    with raises(IndexError, "index 2 is out of bounds for dimension 0 with size 2"):
        x[2]
    with raises(IndexError, "index -4 is out of bounds for dimension 1 with size 3"):
        x[:, -4]
    with raises(IndexError, "index 5 is out of bounds for dimension 0 with size 2"):
        x[[0, 5]]
    with raises(IndexError, "index 3 is out of bounds for dimension 1 with size 3"):
        x[minigrad.tensor([0, 1]), minigrad.tensor([2, 3])]
    with raises(IndexError, "too many indices for tensor of dimension 2"):
        x[0, 0, 0]


def test_boolean_mask_of_the_wrong_size():
    with pytest.raises(IndexError, match="boolean index did not match"):
        minigrad.zeros(2, 3)[minigrad.tensor([True, False, True])]


# ---- reductions and values --------------------------------------------------------------


def test_reductions_of_empty_tensors():
    with raises(IndexError, "max(): Expected reduction dim to be specified for input.numel() == 0."):
        minigrad.zeros(0).max()
    with raises(IndexError, "max(): Expected reduction dim 0 to have non-zero size."):
        minigrad.zeros(0, 3).max(0)
    with raises(IndexError, "min(): Expected reduction dim 0 to have non-zero size."):
        minigrad.zeros(0, 3).min(0)


def test_dtype_errors():
    with raises(
        RuntimeError,
        "mean(): could not infer output dtype. Input dtype must be either a floating point or "
        "complex dtype. Got: Int64",
    ):
        minigrad.tensor([1, 2]).mean()
    with raises(RuntimeError, "pow: integers to negative integer powers are not allowed."):
        minigrad.tensor([2]) ** -1
    with raises(RuntimeError, "gather(): Expected dtype int64 for index, but got float32"):
        minigrad.zeros(2, 3).gather(0, minigrad.tensor([[0.5]]))
    with raises(TypeError, "minigrad has no dtype for numpy dtype complex64"):
        minigrad.zeros(2, dtype=np.complex64)


def test_clamp_without_bounds():
    with raises(RuntimeError, "clamp: At least one of 'min' or 'max' must not be None"):
        minigrad.zeros(2).clamp()


def test_item_of_many_elements_and_bool_of_many():
    with raises(RuntimeError, "a Tensor with 6 elements cannot be converted to Scalar"):
        minigrad.zeros(2, 3).item()
    with raises(RuntimeError, "Boolean value of Tensor with more than one value is ambiguous"):
        if minigrad.zeros(2):
            pass


# ---- autograd misuse --------------------------------------------------------------------


def test_requires_grad_on_an_integer_tensor():
    with raises(RuntimeError, "only Tensors of floating point dtype can require gradients"):
        minigrad.tensor([1, 2], requires_grad=True)


def test_backward_without_grad_and_non_scalar():
    with raises(RuntimeError, "element 0 of tensors does not require grad and does not have a grad_fn"):
        minigrad.zeros(2).sum().backward()
    x = minigrad.zeros(2, requires_grad=True)
    with raises(RuntimeError, "grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()
    with raises(RuntimeError, "Mismatch in shape: grad_output[0] has a shape of [3] and output[0] has a shape of [2]."):
        (x * 2).backward(minigrad.zeros(3))


def test_numpy_of_a_tensor_that_requires_grad():
    with raises(RuntimeError, "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."):
        minigrad.zeros(2, requires_grad=True).numpy()


def test_in_place_on_a_leaf_and_a_saved_tensor():
    x = minigrad.zeros(2, requires_grad=True)
    with raises(RuntimeError, "a leaf Variable that requires grad is being used in an in-place operation."):
        x.mul_(2)
    h = x * 1.0
    y = (h * h).sum()
    h.add_(1)
    with raises(
        RuntimeError,
        "one of the variables needed for gradient computation has been modified by an "
        "inplace operation: [minigrad.float32 [2]], which is saved by MulBackward0, is at "
        "version 1; expected version 0 instead.",
    ):
        y.backward()


def test_changing_requires_grad_of_a_non_leaf():
    y = minigrad.zeros(2, requires_grad=True) * 2
    with raises(RuntimeError, "you can only change requires_grad flags of leaf variables."):
        y.requires_grad_(False)
