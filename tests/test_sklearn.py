"""Fitted scikit-learn estimators, unchanged, run on onnxarray and export with a batch dimension.

scikit-learn's own predict / transform code runs with ``array_api_dispatch=True``: eagerly on
concrete arrays, and on a symbolic argument whose first dimension is named, which records the
model. The exported model runs in onnxruntime on batches of several sizes and matches
scikit-learn's NumPy result.
"""

from __future__ import annotations

import numpy as np
import onnx
import pytest

sklearn = pytest.importorskip("sklearn")
_array_api = pytest.importorskip("sklearn.utils._array_api")
if not hasattr(_array_api, "move_estimator_to"):
    pytest.skip("scikit-learn >= 1.9 moves fitted estimators between namespaces",
                allow_module_level=True)

from parity import assert_close, run_model  # noqa: E402
from sklearn.datasets import load_wine  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis  # noqa: E402
from sklearn.kernel_approximation import Nystroem  # noqa: E402
from sklearn.linear_model import (  # noqa: E402
    LogisticRegression,
    PoissonRegressor,
    Ridge,
    RidgeClassifierCV,
    RidgeCV,
)
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import (  # noqa: E402
    Binarizer,
    KernelCenterer,
    MinMaxScaler,
    Normalizer,
    PolynomialFeatures,
    StandardScaler,
)

import onnxarray as xp  # noqa: E402

move_estimator_to = _array_api.move_estimator_to

X_ALL, Y_ALL = load_wine(return_X_y=True)
X, Y = X_ALL[:, :6], Y_ALL
Y_REG = X_ALL[:, 6] + 0.1  # a positive regression target (PoissonRegressor needs y > 0)

# (estimator, methods, target): every estimator here is tagged array_api_support.
CASES = [
    (StandardScaler(), ("transform",), None),
    (MinMaxScaler(), ("transform",), None),
    (Normalizer(), ("transform",), None),
    (Binarizer(threshold=2.0), ("transform",), None),
    (PCA(n_components=4), ("transform",), None),
    (PolynomialFeatures(degree=2), ("transform",), None),
    (Nystroem(n_components=20, random_state=0), ("transform",), None),
    (LinearDiscriminantAnalysis(),
     ("predict", "predict_proba", "transform", "decision_function"), Y),
    (LogisticRegression(max_iter=2000), ("predict", "predict_proba", "decision_function"), Y),
    (Ridge(alpha=0.5), ("predict",), Y_REG),
    (RidgeCV(), ("predict",), Y_REG),
    (RidgeClassifierCV(), ("predict", "decision_function"), Y),
    (PoissonRegressor(max_iter=1000), ("predict",), Y_REG),
    (GaussianNB(), ("predict", "predict_proba"), Y),
    (make_pipeline(StandardScaler(), PCA(n_components=3), LogisticRegression()),
     ("predict", "predict_proba"), Y),
]
BATCHES = (1, 37)


def _id(case) -> str:
    est = case[0]
    return "+".join(type(s).__name__ for _, s in est.steps) if hasattr(est, "steps") \
        else type(est).__name__


def _export(est, method: str, n_features: int) -> tuple[onnx.ModelProto, object]:
    with sklearn.config_context(array_api_dispatch=True, assume_finite=True):
        moved = move_estimator_to(est, xp, None)
        x = xp.argument(shape=("batch", n_features), dtype=xp.float64)
        model = xp.build({"X": x}, {"y": getattr(moved, method)(x)})
    return model, moved


def _compare(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    if expected.dtype.kind == "f":
        assert_close(actual, expected, what, rtol=1e-9, atol=1e-9)
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_estimator_exports_with_dynamic_batch(case):
    est, methods, target = case
    est.fit(X, target) if target is not None else est.fit(X)
    for method in methods:
        model, moved = _export(est, method, X.shape[1])
        onnx.checker.check_model(model, full_check=True)
        batch_dim = model.graph.input[0].type.tensor_type.shape.dim[0]
        assert batch_dim.dim_param == "batch", f"{method}: the batch dim is not dynamic"
        for n in BATCHES:
            rows = X[(np.arange(n) * 7) % len(X)]
            expected = np.asarray(getattr(est, method)(rows))
            (got,) = run_model(model, {"X": rows})
            _compare(got, expected, f"{_id(case)}.{method} exported, batch {n}")
            with sklearn.config_context(array_api_dispatch=True, assume_finite=True):
                eager = np.asarray(getattr(moved, method)(xp.asarray(rows)))
            _compare(eager, got, f"{_id(case)}.{method} eager vs exported, batch {n}")


def test_kernel_centerer_exports_with_dynamic_batch():
    fit_rows = X[:40]
    centerer = KernelCenterer().fit(fit_rows @ fit_rows.T)
    model, _ = _export(centerer, "transform", len(fit_rows))
    onnx.checker.check_model(model, full_check=True)
    for n in BATCHES:
        k = X[-n:] @ fit_rows.T
        (got,) = run_model(model, {"X": k})
        _compare(got, centerer.transform(k), f"KernelCenterer.transform batch {n}")


def test_validation_runs_symbolically_without_assume_finite():
    """With the default finiteness check, export still fails clearly: it needs the data."""
    scaler = StandardScaler().fit(X)
    with sklearn.config_context(array_api_dispatch=True):
        moved = move_estimator_to(scaler, xp, None)
        x = xp.argument(shape=("batch", X.shape[1]), dtype=xp.float64)
        with pytest.raises(xp.SymbolicValueError, match=r"bool\(\).*symbolic"):
            moved.transform(x)
