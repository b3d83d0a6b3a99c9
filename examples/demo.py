"""The main job: a fitted scikit-learn pipeline becomes an ONNX model, with no converter.

A pipeline (standardize, PCA, logistic regression) is fitted with scikit-learn on the wine data
it ships. scikit-learn's own ``predict_proba`` code, run with array API dispatch on a symbolic
onnxarray argument whose batch dimension is named, records the model; a little post-processing
written against the standard (the label and a confidence flag) is recorded with it. The model is
saved, run in onnxruntime on batches of several sizes and compared with scikit-learn.
"""

from __future__ import annotations

import os

os.environ.setdefault("SCIPY_ARRAY_API", "1")  # scikit-learn's dispatch needs SciPy's support

import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
import sklearn  # noqa: E402
from sklearn.datasets import load_wine  # noqa: E402
from sklearn.decomposition import PCA  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.utils._array_api import move_estimator_to  # noqa: E402

import onnxarray  # noqa: E402


def postprocess(xp, proba, classes):
    """The label and whether the model is confident; any Array API namespace works."""
    best = xp.argmax(proba, axis=1)
    return xp.take(classes, best), xp.max(proba, axis=1) >= 0.9


def main() -> None:
    data = load_wine()
    X, y = data.data, data.target
    pipe = make_pipeline(StandardScaler(), PCA(n_components=6),
                         LogisticRegression(max_iter=1000)).fit(X, y)

    with sklearn.config_context(array_api_dispatch=True, assume_finite=True):
        # The fitted attributes move to onnxarray; the estimator's code is unchanged.
        moved = move_estimator_to(pipe, onnxarray, None)
        classes = onnxarray.asarray(pipe.classes_)
        # Eager: scikit-learn's code runs now, through onnxruntime.
        proba_eager = moved.predict_proba(onnxarray.asarray(X))
        # Lazy: a symbolic input with a named batch dimension records the graph.
        x = onnxarray.argument(shape=("batch", X.shape[1]), dtype=onnxarray.float64)
        proba = moved.predict_proba(x)
        label, confident = postprocess(onnxarray, proba, classes)
    model = onnxarray.build({"x": x}, {"proba": proba, "label": label, "confident": confident},
                            doc_string="wine classifier (scikit-learn pipeline) via onnxarray")
    onnx.checker.check_model(model, full_check=True)

    path = Path(tempfile.mkdtemp()) / "wine.onnx"
    onnx.save(model, path)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    ops = sorted({n.op_type for n in model.graph.node})
    print(f"exported {path} ({path.stat().st_size:,} bytes, {len(model.graph.node)} nodes: "
          f"{', '.join(ops)}; opset {model.opset_import[0].version})")

    worst = 0.0
    for batch in (1, 7, len(X)):
        p, lab, conf = sess.run(None, {"x": X[:batch]})
        err = float(np.max(np.abs(p - pipe.predict_proba(X[:batch]))))
        worst = max(worst, err)
        agree = np.mean(lab == pipe.predict(X[:batch]))
        print(f"batch {batch:4d}: labels agree with scikit-learn {agree:.0%}, "
              f"max |proba - sklearn| = {err:.2e}, confident on {np.mean(conf):.0%}")
    eager_gap = float(np.max(np.abs(np.asarray(proba_eager) - sess.run(None, {"x": X})[0])))
    print(f"eager vs exported model: max difference {eager_gap:.1e}")
    if worst > 1e-9 or eager_gap > 1e-12:
        raise SystemExit("demo: the exported model disagrees with scikit-learn")


if __name__ == "__main__":
    main()
