"""jit: one trace and one session per input signature, results identical to eager."""

import numpy as np
import pytest
from parity import assert_identical, to_onnxarray

import onnxarray as xp


def softmax_rows(x, scale=1.0):
    z = x * scale
    z = z - xp.max(z, axis=1, keepdims=True)
    e = xp.exp(z)
    return e / xp.sum(e, axis=1, keepdims=True)


def test_jit_matches_eager_and_caches_per_signature():
    f = xp.jit(softmax_rows)
    rng = np.random.default_rng(0)
    for shape in [(3, 4), (3, 4), (5, 4), (3, 4)]:
        a = to_onnxarray(rng.normal(size=shape))
        assert_identical(np.asarray(f(a)), np.asarray(softmax_rows(a)), "jit vs eager")
    assert f.cache_size() == 2
    f(a, 2.0)
    f(a, scale=2.0)
    assert f.cache_size() == 4
    f(to_onnxarray(rng.normal(size=(3, 4)).astype(np.float32)))
    assert f.cache_size() == 5


def test_jit_returns_tuples_and_records_inline_when_symbolic():
    @xp.jit
    def stats(x):
        return xp.min(x), xp.max(x)

    lo, hi = stats(to_onnxarray(np.array([3.0, -1.0, 2.0])))
    assert float(lo) == -1.0 and float(hi) == 3.0
    x = xp.argument(shape=("N",), dtype=xp.float64)
    lo_s, hi_s = stats(x)
    assert lo_s.is_symbolic and hi_s.is_symbolic


def test_jit_errors():
    with pytest.raises(TypeError, match="jit: expected a callable"):
        xp.jit(3)
    f = xp.jit(lambda x: [1, 2])
    with pytest.raises(TypeError, match="jit: the function must return"):
        f(to_onnxarray(np.ones(2)))
    g = xp.jit(lambda x, opts: x)
    with pytest.raises(TypeError, match="hashable"):
        g(to_onnxarray(np.ones(2)), {"opt": 1})


@pytest.mark.parametrize("fn, data", [
    # onnxruntime's NoopElimination would drop the Add of a subnormal imaginary constant
    (lambda a: a + (3.25 + 1e-310j), np.array([-0.07 + 0j])),
    (lambda a: a * (1 + 2.0**-52), np.array([1.5, -0.0, 5e-324])),
    (lambda a: a - 1e-310, np.array([0.0, -0.0, 1e-309])),
    # a division whose real part is a signed zero
    (lambda a: (-0.0 + 0j) / a, np.array([17 - 0.001j], np.complex64)),
])
def test_jit_gives_the_bits_of_op_by_op(fn, data):
    x = to_onnxarray(data)
    assert_identical(np.asarray(xp.jit(fn)(x)), np.asarray(fn(x)), "jit vs op by op")
