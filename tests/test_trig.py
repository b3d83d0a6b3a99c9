"""sin, cos and tan against mpmath, in ulps of the correctly rounded result, on the whole domain.

Points: the double (or float) closest to a multiple of pi/2 in every binade (found from the
continued fraction of 2**e * 2/pi, the known worst case 6381956970095103 * 2**797 among them),
the values nearest to k pi/2 for k up to 1e6 and far beyond with their neighbours, a sweep that
is uniform in the exponent over the whole range (subnormals included), and special values. The
same value must give the same bits at every position of arrays of length 1 to 17, and an
exported model (run by onnxruntime as recorded and with its default optimizations) the same
bits as eager calls. ``TRIG_SWEEP=<n>`` enlarges the random sweep (default 2000 per dtype).
"""

from __future__ import annotations

import os

import mpmath
import numpy as np
import onnx
import onnxruntime as ort
import pytest

import onnxarray as xp
from onnxarray import _trig

BOUND_ULP = 4.0
SWEEP = int(os.environ.get("TRIG_SWEEP", "2000"))
FUNCTIONS = {"sin": (xp.sin, mpmath.sin), "cos": (xp.cos, mpmath.cos),
             "tan": (xp.tan, mpmath.tan)}
FORMATS = {np.float64: (53, -1022, 1023), np.float32: (24, -126, 127)}  # precision, exponents
TABLE: dict[tuple[str, str], tuple[float, float]] = {}


def _exact(x: float):
    return mpmath.mpf(float(x))


def ulp_errors(got: np.ndarray, x: np.ndarray, reference) -> np.ndarray:
    """|got - f(x)| in ulps of f(x) in got's format (NaN where got is NaN, inf where got is
    finite and the reference is not)."""
    prec, emin, _ = FORMATS[got.dtype.type]
    out = np.empty(got.size)
    with mpmath.workprec(160):
        for i, (g, v) in enumerate(zip(got.ravel().tolist(), x.ravel().tolist())):
            if np.isnan(g):
                out[i] = np.nan
                continue
            t = reference(_exact(v))
            if t == 0:
                out[i] = 0.0 if g == 0 else np.inf
                continue
            e = max(int(mpmath.floor(mpmath.log(abs(t), 2))), emin)
            out[i] = float(abs(_exact(g) - t) / mpmath.ldexp(1, e - prec + 1))
    return out


_TWO_OVER_PI_BITS = 1500
with mpmath.workprec(_TWO_OVER_PI_BITS + 64):
    _TWO_OVER_PI = int(mpmath.floor(mpmath.ldexp(2 / mpmath.pi, _TWO_OVER_PI_BITS)))


def near_multiples_of_half_pi(dtype) -> np.ndarray:
    """In every binade above pi/4, a value m 2**e closest to a multiple of pi/2: m near the
    denominators of the convergents of frac(2**e 2/pi), in integer arithmetic on 4 prec bits."""
    prec, _, emax = FORMATS[dtype]
    lo, hi, bits = 2 ** (prec - 1), 2**prec, 4 * prec
    one = 1 << bits
    points = []
    for e in range(-prec, emax - prec + 2):
        alpha = (_TWO_OVER_PI >> (_TWO_OVER_PI_BITS - bits - e)) % one  # frac(2**e 2/pi)
        qs, num, den = [0, 1], one, alpha
        while qs[-1] < hi and den:
            a, r = divmod(num, den)
            num, den = den, r
            qs.append(a * qs[-1] + qs[-2])
        candidates = {c * q + d for q in qs[-4:] if q for c in range(max(1, lo // q),
                      min(hi // q, max(1, lo // q) + 3) + 1) for d in (-1, 0, 1)}
        best = min((m for m in candidates if lo <= m < hi),
                   key=lambda m, alpha=alpha: min(m * alpha % one, -m * alpha % one))
        points.append(np.ldexp(dtype(best), e))
    return np.array(points, dtype=dtype)


def near_k_half_pi(dtype, count: int, seed: int) -> np.ndarray:
    """fl(k pi/2) and its two neighbours for small k, k up to 1e6, and k far beyond."""
    _, _, emax = FORMATS[dtype]
    rng = np.random.default_rng(seed)
    ks = [*range(1, 40), 10**6, 10**6 - 1, 636619, 823549, 823550]
    ks += np.unique(np.geomspace(40, 1e6, count // 2).astype(np.int64)).tolist()
    ks += [int(mpmath.nint(mpmath.ldexp(mpmath.mpf(rng.random()) + 1, int(b))))
           for b in rng.integers(20, emax - 1, count // 2)]
    out = []
    with mpmath.workprec(emax + 128):
        for k in ks:
            v = dtype(float(k * mpmath.pi / 2)) if dtype is np.float64 else dtype(
                mpmath.nstr(k * mpmath.pi / 2, 40))
            if np.isfinite(v):
                out += [v, np.nextafter(v, dtype(0)), np.nextafter(v, dtype(np.inf))]
    return np.array(out, dtype=dtype)


def log_uniform(dtype, count: int, seed: int) -> np.ndarray:
    """Random values whose binary exponent is uniform over the whole range, subnormals and
    both signs included."""
    prec, emin, emax = FORMATS[dtype]
    rng = np.random.default_rng(seed)
    e = rng.integers(emin - prec + 1, emax + 1, count)
    m = rng.random(count) + 1.0
    v = np.ldexp(m, e).astype(dtype)  # subnormal results round to the format's grid
    return np.where(rng.random(count) < 0.5, -v, v)


SPECIAL = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, np.pi / 4, np.nextafter(np.pi / 4, 1),
           np.nextafter(np.pi / 4, 0), 1e22, 3.4e38]
SPECIAL64 = [6381956970095103 * 2.0**797, 1e300]


def cases(dtype) -> np.ndarray:
    finfo = np.finfo(dtype)
    tiny = [finfo.smallest_subnormal, finfo.smallest_subnormal * 3, finfo.tiny,
            finfo.tiny * (1 - finfo.eps), finfo.max, np.nextafter(finfo.max, 0)]
    special = SPECIAL + tiny + (SPECIAL64 if dtype is np.float64 else [])
    pts = [np.array(special, dtype=dtype), near_multiples_of_half_pi(dtype),
           near_k_half_pi(dtype, 400, 1), log_uniform(dtype, SWEEP, 2)]
    v = np.concatenate(pts)
    return np.concatenate([v, -v])


_CASES = {}


def case_values(dtype) -> np.ndarray:
    if dtype not in _CASES:
        _CASES[dtype] = cases(dtype)
    return _CASES[dtype]


def eager(fn, x: np.ndarray) -> np.ndarray:
    return np.asarray(fn(xp.asarray(x)))


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_within_bound_on_whole_domain(name, dtype):
    fn, reference = FUNCTIONS[name]
    x = case_values(dtype)
    got = eager(fn, x)
    assert got.dtype == dtype
    nan = ~np.isfinite(x)
    assert np.isnan(got[nan]).all(), f"{name} of inf/NaN must be NaN"
    err = ulp_errors(got[~nan], x[~nan], reference)
    assert not np.isnan(err).any(), f"{name}: NaN for finite input {x[~nan][np.isnan(err)]}"
    worst = int(np.argmax(err))
    TABLE[(name, np.dtype(dtype).name)] = (float(err[worst]), float(x[~nan][worst]))
    print(f"\n{name} {np.dtype(dtype).name}: max {err[worst]:.6f} ulp at "
          f"{x[~nan][worst]!r} over {err.size} points")
    claimed = _trig.MEASURED_ULP[name.capitalize()][np.dtype(dtype).name]  # in the docstring
    assert claimed <= BOUND_ULP
    assert err[worst] <= claimed, (name, x[~nan][worst], got[~nan][worst])


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_special_values(dtype):
    finfo = np.finfo(dtype)
    tiny = np.array([finfo.smallest_subnormal, 1e-310 if dtype is np.float64 else 1e-40,
                     finfo.tiny, 1e-20, 2.0**-27], dtype=dtype)
    tiny = np.concatenate([tiny, -tiny])
    for name in ("sin", "tan"):  # odd: x itself below 2**-27, sign of zero kept
        fn = FUNCTIONS[name][0]
        np.testing.assert_array_equal(eager(fn, tiny), tiny)
        zeros = eager(fn, np.array([0.0, -0.0], dtype=dtype))
        assert zeros.tolist() == [0.0, 0.0] and np.signbit(zeros).tolist() == [False, True]
    np.testing.assert_array_equal(eager(xp.cos, tiny), np.ones_like(tiny))
    np.testing.assert_array_equal(eager(xp.cos, np.array([0.0, -0.0], dtype=dtype)), [1, 1])
    for fn, _ in FUNCTIONS.values():
        assert np.isnan(eager(fn, np.array([np.inf, -np.inf, np.nan], dtype=dtype))).all()
        assert eager(fn, np.zeros((0, 3), dtype=dtype)).shape == (0, 3)
        scalar = eager(fn, np.asarray(dtype(0.5)))
        assert scalar.shape == () and scalar.dtype == dtype


def test_known_values():
    assert eager(xp.sin, np.array([np.pi]))[0] == 1.2246467991473532e-16
    assert eager(xp.tan, np.array([np.pi / 2]))[0] == 1.633123935319537e16
    assert eager(xp.sin, np.array([1e22]))[0] == -0.8522008497671888
    assert eager(xp.cos, np.array([6381956970095103 * 2.0**797]))[0] == -4.687165924254628e-19


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_same_bits_at_every_position(name, dtype):
    fn = FUNCTIONS[name][0]
    values = np.concatenate([np.array([np.pi, np.pi / 2, -np.pi, 3 * np.pi / 2, -0.0, 1e22],
                                      dtype=dtype), near_multiples_of_half_pi(dtype)[-40::10],
                             near_k_half_pi(dtype, 4, 3)[:6], log_uniform(dtype, 2, 4)])
    alone = np.concatenate([eager(fn, values[i:i + 1]) for i in range(values.size)])
    m = values.size
    for n in range(1, 18):
        for shift in range(m):
            idx = (np.arange(n) + shift) % m
            got = eager(fn, values[idx])
            np.testing.assert_array_equal(got.view(_UINT[dtype]), alone[idx].view(_UINT[dtype]),
                                          err_msg=f"{name}: length {n}, shift {shift}")


_UINT = {np.float64: np.uint64, np.float32: np.uint32}


def _run(model: onnx.ModelProto, x: np.ndarray, level) -> np.ndarray:
    so = ort.SessionOptions()
    so.graph_optimization_level = level
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    return sess.run(None, {"x": x})[0]


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_exported_model_gives_eager_bits(name, dtype):
    fn = FUNCTIONS[name][0]
    x = case_values(dtype)
    a = xp.argument(shape=("N",), dtype=getattr(xp, np.dtype(dtype).name))
    model = xp.build({"x": a}, {"y": fn(a)})
    onnx.checker.check_model(model, full_check=True)
    want = eager(fn, x).view(_UINT[dtype])
    for level in (ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
                  ort.GraphOptimizationLevel.ORT_ENABLE_ALL):
        got = _run(model, x, level)
        np.testing.assert_array_equal(got.view(_UINT[dtype]), want, err_msg=str(level))


def test_words_of_two_over_pi():
    with mpmath.workprec(1300):
        bits = int(mpmath.floor(mpmath.ldexp(2 / mpmath.pi, 24 * len(_trig.TWO_OVER_PI_WORDS))))
    words = [(bits >> (24 * i)) & 0xFFFFFF for i in range(len(_trig.TWO_OVER_PI_WORDS))][::-1]
    assert tuple(words) == _trig.TWO_OVER_PI_WORDS


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_graph_size(dtype):
    """The shared reduction keeps sin and cos of one argument close to one function's size."""
    a = xp.argument(shape=("N",), dtype=getattr(xp, dtype))
    sizes = {name: len(xp.build({"x": a}, {"y": fn(a)}).graph.node)
             for name, (fn, _) in FUNCTIONS.items()}
    both = len(xp.build({"x": a}, {"s": xp.sin(a), "c": xp.cos(a)}).graph.node)
    print(f"\n{dtype} nodes: {sizes}, sin and cos together: {both}")
    assert max(sizes.values()) <= 100
    assert both <= sizes["sin"] + 10


def test_kernels_alone_on_the_reduced_range():
    """sin_cos_small, for composites that need sin and cos of |y| <= pi/4 (no reduction)."""
    from onnxarray._array_object import Array
    from onnxarray._dtypes import float64
    from onnxarray._ops import const

    y = np.concatenate([np.linspace(-np.pi / 4, np.pi / 4, 301), [0.0, -0.0, 5e-324, -1e-300]])
    s, c = _trig.sin_cos_small(const(y.reshape(5, 61), float64))
    s, c = np.asarray(Array._new(s)).ravel(), np.asarray(Array._new(c)).ravel()
    assert np.array_equal(s[-4:], y[-4:]) and (c[-4:] == 1).all()  # sin(-0.0) is +0.0 here
    assert ulp_errors(s, y, mpmath.sin).max() <= 0.75
    assert ulp_errors(c, y, mpmath.cos).max() <= 0.75


@pytest.mark.parametrize("shape", [(), ("N", 3), (2, "M", 1)], ids=["0d", "N3", "2M1"])
def test_exported_model_of_any_rank(shape):
    x = np.random.default_rng(5).standard_normal(24) * 10.0 ** np.arange(-11, 13)
    concrete = {(): x[:1].reshape(()), ("N", 3): x.reshape(8, 3), (2, "M", 1): x.reshape(2, 12, 1)}
    data = concrete[shape]
    a = xp.argument(shape=shape, dtype=xp.float64)
    model = xp.build({"x": a}, {"s": xp.sin(a), "c": xp.cos(a), "t": xp.tan(a)})
    for level in (ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
                  ort.GraphOptimizationLevel.ORT_ENABLE_ALL):
        so = ort.SessionOptions()
        so.graph_optimization_level = level
        outs = ort.InferenceSession(model.SerializeToString(), so,
                                    providers=["CPUExecutionProvider"]).run(None, {"x": data})
        for got, fn in zip(outs, (xp.sin, xp.cos, xp.tan)):
            want = eager(fn, data)
            assert got.shape == want.shape == data.shape
            np.testing.assert_array_equal(got.view(np.uint64), want.view(np.uint64))


def test_jit_gives_eager_bits():
    x = case_values(np.float64)
    for name, (fn, _) in FUNCTIONS.items():
        got = np.asarray(xp.jit(fn)(xp.asarray(x)))
        np.testing.assert_array_equal(got.view(np.uint64), eager(fn, x).view(np.uint64),
                                      err_msg=name)
