"""Factorizations and solvers of the linalg extension, written as unrolled ONNX graphs.

onnxruntime has no kernels for them (its Det has no float64 kernel), so each algorithm is
unrolled in Python over the matrix size, which must be known when recording; the batch (leading)
dimensions may be symbolic, and every step works on the whole stack at once.

- det, slogdet: LU with partial pivoting (the pivot is the ArgMax of the column's magnitudes,
  rows are swapped with GatherElements).
- inv, solve: Gauss-Jordan elimination with partial pivoting on ``[A | B]``.
- cholesky: the outer-product algorithm; it reads the lower triangle only.
- qr: Householder reflections.
- eigh, eigvalsh: cyclic Jacobi rotations on the lower triangle, ``n // 2`` disjoint rotations
  at a time in round-robin order, for ``3 * ceil(log2(n))`` sweeps: enough for float64 accuracy
  up to n = 64 (measured on random spectra and on spectra with many repeated eigenvalues);
  larger matrices get more sweeps by the same rule but are not tested. The graph grows like
  n^2 log n nodes: about 34,000 for n = 64.
- svd, svdvals: a Householder QR reduces a tall matrix to its square factor, then one-sided
  Jacobi rotations (the same sweeps) orthogonalize its columns; U is completed to an orthonormal
  basis by a QR of the normalized columns, so it stays orthonormal for rank-deficient inputs.
- pinv, matrix_rank and the 2, -2 and 'nuc' matrix norms: from the singular values.

Eigen- and singular-value algorithms work on the matrix divided by its largest magnitude, so
finite inputs of any size neither overflow nor underflow to zero. Unlike NumPy nothing raises
on singular or indefinite inputs: the results hold infinities or NaNs instead.

Complex inputs go to the same algorithms in ``_linalg_complex``, written on (real, imaginary)
pairs with this module's helpers.
"""

from __future__ import annotations

import functools
import math
from typing import NamedTuple

import numpy as np

from . import _dtypes as D
from . import _ops
from ._array_object import Array, as_value
from ._graph import Value
from ._linear_algebra_functions import _mm
from ._plans import planned

__all__ = ["cholesky", "det", "eig", "eigh", "eigvals", "eigvalsh", "inv", "matrix_rank", "pinv",
           "qr", "slogdet", "solve", "svd", "svdvals", "singular_values", "EigResult",
           "EighResult", "QRResult", "SlogdetResult", "SVDResult"]


class SlogdetResult(NamedTuple):
    sign: Array
    logabsdet: Array


class EigResult(NamedTuple):
    eigenvalues: Array
    eigenvectors: Array


class EighResult(NamedTuple):
    eigenvalues: Array
    eigenvectors: Array


class QRResult(NamedTuple):
    Q: Array
    R: Array


class SVDResult(NamedTuple):
    U: Array
    S: Array
    Vh: Array


# ---------------------------------------------------------------------------------------------
# argument checks


def _matrices(x, func: str) -> Value:
    """The Value of a stack of floating-point (real or complex) matrices of known size."""
    v = as_value(x, func)
    if v.dtype.kind not in "fc":
        raise TypeError(f"{func}: needs a floating-point dtype, got {v.dtype.name}")
    if len(v.shape) < 2:
        raise ValueError(f"{func}: needs at least 2 dimensions, got {len(v.shape)}")
    if any(type(d) is not int for d in v.shape[-2:]):
        raise ValueError(f"{func}: the matrix size must be known when recording (only the "
                         "batch dimensions may be symbolic): the algorithm is unrolled over it")
    return v


def _square(x, func: str) -> tuple[Value, int]:
    v = _matrices(x, func)
    m, n = v.shape[-2:]
    if m != n:
        raise ValueError(f"{func}: needs square matrices, got {m}x{n}")
    return v, n


# ---------------------------------------------------------------------------------------------
# small emitters


def _add(a: Value, b: Value) -> Value:
    return _ops.binary("Add", a, b)


def _sub(a: Value, b: Value) -> Value:
    return _ops.binary("Sub", a, b)


def _mul(a: Value, b: Value) -> Value:
    return _ops.binary("Mul", a, b)


def _div(a: Value, b: Value) -> Value:
    return _ops.binary("Div", a, b)


def _cmp(op: str, a: Value, b: Value) -> Value:
    return _ops.binary(op, a, b, D.bool)


def _c(value, like: Value) -> Value:
    """A constant of ``like``'s dtype."""
    return _ops.const(value, like.dtype)


def _mask(array: np.ndarray) -> Value:
    return _ops.const(array, D.bool)


def _mT(v: Value) -> Value:
    nd = len(v.shape)
    return _ops.transpose(v, list(range(nd - 2)) + [nd - 1, nd - 2])


def _rows(v: Value, start: int, stop: int) -> Value:
    """``v[..., start:stop, :]``."""
    if (start, stop) == (0, v.shape[-2]):
        return v
    nd = len(v.shape)
    return _ops.slice_(v, [start], [stop], [nd - 2], [1],
                       v.shape[:-2] + (stop - start, v.shape[-1]))


def _cols(v: Value, start: int, stop: int) -> Value:
    """``v[..., start:stop]``."""
    if (start, stop) == (0, v.shape[-1]):
        return v
    nd = len(v.shape)
    return _ops.slice_(v, [start], [stop], [nd - 1], [1], v.shape[:-1] + (stop - start,))


def _entry(v: Value, i: int, j: int) -> Value:
    """``v[..., i:i+1, j:j+1]``."""
    return _cols(_rows(v, i, i + 1), j, j + 1)


def _sum(v: Value, axis: int, keepdims: bool) -> Value:
    return _ops.reduce("ReduceSum", v, [axis], keepdims)


def _gather_elements(v: Value, idx: Value, axis: int) -> Value:
    axis %= len(v.shape)
    return _ops.bind("GatherElements", [v, idx], [v.dtype], lambda: [idx.shape],
                     (("axis", axis),))[0]


def _top_k(v: Value, largest: bool) -> tuple[Value, Value]:
    """All of the last axis sorted (descending if ``largest``) and the sorting indices."""
    k = v.shape[-1]
    return _ops.bind("TopK", [v, _ops.i64([k])], [v.dtype, D.int64],
                     lambda: [v.shape, v.shape],
                     (("axis", len(v.shape) - 1), ("largest", int(largest)), ("sorted", 1)))


class _Batch:
    """The leading (batch) dimensions of a stack, for reshapes and expands to ``batch + tail``."""

    __slots__ = ("shape", "_value")

    def __init__(self, v: Value, ntail: int = 2) -> None:
        nb = len(v.shape) - ntail
        self.shape = v.shape[:nb]
        self._value = None if _ops.is_static(self.shape) else _ops.shape_of(v, 0, nb)

    def _dims(self, tail) -> list:
        if self._value is None:
            return list(self.shape) + list(tail)
        return [self._value] + list(tail)

    def reshape(self, v: Value, tail) -> Value:
        return _ops.reshape(v, self._dims(tail), self.shape + tuple(tail))

    def expand(self, v: Value, tail) -> Value:
        return _ops.expand_to(v, _ops.shape_value(self._dims(tail)), self.shape + tuple(tail))


def _filled(batch: _Batch, tail: tuple, value: np.ndarray, dtype) -> Value:
    """``value`` (of shape ``tail``) repeated over the batch."""
    return batch.expand(_ops.const(np.broadcast_to(value, tail), dtype), tail)


def _any_filled(batch: _Batch, tail: tuple, value: np.ndarray, dtype) -> Value:
    """``_filled`` for a real or complex dtype."""
    if dtype.kind == "c":
        return _complex().filled(batch, tail, value, dtype)
    return _filled(batch, tail, value, dtype)


def _ones(batch: _Batch, dtype) -> Value:
    return _any_filled(batch, (), np.ones(()), dtype)


def _max_magnitude(v: Value) -> Value:
    """The largest magnitude of each matrix, (..., 1, 1); 1 for a zero matrix."""
    m = _ops.reduce("ReduceMax", _ops.unary("Abs", v), [-2, -1], True)
    return _ops.where(_cmp("Equal", m, _c(0, m)), _c(1, m), m)


# ---------------------------------------------------------------------------------------------
# LU and Gauss-Jordan elimination


def _eliminate(aug: Value, n: int, jordan: bool) -> tuple[Value, Value | None, Value]:
    """Partial-pivoting elimination on the first ``n`` columns of ``aug`` (..., n, w).

    Below each pivot (LU) or also above it (``jordan``). Returns the eliminated matrix, the
    parity of the row swaps as +-1 of shape (..., 1, 1) (None when no swap was possible) and the
    pivots, (..., n, 1). A zero pivot leaves its column as it is, so a singular matrix gets a
    zero pivot rather than NaNs.
    """
    nd = len(aug.shape)
    rows = np.arange(n).reshape(n, 1)
    row_index = _ops.i64(rows)
    zero = _c(0, aug)
    parity = None
    pivots = []
    for k in range(n):
        if k < n - 1:
            col = _rows(_cols(aug, k, k + 1), k, n)
            rel = _ops.bind("ArgMax", [_ops.unary("Abs", col)], [D.int64],
                            lambda c=col: [c.shape[:-2] + (1, 1)],
                            (("axis", nd - 2), ("keepdims", 1)))[0]
            p = _ops.binary("Add", rel, _ops.i64(k))
            perm = _ops.where(_mask(rows == k), p,
                              _ops.where(_cmp("Equal", row_index, p), _ops.i64(k), row_index))
            idx = _ops.expand_to(perm, _ops.shape_of(aug), aug.shape)
            aug = _gather_elements(aug, idx, -2)
            flip = _ops.where(_cmp("Equal", p, _ops.i64(k)), _c(1, aug), _c(-1, aug))
            parity = flip if parity is None else _mul(parity, flip)
        pivot = _entry(aug, k, k)
        pivots.append(pivot)
        below = rows > k
        targets = (below | (rows < k)) if jordan else below
        if not targets.any():
            continue
        colk = _cols(aug, k, k + 1)
        m = _ops.where(_mask(targets), _div(colk, pivot), zero)
        m = _ops.where(_cmp("Equal", pivot, zero), zero, m)
        aug = _sub(aug, _mul(m, _rows(aug, k, k + 1)))
    return aug, parity, _ops.concat(pivots, nd - 2)


def _complex():
    """The complex versions, which are written with this module's helpers."""
    from . import _linalg_complex

    return _linalg_complex


def _det_parts(v: Value, n: int) -> tuple[Value | None, Value]:
    _, parity, pivots = _eliminate(v, n, jordan=False)
    return parity, pivots


def det(x: Array, /) -> Array:
    """The determinant: the product of the LU pivots, signed by the parity of the row swaps."""
    v, n = _square(x, "det")
    if n == 0:
        return Array._new(_ones(_Batch(v), v.dtype))
    if v.dtype.kind == "c":
        return Array._new(_complex().det(v, n))
    parity, pivots = _det_parts(v, n)
    out = _ops.reduce("ReduceProd", pivots, [-2, -1], True)
    if parity is not None:
        out = _mul(out, parity)
    return Array._new(_ops.squeeze(out, [-2, -1]))


def slogdet(x: Array, /) -> SlogdetResult:
    """Sign (a unit complex number for complex input) and natural log of the magnitude of the
    determinant, from the LU pivots."""
    v, n = _square(x, "slogdet")
    if n == 0:
        b = _Batch(v)
        return SlogdetResult(Array._new(_ones(b, v.dtype)),
                             Array._new(_filled(b, (), np.zeros(()), D.real_dtype_of(v.dtype))))
    if v.dtype.kind == "c":
        return SlogdetResult(*(Array._new(r) for r in _complex().slogdet(v, n)))
    parity, pivots = _det_parts(v, n)
    sign = _ops.reduce("ReduceProd", _ops.unary("Sign", pivots), [-2, -1], True)
    if parity is not None:
        sign = _mul(sign, parity)
    logabs = _ops.reduce("ReduceSum", _ops.unary("Log", _ops.unary("Abs", pivots)), [-2, -1],
                         False)
    return SlogdetResult(Array._new(_ops.squeeze(sign, [-2, -1])), Array._new(logabs))


def _gauss_jordan(a: Value, b: Value, n: int) -> Value:
    """The solution of ``a @ x = b`` for (..., n, n) and (..., n, k) of one batch shape."""
    aug = _ops.concat([a, b], len(a.shape) - 1)
    aug, _, pivots = _eliminate(aug, n, jordan=True)
    return _div(_cols(aug, n, aug.shape[-1]) if type(aug.shape[-1]) is int
                else _ops.slice_(aug, [n], [2**62], [len(aug.shape) - 1], [1], b.shape),
                pivots)


def inv(x: Array, /) -> Array:
    """The inverse, by Gauss-Jordan elimination with partial pivoting on ``[x | I]``."""
    v, n = _square(x, "inv")
    if n == 0:
        return Array._new(v)
    if v.dtype.kind == "c":
        return Array._new(_complex().inv(v, n))
    eye = _filled(_Batch(v), (n, n), np.eye(n), v.dtype)
    return Array._new(_gauss_jordan(v, eye, n))


def solve(x1: Array, x2: Array, /) -> Array:
    """The solution of ``x1 @ x = x2``; a 1-D ``x2`` is one right-hand side for every matrix."""
    a, n = _square(x1, "solve")
    b = as_value(x2, "solve")
    if b.dtype.kind not in "fc":
        raise TypeError(f"solve: needs a floating-point dtype, got {b.dtype.name}")
    dtype = D.promote(a.dtype, b.dtype, "solve")
    if dtype.kind == "c":  # the same steps on the real and imaginary parts
        rd = D.real_dtype_of(dtype)
        cx = _complex()
        a_parts = [_ops.cast(p, rd) for p in cx.parts(a)]
        b_parts = [_ops.cast(p, rd) for p in cx.parts(b)]
    else:
        a_parts, b_parts = [_ops.cast(a, dtype)], [_ops.cast(b, dtype)]
    a_parts, b_parts, vector = _system(a_parts, b_parts, n)
    if n == 0:
        out = b_parts
    elif dtype.kind == "c":
        out = list(_complex().gauss_jordan(tuple(a_parts), tuple(b_parts), n))
    else:
        out = [_gauss_jordan(a_parts[0], b_parts[0], n)]
    if vector:
        out = [_ops.squeeze(o, [-1]) for o in out]
    return Array._new(_complex().join(*out) if dtype.kind == "c" else out[0])


def _system(a_parts: list, b_parts: list, n: int) -> tuple[list, list, bool]:
    """The parts of ``a`` (..., n, n) and ``b`` (..., n, k) expanded to one batch shape, and
    whether ``b`` was a vector."""
    b = b_parts[0]
    vector = len(b.shape) == 1
    if vector:
        b_parts = [_ops.unsqueeze(p, [1]) for p in b_parts]
        b = b_parts[0]
    if len(b.shape) < 2:
        raise ValueError("solve: x2 must have at least 1 dimension")
    if type(b.shape[-2]) is int and b.shape[-2] != n:
        raise ValueError(f"solve: x2 has {b.shape[-2]} rows, but x1 is {n}x{n}")
    batch = _ops.broadcast_shapes(a_parts[0].shape[:-2], b.shape[:-2], func="solve")
    k = b.shape[-1]
    k_dim = k if type(k) is int else _ops.dim_of(b, -1)
    a_shape = _ops.shape_value(_Batch(b)._dims([n, n]))
    a_parts = [_ops.expand_to(p, a_shape, batch + (n, n)) for p in a_parts]
    b_shape = _ops.shape_value(_Batch(a_parts[0])._dims([n, k_dim]))
    return a_parts, [_ops.expand_to(p, b_shape, batch + (n, k)) for p in b_parts], vector


# ---------------------------------------------------------------------------------------------
# Cholesky and QR


def cholesky(x: Array, /, *, upper: bool = False) -> Array:
    """The Cholesky factor of symmetric (Hermitian) positive-definite matrices, lower unless
    ``upper``, from the lower triangle."""
    v, n = _square(x, "cholesky")
    if n == 0:
        return Array._new(v)
    if v.dtype.kind == "c":
        return Array._new(_complex().cholesky(v, n, upper))
    rows = np.arange(n).reshape(n, 1)
    zero = _c(0, v)
    s, cols = v, []
    for j in range(n):
        d = _ops.unary("Sqrt", _entry(s, j, j))
        col = _ops.where(_mask(rows >= j), _div(_cols(s, j, j + 1), d), zero)
        cols.append(col)
        if j < n - 1:
            s = _sub(s, _mul(col, _mT(col)))
    low = _ops.concat(cols, len(v.shape) - 1)
    return Array._new(_mT(low) if upper else low)


def _householder(a: Value, want_q: bool) -> tuple[Value | None, Value]:
    """``a = q @ r`` with q (..., m, m) orthogonal (if ``want_q``) and r upper triangular."""
    m, n = a.shape[-2:]
    rows = np.arange(m).reshape(m, 1)
    zero = _c(0, a)
    r, q = a, None
    for k in range(min(m - 1, n)):
        x = _ops.where(_mask(rows >= k), _cols(r, k, k + 1), zero)
        # The reflector does not depend on the scale of x: divided by its largest magnitude,
        # v.T @ v >= 1 unless x is zero, so 2 / (v.T @ v) cannot overflow for tiny columns.
        big = _ops.reduce("ReduceMax", _ops.unary("Abs", x), [-2], True)
        x = _div(x, _ops.where(_cmp("Equal", big, zero), _c(1, a), big))
        xk = _entry(x, k, 0)
        norm = _ops.unary("Sqrt", _sum(_mul(x, x), -2, True))
        # alpha = -sign(xk) * |x|, so that xk - alpha does not cancel
        alpha = _ops.where(_cmp("GreaterOrEqual", xk, zero), _ops.unary("Neg", norm), norm)
        v = _ops.where(_mask(rows == k), _sub(xk, alpha), x)
        vv = _sum(_mul(v, v), -2, True)
        beta = _ops.where(_cmp("Equal", vv, zero), zero, _div(_c(2, a), vv))
        bvt = _mul(beta, _mT(v))
        r = _sub(r, _mul(v, _mm(bvt, r)))
        if want_q:
            if q is None:
                q = _sub(_ops.const(np.eye(m), a.dtype), _mul(v, bvt))
            else:
                q = _sub(q, _mul(_mm(q, v), bvt))
    r = _ops.where(_mask(np.triu(np.ones((m, n), bool))), r, zero)
    if want_q and q is None:
        q = _filled(_Batch(a), (m, m), np.eye(m), a.dtype)
    return q, r


def qr(x: Array, /, *, mode: str = "reduced") -> QRResult:
    """Householder QR: Q (..., M, K) and R (..., K, N) for 'reduced', K = M for 'complete'."""
    v = _matrices(x, "qr")
    if mode not in ("reduced", "complete"):
        raise ValueError(f"qr: mode must be 'reduced' or 'complete', got {mode!r}")
    m, n = v.shape[-2:]
    k = m if mode == "complete" else min(m, n)
    if m == 0 or n == 0:
        b = _Batch(v)
        return QRResult(Array._new(_any_filled(b, (m, k), np.eye(m, k), v.dtype)),
                        Array._new(_any_filled(b, (k, n), np.zeros((k, n)), v.dtype)))
    if v.dtype.kind == "c":
        return QRResult(*(Array._new(r) for r in _complex().qr(v, k)))
    scale = _max_magnitude(v)
    q, r = _householder(_div(v, scale), want_q=True)
    r = _mul(r, scale)
    return QRResult(Array._new(_cols(q, 0, k)), Array._new(_rows(r, 0, k)))


# ---------------------------------------------------------------------------------------------
# Jacobi rotations


def _sweeps(n: int) -> int:
    """Sweeps of cyclic Jacobi. The convergence is quadratic once it sets in, and the sweeps it
    takes grow like log(n): 3 * ceil(log2 n) reach float64 accuracy (reconstruction errors below
    1e-10 relative) for n <= 64, measured also on spectra where each eigenvalue repeats n/4 times,
    which converge slowest; random spectra need about two thirds of that."""
    return 3 * math.ceil(math.log2(n)) if n > 1 else 0


@functools.lru_cache(maxsize=64)
def _rounds(n: int) -> tuple:
    """The round-robin schedule: ``n - 1`` rounds (``n`` if odd) of disjoint pairs (p, q) that
    together cover every pair once. Per round: p and q indices, the flat indices of (p, p),
    (q, q) and (p, q), and the rotation's patterns: J = c @ C + s @ S + I_rest (flat)."""
    m = n + n % 2
    players = list(range(m))
    out = []
    for _ in range(m - 1):
        pairs = [tuple(sorted((players[i], players[m - 1 - i]))) for i in range(m // 2)]
        pairs = [pq for pq in pairs if pq[1] < n]
        players = [players[0], players[-1]] + players[1:-1]
        p = np.array([a for a, _ in pairs])
        q = np.array([b for _, b in pairs])
        c_pat = np.zeros((len(pairs), n * n))
        s_pat = np.zeros((len(pairs), n * n))
        rest = np.eye(n)
        for i, (a, b) in enumerate(pairs):
            c_pat[i, [a * n + a, b * n + b]] = 1
            s_pat[i, a * n + b], s_pat[i, b * n + a] = 1, -1
            rest[a, a] = rest[b, b] = 0
        out.append((p, q, p * (n + 1), q * (n + 1), p * n + q, c_pat, s_pat, rest.reshape(-1)))
    return tuple(out)


def _rotation(app: Value, aqq: Value, apq: Value) -> tuple[Value, Value]:
    """(c, s) of the rotation that zeroes apq of [[app, apq], [apq, aqq]] (Golub and Van Loan,
    sym.schur2), as t = 2 apq sign(d) / (|d| + sqrt(d^2 + 4 apq^2)) with d = aqq - app, which
    never divides by apq. t depends only on the ratio of d and apq: both are divided by the
    larger magnitude first, so that tiny entries do not underflow when squared."""
    zero = _c(0, app)
    d = _sub(aqq, app)
    two = _add(apq, apq)
    big = _ops.binary("Max", _ops.unary("Abs", d), _ops.unary("Abs", two))
    big = _ops.where(_cmp("Equal", big, zero), _c(1, app), big)
    d, two = _div(d, big), _div(two, big)
    den = _add(_ops.unary("Abs", d), _ops.unary("Sqrt", _add(_mul(d, d), _mul(two, two))))
    num = _ops.where(_cmp("GreaterOrEqual", d, zero), two, _ops.unary("Neg", two))
    t = _ops.where(_cmp("Equal", den, zero), zero, _div(num, den))
    c = _div(_c(1, app), _ops.unary("Sqrt", _add(_c(1, app), _mul(t, t))))
    return c, _mul(t, c)


def _rotation_matrix(c: Value, s: Value, rnd: tuple, batch: _Batch, n: int) -> Value:
    """The product of a round's disjoint rotations, (..., n, n): every entry is exact."""
    *_, c_pat, s_pat, rest = rnd
    dt = c.dtype
    flat = _add(_add(_mm(c, _ops.const(c_pat, dt)), _mm(s, _ops.const(s_pat, dt))),
                _ops.const(rest, dt))
    return batch.reshape(flat, [n, n])


def _jacobi_eigen(a: Value, want_vectors: bool) -> tuple[Value, Value | None]:
    """Diagonalize symmetric (..., n, n) ``a``: returns its diagonal form and the rotations."""
    n = a.shape[-1]
    batch = _Batch(a)
    vecs = None
    for _ in range(_sweeps(n)):
        for rnd in _rounds(n):
            _, _, pp, qq, pq, *_ = rnd
            flat = batch.reshape(a, [n * n])
            c, s = _rotation(_ops.gather(flat, _ops.i64(pp), -1),
                             _ops.gather(flat, _ops.i64(qq), -1),
                             _ops.gather(flat, _ops.i64(pq), -1))
            j = _rotation_matrix(c, s, rnd, batch, n)
            a = _mm(_mT(j), _mm(a, j))
            if want_vectors:
                vecs = j if vecs is None else _mm(vecs, j)
    return a, vecs


def _one_sided_jacobi(b: Value, want_vectors: bool) -> tuple[Value, Value | None]:
    """Rotate the columns of (..., m, n) ``b`` until they are orthogonal (Hestenes)."""
    n = b.shape[-1]
    batch = _Batch(b)
    vecs = None
    for _ in range(_sweeps(n)):
        for rnd in _rounds(n):
            p, q, *_ = rnd
            bp = _ops.gather(b, _ops.i64(p), -1)
            bq = _ops.gather(b, _ops.i64(q), -1)
            c, s = _rotation(_sum(_mul(bp, bp), -2, False), _sum(_mul(bq, bq), -2, False),
                             _sum(_mul(bp, bq), -2, False))
            j = _rotation_matrix(c, s, rnd, batch, n)
            b = _mm(b, j)
            if want_vectors:
                vecs = j if vecs is None else _mm(vecs, j)
    return b, vecs


def _symmetric_from_lower(v: Value) -> Value:
    n = v.shape[-1]
    return _ops.where(_mask(np.tril(np.ones((n, n), bool))), v, _mT(v))


def _diagonal(v: Value, batch: _Batch) -> Value:
    n = v.shape[-1]
    return _ops.gather(batch.reshape(v, [n * n]), _ops.i64(np.arange(n) * (n + 1)), -1)


def _eigen(x, func: str, want_vectors: bool) -> tuple[Value, Value | None]:
    v, n = _square(x, func)
    batch = _Batch(v)
    if n == 0:
        return (_filled(batch, (0,), np.zeros(0), D.real_dtype_of(v.dtype)),
                _any_filled(batch, (0, 0), np.zeros((0, 0)), v.dtype))
    if v.dtype.kind == "c":
        return _complex().eigen(v, want_vectors)
    scale = _max_magnitude(v)
    a = _div(_symmetric_from_lower(v), scale)
    a, vecs = _jacobi_eigen(a, want_vectors)
    w = _mul(_diagonal(a, batch), _ops.squeeze(scale, [-1]))
    w, order = _top_k(w, largest=False)
    if not want_vectors:
        return w, None
    if vecs is None:  # n == 1
        return w, _filled(batch, (1, 1), np.ones((1, 1)), v.dtype)
    idx = batch.expand(_ops.unsqueeze(order, [len(order.shape) - 1]), [n, n])
    return w, _gather_elements(vecs, idx, -1)


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


def _svd(v: Value, want_vectors: bool, full: bool):
    """(U, S, V) of (..., m, n) ``v`` with known m >= n >= 1; U is (..., m, m) if ``full``."""
    m, n = v.shape[-2:]
    batch = _Batch(v)
    scale = _max_magnitude(v)
    a = _div(v, scale)
    q = None
    if m > n:  # the columns of the square R factor are rotated instead: fewer rows
        q, r = _householder(a, want_q=want_vectors)
        a = _rows(r, 0, n)
    b, vecs = _one_sided_jacobi(a, want_vectors)
    sigma = _ops.unary("Sqrt", _sum(_mul(b, b), -2, False))
    s, order = _top_k(sigma, largest=True)
    s_out = _mul(s, _ops.squeeze(scale, [-1]))
    if not want_vectors:
        return None, s_out, None
    idx = batch.expand(_ops.unsqueeze(order, [len(order.shape) - 1]), [n, n])
    b = _gather_elements(b, idx, -1)
    vecs = (_filled(batch, (1, 1), np.ones((1, 1)), v.dtype) if vecs is None
            else _gather_elements(vecs, idx, -1))
    # The normalized columns, then a QR that keeps them (up to sign) and completes the columns
    # of zero singular values to an orthonormal basis.
    zero = _c(0, b)
    s_row = _ops.unsqueeze(s, [len(s.shape) - 1])
    unit = _ops.where(_cmp("Equal", s_row, zero), zero, _div(b, s_row))
    u1, rr = _householder(unit, want_q=True)
    signs = _ops.where(_cmp("Less", _diagonal(rr, batch), zero), _c(-1, b), _c(1, b))
    u = _mul(u1, _ops.unsqueeze(signs, [len(signs.shape) - 1]))
    if q is not None:
        u = _mm(_cols(q, 0, n), u)
        if full:
            u = _ops.concat([u, _cols(q, n, m)], len(u.shape) - 1)
    return u, s_out, vecs


def svd(x: Array, /, *, full_matrices: bool = True) -> SVDResult:
    """U, S (real, descending) and Vh with x = U @ diag(S) @ Vh, by one-sided Jacobi
    rotations."""
    v = _matrices(x, "svd")
    m, n = v.shape[-2:]
    k = min(m, n)
    if k == 0:
        b = _Batch(v)
        um, vn = (m, n) if full_matrices else (k, k)
        return SVDResult(Array._new(_any_filled(b, (m, um), np.eye(m, um), v.dtype)),
                         Array._new(_filled(b, (0,), np.zeros(0), D.real_dtype_of(v.dtype))),
                         Array._new(_any_filled(b, (vn, n), np.eye(vn, n), v.dtype)))
    if v.dtype.kind == "c":
        cx = _complex()
        u, s, vh = cx.svd_factors(v, full_matrices)
        return SVDResult(Array._new(cx.join(*u)), Array._new(s), Array._new(cx.join(*vh)))
    return SVDResult(*(Array._new(r) for r in _svd_factors(v, full_matrices)))


def _svd_factors(v: Value, full: bool) -> tuple[Value, Value, Value]:
    """U, S and Vh of a checked stack of matrices with min(M, N) >= 1."""
    m, n = v.shape[-2:]
    if m >= n:
        u, s, vecs = _svd(v, True, full)
        return u, s, _mT(vecs)
    u, s, vecs = _svd(_mT(v), True, full)  # x.T = U S V.T, so x = V S U.T
    return vecs, s, _mT(u)


def singular_values(v: Value) -> Value:
    """The singular values (descending) of a checked stack of matrices."""
    m, n = v.shape[-2:]
    if min(m, n) == 0:
        return _filled(_Batch(v), (0,), np.zeros(0), D.real_dtype_of(v.dtype))
    if v.dtype.kind == "c":
        return _complex().singular_values(v)
    return _svd(v if m >= n else _mT(v), False, False)[1]


def svdvals(x: Array, /) -> Array:
    """The singular values, descending."""
    return Array._new(singular_values(_matrices(x, "svdvals")))


def _tolerance(rtol, v: Value, func: str) -> Value:
    """``rtol`` as (..., 1): a float, an array over the batch, or max(M, N) * eps if None."""
    rd = D.real_dtype_of(v.dtype)
    if rtol is None:
        return _ops.const([max(v.shape[-2:]) * float(np.finfo(rd.numpy).eps)], rd)
    if isinstance(rtol, Array):
        r = rtol._v
        if r.dtype.kind != "f":
            raise TypeError(f"{func}: rtol must have a real floating-point dtype, got "
                            f"{r.dtype.name}")
        return _ops.unsqueeze(_ops.cast(r, rd), [len(r.shape)])
    if isinstance(rtol, (int, float)) and not isinstance(rtol, bool):
        return _ops.const([float(rtol)], rd)
    raise TypeError(f"{func}: rtol must be a float, an array or None, got {rtol!r}")


def matrix_rank(x: Array, /, *, rtol=None) -> Array:
    """The number of singular values above rtol times the largest one."""
    v = _matrices(x, "matrix_rank")
    tol = _tolerance(rtol, v, "matrix_rank")
    if min(v.shape[-2:]) == 0:
        return Array._new(_filled(_Batch(v), (), np.zeros((), np.int64), D.int64))
    s = singular_values(v)
    cutoff = _mul(tol, _ops.gather(s, _ops.i64([0]), -1))
    above = _ops.cast(_cmp("Greater", s, cutoff), D.int64)
    return Array._new(_ops.reduce("ReduceSum", above, [-1], False))


def pinv(x: Array, /, *, rtol=None) -> Array:
    """The Moore-Penrose pseudo-inverse: V @ diag(1/S) @ U^H over the singular values above
    rtol times the largest one."""
    v = _matrices(x, "pinv")
    tol = _tolerance(rtol, v, "pinv")
    m, n = v.shape[-2:]
    if min(m, n) == 0:
        return Array._new(_any_filled(_Batch(v), (n, m), np.zeros((n, m)), v.dtype))
    if v.dtype.kind == "c":
        return Array._new(_complex().pinv(v, tol))
    u, s, vh = _svd_factors(v, False)
    cutoff = _mul(tol, _ops.gather(s, _ops.i64([0]), -1))
    zero = _c(0, s)
    s_inv = _ops.where(_cmp("Greater", s, cutoff), _div(_c(1, s), s), zero)
    scaled = _mul(_mT(vh), _ops.unsqueeze(s_inv, [len(s_inv.shape) - 1]))
    return Array._new(_mm(scaled, _mT(u)))


# Repeated concrete calls of one signature run as one compiled session, like the main
# namespace's functions: these unrolled graphs are long, op by op they are slow. (eig and
# eigvals compile one session per dtype and rank for every size themselves, see _linalg_eig.)
det = planned(det)
slogdet = planned(slogdet)
inv = planned(inv)
solve = planned(solve)
cholesky = planned(cholesky)
qr = planned(qr)
eigh = planned(eigh)
eigvalsh = planned(eigvalsh)
svd = planned(svd)
svdvals = planned(svdvals)
matrix_rank = planned(matrix_rank)
pinv = planned(pinv)
