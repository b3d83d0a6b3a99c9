"""The two views of a complex value: NumPy complex data, or (real, imaginary) real tensors.

A concrete complex array holds NumPy complex data; a symbolic one is, in the graph, a real tensor
with a trailing dimension of 2 (real, imaginary) — the layout ONNX ``DFT`` uses, and the layout of
complex model inputs and outputs. ``parts`` and ``join`` move between the views.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops
from ._graph import Literal, Value

__all__ = ["complex_of", "parts", "join", "pack", "unpack"]


def complex_of(real: D.DType) -> D.DType:
    return D.complex128 if real is D.float64 else D.complex64


# -- the two views -------------------------------------------------------------------------------


def parts(v: Value) -> tuple[Value, Value]:
    """(real, imaginary) Values of a complex Value; a real Value gets a zero imaginary part."""
    if v.dtype.kind != "c":
        real = _real_float(v)
        return real, _zeros_like(real)
    rd = D.real_dtype_of(v.dtype)
    if v.data is not None:
        return (_derived(np.asarray(v.data.real, order="C"), rd, v),
                _derived(np.asarray(v.data.imag, order="C"), rd, v))
    return tuple(_ops.bind("Gather", [v, _ops.i64(i)], [rd], lambda: [v.shape],
                           (("axis", -1),))[0] for i in (0, 1))


def join(re: Value, im: Value) -> Value:
    """The complex Value with parts ``re`` and ``im`` (real floats of one dtype and shape)."""
    if re.dtype is not im.dtype:
        dt = D.promote(re.dtype, im.dtype)
        re, im = _ops.cast(re, dt), _ops.cast(im, dt)
    if tuple(re.shape) != tuple(im.shape) and not _same_at_run_time(re.shape, im.shape):
        shape = _ops.broadcast_shapes(re.shape, im.shape)
        re, im = _broadcast(re, im, shape), _broadcast(im, re, shape)
    cdt = complex_of(re.dtype)
    if re.data is not None and im.data is not None:
        data = np.empty(re.data.shape, cdt.numpy)
        data.real = re.data
        data.imag = im.data
        return _derived(data, cdt, re, im)
    n = len(re.shape)
    pair = [_ops.unsqueeze(p, [n]) for p in (re, im)]
    return _ops.bind("Concat", pair, [cdt], lambda: [re.shape], (("axis", -1),))[0]


def _same_at_run_time(a: tuple, b: tuple) -> bool:
    """Shapes that differ only in unknown dims: the parts of one result, which both come from
    broadcasting the same operands (each broadcast makes its own unknown dims)."""
    return len(a) == len(b) and all(x == y or (type(x) is not int and type(y) is not int)
                                    for x, y in zip(a, b))


def _broadcast(v: Value, other: Value, shape: tuple) -> Value:
    """``v`` broadcast against ``other`` without arithmetic (which would lose -0.0)."""
    if tuple(v.shape) == tuple(shape):
        return v
    if v.data is not None and _ops.is_static(shape):
        return _derived(np.broadcast_to(v.data, shape).copy(), v.dtype, v)
    return _ops.expand_to(v, _ops.shape_of(other), shape)


def _zeros_like(v: Value) -> Value:
    if v.data is not None:
        return _derived(np.zeros(v.data.shape, v.dtype.numpy), v.dtype, v)
    if _ops.is_static(v.shape):
        return _derived(np.zeros(v.shape, v.dtype.numpy), v.dtype, v)
    zero = _ops.const(0, v.dtype)
    return _ops.expand_to(zero, _ops.shape_of(v), v.shape)


def _derived(data: np.ndarray, dtype: D.DType, *sources: Value) -> Value:
    """Data computed from ``sources``: a Literal (widened by ``_ops.binary``) only if they all
    are. A part of an array the user holds stays a plain Value in every mode, as the same
    part of a model input is a node (see ``_graph.Literal``)."""
    if all(type(v) is Literal for v in sources):
        return _ops.const(data, dtype)
    return Value(dtype, data.shape, data=data)


def _real_float(v: Value) -> Value:
    if v.dtype.kind == "f":
        return v
    return _ops.cast(v, D.DEFAULT_FLOAT)


def pack(data: np.ndarray) -> np.ndarray:
    """NumPy complex data in the model layout: a real array with a trailing dimension of 2."""
    data = np.asarray(data, order="C")
    real = np.float64 if data.dtype == np.complex128 else np.float32
    return data.reshape(data.shape + (1,)).view(real)


def unpack(data: np.ndarray) -> np.ndarray:
    """The inverse of ``pack``."""
    data = np.asarray(data, order="C")
    cplx = np.complex128 if data.dtype == np.float64 else np.complex64
    return data.view(cplx).reshape(data.shape[:-1])
