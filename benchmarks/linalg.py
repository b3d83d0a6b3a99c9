"""linalg factorizations: eager time against NumPy, first-call time, exported node count, and
one symbolic-n model run at several sizes.

Run alone (``python benchmarks/linalg.py [--quick] [--sizes 4 16 64]``) or as the ``linalg``
section of ``benchmarks/run.py``. float64, one onnxruntime thread (the library's eager setting);
NumPy as installed. The first call of a new shape includes tracing and compiling.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

# NumPy's BLAS on one thread, like onnxruntime's eager sessions (and the machine is shared)
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402

import onnxarray as xp  # noqa: E402

FUNCS = ("solve", "inv", "det", "cholesky", "qr", "eigh", "svd")
SLOW_BEFORE = 2.0  # seconds: a call slower than this is timed once, not repeated


def _inputs(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((n, n))
    spd = a @ a.T + n * np.eye(n)
    return a, spd, rng.standard_normal((n, 4))


def _calls(n: int):
    """name -> (onnxarray call on fresh arrays, NumPy call)."""
    a, spd, b = _inputs(n)
    xa, xspd, xb = xp.asarray(a), xp.asarray(spd), xp.asarray(b)
    return {
        "solve": (lambda: xp.linalg.solve(xa, xb), lambda: np.linalg.solve(a, b)),
        "inv": (lambda: xp.linalg.inv(xa), lambda: np.linalg.inv(a)),
        "det": (lambda: xp.linalg.det(xa), lambda: np.linalg.det(a)),
        "cholesky": (lambda: xp.linalg.cholesky(xspd), lambda: np.linalg.cholesky(spd)),
        "qr": (lambda: xp.linalg.qr(xa), lambda: np.linalg.qr(a)),
        "eigh": (lambda: xp.linalg.eigh(xspd), lambda: np.linalg.eigh(spd)),
        "svd": (lambda: xp.linalg.svd(xa), lambda: np.linalg.svd(a)),
    }


def _median(fn, budget: float = 0.5, cap: int = 200) -> float:
    t0 = time.perf_counter()
    fn()
    first = time.perf_counter() - t0
    if first > SLOW_BEFORE:
        return first
    reps = max(3, min(cap, int(budget / max(first, 1e-6))))
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _node_count(graph: onnx.GraphProto) -> int:
    total, stack = 0, [graph]
    while stack:
        g = stack.pop()
        for node in g.node:
            total += 1
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.GRAPH:
                    stack.append(attr.g)
                stack.extend(attr.graphs)
    return total


def _export(name: str, n):
    shape = (n, n)
    a = xp.argument(shape=shape, dtype=xp.float64)
    if name == "solve":
        b = xp.argument(shape=(n, 4), dtype=xp.float64)
        return xp.build({"a": a, "b": b}, {"x": xp.linalg.solve(a, b)})
    out = getattr(xp.linalg, name)(a)
    outs = out if isinstance(out, tuple) else (out,)
    return xp.build({"a": a}, {f"y{i}": o for i, o in enumerate(outs)})


def calibration() -> float:
    """Seconds for a hand-written onnxruntime Loop of 64 rank-1 updates of a 64x64 float64
    matrix (7 nodes in the body): 0.35 ms on an idle machine. Loop-bound timings scale with it
    on a loaded machine, NumPy's much less, so the ratios are printed with it."""
    from onnx import TensorProto as T
    from onnx import helper

    body = helper.make_graph([
        helper.make_node("Reshape", ["i", "one"], ["i1"]),
        helper.make_node("Gather", ["a_in", "i1"], ["col"], axis=1),
        helper.make_node("Gather", ["a_in", "i1"], ["row"], axis=0),
        helper.make_node("Mul", ["col", "row"], ["outer"]),
        helper.make_node("Mul", ["outer", "eps"], ["scaled"]),
        helper.make_node("Sub", ["a_in", "scaled"], ["a_out"]),
        helper.make_node("Identity", ["c_in"], ["c_out"]),
    ], "body", [helper.make_tensor_value_info("i", T.INT64, []),
                helper.make_tensor_value_info("c_in", T.BOOL, []),
                helper.make_tensor_value_info("a_in", T.DOUBLE, None)],
        [helper.make_tensor_value_info("c_out", T.BOOL, []),
         helper.make_tensor_value_info("a_out", T.DOUBLE, None)],
        [helper.make_tensor("one", T.INT64, [1], [1]), helper.make_tensor("eps", T.DOUBLE, [],
                                                                            [1e-3])])
    graph = helper.make_graph(
        [helper.make_node("Loop", ["n", "", "a"], ["out"], body=body)], "g",
        [helper.make_tensor_value_info("a", T.DOUBLE, ["r", "c"]),
         helper.make_tensor_value_info("n", T.INT64, [])],
        [helper.make_tensor_value_info("out", T.DOUBLE, None)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=8)
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])
    feeds = {"a": np.random.default_rng(0).standard_normal((64, 64)), "n": np.array(64)}
    t = _median(lambda: sess.run(None, feeds))
    print(f"calibration: hand-written 64-iteration Loop {t * 1e3:.2f} ms (idle machine: 0.35 ms;"
          f" load factor {t / 0.35e-3:.1f})", flush=True)
    return t


def eager(sizes, cap_seconds: float) -> list:
    rows = []
    for n in sizes:
        calls = _calls(n)
        for name in FUNCS:
            ours, ref = calls[name]
            t0 = time.perf_counter()
            try:
                ours()
            except Exception as exc:  # noqa: BLE001 - reported, the benchmark goes on
                rows.append((name, n, None, None, None, f"{type(exc).__name__}"))
                continue
            first = time.perf_counter() - t0
            t_ours = first if first > cap_seconds else _median(ours)
            t_np = _median(ref)
            rows.append((name, n, first, t_ours, t_np, ""))
            print(f"{name:9s} n={n:4d} first {first * 1e3:9.2f} ms  eager {t_ours * 1e3:9.3f} ms"
                  f"  numpy {t_np * 1e3:8.3f} ms  ratio {t_ours / t_np:8.1f}x", flush=True)
    return rows


def node_counts(sizes) -> dict:
    out = {}
    for name in FUNCS:
        counts = []
        for n in sizes:
            try:
                counts.append(_node_count(_export(name, n).graph))
            except Exception as exc:  # noqa: BLE001 - reported
                counts.append(type(exc).__name__)
        out[name] = counts
        print(f"{name:9s} nodes at n = {sizes}: {counts}", flush=True)
    return out


def _reference(name: str, a, spd, b):
    if name == "solve":
        return np.linalg.solve(a, b)
    if name == "cholesky":
        return np.linalg.cholesky(spd)
    if name == "eigh":
        return np.linalg.eigh(spd)[0]
    if name == "svd":
        return np.linalg.svd(a)[1]
    if name == "qr":
        return np.linalg.qr(a)[1]
    return getattr(np.linalg, name)(a)


def symbolic_runs(sizes=(3, 8, 17)) -> None:
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    for name in FUNCS:
        try:
            model = _export(name, "n")
        except Exception as exc:  # noqa: BLE001 - reported
            print(f"{name:9s} symbolic n: {type(exc).__name__}: {exc}")
            continue
        sess = ort.InferenceSession(model.SerializeToString(), so,
                                    providers=["CPUExecutionProvider"])
        errs = []
        for n in sizes:
            a, spd, b = _inputs(n, seed=n)
            feeds = {"a": spd if name in ("cholesky", "eigh") else a}
            if name == "solve":
                feeds["b"] = b
            got = sess.run(None, feeds)
            ref = _reference(name, a, spd, b)
            mine = got[1] if name in ("qr", "svd") else got[0]
            if name == "qr":  # R up to the signs of its rows
                mine, ref = np.abs(mine), np.abs(ref)
            errs.append(float(np.max(np.abs(mine - ref)) / max(np.max(np.abs(ref)), 1e-300)))
        print(f"{name:9s} one model, n = {sizes}: max relative error vs NumPy "
              + ", ".join(f"{e:.1e}" for e in errs), flush=True)


def run(quick: bool = False, sizes=(4, 16, 64, 128), cap_seconds: float = 5.0) -> None:
    # NumPy may have been imported (by run.py) before the environment variables above were
    # set: limit its BLAS to one thread here too (two threads on a busy machine made NumPy's
    # solve at n = 128 take 100 ms instead of 0.4 ms)
    from threadpoolctl import threadpool_limits

    print("\n## linalg (float64)")
    with threadpool_limits(limits=1):
        calibration()
        if quick:
            sizes = tuple(s for s in sizes if s <= 64)
        eager(sizes, cap_seconds)
        node_counts((8, 64))
        symbolic_runs()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", nargs="*", type=int, default=[4, 16, 64, 128])
    parser.add_argument("--cap", type=float, default=5.0, help="seconds: time slow calls once")
    parser.add_argument("--no-export", action="store_true")
    args = parser.parse_args()
    print("\n## linalg (float64)")
    calibration()
    eager(tuple(args.sizes), args.cap)
    if not args.no_export:
        node_counts((8, 64))
        symbolic_runs()


if __name__ == "__main__":
    main()
