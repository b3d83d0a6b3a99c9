"""float64 exp is a composite of operators that compute every element alike (onnxruntime's
float64 Exp kernel is not: see _elementary.exp). The same value gives the same bits at every
position of arrays of every shape, op by op, as a plan, under ``jit`` and exported (with sizes
known and unknown when recording, with and without onnxruntime's optimizations, on one
intra-op thread and on eight)."""

import numpy as np
import onnxruntime as ort
import pytest

import onnxarray as xp
from onnxarray import _plans

pytestmark = pytest.mark.usefixtures("sync_plans")

_SPECIAL = [0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, -5e-324, 1e-300, 1.0, -1.0,
            709.782712893384, 709.7827128933841, 710.0, -708.4, -709.9, -745.1332191019411,
            -745.1332191019412, -800.0, 1.7976931348622157e308, -1.7976931348622157e308]
_VALUES = np.concatenate([_SPECIAL, np.random.default_rng(3).uniform(-745.2, 709.8, 44),
                          np.random.default_rng(4).uniform(-1.0, 1.0, 16)])
SHAPES = [(), (1,), (2,), (3,), (7,), (8,), (9,), (17,), (2, 3), (3, 1), (1, 5), (4, 4),
          (2, 3, 3), (0,), (0, 3), (3, 0)]


def _alone_bits(values: np.ndarray) -> np.ndarray:
    """Each value's result computed alone (a 0-d array, op by op)."""
    return _bits([np.asarray(xp.exp.__wrapped_plain__(xp.asarray(v))) for v in values])


def _bits(a) -> np.ndarray:
    a = np.ascontiguousarray(np.asarray(a, dtype=np.float64))
    return np.where(np.isnan(a), np.nan, a).view(np.uint64)


EXPECTED = _alone_bits(_VALUES)


def _arrays(shape):
    """Arrays of ``shape`` holding each value at every position (one value per array)."""
    size = int(np.prod(shape))
    if size == 0:
        yield np.zeros(shape), np.zeros(shape, np.uint64)
        return
    for v, bits in zip(_VALUES, EXPECTED):
        yield np.full(shape, v), np.full(shape, bits, np.uint64)
    mixed = np.resize(np.arange(_VALUES.size), size).reshape(shape)  # values among others
    yield np.asarray(_VALUES[mixed]), np.asarray(EXPECTED[mixed])


def _exported(shape, names: bool, optimize: bool):
    dims = tuple(f"d{i}" for i in range(len(shape))) if names else shape
    x = xp.argument(shape=dims, dtype=xp.float64)
    model = xp.build({"x": x}, {"y": xp.exp(x)})
    so = ort.SessionOptions()
    if not optimize:
        so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    return lambda a: sess.run(None, {"x": a})[0]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_every_position_every_way(shape):
    jitted = xp.jit(xp.exp)
    ways = {f"exported{' with named sizes' if n else ''}{', optimized' if o else ''}":
            _exported(shape, n, o) for n in (False, True) for o in (False, True)}
    for a, want in _arrays(shape):
        x = xp.asarray(a)
        got = {"op by op": xp.exp.__wrapped_plain__(x), "jit": jitted(x),
               **{how: run(a) for how, run in ways.items()}}
        for _ in range(_plans.PROMOTE_AFTER):
            got["plan"] = xp.exp(x)
        for how, out in got.items():
            assert np.asarray(out).shape == shape, how
            bad = _bits(out) != want
            assert not bad.any(), (f"exp {how}, shape {shape}: {a[bad][:3]} -> "
                                   f"{np.asarray(out)[bad][:3]}")


def test_special_values():
    """exp(±0) = 1, exp(-inf) = +0, exp(+inf) = inf, NaN stays NaN; near the overflow and
    underflow thresholds (subnormal results down to the smallest) within 2 ulp of NumPy."""
    x = np.array([0.0, -0.0, -np.inf, np.inf, np.nan, 709.7827128933841, 710.0,
                  -746.0, -1e308])
    got = np.asarray(xp.exp(xp.asarray(x)))
    np.testing.assert_array_equal(got, [1.0, 1.0, 0.0, np.inf, np.nan, np.inf, np.inf, 0.0, 0.0])
    assert not np.signbit(got).any()
    near = np.array([709.782712893384, 709.78, 709.0, -708.39, -709.5, -740.0, -744.4,
                     -745.1332191019412, -745.1332191019411])
    got = np.asarray(xp.exp(xp.asarray(near)))
    np.testing.assert_array_max_ulp(got, np.exp(near), maxulp=2)
    assert got[-1] == 5e-324


def test_eight_threads_on_a_large_array():
    """A deployed model's session splits a large array among its threads; every element of
    every chunk still gives the bits of its value computed alone (the Exp kernel does not)."""
    x = xp.argument(shape=("N",), dtype=xp.float64)
    model = xp.build({"x": x}, {"y": xp.exp(x)})
    assert "Exp" not in {n.op_type for n in model.graph.node}
    options = ort.SessionOptions()
    options.intra_op_num_threads = 8
    sess = ort.InferenceSession(model.SerializeToString(), options,
                                providers=["CPUExecutionProvider"])
    n = 262_147
    got = _bits(sess.run(None, {"x": np.resize(_VALUES, n)})[0])
    assert (got == np.resize(EXPECTED, n)).all()
