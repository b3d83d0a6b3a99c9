"""The Jacobi methods behind eigh and svd on the inputs their shortcuts could get wrong.

eigh rotates the columns of ``A + sigma I`` (sigma = 2 min(||A||_F, ||A||_inf)) and reads the
eigenvectors from them: eigenvalues of equal magnitude and opposite sign (which one-sided
Jacobi on A itself would mix), clusters of equal eigenvalues, and a matrix whose smallest
eigenvalue is -||A||_F (singular for a shift of ||A||_F), must still give A's eigenvectors. svd
carries its columns' squared norms through the rounds: zero, repeated and tiny columns must not
upset it, and U skips its completing QR only where no singular value is negligible. The rounds
guard their arithmetic without comparisons, and onnxruntime's graph optimizations (on by default
for users of an exported model) once turned such a guard into 0/0: the models must give the
same results with them on.
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
from parity import assert_identical, to_onnxarray

import onnxarray as oxp

TOL = 1e-13


def _check_eigh(a: np.ndarray) -> None:
    w, v = (np.asarray(r) for r in oxp.linalg.eigh(to_onnxarray(a)))
    scale = max(np.abs(a).max(), np.finfo(float).tiny)
    np.testing.assert_allclose(w, np.linalg.eigvalsh(a), atol=TOL * scale, rtol=0)
    np.testing.assert_allclose((v * w[..., None, :]) @ np.swapaxes(v, -1, -2), a,
                               atol=TOL * scale, rtol=0)
    n = a.shape[-1]
    np.testing.assert_allclose(np.swapaxes(v, -1, -2) @ v, np.broadcast_to(np.eye(n), v.shape),
                               atol=TOL, rtol=0)


def _orthogonal(n: int, seed: int) -> np.ndarray:
    return np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))[0]


@pytest.mark.parametrize("n", [2, 5, 16, 33])
def test_eigh_opposite_eigenvalues(n):
    """Pairs +-lam, as well as a sign-symmetric spectrum with a zero in odd sizes."""
    q = _orthogonal(n, n)
    lam = np.arange(1, n // 2 + 1, dtype=float)
    w = np.concatenate([lam, -lam, np.zeros(n % 2)])
    _check_eigh((q * w) @ q.T)
    _check_eigh((q * np.where(np.arange(n) % 2, 1.0, -1.0)) @ q.T)  # only +-1


@pytest.mark.parametrize("n", [1, 3, 8, 17])
def test_eigh_singular_shifted_matrix(n):
    """-u u^T: its smallest eigenvalue is -||A||_F, so A + ||A||_F I is singular."""
    u = np.random.default_rng(n).standard_normal((n, 1))
    _check_eigh(-u @ u.T)
    _check_eigh(np.zeros((n, n)))
    _check_eigh(np.diag(np.linspace(-3.0, 2.0, n)))


def test_eigh_batch_of_mixed_matrices():
    n = 9
    q = _orthogonal(n, 1)
    w = np.concatenate([np.arange(1.0, 5.0), -np.arange(1.0, 5.0), [0.0]])
    stack = np.stack([(q * w) @ q.T, np.eye(n), -np.ones((n, n)), np.diag(np.arange(n, 0.0, -1))])
    _check_eigh(stack)


@pytest.mark.parametrize("n", [24, 41, 100])
def test_eigh_close_and_distinct_eigenvalues(n):
    """A cluster 1, 1 + 1e-10, 1 + 2e-10, ... among distinct eigenvalues: the last sweeps'
    polish step rotates every pair at once and must leave the cluster's pairs, whose tangents
    are large, to the sweeps; eigenvectors stay orthonormal to working accuracy."""
    q = _orthogonal(n, n + 7)
    w = np.linspace(-2.0, 3.0, n)
    w[: n // 4] = 1.0 + 1e-10 * np.arange(n // 4)
    _check_eigh((q * w) @ q.T)
    _check_svd((q * w) @ _orthogonal(n, n + 8).T)


def _check_svd(a: np.ndarray) -> None:
    u, s, vh = (np.asarray(r) for r in oxp.linalg.svd(to_onnxarray(a)))
    scale = max(np.abs(a).max(), np.finfo(float).tiny)
    np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), atol=TOL * scale, rtol=0)
    k = s.shape[-1]
    np.testing.assert_allclose((u[..., :k] * s[..., None, :]) @ vh[..., :k, :], a,
                               atol=TOL * scale, rtol=0)
    for m in (u, vh):
        np.testing.assert_allclose(np.swapaxes(m, -1, -2) @ m,
                                   np.broadcast_to(np.eye(m.shape[-1]), m.shape),
                                   atol=TOL, rtol=0)


@pytest.mark.parametrize("shape", [(6, 6), (9, 5), (5, 9), (16, 16)])
def test_svd_zero_repeated_and_tiny_columns(shape):
    rng = np.random.default_rng(sum(shape))
    a = rng.standard_normal(shape)
    a[:, 1] = 0.0
    a[:, 2] = a[:, 3]
    a[:, -1] = 1e-170 * a[:, 0]
    _check_svd(a)
    _check_svd(a.T)


@pytest.mark.parametrize("name", ["eigh", "svd"])
def test_exported_model_with_default_optimizations(name):
    """A batch where some matrices need no rotation at all (their pairs have d = apq = 0)."""
    n = 5
    x = oxp.argument(shape=("b", "n", "n"), dtype=oxp.float64)
    outs = getattr(oxp.linalg, name)(x)
    model = oxp.build({"x": x}, {f"y{i}": o for i, o in enumerate(outs)})
    rng = np.random.default_rng(3)
    a = rng.standard_normal((n, n))
    feeds = {"x": np.stack([a + a.T, 3 * np.eye(n), np.diag(np.arange(1.0, n + 1))])}
    results = []
    for level in (ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
                  ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
                  ort.GraphOptimizationLevel.ORT_ENABLE_ALL):
        so = ort.SessionOptions()
        so.graph_optimization_level = level
        sess = ort.InferenceSession(model.SerializeToString(), so,
                                    providers=["CPUExecutionProvider"])
        results.append(sess.run(None, feeds))
    for outs in results:
        for got, ref in zip(outs, results[0]):
            assert np.isfinite(got).all()
            np.testing.assert_allclose(got, ref, atol=1e-13, rtol=0)


@pytest.mark.parametrize("n", [9, 16, 33])
@pytest.mark.parametrize("complex_", [False, True])
def test_svd_two_clusters_of_equal_singular_values(n, complex_):
    """Q diag(+-1) Q^H + 1.5 I: singular values 2.5 and 0.5, each about n/2 times. The two
    members of a pair once computed their column product with different roundings, the update
    was then not a rotation, and these sweeps stalled at ~1e-9 until the cap (NaN)."""
    rng = np.random.default_rng(n)
    z = rng.standard_normal((n, n)) + (1j * rng.standard_normal((n, n)) if complex_ else 0)
    q = np.linalg.qr(z)[0]
    a = (q * np.where(np.arange(n) % 2, 1.0, -1.0)) @ np.conj(q.T) + 1.5 * np.eye(n)
    s = np.asarray(oxp.linalg.svdvals(to_onnxarray(a)))
    np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), atol=TOL * 2.5, rtol=0)
    if not complex_:
        _check_svd(a)


def _check_hermitian(a: np.ndarray) -> None:
    w, v = (np.asarray(r) for r in oxp.linalg.eigh(to_onnxarray(a)))
    scale = np.abs(a).max()
    np.testing.assert_allclose(w, np.linalg.eigvalsh(a), atol=TOL * scale, rtol=0)
    recon = (v * w[..., None, :]) @ np.conj(np.swapaxes(v, -1, -2))
    np.testing.assert_allclose(recon, a, atol=TOL * scale, rtol=0)
    n = a.shape[-1]
    np.testing.assert_allclose(np.conj(np.swapaxes(v, -1, -2)) @ v,
                               np.broadcast_to(np.eye(n), v.shape), atol=TOL, rtol=0)


@pytest.mark.parametrize("n", [8, 9, 32, 33])
@pytest.mark.parametrize("complex_", [False, True])
def test_eigh_three_clusters_of_equal_eigenvalues(n, complex_):
    """Eigenvalues 1, -1 and 0.5, each about n/3 times, at even and odd sizes: the shifted
    matrix's columns have equal norms within a cluster, and any basis of it must come out
    orthonormal."""
    rng = np.random.default_rng(n)
    z = rng.standard_normal((n, n)) + (1j * rng.standard_normal((n, n)) if complex_ else 0)
    q = np.linalg.qr(z)[0]
    w = np.resize([1.0, -1.0, 0.5], n)
    a = (q * w) @ np.conj(q.T)
    a = (a + np.conj(a.T)) / 2
    (_check_hermitian if complex_ else _check_eigh)(a)


def _svd_stack(shape, ranks, seed, complex_):
    rng = np.random.default_rng(seed)
    m, n = shape

    def normal(*size):
        return rng.standard_normal(size) + (1j * rng.standard_normal(size) if complex_ else 0)

    return np.stack([normal(m, r) @ normal(r, n) for r in ranks])


@pytest.mark.parametrize("shape", [(8, 8), (9, 9), (12, 7), (7, 12)])
@pytest.mark.parametrize("full_matrices", [True, False])
@pytest.mark.parametrize("complex_", [False, True])
def test_svd_stacks_of_full_rank_and_rank_deficient_matrices(shape, full_matrices, complex_):
    """The normalized columns (V of a real matrix, U of a complex one; the other way round
    for a wide matrix) are the vectors where every singular value is well above the rounding
    of the others, and a QR of them (completing the basis) where one is not: stacks of full
    rank only, and stacks mixing both, at even and odd sizes, wide and tall."""
    k = min(shape)
    for ranks in ([k, k], [k, k - 2, 1, 0], [k - 1]):
        a = _svd_stack(shape, ranks, sum(shape) + len(ranks), complex_)
        u, s, vh = (np.asarray(r) for r in oxp.linalg.svd(to_onnxarray(a),
                                                          full_matrices=full_matrices))
        scale = np.abs(a).max(axis=(-2, -1), keepdims=True)
        np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False),
                                   atol=TOL * scale.max(), rtol=0)
        np.testing.assert_allclose((u[..., :k] * s[..., None, :]) @ vh[..., :k, :], a,
                                   atol=TOL * scale.max(), rtol=0)
        for x in (u, np.conj(np.swapaxes(vh, -1, -2))):
            np.testing.assert_allclose(np.conj(np.swapaxes(x, -1, -2)) @ x,
                                       np.broadcast_to(np.eye(x.shape[-1]),
                                                       x.shape[:-2] + (x.shape[-1],) * 2),
                                       atol=TOL, rtol=0)


def test_svd_of_graded_columns_keeps_small_singular_values_relatively_accurate():
    """A = B D, B well conditioned, D = diag(1, ..., 1e-12): one-sided Jacobi finds every
    singular value to a few ulps of itself, not only of the largest (Demmel and Veselic)."""
    import mpmath

    n = 8
    rng = np.random.default_rng(11)
    b = rng.standard_normal((n, n)) + 3 * np.eye(n)
    a = b * np.logspace(0, -12, n)
    s = np.asarray(oxp.linalg.svdvals(to_onnxarray(a)))
    with mpmath.workdps(50):
        ref = np.array(sorted((float(x) for x in mpmath.svd_r(mpmath.matrix(a.tolist()),
                                                               compute_uv=False)),
                              reverse=True))
    np.testing.assert_allclose(s, ref, rtol=1e-13, atol=0)


@pytest.mark.parametrize("n", [8, 9])
def test_near_singular_matrices(n):
    """Singular values and eigenvalues down to 1e-15 of the largest."""
    rng = np.random.default_rng(n)
    q1 = np.linalg.qr(rng.standard_normal((n, n)))[0]
    q2 = np.linalg.qr(rng.standard_normal((n, n)))[0]
    d = np.logspace(0, -15, n)
    _check_svd((q1 * d) @ q2.T)
    _check_eigh((q1 * d) @ q1.T)
    _check_eigh((q1 * (d - 0.5)) @ q1.T)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_matrix_in_a_stack(bad):
    """The matrix with a NaN or an infinity gets NaN in every output; the others of the
    stack are unaffected."""
    n = 5
    rng = np.random.default_rng(0)
    good = rng.standard_normal((n, n))
    good = good + good.T
    spoiled = good.copy()
    spoiled[3, 1] = spoiled[1, 3] = bad
    stack = np.stack([good, spoiled])
    outs = {
        "eigh": [np.asarray(r) for r in oxp.linalg.eigh(to_onnxarray(stack))],
        "eigvalsh": [np.asarray(oxp.linalg.eigvalsh(to_onnxarray(stack)))],
        "svd": [np.asarray(r) for r in oxp.linalg.svd(to_onnxarray(stack))],
        "svdvals": [np.asarray(oxp.linalg.svdvals(to_onnxarray(stack)))],
    }
    alone = {
        "eigh": [np.asarray(r) for r in oxp.linalg.eigh(to_onnxarray(good))],
        "eigvalsh": [np.asarray(oxp.linalg.eigvalsh(to_onnxarray(good)))],
        "svd": [np.asarray(r) for r in oxp.linalg.svd(to_onnxarray(good))],
        "svdvals": [np.asarray(oxp.linalg.svdvals(to_onnxarray(good)))],
    }
    for name, results in outs.items():
        for got, ref in zip(results, alone[name]):
            assert np.isnan(got[1]).all(), name
            assert np.isfinite(got[0]).all(), name
            np.testing.assert_allclose(got[0], ref, atol=TOL * np.abs(good).max(), rtol=0)


@pytest.mark.parametrize("name", ["eigh", "eigvalsh", "svd", "svdvals"])
def test_symbolic_size_model_equals_eager_bit_for_bit(name):
    """One model exported with a symbolic n, run at n = 3, 8 and 17: the eager results to the
    bit (an eager call runs the same graph), and NumPy's values."""
    x = oxp.argument(shape=("n", "n"), dtype=oxp.float64)
    outs = getattr(oxp.linalg, name)(x)
    outs = outs if isinstance(outs, tuple) else (outs,)
    model = oxp.build({"x": x}, {f"y{i}": o for i, o in enumerate(outs)})
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), so,
                                providers=["CPUExecutionProvider"])
    for n in (3, 8, 17):
        rng = np.random.default_rng(n)
        a = rng.standard_normal((n, n))
        if name.startswith("eig"):
            a = a + a.T
        got = sess.run(None, {"x": a})
        eager = getattr(oxp.linalg, name)(to_onnxarray(a))
        eager = eager if isinstance(eager, tuple) else (eager,)
        for g, e in zip(got, eager):
            assert_identical(g, np.asarray(e), f"{name} at n={n}")
        values = got[1] if name == "svd" else got[0]
        ref = (np.linalg.eigvalsh(a) if name.startswith("eig")
               else np.linalg.svd(a, compute_uv=False))
        np.testing.assert_allclose(values, ref, atol=TOL * np.abs(a).max(), rtol=0)


@pytest.mark.parametrize("name", ["eigh", "svd"])
def test_complex_graph_stays_under_400_nodes(name):
    """The complex methods too: <= 400 nodes, subgraphs included, at any n."""
    import onnx

    def count(graph) -> int:
        total, stack = 0, [graph]
        while stack:
            g = stack.pop()
            for node in g.node:
                total += 1
                for attr in node.attribute:
                    if attr.type == onnx.AttributeProto.GRAPH:
                        stack.append(attr.g)
                    stack.extend(attr.graphs)
        return total

    counts = {}
    for n in (3, 16, 17, "n"):
        x = oxp.argument(shape=(n, n), dtype=oxp.complex128)
        outs = getattr(oxp.linalg, name)(x)
        counts[n] = count(oxp.build({"x": x}, {f"y{i}": o for i, o in enumerate(outs)}).graph)
    assert max(counts.values()) <= 400, counts
