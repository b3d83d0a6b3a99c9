"""Manipulation functions of the standard.

Shapes are handled in Python when they are known and with Shape/Concat nodes when a dimension
is only known at run time, so every function works on symbolic inputs with named dimensions.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops
from ._array_object import Array, as_value
from ._dims import (
    SymbolicDim,
    graph_dim,
    graph_shape,
    has_symbolic,
    is_size,
    shape_tensor,
    size_value,
)
from ._graph import Dim, Value

__all__ = ["broadcast_arrays", "broadcast_shapes", "broadcast_to", "concat", "expand_dims",
           "flip", "moveaxis", "permute_dims", "repeat", "reshape", "roll", "squeeze", "stack",
           "tile", "unstack", "normalize_axis", "normalize_axes", "AxisError"]

_BIG = np.iinfo(np.int64).max


class AxisError(ValueError, IndexError):
    """An axis out of range: a ValueError by the library's taxonomy and an IndexError as the
    standard asks of some functions (e.g. expand_dims), as NumPy's AxisError is."""


def normalize_axis(axis, ndim: int, func: str) -> int:
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"{func}: axis must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise AxisError(f"{func}: axis {axis} is out of bounds for array of dimension {ndim}")
    return int(axis) % ndim


def normalize_axes(axis, ndim: int, func: str, *, scalar_axis: bool = True) -> tuple[int, ...]:
    """None -> all axes; int or tuple -> sorted non-negative axes, with duplicates rejected.

    With ``scalar_axis``, axis 0 (or -1) of a 0-D array means no axis, as in NumPy's reductions.
    """
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    if scalar_axis and ndim == 0 and axes in ((0,), (-1,)):
        return ()
    out = tuple(normalize_axis(a, ndim, func) for a in axes)
    if len(set(out)) != len(out):
        raise ValueError(f"{func}: repeated axis in {axis}")
    return tuple(sorted(out))


def _wrap(v: Value) -> Array:
    return Array._new(v)


def broadcast_shapes(*shapes) -> tuple:
    """The broadcast of shapes: tuples of ints, SymbolicDims and None (unknown sizes).

    A symbolic size broadcast against 1 or itself stays; one that meets an unrelated unknown
    size becomes None.
    """
    symbolic = {}
    for s in shapes:
        if not isinstance(s, (tuple, list)):
            raise TypeError(f"broadcast_shapes: shapes must be tuples, got {s!r}")
        for d in s:
            if isinstance(d, SymbolicDim):
                symbolic[d._dim] = d
            elif d is not None and (not is_size(d) or d < 0):
                raise ValueError(f"broadcast_shapes: invalid shape {s!r}")
    if not shapes:
        return ()
    internal = [tuple(Dim() if d is None else graph_dim(d) for d in s) for s in shapes]
    out = _ops.broadcast_shapes(*internal, func="broadcast_shapes")
    return tuple(d if type(d) is int else symbolic.get(d) for d in out)


def broadcast_to(x: Array, /, shape) -> Array:
    """Broadcast ``x`` to the concrete ``shape``; unknown sizes of ``x`` are checked at run time."""
    v = as_value(x, "broadcast_to")
    shape = tuple(shape)
    for d in shape:
        if not is_size(d) or (not isinstance(d, SymbolicDim) and d < 0):
            raise ValueError(f"broadcast_to: invalid shape {shape}")
    if has_symbolic(shape):
        if len(shape) < len(v.shape):
            raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}")
        return _wrap(_ops.expand_to(v, shape_tensor(shape), graph_shape(shape)))
    if len(shape) < len(v.shape):
        raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}")
    for d_in, d_out in zip(reversed(v.shape), reversed(shape)):
        if type(d_in) is int and d_in != 1 and d_in != d_out:
            raise ValueError(f"broadcast_to: cannot broadcast shape {x.shape} to {shape}")
    return _wrap(_ops.expand(v, tuple(int(d) for d in shape)))


def broadcast_arrays(*arrays: Array) -> tuple[Array, ...]:
    """Broadcast the arrays against each other; each keeps its dtype."""
    values = [as_value(a, "broadcast_arrays") for a in arrays]
    if not values:
        return ()
    shape = _ops.broadcast_shapes(*[v.shape for v in values], func="broadcast_arrays")
    shape_val = _runtime_broadcast_shape(values, shape)
    return tuple(_wrap(_ops.expand_to(v, shape_val, shape)) for v in values)


def _runtime_broadcast_shape(values: list[Value], shape: tuple) -> Value:
    if _ops.is_static(shape):
        return _ops.i64(list(shape))
    # Fold the padded runtime shapes: a size of 1 gives way to the other (which may be 0, so
    # a maximum would be wrong); incompatible sizes make the Expand fail at run time.
    ndim = len(shape)
    out = None
    for v in values:
        s = _ops.shape_of(v)
        pad = ndim - len(v.shape)
        if pad:
            s = _ops.concat([_ops.i64([1] * pad), s], 0)
        if out is None:
            out = s
        else:
            is_one = _ops.binary("Equal", out, _ops.i64(1), D.bool)
            out = _ops.where(is_one, s, out)
    return out


def concat(arrays, /, *, axis: int | None = 0) -> Array:
    """Join arrays along ``axis`` (flattened first when it is None), promoting their dtypes."""
    values = [as_value(a, "concat") for a in arrays]
    if not values:
        raise ValueError("concat: needs at least one array")
    dtype = D.result_type_of([v.dtype for v in values], "concat")
    values = [_ops.cast(v, dtype) for v in values]
    if axis is None:
        values = [_ops.reshape(v, [-1]) for v in values]
        axis = 0
    ndim = len(values[0].shape)
    if ndim == 0:
        raise ValueError("concat: cannot concatenate 0-D arrays")
    for v in values:
        if len(v.shape) != ndim:
            raise ValueError("concat: all arrays must have the same number of dimensions")
    axis = normalize_axis(axis, ndim, "concat")
    for i in range(ndim):
        if i == axis:
            continue
        sizes = {v.shape[i] for v in values if type(v.shape[i]) is int}
        if len(sizes) > 1:
            raise ValueError(f"concat: sizes {sorted(sizes)} differ along axis {i}")
    return _wrap(_ops.concat(values, axis))


def stack(arrays, /, *, axis: int = 0) -> Array:
    """Join same-shape arrays along a new axis ``axis`` of the result."""
    values = [as_value(a, "stack") for a in arrays]
    if not values:
        raise ValueError("stack: needs at least one array")
    ndim = len(values[0].shape)
    for v in values:
        if len(v.shape) != ndim:
            raise ValueError("stack: all arrays must have the same shape")
        for a, b in zip(v.shape, values[0].shape):
            if type(a) is int and type(b) is int and a != b:
                raise ValueError("stack: all arrays must have the same shape")
    axis = normalize_axis(axis, ndim + 1, "stack")
    dtype = D.result_type_of([v.dtype for v in values], "stack")
    expanded = [_ops.unsqueeze(_ops.cast(v, dtype), [axis]) for v in values]
    return _wrap(_ops.concat(expanded, axis))


def expand_dims(x: Array, /, axis: int | tuple) -> Array:
    """Insert size-1 axes at the positions ``axis`` of the result (an IndexError if invalid)."""
    v = as_value(x, "expand_dims")
    axes = axis if isinstance(axis, tuple) else (axis,)
    n = len(v.shape) + len(axes)
    norm = [normalize_axis(a, n, "expand_dims") for a in axes]
    if len(set(norm)) != len(norm):
        raise ValueError(f"expand_dims: repeated axis in {axis}")
    return _wrap(_ops.unsqueeze(v, norm))


def squeeze(x: Array, /, axis: int | tuple) -> Array:
    """Remove size-1 axes. An axis of unknown size is accepted while recording: the exported
    model checks that it is 1 (onnxruntime fails the run otherwise)."""
    v = as_value(x, "squeeze")
    axes = normalize_axes(axis, len(v.shape), "squeeze")
    for a in axes:
        d = v.shape[a]
        if type(d) is int and d != 1:
            raise ValueError(f"squeeze: axis {a} has size {d}, not 1")
    return _wrap(_ops.squeeze(v, axes))


def permute_dims(x: Array, /, axes: tuple[int, ...]) -> Array:
    """Permute the axes of ``x``."""
    v = as_value(x, "permute_dims")
    ndim = len(v.shape)
    axes = tuple(axes)
    norm = tuple(normalize_axis(a, ndim, "permute_dims") for a in axes) if axes else ()
    if sorted(norm) != list(range(ndim)):
        raise ValueError(f"permute_dims: {axes} is not a permutation of the {ndim} axes")
    return _wrap(_ops.transpose(v, norm))


def moveaxis(x: Array, source, destination, /) -> Array:
    """Move the axes ``source`` to the positions ``destination``, keeping the others in order."""
    v = as_value(x, "moveaxis")
    ndim = len(v.shape)
    src = source if isinstance(source, tuple) else (source,)
    dst = destination if isinstance(destination, tuple) else (destination,)
    if len(src) != len(dst):
        raise ValueError("moveaxis: source and destination must have the same length")
    src = [normalize_axis(a, ndim, "moveaxis") for a in src]
    dst = [normalize_axis(a, ndim, "moveaxis") for a in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise ValueError("moveaxis: repeated axes")
    order = [a for a in range(ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return _wrap(_ops.transpose(v, order))


def reshape(x: Array, /, shape, *, copy: bool | None = None) -> Array:
    """Reshape; onnxarray arrays are values, so a reshape never aliases (copy is honoured)."""
    v = as_value(x, "reshape")
    shape = tuple(shape) if not is_size(shape) else (shape,)
    for d in shape:
        if not is_size(d) or (not isinstance(d, SymbolicDim) and d < -1):
            raise ValueError(f"reshape: invalid shape {shape}")
    if sum(1 for d in shape if type(d) is int and d == -1) > 1:
        raise ValueError(f"reshape: at most one -1 in shape {shape}")
    if has_symbolic(shape):  # sizes read from symbolic arrays
        out = _ops.reshape(v, [size_value(d) for d in shape], graph_shape(shape))
        return _wrap(out)
    size = _ops.size_of(v.shape)
    known = int(np.prod([d for d in shape if d != -1], dtype=np.int64))
    if size is not None:
        if -1 in shape:
            if known == 0 or size % known:
                if not (known == 0 and size == 0):
                    raise ValueError(f"reshape: cannot reshape {x.shape} into {shape}")
        elif known != size:
            raise ValueError(f"reshape: cannot reshape {x.shape} into {shape}")
    if -1 in shape and known == 0:
        raise ValueError(f"reshape: -1 is ambiguous in shape {shape} with a zero dimension")
    out = _ops.reshape(v, [int(d) for d in shape])
    if copy and out.data is not None and out is v:
        out = _ops.const(v.data.copy(), v.dtype)
    return _wrap(out)


def flip(x: Array, /, *, axis: int | tuple | None = None) -> Array:
    """Reverse ``x`` along ``axis`` (all axes when None): one Slice with step -1."""
    v = as_value(x, "flip")
    axes = normalize_axes(axis, len(v.shape), "flip", scalar_axis=False)
    # An axis of known size 0 or 1 reads the same reversed (and onnx 1.16's shape inference
    # gets a reversing Slice of an empty axis wrong).
    axes = [a for a in axes if not (type(v.shape[a]) is int and v.shape[a] <= 1)]
    if not axes:
        return _wrap(v)
    n = len(axes)
    return _wrap(_ops.slice_(v, [-1] * n, [-_BIG] * n, list(axes), [-1] * n, v.shape))


def roll(x: Array, /, shift, *, axis=None) -> Array:
    """Roll elements along ``axis`` (of the flattened array when None) by ``shift``; the shift is
    reduced modulo the size at run time when the size is unknown."""
    v = as_value(x, "roll")
    if axis is None:
        flat = _ops.reshape(v, [-1])
        rolled = roll(_wrap(flat), shift, axis=0)
        return _wrap(_reshape_like(rolled._v, v))
    axes = axis if isinstance(axis, tuple) else (axis,)
    shifts = shift if isinstance(shift, tuple) else (shift,) * len(axes)
    if len(shifts) != len(axes):
        raise ValueError("roll: shift and axis must have the same length")
    out = v
    for s, a in zip(shifts, axes):
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(f"roll: shift must be an int or a tuple of ints, got {shift!r}")
        a = normalize_axis(a, len(v.shape), "roll")
        out = _roll_axis(out, int(s), a)
    return _wrap(out)


def _roll_axis(v: Value, shift: int, axis: int) -> Value:
    n = v.shape[axis]
    if type(n) is int:
        if n == 0:
            return v
        k = shift % n
        if k == 0:
            return v
        head = _ops.slice_(v, [n - k], [n], [axis], [1], _with(v.shape, axis, k))
        tail = _ops.slice_(v, [0], [n - k], [axis], [1], _with(v.shape, axis, n - k))
        return _ops.concat([head, tail], axis)
    size = _ops.dim_of(v, axis)
    safe = _ops.binary("Max", size, _ops.i64([1]))
    k = _ops.binary("Mod", _ops.i64([shift]), safe)
    return roll_at(v, _ops.binary("Sub", size, k), axis)


def roll_at(v: Value, cut: Value, axis: int) -> Value:
    """``v`` with its elements from ``cut`` (a 1-element int64 Value, 0 <= cut <= size) on
    moved to the front of ``axis`` (non-negative)."""
    size = _ops.dim_of(v, axis)
    head = _ops.bind("Slice", [v, cut, size, _ops.i64([axis])], [v.dtype],
                     lambda: [_with(v.shape, axis, Dim())])[0]
    tail = _ops.bind("Slice", [v, _ops.i64([0]), cut, _ops.i64([axis])], [v.dtype],
                     lambda: [_with(v.shape, axis, Dim())])[0]
    # the two parts make up the whole axis again, so the result keeps the input's shape
    return _ops.bind("Concat", [head, tail], [v.dtype], lambda: [v.shape], (("axis", axis),))[0]


def _reshape_like(x: Value, like: Value) -> Value:
    """``x`` (of the same size) reshaped to the shape of ``like``."""
    if _ops.is_static(like.shape):
        return _ops.reshape(x, list(like.shape))
    # allowzero: a runtime size of 0 is a size, not "copy the input's dimension"
    return _ops.bind("Reshape", [x, _ops.shape_of(like)], [x.dtype], lambda: [like.shape],
                     (("allowzero", 1),))[0]


def _with(shape: tuple, axis: int, d) -> tuple:
    return shape[:axis] + (d,) + shape[axis + 1:]


def repeat(x: Array, repeats, /, *, axis: int | None = None) -> Array:
    """Repeat each element; with an array ``repeats`` the result size depends on its data (an
    unknown dimension while recording). Negative counts are only diagnosed on concrete data."""
    v = as_value(x, "repeat")
    if axis is None:
        v = _ops.reshape(v, [-1])
        axis = 0
    axis = normalize_axis(axis, len(v.shape), "repeat")
    if isinstance(repeats, Array):
        return _wrap(_repeat_array(v, _counts(repeats._v, v, axis), axis))
    if isinstance(repeats, bool) or not isinstance(repeats, (int, np.integer)) or repeats < 0:
        raise ValueError(f"repeat: repeats must be a non-negative int or an array, got "
                         f"{repeats!r}")
    return _wrap(_repeat_int(v, int(repeats), axis))


def _counts(r: Value, v: Value, axis: int) -> Value:
    """Repeat counts as int64 of shape (n,), from an array of shape (), (1,) or (n,), where n
    is the size of ``v`` along ``axis``."""
    n = v.shape[axis]
    if r.dtype.kind not in "iu":
        raise TypeError(f"repeat: repeats must have an integer dtype, got {r.dtype.name}")
    if len(r.shape) > 1 or (r.shape and type(r.shape[0]) is int and type(n) is int
                            and r.shape[0] not in (1, n)):
        raise ValueError(f"repeat: repeats of shape {_ops._fmt(r.shape)} does not match the "
                         f"{n if type(n) is int else 'unknown'} elements to repeat")
    if r.data is not None and (r.data < 0).any():
        raise ValueError("repeat: repeats must be non-negative")
    counts = _ops.cast(r, D.int64)
    # a (1,) or () array applies to every element; Expand also accepts (n,) at run time
    return _ops.expand_to(counts, _ops.dim_of(v, axis), (n,))


def _repeat_int(v: Value, r: int, axis: int) -> Value:
    """Each element r times: insert an axis after ``axis``, broadcast it to r, merge the two."""
    if r == 1:
        return v
    expanded = _ops.unsqueeze(v, [axis + 1])
    shape = _with(expanded.shape, axis + 1, r)
    # Expand broadcasts both ways: the 1s keep the input's sizes, known or not
    target = _with((1,) * len(shape), axis + 1, r)
    tiled = _ops.expand_to(expanded, _ops.i64(list(target)), shape)
    n = v.shape[axis]
    if _ops.is_static(v.shape):
        return _ops.reshape(tiled, list(_with(v.shape, axis, n * r)))
    merged = n * r if type(n) is int else Dim()
    size = _ops.i64([merged]) if type(n) is int else _ops.binary("Mul", _ops.dim_of(v, axis),
                                                                 _ops.i64([r]))
    target = _ops.concat([_ops.shape_of(v, 0, axis), size, _ops.shape_of(v, axis + 1)], 0)
    return _ops.bind("Reshape", [tiled, target], [v.dtype],
                     lambda: [_with(v.shape, axis, merged)], (("allowzero", 1),))[0]


def _repeat_array(v: Value, counts: Value, axis: int) -> Value:
    """Data-dependent repeat: a Gather whose indices come from a histogram of the cumulative
    counts (output position i takes element j when ends[j-1] <= i < ends[j]); linear in size."""
    ends = _ops.bind("CumSum", [counts, _ops.i64(0)], [D.int64], lambda: [counts.shape])[0]
    total = _ops.reduce("ReduceSum", counts, None, True)
    known = None if total.data is None else int(total.data[0])
    size = known if known is not None else Dim()
    zeros = _ops.expand_to(_ops.i64([0]), _ops.binary("Add", total, _ops.i64([1])),
                           ((known + 1) if known is not None else Dim(),))
    ones = _ops.expand_to(_ops.i64([1]), _ops.shape_of(counts), counts.shape)
    hist = _ops.bind("ScatterElements", [zeros, ends, ones], [D.int64], lambda: [zeros.shape],
                     (("axis", 0), ("reduction", "add")))[0]
    hist = _ops.bind("Slice", [hist, _ops.i64([0]), total], [D.int64], lambda: [(size,)])[0]
    idx = _ops.bind("CumSum", [hist, _ops.i64(0)], [D.int64], lambda: [(size,)])[0]
    return _ops.gather(v, idx, axis)


def tile(x: Array, repetitions, /) -> Array:
    """Tile ``x`` ``repetitions`` times along each axis (ones prepended to the shorter one)."""
    v = as_value(x, "tile")
    reps = tuple(repetitions)
    for r in reps:
        if isinstance(r, bool) or not isinstance(r, (int, np.integer)) or r < 0:
            raise ValueError(f"tile: repetitions must be non-negative ints, got {reps}")
    ndim = max(len(v.shape), len(reps))
    reps = (1,) * (ndim - len(reps)) + tuple(int(r) for r in reps)
    v = _ops.unsqueeze(v, range(ndim - len(v.shape)))
    shape = tuple(d * r if type(d) is int else (d if r == 1 else Dim())
                  for d, r in zip(v.shape, reps))
    if all(r == 1 for r in reps):
        return _wrap(v)
    return _wrap(_ops.bind("Tile", [v, _ops.i64(list(reps))], [v.dtype], lambda: [shape])[0])


def unstack(x: Array, /, *, axis: int = 0) -> tuple[Array, ...]:
    """Split ``x`` along ``axis`` into a tuple; the size of that axis must be known."""
    v = as_value(x, "unstack")
    if not v.shape:
        raise ValueError("unstack: needs an array with at least one dimension")
    axis = normalize_axis(axis, len(v.shape), "unstack")
    n = v.shape[axis]
    if type(n) is not int:
        raise ValueError(f"unstack: the size of axis {axis} is unknown while recording, so the "
                         "number of results is too; index the array instead")
    return tuple(_wrap(_ops.gather(v, _ops.i64(i), axis)) for i in range(n))
