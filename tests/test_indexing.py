"""Boolean masks whose sizes are known only when the model runs: eager, jit and exported agree.

The standard: each axis of a mask has the size of the array axis it indexes, or 0 (it selects
nothing); any other size is an IndexError. Sizes known while recording are checked then; a
size known only at run time is checked by the model, which fails in a node named for the
mismatch (never a wrong selection, nor a failure inside an anonymous onnxruntime kernel).
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest

import onnxarray as xp
from onnxarray._complex_parts import pack, unpack

STATE = ort.capi.onnxruntime_pybind11_state
RUN_ERRORS = (STATE.Fail, STATE.RuntimeException, STATE.InvalidArgument)


def _session(model):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def _get(m, x, s):
    return x[m.take(s, m.nonzero(s > 1.0)[0], axis=0) > 0]  # a mask of data-dependent length


def _set_scalar(m, x, s):
    x = m.asarray(x, copy=True)
    x[m.take(s, m.nonzero(s > 1.0)[0], axis=0) > 0] = -0.0
    return x


def _set_0d(m, x, s):
    x = m.asarray(x, copy=True)
    x[m.take(s, m.nonzero(s > 1.0)[0], axis=0) > 0] = m.asarray(np.nan, dtype=x.dtype)
    return x


def _set_row(m, x, s):
    x = m.asarray(x, copy=True)
    x[m.take(s, m.nonzero(s > 1.0)[0], axis=0) > 0] = m.asarray(-7.5, dtype=x.dtype)[None]
    return x


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128])
@pytest.mark.parametrize("shape", [(4,), ("N",)])
@pytest.mark.parametrize("fn", [_get, _set_scalar, _set_0d, _set_row])
def test_mask_of_run_time_length(fn, shape, dtype):
    """Masks of every run-time length against an array of 4: 4 selects, 0 selects nothing,
    1 to 3 are refused (a mask of 1 was broadcast by Where to assign all four; one of 2
    read the first two)."""
    func = "__getitem__" if fn is _get else "__setitem__"
    x = xp.argument(shape=shape, dtype=xp.asarray(np.zeros(1, dtype)).dtype)
    s = xp.argument(shape=(4,), dtype=xp.float64)
    model = xp.build({"x": x, "s": s}, {"y": fn(xp, x, s)})
    sess = _session(model)
    jitted = xp.jit(lambda a, b: fn(xp, a, b))
    data = np.array([1.5, -0.0, np.inf, 3.0], dtype)
    complex_ = data.dtype.kind == "c"
    if complex_:
        data.imag = [-0.0, 2.0, np.nan, -1.0]
    for count in range(5):
        sel = np.array([2.0] * count + [0.0] * (4 - count))
        if count in (0, 4):
            want = np.asarray(fn(xp, xp.asarray(data), xp.asarray(sel)))
            exported = sess.run(None, {"x": pack(data) if complex_ else data, "s": sel})[0]
            exported = unpack(exported) if complex_ else exported
            assert exported.tobytes() == want.tobytes(), (count, exported, want)
            assert np.asarray(jitted(xp.asarray(data), xp.asarray(sel))).tobytes() == \
                want.tobytes()
            continue
        with pytest.raises(IndexError, match=f"{func}: boolean index shape"):
            fn(xp, xp.asarray(data), xp.asarray(sel))
        with pytest.raises(IndexError, match=f"{func}: boolean index shape"):
            jitted(xp.asarray(data), xp.asarray(sel))
        feed = pack(data) if complex_ else data
        with pytest.raises(RUN_ERRORS, match=f"{func}: boolean index shape does not match"):
            sess.run(None, {"x": feed, "s": sel})


def test_two_dimensional_mask_checks_each_axis():
    """A 2-d mask: each axis is its array axis's size or 0, checked axis by axis (a mask of
    (0, 5) against (3, 2) is refused: its second axis is neither 2 nor 0)."""
    x = xp.argument(shape=(3, 2), dtype=xp.float64)
    rows = xp.argument(shape=("R",), dtype=xp.bool)
    cols = xp.argument(shape=("C",), dtype=xp.bool)

    def fn(m, a, r, c):
        mask = r[:, None] & c[None, :]
        out = m.asarray(a, copy=True)
        out[mask] = 1.0
        return a[mask], out
    got, put = fn(xp, x, rows, cols)
    sess = _session(xp.build({"x": x, "r": rows, "c": cols}, {"get": got, "put": put}))
    data = np.arange(6.0).reshape(3, 2)
    for r, c in [(3, 2), (0, 2), (3, 0), (0, 0), (0, 5), (1, 2), (3, 1), (2, 2)]:
        rv, cv = np.arange(r) % 2 == 0, np.ones(c, bool)
        feeds = {"x": data, "r": rv, "c": cv}
        if r in (0, 3) and c in (0, 2):
            want = [np.asarray(o) for o in fn(xp, xp.asarray(data), xp.asarray(rv),
                                                  xp.asarray(cv))]
            for a, b in zip(sess.run(None, feeds), want, strict=True):
                assert a.tobytes() == b.tobytes() and a.shape == b.shape
            np.testing.assert_array_equal(want[0], data[rv[:, None] & cv[None, :]])
        else:
            with pytest.raises(IndexError, match="boolean index shape"):
                fn(xp, xp.asarray(data), xp.asarray(rv), xp.asarray(cv))
            with pytest.raises(RUN_ERRORS, match="boolean index shape does not match"):
                sess.run(None, feeds)


def test_mask_of_the_arrays_own_shape_needs_no_check():
    """x[x > 0] and x[x > 0] = v: the mask's sizes are the array's, nothing is checked and the
    assignment stays one Where."""
    x = xp.argument(shape=("N", 3), dtype=xp.float64)
    out = xp.asarray(x, copy=True)
    out[x > 0] = 0.0
    model = xp.build({"x": x}, {"get": x[x > 0], "put": out})
    ops = [n.op_type for n in model.graph.node]
    assert not [n.name for n in model.graph.node if n.name]
    assert "ScatterND" not in ops
