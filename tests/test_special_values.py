"""Special values of every real elementwise function against the standard's special cases.

The grid is ±0, ±inf, NaN, ±the smallest subnormal, ±a subnormal, ±the smallest normal, ±1,
±0.5, ±2.5, ±3 and ±the largest finite value, for both float dtypes (all pairs for binary
functions). The rules are the ones the standard lists in each function's docstring (2024.12),
written here as functions of the arguments that return the required result, or None where the
standard leaves the value to the function's definition. "approximately" results (pi/2, ...) are
accepted within one ulp; zeros must have the required sign where the standard names one.
Each result is also computed by the exported model under onnxruntime's default
optimizations, which must give the same bits. A count of mismatches per function is printed at
the end of the run.
"""

from __future__ import annotations

import math

import numpy as np
import onnxruntime as ort
import pytest

import onnxarray as xp

NAN, INF, PI = math.nan, math.inf, math.pi
MISMATCHES: dict[str, int] = {}


def _grid(dtype: str) -> np.ndarray:
    fi = np.finfo(dtype)
    sub = 1e-310 if dtype == "float64" else 1e-40
    v = [0.0, INF, fi.smallest_subnormal, sub, fi.tiny, 1.0, 0.5, 2.5, 3.0, fi.max]
    return np.array([NAN] + v + [-x for x in v], dtype=dtype)


def _is_int(x: float) -> bool:
    return math.isfinite(x) and x == math.floor(x)


def _odd_int(x: float) -> bool:
    return _is_int(x) and abs(x) < 2**53 and int(x) % 2 == 1


def _neg(x: float) -> bool:
    return math.copysign(1.0, x) < 0


class Approx(float):
    """A result the standard gives as "approximately" this value."""


def _pos_zero(x):
    return x == 0 and not _neg(x)


def _neg_zero(x):
    return x == 0 and _neg(x)


# -- unary rules: f(x) -> required result or None ---------------------------------------------


def _zeros_kept(x):
    return x if x == 0 else None


def _rounding(x):
    if math.isnan(x):
        return NAN
    return x if (math.isinf(x) or _is_int(x)) else None


def _log_like(x, one=1.0):
    if math.isnan(x) or x < 0:
        return NAN
    if x == 0:
        return -INF
    if x == one:
        return 0.0
    return INF if x == INF else None


UNARY = {
    "abs": lambda x: NAN if math.isnan(x) else (abs(x) if x == 0 or math.isinf(x) else None),
    "acos": lambda x: NAN if math.isnan(x) or abs(x) > 1 else (0.0 if x == 1 else None),
    "acosh": lambda x: NAN if math.isnan(x) or x < 1 else (
        0.0 if x == 1 else (INF if x == INF else None)),
    "asin": lambda x: NAN if math.isnan(x) or abs(x) > 1 else _zeros_kept(x),
    "asinh": lambda x: NAN if math.isnan(x) else (x if x == 0 or math.isinf(x) else None),
    "atan": lambda x: NAN if math.isnan(x) else (
        x if x == 0 else (Approx(math.copysign(PI / 2, x)) if math.isinf(x) else None)),
    "atanh": lambda x: NAN if math.isnan(x) or abs(x) > 1 else (
        math.copysign(INF, x) if abs(x) == 1 else _zeros_kept(x)),
    "ceil": _rounding,
    "cos": lambda x: NAN if math.isnan(x) or math.isinf(x) else (1.0 if x == 0 else None),
    "cosh": lambda x: NAN if math.isnan(x) else (
        1.0 if x == 0 else (INF if math.isinf(x) else None)),
    "exp": lambda x: NAN if math.isnan(x) else (
        1.0 if x == 0 else (INF if x == INF else (0.0 if x == -INF else None))),
    "expm1": lambda x: NAN if math.isnan(x) else (
        x if x == 0 or x == INF else (-1.0 if x == -INF else None)),
    "floor": _rounding,
    "log": _log_like,
    "log1p": lambda x: NAN if math.isnan(x) or x < -1 else (
        -INF if x == -1 else (x if x == 0 or x == INF else None)),
    "log2": _log_like,
    "log10": _log_like,
    "negative": lambda x: NAN if math.isnan(x) else -x,
    "positive": lambda x: x,
    "reciprocal": lambda x: NAN if math.isnan(x) else (
        math.copysign(INF, x) if x == 0 else (math.copysign(0.0, x) if math.isinf(x) else None)),
    "round": _rounding,
    "sign": lambda x: NAN if math.isnan(x) else (
        Approx(0.0) if x == 0 else (1.0 if x > 0 else -1.0)),
    "sin": lambda x: NAN if math.isnan(x) or math.isinf(x) else _zeros_kept(x),
    "sinh": lambda x: NAN if math.isnan(x) else (x if x == 0 or math.isinf(x) else None),
    "sqrt": lambda x: NAN if math.isnan(x) or x < 0 else (x if x == 0 or x == INF else None),
    "square": lambda x: NAN if math.isnan(x) else (INF if math.isinf(x) else (
        0.0 if x == 0 else None)),
    "tan": lambda x: NAN if math.isnan(x) or math.isinf(x) else _zeros_kept(x),
    "tanh": lambda x: NAN if math.isnan(x) else (
        x if x == 0 else (math.copysign(1.0, x) if math.isinf(x) else None)),
    "trunc": _rounding,
}


# -- binary rules ---------------------------------------------------------------------------


def _atan2(y, x):
    if math.isnan(x) or math.isnan(y):
        return NAN
    if y == 0 and (x > 0 or _pos_zero(x)):
        return y
    if y == 0:
        return Approx(math.copysign(PI, y))
    if math.isinf(y) and math.isinf(x):
        return Approx(math.copysign(PI / 4 if x > 0 else 3 * PI / 4, y))
    if math.isinf(y) or x == 0:
        return Approx(math.copysign(PI / 2, y))
    if x == INF:
        return math.copysign(0.0, y)
    if x == -INF:
        return Approx(math.copysign(PI, y))
    return None


def _pow(a, b):
    if b == 0:
        return 1.0
    if math.isnan(a) or math.isnan(b):
        return 1.0 if a == 1 else NAN
    if a == 1:
        return 1.0
    if math.isinf(b):
        if abs(a) == 1:
            return 1.0
        return (INF if b > 0 else 0.0) if abs(a) > 1 else (0.0 if b > 0 else INF)
    if a == INF:
        return INF if b > 0 else 0.0
    if a == -INF:
        return (-INF if _odd_int(b) else INF) if b > 0 else (-0.0 if _odd_int(b) else 0.0)
    if _pos_zero(a):
        return 0.0 if b > 0 else INF
    if _neg_zero(a):
        return (-0.0 if _odd_int(b) else 0.0) if b > 0 else (-INF if _odd_int(b) else INF)
    if a < 0 and not _is_int(b):
        return NAN
    return None


def _hypot(a, b):
    if math.isinf(a) or math.isinf(b):
        return INF
    if math.isnan(a) or math.isnan(b):
        return NAN
    if a == 0 or b == 0:
        return abs(b) if a == 0 else abs(a)
    return None


def _logaddexp(a, b):
    if math.isnan(a) or math.isnan(b):
        return NAN
    return INF if INF in (a, b) else None


def _copysign(a, b):
    if math.isnan(a):
        return NAN
    if math.isnan(b):
        return None  # the sign bit of a NaN decides
    return math.copysign(abs(a), b)


def _nextafter(a, b):
    if math.isnan(a) or math.isnan(b):
        return NAN
    return b if a == b else None


def _remainder(a, b):
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or b == 0:
        return NAN
    if a == 0:
        return math.copysign(0.0, b) if not math.isnan(b) else None
    if b == INF:
        return a if a > 0 else INF
    if b == -INF:
        return a if a < 0 else -INF
    return None


def _floor_divide(a, b):
    if math.isnan(a) or math.isnan(b) or (math.isinf(a) and math.isinf(b)) or (a == 0 == b):
        return NAN
    sign = -1.0 if _neg(a) != _neg(b) else 1.0
    if a == 0:
        return math.copysign(0.0, sign)
    if b == 0 or math.isinf(a):
        return math.copysign(INF, sign)
    if math.isinf(b):
        return math.copysign(0.0, sign)
    return None


def _ieee(fn):
    def rule(a, b):
        with np.errstate(all="ignore"):
            return float(fn(np.float64(a), np.float64(b)))
    return rule


def _extremum(a, b):
    return NAN if math.isnan(a) or math.isnan(b) else None


BINARY = {
    "add": _ieee(np.add), "subtract": _ieee(np.subtract), "multiply": _ieee(np.multiply),
    "divide": _ieee(np.divide), "pow": _pow, "atan2": _atan2, "hypot": _hypot,
    "logaddexp": _logaddexp, "copysign": _copysign, "nextafter": _nextafter,
    "remainder": _remainder, "floor_divide": _floor_divide, "maximum": _extremum,
    "minimum": _extremum,
}


def _agrees(got: float, want, dtype: str) -> bool:
    if math.isnan(want):
        return math.isnan(got)
    if isinstance(want, Approx):
        w = float(np.asarray(float(want), dtype))
        if w == 0:
            return got == 0
        return abs(got - w) <= float(np.spacing(np.asarray(abs(w), dtype)))
    with np.errstate(over="ignore"):  # an exact result past the largest finite rounds to inf
        w = float(np.asarray(want, dtype))
    return got == w and (w != 0 or _neg(got) == _neg(w))


def _check(name: str, dtype: str, got: np.ndarray, args: list[np.ndarray], rule) -> list:
    bad = []
    for i in range(got.size):
        want = rule(*[float(a[i]) for a in args])
        if want is not None and not _agrees(float(got[i]), want, dtype):
            bad.append((*[float(a[i]) for a in args], float(got[i]), float(want)))
    MISMATCHES[name] = MISMATCHES.get(name, 0) + len(bad)
    return bad


def _same_bits_exported(fn, args: list[np.ndarray], eager: np.ndarray, what: str) -> None:
    syms = {f"x{i}": xp.argument(shape=("N",), dtype=getattr(xp, a.dtype.name))
            for i, a in enumerate(args)}
    model = xp.build(syms, {"y": fn(*syms.values())})
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    got = sess.run(None, {f"x{i}": a for i, a in enumerate(args)})[0]
    uint = np.uint32 if got.dtype == np.float32 else np.uint64
    same = np.where(np.isnan(eager), np.isnan(got), got.view(uint) == eager.view(uint))
    assert same.all(), f"{what}: exported differs at {[a[~same][:4] for a in args]}"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_special_values(name, dtype):
    x = _grid(dtype)
    got = np.asarray(getattr(xp, name)(xp.asarray(x)))
    bad = _check(name, dtype, got, [x], UNARY[name])
    assert not bad, f"{name}({dtype}): (x, got, required) {bad[:6]}"
    _same_bits_exported(getattr(xp, name), [x], got, f"{name}({dtype})")


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_special_values(name, dtype):
    g = _grid(dtype)
    a, b = np.repeat(g, g.size), np.tile(g, g.size)
    got = np.asarray(getattr(xp, name)(xp.asarray(a), xp.asarray(b)))
    bad = _check(name, dtype, got, [a, b], BINARY[name])
    assert not bad, f"{name}({dtype}): (x1, x2, got, required) {bad[:6]}"
    _same_bits_exported(getattr(xp, name), [a, b], got, f"{name}({dtype})")


def special_values_table() -> str:
    if not MISMATCHES:
        return ""
    return "\n".join(f"{n:13s} {c:6d}" for n, c in sorted(MISMATCHES.items()))
