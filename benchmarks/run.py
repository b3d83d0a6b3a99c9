"""onnxarray benchmarks: ratios against NumPy, bare onnxruntime and ndonnx, measured in one run.

Run with ``nox -s bench`` (or ``python benchmarks/run.py [--quick]``). Prints one table per
section with medians and ratios, each target marked met or missed, and writes
``benchmarks/results/latest.json``. Absolute times depend on the machine; the ratios are the
result.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

import onnxarray as xp

# scikit-learn's array API dispatch needs SciPy's array API support, read at SciPy import.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

# Every side of every comparison runs on one thread, NumPy's BLAS included: its threads also
# keep spinning after a call, taking the cores from whatever is timed next (the MLP export,
# timed right after NumPy's matmul, measured 2.2-2.9x the hand-written model on 2 shared cores,
# 1.0-1.15x with BLAS on one thread).
try:
    from threadpoolctl import threadpool_limits
except ImportError:  # scikit-learn brings it; without it BLAS keeps its threads
    pass
else:
    threadpool_limits(1)

try:
    import ndonnx as ndx
except ImportError:  # the bench session installs it; elsewhere its columns are empty
    ndx = None

RESULTS: dict = {}
ROWS: list[tuple] = []


# -- timing -------------------------------------------------------------------------------------


def median_time(fn, *, number: int, repeat: int) -> float:
    """Median seconds per call over ``repeat`` rounds of ``number`` calls (after a warm-up)."""
    for _ in range(max(1, number // 10)):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter_ns()
        for _ in range(number):
            fn()
        times.append((time.perf_counter_ns() - t0) / number)
    return statistics.median(times) * 1e-9


# How rounds are summarised: the median, or with --min (for a machine shared with other
# work, where the median measures the neighbours) the fastest round.
SUMMARY = {"of": statistics.median}
# The clock of the interleaved comparisons and of tracing: wall time, or with --cpu the CPU
# time of the calling thread (onnxruntime runs the single-threaded sessions in it), which a
# machine shared with other work inflates less.
CLOCK = {"ns": time.perf_counter_ns}


def interleaved(fns: dict, *, number: int, repeat: int) -> dict:
    """Time of each function (median or fastest round, see SUMMARY), measured in alternating
    rounds so drift hits all alike."""
    for fn in fns.values():
        for _ in range(max(1, number // 10)):
            fn()
    samples = {k: [] for k in fns}
    clock = CLOCK["ns"]
    for _ in range(repeat):
        for k, fn in fns.items():
            t0 = clock()
            for _ in range(number):
                fn()
            samples[k].append((clock() - t0) / number)
    return {k: SUMMARY["of"](v) * 1e-9 for k, v in samples.items()}


def fmt_t(sec: float | None) -> str:
    if sec is None:
        return "n/a"
    if sec < 1e-3:
        return f"{sec * 1e6:8.1f} us"
    if sec < 1:
        return f"{sec * 1e3:8.2f} ms"
    return f"{sec:8.2f} s "


def target(name: str, value, ok: bool | None, goal: str) -> None:
    ROWS.append((name, value, "met" if ok else ("MISSED" if ok is False else "n/a"), goal))


# -- 1. eager latency ---------------------------------------------------------------------------

SESSION_OPTIONS = ort.SessionOptions()
SESSION_OPTIONS.intra_op_num_threads = 1
SESSION_OPTIONS.inter_op_num_threads = 1
SESSION_OPTIONS.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL


def one_node_session(op, inputs: dict, consts: dict, out_type, attrs=None, n_out=1):
    """A cached session of one ONNX node: the floor any eager library pays per op. ``op`` may
    also be an onnxarray function whose lowering is a composite: then the floor is the model
    onnxarray builds for it (at the opset of its eager sessions), run bare."""
    if callable(op):
        from onnxarray._executor import eager_opset

        args = {k: xp.argument(shape=v.shape, dtype=xp.asarray(v).dtype)
                for k, v in inputs.items()}
        model = xp.build(args, {"o": op(*args.values())}, opset=eager_opset())
        sess = ort.InferenceSession(model.SerializeToString(), SESSION_OPTIONS,
                                    providers=["CPUExecutionProvider"])
        return lambda: sess.run(None, inputs)
    ins = [helper.make_tensor_value_info(k, helper.np_dtype_to_tensor_dtype(v.dtype),
                                         [None] * v.ndim) for k, v in inputs.items()]
    inits = [numpy_helper.from_array(v, k) for k, v in consts.items()]
    outs = [f"o{i}" for i in range(n_out)]
    node = helper.make_node(op, list(inputs) + list(consts), outs, **(attrs or {}))
    out_vi = [helper.make_tensor_value_info(o, out_type if i == 0 else TensorProto.INT64, None)
              for i, o in enumerate(outs)]
    graph = helper.make_graph([node], "floor", ins, out_vi, initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=8)
    sess = ort.InferenceSession(model.SerializeToString(), SESSION_OPTIONS,
                                providers=["CPUExecutionProvider"])
    return lambda: sess.run(None, inputs)


def small_op_cases(shape):
    rng = np.random.default_rng(0)
    a = rng.random(shape)
    b = rng.random(shape)
    cond = a > 0.5
    n = a.size
    D = TensorProto.DOUBLE
    xa, xb, xc = xp.asarray(a), xp.asarray(b), xp.asarray(cond)
    na, nb_, nc = (ndx.asarray(a), ndx.asarray(b), ndx.asarray(cond)) if ndx else (None,) * 3
    last = a.ndim - 1
    cases = {
        "add": (lambda: np.asarray(xa + xb), lambda: a + b,
                lambda: (na + nb_).unwrap_numpy(),
                ("Add", {"a": a, "b": b}, {}, D, None)),
        "multiply": (lambda: np.asarray(xa * xb), lambda: a * b,
                     lambda: (na * nb_).unwrap_numpy(),
                     ("Mul", {"a": a, "b": b}, {}, D, None)),
        # exp is a position-independent composite (onnxruntime's Exp differs between its SIMD
        # body and scalar tail): its floor is a bare run of the model onnxarray runs.
        "exp": (lambda: np.asarray(xp.exp(xa)), lambda: np.exp(a),
                lambda: ndx.exp(na).unwrap_numpy(), (xp.exp, {"a": a}, {}, D, None)),
        "sum": (lambda: np.asarray(xp.sum(xa)), lambda: np.sum(a),
                lambda: ndx.sum(na).unwrap_numpy(),
                ("ReduceSum", {"a": a}, {"ax": np.arange(a.ndim)}, D, {"keepdims": 0})),
        "mean(axis)": (lambda: np.asarray(xp.mean(xa, axis=last)),
                       lambda: np.mean(a, axis=last),
                       lambda: ndx.mean(na, axis=last).unwrap_numpy(),
                       ("ReduceMean", {"a": a}, {"ax": np.array([last])}, D, {"keepdims": 0})),
        "matmul": (lambda: np.asarray(xp.matmul(xa, xb if a.ndim == 2 else xb)),
                   lambda: a @ b, lambda: (na @ nb_).unwrap_numpy(),
                   ("MatMul", {"a": a, "b": b}, {}, D, None)),
        "where": (lambda: np.asarray(xp.where(xc, xa, xb)), lambda: np.where(cond, a, b),
                  lambda: ndx.where(nc, na, nb_).unwrap_numpy(),
                  ("Where", {"c": cond, "a": a, "b": b}, {}, D, None)),
        "less": (lambda: np.asarray(xa < xb), lambda: a < b,
                 lambda: (na < nb_).unwrap_numpy(),
                 ("Less", {"a": a, "b": b}, {}, TensorProto.BOOL, None)),
        "reshape": (lambda: np.asarray(xp.reshape(xa, (-1,))), lambda: a.reshape(-1),
                    lambda: ndx.reshape(na, (-1,)).unwrap_numpy(),
                    ("Reshape", {"a": a}, {"s": np.array([-1])}, D, None)),
        "getitem slice": (lambda: np.asarray(xa[1:-1]), lambda: a[1:-1],
                          lambda: na[1:-1].unwrap_numpy(),
                          ("Slice", {"a": a}, {"s": np.array([1]), "e": np.array([-1]),
                                               "x": np.array([0])}, D, None)),
        "setitem": (lambda: _setitem(xp.asarray(a)), lambda: _setitem_np(a.copy()),
                    lambda: _setitem(ndx.asarray(a)).unwrap_numpy(),
                    ("ScatterND", {"a": a}, {"i": np.arange(min(2, a.shape[0]))[:, None],
                                             "u": np.ones((min(2, a.shape[0]),) + a.shape[1:])},
                     D, None)),
        "astype": (lambda: np.asarray(xp.astype(xa, xp.float32)), lambda: a.astype(np.float32),
                   lambda: ndx.astype(na, ndx.float32).unwrap_numpy(),
                   ("Cast", {"a": a}, {}, TensorProto.FLOAT, {"to": TensorProto.FLOAT})),
        "concat": (lambda: np.asarray(xp.concat([xa, xb])), lambda: np.concatenate([a, b]),
                   lambda: ndx.concat([na, nb_]).unwrap_numpy(),
                   ("Concat", {"a": a, "b": b}, {}, D, {"axis": 0})),
        "argsort": (lambda: np.asarray(xp.argsort(xa)), lambda: np.argsort(a, kind="stable"),
                    lambda: ndx.argsort(na).unwrap_numpy(),
                    ("TopK", {"a": a}, {"k": np.array([a.shape[-1]])}, TensorProto.DOUBLE,
                     {"axis": -1, "largest": 0, "sorted": 1})),
    }
    del n
    return cases


def _setitem(arr):
    arr[0:2] = 1.0
    return arr


def _setitem_np(arr):
    arr[0:2] = 1.0
    return arr


def bench_eager_small(quick: bool) -> None:
    number, repeat = (200, 5) if quick else (1000, 9)
    out = {}
    for shape in [(100,), (32, 32)]:
        for name, (ours, numpy_fn, ndonnx_fn, floor_spec) in small_op_cases(shape).items():
            op, inputs, consts, out_type, attrs = floor_spec
            n_out = 2 if op == "TopK" else 1
            floor = one_node_session(op, inputs, consts, out_type, attrs, n_out)
            t = interleaved({"onnxarray": ours, "floor": floor, "numpy": numpy_fn},
                            number=number, repeat=repeat)
            t_ndonnx = None
            if ndx is not None:
                try:
                    t_ndonnx = median_time(ndonnx_fn, number=max(3, number // 100), repeat=3)
                except Exception:  # noqa: BLE001 - the peer lacks some functions
                    t_ndonnx = None
            key = f"{name} {shape}"
            out[key] = {**t, "ndonnx": t_ndonnx,
                        "vs_floor": t["onnxarray"] / t["floor"],
                        "ndonnx_vs_ours": None if t_ndonnx is None else t_ndonnx / t["onnxarray"]}
    RESULTS["eager_small"] = out
    print("\n## 1. Eager latency per op (float64, result converted to NumPy)")
    print(f"{'op':28s} {'onnxarray':>11s} {'ORT floor':>11s} {'ratio':>6s} {'numpy':>11s} "
          f"{'ndonnx':>11s} {'ndonnx/ours':>11s}")
    worst = 0.0
    worst_ndonnx = None
    for key, r in out.items():
        nd = r["ndonnx_vs_ours"]
        print(f"{key:28s} {fmt_t(r['onnxarray'])} {fmt_t(r['floor'])} {r['vs_floor']:6.2f} "
              f"{fmt_t(r['numpy'])} {fmt_t(r['ndonnx'])} "
              f"{'n/a' if nd is None else f'{nd:10.0f}x'}")
        worst = max(worst, r["vs_floor"])
        if nd is not None:
            worst_ndonnx = nd if worst_ndonnx is None else min(worst_ndonnx, nd)
    target("eager op / ORT floor (worst op)", f"{worst:.2f}x", worst <= 1.5, "<= 1.5x")
    target("ndonnx / onnxarray eager (slowest ratio)",
           "n/a" if worst_ndonnx is None else f"{worst_ndonnx:.0f}x",
           None if worst_ndonnx is None else worst_ndonnx >= 100, ">= 100x")


# -- 2. large arrays ----------------------------------------------------------------------------


def bench_eager_large(quick: bool) -> None:
    n = 4_000_000
    a = np.random.default_rng(1).random(n, dtype=np.float32)
    b = np.random.default_rng(2).random(n, dtype=np.float32)
    xa, xb = xp.asarray(a), xp.asarray(b)
    repeat = 3 if quick else 7
    nbytes = a.nbytes
    cases = {
        "add": (lambda: np.asarray(xa + xb), lambda: a + b, 3 * nbytes),
        "exp": (lambda: np.asarray(xp.exp(xa)), lambda: np.exp(a), 2 * nbytes),
        "sum": (lambda: np.asarray(xp.sum(xa)), lambda: np.sum(a), nbytes),
        "sort": (lambda: np.asarray(xp.sort(xa)), lambda: np.sort(a), 2 * nbytes),
    }
    copy_t = median_time(lambda: a.copy(), number=5, repeat=repeat)
    out = {"memcpy_GBps": 2 * nbytes / copy_t / 1e9}
    print("\n## 2. Eager large arrays (float32, 4,000,000 elements)")
    print(f"plain memory copy: {out['memcpy_GBps']:.1f} GB/s")
    print(f"{'op':8s} {'onnxarray':>11s} {'numpy':>11s} {'GB/s ours':>10s} {'GB/s numpy':>10s} "
          f"{'throughput ratio':>17s}")
    worst = None
    for name, (ours, ref, moved) in cases.items():
        t = interleaved({"onnxarray": ours, "numpy": ref}, number=1 if name == "sort" else 5,
                        repeat=repeat)
        ratio = t["numpy"] / t["onnxarray"]
        out[name] = {**t, "throughput_ratio": ratio, "GBps": moved / t["onnxarray"] / 1e9,
                     "numpy_GBps": moved / t["numpy"] / 1e9}
        if name != "sort":  # the target covers add, exp and sum; sort is reported
            worst = ratio if worst is None else min(worst, ratio)
        print(f"{name:8s} {fmt_t(t['onnxarray'])} {fmt_t(t['numpy'])} "
              f"{out[name]['GBps']:10.2f} {out[name]['numpy_GBps']:10.2f} {ratio:16.2f}x")
    RESULTS["eager_large"] = out
    target("large-array throughput vs numpy (add/exp/sum)", f"{worst:.2f}x", worst >= 0.8,
           ">= 0.8x")


# -- 3. tracing and building --------------------------------------------------------------------


def trace_chain(n: int):
    """``n`` elementwise ops recorded on a symbolic float32 array."""
    x = xp.argument(shape=("N",), dtype=xp.float32)
    y = x
    for i in range(n):
        y = y + 1.0 if i % 2 == 0 else y * 0.5
    return x, y


def _time_trace(n: int, repeat: int) -> float:
    """Best seconds per recorded op over ``repeat`` traces of ``n`` ops, with the collector as
    the user has it (the previous trace is collected first, so each starts alike)."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = CLOCK["ns"]()
        x, y = trace_chain(n)
        best = min(best, (CLOCK["ns"]() - t0) * 1e-9 / n)
        del x, y
    return best


def bench_trace(quick: bool) -> None:
    sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
    out = {}
    print("\n## 3. Tracing and building chains of elementwise ops (float32)")
    print(f"{'ops':>8s} {'trace/op':>11s} {'peak MiB':>9s} {'build':>11s} {'build/op':>11s}")
    for n in sizes:
        # Timed without tracemalloc (it slows every allocation); memory measured in a second run.
        t_trace = _time_trace(n, repeat=max(1, min(5, 200_000 // n)))
        x, y = trace_chain(n)
        t1 = time.perf_counter()
        model = xp.build({"x": x}, {"y": y})
        t_build = time.perf_counter() - t1
        assert len(model.graph.node) == n
        del x, y, model
        gc.collect()
        tracemalloc.start()
        x, y = trace_chain(n)
        model = xp.build({"x": x}, {"y": y})
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        out[n] = {"trace_per_op": t_trace, "build": t_build, "peak_MiB": peak}
        print(f"{n:8d} {fmt_t(t_trace)} {peak:9.1f} {fmt_t(t_build)} {fmt_t(t_build / n)}")
        del x, y, model
    RESULTS["trace"] = out
    per_op = max(r["trace_per_op"] for r in out.values())
    target("trace cost per recorded op (worst size)", fmt_t(per_op).strip(), per_op <= 30e-6,
           "<= 30 us")
    # cost ~ n**exponent: 1 when the cost per op does not grow with the trace
    lo, hi = min(out), max(out)
    exponent = 1 + math.log(out[hi]["trace_per_op"] / out[lo]["trace_per_op"]) / math.log(hi / lo)
    RESULTS["trace_exponent"] = exponent
    print(f"growth exponent {lo:,} -> {hi:,} ops: {exponent:.3f}")
    target(f"trace growth exponent {lo:,} -> {hi:,} ops", f"{exponent:.3f}", exponent <= 1.05,
           "<= 1.05")
    target("build of the 10,000-op trace", fmt_t(out[10_000]["build"]).strip(),
           out[10_000]["build"] < 0.5, "< 0.5 s")


# -- 4. jit and the exported MLP ----------------------------------------------------------------

N_FEATURES, HIDDEN, N_CLASSES = 20, 64, 10


def mlp_params():
    rng = np.random.default_rng(3)
    shapes = [(N_FEATURES, HIDDEN), (HIDDEN,), (HIDDEN, HIDDEN), (HIDDEN,), (HIDDEN, N_CLASSES),
              (N_CLASSES,)]
    return [rng.normal(size=s) * 0.3 for s in shapes]


def mlp(ns, x, w1, b1, w2, b2, w3, b3):
    """3-layer MLP predict written against the standard: relu, relu, softmax, argmax."""
    h = ns.maximum(ns.matmul(x, w1) + b1, 0.0)
    h = ns.maximum(ns.matmul(h, w2) + b2, 0.0)
    z = ns.matmul(h, w3) + b3
    z = z - ns.max(z, axis=1, keepdims=True)
    e = ns.exp(z)
    p = e / ns.sum(e, axis=1, keepdims=True)
    return ns.argmax(p, axis=1)


def handwritten_mlp(params) -> onnx.ModelProto:
    w1, b1, w2, b2, w3, b3 = params
    inits = [numpy_helper.from_array(p, n) for p, n in
             zip(params, ["w1", "b1", "w2", "b2", "w3", "b3"])]
    nodes = [
        helper.make_node("MatMul", ["x", "w1"], ["m1"]),
        helper.make_node("Add", ["m1", "b1"], ["a1"]),
        helper.make_node("Relu", ["a1"], ["h1"]),
        helper.make_node("MatMul", ["h1", "w2"], ["m2"]),
        helper.make_node("Add", ["m2", "b2"], ["a2"]),
        helper.make_node("Relu", ["a2"], ["h2"]),
        helper.make_node("MatMul", ["h2", "w3"], ["m3"]),
        helper.make_node("Add", ["m3", "b3"], ["z"]),
        helper.make_node("Softmax", ["z"], ["p"], axis=1),
        helper.make_node("ArgMax", ["p"], ["label"], axis=1, keepdims=0),
    ]
    graph = helper.make_graph(
        nodes, "mlp", [helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["N", N_FEATURES])],
        [helper.make_tensor_value_info("label", TensorProto.INT64, ["N"])], initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=8)


def session(model: onnx.ModelProto):
    """A session with onnxruntime's default optimizations on one thread (both sides of every
    comparison alike; a thread pool on a shared machine measures the neighbours)."""
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    return ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])


def bench_mlp(quick: bool) -> None:
    params = mlp_params()
    xparams = [xp.asarray(p) for p in params]
    jitted = xp.jit(lambda x, *ps: mlp(xp, x, *ps))
    sym = xp.argument(shape=("N", N_FEATURES), dtype=xp.float64)
    ours = xp.build({"x": sym}, {"label": mlp(xp, sym, *xparams)})
    onnx.checker.check_model(ours, full_check=True)
    hand = handwritten_mlp(params)
    s_ours, s_hand = session(ours), session(hand)
    nd_model = None
    if ndx is not None:
        try:
            nx = ndx.argument(shape=("N", N_FEATURES), dtype=ndx.float64)
            nd_model = ndx.build({"x": nx}, {"label": mlp(ndx, nx, *[ndx.asarray(p)
                                                                      for p in params])})
        except Exception as exc:  # noqa: BLE001
            print(f"ndonnx export failed: {exc}")
    s_nd = session(nd_model) if nd_model is not None else None
    out = {"nodes": {"onnxarray": len(ours.graph.node), "handwritten": len(hand.graph.node),
                     "ndonnx": None if nd_model is None else len(nd_model.graph.node)}}
    print("\n## 4. MLP predict (20 -> 64 -> 64 -> 10, relu, softmax, argmax)")
    print(f"nodes: onnxarray {out['nodes']['onnxarray']}, hand-written "
          f"{out['nodes']['handwritten']}, ndonnx {out['nodes']['ndonnx']}")
    print(f"{'batch':>6s} {'jit':>11s} {'eager':>11s} {'numpy':>11s} {'jit/numpy':>9s} "
          f"{'export':>11s} {'hand':>11s} {'export/hand':>11s} {'ndonnx/hand':>11s}")
    for batch in (1, 10_000):
        data = np.random.default_rng(4).random((batch, N_FEATURES))
        xd = xp.asarray(data)
        np.testing.assert_array_equal(np.asarray(jitted(xd, *xparams)), mlp(np, data, *params))
        number = (200 if batch == 1 else 5) // (4 if quick else 1) or 1
        fns = {
            "jit": lambda xd=xd: np.asarray(jitted(xd, *xparams)),
            "numpy": lambda data=data: mlp(np, data, *params),
            "export": lambda data=data: s_ours.run(None, {"x": data}),
            "hand": lambda data=data: s_hand.run(None, {"x": data}),
        }
        if s_nd is not None:
            fns["ndonnx"] = lambda data=data: s_nd.run(None, {"x": data})
        t = interleaved(fns, number=number, repeat=5 if quick else 9)
        t["eager"] = median_time(lambda xd=xd: np.asarray(mlp(xp, xd, *xparams)),
                                 number=max(1, number // 4), repeat=3)
        out[batch] = t
        nd_ratio = t["ndonnx"] / t["hand"] if "ndonnx" in t else None
        print(f"{batch:6d} {fmt_t(t['jit'])} {fmt_t(t['eager'])} {fmt_t(t['numpy'])} "
              f"{t['jit'] / t['numpy']:9.2f} {fmt_t(t['export'])} {fmt_t(t['hand'])} "
              f"{t['export'] / t['hand']:11.2f} "
              f"{'n/a' if nd_ratio is None else f'{nd_ratio:11.2f}'}")
        limit = 3.0 if batch == 1 else 1.0
        target(f"MLP jit / numpy at batch {batch}", f"{t['jit'] / t['numpy']:.2f}x",
               t["jit"] / t["numpy"] <= limit, f"<= {limit}x")
        target(f"MLP export / hand-written latency at batch {batch}",
               f"{t['export'] / t['hand']:.2f}x", t["export"] / t["hand"] <= 1.05, "<= 1.05x")
    nodes = out["nodes"]["onnxarray"]
    target("MLP export node count", str(nodes), nodes <= 12, "<= 12")
    RESULTS["mlp"] = out


# -- 5. scikit-learn ----------------------------------------------------------------------------


def export_sklearn(est, method: str, n_features: int) -> onnx.ModelProto:
    """Export ``est.<method>`` through onnxarray with a dynamic batch dimension."""
    import sklearn
    from sklearn.utils._array_api import move_estimator_to

    with sklearn.config_context(array_api_dispatch=True, assume_finite=True):
        moved = move_estimator_to(est, xp, None)
        sym = xp.argument(shape=("N", n_features), dtype=xp.float64)
        return xp.build({"x": sym}, {"y": getattr(moved, method)(sym)})


def bench_sklearn(quick: bool) -> None:
    print("\n## 5. scikit-learn estimators: onnxarray export vs skl2onnx")
    try:
        from skl2onnx import to_onnx
        from sklearn.datasets import load_wine
        from sklearn.decomposition import PCA
        from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
        from sklearn.linear_model import LogisticRegression, PoissonRegressor, Ridge
        from sklearn.naive_bayes import GaussianNB
        from sklearn.preprocessing import (
            Binarizer,
            MinMaxScaler,
            Normalizer,
            PolynomialFeatures,
            StandardScaler,
        )
    except ImportError as exc:
        print(f"n/a: {exc}")
        return
    X, y = load_wine(return_X_y=True)
    X = X / X.max(axis=0)
    out = {}
    print(f"{'estimator.method':40s} {'nodes':>5s} {'skl2onnx':>8s} {'batch':>6s} "
          f"{'ours':>11s} {'skl2onnx':>11s} {'ratio':>6s}")
    worst_lat, nodes_ok = 0.0, True
    cases = [(LinearDiscriminantAnalysis(), "predict", {"zipmap": False}),
             (LogisticRegression(max_iter=500), "predict_proba", {"zipmap": False}),
             (StandardScaler(), "transform", {}), (MinMaxScaler(), "transform", {}),
             (PCA(3), "transform", {}), (Ridge(), "predict", {}),
             (LinearDiscriminantAnalysis(), "predict_proba", {"zipmap": False}),
             (LogisticRegression(max_iter=500), "predict", {"zipmap": False}),
             (GaussianNB(), "predict_proba", {"zipmap": False}),
             (PoissonRegressor(max_iter=500), "predict", {}), (Normalizer(), "transform", {}),
             (Binarizer(threshold=0.5), "transform", {}),
             (PolynomialFeatures(2), "transform", {})]
    for est, method, opts in cases:
        name = f"{type(est).__name__}.{method}"
        est.fit(X, y + 1)  # a positive target for the Poisson regressor
        try:
            ours = export_sklearn(est, method, X.shape[1])
        except Exception as exc:  # noqa: BLE001 - report what does not export yet
            out[name] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:90]}"}
            print(f"{name:40s} not exportable: {out[name]['error']}")
            continue
        try:
            ref = to_onnx(est, X[:1], options={id(est): opts} if opts else None,
                          target_opset=18)
            s_ref = session(ref)
        except Exception as exc:  # noqa: BLE001 - the converter's own gaps
            out[name] = {"nodes": len(ours.graph.node),
                         "skl2onnx_error": f"{type(exc).__name__}: {str(exc)[:80]}"}
            print(f"{name:40s} {len(ours.graph.node):5d}  skl2onnx failed: {str(exc)[:60]}")
            continue
        s_ours = session(ours)
        ref_out = ref.graph.output[-1 if method == "predict_proba" else 0].name
        r = {"nodes": len(ours.graph.node), "skl2onnx_nodes": len(ref.graph.node)}
        nodes_ok &= r["nodes"] <= r["skl2onnx_nodes"]
        for batch in (1, 10_000):
            data = np.random.default_rng(5).random((batch, X.shape[1]))
            got = s_ours.run(None, {"x": data})[0]
            want = s_ref.run([ref_out], {ref.graph.input[0].name: data})[0]
            np.testing.assert_allclose(np.asarray(got, dtype=np.float64).reshape(want.shape),
                                       want, rtol=1e-6, atol=1e-8)
            number = (100 if batch == 1 else 3) // (4 if quick else 1) or 1
            t = interleaved({
                "ours": lambda data=data, s=s_ours: s.run(None, {"x": data}),
                "ref": lambda data=data, s=s_ref, o=ref_out, i=ref.graph.input[0].name:
                    s.run([o], {i: data}),
            }, number=number, repeat=5 if quick else 9)
            ratio = t["ours"] / t["ref"]
            worst_lat = max(worst_lat, ratio)
            r[batch] = {**t, "ratio": ratio}
            print(f"{name:40s} {r['nodes']:5d} {r['skl2onnx_nodes']:8d} {batch:6d} "
                  f"{fmt_t(t['ours'])} {fmt_t(t['ref'])} {ratio:6.2f}")
        out[name] = r
    RESULTS["sklearn"] = out
    ok = sum("nodes" in r for r in out.values())
    target("scikit-learn estimators exported", f"{ok}/{len(out)}", ok == len(out), "all")
    if ok:
        target("exported latency / skl2onnx (worst)", f"{worst_lat:.2f}x", worst_lat <= 1.0,
               "<= 1.0x")
        target("exported node count <= skl2onnx (all)", "yes" if nodes_ok else "no", nodes_ok,
               "all")


# -- 6. hand-written predict functions: onnxarray vs jax2onnx ----------------------------------

def _jax_models(tmp: str) -> dict:
    """benchmarks/jax_export.py run by an interpreter with jax and jax2onnx: name -> model or
    error. That is this interpreter when it imports jax2onnx (the bench session installs it),
    else the one ``ONNXARRAY_BENCH_JAX_PYTHON`` names (jax kept out of this environment)."""
    python = sys.executable
    try:
        import jax2onnx  # noqa: F401
    except ImportError:
        python = os.environ.get("ONNXARRAY_BENCH_JAX_PYTHON")
        if not python:
            return {"error": "jax2onnx is not installed; set ONNXARRAY_BENCH_JAX_PYTHON to an "
                             "interpreter that has it"}
    here = Path(__file__).parent
    try:
        done = subprocess.run([python, str(here / "jax_export.py"), tmp], capture_output=True,
                              text=True, check=True, cwd=here, timeout=900)
    except (OSError, subprocess.SubprocessError) as exc:
        return {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return {k: v if isinstance(v, dict) else onnx.load(v) for k, v in found.items()}


def bench_jax(quick: bool) -> None:
    import tempfile

    import predict_cases as pc  # benchmarks/predict_cases.py, next to this file

    print("\n## 6. Hand-written predict functions (float32): onnxarray export vs jax2onnx")
    with tempfile.TemporaryDirectory() as tmp:
        theirs = _jax_models(tmp)
    if "error" in theirs:
        print(f"n/a: jax2onnx export failed: {theirs['error']}")
        return
    params = pc.params()
    xparams = {k: xp.asarray(v) for k, v in params.items()}
    out = {}
    worst = 0.0
    print(f"{'case':16s} {'nodes':>5s} {'jax2onnx':>8s} {'batch':>6s} {'ours':>11s} "
          f"{'jax2onnx':>11s} {'ratio':>6s}")
    for name, fn in pc.CASES.items():
        sym = xp.argument(shape=("N", pc.N_FEATURES), dtype=xp.float32)
        ours = xp.build({"x": sym}, {"y": fn(xp, sym, xparams)})
        ref = theirs.get(name)
        if isinstance(ref, dict) or ref is None:
            out[name] = {"nodes": len(ours.graph.node), "jax2onnx_error": str(ref)}
            print(f"{name:16s} {len(ours.graph.node):5d}  jax2onnx failed: {str(ref)[:70]}")
            continue
        s_ours, s_ref = session(ours), session(ref)
        ref_in = ref.graph.input[0].name
        r = {"nodes": len(ours.graph.node), "jax2onnx_nodes": len(ref.graph.node)}
        for batch in (1, 10_000):
            data = np.random.default_rng(6).random((batch, pc.N_FEATURES), dtype=np.float32)
            got = s_ours.run(None, {"x": data})[0]
            want = s_ref.run(None, {ref_in: data})[0]
            np.testing.assert_allclose(got, want.reshape(got.shape), rtol=1e-5, atol=1e-6)
            number = (200 if batch == 1 else 5) // (4 if quick else 1) or 1
            t = interleaved({
                "ours": lambda data=data, s=s_ours: s.run(None, {"x": data}),
                "ref": lambda data=data, s=s_ref, i=ref_in: s.run(None, {i: data}),
            }, number=number, repeat=5 if quick else 9)
            ratio = t["ours"] / t["ref"]
            worst = max(worst, ratio)
            r[batch] = {**t, "ratio": ratio}
            print(f"{name:16s} {r['nodes']:5d} {r['jax2onnx_nodes']:8d} {batch:6d} "
                  f"{fmt_t(t['ours'])} {fmt_t(t['ref'])} {ratio:6.2f}")
        out[name] = r
    RESULTS["jax2onnx"] = out
    measured = [r for r in out.values() if 1 in r]
    target("predict functions exported by both", f"{len(measured)}/{len(out)}",
           len(measured) == len(out), "all")
    if measured:
        target("exported latency / jax2onnx (worst)", f"{worst:.2f}x", worst <= 1.0, "<= 1.0x")


# -- 7. import time ---------------------------------------------------------------------------


def import_time(module: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
        times.append(time.perf_counter() - t0)
    base = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        base.append(time.perf_counter() - t0)
    return statistics.median(times) - statistics.median(base)


def bench_import(quick: bool) -> None:
    runs = 3 if quick else 7
    ours = import_time("onnxarray", runs)
    ort_only = import_time("onnxruntime", runs)
    RESULTS["import"] = {"onnxarray": ours, "onnxruntime": ort_only}
    print("\n## 7. Import time (fresh interpreter, interpreter start subtracted)")
    print(f"onnxarray {ours:.3f} s (onnxruntime alone {ort_only:.3f} s)")
    target("import onnxarray", f"{ours:.2f} s", ours <= 0.4, "<= 0.4 s")


def _consumer_section(name: str):
    def section(quick: bool) -> None:
        import consumers  # benchmarks/consumers.py, next to this file

        consumers.SUMMARY["of"] = SUMMARY["of"]
        getattr(consumers, name)(quick, RESULTS, target)

    return section


def bench_linalg(quick: bool) -> None:
    import linalg  # benchmarks/linalg.py, next to this file

    linalg.run(quick)


def _scoring_section(quick: bool) -> None:
    import scoring  # benchmarks/scoring.py, next to this file

    scoring.bench_dask(quick, RESULTS, target)


def _eig_section(quick: bool) -> None:
    import linalg_eig  # benchmarks/linalg_eig.py, next to this file

    linalg_eig.bench_eig(quick, RESULTS, target)


SECTIONS = {"eager": bench_eager_small, "large": bench_eager_large, "trace": bench_trace,
            "mlp": bench_mlp, "sklearn": bench_sklearn, "jax": bench_jax, "import": bench_import,
            "searchsorted": _consumer_section("bench_searchsorted"),
            "scipy": _consumer_section("bench_scipy"),
            "sklearn_checks": _consumer_section("bench_sklearn_checks"),
            "dask": _scoring_section,
            "eig": _eig_section, "linalg": bench_linalg}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--only", nargs="*", choices=list(SECTIONS), help="sections to run")
    parser.add_argument("--min", action="store_true",
                        help="summarise interleaved rounds by the fastest (a busy machine)")
    parser.add_argument("--cpu", action="store_true",
                        help="time interleaved comparisons and traces in CPU time of the thread")
    args = parser.parse_args()
    if args.min:
        SUMMARY["of"] = min
    if args.cpu:
        CLOCK["ns"] = time.thread_time_ns
    print(f"onnxarray {xp.__version__}, onnxruntime {ort.__version__}, numpy {np.__version__}, "
          f"ndonnx {getattr(ndx, '__version__', 'not installed')}")
    for name in args.only or SECTIONS:
        SECTIONS[name](args.quick)
    print("\n## Targets")
    for name, value, status, goal in ROWS:
        print(f"{status:7s} {name:48s} {str(value):>10s}   (target {goal})")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(
        {"results": RESULTS, "targets": ROWS}, indent=1, default=str))


if __name__ == "__main__":
    main()
