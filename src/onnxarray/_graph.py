"""The recorder: immutable values and hash-consed nodes. No onnx import, no graph object.

A ``Value`` is concrete (it holds a NumPy array), a graph input (it has a name) or the output
of a ``Node``. Nodes are built through a weak-value cache keyed on (op, domain, inputs,
attributes): identical sub-expressions are the same object, and nodes that nothing references
are collected. Walks are iterative so chains of any length work.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterable, Sequence

import numpy as np

from ._dtypes import DType

__all__ = ["Dim", "Value", "Node", "make_node", "constant", "topological_order",
           "NODE_NAME_ATTR"]

_counter = itertools.count()
# A node attribute that is not an ONNX attribute: export names the node with its value (a
# message) and drops it, so that a run-time check failing in that node says why (see
# _ops.check_nonzero).
NODE_NAME_ATTR = "onnxarray.node_name"


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


class Node:
    """One ONNX operator application. Attributes are a sorted tuple of (name, value) pairs."""

    __slots__ = ("op", "domain", "inputs", "attrs", "outputs", "__weakref__")

    def __init__(self, op: str, domain: str, inputs: tuple, attrs: tuple) -> None:
        self.op = op
        self.domain = domain
        self.inputs = inputs
        self.attrs = attrs
        self.outputs: tuple[Value, ...] = ()

    def __repr__(self) -> str:
        return f"Node<{self.op}>"


_NODE_CACHE: weakref.WeakValueDictionary = weakref.WeakValueDictionary()
# Operators whose results differ between runs must never be shared.
NONDETERMINISTIC = frozenset({"RandomNormal", "RandomUniform", "RandomNormalLike",
                              "RandomUniformLike", "Multinomial", "Bernoulli"})


def make_node(op: str, inputs: Sequence[Value | None], attrs: tuple,
              out_types: Sequence[tuple[DType, Shape]], domain: str = "") -> Node:
    """Return the node for (op, inputs, attrs), reusing an identical one if it exists."""
    inputs = tuple(inputs)
    key = (op, domain, inputs, attrs, len(out_types))
    if op not in NONDETERMINISTIC:
        node = _NODE_CACHE.get(key)
        if node is not None:
            return node
    node = Node(op, domain, inputs, attrs)
    node.outputs = tuple(Value(dt, tuple(sh), node, i) for i, (dt, sh) in enumerate(out_types))
    if op not in NONDETERMINISTIC:
        _NODE_CACHE[key] = node
    return node


def constant(data: np.ndarray, dtype: DType) -> Value:
    return Value(dtype, data.shape, data=data)


def topological_order(outputs: Iterable[Value]) -> list[Node]:
    """Nodes needed for ``outputs``, producers first; an iterative depth-first walk."""
    order: list[Node] = []
    seen: set[int] = set()
    stack: list[tuple[Node, bool]] = []
    for v in outputs:
        if v.node is not None:
            stack.append((v.node, False))
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for inp in reversed(node.inputs):
            if inp is not None and inp.node is not None and id(inp.node) not in seen:
                stack.append((inp.node, False))
    return order
