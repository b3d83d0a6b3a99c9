"""The main job: prediction code written against the Array API standard becomes an ONNX model.

A logistic-regression classifier is fitted with scikit-learn on the wine data it ships. Its
``predict`` step (standardize, affine map, softmax, argmax) is written once against the standard.
It runs eagerly on onnxarray arrays, is traced with a symbolic batch dimension, exported, saved,
and run in onnxruntime on batches of several sizes; the result is compared with scikit-learn.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import onnxarray


def predict(xp, x, mean, scale, coef, intercept):
    """Class probabilities and labels; any Array API namespace works."""
    z = (x - mean) / scale
    logits = z @ xp.matrix_transpose(coef) + intercept
    logits = logits - xp.max(logits, axis=1, keepdims=True)
    e = xp.exp(logits)
    proba = e / xp.sum(e, axis=1, keepdims=True)
    return proba, xp.argmax(proba, axis=1)


def main() -> None:
    data = load_wine()
    X, y = data.data, data.target
    pipe = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)).fit(X, y)
    scaler, clf = pipe[0], pipe[1]
    params = [onnxarray.asarray(p) for p in
              (scaler.mean_, scaler.scale_, clf.coef_, clf.intercept_)]

    # Eager: the same function, run now through onnxruntime.
    proba_eager, label_eager = predict(onnxarray, onnxarray.asarray(X), *params)

    # Lazy: a symbolic input with a named batch dimension records the graph.
    x = onnxarray.argument(shape=("batch", X.shape[1]), dtype=onnxarray.float64)
    proba, label = predict(onnxarray, x, *params)
    model = onnxarray.build({"x": x}, {"proba": proba, "label": label},
                            doc_string="wine classifier exported by onnxarray")
    onnx.checker.check_model(model, full_check=True)

    path = Path(tempfile.mkdtemp()) / "wine.onnx"
    onnx.save(model, path)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])

    print(f"exported {path} ({path.stat().st_size:,} bytes, {len(model.graph.node)} nodes, "
          f"opset {model.opset_import[0].version})")
    worst = 0.0
    for batch in (1, 7, len(X)):
        p, lab = sess.run(None, {"x": X[:batch]})
        err = float(np.max(np.abs(p - pipe.predict_proba(X[:batch]))))
        worst = max(worst, err)
        agree = np.mean(lab == pipe.predict(X[:batch]))
        print(f"batch {batch:4d}: labels agree with scikit-learn {agree:.0%}, "
              f"max |proba - sklearn| = {err:.2e}")
    eager_gap = float(np.max(np.abs(np.asarray(proba_eager) - sess.run(None, {"x": X})[0])))
    print(f"eager vs exported model: max difference {eager_gap:.1e}; "
          f"labels identical: {bool(np.all(np.asarray(label_eager) == pipe.predict(X)))}")
    if worst > 1e-9 or eager_gap != 0.0:
        raise SystemExit("demo: the exported model disagrees with scikit-learn")


if __name__ == "__main__":
    main()
