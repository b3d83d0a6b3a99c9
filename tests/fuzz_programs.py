"""Random array-API programs for the differential fuzzer: values, the program model, and
running a program on a namespace (see ``fuzzing.py``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

# -- values ---------------------------------------------------------------------------------------

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float32", "float64", "complex64", "complex128"]
SHAPES = [(), (), (1,), (3,), (4,), (0,), (2, 3), (1, 3), (2, 1), (3, 3), (0, 3), (2, 2, 3), (2, 2),
          (2, 2, 2)]


def _special_floats(dt) -> list[float]:
    fi = np.finfo(dt)
    return [0.0, -0.0, math.nan, -math.nan, math.inf, -math.inf, 1.0, -1.0, 0.5, -2.5, 2.0,
            float(fi.max), -float(fi.max), float(fi.smallest_normal),
            float(fi.smallest_subnormal), -float(fi.smallest_subnormal), float(fi.eps),
            1e30 if dt == np.float32 else 1e300, math.pi / 2, 88.7 if dt == np.float32 else 709.8]


# quiet NaNs by their bits: the default one of each sign and payloads of both signs (which NaN
# of two an Add or a Mul keeps depends on onnxruntime's kernel path)
NAN_BITS = {np.dtype(np.float64): [0x7FF8000000000000, 0xFFF8000000000000, 0x7FF8000000000123,
                                   0xFFFC0000000000A5],
            np.dtype(np.float32): [0x7FC00000, 0xFFC00000, 0x7FC00123, 0xFFE000A5]}


def nan_values(real) -> np.ndarray:
    real = np.dtype(real)
    return np.array(NAN_BITS[real], f"u{real.itemsize}").view(real)


def random_array(rng: np.random.Generator, dtype: str, shape: tuple) -> np.ndarray:
    return np.asarray(_random_array(rng, dtype, shape))


# An arrangement: a column, (N, 1) or (1, N, 1), against one-element arrays of lower or equal
# rank, 0-d, (1,) or (1, 1), all of one dtype, with values drawn from a few that tie (both
# zeros, NaNs of both signs and several payloads, infinities, subnormals). onnxruntime pairs a
# column with a 0-d or (1,) tensor on another kernel path than with a (1, 1) one, and the two
# keep another zero of a min/max tie and another NaN of Add/Mul: an eager array and the same
# array as a model input must take the same one.
COLUMNS = [(3, 1), (1, 3, 1), (4, 1), (2, 3, 1), (1, 1), (3, 1, 1)]
ONE_ELEMENT = [(), (1,), (1, 1), ()]
ARRANGED_DTYPES = ["float32", "float64", "float64", "float32", "complex128", "int8", "int64",
                   "uint8", "bool"]


def _tie_values(dt: np.dtype) -> np.ndarray:
    if dt.kind == "b":
        return np.array([False, True])
    if dt.kind in "iu":
        info = np.iinfo(dt)
        return np.array([0, 1, 2, info.max, info.min, info.max - 1], dt)
    real = np.float32 if dt in (np.float32, np.complex64) else np.float64
    tiny = np.finfo(real).smallest_subnormal
    return np.concatenate([np.array([0.0, -0.0, 0.0, -0.0, np.inf, -np.inf, tiny, -tiny, 1.0,
                                     -1.0, 0.4], real), nan_values(real)])


def _tie_group(rng: np.random.Generator, dt: np.dtype) -> np.ndarray:
    """``_tie_values``, or half the time only those of one group (the zeros, the NaNs, or
    the extremes and ones), so that a pair of operands ties often."""
    vals = _tie_values(dt)
    if dt.kind not in "fc" or rng.random() < 0.5:
        return vals
    groups = (vals[:4], vals[11:], vals[4:11])
    return groups[rng.integers(len(groups))]


def tie_array(rng: np.random.Generator, dtype: str, shape: tuple,
              vals: np.ndarray | None = None) -> np.ndarray:
    """An array of ``shape`` whose elements are drawn from ``vals`` (``_tie_values``)."""
    dt = np.dtype(dtype)
    vals = _tie_values(dt) if vals is None else vals.astype(dt.type(0).real.dtype
                                                             if dt.kind == "c" else dt)
    n = math.prod(shape)
    if dt.kind == "c":
        out = np.empty(n, dt)
        out.real, out.imag = rng.choice(vals, n), rng.choice(vals, n)
        return out.reshape(shape)
    return rng.choice(vals, n).reshape(shape)


def arrangement(rng: np.random.Generator) -> list[np.ndarray]:
    """A column and one or two one-element arrays (``COLUMNS``), sometimes rows of the
    column's length, in a random order."""
    dtype = ARRANGED_DTYPES[rng.integers(len(ARRANGED_DTYPES))]
    column = COLUMNS[rng.integers(len(COLUMNS))]
    vals = _tie_group(rng, np.dtype(dtype))
    arrays = [tie_array(rng, dtype, column, vals)]
    for _ in range(int(rng.integers(1, 3))):
        arrays.append(tie_array(rng, dtype, ONE_ELEMENT[rng.integers(len(ONE_ELEMENT))], vals))
    if rng.random() < 0.5:  # rows the column meets along a short last axis
        arrays.append(tie_array(rng, dtype, column[:-1] + (int(rng.integers(2, 6)),), vals))
    if rng.random() < 0.3:  # another dtype beside: promotion, and mixed-kind calls
        arrays.append(tie_array(rng, ARRANGED_DTYPES[rng.integers(len(ARRANGED_DTYPES))],
                                ONE_ELEMENT[rng.integers(len(ONE_ELEMENT))]))
    return [arrays[i] for i in rng.permutation(len(arrays))]


def _random_array(rng: np.random.Generator, dtype: str, shape: tuple) -> np.ndarray:
    dt = np.dtype(dtype)
    n = math.prod(shape)
    if dt.kind == "b":
        return rng.random(shape) < 0.5
    if dt.kind in "iu":
        info = np.iinfo(dt)
        special = np.array([0, 1, 2, 3, -1, -2, 7, info.min, info.max, info.max - 1],
                           dtype=np.int64 if dt.kind == "i" else np.uint64) \
            if dt.kind == "i" else np.array([0, 1, 2, 3, 7, info.max, info.max - 1], np.uint64)
        small = rng.integers(-5 if dt.kind == "i" else 0, 10, n)
        pick = rng.choice(special, n)
        out = np.where(rng.random(n) < 0.3, pick.astype(dt), small.astype(dt))
        return out.astype(dt).reshape(shape)
    real = np.float32 if dt in (np.float32, np.complex64) else np.float64

    def part():
        special = np.concatenate([np.array(_special_floats(real), dtype=real),
                                  nan_values(real)])
        normal = (rng.standard_normal(n) * 10.0 ** rng.integers(-3, 4, n)).astype(real)
        return np.where(rng.random(n) < 0.35, rng.choice(special, n), normal).astype(real)

    if dt.kind == "c":
        out = np.empty(n, dt)
        out.real, out.imag = part(), part()
        return out.reshape(shape)
    return part().reshape(shape)


# -- programs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ref:
    """Operand ``i`` of the pool: inputs first, then each call's results."""
    i: int


@dataclass(frozen=True)
class DT:
    """A dtype, by name, resolved in the namespace a program runs on."""
    name: str


@dataclass
class Call:
    name: str
    args: tuple
    kwargs: dict = field(default_factory=dict)

    def __str__(self) -> str:
        def fmt(a):
            if isinstance(a, Ref):
                return f"v{a.i}"
            if isinstance(a, DT):
                return f"xp.{a.name}"
            if isinstance(a, tuple):
                return "(" + ", ".join(fmt(b) for b in a) + ("," if len(a) == 1 else "") + ")"
            if isinstance(a, list):
                return "[" + ", ".join(fmt(b) for b in a) + "]"
            if isinstance(a, slice):
                return ":".join("" if s is None else str(s) for s in (a.start, a.stop, a.step))
            if a is Ellipsis:
                return "..."
            if isinstance(a, float):
                return f"float({str(a)!r})" if not math.isfinite(a) else repr(a)
            return repr(a)
        parts = [fmt(a) for a in self.args] + [f"{k}={fmt(v)}" for k, v in self.kwargs.items()]
        return f"{self.name}({', '.join(parts)})"


@dataclass
class Program:
    inputs: list[np.ndarray]
    calls: list[Call]
    outputs: list[int] = field(default_factory=list)  # pool index of each call's first result

    def __str__(self) -> str:
        lines = [f"v{i} = A({a.tolist()!r}, dtype={a.dtype.name}, shape={a.shape})"
                 + _nan_bits(a) for i, a in enumerate(self.inputs)]
        for c, first in zip(self.calls, self.outputs):
            lines.append(f"v{first}.. = {c}")
        return "\n".join(lines)


def _nan_bits(a: np.ndarray) -> str:
    """The bits of ``a``'s NaNs, which ``tolist`` does not show."""
    if a.dtype.kind not in "fc" or not np.isnan(a).any():
        return ""
    parts = np.stack([a.real, a.imag], -1) if a.dtype.kind == "c" else a
    bits = parts.view(f"u{parts.dtype.itemsize}")
    return f"  # NaN bits: {[hex(int(b)) for b in bits[np.isnan(parts)]]}"


def _resolve(a, pool, xp):
    if isinstance(a, Ref):
        return pool[a.i]
    if isinstance(a, DT):
        return getattr(xp, a.name)
    if isinstance(a, tuple):
        return tuple(_resolve(b, pool, xp) for b in a)
    if isinstance(a, list):
        return [_resolve(b, pool, xp) for b in a]
    return a


# matrix functions whose results on a matrix with NaN or infinite entries are left open
FACTORIZATIONS = {"linalg.det", "linalg.slogdet", "linalg.inv", "linalg.solve", "linalg.pinv",
                  "linalg.cholesky", "linalg.qr", "linalg.eigh", "linalg.eigvalsh", "linalg.svd",
                  "linalg.svdvals", "linalg.eig", "linalg.eigvals", "linalg.matrix_rank",
                  "linalg.matrix_power", "eigvalsh_hermitian"}


def _finite_stand_in(xp, a):
    """``a`` with its NaN and infinite entries replaced by finite ones (for the reference)."""
    data = to_numpy(a)
    if data.dtype.kind not in "fc" or np.isfinite(data).all():
        return a
    return xp.asarray(np.nan_to_num(data, nan=0.0, posinf=1.0, neginf=-1.0))


def apply(xp, call: Call, pool: list) -> list:
    """Run one call on ``xp``; its results (a list of arrays)."""
    args = [_resolve(a, pool, xp) for a in call.args]
    if call.name in FACTORIZATIONS and getattr(xp, "__name__", "") == "array_api_strict":
        # LAPACK's complex SVD does not return on some matrices with infinite entries (NumPy
        # 2.4's pinv of a 3x3 matrix holding -inf - 1.8e308j): their results are left open
        # (fuzz_rules), so the reference factorizes a finite stand-in of the same shape
        args = [_finite_stand_in(xp, a) if isinstance(r, Ref) else a
                for a, r in zip(args, call.args)]
    kwargs = {k: _resolve(v, pool, xp) for k, v in call.kwargs.items()}
    name = call.name
    if name == "getitem":
        out = args[0][args[1]]
    elif name == "setitem":
        out = xp.asarray(args[0], copy=True)
        out[args[1]] = args[2]
    elif name == "mT":
        out = args[0].mT
    elif name in INPLACE:  # on a copy: the operand stays as it was for later calls
        out = getattr(xp.asarray(args[0], copy=True), name)(*args[1:])
        if out is NotImplemented:
            raise TypeError(f"{name} returned NotImplemented")
    elif name in PSEUDO:
        out = PSEUDO[name](xp, *args, **kwargs)
    elif name.startswith("__"):
        out = getattr(args[0], name)(*args[1:])
        if out is NotImplemented:
            raise TypeError(f"{name} returned NotImplemented")
    else:
        fn = xp
        for part in name.split("."):
            fn = getattr(fn, part)
        out = fn(*args, **kwargs)
    return list(out) if isinstance(out, (tuple, list)) else [out]


def run(xp, program: Program, arrays) -> list:
    """All results of ``program`` on ``xp``, in pool order after the inputs."""
    pool = list(arrays)
    for call in program.calls:
        pool.extend(apply(xp, call, pool))
    return pool[len(arrays):]


# in-place operators and the binary operator whose rules they follow
INPLACE = {f"__i{op}__": f"__{op}__" for op in (
    "add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "and", "or", "xor", "lshift",
    "rshift")}


def plain_name(name: str) -> str:
    """The name whose rules ``name`` follows (an in-place operator's binary operator)."""
    return INPLACE.get(name, name)


def kind_of(a) -> str:
    return np.dtype(str(a.dtype)).kind if not hasattr(a, "_array") else a._array.dtype.kind


def to_numpy(a) -> np.ndarray:
    if hasattr(a, "_array"):
        return np.asarray(a._array)
    return np.asarray(a)


# -- pseudo-functions: a standard call with its operands made valid ---------------------------


def _searchsorted_sorted(xp, s, v, side):
    return xp.searchsorted(xp.sort(xp.reshape(s, (-1,))), v, side=side)


def _wrapped(idx, n):
    """Indices brought into range for an axis of size ``n`` (unchanged when it is empty)."""
    return idx if type(n) is int and n == 0 else idx % n


def _take_wrapped(xp, x, idx, axis):
    return xp.take(x, _wrapped(idx, x.shape[axis]), axis=axis)


def _take_along_axis_wrapped(xp, x, idx, axis):
    return xp.take_along_axis(x, _wrapped(idx, x.shape[axis]), axis=axis)


def _getitem_arrays_wrapped(xp, x, *idx):
    """``x[i0, i1, ...]`` with integer arrays brought into range, one per leading axis."""
    return x[tuple(_wrapped(i, x.shape[k]) for k, i in enumerate(idx))]


def _eigvalsh_hermitian(xp, x):
    """eigvalsh of x's Hermitian part (eigvalsh reads a Hermitian matrix)."""
    return xp.linalg.eigvalsh((x + xp.conj(xp.matrix_transpose(x))) / 2)


def _constant(xp, data):
    """An array made inside the program from data: under jit and exported, a constant of the
    trace that the program holds (not an input), as a user's ``xp.asarray(...)`` is."""
    return xp.asarray(data)


# Idioms: short compositions that lowerings recognise in a trace and record otherwise (one
# Clip for a clamp, a reduction with kept dims, a column spread along short rows, softmax
# without its NaN flag, x + 0.0 guarded against NoopElimination); op by op no graph is there
# to recognise. Their results are compared between modes only (``MODES_ONLY``).


def _clamp(xp, x, lo, hi, form):
    if form == 0:
        return xp.minimum(xp.maximum(x, lo), hi)
    if form == 1:
        return xp.maximum(xp.minimum(x, hi), lo)
    if form == 2:
        return xp.minimum(hi, xp.maximum(lo, x))
    return xp.maximum(lo, xp.minimum(hi, x))


def _reduced_back(xp, x, c, op, red):
    """``op(red(x, axis=-1), c)`` given back its reduced axis by a reshape (2-D ``x``)."""
    return xp.reshape(getattr(xp, op)(getattr(xp, red)(x, axis=-1), c), (-1, 1))


def _row_op(xp, x, op, f, column_first):
    """``op`` between ``x`` and ``f`` of its first column (which broadcasts along the rows)."""
    col = getattr(xp, f)(x[..., :1])
    return getattr(xp, op)(col, x) if column_first else getattr(xp, op)(x, col)


def _softmax(xp, x):
    e = xp.exp(x - xp.max(x, axis=-1, keepdims=True))
    return e / xp.sum(e, axis=-1, keepdims=True)


def _plus_zero(xp, x, op, c):
    """``op(-x, c) * 2``: x + 0.0 and x - (-0.0) turn -0.0 into +0.0, whatever follows."""
    return getattr(xp, op)(xp.negative(x), c) * 2.0


IDIOMS = {"clamp": _clamp, "reduced_back": _reduced_back, "row_op": _row_op,
          "softmax": _softmax, "plus_zero": _plus_zero}
MODES_ONLY = frozenset(IDIOMS)

PSEUDO = {**IDIOMS, "constant": _constant, "searchsorted_sorted": _searchsorted_sorted,
          "take_wrapped": _take_wrapped,
          "take_along_axis_wrapped": _take_along_axis_wrapped,
          "getitem_arrays_wrapped": _getitem_arrays_wrapped,
          "eigvalsh_hermitian": _eigvalsh_hermitian}
