"""Searching functions of the standard."""

from __future__ import annotations

from . import _dtypes as D
from . import _ops
from ._array_object import Array, as_value, scalar_value
from ._graph import Dim, Value
from ._manipulation_functions import normalize_axes, normalize_axis

__all__ = ["argmax", "argmin", "count_nonzero", "nonzero", "searchsorted", "where"]


def _arg_extremum(x: Array, axis, keepdims: bool, op: str, func: str) -> Array:
    v = as_value(x, func)
    if v.dtype not in D.REAL_NUMERIC:
        raise TypeError(f"{func}: needs a real numeric dtype, got {v.dtype.name}")
    ndim = len(v.shape)
    if axis is None:
        if _ops.size_of(v.shape) == 0:
            raise ValueError(f"{func}: attempt to get {func} of an empty array")
        out = _first_index(_ops.reshape(v, [-1]), 0, False, op)
        if keepdims:
            out = _ops.reshape(out, [1] * ndim)
        return Array._new(out)
    axis = normalize_axis(axis, ndim, func)
    if v.shape[axis] == 0:
        raise ValueError(f"{func}: attempt to get {func} of an empty sequence")
    return Array._new(_first_index(v, axis, keepdims, op))


def _first_index(v: Value, axis: int, keepdims: bool, op: str) -> Value:
    """ArgMax/ArgMin along ``axis`` (first occurrence); a NaN counts as the extremum.

    NaN handling follows NumPy (and max/min, which propagate NaN): the index of the first NaN
    wins. onnxruntime's ArgMax/ArgMin skip NaNs, but its TopK ranks NaN above every number and
    breaks ties by the lower index (checked in the tests), so for floats the first index of the
    maximum is TopK(k=1) of ``x`` and that of the minimum is TopK(k=1) of ``-x``.
    """
    kept = v.shape[:axis] + (1,) + v.shape[axis + 1:]
    if v.dtype.kind == "f":
        key = v if op == "ArgMax" else _ops.unary("Neg", v)
        out = _ops.bind("TopK", [key, _ops.i64([1])], [v.dtype, D.int64],
                        lambda: [kept, kept],
                        (("axis", axis), ("largest", 1), ("sorted", 1)))[1]
        return out if keepdims else _ops.squeeze(out, [axis])
    attrs = (("axis", axis), ("keepdims", int(keepdims)))
    return _ops.bind(op, [v], [D.int64],
                     lambda: [kept if keepdims else v.shape[:axis] + v.shape[axis + 1:]],
                     attrs)[0]


def argmax(x: Array, /, *, axis: int | None = None, keepdims: bool = False) -> Array:
    """Index of the first maximum along ``axis`` (of the flattened array when None).

    Integers use ONNX ``ArgMax``; floats use ``TopK`` with k=1, so the first NaN wins as in NumPy
    (onnxruntime's ``ArgMax`` skips NaNs). An empty array raises ValueError.
    """
    return _arg_extremum(x, axis, keepdims, "ArgMax", "argmax")


def argmin(x: Array, /, *, axis: int | None = None, keepdims: bool = False) -> Array:
    """Index of the first minimum along ``axis`` (of the flattened array when None).

    Integers use ONNX ``ArgMin``; floats use ``TopK`` with k=1 on ``-x``, so the first NaN wins.
    """
    return _arg_extremum(x, axis, keepdims, "ArgMin", "argmin")


def _nonzero_mask(v: Value, func: str) -> Value:
    D.no_strings(func, v.dtype)
    if v.dtype is D.bool:
        return v
    return _ops.unary("Not", _ops.binary("Equal", v, _ops.const(0, v.dtype), D.bool))


def count_nonzero(x: Array, /, *, axis=None, keepdims: bool = False) -> Array:
    """Number of non-zero elements over ``axis`` (all axes when None), as int64."""
    v = as_value(x, "count_nonzero")
    axes = normalize_axes(axis, len(v.shape), "count_nonzero")
    counts = _ops.cast(_nonzero_mask(v, "count_nonzero"), D.int64)
    return Array._new(_ops.reduce("ReduceSum", counts, axes, keepdims))


def nonzero(x: Array, /) -> tuple[Array, ...]:
    """Indices of the non-zero elements, one int64 array per axis (ONNX ``NonZero``).

    The length of the result depends on the data: in a recorded model it is a new unknown
    dimension. 0-D arrays raise ValueError.
    """
    v = as_value(x, "nonzero")
    if not v.shape:
        raise ValueError("nonzero: 0-D arrays are not supported; use x[None]")
    n = Dim()
    mask = _nonzero_mask(v, "nonzero")
    idx = _ops.bind("NonZero", [mask], [D.int64], lambda: [(len(v.shape), n)])[0]
    if idx.data is not None:
        n = idx.data.shape[1]
    return tuple(Array._new(_ops.bind(
        "Gather", [idx, _ops.i64(i)], [D.int64], lambda: [(n,)], (("axis", 0),))[0])
        for i in range(len(v.shape)))


def where(condition: Array, x1, x2, /) -> Array:
    """Elementwise ``x1 if condition else x2`` (ONNX ``Where``), with broadcasting.

    ``x1`` and ``x2`` are promoted together; either may be a Python scalar. Signed zeros are kept
    from both branches.
    """
    c = as_value(condition, "where")
    if c.dtype is not D.bool:
        raise TypeError(f"where: condition must be bool, got {c.dtype.name}")
    a1, a2 = isinstance(x1, Array), isinstance(x2, Array)
    if a1 and a2:
        v1, v2 = x1._v, x2._v
        dtype = D.promote(v1.dtype, v2.dtype, "where")
        v1, v2 = _ops.cast(v1, dtype), _ops.cast(v2, dtype)
    elif a1:
        v1 = _default_float_for(x1._v, x2)
        v2 = scalar_value(x2, v1.dtype, "where")
    elif a2:
        v2 = _default_float_for(x2._v, x1)
        v1 = scalar_value(x1, v2.dtype, "where")
    else:
        raise TypeError("where: at least one of x1 and x2 must be an array")
    _ops.broadcast_shapes(c.shape, v1.shape, v2.shape, func="where")  # raises ValueError
    return Array._new(_ops.where_signed(c, v1, v2))


def _default_float_for(v, scalar):
    """A Python float with an integer array computes in the default float dtype, as in the
    arithmetic functions (see docs/dtypes-and-opsets.md)."""
    if isinstance(scalar, float) and v.dtype.kind in "iu":
        return _ops.cast(v, D.DEFAULT_FLOAT)
    return v


def searchsorted(x1: Array, x2: Array, /, *, side: str = "left", sorter=None) -> Array:
    """Insertion points: count of x1 elements before each x2 value (< for left, <= for right).

    Small inputs compare every pair (a broadcast comparison and a sum); larger ones, and sizes
    known only when the model runs, sort the concatenation of both arrays once (a stable
    ``TopK``), so time is O((n + m) log(n + m)) and memory O(n + m). Both are exact and agree;
    NaNs sort last, as in NumPy.
    """
    v1 = as_value(x1, "searchsorted")
    v2 = x2._v if isinstance(x2, Array) else scalar_value(x2, v1.dtype, "searchsorted")
    if side not in ("left", "right"):
        raise ValueError(f"searchsorted: side must be 'left' or 'right', got {side!r}")
    if len(v1.shape) != 1:
        raise ValueError("searchsorted: x1 must be 1-D")
    dtype = D.promote(v1.dtype, v2.dtype, "searchsorted")
    if dtype not in D.REAL_NUMERIC:
        raise TypeError(f"searchsorted: needs real numeric dtypes, got {dtype.name}")
    if sorter is not None:
        s = as_value(sorter, "searchsorted")
        if s.dtype.kind not in "iu":
            raise TypeError("searchsorted: sorter must have an integer dtype")
        if len(s.shape) != 1 or (type(s.shape[0]) is int and type(v1.shape[0]) is int
                                 and s.shape[0] != v1.shape[0]):
            raise ValueError("searchsorted: sorter must have the shape of x1")
        v1 = _ops.gather(v1, _ops.cast(s, D.int64), 0)
    v1, v2 = _ops.cast(v1, dtype), _ops.cast(v2, dtype)
    pairs = _ops.size_of(v1.shape + v2.shape)
    if pairs is not None and pairs <= _PAIRWISE_LIMIT:
        return Array._new(_pairwise_counts(v1, v2, side))
    return Array._new(_merged_counts(v1, v2, side))


# Below this many (x1, x2) pairs, comparing every pair costs less than a sort.
_PAIRWISE_LIMIT = 4096


def _pairwise_counts(v1: Value, v2: Value, side: str) -> Value:
    ndim = len(v2.shape)
    sorted_ = _ops.reshape(v1, [-1] + [1] * ndim) if ndim else v1
    values = _ops.unsqueeze(v2, [0])
    op = "Less" if side == "left" else "LessOrEqual"
    before = _ops.binary(op, sorted_, values, D.bool)
    if v1.dtype.kind == "f":
        # NaN in x1 sorts last: never before a value; NaN in x2 is after every non-NaN.
        nan2 = _ops.unary("IsNaN", values, D.bool)
        not_nan1 = _ops.unary("Not", _ops.unary("IsNaN", sorted_, D.bool))
        before = _ops.binary("Or", before, _ops.binary("And", nan2, not_nan1))
        if side == "right":
            both = _ops.binary("And", nan2, _ops.unary("Not", not_nan1))
            before = _ops.binary("Or", before, both)
    return _ops.reduce("ReduceSum", _ops.cast(before, D.int64), [0], False)


def _merged_counts(v1: Value, v2: Value, side: str) -> Value:
    """Counts by one stable ascending sort of the queries and x1 together.

    TopK breaks ties by the lower index and sorts NaN last (see _sorting_functions), so putting
    the queries first (left) or last (right) in the concatenation places each query before or
    after the x1 values equal to it. At merged position p, a query has p elements before it, of
    which (queries up to p) - 1 are queries: the rest is its count. A scatter by the sort
    indices puts the counts back in query order.
    """
    queries = _ops.reshape(v2, [-1])
    n, m = _ops.dim_of(v1, 0), _ops.dim_of(queries, 0)
    total = _ops.binary("Add", n, m)
    size = _ops.size_of(v1.shape + queries.shape)
    merged_shape = (size if size is not None else Dim(),)
    parts = [queries, v1] if side == "left" else [v1, queries]
    merged = _ops.concat(parts, 0)
    order = _ops.bind("TopK", [merged, total], [merged.dtype, D.int64],
                      lambda: [merged_shape, merged_shape],
                      (("axis", 0), ("largest", 0), ("sorted", 1)))[1]
    if side == "left":
        is_query = _ops.binary("Less", order, m, D.bool)
    else:
        is_query = _ops.binary("GreaterOrEqual", order, n, D.bool)
    queries_so_far = _ops.bind("CumSum", [_ops.cast(is_query, D.int64), _ops.i64(0)],
                               [D.int64], lambda: [merged_shape])[0]
    total0 = _ops.reshape(total, [])
    position = _ops.bind("Range", [_ops.i64(0), total0, _ops.i64(1)], [D.int64],
                         lambda: [merged_shape])[0]
    counts = _ops.binary("Add", _ops.binary("Sub", position, queries_so_far), _ops.i64(1))
    by_index = _ops.bind("ScatterElements", [position, order, counts], [D.int64],
                         lambda: [merged_shape], (("axis", 0),))[0]
    start = _ops.i64([0]) if side == "left" else n
    end = m if side == "left" else total
    flat = _ops.bind("Slice", [by_index, start, end, _ops.i64([0])], [D.int64],
                     lambda: [queries.shape])[0]
    return _ops.reshape(flat, [_ops.dim_of(v2, i) if type(d) is not int else d
                               for i, d in enumerate(v2.shape)], out_shape=v2.shape)
