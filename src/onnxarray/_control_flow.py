"""Control-flow nodes (ONNX ``Loop`` and ``If``): record them, or run them now.

``trace_body`` records a body by calling a Python function on fresh symbolic ``BodyInput``s
inside a recording scope; the result is a ``Graph`` (see ``_graph``). ``apply`` is the choke
point for control flow, like ``_ops.bind`` for plain operators: when every input is concrete and
the subgraphs read no symbolic outer value, the node runs now, in Python, by interpreting its
recorded subgraphs node by node on concrete data — each node runs as the same operator the
exported model runs, so eager and exported results agree bit for bit. Otherwise the node is
recorded.

Inside the interpreter every tensor is in its graph layout: a complex value is a real array
with a trailing dimension of 2 (see ``_complex``).
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable, Sequence

import numpy as np

from . import _dtypes as D
from ._complex_parts import pack, unpack
from ._dtypes import DType
from ._executor import run_node
from ._graph import CALL_ATTR, BodyInput, Graph, Value, body_graph, make_node, recording_scope

__all__ = ["trace_body", "apply", "run_branch"]

_ids = itertools.count()


class _BodyFailure(Exception):
    """onnxruntime refused a node of a body on concrete data (bad data, e.g. an index)."""

    def __init__(self, op: str, detail: str) -> None:
        self.op = op
        self.detail = detail.split("Status Message:")[-1].strip()


def _failure(func: str, f: _BodyFailure) -> Exception:
    """The standard exception for a failed body: an IndexError for a bad index, else a
    ValueError, naming the function and the operator."""
    kind = IndexError if "index" in f.detail.lower() else ValueError
    return kind(f"{func}: {f.op} failed while running the body on concrete data: {f.detail}")


def trace_body(specs: Sequence[tuple[DType, tuple]], fn: Callable, *, hoist: bool,
               bound: Sequence[Value] = ()) -> tuple[Graph, object]:
    """Call ``fn(inputs)`` on fresh symbolic inputs of ``specs`` (dtype, shape) and record it.

    ``fn`` returns ``(output Values, extra)``; ``extra`` (e.g. the output pytree structure) is
    passed back. Everything ``fn`` computes from the inputs is recorded in the body.
    """
    inputs = tuple(BodyInput(dt, tuple(shape), name=f"body_in{next(_ids)}")
                   for dt, shape in specs)
    with recording_scope() as requested:
        outputs, extra = fn(inputs)
    graph = body_graph(inputs, tuple(outputs), requested, hoist=hoist, bound=bound)
    return graph, extra


def _is_eager(inputs, graphs) -> bool:
    return all(v is None or v.data is not None for v in inputs) and all(
        not g.captures and all(b.data is not None for b in g.bound) for g in graphs)


def apply(op: str, inputs: Sequence[Value | None], graphs: dict[str, Graph],
          out_types: Sequence[tuple[DType, tuple]], func: str) -> tuple[Value, ...]:
    """Run a ``Loop`` / ``If`` now when it is all concrete, otherwise record it."""
    attrs = tuple(sorted(graphs.items()))
    if not _is_eager(inputs, graphs.values()):
        return make_node(op, inputs, attrs, out_types).outputs
    env: dict[int, np.ndarray] = {}
    data = [None if v is None else _layout(v) for v in inputs]
    try:
        outs = _RUNNERS[op](dict(attrs), data, env, out_types)
    except _BodyFailure as f:
        raise _failure(func, f) from None
    return tuple(_concrete(o, dt) for o, (dt, _) in zip(outs, out_types))


def run_branch(graph: Graph, out_types: Sequence[tuple[DType, tuple]],
               func: str) -> list[Value]:
    """Run a branch whose operands are all concrete and which reads no symbolic value."""
    env: dict[int, np.ndarray] = {}
    try:
        outs = _run_graph(graph, [_layout(b) for b in graph.bound], env)
    except _BodyFailure as f:
        raise _failure(func, f) from None
    return [_concrete(o, dt) for o, (dt, _) in zip(outs, out_types)]


# -- the interpreter ----------------------------------------------------------------------------


def _real(dt: DType) -> DType:
    return D.real_dtype_of(dt) if dt.kind == "c" else dt


def _layout(v: Value) -> np.ndarray:
    """Concrete data in graph layout (complex as a real array with a trailing 2)."""
    data = v.data
    if data.dtype.kind == "c":
        return pack(data)
    return data


def _concrete(data: np.ndarray, dt: DType) -> Value:
    if dt.kind == "c":
        data = unpack(data)
    return Value(dt, data.shape, data=data)


def _fetch(v: Value, env: dict) -> np.ndarray:
    if v.data is not None:
        return _layout(v)
    return env[id(v)]


def _program(graph: Graph) -> list[tuple]:
    """The graph's nodes prepared for running: per node its runner (None for a plain
    operator), its inputs (a constant in graph layout, or the id of a Value computed before)
    with their real dtypes, and its outputs. Computed once per graph."""
    prog = _programs.get(graph)
    if prog is not None:
        return prog
    prog = []
    for node in graph.nodes:
        runner = _RUNNERS.get(node.op) if any(
            isinstance(a, Graph) for _, a in node.attrs) else _call_runner(node)
        ins = tuple(None if v is None else (
            (True, _layout(v)) if v.data is not None else (False, id(v))) for v in node.inputs)
        in_dtypes = tuple(None if v is None else _real(v.dtype) for v in node.inputs)
        outs = tuple(id(o) for o in node.outputs)
        prog.append((node, runner, ins, in_dtypes, [_real(o.dtype) for o in node.outputs],
                     [(o.dtype, o.shape) for o in node.outputs], outs))
    _programs[graph] = prog
    return prog


_programs: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _run_graph(graph: Graph, args: Sequence[np.ndarray], env: dict) -> list[np.ndarray]:
    for v, a in zip(graph.inputs, args):
        env[id(v)] = a
    for node, runner, ins, in_dtypes, out_dtypes, out_types, out_ids in _program(graph):
        data = [None if s is None else (s[1] if s[0] else env[s[1]]) for s in ins]
        if runner is not None:
            outs = runner(dict(node.attrs), data, env, out_types)
        else:
            feeds = [None if a is None else Value(dt, (), data=a)
                     for dt, a in zip(in_dtypes, data)]
            try:
                outs = run_node(node.op, node.domain, node.attrs, feeds, out_dtypes)
            except Exception as exc:  # noqa: BLE001 - re-raised with the body's context
                raise _BodyFailure(node.op, str(exc)) from None
        for i, a in zip(out_ids, outs):
            env[i] = a
    return [_fetch(v, env) for v in graph.outputs]


def _run_if(attrs: dict, ins: list, env: dict, out_types) -> list[np.ndarray]:
    branch = attrs["then_branch"] if bool(ins[0]) else attrs["else_branch"]
    return _run_graph(branch, [_fetch(b, env) for b in branch.bound], env)


def _run_loop(attrs: dict, ins: list, env: dict, out_types) -> list[np.ndarray]:
    body: Graph = attrs["body"]
    trip, cond, carried = ins[0], ins[1], list(ins[2:])
    n_carried = len(carried)
    trips = None if trip is None else int(trip)
    go = True if cond is None else bool(cond)
    cond_data = np.array(True) if cond is None else cond
    scans: list[list[np.ndarray]] = [[] for _ in body.outputs[1 + n_carried:]]
    i = 0
    while go and (trips is None or i < trips):
        outs = _run_graph(body, [np.array(i, np.int64), cond_data, *carried], env)
        cond_data, carried = outs[0], outs[1:1 + n_carried]
        for acc, y in zip(scans, outs[1 + n_carried:]):
            acc.append(y)
        go = bool(cond_data)
        i += 1
    stacked = []
    for acc, y in zip(scans, body.outputs[1 + n_carried:]):
        if acc:
            if any(a.shape != acc[0].shape for a in acc):
                shapes = sorted({a.shape for a in acc})
                raise _BodyFailure("Loop", f"a stacked output changes shape between iterations "
                                   f"({shapes[0]} and {shapes[-1]}); stacked outputs need "
                                   "one shape (pad them to a fixed size)")
            stacked.append(np.stack(acc))
        else:
            dims = [d if type(d) is int else 0 for d in y.shape]
            if y.dtype.kind == "c":
                dims.append(2)
            stacked.append(np.zeros([0, *dims], _real(y.dtype).numpy))
    return [*carried, *stacked]


def _call_runner(node):
    """The runner of a call of an imported model or a local function (``CALL_ATTR``)."""
    if not any(k == CALL_ATTR for k, _ in node.attrs):
        return None

    def run(attrs: dict, ins: list, env: dict, out_types) -> list[np.ndarray]:
        try:
            return attrs[CALL_ATTR].run(ins)
        except (TypeError, ValueError, IndexError) as exc:
            raise _BodyFailure(node.op, str(exc)) from None

    return run


_RUNNERS = {"If": _run_if, "Loop": _run_loop}
