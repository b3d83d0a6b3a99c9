"""The fft extension on ONNX DFT: eager == exported == array-api-strict."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import check, export, run_model

import onnxarray as xp
from onnxarray._complex_parts import pack, unpack
from onnxarray._plans import PROMOTE_AFTER, has_plan, wait_for_plans

NORMS = ["backward", "ortho", "forward"]


def signals(kind: str, min_dims=1, max_dims=3):
    dtypes = [np.complex64, np.complex128] if kind == "c" else [np.float32, np.float64]

    def of(dt):
        if kind == "c":
            el = st.complex_numbers(max_magnitude=10, allow_nan=False, allow_infinity=False,
                                    width=np.dtype(dt).itemsize * 8)
        else:
            el = st.floats(-10, 10, width=np.dtype(dt).itemsize * 8)
        shape = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=6)
        return hnp.arrays(dt, shape, elements=el)
    return st.sampled_from(dtypes).flatmap(of)


def tol(x) -> dict:
    single = x.dtype in (np.float32, np.complex64)
    return {"rtol": 1e-4, "atol": 1e-4} if single else {"rtol": 1e-10, "atol": 1e-10}


@pytest.mark.parametrize("name", ["fft", "ifft"])
@given(x=signals("c"), data=st.data())
def test_fft_ifft(name, x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    n = data.draw(st.none() | st.integers(1, 8))
    norm = data.draw(st.sampled_from(NORMS))
    check(lambda m, a: getattr(m.fft, name)(a, n=n, axis=axis, norm=norm), x, **tol(x))


@pytest.mark.parametrize("name", ["rfft", "ihfft"])
@given(x=signals("f"), data=st.data())
def test_real_input_transforms(name, x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    n = data.draw(st.none() | st.integers(1, 8))
    norm = data.draw(st.sampled_from(NORMS))
    check(lambda m, a: getattr(m.fft, name)(a, n=n, axis=axis, norm=norm), x, **tol(x))


@pytest.mark.parametrize("name", ["irfft", "hfft"])
@given(x=signals("c"), data=st.data())
def test_hermitian_transforms(name, x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    default_ok = x.shape[axis] > 1
    n = data.draw(st.integers(1, 9) if not default_ok else st.none() | st.integers(1, 9))
    norm = data.draw(st.sampled_from(NORMS))
    check(lambda m, a: getattr(m.fft, name)(a, n=n, axis=axis, norm=norm), x, dynamic=False,
          **tol(x))


@pytest.mark.parametrize("name", ["fftn", "ifftn", "rfftn", "irfftn"])
@given(data=st.data())
def test_n_dimensional(name, data):
    x = data.draw(signals("f" if name == "rfftn" else "c", min_dims=2))
    axes = data.draw(st.sampled_from([None, (0,), (-1, 0), (1, 0)]))
    if name == "irfftn" and x.shape[(axes or (-1,))[-1]] < 2:
        axes = None if x.shape[-1] > 1 else (0,) if x.shape[0] > 1 else None
        if axes is None and x.shape[-1] < 2:
            return
    norm = data.draw(st.sampled_from(NORMS))
    check(lambda m, a: getattr(m.fft, name)(a, axes=axes, norm=norm), x, dynamic=False,
          **tol(x))


def test_exported_transform_keeps_a_dynamic_batch():
    x = xp.argument(shape=("B", 8), dtype=xp.float64)
    spectrum = xp.fft.rfft(x)
    power = xp.abs(spectrum) ** 2
    model = xp.build({"x": x}, {"power": power})
    assert [n.op_type for n in model.graph.node].count("DFT") == 1
    from parity import run_model
    for b in (1, 5):
        data = np.random.default_rng(b).random((b, 8))
        (got,) = run_model(model, {"x": data})
        np.testing.assert_allclose(got, np.abs(np.fft.rfft(data)) ** 2, rtol=1e-12)


def test_errors():
    z = xp.asarray([1j, 2.0, 3.0])
    with pytest.raises(ValueError, match="norm"):
        xp.fft.fft(z, norm="bogus")
    with pytest.raises(IndexError, match="axis"):
        xp.fft.fft(z, axis=1)
    with pytest.raises(ValueError, match="n must be"):
        xp.fft.fft(z, n=0)
    with pytest.raises(TypeError, match="real floating"):
        xp.fft.rfft(z)
    with pytest.raises(TypeError, match="floating"):
        xp.fft.fft(xp.asarray([1, 2]))


@pytest.mark.parametrize("n", [7, 30, 100, 256, 1000])
@pytest.mark.parametrize("func", ["fft", "ifft", "rfft", "irfft"])
def test_float32_transforms_are_accurate(func, n):
    """float32 transforms within a few float32 ulps of the float64 result, at every length
    (onnxruntime's float32 DFT alone is off by 1e-4 relative at n=1000)."""
    rng = np.random.default_rng(n)
    if func in ("fft", "ifft", "irfft"):
        m = n // 2 + 1 if func == "irfft" else n
        data = (rng.normal(size=m) + 1j * rng.normal(size=m)).astype(np.complex64)
    else:
        data = rng.normal(size=n).astype(np.float32)
    kwargs = {"n": n} if func == "irfft" else {}
    expected = getattr(np.fft, func)(data.astype(np.complex128 if data.dtype.kind == "c"
                                                 else np.float64), **kwargs)
    got = np.asarray(getattr(xp.fft, func)(xp.asarray(data), **kwargs))
    assert got.dtype == (np.float32 if func == "irfft" else np.complex64)
    err = np.max(np.abs(got - expected)) / np.max(np.abs(expected))
    assert err < 2e-7, err


@pytest.mark.parametrize("func", ["fft", "ifft", "rfft", "irfft", "fftn"])
def test_signals_near_the_float64_maximum_do_not_overflow_inside_the_transform(func):
    """A transform whose result is finite stays finite when its input is near the float64
    maximum (the plain DFT overflows in its sums and returns inf - inf = NaN); a result beyond
    the maximum is a signed infinity, never NaN. Eager and exported agree bit for bit, and
    moderate signals in the same batch are transformed as if alone."""
    big = np.array([[1e308, -1e308, 1e308, 0.5e308], [1.7e308, 1.0, -1.7e308, 3.0],
                    [1e300, -2.0, 5e-324, 1e-310], [0.25, -1.0, 2.0, 3.5]])
    data = big + 1j * big[[2, 0, 1, 3]] if func in ("fft", "ifft", "irfft", "fftn") else big
    kwargs = {"axes": (-1,)} if func == "fftn" else {}
    got = np.asarray(getattr(xp.fft, func)(xp.asarray(data), **kwargs))
    # The oracle: NumPy's transform of the signal scaled down by 2**64, scaled back up.
    ref_func = getattr(np.fft, func)
    with np.errstate(over="ignore", invalid="ignore"):
        expected = ref_func(data * 2.0 ** -64, **kwargs) * 2.0 ** 64
    assert not np.isnan(got).any()
    # Component by component (a complex result may have one infinite part and one finite).
    got_parts, expected_parts = (np.stack([a.real, a.imag]) for a in (got, expected))
    finite = np.isfinite(expected_parts)
    np.testing.assert_allclose(got_parts[finite], expected_parts[finite], rtol=1e-13,
                               atol=1e-13 * np.max(np.abs(expected_parts[finite])))
    np.testing.assert_array_equal(got_parts[~finite], expected_parts[~finite])
    # The moderate row equals the transform of that row alone (and NumPy's).
    alone = np.asarray(getattr(xp.fft, func)(xp.asarray(data[3:]), **kwargs))
    np.testing.assert_array_equal(got[3:], alone)
    np.testing.assert_allclose(alone, ref_func(data[3:], **kwargs), rtol=1e-14, atol=1e-14)
    model = export(lambda m, a: getattr(m.fft, func)(a, **kwargs), data, dynamic=func != "irfft")
    (out,) = run_model(model, {"x0": data})
    np.testing.assert_array_equal(out, got)


def _special_signal(func: str, n: int) -> np.ndarray:
    """Signals with an infinity, a NaN, signed zeros and ordinary values at every position."""
    rng = np.random.default_rng(n)
    values = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 1.5, -2.25, 1e-310])
    re = values[rng.integers(0, len(values), size=n)]
    if func in ("rfft", "ihfft"):
        return re
    z = np.empty(n, np.complex128)
    z.real, z.imag = re, values[rng.integers(0, len(values), size=n)]
    return z


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("func", ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"])
def test_special_values_give_one_answer(func, norm):
    """Infinities, NaNs and signed zeros: the first (op by op) call, the compiled plan and the
    exported model give the same bits, with and without ``n``."""
    for size in (1, 2, 5, 8):
        data = _special_signal(func, size)
        for kwargs in ({"norm": norm}, {"norm": norm, "n": 7}):
            if func in ("irfft", "hfft") and size == 1 and "n" not in kwargs:
                continue  # the default output length 2 * (1 - 1) is empty
            fn = getattr(xp.fft, func)
            a = xp.asarray(data)
            first = np.asarray(fn(a, **kwargs))
            for _ in range(PROMOTE_AFTER):
                again = np.asarray(fn(a, **kwargs))
            wait_for_plans()
            assert has_plan(fn, (a,), kwargs)
            planned = np.asarray(fn(a, **kwargs))
            model = export(lambda m, x, kw=kwargs: getattr(m.fft, func)(x, **kw), data,
                           dynamic=False)
            plain = ort.SessionOptions()
            plain.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
            sess = ort.InferenceSession(model.SerializeToString(), plain,
                                        providers=["CPUExecutionProvider"])
            feed = data if data.dtype.kind == "f" else pack(data)
            (out,) = sess.run(None, {"x0": feed})
            exported = unpack(out) if first.dtype.kind == "c" else out
            for name, got in (("repeated", again), ("planned", planned),
                              ("exported", exported)):
                assert got.tobytes() == first.tobytes(), (name, size, kwargs, got, first)


@pytest.mark.parametrize("func", ["fft", "ifft", "irfft"])
def test_transforms_record_few_nodes(func):
    """The conjugations and the 1/n scaling of an inverse transform act on the (real,
    imaginary) pairs: a handful of nodes around the DFT, not the complex division's dozens
    (each node is a kernel launch in every run of the plan); irfft's one more drops the
    imaginary parts of the zero and Nyquist terms."""
    x = xp.argument(shape=(51,), dtype=xp.complex128)
    model = xp.build({"x": x}, {"y": getattr(xp.fft, func)(x)})
    assert len(model.graph.node) <= (17 if func == "irfft" else 16)


@pytest.mark.parametrize("func", ["irfft", "hfft"])
@pytest.mark.parametrize("part", [1e300, -1e300, np.nan, np.inf, 7.5])
def test_imaginary_parts_of_the_zero_and_nyquist_terms_are_ignored(func, part):
    # a Hermitian spectrum has real zero and Nyquist terms; NumPy ignores their imaginary parts
    # (1e300 at the Nyquist term gave +-3e283 where the result is -0.5)
    z = np.array([[complex(1, part), 2 + 1j, complex(3, part)],
                  [complex(-1, part), 0.5 - 2j, complex(4, -part)]])
    fn = getattr(xp.fft, func)
    for n in (None, 4, 5, 2):
        want = getattr(np.fft, func)(z, n=n)
        if n == 5:  # odd n: the last term is an ordinary one, its imaginary part counts
            z5 = z.copy()
            z5[:, -1] = z5[:, -1].real
            want = getattr(np.fft, func)(z5, n=n)
            got = np.asarray(fn(xp.asarray(z5), n=n))
        else:
            got = np.asarray(fn(xp.asarray(z), n=n))
        np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)
    model = export(lambda m, a: getattr(m.fft, func)(a, axis=-1), z, dynamic=False)
    (out,) = run_model(model, {"x0": z})
    np.testing.assert_array_equal(out, np.asarray(fn(xp.asarray(z))))


@pytest.mark.parametrize("func", ["fft", "ifft", "rfft", "ihfft"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_an_infinity_cut_off_by_n_changes_nothing_else(func, dtype):
    # float32 transforms run in float64 and dropped the overflow guard's factor: an infinity
    # beyond n scaled the kept values by 2**-64 (154j gave 8.4e-18j)
    x = np.array([[-5.97, 154.5, np.inf], [1.5, -2.0, 3.0]], dtype)
    if func in ("fft", "ifft"):
        z = x.astype(np.complex64 if dtype == np.float32 else np.complex128)
        z.imag = [[1.0, -2.0, 3.0], [4.0, 0.5, -6.0]]
        x = z
    fn = getattr(xp.fft, func)
    for n in (1, 2):
        got = np.asarray(fn(xp.asarray(x), n=n, norm="ortho"))
        want = getattr(np.fft, func)(x, n=n, norm="ortho")
        np.testing.assert_allclose(got, want, rtol=4 * np.finfo(dtype).eps, atol=1e-6)


@pytest.mark.parametrize("dynamic", [False, True])
@pytest.mark.parametrize("func", ["fft", "ifft", "rfft", "ihfft", "fftn", "ifftn", "rfftn"])
def test_n_pads_a_signal_whose_length_is_known_only_at_run_time(func, dynamic):
    """``n`` (``s``) zero-pads a signal kept by a boolean mask, empty ones included: the
    exported model gives the eager result bit for bit (it failed inside onnxruntime's DFT,
    which takes no empty signal)."""
    real = func in ("rfft", "ihfft", "rfftn")
    n_dim = func.endswith("n") and func != "fft" or func == "rfftn"
    rng = np.random.default_rng(36)

    def fn(m, x, keep):
        y = m.take(x, m.nonzero(keep)[0], axis=1)  # a data-dependent axis length
        if n_dim:
            return getattr(m.fft, func)(y, s=(3, 5), axes=(0, 1))
        return [getattr(m.fft, func)(y, n=n, axis=1) for n in (1, 3, 4, 7)]

    data = rng.normal(size=(2, 6))
    if not real:
        data = data + 1j * rng.normal(size=(2, 6))
    model = export(fn, data, np.ones(6, bool), dynamic=dynamic)
    for count in range(7):
        keep = np.zeros(6, bool)
        keep[rng.permutation(6)[:count]] = True
        eager = fn(xp, xp.asarray(data), xp.asarray(keep))
        eager = [np.asarray(e) for e in (eager if isinstance(eager, list) else [eager])]
        ran = run_model(model, {"x0": data, "x1": keep})
        for got, want in zip(ran, eager, strict=True):
            assert got.tobytes() == want.tobytes(), (count, got, want)
        ref = getattr(np.fft, func)(data[:, keep], **({"s": (3, 5), "axes": (0, 1)} if n_dim
                                                       else {"n": 3, "axis": 1}))
        np.testing.assert_allclose(eager[0 if n_dim else 1], ref, rtol=1e-13, atol=1e-13)


def _kept_columns(func, fn, data, expected, least: int = 0):
    """Exported once with columns kept by a mask (a length known only when the model runs),
    then run for every count of kept columns: eager's bits, and NumPy's values."""
    rng = np.random.default_rng(61)
    model = export(fn, data, np.ones(data.shape[1], bool))
    for count in range(least, data.shape[1] + 1):
        keep = np.zeros(data.shape[1], bool)
        keep[rng.permutation(data.shape[1])[:count]] = True
        eager = fn(xp, xp.asarray(data), xp.asarray(keep))
        eager = [np.asarray(e) for e in (eager if isinstance(eager, list) else [eager])]
        ran = run_model(model, {"x0": data, "x1": keep})
        for got, want, ref in zip(ran, eager, expected(data[:, keep]), strict=True):
            assert got.tobytes() == want.tobytes(), (func, count, got, want)
            np.testing.assert_allclose(want, ref, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("func", ["irfft", "hfft", "irfftn"])
def test_n_fits_a_spectrum_whose_length_is_known_only_at_run_time(func):
    """With ``n`` (``s``) given, the spectrum is cut or zero-padded to ``n // 2 + 1`` whatever
    its length (it was an error when that length was symbolic)."""
    rng = np.random.default_rng(62)
    data = rng.normal(size=(2, 7)) + 1j * rng.normal(size=(2, 7))
    ns = (1, 2, 5, 8, 15)

    def fn(m, x, keep):
        y = m.take(x, m.nonzero(keep)[0], axis=1)
        if func == "irfftn":
            return [m.fft.irfftn(y, s=(2, n), axes=(0, 1)) for n in ns]
        return [getattr(m.fft, func)(y, n=n, axis=1) for n in ns]

    def expected(d):
        if func == "irfftn":
            return [np.fft.irfftn(d, s=(2, n), axes=(0, 1)) for n in ns]
        return [getattr(np.fft, func)(d, n=n, axis=1) if d.shape[1] else np.zeros((2, n))
                for n in ns]

    # (NumPy's irfftn takes no empty spectrum)
    _kept_columns(func, fn, data, expected, least=1 if func == "irfftn" else 0)


@pytest.mark.parametrize("func", ["fftshift", "ifftshift"])
@pytest.mark.parametrize("dtype", [np.float32, np.complex128])
def test_shift_of_a_length_known_only_at_run_time(func, dtype):
    """The shift is half the run-time length (it was an error when the length was
    symbolic), for even, odd, one and zero lengths."""
    rng = np.random.default_rng(63)
    data = rng.normal(size=(3, 6)).astype(dtype)
    if np.dtype(dtype).kind == "c":
        data = data + 1j * rng.normal(size=(3, 6))
    data[0, 1] = -0.0

    def fn(m, x, keep):
        y = m.take(x, m.nonzero(keep)[0], axis=1)
        f = getattr(m.fft, func)
        return [f(y), f(y, axes=(1,)), f(y, axes=0)]

    def expected(d):
        f = getattr(np.fft, func)
        return [f(d), f(d, axes=(1,)), f(d, axes=0)]

    _kept_columns(func, fn, data, expected)


@pytest.mark.parametrize("func", ["irfft", "hfft"])
def test_n_pads_a_spectrum_with_a_symbolic_batch(func):
    """A spectrum shorter than n // 2 + 1 is zero-padded whatever the other axes' sizes (it
    raised when the batch size was symbolic); exported equals eager bit for bit."""
    x = xp.argument(shape=("B", 2), dtype=xp.complex128)
    model = xp.build({"x": x}, {f"y{n}": getattr(xp.fft, func)(x, n=n) for n in (4, 5, 8)})
    rng = np.random.default_rng(5)
    for b in (0, 1, 3):
        data = rng.normal(size=(b, 2)) + 1j * rng.normal(size=(b, 2))
        ran = run_model(model, {"x": data})
        for n, got in zip((4, 5, 8), ran, strict=True):
            want = np.asarray(getattr(xp.fft, func)(xp.asarray(data), n=n))
            assert got.tobytes() == want.tobytes()
            np.testing.assert_allclose(want, getattr(np.fft, func)(data, n=n), rtol=1e-13,
                                       atol=1e-13)


def _near_max_signal(func: str, dtype) -> np.ndarray:
    """Entries near the float maximum whose n-dimensional sums overflow after one pass (the
    first rows), a row with one tiny entry, and moderate rows."""
    top = float(np.finfo(np.dtype(dtype).char.lower() if np.dtype(dtype).kind == "c"
                         else dtype).max) * 0.9
    re = np.array([[top, -top, top, -top], [top, -top, top, -top], [top, top, -top, 1.0],
                   [0.5, -2.0, 5e-39, 3.0]])
    if func == "rfftn" or np.dtype(dtype).kind == "f":
        return re.astype(dtype)
    z = (re + 1j * re[[2, 0, 3, 1]][:, ::-1]).astype(dtype)
    if func == "irfftn":  # a Hermitian-compatible last axis of 3 terms
        z = z[:, :3].copy()
    return z


@pytest.mark.parametrize(("func", "dtype"), [
    (f, dt) for f in ("fftn", "ifftn", "irfftn") for dt in (np.float64, np.complex128,
                                                              np.complex64)
] + [("rfftn", np.float64), ("rfftn", np.float32)])
def test_n_dimensional_transforms_near_the_float_maximum(func, dtype):
    """One overflow guard for all axes: a first pass that rounded to inf made the next one
    meet inf - inf (fftn of [[M, -M], [M, -M]] gave NaN where the result is [[0, inf], [0, 0]]).
    The oracle is NumPy's transform of the signal scaled by 2**-64, scaled back; eager and
    exported (static and symbolic sizes) agree bit for bit."""
    data = _near_max_signal(func, dtype)
    fn = getattr(xp.fft, func)
    got = np.asarray(fn(xp.asarray(data)))
    wide = data.astype(np.complex128 if data.dtype.kind == "c" else np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        expected = (getattr(np.fft, func)(wide * 2.0 ** -64) * 2.0 ** 64).astype(got.dtype)
    got_parts, expected_parts = ((np.stack([a.real, a.imag]) if a.dtype.kind == "c" else a)
                                 for a in (got, expected))
    assert not np.isnan(got_parts).any()
    finite = np.isfinite(expected_parts)
    np.testing.assert_array_equal(got_parts[~finite], expected_parts[~finite])
    # rounding: a few ulps of the largest possible sum (n * max|x|)
    eps = np.finfo(got_parts.dtype).eps
    top = max(float(np.max(np.abs(wide.real))), float(np.max(np.abs(wide.imag))))
    size = data.size if func in ("fftn", "rfftn") else 1  # the inverses divide by n
    np.testing.assert_allclose(got_parts[finite], expected_parts[finite], rtol=0,
                               atol=16 * eps * size * top)
    for dynamic in (False, True):
        if func == "irfftn" and dynamic:
            continue  # irfft needs the length of its axis while recording
        model = export(lambda m, a: getattr(m.fft, func)(a), data, dynamic=dynamic)
        (out,) = run_model(model, {"x0": data})
        assert out.tobytes() == got.tobytes()


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("shape", [(3,), (2, 3), (3, 1, 2)])
def test_hermitian_ends_keep_every_other_bit(shape, n):
    """irfft's spectrum loses the imaginary parts of its zero (and even n's Nyquist) terms
    only: every other part keeps its bits, a -0.0 included (onnxruntime's Where of these shapes
    turned a kept -0.0 into +0.0), eagerly and exported alike."""
    from onnxarray.fft import _real_ends
    rng = np.random.default_rng(n)
    m = n // 2 + 1
    full = (m,) + shape[1:]
    values = np.array([-0.0, 0.0, 1.5, -np.inf, np.nan])
    z = np.empty(full, np.complex128)
    z.real, z.imag = (values[rng.integers(0, 5, full)] for _ in range(2))
    z.real[..., 0] = -0.0
    want = z.copy()
    want.imag[0] = 0.0
    if n % 2 == 0:
        want.imag[-1] = 0.0
    got = np.asarray(_real_ends(xp.asarray(z), 0, n))
    assert got.tobytes() == want.tobytes()
    x = xp.argument(shape=(m,) + tuple(f"b{i}" for i in range(1, len(shape))),
                    dtype=xp.complex128)
    model = xp.build({"x": x}, {"y": _real_ends(x, 0, n)})
    (out,) = run_model(model, {"x": z})
    assert out.tobytes() == want.tobytes()


@pytest.mark.parametrize("func", ["rfft", "ihfft", "rfftn"])
def test_one_sided_transform_of_a_run_time_empty_signal_fails_in_a_named_check(func):
    """Eagerly an empty signal has no one-sided transform (ValueError); the exported model
    fails in a check named so, not inside onnxruntime's DFT, and transforms every other
    length as the eager call does."""
    with pytest.raises(ValueError, match="rfft: the transformed axis 1 is empty"):
        getattr(xp.fft, func)(xp.asarray(np.zeros((2, 0))))
    x = xp.argument(shape=(2, "N"), dtype=xp.float64)
    model = xp.build({"x": x}, {"y": getattr(xp.fft, func)(x)})
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    state = ort.capi.onnxruntime_pybind11_state
    with pytest.raises((state.Fail, state.RuntimeException, state.InvalidArgument),
                       match="rfft: the transformed axis 1 is empty"):
        sess.run(None, {"x": np.zeros((2, 0))})
    for n in (1, 2, 5):
        data = np.random.default_rng(n).normal(size=(2, n))
        (out,) = sess.run(None, {"x": data})
        assert unpack(out).tobytes() == np.asarray(getattr(xp.fft, func)(xp.asarray(data))
                                                   ).tobytes()


@pytest.mark.parametrize(("func", "kw", "rows", "cut"), [
    ("fft", {"n": 2}, 2, (slice(None), slice(0, 2))),
    ("ifft", {"n": 2, "axis": 0}, 3, (slice(0, 2),)),
    ("rfft", {"n": 2}, 2, (slice(None), slice(0, 2))),
    ("ihfft", {"n": 2}, 2, (slice(None), slice(0, 2))),
    ("fftn", {"s": (1, 2), "axes": (0, 1)}, 3, (slice(0, 1), slice(0, 2))),
    ("ifftn", {"s": (2,), "axes": (1,)}, 2, (slice(None), slice(0, 2))),
    ("rfftn", {"s": (2, 2), "axes": (0, 1)}, 3, (slice(0, 2), slice(0, 2))),
    ("irfftn", {"s": (2, 2), "axes": (0, 1)}, 3, (slice(0, 2), slice(0, 2))),
])
def test_a_huge_value_cut_off_by_n_changes_no_bit_of_the_rest(func, kw, rows, cut):
    """The overflow guard looks at the signal the transform sees: a value near the float
    maximum cut off by n (s) scaled the rest by 2**-64 and back, and values below 2**-958
    lost bits as subnormals."""
    x = np.array([[1e-300, -3e-300, 1.7e308], [2.5e-301, 7e-310, -1.7e308],
                  [-1.7e308, 1.7e308, 1.7e308]])[:rows]
    if func == "ifft":  # along axis 0: the last row is cut off
        x = x[:, :2]
    if func not in ("rfft", "ihfft", "rfftn"):
        x = x + 0.5j * x
    fn = getattr(xp.fft, func)
    got = np.asarray(fn(xp.asarray(x), **kw))
    alone = np.ascontiguousarray(x[cut])
    want = np.asarray(fn(xp.asarray(alone), **kw))
    assert got.tobytes() == want.tobytes()
    np.testing.assert_allclose(got, getattr(np.fft, func)(alone, **kw), rtol=1e-13,
                               atol=1e-13 * np.max(np.abs(alone)))
    for dynamic in (False, True) if func != "irfftn" else (False,):
        model = export(lambda m, a: getattr(m.fft, func)(a, **kw), x, dynamic=dynamic)
        (out,) = run_model(model, {"x0": x})
        assert out.tobytes() == got.tobytes()
