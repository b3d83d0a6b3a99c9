"""The real factorizations as ONNX ``Loop``s: one column or one round of rotations per iteration.

Each iteration does O(n^2) vectorised work on the whole stack of matrices, so the matrix size
may be symbolic and the graph does not grow with it:

- ``eliminate``: LU or Gauss-Jordan elimination with partial pivoting, one column per
  iteration. Rows are not swapped: the pivot row is the largest magnitude among the rows not
  used yet, and the pivot rows are remembered (``piv``), so an iteration costs no gather of the
  whole matrix.
- ``cholesky``: the outer-product algorithm, one column per iteration.
- ``householder``: QR by Householder reflections, one column per iteration.

The Jacobi methods are in ``_linalg_jacobi``.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops, lax
from ._array_object import Array
from ._graph import Value
from ._linalg_base import _c, _cmp, _div, _mT, _mul, _sub, _sum
from ._linear_algebra_functions import _mm

__all__ = ["eliminate", "permutation_sign", "solve_eliminated", "cholesky", "householder",
           "size_value", "arange", "nan_where", "eye_like", "symmetric_from_lower", "diagonal"]


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


def _nan_where(bad: Value, v: Value) -> Value:
    """``v`` with NaN in every entry of the matrices flagged ``bad`` (broadcastable)."""
    return _ops.where(bad, _c(np.nan, v), v)


# ---------------------------------------------------------------------------------------------
# LU and Gauss-Jordan elimination


def eliminate(a: Value, b: Value | None, jordan: bool):
    """Partial-pivoting elimination of square (..., n, n) ``a`` (and the right-hand sides
    ``b``, (..., n, k), with the same row operations).

    Returns ``(a, b, perm, pivots)``: the eliminated matrices, ``perm`` (..., n, n) bool with
    ``perm[r, k]`` true where row r was the pivot row of column k, and the pivots (..., 1, n).
    With ``jordan`` the column is also eliminated above the pivot, so ``a`` ends as a permuted
    diagonal. A zero pivot leaves its column as it is (the result then holds inf or NaN).
    """
    n = a.shape[-1]
    nv = size_value(a, -1)
    rows, cols = _column_index(nv, n)
    zero = _c(0, a)
    batch_rows = _ops.shape_of(a, 0, len(a.shape) - 1)
    used0 = _ops.expand_to(_ops.const(False, D.bool),
                           _ops.concat([batch_rows, _ops.i64([1])], 0), a.shape[:-1] + (1,))
    piv0 = _ops.expand_to(_ops.const(0, D.int64),
                          _ops.concat([_ops.shape_of(a, 0, len(a.shape) - 2), _ops.i64([1]),
                                       _ops.dim_of(a, -1)], 0), a.shape[:-2] + (1, n))

    nd = len(a.shape)
    aug = a if b is None else _ops.concat([a, b], nd - 1)  # (..., n, w)
    row_shape = _ops.concat([_ops.shape_of(aug, 0, nd - 2), _ops.i64([1]),
                             _ops.dim_of(aug, -1)], 0)
    row_dims = aug.shape[:-2] + (1, aug.shape[-1])

    def body(k, carry):
        aug, used, piv = carry
        colk = _take(aug, k, -1)  # (..., n, 1)
        cand = _ops.where(used, _c(-1, aug), _ops.unary("Abs", colk))
        p = _ops.bind("ArgMax", [cand], [D.int64], lambda: [aug.shape[:-2] + (1, 1)],
                      (("axis", nd - 2), ("keepdims", 1)))[0]
        onehot = _cmp("Equal", rows, p)  # (..., n, 1)
        idx = _ops.expand_to(p, row_shape, row_dims)
        pivot_row = _ops.bind("GatherElements", [aug, idx], [aug.dtype], lambda: [row_dims],
                              (("axis", nd - 2),))[0]  # (..., 1, w)
        pivot = _take(pivot_row, k, -1)
        now_used = _ops.binary("Or", used, onehot)
        targets = _ops.unary("Not", onehot if jordan else now_used)
        ok = _ops.binary("And", targets, _ops.unary("Not", _cmp("Equal", pivot, zero)))
        f = _ops.where(ok, _div(colk, pivot), zero)
        return [_sub(aug, _mul(f, pivot_row)), now_used,
                _ops.where(_cmp("Equal", cols, k), p, piv)]

    aug, _, piv = _fori(nv, body, [aug, used0, piv0])
    rhs = None
    if b is not None:
        a = _ops.bind("Slice", [aug, _ops.i64([0]), _ops.reshape(nv, [1]), _ops.i64([nd - 1])],
                      [a.dtype], lambda: [a.shape])[0]
        rhs = _ops.bind("Slice", [aug, _ops.reshape(nv, [1]), _ops.i64([2**62]),
                                  _ops.i64([nd - 1])], [b.dtype], lambda: [b.shape])[0]
    else:
        a = aug
    perm = _cmp("Equal", rows, piv)  # (..., n, n)
    pivots = _sum(_ops.where(perm, a, zero), -2, True)
    return a, rhs, perm, pivots


def permutation_sign(perm: Value, like: Value) -> Value:
    """The sign (+-1, (..., 1, 1)) of the permutation ``perm`` (..., n, n) bool, by counting
    inversions: pairs of columns i < j whose pivot rows are in the other order."""
    n = perm.shape[-1]
    nv = _ops.reshape(_ops.dim_of(perm, -1), []) if type(n) is not int else _ops.const(n, D.int64)
    rows, cols = _column_index(nv, n)
    piv = _sum(_mul(_ops.cast(perm, D.int64), rows), -2, True)  # (..., 1, n): pivot row of col
    later = _cmp("Less", rows, cols)  # i < j
    inverted = _ops.binary("And", later, _cmp("Greater", _mT(piv), piv))
    count = _ops.reduce("ReduceSum", _ops.cast(inverted, D.int64), [-2, -1], True)
    odd = _cmp("Equal", _ops.binary("Mod", count, _ops.const(2, D.int64)),
               _ops.const(1, D.int64))
    return _ops.where(odd, _c(-1, like), _c(1, like))


def solve_eliminated(perm: Value, pivots: Value, rhs: Value) -> Value:
    """The solution from a Gauss-Jordan elimination: x[k] = rhs[pivot row of k] / pivot_k."""
    pt = _ops.cast(_mT(perm), rhs.dtype)
    return _div(_mm(pt, rhs), _mT(pivots))


# ---------------------------------------------------------------------------------------------
# Cholesky and QR


def columns(body, init: list[Value], nv: Value, like: Value) -> tuple[list[Value], list]:
    """``lax.scan`` over ``nv`` steps on Values: ``body(j, carry) -> (carry, columns)`` with
    columns (..., n, 1); returns the last carry and each column's sequence side by side, shaped
    like ``like`` (..., n, n). A scan output instead of a carried matrix with a Where per step,
    which onnxruntime runs ~15x slower than a Mul on a whole matrix."""
    def step(carry, _):
        j = carry[0]._v
        outs, cols = body(j, [c._v for c in carry[1:]])
        carry_out = [Array._new(_ops.binary("Add", j, _ops.const(1, D.int64)))]
        carry_out += [Array._new(_same_shape(o, c._v.shape)) for o, c in zip(outs, carry[1:])]
        return tuple(carry_out), tuple(Array._new(_ops.squeeze(c, [len(c.shape) - 1]))
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


def cholesky(s: Value) -> Value:
    """The lower Cholesky factor of symmetric (..., n, n) ``s``."""
    n = s.shape[-1]
    nv = size_value(s, -1)
    rows, _ = _column_index(nv, n)
    zero = _c(0, s)

    def body(j, carry):
        s = carry[0]
        colj = _take(s, j, -1)
        d = _ops.unary("Sqrt", _take(colj, j, -2))
        col = _ops.where(_cmp("GreaterOrEqual", rows, j), _div(colj, d), zero)
        return [_sub(s, _mul(col, _mT(col)))], [col]

    return columns(body, [s], nv, s)[1][0]


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


def householder(a: Value, want_q: bool, trip: Value) -> tuple[Value | None, Value]:
    """``a = q @ r`` for (..., m, n) ``a``: q (..., m, m) orthogonal (if ``want_q``), r upper
    triangular; ``trip`` (0-d int64) reflections, min(m - 1, n)."""
    m = a.shape[-2]
    mv = size_value(a, -2)
    rows, _ = _column_index(mv, m)
    zero = _c(0, a)
    one = _c(1, a)

    def body(k, carry):
        r = carry[0]
        x = _ops.where(_cmp("GreaterOrEqual", rows, k), _take(r, k, -1), zero)
        # The reflector does not depend on the scale of x: divided by its largest magnitude,
        # v.T @ v >= 1 unless x is zero, so 2 / (v.T @ v) cannot overflow for tiny columns.
        big = _ops.reduce("ReduceMax", _ops.unary("Abs", x), [-2], True)
        x = _div(x, _ops.where(_cmp("Equal", big, zero), one, big))
        xk = _take(x, k, -2)
        norm = _ops.unary("Sqrt", _sum(_mul(x, x), -2, True))
        # alpha = -sign(xk) * |x|, so that xk - alpha does not cancel
        alpha = _ops.where(_cmp("GreaterOrEqual", xk, zero), _ops.unary("Neg", norm), norm)
        v = _ops.where(_cmp("Equal", rows, k), _sub(xk, alpha), x)
        vv = _sum(_mul(v, v), -2, True)
        beta = _ops.where(_cmp("Equal", vv, zero), zero, _div(_c(2, a), vv))
        bvt = _mul(beta, _mT(v))
        out = [_sub(r, _mul(v, _mm(bvt, r)))]
        if want_q:
            q = carry[1]
            out.append(_sub(q, _mul(_mm(q, v), bvt)))
        return out

    init = [a] + ([_eye_like(a, m, mv)] if want_q else [])
    out = _fori(trip, body, init)
    n = a.shape[-1]
    _, cols = _column_index(size_value(a, -1), n)
    r = _ops.where(_cmp("LessOrEqual", rows, cols), out[0], zero)
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
