"""Statistical functions: parity with array-api-strict, eager and exported with dynamic dims."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import check, known, to_onnxarray

import onnxarray as oxp

FLOATS = [np.float32, np.float64]
SIGNED = [np.int8, np.int16, np.int32, np.int64]
UNSIGNED = [np.uint8, np.uint16, np.uint32, np.uint64]
INTS = SIGNED + UNSIGNED
NUMERIC = INTS + FLOATS

# Multiples of 1/4 in [-64, 64]: sums of a few dozen are exact in float32 and float64, so
# summation order (onnxruntime vs NumPy) cannot matter.
QUARTERS = st.integers(-256, 256).map(lambda i: i / 4)
SPECIAL = st.sampled_from([np.nan, np.inf, -np.inf, -0.0, 0.0])


def float_elements(special: bool):
    return st.one_of(QUARTERS, SPECIAL) if special else QUARTERS


def arrays(dtypes, min_dims=0, max_dims=3, min_side=0, max_side=4, special=False,
           small=False):
    """NumPy arrays of one of ``dtypes``; ``small``: integers in [-3, 3] (products stay exact)."""
    def of(dt):
        el = None
        kind = np.dtype(dt).kind
        if small:
            el = st.integers(0 if kind == "u" else -3, 3)
        if kind == "f":
            el = st.one_of(el, SPECIAL) if small and special else el or float_elements(special)
        shape = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                                 max_side=max_side)
        return hnp.arrays(dt, shape, elements=el)
    return st.sampled_from(dtypes).flatmap(of)


def axis_arg(draw, ndim: int, allow_none: bool = True):
    """None, one axis (possibly negative) or a tuple of distinct axes of an ``ndim``-D array."""
    choices = ["int", "tuple"] if ndim else ["tuple"]
    if allow_none:
        choices.append("none")
    kind = draw(st.sampled_from(choices))
    if kind == "none":
        return None
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1))
    axes = draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim)) if ndim else []
    return tuple(a - ndim if draw(st.booleans()) else a for a in axes)


def nonempty_along(x: np.ndarray, axis) -> bool:
    axes = range(x.ndim) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    return all(x.shape[a] > 0 for a in axes)


# ---------------------------------------------------------------------------------------------
# sum, prod


@given(st.data())
def test_sum(data):
    x = data.draw(arrays(NUMERIC, special=True))
    axis = axis_arg(data.draw, x.ndim)
    keepdims = data.draw(st.booleans())
    check(lambda xp, a: xp.sum(a, axis=axis, keepdims=keepdims), x)


@given(st.data())
def test_sum_dtype(data):
    x = data.draw(arrays(NUMERIC))
    dtype = data.draw(st.sampled_from(["int8", "int32", "uint16", "uint64", "int64",
                                       "float32", "float64"]))
    if x.dtype.kind == "f" and dtype[0] in "iu":
        return  # float -> int casting of the input is undefined for out-of-range values
    check(lambda xp, a: xp.sum(a, axis=0 if x.ndim else None, dtype=getattr(xp, dtype)), x)


@pytest.mark.parametrize("dt, expected", [
    (np.int8, np.int64), (np.int16, np.int64), (np.int32, np.int64), (np.int64, np.int64),
    (np.uint8, np.uint64), (np.uint16, np.uint64), (np.uint32, np.uint64),
    (np.uint64, np.uint64), (np.float32, np.float32), (np.float64, np.float64)])
@pytest.mark.parametrize("func", ["sum", "prod", "cumulative_sum", "cumulative_prod"])
def test_accumulator_dtypes(func, dt, expected):
    x = np.arange(1, 4, dtype=dt)
    (out,) = check(lambda xp, a: getattr(xp, func)(a), x)
    assert out.dtype == expected


def test_integer_sums_wrap_like_numpy():
    big = np.array([2**62, 2**62, 2**62], dtype=np.int64)
    check(lambda xp, a: xp.sum(a), big)
    check(lambda xp, a: xp.sum(a, dtype=xp.int8), np.array([100, 100, 100], dtype=np.int64))
    check(lambda xp, a: xp.sum(a), np.array([2**63, 2**63 + 5], dtype=np.uint64))


@given(st.data())
def test_prod(data):
    x = data.draw(arrays(NUMERIC, special=True, max_side=3, small=data.draw(st.booleans())))
    axis = axis_arg(data.draw, x.ndim)
    keepdims = data.draw(st.booleans())
    check(lambda xp, a: xp.prod(a, axis=axis, keepdims=keepdims), x, rtol=1e-6)


def test_empty_sum_and_prod():
    x = np.zeros((0, 3), dtype=np.float32)
    assert check(lambda xp, a: xp.sum(a, axis=0), x)[0].tolist() == [0, 0, 0]
    assert check(lambda xp, a: xp.prod(a), x)[0] == 1
    check(lambda xp, a: xp.prod(a, axis=1, keepdims=True), np.zeros((0, 3), dtype=np.int16))


# ---------------------------------------------------------------------------------------------
# max, min


@pytest.mark.parametrize("func", ["max", "min"])
@given(data=st.data())
def test_extrema(func, data):
    x = data.draw(arrays(NUMERIC, special=True, min_side=1))
    axis = axis_arg(data.draw, x.ndim)
    keepdims = data.draw(st.booleans())
    check(lambda xp, a: getattr(xp, func)(a, axis=axis, keepdims=keepdims), x)


@pytest.mark.parametrize("func", ["max", "min"])
def test_extrema_propagate_nan(func):
    x = np.array([[1.0, np.nan, 3.0], [np.inf, -np.inf, 2.0]], dtype=np.float32)
    for axis in (None, 0, 1):
        out = check(lambda xp, a, axis=axis: getattr(xp, func)(a, axis=axis), x)[0]
        assert np.isnan(out).any()
    check(lambda xp, a: getattr(xp, func)(a, axis=1), np.full((2, 3), np.nan))


@pytest.mark.parametrize("func", ["max", "min"])
def test_extrema_extreme_values(func):
    for dt in INTS:
        info = np.iinfo(dt)
        check(lambda xp, a: getattr(xp, func)(a), np.array([info.min, 0, info.max], dtype=dt))
    check(lambda xp, a: getattr(xp, func)(a, axis=0), np.array([[True], [False]]).astype(np.uint8))


@pytest.mark.parametrize("func", ["max", "min"])
def test_extrema_of_nothing_raise(func):
    x = to_onnxarray(np.zeros((2, 0)))
    with pytest.raises(ValueError, match=f"{func}: zero-size"):
        getattr(oxp, func)(x)
    with pytest.raises(ValueError, match=f"{func}: zero-size"):
        getattr(oxp, func)(x, axis=1)
    assert getattr(oxp, func)(x, axis=0).shape == (0,)


# ---------------------------------------------------------------------------------------------
# mean, var, std


@given(st.data())
def test_mean(data):
    x = data.draw(arrays(FLOATS, special=True))
    axis = axis_arg(data.draw, x.ndim)
    keepdims = data.draw(st.booleans())
    check(lambda xp, a: xp.mean(a, axis=axis, keepdims=keepdims), x, rtol=1e-6)


def test_mean_of_nothing_is_nan():
    x = np.zeros((0, 2), dtype=np.float32)
    assert np.isnan(check(lambda xp, a: xp.mean(a), x)[0])
    assert np.isnan(check(lambda xp, a: xp.mean(a, axis=0), x)[0]).all()
    assert check(lambda xp, a: xp.mean(a, axis=1), x)[0].shape == (0,)


@pytest.mark.parametrize("func", ["var", "std"])
@given(data=st.data())
def test_var_std(func, data):
    x = data.draw(arrays(FLOATS, special=data.draw(st.booleans())))
    axis = axis_arg(data.draw, x.ndim)
    keepdims = data.draw(st.booleans())
    axes = range(x.ndim) if axis is None else (axis if isinstance(axis, tuple) else (axis,))
    n = int(np.prod([x.shape[a] for a in axes]))
    # M - correction <= 0 is NaN by the standard (NumPy gives inf there): stay above it
    # against the reference, and check the NaN case separately.
    correction = data.draw(st.sampled_from([0, 1, 0.5, 2])) if n > 2 else 0
    if n == 0:
        correction = 0
    check(lambda xp, a: getattr(xp, func)(a, axis=axis, correction=correction,
                                          keepdims=keepdims), x, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("func", ["var", "std"])
def test_var_std_without_degrees_of_freedom_is_nan(func):
    x = np.array([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]])
    for correction in (3, 3.5, 5):
        out = check(lambda xp, a, c=correction: getattr(xp, func)(a, axis=1, correction=c), x,
                    reference=False)[0]
        assert np.isnan(out).all()
    out = check(lambda xp, a: getattr(xp, func)(a, correction=1), np.zeros((0,)),
                reference=False)[0]
    assert np.isnan(out)


@pytest.mark.parametrize("func", ["mean", "var", "std"])
def test_floating_only(func):
    for dt in (np.int32, np.uint8, np.bool_):
        with pytest.raises(TypeError, match=f"{func}: needs a floating-point dtype"):
            getattr(oxp, func)(to_onnxarray(np.ones(3, dtype=dt)))


def test_correction_type():
    with pytest.raises(TypeError, match="var: correction"):
        oxp.var(to_onnxarray(np.ones(3)), correction=True)
    with pytest.raises(TypeError, match="std: correction"):
        oxp.std(to_onnxarray(np.ones(3)), correction="1")


# ---------------------------------------------------------------------------------------------
# cumulative_sum, cumulative_prod


@pytest.mark.parametrize("func", ["cumulative_sum", "cumulative_prod"])
@given(data=st.data())
def test_cumulative(func, data):
    x = data.draw(arrays(NUMERIC, min_dims=1, max_side=5, special=True,
                         small=func == "cumulative_prod"))
    if x.ndim == 1 and data.draw(st.booleans()):
        axis = None
    else:
        axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    include_initial = data.draw(st.booleans())
    check(lambda xp, a: getattr(xp, func)(a, axis=axis, include_initial=include_initial), x)


def test_cumulative_prod_exact_signs_zeros_and_specials():
    x = np.array([-2.0, 3.0, 0.0, -1.0, np.inf, 2.0, np.nan, 1.0, -0.5])
    for init in (False, True):
        check(lambda xp, a, init=init: xp.cumulative_prod(a, include_initial=init), x)
    # a long axis: more doubling steps than a short one, still exact for integers
    ints = np.tile(np.array([1, -1, 2, 1, -3], dtype=np.int64), 30)
    check(lambda xp, a: xp.cumulative_prod(a), ints)
    check(lambda xp, a: xp.cumulative_prod(a, axis=0), ints.reshape(75, 2))
    check(lambda xp, a: xp.cumulative_prod(a, axis=1, dtype=xp.int8),
          np.full((2, 70), 3, dtype=np.int16))


@pytest.mark.parametrize("func", ["cumulative_sum", "cumulative_prod"])
def test_cumulative_zero_size(func):
    for shape, axis in [((0,), 0), ((3, 0), 1), ((0, 3), 0), ((0, 3), 1)]:
        x = np.zeros(shape, dtype=np.float32)
        for init in (False, True):
            check(lambda xp, a, axis=axis, init=init:
                  getattr(xp, func)(a, axis=axis, include_initial=init), x)


@pytest.mark.parametrize("func", ["cumulative_sum", "cumulative_prod"])
def test_cumulative_dtype(func):
    x = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int8)
    for dtype in ("int16", "uint32", "float32", "int64"):
        check(lambda xp, a, dt=dtype: getattr(xp, func)(a, axis=1, dtype=getattr(xp, dt)), x)


@pytest.mark.parametrize("func", ["cumulative_sum", "cumulative_prod"])
def test_cumulative_errors(func):
    f = getattr(oxp, func)
    with pytest.raises(ValueError, match=f"{func}: axis is required"):
        f(to_onnxarray(np.ones((2, 2))))
    with pytest.raises(ValueError, match=f"{func}: needs an array with at least one dim"):
        f(to_onnxarray(np.array(1.0)))
    with pytest.raises(ValueError, match="out of bounds"):
        f(to_onnxarray(np.ones((2, 2))), axis=2)
    with pytest.raises(TypeError, match=f"{func}: needs a numeric dtype"):
        f(to_onnxarray(np.ones(2, dtype=bool)))
    with pytest.raises(TypeError, match=f"{func}: dtype must be numeric"):
        f(to_onnxarray(np.ones(2)), dtype=oxp.bool)


# ---------------------------------------------------------------------------------------------
# errors shared by the reductions


@pytest.mark.parametrize("func", ["sum", "prod", "max", "min", "mean", "std", "var"])
def test_reduction_axis_errors(func):
    x = to_onnxarray(np.ones((2, 3)))
    f = getattr(oxp, func)
    with pytest.raises(ValueError, match="out of bounds"):
        f(x, axis=2)
    with pytest.raises(ValueError, match="out of bounds"):
        f(x, axis=(0, -3))
    with pytest.raises(ValueError, match="repeated axis"):
        f(x, axis=(1, -1))
    with pytest.raises(TypeError, match="axis must be an int"):
        f(x, axis=1.0)


@pytest.mark.parametrize("func", ["sum", "prod", "max", "min"])
def test_reductions_reject_bool(func):
    with pytest.raises(TypeError, match=f"{func}: needs a"):
        getattr(oxp, func)(to_onnxarray(np.ones(3, dtype=bool)))


def test_symbolic_shapes():
    x = oxp.argument(shape=("N", 3), dtype=oxp.float64)
    assert oxp.sum(x, axis=0).shape == (3,)
    assert known(oxp.mean(x, axis=1, keepdims=True).shape) == (None, 1)
    assert known(oxp.cumulative_sum(x, axis=0, include_initial=True).shape) == (None, 3)
    assert known(oxp.cumulative_prod(x, axis=1, include_initial=True).shape) == (None, 4)
    assert oxp.max(x, axis=(0, 1)).shape == ()


def _eager_and_exported(fn, x):
    import onnxruntime as ort

    sym = oxp.argument(shape=("N", x.shape[1]), dtype=getattr(oxp, x.dtype.name))
    model = oxp.build({"x": sym}, {"y": fn(sym)})
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return (np.asarray(fn(oxp.asarray(x))), sess.run(None, {"x": x})[0],
            [n.op_type for n in model.graph.node])


@pytest.mark.parametrize("case", ["sum", "max", "scaled sum", "sum minus mean", "row"])
def test_reduction_reshaped_back_keeps_its_axis(case):
    """``reshape(sum(x, axis=1), (-1, 1))`` (scikit-learn's softmax writes it so) records the
    reduction with keepdims instead of a Reshape, through elementwise steps on reductions of
    one shape; other targets keep the Reshape. Same values, NaN and -0.0 included."""
    x = np.array([[1.0, -0.0, np.nan], [-0.0, -0.0, -0.0], [2.0, np.inf, 3.0],
                  [0.5, 0.25, -4.0]])
    fns = {"sum": (lambda v: oxp.reshape(oxp.sum(v, axis=1), (-1, 1)), ["ReduceSum"]),
           "max": (lambda v: oxp.reshape(oxp.max(v, axis=1), (-1, 1)),
                   ["ReduceMax", "Clip", "ReduceSum", "Add"]),
           "scaled sum": (lambda v: oxp.reshape(2.0 * oxp.sum(v, axis=1), (-1, 1)),
                          ["ReduceSum", "Mul"]),
           "sum minus mean": (lambda v: oxp.reshape(oxp.sum(v, axis=1) - oxp.mean(v, axis=1),
                                                   (-1, 1)), ["ReduceSum", "ReduceMean", "Sub"]),
           "row": (lambda v: oxp.reshape(oxp.sum(v, axis=1), (1, -1)), ["ReduceSum", "Reshape"])}
    fn, ops = fns[case]
    eager, exported, got_ops = _eager_and_exported(fn, x)
    assert got_ops == ops
    assert eager.shape == exported.shape == ((4, 1) if case != "row" else (1, 4))
    np.testing.assert_array_equal(eager, exported)
    np.testing.assert_array_equal(np.signbit(eager), np.signbit(exported))
