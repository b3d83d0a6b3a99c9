"""Elementwise functions of the standard.

Functions that map to one ONNX operator come from two tables (unary and binary) and two small
factories; the rest are written out below them, as composites of ONNX operators (formulas in
``_math.py``) that follow the standard's special cases for NaN, infinities and signed zeros.
Binary functions accept a Python scalar on either side (at least one array), as 2025.12 allows.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _math as M
from . import _ops
from ._array_object import Array, scalar_value
from ._dtypes import DType
from ._graph import Value

__all__ = ["abs", "acos", "acosh", "add", "asin", "asinh", "atan", "atan2", "atanh",
           "bitwise_and", "bitwise_left_shift", "bitwise_invert", "bitwise_or",
           "bitwise_right_shift", "bitwise_xor", "ceil", "clip", "conj", "copysign", "cos",
           "cosh", "divide", "equal", "exp", "expm1", "floor", "floor_divide", "greater",
           "greater_equal", "hypot", "imag", "isfinite", "isinf", "isnan", "less", "less_equal",
           "log", "log1p", "log2", "log10", "logaddexp", "logical_and", "logical_not",
           "logical_or", "logical_xor", "maximum", "minimum", "multiply", "negative",
           "nextafter", "not_equal", "positive", "pow", "real", "reciprocal", "remainder",
           "round", "sign", "signbit", "sin", "sinh", "square", "sqrt", "subtract", "tan",
           "tanh", "trunc"]

_CATEGORY_TEXT = {
    "numeric": "a numeric", "real numeric": "a real-valued", "floating-point": "a floating-point",
    "real floating": "a real floating-point", "bool": "a boolean", "integer": "an integer",
    "integer or boolean": "an integer or boolean", "all": "any",
    "complex floating": "a complex floating-point",
}


def _check(dtype: DType, category: str, func: str) -> None:
    if dtype not in D.CATEGORIES[category]:
        raise TypeError(f"{func}: needs {_CATEGORY_TEXT[category]} dtype, got {dtype.name}")


def _unary_operand(x, category: str, func: str) -> Value:
    if not isinstance(x, Array):
        raise TypeError(f"{func}: expected an onnxarray array, got {type(x).__name__}")
    _check(x._v.dtype, category, func)
    return x._v


def _operands(x1, x2, category: str, func: str) -> tuple[Value, Value, DType]:
    """Validate and promote two operands (arrays or Python scalars) of a binary function."""
    a1, a2 = isinstance(x1, Array), isinstance(x2, Array)
    if a1 and a2:
        v1, v2 = x1._v, x2._v
        dtype = v1.dtype if v1.dtype is v2.dtype else D.promote(v1.dtype, v2.dtype, func)
        _check(v1.dtype, category, func)
        _check(v2.dtype, category, func)
        if v1.shape != v2.shape:  # the eager path never computes shapes: check them here
            _ops.broadcast_shapes(v1.shape, v2.shape, func=func)
        if v1.dtype is not dtype:
            v1 = _ops.cast(v1, dtype)
        if v2.dtype is not dtype:
            v2 = _ops.cast(v2, dtype)
        return v1, v2, dtype
    if a1:
        v1 = _float_for_python_float(x1._v, x2, category, func)
        return v1, scalar_value(x2, v1.dtype, func), v1.dtype
    if a2:
        v2 = _float_for_python_float(x2._v, x1, category, func)
        return scalar_value(x1, v2.dtype, func), v2, v2.dtype
    raise TypeError(f"{func}: at least one argument must be an onnxarray array, got "
                    f"{type(x1).__name__} and {type(x2).__name__}")


def _float_for_python_float(v: Value, scalar, category: str, func: str) -> Value:
    """The array operand of a call with a Python scalar. A Python float with an integer array
    computes in the default float dtype, as an integer array with a float array promotes to
    the float (NumPy, JAX and PyTorch do the same; the standard leaves it open)."""
    _check(v.dtype, category, func)
    if isinstance(scalar, float) and v.dtype.kind in "iu":
        if D.DEFAULT_FLOAT not in D.CATEGORIES[category]:
            raise TypeError(f"{func}: cannot combine a Python float with an array of dtype "
                            f"{v.dtype.name}")
        return _ops.cast(v, D.DEFAULT_FLOAT)
    return v


def _wrap(v: Value) -> Array:
    return Array._new(v)


# ---------------------------------------------------------------------------------------------
# one ONNX operator each

# name: (ONNX op, dtype category, result is bool, identity for integer inputs)
_UNARY = {
    "abs": ("Abs", "numeric", False, False),
    "acos": ("Acos", "floating-point", False, False),
    "acosh": ("Acosh", "floating-point", False, False),
    "asin": ("Asin", "floating-point", False, False),
    "asinh": ("Asinh", "floating-point", False, False),
    "atan": ("Atan", "floating-point", False, False),
    "atanh": ("Atanh", "floating-point", False, False),
    "ceil": ("Ceil", "real numeric", False, True),
    "cos": ("Cos", "floating-point", False, False),
    "cosh": ("Cosh", "floating-point", False, False),
    "exp": ("Exp", "floating-point", False, False),
    "floor": ("Floor", "real numeric", False, True),
    "log": ("Log", "floating-point", False, False),
    "logical_not": ("Not", "bool", True, False),
    "reciprocal": ("Reciprocal", "floating-point", False, False),
    "round": ("Round", "numeric", False, True),
    "sin": ("Sin", "floating-point", False, False),
    "sinh": ("Sinh", "floating-point", False, False),
    "sqrt": ("Sqrt", "floating-point", False, False),
    "tan": ("Tan", "floating-point", False, False),
    "tanh": ("Tanh", "floating-point", False, False),
}


def _make_unary(name: str):
    op, category, to_bool, int_identity = _UNARY[name]

    def func(x: Array, /) -> Array:
        v = _unary_operand(x, category, name)
        if int_identity and v.dtype.kind in "iu":
            return x
        if to_bool:
            return _wrap(_ops.unary(op, v, D.bool))
        return _wrap(M.unary_float(op, v))

    func.__name__ = name
    func.__qualname__ = name
    func.__doc__ = _unary_doc(name, op, int_identity)
    return func


def _unary_doc(name: str, op: str, int_identity: bool) -> str:
    doc = f"Elementwise ``{name}`` (ONNX ``{op}``)."
    notes = []
    if int_identity:
        notes.append("Integer arrays are returned unchanged.")
    if op in M.FLOAT64_COMPOSITES:
        notes.append(f"onnxruntime has no float64 ``{op}`` kernel, so float64 is computed by a "
                     "composite of float64 operators, accurate to a few ulp and never rounded "
                     "through float32.")
    if op == "Tanh":
        notes.append("float32 keeps subnormal arguments, which onnxruntime's kernel flushes to "
                     "zero.")
    return doc + ("\n\n" + " ".join(notes) if notes else "")


abs = _make_unary("abs")  # noqa: A001 - the standard's name
acos = _make_unary("acos")
acosh = _make_unary("acosh")
asin = _make_unary("asin")
asinh = _make_unary("asinh")
atan = _make_unary("atan")
atanh = _make_unary("atanh")
ceil = _make_unary("ceil")
cos = _make_unary("cos")
cosh = _make_unary("cosh")
exp = _make_unary("exp")
floor = _make_unary("floor")
log = _make_unary("log")
logical_not = _make_unary("logical_not")
reciprocal = _make_unary("reciprocal")
round = _make_unary("round")  # noqa: A001
sin = _make_unary("sin")
sinh = _make_unary("sinh")
sqrt = _make_unary("sqrt")
tan = _make_unary("tan")
tanh = _make_unary("tanh")

# name: (ONNX op, dtype category, result is bool)
_BINARY = {
    "add": ("Add", "numeric", False),
    "subtract": ("Sub", "numeric", False),
    "multiply": ("Mul", "numeric", False),
    "equal": ("Equal", "all", True),
    "greater": ("Greater", "real numeric", True),
    "greater_equal": ("GreaterOrEqual", "real numeric", True),
    "less": ("Less", "real numeric", True),
    "less_equal": ("LessOrEqual", "real numeric", True),
    "logical_and": ("And", "bool", True),
    "logical_or": ("Or", "bool", True),
    "logical_xor": ("Xor", "bool", True),
    "maximum": ("Max", "real numeric", False),
    "minimum": ("Min", "real numeric", False),
}


def _make_binary(name: str):
    op, category, to_bool = _BINARY[name]

    def func(x1, x2, /) -> Array:
        v1, v2, _ = _operands(x1, x2, category, name)
        return _wrap(_ops.binary(op, v1, v2, D.bool if to_bool else None))

    func.__name__ = name
    func.__qualname__ = name
    func.__doc__ = f"Elementwise ``{name}`` with broadcasting (ONNX ``{op}``)."
    return func


add = _make_binary("add")
subtract = _make_binary("subtract")
multiply = _make_binary("multiply")
equal = _make_binary("equal")
greater = _make_binary("greater")
greater_equal = _make_binary("greater_equal")
less = _make_binary("less")
less_equal = _make_binary("less_equal")
logical_and = _make_binary("logical_and")
logical_or = _make_binary("logical_or")
logical_xor = _make_binary("logical_xor")


def maximum(x1, x2, /) -> Array:
    """Elementwise maximum (ONNX ``Max``; ``Relu`` against a zero scalar, which fuses with a
    preceding MatMul + Add in onnxruntime). NaN propagates; the standard leaves the order of
    signed zeros open (Relu keeps -0.0, Max gives +0.0)."""
    v1, v2, dtype = _operands(x1, x2, "real numeric", "maximum")
    if dtype.kind == "f":
        for a, b in ((v1, v2), (v2, v1)):
            if b.data is not None and b.data.ndim == 0 and b.data == 0:
                return _wrap(_ops.unary("Relu", a))
    return _wrap(_ops.binary("Max", v1, v2))

minimum = _make_binary("minimum")


# ---------------------------------------------------------------------------------------------
# the rest, written out


def not_equal(x1, x2, /) -> Array:
    """Elementwise ``x1 != x2`` with broadcasting (ONNX ``Not`` of ``Equal``)."""
    v1, v2, _ = _operands(x1, x2, "all", "not_equal")
    return _wrap(_ops.unary("Not", _ops.binary("Equal", v1, v2, D.bool)))


def positive(x: Array, /) -> Array:
    """Elementwise ``+x``: ``x`` itself, no node is recorded."""
    _unary_operand(x, "numeric", "positive")
    return x


def negative(x: Array, /) -> Array:
    """Elementwise ``-x`` (ONNX ``Neg``)."""
    return _wrap(_ops.unary("Neg", _unary_operand(x, "numeric", "negative")))


def square(x: Array, /) -> Array:
    """Elementwise ``x * x`` (one ONNX ``Mul``)."""
    v = _unary_operand(x, "numeric", "square")
    return _wrap(_ops.binary("Mul", v, v))


def conj(x: Array, /) -> Array:
    """Complex conjugate; a real array is returned unchanged."""
    _unary_operand(x, "numeric", "conj")
    return x  # the conjugate of a real number is itself


def real(x: Array, /) -> Array:
    """Real part; a real array is returned unchanged."""
    _unary_operand(x, "numeric", "real")
    return x


def imag(x: Array, /) -> Array:
    """Imaginary part of a complex array (a TypeError for real dtypes)."""
    _unary_operand(x, "complex floating", "imag")
    raise TypeError("imag: complex dtypes are not supported yet")  # pragma: no cover


def trunc(x: Array, /) -> Array:
    """Round toward zero: ``floor(x)`` for x > 0, else ``-floor(-x)``.

    Signed zeros are kept; integer arrays are returned unchanged.
    """
    v = _unary_operand(x, "real numeric", "trunc")
    if v.dtype.kind in "iu":
        return x
    return _wrap(M.trunc(v))


def sign(x: Array, /) -> Array:
    """Elementwise sign (ONNX ``Sign``); unsigned integers use ``x > 0``."""
    v = _unary_operand(x, "numeric", "sign")
    if v.dtype.kind == "u":
        return _wrap(_ops.cast(_ops.binary("Greater", v, _ops.const(0, v.dtype), D.bool),
                               v.dtype))
    return _wrap(_ops.unary("Sign", v))


def isnan(x: Array, /) -> Array:
    """Elementwise NaN test (ONNX ``IsNaN``); all False for integer and bool arrays."""
    v = _unary_operand(x, "numeric", "isnan")
    if v.dtype.kind != "f":
        return _wrap(M.full_bool(v, False))
    return _wrap(_ops.unary("IsNaN", v, D.bool))


def isinf(x: Array, /) -> Array:
    """Elementwise infinity test (ONNX ``IsInf``); all False for integer and bool
    arrays.
    """
    v = _unary_operand(x, "numeric", "isinf")
    if v.dtype.kind != "f":
        return _wrap(M.full_bool(v, False))
    return _wrap(_ops.unary("IsInf", v, D.bool))


def isfinite(x: Array, /) -> Array:
    """Elementwise test for values neither NaN nor infinite; all True for integer and
    bool arrays.
    """
    v = _unary_operand(x, "numeric", "isfinite")
    if v.dtype.kind != "f":
        return _wrap(M.full_bool(v, True))
    return _wrap(M.isfinite(v))


def signbit(x: Array, /) -> Array:
    """Whether the sign bit is set: ``x < 0``, or ``x`` is a zero whose reciprocal is -inf.

    There is no bit-cast operator at the target opset, so the sign of a NaN cannot be read:
    NaNs give False.
    """
    return _wrap(M.signbit(_unary_operand(x, "real floating", "signbit")))


def expm1(x: Array, /) -> Array:
    """``exp(x) - 1``, accurate near 0.

    Composite: ``(u - 1) * x / log(u)`` with ``u = exp(x)`` (Kahan's method).
    """
    return _wrap(M.expm1(_unary_operand(x, "floating-point", "expm1")))


def log1p(x: Array, /) -> Array:
    """``log(1 + x)``, accurate near 0.

    Composite: ``log(u) * x / (u - 1)`` with ``u = 1 + x``.
    """
    return _wrap(M.log1p(_unary_operand(x, "floating-point", "log1p")))


def log2(x: Array, /) -> Array:
    """Base-2 logarithm: ``log(x) / log(2)``."""
    return _wrap(M.log_base(_unary_operand(x, "floating-point", "log2"), 2.0))


def log10(x: Array, /) -> Array:
    """Base-10 logarithm: ``log(x) / log(10)``."""
    return _wrap(M.log_base(_unary_operand(x, "floating-point", "log10"), 10.0))


def bitwise_invert(x: Array, /) -> Array:
    """Elementwise bitwise NOT (ONNX ``BitwiseNot``, or ``Not`` on bool)."""
    v = _unary_operand(x, "integer or boolean", "bitwise_invert")
    return _wrap(_ops.unary("Not" if v.dtype is D.bool else "BitwiseNot", v))


def _bitwise(name: str, int_op: str, bool_op: str):
    def func(x1, x2, /) -> Array:
        v1, v2, dtype = _operands(x1, x2, "integer or boolean", name)
        return _wrap(_ops.binary(bool_op if dtype is D.bool else int_op, v1, v2))

    func.__name__ = name
    func.__qualname__ = name
    func.__doc__ = f"Elementwise ``{name}`` (ONNX ``{int_op}``, or ``{bool_op}`` on bool)."
    return func


bitwise_and = _bitwise("bitwise_and", "BitwiseAnd", "And")
bitwise_or = _bitwise("bitwise_or", "BitwiseOr", "Or")
bitwise_xor = _bitwise("bitwise_xor", "BitwiseXor", "Xor")


def bitwise_left_shift(x1, x2, /) -> Array:
    """Shift ``x1`` left by ``x2`` bits.

    ONNX ``BitShift`` takes unsigned integers only, so signed values shift as their unsigned
    counterpart. Shifts by the bit width or more give 0; negative shifts count as 0.
    """
    v1, v2, _ = _operands(x1, x2, "integer", "bitwise_left_shift")
    return _wrap(M.shift_left(v1, v2))


def bitwise_right_shift(x1, x2, /) -> Array:
    """Shift ``x1`` right by ``x2`` bits (arithmetic for signed integers).

    Composite on ONNX ``BitShift``: negative ``x`` shifts as ``~((~x) >> x2)``. Negative shifts
    count as 0.
    """
    v1, v2, _ = _operands(x1, x2, "integer", "bitwise_right_shift")
    return _wrap(M.shift_right(v1, v2))


def divide(x1, x2, /) -> Array:
    """True division; integer operands are divided in the default floating-point dtype."""
    v1, v2, dtype = _operands(x1, x2, "numeric", "divide")
    if dtype.kind in "iu":
        v1, v2 = _ops.cast(v1, D.DEFAULT_FLOAT), _ops.cast(v2, D.DEFAULT_FLOAT)
    return _wrap(_ops.binary("Div", v1, v2))


def floor_divide(x1, x2, /) -> Array:
    """Python's floor division ``x1 // x2``.

    Floats follow CPython's float floor division; integer division by zero gives 0 (the standard
    leaves it unspecified).
    """
    v1, v2, dtype = _operands(x1, x2, "real numeric", "floor_divide")
    if dtype.kind in "iu":
        return _wrap(M.int_floor_divide(v1, v2))
    return _wrap(M.float_floor_divide(v1, v2))


def remainder(x1, x2, /) -> Array:
    """Python's modulo ``x1 % x2``: the result takes the sign of ``x2``.

    Floats come from ONNX ``Mod`` with ``fmod=1``, moved into the divisor's sign; integer
    ``x % 0`` gives 0 (the standard leaves it unspecified).
    """
    v1, v2, dtype = _operands(x1, x2, "real numeric", "remainder")
    if dtype.kind in "iu":
        return _wrap(M.int_remainder(v1, v2))
    return _wrap(M.float_remainder(v1, v2))


def pow(x1, x2, /) -> Array:  # noqa: A001
    """Elementwise ``x1 ** x2`` (ONNX ``Pow``).

    A float ``x ** 2`` with a scalar 2 is recorded as one ``Mul``, which is exact and faster.
    """
    v1, v2, dtype = _operands(x1, x2, "numeric", "pow")
    if dtype.kind in "iu":
        return _wrap(M.int_pow(v1, v2))
    if v2.data is not None and v2.data.ndim == 0 and v2.data == 2 and dtype.kind == "f" \
            and tuple(v1.shape) == tuple(_ops.broadcast_shapes(v1.shape, v2.shape)):
        return _wrap(_ops.binary("Mul", v1, v1))  # x**2 is x*x exactly; Pow is ~10x slower
    return _wrap(_ops.binary("Pow", v1, v2))


def atan2(x1, x2, /) -> Array:
    """Quadrant-correct arctangent of ``x1 / x2``.

    Composite: ``Atan`` of a ratio in [0, 1], moved into the right quadrant (float64 ``Atan`` is
    itself an exact float64 composite).
    """
    v1, v2, _ = _operands(x1, x2, "real floating", "atan2")
    return _wrap(M.atan2(v1, v2))


def copysign(x1, x2, /) -> Array:
    """``abs(x1)`` with the sign bit of ``x2`` (signed zeros included)."""
    v1, v2, _ = _operands(x1, x2, "real floating", "copysign")
    return _wrap(M.copysign(v1, v2))


def hypot(x1, x2, /) -> Array:
    """``sqrt(x1**2 + x2**2)`` without overflow: scaled by the larger magnitude.

    An infinite operand gives +inf even when the other is NaN.
    """
    v1, v2, _ = _operands(x1, x2, "real floating", "hypot")
    return _wrap(M.hypot(v1, v2))


def logaddexp(x1, x2, /) -> Array:
    """``log(exp(x1) + exp(x2))`` without overflow.

    Composite: ``max(x1, x2) + log1p(exp(-abs(x1 - x2)))``; equal inputs give ``x1 + log(2)``.
    """
    v1, v2, _ = _operands(x1, x2, "real floating", "logaddexp")
    return _wrap(M.logaddexp(v1, v2))


def nextafter(x1, x2, /) -> Array:
    """The next representable value after ``x1`` toward ``x2``.

    Computed exactly from powers of two (there is no bit-cast operator at the target opset);
    subnormals included.
    """
    v1, v2, _ = _operands(x1, x2, "real floating", "nextafter")
    return _wrap(M.nextafter(v1, v2))


def _clip_bound(bound, dtype: DType, func: str) -> Value | None:
    if bound is None:
        return None
    if isinstance(bound, Array):
        b = bound._v
        if b.dtype is not dtype:
            if b.dtype.kind != dtype.kind and not (dtype.kind in "iu" and b.dtype.kind in "iu"):
                raise TypeError(f"{func}: bound dtype {b.dtype.name} does not match "
                                f"{dtype.name}")
            b = _ops.cast(b, dtype)
        return b
    if isinstance(bound, int) and not isinstance(bound, bool) and dtype.kind in "iu":
        # an out-of-range bound clips like the nearest representable one
        info = np.iinfo(dtype.numpy)
        bound = min(max(bound, int(info.min)), int(info.max))
    return scalar_value(bound, dtype, func)


def clip(x: Array, /, min=None, max=None) -> Array:  # noqa: A002
    """Clamp ``x`` to [min, max]; the result keeps ``x``'s dtype; NaNs stay NaN."""
    v = _unary_operand(x, "real numeric", "clip")
    lo = _clip_bound(min, v.dtype, "clip")
    hi = _clip_bound(max, v.dtype, "clip")
    out = v
    if lo is not None:
        out = _ops.where(_ops.binary("Less", out, lo, D.bool), lo, out)
    if hi is not None:
        out = _ops.where(_ops.binary("Greater", out, hi, D.bool), hi, out)
    return _wrap(out)
