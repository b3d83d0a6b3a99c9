"""Set functions: sorted unique values (each NaN its own), parity with array-api-strict."""

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
ALL = INTS + FLOATS + [np.bool_]

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


def arrays(dtypes, min_dims=0, max_dims=3, max_side=4):
    def of(dt):
        shape = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0,
                                 max_side=max_side)
        return hnp.arrays(dt, shape, elements=elements_for(dt))
    return st.sampled_from(dtypes).flatmap(of)


UNIQUE = {
    "unique_values": ("values",),
    "unique_counts": ("values", "counts"),
    "unique_inverse": ("values", "inverse_indices"),
    "unique_all": ("values", "indices", "inverse_indices", "counts"),
}


@pytest.mark.parametrize("func", sorted(UNIQUE))
@given(x=arrays(ALL))
def test_unique(func, x):
    # With several NaNs NumPy's order among them is not stable (its argsort is not), and the
    # standard leaves the order open: check those against the invariants instead.
    nans = x.dtype.kind == "f" and np.isnan(x).sum() > 1 and len(UNIQUE[func]) > 1
    outs = check(lambda xp, a: getattr(xp, func)(a), x, reference=not nans)
    values = outs[0]
    expected = np.unique(x, equal_nan=False)
    np.testing.assert_array_equal(values, expected)  # sorted, each NaN kept, NaNs last
    assert values.ndim == 1 and values.dtype == x.dtype
    for name, out in zip(UNIQUE[func][1:], outs[1:]):
        assert out.dtype == np.int64
        assert out.shape == (x.shape if name == "inverse_indices" else values.shape)
    if "inverse_indices" in UNIQUE[func]:
        inverse = outs[UNIQUE[func].index("inverse_indices")]
        np.testing.assert_array_equal(values[inverse], x)  # -0.0 == 0.0, NaN == NaN here
    if "indices" in UNIQUE[func]:
        np.testing.assert_array_equal(x.reshape(-1)[outs[1]], values)
    if "counts" in UNIQUE[func]:
        counts = outs[UNIQUE[func].index("counts")]
        assert counts.sum() == x.size
        np.testing.assert_array_equal(counts[np.isnan(values)] if values.dtype.kind == "f"
                                      else [], 1)


@pytest.mark.parametrize("func", sorted(UNIQUE))
def test_unique_field_names(func):
    out = getattr(oxp, func)(to_onnxarray(np.array([3, 1, 3])))
    if func == "unique_values":
        assert isinstance(out, oxp.Array)
    else:
        assert out._fields == UNIQUE[func]


def test_unique_nans_are_distinct():
    x = np.array([[np.nan, 1.0, np.nan], [0.0, -0.0, 1.0]], dtype=np.float32)
    values, indices, inverse, counts = check(lambda xp, a: xp.unique_all(a), x)
    np.testing.assert_array_equal(values, [0.0, 1.0, np.nan, np.nan])
    np.testing.assert_array_equal(indices, [3, 1, 0, 2])
    np.testing.assert_array_equal(inverse, [[2, 1, 3], [0, 0, 1]])
    np.testing.assert_array_equal(counts, [2, 2, 1, 1])
    only_nans = np.full((2, 2), np.nan)
    check(lambda xp, a: xp.unique_all(a), only_nans)
    check(lambda xp, a: xp.unique_inverse(a), np.array([np.nan, np.inf, np.nan, -np.inf]))


def test_unique_zero_size_and_0d():
    for x in (np.zeros((0, 3)), np.zeros(0, np.int8), np.array(2.0), np.array(np.nan)):
        check(lambda xp, a: xp.unique_all(a), x)


def test_unique_symbolic_shapes():
    x = oxp.argument(shape=("N", 2), dtype=oxp.float32)
    values, indices, inverse, counts = oxp.unique_all(x)
    assert known(values.shape) == (None,) and known(counts.shape) == (None,)
    assert known(inverse.shape) == (None, 2)


# ---------------------------------------------------------------------------------------------
# isin


def isin_check(fn, *arrays, expected):
    """``fn`` against NumPy's isin. array-api-strict 2.6 takes integer dtypes only and ignores
    ``invert``; the standard only recommends integers, so other dtypes are accepted here."""
    (out,) = check(fn, *arrays, reference=False)
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out, expected)


@given(st.data())
def test_isin(data):
    dt = data.draw(st.sampled_from(ALL))
    x1 = data.draw(arrays([dt]))
    x2 = data.draw(arrays([dt]))
    invert = data.draw(st.booleans())
    isin_check(lambda xp, a, b: xp.isin(a, b, invert=invert), x1, x2,
               expected=np.isin(x1, x2, invert=invert))
    if dt in INTS and not invert:
        check(lambda xp, a, b: xp.isin(a, b), x1, x2)


def test_isin_mixed_dtypes_and_scalars():
    x1 = np.array([[1, 2], [300, -4]], dtype=np.int16)
    x2 = np.array([2, 44, 300], dtype=np.int32)
    check(lambda xp, a, b: xp.isin(a, b), x1, x2)
    check(lambda xp, a, b: xp.isin(a, b), x1, np.array([1, 255], dtype=np.uint8))
    check(lambda xp, a: xp.isin(a, 2), x1)
    isin_check(lambda xp, a: xp.isin(a, 2, invert=True), x1,
               expected=np.isin(x1, 2, invert=True))
    check(lambda xp, b: xp.isin(300, b), x2)
    isin_check(lambda xp, b: xp.isin(300, b, invert=True), x2, expected=np.array(False))


def test_isin_nan_and_signed_zero():
    x1 = np.array([np.nan, -0.0, 1.0])
    x2 = np.array([0.0, np.nan])
    isin_check(lambda xp, a, b: xp.isin(a, b), x1, x2, expected=[False, True, False])


def test_isin_errors():
    with pytest.raises(TypeError, match="isin: at least one"):
        oxp.isin(1, 2)
    with pytest.raises(TypeError):
        oxp.isin(to_onnxarray(np.array([1, 2])), 1.5)
