"""eig and eigvals on loops: one model for every matrix size, right on non-normal and defective
matrices, NaN (never a finite wrong answer) where the input holds NaN or infinity or the QR
sweeps do not converge."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import onnxarray as oxp
from onnxarray import _linalg_eig
from onnxarray._array_object import Array

EPS = np.finfo(np.float64).eps


def count_nodes(graph: onnx.GraphProto) -> int:
    """Nodes of ``graph`` and of all its subgraphs."""
    total, stack = 0, [graph]
    while stack:
        g = stack.pop()
        total += len(g.node)
        for node in g.node:
            stack.extend(a.g for a in node.attribute if a.type == onnx.AttributeProto.GRAPH)
    return total


def _model(shape, dtype=oxp.float64, vectors=True):
    x = oxp.argument(shape=shape, dtype=dtype)
    if vectors:
        w, v = oxp.linalg.eig(x)
        outs = {"w": w, "v": v}
    else:
        outs = {"w": oxp.linalg.eigvals(x)}
    model = oxp.build({"x": x}, outs)
    onnx.checker.check_model(model, full_check=True)
    return model


def _session(model):
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(model.SerializeToString(), opts,
                                providers=["CPUExecutionProvider"])


def _complex(r):
    return r[..., 0] + 1j * r[..., 1]


def check_pairs(a, w, v, rtol=1e-13):
    """Unit eigenvectors with a small relative residual ||A V - V diag(w)|| / (||A|| ||V||),
    the largest component of each real and non-negative."""
    a = np.asarray(a, np.complex128)
    np.testing.assert_allclose(np.linalg.norm(v, axis=-2), 1, rtol=max(rtol, 1e-14))
    res = np.linalg.norm(a @ v - v * w[..., None, :], axis=(-2, -1))
    size = np.linalg.norm(a, axis=(-2, -1)) * np.linalg.norm(v, axis=(-2, -1))
    assert np.all(res <= rtol * np.maximum(size, np.finfo(float).tiny)), (res, size)
    # a component of largest magnitude (up to rounding: there may be ties) is real, >= 0
    mag = np.abs(v)
    real = (v.imag == 0) & (v.real >= 0) & (mag >= mag.max(-2, keepdims=True) * (1 - 1e-13))
    assert np.all(real.any(-2))


def check_values(a, w, atol_scale=100):
    """Every eigenvalue of NumPy's is one of ours (a one-to-one matching by sorting along the
    nearest), within a tolerance from its condition number (first-order perturbation)."""
    expected, vl = np.linalg.eig(np.asarray(a, np.complex128))
    vinv = np.linalg.inv(vl)
    cond = np.linalg.norm(vinv, axis=-1) * np.linalg.norm(vl, axis=-2)  # 1 / |y^H x|
    norm = max(np.linalg.norm(a), 1e-300)
    left = list(w)
    for lam, c in zip(expected, cond):
        d = np.abs(np.array(left) - lam)
        k = int(d.argmin())
        assert d[k] <= atol_scale * EPS * norm * c, (lam, left[k], c)
        left.pop(k)


def companion(coeffs):
    """The companion matrix of the monic polynomial x^n + c[0] x^(n-1) + ... + c[n-1]."""
    n = len(coeffs)
    a = np.zeros((n, n))
    a[0] = -np.asarray(coeffs, float)
    a[1:, :-1] = np.eye(n - 1)
    return a


# ---------------------------------------------------------------------------------------------
# one model for every size


def test_one_model_for_every_size_and_few_nodes():
    model = _model(("n", "n"))
    nodes = count_nodes(model.graph)
    assert nodes <= 400, nodes
    sess = _session(model)
    rng = np.random.default_rng(0)
    for n in (1, 2, 3, 8, 17):
        a = rng.standard_normal((n, n))
        w, v = (_complex(r) for r in sess.run(None, {"x": a}))
        check_pairs(a, w, v)
        check_values(a, w)


def test_node_count_does_not_grow_with_n():
    static = {count_nodes(_model(shape).graph) for shape in ((3, 3), (40, 40), (2, 64, 64))}
    assert len(static) == 1 and static.pop() <= 400
    assert count_nodes(_model(("b", "n", "n")).graph) <= 400
    assert count_nodes(_model(("n", "n"), vectors=False).graph) <= 400


def test_symbolic_batch():
    model = _model(("b", "c", "n", "n"), oxp.complex128)
    rng = np.random.default_rng(1)
    a = rng.standard_normal((2, 3, 5, 5)) + 1j * rng.standard_normal((2, 3, 5, 5))
    packed = np.stack([a.real, a.imag], -1)
    w, v = (_complex(r) for r in _session(model).run(None, {"x": packed}))
    assert w.shape == (2, 3, 5) and v.shape == (2, 3, 5, 5)
    check_pairs(a, w, v)
    for i in range(2):
        for j in range(3):
            check_values(a[i, j], w[i, j])


def test_a_stack_deflating_differently_gives_each_matrix_its_own_answer():
    """The bulge chase runs one range of rows for the whole stack and leaves each matrix alone
    outside its active block: a matrix gets the same bits in a stack as alone."""
    rng = np.random.default_rng(9)
    split = np.zeros((7, 7))
    split[:3, :3], split[3:, 3:] = rng.standard_normal((3, 3)), rng.standard_normal((4, 4))
    split[:3, 3:] = rng.standard_normal((3, 4))  # block upper triangular: starts at row 3
    stack = np.stack([rng.standard_normal((7, 7)), split, np.triu(rng.standard_normal((7, 7))),
                      companion([0] * 6 + [-1]), 1e-200 * rng.standard_normal((7, 7))])
    w, v = (np.asarray(r) for r in oxp.linalg.eig(oxp.asarray(stack)))
    model = _model(("b", "n", "n"))
    we, ve = (_complex(r) for r in _session(model).run(None, {"x": stack}))
    np.testing.assert_array_equal(w, we)
    np.testing.assert_array_equal(v, ve)
    for a, wi, vi in zip(stack, w, v):
        alone = [np.asarray(r) for r in oxp.linalg.eig(oxp.asarray(a))]
        np.testing.assert_array_equal(wi, alone[0])
        np.testing.assert_array_equal(vi, alone[1])
        check_pairs(a / np.abs(a).max(), wi / np.abs(a).max(), vi)
        check_values(a / np.abs(a).max(), wi / np.abs(a).max())


def test_eager_equals_exported_bit_for_bit():
    rng = np.random.default_rng(2)
    a = rng.standard_normal((2, 6, 6))
    w, v = oxp.linalg.eig(oxp.asarray(a))
    model = _model(("b", "n", "n"))
    we, ve = (_complex(r) for r in _session(model).run(None, {"x": a}))
    np.testing.assert_array_equal(np.asarray(w), we)
    np.testing.assert_array_equal(np.asarray(v), ve)
    np.testing.assert_array_equal(np.asarray(oxp.linalg.eigvals(oxp.asarray(a))),
                                  _complex(_session(_model(("b", "n", "n"), vectors=False))
                                           .run(None, {"x": a})[0]))


def test_a_new_size_does_not_compile_again():
    rng = np.random.default_rng(3)
    oxp.linalg.eig(oxp.asarray(rng.standard_normal((3, 3))))
    before = len(_linalg_eig._sessions)
    for n in (2, 4, 7):
        w, v = oxp.linalg.eig(oxp.asarray(rng.standard_normal((n, n))))
        assert w.shape == (n,)
    assert len(_linalg_eig._sessions) == before


# ---------------------------------------------------------------------------------------------
# hard matrices


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 10, 16, 25, 40])
@pytest.mark.parametrize("seed", [0, 1])
def test_random_gaussian(n, seed):
    rng = np.random.default_rng(100 * n + seed)
    a = rng.standard_normal((n, n))
    if seed:
        a = a + 1j * rng.standard_normal((n, n))
    w, v = (np.asarray(r) for r in oxp.linalg.eig(oxp.asarray(a)))
    check_pairs(a, w, v)
    check_values(a, w)
    np.testing.assert_array_equal(np.asarray(oxp.linalg.eigvals(oxp.asarray(a))).shape, (n,))


@pytest.mark.parametrize("n", [47, 64])
def test_many_windows(n):
    """The bulge chase runs in windows of up to 16 rotations: several per sweep, the last one
    against the bottom of the matrix; real and complex, odd and even n."""
    rng = np.random.default_rng(n)
    a = rng.standard_normal((n, n))
    c = a + 1j * rng.standard_normal((n, n))
    for m in (a, c):
        w, v = (np.asarray(r) for r in oxp.linalg.eig(oxp.asarray(m)))
        check_pairs(m, w, v, rtol=1e-12)
        check_values(m, w)


def test_windows_starting_inside_the_matrix():
    """Block upper triangular: the lower block is reduced first, its windows start at row 23
    while the other matrix of the stack starts at row 0."""
    rng = np.random.default_rng(10)
    split = np.triu(rng.standard_normal((40, 40)), -1)
    split[23, 22] = 0.0
    stack = np.stack([rng.standard_normal((40, 40)), split])
    w, v = (np.asarray(r) for r in oxp.linalg.eig(oxp.asarray(stack)))
    for a, wi, vi in zip(stack, w, v):
        check_pairs(a, wi, vi, rtol=1e-12)
        check_values(a, wi)


def test_clustered_eigenvalues():
    """Eigenvalues 1 + k 1e-9 (k = 0..11) of a non-normal matrix: each within its condition
    number of NumPy's, and the pairs have a small residual."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((12, 12))
    a = x @ np.diag(1 + 1e-9 * np.arange(12)) @ np.linalg.inv(x)
    w, v = (np.asarray(r) for r in oxp.linalg.eig(oxp.asarray(a)))
    check_values(a, w)
    check_pairs(a, w, v, rtol=1e-12)


def test_companion_of_x4_minus_1e_8():
    a = companion([0, 0, 0, -1e-8])
    w, v = (np.asarray(r) for r in oxp.linalg.eig(oxp.asarray(a)))
    roots = np.array([0.01, -0.01, 0.01j, -0.01j])
    d = np.abs(w[:, None] - roots[None, :])  # matched by distance: sorting is not stable
    assert d.min(0).max() <= 1e-14 and d.min(1).max() <= 1e-14, w
    check_pairs(a, w, v)


@pytest.mark.parametrize("n", [2, 3, 5, 8, 12])
def test_roots_of_unity(n):
    """The companion matrix of x^n - 1 is a cyclic permutation: the Wilkinson shift alone
    stalls on it."""
    a = companion([0] * (n - 1) + [-1])
    w, v = (np.asarray(r) for r in oxp.linalg.eig(oxp.asarray(a)))
    roots = np.exp(2j * np.pi * np.arange(n) / n)
    assert np.abs(w[:, None] - roots[None, :]).min(0).max() <= 1e-14
    check_pairs(a, w, v)


def test_wilkinson_polynomial_companion():
    """Roots 1..10 of a polynomial with large coefficients: ill-conditioned roots, each found
    to the accuracy its condition allows."""
    coeffs = np.poly(np.arange(1.0, 11.0))[1:]
    a = companion(coeffs)
    w, v = (np.asarray(r) for r in oxp.linalg.eig(oxp.asarray(a)))
    check_values(a, w)
    check_pairs(a, w, v, rtol=1e-12)


@pytest.mark.parametrize("k", [2, 3, 4, 5])
def test_jordan_block(k):
    """A defective eigenvalue: perturbations of size eps ||A|| move it by eps^(1/k)."""
    a = 2 * np.eye(k) + np.eye(k, k=1)
    w, v = (np.asarray(r) for r in oxp.linalg.eig(oxp.asarray(a)))
    norm = np.linalg.norm(a, 2)
    assert np.all(np.abs(w - 2) <= 10 * EPS ** (1 / k) * norm), w
    np.testing.assert_allclose(np.linalg.norm(v, axis=0), 1, rtol=1e-13)
    np.testing.assert_allclose(a @ v - v * w, 0, atol=1e-13 * norm)


@pytest.mark.parametrize("kind", ["upper", "lower", "zero", "identity", "diagonal"])
def test_structured(kind):
    rng = np.random.default_rng(4)
    a = {"upper": np.triu(rng.standard_normal((6, 6))),
         "lower": np.tril(rng.standard_normal((6, 6))),
         "zero": np.zeros((5, 5)), "identity": np.eye(5),
         "diagonal": np.diag([3.0, -1.0, 1e-300, 7.0, 0.0])}[kind]
    w, v = (np.asarray(r) for r in oxp.linalg.eig(oxp.asarray(a)))
    check_pairs(a, w, v)
    if kind in ("upper", "lower", "diagonal"):
        np.testing.assert_allclose(np.sort_complex(w), np.sort_complex(np.diag(a) + 0j),
                                   atol=1e-14 * np.abs(a).max())
    else:
        np.testing.assert_array_equal(w, np.diag(a))


@pytest.mark.parametrize("first", [0.0, -0.0, 1e-310, -5e-324, 1e-200j, -3e-320 + 1e-310j])
def test_householder_pivot_zero_or_subnormal(first):
    """The first Householder reflector maps column 0 onto row 1, with the phase of its entry
    there (1 where that entry is 0): exact for a zero, subnormal or tiny complex entry."""
    rng = np.random.default_rng(11)
    a = rng.standard_normal((6, 6)) + 0j
    a[1, 0] = first
    w, v = (np.asarray(r) for r in oxp.linalg.eig(oxp.asarray(a)))
    check_pairs(a, w, v)
    check_values(a, w)
    if first.imag == 0:  # and the same on the real matrix
        w, v = (np.asarray(r) for r in oxp.linalg.eig(oxp.asarray(a.real.copy())))
        check_pairs(a.real, w, v)
        check_values(a.real, w)


@pytest.mark.parametrize("scale", [1e-300, 1e300, 2.0 ** -1060])
def test_tiny_and_huge_scales(scale):
    """Nothing overflows or underflows to zero: the matrix is scaled by its largest entry.
    Subnormal eigenvalues carry only the precision their format has."""
    a = np.random.default_rng(5).standard_normal((6, 6)) * scale
    w, v = (np.asarray(r) for r in oxp.linalg.eig(oxp.asarray(a)))
    assert np.all(np.isfinite(w)) and np.all(np.isfinite(v))
    rtol = 1e-13 if scale > 1e-305 else 1e-3
    unscaled = w.real / scale + 1j * (w.imag / scale)  # NumPy: complex / subnormal is NaN
    check_pairs(a / scale, unscaled, v, rtol=rtol)


@pytest.mark.parametrize("shape", [(0, 0), (3, 0, 0), (0, 4, 4), (1, 1), (2, 1, 1)])
def test_empty_and_one_by_one(shape):
    a = np.full(shape, 3.0)
    w, v = oxp.linalg.eig(oxp.asarray(a))
    assert w.dtype == v.dtype == oxp.complex128
    assert w.shape == shape[:-1] and v.shape == shape
    np.testing.assert_array_equal(np.asarray(w), np.full(shape[:-1], 3.0))
    np.testing.assert_array_equal(np.asarray(v), np.ones(shape))


@pytest.mark.parametrize("dtype", [oxp.float64, oxp.complex128])
@pytest.mark.parametrize("vectors", [True, False])
def test_exported_model_on_empty_matrices(dtype, vectors):
    """One model for every size includes n = 0 and an empty batch (known only when it runs)."""
    for shape, run in ((("b", "n", "n"), (3, 0, 0)), (("b", "n", "n"), (0, 4, 4)),
                       (("n", "n"), (0, 0))):
        a = np.zeros(run + ((2,) if dtype == oxp.complex128 else ()))
        outs = _session(_model(shape, dtype, vectors)).run(None, {"x": a})
        assert outs[0].shape == (*run[:-1], 2)
        if vectors:
            assert outs[1].shape == (*run, 2)


def test_nan_and_inf_give_nan_only_where_they_are():
    rng = np.random.default_rng(6)
    a = rng.standard_normal((3, 4, 4))
    a[0, 1, 2] = np.nan
    a[2, 3, 0] = np.inf
    w, v = (np.asarray(r) for r in oxp.linalg.eig(oxp.asarray(a)))
    for i in (0, 2):
        assert np.all(np.isnan(w[i].real) & np.isnan(w[i].imag)) and np.all(np.isnan(v[i]))
    check_pairs(a[1], w[1], v[1])
    ev = np.asarray(oxp.linalg.eigvals(oxp.asarray(a)))
    assert np.all(np.isnan(ev[0])) and np.all(np.isnan(ev[2])) and np.all(np.isfinite(ev[1]))


def test_no_convergence_gives_nan():
    """Capped at one sweep, no 6x6 random matrix converges: every output is NaN."""
    x = oxp.argument(shape=("b", "n", "n"), dtype=oxp.float64)
    w, v = _linalg_eig.general_eigen(x._v, True, sweeps=1)
    model = oxp.build({"x": x}, {"w": Array._new(w), "v": Array._new(v)})
    a = np.random.default_rng(7).standard_normal((2, 6, 6))
    w, v = (_complex(r) for r in _session(model).run(None, {"x": a}))
    assert np.all(np.isnan(w.real)) and np.all(np.isnan(v.real))
    # and the default cap is far from reached
    w, v = (_complex(r) for r in _session(_model(("b", "n", "n"))).run(None, {"x": a}))
    assert np.all(np.isfinite(w)) and np.all(np.isfinite(v))


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_single_precision(dtype):
    rng = np.random.default_rng(8)
    a = rng.standard_normal((7, 7))
    if dtype is np.complex64:
        a = a + 1j * rng.standard_normal((7, 7))
    a = a.astype(dtype)
    w, v = oxp.linalg.eig(oxp.asarray(a))
    assert w.dtype == v.dtype == oxp.complex64
    w, v = np.asarray(w), np.asarray(v)
    check_pairs(a.astype(np.complex128), w.astype(np.complex128), v.astype(np.complex128),
                rtol=1e-6)


def test_bad_input():
    with pytest.raises(TypeError, match="eig: needs a floating-point dtype"):
        oxp.linalg.eig(oxp.asarray(np.eye(3, dtype=np.int64)))
    with pytest.raises(ValueError, match="eigvals: needs at least 2 dimensions"):
        oxp.linalg.eigvals(oxp.asarray(np.ones(3)))
    with pytest.raises(ValueError, match="eig: needs square matrices"):
        oxp.linalg.eig(oxp.asarray(np.ones((2, 3))))
    with pytest.raises(ValueError, match="eig: needs square matrices"):
        oxp.linalg.eig(oxp.argument(shape=("m", "n"), dtype=oxp.float64))
