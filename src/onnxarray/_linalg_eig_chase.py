"""The bulge chase of eig's QR sweeps, in windows: one implicit single-shift QR step on the
active block of each Hessenberg matrix, as a chain of Givens rotations.

A rotation k touches rows and columns k, k+1 of ``[h; z]``, but the next rotation depends
only on entries near the diagonal. So the chase runs in chunks of up to 16 rotations: a
chunk copies the small square window of h around its rotations (rows and columns r0..r0+s-1,
s = min(19, n), fixed, so that the shapes and tables that depend on it are made once, not
per sweep: 10% fewer nodes run at n = 64), chases the bulge inside it while accumulating
the chunk's rotations into the unitary q (s x s), then updates the rest of ``[h; z]`` at
once: rows r0.. of h by ``q @ rows``, columns r0.. of h and z by ``cols @ q^H``. An inner
iteration works on the window only; the whole matrix is written twice per chunk instead of
twice per rotation (onnxruntime copies a scatter's loop-carried input: two whole-tensor
copies per rotation were half the time at n = 64).

Inside a chunk the window and q are real matrices of their complex entries (each entry
``[[re, -im], [im, re]]``), side by side in ``a`` (B, 2s, 4s): a rotation is then one real
4 x 4 matrix ``L`` applied to four rows (``L @ rows``) and its transpose to four columns, the
rotation's x, y are one column of its rows, and nothing is reshaped in the inner loop. What
depends only on the rotation's position (the row and column indices of the gathers and
scatters, which column holds x, y, whether the rotation is the first, with the shift, or
outside the matrix's active block, the identity) is tabulated per chunk and gathered by the
iteration number. An inner iteration is 17 nodes (it was 40 with complex parts on their own
axis): the gathers of the table rows, rows and columns, two products and two scatters, and
the rotation itself, two ``LpNormalization`` (p = 1, which scales so that nothing under- or
overflows, then p = 2) and one product with a constant basis giving ``L`` and ``L^T``.

Layout: ``w`` is (B, rows, 2, n) here (real and imaginary parts on axis 2), so that rows and
columns are plain slices. The chunks run over one range of k for the whole batch; a matrix
whose active block does not hold k gets the identity, exactly, so a matrix gets the same bits
in any stack.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops
from ._graph import Dim, Value
from ._linalg_eig_emit import (
    I64,
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
    _to_f,
)

__all__ = ["sweep"]

# rotations per window: each inner iteration rewrites the whole window (B, 2s, 4s), so
# larger windows make every rotation dearer; smaller ones add chunks (8..16 measured alike)
CHUNK = 16

# The rotation g = [[conj x, conj y], [-y, x]] / rho (unitary, g [x; y] = [rho; 0], rho =
# |(x, y)|) as the real 4x4 matrix of its complex entries ([[re, -im], [im, re]] each), linear
# in u = [re x, im x, re y, im y] / rho: ``L`` applies g from the left to rows k, k+1 laid out
# [re k, im k, re k+1, im k+1] (L @ rows), its transpose applies g^H from the right to the
# columns laid out the same way. u = [1, 0, 0, 0] gives the identity.
_LEFT = [("xr", "xi", "yr", "yi"), ("-xi", "xr", "-yi", "yr"), ("-yr", "yi", "xr", "-xi"),
         ("-yi", "-yr", "xi", "xr")]


def _basis(table) -> np.ndarray:
    out = np.zeros((4, 4, 4))
    for i, row in enumerate(table):
        for j, e in enumerate(row):
            sign = -1.0 if e[0] == "-" else 1.0
            out[i, j, ["xr", "xi", "yr", "yi"].index(e.lstrip("-"))] = sign
    return out


_BASIS = np.concatenate([_basis(_LEFT), _basis(_LEFT).transpose(1, 0, 2)], 0).reshape(32, 4)


def _rotation(xy: Value, B) -> tuple[Value, Value]:
    """The real 4x4 matrices (B, 4, 4) ``L`` and ``L^T`` of the rotation that zeroes y in
    ``xy`` = [re x, im x, re y, im y] (B, 4, 1), not all zero. Divided by the sum of the
    magnitudes of the parts first: nothing overflows or underflows."""
    v = _node("LpNormalization", [xy], F, (B, 4, 1), axis=1, p=1)
    u = _node("LpNormalization", [v], F, (B, 4, 1), axis=1, p=2)
    g = _node("MatMul", [_f(_BASIS), u], F, (B, 32, 1))
    left, right = _split(_rs0(g, [0, 8, 4], (B, 8, 4)), 1, 2, (B, 4, 4))
    return left, right


def _between(w: Value, part: Value, r0: Value, r1: Value, axis: int) -> Value:
    """w with ``part`` in place of its slice r0..r1 along ``axis``."""
    end = _i([np.iinfo(np.int64).max])
    return _ops.concat([_node("Slice", [w, _i([0]), r0, _i([axis])], F, w.shape), part,
                        _node("Slice", [w, r1, end, _i([axis])], F, w.shape)], axis)


def _rs_in_loop(x: Value, shape: list, out: tuple) -> Value:
    """Reshape to the constant ``shape`` (0 keeps the size of the same axis, one -1 is
    inferred): only inside the chunk loops, which run for a batch of at least one matrix
    (an empty batch leaves -1 undetermined)."""
    return _node("Reshape", [x, _i(shape)], x.dtype, out)


def _shape(*parts) -> Value:
    return _ops.shape_value(list(parts))


def sweep(w: Value, lo: Value, hi: Value, neg_mu: Value, sz) -> Value:
    """One implicit single-shift QR step on rows and columns lo..hi of each h in ``w`` (B,
    rows, 2, n) (rotations k = lo..hi-1; none where hi <= lo), accumulated into z; ``neg_mu`` is
    minus the shift, as [-re, -im, 0, 0] (B, 4, 1)."""
    B = sz.B
    live = _bool_op("Less", lo, hi)
    start = _ops.reduce("ReduceMin", _ops.where(live, lo, sz.n), [0], True)  # (1,)
    # the number of rotations (0 for an empty batch, whose start is int64's largest)
    span = _bin("Max", _ops.reduce("ReduceMax", _bin("Sub", hi, start), [0], False), _i(0))
    chunks = _bin("Div", _bin("Add", span, _i(CHUNK - 1)), _i(CHUNK))
    # the window size, fixed: what depends on it is computed once, not per sweep
    s0 = _bin("Min", _i(CHUNK + 3), sz.n)
    s = _ops.reshape(s0, [1])
    s2 = _bin("Add", s, s)
    zeros = _node("ConstantOfShape", [_ops.concat([s2, s2], 0)], D.float32, (Dim(), Dim()))
    eye = _node("EyeLike", [zeros], F, (Dim(), Dim()), dtype=11)  # 11: TensorProto.DOUBLE
    q_shape = _shape(sz.b1, s2, s2)
    q0 = _expand(eye, q_shape, (B, Dim(), Dim()))
    last_r0 = _bin("Sub", sz.n1, s)
    rows_shape = _shape(sz.b1, s, _i([2]), sz.n1)
    rows_flat = _shape(sz.b1, s2, sz.n1)
    wdims = (B, Dim(), 2, Dim())
    adims = (B, Dim(), Dim())
    q5_shape = _shape(sz.b1, s, _i([2]), s, _i([2]))
    js = _i(np.arange(CHUNK).reshape(CHUNK, 1, 1, 1))
    lo4, hi4 = _ops.unsqueeze(lo, [0, 2, 3]), _ops.unsqueeze(hi, [0, 2, 3])  # (1, B, 1, 1)
    cols4 = _ops.unsqueeze(_range(_ops.reshape(_bin("Add", s2, s2), [])), [1])  # (4s, 1)
    # [e1 | -shift] (B, 4, 2), the two columns appended to a rotation's rows: x, y of an
    # inactive rotation is e1 (the identity), an active one adds 2^-1000 e1 (which makes x = y
    # = 0 the identity too) and the first one the shift
    extra = _bin("Add", _node("Pad", [neg_mu, _i([0, 0, 1, 0, 0, 0])], F, (B, 4, 2)),
                 _f(np.eye(4, 2)[:, :1] * np.array([1.0, 0.0])))
    with_shift, with_tiny, alone = (_f(np.array(c)[:, None]) for c in
                                    ([2.0 ** -1000, 1.0], [2.0 ** -1000, 0.0], [1.0, 0.0]))
    idx_r_shape = _shape(_ops.dim_of(js, 0), sz.b1, _i([4]), _bin("Add", s2, s2))
    idx_c_shape = _shape(_ops.dim_of(js, 0), sz.b1, s2, _i([4]))
    # the window's entry (r, c) as [[re, -im], [im, re]] at rows (r, p), columns (c, q)
    parts = _i(np.array([[0, 1], [1, 0]]))
    signs = _f(np.array([[1.0, -1.0], [1.0, 1.0]])[:, :, None])

    def chase(pick, idx_r, idx_c):
        """The inner loop: rotation j of the chunk on the window a = [h_win | q] (B, 2s, 4s),
        both as real matrices of their complex entries."""

        def body(j, carried):
            (a,) = carried
            at_r = _node("Gather", [idx_r, j], I64, (B, 4, Dim()), axis=0)
            rows = _node("GatherElements", [a, at_r], F, (B, 4, Dim()), axis=1)  # of k, k+1
            xy = _node("MatMul", [_ops.concat([rows, extra], 2),
                                  _node("Gather", [pick, j], F, (B, Dim(), 1), axis=0)], F,
                       (B, 4, 1))
            left, right = _rotation(xy, B)
            a = _scatter(a, at_r, _node("MatMul", [left, rows], F, (B, 4, Dim())), 1)
            at_c = _node("Gather", [idx_c, j], I64, (B, Dim(), 4), axis=0)
            cols = _node("GatherElements", [a, at_c], F, (B, Dim(), 4), axis=2)
            return None, [_scatter(a, at_c, _node("MatMul", [cols, right], F, (B, Dim(), 4)),
                                   2)]

        return body

    def chunk(c, carried):
        (w,) = carried
        done = _bin("Mul", c, _i(CHUNK))
        k0 = _bin("Add", start, done)  # (1,): the chunk's first rotation
        r0 = _bin("Max", _bin("Min", _bin("Sub", k0, _i([1])), last_r0), _i([0]))
        r1 = _bin("Add", r0, s)
        rows = _node("Slice", [w, r0, r1, _i([1])], F, wdims)
        win = _node("Slice", [rows, r0, r1, _i([3])], F, (B, Dim(), 2, Dim()))
        h2 = _bin("Mul", _node("Gather", [win, parts], F, (B, Dim(), 2, 2, Dim()), axis=2),
                  signs)  # (B, s, p, q, s)
        h2 = _node("Reshape", [_ops.transpose(h2, (0, 1, 2, 4, 3)), q_shape], F, adims)
        a = _ops.concat([h2, q0], 2)  # (B, 2s, 4s)
        # per rotation j (CHUNK, ...): the real rows (and columns) of k, k+1, and x, y as
        # rows @ pick + add: column k - 1 of the rows, or column k minus the shift where k =
        # lo; the identity where k is outside lo..hi-1
        ks = _bin("Add", js, k0)
        kl2 = _bin("Mul", _bin("Sub", ks, r0), _i(2))  # (CHUNK, 1, 1, 1)
        idx_r = _expand(_bin("Add", kl2, _i(np.arange(4).reshape(1, 1, 4, 1))), idx_r_shape,
                        (Dim(), B, 4, Dim()))
        idx_c = _expand(_bin("Add", kl2, _i(np.arange(4).reshape(1, 1, 1, 4))), idx_c_shape,
                        (Dim(), B, Dim(), 4))
        active = _bool_op("And", _bool_op("GreaterOrEqual", ks, lo4),
                          _bool_op("Less", ks, hi4))  # (CHUNK, B, 1, 1)
        first = _bool_op("And", _bool_op("Equal", ks, lo4), active)
        col = _bin("Add", kl2, _ops.where(first, _i(0), _i(-2)))
        pick = _ops.concat([_to_f(_bool_op("And", _bool_op("Equal", cols4, col), active)),
                            _ops.where(first, with_shift, _ops.where(active, with_tiny, alone))],
                           2)  # (CHUNK, B, 4s + 2, 1)
        trip = _bin("Min", _i(CHUNK), _bin("Sub", span, done))
        (a,) = _loop(trip, None, [a], chase(pick, idx_r, idx_c), "linalg.eig")
        qs = _node("Slice", [a, s2, _i([np.iinfo(np.int64).max]), _i([2])], F, adims)
        # rows r0..r1 of h: q @ rows, with the rows laid out (row, part)
        rows = _node("MatMul", [qs, _node("Reshape", [rows, rows_flat], F, adims)], F, adims)
        rows = _node("Reshape", [rows, rows_shape], F, wdims)
        w = _between(w, rows, r0, r1, 1)
        # columns r0..r1 of h and z: cols @ q^H, q^H as the real matrix acting on columns
        # laid out (part, column): qh[(p, j), (q, i)] = q[(i, p), (j, q)]
        q5 = _node("Reshape", [qs, q5_shape], F, (B, Dim(), 2, Dim(), 2))
        qh = _node("Reshape", [_ops.transpose(q5, (0, 2, 3, 4, 1)), q_shape], F, adims)
        cols = _node("Slice", [w, r0, r1, _i([3])], F, wdims)
        cshape = _ops.shape_of(cols)
        cols = _node("MatMul", [_rs_in_loop(cols, [0, 0, -1], adims), qh], F, adims)
        cols = _node("Reshape", [cols, cshape], F, wdims)
        return None, [_between(w, cols, r0, r1, 3)]

    return _loop(chunks, None, [w], chunk, "linalg.eig")[0]
