"""Indexing functions of the standard: take and take_along_axis."""

from __future__ import annotations

from . import _dtypes as D
from . import _ops
from ._array_object import Array, as_value
from ._manipulation_functions import normalize_axis

__all__ = ["take", "take_along_axis"]


def _indices(indices, func: str):
    i = as_value(indices, func)
    if i.dtype.kind not in "iu":
        raise TypeError(f"{func}: indices must have an integer dtype, got {i.dtype.name}")
    return _ops.cast(i, D.int64)


def take(x: Array, indices: Array, /, *, axis: int | None = None) -> Array:
    """Elements of ``x`` at the 1-D ``indices`` along ``axis`` (ONNX ``Gather``).

    Concrete indices are bounds-checked (IndexError); recorded out-of-range indices fail when the
    model runs.
    """
    v = as_value(x, "take")
    idx = _indices(indices, "take")
    if axis is None:
        if len(v.shape) != 1:
            raise ValueError("take: axis is required for arrays with more than one dimension")
        axis = 0
    axis = normalize_axis(axis, max(len(v.shape), 1), "take")
    if len(idx.shape) != 1:
        raise ValueError("take: indices must be 1-D")
    d = v.shape[axis]
    if idx.data is not None and type(d) is int and idx.data.size:
        if idx.data.max() >= d or idx.data.min() < -d:
            raise IndexError(f"take: index out of bounds for axis {axis} with size {d}")
    return Array._new(_ops.gather(v, idx, axis))


def take_along_axis(x: Array, indices: Array, /, *, axis: int = -1) -> Array:
    """Elements of ``x`` at ``indices`` along ``axis``, position by position (``GatherElements``).

    The other axes broadcast between ``x`` and ``indices``. Concrete indices are bounds-checked
    (IndexError); recorded out-of-range indices fail when the model runs.
    """
    v = as_value(x, "take_along_axis")
    idx = _indices(indices, "take_along_axis")
    if len(idx.shape) != len(v.shape):
        raise ValueError("take_along_axis: x and indices must have the same number of "
                         "dimensions")
    axis = normalize_axis(axis, len(v.shape), "take_along_axis")
    d = v.shape[axis]
    if idx.data is not None and type(d) is int and idx.data.size:
        if idx.data.max() >= d or idx.data.min() < -d:
            raise IndexError(f"take_along_axis: index out of bounds for axis {axis} with size "
                             f"{d}")
    # Broadcast every axis but ``axis`` (GatherElements needs equal shapes there).
    other = [i for i in range(len(v.shape)) if i != axis]
    b = _ops.broadcast_shapes(tuple(v.shape[i] for i in other),
                              tuple(idx.shape[i] for i in other), func="take_along_axis")
    vshape, ishape = list(b), list(b)
    vshape.insert(axis, v.shape[axis])
    ishape.insert(axis, idx.shape[axis])
    v, idx = (_expand_except(v, tuple(vshape), idx, axis),
              _expand_except(idx, tuple(ishape), v, axis))
    out = _ops.bind("GatherElements", [v, idx], [v.dtype], lambda: [tuple(ishape)],
                    (("axis", axis),))[0]
    return Array._new(out)


def _expand_except(v, shape: tuple, other, axis: int):
    """``v`` broadcast against ``other`` on every axis but ``axis`` (static ``shape``): Expand
    broadcasts both ways, so the target holds ``other``'s sizes with a 1 at ``axis``, which
    also settles sizes known only when the model runs."""
    if tuple(v.shape) == shape:
        return v
    parts = [1 if i == axis else d if type(d) is int else _ops.dim_of(other, i)
             for i, d in enumerate(other.shape)]
    return _ops.expand_to(v, _ops.shape_value(parts), shape)
