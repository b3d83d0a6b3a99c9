"""The Jacobi methods behind eigh and svd on the inputs their shortcuts could get wrong.

eigh rotates ``A + ||A||_F I`` one-sidedly before the two-sided finish: eigenvalues of equal
magnitude and opposite sign (which one-sided Jacobi on A itself would mix), and a shifted
matrix that is singular, must still give A's eigenvectors. svd carries its columns' squared
norms through the rounds: zero, repeated and tiny columns must not upset it. The rounds mask
rotations by arithmetic, and onnxruntime's graph optimizations (on by default for users of an
exported model) once turned a guard of that arithmetic into 0/0: the models must give the same
results with them on.
"""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
from parity import to_onnxarray

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
