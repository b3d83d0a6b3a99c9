"""The parity invariant: eager result == exported model run in onnxruntime == array-api-strict.

``check(fn, *arrays)`` calls ``fn(xp, *args)`` three ways: eagerly on onnxarray arrays, on
symbolic ``argument``s (then ``build``, ``check_model(full_check=True)`` and an onnxruntime run
on the same data), and on array-api-strict arrays. Eager and exported results must be identical
(same dtype, shape and bits, NaNs in the same places); the reference must agree in dtype and
shape, and in value within ``rtol``/``atol``.
"""

from __future__ import annotations

from collections import Counter

import array_api_strict as strict
import numpy as np
import onnx
import onnxruntime as ort
from onnx import inliner
from onnx.reference import ReferenceEvaluator
from onnx.reference.ops.op_loop import Loop as ReferenceLoop

import onnxarray as oxp
from onnxarray._array_object import Array
from onnxarray._complex import pack, unpack
from onnxarray._ops import const
from onnxarray._plans import PROMOTE_AFTER

_STRICT_DTYPES = {np.dtype(n): getattr(strict, n) for n in (
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float32", "float64", "complex64", "complex128")}


def to_onnxarray(a) -> Array:
    """A concrete onnxarray array from NumPy data, without going through asarray."""
    a = np.asarray(a)
    return Array._new(const(np.asarray(a, order="C"), oxp._dtypes.BY_NUMPY[a.dtype]))


def to_strict(a):
    a = np.asarray(a)
    return strict.asarray(a, dtype=_STRICT_DTYPES[a.dtype])


def _flatten(out):
    if isinstance(out, (tuple, list)):
        return list(out)
    return [out]


def _as_numpy(x) -> np.ndarray:
    if isinstance(x, Array):
        return np.asarray(x)
    if hasattr(x, "_array"):  # array-api-strict keeps its NumPy array here
        return np.asarray(x._array)
    return np.asarray(x)


def assert_identical(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if actual.dtype.kind == "c":
        assert_identical(actual.real, expected.real, f"{what} (real part)")
        assert_identical(actual.imag, expected.imag, f"{what} (imaginary part)")
    elif actual.dtype.kind == "f":
        np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=what)
        ok = ~np.isnan(actual)
        np.testing.assert_array_equal(actual[ok], expected[ok], err_msg=what)
        np.testing.assert_array_equal(np.signbit(actual[ok]), np.signbit(expected[ok]),
                                      err_msg=f"{what}: signs of zeros")
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)


def assert_close(actual: np.ndarray, expected: np.ndarray, what: str, rtol: float,
                 atol: float) -> None:
    assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if actual.dtype.kind in "fc":
        np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, equal_nan=True,
                                   err_msg=what)
    else:
        np.testing.assert_array_equal(actual, expected, err_msg=what)


# Operators whose results are fixed by IEEE 754 arithmetic (or move data without arithmetic):
# onnxruntime and the ONNX reference implementation must agree on them bit for bit. Any other
# operator (transcendental functions, reductions and products, whose summation order is free)
# may differ in the last bits, so a model using one is compared within REFERENCE_ULPS.
EXACT_OPS = frozenset("""
    Abs Add And ArgMax ArgMin BitShift BitwiseAnd BitwiseNot BitwiseOr BitwiseXor Cast CastLike
    Ceil Clip Compress Concat Constant ConstantOfShape Div Equal Expand Flatten Floor Gather
    GatherElements GatherND Greater GreaterOrEqual Identity If IsInf IsNaN Less LessOrEqual Loop
    Max Min Mod Mul Neg Not NonZero Or Pad Range ReduceMax ReduceMin Reshape ScatterElements
    ScatterND Shape Sign Size Slice Split Sqrt Squeeze Sub Tile TopK Transpose Trilu Unique
    Unsqueeze Where Xor Round Reciprocal
""".split())
REFERENCE_ULPS = 64
# Exact operators whose zero signs the reference may choose differently (see check_reference).
ZERO_SIGN_FREE_OPS = frozenset({"Where", "Max", "Min"})
# The onnx release whose reference implementation the check was validated with. Older ones
# have bugs of their own: onnx 1.16's GatherElements returns shape (0,) for indices of shape
# (3, 0).
REFERENCE_CHECKED_WITH = (1, 23)
ONNX_VERSION = tuple(int(p) for p in onnx.__version__.split(".")[:2])
# Operators where the ONNX reference implementation is not a reference for our models, with
# the reason; a model that uses one is not run on it.
REFERENCE_EXCEPTIONS: dict[str, str] = {}
# A Loop with scan outputs that runs zero times is not run on the reference (Loop below cannot
# know the shape of its empty outputs); any other failure fails the test.
ZERO_TRIP_LOOP_ERROR = "a Loop with scan outputs ran zero times"
# How many exported models matched the reference implementation, and how many were not run on
# it (per excepted operator); printed at the end of a test run (conftest.py).
REFERENCE_RUNS: Counter = Counter()


def _op_types(graph: onnx.GraphProto) -> set[str]:
    """Operator types of ``graph`` and of its subgraphs (If/Loop bodies), walked iteratively."""
    seen, todo = set(), [graph]
    while todo:
        g = todo.pop()
        for node in g.node:
            seen.add(node.op_type)
            for attr in node.attribute:
                if attr.type == onnx.AttributeProto.GRAPH:
                    todo.append(attr.g)
                todo.extend(attr.graphs)
    return seen


def _assert_within_ulps(actual, expected, what: str, ulps: int = REFERENCE_ULPS,
                        input_scale: float = 0.0) -> None:
    """Equal NaN positions and signs of infinities; finite values within ``ulps`` of the scale
    (of the outputs, or of the inputs when larger: a transform whose exact result is 0 comes
    out as rounding noise of the inputs' size)."""
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=what)
    inf = np.isinf(expected) | np.isinf(actual)
    np.testing.assert_array_equal(actual[inf], expected[inf], err_msg=what)
    finite = np.isfinite(actual) & np.isfinite(expected)
    eps = np.finfo(actual.dtype).eps
    scale = max(float(np.max(np.abs(expected[finite]), initial=0.0)), input_scale)
    tiny = float(np.finfo(actual.dtype).smallest_subnormal)  # eps * scale may underflow
    np.testing.assert_allclose(actual[finite], expected[finite], rtol=ulps * eps,
                               atol=ulps * max(eps * scale, tiny), err_msg=what)


class Loop(ReferenceLoop):  # new_ops replaces the operator with the class of its name
    """onnx 1.23's reference Loop with its two departures from the ONNX specification fixed: an
    omitted condition input means true (the reference runs no iteration), and scan outputs are
    stacked on a new leading axis (the reference concatenates them with np.vstack)."""

    op_domain = ""

    def _run(self, M, cond, *carried, context=None, body=None, attributes=None,
             bindings=None):
        names = self.body.input_names
        inputs = dict(context or {})
        carried = list(carried)
        cond = True if cond is None else bool(cond)
        scans: list[list] = [[] for _ in range(self.K)]
        it = 0
        while cond and (M is None or it < M):
            inputs[names[0]] = np.array(it, dtype=np.int64)
            inputs[names[1]] = np.array(cond)
            inputs.update(zip(names[2:], carried))
            outs = self._run_body(inputs, attributes=attributes, bindings=bindings)
            cond = bool(outs[0])
            carried = list(outs[1:1 + self.N])
            for scan, out in zip(scans, outs[1 + self.N:]):
                scan.append(out)
            it += 1
        if it == 0 and self.K:
            # The per-iteration shape of a scan output is not known without an iteration.
            raise ValueError(ZERO_TRIP_LOOP_ERROR)
        return self._check_and_fix_outputs(tuple(carried + [np.stack(s) for s in scans]))


def check_reference(model: onnx.ModelProto, feeds: dict, outs: list[np.ndarray],
                    invariant=None) -> None:
    """Run ``model`` on onnx.reference.ReferenceEvaluator and compare with onnxruntime's ``outs``
    (the run with graph optimizations off): bit for bit when every operator is exact IEEE
    arithmetic, else within REFERENCE_ULPS of the outputs' scale."""
    if ONNX_VERSION < REFERENCE_CHECKED_WITH:
        REFERENCE_RUNS[f"not run (onnx {onnx.__version__} is older than "
                       f"{'.'.join(map(str, REFERENCE_CHECKED_WITH))})"] += 1
        return
    ops = _op_types(model.graph)
    for f in model.functions:  # bodies of model-local functions
        ops |= _op_types(onnx.helper.make_graph(f.node, f.name, [], []))
    excepted = sorted(ops & REFERENCE_EXCEPTIONS.keys())
    if excepted:
        REFERENCE_RUNS[f"not run ({', '.join(excepted)})"] += 1
        return
    with np.errstate(all="ignore"):  # NumPy warns of the IEEE results the runtime gives too
        try:
            # new_ops does not reach into model-local functions: run their bodies inlined
            plain = inliner.inline_local_functions(model) if model.functions else model
            ref = ReferenceEvaluator(plain, new_ops=[Loop]).run(None, feeds)
        except ValueError as e:
            if "Loop" not in ops or ZERO_TRIP_LOOP_ERROR not in str(e):
                raise
            REFERENCE_RUNS["not run (Loop of zero iterations with scan outputs)"] += 1
            return
    if invariant is not None:  # results that are not unique: checked by what defines them
        for r, o, out in zip(ref, outs, model.graph.output):
            assert np.asarray(r).dtype == o.dtype and np.asarray(r).shape == o.shape, out.name
        invariant(_unpacked(model, ref))
        REFERENCE_RUNS["matched an invariant"] += 1
        return
    exact = ops <= EXACT_OPS
    floats = [np.abs(f[np.isfinite(f)]) for f in map(np.asarray, feeds.values())
              if f.dtype.kind == "f"]
    input_scale = float(max((np.max(f, initial=0.0) for f in floats), default=0.0))
    for r, o, out in zip(ref, outs, model.graph.output):
        r = np.asarray(r)
        what = f"{out.name}: ONNX reference implementation vs onnxruntime"
        assert r.dtype == o.dtype and r.shape == o.shape, (
            f"{what}: {r.dtype}{r.shape} != {o.dtype}{o.shape}")
        if o.dtype.kind not in "fc" or (exact and not ops & ZERO_SIGN_FREE_OPS):
            assert_identical(r, o, what)
        elif exact:
            # onnxruntime's float Where may drop the sign of a -0.0 taken from one of its
            # inputs (see _ort_compat.where_keeps_sign_of); the reference keeps it. Lowerings
            # that promise a zero's sign arrange Where for onnxruntime (_ops.where_signed);
            # elsewhere the sign of a zero may differ: compare values, NaN positions included.
            # Max and Min may return either zero of a ±0 tie (the standard leaves it open;
            # onnxruntime's choice even depends on the position).
            np.testing.assert_array_equal(r, o, err_msg=what)
        else:
            _assert_within_ulps(r, o, what, input_scale=input_scale)
    REFERENCE_RUNS["matched" if exact else "matched within ulps"] += 1


def run_model(model: onnx.ModelProto, feeds: dict, invariant=None) -> list[np.ndarray]:
    """Run in onnxruntime; complex inputs and outputs cross the boundary as real pairs.

    The model runs twice: as recorded (graph optimizations off), which must equal eager bit
    for bit, and with onnxruntime's default optimizations, as a user runs it. The lowerings
    avoid the rewrites known to round differently (see _ort_compat and
    test_default_optimizations.py), so this run must give the same bits too. The model also
    runs on the ONNX reference implementation (see check_reference). The first run's outputs
    are returned.

    ``invariant(outputs)``, for results that are not unique (the eigenvectors of a repeated
    eigenvalue: another rounding picks another basis of the eigenspace), checks the optimized
    and the reference runs' outputs instead of their closeness to the first run's.
    """
    feeds = {k: pack(v) if np.asarray(v).dtype.kind == "c" else v for k, v in feeds.items()}
    plain = ort.SessionOptions()
    plain.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    outs = ort.InferenceSession(model.SerializeToString(), plain,
                                providers=["CPUExecutionProvider"]).run(None, feeds)
    fused = ort.InferenceSession(model.SerializeToString(),
                                 providers=["CPUExecutionProvider"]).run(None, feeds)
    if invariant is not None:
        invariant(_unpacked(model, fused))
    else:
        for f, o, out in zip(fused, outs, model.graph.output):
            np.testing.assert_array_equal(
                f, o, err_msg=f"{out.name}: default onnxruntime optimizations changed the result")
    check_reference(model, feeds, outs, invariant)
    return _unpacked(model, outs)


def _unpacked(model: onnx.ModelProto, outs: list) -> list[np.ndarray]:
    meta = {p.key: p.value for p in model.metadata_props}
    complex_names = set(filter(None, meta.get("onnxarray.complex", "").split(",")))
    return [unpack(np.asarray(o)) if out.name in complex_names else np.asarray(o)
            for o, out in zip(outs, model.graph.output)]


def export(fn, *arrays, dynamic: bool = True):
    """Trace ``fn(oxp, *arguments)`` and return the checked model."""
    args = {}
    for i, a in enumerate(arrays):
        a = np.asarray(a)
        shape = tuple(f"n{i}_{j}" for j in range(a.ndim)) if dynamic else a.shape
        args[f"x{i}"] = oxp.argument(shape=shape, dtype=oxp._dtypes.BY_NUMPY[a.dtype])
    outs = _flatten(fn(oxp, *args.values()))
    model = oxp.build(args, {f"y{i}": o for i, o in enumerate(outs)},
                      allow_unused_inputs=True)
    onnx.checker.check_model(model, full_check=True)
    return model


def check(fn, *arrays, rtol: float = 1e-7, atol: float = 0.0, dynamic: bool = True,
          reference: bool = True, exported: bool = True):
    """Check the parity invariant for ``fn(xp, *arrays)``; returns the eager NumPy results."""
    arrays = [np.asarray(a) for a in arrays]
    eager = [_as_numpy(o) for o in _flatten(fn(oxp, *[to_onnxarray(a) for a in arrays]))]
    # Repeated calls of one signature run as a compiled plan: same results, bit for bit.
    for _ in range(PROMOTE_AFTER):
        again = [_as_numpy(o) for o in _flatten(fn(oxp, *[to_onnxarray(a) for a in arrays]))]
    for k, (a, e) in enumerate(zip(again, eager)):
        assert_identical(a, e, f"planned output {k} vs first eager call")
    if exported:
        model = export(fn, *arrays, dynamic=dynamic)
        feeds = {f"x{i}": a for i, a in enumerate(arrays)}
        ran = run_model(model, feeds)
        assert len(ran) == len(eager)
        for k, (r, e) in enumerate(zip(ran, eager)):
            assert_identical(r, e, f"exported output {k} vs eager")
    if reference:
        ref = [_as_numpy(o) for o in _flatten(fn(strict, *[to_strict(a) for a in arrays]))]
        assert len(ref) == len(eager)
        for k, (e, r) in enumerate(zip(eager, ref)):
            assert_close(e, r, f"eager output {k} vs array-api-strict", rtol, atol)
    return eager


def known(shape: tuple) -> tuple:
    """A shape with its symbolic dimensions as None (the sizes known while recording)."""
    return tuple(None if isinstance(d, oxp.SymbolicDim) else d for d in shape)


def reference_solve(a, b):
    """NumPy's solve with the standard's reading of ``b``: a 1-D ``b`` is one vector, else a
    stack of matrices whose batch broadcasts against ``a``'s (NumPy < 2 reads an array of one
    dimension less than ``a`` as a stack of vectors, so both get the same rank here)."""
    vector = b.ndim == 1
    if vector:
        b, batch = b[:, None], a.shape[:-2]
    else:
        batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    out = np.linalg.solve(np.broadcast_to(a, batch + a.shape[-2:]),
                          np.broadcast_to(b, batch + b.shape[-2:]))
    return out[..., 0] if vector else out
