"""Lowerings chosen for speed in exported models (Clip, ReduceMax with a NaN check, ...): the
onnxruntime behaviour each relies on, the node counts they promise, and eager == plan == jit
== exported bits on special values."""

import numpy as np
import onnxruntime as ort
import pytest
from onnx import helper
from parity import to_onnxarray

import onnxarray as xp
from onnxarray import _plans

SPECIAL = [np.nan, -np.inf, np.inf, -0.0, 0.0, -1.0, 0.5, 2.0, 3.0, "tiny", "-tiny", "max"]


def _values(dtype) -> np.ndarray:
    fi = np.finfo(dtype)
    table = {"tiny": fi.smallest_subnormal, "-tiny": -fi.smallest_subnormal, "max": fi.max}
    return np.array([table.get(v, v) if isinstance(v, str) else v for v in SPECIAL], dtype)


def _bits(a) -> np.ndarray:
    a = np.ascontiguousarray(a)
    return a.view(f"u{a.dtype.itemsize}") if a.dtype.kind == "f" else a


def _session(nodes, inputs, outputs):
    graph = helper.make_graph(nodes, "probe", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=8)
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(model.SerializeToString(), so,
                                providers=["CPUExecutionProvider"])


def _ops_of(fn, *shapes, dtype=xp.float32):
    args = {f"x{i}": xp.argument(shape=s, dtype=dtype) for i, s in enumerate(shapes)}
    model = xp.build(args, {"y": fn(*args.values())})
    return [n.op_type for n in model.graph.node], model


def _run(model, *arrays):
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return sess.run(None, {f"x{i}": a for i, a in enumerate(arrays)})[0]


def _all_ways(fn, *arrays):
    """fn's result op by op, as a plan, under jit and exported, as bits, by name."""
    ins = [to_onnxarray(a) for a in arrays]
    out = {"op by op": np.asarray(fn(*ins))}
    for _ in range(_plans.PROMOTE_AFTER):
        planned = np.asarray(fn(*ins))
    out["plan"] = planned
    out["jit"] = np.asarray(xp.jit(fn)(*ins))
    dt = [xp._dtypes.BY_NUMPY[a.dtype] for a in arrays]
    _, model = _ops_of(fn, *[tuple(f"d{i}{j}" for j in range(a.ndim))
                             for i, a in enumerate(arrays)], dtype=dt[0])
    out["exported"] = _run(model, *arrays)
    return {k: _bits(v) for k, v in out.items()}


def _assert_one_answer(fn, *arrays):
    ways = _all_ways(fn, *arrays)
    first = ways.pop("op by op")
    for how, bits in ways.items():
        np.testing.assert_array_equal(bits, first, err_msg=how)
    return first


# -- Clip -----------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_onnxruntime_clip_is_the_where_form_at_every_position(dtype):
    """What the Clip lowering relies on: onnxruntime's Clip with non-NaN bounds gives, at every
    position of arrays of length 1 to 17, the bits of x < lo ? lo : x, then > hi ? hi : x."""
    t = helper.np_dtype_to_tensor_dtype(np.dtype(dtype))
    sess = _session([helper.make_node("Clip", ["x", "lo", "hi"], ["y"])],
                    [helper.make_tensor_value_info("x", t, None),
                     helper.make_tensor_value_info("lo", t, []),
                     helper.make_tensor_value_info("hi", t, [])],
                    [helper.make_tensor_value_info("y", t, None)])
    vals = _values(dtype)
    for lo, hi in [(0.0, 1.0), (-0.0, 0.0), (0.0, -0.0), (2.0, 1.0), (-np.inf, np.inf)]:
        lo_a, hi_a = np.array(lo, dtype), np.array(hi, dtype)
        for n in range(1, 18):
            for pos in range(n):
                x = np.full((len(vals), n), 0.25, dtype)
                x[:, pos] = vals
                want = np.where(x < lo_a, lo_a, x)
                want = np.where(want > hi_a, hi_a, want)
                got = sess.run(None, {"x": x, "lo": lo_a, "hi": hi_a})[0]
                np.testing.assert_array_equal(_bits(got), _bits(want),
                                              err_msg=f"[{lo}, {hi}] n={n} pos={pos}")


def test_onnxruntime_clip_ignores_a_nan_bound():
    """Why a bound that may be NaN is checked: onnxruntime's Clip ignores it (the standard
    asks for NaN). When this fails, the check can go."""
    t = helper.np_dtype_to_tensor_dtype(np.dtype(np.float32))
    sess = _session([helper.make_node("Clip", ["x", "lo"], ["y"])],
                    [helper.make_tensor_value_info("x", t, None),
                     helper.make_tensor_value_info("lo", t, [])],
                    [helper.make_tensor_value_info("y", t, None)])
    got = sess.run(None, {"x": np.array([1.0, -1.0], np.float32),
                          "lo": np.array(np.nan, np.float32)})[0]
    assert not np.isnan(got).any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clip_scalar_bounds_is_one_node(dtype):
    xdt = xp._dtypes.BY_NUMPY[np.dtype(dtype)]
    assert _ops_of(lambda x: xp.clip(x, 0.0, 1.0), ("N",), dtype=xdt)[0] == ["Clip"]
    assert _ops_of(lambda x: xp.clip(x, max=1.0), ("N",), dtype=xdt)[0] == ["Clip"]
    # a symbolic bound may be NaN: Clip, then -0.0 or NaN added
    ops, _ = _ops_of(lambda x, lo: xp.clip(x, lo, 1.0), ("N",), (), dtype=xdt)
    assert ops == ["Clip", "IsNaN", "Where", "Add"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clip_one_answer_and_standard(dtype):
    vals = _values(dtype)
    x = np.tile(vals, 3)
    for lo, hi in [(0.0, 1.0), (-0.0, 0.0), (np.nan, 1.0), (0.0, np.nan), (-1.0, -np.inf),
                   (-np.inf, 2.0)]:
        lo_a, hi_a = np.array(lo, dtype), np.array(hi, dtype)
        got = _assert_one_answer(xp.clip, x, lo_a, hi_a).view(dtype)
        if np.isnan(lo) or np.isnan(hi):
            assert np.isnan(got).all()
            continue
        want = np.minimum(np.maximum(x, lo_a), hi_a)
        np.testing.assert_array_equal(got, want)  # == treats -0.0 and 0.0 alike
        # signed zeros: x itself unless a bound replaces it
        kept = (x >= lo_a) & (x <= hi_a) & (x == 0)
        np.testing.assert_array_equal(np.signbit(got[kept]), np.signbit(x[kept]))
    one_sided = xp.clip(to_onnxarray(x), max=1.0)
    np.testing.assert_array_equal(np.asarray(one_sided), np.minimum(x, dtype(1.0)))


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.uint16, np.int64, np.uint64])
def test_clip_integers(dtype):
    ii = np.iinfo(dtype)
    x = np.array([ii.min, ii.min + 1, 0, 1, 5, ii.max - 1, ii.max], dtype)
    got = _assert_one_answer(lambda a, b, c: xp.clip(a, b, c), x, np.array(1, dtype),
                             np.array(5, dtype))
    np.testing.assert_array_equal(got, np.clip(x, dtype(1), dtype(5)))
    assert _ops_of(lambda v: xp.clip(v, 1, 5), ("N",),
                   dtype=xp._dtypes.BY_NUMPY[np.dtype(dtype)])[0] in (["Clip"],
                                                                         ["Cast", "Clip", "Cast"])


@pytest.mark.parametrize("form", ["min(max)", "max(min)", "min(relu)", "min(relu) of |x|",
                                  "swapped"])
def test_minimum_of_maximum_is_clip(form):
    """One Clip, but where a zero bound may meet a zero of the other sign (x may hold -0.0):
    Clip and Max/Min settle that tie otherwise (see test_one_call_one_answer)."""
    fns = {"min(max)": lambda x: xp.minimum(xp.maximum(x, -1.0), 1.0),
           "max(min)": lambda x: xp.maximum(xp.minimum(x, 1.0), -1.0),
           "min(relu)": lambda x: xp.minimum(xp.maximum(x, 0.0), 1.0),
           "min(relu) of |x|": lambda x: xp.minimum(xp.maximum(xp.abs(x), 0.0), 1.0),
           "swapped": lambda x: xp.minimum(1.0, xp.maximum(-1.0, x))}
    fn = fns[form]
    assert _ops_of(fn, ("N",))[0] == {"min(relu)": ["Relu", "Min"],
                                      "min(relu) of |x|": ["Abs", "Clip"]}.get(form, ["Clip"])
    for dtype in (np.float32, np.float64):
        x = np.tile(_values(dtype), 2)
        ways = _all_ways(fn, x)
        lo = 0.0 if form.startswith("min(relu)") else -1.0
        if form.endswith("|x|"):
            x = np.abs(x)
        want = np.minimum(np.maximum(x, dtype(lo)), dtype(1.0))
        for how, bits in ways.items():
            # equal as numbers, NaN included; which zero a ±0 tie gives is left open
            np.testing.assert_array_equal(bits.view(dtype), want, err_msg=how)


def test_extrema_that_are_not_a_clip_stay():
    # lo > hi: max(min(x, -1), 1) is 1 everywhere, Clip(x, 1, -1) would be -1
    assert _ops_of(lambda x: xp.maximum(xp.minimum(x, -1.0), 1.0), ("N",))[0] == ["Min", "Max"]
    # a NaN bound propagates through Max/Min, and Clip would ignore it
    assert "Clip" not in _ops_of(lambda x: xp.minimum(xp.maximum(x, np.nan), 1.0), ("N",))[0]
    # an array bound broadcasts
    ops, _ = _ops_of(lambda x, b: xp.minimum(xp.maximum(x, b), 1.0), ("N",), ("N",))
    assert ops == ["Max", "Min"]


# -- max and min: ReduceMax/ReduceMin plus a NaN check --------------------------------------


def _rows(dtype) -> np.ndarray:
    """Rows of length 1 to 17 holding every special value at every position, padded with 0.25
    (NaN rows, all -0.0 rows and mixed-zero rows included)."""
    vals = _values(dtype)
    rows = []
    for n in range(1, 18):
        for pos in range(n):
            for v in vals:
                r = np.full(17, np.nan, dtype)
                r[:n] = 0.25
                r[pos] = v
                rows.append((n, r))
    for n in (1, 2, 17):
        rows.append((n, np.concatenate([np.full(n, -0.0, dtype), np.full(17 - n, np.nan, dtype)])))
        mixed = np.full(n, -0.0, dtype)
        mixed[n // 2] = 0.0
        rows.append((n, np.concatenate([mixed, np.full(17 - n, np.nan, dtype)])))
    return rows


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_rows(name, dtype):
    """NaN propagates at every position; the value is NumPy's; a row of -0.0 gives -0.0 and a
    row holding both zeros a zero; op by op, plan, jit and exported agree bit for bit."""
    fn = getattr(xp, name)
    ref = getattr(np, name)
    by_len = {}
    for n, r in _rows(dtype):
        by_len.setdefault(n, []).append(r[:n])
    for n, rows in by_len.items():
        a = np.stack(rows)
        got = _assert_one_answer(lambda x, fn=fn: fn(x, axis=1), a).view(dtype)
        want = ref(a, axis=1)
        np.testing.assert_array_equal(got, want, err_msg=f"length {n}")
        all_neg_zero = (a == 0).all(axis=1) & np.signbit(a).all(axis=1)
        assert np.signbit(got[all_neg_zero]).all()


@pytest.mark.parametrize("keepdims", [False, True])
def test_max_min_node_counts_and_axes(keepdims):
    ops, _ = _ops_of(lambda x: xp.max(x, axis=1, keepdims=keepdims), ("N", 10))
    assert ops == ["ReduceMax", "Clip", "ReduceSum", "Add"]
    ops, _ = _ops_of(lambda x: xp.min(x, axis=(0, 1), keepdims=keepdims), (3, 10))
    assert ops == ["ReduceMin", "Clip", "ReduceSum", "Add"]
    a = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    a[1, 2, 3] = np.nan
    for axis in (None, 0, 2, (0, 2), (-1, 1)):
        got = _assert_one_answer(lambda x, axis=axis: xp.max(x, axis=axis, keepdims=keepdims), a)
        np.testing.assert_array_equal(got.view(np.float32),
                                      np.max(a, axis=axis, keepdims=keepdims))
    # integers: the plain reduction
    assert _ops_of(lambda x: xp.max(x, axis=1), ("N", 3), dtype=xp.int64)[0] == ["ReduceMax"]


# -- where: no -0.0 repair for branches proved free of -0.0 ----------------------------------

_NONNEG_EXPRESSIONS = {
    "exp": lambda x, y: xp.exp(x),
    "abs": lambda x, y: xp.abs(x),
    "square": lambda x, y: x * x,
    "square via pow": lambda x, y: x ** 2,
    "sum of squares": lambda x, y: xp.sum(x * x + y * y, axis=0, keepdims=True) + xp.abs(x),
    "quotient": lambda x, y: xp.exp(x) / (xp.abs(y) + 1.0),
    "sqrt of a square": lambda x, y: xp.sqrt(x * x),
    "power of abs": lambda x, y: xp.abs(x) ** y,
    "clip of abs": lambda x, y: xp.clip(xp.abs(x), 0.0, 2.0),
    "where of both": lambda x, y: xp.where(x > y, xp.exp(y), xp.abs(x)),
    "count": lambda x, y: xp.astype(x > y, x.dtype),
    "reshaped": lambda x, y: xp.reshape(xp.exp(x), (-1,)),
}
_SIGNED_EXPRESSIONS = {
    "x": lambda x, y: x,
    "difference": lambda x, y: xp.exp(x) - xp.exp(y),
    "log": lambda x, y: xp.log(xp.exp(x)),
    "relu": lambda x, y: xp.maximum(x, 0.0),
    "sqrt": lambda x, y: xp.sqrt(x),
    "product": lambda x, y: xp.exp(x) * y,
}


def _nonneg_inputs(dtype):
    v = _values(dtype)
    return np.repeat(v, v.size), np.tile(v, v.size)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(_NONNEG_EXPRESSIONS) + list(_SIGNED_EXPRESSIONS))
def test_nonnegative_reasoning(name, dtype):
    """What is proved non-negative is (no negative number, no -0.0, on special values);
    what is not proved is not claimed."""
    from onnxarray._value_ranges import is_nonnegative

    fn = _NONNEG_EXPRESSIONS.get(name) or _SIGNED_EXPRESSIONS[name]
    xdt = xp._dtypes.BY_NUMPY[np.dtype(dtype)]
    sx, sy = (xp.argument(shape=("N",), dtype=xdt) for _ in range(2))
    proved = is_nonnegative(fn(sx, sy)._v)
    assert proved == (name in _NONNEG_EXPRESSIONS)
    if proved:
        a, b = _nonneg_inputs(dtype)
        got = np.asarray(fn(to_onnxarray(a), to_onnxarray(b)))
        assert not np.signbit(got[~np.isnan(got)]).any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_where_of_nonnegative_branches_needs_no_repair(dtype):
    xdt = xp._dtypes.BY_NUMPY[np.dtype(dtype)]

    def fn(c, x, y):
        return xp.where(c > 0.5, xp.exp(x) / (y * y + 1.0), xp.abs(y))

    args = [xp.argument(shape=s, dtype=xdt) for s in (("N",), ("N",), (1,))]
    model = xp.build(dict(zip("cxy", args)), {"z": fn(*args)})
    assert [n.op_type for n in model.graph.node].count("Where") == 1
    assert "Reciprocal" not in [n.op_type for n in model.graph.node]
    c, x = _nonneg_inputs(dtype)
    y = np.array([-0.0], dtype)
    _assert_one_answer(fn, c, x, y)
