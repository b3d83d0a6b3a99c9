"""Composite lowerings of elementwise functions that ONNX has no single operator for.

Each works on graph Values, so the same formula runs eagerly and in exported models. Special
values (NaN, infinities, signed zeros) follow the standard's special cases.
"""

from __future__ import annotations

import math

import numpy as np

from . import _dtypes as D
from . import _elementary as E
from . import _ops, _trig
from ._graph import Value
from ._ops import compare as _b
from ._ops import const_like as _c
from ._signbit import signbit  # the sign bit, exact where the opset has BitCast

__all__ = ["trunc", "full_bool", "isfinite", "signbit", "shift_left", "shift_right",
           "int_floor_divide", "float_floor_divide", "int_remainder", "float_remainder",
           "arithmetic", "atan2", "copysign", "hypot", "logaddexp", "nextafter",
           "unary_float",
           "FLOAT64_COMPOSITES", "FLOAT32_COMPOSITES", "POSITION_DEPENDENT", "NO_FLOAT64_KERNEL"]

_UNSIGNED_OF = {D.int8: D.uint8, D.int16: D.uint16, D.int32: D.uint32, D.int64: D.uint64}


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
    """|x| < inf: false for NaN and both infinities (two nodes, not four)."""
    return _b("Less", _ops.unary("Abs", v), _c(math.inf, v))


def copysign(mag: Value, sgn: Value) -> Value:
    a = _ops.unary("Abs", mag)
    return _where(_ops.negate(signbit(sgn)), a, _ops.unary("Neg", a))


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


def power(a: Value, b: Value) -> Value:
    """Float ``a ** b`` (``b`` of ``a``'s dtype) with the same bits at every position and in
    every layout. onnxruntime's Pow multiplies (x*x, x*x*x) for an exponent of 2 or 3 where it
    reads the exponent as one scalar for a span (a one-element exponent against a row, or a
    column against a (1, 1) exponent) and calls pow() elsewhere (a column against a 0-d
    exponent, an exponent array); for 3, pow() differs from the products in about 1 result in
    4. Exponents of 2 and 3 are therefore products everywhere: recorded directly for a known
    exponent, selected otherwise (both give the same bits)."""
    if b.data is not None and b.data.size == 1 and len(b.shape) <= len(a.shape):
        k = float(b.data.reshape(()))
        if k in (2.0, 3.0):
            square = _ops.binary("Mul", a, a)
            return _ops.binary("Mul", square, a) if k == 3.0 else square
    square = _ops.binary("Mul", a, a)  # never -0.0
    three = _ops.binary("Equal", b, _ops.const(3, b.dtype), D.bool)
    products = _ops.where_signed(three, _ops.binary("Mul", square, a), square)
    two = _ops.binary("Equal", b, _ops.const(2, b.dtype), D.bool)
    small = _ops.binary("Or", three, two, D.bool)
    return _ops.where_signed(small, products, _ops.binary("Pow", a, b))


def arithmetic(op: str, a: Value, b: Value) -> Value:
    """``Add``/``Sub``/``Mul``/``Div`` (kept in exported models by ``_ops.binary`` where
    NoopElimination would drop them). An operand of shape (..., 1) that holds no -0.0 is
    spread along a short last axis first (see _ort_compat.ROW_SPREAD_MAX_COLUMNS)."""
    side = _ops.row_spread_side(a, b)
    if side is not None and not _ops.may_be_negative_zero((a, b)[side]):
        return _ops.spread_binary(op, a, b, side)  # see _ort_compat.ROW_SPREAD_MAX_COLUMNS
    return _ops.binary(op, a, b)


def _add_small(r: Value, b: Value) -> Value:
    """r + b for |r| <= |b|; scaled by 2**1000 where b is a constant NoopElimination would
    drop (exact: both terms and the sum are multiples of the smallest subnormal)."""
    if not _ops.noop_in_float32(b, "Add"):
        return _ops.binary("Add", r, b)
    up, down = _c(2.0**1000, r), _c(2.0**-1000, r)
    return _ops.binary("Mul", _ops.binary("Add", _ops.binary("Mul", r, up),
                                          _ops.binary("Mul", b, up)), down)


def _divide(a: Value, b: Value) -> Value:
    """a / b; as (a / 2) / (b / 2) where b is a constant NoopElimination would drop."""
    if not _ops.noop_in_float32(b, "Div"):
        return _ops.binary("Div", a, b)
    half = _c(0.5, a)
    return _ops.binary("Div", _ops.binary("Mul", a, half), _ops.binary("Mul", b, half))


def float_remainder(a: Value, b: Value) -> Value:
    """Python's float modulo: fmod, moved into the divisor's sign; zero results take its sign."""
    r = _ops.binary("Mod", a, b, attrs=(("fmod", 1),))
    zero = _c(0, r)
    fix = _and(_ops.unary("Not", _b("Equal", r, zero)),
               _ops.binary("Xor", _b("Less", r, zero), _b("Less", b, zero)))
    r = _where(fix, _add_small(r, b), r)
    return _where(_ops.negate(_b("Equal", r, zero)), r, copysign(zero, b))


def float_floor_divide(a: Value, b: Value) -> Value:
    """Python's float floor division (CPython's float_floor_div), IEEE results elsewhere."""
    zero = _c(0, a)
    mod = _ops.binary("Mod", a, b, attrs=(("fmod", 1),))
    div = _divide(_ops.binary("Sub", a, mod), b)
    fix = _and(_ops.unary("Not", _b("Equal", mod, zero)),
               _ops.binary("Xor", _b("Less", b, zero), _b("Less", mod, zero)))
    div = _where(fix, _ops.binary("Sub", div, _c(1, a)), div)
    floordiv = _ops.unary("Floor", div)
    floordiv = _where(_b("Greater", _ops.binary("Sub", div, floordiv), _c(0.5, a)),
                      _ops.binary("Add", floordiv, _c(1, a)), floordiv)
    quotient = _divide(a, b)
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


# -- two-argument float functions ---------------------------------------------------------------


def atan2(y: Value, x: Value) -> Value:
    """Quadrant-correct arctangent built on atan of a ratio in [0, 1], moved by pi/2 or pi
    given in two parts; float32 is computed in float64 and rounded once."""
    if y.dtype is D.float32:
        return _ops.cast(atan2(_ops.cast(y, D.float64), _ops.cast(x, D.float64)), y.dtype)
    ay, ax = _ops.unary("Abs", y), _ops.unary("Abs", x)
    big = _ops.binary("Max", ay, ax)
    small = _ops.binary("Min", ay, ax)
    zero, one = _c(0, y), _c(1, y)
    ratio = _ops.binary("Div", small, _where(_b("Equal", big, zero), one, big))
    ratio = _where(_and(_isinf(ay), _isinf(ax)), one, ratio)
    angle = E.atan(ratio)
    half_pi = _ops.binary("Add", _ops.binary("Sub", _c(math.pi / 2, y), angle),
                          _c(6.123233995736766e-17, y))
    angle = _where(_b("Greater", ay, ax), half_pi, angle)
    pi = _ops.binary("Add", _ops.binary("Sub", _c(math.pi, y), angle),
                     _c(1.2246467991473532e-16, y))
    angle = _where(signbit(x), pi, angle)
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
    """log(exp(a) + exp(b)) = max + log1p(exp(-|a - b|)); equal inputs give a + log 2.

    float32 is computed in float64 and rounded once: near a zero result the two terms cancel,
    and the wider type keeps the digits the cancellation exposes."""
    if a.dtype is D.float32:
        return _ops.cast(logaddexp(_ops.cast(a, D.float64), _ops.cast(b, D.float64)), a.dtype)
    big = _ops.binary("Max", a, b)
    gap = _ops.unary("Neg", _ops.unary("Abs", _ops.binary("Sub", a, b)))
    out = _ops.binary("Add", big, E.log1p(E.exp_pow(gap)))
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
    e = _ops.unary("Floor", _ops.binary("Div", E.log(safe), _c(math.log(2.0), x)))
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
    moved = _where(up, _add_small(step, x), _ops.binary("Sub", x, step))
    tiny = _c(np.finfo(dt.numpy).smallest_subnormal, x)
    from_zero = _where(up, tiny, _ops.unary("Neg", tiny))
    biggest = _c(np.finfo(dt.numpy).max, x)
    from_inf = _where(_b("Greater", x, zero), biggest, _ops.unary("Neg", biggest))
    # a step onto zero keeps the sign of x
    moved = _ops.where_signed(_b("Equal", moved, zero), _ops.binary("Mul", x, zero), moved)
    out = _where(_b("Equal", x, zero), from_zero, moved)
    out = _where(_isinf(x), from_inf, out)
    out = _ops.where_signed(_b("Equal", x, y), y, out)  # both may be -0.0
    return _where(_or(_isnan(x), _isnan(y)), _ops.binary("Add", x, y), out)


# -- dispatch of the unary float functions ---------------------------------------------------


# onnxruntime 1.32 float32 Tanh is 5 ulp off near 8.6 and flushes subnormals (see tanh32).
# onnxruntime 1.32 kernels whose last bits depend on the array position (SIMD body or scalar
# tail), replaced below by composites that compute every element alike
POSITION_DEPENDENT = {D.float64: ("Exp", "Log", "Tanh"), D.float32: ("Log", "Asin", "Acos", "Atan")}
NO_FLOAT64_KERNEL = ("Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh")

# float64 functions: onnxruntime has no kernel (Tan, Asin, Acos, Atan, hyperbolics) or one whose
# result depends on the array position (Exp, Log, Tanh).
FLOAT64_COMPOSITES = {"Atan": E.atan, "Asin": E.asin, "Acos": E.acos, "Sinh": E.sinh,
                      "Cosh": E.cosh, "Tanh": E.tanh, "Asinh": E.asinh, "Acosh": E.acosh,
                      "Atanh": E.atanh, "Exp": E.exp, "Log": E.log}
# float32 kernels whose result depends on the array position, or that flush subnormals
# (and Exp, for the broadcast of softmax's exp(x - max); see _elementary.exp)
FLOAT32_COMPOSITES = {"Exp": E.exp, "Log": E.log, "Asin": E.asin, "Acos": E.acos,
                      "Atan": lambda v: E.in_float64(E.atan, v), "Tanh": None}


def tanh32(v: Value) -> Value:
    """float32 tanh as onnxruntime's float64 Tanh, rounded once: its float32 Tanh kernel is 5 ulp
    off near 8.6 and flushes subnormal arguments to zero. The float64 kernel is within 1e-15
    relative of tanh but position-dependent in its last bit for a few arguments, which the
    rounding to float32 hides: every float32 in 2**-12 <= |x| < 16 (268M values) gives the same
    bits at array offsets 0 to 7 and on 8 threads; below, tanh(x) is x (1 - x**2/3) with the
    float32 midpoints at least 2**-25.5 x away, and from 16 on the result is +-1 with a margin of
    ~2**-24 against a float64 ulp.
    """
    return _ops.cast(_ops.unary("Tanh", _ops.cast(v, D.float64)), v.dtype)


FLOAT32_COMPOSITES["Tanh"] = tanh32


def unary_float(op: str, v: Value) -> Value:
    """``op`` on a float Value, through a composite where onnxruntime's kernel is missing,
    depends on the array position, or flushes subnormals."""
    trig = _trig.LOWERINGS.get(v.dtype, {})
    if op in trig:
        return trig[op](v)
    table = FLOAT64_COMPOSITES if v.dtype is D.float64 else FLOAT32_COMPOSITES
    if op in table:
        return table[op](v)
    return _ops.unary(op, v)
