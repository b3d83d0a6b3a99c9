"""A differential fuzzer: random short array-API programs run four ways and compared.

A *program* is a few NumPy input arrays and 2-6 calls of the namespace, each call taking earlier
inputs or results (or Python scalars) as operands. ``generate`` grows a program call by call on
array-api-strict, keeping only calls the reference accepts. ``check_program`` then runs it

- eagerly on onnxarray, call by call;
- compiled whole with ``onnxarray.jit``;
- exported (``argument`` + ``build``) and run in onnxruntime with graph optimizations off;

and requires the three to agree bit for bit (dtype, shape, NaN positions, signs of zeros). Each
eager call is also compared with array-api-strict applied to the same eager operands, under the
standard's rules: exact where the standard fixes the result; within a tolerance where it leaves
rounding open (transcendental functions, reductions, linear algebra); ignoring what it leaves
unspecified (the sign of a zero from max/min, integer division by zero, out-of-range casts and
shifts, the order of unique values).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import array_api_strict as strict
import numpy as np
import onnxruntime as ort
from array_api_strict._array_object import Array as _STRICT_ARRAY

import onnxarray as oxp
from onnxarray._complex import pack, unpack

# -- values ---------------------------------------------------------------------------------------

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
          "float32", "float64", "complex64", "complex128"]
SHAPES = [(), (), (1,), (3,), (4,), (0,), (2, 3), (1, 3), (2, 1), (3, 3), (0, 3), (2, 2, 3)]


def _special_floats(dt) -> list[float]:
    fi = np.finfo(dt)
    return [0.0, -0.0, math.nan, -math.nan, math.inf, -math.inf, 1.0, -1.0, 0.5, -2.5, 2.0,
            float(fi.max), -float(fi.max), float(fi.smallest_normal),
            float(fi.smallest_subnormal), -float(fi.smallest_subnormal), float(fi.eps),
            1e30 if dt == np.float32 else 1e300, math.pi / 2, 88.7 if dt == np.float32 else 709.8]


def random_array(rng: np.random.Generator, dtype: str, shape: tuple) -> np.ndarray:
    return np.asarray(_random_array(rng, dtype, shape))


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
        special = np.array(_special_floats(real), dtype=real)
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
                 for i, a in enumerate(self.inputs)]
        for c, first in zip(self.calls, self.outputs):
            lines.append(f"v{first}.. = {c}")
        return "\n".join(lines)


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


def apply(xp, call: Call, pool: list) -> list:
    """Run one call on ``xp``; its results (a list of arrays)."""
    args = [_resolve(a, pool, xp) for a in call.args]
    kwargs = {k: _resolve(v, pool, xp) for k, v in call.kwargs.items()}
    name = call.name
    if name == "getitem":
        out = args[0][args[1]]
    elif name == "setitem":
        out = xp.asarray(args[0], copy=True)
        out[args[1]] = args[2]
    elif name == "mT":
        out = args[0].mT
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


# -- generation -----------------------------------------------------------------------------------

B, I, U, F, C = "b", "i", "u", "f", "c"
INT = I + U
REAL = INT + F
NUM = REAL + C
FC = F + C
ANY = B + NUM

UNARY = {
    "abs": NUM, "acos": FC, "acosh": FC, "asin": FC, "asinh": FC, "atan": FC, "atanh": FC,
    "bitwise_invert": B + INT, "ceil": REAL, "conj": NUM, "cos": FC, "cosh": FC, "exp": FC,
    "expm1": FC, "floor": REAL, "imag": C, "isfinite": NUM, "isinf": NUM, "isnan": NUM,
    "log": FC, "log1p": FC, "log2": FC, "log10": FC, "logical_not": B, "negative": NUM,
    "positive": NUM, "real": NUM, "reciprocal": FC, "round": NUM, "sign": NUM, "signbit": F,
    "sin": FC, "sinh": FC, "sqrt": FC, "square": NUM, "tan": FC, "tanh": FC, "trunc": REAL,
    "__neg__": NUM, "__abs__": NUM, "__invert__": B + INT, "__pos__": NUM,
}
BINARY = {
    "add": NUM, "atan2": F, "bitwise_and": B + INT, "bitwise_or": B + INT,
    "bitwise_xor": B + INT, "bitwise_left_shift": INT, "bitwise_right_shift": INT,
    "copysign": F, "divide": FC, "equal": ANY, "floor_divide": REAL, "greater": REAL,
    "greater_equal": REAL, "hypot": F, "less": REAL, "less_equal": REAL, "logaddexp": F,
    "logical_and": B, "logical_or": B, "logical_xor": B, "maximum": REAL, "minimum": REAL,
    "multiply": NUM, "nextafter": F, "not_equal": ANY, "pow": NUM, "remainder": REAL,
    "subtract": NUM, "__add__": NUM, "__radd__": NUM, "__sub__": NUM, "__rsub__": NUM,
    "__mul__": NUM, "__truediv__": FC, "__rtruediv__": FC, "__floordiv__": REAL,
    "__mod__": REAL, "__pow__": NUM, "__rpow__": NUM, "__and__": B + INT, "__or__": B + INT,
    "__xor__": B + INT, "__lshift__": INT, "__rshift__": INT, "__lt__": REAL, "__le__": REAL,
    "__gt__": REAL, "__ge__": REAL, "__eq__": ANY, "__ne__": ANY,
}
REDUCE = {  # name: (dtype kinds, extra keyword arguments)
    "sum": (NUM, ("dtype",)), "prod": (NUM, ("dtype",)), "mean": (FC, ()), "std": (F, ("corr",)),
    "var": (F, ("corr",)), "max": (REAL, ()), "min": (REAL, ()), "all": (ANY, ()),
    "any": (ANY, ()), "count_nonzero": (ANY, ()),
}
# functions whose results the standard leaves to rounding (compared within a tolerance)
APPROX = {
    "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "exp", "expm1", "log",
    "log1p", "log2", "log10", "sin", "sinh", "tan", "tanh", "atan2", "hypot", "logaddexp",
    "pow", "__pow__", "__rpow__", "sum", "prod", "mean", "std", "var", "cumulative_sum",
    "cumulative_prod", "matmul", "__matmul__", "tensordot", "vecdot", "linalg.vector_norm",
    "linalg.matrix_norm", "linalg.det", "linalg.inv", "linalg.trace", "linalg.outer",
    "linalg.cross", "fft.fft", "fft.ifft", "fft.rfft", "fft.irfft", "fft.fftn", "divide",
    "__truediv__", "__rtruediv__", "reciprocal", "sqrt", "abs", "__abs__", "linalg.vecdot",
    "linalg.matmul", "linalg.tensordot", "linalg.svdvals", "linalg.solve", "multiply",
    "__mul__", "square",
}
# IEEE 754 operations, correctly rounded: exact on real operands
CORRECTLY_ROUNDED = {"multiply", "__mul__", "square", "divide", "__truediv__", "__rtruediv__",
                     "sqrt", "abs", "__abs__"}
# functions whose zero signs the standard leaves open
SIGNLESS = {"max", "min", "maximum", "minimum", "clip", "sum", "prod", "mean", "std", "var",
            "cumulative_sum", "cumulative_prod", "matmul", "__matmul__", "tensordot", "vecdot",
            "linalg.outer", "linalg.cross", "linalg.vector_norm", "linalg.matrix_norm",
            "linalg.det", "linalg.inv", "linalg.trace", "linalg.vecdot", "linalg.matmul",
            "linalg.tensordot", "fft.fft", "fft.ifft", "fft.rfft", "fft.irfft", "fft.fftn",
            "linalg.svdvals", "linalg.solve"}
# Calls array-api-strict runs (as NumPy does) that the standard does not allow; onnxarray
# raises: a value with more dimensions than the selection, cross of 2-vectors.
STRICTER = [("setitem", "does not fit the selection"), ("linalg.cross", "must have size 3")]
# Documented limits, not compared: the sign bit of a NaN is read only from opset 26 (BitCast).
KNOWN_LIMITS = {
    "signbit": lambda x: np.isnan(x),
    "copysign": lambda x1, x2: np.isnan(x2),
}
# complex results whose NaNs depend on the order of operations when an operand is infinite
NAN_OPEN = {"prod", "cumulative_prod", "matmul", "__matmul__", "tensordot", "vecdot",
            "linalg.outer", "linalg.cross", "linalg.det", "linalg.inv", "linalg.trace",
            "linalg.vecdot", "linalg.matmul", "linalg.tensordot", "fft.fft", "fft.ifft",
            "fft.rfft", "fft.irfft", "fft.fftn", "sum", "mean", "cumulative_sum",
            "linalg.matrix_norm", "linalg.vector_norm", "multiply", "__mul__", "divide",
            "__truediv__", "__rtruediv__", "reciprocal", "square", "pow", "__pow__", "__rpow__",
            "linalg.matrix_power"}
# complex results whose rounding is open even for complex multiplication and division
COMPLEX_APPROX = {"multiply", "__mul__", "divide", "__truediv__", "__rtruediv__", "square",
                  "reciprocal", "sign", "abs", "__abs__"}


def _kind(a) -> str:
    return np.dtype(str(a.dtype)).kind if not hasattr(a, "_array") else a._array.dtype.kind


def _np(a) -> np.ndarray:
    if hasattr(a, "_array"):
        return np.asarray(a._array)
    return np.asarray(a)


class Generator:
    """Grows random programs, keeping the calls array-api-strict accepts."""

    def __init__(self, rng: np.random.Generator, lenient: list | None = None):
        self.rng = rng
        self.lenient = lenient  # collects calls only onnxarray accepts, when a list
        self.builders = [
            (10, self.unary), (12, self.binary), (3, self.clip), (5, self.reduce),
            (3, self.cumulative), (2, self.argminmax), (6, self.manipulation),
            (3, self.searching), (3, self.sorting), (2, self.sets), (5, self.indexing),
            (2, self.setitem), (3, self.creation), (3, self.astype), (3, self.linalg),
            (1, self.fft), (1, self.diff),
        ]
        w = np.array([b[0] for b in self.builders], float)
        self.weights = w / w.sum()

    def choice(self, seq):
        return seq[self.rng.integers(len(seq))]

    def pick(self, pool, kinds: str, ndim_min: int = 0):
        ok = [i for i, a in enumerate(pool) if _kind(a) in kinds and a.ndim >= ndim_min]
        return Ref(self.choice(ok)) if ok else None

    def scalar(self, kind: str, real_dtype=None):
        rng = self.rng
        if kind == "b":
            return bool(rng.integers(2))
        if kind in "iu":
            return int(self.choice([0, 1, 2, 3, -1, 5, 100] if kind == "i" else [0, 1, 2, 3, 7]))
        vals = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, math.nan, math.inf, -math.inf, 1e-310, 3.25,
                -7.0, 1e300]
        if kind == "f":
            return float(self.choice(vals))
        return complex(self.choice(vals), self.choice(vals))

    def _check_rejected(self, call: Call, pool, exc: Exception) -> None:
        """Record a call array-api-strict rejects but onnxarray runs eagerly (for review:
        array-api-strict is stricter than the standard in places), or that onnxarray rejects
        with an exception that is not a standard one of its own."""
        prog = Program([_np(a) for a in pool], [call], [len(pool)])
        try:
            with np.errstate(all="ignore"):
                apply(oxp, call, [oxp.asarray(_np(a)) for a in pool])
        except (TypeError, ValueError, IndexError, OverflowError):
            return  # rejected by both
        except Exception as mine:  # noqa: BLE001 - rejected, but not by onnxarray itself
            self.lenient.append(Finding("raw-error", 0, f"{type(mine).__name__}: {mine}"[:300],
                                        prog))
            return
        self.lenient.append(Finding("accepts-invalid", 0, f"{type(exc).__name__}: {exc}", prog))

    def program(self, budget: int = 40) -> Program:
        rng = self.rng
        inputs = []
        for _ in range(int(rng.integers(1, 4))):
            dtype = self.choice(DTYPES)
            inputs.append(random_array(rng, dtype, self.choice(SHAPES)))
        pool = [strict.asarray(a) for a in inputs]
        prog = Program(inputs, [])
        target = int(rng.integers(2, 7))
        for _ in range(budget):
            if len(prog.calls) >= target:
                break
            builder = self.builders[rng.choice(len(self.builders), p=self.weights)][1]
            call = builder(pool)
            if call is None:
                continue
            try:
                with np.errstate(all="ignore"):
                    outs = apply(strict, call, pool)
            except Exception as exc:  # noqa: BLE001 - the reference rejects the call
                if self.lenient is not None:
                    self._check_rejected(call, pool, exc)
                continue
            if not outs or not all(isinstance(o, _STRICT_ARRAY) for o in outs):
                continue
            prog.calls.append(call)
            prog.outputs.append(len(pool))
            pool.extend(outs)
        return prog

    # -- builders: each returns a Call, or None when the pool has nothing suitable --

    def unary(self, pool):
        name = self.choice(list(UNARY))
        x = self.pick(pool, UNARY[name])
        return None if x is None else Call(name, (x,))

    def binary(self, pool):
        name = self.choice(list(BINARY))
        kinds = BINARY[name]
        x = self.pick(pool, kinds)
        if x is None:
            return None
        kind = _kind(pool[x.i])
        r = self.rng.random()
        if r < 0.3:
            y = self.scalar(kind)
        elif r < 0.5:
            # a Python scalar of the array's kind or a lower one (the standard leaves a higher
            # kind unspecified)
            lower = {"b": "b", "i": "i", "u": "i", "f": "if", "c": "ifc"}[kind]
            y = self.scalar(self.choice([k for k in lower if k in kinds] or [kind]))
        else:
            y = self.pick(pool, kind if self.rng.random() < 0.7 else kinds)
        if name.startswith("__r") and name not in ("__rshift__",):
            if not isinstance(y, Ref):
                return Call(name, (x, y))
            return Call(name, (x, y))
        if not name.startswith("__") and not isinstance(y, Ref) and self.rng.random() < 0.3:
            return Call(name, (y, x))  # a scalar first operand
        return Call(name, (x, y))

    def clip(self, pool):
        x = self.pick(pool, REAL)
        if x is None:
            return None
        kind = _kind(pool[x.i])

        def bound():
            r = self.rng.random()
            if r < 0.3:
                return None
            if r < 0.7:
                return self.scalar("f" if kind == "f" else "i")
            return self.pick(pool, kind)
        return Call("clip", (x,), {"min": bound(), "max": bound()})

    def _axis(self, a, allow_tuple=True):
        nd = a.ndim
        r = self.rng.random()
        if r < 0.3 or nd == 0:
            return None
        if r < 0.8 or not allow_tuple:
            return int(self.rng.integers(-nd, nd))
        k = int(self.rng.integers(0, nd + 1))
        return tuple(int(v) for v in self.rng.permutation(nd)[:k])

    def reduce(self, pool):
        name = self.choice(list(REDUCE))
        kinds, extra = REDUCE[name]
        x = self.pick(pool, kinds)
        if x is None:
            return None
        a = pool[x.i]
        kw = {"axis": self._axis(a), "keepdims": bool(self.rng.integers(2))}
        if "dtype" in extra and self.rng.random() < 0.3:
            kw["dtype"] = DT(self._accumulator(pool[x.i]))
        if "corr" in extra and self.rng.random() < 0.5:
            kw["correction"] = self.choice([0, 1, 1.5, 3])
        return Call(name, (x,), kw)

    def cumulative(self, pool):
        name = self.choice(["cumulative_sum", "cumulative_prod"])
        x = self.pick(pool, NUM, 1)
        if x is None:
            return None
        a = pool[x.i]
        kw = {"axis": int(self.rng.integers(-a.ndim, a.ndim)) if a.ndim > 1 or
              self.rng.random() < 0.5 else None,
              "include_initial": bool(self.rng.integers(2))}
        if self.rng.random() < 0.2:
            kw["dtype"] = DT(self._accumulator(a))
        return Call(name, (x,), kw)

    def _accumulator(self, a) -> str:
        """A dtype for sum/prod's dtype argument: complex input takes a complex one (the
        standard forbids casting complex to real; array-api-strict lets NumPy do it)."""
        return self.choice(DTYPES[11:] if _kind(a) == "c" else DTYPES[1:])

    def argminmax(self, pool):
        x = self.pick(pool, REAL)
        if x is None:
            return None
        a = pool[x.i]
        return Call(self.choice(["argmax", "argmin"]), (x,),
                    {"axis": self._axis(a, False), "keepdims": bool(self.rng.integers(2))})

    def diff(self, pool):
        x = self.pick(pool, NUM, 1)
        if x is None:
            return None
        a = pool[x.i]
        return Call("diff", (x,), {"axis": int(self.rng.integers(-a.ndim, a.ndim)),
                                   "n": int(self.rng.integers(0, 3))})

    def manipulation(self, pool):
        rng = self.rng
        x = self.pick(pool, ANY)
        a = pool[x.i]
        nd = a.ndim
        op = self.choice(["broadcast_to", "concat", "expand_dims", "flip", "moveaxis",
                          "permute_dims", "repeat", "reshape", "roll", "squeeze", "stack",
                          "tile", "unstack", "broadcast_arrays", "getitem_T"])
        if op == "broadcast_to":
            return Call(op, (x, tuple(self.choice([(2,) + a.shape, a.shape, (3, 3)]))))
        if op in ("concat", "stack"):
            y = self.pick(pool, ANY)
            kw = {"axis": int(rng.integers(-nd - 1, nd + 1))} if op == "stack" else \
                ({"axis": None} if rng.random() < 0.2 or nd == 0 else
                 {"axis": int(rng.integers(-nd, nd))})
            return Call(op, ([x, y] if rng.random() < 0.8 else [x],), kw)
        if op == "expand_dims":
            return Call(op, (x,), {"axis": int(rng.integers(-nd - 1, nd + 1))})
        if op == "flip":
            return Call(op, (x,), {"axis": self._axis(a)})
        if op == "moveaxis" and nd:
            return Call(op, (x, int(rng.integers(-nd, nd)), int(rng.integers(-nd, nd))))
        if op == "permute_dims":
            return Call(op, (x, tuple(int(v) for v in rng.permutation(nd))))
        if op == "repeat":
            if rng.random() < 0.5:
                return Call(op, (x, int(rng.integers(0, 3))), {"axis": self._axis(a, False)})
            r = self.pick(pool, INT, 1)
            return None if r is None else Call(op, (x, r), {"axis": self._axis(a, False)})
        if op == "reshape":
            shape = self.choice([(-1,), (1, -1), (a.size,), (-1, 1), ()] +
                                ([(a.shape[-1], -1)] if nd else []))
            return Call(op, (x, shape))
        if op == "roll":
            return Call(op, (x, int(rng.integers(-4, 5))), {"axis": self._axis(a, False)})
        if op == "squeeze":
            ones = [i for i, d in enumerate(a.shape) if d == 1]
            return Call(op, (x,), {"axis": self.choice(ones) if ones else 0})
        if op == "tile":
            return Call(op, (x, tuple(int(v) for v in rng.integers(0, 3, int(rng.integers(0, 3)
                                                                              ) + 1))))
        if op == "unstack" and nd:
            return Call(op, (x,), {"axis": int(rng.integers(-nd, nd))})
        if op == "broadcast_arrays":
            return Call(op, (x, self.pick(pool, ANY)))
        return Call("mT", (x,)) if nd >= 2 else Call("matrix_transpose", (x,))

    def searching(self, pool):
        rng = self.rng
        op = self.choice(["nonzero", "where", "where", "searchsorted", "count_nonzero"])
        x = self.pick(pool, ANY)
        if op == "nonzero":
            return Call(op, (x,))
        if op == "count_nonzero":
            return Call(op, (x,), {"axis": self._axis(pool[x.i])})
        if op == "where":
            c = self.pick(pool, B)
            if c is None:
                return None
            y = self.pick(pool, _kind(pool[x.i])) if rng.random() < 0.7 else \
                self.scalar(_kind(pool[x.i]))
            return Call(op, (c, x, y) if rng.random() < 0.7 else (c, y, x))
        s = self.pick(pool, REAL, 1)
        if s is None:
            return None
        return Call("searchsorted_sorted", (s, self.pick(pool, _kind(pool[s.i]))),
                    {"side": self.choice(["left", "right"])})

    def sorting(self, pool):
        x = self.pick(pool, REAL)
        if x is None or pool[x.i].ndim == 0:
            return None
        a = pool[x.i]
        return Call(self.choice(["sort", "argsort"]), (x,),
                    {"axis": int(self.rng.integers(-a.ndim, a.ndim)),
                     "descending": bool(self.rng.integers(2)), "stable": True})

    def sets(self, pool):
        x = self.pick(pool, ANY)
        return Call(self.choice(["unique_values", "unique_counts", "unique_inverse",
                                 "unique_all"]), (x,))

    def _key(self, pool, a):
        """A random index for an array of ``a``'s shape."""
        rng = self.rng
        r = rng.random()
        nd = a.ndim
        if r < 0.2:
            m = self.pick(pool, B)
            if m is not None and pool[m.i].ndim <= nd:
                return m
        if r < 0.3 and nd:
            idx = self.pick(pool, I, 1)
            if idx is not None and pool[idx.i].ndim == 1:
                return idx
        parts = []
        for d in a.shape:
            s = rng.random()
            if s < 0.3 and d:
                parts.append(int(rng.integers(-d, d)))
            elif s < 0.8:
                parts.append(slice(self.choice([None, 0, 1, -1, -5]),
                                   self.choice([None, 2, -1, 10]), self.choice([None, 1, 2, -1])))
            else:
                parts.append(slice(None))
        if parts and rng.random() < 0.2:
            parts = [Ellipsis] + parts[1:]
        if rng.random() < 0.15:
            parts.insert(int(rng.integers(len(parts) + 1)), None)
        return tuple(parts)

    def indexing(self, pool):
        rng = self.rng
        x = self.pick(pool, ANY)
        a = pool[x.i]
        r = rng.random()
        if r < 0.25 and a.ndim:
            idx = self.pick(pool, I)
            if idx is None:
                return None
            return Call("take_wrapped", (x, idx), {"axis": int(rng.integers(-a.ndim, a.ndim))})
        if r < 0.35 and a.ndim:
            idx = self.pick(pool, I, a.ndim)
            if idx is None or pool[idx.i].ndim != a.ndim:
                return None
            return Call("take_along_axis_wrapped", (x, idx), {"axis": -1})
        return Call("getitem", (x, self._key(pool, a)))

    def setitem(self, pool):
        x = self.pick(pool, ANY)
        a = pool[x.i]
        key = self._key(pool, a)
        kind = _kind(a)
        v = self.scalar(kind) if self.rng.random() < 0.5 else self.pick(pool, kind)
        return Call("setitem", (x, key, v))

    def creation(self, pool):
        rng = self.rng
        x = self.pick(pool, ANY)
        a = pool[x.i]
        op = self.choice(["zeros_like", "ones_like", "full_like", "tril", "triu", "meshgrid",
                          "asarray", "eye", "linspace", "arange"])
        if op == "full_like":
            return Call(op, (x, self.scalar(_kind(a))))
        if op in ("tril", "triu"):
            return Call(op, (x,), {"k": int(rng.integers(-2, 3))})
        if op == "meshgrid":  # 1-D inputs only (array-api-strict also takes others)
            x, y = self.pick(pool, ANY, 1), self.pick(pool, ANY, 1)
            if x is None or y is None or pool[x.i].ndim != 1 or pool[y.i].ndim != 1:
                return None
            return Call(op, (x, y), {"indexing": self.choice(["xy", "ij"])})
        if op == "asarray":
            return Call(op, (x,), {"dtype": DT(self.choice(DTYPES)) if rng.random() < 0.3
                                   else None})
        if op == "eye":
            return Call(op, (int(rng.integers(0, 4)),), {"k": int(rng.integers(-2, 3)),
                                                         "dtype": DT(self.choice(DTYPES[1:]))})
        if op == "linspace":
            return Call(op, (self.scalar("f"), self.scalar("f"), int(rng.integers(0, 6))),
                        {"endpoint": bool(rng.integers(2))})
        if op == "arange":
            return Call(op, (int(rng.integers(-3, 3)), int(rng.integers(-3, 8))),
                        {"step": self.choice([1, 2, -1, 3])})
        return Call(op, (x,))

    def astype(self, pool):
        x = self.pick(pool, ANY)
        return Call("astype", (x, DT(self.choice(DTYPES))))

    def linalg(self, pool):
        rng = self.rng
        op = self.choice(["matmul", "__matmul__", "tensordot", "vecdot", "matrix_transpose",
                          "linalg.outer", "linalg.trace", "linalg.vector_norm",
                          "linalg.diagonal", "linalg.cross", "linalg.det", "linalg.inv",
                          "linalg.matrix_norm"])
        x = self.pick(pool, NUM, 1)
        if x is None:
            return None
        a = pool[x.i]
        kind = _kind(a)
        if op in ("matmul", "__matmul__", "linalg.outer", "linalg.cross"):
            y = self.pick(pool, kind, 1)
            return Call(op, (x, y))
        if op == "tensordot":
            y = self.pick(pool, kind)
            return Call(op, (x, y), {"axes": int(rng.integers(0, 3))})
        if op == "vecdot":
            return Call(op, (x, self.pick(pool, kind, 1)), {"axis": -1})
        if op == "linalg.vector_norm":
            return Call(op, (x,), {"ord": self.choice([2, 1, math.inf, -math.inf, 0, 3]),
                                   "axis": self._axis(a), "keepdims": bool(rng.integers(2))})
        return Call(op, (x,))

    def fft(self, pool):
        x = self.pick(pool, FC, 1)
        if x is None:
            return None
        op = self.choice(["fft.fft", "fft.ifft", "fft.rfft", "fft.fftn"])
        return Call(op, (x,), {"norm": self.choice(["backward", "ortho", "forward"])})


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


PSEUDO = {"searchsorted_sorted": _searchsorted_sorted, "take_wrapped": _take_wrapped,
          "take_along_axis_wrapped": _take_along_axis_wrapped}


# -- comparison -----------------------------------------------------------------------------------


def bit_difference(a: np.ndarray, b: np.ndarray) -> str | None:
    """Why ``a`` and ``b`` are not the same bits (NaN payloads aside), or None."""
    if a.dtype != b.dtype:
        return f"dtype {a.dtype} != {b.dtype}"
    if a.shape != b.shape:
        return f"shape {a.shape} != {b.shape}"
    if a.dtype.kind == "c":
        return bit_difference(a.real, b.real) or bit_difference(a.imag, b.imag)
    if a.dtype.kind == "f":
        same = (a == b) & (np.signbit(a) == np.signbit(b)) | np.isnan(a) & np.isnan(b)
        if not same.all():
            k = np.flatnonzero(~same)[0]
            return f"at {k}: {a.ravel()[k]!r} != {b.ravel()[k]!r}"
        return None
    if not np.array_equal(a, b):
        k = np.flatnonzero(a != b)[0]
        return f"at {k}: {a.ravel()[k]!r} != {b.ravel()[k]!r}"
    return None


def _operands(call: Call, pool) -> list[np.ndarray]:
    out = []

    def visit(a):
        if isinstance(a, Ref):
            out.append(_np(pool[a.i]))
        elif isinstance(a, (tuple, list)):
            for b in a:
                visit(b)
        elif isinstance(a, (int, float, complex)) and not isinstance(a, bool):
            out.append(np.asarray(a))
    for a in (*call.args, *call.kwargs.values()):
        visit(a)
    return out


def _unspecified(call: Call, pool, ref: np.ndarray) -> np.ndarray | None:
    """Elements of ``call``'s result the standard leaves to the implementation (True)."""
    name = call.name.strip("_")
    # Python scalars as the array's dtype would take them (1e300 is inf in float32)
    with np.errstate(all="ignore"):
        ops = [_np(pool[a.i]) if isinstance(a, Ref) else
               np.asarray(a, ref.dtype if isinstance(a, float) and ref.dtype.kind == "f" else None)
               for a in call.args if isinstance(a, (Ref, int, float, complex))]

    def bcast(m):
        return np.broadcast_to(m, ref.shape) if m.shape != ref.shape else m
    try:
        if name in ("astype", "asarray") and ref.dtype.kind in "iu":
            src = ops[0]
            if src.dtype.kind in "fc" or src.dtype.kind in "iu":
                info = np.iinfo(ref.dtype)
                with np.errstate(invalid="ignore"):
                    val = src.real if src.dtype.kind == "c" else src
                    bad = ~np.isfinite(val) | (val < info.min) | (val > info.max) \
                        if val.dtype.kind == "f" else (val.astype(object) < info.min) | \
                        (val.astype(object) > info.max)
                return bcast(np.asarray(bad, bool))
        if name in KNOWN_LIMITS:
            return bcast(KNOWN_LIMITS[name](*ops))
        if name == "clip" and ref.dtype.kind in "iu":
            # a bound outside the dtype's range is unspecified
            info = np.iinfo(ref.dtype)
            for bound in (call.kwargs.get("min"), call.kwargs.get("max")):
                if isinstance(bound, Ref):
                    bound = _np(pool[bound.i])
                    if bound.size and (bound.astype(object).min() < info.min or
                                       bound.astype(object).max() > info.max):
                        return np.ones(ref.shape, bool)
                elif type(bound) is int and not info.min <= bound <= info.max:
                    return np.ones(ref.shape, bool)
        if name in ("astype", "asarray") and ref.dtype.kind == "f" and ops[0].dtype.kind in "iu":
            return None
        if len(ops) == 2 and ref.shape == np.broadcast_shapes(ops[0].shape, ops[1].shape):
            x1, x2 = ops if not name.startswith("r") or name in ("remainder", "rshift") \
                else ops[::-1]
            if name in ("floor_divide", "floordiv") and ref.dtype.kind == "f":
                # finite // +-inf: the standard's -0 and Python's -1 are both in use
                return bcast(np.isfinite(x1) & (x1 != 0) & np.isinf(x2))
            if x1.dtype.kind in "iu" or x2.dtype.kind in "iu":
                if name in ("floor_divide", "floordiv", "remainder", "mod"):
                    return bcast((x2 == 0) | ((x2 == -1) if x2.dtype.kind == "i" else False))
                if "shift" in name:
                    bits = 8 * max(x1.dtype.itemsize, 1)
                    return bcast((x2 < 0) | (x2 >= bits))
                if name in ("pow", "rpow"):
                    # negative exponents and overflow are unspecified for integers
                    with np.errstate(all="ignore"):
                        big = np.abs(x1.astype(np.float64)) ** x2.astype(np.float64) >= \
                            float(np.iinfo(ref.dtype).max) / 2
                    return bcast((x2 < 0) | big)
    except (ValueError, TypeError):
        return None
    return None


def _close_difference(ours: np.ndarray, ref: np.ndarray, call: Call, pool) -> str | None:
    """Why ``ours`` disagrees with the reference result under the standard's rules, or None."""
    if ours.dtype != ref.dtype:
        return f"dtype {ours.dtype} != reference {ref.dtype}"
    if ours.shape != ref.shape:
        return f"shape {ours.shape} != reference {ref.shape}"
    ref = _standard_rules(call, pool, ref)
    skip = _unspecified(call, pool, ref)
    if skip is not None:
        ours, ref = ours[~skip], ref[~skip]
    return _value_difference(ours, ref, call, pool)


def _standard_rules(call: Call, pool, ref: np.ndarray) -> np.ndarray:
    """The reference result with NumPy's deviations from the standard replaced."""
    if call.name == "mean" and ref.dtype.kind == "c":
        # the sum divided by N part by part (NumPy divides as complex numbers, which turns
        # (x + inf j) / N into NaN + inf j)
        x = _np(pool[call.args[0].i])
        kw = {"axis": call.kwargs.get("axis"), "keepdims": call.kwargs.get("keepdims", False)}
        with np.errstate(all="ignore"):
            total = np.sum(x, **kw)
            n = x.size // max(total.size, 1) if x.size else 0
            out = np.empty_like(ref)
            out.real, out.imag = total.real / ref.real.dtype.type(n), \
                total.imag / ref.real.dtype.type(n)
        return out.reshape(ref.shape)
    name = call.name.strip("_")
    if name in ("floor_divide", "floordiv") and ref.dtype.kind == "f":
        # +-inf // finite is +-inf by the standard (NumPy: NaN)
        x1, x2 = (_np(pool[a.i]) if isinstance(a, Ref) else np.asarray(a) for a in call.args)
        hit = np.isinf(x1) & np.isfinite(x2) & (x2 != 0)
        if hit.any():
            with np.errstate(all="ignore"):
                inf = np.broadcast_to(x1 * np.sign(x2), ref.shape)
            return np.where(np.broadcast_to(hit, ref.shape), inf, ref).astype(ref.dtype)
    if call.name in ("var", "std"):
        # N - correction <= 0 gives NaN (NumPy: inf or NaN)
        x = _np(pool[call.args[0].i])
        axis = call.kwargs.get("axis")
        axes = range(x.ndim) if axis is None else (axis,) if isinstance(axis, int) else axis
        n = math.prod(x.shape[a] for a in axes)
        if n - call.kwargs.get("correction", 0) <= 0:
            return np.full_like(ref, np.nan)
    return ref


def _complex_close(ours, ref, call, pool) -> str | None:
    """Complex results of rounding functions: within a tolerance of |result| (or of the
    operands' scale for reductions); infinite parts must agree."""
    eps = np.finfo(ours.real.dtype).eps
    rtol = 2**10 * eps
    scale = _operand_scale(call, pool) if _is_reduction(call.name) else 0.0
    with np.errstate(all="ignore"):
        err = np.abs(ours.astype(np.complex128) - ref.astype(np.complex128))
        mag = np.abs(ref.astype(np.complex128))
        close = (err <= rtol * np.maximum(mag, scale) + float(np.finfo(ours.real.dtype).tiny))
        inf_o = np.isinf(ours.real) | np.isinf(ours.imag)
        inf_r = np.isinf(ref.real) | np.isinf(ref.imag)
        close &= inf_o == inf_r
        close |= inf_o & inf_r & (ours == ref)
        if _is_reduction(call.name) and scale >= float(np.finfo(ours.real.dtype).max) / 4:
            close |= inf_o | inf_r  # order-dependent overflow
    if not close.all():
        k = np.flatnonzero(~close)[0]
        return f"at {k}: {ours.ravel()[k]!r} != reference {ref.ravel()[k]!r} (approx)"
    return None


def _is_reduction(name: str) -> bool:
    return name in SIGNLESS or name.startswith(("linalg.", "fft."))


def _operand_scale(call, pool) -> float:
    """The largest finite operand magnitude times the operand's size."""
    scale = 0.0
    for a in _operands(call, pool):
        if a.dtype.kind in "fc" and a.size:
            fin = a[np.isfinite(a)]
            m = np.abs(fin.astype(np.complex128)) if a.dtype.kind == "c" else np.abs(fin)
            scale = max(scale, float(m.max(initial=0.0)) * max(a.size, 1))
    return scale


def _value_difference(ours, ref, call, pool) -> str | None:
    name = call.name
    if ours.dtype.kind == "c":
        # a NaN in either part: the standard fixes only that the result holds a NaN
        nan_o = np.isnan(ours.real) | np.isnan(ours.imag)
        nan_r = np.isnan(ref.real) | np.isnan(ref.imag)
        if name in NAN_OPEN:
            # with infinite operands or an overflow, complex products and transforms meet
            # inf * 0 or inf - inf in an order the standard leaves open: NaN is no error there
            inf_in = any(np.isinf(a).any() for a in _operands(call, pool) if a.dtype.kind in "fc")
            inf_o = np.isinf(ours.real) | np.isinf(ours.imag)
            inf_r = np.isinf(ref.real) | np.isinf(ref.imag)
            either = (nan_o | nan_r) & (inf_in | inf_o | inf_r)
            ours, ref = ours[~either], ref[~either]
            nan_o, nan_r = nan_o[~either], nan_r[~either]
        if not np.array_equal(nan_o, nan_r):
            k = np.flatnonzero(nan_o != nan_r)[0]
            return f"at {k}: {ours.ravel()[k]!r} != reference {ref.ravel()[k]!r} (NaN)"
        ours, ref = ours[~nan_o], ref[~nan_o]
        if name in APPROX or name in COMPLEX_APPROX:
            return _complex_close(ours, ref, call, pool)
        cname = name if name not in COMPLEX_APPROX else "sin"
        call2 = Call(cname, call.args, call.kwargs)
        return _value_difference(ours.real, ref.real, call2, pool) or \
            _value_difference(ours.imag, ref.imag, call2, pool)
    if ours.dtype.kind != "f":
        if not np.array_equal(ours, ref):
            k = np.flatnonzero(ours != ref)[0]
            return f"at {k}: {ours.ravel()[k]!r} != reference {ref.ravel()[k]!r}"
        return None
    nan_o, nan_r = np.isnan(ours), np.isnan(ref)
    approx = name in APPROX and not (
        name in CORRECTLY_ROUNDED and
        all(a.dtype.kind != "c" for a in _operands(call, pool)))
    if approx:
        eps = np.finfo(ours.dtype).eps
        rtol = 2**10 * eps
        scale = _operand_scale(call, pool)
        reduction = _is_reduction(name)
        atol = rtol * scale if reduction else 0.0
        big = reduction and scale >= float(np.finfo(ours.dtype).max) / 4
        tiny = float(np.finfo(ours.dtype).smallest_normal)
        with np.errstate(all="ignore"):
            close = np.isclose(ours, ref, rtol=rtol, atol=max(atol, tiny), equal_nan=True)
            close |= (ours == ref)
            if big:  # order-dependent overflow: inf or NaN against a huge value is no error
                close |= ~np.isfinite(ours) | ~np.isfinite(ref)
        if not close.all():
            k = np.flatnonzero(~close)[0]
            return f"at {k}: {ours.ravel()[k]!r} != reference {ref.ravel()[k]!r} (approx)"
        return None
    if not np.array_equal(nan_o, nan_r):
        k = np.flatnonzero(nan_o != nan_r)[0]
        return f"at {k}: {ours.ravel()[k]!r} != reference {ref.ravel()[k]!r} (NaN)"
    ok = ~nan_o
    o, r = ours[ok], ref[ok]
    same = o == r
    if name not in SIGNLESS:
        same &= np.signbit(o) == np.signbit(r)
    if not same.all():
        k = np.flatnonzero(~same)[0]
        return f"{o[k]!r} != reference {r[k]!r}"
    return None


# -- running --------------------------------------------------------------------------------------


def _plain_session(model):
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(model.SerializeToString(), opts,
                                providers=["CPUExecutionProvider"])


_SYMBOLIC_LIMIT = re.compile(r"unknown|symbolic|known size|not known|must be known|"
                             r"InconclusiveDimension", re.I)


@dataclass
class Finding:
    kind: str  # eager-error, ref-mismatch, jit-error, jit-mismatch, export-error, ...
    step: int | None
    message: str
    program: Program

    def signature(self) -> str:
        call = self.program.calls[self.step].name if self.step is not None else "-"
        msg = re.sub(r"\d+", "N", self.message.splitlines()[0] if self.message else "")[:90]
        return f"{self.kind} {call}: {msg}"

    def __str__(self) -> str:
        return f"[{self.kind}] step {self.step}: {self.message}\n{self.program}"


def _first_results(program: Program, flat: list) -> list[tuple[int, int]]:
    """(call index, result index) of every result in ``flat``."""
    k = len(program.inputs)
    where = []
    bounds = program.outputs[1:] + [k + len(flat)]
    for step, (start, stop) in enumerate(zip(program.outputs, bounds)):
        where.extend((step, j) for j in range(stop - start))
    return where


def check_program(program: Program, *, modes=("jit", "export"), dynamic: bool = False
                  ) -> list[Finding]:
    """Run ``program`` eagerly, under jit and exported; compare, return what disagrees."""
    found: list[Finding] = []
    arrays = [oxp.asarray(a) if a.dtype.kind != "c" else oxp.asarray(a) for a in program.inputs]
    pool = list(arrays)
    for step, call in enumerate(program.calls):
        try:
            with np.errstate(all="ignore"):
                outs = apply(oxp, call, pool)
        except Exception as exc:  # noqa: BLE001 - any eager failure is a finding
            ref_err = None
            try:
                with np.errstate(all="ignore"):
                    apply(strict, call, [strict.asarray(_np(a)) for a in pool])
            except Exception as e2:  # noqa: BLE001
                ref_err = e2
            if ref_err is not None and not isinstance(exc, (TypeError, ValueError, IndexError,
                                                            OverflowError)):
                # both reject the call, but onnxarray not with a standard exception of its own
                found.append(Finding("raw-error", step, f"{type(exc).__name__}: {exc}"[:300],
                                     program))
            if ref_err is None:
                stricter = any(call.name == n and re.search(p, str(exc)) for n, p in STRICTER)
                found.append(Finding("stricter" if stricter else "eager-error", step,
                                     f"{type(exc).__name__}: {exc}", program))
            return found
        try:
            with np.errstate(all="ignore"):
                refs = apply(strict, call, [strict.asarray(_np(a)) for a in pool])
        except Exception:  # noqa: BLE001 - eager values the reference rejects: no comparison
            refs = None
        if refs is not None:
            if len(refs) != len(outs):
                found.append(Finding("ref-mismatch", step, f"{len(outs)} results, reference "
                                     f"{len(refs)}", program))
            elif call.name.startswith("unique_"):
                msg = _unique_difference(call, pool, outs, refs)
                if msg:
                    found.append(Finding("ref-mismatch", step, msg, program))
            else:
                for j, (o, r) in enumerate(zip(outs, refs)):
                    msg = _close_difference(np.asarray(o), _np(r), call, pool)
                    if msg:
                        found.append(Finding("ref-mismatch", step, f"result {j}: {msg}",
                                             program))
                        break
        pool.extend(outs)
    eager = [np.asarray(a) for a in pool[len(arrays):]]
    if "jit" in modes:
        try:
            fn = oxp.jit(lambda *xs: tuple(run(oxp, program, xs)))
            got = [np.asarray(a) for a in fn(*arrays)]
            _compare_all(found, "jit", program, eager, got)
        except Exception as exc:  # noqa: BLE001
            # sizes that come from data (nonzero, unique, masks) are unknown while tracing
            kind = "jit-limit" if _SYMBOLIC_LIMIT.search(str(exc)) else "jit-error"
            found.append(Finding(kind, None, f"{type(exc).__name__}: {exc}", program))
    if "export" in modes:
        _check_export(found, program, eager, dynamic)
    return found


def _compare_all(found, mode, program, eager, got):
    if len(got) != len(eager):
        found.append(Finding(f"{mode}-mismatch", None, f"{len(got)} results, eager "
                             f"{len(eager)}", program))
        return
    for (step, j), e, g in zip(_first_results(program, eager), eager, got):
        msg = bit_difference(g, e)
        if msg:
            found.append(Finding(f"{mode}-mismatch", step, f"result {j}: {msg}", program))
            return


def _check_export(found, program, eager, dynamic):
    args = {}
    for i, a in enumerate(program.inputs):
        shape = tuple(f"d{i}_{j}" if dynamic and d > 0 else d for j, d in enumerate(a.shape))
        args[f"x{i}"] = oxp.argument(shape=shape, dtype=getattr(oxp, a.dtype.name))
    try:
        outs = run(oxp, program, list(args.values()))
        model = oxp.build(args, {f"y{k}": o for k, o in enumerate(outs)},
                          allow_unused_inputs=True)
    except Exception as exc:  # noqa: BLE001
        kind = "export-limit" if _SYMBOLIC_LIMIT.search(str(exc)) else "export-error"
        found.append(Finding(kind, None, f"{type(exc).__name__}: {exc}", program))
        return
    feeds = {k: pack(a) if a.dtype.kind == "c" else a for k, a in
             zip(args, program.inputs)}
    try:
        got = _plain_session(model).run(None, feeds)
    except Exception as exc:  # noqa: BLE001
        found.append(Finding("export-run-error", None, f"{type(exc).__name__}: {exc}"[:500],
                             program))
        return
    got = [unpack(g) if e.dtype.kind == "c" else g for g, e in zip(got, eager)]
    _compare_all(found, "export", program, eager, got)


def _unique_difference(call, pool, outs, refs) -> str | None:
    """unique_*: the order of values is unspecified; compare as multisets and check indices."""
    x = _np(pool[call.args[0].i]).ravel()
    vals = np.asarray(outs[0])
    ref_vals = _np(refs[0])
    if vals.dtype != ref_vals.dtype or vals.shape != ref_vals.shape:
        return f"values {vals.dtype}{vals.shape} != reference {ref_vals.dtype}{ref_vals.shape}"

    def key(v):
        return np.sort(v.astype(np.complex128).real + 0.0) if v.dtype.kind == "c" else np.sort(v)
    if bit_difference(key(vals), key(ref_vals)):
        return f"values {vals!r} != reference {ref_vals!r}"
    if call.name == "unique_counts":
        counts = np.asarray(outs[1])
        if counts.sum() != x.size:
            return f"counts {counts!r} do not add up to {x.size}"
    if call.name in ("unique_inverse", "unique_all"):
        inv = np.asarray(outs[1 if call.name == "unique_inverse" else 2]).ravel()
        back = vals[inv] if vals.size else vals[:0]
        ok = (back == x) | (np.isnan(back) & np.isnan(x)) if x.dtype.kind in "fc" else back == x
        if back.shape != x.shape or not ok.all():
            return "inverse indices do not rebuild x"
    return None
