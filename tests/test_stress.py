"""Threads and memory: 8 threads mixing eager calls, plans, jit, tracing and builds give the
single-threaded results bit for bit; 100,000-scale eager calls with varying shapes keep memory
flat (the bounded caches).

The budgets are CI-sized; ``ONNXARRAY_STRESS=long`` runs the threads for a minute and the
memory test for 100,000 calls. Both print their figures (``pytest -s`` shows them).
"""

import os
import resource
import subprocess
import sys
import threading
import time

import numpy as np
import onnxruntime as ort
import pytest
from parity import to_onnxarray

import onnxarray as xp
from onnxarray import _executor, _plans

LONG = os.environ.get("ONNXARRAY_STRESS", "") == "long"
THREAD_SECONDS = 60.0 if LONG else 8.0
EAGER_CALLS = 100_000 if LONG else 6_000


@pytest.fixture
def small_caches():
    """Small limits, so that eviction happens all the time while the threads run."""
    before = xp.cache_limits()
    xp.cache_limits(sessions=48, plans=12, plan_candidates=64, jit=3)
    yield
    xp.cache_limits(**before)


def _softmax(x, y):
    z = x - xp.max(x, axis=-1, keepdims=True)
    e = xp.exp(z)
    return e / xp.sum(e, axis=-1, keepdims=True) + y


def _mlp(x, y):
    return xp.maximum(x @ xp.matrix_transpose(y), 0.0) * 0.5


def _signs(x, y):
    return xp.where(xp.signbit(y), xp.minimum(x, y), xp.copysign(x, y))


def _stats(x, y):
    return xp.stack([xp.mean(x, axis=0), xp.std(y, axis=0), xp.max(x - y, axis=0)])


def _indexing(x, y):
    out = xp.sort(x, axis=-1)[..., ::2]
    return xp.concat([out, xp.cumulative_sum(y, axis=-1)[..., 1:2]], axis=-1)


PROGRAMS = [_softmax, _mlp, _signs, _stats, _indexing]


def _inputs(rng, k: int):
    shape = [(2, 3), (4, 5), (1, 7), (3, 3)][k % 4]
    dtype = [np.float64, np.float32][k % 2]
    x = rng.normal(size=shape).astype(dtype)
    y = rng.normal(size=shape).astype(dtype)
    x.flat[0], y.flat[-1] = -0.0, np.nan
    return x, y


def _bits(a) -> bytes:
    a = np.ascontiguousarray(np.asarray(a))
    return a.dtype.str.encode() + str(a.shape).encode() + a.tobytes()


def _exported(fn, x, y) -> np.ndarray:
    dt = xp.float32 if x.dtype == np.float32 else xp.float64
    ax = xp.argument(shape=("n", x.shape[1]), dtype=dt)
    ay = xp.argument(shape=("n", x.shape[1]), dtype=dt)
    model = xp.build({"x": ax, "y": ay}, {"out": fn(ax, ay)}, opset=_executor.eager_opset())
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    so.intra_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), so,
                                providers=["CPUExecutionProvider"]).run(None, {"x": x, "y": y})[0]


def test_threads_mixing_eager_plans_jit_and_builds(small_caches):
    rng = np.random.default_rng(0)
    cases = [(fn, *_inputs(rng, k)) for fn in PROGRAMS for k in range(4)]
    # single-threaded references: op by op
    expected = [_bits(fn(to_onnxarray(x), to_onnxarray(y))) for fn, x, y in cases]
    jitted = [xp.jit(fn) for fn in PROGRAMS]
    counts = {"eager": 0, "jit": 0, "build": 0}
    failures: list[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + THREAD_SECONDS

    def worker(seed: int) -> None:
        local = np.random.default_rng(seed)
        done = dict.fromkeys(counts, 0)
        try:
            while time.monotonic() < deadline and not failures:
                i = int(local.integers(len(cases)))
                fn, x, y = cases[i]
                mode = ("eager", "eager", "jit", "build")[int(local.integers(4))]
                if mode == "eager":  # repeated calls of one signature: some run as plans
                    got = fn(to_onnxarray(x), to_onnxarray(y))
                elif mode == "jit":
                    got = jitted[PROGRAMS.index(fn)](to_onnxarray(x), to_onnxarray(y))
                else:
                    got = _exported(fn, x, y)
                if _bits(got) != expected[i]:
                    failures.append(f"{fn.__name__} {x.dtype}{x.shape} {mode}")
                done[mode] += 1
        except Exception as exc:  # noqa: BLE001 - reported below with the thread's case
            failures.append(f"thread {seed}: {type(exc).__name__}: {exc}")
        with lock:
            for k, v in done.items():
                counts[k] += v

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"\n8 threads for {THREAD_SECONDS:.0f} s: {counts}, plans now {_plans.plan_count()}")
    assert not failures, failures[:5]
    assert all(counts.values())
    limits = xp.cache_limits()
    assert len(_executor._sessions) <= limits["sessions"]
    assert len(_plans._plans) <= limits["plans"] and len(_plans._seen) <= limits[
        "plan_candidates"]


def _rss_mb() -> float:
    """Resident memory now (Linux), else the peak."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_memory_stays_flat_over_eager_calls_with_varying_shapes():
    """Most calls have a shape never seen before (each leaves a plan candidate behind), every
    eighth repeats one of more signatures than the plan cache holds (plans are compiled and
    evicted); ranks and dtypes vary (eager sessions). Without bounds the candidates alone
    would grow by one entry per call. The CI-sized run uses small limits so that the caches
    are full after the warm-up; the long run uses the default limits.

    It runs in a fresh interpreter: in the test process the RSS also moves with whatever the
    tests before it left to the allocator and the background compile thread."""
    code = (f"import sys; sys.path.insert(0, {os.path.dirname(__file__)!r}); "
            "import test_stress; test_stress._memory_in_this_process()")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=1800)
    print(done.stdout)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]


def _memory_in_this_process():
    before_limits = xp.cache_limits()
    if not LONG:
        xp.cache_limits(plans=24, plan_candidates=512)
    try:
        _eager_calls_with_varying_shapes()
    finally:
        xp.cache_limits(**before_limits)


def _eager_calls_with_varying_shapes():
    rng = np.random.default_rng(1)
    limits = xp.cache_limits()
    dtypes = [np.float64, np.float32, np.int64]
    funcs = [xp.add, xp.multiply, xp.maximum]
    repeated = [to_onnxarray(np.ones((1 + k, 2), dtypes[k % 3]))
                for k in range(limits["plans"] * 5 // 4)]

    def call(i: int) -> None:
        if i % 8 == 0:
            a = repeated[int(rng.integers(len(repeated)))]
        else:
            shape = tuple(int(d) for d in rng.integers(1, 40, size=1 + i % 3))
            a = to_onnxarray(np.ones(shape, dtypes[i % 3]))
        out = funcs[i % 3](a, a)
        assert out.shape == a.shape

    checkpoints = [int(EAGER_CALLS * f) for f in (0.4, 0.7, 1.0)]
    rss, done = [], 0
    start = time.perf_counter()
    for stop in checkpoints:
        for i in range(done, stop):
            call(i)
        done = stop
        rss.append(_rss_mb())
    seconds = time.perf_counter() - start
    print(f"\n{EAGER_CALLS} eager calls in {seconds:.1f} s; RSS after "
          + ", ".join(f"{c}: {r:.1f} MB" for c, r in zip(checkpoints, rss))
          + f"; caches: {len(_executor._sessions)} sessions, {len(_plans._plans)} plans, "
          f"{len(_plans._seen)} candidates; limits {limits}")
    assert len(_plans._seen) <= limits["plan_candidates"]
    assert len(_plans._plans) <= limits["plans"]
    assert rss[-1] - rss[0] < 16.0, f"RSS grew from {rss[0]:.1f} MB to {rss[-1]:.1f} MB"
