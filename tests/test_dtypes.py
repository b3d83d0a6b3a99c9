"""The promotion table is data; it must agree with the reference implementation."""

import itertools

import array_api_strict as strict
import pytest

import onnxarray as xp
from onnxarray import _dtypes as D

NAMES = [d.name for d in D.SUPPORTED]


# integer with real floating is beyond the standard (see the next test)
MIXED = ({"i", "f"}, {"u", "f"}, {"i", "c"}, {"u", "c"})
STANDARD_PAIRS = [(a, b) for a, b in itertools.product(NAMES, NAMES)
                  if {D.BY_NAME[a].kind, D.BY_NAME[b].kind} not in MIXED]


@pytest.mark.parametrize("a,b", STANDARD_PAIRS)
def test_promotion_matches_reference(a, b):
    da, db = D.BY_NAME[a], D.BY_NAME[b]
    try:
        expected = strict.result_type(getattr(strict, a), getattr(strict, b))
    except TypeError:
        with pytest.raises(TypeError, match=f"{a}.*{b}|{b}.*{a}"):
            D.promote(da, db)
        return
    assert D.promote(da, db).name == str(expected).split(".")[-1].strip("'>")


@pytest.mark.parametrize("i", [d.name for d in D.INTEGER])
@pytest.mark.parametrize("f", ["float32", "float64"])
def test_integer_with_real_floating_gives_the_floating_dtype(i, f):
    """What JAX and PyTorch do; the standard leaves mixed-kind promotion open."""
    di, df = D.BY_NAME[i], D.BY_NAME[f]
    assert D.promote(di, df) is df and D.promote(df, di) is df
    assert xp.result_type(di, df) is df
    a = xp.asarray([3, 1], dtype=di)
    b = xp.asarray([0.5, -2.0], dtype=df)
    assert (a + b).dtype is df and (b * a).dtype is df and xp.maximum(a, b).dtype is df
    assert list(map(float, [(a + b)[0], (a + b)[1]])) == [3.5, -1.0]
    assert not xp.can_cast(di, df)  # can_cast answers by the standard's table


@pytest.mark.parametrize("i", ["int8", "uint16", "int64"])
@pytest.mark.parametrize("c", ["complex64", "complex128"])
def test_integer_with_complex_gives_the_complex_dtype(i, c):
    import numpy as np

    di, dc = D.BY_NAME[i], D.BY_NAME[c]
    assert D.promote(di, dc) is dc and xp.result_type(dc, di) is dc
    a = xp.asarray([3, 1], dtype=di)
    z = xp.asarray([1 + 2j, -1j], dtype=dc)
    for got, expected in ((a * z, [3 + 6j, -1j]), (z + a, [4 + 2j, 1 - 1j])):
        assert got.dtype is dc
        np.testing.assert_array_equal(np.asarray(got), np.asarray(expected, dtype=c))


@pytest.mark.parametrize("i", ["int8", "uint8", "int64"])
def test_python_float_with_integer_array_gives_the_default_float(i):
    a = xp.asarray([3, 1], dtype=getattr(xp, i))
    for r in (a * 0.5, 0.5 * a, a - 0.25, a / 2.0):
        assert r.dtype is xp.float64
    assert float((a * 0.5)[0]) == 1.5
    with pytest.raises(TypeError, match="__iadd__"):
        a += 0.5
    with pytest.raises(TypeError, match="bitwise_and"):
        xp.bitwise_and(a, 0.5)


@pytest.mark.parametrize("dtype", ["int8", "uint16", "int32", "int64"])
def test_assigning_floats_into_integer_arrays_truncates(dtype):
    """NumPy, PyTorch and JAX convert assigned floats to the array's dtype."""
    import numpy as np

    x = xp.zeros((4,), dtype=getattr(xp, dtype))
    x[0] = 1.7
    x[1:3] = xp.asarray([2.9, 5.5], dtype=xp.float32)
    x[xp.asarray([False, False, False, True])] = xp.asarray(7.99)
    expected = np.zeros(4, dtype=dtype)
    expected[0] = 1.7
    expected[1:3] = np.asarray([2.9, 5.5], dtype=np.float32)
    expected[3] = 7.99
    np.testing.assert_array_equal(np.asarray(x), expected)


def test_promotion_of_complex_matches_standard():
    assert D.promote(D.float32, D.complex64) is D.complex64
    assert D.promote(D.float64, D.complex64) is D.complex128
    with pytest.raises(TypeError):
        D.promote(D.bool, D.complex64)


def test_dtype_objects():
    assert xp.float64 == xp.float64
    assert xp.float64 != xp.float32
    assert repr(xp.int8) == "onnxarray.int8"
    assert len({xp.int8, xp.int8, xp.uint8}) == 2
    assert xp.float64 != "float64"


def test_result_type_of_many():
    assert D.result_type_of([D.int8, D.uint8, D.int16]) is D.int16
    with pytest.raises(TypeError, match="mine"):
        D.result_type_of([D.int64, D.uint64], func="mine")
