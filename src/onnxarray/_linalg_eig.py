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
   (an inner ``Loop``, one rotation per iteration, each O(n) work: two rows and two columns of
   ``[h; z]``). Sweeps stop when every subdiagonal entry is zero, or after ``30 max(n, 10)``
   sweeps; a matrix that did not converge by then gets NaN in every output, never a finite
   wrong answer.
3. Eigenvectors of the triangular Schur factor ``t`` by back substitution (one row per
   iteration; a divisor below ``eps max|t|`` is replaced by it, as in LAPACK's ztrevc), mapped
   back by ``z``, then normalised like NumPy: unit 2-norm, and the largest component (the first
   of equal ones) real and non-negative.

Matrices with NaN or infinity give NaN everywhere. float32 and complex64 input is computed in
float64 and rounded at the end. The matrix size may be symbolic: the graph does not depend on
it. Batches are flattened to one leading axis while computing; each matrix deflates on its own.

Layout: ``[h; z]`` is one float tensor ``w`` of shape (B, 2, 2n, n), the real and imaginary
parts on axis 1, ``h`` in rows 0..n-1 and ``z`` in rows n..2n-1, so that a rotation of two
columns is one gather, one 4x4 matrix product and one scatter for both factors.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops
from ._complex_parts import complex_of, join, parts
from ._control_flow import apply, trace_body
from ._graph import Dim, Value
from ._linalg_complex import cabs, cdiv, cmm, cmul, csub, cwhere

__all__ = ["general_eigen", "max_sweeps"]

F = D.float64
I64 = D.int64
EPS = float(np.finfo(np.float64).eps)


def max_sweeps(n: Value) -> Value:
    """The cap on QR sweeps for matrices of size ``n`` (0-d int64): 30 max(n, 10), as
    LAPACK's zlahqr allows 30 iterations per eigenvalue."""
    return _bin("Mul", _bin("Max", n, _ops.i64(10)), _ops.i64(30))


# ---------------------------------------------------------------------------------------------
# small emitters


def _node(op: str, ins: list, dt, shape: tuple, **attrs) -> Value:
    return _ops.bind(op, ins, [dt], lambda: [tuple(shape)], tuple(sorted(attrs.items())))[0]


def _bin(op: str, a: Value, b: Value, dt=None) -> Value:
    return _ops.binary(op, a, b, dt)


def _f(x) -> Value:
    return _ops.const(x, F)


def _i(x) -> Value:
    return _ops.i64(x)


def _bool_op(op: str, a: Value, b: Value) -> Value:
    return _bin(op, a, b, D.bool)


def _to_f(v: Value) -> Value:
    return _ops.cast(v, F)


def _rs(x: Value, shape: list, out: tuple) -> Value:
    """Reshape to ``shape`` (ints and 1-element int64 Values), recorded as ``out``."""
    return _node("Reshape", [x, _ops.shape_value(shape)], x.dtype, out, allowzero=1)


def _ge(x: Value, idx: Value, axis: int) -> Value:
    return _node("GatherElements", [x, idx], x.dtype, idx.shape, axis=axis)


def _scatter(x: Value, idx: Value, upd: Value, axis: int) -> Value:
    return _node("ScatterElements", [x, idx, upd], x.dtype, x.shape, axis=axis)


def _expand(x: Value, shape: Value, out: tuple) -> Value:
    return _node("Expand", [x, shape], x.dtype, out)


def _slice(x: Value, start, end, axis: int, out: tuple) -> Value:
    def one(s):
        return s if isinstance(s, Value) else _i([s])
    return _node("Slice", [x, one(start), one(end), _i([axis])], x.dtype, out)


def _range(n: Value) -> Value:
    return _node("Range", [_i(0), n, _i(1)], I64, (Dim(),))


def _abs1(re: Value, im: Value) -> Value:
    """|re| + |im|, LAPACK's cabs1."""
    return _bin("Add", _ops.unary("Abs", re), _ops.unary("Abs", im))


def _split(x: Value, axis: int, k: int, shape: tuple) -> list[Value]:
    """``x`` split into ``k`` equal parts along ``axis`` (each of shape ``shape``)."""
    return list(_ops.bind("Split", [x], [x.dtype] * k, lambda: [shape] * k,
                          (("axis", axis), ("num_outputs", k))))


def _loop(trip: Value | None, cond: Value | None, carried: list[Value], body,
          func: str) -> list[Value]:
    """One ONNX ``Loop``; ``body(i, carried) -> (cond_out or None, carried_out)``."""
    specs = [(I64, ()), (D.bool, ())] + [(v.dtype, v.shape) for v in carried]

    def fn(inputs):
        cond_out, outs = body(inputs[0], list(inputs[2:]))
        return [inputs[1] if cond_out is None else cond_out, *outs], None

    graph, _ = trace_body(specs, fn, hoist=True)
    return list(apply("Loop", [trip, cond, *carried], {"body": graph},
                      [(v.dtype, v.shape) for v in carried], func))


def csqrt(z):
    """The principal square root, from (|z| + |re z|) / 2 so that nothing cancels."""
    x, y = z
    t = _ops.unary("Sqrt", _bin("Mul", _bin("Add", cabs(z), _ops.unary("Abs", x)), _f(0.5)))
    half = _bin("Div", y, _bin("Add", t, t))
    half = _ops.where(_bool_op("Equal", t, _f(0.0)), _f(0.0), half)
    right = _bool_op("GreaterOrEqual", x, _f(0.0))
    return (_ops.where(right, t, _ops.unary("Abs", half)),
            _ops.where(right, half, _ops.where(_bool_op("Less", y, _f(0.0)),
                                               _ops.unary("Neg", t), t)))


# ---------------------------------------------------------------------------------------------
# the pieces


class _Sizes:
    """Sizes and index tensors shared by the steps, for w of shape (B, 2, 2n, n)."""

    def __init__(self, w: Value, n_dim) -> None:
        self.B = w.shape[0]
        self.n_dim = n_dim
        self.b1 = _ops.dim_of(w, 0)
        self.n1 = _ops.dim_of(w, 3)
        self.n = _ops.reshape(self.n1, [])
        self.n2 = _bin("Add", self.n1, self.n1)
        self.d2n = w.shape[2]
        self.pos = _range(self.n)  # (n,)
        self.last = _bin("Sub", self.n, _i(1))

    def shape(self, *dims) -> Value:
        """A shape Value from ints and the names 'B', 'n', '2n'."""
        table = {"B": self.b1, "n": self.n1, "2n": self.n2}
        return _ops.shape_value([table[d] if isinstance(d, str) else d for d in dims])

    def dims(self, *dims) -> tuple:
        table = {"B": self.B, "n": self.n_dim, "2n": self.d2n}
        return tuple(table[d] if isinstance(d, str) else d for d in dims)


def _hessenberg(w: Value, sz: _Sizes) -> Value:
    """``h`` reduced to upper Hessenberg form by Householder reflectors, ``z`` accumulating
    them: column k per iteration, k = 0..n-3."""
    col_shape = sz.dims("B", 2, "n")
    pos = sz.pos
    trip = _bin("Max", _bin("Sub", sz.n, _i(2)), _i(0))

    def body(k, carried):
        (w,) = carried
        h = _slice(w, 0, sz.n1, 2, sz.dims("B", 2, "n", "n"))
        col = _node("Gather", [h, k], F, col_shape, axis=3)  # (B, 2, n): column k of h
        below = _bool_op("Greater", pos, _bin("Add", k, _i(1)))  # rows k+2..n-1
        at = _bool_op("Equal", pos, _bin("Add", k, _i(1)))  # row k+1
        x = _ops.where(_bool_op("Or", below, at), col, _f(0.0))
        xre, xim = _split(x, 1, 2, sz.dims("B", 1, "n"))
        norm = _ops.unary("Sqrt", _ops.reduce("ReduceSum", _bin("Mul", x, x), [1, 2], True))
        # alpha = x[k+1]; v = x + e^(i arg alpha) |x| e_(k+1), so that nothing cancels
        alpha = _ops.reduce("ReduceSum", _ops.where(at, x, _f(0.0)), [2], True)  # (B, 2, 1)
        are, aim = _split(alpha, 1, 2, sz.dims("B", 1, 1))
        amag = cabs((are, aim))
        zero_a = _bool_op("Equal", amag, _f(0.0))
        safe = _ops.where(zero_a, _f(1.0), amag)
        pre = _ops.where(zero_a, _f(1.0), _bin("Div", are, safe))
        pim = _ops.where(zero_a, _f(0.0), _bin("Div", aim, safe))
        atf = _to_f(at)
        vre = _bin("Add", xre, _bin("Mul", _bin("Mul", pre, norm), atf))
        vim = _bin("Add", xim, _bin("Mul", _bin("Mul", pim, norm), atf))
        vv = _ops.reduce("ReduceSum", _bin("Add", _bin("Mul", vre, vre), _bin("Mul", vim, vim)),
                         [1, 2], True)  # (B, 1, 1)
        beta = _ops.where(_bool_op("Equal", vv, _f(0.0)), _f(0.0),
                          _bin("Div", _f(2.0), _ops.where(_bool_op("Equal", vv, _f(0.0)),
                                                          _f(1.0), vv)))
        # column vectors (B, n, 1) and the left vector padded to 2n rows (z is not touched)
        vc = (_ops.transpose(vre, (0, 2, 1)), _ops.transpose(vim, (0, 2, 1)))
        zpad = _expand(_f(np.zeros((1, 1, 1))), sz.shape("B", 1, "n"), sz.dims("B", 1, "n"))
        v2 = (_ops.concat([vre, zpad], 2), _ops.concat([vim, zpad], 2))  # (B, 1, 2n)
        wre, wim = _split(w, 1, 2, sz.dims("B", 1, "2n", "n"))
        wp = (_ops.squeeze(wre, [1]), _ops.squeeze(wim, [1]))  # (B, 2n, n)
        # left: w -= v2^H... as h -= v (beta v^H h)
        u = cmm((v2[0], _ops.unary("Neg", v2[1])), wp)  # (B, 1, n): conj(v)^T w
        u = (_bin("Mul", u[0], beta), _bin("Mul", u[1], beta))
        v2c = (_ops.transpose(v2[0], (0, 2, 1)), _ops.transpose(v2[1], (0, 2, 1)))
        wp = csub(wp, cmm(v2c, u))
        # right: w -= (w v) (beta v^H)
        t = cmm(wp, vc)  # (B, 2n, 1)
        vh = (_bin("Mul", vre, beta), _ops.unary("Neg", _bin("Mul", vim, beta)))  # (B, 1, n)
        wp = csub(wp, cmm(t, vh))
        w = _ops.concat([_ops.unsqueeze(wp[0], [1]), _ops.unsqueeze(wp[1], [1])], 1)
        return None, [w]

    return _loop(trip, None, [w], body, "linalg.eig")[0]


def _deflate(w: Value, sz: _Sizes):
    """Zero the negligible subdiagonal entries of h. Returns the new w, the rows of h's
    (subdiagonal, diagonal, superdiagonal) entries (B, 2, n, 3) and which subdiagonal entries
    are still nonzero (B, n)."""
    h = _slice(w, 0, sz.n1, 2, sz.dims("B", 2, "n", "n"))
    z = _slice(w, sz.n1, sz.n2, 2, sz.dims("B", 2, "n", "n"))
    pos = sz.pos
    three = _ops.concat([_ops.unsqueeze(_bin("Max", _bin("Sub", pos, _i(1)), _i(0)), [1]),
                         _ops.unsqueeze(pos, [1]),
                         _ops.unsqueeze(_bin("Min", _bin("Add", pos, _i(1)), sz.last), [1])], 1)
    idx = _expand(three, sz.shape("B", 2, "n", 3), sz.dims("B", 2, "n", 3))
    bands = _ge(h, idx, 3)  # (B, 2, n, 3)
    re, im = _split(bands, 1, 2, sz.dims("B", 1, "n", 3))
    mag = _ops.squeeze(_abs1(re, im), [1])  # (B, n, 3)
    sub, diag, _ = _split(mag, 2, 3, sz.dims("B", "n", 1))
    sub, diag = _ops.squeeze(sub, [2]), _ops.squeeze(diag, [2])  # (B, n)
    prev = _ge(diag, _expand(_bin("Max", _bin("Sub", pos, _i(1)), _i(0)),
                             sz.shape("B", "n"), sz.dims("B", "n")), 1)
    tst = _bin("Add", diag, prev)
    tst = _ops.where(_bool_op("Equal", tst, _f(0.0)), _f(1.0), tst)
    first = _bool_op("Equal", pos, _i(0))
    negligible = _bool_op("Or", _bool_op("LessOrEqual", sub, _bin("Mul", tst, _f(EPS))), first)
    alive = _ops.unary("Not", negligible)
    kill = _bool_op("And", _ops.unsqueeze(negligible, [1, 3]),
                    _bool_op("Equal", _ops.unsqueeze(pos, [1]),
                             _ops.unsqueeze(_bin("Add", pos, _i(1)), [0])))  # (B, 1, n, n)
    h = _ops.where(kill, _f(0.0), h)
    sub_col = _ops.const(np.array([True, False, False]), D.bool)
    bands = _ops.where(_bool_op("And", _ops.unsqueeze(negligible, [1, 3]), sub_col), _f(0.0),
                       bands)
    return _ops.concat([h, z], 2), bands, alive


def _shift(bands: Value, hi: Value, its: Value, sz: _Sizes) -> tuple[Value, Value]:
    """The shift of each matrix (B,) pair: the eigenvalue of the trailing 2x2 block of the
    active block (rows hi-1, hi) nearer its last entry (Wilkinson), or every 10th sweep
    without deflation the exceptional shift ``h[hi, hi] + 3/4 |re h[hi, hi-1]|`` (zlahqr)."""
    rows = _bin("Add", _ops.unsqueeze(hi, [1, 2, 3]), _i(np.array([-1, 0]).reshape(1, 1, 2, 1)))
    idx = _expand(rows, sz.shape("B", 2, 2, 3), sz.dims("B", 2, 2, 3))
    blk = _node("GatherElements", [bands, idx], F, sz.dims("B", 2, 2, 3), axis=2)
    flat = _rs(blk, [sz.b1, 12], sz.dims("B", 12))
    e = _split(flat, 1, 12, sz.dims("B", 1))
    # re: row hi-1 = e[0:3] (sub, diag, super), row hi = e[3:6]; im: e[6:12] the same
    a, b, c, d = (e[1], e[7]), (e[2], e[8]), (e[3], e[9]), (e[4], e[10])
    delta = (_bin("Mul", _bin("Sub", a[0], d[0]), _f(0.5)),
             _bin("Mul", _bin("Sub", a[1], d[1]), _f(0.5)))
    bc = cmul(b, c)
    root = csqrt((_bin("Add", cmul(delta, delta)[0], bc[0]),
                  _bin("Add", cmul(delta, delta)[1], bc[1])))
    plus = (_bin("Add", delta[0], root[0]), _bin("Add", delta[1], root[1]))
    minus = csub(delta, root)
    big = _bool_op("GreaterOrEqual", _abs1(*plus), _abs1(*minus))
    den = cwhere(big, plus, minus)
    zero = _bool_op("Equal", _abs1(*den), _f(0.0))
    den = cwhere(zero, (_f(1.0), _f(0.0)), den)
    mu = cwhere(zero, d, csub(d, cdiv(bc, den)))
    exceptional = _bool_op("Equal", _bin("Mod", its, _i(10)), _i(9))
    exc = _ops.unsqueeze(exceptional, [1])
    mu = (_ops.where(exc, _bin("Add", d[0], _bin("Mul", _ops.unary("Abs", c[0]), _f(0.75))),
                     mu[0]),
          _ops.where(exc, d[1], mu[1]))
    return mu


def _rotation_matrices(xy: Value, active: Value, sz: _Sizes) -> tuple[Value, Value]:
    """The Givens rotation ``g = [[c, s], [-conj s, c]]`` with ``g [x; y] = [r; 0]`` (c real),
    for ``xy`` = [re x, re y, im x, im y] (B, 4), as the real 4x4 matrices that apply ``g``
    from the left to [re rows; im rows] and ``g^H`` from the right to [re cols, im cols].
    The identity where not ``active``."""
    big = _ops.reduce("ReduceMax", _ops.unary("Abs", xy), [1], True)
    big = _ops.where(_bool_op("Equal", big, _f(0.0)), _f(1.0), big)
    v = _bin("Div", xy, big)
    xr, yr, xi, yi = _split(v, 1, 4, sz.dims("B", 1))
    ax = _ops.unary("Sqrt", _bin("Add", _bin("Mul", xr, xr), _bin("Mul", xi, xi)))
    rho = _ops.unary("Sqrt", _ops.reduce("ReduceSum", _bin("Mul", v, v), [1], True))
    keep = _bool_op("Or", _ops.unary("Not", _ops.unsqueeze(active, [1])),
                    _bool_op("Equal", rho, _f(0.0)))
    rho = _ops.where(keep, _f(1.0), rho)
    zx = _bool_op("Equal", ax, _f(0.0))
    axs = _ops.where(zx, _f(1.0), ax)
    pr = _ops.where(zx, _f(1.0), _bin("Div", xr, axs))
    pi = _ops.where(zx, _f(0.0), _bin("Div", xi, axs))
    c = _ops.where(keep, _f(1.0), _bin("Div", ax, rho))
    sr = _ops.where(keep, _f(0.0), _bin("Div", _bin("Add", _bin("Mul", pr, yr),
                                                    _bin("Mul", pi, yi)), rho))
    si = _ops.where(keep, _f(0.0), _bin("Div", _bin("Sub", _bin("Mul", pi, yr),
                                                    _bin("Mul", pr, yi)), rho))
    z = _bin("Mul", c, _f(0.0))
    nsr, nsi = _ops.unary("Neg", sr), _ops.unary("Neg", si)
    left = [c, sr, z, nsi, nsr, c, nsi, z, z, si, c, sr, si, z, nsr, c]
    right = [c, nsr, z, nsi, sr, c, nsi, z, z, si, c, nsr, si, z, sr, c]
    out = sz.dims("B", 4, 4)
    return (_rs(_ops.concat(left, 1), [sz.b1, 4, 4], out),
            _rs(_ops.concat(right, 1), [sz.b1, 4, 4], out))


def _sweep(w: Value, lo: Value, count: Value, mu: tuple, sz: _Sizes) -> Value:
    """One implicit single-shift QR step on rows and columns lo..lo+count of each h (count
    rotations; none where count is 0), accumulated into z."""
    trip = _ops.reduce("ReduceMax", count, [0], False)
    zero = _bin("Mul", mu[0], _f(0.0))
    mu4 = _ops.concat([mu[0], zero, mu[1], zero], 1)  # (B, 4) like xy
    rows_shape = sz.shape("B", 2, 2, "n")
    cols_shape = sz.shape("B", 2, "2n", 2)
    pair = _i(np.array([0, 1]))
    col_pos = _ops.reshape(sz.pos, [1, 1, 1, -1], (1, 1, 1, sz.n_dim))
    lower_row = _i(np.array([False, True]).reshape(1, 1, 2, 1).astype(np.int64))

    def body(j, carried):
        (w,) = carried
        k = _bin("Min", _bin("Add", lo, j), _bin("Max", _bin("Sub", sz.n, _i(2)), _i(0)))
        active = _bool_op("Less", j, count)
        first = _bool_op("Equal", j, _i(0))
        k4 = _ops.unsqueeze(k, [1, 2, 3])  # (B, 1, 1, 1)
        idx_r = _expand(_bin("Add", k4, _ops.reshape(pair, [1, 1, 2, 1])), rows_shape,
                        sz.dims("B", 2, 2, "n"))
        r = _ge(w, idx_r, 2)  # rows k, k+1: (B, 2, 2, n)
        col = _bin("Sub", k4, _bin("Sub", _i(1), _ops.cast(first, I64)))  # k or k-1
        col = _bin("Max", col, _i(0))
        xy = _ge(r, _expand(col, sz.shape("B", 2, 2, 1), sz.dims("B", 2, 2, 1)), 3)
        xy = _rs(xy, [sz.b1, 4], sz.dims("B", 4))
        xy = _bin("Sub", xy, _bin("Mul", mu4, _to_f(first)))
        left, right = _rotation_matrices(xy, active, sz)
        new = _node("MatMul", [left, _rs(r, [sz.b1, 4, sz.n1], sz.dims("B", 4, "n"))], F,
                    sz.dims("B", 4, "n"))
        new = _rs(new, [sz.b1, 2, 2, sz.n1], sz.dims("B", 2, 2, "n"))
        # the bulge the rotation removed is exactly zero, as it should be
        bulge = _bool_op("And", _bool_op("Equal", col_pos, _bin("Sub", k4, _i(1))),
                         _bool_op("Equal", lower_row, _i(1)))
        new = _ops.where(_bool_op("And", bulge, _ops.unary("Not", first)), _f(0.0), new)
        w = _scatter(w, idx_r, new, 2)
        idx_c = _expand(_bin("Add", k4, _ops.reshape(pair, [1, 1, 1, 2])), cols_shape,
                        sz.dims("B", 2, "2n", 2))
        cols = _ops.transpose(_ge(w, idx_c, 3), (0, 2, 1, 3))  # (B, 2n, 2, 2)
        cols = _rs(cols, [sz.b1, sz.n2, 4], sz.dims("B", "2n", 4))
        new = _node("MatMul", [cols, right], F, sz.dims("B", "2n", 4))
        new = _ops.transpose(_rs(new, [sz.b1, sz.n2, 2, 2], sz.dims("B", "2n", 2, 2)),
                             (0, 2, 1, 3))
        return None, [_scatter(w, idx_c, new, 3)]

    return _loop(trip, None, [w], body, "linalg.eig")[0]


def _window(alive: Value, sz: _Sizes) -> tuple[Value, Value]:
    """The lowest block not yet reduced: its first row lo and last row hi (-1 if none)."""
    pos = sz.pos
    hi = _ops.reduce("ReduceMax", _ops.where(alive, pos, _i(-1)), [1], False)
    dead_above = _bool_op("And", _ops.unary("Not", alive),
                          _bool_op("LessOrEqual", pos, _ops.unsqueeze(hi, [1])))
    lo = _ops.reduce("ReduceMax", _ops.where(dead_above, pos, _i(0)), [1], False)
    return lo, hi


def _schur(w: Value, sz: _Sizes) -> tuple[Value, Value, Value]:
    """QR sweeps until every subdiagonal entry is negligible or the cap is reached. Returns w
    (h upper triangular), the band entries and whether each matrix converged (B,)."""
    def body(_, carried):
        w, its, hi_prev = carried
        w, bands, alive = _deflate(w, sz)
        lo, hi = _window(alive, sz)
        count = _ops.where(_bool_op("Less", hi, _i(0)), _i(0), _bin("Sub", hi, lo))
        its = _ops.where(_bool_op("Equal", hi, hi_prev), _bin("Add", its, _i(1)), _i(0))
        hi_c = _bin("Min", _bin("Max", hi, _i(1)), sz.last)
        mu = _shift(bands, hi_c, its, sz)
        w = _sweep(w, lo, count, mu, sz)
        more = _bool_op("Greater", _ops.reduce("ReduceMax", count, [0], False), _i(0))
        return more, [w, its, hi]

    its0 = _expand(_i(0), sz.shape("B"), sz.dims("B"))
    w, _, _ = _loop(max_sweeps(sz.n), _ops.const(True, D.bool),
                    [w, its0, _bin("Sub", its0, _i(2))], body, "linalg.eig")
    w, bands, alive = _deflate(w, sz)
    stuck = _ops.reduce("ReduceMax", _ops.cast(alive, I64), [1], False)
    converged = _ops.unary("Not", _ops.cast(stuck, D.bool))
    return w, bands, converged


def _eigenvectors(t: tuple, diag: tuple, sz: _Sizes) -> tuple:
    """Unit upper triangular y with ``t y = y diag(t)`` for upper triangular t (B, n, n), by
    back substitution, row n-2 first."""
    pos = sz.pos
    mag = _ops.reduce("ReduceMax", _abs1(*t), [1, 2], True)  # (B, 1, 1)
    smin = _ops.squeeze(_bin("Mul", mag, _f(EPS)), [2])  # (B, 1)
    eye = _to_f(_bool_op("Equal", _ops.unsqueeze(pos, [1]), _ops.unsqueeze(pos, [0])))
    nn = sz.dims("B", "n", "n")
    y0 = _expand(_ops.unsqueeze(eye, [0]), sz.shape("B", "n", "n"), nn)
    y0i = _bin("Mul", y0, _f(0.0))
    start = _bin("Sub", sz.n, _i(2))

    def body(it, carried):
        yre, yim = carried
        i = _bin("Sub", start, it)
        later = _bool_op("Greater", pos, i)  # (n,)
        trow = tuple(_ops.where(later, _node("Gather", [p, i], F, sz.dims("B", "n"), axis=1),
                                _f(0.0)) for p in t)
        s = cmm(tuple(_ops.unsqueeze(p, [1]) for p in trow), (yre, yim))  # (B, 1, n)
        s = tuple(_ops.squeeze(p, [1]) for p in s)
        di = tuple(_ops.unsqueeze(_node("Gather", [p, i], F, sz.dims("B"), axis=1), [1])
                   for p in diag)
        den = csub(di, diag)  # (B, n)
        small = _bool_op("Less", _abs1(*den), smin)
        den = cwhere(small, (smin, _f(0.0)), den)
        y = cdiv((_ops.unary("Neg", s[0]), _ops.unary("Neg", s[1])), den)
        row = _ops.unsqueeze(_bool_op("Equal", pos, i), [1])  # (n, 1)
        yre = _ops.where(_bool_op("And", row, later), _ops.unsqueeze(y[0], [1]), yre)
        yim = _ops.where(_bool_op("And", row, later), _ops.unsqueeze(y[1], [1]), yim)
        return None, [yre, yim]

    trip = _bin("Max", _bin("Sub", sz.n, _i(1)), _i(0))
    return tuple(_loop(trip, None, [y0, y0i], body, "linalg.eig"))


def _normalized(v: tuple) -> tuple:
    """Columns of unit 2-norm whose largest component is real and non-negative."""
    big = _ops.reduce("ReduceMax", _bin("Max", _ops.unary("Abs", v[0]), _ops.unary("Abs", v[1])),
                      [1], True)
    big = _ops.where(_bool_op("Equal", big, _f(0.0)), _f(1.0), big)
    v = (_bin("Div", v[0], big), _bin("Div", v[1], big))
    mag2 = _bin("Add", _bin("Mul", v[0], v[0]), _bin("Mul", v[1], v[1]))
    norm = _ops.unary("Sqrt", _ops.reduce("ReduceSum", mag2, [1], True))
    at = _ops.bind("ArgMax", [mag2], [I64], lambda: [(mag2.shape[0], 1, mag2.shape[2])],
                   (("axis", 1), ("keepdims", 1), ("select_last_index", 0)))[0]
    p = (_ge(v[0], at, 1), _ge(v[1], at, 1))
    pm = _ops.unary("Sqrt", _ge(mag2, at, 1))
    pm = _ops.where(_bool_op("Equal", pm, _f(0.0)), _f(1.0), pm)
    den = _bin("Mul", pm, norm)
    phase = (_bin("Div", p[0], den), _ops.unary("Neg", _bin("Div", p[1], den)))
    return cmul(v, phase)


# ---------------------------------------------------------------------------------------------
# the entry point


def general_eigen(v: Value, want_vectors: bool) -> tuple[Value, Value | None]:
    """Eigenvalues (..., n) and, if wanted, unit eigenvectors (..., n, n) of square matrices
    ``v`` (..., n, n), real or complex, n >= 1 and every batch size >= 1; both complex."""
    re, im = parts(v)
    out_real = re.dtype
    re, im = _ops.cast(re, F), _ops.cast(im, F)
    nb = len(v.shape) - 2
    n_dim = v.shape[-1]
    batch_shape = v.shape[:nb]
    n1 = _ops.dim_of(re, -1)
    flat = [-1, n1, n1] if nb else [1, n1, n1]
    B = batch_shape[0] if nb == 1 else (1 if nb == 0 else Dim())
    if nb > 1 and all(type(d) is int for d in batch_shape):
        B = int(np.prod(batch_shape))
    re = _rs(re, flat, (B, n_dim, n_dim))
    im = _rs(im, flat, (B, n_dim, n_dim))
    # non-finite matrices: computed as zeros, NaN at the end
    finite = _bool_op("And", _ops.unary("Not", _ops.unary("IsNaN", _bin("Sub", re, re))),
                      _ops.unary("Not", _ops.unary("IsNaN", _bin("Sub", im, im))))
    ok = _ops.cast(_ops.reduce("ReduceMin", _ops.cast(finite, I64), [1, 2], True), D.bool)
    re, im = _ops.where(ok, re, _f(0.0)), _ops.where(ok, im, _f(0.0))
    scale = _ops.reduce("ReduceMax", _bin("Max", _ops.unary("Abs", re), _ops.unary("Abs", im)),
                        [1, 2], True)
    scale = _ops.where(_bool_op("Equal", scale, _f(0.0)), _f(1.0), scale)
    re, im = _bin("Div", re, scale), _bin("Div", im, scale)
    pos = _range(_ops.reshape(n1, []))
    eye = _to_f(_bool_op("Equal", _ops.unsqueeze(pos, [1]), _ops.unsqueeze(pos, [0])))
    eye = _bin("Add", _bin("Mul", re, _f(0.0)), eye)
    zre = _ops.concat([re, eye], 1)
    zim = _ops.concat([im, _bin("Mul", eye, _f(0.0))], 1)
    w = _ops.concat([_ops.unsqueeze(zre, [1]), _ops.unsqueeze(zim, [1])], 1)  # (B, 2, 2n, n)
    sz = _Sizes(w, n_dim)
    w = _hessenberg(w, sz)
    # entries below the subdiagonal are rounding errors of the reflections: exactly zero
    rows2 = _range(_ops.reshape(sz.n2, []))
    below = _bool_op("And", _bool_op("Greater", _ops.unsqueeze(rows2, [1]),
                                     _ops.unsqueeze(_bin("Add", pos, _i(1)), [0])),
                     _bool_op("Less", _ops.unsqueeze(rows2, [1]), sz.n))
    w = _ops.where(below, _f(0.0), w)
    w, bands, converged = _schur(w, sz)
    good = _bool_op("And", converged, _ops.reshape(ok, [-1], (B,)))  # (B,)
    nan = _f(np.nan)
    diag = _node("Gather", [bands, _i(1)], F, sz.dims("B", 2, "n"), axis=3)
    dre, dim_ = _split(diag, 1, 2, sz.dims("B", 1, "n"))
    dre, dim_ = _ops.squeeze(dre, [1]), _ops.squeeze(dim_, [1])  # (B, n), of the scaled matrix
    g2 = _ops.unsqueeze(good, [1])
    s2 = _ops.squeeze(scale, [2])  # (B, 1)
    wre = _ops.where(g2, _bin("Mul", dre, s2), nan)
    wim = _ops.where(g2, _bin("Mul", dim_, s2), nan)
    out_shape = [_ops.shape_of(v, 0, nb)] if nb else []
    w_out = join(_ops.cast(_rs(wre, [*out_shape, n1], (*batch_shape, n_dim)), out_real),
                 _ops.cast(_rs(wim, [*out_shape, n1], (*batch_shape, n_dim)), out_real))
    if not want_vectors:
        return w_out, None
    nn = sz.dims("B", 1, "n", "n")
    tre, tim = _split(_slice(w, 0, sz.n1, 2, sz.dims("B", 2, "n", "n")), 1, 2, nn)
    zre, zim = _split(_slice(w, sz.n1, sz.n2, 2, sz.dims("B", 2, "n", "n")), 1, 2, nn)
    upper = _bool_op("LessOrEqual", _ops.unsqueeze(pos, [1]), _ops.unsqueeze(pos, [0]))
    t = (_ops.where(upper, _ops.squeeze(tre, [1]), _f(0.0)),
         _ops.where(upper, _ops.squeeze(tim, [1]), _f(0.0)))
    y = _eigenvectors(t, (dre, dim_), sz)
    vecs = _normalized(cmm((_ops.squeeze(zre, [1]), _ops.squeeze(zim, [1])), y))
    g3 = _ops.unsqueeze(good, [1, 2])
    vecs = tuple(_ops.where(g3, p, nan) for p in vecs)
    shape = [*out_shape, n1, n1]
    v_out = join(*(_ops.cast(_rs(p, shape, (*batch_shape, n_dim, n_dim)), out_real)
                   for p in vecs))
    cdt = complex_of(out_real)
    assert w_out.dtype is cdt and v_out.dtype is cdt
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
        raise ValueError(f"{func}: needs square matrices, got {m}x{n}")
    return v


def _empty(v: Value, want_vectors: bool) -> tuple[Value, Value | None]:
    """The results for a stack holding no matrix entries (known when recording)."""
    cdt = v.dtype if v.dtype.kind == "c" else complex_of(v.dtype)
    n = v.shape[-1]
    w = _ops.const(np.zeros(v.shape[:-1], cdt.numpy), cdt)
    vecs = _ops.const(np.zeros(v.shape[:-2] + (n, n), cdt.numpy), cdt) if want_vectors else None
    return w, vecs


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
