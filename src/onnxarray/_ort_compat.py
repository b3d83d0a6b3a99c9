"""onnxruntime CPU kernel gaps and the detour for each: the only place such workarounds live.

Checked against onnxruntime 1.32 at opset 18 (``tests/test_ort_compat.py`` fails when an entry
is no longer needed, so the table shrinks as the runtime grows).

``CAST_VIA[op][dtype]`` names the dtype to compute ``op`` in when its typed inputs have
``dtype``. Every entry is exact: integers widen (wrap-around arithmetic commutes with the
narrowing cast back), bool goes through uint8, and ``ORDERED_UINT64`` maps uint64 onto int64 by
flipping the sign bit, which preserves order for comparisons, sorting and extrema. The float64
float64 transcendental functions are not here: _math computes them exactly in float64.

A quirk that is not a gap: onnxruntime's float Where drops the sign of a -0.0 taken from one of
its two value inputs, which one depending on broadcasting (``where_keeps_sign_of``);
``_ops.where_signed`` arranges its inputs, or repairs the result, accordingly.

Some of onnxruntime's default graph optimizations change results, so the lowerings record
forms they leave alone (an exported model run with them then equals eager bit for bit):
NoopElimination drops arithmetic with a constant it reads in float32 (``noop_in_float32``);
DivMulFusion turns ``1 / x * y`` into ``y / x`` (``is_float_one``: ``_ops.binary`` records
Reciprocal instead); MatMulAddFusion makes a Gemm of a MatMul and an Add, and a constant 2-d
float32 MatMul operand is packed at start-up, both summing in another order than eager's
MatMul (``_linear_algebra_functions._mm`` gives the operand a leading axis of 1); the
transpose optimizer folds a Transpose into a following reduction or MatMul (``build`` puts an
operator it does not see through after such a Transpose, see ``_Emitter.guarded``).
"""

from __future__ import annotations

import numpy as np

from ._dtypes import (
    bool,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
)

__all__ = ["CAST_VIA", "TYPED_INPUTS", "ORDERED_UINT64", "where_keeps_sign_of",
           "STRING_GATHER_LAST_AXIS_ONLY"]

ORDERED_UINT64 = "ordered-uint64"

_SMALL_INTS = {int8: int32, int16: int32, uint8: int32, uint16: int32}
_SMALL_UINTS = {uint8: int32, uint16: int32, uint32: int64, uint64: int64}

CAST_VIA: dict[str, dict] = {
    "Pow": {**_SMALL_INTS, uint32: int64, uint64: int64},
    "Neg": _SMALL_UINTS,
    "Max": {int16: int32, uint16: int32, bool: uint8},
    "Min": {int16: int32, uint16: int32, bool: uint8},
    "ReduceSum": {**_SMALL_INTS, uint32: int64, uint64: int64, bool: int64},
    "ReduceProd": {**_SMALL_INTS, uint32: int64, uint64: int64},
    "ReduceMax": {int16: int32, uint16: int32, uint32: int64, uint64: ORDERED_UINT64,
                  bool: uint8},
    "ReduceMin": {int16: int32, uint16: int32, uint32: int64, uint64: ORDERED_UINT64,
                  bool: uint8},
    "CumSum": {**_SMALL_INTS, uint32: int64, uint64: int64},
    "ArgMax": {int16: int32, uint16: int32, uint32: int64, uint64: ORDERED_UINT64, bool: uint8},
    "ArgMin": {int16: int32, uint16: int32, uint32: int64, uint64: ORDERED_UINT64, bool: uint8},
    # uint32/uint64 kernels exist but fail when the contracted size is 0 (they write the
    # zero-filled result through an int view); int64 wrap-around matmul is exact for both.
    "MatMul": {**_SMALL_INTS, bool: int32, uint32: int64, uint64: int64},
    "TopK": {bool: uint8, uint16: int32, uint32: int64, uint64: ORDERED_UINT64},
    "Where": {bool: uint8, int16: int32, uint16: int32, uint64: int64},
    "Unique": {bool: uint8, int16: int32, int32: int64, uint8: int64, uint16: int64,
               uint32: int64, uint64: ORDERED_UINT64},
    "Trilu": {int8: int32, int16: int32, uint8: int32, uint16: int32, uint32: int64,
              uint64: int64},
    "Clip": {int16: int32, uint16: int32},
    "Less": {bool: uint8},
    "Greater": {bool: uint8},
    "LessOrEqual": {bool: uint8},
    "GreaterOrEqual": {bool: uint8},
}

# onnxruntime 1.32's Gather on STRING tensors is wrong when the gathered axis is not the last
# one: of each gathered block it copies the first string and leaves the rest empty
# (Gather(axis=0) of [["b", "a"], ["c", "d"]] at [1] gives [["c", ""]]). Gathering along the
# last axis is right, so _ops.gather moves the axis there and back (two Transposes).
STRING_GATHER_LAST_AXIS_ONLY = True

# onnxruntime 1.32 broadcasts an operand of shape (..., 1) along a short last axis with one
# kernel call per row: a 10,000 x 3 float64 Sub with a (10,000, 1) operand takes ~290 us, the
# same Sub with that operand first spread to (10,000, 3) by a MatMul with a row of ones ~110 us
# (the MatMul ~80 us, a Sub of equal shapes ~35 us; 10 columns: 325 us against 180 us). The
# spread is exact but for the sign of a zero (a product accumulated onto +0.0 turns -0.0 into
# +0.0), so it serves operands that hold no -0.0, or results whose zeros' sign is moot. Past
# about 16 columns the per-row calls cost less than the extra pass.
ROW_SPREAD_MAX_COLUMNS = 16

# Of two NaNs, onnxruntime 1.32's float64 Add and Mul keep the wide operand's where an (..., 1)
# one is broadcast along the last axis, and the second operand's where the shapes are equal;
# float32 mixes both by position (SIMD body and tail). Sub, Div and comparisons keep the first
# operand's in every layout. So the spread operand of a float64 Add or Mul goes first (True:
# swapping them is exact otherwise), and float32 ones are not spread (False).
SPREAD_NAN_ORDER = {op: {float64: True, float32: False} for op in ("Add", "Mul")}

# Indices of the inputs whose dtype is the op's type parameter (default: all inputs).
TYPED_INPUTS: dict[str, tuple[int, ...]] = {
    "Where": (1, 2),
    "CumSum": (0,),
    "Trilu": (0,),
    "TopK": (0,),
    "ReduceSum": (0,),
    "ReduceProd": (0,),
    "ReduceMax": (0,),
    "ReduceMin": (0,),
}

# Float64 Tan, Asin, Acos, Atan, Sinh, Cosh, Asinh, Acosh and Atanh have no kernel either; they
# are exact float64 composites in _math.FLOAT64_COMPOSITES rather than detours through float32.


def where_keeps_sign_of(cond: tuple, x: tuple, y: tuple) -> str | None:
    """Which value input of a float ``Where(cond, x, y)`` of these shapes keeps the sign of a
    -0.0: "x", "y", or None when the shapes do not settle it.

    onnxruntime computes ``xs = cond ? x : 0`` and ``ys = !cond ? y : 0`` (each broadcast with
    the condition), then merges them: element by element ``xs != 0 ? xs : ys``, which drops a
    -0.0 of ``x``; but when ``ys`` is constant along the innermost dimension that varies, a
    span where that constant is zero copies ``xs`` whole, which drops a -0.0 of ``y`` instead.
    When the result's last dimension is 1, every span is one element and the merge is element
    by element. Checked over shape combinations in tests/test_ort_compat.py.
    """
    xs, ys = _broadcast(cond, x), _broadcast(cond, y)
    if xs is None or ys is None:
        return None
    n = max(len(xs), len(ys))
    y_rank = len(ys)
    xs, ys = (1,) * (n - len(xs)) + xs, (1,) * (n - len(ys)) + ys
    return _kept(xs, ys, y_rank)


def _kept(xs: tuple, ys: tuple, y_rank: int) -> str | None:
    """``y_rank``: how many of the trailing axes are ``ys``'s own (the rest is padding)."""
    if xs and xs[-1] == 1 and ys[-1] == 1:
        return _one_element_spans(xs, ys, y_rank)
    for i in range(len(xs) - 1, -1, -1):
        dx, dy = xs[i], ys[i]
        if type(dx) is not int or type(dy) is not int:
            if dx != dy:
                return None  # a size that may be 1 at run time decides nothing yet
            # equal sizes: "y" if they are not 1 at run time, else the outer axes decide
            return "y" if _kept(xs[:i], ys[:i], max(0, y_rank - (len(xs) - i))) == "y" \
                else None
        if dx == 1 and dy == 1:
            continue  # a dimension that does not vary: the span goes on outwards
        return "x" if dy == 1 else "y"
    return "y"


def _one_element_spans(xs: tuple, ys: tuple, y_rank: int) -> str | None:
    """The last dimension is 1: spans of one element are merged element by element ("y"),
    unless ys, over its own axes, is constant along the innermost axis that varies while xs
    is not: that span is then a copy of xs ("x"; a (1, 1) ys against a (2, 1) xs does this,
    a 0-d or (1,) one does not). Checked over every shape combination of ranks 0 to 3 with
    sizes 1 to 3 and conditions of every pattern (onnxruntime 1.32)."""
    n = len(xs)
    for i in range(n - 1, -1, -1):
        dx, dy = xs[i], ys[i]
        own = i >= n - y_rank
        if type(dx) is not int or type(dy) is not int:
            if not own:
                return "y"  # the spans of a padded ys are never copies of xs
            if dx == dy:  # both vary ("y") or both are 1 and the outer axes decide
                inner = _one_element_spans(xs[:i], ys[:i], y_rank - (n - i))
                return "y" if inner == "y" else None
            return None
        if dx == 1 and dy == 1:
            continue
        return "x" if dy == 1 and own else "y"
    return "y"


def _broadcast(a: tuple, b: tuple) -> tuple | None:
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
    out = []
    for da, db in zip(a, b):
        if type(da) is int and da == 1:
            out.append(db)
        elif (type(db) is int and db == 1) or da == db:
            out.append(da)
        else:
            return None
    return tuple(out)


def is_float_one(a, b) -> bool:
    """``a`` a one-element float constant 1 that does not widen ``b``'s shape."""
    return (a.data is not None and a.data.size == 1 and a.dtype.kind == "f"
            and a.dtype is b.dtype and len(a.shape) <= len(b.shape)
            and a.data.reshape(()) == 1)


# onnxruntime's NoopElimination drops Add/Sub of a constant 0 and Mul/Div by a constant 1,
# reading the constant in float32 (see noop_in_float32), whatever the sign of a zero (see
# noop_but_for_zero_signs), where the other operand comes from a node.
NOOP_VALUE = {"Add": 0.0, "Sub": 0.0, "Mul": 1.0, "Div": 1.0}


def noop_but_for_zero_signs(c, op: str) -> bool:
    """Whether ``op`` with the one-element float constant ``c`` is one NoopElimination drops
    that is no no-op for a -0.0: x + (+0.0) and x - (-0.0) are +0.0 for x = -0.0 (x + -0.0
    and x - +0.0 are x itself). The pass leaves such a node alone where x is a graph input."""
    if op not in ("Add", "Sub") or c.data is None or c.data.size != 1 or c.dtype.kind != "f":
        return False
    value = c.data.reshape(())
    return value == 0 and np.signbit(value) == (op == "Sub")  # (``bool`` is the dtype here)


def noop_in_float32(c, op: str) -> bool:
    """Whether onnxruntime's NoopElimination would drop ``op`` with the one-element float64
    constant ``c`` from an exported model though it is no no-op: the pass tests the constant
    in float32, so x + c goes for |c| < 2**-150 and x * c, x / c for c within 2**-25 of 1.
    ``binary`` records such operations in a form the pass leaves alone."""
    if c.data is None or c.data.size != 1 or c.dtype is not float64:
        return False
    with np.errstate(all="ignore"):
        value = float(np.float32(c.data.reshape(())))
    target = NOOP_VALUE[op]
    return value == target and float(c.data.reshape(())) != target
