"""Utility functions of the standard: all, any, diff."""

from __future__ import annotations

import builtins

from . import _dtypes as D
from . import _ops
from ._array_object import Array, as_value
from ._graph import Dim
from ._manipulation_functions import _BIG, _with, concat, normalize_axes, normalize_axis

__all__ = ["all", "any", "diff"]


def _truth(x: Array, axis, keepdims: bool, op: str, func: str) -> Array:
    v = as_value(x, func)
    D.no_strings(func, v.dtype)
    axes = normalize_axes(axis, len(v.shape), func)
    b = _ops.cast(v, D.bool)  # nonzero, NaN included, is True
    if not axes:
        return Array._new(b)
    # min/max over 0/1 are all/any; over an empty axis opset 18 gives the identity (the
    # dtype's max/min), which is True/False as the standard asks
    u = _ops.reduce(op, _ops.cast(b, D.uint8), axes, keepdims)
    return Array._new(_ops.cast(u, D.bool))


def all(x: Array, /, *, axis=None, keepdims: bool = False) -> Array:  # noqa: A001
    """Whether every element is true (non-zero; NaN counts as true) over ``axis``.

    ``ReduceMin`` over the values as 0/1; an empty reduction is True.
    """
    return _truth(x, axis, keepdims, "ReduceMin", "all")


def any(x: Array, /, *, axis=None, keepdims: bool = False) -> Array:  # noqa: A001
    """Whether any element is true (non-zero; NaN counts as true) over ``axis``.

    ``ReduceMax`` over the values as 0/1; an empty reduction is False.
    """
    return _truth(x, axis, keepdims, "ReduceMax", "any")


def diff(x: Array, /, *, axis: int = -1, n: int = 1, prepend: Array | None = None,
         append: Array | None = None) -> Array:
    """n-th forward differences along ``axis``, of ``prepend``, ``x`` and ``append`` joined.

    The result has ``M + N1 + N2 - n`` elements along ``axis`` as the standard says, also for
    ``n=0`` (where NumPy returns ``x`` alone). ``prepend``/``append`` are type-promoted with ``x``.
    """
    v = as_value(x, "diff")
    if v.dtype not in D.NUMERIC:
        raise TypeError(f"diff: needs a numeric dtype, got {v.dtype.name}")
    if not v.shape:
        raise ValueError("diff: needs an array with at least one dimension")
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"diff: n must be a non-negative int, got {n!r}")
    axis = normalize_axis(axis, len(v.shape), "diff")
    parts = [p for p in (prepend, x, append) if p is not None]
    if len(parts) > 1:
        D.result_type_of([as_value(p, "diff").dtype for p in parts], "diff")
        for p in parts:
            if len(p._v.shape) != len(v.shape) or builtins.any(
                    type(a) is int and type(b) is int and a != b and i != axis
                    for i, (a, b) in enumerate(zip(p._v.shape, v.shape))):
                raise ValueError(f"diff: prepend/append of shape {p.shape} does not match x of "
                                 f"shape {x.shape} outside axis {axis}")
        v = concat(parts, axis=axis)._v
    for _ in range(n):
        size = v.shape[axis]
        if size == 0:
            break  # differences of nothing stay empty
        m = max(size - 1, 0) if type(size) is int else Dim()
        out_shape = _with(v.shape, axis, m)
        hi = _ops.slice_(v, [1], [_BIG], [axis], [1], out_shape)
        lo = _ops.slice_(v, [0], [-1], [axis], [1], out_shape)
        v = _ops.binary("Sub", hi, lo)
    return Array._new(v)
