"""Jacobi methods as ONNX ``Loop``s: n/2 disjoint rotations per iteration, in round-robin order.

- ``one_sided_jacobi``: Hestenes' one-sided Jacobi for the SVD: rotates pairs of columns until
  every pair is orthogonal to working accuracy.
- ``symmetric_eigen``: the same on ``A + sigma I``, positive definite, whose normalized columns
  end as A's eigenvectors (eigh, eigvalsh).

The round-robin schedule (every pair once per sweep of m - 1 rounds, m even) is computed before
the loop as tables; an iteration reads its round's row. Each index j of a round knows its
partner k and its role (the smaller index p, or q): the rotation of rows (or columns) is then
``x_j <- c_j x_j + sgn_j s_j x_k`` for all j at once, one Gather and three elementwise
operations on the whole matrix. Both members of a pair compute the same c and s from the same
entries, so the update is exactly the rotation ``J`` with ``J_pp = J_qq = c``, ``J_pq = s``,
``J_qp = -s``.

Every pair of a round is rotated, by the angle that zeroes its columns' product (tiny for a
pair already orthogonal): the tolerance is applied by the sweep test only. The real method
is two nested loops: an outer ``while`` over sweeps that tests, once per sweep, whether every
column product is below the tolerance, and an inner loop of the m - 1 rounds of one sweep,
whose body does no bookkeeping; at most ``max_sweeps`` sweeps. The complex methods
(``_linalg_jacobi_complex``) have the same loops. A matrix that did not settle, or that holds
a NaN or an infinity, is flagged ``failed``; the callers put NaN in all its outputs. An odd
size is padded with one zero row and column (a zero column), which every rotation leaves
as it is.

Cost (float64, onnxruntime 1.32, one thread, CPU time): a round of ``symmetric_eigen`` is 31
nodes, 6 of them passes over the matrix (a gather of the partners' rows, a product and a sum
for the column products, two products and a sum for the rotation); the SVD's adds 4 for V. In
a loop body a small node costs ~0.4 us, a pass over a 64 x 64 matrix 1.7 us (2.3 us against an
(m, 1) column), an iteration 1.35 us: ~23 us a round at n = 64, ~33 us with V. n = 16, 64, 128
need ~6, 9, 10 sweeps of n - 1 rounds; sorting the columns by norm each sweep saves none, a QR
first (rotating R^T) about one of nine for the SVD, about what a QR costs, and none for the
shifted symmetric matrix (measured on random matrices). The sequential rounds, not the
arithmetic, bound the speed (n = 64: 567 rounds). Inside a loop body onnxruntime's Where and
comparisons cost several times an arithmetic node, and a scalar broadcast against an (m, 1)
column runs one element at a time, so the rounds use arithmetic masks and constants of full
rank.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops, lax
from ._array_object import Array
from ._graph import Dim, Value
from ._linalg_base import _add, _c, _cmp, _div, _mT, _mul, _sub, _sum
from ._linalg_loops import _column_index, _eye_like, _same_shape, _while, arange, size_value

__all__ = ["symmetric_eigen", "one_sided_jacobi", "MAX_SWEEPS"]

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
    partner of every index and its sign (-1 for the smaller index p of its pair, +1 for q)."""

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
        self.m = m


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


class _Rounds:
    """Per-round tables of the round-robin schedule laid out for the two-level loop: row r
    of each is what round r needs, in the shape the body uses it.

    - ``partner`` (R, m): the partner k of each index j;
    - ``half_sign`` (R, m, 1) of ``like``'s dtype: -1/2 for the smaller index p of a pair,
      +1/2 for q.
    """

    def __init__(self, sched: _Schedule, like: Value, exact_zero: bool = False) -> None:
        self.rounds = sched.rounds
        self.partner = sched.partner
        # with ``exact_zero`` (see ``_turn_apart``): sgn_j times the smallest normal number
        factor = float(np.finfo(like.dtype.numpy).tiny) if exact_zero else 0.5
        self.half_sign = _mul(_ops.unsqueeze(_ops.cast(sched.sign, like.dtype), [2]),
                              _c(factor, like))
        self.m = sched.m

    def row(self, table: Value, r: Value) -> Value:
        shape = table.shape[1:]
        return _ops.bind("Gather", [table, r], [table.dtype], lambda: [shape],
                         (("axis", 0),))[0]


def _fori(trip: Value, body, init: list[Value]) -> list[Value]:
    """``lax.fori_loop(0, trip, ...)`` on Values: ``body(i, carry) -> carry``."""
    def step(i, carry):
        outs = body(i._v if i._v.shape == () else _ops.reshape(i._v, []), [c._v for c in carry])
        return tuple(Array._new(_same_shape(o, c._v.shape)) for o, c in zip(outs, carry))

    out = lax.fori_loop(0, Array._new(trip), step, tuple(Array._new(v) for v in init))
    return [o._v for o in out]


def _k(value: float, like: Value) -> Value:
    """A constant of ``like``'s dtype and rank (all sizes 1): onnxruntime broadcasts a
    lower-rank scalar against a (..., m, 1) column one element at a time (64x1 float64: 1.4 us
    per op instead of 0.4 us)."""
    return _ops.const(np.full((1,) * len(like.shape), value), like.dtype)


def _hypot(x: Value, y: Value) -> Value:
    """sqrt(x^2 + y^2) of two (..., m, 1) Values (a ``ReduceL2`` of the pair side by side is
    two nodes instead of four, but measured 2-10% slower for the whole round)."""
    return _ops.unary("Sqrt", _add(_mul(x, x), _mul(y, y)))


def _turn(e: Value, two: Value, half_sign: Value) -> tuple[Value, Value]:
    """(c, sgn_j t) of the rotation that zeroes the product of columns p < q, for
    each member j of its pair: ``e = alpha_j - alpha_k`` (the squared norms of j and of its
    partner k), ``two`` = twice the columns' product, ``half_sign`` = sgn_j / 2 (-1/2 for p,
    +1/2 for q). Both members must pass the same ``two`` and opposite ``e``, bit for bit (a
    difference is exactly antisymmetric), or the update is not a rotation.

    With d = alpha_q - alpha_p, t = two sgn(d) / (|d| + sqrt(d^2 + two^2)) with sgn(0) = 1
    (Golub and Van Loan, sym.schur2); d = sgn_j e, so sgn_j sgn(d) is sgn(e), or sgn_j where
    e = 0: one expression, sgn(sgn(e) + sgn_j / 2). The denominator is at least the smallest normal
    number, so a pair with e = two = 0 gives t = 0, not 0/0. (Not by adding that number:
    onnxruntime's graph optimizations drop an Add of a constant they round to zero.)"""
    den = _ops.binary("Max", _add(_ops.unary("Abs", e), _hypot(e, two)),
                      _k(float(np.finfo(e.dtype.numpy).tiny), e))
    sgn = _ops.unary("Sign", _add(_ops.unary("Sign", e), half_sign))
    t = _div(_mul(two, sgn), den)  # sgn_j t: t^2 does not see it
    one = _k(1, e)
    c = _div(one, _ops.unary("Sqrt", _add(one, _mul(t, t))))
    return c, t


def _turn_apart(e: Value, two: Value, signed_tiny: Value) -> tuple[Value, Value]:
    """``_turn`` for columns whose squared norms are 0 or at least 1/4 (eigh's shifted
    matrix): e is then 0 or far above the smallest normal number, and ``e' = e + sgn_j tiny``
    (``signed_tiny``) is never 0, has the sign ``_turn`` takes for e, and stays exactly
    antisymmetric. So ``sgn_j t = two / (e' + sgn(e') sqrt(e'^2 + two^2))`` with no guard:
    7 nodes instead of 10. (The tiny number comes from a table, not a constant, which
    onnxruntime's graph optimizations could drop.)"""
    e = _add(e, signed_tiny)
    t = _div(two, _add(e, _mul(_ops.unary("Sign", e), _hypot(e, two))))
    one = _k(1, e)
    c = _div(one, _ops.unary("Sqrt", _add(one, _mul(t, t))))
    return c, t


def _turned(x: Value, other: Value, c: Value, t: Value) -> Value:
    """The rows x_j <- c (x_j + t_j x_k) (``other`` holds the partners' rows x_k): the
    rotation with s = c t, in as many passes as c x_j + s x_k and one node fewer."""
    return _mul(c, _add(x, _mul(t, other)))


def _batch_any(flags: Value) -> Value:
    """0-d bool: whether any entry of the bool Value ``flags`` is set."""
    if not flags.shape:
        return flags
    n = _ops.reduce("ReduceMax", _ops.cast(flags, D.int64), None, False)
    return _cmp("Greater", n, _i64(0))


# The sweep test of the SVD reads the column products from one matrix product, which rounds
# differently from the rounds' own products: it asks for orthogonality within MARGIN times the
# rounds' tolerance, so a pair it finds unsettled is surely rotated by the next sweep.
MARGIN = 4.0


def one_sided_jacobi(b: Value, want_vectors: bool, max_sweeps: int = MAX_SWEEPS,
                     tight: bool = False, exact_zero: bool = False):
    """Rotate the columns of (..., rows, n) ``b`` until they are orthogonal (Hestenes): the
    cosine of every pair's angle at most ``rows eps``, or ``sqrt(rows) eps`` when ``tight``.

    Two nested loops, sweeps while a pair of columns is not orthogonal, each of m - 1 rounds;
    a round works on ``b^T`` and ``V^T``, whose rows it rotates: onnxruntime gathers rows much
    faster than columns. ``exact_zero``: every column's squared norm is 0 or at least 1/4,
    and stays so (see ``_turn_apart``). Returns ``(b, vectors (..., n, n) or None, failed
    (..., 1) bool)``.
    """
    n = b.shape[-1]
    nd = len(b.shape)
    nv = size_value(b, -1)
    rows_v = size_value(b, -2)
    bt, mv, m = _pad_even(_mT(b), (-2,), nv)  # (..., m, rows)
    tabs = _Rounds(_Schedule(mv, m), bt, exact_zero)
    eps = float(np.finfo(b.dtype.numpy).eps)
    # columns count as orthogonal when |bp . bq| <= rows * eps * |bp| |bq|
    tol = _ops.cast(_ops.binary("Max", rows_v, _i64(1)), b.dtype)
    tol = _mul(_ops.unary("Sqrt", tol) if tight else tol, _c(eps, b))
    tol2 = _ops.reshape(_mul(tol, tol), [1] * nd)
    # a column shorter than eps * ||B||_F is numerically zero: the sweep test leaves it out
    # (its direction is rounding noise, which no rotation makes orthogonal to the others)
    total = _ops.reduce("ReduceSumSquare", bt, [-2, -1], False)
    floor = _mul(_c(eps * eps, b), total)  # (...)
    floor_col = _ops.unsqueeze(floor, [nd - 2, nd - 1])  # (..., 1, 1)
    rws, cls = _column_index(mv, m)
    upper = _cmp("Less", rws, cls)

    def unsettled(bt: Value, margin: float) -> Value:  # (...) bool; NaN counts as settled
        g = _ops.bind("MatMul", [bt, _mT(bt)], [bt.dtype],
                      lambda: [bt.shape[:-1] + (m,)])[0]  # (..., m, m)
        alpha = _sum(_mul(bt, bt), -1, True)  # (..., m, 1)
        prod = _mul(alpha, _mT(alpha))
        big = _mul(_mul(_c(margin * margin, b), tol2), prod)
        live = _ops.binary("And", upper, _cmp("Greater", _ops.binary("Min", alpha, _mT(alpha)),
                                              _mul(_c(margin, b), floor_col)))
        excess = _ops.where(live, _sub(_mul(g, g), big), _c(-1, b))
        return _cmp("Greater", _ops.reduce("ReduceMax", excess, [-2, -1], False), _c(0, b))

    def round_(r, carry):
        alpha, bt = carry[:2]  # alpha (..., m, 1): the squared norms of bt's rows
        partner, half_sign = tabs.row(tabs.partner, r), tabs.row(tabs.half_sign, r)
        other = _ops.bind("Gather", [bt, partner], [bt.dtype], lambda: [bt.shape],
                          (("axis", nd - 2),))[0]
        beta = _ops.bind("Gather", [alpha, partner], [b.dtype], lambda: [alpha.shape],
                         (("axis", nd - 2),))[0]
        gamma = _sum(_mul(bt, other), -1, True)
        # Every pair turns by the angle that zeroes its product, tiny for a pair already
        # orthogonal: in a vectorised round a threshold saves no work, and its test was 9 of
        # the round's ~45 nodes (the sweep test alone applies the tolerance). A rotation of
        # two orthogonal columns is still a rotation: settled pairs stay settled.
        # 2 gamma as the sum of the two members' products, the same for both: each sums the
        # same products, but onnxruntime's reduction rounds by the row's place in memory, and
        # members that disagree make an update that is not a rotation (it stalled clustered
        # singular values at ~1e-9 until the cap)
        two = _add(gamma, _ops.bind("Gather", [gamma, partner], [b.dtype], lambda: [gamma.shape],
                                    (("axis", nd - 2),))[0])
        c, t = (_turn_apart if exact_zero else _turn)(_sub(alpha, beta), two, half_sign)
        # the rotation that zeroes gamma moves t gamma between the two squared norms
        # (alpha_p - t gamma, alpha_q + t gamma): two vector operations instead of two passes
        # over bt; each sweep starts from norms computed afresh. (Each member's own gamma:
        # the norms only steer the angles, and d above is antisymmetric whatever they are.)
        out = [_add(alpha, _mul(t, gamma)), _turned(bt, other, c, t)]
        if want_vectors:
            vt = carry[2]
            out.append(_turned(vt, _ops.bind("Gather", [vt, partner], [vt.dtype],
                                             lambda: [vt.shape], (("axis", nd - 2),))[0], c, t))
        return out

    # carry: sweeps done, which matrices are unsettled (..., the sweep test, made at the end
    # of each sweep: one test in the graph, none before the first sweep), b^T (and V^T)
    def sweep(carry):
        bt = carry[2]
        inner = [_sum(_mul(bt, bt), -1, True), *carry[2:]]
        out = _fori(tabs.rounds, round_, inner)[1:]
        return [_add(carry[0], _i64(1)), unsettled(out[0], MARGIN), *out]

    def cond(carry):
        return _ops.binary("And", _cmp("Less", carry[0], _i64(max_sweeps)),
                           _batch_any(carry[1]))

    init = [_i64(0), _cmp("Equal", total, total), bt]  # unsettled unless NaN (failed below)
    if want_vectors:
        init.append(_eye_like(bt, m, mv))
    out = _while(cond, sweep, init)
    bt = out[2]
    # still unsettled within the margin: the sweeps hit the cap
    bad = _ops.unsqueeze(out[1], [nd - 2])
    failed = _ops.binary("Or", bad, _ops.unary("Not",
                                               _finite(_sum(_sum(bt, -1, False), -1, True))))
    b = _mT(_first(bt, nv, n, -2))
    vecs = _mT(_first(_first(out[3], nv, n, -1), nv, n, -2)) if want_vectors else None
    return b, vecs, failed


def symmetric_eigen(a: Value, want_vectors: bool, max_sweeps: int = MAX_SWEEPS):
    """Diagonalize symmetric (..., n, n) ``a`` (of largest magnitude about 1) by one-sided
    Jacobi on ``b = a + sigma I``, ``sigma = 2 min(||a||_F, ||a||_inf)`` (Veselic and Hari).

    b is positive definite with condition number at most 3, and has a's eigenvectors: the
    rotations make the columns of ``b V = U Sigma`` orthogonal, and as b is symmetric positive
    definite its left singular vectors U are its eigenvectors (the shift is at least 1: a zero
    matrix gives b = I). So the normalized columns of
    the rotated b are a's eigenvectors, and V is never accumulated: a round rotates one
    matrix, not two. The eigenvalues are the Rayleigh quotients ``u^T a u`` of those columns
    (exact to ``eps ||a||`` however large the shift). The columns are made orthogonal to
    ``sqrt(n) eps`` rather than the SVD's ``n eps``: the shift makes every column about
    ``sigma`` long, and an eigenvector's error is the tolerance times ``sigma / gap``.

    The same rotations serve eigvalsh (the vectors are needed for the Rayleigh quotients).
    Returns ``(eigenvalues (..., n), vectors (..., n, n) or None, failed (..., 1) bool)``.
    """
    frob = _ops.unary("Sqrt", _ops.reduce("ReduceSumSquare", a, [-2, -1], True))
    rowsum = _ops.reduce("ReduceMax", _sum(_ops.unary("Abs", a), -1, True), [-2], True)
    # (..., 1, 1); a's largest magnitude is 1 (or it is zero: then b = I)
    shift = _ops.binary("Max", _mul(_ops.binary("Min", frob, rowsum), _c(2.0, a)), _c(1.0, a))
    b = _add(a, _mul(shift, _eye_like(a, a.shape[-1], size_value(a, -1))))
    # b's eigenvalues are at least shift / 2 >= 1/2: its columns' squared norms (those of
    # b V, V orthogonal) at least 1/4, the padding column's 0
    b, _, failed = one_sided_jacobi(b, False, max_sweeps, tight=True, exact_zero=True)
    norms = _ops.unary("Sqrt", _sum(_mul(b, b), -2, True))  # (..., 1, n), >= sigma / 3
    u = _div(b, norms)
    w = _sum(_mul(u, _matmul(a, u)), -2, False)  # (..., n)
    return w, (u if want_vectors else None), failed


def _matmul(x: Value, y: Value) -> Value:
    return _ops.bind("MatMul", [x, y], [x.dtype], lambda: [x.shape[:-1] + y.shape[-1:]])[0]
