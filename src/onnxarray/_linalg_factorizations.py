"""Factorizations and solvers of the linalg extension, as ONNX graphs built on loops.

onnxruntime has no kernels for them (its Det has no float64 kernel), so each algorithm is an
ONNX ``Loop`` (see ``_linalg_loops``) whose body does O(n^2) vectorised work on the whole stack:
the matrix size may be symbolic, one exported model serves every size, and the graph has a few
hundred nodes at any size.

- det, slogdet: blocked LU with partial pivoting (``_linalg_blocked``); the sign of the row
  permutation from its inversions.
- inv, solve: blocked LU with partial pivoting of ``A`` and the right-hand sides (the
  identity for inv), then blocked back substitution, as LAPACK's gesv: backward stable, the
  residual within a few times LAPACK's (for complex ``A``, on the real matrix
  ``[[Ar, -Ai], [Ai, Ar]]`` of twice the size). A NaN or an infinity in the matrix gives NaN
  everywhere, and so does a singular matrix in inv and solve (det gives 0).
- cholesky: the blocked outer-product algorithm; it reads the lower triangle only. LU and
  Cholesky of up to 4 or 8 columns take one block without a ``Loop``.
- qr: blocked Householder reflections (compact WY, ``_linalg_blocked_qr``) from 24
  reflections on, the column loop of ``_linalg_loops`` below.
- eigh, eigvalsh: one-sided Jacobi rotations of the columns of ``A + sigma I`` (symmetrized
  from the lower triangle, sigma = 2 min(||A||_F, ||A||_inf)), ``n // 2`` disjoint rotations
  at a time in round-robin order, sweep after sweep until every pair of columns is orthogonal
  to ``sqrt(n) eps`` (at most ``MAX_SWEEPS`` sweeps): the normalized columns are the
  eigenvectors, their Rayleigh quotients the eigenvalues (``_linalg_jacobi.symmetric_eigen``).
- svd, svdvals: one-sided Jacobi rotations (the same schedule) until every pair of columns is
  orthogonal to ``sqrt(rows) eps``; U is the normalized columns, or, where a singular value is
  below ``2 eps ||A||_F`` (or a full U of a tall matrix has columns to add), a QR of them that
  completes an orthonormal basis, so it stays orthonormal for rank-deficient inputs.
- pinv, matrix_rank and the 2, -2 and 'nuc' matrix norms: from the singular values.

Eigen- and singular-value algorithms work on the matrix divided by its largest magnitude, so
finite inputs of any size neither overflow nor underflow to zero; a matrix whose iteration did
not converge, or that holds a NaN or an infinity, gets NaN in every output. Unlike NumPy nothing
raises on singular or indefinite inputs: the results hold infinities or NaNs instead.

Complex inputs go to ``_linalg_complex``, the same algorithms on (real, imaginary) pairs, on
loops too (``_linalg_loops_complex``, ``_linalg_jacobi_complex``); eig and eigvals are still
unrolled over a known matrix size. Concrete calls run
as one compiled session per dtype and rank (``_linalg_plans``): a new size does not recompile.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _linalg_blocked as _bl
from . import _linalg_blocked_qr as _bqr
from . import _linalg_complex as _cx
from . import _linalg_jacobi as _jc
from . import _linalg_loops as _lp
from . import _ops, lax
from ._array_object import Array, as_value
from ._graph import Value
from ._linalg_base import (
    EighResult,
    EigResult,
    QRResult,
    SlogdetResult,
    SVDResult,
    _any_filled,
    _Batch,
    _c,
    _cmp,
    _div,
    _filled,
    _matrices,
    _max_magnitude,
    _mT,
    _mul,
    _ones,
    _same_size,
    _square,
    _top_k,
)
from ._linalg_plans import compiled
from ._linear_algebra_functions import _mm
from ._plans import planned

__all__ = ["cholesky", "det", "eig", "eigh", "eigvals", "eigvalsh", "inv", "matrix_rank", "pinv",
           "qr", "slogdet", "solve", "svd", "svdvals", "singular_values", "EigResult",
           "EighResult", "QRResult", "SlogdetResult", "SVDResult"]


def _complex():
    """The complex versions (written on (real, imaginary) pairs)."""
    return _cx


def _is_zero(d) -> bool:
    return type(d) is int and d == 0


# ---------------------------------------------------------------------------------------------
# LU, solve and inv


def det(x: Array, /) -> Array:
    """The determinant: the product of the LU pivots, signed by the parity of the row swaps."""
    v, n = _square(x, "det")
    if _is_zero(n):
        return Array._new(_ones(_Batch(v), v.dtype))
    if v.dtype.kind == "c":
        return Array._new(_complex().det(v, n))
    piv, pivots = _bl.lu(v)
    out = _mul(_ops.reduce("ReduceProd", pivots, [-2, -1], True), _lp.pivot_sign(piv, v))
    return Array._new(_ops.squeeze(out, [-2, -1]))


def slogdet(x: Array, /) -> SlogdetResult:
    """Sign (a unit complex number for complex input) and natural log of the magnitude of the
    determinant, from the LU pivots."""
    v, n = _square(x, "slogdet")
    if _is_zero(n):
        b = _Batch(v)
        return SlogdetResult(Array._new(_ones(b, v.dtype)),
                             Array._new(_filled(b, (), np.zeros(()), D.real_dtype_of(v.dtype))))
    if v.dtype.kind == "c":
        return SlogdetResult(*(Array._new(r) for r in _complex().slogdet(v, n)))
    piv, pivots = _bl.lu(v)
    sign = _mul(_ops.reduce("ReduceProd", _ops.unary("Sign", pivots), [-2, -1], True),
                _lp.pivot_sign(piv, v))
    logabs = _ops.reduce("ReduceSum", _ops.unary("Log", _ops.unary("Abs", pivots)), [-2, -1],
                         False)
    return SlogdetResult(Array._new(_ops.squeeze(sign, [-2, -1])), Array._new(logabs))


def _complex_system(a: tuple, b: tuple) -> tuple:
    """The solution (real and imaginary parts) of a complex system given by parts, (..., n, n)
    and (..., n, k) of one batch shape, as the real system of twice the size
    ``[[ar, -ai], [ai, ar]] @ [xr; xi] = [br; bi]`` by the blocked real elimination: its
    singular values are ``a``'s, each twice, so the accuracy is that of ``a``; measured
    ~4-5x faster than the complex column loop at n = 16 and 64."""
    (ar, ai), (br, bi) = a, b
    nd = len(ar.shape)
    m = _ops.concat([_ops.concat([ar, _ops.unary("Neg", ai)], nd - 1),
                     _ops.concat([ai, ar], nd - 1)], nd - 2)
    x = _bl.solve(m, _ops.concat([br, bi], nd - 2))  # (..., 2n, k)
    nv = _ops.reshape(_lp.size_value(ar, -1), [1])
    shape = br.shape
    return (_bl._slice(x, 0, nv, nd - 2, shape), _bl._slice(x, nv, 2**62, nd - 2, shape))


def inv(x: Array, /) -> Array:
    """The inverse: the solution of ``x @ X = I`` by LU with partial pivoting of ``[x | I]``
    and back substitution, as NumPy's (LAPACK's gesv)."""
    v, n = _square(x, "inv")
    if _is_zero(n):
        return Array._new(v)
    if v.dtype.kind == "c":
        a = _cx.parts(v)
        eye = _lp.eye_like(a[0])
        return Array._new(_cx.join(*_complex_system(a, (eye, _mul(eye, _c(0, eye))))))
    return Array._new(_bl.solve(v, None))


def solve(x1: Array, x2: Array, /) -> Array:
    """The solution of ``x1 @ x = x2``; a 1-D ``x2`` is one right-hand side for every matrix."""
    a, n = _square(x1, "solve")
    b = as_value(x2, "solve")
    if b.dtype.kind not in "fc":
        raise TypeError(f"solve: needs a floating-point dtype, got {b.dtype.name}")
    dtype = D.promote(a.dtype, b.dtype, "solve")
    if dtype.kind == "c":  # the same steps on the real and imaginary parts
        rd = D.real_dtype_of(dtype)
        a_parts = [_ops.cast(p, rd) for p in _cx.parts(a)]
        b_parts = [_ops.cast(p, rd) for p in _cx.parts(b)]
    else:
        a_parts, b_parts = [_ops.cast(a, dtype)], [_ops.cast(b, dtype)]
    a_parts, b_parts, vector = _system(a_parts, b_parts, n)
    if _is_zero(n):
        out = b_parts
    elif dtype.kind == "c":
        out = list(_complex_system(tuple(a_parts), tuple(b_parts)))
    else:
        out = [_bl.solve(a_parts[0], b_parts[0])]
    if vector:
        out = [_ops.squeeze(o, [-1]) for o in out]
    return Array._new(_cx.join(*out) if dtype.kind == "c" else out[0])


def _system(a_parts: list, b_parts: list, n) -> tuple[list, list, bool]:
    """The parts of ``a`` (..., n, n) and ``b`` (..., n, k) expanded to one batch shape, and
    whether ``b`` was a vector."""
    b = b_parts[0]
    vector = len(b.shape) == 1
    if vector:
        b_parts = [_ops.unsqueeze(p, [1]) for p in b_parts]
        b = b_parts[0]
    if len(b.shape) < 2:
        raise ValueError("solve: x2 must have at least 1 dimension")
    rows = b.shape[-2]
    if type(rows) is int and type(n) is int and rows != n:
        raise ValueError(f"solve: x2 has {rows} rows, but x1 is {n}x{n}")
    if (type(rows) is int) != (type(n) is int) or (type(n) is not int and not rows == n):
        raise ValueError(f"solve: x2 must have as many rows as x1, got {rows} and {n}")
    batch = _ops.broadcast_shapes(a_parts[0].shape[:-2], b.shape[:-2], func="solve")
    k = b.shape[-1]
    k_dim = k if type(k) is int else _ops.dim_of(b, -1)
    n_dim = n if type(n) is int else _ops.dim_of(a_parts[0], -1)
    a_shape = _ops.shape_value(_Batch(b)._dims([n_dim, n_dim]))
    a_parts = [_ops.expand_to(p, a_shape, batch + (n, n)) for p in a_parts]
    b_shape = _ops.shape_value(_Batch(a_parts[0])._dims([n_dim, k_dim]))
    return a_parts, [_ops.expand_to(p, b_shape, batch + (n, k)) for p in b_parts], vector


# ---------------------------------------------------------------------------------------------
# Cholesky and QR


def cholesky(x: Array, /, *, upper: bool = False) -> Array:
    """The Cholesky factor of symmetric (Hermitian) positive-definite matrices, lower unless
    ``upper``, from the lower triangle."""
    v, n = _square(x, "cholesky")
    if _is_zero(n):
        return Array._new(v)
    if v.dtype.kind == "c":
        return Array._new(_complex().cholesky(v, n, upper))
    low = _bl.cholesky(v)
    return Array._new(_mT(low) if upper else low)


def _reflections(v: Value) -> Value:
    """min(m - 1, n): the Householder reflections a QR of (..., m, n) ``v`` takes."""
    m, n = v.shape[-2:]
    if type(m) is int and type(n) is int:
        return _ops.const(max(min(m - 1, n), 0), D.int64)
    mv, nv = _lp.size_value(v, -2), _lp.size_value(v, -1)
    return _ops.binary("Max", _ops.binary("Min", _ops.binary("Sub", mv, _ops.const(1, D.int64)),
                                          nv), _ops.const(0, D.int64))


def _householder(a: Value, want_q: bool) -> tuple[Value | None, Value]:
    return _lp.householder(a, want_q, _reflections(a))


def _order(m, n, func: str) -> bool:
    """Whether m >= n, for known sizes or one symbolic size of a square matrix."""
    if type(m) is int and type(n) is int:
        return m >= n
    if _same_size(m, n):
        return True
    raise ValueError(f"{func}: a non-square matrix needs known sizes when recording "
                     f"(got {m}x{n}); square matrices may have a symbolic size")


def qr(x: Array, /, *, mode: str = "reduced") -> QRResult:
    """Householder QR: Q (..., M, K) and R (..., K, N) for 'reduced', K = M for 'complete'."""
    v = _matrices(x, "qr")
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', got {mode!r}")
    m, n = v.shape[-2:]
    tall = _order(m, n, "qr")
    k = m if (mode == "complete" or not tall) else n
    if _is_zero(m) or _is_zero(n):
        b = _Batch(v)
        return QRResult(Array._new(_any_filled(b, (m, k), np.eye(m, k), v.dtype)),
                        Array._new(_any_filled(b, (k, n), np.zeros((k, n)), v.dtype)))
    if v.dtype.kind == "c":
        return QRResult(*(Array._new(r) for r in _complex().qr(v, k)))
    scale = _max_magnitude(v)
    q, r = _bqr.qr_factors(_div(v, scale), _reflections(v))
    r = _mul(r, scale)
    if not _same_size(k, m):  # K = N < M: the first N columns of Q and rows of R
        q, r = _cols(q, k), _rows(r, k)
    return QRResult(Array._new(q), Array._new(r))


def _cols(v: Value, k: int) -> Value:
    nd = len(v.shape)
    return _ops.slice_(v, [0], [k], [nd - 1], [1], v.shape[:-1] + (k,))


def _rows(v: Value, k: int) -> Value:
    nd = len(v.shape)
    return _ops.slice_(v, [0], [k], [nd - 2], [1], v.shape[:-2] + (k, v.shape[-1]))


# ---------------------------------------------------------------------------------------------
# Jacobi rotations


def _sorted_vectors(vecs: Value, order: Value) -> Value:
    """The columns of ``vecs`` (..., r, n) in ``order`` (..., n)."""
    nd = len(vecs.shape)
    idx = _ops.unsqueeze(order, [nd - 2])
    idx = _ops.expand_to(idx, _ops.shape_of(vecs), vecs.shape)
    return _ops.bind("GatherElements", [vecs, idx], [vecs.dtype], lambda: [vecs.shape],
                     (("axis", nd - 1),))[0]


def _eigen(x, func: str, want_vectors: bool, max_sweeps: int = _jc.MAX_SWEEPS):
    v, n = _square(x, func)
    batch = _Batch(v)
    if _is_zero(n):
        return (_filled(batch, (0,), np.zeros(0), D.real_dtype_of(v.dtype)),
                _any_filled(batch, (0, 0), np.zeros((0, 0)), v.dtype))
    if v.dtype.kind == "c":
        return _complex().eigen(v, want_vectors, max_sweeps)
    if v.dtype is D.float32:
        # Jacobi rotations in float32 end ~40x further from the exact result than LAPACK's
        # float32 eigh; in float64 and rounded they are within an ulp or two of it.
        w, vecs = _eigen(Array._new(_ops.cast(v, D.float64)), func, want_vectors, max_sweeps)
        return _ops.cast(w, D.float32), None if vecs is None else _ops.cast(vecs, D.float32)
    scale = _max_magnitude(v)
    a = _div(_lp.symmetric_from_lower(v), scale)
    diag, vecs, failed = _jc.symmetric_eigen(a, want_vectors, max_sweeps)
    w = _mul(diag, _ops.squeeze(scale, [-1]))
    w, order = _top_k(_lp.nan_where(failed, w), largest=False)
    if not want_vectors:
        return w, None
    vecs = _lp.nan_where(_ops.unsqueeze(failed, [len(failed.shape) - 1]), vecs)
    return w, _sorted_vectors(vecs, order)


def eigh(x: Array, /) -> EighResult:
    """Eigenvalues (real, ascending) and eigenvectors (columns) of symmetric (Hermitian)
    matrices, from the lower triangle, by cyclic Jacobi rotations."""
    w, vecs = _eigen(x, "eigh", True)
    return EighResult(Array._new(w), Array._new(vecs))


def eigvalsh(x: Array, /) -> Array:
    """Eigenvalues (real, ascending) of symmetric (Hermitian) matrices, from the lower
    triangle."""
    return Array._new(_eigen(x, "eigvalsh", False)[0])


def _general_eigen(x, func: str, want_vectors: bool) -> tuple[Value, Value | None]:
    from ._linalg_eig import eig_values

    return eig_values(x, func, want_vectors)


def eig(x: Array, /) -> EigResult:
    """Eigenvalues and unit eigenvectors (columns) of general square matrices, always complex,
    in no particular order: Hessenberg reduction, then shifted QR sweeps until converged (NaN
    for a matrix that does not converge), see _linalg_eig."""
    w, vecs = _general_eigen(x, "eig", True)
    return EigResult(Array._new(w), Array._new(vecs))


def eigvals(x: Array, /) -> Array:
    """Eigenvalues of general square matrices, always complex, in no particular order."""
    return Array._new(_general_eigen(x, "eigvals", False)[0])


# ---------------------------------------------------------------------------------------------
# singular values


def _svd(v: Value, want_vectors: bool, full: bool, max_sweeps: int = _jc.MAX_SWEEPS):
    """(U, S, V) of (..., m, n) ``v`` with m >= n >= 1; U is (..., m, m) if ``full``."""
    if v.dtype is D.float32:
        # As for eigh: float32 Jacobi sweeps are ~15x less accurate than LAPACK's float32 svd;
        # float64 sweeps rounded to float32 are not.
        out = _svd(_ops.cast(v, D.float64), want_vectors, full, max_sweeps)
        return tuple(None if r is None else _ops.cast(r, D.float32) for r in out)
    m, n = v.shape[-2:]
    scale = _max_magnitude(v)
    b, vecs, failed = _jc.one_sided_jacobi(_div(v, scale), want_vectors, max_sweeps, tight=True)
    sigma = _ops.unary("Sqrt", _ops.reduce("ReduceSum", _mul(b, b), [-2], False))
    s, order = _top_k(_lp.nan_where(failed, sigma), largest=True)
    s_out = _mul(s, _ops.squeeze(scale, [-1]))
    if not want_vectors:
        return None, s_out, None
    bad = _ops.unsqueeze(failed, [len(failed.shape) - 1])
    b = _sorted_vectors(b, order)
    vecs = _lp.nan_where(bad, _sorted_vectors(vecs, order))
    # The normalized columns. The rotations leave them orthogonal to sqrt(m) eps, except
    # those of singular values below 2 eps ||A||_F, which the sweep test leaves out (their
    # direction is rounding noise); U then comes from a QR of the normalized columns, which
    # keeps them (up to sign) and completes the others to an orthonormal basis, as it does
    # the columns past n of a full U of a tall matrix.
    zero = _c(0, b)
    s_row = _ops.unsqueeze(s, [len(s.shape) - 1])
    unit = _ops.where(_cmp("Equal", s_row, zero), zero, _div(b, s_row))

    def completed(x: Array) -> Array:
        q, rr = _householder(x._v, want_q=True)
        signs = _ops.where(_cmp("Less", _lp.diagonal(rr), zero), _c(-1, b), _c(1, b))  # (..., n)
        if full and not _same_size(m, n):
            signs = _ops.concat([signs, _ops.expand_to(
                _c(np.ones(m - n), b), _ops.shape_value(_Batch(signs, 1)._dims([m - n])),
                signs.shape[:-1] + (m - n,))], len(signs.shape) - 1)
        else:
            q = q if _same_size(m, n) else _cols(q, n)
        return Array._new(_mul(q, _ops.unsqueeze(signs, [len(signs.shape) - 1])))

    if full and not _same_size(m, n):
        u = completed(Array._new(unit))._v
    else:  # the QR only where a matrix of the stack has a singular value that small
        eps = float(np.finfo(np.float64).eps)
        square = _mul(s, s)
        small = _cmp("LessOrEqual", _ops.reduce("ReduceMin", square, [-1], False),
                     _mul(_c(16 * eps * eps, b), _ops.reduce("ReduceSum", square, [-1], False)))
        any_small = _cmp("Greater", _ops.reduce("ReduceMax", _ops.cast(small, D.int64), None,
                                                False), _ops.const(0, D.int64))
        u = lax.cond(Array._new(any_small), completed, lambda x: x, Array._new(unit))._v
    return _lp.nan_where(bad, u), s_out, vecs


def svd(x: Array, /, *, full_matrices: bool = True) -> SVDResult:
    """U, S (real, descending) and Vh with x = U @ diag(S) @ Vh, by one-sided Jacobi
    rotations."""
    v = _matrices(x, "svd")
    m, n = v.shape[-2:]
    tall = _order(m, n, "svd")
    if _is_zero(m) or _is_zero(n):
        k = min(m, n)
        b = _Batch(v)
        um, vn = (m, n) if full_matrices else (k, k)
        return SVDResult(Array._new(_any_filled(b, (m, um), np.eye(m, um), v.dtype)),
                         Array._new(_filled(b, (0,), np.zeros(0), D.real_dtype_of(v.dtype))),
                         Array._new(_any_filled(b, (vn, n), np.eye(vn, n), v.dtype)))
    if v.dtype.kind == "c":
        u, s, vh = _cx.svd_factors(v, full_matrices)
        return SVDResult(Array._new(_cx.join(*u)), Array._new(s), Array._new(_cx.join(*vh)))
    return SVDResult(*(Array._new(r) for r in _svd_factors(v, full_matrices, tall)))


def _svd_factors(v: Value, full: bool, tall: bool) -> tuple[Value, Value, Value]:
    """U, S and Vh of a checked stack of real matrices with min(M, N) >= 1."""
    if tall:
        u, s, vecs = _svd(v, True, full)
        return u, s, _mT(vecs)
    u, s, vecs = _svd(_mT(v), True, full)  # x.T = U S V.T, so x = V S U.T
    return vecs, s, _mT(u)


def singular_values(v: Value, func: str = "svdvals") -> Value:
    """The singular values (descending) of a checked stack of matrices."""
    m, n = v.shape[-2:]
    tall = _order(m, n, func)
    if _is_zero(m) or _is_zero(n):
        return _filled(_Batch(v), (0,), np.zeros(0), D.real_dtype_of(v.dtype))
    if v.dtype.kind == "c":
        return _complex().singular_values(v)
    return _svd(v if tall else _mT(v), False, False)[1]


def svdvals(x: Array, /) -> Array:
    """The singular values, descending."""
    return Array._new(singular_values(_matrices(x, "svdvals")))


def _tolerance(rtol, v: Value, func: str) -> Value:
    """``rtol`` as (..., 1): a float, an array over the batch, or max(M, N) * eps if None."""
    rd = D.real_dtype_of(v.dtype)
    if rtol is None:
        eps = float(np.finfo(rd.numpy).eps)
        m, n = v.shape[-2:]
        if type(m) is int and type(n) is int:
            return _ops.const([max(m, n) * eps], rd)
        big = _ops.binary("Max", _lp.size_value(v, -2), _lp.size_value(v, -1))
        return _ops.reshape(_mul(_ops.cast(big, rd), _ops.const(eps, rd)), [1])
    if isinstance(rtol, Array):
        r = rtol._v
        if r.dtype.kind != "f":
            raise TypeError(f"{func}: rtol must have a real floating-point dtype, got "
                            f"{r.dtype.name}")
        return _ops.unsqueeze(_ops.cast(r, rd), [len(r.shape)])
    if isinstance(rtol, (int, float)) and not isinstance(rtol, bool):
        return _ops.const([float(rtol)], rd)
    raise TypeError(f"{func}: rtol must be a float, an array or None, got {rtol!r}")


def _scaled_down(v: Value) -> Value:
    """Each matrix of ``v`` divided by its largest part magnitude where that is huge: the
    rank is scale-invariant, but near the float maximum the singular values overflow (a
    nonzero matrix had rank 0). Other matrices are divided by 1, exactly."""
    nd = len(v.shape)
    rd = D.real_dtype_of(v.dtype)
    ps = list(_cx.parts(v)) if v.dtype.kind == "c" else [v]
    mags = [_ops.unary("Abs", p) for p in ps]
    mag = mags[0] if len(mags) == 1 else _ops.binary("Max", mags[0], mags[1])
    peak = _ops.reduce("ReduceMax", mag, [nd - 2, nd - 1], True)
    huge = _ops.const(2.0 ** (60 if rd is D.float32 else 500), rd)
    div = _ops.where(_ops.binary("GreaterOrEqual", peak, huge, D.bool), peak,
                     _ops.const(1.0, rd))
    out = [_ops.binary("Div", p, div) for p in ps]
    return _cx.join(*out) if len(out) == 2 else out[0]


def matrix_rank(x: Array, /, *, rtol=None) -> Array:
    """The number of singular values above rtol times the largest one."""
    v = _matrices(x, "matrix_rank")
    tol = _tolerance(rtol, v, "matrix_rank")
    m, n = v.shape[-2:]
    if _is_zero(m) or _is_zero(n):
        return Array._new(_filled(_Batch(v), (), np.zeros((), np.int64), D.int64))
    s = singular_values(_scaled_down(v), "matrix_rank")
    # the largest singular value as a reduction, not s[..., 0]: a size known only when the
    # model runs may be 0 (a Gather would then fail; the count of an empty axis is 0)
    cutoff = _mul(tol, _ops.reduce("ReduceMax", s, [-1], True))
    above = _ops.cast(_cmp("Greater", s, cutoff), D.int64)
    return Array._new(_ops.reduce("ReduceSum", above, [-1], False))


def pinv(x: Array, /, *, rtol=None) -> Array:
    """The Moore-Penrose pseudo-inverse: V @ diag(1/S) @ U^H over the singular values above
    rtol times the largest one."""
    v = _matrices(x, "pinv")
    tol = _tolerance(rtol, v, "pinv")
    m, n = v.shape[-2:]
    tall = _order(m, n, "pinv")
    if _is_zero(m) or _is_zero(n):
        return Array._new(_any_filled(_Batch(v), (n, m), np.zeros((n, m)), v.dtype))
    if v.dtype.kind == "c":
        return Array._new(_complex().pinv(v, tol))
    u, s, vh = _svd_factors(v, False, tall)
    cutoff = _mul(tol, _ops.reduce("ReduceMax", s, [-1], True))  # see matrix_rank
    zero = _c(0, s)
    s_inv = _ops.where(_cmp("Greater", s, cutoff), _div(_c(1, s), s), zero)
    scaled = _mul(_mT(vh), _ops.unsqueeze(s_inv, [len(s_inv.shape) - 1]))
    return Array._new(_mm(scaled, _mT(u)))


# Concrete calls run as one compiled session per dtype and rank, whatever the matrix size
# (eig and eigvals compile theirs themselves, see _linalg_eig).
det = compiled(det, planned(det))
slogdet = compiled(slogdet, planned(slogdet))
inv = compiled(inv, planned(inv))
solve = compiled(solve, planned(solve))
cholesky = compiled(cholesky, planned(cholesky))
qr = compiled(qr, planned(qr))
eigh = compiled(eigh, planned(eigh))
eigvalsh = compiled(eigvalsh, planned(eigvalsh))
svd = compiled(svd, planned(svd))
svdvals = compiled(svdvals, planned(svdvals))
matrix_rank = compiled(matrix_rank, planned(matrix_rank))
pinv = compiled(pinv, planned(pinv))
