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
from ._graph import NODE_NAME_ATTR, NONDETERMINISTIC, Dim, Value, topological_order

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
    if dtype not in D.SUPPORTED:
        raise TypeError(f"argument: dtype {dtype.name} is not supported yet")
    return Array._new(Value(dtype, tuple(dims), name=f"arg{next(_arg_ids)}"))


def _value_info(name: str, v: Value) -> onnx.ValueInfoProto:
    """A graph input or output; a complex value is a real tensor with a trailing 2."""
    dims = []
    for d in v.shape:
        if type(d) is int:
            dims.append(d)
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

    used_args: set[int] = set()
    initializers: list[onnx.TensorProto] = []
    by_content: dict[tuple, str] = {}  # equal constants share one initializer
    counter = itertools.count()

    def name_of(v: Value) -> str:
        key = id(v)
        n = names.get(key)
        if n is not None:
            if v.name is not None:
                used_args.add(key)
            return n
        if v.data is not None:
            data = np.asarray(v.data, order="C")
            if data.dtype.kind == "c":
                from ._complex import pack

                data = pack(data)
            content = (data.dtype.str, data.shape, data.tobytes())
            n = by_content.get(content)
            if n is None:
                n = by_content[content] = f"c{next(counter)}"
                initializers.append(numpy_helper.from_array(data, n))
        elif v.name is not None:
            raise ValueError(
                "build: an output depends on an argument that is not listed in inputs "
                f"({Array._new(v)!r}); pass it in the inputs dict")
        else:
            n = f"v{next(counter)}"
        names[key] = n
        return n

    # Node outputs that are graph outputs take the user's names directly when possible.
    renamed: dict[int, str] = {}
    for name, v in zip(outputs, out_values):
        if v.node is not None and id(v) not in renamed and id(v) not in names:
            renamed[id(v)] = name
    names.update(renamed)

    nodes = []
    emitted: dict[tuple, tuple] = {}  # (op, domain, input names, attrs) -> output Values
    for node in order:
        ins = ["" if v is None else name_of(v) for v in node.inputs]
        key = _node_key(node, ins)
        twin = emitted.get(key) if key is not None else None
        if twin is not None and not any(id(v) in renamed for v in node.outputs):
            # The same computation on equal constants: reuse the outputs already emitted.
            for v, t in zip(node.outputs, twin):
                names[id(v)] = name_of(t)
            continue
        if key is not None:
            emitted.setdefault(key, node.outputs)
        outs = [name_of(v) for v in node.outputs]
        attrs = node.attrs
        if node.op == "DFT" and opset >= 20:  # DFT-20 takes the axis as an input
            axis = dict(attrs).get("axis", 1)
            attrs = tuple((k, a) for k, a in attrs if k != "axis")
            axis_name = f"dft_axis{axis}"
            if not any(t.name == axis_name for t in initializers):
                initializers.append(numpy_helper.from_array(np.array(axis, np.int64), axis_name))
            ins = (ins + [""])[:2] + [axis_name]
        node_name = dict(attrs).pop(NODE_NAME_ATTR, None)  # a run-time check's message
        if node_name is not None:
            attrs = tuple((k, a) for k, a in attrs if k != NODE_NAME_ATTR)
        proto = helper.make_node(node.op, ins, outs, domain=node.domain or None, name=node_name)
        proto.attribute.extend(make_attribute(k, val) for k, val in attrs)
        nodes.append(proto)

    graph_outputs = []
    for name, v in zip(outputs, out_values):
        if renamed.get(id(v)) != name:
            src = name_of(v)
            nodes.append(helper.make_node("Identity", [src], [name]))
        graph_outputs.append(_value_info(name, v))

    unused = [name for name, v in in_values.items() if id(v) not in used_args]
    if unused and not allow_unused_inputs:
        raise ValueError(f"build: inputs {unused} are not used by any output; remove them or "
                         "pass allow_unused_inputs=True")
    graph_inputs = [_value_info(name, v) for name, v in in_values.items()]
    graph = helper.make_graph(nodes, graph_name, graph_inputs, graph_outputs,
                              initializer=initializers)
    domains = {n.domain for n in order if n.domain}
    opsets = [helper.make_opsetid("", opset)] + [helper.make_opsetid(d, 1) for d in domains]
    model = helper.make_model(graph, opset_imports=opsets, ir_version=IR_VERSION,
                              producer_name="onnxarray", producer_version=_version())
    if doc_string:
        model.doc_string = doc_string
    complex_names = [n for n, a in (*inputs.items(), *outputs.items()) if a.dtype.kind == "c"]
    if complex_names:  # which real tensors with a trailing 2 are complex values
        helper.set_model_props(model, {"onnxarray.complex": ",".join(complex_names)})
    return model


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
