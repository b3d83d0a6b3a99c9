"""Control flow that exports: JAX's ``lax`` signatures on ONNX ``If`` and ``Loop``.

``cond``, ``switch``, ``fori_loop``, ``while_loop``, ``scan`` and ``map`` take the same
arguments as ``jax.lax``, so the same code runs on both. A body is recorded once, by calling it
on fresh symbolic arrays; arrays it uses from the enclosing scope stay references to those
values. With symbolic inputs (or a body that reads a symbolic array) the call records an ONNX
``If`` / ``Loop`` node; with concrete ones it runs now, over the recorded body, op by op — the
same operators the exported model runs, so both give the same bits.

Carries, operands and results are pytrees: arrays, Python scalars, and tuples, lists, dicts
(and ``None``) of them. As in JAX a loop carry keeps its dtype and shape on every iteration.
A symbolic dimension in a carry is one size for the whole loop, unknown until the model runs;
the body must give back that same size (the same expression, e.g. ``N``); a result whose size
the recorder could not follow is reshaped to the carry's shape, checked when the model runs.
Python scalars are weakly typed like in JAX: a scalar carry takes the dtype its body produces
when the standard's mixing rules allow it.
"""

from __future__ import annotations

import builtins
import numbers

import numpy as np

from . import _dtypes as D
from . import _ops
from ._array_object import Array, default_dtype_for_scalar
from ._control_flow import apply, run_branch, trace_body
from ._dims import SymbolicDim, graph_dim, size_value
from ._graph import Dim, Graph, Value, make_node
from ._manipulation_functions import flip, reshape

__all__ = ["cond", "switch", "fori_loop", "while_loop", "scan", "map"]


# -- pytrees -----------------------------------------------------------------------------------

_LEAF = ("*",)
_NONE = ("None",)
_KINDS = {bool: "bool", int: "int", float: "float", complex: "complex"}


class _Leaf:
    """A flattened leaf: its Value, its path (for messages) and whether it is a Python scalar."""

    __slots__ = ("value", "path", "weak")

    def __init__(self, value: Value, path: str, weak: bool) -> None:
        self.value = value
        self.path = path
        self.weak = weak


def _leaf_value(x, path: str, func: str, what: str) -> _Leaf:
    if isinstance(x, Array):
        return _Leaf(x._v, path, False)
    if isinstance(x, (bool, int, float, complex)) and not isinstance(x, SymbolicDim):
        dt = default_dtype_for_scalar(x)
        return _Leaf(_ops.const(x, dt), path, True)
    if isinstance(x, SymbolicDim):
        return _Leaf(_ops.reshape(size_value(x), []), path, False)
    if isinstance(x, (np.ndarray, np.generic)) and np.dtype(x.dtype) in D.BY_NUMPY:
        return _Leaf(_ops.const(np.asarray(x), D.BY_NUMPY[np.dtype(x.dtype)]), path, False)
    raise TypeError(f"{func}: {what}{path} must be an array or a Python scalar, got "
                    f"{type(x).__name__}")


def _flatten(tree, func: str, what: str) -> tuple[list[_Leaf], tuple]:
    """Leaves in order (dict keys sorted, like JAX) and a hashable structure."""
    leaves: list[_Leaf] = []

    def walk(t, path):  # recursion depth is the nesting depth of the user's pytree
        if t is None:
            return _NONE
        if isinstance(t, tuple):
            return (type(t), tuple(walk(c, f"{path}[{i}]") for i, c in enumerate(t)))
        if isinstance(t, list):
            return (list, tuple(walk(c, f"{path}[{i}]") for i, c in enumerate(t)))
        if isinstance(t, dict):
            keys = tuple(sorted(t, key=repr))
            return (dict, keys, tuple(walk(t[k], f"{path}[{k!r}]") for k in keys))
        leaves.append(_leaf_value(t, path, func, what))
        return _LEAF

    return leaves, walk(tree, "")


def _unflatten(tree: tuple, values: list):
    it = iter(values)

    def build(t):
        if t == _LEAF:
            return Array._new(next(it))
        if t == _NONE:
            return None
        if t[0] is dict:
            return {k: build(c) for k, c in zip(t[1], t[2])}
        children = [build(c) for c in t[1]]
        if t[0] is list:
            return children
        if t[0] is tuple:
            return tuple(children)
        return t[0](*children)  # a named tuple

    return build(tree)


def _describe(tree: tuple) -> str:
    if tree == _LEAF:
        return "*"
    if tree == _NONE:
        return "None"
    if tree[0] is dict:
        return "{" + ", ".join(f"{k!r}: {_describe(c)}" for k, c in zip(tree[1], tree[2])) + "}"
    inner = ", ".join(_describe(c) for c in tree[1])
    if tree[0] is list:
        return f"[{inner}]"
    return f"({inner}{',' if len(tree[1]) == 1 else ''})"


def _fmt_type(v: Value) -> str:
    return f"{v.dtype.name}[{', '.join(str(d) for d in v.shape)}]"


def _fits(weak: Value, dtype: D.DType) -> bool:
    """A Python scalar (weakly typed) may take ``dtype`` by the standard's mixing rules."""
    kind = weak.dtype.kind
    return (kind == "b" and dtype is D.bool) or (kind == "i" and dtype.kind in "iufc") or (
        kind == "f" and dtype.kind in "fc") or (kind == "c" and dtype.kind == "c")


def _retype(leaf: _Leaf, dtype: D.DType) -> _Leaf:
    data = leaf.value.data
    if dtype.kind in "iu":
        info = np.iinfo(dtype.numpy)
        if not info.min <= int(data) <= info.max:
            return leaf
    return _Leaf(_ops.const(data.astype(dtype.numpy), dtype), leaf.path, False)


def _match_carry(func: str, who: str, ins: list[_Leaf], in_tree: tuple, outs: list[_Leaf],
                 out_tree: tuple) -> list[int]:
    """Check a body's carry output against its input; return the indices of weakly typed
    inputs whose dtype must follow the output (the body is then traced again)."""
    if in_tree != out_tree:
        raise TypeError(f"{func}: {who} must return a carry with the structure of its input "
                        f"{_describe(in_tree)}, got {_describe(out_tree)}")
    promote = []
    for k, (a, b) in enumerate(zip(ins, outs)):
        va, vb = a.value, b.value
        if va.dtype is not vb.dtype:
            if a.weak and not b.weak and _fits(va, vb.dtype):
                promote.append(k)
                continue
            if b.weak and _fits(vb, va.dtype):
                continue  # a Python scalar result takes the carry's dtype
            raise TypeError(f"{func}: {who} changes the dtype of carry{a.path} from "
                            f"{va.dtype.name} to {vb.dtype.name}; a carry keeps its dtype "
                            "(cast with astype)")
        if len(va.shape) != len(vb.shape) or any(
                not (_same_dim(x, y) or _untracked(y)) for x, y in zip(va.shape, vb.shape)):
            raise ValueError(f"{func}: {who} changes the shape of carry{a.path} from "
                             f"{_fmt_type(va)} to {_fmt_type(vb)}; a carry keeps its shape, "
                             "and a symbolic dimension must stay the same size expression")
    return promote


def _same_dim(a, b) -> bool:
    if type(a) is int or type(b) is int:
        return type(a) is type(b) and a == b
    return a == b


def _untracked(d) -> bool:
    """A size the recorder could not follow (an unknown size made by an operation, e.g. a
    reversed slice of a symbolic axis): it may well be the carry's size."""
    return isinstance(d, Dim) and d.name is None and d.expr is None


def _carry_outputs(ins: list[_Leaf], outs: list[_Leaf], inputs: list[Value]) -> list[Value]:
    """The body's carry Values: Python-scalar results cast to their carry's dtype, results of
    untracked sizes reshaped to the carry's shape (which checks the size when the model runs)."""
    values = []
    for a, b, inp in zip(ins, outs, inputs):
        v = b.value
        if v.dtype is not a.value.dtype and b.weak:
            v = _ops.const(v.data.astype(a.value.dtype.numpy), a.value.dtype)
        if any(not _same_dim(x, y) for x, y in zip(a.value.shape, v.shape)):
            v = reshape(Array._new(v), Array._new(inp).shape)._v
        values.append(v)
    return values


def _loop_body(func: str, who: str, init: list[_Leaf], tree: tuple, step, cond_fun=None):
    """Trace a ``Loop`` body, promoting weakly typed carries once if the body asks for it.

    ``step(iteration, carry_values)`` runs the user's function and returns
    ``(carry pytree, extra output Values, info)``; the body's outputs are the condition
    (``cond_fun(carry Values)``, or the incoming one), the carries and the extra (scan) outputs.
    """
    for _ in range(2):
        specs = [(D.int64, ()), (D.bool, ())] + [(leaf.value.dtype, leaf.value.shape)
                                                   for leaf in init]

        def body(inputs, init=init):
            carry, extra, info = step(inputs[0], list(inputs[2:]))
            outs, out_tree = _flatten(carry, func, f"the carry returned by {who}, carry")
            promote = _match_carry(func, who, init, tree, outs, out_tree)
            values = _carry_outputs(init, outs, list(inputs[2:]))
            cond_out = inputs[1]
            if cond_fun is not None and not promote:
                cond_out = cond_fun(values)
            return [cond_out, *values, *extra], (promote, info)

        graph, (promote, info) = trace_body(specs, body, hoist=True)
        if not promote:
            return graph, init, info
        init = list(init)
        for k in promote:
            init[k] = _retype(init[k], graph.outputs[1 + k].dtype)
    raise TypeError(f"{func}: the dtypes of the carry do not settle; give the initial carry "
                    "arrays of the dtypes the body returns")


# -- trip counts and predicates --------------------------------------------------------------


def _scalar_int(x, func: str, what: str) -> tuple[Value, D.DType | None]:
    """A bound or count as a 0-d Value, and its dtype if it was an array."""
    if isinstance(x, Array):
        v = x._v
        if v.dtype not in D.INTEGER:
            raise TypeError(f"{func}: {what} must be an integer, got an array of dtype "
                            f"{v.dtype.name}")
        if v.shape != ():
            raise ValueError(f"{func}: {what} must be a 0-d integer array, got shape "
                             f"{x.shape}")
        return v, v.dtype
    if isinstance(x, SymbolicDim):
        return _ops.reshape(size_value(x), []), None
    if isinstance(x, numbers.Integral) and not isinstance(x, (bool, np.bool_)):
        return _ops.const(int(x), D.int64), None
    raise TypeError(f"{func}: {what} must be an int, a symbolic dimension or a 0-d integer "
                    f"array, got {type(x).__name__}")


def _predicate(pred, func: str) -> Value:
    if isinstance(pred, (bool, np.bool_)):
        return _ops.const(bool(pred), D.bool)
    if not isinstance(pred, Array):
        raise TypeError(f"{func}: the predicate must be a 0-d bool array or a Python bool, "
                        f"got {type(pred).__name__}")
    if pred.dtype is not D.bool:
        raise TypeError(f"{func}: the predicate must be a 0-d bool array, got dtype "
                        f"{pred.dtype.name} (compare it, e.g. x != 0)")
    if pred.ndim != 0:
        raise ValueError(f"{func}: the predicate must be a 0-d bool array, got shape "
                         f"{pred.shape} (reduce it with onnxarray.any or onnxarray.all)")
    return pred._v


def _as_int64(v: Value) -> Value:
    return _ops.cast(v, D.int64)


# -- the public functions ------------------------------------------------------------------------


def fori_loop(lower, upper, body_fun, init_val, *, unroll=None):
    """``body_fun(i, val)`` for ``i`` in ``range(lower, upper)``, starting from ``init_val``.

    ``lower`` and ``upper`` are ints, symbolic dimensions (``x.shape[0]``) or 0-d integer
    arrays; ``i`` is an int64 array, or of the bounds' dtype when they are arrays. Records one
    ONNX ``Loop``. ``unroll`` is accepted for compatibility with JAX and ignored.
    """
    func = "lax.fori_loop"
    if not callable(body_fun):
        raise TypeError(f"{func}: body_fun must be callable, got {type(body_fun).__name__}")
    lo, lo_dt = _scalar_int(lower, func, "lower")
    hi, hi_dt = _scalar_int(upper, func, "upper")
    dts = [d for d in (lo_dt, hi_dt) if d is not None]
    idx_dt = D.result_type_of(dts, func) if dts else D.int64
    if lo.data is not None and hi.data is not None:
        trip = _ops.const(builtins.max(int(hi.data) - int(lo.data), 0), D.int64)
    elif isinstance(upper, SymbolicDim) and lo.data is not None and int(lo.data) == 0:
        trip = hi  # a size is never negative
    else:
        diff = _as_int64(hi)
        if lo.data is None or int(lo.data) != 0:
            diff = _ops.binary("Sub", diff, _as_int64(lo))
        trip = _ops.binary("Max", diff, _ops.const(0, D.int64))
    lo_i = _ops.cast(lo, idx_dt)
    init, tree = _flatten(init_val, func, "init_val")

    def step(iteration, carry):
        if lo_i.data is not None and int(lo_i.data) == 0:
            i = _ops.cast(iteration, idx_dt)
        else:
            i = _ops.binary("Add", _ops.cast(iteration, idx_dt), lo_i)
        return body_fun(Array._new(i), _unflatten(tree, carry)), [], None

    graph, init, _ = _loop_body(func, "body_fun", init, tree, step)
    values = [leaf.value for leaf in init]
    outs = apply("Loop", [trip, None, *values], {"body": graph},
                 [(v.dtype, v.shape) for v in values], func)
    return _unflatten(tree, list(outs))


def while_loop(cond_fun, body_fun, init_val):
    """Repeat ``val = body_fun(val)`` while ``cond_fun(val)`` is true; returns the last ``val``.

    ``cond_fun`` returns a 0-d bool array. Records one ONNX ``Loop`` with no trip count; put a
    cap into ``cond_fun`` (an iteration counter in the carry) when termination is not certain.
    """
    func = "lax.while_loop"
    for name, f in (("cond_fun", cond_fun), ("body_fun", body_fun)):
        if not callable(f):
            raise TypeError(f"{func}: {name} must be callable, got {type(f).__name__}")
    init, tree = _flatten(init_val, func, "init_val")

    def check_pred(p) -> Value:
        if isinstance(p, Array) and (p.dtype is not D.bool or p.ndim != 0):
            kind = TypeError if p.dtype is not D.bool else ValueError
            raise kind(f"{func}: cond_fun must return a 0-d bool array, got "
                       f"{_fmt_type(p._v)}")
        return _predicate(p, f"{func}: cond_fun")

    def step(iteration, carry):
        return body_fun(_unflatten(tree, carry)), [], None

    def next_pred(values):
        return check_pred(cond_fun(_unflatten(tree, values)))

    graph, init, _ = _loop_body(func, "body_fun", init, tree, step, next_pred)
    values = [leaf.value for leaf in init]
    first = next_pred(values)
    outs = apply("Loop", [None, first, *values], {"body": graph},
                 [(v.dtype, v.shape) for v in values], func)
    return _unflatten(tree, list(outs))


def _scan_length(xs_leaves: list[_Leaf], length, func: str):
    """The trip count as (int64 0-d Value, graph dim of the stacked outputs)."""
    n = None
    for leaf in xs_leaves:
        if not leaf.value.shape:
            raise ValueError(f"{func}: xs{leaf.path} must have a leading axis to scan over, "
                             "got a 0-d array")
        d = Array._new(leaf.value).shape[0]
        if n is None:
            n = d
        elif not _equal_sizes(n, d):
            raise ValueError(f"{func}: the arrays of xs must have the same leading size, got "
                             f"{n} and {d} (xs{leaf.path})")
    if length is not None and not isinstance(length, Array):
        if isinstance(length, bool) or not isinstance(length, numbers.Integral):
            raise TypeError(f"{func}: length must be an int or a symbolic dimension, got "
                            f"{type(length).__name__}")
        if n is not None and not _equal_sizes(n, length):
            raise ValueError(f"{func}: length {length} differs from the leading size {n} "
                             "of xs")
        if not isinstance(length, SymbolicDim) and int(length) < 0:
            raise ValueError(f"{func}: length must be >= 0, got {length}")
        n = length
    if n is None and length is None:
        raise ValueError(f"{func}: give xs or length")
    if n is None:  # a 0-d integer array
        v, _ = _scalar_int(length, func, "length")
        if v.data is not None:
            k = int(v.data)
            if k < 0:
                raise ValueError(f"{func}: length must be >= 0, got {k}")
            return _ops.const(k, D.int64), k
        return _as_int64(v), Dim()
    if isinstance(n, SymbolicDim):
        return _ops.reshape(size_value(n), []), graph_dim(n)
    return _ops.const(int(n), D.int64), int(n)


def _equal_sizes(a, b) -> bool:
    try:
        return bool(a == b)
    except TypeError:  # an undecidable comparison of symbolic sizes
        return False


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Loop ``carry, y = f(carry, x)`` over the leading axis of ``xs``; returns the final
    carry and the ``y``s stacked along a new leading axis.

    ``xs`` is a pytree of arrays sharing their leading size (may be symbolic), or None with
    ``length`` given. ``reverse=True`` walks ``xs`` from the end and stacks ``ys`` in the
    order of ``xs``, like JAX. Records one ONNX ``Loop``. ``unroll`` is ignored.
    """
    func = "lax.scan"
    if not callable(f):
        raise TypeError(f"{func}: f must be callable, got {type(f).__name__}")
    init_leaves, tree = _flatten(init, func, "init")
    x_leaves, x_tree = _flatten(xs, func, "xs")
    trip, trip_dim = _scan_length(x_leaves, length, func)

    def step(iteration, carry):
        idx = iteration
        if reverse:
            last = _ops.binary("Sub", trip, _ops.const(1, D.int64))
            idx = _ops.binary("Sub", last, iteration)
        x = [_ops.gather(leaf.value, idx, 0) for leaf in x_leaves]
        out = f(_unflatten(tree, carry), _unflatten(x_tree, x))
        if not isinstance(out, (tuple, list)) or len(out) != 2:
            raise TypeError(f"{func}: f must return a pair (carry, y), got "
                            f"{type(out).__name__}")
        ys, y_tree = _flatten(out[1], func, "y")
        return out[0], [leaf.value for leaf in ys], y_tree

    graph, init_leaves, y_tree = _loop_body(func, "f", init_leaves, tree, step)
    values = [leaf.value for leaf in init_leaves]
    y_values = graph.outputs[1 + len(values):]
    out_types = [(v.dtype, v.shape) for v in values] + [
        (y.dtype, (trip_dim, *y.shape)) for y in y_values]
    outs = apply("Loop", [trip, None, *values], {"body": graph}, out_types, func)
    carry = _unflatten(tree, list(outs[:len(values)]))
    ys = list(outs[len(values):])
    if trip.data is None or int(trip.data) == 0:
        sources = [*values, *(leaf.value for leaf in x_leaves), *graph.captures]
        ys = [_stack_shape(y, trip, sources) for y in ys]
    if reverse:
        ys = [flip(Array._new(y), axis=0)._v for y in ys]
    return carry, _unflatten(y_tree, ys)


def _stack_shape(y: Value, trip: Value, sources: list[Value]) -> Value:
    """``y`` reshaped to its declared (trip, ...) shape, computed from outer values.

    After zero iterations onnxruntime gives a scan output the sizes it can infer from the body
    and 0 for the others; the sizes of a ``y`` come from the carries, ``xs`` or captured
    arrays, whose shapes are known outside the loop. (A no-op when the loop ran.)
    """
    dims = y.shape[1:]
    if y.data is not None or all(type(d) is int for d in dims):
        return y
    where = {}
    for v in sources:
        for axis, d in enumerate(v.shape):
            if type(d) is not int:
                where.setdefault(d, (v, axis))
    parts = [_ops.reshape(trip, [1])]
    for d in dims:
        if type(d) is int:
            parts.append(_ops.i64([d]))
        elif d in where:
            parts.append(_ops.dim_of(*where[d]))
        else:
            return y  # a size computed inside the body
    if y.dtype.kind == "c":
        parts.append(_ops.i64([2]))
    shape = _ops.concat(parts, 0)
    return _ops.bind("Reshape", [y, shape], [y.dtype], lambda: [y.shape],
                     (("allowzero", 1),))[0]


def map(f, xs, *, batch_size=None):  # noqa: A001 - JAX's name
    """``f`` applied to each slice of ``xs`` along its leading axis, results stacked."""
    if batch_size is not None:
        raise ValueError("lax.map: batch_size is not supported")
    return scan(lambda carry, x: (carry, f(x)), (), xs)[1]


# -- conditionals --------------------------------------------------------------------------------


def _branch(func: str, name: str, fn, operands: list[_Leaf], op_tree: tuple):
    """Trace one branch on stand-ins for the operands: (Graph, output leaves, structure)."""
    if not callable(fn):
        raise TypeError(f"{func}: {name} must be callable, got {type(fn).__name__}")
    specs = [(leaf.value.dtype, leaf.value.shape) for leaf in operands]

    def body(inputs):
        out = fn(*_unflatten(op_tree, list(inputs)))
        leaves, tree = _flatten(out, func, f"the result of {name}, output")
        return [leaf.value for leaf in leaves], (leaves, tree)

    bound = tuple(leaf.value for leaf in operands)
    graph, (leaves, tree) = trace_body(specs, body, hoist=False, bound=bound)
    return graph, leaves, tree


def _merge_branches(func: str, names: list[str], traced: list) -> tuple[list, list]:
    """Check that branches agree in structure and dtype; give their graphs (Python-scalar
    results cast to the other branches' dtype) and the If's output types."""
    _, leaves0, tree0 = traced[0]
    for name, (_, _leaves, tree) in zip(names[1:], traced[1:]):
        if tree != tree0:
            raise TypeError(f"{func}: {names[0]} and {name} must return the same structure, "
                            f"got {_describe(tree0)} and {_describe(tree)}")
    out_types = []
    dtypes = []
    for k in range(len(leaves0)):
        column = [t[1][k] for t in traced]
        strong = [leaf.value.dtype for leaf in column if not leaf.weak]
        dt = strong[0] if strong else column[0].value.dtype
        for name, leaf in zip(names, column):
            v = leaf.value
            if v.dtype is not dt and not (leaf.weak and _fits(v, dt)):
                raise TypeError(f"{func}: the branches disagree on the dtype of output"
                                f"{leaf.path}: {names[0]} gives {column[0].value.dtype.name}"
                                f", {name} gives {v.dtype.name}")
        shapes = [leaf.value.shape for leaf in column]
        if len({len(s) for s in shapes}) != 1:
            raise ValueError(f"{func}: the branches disagree on the rank of output"
                             f"{column[0].path}: " + ", ".join(
                                 f"{n} gives {_fmt_type(leaf.value)}"
                                 for n, leaf in zip(names, column)))
        shape = tuple(s0 if all(_same_dim(s0, s[i]) for s in shapes) else Dim()
                      for i, s0 in enumerate(shapes[0]))
        dtypes.append(dt)
        out_types.append((dt, shape))
    graphs = []
    for graph, leaves, _ in traced:
        outs = tuple(_ops.const(leaf.value.data.astype(dt.numpy), dt)
                     if leaf.value.dtype is not dt else leaf.value
                     for leaf, dt in zip(leaves, dtypes))
        if outs != graph.outputs:
            graph = Graph(graph.inputs, outs, graph.nodes, graph.captures, graph.bound)
        graphs.append(graph)
    return graphs, out_types


def _operands(operands: tuple, func: str):
    leaves, tree = _flatten(tuple(operands), func, "operands")
    return leaves, tree


def cond(pred, true_fun, false_fun, *operands):
    """``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``.

    ``pred`` is a 0-d bool array (or a Python bool). Both branches are recorded and must
    return the same structure and dtypes; a symbolic ``pred`` records one ONNX ``If`` whose
    branches run only when taken, so a branch may guard work that would fail in the other.
    """
    func = "lax.cond"
    p = _predicate(pred, func)
    leaves, tree = _operands(operands, func)
    names = ["true_fun", "false_fun"]
    traced = [_branch(func, n, fn, leaves, tree) for n, fn in zip(names, (true_fun, false_fun))]
    graphs, out_types = _merge_branches(func, names, traced)
    out_tree = traced[0][2]
    if p.data is not None:
        k = 0 if bool(p.data) else 1
        return _taken(func, graphs[k], (true_fun, false_fun)[k], operands, out_types, out_tree)
    outs = apply("If", [p], {"then_branch": graphs[0], "else_branch": graphs[1]}, out_types,
                 func)
    return _unflatten(out_tree, list(outs))


def _taken(func: str, graph: Graph, fn, operands: tuple, out_types, out_tree):
    """The branch chosen by a concrete predicate: run now if all concrete, else record it
    inline (no ``If`` is needed)."""
    if not graph.captures and all(b.data is not None for b in graph.bound):
        return _unflatten(out_tree, run_branch(graph, out_types, func))
    out = fn(*operands)
    leaves, _ = _flatten(out, "lax", "output")
    values = [leaf.value if leaf.value.dtype is dt else _ops.cast(leaf.value, dt)
              for leaf, (dt, _) in zip(leaves, out_types)]
    return _unflatten(out_tree, values)


def switch(index, branches, *operands):
    """``branches[index](*operands)``, the index clamped to the valid range like JAX.

    ``index`` is a 0-d integer array or an int. A symbolic index records a chain of ONNX
    ``If`` nodes (``index <= 0``, ``index <= 1``, ...), each branch run only when taken.
    """
    func = "lax.switch"
    branches = list(branches)
    if not branches:
        raise ValueError(f"{func}: needs at least one branch")
    idx, _ = _scalar_int(index, func, "index")
    leaves, tree = _operands(operands, func)
    names = [f"branches[{k}]" for k in range(len(branches))]
    traced = [_branch(func, n, fn, leaves, tree) for n, fn in zip(names, branches)]
    graphs, out_types = _merge_branches(func, names, traced)
    out_tree = traced[0][2]
    if idx.data is not None:
        k = builtins.min(builtins.max(int(idx.data), 0), len(branches) - 1)
        return _taken(func, graphs[k], branches[k], operands, out_types, out_tree)
    if len(branches) == 1:
        return _taken(func, graphs[0], branches[0], operands, out_types, out_tree)
    idx = _as_int64(idx)
    rest = graphs[-1]
    for k in range(len(branches) - 2, -1, -1):
        pred = _ops.binary("LessOrEqual", idx, _ops.const(k, D.int64), D.bool)
        if k == 0:
            outs = apply("If", [pred], {"then_branch": graphs[0], "else_branch": rest},
                         out_types, func)
            break
        rest = _if_graph(pred, graphs[k], rest, out_types)
    return _unflatten(out_tree, list(outs))


def _if_graph(pred: Value, then: Graph, other: Graph, out_types) -> Graph:
    """A branch graph holding one ``If`` node (the next link of a ``switch`` chain)."""
    node = make_node("If", [pred], (("else_branch", other), ("then_branch", then)), out_types)
    captures = {}
    for g in (then, other):
        for v in (*g.captures, *g.bound):
            if v.data is None:
                captures.setdefault(id(v), v)
    captures.setdefault(id(pred), pred)
    return Graph((), node.outputs, (node,), tuple(captures.values()))
