"""minigrad.testing.assert_close: passes when it should, and fails with a useful report."""

import re

import numpy as np
import pytest

import minigrad
from minigrad.testing import assert_close, default_tolerances


def _report(actual, expected, **kwargs):
    with pytest.raises(AssertionError) as info:
        assert_close(actual, expected, **kwargs)
    return str(info.value)


# ---- defaults ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "dtype, expected",
    [
        (minigrad.float16, (1e-3, 1e-5)),
        (minigrad.float32, (1.3e-6, 1e-5)),
        (minigrad.float64, (1e-7, 1e-7)),
        (minigrad.int64, (0.0, 0.0)),
        (minigrad.int32, (0.0, 0.0)),
        (minigrad.bool, (0.0, 0.0)),
        (np.float32, (1.3e-6, 1e-5)),
    ],
)
def test_default_tolerances_follow_the_dtype(dtype, expected):
    assert default_tolerances(dtype) == expected


def test_float32_passes_within_its_default_tolerance():
    x = minigrad.tensor([1.0, 100.0, 0.0])
    assert_close(x, minigrad.tensor([1.0 + 1e-6, 100.0 + 1e-4, 9e-6]))


def test_float32_fails_just_outside_its_default_tolerance():
    report = _report(minigrad.tensor([1.0]), minigrad.tensor([1.0 + 1e-4]))
    assert "not close" in report


def test_float64_defaults_are_tighter_than_float32():
    a = minigrad.tensor([1.0], dtype=minigrad.float64)
    assert_close(a, minigrad.tensor([1.0 + 1e-8], dtype=minigrad.float64))
    _report(a, minigrad.tensor([1.0 + 1e-5], dtype=minigrad.float64))
    # the same gap passes in float32
    assert_close(minigrad.tensor([1.0]), minigrad.tensor([1.0 + 1e-5]))


def test_float16_defaults():
    a = minigrad.tensor([1.0], dtype=minigrad.float16)
    assert_close(a, minigrad.tensor([1.0009765625], dtype=minigrad.float16))  # one ulp
    _report(a, minigrad.tensor([1.01], dtype=minigrad.float16))


def test_integers_and_bools_must_be_equal():
    assert_close(minigrad.tensor([1, 2, 3]), minigrad.tensor([1, 2, 3]))
    report = _report(minigrad.tensor([1, 2, 3]), minigrad.tensor([1, 2, 4]))
    assert report.startswith("Tensors are not equal: 1 of 3 elements differ (33.3%).")
    _report(minigrad.tensor([True, False]), minigrad.tensor([True, True]))


def test_large_integers_are_compared_exactly():
    big = 2**60
    _report(np.array([big], dtype=np.int64), np.array([big + 1], dtype=np.int64))


def test_explicit_tolerances_override_the_defaults():
    assert_close(minigrad.tensor([1.0]), minigrad.tensor([1.05]), rtol=0.1, atol=0.0)
    assert_close(minigrad.tensor([1, 2]), minigrad.tensor([1, 3]), rtol=0.0, atol=1.0)
    _report(minigrad.tensor([1.0]), minigrad.tensor([1.05]), rtol=0.01, atol=0.0)


def test_rtol_and_atol_must_come_together():
    with pytest.raises(ValueError, match="rtol and atol"):
        assert_close(1.0, 1.0, rtol=1e-3)
    with pytest.raises(ValueError, match="got no rtol"):
        assert_close(1.0, 1.0, atol=1e-3)


# ---- the mismatch report ----------------------------------------------------------------


def test_report_counts_mismatches_and_locates_the_greatest_differences():
    actual = minigrad.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    expected = minigrad.tensor([[1.0, 2.5, 3.0], [4.0, 5.0, 60.0]])
    report = _report(actual, expected)
    lines = report.splitlines()
    assert lines[0] == "Tensors are not close: 2 of 6 elements differ (33.3%)."
    # absolute: |6 - 60| = 54 at (1, 2); relative: 0.5 / 2.5 = 0.2 < 54 / 60 = 0.9 at (1, 2)
    assert re.match(
        r"Greatest absolute difference: 54\.0 at index \(1, 2\) "
        r"\(actual 6\.0, expected 60\.0; atol=1e-05\)",
        lines[1],
    ), lines[1]
    assert re.match(r"Greatest relative difference: 0\.9 at index \(1, 2\)", lines[2]), lines[2]
    assert "rtol=1.3e-06" in lines[2]


def test_report_relative_and_absolute_maxima_can_be_at_different_indices():
    report = _report(np.array([0.0, 110.0]), np.array([1e-3, 100.0]))
    assert "Greatest absolute difference: 10.0 at index (1,)" in report
    # 1e-3 / 1e-3 = 1.0 relative at index 0 beats 10 / 100 = 0.1
    assert "Greatest relative difference: 1.0 at index (0,)" in report


def test_report_percent_is_rounded_to_one_decimal():
    actual = np.zeros(7)
    expected = np.zeros(7)
    expected[:2] = 1.0
    assert "2 of 7 elements differ (28.6%)" in _report(actual, expected)


def test_report_for_scalars_shows_both_values():
    report = _report(1.0, 1.5)
    assert report.splitlines() == [
        "Values are not close: actual 1.0, expected 1.5.",
        "Absolute difference: 0.5 (atol=1e-07)",
        "Relative difference: 0.3333333333333333 (rtol=1e-07)",
    ]


def test_shape_mismatch_is_reported_before_values():
    report = _report(minigrad.zeros(2, 3), minigrad.zeros(3, 2))
    assert report == "Shapes do not match: actual has shape [2, 3], expected [3, 2]."


def test_shape_mismatch_is_not_hidden_by_broadcasting():
    _report(minigrad.zeros(2, 3), minigrad.zeros(3))
    _report(minigrad.zeros(1), 0.0)


def test_dtype_mismatch_is_reported_and_can_be_waived():
    a = minigrad.tensor([1.0, 2.0])
    b = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64)
    report = _report(a, b)
    assert report.startswith("dtypes do not match: actual is minigrad.float32, expected minigrad.float64")
    assert_close(a, b, check_dtype=False)
    _report(minigrad.tensor([1, 2]), minigrad.tensor([1.0, 2.0]))


def test_dtype_mismatch_between_tensor_and_numpy_array():
    report = _report(minigrad.tensor([1.0]), np.array([1.0]))
    assert "minigrad.float64" in report


def test_without_dtype_check_the_looser_tolerance_applies():
    a = minigrad.tensor([1.0], dtype=minigrad.float64)
    assert_close(a, minigrad.tensor([1.0 + 5e-6]), check_dtype=False)


def test_python_data_adapts_to_the_tensor_dtype():
    assert_close(minigrad.tensor([1.0, 2.0]), [1.0, 2.0])
    assert_close(minigrad.tensor([[1, 2]]), [[1, 2]])
    assert_close(minigrad.tensor(3.0), 3.0)
    assert_close(minigrad.tensor(3), 3)
    # float32 tolerance applies to a float32 tensor compared with a Python float
    assert_close(minigrad.tensor([0.1]), [0.1])


def test_numpy_arrays_and_nested_sequences():
    assert_close(np.arange(6).reshape(2, 3), [[0, 1, 2], [3, 4, 5]])
    assert_close(((1.0, 2.0), (3.0, 4.0)), [[1.0, 2.0], [3.0, 4.0]])
    _report([[1.0, 2.0]], [[1.0, 2.1]])


def test_sequences_of_tensors_are_compared_item_by_item():
    a = (minigrad.tensor([1.0]), minigrad.tensor([[2.0, 3.0]]))
    assert_close(a, [minigrad.tensor([1.0]), np.array([[2.0, 3.0]], dtype=np.float32)])
    report = _report(a, (minigrad.tensor([1.0]), minigrad.tensor([[2.0, 4.0]])))
    assert report.endswith("The failure occurred for item [1].")
    assert "at index (0, 1)" in report
    report = _report(a, (minigrad.tensor([1.0]),))
    assert "different lengths: actual has 2 items, expected 1" in report


def test_tensors_that_require_grad_are_compared_by_value():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    assert_close(x * 2, [2.0, 4.0])


# ---- special values ---------------------------------------------------------------------


def test_nan_fails_unless_equal_nan():
    a = minigrad.tensor([1.0, float("nan")])
    report = _report(a, minigrad.tensor([1.0, float("nan")]))
    assert "1 of 2 elements differ (50.0%)" in report
    assert "nan at index (1,)" in report
    assert_close(a, minigrad.tensor([1.0, float("nan")]), equal_nan=True)
    _report(a, minigrad.tensor([1.0, 2.0]), equal_nan=True)


def test_equal_infinities_are_close_and_opposite_ones_are_not():
    inf = float("inf")
    assert_close(minigrad.tensor([inf, -inf, 1.0]), [inf, -inf, 1.0])
    report = _report(minigrad.tensor([inf]), [-inf])
    assert "inf" in report
    _report(minigrad.tensor([inf]), [1e30])


def test_zero_expected_gives_infinite_relative_difference():
    report = _report(minigrad.tensor([0.0, 1.0]), minigrad.tensor([0.0, 0.0]))
    assert "Greatest relative difference: inf at index (1,)" in report


def test_empty_tensors_are_close():
    assert_close(minigrad.zeros(0, 3), minigrad.zeros(0, 3))


# ---- msg and bad arguments --------------------------------------------------------------


def test_msg_string_is_put_before_the_report():
    report = _report(minigrad.tensor([1.0]), minigrad.tensor([2.0]), msg="gradient of w")
    assert report.startswith("gradient of w\n\nTensors are not close")


def test_msg_callable_receives_the_report():
    report = _report(minigrad.tensor([1.0]), minigrad.tensor([2.0]), msg=lambda r: "custom: " + r.splitlines()[0])
    assert report == "custom: Tensors are not close: 1 of 1 elements differ (100.0%)."


@pytest.mark.parametrize("value", ["abc", object(), None])
def test_unsupported_inputs_raise_type_error(value):
    with pytest.raises(TypeError, match="assert_close: cannot compare"):
        assert_close(value, 1.0)


def test_ragged_sequence_raises_type_error():
    with pytest.raises(TypeError, match="ragged"):
        assert_close([[1.0], [1.0, 2.0]], [[1.0], [1.0, 2.0]])


def test_negative_tolerance_is_rejected():
    with pytest.raises(ValueError, match="non-negative"):
        assert_close(1.0, 1.0, rtol=-1.0, atol=0.0)


def test_agrees_with_torch_on_pass_or_fail(torch):
    rng = np.random.default_rng(1)
    for dtype in (np.float32, np.float64):
        base = rng.standard_normal(50).astype(dtype)
        for scale in (1e-9, 1e-7, 1e-6, 1e-5, 1e-4):
            other = (base + scale * rng.standard_normal(50)).astype(dtype)
            try:
                torch.testing.assert_close(torch.from_numpy(base), torch.from_numpy(other))
                torch_ok = True
            except AssertionError:
                torch_ok = False
            try:
                assert_close(base, other)
                ours_ok = True
            except AssertionError:
                ours_ok = False
            assert ours_ok == torch_ok, (dtype, scale)


# ---- gradcheck_module -------------------------------------------------------------------

import minigrad.nn as nn  # noqa: E402
from minigrad.autograd import Function  # noqa: E402
from minigrad.testing import gradcheck_module  # noqa: E402


class _WrongLinearFunction(Function):
    """x @ w.T with a weight gradient that is off by 10% (a planted bug)."""

    @staticmethod
    def forward(ctx, x, w):
        ctx.save_for_backward(x, w)
        return x._array @ w._array.T

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        return g @ w, (g.T @ x) * 1.1


class _WrongLinear(nn.Module):
    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(minigrad.randn(2, 3))
        self.bias = nn.Parameter(minigrad.randn(2))

    def forward(self, x):
        return _WrongLinearFunction.apply(x, self.weight) + self.bias


def _mlp():
    minigrad.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))


def test_gradcheck_module_passes_a_correct_module():
    model = _mlp()
    x = minigrad.randn(5, 3)
    assert gradcheck_module(model, x)
    assert gradcheck_module(model, x, fast_mode=True)
    assert gradcheck_module(model, x, loss_fn=lambda out: (out**2).mean())


def test_gradcheck_module_leaves_the_module_and_random_state_unchanged():
    model = _mlp()
    before = {name: p._array.copy() for name, p in model.named_parameters()}
    arrays = {name: p._array for name, p in model.named_parameters()}
    minigrad.manual_seed(7)
    x = minigrad.randn(4, 3)
    expected_next = minigrad.rand(3)
    minigrad.manual_seed(7)
    x = minigrad.randn(4, 3)
    gradcheck_module(model, x)
    assert minigrad.rand(3).equal(expected_next), "the global generator is restored"
    for name, p in model.named_parameters():
        assert p._array is arrays[name] and p.dtype is minigrad.float32 and p.grad is None
        np.testing.assert_array_equal(p._array, before[name])


def test_gradcheck_module_handles_dropout_and_batch_norm():
    minigrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Dropout(0.5), nn.BatchNorm1d(4), nn.Linear(4, 2))
    assert gradcheck_module(model, minigrad.randn(6, 3))
    assert model[2].running_mean.tolist() == [0.0] * 4, "buffers are restored"


def test_gradcheck_module_names_the_wrong_parameter_and_element():
    minigrad.manual_seed(0)
    model = _WrongLinear()
    with pytest.raises(AssertionError) as info:
        gradcheck_module(model, minigrad.randn(4, 3))
    report = str(info.value)
    assert report.startswith("Module gradients do not match finite differences (atol=1e-05, rtol=0.001")
    assert "parameter 'weight' [2, 3]: " in report and "of 6 elements differ; worst at index (" in report
    assert "parameter 'bias'" not in report
    analytical, numerical = (float(v) for v in re.search(r"analytical (\S+), numerical (\S+)$", report).groups())
    assert analytical == pytest.approx(1.1 * numerical, rel=1e-6)
    with pytest.raises(AssertionError, match="parameter 'weight' \\[2, 3\\]: random projection"):
        gradcheck_module(model, minigrad.randn(4, 3), fast_mode=True)


def test_gradcheck_module_skips_frozen_parameters_and_needs_one():
    model = _mlp()
    for p in model.parameters():
        p.requires_grad_(False)
    with pytest.raises(ValueError, match="no parameter that requires grad"):
        gradcheck_module(model, minigrad.randn(2, 3))
    model[2].weight.requires_grad_(True)
    assert gradcheck_module(model, minigrad.randn(2, 3))


def test_pass_or_fail_agrees_with_torch_on_special_values(torch):
    rng = np.random.default_rng(2)
    specials = np.array([0.0, -0.0, 1e-30, np.inf, -np.inf, np.nan, 1.0, -1.0])
    for dtype in (np.float16, np.float32, np.float64):
        for _ in range(80):
            a = rng.choice(specials, 4) * rng.uniform(0.5, 2, 4)
            b = a.copy()
            k = rng.integers(0, 4)
            b[k] = rng.choice(
                [a[k], a[k] * (1 + 10 ** rng.uniform(-9, -1)), a[k] + 10 ** rng.uniform(-9, -1), rng.choice(specials)]
            )
            a, b = a.astype(dtype), b.astype(dtype)
            for equal_nan in (False, True):
                try:
                    torch.testing.assert_close(torch.from_numpy(a), torch.from_numpy(b), equal_nan=equal_nan)
                    torch_ok = True
                except AssertionError:
                    torch_ok = False
                try:
                    assert_close(a, b, equal_nan=equal_nan)
                    ours_ok = True
                except AssertionError:
                    ours_ok = False
                assert ours_ok == torch_ok, (a, b, equal_nan)


def test_mappings_are_compared_key_by_key():
    a = {"weight": minigrad.tensor([[1.0, 2.0]]), "bias": minigrad.tensor([0.5])}
    assert_close(a, {"bias": minigrad.tensor([0.5]), "weight": minigrad.tensor([[1.0, 2.0]])})
    report = _report(a, {"weight": minigrad.tensor([[1.0, 2.5]]), "bias": minigrad.tensor([0.5])})
    assert report.endswith("The failure occurred for item ['weight'].")
    report = _report(a, {"weight": a["weight"]})
    assert report == "The mappings have different keys: missing from actual [], not expected ['bias']."
    with pytest.raises(AssertionError, match="only one side is a mapping"):
        assert_close(a, [a["weight"], a["bias"]])


def test_state_dicts_of_two_modules():
    first, second = _mlp(), _mlp()
    assert_close(first.state_dict(), second.state_dict())
    with minigrad.no_grad():
        second[0].bias.add_(1e-3)
    with pytest.raises(AssertionError, match=r"item \['0.bias'\]"):
        assert_close(first.state_dict(), second.state_dict())
