"""Small emitters shared by the eig modules (``_linalg_eig``, ``_linalg_eig_chase``): ONNX
nodes with declared float64 / int64 results, and one ``Loop`` from a Python body."""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops
from ._control_flow import apply, trace_body
from ._graph import Dim, Value

F = D.float64
I64 = D.int64
EPS = float(np.finfo(np.float64).eps)


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


def _rsz(x: Value, sz, dims: tuple) -> Value:
    """Reshape to ``dims`` (ints and the size names of ``_Sizes.shape``); sizes may be 0 (an
    exported model run on empty matrices), so a 0 is a size, not "copy the input's"."""
    out = sz.dims(*(Dim() if d in ("2n", "n*n") else d for d in dims))
    return _node("Reshape", [x, sz.shape(*dims)], x.dtype, out, allowzero=1)


def _rs0(x: Value, shape: list, out: tuple) -> Value:
    """Reshape to the constant ``shape``, where 0 keeps the size of the same axis of ``x``
    (no -1: it cannot be inferred from an empty batch)."""
    assert -1 not in shape
    return _node("Reshape", [x, _i(shape)], x.dtype, out)


def _ge(x: Value, idx: Value, axis: int) -> Value:
    return _node("GatherElements", [x, idx], x.dtype, idx.shape, axis=axis)


def _scatter(x: Value, idx: Value, upd: Value, axis: int) -> Value:
    return _node("ScatterElements", [x, idx, upd], x.dtype, x.shape, axis=axis)


def _expand(x: Value, shape: Value, out: tuple) -> Value:
    return _node("Expand", [x, shape], x.dtype, out)


def _range(n: Value) -> Value:
    return _node("Range", [_i(0), n, _i(1)], I64, (Dim(),))


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
