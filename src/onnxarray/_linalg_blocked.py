"""Blocked LU with partial pivoting (det, slogdet, and solve and inv with a blocked back
substitution) and blocked Cholesky: one ``Loop`` iteration per block of columns.

Inside a ``Loop`` onnxruntime spends about as long dispatching a node as computing a small one,
and some kernels are much slower than others on the same data (measured with 1.32 on 64 x 8
float64: a broadcasting ``Where`` 2-7 us, an outer product by ``Mul`` 3.3 us but by ``MatMul``
0.65 us, a column ``Slice`` 1.5-1.9 us but a row ``Gather`` 0.6 us, a same-shape ``Sub``
0.4-0.8 us; on 64 x 128: ``ScatterElements`` of 16 rows twice as slow as ``ScatterND``). So an
iteration eliminates a panel of ``BLOCK`` columns, unrolled on the transposed ``BLOCK x n``
panel with seven cheap nodes per column (a row ``Gather``, ``Abs``, ``ArgMax``, two
``Gather``s, ``Div`` and an outer-product ``Gemm``), then applies the block's row operations to
the whole matrix with one matrix product.

Rows are not swapped: a mask of the rows not yet used as pivot rows multiplies the panel before
its pivot search, so a used row is never picked again. The matrix is padded to a multiple of
``BLOCK`` with an identity block, which leaves the factorization of the original matrix
unchanged.

With ``f_j`` the multipliers of column ``j`` and ``y_j`` the pivot row ``p_j`` before the block,
``G[i, j] = f_i[p_j]`` is unit upper triangular (``f_j[p_j] = 1``, and a pivot row is zero in
the panel once used), and the pivot rows as used are ``X = G^-T Y``. LU updates
``A -= F^T X``. The inverse of a unit triangular block is the finite Neumann product
``(I - K)(I + K^2)(I + K^4)...`` (``K^BLOCK = 0``), each factor applied by one ``Gemm``;
partial pivoting keeps ``|K| <= 1``.

solve and inv eliminate ``[A | B]`` (``B`` the identity for inv) so, and keep each block's
pivot rows as used, ``[U_t | c_t]``: a second ``Loop`` then solves ``U x = c`` by blocks, the
last first, as LAPACK's getrs: ``x_t = W_t c_t`` with ``W_t`` the inverse of the block's
diagonal block of ``U`` (by recursive halving, for every block at once after the first loop),
one step of refinement ``x_t += W_t (c_t - U_tt x_t)``, and ``c -= U[:, t] x_t``. LU with
partial pivoting and substitution are backward stable; the explicit inverse of a diagonal block
is not quite (its residual grows with the block's condition: up to ~60x LAPACK's on graded
rows), and the refinement step brings it back. Relative residuals
``||b - A x|| / (||A|| ||x|| + ||b||)``, measured over Hilbert matrices of order 2-14, random
matrices of condition 1e2-1e15 (n = 3 to 64), rows or columns graded over 1e+-150, stacks,
float32 and complex: at most 3e-17 .. 1e-16 in float64, 2.2x to 6.7x LAPACK's (numpy's gesv)
per group. Gauss-Jordan elimination, which solve and inv ran before, is not backward stable:
1e-13 .. 5e-6 on the same inputs (``A X - I`` of inv up to 1e11 times LAPACK's).

Up to 4 and up to 8 columns (``SMALL_FORMS``) the same steps run once on one block of 4 or 8
columns, without a ``Loop``; a model of symbolic size picks the form by ``If``s on the size
(``n <= 8``, then ``n <= 4``; a model of known size records the form of its size), so both give
the same bits. Measured with onnxruntime 1.32 (thread CPU time, min of runs): one 4 x 4 matrix
25-40% faster than a Loop of one 8-column block, one 8 x 8 ~15-25%, a stack of 1000 4 x 4
matrices 2.3-4.5x; the ``If`` costs larger matrices 0-7% (5-15 us).

Cost: the time is the nodes run, ~0.6-0.8 us each in a ``Loop`` body whatever their (small)
size, not arithmetic; a ``Loop`` iteration itself costs only a few us (two blocks per iteration
measured no faster). A column costs 7 nodes (pivot search, pivot row, multipliers, update), an
8-column block ~21 more for LU; solve's back substitution ~10 per block and ~30 once (the
diagonal blocks' inverses, the second ``Loop``): at n = 64 about 720 nodes for solve, ~0.5 ms
against NumPy's ~0.05-0.07 ms. Against the Gauss-Jordan elimination (~32 nodes a block beyond
the columns, a scatter of the pivot rows into the whole matrix) solve and inv measured (thread
CPU time, interleaved, load ~4) 3-13% slower at n = 16 (two blocks: the second loop's fixed
cost, ~20 us), 5-15% faster at n = 4, 0-8% at n = 64 and 10-20% at 128. (Unrolling the second
loop for a known size of up to 4 blocks gained ~4% at n = 16, but made the node count depend
on the size.)
The 64 pivot searches alone are ~450 nodes, so ~5x NumPy at n = 64 is out of reach of
column-by-column partial pivoting in onnxruntime.
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

__all__ = ["BLOCK", "LU_BLOCK", "CHOLESKY_BLOCK", "SMALL_FORMS", "cholesky", "lu", "solve"]

# the QR's block (``_linalg_blocked_qr``)
BLOCK = 8
# LU and Cholesky: 16 columns per iteration are ~10% faster at n = 64 and 128 (half the blocks'
# nodes) but slower up to 16 columns, and the Neumann inverse of a 16-column block loses more
# digits (solve of a 64 x 64 matrix with rows graded over 1..1e6: 8e-13 against 2e-14).
LU_BLOCK = 8
CHOLESKY_BLOCK = 8
# LU and Cholesky of matrices up to one of these sizes (ascending): one block of that many
# columns, without a Loop; () for none
SMALL_FORMS = (4, 8)


def _padded_size(n, nv: Value, block: int) -> tuple[object, Value, Value]:
    """The size rounded up to a multiple of ``block`` (record-time and as a 0-d Value) and the
    number of blocks (0-d Value)."""
    if type(n) is int:
        blocks = -(-n // block)
        return blocks * block, _ops.const(blocks * block, D.int64), _ops.const(blocks, D.int64)
    blocks = _ops.binary("Div", _ops.binary("Add", nv, _ops.const(block - 1, D.int64)),
                         _ops.const(block, D.int64))
    return Dim(), _ops.binary("Mul", blocks, _ops.const(block, D.int64)), blocks


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


def _take_column(v: Value, j: int) -> Value:
    """Column ``j`` (static) of (..., r, c) ``v`` as (..., r, 1)."""
    shape = v.shape[:-1] + (1,)
    return _ops.bind("Gather", [v, _ops.i64([j])], [v.dtype], lambda: [shape],
                     (("axis", len(v.shape) - 1),))[0]


def _mT(v: Value) -> Value:
    nd = len(v.shape)
    return _ops.transpose(v, list(range(nd - 2)) + [nd - 1, nd - 2])


def _plus_product(c: Value, a: Value, b: Value) -> Value:
    """``c + a @ b``: one ``Gemm`` for single matrices."""
    if len(c.shape) == 2 and len(a.shape) == 2 and len(b.shape) == 2:
        return _ops.bind("Gemm", [a, b, c], [c.dtype], lambda: [c.shape])[0]
    return _ops.binary("Add", c, _mm(a, b))


def _transposed_times(a: Value, y: Value) -> Value:
    """``a^T @ y``: one ``Gemm`` for single matrices."""
    if len(a.shape) == 2 and len(y.shape) == 2:
        return _ops.bind("Gemm", [a, y], [y.dtype], lambda: [(a.shape[1], y.shape[1])],
                         (("transA", 1),))[0]
    return _mm(_mT(a), y)


def _unit_inverse(k: Value) -> Value:
    """``(I + k)^-1`` for strictly triangular (..., b, b) ``k``: the Neumann product
    ``(I - k)(I + k^2)(I + k^4)...``, each factor applied by one ``Gemm``. (Its powers' entries
    grow with b: for 16 columns it loses 2-4 times more digits than for 8.)"""
    b = k.shape[-1]
    inv = _sub(_ops.const(np.eye(b), k.dtype), k)
    power = k
    span = 2
    while span < b:
        power = _mm(power, power)
        inv = _plus_product(inv, inv, power)
        span *= 2
    return inv


def _unit_inverse_halving(k: Value, upper: bool) -> Value:
    """``(I + k)^-1`` for strictly upper (or lower) triangular (..., b, b) ``k`` by recursive
    halving, as LAPACK's dtrtri: with ``E`` the inverse of the block diagonal part of a level
    and ``C`` its coupling part, ``(I + k)^-1 = E - E C E``. No power of ``k`` (whose
    entries grow when ``k``'s do): three nodes a level. Only that strict triangle of ``k`` is
    read."""
    b = k.shape[-1]
    size = 1
    inv = None
    while size < b:
        idx = np.arange(b) // (2 * size)
        half = (np.arange(b) // size) % 2
        same = idx[:, None] == idx[None, :]
        mask = same & ((half[:, None] == 0) & (half[None, :] == 1) if upper else
                       (half[:, None] == 1) & (half[None, :] == 0))
        coupling = _mul(k, _ops.const(mask.astype(float), k.dtype))
        if inv is None:
            inv = _sub(_ops.const(np.eye(b), k.dtype), coupling)
        else:
            inv = _minus_outer(inv, _mm(inv, coupling), inv)
        size *= 2
    return inv


class _Picker:
    """Entries picked and set by per-matrix indices: ``Gather``/``ScatterND`` for one matrix,
    ``GatherElements``/``ScatterElements`` (whose indices may differ across the stack) for a
    stack."""

    __slots__ = ("batch", "batch_v", "stacked", "block")

    def __init__(self, batch: tuple, batch_v: Value, block: int) -> None:
        self.batch, self.batch_v, self.stacked = batch, batch_v, bool(batch)
        self.block = block

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

    def row_index(self, p: Value, target: Value | None, w) -> Value:
        """A block's positions (BLOCK,) or (..., BLOCK, 1) as indices of its rows: (BLOCK, 1)
        for ``ScatterND``, or (..., BLOCK, w) for a stack (``target`` its shape)."""
        if not self.stacked:
            return _ops.unsqueeze(p, [1])
        return _ops.expand_to(p, target, self.batch + (self.block, w))

    def rows(self, v: Value, p: Value, index: Value) -> Value:
        """Rows ``p`` (a block's positions, ``index`` from row_index) of (..., N, w) ``v``."""
        shape = self.batch + (self.block, v.shape[-1])
        if not self.stacked:
            return _ops.bind("Gather", [v, p], [v.dtype], lambda: [shape], (("axis", 0),))[0]
        return _ops.bind("GatherElements", [v, index], [v.dtype], lambda: [shape],
                         (("axis", len(shape) - 2),))[0]

    def set_entries(self, mask: Value, p: Value, index: Value, zeros: Value) -> Value:
        """The row mask ((N,) or (..., 1, N)) with the entries ``p`` set to ``zeros``."""
        if not self.stacked:
            return _ops.bind("ScatterND", [mask, index, zeros], [mask.dtype],
                             lambda: [mask.shape])[0]
        return _ops.bind("ScatterElements", [mask, self.as_row(p), zeros], [mask.dtype],
                         lambda: [mask.shape], (("axis", len(mask.shape) - 1),))[0]


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
    """LU steps on the transposed (..., BLOCK, N) panel, whose used rows are masked to zero:
    the multipliers (..., BLOCK, N), the pivot positions, the pivots (..., 1, BLOCK) and the
    panel's pivot rows as used (..., BLOCK, BLOCK), column j the pivot row of step j (its
    entries above the diagonal are rounding noise). A zero pivot makes NaN."""
    fs, ps, pivots, pcols = [], [], [], []
    block = pt.shape[-2]
    for j in range(block):
        col = _take_row(pt, j)  # (..., 1, N): column j of the panel
        p = pick.argmax(_ops.unary("Abs", col))
        pcol = pick.columns(pt, p)  # (..., BLOCK, 1): the pivot row of the panel
        pivot = _take_row(pcol, j)  # (..., 1, 1)
        f = _div(col, pivot)  # 1 at the pivot row, which this step zeroes
        if j + 1 < block:
            pt = _minus_outer(pt, pcol, f)
        fs.append(f)
        ps.append(p)
        pivots.append(pivot)
        pcols.append(pcol)
    nd = len(pt.shape)
    return (_ops.concat(fs, nd - 2), pick.join(ps), _ops.concat(pivots, nd - 1),
            _ops.concat(pcols, nd - 1))


def _padded_identity(v: Value, n, nv: Value, big, bigv: Value, rows_n: Value,
                     cols_n: Value) -> Value:
    """(..., n, n) ``v`` padded to (..., big, big) with an identity block."""
    if type(n) is int and big == n:
        return v
    batch = v.shape[:-2]
    extra = _ops.binary("Sub", bigv, nv)
    padded = _pad(v, True, True, extra, batch + (big, big))
    if not batch and nv.data is None:  # the identity less the padded one (exact), in three
        # nodes fewer than the index comparisons (which a known size folds into a constant)
        pad_eye = _sub(_eye(padded), _pad(_eye(v), True, True, extra, (big, big)))
        return _ops.binary("Add", padded, pad_eye)
    pad_eye = _ops.binary("And", _cmp("Equal", rows_n, cols_n),
                          _cmp("GreaterOrEqual", rows_n, nv))
    return _ops.binary("Add", padded, _ops.cast(pad_eye, v.dtype))


def _eye(v: Value) -> Value:
    """The identity of one (n, n) matrix ``v``'s shape and dtype: one ``EyeLike``."""
    return _ops.bind("EyeLike", [v], [v.dtype], lambda: [v.shape])[0]


def _small_or_blocked(n, nv: Value, small, blocked, operands: tuple) -> tuple:
    """``small(bound)(*operands)`` for the least bound of ``SMALL_FORMS`` at or above the size,
    else ``blocked(*operands)`` (Values in and out): chosen now for a known size, else by
    ``If``s, so that a model of symbolic size gives the bits of the model of that known size.
    The outer ``If`` tests the largest bound: larger matrices pay for one ``If``."""
    if type(n) is int:
        for bound in SMALL_FORMS:
            if n <= bound:
                return small(bound)(*operands)
        return blocked(*operands)
    return _choose(nv, SMALL_FORMS, small, blocked, operands)


def _choose(nv: Value, bounds: tuple, small, otherwise, operands: tuple) -> tuple:
    """``_small_or_blocked`` for a symbolic size, among ``bounds`` and ``otherwise``."""
    if not bounds:
        return otherwise(*operands)
    *inner, last = bounds

    def within(*values):
        return _choose(nv, tuple(inner), small, small(last), values)

    def branch(fn):
        def traced(*arrays):
            return tuple(Array._new(v) for v in fn(*(x._v for x in arrays)))
        return traced

    pred = _cmp("LessOrEqual", nv, _ops.const(last, D.int64))
    outs = lax.cond(Array._new(pred), branch(within), branch(otherwise),
                    *(Array._new(v) for v in operands))
    return tuple(o._v for o in outs)


def lu(a: Value) -> tuple[Value, Value]:
    """LU with partial pivoting of square (..., n, n) ``a``: the pivot row of each column
    (..., 1, n) int64 and the pivots (..., 1, n), all zero for a singular matrix, NaN for a
    matrix holding a NaN or an infinity. Up to a size of ``SMALL_FORMS``, one block of that
    many columns without a ``Loop``."""
    def run(single):
        return lambda a: _eliminate(a, None, False, single, False)

    return tuple(_small_or_blocked(a.shape[-1], size_value(a, -1), run, run(None), (a,)))


def solve(a: Value, b: Value | None) -> Value:
    """The solution (..., n, k) of ``a @ x = b`` for square (..., n, n) ``a``, or ``a``'s
    inverse for ``b`` None: LU with partial pivoting of ``[a | b]``, then back substitution by
    blocks (``_substitute``), as LAPACK's getrs; NaN everywhere for a singular matrix or one
    holding a NaN or an infinity."""
    def run(single):
        def fn(a, b=None):
            return (_eliminate(a, b, b is None, single, True),)
        return fn

    operands = (a,) if b is None else (a, b)
    return _small_or_blocked(a.shape[-1], size_value(a, -1), run, run(None), operands)[0]


def _eliminate(a: Value, b: Value | None, eye_rhs: bool, single: int | None,
               substitute: bool):
    """``lu`` (``substitute`` False) or ``solve`` by blocks of ``LU_BLOCK`` columns, or by one
    block of ``single`` columns (n <= single)."""
    n = a.shape[-1]
    nd = len(a.shape)
    nb = nd - 2
    batch = a.shape[:nb]
    batch_v = _ops.shape_of(a, 0, nb)
    nv = size_value(a, -1)
    block = single or LU_BLOCK
    # 0, or NaN for a matrix holding a NaN or an infinity
    finite = _ops.reduce("ReduceSum", _mul(a, _c(0, a)), [-2, -1], True)
    if single:
        big, bigv, blocks = single, _ops.const(single, D.int64), _ops.const(1, D.int64)
    else:
        big, bigv, blocks = _padded_size(n, nv, block)
    extra = None if (type(n) is int and big == n) else _ops.binary("Sub", bigv, nv)
    rows_n, cols_n = _index(bigv, big)
    a = _padded_identity(a, n, nv, big, bigv, rows_n, cols_n)
    if eye_rhs and not batch and nv.data is None:
        b = _eye(a)
    elif eye_rhs:
        b = _ops.cast(_cmp("Equal", rows_n, cols_n), a.dtype)
        b = _ops.expand_to(b, _ops.concat([batch_v, _ops.reshape(bigv, [1]),
                                           _ops.reshape(bigv, [1])], 0), batch + (big, big))
    elif b is not None and extra is not None:
        b = _pad(b, True, False, extra, batch + (big, b.shape[-1]))
    aug = a if b is None else _ops.concat([a, b], nd - 1)  # (..., N, w)
    w = aug.shape[-1]
    pick = _Picker(batch, batch_v, block)
    # loop invariants: the shape of a stack's row indices, the mask's zeros
    target = (_ops.concat([batch_v, _ops.i64([block]), _ops.dim_of(aug, -1)], 0)
              if pick.stacked else None)
    if pick.stacked:
        unused = _ops.expand_to(_c(np.ones((1, 1)), a), _ops.concat(
            [batch_v, _ops.i64([1]), _ops.reshape(bigv, [1])], 0), batch + (1, big))
        zeros = _ops.expand_to(_c(np.zeros((1, block)), a), _ops.concat(
            [batch_v, _ops.i64([1, block])], 0), batch + (1, block))
    else:
        unused = _ops.expand_to(_c(np.ones(1), a), _ops.reshape(bigv, [1]), (big,))
        zeros = _c(np.zeros(block), a)
    eye = _ops.const(np.eye(block), a.dtype)

    def step(carry, _):
        c0, m, mask = (c._v for c in carry)
        c1 = _ops.binary("Add", c0, _ops.i64([block]))
        if single:  # the first block: every row unused (the mask is ones)
            panel = m if w == block else _slice(m, 0, block, -1, batch + (big, block))
            f, p_all, pivots, pcols = _lu_panel(_mT(panel), pick)
        else:
            praw = _mT(_slice(m, c0, c1, -1, batch + (big, block)))  # (..., BLOCK, N)
            f, p_all, pivots, pcols = _lu_panel(_mul(praw, mask), pick)
        index = pick.row_index(p_all, target, w)
        y = pick.rows(m, p_all, index)  # (..., BLOCK, w): the pivot rows before the block
        ginv = _unit_inverse(_sub(pick.columns(f, p_all), eye))  # G^-1
        rows = _transposed_times(ginv, y)  # the pivot rows as used: U's rows, then L^-1 b
        m = _minus_product(m, f, rows)
        mask = pick.set_entries(mask, p_all, index, zeros)
        carry = (Array._new(c1), Array._new(_same_shape(m, aug.shape)),
                 Array._new(_same_shape(mask, unused.shape)))
        if substitute:
            return carry, tuple(Array._new(v) for v in (pivots, rows, pcols))
        p_out = pick.as_row(p_all) if pick.stacked else p_all  # (K, BLOCK) reshapes alike
        return carry, (Array._new(p_out), Array._new(pivots))

    init = (Array._new(_ops.i64([0])), Array._new(aug), Array._new(unused))
    if single:
        ys = step(init, None)[1]
    else:
        ys = lax.scan(step, init, length=Array._new(blocks))[1]
    nv1 = _ops.reshape(nv, [1])
    if substitute:
        block_pivots, rows, pcols = (y._v for y in ys)
        x = _substitute(rows, _upper_inverse(pcols, block_pivots), b.shape[-1], big, bigv,
                        blocks, single)
        x = _slice(x, 0, nv1, -2, batch + (n, x.shape[-1]))
        if eye_rhs:
            x = _slice(x, 0, nv1, -1, batch + (n, n))
        return _mul(x, _nan_if_zero(block_pivots, finite, bool(single), nb))
    if single:
        p_out = ys[0]._v if pick.stacked else _ops.unsqueeze(ys[0]._v, [0])
        piv, pivots = (_slice(y, 0, nv1, -1, batch + (1, n)) for y in (p_out, ys[1]._v))
    else:
        piv, pivots = (_blocks_to_row(y._v, batch, batch_v, big, bigv, nv, n) for y in ys)
    # a zero pivot makes NaN in the steps after it: every pivot of a singular matrix is 0
    singular = _ops.reduce("ReduceMax", _ops.cast(_cmp("Equal", pivots, _c(0, a)), a.dtype),
                           [-1], True)
    pivots = _ops.where(_cmp("Greater", singular, _c(0, a)), _c(0, a), pivots)
    return piv, _mul(pivots, _ops.binary("Add", finite, _c(1, a)))  # x * 1 keeps -0


def _nan_if_zero(pivots: Value, finite: Value, single: bool, nb: int) -> Value:
    """1 for each matrix whose pivots ((..., 1, BLOCK), or (K, ..., 1, BLOCK) per block) are
    all nonzero and whose ``finite`` ((..., 1, 1)) is 0, NaN for the others: ``t / t`` for
    ``t = finite + min |p|``, (..., 1, 1) (a zero pivot makes NaN in the steps after it, but
    not always in every entry). For one matrix (no ``...``) ``min |p|`` is 0-d."""
    low = _ops.unary("Abs", pivots)
    if not nb:  # one matrix: 0-d
        low = _ops.reduce("ReduceMin", low, None, False)
    else:
        if not single:
            low = _ops.reduce("ReduceMin", low, [0], False)
        low = _ops.reduce("ReduceMin", low, [-1], True)
    low = _ops.binary("Add", finite, low)
    return _div(low, low)


def _upper_inverse(pcols: Value, pivots: Value) -> Value:
    """``U^-1`` of the blocks' upper triangular pivot blocks ``U = D (I + K)`` (any leading
    axes): ``pcols`` (..., BLOCK, BLOCK) holds pivot row j in column j, ``pivots``
    (..., 1, BLOCK) the diagonal ``D``; ``(I + K)^-1`` by recursive halving, which reads only
    the strict upper triangle of ``K`` (below the diagonal ``pcols`` holds rounding noise)."""
    return _div(_unit_inverse_halving(_mT(_div(pcols, pivots)), True), pivots)


def _block_solve(w: Value, u: Value, c: Value) -> Value:
    """``U^-1 c`` from ``w = U^-1`` (..., BLOCK, BLOCK), with one step of refinement
    ``x + W (c - U x)``: an explicit inverse leaves a residual that grows with U's condition
    (1e-16 .. 1e-15 where LAPACK's substitution leaves ~1e-17); one step brings it to a few
    times LAPACK's."""
    x = _mm(w, c)
    return _plus_product(x, w, _minus_outer(c, u, x))


def _substitute(rows: Value, w: Value, k, big, bigv: Value, blocks: Value,
                single: int | None) -> Value:
    """The solution of ``U x = c`` (..., big, k) by blocks, the last first: ``rows``
    (..., BLOCK, big + k), or (K, ..., BLOCK, big + k) per block, holds each block's pivot
    rows as used (``U``'s rows, then ``c``), ``w`` the inverses of their diagonal blocks. A
    block's solution is subtracted, times its columns of ``U``, from every block's ``c``
    (the blocks solved already, whose ``c`` is no longer read, too: one product)."""
    block = rows.shape[-2]
    if single:
        u = _slice(rows, 0, block, -1, rows.shape[:-1] + (block,))
        c = _slice(rows, block, 2**62, -1, rows.shape[:-1] + (k,))
        return _block_solve(w, u, c)
    nd = len(rows.shape)
    nb = nd - 3
    big1 = _ops.reshape(bigv, [1])
    u = _slice(rows, 0, big1, -1, rows.shape[:-1] + (big,))
    c = _slice(rows, big1, 2**62, -1, rows.shape[:-1] + (k,))
    kdim = rows.shape[0]
    # (K, ..., BLOCK, K, BLOCK): the columns of block t at [..., t, :]
    shape = rows.shape[:-1] + (kdim, block)
    if nb:  # sizes may be 0: no -1
        u = _ops.reshape(u, [_ops.shape_of(rows, 0, nd - 1), _ops.reshape(blocks, [1]),
                             _ops.i64([block])], shape)
    else:  # one node: no size is 0
        u = _ops.bind("Reshape", [u, _ops.i64([0, 0, -1, block])], [u.dtype],
                      lambda: [shape])[0]

    def step(carry, _):
        t, cs = (v._v for v in carry)
        ct = _ops.gather(cs, t, 0)  # (..., BLOCK, k)
        ut = _ops.gather(u, t, nd - 1)  # (K, ..., BLOCK, BLOCK): block t's columns of U
        xt = _block_solve(_ops.gather(w, t, 0), _ops.gather(ut, t, 0), ct)
        cs = _sub(cs, _mm(ut, xt))
        t = _ops.binary("Sub", t, _ops.const(1, D.int64))
        return (Array._new(t), Array._new(_same_shape(cs, c.shape))), Array._new(xt)

    last = _ops.binary("Sub", blocks, _ops.const(1, D.int64))
    _, xs = lax.scan(step, (Array._new(last), Array._new(c)), length=Array._new(blocks),
                     reverse=True)
    x = xs._v  # (K, ..., BLOCK, k)
    if not nb:
        return _ops.bind("Flatten", [x], [x.dtype], lambda: [(big, k)], (("axis", 2),))[0]
    batch = x.shape[1:1 + nb]
    x = _ops.transpose(x, list(range(1, nb + 1)) + [0, nb + 1, nb + 2])
    dims = [_ops.shape_of(x, 0, nb), big if type(big) is int else big1,
            k if type(k) is int else _ops.dim_of(x, -1)]
    return _ops.reshape(x, dims, batch + (big, k))


def _blocks_to_row(y: Value, batch: tuple, batch_v: Value, big, bigv: Value, nv: Value, n):
    """Per-block rows (K, ..., 1, BLOCK) (or (K, BLOCK) for one matrix) as one row
    (..., 1, n)."""
    nb = len(batch)
    if nb:  # for one matrix (K, 1, BLOCK) is already laid out as (1, K, BLOCK)
        y = _ops.transpose(y, list(range(1, nb + 2)) + [0, nb + 2])  # (..., 1, K, BLOCK)
    # the size as a Value: for one block of one matrix the reshape is not elided either, so
    # that the graph does not depend on the size
    nbig = big if (type(big) is int and nb) else _ops.reshape(bigv, [1])
    y = _ops.reshape(y, list(batch) + [1, nbig] if _ops.is_static(batch) else
                     [batch_v, 1, nbig], batch + (1, big))
    return _slice(y, 0, _ops.reshape(nv, [1]), -1, batch + (1, n))


# ---------------------------------------------------------------------------------------------
# Cholesky


def _trilu(v: Value, upper: bool) -> Value:
    """The upper or lower triangle (diagonal included) of (..., n, n) ``v``, zero elsewhere."""
    return _ops.bind("Trilu", [v, _ops.const(0, D.int64)], [v.dtype], lambda: [v.shape],
                     (("upper", int(upper)),))[0]


def cholesky(a: Value) -> Value:
    """The lower Cholesky factor of symmetric (..., n, n) ``a``, read from its lower triangle,
    CHOLESKY_BLOCK columns per iteration.

    The loop works on ``s = tril(a)^T``, whose upper triangle is ``a``'s lower one (no
    symmetric copy is made, and what ``a`` holds above its diagonal, NaN included, is never
    read): a block reads its columns as the rows ``c0:c0 + BLOCK`` of ``s`` (rows are
    gathered much faster than columns) and factors its diagonal block as ``F^T D F`` (``F``
    unit upper triangular) by outer products on that small block, four nodes a column (the
    row, the pivot, a division and a ``Gemm`` that reads the row as the column too); the
    block's rows of ``L^T`` are then ``D^-1/2 F^-T`` times its rows (``F^-1`` by recursive
    halving: with a Neumann product, whose powers of ``F - I`` grow as its entries are not
    bounded, the backward error of a 64 x 64 Hilbert matrix plus 1e-8 I was 1e-13 instead of
    5e-15), and one ``Gemm`` subtracts their product from the whole matrix. Only entries on
    or above the diagonal of the rows read are used; below it the loop leaves rounding noise
    of the eliminated part, which ``Trilu`` drops once, at the end. Up to a size of
    ``SMALL_FORMS``, one block of that many columns without a ``Loop``."""
    def run(single):
        return lambda a: (_cholesky(a, single),)

    return _small_or_blocked(a.shape[-1], size_value(a, -1), run, run(None), (a,))[0]


def _cholesky(a: Value, single: int | None) -> Value:
    """``cholesky`` by blocks of ``CHOLESKY_BLOCK`` columns, or by one block of ``single``
    columns (n <= single)."""
    s = _mT(_trilu(a, False))
    n = s.shape[-1]
    nd = len(s.shape)
    nb = nd - 2
    batch = s.shape[:nb]
    batch_v = _ops.shape_of(s, 0, nb)
    nv = size_value(s, -1)
    block = single or CHOLESKY_BLOCK
    if single:
        big, bigv, blocks = single, _ops.const(single, D.int64), None
    else:
        big, bigv, blocks = _padded_size(n, nv, block)
    rows_n, cols_n = _index(bigv, big)
    s = _padded_identity(s, n, nv, big, bigv, rows_n, cols_n)
    strict_upper = _ops.const(np.triu(np.ones((block, block), bool), 1), D.bool)

    def step(carry, _):
        c0, s_in = (c._v for c in carry)
        c1 = _ops.binary("Add", c0, _ops.i64([block]))
        if single:  # one block: the whole matrix
            rows = pt = s_in
        else:
            rows = _slice(s_in, c0, c1, -2, batch + (block, big))  # the block's columns^T
            pt = _slice(rows, c0, c1, -1, batch + (block, block))  # the diagonal block
        fs, ds = [], []
        for j in range(block):
            row = _take_row(pt, j)  # (..., 1, BLOCK)
            d = _take_column(row, j)  # (..., 1, 1)
            f = _div(row, d)
            if j + 1 < block:
                pt = _minus_product(pt, row, f)  # the row read as the column
            fs.append(f)
            ds.append(d)
        k = _ops.where(strict_upper, _ops.concat(fs, nd - 2), _c(0, s))  # F - I
        root = _ops.unary("Sqrt", _ops.concat(ds, nd - 2))  # (..., BLOCK, 1)
        low = _div(_transposed_times(_unit_inverse_halving(k, True), rows), root)
        s_out = _minus_product(s_in, low, low)
        carry = (Array._new(c1), Array._new(_same_shape(s_out, s_in.shape)))
        return carry, Array._new(low)

    init = (Array._new(_ops.i64([0])), Array._new(s))
    if single:
        lt = step(init, None)[1]._v  # (..., BLOCK, BLOCK)
    else:
        _, ys = lax.scan(step, init, length=Array._new(blocks))
        y = ys._v  # (K, ..., BLOCK, N)
        y = _ops.transpose(y, list(range(1, nb + 1)) + [0, nb + 1, nb + 2])  # (..., K, BLOCK, N)
        nbig = big if type(big) is int else _ops.reshape(bigv, [1])
        lt = _ops.reshape(y, list(batch) + [nbig, nbig] if _ops.is_static(batch) else
                          [batch_v, nbig, nbig], batch + (big, big))
    low = _trilu(_mT(lt), False)
    if type(n) is int and big == n:
        return low
    nv1 = _ops.reshape(nv, [1])
    low = _slice(low, 0, nv1, -2, batch + (n, big))
    return _slice(low, 0, nv1, -1, batch + (n, n))
