"""Blocked Householder QR: one ``Loop`` iteration per block of ``BLOCK`` reflections.

The column-per-iteration QR (``_linalg_loops.householder``) updates the whole ``r`` and ``q`` at
every column, six matrix-sized products and differences per column. Here an iteration computes
``BLOCK`` unit reflectors ``u_j`` (``H_j = I - 2 u_j u_j^T``) on the transposed ``BLOCK x m``
panel only, then applies their product to ``r`` and ``q`` at once in the compact WY form
``H_0 ... H_{b-1} = I - U^T T U`` (Schreiber and Van Loan), with ``T`` built column by column
from ``striu(U U^T)`` as LAPACK's dlarft does.

A reflector whose column is zero (or a column past the last reflection) is ``u = 0``, the
identity, which leaves the WY form valid.

Cost: 13 nodes a column (the masked column; its scaling by the sum of its magnitudes and its
unit reflector each by one ``LpNormalization``; its norm by one ``ReduceL2``; its diagonal
entry read, and the reflector's written, by a product with the unit row, not a gather and a
scatter; two ``Gemm``s) and ~30 a block: at n = 64 about 1,100 nodes run, ~0.95 ms on an idle
core against NumPy's ~0.2 ms (onnxruntime 1.32), nearly all of it per-node dispatch. The
column's scaling keeps subnormal and huge columns exact.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops, lax
from ._array_object import Array
from ._graph import Dim, Value
from ._linalg_base import _c, _cmp, _mul, _sub
from ._linalg_blocked import (
    BLOCK,
    _index,
    _minus_outer,
    _mT,
    _pad,
    _slice,
    _take_row,
)
from ._linalg_loops import _eye_like, _fori, size_value
from ._linalg_loops import householder as _column_householder
from ._linear_algebra_functions import _mm

__all__ = ["householder", "qr_factors"]

# Below this many reflections the column loop of ``_linalg_loops`` is faster (a block computes
# 8 reflectors and a WY update however few columns are left): measured with 17-node columns at
# n = 16 to 40, as fast at n = 24, 25% faster at n = 32 and 40, 5-10% slower at n = 8 to 20.
SMALL = 24


def _times_transposed(a: Value, u: Value) -> Value:
    """``a @ u^T``: one ``Gemm`` for single matrices."""
    if len(a.shape) == 2 and len(u.shape) == 2:
        return _ops.bind("Gemm", [a, u], [a.dtype], lambda: [(a.shape[0], u.shape[0])],
                         (("transB", 1),))[0]
    return _mm(a, _mT(u))


def _wy_factor(w: Value, like: Value) -> Value:
    """``T`` of ``H_0 ... H_{b-1} = I - U^T T U`` for unit reflectors (``H = I - 2 u^T u``),
    from ``w = striu(U U^T)``: ``T = 2 (I + K)^-1`` with ``K = 2 w`` (Schreiber and Van Loan),
    the inverse by recursive halving, as LAPACK's dtrtri does: with ``E`` the inverse of the
    block diagonal part of a level and ``C`` its coupling part (the upper right quarter of
    each block), ``(I + K)^-1 = E - E C E`` (``C E C = 0``). Eight nodes instead of
    dlarft's column recursion's 21, with its accuracy (measured on rank-deficient and nearly
    parallel columns), and no power of ``K`` (a Neumann product's powers lose digits when
    reflectors are nearly parallel)."""
    size = 2
    eye = np.eye(BLOCK)
    diag = np.kron(np.eye(BLOCK // size), np.ones((size, size)))
    inv = _sub(_ops.const(eye, like.dtype), _mul(w, _ops.const(2 * diag, like.dtype)))
    while size < BLOCK:
        outer = np.kron(np.eye(BLOCK // (2 * size)), np.ones((2 * size, 2 * size)))
        coupling = _mul(w, _ops.const(2 * (outer - diag), like.dtype))
        last = 2 * size == BLOCK
        inv = _minus_product_scaled(_mm(inv, coupling), inv, inv, 2.0 if last else 1.0)
        size, diag = 2 * size, outer
    return inv


def _minus_product_scaled(a: Value, b: Value, c: Value, scale: float) -> Value:
    """``scale * (c - a @ b)``: one ``Gemm`` for single matrices."""
    if len(a.shape) == 2 and len(b.shape) == 2 and len(c.shape) == 2:
        return _ops.bind("Gemm", [a, b, c], [c.dtype], lambda: [c.shape],
                         (("alpha", -scale), ("beta", scale)))[0]
    out = _sub(c, _mm(a, b))
    return out if scale == 1.0 else _mul(out, _c(scale, c))


def _lp_normalized(v: Value, p: int) -> Value:
    """``v`` divided by its L``p`` norm over the last axis (zero stays zero): one
    ``LpNormalization``."""
    return _ops.bind("LpNormalization", [v], [v.dtype], lambda: [v.shape],
                     (("axis", len(v.shape) - 1), ("p", p)))[0]


def householder(a: Value, trip: Value) -> tuple[Value, Value]:
    """``a = q @ r`` for (..., m, n) ``a`` scaled to magnitudes <= 1: q (..., m, m) orthogonal,
    r (..., m, n) upper triangular; ``trip`` (0-d int64) reflections, min(m - 1, n)."""
    m, n = a.shape[-2:]
    nd = len(a.shape)
    batch = a.shape[:-2]
    mv, nv = size_value(a, -2), size_value(a, -1)
    dtype = a.dtype
    # the rows of r^T that the blocks read: n rounded up to a multiple of BLOCK
    if type(n) is int:
        big = -(-n // BLOCK) * BLOCK
        bigv = _ops.const(big, D.int64)
    else:
        big = Dim()
        bigv = _ops.binary("Mul", _ops.binary("Div", _ops.binary(
            "Add", nv, _ops.const(BLOCK - 1, D.int64)), _ops.const(BLOCK, D.int64)),
            _ops.const(BLOCK, D.int64))
    rt = _mT(a)  # (..., n, m)
    if not (type(n) is int and big == n):
        rt = _pad(rt, True, False, _ops.binary("Sub", bigv, nv), batch + (big, m))
    blocks = _ops.binary("Div", _ops.binary("Add", trip, _ops.const(BLOCK - 1, D.int64)),
                         _ops.const(BLOCK, D.int64))
    _, cols = _index(mv, m)  # (1, m)
    steps = _ops.i64(np.arange(BLOCK).reshape(BLOCK, 1))
    zero = _c(0, a)
    upper = _ops.const(np.triu(np.ones((BLOCK, BLOCK)), 1), dtype)

    def reflector(x: Value, e: Value) -> Value:
        """The unit reflector (..., 1, m) taking the masked column ``x`` to a multiple of the
        unit row ``e`` (1, m); zero for a zero ``x`` (or ``e``, past the last row)."""
        # The reflector does not depend on the scale of x: divided by the sum of its
        # magnitudes (one node, which no magnitude underflows or overflows: the matrix is
        # scaled to magnitudes <= 1), |x|^2 >= 1 / m, and |v|^2 >= 2 / m, unless x is zero
        # (which stays zero).
        x = _lp_normalized(x, 1)
        xk = _times_transposed(x, e)  # (..., 1, 1), exactly (one term is not zero)
        norm = _ops.reduce("ReduceL2", x, [-1], True)
        # alpha = -sign(xk) * |x|, so that xk - alpha does not cancel
        alpha = _ops.where(_cmp("GreaterOrEqual", xk, zero), _ops.unary("Neg", norm), norm)
        v = _minus_outer(x, alpha, e)  # x - alpha e: one Gemm, exact where e is 0
        return _lp_normalized(v, 2)  # v = 0 stays 0

    def body(k, carry):
        rt_in, q_in = carry
        c0 = _ops.reshape(_ops.binary("Mul", k, _ops.const(BLOCK, D.int64)), [1])
        at_all = _ops.binary("Add", c0, steps)  # (BLOCK, 1): the diagonal position of each
        below = _ops.cast(_ops.binary("And", _cmp("GreaterOrEqual", cols, at_all),
                                      _cmp("Less", at_all, trip)), dtype)  # (BLOCK, m)
        # (BLOCK, m): row j the unit row at the diagonal position of column j
        unit = _ops.cast(_cmp("Equal", cols, at_all), dtype)
        pt = _slice(rt_in, c0, _ops.binary("Add", c0, _ops.i64([BLOCK])), -2,
                    batch + (BLOCK, m))  # (..., BLOCK, m): the block's columns of r
        us = []
        for j in range(BLOCK):
            x = _take_row(_mul(pt, below), j)  # one Gather fewer than masking the row
            u = reflector(x, _take_row(unit, j))
            if j + 1 < BLOCK:
                pt = _minus_outer(pt, _times_transposed(pt, u), u, 2.0)
            us.append(u)
        u = _ops.concat(us, nd - 2)  # (..., BLOCK, m)
        t = _wy_factor(_mul(_times_transposed(u, u), upper), a)
        # r^T and q times H_c0 ... H_c0+BLOCK-1 = I - U^T T U
        return [_minus_outer(c, _mm(_times_transposed(c, u), t), u) for c in (rt_in, q_in)]

    rt, q = _fori(blocks, body, [rt, _eye_like(a, m, mv)])
    if not (type(n) is int and big == n):
        rt = _slice(rt, 0, _ops.reshape(nv, [1]), -2, batch + (n, m))
    rows, _ = _index(mv, m)
    _, ncols = _index(nv, n)
    r = _ops.where(_cmp("LessOrEqual", rows, ncols), _mT(rt), zero)
    return q, r


def qr_factors(a: Value, trip: Value) -> tuple[Value, Value]:
    """``householder`` for ``SMALL`` reflections or more, else the column loop, by an ``If``
    on the size read when the model runs, also for known sizes: the graph does not depend on
    the size, and eager calls (whose sessions have symbolic sizes) and models exported with
    known sizes give the same bits."""
    shape = _ops.bind("Shape", [a], [D.int64], lambda: [(len(a.shape),)])[0]
    m = _ops.bind("Gather", [shape, _ops.const(-2, D.int64)], [D.int64], lambda: [()],
                  (("axis", 0),))[0]
    n = _ops.bind("Gather", [shape, _ops.const(-1, D.int64)], [D.int64], lambda: [()],
                  (("axis", 0),))[0]
    count = _ops.binary("Min", _ops.binary("Sub", m, _ops.const(1, D.int64)), n)

    def small(x):
        q, r = _column_householder(x._v, True, trip)
        return Array._new(q), Array._new(r)

    def large(x):
        q, r = householder(x._v, trip)
        return Array._new(q), Array._new(r)

    few = Array._new(_cmp("Less", count, _ops.const(SMALL, D.int64)))
    q, r = lax.cond(few, small, large, Array._new(a))
    return q._v, r._v
