"""Manipulation functions: parity (eager == exported == array-api-strict) and error cases.

Exported models use named dims by default, so every function is also checked on symbolic
inputs whose sizes are unknown while recording.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import assert_identical, check, export, known, run_model, to_onnxarray

import onnxarray as oxp

ALL = [np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32,
       np.uint64, np.float32, np.float64]
FLOAT_ELEMENTS = {"allow_nan": True, "allow_infinity": True}


def arrays(shape=None, dtypes=ALL, min_dims=0, max_dims=3, min_side=0, max_side=4):
    """Arrays of any dtype (NaN and -0.0 included for floats)."""
    shp = shape if shape is not None else hnp.array_shapes(
        min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)
    return st.sampled_from(dtypes).flatmap(lambda dt: hnp.arrays(dt, shp))


def axis_of(ndim: int):
    return st.integers(-ndim, ndim - 1)


def axes_of(ndim: int, min_size: int = 0):
    """A tuple of distinct axes, some given as negative numbers."""
    if ndim == 0:
        return st.just(())
    return st.lists(st.integers(0, ndim - 1), unique=True, min_size=min_size,
                    max_size=ndim).flatmap(
        lambda axes: st.tuples(*[st.sampled_from([a, a - ndim]) for a in axes]))


dynamic = st.booleans()


# -- broadcasting ------------------------------------------------------------------------------


@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=3, min_side=0, max_side=3),
       dtype=st.sampled_from(ALL), data=st.data())
def test_broadcast_arrays(shapes, dtype, data):
    xs = [data.draw(hnp.arrays(dtype, s)) for s in shapes.input_shapes]
    check(lambda xp, *a: xp.broadcast_arrays(*a), *xs)


def test_broadcast_arrays_edges():
    assert oxp.broadcast_arrays() == ()
    (y,) = oxp.broadcast_arrays(to_onnxarray(np.arange(3)))
    assert y.shape == (3,)
    with pytest.raises(ValueError, match="broadcast_arrays"):
        oxp.broadcast_arrays(to_onnxarray(np.ones(2)), to_onnxarray(np.ones(3)))


def test_broadcast_arrays_symbolic_unknown_dims():
    """Two unknown sizes broadcast at run time (either may be 1)."""
    a = oxp.argument(shape=("N", 1), dtype=oxp.float32)
    b = oxp.argument(shape=("M",), dtype=oxp.float32)
    ya, yb = oxp.broadcast_arrays(a, b)
    assert known(ya.shape) == (None, None) and known(yb.shape) == (None, None)
    model = oxp.build({"a": a, "b": b}, {"ya": ya, "yb": yb})
    av, bv = np.arange(3, dtype=np.float32)[:, None], np.arange(4, dtype=np.float32)
    ra, rb = run_model(model, {"a": av, "b": bv})
    np.testing.assert_array_equal(ra, np.broadcast_to(av, (3, 4)))
    np.testing.assert_array_equal(rb, np.broadcast_to(bv, (3, 4)))


@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, max_dims=4, min_side=0, max_side=4))
def test_broadcast_shapes(shapes):
    assert oxp.broadcast_shapes(*shapes.input_shapes) == np.broadcast_shapes(
        *shapes.input_shapes)


def test_broadcast_shapes_edges():
    assert oxp.broadcast_shapes() == ()
    assert oxp.broadcast_shapes((2, None), (1, 3)) == (2, 3)
    assert oxp.broadcast_shapes((None,), (1,)) == (None,)
    assert oxp.broadcast_shapes((None,), (None,)) == (None,)
    assert oxp.broadcast_shapes((0,), (1,)) == (0,)
    with pytest.raises(ValueError, match="broadcast_shapes"):
        oxp.broadcast_shapes((2, 3), (4,))
    with pytest.raises(TypeError, match="broadcast_shapes"):
        oxp.broadcast_shapes(3)
    for bad in [(2, -1), (2.0,), (True,)]:
        with pytest.raises(ValueError, match="broadcast_shapes"):
            oxp.broadcast_shapes(bad)


@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=1, max_dims=3, min_side=0, max_side=3),
       dtype=st.sampled_from(ALL), dyn=dynamic, data=st.data())
def test_broadcast_to(shapes, dtype, dyn, data):
    x = data.draw(hnp.arrays(dtype, shapes.input_shapes[0]))
    target = shapes.result_shape
    check(lambda xp, a: xp.broadcast_to(a, target), x, dynamic=dyn)


def test_broadcast_to_errors():
    x = to_onnxarray(np.ones((2, 3)))
    for shape in [(3, 3), (3,), (2, 1), (2, -3)]:
        with pytest.raises(ValueError, match="broadcast_to"):
            oxp.broadcast_to(x, shape)


# -- joining and splitting ---------------------------------------------------------------------


@given(base=hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=3),
       dtypes=st.lists(st.sampled_from(ALL), min_size=1, max_size=3), dyn=dynamic,
       data=st.data())
def test_concat(base, dtypes, dyn, data):
    # dtypes that promote to one of the first dtype's kind
    kind = np.dtype(dtypes[0]).kind
    dtypes = [d for d in dtypes if np.dtype(d).kind == kind]
    if kind == "u":
        dtypes = [d for d in dtypes if d != np.uint64] or [np.uint64]
    if kind == "i" or kind == "u":
        dtypes = [d for d in dtypes if np.dtype(d).kind == kind]
    axis = data.draw(st.none() | axis_of(len(base)))
    ax = 0 if axis is None else axis
    xs = []
    for dt in dtypes:
        shape = list(base)
        shape[ax] = data.draw(st.integers(0, 3))
        if axis is None:
            shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3))
        xs.append(data.draw(hnp.arrays(dt, tuple(shape))))
    check(lambda xp, *a: xp.concat(list(a), axis=axis), *xs, dynamic=dyn)


def test_concat_mixed_kinds_and_default_axis():
    a, b = np.arange(4, dtype=np.int8).reshape(2, 2), np.ones((1, 2), np.int64)
    check(lambda xp, x, y: xp.concat((x, y)), a, b)
    f, g = np.ones((2,), np.float32), np.ones((3,), np.float64)
    check(lambda xp, x, y: xp.concat([x, y]), f, g)


def test_concat_errors():
    a = to_onnxarray(np.ones((2, 3)))
    with pytest.raises(ValueError, match="concat"):
        oxp.concat([])
    with pytest.raises(ValueError, match="concat"):
        oxp.concat([a, to_onnxarray(np.ones((2, 4)))], axis=0)
    with pytest.raises(ValueError, match="concat"):
        oxp.concat([a, to_onnxarray(np.ones(3))])
    with pytest.raises(ValueError, match="concat"):
        oxp.concat([to_onnxarray(np.float64(1.0))])
    with pytest.raises(ValueError, match="concat"):
        oxp.concat([a, a], axis=2)
    with pytest.raises(TypeError, match="concat"):
        oxp.concat([a, to_onnxarray(np.ones((2, 3), bool))])


@given(shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3),
       n=st.integers(1, 3), dtype=st.sampled_from(ALL), dyn=dynamic, data=st.data())
def test_stack(shape, n, dtype, dyn, data):
    xs = [data.draw(hnp.arrays(dtype, shape)) for _ in range(n)]
    axis = data.draw(axis_of(len(shape) + 1))
    check(lambda xp, *a: xp.stack(a, axis=axis), *xs, dynamic=dyn)


def test_stack_errors():
    a = to_onnxarray(np.ones((2, 3)))
    with pytest.raises(ValueError, match="stack"):
        oxp.stack([])
    with pytest.raises(ValueError, match="stack"):
        oxp.stack([a, to_onnxarray(np.ones((3, 2)))])
    with pytest.raises(ValueError, match="stack"):
        oxp.stack([a, a], axis=3)


@given(x=arrays(min_dims=1, max_side=3), data=st.data())
def test_unstack(x, data):
    axis = data.draw(axis_of(x.ndim))
    # an empty tuple has nothing to export
    check(lambda xp, a: xp.unstack(a, axis=axis), x, dynamic=False, exported=x.shape[axis] > 0)


def test_unstack_symbolic():
    """Known sizes along the axis give a tuple even when other dims are unknown."""
    x = np.arange(12, dtype=np.int32).reshape(3, 4)
    check(lambda xp, a: xp.unstack(xp.reshape(a, (3, -1)), axis=0), x)
    s = oxp.argument(shape=("N", 4), dtype=oxp.float32)
    assert len(oxp.unstack(s, axis=1)) == 4
    with pytest.raises(ValueError, match="unstack: the size of axis 0 is unknown"):
        oxp.unstack(s)
    with pytest.raises(ValueError, match="unstack"):
        oxp.unstack(to_onnxarray(np.float32(1)))
    with pytest.raises(ValueError, match="unstack"):
        oxp.unstack(to_onnxarray(np.ones(2)), axis=1)


# -- reordering ---------------------------------------------------------------------------------


@given(x=arrays(), dyn=dynamic, data=st.data())
def test_expand_dims(x, dyn, data):
    n = data.draw(st.integers(1, 3))
    m = x.ndim + n
    positions = data.draw(st.lists(st.integers(0, m - 1), min_size=n, max_size=n, unique=True))
    axis = tuple(data.draw(st.sampled_from([p, p - m])) for p in positions)
    if n == 1 and data.draw(st.booleans()):
        axis = axis[0]
    check(lambda xp, a: xp.expand_dims(a, axis=axis), x, dynamic=dyn)


def test_expand_dims_errors():
    x = to_onnxarray(np.ones((2, 3)))
    for axis in [3, -4, (0, 4)]:
        with pytest.raises(IndexError, match="expand_dims"):
            oxp.expand_dims(x, axis=axis)
    with pytest.raises(ValueError, match="expand_dims: repeated"):
        oxp.expand_dims(x, axis=(0, -4))


@given(x=arrays(), dyn=dynamic, data=st.data())
def test_flip(x, dyn, data):
    axis = data.draw(st.none() | axes_of(x.ndim) | (axis_of(x.ndim) if x.ndim else st.none()))
    check(lambda xp, a: xp.flip(a, axis=axis), x, dynamic=dyn)


@given(x=arrays(), dyn=dynamic, data=st.data())
def test_permute_dims(x, dyn, data):
    perm = data.draw(st.permutations(range(x.ndim)))
    perm = tuple(data.draw(st.sampled_from([p, p - x.ndim])) for p in perm)
    check(lambda xp, a: xp.permute_dims(a, perm), x, dynamic=dyn)


def test_permute_dims_errors():
    x = to_onnxarray(np.ones((2, 3)))
    for axes in [(0,), (0, 0), (0, 2), (0, 1, 2)]:
        with pytest.raises(ValueError, match="permute_dims"):
            oxp.permute_dims(x, axes)


@given(x=arrays(min_dims=1), dyn=dynamic, data=st.data())
def test_moveaxis(x, dyn, data):
    n = data.draw(st.integers(1, x.ndim))
    src = data.draw(st.lists(axis_of(x.ndim), min_size=n, max_size=n,
                             unique_by=lambda a: a % x.ndim))
    dst = data.draw(st.lists(axis_of(x.ndim), min_size=n, max_size=n,
                             unique_by=lambda a: a % x.ndim))
    if n == 1 and data.draw(st.booleans()):
        src, dst = src[0], dst[0]
    else:
        src, dst = tuple(src), tuple(dst)
    check(lambda xp, a: xp.moveaxis(a, src, dst), x, dynamic=dyn)


def test_moveaxis_errors():
    x = to_onnxarray(np.ones((2, 3)))
    with pytest.raises(ValueError, match="moveaxis"):
        oxp.moveaxis(x, (0, 1), (0,))
    with pytest.raises(ValueError, match="moveaxis"):
        oxp.moveaxis(x, (0, 0), (0, 1))
    with pytest.raises(ValueError, match="moveaxis"):
        oxp.moveaxis(x, 2, 0)


@given(x=arrays(), dyn=dynamic, data=st.data())
def test_roll(x, dyn, data):
    shift_st = st.integers(-7, 7)
    if x.ndim == 0 or data.draw(st.booleans()):
        axis = None
        shift = data.draw(shift_st)
    else:
        axis = data.draw(axes_of(x.ndim, min_size=1) | axis_of(x.ndim))
        n = len(axis) if isinstance(axis, tuple) else 1
        shift = data.draw(st.tuples(*[shift_st] * n) if isinstance(axis, tuple) and n > 1
                          else shift_st)
    check(lambda xp, a: xp.roll(a, shift, axis=axis), x, dynamic=dyn)


def test_roll_broadcast_shift_and_errors():
    x = np.arange(12, dtype=np.float64).reshape(3, 4)
    check(lambda xp, a: xp.roll(a, 1, axis=(0, 1)), x)
    check(lambda xp, a: xp.roll(a, (1, -1), axis=(0, 0)), x)
    with pytest.raises(ValueError, match="roll"):
        oxp.roll(to_onnxarray(x), (1, 2), axis=(0, 1, 1))
    with pytest.raises(ValueError, match="roll"):
        oxp.roll(to_onnxarray(x), 1, axis=2)
    with pytest.raises(TypeError, match="roll"):
        oxp.roll(to_onnxarray(x), 1.5, axis=0)


@given(x=arrays(max_side=2), dyn=dynamic, data=st.data())
def test_squeeze(x, dyn, data):
    ones = [i for i, d in enumerate(x.shape) if d == 1]
    axes = data.draw(st.lists(st.sampled_from(ones), unique=True) if ones else st.just([]))
    axes = tuple(data.draw(st.sampled_from([a, a - x.ndim])) for a in axes)
    if len(axes) == 1 and data.draw(st.booleans()):
        axes = axes[0]
    check(lambda xp, a: xp.squeeze(a, axis=axes), x, dynamic=dyn)


def test_squeeze_errors():
    x = to_onnxarray(np.ones((1, 3)))
    with pytest.raises(ValueError, match="squeeze: axis 1 has size 3"):
        oxp.squeeze(x, axis=1)
    with pytest.raises(ValueError, match="squeeze"):
        oxp.squeeze(x, axis=2)
    with pytest.raises(ValueError, match="squeeze: repeated"):
        oxp.squeeze(x, axis=(0, -2))


def test_squeeze_unknown_dim():
    """An unknown dim may be squeezed: the exported model checks that it is 1 at run time."""
    x = oxp.argument(shape=("N", 3), dtype=oxp.int32)
    y = oxp.squeeze(x, axis=0)
    assert y.shape == (3,)
    model = oxp.build({"x": x}, {"y": y})
    (out,) = run_model(model, {"x": np.ones((1, 3), np.int32)})
    assert out.shape == (3,)
    with pytest.raises(Exception, match="(?i)squeeze"):
        run_model(model, {"x": np.ones((2, 3), np.int32)})


# -- reshaping ----------------------------------------------------------------------------------


@st.composite
def reshapes(draw):
    x = draw(arrays(max_dims=4))
    size = x.size
    # factor the size into up to 4 dims, then maybe replace one with -1
    dims = []
    rest = size
    for _ in range(draw(st.integers(0, 3))):
        divisors = [d for d in range(1, 7) if rest % d == 0] if rest else [0, 1, 2, 3]
        d = draw(st.sampled_from(divisors))
        dims.append(d)
        rest = rest // d if d else 0
    if size:
        dims.append(rest)
    elif 0 not in dims:
        dims.append(0)
    dims = draw(st.permutations(dims))
    if dims and draw(st.booleans()):
        i = draw(st.integers(0, len(dims) - 1))
        if dims[i] != 0 and (size or 0 in dims[:i] + dims[i + 1:]) and \
                np.prod([d for j, d in enumerate(dims) if j != i]) != 0:
            dims[i] = -1
    return x, tuple(dims)


@given(case=reshapes(), dyn=dynamic)
def test_reshape(case, dyn):
    x, shape = case
    check(lambda xp, a: xp.reshape(a, shape), x, dynamic=dyn)


def test_reshape_copy_and_errors():
    x = np.arange(6, dtype=np.int16)
    for copy in (None, True, False):
        check(lambda xp, a, c=copy: xp.reshape(a, (2, 3), copy=c), x)
    a = to_onnxarray(x)
    for shape in [(4,), (4, -1), (-1, -1), (2, -2), (0, -1)]:
        with pytest.raises(ValueError, match="reshape"):
            oxp.reshape(a, shape)
    with pytest.raises(ValueError, match="reshape"):
        oxp.reshape(to_onnxarray(np.ones((0, 2))), (-1, 0))


def test_reshape_symbolic_flatten_and_split():
    """-1 with unknown input dims resolves at run time."""
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    check(lambda xp, a: xp.reshape(a, (-1,)), x)
    check(lambda xp, a: xp.reshape(a, (-1, 4)), x)
    check(lambda xp, a: xp.reshape(a, (5, 0)), np.ones((2, 0, 5), np.float32))


@given(x=arrays(max_side=3), dyn=dynamic, data=st.data())
def test_repeat_int(x, dyn, data):
    axis = data.draw(st.none() | (axis_of(x.ndim) if x.ndim else st.none()))
    repeats = data.draw(st.integers(0, 3))
    check(lambda xp, a: xp.repeat(a, repeats, axis=axis), x, dynamic=dyn)


@given(x=arrays(min_dims=1, max_side=3), rdtype=st.sampled_from(
    [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint32]), dyn=dynamic, data=st.data())
def test_repeat_array(x, rdtype, dyn, data):
    axis = data.draw(st.none() | axis_of(x.ndim))
    n = x.size if axis is None else x.shape[axis]
    rshape = data.draw(st.sampled_from([(1,), (n,)]))
    repeats = data.draw(hnp.arrays(rdtype, rshape, elements=st.integers(0, 3)))
    check(lambda xp, a, r: xp.repeat(a, r, axis=axis), x, repeats, dynamic=dyn)


def test_repeat_errors():
    x = to_onnxarray(np.ones((2, 3)))
    with pytest.raises(ValueError, match="repeat"):
        oxp.repeat(x, -1)
    with pytest.raises(TypeError, match="repeat"):
        oxp.repeat(x, to_onnxarray(np.ones(3)), axis=1)
    with pytest.raises(ValueError, match="repeat"):
        oxp.repeat(x, to_onnxarray(np.ones((1, 3), np.int64)), axis=1)
    with pytest.raises(ValueError, match="repeat"):
        oxp.repeat(x, to_onnxarray(np.ones(2, np.int64)), axis=1)
    with pytest.raises(ValueError, match="repeat"):
        oxp.repeat(x, 2, axis=2)


@given(x=arrays(max_side=3), dyn=dynamic, data=st.data())
def test_tile(x, dyn, data):
    reps = tuple(data.draw(st.lists(st.integers(0, 3), max_size=4)))
    check(lambda xp, a: xp.tile(a, reps), x, dynamic=dyn)


def test_tile_errors():
    with pytest.raises(ValueError, match="tile"):
        oxp.tile(to_onnxarray(np.ones(2)), (-1,))


def test_transposes_and_T():
    x = np.arange(6, dtype=np.int64).reshape(2, 3)
    check(lambda xp, a: a.T, x)
    check(lambda xp, a: a.mT, np.ones((2, 3, 4), np.float32))
    with pytest.raises(ValueError, match="T"):
        _ = to_onnxarray(np.ones((2, 2, 2))).T


@pytest.mark.parametrize("name,args", [
    ("flip", {"axis": 2}), ("flip", {"axis": (0, 0)}), ("roll", {"shift": 1, "axis": (0, 2)}),
    ("flip", {"axis": 0, "x": ()}), ("roll", {"shift": 1, "axis": 0, "x": ()}),
])
def test_axis_errors(name, args):
    x = to_onnxarray(np.ones(args.pop("x", (2, 3))))
    with pytest.raises(ValueError, match=name):
        if name == "roll":
            oxp.roll(x, args["shift"], axis=args["axis"])
        else:
            getattr(oxp, name)(x, **args)


def test_non_array_inputs():
    for f, args in [(oxp.flip, ()), (oxp.reshape, ((2,),)), (oxp.squeeze, (0,)),
                    (oxp.tile, ((1,),))]:
        with pytest.raises(TypeError):
            f([1, 2], *args)


def test_exported_graph_has_no_shape_ops_for_static_shapes():
    """Known shapes are computed in Python: a static roll is two slices and a concat."""
    model = export(lambda xp, a: xp.roll(a, 1, axis=0), np.ones((3, 2), np.float32),
                   dynamic=False)
    ops = [n.op_type for n in model.graph.node]
    assert "Shape" not in ops


def check_mixed(fn, *arrays):
    """Eager == exported when only the first dim of each input is unknown while recording."""
    eager = [np.asarray(o) for o in _flatten(fn(oxp, *[to_onnxarray(a) for a in arrays]))]
    args = {f"x{i}": oxp.argument(shape=(("N",) + a.shape[1:]) if a.ndim else (),
                                  dtype=oxp._dtypes.BY_NUMPY[a.dtype])
            for i, a in enumerate(arrays)}
    outs = _flatten(fn(oxp, *args.values()))
    model = oxp.build(args, {f"y{i}": o for i, o in enumerate(outs)})
    ran = run_model(model, {f"x{i}": a for i, a in enumerate(arrays)})
    for r, e in zip(ran, eager):
        assert_identical(r, e, "exported with a mixed shape vs eager")


def _flatten(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


@pytest.mark.parametrize("fn", [
    lambda xp, a: xp.roll(a, 2, axis=1),
    lambda xp, a: xp.roll(a, (1, -1), axis=(0, 2)),
    lambda xp, a: xp.roll(a, 5),
    lambda xp, a: xp.flip(a, axis=(0, -1)),
    lambda xp, a: xp.reshape(a, (-1, 4)),
    lambda xp, a: xp.reshape(a, (-1,)),
    lambda xp, a: xp.repeat(a, 2, axis=0),
    lambda xp, a: xp.repeat(a, 3, axis=2),
    lambda xp, a: xp.repeat(a, 0, axis=1),
    lambda xp, a: xp.repeat(a, 2),
    lambda xp, a: xp.tile(a, (2, 1, 3)),
    lambda xp, a: xp.tile(a, (2, 1, 1, 2)),
    lambda xp, a: xp.unstack(a, axis=1),
    lambda xp, a: xp.stack([a, a], axis=-1),
    lambda xp, a: xp.concat([a, a], axis=0),
    lambda xp, a: xp.concat([a, a], axis=None),
    lambda xp, a: xp.expand_dims(a, axis=(0, -1)),
    lambda xp, a: xp.squeeze(xp.expand_dims(a, axis=1), axis=1),
    lambda xp, a: xp.moveaxis(a, 0, -1),
    lambda xp, a: xp.broadcast_to(a[:, :1, :], (3, 2, 3, 4)),
    lambda xp, a: xp.broadcast_arrays(a, a[:1, :, :1]),
])
@pytest.mark.parametrize("n", [0, 1, 3])
def test_mixed_known_and_unknown_dims(fn, n):
    x = np.arange(n * 3 * 4, dtype=np.float32).reshape(n, 3, 4)
    try:
        fn(oxp, to_onnxarray(x))
    except ValueError:
        return  # e.g. broadcast_to a fixed leading size that this n does not match
    check_mixed(fn, x)


def test_repeat_with_symbolic_repeats():
    """Array repeats give a data-dependent size, unknown while recording."""
    x = oxp.argument(shape=(3,), dtype=oxp.int64)
    r = oxp.argument(shape=(3,), dtype=oxp.int32)
    y = oxp.repeat(x, r)
    assert known(y.shape) == (None,)
    model = oxp.build({"x": x, "r": r}, {"y": y})
    (out,) = run_model(model, {"x": np.array([5, 6, 7]), "r": np.array([2, 0, 3], np.int32)})
    np.testing.assert_array_equal(out, [5, 5, 7, 7, 7])


def test_broadcast_to_zero_size_from_unknown_dim():
    """An unknown size of 1 broadcast to 0 gives an empty result in the exported model."""
    x = oxp.argument(shape=("N", 2), dtype=oxp.float64)
    y = oxp.broadcast_to(oxp.expand_dims(x, axis=0), (0, 1, 2))
    model = oxp.build({"x": x}, {"y": oxp.reshape(y, (-1,))})
    (out,) = run_model(model, {"x": np.ones((1, 2))})
    assert out.shape == (0,)
