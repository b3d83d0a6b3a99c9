"""Data type functions of the standard: astype, can_cast, finfo, iinfo, isdtype, result_type."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _dtypes as D
from . import _ops, _strings
from ._array_object import Array, as_value, check_device
from ._dtypes import DType

__all__ = ["astype", "can_cast", "finfo", "iinfo", "isdtype", "result_type"]


def astype(x: Array, dtype: DType, /, *, copy: bool = True, device=None) -> Array:
    """Cast ``x`` to ``dtype`` (ONNX Cast; float to bool is ``x != 0``)."""
    check_device(device, "astype")
    v = as_value(x, "astype")
    dtype = D.as_dtype(dtype, "astype")
    if dtype is v.dtype:
        return x if not copy or v.data is None else Array._new(_ops.const(v.data.copy(), dtype))
    if v.dtype is D.string:
        return Array._new(_strings.parse(v, dtype, "astype"))
    if dtype is D.string:
        return Array._new(_strings.format_(v, "astype"))
    return Array._new(_ops.cast(v, dtype))


def _as_dtype_or_array(x, func: str) -> DType:
    if isinstance(x, Array):
        return x.dtype
    return D.as_dtype(x, func)


def can_cast(from_, to, /) -> bool:
    """Whether ``from_`` promotes to ``to`` under the standard's type promotion rules."""
    src = _as_dtype_or_array(from_, "can_cast")
    dst = D.as_dtype(to, "can_cast")
    if src is dst:
        return True
    return D.PROMOTION.get((src, dst)) is dst


@dataclass(frozen=True)
class finfo_object:
    bits: int
    eps: float
    max: float
    min: float
    smallest_normal: float
    dtype: DType


@dataclass(frozen=True)
class iinfo_object:
    bits: int
    max: int
    min: int
    dtype: DType


def finfo(type, /) -> finfo_object:  # noqa: A002 - the standard's parameter name
    """Machine limits of a floating-point dtype or array: bits, eps, max, min, smallest_normal.

    For a complex dtype they are those of its real part, whose dtype is reported.
    """
    dt = _as_dtype_or_array(type, "finfo")
    if dt.kind not in "fc":
        raise TypeError(f"finfo: needs a floating-point dtype, got {dt.name}")
    info = np.finfo(dt.numpy)
    return finfo_object(int(info.bits), float(info.eps), float(info.max), float(info.min),
                        float(info.smallest_normal), D.real_dtype_of(dt))


def iinfo(type, /) -> iinfo_object:  # noqa: A002
    """Machine limits of an integer dtype (or array): bits, max, min."""
    dt = _as_dtype_or_array(type, "iinfo")
    if dt.kind not in "iu":
        raise TypeError(f"iinfo: needs an integer dtype, got {dt.name}")
    info = np.iinfo(dt.numpy)
    return iinfo_object(int(info.bits), int(info.max), int(info.min), dt)


def isdtype(dtype: DType, kind) -> bool:
    """Whether ``dtype`` is ``kind``: a dtype, a kind name such as "integral" or "real
    floating", or a tuple of them."""
    if not isinstance(dtype, DType):
        raise TypeError(f"isdtype: expected an onnxarray dtype, got {dtype!r}")
    kinds = kind if isinstance(kind, tuple) else (kind,)
    for k in kinds:
        if isinstance(k, DType):
            if dtype is k:
                return True
        elif isinstance(k, str):
            if k not in D.CATEGORIES or k in ("all", "integer", "real numeric or boolean",
                                              "integer or boolean"):
                raise ValueError(f"isdtype: unknown kind {k!r}")
            if dtype in D.CATEGORIES[k]:
                return True
        else:
            raise TypeError(f"isdtype: kind must be a dtype, a kind name or a tuple of them, "
                            f"got {k!r}")
    return False


def result_type(*arrays_and_dtypes) -> DType:
    """Promote arrays, dtypes and Python scalars by the standard's rules."""
    dtypes: list[DType] = []
    scalars = []
    for a in arrays_and_dtypes:
        if isinstance(a, Array):
            dtypes.append(a.dtype)
        elif isinstance(a, DType):
            dtypes.append(a)
        elif isinstance(a, (bool, int, float, complex)):
            scalars.append(a)
        else:
            raise TypeError(f"result_type: expected arrays, dtypes or Python scalars, got "
                            f"{type(a).__name__}")
    if not dtypes:
        raise ValueError("result_type: needs at least one array or dtype")
    out = D.result_type_of(dtypes, "result_type")
    for s in scalars:
        out = scalar_result_dtype(out, s, "result_type")
    return out


def scalar_result_dtype(dtype: DType, scalar, func: str) -> DType:
    """The dtype of combining an array of ``dtype`` with a Python scalar."""
    if isinstance(scalar, bool):
        ok = dtype is D.bool
    elif isinstance(scalar, int):
        ok = dtype.kind in "iufc"
    elif isinstance(scalar, float):
        ok = dtype.kind in "fc"
    else:
        ok = dtype.kind == "c"
    if not ok:
        raise TypeError(f"{func}: a Python {type(scalar).__name__} does not combine with "
                        f"{dtype.name}")
    return dtype
