"""A pytest plugin that runs scikit-learn's, SciPy's and array-api-extra's own array-API tests
on onnxarray and, side by side, on array-api-strict (the reference).

Each consumer chooses its array backends in its own way; the plugin plugs onnxarray into each
through pytest's public parametrization, without touching the consumer's code:

- SciPy: its conftest's ``xp`` fixture takes the namespace module as its parameter; the plugin
  parametrizes it (indirectly) with onnxarray and array_api_strict, so the fixture still
  applies SciPy's ``skip_xp_backends``/``xfail_xp_backends`` markers.
- array-api-extra: its conftest's ``library`` fixture takes a ``Backend`` and its ``xp`` fixture
  imports ``library.modname``; the plugin parametrizes ``library`` (indirectly) with
  ``Backend.ARRAY_API_STRICT`` and a stand-in backend whose module is onnxarray.
- scikit-learn: tests are parametrized over ``yield_namespace_device_dtype_combinations()``;
  the plugin keeps the array_api_strict combinations of those ``parametrize`` markers and adds
  the same dtypes on onnxarray (``_array_api_for_tests`` imports the namespace by name).

Tests listed in known-consumer-failures.txt are marked xfail with their reason there. Every
outcome is written as one JSON line to ``--consumers-report`` for consumers/run.py to count.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

HERE = Path(__file__).parent
BACKENDS = ("onnxarray", "array_api_strict")
_BRACKET = re.compile(r"\[(.*)\]$")


def pytest_addoption(parser):
    group = parser.getgroup("consumers", "consumers' array-API tests on onnxarray")
    group.addoption("--consumers-backends", default=",".join(BACKENDS),
                    help="comma-separated namespaces to run: onnxarray, array_api_strict")
    group.addoption("--consumers-report", default=None,
                    help="write one JSON line per test outcome to this file")
    group.addoption("--consumers-known", default=str(HERE / "known-consumer-failures.txt"),
                    help="file of known consumer-side failures (reason headers, test ids)")


def _backends(config):
    names = tuple(n for n in config.getoption("consumers_backends").split(",") if n)
    unknown = set(names) - set(BACKENDS)
    if unknown:
        raise pytest.UsageError(f"--consumers-backends: unknown {sorted(unknown)}")
    return names


def backend_of(nodeid: str) -> str | None:
    """The namespace a test id runs on, read from its parameter ids."""
    match = _BRACKET.search(nodeid)
    if match is None:
        return None
    for name in BACKENDS:
        if name in match.group(1).split("-"):
            return name
    return None


def twin_key(nodeid: str) -> str:
    """The test id with its namespace blanked: the same test on either backend."""
    head, sep, params = nodeid.partition("[")
    parts = ["<ns>" if p in BACKENDS else p for p in params.rstrip("]").split("-")]
    return head + sep + "-".join(parts) + ("]" if sep else "")


# --- array-api-extra ---------------------------------------------------------------------


class OnnxarrayBackend:
    """Stands in for an array-api-extra ``Backend`` member whose module is onnxarray.

    The consumer's fixtures and tests use ``modname``, ``like(...)`` and comparisons with
    ``Backend`` members; onnxarray is none of them.
    """

    name = "ONNXARRAY"
    value = "onnxarray"
    modname = "onnxarray"

    def like(self, *others) -> bool:
        return any(self.modname == other.modname for other in others)

    def __repr__(self) -> str:
        return "<Backend.ONNXARRAY: 'onnxarray'>"

    def __str__(self) -> str:
        return "Backend.ONNXARRAY"


ONNXARRAY_BACKEND = OnnxarrayBackend()


def _consumer_of(metafunc) -> str:
    """Which consumer's test this is, from its file's path."""
    parts = Path(str(metafunc.definition.path)).parts
    for name in ("scipy", "sklearn"):
        if name in parts:
            return name
    if any(p.startswith("array_api_extra") for p in parts):
        return "array_api_extra"
    return ""


def _is_parametrized(metafunc, argname):
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs.get("argnames", ())
        if isinstance(names, str):
            names = [n.strip() for n in names.split(",")]
        if argname in names:
            return True
    return False


@pytest.hookimpl(tryfirst=True)
def pytest_generate_tests(metafunc):
    backends = _backends(metafunc.config)
    names = metafunc.fixturenames
    consumer = _consumer_of(metafunc)
    if "library" in names and consumer == "array_api_extra":
        if not _is_parametrized(metafunc, "library"):
            from array_api_extra._lib._backends import Backend

            values = {"onnxarray": ONNXARRAY_BACKEND, "array_api_strict": Backend.ARRAY_API_STRICT}
            metafunc.definition.add_marker(pytest.mark.parametrize(
                "library", [pytest.param(values[b], id=b) for b in backends], indirect=True))
        return
    if "xp" in names and consumer == "scipy":
        if not _is_parametrized(metafunc, "xp"):
            import importlib

            metafunc.definition.add_marker(pytest.mark.parametrize(
                "xp", [pytest.param(importlib.import_module(b), id=b) for b in backends],
                indirect=True))
        return
    if "array_namespace" in names or (
            consumer == "sklearn" and any(n in names for n in NAMESPACE_ARGS)):
        _rewrite_sklearn_marks(metafunc, backends)


# The names scikit-learn's tests give the namespace they are parametrized over.
NAMESPACE_ARGS = ("array_namespace", "namespace", "library", "array_api")


def _rewrite_sklearn_marks(metafunc, backends):
    """Keep the array_api_strict rows of scikit-learn's namespace parametrization and add the
    same dtypes on onnxarray (its default device)."""
    markers = metafunc.definition.own_markers
    for i, mark in enumerate(markers):
        if mark.name != "parametrize" or not mark.args:
            continue
        argnames = mark.args[0]
        if isinstance(argnames, str):
            argnames = [n.strip() for n in argnames.split(",")]
        found = [n for n in NAMESPACE_ARGS if n in argnames]
        if not found:
            continue
        pos = list(argnames).index(found[0])
        rows = []
        for row in mark.args[1]:
            values = row.values if hasattr(row, "values") else (
                row if len(argnames) > 1 else (row,))
            if values[pos] != "array_api_strict":
                continue
            marks = getattr(row, "marks", ())
            for backend in backends:
                new = list(values)
                new[pos] = backend
                for name in ("device", "device_name"):
                    if backend == "onnxarray" and name in argnames:
                        new[list(argnames).index(name)] = None
                ident = "-".join(_id_part(backend, v, argnames[j])
                                 for j, v in enumerate(values))
                rows.append(pytest.param(*new, marks=marks, id=ident))
        if not rows:
            continue
        kwargs = {k: v for k, v in mark.kwargs.items() if k != "ids"}
        markers[i] = pytest.mark.parametrize(mark.args[0], rows, **kwargs).mark


def _id_part(backend, value, argname):
    if argname in NAMESPACE_ARGS:
        return backend
    if argname in ("device", "device_name"):
        return "dev"  # the same id on both backends: the twin of a test keeps its id
    if isinstance(value, str | int | float | bool | type(None)):
        return str(value)
    return getattr(value, "__name__", None) or type(value).__name__


# --- markers that follow the backend ------------------------------------------------------


@pytest.fixture(autouse=True)
def _onnxarray_follows_np_only(request):
    """SciPy's ``skip_xp_backends(np_only=True)`` names the backends it exempts and skips every
    other known one; onnxarray is not in SciPy's list, so the plugin applies the marker."""
    callspec = getattr(request.node, "callspec", None)
    xp = callspec.params.get("xp") if callspec is not None else None
    if getattr(xp, "__name__", None) != "onnxarray":
        return
    for kind, action in (("skip", pytest.skip), ("xfail", pytest.xfail)):
        for marker in request.node.iter_markers(f"{kind}_xp_backends"):
            if marker.kwargs.get("np_only") and "onnxarray" not in marker.kwargs.get(
                    "exceptions", ()):
                action(reason=marker.kwargs.get("reason") or "NumPy only")


# --- known consumer-side failures -------------------------------------------------------


def read_known(path: Path) -> dict[str, str]:
    """Test id -> reason, from a file of ``# reason`` headers followed by test ids."""
    known: dict[str, str] = {}
    reason = ""
    header = True
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line:
            header = True
            continue
        if line.startswith("#"):
            reason = (reason + " " if not header else "") + line.lstrip("# ")
            header = False
            continue
        known[line] = reason
        header = True
    return known


def pytest_collection_modifyitems(config, items):
    path = Path(config.getoption("consumers_known"))
    known = read_known(path) if path.exists() else {}
    for item in items:
        reason = known.get(_short_id(item.nodeid))
        if reason is not None:
            item.add_marker(pytest.mark.xfail(reason=f"consumer-side: {reason}", strict=False))


def _short_id(nodeid: str) -> str:
    """A test id from the consumer package's name on (site-packages paths vary)."""
    for package in ("sklearn/", "scipy/", "array_api_extra/", "consumers/"):
        pos = nodeid.find(package)
        if pos >= 0:
            return nodeid[pos:]
    return nodeid


# --- report -------------------------------------------------------------------------------


class _Report:
    """Registered as a plugin when ``--consumers-report`` is given: one JSON line per test."""

    def __init__(self, path):
        self.stream = open(path, "a")  # noqa: SIM115 - closed at unconfigure

    def write(self, report, outcome):
        nodeid = _short_id(report.nodeid)
        self.stream.write(json.dumps({
            "id": nodeid, "backend": backend_of(nodeid), "outcome": outcome,
            "seconds": round(report.duration, 4),
            "message": _message(report) if outcome in ("failed", "error") else "",
        }) + "\n")

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            if hasattr(report, "wasxfail"):
                outcome = "xfailed" if report.outcome in ("skipped", "failed") else "xpassed"
            elif report.outcome == "failed" and report.when == "setup":
                outcome = "error"
            else:
                outcome = report.outcome
            self.write(report, outcome)
        elif report.when == "teardown" and report.outcome == "failed":
            self.write(report, "error")


def _message(report):
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return crash.message.splitlines()[0][:300] if crash.message else ""
    return str(report.longrepr).splitlines()[-1][:300] if report.longrepr else ""


def pytest_configure(config):
    path = config.getoption("consumers_report")
    if path:
        config.pluginmanager.register(_Report(path), "onnxarray-consumers-report")


def pytest_unconfigure(config):
    report = config.pluginmanager.get_plugin("onnxarray-consumers-report")
    if report is not None:
        report.stream.close()
