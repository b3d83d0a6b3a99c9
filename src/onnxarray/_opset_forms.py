"""Recorded nodes whose ONNX form depends on the target opset, written out for one opset.

The recorder is opset-free: a trace can be built at any opset. The few nodes whose form
changes are expanded here, both for eager one-node sessions (``_executor``) and for exported
models (``_build``), so eager results and models at the same opset agree by construction:

- ``DFT`` takes its axis as an attribute up to opset 19 and as an input from opset 20.
- ``SignBit`` (domain ``onnxarray``, never written to a model as such): the sign bit of a
  float. From opset 26 on, where ONNX has ``BitCast``, it is exact: the sign of the integer
  with the same bits. Below, no operator reads the bits of a float, so it is
  ``x < 0 or (x == 0 and 1 / x < 0)``, which reports False for every NaN.
"""

from __future__ import annotations

import functools

import numpy as np
import onnx
from onnx import helper, numpy_helper

__all__ = ["PRIVATE_DOMAIN", "BITCAST_OPSET", "onnx_has_bitcast", "expand", "MIN_OPSET",
           "MIN_OPSET_ON_STRINGS", "DOMAIN_VERSIONS", "OPSET_DEPENDENT", "min_opset",
           "op_min_opset"]

PRIVATE_DOMAIN = "onnxarray"
BITCAST_OPSET = 26

# Operators newer than the default opset, with the opset that introduced them: a model using
# them is built at that opset at least (the string operators; onnxruntime has them since 1.17).
MIN_OPSET = {"RegexFullMatch": 20, "StringConcat": 20, "StringSplit": 20}

# Operators that take strings only from a later opset: Equal-19 added tensor(string).
MIN_OPSET_ON_STRINGS = {"Equal": 19}

# The least version of each custom domain the library's own nodes need: LabelEncoder's
# keys_*/values_* attributes (and float and string-to-string tables) are ai.onnx.ml version 2,
# and stay valid in later versions (LabelEncoder-4 keeps them), so a model that imports a
# later version (an imported skl2onnx model's) keeps it.
DOMAIN_VERSIONS = {"ai.onnx.ml": 2}


def op_min_opset(op: str, domain: str, in_types) -> int:
    """The least opset that has ``op`` for inputs of ONNX element types ``in_types``."""
    if domain:
        return 0
    if op in MIN_OPSET_ON_STRINGS and onnx.TensorProto.STRING in in_types:
        return MIN_OPSET_ON_STRINGS[op]
    return MIN_OPSET.get(op, 0)


def min_opset(nodes, opset: int) -> tuple[int, str | None]:
    """The least opset >= ``opset`` that has every operator of ``nodes`` (and of their
    subgraphs and local functions), and the operator that asks for the highest one (None when
    ``opset`` suffices)."""
    need, which = opset, None
    stack = list(nodes)
    while stack:  # the nodes and those of their subgraphs (If branches, Loop bodies)
        node = stack.pop()
        for _, a in node.attrs:  # a Graph, or a local function's callee holding one
            graph = a if hasattr(a, "nodes") else getattr(a, "graph", None)
            stack.extend(getattr(graph, "nodes", ()))
        least = op_min_opset(node.op, node.domain,
                             [v.dtype.onnx for v in node.inputs if v is not None])
        if least > need:
            need, which = least, node.op
    return need, which


# The operators of the default domain that ``expand`` writes in a form depending on the opset;
# it writes every other default-domain node as one NodeProto carrying the node's attributes
# (``build`` writes those directly).
OPSET_DEPENDENT = frozenset({"DFT"})

_FLOAT_TO_INT = {onnx.TensorProto.FLOAT: onnx.TensorProto.INT32,
                 onnx.TensorProto.DOUBLE: onnx.TensorProto.INT64,
                 onnx.TensorProto.FLOAT16: onnx.TensorProto.INT16,
                 onnx.TensorProto.BFLOAT16: onnx.TensorProto.INT16}


@functools.cache
def onnx_has_bitcast() -> bool:
    """Whether the installed onnx knows ``BitCast`` (opset 26; the declared minimum, onnx
    1.16, stops at opset 21), so that models using it pass the checker. Read from the highest
    opset onnx knows: the first schema lookup loads every schema (~50 ms of the first eager
    call of a program)."""
    return onnx.defs.onnx_opset_version() >= BITCAST_OPSET


def uses_bitcast(opset: int) -> bool:
    return opset >= BITCAST_OPSET and onnx_has_bitcast()


def expand(op: str, domain: str, ins: list[str], outs: list[str], attrs: tuple,
           in_types: list, opset: int) -> tuple[list, list]:
    """``(nodes, initializers)`` for one recorded node at ``opset``; ``attrs`` as
    ``(name, onnx.AttributeProto)`` pairs, ``in_types`` the inputs' ONNX element types.
    Initializer names start with the first output's name, so they are unique in a graph."""
    if op == "SignBit" and domain == PRIVATE_DOMAIN:
        return _signbit(ins[0], outs[0], in_types[0], opset)
    if op == "SignedWhere" and domain == PRIVATE_DOMAIN:
        return _signed_where(ins, outs[0], in_types[1], opset)
    if op == "DFT" and not domain and opset >= 20:  # DFT-20 takes the axis as an input
        # (listed in OPSET_DEPENDENT, as every default-domain operator written here must be)
        axis = 1
        for name, attr in attrs:
            if name == "axis":
                axis = attr.i
        axis_name = f"{outs[0]}_axis"
        node = helper.make_node(op, (ins + [""])[:2] + [axis_name], outs)
        node.attribute.extend(a for name, a in attrs if name != "axis")
        return [node], [numpy_helper.from_array(np.array(axis, np.int64), axis_name)]
    node = helper.make_node(op, ins, outs, domain=domain or None)
    node.attribute.extend(a for _, a in attrs)
    return [node], []


def _signbit(x: str, out: str, elem_type: int, opset: int) -> tuple[list, list]:
    np_type = helper.tensor_dtype_to_np_dtype(elem_type)
    if uses_bitcast(opset):
        int_type = _FLOAT_TO_INT[elem_type]
        zero = numpy_helper.from_array(
            np.zeros((), helper.tensor_dtype_to_np_dtype(int_type)), f"{out}_izero")
        nodes = [helper.make_node("BitCast", [x], [f"{out}_bits"], to=int_type),
                 helper.make_node("Less", [f"{out}_bits", zero.name], [out])]
        return nodes, [zero]
    zero = numpy_helper.from_array(np.zeros((), np_type), f"{out}_zero")
    one = numpy_helper.from_array(np.ones((), np_type), f"{out}_one")
    t = f"{out}_t"
    nodes = [helper.make_node("Less", [x, zero.name], [t + "neg"]),
             helper.make_node("Equal", [x, zero.name], [t + "zero"]),
             helper.make_node("Div", [one.name, x], [t + "inv"]),
             helper.make_node("Less", [t + "inv", zero.name], [t + "invneg"]),
             helper.make_node("And", [t + "zero", t + "invneg"], [t + "negzero"]),
             helper.make_node("Or", [t + "neg", t + "negzero"], [out])]
    return nodes, [zero, one]


# Float types whose integer of the same width has an onnxruntime ``Where`` kernel.
_WHERE_BITS = {onnx.TensorProto.FLOAT: onnx.TensorProto.INT32,
               onnx.TensorProto.DOUBLE: onnx.TensorProto.INT64}


def _signed_where(ins: list[str], out: str, elem_type: int, opset: int) -> tuple[list, list]:
    cond, a, b = ins
    t = f"{out}_t"
    if uses_bitcast(opset) and elem_type in _WHERE_BITS:
        int_type = _WHERE_BITS[elem_type]
        nodes = [helper.make_node("BitCast", [a], [t + "a"], to=int_type),
                 helper.make_node("BitCast", [b], [t + "b"], to=int_type),
                 helper.make_node("Where", [cond, t + "a", t + "b"], [t + "bits"]),
                 helper.make_node("BitCast", [t + "bits"], [out], to=elem_type)]
        return nodes, []
    np_type = helper.tensor_dtype_to_np_dtype(elem_type)
    zero = numpy_helper.from_array(np.zeros((), np_type), f"{out}_zero")
    neg_zero = numpy_helper.from_array(np.array(-0.0, np_type), f"{out}_negzero")
    false = numpy_helper.from_array(np.array(False), f"{out}_false")
    # The last Where's condition is Equal(m, false), not Not(m): onnxruntime's optimizer
    # rewrites Where(Not(c), x, y) into Where(c, y, x), which would move the -0.0 into the
    # input that loses it.
    nodes = [helper.make_node("Where", [cond, a, b], [t + "sel"]),
             helper.make_node("Reciprocal", [a], [t + "inva"]),
             helper.make_node("Reciprocal", [b], [t + "invb"]),
             helper.make_node("Where", [cond, t + "inva", t + "invb"], [t + "inv"]),
             helper.make_node("Equal", [t + "sel", zero.name], [t + "zero"]),
             helper.make_node("Less", [t + "inv", zero.name], [t + "neg"]),
             helper.make_node("And", [t + "zero", t + "neg"], [t + "negzero"]),
             helper.make_node("Equal", [t + "negzero", false.name], [t + "keep"]),
             helper.make_node("Where", [t + "keep", t + "sel", neg_zero.name], [out])]
    return nodes, [zero, neg_zero, false]
