"""``__getitem__`` and ``__setitem__``: key validation and lowering.

A key is parsed once into a per-axis plan. Basic indexing (ints, slices, ellipsis, None) becomes
one Slice, one Squeeze and one Unsqueeze; integer arrays become a GatherND; a boolean mask becomes
NonZero + GatherND. Assignment is functional: the selected positions are computed as an index grid
(the same Slice semantics applied to Range) and written with ScatterND, or with Where for masks.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops
from ._array_object import Array, scalar_value
from ._complex_parts import join, parts
from ._graph import Dim, Value
from ._plans import planned

__all__ = ["getitem", "setitem"]

_MAX = np.iinfo(np.int64).max
_MIN = np.iinfo(np.int64).min


class _Plan:
    """The parsed key: what happens to each axis of x, and where new axes go."""

    __slots__ = ("axes", "new_axes", "arrays", "mask")

    def __init__(self):
        self.axes: list = []  # per input axis: ("slice", slice) | ("int", int) | ("array", Value)
        self.new_axes: list[int] = []  # positions of None in the basic-indexing result
        self.arrays = False
        self.mask: Value | None = None


def _is_int(k) -> bool:
    return isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_))


def _parse(x: Value, key, func: str) -> _Plan:
    if not isinstance(key, tuple):
        key = (key,)
    plan = _Plan()
    ndim = len(x.shape)
    masks = [k for k in key if isinstance(k, Array) and k.dtype is D.bool]
    if masks:
        if len(key) != 1:
            raise IndexError(f"{func}: a boolean array index must be the only index")
        m = masks[0]._v
        if len(m.shape) > ndim:
            raise IndexError(f"{func}: boolean index has {len(m.shape)} dimensions, the array "
                             f"{ndim}")
        for i, (a, b) in enumerate(zip(m.shape, x.shape)):
            # a zero-size mask axis selects nothing from any axis
            if type(a) is int and type(b) is int and a != b and a != 0:
                raise IndexError(f"{func}: boolean index shape {m.shape} does not match the "
                                 f"array shape {x.shape} at axis {i}")
        plan.mask = m
        return plan
    n_index = sum(1 for k in key if k is not None and k is not Ellipsis)
    if sum(1 for k in key if k is Ellipsis) > 1:
        raise IndexError(f"{func}: at most one ellipsis is allowed")
    if n_index > ndim:
        raise IndexError(f"{func}: too many indices ({n_index}) for an array with {ndim} "
                         "dimensions")
    out_pos = 0
    for k in key:
        if k is Ellipsis:
            for _ in range(ndim - n_index):
                plan.axes.append(("slice", slice(None)))
                out_pos += 1
        elif k is None:
            plan.new_axes.append(out_pos)
            out_pos += 1
        elif isinstance(k, slice):
            for part in (k.start, k.stop, k.step):
                if part is not None and not _is_int(part) and not _int_array_scalar(part):
                    raise IndexError(f"{func}: slice bounds must be ints or None, got {k}")
            k = slice(*(p if p is None or _is_int(p) else int(p) for p in (k.start, k.stop,
                                                                              k.step)))
            if k.step == 0:
                raise ValueError(f"{func}: slice step cannot be zero")
            plan.axes.append(("slice", k))
            out_pos += 1
        elif _is_int(k):
            axis = len(plan.axes)
            d = x.shape[axis]
            if type(d) is int and not -d <= k < d:
                raise IndexError(f"{func}: index {k} is out of bounds for axis {axis} with "
                                 f"size {d}")
            plan.axes.append(("int", int(k)))
        elif isinstance(k, Array):
            if k.dtype.kind not in "iu":
                raise IndexError(f"{func}: array indices must be integer or boolean, got "
                                 f"{k.dtype.name}")
            plan.axes.append(("array", _ops.cast(k._v, D.int64)))
            plan.arrays = True
            out_pos += 1
        else:
            raise IndexError(f"{func}: invalid index {k!r} of type {type(k).__name__}")
    while len(plan.axes) < ndim:
        plan.axes.append(("slice", slice(None)))
    return plan


def _int_array_scalar(k) -> bool:
    return isinstance(k, Array) and k.dtype.kind in "iu" and k.ndim == 0


def _slice_len(s: slice, d):
    if type(d) is int:
        return len(range(*s.indices(d)))
    if s == slice(None) or s == slice(None, None, 1):
        return d
    return Dim()


def _bounds(s: slice) -> tuple[bool, int, int, int]:
    """ONNX Slice bounds for ``s`` on an axis of unknown size, and whether the axis is to be
    reversed first.

    ONNX and Python agree on clamping out-of-range bounds but one: with a negative step, a start
    below -size is clamped to 0 by ONNX (the first element is taken) while Python's slice is
    empty (``range(3)[-5::-1] == []``). With a start < -1 and a negative (or no) stop, the bounds
    are counted on the reversed axis instead, where they are non-negative and both agree.
    """
    step = 1 if s.step is None else s.step
    if step > 0:
        return False, 0 if s.start is None else s.start, _MAX if s.stop is None else s.stop, step
    if s.start is not None and s.start < -1 and (s.stop is None or s.stop < 0):
        return True, -1 - s.start, _MAX if s.stop is None else -1 - s.stop, -step
    start = _MAX if s.start is None else s.start
    stop = _MIN if s.stop is None else s.stop
    return False, start, stop, step


def _known_bounds(s: slice, d: int) -> tuple[int, int, int]:
    """ONNX Slice bounds for ``s`` on an axis of size ``d`` (Python's ``slice.indices`` gives
    -1 for "before the first element", which ONNX reads as the last one)."""
    start, stop, step = s.indices(d)
    if len(range(start, stop, step)) == 0:
        return 0, 0, 1
    return start, _MIN if stop < 0 else stop, step


def _basic(x: Value, plan: _Plan) -> Value:
    """Apply slices and ints (one Slice + one Squeeze)."""
    starts, ends, axes, steps = [], [], [], []
    shape = list(x.shape)
    int_axes, reversed_axes = [], []
    for i, (kind, k) in enumerate(plan.axes):
        if kind == "slice":
            if k in (slice(None), slice(None, None, 1)):
                continue
            d = x.shape[i]
            if type(d) is int:
                start, stop, step = _known_bounds(k, d)
            else:
                flip, start, stop, step = _bounds(k)
                if flip:
                    reversed_axes.append(i)
            shape[i] = _slice_len(k, d)
        elif kind == "int":
            start, stop, step = k, (k + 1 if k != -1 else _MAX), 1
            shape[i] = 1
            int_axes.append(i)
        else:
            continue
        starts.append(start)
        ends.append(stop)
        axes.append(i)
        steps.append(step)
    if len(axes) == 1 and steps == [1] and not reversed_axes and type(x.shape[axes[0]]) is int \
            and x.node is not None and x.node.op == "Concat" and 0 <= starts[0] < ends[0]:
        out = _slice_along(x, starts[0], min(ends[0], x.shape[axes[0]]), axes[0])
        return _ops.squeeze(out, int_axes) if int_axes else out
    out = x
    if reversed_axes:
        n = len(reversed_axes)
        out = _ops.slice_(x, [-1] * n, [_MIN] * n, reversed_axes, [-1] * n, x.shape)
    if axes:
        out = _ops.slice_(out, starts, ends, axes, steps, tuple(shape))
    if int_axes:
        out = _ops.squeeze(out, int_axes)
    return out


def _normalize_index(idx: Value, size: Value) -> Value:
    neg = _ops.binary("Less", idx, _ops.i64(0), D.bool)
    return _ops.where(neg, _ops.binary("Add", idx, size), idx)


def _advanced(x: Value, plan: _Plan, func: str = "__getitem__") -> Value:
    """Integer-array indexing after basic indexing: one GatherND over the indexed axes."""
    kept = [(kind, k) for kind, k in plan.axes if kind != "int"]
    arr_axes = [i for i, (kind, _) in enumerate(kept) if kind == "array"]
    arrays = [k for kind, k in kept if kind == "array"]
    bshape = _ops.broadcast_shapes(*[a.shape for a in arrays], func=func)
    for ax, a in zip(arr_axes, arrays):
        d = x.shape[ax]
        if a.data is not None and type(d) is int and a.data.size:
            if a.data.max() >= d or a.data.min() < -d:
                raise IndexError(f"{func}: index out of bounds for axis {ax} with size {d}")
    others = [i for i in range(len(x.shape)) if i not in arr_axes]
    moved = _ops.transpose(x, arr_axes + others)
    static = all(type(moved.shape[p]) is int for p in range(len(arrays)))
    if static and all(a.data is not None for a in arrays):
        # Constant indices: normalizing and stacking them is constant folding, done directly.
        datas = [np.where(a.data < 0, a.data + moved.shape[p], a.data)
                 for p, a in enumerate(arrays)]
        idx = _ops.i64(np.stack(np.broadcast_arrays(*datas), axis=-1))
    else:
        idx = _index_grid(moved, arrays, bshape)
    rest = tuple(moved.shape[len(arrays):])
    out = _ops.bind("GatherND", [moved, idx], [x.dtype], lambda: [bshape + rest])[0]
    adjacent = arr_axes == list(range(arr_axes[0], arr_axes[0] + len(arr_axes)))
    if adjacent and arr_axes[0] > 0:
        nb, first = len(bshape), arr_axes[0]
        perm = list(range(nb, nb + first)) + list(range(nb)) + list(range(nb + first,
                                                                           len(out.shape)))
        out = _ops.transpose(out, perm)
    return out


def _index_grid(moved: Value, arrays: list[Value], bshape: tuple) -> Value:
    bval = _broadcast_value_shape(arrays, bshape)
    cols = []
    for pos, a in enumerate(arrays):
        d = moved.shape[pos]
        size = _ops.i64(d) if type(d) is int else _ops.reshape(_ops.dim_of(moved, pos), [])
        a = _normalize_index(a, size)
        cols.append(_ops.unsqueeze(_ops.expand_to(a, bval, bshape), [len(bshape)]))
    return _ops.concat(cols, len(bshape))


def _broadcast_value_shape(arrays: list[Value], bshape: tuple) -> Value:
    if _ops.is_static(bshape):
        return _ops.i64(list(bshape))
    out = None
    for a in arrays:
        s = _ops.shape_of(a)
        pad = len(bshape) - len(a.shape)
        if pad:
            s = _ops.concat([_ops.i64([1] * pad), s], 0)
        # a size broadcast against 1 is that size, 0 included (Max made 1 and 0 a 1)
        out = s if out is None else _ops.where(
            _ops.binary("Equal", out, _ops.i64([1]), D.bool), s, out)
    return out


def _masked(x: Value, mask: Value) -> Value:
    k = len(mask.shape)
    if k == 0:
        # x[True] adds a leading axis of 1; x[False] of 0.
        expanded = _ops.unsqueeze(x, [0])
        flag = _ops.reshape(mask, [1])
        return _ops.bind("Compress", [expanded, flag], [x.dtype],
                         lambda: [(Dim(),) + tuple(x.shape)], (("axis", 0),))[0]
    idx, n = _mask_indices(x, mask, "__getitem__")
    return _ops.bind("GatherND", [x, idx], [x.dtype],
                     lambda: [(n,) + tuple(x.shape[k:])])[0]


def _mask_indices(x: Value, mask: Value, func: str) -> tuple[Value, Dim | int]:
    """The (count, k) indices of the true elements of the k-d ``mask``, and their count. When a
    mask axis and the array axis it indexes are not the same size while recording (one known
    only at run time), the indices depend on a check that fails the model, in a node named for
    the mismatch, unless the mask's size is the array's or 0 there (the standard's rule, which
    ``_parse`` applies to the sizes it knows): a smaller mask would select from the wrong
    elements, and a larger one fail inside onnxruntime."""
    k = len(mask.shape)
    nz = _ops.bind("NonZero", [mask], [D.int64], lambda: [(k, Dim())])[0]
    idx = _ops.transpose(nz, [1, 0])
    n = Dim() if nz.data is None else nz.data.shape[1]
    axes = [i for i, (a, b) in enumerate(zip(mask.shape, x.shape)) if a != b]
    if axes:
        sizes = [_ops.dim_of(v, i) if type(v.shape[i]) is not int else _ops.i64([v.shape[i]])
                 for v in (mask, x) for i in axes]
        have, want = _ops.concat(sizes[:len(axes)], 0), _ops.concat(sizes[len(axes):], 0)
        ok = _ops.binary("Or", _ops.binary("Equal", have, want, D.bool),
                         _ops.binary("Equal", have, _ops.i64([0]), D.bool), D.bool)
        check = _ops.check_nonzero(_ops.cast(ok, D.int64),
                                   f"{func}: boolean index shape does not match the array shape")
        idx = _ops.binary("Add", idx, check)
    return idx, n


def _has_array(key) -> bool:
    if isinstance(key, tuple):
        return any(isinstance(k, Array) for k in key)
    return isinstance(key, Array)


def _from_numpy(key):
    """NumPy arrays in a key become onnxarray arrays: NumPy, PyTorch, CuPy and JAX all accept
    a NumPy integer or boolean array as an index (scikit-learn's search estimators index
    with them). NumPy integer and bool scalars are ints and bools already."""
    if isinstance(key, tuple):
        return tuple(_from_numpy(k) for k in key)
    if isinstance(key, np.ndarray):
        if key.dtype.kind not in "iub":
            raise IndexError(f"array indices must be integer or boolean, got NumPy {key.dtype}")
        return Array._new(Value(D.BY_NUMPY[key.dtype], key.shape,
                                data=key.copy(order="C")))
    return key


def _is_mask(key) -> bool:
    """``key`` is a single boolean array (alone or in a tuple): nothing to check on its data."""
    if isinstance(key, tuple):
        if len(key) != 1:
            return False
        key = key[0]
    return isinstance(key, Array) and key._v.dtype is D.bool


def getitem(x: Array, key) -> Array:
    """``x[key]``; repeated concrete calls with a key of ints, slices, None and ellipsis, or
    one boolean mask, run as compiled plans (integer-array keys run op by op: their bounds are
    checked on the data)."""
    plain = type(key) in _PLAIN_KEYS
    if not plain:
        key = _from_numpy(key)
    if x._v.dtype.kind == "c":
        return _complex_pair(_getitem, x, key)
    if not plain and _has_array(key) and not _is_mask(key):
        return _getitem(x, key)
    return _planned_getitem(x, key)


# Keys that hold no array: nothing to convert from NumPy or to check on the data.
_PLAIN_KEYS = frozenset({int, slice, type(None), type(Ellipsis)})


def setitem(x: Array, key, value) -> Array:
    """The array ``x`` with ``x[key] = value`` applied (functional; planned like getitem)."""
    plain = type(key) in _PLAIN_KEYS
    if not plain:
        key = _from_numpy(key)
    if x._v.dtype.kind == "c":
        return _complex_pair(_setitem, x, key, value)
    if isinstance(value, Array) and value._v.dtype.kind == "c":
        raise TypeError(f"__setitem__: cannot assign a {value.dtype.name} value into an array "
                        f"of dtype {x.dtype.name}")
    if not plain and _has_array(key) and not (_is_mask(key) and _is_scalar(value)):
        # integer arrays are checked on their data; so is the count of a mask's selection
        # against an assigned array
        return _setitem(x, key, value)
    return _planned_setitem(x, key, value)


def _is_scalar(value) -> bool:
    """A Python scalar or a 0-d array: it fits any selection."""
    if isinstance(value, Array):
        return value._v.shape == ()
    return isinstance(value, (bool, int, float, complex))


def _complex_pair(fn, x: Array, key, *value) -> Array:
    """``fn`` on the real and the imaginary parts of a complex ``x`` (and value)."""
    re, im = parts(x._v)
    vals = [(v, v) for v in value]
    if value:
        v = value[0]
        if isinstance(v, Array):
            vre, vim = parts(v._v)
            vals = [(Array._new(vre), Array._new(vim))]
        else:
            c = complex(scalar_value(v, x._v.dtype, "__setitem__").data)
            vals = [(c.real, c.imag)]
    out_re = fn(Array._new(re), key, *[p[0] for p in vals])
    out_im = fn(Array._new(im), key, *[p[1] for p in vals])
    return Array._new(join(out_re._v, out_im._v))


def _getitem(x: Array, key, func: str = "__getitem__") -> Array:
    v = x._v
    plan = _parse(v, key, func)
    if plan.mask is not None:
        return Array._new(_masked(v, plan.mask))
    out = _basic(v, plan)
    if plan.arrays:
        out = _advanced(out, plan, func)
    if plan.new_axes:
        out = _ops.unsqueeze(out, plan.new_axes)
    return Array._new(out)


# -- assignment ---------------------------------------------------------------------------------


def _value_for(x: Value, value, func: str) -> Value:
    """The assigned value in ``x``'s dtype. Beyond the standard's promotion rules, real
    floating values go into integer arrays truncated toward zero, as NumPy, PyTorch and JAX
    assign them (see docs/dtypes-and-opsets.md); in-place arithmetic still keeps the rules."""
    if isinstance(value, Array):
        val = value._v
        if val.dtype is not x.dtype:
            if D.PROMOTION.get((x.dtype, val.dtype)) is not x.dtype and not (
                    x.dtype.kind in "iu" and val.dtype.kind == "f"):
                raise TypeError(f"{func}: cannot assign {val.dtype.name} values to a "
                                f"{x.dtype.name} array")
            val = _ops.cast(val, x.dtype)
        return val
    if isinstance(value, float) and x.dtype.kind in "iu":
        return _ops.cast(scalar_value(value, D.float64, func), x.dtype)
    if isinstance(value, (bool, int, float, complex, str)):
        return scalar_value(value, x.dtype, func)
    raise TypeError(f"{func}: value must be an array or a Python scalar, got "
                    f"{type(value).__name__}")


def _axis_positions(x: Value, axis: int, kind: str, k) -> Value:
    """The indices of ``x`` selected along ``axis`` (Slice applied to Range gives Python's
    slice semantics for any size, known or not)."""
    n = x.shape[axis]
    if type(n) is int:
        if kind == "int":
            return _ops.i64([k % n])
        return _ops.i64(list(range(*k.indices(n))))
    size = _ops.reshape(_ops.dim_of(x, axis), [])
    rng = _ops.bind("Range", [_ops.i64(0), size, _ops.i64(1)], [D.int64], lambda: [(n,)])[0]
    if kind == "int":
        flip, start, stop, step = False, k, (k + 1 if k != -1 else _MAX), 1
    else:
        flip, start, stop, step = _bounds(k)
    if flip:
        rng = _ops.slice_(rng, [-1], [_MIN], [0], [-1], (n,))
    return _ops.slice_(rng, [start], [stop], [0], [step], (Dim(),))


def _setitem(x: Array, key, value) -> Array:
    v = x._v
    plan = _parse(v, key, "__setitem__")
    val = _value_for(v, value, "__setitem__")
    if plan.mask is not None:
        return Array._new(_set_masked(v, plan.mask, val))
    if plan.arrays:
        return Array._new(_set_indexed(v, key, val))
    target = _getitem(x, key)._v  # shape of the selection, for broadcasting the value
    _check_fits(val, target.shape)
    ndim = len(v.shape)
    if ndim == 0:
        return Array._new(_ops.expand_to(val, _ops.i64([]), ()))
    spliced = _splice(v, plan, val, target)
    if spliced is not None:
        return Array._new(spliced)
    # Trailing axes taken whole need no indices: ScatterND then writes whole rows (x[0:2] = v
    # of a 32x32 x scatters 2 rows by 2 indices, not 64 elements by 64 index pairs).
    depth = _scatter_depth(v.shape, plan.axes)
    rows = tuple(v.shape[depth:])
    cols = [_axis_positions(v, i, kind, k) for i, (kind, k) in enumerate(plan.axes[:depth])]
    ndim = depth
    sel_shape = tuple(c.shape[0] for c in cols)
    grid = []
    for i, c in enumerate(cols):
        shape = [1] * ndim
        shape[i] = -1
        grid.append(_ops.reshape(c, shape))
    sel_val = _ops.shape_value([c.shape[0] if type(c.shape[0]) is int else _ops.shape_of(c)
                                for c in cols])
    idx = _ops.concat([_ops.unsqueeze(_ops.expand_to(g, sel_val, sel_shape), [ndim])
                       for g in grid], ndim)
    updates = _ops.expand_to(val, _ops.shape_of(target), target.shape) \
        if tuple(val.shape) != tuple(target.shape) else val
    updates = _ops.reshape(updates, [d if type(d) is int else _ops.shape_of(c)
                                     for d, c in zip(sel_shape, cols)] + list(rows),
                           sel_shape + rows)
    out = _ops.bind("ScatterND", [v, idx, updates], [v.dtype], lambda: [v.shape])[0]
    return Array._new(out)


def _whole(kind: str, k, d) -> bool:
    return kind == "slice" and (k in (slice(None), slice(None, None, 1))
                                or (type(d) is int and k.indices(d) == (0, d, 1)))


def _splice(x: Value, plan: _Plan, val: Value, target: Value) -> Value | None:
    """``x[key] = val`` as a Concat of ``x``'s parts before and after the selection and the
    value, where the key takes one axis of known size by a step-1 slice or an int and every
    axis before it whole, and one of those has a size known only when the model runs.

    A ScatterND would need its indices built from that size (about ten nodes a call, and a
    copy of ``x`` each); this is at most four nodes, and the parts of a Concat are read
    through by later slices (``_slice_along``), so columns assembled one assignment after
    another (scikit-learn's ``PolynomialFeatures``) become one Concat of the values. Both
    move the same bits."""
    if plan.new_axes:
        return None
    rest = [i for i, (kind, k) in enumerate(plan.axes) if not _whole(kind, k, x.shape[i])]
    if len(rest) != 1:
        return None
    j = rest[0]
    kind, k = plan.axes[j]
    n = x.shape[j]
    if type(n) is not int or _ops.is_static(x.shape[:j]):
        return None
    if kind == "int":
        start = k % n
        stop = start + 1
    else:
        start, stop, step = k.indices(n)
        if step != 1:
            return None
        stop = max(stop, start)
    if stop == start:
        return x  # nothing is selected (the value fits: checked)
    if tuple(val.shape) != tuple(target.shape):
        val = _ops.expand_to(val, _ops.shape_of(target), target.shape)
    if kind == "int":
        val = _ops.unsqueeze(val, [j])
    parts = ([_slice_along(x, 0, start, j)] if start else []) + [val] \
        + ([_slice_along(x, stop, n, j)] if stop < n else [])
    return _concat_along(parts, j, x.shape)


def _slice_along(x: Value, start: int, stop: int, axis: int) -> Value:
    """``x``'s elements ``start:stop`` (0 <= start < stop <= size, a known size) along
    ``axis``: the parts themselves where ``x`` is a Concat along that axis."""
    shape = x.shape[:axis] + (stop - start,) + x.shape[axis + 1:]
    node = x.node
    if node is not None and node.op == "Concat" \
            and dict(node.attrs)["axis"] % len(x.shape) == axis:
        sizes = [p.shape[axis] for p in node.inputs]
        if all(type(s) is int for s in sizes):
            parts, offset = [], 0
            for p, size in zip(node.inputs, sizes):
                lo, hi = max(start - offset, 0), min(stop - offset, size)
                if lo < hi:
                    parts.append(p if (lo, hi) == (0, size) else _slice_along(p, lo, hi, axis))
                offset += size
            return parts[0] if len(parts) == 1 else _concat_along(parts, axis, shape)
    if node is not None and node.op == "Slice" and len(node.inputs) == 5:  # one Slice
        bounds = [b.data for b in node.inputs[1:]]
        if all(b is not None and b.shape == (1,) for b in bounds) \
                and bounds[2][0] % len(x.shape) == axis and bounds[3][0] == 1 \
                and 0 <= bounds[0][0] and type(node.inputs[0].shape[axis]) is int:
            first = int(bounds[0][0])
            return _ops.slice_(node.inputs[0], [first + start], [first + stop], [axis], [1],
                               shape)
    return _ops.slice_(x, [start], [stop], [axis], [1], shape)


def _concat_along(parts: list, axis: int, shape: tuple) -> Value:
    """Concat of ``parts`` along ``axis``, a part that is itself such a Concat spliced in."""
    flat = []
    for p in parts:
        node = p.node
        if node is not None and node.op == "Concat" \
                and dict(node.attrs)["axis"] % len(p.shape) == axis:
            flat.extend(node.inputs)
        else:
            flat.append(p)
    return _ops.bind("Concat", flat, [flat[0].dtype], lambda: [shape], (("axis", axis),))[0]


def _check_fits(val: Value, sel_shape: tuple) -> None:
    """The value must broadcast to the selection, not the selection to the value."""
    joint = _ops.broadcast_shapes(sel_shape, val.shape, func="__setitem__")
    grows = any(type(j) is int and type(t) is int and j != t
                for j, t in zip(joint[len(joint) - len(sel_shape):], sel_shape))
    if len(val.shape) > len(sel_shape) or grows:
        raise ValueError(f"__setitem__: value of shape {val.shape} does not fit the selection "
                         f"{sel_shape}")


def _set_indexed(x: Value, key, val: Value) -> Value:
    """``x[key] = val`` for a key with integer arrays. The flat positions the key selects are
    the key applied to the positions of ``x`` (``__getitem__`` checks the indices). Where a
    position repeats, every copy writes the value of its last occurrence, NumPy's result (the
    standard leaves the order open): which copy a scatter writes last then does not matter."""
    n = _ops.size_of(x.shape)
    numel = _ops.i64(n) if n is not None else _ops.reduce("ReduceProd", _ops.shape_of(x),
                                                          None, False)
    flat_shape = (n if n is not None else Dim(),)
    iota = _ops.bind("Range", [_ops.i64(0), numel, _ops.i64(1)], [D.int64],
                     lambda: [flat_shape])[0]
    dims = [d if type(d) is int else _ops.dim_of(x, i) for i, d in enumerate(x.shape)]
    iota = _ops.reshape(iota, dims, x.shape)
    pos = _getitem(Array._new(iota), key, "__setitem__")._v
    _check_fits(val, pos.shape)
    if tuple(val.shape) != tuple(pos.shape):
        val = _ops.expand_to(val, _ops.shape_of(pos), pos.shape)
    pos = _ops.reshape(pos, [-1])
    sel = pos.shape
    val = _ops.reshape(val, [-1])
    count = _ops.shape_of(pos)
    order = _ops.bind("Range", [_ops.i64(0), _ops.reshape(count, []), _ops.i64(1)], [D.int64],
                      lambda: [sel])[0]
    # last[p]: the last occurrence writing position p (-1 where none does)
    unset = _ops.expand_to(_ops.i64(-1), _ops.reshape(numel, [1]), flat_shape)
    last = _ops.bind("ScatterElements", [unset, pos, order], [D.int64], lambda: [flat_shape],
                     (("axis", 0), ("reduction", "max")))[0]
    val = _ops.gather(val, _ops.gather(last, pos, 0), 0)
    flat = _ops.reshape(x, [-1], flat_shape)
    out = _ops.bind("ScatterElements", [flat, pos, val], [x.dtype], lambda: [flat_shape],
                    (("axis", 0),))[0]
    return _ops.reshape(out, dims, x.shape)


def _scatter_depth(shape: tuple, axes: list) -> int:
    """How many leading axes the ScatterND indices of a basic assignment must name: all but
    the trailing axes that the key takes whole (sizes known), and at least one."""
    depth = len(axes)
    while depth > 1:
        kind, k = axes[depth - 1]
        n = shape[depth - 1]
        if type(n) is not int or not _whole(kind, k, n):
            break
        depth -= 1
    return depth


def _set_masked(x: Value, mask: Value, val: Value) -> Value:
    k = len(mask.shape)
    if k == 0 and len(val.shape) > len(x.shape):
        # x[True] selects x with a leading axis of 1 (x[False], of 0): a value broadcast to
        # that selection loses the leading axis, so the result keeps x's shape.
        if len(val.shape) <= len(x.shape) + 1 and val.shape[0] == 0 and (
                mask.data is None or not mask.data):
            return x  # x[False] = <empty>: nothing is selected (a valid call needs False)
        if len(val.shape) <= len(x.shape) + 1 and type(val.shape[0]) is not int:
            raise ValueError(f"__setitem__: value of shape {val.shape} for a 0-d boolean "
                             f"selection: its leading size is not known while recording (it "
                             f"must be 1, or 0 for a False mask); reshape the value to "
                             f"{tuple(val.shape[1:])} first")
        if len(val.shape) > len(x.shape) + 1 or val.shape[0] != 1:
            raise ValueError(f"__setitem__: value of shape {val.shape} does not fit a 0-d "
                             f"boolean selection of an array of shape {x.shape}")
        val = _ops.squeeze(val, [0])
    if any(d == 0 for d in mask.shape if type(d) is int):
        # a zero-size mask selects nothing, whatever the array's sizes (as in __getitem__)
        sel_shape = (0,) + tuple(x.shape[k:])
        _ops.broadcast_shapes(sel_shape, val.shape, func="__setitem__")
        if len(val.shape) > len(sel_shape):
            raise ValueError(f"__setitem__: value of shape {val.shape} does not fit the "
                             f"selection {sel_shape}")
        return x
    if k == 0 or (len(val.shape) == 0 and all(a == b for a, b in zip(mask.shape, x.shape))):
        # (a mask whose sizes may differ from the array's at run time, 0 there, takes the
        # indices below: no Where broadcasts a 0 against a size of 4)
        m = _ops.unsqueeze(mask, list(range(k, len(x.shape)))) if k else mask
        return _ops.where_signed(m, val, x)  # a -0.0 assigned or kept stays -0.0
    idx, n = _mask_indices(x, mask, "__setitem__")
    sel_shape = (n,) + tuple(x.shape[k:])
    # the value must broadcast to the selection, also when the mask selects nothing, and
    # not the selection to the value (x[mask] = 3 values where the mask selects 1)
    joint = _ops.broadcast_shapes(sel_shape, val.shape, func="__setitem__")
    if len(val.shape) > len(sel_shape) or any(
            type(j) is int and type(t) is int and j != t for j, t in zip(joint, sel_shape)):
        raise ValueError(f"__setitem__: value of shape {val.shape} does not fit the selection "
                         f"{sel_shape}")
    parts = [_ops.shape_of(idx, 0, 1)] + [d if type(d) is int else _ops.dim_of(x, i)
                                           for i, d in enumerate(x.shape) if i >= k]
    updates = _ops.expand_to(val, _ops.shape_value(parts), sel_shape)
    return _ops.bind("ScatterND", [x, idx, updates], [x.dtype], lambda: [x.shape])[0]


_planned_getitem = planned(_getitem)
_planned_setitem = planned(_setitem)
