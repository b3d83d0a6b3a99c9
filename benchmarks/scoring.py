"""Scoring at scale: an exported model run on a Dask Array partition by partition, one
onnxruntime session per worker (the recipe of docs/scoring-at-scale.md), rows/s for local
clusters of 1 and 2 workers.

Imported by ``run.py`` (section ``dask``).
"""

from __future__ import annotations

import statistics
import time

import numpy as np

import onnxarray as xp

W1 = np.random.default_rng(0).normal(size=(16, 64)).astype(np.float32)
W2 = np.random.default_rng(1).normal(size=(64, 4)).astype(np.float32)


def _model_bytes() -> bytes:
    """A small MLP with a softmax head, exported with a dynamic batch."""
    x = xp.argument(shape=("batch", 16), dtype=xp.float32)
    h = xp.tanh(x @ xp.asarray(W1))
    z = h @ xp.asarray(W2)
    p = xp.exp(z - xp.max(z, axis=1, keepdims=True))
    p = p / xp.sum(p, axis=1, keepdims=True)
    return xp.build({"x": x}, {"label": xp.argmax(p, axis=1),
                               "prob": xp.max(p, axis=1)}).SerializeToString()


def _plugin_class():
    import distributed
    import onnxruntime as ort

    class OnnxSession(distributed.WorkerPlugin):
        name = "onnx-session"

        def __init__(self, model_bytes: bytes) -> None:
            self.model_bytes = model_bytes
            self.sessions: dict = {}

        def setup(self, worker) -> None:
            options = ort.SessionOptions()
            options.intra_op_num_threads = 1
            self.sessions[worker.address] = ort.InferenceSession(
                self.model_bytes, options, providers=["CPUExecutionProvider"])

    return OnnxSession


def _score_block(block: np.ndarray) -> np.ndarray:
    import distributed

    worker = distributed.get_worker()
    session = worker.plugins["onnx-session"].sessions[worker.address]
    label, prob = session.run(None, {"x": block})
    return np.stack([label.astype(np.float32), prob], axis=1)


def _plain_rate(model: bytes, chunk: int, repeat: int) -> float:
    """Rows/s of one single-threaded session on partition-sized blocks: Dask's ceiling per
    worker."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    block = np.random.default_rng(3).normal(size=(chunk, 16)).astype(np.float32)
    session.run(None, {"x": block})
    times = []
    for _ in range(repeat * 4):
        t0 = time.perf_counter()
        session.run(None, {"x": block})
        times.append(time.perf_counter() - t0)
    return chunk / statistics.median(times)


def bench_dask(quick: bool, results: dict, target) -> None:
    try:
        import dask.array as da
        import distributed
    except ImportError:
        print("\n## Scoring at scale with Dask: dask/distributed not installed, skipped")
        return
    rows, chunk = (100_000 if quick else 400_000), 20_000
    repeat = 3 if quick else 5
    model = _model_bytes()
    plugin = _plugin_class()
    rates = {"session": _plain_rate(model, chunk, repeat)}
    for workers in (1, 2):
        with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=False,
                                      dashboard_address=None) as cluster, \
                distributed.Client(cluster) as client:
            client.register_plugin(plugin(model))
            # generated on the workers, so that the data is not shipped with the task graph
            X = da.random.default_rng(2).normal(size=(rows, 16), chunks=(chunk, 16))
            X = X.astype(np.float32).persist()
            scores = X.map_blocks(_score_block, chunks=(chunk, 2), dtype=np.float32)
            scores.compute()  # warm-up: sessions and the scheduler's first graph
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter()
                scores.compute()
                times.append(time.perf_counter() - t0)
            rates[workers] = rows / statistics.median(times)
    results["dask"] = {"rows": rows, "chunk": chunk,
                       "rows_per_s": {str(k): v for k, v in rates.items()}}
    print(f"\n## Scoring at scale with Dask ({rows:,} rows x 16 features, partitions of "
          f"{chunk:,} rows, one session per worker, threads of one process)")
    print(f"one session, no Dask: {rates['session']:12,.0f} rows/s (one partition at a time)")
    for workers in (1, 2):
        print(f"{workers} worker{'s' if workers > 1 else ' '}:           {rates[workers]:12,.0f} "
              "rows/s")
    print(f"speed-up with 2 workers: {rates[2] / rates[1]:.2f}x")
    target("dask scoring, 2 workers vs 1", f"{rates[2] / rates[1]:.2f}x", None,
           "> 1 on 2 free cores")
