"""matmul, matrix_transpose, tensordot, vecdot: parity on concrete and symbolic inputs, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from parity import check, export, to_onnxarray

import onnxarray as oxp

INTS = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64]
FLOATS = [np.float32, np.float64]
NUMERIC = INTS + FLOATS
# promotable pairs across widths and signedness
PAIRS = [(np.int8, np.int32), (np.uint8, np.int16), (np.uint16, np.uint64),
         (np.float32, np.float64), (np.int64, np.int64)]


def elements(dt):
    # integer-valued floats keep sums exact, so summation order cannot matter; integers use
    # their full range so that wrap-around is exercised
    return st.integers(-8, 8) if np.dtype(dt).kind == "f" else None


def array(dt, shape):
    return hnp.arrays(dt, shape, elements=elements(dt))


def dtype_pair():
    return st.sampled_from(NUMERIC).map(lambda d: (d, d)) | st.sampled_from(PAIRS)


@st.composite
def matmul_shapes(draw):
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, min_side=0,
                                                   max_side=3))
    m, k, n = (draw(st.integers(0, 3)) for _ in range(3))
    s1 = (k,) if draw(st.booleans()) else batch.input_shapes[0] + (m, k)
    s2 = (k,) if draw(st.booleans()) else batch.input_shapes[1] + (k, n)
    return s1, s2


@given(shapes=matmul_shapes(), dtypes=dtype_pair(), dyn=st.booleans(), data=st.data())
def test_matmul(shapes, dtypes, dyn, data):
    a = data.draw(array(dtypes[0], shapes[0]))
    b = data.draw(array(dtypes[1], shapes[1]))
    check(lambda xp, x, y: xp.matmul(x, y), a, b, dynamic=dyn)


def test_matmul_operator_and_mixed_dims():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    w = np.arange(3, dtype=np.float32)
    check(lambda xp, x, y: x @ y, a, w)
    check(lambda xp, x, y: y @ xp.matrix_transpose(x), a, w)


def test_matmul_vector_right_operand_is_a_column():
    """MatMul with a 1-D right operand is much slower in onnxruntime than with a (k, 1) one."""
    model = export(lambda xp, x, y: xp.matmul(x, y), np.ones((4, 3), np.float32),
                   np.ones(3, np.float32))
    shapes = {vi.name: vi for vi in model.graph.value_info}
    mm = [n for n in model.graph.node if n.op_type == "MatMul"]
    assert len(mm) == 1
    right = mm[0].input[1]
    producer = [n for n in model.graph.node if right in n.output]
    assert producer and producer[0].op_type == "Unsqueeze", shapes


def test_matmul_integer_with_float_gives_the_float_dtype():
    """Mixed-kind promotion as in JAX and PyTorch (docs/dtypes-and-opsets.md)."""
    f = to_onnxarray(np.arange(6.0, dtype=np.float32).reshape(2, 3))
    i = np.arange(6, dtype=np.int64).reshape(3, 2)
    got = oxp.matmul(f, to_onnxarray(i))
    assert got.dtype == oxp.float32
    np.testing.assert_array_equal(np.asarray(got), np.asarray(f) @ i.astype(np.float32))


def test_matmul_errors():
    f = to_onnxarray(np.ones((2, 3)))
    with pytest.raises(TypeError, match="matmul"):
        oxp.matmul(to_onnxarray(np.ones((2, 2), bool)), to_onnxarray(np.ones((2, 2), bool)))
    with pytest.raises(TypeError, match="matmul"):
        oxp.matmul(f, to_onnxarray(np.ones((3, 2), bool)))
    with pytest.raises(ValueError, match="matmul"):
        oxp.matmul(f, f)
    with pytest.raises(ValueError, match="matmul"):
        oxp.matmul(f, to_onnxarray(np.ones(2)))
    with pytest.raises(ValueError, match="matmul"):
        oxp.matmul(to_onnxarray(np.float64(2)), f)
    with pytest.raises(ValueError, match="matmul"):
        oxp.matmul(to_onnxarray(np.ones((2, 2, 3))), to_onnxarray(np.ones((3, 3, 2))))


@given(x=st.sampled_from(NUMERIC + [np.bool_]).flatmap(lambda dt: hnp.arrays(
    dt, hnp.array_shapes(min_dims=2, max_dims=4, min_side=0, max_side=3))), dyn=st.booleans())
def test_matrix_transpose(x, dyn):
    check(lambda xp, a: xp.matrix_transpose(a), x, dynamic=dyn)


def test_matrix_transpose_errors():
    with pytest.raises(ValueError, match="matrix_transpose"):
        oxp.matrix_transpose(to_onnxarray(np.ones(3)))


@st.composite
def tensordot_case(draw):
    nc = draw(st.integers(0, 2))  # contracted axes
    contracted = [draw(st.integers(0, 3)) for _ in range(nc)]
    free1 = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3))
    free2 = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=0, max_side=3))
    if draw(st.booleans()):
        return free1 + tuple(contracted), tuple(contracted) + free2, nc
    # explicit axes, in any order and position
    n1, n2 = len(free1) + nc, len(free2) + nc
    pos1 = draw(st.permutations(range(n1)))[:nc]
    pos2 = draw(st.permutations(range(n2)))[:nc]
    s1, s2 = list(free1), list(free2)
    for p, c in sorted(zip(pos1, contracted)):
        s1.insert(p, c)
    for p, c in sorted(zip(pos2, contracted)):
        s2.insert(p, c)
    # the i-th listed axes must match: order the pairs by contracted size
    ax1 = [p for p, _ in sorted(zip(pos1, contracted))]
    ax2 = [p for p, _ in sorted(zip(pos2, contracted))]
    c1 = [s1[p] for p in ax1]
    order2 = []
    remaining = list(ax2)
    for c in c1:
        j = next(p for p in remaining if s2[p] == c)
        remaining.remove(j)
        order2.append(j)
    neg = draw(st.booleans())
    axes = (tuple(p - n1 if neg else p for p in ax1), tuple(order2))
    return tuple(s1), tuple(s2), axes


@given(case=tensordot_case(), dtypes=dtype_pair(), dyn=st.booleans(), data=st.data())
def test_tensordot(case, dtypes, dyn, data):
    s1, s2, axes = case
    a = data.draw(array(dtypes[0], s1))
    b = data.draw(array(dtypes[1], s2))
    check(lambda xp, x, y: xp.tensordot(x, y, axes=axes), a, b, dynamic=dyn)


def test_tensordot_errors():
    a = to_onnxarray(np.ones((2, 3)))
    b = to_onnxarray(np.ones((3, 4)))
    with pytest.raises(ValueError, match="tensordot"):
        oxp.tensordot(a, b, axes=3)
    with pytest.raises(ValueError, match="tensordot"):
        oxp.tensordot(a, b, axes=-1)
    with pytest.raises(ValueError, match="tensordot"):
        oxp.tensordot(a, b, axes=2)
    with pytest.raises(ValueError, match="tensordot"):
        oxp.tensordot(a, b, axes=((0, 1), (0,)))
    with pytest.raises(ValueError, match="tensordot"):
        oxp.tensordot(a, b, axes=((2,), (0,)))
    with pytest.raises(ValueError, match="tensordot"):
        oxp.tensordot(a, a, axes=((0, 0), (0, 0)))
    with pytest.raises(TypeError, match="tensordot"):
        oxp.tensordot(a, to_onnxarray(np.ones((3, 4), bool)), axes=1)


@st.composite
def vecdot_case(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                    min_side=0, max_side=3))
    k = draw(st.integers(0, 3))
    s1, s2 = list(shapes.input_shapes[0]), list(shapes.input_shapes[1])
    n = min(len(s1), len(s2)) + 1
    axis = draw(st.integers(-n, -1))
    s1.insert(len(s1) + axis + 1, k)
    s2.insert(len(s2) + axis + 1, k)
    return tuple(s1), tuple(s2), axis


@given(case=vecdot_case(), dtypes=dtype_pair(), dyn=st.booleans(), data=st.data())
def test_vecdot(case, dtypes, dyn, data):
    s1, s2, axis = case
    a = data.draw(array(dtypes[0], s1))
    b = data.draw(array(dtypes[1], s2))
    check(lambda xp, x, y: xp.vecdot(x, y, axis=axis), a, b, dynamic=dyn)


def test_vecdot_errors():
    a = to_onnxarray(np.ones((2, 3)))
    with pytest.raises(ValueError, match="vecdot"):
        oxp.vecdot(a, to_onnxarray(np.ones(2)))
    with pytest.raises(ValueError, match="vecdot"):
        oxp.vecdot(a, to_onnxarray(np.ones((2, 1))))  # the contracted axis must not broadcast
    with pytest.raises(ValueError, match="vecdot"):
        oxp.vecdot(a, a, axis=0)
    with pytest.raises(ValueError, match="vecdot"):
        oxp.vecdot(a, a, axis=-3)
    with pytest.raises(ValueError, match="vecdot"):
        oxp.vecdot(a, to_onnxarray(np.ones((3, 3))), axis=-1)
    with pytest.raises(TypeError, match="vecdot"):
        oxp.vecdot(a, to_onnxarray(np.ones((2, 3), bool)))
