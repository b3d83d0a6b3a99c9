"""The standard's rules for the differential fuzzer: how a result is compared with
array-api-strict's (exactly, within a tolerance, or not at all where the standard leaves the
answer open), and bit-for-bit comparison between onnxarray's modes (see ``fuzzing.py``)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
from complex_oracle import MP, exact
from fuzz_programs import FACTORIZATIONS, Call, Ref, plain_name, to_numpy

# functions whose results the standard leaves to rounding (compared within a tolerance)
APPROX = {
    "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "exp", "expm1", "log",
    "log1p", "log2", "log10", "sin", "sinh", "tan", "tanh", "atan2", "hypot", "logaddexp",
    "pow", "__pow__", "__rpow__", "sum", "prod", "mean", "std", "var", "cumulative_sum",
    "cumulative_prod", "matmul", "__matmul__", "tensordot", "vecdot", "linalg.vector_norm",
    "linalg.matrix_norm", "linalg.det", "linalg.inv", "linalg.trace", "linalg.outer",
    "linalg.cross", "fft.fft", "fft.ifft", "fft.rfft", "fft.irfft", "fft.fftn", "divide",
    "__truediv__", "__rtruediv__", "reciprocal", "sqrt", "abs", "__abs__", "linalg.vecdot",
    "linalg.matmul", "linalg.tensordot", "linalg.svdvals", "linalg.solve", "multiply",
    "__mul__", "square", "fft.ifftn", "fft.hfft", "fft.ihfft", "fft.rfftn", "fft.irfftn",
    "linalg.slogdet", "linalg.pinv", "linalg.matrix_power", "eigvalsh_hermitian",
}
# IEEE 754 operations, correctly rounded: exact on real operands
CORRECTLY_ROUNDED = {"multiply", "__mul__", "square", "divide", "__truediv__", "__rtruediv__",
                     "sqrt", "abs", "__abs__"}
# functions whose zero signs the standard leaves open
SIGNLESS = {"max", "min", "maximum", "minimum", "clip", "sum", "prod", "mean", "std", "var",
            "cumulative_sum", "cumulative_prod", "matmul", "__matmul__", "tensordot", "vecdot",
            "linalg.outer", "linalg.cross", "linalg.vector_norm", "linalg.matrix_norm",
            "linalg.det", "linalg.inv", "linalg.trace", "linalg.vecdot", "linalg.matmul",
            "linalg.tensordot", "fft.fft", "fft.ifft", "fft.rfft", "fft.irfft", "fft.fftn",
            "linalg.svdvals", "linalg.solve", "fft.ifftn", "fft.hfft", "fft.ihfft", "fft.rfftn",
            "fft.irfftn", "linalg.slogdet", "linalg.pinv", "linalg.matrix_power",
            "eigvalsh_hermitian"}
# Calls array-api-strict runs (as NumPy does) that the standard does not allow; onnxarray
# raises: a value with more dimensions than the selection, cross of 2-vectors, and a complex
# array given to asarray with a real dtype (the standard: such a cast "should not be
# permitted"; onnxarray's asarray and astype both refuse it, strict's asarray casts).
STRICTER = [("setitem", "does not fit the selection"), ("linalg.cross", "must have size 3"),
            ("asarray", "discards the imaginary part"),
            # a negative repeat, even one broadcast over an empty axis (NumPy: no error)
            ("repeat", "repeats must be non-negative"),
            # prepend/append of a shape that does not fit x (NumPy returns x for n=0 unchecked)
            ("diff", "does not match x of shape"),
            # an index into an empty axis that an empty broadcast selection never reads (NumPy
            # checks none; the standard leaves out-of-range indices unspecified)
            ("getitem_arrays_wrapped", "index out of bounds for axis \\d+ with size 0")]
# Documented limits, not compared: the sign bit of a NaN is read only from opset 26 (BitCast).
# Complex division (reciprocal, x1 / x2, sign's z / |z|) copies the sign of a NaN part into its
# zeros where an operand is infinite (C99 Annex G), so it reads NaN sign bits too.


def _complex_nan(*ops) -> np.ndarray:
    masks = [np.isnan(o) if o.dtype.kind == "c" else np.zeros(o.shape, bool) for o in ops]
    return np.logical_or.reduce(np.broadcast_arrays(*masks)) if len(masks) > 1 else masks[0]


KNOWN_LIMITS = {
    "signbit": lambda x: np.isnan(x),
    "copysign": lambda x1, x2: np.isnan(x2),
    "reciprocal": _complex_nan, "divide": _complex_nan, "truediv": _complex_nan,
    "rtruediv": _complex_nan,
    # z / |z| at an infinite z: complex division's special cases, which the standard leaves to
    # the implementation (onnxarray gives the infinity's direction); with a NaN part, its sign
    "sign": lambda x: ~np.isfinite(x) if x.dtype.kind == "c" else np.zeros(x.shape, bool),
}
# complex results whose NaNs depend on the order of operations when an operand is infinite
# complex functions whose special values test_complex_functions checks on a C99 grid
C99_GRID = {"exp", "expm1", "sin", "cos", "sinh", "cosh", "tan", "tanh", "log", "log2", "log10",
            "log1p", "sqrt", "asin", "asinh", "acos", "acosh", "atan", "atanh"}
NAN_OPEN = {"prod", "cumulative_prod", "matmul", "__matmul__", "tensordot", "vecdot",
            "linalg.outer", "linalg.cross", "linalg.det", "linalg.inv", "linalg.trace",
            "linalg.vecdot", "linalg.matmul", "linalg.tensordot", "fft.fft", "fft.ifft",
            "fft.rfft", "fft.irfft", "fft.fftn", "sum", "mean", "cumulative_sum",
            "linalg.matrix_norm", "linalg.vector_norm", "multiply", "__mul__", "divide",
            "__truediv__", "__rtruediv__", "reciprocal", "square", "pow", "__pow__", "__rpow__",
            "linalg.matrix_power", "fft.ifftn", "fft.hfft", "fft.ihfft", "fft.rfftn",
            "fft.irfftn", "linalg.pinv", "linalg.solve"}
# functions whose rounding grows with the condition number of their matrix operand
CONDITIONED = {"linalg.inv", "linalg.solve", "linalg.pinv"}
# complex results whose rounding is open even for complex multiplication and division
COMPLEX_APPROX = {"multiply", "__mul__", "divide", "__truediv__", "__rtruediv__", "square",
                  "reciprocal", "sign", "abs", "__abs__"}


# -- comparison -----------------------------------------------------------------------------------


def bit_difference(a: np.ndarray, b: np.ndarray, nan_bits: bool = False) -> str | None:
    """Why ``a`` and ``b`` are not the same bits (NaN payloads and signs aside unless
    ``nan_bits``), or None."""
    if a.dtype != b.dtype:
        return f"dtype {a.dtype} != {b.dtype}"
    if a.shape != b.shape:
        return f"shape {a.shape} != {b.shape}"
    if a.dtype.kind == "c":
        return (bit_difference(a.real, b.real, nan_bits)
                or bit_difference(a.imag, b.imag, nan_bits))
    if a.dtype.kind == "f":
        same = (a == b) & (np.signbit(a) == np.signbit(b)) | np.isnan(a) & np.isnan(b)
        if nan_bits:
            uint = f"u{a.dtype.itemsize}"
            same &= a.view(uint) == b.view(uint)
            if not same.all():
                k = np.flatnonzero(~same)[0]
                x, y = a.ravel()[k], b.ravel()[k]
                return f"at {k}: {x!r} ({_hex(x)}) != {y!r} ({_hex(y)})"
        if not same.all():
            k = np.flatnonzero(~same)[0]
            return f"at {k}: {a.ravel()[k]!r} != {b.ravel()[k]!r}"
        return None
    if not np.array_equal(a, b):
        k = np.flatnonzero(a != b)[0]
        return f"at {k}: {a.ravel()[k]!r} != {b.ravel()[k]!r}"
    return None


def _hex(x) -> str:
    return hex(int(np.asarray(x).view(f"u{np.asarray(x).dtype.itemsize}")))


def _operands(call: Call, pool, dtype=None) -> list[np.ndarray]:
    """The array operands of ``call`` and its Python scalars (as ``dtype`` takes a float or
    complex one, when given: 1e300 is inf in float32)."""
    out = []

    def visit(a):
        if isinstance(a, Ref):
            out.append(to_numpy(pool[a.i]))
        elif isinstance(a, (tuple, list)):
            for b in a:
                visit(b)
        elif isinstance(a, (int, float, complex)) and not isinstance(a, bool):
            with np.errstate(all="ignore"):
                out.append(np.asarray(a, dtype if dtype is not None and not isinstance(a, int)
                                      else None))
    for a in (*call.args, *call.kwargs.values()):
        visit(a)
    return out


def _unspecified(call: Call, pool, ref: np.ndarray) -> np.ndarray | None:
    """Elements of ``call``'s result the standard leaves to the implementation (True)."""
    name = call.name.strip("_")
    # Python scalars as the array's dtype would take them (1e300 is inf in float32)
    with np.errstate(all="ignore"):
        ops = [to_numpy(pool[a.i]) if isinstance(a, Ref) else
               np.asarray(a, ref.dtype if isinstance(a, float) and ref.dtype.kind == "f" else None)
               for a in call.args if isinstance(a, (Ref, int, float, complex))]

    def bcast(m):
        return np.broadcast_to(m, ref.shape) if m.shape != ref.shape else m
    try:
        if name in ("astype", "asarray") and ref.dtype.kind in "iu":
            src = ops[0]
            if src.dtype.kind in "fc" or src.dtype.kind in "iu":
                info = np.iinfo(ref.dtype)
                with np.errstate(invalid="ignore"):
                    val = src.real if src.dtype.kind == "c" else src
                    bad = ~np.isfinite(val) | (val < info.min) | (val > info.max) \
                        if val.dtype.kind == "f" else (val.astype(object) < info.min) | \
                        (val.astype(object) > info.max)
                return bcast(np.asarray(bad, bool))
        dt = call.kwargs.get("dtype")
        if name in ("sum", "prod", "cumulative_sum", "cumulative_prod") and dt is not None \
                and np.dtype(dt.name).kind in "iu" and ops[0].dtype.kind in "fc":
            # the input is cast to dtype first: a value outside its range makes it unspecified
            info = np.iinfo(np.dtype(dt.name))
            with np.errstate(invalid="ignore"):
                val = ops[0].real if ops[0].dtype.kind == "c" else ops[0]
                if (~np.isfinite(val) | (val < info.min) | (val > info.max)).any():
                    return np.ones(ref.shape, bool)
        if name == "sort" and call.kwargs.get("descending") and ref.dtype.kind == "f":
            # -0.0 and 0.0 compare equal: a stable descending sort keeps their order (ours);
            # NumPy's flipped ascending sort reverses it
            return ref == 0
        if name in ("prod", "cumulative_prod") and ref.dtype.kind == "f" and ops \
                and np.isinf(ops[0]).any():
            # NumPy's running product underflows to 0, then 0 * inf is NaN; onnxarray's scaled
            # product keeps the tiny nonzero and gives the exact product's infinity
            return np.isnan(ref)
        if name in KNOWN_LIMITS:
            return bcast(KNOWN_LIMITS[name](*ops))
        if name in ("linalg.vector_norm", "linalg.matrix_norm") and ops[0].dtype.kind == "c" \
                and np.isinf(ops[0]).any() and np.isnan(ops[0]).any():
            # |z| of nan + inf j is inf (hypot, C99 cabs): a norm over it is inf or NaN by
            # whether the infinity or the NaN is read first (NumPy sums re² + im²: NaN)
            return np.ones(ref.shape, bool)
        if ref.dtype.kind == "c" and name in C99_GRID and len(ops) == 1 \
                and ops[0].dtype.kind == "c":
            # at a non-finite argument the standard follows C99 Annex G, where NumPy deviates
            # (expm1(-inf + nan j) is -1 + 0j there, NumPy: nan + nan j); those values are
            # checked by test_complex_functions' special-value grid, not here
            return bcast(~np.isfinite(ops[0]))
        if call.name in FACTORIZATIONS and not all(np.isfinite(o).all() for o in ops):
            # LAPACK's results on NaN or infinite entries are not specified (onnxarray: NaN)
            return np.ones(ref.shape, bool)
        if call.name in ("linalg.inv", "linalg.solve") and \
                _condition(call, pool) * np.finfo(ref.dtype).eps > 0.01:
            # inv and solve take a matrix "of full rank": a (numerically) singular one has no
            # specified result
            return np.ones(ref.shape, bool)
        if name == "clip" and ref.dtype.kind in "iu":
            # a bound outside the dtype's range is unspecified
            info = np.iinfo(ref.dtype)
            for bound in (call.kwargs.get("min"), call.kwargs.get("max")):
                if isinstance(bound, Ref):
                    bound = to_numpy(pool[bound.i])
                    if bound.size and (bound.astype(object).min() < info.min or
                                       bound.astype(object).max() > info.max):
                        return np.ones(ref.shape, bool)
                elif type(bound) is int and not info.min <= bound <= info.max:
                    return np.ones(ref.shape, bool)
        if name in ("astype", "asarray") and ref.dtype.kind == "f" and ops[0].dtype.kind in "iu":
            return None
        if len(ops) == 2 and ref.shape == np.broadcast_shapes(ops[0].shape, ops[1].shape):
            x1, x2 = ops if not name.startswith("r") or name in ("remainder", "rshift") \
                else ops[::-1]
            if name in ("floor_divide", "floordiv") and ref.dtype.kind == "f":
                # finite // +-inf: the standard's -0 and Python's -1 are both in use
                return bcast(np.isfinite(x1) & (x1 != 0) & np.isinf(x2))
            if x1.dtype.kind in "iu" or x2.dtype.kind in "iu":
                if name in ("floor_divide", "floordiv", "remainder", "mod"):
                    return bcast((x2 == 0) | ((x2 == -1) if x2.dtype.kind == "i" else False))
                if "shift" in name:
                    bits = 8 * max(x1.dtype.itemsize, 1)
                    return bcast((x2 < 0) | (x2 >= bits))
                if name in ("pow", "rpow"):
                    # negative exponents and overflow are unspecified for integers
                    with np.errstate(all="ignore"):
                        big = np.abs(x1.astype(np.float64)) ** x2.astype(np.float64) >= \
                            float(np.iinfo(ref.dtype).max) / 2
                    return bcast((x2 < 0) | big)
    except (ValueError, TypeError):
        return None
    return None


def close_difference(ours: np.ndarray, ref: np.ndarray, call: Call, pool) -> str | None:
    """Why ``ours`` disagrees with the reference result under the standard's rules, or None."""
    call = Call(plain_name(call.name), call.args, call.kwargs)
    if ours.dtype != ref.dtype:
        return f"dtype {ours.dtype} != reference {ref.dtype}"
    ref = _standard_rules(call, pool, ref)
    if ours.shape != ref.shape:
        return f"shape {ours.shape} != reference {ref.shape}"
    ref = _exact_where_disputed(ours, ref, call, pool)
    skip = _unspecified(call, pool, ref)
    if skip is not None:
        ours, ref = ours[~skip], ref[~skip]
    return _value_difference(ours, ref, call, pool)


def _exact_where_disputed(ours: np.ndarray, ref: np.ndarray, call: Call, pool) -> np.ndarray:
    """The reference with the exact value (mpmath, rounded) where ours and NumPy's differ
    beyond the tolerance at a finite argument of a complex function: NumPy's complex64
    functions lose digits (log1p near 0) and overflow inside (exp(89 - 1e-30j) in complex64 is
    inf - 4.5e8j, NumPy: inf - inf j)."""
    if ref.dtype.kind == "c" and call.name.strip("_") in ("divide", "truediv", "rtruediv"):
        return _exact_quotient_where_disputed(ours, ref, call, pool)
    if ref.dtype.kind == "c" and call.name.strip("_") in ("pow", "rpow"):
        return _exact_power_where_disputed(ours, ref, call, pool)
    if ref.dtype.kind != "c" or call.name not in MP or len(call.args) != 1 \
            or not isinstance(call.args[0], Ref):
        return ref
    x = np.broadcast_to(to_numpy(pool[call.args[0].i]), ref.shape).reshape(-1)
    rtol = 2**10 * np.finfo(ref.real.dtype).eps
    with np.errstate(all="ignore"):
        disputed = ~_parts_close(ours.reshape(-1), ref.reshape(-1), rtol) & np.isfinite(x)
    if not disputed.any():
        return ref
    out = ref.copy().reshape(-1)
    for k in np.flatnonzero(disputed)[:64]:
        w = exact(call.name, complex(x[k]))
        if w is not None:
            with np.errstate(all="ignore"):
                out[k] = ref.dtype.type(complex(float(w.real), float(w.imag)))
    return out.reshape(ref.shape)


def _exact_power_where_disputed(ours, ref, call: Call, pool) -> np.ndarray:
    """The exact power (mpmath, rounded) where ours and NumPy's differ beyond the tolerance at
    finite operands off the base's branch cut: NumPy's complex64 power overflows inside
    ((-0.002 + 3.4e38j) ** -7 gives nan + nan j where the power underflows to 0)."""
    ops = _operands(call, pool)
    if len(ops) != 2:
        return ref
    a, b = (np.broadcast_to(o, ref.shape).reshape(-1) for o in ops)
    if call.name.strip("_") == "rpow":
        a, b = b, a
    rtol = 2**10 * np.finfo(ref.real.dtype).eps
    with np.errstate(all="ignore"):
        disputed = ~_parts_close(ours.reshape(-1), ref.reshape(-1), rtol) & np.isfinite(a) \
            & np.isfinite(b) & ((np.imag(a) != 0) | (np.real(a) > 0))
    if not disputed.any():
        return ref
    out = ref.copy().reshape(-1)
    with mpmath.workprec(3000):
        for k in np.flatnonzero(disputed)[:64]:
            w = mpmath.mpc(complex(a[k])) ** mpmath.mpc(complex(b[k]))
            with np.errstate(all="ignore"):
                out[k] = ref.dtype.type(complex(float(w.real), float(w.imag)))
    return out.reshape(ref.shape)


def _exact_quotient_where_disputed(ours, ref, call: Call, pool) -> np.ndarray:
    """The exact quotient (mpmath, rounded) where ours and NumPy's differ beyond the tolerance
    at finite operands: NumPy's complex division overflows inside (a huge dividend over a
    small divisor gives inf - inf j where the quotient is finite; onnxarray scales, Smith)."""
    ops = _operands(call, pool)
    if len(ops) != 2:
        return ref
    a, b = (np.broadcast_to(o, ref.shape).reshape(-1) for o in ops)
    if call.name.strip("_") == "rtruediv":
        a, b = b, a
    rtol = 2**10 * np.finfo(ref.real.dtype).eps
    with np.errstate(all="ignore"):
        disputed = ~_parts_close(ours.reshape(-1), ref.reshape(-1), rtol) & np.isfinite(a) \
            & np.isfinite(b) & (b != 0)
    if not disputed.any():
        return ref
    out = ref.copy().reshape(-1)
    with mpmath.workprec(3000):
        for k in np.flatnonzero(disputed)[:64]:
            w = mpmath.mpc(complex(a[k])) / mpmath.mpc(complex(b[k]))
            with np.errstate(all="ignore"):
                out[k] = ref.dtype.type(complex(float(w.real), float(w.imag)))
    return out.reshape(ref.shape)


def _standard_rules(call: Call, pool, ref: np.ndarray) -> np.ndarray:
    """The reference result with NumPy's deviations from the standard replaced."""
    if call.name == "mean" and ref.dtype.kind == "c":
        # the sum divided by N part by part (NumPy divides as complex numbers, which turns
        # (x + inf j) / N into NaN + inf j)
        x = to_numpy(pool[call.args[0].i])
        kw = {"axis": call.kwargs.get("axis"), "keepdims": call.kwargs.get("keepdims", False)}
        with np.errstate(all="ignore"):
            total = np.sum(x, **kw)
            n = x.size // max(total.size, 1) if x.size else 0
            out = np.empty_like(ref)
            out.real, out.imag = total.real / ref.real.dtype.type(n), \
                total.imag / ref.real.dtype.type(n)
        return out.reshape(ref.shape)
    if call.name in ("fft.irfft", "fft.hfft") and call.kwargs.get("n") \
            and to_numpy(pool[call.args[0].i]).shape[call.kwargs.get("axis", -1)] == 0:
        # the empty signal zero-padded to n is zeros (NumPy reads uninitialised memory)
        return np.zeros_like(ref)
    if call.name.startswith("fft.") and not call.name.endswith(("shift", "freq")):
        # A transform of finite signals near the float maximum: NumPy's passes (axis by axis,
        # in float32 for float32 signals) overflow to inf and meet inf - inf = NaN where the
        # transform is finite or infinite; the reference is the float64 transform of the
        # signal scaled by 2**-64, scaled back (powers of two: exact but for subnormals).
        x = to_numpy(pool[call.args[0].i])
        wide = x.astype(np.complex128 if x.dtype.kind == "c" else np.float64)
        if np.isfinite(x).all() and _operand_scale(call, pool) >= \
                float(np.finfo(ref.real.dtype).max) / 4:
            with np.errstate(all="ignore"):
                out = getattr(np.fft, call.name[4:])(wide * 2.0 ** -64, **call.kwargs)
                return (out * 2.0 ** 64).astype(ref.dtype)
    if call.name == "linalg.matrix_rank":
        # NumPy's SVD overflows on entries near the float maximum (rank 0 of a nonzero
        # matrix): the rank is that of x scaled by a power of two (the tolerance is relative)
        x = to_numpy(pool[call.args[0].i])
        with np.errstate(all="ignore"):
            top = max(np.abs(x.real).max(initial=0.0), np.abs(x.imag).max(initial=0.0)) \
                if x.dtype.kind == "c" else np.abs(x).max(initial=0.0)
        if np.isfinite(x).all() and top > np.sqrt(np.finfo(x.real.dtype).max):
            scaled = x * x.real.dtype.type(2.0 ** -int(np.frexp(top)[1]))
            return np.asarray(np.linalg.matrix_rank(scaled), ref.dtype).reshape(ref.shape)
    if call.name == "diff" and call.kwargs.get("n") == 0 and (
            call.kwargs.get("prepend") is not None or call.kwargs.get("append") is not None):
        # the standard's n-th difference of x with prepend and append joined along the axis
        # (its size M + N1 + N2 - n); NumPy returns x itself for n=0
        kw = call.kwargs
        joined = [to_numpy(pool[a.i]) for a in (kw.get("prepend"), call.args[0], kw.get("append"))
                  if a is not None]
        return np.concatenate(joined, axis=kw.get("axis", -1)).astype(ref.dtype)
    if call.name == "isin" and call.kwargs.get("invert"):
        # array-api-strict 2.6 drops invert (it calls np.isin(x1, x2) without it)
        return ~ref
    name = call.name.strip("_")
    if name in ("floor_divide", "floordiv") and ref.dtype.kind == "f":
        # +-inf // finite is +-inf by the standard (NumPy: NaN)
        with np.errstate(all="ignore"):  # a Python float as the dtype takes it (1e300: inf)
            x1, x2 = (to_numpy(pool[a.i]) if isinstance(a, Ref) else
                      np.asarray(a, ref.dtype if isinstance(a, float) else None)
                      for a in call.args)
        hit = np.isinf(x1) & np.isfinite(x2) & (x2 != 0)
        if hit.any():
            with np.errstate(all="ignore"):
                inf = np.broadcast_to(x1 * np.sign(x2), ref.shape)
            return np.where(np.broadcast_to(hit, ref.shape), inf, ref).astype(ref.dtype)
    if call.name in ("var", "std"):
        # N - correction <= 0 gives NaN (NumPy: inf or NaN)
        x = to_numpy(pool[call.args[0].i])
        axis = call.kwargs.get("axis")
        axes = range(x.ndim) if axis is None else (axis,) if isinstance(axis, int) else axis
        n = math.prod(x.shape[a] for a in axes)
        if n - call.kwargs.get("correction", 0) <= 0:
            return np.full_like(ref, np.nan)
    return ref


def _complex_close(ours, ref, call, pool) -> str | None:
    """Complex results of rounding functions: within a tolerance of |result| (or of the
    operands' scale for reductions); infinite parts must agree."""
    eps = np.finfo(ours.real.dtype).eps
    rtol = 2**10 * eps * _condition(call, pool)
    scale = _operand_scale(call, pool) if _is_reduction(call.name) else 0.0
    with np.errstate(all="ignore"):
        err = np.abs(ours.astype(np.complex128) - ref.astype(np.complex128))
        mag = np.abs(ref.astype(np.complex128))
        close = (err <= rtol * np.maximum(mag, scale) + float(np.finfo(ours.real.dtype).tiny))
        inf_o = np.isinf(ours.real) | np.isinf(ours.imag)
        inf_r = np.isinf(ref.real) | np.isinf(ref.imag)
        close &= inf_o == inf_r
        close |= inf_o & inf_r & _parts_close(ours, ref, rtol)
        if _is_reduction(call.name) and scale >= float(np.finfo(ours.real.dtype).max) / 4:
            close |= inf_o | inf_r  # order-dependent overflow
    if not close.all():
        k = np.flatnonzero(~close)[0]
        return f"at {k}: {ours.ravel()[k]!r} != reference {ref.ravel()[k]!r} (approx)"
    return None


def _parts_close(ours, ref, rtol) -> np.ndarray:
    """Part by part: infinities equal, NaNs together, finite parts within ``rtol`` of the
    larger finite part of ``ref``."""
    ok = np.ones(ours.shape, bool)
    with np.errstate(all="ignore"):
        mag = np.maximum(
            np.where(np.isfinite(ref.real), np.abs(ref.real), 0),
            np.where(np.isfinite(ref.imag), np.abs(ref.imag), 0))
        for o, r in ((ours.real, ref.real), (ours.imag, ref.imag)):
            fin = np.isfinite(o) & np.isfinite(r)
            ok &= np.where(fin, np.abs(o.astype(np.float64) - r) <= rtol * mag
                           + float(np.finfo(o.dtype).tiny),
                           (o == r) | (np.isnan(o) & np.isnan(r)))
    return ok


def _condition(call: Call, pool) -> float:
    """The largest condition number of the matrices ``call`` inverts (1 for other calls): the
    rounding of inv, solve and pinv grows with it (NumPy's and onnxarray's LU and SVD round
    differently)."""
    if call.name not in CONDITIONED or not isinstance(call.args[0], Ref):
        return 1.0
    x = to_numpy(pool[call.args[0].i])
    if x.size == 0 or not np.isfinite(x).all():
        return 1.0
    with np.errstate(all="ignore"):
        top = np.abs(x.astype(np.complex128)).max()
        if top == 0:
            return math.inf
        # scaled by a power of two: NumPy's SVD overflows near the float maximum
        sv = np.linalg.svd(x * 2.0 ** -int(np.frexp(top)[1]), compute_uv=False)
        if call.name == "linalg.pinv":  # the singular values pinv inverts (its default rtol)
            cut = sv[..., :1] * max(x.shape[-2:]) * np.finfo(sv.dtype).eps
            sv = np.where(sv > cut, sv, np.inf)
            return float(max(1.0, (sv[..., 0] / sv.min(axis=-1)).max()))
        return float(max(1.0, (sv[..., 0] / sv[..., -1]).max()))


def _is_reduction(name: str) -> bool:
    return name in SIGNLESS or name.startswith(("linalg.", "fft."))


def _operand_scale(call, pool) -> float:
    """The largest finite operand magnitude times the operand's size."""
    scale = 0.0
    for a in _operands(call, pool):
        if a.dtype.kind in "fc" and a.size:
            fin = a[np.isfinite(a)]
            m = np.abs(fin.astype(np.complex128)) if a.dtype.kind == "c" else np.abs(fin)
            scale = max(scale, float(m.max(initial=0.0)) * max(a.size, 1))
    return scale


def _value_difference(ours, ref, call, pool) -> str | None:
    name = call.name
    if ours.dtype.kind == "c":
        # a NaN in either part: the standard fixes only that the result holds a NaN
        nan_o = np.isnan(ours.real) | np.isnan(ours.imag)
        nan_r = np.isnan(ref.real) | np.isnan(ref.imag)
        if name in NAN_OPEN:
            # with infinite operands or an overflow, complex products and transforms meet
            # inf * 0 or inf - inf in an order the standard leaves open: NaN is no error there
            inf_in = any(np.isinf(a).any() for a in _operands(call, pool, ours.dtype)
                         if a.dtype.kind in "fc")
            inf_o = np.isinf(ours.real) | np.isinf(ours.imag)
            inf_r = np.isinf(ref.real) | np.isinf(ref.imag)
            # an overflow anywhere in a running product reaches the later results (NumPy's
            # (1.8e19)**2 * 0 is inf * 0 = NaN in complex64; onnxarray's scaled product, 0)
            overflow = inf_r.any() if name in ("cumulative_prod",) else inf_r
            # operands near the float maximum: an intermediate overflows or not by the order
            # of a sum (a transform's reference is exact there instead: _standard_rules)
            overflow = overflow | (_is_reduction(name) and not name.startswith("fft.") and
                                   _operand_scale(call, pool) >=
                                   float(np.finfo(ours.real.dtype).max) / 4)
            either = (nan_o | nan_r) & (inf_in | inf_o | overflow)
            ours, ref = ours[~either], ref[~either]
            nan_o, nan_r = nan_o[~either], nan_r[~either]
        if not np.array_equal(nan_o, nan_r):
            k = np.flatnonzero(nan_o != nan_r)[0]
            return f"at {k}: {ours.ravel()[k]!r} != reference {ref.ravel()[k]!r} (NaN)"
        ours, ref = ours[~nan_o], ref[~nan_o]
        if name in APPROX or name in COMPLEX_APPROX:
            return _complex_close(ours, ref, call, pool)
        cname = name if name not in COMPLEX_APPROX else "sin"
        call2 = Call(cname, call.args, call.kwargs)
        return _value_difference(ours.real, ref.real, call2, pool) or \
            _value_difference(ours.imag, ref.imag, call2, pool)
    if ours.dtype.kind != "f":
        if not np.array_equal(ours, ref):
            k = np.flatnonzero(ours != ref)[0]
            return f"at {k}: {ours.ravel()[k]!r} != reference {ref.ravel()[k]!r}"
        return None
    nan_o, nan_r = np.isnan(ours), np.isnan(ref)
    if name.startswith("fft.") and any(~np.isfinite(a).all() for a in _operands(call, pool)
                                       if a.dtype.kind in "fc"):
        # a real transform (irfft, hfft) of infinite or NaN terms meets inf - inf or NaN * 0
        # in an order the standard leaves open (onnxruntime's Bluestein chirps, NumPy's radix
        # passes, whose first output adds real parts only): a NaN against another value is no
        # error there, as for the complex transforms
        either = nan_o | nan_r
        ours, ref, nan_o, nan_r = ours[~either], ref[~either], nan_o[~either], nan_r[~either]
    approx = name in APPROX and not (
        name in CORRECTLY_ROUNDED and
        all(a.dtype.kind != "c" for a in _operands(call, pool)))
    if approx:
        eps = np.finfo(ours.dtype).eps
        rtol = 2**10 * eps * _condition(call, pool)
        scale = _operand_scale(call, pool)
        reduction = _is_reduction(name)
        atol = rtol * scale if reduction else 0.0
        big = reduction and scale >= float(np.finfo(ours.dtype).max) / 4
        tiny = float(np.finfo(ours.dtype).smallest_normal)
        with np.errstate(all="ignore"):
            close = np.isclose(ours, ref, rtol=rtol, atol=max(atol, tiny), equal_nan=True)
            close |= (ours == ref)
            if big:  # order-dependent overflow: inf or NaN against a huge value is no error
                close |= ~np.isfinite(ours) | ~np.isfinite(ref)
        if not close.all():
            k = np.flatnonzero(~close)[0]
            return f"at {k}: {ours.ravel()[k]!r} != reference {ref.ravel()[k]!r} (approx)"
        return None
    if not np.array_equal(nan_o, nan_r):
        k = np.flatnonzero(nan_o != nan_r)[0]
        return f"at {k}: {ours.ravel()[k]!r} != reference {ref.ravel()[k]!r} (NaN)"
    ok = ~nan_o
    o, r = ours[ok], ref[ok]
    same = o == r
    if name not in SIGNLESS:
        same &= np.signbit(o) == np.signbit(r)
    if not same.all():
        k = np.flatnonzero(~same)[0]
        return f"{o[k]!r} != reference {r[k]!r}"
    return None


def unique_difference(call, pool, outs, refs) -> str | None:
    """unique_*: the order of values is unspecified; compare as multisets and check indices."""
    x = to_numpy(pool[call.args[0].i]).ravel()
    vals = np.asarray(outs[0])
    ref_vals = to_numpy(refs[0])
    if vals.dtype != ref_vals.dtype or vals.shape != ref_vals.shape:
        return f"values {vals.dtype}{vals.shape} != reference {ref_vals.dtype}{ref_vals.shape}"

    def key(v):
        # -0 and +0 are one unique value, represented by either zero (the standard: "the
        # corresponding unique element will be implementation-dependent"); + 0.0 makes it +0
        if v.dtype.kind == "c":
            w = v.astype(np.complex128)
            return np.sort(w.real + 0.0 + 1j * (w.imag + 0.0))
        return np.sort(v + v.dtype.type(0)) if v.dtype.kind == "f" else np.sort(v)
    if bit_difference(key(vals), key(ref_vals)):
        return f"values {vals!r} != reference {ref_vals!r}"
    if call.name == "unique_counts":
        counts = np.asarray(outs[1])
        if counts.sum() != x.size:
            return f"counts {counts!r} do not add up to {x.size}"
    if call.name in ("unique_inverse", "unique_all"):
        inv = np.asarray(outs[1 if call.name == "unique_inverse" else 2]).ravel()
        back = vals[inv] if vals.size else vals[:0]
        ok = (back == x) | (np.isnan(back) & np.isnan(x)) if x.dtype.kind in "fc" else back == x
        if back.shape != x.shape or not ok.all():
            return "inverse indices do not rebuild x"
    return None
