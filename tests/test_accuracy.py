"""Accuracy of the floating-point functions against NumPy, per function and dtype.

onnxruntime lacks float64 kernels for several functions and ONNX lacks others (expm1, log1p,
hypot, ...); onnxarray computes them exactly in the input's precision rather than through
float32. Each case draws finite inputs with hypothesis over the function's domain (including
large magnitudes) and bounds the maximum relative error: 1e-12 for float64, 1e-5 for float32.
The measured maxima are printed as a table at the end of the test run.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import onnxarray as xp

BOUND = {"float32": 1e-5, "float64": 1e-12}
TABLE: dict[tuple[str, str], float] = {}

# name -> (onnxarray function, NumPy reference, domain (low, high) per argument)
UNARY = {
    "exp": (xp.exp, np.exp, (-80, 80)),
    "expm1": (xp.expm1, np.expm1, (-80, 80)),
    "log": (xp.log, np.log, (1e-30, 1e30)),
    "log1p": (xp.log1p, np.log1p, (-0.999, 1e30)),
    "log2": (xp.log2, np.log2, (1e-30, 1e30)),
    "log10": (xp.log10, np.log10, (1e-30, 1e30)),
    "sqrt": (xp.sqrt, np.sqrt, (0, 1e30)),
    "sin": (xp.sin, np.sin, (-3, 3)),
    "cos": (xp.cos, np.cos, (-1.5, 1.5)),
    "tan": (xp.tan, np.tan, (-1.5, 1.5)),
    "asin": (xp.asin, np.arcsin, (-1, 1)),
    "acos": (xp.acos, np.arccos, (-1, 1)),
    "atan": (xp.atan, np.arctan, (-1e30, 1e30)),
    "sinh": (xp.sinh, np.sinh, (-80, 80)),
    "cosh": (xp.cosh, np.cosh, (-80, 80)),
    "tanh": (xp.tanh, np.tanh, (-40, 40)),
    "asinh": (xp.asinh, np.arcsinh, (-1e30, 1e30)),
    "acosh": (xp.acosh, np.arccosh, (1, 1e30)),
    "atanh": (xp.atanh, np.arctanh, (-0.999, 0.999)),
}
BINARY = {
    "atan2": (xp.atan2, np.arctan2, (-1e30, 1e30)),
    "hypot": (xp.hypot, np.hypot, (-1e30, 1e30)),
    "logaddexp": (xp.logaddexp, np.logaddexp, (-1e30, 1e30)),
    "pow": (xp.pow, np.power, (0.5, 4)),
    "divide": (xp.divide, np.divide, (1e-10, 1e10)),
}
EXACT = {  # functions whose result is exact: zero error
    "copysign": (xp.copysign, np.copysign, (-1e30, 1e30)),
    "nextafter": (xp.nextafter, np.nextafter, (-1e30, 1e30)),
}


def _rel_error(got: np.ndarray, ref: np.ndarray) -> float:
    both_inf = np.isinf(got) & np.isinf(ref) & (np.sign(got) == np.sign(ref))
    tiny = np.finfo(ref.dtype).tiny
    err = np.abs(got.astype(np.float64) - ref.astype(np.float64)) / np.maximum(
        np.abs(ref.astype(np.float64)), tiny)
    err = np.where(both_inf | (np.isnan(got) & np.isnan(ref)), 0.0, err)
    return float(np.max(err)) if err.size else 0.0


def _floats(dtype, low, high):
    return hnp.arrays(np.dtype(dtype), st.integers(1, 64), elements=_elements(dtype, low, high))


def _elements(dtype, low, high):
    """Finite floats of ``dtype`` in [low, high], bounds rounded inwards to ``dtype``."""
    if dtype == "float32":
        low = float(np.nextafter(np.float32(low), np.float32(np.inf))) \
            if float(np.float32(low)) < low else float(np.float32(low))
        high = float(np.nextafter(np.float32(high), np.float32(-np.inf))) \
            if float(np.float32(high)) > high else float(np.float32(high))
    return st.floats(low, high, width=32 if dtype == "float32" else 64,
                     allow_subnormal=False)


def _record(name: str, dtype: str, err: float) -> None:
    TABLE[(name, dtype)] = max(TABLE.get((name, dtype), 0.0), err)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_accuracy(name, dtype):
    fn, ref_fn, (low, high) = UNARY[name]

    @settings(max_examples=30)
    @given(x=_floats(dtype, low, high))
    def check(x):
        with np.errstate(all="ignore"):
            ref = ref_fn(x)
        got = np.asarray(fn(xp.asarray(x)))
        assert got.dtype == ref.dtype
        err = _rel_error(got, ref)
        _record(name, dtype, err)
        assert err <= BOUND[dtype], f"{name}({dtype}) relative error {err:.2e}"

    check()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", sorted(BINARY) + sorted(EXACT))
def test_binary_accuracy(name, dtype):
    fn, ref_fn, (low, high) = {**BINARY, **EXACT}[name]
    bound = 0.0 if name in EXACT else BOUND[dtype]

    @settings(max_examples=30)
    @given(data=st.data())
    def check(data):
        x1 = data.draw(_floats(dtype, low, high))
        x2 = data.draw(hnp.arrays(x1.dtype, x1.shape, elements=_elements(dtype, low, high)))
        with np.errstate(all="ignore"):
            ref = ref_fn(x1, x2)
        got = np.asarray(fn(xp.asarray(x1), xp.asarray(x2)))
        err = _rel_error(got, ref)
        _record(name, dtype, err)
        assert err <= bound, f"{name}({dtype}) relative error {err:.2e}"

    check()


def accuracy_table() -> str:
    """The measured maxima, one row per function (used by the terminal summary)."""
    if not TABLE:
        return ""
    names = sorted({n for n, _ in TABLE})
    lines = [f"{'function':12s} {'float32':>10s} {'float64':>10s}   (max relative error vs NumPy)"]
    for n in names:
        cells = [f"{TABLE[(n, d)]:10.2e}" if (n, d) in TABLE else f"{'-':>10s}"
                 for d in ("float32", "float64")]
        lines.append(f"{n:12s} {' '.join(cells)}")
    return "\n".join(lines)
