"""onnxruntime CPU kernel gaps and the detour for each: the only place such workarounds live.

Checked against onnxruntime 1.32 at opset 18 (``tests/test_ort_compat.py`` fails when an entry
is no longer needed, so the table shrinks as the runtime grows).

``CAST_VIA[op][dtype]`` names the dtype to compute ``op`` in when its typed inputs have
``dtype``. Every entry is exact: integers widen (wrap-around arithmetic commutes with the
narrowing cast back), bool goes through uint8, and ``ORDERED_UINT64`` maps uint64 onto int64 by
flipping the sign bit, which preserves order for comparisons, sorting and extrema. The float64
float64 transcendental functions are not here: _math computes them exactly in float64.

A quirk that is not a gap: onnxruntime's float Where turns a -0.0 taken from its second input
into +0.0 (a -0.0 from the third input survives); _math passes possible -0.0 values third.
"""

from __future__ import annotations

from ._dtypes import (
    bool,
    int8,
    int16,
    int32,
    int64,
    uint8,
    uint16,
    uint32,
    uint64,
)

__all__ = ["CAST_VIA", "TYPED_INPUTS", "ORDERED_UINT64"]

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
    "Less": {bool: uint8},
    "Greater": {bool: uint8},
    "LessOrEqual": {bool: uint8},
    "GreaterOrEqual": {bool: uint8},
}

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
