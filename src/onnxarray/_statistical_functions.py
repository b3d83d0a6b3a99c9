"""Statistical functions of the standard."""

from __future__ import annotations

import math

from . import _dtypes as D
from . import _ops
from ._array_object import Array, as_value
from ._dtypes import DType
from ._graph import Dim, Value
from ._manipulation_functions import normalize_axes, normalize_axis

__all__ = ["cumulative_sum", "cumulative_prod", "max", "mean", "min", "prod", "std", "sum",
           "var"]


def _numeric(x: Array, func: str, category: str = "real numeric") -> Value:
    v = as_value(x, func)
    if v.dtype not in D.CATEGORIES[category]:
        raise TypeError(f"{func}: needs a {category} dtype, got {v.dtype.name}")
    return v


def _accumulator_dtype(v: Value, dtype, func: str) -> DType:
    """The result dtype of sum/prod/cumulative_*: small integers widen to 64 bits."""
    if dtype is not None:
        dtype = D.as_dtype(dtype, func)
        if dtype is D.bool:
            raise TypeError(f"{func}: dtype must be numeric, got bool")
        return dtype
    if v.dtype.kind == "i":
        return D.int64
    if v.dtype.kind == "u":
        return D.uint64
    return v.dtype


def _count(v: Value, axes: tuple[int, ...], dtype: DType) -> Value:
    """Number of elements reduced over ``axes``, as a 0-D Value of ``dtype``."""
    dims = [v.shape[a] for a in axes]
    if all(type(d) is int for d in dims):
        return _ops.const(math.prod(dims), dtype)
    shape = _ops.shape_of(v)
    picked = _ops.gather(shape, _ops.i64(list(axes)), 0)
    n = _ops.reduce("ReduceProd", picked, None, False)
    return _ops.cast(n, dtype)


def sum(x: Array, /, *, axis=None, dtype=None, keepdims: bool = False) -> Array:  # noqa: A001
    v = _numeric(x, "sum", "numeric")
    axes = normalize_axes(axis, len(v.shape), "sum")
    out_dtype = _accumulator_dtype(v, dtype, "sum")
    return Array._new(_ops.reduce("ReduceSum", _ops.cast(v, out_dtype), axes, keepdims))


def prod(x: Array, /, *, axis=None, dtype=None, keepdims: bool = False) -> Array:
    v = _numeric(x, "prod", "numeric")
    axes = normalize_axes(axis, len(v.shape), "prod")
    out_dtype = _accumulator_dtype(v, dtype, "prod")
    return Array._new(_ops.reduce("ReduceProd", _ops.cast(v, out_dtype), axes, keepdims))


def _extremum(x: Array, axis, keepdims: bool, op: str, func: str) -> Array:
    v = _numeric(x, func)
    axes = normalize_axes(axis, len(v.shape), func)
    if any(v.shape[a] == 0 for a in axes):
        raise ValueError(f"{func}: zero-size reduction has no identity")
    out = _ops.reduce(op, v, axes, keepdims)
    if v.dtype.kind == "f" and axes:
        # onnxruntime's ReduceMax/ReduceMin skip NaNs; the standard propagates them.
        nan_only = _ops.where(_ops.unary("IsNaN", v, D.bool), v, _ops.const(0, v.dtype))
        flag = _ops.reduce("ReduceSum", nan_only, axes, keepdims)
        out = _ops.where(_ops.unary("IsNaN", flag, D.bool), flag, out)
    return Array._new(out)


def max(x: Array, /, *, axis=None, keepdims: bool = False) -> Array:  # noqa: A001
    return _extremum(x, axis, keepdims, "ReduceMax", "max")


def min(x: Array, /, *, axis=None, keepdims: bool = False) -> Array:  # noqa: A001
    return _extremum(x, axis, keepdims, "ReduceMin", "min")


def mean(x: Array, /, *, axis=None, keepdims: bool = False) -> Array:
    v = _numeric(x, "mean", "floating-point")
    axes = normalize_axes(axis, len(v.shape), "mean")
    if not axes:
        return x
    dims = [v.shape[a] for a in axes]
    if all(type(d) is int and d > 0 for d in dims):
        return Array._new(_ops.reduce("ReduceMean", v, axes, keepdims))
    # ReduceMean of nothing is 0 in onnxruntime; the mean of nothing is NaN (0 / 0).
    total = _ops.reduce("ReduceSum", v, axes, keepdims)
    return Array._new(_ops.binary("Div", total, _count(v, axes, v.dtype)))


def _variance(x: Array, axis, correction, keepdims: bool, func: str) -> Value:
    v = _numeric(x, func, "floating-point")
    if isinstance(correction, bool) or not isinstance(correction, (int, float)):
        raise TypeError(f"{func}: correction must be a number, got {correction!r}")
    axes = normalize_axes(axis, len(v.shape), func)
    n = _count(v, axes, v.dtype)
    total = _ops.reduce("ReduceSum", v, axes, True)
    centered = _ops.binary("Sub", v, _ops.binary("Div", total, n))
    ss = _ops.reduce("ReduceSum", _ops.binary("Mul", centered, centered), axes, keepdims)
    dof = _ops.binary("Max", _ops.binary("Sub", n, _ops.const(correction, v.dtype)),
                      _ops.const(0, v.dtype))
    return _ops.binary("Div", ss, dof)


def var(x: Array, /, *, axis=None, correction: int | float = 0.0,
        keepdims: bool = False) -> Array:
    return Array._new(_variance(x, axis, correction, keepdims, "var"))


def std(x: Array, /, *, axis=None, correction: int | float = 0.0,
        keepdims: bool = False) -> Array:
    return Array._new(_ops.unary("Sqrt", _variance(x, axis, correction, keepdims, "std")))


def _cumulative_axis(v: Value, axis, func: str) -> int:
    if not v.shape:
        raise ValueError(f"{func}: needs an array with at least one dimension")
    if axis is None:
        if len(v.shape) > 1:
            raise ValueError(f"{func}: axis is required for arrays with more than one dimension")
        return 0
    return normalize_axis(axis, len(v.shape), func)


def _prepend(v: Value, axis: int, fill) -> Value:
    """``v`` with one slice of ``fill`` in front along ``axis`` (for include_initial)."""
    shape = v.shape[:axis] + (1,) + v.shape[axis + 1:]
    parts = [1 if i == axis else (d if type(d) is int else _ops.dim_of(v, i))
             for i, d in enumerate(v.shape)]
    block = _ops.expand_to(_ops.const(fill, v.dtype), _ops.shape_value(parts), shape)
    return _ops.concat([block, v], axis)


def cumulative_sum(x: Array, /, *, axis=None, dtype=None,
                   include_initial: bool = False) -> Array:
    v = _numeric(x, "cumulative_sum", "numeric")
    axis = _cumulative_axis(v, axis, "cumulative_sum")
    v = _ops.cast(v, _accumulator_dtype(v, dtype, "cumulative_sum"))
    out = _ops.bind("CumSum", [v, _ops.i64(axis)], [v.dtype], lambda: [v.shape])[0]
    if include_initial:
        out = _prepend(out, axis, 0)
    return Array._new(out)


def cumulative_prod(x: Array, /, *, axis=None, dtype=None,
                    include_initial: bool = False) -> Array:
    """Running product by log-step doubling (Hillis-Steele): ceil(log2 n) multiplications.

    ONNX has no CumProd; exp(cumsum(log)) would lose signs and zeros, so each step multiplies
    by the array shifted by 1, 2, 4, ... positions (ones shifted in). An axis of unknown
    length is unrolled for up to 2**32 elements.
    """
    v = _numeric(x, "cumulative_prod", "numeric")
    axis = _cumulative_axis(v, axis, "cumulative_prod")
    v = _ops.cast(v, _accumulator_dtype(v, dtype, "cumulative_prod"))
    n = v.shape[axis]
    steps = (n - 1).bit_length() if type(n) is int and n > 0 else (0 if n == 0 else 32)
    size = n if type(n) is int else _ops.dim_of(v, axis)
    out = v
    shift = 1
    for _ in range(steps):
        out = _ops.binary("Mul", out, _shifted(out, shift, axis, size))
        shift *= 2
    if include_initial:
        out = _prepend(out, axis, 1)
    return Array._new(out)


def _shifted(v: Value, shift: int, axis: int, size) -> Value:
    """``v`` moved ``shift`` places along ``axis``, with ones filling the front."""
    if type(size) is int:
        block = shift
        ones_shape = v.shape[:axis] + (shift,) + v.shape[axis + 1:]
    else:
        # never build a block longer than the axis itself
        block = _ops.binary("Min", _ops.i64([shift]), size)
        ones_shape = v.shape[:axis] + (Dim(),) + v.shape[axis + 1:]
    parts = [block if i == axis else (d if type(d) is int else _ops.dim_of(v, i))
             for i, d in enumerate(v.shape)]
    ones = _ops.expand_to(_ops.const(1, v.dtype), _ops.shape_value(parts), ones_shape)
    padded = _ops.concat([ones, v], axis)
    if type(size) is int:
        return _ops.slice_(padded, [0], [size], [axis], [1], v.shape)
    return _ops.bind("Slice", [padded, _ops.i64([0]), size, _ops.i64([axis])], [v.dtype],
                     lambda: [v.shape])[0]
