"""The parity invariant for every public function, from one table.

Each entry is (function name, a callable ``f(xp, *arrays)`` that exercises it, and a hypothesis
strategy of NumPy inputs). For every entry: eager == exported model in onnxruntime (bit for bit)
== array-api-strict (within tolerance). ``test_table_covers_the_namespace`` fails when a public
function has no entry. Detailed, per-section behaviour is tested in the section test files.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import check

import onnxarray

FLOATS = [np.float32, np.float64]
SIGNED = [np.int8, np.int16, np.int32, np.int64]
UNSIGNED = [np.uint8, np.uint16, np.uint32, np.uint64]
INTS = SIGNED + UNSIGNED
NUMERIC = INTS + FLOATS


def _for_dtype(el, dt):
    """Element strategy ``el`` made exact in ``dt``: float32 arrays get values rounded to float32
    (NumPy < 2 makes hypothesis refuse a float64 value that float32 cannot hold)."""
    if el is None and np.dtype(dt).kind == "f":
        return st.floats(-100, 100, width=np.dtype(dt).itemsize * 8)
    if el is not None and np.dtype(dt) == np.float32:
        return el.map(lambda v: float(np.float32(v)) if isinstance(v, float) else v)
    return el


def arrays(dtypes, shape=None, min_dims=0, max_dims=3, elements=None, min_side=0):
    """NumPy arrays of one of ``dtypes``; finite moderate floats unless elements are given."""
    def of(dt):
        el = _for_dtype(elements, dt)
        shp = shape if shape is not None else hnp.array_shapes(
            min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=4)
        return hnp.arrays(dt, shp, elements=el)
    return st.sampled_from(dtypes).flatmap(of)


def same_dtype_pair(dtypes, min_dims=0, elements=None, second=None):
    """Two broadcast-compatible arrays of the same dtype."""
    def of(dt):
        el = _for_dtype(elements, dt)
        shapes = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=min_dims, max_dims=3,
                                                  max_side=4)
        return shapes.flatmap(lambda s: st.tuples(
            hnp.arrays(dt, s.input_shapes[0], elements=el),
            hnp.arrays(dt, s.input_shapes[1],
                       elements=el if second is None else _for_dtype(second, dt))))
    return st.sampled_from(dtypes).flatmap(of)


def tup(*strategies):
    return st.tuples(*strategies)


def unary(name, dtypes, elements=None, **kw):
    return (name, lambda xp, x: getattr(xp, name)(x), tup(arrays(dtypes, elements=elements)), kw)


def binary(name, dtypes, elements=None, second=None, **kw):
    return (name, lambda xp, a, b: getattr(xp, name)(a, b),
            same_dtype_pair(dtypes, elements=elements, second=second), kw)


POS = st.floats(0.01, 100)
UNIT = st.floats(-1, 1)
LOSSY = {"rtol": 2e-6}  # float64 through float32 until exact composites land

TABLE = [
    # elementwise, unary
    unary("abs", NUMERIC), unary("acos", FLOATS, UNIT, **LOSSY),
    unary("acosh", FLOATS, st.floats(1, 100), **LOSSY), unary("asin", FLOATS, UNIT, **LOSSY),
    unary("asinh", FLOATS, **LOSSY), unary("atan", FLOATS, **LOSSY),
    unary("atanh", FLOATS, st.floats(-0.99, 0.99), **LOSSY),
    unary("bitwise_invert", INTS + [np.bool_]), unary("ceil", NUMERIC),
    unary("conj", NUMERIC), unary("cos", FLOATS, rtol=1e-6), unary("cosh", FLOATS, UNIT, **LOSSY),
    unary("exp", FLOATS, UNIT, rtol=1e-6), unary("expm1", FLOATS, UNIT, rtol=1e-6),
    unary("floor", NUMERIC), unary("isfinite", NUMERIC),
    unary("isinf", NUMERIC), unary("isnan", NUMERIC), unary("log", FLOATS, POS, rtol=1e-6),
    unary("log1p", FLOATS, POS, rtol=1e-6), unary("log2", FLOATS, POS, rtol=1e-6),
    unary("log10", FLOATS, POS, rtol=1e-6), unary("logical_not", [np.bool_]),
    unary("negative", SIGNED + FLOATS), unary("positive", NUMERIC), unary("real", FLOATS),
    unary("reciprocal", FLOATS, POS), unary("round", NUMERIC), unary("sign", SIGNED + FLOATS),
    unary("signbit", FLOATS), unary("sin", FLOATS, rtol=1e-6),
    unary("sinh", FLOATS, UNIT, **LOSSY), unary("square", NUMERIC),
    unary("sqrt", FLOATS, POS, rtol=1e-6), unary("tan", FLOATS, UNIT, **LOSSY),
    unary("tanh", FLOATS, rtol=1e-5), unary("trunc", NUMERIC),
    # elementwise, binary
    binary("add", NUMERIC), binary("atan2", FLOATS, **LOSSY), binary("bitwise_and", INTS),
    binary("bitwise_or", INTS), binary("bitwise_xor", INTS),
    binary("bitwise_left_shift", INTS, st.integers(0, 7)),
    binary("bitwise_right_shift", INTS, st.integers(0, 7)),
    binary("copysign", FLOATS), binary("divide", FLOATS, second=POS),
    binary("equal", NUMERIC), binary("floor_divide", FLOATS, second=POS),
    binary("greater", NUMERIC), binary("greater_equal", NUMERIC),
    binary("hypot", FLOATS, rtol=1e-6), binary("less", NUMERIC), binary("less_equal", NUMERIC),
    binary("logaddexp", FLOATS, rtol=1e-6), binary("logical_and", [np.bool_]),
    binary("logical_or", [np.bool_]), binary("logical_xor", [np.bool_]),
    binary("maximum", NUMERIC), binary("minimum", NUMERIC), binary("multiply", NUMERIC),
    binary("nextafter", FLOATS), binary("not_equal", NUMERIC),
    binary("pow", FLOATS, POS, st.floats(-3, 3), rtol=1e-6),
    binary("remainder", FLOATS, second=POS, rtol=1e-6), binary("subtract", NUMERIC),
    ("clip", lambda xp, x: xp.clip(x, -1, 1), tup(arrays(SIGNED + FLOATS)), {}),
    # creation
    ("arange", lambda xp, x: xp.arange(x.shape[0], dtype=xp.int32),
     tup(arrays(FLOATS, min_dims=1)), {"dynamic": False}),
    ("asarray", lambda xp, x: xp.asarray(x, dtype=xp.float64), tup(arrays(NUMERIC)), {}),
    ("empty", lambda xp, x: xp.empty((0, 2)), tup(arrays(FLOATS)), {}),
    ("empty_like", lambda xp, x: xp.empty_like(x)[:0, ...], tup(arrays(NUMERIC, min_dims=1)), {}),
    ("eye", lambda xp, x: xp.eye(3, 4, k=1) + x, tup(arrays(FLOATS, shape=(3, 4))), {}),
    ("from_dlpack", lambda xp, x: xp.from_dlpack(x), tup(arrays(NUMERIC)), {"exported": False}),
    ("full", lambda xp, x: xp.full((2, 3), 1.5) * x, tup(arrays(FLOATS, shape=(2, 3))), {}),
    ("full_like", lambda xp, x: xp.full_like(x, 7), tup(arrays(NUMERIC)), {}),
    ("linspace", lambda xp, x: xp.linspace(0, 1, 5) + x, tup(arrays([np.float64], shape=(5,))),
     {}),
    ("meshgrid", lambda xp, a, b: xp.meshgrid(a, b, indexing="ij"),
     tup(arrays(FLOATS[1:], min_dims=1, max_dims=1), arrays(FLOATS[1:], min_dims=1, max_dims=1)),
     {}),
    ("ones", lambda xp, x: xp.ones((3,), dtype=xp.int8), tup(arrays(FLOATS)), {}),
    ("ones_like", lambda xp, x: xp.ones_like(x), tup(arrays(NUMERIC)), {}),
    ("tril", lambda xp, x: xp.tril(x, k=-1), tup(arrays(NUMERIC, min_dims=2)), {}),
    ("triu", lambda xp, x: xp.triu(x, k=1), tup(arrays(NUMERIC, min_dims=2)), {}),
    ("zeros", lambda xp, x: xp.zeros((2, 0)), tup(arrays(FLOATS)), {}),
    ("zeros_like", lambda xp, x: xp.zeros_like(x), tup(arrays(NUMERIC)), {}),
    # data types
    ("astype", lambda xp, x: xp.astype(x, xp.float64), tup(arrays(NUMERIC)), {}),
    ("can_cast", lambda xp, x: x if xp.can_cast(x.dtype, xp.float64) else -x,
     tup(arrays(FLOATS)), {}),
    ("finfo", lambda xp, x: x * xp.finfo(x.dtype).eps, tup(arrays(FLOATS)), {}),
    ("iinfo", lambda xp, x: xp.minimum(x, xp.iinfo(x.dtype).max - 1), tup(arrays(INTS)), {}),
    ("isdtype", lambda xp, x: x if xp.isdtype(x.dtype, "integral") else x * 2,
     tup(arrays(NUMERIC)), {}),
    ("result_type", lambda xp, a, b: xp.astype(a, xp.result_type(a, b, 1)),
     tup(arrays(SIGNED), arrays(SIGNED)), {}),
    # indexing functions
    ("take", lambda xp, x: xp.take(x, xp.asarray([0, -1]), axis=0),
     tup(arrays(NUMERIC, min_dims=1, min_side=1)), {}),
    ("take_along_axis", lambda xp, x: xp.take_along_axis(x, xp.argsort(x, axis=-1), axis=-1),
     tup(arrays(NUMERIC, min_dims=1)), {}),
    # linear algebra
    ("matmul", lambda xp, a, b: xp.matmul(a, b),
     tup(arrays(FLOATS[1:], shape=(3, 4)), arrays(FLOATS[1:], shape=(4,))), {"rtol": 1e-12}),
    ("matrix_transpose", lambda xp, x: xp.matrix_transpose(x), tup(arrays(NUMERIC, min_dims=2)),
     {}),
    ("tensordot", lambda xp, a, b: xp.tensordot(a, b, axes=1),
     tup(arrays([np.float64], shape=(2, 3)), arrays([np.float64], shape=(3, 2))),
     {"rtol": 1e-12}),
    ("vecdot", lambda xp, a, b: xp.vecdot(a, b),
     tup(arrays([np.float64], shape=(2, 3)), arrays([np.float64], shape=(3,))), {"rtol": 1e-12}),
    # manipulation
    ("broadcast_arrays", lambda xp, a, b: xp.broadcast_arrays(a, b),
     same_dtype_pair(NUMERIC), {}),
    ("broadcast_shapes", lambda xp, x: xp.reshape(x, xp.broadcast_shapes((1, 2), (3, 1))[1:]),
     tup(arrays(FLOATS, shape=(2,))), {}),
    ("broadcast_to", lambda xp, x: xp.broadcast_to(x, (2, 3)), tup(arrays(NUMERIC, shape=(3,))),
     {}),
    ("concat", lambda xp, a, b: xp.concat([a, b], axis=None), same_dtype_pair(NUMERIC), {}),
    ("expand_dims", lambda xp, x: xp.expand_dims(x, axis=0), tup(arrays(NUMERIC)), {}),
    ("flip", lambda xp, x: xp.flip(x), tup(arrays(NUMERIC)), {}),
    ("moveaxis", lambda xp, x: xp.moveaxis(x, 0, -1), tup(arrays(NUMERIC, min_dims=1)), {}),
    ("permute_dims", lambda xp, x: xp.permute_dims(x, tuple(reversed(range(x.ndim)))),
     tup(arrays(NUMERIC)), {}),
    ("repeat", lambda xp, x: xp.repeat(x, 2, axis=0), tup(arrays(NUMERIC, min_dims=1)), {}),
    ("reshape", lambda xp, x: xp.reshape(x, (-1,)), tup(arrays(NUMERIC)), {}),
    ("roll", lambda xp, x: xp.roll(x, 2, axis=0), tup(arrays(NUMERIC, min_dims=1)), {}),
    ("squeeze", lambda xp, x: xp.squeeze(xp.expand_dims(x, axis=0), axis=0),
     tup(arrays(NUMERIC)), {}),
    ("stack", lambda xp, a, b: xp.stack([a, b, a], axis=-1),
     same_dtype_pair(INTS).filter(lambda p: p[0].shape == p[1].shape), {}),
    ("tile", lambda xp, x: xp.tile(x, (2, 1)), tup(arrays(NUMERIC)), {}),
    ("unstack", lambda xp, x: xp.unstack(x, axis=0), tup(arrays(NUMERIC, shape=(3, 2))),
     {"dynamic": False}),
    # searching
    ("argmax", lambda xp, x: xp.argmax(x), tup(arrays(NUMERIC, min_dims=1, min_side=1)), {}),
    ("argmin", lambda xp, x: xp.argmin(x, axis=-1),
     tup(arrays(NUMERIC, min_dims=1, min_side=1)), {}),
    ("count_nonzero", lambda xp, x: xp.count_nonzero(x), tup(arrays(NUMERIC)), {}),
    ("nonzero", lambda xp, x: xp.nonzero(x), tup(arrays(NUMERIC, min_dims=1)), {}),
    ("searchsorted", lambda xp, a, v: xp.searchsorted(xp.sort(a), v),
     tup(arrays(FLOATS[1:], min_dims=1, max_dims=1), arrays(FLOATS[1:])), {}),
    ("where", lambda xp, a, b: xp.where(a > b, a, b), same_dtype_pair(NUMERIC), {}),
    # set
    ("isin", lambda xp, a, b: xp.isin(a, b), same_dtype_pair(INTS), {}),
    ("unique_all", lambda xp, x: xp.unique_all(x), tup(arrays(INTS)), {}),
    ("unique_counts", lambda xp, x: xp.unique_counts(x), tup(arrays(INTS + FLOATS)), {}),
    ("unique_inverse", lambda xp, x: xp.unique_inverse(x), tup(arrays(INTS)), {}),
    ("unique_values", lambda xp, x: xp.unique_values(x), tup(arrays(INTS + FLOATS)), {}),
    # sorting
    ("argsort", lambda xp, x: xp.argsort(x, axis=-1), tup(arrays(NUMERIC, min_dims=1)), {}),
    ("sort", lambda xp, x: xp.sort(x, axis=-1, descending=True),
     tup(arrays(NUMERIC, min_dims=1)), {}),
    # statistics
    ("cumulative_sum", lambda xp, x: xp.cumulative_sum(x, axis=0),
     tup(arrays(FLOATS + SIGNED[2:], min_dims=1)), {"rtol": 1e-5}),
    # products that end among the subnormals keep no relative precision: the reference
    # rounds at every step, onnxarray may round once (-1e-45 * 1.22 * 0.47 is -1e-45, NumPy
    # gives -0.0), so those compare to an absolute 1e-40
    ("cumulative_prod", lambda xp, x: xp.cumulative_prod(x, axis=0),
     tup(arrays(FLOATS, min_dims=1, elements=st.floats(-2, 2, width=32))),
     {"rtol": 1e-5, "atol": 1e-40}),
    ("max", lambda xp, x: xp.max(x, axis=0), tup(arrays(NUMERIC, min_dims=1, min_side=1)), {}),
    ("mean", lambda xp, x: xp.mean(x, axis=-1, keepdims=True),
     tup(arrays(FLOATS, min_dims=1, min_side=1)), {"rtol": 1e-5}),
    ("min", lambda xp, x: xp.min(x), tup(arrays(NUMERIC, min_side=1)), {}),
    ("prod", lambda xp, x: xp.prod(x, axis=0),
     tup(arrays(FLOATS, min_dims=1, elements=st.floats(-2, 2, width=32))),
     {"rtol": 1e-5, "atol": 1e-40}),
    ("std", lambda xp, x: xp.std(x, correction=1),
     tup(arrays(FLOATS, min_dims=1, min_side=2)), {"rtol": 1e-4, "atol": 1e-4}),
    ("sum", lambda xp, x: xp.sum(x), tup(arrays(NUMERIC)), {"rtol": 1e-5}),
    ("var", lambda xp, x: xp.var(x, axis=0),
     tup(arrays(FLOATS, min_dims=1, min_side=1)), {"rtol": 1e-4, "atol": 1e-4}),
    # utility
    ("all", lambda xp, x: xp.all(x, axis=-1), tup(arrays(NUMERIC + [np.bool_], min_dims=1)), {}),
    ("any", lambda xp, x: xp.any(x), tup(arrays(NUMERIC + [np.bool_])), {}),
    ("diff", lambda xp, x: xp.diff(x, axis=-1), tup(arrays(SIGNED + FLOATS, min_dims=1)), {}),
]
NAMES = [entry[0] for entry in TABLE]
# Callables that are not array functions: the namespace info and the export API.
NOT_ARRAY_FUNCTIONS = {"__array_namespace_info__", "argument", "build", "jit", "Array",
                       "Device", "SymbolicDim", "SymbolicValueError",
                       "InconclusiveDimensionError", "cache_limits",
                       # decorator and model import, tested in test_functions/test_from_onnx
                       "from_onnx", "function"}
# Functions of complex arrays only; complex dtypes are not supported yet.
COMPLEX_ONLY = {"imag"}


def test_table_covers_the_namespace():
    public = {n for n in onnxarray.__all__ if callable(getattr(onnxarray, n))
              and not isinstance(getattr(onnxarray, n), onnxarray._dtypes.DType)}
    missing = public - set(NAMES) - NOT_ARRAY_FUNCTIONS - COMPLEX_ONLY
    assert not missing, f"public functions without a parity entry: {sorted(missing)}"
    assert len(NAMES) == len(set(NAMES))


@pytest.mark.parametrize("name,fn,strategy,kw", TABLE, ids=NAMES)
def test_parity(name, fn, strategy, kw):
    @given(strategy)
    def run(arrays):
        check(fn, *arrays, **kw)

    run()


def test_complex_only_functions_reject_real_input():
    x = onnxarray.asarray([1.0, 2.0])
    for name in COMPLEX_ONLY:
        with pytest.raises(TypeError, match=f"{name}: needs a complex"):
            getattr(onnxarray, name)(x)
