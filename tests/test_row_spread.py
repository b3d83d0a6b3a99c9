"""Column layouts onnxruntime broadcasts row by row, slowly, and what the lowerings do about it.

Operands of shape (N, 1) against (N, C) with a short known C are spread along the last axis by
a MatMul with a row of ones before the operation: only where that cannot change a bit (the
operand holds no -0.0, the operation is a comparison, or the result goes into exp, where the
sign of a zero is moot). Scalars against (N, 1) take its rank. Every result has the bits of the
op-by-op calls, under ``jit`` and exported, with special values in every row and column."""

import numpy as np
import onnxruntime as ort
import pytest
from onnx import TensorProto

import onnxarray as xp

_SPECIAL = [0.0, -0.0, np.nan, np.inf, -np.inf, 1.0, -1.0, 0.5, -2.5, 3.0, 1e-310, -1e-310,
            1e308, -1e308, 7.0, -0.25, 1e-40, -1e-40]


def _canonical(a, exact: bool = False) -> np.ndarray:
    """The bits of ``a``, every NaN made the default one unless ``exact``."""
    a = np.ascontiguousarray(np.asarray(a))
    if not exact:
        a = np.where(np.isnan(a), np.asarray(np.nan, a.dtype), a)
    return a.view(f"u{a.dtype.itemsize}")


def _grid(dtype, columns: int):
    """(x, m): x of shape (n, columns) and m of shape (n, 1), every value of one meeting every
    value of the other."""
    v = np.array(_SPECIAL, dtype)
    n = v.size
    x = np.resize(v, (n * n, columns)) if columns else np.zeros((n * n, 0), dtype)
    x = np.roll(x, 1, axis=0)
    m = np.repeat(v, n)[:, None]
    return x.astype(dtype), m.astype(dtype)


def _all_ways(fn, x, m, ops_wanted=None, nan_bits: bool = True):
    """The bits of ``fn(x, m)`` op by op, under jit and exported (batch size named, columns
    known); the exported model's ops are checked against ``ops_wanted`` (a predicate). The
    NaNs' bits too with ``nan_bits``, but for the optimized model (its fusions pick other
    kernels, which keep another NaN of two)."""
    dt = getattr(xp, x.dtype.name)
    eager = fn(xp.asarray(x), xp.asarray(m))
    jitted = xp.jit(fn)(xp.asarray(x), xp.asarray(m))
    sx = xp.argument(shape=("N", x.shape[1]), dtype=dt)
    sm = xp.argument(shape=("N", 1), dtype=dt)
    model = xp.build({"x": sx, "m": sm}, {"y": fn(sx, sm)}, allow_unused_inputs=True)
    if ops_wanted is not None:
        ops = [n.op_type for n in model.graph.node]
        assert ops_wanted(ops), ops
    outs = {"jit": jitted}
    for level in (ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
                  ort.GraphOptimizationLevel.ORT_ENABLE_ALL):
        so = ort.SessionOptions()
        so.graph_optimization_level = level
        sess = ort.InferenceSession(model.SerializeToString(), so,
                                    providers=["CPUExecutionProvider"])
        outs[f"exported ({level.name})"] = sess.run(None, {"x": x, "m": m})[0]
    for how, out in outs.items():
        exact = nan_bits and "ENABLE" not in how
        bad = _canonical(out, exact) != _canonical(eager, exact)
        assert not bad.any(), f"{how}: {np.asarray(out)[bad][:4]} vs {np.asarray(eager)[bad][:4]}"
    return np.asarray(eager)


OPS = {"add": lambda a, b: a + b, "subtract": lambda a, b: a - b,
       "multiply": lambda a, b: a * b, "divide": lambda a, b: a / b}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("columns", [3, 16, 17])
def test_arithmetic_with_a_column(name, dtype, columns):
    """A column that may hold -0.0 is broadcast as it is; one that cannot (abs) is spread
    when the row is short; either side of the operation. Not for float32 Add and Mul, whose
    kernels keep another NaN of two by position (_ort_compat.SPREAD_NAN_ORDER)."""
    op = OPS[name]
    x, m = _grid(dtype, columns)
    spread = columns <= 16 and not (dtype == "float32" and name in ("add", "multiply"))

    def spreads(ops):
        return ("MatMul" in ops) == spread

    _all_ways(lambda a, b: op(a, b), x, m, lambda ops: "MatMul" not in ops)
    _all_ways(lambda a, b: op(a, xp.abs(b)), x, m, spreads)
    _all_ways(lambda a, b: op(xp.abs(b), a), x, m, spreads)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_exp_of_a_difference_with_a_column(dtype):
    """exp(x - m) and exp(x + m) spread m even where it may hold -0.0: only the sign of a zero
    difference can change, and exp(-0.0) == exp(+0.0) (but a float32 Add: see
    test_arithmetic_with_a_column)."""
    x, m = _grid(dtype, 3)
    out = _all_ways(lambda a, b: xp.exp(a - b), x, m, lambda ops: "MatMul" in ops)
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(out, np.exp(x - m), rtol=1e-6)
    _all_ways(lambda a, b: xp.exp(b + a), x, m,
              lambda ops: ("MatMul" in ops) == (dtype == "float64"))


def _softmax(z, _):
    e = xp.exp(z - xp.max(z, axis=1, keepdims=True))
    return e / xp.sum(e, axis=1, keepdims=True)


def _softmax_reshaped(z, _):  # as scikit-learn's utils.extmath.softmax writes it
    z = z - xp.reshape(xp.max(z, axis=1), (-1, 1))
    z = xp.exp(z)
    return z / xp.reshape(xp.sum(z, axis=1), (-1, 1))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("softmax", [_softmax, _softmax_reshaped])
def test_softmax_by_hand(softmax, dtype):
    """exp(z - max(z)) / sum(...) along short rows, NaN and infinities included: every row
    gives the op-by-op bits, NaNs' included; both broadcasts are spread, and the max keeps its
    NaN flag (without it, a row holding a NaN and an infinity gave NaNs of both signs, inf -
    inf, where op by op gives the flag's)."""
    x, _ = _grid(dtype, 5)
    clips = 2 if dtype == "float64" else 1  # the flag; float64 exp's Pow composite clips too
    out = _all_ways(softmax, x, x[:, :1],
                    lambda ops: ops.count("MatMul") == 2 and ops.count("Clip") == clips)
    finite = np.isfinite(x).all(axis=1)
    e = np.exp(x[finite] - x[finite].max(axis=1, keepdims=True))
    np.testing.assert_allclose(out[finite], e / e.sum(axis=1, keepdims=True), rtol=1e-6)
    assert np.isnan(out[np.isnan(x).any(axis=1)]).all()


def test_other_quotients_keep_the_nan_flag():
    """A sum over another axis, or a quotient by something else, keeps max's NaN flag."""
    x, _ = _grid("float64", 5)

    def by_columns(z, _):
        e = xp.exp(z - xp.max(z, axis=1, keepdims=True))
        return e / xp.sum(e, axis=0, keepdims=True)

    def by_max(z, _):
        m = xp.max(z, axis=1, keepdims=True)
        return xp.exp(z - m) / xp.abs(m)

    for fn in (by_columns, by_max):
        # NaNs aside: of NaNs of both signs, a sum over the rows keeps one by the order of
        # summation, which the session's thread count decides (one thread: eager's bits)
        _all_ways(fn, x, x[:, :1], lambda ops: "Clip" in ops, nan_bits=False)


COMPARISONS = {"equal": lambda a, b: a == b, "less": lambda a, b: a < b,
               "greater": lambda a, b: a > b, "less_equal": lambda a, b: a <= b,
               "greater_equal": lambda a, b: a >= b}


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(COMPARISONS))
def test_comparisons_with_a_column(name, dtype):
    """Comparisons read -0.0 as +0.0, so a column is spread even where it may hold -0.0."""
    op = COMPARISONS[name]
    x, m = _grid(dtype, 3)
    for fn in (lambda a, b: op(a, b), lambda a, b: op(b, a)):
        out = _all_ways(fn, x, m, lambda ops: "MatMul" in ops)
        np.testing.assert_array_equal(out, fn(x, m))
    x, m = _grid(dtype, 17)
    _all_ways(lambda a, b: op(a, b), x, m, lambda ops: "MatMul" not in ops)


SCALAR_OPS = {"add": lambda a: a + 0.5, "radd": lambda a: 0.5 + a, "subtract": lambda a: a - 2.0,
              "multiply": lambda a: a * -0.0, "divide": lambda a: 3.0 / a,
              "equal": lambda a: a == 0.0, "less": lambda a: a < 1.0,
              "where": lambda a: xp.where(a > 0.5, a, -0.0),
              "where scalar first": lambda a: xp.where(a > 0.5, 7.0, a),
              "log1p": lambda a: xp.log1p(a), "isfinite": lambda a: xp.isfinite(a),
              "add zero": lambda a: a + 0.0, "subtract zero": lambda a: a - 0.0,
              "multiply one": lambda a: 1.0 * a}


@pytest.mark.parametrize("name", sorted(SCALAR_OPS))
def test_column_with_a_scalar(name):
    """An (N, 1) array with a scalar: the scalar constant takes the array's rank (onnxruntime
    pairs an (N, 1) tensor with a 0-d one row by row, ten times slower); the bits stay."""
    fn = SCALAR_OPS[name]
    x, _ = _grid("float64", 1)
    _all_ways(lambda a, _: fn(a), x, x, None)
    sym = xp.argument(shape=("N", 1), dtype=xp.float64)
    model = xp.build({"x": sym}, {"y": fn(sym)})
    scalars = [t for t in model.graph.initializer if np.prod(t.dims) == 1
               and t.data_type == TensorProto.DOUBLE]
    assert scalars and all(len(t.dims) == 2 for t in scalars), [list(t.dims) for t in scalars]
