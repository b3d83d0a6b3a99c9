"""The recorder: hash-consing, garbage collection, iterative walks."""

import gc

import numpy as np

import onnxarray as xp
from onnxarray import _graph, _ops


def _arg():
    return xp.argument(shape=("N",), dtype=xp.float64)._v


def test_identical_expressions_are_one_node():
    x = _arg()
    one = _ops.const(1.0, xp.float64)
    a = _ops.binary("Add", x, one)
    b = _ops.binary("Add", x, one)
    assert a is b
    c = _ops.binary("Add", x, _ops.const(1.0, xp.float64))  # another constant object
    assert c is not a


def test_unreferenced_nodes_are_collected():
    x = _arg()
    gc.collect()
    before = len(_graph._NODE_CACHE)
    vals = [_ops.binary("Mul", x, _ops.const(float(i), xp.float64)) for i in range(50)]
    assert len(_graph._NODE_CACHE) >= before + 50
    del vals
    gc.collect()
    assert len(_graph._NODE_CACHE) <= before


def test_nondeterministic_ops_are_never_shared():
    x = _arg()
    attrs = (("dtype", 11),)
    a = _graph.make_node("RandomUniformLike", [x], attrs, [(xp.float64, x.shape)])
    b = _graph.make_node("RandomUniformLike", [x], attrs, [(xp.float64, x.shape)])
    assert a is not b


def test_topological_order_of_a_long_chain_is_iterative():
    x = _arg()
    v = x
    one = _ops.const(1.0, xp.float64)
    for _ in range(100_000):
        v = _ops.binary("Add", v, one)
    order = _graph.topological_order([v])
    assert len(order) == 100_000
    assert order[0].inputs[0] is x
    assert order[-1] is v.node


def test_topological_order_puts_producers_first():
    x = _arg()
    a = _ops.unary("Exp", x)
    b = _ops.binary("Add", a, x)
    c = _ops.binary("Mul", b, a)
    order = _graph.topological_order([c])
    pos = {id(n): i for i, n in enumerate(order)}
    for n in order:
        for inp in n.inputs:
            if inp is not None and inp.node is not None:
                assert pos[id(inp.node)] < pos[id(n)]


def test_dims():
    n1, n2 = _graph.Dim("N"), _graph.Dim("N")
    assert n1 == n2 and hash(n1) == hash(n2)
    u1, u2 = _graph.Dim(), _graph.Dim()
    assert u1 != u2 and u1 == u1
    assert _ops.broadcast_shapes((n1, 3), (1, 3)) == (n1, 3)
    assert _ops.broadcast_shapes((u1, 1), (4, 5)) == (4, 5)


def test_concrete_inputs_run_now():
    a = _ops.const(np.arange(3.0), xp.float64)
    out = _ops.binary("Add", a, a)
    np.testing.assert_array_equal(out.data, [0.0, 2.0, 4.0])
