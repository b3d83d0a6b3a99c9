"""Jacobi methods as ONNX ``Loop``s: n/2 disjoint rotations per iteration, in round-robin order.

- ``jacobi_eigen``: two-sided Jacobi for symmetric matrices; each rotation zeroes its pair's
  off-diagonal entry, which is then set to exactly zero.
- ``one_sided_jacobi``: Hestenes' one-sided Jacobi for the SVD: rotates pairs of columns until
  every pair is orthogonal to working accuracy.

The round-robin schedule (every pair once per sweep of m - 1 rounds, m even) is computed before
the loop as tables; an iteration reads its round's row. Each index j of a round knows its
partner k and its role (the smaller index p, or q): the rotation of rows (or columns) is then
``x_j <- c_j x_j + sgn_j s_j x_k`` for all j at once, one Gather and three elementwise
operations on the whole matrix. Both members of a pair compute the same c and s from the same
entries, so the update is exactly the rotation ``J`` with ``J_pp = J_qq = c``, ``J_pq = s``,
``J_qp = -s``.

A pair whose entry is below the tolerance is not rotated; the loop stops when a whole sweep
rotated nothing (so every off-diagonal entry or column product is below the tolerance at the
end), or after ``max_sweeps`` sweeps. A matrix that did not settle, or that holds a NaN or an
infinity, is flagged ``failed``; the callers put NaN in all its outputs. An odd size is padded
with one zero row and column (a zero column), which no rotation touches.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops
from ._graph import Dim, Value
from ._linalg_base import _add, _c, _cmp, _div, _mT, _mul, _sub, _sum
from ._linalg_loops import _column_index, _eye_like, _while, arange, size_value

__all__ = ["jacobi_eigen", "one_sided_jacobi", "MAX_SWEEPS"]

MAX_SWEEPS = 40  # sweeps before giving up; float64 needs about 6-12 for n <= 128

def _i64(value: int) -> Value:
    return _ops.const(value, D.int64)


def _pad_even(v: Value, axes: tuple[int, ...], nv: Value) -> tuple[Value, Value, Dim | int]:
    """``v`` with one zero row/column appended on ``axes`` when the size ``nv`` is odd:
    returns the padded Value, the even size (0-d) and its static dim."""
    n = v.shape[axes[0]]
    if type(n) is int:
        if n % 2 == 0:
            return v, nv, n
        extra, m = _i64(1), n + 1
    else:
        extra, m = _ops.binary("Mod", nv, _i64(2)), Dim()
    nd = len(v.shape)
    pads = [_i64(0)] * (2 * nd)
    for ax in axes:
        pads[nd + ax % nd] = extra
    on = {ax % nd for ax in axes}
    shape = tuple(m if i in on else d for i, d in enumerate(v.shape))
    pads_v = _ops.concat([_ops.reshape(p, [1]) for p in pads], 0)
    padded = _ops.bind("Pad", [v, pads_v], [v.dtype], lambda: [shape])[0]
    return padded, _add(nv, extra), m


class _Schedule:
    """The round-robin tables of an even number ``m`` of indices, (rounds, m) each: the
    partner of every index, its sign (-1 for the smaller index p of its pair, +1 for q) and
    the flat position p * m + q of its pair's entry."""

    def __init__(self, mv: Value, m) -> None:
        self.rounds = _ops.binary("Max", _ops.binary("Sub", mv, _i64(1)), _i64(1))
        rdim, hdim = Dim(), Dim()
        r = _ops.unsqueeze(arange(self.rounds, rdim), [1])  # (R, 1)
        i = _ops.unsqueeze(arange(_ops.binary("Div", mv, _i64(2)), hdim), [0])  # (1, h)
        m1 = _ops.binary("Sub", mv, _i64(1))

        def player(pos):  # position 0 stays, the others turn by one place per round
            turned = _add(_ops.binary("Mod", _add(_ops.binary("Sub", pos, _i64(1)), r), m1),
                          _i64(1))
            return _ops.where(_cmp("Equal", pos, _i64(0)), _ops.binary("Mul", pos, r), turned)

        a, b = player(i), player(_ops.binary("Sub", m1, i))
        p, q = _ops.binary("Min", a, b), _ops.binary("Max", a, b)  # (R, h)
        where = _ops.concat([p, q], 1)  # (R, m): the index at each slot
        table_shape = (rdim, m)

        def scatter(values: Value) -> Value:
            base = _ops.bind("Mul", [where, _i64(0)], [D.int64], lambda: [table_shape])[0]
            return _ops.bind("ScatterElements", [base, where, values], [D.int64],
                             lambda: [table_shape], (("axis", 1),))[0]

        self.partner = scatter(_ops.concat([q, p], 1))
        ones = _ops.binary("Add", _ops.binary("Mul", p, _i64(0)), _i64(1))
        self.sign = scatter(_ops.concat([_ops.unary("Neg", ones), ones], 1))
        flat = _add(_ops.binary("Mul", p, mv), q)
        self.flat = scatter(_ops.concat([flat, flat], 1))
        self.m = m

    def row(self, table: Value, r: Value) -> Value:
        return _ops.bind("Gather", [table, _ops.reshape(r, [])], [D.int64],
                         lambda: [(self.m,)], (("axis", 0),))[0]


def _rotation(d: Value, apq: Value) -> tuple[Value, Value]:
    """(c, s) of the rotation that zeroes apq of [[app, apq], [apq, aqq]] with d = aqq - app
    (Golub and Van Loan, sym.schur2), as t = 2 apq sign(d) / (|d| + sqrt(d^2 + 4 apq^2)).
    Only called on pairs with apq above the tolerance, so the denominator is positive, and on
    entries of a matrix scaled to magnitudes about 1, so the squares neither overflow nor
    underflow."""
    zero = _c(0, d)
    two = _add(apq, apq)
    den = _add(_ops.unary("Abs", d), _ops.unary("Sqrt", _add(_mul(d, d), _mul(two, two))))
    num = _ops.where(_cmp("GreaterOrEqual", d, zero), two, _ops.unary("Neg", two))
    t = _div(num, den)
    c = _div(_c(1, d), _ops.unary("Sqrt", _add(_c(1, d), _mul(t, t))))
    return c, _mul(t, c)


def _apply(x: Value, partner: Value, c: Value, s: Value, axis: int) -> Value:
    """Rotate the rows (axis -2) or columns (axis -1) of ``x``: x_j <- c_j x_j + s_j x_k."""
    axis %= len(x.shape)
    other = _ops.bind("Gather", [x, partner], [x.dtype], lambda: [x.shape], (("axis", axis),))[0]
    return _add(_mul(c, x), _mul(s, other))


def _settle(calm: Value, rotate: Value, last_axis: int) -> Value:
    """Rounds in a row without a rotation, per matrix."""
    moved = _ops.reduce("ReduceMax", _ops.cast(rotate, D.int64), [last_axis], True)
    return _ops.where(_cmp("Equal", moved, _i64(0)), _add(calm, _i64(1)), _i64(0))


def _loop(body, init: list[Value], rounds: Value, max_sweeps: int) -> list[Value]:
    cap = _ops.binary("Mul", rounds, _i64(max_sweeps))

    def cond(carry):
        it, calm = carry[:2]
        unsettled = _cmp("Less", _ops.reduce("ReduceMin", calm, None, False), rounds)
        return _ops.binary("And", unsettled, _cmp("Less", it, cap))

    return _while(cond, body, init)


def _calm0(v: Value) -> Value:
    nd = len(v.shape)
    shape = _ops.concat([_ops.shape_of(v, 0, nd - 2), _ops.i64([1])], 0)
    return _ops.expand_to(_i64(0), shape, v.shape[:-2] + (1,))


def _first(v: Value, nv: Value, n, axis: int) -> Value:
    """``v`` cut to its first ``n`` entries on ``axis`` (undoing the padding)."""
    if v.shape[axis] is n or (type(n) is int and v.shape[axis] == n):
        return v
    axis %= len(v.shape)
    shape = v.shape[:axis] + (n,) + v.shape[axis + 1:]
    return _ops.bind("Slice", [v, _ops.i64([0]), _ops.reshape(nv, [1]), _ops.i64([axis])],
                     [v.dtype], lambda: [shape])[0]


def _finite(total: Value) -> Value:
    return _cmp("Equal", _mul(total, _c(0, total)), _c(0, total))


def jacobi_eigen(a: Value, want_vectors: bool, max_sweeps: int = MAX_SWEEPS):
    """Diagonalize symmetric (..., n, n) ``a`` (of largest magnitude about 1).

    Returns ``(diagonal (..., n), vectors (..., n, n) or None, failed (..., 1) bool)``.
    """
    n = a.shape[-1]
    nd = len(a.shape)
    nv = size_value(a, -1)
    a, mv, m = _pad_even(a, (-2, -1), nv)
    sched = _Schedule(mv, m)
    eps = float(np.finfo(a.dtype.numpy).eps)
    # an off-diagonal entry below eps * ||A||_F is left alone
    tol = _mul(_c(eps, a), _ops.unary("Sqrt", _ops.reduce("ReduceSumSquare", a, [-2, -1],
                                                           False)))
    tol = _ops.unsqueeze(tol, [nd - 2])  # (..., 1)
    flat_shape = a.shape[:-2] + (Dim(),)
    flat_dims = _ops.concat([_ops.shape_of(a, 0, nd - 2),
                             _ops.reshape(_ops.binary("Mul", mv, mv), [1])], 0)
    rows, cols = _column_index(mv, m)
    diag_idx = _ops.squeeze(_ops.binary("Mul", rows, _add(mv, _i64(1))), [1])
    zero = _c(0, a)

    def body(carry):
        it, calm, a = carry[:3]
        r = _ops.binary("Mod", it, sched.rounds)
        partner, sign = sched.row(sched.partner, r), sched.row(sched.sign, r)
        flat = _ops.bind("Reshape", [a, flat_dims], [a.dtype], lambda: [flat_shape],
                         (("allowzero", 1),))[0]
        diag = _ops.bind("Gather", [flat, diag_idx], [a.dtype], lambda: [a.shape[:-1]],
                         (("axis", nd - 2),))[0]  # (..., m)
        other = _ops.bind("Gather", [diag, partner], [a.dtype], lambda: [diag.shape],
                          (("axis", nd - 2),))[0]
        apq = _ops.bind("Gather", [flat, sched.row(sched.flat, r)], [a.dtype],
                        lambda: [diag.shape], (("axis", nd - 2),))[0]
        # d = a_qq - a_pp of the pair, the same for both of its members
        d = _mul(_ops.cast(sign, a.dtype), _sub(diag, other))
        rotate = _cmp("Greater", _ops.unary("Abs", apq), tol)
        c, s = _rotation(d, apq)
        c = _ops.where(rotate, c, _c(1, a))
        s = _ops.where(rotate, _mul(_ops.cast(sign, a.dtype), s), zero)
        c_r, s_r = _ops.unsqueeze(c, [nd - 1]), _ops.unsqueeze(s, [nd - 1])
        # J^T A J as rows of (J^T (J^T A)^T)^T: onnxruntime gathers rows ~40x faster than
        # columns (64x64 float64: 3 us vs 130 us), and a Transpose costs 6 us
        a = _mT(_apply(_mT(_apply(a, partner, c_r, s_r, -2)), partner, c_r, s_r, -2))
        # the rotated pairs' entries are zero in exact arithmetic: make them so (a product
        # with a mask, not a Where, which is ~15x slower on a whole matrix)
        paired = _ops.cast(_cmp("Equal", cols, _ops.unsqueeze(partner, [1])), a.dtype)
        moved = _ops.unsqueeze(_ops.cast(rotate, a.dtype), [nd - 1])
        a = _mul(a, _sub(_c(1, a), _mul(paired, moved)))
        out = [_add(it, _i64(1)), _settle(calm, rotate, nd - 2), a]
        if want_vectors:  # V^T, rotated by rows: (V J)^T = J^T V^T
            out.append(_apply(carry[3], partner, c_r, s_r, -2))
        return out

    init = [_i64(0), _calm0(a), a]
    if want_vectors:
        init.append(_eye_like(a, m, mv))
    out = _loop(body, init, sched.rounds, max_sweeps)
    calm, a = out[1], out[2]
    if want_vectors:
        out[3] = _mT(out[3])
    diag = _sum(_ops.where(_cmp("Equal", rows, cols), a, zero), -1, False)  # (..., m)
    failed = _ops.binary("Or", _cmp("Less", calm, sched.rounds),
                         _ops.unary("Not", _finite(_sum(diag, -1, True))))
    diag = _first(diag, nv, n, -1)
    vecs = _first(_first(out[3], nv, n, -1), nv, n, -2) if want_vectors else None
    return diag, vecs, failed


def one_sided_jacobi(b: Value, want_vectors: bool, max_sweeps: int = MAX_SWEEPS):
    """Rotate the columns of (..., rows, n) ``b`` until they are orthogonal (Hestenes).

    Returns ``(b, vectors (..., n, n) or None, failed (..., 1) bool)``. The loop works on
    ``b^T`` and ``V^T``, whose rows it rotates: onnxruntime gathers rows much faster than
    columns.
    """
    n = b.shape[-1]
    nd = len(b.shape)
    nv = size_value(b, -1)
    rows_v = size_value(b, -2)
    bt, mv, m = _pad_even(_mT(b), (-2,), nv)  # (..., m, rows)
    sched = _Schedule(mv, m)
    eps = float(np.finfo(b.dtype.numpy).eps)
    # columns count as orthogonal when |bp . bq| <= rows * eps * |bp| |bq|
    tol = _mul(_ops.cast(_ops.binary("Max", rows_v, _i64(1)), b.dtype), _c(eps, b))
    # a column shorter than eps * ||B||_F is numerically zero: it is never rotated (its
    # direction is rounding noise, which no rotation makes orthogonal to the others)
    total = _ops.reduce("ReduceSumSquare", bt, [-2, -1], False)
    floor = _ops.unsqueeze(_mul(_c(eps * eps, b), total), [nd - 2])  # (..., 1)
    zero = _c(0, b)

    def body(carry):
        it, calm, bt = carry[:3]
        r = _ops.binary("Mod", it, sched.rounds)
        partner, sign = sched.row(sched.partner, r), sched.row(sched.sign, r)
        other = _ops.bind("Gather", [bt, partner], [bt.dtype], lambda: [bt.shape],
                          (("axis", nd - 2),))[0]
        alpha = _sum(_mul(bt, bt), -1, False)  # (..., m)
        beta = _ops.bind("Gather", [alpha, partner], [b.dtype], lambda: [alpha.shape],
                         (("axis", nd - 2),))[0]
        gamma = _sum(_mul(bt, other), -1, False)
        rotate = _ops.binary("And", _cmp("Greater", _ops.unary("Abs", gamma),
                                         _mul(tol, _ops.unary("Sqrt", _mul(alpha, beta)))),
                             _cmp("Greater", _ops.binary("Min", alpha, beta), floor))
        d = _mul(_ops.cast(sign, b.dtype), _sub(alpha, beta))
        c, s = _rotation(d, gamma)
        c = _ops.unsqueeze(_ops.where(rotate, c, _c(1, b)), [nd - 1])
        s = _ops.unsqueeze(_ops.where(rotate, _mul(_ops.cast(sign, b.dtype), s), zero),
                           [nd - 1])
        out = [_add(it, _i64(1)), _settle(calm, rotate, nd - 2),
               _add(_mul(c, bt), _mul(s, other))]
        if want_vectors:
            out.append(_apply(carry[3], partner, c, s, -2))
        return out

    init = [_i64(0), _calm0(bt), bt]
    if want_vectors:
        init.append(_eye_like(bt, m, mv))
    out = _loop(body, init, sched.rounds, max_sweeps)
    calm, bt = out[1], out[2]
    failed = _ops.binary("Or", _cmp("Less", calm, sched.rounds),
                         _ops.unary("Not", _finite(_sum(_sum(bt, -1, False), -1, True))))
    b = _mT(_first(bt, nv, n, -2))
    vecs = _mT(_first(_first(out[3], nv, n, -1), nv, n, -2)) if want_vectors else None
    return b, vecs, failed
