"""Scoring at scale: an exported model scores a Dask Array and a Dask DataFrame partition by
partition, with one onnxruntime session per worker (the recipe of docs/scoring-at-scale.md)."""

import numpy as np
import pytest

import onnxarray as xp

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")
ort = pytest.importorskip("onnxruntime")

W = np.array([[0.5, -1.0], [2.0, 0.25], [-0.75, 1.0], [0.1, 0.2]], np.float32)
B = np.array([0.1, -0.2], np.float32)


def pipeline(x):
    """A small model: a linear layer, a softmax, the winning class and its probability."""
    z = x @ xp.asarray(W) + xp.asarray(B)
    z = z - xp.max(z, axis=1, keepdims=True)
    p = xp.exp(z) / xp.sum(xp.exp(z), axis=1, keepdims=True)
    return xp.argmax(p, axis=1), xp.max(p, axis=1)


def exported():
    x = xp.argument(shape=("batch", 4), dtype=xp.float32)
    label, prob = pipeline(x)
    return xp.build({"x": x}, {"label": label, "prob": prob})


class OnnxSession(distributed.WorkerPlugin):
    """One onnxruntime session per worker, created when the worker starts."""

    name = "onnx-session"

    def __init__(self, model_bytes: bytes) -> None:
        self.model_bytes = model_bytes
        self.sessions: dict = {}  # worker address -> session

    def setup(self, worker) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # Dask runs one partition per worker thread
        self.sessions[worker.address] = ort.InferenceSession(
            self.model_bytes, options, providers=["CPUExecutionProvider"])


def worker_session():
    worker = distributed.get_worker()
    return worker.plugins[OnnxSession.name].sessions[worker.address]


def score_block(block: np.ndarray) -> np.ndarray:
    label, prob = worker_session().run(None, {"x": block})
    return np.stack([label.astype(np.float32), prob], axis=1)


def score_frame(frame):
    label, prob = worker_session().run(
        None, {"x": frame[["a", "b", "c", "d"]].to_numpy(np.float32)})
    return pd.DataFrame({"label": label, "prob": prob}, index=frame.index)


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as c:
        c.register_plugin(OnnxSession(exported().SerializeToString()))
        yield c


def _expected(data):
    label, prob = pipeline(xp.asarray(data))
    return np.asarray(label), np.asarray(prob)


def test_dask_array(client):
    data = np.random.default_rng(0).normal(size=(10_000, 4)).astype(np.float32)
    X = da.from_array(data, chunks=(1_000, 4))
    scores = X.map_blocks(score_block, chunks=(1_000, 2), dtype=np.float32).compute()
    label, prob = _expected(data)
    np.testing.assert_array_equal(scores[:, 0], label.astype(np.float32))
    np.testing.assert_allclose(scores[:, 1], prob, rtol=1e-6)
    sessions = client.run(lambda dask_worker: dask_worker.address in dask_worker.plugins[
        OnnxSession.name].sessions)
    assert len(sessions) == 2 and all(sessions.values())  # one session on each worker


def test_dask_dataframe(client):
    data = np.random.default_rng(1).normal(size=(5_000, 4)).astype(np.float32)
    frame = pd.DataFrame(data, columns=["a", "b", "c", "d"])
    ddf = dd.from_pandas(frame, npartitions=6)
    meta = pd.DataFrame({"label": np.array([], np.int64), "prob": np.array([], np.float32)})
    scored = ddf.map_partitions(score_frame, meta=meta).compute()
    label, prob = _expected(data)
    np.testing.assert_array_equal(scored["label"].to_numpy(), label)
    np.testing.assert_allclose(scored["prob"].to_numpy(), prob, rtol=1e-6)
    assert list(scored.index) == list(frame.index)
