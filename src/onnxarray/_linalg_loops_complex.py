"""The complex factorizations on (real, imaginary) pairs as ONNX ``Loop``s (see ``_linalg_loops``
for the real ones, whose structure these follow).

- ``eliminate``: LU with partial pivoting on the largest |re| + |im| (LAPACK's
  izamax), carrying the product of the pivots (a complex product has no ONNX reduction).
- ``cholesky``: the outer-product algorithm with ``col @ col^H``; the diagonal is real.
- ``householder``: reflectors ``I - 2 v v^H / (v^H v)`` with ``v = x + e^(i arg x_k) |x| e_k``,
  so that the k-th entry does not cancel.
"""

from __future__ import annotations

from . import _dtypes as D
from . import _ops
from ._linalg_base import _add, _c, _cmp, _div, _mT, _mul, _sub, _sum
from ._linalg_loops import _column_index, _eye_like, _fori, _take, columns, size_value
from ._linear_algebra_functions import _mm

__all__ = ["eliminate", "cholesky", "householder"]

C = tuple  # a complex Value as its (real, imaginary) parts


def _cmul(x: C, y: C) -> C:
    (a, b), (c, d) = x, y
    return _sub(_mul(a, c), _mul(b, d)), _add(_mul(a, d), _mul(b, c))


def _cdiv(x: C, y: C) -> C:
    """``x / y`` with ``y`` divided by its larger part first (no overflow of |y|^2)."""
    (a, b), (c, d) = x, y
    big = _ops.binary("Max", _ops.unary("Abs", c), _ops.unary("Abs", d))
    big = _ops.where(_cmp("Equal", big, _c(0, big)), _c(1, big), big)
    c, d = _div(c, big), _div(d, big)
    den = _mul(_add(_mul(c, c), _mul(d, d)), big)
    return _div(_add(_mul(a, c), _mul(b, d)), den), _div(_sub(_mul(b, c), _mul(a, d)), den)


def _cmm(x: C, y: C) -> C:
    (a, b), (c, d) = x, y
    return _sub(_mm(a, c), _mm(b, d)), _add(_mm(a, d), _mm(b, c))


def _phase(x: C) -> C:
    """``x / |x|``, 0 where x is zero; |x| scaled like hypot."""
    big = _ops.binary("Max", _ops.unary("Abs", x[0]), _ops.unary("Abs", x[1]))
    is_zero = _cmp("Equal", big, _c(0, big))
    safe = _ops.where(is_zero, _c(1, big), big)
    r, i = _div(x[0], safe), _div(x[1], safe)
    mag = _ops.unary("Sqrt", _add(_mul(r, r), _mul(i, i)))
    mag = _ops.where(is_zero, _c(1, big), mag)
    return (_ops.where(is_zero, _c(0, big), _div(r, mag)),
            _ops.where(is_zero, _c(0, big), _div(i, mag)))


def eliminate(a: C, phases: bool = False):
    """Partial-pivoting LU elimination of complex square (..., n, n) ``a``. Returns
    ``(a, None, perm, pivots, product)``: perm (..., n, n) bool, the pivots and the product
    of the pivots (of their phases with ``phases``) as pairs, (..., 1, n) and (..., 1, 1)."""
    re = a[0]
    n = re.shape[-1]
    nd = len(re.shape)
    nv = size_value(re, -1)
    rows, cols = _column_index(nv, n)
    zero = _c(0, re)
    row_shape = _ops.concat([_ops.shape_of(re, 0, nd - 2), _ops.i64([1]),
                             _ops.dim_of(re, -1)], 0)
    row_dims = re.shape[:-2] + (1, re.shape[-1])
    used0 = _ops.expand_to(_ops.const(False, D.bool),
                           _ops.concat([_ops.shape_of(re, 0, nd - 1), _ops.i64([1])], 0),
                           re.shape[:-1] + (1,))
    piv0 = _ops.expand_to(_ops.const(0, D.int64),
                          _ops.concat([_ops.shape_of(re, 0, nd - 2), _ops.i64([1]),
                                       _ops.dim_of(re, -1)], 0), re.shape[:-2] + (1, n))
    one = _ops.expand_to(_c(1, re), _ops.concat([_ops.shape_of(re, 0, nd - 2),
                                                  _ops.i64([1, 1])], 0), re.shape[:-2] + (1, 1))

    def body(k, carry):
        ar, ai, used, piv, pr, pi = carry
        colk = (_take(ar, k, -1), _take(ai, k, -1))
        mag = _add(_ops.unary("Abs", colk[0]), _ops.unary("Abs", colk[1]))
        cand = _ops.where(used, _c(-1, re), mag)
        p = _ops.bind("ArgMax", [cand], [D.int64], lambda: [re.shape[:-2] + (1, 1)],
                      (("axis", nd - 2), ("keepdims", 1)))[0]
        onehot = _cmp("Equal", rows, p)
        idx = _ops.expand_to(p, row_shape, row_dims)
        prow = tuple(_ops.bind("GatherElements", [x, idx], [x.dtype], lambda: [row_dims],
                               (("axis", nd - 2),))[0] for x in (ar, ai))
        pivot = (_take(prow[0], k, -1), _take(prow[1], k, -1))
        now_used = _ops.binary("Or", used, onehot)
        targets = _ops.unary("Not", now_used)
        nonzero = _ops.unary("Not", _ops.binary("And", _cmp("Equal", pivot[0], zero),
                                                _cmp("Equal", pivot[1], zero)))
        ok = _ops.binary("And", targets, nonzero)
        f = tuple(_ops.where(ok, x, zero) for x in _cdiv(colk, pivot))
        fr, fi = _cmul(f, prow)
        return [_sub(ar, fr), _sub(ai, fi), now_used,
                _ops.where(_cmp("Equal", cols, k), p, piv),
                *_cmul((pr, pi), _phase(pivot) if phases else pivot)]

    ar, ai, _, piv, pr, pi = _fori(nv, body, [re, a[1], used0, piv0, one,
                                              _mul(one, zero)])
    perm = _cmp("Equal", rows, piv)
    pivots = tuple(_sum(_ops.where(perm, x, zero), -2, True) for x in (ar, ai))
    return (ar, ai), None, perm, pivots, (pr, pi)


def cholesky(s: C) -> C:
    """The lower Cholesky factor of Hermitian (..., n, n) ``s`` (the full matrix)."""
    re = s[0]
    n = re.shape[-1]
    nv = size_value(re, -1)
    rows, _ = _column_index(nv, n)
    zero = _c(0, re)

    def body(j, carry):
        sr, si = carry
        cr, ci = _take(sr, j, -1), _take(si, j, -1)
        d = _ops.unary("Sqrt", _take(cr, j, -2))
        cr = _ops.where(_cmp("GreaterOrEqual", rows, j), _div(cr, d), zero)
        ci = _ops.where(_cmp("Greater", rows, j), _div(ci, d), zero)  # a real diagonal
        # col @ col^H
        outer_r = _add(_mul(cr, _mT(cr)), _mul(ci, _mT(ci)))
        outer_i = _sub(_mul(ci, _mT(cr)), _mul(cr, _mT(ci)))
        return [_sub(sr, outer_r), _sub(si, outer_i)], [cr, ci]

    low = columns(body, [s[0], s[1]], nv, re)[1]
    return low[0], low[1]


def householder(a: C, want_q: bool, trip) -> tuple[C | None, C]:
    """``a = q @ r`` for complex (..., m, n) ``a``: q unitary (if ``want_q``), r upper
    triangular; ``trip`` (0-d int64) reflections, min(m - 1, n)."""
    re = a[0]
    m = re.shape[-2]
    mv = size_value(re, -2)
    rows, _ = _column_index(mv, m)
    zero = _c(0, re)
    one = _c(1, re)

    def body(k, carry):
        rr, ri = carry[:2]
        below = _cmp("GreaterOrEqual", rows, k)
        xr = _ops.where(below, _take(rr, k, -1), zero)
        xi = _ops.where(below, _take(ri, k, -1), zero)
        # divided by its largest part, |x| >= 1 unless x is zero (see the real version)
        big = _ops.reduce("ReduceMax", _ops.binary("Max", _ops.unary("Abs", xr),
                                                   _ops.unary("Abs", xi)), [-2], True)
        big = _ops.where(_cmp("Equal", big, zero), one, big)
        xr, xi = _div(xr, big), _div(xi, big)
        kr, ki = _take(xr, k, -2), _take(xi, k, -2)
        norm = _ops.unary("Sqrt", _sum(_add(_mul(xr, xr), _mul(xi, xi)), -2, True))
        kabs = _ops.unary("Sqrt", _add(_mul(kr, kr), _mul(ki, ki)))
        at_zero = _cmp("Equal", kabs, zero)
        safe = _ops.where(at_zero, one, kabs)
        # v_k = x_k + e^(i arg x_k) |x|: the two terms have one phase and do not cancel
        ph_r = _ops.where(at_zero, one, _div(kr, safe))
        ph_i = _ops.where(at_zero, zero, _div(ki, safe))
        at_k = _cmp("Equal", rows, k)
        vr = _ops.where(at_k, _add(kr, _mul(ph_r, norm)), xr)
        vi = _ops.where(at_k, _add(ki, _mul(ph_i, norm)), xi)
        vv = _sum(_add(_mul(vr, vr), _mul(vi, vi)), -2, True)
        beta = _ops.where(_cmp("Equal", vv, zero), zero, _div(_c(2, re), vv))
        bvh = (_mul(beta, _mT(vr)), _ops.unary("Neg", _mul(beta, _mT(vi))))  # beta v^H
        v = (vr, vi)
        out = list(_sub_pair((rr, ri), _cmul(v, _cmm(bvh, (rr, ri)))))
        if want_q:
            q = carry[2], carry[3]
            out.extend(_sub_pair(q, _cmul(_cmm(q, v), bvh)))
        return out

    init = [a[0], a[1]]
    if want_q:
        eye = _eye_like(re, m, mv)
        init += [eye, _mul(eye, zero)]
    out = _fori(trip, body, init)
    n = re.shape[-1]
    _, cols = _column_index(size_value(re, -1), n)
    upper = _cmp("LessOrEqual", rows, cols)
    r = tuple(_ops.where(upper, x, zero) for x in out[:2])
    return ((out[2], out[3]) if want_q else None), r


def _sub_pair(x: C, y: C) -> C:
    return _sub(x[0], y[0]), _sub(x[1], y[1])
