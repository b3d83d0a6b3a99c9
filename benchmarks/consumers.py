"""Benchmarks of what consumers call: searchsorted at scale, SciPy functions on small inputs and
scikit-learn fit/transform with array API dispatch, first call and steady state, against NumPy.

Imported by ``run.py`` (sections ``searchsorted``, ``scipy`` and ``sklearn_checks``).
"""

from __future__ import annotations

import gc
import os
import resource
import statistics
import subprocess
import sys
import time

import numpy as np

os.environ.setdefault("SCIPY_ARRAY_API", "1")


# How the SciPy section summarises its rounds: the median, or the fastest round with run.py's
# --min (a busy machine: the median measures the neighbours).
SUMMARY = {"of": statistics.median}


def _interleaved(fns: dict, rounds: int, number: int) -> dict:
    """Seconds per call of each function, from alternating rounds of ``number`` calls (drift
    hits all alike), summarised by SUMMARY."""
    for fn in fns.values():
        fn()
    samples: dict = {k: [] for k in fns}
    for _ in range(rounds):
        for k, fn in fns.items():
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            samples[k].append((time.perf_counter() - t0) / number)
    return {k: SUMMARY["of"](v) for k, v in samples.items()}


def _steady(fn, repeat: int, clock=time.perf_counter) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = clock()
        fn()
        times.append(clock() - t0)
    return statistics.median(times)


# -- searchsorted ---------------------------------------------------------------------------------

_SEARCH_CHILD = r"""
import resource, sys, time
import numpy as np, onnxruntime as ort
import onnxarray as xp
mode = sys.argv[1]
rng = np.random.default_rng(0)
a = np.sort(rng.standard_normal(10001)); q = rng.standard_normal(30006)
if mode == "eager":
    x1, x2 = xp.asarray(a), xp.asarray(q)
    run = lambda: xp.searchsorted(x1, x2)
else:
    x = xp.argument(shape=("n",), dtype=xp.float64); y = xp.argument(shape=("m",), dtype=xp.float64)
    model = xp.build({"x": x, "y": y}, {"i": xp.searchsorted(x, y)})
    sess = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    run = lambda: sess.run(None, {"x": a, "y": q})
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
times = []
for _ in range(7):
    t0 = time.perf_counter(); run(); times.append(time.perf_counter() - t0)
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
times.sort()
print(times[len(times) // 2], (after - before) / 1024)
"""


def bench_searchsorted(quick: bool, results: dict, target) -> None:
    """10,001 sorted values x 30,006 queries; each mode in a fresh process for its peak RSS."""
    rng = np.random.default_rng(0)
    a = np.sort(rng.standard_normal(10001))
    q = rng.standard_normal(30006)
    t_np = _steady(lambda: np.searchsorted(a, q), 7)
    print("\n## 7. searchsorted, 10,001 sorted values x 30,006 queries (float64)")
    print(f"{'mode':10s} {'median':>10s} {'vs numpy':>9s} {'peak RSS growth':>16s}")
    print(f"{'numpy':10s} {t_np * 1e3:8.2f} ms")
    out = {"numpy": t_np}
    for mode in ("eager", "exported"):
        res = subprocess.run([sys.executable, "-c", _SEARCH_CHILD, mode], check=True,
                             capture_output=True, text=True)
        t, mib = map(float, res.stdout.split())
        out[mode] = {"time": t, "peak_rss_growth_mib": mib}
        print(f"{mode:10s} {t * 1e3:8.2f} ms {t / t_np:8.1f}x {mib:13.1f} MiB")
        target(f"searchsorted 10001x30006 {mode}", f"{t / t_np:.1f}x", t / t_np <= 10,
               "<= 10x numpy, O(n + m) memory")
    results["searchsorted"] = out


# -- SciPy calls ----------------------------------------------------------------------------------


def scipy_cases(xp, rng):
    import scipy.fft as sfft
    import scipy.special as sp
    import scipy.stats as st

    a, b, c = rng.random(100), rng.random(100), rng.standard_normal(100)
    z = c + 1j * rng.standard_normal(100)
    cases = {
        "fft.irfft": (sfft.irfft, (c,)),
        "fft.ifft": (sfft.ifft, (z,)),
        "fft.rfft": (sfft.rfft, (c,)),
        "special.rel_entr": (sp.rel_entr, (a, b)),
        "special.xlogy": (sp.xlogy, (a, b)),
        "special.logsumexp": (sp.logsumexp, (c,)),
        "special.softmax": (sp.softmax, (c,)),
        "special.entr": (sp.entr, (a,)),
        "special.erf": (sp.erf, (c,)),
        "stats.zscore": (st.zscore, (c,)),
        "stats.skew": (st.skew, (c,)),
        "stats.pearsonr": (lambda x, y: st.pearsonr(x, y).statistic, (a, b)),
    }
    return cases


def bench_scipy(quick: bool, results: dict, target) -> None:
    """SciPy calls on onnxarray arrays against NumPy input, and against array-api-strict input:
    for a namespace that is not NumPy, SciPy runs its generic array-API code (dozens of namespace
    calls where NumPy input takes one compiled ufunc), and array-api-strict, a thin layer over
    NumPy, measures what that code costs with next to no array overhead."""
    import array_api_strict as strict

    import onnxarray as xp
    from onnxarray._plans import wait_for_plans

    rng = np.random.default_rng(0)
    repeat = 5 if quick else 12
    print("\n## 8. SciPy functions on 100 float64 values, eager, vs NumPy and strict input")
    print(f"{'call':20s} {'first':>10s} {'steady':>10s} {'numpy':>10s} {'strict':>10s} "
          f"{'ratio':>7s} {'strict/np':>9s} {'ours/strict':>11s}")
    out, ratios, strict_ratios = {}, [], []
    for name, (fn, args) in scipy_cases(xp, rng).items():
        ours = tuple(xp.asarray(a) for a in args)
        theirs = tuple(strict.asarray(a) for a in args)
        t0 = time.perf_counter()
        fn(*ours)
        first = time.perf_counter() - t0
        _steady(lambda fn=fn, ours=ours: fn(*ours), 3)  # the repeats that promote to plans
        wait_for_plans(timeout=600)
        times = _interleaved({"ours": lambda fn=fn, ours=ours: fn(*ours),
                              "numpy": lambda fn=fn, args=args: fn(*args),
                              "strict": lambda fn=fn, theirs=theirs: fn(*theirs)}, repeat, 5)
        t_ours, t_np, t_st = times["ours"], times["numpy"], times["strict"]
        ratios.append(t_ours / t_np)
        strict_ratios.append(t_st / t_np)
        out[name] = {"first": first, "steady": t_ours, "numpy": t_np, "strict": t_st}
        print(f"{name:20s} {first * 1e3:7.2f} ms {t_ours * 1e6:7.1f} us {t_np * 1e6:7.1f} us "
              f"{t_st * 1e6:7.1f} us {t_ours / t_np:6.1f}x {t_st / t_np:8.1f}x "
              f"{t_ours / t_st:10.2f}x")
    geo = float(np.exp(np.mean(np.log(ratios))))
    geo_strict = float(np.exp(np.mean(np.log(strict_ratios))))
    print(f"geomean ratio to NumPy: onnxarray {geo:.1f}x, array-api-strict {geo_strict:.1f}x; "
          f"onnxarray / array-api-strict {geo / geo_strict:.2f}x")
    results["scipy"] = {"calls": out, "geomean": geo, "geomean_strict": geo_strict}
    target("SciPy calls, geomean vs numpy", f"{geo:.1f}x", geo <= 2, "<= 2x")
    target("SciPy calls, geomean vs array-api-strict", f"{geo / geo_strict:.2f}x",
           geo <= geo_strict, "<= 1x")


# -- scikit-learn fit/transform -------------------------------------------------------------------


def sklearn_cases():
    from sklearn.decomposition import PCA
    from sklearn.kernel_approximation import Nystroem
    from sklearn.linear_model import RidgeCV

    return {
        "PCA": (lambda: PCA(n_components=3), "transform"),
        "RidgeCV": (lambda: RidgeCV(alphas=(0.1, 1.0, 10.0)), "predict"),
        "Nystroem": (lambda: Nystroem(n_components=20, random_state=0), "transform"),
    }


def bench_sklearn_checks(quick: bool, results: dict, target) -> None:
    """fit + transform/predict with array API dispatch: the worst of the first six calls of a new
    signature (plans compile on repeats) against the steady state (<= 5 is the goal), and the
    steady state against NumPy.

    Times are CPU times of the process (``time.process_time``: background plan compiles count,
    a busy machine's waits do not). NumPy runs first, so that scikit-learn's own first-use
    costs (lazy imports, dataframe plugin discovery, the garbage collection of what its imports
    left) are not charged to onnxarray's first call; the steady state is measured once no plan
    compile is pending."""
    import sklearn

    import onnxarray as xp
    from onnxarray._plans import wait_for_plans

    rng = np.random.default_rng(0)
    repeat = 5 if quick else 15
    print("\n## 9. scikit-learn fit + transform/predict (array API dispatch), 60 x 6 float64, "
          "CPU times")
    print(f"{'estimator':10s} {'first':>10s} {'worst of 6':>10s} {'steady':>10s} {'numpy':>10s} "
          f"{'worst/steady':>12s} {'vs numpy':>8s}")
    out = {}
    for name, (make, method) in sklearn_cases().items():
        X = rng.standard_normal((60, 6))
        y = X @ rng.standard_normal(6)
        Xo, yo = xp.asarray(X), xp.asarray(y)

        def run(X=X, y=y, make=make, method=method):
            est = make().fit(X, y)
            return getattr(est, method)(X)

        t_np = _steady(run, repeat, time.process_time)
        # Collect now the survivors of scikit-learn's imports: left pending, they trigger a
        # full collection (~100 ms with scikit-learn and SciPy loaded) in whichever call
        # allocates next.
        gc.collect()
        with sklearn.config_context(array_api_dispatch=True):
            early = []  # the first calls: a new signature, then plans compiled on repeats
            for _ in range(6):
                t0 = time.process_time()
                run(Xo, yo)
                early.append(time.process_time() - t0)
            wait_for_plans(timeout=600)
            steady = _steady(lambda run=run, Xo=Xo, yo=yo: run(Xo, yo), repeat,
                             time.process_time)
        worst = max(early)
        out[name] = {"first_calls": early, "steady": steady, "numpy": t_np}
        print(f"{name:10s} {early[0] * 1e3:7.1f} ms {worst * 1e3:7.1f} ms {steady * 1e3:7.2f} ms "
              f"{t_np * 1e3:7.2f} ms {worst / steady:11.1f}x {steady / t_np:7.1f}x")
        target(f"sklearn {name} worst early call / steady", f"{worst / steady:.1f}x",
               worst / steady <= 5, "<= 5x")
    results["sklearn_checks"] = out
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS so far: {rss:.0f} MiB")
