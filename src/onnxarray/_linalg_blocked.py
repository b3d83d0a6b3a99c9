"""Blocked LU and Gauss-Jordan elimination with partial pivoting: one ``Loop`` iteration per
block of ``BLOCK`` columns.

Inside a ``Loop`` onnxruntime spends about as long dispatching a node as computing a small one,
and some kernels are much slower than others on the same data (measured with 1.32 on 64 x 8
float64: a broadcasting ``Where`` 2-7 us, an outer product by ``Mul`` 3.3 us but by ``MatMul``
0.65 us, a column ``Slice`` 1.5-1.9 us but a row ``Gather`` 0.6 us, a same-shape ``Sub``
0.4-0.8 us). So an iteration eliminates a panel of ``BLOCK`` columns, unrolled on the transposed
``BLOCK x n`` panel with about eight cheap nodes per column (a row ``Gather``, ``Abs``,
``ArgMax``, two ``Gather``s, ``Div``, an outer-product ``MatMul`` and ``Sub``), then applies the
block's row operations to the whole matrix with one matrix product.

Rows are not swapped. A pivot row is zeroed by its own elimination step (its multiplier is
exactly 1), so the rows used are zero and never picked again, and no mask is needed; after
a block they are set to exactly zero. The matrix is padded to a multiple of ``BLOCK`` with an
identity block, which leaves the factorization of the original matrix unchanged.

With ``f_j`` the multipliers of column ``j`` and ``x_j`` the pivot row ``p_j`` as it was when
used, a block updates ``A -= F^T X``, where ``x_j = A[p_j] - sum_{i<j} f_i[p_j] x_i``:
``X = (I + S)^-1 A[p]`` with ``S`` strictly lower triangular, ``S[j, i] = f_i[p_j]``. The inverse
is the finite Neumann product ``(I - S)(I + S^2)(I + S^4)`` (``S^BLOCK = 0``); partial pivoting
keeps ``|S| <= 1``.

Gauss-Jordan keeps the pivot rows apart, normalized (``U``, zero elsewhere): a block
normalizes its own pivot rows ``X`` by their upper triangular block ``D`` (a Neumann product
too), eliminates its columns from the rows stored before, and stores its rows.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops, lax
from ._array_object import Array
from ._graph import Dim, Value
from ._linalg_base import _c, _cmp, _div, _mul, _sub
from ._linalg_loops import _same_shape, size_value
from ._linear_algebra_functions import _mm

__all__ = ["BLOCK", "eliminate"]

BLOCK = 8


def _padded_size(n, nv: Value) -> tuple[object, Value, Value]:
    """The size rounded up to a multiple of BLOCK (record-time and as a 0-d Value) and the
    number of blocks (0-d Value)."""
    if type(n) is int:
        blocks = -(-n // BLOCK)
        return blocks * BLOCK, _ops.const(blocks * BLOCK, D.int64), _ops.const(blocks, D.int64)
    blocks = _ops.binary("Div", _ops.binary("Add", nv, _ops.const(BLOCK - 1, D.int64)),
                         _ops.const(BLOCK, D.int64))
    return Dim(), _ops.binary("Mul", blocks, _ops.const(BLOCK, D.int64)), blocks


def _pad(v: Value, rows: bool, cols: bool, extra: Value, shape: tuple) -> Value:
    """``v`` with ``extra`` (0-d int64) zero rows and/or columns appended."""
    nd = len(v.shape)
    ext = _ops.reshape(extra, [1])
    zero1 = _ops.i64([0])
    ends = [zero1] * (nd - 2) + [ext if rows else zero1, ext if cols else zero1]
    pads = _ops.concat([_ops.i64([0] * nd)] + ends, 0)
    return _ops.bind("Pad", [v, pads], [v.dtype], lambda: [shape])[0]


def _index(nv: Value, dim) -> tuple[Value, Value]:
    """``arange(n)`` as a column (n, 1) and a row (1, n)."""
    if nv.data is not None:
        r = _ops.i64(np.arange(int(nv.data)))
    else:
        r = _ops.bind("Range", [_ops.const(0, D.int64), nv, _ops.const(1, D.int64)], [D.int64],
                      lambda: [(dim,)])[0]
    return _ops.unsqueeze(r, [1]), _ops.unsqueeze(r, [0])


def _slice(v: Value, start, stop, axis: int, shape: tuple) -> Value:
    """``v[start:stop]`` along ``axis``; ``start``/``stop`` ints or 1-element Values."""
    def as_value(s):
        return s if isinstance(s, Value) else _ops.i64([s])
    return _ops.bind("Slice", [v, as_value(start), as_value(stop),
                               _ops.i64([axis % len(v.shape)])], [v.dtype], lambda: [shape])[0]


def _take_row(v: Value, j: int) -> Value:
    """Row ``j`` (static) of (..., r, c) ``v`` as (..., 1, c): a ``Gather`` (faster than a
    ``Slice`` in onnxruntime)."""
    shape = v.shape[:-2] + (1, v.shape[-1])
    return _ops.bind("Gather", [v, _ops.i64([j])], [v.dtype], lambda: [shape],
                     (("axis", len(v.shape) - 2),))[0]


def _mT(v: Value) -> Value:
    nd = len(v.shape)
    return _ops.transpose(v, list(range(nd - 2)) + [nd - 1, nd - 2])


def _neumann_inverse(s: Value, like: Value) -> Value:
    """``(I + s)^-1`` for strictly triangular (..., BLOCK, BLOCK) ``s``."""
    eye = _ops.const(np.eye(BLOCK), like.dtype)
    inv = _sub(eye, s)
    power = s
    span = 2
    while span < BLOCK:
        power = _mm(power, power)
        inv = _mm(inv, _ops.binary("Add", eye, power))
        span *= 2
    return inv


class _Picker:
    """Entries picked by per-matrix indices: ``Gather`` for one matrix, ``GatherElements`` (whose
    indices may differ across the stack) for a stack."""

    __slots__ = ("batch", "batch_v", "stacked")

    def __init__(self, batch: tuple, batch_v: Value) -> None:
        self.batch, self.batch_v, self.stacked = batch, batch_v, bool(batch)

    def argmax(self, row: Value) -> Value:
        """The position of the largest entry of (..., 1, N) ``row``: (1,) or (..., 1, 1)."""
        nd = len(row.shape)
        shape = self.batch + (1, 1) if self.stacked else (1,)
        return _ops.bind("ArgMax", [row], [D.int64], lambda: [shape],
                         (("axis", nd - 1), ("keepdims", int(self.stacked))))[0]

    def join(self, ps: list) -> Value:
        """A block's positions: (BLOCK,) or (..., BLOCK, 1)."""
        return _ops.concat(ps, len(ps[0].shape) - 2 if self.stacked else 0)

    def as_row(self, p: Value) -> Value:
        """(BLOCK,) or (..., BLOCK, 1) positions as (..., 1, BLOCK)."""
        return _mT(p) if self.stacked else _ops.unsqueeze(p, [0])

    def columns(self, v: Value, p: Value) -> Value:
        """Columns ``p`` ((1,) or (..., 1, 1), or a block's) of (..., r, N) ``v``."""
        if not self.stacked:
            count = p.shape[0]
            return _ops.bind("Gather", [v, p], [v.dtype], lambda: [(v.shape[0], count)],
                             (("axis", 1),))[0]
        if p.shape[-1] != 1 or p.shape[-2] != 1:
            p = self.as_row(p)
        count = p.shape[-1]
        shape = self.batch + (v.shape[-2], count)
        target = _ops.concat([self.batch_v, _ops.dim_of(v, -2), _ops.i64([count])], 0)
        return _ops.bind("GatherElements", [v, _ops.expand_to(p, target, shape)], [v.dtype],
                         lambda: [shape], (("axis", len(shape) - 1),))[0]

    def row_index(self, p: Value, w, w_v: Value) -> Value:
        """A block's positions (BLOCK,) or (..., BLOCK, 1) as (..., BLOCK, w) row indices."""
        if not self.stacked:
            p = _ops.unsqueeze(p, [1])
        target = _ops.concat([self.batch_v, _ops.i64([BLOCK]), w_v], 0)
        return _ops.expand_to(p, target, self.batch + (BLOCK, w))

    def rows(self, v: Value, p: Value, index: Value) -> Value:
        """Rows ``p`` (a block's positions, ``index`` from row_index) of (..., N, w) ``v``."""
        shape = self.batch + (BLOCK, v.shape[-1])
        if not self.stacked:
            return _ops.bind("Gather", [v, p], [v.dtype], lambda: [shape], (("axis", 0),))[0]
        return _ops.bind("GatherElements", [v, index], [v.dtype], lambda: [shape],
                         (("axis", len(shape) - 2),))[0]


def _scatter_rows(v: Value, index: Value, rows: Value) -> Value:
    return _ops.bind("ScatterElements", [v, index, rows], [v.dtype], lambda: [v.shape],
                     (("axis", len(v.shape) - 2),))[0]


def _minus_outer(c: Value, col: Value, row: Value, scale: float = 1.0) -> Value:
    """``c - scale * col @ row``: one ``Gemm`` for single matrices (a MatMul and a Sub cost
    about 1.5x as much in onnxruntime 1.32)."""
    if len(c.shape) == 2 and len(col.shape) == 2 and len(row.shape) == 2:
        return _ops.bind("Gemm", [col, row, c], [c.dtype], lambda: [c.shape],
                         (("alpha", -float(scale)), ("beta", 1.0)))[0]
    if scale != 1.0:
        row = _mul(row, _c(scale, row))
    return _sub(c, _mm(col, row))


def _minus_product(c: Value, ft: Value, x: Value) -> Value:
    """``c - ft^T @ x``: one ``Gemm`` for single matrices."""
    if len(c.shape) == 2:
        return _ops.bind("Gemm", [ft, x, c], [c.dtype], lambda: [c.shape],
                         (("alpha", -1.0), ("beta", 1.0), ("transA", 1)))[0]
    return _sub(c, _mm(_mT(ft), x))


def _lu_panel(pt: Value, pick: _Picker):
    """LU steps on the transposed (..., BLOCK, N) panel, whose used columns are zero: the
    multipliers (..., BLOCK, N), the pivot positions and the pivots (..., 1, BLOCK). A zero
    pivot makes NaN (``eliminate`` reports it)."""
    fs, ps, pivots = [], [], []
    for j in range(BLOCK):
        col = _take_row(pt, j)  # (..., 1, N): column j of the panel
        p = pick.argmax(_ops.unary("Abs", col))
        pcol = pick.columns(pt, p)  # (..., BLOCK, 1): the pivot row of the panel
        pivot = _take_row(pcol, j)  # (..., 1, 1)
        f = _div(col, pivot)  # 1 at the pivot row, which this step zeroes
        if j + 1 < BLOCK:
            pt = _minus_outer(pt, pcol, f)
        fs.append(f)
        ps.append(p)
        pivots.append(pivot)
    nd = len(pt.shape)
    return _ops.concat(fs, nd - 2), pick.join(ps), _ops.concat(pivots, nd - 1)


def eliminate(a: Value, b: Value | None, jordan: bool, eye_rhs: bool = False):
    """Partial-pivoting elimination of square (..., n, n) ``a`` and the right-hand sides ``b``
    (..., n, k), or the identity with ``eye_rhs``.

    Returns ``(x, piv, pivots)``: with ``jordan`` the solution (..., n, k), else None; the
    pivot row of each column (..., 1, n) int64; and the pivots (..., 1, n), all zero for a
    singular matrix (where the solution holds NaN). Matrices with a NaN or an infinity give
    NaN in every output.
    """
    n = a.shape[-1]
    nd = len(a.shape)
    nb = nd - 2
    batch = a.shape[:nb]
    batch_v = _ops.shape_of(a, 0, nb)
    nv = size_value(a, -1)
    # 1, or NaN for a matrix holding a NaN or an infinity (x * 1 keeps x's sign of zero)
    finite = _ops.binary("Add", _ops.reduce("ReduceSum", _mul(a, _c(0, a)), [-2, -1], True),
                         _c(1, a))
    big, bigv, blocks = _padded_size(n, nv)
    extra = None if (type(n) is int and big == n) else _ops.binary("Sub", bigv, nv)
    rows_n, cols_n = _index(bigv, big)
    if extra is not None:
        a = _pad(a, True, True, extra, batch + (big, big))
        pad_eye = _ops.binary("And", _cmp("Equal", rows_n, cols_n),
                              _cmp("GreaterOrEqual", rows_n, nv))
        a = _ops.binary("Add", a, _ops.cast(pad_eye, a.dtype))
    if eye_rhs:
        b = _ops.cast(_cmp("Equal", rows_n, cols_n), a.dtype)
        b = _ops.expand_to(b, _ops.concat([batch_v, _ops.reshape(bigv, [1]),
                                           _ops.reshape(bigv, [1])], 0), batch + (big, big))
    elif b is not None and extra is not None:
        b = _pad(b, True, False, extra, batch + (big, b.shape[-1]))
    aug = a if b is None else _ops.concat([a, b], nd - 1)  # (..., N, w)
    w = aug.shape[-1]
    w_v = _ops.dim_of(aug, -1)
    pick = _Picker(batch, batch_v)
    zeros = _ops.expand_to(_c(0, a), _ops.concat([batch_v, _ops.i64([BLOCK]), w_v], 0),
                           batch + (BLOCK, w))
    eye = _ops.const(np.eye(BLOCK), a.dtype)
    upper = _ops.const(np.triu(np.ones((BLOCK, BLOCK)), 1), a.dtype)

    def body(k, aug, store):
        c0 = _ops.reshape(_ops.binary("Mul", k, _ops.const(BLOCK, D.int64)), [1])
        c1 = _ops.binary("Add", c0, _ops.i64([BLOCK]))
        pt = _mT(_slice(aug, c0, c1, -1, batch + (big, BLOCK)))  # (..., BLOCK, N)
        f, p_all, pivots = _lu_panel(pt, pick)
        index = pick.row_index(p_all, w, w_v)
        y = pick.rows(aug, p_all, index)  # (..., BLOCK, w): the pivot rows before the block
        s = _sub(_mT(pick.columns(f, p_all)), eye)  # S[j, i] = f_i[p_j], exactly 0 for i >= j
        x = _mm(_neumann_inverse(s, a), y)  # the pivot rows as used
        aug = _scatter_rows(_minus_product(aug, f, x), index, zeros)
        if jordan:
            dblock = _slice(x, c0, c1, -1, batch + (BLOCK, BLOCK))
            d = _ops.reduce("ReduceSum", _mul(dblock, eye), [-1], True)  # (..., BLOCK, 1)
            ustrict = _mul(_div(dblock, d), upper)
            xn = _mm(_neumann_inverse(ustrict, a), _div(x, d))  # identity in the block columns
            done = _slice(store, c0, c1, -1, batch + (big, BLOCK))
            store = _scatter_rows(_sub(store, _mm(done, xn)), index, xn)
        return aug, store, pick.as_row(p_all), pivots

    def step(carry, _):
        k, aug, store = (c._v for c in carry)
        aug2, store2, p_row, pivots = body(k, aug, store)
        carry = (Array._new(_ops.binary("Add", k, _ops.const(1, D.int64))),
                 Array._new(_same_shape(aug2, aug.shape)),
                 Array._new(_same_shape(store2, store.shape)))
        return carry, (Array._new(p_row), Array._new(pivots))

    store0 = _mul(aug, _c(0, a)) if jordan else _ops.const(0, D.int64)
    init = (Array._new(_ops.const(0, D.int64)), Array._new(aug), Array._new(store0))
    carry, ys = lax.scan(step, init, length=Array._new(blocks))
    piv, pivots = (_blocks_to_row(y._v, batch, batch_v, big, bigv, nv, n) for y in ys)
    # a zero pivot makes NaN in the steps after it: every pivot of a singular matrix is 0
    singular = _ops.reduce("ReduceMax", _ops.cast(_cmp("Equal", pivots, _c(0, a)), a.dtype),
                           [-1], True)
    pivots = _mul(_ops.where(_cmp("Greater", singular, _c(0, a)), _c(0, a), pivots), finite)
    x = None
    if jordan:
        store = carry[2]._v
        rhs = _slice(store, _ops.reshape(bigv, [1]), 2**62, -1, batch + (big, b.shape[-1]))
        x = _solution_rows(rhs, piv, pick, n, b.shape[-1])
        if eye_rhs:
            x = _slice(x, 0, _ops.reshape(nv, [1]), -1, batch + (n, n))
        x = _mul(x, finite)
    return x, piv, pivots


def _solution_rows(rhs: Value, piv: Value, pick: _Picker, n, k) -> Value:
    """``rhs[piv[j]]`` for each column j: (..., n, k)."""
    shape = pick.batch + (n, k)
    if not pick.stacked:
        return _ops.bind("Gather", [rhs, _ops.squeeze(piv, [0])], [rhs.dtype],
                         lambda: [shape], (("axis", 0),))[0]
    target = _ops.concat([pick.batch_v, _ops.dim_of(piv, -1), _ops.dim_of(rhs, -1)], 0)
    idx = _ops.expand_to(_mT(piv), target, shape)
    return _ops.bind("GatherElements", [rhs, idx], [rhs.dtype], lambda: [shape],
                     (("axis", len(shape) - 2),))[0]


def _blocks_to_row(y: Value, batch: tuple, batch_v: Value, big, bigv: Value, nv: Value, n):
    """Per-block rows (K, ..., 1, BLOCK) as one row (..., 1, n)."""
    nb = len(batch)
    y = _ops.transpose(y, list(range(1, nb + 2)) + [0, nb + 2])  # (..., 1, K, BLOCK)
    nbig = big if type(big) is int else _ops.reshape(bigv, [1])
    y = _ops.reshape(y, list(batch) + [1, nbig] if _ops.is_static(batch) else
                     [batch_v, 1, nbig], batch + (1, big))
    return _slice(y, 0, _ops.reshape(nv, [1]), -1, batch + (1, n))


# ---------------------------------------------------------------------------------------------
# Cholesky


def cholesky(s: Value) -> Value:
    """The lower Cholesky factor of symmetric (..., n, n) ``s``, BLOCK columns per iteration.

    A block reads its columns as the rows ``c0:c0 + BLOCK`` of the symmetric matrix (rows are
    gathered much faster than columns), factors them with the outer-product algorithm on that
    (..., BLOCK, N) panel, then subtracts their product from the whole matrix with one
    ``Gemm``. Entries above the diagonal are set to zero once per block."""
    n = s.shape[-1]
    nd = len(s.shape)
    nb = nd - 2
    batch = s.shape[:nb]
    batch_v = _ops.shape_of(s, 0, nb)
    nv = size_value(s, -1)
    big, bigv, blocks = _padded_size(n, nv)
    rows_n, cols_n = _index(bigv, big)
    if not (type(n) is int and big == n):
        s = _pad(s, True, True, _ops.binary("Sub", bigv, nv), batch + (big, big))
        pad_eye = _ops.binary("And", _cmp("Equal", rows_n, cols_n),
                              _cmp("GreaterOrEqual", rows_n, nv))
        s = _ops.binary("Add", s, _ops.cast(pad_eye, s.dtype))
    steps = _ops.i64(np.arange(BLOCK).reshape(BLOCK, 1))
    zero = _c(0, s)

    def step(carry, _):
        k, s_in = (c._v for c in carry)
        c0 = _ops.reshape(_ops.binary("Mul", k, _ops.const(BLOCK, D.int64)), [1])
        pt = _slice(s_in, c0, _ops.binary("Add", c0, _ops.i64([BLOCK])), -2,
                    batch + (BLOCK, big))  # (..., BLOCK, N): the block's columns, transposed
        ls = []
        for j in range(BLOCK):
            at = _ops.binary("Add", c0, _ops.i64([j]))
            row = _take_row(pt, j)  # (..., 1, N)
            col = _ops.bind("Gather", [pt, at], [s.dtype], lambda: [batch + (BLOCK, 1)],
                            (("axis", nd - 1),))[0]  # (..., BLOCK, 1), the same entries
            d = _take_row(col, j)  # (..., 1, 1)
            low = _div(row, _ops.unary("Sqrt", d))
            if j + 1 < BLOCK:
                pt = _minus_outer(pt, col, _div(row, d))
            ls.append(low)
        low = _ops.concat(ls, nd - 2)  # (..., BLOCK, N): columns of L, junk above the diagonal
        low = _ops.where(_cmp("Less", cols_n, _ops.binary("Add", c0, steps)), zero, low)
        s_out = _minus_product(s_in, low, low)
        carry = (Array._new(_ops.binary("Add", k, _ops.const(1, D.int64))),
                 Array._new(_same_shape(s_out, s_in.shape)))
        return carry, Array._new(low)

    init = (Array._new(_ops.const(0, D.int64)), Array._new(s))
    _, ys = lax.scan(step, init, length=Array._new(blocks))
    y = ys._v  # (K, ..., BLOCK, N)
    y = _ops.transpose(y, list(range(1, nb + 1)) + [0, nb + 1, nb + 2])  # (..., K, BLOCK, N)
    nbig = big if type(big) is int else _ops.reshape(bigv, [1])
    lt = _ops.reshape(y, list(batch) + [nbig, nbig] if _ops.is_static(batch) else
                      [batch_v, nbig, nbig], batch + (big, big))
    low = _mT(lt)
    if type(n) is int and big == n:
        return low
    nv1 = _ops.reshape(nv, [1])
    low = _slice(low, 0, nv1, -2, batch + (n, big))
    return _slice(low, 0, nv1, -1, batch + (n, n))
