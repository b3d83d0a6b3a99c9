"""A differential fuzzer: random short array-API programs run four ways and compared.

A *program* is a few NumPy input arrays and 2-6 calls of the namespace, each call taking earlier
inputs or results (or Python scalars) as operands. ``generate`` grows a program call by call on
array-api-strict, keeping only calls the reference accepts. ``check_program`` then runs it

- eagerly on onnxarray, call by call (op by op: plans are off, so that what a lowering decides
  from concrete data is what runs);
- compiled whole with ``onnxarray.jit`` (the path of plans);
- exported (``argument`` + ``build``, every other program with symbolic sizes) and run in
  onnxruntime with graph optimizations off, and with its default ones;

and requires them to agree bit for bit (dtype, shape, signs of zeros, and NaNs' signs and
payloads but for the optimized run, whose fusions may pick kernels that keep another NaN of
two). Each eager call is also compared with array-api-strict applied to the same eager
operands, under the standard's rules: exact where the standard fixes the result; within a
tolerance where it leaves rounding open (transcendental functions, reductions, linear
algebra); ignoring what it leaves unspecified (the sign of a zero from max/min, integer
division by zero, out-of-range casts and shifts, the order of unique values).

Where onnxruntime's result depends on the layout (which zero a min/max tie keeps, which NaN of
two an Add keeps), an eager array and a model input of the same value must still take the same
graph. So a share of the programs (``ARRANGED``) takes an *arrangement* as inputs: a column,
one-element arrays of lower rank and rows, holding values that tie (``fuzz_programs``); programs
make small constants inside (arrays the trace holds, not inputs), and call *idioms* that the
lowerings recognise in a trace and record otherwise (``fuzz_programs.IDIOMS``).
"""

from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass

import array_api_strict as strict
import numpy as np
import onnxruntime as ort
from array_api_strict._array_object import Array as _STRICT_ARRAY
from fuzz_programs import (
    DT,
    DTYPES,
    IDIOMS,
    INPLACE,
    MODES_ONLY,
    ONE_ELEMENT,
    SHAPES,
    Call,
    Program,
    Ref,
    apply,
    arrangement,
    kind_of,
    plain_name,
    random_array,
    run,
    tie_array,
    to_numpy,
)
from fuzz_rules import KNOWN_LIMITS, STRICTER, bit_difference, close_difference, unique_difference

import onnxarray as oxp
from onnxarray import _executor
from onnxarray._complex import pack, unpack

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
SQUARE = {"linalg.det", "linalg.inv", "linalg.solve", "linalg.matrix_power", "linalg.slogdet",
          "eigvalsh_hermitian"}
REDUCE = {  # name: (dtype kinds, extra keyword arguments)
    "sum": (NUM, ("dtype",)), "prod": (NUM, ("dtype",)), "mean": (FC, ()), "std": (F, ("corr",)),
    "var": (F, ("corr",)), "max": (REAL, ()), "min": (REAL, ()), "all": (ANY, ()),
    "any": (ANY, ()), "count_nonzero": (ANY, ()),
}


# the share of programs whose inputs are an arrangement (a column and one-element arrays)
ARRANGED = 0.35
# binary functions whose result at a tie (two zeros, two NaNs) depends on the kernel path
TIES = ["add", "subtract", "multiply", "maximum", "minimum", "divide", "__add__", "__radd__",
        "__sub__", "__mul__", "__truediv__", "copysign", "hypot", "atan2", "pow", "remainder",
        "logaddexp", "nextafter"]


class Generator:
    """Grows random programs, keeping the calls array-api-strict accepts."""

    def __init__(self, rng: np.random.Generator, lenient: list | None = None):
        self.rng = rng
        self.arranged = False  # whether the program grown now has an arrangement's inputs
        self.lenient = lenient  # collects calls only onnxarray accepts, when a list
        self.builders = [
            (10, self.unary), (12, self.binary), (3, self.clip), (5, self.reduce),
            (3, self.cumulative), (2, self.argminmax), (6, self.manipulation),
            (3, self.searching), (3, self.sorting), (2, self.sets), (5, self.indexing),
            (2, self.setitem), (3, self.creation), (3, self.astype), (4, self.linalg),
            (2, self.fft), (1, self.diff), (3, self.inplace), (1, self.isin),
            (1, self.constant), (6, self.idiom),
        ]
        w = np.array([b[0] for b in self.builders], float)
        self.weights = w / w.sum()
        # an arrangement's calls: mostly ones that pair the column with a one-element array
        pairing = {self.binary: 30, self.clip: 6, self.searching: 4, self.inplace: 6,
                   self.setitem: 3, self.constant: 6, self.idiom: 12}
        w = np.array([pairing.get(b[1], b[0] / 2) for b in self.builders], float)
        self.arranged_weights = w / w.sum()

    def choice(self, seq):
        return seq[self.rng.integers(len(seq))]

    def pick(self, pool, kinds: str, ndim_min: int = 0):
        ok = [i for i, a in enumerate(pool) if kind_of(a) in kinds and a.ndim >= ndim_min]
        return Ref(self.choice(ok)) if ok else None

    def scalar(self, kind: str, real_dtype=None):
        rng = self.rng
        if kind == "b":
            return bool(rng.integers(2))
        if kind in "iu":
            return int(self.choice([0, 1, 2, 3, -1, 5, 100] if kind == "i" else [0, 1, 2, 3, 7]))
        vals = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, 3.0, math.nan, math.inf, -math.inf, 1e-310, 3.25,
                -7.0, 1e300]
        if kind == "f":
            return float(self.choice(vals))
        return complex(self.choice(vals), self.choice(vals))

    def _check_rejected(self, call: Call, pool, exc: Exception) -> None:
        """Record a call array-api-strict rejects but onnxarray runs eagerly (for review:
        array-api-strict is stricter than the standard in places), or that onnxarray rejects
        with an exception that is not a standard one of its own."""
        prog = Program([to_numpy(a) for a in pool], [call], [len(pool)])
        try:
            with np.errstate(all="ignore"):
                apply(oxp, call, [oxp.asarray(to_numpy(a)) for a in pool])
        except (TypeError, ValueError, IndexError, OverflowError, MemoryError):
            return  # rejected by both (or a resource limit)
        except Exception as mine:  # noqa: BLE001 - rejected, but not by onnxarray itself
            self.lenient.append(Finding("raw-error", 0, f"{type(mine).__name__}: {mine}"[:300],
                                        prog))
            return
        self.lenient.append(Finding("accepts-invalid", 0, f"{type(exc).__name__}: {exc}", prog))

    def program(self, budget: int = 40) -> Program:
        rng = self.rng
        weights = self.weights
        self.arranged = rng.random() < ARRANGED
        if self.arranged:
            inputs = arrangement(rng)
            weights = self.arranged_weights
        else:
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
            builder = self.builders[rng.choice(len(self.builders), p=weights)][1]
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
        arranged = self.arranged and self.rng.random() < 0.7
        name = self.choice(TIES if arranged else list(BINARY))
        kinds = BINARY[name]
        x = self.pick(pool, kinds)
        if x is None:
            return None
        kind = kind_of(pool[x.i])
        r = self.rng.random() + 0.4 * arranged  # an arrangement's arrays meet each other
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

    def constant(self, pool):
        """A one-element (or short) array made from data inside the program, of the dtype of
        an array of the pool."""
        x = self.pick(pool, ANY)
        dtype = str(to_numpy(pool[x.i]).dtype)
        shape = self.choice(ONE_ELEMENT + [(2,), (1, 2)])
        return Call("constant", (tie_array(self.rng, dtype, shape),))

    def idiom(self, pool):
        """One of ``IDIOMS`` on a float array of the pool."""
        rng = self.rng
        x = self.pick(pool, F)
        if x is None:
            return None
        a = pool[x.i]
        name = self.choice(sorted(IDIOMS))

        def bound():  # a Python float, or an array of the pool or made here
            r = rng.random()
            if r < 0.6:
                return float(self.choice([0.0, -0.0, 1.0, -1.0, 0.5]))
            if r < 0.8:
                return self.pick(pool, F)
            return None
        if name == "clamp":
            lo, hi = bound(), bound()
            if lo is None or hi is None:
                return None
            return Call(name, (x, lo, hi, int(rng.integers(4))))
        if name == "reduced_back":
            c = bound()
            if a.ndim != 2 or c is None or 0 in a.shape:
                return None
            return Call(name, (x, c, self.choice(["add", "multiply", "maximum", "minimum"]),
                               self.choice(["max", "min", "sum"])))
        if name == "row_op":
            if a.ndim == 0 or a.shape[-1] == 0:
                return None
            return Call(name, (x, self.choice(["add", "multiply", "subtract", "divide"]),
                               self.choice(["abs", "exp"]), bool(rng.integers(2))))
        if name == "softmax":
            return Call(name, (x,)) if a.ndim and a.shape[-1] else None
        return Call(name, (x, self.choice(["add", "subtract"]), self.choice([0.0, -0.0])))

    def inplace(self, pool):
        name = self.choice(list(INPLACE))
        kinds = BINARY[INPLACE[name]]
        x = self.pick(pool, kinds)
        if x is None:
            return None
        kind = kind_of(pool[x.i])
        r = self.rng.random()
        if r < 0.5:  # a Python scalar of the array's kind or a lower one
            lower = {"b": "b", "i": "i", "u": "i", "f": "if", "c": "ifc"}[kind]
            y = self.scalar(self.choice([k for k in lower if k in kinds] or [kind]))
        else:  # the reference rejects operands that would change x's dtype or shape
            y = self.pick(pool, kind if r < 0.85 else kinds)
        return Call(name, (x, y))

    def isin(self, pool):
        x = self.pick(pool, INT)  # the standard's isin takes integers
        if x is None:
            return None
        y = self.pick(pool, INT) if self.rng.random() < 0.8 else self.scalar("i")
        args = (x, y) if self.rng.random() < 0.8 or not isinstance(y, Ref) else (y, x)
        return Call("isin", args, {"invert": bool(self.rng.integers(2))})

    def clip(self, pool):
        x = self.pick(pool, REAL)
        if x is None:
            return None
        kind = kind_of(pool[x.i])

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
        return self.choice(DTYPES[11:] if kind_of(a) == "c" else DTYPES[1:])

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
        kw = {"axis": int(self.rng.integers(-a.ndim, a.ndim)), "n": int(self.rng.integers(0, 3))}
        same = [i for i, b in enumerate(pool) if b.dtype == a.dtype and b.ndim == a.ndim]
        for side in ("prepend", "append"):
            if self.rng.random() < 0.25:  # of x's dtype; the reference rejects unfit shapes
                kw[side] = Ref(self.choice(same))
        return Call("diff", (x,), kw)

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
            if r is None or to_numpy(pool[r.i]).astype(object).sum() > 10**4:
                return None  # billions of repeats (an integer's maximum) exhaust the memory
            return Call(op, (x, r), {"axis": self._axis(a, False)})
        if op == "reshape":
            shape = self.choice([(-1,), (1, -1), (a.size,), (-1, 1), ()] +
                                ([(a.shape[-1], -1)] if nd else []))
            return Call(op, (x, shape))
        if op == "roll":
            if nd and rng.random() < 0.3:
                axes = tuple(int(v) for v in rng.permutation(nd)[:int(rng.integers(1, nd + 1))])
                shifts = tuple(int(v) for v in rng.integers(-4, 5, len(axes)))
                return Call(op, (x, shifts), {"axis": axes})
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
            y = self.pick(pool, kind_of(pool[x.i])) if rng.random() < 0.7 else \
                self.scalar(kind_of(pool[x.i]))
            return Call(op, (c, x, y) if rng.random() < 0.7 else (c, y, x))
        s = self.pick(pool, REAL, 1)
        if s is None:
            return None
        return Call("searchsorted_sorted", (s, self.pick(pool, kind_of(pool[s.i]))),
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
        if r < 0.45 and a.ndim:
            k = int(rng.integers(1, a.ndim + 1))
            idx = [self.pick(pool, I) for _ in range(k)]
            if any(i is None for i in idx):
                return None
            return Call("getitem_arrays_wrapped", (x, *idx))
        if r < 0.55 and a.ndim:
            idx = self.pick(pool, I, a.ndim)
            if idx is None or pool[idx.i].ndim != a.ndim:
                return None
            return Call("take_along_axis_wrapped", (x, idx), {"axis": -1})
        return Call("getitem", (x, self._key(pool, a)))

    def setitem(self, pool):
        x = self.pick(pool, ANY)
        a = pool[x.i]
        key = self._key(pool, a)
        kind = kind_of(a)
        v = self.scalar(kind) if self.rng.random() < 0.5 else self.pick(pool, kind)
        return Call("setitem", (x, key, v))

    def creation(self, pool):
        rng = self.rng
        x = self.pick(pool, ANY)
        a = pool[x.i]
        op = self.choice(["zeros_like", "ones_like", "full_like", "tril", "triu", "meshgrid",
                          "asarray", "eye", "linspace", "arange"])
        if op == "full_like":
            return Call(op, (x, self.scalar(kind_of(a))))
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
                          "linalg.matrix_norm", "linalg.solve", "linalg.matrix_power",
                          "linalg.slogdet", "linalg.svdvals", "linalg.pinv",
                          "linalg.matrix_rank", "eigvalsh_hermitian"])
        if op in SQUARE:  # a stack of square floating-point matrices, when the pool has one
            ok = [i for i, a in enumerate(pool) if kind_of(a) in FC and a.ndim >= 2
                  and a.shape[-1] == a.shape[-2]]
            x = Ref(self.choice(ok)) if ok else self.pick(pool, NUM, 1)
        else:
            x = self.pick(pool, NUM, 1)
        if x is None:
            return None
        a = pool[x.i]
        kind = kind_of(a)
        if op in ("matmul", "__matmul__", "linalg.outer", "linalg.cross"):
            y = self.pick(pool, kind, 1)
            return Call(op, (x, y))
        if op == "tensordot":
            y = self.pick(pool, kind)
            return Call(op, (x, y), {"axes": int(rng.integers(0, 3))})
        if op == "linalg.solve":
            return Call(op, (x, self.pick(pool, kind, 1)))
        if op == "linalg.matrix_power":
            return Call(op, (x, int(rng.integers(-2, 4))))
        if op in ("linalg.svdvals", "linalg.pinv", "linalg.matrix_rank", "linalg.slogdet",
                  "eigvalsh_hermitian") and kind not in FC:
            return None  # floating-point input only
        if op == "vecdot":
            return Call(op, (x, self.pick(pool, kind, 1)), {"axis": -1})
        if op == "linalg.vector_norm":
            return Call(op, (x,), {"ord": self.choice([2, 1, math.inf, -math.inf, 0, 3]),
                                   "axis": self._axis(a), "keepdims": bool(rng.integers(2))})
        return Call(op, (x,))

    def fft(self, pool):
        rng = self.rng
        op = self.choice(["fft.fft", "fft.ifft", "fft.rfft", "fft.fftn", "fft.ifftn",
                          "fft.irfft", "fft.hfft", "fft.ihfft", "fft.rfftn", "fft.irfftn",
                          "fft.fftshift", "fft.ifftshift"])
        real_in = op in ("fft.rfft", "fft.ihfft", "fft.rfftn")
        x = self.pick(pool, NUM if op.endswith("shift") else F if real_in else FC, 1)
        if x is None:
            return None
        if op.endswith("shift"):
            return Call(op, (x,), {"axes": self._axis(pool[x.i])})
        kw = {"norm": self.choice(["backward", "ortho", "forward"])}
        if not op.endswith("n") and rng.random() < 0.3:
            kw["n"] = int(rng.integers(1, 7))
        if op.endswith("fftn") and rng.random() < 0.4:  # some axes, in any order, cut or padded
            nd = pool[x.i].ndim
            kw["axes"] = tuple(int(v) for v in rng.permutation(nd)[:int(rng.integers(1, nd + 1))])
            if rng.random() < 0.7:
                kw["s"] = tuple(int(v) for v in rng.integers(1, 7, size=len(kw["axes"])))
        return Call(op, (x,), kw)


# -- running --------------------------------------------------------------------------------------


def _plain_session(model):
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    return ort.InferenceSession(model.SerializeToString(), opts,
                                providers=["CPUExecutionProvider"])


_SYMBOLIC_LIMIT = re.compile(r"unknown|symbolic|known size|not known|must be known|needs a known|"
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


def _run_eager(found: list, program: Program, pool: list) -> bool:
    """Run ``program``'s calls op by op on ``pool``, extending it; compare each with the
    reference. False when a call raised (the finding is recorded)."""
    for step, call in enumerate(program.calls):
        try:
            with np.errstate(all="ignore"):
                outs = apply(oxp, call, pool)
        except MemoryError as exc:  # a resource limit (NumPy's own repeat may still fit)
            found.append(Finding("memory-limit", step, f"MemoryError: {exc}", program))
            return False
        except Exception as exc:  # noqa: BLE001 - any eager failure is a finding
            ref_err = None
            try:
                with np.errstate(all="ignore"):
                    apply(strict, call, [strict.asarray(to_numpy(a)) for a in pool])
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
            return False
        try:
            with np.errstate(all="ignore"):
                refs = None if call.name in MODES_ONLY else apply(
                    strict, call, [strict.asarray(to_numpy(a)) for a in pool])
        except Exception:  # noqa: BLE001 - eager values the reference rejects: no comparison
            refs = None
        if refs is not None:
            if len(refs) != len(outs):
                found.append(Finding("ref-mismatch", step, f"{len(outs)} results, reference "
                                     f"{len(refs)}", program))
            elif call.name.startswith("unique_"):
                msg = unique_difference(call, pool, outs, refs)
                if msg:
                    found.append(Finding("ref-mismatch", step, msg, program))
            else:
                for j, (o, r) in enumerate(zip(outs, refs)):
                    msg = close_difference(np.asarray(o), to_numpy(r), call, pool)
                    if msg:
                        found.append(Finding("ref-mismatch", step, f"result {j}: {msg}",
                                             program))
                        break
        pool.extend(outs)
    return True


@contextlib.contextmanager
def _op_by_op():
    """Namespace functions run op by op, never as compiled plans, within the block."""
    before = oxp.cache_limits()["plans"]
    oxp.cache_limits(plans=0)
    try:
        yield
    finally:
        oxp.cache_limits(plans=before)


def check_program(program: Program, *, modes=("jit", "export"), dynamic: bool = False
                  ) -> list[Finding]:
    """Run ``program`` eagerly, under jit and exported; compare, return what disagrees."""
    found: list[Finding] = []
    arrays = [oxp.asarray(a) if a.dtype.kind != "c" else oxp.asarray(a) for a in program.inputs]
    pool = list(arrays)
    # op by op: a namespace function called again with one signature would run as a plan,
    # which traces the call on symbolic inputs as jit does (jit's whole-program plan checks
    # that path), and would hide what the lowering decided from the data
    with _op_by_op():
        if not _run_eager(found, program, pool):
            return found
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


def _compare_all(found, mode, program, eager, got, nan_bits=True):
    """Every result the same bits, NaNs' included unless ``nan_bits`` is false."""
    if len(got) != len(eager):
        found.append(Finding(f"{mode}-mismatch", None, f"{len(got)} results, eager "
                             f"{len(eager)}", program))
        return
    for (step, j), e, g in zip(_first_results(program, eager), eager, got):
        msg = bit_difference(g, e, nan_bits=nan_bits)
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
        # a NaN's sign bit is read from opset 26 (BitCast), as eagerly; below, a known limit
        sign_bits = any(plain_name(c.name).strip("_") in KNOWN_LIMITS for c in program.calls)
        opset = {"opset": _executor.eager_opset()} if sign_bits else {}
        model = oxp.build(args, {f"y{k}": o for k, o in enumerate(outs)},
                          allow_unused_inputs=True, **opset)
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
    # as users run it: onnxruntime's default graph optimizations must not change a bit
    try:
        opt = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"]).run(None, feeds)
    except Exception as exc:  # noqa: BLE001
        found.append(Finding("export-optimized-run-error", None,
                             f"{type(exc).__name__}: {exc}"[:500], program))
        return
    opt = [unpack(g) if e.dtype.kind == "c" else g for g, e in zip(opt, eager)]
    # its fusions may pick other kernel paths, which keep another NaN of two
    _compare_all(found, "export-optimized", program, eager, opt, nan_bits=False)
