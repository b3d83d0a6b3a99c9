"""The linalg extension on complex64 and complex128 stacks: eager == exported (static and
symbolic batch dimensions) == compiled plan, agreement with NumPy / array-api-strict, the
defining properties of the factorizations (unitary factors, real eigen- and singular values),
and the complex forms of the norms, diagonal, trace and matrix_power."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import reference_solve, to_onnxarray
from test_linalg_factorizations import BATCHES, FEW, TOL, both

import onnxarray as oxp

COMPLEX = [np.complex64, np.complex128]


def tol(dtype) -> dict:
    t = TOL[np.dtype(np.finfo(dtype).dtype)]
    return {"rtol": t, "atol": t}


def mH(a):
    return np.conj(np.swapaxes(a, -1, -2))


def assert_unitary_columns(q, t):
    g = mH(q) @ q
    np.testing.assert_allclose(g, np.broadcast_to(np.eye(g.shape[-1]), g.shape), atol=t)


@st.composite
def general(draw, square=True, max_side=4):
    """A well-conditioned complex stack: parts in [-1, 1] plus 2n on the diagonal (strictly
    diagonally dominant, as sqrt(2) (n - 1) < 2n - sqrt(2))."""
    dt = draw(st.sampled_from(COMPLEX))
    batch = draw(st.sampled_from(BATCHES))
    m = draw(st.integers(1, max_side))
    n = m if square else draw(st.integers(1, max_side))
    shape = batch + (m, n)
    re, im = (draw(hnp.arrays(np.float64, shape, elements=st.floats(-1, 1))) for _ in "ri")
    return (re + 1j * im + 2 * max(m, n) * np.eye(m, n)).astype(dt)


@st.composite
def hpd(draw):
    """Hermitian positive definite: A @ A^H + n I."""
    a = draw(general())
    s = a.astype(np.complex128)
    return (s @ mH(s) + a.shape[-1] * np.eye(a.shape[-1])).astype(a.dtype)


def hermitian(a):
    return ((a + mH(a)) / 2).astype(a.dtype)


# ---------------------------------------------------------------------------------------------
# LU-based


@FEW
@given(general())
def test_det_slogdet_inv(a):
    t = tol(a.dtype)
    both(lambda xp, x: xp.linalg.det(x), a, **t)
    sign, logabs = both(lambda xp, x: tuple(xp.linalg.slogdet(x)), a, **t)
    assert sign.dtype == a.dtype and logabs.dtype == np.finfo(a.dtype).dtype
    np.testing.assert_allclose(np.abs(sign), 1, **t)
    both(lambda xp, x: xp.linalg.inv(x), a, **t)


@st.composite
def solve_case(draw):
    a = draw(general())
    n = a.shape[-1]
    if draw(st.booleans()):
        b_shape = (n,)
    else:
        batch = a.shape[:-2][draw(st.integers(0, a.ndim - 2)):]
        b_shape = batch + (n, draw(st.integers(1, 3)))
    b = draw(hnp.arrays(np.float64, b_shape, elements=st.floats(-2, 2)))
    dt = draw(st.sampled_from(COMPLEX + [np.float32, np.float64]))
    if np.dtype(dt).kind == "c":
        b = b + 1j * b[..., ::-1]
    return a, b.astype(dt)


@FEW
@given(solve_case())
def test_solve(case):
    a, b = case
    dt = np.result_type(a, b)
    out = both(lambda xp, x, y: xp.linalg.solve(x, y), a, b, **tol(dt))[0]
    expected = reference_solve(a, b)
    np.testing.assert_allclose(out, expected, **tol(dt))


def test_solve_with_a_real_matrix_and_a_complex_right_hand_side():
    a = np.eye(3) * 3 + np.arange(9).reshape(3, 3) / 10
    b = np.arange(6).reshape(3, 2) * (1 - 2j)
    out = both(lambda xp, x, y: xp.linalg.solve(x, y), a, b, rtol=1e-12)[0]
    assert out.dtype == np.complex128


@FEW
@given(general(), st.sampled_from([-2, -1, 0, 1, 3]))
def test_matrix_power(a, n):
    both(lambda xp, x: xp.linalg.matrix_power(x, n), a, **tol(a.dtype))


def test_singular_matrices():
    a = np.array([[[1, 2j], [2, 4j]], [[0, 0], [0, 0]]], dtype=np.complex128)
    np.testing.assert_array_equal(np.asarray(oxp.linalg.det(to_onnxarray(a))), [0, 0])
    sign, logabs = oxp.linalg.slogdet(to_onnxarray(a))
    np.testing.assert_array_equal(np.asarray(sign), [0, 0])
    np.testing.assert_array_equal(np.asarray(logabs), [-np.inf, -np.inf])


# ---------------------------------------------------------------------------------------------
# Cholesky and QR


@FEW
@given(hpd(), st.booleans())
def test_cholesky(s, upper):
    out = both(lambda xp, x: xp.linalg.cholesky(x, upper=upper), s, **tol(s.dtype))[0]
    np.testing.assert_array_equal(out, np.triu(out) if upper else np.tril(out))
    np.testing.assert_array_equal(np.diagonal(out, 0, -2, -1).imag, 0)


@FEW
@given(general(square=False), st.sampled_from(["reduced", "complete"]))
def test_qr(a, mode):
    q, r = both(lambda xp, x: tuple(xp.linalg.qr(x, mode=mode)), a, reference=False)
    m, n = a.shape[-2:]
    k = m if mode == "complete" else min(m, n)
    assert q.shape == a.shape[:-2] + (m, k) and r.shape == a.shape[:-2] + (k, n)
    assert q.dtype == r.dtype == a.dtype
    t = tol(a.dtype)["rtol"]
    np.testing.assert_allclose(q @ r, a, rtol=t, atol=t * np.abs(a).max())
    assert_unitary_columns(q, t)
    np.testing.assert_array_equal(r, np.triu(r))


# ---------------------------------------------------------------------------------------------
# eigh, eigvalsh


def _eigh_invariants(xp, x):
    """Eigenvalues, V diag(w) V^H and V^H V: unique also where repeated eigenvalues leave the
    eigenvectors free, so eager and exported results can be compared."""
    w, v = xp.linalg.eigh(x)
    vh = xp.conj(xp.linalg.matrix_transpose(v))
    return w, (v * xp.astype(w, v.dtype)[..., None, :]) @ vh, vh @ v


@FEW
@given(hpd() | general().map(hermitian))
def test_eigh(s):
    both(_eigh_invariants, s, reference=False)
    w, v = (np.asarray(r) for r in oxp.linalg.eigh(to_onnxarray(s)))
    assert w.dtype == np.finfo(s.dtype).dtype and v.dtype == s.dtype
    t = tol(s.dtype)["rtol"]
    scale = np.abs(s).max()
    np.testing.assert_allclose(w, np.linalg.eigvalsh(s.astype(np.complex128)), rtol=t,
                               atol=t * scale)
    assert np.all(np.diff(w, axis=-1) >= 0)
    np.testing.assert_allclose(v @ (w[..., None] * mH(v)), s, rtol=t, atol=t * scale)
    assert_unitary_columns(v, t)
    both(lambda xp, x: xp.linalg.eigvalsh(x), s, rtol=t, atol=t * scale)


def test_eigh_reads_the_lower_triangle():
    a = np.array([[2, 100 + 7j], [1 - 1j, 3]])
    w = np.asarray(oxp.linalg.eigvalsh(to_onnxarray(a)))
    np.testing.assert_allclose(w, np.linalg.eigvalsh(a), rtol=1e-15)


@pytest.mark.parametrize("n", [16])
def test_jacobi_converges_for_larger_matrices(n):
    """Repeated eigenvalues (n/4 times each) converge slowest."""
    rng = np.random.default_rng(n)
    q, _ = np.linalg.qr(rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n)))
    spectra = [np.round(rng.standard_normal(n)), rng.standard_normal(n)]
    a = hermitian(np.stack([(q * ev) @ mH(q) for ev in spectra]))
    w, v = (np.asarray(r) for r in oxp.linalg.eigh(to_onnxarray(a)))
    np.testing.assert_allclose(w, np.linalg.eigvalsh(a), atol=1e-13)
    np.testing.assert_allclose(v @ (w[..., None] * mH(v)), a, atol=1e-10)
    assert_unitary_columns(v, 1e-13)
    u, s, vh = (np.asarray(r) for r in oxp.linalg.svd(to_onnxarray(a)))
    np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), atol=1e-10)
    np.testing.assert_allclose((u * s[..., None, :]) @ vh, a, atol=1e-10)
    assert_unitary_columns(u, 1e-13)


# ---------------------------------------------------------------------------------------------
# svd and what is built on it


def _svd_invariants(xp, x, full):
    """S, U diag(S) Vh, U^H U and Vh Vh^H (see ``_eigh_invariants``)."""
    u, s, vh = xp.linalg.svd(x, full_matrices=full)
    k = s.shape[-1]
    us = u[..., :k] * xp.astype(s, u.dtype)[..., None, :]
    return (s, us @ vh[..., :k, :], xp.conj(xp.linalg.matrix_transpose(u)) @ u,
            vh @ xp.conj(xp.linalg.matrix_transpose(vh)))


@FEW
@given(general(square=False), st.booleans())
@example(np.array([[4.75, 0.75, 0.75, 0.75], [0.75, 4.75, 0.75, 0.75],
                   [0.75, 0.75, 4.75, 0.75]], np.complex64), False)  # repeated values
def test_svd(a, full):
    both(lambda xp, x: _svd_invariants(xp, x, full), a, reference=False)
    u, s, vh = (np.asarray(r) for r in oxp.linalg.svd(to_onnxarray(a), full_matrices=full))
    m, n = a.shape[-2:]
    k = min(m, n)
    um, vn = (m, n) if full else (k, k)
    assert (u.shape, s.shape, vh.shape) == (a.shape[:-2] + (m, um), a.shape[:-2] + (k,),
                                            a.shape[:-2] + (vn, n))
    assert s.dtype == np.finfo(a.dtype).dtype and u.dtype == vh.dtype == a.dtype
    t = tol(a.dtype)["rtol"]
    np.testing.assert_allclose(s, np.linalg.svd(a.astype(np.complex128), compute_uv=False),
                               rtol=t, atol=t * s.max())
    assert np.all(np.diff(s, axis=-1) <= 0)
    np.testing.assert_allclose((u[..., :k] * s[..., None, :]) @ vh[..., :k, :], a, rtol=t,
                               atol=t * np.abs(a).max())
    assert_unitary_columns(u, t)
    assert_unitary_columns(mH(vh), t)


def test_svd_of_rank_deficient_matrices_keeps_u_unitary():
    a = np.array([[[1, 2j, 3], [2, 4j, 6], [1j, 0, 1]], np.zeros((3, 3))])
    u, s, vh = (np.asarray(r) for r in oxp.linalg.svd(to_onnxarray(a)))
    np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), atol=1e-14)
    np.testing.assert_allclose((u * s[..., None, :]) @ vh, a, atol=1e-14)
    assert_unitary_columns(u, 1e-14)
    assert_unitary_columns(mH(vh), 1e-14)


@FEW
@given(general(square=False))
def test_svdvals_pinv_and_rank(a):
    t = tol(a.dtype)
    both(lambda xp, x: xp.linalg.svdvals(x), a, **t)
    both(lambda xp, x: xp.linalg.pinv(x), a, **t)
    both(lambda xp, x: xp.linalg.matrix_rank(x), a)


def test_matrix_rank_and_pinv_with_rtol():
    a = np.array([[[1j, 0], [0, 1e-3]], [[1, 0], [0, 1e-1j]]])
    both(lambda xp, x: xp.linalg.matrix_rank(x, rtol=0.05), a)
    both(lambda xp, x: xp.linalg.pinv(x, rtol=1e-2), a, rtol=1e-12)


# ---------------------------------------------------------------------------------------------
# norms, diagonal, trace


@pytest.mark.parametrize("ord", ["fro", 1, -1, np.inf, -np.inf, 2, -2, "nuc"])
@FEW
@given(a=general(square=False), keepdims=st.booleans())
def test_matrix_norm(a, ord, keepdims):
    out = both(lambda xp, x: xp.linalg.matrix_norm(x, ord=ord, keepdims=keepdims), a,
               **tol(a.dtype))[0]
    assert out.dtype == np.finfo(a.dtype).dtype


@pytest.mark.parametrize("ord", [2, 1, 0, np.inf, -np.inf, 3])
def test_vector_norm(ord):
    a = np.array([[1 + 2j, -3j, 0], [4, 1 - 1j, 2j]])
    for axis in (None, -1, (0, 1)):
        both(lambda xp, x, axis=axis: xp.linalg.vector_norm(x, axis=axis, ord=ord), a,
             rtol=1e-14)


@pytest.mark.parametrize("offset", [-1, 0, 2])
def test_diagonal_and_trace(offset):
    a = (np.arange(24) + 1j * np.arange(24)[::-1]).reshape(2, 3, 4).astype(np.complex64)
    both(lambda xp, x: xp.linalg.diagonal(x, offset=offset), a)
    both(lambda xp, x: xp.linalg.trace(x, offset=offset), a)


# ---------------------------------------------------------------------------------------------
# empty stacks and matrices, errors


@pytest.mark.parametrize("shape", [(0, 3, 3), (2, 0, 0)])
def test_empty(shape):
    a = np.zeros(shape, np.complex128)
    both(lambda xp, x: xp.linalg.det(x), a)
    both(lambda xp, x: tuple(xp.linalg.slogdet(x)), a)
    both(lambda xp, x: xp.linalg.inv(x), a)
    both(lambda xp, x: xp.linalg.eigvalsh(x), a)
    both(lambda xp, x: xp.linalg.svdvals(x), a)
    both(lambda xp, x: xp.linalg.pinv(x), a, reference=shape[-1] > 0)


@pytest.mark.parametrize("scale", [1e-300, 1e300])
def test_extreme_magnitudes(scale):
    a = np.array([[1 + 2j, 3j], [2, 1 - 1j], [0.5j, 1]]) * scale
    s = np.asarray(oxp.linalg.svdvals(to_onnxarray(a)))
    np.testing.assert_allclose(s, np.linalg.svd(a, compute_uv=False), rtol=1e-14)
    q, r = (np.asarray(t) for t in oxp.linalg.qr(to_onnxarray(a)))
    np.testing.assert_allclose(q @ r, a, rtol=1e-14, atol=4 * scale * 1e-15)
    h = np.array([[2, 1j], [-1j, 3]]) * scale
    w = np.asarray(oxp.linalg.eigvalsh(to_onnxarray(h)))
    np.testing.assert_allclose(w, np.linalg.eigvalsh(h), rtol=1e-14)


# ---------------------------------------------------------------------------------------------
# eig, eigvals: general matrices, real or complex


@st.composite
def square_any(draw):
    """Real or complex general square stacks (not necessarily well conditioned for eig)."""
    a = draw(general(max_side=4))
    if draw(st.booleans()):
        a = a.real.astype(np.finfo(a.dtype).dtype)
    return a


def _eig_invariants(xp, x):
    """What does not depend on the order and phases of the eigenpairs: the column norms of V
    and the sorted |w| (the residual x V - V diag(w) is rounding noise, checked eagerly)."""
    w, v = xp.linalg.eig(x)
    return xp.linalg.vector_norm(v, axis=-2), xp.sort(xp.abs(w), axis=-1)


@FEW
@given(square_any())
def test_eig(a):
    rd = np.finfo(a.dtype).dtype
    cdt = np.result_type(a.dtype, np.complex64)
    t = tol(rd)["rtol"]
    scale = np.abs(a).max()
    expected = np.linalg.eigvals(a.astype(np.complex128))
    # every eigenvalue of NumPy's is one of ours, as near as its conditioning allows: eps
    # times its condition number 1 / |y^H x| (first order), at most eps^(1/n) for a
    # (nearly) defective one; both results carry such errors
    vecs = np.linalg.eig(a.astype(np.complex128))[1]
    cond = np.linalg.norm(np.linalg.inv(vecs), axis=-1) * np.linalg.norm(vecs, axis=-2)
    n = a.shape[-1]
    slack = scale * np.minimum(10 * n * np.finfo(float).eps * cond,
                               10 * np.finfo(float).eps ** (1 / n))
    magnitudes = np.sort(np.abs(expected), -1)

    def near_magnitudes(mags):
        assert np.all(np.abs(mags - magnitudes) <= 10 * t * scale + slack.max(-1, keepdims=True))

    def invariants(outs):
        # another rounding (the optimized model, the reference implementation) moves an
        # ill-conditioned eigenvalue as far as its conditioning allows
        norms, mags = outs
        np.testing.assert_allclose(norms, 1, rtol=t)
        near_magnitudes(mags)

    norms, mags = both(_eig_invariants, a, reference=False, invariant=invariants)
    np.testing.assert_allclose(norms, 1, rtol=t)
    near_magnitudes(mags)  # (a nearly defective eigenvalue moves by up to ~eps^(1/n))
    w, v = oxp.linalg.eig(to_onnxarray(a))
    assert w.dtype == v.dtype == oxp._dtypes.BY_NUMPY[cdt]
    assert w.shape == a.shape[:-1] and v.shape == a.shape
    w, v = np.asarray(w), np.asarray(v)
    np.testing.assert_allclose(a @ v - v * w[..., None, :], 0, atol=t * scale)
    assert np.all(np.abs(w[..., :, None] - expected[..., None, :]).min(-2)
                  <= 10 * t * scale + slack)
    vals = both(lambda xp, x: xp.sort(xp.abs(xp.linalg.eigvals(x)), axis=-1), a,
                reference=False, invariant=lambda outs: near_magnitudes(outs[0]))[0]
    np.testing.assert_allclose(vals, magnitudes, atol=t * scale)


@pytest.mark.parametrize("a", [
    np.roll(np.eye(4), 1, 0),  # a cyclic permutation: the Wilkinson shift alone stalls
    np.array([[0.0, -1.0], [1.0, 0.0]]),
    np.diag([1.0, 1.0, 2.0, 2.0]),
    np.eye(4) * 2 + np.eye(4, k=1),  # one Jordan block
    np.zeros((3, 3)),
    np.vstack([np.arange(1.0, 9.0), np.eye(7, 8)]),  # a companion matrix
], ids=["permutation", "rotation", "repeated", "jordan", "zeros", "companion"])
def test_eig_hard_cases(a):
    w, v = (np.asarray(r) for r in oxp.linalg.eig(to_onnxarray(a)))
    np.testing.assert_allclose(a @ v, v * w[None, :], atol=1e-13 * max(1, np.abs(a).max()))
    expected = np.linalg.eigvals(a)
    np.testing.assert_allclose(np.abs(w[:, None] - expected[None, :]).min(0), 0, atol=1e-12)


@pytest.mark.parametrize("shape", [(0, 3, 3), (2, 0, 0), (2, 1, 1)])
def test_eig_empty_and_scalar(shape):
    a = np.ones(shape) * 3
    w, v = both(lambda xp, x: tuple(xp.linalg.eig(x)), a, reference=False)
    assert w.dtype == v.dtype == np.complex128
    np.testing.assert_array_equal(w, np.full(shape[:-1], 3))
