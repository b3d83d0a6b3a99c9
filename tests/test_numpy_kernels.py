"""The NumPy kernels of eager execution give onnxruntime's bits, or decline.

Every operator of ``_numpy_kernels.KERNELS`` runs both ways on random and edge inputs (empty
and 0-d arrays, every rank up to 4, negative indices and axes, integer extremes, large uint64,
NaN payloads and -0.0 moved by data movement, strings): through the kernel, and through the
one-node onnxruntime session (or, for a dtype onnxruntime has no kernel for, the session detour
of ``_ort_compat.CAST_VIA`` that ``bind`` takes without the kernel). Results must agree in
dtype, shape and bytes. Inputs onnxruntime rejects (an index out of range) must be declined,
so that the session raises; so must inputs whose result the standard leaves open (a scatter
writing one element twice), so that the session gives its own.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import onnxarray as xp
from onnxarray import _dtypes as D
from onnxarray import _executor
from onnxarray import _numpy_kernels as K
from onnxarray._executor import ExecutionError, run_session
from onnxarray._graph import NODE_NAME_ATTR, Value, topological_order
from onnxarray._ort_compat import CAST_VIA, ORDERED_UINT64, TYPED_INPUTS

INTS = [D.int8, D.int16, D.int32, D.int64, D.uint8, D.uint16, D.uint32, D.uint64]
SIGNED = INTS[:4]
EVERY = [D.bool, *INTS, D.float32, D.float64, D.string]
SHAPES = [(), (0,), (5,), (3, 4), (2, 0, 3), (2, 3, 1, 2)]
I64 = np.int64


def _dtype(a: np.ndarray):
    return D.string if a.dtype == object else D.BY_NUMPY[a.dtype]


def _value(a):
    return None if a is None else Value(_dtype(a), a.shape, data=a)


def _session(op, attrs, arrays, out_dtype):
    """``op`` through onnxruntime only: its one-node session, or the detour through another
    dtype that ``bind`` takes where onnxruntime lacks the kernel, each step a session."""
    values = [_value(a) for a in arrays]
    typed = TYPED_INPUTS.get(op) or range(len(arrays))
    dt = values[next(iter(typed))].dtype
    via = CAST_VIA.get(op, {}).get(dt)
    if via is None:
        return run_session(op, "", attrs, values, [out_dtype])[0]
    sign = np.array(1 << 63, np.uint64)

    def cast(a, to):
        return run_session("Cast", "", (("to", to.onnx),), [_value(a)], [to])[0]

    def into(a):
        if via == ORDERED_UINT64:
            return cast(run_session("BitwiseXor", "", (), [_value(a), _value(sign)],
                                    [D.uint64])[0], D.int64)
        return cast(a, via)

    def back(a):
        if via == ORDERED_UINT64:
            return run_session("BitwiseXor", "", (), [_value(cast(a, D.uint64)), _value(sign)],
                               [D.uint64])[0]
        return cast(a, dt)

    via_dt = D.int64 if via == ORDERED_UINT64 else via
    ins = [into(a) if i in typed and a is not None else a for i, a in enumerate(arrays)]
    out = run_session(op, "", attrs, [_value(a) for a in ins],
                      [via_dt if out_dtype is dt else out_dtype])[0]
    return back(out) if out_dtype is dt else out


def _same_bits(got: np.ndarray, want: np.ndarray, what: str) -> None:
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} != {want.dtype}"
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    if got.dtype == object:
        assert got.tolist() == want.tolist(), what
    else:
        assert got.tobytes() == want.tobytes(), f"{what}:\n{got!r}\n{want!r}"


def check(op, attrs, *arrays):
    """The kernel computes ``op`` and agrees with onnxruntime bit for bit."""
    arrays = list(arrays)
    out = K.run(op, "", attrs, arrays)
    what = f"{op} {attrs} on {[None if a is None else (a.dtype, a.shape) for a in arrays]}"
    assert out is not None, f"declined: {what}"
    (got,) = out
    assert got.flags.c_contiguous and got.flags.owndata, what
    assert not any(a is not None and np.shares_memory(got, a) for a in arrays), what
    _same_bits(got, _session(op, attrs, arrays, _dtype(got)), what)


def declines(op, attrs, *arrays):
    """The kernel declines, and onnxruntime refuses the input: the error stays its own."""
    assert K.run(op, "", attrs, list(arrays)) is None
    with pytest.raises(ExecutionError):
        _session(op, attrs, list(arrays), _dtype(arrays[0]))


# --- inputs ----------------------------------------------------------------------------------

_WORDS = np.array(["", "a", "bc", "déf", "ghij", "\u00e9t\u00e9", "x y"], dtype=object)


def data(dtype, shape, rng) -> np.ndarray:
    """An array of ``dtype`` and ``shape`` (see ``_data``)."""
    return np.asarray(_data(dtype, shape, rng), dtype=dtype.numpy)


def _data(dtype, shape, rng):
    """Random values of ``dtype`` with its edge values mixed in: integer extremes, large
    uint64, NaNs with payloads and signs, +-0.0, +-inf, subnormals."""
    n = int(np.prod(shape))
    if dtype is D.string:
        return rng.choice(_WORDS, size=shape)
    np_dt = np.dtype(dtype.numpy)
    if dtype is D.bool:
        return rng.random(shape) < 0.5
    if np_dt.kind in "iu":
        info = np.iinfo(np_dt)
        edges = np.array([info.min, info.max, 0, 1, info.max - 1, info.min + 1], object)
        if np_dt.kind == "i":
            edges = np.concatenate([edges, np.array([-1], object)])
        else:
            edges = np.concatenate([edges, np.array([info.max // 2 + 1], object)])
        pool = np.concatenate([edges, rng.integers(int(info.min), int(info.max), 20,
                                                   dtype=np_dt, endpoint=True).astype(object)])
        return rng.choice(pool, size=n).astype(np_dt).reshape(shape)
    bits = np.dtype(f"u{np_dt.itemsize}")
    pool = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, -np.nan, 1.5, -2.0,
                     np.finfo(np_dt).smallest_subnormal, np.finfo(np_dt).max], np_dt)
    payload = np.array([np.nan], np_dt).view(bits) | 5  # a NaN with a payload
    pool = np.concatenate([pool, payload.view(np_dt), rng.standard_normal(8).astype(np_dt)])
    return rng.choice(pool, size=n).reshape(shape)


def i64(*values) -> np.ndarray:
    return np.array(values, I64)


@pytest.fixture
def rng():
    return np.random.default_rng(2026)


# --- data movement ---------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", EVERY, ids=lambda d: d.name)
def test_identity_flatten_shape_size(dtype, rng):
    for shape in SHAPES:
        x = data(dtype, shape, rng)
        check("Identity", (), x)
        check("Size", (), x)
        for start, end in [(None, None), (0, None), (1, None), (-1, None), (-9, 2), (1, -1),
                           (5, None), (0, 9)]:
            attrs = tuple((k, v) for k, v in (("end", end), ("start", start)) if v is not None)
            check("Shape", attrs, x)
        for axis in range(-len(shape), len(shape) + 1):
            check("Flatten", (("axis", axis),), x)
        if shape:
            check("Flatten", (), x)


RESHAPES = [((), [1, 1]), ((), []), ((5,), [-1]), ((5,), [1, 5, 1]), ((5,), [0]),
            ((3, 4), [-1]), ((3, 4), [4, 3]), ((3, 4), [0, -1]), ((3, 4), [2, 0, 2]),
            ((3, 4), [0, 2, 2]), ((3, 4), [12, 1]), ((2, 0, 3), [0, 3]), ((2, 0, 3), [-1, 3]),
            ((2, 0, 3), [6, 0]), ((2, 0, 3), [0, 0, 0]), ((0,), [0, 5]), ((2, 3, 1, 2), [-1]),
            ((2, 3, 1, 2), [0, 0, -1])]


@pytest.mark.parametrize("dtype", EVERY, ids=lambda d: d.name)
def test_reshape_both_allowzero_forms(dtype, rng):
    done = 0
    for shape, target in RESHAPES:
        x = data(dtype, shape, rng)
        for attrs in [(), (("allowzero", 1),)]:
            if K.run("Reshape", "", attrs, [x, i64(*target)]) is None:
                declines("Reshape", attrs, x, i64(*target))
            else:
                check("Reshape", attrs, x, i64(*target))
                done += 1
    assert done >= 25
    declines("Reshape", (), data(dtype, (3, 4), rng), i64(5, -1))  # 12 is not a multiple of 5


@pytest.mark.parametrize("dtype", EVERY, ids=lambda d: d.name)
def test_transpose_squeeze_unsqueeze(dtype, rng):
    for shape in SHAPES:
        x = data(dtype, shape, rng)
        r = len(shape)
        check("Transpose", (), x)
        for perm in itertools.permutations(range(r)) if r else ():
            check("Transpose", (("perm", perm),), x)
        ones = [i for i, d in enumerate(shape) if d == 1]
        for axes in [ones, [a - r for a in ones]] if ones else []:
            check("Squeeze", (), x, i64(*axes))
        declines("Squeeze", (), x, None)  # the library always gives the axes
        for axes in [[0], [-1], [0, r + 1], [r], [-1, 0]]:
            check("Unsqueeze", (), x, i64(*axes))
    declines("Squeeze", (), data(dtype, (3, 4), rng), i64(0))  # not a size-1 axis


@pytest.mark.parametrize("dtype", EVERY, ids=lambda d: d.name)
def test_concat(dtype, rng):
    for shape in SHAPES[1:]:
        for axis in range(-len(shape), len(shape)):
            pieces = []
            for size in (2, 0, 1):
                s = list(shape)
                s[axis] = size
                pieces.append(data(dtype, tuple(s), rng))
            check("Concat", (("axis", axis),), *pieces)
            check("Concat", (("axis", axis),), pieces[0])
            # a node's name (given to run-time checks) changes nothing; sessions refuse it
            named = K.run("Concat", "", (("axis", axis), (NODE_NAME_ATTR, "named")), pieces)
            _same_bits(named[0], K.run("Concat", "", (("axis", axis),), pieces)[0], "named")


BIG = np.iinfo(I64).max


@pytest.mark.parametrize("dtype", EVERY, ids=lambda d: d.name)
def test_slice_clamping_and_negative_steps(dtype, rng):
    # INT32_MAX and INT64_MAX: onnxruntime's "through the last element" whatever the step
    ends = [0, 1, 2, 3, 5, 7, -1, -2, -5, -8, BIG, -BIG - 1, 2**31 - 1, -(2**31), BIG - 1]
    for shape in [(0,), (1,), (5,), (3, 4), (2, 0, 3)]:
        x = data(dtype, shape, rng)
        for _ in range(40):
            axis = int(rng.integers(-len(shape), len(shape)))
            start, end = (int(v) for v in rng.choice(ends, 2))
            step = int(rng.choice([1, 2, 3, -1, -2, -3, BIG, -BIG - 1, 2**31 - 1]))
            check("Slice", (), x, i64(start), i64(end), i64(axis), i64(step))
        check("Slice", (), x, i64(*[1] * len(shape)), i64(*[-1] * len(shape)))
        check("Slice", (), x, i64(-1), i64(-BIG - 1), None, i64(-1))
        check("Slice", (), x, i64(-1), i64(-BIG - 1), i64(0), None)
    x = data(dtype, (3, 4), rng)
    check("Slice", (), x, i64(3, 0), i64(-9, 4), i64(1, 0), i64(-1, 2))  # two axes at once
    check("Slice", (), x, np.array([1], np.int32), np.array([3], np.int32))
    declines("Slice", (), x, i64(0), i64(3), i64(0), i64(0))  # a zero step


@pytest.mark.parametrize("dtype", EVERY, ids=lambda d: d.name)
def test_gather_negative_indices_and_out_of_range(dtype, rng):
    for shape in SHAPES[1:]:
        x = data(dtype, shape, rng)
        for axis in range(-len(shape), len(shape)):
            d = shape[axis]
            for idx_shape in [(), (3,), (2, 2), (0,)]:
                if d == 0 and idx_shape != (0,):
                    continue
                idx = rng.integers(-d, d, idx_shape) if d else np.zeros(idx_shape, I64)
                for idx_dt in (np.int64, np.int32):
                    if x.size == 0 and idx.size:  # NumPy checks no index into no data
                        assert K.run("Gather", "", (("axis", axis),), [x, idx]) is None
                    elif dtype is D.string and axis % len(shape) != len(shape) - 1:
                        _string_gather(x, idx.astype(idx_dt), axis % len(shape))
                    else:
                        check("Gather", (("axis", axis),), x, idx.astype(idx_dt))
            if d:
                declines("Gather", (("axis", axis),), x, i64(0, d))
                declines("Gather", (("axis", axis),), x, i64(-d - 1))
    check("Gather", (), data(dtype, (3,), rng), i64(2, -3))  # axis 0 by default


def _string_gather(x, idx, axis):
    """onnxruntime's string Gather is wrong off the last axis (``_ort_compat``), so
    ``_ops.gather`` gathers along the last axis of a transposed array: the reference here."""
    (got,) = K.run("Gather", "", (("axis", axis),), [x, idx])
    last = x.ndim - 1
    perm = [i for i in range(x.ndim) if i != axis] + [axis]
    moved = np.ascontiguousarray(x.transpose(perm))
    out = _session("Gather", (("axis", last),), [moved, idx], D.string)
    k = idx.ndim
    rest = list(range(last))
    want = out.transpose(rest[:axis] + list(range(last, last + k)) + rest[axis:])
    assert got.tolist() == want.tolist()


@pytest.mark.parametrize("dtype", EVERY, ids=lambda d: d.name)
def test_gather_elements(dtype, rng):
    for shape in [(5,), (3, 4), (2, 3, 2)]:
        x = data(dtype, shape, rng)
        for axis in range(-len(shape), len(shape)):
            d = shape[axis]
            for k in (0, 1, d + 2):
                s = list(shape)
                s[axis] = k
                idx = rng.integers(-d, d, tuple(s))
                check("GatherElements", (("axis", axis),), x, idx)
            declines("GatherElements", (("axis", axis),), x, np.full(shape, d, I64))


@pytest.mark.parametrize("dtype", EVERY, ids=lambda d: d.name)
def test_expand_and_tile(dtype, rng):
    for shape, target in [((), [3]), ((), []), ((1,), [0]), ((1,), [2, 4]), ((3, 1), [3, 4]),
                          ((3, 1), [1]), ((3, 1), [2, 1, 5]), ((2, 0, 1), [2, 0, 3]),
                          ((1, 1), [0, 1, 1]), ((5,), [1, 1, 5])]:
        check("Expand", (), data(dtype, shape, rng), i64(*target))
    for shape in SHAPES[1:]:
        x = data(dtype, shape, rng)
        for reps in [[1] * len(shape), [2] * len(shape), [0] + [3] * (len(shape) - 1)]:
            check("Tile", (), x, i64(*reps))


@pytest.mark.parametrize("dtype", EVERY, ids=lambda d: d.name)
def test_where_and_float_where_without_negative_zeros(dtype, rng):
    shapes = [((), (), ()), ((4,), (4,), (4,)), ((3, 1), (1, 4), ()), ((2, 0, 3), (3,), (1,)),
              ((3, 4), (3, 4), (3, 4)), ((1, 4), (3, 1), (3, 4)), ((5, 1), (5, 7), (1, 7)),
              ((2, 3, 1), (1,), (2, 3, 9))]
    for cs, xs, ys in shapes:
        args = (data(D.bool, cs, rng), data(dtype, xs, rng), data(dtype, ys, rng))
        if dtype.kind != "f":
            check("Where", (), *args)
            continue
        # onnxruntime drops the sign of some -0.0s, by layout: declined where one is present
        has_negative_zero = any(np.any(np.signbit(v) & (v == 0)) for v in args[1:])
        if has_negative_zero:
            assert K.run("Where", "", (), list(args)) is None
        for v in args[1:]:
            v[v == 0] = 0.0
        check("Where", (), *args)  # NaNs with payloads, infinities, subnormals, +0.0


@pytest.mark.parametrize("dtype", EVERY, ids=lambda d: d.name)
def test_gather_nd_negative_indices_and_every_depth(dtype, rng):
    for shape in SCATTER_SHAPES:
        x = data(dtype, shape, rng)
        for k in range(1, len(shape) + 1):
            lead = np.asarray(shape[:k], I64)
            if not lead.all():  # nothing to name: only empty index arrays
                check("GatherND", (), x, np.zeros((0, k), I64))
                declines("GatherND", (), x, np.zeros((1, k), I64))
                continue
            for batch in [(), (0,), (1,), (4,), (2, 3)]:
                idx = (rng.random(batch + (k,)) * lead).astype(I64)  # repeats allowed
                idx -= lead * (rng.random(idx.shape) < 0.5)
                check("GatherND", (), x, idx)
            for bad in (lead, -lead - 1):
                if x.size:
                    declines("GatherND", (), x, bad[None, :])
                else:  # onnxruntime checks no index that names an empty slice
                    assert K.run("GatherND", "", (), [x, bad[None, :]]) is None
    x = data(dtype, (3, 4), rng)
    check("GatherND", (("batch_dims", 0),), x, i64([2, -1], [0, 0]))
    assert K.run("GatherND", "", (("batch_dims", 1),), [x, i64([1], [2], [0])]) is None
    assert K.run("GatherND", "", (), [x, np.zeros((2, 0), I64)]) is None  # whole copies
    declines("GatherND", (), x, np.array([[1, 1]], np.int32))  # int64 indices only


def test_nonzero_of_bool_masks(rng):
    for shape in SHAPES + [(1,), (4, 1, 3)]:
        for p in (0.0, 0.3, 1.0):
            check("NonZero", (), np.asarray(rng.random(shape) < p))
    check("NonZero", (), np.array(True))  # a 0-d mask counts as rank 1
    check("NonZero", (), np.array(False))
    for dtype in (D.int64, D.float64):  # not computed here
        assert K.run("NonZero", "", (), [data(dtype, (4,), rng)]) is None


def _distinct_tuples(lead: tuple, count: int, rng) -> np.ndarray:
    """``count`` different index tuples into an array whose leading sizes are ``lead``, each
    entry made negative (counted from the end) at random: shape (count, len(lead))."""
    flat = rng.permutation(int(np.prod(lead)))[:count]
    tuples = np.stack(np.unravel_index(flat, lead), axis=-1).astype(I64).reshape(count, len(lead))
    return tuples - np.asarray(lead, I64) * (rng.random(tuples.shape) < 0.5)


SCATTER_SHAPES = [(1,), (5,), (3, 4), (2, 0, 3), (2, 3, 4), (2, 3, 1, 2)]


@pytest.mark.parametrize("dtype", EVERY, ids=lambda d: d.name)
def test_scatter_nd_negative_indices_and_every_depth(dtype, rng):
    done = 0
    for shape in SCATTER_SHAPES:
        x = data(dtype, shape, rng)
        for k in range(1, len(shape) + 1):
            lead, rest = shape[:k], shape[k:]
            size = int(np.prod(lead))
            for batch in [(0,), (1,), (min(size, 3),), (2, 1), ()]:
                count = int(np.prod(batch))
                if count > size:
                    continue
                idx = _distinct_tuples(lead, count, rng).reshape(batch + (k,))
                check("ScatterND", (), x, idx, data(dtype, batch + rest, rng))
                done += 1
    assert done >= 60
    for shape, k in [((40, 3), 1), ((8, 6, 2), 2), ((4, 5, 3), 3)]:  # more than K._FEW tuples
        x, lead = data(dtype, shape, rng), shape[:k]
        idx = _distinct_tuples(lead, K._FEW + 3, rng)
        check("ScatterND", (), x, idx, data(dtype, (K._FEW + 3,) + shape[k:], rng))
        dup = np.concatenate([idx, idx[-1:]])
        assert K.run("ScatterND", "", (), [x, dup, data(dtype, dup.shape[:1] + shape[k:],
                                                           rng)]) is None
        far = idx.copy()
        far[-1, -1] = lead[-1]
        declines("ScatterND", (), x, far, data(dtype, (K._FEW + 3,) + shape[k:], rng))
    x = data(dtype, (3, 4), rng)
    check("ScatterND", (("reduction", "none"),), x, i64([-1], [0]), data(dtype, (2, 4), rng))
    check("ScatterND", (), x, i64([-3, -4], [2, 3]), data(dtype, (2,), rng))
    check("ScatterND", (), x, i64(-1, 2), data(dtype, (), rng))  # one tuple, no batch axis


@pytest.mark.parametrize("dtype", EVERY, ids=lambda d: d.name)
def test_scatter_nd_declines(dtype, rng):
    x = data(dtype, (3, 4), rng)
    row = data(dtype, (1, 4), rng)
    for bad in ([3], [-4], [BIG], [-BIG - 1]):  # out of range: onnxruntime refuses
        declines("ScatterND", (), x, i64(bad), row)
    declines("ScatterND", (), x, i64([0]), data(dtype, (2, 4), rng))  # updates do not fit
    declines("ScatterND", (), x, i64([0]).astype(np.int32), row)  # int64 indices only
    declines("ScatterND", (), data(dtype, (), rng), np.zeros(0, I64), data(dtype, (), rng))
    # duplicate tuples: onnxruntime gives a result, but the order of the writes is open
    for idx in (i64([1], [1]), i64([2], [-1]), i64([0, 1], [1, 0], [-3, 1])):
        updates = data(dtype, idx.shape[:1] + x.shape[idx.shape[1]:], rng)
        assert K.run("ScatterND", "", (), [x, idx, updates]) is None
    # a reduction, and index tuples of length 0 (the whole array): left to onnxruntime
    for attrs, idx, updates in [((("reduction", "add"),), i64([0]), row),
                                ((), np.zeros((1, 0), I64), data(dtype, (1, 3, 4), rng))]:
        assert K.run("ScatterND", "", attrs, [x, idx, updates]) is None
    # empty slices named in range are written as nothing; one out of range is refused
    z = data(dtype, (2, 0, 3), rng)
    check("ScatterND", (), z, i64([1], [-2]), data(dtype, (2, 0, 3), rng))
    declines("ScatterND", (), z, i64([2]), data(dtype, (1, 0, 3), rng))


def _distinct_along(shape: tuple, axis: int, idx_shape: tuple, rng) -> np.ndarray:
    """Indices of ``idx_shape`` (each size at most ``shape``'s) into ``shape`` along ``axis``,
    different along that axis at every position (so no two write one element), some
    counted from the end."""
    order = np.argsort(rng.random(shape), axis=axis)
    idx = order[tuple(slice(0, m) for m in idx_shape)].astype(I64)
    return idx - shape[axis] * (rng.random(idx.shape) < 0.5)


@pytest.mark.parametrize("dtype", EVERY, ids=lambda d: d.name)
def test_scatter_elements_every_axis_and_smaller_indices(dtype, rng):
    done = 0
    for shape in SCATTER_SHAPES:
        x = data(dtype, shape, rng)
        for axis in range(-len(shape), len(shape)):
            for idx_shape in {shape, tuple(max(d - 1, 0) for d in shape),
                              tuple(min(d, 1) for d in shape),
                              tuple(0 if i == axis % len(shape) else d
                                    for i, d in enumerate(shape))}:
                idx = _distinct_along(shape, axis, idx_shape, rng)
                updates = data(dtype, idx_shape, rng)
                for idx_dt in (np.int64, np.int32):
                    check("ScatterElements", (("axis", axis),), x, idx.astype(idx_dt), updates)
                    done += 1
    assert done >= 100
    check("ScatterElements", (), data(dtype, (3,), rng), i64(2, -3), data(dtype, (2,), rng))
    check("ScatterElements", (("axis", 1), ("reduction", "none")), data(dtype, (2, 3), rng),
          i64([0, -1], [2, 1]), data(dtype, (2, 2), rng))


@pytest.mark.parametrize("dtype", EVERY, ids=lambda d: d.name)
def test_scatter_elements_declines(dtype, rng):
    x = data(dtype, (3, 4), rng)
    one = data(dtype, (1, 1), rng)
    for axis, bad in [(0, 3), (0, -4), (1, 4), (-1, -5), (1, BIG), (0, -BIG - 1)]:
        declines("ScatterElements", (("axis", axis),), x, i64([bad]), one)
    declines("ScatterElements", (("axis", 0),), x, np.array([[-(2**31)]], np.int32), one)
    # indices larger than the data off the axis, or updates of another shape
    declines("ScatterElements", (("axis", 1),), x, np.zeros((4, 1), I64), data(dtype, (4, 1),
                                                                              rng))
    declines("ScatterElements", (("axis", 1),), x, i64([0, 1]), data(dtype, (1, 3), rng))
    declines("ScatterElements", (), data(dtype, (), rng), np.array(0, I64), data(dtype, (), rng))
    # duplicate targets (also two indices naming one element, -1 and 3): the order is open
    for idx in (i64([1, 1]), i64([3, -1]), i64([0, 1, 2, 3, 0])):
        updates = data(dtype, idx.shape, rng)
        assert K.run("ScatterElements", "", (("axis", 1),), [x, idx, updates]) is None
    assert K.run("ScatterElements", "", (("axis", 0), ("reduction", "add")),
                 [x, i64([0]), one]) is None


def test_scatters_write_a_copy():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    (nd,) = K.run("ScatterND", "", (), [x, i64([0]), np.zeros((1, 3))])
    (el,) = K.run("ScatterElements", "", (("axis", 1),), [x, i64([2]), np.zeros((1, 1))])
    assert not np.shares_memory(nd, x) and not np.shares_memory(el, x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(nd, [[0, 0, 0], [3, 4, 5]])
    np.testing.assert_array_equal(el, [[0, 1, 0], [3, 4, 5]])


# --- integer and bool operators --------------------------------------------------------------

PAIRS = [((), ()), ((7,), (7,)), ((0,), (1,)), ((3, 4), (4,)), ((3, 1), (1, 4)),
         ((2, 0, 3), ()), ((2, 3, 1, 2), (3, 2, 2))]


@pytest.mark.parametrize("dtype", INTS, ids=lambda d: d.name)
def test_integer_arithmetic_wraps(dtype, rng):
    for sa, sb in PAIRS:
        a, b = data(dtype, sa, rng), data(dtype, sb, rng)
        for op in ("Add", "Sub", "Mul", "Min", "Max"):
            check(op, (), a, b)
            check(op, (), b, a)
        for op in ("Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual"):
            check(op, (), a, b)
            check(op, (), a, a)
        for op in ("Neg", "Abs"):
            check(op, (), a)
        check("Min", (), a)
        check("Max", (), a, b, data(dtype, sa, rng))
    info = np.iinfo(dtype.numpy)
    edge = np.array([info.min, info.max, 0, 1], dtype.numpy)
    for op in ("Add", "Sub", "Mul"):  # every wrap-around at once
        check(op, (), edge[:, None].copy(), edge[None, :].copy())


FLOATS = [D.float32, D.float64]


def _float_specials(dtype) -> np.ndarray:
    """Every IEEE class of ``dtype``: signed zeros, subnormals, the extremes, infinities and
    NaNs of either sign with and without a payload."""
    np_dt = np.dtype(dtype.numpy)
    f = np.finfo(np_dt)
    vals = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -7.25, 3.0, f.max, -f.max, f.tiny, -f.tiny,
                     f.smallest_subnormal, -f.smallest_subnormal, np.inf, -np.inf, 1e-3,
                     np.nan], np_dt)
    bits = np.dtype(f"u{np_dt.itemsize}").type
    sign = bits(1) << bits(8 * np_dt.itemsize - 1)
    nan = np.array([np.nan], np_dt).view(bits)[0]
    nans = np.array([nan | sign, nan ^ bits(5), (nan ^ bits(3)) | sign], bits).view(np_dt)
    return np.concatenate([vals, nans])


def _float_pairs(dtype, rng):
    """Operand pairs of every special against every other, in the layouts onnxruntime's
    broadcasting kernels take apart (same shape, a scalar on either side, a row, a column),
    and random mixes of each length up to 33 (the SIMD body and its tail)."""
    s = _float_specials(dtype)
    a, b = np.meshgrid(s, s, indexing="ij")
    pairs = [(a.copy(), b.copy()), (a.ravel().copy(), b.ravel().copy()),
             (s[:, None].copy(), s[None, :].copy()), (s[:0], s[:1])]
    for k in range(len(s)):
        pairs += [(s, s[k:k + 1].copy()), (s[k:k + 1].copy(), s), (np.array(s[k]), s)]
    for n in range(1, 34):
        pairs += [(rng.choice(s, n), rng.choice(s, n)), (rng.choice(s, (n, 3)),
                                                         rng.choice(s, (1, 3)))]
    bits = rng.integers(0, 256, (2, 4096 * np.dtype(dtype.numpy).itemsize), dtype=np.uint8)
    pairs.append(tuple(b.view(dtype.numpy).copy() for b in bits))  # every exponent, sNaNs
    return pairs


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.name)
def test_float_arithmetic_rounds_as_onnxruntime(dtype, rng):
    declined = 0
    for x, y in _float_pairs(dtype, rng):
        both_nan = bool(np.isnan(x).any() and np.isnan(y).any())
        for op in ("Sub", "Div", "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual"):
            check(op, (), x, y)
        for op in ("Add", "Mul"):
            if both_nan:  # which NaN comes out depends on the order the operands are read
                assert K.run(op, "", (), [x, y]) is None
                declined += 1
            else:
                check(op, (), x, y)
    assert declined  # the case is met
    s = _float_specials(dtype)
    for x in [s, s[:0], np.array(s[3]), s.reshape(4, 5), np.tile(s, 3)]:
        for op in ("Neg", "Abs", "Sqrt", "Reciprocal"):
            check(op, (), x)
    bits = np.random.default_rng(7).integers(0, 256, 8 * 4096, dtype=np.uint8)
    check("Reciprocal", (), bits.view(dtype.numpy).copy())  # every exponent


def test_float_add_and_mul_of_two_large_operands_run_the_session():
    big = np.linspace(-1.0, 1.0, K._NAN_SCAN_MAX + 1)
    for op in ("Add", "Mul"):
        assert K.run(op, "", (), [big, big]) is None  # scanning costs more than the session
        check(op, (), big, big[:1].copy())  # only the smaller operand is scanned
    check("Sub", (), big, big)


@pytest.mark.parametrize("dtype", INTS, ids=lambda d: d.name)
def test_integer_bitwise_operators_and_sign(dtype, rng):
    for sa, sb in PAIRS:
        a, b = data(dtype, sa, rng), data(dtype, sb, rng)
        for op in ("BitwiseAnd", "BitwiseOr", "BitwiseXor"):
            check(op, (), a, b)
        check("BitwiseNot", (), a)
        check("Sign", (), a)
    bits = dtype.bits
    if dtype.kind == "u":  # BitShift takes unsigned integers only
        x = data(dtype, (4, 5), rng)
        for direction in ("LEFT", "RIGHT"):
            shifts = rng.integers(0, bits, (4, 5)).astype(dtype.numpy)
            check("BitShift", (("direction", direction),), x, shifts)
            check("BitShift", (("direction", direction),), x, np.array(bits - 1, dtype.numpy))
            check("BitShift", (("direction", direction),), x[:0], shifts[:0])
            too_far = np.full((4, 5), bits, dtype.numpy)  # not specified alike everywhere
            assert K.run("BitShift", "", (("direction", direction),), [x, too_far]) is None


@pytest.mark.parametrize("dtype", [D.float32, D.float64], ids=lambda d: d.name)
def test_float_sign_without_nans(dtype, rng):
    bits = np.dtype(f"u{np.dtype(dtype.numpy).itemsize}")
    for shape in [*SHAPES, (50_000,)]:
        x = data(dtype, shape, rng) if len(shape) != 1 or shape[0] < 1000 else rng.integers(
            0, np.iinfo(bits).max, shape, dtype=bits, endpoint=True).view(dtype.numpy)
        if np.isnan(x).any():  # a NaN's payload is each library's own: declined
            assert K.run("Sign", "", (), [x]) is None
        x[np.isnan(x)] = 1.5
        check("Sign", (), x)  # -0.0, +0.0, infinities, subnormals


@pytest.mark.parametrize("dtype", [D.bool, *INTS], ids=lambda d: d.name)
def test_integer_argmax_and_argmin_take_the_first_tie(dtype, rng):
    for shape in SHAPES[1:] + [(4, 1, 3)]:
        x = data(dtype, shape, rng)
        ties = x if dtype is D.bool else np.asarray(x % 3, dtype.numpy)  # many equal values
        for axis in range(-len(shape), len(shape)):
            for attrs in [(("axis", axis),), (("axis", axis), ("keepdims", 0)),
                          (("axis", axis), ("keepdims", 1), ("select_last_index", 0))]:
                for op in ("ArgMax", "ArgMin"):
                    for v in (x, ties):
                        if shape[axis]:
                            check(op, attrs, v)
                        else:  # an empty axis: onnxruntime refuses it
                            declines(op, attrs, v)
    x = data(dtype, (3, 4), rng)
    check("ArgMax", (), x)  # axis 0 by default
    assert K.run("ArgMax", "", (("select_last_index", 1),), [x]) is None


@pytest.mark.parametrize("op", ["And", "Or", "Xor", "Equal", "Less", "LessOrEqual", "Greater",
                                "GreaterOrEqual", "Min", "Max", "Not"])
def test_bool_operators(op, rng):
    for sa, sb in PAIRS:
        a, b = data(D.bool, sa, rng), data(D.bool, sb, rng)
        if op == "Not":
            check(op, (), a)
        else:
            check(op, (), a, b)


@pytest.mark.parametrize("src", [D.bool, *INTS], ids=lambda d: d.name)
def test_casts_between_integers_and_bool_wrap(src, rng):
    for shape in SHAPES:
        x = data(src, shape, rng)
        for to in [D.bool, *INTS]:
            check("Cast", (("to", to.onnx),), x)
        for to in (D.float32, D.float64):  # exact: a bool, or an integer the float holds
            if np.dtype(src.numpy) in K._FLOAT_FROM[to.onnx][1]:
                check("Cast", (("to", to.onnx),), x)
            else:
                assert K.run("Cast", "", (("to", to.onnx),), [x]) is None
    x = data(D.float64, (4,), rng)
    assert K.run("Cast", "", (("to", D.int64.onnx),), [x]) is None  # float -> int: not here


@pytest.mark.parametrize("src", [D.float32, D.float64], ids=lambda d: d.name)
def test_casts_from_floats_to_floats_and_bool(src, rng):
    """Rounded once to the nearest single (ties to even, subnormals kept, overflow to inf),
    NaN payloads and signs as the hardware converts them; to bool, NaN is true."""
    bits = np.dtype(f"u{np.dtype(src.numpy).itemsize}")
    for shape in SHAPES:
        x = data(src, shape, rng)
        for to in (D.bool, D.float32, D.float64):
            check("Cast", (("to", to.onnx),), x)
    x = rng.integers(0, np.iinfo(bits).max, 100_000, dtype=bits, endpoint=True).view(src.numpy)
    for to in (D.bool, D.float32, D.float64):
        check("Cast", (("to", to.onnx),), x)
    for to in INTS:
        assert K.run("Cast", "", (("to", to.onnx),), [x]) is None


@pytest.mark.parametrize("dtype", [D.float32, D.float64], ids=lambda d: d.name)
def test_nan_and_infinity_tests(dtype, rng):
    bits = np.dtype(f"u{np.dtype(dtype.numpy).itemsize}")
    for shape in [*SHAPES, (100_000,)]:
        x = data(dtype, shape, rng) if len(shape) != 1 or shape[0] < 1000 else rng.integers(
            0, np.iinfo(bits).max, shape, dtype=bits, endpoint=True).view(dtype.numpy)
        check("IsNaN", (), x)
        for neg, pos in itertools.product((0, 1), (0, 1)):
            check("IsInf", (("detect_negative", neg), ("detect_positive", pos)), x)
        check("IsInf", (), x)


def _reductions(op, x, axes_choices):
    r = x.ndim
    for axes in axes_choices:
        for keep, noop in itertools.product((0, 1), (0, 1)):
            attrs = (("keepdims", keep), ("noop_with_empty_axes", noop))
            empty = axes is None or axes.size == 0
            reduced = range(r) if empty else [int(a) % r for a in axes]
            if empty and noop:
                reduced = []
            if op != "ReduceSum" and any(x.shape[i] == 0 for i in reduced):
                assert K.run(op, "", attrs, [x, axes]) is None  # left to onnxruntime
            elif op == "ReduceSum" and x.dtype != np.bool_ and x.size and not (empty and noop) \
                    and int(np.max(np.abs(x.astype(object)))) * int(np.prod(
                        [x.shape[i] for i in reduced])) > K._SUM_BOUND[x.dtype]:
                assert K.run(op, "", attrs, [x, axes]) is None  # see _SUM_BOUND
            else:
                check(op, attrs, x, axes)


def _axes_choices(r):
    choices = [None, i64()] + [i64(a) for a in range(-r, r)]
    return choices + ([i64(0, -1), i64(*range(r))] if r >= 2 else [])


@pytest.mark.parametrize("op", ["ReduceSum", "ReduceMax", "ReduceMin"])
@pytest.mark.parametrize("dtype", [D.bool, *INTS], ids=lambda d: d.name)
def test_integer_reductions(op, dtype, rng):
    for shape in SHAPES:
        x = data(dtype, shape, rng)
        _reductions(op, x, _axes_choices(len(shape)))
        if dtype is not D.bool:  # values whose sums onnxruntime computes exactly
            small = np.asarray(x % 100 - (50 if dtype.kind == "i" else 0), dtype.numpy)
            _reductions(op, small, _axes_choices(len(shape)))


@pytest.mark.parametrize("dtype", INTS, ids=lambda d: d.name)
def test_integer_sums_up_to_the_exact_bound(dtype, rng):
    info = np.iinfo(dtype.numpy)
    bound = K._SUM_BOUND[np.dtype(dtype.numpy)]
    top = min(info.max, bound // 4)
    for sign in ([1, -1] if dtype.kind == "i" and -top >= info.min else [1]):
        x = np.full((4, 4), sign * top, dtype.numpy)
        check("ReduceSum", (("keepdims", 0),), x, i64(0))
        check("ReduceSum", (("keepdims", 0),), x, i64(1))
    if top * 16 > bound:  # the whole array's sum would be past the bound: declined
        assert K.run("ReduceSum", "", (("keepdims", 0),), [x, None]) is None


# --- the table and its use -------------------------------------------------------------------


def test_every_kernel_is_tested():
    tested = {"Identity", "Flatten", "Shape", "Size", "Reshape", "Transpose", "Squeeze",
              "Unsqueeze", "Concat", "Slice", "Gather", "GatherElements", "GatherND", "NonZero",
              "ScatterND", "ScatterElements", "Expand", "Tile",
              "Where", "Add", "Sub", "Mul", "Div", "Sqrt", "Reciprocal", "Min", "Max",
              "Equal", "Less", "LessOrEqual", "Greater", "GreaterOrEqual", "Neg", "Abs", "And",
              "Or", "Xor", "Not", "Cast", "ReduceSum", "ReduceMax", "ReduceMin", "Sign",
              "BitwiseAnd", "BitwiseOr", "BitwiseXor", "BitwiseNot", "BitShift", "ArgMax",
              "ArgMin", "IsNaN", "IsInf"}
    assert set(K.KERNELS) == tested


def test_unknown_attributes_and_float_min_max_and_sums_decline(rng):
    x = data(D.float64, (3,), rng)
    for op in ("Min", "Max", "ReduceSum", "ReduceMax", "Where", "Cast"):
        assert K.run(op, "", (), [x, x][:1 if op in ("ReduceSum", "ReduceMax", "Cast")
                                        else 2]) is None
    assert K.run("Div", "", (), [i64(7), i64(2)]) is None  # ONNX truncates, NumPy floors
    i = data(D.int64, (3,), rng)
    assert K.run("Add", "", (("some_attribute", 1),), [i, i]) is None
    assert K.run("Add", "onnxarray", (), [i, i]) is None
    assert K.run("Add", "", (), [i, i.astype(np.int32)]) is None  # mixed dtypes


def _traced(fn, *arrays):
    """``fn`` traced on exact-shape arguments: (nodes, outputs, inputs, built model's run)."""
    args = {f"x{i}": xp.argument(shape=a.shape, dtype=_dtype(a)) for i, a in enumerate(arrays)}
    out = fn(*args.values())
    outs = [o._v for o in (out if isinstance(out, tuple) else (out,))]
    model = xp.build(args, {f"y{i}": o for i, o in enumerate(out if isinstance(out, tuple)
                                                              else (out,))})
    sess = _executor.session_for_model(model.SerializeToString(), optimize="none")
    return (topological_order(outs), outs, [a._v for a in args.values()],
            lambda feeds: sess.run(None, dict(zip(args, feeds))))


@pytest.mark.parametrize("dtype", [D.int32, D.uint64, D.float64, D.string], ids=lambda d: d.name)
def test_a_graph_of_exact_operators_runs_as_one_program(dtype, rng):
    def fn(a):
        b = xp.reshape(xp.permute_dims(a, (1, 0)), (2, 6))
        b[0:1, ::2] = a[2, 1]  # Slice, Reshape, ScatterND
        return xp.concat([b, b[:, ::-1]], axis=0), xp.take(b, xp.asarray([1, -1]), axis=1)

    x = data(dtype, (3, 4), rng)
    nodes, outs, ins, model = _traced(fn, x)
    assert {"Transpose", "Reshape", "ScatterND", "Concat", "Gather"} <= {n.op for n in nodes}
    run = K.program(nodes, outs, ins)
    assert run is not None
    for feed in [x, data(dtype, (3, 4), rng)]:
        got, want = run([feed]), model([feed])
        assert len(got) == len(want) == 2
        for g, w in zip(got, want):
            assert g.flags.c_contiguous and g.flags.owndata and not np.shares_memory(g, feed)
            _same_bits(g, w, "program")


def test_a_program_declines_what_a_kernel_declines(rng):
    x, i = data(D.float32, (5,), rng), i64(4, -5)
    nodes, outs, ins, model = _traced(lambda a, k: xp.take(a, k), x, i)
    run = K.program(nodes, outs, ins)
    _same_bits(run([x, i])[0], model([x, i])[0], "take")
    assert run([x, i64(5, 0)]) is None  # out of range: the session raises
    with pytest.raises(_executor.RUN_FAILURES):
        model([x, i64(5, 0)])


def test_a_plan_of_exact_operators_runs_its_kernels_and_else_its_session(rng):
    from onnxarray import _plans

    x, i = data(D.int64, (5,), rng), i64(4, -5)
    plan = _plans.compile_plan(lambda a, k: xp.take(a, k) + a[:2], (xp.asarray(x),
                                                                    xp.asarray(i)), {},
                               optimize="none")
    assert plan.func is _plans._run_kernel_plan
    session = plan.args[1]
    _same_bits(np.asarray(plan([x, i])), np.take(x, i) + x[:2], "plan")
    assert not session.compiled  # created when a kernel first declines
    with pytest.raises(_executor.RUN_FAILURES):  # declined: the session raises
        plan([x, i64(5, 0)])
    assert session.compiled


def test_a_float_plan_gives_its_sessions_nan_where_both_operands_hold_one(rng):
    from onnxarray import _plans

    s = _float_specials(D.float64)
    x, y = s[:, None].copy(), s[None, ::-1].copy()
    plan = _plans.compile_plan(lambda a, b: a * b - b, (xp.asarray(x), xp.asarray(y)), {},
                               optimize="none")
    assert plan.func is _plans._run_kernel_plan
    nodes, outs, ins, model = _traced(lambda a, b: a * b - b, x, y)
    _same_bits(np.asarray(plan([x, y])), model([x, y])[0], "a * b - b, NaNs on both sides")
    assert plan.args[1].compiled
    finite = np.nan_to_num(x)
    _same_bits(np.asarray(plan([finite, y])), model([finite, y])[0], "a * b - b")


def test_graphs_with_other_operators_are_no_program(rng):
    x = data(D.float64, (3,), rng)
    for fn in (lambda a: xp.exp(a) + a, lambda a: xp.reshape(xp.exp(a), (3, 1))):
        nodes, outs, ins, _ = _traced(fn, x)
        assert K.program(nodes, outs, ins) is None
    nodes, outs, ins, _ = _traced(lambda a: xp.reshape(a, (3, 1)), x)
    assert K.program(nodes, outs, ins[:0]) is None  # an input not given


def test_a_program_returns_inputs_and_constants_as_copies(rng):
    """A graph whose output is its input (``broadcast_to(x, x.shape)``) or a constant
    (``full_like``) runs as a program, and returns a fresh array as a session does."""
    x = data(D.float64, (3,), rng)
    for fn, want in ((lambda a: a, [x]), (lambda a: (a, xp.full_like(a, 2.5)),
                                          [x, np.full(3, 2.5)])):
        nodes, outs, ins, _ = _traced(fn, x)
        run_all = K.program(nodes, outs, ins)
        assert run_all is not None
        got = run_all([x])
        assert all(g.flags.owndata and not np.shares_memory(g, x) for g in got)
        for g, w in zip(got, want, strict=True):
            _same_bits(g, w, "program")


def test_eager_data_movement_and_integer_calls_compile_no_session():
    _executor._sessions.clear()
    a = xp.asarray(np.arange(24, dtype=np.int16).reshape(2, 3, 4))
    b = xp.reshape(xp.permute_dims(a, (2, 0, 1)), (4, 6))
    c = xp.concat([b[1:, ::-2], b[:1, 1::2]], axis=0)
    got = xp.max(c + c, axis=0)  # int16 Max: a detour through int32 without the kernels
    want = np.arange(24, dtype=np.int16).reshape(2, 3, 4).transpose(2, 0, 1).reshape(4, 6)
    want = np.concatenate([want[1:, ::-2], want[:1, 1::2]])
    out = np.asarray(got)
    assert out.dtype == np.int16
    np.testing.assert_array_equal(out, (want + want).max(axis=0))
    assert _executor.session_count() == 0


def test_eager_errors_stay_the_librarys():
    with pytest.raises(IndexError):
        xp.take(xp.asarray([1, 2, 3]), xp.asarray([3]))
    with pytest.raises(ValueError, match="reshape"):
        xp.reshape(xp.asarray(np.arange(6)), (4, -1))
    b = xp.asarray(np.array([2**64 - 1, 2**63, 3], np.uint64))
    assert int(xp.max(b)) == 2**64 - 1 and int(xp.min(b)) == 3
