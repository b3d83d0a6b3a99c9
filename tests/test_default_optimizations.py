"""Exported models run with onnxruntime's default graph optimizations, as users run them, give
eager's bits: the lowerings avoid the rewrites that change results (see _ort_compat).
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper

import onnxarray as xp


def _run(model, feeds, optimize: bool):
    so = ort.SessionOptions()
    if not optimize:
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), so,
                                providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


@pytest.mark.parametrize("dtype", [xp.float32, xp.float64])
def test_reciprocal_times_a_value(dtype):
    def f(x, y):
        return (1.0 / x) * y, y * (1 / x), xp.divide(xp.ones_like(x), x) * y

    xs = xp.argument(shape=("N",), dtype=dtype)
    ys = xp.argument(shape=("N",), dtype=dtype)
    outs = f(xs, ys)
    model = xp.build({"x": xs, "y": ys}, {f"r{i}": o for i, o in enumerate(outs)})
    divides = [n for n in model.graph.node if n.op_type == "Div"]
    assert all(n.input[0] not in {i.name for i in model.graph.initializer} for n in divides)
    rng = np.random.default_rng(0)
    npdt = np.float32 if dtype == xp.float32 else np.float64
    x = rng.normal(size=1000).astype(npdt)
    y = rng.normal(size=1000).astype(npdt)
    x[:6] = [0.0, -0.0, np.inf, np.nan, np.finfo(npdt).smallest_subnormal, 3.0]
    eager = [np.asarray(o) for o in f(xp.asarray(x), xp.asarray(y))]
    np.testing.assert_array_equal(eager[0], (npdt(1) / x) * y)
    for optimize in (False, True):
        for got, want in zip(_run(model, {"x": x, "y": y}, optimize), eager):
            assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("name", ["svdvals", "eigvalsh", "svd", "eigh"])
def test_symmetric_and_singular_value_models(name):
    def f(a):
        if name == "svdvals":
            return (xp.linalg.svdvals(a),)
        if name == "eigvalsh":
            return (xp.linalg.eigvalsh(a + xp.matrix_transpose(a)),)
        if name == "svd":
            return tuple(xp.linalg.svd(a, full_matrices=False))
        return tuple(xp.linalg.eigh(a + xp.matrix_transpose(a)))

    a_s = xp.argument(shape=("B", "N", "N"), dtype=xp.float64)
    model = xp.build({"a": a_s}, {f"o{i}": o for i, o in enumerate(f(a_s))})
    for n in (2, 5, 9):
        a = np.random.default_rng(n).normal(size=(2, n, n))
        eager = [np.asarray(o) for o in f(xp.asarray(a))]
        for got, want in zip(_run(model, {"a": a}, optimize=True), eager):
            assert got.tobytes() == want.tobytes(), n


@pytest.mark.parametrize("dtype, bits", [(TensorProto.FLOAT, np.uint32),
                                         (TensorProto.DOUBLE, np.uint64)])
def test_reciprocal_has_the_bits_of_one_divided(dtype, bits):
    """The premise of recording 1 / x as Reciprocal: onnxruntime's kernel rounds it as Div."""
    one = helper.make_tensor("one", dtype, [], [1.0])
    graph = helper.make_graph(
        [helper.make_node("Reciprocal", ["x"], ["r"]), helper.make_node("Div", ["one", "x"],
                                                                         ["d"])],
        "g", [helper.make_tensor_value_info("x", dtype, None)],
        [helper.make_tensor_value_info("r", dtype, None),
         helper.make_tensor_value_info("d", dtype, None)], initializer=[one])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 8
    ftype = np.float32 if bits is np.uint32 else np.float64
    x = np.random.default_rng(1).integers(0, np.iinfo(bits).max, size=200_003, dtype=bits,
                                          endpoint=True).view(ftype)
    for offset in range(4):  # vector bodies and scalar tails
        r, d = _run(model, {"x": x[offset:]}, optimize=False)
        assert r.tobytes() == d.tobytes()


@pytest.mark.parametrize("k, n", [(2, 1), (20, 1), (300, 1), (16, 10), (129, 300), (300, 10),
                                  (1024, 16)])
@pytest.mark.parametrize("x_shape", [("N", None), (None,), ("B", 3, None)])
def test_float32_matmul_with_constant_weights(k, n, x_shape):
    """onnxruntime packs a constant 2-d float32 weight matrix when the session starts and sums
    in another order than with the matrix as an input, as eager runs it (a linear model's
    (k, 1) coefficients from k = 8 on): exported models keep eager's bits."""
    rng = np.random.default_rng(k * n)
    w_np = rng.normal(size=(k, n)).astype(np.float32)
    b_np = rng.normal(size=n).astype(np.float32)
    w, b = xp.asarray(w_np), xp.asarray(b_np)
    shape = tuple(k if d is None else d for d in x_shape)
    xs = xp.argument(shape=shape, dtype=xp.float32)
    model = xp.build({"x": xs}, {"y": xs @ w + b})
    for rows in (1, 5):  # one row: onnxruntime multiplies an input matrix as a vector
        x = rng.normal(size=tuple(rows if isinstance(d, str) else d for d in shape))
        x = x.astype(np.float32)
        eager = np.asarray(xp.asarray(x) @ w + b)
        np.testing.assert_allclose(eager, x @ w_np + b_np, rtol=1e-5, atol=1e-4)
        for optimize in (False, True):
            (got,) = _run(model, {"x": x}, optimize)
            assert got.shape == eager.shape and got.tobytes() == eager.tobytes()


@pytest.mark.parametrize("k", [3, 100, 300])
def test_float32_matmul_and_add_of_input_weights(k):
    """onnxruntime's MatMulAddFusion makes a Gemm of a MatMul and an Add; at one row the Gemm
    sums in another order than the MatMul (a vector product): exported models keep eager's
    bits."""
    rng = np.random.default_rng(k)
    b = xp.asarray(rng.normal(size=10).astype(np.float32))
    xs = xp.argument(shape=("N", k), dtype=xp.float32)
    ws = xp.argument(shape=(k, 10), dtype=xp.float32)
    model = xp.build({"x": xs, "w": ws}, {"y": xs @ ws + b, "v": xs @ ws[:, 0]})
    for rows in (1, 7):
        feeds = {"x": rng.normal(size=(rows, k)).astype(np.float32),
                 "w": rng.normal(size=(k, 10)).astype(np.float32)}
        x, w = xp.asarray(feeds["x"]), xp.asarray(feeds["w"])
        eager = [np.asarray(x @ w + b), np.asarray(x @ w[:, 0])]
        for optimize in (False, True):
            for got, want in zip(_run(model, feeds, optimize), eager):
                assert got.shape == want.shape and got.tobytes() == want.tobytes()


def _transposed_cases():
    t = xp.matrix_transpose
    return {
        "sum": lambda x: xp.sum(t(x), axis=1),
        "mean": lambda x: xp.mean(t(x), axis=-1, keepdims=True),
        "gram": lambda x: t(x) @ x,
        "exp-sum": lambda x: xp.sum(xp.exp(t(x)) * 2.0, axis=-1),
        "cumsum": lambda x: xp.cumulative_sum(xp.permute_dims(x, (1, 0)), axis=1),
        "3-d": lambda x: xp.sum(xp.permute_dims(xp.reshape(x, (x.shape[0], x.shape[1], 1)),
                                                (2, 1, 0)), axis=-1),
    }


@pytest.mark.parametrize("name", sorted(_transposed_cases()))
@pytest.mark.parametrize("dtype", [xp.float32, xp.float64])
@pytest.mark.parametrize("symbolic", [False, True])
def test_transpose_before_a_sum(name, dtype, symbolic):
    """onnxruntime's transpose optimizer folds a Transpose into a following reduction (and its
    MatMul fusion into a MatMul), which then sum in another order: exported models keep
    eager's bits."""
    f = _transposed_cases()[name]
    npdt = np.float32 if dtype == xp.float32 else np.float64
    rng = np.random.default_rng(0)
    for shape in [(5, 3), (50, 37), (7, 1000)]:
        xs = xp.argument(shape=("N", "M") if symbolic else shape, dtype=dtype)
        model = xp.build({"x": xs}, {"y": f(xs)})
        x = rng.normal(size=shape).astype(npdt)
        eager = np.asarray(f(xp.asarray(x)))
        for optimize in (False, True):
            (got,) = _run(model, {"x": x}, optimize)
            assert got.tobytes() == eager.tobytes(), shape


def test_float32_transpose_into_a_product():
    """In float32, a Transpose fused into either operand of a MatMul, however short the
    contraction, may change the GEMM kernel and the last bit (a qr of this 2 x 2 matrix did):
    exported models keep eager's bits."""
    a = np.array([[[2.0078125, -0.9921875], [-0.9921875, 2.0078125]]], np.float32)
    rng = np.random.default_rng(1)
    cases = [a] + [rng.normal(size=s).astype(np.float32)
                   for s in [(1, 2, 2), (3, 2), (2, 3), (4, 4), (3, 5, 3)]]
    products = {
        "qr": lambda x: tuple(xp.linalg.qr(x)),
        "right": lambda x: (x @ xp.matrix_transpose(x),),
        "left": lambda x: (xp.matrix_transpose(x) @ (x * 2.0),),
    }
    for x in cases:
        for name, f in products.items():
            for symbolic in (False, True):
                m, n = x.shape[-2:]  # (qr needs known sizes for a non-square matrix)
                tail = ("n", "n") if m == n else (m, n)
                shape = ("B",) * (x.ndim - 2) + tail if symbolic else x.shape
                xs = xp.argument(shape=shape, dtype=xp.float32)
                model = xp.build({"x": xs}, {f"o{i}": o for i, o in enumerate(f(xs))})
                eager = [np.asarray(o) for o in f(xp.asarray(x))]
                for optimize in (False, True):
                    for got, want in zip(_run(model, {"x": x}, optimize), eager):
                        assert got.tobytes() == want.tobytes(), (name, x.shape, symbolic)
