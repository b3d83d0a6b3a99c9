"""Assignment through integer-array keys (``x[idx] = v``), as NumPy does it.

The standard specifies integer-array indexing for ``__getitem__`` and leaves assignment open;
SciPy's stats code assigns this way. The selection is exactly ``__getitem__``'s, and a
repeated index keeps the value of its last occurrence (NumPy's result). Eager calls, ``jit``
and exported models (static and symbolic sizes) give the same bits.
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

import onnxarray as xp

A = np.asarray


def _session(model):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def _key(ns, key):
    """The key with NumPy index arrays made arrays of namespace ``ns`` (None: NumPy's)."""
    one = (lambda k: xp.asarray(k) if isinstance(k, np.ndarray) else k) if ns is xp else (
        lambda k: k)
    return tuple(one(k) for k in key) if isinstance(key, tuple) else one(key)


# (shape, key, value shape); keys whose selections NumPy defines the same way
CASES = [
    ((5,), A([1, 3]), ()),
    ((5,), A([1, 3]), (2,)),
    ((5,), A([1, 3, 1, 1]), (4,)),          # repeats: the last occurrence wins
    ((5,), A([-1, 0, -5]), (3,)),           # negative indices count from the end
    ((5,), A([[0, 1], [4, 4]]), (2, 2)),    # a 2-d index array
    ((5,), A([2, 3]), (1,)),                # a value broadcast to the selection
    ((5,), A(3), ()),                       # a 0-d index array
    ((5,), A([], dtype=np.int64), ()),      # nothing selected
    ((5,), A([], dtype=np.int64), (0,)),
    ((0,), A([], dtype=np.int64), ()),      # an empty array
    ((3, 4), A([2, 0, 2]), (3, 4)),         # whole rows
    ((3, 4), A([2, 0]), (4,)),
    ((3, 4), (A([0, 2, 0]), A([1, 3, 1])), (3,)),   # coordinate pairs, repeated
    ((3, 4), (A([[0], [2]]), A([1, 3])), (2, 2)),   # broadcast index arrays
    ((3, 4), (1, A([3, 0])), (2,)),                  # an int with an index array
    ((3, 4), (A([2, 1]), slice(None)), ()),
    ((2, 3, 4), (A([1, 0]), A([2, 2])), (2, 4)),     # leading axes indexed, last whole
    ((2, 3, 4), (A([1, 1, 0]), A([2, 2, 0]), A([3, 3, 1])), (3,)),
]


def _values(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if np.dtype(dtype).kind == "c":
        return (rng.normal(size=shape) + 1j * rng.normal(size=shape)).astype(dtype)
    return (rng.normal(size=shape) * 100).astype(dtype)


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int32, np.int64, np.uint8,
                                   np.bool_, np.complex128])
def test_matches_numpy(case, dtype):
    shape, key, vshape = CASES[case]
    base = _values(shape, dtype, seed=1)
    value = _values(vshape, dtype, seed=2)
    ref = base.copy()
    ref[_key(None, key)] = value
    x = xp.asarray(base, copy=True)
    x[_key(xp, key)] = xp.asarray(value)
    got = np.asarray(x)
    assert got.dtype == ref.dtype and got.shape == ref.shape
    np.testing.assert_array_equal(got, ref)


def test_python_scalar_and_signed_zero():
    x = xp.asarray(A([1.0, 2.0, 3.0]))
    x[xp.asarray(A([2, 0]))] = -0.0
    assert np.signbit(np.asarray(x)).tolist() == [True, False, True]


def test_float_values_into_an_integer_array_truncate():
    x = xp.asarray(A([1, 2, 3], dtype=np.int32))
    x[xp.asarray(A([0, 2]))] = xp.asarray(A([1.7, -2.7]))
    assert np.asarray(x).tolist() == [1, 2, -2]


def test_repeated_index_keeps_the_last_value_at_every_position():
    n = 1000
    rng = np.random.default_rng(3)
    idx = rng.integers(-n, n, size=5 * n)
    val = rng.normal(size=5 * n)
    ref = np.zeros(n)
    ref[idx] = val
    x = xp.zeros(n, dtype=xp.float64)
    x[xp.asarray(idx)] = xp.asarray(val)
    np.testing.assert_array_equal(np.asarray(x), ref)


@pytest.mark.parametrize("key, message", [
    (A([5]), "__setitem__: index out of bounds"),
    (A([-6, 0]), "__setitem__: index out of bounds"),
])
def test_index_out_of_bounds(key, message):
    x = xp.asarray(np.arange(5.0))
    with pytest.raises(IndexError, match=message):
        x[xp.asarray(key)] = 1.0


def test_value_that_does_not_fit_the_selection():
    x = xp.asarray(np.arange(5.0))
    with pytest.raises(ValueError, match="__setitem__"):
        x[xp.asarray(A([1, 2]))] = xp.asarray(A([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="__setitem__"):
        x[xp.asarray(A([1, 2]))] = xp.asarray(A([[1.0, 2.0]]))  # grows the selection's rank


def test_complex_value_into_a_real_array():
    x = xp.asarray(np.arange(5.0))
    with pytest.raises(TypeError, match="__setitem__"):
        x[xp.asarray(A([1]))] = xp.asarray(A([1j]))


def _assign(x, k, v):
    y = xp.asarray(x, copy=True)
    y[k] = v
    return y


@pytest.mark.parametrize("dtype", [np.float64, np.int64, np.float32])
def test_exported_symbolic_sizes_equal_eager(dtype):
    xs = xp.argument(shape=("N",), dtype=xp.asarray(np.zeros(0, dtype)).dtype)
    ks = xp.argument(shape=("M",), dtype=xp.int64)
    vs = xp.argument(shape=("M",), dtype=xs.dtype)
    model = xp.build({"x": xs, "k": ks, "v": vs}, {"y": _assign(xs, ks, vs)})
    sess = _session(model)
    rng = np.random.default_rng(4)
    for n, keys in [(5, [1, 3, 1]), (5, []), (5, [-1, 0, 4, 4, -5]), (0, []), (40, None)]:
        k = A(keys, dtype=np.int64) if keys is not None else rng.integers(-n, n, size=3 * n)
        x = _values((n,), dtype, seed=n)
        v = _values(k.shape, dtype, seed=n + 1)
        v.flat[:1] = -0.0 if dtype != np.int64 else 0
        eager = np.asarray(_assign(xp.asarray(x), xp.asarray(k), xp.asarray(v)))
        exported = sess.run(None, {"x": x, "k": k, "v": v})[0]
        ref = x.copy()
        ref[k] = v
        np.testing.assert_array_equal(eager, ref)
        assert exported.tobytes() == eager.tobytes()


def test_exported_two_axes_and_jit_equal_eager():
    def f(x, i, j, v):
        y = xp.asarray(x, copy=True)
        y[i, j] = v
        return y

    xs = xp.argument(shape=("N", 4), dtype=xp.float32)
    i_s = xp.argument(shape=("M",), dtype=xp.int64)
    j_s = xp.argument(shape=("M",), dtype=xp.int64)
    model = xp.build({"x": xs, "i": i_s, "j": j_s}, {"y": f(xs, i_s, j_s, 2.5)})
    sess = _session(model)
    jitted = xp.jit(f)
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    i, j = A([0, 2, 0, -1]), A([1, 3, 1, 0])
    ref = x.copy()
    ref[i, j] = 2.5
    eager = np.asarray(f(xp.asarray(x), xp.asarray(i), xp.asarray(j), 2.5))
    jit_out = np.asarray(jitted(xp.asarray(x), xp.asarray(i), xp.asarray(j), 2.5))
    np.testing.assert_array_equal(eager, ref)
    assert jit_out.tobytes() == eager.tobytes()
    assert sess.run(None, {"x": x, "i": i, "j": j})[0].tobytes() == eager.tobytes()
