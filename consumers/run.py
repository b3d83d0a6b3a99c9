"""Run scikit-learn's, SciPy's and array-api-extra's own array-API tests on onnxarray and on
array-api-strict, from the installed packages, and print per-suite counts.

Usage: python consumers/run.py [--suites a,b] [--jobs N] [--quick] [--out DIR]

A suite's test passes on onnxarray, or fails on array-api-strict too (a consumer or reference
problem, counted as "shared"), or is listed in known-consumer-failures.txt. Anything else is a
regression: the script exits with status 1 and lists it.

Each suite runs the whole of the consumer's array-API tests chosen in SUITES (SciPy: its
special, stats, cluster and fft test folders, ~5,000 tests on onnxarray, ~4 minutes of the
session on 2 cores); ``--quick`` runs a few files of SciPy's instead.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SELECT = "onnxarray or array_api_strict"


def _package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise SystemExit(f"consumers: {name} is not installed")
    return Path(spec.origin).parent


def _sklearn_files(full: bool) -> list[str]:
    base = _package_dir("sklearn")
    files = [
        "utils/tests/test_array_api.py", "utils/tests/test_validation.py",
        "utils/tests/test_multiclass.py", "utils/tests/test_indexing.py",
        "utils/tests/test_extmath.py", "utils/tests/test_stats.py",
        "utils/tests/test_optimize.py", "metrics/tests/test_common.py",
        "metrics/tests/test_pairwise.py", "metrics/tests/test_classification.py",
        "metrics/cluster/tests/test_common.py", "metrics/cluster/tests/test_supervised.py",
        "preprocessing/tests/test_data.py", "preprocessing/tests/test_label.py",
        "preprocessing/tests/test_polynomial.py", "decomposition/tests/test_pca.py",
        "tests/test_kernel_approximation.py", "tests/test_naive_bayes.py",
        "tests/test_pipeline.py", "tests/test_calibration.py",
        "linear_model/tests/test_ridge.py", "linear_model/tests/test_logistic.py",
        "linear_model/_glm/tests/test_glm.py", "_loss/tests/test_loss.py",
        "_loss/tests/test_link.py", "mixture/tests/test_gaussian_mixture.py",
        "model_selection/tests/test_split.py", "model_selection/tests/test_search.py",
        "model_selection/tests/test_validation.py",
    ]
    return [str(base / f) for f in files if (base / f).exists()]


def _scipy_files(full: bool) -> list[str]:
    base = _package_dir("scipy")
    if full:
        dirs = ["special/tests", "stats/tests", "cluster/tests", "fft/tests"]
        return [str(base / d) for d in dirs]
    # --quick: one or a few files per module
    files = [
        "special/tests/test_logsumexp.py", "cluster/tests/test_vq.py",
        "fft/tests/test_basic.py", "fft/tests/test_helper.py",
        "stats/tests/test_entropy.py", "stats/tests/test_variation.py",
        "stats/tests/test_correlation.py",
    ]
    return [str(base / f) for f in files if (base / f).exists()]


def _xpx_dir(tmp: Path) -> list[str]:
    """array-api-extra's tests: from the installed wheel when it ships them, else from the
    sdist of the installed version, unpacked into a temporary folder."""
    base = _package_dir("array_api_extra")
    tests = base / "tests" / "main"
    if (tests / "conftest.py").exists():
        return [str(tests)]
    from importlib.metadata import version

    ver = version("array-api-extra")
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-binary", ":all:",
                    "--no-deps", "-d", str(tmp), f"array-api-extra=={ver}"], check=True)
    archive = next(tmp.glob("array_api_extra-*.tar.gz"))
    subprocess.run(["tar", "xzf", str(archive), "-C", str(tmp)], check=True)
    return [str(next(tmp.glob("array_api_extra-*/tests")))]


# name -> (title, test paths given (full, tmp dir), extra pytest arguments)
SUITES = {
    "scipy": ("SciPy's array-API tests (special, stats, cluster.vq, fft)",
              lambda full, tmp: _scipy_files(full), ["-k", SELECT]),
    "sklearn-checks": ("scikit-learn `check_array_api_input`, estimators x 2 dtypes",
                       lambda full, tmp: [str(HERE / "test_sklearn_estimators.py")], []),
    "sklearn": ("scikit-learn array-API tests (utils, metrics and 27 other files)",
                lambda full, tmp: _sklearn_files(full), ["-k", SELECT]),
    "array-api-extra": ("array-api-extra's test suite",
                        lambda full, tmp: _xpx_dir(tmp),
                        # its pyproject (not shipped) turns warnings into errors
                        ["-k", SELECT, "-W", "error::DeprecationWarning"]),
}


def run_suite(name: str, full: bool, out: Path, tmp: Path, extra: list[str]) -> subprocess.Popen:
    title, paths, args = SUITES[name]
    report = out / f"{name}.jsonl"
    report.unlink(missing_ok=True)
    files = paths(full, tmp)
    # Test ids start at the consumer's package (sklearn/..., scipy/..., array_api_extra/...).
    root = Path(os.path.commonpath(files))
    root = root if root.is_dir() else root.parent
    while root.parent != root and (root / "__init__.py").exists():
        root = root.parent
    env = dict(os.environ, SCIPY_ARRAY_API="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])))
    cmd = [sys.executable, "-m", "pytest", "-c", str(HERE / "pytest.ini"), "-q", "-p",
           "no:randomly", "--rootdir", str(root),
           "--confcutdir", str(root), "--consumers-report", str(report),
           "-o", "console_output_style=classic", *args, *extra, *files]
    log = open(out / f"{name}.log", "w")  # noqa: SIM115 - closed by the caller
    return subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=str(tmp))


def summarize(name: str, out: Path) -> tuple[str, list[str]]:
    rows = [json.loads(line) for line in (out / f"{name}.jsonl").read_text().splitlines()]
    counts = {b: collections.Counter() for b in ("onnxarray", "array_api_strict")}
    seconds = collections.Counter()
    outcome = {}
    for row in rows:
        backend = row["backend"]
        if backend not in counts:
            continue
        counts[backend][row["outcome"]] += 1
        seconds[backend] += row["seconds"]
        outcome[row["id"]] = row
    sys.path.insert(0, str(HERE))
    from onnxarray_consumers import twin_key

    strict = {twin_key(i): r["outcome"] for i, r in outcome.items()
              if r["backend"] == "array_api_strict"}
    # An onnxarray failure is a regression when its twin passes on array-api-strict; when the
    # twin fails, is xfailed or skipped by the consumer, it is counted apart.
    regressions, shared = [], collections.Counter()
    strict_ran = any(r["backend"] == "array_api_strict" for r in outcome.values())
    for i, row in sorted(outcome.items()):
        if row["backend"] != "onnxarray" or row["outcome"] not in ("failed", "error"):
            continue
        twin = strict.get(twin_key(i))
        if twin == "passed" or (twin is None and strict_ran):
            regressions.append(f"{i}: {row['message']}")
        else:
            shared[twin or "not run"] += 1

    def cell(backend):
        c = counts[backend]
        text = f"{c['passed']:,} pass, {c['failed'] + c['error']:,} fail, {c['skipped']:,} skip"
        if c["xfailed"] or c["xpassed"]:
            text += f", {c['xfailed']} xfail"
            if c["xpassed"]:
                text += f" ({c['xpassed']} xpass)"
        return text + f", {seconds[backend]:.0f} s"

    title = SUITES[name][0]
    line = f"| {title} | {cell('onnxarray')} | {cell('array_api_strict')} |"
    if shared:
        line += "  (onnxarray failures where strict does not pass: " + ", ".join(
            f"{n} {kind}" for kind, n in sorted(shared.items())) + ")"
    return line, regressions


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suites", default=",".join(SUITES))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--quick", action="store_true",
                        help="a few files of SciPy's tests instead of its four test folders")
    parser.add_argument("--out", default=None, help="folder for logs and JSON reports")
    args, extra = parser.parse_known_args(argv)
    names = [n for n in args.suites.split(",") if n]
    for n in names:
        if n not in SUITES:
            raise SystemExit(f"consumers: unknown suite {n!r}; choose from {list(SUITES)}")
    with tempfile.TemporaryDirectory(prefix="onnxarray-consumers-") as tmpname:
        tmp = Path(tmpname)
        out = Path(args.out).resolve() if args.out else tmp
        out.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        pending, running = list(names), {}
        while pending or running:
            while pending and len(running) < args.jobs:
                n = pending.pop(0)
                running[n] = run_suite(n, not args.quick, out, tmp, extra)
            time.sleep(0.5)
            for n, proc in list(running.items()):
                if proc.poll() is not None:
                    print(f"consumers: {n} finished in {time.perf_counter() - start:.0f} s "
                          f"(pytest status {proc.returncode})", flush=True)
                    del running[n]
        import resource

        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(f"consumers: {time.perf_counter() - start:.0f} s wall, "
              f"{usage.ru_utime + usage.ru_stime:.0f} s CPU in the test processes")
        print("\n| suite | onnxarray | array-api-strict |\n|---|---|---|")
        failures = {}
        for n in names:
            line, regressions = summarize(n, out)
            print(line)
            if regressions:
                failures[n] = regressions
        for n, regressions in failures.items():
            print(f"\n{n}: {len(regressions)} failures on onnxarray that pass on strict:")
            for r in regressions:
                print("  " + r)
        print(f"\nlogs and reports in {out}" if args.out else "")
        return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
