"""The choke point ``bind`` and typed emitters for the ONNX operators the library uses.

``bind`` decides each node's fate: all inputs concrete -> run it now through onnxruntime (which
is also constant folding inside a trace); any input symbolic -> record a node. Emitters compute
result dtypes eagerly and result shapes lazily (only a recorded node needs them), by the
standard's rules in plain Python.
"""

from __future__ import annotations

import math
import operator
import weakref
from collections.abc import Callable, Sequence

import numpy as np

from . import _dtypes as D
from ._dtypes import DType
from ._executor import ExecutionError, run_node
from ._graph import NODE_NAME_ATTR, Dim, Literal, Value, make_node
from ._numpy_kernels import KERNELS
from ._numpy_kernels import run as run_numpy
from ._opset_forms import PRIVATE_DOMAIN
from ._ort_compat import (
    CAST_VIA,
    NOOP_VALUE,
    ORDERED_UINT64,
    ROW_SPREAD_MAX_COLUMNS,
    SPREAD_NAN_ORDER,
    STRING_GATHER_LAST_AXIS_ONLY,
    TYPED_INPUTS,
    is_float_one,
    noop_but_for_zero_signs,
    noop_in_float32,
    where_keeps_sign_of,
)
from ._value_ranges import SIGNED_WHERE, may_be_negative_zero

__all__ = ["bind", "const", "cast", "broadcast_shapes"]

ShapeFn = Callable[[], Sequence[tuple]]


def bind(op: str, inputs: Sequence[Value | None], out_dtypes: Sequence[DType],
         shape_fn: ShapeFn, attrs: tuple = (), domain: str = "") -> tuple[Value, ...]:
    """Apply ``op``: run it now if every input is concrete, otherwise record it."""
    table = CAST_VIA.get(op)
    if table:
        typed = TYPED_INPUTS.get(op)
        dt = inputs[typed[0] if typed else 0].dtype
        via = table.get(dt)
        if via is not None:
            if op in KERNELS and all(v is None or v.data is not None for v in inputs):
                # computed exactly with NumPy: no detour through another dtype
                outs = run_numpy(op, domain, attrs, [None if v is None else v.data
                                                     for v in inputs])
                if outs is not None:
                    return _concrete(op, outs, out_dtypes)
            return _detour(op, inputs, out_dtypes, shape_fn, attrs, domain, dt, via)
    for v in inputs:
        if v is not None and v.data is None:
            node = make_node(op, inputs, attrs, list(zip(out_dtypes, shape_fn())), domain)
            return node.outputs
    try:
        outs = run_node(op, domain, attrs, inputs, out_dtypes)
    except ExecutionError:
        shape_fn()  # shapes are not checked on the eager path: a shape error explains a failure
        raise
    return _concrete(op, outs, out_dtypes)


def _concrete(op: str, outs, out_dtypes) -> tuple[Value, ...]:
    for dt, o in zip(out_dtypes, outs):
        if o.dtype != dt.numpy:  # a lowering declared the wrong dtype: a library bug
            raise ExecutionError(f"{op} produced {o.dtype}, but {dt.name} was declared")
    return tuple(Value(dt, o.shape, None, 0, None, o) for dt, o in zip(out_dtypes, outs))


def _detour(op, inputs, out_dtypes, shape_fn, attrs, domain, dt, via):
    """Compute ``op`` in another dtype where onnxruntime has no kernel (see _ort_compat)."""
    typed = TYPED_INPUTS.get(op) or range(len(inputs))
    if via == ORDERED_UINT64:
        into, back, via_dt = _uint64_to_ordered, _ordered_to_uint64, D.int64
    else:
        via_dt = via
        into = lambda v: cast(v, via_dt)  # noqa: E731
        back = lambda v: cast(v, dt)  # noqa: E731
    new_inputs = [into(v) if (i in typed and v is not None) else v for i, v in enumerate(inputs)]
    new_out = [via_dt if o is dt else o for o in out_dtypes]
    outs = bind(op, new_inputs, new_out, shape_fn, attrs, domain)
    return tuple(back(o) if odt is dt else o for o, odt in zip(outs, out_dtypes))


_SIGN_BIT = np.array(1 << 63, dtype=np.uint64)


def _uint64_to_ordered(v: Value) -> Value:
    flipped = binary("BitwiseXor", v, const(_SIGN_BIT, D.uint64), D.uint64)
    return cast(flipped, D.int64)


def _ordered_to_uint64(v: Value) -> Value:
    return binary("BitwiseXor", cast(v, D.uint64), const(_SIGN_BIT, D.uint64), D.uint64)


# ---------------------------------------------------------------------------------------------
# shapes


def broadcast_shapes(*shapes: tuple, func: str = "broadcast") -> tuple:
    """The standard's broadcasting rule, on shapes whose entries are ints or Dims."""
    if len(shapes) == 2:  # the common cases of a recorded binary op: one shape, or a scalar
        s0, s1 = shapes  # (or a one-element constant of the other operand's rank)
        if s0 is s1 or not s1:
            return s0
        if not s0:
            return s1
        if len(s0) == len(s1):
            if all(map(operator.is_, s0, s1)):
                return s0
            if all(d == 1 for d in s1):
                return s0
            if all(d == 1 for d in s0):
                return s1
    ndim = max((len(s) for s in shapes), default=0)
    out = []
    for i in range(-ndim, 0):
        dim: int | Dim = 1
        for s in shapes:
            if -i > len(s):
                continue
            d = s[i]
            if d == 1:
                continue
            if dim == 1 or dim == d:
                dim = d
            elif isinstance(dim, int) and isinstance(d, int):
                raise ValueError(
                    f"{func}: shapes {' and '.join(_fmt(s) for s in shapes)} cannot be broadcast"
                )
            elif isinstance(dim, Dim) and isinstance(d, int):
                dim = d  # a known size wins: the runtime checks the unknown one
            elif isinstance(dim, Dim) and isinstance(d, Dim):
                dim = Dim()  # two unrelated unknown sizes: either may be 1
        out.append(dim)
    for s in shapes:  # the result is most often one of the shapes: share that tuple (a chain of
        # elementwise ops then holds one shape object, not one per node for the GC to walk)
        if len(s) == ndim and all(map(operator.is_, s, out)):
            return s
    return tuple(out)


def _fmt(shape) -> str:
    return "(" + ", ".join("?" if isinstance(d, Dim) and d.name is None else str(d)
                           for d in shape) + (",)" if len(shape) == 1 else ")")


def is_static(shape: tuple) -> bool:
    return all(type(d) is int for d in shape)


def size_of(shape: tuple) -> int | None:
    return math.prod(shape) if is_static(shape) else None


# ---------------------------------------------------------------------------------------------
# constants and casts


def const(value, dtype: DType) -> Value:
    """A concrete Value of ``dtype`` from a Python scalar, sequence or NumPy array."""
    data = np.asarray(value, dtype=dtype.numpy)
    return Literal(dtype, data.shape, data=data)


def const_like(value, like: Value) -> Value:
    """A constant of ``like``'s dtype."""
    return const(value, like.dtype)


def i64(values) -> Value:
    return const(values, D.int64)


def cast(v: Value, dtype: DType) -> Value:
    if v.dtype is dtype:
        return v
    return bind("Cast", [v], [dtype], lambda: [v.shape], (("to", dtype.onnx),))[0]


def check_nonzero(sizes: Value, message: str) -> Value:
    """An int64 ``[0]`` that makes the model fail when it runs with a 0 among ``sizes``.

    A symbolic size is assumed to be at least 1 while recording; where a lowering relies on
    that, its result depends on this Value (add it to an index or axes input), so a run with a
    zero size fails in a node named ``message`` instead of giving a wrong result. The check is
    a Gather of index ``min(sizes) == 0`` from a 1-element tensor: O(1) work.
    """
    if sizes.data is not None:
        if not np.all(sizes.data):
            raise ValueError(message)
        return i64([0])
    least = sizes if tuple(sizes.shape) == (1,) else bind(
        "ReduceMin", [sizes], [D.int64], lambda: [(1,)], (("keepdims", 1),))[0]
    empty = cast(binary("Equal", least, i64([0]), D.bool), D.int64)
    return bind("Gather", [i64([0]), empty], [D.int64], lambda: [(1,)],
                (("axis", 0), (NODE_NAME_ATTR, message)))[0]


# ---------------------------------------------------------------------------------------------
# elementwise


def unary(op: str, x: Value, out_dtype: DType | None = None, attrs: tuple = ()) -> Value:
    return bind(op, [x], [out_dtype or x.dtype], lambda: [x.shape], attrs)[0]


def binary(op: str, a: Value, b: Value, out_dtype: DType | None = None,
           attrs: tuple = ()) -> Value:
    if op == "Div" and is_float_one(a, b):
        # onnxruntime's DivMulFusion rewrites Div(1, x) -> Mul(., y) into Div(y, x), one
        # rounding where eager made two; Reciprocal gives Div(1, x)'s bits and is left alone
        return bind("Reciprocal", [b], [out_dtype or b.dtype], lambda: [b.shape], attrs)[0]
    if op in NOOP_VALUE:
        for c, other in ((b, a),) if op in ("Sub", "Div") else ((b, a), (a, b)):
            if other.data is None and len(c.shape) <= len(other.shape) \
                    and (noop_in_float32(c, op) or (
                        other.node is not None and noop_but_for_zero_signs(c, op)
                        and may_be_negative_zero(other))):
                # one more leading axis than the other operand: the pass declines a node
                # whose result would be broadcast, and the axis is squeezed off again
                wide = Literal(c.dtype, (1,) * (len(other.shape) + 1),
                             data=c.data.reshape((1,) * (len(other.shape) + 1)))
                args = [other, wide] if c is b else [wide, other]
                shape = (1, *other.shape)
                out = bind(op, args, [out_dtype or a.dtype], lambda s=shape: [s], attrs)[0]
                return squeeze(out, [0])
    a, b = _full_rank_scalar(a, b.shape), _full_rank_scalar(b, a.shape)
    return bind(op, [a, b], [out_dtype or a.dtype],
                lambda: [broadcast_shapes(a.shape, b.shape)], attrs)[0]


def _full_rank_scalar(c: Value, shape: tuple) -> Value:
    """A one-element Literal ``c`` with as many axes as ``shape``: onnxruntime 1.32 pairs an
    (N, 1) tensor with a 0-d or (1,) one span per row (a 10,000 x 1 float64 Add with a 0-d
    constant takes ~280 us, with a (1, 1) one ~35 us), and that path can keep the other NaN
    of two, or the other zero of a min/max tie. Done whatever ``shape``'s sizes, known or not,
    so that an eager call and the exported model (where the last size may be symbolic) record
    the same graph; and only for Literals, never for an array the user holds, which the
    exported model may take as an input of that shape."""
    data = c.data
    if type(c) is not Literal or data.size != 1 or len(c.shape) >= len(shape):
        return c
    wide = _WIDENED.get(c)
    if wide is None:
        wide = _WIDENED[c] = {}
    out = wide.get(len(shape))
    if out is None:  # one per constant and rank: recorded expressions stay hash-consed
        ones = (1,) * len(shape)
        out = wide[len(shape)] = Literal(c.dtype, ones, data=data.reshape(ones))
    return out


_WIDENED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # constant -> {rank: Value}


# The arithmetic of the composite lowerings, on Values of one dtype.


def add(a: Value, b: Value) -> Value:
    return binary("Add", a, b)


def sub(a: Value, b: Value) -> Value:
    return binary("Sub", a, b)


def mul(a: Value, b: Value) -> Value:
    return binary("Mul", a, b)


def div(a: Value, b: Value) -> Value:
    return binary("Div", a, b)


def row_spread_side(a: Value, b: Value) -> int | None:
    """0 or 1: which of two float operands, one symbolic, has shape (..., 1) against the other's
    (..., C) with the same leading dims and C known and short enough that onnxruntime's per-row
    broadcast is slow (``_ort_compat.ROW_SPREAD_MAX_COLUMNS``); None otherwise."""
    sa, sb = a.shape, b.shape
    if (a.dtype.kind != "f" or len(sa) != len(sb) or len(sa) < 2 or sa[:-1] != sb[:-1]
            or (a.data is not None and b.data is not None)):
        return None
    for side, narrow, wide in ((1, sb[-1], sa[-1]), (0, sa[-1], sb[-1])):
        if narrow == 1 and type(wide) is int and 2 <= wide <= ROW_SPREAD_MAX_COLUMNS:
            return side
    return None


def spread_rows(v: Value, columns: int) -> Value:
    """``v`` of shape (..., 1) repeated along its last axis, by a MatMul with a row of ones
    (``_ort_compat.ROW_SPREAD_MAX_COLUMNS``): exact, but a -0.0 becomes +0.0."""
    ones = const(np.ones((1, columns)), v.dtype)
    return bind("MatMul", [v, ones], [v.dtype], lambda: [v.shape[:-1] + (columns,)])[0]


def spread_binary(op: str, a: Value, b: Value, side: int, out_dtype: DType | None = None
                  ) -> Value:
    """``op(a, b)`` with the operand at ``side`` spread along the last axis first, keeping the
    NaN ``op(a, b)`` keeps of two (``_ort_compat.SPREAD_NAN_ORDER``)."""
    first = SPREAD_NAN_ORDER.get(op, {}).get(a.dtype)  # None: the same NaN in any order
    if first is False:
        return binary(op, a, b, out_dtype)
    if side == 1:
        spread = spread_rows(b, a.shape[-1])
        return binary(op, spread, a, out_dtype) if first else binary(op, a, spread, out_dtype)
    return binary(op, spread_rows(a, b.shape[-1]), b, out_dtype)


def compare(op: str, a: Value, b: Value) -> Value:
    """A comparison (or logical op) ``op`` with a bool result."""
    return binary(op, a, b, D.bool)


def where(cond: Value, a: Value, b: Value, simplify: bool = True) -> Value:
    """``Where(cond, a, b)``, simplified where that is exact (``simplify=False`` keeps the
    branches in place, for callers that arranged them for signed zeros)."""
    shape = broadcast_shapes(cond.shape, a.shape, b.shape)
    inner = b.node
    if simplify and inner is not None and inner.op == "Where" \
            and _negation_of(cond) is inner.inputs[0]:
        # not c ? a : (c ? v : x)  ==  c ? v : a, when x does not widen the result
        c1, v1 = inner.inputs[0], inner.inputs[1]
        if broadcast_shapes(c1.shape, v1.shape, a.shape) == shape:
            return where(c1, v1, a)
    if (tuple(cond.shape) == shape and _is_scalar_const(a, 1) and _is_scalar_const(b, 0)
            and a.dtype.kind in "iuf"):
        return cast(cond, a.dtype)  # c ? 1 : 0 is the condition as a number
    if a.dtype.kind == "f" and cond.node is not None and cond.node.op == "Not":
        cond = negate(cond.node.inputs[0])  # keep onnxruntime from swapping the branches
    a, b = _full_rank_scalar(a, shape), _full_rank_scalar(b, shape)  # a (N, 1) result
    return bind("Where", [cond, a, b], [a.dtype], lambda: [shape])[0]


def _negation_of(cond: Value) -> Value | None:
    """``c`` if ``cond`` is ``Not(c)`` or ``Equal(c, false)``."""
    node = cond.node
    if node is None:
        return None
    if node.op == "Not":
        return node.inputs[0]
    if node.op == "Equal" and node.inputs[1].data is not None \
            and node.inputs[1].data.dtype == np.bool_ and not node.inputs[1].data.any() \
            and node.inputs[1].data.ndim == 0:
        return node.inputs[0]
    return None


def _is_scalar_const(v: Value, value: int) -> bool:
    """``v`` is a constant holding the single value ``value`` (+0.0, not -0.0, for 0)."""
    d = v.data
    return (d is not None and d.size == 1 and d.reshape(()) == value
            and not (d.dtype.kind == "f" and np.signbit(d).any()))


# ---------------------------------------------------------------------------------------------
# shape manipulation


def shape_of(x: Value, start: int = 0, end: int | None = None) -> Value:
    """``x.shape[start:end]`` as a 1-D int64 Value; concrete when those dims are known."""
    dims = x.shape[start:end]
    if is_static(dims):
        return i64(list(dims))
    attrs = (("start", start),) if end is None else (("end", end), ("start", start))
    return bind("Shape", [x], [D.int64], lambda: [(len(dims),)], attrs)[0]


def dim_of(x: Value, axis: int) -> Value:
    """``x.shape[axis]`` as a 1-element int64 Value."""
    axis = axis % len(x.shape) if x.shape else 0
    return shape_of(x, axis, axis + 1)


def shape_value(dims: Sequence) -> Value:
    """A 1-D int64 Value from entries that are ints, Dims of known Values, or 1-elem Values."""
    if all(type(d) is int for d in dims):
        return i64(list(dims))
    parts = [d if isinstance(d, Value) else i64([d]) for d in dims]
    return concat(parts, 0)


def reshape(x: Value, shape: Sequence, out_shape: tuple | None = None) -> Value:
    """Reshape to ``shape`` (ints, possibly one -1, or 1-elem Values for unknown dims)."""
    if all(type(d) is int for d in shape):
        target = tuple(shape)
        if tuple(x.shape) == target:
            return x
        resolved = _resolve_reshape(x.shape, target)
        node = x.node
        if node is not None and node.op not in _RESHAPES and 0 not in target:
            kept = _with_kept_dims(x, 3)
            if kept is not None and tuple(kept.shape) == resolved:
                return kept  # reduce(..., keepdims=False) reshaped back: keepdims=True
        if node is not None and node.op in _RESHAPES and 0 not in target:
            # a reshape of a reshape is a reshape of the original, or the original itself
            inner = node.inputs[0]
            if tuple(inner.shape) == resolved:
                return inner
            if size_of(inner.shape) is not None or -1 not in target:
                x = inner
        # allowzero: a 0 in the target is a zero-size dimension, not "copy the input's".
        attrs = (("allowzero", 1),) if 0 in target else ()
        return bind("Reshape", [x, i64(list(target))], [x.dtype], lambda: [resolved], attrs)[0]
    sv = shape_value(shape)
    shp = out_shape if out_shape is not None else tuple(
        d if type(d) is int else Dim() for d in shape)
    # allowzero: runtime sizes may be 0, which must not mean "copy the input's dimension".
    return bind("Reshape", [x, sv], [x.dtype], lambda: [shp], (("allowzero", 1),))[0]


_RESHAPES = ("Reshape", "Squeeze", "Unsqueeze", "Flatten")
_KEPT_DIMS_ELEMENTWISE = ("Add", "Sub", "Mul", "Div", "Max", "Min")


def _with_kept_dims(v: Value, depth: int) -> Value | None:
    """``v``, a reduction with ``keepdims=0`` over constant axes (or an elementwise operation
    on such reductions of one shape and on scalars), recorded again with ``keepdims=1``: the
    same values with the reduced axes kept as size 1; None for anything else."""
    node = v.node
    if node is None or depth == 0:
        return None
    if node.op.startswith("Reduce") and ("keepdims", 0) in node.attrs:
        axes = node.inputs[1] if len(node.inputs) > 1 else None
        if axes is None or axes.data is None or axes.data.size == 0:
            return None
        x = node.inputs[0]
        reduced = {int(a) % len(x.shape) for a in axes.data.tolist()}
        kept = tuple(1 if i in reduced else d for i, d in enumerate(x.shape))
        attrs = tuple((k, 1 if k == "keepdims" else a) for k, a in node.attrs)
        return bind(node.op, list(node.inputs), [v.dtype], lambda: [kept], attrs)[0]
    if node.op not in _KEPT_DIMS_ELEMENTWISE:
        return None
    parts, shapes = [], set()
    for i in node.inputs:
        if type(i) is Literal and i.data.size == 1 and len(i.shape) <= len(v.shape):
            parts.append(i)  # a scalar (possibly given the other operand's rank by binary)
            continue
        # an array the user holds is not widened (_full_rank_scalar): the reduction recorded
        # with kept dims would meet it on another kernel path than op by op, which keeps
        # another zero of a min/max tie and another NaN of Add/Mul
        lifted = _with_kept_dims(i, depth - 1)
        if lifted is None:
            return None
        parts.append(lifted)
        shapes.add(tuple(lifted.shape))
    if len(shapes) != 1:
        return None
    shape = shapes.pop()
    parts = [_full_rank_scalar(p, shape) for p in parts]
    return bind(node.op, parts, [v.dtype], lambda: [shape], node.attrs)[0]


def _resolve_reshape(in_shape: tuple, target: tuple) -> tuple:
    if -1 not in target:
        return target
    known = size_of(in_shape)
    rest = math.prod(d for d in target if d != -1)
    unknown = [d for d in in_shape if type(d) is not int]
    if known is None and len(unknown) == 1 and rest != 0 and math.prod(
            d for d in in_shape if type(d) is int) == rest:
        return tuple(unknown[0] if d == -1 else d for d in target)  # (N, 1) -> (-1,): N
    if known is None or rest == 0:
        return tuple(Dim() if d == -1 else d for d in target)
    return tuple(known // rest if d == -1 else d for d in target)


def transpose(x: Value, perm: Sequence[int]) -> Value:
    perm = tuple(perm)
    if perm == tuple(range(len(perm))):
        return x
    return bind("Transpose", [x], [x.dtype], lambda: [tuple(x.shape[p] for p in perm)],
                (("perm", perm),))[0]


def unsqueeze(x: Value, axes: Sequence[int]) -> Value:
    """Insert size-1 axes at positions ``axes`` (of the result; non-negative)."""
    axes = sorted(axes)
    if not axes:
        return x

    def shape():
        out = list(x.shape)
        for a in axes:
            out.insert(a, 1)
        return [tuple(out)]

    node = x.node
    if node is not None and node.op == "Squeeze" and tuple(node.inputs[0].shape) == shape()[0]:
        return node.inputs[0]  # the squeezed axes put back: the original
    return bind("Unsqueeze", [x, i64(axes)], [x.dtype], shape)[0]


def squeeze(x: Value, axes: Sequence[int]) -> Value:
    axes = sorted(a % len(x.shape) for a in axes)
    if not axes:
        return x
    return bind("Squeeze", [x, i64(axes)], [x.dtype],
                lambda: [tuple(d for i, d in enumerate(x.shape) if i not in axes)])[0]


def expand(x: Value, shape: tuple) -> Value:
    """Broadcast ``x`` to ``shape`` (ints or Dims; Dims taken from ``like`` Values)."""
    if tuple(x.shape) == tuple(shape):
        return x
    return expand_to(x, shape_value(shape), shape)


def expand_to(x: Value, shape_val: Value, shape: tuple) -> Value:
    if tuple(x.shape) == tuple(shape):
        return x
    if is_static(shape) and 0 in shape and is_static(x.shape):
        return const(np.empty(shape, x.dtype.numpy), x.dtype)  # nothing to compute
    if shape_val.data is not None and 0 in shape_val.data:
        x, shape_val = _zero_sizes_by_slice(x, shape_val.data)
    return bind("Expand", [x, shape_val], [x.dtype], lambda: [tuple(shape)])[0]


def _zero_sizes_by_slice(x: Value, target: np.ndarray) -> tuple[Value, Value]:
    """Make the zero sizes of a constant Expand target with a Slice, expanding by 1 there.

    onnxruntime's ExpandElimination (checked with 1.32) removes an Expand whose constant target
    sizes are all <= 1 where they differ from the input's, taking a 0 for a no-op 1.
    """
    lead = len(target) - len(x.shape)
    axes = [i - lead for i, d in enumerate(target) if d == 0 and i >= lead]
    if not axes:
        return x, i64(target)
    n = len(axes)
    sliced = slice_(x, [0] * n, [0] * n, axes, [1] * n,
                    tuple(0 if i in axes else d for i, d in enumerate(x.shape)))
    ones = [1 if (d == 0 and i >= lead) else int(d) for i, d in enumerate(target)]
    return sliced, i64(ones)


def concat(values: Sequence[Value], axis: int) -> Value:
    values = list(values)
    if len(values) == 1:
        return values[0]

    def shape():
        first = list(values[0].shape)
        sizes = [v.shape[axis] for v in values]
        first[axis] = sum(sizes) if all(type(s) is int for s in sizes) else Dim()
        return [tuple(first)]

    return bind("Concat", values, [values[0].dtype], shape, (("axis", axis),))[0]


def slice_(x: Value, starts, ends, axes, steps, out_shape: tuple) -> Value:
    return bind("Slice", [x, i64(starts), i64(ends), i64(axes), i64(steps)], [x.dtype],
                lambda: [out_shape])[0]


def gather(x: Value, indices: Value, axis: int) -> Value:
    axis = axis % len(x.shape)
    last = len(x.shape) - 1
    if x.dtype is D.string and axis != last and STRING_GATHER_LAST_AXIS_ONLY:
        perm = [i for i in range(len(x.shape)) if i != axis] + [axis]
        out = gather(transpose(x, perm), indices, last)
        k = len(indices.shape)  # the gathered axes are last; put them back at ``axis``
        rest = list(range(last))
        return transpose(out, rest[:axis] + list(range(last, last + k)) + rest[axis:])
    return bind("Gather", [x, indices], [x.dtype],
                lambda: [x.shape[:axis] + tuple(indices.shape) + x.shape[axis + 1:]],
                (("axis", axis),))[0]


def reduce(op: str, x: Value, axes: Sequence[int] | None, keepdims: bool,
           out_dtype: DType | None = None, check: Value | None = None) -> Value:
    """Reduce over ``axes`` (None: all). Opset 18 takes axes as an input for every Reduce*.

    ``check`` (from ``check_nonzero``) is added to the axes, so the reduction runs only after
    the check passed."""
    ndim = len(x.shape)
    axes_t = tuple(range(ndim)) if axes is None else tuple(sorted(a % ndim for a in axes))

    def shape():
        if keepdims:
            return [tuple(1 if i in axes_t else d for i, d in enumerate(x.shape))]
        return [tuple(d for i, d in enumerate(x.shape) if i not in axes_t)]

    if not axes_t:
        # reducing over no axes is the identity
        return x if out_dtype in (None, x.dtype) else cast(x, out_dtype)
    axes_v = i64(list(axes_t)) if check is None else binary("Add", i64(list(axes_t)), check)
    return bind(op, [x, axes_v], [out_dtype or x.dtype], shape,
                (("keepdims", int(keepdims)),))[0]


def where_signed(cond: Value, a: Value, b: Value) -> Value:
    """``Where(cond, a, b)`` that keeps every -0.0 of ``a`` and ``b``.

    onnxruntime's float Where drops the sign of a -0.0 from one of its value inputs, which one
    depending on the shapes (``_ort_compat.where_keeps_sign_of``). When only one branch can
    hold a -0.0, it goes into the input that keeps it (swapping the branches under a negated
    condition if needed); when both can, one private ``SignedWhere`` node (``_opset_forms``).
    """
    inner = b.node
    if inner is not None and inner.op == "Where" and _negation_of(cond) is inner.inputs[0]:
        # not c ? a : (c ? v : x)  ==  c ? v : a, when x does not widen the result and the
        # inner Where gave v with its sign (v holds no -0.0, or sits in the input that keeps it)
        c1, v1, x1 = inner.inputs
        kept = (v1.dtype.kind != "f" or not may_be_negative_zero(v1)
                or where_keeps_sign_of(tuple(c1.shape), tuple(v1.shape), tuple(x1.shape)) == "x")
        if kept and broadcast_shapes(c1.shape, v1.shape, a.shape) == broadcast_shapes(
                cond.shape, a.shape, b.shape):
            return where_signed(c1, v1, a)
    if a.dtype.kind != "f":
        return where(cond, a, b, simplify=False)
    # decided on the shapes ``where`` records (it widens one-element constants to full rank)
    shape = broadcast_shapes(cond.shape, a.shape, b.shape)
    a, b = _full_rank_scalar(a, shape), _full_rank_scalar(b, shape)
    a_may = may_be_negative_zero(a) and not _selects_above_zero(cond, a)
    b_may = may_be_negative_zero(b)
    if not a_may and not b_may:
        return where(cond, a, b, simplify=False)

    def exact(x: Value, x_may: bool, y: Value, y_may: bool) -> bool:
        kept = where_keeps_sign_of(tuple(cond.shape), tuple(x.shape), tuple(y.shape))
        return not (x_may and kept != "x") and not (y_may and kept != "y")

    if exact(a, a_may, b, b_may):
        return where(cond, a, b, simplify=False)
    if exact(b, b_may, a, a_may):
        return where(negate(cond), b, a, simplify=False)
    if cond.node is not None and cond.node.op == "Not":
        cond = negate(cond.node.inputs[0])  # keep onnxruntime from swapping the branches
    return bind(SIGNED_WHERE, [cond, a, b], [a.dtype], lambda: [shape],
                domain=PRIVATE_DOMAIN)[0]



def _selects_above_zero(cond: Value, a: Value) -> bool:
    """Whether ``cond`` holds only where ``a`` is above zero: ``a > c`` (or ``c < a``) with a
    constant ``c >= 0``, or ``a >= c`` with ``c > 0`` (a NaN compares false)."""
    node = cond.node
    if node is None or node.op not in ("Greater", "GreaterOrEqual", "Less", "LessOrEqual"):
        return False
    x, c = node.inputs if node.op.startswith("Greater") else node.inputs[::-1]
    if x is not a or c.data is None or c.data.size != 1 or c.data.dtype.kind != "f":
        return False
    bound = float(c.data.reshape(()))
    return bound > 0 or (bound == 0 and node.op in ("Greater", "Less"))


def negate(cond: Value) -> Value:
    """Logical not, as ``Equal(cond, false)``: for a condition of a Where whose third input
    carries -0.0. onnxruntime's optimizer rewrites ``Where(Not(c), x, y)`` into
    ``Where(c, y, x)``, which would move the -0.0 into the input that loses it. The negation
    of a negation is the condition itself."""
    inner = _negation_of(cond)
    if inner is not None and inner.dtype is D.bool and (inner.node is None
                                                         or inner.node.op != "Not"):
        return inner
    return binary("Equal", cond, const(False, D.bool), D.bool)
