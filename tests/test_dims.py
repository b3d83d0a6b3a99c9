"""Symbolic dimensions: integers known when the model runs, usable as sizes while recording."""

from __future__ import annotations

import math
import numbers
import operator

import numpy as np
import onnx
import pytest
from parity import run_model

import onnxarray as xp


def _arg(*shape, dtype=xp.float64):
    return xp.argument(shape=shape, dtype=dtype)


def test_shape_entries_are_symbolic_integers():
    x = _arg("N", 3, None)
    n, three, anon = x.shape
    assert three == 3 and type(three) is int
    assert isinstance(n, xp.SymbolicDim) and isinstance(n, numbers.Integral)
    assert repr(n) == "N" and isinstance(anon, xp.SymbolicDim)
    assert n == _arg("N").shape[0]  # dims with one name are one size
    assert hash(n) == hash(_arg("N").shape[0])
    assert n != None  # noqa: E711 - `None in x.shape` must answer, not raise
    assert None not in x.shape


def test_arithmetic_is_canonical():
    n, m = _arg("N", "M").shape
    assert n + n == 2 * n and n * m == m * n and (n + 1) * 2 == 2 * n + 2
    assert n - n == 0 and type(n - n) is int and (n * 3) // 3 == n and (n * 4) % 2 == 0
    assert repr(2 * n * m - n + 1) == "2*M*N - N + 1"
    assert repr((n + 1) // 2) == "((N + 1) // 2)"
    assert math.prod(_arg("N", 3, "M").shape) == 3 * n * m
    assert _arg("N", 3).size == 3 * n


def test_comparisons_decided_by_bounds_or_refused():
    n, m = _arg("N", "M").shape
    assert n >= 1 and n > 0 and not n < 1 and n != 0 and bool(n) and not n == 0
    assert n + 1 > n and n <= n + m and max(n, 1) is n
    for op in (operator.eq, operator.lt, operator.gt, operator.le, operator.ge):
        with pytest.raises(xp.InconclusiveDimensionError, match="cannot be decided"):
            op(n, 5)
    with pytest.raises(xp.InconclusiveDimensionError):
        bool(n == m)
    # a data-dependent size may be 0
    (k,) = xp.nonzero(_arg("N") > 0)[0].shape
    assert k >= 0
    with pytest.raises(xp.InconclusiveDimensionError):
        bool(k)


def test_values_are_refused_with_a_message():
    (n,) = _arg("N").shape
    for fn in (int, operator.index, float, range):
        with pytest.raises(xp.SymbolicValueError, match="only known when the exported model runs"):
            fn(n)
    with pytest.raises(TypeError):
        np.zeros((n, 2))
    with pytest.raises(ValueError, match="positive int"):
        n // 0
    with pytest.raises(xp.InconclusiveDimensionError, match="positive int"):
        n // n


def _run(inputs: dict, outputs: dict, feeds: dict) -> list[np.ndarray]:
    model = xp.build(inputs, outputs)
    onnx.checker.check_model(model, full_check=True)
    return run_model(model, feeds)


@pytest.mark.parametrize("rows", [1, 5])
def test_sizes_build_arrays_in_the_model(rows):
    x = _arg("N", 3)
    n = x.shape[0]
    outs = {
        "zeros": xp.zeros((n, 2), dtype=xp.int32),
        "full": xp.full((2 * n,), 1.5),
        "range": xp.arange(n),
        "range2": xp.arange(1, n + 1, 2, dtype=xp.float64),
        "flat": xp.reshape(x, (3 * n,)),
        "wide": xp.broadcast_to(xp.sum(x, axis=1, keepdims=True), (n, 4)),
        "mean": xp.sum(x, axis=0) / n,
        "count": n + xp.zeros((), dtype=xp.int64),
        "size": xp.asarray(0, dtype=xp.int64) + x.size,
    }
    assert outs["zeros"].shape == (n, 2) and outs["flat"].shape == (3 * n,)
    assert outs["range"].shape == (n,)
    data = np.arange(rows * 3, dtype=np.float64).reshape(rows, 3)
    got = dict(zip(outs, _run({"x": x}, outs, {"x": data})))
    assert got["zeros"].shape == (rows, 2) and got["zeros"].dtype == np.int32
    np.testing.assert_array_equal(got["full"], np.full(2 * rows, 1.5))
    np.testing.assert_array_equal(got["range"], np.arange(rows))
    np.testing.assert_array_equal(got["range2"], np.arange(1, rows + 1, 2, dtype=np.float64))
    np.testing.assert_array_equal(got["flat"], data.reshape(-1))
    np.testing.assert_array_equal(got["wide"], np.broadcast_to(data.sum(1, keepdims=True),
                                                               (rows, 4)))
    np.testing.assert_allclose(got["mean"], data.sum(0) / rows, rtol=1e-15)
    assert got["count"] == rows and got["size"] == 3 * rows


@pytest.mark.parametrize("rows, cols", [(0, 2), (1, 3), (4, 4), (5, 2)])
def test_eye_of_symbolic_sizes(rows, cols):
    x = _arg("N", "M")
    n, m = x.shape
    outs = {"square": xp.eye(n), "wide": xp.eye(n, m, k=1, dtype=xp.int32),
            "fixed_rows": xp.eye(3, m, k=-1), "shifted": x + xp.eye(n, m)}
    assert outs["square"].shape == (n, n) and outs["fixed_rows"].shape == (3, m)
    data = np.arange(rows * cols, dtype=np.float64).reshape(rows, cols)
    got = dict(zip(outs, _run({"x": x}, outs, {"x": data})))
    want = {"square": np.eye(rows), "wide": np.eye(rows, cols, k=1, dtype=np.int32),
            "fixed_rows": np.eye(3, cols, k=-1), "shifted": data + np.eye(rows, cols)}
    for key, w in want.items():
        assert got[key].dtype == w.dtype
        np.testing.assert_array_equal(got[key], w)


def test_data_dependent_size_drives_a_later_shape():
    x = _arg("N")
    picked = x[x > 0]
    (k,) = picked.shape
    out = xp.reshape(xp.stack([picked, picked]), (2 * k,))
    assert out.shape == (2 * k,)
    data = np.array([1.0, -2.0, 3.0, 0.5])
    (got,) = _run({"x": x}, {"y": out}, {"x": data})
    np.testing.assert_array_equal(got, np.concatenate([data[data > 0]] * 2))


def test_bad_sizes_still_rejected():
    (n,) = _arg("N").shape
    with pytest.raises(TypeError, match="zeros"):
        xp.zeros((n, 2.0))
    with pytest.raises(TypeError, match="arange"):
        xp.arange(0.5, n)
    with pytest.raises(TypeError, match="symbolic dimension"):
        xp.asarray(True) & n  # noqa: B018


def test_computed_sizes_name_output_dims():
    x = _arg("N", 3)
    model = xp.build({"x": x}, {"y": xp.reshape(x, (3 * x.shape[0],)), "z": x[x > 0]})
    dims = [[(d.dim_param or d.dim_value) for d in o.type.tensor_type.shape.dim]
            for o in model.graph.output]
    assert dims[0] == ["3*N"] and dims[1] == [0]  # 0: unknown, a data-dependent size
    (y, z) = run_model(model, {"x": np.ones((4, 3))})
    assert y.shape == (12,) and z.shape == (12,)
