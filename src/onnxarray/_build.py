"""From a trace to an ONNX model: ``argument`` makes symbolic inputs, ``build`` exports.

``build`` walks back from the outputs (so dead code never appears), emits nodes in topological
order, turns concrete Values into initializers and named dims into ``dim_param``s.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
import onnx
from onnx import helper, numpy_helper

from . import _dtypes as D
from ._array_object import Array, original_argument
from ._dims import dim_text
from ._executor import DEFAULT_OPSET, IR_VERSION, make_attribute
from ._graph import (
    NODE_NAME_ATTR,
    NONDETERMINISTIC,
    BodyInput,
    Dim,
    Graph,
    Value,
    topological_order,
)
from ._opset_forms import DOMAIN_VERSIONS, PRIVATE_DOMAIN, expand, min_opset

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
          doc_string: str = "", graph_name: str = "onnxarray") -> onnx.ModelProto:
    """Export the computation from ``inputs`` to ``outputs`` as an ``onnx.ModelProto``."""
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

    unused = [name for name, v in in_values.items() if id(v) not in used_args]
    if unused and not allow_unused_inputs:
        raise ValueError(f"build: inputs {unused} are not used by any output; remove them or "
                         "pass allow_unused_inputs=True")
    graph_inputs = [_value_info(name, v) for name, v in in_values.items()]
    graph = helper.make_graph(nodes, graph_name, graph_inputs, graph_outputs,
                              initializer=initializers)
    domains = em.domains
    opsets = [helper.make_opsetid("", opset)] + [
        helper.make_opsetid(d, DOMAIN_VERSIONS.get(d, 1)) for d in sorted(domains)]
    model = helper.make_model(graph, opset_imports=opsets, ir_version=IR_VERSION,
                              producer_name="onnxarray", producer_version=_version())
    if doc_string:
        model.doc_string = doc_string
    complex_names = [n for n, a in (*inputs.items(), *outputs.items()) if a.dtype.kind == "c"]
    if complex_names:  # which real tensors with a trailing 2 are complex values
        helper.set_model_props(model, {"onnxarray.complex": ",".join(complex_names)})
    return model


class _Emitter:
    """Emits nodes as NodeProtos, subgraphs included, with one naming scope per graph.

    A Value is named in the scope of the graph that computes it; a subgraph sees the names of
    its enclosing graphs (ONNX outer-scope references). Constants become initializers of the
    main graph, shared by content, so subgraphs reference them too. Equal nodes are emitted
    once per scope chain.
    """

    def __init__(self, names: dict[int, str], opset: int, user: set[str]) -> None:
        self.user = user
        self.taken = set(user)  # internal names must not collide with the user's
        self.frames: list[dict[int, str]] = [names]  # id(Value) -> name, innermost last
        self.emitted: list[dict[tuple, tuple]] = [{}]  # node key -> output Values
        self.opset = opset
        self.used_args: set[int] = set()
        self.initializers: list[onnx.TensorProto] = []
        self.by_content: dict[tuple, str] = {}  # equal constants share one initializer
        self.counter = itertools.count()
        self.domains: set[str] = set()
        self.preferred: dict[int, str] = {}  # main-graph Values named after graph outputs

    def fresh(self, prefix: str) -> str:
        """A new internal name; names that opset forms derive from it ("<name>_...", see
        _opset_forms.expand) cannot collide with the user's either."""
        while True:
            n = f"{prefix}{next(self.counter)}"
            if n not in self.taken and not any(u.startswith(n + "_") for u in self.user):
                self.taken.add(n)
                return n

    def lookup(self, v: Value) -> str | None:
        key = id(v)
        for frame in reversed(self.frames):
            n = frame.get(key)
            if n is not None:
                return n
        return None

    def name_of(self, v: Value) -> str:
        n = self.lookup(v)
        if n is not None:
            if v.name is not None and v.node is None:
                self.used_args.add(id(v))
            return n
        if v.data is not None:
            data = np.asarray(v.data, order="C")
            if data.dtype.kind == "c":
                from ._complex import pack

                data = pack(data)
            if data.dtype.kind == "O":  # strings: the bytes would be object pointers
                content = ("O", data.shape, tuple(data.ravel().tolist()))
            else:
                content = (data.dtype.str, data.shape, data.tobytes())
            n = self.by_content.get(content)
            if n is None:
                n = self.by_content[content] = self.fresh("c")
                self.initializers.append(numpy_helper.from_array(data, n))
            self.frames[0][id(v)] = n
            return n
        if isinstance(v, BodyInput):
            raise ValueError(
                "build: a value computed inside a lax body is used outside it; return it from "
                "the body instead")
        if v.name is not None:
            raise ValueError(
                "build: an output depends on an argument that is not listed in inputs "
                f"({Array._new(v)!r}); pass it in the inputs dict")
        n = self.preferred.get(id(v)) if len(self.frames) == 1 else None
        if n is None:
            n = self.fresh("v")
        self.frames[-1][id(v)] = n
        return n

    def emit(self, order) -> list[onnx.NodeProto]:
        nodes = []
        emitted = self.emitted[-1]
        nested = len(self.frames) > 1
        for node in order:
            if nested and all(self.lookup(v) is not None for v in node.outputs):
                continue  # already computed by an enclosing graph
            ins = ["" if v is None else self.name_of(v) for v in node.inputs]
            key = _node_key(node, ins)
            twin = None
            if key is not None:
                for table in reversed(self.emitted):
                    twin = table.get(key)
                    if twin is not None:
                        break
            if twin is not None and (nested or not any(
                    id(v) in self.preferred for v in node.outputs)):
                # The same computation on equal inputs: reuse the outputs already emitted.
                for v, t in zip(node.outputs, twin):
                    self.frames[-1][id(v)] = self.name_of(t)
                continue
            if key is not None:
                emitted.setdefault(key, node.outputs)
            outs = [self.name_of(v) for v in node.outputs]
            if node.domain and node.domain != PRIVATE_DOMAIN:
                self.domains.add(node.domain)
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
                attrs.append((k, make_attribute(k, val)))
        in_types = [None if v is None else v.dtype.onnx for v in node.inputs]
        protos, extra = expand(node.op, node.domain, ins, outs, tuple(attrs), in_types,
                               self.opset)
        if node_name is not None:
            for proto in protos:
                proto.name = node_name
        self.initializers.extend(extra)
        return protos

    def subgraph(self, g: Graph, name: str) -> onnx.GraphProto:
        """A nested GraphProto: a new naming scope; branch stand-ins take their operands'
        names; outputs that the body does not compute itself pass through an Identity."""
        frame: dict[int, str] = {}
        if g.bound:
            for v, b in zip(g.inputs, g.bound):
                frame[id(v)] = self.name_of(b)
        self.frames.append(frame)
        self.emitted.append({})
        try:
            if not g.bound:
                for v in g.inputs:
                    frame[id(v)] = self.fresh("v")
            nodes = self.emit(g.nodes)
            own = {name for n in nodes for name in n.output}
            out_names, seen = [], set()
            for v in g.outputs:
                src = self.name_of(v)
                if src not in own or src in seen:
                    dst = self.fresh("v")
                    nodes.append(helper.make_node("Identity", [src], [dst]))
                    src = dst
                seen.add(src)
                out_names.append(src)
            inputs = [] if g.bound else [_value_info(frame[id(v)], v, nested=True)
                                         for v in g.inputs]
            outputs = [_value_info(n, v, nested=True) for n, v in zip(out_names, g.outputs)]
        finally:
            self.frames.pop()
            self.emitted.pop()
        return helper.make_graph(nodes, f"{name}{next(self.counter)}", inputs, outputs)


def _node_key(node, ins: list[str]):
    """What makes two nodes compute the same values, or None if they must stay apart."""
    if node.op in NONDETERMINISTIC:
        return None
    try:
        return (node.op, node.domain, tuple(ins), hash(node.attrs) and node.attrs)
    except TypeError:  # tensor-valued attributes
        return None


def _version() -> str:
    from . import __version__

    return __version__
