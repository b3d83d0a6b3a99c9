"""Exact ONNX operators computed with NumPy on concrete inputs, for eager calls.

Running a cached one-node onnxruntime session costs ~10 us, and the first use of a signature
compiles one (~0.4-1.2 ms); NumPy computes a reshape or an integer add in ~1 us. The operators
here are those whose result is fully specified bit for bit, on the dtypes where that holds:
data movement on any dtype (bytes are copied, NaN payloads and -0.0 included; scatters and
gathers), integer and bool arithmetic (wrapping), bitwise operators, comparisons, logic, casts
(the exact ones, and float to float), NaN and infinity tests, reductions and arg extrema, and
the float operators IEEE 754 rounds once (add, subtract, multiply, divide, reciprocal, square
root), flips or clears the sign bit of (Neg, Abs), or compares. Sorting is not here: a TopK
kernel on NumPy's stable sort (exact, ties by index) measured no faster than the session for
full sorts and 2-4x slower for k = 1, where onnxruntime selects instead of sorting; nor is
Trilu (np.tril builds a mask: 1.3-1.6x the session's time). Float reductions, products and the
other float functions are not here (their rounding is each library's own), nor float Min/Max (a
tie of -0.0 with 0.0 and NaNs are each library's own choice). Float ``Where`` declines where a
value is -0.0 (onnxruntime drops the sign of some, by layout: ``_ort_compat.where_keeps_sign_of``),
float ``Sign`` where one is NaN, float Add and Mul where both operands hold a NaN
(``_arithmetic``); each scans at most 65,536 elements, beyond which the session runs.

``KERNELS`` is the source of truth: per operator, the kinds of its data inputs, the attributes
it understands (the forms the library records) and its kernel. A kernel returns None, or raises
ValueError/IndexError/TypeError, for any input it does not compute exactly as onnxruntime does
(an out-of-range index, a bad shape, an empty max, a scatter writing one element twice): the
caller then runs the onnxruntime session, which gives its result or its error.
``tests/test_numpy_kernels.py`` checks every kernel against the one-node session, bit for bit.
``program`` runs a whole traced graph of such operators (a compiled plan, ``_plans``) this way.
"""

from __future__ import annotations

from functools import reduce as _fold
from math import prod as _prod

import numpy as np
from onnx import TensorProto as T

from ._graph import NODE_NAME_ATTR

__all__ = ["KERNELS", "run", "program"]

_ANY = "biufO"  # bool, ints, uints, floats, strings (object arrays)
_INT = "iu"
_INTB = "biu"
_BOOL = "b"
_FLOAT = "f"
_NUM = "iuf"  # ints and floats
_ANY_NUM = "biuf"
_INDEX = (np.dtype(np.int64), np.dtype(np.int32))
_I64 = _INDEX[0]

# ONNX element types of the integer and bool dtypes (the targets of exact casts).
_CAST_TO = {T.BOOL: np.dtype(np.bool_), T.INT8: np.dtype(np.int8), T.INT16: np.dtype(np.int16),
            T.INT32: np.dtype(np.int32), T.INT64: np.dtype(np.int64),
            T.UINT8: np.dtype(np.uint8), T.UINT16: np.dtype(np.uint16),
            T.UINT32: np.dtype(np.uint32), T.UINT64: np.dtype(np.uint64)}


def _ints(v, dtypes=_INDEX) -> list[int] | None:
    """A 1-D integer tensor input (shape, axes, starts, ...) as Python ints; None if not."""
    if v is None or v.ndim != 1 or v.dtype not in dtypes:
        return None
    return v.tolist()


def _axes(axes: list[int], rank: int) -> tuple[int, ...] | None:
    """``axes`` made non-negative, or None when one is out of range or repeated."""
    out = tuple(a + rank if a < 0 else a for a in axes)
    if any(not 0 <= a < rank for a in out) or len(set(out)) != len(out):
        return None
    return out


# --- data movement ---------------------------------------------------------------------------


def _identity(a, x):
    return x


def _reshape(a, x, shape):
    target = _ints(shape, _INDEX[:1])
    if target is None or (target and min(target) < -1) or target.count(-1) > 1:
        return None
    if a.get("allowzero", 0):
        if 0 in target and -1 in target:  # invalid for allowzero=1
            return None
    elif 0 in target:  # allowzero=0: a 0 copies the input's size at that position
        if any(d == 0 and i >= x.ndim for i, d in enumerate(target)):
            return None
        target = [x.shape[i] if d == 0 else d for i, d in enumerate(target)]
        if -1 in target and 0 in target:
            return None
    return x.reshape(target)


def _transpose(a, x):
    perm = a.get("perm")
    perm = tuple(range(x.ndim))[::-1] if perm is None else tuple(perm)
    if sorted(perm) != list(range(x.ndim)):  # NumPy would accept negative entries
        return None
    return x.transpose(perm)


def _squeeze(a, x, axes=None):
    ax = _ints(axes, _INDEX[:1])  # onnxruntime's one-node Squeeze requires the axes
    ax = None if ax is None else _axes(ax, x.ndim)
    if ax is None or any(x.shape[i] != 1 for i in ax):
        return None
    return x.reshape([d for i, d in enumerate(x.shape) if i not in ax])


def _unsqueeze(a, x, axes):
    ax = _ints(axes, _INDEX[:1])
    ax = None if not ax else _axes(ax, x.ndim + len(ax))
    if ax is None:
        return None
    shape = list(x.shape)
    for i in sorted(ax):
        shape.insert(i, 1)
    return x.reshape(shape)


def _concat(a, *xs):
    axis = a.get("axis")
    if axis is None or any(x.ndim == 0 for x in xs):
        return None
    return np.concatenate(xs, axis=axis)


_END_MARKERS = (2**31 - 1, 2**63 - 1)


def _slice(a, x, starts, ends, axes=None, steps=None):
    """ONNX's clamping: start to [0, d] (step > 0) or [0, d - 1] (step < 0), end to [0, d]
    or [-1, d - 1], after adding d to a negative one; -1 is "before the first" for a
    negative step, which a Python slice says with None. onnxruntime reads an end of
    INT32_MAX or INT64_MAX as "through the last element in the step's direction" (NumPy's
    None), also for a negative step (checked with 1.32)."""
    starts, ends = _ints(starts), _ints(ends)
    n = None if starts is None else len(starts)
    axes = list(range(x.ndim))[:n] if axes is None else _ints(axes)
    steps = [1] * (n or 0) if steps is None else _ints(steps)
    if None in (starts, ends, axes, steps) or not len(ends) == len(axes) == len(steps) == n:
        return None
    axes = _axes(axes, x.ndim)
    if axes is None or 0 in steps:
        return None
    index = [slice(None)] * x.ndim
    for s, e, ax, step in zip(starts, ends, axes, steps):
        d = x.shape[ax]
        s = s + d if s < 0 else s
        if e in _END_MARKERS:
            e = d if step > 0 else -1
        elif e < 0:
            e += d
        if step > 0:
            s, e = min(max(s, 0), d), min(max(e, 0), d)
        else:
            s, e = min(max(s, 0), d - 1), min(max(e, -1), d - 1)
        index[ax] = slice(s, None if e < 0 else e, step)
    return x[tuple(index)]


def _gather(a, x, idx):
    """Negative indices count from the end; an index out of range makes NumPy raise
    IndexError, and onnxruntime's session then reports it as it does (NumPy checks no index
    into an empty array: those are left to the session)."""
    if x.ndim == 0 or idx.dtype not in _INDEX or (x.size == 0 and idx.size):
        return None
    return np.take(x, idx, axis=a.get("axis", 0))


def _gather_elements(a, x, idx):
    axis = a.get("axis", 0)
    axis = axis + x.ndim if axis < 0 else axis
    if (x.ndim == 0 or idx.dtype not in _INDEX or idx.ndim != x.ndim or not 0 <= axis < x.ndim
            or (x.size == 0 and idx.size)
            or any(i != axis and m != n for i, (m, n) in enumerate(zip(idx.shape, x.shape)))):
        return None  # NumPy would broadcast sizes that differ off the axis
    return np.take_along_axis(x, idx, axis=axis)


def _gather_nd(a, x, idx):
    """GatherND without batch axes: the slices of ``x`` named by the last axis of ``idx``,
    negative entries counted from the end (as onnxruntime 1.32 does); declined: indices out
    of range, 0-d data, index tuples of length 0."""
    if a.get("batch_dims", 0) or idx.dtype != _I64 or not idx.ndim or not x.ndim:
        return None
    k = idx.shape[-1]
    if not 0 < k <= x.ndim:
        return None
    # checked here, not left to NumPy's IndexError: NumPy 1.x does not check indices that
    # select nothing, and onnxruntime gives a result for some of those (naming an empty slice)
    if idx.size and ((idx < -np.array(x.shape[:k])) | (idx >= np.array(x.shape[:k]))).any():
        return None
    return x[tuple(idx[..., j] for j in range(k))]


def _nonzero(a, x):
    """NonZero of a bool array: the positions of its true entries, row-major, as an int64
    (rank, count) array; a 0-d array counts as rank 1 (as onnxruntime does)."""
    if not x.ndim:
        return np.zeros((1, 1 if x else 0), np.int64)
    return np.array(np.nonzero(x), np.int64).reshape(x.ndim, -1)


def _distinct_positions(pos: np.ndarray) -> bool:
    """Whether the flat positions ``pos`` are all different (a scatter writes each once)."""
    if pos.size < 2:
        return True
    ordered = np.sort(pos, axis=None)
    return not (ordered[1:] == ordered[:-1]).any()


def _in_range(idx: np.ndarray, size) -> np.ndarray | None:
    """Indices counted from the end when negative (as onnxruntime 1.32 does for both
    scatters), as int64; None when one is outside ``[-size, size)``, which onnxruntime
    refuses."""
    idx = idx.astype(np.int64, copy=False)
    if idx.size and ((idx < -size) | (idx >= size)).any():
        return None
    return np.where(idx < 0, idx + size, idx)


_FEW = 32  # index tuples checked as Python ints: NumPy's per-call cost exceeds the work


def _row_positions(tuples: np.ndarray, lead: tuple):
    """The rows (of an array of ``lead`` leading sizes seen as rows) that index tuples name,
    negative entries counted from the end; None when one is out of range or two are equal."""
    n = len(tuples)
    if n <= _FEW:
        rows = []
        for t in tuples.tolist():
            p = 0
            for i, d in zip(t, lead):
                if not -d <= i < d:
                    return None
                p = p * d + (i + d if i < 0 else i)
            rows.append(p)
        return rows if len(set(rows)) == n else None
    tuples = _in_range(tuples, np.array(lead, np.int64))
    if tuples is None:
        return None
    rows = np.ravel_multi_index(tuple(tuples.T), lead)
    return rows if _distinct_positions(rows) else None


def _scatter_nd(a, x, idx, updates):
    """ScatterND without reduction: a copy of ``x`` with the slices named by the last axis of
    ``idx`` replaced. Declined (left to the session): duplicate index tuples (the standard
    leaves their order open), indices out of range, a shape that does not fit, 0-d data and
    index tuples of length 0."""
    if a and a.get("reduction", "none") != "none" or idx.dtype != _I64 or not x.ndim \
            or not idx.ndim:
        return None
    k = idx.shape[-1]
    if not 0 < k <= x.ndim or updates.shape != idx.shape[:-1] + x.shape[k:]:
        return None
    n = idx.size // k  # index tuples
    out = x.copy()
    if n == 0:
        return out
    if k == 1 and n <= _FEW:  # x[i] = row, the common case: consecutive rows are a slice
        d = x.shape[0]
        rows = [i + d if i < 0 else i for i in idx.ravel().tolist()]
        lo = rows[0]
        if 0 <= lo and lo + n <= d and rows == list(range(lo, lo + n)):
            out[lo:lo + n] = updates if updates.ndim == x.ndim else updates.reshape(
                (n,) + x.shape[1:])
            return out
        # checked here, not left to NumPy's IndexError: NumPy 1.x does not check indices that
        # write nothing (an empty row), which onnxruntime refuses
        if len(set(rows)) != n or not all(0 <= r < d for r in rows):
            return None
        out[rows] = updates.reshape((n,) + x.shape[1:])
        return out
    rows = _row_positions(idx.reshape(n, k), x.shape[:k])
    if rows is None:
        return None
    if updates.size:  # else the tuples name empty slices: checked, nothing written
        out.reshape(_prod(x.shape[:k]), updates.size // n)[rows] = updates.reshape(n, -1)
    return out


def _scatter_elements(a, x, idx, updates):
    """ScatterElements without reduction: ``out[..., idx[p], ...] = updates[p]`` along
    ``axis`` at every position p of ``idx``, whose sizes may be smaller than ``x``'s.
    NumPy's integer indexing counts negative indices from the end too, and raises IndexError
    (declined) for one out of range or a size of ``idx`` larger than ``x``'s; declined as
    well: duplicate targets (two equal indices on one line along the axis), 0-d data."""
    axis = a.get("axis", 0)
    r = x.ndim
    axis = axis + r if axis < 0 else axis
    if (a.get("reduction", "none") != "none" or idx.dtype not in _INDEX or r == 0
            or idx.ndim != r or updates.shape != idx.shape or not 0 <= axis < r):
        return None
    out = x.copy()
    if idx.size == 0:
        return out
    if idx.shape[axis] > 1:
        d = x.shape[axis]
        ordered = np.sort(np.where(idx < 0, idx + d, idx), axis=axis)
        if (ordered[(slice(None),) * axis + (slice(1, None),)]
                == ordered[(slice(None),) * axis + (slice(None, -1),)]).any():
            return None
    where = [np.arange(m).reshape((1,) * i + (m,) + (1,) * (r - i - 1)) if i != axis else idx
             for i, m in enumerate(idx.shape)]
    out[tuple(where)] = updates
    return out


def _expand(a, x, shape):
    target = _ints(shape, _INDEX[:1])
    if target is None or any(d < 0 for d in target):
        return None
    return np.broadcast_to(x, np.broadcast_shapes(x.shape, tuple(target)))


def _shape(a, x):
    return np.array(x.shape[a.get("start", 0):a.get("end")], np.int64)


def _size(a, x):
    return np.array(x.size, np.int64)


def _flatten(a, x):
    axis = a.get("axis", 1)
    axis = axis + x.ndim if axis < 0 else axis
    if not 0 <= axis <= x.ndim:
        return None
    return x.reshape(int(np.prod(x.shape[:axis])), int(np.prod(x.shape[axis:])))


def _tile(a, x, repeats):
    reps = _ints(repeats, _INDEX[:1])
    if x.ndim == 0 or reps is None or len(reps) != x.ndim or any(r < 0 for r in reps):
        return None
    return np.tile(x, reps)


def _negative_zero(x) -> bool:
    return bool(np.any(np.signbit(x) & (x == 0)))


def _where(a, cond, x, y):
    """Where; of floats only without a -0.0 among the values: onnxruntime drops the sign of
    some, by layout (``_ort_compat.where_keeps_sign_of``), and copies every other value."""
    if cond.dtype != np.bool_:
        return None
    if x.dtype.kind == "f" and (x.size + y.size > _NAN_SCAN_MAX or _negative_zero(x)
                                or _negative_zero(y)):
        return None
    return np.where(cond, x, y)


def _sign(a, x):
    """Sign; of floats only without a NaN (onnxruntime's float64 kernel keeps some payloads
    NumPy's does not)."""
    if x.dtype.kind == "f" and (x.size > _NAN_SCAN_MAX or np.isnan(x).any()):
        return None
    return np.sign(x)


# --- integer and bool operators --------------------------------------------------------------


def _elementwise(ufunc, variadic: bool = False):
    """An elementwise operator of one dtype; variadic ones (Min, Max) fold left."""
    def kernel(a, *xs):
        if variadic:
            return _fold(ufunc, xs) if xs else None
        return ufunc(*xs) if len(xs) == ufunc.nin else None
    return kernel


# Elements of the smaller operand of a float Add or Mul scanned for NaNs at most: a larger one
# runs the session (4,000,000 float32: NumPy's add and the scan took 4.6 ms, the session 3.6).
_NAN_SCAN_MAX = 1 << 16


def _may_mix_nans(x, y) -> bool:
    """Whether both operands may hold a NaN (the smaller one is scanned first)."""
    small, big = (x, y) if x.size <= y.size else (y, x)
    if small.size > _NAN_SCAN_MAX:
        return True
    return bool(np.isnan(small).any()) and bool(np.isnan(big).any())


def _arithmetic(ufunc, commutative: bool = False):
    """Add, Sub, Mul, Div: integers wrap (Div has no integer kernel: ONNX truncates, NumPy
    floors); floats are rounded once, as IEEE 754 asks of both NumPy and onnxruntime, -0.0,
    infinities and subnormals included. Where both operands of an element are NaN, the NaN
    that comes out is the one the processor reads first, and onnxruntime reads the operands of
    Add and Mul in either order depending on the layout: those decline when both inputs hold a
    NaN, and when both are large (``_NAN_SCAN_MAX``)."""
    def kernel(a, x, y):
        if x.dtype.kind != "f":
            return ufunc(x, y)
        if commutative and _may_mix_nans(x, y):
            return None
        with np.errstate(all="ignore"):
            return ufunc(x, y)
    return kernel


def _sqrt(a, x):
    with np.errstate(all="ignore"):
        return np.sqrt(x)


def _reciprocal(a, x):
    with np.errstate(all="ignore"):  # a signalling NaN raises the invalid flag
        return np.divide(np.ones((), x.dtype), x)


# Casts to a float type computed here: those that are exact (bool and the integers a double
# or a single holds), and float to float (IEEE rounds a double to the nearest single once).
_FLOAT_FROM = {
    T.FLOAT: (np.dtype(np.float32), frozenset(map(np.dtype, (
        np.bool_, np.int8, np.int16, np.uint8, np.uint16)))),
    T.DOUBLE: (np.dtype(np.float64), frozenset(map(np.dtype, (
        np.bool_, np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32))))}


def _cast(a, x):
    if set(a) - {"to"}:  # a saturate/round_mode attribute
        return None
    to = _CAST_TO.get(a.get("to"))
    if to is None:  # a float target
        to, sources = _FLOAT_FROM.get(a.get("to"), (None, ()))
        if to is None or (x.dtype.kind != "f" and x.dtype not in sources):
            return None
        with np.errstate(over="ignore", invalid="ignore"):  # to inf; a signaling NaN quieted
            return x.astype(to)
    if x.dtype.kind == "f" and to != np.bool_:  # float to integer: not here
        return None
    return x != 0 if to == np.bool_ else x.astype(to)


def _is_inf(a, x):
    negative, positive = a.get("detect_negative", 1), a.get("detect_positive", 1)
    if negative and positive:
        return np.isinf(x)
    if negative:
        return x == -np.inf
    return x == np.inf if positive else np.zeros(x.shape, np.bool_)


# onnxruntime 1.32's integer ReduceSum is not a wrapping sum: it saturates (int32
# [2**31 - 1, 1] sums to 2**31 - 1) and rounds beyond 2**53 (int64 [[2**53 + 1, 1], [1, 1]]
# summed over axis 0 gives 2**53, over all axes 2**53 + 4). So the kernel sums only where
# every partial sum is exact in the dtype onnxruntime computes in (int32 for the narrow
# ints, int64 for uint32/uint64: ``_ort_compat.CAST_VIA``) and in a double: where
# max|x| times the number of terms stays within this bound.
_SUM_BOUND = {np.dtype(t): b for t, b in [
    (np.int8, 2**31 - 1), (np.int16, 2**31 - 1), (np.uint8, 2**31 - 1), (np.uint16, 2**31 - 1),
    (np.int32, 2**31 - 1), (np.int64, 2**53), (np.uint32, 2**53), (np.uint64, 2**53)]}


def _sum_is_exact(x: np.ndarray, axes: tuple) -> bool:
    bound = _SUM_BOUND.get(x.dtype)
    if bound is None or x.size == 0:
        return True  # bool (a count), or nothing to sum
    terms = 1
    for i in axes:
        terms *= x.shape[i]
    if x.dtype.itemsize <= 2 and terms <= bound >> 16:
        return True  # 8- and 16-bit terms: their count alone keeps the sum in range
    largest = max(int(np.maximum.reduce(x, axis=None)), -int(np.minimum.reduce(x, axis=None)))
    return largest * terms <= bound


def _reduction(ufunc, empty_ok: bool):
    """ReduceSum/Max/Min: axes from the optional input (none or empty: all axes, or the input
    itself with ``noop_with_empty_axes``); an empty max/min is left to onnxruntime, and so is
    a sum that onnxruntime may not compute exactly (``_SUM_BOUND``)."""
    def kernel(a, x, axes=None):
        ax = [] if axes is None else _ints(axes, _INDEX[:1])
        if ax is None:
            return None
        if not ax:
            if a.get("noop_with_empty_axes", 0):
                return x
            ax = list(range(x.ndim))
        ax = _axes(ax, x.ndim)
        if ax is None or (not empty_ok and any(x.shape[i] == 0 for i in ax)):
            return None
        if ufunc is np.add and not _sum_is_exact(x, ax):
            return None
        return ufunc.reduce(x, axis=ax, dtype=x.dtype, keepdims=bool(a.get("keepdims", 1)))
    return kernel


def _arg_extremum(ufunc):
    """ArgMax/ArgMin of integers and bools: the first index of the extremum along ``axis``
    (ONNX's default ``select_last_index=0``, as NumPy); an empty axis is left to onnxruntime."""
    def kernel(a, x):
        axis = a.get("axis", 0)
        axis = axis + x.ndim if axis < 0 else axis
        if a.get("select_last_index", 0) or not 0 <= axis < x.ndim or not x.shape[axis]:
            return None
        return ufunc(x, axis=axis, keepdims=bool(a.get("keepdims", 1))).astype(np.int64)
    return kernel


def _bit_shift(a, x, s):
    """BitShift of unsigned integers by less than their width (the library's only use: a
    shift as wide as the type is not specified alike everywhere)."""
    direction = a.get("direction")
    if direction not in ("LEFT", "RIGHT") or (s.size and s.max() >= 8 * x.dtype.itemsize):
        return None
    return (np.left_shift if direction == "LEFT" else np.right_shift)(x, s)


_ALL = None  # every input is a data input
_REDUCE_ATTRS = ("keepdims", "noop_with_empty_axes")

# op -> (kinds of the data inputs, which inputs are data, attributes understood, kernel).
# The data inputs share one dtype, of one of those NumPy kinds; the others (shapes, axes,
# indices) are checked by the kernel.
KERNELS: dict[str, tuple] = {
    "Identity": (_ANY, (0,), (), _identity),
    "Reshape": (_ANY, (0,), ("allowzero",), _reshape),
    "Transpose": (_ANY, (0,), ("perm",), _transpose),
    "Squeeze": (_ANY, (0,), (), _squeeze),
    "Unsqueeze": (_ANY, (0,), (), _unsqueeze),
    "Flatten": (_ANY, (0,), ("axis",), _flatten),
    "Concat": (_ANY, _ALL, ("axis",), _concat),
    "Slice": (_ANY, (0,), (), _slice),
    "Gather": (_ANY, (0,), ("axis",), _gather),
    "GatherElements": (_ANY, (0,), ("axis",), _gather_elements),
    "GatherND": (_ANY, (0,), ("batch_dims",), _gather_nd),
    "NonZero": (_BOOL, (0,), (), _nonzero),  # onnxruntime has no kernel for most others
    "ScatterND": (_ANY, (0, 2), ("reduction",), _scatter_nd),
    "ScatterElements": (_ANY, (0, 2), ("axis", "reduction"), _scatter_elements),
    "Expand": (_ANY, (0,), (), _expand),
    "Tile": (_ANY, (0,), (), _tile),
    "Shape": (_ANY, (0,), ("start", "end"), _shape),
    "Size": (_ANY, (0,), (), _size),
    "Where": (_ANY, (1, 2), (), _where),
    "Add": (_NUM, _ALL, (), _arithmetic(np.add, True)),
    "Sub": (_NUM, _ALL, (), _arithmetic(np.subtract)),
    "Mul": (_NUM, _ALL, (), _arithmetic(np.multiply, True)),
    "Div": (_FLOAT, _ALL, (), _arithmetic(np.divide)),
    "Sqrt": (_FLOAT, _ALL, (), _sqrt),  # correctly rounded, a NaN's payload kept
    "Reciprocal": (_FLOAT, _ALL, (), _reciprocal),  # 1 / x, one rounding
    "Neg": (_NUM, _ALL, (), _elementwise(np.negative)),  # floats: the sign bit flipped
    "Abs": (_NUM, _ALL, (), _elementwise(np.absolute)),  # floats: the sign bit cleared
    "Min": (_INTB, _ALL, (), _elementwise(np.minimum, True)),
    "Max": (_INTB, _ALL, (), _elementwise(np.maximum, True)),
    # comparisons of floats: IEEE 754's, a NaN unordered, -0.0 equal to 0.0
    "Equal": (_ANY_NUM, _ALL, (), _elementwise(np.equal)),
    "Less": (_ANY_NUM, _ALL, (), _elementwise(np.less)),
    "LessOrEqual": (_ANY_NUM, _ALL, (), _elementwise(np.less_equal)),
    "Greater": (_ANY_NUM, _ALL, (), _elementwise(np.greater)),
    "GreaterOrEqual": (_ANY_NUM, _ALL, (), _elementwise(np.greater_equal)),
    "Sign": (_NUM, _ALL, (), _sign),
    "BitwiseAnd": (_INT, _ALL, (), _elementwise(np.bitwise_and)),
    "BitwiseOr": (_INT, _ALL, (), _elementwise(np.bitwise_or)),
    "BitwiseXor": (_INT, _ALL, (), _elementwise(np.bitwise_xor)),
    "BitwiseNot": (_INT, _ALL, (), _elementwise(np.invert)),
    "BitShift": ("u", _ALL, ("direction",), _bit_shift),
    "ArgMax": (_INTB, (0,), ("axis", "keepdims", "select_last_index"), _arg_extremum(np.argmax)),
    "ArgMin": (_INTB, (0,), ("axis", "keepdims", "select_last_index"), _arg_extremum(np.argmin)),
    "And": (_BOOL, _ALL, (), _elementwise(np.logical_and)),
    "Or": (_BOOL, _ALL, (), _elementwise(np.logical_or)),
    "Xor": (_BOOL, _ALL, (), _elementwise(np.logical_xor)),
    "Not": (_BOOL, _ALL, (), _elementwise(np.logical_not)),
    "Cast": (_ANY_NUM, (0,), ("to", "saturate", "round_mode"), _cast),
    "IsNaN": (_FLOAT, _ALL, (), _elementwise(np.isnan)),
    "IsInf": (_FLOAT, (0,), ("detect_negative", "detect_positive"), _is_inf),
    "ReduceSum": (_INTB, (0,), _REDUCE_ATTRS, _reduction(np.add, True)),  # see _SUM_BOUND
    "ReduceMax": (_INTB, (0,), _REDUCE_ATTRS, _reduction(np.maximum, False)),
    "ReduceMin": (_INTB, (0,), _REDUCE_ATTRS, _reduction(np.minimum, False)),
}


def _kernel_of(op: str, domain: str, attrs: tuple):
    """``(kernel, attributes, kinds, data positions)`` of a node computed here, else None."""
    entry = KERNELS.get(op)
    if entry is None or domain:
        return None
    kinds, data_pos, known, kernel = entry
    a = {}
    for name, value in attrs:
        if name not in known:
            if name != NODE_NAME_ATTR:
                return None
        else:
            a[name] = value
    return kernel, a, kinds, data_pos


def _data_dtype(kinds: str, data_pos, dtypes: list):
    """The one dtype of the data inputs (None for an omitted one) if of ``kinds``, else None."""
    data = dtypes if data_pos is None else [dtypes[i] for i in data_pos if i < len(dtypes)]
    if not data or data[0] is None or data[0].kind not in kinds:
        return None
    dt = data[0]
    for d in data:
        if d is None or (d is not dt and d != dt):
            return None
    return dt


def _call(kernel, a: dict, arrays, strings: bool) -> np.ndarray | None:
    """The kernel's result as a fresh C-ordered array (as a session returns: no views), or
    None when it declines."""
    try:
        out = kernel(a, *arrays)
    except (ValueError, IndexError, TypeError):
        return None
    if out is None:
        return None
    if type(out) is not np.ndarray:  # a 0-d result can be a NumPy scalar or a str
        out = np.asarray(out, dtype=object if strings else None)
    flags = out.flags
    if not (flags.owndata and flags.c_contiguous) or out is arrays[0]:
        out = out.copy()
    return out


def run(op: str, domain: str, attrs: tuple, arrays) -> list[np.ndarray] | None:
    """``op`` on the NumPy arrays ``arrays`` (None for an omitted optional input), or None
    when it is not computed here (the caller runs the onnxruntime session)."""
    found = _kernel_of(op, domain, attrs)
    if found is None:
        return None
    kernel, a, kinds, data_pos = found
    dt = _data_dtype(kinds, data_pos, [None if x is None else x.dtype for x in arrays])
    if dt is None:
        return None
    out = _call(kernel, a, arrays, dt.kind == "O")
    return None if out is None else [out]


def program(nodes, outputs, inputs):
    """A traced graph of exact-shape inputs as a function of their data that runs every node
    with its kernel: ``nodes`` producers first, ``outputs`` and ``inputs`` Values. The
    function gives the outputs' data, or None when a kernel declines (the caller then runs
    the graph's session, whose nodes give the same bits). None instead of a function when a
    node has no kernel for its dtypes. The dtypes are checked once, here: a plan's are
    fixed."""
    # env: the feeds, then the constants, then each node's result
    slots = {id(v): i for i, v in enumerate(inputs)}
    env0: list = [None] * len(inputs)
    for node in nodes:
        for v in node.inputs:
            if v is not None and v.data is not None and id(v) not in slots:
                slots[id(v)] = len(env0)
                env0.append(v.data)
    for v in outputs:  # an output that is a constant (``full_like``'s graph)
        if v.data is not None and id(v) not in slots:
            slots[id(v)] = len(env0)
            env0.append(v.data)
    n_fixed = len(env0)
    steps = []
    for node in nodes:
        found = _kernel_of(node.op, node.domain, node.attrs)
        if found is None or len(node.outputs) != 1:
            return None
        kernel, a, kinds, data_pos = found
        dt = _data_dtype(kinds, data_pos, [None if v is None else v.dtype.numpy
                                           for v in node.inputs])
        if dt is None:
            return None
        ins = [None if v is None else slots.get(id(v)) for v in node.inputs]
        if any(i is None and v is not None for i, v in zip(ins, node.inputs)):
            return None  # an input of the graph that is not among ``inputs``
        steps.append((kernel, a, ins, dt.kind == "O"))
        slots[id(node.outputs[0])] = n_fixed + len(steps) - 1
    if any(id(v) not in slots for v in outputs):
        return None
    outs = [slots[id(v)] for v in outputs]
    # an output that is an input or a constant is copied, as a session returns it (the graph
    # of ``broadcast_to(x, x.shape)`` is an Identity)
    copied = frozenset(i for i in outs if i < n_fixed)
    n_in = len(inputs)

    def run_all(feeds):
        env = list(env0)
        env[:n_in] = feeds
        for kernel, a, ins, strings in steps:
            out = _call(kernel, a, [None if i is None else env[i] for i in ins], strings)
            if out is None:
                return None
            env.append(out)
        return [np.array(env[i], copy=True, order="C") if i in copied else env[i]
                for i in outs]
    return run_all
