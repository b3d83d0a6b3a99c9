import os
import sys

# scikit-learn's array API dispatch needs SciPy's array API support, read at SciPy's import.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

import math

import pytest
from hypothesis import HealthCheck, settings

sys.path.insert(0, os.path.dirname(__file__))

settings.register_profile(
    "default", max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough", max_examples=300, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def sync_plans(monkeypatch):
    """Promoting calls compile their plans at once, whatever the synchronous compile budget
    left and however slow the calls were on a loaded machine (tests that check which call
    gets a plan; the budget and the background compile have tests of their own)."""
    from onnxarray import _plans

    monkeypatch.setattr(_plans, "_budget", _plans._SyncBudget(math.inf))
    monkeypatch.setattr(_plans, "BACKGROUND_SECONDS", math.inf)


def pytest_terminal_summary(terminalreporter):
    """Print the accuracy table measured by test_accuracy.py and the count of exported models
    checked on the ONNX reference implementation (parity.py), when they ran."""
    module = sys.modules.get("test_accuracy")
    table = module.accuracy_table() if module is not None else ""
    if table:
        terminalreporter.section("accuracy of floating-point functions")
        terminalreporter.write_line(table)
    module = sys.modules.get("test_special_values")
    table = module.special_values_table() if module is not None else ""
    if table:
        terminalreporter.section("special values: mismatches with the standard per function")
        terminalreporter.write_line(table)
    parity = sys.modules.get("parity")
    if parity is not None and parity.REFERENCE_RUNS:
        terminalreporter.section("exported models on the ONNX reference implementation")
        for outcome, count in sorted(parity.REFERENCE_RUNS.items()):
            terminalreporter.write_line(f"{count:6d} {outcome}")
