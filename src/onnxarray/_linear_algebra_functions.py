"""Linear algebra functions of the main namespace: matmul, matrix_transpose, tensordot, vecdot."""

from __future__ import annotations

from . import _dtypes as D
from . import _ops
from ._array_object import Array, as_value
from ._graph import Value
from ._manipulation_functions import normalize_axis

__all__ = ["matmul", "matrix_transpose", "tensordot", "vecdot"]


def _numeric_pair(x1, x2, func: str) -> tuple[Value, Value]:
    v1, v2 = as_value(x1, func), as_value(x2, func)
    dtype = D.promote(v1.dtype, v2.dtype, func)
    if dtype not in D.NUMERIC:
        raise TypeError(f"{func}: needs numeric dtypes, got {v1.dtype.name} and {v2.dtype.name}")
    return _ops.cast(v1, dtype), _ops.cast(v2, dtype)


def _check_inner(a, b, func: str) -> None:
    if type(a) is int and type(b) is int and a != b:
        raise ValueError(f"{func}: contracted dimensions differ ({a} and {b})")


def matmul(x1: Array, x2: Array, /) -> Array:
    v1, v2 = _numeric_pair(x1, x2, "matmul")
    if not v1.shape or not v2.shape:
        raise ValueError("matmul: operands must have at least one dimension")
    _check_inner(v1.shape[-1], v2.shape[-2] if len(v2.shape) > 1 else v2.shape[0], "matmul")
    if len(v2.shape) == 1 and len(v1.shape) > 1:
        # onnxruntime's MatMul of a matrix with a 1-D right operand is 40-60x slower than
        # with (k, 1). A vector with a vector is not (100 float64: the bare MatMul is 1.5x
        # faster than the Unsqueeze/MatMul/Squeeze detour, as fast at 10,000).
        col = _ops.unsqueeze(v2, [1])
        out = _mm(v1, col)
        return Array._new(_ops.squeeze(out, [len(out.shape) - 1]))
    return Array._new(_mm(v1, v2))


def _mm(a: Value, b: Value) -> Value:
    def shape():
        if len(b.shape) == 1:  # a vector times a vector (matmul makes other ones a column)
            return [tuple(a.shape[:-1])]
        if len(a.shape) == 1:
            return [b.shape[:-2] + (b.shape[-1],)]
        batch = _ops.broadcast_shapes(a.shape[:-2], b.shape[:-2], func="matmul")
        return [batch + (a.shape[-2], b.shape[-1])]

    if len(a.shape) >= 2 and len(b.shape) >= 2:
        _ops.broadcast_shapes(a.shape[:-2], b.shape[:-2], func="matmul")
    if a.dtype is D.float32 and len(b.shape) == 2 and not (type(b.shape[0]) is int
                                                           and b.shape[0] <= 1):
        # A 2-d float32 right operand is given a leading axis of 1. onnxruntime packs a
        # constant 2-d one when a session starts, and its default MatMulAddFusion turns a
        # MatMul with a 2-d right operand and an Add into a Gemm: both then sum in another
        # order than the MatMul eager runs (one row of a multiplies as a vector), so the last
        # bits of an exported model differed. A (1, k, n) operand is neither packed nor fused.
        lead = (1,) if len(a.shape) <= 2 else ()
        out = _ops.bind("MatMul", [a, _ops.unsqueeze(b, [0])], [a.dtype],
                        lambda: [lead + shape()[0]])[0]
        return _ops.squeeze(out, [0]) if lead else out
    return _ops.bind("MatMul", [a, b], [a.dtype], shape)[0]


def matrix_transpose(x: Array, /) -> Array:
    v = as_value(x, "matrix_transpose")
    n = len(v.shape)
    if n < 2:
        raise ValueError(f"matrix_transpose: needs at least 2 dimensions, got {n}")
    perm = list(range(n - 2)) + [n - 1, n - 2]
    return Array._new(_ops.transpose(v, perm))


def tensordot(x1: Array, x2: Array, /, *, axes=2) -> Array:
    v1, v2 = _numeric_pair(x1, x2, "tensordot")
    if isinstance(axes, int) and not isinstance(axes, bool):
        if axes < 0 or axes > min(len(v1.shape), len(v2.shape)):
            raise ValueError(f"tensordot: axes={axes} does not fit the operands")
        a1 = list(range(len(v1.shape) - axes, len(v1.shape)))
        a2 = list(range(axes))
    else:
        a1, a2 = (list(a) if isinstance(a, (tuple, list)) else [a] for a in axes)
        if len(a1) != len(a2):
            raise ValueError("tensordot: axes sequences must have the same length")
        a1 = [normalize_axis(a, len(v1.shape), "tensordot") for a in a1]
        a2 = [normalize_axis(a, len(v2.shape), "tensordot") for a in a2]
        if len(set(a1)) != len(a1) or len(set(a2)) != len(a2):
            raise ValueError(f"tensordot: repeated axis in {axes}")
    for i, j in zip(a1, a2):
        _check_inner(v1.shape[i], v2.shape[j], "tensordot")
    free1 = [i for i in range(len(v1.shape)) if i not in a1]
    free2 = [j for j in range(len(v2.shape)) if j not in a2]
    t1 = _ops.transpose(v1, free1 + a1)
    t2 = _ops.transpose(v2, a2 + free2)
    k = _prod_parts(t1, len(free1), len(t1.shape))
    m1 = _ops.reshape(t1, [_prod_parts(t1, 0, len(free1)), k])
    m2 = _ops.reshape(t2, [k, _prod_parts(t2, len(a2), len(t2.shape))])
    out = _mm(m1, m2)
    out_shape = tuple(v1.shape[i] for i in free1) + tuple(v2.shape[j] for j in free2)
    parts = [d if type(d) is int else _ops.dim_of(t, i)
             for t, idx in ((t1, range(len(free1))), (t2, range(len(a2), len(t2.shape))))
             for i, d in ((i, t.shape[i]) for i in idx)]
    return Array._new(_ops.reshape(out, parts, out_shape))


def _prod_parts(v: Value, start: int, end: int):
    dims = v.shape[start:end]
    if all(type(d) is int for d in dims):
        p = 1
        for d in dims:
            p *= d
        return p
    s = _ops.shape_of(v, start, end)
    return _ops.reduce("ReduceProd", s, None, True)


def vecdot(x1: Array, x2: Array, /, *, axis: int = -1) -> Array:
    """Dot products along ``axis`` (negative, counted from the end of both operands), with the
    other axes broadcast; the contracted axis itself must not broadcast."""
    v1, v2 = _numeric_pair(x1, x2, "vecdot")
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"vecdot: axis must be an int, got {axis!r}")
    n = min(len(v1.shape), len(v2.shape))
    # The standard (2023.12 on) counts the axis from the end of each operand, so only negative
    # axes are unambiguous; a non-negative one would depend on each operand's rank.
    if not -n <= axis <= -1:
        raise ValueError(f"vecdot: axis {axis} is not in [-{n}, -1] for operands of shapes "
                         f"{x1.shape} and {x2.shape}")
    _check_inner(v1.shape[axis], v2.shape[axis], "vecdot")
    shape = _ops.broadcast_shapes(v1.shape[:axis] + v1.shape[axis + 1 or len(v1.shape):],
                                  v2.shape[:axis] + v2.shape[axis + 1 or len(v2.shape):],
                                  func="vecdot")
    if v1.dtype.kind == "f":
        prod = _ops.binary("Mul", v1, v2)
        full = len(shape) + 1
        return Array._new(_ops.reduce("ReduceSum", prod, [full + axis], False))
    # onnxruntime's integer ReduceSum accumulates in double and saturates, while the standard
    # wraps around: integer dot products are (..., 1, k) @ (..., k, 1) matrix products instead.
    rows = _ops.unsqueeze(_to_last(v1, axis), [len(v1.shape) - 1])
    cols = _ops.unsqueeze(_to_last(v2, axis), [len(v2.shape)])
    out = _mm(rows, cols)
    return Array._new(_ops.squeeze(out, [-2, -1]))


def _to_last(v: Value, axis: int) -> Value:
    n = len(v.shape)
    a = axis % n
    return _ops.transpose(v, [i for i in range(n) if i != a] + [a])
