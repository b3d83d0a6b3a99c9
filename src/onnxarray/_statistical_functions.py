"""Statistical functions of the standard.

Integer sums and products are exact and wrap like the standard's integer arithmetic
(onnxruntime's integer kernels go through double or saturate); float reductions use
onnxruntime's Reduce* kernels, which accumulate in the array's own dtype. ``max``/``min``
propagate NaN and raise for an empty reduction, as array-api-strict does; ``var``/``std`` give
NaN when ``M - correction <= 0``.
"""

from __future__ import annotations

import math

import numpy as np

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
    """Sum over ``axis`` (all axes when None); integers sum in (u)int64 unless ``dtype`` is given.

    Floats use ONNX ``ReduceSum``, accumulating in the array's dtype. Integer sums are exact and
    wrap on overflow: onnxruntime's integer ``ReduceSum`` goes through double, so they are built
    on ``CumSum`` instead.
    """
    v = _numeric(x, "sum", "numeric")
    axes = normalize_axes(axis, len(v.shape), "sum")
    out_dtype = _accumulator_dtype(v, dtype, "sum")
    return Array._new(reduce_sum(_ops.cast(v, out_dtype), axes, keepdims))


def prod(x: Array, /, *, axis=None, dtype=None, keepdims: bool = False) -> Array:
    """Product over ``axis`` (all axes when None); integers in (u)int64 unless ``dtype`` is given.

    Floats use ONNX ``ReduceProd``. Integer products are exact and wrap on overflow (onnxruntime's
    integer ``ReduceProd`` saturates), computed by pairwise halving: about log2(n) ``Mul`` steps,
    32 steps for an axis of unknown length.
    """
    v = _numeric(x, "prod", "numeric")
    axes = normalize_axes(axis, len(v.shape), "prod")
    out_dtype = _accumulator_dtype(v, dtype, "prod")
    return Array._new(reduce_prod(_ops.cast(v, out_dtype), axes, keepdims))


# onnxruntime's integer ReduceSum and ReduceProd are not exact: they accumulate in double
# (sum([2**53 + 1]) == 2**53) and saturate (an int64 product that overflows gives 2**63 - 1),
# where the standard's integer arithmetic wraps. Integer sums and products are therefore
# computed in int64 (wrap-around commutes with the final narrowing cast) by exact means:
# sums from CumSum, which adds in the integer type, and products by pairwise halving.
_END = 2**63 - 1


def reduce_sum(v: Value, axes, keepdims: bool) -> Value:
    """Sum over ``axes`` (None: all), exact and wrapping for integer dtypes."""
    if v.dtype.kind == "f":
        return _ops.reduce("ReduceSum", v, axes, keepdims)
    return _int_reduce(v, axes, keepdims, _sum_along)


def reduce_prod(v: Value, axes, keepdims: bool) -> Value:
    """Product over ``axes`` (None: all), exact and wrapping for integer dtypes."""
    if v.dtype.kind == "f":
        return _float_prod(v, axes, keepdims)
    return _int_reduce(v, axes, keepdims, _prod_along)


# Float products: onnxruntime's ReduceProd multiplies in SIMD lanes, so an intermediate
# product can overflow (or underflow) where the true product is finite, and then meet a zero:
# prod([0, 0, 0, -9.6, 0, 0, 0, -1.8e308]) gave NaN. Float products are therefore computed on
# pairs (m, e) with x = m * 2**e and |m| near 1: multiplying the m's rounds exactly as
# multiplying the x's would, and the exponents add in floats (exact), so no intermediate
# result overflows or underflows; 2**e is applied once at the end. Zeros, infinities and NaN
# are carried in m with e = 0, so they combine as IEEE products do (0 * inf is NaN).


def _scaled(m: Value, e: Value) -> tuple[Value, Value]:
    """(m', e + k) with m' = m * 2**-k exactly and |m'| within a factor sqrt(2) of 1."""
    dt = m.dtype
    mag = _ops.unary("Abs", m)
    regular = _ops.binary("And", _ops.binary("Greater", mag, _ops.const(0, dt), D.bool),
                          _ops.binary("Less", mag, _ops.const(math.inf, dt), D.bool), D.bool)
    mag = _ops.where(regular, mag, _ops.const(1, dt))
    log2 = _ops.binary("Mul", _ops.unary("Log", mag), _ops.const(1 / math.log(2), dt))
    k = _ops.unary("Floor", _ops.binary("Add", log2, _ops.const(0.5, dt)))
    return _times_power_of_two(m, _ops.unary("Neg", k)), _ops.binary("Add", e, k)


def _times_power_of_two(m: Value, k: Value) -> Value:
    """m * 2**k for an integer-valued float k, rounded once: two factors each in range.

    ``k`` is clamped to what two finite factors can hold, which still overflows or underflows
    any |m| near 1, so that a zero ``m`` with a huge ``k`` stays zero (never 0 * inf)."""
    dt = m.dtype
    limit = 2 * (np.finfo(dt.numpy).maxexp - 1)
    k = _ops.binary("Max", _ops.binary("Min", k, _ops.const(limit, dt)), _ops.const(-limit, dt))
    half = _ops.unary("Floor", _ops.binary("Mul", k, _ops.const(0.5, dt)))
    two = _ops.const(2, dt)
    out = _ops.binary("Mul", m, _ops.binary("Pow", two, half))
    return _ops.binary("Mul", out, _ops.binary("Pow", two, _ops.binary("Sub", k, half)))


def _scaled_mul(a: tuple[Value, Value], b: tuple[Value, Value]) -> tuple[Value, Value]:
    m = _ops.binary("Mul", a[0], b[0])
    return _scaled(m, _ops.binary("Add", a[1], b[1]))


def _float_prod(v: Value, axes, keepdims: bool) -> Value:
    ndim = len(v.shape)
    axes = tuple(range(ndim)) if axes is None else tuple(axes)
    if not axes:
        return v
    if len(axes) == ndim:
        flat = _ops.reshape(v, [-1], (math.prod(v.shape) if _ops.is_static(v.shape)
                                      else Dim(),))
        out = _scaled_prod_along(flat, 0)
        return _ops.reshape(out, [1] * ndim if keepdims else [], (1,) * ndim if keepdims
                            else ())
    out = _scaled_prod_along(_flatten_axes(v, axes), ndim - len(axes))
    return _restore_axes(out, v.shape, axes, keepdims)


def _scaled_prod_along(v: Value, axis: int) -> Value:
    """The product along ``axis`` (kept with size 1) by pairwise halving of (m, e) pairs."""
    n = v.shape[axis]
    if n == 0:
        return _ops.reduce("ReduceProd", v, [axis], True)  # the empty product, exactly 1
    pair = _scaled(v, _ops.const(0, v.dtype))
    if type(n) is int:
        while n > 1:
            if n % 2:
                pair = tuple(_ops.concat([p, _fill_slice(p, axis, f)], axis)
                             for p, f in zip(pair, (1, 0)))
                n += 1
            pair = _scaled_mul(*zip(*(_halves(p, axis, n // 2) for p in pair)))
            n //= 2
        return _times_power_of_two(*pair)
    # Unknown length: as _prod_along, a trailing one, then 32 halvings padded to even lengths.
    pair = tuple(_ops.concat([p, _fill_slice(p, axis, f)], axis) for p, f in zip(pair, (1, 0)))
    for _ in range(32):
        odd = _ops.binary("Mod", _ops.dim_of(pair[0], axis), _ops.i64([2]))
        pads = _ops.concat([_ops.i64([0]), odd], 0)
        pair = tuple(
            _ops.bind("Pad", [p, pads, _ops.const(f, p.dtype), _ops.i64([axis])], [p.dtype],
                      lambda p=p: [p.shape[:axis] + (Dim(),) + p.shape[axis + 1:]])[0]
            for p, f in zip(pair, (1, 0)))
        pair = _scaled_mul(*zip(*(_halves(p, axis, Dim()) for p in pair)))
    out = _times_power_of_two(*pair)
    shape = out.shape[:axis] + (1,) + out.shape[axis + 1:]
    parts = [d if type(d) is int else _ops.dim_of(out, i) for i, d in enumerate(shape)]
    return _ops.reshape(out, parts, shape)


def _halves(v: Value, axis: int, half) -> tuple[Value, Value]:
    """The even and the odd entries of ``v`` along ``axis``."""
    shape = v.shape[:axis] + (half,) + v.shape[axis + 1:]
    return (_ops.slice_(v, [0], [_END], [axis], [2], shape),
            _ops.slice_(v, [1], [_END], [axis], [2], shape))


def _int_reduce(v: Value, axes, keepdims: bool, along) -> Value:
    axes = tuple(range(len(v.shape))) if axes is None else tuple(axes)
    if not axes:
        return v
    out = _ops.cast(v, D.int64)
    ndim = len(v.shape)
    if len(axes) == ndim > 1:
        # everything: one chain over the flattened array
        out = along(_ops.reshape(out, [-1]), 0)
        return _ops.cast(_ops.reshape(out, [1] * ndim if keepdims else []), v.dtype)
    if along is _prod_along and len(axes) > 1 and not _ops.is_static([v.shape[a] for a in axes]):
        # one halving chain over the reduced axes flattened together, not one per axis
        out = along(_flatten_axes(out, axes), len(v.shape) - len(axes))
        return _ops.cast(_restore_axes(out, v.shape, axes, keepdims), v.dtype)
    for a in axes:
        out = along(out, a)  # keeps axis a with size 1
    if not keepdims:
        out = _ops.squeeze(out, axes)
    return _ops.cast(out, v.dtype)


def _flatten_axes(v: Value, axes: tuple[int, ...]) -> Value:
    """``v`` with ``axes`` moved last and merged into one."""
    kept = [i for i in range(len(v.shape)) if i not in axes]
    moved = _ops.transpose(v, kept + list(axes))
    parts = [v.shape[i] if type(v.shape[i]) is int else _ops.dim_of(v, i) for i in kept]
    # the merged length as a product, not -1: Reshape cannot infer -1 beside a zero size
    known = math.prod(v.shape[a] for a in axes if type(v.shape[a]) is int)
    merged = _ops.i64([known])
    for a in axes:
        if type(v.shape[a]) is not int:
            merged = _ops.binary("Mul", merged, _ops.dim_of(v, a))
    return _ops.reshape(moved, parts + [merged], tuple(v.shape[i] for i in kept) + (Dim(),))


def _restore_axes(out: Value, shape: tuple, axes: tuple[int, ...], keepdims: bool) -> Value:
    """The result of ``_flatten_axes`` reduced to size 1, shaped as a reduction over axes."""
    kept = tuple(d for i, d in enumerate(shape) if i not in axes)
    full = tuple(1 if i in axes else d for i, d in enumerate(shape)) if keepdims else kept
    parts = [d if type(d) is int else _ops.dim_of(out, j) for j, d in enumerate(kept)]
    if keepdims:
        it = iter(parts)
        parts = [1 if i in axes else next(it) for i in range(len(shape))]
    return _ops.reshape(out, parts, full)


def _last(v: Value, axis: int) -> Value:
    """The last entry along ``axis`` (which has at least one), keeping the axis."""
    shape = v.shape[:axis] + (1,) + v.shape[axis + 1:]
    return _ops.slice_(v, [-1], [_END], [axis], [1], shape)


def _sum_along(v: Value, axis: int) -> Value:
    n = v.shape[axis]
    if n == 0:
        return _ops.reduce("ReduceSum", v, [axis], True)  # the empty sum, exactly 0
    if type(n) is not int:
        v = _prepend(v, axis, 0)  # an axis of unknown length may be empty
    out = _ops.bind("CumSum", [v, _ops.i64(axis)], [v.dtype], lambda: [v.shape])[0]
    return _last(out, axis)


def _prod_along(v: Value, axis: int) -> Value:
    """Pairwise halving: multiply even and odd entries until one is left."""
    n = v.shape[axis]
    if n == 0:
        return _ops.reduce("ReduceProd", v, [axis], True)  # the empty product, exactly 1
    if type(n) is int:
        while n > 1:
            if n % 2:
                v = _ops.concat([v, _ones_like_slice(v, axis)], axis)
                n += 1
            v = _halve(v, axis, n // 2)
            n //= 2
        return v
    # Unknown length: a trailing one makes it non-empty, then 32 halvings (odd lengths padded
    # with a one) bring any length up to 2**32 down to 1; later rounds multiply by one.
    v = _ops.concat([v, _ones_like_slice(v, axis)], axis)
    for _ in range(32):
        odd = _ops.binary("Mod", _ops.dim_of(v, axis), _ops.i64([2]))
        pads = _ops.concat([_ops.i64([0]), odd], 0)
        v = _ops.bind("Pad", [v, pads, _ops.const(1, v.dtype), _ops.i64([axis])], [v.dtype],
                      lambda v=v: [v.shape[:axis] + (Dim(),) + v.shape[axis + 1:]])[0]
        v = _halve(v, axis, Dim())
    shape = v.shape[:axis] + (1,) + v.shape[axis + 1:]
    parts = [d if type(d) is int else _ops.dim_of(v, i) for i, d in enumerate(shape)]
    return _ops.reshape(v, parts, shape)


def _halve(v: Value, axis: int, half) -> Value:
    return _ops.binary("Mul", *_halves(v, axis, half))


def _ones_like_slice(v: Value, axis: int) -> Value:
    """Ones shaped like ``v`` with ``axis`` of size 1."""
    return _fill_slice(v, axis, 1)


def _fill_slice(v: Value, axis: int, fill) -> Value:
    """``fill`` shaped like ``v`` with ``axis`` of size 1."""
    shape = v.shape[:axis] + (1,) + v.shape[axis + 1:]
    parts = [d if type(d) is int else _ops.dim_of(v, i) for i, d in enumerate(shape)]
    return _ops.expand_to(_ops.const(fill, v.dtype), _ops.shape_value(parts), shape)


def _extremum(x: Array, axis, keepdims: bool, op: str, func: str) -> Array:
    v = _numeric(x, func)
    axes = normalize_axes(axis, len(v.shape), func)
    if any(v.shape[a] == 0 for a in axes):
        raise ValueError(f"{func}: zero-size reduction has no identity")
    symbolic = [a for a in axes if type(v.shape[a]) is not int]
    if symbolic:  # sizes assumed >= 1 while recording: the model checks them when it runs
        sizes = _ops.concat([_ops.dim_of(v, a) for a in symbolic], 0)
        ok = _ops.check_nonzero(sizes, f"{func}: zero-size reduction has no identity")
    else:
        ok = None
    out = _ops.reduce(op, v, axes, keepdims, check=ok)
    if v.dtype.kind == "f" and axes:
        out = _ops.binary("Add", out, _nan_flag(v, axes, keepdims))
    return Array._new(out)


def _nan_flag(v: Value, axes, keepdims: bool) -> Value:
    """NaN where ``v`` holds a NaN along ``axes``, else a zero that ``m + flag`` leaves alone.

    onnxruntime's ReduceMax/ReduceMin skip NaNs (or not, by position), where the standard
    propagates them. ``Clip(x, -0.0, -0.0)`` is NaN for NaN, +0.0 for +0.0 and -0.0 for the
    rest, so the sum is NaN, -0.0 (x + -0.0 is x) or, where ``v`` holds a +0.0, +0.0 (which
    changes only a zero extremum, whose sign the standard leaves open). Three passes over the
    data, about half the time of TopK(k=1) along short rows.
    """
    nz = _ops.const(-0.0, v.dtype)
    zeros = _ops.bind("Clip", [v, nz, nz], [v.dtype], lambda: [v.shape])[0]
    return _ops.reduce("ReduceSum", zeros, axes, keepdims)


def max(x: Array, /, *, axis=None, keepdims: bool = False) -> Array:  # noqa: A001
    """Maximum over ``axis`` (all axes when None); NaN propagates.

    ONNX ``ReduceMax``; for floats plus a NaN check (onnxruntime's kernel skips NaNs). Which
    zero a row of -0.0 and +0.0 gives is left open, as the standard does. A zero-size reduction
    raises ValueError.
    """
    return _extremum(x, axis, keepdims, "ReduceMax", "max")


def min(x: Array, /, *, axis=None, keepdims: bool = False) -> Array:  # noqa: A001
    """Minimum over ``axis`` (all axes when None); NaN propagates.

    ONNX ``ReduceMin``; for floats plus a NaN check, as in ``max``. A zero-size reduction
    raises ValueError.
    """
    return _extremum(x, axis, keepdims, "ReduceMin", "min")


def mean(x: Array, /, *, axis=None, keepdims: bool = False) -> Array:
    """Arithmetic mean over ``axis`` (all axes when None), for floating-point arrays.

    ONNX ``ReduceMean`` when the reduced sizes are known and non-zero, else ``ReduceSum`` divided
    by the element count read from the shape at run time (the mean of nothing is NaN).
    """
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
    # M - correction <= 0 gives NaN by the standard (NumPy would give inf for a nonzero sum).
    dof = _ops.binary("Sub", n, _ops.const(correction, v.dtype))
    if dof.data is not None:
        dof = dof if dof.data > 0 else _ops.const(math.nan, v.dtype)
    else:
        positive = _ops.binary("Greater", dof, _ops.const(0, v.dtype), D.bool)
        dof = _ops.where(positive, dof, _ops.const(math.nan, v.dtype))
    return _ops.binary("Div", ss, dof)


def var(x: Array, /, *, axis=None, correction: int | float = 0.0,
        keepdims: bool = False) -> Array:
    """Variance over ``axis`` with ``correction`` (0 for the population, 1 for a sample).

    Two passes (mean, then the sum of squared deviations); NaN when ``N - correction <= 0``.
    """
    return Array._new(_variance(x, axis, correction, keepdims, "var"))


def std(x: Array, /, *, axis=None, correction: int | float = 0.0,
        keepdims: bool = False) -> Array:
    """Standard deviation over ``axis``: the square root of ``var``."""
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
    """Running sum along ``axis`` (ONNX ``CumSum``); integers in (u)int64 unless ``dtype`` is set.

    ``include_initial=True`` puts a zero in front, so the result is one longer along ``axis``.
    """
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
    length is unrolled for up to 2**32 elements (32 steps). Integer results are exact (wrapping
    multiplication is associative). Float products are grouped as a tree rather than left to
    right, so the last bits may differ from a sequential product; they are computed on
    (mantissa, exponent) pairs (see ``_scaled``), so no intermediate product overflows or
    underflows: [1e-300, 1e300, 1e300, 1e-300] gives [1e-300, 1, 1e300, 1].
    """
    v = _numeric(x, "cumulative_prod", "numeric")
    axis = _cumulative_axis(v, axis, "cumulative_prod")
    v = _ops.cast(v, _accumulator_dtype(v, dtype, "cumulative_prod"))
    n = v.shape[axis]
    steps = (n - 1).bit_length() if type(n) is int and n > 0 else (0 if n == 0 else 32)
    size = n if type(n) is int else _ops.dim_of(v, axis)
    shift = 1
    if v.dtype.kind == "f":
        pair = _scaled(v, _ops.const(0, v.dtype))
        for _ in range(steps):
            pair = _scaled_mul(pair, (_shifted(pair[0], shift, axis, size, 1),
                                      _shifted(pair[1], shift, axis, size, 0)))
            shift *= 2
        out = _times_power_of_two(*pair)
    else:
        out = v
        for _ in range(steps):
            out = _ops.binary("Mul", out, _shifted(out, shift, axis, size, 1))
            shift *= 2
    if include_initial:
        out = _prepend(out, axis, 1)
    return Array._new(out)


def _shifted(v: Value, shift: int, axis: int, size, fill) -> Value:
    """``v`` moved ``shift`` places along ``axis``, with ``fill`` in front."""
    if type(size) is int:
        block = shift
        ones_shape = v.shape[:axis] + (shift,) + v.shape[axis + 1:]
    else:
        # never build a block longer than the axis itself
        block = _ops.binary("Min", _ops.i64([shift]), size)
        ones_shape = v.shape[:axis] + (Dim(),) + v.shape[axis + 1:]
    parts = [block if i == axis else (d if type(d) is int else _ops.dim_of(v, i))
             for i, d in enumerate(v.shape)]
    ones = _ops.expand_to(_ops.const(fill, v.dtype), _ops.shape_value(parts), ones_shape)
    padded = _ops.concat([ones, v], axis)
    if type(size) is int:
        return _ops.slice_(padded, [0], [size], [axis], [1], v.shape)
    return _ops.bind("Slice", [padded, _ops.i64([0]), size, _ops.i64([axis])], [v.dtype],
                     lambda: [v.shape])[0]
