"""The recorder: hash-consing, garbage collection, iterative walks."""

import collections
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
    collections = []

    def count(phase, info):
        collections.append(phase)

    gc.callbacks.append(count)
    try:
        order = _graph.topological_order([v])
    finally:
        gc.callbacks.remove(count)
    assert len(order) == 100_000
    # no object made per node: the walk of a long trace starts no collection of its own (a
    # tuple per node started one every ~700 nodes, and full ones as the walk went deep)
    assert collections.count("start") <= 2
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


# -- a trace the cyclic garbage collector can afford ----------------------------------------------


def _tracked_after(fn):
    """(fn(), the GC-tracked objects alive after it, by type), after full collections."""
    gc.collect()
    out = fn()
    gc.collect()
    return out, collections.Counter(type(o).__name__ for o in gc.get_objects())


def _chain(n: int):
    x = xp.argument(shape=("N",), dtype=xp.float32)
    y = x
    for i in range(n):
        y = y + 1.0 if i % 2 == 0 else y * 0.5
    return x, y


def test_a_recorded_op_leaves_one_tracked_object():
    """The NodeValue (node and output in one); its inputs sit in slots, its cache entry is a
    strong one, and the cache key, the shape and the scalar operand are shared or untracked.
    Full collections walk every tracked object, so this count sets how tracing time grows with
    the trace's length. Measured as the difference between a trace of 2n and one of n ops,
    which cancels what other tests left."""
    n = 2_000
    short, few = _tracked_after(lambda: _chain(n))
    del short
    (x, y), many = _tracked_after(lambda: _chain(2 * n))
    per_op = {k: (many[k] - few[k]) / n for k in many if many[k] - few[k] > 0}
    assert per_op.pop("NodeValue", 0) == 1, per_op
    assert sum(per_op.values()) <= 0.1, per_op  # nothing else grows with the trace
    model = xp.build({"x": x}, {"y": y})
    assert len(model.graph.node) == 2 * n and len(model.graph.initializer) == 2


def test_cache_keys_by_input_identity_survive_id_reuse():
    """Keys name inputs by id; a dead input's id may be reused by a new Value, which must then
    get a node of its own."""
    seen = set()
    for _ in range(200):
        x = _arg()
        seen.add(id(x))
        node = _ops.unary("Neg", x).node
        assert node.inputs[0] is x
        del x, node
        _graph._NODE_CACHE.prune()  # drops the dead node, which held x: its id may be reused
    assert len(seen) < 200  # ids were reused, and each Value still got its own node


def test_single_and_multi_output_nodes():
    x = _arg()
    one = _graph.make_node("Neg", [x], (), [(xp.float64, x.shape)])
    assert type(one.outputs) is tuple and len(one.outputs) == 1
    assert one.outputs[0].node is one and one.outputs[0] is one.outputs[0]
    two = _graph.make_node("Split", [x], (("num_outputs", 2),),
                           [(xp.float64, (_graph.Dim(),)), (xp.float64, (_graph.Dim(),))])
    assert [v.index for v in two.outputs] == [0, 1] and two.outputs[1].node is two
    assert _graph.make_node("Neg", [x], (), [(xp.float64, x.shape)]) is one


def test_broadcast_shares_an_operand_shape():
    n = _graph.Dim("N")
    a, b = (n, 3), (3,)
    assert _ops.broadcast_shapes(a, b) is a
    assert _ops.broadcast_shapes((), b) is b
    assert _ops.broadcast_shapes((1, 3), (n, 1)) == (n, 3)


def test_python_scalars_share_one_constant_per_dtype_and_bits():
    x = xp.argument(shape=("N",), dtype=xp.float32)
    assert (x * 0.5)._v.node.inputs[1] is (x + 0.5)._v.node.inputs[1]
    pos, neg = (x * 0.0)._v.node.inputs[1], (x * -0.0)._v.node.inputs[1]
    assert pos is not neg and np.signbit(neg.data) and not np.signbit(pos.data)
    nan, minus_nan = (x + float("nan"))._v.node.inputs[1], (x + -float("nan"))._v.node.inputs[1]
    assert nan is not minus_nan and np.signbit(minus_nan.data) and not np.signbit(nan.data)
    d = xp.argument(shape=("N",), dtype=xp.float64)
    assert (d * 0.5)._v.node.inputs[1] is not (x * 0.5)._v.node.inputs[1]
    assert (d * 2)._v.node.inputs[1].data.dtype == np.float64
    assert not (x * 0.5)._v.node.inputs[1].data.flags.writeable  # shared, so read-only
