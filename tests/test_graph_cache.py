"""The recorder's node cache: single-output nodes as NodeValues, held strongly and pruned by
reference count (when the cache doubles and after every full collection)."""

import gc
import sys
import threading
import weakref

import pytest

import onnxarray as xp
from onnxarray import _graph, _ops

F64 = xp.float64


def _arg():
    return xp.argument(shape=("N",), dtype=F64)._v


def _node(op, inputs, n_out=1):
    return _graph.make_node(op, inputs, (), [(F64, (_graph.Dim("N"),))] * n_out)


def test_a_single_output_node_is_its_own_value():
    x, c = _arg(), _ops.const(2.0, F64)
    v = _node("Mul", [x, c])
    assert isinstance(v, _graph.Value) and type(v) is _graph.NodeValue
    assert v.node is v and v.outputs == (v,) and v.index == 0
    assert v.name is None and v.data is None and not v.is_concrete
    assert (v.op, v.domain, v.attrs, v.inputs) == ("Mul", "", (), (x, c))
    assert _graph.topological_order([v]) == [v]
    assert repr(v) == "Value<Mul#0: float64[N]>"
    for field in ("inputs", "outputs", "node", "index", "name", "data"):
        with pytest.raises(AttributeError):
            setattr(v, field, None)


@pytest.mark.parametrize("inputs", [(), ("x",), ("x", None), ("x", "c"), ("x", None, "c"),
                                    ("c", "x", "c", "x")])
def test_inputs_of_every_arity_are_kept_in_order(inputs):
    x, c = _arg(), _ops.const(2.0, F64)
    ins = tuple({"x": x, "c": c, None: None}[i] for i in inputs)
    v = _node("Custom", ins)
    assert v.inputs == ins and type(v.inputs) is tuple
    assert all(a is b for a, b in zip(v.inputs, ins))
    assert _node("Custom", list(ins)) is v  # hash-consed


def test_several_outputs_keep_a_node_of_their_own():
    x = _arg()
    node = _node("Split", [x], n_out=2)
    assert type(node) is _graph.Node and [o.index for o in node.outputs] == [0, 1]
    assert all(o.node is node for o in node.outputs)
    assert _node("Split", [x], n_out=2) is node
    ref = weakref.ref(node)
    del node
    gc.collect()
    assert ref() is None


ONE = _ops.const(1.0, F64)


def _chain(x, n, c=ONE):
    v = x
    for _ in range(n):
        v = _node("Add", [v, c])
    return v


def test_a_dropped_chain_is_freed_by_the_next_full_collection():
    x = _arg()
    gc.collect()
    _graph._NODE_CACHE.prune()  # earlier tests' dead entries, which growing would prune
    before = len(_graph._NODE_CACHE)
    first = _node("Add", [x, _ops.const(1.0, F64)])
    last = _chain(first, 20_000)
    refs = [weakref.ref(first), weakref.ref(last)]
    assert len(_graph._NODE_CACHE) >= before + 20_001
    del first, last
    gc.collect()
    assert [r() for r in refs] == [None, None]
    assert len(_graph._NODE_CACHE) <= before


def test_a_live_trace_is_kept_and_stays_hash_consed():
    x = _arg()
    last = _chain(x, 3_000)
    gc.collect()
    assert _chain(x, 3_000) is last  # every node found again in the cache


def test_the_cache_prunes_itself_as_it_grows():
    """Without any collection (the collector paused by this test only), dead entries go when
    the cache has doubled since its last pruning: memory stays within twice what is live."""
    x = _arg()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        _graph._NODE_CACHE.prune()
        live = len(_graph._NODE_CACHE)
        dead = _chain(x, 5_000, _ops.const(2.0, F64))
        ref = weakref.ref(dead)
        del dead
        kept = _chain(x, 2 * (live + 5_000) + _graph._NodeCache.MIN_LIMIT)
        assert ref() is None
        live_now = live + 2 * (live + 5_000) + _graph._NodeCache.MIN_LIMIT
        assert len(_graph._NODE_CACHE) <= 2 * live_now
        assert kept.inputs[0].op == "Add"
    finally:
        if was_enabled:
            gc.enable()


def test_recording_in_threads_while_the_cache_is_pruned():
    """Pruning runs in whichever thread grows the cache or collects; recording in other
    threads meanwhile still gets nodes with the right inputs (a node taken from the cache
    just as it is pruned merely stops being shared)."""
    x = _arg()
    consts = [_ops.const(float(i), F64) for i in range(64)]
    errors = []
    stop = threading.Event()

    def record(seed):
        try:
            for k in range(1_500):
                c = consts[(seed + k) % len(consts)]
                v = _node("Mul", [_node("Add", [x, c]), c])
                if v.op != "Mul" or v.inputs[1] is not c or v.inputs[0].inputs != (x, c):
                    errors.append((seed, k))
                    return
        except Exception as e:  # a thread's exception would not fail the test: fail it below
            errors.append(repr(e))

    def prune():
        while not stop.is_set():
            _graph._NODE_CACHE.prune()

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        pruner = threading.Thread(target=prune)
        pruner.start()
        workers = [threading.Thread(target=record, args=(s,)) for s in range(4)]
        for t in workers:
            t.start()
        for t in workers:
            t.join()
        stop.set()
        pruner.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
