"""argument() and build(): valid, compact models with named dynamic dimensions."""

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from parity import known, run_model, to_onnxarray

import onnxarray as xp
from onnxarray import _ops
from onnxarray._array_object import Array


def _add(a, b):
    return Array._new(_ops.binary("Add", a._v, b._v))


def _exp(a):
    return Array._new(_ops.unary("Exp", a._v))


def test_dynamic_dimensions_become_dim_params():
    x = xp.argument(shape=("N", 4), dtype=xp.float32)
    y = _add(x, x)
    model = xp.build({"x": x}, {"y": y})
    onnx.checker.check_model(model, full_check=True)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "N" and dims[1].dim_value == 4
    out_dims = model.graph.output[0].type.tensor_type.shape.dim
    assert out_dims[0].dim_param == "N" and out_dims[1].dim_value == 4
    for n in (1, 7, 1000):
        data = np.random.default_rng(n).random((n, 4), dtype=np.float32)
        (got,) = run_model(model, {"x": data})
        np.testing.assert_array_equal(got, data + data)


def test_ten_thousand_op_chain_builds_and_checks():
    x = xp.argument(shape=("N",), dtype=xp.float64)
    y = x
    one = to_onnxarray(np.float64(1.0))
    for _ in range(10_000):
        y = _add(y, one)
    model = xp.build({"x": x}, {"y": y})
    assert len(model.graph.node) == 10_000
    onnx.checker.check_model(model, full_check=True)
    (got,) = run_model(model, {"x": np.zeros(3)})
    np.testing.assert_array_equal(got, np.full(3, 10_000.0))


def test_dead_code_is_not_exported_and_constants_are_initializers():
    x = xp.argument(shape=("N",), dtype=xp.float64)
    c = to_onnxarray(np.arange(3.0))
    _exp(x)  # recorded but unused
    y = _add(x, c)
    model = xp.build({"x": x}, {"y": y})
    assert [n.op_type for n in model.graph.node] == ["Add"]
    assert len(model.graph.initializer) == 1
    assert model.producer_name == "onnxarray"


def test_mixing_concrete_and_symbolic_records_the_concrete_side_as_constant():
    x = xp.argument(shape=(3,), dtype=xp.float64)
    c = _exp(to_onnxarray(np.zeros(3)))  # concrete: computed now
    assert not c.is_symbolic
    y = _add(x, c)
    assert y.is_symbolic
    model = xp.build({"x": x}, {"y": y})
    (got,) = run_model(model, {"x": np.ones(3)})
    np.testing.assert_array_equal(got, np.full(3, 2.0))


def test_build_can_run_repeatedly_and_on_subsets():
    x = xp.argument(shape=("N",), dtype=xp.float64)
    a = _exp(x)
    b = _add(a, x)
    m1 = xp.build({"x": x}, {"a": a, "b": b})
    m2 = xp.build({"x": x}, {"b": b})
    m3 = xp.build({"x": x}, {"a": a})
    assert [o.name for o in m1.graph.output] == ["a", "b"]
    assert len(m2.graph.node) == 2 and len(m3.graph.node) == 1
    data = np.array([0.0, 1.0])
    ra, rb = run_model(m1, {"x": data})
    np.testing.assert_array_equal(run_model(m2, {"x": data})[0], rb)
    np.testing.assert_array_equal(run_model(m3, {"x": data})[0], ra)


def test_outputs_that_are_inputs_constants_or_repeated():
    x = xp.argument(shape=("N",), dtype=xp.int64)
    c = to_onnxarray(np.array([1, 2], dtype=np.int64))
    y = _add(x, x)
    model = xp.build({"x": x}, {"same": x, "const": c, "y1": y, "y2": y})
    onnx.checker.check_model(model, full_check=True)
    same, const, y1, y2 = run_model(model, {"x": np.array([3], dtype=np.int64)})
    assert same.tolist() == [3] and const.tolist() == [1, 2]
    assert y1.tolist() == [6] and y2.tolist() == [6]


def test_symbolic_repr_shows_dim_names():
    x = xp.argument(shape=("batch", None, 2), dtype=xp.uint8)
    assert repr(x).startswith("Array<symbolic uint8[batch, ?")
    batch, unknown, two = x.shape
    assert isinstance(batch, xp.SymbolicDim) and isinstance(unknown, xp.SymbolicDim)
    assert (repr(batch), two) == ("batch", 2)
    assert x.ndim == 3 and isinstance(x.size, xp.SymbolicDim)


@pytest.mark.parametrize("shape,exc,match", [
    ((3, -1), ValueError, ">= 0"),
    ((3.5,), TypeError, "invalid dimension"),
    ((True,), TypeError, "invalid dimension"),
    ("N", TypeError, "tuple"),
    (("a b",), ValueError, "identifier"),
])
def test_argument_rejects_bad_shapes(shape, exc, match):
    with pytest.raises(exc, match=f"argument: .*{match}"):
        xp.argument(shape=shape, dtype=xp.float32)


def test_argument_rejects_bad_dtypes():
    with pytest.raises(TypeError, match="argument: dtype"):
        xp.argument(shape=(2,), dtype="float32")
    with pytest.raises(TypeError, match="argument: dtype"):
        xp.argument(shape=(2,), dtype=np.float32)


def test_build_rejects_bad_inputs():
    x = xp.argument(shape=(2,), dtype=xp.float64)
    other = xp.argument(shape=(2,), dtype=xp.float64)
    y = _exp(x)
    with pytest.raises(TypeError, match="build: inputs\\['y'\\] is not an argument"):
        xp.build({"y": y}, {"z": _exp(y)})
    with pytest.raises(TypeError, match="build: inputs\\['c'\\] is not an argument"):
        xp.build({"c": to_onnxarray(np.ones(2))}, {"y": y})
    with pytest.raises(ValueError, match="not listed in inputs"):
        xp.build({"x": x}, {"z": _add(y, other)})
    with pytest.raises(ValueError, match="not used by any output"):
        xp.build({"x": x, "other": other}, {"y": y})
    model = xp.build({"x": x, "other": other}, {"y": y}, allow_unused_inputs=True)
    assert [i.name for i in model.graph.input] == ["x", "other"]
    with pytest.raises(TypeError, match="build: outputs must be a dict"):
        xp.build({"x": x}, [y])
    with pytest.raises(TypeError, match="must be an onnxarray array"):
        xp.build({"x": x}, {"y": np.ones(2)})
    with pytest.raises(ValueError, match="at least one output"):
        xp.build({"x": x}, {})
    with pytest.raises(ValueError, match="both input and output"):
        xp.build({"x": x}, {"x": y})
    with pytest.raises(ValueError, match="opset"):
        xp.build({"x": x}, {"y": y}, opset=9)


def test_symbolic_arrays_refuse_python_conversions():
    x = xp.argument(shape=("N",), dtype=xp.float64)
    s = xp.argument(shape=(), dtype=xp.bool)
    with pytest.raises(TypeError, match="bool\\(\\).*where"):
        bool(s)
    for conv in (int, float, len, iter, np.asarray):
        with pytest.raises(TypeError, match="symbolic"):
            conv(x)
    i = xp.argument(shape=(), dtype=xp.int64)
    with pytest.raises(TypeError, match="symbolic"):
        [1, 2][i]


def test_concrete_conversions():
    a = to_onnxarray(np.array([1.5, 2.5]))
    np.testing.assert_array_equal(np.asarray(a), [1.5, 2.5])
    assert float(to_onnxarray(np.array(2.5))) == 2.5
    assert int(to_onnxarray(np.array(7, dtype=np.int8))) == 7
    assert bool(to_onnxarray(np.array(True)))
    assert [1, 2, 3][to_onnxarray(np.array(1))] == 2
    assert len(a) == 2
    assert [float(v) for v in a] == [1.5, 2.5]
    assert "Array([1.5, 2.5], dtype=float64)" == repr(a)
    with pytest.raises(TypeError):
        float(a)
    with pytest.raises(TypeError, match="no public constructor"):
        xp.Array()
    back = np.from_dlpack(a)
    np.testing.assert_array_equal(back, [1.5, 2.5])
    assert a.__dlpack_device__() == (1, 0)


def test_equal_constants_share_an_initializer_and_equal_nodes_are_emitted_once():
    x = xp.argument(shape=("N", 3), dtype=xp.float64)
    w1, w2 = xp.asarray(np.arange(3.0)), xp.asarray(np.arange(3.0))
    y = (x * w1 + 1.0) / (x * w2 + 1.0) + xp.asarray(np.arange(3.0) + 1)
    model = xp.build({"x": x}, {"y": y})
    onnx.checker.check_model(model, full_check=True)
    ops = [n.op_type for n in model.graph.node]
    assert ops.count("Mul") == 1 and ops.count("Add") == 2 and ops.count("Div") == 1
    assert len(model.graph.initializer) == 3  # arange(3), 1.0 and arange(3) + 1
    data = np.random.default_rng(0).random((4, 3))
    got = run_model(model, {"x": data})[0]
    w = np.arange(3.0)
    np.testing.assert_allclose(got, (data * w + 1) / (data * w + 1) + w + 1)


def test_data_dependent_shapes_export_with_unknown_dims():
    x = xp.argument(shape=("N",), dtype=xp.float64)

    def clip_big(a):
        a = xp.asarray(a, copy=True)  # assignment below must not change the argument
        a[a > 1.0] = 0.0
        return a

    outs = {"masked": x[x > 1.0], "clipped": clip_big(x), "nz": xp.nonzero(x)[0],
            "uniq": xp.unique_values(x)}
    assert all(known(o.shape) == (None,) for k, o in outs.items() if k != "clipped")
    model = xp.build({"x": x}, outs)
    onnx.checker.check_model(model, full_check=True)
    for data in (np.array([3.0, 0.0, 1.0, 3.0, 2.0]), np.array([0.5])):
        got = dict(zip(outs, run_model(model, {"x": data})))
        np.testing.assert_array_equal(got["masked"], data[data > 1.0])
        np.testing.assert_array_equal(got["clipped"], np.where(data > 1.0, 0.0, data))
        np.testing.assert_array_equal(got["nz"], np.nonzero(data)[0])
        np.testing.assert_array_equal(got["uniq"], np.unique(data))


def test_an_argument_changed_in_place_still_names_its_input():
    x = xp.argument(shape=("N",), dtype=xp.float64)
    x[x > 1.0] = 0.0
    x *= 2.0
    model = xp.build({"x": x}, {"y": x + 1.0})
    onnx.checker.check_model(model, full_check=True)
    data = np.array([0.5, 3.0, -1.0])
    (got,) = run_model(model, {"x": data})
    np.testing.assert_array_equal(got, np.where(data > 1.0, 0.0, data) * 2.0 + 1.0)


@pytest.mark.parametrize("opset", [19, 20, 21, 22, 23, 24, 25, 26])
def test_higher_opsets_build_valid_models(opset):
    """Nodes whose signature changed after opset 18 (DFT's axis became an input) follow it."""
    x = xp.argument(shape=("N", 8), dtype=xp.float64)
    outs = {"spectrum": xp.abs(xp.fft.rfft(x, axis=1)), "top": xp.max(x, axis=1),
            "nan": xp.isnan(x), "r": xp.reshape(xp.sin(x), (-1,))}
    model = xp.build({"x": x}, outs, opset=opset)
    onnx.checker.check_model(model, full_check=True)
    data = np.random.default_rng(opset).random((3, 8))
    got = dict(zip(outs, run_model(model, {"x": data})))
    np.testing.assert_allclose(got["spectrum"], np.abs(np.fft.rfft(data, axis=1)), rtol=1e-12)
    np.testing.assert_array_equal(got["top"], data.max(axis=1))
    np.testing.assert_allclose(got["r"], np.sin(data).reshape(-1), rtol=1e-15)


def test_the_same_run_time_check_twice_makes_a_valid_model():
    """A run-time check's node is named after its message; node names are unique in a model,
    so the second one with the same message gets a number."""
    x = xp.argument(shape=("N", 3), dtype=xp.int16)
    y = xp.argument(shape=("M", 3), dtype=xp.int16)
    model = xp.build({"x": x, "y": y}, {"a": xp.min(x, axis=0), "b": xp.min(y + 1, axis=0)})
    onnx.checker.check_model(model, full_check=True)
    names = [n.name for n in model.graph.node if n.name]
    assert len(names) == len(set(names)) >= 2
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    data = np.array([[3, -2, 5], [1, 4, -7]], dtype=np.int16)
    a, b = sess.run(None, {"x": data, "y": data})
    np.testing.assert_array_equal(a, data.min(axis=0))
    np.testing.assert_array_equal(b, (data + 1).min(axis=0))
    state = ort.capi.onnxruntime_pybind11_state
    for empty in ({"x": np.zeros((0, 3), np.int16), "y": data},
                  {"x": data, "y": np.zeros((0, 3), np.int16)}):
        with pytest.raises((state.Fail, state.RuntimeException, state.InvalidArgument),
                           match="zero-size reduction has no identity"):
            sess.run(None, empty)


def _all_nodes(graph):
    stack, out = [graph], []
    while stack:
        g = stack.pop()
        for n in g.node:
            out.append(n)
            stack.extend(a.g for a in n.attribute if a.type == onnx.AttributeProto.GRAPH)
    return out


def test_a_size_read_from_several_arrays_is_one_shape_node():
    """Arrays whose sizes are the same dims have the same sizes when the model runs: their
    Shapes are one node, and the nodes computed from it are shared too (in loop bodies too)."""
    x = xp.argument(shape=("N", 3), dtype=xp.float64)
    y = xp.exp(x)
    flat = xp.reshape(x, (x.shape[0] * 3,)) + xp.reshape(y, (y.shape[0] * 3,))

    def body(i, c):
        return c + xp.sum(xp.ones((c.shape[0],), dtype=xp.float64))

    looped = xp.lax.fori_loop(0, y.shape[0], body, y)
    model = xp.build({"x": x}, {"flat": flat, "looped": looped})
    onnx.checker.check_model(model, full_check=True)
    nodes = _all_nodes(model.graph)
    assert [n.op_type for n in nodes].count("Shape") == 1
    data = np.arange(6.0).reshape(2, 3) / 4
    got_flat, got_looped = run_model(model, {"x": data})
    np.testing.assert_array_equal(got_flat, (data + np.exp(data)).reshape(-1))
    np.testing.assert_array_equal(got_looped, np.exp(data) + 4.0)
    np.testing.assert_array_equal(np.asarray(
        xp.lax.fori_loop(0, 2, body, xp.exp(xp.asarray(data)))), got_looped)
