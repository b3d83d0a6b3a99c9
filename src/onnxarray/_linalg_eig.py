"""The general eigenproblem (eig, eigvals) on ONNX loops, for real and complex input.

Every matrix of the stack is scaled by its largest magnitude, then:

1. Householder reduction to upper Hessenberg form ``a = z h z^H``, one column per ``Loop``
   iteration.
2. Complex single-shift QR iterations on ``h`` (LAPACK's zlahqr in outline): each sweep first
   sets the negligible subdiagonal entries to zero (``|h[i, i-1]| <= eps (|h[i-1, i-1]| +
   |h[i, i]|)``, with ``|.|`` the cheap ``|re| + |im|``), then works on the lowest block not yet
   reduced, ``lo..hi``: a Wilkinson shift from its trailing 2x2 block (an exceptional shift
   every 10th sweep without deflation breaks the cycles the Wilkinson shift can fall into),
   and an implicit QR step as a chain of Givens rotations that chase the bulge down the block
   (``_linalg_eig_chase``: windows of up to 16 rotations on a small copy of h, the rest of
   ``[h; z]`` updated once per window). Sweeps stop when every subdiagonal entry is zero, or
   after ``30 max(n, 10)`` sweeps; a matrix that did not converge by then gets NaN in every
   output, never a finite wrong answer.
3. Eigenvectors of the triangular Schur factor ``t`` by back substitution (one row per
   iteration; a divisor below ``eps max|t|`` is replaced by it, as in LAPACK's ztrevc), mapped
   back by ``z``, then normalised like NumPy: unit 2-norm, and the largest component (the first
   of equal ones) real and non-negative.

Matrices with NaN or infinity give NaN everywhere. float32 and complex64 input is computed in
float64 and rounded at the end. The matrix size may be symbolic: the graph does not depend on
it. Batches are flattened to one leading axis while computing; each matrix deflates on its own.

Layout: ``[h; z]`` is one float tensor ``w`` of shape (B, 2, 2n, n), the real and imaginary
parts on axis 1, ``h`` in rows 0..n-1 and ``z`` in rows n..2n-1 (``z`` is left out for
eigvals); complex products are real matrix products on the stacked parts. The QR sweeps carry
it transposed, (B, 2n, 2, n), where rows and columns are slices. The whole graph is at most
400 nodes, subgraphs included, at any n (381 for a matrix, 387 for two symbolic batch axes).

Eagerly, each (dtype, rank, vectors) signature is compiled once into one onnxruntime session
that serves every matrix and batch size (``eig_values``).

Cost: the bulge chase is sequential, about 1.7 n^2 rotations for n x n (n = 64: ~7,100
rotations in ~210 sweeps, 3.3 sweeps per eigenvalue as LAPACK's zlahqr), each one iteration of
an inner loop of 17 small nodes (40 before the window became a real matrix), so time is
dominated by onnxruntime's per-node and per-iteration overhead, not by arithmetic: n = 64 runs
176,000 nodes (327,000 before), ~70% of them in the inner loop, the rest in the per-sweep
steps (deflation, shift, window setup, and applying each window's rotations to the whole
matrix), about 100 times NumPy. Two bulges per sweep (the same shift, one 3 rotations behind
the other) run 1.4x fewer nodes, but on a larger window, and were not clearly faster.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops
from ._complex_parts import complex_of
from ._dims import not_square
from ._graph import Dim, Value
from ._linalg_eig_chase import sweep
from ._linalg_eig_emit import (
    EPS,
    I64,
    F,
    _bin,
    _bool_op,
    _expand,
    _f,
    _ge,
    _i,
    _loop,
    _node,
    _range,
    _rs,
    _rs0,
    _rsz,
    _split,
    _to_f,
)

__all__ = ["general_eigen", "max_sweeps"]

TINY = float(np.finfo(np.float64).smallest_subnormal)



def max_sweeps(n: Value) -> Value:
    """The cap on QR sweeps for matrices of size ``n`` (0-d int64): 30 max(n, 10), as
    LAPACK's zlahqr allows 30 iterations per eigenvalue."""
    return _bin("Mul", _bin("Max", n, _ops.i64(10)), _ops.i64(30))


# ---------------------------------------------------------------------------------------------
# the pieces


class _Sizes:
    """Sizes and index tensors shared by the steps, for w of shape (B, 2, rows, n) where rows
    is n (h alone) or 2n (h above z)."""

    def __init__(self, w: Value, n_dim, with_z: bool) -> None:
        self.with_z = with_z
        self.B = w.shape[0]
        self.n_dim = n_dim
        self.rows_dim = w.shape[2]
        self.b1 = _ops.dim_of(w, 0)
        self.n1 = _ops.dim_of(w, 3)
        self.rows1 = _ops.dim_of(w, 2)
        self.n = _ops.reshape(self.n1, [])
        self.pos = _range(self.n)  # (n,)
        self.last = _bin("Sub", self.n, _i(1))

    def shape(self, *dims) -> Value:
        """A shape Value from ints and the names 'B', 'n', 'rows', '2n', 'n*n'."""
        table = {"B": self.b1, "n": self.n1, "rows": self.rows1,
                 "2n": _bin("Add", self.n1, self.n1), "n*n": _bin("Mul", self.n1, self.n1)}
        return _ops.shape_value([table[d] if isinstance(d, str) else d for d in dims])

    def dims(self, *dims) -> tuple:
        table = {"B": self.B, "n": self.n_dim, "rows": self.rows_dim}
        return tuple(table[d] if isinstance(d, str) else d for d in dims)

    def split(self, w: Value) -> tuple[Value, Value | None]:
        """(h, z) of w."""
        if not self.with_z:
            return w, None
        hz = _split(w, 2, 2, self.dims("B", 2, "n", "n"))
        return hz[0], hz[1]

    def join(self, h: Value, z: Value | None) -> Value:
        return h if z is None else _ops.concat([h, z], 2)


# [re, im] columns times these give [re, -im] (p = 0) and [im, re] (p = 1): the two rows of
# a complex product written as real matrix products on stacked parts
_CONJ_SWAP = np.array([[[1.0, 0.0], [0.0, -1.0]], [[0.0, 1.0], [1.0, 0.0]]])
# the flattened (p, q) products x_p y_q -> [re, im] of x y
_COMBINE = np.array([[1.0, 0.0, 0.0, -1.0], [0.0, 1.0, 1.0, 0.0]])


def _cmatmul(x: Value, y: Value, sz) -> Value:
    """The complex matrix product of stacked square x and y (B, 2, n, n)."""
    prods = _node("MatMul", [_ops.unsqueeze(x, [2]), _ops.unsqueeze(y, [1])], F,
                  (x.shape[0], 2, 2, *x.shape[2:]))  # (B, p, q, n, n): x_p y_q
    flat = _rsz(prods, sz, ("B", 4, "n*n"))
    out = _node("MatMul", [_f(_COMBINE), flat], F, (x.shape[0], 2, Dim()))
    return _node("Reshape", [out, _ops.shape_of(y)], F, y.shape, allowzero=1)


def _hessenberg(w: Value, sz: _Sizes) -> Value:
    """``h`` reduced to upper Hessenberg form by Householder reflectors ``I - beta v v^H``,
    ``z`` accumulating them: column k per iteration, k = 0..n-3. Complex products are real
    matrix products on the stacked parts."""
    pos = sz.pos
    trip = _bin("Max", _bin("Sub", sz.n, _i(2)), _i(0))
    conj_swap = _f(_CONJ_SWAP)

    def body(k, carried):
        (w,) = carried
        h, z = sz.split(w)
        col = _node("Gather", [h, k], F, sz.dims("B", 2, "n"), axis=3)  # column k of h
        k1 = _bin("Add", k, _i(1))
        x = _ops.where(_bool_op("GreaterOrEqual", pos, k1), col, _f(0.0))  # rows k+1..n-1
        norm = _ops.unary("Sqrt", _ops.reduce("ReduceSum", _bin("Mul", x, x), [1, 2], True))
        # v = x + e^(i arg alpha) |x| e_(k+1) with alpha = x[k+1], so that nothing cancels:
        # alpha / |alpha|_1 (0 if alpha is), plus 2^-500 (below its rounding unless it is 0,
        # when the phase is 1), over its 2-norm
        alpha = _node("Gather", [x, k1], F, sz.dims("B", 2), axis=2)
        phase = _node("LpNormalization", [_bin("Add", _node(
            "LpNormalization", [alpha], F, alpha.shape, axis=1, p=1), _f(np.array(
                [2.0 ** -500, 0.0])))], F, alpha.shape, axis=1, p=2)  # (B, 2)
        at = _to_f(_bool_op("Equal", pos, k1))
        v = _bin("Add", x, _bin("Mul", _bin("Mul", _ops.unsqueeze(phase, [2]), norm), at))
        vv = _ops.reduce("ReduceSum", _bin("Mul", v, v), [1, 2], True)  # (B, 1, 1)
        zero_v = _bool_op("Equal", vv, _f(0.0))
        beta = _ops.where(zero_v, _f(0.0), _bin("Div", _f(2.0), _ops.where(zero_v, _f(1.0),
                                                                            vv)))
        vt = _ops.unsqueeze(_ops.transpose(v, (0, 2, 1)), [1])  # (B, 1, n, 2): [re, im]
        vcols = _node("MatMul", [vt, conj_swap], F, sz.dims("B", 2, "n", 2))
        # left, on h: h -= v t with t = beta v^H h: [re t; im t] = [[vr, vi], [-vi, vr]] [hr; hi]
        vrows = _rsz(_bin("Mul", _node("Gather", [v, _i([0, 1, 1, 0])], F, sz.dims("B", 4, "n"),
                                       axis=1), _f(np.array([1.0, 1.0, -1.0, 1.0])[:, None])),
                     sz, ("B", 2, "2n"))
        hs = _rsz(h, sz, ("B", "2n", "n"))  # [hr; hi]
        t = _bin("Mul", _node("MatMul", [vrows, hs], F, sz.dims("B", 2, "n")), beta)
        h = _bin("Sub", h, _node("MatMul", [vcols, _ops.unsqueeze(t, [1])], F,
                                 sz.dims("B", 2, "n", "n")))
        w = sz.join(h, z)
        # right, on h and z: w -= s (beta v^H) with s = w v
        m = _node("MatMul", [w, vt], F, sz.dims("B", 2, "rows", 2))  # w_p v_q
        m = _rs0(_ops.transpose(m, (0, 2, 1, 3)), [0, 0, 4], sz.dims("B", "rows", 4))
        s_ = _node("MatMul", [m, _f(_COMBINE.T)], F, sz.dims("B", "rows", 2))  # [re s, im s]
        scols = _node("MatMul", [_ops.unsqueeze(s_, [1]), conj_swap], F,
                      sz.dims("B", 2, "rows", 2))
        u = _bin("Mul", v, _bin("Mul", beta, _f(np.array([1.0, -1.0])[:, None])))  # beta v^H
        w = _bin("Sub", w, _node("MatMul", [scols, _ops.unsqueeze(u, [1])], F,
                                 sz.dims("B", 2, "rows", "n")))
        return None, [w]

    return _loop(trip, None, [w], body, "linalg.eig")[0]


def _deflate(w: Value, sz: _Sizes, masks):
    """Zero the negligible subdiagonal entries of h (and the rounding errors below the
    subdiagonal), with w laid out (B, rows, 2, n). Returns the new w, the rows of h's
    (subdiagonal, diagonal, superdiagonal) entries (B, n, 2, 3) as they were (the subdiagonal
    entries the shift reads are not negligible) and which subdiagonal entries are zero (B, n;
    row 0's always)."""
    sub_mask, below_mask, band_idx, prev_idx, z_rows = masks
    h = w if not sz.with_z else _node("Slice", [w, _i([0]), sz.n1, _i([1])], F,
                                      sz.dims("B", "n", 2, "n"))
    bands = _ge(h, band_idx, 3)  # (B, n, 2, 3)
    mag = _ops.reduce("ReduceSum", _ops.unary("Abs", bands), [2], False)  # (B, n, 3)
    sub = _node("Gather", [mag, _i(0)], F, sz.dims("B", "n"), axis=2)
    diag = _node("Gather", [mag, _i(1)], F, sz.dims("B", "n"), axis=2)
    tst = _bin("Add", diag, _node("Gather", [diag, prev_idx], F, sz.dims("B", "n"), axis=1))
    tst = _ops.where(_bool_op("Equal", tst, _f(0.0)), _f(1.0), tst)
    negligible = _bool_op("LessOrEqual", sub, _bin("Mul", tst, _f(EPS)))
    negligible = _bool_op("Or", negligible, _bool_op("Equal", sz.pos, _i(0)))
    neg4 = _ops.unsqueeze(negligible, [2, 3])  # (B, n, 1, 1)
    zero = _bool_op("Or", below_mask, _bool_op("And", neg4, sub_mask))  # (B, n, 1, n)
    if sz.with_z:  # and none of z's rows
        zero = _node("Pad", [zero, z_rows], D.bool, (sz.B, sz.rows_dim, 1, sz.n_dim))
    return _ops.where(zero, _f(0.0), w), bands, negligible


def _masks(sz: _Sizes):
    """For _deflate, on h laid out (B, n, 2, n): the subdiagonal and what is below it (n, 1,
    n), the columns of the bands (B, n, 2, 3), the previous row (n,) and the padding of a
    mask of h's rows to z's."""
    pos = sz.pos
    r, c1 = _ops.unsqueeze(pos, [1, 2]), _bin("Add", _ops.unsqueeze(pos, [0]), _i(1))
    prev = _bin("Max", _bin("Sub", pos, _i(1)), _i(0))
    nxt = _bin("Min", _bin("Add", pos, _i(1)), sz.last)
    three = _ops.concat([_ops.unsqueeze(p, [1, 2]) for p in (prev, pos, nxt)], 2)  # (n, 1, 3)
    band_idx = _expand(three, sz.shape("B", "n", 2, 3), sz.dims("B", "n", 2, 3))
    z_rows = _ops.shape_value([_i([0] * 5), sz.n1, _i([0] * 2)])  # Pad's amounts: n rows
    return (_bool_op("Equal", r, c1), _bool_op("Greater", r, c1), band_idx, prev, z_rows)


# [re, im] of h^2 + b c from [h_p h_q, h_p h_(1-q), b_p c_q, b_p c_(1-q)] (p, q = 0, 1)
_SQ_PLUS_PROD = np.array([[1.0, -1.0, 0, 0, 1, -1, 0, 0], [0, 0, 1, 1, 0, 0, 1, 1]])


def _csqrt(z: Value, shape: tuple) -> Value:
    """A square root of stacked z (B, 2, 1) (the principal one or its negative), from
    t = sqrt((|z| + |re z|) / 2) so that nothing cancels: (t, im z / 2t) where re z >= 0,
    else (im z / 2t, t); |z|^2 must not overflow (the matrix is scaled)."""
    zr, zi = _split(z, 1, 2, shape)
    mag = _ops.unary("Sqrt", _ops.reduce("ReduceSum", _bin("Mul", z, z), [1], True))
    t = _ops.unary("Sqrt", _bin("Mul", _bin("Add", mag, _ops.unary("Abs", zr)), _f(0.5)))
    half = _ops.where(_bool_op("Equal", t, _f(0.0)), _f(0.0), _bin("Div", zi, _bin("Add", t, t)))
    root = _ops.concat([t, half], 1)
    return _ops.where(_bool_op("GreaterOrEqual", zr, _f(0.0)), root,
                      _node("Gather", [root, _i([1, 0])], F, root.shape, axis=1))


def _shift(bands: Value, hi: Value, its: Value, sz: _Sizes) -> Value:
    """Minus the shift of each matrix, as [-re, -im, 0, 0] (B, 4, 1), from the bands (B, n,
    2, 3) of _deflate: the eigenvalue of the trailing 2x2 block [[a, b], [c, d]] of the
    active block (rows hi-1, hi) nearer d (Wilkinson), or every 10th sweep without deflation
    the exceptional shift ``d + 3/4 |re c|`` (zlahqr)."""
    rows = _bin("Add", _ops.unsqueeze(hi, [1, 2, 3]), _i(np.array([-1, 0]).reshape(1, 2, 1, 1)))
    idx = _expand(rows, sz.shape("B", 2, 2, 3), sz.dims("B", 2, 2, 3))
    blk = _ops.transpose(_ge(bands, idx, 1), (0, 2, 1, 3))  # (B, part, row, band)
    blk = _rs0(blk, [0, 2, 6], sz.dims("B", 2, 6))
    one = sz.dims("B", 2, 1)
    # row hi-1: (sub, diag, super), row hi: (sub, diag, super)
    _, a, b, c, d, _ = _split(blk, 2, 6, one)
    half = _bin("Mul", _bin("Sub", a, d), _f(0.5))
    swap = _i([1, 0])
    prods = _ops.concat([_bin("Mul", half, half),
                         _bin("Mul", half, _node("Gather", [half, swap], F, one, axis=1)),
                         _bin("Mul", b, c), _bin("Mul", b, _node("Gather", [c, swap], F, one,
                                                                     axis=1))], 1)
    root = _csqrt(_node("MatMul", [_f(_SQ_PLUS_PROD), prods], F, one), sz.dims("B", 1, 1))
    # the eigenvalues are d + half -+ root (either root): the nearer d has the smaller
    # |half -+ root|
    plus, minus = _bin("Add", half, root), _bin("Sub", half, root)
    nearer = _bool_op("LessOrEqual",
                      _ops.reduce("ReduceSum", _ops.unary("Abs", plus), [1], True),
                      _ops.reduce("ReduceSum", _ops.unary("Abs", minus), [1], True))
    exceptional = _bin("Mul", _ops.unary("Abs", c), _f(np.array([0.75, 0.0])[:, None]))
    exc = _ops.unsqueeze(_bool_op("Equal", _bin("Mod", its, _i(10)), _i(9)), [1, 2])
    mu = _bin("Add", d, _ops.where(exc, exceptional, _ops.where(nearer, plus, minus)))
    return _node("MatMul", [_f(-np.eye(4, 2)), mu], F, sz.dims("B", 4, 1))


def _window(dead: Value, sz: _Sizes) -> tuple[Value, Value]:
    """The lowest block not yet reduced: its first row lo and last row hi (-1 if none), from
    which subdiagonal entries are zero (B, n)."""
    pos = sz.pos
    hi = _ops.reduce("ReduceMax", _ops.where(dead, _i(-1), pos), [1], False)
    dead_above = _bool_op("And", dead, _bool_op("LessOrEqual", pos, _ops.unsqueeze(hi, [1])))
    lo = _ops.reduce("ReduceMax", _ops.where(dead_above, pos, _i(0)), [1], False)
    return lo, hi


def _schur(w: Value, sz: _Sizes, sweeps: int | None) -> tuple[Value, Value, Value]:
    """QR sweeps until every subdiagonal entry is negligible or the cap is reached. Returns w
    (h upper triangular), the band entries (B, n, 2, 3) and whether each matrix converged
    (B,). The sweeps work on w laid out (B, rows, 2, n), where rows and columns are slices."""
    masks = _masks(sz)

    def body(_, carried):
        w, its, hi_prev, _ = carried
        w, bands, dead = _deflate(w, sz, masks)
        lo, hi = _window(dead, sz)
        its = _ops.where(_bool_op("Equal", hi, hi_prev), _bin("Add", its, _i(1)), _i(0))
        neg_mu = _shift(bands, _bin("Min", _bin("Max", hi, _i(1)), sz.last), its, sz)
        w = sweep(w, lo, hi, neg_mu, sz)
        # a block lo..hi not yet reduced has hi > lo; none left: every hi is -1
        more = _bool_op("GreaterOrEqual", _ops.reduce("ReduceMax", hi, [0], False), _i(0))
        return more, [w, its, hi, bands]

    # The last sweep found nothing to do (every hi < 0, w unchanged), or the cap was reached
    # and some matrices did not converge: their hi is still >= 0. No sweep for n = 0 (an
    # exported model run on empty matrices): the shift would index an empty axis.
    its0 = _expand(_i(0), sz.shape("B"), sz.dims("B"))
    bands0 = _expand(_f(0.0), sz.shape("B", "n", 2, 3), sz.dims("B", "n", 2, 3))
    w, _, hi, bands = _loop(
        max_sweeps(sz.n) if sweeps is None else _i(sweeps), _bool_op("Greater", sz.n, _i(0)),
        [_ops.transpose(w, (0, 2, 1, 3)), its0, _bin("Sub", its0, _i(2)), bands0], body,
        "linalg.eig")
    return _ops.transpose(w, (0, 2, 1, 3)), bands, _bool_op("Less", hi, _i(0))


def _eigenvectors(t: Value, diag: Value, sz: _Sizes) -> Value:
    """Unit upper triangular y with ``t y = y diag(t)`` for upper triangular t, all stacked
    (B, 2, n, n), by back substitution, row n-2 first; a divisor below eps max|t| is
    replaced by it (LAPACK's ztrevc does the same)."""
    pos = sz.pos
    smin = _bin("Max", _bin("Mul", _ops.reduce(
        "ReduceMax", _ops.reduce("ReduceSum", _ops.unary("Abs", t), [1], False), [1, 2], True),
        _f(EPS)), _f(1e-150))  # (B, 1, 1); the floor (for t = 0) keeps |smin|^2 normal
    smin2 = _bin("Mul", smin, _f(np.array([1.0, 0.0])[:, None]))  # (B, 2, 1)
    eye = _to_f(_bool_op("Equal", _ops.unsqueeze(pos, [1]), _ops.unsqueeze(pos, [0])))
    y0 = _expand(_bin("Mul", eye, _f(np.array([1.0, 0.0]).reshape(2, 1, 1))),
                 _ops.shape_of(t), t.shape)
    start = _bin("Sub", sz.n, _i(2))
    nn = sz.dims("B", 2, "n")
    # [re, im] of -(s conj(d)) from [s_p d_q] and [s_p d_(1-q)] products
    neg_div = _f(np.array([[-1.0, -1.0, 0.0, 0.0], [0.0, 0.0, 1.0, -1.0]]))

    def body(it, carried):
        (y,) = carried
        i = _bin("Sub", start, it)
        later = _bool_op("Greater", pos, i)  # (n,)
        trow = _ops.where(later, _node("Gather", [t, i], F, nn, axis=2), _f(0.0))  # (B, 2, n)
        prods = _node("MatMul", [_ops.unsqueeze(trow, [1, 3]), _ops.unsqueeze(y, [2])], F,
                      sz.dims("B", 2, 2, 1, "n"))  # (B, p_y, q_t, 1, n): t_q y_p
        s_ = _node("MatMul", [_f(_COMBINE),
                              _rsz(prods, sz, ("B", 4, "n"))], F, nn)
        di = _node("Gather", [diag, _ops.reshape(i, [1])], F, sz.dims("B", 2, 1), axis=2)
        den = _bin("Sub", di, diag)  # (B, 2, n)
        small = _bool_op("Less", _ops.reduce("ReduceSum", _ops.unary("Abs", den), [1], True),
                         smin)
        den = _ops.where(small, smin2, den)
        swapped = _node("Gather", [den, _i([1, 0])], F, nn, axis=1)
        parts = _ops.concat([_bin("Mul", s_, den), _bin("Mul", s_, swapped)], 1)  # (B, 4, n)
        q = _node("MatMul", [neg_div, parts], F, nn)
        q = _bin("Div", q, _ops.reduce("ReduceSum", _bin("Mul", den, den), [1], True))
        row = _bool_op("And", _ops.unsqueeze(_bool_op("Equal", pos, i), [1]), later)  # (n, n)
        return None, [_ops.where(row, _ops.unsqueeze(q, [2]), y)]

    trip = _bin("Max", _bin("Sub", sz.n, _i(1)), _i(0))
    return _loop(trip, None, [y0], body, "linalg.eig")[0]


def _normalized(v: Value, sz: _Sizes) -> Value:
    """The columns of stacked v (B, 2, n, n) scaled to unit 2-norm with their largest
    component (the first of equal ones) real and non-negative."""
    big = _ops.reduce("ReduceMax", _ops.unary("Abs", v), [1, 2], True)  # (B, 1, 1, n)
    v = _bin("Div", v, _bin("Max", big, _f(TINY)))
    mag2 = _ops.reduce("ReduceSum", _bin("Mul", v, v), [1], True)  # (B, 1, n, n)
    norm = _ops.unary("Sqrt", _ops.reduce("ReduceSum", mag2, [2], True))
    at = _ops.bind("ArgMax", [mag2], [I64], lambda: [sz.dims("B", 1, 1, "n")],
                   (("axis", 2), ("keepdims", 1), ("select_last_index", 0)))[0]
    den = _bin("Mul", _ops.unary("Sqrt", _ge(mag2, at, 2)), norm)  # |largest| |v|, not 0
    p = _bin("Div", _ge(v, _ops.concat([at, at], 1), 2), den)  # (B, 2, 1, n)
    # v conj(p) / den: [vr pr + vi pi, vi pr - vr pi]
    re = _ops.reduce("ReduceSum", _bin("Mul", v, p), [1], True)
    flip = _bin("Mul", _node("Gather", [p, _i([1, 0])], F, p.shape, axis=1),
                _f(np.array([-1.0, 1.0]).reshape(2, 1, 1)))
    im = _ops.reduce("ReduceSum", _bin("Mul", v, flip), [1], True)
    # the largest component is |v_k|^2 / (|v_k| |v|) in exact arithmetic: real
    im = _ops.where(_bool_op("Equal", _ops.unsqueeze(sz.pos, [1]), at), _f(0.0), im)
    return _ops.concat([re, im], 1)


# ---------------------------------------------------------------------------------------------
# the entry point


def _complex_out(x: Value, good: Value, batch_shape: tuple, shape: list, out_real,
                 dims: tuple) -> Value:
    """The complex result from its stacked parts x (B, 2, ...): NaN where not ``good``."""
    x = _ops.where(good, x, _f(np.nan))
    nd = len(x.shape)
    x = _ops.cast(_ops.transpose(x, (0, *range(2, nd), 1)), out_real)
    cdt = complex_of(out_real)
    return _node("Reshape", [x, _ops.shape_value([*shape, 2])], cdt, (*batch_shape, *dims),
                 allowzero=1)


def general_eigen(v: Value, want_vectors: bool, sweeps: int | None = None
                  ) -> tuple[Value, Value | None]:
    """Eigenvalues (..., n) and, if wanted, unit eigenvectors (..., n, n) of square matrices
    ``v`` (..., n, n), real or complex, n >= 1 and every batch size >= 1; both complex.
    ``sweeps`` overrides the cap on QR sweeps (for tests of non-convergence)."""
    nb = len(v.shape) - 2
    n_dim = v.shape[-1]
    batch_shape = v.shape[:nb]
    B = 1 if nb == 0 else (batch_shape[0] if nb == 1 else (
        int(np.prod(batch_shape)) if all(type(d) is int for d in batch_shape) else Dim()))
    n1 = _ops.dim_of(v, nb)
    # the batch size explicitly: a -1 cannot be inferred when n is 0 (an exported model run on
    # empty matrices)
    lead = 1 if nb == 0 else _ops.dim_of(v, 0) if nb == 1 else _ops.reduce(
        "ReduceProd", _ops.shape_of(v, 0, nb), [0], True)
    flat = [lead, n1, n1]
    if v.dtype.kind == "c":
        out_real = D.real_dtype_of(v.dtype)
        x = _node("Reshape", [v, _ops.shape_value([*flat, 2])], out_real, (B, n_dim, n_dim, 2),
                  allowzero=1)
        x = _ops.transpose(_ops.cast(x, F), (0, 3, 1, 2))  # (B, 2, n, n)
    else:
        out_real = v.dtype
        x = _ops.unsqueeze(_ops.cast(_rs(v, flat, (B, n_dim, n_dim)), F), [1])
        x = _node("Pad", [x, _i([0, 0, 0, 0, 0, 1, 0, 0])], F, (B, 2, n_dim, n_dim))  # im 0
    # a matrix with NaN or infinity is computed as zeros and gives NaN
    bad = _ops.unary("IsNaN", _ops.reduce("ReduceSum", _bin("Sub", x, x), [1, 2, 3], True),
                     D.bool)  # (B, 1, 1, 1)
    x = _ops.where(bad, _f(0.0), x)
    scale = _ops.reduce("ReduceMax", _ops.unary("Abs", x), [1, 2, 3], True)
    scale = _bin("Max", scale, _f(TINY))  # 0 / TINY = 0 where every entry is 0
    x = _bin("Div", x, scale)
    if want_vectors:
        pos = _range(_ops.reshape(n1, []))
        eye = _to_f(_bool_op("Equal", _ops.unsqueeze(pos, [1]), _ops.unsqueeze(pos, [0])))
        eye = _bin("Mul", eye, _f(np.array([1.0, 0.0]).reshape(2, 1, 1)))  # (2, n, n)
        x = _ops.concat([x, _expand(eye, _ops.shape_of(x), x.shape)], 2)  # (B, 2, 2n, n)
    sz = _Sizes(x, n_dim, want_vectors)
    w, bands, converged = _schur(_hessenberg(x, sz), sz, sweeps)
    good = _bool_op("And", converged, _ops.unary("Not", _ops.reshape(bad, [-1], (B,)), D.bool))
    diag = _ops.transpose(_node("Gather", [bands, _i(1)], F, sz.dims("B", "n", 2), axis=3),
                          (0, 2, 1))  # (B, 2, n)
    out_shape = [_ops.shape_of(v, 0, nb)] if nb else []
    w_out = _complex_out(_bin("Mul", diag, _ops.reshape(scale, [-1, 1, 1], (B, 1, 1))),
                         _ops.unsqueeze(good, [1, 2]), batch_shape, [*out_shape, n1],
                         out_real, (n_dim,))
    if not want_vectors:
        return w_out, None
    h, z = sz.split(w)
    pos = sz.pos
    upper = _bool_op("LessOrEqual", _ops.unsqueeze(pos, [1]), _ops.unsqueeze(pos, [0]))
    y = _eigenvectors(_ops.where(upper, h, _f(0.0)), diag, sz)
    v_out = _complex_out(_normalized(_cmatmul(z, y, sz), sz), _ops.unsqueeze(good, [1, 2, 3]),
                         batch_shape, [*out_shape, n1, n1], out_real, (n_dim, n_dim))
    return w_out, v_out


# ---------------------------------------------------------------------------------------------
# checks, empty stacks, and eager calls compiled once per (dtype, rank)


def _checked(x, func: str) -> Value:
    from ._array_object import as_value

    v = as_value(x, func)
    if v.dtype.kind not in "fc":
        raise TypeError(f"{func}: needs a floating-point dtype, got {v.dtype.name}")
    if len(v.shape) < 2:
        raise ValueError(f"{func}: needs at least 2 dimensions, got {len(v.shape)}")
    m, n = v.shape[-2:]
    if not (m is n or m == n):
        raise not_square(func, m, n)
    return v


def _empty(v: Value, want_vectors: bool) -> tuple[Value, Value | None]:
    """The results for a stack holding no matrix entries (known when recording)."""
    cdt = v.dtype if v.dtype.kind == "c" else complex_of(v.dtype)
    rd = D.real_dtype_of(cdt)

    def zeros(shape: tuple) -> Value:
        if all(type(d) is int for d in shape):
            return _ops.const(np.zeros(shape, cdt.numpy), cdt)
        dims = [_ops.dim_of(v, k) if type(d) is not int else d for k, d in enumerate(shape)]
        zero = _ops.const(np.zeros((1,) * len(shape) + (2,)), rd)  # a complex 0 as (re, im)
        return _node("Expand", [zero, _ops.shape_value([*dims, 2])], cdt, shape)

    w = zeros(v.shape[:-1])
    return w, (zeros(v.shape) if want_vectors else None)


def _static_empty(v: Value) -> bool:
    return any(type(d) is int and d == 0 for d in v.shape)


_sessions: dict = {}


def _eager_plan(dtype, ndim: int, want_vectors: bool):
    """One compiled session per (dtype, rank, vectors), for every matrix and batch size."""
    key = (dtype, ndim, want_vectors)
    plan = _sessions.get(key)
    if plan is None:
        from ._array_object import Array
        from ._build import argument
        from ._plans import _compile_traced

        names = tuple(f"batch{i}" for i in range(ndim - 2)) + ("n", "n")
        arg = argument(shape=names, dtype=dtype)

        def fn(a):
            w, vecs = general_eigen(a._v, want_vectors)
            return (Array._new(w), Array._new(vecs)) if want_vectors else Array._new(w)

        plan = _compile_traced(fn, {"in0": arg}, [arg], {}, optimize="none")
        plan = _sessions.setdefault(key, plan)
    return plan


def eig_values(x, func: str, want_vectors: bool) -> tuple[Value, Value | None]:
    """``(eigenvalues, eigenvectors or None)`` of ``x``: recorded for symbolic input, run as
    one compiled session (shared by all sizes) for concrete input."""
    v = _checked(x, func)
    if _static_empty(v):
        return _empty(v, want_vectors)
    if v.data is None:
        return general_eigen(v, want_vectors)
    from ._plans import run_plan

    out = run_plan(_eager_plan(v.dtype, len(v.shape), want_vectors), [v.data])
    if want_vectors:
        return out[0]._v, out[1]._v
    return out._v, None
