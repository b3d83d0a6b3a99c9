"""Complex Jacobi methods on (real, imaginary) pairs, as ONNX ``Loop``s (see ``_linalg_jacobi``).

- ``complex_one_sided_jacobi``: one-sided Jacobi for the SVD, the real method's loops with a
  complex rotation: a pair's columns b_p, b_q with product ``g = b_p^H b_q = |g| phi`` turn by
  ``[[c, -s phi], [s conj(phi), c]]``, (c, s) the real rotation for their squared norms and
  ``|g|``. Both members of a pair read the same (conjugate) products, so they compute the same
  c, s and conjugate phases.
- ``hermitian_eigen``: the same on ``A + sigma I`` (eigh, eigvalsh), like the real
  ``symmetric_eigen``.
"""

from __future__ import annotations

import numpy as np

from . import _ops
from ._graph import Value
from ._linalg_base import _add, _c, _cmp, _div, _mT, _mul, _sub, _sum
from ._linalg_jacobi import (
    MARGIN,
    MAX_SWEEPS,
    _batch_any,
    _finite,
    _first,
    _fori,
    _i64,
    _k,
    _pad_even,
    _Rounds,
    _Schedule,
    _turn,
)
from ._linalg_loops import _column_index, _eye_like, _while, size_value

__all__ = ["hermitian_eigen", "complex_one_sided_jacobi"]

C = tuple  # a complex Value as its (real, imaginary) parts


def _pad_pair(x: C, axes, nv: Value):
    re, mv, m = _pad_even(x[0], axes, nv)
    im = _pad_even(x[1], axes, nv)[0]
    if im.shape != re.shape:
        im = _ops.bind("Identity", [im], [im.dtype], lambda: [re.shape])[0]
    return (re, im), mv, m


def complex_one_sided_jacobi(b: C, want_vectors: bool, max_sweeps: int = MAX_SWEEPS,
                             tight: bool = False):
    """Rotate the columns of complex (..., rows, n) ``b`` until they are orthogonal: the
    modulus of every pair's cosine at most ``rows eps`` (``sqrt(rows) eps`` when ``tight``).

    The real method's loops (``_linalg_jacobi.one_sided_jacobi``): sweeps while a pair is
    not orthogonal, each of m - 1 rounds that rotate every pair (no threshold), on ``b^T`` and
    ``V^T`` (columns as rows: onnxruntime gathers rows much faster). Member j of a pair with
    partner k and Gram entry ``g_j = b_j^H b_k = |g| phi_j`` takes ``b_j <- c (b_j + t_j
    conj(phi_j) b_k)``, (c, t_j) the real rotation of ``_turn`` for the squared norms and
    ``2 |g|``: with ``t_k = -t_j`` and ``phi_k = conj(phi_j)`` this is the unitary
    ``[[c, -s phi], [s conj(phi), c]]`` that zeroes g.

    Returns ``(b pair, vectors pair (..., n, n) or None, failed (..., 1) bool)``.
    """
    n = b[0].shape[-1]
    nd = len(b[0].shape)
    nv = size_value(b[0], -1)
    rows_v = size_value(b[0], -2)
    bt, mv, m = _pad_pair((_mT(b[0]), _mT(b[1])), (-2,), nv)  # (..., m, rows)
    re = bt[0]
    tabs = _Rounds(_Schedule(mv, m), re)
    eps = float(np.finfo(re.dtype.numpy).eps)
    tol = _ops.cast(_ops.binary("Max", rows_v, _i64(1)), re.dtype)
    tol = _mul(_ops.unary("Sqrt", tol) if tight else tol, _c(eps, re))
    tol2 = _ops.reshape(_mul(tol, tol), [1] * nd)
    # a column shorter than eps * ||B||_F is numerically zero: the sweep test leaves it out
    total = _add(*(_ops.reduce("ReduceSumSquare", p, [-2, -1], False) for p in bt))
    floor_col = _ops.unsqueeze(_mul(_c(eps * eps, re), total), [nd - 2, nd - 1])
    rws, cls = _column_index(mv, m)
    upper = _cmp("Less", rws, cls)
    eye = _ops.cast(_cmp("Equal", rws, cls), re.dtype)
    tiny = _k(float(np.finfo(re.dtype.numpy).tiny), re)

    def matmul(x: Value, y: Value) -> Value:
        return _ops.bind("MatMul", [x, y], [x.dtype], lambda: [x.shape[:-1] + (m,)])[0]

    def unsettled(bt: C, margin: float) -> Value:  # (...) bool; NaN counts as settled
        br, bi = bt
        # Re(B^H B) = [br, bi] [br, bi]^T, -Im(B^H B) = [bi, -br] [br, bi]^T
        x = _ops.concat([br, bi], nd - 1)
        xt = _mT(x)
        gr = matmul(x, xt)
        gi = matmul(_ops.concat([bi, _ops.unary("Neg", br)], nd - 1), xt)
        alpha = _sum(_mul(gr, eye), -1, True)  # (..., m, 1): its diagonal
        big = _mul(_mul(_c(margin * margin, re), tol2), _mul(alpha, _mT(alpha)))
        live = _ops.binary("And", upper, _cmp("Greater", _ops.binary("Min", alpha, _mT(alpha)),
                                              _mul(_c(margin, re), floor_col)))
        excess = _ops.where(live, _sub(_add(_mul(gr, gr), _mul(gi, gi)), big), _c(-1, re))
        return _cmp("Greater", _ops.reduce("ReduceMax", excess, [-2, -1], False), _c(0, re))

    def gather(x: Value, partner: Value) -> Value:
        return _ops.bind("Gather", [x, partner], [x.dtype], lambda: [x.shape],
                         (("axis", nd - 2),))[0]

    def turned(x: C, other: C, c: Value, tr: Value, ti: Value) -> C:
        """c (x_j + tau_j x_k), tau = tr - i ti."""
        (xr, xi), (kr, ki) = x, other
        return (_mul(c, _add(xr, _add(_mul(tr, kr), _mul(ti, ki)))),
                _mul(c, _add(xi, _sub(_mul(tr, ki), _mul(ti, kr)))))

    def round_(r, carry):
        alpha, br, bi = carry[:3]  # alpha (..., m, 1): the squared norms of bt's rows
        partner, half_sign = tabs.row(tabs.partner, r), tabs.row(tabs.half_sign, r)
        kr, ki = gather(br, partner), gather(bi, partner)
        # g_j = b_j^H b_k; g_k = conj(g_j), but the two sums round differently (onnxruntime's
        # reductions round by the row's place in memory), and members that disagree make an
        # update that is not a rotation (clustered singular values stalled): both take
        # g_j + conj(g_k) = 2 g_j, the same sums in the same order
        gr = _sum(_add(_mul(br, kr), _mul(bi, ki)), -1, True)
        gi = _sum(_sub(_mul(br, ki), _mul(bi, kr)), -1, True)
        gr, gi = _add(gr, gather(gr, partner)), _sub(gi, gather(gi, partner))
        two = _ops.unary("Sqrt", _add(_mul(gr, gr), _mul(gi, gi)))  # 2 |g|
        c, t = _turn(_sub(alpha, gather(alpha, partner)), two, half_sign)
        # tau_j = t_j conj(phi_j), phi_j = g_j / |g| (any phase where g = 0: then t = 0)
        scale = _div(t, _ops.binary("Max", two, tiny))
        tr, ti = _mul(scale, gr), _mul(scale, gi)
        # the rotation moves t |g| from p's squared norm to q's (or back)
        out = [_add(alpha, _mul(_mul(t, two), _k(0.5, re))),
               *turned((br, bi), (kr, ki), c, tr, ti)]
        if want_vectors:
            vt = carry[3], carry[4]
            out.extend(turned(vt, tuple(gather(p, partner) for p in vt), c, tr, ti))
        return out

    # carry: sweeps done, which matrices are unsettled (the sweep test, made at the end of
    # each sweep), the parts of b^T (and of V^T)
    def sweep(carry):
        br, bi = carry[2], carry[3]
        alpha = _sum(_add(_mul(br, br), _mul(bi, bi)), -1, True)
        out = _fori(tabs.rounds, round_, [alpha, *carry[2:]])[1:]
        return [_add(carry[0], _i64(1)), unsettled((out[0], out[1]), MARGIN), *out]

    def cond(carry):
        return _ops.binary("And", _cmp("Less", carry[0], _i64(max_sweeps)),
                           _batch_any(carry[1]))

    init = [_i64(0), _cmp("Equal", total, total), bt[0], bt[1]]  # unsettled unless NaN
    if want_vectors:
        eye = _eye_like(re, m, mv)
        init.extend([eye, _mul(eye, _c(0, re))])
    out = _while(cond, sweep, init)
    bt = (out[2], out[3])
    total = _add(*(_ops.reduce("ReduceSum", p, [-2, -1], False) for p in bt))
    failed = _ops.unsqueeze(_ops.binary("Or", out[1], _ops.unary("Not", _finite(total))),
                            [nd - 2])
    b = tuple(_mT(_first(p, nv, n, -2)) for p in bt)
    vecs = None
    if want_vectors:
        vecs = tuple(_mT(_first(_first(v, nv, n, -1), nv, n, -2)) for v in out[4:6])
    return b, vecs, failed


def hermitian_eigen(a: C, want_vectors: bool, max_sweeps: int = MAX_SWEEPS):
    """Diagonalize Hermitian (..., n, n) ``a`` (of largest magnitude about 1) as
    ``_linalg_jacobi.symmetric_eigen`` does a real one: one-sided rotations of ``a + sigma I``
    (positive definite, condition number at most 3), whose normalized columns are a's
    eigenvectors and their Rayleigh quotients its eigenvalues.

    Returns ``(eigenvalues (..., n), vectors pair (..., n, n) or None, failed (..., 1))``.
    """
    re, im = a
    frob = _ops.unary("Sqrt", _add(*(_ops.reduce("ReduceSumSquare", p, [-2, -1], True)
                                     for p in a)))
    mod = _ops.unary("Sqrt", _add(_mul(re, re), _mul(im, im)))
    rowsum = _ops.reduce("ReduceMax", _sum(mod, -1, True), [-2], True)
    shift = _ops.binary("Max", _mul(_ops.binary("Min", frob, rowsum), _c(2.0, re)), _c(1.0, re))
    b = (_add(re, _mul(shift, _eye_like(re, re.shape[-1], size_value(re, -1)))), im)
    b, _, failed = complex_one_sided_jacobi(b, False, max_sweeps, tight=True)
    norms = _ops.unary("Sqrt", _sum(_add(_mul(b[0], b[0]), _mul(b[1], b[1])), -2, True))
    ur, ui = _div(b[0], norms), _div(b[1], norms)

    def mm(x: Value, y: Value) -> Value:
        return _ops.bind("MatMul", [x, y], [x.dtype], lambda: [x.shape[:-1] + y.shape[-1:]])[0]

    # Re(u^H a u), column by column
    ar = _sub(mm(re, ur), mm(im, ui))
    ai = _add(mm(re, ui), mm(im, ur))
    w = _sum(_add(_mul(ur, ar), _mul(ui, ai)), -2, False)
    return w, ((ur, ui) if want_vectors else None), failed
