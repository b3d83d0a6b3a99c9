"""Sorting functions: stable, NaNs last, parity with array-api-strict (eager and exported)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import check, known, to_onnxarray

import onnxarray as oxp

FLOATS = [np.float32, np.float64]
INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
ALL = INTS + FLOATS

FEW = st.sampled_from([-2.0, -0.0, 0.0, 1.0, 2.5, np.inf, -np.inf, np.nan])


def elements_for(dt):
    kind = np.dtype(dt).kind
    if kind == "f":
        return FEW
    if kind == "b":
        return st.booleans()
    info = np.iinfo(dt)
    return st.one_of(st.integers(0 if kind == "u" else -2, 3),
                     st.sampled_from([info.min, info.max]))


def arrays(dtypes, min_dims=1, max_dims=3, max_side=5):
    def of(dt):
        shape = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0,
                                 max_side=max_side)
        return hnp.arrays(dt, shape, elements=elements_for(dt))
    return st.sampled_from(dtypes).flatmap(of)


@pytest.mark.parametrize("func", ["sort", "argsort"])
@given(data=st.data())
def test_sort(func, data):
    x = data.draw(arrays(ALL))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    descending = data.draw(st.booleans())
    (out,) = check(lambda xp, a: getattr(xp, func)(a, axis=axis, descending=descending), x)
    if func == "argsort":
        assert out.dtype == np.int64
        # the exact permutation of NumPy's stable sort (ties in their original order)
        if descending:
            flipped = np.flip(x, axis=axis)
            expected = x.shape[axis] - 1 - np.flip(np.argsort(flipped, axis=axis, kind="stable"),
                                                   axis=axis)
        else:
            expected = np.argsort(x, axis=axis, kind="stable")
        np.testing.assert_array_equal(out, expected)
    else:
        assert out.dtype == x.dtype


def test_sort_stable_on_long_axis_with_ties():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 3, (3, 2000)).astype(np.float32)
    x[:, ::7] = np.nan
    for descending in (False, True):
        check(lambda xp, a, d=descending: xp.argsort(a, descending=d, stable=True), x)
        check(lambda xp, a, d=descending: xp.sort(a, axis=0, descending=d, stable=False), x)


def test_sort_nan_placement():
    x = np.array([np.nan, 1.0, -np.inf, np.nan, 0.0])
    assert np.isnan(check(lambda xp, a: xp.sort(a), x)[0][-2:]).all()
    assert np.isnan(check(lambda xp, a: xp.sort(a, descending=True), x)[0][:2]).all()


@pytest.mark.parametrize("func", ["sort", "argsort"])
def test_sort_errors(func):
    f = getattr(oxp, func)
    with pytest.raises(ValueError, match=f"{func}: needs an array with at least one dim"):
        f(to_onnxarray(np.array(1.0)))
    with pytest.raises(ValueError, match="out of bounds"):
        f(to_onnxarray(np.ones((2, 2))), axis=2)
    with pytest.raises(TypeError, match="axis must be an int"):
        f(to_onnxarray(np.ones((2, 2))), axis=None)
    with pytest.raises(TypeError, match=f"{func}: needs a real numeric dtype"):
        f(to_onnxarray(np.ones(2, dtype=bool)))


def test_sort_symbolic_shape():
    x = oxp.argument(shape=("N", 3), dtype=oxp.int16)
    assert known(oxp.sort(x, axis=0).shape) == (None, 3)
    assert oxp.argsort(x, axis=0).dtype == oxp.int64
