"""The parts of the linalg and fft extensions that exist: parity with array-api-strict."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import check, to_onnxarray

import onnxarray as xp

FLOAT64 = st.floats(-10, 10)


def mats(min_dims=2, shape=None):
    shp = shape if shape is not None else hnp.array_shapes(min_dims=min_dims, max_dims=4,
                                                          max_side=4)
    return hnp.arrays(np.float64, shp, elements=FLOAT64)


@given(mats())
def test_diagonal_and_trace(a):
    for off in (-1, 0, 2):
        check(lambda m, x, k=off: m.linalg.diagonal(x, offset=k), a, dynamic=False)
        check(lambda m, x, k=off: m.linalg.trace(x, offset=k), a, dynamic=False, rtol=1e-12)


@given(hnp.arrays(np.int64, st.integers(0, 4)), hnp.arrays(np.int64, st.integers(0, 4)))
def test_outer(a, b):
    check(lambda m, x, y: m.linalg.outer(x, y), a, b)


@given(mats(shape=hnp.array_shapes(min_dims=1, max_dims=3, max_side=3).map(
    lambda s: s[:-1] + (3,))))
def test_cross(a):
    check(lambda m, x: m.linalg.cross(x, m.flip(x, axis=-1)), a, rtol=1e-12)


@pytest.mark.parametrize("ord", [1, 2, 3, 0, np.inf, -np.inf])
@given(a=mats(min_dims=1))
def test_vector_norm(a, ord):
    check(lambda m, x: m.linalg.vector_norm(x, axis=-1, ord=ord), a, rtol=1e-12)


@pytest.mark.parametrize("ord", ["fro", 1, -1, np.inf, -np.inf])
@given(a=mats(shape=hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=4)))
def test_matrix_norm(a, ord):
    check(lambda m, x: m.linalg.matrix_norm(x, ord=ord, keepdims=True), a, rtol=1e-12)


@pytest.mark.parametrize("n", [0, 1, 2, 5])
@given(a=hnp.arrays(np.float64, st.sampled_from([(2, 2), (3, 3, 3)]), elements=st.floats(-2, 2)))
def test_matrix_power(a, n):
    check(lambda m, x: m.linalg.matrix_power(x, n), a, rtol=1e-10, atol=1e-12,
          dynamic=False)


def test_linalg_reexports_the_main_namespace_functions():
    assert xp.linalg.matmul is xp.matmul and xp.linalg.vecdot is xp.vecdot
    assert xp.linalg.tensordot is xp.tensordot
    assert xp.linalg.matrix_transpose is xp.matrix_transpose


def test_linalg_errors():
    with pytest.raises(ValueError, match="matrix_power: needs square matrices"):
        xp.linalg.matrix_power(to_onnxarray(np.ones((2, 3))), 2)
    with pytest.raises(TypeError, match="matrix_power: n must be an int"):
        xp.linalg.matrix_power(to_onnxarray(np.eye(2)), 1.5)
    with pytest.raises(ValueError, match="matrix_norm: unsupported ord 3"):
        xp.linalg.matrix_norm(to_onnxarray(np.eye(2)), ord=3)
    with pytest.raises(ValueError, match="outer: needs two 1-D"):
        xp.linalg.outer(to_onnxarray(np.eye(2)), to_onnxarray(np.ones(2)))
    with pytest.raises(TypeError, match="vector_norm: needs a floating-point"):
        xp.linalg.vector_norm(to_onnxarray(np.ones(2, dtype=np.int64)))
    with pytest.raises(ValueError, match="cross: the axis must have size 3"):
        xp.linalg.cross(to_onnxarray(np.ones(2)), to_onnxarray(np.ones(2)))


@pytest.mark.parametrize("n", [1, 2, 5, 8])
@pytest.mark.parametrize("d", [1.0, 0.5])
def test_fftfreq_matches_reference(n, d):
    np.testing.assert_allclose(np.asarray(xp.fft.fftfreq(n, d=d)), np.fft.fftfreq(n, d=d),
                               rtol=1e-15)
    np.testing.assert_allclose(np.asarray(xp.fft.rfftfreq(n, d=d)), np.fft.rfftfreq(n, d=d),
                               rtol=1e-15)


@given(hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=3, max_side=5)))
def test_fftshift_and_inverse(a):
    check(lambda m, x: m.fft.fftshift(x), a, dynamic=False)
    check(lambda m, x: m.fft.ifftshift(x, axes=0), a, dynamic=False)
    check(lambda m, x: m.fft.ifftshift(m.fft.fftshift(x)), a, dynamic=False)


@pytest.mark.parametrize("ord", [np.inf, -np.inf])
def test_vector_norm_inf_of_a_vector_empty_only_when_the_model_runs(ord):
    """An axis of unknown size may be empty when the model runs: the largest magnitude of no
    elements is 0 there, the smallest inf, as eagerly (ord=inf raised the zero-size check of
    max); elsewhere the exported norm has the eager bits, and a NaN propagates for both ords
    (ReduceMin skipped it)."""
    import onnxruntime as ort
    x = xp.argument(shape=("n", 3), dtype=xp.float64)
    model = xp.build({"x": x}, {"y": xp.linalg.vector_norm(x, axis=0, ord=ord,
                                                            keepdims=True)})
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    for a in (np.zeros((0, 3)), np.array([[1.5, -np.inf, np.nan], [-2.0, 0.25, 1.0]]),
              np.array([[-0.0, 1e-310, -7.0]])):
        eager = np.asarray(xp.linalg.vector_norm(xp.asarray(a), axis=0, ord=ord,
                                                 keepdims=True))
        np.testing.assert_array_equal(sess.run(None, {"x": a})[0], eager)
        empty = np.full((1, 3), 0.0 if ord > 0 else np.inf)
        np.testing.assert_array_equal(
            eager, np.linalg.norm(a, ord, axis=0, keepdims=True) if a.size else empty)
