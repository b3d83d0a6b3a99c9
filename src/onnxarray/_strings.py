"""String arrays beyond the standard: data conversion and the lowerings of casts to and from text.

Concrete string data is a NumPy object array of Python ``str``: what onnxruntime takes and
returns for ONNX STRING tensors, and the one form that keeps every string exactly (NumPy's
``U`` dtype drops trailing NUL characters). The public functions are in ``strings.py``; see
docs/strings.md for the formats.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops
from ._dtypes import DType
from ._executor import ExecutionError
from ._graph import NODE_NAME_ATTR, Dim, Value

__all__ = ["is_text_data", "text_data", "to_numpy", "parse", "format_", "string_const",
           "case_change", "concat_text", "split_text", "regex_full_match", "label_encode",
           "re2_literal"]


def is_text_data(data: np.ndarray) -> bool:
    """NumPy data that becomes a string array: ``U``, ``T`` (StringDType) or object of str."""
    kind = data.dtype.kind
    if kind in "UT":
        return True
    return kind == "O" and (data.size == 0 or any(isinstance(s, str) for s in data.flat))


def text_data(data, func: str) -> np.ndarray:
    """``data`` (NumPy text, a str, nested lists of str) as a C-ordered object array of str."""
    arr = np.asarray(data, dtype=object) if not isinstance(data, np.ndarray) else data
    if arr.dtype.kind in "UT":
        out = arr.astype(object, order="C")  # Python str elements
    elif arr.dtype.kind != "O":
        raise TypeError(f"{func}: expected text, got NumPy dtype {arr.dtype}")
    else:
        for s in arr.flat:
            if not isinstance(s, str):
                raise TypeError(f"{func}: a string array holds only str, got "
                                f"{type(s).__name__} {s!r}")
        out = np.empty(arr.shape, dtype=object)
        out[...] = arr
    for s in out.flat:
        if not s.isascii():
            try:
                s.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(f"{func}: {s!r} is not valid Unicode text (a lone "
                                 "surrogate); ONNX strings are UTF-8") from None
    return out


def to_numpy(data: np.ndarray) -> np.ndarray:
    """A string array's data for NumPy: a ``U`` array (its itemsize is the longest string)."""
    if data.size == 0:
        return np.empty(data.shape, dtype="<U1")
    return np.array(data.tolist() if data.ndim else data.item(), dtype=str)


def string_const(value) -> Value:
    return Value(D.string, np.shape(value), data=text_data(value, "string"))


# ---------------------------------------------------------------------------------------------
# astype between text and numbers

# Text that onnxruntime's Cast (C++ stoll / stod) reads exactly as NumPy does; anything else
# is refused rather than read as a prefix ("7abc" -> 7) or wrapped ("300" -> int8 44).
_INT_TEXT = r"\s*[+-]?[0-9]+\s*"
_UINT_TEXT = r"\s*\+?[0-9]+\s*"
_FLOAT_TEXT = (r"\s*[+-]?(([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?"
               r"|[iI][nN][fF]([iI][nN][iI][tT][yY])?|[nN][aA][nN])\s*")


def _fail_unless(ok: Value, message: str) -> Value:
    """An int64 ``[0]`` that makes the model fail, in a node named ``message``, unless every
    element of ``ok`` is true (eagerly: a ValueError)."""
    if ok.data is not None:
        if not np.all(ok.data):
            raise ValueError(message)
        return _ops.i64([0])
    flat = _ops.reshape(ok, [-1])
    bad = _ops.reduce("ReduceSum", _ops.cast(_ops.negate(flat), D.int64), None, True)
    index = _ops.cast(_ops.cast(bad, D.bool), D.int64)  # 0 when all are ok, else 1
    # Gather index 1 of a 1-element tensor fails: the run stops in the node named message.
    return _ops.bind("Gather", [_ops.i64([0]), index], [D.int64], lambda: [(1,)],
                     (("axis", 0), (NODE_NAME_ATTR, message)))[0]


def _bad_text(x: Value, ok: Value) -> str:
    if x.data is None or ok.data is None:
        return ""
    bad = x.data[~ok.data.astype(bool)]
    return f": {bad.flat[0]!r}" if bad.size else ""


def _checked(x: Value, ok: Value, message: str) -> Value:
    """``x``, which the model reads only after the check ``ok`` passed."""
    gate = _fail_unless(ok, message + _bad_text(x, ok))
    if x.data is not None:
        return x
    # x, with the check as a data dependency: a Where that always takes x
    cond = _ops.binary("Equal", gate, _ops.i64([0]), D.bool)
    return _ops.bind("Where", [_ops.reshape(cond, []), x, string_const("")], [D.string],
                     lambda: [x.shape])[0]


def full_match(x: Value, pattern: str) -> Value:
    return _ops.bind("RegexFullMatch", [x], [D.bool], lambda: [x.shape],
                     (("pattern", pattern),))[0]


def parse(x: Value, dtype: DType, func: str = "astype") -> Value:
    """Numbers from text, as NumPy's ``astype`` reads them; bool is ``text != ""`` (Python's
    and NumPy's truth of a string); a complex dtype reads a real number (see _complex). Text
    that is not a number of the grammar above, or a number out of ``dtype``'s range, is a
    ValueError eagerly and a run-time failure of the exported model."""
    if dtype is D.bool:
        return _ops.negate(_ops.binary("Equal", x, string_const(""), D.bool))
    what = "a number" if dtype.kind == "f" else "an integer"
    grammar = (_FLOAT_TEXT if dtype.kind == "f" else
               _UINT_TEXT if dtype is D.uint64 else _INT_TEXT)
    checked = _checked(x, full_match(x, grammar),
                       f"{func}: text that is not {what} cannot become {dtype.name}")
    if dtype.kind == "f" or dtype in (D.int64, D.uint64):
        return _cast_text(checked, dtype, func)
    wide = _cast_text(checked, D.int64, func)
    info = np.iinfo(dtype.numpy)
    in_range = _ops.binary("And", _ops.binary("GreaterOrEqual", wide,
                                              _ops.i64(int(info.min)), D.bool),
                           _ops.binary("LessOrEqual", wide, _ops.i64(int(info.max)), D.bool))
    gate = _fail_unless(in_range, f"{func}: a number out of the range of {dtype.name}")
    if wide.data is None:
        wide = _ops.binary("Add", wide, _ops.reshape(gate, []))
    return _ops.cast(wide, dtype)


def _cast_text(x: Value, dtype: DType, func: str) -> Value:
    try:
        return _ops.cast(x, dtype)
    except ExecutionError:
        # stod/stoll refuse values out of range (1e400, and subnormals like 2.5e-310)
        raise ValueError(f"{func}: text whose value is out of the range of {dtype.name} "
                         "(overflow, or a subnormal float) cannot be converted") from None


def format_(x: Value, func: str = "astype") -> Value:
    """Text from numbers: integers in decimal, bools as "True"/"False" (as NumPy's ``str``),
    floats as onnxruntime's Cast writes them: 8 significant digits (``%.8g``), "NaN", "INF",
    "-INF"."""
    if x.dtype is D.bool:
        return _ops.bind("Where", [x, string_const("True"), string_const("False")],
                         [D.string], lambda: [x.shape])[0]
    if x.dtype.kind == "c":
        raise TypeError(f"{func}: {x.dtype.name} to text is not supported")
    return _ops.cast(x, D.string)


# ---------------------------------------------------------------------------------------------
# lowerings of onnxarray.strings


def case_change(x: Value, action: str) -> Value:
    """``StringNormalizer`` with ``locale="C.UTF-8"``: its default locale, en_US.UTF-8, is
    missing on many machines, and the session then fails to load. The kernel takes 1-D input
    and refuses an empty one, so the array is flattened, and when its size may be 0, one ""
    is appended and cut off again."""
    flat = _relayout(x, (-1,))
    n = flat.shape[0]
    attrs = (("case_change_action", action), ("locale", "C.UTF-8"))
    if type(n) is int and n > 0:
        out = _ops.bind("StringNormalizer", [flat], [D.string], lambda: [(n,)], attrs)[0]
    else:
        padded = _ops.concat([flat, string_const([""])], 0)
        size = n + 1 if type(n) is int else padded.shape[0]
        out = _ops.bind("StringNormalizer", [padded], [D.string], lambda: [(size,)], attrs)[0]
        out = _ops.slice_(out, [0], [-1], [0], [1], (n,))
    if len(x.shape) == 1:
        return out
    if out.data is not None:
        return _relayout(out, x.shape)
    return _ops.bind("Reshape", [out, _ops.shape_of(x)], [D.string], lambda: [x.shape],
                     (("allowzero", 1),))[0]


def _relayout(x: Value, shape: tuple) -> Value:
    """``x`` reshaped; concrete text is reshaped by NumPy (a layout change, no values are
    computed), since each onnxruntime run converts every string at its Python boundary
    (~2 µs a string with onnxruntime 1.32)."""
    if x.data is not None:
        data = x.data.reshape(shape)
        return Value(D.string, data.shape, data=data)
    return _ops.reshape(x, list(shape))


def concat_text(a: Value, b: Value) -> Value:
    return _ops.bind("StringConcat", [a, b], [D.string],
                     lambda: [_ops.broadcast_shapes(a.shape, b.shape, func="strings.add")])[0]


def split_text(x: Value, sep: str | None, maxsplit: int | None) -> tuple[Value, Value]:
    attrs: list = []
    if sep is not None:
        attrs.append(("delimiter", sep))
    if maxsplit is not None:
        attrs.append(("maxsplit", maxsplit))
    width = Dim()
    return _ops.bind("StringSplit", [x], [D.string, D.int64],
                     lambda: [x.shape + (width,), x.shape], tuple(sorted(attrs)))


def regex_full_match(x: Value, pattern: str, func: str) -> Value:
    """``RegexFullMatch`` (RE2 syntax). The pattern is compiled once on a one-string constant
    so that a bad pattern is a ValueError now, not a model that fails to load."""
    try:
        full_match(string_const([""]), pattern)
    except ExecutionError:
        raise ValueError(f"{func}: {pattern!r} is not a valid RE2 regular expression") from None
    return full_match(x, pattern)


def re2_literal(text: str) -> str:
    """An RE2 pattern matching exactly ``text``: ASCII punctuation escaped with a backslash,
    control characters written as ``\\xHH``, other characters as they are."""
    out = []
    for c in text:
        if ord(c) < 32 or ord(c) == 127:
            out.append(f"\\x{ord(c):02x}")
        elif c.isascii() and not c.isalnum() and c != " ":
            out.append("\\" + c)
        else:
            out.append(c)
    return "".join(out)


_LABEL_KINDS = {D.string: "strings", D.int64: "int64s", D.float32: "floats"}


def label_encode(x: Value, keys: np.ndarray, key_dtype: DType, values: np.ndarray,
                 value_dtype: DType, default) -> Value:
    """ai.onnx.ml ``LabelEncoder`` (version 2): each element of ``x`` found in ``keys`` becomes
    the value at the same position, any other element ``default``."""
    vk = _LABEL_KINDS[value_dtype]
    attrs = ((f"keys_{_LABEL_KINDS[key_dtype]}", tuple(keys.tolist())),
             (f"values_{vk}", tuple(values.tolist())),
             (f"default_{'string' if vk == 'strings' else vk.rstrip('s')}", default))
    return _ops.bind("LabelEncoder", [x], [value_dtype], lambda: [x.shape], tuple(sorted(attrs)),
                     domain="ai.onnx.ml")[0]
