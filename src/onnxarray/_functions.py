"""``function``: code recorded as an ONNX model-local function, one node per call.

A decorated function called on concrete arrays just runs. Called on symbolic arrays, it is
traced once per signature (the dtypes and shapes of its array arguments and the values of the
others) on fresh symbolic inputs, and each call records one node carrying the trace
(``_graph.CALL_ATTR``). Export writes the trace once as a ``FunctionProto`` and each call as a
node calling it, so the model shows the code's structure (Netron draws a function as one box
that opens); ``build(..., inline_functions=True)`` inlines them.

Arrays the function reads from an enclosing scope (closures) become extra inputs of the
``FunctionProto``; such a trace depends on those arrays, so it is kept for no later call, and
equal traces still share one ``FunctionProto`` at export.
"""

from __future__ import annotations

import functools
import re

from ._array_object import Array
from ._caches import LRUCache
from ._control_flow import _run_graph, trace_body
from ._graph import CALL_ATTR, Dim, Graph, Value, make_node

__all__ = ["function"]

DEFAULT_DOMAIN = "onnxarray.functions"


def function(fn=None, /, *, name: str | None = None, domain: str = DEFAULT_DOMAIN):
    """Record ``fn`` as an ONNX local function: ``@function`` or ``@function(name=...,
    domain=...)``.

    Array arguments (also inside tuples and lists) are the function's inputs, other arguments
    are fixed per signature and must be hashable; the result is an array or a tuple or list of
    arrays.
    """
    if fn is None:
        return lambda f: function(f, name=name, domain=domain)
    if not callable(fn):
        raise TypeError(f"function: expected a callable, got {type(fn).__name__}")
    if name is None:
        # Two functions of one name get distinct names at export (see _Emitter.add_function).
        name = re.sub(r"\W", "", getattr(fn, "__name__", "") or "") or "function"
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"function: name must be an identifier, got {name!r}")
    if not isinstance(domain, str) or not domain or domain == "onnxarray" \
            or domain.startswith("ai.onnx") or domain == "com.microsoft":
        raise ValueError(f"function: domain must be a non-empty string other than ONNX's and "
                         f"onnxarray's own, got {domain!r}")
    traces = LRUCache("jit")  # traces per signature, bounded like a jit function's sessions

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        leaves: list[Value] = []
        structure = _flatten((args, tuple(sorted(kwargs.items()))), leaves)
        if all(v.data is not None for v in leaves):
            return fn(*args, **kwargs)
        try:
            key = (structure, tuple((v.dtype, v.shape) for v in leaves))
            hash(key)
        except TypeError:
            raise TypeError(f"function {name}: arguments that are not arrays must be "
                            "hashable") from None
        callee = traces.get(key)
        if callee is None:
            callee = _trace(fn, name, domain, args, kwargs, leaves)
            if not callee.graph.captures:
                callee = traces.put(key, callee)
        inputs = leaves + list(callee.graph.captures)
        node = make_node(name, inputs, ((CALL_ATTR, callee),), _out_types(callee, inputs),
                         domain)
        outs = [Array._new(v) for v in node.outputs]
        if callee.result is Array:
            return outs[0]
        return callee.result(outs)

    return wrapper


def _out_types(callee: _Function, inputs: list[Value]) -> list[tuple]:
    """The call's output types. A size the trace made up (data-dependent, e.g. of a boolean
    mask) is a new unknown size for each call: two calls on different arrays of one signature
    need not agree on it."""
    known = {d for v in inputs for d in v.shape if isinstance(d, Dim)}
    return [(v.dtype, tuple(d if type(d) is int or d in known or d.name is not None
                            or d.expr is not None else Dim() for d in v.shape))
            for v in callee.graph.outputs]


def _flatten(obj, leaves: list):
    """The structure of the arguments with arrays replaced by a marker, arrays collected."""
    if isinstance(obj, Array):
        leaves.append(obj._v)
        return Array
    if isinstance(obj, (tuple, list)):
        return (type(obj), tuple(_flatten(o, leaves) for o in obj))
    return (_Static, type(obj), obj)  # 1, 1.0 and True are different arguments


class _Static:
    """Marks a non-array argument in a flattened structure."""


def _rebuild(structure, it):
    if structure is Array:
        return Array._new(next(it))
    if structure[0] is _Static:
        return structure[2]
    return structure[0](_rebuild(s, it) for s in structure[1])


def _trace(fn, name: str, domain: str, args: tuple, kwargs: dict, leaves: list) -> _Function:
    structure = _flatten((args, tuple(sorted(kwargs.items()))), [])
    result_kind = []

    def body(inputs):
        targs, tkw = _rebuild(structure, iter(inputs))
        out = fn(*targs, **dict(tkw))
        if isinstance(out, Array):
            result_kind.append(Array)
            return [out._v], None
        if isinstance(out, (tuple, list)) and out and all(isinstance(o, Array) for o in out):
            result_kind.append(type(out))
            return [o._v for o in out], None
        raise TypeError(f"function {name}: must return an array or a tuple or list of arrays, "
                        f"got {type(out).__name__}")

    graph, _ = trace_body([(v.dtype, v.shape) for v in leaves], body, hoist=False)
    return _Function(name, domain, graph, result_kind[0])


class _Function:
    """One trace of a decorated function: the callee of its call nodes (hashed by identity)."""

    __slots__ = ("name", "domain", "graph", "result", "__weakref__")

    def __init__(self, name: str, domain: str, graph: Graph, result) -> None:
        self.name = name
        self.domain = domain
        self.graph = graph
        self.result = result  # Array, tuple or list: how the outputs are returned

    def __repr__(self) -> str:
        return f"<function {self.domain}.{self.name}: {self.graph!r}>"

    def protos(self, em, node, ins: list[str], outs: list[str]):
        """One node calling the ``FunctionProto`` of this trace, written once per export."""
        from onnx import helper

        known = em.shared.names.get(id(self))
        if known is None or known[1] is not self or known[2] != em.opset:
            g = self.graph
            nodes, in_names, out_names, domains = em.body(
                list(g.inputs) + list(g.captures), g.outputs, list(g.nodes))
            opsets = [helper.make_opsetid("", em.opset)] + [
                helper.make_opsetid(d, v) for d, v in sorted(domains.items())]
            proto = helper.make_function(self.domain, self.name, in_names, out_names, nodes,
                                         opsets)
            known = (em.add_function(proto), self, em.opset)
            em.shared.names[id(self)] = known
        em.use_domain(self.domain, 1)
        return [helper.make_node(known[0], ins, outs, domain=self.domain)]

    def run(self, arrays):
        """The trace run on concrete data (a call inside an eagerly run control-flow body)."""
        g = self.graph
        n = len(g.inputs)
        env = {id(c): a for c, a in zip(g.captures, arrays[n:])}
        return _run_graph(g, arrays[:n], env)
