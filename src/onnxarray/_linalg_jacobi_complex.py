"""Complex Jacobi methods on (real, imaginary) pairs, as ONNX ``Loop``s (see ``_linalg_jacobi``).

The rotation of a pair (p, q) with entry ``a_pq = |a_pq| e^(i phi)`` is ``J = D R D^H``:
``J_pp = J_qq = c``, ``J_pq = s e^(i phi)``, ``J_qp = -s e^(-i phi)``, where the real rotation
(c, s) zeroes the real 2x2 problem with off-diagonal |a_pq|. In index space, with k the
partner of j and ``e_j`` the phase of the entry in row j and column k:

- rows (``J^H x``): ``x_j <- c x_j + sigma_j x_k`` with ``sigma_j = sgn_j s e_j``,
- columns (``x J``): ``x_j <- c x_j + conj(sigma_j) x_k``,

where sgn_j is -1 for p and +1 for q. Both members of a pair read the same entry, so they
compute the same c, s and conjugate phases.
"""

from __future__ import annotations

import numpy as np

from . import _ops
from ._graph import Dim, Value
from ._linalg_base import _add, _c, _cmp, _div, _mT, _mul, _sub, _sum
from ._linalg_jacobi import (
    MAX_SWEEPS,
    _calm0,
    _finite,
    _first,
    _i64,
    _loop,
    _pad_even,
    _rotation,
    _Schedule,
    _settle,
)
from ._linalg_loops import _column_index, _eye_like, size_value

__all__ = ["hermitian_jacobi", "complex_one_sided_jacobi"]

C = tuple  # a complex Value as its (real, imaginary) parts


def _gather(x: Value, idx: Value, axis: int, shape) -> Value:
    axis %= len(x.shape)
    return _ops.bind("Gather", [x, idx], [x.dtype], lambda: [shape], (("axis", axis),))[0]


def _update(x: C, other: C, c: Value, sr: Value, si: Value, columns: bool) -> C:
    """``c x + sigma other`` for rows, ``c x + conj(sigma) other`` for columns."""
    (xr, xi), (kr, ki) = x, other
    if columns:
        si = _ops.unary("Neg", si)
    return (_add(_mul(c, xr), _sub(_mul(sr, kr), _mul(si, ki))),
            _add(_mul(c, xi), _add(_mul(sr, ki), _mul(si, kr))))


def _apply(x: C, partner: Value, c: Value, sr: Value, si: Value, axis: int) -> C:
    other = tuple(_gather(p, partner, axis, p.shape) for p in x)
    return _update(x, other, c, sr, si, columns=axis % len(x[0].shape) == len(x[0].shape) - 1)


def _pad_pair(x: C, axes, nv: Value):
    re, mv, m = _pad_even(x[0], axes, nv)
    im = _pad_even(x[1], axes, nv)[0]
    if im.shape != re.shape:
        im = _ops.bind("Identity", [im], [im.dtype], lambda: [re.shape])[0]
    return (re, im), mv, m


def hermitian_jacobi(a: C, want_vectors: bool, max_sweeps: int = MAX_SWEEPS):
    """Diagonalize Hermitian (..., n, n) ``a`` (of largest magnitude about 1).

    Returns ``(real diagonal (..., n), vectors (pair, (..., n, n)) or None, failed (..., 1))``.
    """
    n = a[0].shape[-1]
    nd = len(a[0].shape)
    nv = size_value(a[0], -1)
    a, mv, m = _pad_pair(a, (-2, -1), nv)
    re = a[0]
    sched = _Schedule(mv, m)
    eps = float(np.finfo(re.dtype.numpy).eps)
    norm2 = _add(*(_ops.reduce("ReduceSumSquare", p, [-2, -1], False) for p in a))
    tol = _ops.unsqueeze(_mul(_c(eps, re), _ops.unary("Sqrt", norm2)), [nd - 2])  # (..., 1)
    flat_shape = re.shape[:-2] + (Dim(),)
    flat_dims = _ops.concat([_ops.shape_of(re, 0, nd - 2),
                             _ops.reshape(_ops.binary("Mul", mv, mv), [1])], 0)
    rows, cols = _column_index(mv, m)
    diag_idx = _ops.squeeze(_ops.binary("Mul", rows, _add(mv, _i64(1))), [1])
    zero = _c(0, re)

    def flat(v):
        return _ops.bind("Reshape", [v, flat_dims], [v.dtype], lambda: [flat_shape],
                         (("allowzero", 1),))[0]

    def body(carry):
        it, calm, ar, ai = carry[:4]
        r = _ops.binary("Mod", it, sched.rounds)
        partner, sign = sched.row(sched.partner, r), sched.row(sched.sign, r)
        sgn = _ops.cast(sign, re.dtype)
        fr, fi = flat(ar), flat(ai)
        vec_shape = re.shape[:-1]
        diag = _gather(fr, diag_idx, nd - 2, vec_shape)
        other = _gather(diag, partner, nd - 2, vec_shape)
        pq = sched.row(sched.flat, r)
        er, ei = _gather(fr, pq, nd - 2, vec_shape), _gather(fi, pq, nd - 2, vec_shape)
        mag = _ops.unary("Sqrt", _add(_mul(er, er), _mul(ei, ei)))
        rotate = _cmp("Greater", mag, tol)
        c, s = _rotation(_mul(sgn, _sub(diag, other)), mag)
        safe = _ops.where(rotate, mag, _c(1, re))
        # sigma_j = sgn_j s e_j, e_j = (er, -sgn_j ei) / |a_pq|: the entry of row j
        sr = _ops.where(rotate, _div(_mul(_mul(sgn, s), er), safe), zero)
        si = _ops.where(rotate, _div(_ops.unary("Neg", _mul(s, ei)), safe), zero)
        c = _ops.where(rotate, c, _c(1, re))
        c_r, sr_r, si_r = (_ops.unsqueeze(v, [nd - 1]) for v in (c, sr, si))
        # J^H A J as (J^H (J^H A)^H)^H: rows only (onnxruntime gathers columns ~40x slower)
        ar, ai = _apply((ar, ai), partner, c_r, sr_r, si_r, -2)
        ar, ai = _apply((_mT(ar), _ops.unary("Neg", _mT(ai))), partner, c_r, sr_r, si_r, -2)
        ar, ai = _mT(ar), _ops.unary("Neg", _mT(ai))
        # zero the rotated pairs' entries by a product with a mask (a Where is ~15x slower)
        paired = _ops.cast(_cmp("Equal", cols, _ops.unsqueeze(partner, [1])), re.dtype)
        keep = _sub(_c(1, re), _mul(paired, _ops.unsqueeze(_ops.cast(rotate, re.dtype),
                                                           [nd - 1])))
        out = [_add(it, _i64(1)), _settle(calm, rotate, nd - 2), _mul(ar, keep),
               _mul(ai, keep)]
        if want_vectors:  # V^H, rotated by rows: (V J)^H = J^H V^H
            out.extend(_apply((carry[4], carry[5]), partner, c_r, sr_r, si_r, -2))
        return out

    init = [_i64(0), _calm0(re), a[0], a[1]]
    if want_vectors:
        init.extend([_eye_like(re, m, mv), _ops.binary("Mul", _eye_like(re, m, mv), zero)])
    out = _loop(body, init, sched.rounds, max_sweeps)
    calm = out[1]
    if want_vectors:  # back from V^H
        out[4], out[5] = _mT(out[4]), _ops.unary("Neg", _mT(out[5]))
    diag = _sum(_ops.where(_cmp("Equal", rows, cols), out[2], zero), -1, False)  # (..., m)
    total = _add(_sum(diag, -1, True), _sum(_sum(out[3], -1, False), -1, True))
    failed = _ops.binary("Or", _cmp("Less", calm, sched.rounds),
                         _ops.unary("Not", _finite(total)))
    diag = _first(diag, nv, n, -1)
    vecs = None
    if want_vectors:
        vecs = tuple(_first(_first(v, nv, n, -1), nv, n, -2) for v in out[4:6])
    return diag, vecs, failed


def complex_one_sided_jacobi(b: C, want_vectors: bool, max_sweeps: int = MAX_SWEEPS):
    """Rotate the columns of complex (..., rows, n) ``b`` until they are orthogonal.

    Returns ``(b pair, vectors pair (..., n, n) or None, failed (..., 1) bool)``. The loop
    works on the transposes (columns as rows: onnxruntime gathers rows much faster).
    """
    n = b[0].shape[-1]
    nd = len(b[0].shape)
    nv = size_value(b[0], -1)
    rows_v = size_value(b[0], -2)
    bt, mv, m = _pad_pair((_mT(b[0]), _mT(b[1])), (-2,), nv)  # (..., m, rows)
    re = bt[0]
    sched = _Schedule(mv, m)
    eps = float(np.finfo(re.dtype.numpy).eps)
    tol = _mul(_ops.cast(_ops.binary("Max", rows_v, _i64(1)), re.dtype), _c(eps, re))
    total = _add(*(_ops.reduce("ReduceSumSquare", p, [-2, -1], False) for p in bt))
    floor = _ops.unsqueeze(_mul(_c(eps * eps, re), total), [nd - 2])
    zero = _c(0, re)

    def body(carry):
        it, calm, br, bi = carry[:4]
        r = _ops.binary("Mod", it, sched.rounds)
        partner, sign = sched.row(sched.partner, r), sched.row(sched.sign, r)
        sgn = _ops.cast(sign, re.dtype)
        kr, ki = (_gather(p, partner, nd - 2, p.shape) for p in (br, bi))
        alpha = _sum(_add(_mul(br, br), _mul(bi, bi)), -1, False)
        beta = _gather(alpha, partner, nd - 2, alpha.shape)
        # gamma_j = b_j^H b_k: the Gram entry of row j and column k
        gr = _sum(_add(_mul(br, kr), _mul(bi, ki)), -1, False)
        gi = _sum(_sub(_mul(br, ki), _mul(bi, kr)), -1, False)
        # gamma_k = conj(gamma_j), but the two sums round differently (onnxruntime's reductions
        # round by the row's place in memory), and members that disagree make an update that
        # is not a rotation (clustered singular values stalled until the cap): average them
        half = _c(0.5, re)
        gr, gi = (_mul(_add(gr, _gather(gr, partner, nd - 2, gr.shape)), half),
                  _mul(_sub(gi, _gather(gi, partner, nd - 2, gi.shape)), half))
        mag = _ops.unary("Sqrt", _add(_mul(gr, gr), _mul(gi, gi)))
        rotate = _ops.binary("And", _cmp("Greater", mag, _mul(tol, _ops.unary(
            "Sqrt", _mul(alpha, beta)))), _cmp("Greater", _ops.binary("Min", alpha, beta), floor))
        c, s = _rotation(_mul(sgn, _sub(alpha, beta)), mag)
        safe = _ops.where(rotate, mag, _c(1, re))
        ss = _mul(sgn, s)
        sr = _ops.unsqueeze(_ops.where(rotate, _div(_mul(ss, gr), safe), zero), [nd - 1])
        si = _ops.unsqueeze(_ops.where(rotate, _div(_mul(ss, gi), safe), zero), [nd - 1])
        c = _ops.unsqueeze(_ops.where(rotate, c, _c(1, re)), [nd - 1])
        # a column of B J is c b_j + conj(sigma_j) b_k: the column formula, on rows of B^T
        br, bi = _update((br, bi), (kr, ki), c, sr, si, columns=True)
        out = [_add(it, _i64(1)), _settle(calm, rotate, nd - 2), br, bi]
        if want_vectors:
            vt = carry[4], carry[5]
            other = tuple(_gather(p, partner, nd - 2, p.shape) for p in vt)
            out.extend(_update(vt, other, c, sr, si, columns=True))
        return out

    init = [_i64(0), _calm0(re), bt[0], bt[1]]
    if want_vectors:
        init.extend([_eye_like(re, m, mv), _ops.binary("Mul", _eye_like(re, m, mv), zero)])
    out = _loop(body, init, sched.rounds, max_sweeps)
    calm = out[1]
    total = _add(*(_sum(_sum(p, -1, False), -1, True) for p in out[2:4]))
    failed = _ops.binary("Or", _cmp("Less", calm, sched.rounds),
                         _ops.unary("Not", _finite(total)))
    b = tuple(_mT(_first(p, nv, n, -2)) for p in out[2:4])
    vecs = None
    if want_vectors:
        vecs = tuple(_mT(_first(_first(v, nv, n, -1), nv, n, -2)) for v in out[4:6])
    return b, vecs, failed
