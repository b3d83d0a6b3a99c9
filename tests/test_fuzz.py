"""The differential fuzzer (see ``fuzzing.py``) and regression tests for what it found.

CI runs a fixed, seeded budget of random programs. ``ONNXARRAY_FUZZ=N`` runs N programs
(``ONNXARRAY_FUZZ_SEED`` picks the seed), prints the counts and every finding, and fails if
any finding is left.
"""

from __future__ import annotations

import collections
import math
import os

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from fuzz_programs import Call, Ref, nan_values
from fuzz_rules import bit_difference, close_difference, unique_difference
from fuzzing import Generator, check_program

import onnxarray as xp

# the reference and the generator compute with special values on purpose
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def A(v):
    return xp.asarray(np.asarray(v))


# -- the fuzzer -----------------------------------------------------------------------------------

CI_PROGRAMS = 160
CI_SEED = 20261130


def _fuzz(n: int, seed: int):
    rng = np.random.default_rng(seed)
    # calls the reference rejects are also run on onnxarray: an error that is not a standard
    # exception of its own (a failure inside onnxruntime) is a finding
    rejected = []
    gen = Generator(rng, lenient=rejected)
    findings = []
    counts = collections.Counter()
    for k in range(n):
        program = gen.program()
        findings.extend(f for f in rejected if f.kind == "raw-error")
        counts["accepted where the reference rejects"] += sum(f.kind == "accepts-invalid"
                                                             for f in rejected)
        rejected.clear()
        counts["programs"] += 1
        counts["calls"] += len(program.calls)
        # every other program is exported with symbolic dimensions
        found = check_program(program, dynamic=k % 2 == 1)
        # data-dependent or symbolic sizes that a trace cannot resolve raise a clear error
        counts["trace limits"] += sum(f.kind.endswith("-limit") for f in found)
        counts["stricter than array-api-strict"] += sum(f.kind == "stricter" for f in found)
        findings.extend(f for f in found if not f.kind.endswith("-limit") and
                        f.kind != "stricter")
    return counts, findings


@pytest.mark.parametrize("part", range(4))
def test_fuzz_ci_budget(part):
    """A fixed budget of random programs: eager == jit == exported, and the standard holds."""
    counts, findings = _fuzz(CI_PROGRAMS // 4, CI_SEED + part)
    assert counts["calls"] >= CI_PROGRAMS // 4 * 2
    assert not findings, "\n\n".join(str(f) for f in findings[:5])


def test_rules_tell_what_the_standard_fixes():
    pool = [np.array([-0.0, 1.0]), np.array([0.0, 1.0])]
    zeros = np.array([0.0, 1.0]), np.array([-0.0, 1.0])
    assert close_difference(*zeros, Call("negative", (Ref(0),)), pool)  # sign fixed
    assert close_difference(*zeros, Call("maximum", (Ref(0), Ref(1))), pool) is None  # open
    near = np.array([1.0 + 2e-16]), np.array([1.0])
    assert close_difference(*near, Call("sin", (Ref(0),)), pool) is None  # rounding open
    assert close_difference(*near, Call("add", (Ref(0), Ref(1))), pool)  # IEEE exact
    assert bit_difference(np.array([np.nan]), np.array([np.nan])) is None
    # between onnxarray's modes, a NaN's sign and payload count too
    nans = nan_values(np.float32)
    assert bit_difference(nans[:1], nans[2:3]) is None
    assert "0x7fc00123" in bit_difference(nans[:1], nans[2:3], nan_bits=True)
    assert bit_difference(nans[1:2], nans[1:2].copy(), nan_bits=True) is None
    assert bit_difference(np.array([0.0]), np.array([-0.0]))
    assert bit_difference(np.array([1], np.int32), np.array([1], np.int64))
    # unique: either zero may stand for the pair -0, +0; the imaginary parts count
    x = np.array([0.0, 1.0, -0.0])
    call = Call("unique_values", (Ref(0),))
    assert unique_difference(call, [x], [np.array([0.0, 1.0])], [np.array([-0.0, 1.0])]) is None
    assert unique_difference(call, [x], [np.array([0.5, 1.0])], [np.array([-0.0, 1.0])])
    z = np.array([1 + 2j, 1 - 2j])
    assert unique_difference(call, [z], [np.array([1 + 2j, 1 + 3j])], [np.sort(z)])
    # a transform near the float maximum: NumPy's passes give NaN (inf - inf) where the
    # transform is 0; the reference is exact there, and a NaN is an error
    big = np.array([[1.6e308, -1.6e308], [1.6e308, -1.6e308]])
    call = Call("fft.fftn", (Ref(0),), {"norm": "backward"})
    with np.errstate(all="ignore"):
        numpy_ref = np.fft.fftn(big)
    assert np.isnan(numpy_ref[1, 1])
    right = np.array([[0, np.inf], [0, 0]], complex)
    assert close_difference(right, numpy_ref, call, [big]) is None
    assert close_difference(numpy_ref, numpy_ref, call, [big])
    # complex64 power: NumPy overflows inside where the power underflows to 0
    z = np.array([complex(-0.002, 3.4028234663852886e38)], np.complex64)
    call = Call("__pow__", (Ref(0), -7.0))
    with np.errstate(all="ignore"):
        numpy_ref = z ** np.complex64(-7.0)
    assert np.isnan(numpy_ref.real).all()
    assert close_difference(np.zeros(1, np.complex64), numpy_ref, call, [z]) is None
    assert close_difference(np.ones(1, np.complex64), numpy_ref, call, [z])


@pytest.mark.skipif("ONNXARRAY_FUZZ" not in os.environ, reason="set ONNXARRAY_FUZZ=N to run N "
                    "programs")
def test_fuzz_long():
    n = int(os.environ["ONNXARRAY_FUZZ"])
    seed = int(os.environ.get("ONNXARRAY_FUZZ_SEED", "1"))
    counts, findings = _fuzz(n, seed)
    kinds = collections.Counter(f.signature() for f in findings)
    print(f"\nfuzz: {dict(counts)}; {len(findings)} findings")
    for sig, c in kinds.most_common():
        print(f"{c:6d}  {sig}")
    first = {}
    for f in findings:
        first.setdefault(f.signature(), f)
    for f in first.values():
        print(f"\n{f}")
    assert not findings


# -- regressions: each a bug the fuzzer found -----------------------------------------------------


@pytest.mark.parametrize("kw", [{"max": math.nan}, {"min": math.nan}, {"min": 1.0, "max": math.nan},
                                {"min": math.nan, "max": 1.0}])
def test_clip_nan_scalar_bound_gives_nan(kw):
    out = np.asarray(xp.clip(A([0.0, 5.0, -math.inf]), **kw))
    assert np.isnan(out).all()


def test_clip_nan_array_bound_gives_nan_where_the_bound_is_nan():
    lo = A([math.nan, 1.0, 1.0])
    hi = A([9.0, math.nan, 9.0])
    out = np.asarray(xp.clip(A([0.0, 5.0, 2.0]), min=lo, max=hi))
    np.testing.assert_array_equal(out, [math.nan, math.nan, 2.0])
    x = xp.argument(shape=(3,), dtype=xp.float64)
    b = xp.argument(shape=(3,), dtype=xp.float64)
    model = xp.build({"x": x, "b": b}, {"y": xp.clip(x, min=b)})
    got = _session(model).run(None, {"x": np.array([0.0, 5.0, 2.0]),
                                     "b": np.array([math.nan, 1.0, 3.0])})[0]
    np.testing.assert_array_equal(got, [math.nan, 5.0, 3.0])


@pytest.mark.parametrize("func", ["sum", "prod", "cumulative_sum", "cumulative_prod"])
@pytest.mark.parametrize("dtype", ["float64", "float32", "int64"])
def test_complex_input_with_real_dtype_raises(func, dtype):
    z = A(np.array([1 + 2j, 3 - 1j]))
    with pytest.raises(TypeError, match=f"{func}: dtype {dtype}"):
        getattr(xp, func)(z, dtype=getattr(xp, dtype))
    s = xp.argument(shape=(2,), dtype=xp.complex128)
    with pytest.raises(TypeError, match=func):
        getattr(xp, func)(s, dtype=getattr(xp, dtype))


@pytest.mark.parametrize("func", ["sum", "prod", "cumulative_sum", "cumulative_prod"])
def test_complex_input_with_complex_dtype(func):
    z = np.array([1 + 2j, 3 - 1j, -0.5 + 0.25j])
    out = getattr(xp, func)(A(z), dtype=xp.complex64)
    assert out.dtype == xp.complex64
    ref = {"sum": np.sum, "prod": np.prod, "cumulative_sum": np.cumsum,
           "cumulative_prod": np.cumprod}[func](z.astype(np.complex64))
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-6)


@pytest.mark.parametrize("shape", [(2, 3), (4, 2, 3), (1, 1), (0, 3)])
def test_mT_and_T_of_complex(shape):
    z = np.arange(math.prod(shape)).reshape(shape) * (1 - 2j) + 0.5j
    np.testing.assert_array_equal(np.asarray(A(z).mT), np.swapaxes(z, -1, -2))
    if len(shape) == 2:
        np.testing.assert_array_equal(np.asarray(A(z).T), z.T)
    s = xp.argument(shape=shape, dtype=xp.complex128)
    assert s.mT.shape == shape[:-2] + shape[:-3:-1]


@pytest.mark.parametrize("shape, axis", [((0,), None), ((2, 0), 1), ((0, 3), 0), ((2, 0), None)])
def test_prod_of_empty_complex_is_one(shape, axis):
    z = np.zeros(shape, np.complex64)
    out = xp.prod(A(z), axis=axis)
    np.testing.assert_array_equal(np.asarray(out), np.prod(z, axis=axis))
    assert out.dtype == xp.complex64


def test_cumulative_prod_does_not_overflow_where_the_product_is_finite():
    out = np.asarray(xp.cumulative_prod(A([1e-300, 1e300, 1e300, 1e-300])))
    np.testing.assert_allclose(out, [1e-300, 1.0, 1e300, 1.0], rtol=1e-15)
    out32 = np.asarray(xp.cumulative_prod(A(np.array([1e-30, 1e30, 1e30, 1e-30], np.float32))))
    np.testing.assert_allclose(out32, [1e-30, 1.0, 1e30, 1.0], rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_prod_does_not_overflow_where_the_product_is_finite(dtype):
    big = np.finfo(dtype).max
    x = np.array([0, 0, 0, -9.6, 0, 0, 0, -big], dtype)
    assert np.asarray(xp.prod(A(x))) == 0
    y = np.array([big, big, 1 / big, 1 / big, 3], dtype)
    np.testing.assert_allclose(np.asarray(xp.prod(A(y))), 3, rtol=4 * np.finfo(dtype).eps)
    # along an axis, with keepdims, and exported with a symbolic length
    m = np.stack([y, y[::-1]])
    np.testing.assert_allclose(np.asarray(xp.prod(A(m), axis=1, keepdims=True)), [[3], [3]],
                               rtol=4 * np.finfo(dtype).eps)
    s = xp.argument(shape=(2, "n"), dtype=getattr(xp, np.dtype(dtype).name))
    model = xp.build({"s": s}, {"p": xp.prod(s, axis=1), "c": xp.cumulative_prod(s, axis=1)})
    p, c = _session(model).run(None, {"s": m})
    np.testing.assert_allclose(p, [3, 3], rtol=4 * np.finfo(dtype).eps)
    np.testing.assert_array_equal(c, np.asarray(xp.cumulative_prod(A(m), axis=1)))


@pytest.mark.parametrize("x", [[-0.0, 2.0], [np.inf, 0.0], [np.nan, 1.0], [-np.inf, -2.0],
                               [5e-324, 4.0], [5e-324, 0.25], [], [1e308, 10.0]])
def test_prod_special_values_follow_ieee(x):
    x = np.array(x)
    with np.errstate(all="ignore"):
        ref = np.prod(x)
    out = np.asarray(xp.prod(A(x)))
    assert (np.isnan(out) and np.isnan(ref)) or (out == ref and np.signbit(out) == np.signbit(ref))


def _session(model):
    onnx.checker.check_model(model, full_check=True)
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


@pytest.mark.parametrize("names", [{"v0"}, {"c0", "v0", "v1"}, {"c0"}, {"dft_axis1_0"}])
def test_build_user_names_do_not_collide_with_internal_names(names):
    x = xp.argument(shape=(4,), dtype=xp.float64)
    ys = [xp.sin(x) * 2.0 + 1.0, xp.abs(x) - 3.0, xp.real(xp.fft.fft(x))]
    model = xp.build({"x": x}, {n: ys[i % len(ys)] for i, n in enumerate(sorted(names))})
    data = np.array([0.5, -1.0, 2.0, 3.0])
    got = _session(model).run(None, {"x": data})
    expected = [np.sin(data) * 2 + 1, np.abs(data) - 3, np.fft.fft(data).real]
    for i, g in enumerate(got):
        np.testing.assert_allclose(g, expected[i % len(ys)], rtol=1e-12, atol=1e-12)


def test_build_input_named_like_an_internal_value():
    x = xp.argument(shape=(2,), dtype=xp.float64)
    model = xp.build({"v0": x}, {"y": (x + 1.0) * 3.0})
    np.testing.assert_array_equal(_session(model).run(None, {"v0": np.array([1.0, 2.0])})[0],
                                  [6.0, 9.0])


@pytest.mark.parametrize("value_shape", [(2,), (1, 2), (3,)])
def test_empty_mask_assignment_checks_the_value_shape(value_shape):
    b = A([1.0, 2.0])
    with pytest.raises(ValueError, match="__setitem__"):
        b[A([False, False])] = A(np.ones(value_shape))
    np.testing.assert_array_equal(np.asarray(b), [1.0, 2.0])


@pytest.mark.parametrize("value_shape", [(3,), (2, 2), (1, 3), (2,)])
def test_mask_assignment_checks_the_value_against_the_selected_count(value_shape):
    # the mask selects 1 row of 2: a value of 3 (or 2) rows failed inside onnxruntime
    b = A(np.zeros((3, 2)))
    mask = A([False, True, False])
    if value_shape == (2,):  # one row, broadcast to the selection
        b[mask] = A(np.ones(value_shape))
        np.testing.assert_array_equal(np.asarray(b), [[0, 0], [1, 1], [0, 0]])
        return
    with pytest.raises(ValueError, match="__setitem__"):
        b[mask] = A(np.ones(value_shape))
    np.testing.assert_array_equal(np.asarray(b), np.zeros((3, 2)))
    v = A([False, True, False])
    with pytest.raises(ValueError, match="does not fit the selection"):
        v[mask] = A(np.ones(value_shape[-1:], bool))


def test_empty_mask_assignment_with_a_fitting_value():
    b = A([1.0, 2.0])
    b[A([False, False])] = A([7.0])  # (1,) broadcasts to the empty selection
    np.testing.assert_array_equal(np.asarray(b), [1.0, 2.0])
    b[A([False, True])] = A([7.0])
    np.testing.assert_array_equal(np.asarray(b), [1.0, 7.0])


def test_complex_outer_and_cross():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))
    b = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    np.testing.assert_allclose(np.asarray(xp.linalg.outer(A(b), A(a[0]))), np.outer(b, a[0]),
                               rtol=1e-14)
    np.testing.assert_allclose(np.asarray(xp.linalg.outer(A(b), A([1.0, 2.0]))),
                               np.outer(b, [1.0, 2.0]), rtol=1e-14)
    np.testing.assert_allclose(np.asarray(xp.linalg.cross(A(a), A(b))), np.cross(a, b),
                               rtol=1e-14)
    m = a.T.copy()
    np.testing.assert_allclose(np.asarray(xp.linalg.cross(A(m), A(m[:, ::-1]), axis=-2)),
                               np.cross(m, m[:, ::-1], axis=0), rtol=1e-14)


@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
                                   np.uint32, np.uint64])
def test_integer_pow_is_exact(dtype):
    info = np.iinfo(dtype)
    base = np.concatenate([np.arange(max(int(info.min), -40), 41),
                           [info.min, info.max, info.max - 1]]).astype(dtype)
    expo = np.concatenate([np.arange(0, 70), [info.max, info.max - 1]]).astype(dtype)
    b, e = np.meshgrid(base, expo)
    got = np.asarray(xp.pow(A(b), A(e)))
    for (i, j), g in np.ndenumerate(got):
        bi, ei = int(b[i, j]), int(e[i, j])
        if abs(bi) <= 1 or ei < 64:
            exact = bi**ei
            if info.min <= exact <= info.max:  # overflow is unspecified
                assert g == exact, (bi, ei, g)
    for k in (0, 1, 3, 39):  # a Python exponent takes the unrolled path
        got = np.asarray(xp.pow(A(base), k))
        exact = [int(v) ** k for v in base]
        for g, x in zip(got, exact):
            if info.min <= x <= info.max:
                assert g == x


def test_integer_pow_large_values():
    assert int(np.asarray(xp.pow(A(np.array(3, np.int64)), 39))) == 3**39
    assert int(np.asarray(xp.pow(A(np.array(2**62 + 1, np.int64)), A(np.array(1))))) == 2**62 + 1
    assert int(np.asarray(xp.pow(A(np.array(3, np.uint64)), A(np.array(40, np.uint64))))) == 3**40
    assert int(np.asarray(xp.pow(A(np.array(0, np.uint64)),
                                 A(np.array(2**64 - 1, np.uint64))))) == 0


def test_complex_pow_of_mixed_precision_is_computed_in_the_wider_type():
    a = np.array([-1.0179e-01 + 1.6j], np.complex64)
    b = np.array([0.37337118897008253 + 0.10466293955658257j])
    for x1, x2 in ((a, b), (b, a), (a, b.real)):
        out = np.asarray(xp.pow(A(x1), A(x2)))
        assert out.dtype == np.complex128
        ref = x1.astype(np.complex128) ** x2.astype(np.complex128)
        np.testing.assert_allclose(out, ref, rtol=1e-14)


def test_prod_of_huge_values_and_a_zero_is_zero():
    assert np.asarray(xp.prod(A([1e308, 1e308, 1e308, 0.0]))) == 0
    out = np.asarray(xp.cumulative_prod(A([1e308, 1e308, 1e308, -0.0])))
    np.testing.assert_array_equal(out, [1e308, np.inf, np.inf, -0.0])
    assert np.signbit(out[-1])


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_products_do_not_overflow_where_the_product_is_finite(dtype):
    big = float(np.sqrt(np.finfo(dtype).max)) * 2  # a product of two overflows
    z = np.array([big * (1 + 1j), big * (1 - 0.1j), 1 / big, 1j / big, 2 + 1j], dtype)
    exact = (1 + 1j) * (1 - 0.1j) * 1j * (2 + 1j)
    rtol = 8 * np.finfo(dtype).eps
    np.testing.assert_allclose(np.asarray(xp.prod(A(z))), exact, rtol=rtol)
    np.testing.assert_allclose(np.asarray(xp.cumulative_prod(A(z)))[-1], exact, rtol=rtol)
    s = xp.argument(shape=("n",), dtype=getattr(xp, np.dtype(dtype).name))
    model = xp.build({"s": s}, {"c": xp.cumulative_prod(s)})
    from onnxarray._complex import pack, unpack
    got = unpack(_session(model).run(None, {"s": pack(z)})[0])
    np.testing.assert_array_equal(got, np.asarray(xp.cumulative_prod(A(z))))


def test_prod_of_empty_complex_axis_beside_a_symbolic_axis():
    s = xp.argument(shape=(0, "n"), dtype=xp.complex64)
    model = xp.build({"s": s}, {"p": xp.prod(s, axis=0, keepdims=True), "q": xp.prod(s, axis=0)})
    from onnxarray._complex import pack, unpack
    data = np.zeros((0, 3), np.complex64)
    p, q = (unpack(r) for r in _session(model).run(None, {"s": pack(data)}))
    np.testing.assert_array_equal(p, np.ones((1, 3), np.complex64))
    np.testing.assert_array_equal(q, np.ones(3, np.complex64))


def test_vector_norm_inf_of_an_empty_vector_is_zero():
    assert float(np.asarray(xp.linalg.vector_norm(A(np.zeros(0)), ord=math.inf))) == 0.0
    out = xp.linalg.vector_norm(A(np.zeros((0, 3))), ord=math.inf, axis=0, keepdims=True)
    np.testing.assert_array_equal(np.asarray(out), np.zeros((1, 3)))


@pytest.mark.parametrize("x_shape, idx", [((2, 3), [[5, 0, 0], [0, 0, 0]]),
                                          ((2, 3), [[-4, 0, 0], [0, 0, 0]]),
                                          ((2, 0), [[0], [0]])])
def test_take_along_axis_out_of_bounds_raises_index_error(x_shape, idx):
    with pytest.raises(IndexError, match="take_along_axis"):
        xp.take_along_axis(A(np.ones(x_shape)), A(np.array(idx)), axis=-1)


@pytest.mark.parametrize("func, kw", [("rfft", {}), ("ihfft", {}), ("rfftn", {})])
def test_fft_of_an_empty_axis_raises_value_error(func, kw):
    dtype = np.float64 if func in ("rfft", "ihfft", "rfftn") else np.complex128
    with pytest.raises(ValueError, match="fft"):
        getattr(xp.fft, func)(A(np.zeros(0, dtype)), **kw)


@pytest.mark.parametrize("func, kw", [("rfft", {"n": 4}), ("fft", {"n": 4}), ("ifft", {"n": 2}),
                                      ("fftn", {"s": (4,), "axes": (-1,)}),
                                      ("ihfft", {"n": 3}), ("rfftn", {"s": (5,), "axes": (-1,)}),
                                      ("irfft", {"n": 4}), ("hfft", {"n": 3}),
                                      ("ifftn", {"s": (2,), "axes": (-1,)})])
@pytest.mark.parametrize("shape", [(0,), (2, 0)])
def test_fft_of_an_empty_axis_padded_to_n_is_zeros(func, kw, shape):
    # the standard zero-pads the input to length n; an empty one becomes all zeros
    # (NumPy agrees, but for irfft and hfft, which read uninitialised memory)
    dtype = np.float64 if func in ("rfft", "ihfft", "rfftn") else np.complex128
    x = np.zeros(shape, dtype)
    want = getattr(np.fft, func)(np.zeros(shape[:-1] + (1,), dtype), **kw)
    got = getattr(xp.fft, func)(A(x), **kw)
    assert got.dtype == xp.asarray(want).dtype
    np.testing.assert_array_equal(np.asarray(got), want)
    s = xp.argument(shape=shape, dtype=xp.asarray(x).dtype)
    model = xp.build({"s": s}, {"y": getattr(xp.fft, func)(s, **kw)}, allow_unused_inputs=True)
    from onnxarray._complex import pack, unpack
    (out,) = _session(model).run(None, {"s": x if dtype == np.float64 else pack(x)})
    np.testing.assert_array_equal(unpack(out) if want.dtype.kind == "c" else out, want)


@pytest.mark.parametrize("key, value_shape", [((slice(None), -2, None), (3, 3)),
                                              ((slice(None), slice(0, 1)), (3, 2)),
                                              ((0,), (2, 3))])
def test_setitem_value_must_broadcast_to_the_selection(key, value_shape):
    b = A(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="__setitem__"):
        b[key] = A(np.ones(value_shape))
    np.testing.assert_array_equal(np.asarray(b), np.zeros((3, 3)))
    b[key] = A(np.ones(value_shape[-1:]))[..., :1]  # a size-1 value broadcasts
    assert np.asarray(b).sum() > 0


@pytest.mark.parametrize("dtype", ["int16", "uint16", "int32", "float32", "float64"])
@pytest.mark.parametrize("source", ["onnxarray", "numpy"])
def test_asarray_of_complex_with_a_real_dtype_raises_naming_asarray(dtype, source):
    # the standard: casting complex to a real dtype "should not be permitted" (astype);
    # asarray refuses it the same way, whether the complex input is ours or NumPy's
    z = np.array([1.5 + 2j, -3 - 1j], dtype=np.complex64)
    obj = A(z) if source == "onnxarray" else z
    with pytest.raises(TypeError, match="asarray: casting complex64 to .* imaginary"):
        xp.asarray(obj, dtype=getattr(xp, dtype))
    assert np.asarray(xp.asarray(obj, dtype=xp.bool)).tolist() == [True, True]


@pytest.mark.parametrize("func", ["exp", "expm1"])
def test_complex64_exp_near_overflow_keeps_a_finite_imaginary_part(func):
    # exp(89) overflows float32 but exp(89) * sin(-1e-30) does not: exact values from mpmath
    # (NumPy's complex64 gives inf - inf j)
    z = np.array([89 - 1e-30j, 95 - 1e-35j, 88.75 + 0j], dtype=np.complex64)
    out = np.asarray(getattr(xp, func)(A(z)))
    want_imag = np.array([-448961280.0, -1811239.125, 0.0], dtype=np.float32)
    assert np.isposinf(out.real).all()
    np.testing.assert_allclose(out.imag, want_imag, rtol=4 * np.finfo(np.float32).eps)
    assert not np.signbit(out.imag[2])


@pytest.mark.parametrize(("x_dims", "i_dims", "indices"), [
    (("a", "b"), ("c", "d"), [[1]]),
    (("a", "b"), ("c", "d"), [[1], [2], [0]]),
    (("a", "b"), (1, "d"), [[1, 3]]),
    (("a", 4), ("c", 2), [[1, 0]]),
])
def test_take_along_axis_broadcasts_sizes_known_only_at_run_time(x_dims, i_dims, indices):
    # the exported model gathered one row where the indices' size-1 axis met x's 3 rows
    data = np.arange(12.0).reshape(3, 4)
    idx = np.asarray(indices, np.int64)
    x = xp.argument(shape=x_dims, dtype=xp.float64)
    i = xp.argument(shape=i_dims, dtype=xp.int64)
    model = xp.build({"x": x, "i": i}, {"y": xp.take_along_axis(x, i, axis=-1)})
    got = _session(model).run(None, {"x": data, "i": idx})[0]
    want = np.take_along_axis(data, np.broadcast_to(idx, (3, idx.shape[1])), axis=-1)
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(np.asarray(xp.take_along_axis(A(data), A(idx), axis=-1)), want)


def test_square_matrix_functions_name_unequal_symbolic_sizes():
    x = xp.argument(shape=("a", "b"), dtype=xp.float64)
    for func in (xp.linalg.det, xp.linalg.inv, xp.linalg.eigvals):
        with pytest.raises(ValueError, match="sizes a and b are not known to be equal"):
            func(x)


_BOUNDS = [None, -7, -5, -4, -3, -2, -1, 0, 1, 2, 4, 6]
_SLICES = [slice(a, b, c) for a in _BOUNDS for b in _BOUNDS for c in (None, 1, 2, -1, -2)]


@pytest.mark.parametrize("n", [0, 1, 3, 5])
def test_slices_follow_python_out_of_range(n):
    # x[-5::-1] of 3 elements is empty: ONNX's Slice clamps that start to the first element
    # (the result had all 3 elements eagerly and the first one exported with a symbolic size)
    data = np.arange(n, dtype=np.float64)
    x = A(data)
    for k in _SLICES:
        got = np.asarray(x[k])
        assert got.tolist() == data[k].tolist(), k
        y = xp.asarray(x, copy=True)
        y[k] = -1.0
        want = data.copy()
        want[k] = -1.0
        assert np.asarray(y).tolist() == want.tolist(), k


def test_slices_follow_python_out_of_range_with_a_symbolic_size():
    s = xp.argument(shape=("n",), dtype=xp.float64)
    outs = {}
    for j, k in enumerate(_SLICES):
        outs[f"g{j}"] = s[k]
        y = xp.asarray(s, copy=True)
        y[k] = -1.0
        outs[f"s{j}"] = y
    sess = _session(xp.build({"s": s}, outs))
    for n in (0, 1, 3, 5):
        data = np.arange(n, dtype=np.float64)
        got = dict(zip(outs, sess.run(None, {"s": data})))
        for j, k in enumerate(_SLICES):
            want = data.copy()
            want[k] = -1.0
            assert got[f"g{j}"].tolist() == data[k].tolist(), (n, k)
            assert got[f"s{j}"].tolist() == want.tolist(), (n, k)


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_matrix_rank_near_the_float_maximum(dtype):
    # the singular values of such matrices overflow: a nonzero matrix had rank 0
    big = float(np.finfo(np.float32 if dtype == np.float32 else np.float64).max) * 0.9
    x = np.array([[[big, big], [big, big]], [[big, big], [big, -big]], [[1.0, 2.0], [3.0, 4.0]],
                  [[0.0, 0.0], [0.0, 0.0]], [[big, 1.0], [1.0, 1e-30]]], dtype)
    if dtype == np.complex128:
        x = x * 1j
    want = [1, 2, 2, 0, 1]
    assert np.asarray(xp.linalg.matrix_rank(A(x))).tolist() == want
    s = xp.argument(shape=("b", 2, 2), dtype=xp.asarray(x).dtype)
    model = xp.build({"s": s}, {"r": xp.linalg.matrix_rank(s)})
    from onnxarray._complex import pack
    (got,) = _session(model).run(None, {"s": pack(x) if dtype == np.complex128 else x})
    assert got.tolist() == want


def test_complex_prod_over_no_axis_is_each_element():
    # axis=() of a complex (0, n) array failed to export: a reshape to (0, -1, 1)
    s = xp.argument(shape=(0, "n"), dtype=xp.complex64)
    model = xp.build({"s": s}, {"p": xp.prod(s, axis=()), "q": xp.prod(s, axis=(), keepdims=True)})
    from onnxarray._complex import pack, unpack
    for r in _session(model).run(None, {"s": pack(np.zeros((0, 3), np.complex64))}):
        assert unpack(r).shape == (0, 3)
    z = np.array([[1 + 2j, complex(-0.0, -0.0), complex(np.nan, 1)], [3e38, 1e-45j, 2]],
                 np.complex64)
    a = A(z)
    p = xp.prod(a, axis=())
    assert p.dtype == xp.complex64
    assert bit_difference(np.asarray(p), z) is None
    p[0, 0] = 5  # a new array, not the input
    assert np.asarray(a)[0, 0] == 1 + 2j


@pytest.mark.parametrize("dtype", [np.complex64, np.complex128])
def test_complex_division_does_not_overflow_where_the_quotient_is_finite(dtype):
    """Smith's a/p and b/p overflow at a divisor near the smallest normal where the quotient,
    up to twice smaller, is finite ((-7j) / (t + tj) gave -inf - inf j for -2.98e38 (1 + j) in
    complex64); eager, jit and exported agree bit for bit."""
    import mpmath
    from parity import export, run_model
    tiny = float(np.finfo(dtype).smallest_normal)
    big = float(np.finfo(dtype).max)
    num = np.array([-7j, 7.0, 3 - 5j, big / 2 * (1 + 1j), 1 + 1j, -7j], dtype)
    den = np.array([tiny * (1 + 1j), tiny * (1 - 1j), tiny * (2 + 1j), 0.75 + 0.75j, 2 + 0j,
                    tiny * 1j], dtype)
    got = np.asarray(xp.asarray(num) / xp.asarray(den))
    with mpmath.workprec(300):
        want = np.array([complex(mpmath.mpc(complex(a)) / mpmath.mpc(complex(b)))
                         for a, b in zip(num, den)])
    with np.errstate(over="ignore"):
        want = want.astype(dtype)
    assert np.isfinite(got[:-1]).all()
    np.testing.assert_allclose(got, want, rtol=4 * np.finfo(dtype).eps)
    jitted = np.asarray(xp.jit(lambda a, b: a / b)(xp.asarray(num), xp.asarray(den)))
    assert jitted.tobytes() == got.tobytes()
    model = export(lambda m, a, b: a / b, num, den)
    (out,) = run_model(model, {"x0": num, "x1": den})
    assert out.tobytes() == got.tobytes()


def test_one_sided_transforms_of_two_axes_in_one_model():
    """rfftn over axes (1, 0) and rfft of the same signal of symbolic sizes: the run-time DFT
    length of the empty-signal check made onnxruntime infer each one-sided result's shape as
    the signal's, and the model built at opset 26 failed reusing a (2, 2) buffer for a
    (2, 3) result."""
    from onnxarray import _executor
    from onnxarray._complex import unpack
    data = np.array([[-2.3e-4, 1.57, np.nan], [2.0, -1.6e-3, 2.69]], np.float32)

    def program(x):
        y = xp.fft.rfftn(x, axes=(1, 0))
        e = xp.expm1(y)
        return {"y": y, "e": e, "z": xp.fft.rfft(x), "w": e / e}
    eager = program(A(data))
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    for opset in (_executor.eager_opset(), _executor.DEFAULT_OPSET):
        x = xp.argument(shape=("a", "b"), dtype=xp.float32)
        model = xp.build({"x": x}, program(x), opset=opset)
        got = ort.InferenceSession(model.SerializeToString(), opts, providers=[
            "CPUExecutionProvider"]).run(None, {"x": data})
        for name, out in zip(("y", "e", "z", "w"), got):
            assert bit_difference(unpack(out), np.asarray(eager[name])) is None, (opset, name)


@pytest.mark.parametrize("i_shape, j_shape", [((0, 3), ()), ((), (0, 3)), ((0, 3), (1, 3)),
                                              ((2, 1), (0,)), ((2, 3), ()), ((1, 3), (2, 1))])
def test_integer_array_indices_broadcast_a_zero_size_at_run_time(i_shape, j_shape):
    """x[i, j] with index arrays of symbolic sizes: their broadcast shape at run time took
    the larger size of each axis, 1 for a 0 against a 1: an index of shape (0, 3) with a 0-d
    one selected (1, 3) elements, or read an index past the data."""
    data = np.arange(6.0).reshape(2, 3)
    rng = np.random.default_rng(0)
    i = rng.integers(0, 2, i_shape)
    j = rng.integers(0, 3, j_shape)
    want = data[i, j]
    np.testing.assert_array_equal(np.asarray(A(data)[A(i), A(j)]), want)
    x = xp.argument(shape=("a", "b"), dtype=xp.float64)
    si = xp.argument(shape=tuple(f"i{k}" if d else 0 for k, d in enumerate(i_shape)),
                     dtype=xp.int64)
    sj = xp.argument(shape=tuple(f"j{k}" if d else 0 for k, d in enumerate(j_shape)),
                     dtype=xp.int64)
    model = xp.build({"x": x, "i": si, "j": sj}, {"y": x[si, sj]})
    (got,) = _session(model).run(None, {"x": data, "i": i, "j": j})
    assert got.shape == want.shape
    np.testing.assert_array_equal(got, want)
