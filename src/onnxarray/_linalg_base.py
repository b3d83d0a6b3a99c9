"""Shared pieces of the linalg factorizations: result types, argument checks and small
emitters on Values.

The lowest linalg layer: ``_linalg_complex``, ``_linalg_loops`` and ``_linalg_factorizations``
import from here, never the other way round.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _dtypes as D
from . import _ops
from ._array_object import Array, as_value
from ._complex_parts import join
from ._dims import not_square
from ._graph import Value


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


def _matrices(x, func: str, known: bool = False) -> Value:
    """The Value of a stack of floating-point (real or complex) matrices; with ``known`` the
    matrix size must be known when recording (for the algorithms still unrolled over it)."""
    v = as_value(x, func)
    if v.dtype.kind not in "fc":
        raise TypeError(f"{func}: needs a floating-point dtype, got {v.dtype.name}")
    if len(v.shape) < 2:
        raise ValueError(f"{func}: needs at least 2 dimensions, got {len(v.shape)}")
    if known and any(type(d) is not int for d in v.shape[-2:]):
        raise ValueError(f"{func}: the matrix size must be known when recording for complex "
                         "input (only the batch dimensions may be symbolic)")
    return v


def _square(x, func: str, known: bool = False) -> tuple[Value, object]:
    v = _matrices(x, func, known)
    m, n = v.shape[-2:]
    if not _same_size(m, n):
        raise not_square(func, m, n)
    return v, n


def _same_size(m, n) -> bool:
    """Whether two matrix sizes are equal; a symbolic pair must be the same expression."""
    if type(m) is int and type(n) is int:
        return m == n
    return m is n or (type(m) is not int and type(n) is not int and m == n)


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


def _sum(v: Value, axis: int, keepdims: bool) -> Value:
    return _ops.reduce("ReduceSum", v, [axis], keepdims)


def _top_k(v: Value, largest: bool) -> tuple[Value, Value]:
    """All of the last axis sorted (descending if ``largest``) and the sorting indices."""
    k = v.shape[-1]
    kv = _ops.i64([k]) if type(k) is int else _ops.dim_of(v, -1)
    return _ops.bind("TopK", [v, kv], [v.dtype, D.int64],
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
        rd = D.real_dtype_of(dtype)
        value = np.asarray(value, complex)
        return join(_filled(batch, tail, value.real, rd), _filled(batch, tail, value.imag, rd))
    return _filled(batch, tail, value, dtype)


def _ones(batch: _Batch, dtype) -> Value:
    return _any_filled(batch, (), np.ones(()), dtype)


def _max_magnitude(v: Value) -> Value:
    """The largest magnitude of each matrix, (..., 1, 1); 1 for a zero matrix."""
    m = _ops.reduce("ReduceMax", _ops.unary("Abs", v), [-2, -1], True)
    return _ops.where(_cmp("Equal", m, _c(0, m)), _c(1, m), m)
