"""Utility functions of the standard: all, any, diff."""

from __future__ import annotations

import builtins

from . import _dtypes as D
from . import _ops
from ._array_object import Array, as_value
from ._manipulation_functions import normalize_axes, normalize_axis

__all__ = ["all", "any", "diff"]


def _truth(x: Array, axis, keepdims: bool, op: str, func: str) -> Array:
    v = as_value(x, func)
    axes = normalize_axes(axis, len(v.shape), func)
    b = v if v.dtype is D.bool else _ops.binary("Equal", v, _ops.const(0, v.dtype), D.bool)
    if v.dtype is not D.bool:
        b = _ops.unary("Not", b)  # nonzero (NaN included) is True
    if not axes:
        return Array._new(b)
    # min/max over uint8 are all/any; empty reductions give the identity (True/False).
    u = _ops.cast(b, D.uint8)
    if _ops.size_of(v.shape) == 0 or builtins.any(type(v.shape[a]) is not int for a in axes):
        # ReduceMin/Max of an empty axis is not the identity: use sums instead.
        total = _ops.reduce("ReduceSum", _ops.cast(b, D.int64), axes, keepdims)
        if op == "ReduceMax":
            return Array._new(_ops.binary("Greater", total, _ops.i64(0), D.bool))
        count = _ops.reduce("ReduceSum", _ops.cast(_ops.unary("Not", b), D.int64), axes,
                            keepdims)
        return Array._new(_ops.binary("Equal", count, _ops.i64(0), D.bool))
    return Array._new(_ops.cast(_ops.reduce(op, u, axes, keepdims), D.bool))


def all(x: Array, /, *, axis=None, keepdims: bool = False) -> Array:  # noqa: A001
    return _truth(x, axis, keepdims, "ReduceMin", "all")


def any(x: Array, /, *, axis=None, keepdims: bool = False) -> Array:  # noqa: A001
    return _truth(x, axis, keepdims, "ReduceMax", "any")


def diff(x: Array, /, *, axis: int = -1, n: int = 1, prepend=None, append=None) -> Array:
    from ._manipulation_functions import concat

    v = as_value(x, "diff")
    if not v.shape:
        raise ValueError("diff: needs an array with at least one dimension")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"diff: n must be a non-negative int, got {n!r}")
    axis = normalize_axis(axis, len(v.shape), "diff")
    parts = [a for a in (prepend, x, append) if a is not None]
    if len(parts) > 1:
        x = concat(parts, axis=axis)
    v = x._v
    big = 2**62
    for _ in range(n):
        size = v.shape[axis]
        m = size - 1 if type(size) is int else None
        out_shape = v.shape[:axis] + ((max(m, 0) if m is not None else _ops.Dim()),) \
            + v.shape[axis + 1:]
        hi = _ops.slice_(v, [1], [big], [axis], [1], out_shape)
        lo = _ops.slice_(v, [0], [-1], [axis], [1], out_shape)
        if v.dtype is D.bool:
            v = _ops.binary("Xor", hi, lo)
        else:
            v = _ops.binary("Sub", hi, lo)
    return Array._new(v)
