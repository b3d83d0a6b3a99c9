"""Compiled-session caches: bounded, least recently used out first, configurable, thread-safe."""

import logging
import threading

import numpy as np
import pytest
from parity import assert_identical, to_onnxarray

import onnxarray as xp
from onnxarray import _caches, _executor, _ops, _plans

pytestmark = pytest.mark.usefixtures("sync_plans")  # plans on the promoting call


@pytest.fixture
def limits():
    """Restore the library's limits after a test that changes them."""
    before = xp.cache_limits()
    yield
    xp.cache_limits(**before)


def test_defaults_are_documented_and_readable():
    assert xp.cache_limits() == _caches.DEFAULT_LIMITS
    for name, value in _caches.DEFAULT_LIMITS.items():
        assert f"``{name}`` (default {value})" in " ".join(xp.cache_limits.__doc__.split())


def test_least_recently_used_entry_goes_first(limits):
    xp.cache_limits(jit=3)
    cache = _caches.LRUCache("jit")
    for k in "abc":
        cache.put(k, k.upper())
    assert cache.get("a") == "A"  # a is now the most recently used
    cache.put("d", "D")
    assert "b" not in cache and [k in cache for k in "acd"] == [True, True, True]
    assert cache.put("c", "other") == "C"  # an entry stored first is kept and returned
    cache.put("e", "E")
    assert "a" not in cache and len(cache) == 3  # c was refreshed by put, a was older


def test_limits_validate_and_shrink_at_once(limits):
    cache = _caches.LRUCache("plans")
    for i in range(10):
        cache.put(i, i)
    assert xp.cache_limits(plans=4)["plans"] == 4
    assert len(cache) == 4 and all(i in cache for i in range(6, 10))
    for bad in (-1, 2.0, True, "3"):
        with pytest.raises(ValueError, match="cache_limits: plans must be a non-negative int"):
            xp.cache_limits(plans=bad)
    assert xp.cache_limits()["plans"] == 4


def test_eager_sessions_stay_bounded_and_correct(limits):
    xp.cache_limits(sessions=4)
    assert len(_executor._sessions) <= 4
    for rank in range(1, 9):  # 8 signatures through a cache of 4
        a = np.full((1,) * rank, 2.0)
        out = _ops.binary("Mul", _ops.const(a, xp.float64), _ops.const(a, xp.float64))
        np.testing.assert_array_equal(out.data, a * a)
        assert len(_executor._sessions) <= 4


def test_plans_stay_bounded_and_zero_turns_them_off(limits):
    xp.cache_limits(plans=2)
    arrays = [to_onnxarray(np.arange(float(n))) for n in (3, 4, 5)]
    expected = np.asarray(xp.exp.__wrapped_plain__(arrays[0]))
    for a in arrays:
        for _ in range(_plans.PROMOTE_AFTER):
            xp.exp(a)
    assert [_plans.has_plan(xp.exp, (a,)) for a in arrays] == [False, True, True]
    xp.cache_limits(plans=0)
    assert len(_plans._plans) == 0
    for _ in range(_plans.PROMOTE_AFTER + 1):
        out = xp.exp(arrays[0])
    assert not _plans.has_plan(xp.exp, (arrays[0],))
    assert_identical(np.asarray(out), expected, "exp without plans")


def test_jit_cache_is_bounded_per_function(limits):
    xp.cache_limits(jit=2)
    f = xp.jit(lambda x: x * 2.0)
    for n in range(1, 6):
        np.testing.assert_array_equal(np.asarray(f(to_onnxarray(np.ones(n)))), np.full(n, 2.0))
        assert f.cache_size() == min(n, 2)


def test_caches_are_consistent_under_threads(limits):
    xp.cache_limits(jit=8)
    cache = _caches.LRUCache("jit")
    errors = []

    def work(seed):
        rng = np.random.default_rng(seed)
        for k in rng.integers(0, 32, 3000):
            k = int(k)
            got = cache.put(k, ("v", k))
            if got != ("v", k) or cache.get(k, ("v", k)) != ("v", k) or len(cache) > 8:
                errors.append(k)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(cache) <= 8


def test_session_runner_prefers_the_inner_run_and_falls_back_to_the_public_one():
    model = _executor._one_node_model("Add", "", (), [xp.float64, xp.float64], [1, 1],
                                      [xp.float64])
    sess = _executor.session_for_model(model)

    class PublicOnly:  # what a session without the private attribute looks like
        def __init__(self, s):
            self.run = s.run

    fast = _executor.session_runner(sess)
    public = _executor.session_runner(PublicOnly(sess))
    assert public == sess.run and fast != sess.run
    feeds = {"i0": np.array([1.0, -0.0]), "i1": np.array([2.0, -0.0])}
    for run in (fast, public):
        (out,) = run(["o0"], feeds, _executor.RUN_OPTIONS)
        assert_identical(out, np.array([3.0, -0.0]), "session run")


def test_a_plan_that_fails_to_compile_logs_why(caplog):
    def fragile(x):
        if x.is_symbolic:
            raise RuntimeError("cannot trace this")
        return x + 1.0

    def picky(x):
        if x.is_symbolic:
            raise ValueError("picky: a check on the arguments")
        return x + 1.0

    a = to_onnxarray(np.ones(3))
    cases = ((fragile, logging.WARNING, "RuntimeError: cannot trace this"),
             (picky, logging.DEBUG, "ValueError: picky: a check on the arguments"))
    for fn, level, why in cases:
        wrapped = _plans.planned(fn)
        with caplog.at_level(logging.DEBUG, logger="onnxarray.plans"):
            for _ in range(_plans.PROMOTE_AFTER + 2):
                np.testing.assert_array_equal(np.asarray(wrapped(a)), np.full(3, 2.0))
        (record,) = caplog.records  # logged once: the signature is remembered
        assert record.levelno == level and fn.__name__ in record.getMessage()
        assert why in record.getMessage()
        assert _plans.has_plan(wrapped, (a,)) is False
        caplog.clear()
