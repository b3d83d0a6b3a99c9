"""Data types: the DType objects, their categories, the promotion table and the NumPy/ONNX maps.

No onnx import here: ONNX element types are plain integers (``onnx.TensorProto`` values).
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "DType",
    "bool",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "string",
    "result_type_of",
]

_builtin_bool = bool


class DType:
    """An array data type of the standard; compared by identity, hashable, printable."""

    __slots__ = ("name", "numpy", "onnx", "kind", "bits")

    def __init__(self, name: str, onnx_type: int, kind: str, numpy_name: str = "") -> None:
        self.name = name
        self.numpy = np.dtype(numpy_name or name)
        self.onnx = onnx_type
        # "b" bool, "i" signed, "u" unsigned, "f" real float, "c" complex, "T" text (string)
        self.kind = kind
        self.bits = self.numpy.itemsize * 8

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype of the same name. NumPy reads this attribute when it is given an
        onnxarray dtype (``np.dtype(xp.float64)``, ``a.astype(xp.float32)``), so code that
        mixes the two namespaces, as scikit-learn does with ``dtype.kind``, gets the same
        type. Comparisons stay by identity: ``xp.float64 != np.float64``."""
        return self.numpy

    def __repr__(self) -> str:
        return f"onnxarray.{self.name}"

    __str__ = __repr__

    def __eq__(self, other: object) -> _builtin_bool:
        # identity, and never NotImplemented: NumPy would otherwise answer for its own dtypes
        return self is other

    # Each dtype is one object (also after unpickling), so the identity hash of ``object``'s C
    # slot fits: the signature keys of eager calls hold dtypes and hash them on every call.
    __hash__ = object.__hash__

    def __reduce__(self) -> str:
        return self.name


# ONNX TensorProto element types (stable numbers from onnx.proto).
bool = DType("bool", 9, "b")  # noqa: A001 - the standard's name
int8 = DType("int8", 3, "i")
int16 = DType("int16", 5, "i")
int32 = DType("int32", 6, "i")
int64 = DType("int64", 7, "i")
uint8 = DType("uint8", 2, "u")
uint16 = DType("uint16", 4, "u")
uint32 = DType("uint32", 12, "u")
uint64 = DType("uint64", 13, "u")
float32 = DType("float32", 1, "f")
float64 = DType("float64", 11, "f")
complex64 = DType("complex64", 14, "c")
complex128 = DType("complex128", 15, "c")
# Beyond the standard: ONNX STRING, UTF-8 text. Concrete data is a NumPy object array of
# Python str (what onnxruntime takes and returns); see docs/strings.md.
string = DType("string", 8, "T", "object")

ALL = (bool, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64,
       complex64, complex128)
# Every dtype of the standard; complex values are pairs of real tensors (see _complex).
SUPPORTED = ALL
SIGNED = (int8, int16, int32, int64)
UNSIGNED = (uint8, uint16, uint32, uint64)
INTEGER = SIGNED + UNSIGNED
REAL_FLOAT = (float32, float64)
COMPLEX = (complex64, complex128)
FLOATING = REAL_FLOAT + COMPLEX
REAL_NUMERIC = INTEGER + REAL_FLOAT
NUMERIC = REAL_NUMERIC + COMPLEX

CATEGORIES: dict[str, tuple[DType, ...]] = {
    "bool": (bool,),
    "signed integer": SIGNED,
    "unsigned integer": UNSIGNED,
    "integral": INTEGER,
    "integer": INTEGER,
    "real floating": REAL_FLOAT,
    "complex floating": COMPLEX,
    "floating-point": FLOATING,
    "real numeric": REAL_NUMERIC,
    "numeric": NUMERIC,
    "integer or boolean": INTEGER + (bool,),
    "real numeric or boolean": REAL_NUMERIC + (bool,),
    "all": ALL,
}

# What dtype arguments accept: the standard's dtypes and ``string``. ``SUPPORTED`` (and so
# ``__array_namespace_info__().dtypes()``) stays the standard's.
ACCEPTED = SUPPORTED + (string,)

BY_NUMPY: dict[np.dtype, DType] = {d.numpy: d for d in ALL}
BY_NAME: dict[str, DType] = {d.name: d for d in ACCEPTED}
BY_ONNX: dict[int, DType] = {d.onnx: d for d in ACCEPTED}

DEFAULT_INT = int64
DEFAULT_FLOAT = float64
DEFAULT_COMPLEX = complex128


def _promotion_table() -> dict[tuple[DType, DType], DType]:
    """The standard's type promotion lattice (section "Type Promotion Rules") as data."""
    rows: list[tuple[DType, DType, DType]] = [
        (bool, bool, bool),
        # signed integers
        (int8, int8, int8), (int8, int16, int16), (int8, int32, int32), (int8, int64, int64),
        (int16, int16, int16), (int16, int32, int32), (int16, int64, int64),
        (int32, int32, int32), (int32, int64, int64),
        (int64, int64, int64),
        # unsigned integers
        (uint8, uint8, uint8), (uint8, uint16, uint16), (uint8, uint32, uint32),
        (uint8, uint64, uint64),
        (uint16, uint16, uint16), (uint16, uint32, uint32), (uint16, uint64, uint64),
        (uint32, uint32, uint32), (uint32, uint64, uint64),
        (uint64, uint64, uint64),
        # mixed signed/unsigned
        (int8, uint8, int16), (int8, uint16, int32), (int8, uint32, int64),
        (int16, uint8, int16), (int16, uint16, int32), (int16, uint32, int64),
        (int32, uint8, int32), (int32, uint16, int32), (int32, uint32, int64),
        (int64, uint8, int64), (int64, uint16, int64), (int64, uint32, int64),
        # floating point
        (float32, float32, float32), (float32, float64, float64),
        (float64, float64, float64),
        (complex64, complex64, complex64), (complex64, complex128, complex128),
        (complex128, complex128, complex128),
        (float32, complex64, complex64), (float32, complex128, complex128),
        (float64, complex64, complex128), (float64, complex128, complex128),
    ]
    table: dict[tuple[DType, DType], DType] = {}
    for a, b, r in rows:
        table[a, b] = r
        table[b, a] = r
    return table


PROMOTION = _promotion_table()


def _mixed_kind_table() -> dict[tuple[DType, DType], DType]:
    """Beyond the standard: an integer array with a real floating one gives the floating
    dtype, as in JAX and PyTorch (NumPy agrees except that it widens int32/int64 with float32
    to float64), and with a complex one the complex dtype. The standard leaves mixed-kind
    promotion to the library; see docs/dtypes-and-opsets.md. Bool stays apart from numbers."""
    table: dict[tuple[DType, DType], DType] = {}
    for i in INTEGER:
        for f in REAL_FLOAT + COMPLEX:
            table[i, f] = f
            table[f, i] = f
    return table


MIXED_KIND_PROMOTION = _mixed_kind_table()


def promote(a: DType, b: DType, func: str = "result_type") -> DType:
    """Promote two dtypes by the standard's table (and integer with real floating to the
    floating dtype), or raise TypeError naming both."""
    if a is b:
        return a
    if a is string or b is string:
        other = b if a is string else a
        raise TypeError(f"{func}: strings do not mix with numbers (string and {other.name}); "
                        "convert one side with astype")
    try:
        return PROMOTION[a, b]
    except KeyError:
        pass
    try:
        return MIXED_KIND_PROMOTION[a, b]
    except KeyError:
        raise TypeError(
            f"{func}: the standard defines no promotion between {a.name} and {b.name}"
        ) from None


def result_type_of(dtypes, func: str = "result_type") -> DType:
    it = iter(dtypes)
    out = next(it)
    for d in it:
        out = promote(out, d, func)
    return out


def is_kind(dtype: DType, kind: str | tuple) -> _builtin_bool:
    """The standard's ``isdtype`` for one kind name or a DType."""
    if isinstance(kind, DType):
        return dtype is kind
    return dtype in CATEGORIES[kind]  # string is in no kind of the standard


def real_dtype_of(dtype: DType) -> DType:
    return {complex64: float32, complex128: float64}.get(dtype, dtype)


def as_dtype(dtype, func: str) -> DType:
    """Validate a user-supplied dtype argument."""
    if isinstance(dtype, DType):
        if dtype not in ACCEPTED:
            raise TypeError(f"{func}: dtype {dtype.name} is not supported yet")
        return dtype
    raise TypeError(f"{func}: expected an onnxarray dtype, got {dtype!r}")


def no_strings(func: str, *dtypes: DType) -> None:
    """Raise the TypeError of a function that does not take string arrays."""
    if string in dtypes:
        raise TypeError(f"{func}: string arrays are not supported here (onnxarray.strings has "
                        "the string functions)")
