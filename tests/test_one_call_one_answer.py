"""One call, one answer: every binary elementwise function gives the same bits op by op, as a
compiled plan (repeated calls), under ``jit`` and exported, on inputs full of signed zeros,
NaNs, infinities, subnormals and extremes, at every broadcasting arrangement."""

import numpy as np
import onnxruntime as ort
import pytest
from parity import to_onnxarray

import onnxarray as xp
from onnxarray import _executor, _plans
from onnxarray._complex import pack, unpack

pytestmark = pytest.mark.usefixtures("sync_plans")  # plans on the promoting call

_FLOATS = [-0.0, 0.0, np.nan, -np.nan, np.inf, -np.inf, 1.0, -1.0, 2.0, 0.5, -2.5, 3.0,
           "tiny", "-tiny", "max", "-max"]
_INTS = [0, 1, -1, 2, 3, 7, -8, 31, 63, "max", "min"]

FLOAT_FUNCS = ["add", "atan2", "copysign", "divide", "equal", "floor_divide", "greater",
               "greater_equal", "hypot", "less", "less_equal", "logaddexp", "maximum",
               "minimum", "multiply", "nextafter", "not_equal", "pow", "remainder", "subtract"]
INT_FUNCS = ["add", "bitwise_and", "bitwise_left_shift", "bitwise_or", "bitwise_right_shift",
             "bitwise_xor", "equal", "floor_divide", "greater", "maximum", "minimum",
             "multiply", "remainder", "subtract"]
BOOL_FUNCS = ["equal", "logical_and", "logical_or", "logical_xor", "not_equal"]


def _values(dtype) -> np.ndarray:
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        fi = np.finfo(dtype)
        table = {"tiny": fi.smallest_subnormal, "-tiny": -fi.smallest_subnormal,
                 "max": fi.max, "-max": -fi.max}
        vals = [table.get(v, v) if isinstance(v, str) else v for v in _FLOATS]
        out = np.array(vals, dtype)
        out[3] = -np.abs(out[3])  # -nan: the sign bit set (np.array may drop it)
        return out
    if dtype.kind == "b":
        return np.array([False, True])
    ii = np.iinfo(dtype)
    vals = [{"max": ii.max, "min": ii.min}.get(v, v) if isinstance(v, str) else v for v in _INTS]
    return np.array([v % (int(ii.max) + 1) if ii.min == 0 else v for v in vals], dtype)


def _grids(dtype):
    """(x1, x2) pairs covering onnxruntime's broadcasting paths: every pair of values in one
    (n*n,) x (n*n,) call; (n, n) x (n, 1) and (n, 1) x (n, n), where every row meets one
    value of the other operand (the kernels' array-by-scalar spans); 0-d operands; and one
    element of lower rank against a column, (1, n, 1) by (1,) and (n, 1) by 0-d (onnxruntime
    pairs these per row, and keeps another zero of a min/max tie or another NaN than it does
    for a full-rank one-element operand)."""
    v = _values(dtype)
    n = v.size
    yield "pairs", np.repeat(v, n), np.tile(v, n)
    yield "rows-by-value", np.tile(v, (n, 1)), v[:, None]
    yield "value-by-rows", v[:, None], np.tile(v, (n, 1))
    for i in (0, 3) if v.size > 3 else (0, 1):
        yield f"array-by-0d{i}", v, np.asarray(v[i])
        yield f"0d{i}-by-array", np.asarray(v[i]), v
        yield f"column-by-1d{i}", v[None, :, None], v[i:i + 1]
        yield f"0d{i}-by-column", np.asarray(v[i]), v[:, None]


def _bits(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    return a.view(f"u{a.dtype.itemsize}") if a.dtype.kind == "f" else a


def _export(fn, a1, a2):
    """Outputs of the model of ``fn`` built at the eager opset (as recorded and with
    onnxruntime's default optimizations) and at the default opset (as recorded)."""
    x1 = xp.argument(shape=tuple(f"a{i}" for i in range(a1.ndim)), dtype=_dt(a1))
    x2 = xp.argument(shape=tuple(f"b{i}" for i in range(a2.ndim)), dtype=_dt(a2))
    outs = {}
    for opset, levels in ((_executor.eager_opset(), ("exported", "exported, optimized")),
                          (_executor.DEFAULT_OPSET, ("exported at the default opset",))):
        model = xp.build({"x1": x1, "x2": x2}, {"y": fn(x1, x2)}, allow_unused_inputs=True,
                         opset=opset)
        for how in levels:
            so = ort.SessionOptions()
            if "optimized" not in how:
                so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
            sess = ort.InferenceSession(model.SerializeToString(), so,
                                        providers=["CPUExecutionProvider"])
            outs[how] = sess.run(None, {"x1": a1, "x2": a2})[0]
    return outs


def _dt(a):
    return xp._dtypes.BY_NUMPY[a.dtype]


def _check_all_ways(name: str, dtype):
    fn = getattr(xp, name)
    jitted = xp.jit(fn)
    for where, a1, a2 in _grids(dtype):
        what = f"{name}({where}, {np.dtype(dtype).name})"
        x1, x2 = to_onnxarray(a1), to_onnxarray(a2)
        expected = _bits(np.asarray(fn.__wrapped_plain__(x1, x2)))
        for _ in range(_plans.PROMOTE_AFTER):
            planned = np.asarray(fn(x1, x2))
        assert _plans.has_plan(fn, (x1, x2)), f"{what}: no plan"
        got = {"plan": planned, "jit": np.asarray(jitted(x1, x2)), **_export(fn, a1, a2)}
        for how, out in got.items():
            bad = _bits(out) != expected
            if how == "exported at the default opset" and name == "copysign":
                # the documented limit below opset 26: a NaN's sign bit reads as positive
                bad &= ~np.broadcast_to(np.isnan(a2), bad.shape)
            assert not bad.any(), (f"{what} {how} differs from op by op at "
                                   f"x1={np.broadcast_to(a1, bad.shape)[bad][:4]}, "
                                   f"x2={np.broadcast_to(a2, bad.shape)[bad][:4]}: "
                                   f"{out[bad][:4]} vs {np.asarray(expected)[bad][:4]}")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", FLOAT_FUNCS)
def test_float_functions(name, dtype):
    _check_all_ways(name, dtype)


@pytest.mark.parametrize("dtype", ["int8", "int64", "uint64"])
@pytest.mark.parametrize("name", INT_FUNCS)
def test_integer_functions(name, dtype):
    _check_all_ways(name, dtype)


@pytest.mark.parametrize("name", BOOL_FUNCS)
def test_bool_functions(name):
    _check_all_ways(name, "bool")


@pytest.mark.parametrize("x2", [0, 0.0, -0.0, 2, 2.0, 3, 3.0, float("nan"), float("inf")])
@pytest.mark.parametrize("name", ["maximum", "minimum", "pow", "add", "copysign"])
def test_python_scalar_operands(name, x2):
    """A Python scalar is a constant in every mode (its value is part of a plan's signature),
    and its value's bits do not depend on the other operand's layout: (n,), (n, 1) or (1, n),
    known or symbolic sizes (onnxruntime's Pow cubes by products only for a 0-d exponent)."""
    fn = getattr(xp, name)
    rng = np.random.default_rng(5)
    for dtype in ("float32", "float64"):
        a = np.concatenate([_values(dtype), rng.uniform(-10, 10, 48).astype(dtype)])
        expected = _bits(np.asarray(fn.__wrapped_plain__(to_onnxarray(a), x2)))
        for layout in ((-1,), (-1, 1), (1, -1)):
            x1 = to_onnxarray(a.reshape(layout))
            got = {"op by op": fn.__wrapped_plain__(x1, x2)}
            for _ in range(_plans.PROMOTE_AFTER):
                got["plan"] = fn(x1, x2)
            got["jit"] = xp.jit(lambda x, s: fn(x, s))(x1, x2)
            for shape in (a.reshape(layout).shape, ("n", "m")[:len(layout)]):
                s = xp.argument(shape=shape, dtype=_dt(a))
                model = xp.build({"x": s}, {"y": fn(s, x2)})
                # as recorded; onnxruntime's optimizations may pick other kernel paths (which
                # NaN an Add keeps), so the optimized model is held to the 1-d layout only
                for optimized in (False, True) if layout == (-1,) else (False,):
                    so = ort.SessionOptions()
                    if not optimized:
                        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
                    got[f"exported {shape}{', optimized' * optimized}"] = ort.InferenceSession(
                        model.SerializeToString(), so, providers=["CPUExecutionProvider"]
                    ).run(None, {"x": a.reshape(layout)})[0]
            for how, out in got.items():
                np.testing.assert_array_equal(_bits(np.asarray(out)).reshape(-1), expected,
                                              err_msg=f"{name} {dtype} {layout} {how}")


def _clip_cases(dtype):
    v = _values(dtype)
    zeros = np.array([-0.0, 0.0], dtype)
    yield "zeros-py", (v,), {"min": 0.0, "max": 1.0}
    yield "neg-zero-py", (v,), {"min": -0.0, "max": -0.0}
    yield "wide-py", (v,), {"min": -1.0, "max": 1.0}
    for lo in zeros:
        yield f"0d-min{lo}", (v, np.asarray(lo)), {}
        yield f"0d-max{lo}", (v, None, np.asarray(lo)), {}
    yield "rows", (np.tile(v, (2, 1)), zeros[:, None], zeros[::-1, None]), {}
    yield "0d-x", (np.asarray(dtype.type(-0.0)), zeros, zeros[::-1]), {}
    yield "columns", (v[:, None], np.tile(zeros, (v.size, 1)), None), {}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clip_signed_zeros(dtype):
    """clip's bounds may be -0.0 or +0.0 arrays or Python scalars; every way gives the same
    bits (NaN bounds are left to the clip tests)."""
    dtype = np.dtype(dtype)
    for what, arrays, kwargs in _clip_cases(dtype):
        arrays = [None if a is None else np.asarray(a, dtype) for a in arrays]

        ins = [None if a is None else to_onnxarray(a) for a in arrays]
        while ins[-1] is None:
            ins.pop()
        plain = xp.clip.__wrapped_plain__
        expected = _bits(np.asarray(plain(*ins, **kwargs)))
        for _ in range(_plans.PROMOTE_AFTER):
            planned = np.asarray(xp.clip(*ins, **kwargs))
        assert _plans.has_plan(xp.clip, tuple(ins), kwargs), what
        jitted = np.asarray(xp.jit(lambda *a, kw=kwargs: xp.clip(*a, **kw))(*ins))
        args = {f"x{i}": xp.argument(shape=tuple(f"d{i}{j}" for j in range(a.ndim)),
                                     dtype=_dt(a)) for i, a in enumerate(arrays[:len(ins)])
                if a is not None}
        call_args = [args.get(f"x{i}") for i in range(len(ins))]
        model = xp.build(args, {"y": xp.clip(*call_args, **kwargs)})
        feeds = {k: arrays[int(k[1:])] for k in args}
        exported = ort.InferenceSession(model.SerializeToString(),
                                        providers=["CPUExecutionProvider"]).run(None, feeds)[0]
        for how, out in (("plan", planned), ("jit", jitted), ("exported", exported)):
            np.testing.assert_array_equal(_bits(out), expected, err_msg=f"clip {what} {how}")


_V = np.array([-0.0, 0.0, np.nan, 1.0, -0.0, 0.0, -np.inf])
_C = np.array([True, False, True, False, True, False, False])
# Lowerings that look at concrete data (a NaN check in unique, -0.0 checks in where, the c ? 1
# : 0 fold in where): op by op they see data, in a plan or a model they see an input.
_DATA_DEPENDENT = {
    "unique_values, NaN": (xp.unique_values, [_V]),
    "unique_values, no NaN": (xp.unique_values, [np.array([0.0, -0.0, 1.0, -0.0])]),
    "unique_all": (xp.unique_all, [np.array([-0.0, 0.0, 1.0, 0.0])]),
    "where, both branches -0.0": (xp.where, [_C, _V, _V[::-1].copy()]),
    "where, 0-d -0.0 second": (xp.where, [_C, _V, np.array(-0.0)]),
    "where, 0-d -0.0 first": (xp.where, [_C, np.array(-0.0), _V]),
    "where, columns": (xp.where, [_C[:, None], _V, np.array([-0.0])]),
    "where, 1 and 0": (xp.where, [_C, np.array(1.0), np.array(0.0)]),
    "var": (xp.var, [_V]),
}


@pytest.mark.parametrize("case", sorted(_DATA_DEPENDENT))
def test_lowerings_that_read_data(case):
    fn, arrays = _DATA_DEPENDENT[case]
    ins = [to_onnxarray(a) for a in arrays]
    expected = [_bits(np.asarray(o)) for o in _outputs(fn.__wrapped_plain__(*ins))]
    for _ in range(_plans.PROMOTE_AFTER):
        planned = _outputs(fn(*ins))
    assert _plans.has_plan(fn, tuple(ins))
    args = {f"x{i}": xp.argument(shape=tuple(f"d{i}{j}" for j in range(a.ndim)),
                                 dtype=_dt(a)) for i, a in enumerate(arrays)}
    outs = _outputs(fn(*args.values()))
    model = xp.build(args, {f"y{i}": o for i, o in enumerate(outs)})
    exported = ort.InferenceSession(model.SerializeToString(), providers=[
        "CPUExecutionProvider"]).run(None, {f"x{i}": a for i, a in enumerate(arrays)})
    for how, got in (("plan", planned), ("exported", exported)):
        for k, (g, e) in enumerate(zip(got, expected, strict=True)):
            np.testing.assert_array_equal(_bits(np.asarray(g)), e, err_msg=f"{case} {how} {k}")


def _outputs(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


@pytest.mark.parametrize("shape", [(), (1,), (3,), (2, 1), (2, 2), (2, 1, 1), (1, 2, 1)])
def test_zero_d_mask_assignment_keeps_signed_zeros(shape):
    """``y[mask] = v`` with a 0-d mask is a Where on a widened one-element value: a -0.0
    assigned, or kept where nothing is assigned, keeps its sign eagerly (where the data shows
    which operand holds a -0.0), under jit and exported (where it cannot)."""
    def assign(y, mask, value):
        y = xp.asarray(y, copy=True)
        y[mask] = value
        return y

    for base, value in ((np.ones(shape), -0.0), (np.full(shape, -0.0), 1.0),
                        (np.full(shape, -0.0), -0.0)):
        for flag in (True, False):
            def fn(y, flag=flag, value=value):
                return assign(y, xp.asarray(flag), value)
            eager = _bits(np.asarray(fn(to_onnxarray(base))))
            assert (eager == _bits(np.where(flag, value, base))).all(), (base, value, flag)
            assert (_bits(np.asarray(xp.jit(fn)(to_onnxarray(base)))) == eager).all()
            x = xp.argument(shape=tuple(f"d{i}" for i in range(len(shape))),
                            dtype=xp.float64)
            sess = ort.InferenceSession(xp.build({"x": x}, {"y": fn(x)}).SerializeToString(),
                                        providers=["CPUExecutionProvider"])
            assert (_bits(sess.run(None, {"x": base})[0]) == eager).all(), (base, value, flag)


def _nans(dtype) -> np.ndarray:
    """Quiet NaNs of both signs, with and without a payload."""
    dtype = np.dtype(dtype)
    bits = {4: [0x7FC00000, 0xFFC00000, 0x7FC00123, 0xFFE000A5],
            8: [0x7FF8000000000000, 0xFFF8000000000000, 0x7FF8000000000123,
                0xFFFC0000000000A5]}[dtype.itemsize]
    return np.array(bits, f"u{dtype.itemsize}").view(dtype)


def _every_way(fn, *arrays) -> dict:
    """``fn``'s result op by op (plans off: a user function's calls would be planned once
    repeated), under jit, and exported with known and with symbolic sizes (as recorded)."""
    before = xp.cache_limits()["plans"]
    xp.cache_limits(plans=0)
    try:
        eager = np.asarray(fn(*[to_onnxarray(a) for a in arrays]))
    finally:
        xp.cache_limits(plans=before)
    got = {"op by op": eager, "jit": np.asarray(xp.jit(fn)(*[to_onnxarray(a) for a in arrays]))}
    for how in ("known sizes", "symbolic sizes"):
        args = {f"x{i}": xp.argument(shape=a.shape if how == "known sizes" else tuple(
            f"d{i}{j}" for j in range(a.ndim)), dtype=_dt(a)) for i, a in enumerate(arrays)}
        model = xp.build(args, {"y": fn(*args.values())})
        so = ort.SessionOptions()
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
        got[f"exported, {how}"] = ort.InferenceSession(
            model.SerializeToString(), so, providers=["CPUExecutionProvider"]).run(
            None, dict(zip(args, arrays)))[0]
    return got


def _assert_same_bits(got: dict, what: str) -> None:
    expected = _bits(got["op by op"])
    for how, out in got.items():
        bad = _bits(out) != expected
        assert not bad.any(), (f"{what}: {how} differs from op by op: "
                               f"{[hex(int(b)) for b in _bits(out)[bad][:4]]} vs "
                               f"{[hex(int(b)) for b in expected[bad][:4]]}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["add", "multiply", "subtract", "divide"])
def test_row_spread_keeps_the_nan_op_by_op_keeps(name, dtype):
    """A traced x op f(y), f(y) of shape (..., 1) holding no -0.0 (abs, exp), against a short
    last axis is computed with f(y) spread along it (_ort_compat.ROW_SPREAD_MAX_COLUMNS);
    op by op it is broadcast. Of two NaNs, onnxruntime's Add and Mul keep another one where
    the shapes are equal than where one is broadcast: x + abs(y) kept y's NaN under jit and
    exported, x's op by op."""
    fn = getattr(xp, name)
    rng = np.random.default_rng(3)
    nans = _nans(dtype)
    for shape in ((3, 4), (5, 16), (257, 3), (2, 3, 2)):
        x = rng.choice(np.concatenate([nans, np.array([0.0, -0.0, 1.5], dtype)]), shape)
        y = rng.choice(nans, shape[:-1] + (1,))
        for what, f in (("x op abs(y)", lambda a, b: fn(a, xp.abs(b))),
                        ("abs(y) op x", lambda a, b: fn(xp.abs(b), a)),
                        ("x op exp(y)", lambda a, b: fn(a, xp.exp(b))),
                        ("exp(x op y)", lambda a, b: xp.exp(fn(a, xp.abs(b))))):
            _assert_same_bits(_every_way(f, x, y), f"{name} {np.dtype(dtype).name} {shape} "
                                                   f"{what}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["maximum", "minimum", "add", "multiply"])
def test_reduction_reshaped_back_beside_a_held_array(name, dtype):
    """``reshape(op(max(x, axis=1), c), (-1, 1))`` is recorded as the reduction with kept dims
    (one node less); an array ``c`` made in the function is no Python scalar: recorded
    against the kept dims it met the (N, 1) result on another kernel path than op by op, which
    kept another zero of a max/min tie and another NaN of Add/Mul."""
    fn = getattr(xp, name)
    nans = _nans(dtype)
    x = np.array([[-0.0, -1.0], [0.0, -2.0], [nans[1], 1.0], [nans[2], 0.0], [-0.0, -0.0],
                  [nans[3], nans[0]]], dtype)
    for c in (0.0, -0.0, nans[0], nans[3]):
        for shape in ((), (1,)):
            for red in (xp.max, xp.sum):
                def f(v, c=c, shape=shape, red=red):
                    held = xp.asarray(np.full(shape, c, dtype))
                    return xp.reshape(fn(red(v, axis=1), held), (-1, 1))
                _assert_same_bits(_every_way(f, x), f"{name} {np.dtype(dtype).name} "
                                                     f"{red.__name__} c={c!r} {shape}")


_EXTREMA = {"min(max)": lambda x, lo, hi: xp.minimum(xp.maximum(x, lo), hi),
            "max(min)": lambda x, lo, hi: xp.maximum(xp.minimum(x, hi), lo),
            "swapped": lambda x, lo, hi: xp.minimum(hi, xp.maximum(lo, x)),
            "max(min), swapped": lambda x, lo, hi: xp.maximum(lo, xp.minimum(hi, x))}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("form", sorted(_EXTREMA))
def test_minimum_of_maximum_gives_the_bits_op_by_op_gives(form, dtype):
    """minimum(maximum(x, lo), hi) is recorded as one Clip where that gives the same bits: a
    Clip settles a tie of x = -0.0 with lo = +0.0 by comparison, Max by kernel path (op by op
    it gave +0.0 for (2, 4) float64 x, under jit and exported -0.0). Python scalar bounds and
    one-element arrays made in the function, x of several layouts, and |x| (no -0.0)."""
    fn = _EXTREMA[form]
    nans = _nans(dtype)
    base = np.array([0.0, -0.0, nans[0], nans[1], 1.0, -1.0, 0.5, nans[3]], dtype)
    for lo, hi in ((0.0, 1.0), (-0.0, 0.5), (-1.0, 0.0), (-1.0, 1.0), (0.0, 0.0)):
        for held in (None, (), (1,)):
            def bound(c, held=held):
                return c if held is None else xp.asarray(np.full(held, c, dtype))
            for shape in ((8,), (8, 1), (2, 4)):
                for what, f in (("x", lambda v, lo=lo, hi=hi: fn(v, bound(lo), bound(hi))),
                                ("|x|", lambda v, lo=lo, hi=hi: fn(xp.abs(v), bound(lo),
                                                                   bound(hi)))):
                    _assert_same_bits(_every_way(f, base.reshape(shape)),
                                      f"{form} {np.dtype(dtype).name} {what} of {shape}, "
                                      f"bounds {lo!r}, {hi!r} held as {held}")


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex64, np.complex128])
def test_a_zero_added_stays_under_default_optimizations(dtype):
    """onnxruntime's NoopElimination drops x + 0.0 and x - (-0.0) where x comes from a node,
    but they turn -0.0 into +0.0: (-x + 0.0) * 2 at x = 0 gave -0.0 from the exported model run
    as users run it (default optimizations), +0.0 op by op; and so did every complex array
    plus a real Python scalar (its imaginary part 0)."""
    data = np.array([0.0, -0.0, 1.5, -2.0], dtype)
    if data.dtype.kind == "c":
        data = data + np.array([0.0, -0.0, -0.0, 0.0], dtype) * 1j
    for name, c in (("add", 0.0), ("subtract", -0.0), ("add", -0.0), ("subtract", 0.0),
                    ("add", 1.0), ("multiply", 1.0)):
        for held, negated in ((False, True), (True, True), (False, False)):
            def f(v, name=name, c=c, held=held, negated=negated):
                k = xp.asarray(np.array(c, dtype)) if held else c
                return getattr(xp, name)(-v if negated else v, k) * 2.0  # x: a graph input
            eager = np.asarray(f(to_onnxarray(data)))
            for shape in (data.shape, ("n",)):
                x = xp.argument(shape=shape, dtype=_dt(data))
                model = xp.build({"x": x}, {"y": f(x)})
                feed = pack(data) if data.dtype.kind == "c" else data
                out = ort.InferenceSession(model.SerializeToString(), providers=[
                    "CPUExecutionProvider"]).run(None, {"x": feed})[0]
                out = unpack(out) if data.dtype.kind == "c" else out
                got = out.view(out.real.dtype) if out.dtype.kind == "c" else out
                want = eager.view(eager.real.dtype) if eager.dtype.kind == "c" else eager
                np.testing.assert_array_equal(_bits(got), _bits(want),
                                              err_msg=f"{name} {c!r} held={held} "
                                                      f"negated={negated} {shape}")


def _kept_nan(op: str, dtype, s1: tuple, s2: tuple) -> str:
    """Which NaN onnxruntime's ``op`` keeps of x1 = NaN(payload 1), x2 = -NaN(payload 2),
    shapes s1 and s2 (graph optimizations off): "a", "b" or "ab" (both, by position)."""
    from onnx import TensorProto, helper
    t = TensorProto.FLOAT if dtype == np.float32 else TensorProto.DOUBLE
    graph = helper.make_graph([helper.make_node(op, ["a", "b"], ["y"])], "g",
                              [helper.make_tensor_value_info(n, t, None) for n in "ab"],
                              [helper.make_tensor_value_info("y", t, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    nans = _nans(dtype)
    a, b = np.full(s1, nans[2]), np.full(s2, nans[3])
    bits = set(_bits(sess.run(None, {"a": a.astype(dtype), "b": b.astype(dtype)})[0]).ravel())
    return "".join(k for k, v in (("a", nans[2]), ("b", nans[3])) if _bits(v[None])[0] in bits)


def test_spread_nan_order_is_onnxruntimes():
    """_ort_compat.SPREAD_NAN_ORDER as measured: fails when onnxruntime keeps other NaNs."""
    from onnxarray._ort_compat import SPREAD_NAN_ORDER
    for op in ("Add", "Mul"):
        assert SPREAD_NAN_ORDER[op][xp.float64] is True
        for n, c in ((3, 4), (1000, 8), (7, 3)):
            assert _kept_nan(op, np.float64, (n, c), (n, c)) == "b"  # equal shapes: the second
            assert _kept_nan(op, np.float64, (n, c), (n, 1)) == "a"  # broadcast: the wide one
            assert _kept_nan(op, np.float64, (n, 1), (n, c)) == "b"
        assert SPREAD_NAN_ORDER[op][xp.float32] is False
        assert _kept_nan(op, np.float32, (7, 3), (7, 1)) == "ab"  # by position
    for op in ("Sub", "Div"):
        assert op not in SPREAD_NAN_ORDER
        for s1, s2 in (((3, 4), (3, 4)), ((3, 4), (3, 1)), ((3, 1), (3, 4))):
            for dtype in (np.float32, np.float64):
                assert _kept_nan(op, dtype, s1, s2) == "a"
