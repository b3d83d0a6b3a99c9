"""from_onnx: an existing ONNX model (here a scikit-learn MLP converted by skl2onnx) called
from onnxarray code, eagerly and inside exported models."""

import os
import warnings

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from parity import run_model

import onnxarray as xp

skl2onnx = pytest.importorskip("skl2onnx")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

CLASSES = np.array([3, 5, 9])


@pytest.fixture(scope="module")
def fitted():
    """A standardizing pipeline around a small MLP, fitted on 3 classes of 4 features."""
    rng = np.random.default_rng(0)
    X = (rng.normal(size=(120, 4)) * [1.0, 10.0, 0.1, 3.0] + [0.0, 50.0, -1.0, 2.0])
    X = X.astype(np.float32)
    y = CLASSES[(X[:, 0] > 0).astype(int) + (X[:, 3] > 2.5)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe = make_pipeline(StandardScaler(),
                             MLPClassifier(hidden_layer_sizes=(6,), max_iter=300,
                                           random_state=0)).fit(X, y)
    return pipe, X


def network(pipe, opset: int = 18) -> onnx.ModelProto:
    """The MLP alone, as skl2onnx exports it (labels and probabilities, dynamic batch)."""
    mlp = pipe[-1]
    return skl2onnx.to_onnx(mlp, np.zeros((1, 4), np.float32), options={"zipmap": False},
                            target_opset={"": opset, "ai.onnx.ml": 1})


def pipeline(net, pipe):
    """Pre-processing (standardize), the network, post-processing (labels, top probability)."""
    scaler = pipe[0]
    mean = xp.asarray(scaler.mean_.astype(np.float32))
    scale = xp.asarray(scaler.scale_.astype(np.float32))
    classes = xp.asarray(pipe[-1].classes_)

    def run(x):
        out = net(X=(x - mean) / scale)
        proba = out["probabilities"]
        label = xp.take(classes, xp.argmax(proba, axis=1))
        return label, proba, xp.max(proba, axis=1), out["label"]

    return run


def export_pipeline(run):
    x = xp.argument(shape=("batch", 4), dtype=xp.float32)
    label, proba, top, net_label = run(x)
    return xp.build({"x": x}, {"label": label, "proba": proba, "top": top,
                               "net_label": net_label})


@pytest.mark.parametrize("batch", [1, 7, 40])
def test_mlp_pipeline_equals_scikit_learn(fitted, batch):
    pipe, X = fitted
    run = pipeline(xp.from_onnx(network(pipe)), pipe)
    model = export_pipeline(run)
    dims = [d.dim_param for d in model.graph.output[1].type.tensor_type.shape.dim[:1]]
    assert dims == ["batch"]  # the network's unnamed batch dim is bound to the caller's
    x = X[:batch]
    label, proba, top, net_label = run_model(model, {"x": x})
    np.testing.assert_array_equal(label, pipe.predict(x))
    np.testing.assert_array_equal(net_label, pipe.predict(x))
    np.testing.assert_allclose(proba, pipe.predict_proba(x), rtol=1e-5, atol=1e-6)
    eager = run(xp.asarray(x))  # eager == exported, bit for bit
    for e, o in zip(eager, (label, proba, top, net_label)):
        np.testing.assert_array_equal(np.asarray(e), o)
        assert np.asarray(e).dtype == o.dtype


def test_older_opset_from_a_path(fitted, tmp_path):
    pipe, X = fitted
    path = tmp_path / "mlp13.onnx"
    onnx.save(network(pipe, opset=13), str(path))
    net = xp.from_onnx(path)
    assert net.input_names == ("X",) and net.output_names == ("label", "probabilities")
    run = pipeline(net, pipe)
    model = export_pipeline(run)
    assert {o.domain: o.version for o in model.opset_import}[""] == 18
    assert {o.domain: o.version for o in model.opset_import}["ai.onnx.ml"] == 1
    label, proba, _, _ = run_model(model, {"x": X[:7]})
    np.testing.assert_array_equal(label, pipe.predict(X[:7]))
    eager = run(xp.asarray(X[:7]))
    np.testing.assert_array_equal(np.asarray(eager[1]), proba)


def test_called_twice_shares_initializers(fitted):
    pipe, X = fitted
    net = xp.from_onnx(network(pipe))
    n_weights = len(network(pipe).graph.initializer)
    x = xp.argument(shape=("N", 4), dtype=xp.float32)
    once = xp.build({"x": x}, {"p": net(x)["probabilities"]})
    twice = xp.build({"x": x}, {"p": net(x)["probabilities"],
                                "q": net(X=x * 2.0)["probabilities"]})
    assert len(once.graph.initializer) <= n_weights + 1
    # the weights are not duplicated: the second call adds only the constant 2.0
    assert len(twice.graph.initializer) == len(once.graph.initializer) + 1
    assert sum(n.op_type == "MatMul" for n in twice.graph.node) == \
        2 * sum(n.op_type == "MatMul" for n in once.graph.node)
    names = [o for n in twice.graph.node for o in n.output]
    assert len(names) == len(set(names))
    p, q = run_model(twice, {"x": X[:5]})
    np.testing.assert_array_equal(p, np.asarray(net(xp.asarray(X[:5]))["probabilities"]))
    np.testing.assert_array_equal(q, np.asarray(net(xp.asarray(X[:5] * 2))["probabilities"]))


def test_unused_outputs_are_pruned(fitted):
    pipe, _ = fitted
    net = xp.from_onnx(network(pipe))
    x = xp.argument(shape=("N", 4), dtype=xp.float32)
    model = xp.build({"x": x}, {"p": net(x)["probabilities"]})
    ops = {n.op_type for n in model.graph.node}
    assert "ArrayFeatureExtractor" not in ops and "ArgMax" not in ops
    assert all(n.domain != "ai.onnx.ml" for n in model.graph.node)


def test_eager_session_is_cached(fitted):
    pipe, X = fitted
    net = xp.from_onnx(network(pipe))
    net(xp.asarray(X[:3]))
    first = net._model._session
    net(xp.asarray(X[:9]))
    assert net._model._session is first


def test_under_jit(fitted):
    pipe, X = fitted
    run = pipeline(xp.from_onnx(network(pipe)), pipe)
    jitted = xp.jit(lambda x: run(x)[:3])
    for got, want in zip(jitted(xp.asarray(X[:6])), run(xp.asarray(X[:6]))):
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


# -- hand-written models: subgraphs, local functions, custom domains -----------------------------


def _model(nodes, inputs, outputs, initializers=(), opset=18, functions=(), extra_opsets=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, initializer=list(initializers))
    opsets = [helper.make_opsetid("", opset), *extra_opsets]
    model = helper.make_model(graph, opset_imports=opsets, ir_version=8,
                              functions=list(functions))
    onnx.checker.check_model(model, full_check=True)
    return model


def _if_model():
    """y = x + w if sum(x) > 0 else x * w, the branches reading x and the weight w from the
    enclosing graph (outer-scope references that must follow the renaming)."""
    w = numpy_helper.from_array(np.array([1.5, -2.0, 0.25], np.float32), "w")
    then = helper.make_graph([helper.make_node("Add", ["x", "w"], ["t"])], "then", [],
                             [helper.make_tensor_value_info("t", TensorProto.FLOAT, ["n"])])
    other = helper.make_graph([helper.make_node("Mul", ["x", "w"], ["e"])], "else", [],
                              [helper.make_tensor_value_info("e", TensorProto.FLOAT, ["n"])])
    nodes = [helper.make_node("ReduceSum", ["x"], ["s"], keepdims=0),
             helper.make_node("Constant", [], ["zero"], value_float=0.0),
             helper.make_node("Greater", ["s", "zero"], ["c"]),
             helper.make_node("If", ["c"], ["y"], then_branch=then, else_branch=other)]
    return _model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n"])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n"])], [w])


def test_nested_subgraphs_called_twice():
    f = xp.from_onnx(_if_model())
    w = np.array([1.5, -2.0, 0.25], np.float32)
    x = xp.argument(shape=(3,), dtype=xp.float32)
    model = xp.build({"x": x}, {"a": f(x)["y"], "b": f(-x)["y"]})
    assert len(model.graph.initializer) == 1  # w once, read from both calls' branches
    onnx.checker.check_model(model, full_check=True)
    v = np.array([1.0, 2.0, -0.5], np.float32)
    a, b = run_model(model, {"x": v})
    np.testing.assert_array_equal(a, v + w)
    np.testing.assert_array_equal(b, -v * w)
    np.testing.assert_array_equal(np.asarray(f(xp.asarray(v))["y"]), a)


def test_model_local_functions_and_custom_domains():
    square = helper.make_function("my.domain", "Square", ["a"], ["b"],
                                  [helper.make_node("Mul", ["a", "a"], ["b"])],
                                  [helper.make_opsetid("", 18)])
    nodes = [helper.make_node("Square", ["x"], ["s"], domain="my.domain"),
             helper.make_node("FastGelu", ["s"], ["y"], domain="com.microsoft")]
    model = _model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 2])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 2])],
                   functions=[square],
                   extra_opsets=[helper.make_opsetid("my.domain", 1),
                                 helper.make_opsetid("com.microsoft", 1)])
    f = xp.from_onnx(model)
    x = xp.argument(shape=("rows", 2), dtype=xp.float32)
    y = f(x)["y"]
    assert [str(d) for d in y.shape] == ["rows", "2"]
    built = xp.build({"x": x}, {"y": y + 1.0})
    assert [fn.name for fn in built.functions] == ["Square"]
    assert {o.domain for o in built.opset_import} == {"", "my.domain", "com.microsoft"}
    v = np.array([[0.5, -1.0], [2.0, 0.0]], np.float32)
    import onnxruntime as ort

    (got,) = ort.InferenceSession(built.SerializeToString(),
                                  providers=["CPUExecutionProvider"]).run(None, {"x": v})
    np.testing.assert_array_equal(got, np.asarray(f(xp.asarray(v))["y"]) + np.float32(1.0))
    inlined = xp.build({"x": x}, {"y": y + 1.0}, inline_functions=True)
    assert not inlined.functions
    assert {o.domain for o in inlined.opset_import} == {"", "com.microsoft"}


def test_newer_opset_says_what_to_do():
    model = _model([helper.make_node("Neg", ["x"], ["y"])],
                   [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])], opset=21)
    f = xp.from_onnx(model)
    x = xp.argument(shape=(2,), dtype=xp.float32)
    with pytest.raises(ValueError, match="pass opset=21 to build"):
        xp.build({"x": x}, {"y": f(x)["y"]})
    built = xp.build({"x": x}, {"y": f(x)["y"]}, opset=21)
    assert {o.domain: o.version for o in built.opset_import}[""] == 21


def _neg_model(shape=("n", 3)):
    return _model([helper.make_node("Neg", ["x"], ["y"])],
                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(shape))])


def test_signature_errors():
    f = xp.from_onnx(_neg_model())
    ok = xp.asarray(np.ones((2, 3), np.float32))
    with pytest.raises(TypeError, match="from_onnx: input 'x' must be float32, got float64"):
        f(xp.ones((2, 3), dtype=xp.float64))
    with pytest.raises(ValueError, match="must have 2 dimensions"):
        f(xp.ones((3,), dtype=xp.float32))
    with pytest.raises(ValueError, match="must have size 3 in axis 1"):
        f(xp.argument(shape=("N", 4), dtype=xp.float32))
    with pytest.raises(TypeError, match="no input 'y'"):
        f(y=ok)
    with pytest.raises(TypeError, match="missing inputs"):
        f()
    with pytest.raises(TypeError, match="takes 1 inputs"):
        f(ok, ok)
    with pytest.raises(TypeError, match="given twice"):
        f(ok, x=ok)
    with pytest.raises(TypeError, match="must be an onnxarray array, got list"):
        f([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="ModelProto or a path"):
        xp.from_onnx(3)
    with pytest.raises(ValueError, match="no model file"):
        xp.from_onnx("/nonexistent/model.onnx")


def test_shared_dimension_names_are_checked():
    model = _model([helper.make_node("Add", ["a", "b"], ["y"])],
                   [helper.make_tensor_value_info("a", TensorProto.FLOAT, ["n"]),
                    helper.make_tensor_value_info("b", TensorProto.FLOAT, ["n"])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n"])])
    f = xp.from_onnx(model)
    with pytest.raises(ValueError, match="dimension 'n' of the model is 2 in one input and 3"):
        f(xp.ones(2, dtype=xp.float32), xp.ones(3, dtype=xp.float32))
    a = xp.argument(shape=("K",), dtype=xp.float32)
    y = f(a, b=a)["y"]
    assert str(y.shape[0]) == "K"


def test_non_tensor_outputs_are_refused(fitted):
    pipe, _ = fitted
    zipmap = skl2onnx.to_onnx(pipe[-1], np.zeros((1, 4), np.float32))
    with pytest.raises(TypeError, match="'output_probability' is a sequence.*zipmap"):
        xp.from_onnx(zipmap)


def test_invalid_model_is_refused():
    model = helper.make_model(helper.make_graph(
        [helper.make_node("Neg", ["missing"], ["y"])], "g", [],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])]))
    with pytest.raises(ValueError, match="from_onnx: the model is not valid ONNX"):
        xp.from_onnx(model)


def test_runtime_failure_is_a_value_error():
    model = _model([helper.make_node("Reshape", ["x", "s"], ["y"])],
                   [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n"])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2, 2])],
                   [numpy_helper.from_array(np.array([2, 2], np.int64), "s")])
    f = xp.from_onnx(model)
    with pytest.raises(ValueError, match="from_onnx: the model failed on these inputs"):
        f(xp.ones(3, dtype=xp.float32))
    np.testing.assert_array_equal(np.asarray(f(xp.ones(4, dtype=xp.float32))["y"]),
                                  np.ones((2, 2), np.float32))


def _external_model(tmp_path, location: str):
    w = numpy_helper.from_array(np.arange(300, dtype=np.float32), "w")
    model = _model([helper.make_node("Add", ["x", "w"], ["y"])],
                   [helper.make_tensor_value_info("x", TensorProto.FLOAT, [300])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, [300])], [w])
    path = tmp_path / "sub" / "model.onnx"
    path.parent.mkdir()
    onnx.save(model, str(path), save_as_external_data=True, location="weights.bin",
              size_threshold=0)
    if location != "weights.bin":
        loaded = onnx.load(str(path), load_external_data=False)
        for e in loaded.graph.initializer[0].external_data:
            if e.key == "location":
                e.value = location
        os.replace(path.parent / "weights.bin", tmp_path / "weights.bin")
        onnx.save(loaded, str(path))
    return path


def test_external_data_inside_the_model_directory(tmp_path):
    f = xp.from_onnx(_external_model(tmp_path, "weights.bin"))
    got = f(xp.zeros(300, dtype=xp.float32))["y"]
    np.testing.assert_array_equal(np.asarray(got), np.arange(300, dtype=np.float32))


def test_external_data_outside_is_refused(tmp_path):
    with pytest.raises(ValueError, match="outside the model's directory; refused"):
        xp.from_onnx(_external_model(tmp_path, "../weights.bin"))
    (tmp_path / "again").mkdir()
    path = _external_model(tmp_path / "again", "weights.bin")
    with pytest.raises(ValueError, match="pass the path"):
        xp.from_onnx(onnx.load(str(path), load_external_data=False))


def test_called_inside_an_eager_control_flow_body():
    f = xp.from_onnx(_neg_model((3,)))
    v = np.array([1.0, -2.0, 3.0], np.float32)

    def body(i, acc):
        return f(acc)["y"] + 1.0

    eager = xp.lax.fori_loop(0, 3, body, xp.asarray(v))
    x = xp.argument(shape=(3,), dtype=xp.float32)
    model = xp.build({"x": x}, {"y": xp.lax.fori_loop(0, 3, body, x)})
    (exported,) = run_model(model, {"x": v})
    np.testing.assert_array_equal(np.asarray(eager), exported)
    np.testing.assert_array_equal(exported, -v + 1.0)


def test_random_models_are_not_merged():
    model = _model([helper.make_node("RandomUniformLike", ["x"], ["y"], seed=None)],
                   [helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])])
    f = xp.from_onnx(model)
    x = xp.argument(shape=(4,), dtype=xp.float32)
    built = xp.build({"x": x}, {"a": f(x)["y"], "b": f(x)["y"]})
    assert sum(n.op_type == "RandomUniformLike" for n in built.graph.node) == 2



def _function_model(op: str):
    fn = helper.make_function("my.domain", "F", ["a"], ["b"],
                              [helper.make_node(op, ["a"], ["b"])],
                              [helper.make_opsetid("", 18)])
    return _model([helper.make_node("F", ["x"], ["y"], domain="my.domain")],
                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])],
                  functions=[fn], extra_opsets=[helper.make_opsetid("my.domain", 1)])


def test_conflicting_model_functions_are_refused():
    neg, ab, neg_again = (xp.from_onnx(_function_model(op)) for op in ("Neg", "Abs", "Neg"))
    x = xp.argument(shape=(2,), dtype=xp.float32)
    shared = xp.build({"x": x}, {"a": neg(x)["y"], "b": neg_again(x * 2.0)["y"]})
    assert len(shared.functions) == 1  # equal functions are one
    with pytest.raises(ValueError, match="two different model-local functions are named "
                                         "my.domain.F"):
        xp.build({"x": x}, {"a": neg(x)["y"], "b": ab(x)["y"]})


def _dense_model():
    w = numpy_helper.from_array(np.array([[1.0, -1.0], [0.5, 2.0], [0.0, 1.0]], np.float32), "w")
    nodes = [helper.make_node("MatMul", ["x", "w"], ["z"]),
             helper.make_node("Softmax", ["z"], ["p"], axis=1),
             helper.make_node("ArgMax", ["p"], ["k"], axis=1, keepdims=0)]
    return _model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 3])],
                  [helper.make_tensor_value_info("p", TensorProto.FLOAT, [None, 2]),
                   helper.make_tensor_value_info("k", TensorProto.INT64, [None])], [w])


def test_empty_batch_and_zero_d():
    f = xp.from_onnx(_dense_model())
    x = xp.argument(shape=("batch", 3), dtype=xp.float32)
    out = f(x)
    assert [str(d) for d in out["p"].shape] == ["batch", "2"]
    model = xp.build({"x": x}, {"p": out["p"] * 2.0, "k": out["k"]})
    for n in (0, 1, 5):
        v = np.linspace(-3, 3, 3 * n, dtype=np.float32).reshape(n, 3)
        got = run_model(model, {"x": v})
        eager = f(xp.asarray(v))
        for g, e in zip(got, (eager["p"] * 2.0, eager["k"])):
            assert g.shape == (n, 2)[:g.ndim]
            np.testing.assert_array_equal(g, np.asarray(e))
    f = xp.from_onnx(_neg_model(()))
    x = xp.argument(shape=(), dtype=xp.float32)
    y = f(x)["y"]
    assert y.shape == ()
    built = xp.build({"x": x}, {"y": y})
    for v in (np.float32(2.5), np.float32(-0.0), np.float32(np.inf)):
        (got,) = run_model(built, {"x": np.asarray(v)})
        eager = np.asarray(f(xp.asarray(v))["y"])
        np.testing.assert_array_equal(got, eager)
        assert np.signbit(got) == np.signbit(-v)


def test_unused_outputs_inside_a_body_are_pruned():
    f = xp.from_onnx(_dense_model())
    x = xp.argument(shape=("batch", 3), dtype=xp.float32)
    y = xp.lax.cond(xp.sum(x) > 0, lambda: f(x)["p"], lambda: -f(x)["p"])
    model = xp.build({"x": x}, {"y": y})
    (if_node,) = [n for n in model.graph.node if n.op_type == "If"]
    for branch in if_node.attribute:
        assert "ArgMax" not in [n.op_type for n in branch.g.node]
    v = np.array([[1.0, 2.0, 3.0], [-4.0, 0.5, 0.0]], np.float32)
    (got,) = run_model(model, {"x": v})
    np.testing.assert_array_equal(got, np.asarray(f(xp.asarray(v))["p"]))


# -- selected outputs -----------------------------------------------------------------------------


def test_selected_outputs_on_an_empty_batch(fitted):
    pipe, X = fitted
    whole = xp.from_onnx(network(pipe))
    with pytest.raises(ValueError, match="from_onnx: the model failed"):
        whole(X=xp.asarray(X[:0]))  # skl2onnx's label branch refuses an empty batch
    net = xp.from_onnx(network(pipe), outputs=["probabilities"])
    assert net.output_names == ("probabilities",)
    assert net.input_names == ("X",)
    x = xp.argument(shape=("N", 4), dtype=xp.float32)
    out = net(x)
    assert list(out) == ["probabilities"]
    model = xp.build({"x": x}, {"p": out["probabilities"]})
    assert not {"ArrayFeatureExtractor", "ArgMax"} & {n.op_type for n in model.graph.node}
    assert {o.domain for o in model.opset_import} == {""}  # the label branch's ai.onnx.ml
    expected = pipe[-1].predict_proba(X[:7]).astype(np.float32)
    for n in (0, 1, 7):
        eager = np.asarray(net(X=xp.asarray(X[:n]))["probabilities"])
        (got,) = run_model(model, {"x": X[:n]})
        assert eager.shape == got.shape == (n, 3)
        np.testing.assert_array_equal(got, eager)
        np.testing.assert_allclose(eager, expected[:n], rtol=1e-5, atol=1e-6)


def test_selected_outputs_keep_the_order_given(fitted):
    pipe, X = fitted
    net = xp.from_onnx(network(pipe), outputs=["probabilities", "label"])
    assert net.output_names == ("probabilities", "label")
    out = net(xp.asarray(X[:4]))
    assert list(out) == ["probabilities", "label"]
    np.testing.assert_array_equal(np.asarray(out["label"]), pipe[-1].predict(X[:4]))


def test_selected_outputs_are_checked(fitted):
    pipe, _ = fitted
    with pytest.raises(ValueError, match=r"no outputs \['proba'\]; its outputs are "
                                         r"\['label', 'probabilities'\]"):
        xp.from_onnx(network(pipe), outputs=["proba"])
    with pytest.raises(ValueError, match="each selected output once"):
        xp.from_onnx(network(pipe), outputs=["label", "label"])
    with pytest.raises(ValueError, match="each selected output once"):
        xp.from_onnx(network(pipe), outputs=[])
    with pytest.raises(TypeError, match="outputs must be a list of output names"):
        xp.from_onnx(network(pipe), outputs="label")
    with pytest.raises(TypeError, match="output names"):
        xp.from_onnx(network(pipe), outputs=[0])


def test_selecting_drops_a_non_tensor_output():
    """Selecting the tensor outputs of a model that also has a sequence output."""
    nodes = [helper.make_node("Neg", ["x"], ["y"]),
             helper.make_node("SequenceConstruct", ["x", "y"], ["s"])]
    model = _model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n"])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n"]),
                    helper.make_value_info("s", helper.make_sequence_type_proto(
                        helper.make_tensor_type_proto(TensorProto.FLOAT, ["n"])))])
    with pytest.raises(TypeError, match="'s' is a sequence"):
        xp.from_onnx(model)
    f = xp.from_onnx(model, outputs=["y"])
    v = np.array([1.0, -0.0, np.inf], np.float32)
    got = np.asarray(f(xp.asarray(v))["y"])
    np.testing.assert_array_equal(got, -v)
    assert np.signbit(got[1]) == np.False_


# -- versions of a custom domain -----------------------------------------------------------------


def _label_encoder(version: int):
    """int64 ids -> positions (ai.onnx.ml LabelEncoder, int64 keys need version 2)."""
    if version == 1:
        node = helper.make_node("LabelEncoder", ["k"], ["v"], domain="ai.onnx.ml",
                                classes_strings=["a", "b"], default_int64=-1)
        in_type = TensorProto.STRING
    else:
        node = helper.make_node("LabelEncoder", ["k"], ["v"], domain="ai.onnx.ml",
                                keys_int64s=[2, 4, 7], values_int64s=[0, 1, 2],
                                default_int64=-1)
        in_type = TensorProto.INT64
    out_type = TensorProto.INT64
    return _model([node], [helper.make_tensor_value_info("k", in_type, ["n"])],
                  [helper.make_tensor_value_info("v", out_type, ["n"])],
                  extra_opsets=[helper.make_opsetid("ai.onnx.ml", version)])


@pytest.fixture(scope="module")
def linear():
    """A LogisticRegression exported by skl2onnx at ai.onnx.ml 1 (LinearClassifier)."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 3)).astype(np.float32)
    y = np.array([2, 4, 7])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]
    clf = LogisticRegression().fit(X, y)
    model = skl2onnx.to_onnx(clf, X[:1], options={"zipmap": False},
                             target_opset={"": 18, "ai.onnx.ml": 1})
    assert {o.domain: o.version for o in model.opset_import}["ai.onnx.ml"] == 1
    assert "LinearClassifier" in {n.op_type for n in model.graph.node}
    return clf, model, X


def test_a_custom_domain_is_raised_when_its_operators_did_not_change(linear):
    clf, model, X = linear
    classify, encode = xp.from_onnx(model), xp.from_onnx(_label_encoder(2))
    x = xp.argument(shape=("batch", 3), dtype=xp.float32)
    built = xp.build({"x": x}, {"v": encode(k=classify(X=x)["label"])["v"]})
    assert {o.domain: o.version for o in built.opset_import}["ai.onnx.ml"] == 2
    onnx.checker.check_model(built, full_check=True)
    for n in (1, 9, 60):
        (got,) = run_model(built, {"x": X[:n]})
        eager = np.asarray(encode(k=classify(X=xp.asarray(X[:n]))["label"])["v"])
        np.testing.assert_array_equal(got, eager)
        np.testing.assert_array_equal(got, np.searchsorted([2, 4, 7], clf.predict(X[:n])))


def test_a_custom_domain_is_raised_inside_a_local_function(linear):
    clf, model, X = linear
    classify, encode = xp.from_onnx(model), xp.from_onnx(_label_encoder(2))

    @xp.function
    def labels(x):
        return classify(X=x)["label"]

    x = xp.argument(shape=("batch", 3), dtype=xp.float32)
    built = xp.build({"x": x}, {"v": encode(k=labels(x))["v"]})
    (fn,) = built.functions
    assert {o.domain: o.version for o in fn.opset_import}["ai.onnx.ml"] == 2
    assert {o.domain: o.version for o in built.opset_import}["ai.onnx.ml"] == 2
    (got,) = run_model(built, {"x": X[:9]})
    eager = np.asarray(encode(k=labels(xp.asarray(X[:9])))["v"])
    np.testing.assert_array_equal(got, eager)
    np.testing.assert_array_equal(got, np.searchsorted([2, 4, 7], clf.predict(X[:9])))


def _tree_model(where: str):
    """y = -1 if x <= 0.5 else 1 by an ai.onnx.ml 1 TreeEnsembleRegressor (changed at
    ai.onnx.ml 3), at the top level, in an If branch or in a local function."""
    tree = helper.make_node(
        "TreeEnsembleRegressor", ["x"], ["y"], domain="ai.onnx.ml", n_targets=1,
        nodes_treeids=[0, 0, 0], nodes_nodeids=[0, 1, 2], nodes_featureids=[0, 0, 0],
        nodes_values=[0.5, 0.0, 0.0], nodes_modes=["BRANCH_LEQ", "LEAF", "LEAF"],
        nodes_truenodeids=[1, 0, 0], nodes_falsenodeids=[2, 0, 0],
        target_treeids=[0, 0], target_nodeids=[1, 2], target_ids=[0, 0],
        target_weights=[-1.0, 1.0])
    functions = []
    if where == "top":
        nodes = [tree]
    elif where == "branch":
        out = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 1])
        then = helper.make_graph([tree], "then", [], [out])
        other = helper.make_graph([helper.make_node("Neg", ["x"], ["y"])], "else", [], [out])
        nodes = [helper.make_node("Constant", [], ["c"], value=numpy_helper.from_array(
                     np.array(True))),
                 helper.make_node("If", ["c"], ["y"], then_branch=then, else_branch=other)]
    else:
        functions = [helper.make_function(
            "my.trees", "Tree", ["x"], ["y"], [tree],
            [helper.make_opsetid("", 18), helper.make_opsetid("ai.onnx.ml", 1)])]
        nodes = [helper.make_node("Tree", ["x"], ["y"], domain="my.trees")]
    return _model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 1])],
                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 1])],
                  functions=functions,
                  extra_opsets=[helper.make_opsetid("ai.onnx.ml", 1),
                                helper.make_opsetid("my.trees", 1)])


@pytest.mark.parametrize("where", ["top", "branch", "function"])
def test_a_changed_operator_of_a_custom_domain_is_refused(where):
    old = xp.from_onnx(_tree_model(where))
    new = xp.from_onnx(_model(  # Binarizer is the same at ai.onnx.ml 1 and 3
        [helper.make_node("Binarizer", ["x"], ["y"], domain="ai.onnx.ml", threshold=0.0)],
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 1])],
        extra_opsets=[helper.make_opsetid("ai.onnx.ml", 3)]))
    v = np.array([[0.25], [0.75], [-0.0]], np.float32)
    eager = np.asarray(new(x=old(x=xp.asarray(v))["y"])["y"])
    np.testing.assert_array_equal(eager, [[0.0], [1.0], [0.0]])
    x = xp.argument(shape=("n", 1), dtype=xp.float32)
    for first, second in ((old, new), (new, old)):  # the lower version seen first or last
        with pytest.raises(ValueError, match=r"opset 1 and opset 3 of domain 'ai.onnx.ml'.*"
                                             r"operator 'TreeEnsembleRegressor' changed between "
                                             r"them \(version 1 at opset 1, version 3 at opset "
                                             r"3\); convert the model"):
            xp.build({"x": x}, {"y": second(x=first(x=x)["y"])["y"]})
    # each alone exports at its own version
    for f, version in ((old, 1), (new, 3)):
        built = xp.build({"x": x}, {"y": f(x=x)["y"]})
        assert {o.domain: o.version for o in built.opset_import}["ai.onnx.ml"] == version
        (got,) = run_model(built, {"x": v})
        np.testing.assert_array_equal(got, np.asarray(f(x=xp.asarray(v))["y"]))


def test_an_operator_onnx_does_not_know_cannot_be_raised():
    def gelu(version):
        return xp.from_onnx(_model(
            [helper.make_node("FastGelu", ["x"], ["y"], domain="com.microsoft")],
            [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n"])],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n"])],
            extra_opsets=[helper.make_opsetid("com.microsoft", version)]))

    x = xp.argument(shape=("n",), dtype=xp.float32)
    with pytest.raises(ValueError, match=r"opset 1 and opset 2 of domain 'com.microsoft'.*"
                                         r"does not know its operator 'FastGelu'"):
        xp.build({"x": x}, {"y": gelu(2)(x=gelu(1)(x=x)["y"])["y"]})


def test_selecting_drops_the_functions_and_domains_only_dropped_nodes_use():
    square = helper.make_function("my.domain", "Square", ["a"], ["b"],
                                  [helper.make_node("Mul", ["a", "a"], ["b"])],
                                  [helper.make_opsetid("", 18)])
    w = numpy_helper.from_array(np.array([2.0, -3.0], np.float32), "w")
    nodes = [helper.make_node("Square", ["x"], ["s"], domain="my.domain"),
             helper.make_node("Mul", ["x", "w"], ["y"])]
    model = _model(nodes, [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 2])],
                   [helper.make_tensor_value_info("s", TensorProto.FLOAT, ["n", 2]),
                    helper.make_tensor_value_info("y", TensorProto.FLOAT, ["n", 2])],
                   [w], functions=[square], extra_opsets=[helper.make_opsetid("my.domain", 1)])
    v = np.array([[0.5, -1.0], [3.0, -0.0]], np.float32)
    x = xp.argument(shape=("rows", 2), dtype=xp.float32)
    for chosen, functions, domains, weights, expected in (
            (["y"], [], {""}, 1, v * np.array([2.0, -3.0], np.float32)),
            (["s"], ["Square"], {"", "my.domain"}, 0, v * v)):
        f = xp.from_onnx(model, outputs=chosen)
        built = xp.build({"x": x}, {"r": f(x)[chosen[0]]})
        assert [fn.name for fn in built.functions] == functions
        assert {o.domain for o in built.opset_import} == domains
        assert len(built.graph.initializer) == weights
        (got,) = run_model(built, {"x": v})
        eager = np.asarray(f(xp.asarray(v))[chosen[0]])
        np.testing.assert_array_equal(got, eager)
        np.testing.assert_array_equal(eager, expected)


@pytest.mark.parametrize("body", [
    helper.make_node("Mul", ["a", "a"], ["b"]),  # unchanged since opset 11: import raised
    helper.make_node("ReduceSum", ["a"], ["b"], axes=[0], keepdims=1),  # axes became an input
])
def test_local_functions_of_an_older_model_are_converted(body):
    fn = helper.make_function("my.domain", "Body", ["a"], ["b"], [body],
                              [helper.make_opsetid("", 11)])
    model = _model([helper.make_node("Body", ["x"], ["y"], domain="my.domain")],
                   [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n"])],
                   [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None])],
                   opset=11, functions=[fn], extra_opsets=[helper.make_opsetid("my.domain", 1)])
    f = xp.from_onnx(model)
    x = xp.argument(shape=("n",), dtype=xp.float32)
    built = xp.build({"x": x}, {"y": f(x)["y"]})
    (exported,) = built.functions
    assert {o.domain: o.version for o in exported.opset_import}[""] == 18
    onnx.checker.check_model(built, full_check=True)
    for v in (np.array([2.0, -3.0, 0.5], np.float32), np.zeros(0, np.float32)):
        (got,) = run_model(built, {"x": v})
        np.testing.assert_array_equal(got, np.asarray(f(xp.asarray(v))["y"]))


def test_a_skl2onnx_classifier_with_strings_lookup(linear):
    """The classifier (ai.onnx.ml 1) and lookup's LabelEncoder (ai.onnx.ml 2) in one model,
    the labels mapped to names, on batches of 0, 1 and 60 rows."""
    clf, model, X = linear
    classify = xp.from_onnx(model)
    names = ["two", "four", "seven"]

    def tag(x):
        return xp.strings.lookup(classify(X=x)["label"], [2, 4, 7], names, default="?")

    x = xp.argument(shape=("batch", 3), dtype=xp.float32)
    built = xp.build({"x": x}, {"tag": tag(x)})
    assert {o.domain: o.version for o in built.opset_import}["ai.onnx.ml"] == 2
    onnx.checker.check_model(built, full_check=True)
    import onnxruntime as ort

    sess = ort.InferenceSession(built.SerializeToString(), providers=["CPUExecutionProvider"])
    for n in (0, 1, 60):
        (got,) = sess.run(None, {"x": X[:n]})
        eager = np.asarray(tag(xp.asarray(X[:n])))
        assert got.tolist() == eager.tolist()
        assert got.tolist() == [names[[2, 4, 7].index(k)] for k in clf.predict(X)[:n]]
