"""Complex factorizations and solvers of the linalg extension, on (real, imaginary) pairs.

onnxruntime computes nothing in complex, so these are the algorithms of
``_linalg_factorizations`` with complex arithmetic written out on the real and imaginary parts
(a complex matrix is a pair of real Values here; ``parts`` and ``join`` convert at the ends):

- det, slogdet: LU elimination with partial pivoting; the pivot is the largest |re| + |im| of
  the column, as in LAPACK's izamax. (solve and inv take the real system of twice the size.)
- cholesky: the outer-product algorithm with ``col @ col^H``; the diagonal is real.
- qr: Householder reflectors ``I - 2 v v^H / (v^H v)`` with ``v = x + e^(i arg x_k) |x| e_k``,
  so that the k-th entry does not cancel; R's diagonal is complex in general.
- eigh, eigvalsh: Jacobi rotations ``J = D R D^H``: the diagonal phase D makes the pivot
  ``a_pq`` real and R is the real rotation that zeroes it. Eigenvalues are real.
- svd, svdvals: one-sided Jacobi with the same rotations, built from the entries of the Gram
  matrix of each column pair; U is completed by a complex QR, like the real version.

eig and eigvals (real or complex input) are in ``_linalg_eig``, on loops.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _linalg_loops_complex as _lc
from . import _ops, lax
from ._array_object import Array
from ._complex import join, parts
from ._graph import Value
from ._linalg_base import (
    _add,
    _c,
    _cmp,
    _cols,
    _div,
    _mT,
    _mul,
    _rows,
    _sub,
    _sum,
    _top_k,
)
from ._linalg_jacobi import MAX_SWEEPS
from ._linalg_jacobi_complex import complex_one_sided_jacobi, hermitian_eigen
from ._linalg_loops import (
    _column_index,
    diagonal,
    nan_where,
    permutation_sign,
    size_value,
)
from ._linear_algebra_functions import _mm

C = tuple  # a complex Value as its (real, imaginary) parts


# ---------------------------------------------------------------------------------------------
# complex arithmetic on pairs


def _neg(v: Value) -> Value:
    return _ops.unary("Neg", v)


def _abs(v: Value) -> Value:
    return _ops.unary("Abs", v)


def _max(a: Value, b: Value) -> Value:
    return _ops.binary("Max", a, b)


def cadd(x: C, y: C) -> C:
    return _add(x[0], y[0]), _add(x[1], y[1])


def csub(x: C, y: C) -> C:
    return _sub(x[0], y[0]), _sub(x[1], y[1])


def cmul(x: C, y: C) -> C:
    (a, b), (c, d) = x, y
    return _sub(_mul(a, c), _mul(b, d)), _add(_mul(a, d), _mul(b, c))


def cscale(x: C, r: Value) -> C:
    """``x`` times the real ``r``."""
    return _mul(x[0], r), _mul(x[1], r)


def cdivr(x: C, r: Value) -> C:
    """``x`` divided by the real ``r`` (not times 1 / r, which overflows for tiny r)."""
    return _div(x[0], r), _div(x[1], r)


def cdiv(x: C, y: C) -> C:
    """``x / y``, with ``y`` divided by its larger part first so that |y|^2 cannot overflow."""
    (a, b), (c, d) = x, y
    big = _max(_abs(c), _abs(d))
    big = _ops.where(_cmp("Equal", big, _c(0, big)), _c(1, big), big)
    c, d = _div(c, big), _div(d, big)
    den = _mul(_add(_mul(c, c), _mul(d, d)), big)
    return (_div(_add(_mul(a, c), _mul(b, d)), den),
            _div(_sub(_mul(b, c), _mul(a, d)), den))


def cabs(x: C) -> Value:
    """|x|, scaled like hypot."""
    a, b = x
    big = _max(_abs(a), _abs(b))
    safe = _ops.where(_cmp("Equal", big, _c(0, big)), _c(1, big), big)
    a, b = _div(a, safe), _div(b, safe)
    return _mul(big, _ops.unary("Sqrt", _add(_mul(a, a), _mul(b, b))))


def cphase(x: C, mag: Value, at_zero: float) -> C:
    """``x / |x|``; ``at_zero`` (real) where x is zero."""
    zero = _cmp("Equal", mag, _c(0, mag))
    safe = _ops.where(zero, _c(1, mag), mag)
    return (_ops.where(zero, _c(at_zero, mag), _div(x[0], safe)),
            _ops.where(zero, _c(0, mag), _div(x[1], safe)))


def cwhere(cond: Value, x: C, y: C) -> C:
    return _ops.where(cond, x[0], y[0]), _ops.where(cond, x[1], y[1])


def cmm(x: C, y: C) -> C:
    (a, b), (c, d) = x, y
    return _sub(_mm(a, c), _mm(b, d)), _add(_mm(a, d), _mm(b, c))


def cH(x: C) -> C:
    """The conjugate transpose of the last two axes."""
    return _mT(x[0]), _neg(_mT(x[1]))


def czero(like: Value) -> C:
    return _c(0, like), _c(0, like)


def cmap(fn, x: C) -> C:
    """A structural function (slice, gather, reshape) applied to both parts."""
    return fn(x[0]), fn(x[1])


def cconcat(xs: list, axis: int) -> C:
    return _ops.concat([x[0] for x in xs], axis), _ops.concat([x[1] for x in xs], axis)


def max_magnitude(x: C) -> Value:
    """The largest |re| or |im| of each matrix, (..., 1, 1); 1 for a zero matrix."""
    m = _ops.reduce("ReduceMax", _max(_abs(x[0]), _abs(x[1])), [-2, -1], True)
    return _ops.where(_cmp("Equal", m, _c(0, m)), _c(1, m), m)


# ---------------------------------------------------------------------------------------------
# LU elimination


def _squeeze2(x: C) -> C:
    return cmap(lambda v: _ops.squeeze(v, [-2, -1]), x)


def det(v: Value, n) -> Value:
    _, _, perm, _, product = _lc.eliminate(parts(v))
    out = cscale(product, permutation_sign(perm, product[0]))
    return join(*_squeeze2(out))


def slogdet(v: Value, n) -> tuple[Value, Value]:
    """The sign (a unit complex number, 0 for a singular matrix) and log |det|."""
    _, _, perm, pivots, sign = _lc.eliminate(parts(v), phases=True)
    sign = cscale(sign, permutation_sign(perm, sign[0]))
    logs = _ops.unary("Log", cabs(pivots))
    return join(*_squeeze2(sign)), _ops.reduce("ReduceSum", logs, [-2, -1], False)


# ---------------------------------------------------------------------------------------------
# Cholesky and QR


def cholesky(v: Value, n, upper: bool) -> Value:
    """Hermitian positive-definite input, read from the lower triangle; L has a real diagonal."""
    low = _lc.cholesky(parts(v))
    return join(*(cH(low) if upper else low))


def _reflections(v: Value) -> Value:
    m, n = v.shape[-2:]
    if type(m) is int and type(n) is int:
        return _ops.const(max(min(m - 1, n), 0), D.int64)
    one = _ops.const(1, D.int64)
    return _ops.binary("Max", _ops.binary("Min", _ops.binary("Sub", size_value(v, -2), one),
                                          size_value(v, -1)), _ops.const(0, D.int64))


def householder(a: C, want_q: bool) -> tuple[C | None, C]:
    """``a = q @ r`` with q (..., m, m) unitary (if ``want_q``) and r upper triangular."""
    return _lc.householder(a, want_q, _reflections(a[0]))


def qr(v: Value, k: int) -> tuple[Value, Value]:
    a = parts(v)
    scale = max_magnitude(a)
    q, r = householder(cdivr(a, scale), want_q=True)
    r = cscale(r, scale)
    return (join(*cmap(lambda t: _cols(t, 0, k), q)),
            join(*cmap(lambda t: _rows(t, 0, k), r)))


# ---------------------------------------------------------------------------------------------
# Jacobi rotations


def _hermitian_from_lower(re: Value, im: Value) -> C:
    """The Hermitian matrix of the lower triangle (the diagonal's imaginary part is zero)."""
    n = re.shape[-1]
    rows, cols = _column_index(size_value(re, -1), n)
    lower, strict = _cmp("GreaterOrEqual", rows, cols), _cmp("Greater", rows, cols)
    upper = _cmp("Less", rows, cols)
    return (_ops.where(lower, re, _mT(re)),
            _ops.where(strict, im, _ops.where(upper, _neg(_mT(im)), _c(0, im))))


def _sorted_columns(v: Value, order: Value) -> Value:
    nd = len(v.shape)
    idx = _ops.expand_to(_ops.unsqueeze(order, [nd - 2]), _ops.shape_of(v), v.shape)
    return _ops.bind("GatherElements", [v, idx], [v.dtype], lambda: [v.shape],
                     (("axis", nd - 1),))[0]


def eigen(v: Value, want_vectors: bool, max_sweeps: int = MAX_SWEEPS):
    """Real eigenvalues (ascending) and, if wanted, unitary eigenvectors of Hermitian ``v``,
    by one-sided complex Jacobi rotations of ``v + sigma I`` on loops (any matrix size); NaN
    where they did not converge."""
    re, im = parts(v)
    scale = max_magnitude((re, im))
    a = cdivr(_hermitian_from_lower(re, im), scale)
    w, vecs, failed = hermitian_eigen(a, want_vectors, max_sweeps)
    w = _mul(w, _ops.squeeze(scale, [-1]))
    w, order = _top_k(nan_where(failed, w), largest=False)
    if not want_vectors:
        return w, None
    bad = _ops.unsqueeze(failed, [len(failed.shape) - 1])
    return w, join(*(nan_where(bad, _sorted_columns(p, order)) for p in vecs))


# ---------------------------------------------------------------------------------------------
# singular values


def _svd(a: C, want_vectors: bool, full: bool):
    """(U, S, V) of (..., m, n) ``a`` with m >= n >= 1; U is (..., m, m) if ``full``."""
    m, n = a[0].shape[-2:]
    scale = max_magnitude(a)
    a = cdivr(a, scale)
    q = None
    if type(m) is int and type(n) is int and m > n:  # rotate the square R factor: fewer rows
        q, r = householder(a, want_q=want_vectors)
        a = cmap(lambda v: _rows(v, 0, n), r)
    b, vecs, failed = complex_one_sided_jacobi(a, want_vectors, tight=True)
    sigma = _ops.unary("Sqrt", _sum(_add(_mul(b[0], b[0]), _mul(b[1], b[1])), -2, False))
    s, order = _top_k(nan_where(failed, sigma), largest=True)
    s_out = _mul(s, _ops.squeeze(scale, [-1]))
    if not want_vectors:
        return None, s_out, None
    b = cmap(lambda v: _sorted_columns(v, order), b)
    bad = _ops.unsqueeze(failed, [len(failed.shape) - 1])
    vecs = cmap(lambda v: nan_where(bad, _sorted_columns(v, order)), vecs)
    # The normalized columns (orthonormal to sqrt(n) eps), or, where a singular value is
    # below 2 eps ||A||_F (its column's direction is rounding noise, left out of the sweep
    # test), a QR of them that keeps them (up to phase) and completes an orthonormal basis.
    zero = czero(b[0])
    s_row = _ops.unsqueeze(s, [len(s.shape) - 1])
    unit = cwhere(_cmp("Equal", s_row, zero[0]), zero, cdivr(b, s_row))

    def completed(x: Array, y: Array) -> tuple[Array, Array]:
        u1, rr = householder((x._v, y._v), want_q=True)
        d = cmap(diagonal, rr)
        phases = cphase(d, cabs(d), at_zero=1.0)
        u = cmul(u1, cmap(lambda v: _ops.unsqueeze(v, [len(v.shape) - 1]), phases))
        return Array._new(u[0]), Array._new(u[1])

    eps = float(np.finfo(np.float64).eps)
    square = _mul(s, s)
    small = _cmp("LessOrEqual", _ops.reduce("ReduceMin", square, [-1], False),
                 _mul(_c(16 * eps * eps, s), _ops.reduce("ReduceSum", square, [-1], False)))
    any_small = _cmp("Greater", _ops.reduce("ReduceMax", _ops.cast(small, D.int64), None, False),
                     _ops.const(0, D.int64))
    u = lax.cond(Array._new(any_small), completed, lambda x, y: (x, y), *map(Array._new, unit))
    u = cmap(lambda v: nan_where(bad, v), (u[0]._v, u[1]._v))
    if q is not None:
        u = cmm(cmap(lambda v: _cols(v, 0, n), q), u)
        if full:
            u = cconcat([u, cmap(lambda v: _cols(v, n, m), q)], len(u[0].shape) - 1)
    return u, s_out, vecs


def svd_factors(v: Value, full: bool) -> tuple[C, Value, C]:
    """U, S and Vh (U and Vh as pairs) of a complex stack with min(M, N) >= 1."""
    a = parts(v)
    m, n = a[0].shape[-2:]
    if _tall(m, n):
        u, s, vecs = _svd(a, True, full)
        return u, s, cH(vecs)
    u, s, vecs = _svd(cH(a), True, full)  # x^H = U S V^H, so x = V S U^H
    return vecs, s, cH(u)


def singular_values(v: Value) -> Value:
    a = parts(v)
    m, n = a[0].shape[-2:]
    return _svd(a if _tall(m, n) else cH(a), False, False)[1]


def _tall(m, n) -> bool:
    """m >= n for known sizes; a symbolic size is square (checked by the caller)."""
    return not (type(m) is int and type(n) is int) or m >= n


def pinv(v: Value, tol: Value) -> Value:
    """V @ diag(1/S) @ U^H over the singular values above ``tol`` times the largest one."""
    u, s, vh = svd_factors(v, False)
    cutoff = _mul(tol, _ops.reduce("ReduceMax", s, [-1], True))  # 0 columns at run time
    zero = _c(0, s)
    safe = _ops.where(_cmp("Greater", s, cutoff), s, _c(1, s))
    s_inv = _ops.where(_cmp("Greater", s, cutoff), _div(_c(1, s), safe), zero)
    scaled = cscale(cH(vh), _ops.unsqueeze(s_inv, [len(s_inv.shape) - 1]))
    return join(*cmm(scaled, cH(u)))
