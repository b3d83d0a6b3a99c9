"""String functions beyond the standard, named after ``numpy.strings`` where ONNX can do them.

They take and return arrays of the ``onnxarray.string`` dtype (ONNX STRING, UTF-8), run
eagerly through onnxruntime and record ONNX nodes on symbolic arrays like every other
function. The ONNX operators they use (``StringConcat``, ``StringSplit``, ``RegexFullMatch``:
opset 20; ``StringNormalizer``; ai.onnx.ml ``LabelEncoder``) set the built model's opset and
domains. docs/strings.md says where results differ from Python's ``str`` methods.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import _dtypes as D
from . import _ops, _strings
from ._array_object import Array, scalar_value
from ._graph import Value

__all__ = ["add", "lower", "upper", "split", "full_match", "startswith", "endswith", "lookup",
           "SplitResult"]


def _text(x, func: str) -> Value:
    if not isinstance(x, Array):
        raise TypeError(f"{func}: expected an onnxarray string array, got {type(x).__name__}")
    if x.dtype is not D.string:
        raise TypeError(f"{func}: needs a string array, got {x.dtype.name}; convert numbers "
                        "with astype(x, onnxarray.string)")
    return x._v


def lower(x: Array, /) -> Array:
    """Lower-case every character (``numpy.strings.lower``), one character at a time:
    the simple Unicode case mapping, so "İ" becomes "i" and a final "Σ" becomes "σ" (Python
    writes "i̇" and "ς")."""
    return Array._new(_strings.case_change(_text(x, "strings.lower"), "LOWER"))


def upper(x: Array, /) -> Array:
    """Upper-case every character (``numpy.strings.upper``), one character at a time: "ß"
    and ligatures such as "ﬁ" stay as they are (Python writes "SS" and "FI")."""
    return Array._new(_strings.case_change(_text(x, "strings.upper"), "UPPER"))


def add(x1, x2, /) -> Array:
    """Concatenate elementwise with broadcasting (``numpy.strings.add``; ONNX
    ``StringConcat``). Either operand may be a Python str."""
    a1, a2 = isinstance(x1, Array), isinstance(x2, Array)
    if not (a1 or a2):
        raise TypeError(f"strings.add: at least one argument must be an onnxarray string "
                        f"array, got {type(x1).__name__} and {type(x2).__name__}")
    v1 = _text(x1, "strings.add") if a1 else scalar_value(x1, D.string, "strings.add")
    v2 = _text(x2, "strings.add") if a2 else scalar_value(x2, D.string, "strings.add")
    _ops.broadcast_shapes(v1.shape, v2.shape, func="strings.add")
    return Array._new(_strings.concat_text(v1, v2))


class SplitResult(NamedTuple):
    """``tokens``: ``x.shape + (width,)``, each row padded with "" to the most tokens of any
    element; ``counts``: int64, ``x.shape``, the number of tokens of each element."""

    tokens: Array
    counts: Array


def split(x: Array, /, sep: str | None = None, maxsplit: int | None = None) -> SplitResult:
    """Split every string into tokens (ONNX ``StringSplit``).

    With ``sep=None`` the separator is any run of spaces (" " only: tabs and newlines are
    not separators, unlike Python's ``str.split()``) and leading or trailing spaces give no
    tokens. With a ``sep`` string, as ``str.split(sep)``: empty tokens are kept, at most
    ``maxsplit`` splits. An empty string has no tokens (count 0). The result is padded
    (``SplitResult``), since an array has one width for every row.
    """
    v = _text(x, "strings.split")
    if sep is not None:
        if not isinstance(sep, str):
            raise TypeError(f"strings.split: sep must be a str or None, got {sep!r}")
        if sep == "":
            raise ValueError("strings.split: empty separator")
    if maxsplit is not None:
        if isinstance(maxsplit, bool) or not isinstance(maxsplit, int):
            raise TypeError(f"strings.split: maxsplit must be an int or None, got {maxsplit!r}")
        if sep is None:
            # StringSplit also drops the trailing spaces of the unsplit rest, which
            # str.split(None, maxsplit) keeps: refused rather than different
            raise ValueError("strings.split: maxsplit needs an explicit sep")
        if maxsplit < 0:
            maxsplit = None
    tokens, counts = _strings.split_text(v, sep, maxsplit)
    return SplitResult(Array._new(tokens), Array._new(counts))


def full_match(x: Array, /, pattern: str) -> Array:
    """Whether each whole string matches the regular expression ``pattern`` (ONNX
    ``RegexFullMatch``, RE2 syntax: no backreferences or lookaround; ``\\w`` and ``\\d`` are
    ASCII). A pattern RE2 refuses is a ValueError."""
    v = _text(x, "strings.full_match")
    if not isinstance(pattern, str):
        raise TypeError(f"strings.full_match: pattern must be a str, got {pattern!r}")
    return Array._new(_strings.regex_full_match(v, pattern, "strings.full_match"))


def _affix(x, affix, func: str) -> Value:
    v = _text(x, func)
    if not isinstance(affix, str):
        raise TypeError(f"{func}: the prefix or suffix must be a Python str, got {affix!r}")
    scalar_value(affix, D.string, func)  # valid Unicode
    return v


def startswith(x: Array, /, prefix: str) -> Array:
    """Whether each string starts with ``prefix`` (``numpy.strings.startswith`` with a str
    prefix; ONNX ``RegexFullMatch`` of the escaped prefix and anything after it)."""
    v = _affix(x, prefix, "strings.startswith")
    return Array._new(_strings.full_match(v, "(?s)" + _strings.re2_literal(prefix) + ".*"))


def endswith(x: Array, /, suffix: str) -> Array:
    """Whether each string ends with ``suffix`` (``numpy.strings.endswith`` with a str
    suffix; ONNX ``RegexFullMatch``)."""
    v = _affix(x, suffix, "strings.endswith")
    return Array._new(_strings.full_match(v, "(?s).*" + _strings.re2_literal(suffix)))


_DEFAULTS = {D.string: "", D.int64: -1, D.float32: float("nan")}


def _table(obj, func: str, name: str) -> tuple[np.ndarray, D.DType]:
    """A constant table (list, NumPy array or concrete Array) and its LabelEncoder dtype."""
    if isinstance(obj, Array):
        if obj._v.data is None:
            raise TypeError(f"{func}: {name} must be constant (a list or a concrete array), "
                            "not a symbolic array")
        obj = obj._v.data
    if isinstance(obj, (list, tuple)) and any(isinstance(k, str) for k in obj):
        data = np.empty(len(obj), dtype=object)  # not NumPy's U: it drops trailing NULs
        data[:] = list(obj)
    else:
        data = np.asarray(obj)
    if data.ndim != 1:
        raise ValueError(f"{func}: {name} must be 1-D, got {data.ndim}-D")
    if data.size == 0:
        raise ValueError(f"{func}: {name} must not be empty")
    kind = data.dtype.kind
    if kind in "UTO":
        return _strings.text_data(data, func), D.string
    if kind in "iu":
        return data.astype(np.int64), D.int64
    if kind == "f":
        return data.astype(np.float32), D.float32
    raise TypeError(f"{func}: {name} must hold str, ints or floats, got {data.dtype}")


def lookup(x: Array, /, keys, values=None, *, default=None) -> Array:
    """Map each element of ``x`` through a constant table (ai.onnx.ml ``LabelEncoder``).

    ``keys`` and ``values`` are 1-D lists or arrays of equal length; ``values=None`` numbers
    the keys 0, 1, ... (tokens to ids). Elements not among the keys become ``default``: by
    default "" for string values, -1 for integers, NaN for floats. Keys and values are str,
    int (as int64) or float (as float32, LabelEncoder's float type); ``x`` has the keys'
    dtype (any integer dtype for int keys).
    """
    func = "strings.lookup"
    if not isinstance(x, Array):
        raise TypeError(f"{func}: expected an onnxarray array, got {type(x).__name__}")
    keys, key_dtype = _table(keys, func, "keys")
    if len(set(keys.tolist())) != keys.size:
        raise ValueError(f"{func}: keys must be distinct")
    if values is None:
        values, value_dtype = np.arange(keys.size, dtype=np.int64), D.int64
    else:
        values, value_dtype = _table(values, func, "values")
        if values.size != keys.size:
            raise ValueError(f"{func}: {keys.size} keys but {values.size} values")
    v = x._v
    if key_dtype is D.int64 and v.dtype in D.INTEGER:
        v = _ops.cast(v, D.int64)
    if v.dtype is not key_dtype:
        raise TypeError(f"{func}: {v.dtype.name} elements cannot be looked up among "
                        f"{key_dtype.name} keys")
    if default is None:
        default = _DEFAULTS[value_dtype]
    ok = (isinstance(default, str) if value_dtype is D.string else
          isinstance(default, int) and not isinstance(default, bool)
          if value_dtype is D.int64 else
          isinstance(default, (int, float)) and not isinstance(default, bool))
    if not ok:
        raise TypeError(f"{func}: default {default!r} does not match {value_dtype.name} "
                        "values")
    if value_dtype is D.float32:
        default = float(default)
    return Array._new(_strings.label_encode(v, keys, key_dtype, values, value_dtype, default))
