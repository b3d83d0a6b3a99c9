"""linalg on loops: one exported model for every matrix size, a graph whose size does not grow
with it, eager == exported bit for bit, one compiled session per signature, and NaN (never a
finite wrong answer) where a Jacobi iteration does not converge."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from parity import assert_identical, to_onnxarray

import onnxarray as oxp
from onnxarray import _linalg_factorizations as F
from onnxarray import _linalg_plans

FUNCS = ["solve", "inv", "det", "slogdet", "cholesky", "qr", "eigh", "eigvalsh", "svd",
         "svdvals", "pinv", "matrix_rank"]
LIMITED = ["svd", "eigh", "qr", "cholesky", "solve", "inv", "det"]  # <= 400 nodes at any n
SIZES = [1, 2, 3, 8, 17]


def _node_count(graph: onnx.GraphProto) -> int:
    """Nodes of a graph and of all its subgraphs."""
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


def _call(ns, name, a, b=None):
    fn = getattr(ns.linalg, name)
    out = fn(a, b) if name == "solve" else fn(a)
    return tuple(out) if isinstance(out, tuple) else (out,)


def _export(name, shape, dtype=oxp.float64):
    a = oxp.argument(shape=shape, dtype=dtype)
    inputs = {"a": a}
    b = None
    if name == "solve":
        b = oxp.argument(shape=shape[:-1] + ("k",), dtype=dtype)
        inputs["b"] = b
    outs = _call(oxp, name, a, b)
    model = oxp.build(inputs, {f"y{i}": o for i, o in enumerate(outs)})
    onnx.checker.check_model(model, full_check=True)
    return model


def _session(model):
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])


def _inputs(name, batch, n, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal(batch + (n, n))
    if name in ("cholesky", "eigh", "eigvalsh"):
        a = a @ np.swapaxes(a, -1, -2) + n * np.eye(n)
    return a, rng.standard_normal(batch + (n, 2))


def _reference(name, a, b):
    """NumPy's results, in a form that does not depend on sign or basis choices."""
    if name == "solve":
        return [np.linalg.solve(a, b)]
    if name == "slogdet":
        return list(np.linalg.slogdet(a))
    if name == "qr":
        return [np.abs(np.linalg.qr(a)[1])]
    if name == "eigh":
        return [np.linalg.eigh(a)[0]]
    if name == "svd":
        return [np.linalg.svd(a)[1]]
    if name == "svdvals":
        return [np.linalg.svd(a, compute_uv=False)]
    if name == "eigvalsh":
        return [np.linalg.eigvalsh(a)]
    return [getattr(np.linalg, name)(a)]


def _comparable(name, outs):
    if name == "qr":
        return [np.abs(outs[1])]
    if name in ("eigh", "svd"):
        return [outs[{"eigh": 0, "svd": 1}[name]]]
    return list(outs)


@pytest.mark.parametrize("name", LIMITED)
def test_node_count_does_not_grow_with_n(name):
    counts = {n: _node_count(_export(name, (n, n)).graph) for n in (3, 16, 17, 64)}
    counts["n"] = _node_count(_export(name, ("n", "n")).graph)
    assert max(counts.values()) <= 400, counts
    # an odd size pads the Jacobi methods' matrix by one row: a few nodes more than even;
    # up to 4 or 8 columns the LU and Cholesky factorizations take one block without a Loop
    assert counts[16] == counts[64] and counts[3] <= counts[17], counts


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("batch", [(), (3,)])
def test_one_model_for_every_size(name, batch):
    shape = tuple(f"b{i}" for i in range(len(batch))) + ("n", "n")
    sess = _session(_export(name, shape))
    for n in SIZES:
        a, b = _inputs(name, batch, n, seed=n)
        feeds = {"a": a} if name != "solve" else {"a": a, "b": b}
        got = _comparable(name, sess.run(None, feeds))
        for g, r in zip(got, _reference(name, a, b)):
            scale = max(1.0, float(np.max(np.abs(r), initial=0)))
            np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-12 * scale,
                                       err_msg=f"{name} at n={n}")


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("batch", [(), (2,)])
def test_empty_matrix_in_a_symbolic_model(name, batch):
    """A size known only when the model runs may be 0 (matrix_rank's largest singular value
    was a Gather that failed on it)."""
    sess = _session(_export(name, tuple(f"b{i}" for i in range(len(batch))) + ("n", "n")))
    feeds = {"a": np.zeros(batch + (0, 0))}
    if name == "solve":
        feeds["b"] = np.zeros(batch + (0, 2))
    outs = sess.run(None, feeds)
    # the eager call's results (NumPy 1.x has no svdvals and refuses an empty matrix_rank)
    eager = [np.asarray(e) for e in _call(oxp, name, *map(oxp.asarray, feeds.values()))]
    assert len(outs) == len(eager)
    for o, e in zip(outs, eager):
        assert o.shape == e.shape and o.dtype == e.dtype
        np.testing.assert_array_equal(o, e)
    if name in ("det", "inv", "solve", "cholesky", "qr", "eigh", "svd"):  # NumPy agrees
        for e, r in zip(eager, _call(np, name, *feeds.values())):
            assert e.shape == r.shape
            np.testing.assert_array_equal(e, r)


@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("n", [1, 4, 9])
def test_eager_equals_exported_bit_for_bit(name, n):
    a, b = _inputs(name, (2,), n, seed=7 * n)
    args = [to_onnxarray(a)] + ([to_onnxarray(b)] if name == "solve" else [])
    eager = [np.asarray(o) for o in _call(oxp, name, *args)]
    shape = ("b", "n", "n")
    feeds = {"a": a} if name != "solve" else {"a": a, "b": b}
    exported = _session(_export(name, shape)).run(None, feeds)
    for e, x in zip(eager, exported):
        assert_identical(e, x, f"{name} n={n}")


def test_a_new_size_does_not_recompile():
    rng = np.random.default_rng(3)
    oxp.linalg.svd(to_onnxarray(rng.standard_normal((5, 5))))
    plans = len(_linalg_plans._cache)
    for n in (6, 7, 12):
        oxp.linalg.svd(to_onnxarray(rng.standard_normal((n, n))))
    assert len(_linalg_plans._cache) == plans


def test_a_size_free_compile_is_charged_to_the_sync_budget(monkeypatch):
    """A call that compiled a size-free plan (~10-20 ms) leaves the signatures it promotes to
    the background instead of compiling them on top."""
    from onnxarray import _plans
    from onnxarray._caches import LRUCache

    monkeypatch.setattr(_plans, "_budget", _plans._SyncBudget(10.0))
    monkeypatch.setattr(_linalg_plans, "_cache", LRUCache("plans"))  # compiled afresh
    x = to_onnxarray(np.arange(8.0).reshape(2, 4) % 5)
    oxp.linalg.svdvals(x)
    assert len(_linalg_plans._cache) == 1
    assert not _plans._budget.covers(10.0 - 0.001)  # a session's creation at least
    left = _plans._budget._left
    oxp.linalg.svdvals(x)  # the compiled plan runs: nothing more is charged
    assert _plans._budget._left == left


@pytest.mark.parametrize("name", ["eigh", "svd", "svdvals", "eigvalsh", "pinv"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_input_gives_nan(name, bad):
    a = np.eye(4) + 0.1
    a[1, 2] = a[2, 1] = bad
    for out in _call(oxp, name, to_onnxarray(np.stack([a, np.eye(4)]))):
        out = np.asarray(out)
        if out.dtype.kind == "f":
            assert np.isnan(out[0]).all(), f"{name}: {out[0]}"
            assert np.isfinite(out[1]).all()


@pytest.mark.parametrize("kind", ["eigh", "svd"])
def test_no_convergence_within_the_cap_gives_nan(kind):
    rng = np.random.default_rng(11)
    a = rng.standard_normal((2, 9, 9))
    a = a + np.swapaxes(a, -1, -2)
    a[1] = np.diag(np.arange(9.0))  # diagonal: converges at once, stays finite
    x = to_onnxarray(a)
    if kind == "eigh":
        w, v = (np.asarray(oxp.asarray(r)) for r in (oxp.linalg.eigh(x)))
        assert np.isfinite(w).all()
        capped = [oxp.asarray(r) for r in _capped_eigh(x)]
    else:
        assert np.isfinite(np.asarray(oxp.linalg.svdvals(x))).all()
        capped = [oxp.asarray(r) for r in _capped_svd(x)]
    for r in capped:
        r = np.asarray(r)
        assert np.isnan(r[0]).all()
        assert np.isfinite(r[1]).all()


def _capped_eigh(x):
    w, v = F._eigen(x, "eigh", True, max_sweeps=1)
    return oxp._array_object.Array._new(w), oxp._array_object.Array._new(v)


def _capped_svd(x):
    u, s, v = F._svd(x._v, True, True, max_sweeps=1)
    return tuple(oxp._array_object.Array._new(r) for r in (u, s, v))


def test_hard_spectra():
    """Repeated eigenvalues and singular values, a wide range of magnitudes, rank deficiency."""
    rng = np.random.default_rng(5)
    q, _ = np.linalg.qr(rng.standard_normal((24, 24)))
    for w in (np.repeat([1.0, -2.0, 3.0], 8), np.logspace(-12, 0, 24), np.r_[np.zeros(12),
                                                                             np.ones(12)]):
        a = (q * w) @ q.T
        got_w, got_v = (np.asarray(r) for r in oxp.linalg.eigh(to_onnxarray(a)))
        np.testing.assert_allclose(got_w, np.sort(w), atol=1e-13)
        np.testing.assert_allclose((got_v * got_w) @ got_v.T, a, atol=1e-13)
        np.testing.assert_allclose(got_v.T @ got_v, np.eye(24), atol=1e-13)
        u, s, vh = (np.asarray(r) for r in oxp.linalg.svd(to_onnxarray(a)))
        np.testing.assert_allclose(s, np.sort(np.abs(w))[::-1], atol=1e-13)
        np.testing.assert_allclose((u * s) @ vh, a, atol=1e-13)
        np.testing.assert_allclose(u.T @ u, np.eye(24), atol=1e-13)


@pytest.mark.parametrize("n", [32, 64])
def test_float64_accuracy_at_larger_sizes(n):
    rng = np.random.default_rng(n)
    a = rng.standard_normal((n, n))
    s = np.asarray(oxp.linalg.svdvals(to_onnxarray(a)))
    ref = np.linalg.svd(a, compute_uv=False)
    assert np.max(np.abs(s - ref)) / ref[0] <= 1e-13
    spd = a @ a.T + n * np.eye(n)
    w = np.asarray(oxp.linalg.eigvalsh(to_onnxarray(spd)))
    assert np.max(np.abs(w - np.linalg.eigvalsh(spd))) / np.max(np.abs(w)) <= 1e-13


@pytest.mark.parametrize("name", ["eigh", "eigvalsh"])
def test_complex_hermitian_one_model_for_every_size(name):
    sess = _session(_export(name, ("b", "n", "n"), oxp.complex128))
    rng = np.random.default_rng(2)
    for n in (1, 2, 5, 8, 13):
        a = rng.standard_normal((2, n, n)) + 1j * rng.standard_normal((2, n, n))
        h = a @ np.conj(np.swapaxes(a, -1, -2)) + np.eye(n)
        outs = sess.run(None, {"a": np.stack([h.real, h.imag], axis=-1)})
        np.testing.assert_allclose(outs[0], np.linalg.eigvalsh(h), rtol=1e-13, atol=1e-12)
        if name == "eigh":
            v = np.empty(outs[1].shape[:-1], complex)  # keeps the signs of zeros
            v.real, v.imag = outs[1][..., 0], outs[1][..., 1]
            w = outs[0][..., None, :]
            recon = (v * w) @ np.conj(np.swapaxes(v, -1, -2))
            np.testing.assert_allclose(recon, h, atol=1e-12 * np.abs(h).max())
            eager = [np.asarray(r) for r in oxp.linalg.eigh(to_onnxarray(h))]
            assert_identical(eager[0], outs[0], "complex eigh eigenvalues")
            assert_identical(eager[1], v, "complex eigh eigenvectors")


def test_complex_svd_and_eigh_nan_input():
    a = np.eye(3, dtype=complex)
    a[2, 1] = complex(np.nan, 1.0)
    w, v = (np.asarray(r) for r in oxp.linalg.eigh(to_onnxarray(a)))
    assert np.isnan(w).all() and np.isnan(v).all()
    s = np.asarray(oxp.linalg.svdvals(to_onnxarray(a)))
    assert np.isnan(s).all()


@pytest.mark.parametrize("name", FUNCS)
def test_complex_one_model_for_every_size(name):
    """Complex input on loops too: one model (pairs at the boundary) for every size."""
    sess = _session(_export(name, ("n", "n"), oxp.complex128))
    rng = np.random.default_rng(4)
    for n in (1, 3, 6):
        a = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
        if name in ("cholesky", "eigh", "eigvalsh"):
            a = a @ np.conj(a.T) + n * np.eye(n)
        b = rng.standard_normal((n, 2)) + 1j * rng.standard_normal((n, 2))
        feeds = {"a": np.stack([a.real, a.imag], -1)}
        if name == "solve":
            feeds["b"] = np.stack([b.real, b.imag], -1)
        got = sess.run(None, feeds)
        eager = [np.asarray(o) for o in _call(oxp, name, to_onnxarray(a),
                                              to_onnxarray(b) if name == "solve" else None)]
        got = [g[..., 0] + 1j * g[..., 1] if e.dtype.kind == "c" else g
               for g, e in zip(got, eager)]
        for g, e in zip(got, eager):
            np.testing.assert_array_equal(np.asarray(g), e, err_msg=f"{name} n={n}")
        ref = _reference(name, a, b)
        for g, r in zip(_comparable(name, eager), ref):
            scale = max(1.0, float(np.max(np.abs(r), initial=0)))
            np.testing.assert_allclose(g, r, rtol=1e-12, atol=1e-12 * scale,
                                       err_msg=f"{name} at n={n}")
