"""Complex dtypes: pairs of real tensors, eager == exported == array-api-strict."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import check, export, run_model

import onnxarray as xp

COMPLEX = [np.complex64, np.complex128]


def carrays(dtypes=COMPLEX, min_dims=0, max_dims=3, min_side=0, lo=-10.0, hi=10.0, shape=None):
    def of(dt):
        width = np.dtype(dt).itemsize * 4
        el = st.complex_numbers(max_magnitude=hi, min_magnitude=0, allow_nan=False,
                                allow_infinity=False, width=width * 2)
        if lo > 0:
            el = st.complex_numbers(min_magnitude=lo, max_magnitude=hi, allow_nan=False,
                                    allow_infinity=False, width=width * 2)
        shp = shape if shape is not None else hnp.array_shapes(
            min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=4)
        return hnp.arrays(dt, shp, elements=el)
    return st.sampled_from(dtypes).flatmap(of)


def pair(dtypes=COMPLEX, lo=0.0):
    def of(dt):
        shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=4)
        return shapes.flatmap(lambda s: st.tuples(
            carrays([dt], shape=s.input_shapes[0], lo=lo),
            carrays([dt], shape=s.input_shapes[1], lo=lo)))
    return st.sampled_from(dtypes).flatmap(of)


def tol(x) -> dict:
    return {"rtol": 1e-4, "atol": 1e-4} if x.dtype == np.complex64 else {"rtol": 1e-10,
                                                                        "atol": 1e-12}


UNARY = ["negative", "positive", "conj", "real", "imag", "abs", "isnan", "isinf", "isfinite",
         "square", "sign", "exp", "expm1", "log", "log1p", "log2", "log10", "sqrt", "sin", "cos",
         "tan", "sinh", "cosh", "tanh", "asin", "acos", "atan", "asinh", "acosh", "atanh",
         "round"]
NEEDS_NONZERO = {"log", "log2", "log10", "sign"}


@pytest.mark.parametrize("name", UNARY)
@given(data=st.data())
def test_unary(name, data):
    x = data.draw(carrays(lo=0.1 if name in NEEDS_NONZERO else 0.0, hi=4.0))
    if name in ("atanh", "atan", "asin", "acos", "acosh", "asinh", "log1p"):
        # stay off the branch points, where the last bits of the result depend on the formula
        x = np.where(np.abs(np.abs(x) - 1) < 0.05, x * 0.5, x)
    check(lambda m, a: getattr(m, name)(a), x, **tol(x))


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide", "equal", "not_equal",
                                  "pow"])
@given(data=st.data())
def test_binary(name, data):
    lo = 0.1 if name in ("divide", "pow") else 0.0
    a, b = data.draw(pair(lo=lo))
    if name == "pow":
        a, b = a / 4, b / 4
    check(lambda m, x, y: getattr(m, name)(x, y), a, b, **tol(a))


@given(data=st.data())
def test_mixed_real_and_scalar_operands(data):
    x = data.draw(carrays([np.complex128], min_dims=1))
    r = data.draw(hnp.arrays(np.float64, x.shape, elements=st.floats(-5, 5)))
    check(lambda m, a, b: a * b + (a - 2.5) / 2.0 + 1j, x, r, **tol(x))
    check(lambda m, a, b: m.where(m.real(a) > 0, a, b), x, r)


@given(data=st.data())
def test_reductions_and_linear_algebra(data):
    x = data.draw(carrays(min_dims=2, max_dims=2, min_side=1, hi=2.0))
    check(lambda m, a: m.sum(a, axis=0), x, **tol(x))
    check(lambda m, a: m.mean(a, axis=1, keepdims=True), x, **tol(x))
    check(lambda m, a: m.prod(a, axis=1), x, dynamic=False, **tol(x))  # needs known sizes
    check(lambda m, a: m.cumulative_sum(a, axis=0), x, **tol(x))
    check(lambda m, a: m.cumulative_prod(a, axis=1, include_initial=True), x, **tol(x))
    check(lambda m, a: m.matmul(a, m.matrix_transpose(a)), x, **tol(x))
    check(lambda m, a: m.vecdot(a, a), x, **tol(x))


@given(data=st.data())
def test_structural_functions_and_indexing(data):
    x = data.draw(carrays(min_dims=2, max_dims=2, min_side=2))
    check(lambda m, a: m.reshape(a, (-1,)), x)
    check(lambda m, a: m.flip(m.permute_dims(a, (1, 0)), axis=0), x)
    check(lambda m, a: m.concat([a, m.expand_dims(a[0, ...], axis=0)], axis=0), x)
    check(lambda m, a: m.stack([a, a], axis=1), x)
    check(lambda m, a: a[1:, ::-1], x)
    check(lambda m, a: m.take(a, m.asarray([1, 0]), axis=0), x, dynamic=False)
    check(lambda m, a: m.where(m.abs(a) > 1, a, m.zeros_like(a)), x)
    check(lambda m, a: m.astype(a, m.complex128), x)


def test_creation_and_conversion():
    z = xp.asarray([1 + 2j, 3.0])
    assert z.dtype == xp.complex128
    np.testing.assert_array_equal(np.asarray(z), np.array([1 + 2j, 3.0]))
    assert xp.full((2,), 1j).dtype == xp.complex128
    assert xp.zeros((2,), dtype=xp.complex64).dtype == xp.complex64
    np.testing.assert_array_equal(np.asarray(xp.astype(xp.asarray([1.0, -0.0]), xp.complex64)),
                                  np.array([1, -0.0], np.complex64))
    assert complex(xp.asarray(2 - 1j)) == 2 - 1j


def test_creation_with_sizes_known_only_when_the_model_runs():
    """A complex fill of a symbolic shape is its two real parts expanded (the graph's complex
    tensor has a trailing axis of 2 that the shape does not name)."""
    x = np.array([[1 + 2j, -0.0 - 1j], [3.5, np.nan + 1j], [0.0, -2.0]])
    for dt in COMPLEX:
        a = x.astype(dt)
        check(lambda m, a: m.zeros((a.shape[0], 3), dtype=a.dtype), a)
        check(lambda m, a: m.full((2, a.shape[1]), -0.0 + 1j, dtype=a.dtype), a)
        check(lambda m, a: m.empty(a.shape, dtype=a.dtype) * 0 + a, a)
        check(lambda m, a: m.ones(a.shape, dtype=a.dtype) * a, a)
        check(lambda m, a: m.full_like(a, 2 - 1j), a)
        check(lambda m, a: m.zeros_like(a, dtype=m.float32), a)
    check(lambda m, a: m.full_like(a, 1j, dtype=m.complex64), x.real.copy())
    for dt in COMPLEX:
        name = np.dtype(dt).name
        check(lambda m, a, name=name: m.eye(a.shape[0], a.shape[1], k=-1,
                                            dtype=getattr(m, name)), x.real.copy())


def test_linspace_of_complex_bounds():
    """The standard's linspace takes complex start and stop (the default complex dtype)."""
    z = xp.linspace(1 - 1j, -2 + 3j, 5)
    assert z.dtype == xp.complex128
    np.testing.assert_allclose(np.asarray(z), np.linspace(1 - 1j, -2 + 3j, 5), rtol=1e-15)
    z = xp.linspace(0, 1j, 4, dtype=xp.complex64, endpoint=False)
    assert z.dtype == xp.complex64
    np.testing.assert_allclose(np.asarray(z), np.linspace(0, 1j, 4, endpoint=False),
                               rtol=1e-7)
    assert xp.linspace(0.0, 1.0, 3, dtype=xp.complex128).dtype == xp.complex128
    with pytest.raises(TypeError, match="linspace"):
        xp.linspace(0, 1j, 3, dtype=xp.float64)


def test_columns_set_with_rows_known_only_when_the_model_runs():
    def fn(m, a):
        out = m.zeros((a.shape[0], 5), dtype=a.dtype)
        out[:, 1:3] = a
        out[:, 0] = 1j
        out[:, 4] = a[:, 1] * 2
        return out, out[:, 1:4]

    x = np.array([[1 + 2j, -0.0 - 1j], [3.5, np.nan + 1j], [0.0, -2.0]])
    for dt in COMPLEX:
        check(fn, x.astype(dt))


def test_setitem():
    z = np.arange(6).reshape(2, 3) * (1 + 1j)
    a = xp.asarray(z)
    a[0, 1:] = 5 - 5j
    a[1] = xp.asarray([1j, 2j, 3j])
    z[0, 1:] = 5 - 5j
    z[1] = [1j, 2j, 3j]
    np.testing.assert_array_equal(np.asarray(a), z)
    with pytest.raises(TypeError, match="__setitem__"):
        r = xp.asarray([1.0, 2.0])
        r[0] = xp.asarray(1j)


def test_export_layout_is_documented_and_round_trips():
    x = xp.argument(shape=("N", 2), dtype=xp.complex64)
    model = xp.build({"x": x}, {"y": xp.exp(x), "m": xp.abs(x)})
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["onnxarray.complex"] == "x,y"
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert [d.dim_param or d.dim_value for d in dims] == ["N", 2, 2]
    data = np.array([[1 + 1j, -2j], [0.5, 3 - 1j], [0, 1]], np.complex64)
    y, m = run_model(model, {"x": data})
    np.testing.assert_allclose(y, np.exp(data), rtol=1e-6)
    np.testing.assert_allclose(m, np.abs(data), rtol=1e-6)


def test_unsupported_functions_say_so():
    z = xp.asarray([1j, 2.0])
    for f in (xp.sort, xp.argmax, xp.max):
        with pytest.raises(TypeError, match="complex"):
            f(z)
    with pytest.raises(TypeError, match="imaginary"):
        xp.astype(z, xp.float64)


@given(data=st.data())
def test_unique_sorts_lexicographically(data):
    x = data.draw(carrays(min_dims=1, max_dims=2, hi=2.0).map(
        lambda a: np.round(a)))  # rounded: repeated values
    check(lambda m, a: m.unique_values(a), x)
    check(lambda m, a: tuple(m.unique_all(a)), x)
    check(lambda m, a: tuple(m.unique_inverse(a)), x)


def test_unique_keeps_each_complex_nan():
    z = np.array([1 + 2j, complex(np.nan, 1), 1 + 2j, complex(1, np.nan), -1j])
    values, first, inverse, counts = (np.asarray(r) for r in xp.unique_all(xp.asarray(z)))
    np.testing.assert_array_equal(values[:2], [-1j, 1 + 2j])
    assert np.isnan(values[2:]).all() and counts.tolist() == [1, 2, 1, 1]
    assert first.tolist() == [4, 0, 1, 3] and inverse.tolist() == [1, 2, 1, 3, 0]


_MIXED = {"add": xp.add, "subtract": xp.subtract, "multiply": xp.multiply,
          "divide": xp.divide, "pow": xp.pow, "equal": xp.equal, "not_equal": xp.not_equal,
          "truediv": lambda a, b: a / b, "rtruediv": lambda a, b: a.__rtruediv__(b),
          "matmul": lambda a, b: xp.matmul(a, xp.matrix_transpose(b)), "vecdot": xp.vecdot,
          "where": lambda a, b: xp.where(xp.asarray(np.arange(12).reshape(4, 3) % 3 == 0), a, b),
          "cross": lambda a, b: xp.linalg.cross(a, b)}


@pytest.mark.parametrize("dtypes", [("complex64", "complex128"), ("complex128", "complex64"),
                                    ("float32", "complex128"), ("complex64", "float64")])
@pytest.mark.parametrize("name", sorted(_MIXED))
def test_mixed_precision_computes_in_the_promoted_precision(name, dtypes):
    """complex64 with complex128 (or float64): the same bits as both upcast first, eagerly and
    exported. The division's ratio of the divisor's parts was computed in float32 (relative
    error 5e-8 in a complex128 quotient)."""
    rng = np.random.default_rng(3)

    def make(dt):
        v = rng.standard_normal((4, 3)) * 10
        return (v + 1j * rng.standard_normal((4, 3)) * 10).astype(dt) if "complex" in dt \
            else v.astype(dt)

    a, b = make(dtypes[0]), make(dtypes[1])
    wide = np.result_type(a, b)
    fn = _MIXED[name]
    mixed = np.asarray(fn(xp.asarray(a), xp.asarray(b)))
    upcast = np.asarray(fn(xp.asarray(a.astype(wide)), xp.asarray(b.astype(wide))))
    assert mixed.dtype == upcast.dtype
    np.testing.assert_array_equal(mixed, upcast)
    exported = run_model(export(lambda m, x, y: fn(x, y), a, b),
                         {"x0": a, "x1": b})[0]
    np.testing.assert_array_equal(exported, mixed)
