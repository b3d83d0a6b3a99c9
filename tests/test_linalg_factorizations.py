"""The linalg factorizations and solvers: eager == exported (static and symbolic batch
dimensions) == compiled plan, agreement with NumPy / array-api-strict, and errors."""

from __future__ import annotations

import array_api_strict as strict
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import assert_close, reference_solve, run_model, to_onnxarray, to_strict

import onnxarray as oxp
from onnxarray._plans import PROMOTE_AFTER

pytestmark = pytest.mark.usefixtures("sync_plans")  # plans on the promoting call

FLOATS = [np.float32, np.float64]
TOL = {np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-10}
# eager against plan and exported model: the same algorithm, rounded a little differently
TIGHT = {np.dtype(np.float32): 2e-6, np.dtype(np.float64): 1e-14}
BATCHES = [(), (1,), (3,), (2, 2)]
FEW = settings(max_examples=6, deadline=None)


def tol(a) -> dict:
    t = TOL[np.dtype(getattr(a, "dtype", a))]
    return {"rtol": t, "atol": t}


@st.composite
def general(draw, square=True, max_side=4):
    """A well-conditioned stack: entries in [-1, 1] plus n + 1 on the diagonal (strictly
    diagonally dominant, so never singular)."""
    dt = draw(st.sampled_from(FLOATS))
    batch = draw(st.sampled_from(BATCHES))
    m = draw(st.integers(1, max_side))
    n = m if square else draw(st.integers(1, max_side))
    a = draw(hnp.arrays(np.float64, batch + (m, n), elements=st.floats(-1, 1)))
    return (a + (max(m, n) + 1) * np.eye(m, n)).astype(dt)


@st.composite
def spd(draw):
    """Symmetric positive definite: A @ A.T + n I."""
    a = draw(general())
    n = a.shape[-1]
    s = a.astype(np.float64)
    return (s @ np.swapaxes(s, -1, -2) + n * np.eye(n)).astype(a.dtype)


def _agree(actual, expected, what, t):
    assert_close(actual, expected, what, rtol=t, atol=t * max(1.0, float(np.abs(expected).max(
        initial=0))))


def _run_export(fn, arrays, symbolic_batch: bool, invariant=None):
    args = {}
    for i, a in enumerate(arrays):
        lead = max(a.ndim - 2, 0) if symbolic_batch else 0
        shape = tuple(f"x{i}_b{j}" for j in range(lead)) + a.shape[lead:]
        args[f"x{i}"] = oxp.argument(shape=shape, dtype=oxp._dtypes.BY_NUMPY[a.dtype])
    outs = fn(oxp, *args.values())
    outs = outs if isinstance(outs, tuple) else (outs,)
    model = oxp.build(args, {f"y{i}": o for i, o in enumerate(outs)}, allow_unused_inputs=True)
    onnx.checker.check_model(model, full_check=True)
    if symbolic_batch:
        dims = [d.dim_param for d in model.graph.input[0].type.tensor_type.shape.dim]
        assert dims[:arrays[0].ndim - 2] == [f"x0_b{j}" for j in range(arrays[0].ndim - 2)]
    return run_model(model, {f"x{i}": a for i, a in enumerate(arrays)}, invariant)


def both(fn, *arrays, reference=True, rtol=1e-7, atol=0.0, invariant=None):
    """Eager, compiled plan, exported model (static shapes, then symbolic batch dimensions)
    and array-api-strict agree; returns the eager results.

    The exported model runs with all of onnxruntime's optimizations, whose fusions (a Transpose
    folded into FusedMatMul, say) may round sums differently, so agreement is within a few ulps
    rather than bit for bit.
    """
    arrays = [np.asarray(a) for a in arrays]

    def call(xp, args):
        out = fn(xp, *args)
        return [np.asarray(o) for o in (out if isinstance(out, tuple) else (out,))]

    eager = call(oxp, [to_onnxarray(a) for a in arrays])
    kind = eager[0].dtype.kind
    t = TIGHT[np.dtype(np.finfo(eager[0].dtype).dtype)] if kind in "fc" else 0.0
    for _ in range(PROMOTE_AFTER):  # the third call runs as a compiled plan
        again = call(oxp, [to_onnxarray(a) for a in arrays])
    for k, (a, e) in enumerate(zip(again, eager)):
        _agree(a, e, f"plan output {k}", t)
    for symbolic in (False, True):
        ran = _run_export(fn, arrays, symbolic, invariant)
        for k, (r, e) in enumerate(zip(ran, eager)):
            _agree(r, e, f"exported output {k} (symbolic batch: {symbolic})", t)
    if reference:
        ref = [np.asarray(r._array) for r in (lambda o: o if isinstance(o, tuple) else (o,))(
            fn(strict, *[to_strict(a) for a in arrays]))]
        for k, (e, r) in enumerate(zip(eager, ref)):
            assert_close(e, r, f"output {k} vs array-api-strict", rtol, atol)
    return eager


def eye_like(g):
    return np.broadcast_to(np.eye(g.shape[-1]), g.shape)


def mT(a):
    return np.swapaxes(a, -1, -2)


def assert_orthonormal_columns(q, t):
    np.testing.assert_allclose(mT(q) @ q, eye_like(mT(q) @ q), atol=t)


# ---------------------------------------------------------------------------------------------
# LU-based: det, slogdet, inv, solve, matrix_power


@FEW
@given(general())
def test_det_and_slogdet(a):
    both(lambda xp, x: xp.linalg.det(x), a, **tol(a))
    both(lambda xp, x: tuple(xp.linalg.slogdet(x)), a, **tol(a))
    res = oxp.linalg.slogdet(to_onnxarray(a))
    assert res.sign is res[0] and res.logabsdet is res[1]


@FEW
@given(general())
def test_inv(a):
    both(lambda xp, x: xp.linalg.inv(x), a, **tol(a))


@st.composite
def solve_case(draw):
    a = draw(general())
    n = a.shape[-1]
    if draw(st.booleans()):
        b_shape = (n,)
    else:
        batch = a.shape[:-2][draw(st.integers(0, a.ndim - 2)):]  # a broadcastable suffix
        b_shape = batch + (n, draw(st.integers(1, 3)))
    b = draw(hnp.arrays(np.float64, b_shape, elements=st.floats(-2, 2)))
    return a, b.astype(draw(st.sampled_from(FLOATS)))


@FEW
@given(solve_case())
def test_solve(case):
    a, b = case
    t = tol(np.result_type(a, b))
    out = both(lambda xp, x, y: xp.linalg.solve(x, y), a, b, **t)
    expected = reference_solve(a, b)
    np.testing.assert_allclose(out[0], expected, **t)


def test_solve_broadcasts_batches():
    a = np.eye(3) * 2 + np.arange(9).reshape(3, 3) / 10
    b = np.arange(12, dtype=np.float64).reshape(2, 1, 3, 2)
    out = both(lambda xp, x, y: xp.linalg.solve(x, y), np.stack([a, a.T]), b,
                rtol=1e-12)
    assert out[0].shape == (2, 2, 3, 2)


@FEW
@given(general(), st.sampled_from([-1, -2, -3]))
def test_matrix_power_negative(a, n):
    both(lambda xp, x: xp.linalg.matrix_power(x, n), a, **tol(a))


def test_singular_matrices():
    a = np.array([[[1.0, 2.0], [2.0, 4.0]], [[0.0, 0.0], [0.0, 0.0]]])
    np.testing.assert_array_equal(np.asarray(oxp.linalg.det(to_onnxarray(a))), [0.0, 0.0])
    sign, logabs = oxp.linalg.slogdet(to_onnxarray(a))
    np.testing.assert_array_equal(np.asarray(sign), [0.0, 0.0])
    np.testing.assert_array_equal(np.asarray(logabs), [-np.inf, -np.inf])


def test_pivoting_handles_zero_leading_entries():
    p = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])
    a = p @ np.diag([2.0, 3.0, 5.0])
    both(lambda xp, x: xp.linalg.det(x), a, rtol=1e-15)
    both(lambda xp, x: xp.linalg.inv(x), a, rtol=1e-15)


# ---------------------------------------------------------------------------------------------
# Cholesky and QR


@FEW
@given(spd(), st.booleans())
def test_cholesky(s, upper):
    out = both(lambda xp, x: xp.linalg.cholesky(x, upper=upper), s, **tol(s))[0]
    tri = np.triu(out) if upper else np.tril(out)
    np.testing.assert_array_equal(out, tri)


@FEW
@given(general(square=False), st.sampled_from(["reduced", "complete"]))
def test_qr(a, mode):
    q, r = both(lambda xp, x: tuple(xp.linalg.qr(x, mode=mode)), a, reference=False)
    m, n = a.shape[-2:]
    k = m if mode == "complete" else min(m, n)
    assert q.shape == a.shape[:-2] + (m, k) and r.shape == a.shape[:-2] + (k, n)
    t = TOL[a.dtype]
    np.testing.assert_allclose(q @ r, a, rtol=t, atol=t * np.abs(a).max())
    assert_orthonormal_columns(q, t)
    np.testing.assert_array_equal(r, np.triu(r))


# ---------------------------------------------------------------------------------------------
# eigh, eigvalsh


@FEW
@given(spd() | general().map(lambda a: (a + mT(a)) / 2))
def test_eigh(s):
    t = TOL[s.dtype]
    scale = np.abs(s).max()

    def eigendecomposition(outs):
        # the eigenvectors of a repeated eigenvalue are any basis of its eigenspace: another
        # rounding (the optimized model, the reference implementation) may pick another one
        w, v = outs
        np.testing.assert_allclose(w, np.linalg.eigvalsh(s.astype(np.float64)), rtol=t,
                                   atol=t * scale)
        assert np.all(np.diff(w, axis=-1) >= 0)
        np.testing.assert_allclose(v @ (w[..., None] * mT(v)), s, rtol=t, atol=t * scale)
        assert_orthonormal_columns(v, t)

    w, v = both(lambda xp, x: tuple(xp.linalg.eigh(x)), s, reference=False,
                invariant=eigendecomposition)
    eigendecomposition((w, v))
    both(lambda xp, x: xp.linalg.eigvalsh(x), s, **{"rtol": t, "atol": t * scale})


def test_eigh_reads_the_lower_triangle():
    a = np.array([[2.0, 100.0], [1.0, 2.0]])
    w = np.asarray(oxp.linalg.eigvalsh(to_onnxarray(a)))
    np.testing.assert_allclose(w, np.linalg.eigvalsh(a), rtol=1e-15)


@pytest.mark.parametrize("n", [16, 64])
def test_jacobi_converges_for_larger_matrices(n):
    """The fixed number of sweeps reaches float64 accuracy, also with eigenvalues that repeat
    n/4 times (integers), which converge slowest."""
    rng = np.random.default_rng(n)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)))
    spectra = [np.round(rng.standard_normal(n)), np.round(rng.standard_normal(n), 1),
               rng.standard_normal(n)]
    a = np.stack([(q * ev) @ q.T for ev in spectra])
    a = (a + mT(a)) / 2
    w, v = (np.asarray(r) for r in oxp.linalg.eigh(to_onnxarray(a)))
    np.testing.assert_allclose(w, np.linalg.eigvalsh(a), atol=1e-13)
    np.testing.assert_allclose(v @ (w[..., None] * mT(v)), a, atol=1e-10)
    assert_orthonormal_columns(v, 1e-13)
    u, s, vh = (np.asarray(r) for r in oxp.linalg.svd(to_onnxarray(a)))
    np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), atol=1e-10)
    np.testing.assert_allclose((u * s[..., None, :]) @ vh, a, atol=1e-10)
    assert_orthonormal_columns(u, 1e-13)


# ---------------------------------------------------------------------------------------------
# svd, svdvals, pinv, matrix_rank, matrix_norm


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_svd_of_repeated_values(dtype):
    a = np.array([[6., 1., 1., 1.], [1., 6., 1., 1.], [1., 1., 6., 1.]], dtype)
    x = oxp.argument(shape=a.shape, dtype=oxp._dtypes.BY_NUMPY[a.dtype])
    model = oxp.build({"x": x}, dict(zip("usv", oxp.linalg.svd(x, full_matrices=False))))
    plain = ort.SessionOptions()
    plain.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    runs = [ort.InferenceSession(model.SerializeToString(), options,
                                 providers=["CPUExecutionProvider"]).run(None, {"x": a})
            for options in (plain, ort.SessionOptions())]  # as recorded, and fused
    for out in (oxp.linalg.svd(to_onnxarray(a), full_matrices=False), *runs):
        u, s, vh = (np.asarray(r, np.float64) for r in out)
        tol = 1e-4 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(s, np.linalg.svd(a.astype(np.float64), compute_uv=False),
                                   rtol=tol)
        np.testing.assert_allclose((u * s) @ vh, a, atol=tol * s[0])
        np.testing.assert_allclose(u.T @ u, np.eye(3), atol=tol)
        np.testing.assert_allclose(vh @ vh.T, np.eye(3), atol=tol)


@FEW
@given(general(square=False), st.booleans())
def test_svd(a, full):
    # Singular vectors of a repeated singular value are any basis of their subspace: rounding
    # differences (onnxruntime's fused kernels in the exported run) may pick another one, so
    # outputs are compared element by element only where the values are apart. Repeated values
    # are checked through reconstruction and orthonormality (test_svd_of_repeated_values).
    # With full_matrices, the columns completing U or V to a square basis are any orthonormal
    # basis of the complement: another rounding (the reference implementation) may pick other
    # signs there, so the other runs are checked by what defines an SVD.
    sv = np.linalg.svd(a.astype(np.float64), compute_uv=False)
    assume(np.all(-np.diff(sv, axis=-1) > 1e-3 * np.maximum(sv[..., :1], 1e-300)))
    m, n = a.shape[-2:]
    k = min(m, n)
    t = TOL[a.dtype]

    def svd_of_a(outs):
        u, s, vh = outs
        np.testing.assert_allclose(s, sv, rtol=t, atol=t * s.max())
        assert np.all(np.diff(s, axis=-1) <= 0)
        np.testing.assert_allclose((u[..., :k] * s[..., None, :]) @ vh[..., :k, :], a, rtol=t,
                                   atol=t * np.abs(a).max())
        assert_orthonormal_columns(u, t)
        assert_orthonormal_columns(mT(vh), t)

    u, s, vh = both(lambda xp, x: tuple(xp.linalg.svd(x, full_matrices=full)), a,
                    reference=False, invariant=svd_of_a)
    um, vn = (m, n) if full else (k, k)
    assert (u.shape, s.shape, vh.shape) == (a.shape[:-2] + (m, um), a.shape[:-2] + (k,),
                                            a.shape[:-2] + (vn, n))
    svd_of_a((u, s, vh))


def test_svd_of_rank_deficient_matrices_keeps_u_orthonormal():
    a = np.array([[[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 0.0, 1.0]], np.zeros((3, 3))])
    u, s, vh = (np.asarray(r) for r in oxp.linalg.svd(to_onnxarray(a)))
    np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), atol=1e-14)
    np.testing.assert_allclose((u * s[..., None, :]) @ vh, a, atol=1e-14)
    assert_orthonormal_columns(u, 1e-14)
    assert_orthonormal_columns(mT(vh), 1e-14)


def test_svd_of_extreme_magnitudes_does_not_overflow():
    a = np.array([[1e300, 2e300], [3e300, -1e300], [0.0, 1e300]])
    s = np.asarray(oxp.linalg.svdvals(to_onnxarray(a)))
    np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), rtol=1e-14)


@FEW
@given(general(square=False))
def test_svdvals_pinv_and_rank(a):
    t = tol(a)
    both(lambda xp, x: xp.linalg.svdvals(x), a, **t)
    both(lambda xp, x: xp.linalg.pinv(x), a, **t)
    both(lambda xp, x: xp.linalg.matrix_rank(x), a)


def test_matrix_rank_and_pinv_with_rtol():
    a = np.array([[[1.0, 0.0], [0.0, 1e-3]], [[1.0, 0.0], [0.0, 1e-1]]])
    rtol = np.array([1e-2, 1e-2])
    both(lambda xp, x, r: xp.linalg.matrix_rank(x, rtol=r), a, rtol)
    both(lambda xp, x: xp.linalg.matrix_rank(x, rtol=0.05), a)
    both(lambda xp, x: xp.linalg.pinv(x, rtol=1e-2), a, rtol=1e-12)
    ranks = np.asarray(oxp.linalg.matrix_rank(to_onnxarray(a), rtol=to_onnxarray(rtol)))
    np.testing.assert_array_equal(ranks, [1, 2])
    assert ranks.dtype == np.int64


@pytest.mark.parametrize("ord", [2, -2, "nuc"])
@FEW
@given(a=general(square=False), keepdims=st.booleans())
def test_matrix_norm_from_singular_values(a, ord, keepdims):
    both(lambda xp, x: xp.linalg.matrix_norm(x, ord=ord, keepdims=keepdims), a, **tol(a))


# ---------------------------------------------------------------------------------------------
# empty stacks and matrices


@pytest.mark.parametrize("shape", [(0, 3, 3), (2, 0, 0)])
def test_empty(shape):
    a = np.zeros(shape)
    both(lambda xp, x: xp.linalg.det(x), a)
    both(lambda xp, x: tuple(xp.linalg.slogdet(x)), a)
    both(lambda xp, x: xp.linalg.inv(x), a)
    both(lambda xp, x: xp.linalg.cholesky(x), a)
    both(lambda xp, x: xp.linalg.eigvalsh(x), a)
    both(lambda xp, x: xp.linalg.svdvals(x), a)
    ref = shape[-1] > 0  # NumPy has no maximum of zero singular values
    both(lambda xp, x: xp.linalg.matrix_rank(x), a, reference=ref)
    both(lambda xp, x: xp.linalg.pinv(x), a, reference=ref)
    for mode in ("reduced", "complete"):
        q, r = oxp.linalg.qr(to_onnxarray(np.zeros(shape[:-1] + (2,))), mode=mode)
        assert r.shape == shape[:-2] + ((shape[-2], 2) if mode == "complete"
                                        else (min(shape[-2], 2), 2))


# ---------------------------------------------------------------------------------------------
# errors

SQUARE_ONLY = ["det", "slogdet", "inv", "cholesky", "eigh", "eigvalsh"]
ALL = SQUARE_ONLY + ["qr", "svd", "svdvals", "pinv", "matrix_rank"]


@pytest.mark.parametrize("name", ALL)
def test_errors(name):
    fn = getattr(oxp.linalg, name)
    with pytest.raises(ValueError, match=f"{name}: needs at least 2 dimensions"):
        fn(to_onnxarray(np.ones(3)))
    with pytest.raises(TypeError, match=name):
        fn(to_onnxarray(np.eye(2, dtype=np.int64)))
    if name not in SQUARE_ONLY:  # the algorithms branch on which matrix size is larger
        sym = oxp.argument(shape=("N", "M", "K"), dtype=oxp.float64)
        with pytest.raises(ValueError, match=f"{name}: a non-square matrix needs known sizes"):
            fn(sym)
    if name in SQUARE_ONLY:
        with pytest.raises(ValueError, match=f"{name}: needs square matrices"):
            fn(to_onnxarray(np.ones((2, 3))))


def test_argument_errors():
    eye = to_onnxarray(np.eye(3))
    with pytest.raises(ValueError, match="solve: needs square"):
        oxp.linalg.solve(to_onnxarray(np.ones((2, 3))), to_onnxarray(np.ones(2)))
    with pytest.raises(ValueError, match="solve: x2 has 2 rows"):
        oxp.linalg.solve(eye, to_onnxarray(np.ones((2, 1))))
    with pytest.raises(TypeError, match="solve"):
        oxp.linalg.solve(eye, to_onnxarray(np.ones(3, dtype=np.int64)))
    with pytest.raises(ValueError, match="qr: mode"):
        oxp.linalg.qr(eye, mode="r")
    with pytest.raises(TypeError, match="pinv: rtol"):
        oxp.linalg.pinv(eye, rtol="small")
    with pytest.raises(TypeError, match="matrix_rank: rtol"):
        oxp.linalg.matrix_rank(eye, rtol=to_onnxarray(np.ones(1, dtype=np.int64)))
    with pytest.raises(ValueError, match="matrix_norm: unsupported ord"):
        oxp.linalg.matrix_norm(eye, ord=3)
    with pytest.raises(ValueError, match="matrix_norm: a non-square matrix needs known sizes"):
        oxp.linalg.matrix_norm(oxp.argument(shape=("M", "K"), dtype=oxp.float64), ord=2)
    with pytest.raises(TypeError, match="matrix_power: negative powers"):
        oxp.linalg.matrix_power(to_onnxarray(np.eye(2, dtype=np.int64)), -1)
