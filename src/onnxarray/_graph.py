"""The recorder: immutable values and hash-consed nodes. No onnx import, no graph object.

A ``Value`` is concrete (it holds a NumPy array), a graph input (it has a name) or the output
of a node. A node with one output (nearly every op) is that output: a ``NodeValue``, whose
``node`` is itself; a node with several outputs is a ``Node``. Nodes are built through a cache
keyed on (op, domain, inputs, attributes): identical sub-expressions are the same object, and
nodes that nothing references are freed (by the next full collection at the latest). A
recorded op leaves one object for the cyclic garbage collector to walk, so tracing time grows
linearly with the length of a trace. Walks are iterative so chains of any length work.

A node may carry ``Graph`` attributes (``Loop`` bodies, ``If`` branches): a body recorded on
fresh ``BodyInput``s inside a ``recording_scope``, which ``body_graph`` cuts out of the trace.
Walks follow a node's subgraph captures as well as its inputs (``dependencies``).
"""

from __future__ import annotations

import gc
import itertools
import sys
import threading
import weakref
from _weakref import _remove_dead_weakref
from collections.abc import Iterable, Sequence

from ._dtypes import DType

__all__ = ["Dim", "Value", "Literal", "BodyInput", "Node", "NodeValue", "Graph", "make_node",
           "topological_order", "dependencies", "recording_scope", "body_graph",
           "NODE_NAME_ATTR", "CALL_ATTR"]

_counter = itertools.count()
# A node attribute that is not an ONNX attribute: export names the node with its value (a
# message) and drops it, so that a run-time check failing in that node says why (see
# _ops.check_nonzero).
NODE_NAME_ATTR = "onnxarray.node_name"
# A node attribute that is not an ONNX attribute: a call of an imported model (``from_onnx``) or
# of a local function (``function``). Its value is the callee, hashed by identity, with two
# methods: ``protos(emitter, node, ins, outs)`` gives the node's NodeProtos at export, and
# ``run(arrays)`` computes it on concrete data (an eagerly run control-flow body).
CALL_ATTR = "onnxarray.call"


class Dim:
    """A dimension whose size is not known when recording.

    Named dims come from ``argument(shape=("N", ...))`` and compare equal by name; anonymous dims
    (data-dependent sizes) are equal only to themselves; derived dims (arithmetic on dims, see
    ``_dims``) are equal when their canonical expressions are. ``low`` is the smallest size the
    dim is assumed to have when Python code compares it: 1 for argument dims, 0 otherwise.
    """

    __slots__ = ("name", "key", "low", "expr")

    def __init__(self, name: str | None = None, *, key=None, low: int = 0, expr=None) -> None:
        self.name = name
        self.key = key if key is not None else (("n", name) if name is not None
                                                else ("a", next(_counter)))
        self.low = low
        self.expr = expr  # derived dims: (polynomial, atoms) of the expression

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, Dim) and self.key == other.key)

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        if self.name is not None:
            return self.name
        return f"?{self.key[1]}" if self.key[0] == "a" else "?"


Shape = tuple  # tuple[int | Dim, ...]


class Value:
    """One array in a trace: concrete data, a graph input, or output ``index`` of ``node``."""

    __slots__ = ("dtype", "shape", "node", "index", "name", "data", "__weakref__")

    def __init__(self, dtype: DType, shape: Shape, node=None, index=0, name=None, data=None):
        self.dtype = dtype
        self.shape = shape
        self.node = node
        self.index = index
        self.name = name
        self.data = data

    @property
    def is_concrete(self) -> bool:
        return self.data is not None

    def __repr__(self) -> str:
        dims = ", ".join(map(repr, self.shape))
        what = "const" if self.data is not None else (self.name or f"{self.node.op}#{self.index}")
        return f"Value<{what}: {self.dtype.name}[{dims}]>"


class Literal(Value):
    """A constant a lowering or a Python scalar operand made: never an array the user holds.

    Only these are widened to the other operand's rank (``_ops._full_rank_scalar``). An array
    the user holds may stand, in the same code exported, for a model input of the same shape,
    which no lowering can widen; ``Array._new`` turns a Literal into a plain Value, so eager
    calls, plans and exported models record the same operand shapes."""

    __slots__ = ()


class BodyInput(Value):
    """A formal input of a subgraph: the fresh symbolic Value a body is traced on."""

    __slots__ = ()


class Graph:
    """A subgraph attribute (a ``Loop`` body, an ``If`` branch).

    ``nodes`` are the body's own nodes, producers first; ``captures`` are the Values of the
    enclosing scopes they read (ONNX outer-scope references: nothing is copied); ``bound`` are
    the outer Values an ``If`` branch's ``inputs`` stand for (ONNX branches have no inputs).
    Hashed by identity, so a node carrying it stays hash-consed.
    """

    __slots__ = ("inputs", "outputs", "nodes", "captures", "bound", "__weakref__")

    def __init__(self, inputs: tuple, outputs: tuple, nodes: tuple, captures: tuple,
                 bound: tuple = ()) -> None:
        self.inputs = inputs
        self.outputs = outputs
        self.nodes = nodes
        self.captures = captures
        self.bound = bound

    def __repr__(self) -> str:
        return (f"Graph<{len(self.inputs)} inputs, {len(self.nodes)} nodes, "
                f"{len(self.outputs)} outputs>")


class Node:
    """One ONNX operator application with several outputs, each a ``Value`` whose ``node`` is
    this one. Attributes are a sorted tuple of (name, value) pairs.

    A single-output node is a ``NodeValue`` instead: the same attributes on the Value it
    computes."""

    __slots__ = ("op", "domain", "inputs", "attrs", "_out", "__weakref__")

    def __init__(self, op: str, domain: str, inputs: tuple, attrs: tuple) -> None:
        self.op = op
        self.domain = domain
        self.inputs = inputs
        self.attrs = attrs
        self._out: tuple[Value, ...] = ()

    @property
    def outputs(self) -> tuple[Value, ...]:
        return self._out

    @outputs.setter
    def outputs(self, values) -> None:
        self._out = tuple(values)

    def __repr__(self) -> str:
        return f"Node<{self.op}>"


class NodeValue(Value):
    """The output of a single-output node, and that node: ``v.node is v``, with the node's
    ``op``, ``domain``, ``inputs``, ``attrs`` and ``outputs == (v,)``.

    Most recorded ops have one output. As one object, without a tuple of inputs for the common
    arities (one or two inputs are held in slots), a recorded op leaves a single object that
    the cyclic garbage collector tracks, where a Node, its Value, its inputs tuple and a weak
    cache entry were four: every full collection walks them all, so their number per op set how
    tracing time grew with the length of a trace. Nothing points back to the object, so it is
    freed as soon as nothing refers to it (see ``_NodeCache``)."""

    __slots__ = ("op", "domain", "attrs", "_n", "_in", "_in2")

    # A Value's own fields, constant here (class attributes take precedence over the slots).
    index = 0
    name = None
    data = None

    def __init__(self, op: str, domain: str, inputs: tuple, attrs: tuple, dtype: DType,
                 shape: Shape) -> None:
        self.dtype = dtype
        self.shape = shape
        self.op = op
        self.domain = domain
        self.attrs = attrs
        n = self._n = len(inputs)
        if n == 2:
            self._in, self._in2 = inputs
        elif n == 1:
            self._in = inputs[0]
        else:
            self._in = inputs

    @property
    def node(self) -> NodeValue:
        return self

    @property
    def inputs(self) -> tuple:
        n = self._n
        if n == 2:
            return (self._in, self._in2)
        if n == 1:
            return (self._in,)
        return self._in

    @property
    def outputs(self) -> tuple[Value]:
        return (self,)


class _KeyedRef(weakref.ref):
    """A weak reference to a cached node that knows its cache key (as ``weakref.KeyedRef``,
    but made by the C constructor alone)."""

    __slots__ = ("key",)


class _NodeCache:
    """key -> node, the hash-consing cache of ``make_node``.

    Single-output nodes (``NodeValue``s, nearly every recorded op) are held strongly: a weak
    reference is one more object per node for the cyclic garbage collector to walk. An entry
    that nothing else refers to is dropped by ``prune``, which runs when the entries have
    doubled since the last pruning (amortised O(1) per recorded op) and after every full
    collection of the garbage collector, so a trace nobody refers to any more is freed as it
    was when the cache was weak: by the next full collection at the latest. Nodes with several
    outputs (rare) are held weakly; their outputs refer back to them, so only the collector
    frees them.
    """

    __slots__ = ("data", "weak", "_remove", "_limit", "_probe")

    MIN_LIMIT = 1024

    def __init__(self) -> None:
        self.data: dict = {}
        weak: dict = {}
        self.weak = weak
        self._limit = self.MIN_LIMIT
        # an object referred to by one dict only, as an entry nothing else refers to: the
        # reference count such an entry shows where ``prune`` looks at it
        self._probe = {None: object()}

        def remove(ref: _KeyedRef, _remove_dead=_remove_dead_weakref) -> None:
            # called by the collector, maybe in another thread: removes the entry only if it
            # still holds this dead reference (a new node may have taken the key since)
            _remove_dead(weak, ref.key)

        self._remove = remove

    def get(self, key, n_outputs: int = 1):
        if n_outputs == 1:
            return self.data.get(key)
        ref = self.weak.get(key)
        return None if ref is None else ref()

    def put(self, key, node) -> None:
        if type(node) is NodeValue:
            data = self.data
            data[key] = node
            if len(data) >= self._limit:
                self.prune()
        else:
            ref = _KeyedRef(node, self._remove)
            ref.key = key
            self.weak[key] = ref

    def prune(self, getrefcount=sys.getrefcount) -> None:
        """Drop the strongly held entries that nothing else refers to, and what only they
        held. Safe while other threads record (or the collector runs this in the middle of a
        recording): every step is one dict operation, and a node another thread takes from
        the cache between the check and the removal merely stops being shared."""
        data, probe = self.data, self._probe
        # A quick look first, at C speed (one call: no other thread runs meanwhile): is any
        # entry referred to by the cache alone, as the probe is?
        alone = next(map(getrefcount, probe.values()))
        try:
            found = alone in map(getrefcount, data.values())
        except RuntimeError:  # changed meanwhile (a build without the global interpreter lock)
            found = True
        if found:
            # Newest first: a node enters the cache after its inputs, so freeing a consumer
            # releases its inputs before their turn comes, and one pass frees a whole chain.
            get, probe_get = data.get, probe.get
            alone = getrefcount(probe_get(None))
            for key in reversed(list(data)):
                if getrefcount(get(key)) == alone:
                    data.pop(key, None)
        self._limit = max(self.MIN_LIMIT, 2 * len(data))

    def __len__(self) -> int:
        return len(self.data) + len(self.weak)


_NODE_CACHE = _NodeCache()


def _after_collection(phase: str, info: dict, cache: _NodeCache = _NODE_CACHE) -> None:
    """After a full collection (which may have freed what kept cached nodes alive), drop the
    cache entries nothing refers to any more."""
    if phase == "stop" and info.get("generation") == 2:
        cache.prune()


gc.callbacks.append(_after_collection)

# Operators whose results differ between runs must never be shared.
NONDETERMINISTIC = frozenset({"RandomNormal", "RandomUniform", "RandomNormalLike",
                              "RandomUniformLike", "Multinomial", "Bernoulli"})


def make_node(op: str, inputs: Sequence[Value | None], attrs: tuple,
              out_types: Sequence[tuple[DType, Shape]], domain: str = ""):
    """Return the node for (op, inputs, attrs), reusing an identical one if it exists: a
    ``NodeValue`` when the node has one output, else a ``Node``.

    The cache key names the inputs by ``id``: while a cached node lives it holds its inputs, so
    their ids cannot be reused by other objects. A key of strings and ints is a tuple that the
    cyclic garbage collector stops tracking; a key holding the Values stayed tracked, one more
    object per node that every full collection walks, which made tracing superlinear."""
    inputs = tuple(inputs)
    n = len(inputs)  # the common arities spelled out: the key is built on every recorded op
    n_out = len(out_types)
    if n == 2:
        key = (op, domain, attrs, n_out, id(inputs[0]), id(inputs[1]))
    elif n == 1:
        key = (op, domain, attrs, n_out, id(inputs[0]))
    else:
        key = (op, domain, attrs, n_out, *map(id, inputs))
    shared = op not in NONDETERMINISTIC
    if shared:
        node = _NODE_CACHE.get(key, n_out)
        if node is not None:
            _note(node)
            return node
    if n_out == 1:
        dt, sh = out_types[0]
        node = NodeValue(op, domain, inputs, attrs, dt, sh if type(sh) is tuple else tuple(sh))
    else:
        node = Node(op, domain, inputs, attrs)
        node.outputs = tuple(Value(dt, tuple(sh), node, i)
                             for i, (dt, sh) in enumerate(out_types))
    if shared:
        _NODE_CACHE.put(key, node)
    _note(node)
    return node


# Subgraph recording. While a body is traced, every node it asks for (new or hash-consed) is
# noted in the innermost scope; only such nodes can belong to the body. A stack per thread.
_local = threading.local()


def _note(node: Node) -> None:
    scopes = getattr(_local, "scopes", None)
    if scopes:
        scopes[-1].add(node)


class recording_scope:
    """``with recording_scope() as requested:`` collects the nodes asked for inside."""

    __slots__ = ("requested",)

    def __enter__(self) -> set:
        scopes = _local.__dict__.setdefault("scopes", [])
        self.requested: set = set()
        scopes.append(self.requested)
        return self.requested

    def __exit__(self, *exc) -> None:
        scopes = _local.scopes
        scopes.pop()
        if scopes:  # a nested body's nodes were asked for by the enclosing body too
            scopes[-1] |= self.requested


SUBGRAPH_OPS = frozenset({"Loop", "If", "Scan"})
# Loop-invariant nodes hoisted out of a loop body: only operators that fail on no data. A loop
# that runs zero times on an empty array must not run, say, the Squeeze of ``x[0]``; random
# draws must be drawn on every iteration.
HOISTABLE = frozenset({
    "Shape", "Size", "Cast", "Identity", "Unsqueeze", "Transpose", "Concat", "Slice",
    "ConstantOfShape", "MatMul", "Gemm", "Where", "Add", "Sub", "Mul", "Div", "Neg", "Abs",
    "Max", "Min", "Sqrt", "Exp", "Log", "Sin", "Cos", "Tanh", "Sigmoid", "Reciprocal", "Pow",
    "Floor", "Ceil", "Round", "Sign", "IsNaN", "IsInf", "Not", "And", "Or", "Xor", "Equal",
    "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "BitwiseAnd", "BitwiseOr",
    "BitwiseXor", "BitwiseNot", "ReduceSum", "ReduceSumSquare", "ReduceProd", "ReduceL1",
    "ReduceL2", "CumSum"})


def _hoistable(node: Node) -> bool:
    """Safe to compute once before the loop, even when the loop runs zero times."""
    if node.op not in HOISTABLE:
        return False
    if node.op == "Div":  # an integer division by zero is an error
        return all(o.dtype.kind == "f" for o in node.outputs)
    return True


def dependencies(node: Node) -> tuple:
    """The Values ``node`` reads: its inputs and the outer Values of its subgraphs."""
    if node.op not in SUBGRAPH_OPS:
        return node.inputs
    deps = list(node.inputs)
    for _, a in node.attrs:
        if isinstance(a, Graph):
            deps.extend(a.captures)
            deps.extend(a.bound)
    return tuple(deps)


def body_graph(inputs: Sequence[BodyInput], outputs: Sequence[Value], requested: set, *,
               hoist: bool, bound: Sequence[Value] = ()) -> Graph:
    """The subgraph from ``inputs`` to ``outputs`` among the ``requested`` nodes.

    With ``hoist`` (loop bodies) a node that depends on no input is loop-invariant and stays in
    the enclosing scope, computed once, when its operator cannot fail (``HOISTABLE``); without
    it (``If`` branches) every node the branch asked for stays in the branch, so a branch's
    work is done only when it is taken.
    """
    order = topological_order(outputs, within=requested)
    own = {id(v) for v in inputs}
    members: set[int] = set()
    nodes = []
    for node in order:
        if not hoist or not _hoistable(node) or any(
                d is not None and (id(d) in own or id(d.node) in members)
                for d in dependencies(node)):
            members.add(id(node))
            nodes.append(node)
    captures: dict[int, Value] = {}
    for v in [d for n in nodes for d in dependencies(n)] + list(outputs):
        if v is not None and v.data is None and id(v) not in own \
                and (v.node is None or id(v.node) not in members):
            captures.setdefault(id(v), v)
    return Graph(tuple(inputs), tuple(outputs), tuple(nodes), tuple(captures.values()),
                 tuple(bound))


def topological_order(outputs: Iterable[Value], within: set | None = None) -> list[Node]:
    """Nodes needed for ``outputs``, producers first; an iterative depth-first walk. With
    ``within``, only those nodes are walked (a body's nodes among a trace's).

    The stack holds the nodes themselves: a node stays under its inputs while they are
    walked and is finished when it comes back on top. No object is made per node (a tuple
    per stack entry kept the whole chain's worth alive, enough to start full collections)."""
    order: list[Node] = []
    finished: dict[int, bool] = {}  # id(node) -> whether its inputs are all walked
    stack: list = [v.node for v in outputs if v.node is not None
                   and (within is None or v.node in within)]
    while stack:
        node = stack[-1]
        done = finished.get(id(node))
        if done is None:  # first time on top: walk its inputs first
            finished[id(node)] = False
            for inp in reversed(dependencies(node)):
                if inp is not None:
                    producer = inp.node
                    if producer is not None and id(producer) not in finished \
                            and (within is None or producer in within):
                        stack.append(producer)
            continue
        stack.pop()
        if not done:  # back on top: its inputs are walked (or a duplicate entry of a done one)
            finished[id(node)] = True
            order.append(node)
    return order
