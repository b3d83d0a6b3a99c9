"""String arrays (``onnxarray.string``) and ``onnxarray.strings``.

Every function is checked three ways on the same data: eagerly, under ``jit`` (one compiled
session) and as an exported model run in onnxruntime; the three give the same result, which
equals NumPy's (``numpy.strings`` where it has the function, Python's ``str`` methods
otherwise). The inputs include empty and 0-D arrays, empty strings and non-ASCII text.
"""

from __future__ import annotations

import re

import numpy as np
import onnx
import onnxruntime as ort
import pytest

import onnxarray as xp
from onnxarray._complex import unpack
from onnxarray._plans import PROMOTE_AFTER

# numpy.strings (NumPy >= 2), or its older name numpy.char, which has the same functions
NP_STRINGS = getattr(np, "strings", np.char)

WORDS = ["", "a", "b", "ab", "Hello", "WORLD", "é", "École", "日本語", "😀", "a b", " x ",
         "ΑΒΓ", "zz", "0", "1.5", "naïve café"]


def text(shape, seed=0) -> np.ndarray:
    """A NumPy object array of words from WORDS."""
    rng = np.random.default_rng(seed)
    flat = [WORDS[i] for i in rng.integers(0, len(WORDS), int(np.prod(shape)))]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(shape)


SHAPES = [(), (0,), (7,), (3, 4), (2, 0, 3)]


def _feed(a: np.ndarray) -> np.ndarray:
    return a.astype(object) if a.dtype.kind in "UTO" else a


def _dtype_of(a: np.ndarray):
    return xp.string if a.dtype.kind in "UTO" else xp._dtypes.BY_NUMPY[a.dtype]


def _same(a: np.ndarray, b: np.ndarray, what: str) -> None:
    assert a.shape == b.shape, f"{what}: shape {a.shape} != {b.shape}"
    if a.dtype.kind in "UTO" or b.dtype.kind in "UTO":
        assert a.dtype.kind in "UTO" and b.dtype.kind in "UTO", f"{what}: {a.dtype} {b.dtype}"
        assert a.astype(object).tolist() == b.astype(object).tolist(), what
        return
    assert a.dtype == b.dtype, f"{what}: dtype {a.dtype} != {b.dtype}"
    if a.dtype.kind == "f":
        assert np.array_equal(a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}")), what
    else:
        assert np.array_equal(a, b), what


def three_ways(fn, *arrays: np.ndarray) -> list[np.ndarray]:
    """``fn(xp, *arrays)`` eagerly (op by op, then as plans), under jit and exported (all sizes
    dynamic); asserts they agree and returns the results as NumPy arrays (text as objects)."""
    def numpy_results(out) -> list[np.ndarray]:
        out = list(out) if isinstance(out, tuple) else [out]
        return [np.asarray(e, dtype=object) if e.dtype is xp.string else np.asarray(e)
                for e in out]

    eager_np = numpy_results(fn(xp, *[xp.asarray(_feed(a)) for a in arrays]))
    for _ in range(PROMOTE_AFTER):  # repeated calls of namespace functions run as plans
        planned = numpy_results(fn(xp, *[xp.asarray(_feed(a)) for a in arrays]))
    for i, (e, p) in enumerate(zip(eager_np, planned)):
        _same(p, e, f"planned output {i}")

    jitted = xp.jit(lambda *a: fn(xp, *a))(*[xp.asarray(_feed(a)) for a in arrays])
    jitted = list(jitted) if isinstance(jitted, tuple) else [jitted]
    for i, (e, j) in enumerate(zip(eager_np, jitted)):
        _same(np.asarray(j, dtype=object) if j.dtype is xp.string else np.asarray(j), e,
              f"jit output {i}")

    args = [xp.argument(shape=(None,) * a.ndim, dtype=_dtype_of(a)) for a in arrays]
    outs = fn(xp, *args)
    outs = list(outs) if isinstance(outs, tuple) else [outs]
    model = xp.build({f"x{i}": a for i, a in enumerate(args)},
                     {f"y{i}": o for i, o in enumerate(outs)},
                     allow_unused_inputs=True)  # a result may not depend on an input
    onnx.checker.check_model(model, full_check=True)
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    got = sess.run(None, {f"x{i}": _feed(a) for i, a in enumerate(arrays)})
    for i, (e, g) in enumerate(zip(eager_np, got)):
        if e.dtype.kind == "c":  # a complex output is a real tensor with a trailing 2
            g = unpack(g)
        _same(g, e, f"exported output {i}")
    return eager_np


def as_list(a) -> list:
    return np.asarray(a, dtype=object).tolist()


# ---------------------------------------------------------------------------------------------
# the dtype


def test_string_is_no_kind_of_the_standard():
    for kind in ("bool", "signed integer", "unsigned integer", "integral", "real floating",
                 "complex floating", "numeric"):
        assert not xp.isdtype(xp.string, kind)
    assert xp.isdtype(xp.string, xp.string)
    assert "string" not in xp.__array_namespace_info__().dtypes()
    assert repr(xp.string) == "onnxarray.string"


@pytest.mark.parametrize("other", [xp.int64, xp.float32, xp.bool])
def test_strings_do_not_promote_with_numbers(other):
    with pytest.raises(TypeError, match="result_type: strings do not mix with numbers"):
        xp.result_type(xp.string, other)
    s, n = xp.asarray(["1"]), xp.asarray([1], dtype=other)
    with pytest.raises(TypeError, match="concat: strings do not mix"):
        xp.concat([s, n])
    with pytest.raises(TypeError, match="equal: strings do not mix"):
        xp.equal(s, n)
    with pytest.raises(TypeError, match="where: strings do not mix"):
        xp.where(xp.asarray([True]), s, n)


def test_python_scalars_of_the_other_kind_are_refused():
    s = xp.asarray(["1"])
    with pytest.raises(TypeError, match="equal: cannot combine a Python int with a string"):
        _ = s == 1
    with pytest.raises(TypeError, match="equal: cannot combine a Python str with an array of "
                                        "dtype int64"):
        xp.equal(xp.asarray([1]), "1")
    # as before string arrays: a number array and a str are unequal objects to Python
    assert (xp.asarray([1]) == "1") is False and (xp.asarray([1]) != "1") is True
    with pytest.raises(TypeError, match="unsupported operand"):
        _ = xp.asarray([1]) + "1"


# ---------------------------------------------------------------------------------------------
# conversions


@pytest.mark.parametrize("shape", SHAPES)
def test_numpy_round_trip(shape):
    data = text(shape)
    sources = [data, data.astype(str)]
    if hasattr(np.dtypes, "StringDType"):  # NumPy >= 2
        sources.append(data.astype(np.dtypes.StringDType()))
    for source in sources:
        a = xp.asarray(source)
        assert a.dtype is xp.string and a.shape == shape
        back = np.asarray(a)
        assert back.dtype.kind == "U"
        assert back.astype(object).tolist() == data.tolist()
        assert np.asarray(a, dtype=object).tolist() == data.tolist()


def test_python_text():
    assert as_list(xp.asarray("日本語")) == "日本語"
    assert xp.asarray("").shape == ()
    nested = [["a", "é"], ["", "😀"]]
    assert as_list(xp.asarray(nested)) == nested
    assert as_list(xp.asarray(("x", "y"), dtype=xp.string)) == ["x", "y"]
    assert xp.asarray(np.array([], dtype=str)).dtype is xp.string


def test_utf8_survives_an_exported_model():
    x = xp.argument(shape=("N",), dtype=xp.string)
    model = xp.build({"x": x}, {"y": xp.flip(x)})
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    words = np.array(["naïve", "日本語", "😀", "", "\u0000x"], dtype=object)
    assert sess.run(None, {"x": words})[0].tolist() == words[::-1].tolist()
    assert model.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.STRING


def test_asarray_errors():
    with pytest.raises(TypeError, match="asarray: a string array holds only str, got int"):
        xp.asarray(["a", 1])
    with pytest.raises(TypeError, match="asarray: a string array holds only str, got bytes"):
        xp.asarray(np.array(["a", b"b"], dtype=object))
    with pytest.raises(TypeError, match="asarray: text cannot become int64 here"):
        xp.asarray(["1"], dtype=xp.int64)
    with pytest.raises(ValueError, match="copy=False"):
        xp.asarray(np.array(["a"]), copy=False)


def test_asarray_with_a_dtype_converts_arrays():
    assert as_list(xp.asarray(xp.asarray([2, -1]), dtype=xp.string)) == ["2", "-1"]
    assert as_list(xp.asarray(xp.asarray(["2", "-1"]), dtype=xp.int64)) == [2, -1]


def test_array_protocols():
    a = xp.asarray(["a", "b"])
    assert a.to_device(a.device) is a
    with pytest.raises(TypeError, match="__dlpack__: DLPack has no string type"):
        a.__dlpack__()
    assert repr(a) == "Array(['a', 'b'], dtype=string)"
    x = xp.argument(shape=(2,), dtype=xp.string)
    assert repr(x) == "Array<symbolic string[2]>"


def test_creation_with_text():
    assert as_list(xp.full((2,), "ab")) == ["ab", "ab"]
    assert xp.full((), "q").shape == ()
    assert as_list(xp.zeros((2,), dtype=xp.string)) == ["", ""]
    assert as_list(xp.empty((1,), dtype=xp.string)) == [""]
    assert as_list(xp.full_like(xp.asarray(["a", "b"]), "z")) == ["z", "z"]
    assert as_list(xp.zeros_like(xp.asarray(["a"]))) == [""]
    with pytest.raises(TypeError, match="ones: string arrays have no 1 to fill with"):
        xp.ones((2,), dtype=xp.string)
    with pytest.raises(TypeError, match="full: cannot combine a Python str"):
        xp.full((2,), "a", dtype=xp.float64)


def test_zeros_like_of_an_argument_exports():
    x = xp.argument(shape=("N",), dtype=xp.string)
    model = xp.build({"x": x}, {"y": xp.zeros_like(x)})
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    assert sess.run(None, {"x": np.array(["a", "b"], object)})[0].tolist() == ["", ""]


# ---------------------------------------------------------------------------------------------
# standard functions on strings: eager == jit == exported == NumPy


@pytest.mark.parametrize("shape", SHAPES)
def test_equality(shape):
    data, other = text(shape, 1), text(shape, 2)
    eq, ne, eq_str, ne_str = three_ways(
        lambda m, a, b: (a == b, a != b, a == "a", "é" != a), data, other)
    np.testing.assert_array_equal(eq, data == other)
    np.testing.assert_array_equal(ne, data != other)
    np.testing.assert_array_equal(eq_str, data == "a")
    np.testing.assert_array_equal(ne_str, data != "é")


@pytest.mark.parametrize("shape", SHAPES)
def test_where(shape):
    data, other = text(shape, 3), text(shape, 4)
    (out, out2) = three_ways(lambda m, a, b: (m.where(a == "a", b, a),
                                              m.where(a == "", "EMPTY", a)), data, other)
    assert out.tolist() == np.where(data == "a", other, data).tolist()
    assert out2.tolist() == np.where(data == "", "EMPTY", data).tolist()


@pytest.mark.parametrize("shape", [(0,), (7,), (3, 4), (2, 0, 3), (2, 5, 3)])
def test_manipulation(shape):
    data = text(shape, 5)
    outs = three_ways(lambda m, a: (
        m.flip(a), m.flip(a, axis=-1), m.reshape(a, (-1,)), m.expand_dims(a, axis=0),
        m.squeeze(m.expand_dims(a, axis=1), axis=1), m.concat([a, a], axis=0),
        m.stack([a, a], axis=-1), m.broadcast_to(a, (2, *shape)), m.roll(a, 1, axis=0),
        m.permute_dims(a, tuple(reversed(range(len(shape))))), m.repeat(a, 2, axis=0)), data)
    expected = [np.flip(data), np.flip(data, axis=-1), data.reshape(-1),
                data[None], data, np.concatenate([data, data]), np.stack([data, data], -1),
                np.broadcast_to(data, (2, *shape)), np.roll(data, 1, axis=0), data.T,
                np.repeat(data, 2, axis=0)]
    for i, (got, want) in enumerate(zip(outs, expected)):
        assert got.tolist() == want.tolist(), i


@pytest.mark.parametrize("shape", [(7,), (3, 4), (2, 5, 3)])
def test_take_along_every_axis(shape):
    """Gather off the last axis goes around onnxruntime's string Gather (see _ort_compat)."""
    data = text(shape, 6)
    for axis in range(len(shape)):
        idx = np.array([shape[axis] - 1, 0, shape[axis] - 1])
        (got,) = three_ways(lambda m, a, i, axis=axis: m.take(a, i, axis=axis), data, idx)
        assert got.tolist() == np.take(data, idx, axis=axis).tolist()
        along = np.random.default_rng(axis).integers(0, shape[axis], shape)
        (got,) = three_ways(lambda m, a, i, axis=axis: m.take_along_axis(a, i, axis=axis),
                            data, along)
        assert got.tolist() == np.take_along_axis(data, along, axis=axis).tolist()
    assert [as_list(u) for u in xp.unstack(xp.asarray(data))] == \
        [np.asarray(r, dtype=object).tolist() for r in data]


@pytest.mark.parametrize("shape", [(0,), (0, 3), (3, 4)])
def test_take_of_nothing_and_from_nothing(shape):
    data = text(shape, 18)
    none = np.zeros(0, dtype=np.int64)
    (got,) = three_ways(lambda m, a, i: m.take(a, i, axis=0), data, none)
    assert got.shape == (0,) + shape[1:]
    (got,) = three_ways(lambda m, a, i: m.take(a, i, axis=-1), data, none)
    assert got.shape == shape[:-1] + (0,)


def test_zero_d_and_empty_indexing():
    zero_d = np.array("é", dtype=object)
    whole, same, expanded = three_ways(lambda m, a: (a[()], a[...], a[None]), zero_d)
    assert whole.tolist() == same.tolist() == "é" and expanded.tolist() == ["é"]
    empty = text((0, 3), 19)
    rows, masked = three_ways(lambda m, a: (a[:, 1:], a[a == "a"]), empty)
    assert rows.shape == (0, 2) and masked.shape == (0,)

    def assign(m, a):
        a = m.asarray(a, copy=True)
        a[()] = "new"
        return a

    (got,) = three_ways(assign, zero_d)
    assert got.tolist() == "new"


def test_indexing():
    data = text((4, 5), 7)
    outs = three_ways(lambda m, a: (a[1], a[:, ::-2], a[-1, 2], a[a == "a"],
                                    a[m.asarray([3, 0, 3])], a[..., None]), data)
    expected = [data[1], data[:, ::-2], data[-1, 2], data[data == "a"], data[[3, 0, 3]],
                data[..., None]]
    for i, (got, want) in enumerate(zip(outs, expected)):
        assert got.tolist() == np.asarray(want, dtype=object).tolist(), i


def test_setitem():
    data = text((4, 5), 8)

    def assign(m, a):
        a = m.asarray(a, copy=True)
        a[0, 1] = "new"
        a[a == ""] = "∅"
        a[1:, ::2] = m.asarray(["p", "q", "r"])
        return a

    (got,) = three_ways(assign, data)
    want = data.copy()
    want[0, 1] = "new"
    want[want == ""] = "∅"
    want[1:, ::2] = ["p", "q", "r"]
    assert got.tolist() == want.tolist()
    with pytest.raises(TypeError, match="__setitem__: cannot combine a Python int"):
        xp.asarray(["a"])[0] = 1


@pytest.mark.parametrize("shape", SHAPES)
def test_unique(shape):
    data = text(shape, 9)
    vals, idx, inv, counts, v2, c2 = three_ways(
        lambda m, a: (*m.unique_all(a), *m.unique_counts(a)), data)
    n_vals, n_idx, n_inv, n_counts = np.unique(data.astype(str).ravel(), return_index=True,
                                               return_inverse=True, return_counts=True)
    assert vals.tolist() == n_vals.tolist() == v2.tolist()
    np.testing.assert_array_equal(idx, n_idx)
    np.testing.assert_array_equal(inv, n_inv.reshape(shape))
    np.testing.assert_array_equal(counts, n_counts)
    np.testing.assert_array_equal(c2, n_counts)
    vals3, inv3 = three_ways(lambda m, a: tuple(m.unique_inverse(a)), data)
    assert vals3.tolist() == n_vals.tolist()
    np.testing.assert_array_equal(inv3, n_inv.reshape(shape))
    (vals4,) = three_ways(lambda m, a: m.unique_values(a), data)
    assert vals4.tolist() == n_vals.tolist()


@pytest.mark.parametrize("shape", SHAPES)
def test_isin(shape):
    data = text(shape, 10)
    test_elements = np.array(["a", "日本語", "", "missing"], dtype=object)
    got, inverted = three_ways(lambda m, a, t: (m.isin(a, t), m.isin(a, t, invert=True)),
                               data, test_elements)
    np.testing.assert_array_equal(got, np.isin(data, test_elements))
    np.testing.assert_array_equal(inverted, ~np.isin(data, test_elements))


# ---------------------------------------------------------------------------------------------
# astype between text and numbers


INT_TEXT = np.array(["0", "-7", " 42 ", "+3", "127", "-128", "0012"], dtype=object)
FLOAT_TEXT = np.array(["1.5", "-0", "1e3", " .5", "inf", "-Infinity", "nan", "3.",
                       "1.7976931348623157e308", "2.2250738585072014e-308", "0.1", "-2E-5"],
                      dtype=object)


def test_parse_zero_d_and_empty():
    (got,) = three_ways(lambda m, a: m.astype(a, m.float64), np.array(" -2.5e1 ", dtype=object))
    _same(got, np.array(-25.0), "0-d")
    (got,) = three_ways(lambda m, a: m.astype(a, m.int16), np.empty((2, 0), dtype=object))
    _same(got, np.empty((2, 0), dtype=np.int16), "empty")


@pytest.mark.parametrize("dtype", [xp.int8, xp.int16, xp.int32, xp.int64, xp.float32,
                                   xp.float64])
def test_parse(dtype):
    source = INT_TEXT if dtype.kind == "i" else FLOAT_TEXT
    if dtype is xp.float32:
        source = source[[not s.startswith(("1.79", "2.22")) for s in source]]
    (got,) = three_ways(lambda m, a: m.astype(a, dtype), source)
    want = source.astype(str).astype(dtype.numpy) if dtype.kind == "f" else \
        np.array([int(s) for s in source], dtype=dtype.numpy)
    _same(got, want, dtype.name)


@pytest.mark.parametrize("shape", SHAPES)
def test_parse_bool_is_non_empty(shape):
    data = text(shape, 11)
    (got,) = three_ways(lambda m, a: m.astype(a, m.bool), data)
    # NumPy 2 casts text to bool as non-empty; NumPy 1.26 parses it as an integer instead.
    np.testing.assert_array_equal(got, np.vectorize(bool, otypes=[bool])(data.astype(str)))


@pytest.mark.parametrize("bad, dtype", [("7abc", xp.int64), ("1.5", xp.int32), ("", xp.int8),
                                        ("0x10", xp.float64), ("abc", xp.float32),
                                        ("-1", xp.uint64), ("٣", xp.int64)])
def test_parse_refuses_bad_text(bad, dtype):
    data = np.array(["1", bad], dtype=object)
    message = f"astype: text that is not an? .* cannot become {dtype.name}: {re.escape(repr(bad))}"
    jitted = xp.jit(lambda a: xp.astype(a, dtype))
    for _ in range(PROMOTE_AFTER + 1):  # op by op, then as a compiled plan
        with pytest.raises(ValueError, match=message):
            xp.astype(xp.asarray(data), dtype)
        with pytest.raises(ValueError, match=message):
            jitted(xp.asarray(data))
    x = xp.argument(shape=("N",), dtype=xp.string)
    model = xp.build({"x": x}, {"y": xp.astype(x, dtype)})
    so = ort.SessionOptions()
    so.log_severity_level = 4
    sess = ort.InferenceSession(model.SerializeToString(), so,
                                providers=["CPUExecutionProvider"])
    with pytest.raises(Exception, match="text that is not an? .* cannot become"):
        sess.run(None, {"x": data})


def test_parse_complex_reads_a_real_number():
    (got,) = three_ways(lambda m, a: m.astype(a, m.complex128), np.array(["1.5", "-inf"],
                                                                          dtype=object))
    _same(got, np.array([1.5, -np.inf], dtype=np.complex128), "complex")
    with pytest.raises(ValueError, match="astype: text that is not a number"):
        xp.astype(xp.asarray(["1+2j"]), xp.complex128)


def test_parse_range():
    with pytest.raises(ValueError, match="astype: a number out of the range of int8"):
        xp.astype(xp.asarray(["300"]), xp.int8)
    with pytest.raises(ValueError, match="out of the range of float64"):
        xp.astype(xp.asarray(["1e400"]), xp.float64)
    # onnxruntime's stod refuses subnormal text (ERANGE): a documented limit
    with pytest.raises(ValueError, match="out of the range of float64"):
        xp.astype(xp.asarray(["5e-324"]), xp.float64)
    assert as_list(xp.astype(xp.asarray(["18446744073709551615"]), xp.uint64)) == [2**64 - 1]


def _onnxruntime_float_text(v) -> str:
    """The documented float format: 8 significant digits, NaN, INF, -INF."""
    if np.isnan(v):
        return "NaN"
    if np.isinf(v):
        return "INF" if v > 0 else "-INF"
    return f"{float(v):.8g}"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_format_floats(dtype):
    info = np.finfo(dtype)
    rng = np.random.default_rng(12)
    data = np.concatenate([
        np.array([0.0, -0.0, np.nan, np.inf, -np.inf, info.max, -info.max, info.tiny,
                  info.smallest_subnormal, 0.1, 1 / 3, 123456789, 1e16], dtype=dtype),
        (rng.standard_normal(40) * 10.0 ** rng.integers(-30, 30, 40)).astype(dtype)])
    (got,) = three_ways(lambda m, a: m.astype(a, m.string), data)
    assert got.tolist() == [_onnxruntime_float_text(v) for v in data]


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int32, np.int64, np.uint64, np.bool_])
def test_format_integers_and_bools_as_numpy(dtype):
    data = np.array([0, 1, 5, 100, 127], dtype=dtype)
    if dtype != np.bool_:
        info = np.iinfo(dtype)
        data = np.concatenate([data, np.array([info.min, info.max], dtype=dtype)])
    (got,) = three_ways(lambda m, a: m.astype(a, m.string), data)
    assert got.tolist() == data.astype(str).tolist()
    (empty,) = three_ways(lambda m, a: m.astype(a, m.string), data[:0])
    assert empty.shape == (0,)


# ---------------------------------------------------------------------------------------------
# functions that do not take strings


@pytest.mark.parametrize("name, call", [
    ("add", lambda a: a + a), ("sum", xp.sum), ("max", xp.max), ("sort", xp.sort),
    ("argsort", xp.argsort), ("less", lambda a: a < a), ("abs", xp.abs),
    ("cumulative_sum", xp.cumulative_sum), ("argmax", xp.argmax), ("any", xp.any),
    ("all", xp.all), ("nonzero", xp.nonzero), ("count_nonzero", xp.count_nonzero),
    ("maximum", lambda a: xp.maximum(a, a)), ("matmul", lambda a: a @ a),
    ("mean", xp.mean), ("negative", lambda a: -a), ("tril", lambda a: xp.tril(a[None])),
    ("searchsorted", lambda a: xp.searchsorted(a, a))])
def test_unsupported_functions_raise(name, call):
    with pytest.raises(TypeError, match=f"{name}:.*string"):
        call(xp.asarray(["a", "b"]))


# ---------------------------------------------------------------------------------------------
# onnxarray.strings


CASE_WORDS = ["", "Hello World", "ÉCOLE Élève", "ΑΒΓ δεζ", "Привет МИР", "日本語", "😀 ok",
              "MiXeD 123"]


@pytest.mark.parametrize("shape", [(), (0,), (8,), (2, 4)])
def test_lower_upper_as_numpy(shape):
    data = np.array(CASE_WORDS[:int(np.prod(shape))] if shape != () else "AbÇ",
                    dtype=object).reshape(shape)
    low, up = three_ways(lambda m, a: (m.strings.lower(a), m.strings.upper(a)), data)
    assert low.tolist() == NP_STRINGS.lower(data.astype(str)).astype(object).tolist()
    assert up.tolist() == NP_STRINGS.upper(data.astype(str)).astype(object).tolist()


def test_case_mapping_is_one_character_at_a_time():
    """The documented differences from Python's full case mapping."""
    a = xp.asarray(["straße", "ΣΑΣ", "ﬁ"])
    assert as_list(xp.strings.upper(a)) == ["STRAßE", "ΣΑΣ", "ﬁ"]
    assert as_list(xp.strings.lower(a)) == ["straße", "σασ", "ﬁ"]


def test_add():
    a, b = text((3, 4), 13), text((4,), 14)
    got, left, right, both = three_ways(
        lambda m, x, y: (m.strings.add(x, y), m.strings.add("<", x), m.strings.add(x, "é>"),
                         m.strings.add(y, y)), a, b)
    sa, sb = a.astype(str), b.astype(str)
    assert got.tolist() == NP_STRINGS.add(sa, sb).astype(object).tolist()
    assert left.tolist() == NP_STRINGS.add("<", sa).astype(object).tolist()
    assert right.tolist() == NP_STRINGS.add(sa, "é>").astype(object).tolist()
    assert both.tolist() == NP_STRINGS.add(sb, sb).astype(object).tolist()
    (zero_d,) = three_ways(lambda m, x: m.strings.add(x, x), np.array("ab", dtype=object))
    assert zero_d.tolist() == "abab"
    with pytest.raises(ValueError, match="strings.add: shapes"):
        xp.strings.add(xp.asarray(["a", "b"]), xp.asarray(["a", "b", "c"]))
    with pytest.raises(TypeError, match="strings.add: needs a string array, got int64"):
        xp.strings.add(xp.asarray([1]), "a")
    with pytest.raises(TypeError, match="strings.add: cannot combine a Python int"):
        xp.strings.add(xp.asarray(["a"]), 1)


def _split_oracle(data: np.ndarray, sep):
    tokens = [([t for t in s.split(" ") if t] if sep is None else s.split(sep)) if s else []
              for s in data.ravel().tolist()]
    width = max((len(t) for t in tokens), default=0)
    padded = np.array([t + [""] * (width - len(t)) for t in tokens], dtype=object)
    return padded.reshape(data.shape + (width,)), \
        np.array([len(t) for t in tokens], dtype=np.int64).reshape(data.shape)


SPLIT_WORDS = ["a b  c", " lead trail ", "", "one", "x,y,,z", ",", "日本 語", "tab\tstays"]


@pytest.mark.parametrize("sep", [None, ",", "  "])
@pytest.mark.parametrize("shape", [(0,), (8,), (2, 4)])
def test_split(sep, shape):
    data = np.array(SPLIT_WORDS[:int(np.prod(shape))], dtype=object).reshape(shape)
    tokens, counts = three_ways(lambda m, a: tuple(m.strings.split(a, sep)), data)
    want_tokens, want_counts = _split_oracle(data, sep)
    np.testing.assert_array_equal(counts, want_counts)
    assert tokens.shape == want_tokens.shape
    assert tokens.tolist() == want_tokens.tolist()


def test_split_maxsplit_and_errors():
    data = np.array(["a,b,c", "x", "p,,q"], dtype=object)
    tokens, counts = three_ways(lambda m, a: tuple(m.strings.split(a, ",", 1)), data)
    assert tokens.tolist() == [["a", "b,c"], ["x", ""], ["p", ",q"]]
    np.testing.assert_array_equal(counts, [2, 1, 2])
    with pytest.raises(ValueError, match="strings.split: empty separator"):
        xp.strings.split(xp.asarray(["a"]), "")
    with pytest.raises(ValueError, match="strings.split: maxsplit needs an explicit sep"):
        xp.strings.split(xp.asarray(["a"]), maxsplit=1)
    with pytest.raises(TypeError, match="strings.split: needs a string array"):
        xp.strings.split(xp.asarray([1.0]))


@pytest.mark.parametrize("pattern", [r"[a-z]+", r".*", r"", r"\d+(\.\d+)?", r"(?i)hello",
                                     r"[^ ]+ [^ ]+", r"..", r"日.*"])
@pytest.mark.parametrize("shape", [(), (0,), (17,)])
def test_full_match_as_python_re(pattern, shape):
    data = text(shape, 15) if shape != () else np.array("hello", dtype=object)
    (got,) = three_ways(lambda m, a: m.strings.full_match(a, pattern), data)
    want = np.vectorize(lambda s: re.fullmatch(pattern, s) is not None, otypes=[bool])(data)
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("affix", ["", "a", "a b", "é", "日本語", ".", "*+?[](){}|^$\\",
                                   "\n", "\u0000"])
@pytest.mark.parametrize("shape", [(), (0,), (17,), (3, 4)])
def test_startswith_endswith_as_numpy(affix, shape):
    data = text(shape, 17)
    data.ravel()[::3] = [affix + w + affix for w in data.ravel()[::3]]
    starts, ends = three_ways(lambda m, a: (m.strings.startswith(a, affix),
                                            m.strings.endswith(a, affix)), data)
    want_starts = np.vectorize(lambda s: s.startswith(affix), otypes=[bool])(data)
    want_ends = np.vectorize(lambda s: s.endswith(affix), otypes=[bool])(data)
    np.testing.assert_array_equal(starts, want_starts)
    np.testing.assert_array_equal(ends, want_ends)
    if "\u0000" not in affix:  # NumPy's U drops trailing NULs
        u = data.astype(str)
        np.testing.assert_array_equal(starts, NP_STRINGS.startswith(u, affix))
        np.testing.assert_array_equal(ends, NP_STRINGS.endswith(u, affix))
    with pytest.raises(TypeError, match="strings.startswith: the prefix or suffix must be"):
        xp.strings.startswith(xp.asarray(["a"]), xp.asarray("a"))


def test_full_match_errors():
    with pytest.raises(ValueError, match=r"strings.full_match: '\(a' is not a valid RE2"):
        xp.strings.full_match(xp.asarray(["a"]), "(a")
    with pytest.raises(TypeError, match="strings.full_match: pattern must be a str"):
        xp.strings.full_match(xp.asarray(["a"]), 1)


@pytest.mark.parametrize("shape", SHAPES)
def test_lookup_tokens_to_ids_and_back(shape):
    data = text(shape, 16)
    vocab = ["a", "é", "日本語", ""]
    ids, named, labels = three_ways(lambda m, a: (
        m.strings.lookup(a, vocab),
        m.strings.lookup(a, vocab, [10, 20, 30, 40], default=0),
        m.strings.lookup(m.strings.lookup(a, vocab), [0, 1, 2, 3], ["A", "E", "J", "_"],
                         default="UNK")), data)
    table = {w: i for i, w in enumerate(vocab)}
    np.testing.assert_array_equal(ids, np.vectorize(lambda s: table.get(s, -1),
                                                    otypes=[np.int64])(data))
    np.testing.assert_array_equal(named, np.vectorize(
        lambda s: 10 * (table[s] + 1) if s in table else 0, otypes=[np.int64])(data))
    names = {0: "A", 1: "E", 2: "J", 3: "_"}
    assert labels.tolist() == np.vectorize(lambda s: names.get(table.get(s, -1), "UNK"),
                                           otypes=[object])(data).tolist()


def test_lookup_numbers():
    x = np.array([0, 5, 1, -1], dtype=np.int32)
    (got,) = three_ways(lambda m, a: m.strings.lookup(a, [0, 1], ["neg", "pos"]), x)
    assert got.tolist() == ["neg", "", "pos", ""]
    (floats,) = three_ways(lambda m, a: m.strings.lookup(a, ["a", "b"], [0.5, 1.5]),
                           np.array(["b", "z"], dtype=object))
    assert floats.dtype == np.float32
    assert floats[0] == 1.5 and np.isnan(floats[1])


def test_lookup_model_imports_ai_onnx_ml():
    x = xp.argument(shape=("N",), dtype=xp.string)
    model = xp.build({"x": x}, {"ids": xp.strings.lookup(x, ["a"])})
    assert {(o.domain, o.version) for o in model.opset_import} >= {("ai.onnx.ml", 2)}
    assert model.graph.node[0].op_type == "LabelEncoder"


def test_lookup_errors():
    s = xp.asarray(["a"])
    with pytest.raises(ValueError, match="strings.lookup: keys must be distinct"):
        xp.strings.lookup(s, ["a", "a"])
    with pytest.raises(ValueError, match="strings.lookup: 2 keys but 1 values"):
        xp.strings.lookup(s, ["a", "b"], [1])
    with pytest.raises(ValueError, match="strings.lookup: keys must not be empty"):
        xp.strings.lookup(s, [])
    with pytest.raises(TypeError, match="strings.lookup: string elements cannot be looked up "
                                        "among int64 keys"):
        xp.strings.lookup(s, [1, 2])
    with pytest.raises(TypeError, match="strings.lookup: default 'x' does not match int64"):
        xp.strings.lookup(s, ["a"], default="x")
    with pytest.raises(TypeError, match="strings.lookup: keys must be constant"):
        xp.strings.lookup(s, xp.argument(shape=(1,), dtype=xp.string))


def test_string_functions_raise_the_opset_only_when_needed():
    x = xp.argument(shape=("N",), dtype=xp.string)
    assert xp.build({"x": x}, {"y": xp.flip(x)}).opset_import[0].version == 18
    assert xp.build({"x": x}, {"y": x == "a"}).opset_import[0].version == 19  # Equal-19
    model = xp.build({"x": x}, {"y": xp.strings.add(x, "!")})
    assert model.opset_import[0].version == 20
    with pytest.raises(ValueError, match="build: the model uses StringConcat, which needs "
                                         "opset 20"):
        xp.build({"x": x}, {"y": xp.strings.add(x, "!")}, opset=19)


def test_string_functions_inside_control_flow_export():
    x = xp.argument(shape=("N",), dtype=xp.string)
    p = xp.argument(shape=(), dtype=xp.bool)
    y = xp.lax.cond(p, lambda a: xp.strings.add(a, "!"), lambda a: xp.strings.upper(a), x)
    model = xp.build({"x": x, "p": p}, {"y": y})
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version == 20  # StringConcat, inside a branch
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    words = np.array(["ab", "é"], dtype=object)
    for flag in (True, False):
        (got,) = sess.run(None, {"x": words, "p": np.array(flag)})
        eager = xp.lax.cond(xp.asarray(flag), lambda a: xp.strings.add(a, "!"),
                            lambda a: xp.strings.upper(a), xp.asarray(words))
        assert got.tolist() == as_list(eager) == (["ab!", "é!"] if flag else ["AB", "É"])


def test_zero_d_split_and_lookup():
    (tokens, counts, ids) = three_ways(
        lambda m, a: (*m.strings.split(a), m.strings.lookup(a, ["a b  c"])),
        np.array("a b  c", dtype=object))
    assert tokens.tolist() == ["a", "b", "c"] and counts.tolist() == 3 and ids.tolist() == 0


# ---------------------------------------------------------------------------------------------
# generated text: hypothesis (the "thorough" profile searches longer)

from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

pytestmark = pytest.mark.usefixtures("sync_plans")  # plans on the promoting call

# A few characters, so that equal strings are frequent, from every UTF-8 length; NUL included.
_CHARS = "ab ,é\u0000日😀\n"
_ANY_TEXT = st.text(alphabet=st.sampled_from(_CHARS), max_size=5) | st.text(
    alphabet=st.characters(exclude_categories=("Cs",)), max_size=4)


@st.composite
def text_arrays(draw, max_dims=2, elements=_ANY_TEXT):
    shape = tuple(draw(st.lists(st.integers(0, 4), max_size=max_dims)))
    flat = draw(st.lists(elements, min_size=int(np.prod(shape)),
                         max_size=int(np.prod(shape))))
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(shape)


@given(text_arrays(), text_arrays(max_dims=1))
def test_generated_equality_sets_and_concatenation(a, b):
    if a.ndim and b.ndim and b.shape[-1] not in (1, a.shape[-1]):
        b = b[:1] if b.size else np.array(["x"], dtype=object)  # broadcastable with a
    eq, ne, cat, (values, inverse, counts), found = (
        three_ways(lambda m, x, y: (x == y, x != y, m.strings.add(x, y)), a, b)
        + [three_ways(lambda m, x: tuple(m.unique_inverse(x)) + (m.unique_counts(x)[1],), a)]
        + three_ways(lambda m, x, y: m.isin(x, y), a, b))
    np.testing.assert_array_equal(eq, a == b)
    np.testing.assert_array_equal(ne, a != b)
    assert cat.tolist() == np.asarray(a + b, dtype=object).tolist()
    flat = a.ravel().tolist()
    expected_values = sorted(set(flat), key=lambda s: s.encode("utf-8"))
    assert values.tolist() == expected_values  # sorted by UTF-8 bytes, as NumPy sorts them
    assert [values[i] for i in inverse.ravel()] == flat
    np.testing.assert_array_equal(counts, [flat.count(v) for v in expected_values])
    np.testing.assert_array_equal(found, np.isin(a, b))


@given(text_arrays(elements=st.text(alphabet=st.sampled_from("ab,é日 "), max_size=6)),
       st.sampled_from([None, ",", "b", "é日"]))
def test_generated_split(a, sep):
    tokens, counts = three_ways(lambda m, x: tuple(m.strings.split(x, sep)), a)
    want_tokens, want_counts = _split_oracle(a, sep)
    np.testing.assert_array_equal(counts, want_counts)
    assert tokens.tolist() == want_tokens.tolist()


_CASE_CHARS = "aZ09 ,.àÉîÕüÇαΒγΔабВГ日😀"


@given(text_arrays(elements=st.text(alphabet=st.sampled_from(_CASE_CHARS), max_size=6)))
def test_generated_lower_upper(a):
    low, up = three_ways(lambda m, x: (m.strings.lower(x), m.strings.upper(x)), a)
    assert low.tolist() == np.vectorize(str.lower, otypes=[object])(a).tolist()
    assert up.tolist() == np.vectorize(str.upper, otypes=[object])(a).tolist()


@given(text_arrays(), st.sampled_from(["[a-c]*", ".*b.*", "(ab|é)+", "", "..", "[^,]+"]))
def test_generated_full_match(a, pattern):
    (got,) = three_ways(lambda m, x: m.strings.full_match(x, pattern), a)
    want = np.vectorize(lambda s: re.fullmatch(pattern, s) is not None, otypes=[bool])(a)
    np.testing.assert_array_equal(got, want)


@given(text_arrays(), _ANY_TEXT)
def test_generated_startswith_endswith(a, affix):
    starts, ends = three_ways(lambda m, x: (m.strings.startswith(x, affix),
                                            m.strings.endswith(x, affix)), a)
    np.testing.assert_array_equal(
        starts, np.vectorize(lambda s: s.startswith(affix), otypes=[bool])(a))
    np.testing.assert_array_equal(
        ends, np.vectorize(lambda s: s.endswith(affix), otypes=[bool])(a))


@given(text_arrays(), st.lists(_ANY_TEXT, min_size=1, max_size=5, unique=True))
def test_generated_lookup(a, vocab):
    (ids,) = three_ways(lambda m, x: m.strings.lookup(x, vocab, default=-7), a)
    table = {w: i for i, w in enumerate(vocab)}
    np.testing.assert_array_equal(
        ids, np.array([table.get(s, -7) for s in a.ravel().tolist()],
                      dtype=np.int64).reshape(a.shape))


def test_eager_sessions_of_string_operators_use_the_opset_they_need():
    """Eager sessions run at ``eager_opset()``, which is 18 with the minimum onnx and
    onnxruntime versions; an operator that needs a newer opset raises its session's."""
    from onnxarray._executor import _one_node_model

    for op, types, least in [("StringConcat", [xp.string, xp.string], 20),
                             ("Equal", [xp.string, xp.string], 19),
                             ("RegexFullMatch", [xp.string], 20)]:
        model = onnx.load_from_string(_one_node_model(
            op, "", (("pattern", "a"),) if op == "RegexFullMatch" else (), types,
            [1] * len(types), [xp.string if op == "StringConcat" else xp.bool]))
        assert model.opset_import[0].version >= least
    model = onnx.load_from_string(_one_node_model("Equal", "", (), [xp.int64, xp.int64],
                                                  [1, 1], [xp.bool], opset=18))
    assert model.opset_import[0].version == 18


@pytest.mark.parametrize("words", [["a", "é", "日本"], []])
def test_scan_over_tokens(words):
    def joined(m, tokens):
        def step(carry, tok):
            return m.strings.add(m.strings.add(carry, "+"), tok), m.strings.upper(tok)

        return m.lax.scan(step, m.asarray(""), tokens)

    carry, ys = three_ways(joined, np.array(words, dtype=object))
    assert carry.tolist() == "".join("+" + w for w in words)
    assert ys.tolist() == [w.upper() for w in words]


def test_string_functions_inside_a_local_function_export():
    @xp.function
    def shout(a):
        return xp.strings.add(xp.strings.upper(a), "!")

    x = xp.argument(shape=("N",), dtype=xp.string)
    y = shout(shout(x))
    for inline in (False, True):
        model = xp.build({"x": x}, {"y": y}, inline_functions=inline)
        onnx.checker.check_model(model, full_check=True)
        assert model.opset_import[0].version == 20  # StringConcat, inside the function
        sess = ort.InferenceSession(model.SerializeToString(),
                                    providers=["CPUExecutionProvider"])
        (got,) = sess.run(None, {"x": np.array(["a", "é"], dtype=object)})
        assert got.tolist() == ["A!!", "É!!"] == as_list(shout(shout(xp.asarray(["a", "é"]))))


def _model_importing_ai_onnx_ml(version: int) -> onnx.ModelProto:
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Identity", ["t"], ["u"])], "g",
        [helper.make_tensor_value_info("t", TensorProto.STRING, ["N"])],
        [helper.make_tensor_value_info("u", TensorProto.STRING, ["N"])])
    return helper.make_model(graph, ir_version=8, opset_imports=[
        helper.make_opsetid("", 18), helper.make_opsetid("ai.onnx.ml", version)])


@pytest.mark.parametrize("version", [2, 3, 4])
def test_lookup_with_an_imported_model_of_a_later_ai_onnx_ml(version):
    call = xp.from_onnx(_model_importing_ai_onnx_ml(version))
    x = xp.argument(shape=("N",), dtype=xp.string)
    ids = xp.strings.lookup(call(x)["u"], ["a", "b"])
    model = xp.build({"x": x}, {"ids": ids})
    onnx.checker.check_model(model, full_check=True)
    assert {o.domain: o.version for o in model.opset_import}["ai.onnx.ml"] == version
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (got,) = sess.run(None, {"x": np.array(["b", "z", "a"], dtype=object)})
    assert got.tolist() == [1, -1, 0]


def test_lookup_raises_an_imported_ai_onnx_ml_1_whose_operators_did_not_change():
    call = xp.from_onnx(_model_importing_ai_onnx_ml(1))  # imports ai.onnx.ml 1, uses none
    x = xp.argument(shape=("N",), dtype=xp.string)
    ids = xp.strings.lookup(call(x)["u"], ["a", "b"])
    model = xp.build({"x": x}, {"ids": ids})
    onnx.checker.check_model(model, full_check=True)
    assert {o.domain: o.version for o in model.opset_import}["ai.onnx.ml"] == 2
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    (got,) = sess.run(None, {"x": np.array(["b", "z", "a"], dtype=object)})
    assert got.tolist() == [1, -1, 0] == as_list(
        xp.strings.lookup(call(xp.asarray(["b", "z", "a"]))["u"], ["a", "b"]))


def test_lookup_with_an_imported_label_encoder_of_ai_onnx_ml_1_is_refused():
    from onnx import TensorProto, helper

    graph = helper.make_graph(  # LabelEncoder changed at ai.onnx.ml 2
        [helper.make_node("LabelEncoder", ["t"], ["u"], domain="ai.onnx.ml",
                          classes_strings=["a", "b"], default_int64=-1)], "g",
        [helper.make_tensor_value_info("t", TensorProto.STRING, ["N"])],
        [helper.make_tensor_value_info("u", TensorProto.INT64, ["N"])])
    call = xp.from_onnx(helper.make_model(graph, ir_version=8, opset_imports=[
        helper.make_opsetid("", 18), helper.make_opsetid("ai.onnx.ml", 1)]))
    x = xp.argument(shape=("N",), dtype=xp.string)
    assert as_list(call(xp.asarray(["b", "z"]))["u"]) == [1, -1]
    with pytest.raises(ValueError, match="build: the model needs opset 1 and opset 2 of domain "
                                         "'ai.onnx.ml', and its operator 'LabelEncoder' "
                                         "changed between them"):
        xp.build({"x": x}, {"ids": xp.strings.lookup(x, ["a", "b"]), "u": call(x)["u"]})
