"""Exponentials, logarithms, hyperbolic functions and arctangent whose bits do not depend on
where a value sits in an array.

onnxruntime's float64 ``Exp``, ``Log`` and ``Tanh`` and float32 ``Log``, ``Asin``, ``Acos`` and
``Atan`` kernels compute the SIMD body of an array and its scalar tail differently (results
differ in the last bits), and float64 has no kernel at all for most of these functions. The
lowerings here use only operators that compute each element the same way: arithmetic,
``Sqrt``, ``Pow`` (C's ``pow``), and ``ReduceLogSum`` over an axis of length 1 (C's ``log``).
Formulas follow fdlibm; the bounds measured against mpmath are in the docstrings of the
public functions (tests/test_accuracy.py measures them).

No formula feeds a scalar constant to ``Add``/``Sub`` that is 0 in float32, nor one to
``Mul``/``Div`` that is 1 in float32, without being 0 or 1: onnxruntime's NoopElimination
tests constants in float32 and would drop the operation from an exported model.
"""

from __future__ import annotations

import math

import numpy as np

from . import _dtypes as D
from . import _ops
from ._graph import Value
from ._ops import add as _add
from ._ops import compare as _b
from ._ops import const_like as _c
from ._ops import div as _div
from ._ops import mul as _mul
from ._ops import sub as _sub

__all__ = ["exp", "exp_pow", "log", "expm1", "log1p", "log_base", "sinh", "cosh", "tanh",
           "asinh", "acosh", "atanh", "atan", "asin", "acos", "in_float64"]

# ln(float64(e)) - 1: Pow(float64(e), x) is exp(x * (1 + _E_DEFECT)).
_E_DEFECT = -5.318237706605891e-17
# ln 2 rounded up to a multiple of 2**-43 (|x| - _LN2_HI is exact for |x| < 1024), and the rest.
_LN2_HI = 0.693147180560004
_LN2_LO = -5.870760753453232e-14
# fdlibm's atan: breakpoints, atan of each, in two parts, and the polynomial on |t| <= 7/16.
_ATAN_HI = (0.0, 0.4636476090008061, 0.7853981633974483, 0.982793723247329,
            1.5707963267948966)
_ATAN_LO = (0.0, 2.2698777452961687e-17, 3.061616997868383e-17, 1.3903311031230998e-17,
            6.123233995736766e-17)
_ATAN_POLY = (3.33333333333329318027e-01, -1.99999999998764832476e-01,
              1.42857142725034663711e-01, -1.11111104054623557880e-01,
              9.09088713343650656196e-02, -7.69187620504482999495e-02,
              6.66107313738753120669e-02, -5.83357013379057348645e-02,
              4.97687799461593236017e-02, -3.65315727442169155270e-02,
              1.62858201153657823623e-02)


def _signed(r: Value, x: Value) -> Value:
    """``r`` (>= 0, from |x|) with the sign of ``x``; ``x`` itself where it is ±0 or NaN.

    ``x`` is the third input of the final Where, the one onnxruntime keeps -0.0 in."""
    neg = _ops.where(_b("Less", x, _c(0, x)), _ops.unary("Neg", r), r)
    return _ops.where(_b("Greater", _ops.unary("Abs", x), _c(0, x)), neg, x, simplify=False)


def in_float64(fn, v: Value) -> Value:
    """float32 ``fn`` computed by the float64 lowering and rounded once."""
    return _ops.cast(fn(_ops.cast(v, D.float64)), v.dtype)


# -- exp and log ------------------------------------------------------------------------------


def exp(v: Value) -> Value:
    """e**x: ``exp_pow`` (float32: onnxruntime's kernel), after spreading a softmax-style
    ``x - m`` (see _spread_exponent).

    float64 does not use onnxruntime's Exp kernel: its scalar remainder rounds differently from
    its SIMD packets, at the end of an array and, with several intra-op threads, at the end of
    every chunk the array is split into (at positions that are not multiples of the packet
    width), so no padding makes every position alike in a deployed model."""
    return exp_pow(_spread_exponent(v))


def _spread_exponent(v: Value) -> Value:
    """``x - m`` or ``x + m`` with ``m`` of shape (..., 1) broadcast along a short last axis
    (softmax's ``exp(x - max)``), recorded again with ``m`` spread first
    (``_ort_compat.ROW_SPREAD_MAX_COLUMNS``): the spread can only change the sign of a zero
    difference, and exp(-0.0) is exp(+0.0)."""
    node = v.node
    if node is None or node.op not in ("Sub", "Add"):
        return v
    side = _ops.row_spread_side(*node.inputs)
    return v if side is None else _ops.spread_binary(node.op, *node.inputs, side)


def exp_pow(v: Value) -> Value:
    """e**x within 1 ulp, for composites whose error bounds need it. float32: onnxruntime's
    kernel. float64: ``Pow(e, x)`` corrected for the rounding of e: ``p + p * (x * -defect)``
    (x clipped to +-800 so that 0 * inf never occurs)."""
    if v.dtype is not D.float64:
        return _ops.unary("Exp", v)
    p = _ops.binary("Pow", _c(math.e, v), v)
    xc = _ops.bind("Clip", [v, _c(-800, v), _c(800, v)], [v.dtype], lambda: [v.shape])[0]
    return _add(p, _mul(p, _mul(xc, _c(-_E_DEFECT, v))))


def log(v: Value) -> Value:
    """Natural logarithm: ``ReduceLogSum`` over a new axis of length 1 (C's log per element)."""
    axis = len(v.shape)
    return _ops.reduce("ReduceLogSum", _ops.unsqueeze(v, [axis]), [axis], keepdims=False)


def log_base(v: Value, base: float) -> Value:
    """log(x) / log(base), and exactly k where x is the power base**k as C's pow rounds it
    (a quotient of two rounded logarithms misses k by an ulp for about one power in five)."""
    y = _div(log(v), _c(math.log(base), v))
    k = _ops.unary("Round", y)
    exact = _b("Equal", _ops.binary("Pow", _c(base, v), k), v)
    if base != 2:  # a subnormal power of 10 is too coarse to stand for its exponent
        tiny = float(np.finfo(v.dtype.numpy).tiny)
        exact = _ops.binary("And", exact, _b("GreaterOrEqual", v, _c(tiny, v)))
    return _ops.where(exact, k, y)


def _expm1_core(v: Value) -> Value:
    """exp(x) - 1 accurate near 0 for x where exp(x) is finite and nonzero: Kahan's
    ``(u - 1) * (x / log(u))`` with ``u = exp(x)``, grouped so nothing overflows before exp(x)
    does; ``x`` itself (signed zeros kept) where u == 1."""
    u = exp_pow(v)
    one = _c(1, v)
    out = _mul(_sub(u, one), _div(v, log(u)))
    return _ops.where(_ops.negate(_b("Equal", u, one)), out, v, simplify=False)


def expm1(v: Value) -> Value:
    """exp(x) - 1 accurate near 0 (see _expm1_core); -1 once exp(x) - 1 rounds to -1, and
    exp(x) itself once it overflows (or x = +inf). float32 is computed in float64 and rounded
    once (2.6 ulp in float32 arithmetic)."""
    if v.dtype is D.float32:
        return in_float64(expm1, v)
    u = exp_pow(v)
    out = _expm1_core(v)
    out = _ops.where(_b("Equal", _sub(u, _c(1, v)), _c(-1, v)), _c(-1, v), out)
    return _ops.where(_ops.unary("IsInf", u, D.bool), u, out)


def log1p(v: Value) -> Value:
    """log(1 + x) accurate near 0: ``log(u) * (x / (u - 1))`` with ``u = 1 + x``. float32 is
    computed in float64 and rounded once (2.7 ulp in float32 arithmetic)."""
    if v.dtype is D.float32:
        return in_float64(log1p, v)
    one = _c(1, v)
    u = _add(one, v)
    out = _mul(log(u), _div(v, _sub(u, one)))
    out = _ops.where(_ops.negate(_b("Equal", u, one)), out, v, simplify=False)
    return _ops.where(_b("Equal", v, _c(math.inf, v)), v, out)


# -- hyperbolic functions ---------------------------------------------------------------------


def _half_exp(av: Value) -> Value:
    """exp(|x|) / 2 for large |x|: exp(|x| - ln2_hi) * exp(-ln2_lo), the first step exact."""
    p = exp_pow(_sub(av, _c(_LN2_HI, av)))
    return _add(p, _mul(p, _c(-_LN2_LO, av)))


def sinh(v: Value) -> Value:
    """sinh = (E + E / (E + 1)) / 2 with E = expm1(|x|); exp(|x|) / 2 beyond 22."""
    av = _ops.unary("Abs", v)
    e = _expm1_core(av)  # used up to |x| = 22 only
    out = _mul(_c(0.5, v), _add(e, _div(e, _add(e, _c(1, v)))))
    out = _ops.where(_b("Greater", av, _c(22, v)), _half_exp(av), out)
    return _signed(out, v)


def cosh(v: Value) -> Value:
    """cosh = (e + 1/e) / 2 with e = exp(|x|); exp(|x|) / 2 beyond 22."""
    av = _ops.unary("Abs", v)
    e = exp_pow(av)
    out = _mul(_c(0.5, v), _add(e, _div(_c(1, v), e)))
    return _ops.where(_b("Greater", av, _c(22, v)), _half_exp(av), out)


def tanh(v: Value) -> Value:
    """fdlibm's tanh: -t / (t + 2) with t = expm1(-2|x|) below 1, 1 - 2e / (1 + e) with
    e = exp(-2|x|) (the same exponential) above."""
    av = _ops.unary("Abs", v)
    m2 = _mul(av, _c(-2, v))
    t = _expm1_core(m2)  # used for |x| < 1 only
    small = _div(_ops.unary("Neg", t), _add(t, _c(2, v)))
    e = exp_pow(m2)
    large = _sub(_c(1, v), _div(_add(e, e), _add(e, _c(1, v))))
    out = _ops.where(_b("Less", av, _c(1, v)), small, large)
    return _signed(out, v)


def asinh(v: Value) -> Value:
    av = _ops.unary("Abs", v)
    one = _c(1, v)
    sq = _mul(av, av)
    small = log1p(_add(av, _div(sq, _add(one, _ops.unary("Sqrt", _add(one, sq))))))
    large = _add(log(av), _c(math.log(2.0), v))
    out = _ops.where(_b("Greater", av, _c(2.0**28, v)), large, small)
    return _signed(out, v)


def acosh(v: Value) -> Value:
    one = _c(1, v)
    xm1 = _sub(v, one)
    small = log1p(_add(xm1, _ops.unary("Sqrt", _mul(xm1, _add(v, one)))))
    large = _add(log(v), _c(math.log(2.0), v))
    out = _ops.where(_b("Greater", v, _c(2.0**28, v)), large, small)
    return _ops.where(_b("Less", v, one), _c(math.nan, v), out)


def atanh(v: Value) -> Value:
    """atanh(|x|) = log1p(2|x| / (1 - |x|)) / 2, with the sign of x (fdlibm)."""
    av = _ops.unary("Abs", v)
    r = _mul(_c(0.5, v), log1p(_div(_add(av, av), _sub(_c(1, v), av))))
    return _signed(r, v)


# -- arctangent ------------------------------------------------------------------------------


def atan(v: Value) -> Value:
    """fdlibm's atan: |x| is reduced to |t| <= 7/16 by one of five Moebius maps
    t = (a|x| + b) / (c|x| + d), chosen by comparisons, then atan(x) = hi - ((t*P(t²) - lo) - t)."""
    dt = v.dtype
    av = _ops.unary("Abs", v)
    # the number of breakpoints at or below |x|, by one broadcast comparison and a sum
    axis = len(v.shape)
    edges = _ops.const([0.4375, 0.6875, 1.1875, 2.4375], dt)
    above = _b("GreaterOrEqual", _ops.unsqueeze(av, [axis]), edges)
    idx = _ops.reduce("ReduceSum", _ops.cast(above, D.int64), [axis], keepdims=False)

    def table(values):
        return _ops.gather(_ops.const(list(values), dt), idx, 0)

    a = table((1, 2, 1, 1, 0))  # t = (a|x| + b) / (c|x| + a)
    b = table((0, -1, -1, -1.5, -1))
    c = table((0, 1, 1, 1.5, 1))
    ax = _ops.binary("Min", av, _c(2.0**66, v))  # keeps 0 * inf out; NaN: _signed passes x
    t = _div(_add(_mul(a, ax), b), _add(_mul(c, ax), a))
    z = _mul(t, t)
    w = _mul(z, z)
    odd = _ATAN_POLY[0::2]
    even = _ATAN_POLY[1::2]
    s1 = _c(odd[-1], v)
    for k in reversed(odd[:-1]):
        s1 = _add(_c(k, v), _mul(w, s1))
    s2 = _c(even[-1], v)
    for k in reversed(even[:-1]):
        s2 = _add(_c(k, v), _mul(w, s2))
    s = _add(_mul(z, s1), _mul(w, s2))
    r = _sub(table(_ATAN_HI), _sub(_sub(_mul(t, s), table(_ATAN_LO)), t))
    return _signed(r, v)  # NaN: _signed passes x


def _sqrt_one_minus_square(v: Value) -> Value:
    one = _c(1, v)
    return _ops.unary("Sqrt", _mul(_sub(one, v), _add(one, v)))


def asin(v: Value) -> Value:
    """asin = atan(x / sqrt((1 - x)(1 + x))); float32 computed in float64 and rounded once."""
    w = _ops.cast(v, D.float64)
    return _ops.cast(atan(_div(w, _sqrt_one_minus_square(w))), v.dtype)


def acos(v: Value) -> Value:
    """acos = 2 atan(sqrt((1 - x) / (1 + x))); float32 computed in float64 and rounded once."""
    w = _ops.cast(v, D.float64)
    one = _c(1, w)
    half = atan(_ops.unary("Sqrt", _div(_sub(one, w), _add(one, w))))
    return _ops.cast(_add(half, half), v.dtype)
