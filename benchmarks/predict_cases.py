"""Hand-written predict functions, written once against an array namespace ``ns``.

Shared by benchmarks/run.py (onnxarray) and benchmarks/jax_export.py (jax.numpy, exported by
jax2onnx in its own interpreter), so both exporters see the same code. Imports NumPy only.
Every function takes float32 ``x`` of shape (N, N_FEATURES) and float32 NumPy parameters.
"""

from __future__ import annotations

import numpy as np

N_FEATURES, HIDDEN, N_CLASSES, TOP_K = 20, 64, 10, 3


def params() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(7)
    f32 = np.float32
    return {
        "scale": (rng.random(N_FEATURES) + 0.5).astype(f32),
        "shift": rng.normal(size=N_FEATURES).astype(f32),
        "w": (rng.normal(size=(N_FEATURES, N_CLASSES)) * 0.3).astype(f32),
        "b": rng.normal(size=N_CLASSES).astype(f32),
        "centers": rng.random((N_CLASSES, N_FEATURES)).astype(f32),
        "w1": (rng.normal(size=(N_FEATURES, HIDDEN)) * 0.3).astype(f32),
        "b1": (rng.normal(size=HIDDEN) * 0.1).astype(f32),
        "w2": (rng.normal(size=(HIDDEN, HIDDEN)) * 0.3).astype(f32),
        "b2": (rng.normal(size=HIDDEN) * 0.1).astype(f32),
        "w3": (rng.normal(size=(HIDDEN, N_CLASSES)) * 0.3).astype(f32),
        "b3": (rng.normal(size=N_CLASSES) * 0.1).astype(f32),
    }


def clip_scale(ns, x, p):
    return ns.clip(x * p["scale"] + p["shift"], -1.5, 1.5)


def clip_minmax(ns, x, p):
    return ns.minimum(ns.maximum(x * p["scale"], 0.0), 1.0)


def _softmax(ns, z):
    e = ns.exp(z - ns.max(z, axis=1, keepdims=True))
    return e / ns.sum(e, axis=1, keepdims=True)


def softmax_proba(ns, x, p):
    return _softmax(ns, x @ p["w"] + p["b"])


def softmax_argmax(ns, x, p):
    return ns.argmax(_softmax(ns, x @ p["w"] + p["b"]), axis=1)


def kmeans(ns, x, p):
    c = p["centers"]
    d = ns.sum(x * x, axis=1, keepdims=True) - 2.0 * (x @ c.T) + ns.sum(c * c, axis=1)
    return ns.argmin(d, axis=1)


def one_hot(ns, x, p):
    labels = ns.argmax(x @ p["w"], axis=1)
    classes = ns.arange(N_CLASSES)
    return ns.astype(labels[:, None] == classes, x.dtype)


def masked_mean(ns, x, p):
    mask = x > 0.5
    total = ns.sum(ns.where(mask, x, 0.0), axis=1)
    count = ns.sum(ns.astype(mask, x.dtype), axis=1)
    return total / ns.maximum(count, 1.0)


def top_k(ns, x, p):
    return -ns.sort(-(x @ p["w"]), axis=1)[:, :TOP_K]


def mlp(ns, x, p):
    h = ns.maximum(x @ p["w1"] + p["b1"], 0.0)
    h = ns.maximum(h @ p["w2"] + p["b2"], 0.0)
    return ns.argmax(_softmax(ns, h @ p["w3"] + p["b3"]), axis=1)


def tanh_layer(ns, x, p):
    return ns.tanh(x @ p["w"] + p["b"])


CASES = {"clip/scale": clip_scale, "clip min/max": clip_minmax,
         "softmax proba": softmax_proba, "softmax/argmax": softmax_argmax, "k-means": kmeans,
         "one-hot": one_hot, "masked mean": masked_mean, "top-k": top_k, "MLP": mlp,
         "tanh layer": tanh_layer}
