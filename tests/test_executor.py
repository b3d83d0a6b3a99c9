"""Eager execution compiles one session per node signature and reuses it."""

import numpy as np
import pytest

import onnxarray as xp
from onnxarray import _executor, _ops


def test_sessions_are_reused_across_shapes_of_one_rank():
    a = _ops.const(np.ones((2, 3)), xp.float64)
    _ops.binary("Sub", a, a)
    n = _executor.session_count()
    for shape in [(4, 5), (1, 7), (0, 3)]:
        b = _ops.const(np.ones(shape), xp.float64)
        out = _ops.binary("Sub", b, b)
        assert out.data.shape == shape
    assert _executor.session_count() == n


def test_sessions_are_reused_across_ranks():
    a = _ops.const(np.arange(6.0).reshape(2, 3), xp.float64)
    _ops.unary("Neg", a)
    n = _executor.session_count()
    for shape in [(), (5,), (2, 1, 3), (0, 2, 1, 1)]:
        b = _ops.const(np.full(shape, 2.5), xp.float64)
        out = _ops.unary("Neg", b)
        np.testing.assert_array_equal(out.data, np.full(shape, -2.5))
    assert _executor.session_count() == n


def test_new_signature_compiles_once():
    # Mod of uint16: a signature no other test compiles first, and no NumPy kernel's
    a = _ops.const(np.array([[1, 2], [3, 65535]], dtype=np.uint16), xp.uint16)
    n = _executor.session_count()
    _ops.binary("Mod", a, a)
    assert _executor.session_count() == n + 1
    _ops.binary("Mod", a, a)
    assert _executor.session_count() == n + 1


def test_kernel_gaps_take_the_detour_exactly():
    u = _ops.const(np.array([1, 2**64 - 1, 2**63, 5], dtype=np.uint64), xp.uint64)
    assert _ops.reduce("ReduceMax", u, None, False).data == np.uint64(2**64 - 1)
    assert _ops.reduce("ReduceMin", u, None, False).data == np.uint64(1)
    i16 = _ops.const(np.array([-32768, 32767], dtype=np.int16), xp.int16)
    out = _ops.binary("Max", i16, i16)
    assert out.dtype is xp.int16 and out.data.dtype == np.int16
    np.testing.assert_array_equal(out.data, [-32768, 32767])


def test_a_named_node_runs_in_its_session_named_by_its_message():
    """A run-time check's node carries its message as an attribute that ONNX does not know;
    the one-node session names the node with it instead, as an exported model does."""
    from onnxarray import _dtypes as D
    from onnxarray._executor import ExecutionError, run_node, run_session
    from onnxarray._graph import NODE_NAME_ATTR, Value

    def i64(*v):
        return Value(D.int64, (len(v),), data=np.array(v, np.int64))

    named = (("axis", 0), (NODE_NAME_ATTR, "index 1 of one element"))
    (out,) = run_session("Gather", "", named, [i64(7), i64(0)], [D.int64])
    np.testing.assert_array_equal(out, [7])
    # the NumPy kernel declines the index out of range: the session's failure names the check
    with pytest.raises(ExecutionError, match="failed to run Gather.*index 1 of one element"):
        run_node("Gather", "", named, [i64(7), i64(1)], [D.int64])
    # float arithmetic has no NumPy kernel: a named Add goes to its session
    x = Value(D.float64, (2,), data=np.array([1.5, -0.0]))
    (got,) = run_node("Add", "", ((NODE_NAME_ATTR, "a named sum"),), [x, x], [D.float64])
    assert got.tobytes() == np.array([3.0, -0.0]).tobytes()
