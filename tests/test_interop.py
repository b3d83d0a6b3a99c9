"""What consumers (scikit-learn, SciPy, array-api-extra) rely on beyond a single function call:
Python values and NumPy objects crossing into onnxarray, assignment semantics, threads.

Each test is one behaviour, compared with NumPy or array-api-strict where they define it.
"""

from __future__ import annotations

import threading

import array_api_strict as strict
import numpy as np
import pytest

import onnxarray as xp


def _np(a):
    return np.asarray(a)


# -- assignment through a 0-d boolean mask ------------------------------------------------------


@pytest.mark.parametrize("flag", [True, False])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3)])
@pytest.mark.parametrize("value_shape", ["scalar", "0d", "selection"])
def test_setitem_0d_mask_keeps_shape(flag, shape, value_shape):
    base = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    if value_shape == "scalar":
        value, ref_value = 7.0, 7.0
    elif value_shape == "0d":
        value, ref_value = xp.asarray(7.0), strict.asarray(7.0)
    else:  # the shape of x[True]: a leading axis of one
        data = np.full((1,) + shape, 7.0)
        value, ref_value = xp.asarray(data), strict.asarray(data)
    x = xp.asarray(base, copy=True)
    ref = strict.asarray(base, copy=True)
    x[xp.asarray(flag)] = value
    ref[strict.asarray(flag)] = ref_value
    assert x.shape == shape
    np.testing.assert_array_equal(_np(x), np.asarray(ref))


def test_setitem_0d_false_mask_takes_an_empty_value():
    """x[False] selects nothing: an empty value (often x[False] itself) fits, as in NumPy."""
    for shape in [(), (3,)]:
        x = xp.ones(shape)
        x[xp.asarray(False)] = xp.zeros((0,) + shape)
        assert x.shape == shape
        np.testing.assert_array_equal(_np(x), np.ones(shape))
    x = xp.ones((3,))
    with pytest.raises(ValueError, match="__setitem__"):
        x[xp.asarray(True)] = xp.zeros((0, 3))


def test_setitem_0d_mask_rejects_value_that_does_not_fit():
    x = xp.asarray([1.0, 2.0])
    with pytest.raises(ValueError, match="__setitem__"):
        x[xp.asarray(True)] = xp.asarray([[[1.0, 2.0]]])
    with pytest.raises(ValueError, match="__setitem__"):
        x[xp.asarray(True)] = xp.asarray([[1.0, 2.0], [3.0, 4.0]])


def test_setitem_0d_mask_with_a_value_of_unknown_size_says_so():
    x = xp.argument(shape=(), dtype=xp.float64)
    v = xp.argument(shape=("n",), dtype=xp.float64)
    out = xp.asarray(x, copy=True)
    with pytest.raises(ValueError, match="__setitem__.*not known while recording"):
        out[xp.asarray(True)] = v


def test_zero_size_mask_selects_nothing_in_setitem_as_in_getitem():
    """A mask with a zero-size axis selects nothing from any array (NumPy and array-api-strict
    accept it): x[m] is empty and x[m] = v leaves x as it is, eagerly, planned and exported;
    a value that cannot fit the empty selection is refused, naming __setitem__."""
    base = np.arange(9.0).reshape(3, 3)
    for mask, value in [(np.zeros((0,), bool), 2.0), (np.zeros((3, 0), bool), -1.0),
                        (np.zeros((0,), bool), np.zeros((3,)))]:
        for _ in range(3):  # op by op, then as a plan
            x = xp.asarray(base, copy=True)
            x[xp.asarray(mask)] = xp.asarray(value)
            np.testing.assert_array_equal(_np(x), base)
        assert _np(xp.asarray(base)[xp.asarray(mask)]).size == 0
    sym = xp.argument(shape=("n", 3), dtype=xp.float64)
    out = xp.asarray(sym, copy=True)
    out[xp.asarray(np.zeros((0,), bool))] = 5.0
    model = xp.build({"x": sym}, {"y": out})
    import onnxruntime as ort
    got = ort.InferenceSession(model.SerializeToString(),
                               providers=["CPUExecutionProvider"]).run(None, {"x": base})[0]
    np.testing.assert_array_equal(got, base)
    x = xp.asarray(base, copy=True)
    with pytest.raises(ValueError, match="__setitem__"):
        x[xp.asarray(np.zeros((0,), bool))] = xp.asarray([1.0, 2.0])


# -- Python complex with a real floating array -------------------------------------------------


@pytest.mark.parametrize("dtype, cdtype", [("float32", "complex64"), ("float64", "complex128")])
@pytest.mark.parametrize("op", ["mul", "rmul", "add", "radd", "sub", "rsub", "div", "rdiv"])
def test_python_complex_with_real_float_array(dtype, cdtype, op):
    data = np.asarray([1.5, -2.0, 0.0, np.inf], dtype=dtype)
    a = xp.asarray(data)
    s = 0.5 + 2j
    fns = {"mul": lambda u: u * s, "rmul": lambda u: s * u, "add": lambda u: u + s,
           "radd": lambda u: s + u, "sub": lambda u: u - s, "rsub": lambda u: s - u,
           "div": lambda u: u / s, "rdiv": lambda u: s / u}
    got = fns[op](a)
    assert got.dtype == getattr(xp, cdtype)
    with np.errstate(all="ignore"):
        expected = fns[op](data.astype(cdtype))
    np.testing.assert_allclose(_np(got), expected, rtol=1e-6 if dtype == "float32" else 1e-15)


@pytest.mark.parametrize("dtype", ["int8", "uint32", "int64"])
def test_python_complex_with_integer_array_gives_the_default_complex(dtype):
    """As a Python float with an integer array gives the default float dtype."""
    got = xp.asarray([1, 2], dtype=getattr(xp, dtype)) * (1 + 1j)
    assert got.dtype == xp.complex128
    np.testing.assert_array_equal(_np(got), np.asarray([1 + 1j, 2 + 2j]))


def test_python_complex_with_bool_array_is_an_error():
    with pytest.raises(TypeError, match="multiply"):
        xp.asarray([True, False]) * 1j


def test_python_complex_in_place_on_real_array_is_an_error():
    a = xp.asarray([1.0, 2.0])
    with pytest.raises(TypeError, match="__imul__"):
        a *= 1j


# -- asarray conversions -----------------------------------------------------------------------


@pytest.mark.parametrize("obj, dtype", [
    (1, "bool"), (0, "bool"), (2.5, "bool"), ([0.0, -1.0, np.nan], "bool"),
    ([1000.0, -2.7, 2.7], "int32"), ([1000.0], "int16"), (3.9, "int64"), ([True, 2], "uint8"),
    ([1, 2.5], "float32"), (True, "float64"), ([1, 2], "complex64"), (1.5, "complex128"),
])
def test_asarray_python_values_with_dtype_convert_like_numpy(obj, dtype):
    got = xp.asarray(obj, dtype=getattr(xp, dtype))
    expected = np.asarray(strict.asarray(obj, dtype=getattr(strict, dtype)))
    assert got.dtype == getattr(xp, dtype)
    np.testing.assert_array_equal(_np(got), expected)


def test_asarray_python_int_out_of_range_is_an_overflow():
    with pytest.raises(OverflowError, match="asarray"):
        xp.asarray([1000], dtype=xp.int8)


def test_asarray_python_complex_into_real_dtype_is_an_error():
    with pytest.raises(TypeError, match="asarray"):
        xp.asarray([1j], dtype=xp.float64)


@pytest.mark.parametrize("src", ["float32", "float64", "int32", "bool"])
@pytest.mark.parametrize("dst", ["complex64", "complex128"])
def test_asarray_real_array_to_complex(src, dst):
    data = np.asarray([0, 1, 3, 0], dtype=src)
    got = xp.asarray(xp.asarray(data), dtype=getattr(xp, dst))
    assert got.dtype == getattr(xp, dst)
    np.testing.assert_array_equal(_np(got), data.astype(dst))
    assert np.asarray(xp.astype(xp.asarray(data), getattr(xp, dst))).tolist() == _np(got).tolist()


@pytest.mark.parametrize("obj", [[], [[]], [[], []], ()])
def test_asarray_empty_sequence_has_default_float_dtype(obj):
    got = xp.asarray(obj)
    ref = strict.asarray(obj)
    assert got.dtype == xp.float64
    assert got.shape == ref.shape


# -- NumPy arrays as indices -------------------------------------------------------------------


@pytest.mark.parametrize("key", [
    np.asarray([2, 0]), np.asarray([[1], [3]]), np.asarray([-1, 0], dtype=np.int32),
    np.asarray([True, False, True, False, True]), np.asarray(3), np.asarray([], dtype=np.intp),
])
def test_numpy_array_index(key):
    data = np.arange(10.0).reshape(5, 2)
    np.testing.assert_array_equal(_np(xp.asarray(data)[key]), data[key])


def test_numpy_array_index_in_a_tuple():
    data = np.arange(10.0).reshape(5, 2)
    key = (np.asarray([4, 1]), slice(None))
    np.testing.assert_array_equal(_np(xp.asarray(data)[key]), data[key])


def test_numpy_boolean_mask_assignment():
    data = np.arange(5.0)
    x = xp.asarray(data, copy=True)
    mask = data > 2
    x[mask] = -1.0
    data[mask] = -1.0
    np.testing.assert_array_equal(_np(x), data)


def test_numpy_float_array_index_is_an_error():
    with pytest.raises(IndexError, match="integer or boolean"):
        xp.asarray([1.0, 2.0])[np.asarray([0.0])]


# -- dtypes that NumPy understands -------------------------------------------------------------


@pytest.mark.parametrize("name", ["bool", "int8", "uint16", "int32", "int64", "float32",
                                  "float64", "complex64", "complex128"])
def test_numpy_reads_onnxarray_dtypes(name):
    dt = getattr(xp, name)
    assert np.dtype(dt) == np.dtype(name)
    assert np.zeros(2).astype(dt).dtype == np.dtype(name)
    assert np.asarray([1, 0], dtype=dt).dtype == np.dtype(name)
    assert dt.kind == np.dtype(name).kind
    # identity comparisons stay: an onnxarray dtype is not a NumPy dtype
    assert dt != np.dtype(name)


# -- in-place changes from several threads -----------------------------------------------------


def test_setitem_from_threads_keeps_every_write():
    columns, rows = 8, 64
    for _ in range(10):
        x = xp.zeros((rows, columns))
        barrier = threading.Barrier(columns)

        def write(i, x=x, barrier=barrier):
            barrier.wait()
            x[:, i] = xp.full((rows,), float(i + 1))

        threads = [threading.Thread(target=write, args=(i,)) for i in range(columns)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        np.testing.assert_array_equal(_np(x), np.tile(np.arange(1.0, columns + 1), (rows, 1)))


def test_inplace_operator_from_threads_keeps_every_update():
    x = xp.zeros((4,))
    barrier = threading.Barrier(8)

    def bump(arr=x):
        barrier.wait()
        for _ in range(5):
            arr += 1.0  # in place: arr stays the shared array

    threads = [threading.Thread(target=bump) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    np.testing.assert_array_equal(_np(x), np.full(4, 40.0))


# -- inspection --------------------------------------------------------------------------------


def test_devices_is_a_tuple_as_in_2025_12():
    devices = xp.__array_namespace_info__().devices()
    assert xp.__array_api_version__ == "2025.12"
    assert isinstance(devices, tuple)
    assert devices == (xp.asarray(0).device,)
    # code written for 2024.12, which returned a list, concatenates lists (SciPy's tests do)
    cpu = xp.asarray(0).device
    assert list(devices + [None]) == [cpu, None]
    assert [None] + devices == [None, cpu]


def test_axis_error_uses_numpy_wording():
    """SciPy's tests match NumPy's message: 'axis 10 is out of bounds for array of dimension'."""
    x = xp.asarray([1.0, 2.0])
    with pytest.raises(IndexError, match="axis 10 is out of bounds for array of dimension 1"):
        xp.moveaxis(x, 10, 0)


# -- arange with 0-d array bounds (SciPy: xp.arange(1, n + 1, dtype=n.dtype)) ------------------


@pytest.mark.parametrize("bounds", [(8.0,), (1, 9), (1.0, 8.5, 0.5), (10, 1, -3), (-3.5, 2.0)])
@pytest.mark.parametrize("dtype", [None, "float32", "int32"])
def test_arange_takes_0d_arrays_like_numbers(bounds, dtype):
    kw = {} if dtype is None else {"dtype": getattr(xp, dtype)}
    got = xp.arange(*[xp.asarray(b) for b in bounds], **kw)
    ref = xp.arange(*bounds, **kw)
    assert got.dtype == ref.dtype and _np(got).tobytes() == _np(ref).tobytes()
    expect = np.arange(*bounds)
    np.testing.assert_allclose(_np(got), expect if dtype is None else expect.astype(dtype),
                               rtol=1e-7 if dtype == "float32" else 1e-15)


def test_arange_rejects_arrays_that_are_not_0d_real():
    with pytest.raises(TypeError, match="arange: stop must be"):
        xp.arange(xp.asarray([8.0]))
    with pytest.raises(TypeError, match="arange: start must be"):
        xp.arange(xp.asarray(True), 3)
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="arange: step must not be zero"):
            xp.arange(0.0, bad)


@pytest.mark.parametrize("kind", ["float", "int"])
def test_arange_with_a_symbolic_bound_equals_eager(kind):
    import onnxruntime as ort

    dt = xp.float64 if kind == "float" else xp.int64
    stop, step = xp.argument(shape=(), dtype=dt), xp.argument(shape=(), dtype=dt)
    start = 0.5 if kind == "float" else 3
    model = xp.build({"stop": stop, "step": step}, {"y": xp.arange(start, stop, step)})
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    cases = ([(8.0, 1.0), (3.3, 0.1), (-1.0, 1.0), (-10.0, -0.7), (1e5, 0.3)]
             if kind == "float" else [(10, 3), (11, 3), (3, 1), (-5, -2), (2**62, 2**61)])
    npdt = np.float64 if kind == "float" else np.int64
    for hi, st in cases:
        got = sess.run(None, {"stop": np.asarray(hi, npdt), "step": np.asarray(st, npdt)})[0]
        eager = _np(xp.arange(start, xp.asarray(hi, dtype=dt), xp.asarray(st, dtype=dt)))
        assert got.dtype == eager.dtype and got.tobytes() == eager.tobytes()
    bad = [(8.0, 0.0), (float("nan"), 1.0), (float("inf"), 1.0)] if kind == "float" else [(5, 0)]
    for hi, st in bad:
        with pytest.raises(Exception, match="arange: step must not be zero"):
            sess.run(None, {"stop": np.asarray(hi, npdt), "step": np.asarray(st, npdt)})
