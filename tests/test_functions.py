"""function: code recorded once per signature as an ONNX local function, one node per call."""

import numpy as np
import onnx
import pytest
from parity import run_model

import onnxarray as xp


def _calls(model, name):
    return [n for n in model.graph.node if n.op_type == name]


def _check_inlined_equal(model, inlined, feeds):
    assert not inlined.functions
    assert not any(n.domain == "onnxarray.functions" for n in inlined.graph.node)
    onnx.checker.check_model(inlined, full_check=True)
    for a, b in zip(run_model(model, feeds), run_model(inlined, feeds)):
        np.testing.assert_array_equal(a, b)


def test_called_twice_one_function_two_nodes():
    traced = []

    @xp.function
    def layer(x, w):
        traced.append(1)
        return xp.tanh(x @ w) * 0.5

    rng = np.random.default_rng(1)
    w1 = rng.normal(size=(3, 3)).astype(np.float32)
    w2 = rng.normal(size=(3, 3)).astype(np.float32)

    def net(x):
        return layer(layer(x, xp.asarray(w1)), xp.asarray(w2))

    x = xp.argument(shape=("N", 3), dtype=xp.float32)
    model = xp.build({"x": x}, {"y": net(x)})
    assert len(traced) == 1  # one trace for the one signature
    assert [f.name for f in model.functions] == ["layer"]
    assert len(_calls(model, "layer")) == 2
    onnx.checker.check_model(model, full_check=True)
    v = rng.normal(size=(5, 3)).astype(np.float32)
    (exported,) = run_model(model, {"x": v})
    traced.clear()
    eager = net(xp.asarray(v))
    assert len(traced) == 2  # eager calls just run the Python function
    np.testing.assert_array_equal(np.asarray(eager), exported)
    inlined = xp.build({"x": x}, {"y": net(x)}, inline_functions=True)
    _check_inlined_equal(model, inlined, {"x": v})


def test_signatures_and_static_arguments():
    @xp.function(name="reduce", domain="my.functions")
    def reduce(x, axis):
        return xp.sum(x * x, axis=axis)

    a = xp.argument(shape=("N", 4), dtype=xp.float32)
    b = xp.argument(shape=(2, 3), dtype=xp.float64)
    outs = {"r0": reduce(a, 0), "r1": reduce(a, 1), "r2": reduce(b, 1), "r3": reduce(a, 1)}
    model = xp.build({"a": a, "b": b}, outs)
    # Three signatures, two bodies: a FunctionProto is untyped, so the float64 trace over axis 1
    # is the float32 one; the repeated call is the same node.
    assert sorted(f.name for f in model.functions) == ["reduce", "reduce_2"]
    assert len(_calls(model, "reduce")) + len(_calls(model, "reduce_2")) == 3
    assert {f.domain for f in model.functions} == {"my.functions"}
    assert [str(d) for d in outs["r1"].shape] == ["N"]
    va = np.arange(8, dtype=np.float32).reshape(2, 4)
    vb = np.linspace(-1, 1, 6).reshape(2, 3)
    got = run_model(model, {"a": va, "b": vb})
    eager = [reduce(xp.asarray(va), 0), reduce(xp.asarray(va), 1), reduce(xp.asarray(vb), 1),
             reduce(xp.asarray(va), 1)]
    for g, e in zip(got, eager):
        np.testing.assert_array_equal(g, np.asarray(e))


def test_nested_functions_and_several_outputs():
    @xp.function
    def inner(x):
        return xp.exp(-x)

    @xp.function
    def outer(x):
        e = inner(x)
        return e, inner(e) + x, x  # an output that is an input passes through

    x = xp.argument(shape=(None,), dtype=xp.float64)
    p, q, r = outer(x)
    model = xp.build({"x": x}, {"p": p, "q": q, "r": r})
    assert sorted(f.name for f in model.functions) == ["inner", "outer"]
    outer_proto = next(f for f in model.functions if f.name == "outer")
    assert sum(n.op_type == "inner" for n in outer_proto.node) == 2
    onnx.checker.check_model(model, full_check=True)
    v = np.array([0.0, -0.0, 1.5, -700.0, np.inf, np.nan])
    got = run_model(model, {"x": v})
    for g, e in zip(got, outer(xp.asarray(v))):
        np.testing.assert_array_equal(g, np.asarray(e))
    inlined = xp.build({"x": x}, {"p": p, "q": q, "r": r}, inline_functions=True)
    _check_inlined_equal(model, inlined, {"x": v})


def test_closure_over_a_symbolic_array_becomes_an_input():
    x = xp.argument(shape=("N",), dtype=xp.float32)
    shift = xp.mean(x)

    @xp.function
    def centre(y):
        return y - shift

    model = xp.build({"x": x}, {"a": centre(x), "b": centre(x * 2.0)})
    (proto,) = model.functions
    assert len(proto.input) == 2
    v = np.array([1.0, 2.0, 6.0], np.float32)
    a, b = run_model(model, {"x": v})
    np.testing.assert_array_equal(a, v - np.float32(3.0))
    np.testing.assert_array_equal(b, 2 * v - np.float32(3.0))


def test_control_flow_inside_a_function():
    @xp.function
    def power(x, n):
        return xp.lax.fori_loop(0, n, lambda i, acc: acc * x, xp.ones_like(x))

    x = xp.argument(shape=("N",), dtype=xp.float64)
    model = xp.build({"x": x}, {"y": power(x, 3)})
    onnx.checker.check_model(model, full_check=True)
    v = np.array([0.5, -2.0, 3.0])
    (y,) = run_model(model, {"x": v})
    np.testing.assert_array_equal(y, np.asarray(power(xp.asarray(v), 3)))
    np.testing.assert_array_equal(y, v * v * v)


def test_jit_and_eager_agree():
    @xp.function
    def f(x):
        return xp.sqrt(x * x + 1.0)

    jitted = xp.jit(lambda x: f(x) - x)
    v = xp.asarray(np.array([0.0, 1e-3, 3.0, 1e200, -np.inf]))
    np.testing.assert_array_equal(np.asarray(jitted(v)), np.asarray(f(v) - v))


def test_errors():
    with pytest.raises(TypeError, match="function: expected a callable"):
        xp.function(3)
    with pytest.raises(ValueError, match="name must be an identifier"):
        xp.function(name="a b")(lambda x: x)
    with pytest.raises(ValueError, match="domain must be"):
        xp.function(domain="")(lambda x: x)
    with pytest.raises(ValueError, match="domain must be"):
        xp.function(domain="ai.onnx.ml")(lambda x: x)

    @xp.function
    def scalar(x):
        return 1.0

    x = xp.argument(shape=(2,), dtype=xp.float32)
    with pytest.raises(TypeError, match="function scalar: must return an array"):
        scalar(x)

    @xp.function
    def with_list(x, items):
        return x

    with pytest.raises(TypeError, match="function with_list: arguments that are not arrays "
                                        "must be hashable"):
        with_list(x, {"a": 1})


def test_data_dependent_sizes_and_static_types():
    traced = []

    @xp.function
    def positive(x, scale):
        traced.append(type(scale))
        return x[x > 0] * (float(scale) if isinstance(scale, bool) else scale)

    x = xp.argument(shape=("N",), dtype=xp.float64)
    a, b = positive(x, 2), positive(-x, 2)
    assert a._v.shape[0] != b._v.shape[0]  # each call's mask has its own size
    positive(x, 2.0)
    positive(x, True)
    assert traced == [int, float, bool]  # 2, 2.0 and True are three signatures
    model = xp.build({"x": x}, {"a": a, "b": b})
    v = np.array([1.5, -2.0, 0.0, 3.0, -0.5])
    got_a, got_b = run_model(model, {"x": v})
    np.testing.assert_array_equal(got_a, [3.0, 6.0])
    np.testing.assert_array_equal(got_b, [4.0, 1.0])
    eager = [positive(xp.asarray(v), 2), positive(xp.asarray(-v), 2)]
    for g, e in zip((got_a, got_b), eager):
        np.testing.assert_array_equal(g, np.asarray(e))
