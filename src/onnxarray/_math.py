"""Composite lowerings of elementwise functions that ONNX has no single operator for.

Each works on graph Values, so the same formula runs eagerly and in exported models. Special
values (NaN, infinities, signed zeros) follow the standard's special cases.
"""

from __future__ import annotations

import math

import numpy as np

from . import _dtypes as D
from . import _ops, _trig
from ._graph import Value

__all__ = ["trunc", "full_bool", "isfinite", "signbit", "expm1", "log1p", "log_base",
           "shift_left", "shift_right", "int_floor_divide", "float_floor_divide",
           "int_remainder", "float_remainder", "int_pow", "atan2", "copysign", "hypot",
           "logaddexp", "nextafter"]

_UNSIGNED_OF = {D.int8: D.uint8, D.int16: D.uint16, D.int32: D.uint32, D.int64: D.uint64}


def _c(value, like: Value) -> Value:
    return _ops.const(value, like.dtype)


def _b(op: str, a: Value, b: Value) -> Value:
    return _ops.binary(op, a, b, D.bool)


def _where(cond, a, b) -> Value:
    """Select; onnxruntime's float Where turns a -0 taken from ``a`` into +0 (a -0 from ``b``
    survives), so every formula here passes values that may be -0 as ``b``."""
    return _ops.where(cond, a, b)


def _or(a, b) -> Value:
    return _ops.binary("Or", a, b)


def _and(a, b) -> Value:
    return _ops.binary("And", a, b)


def _isnan(v) -> Value:
    return _ops.unary("IsNaN", v, D.bool)


def _isinf(v) -> Value:
    return _ops.unary("IsInf", v, D.bool)


def trunc(v: Value) -> Value:
    """floor(x) for x > 0, else -floor(-x) (which keeps the sign of zeros; see _where)."""
    neg = _ops.unary("Neg", _ops.unary("Floor", _ops.unary("Neg", v)))
    return _where(_b("Greater", v, _c(0, v)), _ops.unary("Floor", v), neg)


def full_bool(v: Value, value: bool) -> Value:
    """A bool array of ``v``'s shape filled with ``value``."""
    if v.data is not None:
        return _ops.const(np.full(v.data.shape, value), D.bool)
    return _ops.expand_to(_ops.const(value, D.bool), _ops.shape_of(v), v.shape)


def isfinite(v: Value) -> Value:
    return _ops.unary("Not", _or(_isnan(v), _isinf(v)))


def signbit(v: Value) -> Value:
    """Sign bit of a float: x < 0, or x is a zero whose reciprocal is -inf.

    Without a bit-cast operator at the target opset the sign of a NaN cannot be read; NaNs
    report False.
    """
    zero = _c(0, v)
    neg_zero = _and(_b("Equal", v, zero),
                    _b("Less", _ops.binary("Div", _c(1, v), v), zero))
    return _or(_b("Less", v, zero), neg_zero)


def copysign(mag: Value, sgn: Value) -> Value:
    a = _ops.unary("Abs", mag)
    return _where(_ops.negate(signbit(sgn)), a, _ops.unary("Neg", a))


def expm1(v: Value) -> Value:
    """exp(x) - 1 accurate near 0: (u - 1) * x / log(u) with u = exp(x) (Kahan's trick)."""
    u = _ops.unary("Exp", v)
    one = _c(1, v)
    um1 = _ops.binary("Sub", u, one)
    ratio = _ops.binary("Div", _ops.binary("Mul", um1, v), _ops.unary("Log", u))
    out = _where(_b("Equal", um1, _c(-1, v)), um1, ratio)
    out = _where(_ops.negate(_b("Equal", u, one)), out, v)
    return _where(_isinf(u), u, out)  # exp overflowed (or x = +inf): the result is +inf


def log1p(v: Value) -> Value:
    """log(1 + x) accurate near 0: log(u) * x / (u - 1) with u = 1 + x."""
    one = _c(1, v)
    u = _ops.binary("Add", one, v)
    ratio = _ops.binary("Div", _ops.binary("Mul", _ops.unary("Log", u), v),
                        _ops.binary("Sub", u, one))
    out = _where(_ops.negate(_b("Equal", u, one)), ratio, v)
    out = _where(_b("Equal", u, _c(0, v)), _c(-math.inf, v), out)
    return _where(_b("Equal", v, _c(math.inf, v)), v, out)


def log_base(v: Value, base: float) -> Value:
    return _ops.binary("Div", _ops.unary("Log", v), _c(math.log(base), v))


# -- bit shifts ---------------------------------------------------------------------------------


def _as_unsigned(v: Value) -> Value:
    return _ops.cast(v, _UNSIGNED_OF.get(v.dtype, v.dtype))


def _logical_shift(v: Value, s: Value, direction: str) -> Value:
    """Shift with ONNX BitShift (unsigned only); shifts >= the bit width give 0."""
    uv, us = _as_unsigned(v), _as_unsigned(s)
    bits = _ops.const(v.dtype.bits, us.dtype)
    too_far = _b("GreaterOrEqual", us, bits)
    safe = _where(too_far, _ops.const(0, us.dtype), us)
    shifted = _ops.binary("BitShift", uv, safe, attrs=(("direction", direction),))
    out = _where(too_far, _ops.const(0, uv.dtype), shifted)
    return _ops.cast(out, v.dtype)


def _nonnegative_shift(s: Value) -> Value:
    if s.dtype.kind == "i":  # negative shifts are undefined: treat them as 0
        return _ops.binary("Max", s, _c(0, s))
    return s


def shift_left(v: Value, s: Value) -> Value:
    return _logical_shift(v, _nonnegative_shift(s), "LEFT")


def shift_right(v: Value, s: Value) -> Value:
    """Arithmetic shift for signed integers: ~((~x) >> s) for negative x."""
    s = _nonnegative_shift(s)
    if v.dtype.kind == "u":
        return _logical_shift(v, s, "RIGHT")
    neg = _b("Less", v, _c(0, v))
    flipped = _ops.unary("BitwiseNot", v)
    return _where(neg, _ops.unary("BitwiseNot", _logical_shift(flipped, s, "RIGHT")),
                  _logical_shift(v, s, "RIGHT"))


# -- division -----------------------------------------------------------------------------------


def _safe_int_divisor(a: Value, b: Value) -> tuple[Value, Value]:
    """Divisor with 0 (and -1, whose INT_MIN quotient traps) replaced by 1, and the 0 mask."""
    zero = _b("Equal", b, _c(0, b))
    bad = zero
    if b.dtype.kind == "i":
        bad = _or(zero, _b("Equal", b, _c(-1, b)))
    return _where(bad, _c(1, b), b), zero


def int_floor_divide(a: Value, b: Value) -> Value:
    """Python's floor division on integers; division by zero gives 0 (unspecified)."""
    safe, zero = _safe_int_divisor(a, b)
    q = _ops.binary("Div", a, safe)  # truncates toward zero
    if a.dtype.kind == "i":
        r = _ops.binary("Sub", a, _ops.binary("Mul", q, safe))
        adjust = _ops.unary("Not", _b("Equal", r, _c(0, r)))
        signs_differ = _ops.binary("Xor", _b("Less", r, _c(0, r)), _b("Less", safe, _c(0, b)))
        q = _where(_and(adjust, signs_differ), _ops.binary("Sub", q, _c(1, q)), q)
        q = _where(_b("Equal", b, _c(-1, b)), _ops.unary("Neg", a), q)
    return _where(zero, _c(0, q), q)


def int_remainder(a: Value, b: Value) -> Value:
    """Python's modulo (sign of the divisor) on integers; x % 0 gives 0 (unspecified)."""
    safe, zero = _safe_int_divisor(a, b)
    r = _ops.binary("Mod", a, safe, attrs=(("fmod", 0),))
    return _where(zero, _c(0, r), r)


def float_remainder(a: Value, b: Value) -> Value:
    """Python's float modulo: fmod, moved into the divisor's sign; zero results take its sign."""
    r = _ops.binary("Mod", a, b, attrs=(("fmod", 1),))
    zero = _c(0, r)
    fix = _and(_ops.unary("Not", _b("Equal", r, zero)),
               _ops.binary("Xor", _b("Less", r, zero), _b("Less", b, zero)))
    r = _where(fix, _ops.binary("Add", r, b), r)
    return _where(_ops.negate(_b("Equal", r, zero)), r, copysign(zero, b))


def float_floor_divide(a: Value, b: Value) -> Value:
    """Python's float floor division (CPython's float_floor_div), IEEE results elsewhere."""
    zero = _c(0, a)
    mod = _ops.binary("Mod", a, b, attrs=(("fmod", 1),))
    div = _ops.binary("Div", _ops.binary("Sub", a, mod), b)
    fix = _and(_ops.unary("Not", _b("Equal", mod, zero)),
               _ops.binary("Xor", _b("Less", b, zero), _b("Less", mod, zero)))
    div = _where(fix, _ops.binary("Sub", div, _c(1, a)), div)
    floordiv = _ops.unary("Floor", div)
    floordiv = _where(_b("Greater", _ops.binary("Sub", div, floordiv), _c(0.5, a)),
                      _ops.binary("Add", floordiv, _c(1, a)), floordiv)
    quotient = _ops.binary("Div", a, b)
    exact = _where(_ops.negate(_b("Equal", div, zero)), floordiv,
                   copysign(zero, quotient))
    finite = _and(isfinite(a), _and(isfinite(b), _ops.unary("Not", _b("Equal", b, zero))))
    return _select_signed(finite, exact, _ops.unary("Floor", quotient))


def _select_signed(cond: Value, a: Value, b: Value) -> Value:
    """Where(cond, a, b) that keeps the sign of zeros from both branches (see _where)."""
    r = _where(cond, a, b)
    neg = _where(cond, signbit(a), signbit(b))
    fix = _and(neg, _b("Equal", r, _c(0, r)))
    return _where(_ops.negate(fix), r, _c(-0.0, r))


def int_pow(a: Value, b: Value) -> Value:
    return _ops.binary("Pow", a, b)


# -- two-argument float functions ---------------------------------------------------------------


def atan2(y: Value, x: Value) -> Value:
    """Quadrant-correct arctangent built on atan of a ratio in [0, 1]."""
    ay, ax = _ops.unary("Abs", y), _ops.unary("Abs", x)
    big = _ops.binary("Max", ay, ax)
    small = _ops.binary("Min", ay, ax)
    zero, one = _c(0, y), _c(1, y)
    ratio = _ops.binary("Div", small, _where(_b("Equal", big, zero), one, big))
    ratio = _where(_and(_isinf(ay), _isinf(ax)), one, ratio)
    angle = unary_float("Atan", ratio)
    angle = _where(_b("Greater", ay, ax), _ops.binary("Sub", _c(math.pi / 2, y), angle), angle)
    angle = _where(signbit(x), _ops.binary("Sub", _c(math.pi, y), angle), angle)
    out = copysign(angle, y)
    return _where(_or(_isnan(x), _isnan(y)), _ops.binary("Add", x, y), out)


def hypot(a: Value, b: Value) -> Value:
    """sqrt(a² + b²) without overflow: scale by the larger magnitude; inf beats NaN."""
    aa, ab = _ops.unary("Abs", a), _ops.unary("Abs", b)
    big = _ops.binary("Max", aa, ab)
    small = _ops.binary("Min", aa, ab)
    zero, one = _c(0, a), _c(1, a)
    ratio = _ops.binary("Div", small, _where(_b("Equal", big, zero), one, big))
    out = _ops.binary("Mul", big, _ops.unary("Sqrt", _ops.binary(
        "Add", one, _ops.binary("Mul", ratio, ratio))))
    inf = _or(_isinf(a), _isinf(b))
    return _where(inf, _c(math.inf, a), out)


def logaddexp(a: Value, b: Value) -> Value:
    """log(exp(a) + exp(b)) = max + log1p(exp(-|a - b|)); equal inputs give a + log 2."""
    big = _ops.binary("Max", a, b)
    gap = _ops.unary("Neg", _ops.unary("Abs", _ops.binary("Sub", a, b)))
    out = _ops.binary("Add", big, log1p(_ops.unary("Exp", gap)))
    same = _b("Equal", a, b)
    return _where(same, _ops.binary("Add", a, _c(math.log(2.0), a)), out)


_MANT = {D.float32: 23, D.float64: 52}
_MIN_EXP = {D.float32: -126, D.float64: -1022}


def nextafter(x: Value, y: Value) -> Value:
    """The next representable value after x toward y, exactly, from powers of two.

    The spacing of floats around |x| is 2**(e - mantissa bits) with e = floor(log2|x|) (e
    corrected by comparing with exact powers of two), never below the smallest subnormal;
    stepping toward zero from an exact power of two uses half that spacing.
    """
    dt = x.dtype
    mant, emin = _MANT[dt], _MIN_EXP[dt]
    zero, two = _c(0, x), _c(2.0, x)
    ax = _ops.unary("Abs", x)
    safe = _where(_or(_b("Equal", ax, zero), _isinf(ax)), _c(1, x), ax)
    safe = _where(_isnan(safe), _c(1, x), safe)
    e = _ops.unary("Floor", log_base(safe, 2.0))
    e = _ops.binary("Max", e, _c(emin, x))
    p = _ops.binary("Pow", two, e)
    e = _where(_b("Greater", p, safe), _ops.binary("Sub", e, _c(1, x)), e)
    p = _ops.binary("Pow", two, e)
    e = _where(_b("GreaterOrEqual", safe, _ops.binary("Mul", p, two)),
               _ops.binary("Add", e, _c(1, x)), e)
    e = _ops.binary("Max", e, _c(emin, x))
    p = _ops.binary("Pow", two, e)
    ulp = _ops.binary("Pow", two, _ops.binary("Sub", e, _c(mant, x)))
    up = _b("Greater", y, x)
    toward_zero = _ops.binary("Xor", up, _b("Less", x, zero))
    toward_zero = _ops.unary("Not", toward_zero)
    half = _and(_and(toward_zero, _b("Equal", safe, p)), _b("Greater", e, _c(emin, x)))
    step = _where(half, _ops.binary("Div", ulp, two), ulp)
    moved = _where(up, _ops.binary("Add", x, step), _ops.binary("Sub", x, step))
    tiny = _c(np.finfo(dt.numpy).smallest_subnormal, x)
    from_zero = _where(up, tiny, _ops.unary("Neg", tiny))
    biggest = _c(np.finfo(dt.numpy).max, x)
    from_inf = _where(_b("Greater", x, zero), biggest, _ops.unary("Neg", biggest))
    out = _where(_b("Equal", x, zero), from_zero, moved)
    out = _where(_isinf(x), from_inf, out)
    out = _where(_ops.negate(_b("Equal", x, y)), out, y)
    return _where(_or(_isnan(x), _isnan(y)), _ops.binary("Add", x, y), out)


# -- float64 functions onnxruntime has no kernel for ---------------------------------------------
# Computed exactly in float64 from float64 kernels (Sin, Cos, Exp, Log, Sqrt): no detour through
# float32. Each composite is accurate to a few ulp.


def atan(v: Value) -> Value:
    """atan for float64: a float32 estimate on the reduced argument |t| <= 1, refined by two
    Newton steps on f(y) = sin(y) - t cos(y) in float64 (quadratic convergence)."""
    one = _c(1, v)
    av = _ops.unary("Abs", v)
    big = _b("Greater", av, one)
    t = _where(big, _ops.binary("Div", one, av), av)  # in [0, 1], NaN stays NaN
    y = _ops.cast(_ops.unary("Atan", _ops.cast(t, D.float32)), v.dtype)
    for _ in range(2):
        s, c = _ops.unary("Sin", y), _ops.unary("Cos", y)
        f = _ops.binary("Sub", s, _ops.binary("Mul", t, c))
        df = _ops.binary("Add", c, _ops.binary("Mul", t, s))
        y = _ops.binary("Sub", y, _ops.binary("Div", f, df))
    y = _where(big, _ops.binary("Sub", _c(math.pi / 2, v), y), y)
    return copysign(y, v)


def tan(v: Value) -> Value:
    return _ops.binary("Div", _ops.unary("Sin", v), _ops.unary("Cos", v))


def asin(v: Value) -> Value:
    one = _c(1, v)
    root = _ops.unary("Sqrt", _ops.binary("Mul", _ops.binary("Sub", one, v),
                                          _ops.binary("Add", one, v)))
    return atan2(v, root)


def acos(v: Value) -> Value:
    one = _c(1, v)
    root = _ops.unary("Sqrt", _ops.binary("Mul", _ops.binary("Sub", one, v),
                                          _ops.binary("Add", one, v)))
    return atan2(root, v)


def sinh(v: Value) -> Value:
    """sinh = (E + E / (E + 1)) / 2 with E = expm1(|x|): no cancellation near 0."""
    av = _ops.unary("Abs", v)
    e = expm1(av)
    out = _ops.binary("Mul", _c(0.5, v), _ops.binary(
        "Add", e, _ops.binary("Div", e, _ops.binary("Add", e, _c(1, v)))))
    out = _where(_isinf(e), e, out)
    out = _where(_b("Greater", av, _c(700, v)), _half_exp(av), out)
    return copysign(out, v)


def _half_exp(av: Value) -> Value:
    """exp(|x|) / 2 without overflowing where exp(|x|) alone would."""
    return _ops.unary("Exp", _ops.binary("Sub", av, _c(math.log(2.0), av)))


def cosh(v: Value) -> Value:
    av = _ops.unary("Abs", v)
    e = _ops.unary("Exp", av)
    out = _ops.binary("Mul", _c(0.5, v), _ops.binary("Add", e, _ops.binary("Div", _c(1, v), e)))
    return _where(_b("Greater", av, _c(700, v)), _half_exp(av), out)


def asinh(v: Value) -> Value:
    av = _ops.unary("Abs", v)
    one = _c(1, v)
    sq = _ops.binary("Mul", av, av)
    small = log1p(_ops.binary("Add", av, _ops.binary(
        "Div", sq, _ops.binary("Add", one, _ops.unary("Sqrt", _ops.binary("Add", one, sq))))))
    large = _ops.binary("Add", _ops.unary("Log", av), _c(math.log(2.0), v))
    out = _where(_b("Greater", av, _c(1e8, v)), large, small)
    return copysign(out, v)


def acosh(v: Value) -> Value:
    one = _c(1, v)
    xm1 = _ops.binary("Sub", v, one)
    small = log1p(_ops.binary("Add", xm1, _ops.unary("Sqrt", _ops.binary(
        "Mul", xm1, _ops.binary("Add", v, one)))))
    large = _ops.binary("Add", _ops.unary("Log", v), _c(math.log(2.0), v))
    out = _where(_b("Greater", v, _c(1e8, v)), large, small)
    return _where(_b("Less", v, one), _c(math.nan, v), out)


def atanh(v: Value) -> Value:
    one = _c(1, v)
    ratio = _ops.binary("Div", _ops.binary("Mul", _c(2, v), v), _ops.binary("Sub", one, v))
    return _ops.binary("Mul", _c(0.5, v), log1p(ratio))


FLOAT64_COMPOSITES = {"Atan": atan, "Tan": tan, "Asin": asin, "Acos": acos, "Sinh": sinh,
                      "Cosh": cosh, "Asinh": asinh, "Acosh": acosh, "Atanh": atanh}


def tanh32(v: Value) -> Value:
    """float32 Tanh that keeps subnormal arguments: onnxruntime's kernel flushes them to zero.

    Below 2**-12, tanh(x) rounds to x in float32 (the next term, x**3/3, is under half an ulp).
    """
    small = _b("Less", _ops.unary("Abs", v), _c(2.0**-12, v))
    return _where(_ops.negate(small), _ops.unary("Tanh", v), v)


def unary_float(op: str, v: Value) -> Value:
    """``op`` on a float Value, through an exact composite where onnxruntime lacks float64."""
    if op in _trig.LOWERINGS.get(v.dtype, {}):
        return _trig.LOWERINGS[v.dtype][op](v)
    if v.dtype is D.float64 and op in FLOAT64_COMPOSITES:
        return FLOAT64_COMPOSITES[op](v)
    if v.dtype is D.float32 and op == "Tanh":
        return tanh32(v)
    return _ops.unary(op, v)
