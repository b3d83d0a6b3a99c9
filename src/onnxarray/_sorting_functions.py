"""Sorting functions of the standard, on ONNX TopK (stable: ties keep their order)."""

from __future__ import annotations

from . import _dtypes as D
from . import _ops
from ._array_object import Array, as_value
from ._graph import Value
from ._manipulation_functions import normalize_axis

__all__ = ["argsort", "sort", "topk"]


def topk(v: Value, axis: int, descending: bool) -> tuple[Value, Value]:
    """Values and indices of a full sort along ``axis``; NaNs sort last (first descending)."""
    n = v.shape[axis]
    k = _ops.i64([n]) if type(n) is int else _ops.dim_of(v, axis)
    attrs = (("axis", axis), ("largest", int(descending)), ("sorted", 1))
    return _ops.bind("TopK", [v, k], [v.dtype, D.int64], lambda: [v.shape, v.shape], attrs)


def _sort_args(x: Array, axis: int, func: str) -> tuple[Value, int]:
    v = as_value(x, func)
    if not v.shape:
        raise ValueError(f"{func}: needs an array with at least one dimension")
    if v.dtype is D.bool:
        pass  # sorted through uint8 by the kernel-gap table
    return v, normalize_axis(axis, len(v.shape), func)


def sort(x: Array, /, *, axis: int = -1, descending: bool = False, stable: bool = True) -> Array:
    v, axis = _sort_args(x, axis, "sort")
    return Array._new(topk(v, axis, descending)[0])


def argsort(x: Array, /, *, axis: int = -1, descending: bool = False,
            stable: bool = True) -> Array:
    v, axis = _sort_args(x, axis, "argsort")
    return Array._new(topk(v, axis, descending)[1])
