"""The ``linalg`` extension, for real and complex floating-point matrices.

Functions that lower to ONNX operators directly (MatMul, reductions and gathers) are here. The
factorizations and solvers (cholesky, det, eig, eigvals, eigh, eigvalsh, inv, pinv, qr, slogdet,
solve, svd, svdvals, matrix_rank, and through them ``matrix_norm`` with ``ord`` 2, -2 or 'nuc' and
``matrix_power`` with negative exponents) have no onnxruntime kernels: ``_linalg_factorizations``
writes them as ONNX ``Loop``s (``_linalg_loops``, ``_linalg_jacobi`` and, on (real, imaginary)
pairs for complex input, ``_linalg_loops_complex``, ``_linalg_jacobi_complex``) whose graphs do
not grow with the matrix size, which may be symbolic: one exported model serves every size.

Limits: eig and eigvals are still unrolled over a matrix size known when recording (only batch
dimensions may be symbolic); qr, svd and their relatives need known sizes for non-square
matrices (the algorithm depends on which size is larger). Singular or indefinite inputs give
infinities or NaNs instead of raising. eigh and svd iterate Jacobi sweeps until converged (at
most 40 sweeps); a matrix that does not converge, or holds a NaN or an infinity, gets NaN in all
its outputs. eig and eigvals run a fixed number of shifted QR steps (8 per eigenvalue), tested
to float64 accuracy for n <= 12, except that defective eigenvalues get only the accuracy their
conditioning allows.
"""

from __future__ import annotations

import math

from . import _api, _math, _ops
from . import _dtypes as D
from ._api import matmul, matrix_transpose, tensordot, vecdot  # the namespace's own functions
from ._array_object import Array, as_value
from ._complex_parts import join, parts
from ._dims import not_square
from ._graph import Value
from ._linalg_factorizations import (
    EighResult,
    EigResult,
    QRResult,
    SlogdetResult,
    SVDResult,
    cholesky,
    det,
    eig,
    eigh,
    eigvals,
    eigvalsh,
    inv,
    matrix_rank,
    pinv,
    qr,
    singular_values,
    slogdet,
    solve,
    svd,
    svdvals,
)
from ._manipulation_functions import normalize_axes
from ._plans import planned
from ._statistical_functions import _fill_slice
from ._statistical_functions import max as _max
from ._statistical_functions import min as _min

__all__ = ["cholesky", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh", "inv",
           "matmul", "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose", "outer",
           "pinv", "qr", "slogdet", "solve", "svd", "svdvals", "tensordot", "trace", "vecdot",
           "vector_norm", "EigResult", "EighResult", "QRResult", "SlogdetResult", "SVDResult"]


def _ns():
    """The namespace's functions (complex dispatch and plans included)."""
    return _api


def _floating(x: Array, func: str) -> Value:
    """The Value of a floating-point array; of its magnitudes (real) if it is complex."""
    v = as_value(x, func)
    if v.dtype.kind == "c":
        return _ns().abs(Array._new(v))._v
    if v.dtype.kind != "f":
        raise TypeError(f"{func}: needs a floating-point dtype, got {v.dtype.name}")
    return v


def _matrices(v: Value, func: str) -> None:
    if len(v.shape) < 2:
        raise ValueError(f"{func}: needs at least 2 dimensions, got {len(v.shape)}")


def diagonal(x: Array, /, *, offset: int = 0) -> Array:
    """The diagonal of the last two axes: a Gather of flat positions i*(cols+1) + offset."""
    v = as_value(x, "diagonal")
    _matrices(v, "diagonal")
    if v.dtype.kind == "c":  # the diagonals of the real and imaginary parts
        re, im = (Array._new(p) for p in parts(v))
        return Array._new(join(diagonal(re, offset=offset)._v, diagonal(im, offset=offset)._v))
    rows, cols = v.shape[-2:]
    if type(rows) is not int or type(cols) is not int:
        raise ValueError("diagonal: the matrix sizes must be known")
    start_r, start_c = (0, offset) if offset >= 0 else (-offset, 0)
    k = max(0, min(rows - start_r, cols - start_c))
    flat = _ops.reshape(v, [d if type(d) is int else _ops.dim_of(v, i)
                            for i, d in enumerate(v.shape[:-2])] + [rows * cols],
                        v.shape[:-2] + (rows * cols,))
    idx = _ops.i64([(start_r + i) * cols + start_c + i for i in range(k)])
    return Array._new(_ops.gather(flat, idx, len(v.shape) - 2))


def trace(x: Array, /, *, offset: int = 0, dtype=None) -> Array:
    return _ns().sum(diagonal(x, offset=offset), axis=-1, dtype=dtype)


def outer(x1: Array, x2: Array, /) -> Array:
    v1, v2 = as_value(x1, "outer"), as_value(x2, "outer")
    if len(v1.shape) != 1 or len(v2.shape) != 1:
        raise ValueError("outer: needs two 1-D arrays")
    dtype = D.promote(v1.dtype, v2.dtype, "outer")
    if dtype not in D.NUMERIC:
        raise TypeError(f"outer: needs numeric dtypes, got {dtype.name}")
    if dtype.kind == "c":  # complex products on the real and imaginary parts
        ns = _ns()
        return ns.multiply(ns.expand_dims(x1, axis=1), ns.expand_dims(x2, axis=0))
    a = _ops.unsqueeze(_ops.cast(v1, dtype), [1])
    b = _ops.unsqueeze(_ops.cast(v2, dtype), [0])
    return Array._new(_ops.binary("Mul", a, b))


def cross(x1: Array, x2: Array, /, *, axis: int = -1) -> Array:
    v1, v2 = as_value(x1, "cross"), as_value(x2, "cross")
    dtype = D.promote(v1.dtype, v2.dtype, "cross")
    if dtype not in D.NUMERIC:
        raise TypeError(f"cross: needs numeric dtypes, got {dtype.name}")
    if not -min(len(v1.shape), len(v2.shape)) <= axis < 0:
        raise ValueError(f"cross: axis {axis} must be negative and within the dimensions")
    if any(type(d) is int and d != 3 for d in (v1.shape[axis], v2.shape[axis])):
        raise ValueError(f"cross: the axis must have size 3 in both arrays, got shapes "
                         f"{v1.shape} and {v2.shape}")
    shape = _ops.broadcast_shapes(v1.shape, v2.shape, func="cross")
    if dtype.kind == "c":  # complex products on the real and imaginary parts
        return _complex_cross(x1, x2, axis)
    v1, v2 = _ops.cast(v1, dtype), _ops.cast(v2, dtype)

    def part(v, i):
        return _ops.gather(v, _ops.i64(i), len(v.shape) + axis)

    a = [part(v1, i) for i in range(3)]
    b = [part(v2, i) for i in range(3)]

    def sub_mul(i, j):
        return _ops.binary("Sub", _ops.binary("Mul", a[i], b[j]), _ops.binary("Mul", a[j], b[i]))

    comps = [sub_mul(1, 2), sub_mul(2, 0), sub_mul(0, 1)]
    out_axis = len(shape) + axis
    stacked = _ops.concat([_ops.unsqueeze(c, [out_axis]) for c in comps], out_axis)
    return Array._new(stacked)


def _complex_cross(x1: Array, x2: Array, axis: int) -> Array:
    ns = _ns()
    def part(x, i):
        return ns.squeeze(ns.take(x, ns.asarray([i]), axis=axis), axis=axis)

    a = [part(x1, i) for i in range(3)]
    b = [part(x2, i) for i in range(3)]

    def sub_mul(i, j):
        return a[i] * b[j] - a[j] * b[i]

    return ns.stack([sub_mul(1, 2), sub_mul(2, 0), sub_mul(0, 1)], axis=axis)


def vector_norm(x: Array, /, *, axis=None, keepdims: bool = False, ord=2) -> Array:  # noqa: A002
    v = _floating(x, "vector_norm")
    axes = normalize_axes(axis, len(v.shape), "vector_norm")
    a = _ops.unary("Abs", v)
    if ord in (math.inf, -math.inf):
        out = _extreme_magnitude(a, axes, keepdims, largest=ord > 0)
    elif ord == 0:
        nz = _ops.cast(_ops.unary("Not", _ops.binary("Equal", v, _ops.const(0, v.dtype),
                                                     D.bool)), v.dtype)
        out = _ops.reduce("ReduceSum", nz, axes, keepdims)
    elif ord == 1:
        out = _ops.reduce("ReduceSum", a, axes, keepdims)
    elif ord == 2:
        out = _ops.unary("Sqrt", _ops.reduce("ReduceSum", _ops.binary("Mul", a, a), axes,
                                             keepdims))
    elif isinstance(ord, (int, float)) and not isinstance(ord, bool):
        p = _ops.const(float(ord), v.dtype)
        s = _ops.reduce("ReduceSum", _math.power(a, p), axes, keepdims)
        out = _ops.binary("Pow", s, _ops.const(1.0 / ord, v.dtype))
    else:
        raise ValueError(f"vector_norm: unsupported ord {ord!r}")
    return Array._new(out)


def _extreme_magnitude(a: Value, axes, keepdims: bool, largest: bool) -> Value:
    """The largest (ord=inf) or smallest (ord=-inf) of the magnitudes ``a``, NaN propagating;
    no elements give 0 or inf. An axis of unknown size may be empty when the model runs: it
    gets one such neutral element more (the extreme of the others keeps its bits, and no
    elements give the eager answer)."""
    reduced = range(len(a.shape)) if axes is None else axes
    if any(a.shape[i] == 0 for i in reduced):  # ReduceMin of no elements is inf
        return _ops.reduce("ReduceSum" if largest else "ReduceMin", a, axes, keepdims)
    unknown = [i for i in reduced if type(a.shape[i]) is not int]
    if unknown:
        neutral = _fill_slice(a, unknown[0], 0.0 if largest else math.inf)
        a = _ops.concat([a, neutral], unknown[0])
    return (_max if largest else _min)(Array._new(a), axis=axes, keepdims=keepdims)._v


def matrix_norm(x: Array, /, *, keepdims: bool = False, ord="fro") -> Array:  # noqa: A002
    v = as_value(x, "matrix_norm")
    if ord not in (2, -2, "nuc"):  # from the magnitudes; the others from the singular values
        v = _floating(x, "matrix_norm")
    elif v.dtype.kind not in "fc":
        raise TypeError(f"matrix_norm: needs a floating-point dtype, got {v.dtype.name}")
    _matrices(v, "matrix_norm")
    n = len(v.shape)
    if ord in ("fro", 1, -1, math.inf, -math.inf):
        a = _ops.unary("Abs", v)
    if ord == "fro":
        out = _ops.unary("Sqrt", _ops.reduce("ReduceSum", _ops.binary("Mul", a, a),
                                             [n - 2, n - 1], keepdims))
    elif ord in (1, -1, math.inf, -math.inf):
        # 1: max column sum; inf: max row sum
        sum_axis = n - 2 if ord in (1, -1) else n - 1
        other = n - 1 if ord in (1, -1) else n - 2
        sums = _ops.reduce("ReduceSum", a, [sum_axis], True)
        op = "ReduceMax" if ord in (1, math.inf) else "ReduceMin"
        out = _ops.reduce(op, sums, [other], True)
        if not keepdims:
            out = _ops.squeeze(out, [n - 2, n - 1])
    elif ord in (2, -2, "nuc"):
        op = {2: "ReduceMax", -2: "ReduceMin", "nuc": "ReduceSum"}[ord]
        out = _ops.reduce(op, singular_values(v, "matrix_norm"), [n - 2], False)
        if keepdims:
            out = _ops.unsqueeze(out, [n - 2, n - 1])
    else:
        raise ValueError(f"matrix_norm: unsupported ord {ord!r}")
    return Array._new(out)


def matrix_power(x: Array, n: int, /) -> Array:
    v = as_value(x, "matrix_power")
    _matrices(v, "matrix_power")
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"matrix_power: n must be an int, got {n!r}")
    rows, cols = v.shape[-2:]
    if type(rows) is int and type(cols) is int and rows != cols:
        raise not_square("matrix_power", rows, cols)
    if n < 0:  # the power of the inverse
        if v.dtype.kind not in "fc":
            raise TypeError(f"matrix_power: negative powers need a floating-point dtype, got "
                            f"{v.dtype.name}")
        x, n = inv(x), -n
    ns = _ns()  # its matmul and add take complex arrays too
    if n == 0:
        if type(rows) is not int:
            raise ValueError("matrix_power: n=0 needs a known matrix size")
        return ns.add(ns.zeros_like(x), ns.eye(rows, dtype=v.dtype))
    result, base = None, x
    while n:  # binary exponentiation: O(log n) products
        if n & 1:
            result = base if result is None else ns.matmul(result, base)
        n >>= 1
        if n:
            base = ns.matmul(base, base)
    return result




# Repeated concrete calls of a signature run as one compiled session (see _plans): a norm is
# three or four nodes (magnitudes, products, a reduction, a root), which op by op would be as
# many onnxruntime runs. Nested calls on symbolic values record inline.
vector_norm = planned(vector_norm)
matrix_norm = planned(matrix_norm)
diagonal = planned(diagonal)
trace = planned(trace)
outer = planned(outer)
cross = planned(cross)
