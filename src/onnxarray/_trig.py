"""sin, cos and tan built from correctly rounded ONNX arithmetic.

onnxruntime's Sin and Cos kernels are inaccurate in float64 and give different bits for the
same value at different positions of an array (a SIMD body and a scalar tail), in float32 too.
These lowerings use only operators whose results are exact or correctly rounded (Add, Sub,
Mul, Div, Floor, Round, Mod with fmod=1, Where, comparisons, gathers of constants, sums and
matrix products of exact integers), so a value's result never depends on where it sits,
eagerly or exported.

Argument reduction, for |x| > pi/4: x * 2/pi modulo 4 (Payne and Hanek), exact for every finite
double. |x| is cut into four 24-bit integer pieces on a grid aligned to 24-bit words of 2/pi;
the products with the 24-bit words of 2/pi are exact, and their sums by weight ("digits", under
2**50) too. One carry pass leaves digits below 5 * 2**24, which pair into exact doubles; the
integer part gives the quadrant and the rest is the reduced argument y = (x * 2/pi - k) * pi/2
as a double-double (yh, yl) within 2**-70 relative, also for the double closest to a multiple
of pi/2 (6381956970095103 * 2**797, where |y| is about 4.7e-19).

Kernels: fdlibm's __kernel_sin and __kernel_cos (Sun Microsystems, 1993; "Permission to use,
copy, modify, and distribute this software is freely granted, provided that this notice is
preserved"), evaluated by Horner's rule. tan is sin / cos of the same reduced argument.
float32 is evaluated in float64 and rounded once more.
"""

from __future__ import annotations

import math

import numpy as np

from . import _dtypes as D
from . import _ops
from ._graph import Value
from ._ops import add as _add
from ._ops import mul as _mul
from ._ops import sub as _sub

__all__ = ["sin", "cos", "tan", "sin_cos_small", "LOWERINGS", "MEASURED_ULP", "accuracy_note",
           "TWO_OVER_PI_WORDS"]

# 2/pi in 24-bit words: 2/pi = sum(w[j] * 2**(-24 * (j + 1))). 49 words reach the last bits
# that matter for the largest double (2**1024 * 2**-1176 leaves 2**-152 of the fraction).
TWO_OVER_PI_WORDS = (
    0xA2F983, 0x6E4E44, 0x1529FC, 0x2757D1, 0xF534DD, 0xC0DB62, 0x95993C, 0x439041, 0xFE5163,
    0xABDEBB, 0xC561B7, 0x246E3A, 0x424DD2, 0xE00649, 0x2EEA09, 0xD1921C, 0xFE1DEB, 0x1CB129,
    0xA73EE8, 0x8235F5, 0x2EBB44, 0x84E99C, 0x7026B4, 0x5F7E41, 0x3991D6, 0x398353, 0x39F49C,
    0x845F8B, 0xBDF928, 0x3B1FF8, 0x97FFDE, 0x05980F, 0xEF2F11, 0x8B5A0A, 0x6D1F6D, 0x367ECF,
    0x27CB09, 0xB74F46, 0x3F669E, 0x5FEA2D, 0x7527BA, 0xC7EBE5, 0xF17B3D, 0x0739F7, 0x8A5292,
    0xEA6BFB, 0x5FB11F, 0x8D5D08, 0x560330,
)

_WORD = 2.0**24
_DIGITS = 7      # digits of x * 2/pi computed, 24 bits apart; the last only carries
_PIECES = 4      # 24-bit pieces of |x|: 53 bits anywhere in a 24-bit aligned window of 77
_GROUPS = 43     # windows 2**(7 + 24 g) <= |x|: g = 0 .. 42 covers every finite double
_PAD = 4         # zero words before 2/pi: the words "above 2**0" of 2/pi are zero


def _f64(value) -> Value:
    return _ops.const(value, D.float64)


# Layout: the argument is flattened to (N,); the values that belong to one element are stacked
# along a leading axis, (K, N), so that constants broadcast as (K, 1) and combinations of the
# K rows are small matrix products (onnxruntime broadcasts a trailing axis of size 1 slowly).
#
# Window g of |x|: the number of thresholds 2**(7 + 24 j) <= |x|. In window g, |x| < 2**(31 + 24
# (g - 1)) and |x| is a multiple of 2**(24 (g - 1) - 45) for |x| >= 2**-16, so |x| * 2**(89 - 24
# g) is an integer below 2**96: four 24-bit pieces, the first worth 2**(24 (g - 1 - p) + 7).
_THRESHOLDS = _f64([[2.0 ** (7 + 24 * j)] for j in range(_GROUPS)])
_SCALES = _f64([2.0 ** (89 - 24 * g) for g in range(_GROUPS + 1)])
_PIECE_SCALES = _f64([[2.0 ** (-24 * (_PIECES - 1 - p))] for p in range(_PIECES)])
# floor(s 2**-24 (3 - p)) - 2**24 floor(s 2**-24 (4 - p)): the pieces, each difference exact.
_PIECE_DIFFERENCES = _f64(np.eye(_PIECES) - _WORD * np.eye(_PIECES, k=-1))
# The product of piece p and word j of 2/pi has weight 2**(-17 - 24 q) with q = p + j - (g - 1):
# digit q sums the pieces against words j = q + g - 1 - p. Window g holds the ten words j = g - 4
# .. g + 5 (zero before 2/pi starts), and digit q takes word q - p + 3 of the window.
_PADDED = np.concatenate([np.zeros(_PAD), np.array(TWO_OVER_PI_WORDS, dtype=np.float64)])
_WINDOWS = _f64([_PADDED[g:g + _DIGITS + _PIECES - 1] for g in range(_GROUPS + 1)])
_TOEPLITZ = _ops.const([[q - p + _PIECES - 1 for p in range(_PIECES)] for q in range(_DIGITS)],
                       D.int64)
# One carry pass, digit q keeping its low 24 bits and taking the high part of digit q + 1 (the
# carry out of digit 0 is worth 2**7, a multiple of 8: dropped), leaves digits below 5 * 2**24.
# Pairs of them are exact doubles, weighted: P0 = d0 2**-17 + d1 2**-41, P1 = d2 2**-65 +
# d3 2**-89 < 2**-38.6, P2 = d4 2**-113 + d5 2**-137 (digit 6 and beyond: below 2**-133). Each
# is a sum of four exact products of integers that stays below 2**51: exact in any order.
_PAIR = np.zeros((3, _DIGITS))
for _j in range(3):
    _PAIR[_j, 2 * _j] = 2.0 ** (-17 - 48 * _j)
    _PAIR[_j, 2 * _j + 1] = 2.0 ** (-41 - 48 * _j)
_PAIRS = _f64(np.concatenate([_PAIR, _PAIR @ np.eye(_DIGITS, k=1)], axis=1))  # [low, high]
del _j, _PAIR

# pi/2 = _PIO2_1 + _PIO2_2 to 2**-80 relative; _PIO2_1 has 27 bits, so a 26-bit multiple is exact.
_PIO2_1 = float.fromhex("0x1.921fb54p0")
_PIO2_2 = 9.920935796805404e-10
_PIO2 = math.pi / 2

# fdlibm's __kernel_sin and __kernel_cos coefficients (|error| < 2**-58 on [-pi/4, pi/4]).
_S = (-1.66666666666666324348e-01, 8.33333333332248946124e-03, -1.98412698298579493134e-04,
      2.75573137070700676789e-06, -2.50507602534068634195e-08, 1.58969099521155010221e-10)
_C = (4.16666666666666019037e-02, -1.38888888888741095749e-03, 2.48015872894767294178e-05,
      -2.75573143513906633035e-07, 2.08757232129817482790e-09, -1.13596475577881948265e-11)


def _fast_two_sum(a: Value, b: Value) -> tuple[Value, Value]:
    """s + e == a + b exactly with s = fl(a + b), provided |a| >= |b| or a == 0 (Dekker)."""
    s = _add(a, b)
    return s, _sub(b, _sub(s, a))


def _fmod(a: Value, b: float) -> Value:
    return _ops.binary("Mod", a, _f64(b), attrs=(("fmod", 1),))


def _matmul(a: Value, b: Value) -> Value:
    """a @ b for 2-D a and b."""
    return _ops.bind("MatMul", [a, b], [b.dtype], lambda: [(a.shape[0], b.shape[1])])[0]


def _payne_hanek(ax: Value) -> tuple[Value, Value, Value]:
    """(yh, yl, k) with ax = k pi/2 + yh + yl (k mod 4 exact) for 1-D ax >= 2**-16; shape (1, N).
    """
    group = _ops.reduce("ReduceSum", _ops.cast(_ops.binary(
        "GreaterOrEqual", ax, _THRESHOLDS, D.bool), D.int64), [0], keepdims=False)
    scaled = _mul(ax, _ops.gather(_SCALES, group, 0))  # an integer below 2**96
    pieces = _matmul(_PIECE_DIFFERENCES, _ops.unary("Floor", _mul(scaled, _PIECE_SCALES)))
    # (N, 10) rows gathered, then rows of the transpose: onnxruntime gathers whole rows fast.
    window = _ops.transpose(_ops.gather(_WINDOWS, group, 0), (1, 0))
    words = _ops.gather(window, _TOEPLITZ, 0)  # (digits, pieces, N)
    digits = _ops.reduce("ReduceSum", _mul(words, pieces), [1], keepdims=False)
    high = _ops.unary("Floor", _mul(digits, _f64(1 / _WORD)))
    low = _sub(digits, _mul(high, _f64(_WORD)))
    p0, p1, p2 = _split(_matmul(_PAIRS, _ops.concat([low, high], 0)), 3)
    # x 2/pi = p0 + p1 + p2 (mod 8) within 2**-133; p0 is a multiple of 2**-41.
    k = _ops.unary("Round", p0)
    # a = p0 - k is exact. Either |a| >= |p1|, or a + p1 < 2**-37.6 is a multiple of 2**-89 and
    # so exact itself: both ways the fast two-sum is exact.
    wh, e = _fast_two_sum(_sub(p0, k), p1)
    wl = _add(e, p2)
    # y = (wh + wl) pi/2: wh split into 26 + 27 bits (Veltkamp), the high part times _PIO2_1 exact.
    t = _mul(wh, _f64(2.0**27 + 1))
    hh = _sub(t, _sub(t, wh))
    rest = _add(_sub(wh, hh), wl)
    yh, yl = _fast_two_sum(_mul(hh, _f64(_PIO2_1)),
                           _add(_mul(hh, _f64(_PIO2_2)), _mul(rest, _f64(_PIO2))))
    return yh, yl, k


def _split(v: Value, n: int) -> tuple[Value, ...]:
    shape = (1,) + tuple(v.shape[1:])
    return _ops.bind("Split", [v], [v.dtype] * n, lambda: [shape] * n,
                     (("axis", 0), ("num_outputs", n)))


def _reduce(x: Value) -> tuple[Value, Value, Value]:
    """(yh, yl, k): |x| = k pi/2 + yh + yl with |yh| <= pi/4 (k mod 4 exact), shape (1, N).

    |x| <= pi/4 is its own reduced argument (so tiny and subnormal arguments stay exact).
    """
    ax = _ops.unary("Abs", x)
    yh, yl, k = _payne_hanek(ax)
    small = _ops.binary("LessOrEqual", ax, _f64(math.pi / 4), D.bool)
    zero = _f64(0.0)
    return (_ops.where(small, ax, yh), _ops.where(small, zero, yl),
            _ops.where(small, zero, k))


def _kernels(yh: Value, yl: Value) -> tuple[Value, Value]:
    """fdlibm's __kernel_sin(x, y, 1) and __kernel_cos(x, y) (FreeBSD's branch-free form):
    sin and cos of yh + yl for |yh| <= pi/4, the two polynomials evaluated side by side."""
    z = _mul(yh, yh)
    r = _mul(z, _f64([[_S[-1]], [_C[-1]]]))
    for i in range(len(_S) - 2, 0, -1):
        r = _mul(z, _add(_f64([[_S[i]], [_C[i]]]), r))
    ps, pc = _split(_add(_f64([[_S[0]], [_C[0]]]), r), 2)
    hz = _mul(_f64(0.5), z)
    sin = _add(yh, _add(_mul(_mul(z, yh), ps), _sub(yl, _mul(hz, yl))))
    w = _sub(_f64(1.0), hz)
    cos = _add(w, _add(_sub(_sub(_f64(1.0), w), hz), _sub(_mul(z, _mul(z, pc)), _mul(yh, yl))))
    return sin, cos


def _sign(negative: Value) -> Value:
    return _ops.where(negative, _f64(-1.0), _f64(1.0))


def _in_float64(fn):
    """Evaluate on the flattened argument in float64; float32 rounds once more."""

    def lowering(v: Value) -> Value:
        x = _ops.cast(v, D.float64)
        flat = x if len(x.shape) == 1 else _ops.reshape(x, [-1])
        out = fn(flat)  # (1, N)
        if len(x.shape) == 1:
            out = _ops.squeeze(out, [0])
        else:
            shape = [d if type(d) is int else _ops.dim_of(x, i) for i, d in enumerate(x.shape)]
            out = _ops.reshape(out, shape, tuple(x.shape))
        return _ops.cast(out, v.dtype)

    lowering.__name__ = fn.__name__.lstrip("_")
    lowering.__doc__ = fn.__doc__
    return lowering


def _parts(x: Value):
    """Shared by sin, cos and tan of the same x: both kernels, the quadrant, the sign of x."""
    yh, yl, k = _reduce(x)
    s, c = _kernels(yh, yl)
    odd = _ops.binary("Equal", _fmod(k, 2.0), _f64(1.0), D.bool)
    # 1/x < 0 tells -0.0 from +0.0 (and agrees with x < 0 elsewhere but at -inf: NaN anyway)
    x_negative = _ops.binary("Less", _ops.unary("Reciprocal", x), _f64(0.0), D.bool)
    return s, c, k, odd, x_negative


def _sin(x: Value) -> Value:
    """sin(x) = ±sin or ±cos of the reduced argument by quadrant, odd in x."""
    s, c, k, odd, x_negative = _parts(x)
    upper = _ops.binary("GreaterOrEqual", _fmod(k, 4.0), _f64(2.0), D.bool)
    return _mul(_ops.where(odd, c, s), _sign(_ops.binary("Xor", upper, x_negative, D.bool)))


def _cos(x: Value) -> Value:
    """cos(x) = ±cos or ±sin of the reduced argument by quadrant, even in x."""
    s, c, k, odd, _ = _parts(x)
    negative = _ops.binary("GreaterOrEqual", _fmod(_add(k, _f64(1.0)), 4.0), _f64(2.0), D.bool)
    return _mul(_ops.where(odd, s, c), _sign(negative))


def _tan(x: Value) -> Value:
    """tan(x) = sin/cos of the reduced argument, or -cos/sin in odd quadrants; odd in x."""
    s, c, k, odd, x_negative = _parts(x)
    ratio = _ops.binary("Div", _ops.where(odd, c, s), _ops.where(odd, s, c))
    return _mul(ratio, _sign(_ops.binary("Xor", odd, x_negative, D.bool)))


def sin_cos_small(v: Value) -> tuple[Value, Value]:
    """sin and cos of a float64 ``v`` with |v| <= pi/4, by the kernels alone (no reduction);
    sin(-0.0) is +0.0 here."""
    shape = [d if type(d) is int else _ops.dim_of(v, i) for i, d in enumerate(v.shape)]
    s, c = _kernels(_ops.reshape(v, [1, -1]), _f64(0.0))
    return (_ops.reshape(s, shape, tuple(v.shape)), _ops.reshape(c, shape, tuple(v.shape)))


sin = _in_float64(_sin)
cos = _in_float64(_cos)
tan = _in_float64(_tan)

# What replaces onnxruntime's kernel, per dtype: float32 Tan is kept (a scalar kernel, accurate
# and the same at every position, checked in tests/test_trig.py); float32 Sin and Cos are not.
LOWERINGS = {D.float64: {"Sin": sin, "Cos": cos, "Tan": tan},
             D.float32: {"Sin": sin, "Cos": cos}}

# The largest error measured against mpmath over the whole domain (tests/test_trig.py, which
# fails above these), in ulps of the correctly rounded result. float32 Tan is onnxruntime's.
MEASURED_ULP = {"Sin": {"float64": 0.75, "float32": 0.5},
                "Cos": {"float64": 0.75, "float32": 0.5},
                "Tan": {"float64": 2.0, "float32": 1.5}}


def accuracy_note(op: str) -> str:
    bounds = MEASURED_ULP[op]
    return (f"For real arguments, measured error over the whole domain: at most "
            f"{bounds['float64']} ulp in float64 and {bounds['float32']} ulp in float32.")
