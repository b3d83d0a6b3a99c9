"""The Array object: a thin wrapper around one graph Value, concrete or symbolic.

Arrays have no public constructor; creation functions and ``Array._new`` make them. Operators
are generated from one table and delegate to the namespace's functions, which sit in the layers
above this one: the package gives them to ``install_namespace`` once, at import. Python conversions
(``bool``, ``int``, ``float``, ``len``, iteration) need data, so on a symbolic array they raise a
TypeError that says what to use instead.
"""

from __future__ import annotations

import _thread
import struct
import threading
from collections.abc import Callable
from types import ModuleType

import numpy as np

from . import _dtypes as D
from . import _ops
from ._dims import SymbolicDim, SymbolicValueError, public_dim, size_value
from ._dtypes import DType
from ._graph import Dim, Literal, Value

__all__ = ["Array", "Device", "CPU", "check_device", "scalar_value", "as_value",
           "SymbolicValueError", "install_namespace"]


class Device:
    """The one device onnxarray computes on: the CPU of onnxruntime's default provider."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "onnxarray.Device('cpu')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Device)

    def __hash__(self) -> int:
        return hash("onnxarray-cpu")


CPU = Device()


def check_device(device, func: str) -> None:
    if device is not None and device != CPU:
        raise ValueError(f"{func}: unsupported device {device!r}; onnxarray computes on "
                         f"{CPU!r}")


class Array:
    """An n-dimensional array of the Array API standard backed by ONNX."""

    __slots__ = ("_v", "_arg", "_lock", "__weakref__")
    _v: Value
    # Class attributes set once by install_namespace: the namespace whose functions the
    # operators call, and the indexing functions.
    _functions: ModuleType
    _getitem: Callable
    _setitem: Callable

    def __init__(self, *args, **kwargs) -> None:
        raise TypeError(
            "onnxarray.Array has no public constructor: use onnxarray.asarray, a creation "
            "function or onnxarray.argument"
        )

    @classmethod
    def _new(cls, value: Value) -> Array:
        obj = object.__new__(cls)
        # an array the user holds is never a Literal (see Literal); checked inline: hot path
        obj._v = value if type(value) is not Literal else _held(value)
        obj._lock = None  # created by the first in-place change (_mutation_lock)
        return obj

    # -- attributes ----------------------------------------------------------------------------
    @property
    def dtype(self) -> DType:
        return self._v.dtype

    @property
    def shape(self) -> tuple:
        """The sizes: ints, and ``SymbolicDim`` objects for sizes known only when a model runs."""
        shape = self._v.shape
        if all(type(d) is int for d in shape):
            return shape
        return tuple(public_dim(self._v, i) for i in range(len(shape)))

    @property
    def ndim(self) -> int:
        return len(self._v.shape)

    @property
    def size(self):
        """The number of elements: an int, or a ``SymbolicDim`` product of the sizes."""
        n = 1
        for d in self.shape:
            n = d * n
        return n

    @property
    def device(self) -> Device:
        return CPU

    @property
    def T(self) -> Array:
        if self.ndim != 2:
            raise ValueError(f"Array.T: needs a 2-D array, got {self.ndim}-D; use "
                             "matrix_transpose or permute_dims")
        return self._functions.permute_dims(self, (1, 0))

    @property
    def mT(self) -> Array:
        return self._functions.matrix_transpose(self)

    @property
    def is_symbolic(self) -> bool:
        """True when this array is recorded in a trace rather than holding data."""
        return self._v.data is None

    def to_device(self, device, /, *, stream=None) -> Array:
        if stream is not None:
            raise ValueError("Array.to_device: streams are not supported")
        if device != CPU and device is not None:
            raise ValueError(f"Array.to_device: unknown device {device!r}")
        return self

    def __array_namespace__(self, /, *, api_version: str | None = None):
        if api_version is not None and api_version not in ("2021.12", "2022.12", "2023.12",
                                                           "2024.12", "2025.12"):
            raise ValueError(f"Array.__array_namespace__: unsupported api_version {api_version!r}")
        return self._functions

    # -- conversions -----------------------------------------------------------------------------
    def _data(self, func: str, alternative: str) -> np.ndarray:
        data = self._v.data
        if data is None:
            raise SymbolicValueError(
                f"{func} needs the data of a symbolic array ({self!r}); its values are only "
                f"known when the exported model runs. {alternative}"
            )
        return data

    def _scalar(self, func: str, alternative: str):
        data = self._data(func, alternative)
        if data.size != 1:
            raise TypeError(f"{func}: only arrays with one element can be converted to a Python "
                            f"scalar, got shape {self.shape}")
        return data.reshape(()).item()

    def __bool__(self) -> bool:
        return bool(self._scalar(
            "bool()", "A Python `if` or `while` cannot branch on it: use onnxarray.where(...) "
            "to choose between values, onnxarray.lax.cond(pred, true_fun, false_fun, ...) to "
            "choose between computations, onnxarray.lax.while_loop(cond_fun, body_fun, init) "
            "to loop while a condition holds, or onnxarray.any/all to reduce."))

    def __int__(self) -> int:
        v = self._scalar("int()", "Keep the value as an array.")
        if self.dtype in D.REAL_FLOAT:
            if v != v:
                raise ValueError("int(): cannot convert NaN to an integer")
            if v in (float("inf"), float("-inf")):
                raise OverflowError("int(): cannot convert infinity to an integer")
        return int(v)

    def __float__(self) -> float:
        return float(self._scalar("float()", "Keep the value as an array."))

    def __complex__(self) -> complex:
        return complex(self._scalar("complex()", "Keep the value as an array."))

    def __index__(self) -> int:
        if self.dtype not in D.INTEGER:
            raise TypeError(f"__index__: needs an integer array, got {self.dtype.name}")
        return int(self._scalar("operator.index()", "Index with the array itself instead "
                                "(integer-array indexing records a Gather)."))

    def __len__(self) -> int:
        if not self._v.shape:
            raise TypeError("len() of a 0-D array")
        d = self._v.shape[0]
        if type(d) is not int:
            raise SymbolicValueError(
                f"len(): the first dimension of {self!r} is only known when the exported model "
                "runs; use x.shape[0] (None when unknown) or onnxarray functions instead")
        return d

    def __iter__(self):
        if not self._v.shape:
            raise TypeError("iteration over a 0-D array")
        if self._v.data is None:
            raise SymbolicValueError(
                f"iteration over a symbolic array ({self!r}): its length is only known when the "
                "exported model runs; index it explicitly or use onnxarray.unstack")
        return (self[i] for i in range(len(self)))

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        v = self._v
        data = v.data
        if dtype is None and not copy and data is not None and v.dtype is not D.string:
            return data  # the common case, as the general path below decides it
        data = self._data("numpy.asarray()", "Build the model with onnxarray.build and run it.")
        if self._v.dtype is D.string:  # NumPy's U text; dtype=object gives the str objects
            from ._strings import to_numpy

            if dtype is not None and np.dtype(dtype) == data.dtype:
                return data.copy() if copy else data
            out = to_numpy(data)
            return out if dtype is None else out.astype(dtype)
        if dtype is not None and np.dtype(dtype) != data.dtype:
            return data.astype(dtype)
        if copy:
            return data.copy()
        return data

    def __dlpack__(self, /, *, stream=None, max_version=None, dl_device=None, copy=None):
        if stream is not None:
            raise ValueError("Array.__dlpack__: streams are not supported on the CPU")
        if self._v.dtype is D.string:
            raise TypeError("Array.__dlpack__: DLPack has no string type; convert a string "
                            "array with numpy.asarray")
        data = self._data("__dlpack__", "")
        if copy:
            data = data.copy()
        kwargs = {}
        if max_version is not None:
            kwargs["max_version"] = max_version
        if dl_device is not None:
            kwargs["dl_device"] = dl_device
        if copy is not None:
            kwargs["copy"] = copy
        if not data.flags.writeable:
            data = data.copy()
        return data.__dlpack__(**kwargs)

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU

    def __repr__(self) -> str:
        v = self._v
        if v.data is not None:
            data = v.data
            if v.dtype is D.string:
                from ._strings import to_numpy

                data = to_numpy(data)
            body = np.array2string(data, separator=", ", prefix="Array(")
            return f"Array({body}, dtype={self.dtype.name})"
        dims = ", ".join(str(d) if type(d) is int else repr(d) for d in v.shape)
        return f"Array<symbolic {self.dtype.name}[{dims}]>"

    __str__ = __repr__

    # -- indexing ------------------------------------------------------------------------------
    def __getitem__(self, key, /) -> Array:
        return self._getitem(self, key)

    def __setitem__(self, key, value, /) -> None:
        lock = self._lock
        if lock is None:
            lock = _mutation_lock(self)
        lock.acquire()  # as ``with lock:``, without the context manager's calls
        try:
            _rebind(self, self._setitem(self, key, value)._v)
        finally:
            lock.release()


_LOCK_CREATION = threading.Lock()
_RLock = _thread.RLock  # threading.RLock's C type, without its Python wrapper function


def _mutation_lock(arr: Array) -> threading.RLock:
    """The lock that makes each in-place change of ``arr`` atomic: an assignment reads the
    array's value, computes the new one and rebinds it, so two threads writing different
    parts of one array (scikit-learn's ``pairwise_distances(n_jobs=2)`` does) would otherwise
    lose one of the writes. Created on the first change, so arrays never written cost
    nothing."""
    lock = arr._lock
    if lock is None:
        _LOCK_CREATION.acquire()
        try:
            lock = arr._lock
            if lock is None:
                lock = arr._lock = _RLock()
        finally:
            _LOCK_CREATION.release()
    return lock


def _rebind(arr: Array, v: Value) -> None:
    """Point ``arr`` at a new value (in-place operators). An argument changed in place keeps
    naming the model input it was created as, so ``build({"x": x}, ...)`` finds it."""
    old = arr._v
    if old.name is not None and old.node is None and old.data is None \
            and getattr(arr, "_arg", None) is None:
        arr._arg = old
    arr._v = _held(v)


def _held(v: Value) -> Value:
    """``v`` as an array the user holds: a Literal becomes a plain Value (see Literal)."""
    if type(v) is Literal:
        return Value(v.dtype, v.shape, data=v.data)
    return v


def original_argument(arr: Array) -> Value | None:
    """The argument ``arr`` was created as, if it has been changed in place since."""
    return getattr(arr, "_arg", None)


def _binary_dunder(name: str, func, reflected: bool = False):
    def method(self, other):
        if not isinstance(other, (Array, bool, int, float, complex, str, SymbolicDim)) or (
                type(other) is str and self._v.dtype is not D.string):
            return NotImplemented  # a str only meets string arrays: ``x == "a"`` stays False
        return func(other, self) if reflected else func(self, other)

    method.__name__ = name
    return method


def _inplace_dunder(name: str, func):
    def method(self, other):
        if not isinstance(other, (Array, bool, int, float, complex, SymbolicDim)):
            return NotImplemented
        with _mutation_lock(self):
            return _apply_inplace(self, other, name, func)

    method.__name__ = name
    return method


def _apply_inplace(self: Array, other, name: str, func) -> Array:
    """``self <op>= other``: the result must keep the array's dtype and shape."""
    result = func(self, other)
    if result.dtype is not self.dtype:
        raise TypeError(f"{name}: the result dtype {result.dtype.name} differs from the "
                        f"array's dtype {self.dtype.name}")
    shape = tuple(result._v.shape)
    if len(shape) != self.ndim or any(
            type(a) is int and type(b) is int and a != b
            for a, b in zip(shape, self._v.shape)):
        raise ValueError(f"{name}: the result shape {result.shape} differs from the "
                         f"array's shape {self.shape}")
    _rebind(self, result._v)
    return self


def _unary_dunder(name: str, func):
    def method(self):
        return func(self)

    method.__name__ = name
    return method


# (operator, elementwise function, has reflected and in-place forms)
_BINARY_OPERATORS = [
    ("add", "add"), ("sub", "subtract"), ("mul", "multiply"), ("truediv", "divide"),
    ("floordiv", "floor_divide"), ("mod", "remainder"), ("pow", "pow"),
    ("and", "bitwise_and"), ("or", "bitwise_or"), ("xor", "bitwise_xor"),
    ("lshift", "bitwise_left_shift"), ("rshift", "bitwise_right_shift"),
    ("matmul", "matmul"),
]
_COMPARISONS = [("lt", "less"), ("le", "less_equal"), ("gt", "greater"),
                ("ge", "greater_equal"), ("eq", "equal"), ("ne", "not_equal")]
_UNARY_OPERATORS = [("neg", "negative"), ("pos", "positive"), ("abs", "abs"),
                    ("invert", "bitwise_invert")]

Array.__hash__ = None  # arrays compare elementwise, so they cannot be hashed


def install_namespace(namespace, getitem, setitem) -> None:
    """Give ``Array`` its operators, indexing and ``__array_namespace__``.

    The functions behind them live in the layers above this module (the sections, complex
    dispatch, plans), so the package calls this once, at import, with itself as ``namespace``
    (whose functions the operators call) and the indexing functions. The table of operators
    stays here."""
    Array._functions = namespace
    Array._getitem = staticmethod(getitem)
    Array._setitem = staticmethod(setitem)
    for op, fn in _BINARY_OPERATORS:
        func = getattr(namespace, fn)
        setattr(Array, f"__{op}__", _binary_dunder(f"__{op}__", func))
        setattr(Array, f"__r{op}__", _binary_dunder(f"__r{op}__", func, reflected=True))
        setattr(Array, f"__i{op}__", _inplace_dunder(f"__i{op}__", func))
    for op, fn in _COMPARISONS:
        setattr(Array, f"__{op}__", _binary_dunder(f"__{op}__", getattr(namespace, fn)))
    for op, fn in _UNARY_OPERATORS:
        setattr(Array, f"__{op}__", _unary_dunder(f"__{op}__", getattr(namespace, fn)))


def scalar_value(x, dtype: DType, func: str) -> Value:
    """A Python scalar as a concrete 0-D Value of ``dtype``, by the standard's mixing rules
    (and a Python str with a string array)."""
    if type(x) is float and (dtype.kind == "f" or dtype.kind == "c"):
        return _scalar_constant(x, dtype)  # the common case, as the checks below decide it
    if isinstance(x, str):
        if dtype is not D.string:
            raise TypeError(f"{func}: cannot combine a Python str with an array of dtype "
                            f"{dtype.name}")
        if not x.isascii():
            try:
                x.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(f"{func}: {x!r} is not valid Unicode text (a lone "
                                 "surrogate); ONNX strings are UTF-8") from None
        data = np.empty((), dtype=object)
        data[()] = x
        return Literal(dtype, (), data=data)
    if dtype is D.string:
        raise TypeError(f"{func}: cannot combine a Python {type(x).__name__} with a string "
                        "array")
    if isinstance(x, bool):
        if dtype is not D.bool and dtype.kind not in "iufc":
            raise TypeError(f"{func}: cannot combine a Python bool with {dtype.name}")
        if dtype is not D.bool:
            raise TypeError(f"{func}: cannot combine a Python bool with an array of "
                            f"dtype {dtype.name}")
    elif isinstance(x, int):
        if dtype.kind not in "iufc":
            raise TypeError(f"{func}: cannot combine a Python int with an array of "
                            f"dtype {dtype.name}")
        if dtype.kind in "iu":
            info = np.iinfo(dtype.numpy)
            if not info.min <= x <= info.max:
                raise OverflowError(f"{func}: the Python int {x} does not fit {dtype.name}")
    elif isinstance(x, float):
        if dtype.kind not in "fc":
            raise TypeError(f"{func}: cannot combine a Python float with an array of "
                            f"dtype {dtype.name}")
    elif isinstance(x, complex):
        if dtype.kind != "c":
            raise TypeError(f"{func}: cannot combine a Python complex with an array of "
                            f"dtype {dtype.name}")
    elif isinstance(x, SymbolicDim):
        if dtype.kind not in "iuf":
            raise TypeError(f"{func}: cannot combine a symbolic dimension with an array of "
                            f"dtype {dtype.name}")
        return _ops.cast(_ops.reshape(size_value(x), []), dtype)
    else:
        raise TypeError(f"{func}: expected an array or a Python scalar, got {type(x).__name__}")
    return _scalar_constant(x, dtype)


# Python scalars made into Values are shared: ``y * 0.5`` repeated along a trace records one
# constant, not one per node (one object fewer per node for the cyclic garbage collector to
# walk, and no NumPy conversion per call). Keyed by the scalar's exact bits, so -0.0 and NaNs of
# either sign stay apart; the data is read-only, as the Value is shared. The cache holds at most
# SCALAR_CACHE_SIZE small 0-D Values and starts afresh when full.
SCALAR_CACHE_SIZE = 1024
_SCALARS: dict = {}
_PACK_DOUBLE = struct.Struct("<d").pack


def _scalar_constant(x, dtype: DType) -> Value:
    t = type(x)
    if t is float:
        key = (dtype, _PACK_DOUBLE(x))
    elif t is int or t is bool:
        key = (dtype, t, x)
    else:  # complex, and subclasses of the Python scalar types
        return Literal(dtype, (), data=np.asarray(x, dtype=dtype.numpy))
    v = _SCALARS.get(key)
    if v is None:
        data = np.asarray(x, dtype=dtype.numpy)
        data.flags.writeable = False
        v = Literal(dtype, (), data=data)
        if len(_SCALARS) >= SCALAR_CACHE_SIZE:
            _SCALARS.clear()
        _SCALARS[key] = v
    return v


def as_value(x, func: str) -> Value:
    """The Value of an Array argument, or a TypeError naming ``func``."""
    if isinstance(x, Array):
        return x._v
    raise TypeError(f"{func}: expected an onnxarray array, got {type(x).__name__}")


def default_dtype_for_scalar(x) -> DType:
    if isinstance(x, bool):
        return D.bool
    if isinstance(x, int):
        return D.DEFAULT_INT
    if isinstance(x, float):
        return D.DEFAULT_FLOAT
    if isinstance(x, complex):
        return D.DEFAULT_COMPLEX
    raise TypeError(f"expected a Python scalar, got {type(x).__name__}")


def wrap(v: Value) -> Array:
    return Array._new(v)


def unknown_dim() -> Dim:
    return Dim()
