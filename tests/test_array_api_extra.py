"""array-api-extra functions, unchanged, on onnxarray: eager, and exported and run in onnxruntime.

The reference is the same function on array-api-strict. Functions that read a shape through
array-api-extra's ``eager_shape`` need static sizes (it refuses any size that is not a Python
int); they are exported from arguments with fixed sizes.
"""

from __future__ import annotations

import array_api_strict as strict
import numpy as np
import onnx
import pytest
from parity import assert_close, run_model

import onnxarray as xp

xpx = pytest.importorskip("array_api_extra")

X = np.random.default_rng(0).normal(size=(5, 3))
V = np.array([3.0, 1.0, 2.0, 3.0, 1.0])
LABELS = np.array([2, 0, 1, 2, 0])

# name -> (function of (namespace, array), data, dynamic first dimension)
CASES = {
    "atleast_nd": (lambda ns, a: xpx.atleast_nd(a, ndim=3, xp=ns), X, True),
    "expand_dims": (lambda ns, a: xpx.expand_dims(a, axis=(0, 2), xp=ns), X, True),
    "isclose": (lambda ns, a: xpx.isclose(a, a + 1e-9, xp=ns), X, True),
    "nan_to_num": (lambda ns, a: xpx.nan_to_num(ns.log(a), xp=ns), X, True),
    "one_hot": (lambda ns, a: xpx.one_hot(a, 3, xp=ns), LABELS, True),
    "sinc": (lambda ns, a: xpx.sinc(a, xp=ns), X, True),
    "apply_where": (lambda ns, a: xpx.apply_where(a > 0, a, ns.sqrt, fill_value=0.0, xp=ns),
                    X, True),
    "at_set": (lambda ns, a: xpx.at(a)[1:3, :].set(0.0, xp=ns), X, True),
    "at_add": (lambda ns, a: xpx.at(a)[a > 0].add(1.0, xp=ns), X, True),
    "broadcast_shapes": (lambda ns, a: ns.zeros(xpx.broadcast_shapes(a.shape, (1, 3)),
                                               dtype=ns.float64) + a, X, True),
    "cov": (lambda ns, a: xpx.cov(a.T, xp=ns), X, False),
    "create_diagonal": (lambda ns, a: xpx.create_diagonal(a, xp=ns), V, False),
    "kron": (lambda ns, a: xpx.kron(a, a, xp=ns), X, False),
    "pad": (lambda ns, a: xpx.pad(a, 2, xp=ns), X, False),
    "partition": (lambda ns, a: xpx.partition(a, 2, xp=ns), V, False),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_function_runs_eager_and_exported(name):
    fn, data, dynamic = CASES[name]
    expected = np.asarray(fn(strict, strict.asarray(data, copy=True)))  # at() writes in place
    eager = np.asarray(fn(xp, xp.asarray(data, copy=True)))
    shape = (("N",) + data.shape[1:]) if dynamic else data.shape
    x = xp.argument(shape=shape, dtype=xp.asarray(data).dtype)
    model = xp.build({"x": x}, {"y": fn(xp, x)})
    onnx.checker.check_model(model, full_check=True)
    (exported,) = run_model(model, {"x": data})
    if name == "partition":  # only the k-th element's place is defined
        expected, eager, exported = (np.sort(a) for a in (expected, eager, exported))
    if expected.dtype.kind == "f":
        assert_close(eager, expected, f"{name} eager", rtol=1e-12, atol=1e-15)
    else:
        np.testing.assert_array_equal(eager, expected)
    assert exported.dtype == eager.dtype
    np.testing.assert_array_equal(exported, eager, err_msg=f"{name} exported vs eager")
    if dynamic:  # another batch size through the same model
        (short,) = run_model(model, {"x": data[:2]})
        np.testing.assert_array_equal(short, np.asarray(fn(xp, xp.asarray(data[:2]))))


def test_eager_shape_refuses_symbolic_sizes_clearly():
    x = xp.argument(shape=("N", 3), dtype=xp.float64)
    with pytest.raises(xp.SymbolicValueError, match="symbolic dimension N"):
        xpx.cov(x.T, xp=xp)
