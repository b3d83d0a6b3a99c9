"""Searching functions: parity with array-api-strict, eager and exported with dynamic dims."""

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
ALL = NUMERIC + [np.bool_]

# few distinct values, so ties and repeats are common
FEW = st.sampled_from([-2.0, -0.0, 0.0, 1.0, 2.5, np.inf, -np.inf, np.nan])


def elements_for(dt, special=True):
    kind = np.dtype(dt).kind
    if kind == "f":
        return FEW if special else FEW.filter(lambda v: not np.isnan(v))
    if kind == "b":
        return st.booleans()
    info = np.iinfo(dt)
    return st.one_of(st.integers(0 if kind == "u" else -2, 3), st.sampled_from([info.min,
                                                                                info.max]))


def arrays(dtypes, min_dims=0, max_dims=3, min_side=0, max_side=4, special=True, shape=None):
    def of(dt):
        shp = shape if shape is not None else hnp.array_shapes(
            min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)
        return hnp.arrays(dt, shp, elements=elements_for(dt, special))
    return st.sampled_from(dtypes).flatmap(of)


# ---------------------------------------------------------------------------------------------
# argmax, argmin


@pytest.mark.parametrize("func", ["argmax", "argmin"])
@given(data=st.data())
def test_arg_extrema(func, data):
    x = data.draw(arrays(NUMERIC, min_side=1))
    axis = data.draw(st.none() | st.integers(-x.ndim, x.ndim - 1)) if x.ndim else None
    keepdims = data.draw(st.booleans())
    (out,) = check(lambda xp, a: getattr(xp, func)(a, axis=axis, keepdims=keepdims), x)
    assert out.dtype == np.int64


@pytest.mark.parametrize("func", ["argmax", "argmin"])
def test_arg_extrema_first_occurrence_and_nan(func):
    x = np.array([[1.0, 3.0, 3.0, np.nan, np.nan], [np.inf, 0.0, np.inf, -np.inf, -np.inf]])
    for axis in (None, 0, 1):
        check(lambda xp, a, axis=axis: getattr(xp, func)(a, axis=axis), x)
    # the first NaN wins even after an infinity, as in NumPy
    out = check(lambda xp, a: getattr(xp, func)(a), np.array([np.inf, -np.inf, np.nan, 1.0]))
    assert out[0] == 2
    big = np.array([2**53 + 1, 2**53, 2**53 + 1], dtype=np.int64)
    check(lambda xp, a: getattr(xp, func)(a), big)
    check(lambda xp, a: getattr(xp, func)(a), np.array([2**64 - 1, 2**63, 1], dtype=np.uint64))


@pytest.mark.parametrize("func", ["argmax", "argmin"])
def test_arg_extrema_errors(func):
    f = getattr(oxp, func)
    with pytest.raises(ValueError, match=f"{func}: attempt to get {func} of an empty"):
        f(to_onnxarray(np.zeros((2, 0))))
    with pytest.raises(ValueError, match=f"{func}: attempt to get {func} of an empty"):
        f(to_onnxarray(np.zeros((2, 0))), axis=1)
    assert f(to_onnxarray(np.zeros((0, 2))), axis=1).shape == (0,)
    with pytest.raises(ValueError, match="out of bounds"):
        f(to_onnxarray(np.zeros((2, 3))), axis=2)
    with pytest.raises(TypeError, match=f"{func}: needs a real numeric dtype"):
        f(to_onnxarray(np.ones(3, dtype=bool)))


# ---------------------------------------------------------------------------------------------
# count_nonzero, nonzero


@given(st.data())
def test_count_nonzero(data):
    x = data.draw(arrays(ALL))
    if x.ndim and data.draw(st.booleans()):
        axis = tuple(data.draw(st.lists(st.integers(0, x.ndim - 1), unique=True)))
    else:
        axis = data.draw(st.none() | st.integers(-x.ndim, x.ndim - 1)) if x.ndim else None
    keepdims = data.draw(st.booleans())
    (out,) = check(lambda xp, a: xp.count_nonzero(a, axis=axis, keepdims=keepdims), x)
    assert out.dtype == np.int64


@given(arrays(ALL, min_dims=1))
def test_nonzero(x):
    outs = check(lambda xp, a: xp.nonzero(a), x)
    assert len(outs) == x.ndim
    assert all(o.dtype == np.int64 for o in outs)


def test_nonzero_nan_is_nonzero_and_symbolic_shape():
    check(lambda xp, a: xp.nonzero(a), np.array([[np.nan, 0.0], [-0.0, 1.0]]))
    x = oxp.argument(shape=("N", 3), dtype=oxp.float32)
    rows, cols = oxp.nonzero(x)
    assert known(rows.shape) == (None,) and known(cols.shape) == (None,)


def test_nonzero_0d_raises():
    with pytest.raises(ValueError, match="nonzero: 0-D"):
        oxp.nonzero(to_onnxarray(np.array(1.0)))


# ---------------------------------------------------------------------------------------------
# searchsorted


@pytest.mark.parametrize("side", ["left", "right"])
@given(data=st.data())
def test_searchsorted(side, data):
    dt = data.draw(st.sampled_from(NUMERIC))
    x1 = np.sort(data.draw(arrays([dt], shape=hnp.array_shapes(min_dims=1, max_dims=1,
                                                                min_side=0, max_side=6))))
    x2 = data.draw(arrays([dt], max_dims=2))
    check(lambda xp, a, v: xp.searchsorted(a, v, side=side), x1, x2)


@pytest.mark.parametrize("side", ["left", "right"])
@given(data=st.data())
def test_searchsorted_sorter(side, data):
    dt = data.draw(st.sampled_from(NUMERIC))
    x1 = data.draw(arrays([dt], shape=(5,)))
    x2 = data.draw(arrays([dt], shape=(3,)))
    sorter = np.argsort(x1, kind="stable").astype(data.draw(st.sampled_from([np.int64, np.int32])))
    check(lambda xp, a, v, s: xp.searchsorted(a, v, side=side, sorter=s), x1, x2, sorter)


def test_searchsorted_nans_and_scalars():
    x1 = np.array([-np.inf, -1.0, 0.0, 0.0, np.inf, np.nan, np.nan])
    x2 = np.array([np.nan, np.inf, -0.0, 0.0, -np.inf, 5.0])
    for side in ("left", "right"):
        check(lambda xp, a, v, s=side: xp.searchsorted(a, v, side=s), x1, x2)
        check(lambda xp, a, s=side: xp.searchsorted(a, 0.0, side=s), x1)
        check(lambda xp, a, s=side: xp.searchsorted(a, 2, side=s), np.array([1, 2, 2, 3], np.int8))


@pytest.mark.parametrize("dt", NUMERIC)
@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted_large_sorts_once(dt, side):
    """Above the pairwise limit, eager calls sort x1 and the queries together: same counts as
    NumPy, with ties, signed zeros, NaN and the dtype's extremes among many repeats."""
    rng = np.random.default_rng(7)
    kind = np.dtype(dt).kind
    if kind == "f":
        pool = np.array([-np.inf, -2.5, -0.0, 0.0, 1.0, np.inf, np.nan], dtype=dt)
    else:
        info = np.iinfo(dt)
        pool = np.array([info.min, 0, 1, 2, info.max], dtype=dt)
    x1 = np.sort(rng.choice(pool, 3000))
    x2 = rng.choice(pool, (40, 50))
    assert x1.size * x2.size > 4096
    got = oxp.searchsorted(to_onnxarray(x1), to_onnxarray(x2), side=side)
    np.testing.assert_array_equal(np.asarray(got), np.searchsorted(x1, x2, side=side))
    got0 = oxp.searchsorted(to_onnxarray(x1[:0]), to_onnxarray(x2), side=side)
    np.testing.assert_array_equal(np.asarray(got0), np.zeros(x2.shape, np.int64))


def test_searchsorted_large_is_linear_in_memory():
    """10,001 sorted values and 30,006 queries: the pairwise form would need 300 million
    comparisons; the merged form builds no array larger than n + m."""
    x1 = np.sort(np.random.default_rng(0).standard_normal(10001))
    x2 = np.random.default_rng(1).standard_normal(30006)
    x = oxp.argument(shape=("n",), dtype=oxp.float64)
    y = oxp.argument(shape=("m",), dtype=oxp.float64)
    model = oxp.build({"x": x, "y": y}, {"i": oxp.searchsorted(x, y)})
    assert "ReduceSum" not in {n.op_type for n in model.graph.node}  # no pairwise count
    got = oxp.searchsorted(to_onnxarray(x1), to_onnxarray(x2))
    np.testing.assert_array_equal(np.asarray(got), np.searchsorted(x1, x2))


def test_searchsorted_mixed_dtypes():
    x1 = np.array([1, 5, 9], dtype=np.int16)
    check(lambda xp, a, v: xp.searchsorted(a, v), x1, np.array([0, 5, 200], dtype=np.uint8))


def test_searchsorted_errors():
    x1 = to_onnxarray(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="searchsorted: side must be"):
        oxp.searchsorted(x1, x1, side="middle")
    with pytest.raises(ValueError, match="searchsorted: x1 must be 1-D"):
        oxp.searchsorted(to_onnxarray(np.ones((2, 2))), x1)
    with pytest.raises(TypeError, match="searchsorted: sorter must have an integer dtype"):
        oxp.searchsorted(x1, x1, sorter=x1)
    with pytest.raises(ValueError, match="searchsorted: sorter must have the shape of x1"):
        oxp.searchsorted(x1, x1, sorter=to_onnxarray(np.array([0, 1, 2])))
    with pytest.raises(TypeError):
        oxp.searchsorted(x1, to_onnxarray(np.array([True])))


# ---------------------------------------------------------------------------------------------
# where


@given(st.data())
def test_where(data):
    dt1 = data.draw(st.sampled_from(ALL))
    same_kind = [d for d in ALL if np.dtype(d).kind == np.dtype(dt1).kind
                 or {np.dtype(d).kind, np.dtype(dt1).kind} == {"i", "u"}]
    dt2 = data.draw(st.sampled_from(same_kind))
    if {np.dtype(dt1).kind, np.dtype(dt2).kind} == {"i", "u"} and (
            np.dtype(dt1) == np.uint64 or np.dtype(dt2) == np.uint64):
        dt2 = dt1  # uint64 and a signed type do not promote
    shapes = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, max_side=3))
    c = data.draw(hnp.arrays(np.bool_, shapes.input_shapes[0]))
    x1 = data.draw(hnp.arrays(dt1, shapes.input_shapes[1], elements=elements_for(dt1)))
    x2 = data.draw(hnp.arrays(dt2, shapes.input_shapes[2], elements=elements_for(dt2)))
    out = check(lambda xp, c_, a, b: xp.where(c_, a, b), c, x1, x2)[0]
    if out.dtype.kind == "f":
        expected = np.where(c, x1, x2).astype(out.dtype)
        np.testing.assert_array_equal(np.signbit(out), np.signbit(expected))


def test_where_keeps_negative_zero():
    c = np.array([True, False, True, False])
    a = np.array([-0.0, -0.0, 0.0, 1.0], dtype=np.float32)
    b = np.array([0.0, -0.0, -0.0, -0.0], dtype=np.float32)
    for x1, x2 in ((a, b), (b, a)):
        out = check(lambda xp, c_, p, q: xp.where(c_, p, q), c, x1, x2)[0]
        np.testing.assert_array_equal(np.signbit(out), np.signbit(np.where(c, x1, x2)))
    out = check(lambda xp, c_, q: xp.where(c_, -0.0, q), c, b)[0]
    np.testing.assert_array_equal(np.signbit(out), np.signbit(np.where(c, -0.0, b)))


def _bits_eager_and_exported(fn, *arrays):
    import onnxruntime as ort

    eager = np.asarray(fn(*[oxp.asarray(a) for a in arrays]))
    syms = {f"a{i}": oxp.argument(shape=tuple(f"d{i}_{k}" for k in range(a.ndim)),
                                  dtype=getattr(oxp, a.dtype.name)) for i, a in enumerate(arrays)}
    model = oxp.build(syms, {"y": fn(*syms.values())})
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    exported = sess.run(None, {f"a{i}": a for i, a in enumerate(arrays)})[0]
    return eager, exported, [n.op_type for n in model.graph.node]


def test_where_of_where_under_the_negated_condition():
    """``where(not c, a, where(c, v, x))`` is ``where(c, v, a)``: scikit-learn's binarize
    (``where(c, 1, x)`` then ``where(not c, 0, ...)``) exports as a comparison and a cast, and
    signed zeros, NaNs and broadcasting give the bits of the op-by-op calls."""
    x = np.array([[-0.0, 0.0, 0.7, np.nan], [0.2, -np.inf, np.inf, 0.5], [1.0, -0.0, 0.6, 3.0]])

    def binarize(v):
        cond = v > 0.5
        v = oxp.where(cond, 1.0, v)
        return oxp.where(oxp.logical_not(cond), 0.0, v)

    eager, exported, ops = _bits_eager_and_exported(binarize, x)
    np.testing.assert_array_equal(eager, (x > 0.5).astype(float))
    assert ops == ["Greater", "Cast"]
    signed = np.array([-0.0, 0.0, -0.0, 2.0])
    cases = [(lambda v, w: oxp.where(~(v > 0.1), w, oxp.where(v > 0.1, 2.0, v)),
              lambda v, w: np.where(~(v > 0.1), w, np.where(v > 0.1, 2.0, v))),
             (lambda v, w: oxp.where(~(v > 0.1), w, oxp.where(v > 0.1, -0.0, v)),
              lambda v, w: np.where(~(v > 0.1), w, np.where(v > 0.1, -0.0, v))),
             (lambda v, w: oxp.where(~(v > 0.1), -0.0, oxp.where(v > 0.1, w, v)),
              lambda v, w: np.where(~(v > 0.1), -0.0, np.where(v > 0.1, w, v))),
             (lambda v, w: oxp.where(v <= 0.1, w, oxp.where(v > 0.1, w, v)),
              lambda v, w: np.where(v <= 0.1, w, np.where(v > 0.1, w, v)))]
    for fn, ref in cases:
        for w in (signed, np.array([[-0.0], [0.0], [1.0]]) * signed, np.array(-0.0)):
            eager, exported, _ = _bits_eager_and_exported(fn, x, w)
            want = ref(x, w)
            for got in (eager, exported):
                np.testing.assert_array_equal(got, want)
                np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.parametrize("scalar", [0, 7, -1, 2.5, -0.0, True, np.nan])
def test_where_scalars(scalar):
    c = np.array([[True, False], [False, True]])
    for dt in (np.float32, np.int16, np.uint8, np.bool_):
        x = np.ones((2, 2), dtype=dt)
        try:
            np_kind_ok = isinstance(scalar, bool) == (dt == np.bool_) and not (
                isinstance(scalar, float) and np.dtype(dt).kind != "f") and not (
                scalar == -1 and np.dtype(dt).kind == "u")
        except TypeError:
            np_kind_ok = False
        if not np_kind_ok:
            continue
        check(lambda xp, c_, a: xp.where(c_, a, scalar), c, x)
        check(lambda xp, c_, a: xp.where(c_, scalar, a), c, x)


def test_where_mixes_integers_and_floats_like_arithmetic():
    """Integer with float arrays give the float dtype; a Python float with integers the
    default float dtype (docs/dtypes-and-opsets.md)."""
    c = to_onnxarray(np.array([True, False]))
    x = to_onnxarray(np.array([1.5, 2.5], dtype=np.float32))
    i = to_onnxarray(np.array([1, 2], dtype=np.int32))
    got = oxp.where(c, x, i)
    assert got.dtype == oxp.float32
    np.testing.assert_array_equal(np.asarray(got), np.array([1.5, 2.0], dtype=np.float32))
    got = oxp.where(c, i, 1.5)
    assert got.dtype == oxp.float64
    np.testing.assert_array_equal(np.asarray(got), np.array([1.0, 1.5]))


def test_where_errors():
    c = to_onnxarray(np.array([True, False]))
    x = to_onnxarray(np.array([1.0, 2.0]))
    with pytest.raises(TypeError, match="where: condition must be bool"):
        oxp.where(x, x, x)
    with pytest.raises(TypeError, match="where: at least one"):
        oxp.where(c, 1.0, 2.0)
    with pytest.raises(TypeError):
        oxp.where(c, x, to_onnxarray(np.array([True, False])))
    with pytest.raises(TypeError):
        oxp.where(c, to_onnxarray(np.array([True, False])), 1.5)
    with pytest.raises(ValueError):
        oxp.where(c, x, to_onnxarray(np.ones(3)))


def test_argmax_put_back_into_a_column_is_topk_alone():
    """``argmax(x, axis=1)[:, None]`` (a one-hot encoding's first step) needs no Squeeze and
    Unsqueeze: the squeezed axis put back is TopK's own (N, 1) result."""
    import onnxruntime as ort

    x = np.array([[0.5, np.nan, 2.0], [3.0, -0.0, 3.0], [-np.inf, -1.0, np.inf]], np.float32)
    sym = oxp.argument(shape=("N", 3), dtype=oxp.float32)
    fns = [lambda v: oxp.argmax(v, axis=1)[:, None],
           lambda v: oxp.expand_dims(oxp.argmax(v, axis=1), axis=1),
           lambda v: oxp.argmax(v, axis=1)[None, :]]
    for fn, ops in zip(fns, (["TopK"], ["TopK"], ["TopK", "Squeeze", "Unsqueeze"])):
        model = oxp.build({"x": sym}, {"y": fn(sym)})
        assert [n.op_type for n in model.graph.node] == ops
        sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        got = sess.run(None, {"x": x})[0]
        np.testing.assert_array_equal(got, np.asarray(fn(oxp.asarray(x))))
    np.testing.assert_array_equal(np.asarray(fns[0](oxp.asarray(x))), [[1], [0], [2]])


@pytest.mark.parametrize("case", ["x > 0.5", "x > 0", "0 < x", "x >= 0.25", "x >= 0", "x > -1"])
def test_where_on_values_above_zero(case):
    """``where(x > c, x, y)`` with ``c >= 0``: x is never -0.0 where it is taken, so the Where
    needs no sign-of-zero care for it (one node fewer, as in a masked mean); the bits are the
    op-by-op ones, -0.0 and NaN included."""
    x = np.array([[-0.0, 0.0, 0.7, np.nan], [0.2, -np.inf, np.inf, 0.5], [1.0, -0.0, 0.25, -3.0]])
    conds = {"x > 0.5": lambda v: v > 0.5, "x > 0": lambda v: v > 0.0,
             "0 < x": lambda v: 0.0 < v, "x >= 0.25": lambda v: v >= 0.25,
             "x >= 0": lambda v: v >= 0.0, "x > -1": lambda v: v > -1.0}
    cond = conds[case]
    for y in (0.0, -0.0):
        def fn(v, y=y):
            return oxp.where(cond(v), v, y)

        eager, exported, ops = _bits_eager_and_exported(fn, x)
        want = np.where(cond(x), x, y)
        for got in (eager, exported):
            np.testing.assert_array_equal(got, want)
            np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
        if y == 0.0 and case not in ("x >= 0", "x > -1"):
            assert ops.count("Where") == 1 and "Equal" not in ops, ops
