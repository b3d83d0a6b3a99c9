"""``from_onnx``: call an existing ONNX model on onnxarray arrays.

Eagerly the model runs in one onnxruntime session, created on the first call and kept. In a
trace the call is one recorded node carrying the model (``_graph.CALL_ATTR``); export splices
the model's graph into the exported one (see ``_Model.protos``): its names get a prefix unique
to the call, its initializers become initializers of the exported model once however often the
model is called, its local functions and custom-domain opset imports are carried over, and a
model of an older opset is converted to the export's opset with onnx's version converter.

The model's dynamic dimensions are bound to the caller's sizes: onnx shape inference runs once
on the model, with every unnamed input dimension given a name, so the output shapes name input
dimensions wherever the model's operators let shape inference follow them.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections import ChainMap
from collections.abc import Mapping

import numpy as np
import onnx
from onnx import helper

from . import _dtypes as D
from ._array_object import Array
from ._build import domain_operators, needed_nodes, since_version
from ._executor import RUN_OPTIONS, session_for_model, session_runner
from ._graph import CALL_ATTR, NONDETERMINISTIC, Dim, Value, make_node
from ._opset_forms import PRIVATE_DOMAIN

__all__ = ["from_onnx"]

_FUNC = "from_onnx"
_call_ids = itertools.count()
_session_lock = threading.Lock()


def from_onnx(model, outputs=None) -> OnnxFunction:
    """A callable running ``model`` (an ``onnx.ModelProto`` or a path to a ``.onnx`` file).

    ``f(*args, **kwargs)`` takes arrays by the model's input names, or positionally in input
    order, and returns a dict from output name to array. On concrete arrays the model runs now
    in onnxruntime; on symbolic ones its graph is recorded into the trace and exported with it.

    ``outputs`` (a list of output names; default all) selects the outputs to compute: the
    model is cut to the nodes they need, so an eager call runs only that part (in a session of
    its own) and a trace records only that; the result dict holds the selected outputs, in the
    order given. The inputs stay the model's, needed or not.
    """
    proto, base = _load(model)
    if outputs is not None:
        proto = _select(proto, outputs)
    return OnnxFunction(_Model(proto, base))


def _select(proto: onnx.ModelProto, outputs) -> onnx.ModelProto:
    """``proto`` computing only ``outputs``: the nodes and initializers they need (names read
    inside a node's subgraphs count as read by the node), every input kept."""
    if isinstance(outputs, (str, bytes)) or not isinstance(outputs, (list, tuple)):
        raise TypeError(f"{_FUNC}: outputs must be a list of output names, got "
                        f"{type(outputs).__name__}")
    names = [vi.name for vi in proto.graph.output]
    bad = [o for o in outputs if not isinstance(o, str)]
    if bad:
        raise TypeError(f"{_FUNC}: outputs must be output names (str), got {bad[0]!r}")
    unknown = [o for o in outputs if o not in names]
    if unknown:
        raise ValueError(f"{_FUNC}: the model has no outputs {unknown}; its outputs are "
                         f"{names}")
    if not outputs or len(set(outputs)) != len(outputs):
        raise ValueError(f"{_FUNC}: outputs must name each selected output once, got "
                         f"{list(outputs)}")
    by_name = {vi.name: vi for vi in proto.graph.output}
    g = proto.graph
    keep, needed = needed_nodes(list(g.node), list(outputs))
    cut = onnx.ModelProto()
    cut.CopyFrom(proto)
    cg = cut.graph
    del cg.node[:], cg.output[:], cg.value_info[:]
    cg.node.extend(keep)
    cg.output.extend(by_name[o] for o in outputs)
    initializers = [t for t in g.initializer if t.name in needed]
    del cg.initializer[:]
    cg.initializer.extend(initializers)
    # An input with a default (an initializer) that nothing reads any more is dropped with it.
    inputs = [vi for vi in g.input
              if vi.name in needed or vi.name not in {t.name for t in g.initializer}]
    del cg.input[:]
    cg.input.extend(inputs)
    # Local functions and custom domains that only the dropped nodes used are dropped too.
    functions = {(f.domain, f.name): f for f in proto.functions}
    used, kept, stack = set(), {}, [list(keep)]
    while stack:
        for n in stack.pop():
            key = (n.domain or "", n.op_type)
            used.add(key[0])
            if key in functions and key not in kept:
                kept[key] = functions[key]
                used.update(o.domain for o in kept[key].opset_import)
                stack.append(list(kept[key].node))
            for a in n.attribute:
                if a.HasField("g"):
                    stack.append(list(a.g.node))
                stack.extend(list(g.node) for g in a.graphs)
    del cut.functions[:]
    cut.functions.extend(f for f in proto.functions if (f.domain, f.name) in kept)
    imports = [o for o in proto.opset_import if o.domain in used or o.domain in ("", "ai.onnx")]
    del cut.opset_import[:]
    cut.opset_import.extend(imports)
    return cut


class _Input:
    __slots__ = ("name", "dtype", "shape")

    def __init__(self, name: str, dtype: D.DType, shape: tuple | None) -> None:
        self.name = name
        self.dtype = dtype
        self.shape = shape  # entries: int, or a dimension name (str); None: any rank


def _tensor_type(vi: onnx.ValueInfoProto, what: str):
    """``(dtype, shape)`` of a tensor-typed graph input or output, shape entries int, name or
    None (unknown), shape None when the rank is unknown."""
    t = vi.type
    if t.WhichOneof("value") != "tensor_type":
        kind = t.WhichOneof("value") or "untyped"
        hint = (" (for a scikit-learn classifier converted with skl2onnx, pass "
                "options={'zipmap': False} to get the probabilities as a tensor)"
                if kind == "sequence_type" else "")
        raise TypeError(f"{_FUNC}: {what} {vi.name!r} is a {kind.replace('_type', '')}, not a "
                        f"tensor; onnxarray arrays are tensors{hint}")
    elem = t.tensor_type.elem_type
    dtype = D.BY_ONNX.get(elem)
    if dtype is None or dtype.kind == "c":
        name = onnx.TensorProto.DataType.Name(elem)
        raise TypeError(f"{_FUNC}: {what} {vi.name!r} has element type {name}, which onnxarray "
                        "does not support")
    if not t.tensor_type.HasField("shape"):
        return dtype, None
    shape = []
    for d in t.tensor_type.shape.dim:
        if d.HasField("dim_value"):
            shape.append(int(d.dim_value))
        elif d.HasField("dim_param") and d.dim_param:
            shape.append(d.dim_param)
        else:
            shape.append(None)
    return dtype, tuple(shape)


# -- loading ------------------------------------------------------------------------------------


def _load(model) -> tuple[onnx.ModelProto, str | None]:
    if isinstance(model, onnx.ModelProto):
        proto = onnx.ModelProto()
        proto.CopyFrom(model)  # the caller's object may change later; ours must not
        if _external_tensors(proto):
            raise ValueError(f"{_FUNC}: the model keeps tensors in external data files; pass "
                             "the path of the .onnx file so that they are found next to it")
        return proto, None
    if not isinstance(model, (str, os.PathLike)):
        raise TypeError(f"{_FUNC}: model must be an onnx.ModelProto or a path, got "
                        f"{type(model).__name__}")
    path = os.fspath(model)
    if not os.path.isfile(path):
        raise ValueError(f"{_FUNC}: no model file at {path!r}")
    try:
        proto = onnx.load(path, load_external_data=False)
    except Exception as exc:  # noqa: BLE001 - a file that is not an ONNX model
        raise ValueError(f"{_FUNC}: {path!r} is not an ONNX model: {exc}") from None
    base = os.path.dirname(os.path.realpath(path))
    external = _external_tensors(proto)
    for tensor in external:
        location = next((e.value for e in tensor.external_data if e.key == "location"), "")
        target = os.path.realpath(os.path.join(base, location))
        if os.path.isabs(location) or os.path.commonpath([base, target]) != base:
            raise ValueError(f"{_FUNC}: tensor {tensor.name!r} of {path!r} refers to external "
                             f"data {location!r} outside the model's directory; refused")
    if external:
        onnx.load_external_data_for_model(proto, base)
    return proto, base


def _graphs(proto: onnx.ModelProto):
    """Every graph of the model (main, nested, in functions' nodes), iteratively."""
    stack = [proto.graph]
    node_lists = [f.node for f in proto.functions]
    while stack or node_lists:
        if stack:
            g = stack.pop()
            yield g
            node_lists.append(g.node)
            continue
        for n in node_lists.pop():
            for a in n.attribute:
                if a.HasField("g"):
                    stack.append(a.g)
                stack.extend(a.graphs)


def _external_tensors(proto: onnx.ModelProto) -> list:
    found = []
    for g in _graphs(proto):
        tensors = list(g.initializer)
        for n in g.node:
            for a in n.attribute:
                if a.HasField("t"):
                    tensors.append(a.t)
                tensors.extend(a.tensors)
        found.extend(t for t in tensors
                     if t.data_location == onnx.TensorProto.EXTERNAL)
    for f in proto.functions:
        for n in f.node:
            for a in n.attribute:
                if a.HasField("t") and a.t.data_location == onnx.TensorProto.EXTERNAL:
                    found.append(a.t)
    return found


# -- the model ----------------------------------------------------------------------------------


class _Model:
    """One imported model: its signature, its session (created on first eager use) and its
    graph converted per target opset (on first export at that opset). Hashed by identity, so
    calls of the same model on the same arrays are one recorded node."""

    __slots__ = ("proto", "base", "inputs", "outputs", "opset", "random", "_session",
                 "_converted", "__weakref__")

    def __init__(self, proto: onnx.ModelProto, base: str | None) -> None:
        try:
            onnx.checker.check_model(proto)
        except Exception as exc:  # noqa: BLE001 - the checker's many error types
            raise ValueError(f"{_FUNC}: the model is not valid ONNX: {exc}") from None
        if any(g.sparse_initializer for g in _graphs(proto)):
            raise ValueError(f"{_FUNC}: models with sparse initializers are not supported")
        self.proto = proto
        self.base = base
        self.opset = {("" if o.domain == "ai.onnx" else o.domain): o.version
                      for o in proto.opset_import}
        self.opset.setdefault("", 1)
        defaults = {t.name for t in proto.graph.initializer}
        # An input that is also an initializer has a default; it stays the model's constant.
        self.inputs = tuple(_Input(vi.name, *_tensor_type(vi, "input"))
                            for vi in proto.graph.input if vi.name not in defaults)
        self.outputs = self._output_types()
        self.random = any(n.op_type in NONDETERMINISTIC for g in _graphs(proto) for n in g.node)
        self._session = None
        self._converted: dict[int, onnx.ModelProto] = {}

    def _output_types(self) -> tuple:
        """``(name, dtype, shape)`` per output; shape entries int, an input's dimension name
        (str) or None. Shape inference runs once, with unnamed input dimensions named."""
        for vi in self.proto.graph.output:
            _tensor_type(vi, "output")  # non-tensor outputs are refused first
        probe = onnx.ModelProto()
        probe.CopyFrom(self.proto)
        for k, vi in enumerate(probe.graph.input):
            if vi.type.WhichOneof("value") != "tensor_type":
                continue
            for axis, d in enumerate(vi.type.tensor_type.shape.dim):
                if not d.HasField("dim_value") and not d.dim_param:
                    d.dim_param = f"onnxarray_in{k}_{axis}"
        try:
            probe = onnx.shape_inference.infer_shapes(probe, data_prop=True)
        except Exception:  # noqa: BLE001 - the declared output types are then all we know
            pass
        outs = []
        for declared, inferred in zip(self.proto.graph.output, probe.graph.output):
            dtype, shape = _tensor_type(declared, "output")
            _, guess = _tensor_type(inferred, "output")
            if shape is None:
                shape = guess
            elif guess is not None and len(guess) == len(shape):
                shape = tuple(g if s is None else s for s, g in zip(shape, guess))
            outs.append((declared.name, dtype, shape))
        return tuple(outs)

    def __repr__(self) -> str:
        ins = ", ".join(i.name for i in self.inputs)
        outs = ", ".join(o[0] for o in self.outputs)
        return f"<ONNX model ({ins}) -> ({outs})>"

    # -- eager ----------------------------------------------------------------------------------

    def session(self):
        """The model's session, created once (graph optimizations off, like every eager
        session, so that eager results equal the exported model's run as recorded)."""
        if self._session is None:
            with _session_lock:
                if self._session is None:
                    sess = session_for_model(self.proto.SerializeToString(), optimize="none")
                    self._session = (session_runner(sess), [o[0] for o in self.outputs])
        return self._session

    def run(self, arrays) -> list[np.ndarray]:
        run, out_names = self.session()
        feeds = {i.name: a for i, a in zip(self.inputs, arrays)}
        try:
            return run(out_names, feeds, RUN_OPTIONS)
        except Exception as exc:  # noqa: BLE001 - onnxruntime's errors name no standard type
            detail = str(exc).split("Status Message:")[-1].strip()
            raise ValueError(f"{_FUNC}: the model failed on these inputs: {detail}") from None

    # -- export ---------------------------------------------------------------------------------

    def graph_at(self, opset: int) -> onnx.ModelProto:
        """The model at the default-domain ``opset`` (converted once, then kept)."""
        have = self.opset[""]
        if have == opset:
            return self.proto
        if have > opset:
            raise ValueError(f"build: a model called through from_onnx uses opset {have}, newer "
                             f"than the export's opset {opset}; pass opset={have} to build")
        model = self._converted.get(opset)
        if model is None:
            from onnx import version_converter

            try:
                model = version_converter.convert_version(self.proto, opset)
            except Exception as exc:  # noqa: BLE001 - the converter's many error types
                raise ValueError(
                    f"build: cannot convert a model called through from_onnx from opset {have} "
                    f"to opset {opset} ({exc}); convert it with onnx.version_converter "
                    "yourself or build with the opset it uses") from None
            # The converter drops the model's local functions: they are converted here.
            del model.functions[:]
            model.functions.extend(_function_at(f, opset) for f in self.proto.functions)
            self._converted[opset] = model
        return model

    def protos(self, em, node, ins: list[str], outs: list[str]) -> list[onnx.NodeProto]:
        """The model's nodes with names unique to this call; initializers once per export."""
        model = self.graph_at(em.opset)
        for f in model.functions:
            em.add_function(_copy(f), rename=False)
        for o in model.opset_import:
            if o.domain and o.domain != "ai.onnx":
                em.use_domain(o.domain, o.version, domain_operators(model.graph.node, o.domain))
        em.ir_version = max(em.ir_version, model.ir_version)
        em.spliced = True
        key = ("from_onnx", id(self), em.opset)
        shared = em.local.get(key)
        if shared is None:  # the model's weights: one initializer each per exported graph
            prefix = em.fresh("w")
            shared = {}
            for t in model.graph.initializer:
                copy = _copy(t)
                copy.name = shared[t.name] = f"{prefix}_{t.name}"
                em.initializers.append(copy)
            em.local[key] = shared
        return _splice(model.graph, ins, outs, shared, em.fresh("m"))


def _function_at(f: onnx.FunctionProto, opset: int) -> onnx.FunctionProto:
    """Local function ``f`` at default-domain ``opset``: its import is raised when none of
    its operators changed in between, else its body is converted by onnx's version
    converter."""
    f = _copy(f)
    for o in f.opset_import:
        if o.domain not in ("", "ai.onnx") or o.version == opset:
            continue
        low = o.version
        changed = [op for op in sorted(domain_operators(f.node, ""))
                   if since_version("", op, low) is None
                   or since_version("", op, low) != since_version("", op, opset)]
        o.version = opset
        if not changed:
            continue
        from onnx import version_converter

        body = helper.make_graph(list(f.node), f.name,
                                 [helper.make_empty_tensor_value_info(i) for i in f.input],
                                 [helper.make_empty_tensor_value_info(x) for x in f.output])
        imports = [helper.make_opsetid(i.domain, low if i is o else i.version)
                   for i in f.opset_import]
        try:
            converted = version_converter.convert_version(
                helper.make_model(body, opset_imports=imports), opset)
        except Exception as exc:  # noqa: BLE001 - the converter's many error types
            raise ValueError(
                f"build: cannot convert the local function {f.domain}.{f.name} of a model "
                f"called through from_onnx from opset {low} to opset {opset} (its operators "
                f"{changed} changed; {exc}); convert the model with onnx.version_converter "
                "yourself or build with the opset it uses") from None
        del f.node[:]
        f.node.extend(converted.graph.node)
    return f


def _copy(msg):
    new = type(msg)()
    new.CopyFrom(msg)
    return new


def _splice(graph: onnx.GraphProto, ins: list[str], outs: list[str], weights: dict,
            prefix: str) -> list[onnx.NodeProto]:
    """``graph``'s nodes renamed for one call: inputs read ``ins``, outputs are written to
    ``outs``, initializers are ``weights``, every other name gets ``prefix``. Nested graphs
    (``If``/``Loop`` bodies) are renamed in their own scopes; their references to enclosing
    values follow the renaming. Iterative over the nesting."""
    main = ChainMap(dict(weights))
    main.update(zip([vi.name for vi in graph.input if vi.name not in weights], ins))
    produced = {o for n in graph.node for o in n.output if o}
    out_names = [vi.name for vi in graph.output]
    direct = {name: out for name, out in zip(out_names, outs)
              if name in produced and out_names.count(name) == 1}
    nodes = [_copy(n) for n in graph.node]
    pending = [(nodes, main, direct, None)]
    while pending:
        node_list, names, fixed, sub = pending.pop()
        if sub is not None:  # a nested graph: its inputs and initializers are its own
            for x in list(sub.initializer) + list(sub.input):
                names[x.name] = x.name = f"{prefix}_{x.name}"
        for n in node_list:
            for i, o in enumerate(n.output):
                if o:
                    names[o] = n.output[i] = fixed.get(o) or f"{prefix}_{o}"
        for n in node_list:
            for i, x in enumerate(n.input):
                if x:
                    n.input[i] = names.get(x, x)
            if n.name:
                n.name = f"{prefix}_{n.name}"
            for a in n.attribute:
                for g in ([a.g] if a.HasField("g") else []) + list(a.graphs):
                    pending.append((g.node, names.new_child(), {}, g))
        if sub is not None:
            for vi in sub.output:
                vi.name = names.get(vi.name, vi.name)
            del sub.value_info[:]
    for name, out in zip(out_names, outs):
        if direct.get(name) != out:  # an output that is an input, a weight or repeated
            nodes.append(helper.make_node("Identity", [main[name]], [out]))
    return nodes


# -- the callable -------------------------------------------------------------------------------


class OnnxFunction:
    """An imported ONNX model as a function of arrays (see ``from_onnx``)."""

    __slots__ = ("_model",)

    def __init__(self, model: _Model) -> None:
        self._model = model

    @property
    def input_names(self) -> tuple[str, ...]:
        return tuple(i.name for i in self._model.inputs)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(o[0] for o in self._model.outputs)

    def __repr__(self) -> str:
        return f"from_onnx{self._model!r}"

    def __call__(self, *args, **kwargs) -> dict[str, Array]:
        m = self._model
        values = _bind_arguments(m, args, kwargs)
        bound = _check_signature(m, values)
        if all(v.data is not None for v in values):
            outs = m.run([v.data for v in values])
            return {name: Array._new(Value(dtype, o.shape, data=o))
                    for (name, dtype, _), o in zip(m.outputs, outs)}
        out_types = [(dtype, _output_shape(name, shape, bound))
                     for name, dtype, shape in m.outputs]
        attrs = ((CALL_ATTR, m),)
        if m.random:  # each call draws anew: never one node for two calls
            attrs += (("onnxarray.call_id", next(_call_ids)),)
        node = make_node("from_onnx", values, attrs, out_types, PRIVATE_DOMAIN)
        return {name: Array._new(v) for (name, _, _), v in zip(m.outputs, node.outputs)}


def _bind_arguments(m: _Model, args: tuple, kwargs: Mapping) -> list[Value]:
    names = [i.name for i in m.inputs]
    if len(args) > len(names):
        raise TypeError(f"{_FUNC}: the model takes {len(names)} inputs {names}, got "
                        f"{len(args)} positional arguments")
    given = dict(zip(names, args))
    for k, a in kwargs.items():
        if k not in names:
            raise TypeError(f"{_FUNC}: the model has no input {k!r}; its inputs are {names}")
        if k in given:
            raise TypeError(f"{_FUNC}: input {k!r} given twice")
        given[k] = a
    missing = [n for n in names if n not in given]
    if missing:
        raise TypeError(f"{_FUNC}: missing inputs {missing}")
    values = []
    for spec in m.inputs:
        a = given[spec.name]
        if isinstance(a, np.ndarray) and a.dtype in D.BY_NUMPY:
            a = Array._new(Value(D.BY_NUMPY[a.dtype], a.shape, data=a))
        if not isinstance(a, Array):
            raise TypeError(f"{_FUNC}: input {spec.name!r} must be an onnxarray array, got "
                            f"{type(a).__name__}")
        values.append(a._v)
    return values


def _check_signature(m: _Model, values: list[Value]) -> dict[str, int | Dim]:
    """Check dtypes, ranks and known sizes; return the model's dimension names bound to the
    caller's sizes."""
    bound: dict[str, int | Dim] = {}
    for spec, v in zip(m.inputs, values):
        if v.dtype is not spec.dtype:
            raise TypeError(f"{_FUNC}: input {spec.name!r} must be {spec.dtype.name}, got "
                            f"{v.dtype.name} (convert it with astype)")
        if spec.shape is None:
            continue
        if len(v.shape) != len(spec.shape):
            raise ValueError(f"{_FUNC}: input {spec.name!r} must have {len(spec.shape)} "
                             f"dimensions {_fmt(spec.shape)}, got shape {_fmt(v.shape)}")
        for axis, (want, have) in enumerate(zip(spec.shape, v.shape)):
            if type(want) is int:
                if type(have) is int and have != want:
                    raise ValueError(f"{_FUNC}: input {spec.name!r} must have size {want} in "
                                     f"axis {axis}, got shape {_fmt(v.shape)}")
            elif want is not None:
                prev = bound.setdefault(want, have)
                if type(prev) is int and type(have) is int and prev != have:
                    raise ValueError(f"{_FUNC}: dimension {want!r} of the model is {prev} in "
                                     f"one input and {have} in input {spec.name!r}")
    for k, spec in enumerate(m.inputs):  # unnamed dims were named for shape inference
        if spec.shape is not None:
            for axis, want in enumerate(spec.shape):
                if want is None:
                    bound[f"onnxarray_in{_index(m, spec)}_{axis}"] = values[k].shape[axis]
    return bound


def _index(m: _Model, spec: _Input) -> int:
    return [vi.name for vi in m.proto.graph.input].index(spec.name)


def _output_shape(name: str, shape, bound: dict) -> tuple:
    if shape is None:  # rank unknown to shape inference: a rank must be recorded
        raise ValueError(f"{_FUNC}: the rank of output {name!r} is unknown, so it cannot be "
                         "recorded in a trace; declare the model output's shape")
    return tuple(d if type(d) is int else bound.get(d) if d in bound else Dim() for d in shape)


def _fmt(shape) -> str:
    return "(" + ", ".join("?" if d is None else str(d) for d in shape) + ")"
