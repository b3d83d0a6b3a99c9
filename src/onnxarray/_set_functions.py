"""Set functions of the standard, on ONNX Unique (sorted). Each NaN is its own unique value."""

from __future__ import annotations

from typing import NamedTuple

from . import _dtypes as D
from . import _ops
from ._array_object import Array, as_value
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
    flat = _ops.reshape(v, [-1])
    n = Dim()
    outs = _ops.bind("Unique", [flat], [v.dtype, D.int64, D.int64, D.int64],
                     lambda: [(n,), (n,), flat.shape, (n,)], (("sorted", 1),))
    values, first, inverse, counts = outs
    if v.dtype.kind == "f":
        values, first, inverse, counts = _split_nans(flat, values, first, inverse, counts)
    return v, values, first, inverse, counts


def _split_nans(flat, values, first, inverse, counts):
    """onnxruntime merges NaNs into one entry; the standard wants one entry per NaN.

    Unique sorts NaN last, so keep the non-NaN entries and append every NaN of the input with
    its own index and a count of 1; inverse indices of NaNs point at their own entries.
    """
    is_nan_flat = _ops.unary("IsNaN", flat, D.bool)
    keep = _ops.unary("Not", _ops.unary("IsNaN", values, D.bool))
    kept = _compress(values, keep)
    nan_pos = _ops.reshape(_ops.bind("NonZero", [is_nan_flat], [D.int64],
                                     lambda: [(1, Dim())])[0], [-1])
    nan_vals = _ops.gather(flat, nan_pos, 0)
    new_values = _ops.concat([kept, nan_vals], 0)
    new_first = _ops.concat([_compress(first, keep), nan_pos], 0)
    ones = _ops.expand_to(_ops.i64(1), _ops.shape_of(nan_pos), nan_pos.shape)
    new_counts = _ops.concat([_compress(counts, keep), ones], 0)
    # NaN number j (in input order) gets entry n_kept + j
    n_kept = _ops.reduce("ReduceSum", _ops.cast(keep, D.int64), None, False)
    nan_rank = _ops.binary("Sub", _ops.bind("CumSum", [_ops.cast(is_nan_flat, D.int64),
                                                       _ops.i64(0)], [D.int64],
                                            lambda: [flat.shape])[0], _ops.i64(1))
    new_inverse = _ops.where(is_nan_flat, _ops.binary("Add", n_kept, nan_rank), inverse)
    return new_values, new_first, new_inverse, new_counts


def _compress(v: Value, mask: Value) -> Value:
    return _ops.bind("Compress", [v, mask], [v.dtype], lambda: [(Dim(),)], (("axis", 0),))[0]


def unique_values(x: Array, /) -> Array:
    return Array._new(_unique(x, "unique_values")[1])


def unique_counts(x: Array, /) -> UniqueCountsResult:
    _, values, _, _, counts = _unique(x, "unique_counts")
    return UniqueCountsResult(Array._new(values), Array._new(counts))


def unique_inverse(x: Array, /) -> UniqueInverseResult:
    v, values, _, inverse, _ = _unique(x, "unique_inverse")
    return UniqueInverseResult(Array._new(values), Array._new(_reshape_like(inverse, v)))


def unique_all(x: Array, /) -> UniqueAllResult:
    v, values, first, inverse, counts = _unique(x, "unique_all")
    return UniqueAllResult(Array._new(values), Array._new(first),
                           Array._new(_reshape_like(inverse, v)), Array._new(counts))


def _reshape_like(flat: Value, like: Value) -> Value:
    parts = [d if type(d) is int else _ops.dim_of(like, i) for i, d in enumerate(like.shape)]
    return _ops.reshape(flat, parts, like.shape)


def isin(x1, x2, /, *, invert: bool = False) -> Array:
    """Whether each element of x1 is in x2: any(x1[..., None] == ravel(x2))."""
    from ._array_object import scalar_value

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
