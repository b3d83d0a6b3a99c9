"""Set functions of the standard, on ONNX Unique (sorted). Each NaN is its own unique value."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _dtypes as D
from . import _ops
from ._array_object import Array, as_value, scalar_value
from ._complex_parts import join, parts
from ._graph import Dim, Value

__all__ = ["isin", "unique_all", "unique_counts", "unique_inverse", "unique_values"]


class UniqueAllResult(NamedTuple):
    values: Array
    indices: Array
    inverse_indices: Array
    counts: Array


class UniqueCountsResult(NamedTuple):
    values: Array
    counts: Array


class UniqueInverseResult(NamedTuple):
    values: Array
    inverse_indices: Array


def _unique(x: Array, func: str) -> tuple[Value, Value, Value, Value, Value]:
    """Flattened unique values, first indices, inverse indices, counts (NaNs not merged)."""
    v = as_value(x, func)
    if v.dtype.kind == "c":
        return (v, *_unique_complex(v))
    flat = _ops.reshape(v, [-1])
    if v.dtype.kind == "f" and (flat.data is None or np.isnan(flat.data).any()):
        is_nan = _ops.unary("IsNaN", flat, D.bool)
        values, first, inverse, counts = _unique_with_nans(flat, is_nan)
    else:
        values, first, inverse, counts = _unique_op(flat)
    return v, values, first, inverse, counts


def _unique_complex(v: Value) -> tuple[Value, Value, Value, Value]:
    """Unique of complex values: the unique rows of (real, imaginary) pairs, which ONNX
    ``Unique`` sorts lexicographically as NumPy sorts complex numbers. A value with a NaN part
    is a NaN, each one distinct."""
    re, im = (_ops.reshape(p, [-1]) for p in parts(v))
    rows = _ops.concat([_ops.unsqueeze(re, [1]), _ops.unsqueeze(im, [1])], 1)
    is_nan = _ops.binary("Or", _ops.unary("IsNaN", re, D.bool), _ops.unary("IsNaN", im, D.bool))
    values, first, inverse, counts = _unique_with_nans(rows, is_nan)
    column = [_ops.reshape(_ops.gather(values, _ops.i64([i]), 1), [-1]) for i in (0, 1)]
    return join(*column), first, inverse, counts


def _unique_op(flat: Value) -> tuple[Value, Value, Value, Value]:
    """ONNX ``Unique`` of a 1-D tensor, or of the rows of a 2-D one."""
    n = Dim()
    rows = len(flat.shape) == 2
    attrs = (("axis", 0), ("sorted", 1)) if rows else (("sorted", 1),)
    return _ops.bind("Unique", [flat], [flat.dtype, D.int64, D.int64, D.int64],
                     lambda: [(n,) + flat.shape[1:], (n,), flat.shape[:1], (n,)], attrs)


def _unique_with_nans(flat: Value, is_nan: Value) -> tuple[Value, Value, Value, Value]:
    """Unique of the non-NaN elements, then every NaN as its own entry, last (as NumPy).

    onnxruntime's Unique cannot take NaNs at all: they break its ordering and swallow other
    values (unique([nan, 1, nan, 0]) gives [nan]). So NaNs are left out of it and appended in
    input order, each with its own index and a count of 1.
    """
    keep = _ops.unary("Not", is_nan)
    kept_pos = _positions(keep)
    nan_pos = _positions(is_nan)
    values, first, inverse, counts = _unique_op(_ops.gather(flat, kept_pos, 0))
    new_values = _ops.concat([values, _ops.gather(flat, nan_pos, 0)], 0)
    new_first = _ops.concat([_ops.gather(kept_pos, first, 0), nan_pos], 0)
    ones = _ops.expand_to(_ops.i64(1), _ops.shape_of(nan_pos), nan_pos.shape)
    new_counts = _ops.concat([counts, ones], 0)
    # A non-NaN element's entry is the inverse of its rank among the non-NaN elements; the
    # j-th NaN's entry is (number of non-NaN unique values) + j. The appended 0 keeps the
    # Gather valid at NaN places (rank -1 or beyond), which the Where then overrides.
    kept_rank = _ops.binary("Sub", _running_count(keep), _ops.i64(1))
    padded = _ops.concat([inverse, _ops.i64([0])], 0)
    from_kept = _ops.gather(padded, kept_rank, 0)
    nan_entry = _ops.binary("Add", _ops.dim_of(values, 0),
                            _ops.binary("Sub", _running_count(is_nan), _ops.i64(1)))
    return new_values, new_first, _ops.where(is_nan, nan_entry, from_kept), new_counts


def _positions(mask: Value) -> Value:
    """Indices of the True entries of a 1-D mask."""
    idx = _ops.bind("NonZero", [mask], [D.int64], lambda: [(1, Dim())])[0]
    return _ops.reshape(idx, [-1])


def _running_count(mask: Value) -> Value:
    return _ops.bind("CumSum", [_ops.cast(mask, D.int64), _ops.i64(0)], [D.int64],
                     lambda: [mask.shape])[0]


def unique_values(x: Array, /) -> Array:
    """The sorted unique elements of ``x``, flattened (ONNX ``Unique``).

    The length depends on the data: in a recorded model it is a new unknown dimension. Each NaN
    is a distinct value, listed last.
    """
    return Array._new(_unique(x, "unique_values")[1])


def unique_counts(x: Array, /) -> UniqueCountsResult:
    """Sorted unique elements of ``x`` and how often each occurs.

    Both have a data-dependent length, as for ``unique_values``.
    """
    _, values, _, _, counts = _unique(x, "unique_counts")
    return UniqueCountsResult(Array._new(values), Array._new(counts))


def unique_inverse(x: Array, /) -> UniqueInverseResult:
    """Sorted unique elements of ``x`` and the index of each element's value among them.

    The inverse indices have the shape of ``x``; the values have a data-dependent length, as
    for ``unique_values``.
    """
    v, values, _, inverse, _ = _unique(x, "unique_inverse")
    return UniqueInverseResult(Array._new(values), Array._new(_reshape_like(inverse, v)))


def unique_all(x: Array, /) -> UniqueAllResult:
    """Sorted unique elements with first-occurrence indices, inverse indices and counts.

    The inverse indices have the shape of ``x``; the others have a data-dependent length, as
    for ``unique_values``.
    """
    v, values, first, inverse, counts = _unique(x, "unique_all")
    return UniqueAllResult(Array._new(values), Array._new(first),
                           Array._new(_reshape_like(inverse, v)), Array._new(counts))


def _reshape_like(flat: Value, like: Value) -> Value:
    parts = [d if type(d) is int else _ops.dim_of(like, i) for i, d in enumerate(like.shape)]
    return _ops.reshape(flat, parts, like.shape)


def isin(x1, x2, /, *, invert: bool = False) -> Array:
    """Whether each element of x1 is in x2: any(x1[..., None] == ravel(x2)).

    One broadcast ``Equal`` of every pair and a sum, so the work grows with size(x1) * size(x2).
    """
    if not isinstance(x1, Array) and not isinstance(x2, Array):
        raise TypeError("isin: at least one argument must be an array")
    v1 = x1._v if isinstance(x1, Array) else scalar_value(x1, x2._v.dtype, "isin")
    v2 = x2._v if isinstance(x2, Array) else scalar_value(x2, v1.dtype, "isin")
    dtype = D.promote(v1.dtype, v2.dtype, "isin")
    v1, v2 = _ops.cast(v1, dtype), _ops.cast(v2, dtype)
    flat = _ops.reshape(v2, [-1])
    eq = _ops.binary("Equal", _ops.unsqueeze(v1, [len(v1.shape)]), flat, D.bool)
    hits = _ops.reduce("ReduceSum", _ops.cast(eq, D.int64), [len(v1.shape)], False)
    op = "Equal" if invert else "Greater"
    return Array._new(_ops.binary(op, hits, _ops.i64(0), D.bool))
