"""Symbolic dimensions: the entries of ``x.shape`` whose size is only known when a model runs.

A symbolic array's unknown sizes are not ``None`` but ``SymbolicDim`` objects, in the way JAX's
shape polymorphism works. They are integers whose value is not known yet:

- they are registered as ``numbers.Integral``, so code that validates ``x.shape[0]`` as an
  integer (``len``-like checks in scikit-learn, array-api-compat's ``size``) accepts them;
- ``+ - * // %`` with ints and other symbolic dims give symbolic dims; an expression is kept in a
  canonical form (a polynomial in the atoms), so ``n * 2 == n + n``;
- comparisons are decided when the assumptions settle them: dims of ``argument`` are assumed
  to be at least 1, data-dependent sizes at least 0. ``N >= 1`` is True, ``N == 0`` is False,
  ``N - N == 0`` is True; ``N > 5`` or ``N == M`` cannot be decided and raise
  ``InconclusiveDimensionError`` (a TypeError) that says so, never a guess;
- they can be used wherever the standard takes a size: creation functions, ``reshape``,
  ``broadcast_to``, ``arange``, and as Python-int operands of array arithmetic. There they
  record the computation of the size (``Shape`` of the array they were read from);
- ``int()``, ``operator.index()`` (``range(n)``, NumPy shapes) need the value and raise a
  ``SymbolicValueError`` that says so.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

from . import _dtypes as D
from . import _ops
from ._graph import Dim, Value

__all__ = ["SymbolicDim", "InconclusiveDimensionError", "SymbolicValueError", "public_dim",
           "is_size", "size_value", "graph_dim", "not_square"]


class InconclusiveDimensionError(TypeError):
    """A comparison of symbolic dimensions that the known bounds do not decide."""


class SymbolicValueError(TypeError):
    """Raised when Python needs the data of an array that only exists in a trace."""


# A polynomial in atoms: {monomial: coefficient}, a monomial being a sorted tuple of atom keys
# (the empty tuple is the constant term). Atoms are graph-dim keys.
Poly = dict


def _sorted(keys) -> tuple:
    return tuple(sorted(keys, key=repr))


def _add(a: Poly, b: Poly, sign: int = 1) -> Poly:
    out = dict(a)
    for m, c in b.items():
        out[m] = out.get(m, 0) + sign * c
        if out[m] == 0:
            del out[m]
    return out


def _mul(a: Poly, b: Poly) -> Poly:
    out: Poly = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            m = _sorted(ma + mb)
            out[m] = out.get(m, 0) + ca * cb
            if out[m] == 0:
                del out[m]
    return out


def _frozen(p: Poly) -> tuple:
    return tuple(sorted(p.items(), key=repr))


class SymbolicDim:
    """A dimension size known only when the exported model runs (see the module docstring)."""

    __slots__ = ("_poly", "_lows", "_value", "_dim", "_text")

    def __init__(self, poly: Poly, lows: dict, value: Callable[[], Value], dim: Dim,
                 text: str) -> None:
        self._poly = poly
        self._lows = lows
        self._value = value
        self._dim = dim
        self._text = text

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def _atom(cls, dim: Dim, value: Callable[[], Value]) -> SymbolicDim:
        return cls({(dim.key,): 1}, {dim.key: (dim.low, repr(dim))}, value, dim, repr(dim))

    @staticmethod
    def _derive(poly: Poly, lows: dict, value: Callable[[], Value]):
        """A dim for ``poly``, or a plain int when the expression is a constant."""
        text = _text(poly, lows)
        if not poly:
            return 0
        if list(poly) == [()]:
            return poly[()]
        if len(poly) == 1:
            (m, c), = poly.items()
            if c == 1 and len(m) == 1:
                low = lows[m[0]][0]
                return SymbolicDim(poly, lows, value, Dim(key=m[0], low=low), text)
        low = _bounds(poly, lows)[0]
        dim = Dim(key=("e", _frozen(poly)), low=max(0, low) if low != float("-inf") else 0,
                  expr=(poly, lows))
        return SymbolicDim(poly, lows, value, dim, text)

    # -- arithmetic ------------------------------------------------------------------------------
    def _binary(self, other, op: str, combine, onnx_op: str, reverse: bool = False):
        o = _operand(other)
        if o is None:
            return NotImplemented
        a, b = (o, self) if reverse else (self, o)
        pa, la, va, ta = _parts(a)
        pb, lb, vb, tb = _parts(b)
        def value() -> Value:
            return _ops.binary(onnx_op, va(), vb())

        return SymbolicDim._derive(combine(pa, pb), {**la, **lb}, value)

    def __add__(self, other):
        return self._binary(other, "+", _add, "Add")

    def __radd__(self, other):
        return self._binary(other, "+", _add, "Add", reverse=True)

    def __sub__(self, other):
        return self._binary(other, "-", lambda a, b: _add(a, b, -1), "Sub")

    def __rsub__(self, other):
        return self._binary(other, "-", lambda a, b: _add(a, b, -1), "Sub", reverse=True)

    def __mul__(self, other):
        return self._binary(other, "*", _mul, "Mul")

    def __rmul__(self, other):
        return self._binary(other, "*", _mul, "Mul", reverse=True)

    def __neg__(self):
        return self._binary(-1, "*", _mul, "Mul")

    def __pos__(self):
        return self

    def _divmod(self, other, op: str):
        if isinstance(other, bool) or not isinstance(other, int):
            if isinstance(other, (SymbolicDim, numbers.Integral)):
                raise InconclusiveDimensionError(
                    f"symbolic dimension {self!r} {op} {other!r}: only division by a positive "
                    "int is supported")
            return NotImplemented
        if other <= 0:
            raise ValueError(f"symbolic dimension {self!r} {op} {other}: the divisor must be "
                             "a positive int")
        if other == 1:
            return self if op == "//" else 0
        exact = all(c % other == 0 for c in self._poly.values())
        if exact:
            poly = ({m: c // other for m, c in self._poly.items()} if op == "//" else {})
        else:
            poly = {(("op", op, _frozen(self._poly), other),): 1}
        def value() -> Value:
            return _ops.binary("Div" if op == "//" else "Mod", self._value(), _ops.i64([other]))

        lows = dict(self._lows)
        if not exact:
            inner = f"({self._text})" if " " in self._text else self._text
            lows[next(iter(poly))[0]] = (0, f"({inner} {op} {other})")
        return SymbolicDim._derive(poly, lows, value)

    def __floordiv__(self, other):
        return self._divmod(other, "//")

    def __mod__(self, other):
        return self._divmod(other, "%")

    # -- comparison -----------------------------------------------------------------------------
    def _compare(self, other, op: str) -> bool:
        o = _operand(other)
        if o is None:
            return NotImplemented
        po, lo, _, to = _parts(o)
        diff = _add(self._poly, po, -1)
        if not diff:
            return op in ("==", ">=", "<=")
        low, high = _bounds(diff, {**self._lows, **lo})
        decided = {
            "==": False if (low > 0 or high < 0) else None,
            ">": True if low > 0 else (False if high <= 0 else None),
            ">=": True if low >= 0 else (False if high < 0 else None),
            "<": True if high < 0 else (False if low >= 0 else None),
            "<=": True if high <= 0 else (False if low > 0 else None),
        }[op]
        if decided is None:
            raise InconclusiveDimensionError(
                f"symbolic dimension comparison {self._text} {op} {to} cannot be decided while "
                "recording: the size is only known when the model runs (argument dims are "
                "assumed >= 1, data-dependent sizes >= 0). Compute with arrays instead, e.g. "
                "onnxarray.where, or give the dimension a fixed size in argument(shape=...)")
        return decided

    def __eq__(self, other):
        if not isinstance(other, (SymbolicDim, numbers.Integral)) or isinstance(other, bool):
            return False
        return self._compare(other, "==")

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __lt__(self, other):
        return self._compare(other, "<")

    def __le__(self, other):
        return self._compare(other, "<=")

    def __gt__(self, other):
        return self._compare(other, ">")

    def __ge__(self, other):
        return self._compare(other, ">=")

    def __bool__(self) -> bool:
        return self != 0

    def __hash__(self) -> int:
        return hash(_frozen(self._poly))

    # -- conversions ----------------------------------------------------------------------------
    def _needs_value(self, what: str):
        raise SymbolicValueError(
            f"{what} needs the value of the symbolic dimension {self._text}, which is only known "
            "when the exported model runs. Use it as a size (creation functions, reshape, "
            "broadcast_to, arange), as an operand of array arithmetic or as the trip count of "
            "onnxarray.lax.fori_loop/scan (not range()), or give the dimension a fixed size "
            "in argument(shape=...)")

    def __index__(self) -> int:
        self._needs_value("operator.index()")

    def __int__(self) -> int:
        self._needs_value("int()")

    def __float__(self) -> float:
        self._needs_value("float()")

    def __repr__(self) -> str:
        return self._text

    __str__ = __repr__


numbers.Integral.register(SymbolicDim)


def _operand(x):
    if isinstance(x, SymbolicDim):
        return x
    if isinstance(x, numbers.Integral) and not isinstance(x, bool):
        return int(x)
    return None


def _parts(x):
    """(poly, lows, value thunk, text) of a SymbolicDim or an int."""
    if isinstance(x, SymbolicDim):
        return x._poly, x._lows, x._value, x._text
    c = int(x)
    return ({(): c} if c else {}), {}, (lambda: _ops.i64([c])), str(c)


def _bounds(poly: Poly, lows: dict) -> tuple[float, float]:
    """Lower and upper bounds of ``poly`` given each atom's lower bound (no upper bounds)."""
    low = high = float(poly.get((), 0))
    for m, c in poly.items():
        if not m:
            continue
        least = 1
        for k in m:
            least *= lows[k][0]
        if c > 0:
            low += c * least
            high = float("inf")
        else:
            high += c * least
            low = float("-inf")
    return low, high


def _text(poly: Poly, atoms: dict) -> str:
    """``2*N*M + N - 1``: the expression, terms of higher degree first."""
    out = ""
    for m, c in sorted(poly.items(), key=lambda mc: (-len(mc[0]), repr(mc[0]))):
        body = "*".join(atoms[k][1] for k in m)
        mag = abs(c)
        term = (body if mag == 1 else f"{mag}*{body}") if body else str(mag)
        out += (" - " if c < 0 else " + ") + term if out else ("-" if c < 0 else "") + term
    return out


def public_dim(v: Value, axis: int):
    """The public shape entry for ``v.shape[axis]``: an int, or a SymbolicDim read from ``v``."""
    d = v.shape[axis]
    if type(d) is int:
        return d
    if d.expr is not None:
        poly, atoms = d.expr
        return SymbolicDim(poly, atoms, lambda: _ops.dim_of(v, axis), d, _text(poly, atoms))
    return SymbolicDim._atom(d, lambda: _ops.dim_of(v, axis))


def is_size(x) -> bool:
    """True for a size the standard's shape arguments accept here: an int or a SymbolicDim."""
    return isinstance(x, SymbolicDim) or (isinstance(x, numbers.Integral)
                                         and not isinstance(x, bool))


def size_value(d) -> Value:
    """A size as a 1-element int64 Value (a constant for ints)."""
    if isinstance(d, SymbolicDim):
        v = d._value()
        return v if v.dtype is D.int64 else _ops.cast(v, D.int64)
    return _ops.i64([int(d)])


def graph_dim(d):
    """The graph-level shape entry (int or Dim) of a size."""
    return d._dim if isinstance(d, SymbolicDim) else int(d)


def has_symbolic(shape) -> bool:
    return any(isinstance(d, SymbolicDim) for d in shape)


def shape_tensor(shape) -> Value:
    """A 1-D int64 Value of sizes (ints, -1 and SymbolicDims)."""
    if not has_symbolic(shape):
        return _ops.i64([int(d) for d in shape])
    return _ops.concat([size_value(d) for d in shape], 0)


def graph_shape(shape) -> tuple:
    """The graph-level shape (ints and Dims) of sizes; -1 becomes an unknown dim."""
    return tuple(Dim() if (type(d) is int and d == -1) else graph_dim(d) for d in shape)


def dim_text(d: Dim) -> str:
    """The expression of a derived graph dim, e.g. ``2*N + 1``."""
    poly, atoms = d.expr
    return _text(poly, atoms).replace(" ", "")


def not_square(func: str, m, n) -> ValueError:
    """The error for matrices of sizes ``m`` x ``n`` that are not (known to be) square."""
    if type(m) is int and type(n) is int:
        return ValueError(f"{func}: needs square matrices, got {m}x{n}")
    return ValueError(f"{func}: needs square matrices; the sizes {m} and {n} are not known to be "
                      "equal while recording (give both the same name in argument(shape=...))")
