"""Eager backend: one onnxruntime session per node signature, compiled once and cached.

Operators whose result is exact and fully specified (data movement, integer and bool
operators, float arithmetic that IEEE 754 rounds once) are computed with NumPy instead, bit
for bit as the session would (``_numpy_kernels``); everything else, and any input those
kernels decline, runs the session.

The signature is (op, domain, attributes, input dtypes, output count); the inputs are declared
without a shape, so one session serves every shape and rank (a kernel reads the shapes when it
runs; creating a session costs ~0.3 ms, as much as ~30 runs of a small one). This is the only
module that imports onnxruntime.
"""

from __future__ import annotations

import functools

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper

from . import _numpy_kernels
from ._caches import LRUCache
from ._graph import NODE_NAME_ATTR
from ._opset_forms import (
    BITCAST_OPSET,
    DOMAIN_VERSIONS,
    PRIVATE_DOMAIN,
    expand,
    onnx_has_bitcast,
    op_min_opset,
)

__all__ = ["run_node", "run_session", "session_for_model", "session_runner", "eager_opset",
           "DEFAULT_OPSET", "IR_VERSION", "RUN_FAILURES"]

# The library's default target opset: opset 18 gives the reductions their `axes` input and the
# bitwise operators, and onnxruntime supports it since 1.14.
DEFAULT_OPSET = 18
IR_VERSION = 8

_sessions = LRUCache("sessions")  # signature -> (run, input names, output names)

# What a session run raises when the model stops in a node (a run-time check of the data, such
# as the text check of astype from strings): a plan that raises it reruns the call op by op,
# which raises the library's own error.
RUN_FAILURES = (ort.capi.onnxruntime_pybind11_state.Fail,
                ort.capi.onnxruntime_pybind11_state.InvalidArgument,
                ort.capi.onnxruntime_pybind11_state.RuntimeException)


_LEVELS = {"none": ort.GraphOptimizationLevel.ORT_DISABLE_ALL,
           "basic": ort.GraphOptimizationLevel.ORT_ENABLE_BASIC,
           "all": ort.GraphOptimizationLevel.ORT_ENABLE_ALL}


def _session_options(optimize: str) -> ort.SessionOptions:
    """Single-threaded sessions; ``optimize`` is "none", "basic" (onnxruntime's level-1
    rewrites: constant folding, redundant node elimination, the transpose optimizer) or "all"
    (also fusions)."""
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.log_severity_level = 4
    so.add_session_config_entry("session.intra_op.allow_spinning", "0")
    so.graph_optimization_level = _LEVELS[optimize]
    return so


_EAGER_OPTIONS = _session_options("none")
RUN_OPTIONS = ort.RunOptions()
RUN_OPTIONS.log_severity_level = 4


def make_attribute(name: str, value):
    if isinstance(value, np.ndarray):
        return helper.make_attribute(name, onnx.numpy_helper.from_array(value))
    if isinstance(value, tuple):
        value = list(value)
    return helper.make_attribute(name, value)


@functools.cache
def eager_opset() -> int:
    """The opset of eager sessions and plans: 26 where both the installed onnx and onnxruntime
    have ``BitCast`` (sign bits read exactly; onnxruntime >= 1.32), else ``DEFAULT_OPSET``.
    Detected by running a ``BitCast`` model once, not assumed from version numbers."""
    if not onnx_has_bitcast():
        return DEFAULT_OPSET
    try:
        model = _one_node_model("SignBit", PRIVATE_DOMAIN, (), [_Float32], [1], [_Bool],
                                opset=BITCAST_OPSET)
        sess = session_for_model(model, optimize="none")
        x = np.array([-np.nan, np.nan, -0.0, 0.0], np.float32)
        x[0] = np.copysign(x[0], -1.0)
        (out,) = sess.run(None, {"i0": x})
    except Exception:  # noqa: BLE001 - any refusal means no BitCast in this runtime
        return DEFAULT_OPSET
    return BITCAST_OPSET if out.tolist() == [True, False, True, False] else DEFAULT_OPSET


class _Float32:  # the two dtypes eager_opset's probe needs, without importing _dtypes
    onnx = onnx.TensorProto.FLOAT


class _Bool:
    onnx = onnx.TensorProto.BOOL


def _one_node_model(op, domain, attrs, in_dtypes, in_ranks, out_dtypes,
                    opset: int | None = None) -> bytes:
    if opset is None:  # the eager opset, or the newer one an operator needs (string ops)
        opset = max(eager_opset(), op_min_opset(
            op, domain, [None if dt is None else dt.onnx for dt in in_dtypes]))
    inputs, names = [], []
    for i, (dt, rank) in enumerate(zip(in_dtypes, in_ranks)):
        if dt is None:
            names.append("")
            continue
        name = f"i{i}"
        names.append(name)
        # a rank of None: any rank (the input has no shape)
        inputs.append(helper.make_tensor_value_info(
            name, dt.onnx, None if rank is None else [None] * rank))
    outs = [f"o{i}" for i in range(len(out_dtypes))]
    # A run-time check's message is no ONNX attribute (onnxruntime refuses the model): it
    # names the node, as in an exported model, so that a failing run says why.
    message = dict(attrs).get(NODE_NAME_ATTR)
    nodes, initializers = expand(op, domain, names, outs,
                                 tuple((k, make_attribute(k, v)) for k, v in attrs
                                       if k != NODE_NAME_ATTR),
                                 [None if dt is None else dt.onnx for dt in in_dtypes], opset)
    for i, node in enumerate(nodes if message is not None else ()):
        node.name = message if i == 0 else f"{message} ({i + 1})"
    graph = helper.make_graph(
        nodes, "eager", inputs,
        [helper.make_tensor_value_info(o, dt.onnx, None) for o, dt in zip(outs, out_dtypes)],
        initializer=initializers,
    )
    opsets = [helper.make_opsetid("", opset)]
    if domain and domain != PRIVATE_DOMAIN:
        opsets.append(helper.make_opsetid(domain, DOMAIN_VERSIONS.get(domain, 1)))
    model = helper.make_model(graph, opset_imports=opsets, ir_version=IR_VERSION)
    return model.SerializeToString()


def session_for_model(model_bytes: bytes, optimize: str = "all") -> ort.InferenceSession:
    return ort.InferenceSession(model_bytes, _session_options(optimize),
                                providers=["CPUExecutionProvider"])


def session_runner(sess):
    """``sess``'s run function, ``run(output_names, feeds, run_options)``.

    onnxruntime's ``InferenceSession.run`` validates the feeds in Python before calling its
    C++ session; our feeds are complete and typed by construction, and that validation costs
    ~3 µs of CPU time of a ~9 µs small-op run, ~15% of an eager ``add`` (onnxruntime 1.32,
    ``benchmarks/session_run.py``).
    So the C++ session's ``run`` is used when the (private) ``_sess`` attribute provides one,
    and the public method otherwise. This is the only use of onnxruntime's private API.
    """
    inner = getattr(sess, "_sess", None)
    run = getattr(inner, "run", None)
    return run if callable(run) else sess.run


def _compile(key, op, domain, attrs, inputs, out_dtypes):
    in_dtypes = [None if v is None else v.dtype for v in inputs]
    model = _one_node_model(op, domain, attrs, in_dtypes, [None] * len(inputs), out_dtypes)
    sess = ort.InferenceSession(model, _EAGER_OPTIONS, providers=["CPUExecutionProvider"])
    in_names = [f"i{i}" for i, dt in enumerate(in_dtypes) if dt is not None]
    entry = (session_runner(sess), in_names, [f"o{i}" for i in range(len(out_dtypes))])
    return _sessions.put(key, entry)


class ExecutionError(RuntimeError):
    """onnxruntime refused to run a node with these inputs (an onnxarray bug, not user error)."""


def run_node(op: str, domain: str, attrs: tuple, inputs, out_dtypes) -> list[np.ndarray]:
    """Run one node on concrete Values (``None`` for an omitted optional input): with NumPy
    where that is exact (``_numpy_kernels``), else in its onnxruntime session."""
    if op in _numpy_kernels.KERNELS:
        outs = _numpy_kernels.run(op, domain, attrs,
                                  [None if v is None else v.data for v in inputs])
        if outs is not None:
            return outs
    return run_session(op, domain, attrs, inputs, out_dtypes)


def run_session(op: str, domain: str, attrs: tuple, inputs, out_dtypes) -> list[np.ndarray]:
    """Run one node on concrete Values in its cached one-node onnxruntime session."""
    key = [op, domain, attrs, len(out_dtypes)]
    feeds_data = []
    for v in inputs:
        if v is None:
            key.append(None)
        else:
            key.append(v.dtype)
            feeds_data.append(v.data)
    key = tuple(key)
    entry = _sessions.get(key)
    if entry is None:
        try:
            entry = _compile(key, op, domain, attrs, inputs, out_dtypes)
        except Exception as exc:  # noqa: BLE001 - onnxruntime's refusals have no common type
            raise ExecutionError(f"onnxruntime refused {op}: {exc}") from None
    run, in_names, out_names = entry
    try:
        return run(out_names, dict(zip(in_names, feeds_data)), RUN_OPTIONS)
    except Exception as exc:  # pragma: no cover - surfaced as a library bug
        raise ExecutionError(f"onnxruntime failed to run {op}: {exc}") from None


def session_count() -> int:
    return len(_sessions)
