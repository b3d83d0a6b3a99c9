"""Every detour in _ort_compat must still be needed: this fails when onnxruntime gains a kernel.

It also checks that each detour computes the right result for that op and dtype.
"""

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnxruntime.capi.onnxruntime_pybind11_state import Fail as OrtFail
from onnxruntime.capi.onnxruntime_pybind11_state import InvalidGraph as OrtInvalidGraph
from onnxruntime.capi.onnxruntime_pybind11_state import NotImplemented as OrtNotImplemented
from onnxruntime.capi.onnxruntime_pybind11_state import RuntimeException as OrtRuntimeException

from onnxarray import _dtypes as D
from onnxarray import _executor
from onnxarray._ort_compat import CAST_VIA

COMPARISONS = {"Less", "Greater", "LessOrEqual", "GreaterOrEqual"}
REDUCTIONS = {"ReduceSum", "ReduceProd", "ReduceMax", "ReduceMin"}


def _probe(op: str, dt: D.DType):
    """Inputs, attributes and output dtypes of a one-node model of ``op`` on ``dt`` data."""
    x = np.ones((2, 2), dtype=dt.numpy)
    i64 = D.int64
    if op in REDUCTIONS:
        return [x, np.array([0])], (("keepdims", 0),), [dt]
    if op == "Trilu":
        return [x, np.array(0)], (), [dt]
    if op == "CumSum":
        return [x, np.array(0)], (), [dt]
    if op in ("ArgMax", "ArgMin"):
        return [x], (("axis", 0),), [i64]
    if op == "TopK":
        return [x, np.array([1])], (), [dt, i64]
    if op == "Where":
        return [np.ones((2, 2), dtype=bool), x, x], (), [dt]
    if op == "Unique":
        return [x.ravel()], (), [dt]
    if op in COMPARISONS:
        return [x, x], (), [D.bool]
    if op == "MatMul":
        # an empty contracted axis: the uint32/uint64 kernels fail only there
        return [np.ones((2, 0), dtype=dt.numpy), np.ones((0, 2), dtype=dt.numpy)], (), [dt]
    if op == "Clip":
        return [x, np.array(0, dtype=dt.numpy), np.array(1, dtype=dt.numpy)], (), [dt]
    if op in ("Pow", "Max", "Min"):
        return [x, x], (), [dt]
    return [x], (), [dt]


CASES = [(op, dt) for op, table in CAST_VIA.items() for dt in table]
# onnxruntime inlines the ONNX function body of an op it has no kernel for; the gap then shows
# as the body's op that lacks one (Clip's body is Less/Where).
INLINED_BODY = {"Clip": "Where"}


def _schema_allows(op: str, dt: D.DType) -> bool:
    """Whether the ONNX schema of ``op`` at the default opset admits the probe's ``dt`` inputs."""
    schema = onnx.defs.get_schema(op, _executor.DEFAULT_OPSET)
    allowed = {c.type_param_str: c.allowed_type_strs for c in schema.type_constraints}
    inputs = _probe(op, dt)[0]
    return all(f"tensor({_onnx_type_name(dt)})" in allowed.get(spec.type_str, [spec.type_str])
               for spec, a in zip(schema.inputs, inputs) if a.dtype == dt.numpy)


def _onnx_type_name(dt: D.DType) -> str:
    return onnx.TensorProto.DataType.Name(dt.onnx).lower()


def _gap(op, dt) -> str | None:
    """How onnxruntime fails ``op`` on ``dt`` data, or None when it runs it.

    Only the three known kinds of gap are caught, each checked by its message; anything else
    (a broken probe model, a crash) propagates and fails the test.
    """
    inputs, attrs, out_dtypes = _probe(op, dt)
    in_dtypes = [D.BY_NUMPY[a.dtype] for a in inputs]
    model = _executor._one_node_model(op, "", attrs, in_dtypes, [a.ndim for a in inputs],
                                      out_dtypes, opset=_executor.DEFAULT_OPSET)  # exports
    type_name = f"tensor({_onnx_type_name(dt)})"
    try:
        sess = ort.InferenceSession(model, providers=["CPUExecutionProvider"])
    except OrtInvalidGraph as e:  # the ONNX operator itself excludes the type
        assert "Type Error" in str(e) and type_name in str(e), str(e)
        return "schema"
    except OrtNotImplemented as e:  # a valid model, but no CPU kernel for the type
        failing = INLINED_BODY.get(op, op)
        assert f"Could not find an implementation for {failing}(" in str(e), str(e)
        return "kernel"
    try:
        sess.run(None, {f"i{i}": a for i, a in enumerate(inputs)})
    except (OrtFail, OrtRuntimeException) as e:  # a kernel registered for the type fails on it
        assert "Tensor type mismatch" in str(e), str(e)
        return "run"
    return None


# The onnxruntime release the CAST_VIA table was checked against (see _ort_compat). An older
# release may lack a gap the table lists (a detour it does not need costs time, never accuracy).
CHECKED_AGAINST = (1, 32)
ORT_VERSION = tuple(int(p) for p in ort.__version__.split(".")[:2])


@pytest.mark.parametrize("op,dt", CASES, ids=[f"{op}-{dt.name}" for op, dt in CASES])
def test_detour_is_still_needed(op, dt):
    gap = _gap(op, dt)
    if gap is None and ORT_VERSION < CHECKED_AGAINST:
        pytest.skip(f"onnxruntime {ort.__version__} runs {op} on {dt.name}; the table is for "
                    f"{'.'.join(map(str, CHECKED_AGAINST))}, where the detour is needed")
    assert gap is not None, (
        f"onnxruntime {ort.__version__} now has a {op} kernel for {dt.name}: remove the "
        "detour from _ort_compat.CAST_VIA")
    # onnxruntime rejects a type as a schema error exactly when ONNX's schema excludes it.
    assert (gap == "schema") == (not _schema_allows(op, dt)), (op, dt.name, gap)


def test_topk_ranks_nan_highest_and_breaks_ties_by_lower_index():
    """argmax/argmin of floats rely on this (onnxruntime's ArgMax/ArgMin skip NaNs)."""
    from onnx import TensorProto, helper, numpy_helper

    specials = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 2.0]
    rng = np.random.default_rng(0)
    for dtype, onnx_type in ((np.float32, TensorProto.FLOAT), (np.float64, TensorProto.DOUBLE)):
        graph = helper.make_graph(
            [helper.make_node("TopK", ["x", "k"], ["v", "i"], axis=1, largest=1, sorted=1)],
            "topk", [helper.make_tensor_value_info("x", onnx_type, [None, None])],
            [helper.make_tensor_value_info("v", onnx_type, None),
             helper.make_tensor_value_info("i", TensorProto.INT64, None)],
            initializer=[numpy_helper.from_array(np.array([1]), "k")])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)],
                                  ir_version=8)
        sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
        for _ in range(100):
            x = rng.choice(np.array(specials, dtype), size=(4, int(rng.integers(1, 40))))
            np.testing.assert_array_equal(sess.run(None, {"x": x})[1][:, 0], np.argmax(x, 1))


SHAPES = [((3, 2, 3), (3,), (1,)), ((3, 2, 1), (3,), (1,)), ((3, 2, 1), (3, 2, 3), (1,)),
          ((3, 2, 1), (3,), (3, 2, 3)), ((3, 2, 3), (3, 2, 3), (3, 2, 3)),
          ((3, 2, 3), (3,), (3, 2, 1)), ((2, 1), (1, 3), (2, 3)), ((2, 3), (1, 3), (2, 1)),
          ((6,), (6,), (1,)), ((6,), (1,), (6,)), ((6,), (6,), ()), ((1,), (6,), (6,)),
          ((), (6,), (6,)), ((6, 1), (1, 6), (6, 1)), ((1, 1), (1, 1, 2), (2,)),
          ((3, 1), (3, 1), (1, 1)), ((2, 3, 1), (1, 3, 1), (2, 1, 1)), ((4, 1), (4, 3), (1,)),
          ((), (), ()), ((2,), (), ()),
          # a result whose last dimension is 1: one-element spans, merged element by element
          ((), (1, 3, 1), ()), ((), (3, 1), (1,)), ((1,), (2, 3, 1), ()), ((2, 1), (2, 1), ())]


@pytest.mark.parametrize(("cond_shape", "x_shape", "y_shape"), SHAPES)
def test_where_keeps_the_sign_of_zero_of_one_input(cond_shape, x_shape, y_shape):
    """onnxruntime's float Where drops the sign of a -0.0 from one value input; which one is
    what where_keeps_sign_of says (where_signed relies on it; the parity suite checks it end to
    end). When this fails, onnxruntime changed and the rule must follow."""
    from onnx import TensorProto, helper

    from onnxarray._ort_compat import where_keeps_sign_of

    graph = helper.make_graph(
        [helper.make_node("Where", ["c", "x", "y"], ["o"])], "where",
        [helper.make_tensor_value_info("c", TensorProto.BOOL, cond_shape),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape),
         helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
        [helper.make_tensor_value_info("o", TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=8)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    cond = np.asarray(np.arange(np.prod(cond_shape, dtype=int)).reshape(cond_shape) % 2 == 0)
    kept = where_keeps_sign_of(cond_shape, x_shape, y_shape)
    assert kept is not None
    for source in ("x", "y"):
        x = np.full(x_shape, -0.0 if source == "x" else 1.0, np.float32)
        y = np.full(y_shape, 1.0 if source == "x" else -0.0, np.float32)
        out = sess.run(None, {"c": cond, "x": x, "y": y})[0]
        same = np.array_equal(np.signbit(out), np.signbit(np.where(cond, x, y)))
        assert same == (kept == source), f"-0.0 from {source}: kept={same}"


def test_where_sign_rule_with_sizes_known_only_at_run_time():
    from onnxarray._graph import Dim
    from onnxarray._ort_compat import where_keeps_sign_of

    n, m = Dim("N"), Dim("M")
    assert where_keeps_sign_of((n, 1), (n, 1), ()) == "y"  # N = 1 or not: "y" either way
    assert where_keeps_sign_of((n, 1), (n, 3), (n, 1)) == "x"
    assert where_keeps_sign_of((n, 3), (3,), (n, 1)) == "y"  # ys takes the shape of cond
    assert where_keeps_sign_of((1, n), (3, n), (1, n)) is None  # "x" if N = 1, else "y"
    assert where_keeps_sign_of((n,), (n,), (m,)) is None


def test_string_gather_off_the_last_axis_is_still_wrong():
    """_ort_compat.STRING_GATHER_LAST_AXIS_ONLY: onnxruntime's Gather on strings along a
    leading axis copies one string per gathered block (checked with 1.32)."""
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.STRING, [None, None])
    i = helper.make_tensor_value_info("i", TensorProto.INT64, [None])
    y = helper.make_tensor_value_info("y", TensorProto.STRING, None)
    graph = helper.make_graph([helper.make_node("Gather", ["x", "i"], ["y"], axis=0)], "g",
                              [x, i], [y])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=8)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    data = np.array([["b", "a"], ["c", "d"]], dtype=object)
    (out,) = sess.run(None, {"x": data, "i": np.array([1])})
    assert out.tolist() != [["c", "d"]], (
        "onnxruntime's string Gather is right now: drop STRING_GATHER_LAST_AXIS_ONLY")


def test_where_sign_rule_over_every_small_shape():
    """where_keeps_sign_of against onnxruntime for every combination of condition, x and y
    shapes of ranks 0 to 3 (sizes 1, 2 and 3) that broadcast, under conditions alternating,
    all true and all false: the input it names keeps the sign of a -0.0 in every case."""
    import itertools

    from onnx import TensorProto, helper

    from onnxarray._ort_compat import where_keeps_sign_of

    graph = helper.make_graph(
        [helper.make_node("Where", ["c", "x", "y"], ["o"])], "where",
        [helper.make_tensor_value_info("c", TensorProto.BOOL, None),
         helper.make_tensor_value_info("x", TensorProto.FLOAT, None),
         helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("o", TensorProto.FLOAT, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=8)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    shapes = [(), (1,), (3,)] + [(a, b) for a in (1, 2) for b in (1, 3)] + [
        (a, b, c) for a in (1, 2) for b in (1, 2) for c in (1, 3)]
    decided = 0
    for cs, xs, ys in itertools.product(shapes, repeat=3):
        try:
            np.broadcast_shapes(cs, xs, ys)
        except ValueError:
            continue
        kept = where_keeps_sign_of(cs, xs, ys)
        if kept is None:
            continue
        decided += 1
        n = int(np.prod(cs, dtype=int))
        for cond in (np.arange(n).reshape(cs) % 2 == 0, np.ones(cs, bool), np.zeros(cs, bool)):
            x = np.full(xs, -0.0 if kept == "x" else 1.0, np.float32)
            y = np.full(ys, -0.0 if kept == "y" else 1.0, np.float32)
            out = sess.run(None, {"c": np.asarray(cond), "x": x, "y": y})[0]
            assert np.array_equal(np.signbit(out), np.signbit(np.where(cond, x, y))), (
                f"Where{cs, xs, ys}: the -0.0 of {kept} is lost")
    assert decided > 3000
