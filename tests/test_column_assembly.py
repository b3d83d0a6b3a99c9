"""Assigning columns of an array whose leading size is known only when the model runs.

``x[:, a:b] = v`` (and ``x[:, j] = v``) on an array of symbolic rows records a Concat of the
parts of ``x`` around the selection and the value, not a ScatterND with indices built from the
row count; slices of such a Concat read its parts. Columns assembled one assignment after
another (scikit-learn's ``PolynomialFeatures``) then export as one Concat of the values. The
exported model must give eager's bits (signed zeros, NaN payloads, infinities, subnormals),
at every batch size including 0 and 1.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from parity import assert_identical, run_model

import onnxarray as xp


def _ops(model) -> Counter:
    return Counter(n.op_type for n in model.graph.node)


def _special_rows(n: int, width: int, dtype) -> np.ndarray:
    fi = np.finfo(dtype)
    pool = np.array([-0.0, 0.0, np.nan, -np.nan, np.inf, -np.inf, fi.smallest_subnormal,
                     -fi.max, 1.5, -2.25], dtype)
    out = pool[(np.arange(n * width) * 7) % pool.size].reshape(n, width)
    if out.size:
        out.view(f"u{np.dtype(dtype).itemsize}").reshape(-1)[0] |= 1  # a NaN payload or a bit
    return out


def _assemble(x):
    """Columns written one assignment at a time, each reading earlier ones."""
    n = x.shape[0]
    out = xp.empty((n, 9), dtype=x.dtype)
    out[:, 0] = 1
    out[:, 1:4] = x
    out[:, 4:7] = out[:, 1:4] * x[:, 0:1]
    out[:, -2] = out[:, 2]  # an int key on the last axis, counted from the end
    out[:, 8:9] = -0.0  # a scalar broadcast to the selection
    out[:, 5:5] = 3.0  # selects nothing
    return out, out[:, 2:6]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_columns_assigned_one_by_one_export_as_one_concat(dtype):
    arg = xp.argument(shape=("N", 3), dtype=xp._dtypes.BY_NUMPY[np.dtype(dtype)])
    whole, part = _assemble(arg)
    model = xp.build({"x": arg}, {"whole": whole, "part": part})
    ops = _ops(model)
    assert ops["ScatterND"] == 0, ops
    joins = [n for n in model.graph.node if n.op_type == "Concat" and n.attribute[0].i == 1]
    # the assembled columns, and `part` that reads two of them
    assert sorted(o for n in joins for o in n.output) == ["part", "whole"], ops
    for n in (0, 1, 5):
        rows = _special_rows(n, 3, dtype)
        got = run_model(model, {"x": rows})
        eager = [np.asarray(a) for a in _assemble(xp.asarray(rows))]
        for name, g, e in zip(("whole", "part"), got, eager):
            assert_identical(g, e, f"{name}, {n} rows: exported vs eager")
        expected = np.empty((n, 9), dtype)
        expected[:, 0] = 1
        expected[:, 1:4] = rows
        with np.errstate(invalid="ignore"):  # inf * 0
            expected[:, 4:7] = rows * rows[:, 0:1]
        expected[:, 7] = rows[:, 1]
        expected[:, 8] = -0.0
        assert_identical(eager[0], expected, f"{n} rows: eager vs NumPy")


def test_slices_of_a_concat_read_its_parts():
    a = xp.argument(shape=("N", 2), dtype=xp.float64)
    b = xp.argument(shape=("N", 3), dtype=xp.float64)
    both = xp.concat([a, b], axis=1)
    outs = {"inside": both[:, 3:5], "column": both[:, 1], "across": both[:, 1:4],
            "reversed": both[:, ::-1]}
    model = xp.build({"a": a, "b": b}, outs)
    av = _special_rows(4, 2, np.float64)
    bv = _special_rows(4, 3, np.float64)[::-1].copy()
    got = dict(zip(outs, run_model(model, {"a": av, "b": bv})))
    whole = np.concatenate([av, bv], axis=1)
    expected = {"inside": whole[:, 3:5], "column": whole[:, 1], "across": whole[:, 1:4],
                "reversed": whole[:, ::-1]}
    for name in outs:
        assert_identical(got[name], expected[name], name)
    # "inside" is a slice of b alone; "across" concatenates a slice of each
    inside = next(n for n in model.graph.node if "inside" in n.output)
    assert inside.op_type == "Slice" and inside.input[0] == "b"


@pytest.mark.parametrize("key", [(slice(None), slice(0, 4, 2)), (0, slice(1, 3)),
                                 (slice(None), slice(None, None, -1))])
def test_other_keys_keep_their_form(key):
    """Keys outside the spliced form (a step, a row) still assign the right elements."""
    def fn(x):
        y = xp.asarray(x, copy=True)
        y[key] = -0.0
        return y

    arg = xp.argument(shape=("N", 4), dtype=xp.float64)
    model = xp.build({"x": arg}, {"y": fn(arg)})
    rows = _special_rows(3, 4, np.float64)
    (got,) = run_model(model, {"x": rows})
    expected = rows.copy()
    expected[key] = -0.0
    assert_identical(got, expected, f"{key}")
    assert_identical(np.asarray(fn(xp.asarray(rows))), expected, f"{key} eager")


def test_a_value_that_does_not_fit_is_an_error():
    arg = xp.argument(shape=("N", 4), dtype=xp.float64)
    y = xp.zeros((arg.shape[0], 6), dtype=xp.float64)
    with pytest.raises(ValueError, match="__setitem__"):
        y[:, 0:2] = arg


def test_string_columns():
    def fn(x):
        out = xp.full((x.shape[0], 4), "", dtype=xp.string)
        out[:, 1:3] = x
        out[:, 0] = "é"
        return out, xp.roll(out, 1, axis=1)[:, 1:3][:, 1:2]

    arg = xp.argument(shape=("N", 2), dtype=xp.string)
    model = xp.build({"x": arg}, dict(zip("ab", fn(arg))))
    assert _ops(model)["ScatterND"] == 0
    rows = np.array([["x", "y"], ["zz", ""]], dtype=object)
    got = run_model(model, {"x": rows})
    eager = [np.asarray(v) for v in fn(xp.asarray(rows))]
    expected = np.array([["é", "x", "y", ""], ["é", "zz", "", ""]], dtype=object)
    for g, e, want in zip(got, eager, (expected, expected[:, 1:2])):
        assert g.tolist() == e.tolist() == want.tolist()
