"""Sessions: tests and lint (CI), minimum (oldest supported versions), conformance (upstream
array-api-tests), consumers (scikit-learn, SciPy and array-api-extra's own array-API tests),
demo, bench, docs."""

from __future__ import annotations

import glob
import os
from pathlib import Path

import nox

nox.options.sessions = ["lint", "tests", "consumers"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).parent
TEST_DEPS = [".[test]"]

# The oldest supported Python and the bottom of the ranges pyproject.toml declares; the minimum
# session installs exactly these, with the other test tools at their newest releases for that
# Python. onnxruntime 1.32 is the first release with every CPU kernel outside the detour
# tables of _ort_compat (1.31 lacks BitShift for some integer types, 1.28 float64 Cos); no
# release for Python 3.10 has them (its newest onnxruntime is 1.23).
MINIMUM_PYTHON = "3.11"
MINIMUM_PINS = [
    "numpy==1.26.0",
    "onnx==1.16.0",
    "onnxruntime==1.32.0",
    # the dask extra's dataframes import pyarrow, whose release 26 needs NumPy 2
    "pyarrow<26",
]
# ruff adds rules to the selected groups in new releases: CI pins the one the code was checked with.
RUFF = "ruff==0.17.6"


def _interpreter(version: str) -> str:
    """Python ``version``: its newest pyenv installation if there is one (pyenv's ``pythonX.Y``
    shims run only when PYENV_VERSION names that version), else ``version`` for nox to find."""
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    found = {}
    for path in glob.glob(os.path.join(root, "versions", f"{version}.*", "bin",
                                       f"python{version}")):
        patch = path.split(os.sep)[-3].split(".")[-1]
        if patch.isdigit():  # not a -dev build
            found[int(patch)] = path
    return found[max(found)] if found else version


@nox.session
def lint(session: nox.Session) -> None:
    session.install(RUFF)
    session.run("ruff", "check", "src", "tests", "benchmarks", "examples", "noxfile.py")


@nox.session
def tests(session: nox.Session) -> None:
    """Our own test suite: parity (eager == exported == array-api-strict), errors, docs."""
    session.install(*TEST_DEPS)
    session.run("pytest", "-q", "-p", "no:cacheprovider", *session.posargs)


@nox.session(python=_interpreter(MINIMUM_PYTHON))
def minimum(session: nox.Session) -> None:
    """The test suite on the oldest supported Python with the minimum dependency versions.

    Tests that need a newer release of an optional tool (scikit-learn's estimator dispatch needs
    scikit-learn 1.9, on Python >= 3.11) are reported as skipped with their reason.
    """
    session.install(*TEST_DEPS, *MINIMUM_PINS)
    session.run("python", "-c", "import numpy, onnx, onnxruntime, sys; print('Python', "
                "sys.version.split()[0], 'numpy', numpy.__version__, 'onnx', onnx.__version__, "
                "'onnxruntime', onnxruntime.__version__)")
    session.run("pytest", "-q", "-p", "no:cacheprovider", "-rs", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """The main job: export a real model with a dynamic batch dimension and run it; then the
    text tagger, raw sentences to tag strings in one model around a skl2onnx network."""
    session.install(".", "scikit-learn>=1.9", "scipy>=1.14", "skl2onnx>=1.16")
    session.run("python", "examples/demo.py", *session.posargs)
    session.run("python", "examples/tagger.py")


@nox.session
def conformance(session: nox.Session) -> None:
    """The upstream array-api-tests suite against onnxarray: every dtype, both extensions.

    Set ARRAY_API_TESTS_DIR to a checkout of data-apis/array-api-tests (with its array-api
    submodule at the commit it pins); the session fails without one. By default every dtype
    and both extensions (linalg, fft) are tested, as the README claims;
    ONNXARRAY_CONFORMANCE_SKIP_DTYPES (comma-separated dtype names) and
    ONNXARRAY_CONFORMANCE_EXTENSIONS (comma-separated, empty for none) narrow a run,
    ONNXARRAY_CONFORMANCE_EXAMPLES sets hypothesis' budget; extra pytest arguments follow `--`.
    """
    suite = os.environ.get("ARRAY_API_TESTS_DIR")
    if not suite:
        session.error("ARRAY_API_TESTS_DIR is not set: point it at a checkout of "
                      "data-apis/array-api-tests (with its array-api submodule)")
    suite_dir = Path(suite).resolve()
    if not (suite_dir / "array_api_tests").is_dir():
        session.error(f"ARRAY_API_TESTS_DIR={suite} does not look like an array-api-tests "
                      "checkout (no array_api_tests/ folder)")
    if not any((suite_dir / "array-api" / "spec").glob("20*")):
        session.error(f"ARRAY_API_TESTS_DIR={suite} lacks the array-api submodule "
                      "(array-api/spec is empty): run `git submodule update --init`")
    session.install(".", "pytest", "hypothesis>=6.151", "ndindex>=1.8", "pytest-json-report")
    skip_dtypes = os.environ.get("ONNXARRAY_CONFORMANCE_SKIP_DTYPES", "")
    extensions = os.environ.get("ONNXARRAY_CONFORMANCE_EXTENSIONS", "linalg,fft")
    unknown = set(filter(None, extensions.split(","))) - {"linalg", "fft"}
    if unknown:
        session.error(f"ONNXARRAY_CONFORMANCE_EXTENSIONS: unknown extension(s) {sorted(unknown)}")
    disabled = [e for e in ("linalg", "fft") if e not in extensions.split(",")]
    env = {
        "ARRAY_API_TESTS_MODULE": "onnxarray",
        "ARRAY_API_TESTS_VERSION": "2025.12",
        "ARRAY_API_TESTS_SKIP_DTYPES": skip_dtypes,
    }
    args = [
        # Hypothesis deadlines time single examples on a shared machine; they measure noise.
        "pytest", "array_api_tests", "-q", "-p", "no:cacheprovider", "-rxXfE",
        "--hypothesis-disable-deadline",
        "--xfails-file", str(ROOT / "array-api-tests-xfails.txt"),
        "--max-examples", os.environ.get("ONNXARRAY_CONFORMANCE_EXAMPLES", "100"),
    ]
    if disabled:
        args += ["--disable-extension", *disabled]
    with session.chdir(suite_dir):
        session.run(*args, *session.posargs, env=env)


# The consumers' versions whose own tests the consumers session runs (their tests change with
# them; consumers/known-consumer-failures.txt is written against these).
CONSUMERS = ["scikit-learn==1.9.1", "scipy==1.17.1", "array-api-extra==0.11.5"]


@nox.session
def consumers(session: nox.Session) -> None:
    """scikit-learn's, SciPy's and array-api-extra's own array-API tests and checks, from the
    installed packages, on onnxarray and on array-api-strict; prints per-suite counts.

    Fails when a test fails on onnxarray but passes on array-api-strict, unless it is listed
    in consumers/known-consumer-failures.txt. SciPy's array-API tests of special, stats, cluster
    and fft run whole; `--quick` (after `--`) runs a few of their files; see consumers/run.py.
    """
    session.install(".", *CONSUMERS, "array-api-strict>=2.6", "array-api-compat>=1.11",
                    "pytest>=8.0", "hypothesis>=6.100", "typing_extensions")
    session.run("python", "consumers/run.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks against NumPy, the peer library, skl2onnx and jax2onnx (jax on CPU),
    reported as ratios from one run."""
    session.install(".[dask]", "ndonnx", "scikit-learn>=1.6", "scipy>=1.14",
                    "array-api-strict>=2.6", "skl2onnx", "jax", "jax2onnx")
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session
def docs(session: nox.Session) -> None:
    """Check the docs, then build them into docs/_build (see docs/build.py).

    The check runs every code example and compares docs/api.md with docs/gen_api.py (the tests
    session does too); after changing a docstring, run `python docs/gen_api.py`.
    """
    session.install(*TEST_DEPS, "markdown>=3.5", "pdoc>=14")
    session.run("pytest", "-q", "-p", "no:cacheprovider", "tests/test_docs.py")
    session.run("python", "docs/build.py")
