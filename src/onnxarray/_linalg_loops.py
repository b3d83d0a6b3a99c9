"""The real factorizations as ONNX ``Loop``s: one column or one round of rotations per iteration.

Each iteration does O(n^2) vectorised work on the whole stack of matrices, so the matrix size
may be symbolic and the graph does not grow with it:

- ``householder``: QR by Householder reflections, one column per iteration.

LU (and the solves on it) and Cholesky are blocked, in ``_linalg_blocked``; the Jacobi methods
are in ``_linalg_jacobi``.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops, lax
from ._array_object import Array
from ._graph import Value
from ._linalg_base import _c, _cmp, _div, _mT, _mul, _sub, _sum
from ._linear_algebra_functions import _mm

__all__ = ["permutation_sign", "pivot_sign", "householder", "size_value", "arange",
           "nan_where", "eye_like", "symmetric_from_lower", "diagonal", "sum_squares"]


# ---------------------------------------------------------------------------------------------
# index helpers


def size_value(v: Value, axis: int) -> Value:
    """``v.shape[axis]`` as a 0-d int64 Value (a constant when it is known)."""
    d = v.shape[axis]
    if type(d) is int:
        return _ops.const(d, D.int64)
    return _ops.reshape(_ops.dim_of(v, axis), [])


def arange(n: Value, dim) -> Value:
    """``[0, 1, ..., n - 1]`` (int64) of static shape ``(dim,)``."""
    if n.data is not None:
        return _ops.i64(np.arange(int(n.data)))
    return _ops.bind("Range", [_ops.const(0, D.int64), n, _ops.const(1, D.int64)], [D.int64],
                     lambda: [(dim,)])[0]


def _column_index(n: Value, dim) -> tuple[Value, Value]:
    """``arange(n)`` as a column (n, 1) and as a row (1, n)."""
    r = arange(n, dim)
    return _ops.unsqueeze(r, [1]), _ops.unsqueeze(r, [0])


def _take(x: Value, k: Value, axis: int) -> Value:
    """``x`` at position ``k`` (0-d int64) of ``axis``, keeping the axis (size 1)."""
    axis %= len(x.shape)
    idx = _ops.reshape(k, [1])
    shape = x.shape[:axis] + (1,) + x.shape[axis + 1:]
    return _ops.bind("Gather", [x, idx], [x.dtype], lambda: [shape], (("axis", axis),))[0]


def _gather(x: Value, idx: Value, axis: int, dim) -> Value:
    """``x`` at the positions ``idx`` (1-D) of ``axis``, whose new size is ``dim``."""
    axis %= len(x.shape)
    shape = x.shape[:axis] + (dim,) + x.shape[axis + 1:]
    return _ops.bind("Gather", [x, idx], [x.dtype], lambda: [shape], (("axis", axis),))[0]


def _same_shape(v: Value, shape: tuple) -> Value:
    """``v`` declared with ``shape`` (which it has): keeps a loop carry's shape expression."""
    if tuple(v.shape) == tuple(shape):
        return v
    return _ops.bind("Identity", [v], [v.dtype], lambda: [tuple(shape)])[0]


def _fori(trip, body, init: list[Value]) -> list[Value]:
    """``lax.fori_loop(0, trip, ...)`` on Values: ``body(i, carry) -> carry``."""
    def step(i, carry):
        outs = body(i._v, [c._v for c in carry])
        return tuple(Array._new(_same_shape(o, c._v.shape)) for o, c in zip(outs, carry))

    trip_arg = trip if type(trip) is int else Array._new(trip)
    out = lax.fori_loop(0, trip_arg, step, tuple(Array._new(v) for v in init))
    return [o._v for o in out]


def _while(cond, body, init: list[Value]) -> list[Value]:
    """``lax.while_loop`` on Values."""
    def step(carry):
        outs = body([c._v for c in carry])
        return tuple(Array._new(_same_shape(o, c._v.shape)) for o, c in zip(outs, carry))

    out = lax.while_loop(lambda carry: Array._new(cond([c._v for c in carry])), step,
                         tuple(Array._new(v) for v in init))
    return [o._v for o in out]


def sum_squares(v: Value) -> Value:
    """The sum of squares over the last axis, kept: one ``ReduceSumSquare``."""
    return _ops.reduce("ReduceSumSquare", v, [-1], True)


def _nan_where(bad: Value, v: Value) -> Value:
    """``v`` with NaN in every entry of the matrices flagged ``bad`` (broadcastable)."""
    return _ops.where(bad, _c(np.nan, v), v)


# ---------------------------------------------------------------------------------------------
# the sign of a row permutation


def permutation_sign(perm: Value, like: Value) -> Value:
    """The sign (+-1, (..., 1, 1)) of the permutation ``perm`` (..., n, n) bool, by counting
    inversions: pairs of columns i < j whose pivot rows are in the other order."""
    n = perm.shape[-1]
    nv = _ops.reshape(_ops.dim_of(perm, -1), []) if type(n) is not int else _ops.const(n, D.int64)
    rows, _ = _column_index(nv, n)
    piv = _sum(_mul(_ops.cast(perm, D.int64), rows), -2, True)  # (..., 1, n): pivot row of col
    return pivot_sign(piv, like)


def pivot_sign(piv: Value, like: Value) -> Value:
    """The sign (+-1, (..., 1, 1)) of the permutation that takes column j to row ``piv[j]``
    (``piv`` (..., 1, n) int64), by counting inversions: ``(-1)^count``, from the pairs
    i < j with ``piv[i] > piv[j]`` (the strict upper triangle by one ``Trilu``)."""
    inverted = _ops.cast(_cmp("Greater", _mT(piv), piv), like.dtype)  # [i, j]: piv[i] > piv[j]
    upper = _ops.bind("Trilu", [inverted, _ops.const(1, D.int64)], [like.dtype],
                      lambda: [inverted.shape], (("upper", 1),))[0]
    count = _ops.reduce("ReduceSum", upper, [-2, -1], True)  # an exact integer
    odd = _ops.binary("Mod", count, _c(2, like), attrs=(("fmod", 1),))
    return _sub(_c(1, like), _mul(_c(2, like), odd))


# ---------------------------------------------------------------------------------------------
# Cholesky and QR


def columns(body, init: list[Value], nv: Value, like: Value) -> tuple[list[Value], list]:
    """``lax.scan`` over ``nv`` steps on Values: ``body(j, carry) -> (carry, columns)`` with
    columns (..., n, 1) or rows (..., 1, n); returns the last carry and each column's sequence
    side by side, shaped like ``like`` (..., n, n). A scan output instead of a carried matrix
    with a Where per step, which onnxruntime runs ~15x slower than a Mul on a whole matrix."""
    def step(carry, _):
        j = carry[0]._v
        outs, cols = body(j, [c._v for c in carry[1:]])
        carry_out = [Array._new(_ops.binary("Add", j, _ops.const(1, D.int64)))]
        carry_out += [Array._new(_same_shape(o, c._v.shape)) for o, c in zip(outs, carry[1:])]
        return tuple(carry_out), tuple(
            Array._new(_ops.squeeze(c, [len(c.shape) - (1 if c.shape[-1] == 1 else 2)]))
            for c in cols)

    init_arrays = tuple(Array._new(v) for v in [_ops.const(0, D.int64), *init])
    carry, ys = lax.scan(step, init_arrays, length=Array._new(nv))
    out = []
    for y in ys:
        y = y._v  # (n, ..., n)
        nd = len(y.shape)
        out.append(_ops.bind("Transpose", [y], [y.dtype], lambda: [like.shape],
                             (("perm", tuple(range(1, nd)) + (0,)),))[0])
    return [c._v for c in carry[1:]], out


def _eye_like(v: Value, m, mv: Value) -> Value:
    """The identity (..., m, m) over the batch of ``v``."""
    rows, cols = _column_index(mv, m)
    eye = _ops.cast(_cmp("Equal", rows, cols), v.dtype)
    nb = len(v.shape) - 2
    if nb == 0:
        return eye
    shape = _ops.concat([_ops.shape_of(v, 0, nb), _ops.reshape(mv, [1]),
                         _ops.reshape(mv, [1])], 0)
    return _ops.expand_to(eye, shape, v.shape[:nb] + (m, m))


def _reflect(c: Value, v: Value, bv: Value) -> Value:
    """``c - (c v^T) bv`` for rows ``v``, ``bv`` (..., 1, m): two ``Gemm``s for one matrix
    (a Transpose, two MatMuls and a Sub otherwise)."""
    if len(c.shape) == 2:
        cv = _ops.bind("Gemm", [c, v], [c.dtype], lambda: [(c.shape[0], 1)],
                       (("transB", 1),))[0]
        return _ops.bind("Gemm", [cv, bv, c], [c.dtype], lambda: [c.shape],
                         (("alpha", -1.0), ("beta", 1.0)))[0]
    return _sub(c, _mm(_mm(c, _mT(v)), bv))


def householder(a: Value, want_q: bool, trip: Value) -> tuple[Value | None, Value]:
    """``a = q @ r`` for (..., m, n) ``a``: q (..., m, m) orthogonal (if ``want_q``), r upper
    triangular; ``trip`` (0-d int64) reflections, min(m - 1, n).

    The loop carries ``r``'s transpose, whose rows (``r``'s columns) onnxruntime gathers much
    faster than columns; the reflector is kept as a row (..., 1, m)."""
    m = a.shape[-2]
    mv = size_value(a, -2)
    _, cols = _column_index(mv, m)
    zero = _c(0, a)
    one = _c(1, a)

    # Where and broadcasting Mul are several times slower in onnxruntime than same-shape
    # arithmetic and MatMul: masks are multiplied in, outer products are MatMuls.
    tiniest = _c(float(np.finfo(a.dtype.numpy).smallest_subnormal), a)

    def body(k, carry):
        rt = carry[0]  # (..., n, m)
        below = _ops.cast(_cmp("GreaterOrEqual", cols, k), a.dtype)
        x = _mul(_take(rt, k, -2), below)  # (..., 1, m)
        # The reflector does not depend on the scale of x: divided by its largest magnitude,
        # v @ v.T >= 1 unless x is zero, so 2 / (v @ v.T) cannot overflow for tiny columns.
        big = _ops.reduce("ReduceMax", _ops.unary("Abs", x), [-1], True)
        x = _div(x, _ops.binary("Max", big, tiniest))  # a zero x stays zero
        xk = _take(x, k, -1)
        norm = _ops.unary("Sqrt", sum_squares(x))
        # alpha = -sign(xk) * |x|, so that xk - alpha does not cancel
        alpha = _ops.where(_cmp("GreaterOrEqual", xk, zero), _ops.unary("Neg", norm), norm)
        v = _sub(x, _mul(alpha, _ops.cast(_cmp("Equal", cols, k), a.dtype)))  # (..., 1, m)
        vv = sum_squares(v)
        bv = _mul(_div(_c(2, a), _ops.binary("Max", vv, one)), v)  # v = 0 where vv < 1
        # (r - v (beta v^T r))^T = r^T - (r^T v) (beta v^T)
        return [_reflect(c, v, bv) for c in carry[:1 + want_q]]

    init = [_mT(a)] + ([_eye_like(a, m, mv)] if want_q else [])
    out = _fori(trip, body, init)
    n = a.shape[-1]
    rows, _ = _column_index(mv, m)
    _, ncols = _column_index(size_value(a, -1), n)
    r = _ops.where(_cmp("LessOrEqual", rows, ncols), _mT(out[0]), zero)
    return (out[1] if want_q else None), r


# ---------------------------------------------------------------------------------------------
# small helpers of the entry points


def nan_where(bad: Value, v: Value) -> Value:
    """``v`` with NaN in the entries of matrices flagged ``bad`` (broadcastable)."""
    return _nan_where(bad, v)


def eye_like(v: Value) -> Value:
    """The identity of (..., n, n) ``v``'s shape."""
    return _eye_like(v, v.shape[-1], size_value(v, -1))


def symmetric_from_lower(v: Value) -> Value:
    """The symmetric matrix of ``v``'s lower triangle."""
    n = v.shape[-1]
    rows, cols = _column_index(size_value(v, -1), n)
    return _ops.where(_cmp("GreaterOrEqual", rows, cols), v, _mT(v))


def diagonal(v: Value) -> Value:
    """The diagonal of (..., m, n) ``v`` with m >= n, (..., n)."""
    m, n = v.shape[-2:]
    _, cols = _column_index(size_value(v, -1), n)
    rows, _ = _column_index(size_value(v, -2), m)
    return _sum(_ops.where(_cmp("Equal", rows, cols), v, _c(0, v)), -2, False)
