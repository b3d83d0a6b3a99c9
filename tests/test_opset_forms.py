"""Sign bits by opset: exact with BitCast (eager where the runtime has it, models at opset >=
26), the documented composite below (False for NaNs), the same bits eager and exported."""

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from parity import to_onnxarray

import onnxarray as xp
from onnxarray import _executor, _opset_forms, _plans
from onnxarray._opset_forms import BITCAST_OPSET, onnx_has_bitcast

pytestmark = pytest.mark.usefixtures("sync_plans")  # plans on the promoting call


def _special(dtype) -> np.ndarray:
    """NaNs of both signs (one with a payload), signed zeros, infinities, subnormals and
    extremes, each at several array positions."""
    dtype = np.dtype(dtype)
    u = np.dtype(f"u{dtype.itemsize}")
    sign = u.type(1) << u.type(8 * dtype.itemsize - 1)
    nans = np.full(3, np.nan, dtype).view(u)
    nans[0] |= sign
    nans[2] |= sign | u.type(1)
    fi = np.finfo(dtype)
    rest = np.array([-0.0, 0.0, np.inf, -np.inf, fi.smallest_subnormal, -fi.smallest_subnormal,
                     fi.max, -fi.max, 1.0, -1.0, fi.tiny, -fi.tiny], dtype)
    v = np.concatenate([nans.view(dtype), rest])
    return np.concatenate([v, v[::-1], v[3:]])


def _run(model, **feeds):
    return ort.InferenceSession(model.SerializeToString(),
                                providers=["CPUExecutionProvider"]).run(None, feeds)


def test_bitcast_is_detected_not_assumed():
    names = {s.name for s in onnx.defs.get_all_schemas_with_history() if s.domain == ""}
    assert onnx_has_bitcast() == ("BitCast" in names)
    assert _executor.eager_opset() in (_executor.DEFAULT_OPSET, BITCAST_OPSET)
    if _executor.eager_opset() == BITCAST_OPSET:  # the probe ran a BitCast model
        assert onnx_has_bitcast()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_eager_signbit_reads_the_bit(dtype):
    v = _special(dtype)
    got = np.asarray(xp.signbit(to_onnxarray(v)))
    exact = np.signbit(v)
    if _executor.eager_opset() >= BITCAST_OPSET:
        np.testing.assert_array_equal(got, exact)
    else:  # the documented limit: NaNs read as positive
        np.testing.assert_array_equal(got, exact & ~np.isnan(v))
    mag = to_onnxarray(np.full(v.shape, 2.5, dtype))
    signs = np.signbit(np.asarray(xp.copysign(mag, to_onnxarray(v))))
    np.testing.assert_array_equal(signs, got)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("opset", [18, 25, 26])
def test_models_read_signs_by_opset(dtype, opset):
    """At opset >= 26 a model reads the bit exactly (BitCast), below NaNs read as positive;
    where eager runs at the same opset, eager and the model agree bit for bit."""
    if opset >= BITCAST_OPSET and not onnx_has_bitcast():
        pytest.skip("the installed onnx has no BitCast")
    v = _special(dtype)
    x = xp.argument(shape=("n",), dtype=xp.float32 if dtype == np.float32 else xp.float64)
    outs = {"s": xp.signbit(x), "c": xp.copysign(xp.ones_like(x), x), "a": xp.atan2(x, x)}
    model = xp.build({"x": x}, outs, opset=opset)
    onnx.checker.check_model(model, full_check=True)
    assert ("BitCast" in {n.op_type for n in model.graph.node}) == (opset >= BITCAST_OPSET)
    s, c, a = _run(model, x=v)
    exact = np.signbit(v)
    np.testing.assert_array_equal(s, exact if opset >= BITCAST_OPSET else exact & ~np.isnan(v))
    np.testing.assert_array_equal(np.signbit(c), s)
    if opset == _executor.eager_opset():
        arr = to_onnxarray(v)
        eager = [np.asarray(xp.signbit(arr)), np.asarray(xp.copysign(xp.ones_like(arr), arr)),
                 np.asarray(xp.atan2(arr, arr))]
        for got, e in zip((s, c, a), eager):
            np.testing.assert_array_equal(got.view(np.uint8), e.view(np.uint8))


def test_the_composite_is_the_fallback_in_eager_sessions_too():
    """The opset-18 form, run as an eager one-node session: the lowering a runtime without
    BitCast uses."""
    v = _special(np.float64)
    model = _executor._one_node_model("SignBit", "onnxarray", (), [xp.float64], [1], [xp.bool],
                                      opset=18)
    ops = [n.op_type for n in onnx.load_from_string(model).graph.node]
    assert "BitCast" not in ops
    (got,) = _executor.session_for_model(model, optimize="none").run(None, {"i0": v})
    np.testing.assert_array_equal(got, np.signbit(v) & ~np.isnan(v))


def test_plans_and_jit_read_signs_like_eager():
    v = _special(np.float64)
    arr = to_onnxarray(v)
    expected = np.asarray(xp.signbit.__wrapped_plain__(arr))
    for _ in range(_plans.PROMOTE_AFTER):
        planned = np.asarray(xp.signbit(arr))
    assert _plans.has_plan(xp.signbit, (arr,))
    np.testing.assert_array_equal(planned, expected)
    np.testing.assert_array_equal(np.asarray(xp.jit(xp.signbit)(arr)), expected)


# Shapes of (condition, x, y) whose onnxruntime Where drops the sign of a zero of x, of y, or
# of either depending on the layout (see _ort_compat.where_keeps_sign_of).
_WHERE_LAYOUTS = [((7,), (7,), (7,)), ((3, 4), (3, 4), (4,)), ((3, 4), (3, 1), (1, 4)),
                  ((3, 1), (3, 4), (3, 1)), ((1, 4), (3, 4), (3, 1)), ((), (5,), (5,))]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("opset", [18, 26])
@pytest.mark.parametrize("shapes", _WHERE_LAYOUTS)
def test_where_keeps_zero_signs_of_both_branches_by_opset(dtype, opset, shapes):
    """The SignedWhere forms (a select of the bits from opset 26, the repair below) give
    where's exact bits in every layout, optimized by onnxruntime or not, and eager agrees."""
    if opset >= BITCAST_OPSET and not onnx_has_bitcast():
        pytest.skip("the installed onnx has no BitCast")
    rng = np.random.default_rng(sum(map(len, shapes)))
    cs, xs, ys = shapes
    pool = _special(dtype)
    x = rng.choice(pool, xs).astype(dtype)
    y = rng.choice(pool, ys).astype(dtype)
    cond = np.asarray(rng.random(cs) < 0.5)
    x.flat[0], y.flat[-1] = -0.0, -0.0
    expected = np.where(cond, x, y)
    xdt = xp.float32 if dtype == np.float32 else xp.float64
    args = {"c": xp.argument(shape=cs, dtype=xp.bool), "x": xp.argument(shape=xs, dtype=xdt),
            "y": xp.argument(shape=ys, dtype=xdt)}
    model = xp.build(args, {"o": xp.where(*args.values())}, opset=opset)
    onnx.checker.check_model(model, full_check=True)
    ops = [n.op_type for n in model.graph.node]
    assert ("BitCast" in ops) == (opset >= BITCAST_OPSET)
    for level in ("none", "all"):
        sess = _executor.session_for_model(model.SerializeToString(), optimize=level)
        (got,) = sess.run(None, {"c": cond, "x": x, "y": y})
        np.testing.assert_array_equal(got.view(f"u{x.itemsize}"),
                                      expected.view(f"u{x.itemsize}"))
    if opset == _executor.eager_opset():
        eager = np.asarray(xp.where(to_onnxarray(cond), to_onnxarray(x), to_onnxarray(y)))
        np.testing.assert_array_equal(eager.view(f"u{x.itemsize}"),
                                      expected.view(f"u{x.itemsize}"))


@pytest.mark.parametrize("op", ["Add", "Loop", "Shape", "TopK", "Where", "Cast", "Sin"])
@pytest.mark.parametrize("opset", [18, 26])
def test_default_domain_nodes_outside_opset_dependent_are_one_plain_node(op, opset):
    """build writes these nodes itself, as expand would."""
    assert op not in _opset_forms.OPSET_DEPENDENT
    attrs = (("axis", onnx.helper.make_attribute("axis", 1)),)
    nodes, extra = _opset_forms.expand(op, "", ["a", "b"], ["c"], attrs,
                                       [onnx.TensorProto.DOUBLE] * 2, opset)
    plain = onnx.helper.make_node(op, ["a", "b"], ["c"], axis=1)
    assert extra == [] and [n.SerializeToString() for n in nodes] == [plain.SerializeToString()]
