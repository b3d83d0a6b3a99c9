"""Where the first scikit-learn call of a process spends its time.

Runs one estimator of ``consumers.sklearn_cases`` as the ``sklearn_checks`` section of
``run.py --only sklearn_checks`` does in a fresh process (NumPy first, then the first call with
array API dispatch), and splits the first call's CPU time (of the calling thread) by phase,
each phase counted without the phases inside it:

- ``one-node sessions`` and their ``one-node models`` (the protos built in Python);
- ``linalg trace`` / ``linalg build`` / ``linalg session`` / ``linalg run``: the size-free
  plans of ``_linalg_plans`` (eigh for PCA, svd for Nystroem), compiled and run;
- ``plan traces`` / ``plan builds`` / ``plan sessions``: plans compiled on the calling thread;
- ``rest``: scikit-learn and the op-by-op calls.

``python benchmarks/first_call.py PCA --runs 5`` runs 5 fresh processes and prints the one
whose first call took least (a shared machine inflates the others), then the steady state.
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def _child(name: str, after_scipy: bool) -> dict:
    os.environ.setdefault("SCIPY_ARRAY_API", "1")
    import numpy as np
    import sklearn
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    sys.path.insert(0, HERE)
    import consumers  # benchmarks/consumers.py, next to this file

    started = time.thread_time()
    import onnxarray as xp  # (onnxruntime's start-up, ~5 ms, is paid here: eager_opset's probe)

    imported = time.thread_time() - started
    from onnxarray import _executor, _linalg_plans, _plans

    clock = time.thread_time
    spent: dict = collections.defaultdict(float)
    count: collections.Counter = collections.Counter()
    stack: list = []  # the time of the phases running inside the current one
    where: list = []  # "linalg" while a size-free linalg plan compiles
    main = threading.main_thread()

    def timed(module, attr: str, label) -> None:
        fn = getattr(module, attr)

        def wrapper(*args, **kwargs):
            if threading.current_thread() is not main:  # background compiles: not timed
                return fn(*args, **kwargs)
            key = label() if callable(label) else label
            start = clock()
            stack.append(0.0)
            try:
                return fn(*args, **kwargs)
            finally:
                took = clock() - start
                spent[key] += took - stack.pop()
                count[key] += 1
                if stack:
                    stack[-1] += took

        setattr(module, attr, wrapper)

    def session() -> str:
        return "linalg session" if where else "plan sessions"

    def linalg(fn):
        def wrapper(*args, **kwargs):
            where.append(1)
            try:
                return fn(*args, **kwargs)
            finally:
                where.pop()
        return wrapper

    timed(_executor, "_compile", "one-node sessions")
    timed(_executor, "_one_node_model", "one-node models")
    timed(_plans, "session_for_model", session)
    timed(_plans, "build", lambda: "linalg build" if where else "plan builds")
    timed(_plans, "_compile_traced", "plan traces")
    timed(_linalg_plans, "_compile_traced", "linalg trace")
    _linalg_plans._compile_traced = linalg(_linalg_plans._compile_traced)
    timed(_linalg_plans, "run_plan", "linalg run")

    if after_scipy:  # as in run.py's order: onnxruntime started, SciPy's calls compiled
        consumers.bench_scipy(True, {}, lambda *args: None)
    make, method = consumers.sklearn_cases()[name]
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 6))
    y = X @ rng.standard_normal(6)

    def run(X=X, y=y):
        est = make().fit(X, y)
        return getattr(est, method)(X)

    consumers._steady(run, 15, time.process_time)
    gc.collect()
    Xo, yo = xp.asarray(X), xp.asarray(y)
    with sklearn.config_context(array_api_dispatch=True):
        spent.clear()
        count.clear()
        stack.append(0.0)
        start = clock()
        run(Xo, yo)
        first = clock() - start
        spent["rest"] = first - stack.pop()
        phases, counts = dict(spent), dict(count)
        _plans.wait_for_plans(timeout=600)
        steady = consumers._steady(lambda: run(Xo, yo), 15, clock)
    return {"first": first, "steady": steady, "phases": phases, "counts": counts,
            "import": imported}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", nargs="?", default="PCA", help="PCA, RidgeCV or Nystroem")
    parser.add_argument("--runs", type=int, default=3, help="fresh processes")
    parser.add_argument("--after-scipy", action="store_true",
                        help="run the SciPy section first, as run.py does")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(_child(args.name, args.after_scipy)))
        return
    results = []
    for _ in range(args.runs):
        done = subprocess.run([sys.executable, __file__, args.name, "--child"]
                              + ["--after-scipy"] * args.after_scipy,
                              capture_output=True, text=True, check=True)
        results.append(json.loads(done.stdout.splitlines()[-1]))
    best = min(results, key=lambda r: r["first"])
    every = ", ".join(f"{r['first'] * 1e3:.1f}" for r in results)
    print(f"{args.name}: first call {best['first'] * 1e3:.1f} ms CPU (calling thread, least of "
          f"{args.runs} fresh processes; all: {every})")
    for phase, seconds in sorted(best["phases"].items(), key=lambda kv: -kv[1]):
        n = best["counts"].get(phase, 0)
        print(f"  {phase:24s} {seconds * 1e3:7.2f} ms" + (f"  ({n} calls)" if n else ""))
    steady = sorted(r["steady"] for r in results)
    print(f"steady state {steady[len(steady) // 2] * 1e3:.2f} ms (median of the runs' medians); "
          f"first / steady {best['first'] / steady[len(steady) // 2]:.1f}x")
    imports = sorted(r["import"] for r in results)
    print(f"import onnxarray {imports[len(imports) // 2] * 1e3:.0f} ms CPU (median; onnxruntime's "
          "start-up included)")


if __name__ == "__main__":
    main()
