"""Elementwise functions of the standard.

Functions that map to one ONNX operator come from two tables (unary and binary) and two small
factories; the rest are written out below them, as composites of ONNX operators (formulas in
``_math.py``) that follow the standard's special cases for NaN, infinities and signed zeros.
Binary functions accept a Python scalar on either side (at least one array), as 2025.12 allows.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _elementary as E
from . import _math as M
from . import _ops, _trig
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


# Beyond the standard: equality also compares string arrays (and a string array with a str).
# As sets: a dtype is found by its identity hash, without a Python-level ``DType.__eq__`` call
# per dtype listed before it (this check runs on every call).
_CATEGORIES = {name: frozenset(dtypes) for name, dtypes in
               {**D.CATEGORIES, "all or string": D.ALL + (D.string,)}.items()}
_CATEGORY_TEXT["all or string"] = "any"


def _check(dtype: DType, category: str, func: str) -> None:
    if dtype not in _CATEGORIES[category]:
        D.no_strings(func, dtype)
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


# Worst error in ulps of the correctly rounded result, measured against mpmath over the whole
# domain (tests/test_accuracy.py with ONNXARRAY_ACCURACY=thorough, onnxruntime 1.32; float32
# also on 4 million points against float64 NumPy): name -> (float32, float64).
MEASURED_ULP = {
    "acos": (0.5, 1.4), "acosh": (1.8, 2.4), "asin": (0.5, 1.9), "asinh": (1.6, 2.3),
    "atan": (0.5, 0.8), "atanh": (1.7, 2.3), "cosh": (1.9, 1.5), "exp": (0.9, 1.0),
    "expm1": (0.5, 1.7), "log": (0.8, 0.6), "log1p": (0.5, 1.7), "log2": (1.4, 1.5),
    "log10": (1.6, 2.2), "sinh": (1.9, 2.0), "tanh": (0.5, 3.3), "sqrt": (0.5, 0.5),
    "reciprocal": (0.5, 0.5), "atan2": (0.5, 1.5), "hypot": (1.6, 1.7), "pow": (0.6, 0.6),
    "logaddexp": (0.5, 19.0),
}


def _measured(name: str) -> str:
    f32, f64 = MEASURED_ULP[name]
    return (f"Worst error measured against mpmath over the whole domain (subnormals and "
            f"extremes included): {f32} ulp (float32), {f64} ulp (float64).")


def _unary_doc(name: str, op: str, int_identity: bool) -> str:
    doc = f"Elementwise ``{name}`` (ONNX ``{op}``)."
    notes = []
    if int_identity:
        notes.append("Integer arrays are returned unchanged.")
    if op in _trig.MEASURED_ULP:
        notes.append(_trig.accuracy_note(op))
    elif op in M.NO_FLOAT64_KERNEL:
        notes.append(f"onnxruntime has no float64 ``{op}`` kernel, so float64 is computed by a "
                     "composite of float64 operators, never rounded through float32.")
    moved = [d.name for d, ops in M.POSITION_DEPENDENT.items() if op in ops]
    if moved:
        kernels = "kernels give" if len(moved) > 1 else "kernel gives"
        notes.append(f"onnxruntime's {' and '.join(sorted(moved))} {kernels} different last "
                     "bits at different array positions (SIMD code and a scalar remainder), "
                     "so a composite of operators that compute every element alike replaces "
                     "it.")
    if op == "Tanh":
        notes.append("float32 is the float64 kernel's result rounded once (its last-bit "
                     "differences vanish in the rounding): onnxruntime's float32 kernel is 5 ulp "
                     "off near 8.6 and flushes subnormal arguments to zero.")
    if name in MEASURED_ULP:
        notes.append(_measured(name))
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
    "equal": ("Equal", "all or string", True),
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


# Comparisons whose operand of shape (..., 1) is spread along a short last axis first (see
# _ort_compat.ROW_SPREAD_MAX_COLUMNS).
_ORDERINGS = ("Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual")


def _make_binary(name: str):
    op, category, to_bool = _BINARY[name]

    def func(x1, x2, /) -> Array:
        v1, v2, dtype = _operands(x1, x2, category, name)
        if dtype.kind == "f" and op in ("Add", "Sub", "Mul"):
            return _wrap(M.arithmetic(op, v1, v2))  # see _math.arithmetic
        if op in _ORDERINGS and dtype.kind == "f":
            side = _ops.row_spread_side(v1, v2)
            if side is not None:  # a comparison reads -0.0 as +0.0: the spread is exact
                return _wrap(_ops.spread_binary(op, v1, v2, side, D.bool))
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


def _is_python_number(x, value) -> bool:
    """``x`` is a Python int or float equal to ``value`` (not an array: a lowering chosen from
    an array's data would change when that array is a plan or model input instead)."""
    return type(x) in (int, float) and x == value


def maximum(x1, x2, /) -> Array:
    """Elementwise maximum (ONNX ``Max``; ``Relu`` against a Python scalar zero, which fuses
    with a preceding MatMul + Add in onnxruntime). NaN propagates. The standard leaves open
    which zero a tie of -0.0 and +0.0 gives; here it depends on the operands' order and
    positions (onnxruntime's kernels), and is the same op by op, in plans and exported."""
    v1, v2, dtype = _operands(x1, x2, "real numeric", "maximum")
    clipped = _clip_of_extrema("Max", v1, v2)
    if clipped is not None:
        return _wrap(clipped)
    if dtype.kind == "f":
        if _is_python_number(x2, 0):
            return _wrap(_ops.unary("Relu", v1))
        if _is_python_number(x1, 0):
            return _wrap(_ops.unary("Relu", v2))
    return _wrap(_ops.binary("Max", v1, v2))


def minimum(x1, x2, /) -> Array:
    """Elementwise minimum (ONNX ``Min``). NaN propagates. ``minimum(maximum(x, lo), hi)`` and
    ``maximum(minimum(x, hi), lo)`` with scalar constant bounds record one ONNX ``Clip`` where
    that gives the same bits (``_zero_ties_alike``: a zero bound meeting a zero of the other
    sign is settled otherwise by Clip than by Max/Min, whose choice the standard leaves open
    but which must not change between an eager call and the model)."""
    v1, v2, _ = _operands(x1, x2, "real numeric", "minimum")
    clipped = _clip_of_extrema("Min", v1, v2)
    return _wrap(_ops.binary("Min", v1, v2) if clipped is None else clipped)


def _constant_bound(v: Value) -> float | int | None:
    """The value of a one-element constant that is not NaN, else None (a recorded operation
    may hold a 0-D constant with the other operand's rank: ``_ops.binary``)."""
    d = v.data
    if d is None or d.size != 1 or (d.dtype.kind == "f" and np.isnan(d).any()):
        return None
    return d.reshape(()).item()


def _zero_ties_alike(x: Value, bounds: tuple[Value, Value]) -> bool:
    """Whether ``Clip`` gives the bits of Max/Min wherever ``x`` ties with a bound. Only a tie
    of -0.0 and +0.0 has two answers: Max/Min settle it by kernel path (the same op by op and
    in a model of the same nodes), Clip by comparisons, so the rewrite could change it between
    an eager call and the model. So a zero bound must be +0.0 and ``x`` hold no -0.0."""
    if x.dtype.kind != "f":
        return True
    zeros = [c for c in bounds if _constant_bound(c) == 0]
    return not zeros or (not any(np.signbit(c.data).any() for c in zeros)
                         and not _ops.may_be_negative_zero(x))


def _clip_of_extrema(op: str, v1: Value, v2: Value) -> Value | None:
    """``Clip`` for Min(Max(x, lo), hi) or Max(Min(x, hi), lo) (either operand order) with
    0-D constant, non-NaN bounds, the inner ``Max`` against zero being a ``Relu``; None when
    the operands are not of that form. Min(Max(x, lo), hi) is hi where lo > hi, as Clip is;
    Max(Min(x, hi), lo) is lo there, so it becomes a Clip only when lo <= hi."""
    inner_op = "Min" if op == "Max" else "Max"
    for inner, bound in ((v1, v2), (v2, v1)):
        outer = _constant_bound(bound)
        node = inner.node
        if outer is None or node is None:
            continue
        if node.op == "Relu" and inner_op == "Max":
            x, b = node.inputs[0], _ops.const(0, inner.dtype)
        elif node.op == inner_op:
            x, b = node.inputs
            if _constant_bound(b) is None:
                x, b = b, x
        else:
            continue
        value = _constant_bound(b)
        if value is None or b.dtype is not inner.dtype or x.shape != inner.shape \
                or max(len(b.shape), len(bound.shape)) > len(x.shape) \
                or not _zero_ties_alike(x, (b, bound)):
            continue
        b, bound = (_ops.const(c.data.reshape(()), c.dtype) for c in (b, bound))  # Clip's 0-D
        lo, hi = (b, bound) if op == "Min" else (bound, b)
        if op == "Max" and _constant_bound(lo) > _constant_bound(hi):
            continue
        return clip_scalar_bounds(x, lo, hi)
    return None


# ---------------------------------------------------------------------------------------------
# the rest, written out


def not_equal(x1, x2, /) -> Array:
    """Elementwise ``x1 != x2`` with broadcasting (ONNX ``Not`` of ``Equal``)."""
    v1, v2, _ = _operands(x1, x2, "all or string", "not_equal")
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
    """Whether the sign bit is set, NaNs included, read with ``BitCast`` in eager calls (where
    onnx and onnxruntime have it) and in models built at opset >= 26.

    Below opset 26 (the default export opset is 18) no operator reads a float's bits: ``x < 0``,
    or ``x`` is a zero whose reciprocal is -inf, which gives False for every NaN.
    """
    return _wrap(M.signbit(_unary_operand(x, "real floating", "signbit")))


def expm1(x: Array, /) -> Array:
    """``exp(x) - 1``, accurate near 0 and finite up to where exp(x) overflows.

    Composite: ``(u - 1) * (x / log(u))`` with ``u = exp(x)`` (Kahan's method).
    """
    return _wrap(E.expm1(_unary_operand(x, "floating-point", "expm1")))


def log1p(x: Array, /) -> Array:
    """``log(1 + x)``, accurate near 0 and up to the largest finite value.

    Composite: ``log(u) * (x / (u - 1))`` with ``u = 1 + x``.
    """
    return _wrap(E.log1p(_unary_operand(x, "floating-point", "log1p")))


def log2(x: Array, /) -> Array:
    """Base-2 logarithm: ``log(x) / log(2)``, exactly k at x = 2**k."""
    return _wrap(E.log_base(_unary_operand(x, "floating-point", "log2"), 2.0))


def log10(x: Array, /) -> Array:
    """Base-10 logarithm: ``log(x) / log(10)``, exactly k at the float nearest 10**k."""
    return _wrap(E.log_base(_unary_operand(x, "floating-point", "log10"), 10.0))


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
    return _wrap(M.arithmetic("Div", v1, v2))


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

    Float exponents of 2 and 3 are products (``x * x``, ``x * x * x``), in every layout and
    mode (``_math.power``): a Python scalar 2 or 3 records only the products, which are exact
    for 2 and ~10x faster than Pow.
    """
    v1, v2, dtype = _operands(x1, x2, "numeric", "pow")
    if dtype.kind in "iu":
        return _wrap(_int_pow(v1, v2, dtype))
    if dtype.kind == "f":
        return _wrap(M.power(v1, v2))
    return _wrap(_ops.binary("Pow", v1, v2))


# onnxruntime's integer Pow goes through double (3**39 and (2**62 + 1)**1 come out rounded) and
# saturates (uint64 3**40 gave 2**63). Integer powers are therefore computed exactly by
# square-and-multiply in int64, whose wrap-around matches every narrower integer type after the
# final cast. Exponents of 64 and more only matter for bases 0, 1 and -1 (any other base
# overflows, which the standard leaves unspecified), so the exponent is reduced to 62 or 63
# with its parity kept: six squarings. A negative exponent (unspecified for integers) gives
# 1 / x**|e| truncated: 1 for x = 1, +-1 for x = -1, 0 otherwise.


def _int_pow(a: Value, b: Value, dtype: DType) -> Value:
    i64 = D.int64
    a, b = _ops.cast(a, i64), _ops.cast(b, i64)
    if b.data is not None and b.data.ndim == 0 and 0 <= int(b.data) < 64:
        e = int(b.data)  # a known exponent: only the multiplications it needs
        out, base = None, a
        while e:
            if e & 1:
                out = base if out is None else _ops.binary("Mul", out, base)
            e >>= 1
            if e:
                base = _ops.binary("Mul", base, base)
        out = out if out is not None else _ops.binary("Add", _ops.binary("Mul", a, _ops.const(
            0, i64)), _ops.const(1, i64))  # x**0 == 1, shaped like x
        return _ops.cast(out, dtype)
    zero, one, two = _ops.const(0, i64), _ops.const(1, i64), _ops.const(2, i64)
    # an int64 view of a uint64 exponent >= 2**63 is negative but means a huge exponent
    negative = _ops.binary("Less", b, zero, D.bool) if dtype.kind == "i" else None
    parity = _ops.unary("Abs", _ops.binary("Mod", b, two))
    small = _ops.binary("And", _ops.binary("GreaterOrEqual", b, zero, D.bool),
                        _ops.binary("Less", b, _ops.const(64, i64), D.bool), D.bool)
    e = _ops.where(small, b, _ops.binary("Add", _ops.const(62, i64), parity))
    out = _ops.binary("Add", _ops.binary("Mul", a, zero), one)  # ones, broadcast like a
    out = _ops.binary("Add", _ops.binary("Mul", e, zero), out)  # ... and like b
    base = a
    for k in range(6):
        bit = _ops.binary("Equal", _ops.binary("Mod", _ops.binary(
            "Div", e, _ops.const(1 << k, i64)), two), one, D.bool)
        out = _ops.where(bit, _ops.binary("Mul", out, base), out)
        if k < 5:
            base = _ops.binary("Mul", base, base)
    if negative is not None:
        unit = _ops.binary("Equal", _ops.binary("Mul", a, a), one, D.bool)  # x is 1 or -1
        out = _ops.where(_ops.binary("And", negative, _ops.unary("Not", unit, D.bool), D.bool),
                         zero, out)
    return _ops.cast(out, dtype)


def atan2(x1, x2, /) -> Array:
    """Quadrant-correct arctangent of ``x1 / x2``.

    Composite: atan of a ratio in [0, 1], moved into the right quadrant by pi/2 or pi given in
    two parts; float32 is computed in float64 and rounded once.
    """
    v1, v2, _ = _operands(x1, x2, "real floating", "atan2")
    return _wrap(M.atan2(v1, v2))


def copysign(x1, x2, /) -> Array:
    """``abs(x1)`` with the sign bit of ``x2`` (signed zeros and NaNs included).

    The sign bit is read as ``signbit`` reads it: below opset 26 a NaN ``x2`` counts as
    positive, so ``copysign(1.0, -nan)`` is +1.0 in models built at the default opset 18.
    """
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

    Composite: ``max(x1, x2) + log1p(exp(-abs(x1 - x2)))``; equal inputs give ``x1 + log(2)``;
    float32 is computed in float64 and rounded once. Where the result is near 0 the two terms
    cancel: float64 is then within 4 ulp times the result's relative condition number
    ``(|x1| w1 + |x2| w2) / |result|`` (weights ``softmax(x1, x2)``), not 4 ulp.
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


for _f in (expm1, log1p, log2, log10, atan2, hypot, logaddexp):
    _f.__doc__ = _f.__doc__.rstrip() + "\n\n    " + _measured(_f.__name__) + "\n    "
del _f


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
    """Clamp ``x`` to [min, max]; the result keeps ``x``'s dtype; a NaN in ``x``, ``min`` or
    ``max`` gives NaN (the standard's special cases for clip).

    Scalar bounds give one ONNX ``Clip`` (what runtimes fuse and vectorise); onnxruntime's Clip
    ignores a NaN bound, so a float bound that may be NaN adds a check. Array bounds broadcast:
    two ``Where``s."""
    v = _unary_operand(x, "real numeric", "clip")
    lo = _clip_bound(min, v.dtype, "clip")
    hi = _clip_bound(max, v.dtype, "clip")
    if lo is None and hi is None:
        return x
    if all(b is None or b.shape == () for b in (lo, hi)):
        return _wrap(clip_scalar_bounds(v, lo, hi))
    out = v
    if lo is not None:
        out = _ops.where(_or_nan_bound(_ops.binary("Less", out, lo, D.bool), lo), lo, out)
    if hi is not None:
        out = _ops.where(_or_nan_bound(_ops.binary("Greater", out, hi, D.bool), hi), hi, out)
    return _wrap(out)


def clip_scalar_bounds(v: Value, lo: Value | None, hi: Value | None) -> Value:
    """ONNX ``Clip`` of ``v`` to 0-D bounds of its dtype (None: unbounded), NaN-propagating.

    onnxruntime 1.32's Clip gives NaN for a NaN element and, at every array position alike,
    the same values and zero signs as ``x < lo ? lo : x`` then ``x > hi ? hi : x`` (checked in
    tests/test_clip_lowering.py). Two differences are taken care of: an absent float bound is
    its dtype's finite extreme there (so -inf would become -max), hence ±inf instead; and a NaN
    bound is ignored, where the standard asks for NaN, so a bound that may be NaN adds -0.0 or
    NaN to the result (x + -0.0 is x, signed zeros included)."""
    if v.dtype.kind == "f":
        lo = _ops.const(-np.inf, v.dtype) if lo is None else lo
        hi = _ops.const(np.inf, v.dtype) if hi is None else hi
    out = _ops.bind("Clip", [v, lo, hi], [v.dtype], lambda: [v.shape])[0]
    flags = [_ops.where_signed(_ops.unary("IsNaN", b, D.bool), _ops.const(np.nan, v.dtype),
                               _ops.const(-0.0, v.dtype))
             for b in (lo, hi) if b is not None and _may_be_nan(b)]
    if flags:
        flag = flags[0] if len(flags) == 1 else _ops.binary("Add", *flags)
        out = _ops.binary("Add", out, flag)
    return out


def _may_be_nan(v: Value) -> bool:
    return v.dtype.kind == "f" and (v.data is None or bool(np.isnan(v.data).any()))


def _or_nan_bound(cond: Value, bound: Value) -> Value:
    """``cond`` or ``bound`` is NaN: a NaN bound replaces x (a comparison with it is false)."""
    if bound.dtype.kind != "f" or (bound.data is not None and not np.isnan(bound.data).any()):
        return cond
    return _ops.binary("Or", cond, _ops.unary("IsNaN", bound, D.bool), D.bool)
