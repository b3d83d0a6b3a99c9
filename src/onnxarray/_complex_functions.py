"""Complex transcendental functions on (real, imaginary) parts.

The formulas are the overflow- and cancellation-safe ones of CPython's ``cmath`` and Kahan's
"Branch cuts for complex elementary functions" (1987): square roots of ``1 ± z`` for the
inverse functions, ``log1p`` of an exactly computed ``|z|² - 1`` near the unit circle, scaled
exponentials where ``cosh`` would overflow, and ``tan``/``sinh`` for ``tanh``. They hold for
finite inputs; infinities and NaNs take the values of C99 Annex G as the standard lists them,
from the tables at the end of the module. The trigonometric functions are the hyperbolic ones
turned by ``j`` (``sin z = -j sinh(j z)``, ...), as C99 defines them.

Their accuracy follows that of the real kernels they call (``sin``, ``cos``, ``tan``, ``sinh``,
``cosh``, ``exp``, ``log``, ``log1p``, ``asinh``, ``atan2``, ``hypot``). Measured against mpmath
(tests/test_complex_functions.py: CPython's cmath cases, 400 points per function and dtype over
whole ranges, near |z| = 1 and the branch cuts): at most 3.5 ulp of |result| wherever those real
kernels are within 2 ulp; beyond that, the excess of the real kernel (float64 ``tan`` near
multiples of pi/2, ``cos``, ``sinh`` and ``cosh`` near overflow).
"""

from __future__ import annotations

import math

import numpy as np

from . import _dtypes as D
from . import _ops, _sections
from ._array_object import Array
from ._complex_parts import join, parts

__all__ = ["FUNCTIONS"]

_LN2 = math.log(2.0)
_PI = math.pi
_NAN = math.nan
_INF = math.inf


def _ns():
    """The section functions: everything here computes on real parts."""
    return _sections


def _split(x) -> tuple[Array, Array]:
    re, im = parts(x._v)
    return Array._new(re), Array._new(im)


def _cx(re: Array, im: Array) -> Array:
    return Array._new(join(re._v, im._v))


def _info(a: Array) -> np.finfo:
    return np.finfo(D.real_dtype_of(a.dtype).numpy)


def _mant(a: Array) -> int:
    return _info(a).nmant + 1


def _exp_limit(a: Array) -> float:
    """An argument below which exp, sinh and cosh of the dtype are finite."""
    return float(math.floor(math.log(float(_info(a).max)))) - 1.0


# -- exactly rounded building blocks ---------------------------------------------------------


def _square_parts(v: Array) -> tuple[Array, Array]:
    """v * v as an unevaluated sum hi + lo, exactly (Dekker's product; |v| near 1)."""
    c = v * float(2 ** ((_mant(v) + 1) // 2) + 1)
    hi = c - (c - v)
    lo = v - hi
    p = v * v
    return p, ((hi * hi - p) + 2.0 * hi * lo) + lo * lo


def _x2y2m1(x: Array, y: Array) -> Array:
    """x² + y² - 1 for 1 >= y/x, x in [0.5, 2], without cancellation (glibc's ``x2y2m1``):
    both squares as exact double-length sums, then a compensated sum."""
    px, ex = _square_parts(x)
    py, ey = _square_parts(y)
    s1 = px - 1.0  # exact (Sterbenz) when px is in [0.5, 2], the range where it matters
    s2 = s1 + py
    bb = s2 - s1
    err = (s1 - (s2 - bb)) + (py - bb)
    return s2 + ((err + ex) + ey)


def _const(like: Array, value: float) -> Array:
    return _ns().asarray(value, dtype=D.real_dtype_of(like.dtype))


def _csqrt(a: Array, b: Array) -> tuple[Array, Array]:
    """Principal square root of finite a + bj (CPython's algorithm): s = sqrt((|a| + |z|) / 2)
    as 2 sqrt(|a|/8 + |z/8|), or from parts scaled up by 2**(2k) where both are subnormal, so
    |z| stays finite and normal; then the other part is |b| / 2s."""
    ns = _ns()
    info = _info(a)
    ax, ay = ns.abs(a), ns.abs(b)
    up = 2 * (_mant(a) // 2) + 1
    tiny = float(info.tiny)
    small = (ax < tiny) & (ay < tiny)
    pre = ns.where(small, _const(a, 2.0 ** up), 0.125)
    post = ns.where(small, _const(a, 2.0 ** (-(up + 1) // 2)), 2.0)
    axs, ays = ax * pre, ay * pre
    s = ns.sqrt(axs + ns.hypot(axs, ays)) * post
    d = ay / (2.0 * ns.where(s == 0, ns.ones_like(s), s))
    right = ~ns.signbit(a)
    re = ns.where(right, s, d)
    im = ns.copysign(ns.where(right, d, s), b)
    zero = (a == 0) & (b == 0)
    return ns.where(zero, ns.zeros_like(a), re), ns.where(zero, b, im)


def _log_abs(a: Array, b: Array) -> Array:
    """log|a + bj| without overflow or underflow (|z| from parts scaled by 1/2 beyond max/4
    or by 2**p below the smallest normal), and from log1p(|z|² - 1) near |z| = 1."""
    ns = _ns()
    info = _info(a)
    p = _mant(a)
    ax, ay = ns.abs(a), ns.abs(b)
    am, an = ns.maximum(ax, ay), ns.minimum(ax, ay)
    large = am > float(info.max) / 4
    small = am < float(info.tiny)
    scale = ns.where(large, _const(a, 0.5), ns.where(small, _const(a, 2.0 ** p), 1.0))
    offset = ns.where(large, _const(a, _LN2), ns.where(small, _const(a, -p * _LN2), 0.0))
    h = ns.hypot(ax * scale, ay * scale)
    out = ns.log(h) + offset
    near = (h >= 0.71) & (h <= 1.73) & ~small
    return ns.where(near, ns.log1p(_x2y2m1(am, an)) / 2.0, out)


def _scaled_exp_product(t: Array, x: Array) -> Array:
    """t * exp(x) / 2 for large x >= 0 without overflow of exp(x) where the product is finite:
    exp(x / 2) twice. t == 0 gives t (a zero times an overflowing exponential is zero)."""
    ns = _ns()
    h = ns.exp(x / 2.0)
    return ns.where(t == 0, t, (t * h) * (h / 2.0))


# -- formulas for finite inputs ----------------------------------------------------------------


def _sinh_cosh(a: Array, b: Array, cosh: bool) -> tuple[Array, Array]:
    """sinh(a + bj) = sinh a cos b + j cosh a sin b; cosh(a + bj) = cosh a cos b + j sinh a sin b.
    Beyond the overflow threshold of cosh, cosh|a| = sinh|a| = exp|a| / 2 to working
    precision and the products are formed from exp(|a| / 2)."""
    ns = _ns()
    c, s = ns.cos(b), ns.sin(b)
    sh, ch = ns.sinh(a), ns.cosh(a)
    if cosh:
        re, im = ch * c, sh * s
    else:
        re, im = sh * c, ch * s
    big = ns.abs(a) > _exp_limit(a)
    aa = ns.abs(a)
    sign_a = ns.copysign(ns.ones_like(a), a)
    big_re = _scaled_exp_product(c, aa)
    big_im = _scaled_exp_product(s, aa)
    if cosh:
        big_im = big_im * sign_a
    else:
        big_re = big_re * sign_a
    re = ns.where(big, big_re, re)
    im = ns.where(big, big_im, im)
    # sin(±0) = ±0 exactly: the product is a signed zero even when the hyperbolic factor is huge
    zero_im = b * sign_a if cosh else b
    return re, ns.where(b == 0, zero_im, im)


def _tanh(a: Array, b: Array) -> tuple[Array, Array]:
    """tanh(a + bj) = (β ρ s + j t) / (1 + β s²) with t = tan b, β = 1 + t², s = sinh a,
    ρ = sqrt(1 + s²) (Kahan), free of the cancellation in cosh 2a + cos 2b; for |a| > 20,
    sign(a) + 4 j sin b cos b exp(-2|a|)."""
    ns = _ns()
    t = ns.tan(b)
    s = ns.sinh(a)
    beta = 1.0 + t * t
    rho = ns.sqrt(1.0 + s * s)
    den = 1.0 + beta * s * s
    re = beta * rho * s / den
    im = t / den
    big = ns.abs(a) > 20.0
    re = ns.where(big, ns.copysign(ns.ones_like(a), a), re)
    im = ns.where(big, 4.0 * ns.sin(b) * ns.cos(b) * ns.exp(-2.0 * ns.abs(a)), im)
    real_axis = b == 0
    return ns.where(real_axis, ns.tanh(a), re), ns.where(real_axis, b, im)


def _exp(a: Array, b: Array, minus_one: bool) -> tuple[Array, Array]:
    ns = _ns()
    c, s = ns.cos(b), ns.sin(b)
    e = ns.exp(a)
    if minus_one:
        h = ns.sin(b / 2.0)
        em1 = ns.expm1(a)
        # exp(a) cos(b) - 1 without cancellation; negated twice so that an underflowing
        # cos(b) - 1 keeps its sign (expm1(+0 + tiny j) = -0 + tiny j)
        re = -(2.0 * h * h - em1 * c)
        axis_re = em1
    else:
        re = e * c
        axis_re = e
    im = e * s
    big = a > _exp_limit(a)
    re = ns.where(big, 2.0 * _scaled_exp_product(c, a), re)
    im = ns.where(big, 2.0 * _scaled_exp_product(s, a), im)
    real_axis = b == 0  # exp(a + 0j) is exp(a) + 0j exactly, also for infinite a
    if minus_one:  # expm1(±0 ± 0j) = +0 ± 0j (the standard)
        axis_re = ns.where(a == 0, ns.zeros_like(a), axis_re)
    return ns.where(real_axis, axis_re, re), ns.where(real_axis, b, im)


def _asinh(a: Array, b: Array) -> tuple[Array, Array]:
    """CPython's asinh: asinh(Im(conj(s1) s2)) + j atan2(b, Re(s1 s2)) with
    s1 = sqrt(1 + b - aj), s2 = sqrt(1 - b + aj); log(2|z|) for |z| beyond max/4."""
    ns = _ns()
    s1r, s1i = _csqrt(1.0 + b, -a)
    s2r, s2i = _csqrt(1.0 - b, a)
    re = ns.asinh(s1r * s2i - s2r * s1i)
    im = ns.atan2(b, s1r * s2r - s1i * s2i)
    large = _large(a, b)
    big_re = ns.copysign(_log_half_abs(a, b) + 2 * _LN2, a)
    big_im = ns.atan2(b, ns.abs(a))
    return ns.where(large, big_re, re), ns.where(large, big_im, im)


def _acos(a: Array, b: Array) -> tuple[Array, Array]:
    """CPython's acos: 2 atan2(Re s1, Re s2) + j asinh(Im(conj(s2) s1)) with
    s1 = sqrt(1 - z), s2 = sqrt(1 + z); for |z| beyond max/4, atan2(|b|, a) - j log(2|z|)."""
    ns = _ns()
    s1r, s1i = _csqrt(1.0 - a, -b)
    s2r, s2i = _csqrt(1.0 + a, b)
    re = 2.0 * ns.atan2(s1r, s2r)
    im = ns.asinh(s2r * s1i - s2i * s1r)
    large = _large(a, b)
    big_re = ns.atan2(ns.abs(b), a)
    big_im = -ns.copysign(_log_half_abs(a, b) + 2 * _LN2, b)
    return ns.where(large, big_re, re), ns.where(large, big_im, im)


def _acosh(a: Array, b: Array) -> tuple[Array, Array]:
    """CPython's acosh: asinh(Re(conj(s1) s2)) + 2j atan2(Im s1, Re s2) with
    s1 = sqrt(z - 1), s2 = sqrt(z + 1); log(2|z|) + j atan2(b, a) for |z| beyond max/4."""
    ns = _ns()
    s1r, s1i = _csqrt(a - 1.0, b)
    s2r, s2i = _csqrt(a + 1.0, b)
    re = ns.asinh(s1r * s2r + s1i * s2i)
    im = 2.0 * ns.atan2(s1i, s2r)
    large = _large(a, b)
    return (ns.where(large, _log_half_abs(a, b) + 2 * _LN2, re),
            ns.where(large, ns.atan2(b, a), im))


def _atanh(a: Array, b: Array) -> tuple[Array, Array]:
    """CPython's atanh, on the right half-plane (atanh is odd): log1p(4a / ((1-a)² + b²)) / 4
    + j atan2(2b, (1-a)(1+a) - b²) / 2; 1/z ± jπ/2 for |z| beyond sqrt(max/4); the limit
    form at a = 1, b tiny."""
    ns = _ns()
    info = _info(a)
    flip = ns.signbit(a)
    a, b = ns.where(flip, -a, a), ns.where(flip, -b, b)
    ay = ns.abs(b)
    one_m = 1.0 - a
    re = _log1p_large(4.0 * a / (one_m * one_m + ay * ay)) / 4.0
    im = -ns.atan2(-2.0 * b, one_m * (1.0 + a) - ay * ay) / 2.0
    sqrt_large = math.sqrt(float(info.max) / 4)
    large = (a > sqrt_large) | (ay > sqrt_large)
    h = ns.hypot(a / 2.0, b / 2.0)
    re = ns.where(large, a / 4.0 / h / h, re)
    im = ns.where(large, ns.copysign(ns.full_like(a, _PI / 2), b), im)
    unit = (a == 1.0) & (ay < math.sqrt(float(info.tiny)))
    safe_ay = ns.where(ay == 0, ns.ones_like(ay), ay)
    unit_re = -ns.log(ns.sqrt(safe_ay) / ns.sqrt(ns.hypot(safe_ay, 2.0)))
    unit_re = ns.where(ay == 0, ns.full_like(a, _INF), unit_re)
    unit_im = ns.copysign(ns.atan2(ns.full_like(a, 2.0), -ay) / 2.0, b)
    unit_im = ns.where(ay == 0, b, unit_im)
    re = ns.where(unit, unit_re, re)
    im = ns.where(unit, unit_im, im)
    return ns.where(flip, -re, re), ns.where(flip, -im, im)


def _log1p_large(v: Array) -> Array:
    """log1p(v) for v >= 0; log(v) where 1 + v rounds to v (log1p need not reach that far)."""
    ns = _ns()
    return ns.where(v > float(2.0 ** _mant(v)), ns.log(v), ns.log1p(v))


def _large(a: Array, b: Array) -> Array:
    ns = _ns()
    lim = float(_info(a).max) / 4
    return (ns.abs(a) > lim) | (ns.abs(b) > lim)


def _log_half_abs(a: Array, b: Array) -> Array:
    """log(|z| / 2), safe for |z| up to the largest finite value."""
    ns = _ns()
    return ns.log(ns.hypot(a / 2.0, b / 2.0))


# -- the public functions ------------------------------------------------------------------------


def sqrt(x, /):
    """Principal square root (branch cut along the negative real axis)."""
    return _cx(*_csqrt(*_split(x)))


def log(x, /):
    a, b = _split(x)
    return _cx(_log_abs(a, b), _ns().atan2(b, a))


def log2(x, /):
    a, b = _split(log(x))
    return _cx(a / _LN2, b / _LN2)


def log10(x, /):
    a, b = _split(log(x))
    ln10 = math.log(10.0)
    return _cx(a / ln10, b / ln10)


def log1p(x, /):
    """log(1 + z); |1 + z|² - 1 = 2a + a² + b² keeps the digits of a small z."""
    a, b = _split(x)
    ns = _ns()
    re = 0.5 * ns.log1p(a * (2.0 + a) + b * b)
    big = ns.abs(a) + ns.abs(b) > 0.5
    re = ns.where(big, _log_abs(a + 1.0, b), re)
    return _cx(re, ns.atan2(b, a + 1.0))


def exp(x, /):
    return _cx(*_exp(*_split(x), minus_one=False))


def expm1(x, /):
    return _cx(*_exp(*_split(x), minus_one=True))


def sinh(x, /):
    return _cx(*_sinh_cosh(*_split(x), cosh=False))


def cosh(x, /):
    return _cx(*_sinh_cosh(*_split(x), cosh=True))


def tanh(x, /):
    return _cx(*_tanh(*_split(x)))


def asinh(x, /):
    return _cx(*_asinh(*_split(x)))


def acos(x, /):
    return _cx(*_acos(*_split(x)))


def acosh(x, /):
    return _cx(*_acosh(*_split(x)))


def atanh(x, /):
    return _cx(*_atanh(*_split(x)))


def _turned(hyperbolic, name: str, doc: str, to_j):
    """f(z) from a hyperbolic function g of j z: ``to_j`` maps g's result to f's."""

    def impl(x, /):
        a, b = _split(x)
        re, im = _split(hyperbolic(_cx(-b, a)))
        return _cx(*to_j(re, im))

    impl.__name__ = name
    impl.__doc__ = doc
    return impl


# -- special values (C99 Annex G, as the standard lists them) ----------------------------------
#
# Each case list gives, for inputs folded to imag >= 0 (conjugate symmetry, f(conj z) =
# conj f(z)) and, for odd or even functions, to real >= 0, the results for inputs with an
# infinite or NaN part (and a few exact points the formulas reach only through a limit); cases
# are disjoint. At import each list becomes a 7 x 7 table over the classes of the two parts
# (-inf, negative, -0, +0, positive, +inf, NaN), unfolded; in the graph a call classifies its
# parts and gathers from the table.

_CLASSES = (-_INF, -2.0, -0.0, 0.0, 2.0, _INF, _NAN)


def _is_zero(v):
    return v == 0


def _is_pinf(v):
    return v == _INF


def _is_ninf(v):
    return v == -_INF


def _is_inf(v):
    return math.isinf(v)


def _is_nan(v):
    return math.isnan(v)


def _is_finite(v):
    return math.isfinite(v)


def _is_finite_nonzero(v):
    return math.isfinite(v) and v != 0


def _is_nonzero(v):
    return v != 0


def _is_any(v):
    return True


_CASES = {
    "cosh": ("even", [
        (_is_zero, _is_pinf, _NAN, 0.0), (_is_zero, _is_nan, _NAN, 0.0),
        (_is_finite_nonzero, _is_pinf, _NAN, _NAN), (_is_finite_nonzero, _is_nan, _NAN, _NAN),
        (_is_pinf, _is_zero, _INF, 0.0), (_is_pinf, _is_pinf, _INF, _NAN),
        (_is_pinf, _is_nan, _INF, _NAN), (_is_nan, _is_zero, _NAN, 0.0),
        (_is_nan, _is_nonzero, _NAN, _NAN)]),
    "sinh": ("odd", [
        (_is_zero, _is_pinf, 0.0, _NAN), (_is_zero, _is_nan, 0.0, _NAN),
        (_is_finite_nonzero, _is_pinf, _NAN, _NAN), (_is_finite_nonzero, _is_nan, _NAN, _NAN),
        (_is_pinf, _is_zero, _INF, 0.0), (_is_pinf, _is_pinf, _INF, _NAN),
        (_is_pinf, _is_nan, _INF, _NAN), (_is_nan, _is_zero, _NAN, 0.0),
        (_is_nan, _is_nonzero, _NAN, _NAN)]),
    "tanh": ("odd", [
        (_is_finite_nonzero, _is_pinf, _NAN, _NAN), (_is_finite_nonzero, _is_nan, _NAN, _NAN),
        (_is_zero, _is_pinf, 0.0, _NAN), (_is_zero, _is_nan, 0.0, _NAN),
        (_is_pinf, _is_pinf, 1.0, 0.0), (_is_pinf, _is_nan, 1.0, 0.0),
        # the standard: 1 + 0j for a positive finite b (C99 has 1 + 0j sin(2b))
        (_is_pinf, _is_finite_nonzero, 1.0, 0.0),
        (_is_nan, _is_zero, _NAN, 0.0), (_is_nan, _is_nonzero, _NAN, _NAN)]),
    "atanh": ("odd", [
        (_is_zero, _is_nan, 0.0, _NAN), (_is_finite, _is_pinf, 0.0, _PI / 2),
        (_is_finite_nonzero, _is_nan, _NAN, _NAN), (_is_pinf, _is_finite, 0.0, _PI / 2),
        (_is_pinf, _is_pinf, 0.0, _PI / 2), (_is_pinf, _is_nan, 0.0, _NAN),
        (_is_nan, _is_finite, _NAN, _NAN), (_is_nan, _is_pinf, 0.0, _PI / 2),
        (_is_nan, _is_nan, _NAN, _NAN)]),
    "asinh": ("odd", [
        (_is_nan, _is_zero, _NAN, 0.0), (_is_nan, _is_finite_nonzero, _NAN, _NAN),
        (_is_nan, _is_pinf, _INF, _NAN), (_is_pinf, _is_nan, _INF, _NAN),
        (_is_finite, _is_nan, _NAN, _NAN), (_is_nan, _is_nan, _NAN, _NAN),
        (_is_pinf, _is_pinf, _INF, _PI / 4),
        (_is_pinf, _is_finite, _INF, 0.0), (_is_finite, _is_pinf, _INF, _PI / 2)]),
    "acosh": (None, [
        (_is_zero, _is_zero, 0.0, _PI / 2), (_is_finite, _is_pinf, _INF, _PI / 2),
        (_is_zero, _is_nan, _NAN, _PI / 2), (_is_finite_nonzero, _is_nan, _NAN, _NAN),
        (_is_ninf, _is_finite, _INF, _PI), (_is_pinf, _is_finite, _INF, 0.0),
        (_is_ninf, _is_pinf, _INF, 3 * _PI / 4), (_is_pinf, _is_pinf, _INF, _PI / 4),
        (_is_inf, _is_nan, _INF, _NAN), (_is_nan, _is_finite, _NAN, _NAN),
        (_is_nan, _is_pinf, _INF, _NAN), (_is_nan, _is_nan, _NAN, _NAN)]),
    "acos": (None, [
        (_is_zero, _is_zero, _PI / 2, -0.0), (_is_zero, _is_nan, _PI / 2, _NAN),
        (_is_finite, _is_pinf, _PI / 2, -_INF), (_is_finite_nonzero, _is_nan, _NAN, _NAN),
        (_is_ninf, _is_finite, _PI, -_INF), (_is_pinf, _is_finite, 0.0, -_INF),
        (_is_ninf, _is_pinf, 3 * _PI / 4, -_INF), (_is_pinf, _is_pinf, _PI / 4, -_INF),
        (_is_inf, _is_nan, _NAN, _INF), (_is_nan, _is_finite, _NAN, _NAN),
        (_is_nan, _is_pinf, _NAN, -_INF), (_is_nan, _is_nan, _NAN, _NAN)]),
    "exp": (None, [
        (_is_finite, _is_nan, _NAN, _NAN), (_is_finite, _is_pinf, _NAN, _NAN),
        (_is_ninf, _is_pinf, 0.0, 0.0), (_is_ninf, _is_nan, 0.0, 0.0),
        (_is_pinf, _is_pinf, _INF, _NAN), (_is_pinf, _is_nan, _INF, _NAN)]),
    "expm1": (None, [
        (_is_finite, _is_pinf, _NAN, _NAN), (_is_finite, _is_nan, _NAN, _NAN),
        (_is_pinf, _is_pinf, _INF, _NAN), (_is_pinf, _is_nan, _INF, _NAN),
        (_is_ninf, _is_pinf, -1.0, 0.0), (_is_ninf, _is_nan, -1.0, 0.0)]),
    "log": (None, [
        (_is_finite, _is_pinf, _INF, _PI / 2), (_is_ninf, _is_finite, _INF, _PI),
        (_is_pinf, _is_finite, _INF, 0.0), (_is_ninf, _is_pinf, _INF, 3 * _PI / 4),
        (_is_pinf, _is_pinf, _INF, _PI / 4), (_is_inf, _is_nan, _INF, _NAN),
        (_is_nan, _is_pinf, _INF, _NAN), (_is_finite, _is_nan, _NAN, _NAN),
        (_is_nan, _is_finite, _NAN, _NAN), (_is_nan, _is_nan, _NAN, _NAN)]),
    "log1p": (None, [
        (_is_finite, _is_pinf, _INF, _PI / 2), (_is_ninf, _is_finite, _INF, _PI),
        (_is_pinf, _is_finite, _INF, 0.0), (_is_ninf, _is_pinf, _INF, 3 * _PI / 4),
        (_is_pinf, _is_pinf, _INF, _PI / 4), (_is_inf, _is_nan, _INF, _NAN),
        (_is_nan, _is_pinf, _INF, _NAN), (_is_finite, _is_nan, _NAN, _NAN),
        (_is_nan, _is_finite, _NAN, _NAN), (_is_nan, _is_nan, _NAN, _NAN)]),
    "sqrt": (None, [
        (_is_any, _is_pinf, _INF, _INF), (_is_ninf, _is_finite, 0.0, _INF),
        (_is_pinf, _is_finite, _INF, 0.0), (_is_ninf, _is_nan, _NAN, _INF),
        (_is_pinf, _is_nan, _INF, _NAN), (_is_finite, _is_nan, _NAN, _NAN),
        (_is_nan, _is_finite, _NAN, _NAN), (_is_nan, _is_nan, _NAN, _NAN)]),
}


def _negative(v: float) -> bool:
    """The sign bit as the graph reads it: a NaN's sign is not read (it counts as +)."""
    return not math.isnan(v) and math.copysign(1.0, v) < 0


def _table(parity, cases) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(hit, real, imaginary) over the 49 class pairs, index 7 * class(a) + class(b)."""
    hit, res_re, res_im = [], [], []
    for a0 in _CLASSES:
        for b0 in _CLASSES:
            a, b = a0, b0
            flip_a = parity in ("even", "odd") and _negative(a)
            if flip_a:
                a, b = -a, -b
            flip_b = _negative(b)
            b = abs(b)
            found = [(vr, vi) for pa, pb, vr, vi in cases if pa(a) and pb(b)]
            assert len(found) <= 1, (parity, a0, b0)
            vr, vi = found[0] if found else (0.0, 0.0)
            if flip_b:
                vi = -vi
            if parity == "odd" and flip_a:
                vr, vi = -vr, -vi
            hit.append(bool(found))
            res_re.append(vr)
            res_im.append(vi)
    return np.array(hit), np.array(res_re), np.array(res_im)


def _classes(v: Array) -> Array:
    """The class of each value, as an index into _CLASSES."""
    ns = _ns()
    i = ns.asarray
    pos = ns.where(v == _INF, i(5), i(4))
    neg = ns.where(v == -_INF, i(0), i(1))
    zero = ns.where(1.0 / v < 0, i(2), i(3))
    return ns.where(v > 0, pos, ns.where(v < 0, neg, ns.where(v == 0, zero, i(6))))


def _with_special_values(fn):
    """``fn`` with the special-value table of its name applied to its result."""
    parity, cases = _CASES[fn.__name__]
    hit, res_re, res_im = _table(parity, cases)

    def wrapper(x, /):
        out = fn(x)
        ns = _ns()
        a, b = _split(x)
        re, im = _split(out)
        index = _classes(a) * 7 + _classes(b)
        dt = D.real_dtype_of(x.dtype)

        def pick(table: np.ndarray, dtype) -> Array:
            return Array._new(_ops.gather(_ops.const(table.astype(dtype.numpy), dtype),
                                          index._v, 0))

        use = pick(hit, D.bool)
        return _cx(ns.where(use, pick(res_re, dt), re), ns.where(use, pick(res_im, dt), im))

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


sqrt = _with_special_values(sqrt)
log = _with_special_values(log)
log1p = _with_special_values(log1p)
exp = _with_special_values(exp)
expm1 = _with_special_values(expm1)
sinh = _with_special_values(sinh)
cosh = _with_special_values(cosh)
tanh = _with_special_values(tanh)
asinh = _with_special_values(asinh)
acos = _with_special_values(acos)
acosh = _with_special_values(acosh)
atanh = _with_special_values(atanh)

# C99 7.3.5: csin(z) = -j csinh(jz), ccos(z) = ccosh(jz), ctan(z) = -j ctanh(jz),
# casin(z) = -j casinh(jz), catan(z) = -j catanh(jz); with j z = -b + aj these are:
sin = _turned(sinh, "sin", "sin(z) = -j sinh(j z).", lambda re, im: (im, -re))
cos = _turned(cosh, "cos", "cos(z) = cosh(j z).", lambda re, im: (re, im))
tan = _turned(tanh, "tan", "tan(z) = -j tanh(j z).", lambda re, im: (im, -re))
asin = _turned(asinh, "asin", "asin(z) = -j asinh(j z).", lambda re, im: (im, -re))
atan = _turned(atanh, "atan", "atan(z) = -j atanh(j z).", lambda re, im: (im, -re))

FUNCTIONS = {f.__name__: f for f in (
    sqrt, log, log2, log10, log1p, exp, expm1, sin, cos, tan, sinh, cosh, tanh, asin, acos,
    atan, asinh, acosh, atanh)}
