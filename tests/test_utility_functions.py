"""Utility functions (all, any, diff): parity on concrete and symbolic inputs, and errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import check, to_onnxarray

import onnxarray as oxp

NUMERIC = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
           np.float32, np.float64]
ALL = [np.bool_] + NUMERIC


def arrays(dtypes, min_dims=0, max_dims=3, max_side=3, elements=None):
    shp = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=max_side)
    return st.sampled_from(dtypes).flatmap(lambda dt: hnp.arrays(dt, shp, elements=elements))


def reduction_axes(ndim):
    """None, an int, or a tuple of distinct (possibly negative) axes."""
    if ndim == 0:
        return st.none() | st.just(()) | st.sampled_from([0, -1])
    axes = st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim).flatmap(
        lambda a: st.tuples(*[st.sampled_from([i, i - ndim]) for i in a]))
    return st.none() | st.integers(-ndim, ndim - 1) | axes


def sparse_arrays():
    """Mostly zeros, so that True and False results are both common; NaN and -0.0 included."""
    def of(dt):
        el = (st.sampled_from([0.0, -0.0, 0.0, np.nan, 1.5, -np.inf])
              if np.dtype(dt).kind == "f" else None if dt is np.bool_ else st.sampled_from([0, 1]))
        return hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
                          elements=el)
    return st.sampled_from(ALL).flatmap(of)


@pytest.mark.parametrize("name", ["all", "any"])
@given(x=sparse_arrays(), keepdims=st.booleans(), dyn=st.booleans(), data=st.data())
def test_all_any(name, x, keepdims, dyn, data):
    axis = data.draw(reduction_axes(x.ndim))
    check(lambda xp, a: getattr(xp, name)(a, axis=axis, keepdims=keepdims), x, dynamic=dyn)


@pytest.mark.parametrize("name,expected", [("all", True), ("any", False)])
def test_all_any_empty_and_nan(name, expected):
    f = getattr(oxp, name)
    assert bool(f(to_onnxarray(np.ones((0, 3))))) is expected
    assert np.asarray(f(to_onnxarray(np.ones((0, 3))), axis=0)).tolist() == [expected] * 3
    assert bool(f(to_onnxarray(np.array([np.nan])))) is True
    assert bool(f(to_onnxarray(np.array([-0.0])))) is False


def test_all_any_errors():
    x = to_onnxarray(np.ones((2, 3)))
    for f in (oxp.all, oxp.any):
        with pytest.raises(ValueError, match=f.__name__):
            f(x, axis=2)
        with pytest.raises(ValueError, match=f.__name__):
            f(x, axis=(0, -2))
        with pytest.raises(TypeError, match=f.__name__):
            f(np.ones(2))


@given(x=arrays(NUMERIC, min_dims=1, max_side=4), dyn=st.booleans(), data=st.data())
def test_diff(x, dyn, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    n = data.draw(st.integers(1, 3))
    check(lambda xp, a: xp.diff(a, axis=axis, n=n), x, dynamic=dyn)


@given(x=arrays(NUMERIC, min_dims=1, max_side=3), dyn=st.booleans(), data=st.data())
def test_diff_prepend_append(x, dyn, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    n = data.draw(st.integers(1, 3))
    extra = []
    for _ in range(2):
        shape = list(x.shape)
        shape[axis] = data.draw(st.integers(0, 2))
        extra.append(data.draw(hnp.arrays(x.dtype, tuple(shape))) if data.draw(st.booleans())
                     else None)
    pre, app = extra
    arrays_ = [x] + [a for a in (pre, app) if a is not None]

    def fn(xp, a, *rest):
        it = iter(rest)
        p = next(it) if pre is not None else None
        q = next(it) if app is not None else None
        return xp.diff(a, axis=axis, n=n, prepend=p, append=q)

    check(fn, *arrays_, dynamic=dyn)


def test_diff_n0_keeps_prepend_and_append():
    """The standard's size rule M + N1 + N2 - n also holds for n=0 (NumPy drops them)."""
    x, p = to_onnxarray(np.array([1, 2], np.int32)), to_onnxarray(np.array([7], np.int32))
    assert np.asarray(oxp.diff(x, n=0, prepend=p)).tolist() == [7, 1, 2]
    assert np.asarray(oxp.diff(x, n=0)).tolist() == [1, 2]


def test_diff_promotes_prepend():
    x = np.array([1, 4, 9], np.int16)
    p = np.array([0], np.int8)
    check(lambda xp, a, b: xp.diff(a, prepend=b), x, p)


def test_diff_errors():
    x = to_onnxarray(np.ones((2, 3)))
    with pytest.raises(ValueError, match="diff"):
        oxp.diff(to_onnxarray(np.float64(1)))
    with pytest.raises(ValueError, match="diff"):
        oxp.diff(x, axis=2)
    with pytest.raises(ValueError, match="diff"):
        oxp.diff(x, n=-1)
    with pytest.raises(TypeError, match="diff"):
        oxp.diff(to_onnxarray(np.ones(3, bool)))
    with pytest.raises(TypeError, match="diff"):
        oxp.diff(x, prepend=to_onnxarray(np.ones((2, 1), bool)))
    with pytest.raises(TypeError, match="diff"):
        oxp.diff(x, append=[1.0])
    with pytest.raises(ValueError, match="diff"):
        oxp.diff(x, prepend=to_onnxarray(np.ones((3, 1))))
    with pytest.raises(ValueError, match="diff"):
        oxp.diff(x, append=to_onnxarray(np.ones(3)))
