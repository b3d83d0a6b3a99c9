"""linalg.eig on loops: eager time against NumPy, first calls, node count, one model for all n.

Called by ``benchmarks/run.py`` (section ``eig``); runs alone too:
``python benchmarks/linalg_eig.py [--quick]``.
"""

from __future__ import annotations

import statistics
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort

import onnxarray as xp
from onnxarray import _linalg_eig


def _seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _nodes(graph: onnx.GraphProto) -> int:
    total, stack = 0, [graph]
    while stack:
        g = stack.pop()
        total += len(g.node)
        for node in g.node:
            stack.extend(a.g for a in node.attribute if a.type == onnx.AttributeProto.GRAPH)
    return total


def _residual(a, w, v) -> float:
    return float(np.linalg.norm(a @ v - v * w) / (np.linalg.norm(a) * np.linalg.norm(v)))


def bench_eig(quick: bool, results: dict, target) -> None:
    print("\n## linalg.eig (float64, random Gaussian matrices; eager = one compiled session "
          "per dtype and rank, shared by all n)")
    rng = np.random.default_rng(0)
    _linalg_eig._sessions.clear()
    t0 = time.perf_counter()
    xp.linalg.eig(xp.asarray(rng.standard_normal((5, 5))))
    compile_s = time.perf_counter() - t0
    print(f"first call ever (trace, build, session): {compile_s * 1e3:.0f} ms")
    out = {"first_call_ever_s": compile_s}
    sizes = (4, 16, 64) if quick else (4, 16, 64, 128)
    print(f"{'n':>4} {'first call':>11} {'onnxarray':>11} {'NumPy':>10} {'ratio':>8} "
          f"{'residual':>9}")
    for n in sizes:
        a = rng.standard_normal((n, n))
        t0 = time.perf_counter()
        w, v = xp.linalg.eig(xp.asarray(a))
        first = time.perf_counter() - t0
        repeat = 3 if n >= 64 else 7
        ours = _seconds(lambda a=a: xp.linalg.eig(xp.asarray(a)), repeat)
        ref = _seconds(lambda a=a: np.linalg.eig(a), 21)
        res = _residual(a, np.asarray(w), np.asarray(v))
        print(f"{n:4d} {first * 1e3:9.1f}ms {ours * 1e3:9.2f}ms {ref * 1e3:8.3f}ms "
              f"{ours / ref:7.0f}x {res:9.1e}")
        out[f"n{n}"] = {"first_s": first, "eager_s": ours, "numpy_s": ref, "residual": res}
        if n == 64:
            target("eig n=64 vs NumPy", f"{ours / ref:.0f}x", ours / ref <= 20, "<= 20x")
            target("eig first call of a new shape", f"{first * 1e3:.0f} ms", first <= 0.1,
                   "<= 100 ms")
    x = xp.argument(shape=("n", "n"), dtype=xp.float64)
    w, v = xp.linalg.eig(x)
    model = xp.build({"x": x}, {"w": w, "v": v})
    nodes = _nodes(model.graph)
    print(f"exported nodes (symbolic n, subgraphs included): {nodes}")
    target("eig exported nodes at any n", nodes, nodes <= 400, "<= 400")
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    for n in (3, 8, 17):
        a = rng.standard_normal((n, n))
        wr, vr = sess.run(None, {"x": a})
        res = _residual(a, wr[..., 0] + 1j * wr[..., 1], vr[..., 0] + 1j * vr[..., 1])
        print(f"one model, n = {n}: residual {res:.1e}")
        out[f"model_n{n}_residual"] = res
    out["nodes"] = nodes
    results["eig"] = out


if __name__ == "__main__":
    rows: list = []
    bench_eig("--quick" in sys.argv, {}, lambda *r: rows.append(r))
    for name, value, ok, goal in rows:
        print(f"{'met' if ok else 'MISSED':7s} {name:40s} {str(value):>10s} (target {goal})")
