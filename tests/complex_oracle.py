"""Oracles for complex elementwise functions: CPython's cmath test cases, C99 Annex G special
values and mpmath, with errors judged in ulps of |result|.

``cmath_cases()`` reads ``cmath_testcases.txt`` from the running Python's ``test`` package
(None when the package is not installed). ``ulp_error(out, exact, dtype)`` measures a result
against an mpmath value: the larger part error divided by one ulp of |exact| in ``dtype``;
components that round to an infinity must be that infinity.
"""

from __future__ import annotations

import math
import os

import mpmath
import numpy as np

# The functions of the cmath test file, named as in the standard.
CMATH_FUNCTIONS = ("acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "exp",
                   "log", "log10", "sin", "sinh", "sqrt", "tan", "tanh")

# Every complex elementwise function of the standard that maps one complex to one complex.
UNARY = CMATH_FUNCTIONS + ("expm1", "log1p", "log2", "sign", "square", "reciprocal")

MP = {name: getattr(mpmath, name) for name in CMATH_FUNCTIONS + ("expm1", "log1p", "sign")}
MP["log2"] = lambda z: mpmath.log(z) / mpmath.log(2)
MP["square"] = lambda z: z * z
MP["reciprocal"] = lambda z: 1 / z


def cmath_cases() -> list[tuple] | None:
    """(id, function, argument, expected, flags) rows of CPython's cmath test file."""
    try:
        import test
    except ImportError:
        return None
    path = os.path.join(os.path.dirname(test.__file__), "cmath_testcases.txt")
    if not os.path.exists(path):
        return None
    rows = []
    with open(path) as f:
        for line in f:
            line = line.split("--")[0].strip()
            if not line:
                continue
            lhs, rhs = line.split("->")
            ident, fn, ar, ai = lhs.split()
            er, ei, *flags = rhs.split()
            if fn in CMATH_FUNCTIONS:
                rows.append((ident, fn, complex(float(ar), float(ai)),
                             complex(float(er), float(ei)), tuple(flags)))
    return rows


def _on_cut(name: str, z: complex) -> bool:
    """Whether z lies on a branch cut of ``name`` (where the sign of a zero part decides)."""
    re, im = z.real, z.imag
    if name in ("log", "log2", "log10", "sqrt"):
        return im == 0 and re < 0
    if name == "log1p":
        return im == 0 and re < -1
    if name in ("asin", "acos", "atanh"):
        return im == 0 and abs(re) > 1
    if name == "acosh":
        return im == 0 and re < 1
    if name in ("asinh", "atan"):
        return re == 0 and abs(im) > 1
    return False


def exact(name: str, z: complex) -> mpmath.mpc | None:
    """The value of ``name`` at ``z``, correct to far more bits than a double; None at a pole
    or at a zero of log. On a branch cut the zero part counts as a signed infinitesimal, so
    the value is the one from the side its sign names (mpmath knows no signed zeros)."""
    spread = max((abs(math.frexp(p)[1]) for p in (z.real, z.imag) if p), default=0)
    cut = _on_cut(name, z)
    with mpmath.workprec(200 + 2 * spread + (700 if cut else 0)):
        re, im = mpmath.mpf(z.real), mpmath.mpf(z.imag)
        if cut:
            eps = mpmath.ldexp(abs(re) + abs(im) or 1, -300)
            re, im = (math.copysign(1, p) * eps if p == 0 else q
                      for p, q in ((z.real, re), (z.imag, im)))
        try:
            w = MP[name](mpmath.mpc(re, im))
        except ZeroDivisionError:
            return None
    return w if mpmath.isfinite(w.real) and mpmath.isfinite(w.imag) else None


# Functions the standard defines by a textbook formula, whose signs of zero parts are the
# formula's, not those of the exact value.
TEXTBOOK = ("square", "reciprocal")


def zero_signs_agree(out: complex, want: mpmath.mpc, ref: complex, textbook=False) -> bool:
    """A zero part of ``out`` has the sign of the exact value where that is not zero (rounding
    keeps signs), else the sign of ``ref`` (the C99 or textbook value) where that is zero."""
    for got, w, r in ((out.real, want.real, ref.real), (out.imag, want.imag, ref.imag)):
        if got != 0:
            continue
        sign = (w < 0) if w != 0 and not textbook else (math.copysign(1, r) < 0 if r == 0 else None)
        if sign is not None and sign != (math.copysign(1, got) < 0):
            return False
    return True


def _ulp(mag: mpmath.mpf, dtype) -> mpmath.mpf:
    info = np.finfo(dtype)
    p = info.nmant + 1
    tiny = mpmath.mpf(2) ** (info.minexp - info.nmant)
    if mag == 0:
        return tiny
    e = mpmath.frexp(mag)[1] - 1
    return max(mpmath.mpf(2) ** (e - p + 1), tiny)


def _part_error(got: float, want: mpmath.mpf, dtype) -> mpmath.mpf | float:
    rounded = dtype(float(want)) if abs(want) < 1e308 else dtype(math.copysign(math.inf, want))
    if math.isinf(got):
        return 0.0 if rounded == got else math.inf
    if math.isnan(got):
        return math.inf
    return abs(mpmath.mpf(float(got)) - want)


def ulp_error(out: complex, want: mpmath.mpc, dtype) -> float:
    """Error of ``out`` in ulps of |want| (in the real dtype ``dtype``)."""
    unit = _ulp(abs(want), dtype)
    err = max(_part_error(out.real, want.real, dtype), _part_error(out.imag, want.imag, dtype))
    return float(err / unit) if err != math.inf else math.inf


def same_special(out: complex, want: complex, flags=()) -> bool:
    """Special values agree: NaN for NaN, the same infinity, and zeros of the same sign where
    both are zero (unless a flag says the sign of that part is unspecified). A finite part
    against a finite expected part is left to ``ulp_error``."""
    for got, exp, ignore in ((out.real, want.real, "ignore-real-sign" in flags),
                             (out.imag, want.imag, "ignore-imag-sign" in flags)):
        if ignore:
            got, exp = abs(got), abs(exp)
        if math.isnan(exp) or math.isnan(got):
            if math.isnan(exp) != math.isnan(got):
                return False
        elif math.isinf(exp) or math.isinf(got):
            if got != exp:
                return False
        elif got == 0 and exp == 0 and math.copysign(1, got) != math.copysign(1, exp):
            return False
    return True


def finite(z: complex) -> bool:
    return math.isfinite(z.real) and math.isfinite(z.imag)


# -- the special-value grid ----------------------------------------------------------------


def grid_parts(dtype) -> list[float]:
    """Values of each part on the grid: signed zeros, subnormals, ones, a value near the
    square root of the largest finite value, the largest finite value, infinities and NaN."""
    info = np.finfo(dtype)
    tiny = float(info.smallest_subnormal)
    vals = [0.0, tiny, 1.0, 2.5, float(np.sqrt(info.max)), float(info.max), math.inf]
    return [s * v for v in vals for s in (1.0, -1.0)] + [math.nan]


def grid(dtype) -> np.ndarray:
    parts = grid_parts(dtype)
    cdt = np.complex64 if dtype == np.float32 else np.complex128
    out = np.empty(len(parts) ** 2, cdt)
    out.real = np.repeat(parts, len(parts))
    out.imag = np.tile(parts, len(parts))
    return out


# NumPy (C99 functions of the C library) for the special values; expm1 and log1p through exp
# and log, whose special values the standard gives them (NumPy's own disagree); square and
# reciprocal by the textbook formulas, in the dtype's arithmetic.
NUMPY = {"acos": np.arccos, "acosh": np.arccosh, "asin": np.arcsin, "asinh": np.arcsinh,
         "atan": np.arctan, "atanh": np.arctanh}


def numpy_value(name: str, z: complex, dtype=np.float64) -> complex:
    cdt = np.complex64 if dtype == np.float32 else np.complex128
    with np.errstate(all="ignore"):
        if name == "square":
            a, b = dtype(z.real), dtype(z.imag)
            return complex(a * a - b * b, a * b * dtype(2))
        if name == "reciprocal":
            return _textbook_reciprocal(dtype(z.real), dtype(z.imag))
        if name == "expm1":
            w = np.exp(cdt(z))
            return complex(w.real - dtype(1), w.imag)
        if name == "log1p":
            return complex(np.log(cdt(complex(dtype(z.real) + dtype(1), z.imag))))
        return complex(NUMPY.get(name, getattr(np, name, None))(cdt(z)))


def _textbook_reciprocal(c, d) -> complex:
    """(c - dj) / (c² + d²) with C99's 1/0 = inf + NaN j and 1/inf = 0; the signs of zero
    parts are those of the textbook formula the standard names."""
    if c == 0 and d == 0:
        return complex(math.copysign(math.inf, c), math.nan)
    if math.isinf(c) or math.isinf(d):  # C99's one infinity: 1 / inf = 0
        return complex(math.copysign(0.0, c), -math.copysign(0.0, d))
    n = c * c + d * d
    return complex(c / n, -d / n)
