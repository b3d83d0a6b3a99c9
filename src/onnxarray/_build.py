"""From a trace to an ONNX model: ``argument`` makes symbolic inputs, ``build`` exports.

``build`` walks back from the outputs (so dead code never appears), emits nodes in topological
order, turns concrete Values into initializers and named dims into ``dim_param``s.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping

import numpy as np
import onnx
from onnx import helper, numpy_helper

from . import _dtypes as D
from ._array_object import Array, original_argument
from ._complex_parts import pack
from ._dims import dim_text
from ._executor import DEFAULT_OPSET, IR_VERSION, make_attribute
from ._graph import (
    CALL_ATTR,
    NODE_NAME_ATTR,
    NONDETERMINISTIC,
    BodyInput,
    Dim,
    Graph,
    Value,
    topological_order,
)
from ._opset_forms import (
    DOMAIN_VERSIONS,
    OPSET_DEPENDENT,
    PRIVATE_DOMAIN,
    expand,
    min_opset,
)
from ._version import __version__

__all__ = ["argument", "build"]

_arg_ids = itertools.count()


def argument(*, shape, dtype) -> Array:
    """A symbolic input: ``shape`` entries are ints, dimension names (str) or None (unknown)."""
    if isinstance(shape, (str, bytes)) or not isinstance(shape, (tuple, list)):
        raise TypeError(f"argument: shape must be a tuple of ints, str or None, got {shape!r}")
    dims: list[int | Dim] = []
    for d in shape:
        if isinstance(d, bool):
            raise TypeError(f"argument: invalid dimension {d!r} in shape {tuple(shape)}")
        if isinstance(d, int):
            if d < 0:
                raise ValueError(f"argument: dimension sizes must be >= 0, got {d} in "
                                 f"shape {tuple(shape)}")
            dims.append(d)
        elif isinstance(d, str):
            if not d.isidentifier():
                raise ValueError(f"argument: dimension name {d!r} must be an identifier")
            dims.append(Dim(d, low=1))
        elif d is None:
            dims.append(Dim(low=1))
        else:
            raise TypeError(f"argument: invalid dimension {d!r} in shape {tuple(shape)}; use an "
                            "int, a name (str) or None")
    if not isinstance(dtype, D.DType):
        raise TypeError(f"argument: dtype must be an onnxarray dtype, got {dtype!r}")
    if dtype not in D.ACCEPTED:
        raise TypeError(f"argument: dtype {dtype.name} is not supported yet")
    return Array._new(Value(dtype, tuple(dims), name=f"arg{next(_arg_ids)}"))


def _value_info(name: str, v: Value, nested: bool = False) -> onnx.ValueInfoProto:
    """A graph input or output; a complex value is a real tensor with a trailing 2. Inside a
    subgraph (``nested``) symbolic sizes are left unnamed."""
    dims = []
    for d in v.shape:
        if type(d) is int:
            dims.append(d)
        elif nested:
            dims.append(None)
        elif isinstance(d, Dim) and d.name is not None:
            dims.append(d.name)
        elif isinstance(d, Dim) and d.expr is not None and all(
                k[0] == "n" for m in d.expr[0] for k in m):
            dims.append(dim_text(d))  # a size computed from named sizes, e.g. "2*N"
        else:
            dims.append(None)
    if v.dtype.kind == "c":
        return helper.make_tensor_value_info(
            name, D.real_dtype_of(v.dtype).onnx, dims + [2],
            doc_string=f"{v.dtype.name}: (real, imaginary) pairs in the trailing dimension")
    return helper.make_tensor_value_info(name, v.dtype.onnx, dims)


def _check_names(kind: str, mapping) -> None:
    if not isinstance(mapping, Mapping):
        raise TypeError(f"build: {kind} must be a dict of name -> array, got "
                        f"{type(mapping).__name__}")
    for name, arr in mapping.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"build: {kind} names must be non-empty strings, got {name!r}")
        if not isinstance(arr, Array):
            raise TypeError(f"build: {kind}[{name!r}] must be an onnxarray array, got "
                            f"{type(arr).__name__}")


def build(inputs: Mapping[str, Array], outputs: Mapping[str, Array], *,
          opset: int | None = None, allow_unused_inputs: bool = False,
          doc_string: str = "", graph_name: str = "onnxarray",
          inline_functions: bool = False) -> onnx.ModelProto:
    """Export the computation from ``inputs`` to ``outputs`` as an ``onnx.ModelProto``.

    Calls of ``function``-decorated code become model-local functions (``FunctionProto``), one
    per function and signature; ``inline_functions=True`` inlines them (and those of models
    called through ``from_onnx``) for runtimes without local functions.
    """
    _check_names("inputs", inputs)
    _check_names("outputs", outputs)
    if not outputs:
        raise ValueError("build: needs at least one output")
    if set(inputs) & set(outputs):
        raise ValueError(f"build: names used as both input and output: "
                         f"{sorted(set(inputs) & set(outputs))}")
    chosen = opset
    opset = DEFAULT_OPSET if opset is None else opset
    if not isinstance(opset, int) or opset < DEFAULT_OPSET:
        raise ValueError(f"build: opset must be an int >= {DEFAULT_OPSET}, got {opset!r}")

    names: dict[int, str] = {}  # id(Value) -> name in the graph
    in_values: dict[str, Value] = {}
    for name, arr in inputs.items():
        v = arr._v if isinstance(arr, Array) else None
        if v is not None and (v.name is None or v.node is not None):
            v = original_argument(arr)  # an argument changed in place names its input
        if v is None or v.name is None or v.node is not None:
            raise TypeError(f"build: inputs[{name!r}] is not an argument; create inputs with "
                            "onnxarray.argument(shape=..., dtype=...)")
        if id(v) in names:
            raise ValueError(f"build: the same argument is given as inputs {names[id(v)]!r} and "
                             f"{name!r}")
        names[id(v)] = name
        in_values[name] = v

    out_values = [arr._v for arr in outputs.values()]
    order = topological_order(out_values)
    needed, op = min_opset(order, opset)
    if needed > opset:
        if chosen is not None:
            raise ValueError(f"build: the model uses {op}, which needs opset {needed} or "
                             f"later; got opset={chosen}")
        opset = needed  # operators newer than the default (string functions)
    em = _Emitter(names, opset, set(inputs) | set(outputs))

    # Node outputs that are graph outputs take the user's names directly when possible.
    renamed: dict[int, str] = {}
    for name, v in zip(outputs, out_values):
        if v.node is not None and id(v) not in renamed and id(v) not in names:
            renamed[id(v)] = name
    em.preferred = renamed

    nodes = em.emit(order)
    graph_outputs = []
    for name, v in zip(outputs, out_values):
        if renamed.get(id(v)) != name:
            src = em.name_of(v)
            nodes.append(helper.make_node("Identity", [src], [name]))
        graph_outputs.append(_value_info(name, v))
    used_args, initializers = em.used_args, em.initializers
    if em.spliced:  # an imported model's outputs that nothing reads
        nodes, initializers = prune(nodes, initializers, [o.name for o in graph_outputs])

    unused = [name for name, v in in_values.items() if id(v) not in used_args]
    if unused and not allow_unused_inputs:
        raise ValueError(f"build: inputs {unused} are not used by any output; remove them or "
                         "pass allow_unused_inputs=True")
    graph_inputs = [_value_info(name, v) for name, v in in_values.items()]
    graph = helper.make_graph(nodes, graph_name, graph_inputs, graph_outputs,
                              initializer=initializers)
    opsets = [helper.make_opsetid("", opset)] + [
        helper.make_opsetid(d, v) for d, v in sorted(em.domains.items())]
    for f in em.shared.functions.values():  # a domain may have been raised after a function
        for o in f.opset_import:
            o.version = em.domains.get(o.domain, o.version)
    model = helper.make_model(graph, opset_imports=opsets, ir_version=em.ir_version,
                              producer_name="onnxarray", producer_version=_version(),
                              functions=list(em.shared.functions.values()))
    if doc_string:
        model.doc_string = doc_string
    complex_names = [n for n, a in (*inputs.items(), *outputs.items()) if a.dtype.kind == "c"]
    if complex_names:  # which real tensors with a trailing 2 are complex values
        helper.set_model_props(model, {"onnxarray.complex": ",".join(complex_names)})
    if inline_functions and model.functions:
        model = _inline(model)
    return model


def _inline(model: onnx.ModelProto) -> onnx.ModelProto:
    """``model`` with its local functions inlined (onnx.inliner, onnx >= 1.16), and the opset
    imports of domains that only named functions dropped."""
    from onnx import inliner

    function_domains = {f.domain for f in model.functions}
    model = inliner.inline_local_functions(model)
    used: set[str] = set()
    graphs = [model.graph]
    while graphs:  # every node's domain, nested subgraphs included
        g = graphs.pop()
        for n in g.node:
            used.add(n.domain)
            for a in n.attribute:
                graphs.extend([a.g] if a.HasField("g") else [])
                graphs.extend(a.graphs)
    keep = [o for o in model.opset_import
            if o.domain in used or o.domain not in function_domains or not o.domain]
    del model.opset_import[:]
    model.opset_import.extend(keep)
    return model


class _Shared:
    """What the emitters of one export share: the model-local functions by (domain, name,
    overload), and per callee the function name it was given (see ``_functions``)."""

    __slots__ = ("functions", "names")

    def __init__(self) -> None:
        self.functions: dict[tuple, onnx.FunctionProto] = {}
        self.names: dict[int, tuple] = {}


class _Emitter:
    """Emits nodes as NodeProtos, subgraphs included, with one naming scope per graph.

    A Value is named in the scope of the graph that computes it; a subgraph sees the names of
    its enclosing graphs (ONNX outer-scope references). Constants become initializers of the
    main graph, shared by content, so subgraphs reference them too. Equal nodes are emitted
    once per scope chain.
    """

    def __init__(self, names: dict[int, str], opset: int, user: set[str],
                 shared: _Shared | None = None) -> None:
        self.user = user
        self.taken = set(user)  # internal names must not collide with the user's
        # and a name from which an opset form derives one of the user's ("<name>_...", see
        # _opset_forms.expand) is taken too: every prefix of a user name before a "_"
        self.taken.update(u[:i] for u in user for i, c in enumerate(u) if c == "_")
        # id(Value) -> name of every Value visible in the graph being emitted (its own and
        # its enclosing graphs'); ``undo`` holds, per nested graph, what its names replaced
        self.names: dict[int, str] = names
        self.undo: list[list[tuple]] = []
        self.emitted: dict[tuple, object] = {}  # node key -> the node emitted, visible ones
        self.emitted_undo: list[list[tuple]] = []
        self.opset = opset
        self.used_args: set[int] = set()
        self.initializers: list[onnx.TensorProto] = []
        self.by_content: dict[tuple, str] = {}  # equal constants share one initializer
        self.counter = itertools.count()
        self.node_names: dict[str, int] = {}
        self.domains: dict[str, int] = {}  # custom domain -> opset version
        self.domain_ops: dict[str, dict[int, set]] = {}  # domain -> version -> operators
        self.preferred: dict[int, str] = {}  # main-graph Values named after graph outputs
        self.ir_version = IR_VERSION
        self.shared = shared if shared is not None else _Shared()
        self.local: dict = {}  # per-graph state of callees (e.g. an imported model's weights)
        # nodes whose outputs may be unused: a callee's, or those that computed an array whose
        # Shape is emitted as an equal array's
        self.spliced = False

    def use_domain(self, domain: str, version: int = 1, ops=()) -> None:
        """Import ``domain`` at ``version`` for its operators ``ops``. Callees that need
        different versions of one domain share the highest when none of the operators used at
        a lower one changed in between (onnx's schemas tell), else the export is refused."""
        if not domain or domain == PRIVATE_DOMAIN:
            return
        by_version = self.domain_ops.setdefault(domain, {})
        by_version.setdefault(version, set()).update(ops)
        top = max(by_version)
        local = {(d, n) for d, n, _ in self.shared.functions}
        for low, names in by_version.items():
            if low < top:
                for op in sorted(names):
                    if (domain, op) not in local:
                        _check_unchanged(domain, op, low, top)
        self.domains[domain] = top

    def add_function(self, proto: onnx.FunctionProto, rename: bool = True) -> str:
        """Register a model-local function; returns its name, made unique within its domain
        when a different function already took it (an equal one is shared). Without
        ``rename`` (an imported model's functions: its nodes call them by name) that is an
        error."""
        base, k = proto.name, 1
        while True:
            key = (proto.domain, proto.name, proto.overload)
            have = self.shared.functions.get(key)
            if have is None:
                self.shared.functions[key] = proto
                break
            if have.SerializeToString(deterministic=True) == proto.SerializeToString(
                    deterministic=True):
                break
            if not rename:
                raise ValueError(f"build: two different model-local functions are named "
                                 f"{proto.domain}.{proto.name}; rename one in its model")
            k += 1
            proto.name = f"{base}_{k}"
        self.use_domain(proto.domain, 1)
        for o in proto.opset_import:
            if o.domain:
                self.use_domain(o.domain, o.version, domain_operators(proto.node, o.domain))
        return proto.name

    def body(self, inputs, outputs, nodes) -> tuple[list, list[str], list[str], dict]:
        """A self-contained graph body (a function's): ``(node protos, input names, output
        names, custom domains used)``. Constants become ``Constant`` nodes (a function has no
        initializers); outputs that are inputs or repeated pass through an ``Identity``."""
        in_names = [f"x{i}" for i in range(len(inputs))]
        names = {id(v): n for v, n in zip(inputs, in_names)}
        child = _Emitter(names, self.opset, set(in_names), self.shared)
        protos = child.emit(nodes)
        out_names = child.output_names(outputs, protos, set(in_names))
        initializers = child.initializers
        if child.spliced:
            protos, initializers = prune(protos, initializers, out_names)
        constants = [helper.make_node("Constant", [], [t.name], value=t) for t in initializers]
        self.ir_version = max(self.ir_version, child.ir_version)
        return constants + protos, in_names, out_names, child.domains

    def output_names(self, outputs, nodes: list, seen: set) -> list[str]:
        """Names for a body's ``outputs``: one the body does not compute itself, or one named
        already (in ``seen``), passes through an Identity appended to ``nodes``."""
        own = {name for n in nodes for name in n.output}
        names = []
        for v in outputs:
            src = self.name_of(v)
            if src not in own or src in seen:
                dst = self.fresh("v")
                nodes.append(helper.make_node("Identity", [src], [dst]))
                src = dst
            seen.add(src)
            names.append(src)
        return names

    def fresh(self, prefix: str) -> str:
        """A new internal name; names that opset forms derive from it ("<name>_...", see
        _opset_forms.expand) cannot collide with the user's either (``taken`` holds their
        prefixes)."""
        taken = self.taken
        while True:
            n = f"{prefix}{next(self.counter)}"
            if n not in taken:
                taken.add(n)
                return n

    def bind(self, v: Value, name: str) -> None:
        """Name ``v`` in the graph being emitted."""
        key = id(v)
        if self.undo:
            self.undo[-1].append((key, self.names.get(key)))
        self.names[key] = name

    def name_of(self, v: Value) -> str:
        n = self.names.get(id(v))
        if n is not None:
            if v.node is None and v.name is not None:
                self.used_args.add(id(v))
            return n
        if v.data is not None:
            data = np.asarray(v.data, order="C")
            if data.dtype.kind == "c":
                data = pack(data)
            if data.dtype.kind == "O":  # strings: the bytes would be object pointers
                content = ("O", data.shape, tuple(data.ravel().tolist()))
            else:
                content = (data.dtype.str, data.shape, data.tobytes())
            n = self.by_content.get(content)
            if n is None:
                n = self.by_content[content] = self.fresh("c")
                self.initializers.append(numpy_helper.from_array(data, n))
            self.names[id(v)] = n  # an initializer of the main graph: visible everywhere
            return n
        if isinstance(v, BodyInput):
            raise ValueError(
                "build: a value computed inside a lax body is used outside it; return it from "
                "the body instead")
        if v.name is not None:
            raise ValueError(
                "build: an output depends on an argument that is not listed in inputs "
                f"({Array._new(v)!r}); pass it in the inputs dict")
        n = None if self.undo else self.preferred.get(id(v))
        if n is None:
            n = self.fresh("v")
        self.bind(v, n)
        return n

    def guarded(self, node, ins: list[str], outs: list[str]) -> list[onnx.NodeProto]:
        """A Transpose followed by an operator that keeps its result as it is and that
        onnxruntime's optimizers neither remove nor see through: its transpose optimizer (even
        at the basic level) folds a Transpose into a following reduction, and its MatMul
        fusion into a MatMul, which then sum in another order than the recorded graph. A
        matrix passes through Flatten (no copy); other ranks through a Concat of one input
        (a copy). A Reshape to the same shape is removed when the sizes are known."""
        t = self.fresh("t")
        protos = self._protos(node, ins, [t])
        if len(node.outputs[0].shape) == 2:
            guard = helper.make_node("Flatten", [t], outs, axis=1)
        else:
            guard = helper.make_node("Concat", [t], outs, axis=0)
        return protos + [guard]

    def emit(self, order) -> list[onnx.NodeProto]:
        guard = _transposes_to_guard(order)
        nodes = []
        emitted = self.emitted
        names = self.names
        name_of = self.name_of
        nested = bool(self.undo)
        for node in order:
            outputs = node.outputs
            if nested and all(id(v) in names for v in outputs):
                continue  # already computed by an enclosing graph
            ins = ["" if v is None else name_of(v) for v in node.inputs]
            key = _node_key(node, ins)
            twin = None if key is None else emitted.get(key)
            if twin is not None and (nested or not any(
                    id(v) in self.preferred for v in outputs)):
                # The same computation on equal inputs: reuse the outputs already emitted.
                for v, t in zip(outputs, twin.outputs):
                    self.bind(v, name_of(t))
                if node.op == "Shape" and twin.inputs[0] is not node.inputs[0]:
                    self.spliced = True  # what computed this node's input may be unused now
                continue
            if key is not None and twin is None:
                emitted[key] = node  # (not its outputs: a tuple per node, kept all along)
                if nested:
                    self.emitted_undo[-1].append(key)
            outs = [name_of(v) for v in outputs]
            if id(node) in guard:
                nodes.extend(self.guarded(node, ins, outs))
                continue
            callee = _callee(node)
            if callee is not None:
                nodes.extend(callee.protos(self, node, ins, outs))
                continue
            # The library's own nodes of a domain in DOMAIN_VERSIONS have a form valid from
            # that version on: any later version will do, with nothing to check.
            if node.domain:
                least = DOMAIN_VERSIONS.get(node.domain)
                if least is None:
                    self.use_domain(node.domain, ops=(node.op,))
                else:
                    self.use_domain(node.domain, least)
            elif not node.attrs and node.op not in OPSET_DEPENDENT:
                # the common node: one NodeProto, as _opset_forms.expand writes it
                nodes.append(onnx.NodeProto(op_type=node.op, input=ins, output=outs))
                continue
            nodes.extend(self._protos(node, ins, outs))
        return nodes

    def _protos(self, node, ins: list[str], outs: list[str]) -> list[onnx.NodeProto]:
        """The NodeProtos of one recorded node at the target opset (see _opset_forms)."""
        node_name = None  # a run-time check's message (see _graph.NODE_NAME_ATTR)
        attrs = []
        for k, val in node.attrs:
            if k == NODE_NAME_ATTR:
                node_name = val
            elif isinstance(val, Graph):
                attrs.append((k, helper.make_attribute(k, self.subgraph(val, k))))
            else:
                attrs.append((k, _attribute(k, val)))
        in_types = [None if v is None else v.dtype.onnx for v in node.inputs]
        protos, extra = expand(node.op, node.domain, ins, outs, tuple(attrs), in_types,
                               self.opset)
        if node_name is not None:  # node names are unique in a model: the same check twice
            for proto in protos:     # is "message", "message (2)", ...
                self.node_names[node_name] = k = self.node_names.get(node_name, 0) + 1
                proto.name = node_name if k == 1 else f"{node_name} ({k})"
        self.initializers.extend(extra)
        return protos

    def subgraph(self, g: Graph, name: str) -> onnx.GraphProto:
        """A nested GraphProto: a new naming scope; branch stand-ins take their operands'
        names; outputs that the body does not compute itself pass through an Identity."""
        bound = [self.name_of(b) for b in g.bound]
        self.undo.append([])
        self.emitted_undo.append([])
        try:
            if g.bound:
                for v, n in zip(g.inputs, bound):
                    self.bind(v, n)
            else:
                for v in g.inputs:
                    self.bind(v, self.fresh("v"))
            nodes = self.emit(g.nodes)
            out_names = self.output_names(g.outputs, nodes, set())
            if self.spliced:  # an imported model's unused outputs inside this body
                nodes, _ = prune(nodes, [], out_names)
            inputs = [] if g.bound else [_value_info(self.names[id(v)], v, nested=True)
                                         for v in g.inputs]
            outputs = [_value_info(n, v, nested=True) for n, v in zip(out_names, g.outputs)]
        finally:
            names = self.names
            for key, old in reversed(self.undo.pop()):
                if old is None:
                    del names[key]
                else:
                    names[key] = old
            emitted = self.emitted
            for key in self.emitted_undo.pop():
                del emitted[key]
        return helper.make_graph(nodes, f"{name}{next(self.counter)}", inputs, outputs)


# Operators whose float results depend on the order of their terms, and how far downstream of
# a Transpose onnxruntime's transpose optimizer looks for one (it pushes transposes through
# elementwise and layout operators; not through a Reshape of unknown sizes). A Transpose fused
# into a MatMul's left operand sums in another order (over more terms than one block of the
# GEMM takes); into its right operand it only changes how the operand is packed -- in float64.
# The float32 GEMM's kernels differ by layout at any size and on either operand (a 3 x 2 qr
# differed by one ulp), so every float32 Transpose that reaches a product is guarded.
_ORDERED_SUMS = frozenset({"ReduceSum", "ReduceMean", "ReduceSumSquare", "ReduceLogSum",
                           "ReduceLogSumExp", "ReduceL1", "ReduceL2", "ReduceProd", "CumSum",
                           "Einsum", "Softmax", "LogSoftmax", "DFT"})
_PRODUCTS = frozenset({"MatMul", "Gemm"})
# a contraction this short is summed in one block, in order, however the operand is laid out
_ONE_BLOCK = 64
_GUARD_DEPTH = 8


def _transposes_to_guard(order) -> set[int]:
    """ids of the float Transpose nodes of ``order`` (one graph's nodes) from which a sum of
    ordered terms is reached within _GUARD_DEPTH nodes not crossing a Reshape."""
    transposes = [n for n in order if n.op == "Transpose" and n.outputs[0].dtype.kind in "fc"]
    if not transposes:
        return set()
    consumers: dict[int, list] = {}
    for n in order:
        for v in n.inputs:
            if v is not None:
                consumers.setdefault(id(v), []).append(n)
    out = set()
    for t in transposes:
        frontier, seen, hit = [t], {id(t)}, False
        for _ in range(_GUARD_DEPTH):
            nxt = []
            for n in frontier:
                for v in n.outputs:
                    for c in consumers.get(id(v), ()):
                        if c.op in _PRODUCTS:  # no transpose moves past these
                            k = v.shape[-1] if v.shape else 0
                            hit = hit or v.dtype is D.float32 or (
                                c.inputs[0] is v and not (type(k) is int and k <= _ONE_BLOCK))
                        elif id(c) not in seen and c.op != "Reshape":
                            seen.add(id(c))
                            nxt.append(c)
            if hit or any(c.op in _ORDERED_SUMS for c in nxt):
                out.add(id(t))
                break
            frontier = nxt
    return out


def prune(nodes: list, initializers: list, outputs: list[str]) -> tuple[list, list]:
    """The nodes and initializers that ``outputs`` need (one backward pass; names read inside
    a node's subgraphs count as read by the node)."""
    keep, needed = needed_nodes(nodes, outputs)
    return keep, [t for t in initializers if t.name in needed]


def needed_nodes(nodes: list, outputs: list[str]) -> tuple[list, set]:
    """The nodes that ``outputs`` need, in order, and every name they read (see prune)."""
    needed = set(outputs)
    keep = []
    for n in reversed(nodes):
        if not any(o in needed for o in n.output):
            continue
        keep.append(n)
        needed.update(n.input)
        graphs = [a.g for a in n.attribute if a.HasField("g")]
        graphs += [g for a in n.attribute for g in a.graphs]
        while graphs:
            g = graphs.pop()
            needed.update(o.name for o in g.output)
            for m in g.node:
                needed.update(m.input)
                graphs += [a.g for a in m.attribute if a.HasField("g")]
                graphs += [h for a in m.attribute for h in a.graphs]
    keep.reverse()
    return keep, needed


def domain_operators(nodes, domain: str) -> set[str]:
    """The operator names of ``domain`` that ``nodes`` use, in nested subgraphs too."""
    found, stack = set(), [nodes]
    while stack:
        for n in stack.pop():
            if (n.domain or "") == domain:
                found.add(n.op_type)
            for a in n.attribute:
                if a.HasField("g"):
                    stack.append(a.g.node)
                stack.extend(g.node for g in a.graphs)
    return found


@functools.cache
def since_version(domain: str, op: str, version: int) -> int | None:
    """The version of operator ``op`` of ``domain`` in effect at opset ``version`` (when it
    was last changed), None when onnx does not know it."""
    try:
        return onnx.defs.get_schema(op, max_inclusive_version=version,
                                    domain=domain).since_version
    except onnx.defs.SchemaError:
        return None


def _check_unchanged(domain: str, op: str, low: int, high: int) -> None:
    """Raise unless operator ``op`` of ``domain`` is the same at opsets ``low`` and ``high``."""
    old, new = since_version(domain, op, low), since_version(domain, op, high)
    if old is None:
        raise ValueError(
            f"build: the model needs opset {low} and opset {high} of domain {domain!r}, and "
            f"onnx does not know its operator {op!r} at opset {low}, so it cannot tell whether "
            f"{op} is the same at opset {high}; convert the model that uses opset {low} of "
            f"{domain!r} to opset {high}")
    if old != new:
        raise ValueError(
            f"build: the model needs opset {low} and opset {high} of domain {domain!r}, and its "
            f"operator {op!r} changed between them (version {old} at opset {low}, version "
            f"{new} at opset {high}); convert the model that uses opset {low} of {domain!r} "
            f"to opset {high}, or keep to opset {low} on the other side")


def _callee(node):
    for k, val in node.attrs:
        if k == CALL_ATTR:
            return val
    return None


# Attribute protos by (name, value), so that a build does not convert the same attribute again
# for every node (onnx's make_attribute costs ~10 us); only values whose key tells apart
# everything that converts differently: exact ints and strings, tuples of exact ints, floats by
# their bits (0.0 and -0.0 compare equal). Protos are copied into the nodes that use them.
_ATTRIBUTES: dict = {}
_ATTRIBUTES_MAX = 4096


def _attribute(name: str, value) -> onnx.AttributeProto:
    t = type(value)
    if t is int or t is str:
        key = (name, t, value)
    elif t is float:
        key = (name, t, value.hex())
    elif t is tuple and all(type(x) is int for x in value):
        key = (name, t, value)
    else:
        return make_attribute(name, value)
    proto = _ATTRIBUTES.get(key)
    if proto is None:
        if len(_ATTRIBUTES) >= _ATTRIBUTES_MAX:
            _ATTRIBUTES.clear()
        proto = _ATTRIBUTES[key] = make_attribute(name, value)
    return proto


def _node_key(node, ins: list[str]):
    """What makes two nodes compute the same values, or None if they must stay apart."""
    if node.op in NONDETERMINISTIC:
        return None
    if node.op == "Shape" and not node.domain:
        sizes = _shape_sizes(node)
        if sizes is not None:
            return ("Shape", "", sizes)
    try:
        return (node.op, node.domain, tuple(ins), hash(node.attrs) and node.attrs)
    except TypeError:  # tensor-valued attributes
        return None


def _shape_sizes(node):
    """The sizes a ``Shape`` node reads, as ints and dim keys: two arrays whose sizes are equal
    dims have equal sizes when the model runs (what recording assumes everywhere), so their
    ``Shape``s are one node, and so is everything computed from them (the same size read from
    several arrays of a trace). None when a size is not a dim."""
    shape = node.inputs[0].shape
    attrs = dict(node.attrs)
    rank = len(shape)
    start, end = attrs.get("start", 0), attrs.get("end", rank)
    start = min(max(start + rank if start < 0 else start, 0), rank)
    end = min(max(end + rank if end < 0 else end, 0), rank)
    sizes = []
    for d in shape[start:end]:
        if type(d) is int:
            sizes.append(d)
        elif isinstance(d, Dim):
            sizes.append(d.key)
        else:
            return None
    return tuple(sizes)


def _version() -> str:
    return __version__
