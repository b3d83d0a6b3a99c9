"""Compiled plans: repeated concrete calls run as one session, with op-by-op results."""

import numpy as np
import pytest
from parity import assert_identical, to_onnxarray

import onnxarray as xp
from onnxarray import _plans


def _fresh():
    _plans._plans.clear()
    _plans._seen.clear()


def test_a_signature_is_promoted_after_repeated_calls():
    _fresh()
    a = to_onnxarray(np.arange(6.0).reshape(2, 3))
    first = np.asarray(xp.mean(a, axis=0))
    for _ in range(_plans.PROMOTE_AFTER - 2):  # calls 2 .. PROMOTE_AFTER - 1 run op by op
        xp.mean(a, axis=0)
    assert _plans.plan_count() == 0
    out = xp.mean(a, axis=0)
    assert _plans.plan_count() == 1
    assert_identical(np.asarray(out), first, "planned mean")
    # another static argument or shape is another signature
    xp.mean(a, axis=1)
    xp.mean(to_onnxarray(np.ones((4, 3))), axis=0)
    assert _plans.plan_count() == 1


def test_signature_tells_apart_scalars_that_compare_equal():
    _fresh()
    a = to_onnxarray(np.array([-0.0, 1.0]))
    for _ in range(_plans.PROMOTE_AFTER + 1):
        plus = np.asarray(a + 0.0)
        minus = np.asarray(a + (-0.0))
        nan = np.asarray(a + float("nan"))
    assert np.signbit(plus[0]) == np.signbit(np.float64(-0.0) + 0.0)
    assert np.signbit(minus[0]) == np.signbit(np.float64(-0.0) + -0.0)
    assert np.isnan(nan).all()
    assert _plans.plan_count() == 3


def test_getitem_and_setitem_plans_match_op_by_op():
    _fresh()
    data = np.arange(24.0).reshape(4, 6)
    expected = data.copy()
    expected[1:3, ::2] = -1.0
    for _ in range(_plans.PROMOTE_AFTER + 1):
        a = to_onnxarray(data)
        a[1:3, ::2] = -1.0
        np.testing.assert_array_equal(np.asarray(a), expected)
        np.testing.assert_array_equal(np.asarray(a[..., None, 1::3]), expected[..., None, 1::3])
    assert _plans.plan_count() == 2


def test_invalid_calls_still_raise_the_library_error():
    _fresh()
    a = to_onnxarray(np.ones((2, 3)))
    b = to_onnxarray(np.ones((4,)))
    for _ in range(_plans.PROMOTE_AFTER + 1):
        with pytest.raises(ValueError, match="add"):
            xp.add(a, b)
        with pytest.raises(IndexError):
            a[5]
    assert _plans.plan_count() == 0


def test_named_tuple_results_and_sequence_arguments():
    _fresh()
    x = to_onnxarray(np.array([3, 1, 3, 2, 1]))
    for _ in range(_plans.PROMOTE_AFTER + 1):
        res = xp.unique_counts(x)
        cat = xp.concat([x, x], axis=0)
    assert type(res).__name__ == "UniqueCountsResult"
    np.testing.assert_array_equal(np.asarray(res.values), [1, 2, 3])
    np.testing.assert_array_equal(np.asarray(res.counts), [2, 1, 2])
    np.testing.assert_array_equal(np.asarray(cat), np.tile([3, 1, 3, 2, 1], 2))
    assert _plans.plan_count() == 2


def test_symbolic_calls_record_and_never_plan():
    _fresh()
    x = xp.argument(shape=("N",), dtype=xp.float64)
    for _ in range(_plans.PROMOTE_AFTER + 1):
        y = xp.exp(x)
    assert y.is_symbolic and _plans.plan_count() == 0
