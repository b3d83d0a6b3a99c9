"""Value-range reasoning on the recorded graph: whether a float Value can hold a -0.0, and
whether it is provably never negative. Lowerings use it to skip the sign repairs that
onnxruntime's kernels would otherwise need (``_ops.where_signed``, the row spreads)."""

from __future__ import annotations

import numpy as np

from ._graph import Value

__all__ = ["SIGNED_WHERE", "may_be_negative_zero", "is_nonnegative"]

# the private node that selects and keeps every -0.0 of both branches (``_opset_forms``)
SIGNED_WHERE = "SignedWhere"

# Ops whose float result is never -0.0 (exp(-inf) and log(1) are +0.0; a cast from an integer
# or bool cannot make one), and ops that keep that property from some inputs.
_NEVER_NEGATIVE_ZERO = frozenset({"Exp", "Abs", "Log", "Softplus"})


def may_be_negative_zero(v: Value, depth: int = 4) -> bool:
    """Whether float ``v`` can hold a -0.0, by a shallow look at how it is computed."""
    data = v.data
    if data is not None:
        if data.dtype.kind != "f":
            return False
        zeros = data == 0  # count_nonzero: the cheapest test NumPy has for small arrays
        return np.count_nonzero(zeros) > 0 and np.count_nonzero(np.signbit(data[zeros])) > 0
    node = v.node
    if node is None or depth == 0:
        return True
    if is_nonnegative(v):
        return False
    op = node.op
    if op in _NEVER_NEGATIVE_ZERO:
        return False
    if op == "Cast":
        return node.inputs[0].dtype.kind == "f"
    if op in ("ReduceSum", "Sub"):  # x - y is -0.0 only if x is; a sum only if every term is
        return may_be_negative_zero(node.inputs[0], depth - 1)
    if op == "Add":
        return all(may_be_negative_zero(i, depth - 1) for i in node.inputs)
    if op == "Where" or op == SIGNED_WHERE:
        return any(may_be_negative_zero(i, depth - 1) for i in node.inputs[1:])
    if op in _NONNEGATIVE_FROM_FIRST and op != "Pow":  # moves or selects elements
        return may_be_negative_zero(node.inputs[0], depth - 1)
    if op == "Concat":
        return any(may_be_negative_zero(i, depth - 1) for i in node.inputs)
    return True


# Value-range reasoning on the recorded graph: ops whose float result has a clear sign bit
# (+0.0, a positive number, +inf or NaN) for any input, and ops that keep a clear sign bit
# from the inputs they read. Relu and Max/Min against a zero are not here: which zero a tie
# of -0.0 and +0.0 gives is onnxruntime's choice.
_NONNEGATIVE_ALWAYS = frozenset({"Abs", "Exp", "ReduceSumSquare", "ReduceL1", "ReduceL2",
                                 "Softmax", "IsNaN", "IsInf"})
_NONNEGATIVE_FROM_ALL = frozenset({"Add", "Mul", "Div", "Max", "Min", "Reciprocal", "Sqrt",
                                   "ReduceSum", "ReduceMean", "ReduceProd", "Concat"})
_NONNEGATIVE_FROM_FIRST = frozenset({"Expand", "Reshape", "Unsqueeze", "Squeeze", "Transpose",
                                     "Identity", "Slice", "Gather", "GatherElements",
                                     "Flatten", "Tile", "Pow"})
_NONNEGATIVE_DEPTH = 24


def is_nonnegative(v: Value) -> bool:
    """Whether no element of ``v`` is negative or -0.0 (NaNs aside), proved from the recorded
    graph: constants, abs, exp, squares (``x * x``, x ** 2), and sums, products, quotients,
    powers, reshapes and selections of such values; also ``p + p * m`` for |m| < 1 (the
    float64 exp lowering). A ``False`` only means not proved."""
    known: dict[int, bool] = {}
    return _nonnegative(v, _NONNEGATIVE_DEPTH, known)


def _nonnegative(v: Value, depth: int, known: dict[int, bool]) -> bool:
    if v.dtype.kind in "bu":
        return True
    if v.dtype.kind != "f":
        return v.data is not None and bool((v.data >= 0).all())
    data = v.data
    if data is not None:
        return not np.signbit(data[~np.isnan(data)]).any()
    node = v.node
    if node is None or depth == 0:
        return False
    key = id(v)
    if key in known:
        return known[key]
    known[key] = False  # while deciding: a cycle cannot prove anything
    result = _nonnegative_node(node, depth - 1, known)
    known[key] = result
    return result


def _nonnegative_node(node, depth: int, known: dict[int, bool]) -> bool:
    op, ins = node.op, node.inputs
    if op in _NONNEGATIVE_ALWAYS:
        return True
    if op == "Cast":
        return ins[0].dtype.kind in "bu" or _nonnegative(ins[0], depth, known)
    if op == "Mul" and ins[0] is ins[1]:
        return True  # a square
    if op == "Pow" and ins[1].data is not None and ins[1].data.size == 1 \
            and float(ins[1].data.reshape(())) == 2.0:
        return True
    if op == "Add" and _is_scaled_copy(ins[0], ins[1], depth, known):
        return True
    if op == "Where" or op == SIGNED_WHERE:
        return all(_nonnegative(i, depth, known) for i in ins[1:])
    if op == "Clip":  # x itself, or a bound
        return all(i is None or _nonnegative(i, depth, known) for i in ins)
    if op in _NONNEGATIVE_FROM_FIRST:
        return _nonnegative(ins[0], depth, known)
    if op in _NONNEGATIVE_FROM_ALL:
        return all(_nonnegative(i, depth, known) for i in ins if i is not None)
    return False


def _is_scaled_copy(a: Value, b: Value, depth: int, known: dict[int, bool]) -> bool:
    """``a + b`` or ``b + a`` is ``p + p * m`` with p >= 0 and |m| < 1: p (1 + m) >= 0, and
    the rounded sum cannot go below zero either (|p * m| rounds to at most p)."""
    for p, pm in ((a, b), (b, a)):
        node = pm.node
        if node is None or node.op != "Mul" or p not in node.inputs:
            continue
        m = node.inputs[1] if node.inputs[0] is p else node.inputs[0]
        bound = _magnitude_bound(m, 4)
        if bound is not None and bound < 1 and _nonnegative(p, depth, known):
            return True
    return False


def _magnitude_bound(v: Value, depth: int) -> float | None:
    """An upper bound on |v| (NaNs aside) from constants, Clip bounds and products, or None."""
    data = v.data
    if data is not None:
        finite = data[~np.isnan(data)] if data.dtype.kind == "f" else data
        return float(np.abs(finite).max()) if finite.size else 0.0
    node = v.node
    if node is None or depth == 0:
        return None
    if node.op == "Clip" and len(node.inputs) == 3 and None not in node.inputs:
        lo, hi = (_magnitude_bound(i, depth - 1) for i in node.inputs[1:])
        return None if lo is None or hi is None else max(lo, hi)
    if node.op == "Mul":
        parts = [_magnitude_bound(i, depth - 1) for i in node.inputs]
        return None if None in parts else parts[0] * parts[1]
    return None
