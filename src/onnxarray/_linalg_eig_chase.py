"""The bulge chase of eig's QR sweeps, in windows: one implicit single-shift QR step on the
active block of each Hessenberg matrix, as a chain of Givens rotations.

A rotation k touches rows and columns k, k+1 of ``[h; z]``, but the next rotation depends
only on entries near the diagonal. So the chase runs in chunks of up to 16 rotations: a
chunk copies the small square window of h around its rotations (rows and columns r0..r0+s-1,
s <= 19), chases the bulge inside it while accumulating the chunk's rotations into the
unitary q (s x s), then updates the rest of ``[h; z]`` at once: rows r0.. of h by
``q @ rows``, columns r0.. of h and z by ``cols @ q^H``. An inner iteration works on the
window only; the whole matrix is written twice per chunk instead of twice per rotation
(onnxruntime copies a scatter's loop-carried input: two whole-tensor copies per rotation
were half the time at n = 64).

Layout: ``w`` is (B, rows, 2, n) here (real and imaginary parts on axis 2), so that rows and
columns are plain slices; complex products are real matrix products, ``q`` is kept as the
real (2s x 2s) matrix acting on rows laid out (row, part), next to the window's columns so
that one product applies a rotation to both. The chunks run over one range of k for the
whole batch; a matrix whose active block does not hold k gets the identity.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops
from ._graph import Dim, Value
from ._linalg_eig_emit import (
    F,
    _bin,
    _bool_op,
    _expand,
    _f,
    _i,
    _loop,
    _node,
    _range,
    _rs0,
    _scatter,
    _split,
)

__all__ = ["sweep"]

# rotations per window: each inner iteration rewrites the whole window (B, s, 2, 3s), so
# larger windows make every rotation dearer; smaller ones add chunks (8..16 measured alike)
CHUNK = 16

# The rotation g = [[conj x, conj y], [-y, x]] / rho (unitary, g [x; y] = [rho; 0], rho =
# |(x, y)|) as real 4x4 matrices, linear in u = [re x, im x, re y, im y] / rho: ``L`` applies
# g from the left to rows k, k+1 laid out [re k, im k, re k+1, im k+1] (L @ rows), ``R``
# applies g^H from the right to columns k, k+1 laid out [re k, re k+1, im k, im k+1]
# (cols @ R). u = [1, 0, 0, 0] gives the identity.
_LEFT = [("xr", "xi", "yr", "yi"), ("-xi", "xr", "-yi", "yr"), ("-yr", "yi", "xr", "-xi"),
         ("-yi", "-yr", "xi", "xr")]
_RIGHT = [("xr", "-yr", "xi", "yi"), ("yr", "xr", "yi", "-xi"), ("-xi", "-yi", "xr", "-yr"),
          ("-yi", "xi", "yr", "xr")]


def _basis(table) -> np.ndarray:
    out = np.zeros((16, 4))
    for i, row in enumerate(table):
        for j, e in enumerate(row):
            sign = -1.0 if e[0] == "-" else 1.0
            out[4 * i + j, ["xr", "xi", "yr", "yi"].index(e.lstrip("-"))] = sign
    return out


_BASIS = np.concatenate([_basis(_LEFT), _basis(_RIGHT)], 0)  # (32, 4)


def _rotation(xy: Value, active: Value, B) -> tuple[Value, Value]:
    """The real 4x4 matrices (B, 4, 4) ``L`` and ``R`` of the rotation that zeroes y in
    ``xy`` = [re x, im x, re y, im y] (B, 4, 1); the identity where not ``active`` (B, 1, 1).
    Scaled by the largest part first: nothing overflows or underflows. 2^-1000 is added to
    re x so that x = y = 0 gives the identity (elsewhere it is far below the rounding of the
    scaled entries, whose largest is 1)."""
    e1 = _f(np.array([[1.0], [0.0], [0.0], [0.0]]))
    xy = _bin("Add", xy, _f(np.array([[2.0 ** -1000], [0.0], [0.0], [0.0]])))
    v = _bin("Div", xy, _ops.reduce("ReduceMax", _ops.unary("Abs", xy), [1], True))
    rho = _ops.unary("Sqrt", _ops.reduce("ReduceSum", _bin("Mul", v, v), [1], True))
    u = _ops.where(active, _bin("Div", v, rho), e1)
    g = _node("MatMul", [_f(_BASIS), u], F, (B, 32, 1))
    left, right = _split(_rs0(g, [0, 8, 4], (B, 8, 4)), 1, 2, (B, 4, 4))
    return left, right


def _rs_in_loop(x: Value, shape: list, out: tuple) -> Value:
    """Reshape to the constant ``shape`` (0 keeps the size of the same axis, one -1 is
    inferred): only inside the chunk loops, which run for a batch of at least one matrix
    (an empty batch leaves -1 undetermined)."""
    return _node("Reshape", [x, _i(shape)], x.dtype, out)


def _shape(*parts) -> Value:
    return _ops.shape_value(list(parts))


def sweep(w: Value, lo: Value, hi: Value, neg_mu: Value, sz) -> Value:
    """One implicit single-shift QR step on rows and columns lo..hi of each h in ``w`` (B, 2,
    rows, n) (rotations k = lo..hi-1; none where hi <= lo), accumulated into z; ``neg_mu`` is
    minus the shift, as [-re, -im, 0, 0] (B, 4, 1)."""
    B = sz.B
    live = _bool_op("Less", lo, hi)
    start = _ops.reduce("ReduceMin", _ops.where(live, lo, sz.n), [0], True)  # (1,)
    # the number of rotations (0 for an empty batch, whose start is int64's largest)
    span = _bin("Max", _ops.reduce("ReduceMax", _bin("Sub", hi, start), [0], False), _i(0))
    nb = _bin("Min", span, _i(CHUNK))  # rotations per chunk
    chunks = _bin("Div", _bin("Add", span, _i(CHUNK - 1)), _i(CHUNK))
    s0 = _bin("Min", _bin("Add", nb, _i(3)), sz.n)  # the window size
    s = _ops.reshape(s0, [1])
    lo3, hi3 = _ops.unsqueeze(lo, [1, 2]), _ops.unsqueeze(hi, [1, 2])  # (B, 1, 1)
    pos = _range(s0)
    s2 = _bin("Add", s, s)
    zeros = _node("ConstantOfShape", [_ops.concat([s2, s2], 0)], D.float32, (Dim(), Dim()))
    eye = _node("EyeLike", [zeros], F, (Dim(), Dim()), dtype=11)  # 11: TensorProto.DOUBLE
    q0 = _expand(_node("Reshape", [eye, _shape(s, _i([2]), s2)], F, (Dim(), 2, Dim())),
                 _shape(sz.b1, s, _i([2]), s2), (B, Dim(), 2, Dim()))  # q's rows: (row, part)
    q_shape = _shape(sz.b1, s2, s2)
    win_cols_shape = _shape(sz.b1, s, _i([2]), _i([2]))
    last_r0 = _bin("Sub", sz.n1, s)
    rows_shape = _shape(sz.b1, s, _i([2]), sz.n1)
    rows_flat = _shape(sz.b1, _i([1]), s2, sz.n1)
    pick_prev, pick_first = _f(np.array([[1.0], [0.0], [0.0]])), _f(np.array([[0.0], [1.0],
                                                                             [1.0]]))
    wdims = (B, Dim(), 2, Dim())

    def chase(k0, r0):
        """The inner loop: rotations k0.. on the window [h_win | q] (B, s, 2, 3s)."""

        def body(j, carried):
            (a,) = carried
            k = _bin("Add", k0, j)  # (1,)
            kl = _bin("Sub", k, r0)  # k in the window
            kk = _bin("Add", kl, _i([0, 1]))
            rows = _node("Gather", [a, kk], F, (B, 2, 2, Dim()), axis=1)  # rows k, k+1
            rows4 = _rs_in_loop(rows, [0, 4, -1], (B, 4, Dim()))
            # x, y: column k - 1 of the two rows, or column k minus the shift where k = lo
            # (the first rotation; k - 1 may then be -1, which Gather takes from the end)
            pair = _node("Gather", [rows4, _bin("Add", kl, _i([-1, 0]))], F, (B, 4, 2), axis=2)
            pick = _ops.where(_bool_op("Equal", k, lo3), pick_first, pick_prev)
            xy = _node("MatMul", [_ops.concat([pair, neg_mu], 2), pick], F, (B, 4, 1))
            active = _bool_op("And", _bool_op("GreaterOrEqual", k, lo3),
                              _bool_op("Less", k, hi3))
            left, right = _rotation(xy, active, B)
            rows_shape = _ops.shape_of(rows)
            new = _node("Reshape", [_node("MatMul", [left, rows4], F, (B, 4, Dim())),
                                    rows_shape], F, (B, 2, 2, Dim()))
            a = _scatter(a, _expand(_rs0(kk, [1, 2, 1, 1], (1, 2, 1, 1)), rows_shape,
                                    (B, 2, 2, Dim())), new, 1)
            cols = _node("Gather", [a, kk], F, (B, Dim(), 2, 2), axis=3)
            cols = _rs0(cols, [0, 0, 4], (B, Dim(), 4))
            new = _rs0(_node("MatMul", [cols, right], F, (B, Dim(), 4)), [0, 0, 2, 2],
                       (B, Dim(), 2, 2))
            return None, [_scatter(a, _expand(_rs0(kk, [1, 1, 1, 2], (1, 1, 1, 2)),
                                              win_cols_shape, (B, Dim(), 2, 2)), new, 3)]

        return body

    def chunk(c, carried):
        (w,) = carried
        done = _bin("Mul", c, nb)
        k0 = _bin("Add", start, done)  # (1,): the chunk's first rotation
        r0 = _bin("Max", _bin("Min", _bin("Sub", k0, _i([1])), last_r0), _i([0]))
        r1 = _bin("Add", r0, s)
        rows = _node("Slice", [w, r0, r1, _i([1])], F, wdims)
        win = _node("Slice", [rows, r0, r1, _i([3])], F, (B, Dim(), 2, Dim()))
        a = _ops.concat([win, q0], 3)  # (B, s, 2, 3s)
        trip = _bin("Min", nb, _bin("Sub", span, done))
        (a,) = _loop(trip, None, [a], chase(k0, r0), "linalg.eig")
        qs = _node("Slice", [a, s, _i([np.iinfo(np.int64).max]), _i([3])], F,
                   (B, Dim(), 2, Dim()))
        # rows r0..r1 of h: q @ rows, as (2 x 2s) blocks of q (one per row) times the rows
        # laid out (row, part)
        rows = _node("MatMul", [qs, _node("Reshape", [rows, rows_flat], F,
                                          (B, 1, Dim(), Dim()))], F, wdims)
        at = _bin("Add", pos, r0)  # the window's rows and columns
        w = _scatter(w, _expand(_ops.unsqueeze(at, [0, 2, 3]), rows_shape, wdims), rows, 1)
        # columns r0..r1 of h and z: cols @ q^H, q^H as the real matrix acting on columns
        # laid out (part, column): qh[(p, j), (q, i)] = q[(i, p), (j, q)]
        q5 = _rs_in_loop(qs, [0, 0, 0, -1, 2], (B, Dim(), 2, Dim(), 2))
        qh = _node("Reshape", [_ops.transpose(q5, (0, 2, 3, 4, 1)), q_shape], F,
                   (B, Dim(), Dim()))
        cols = _node("Slice", [w, r0, r1, _i([3])], F, wdims)
        cshape = _ops.shape_of(cols)
        cols = _node("MatMul", [_rs_in_loop(cols, [0, 0, -1], (B, Dim(), Dim())), qh], F,
                     (B, Dim(), Dim()))
        cols = _node("Reshape", [cols, cshape], F, wdims)
        idx = _expand(_ops.unsqueeze(at, [0, 1, 2]), cshape, wdims)
        return None, [_scatter(w, idx, cols, 3)]

    w = _ops.transpose(w, (0, 2, 1, 3))
    (w,) = _loop(chunks, None, [w], chunk, "linalg.eig")
    return _ops.transpose(w, (0, 2, 1, 3))
