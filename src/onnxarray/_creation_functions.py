"""Creation functions of the standard.

Arrays made from Python values (asarray, zeros, arange, ...) are constants: their data is built
with NumPy and becomes an initializer when a trace uses it. Functions of an existing array
(``*_like``, ``tril``/``triu``, ``meshgrid``) go through ONNX nodes, so they follow the runtime
shape of a symbolic input.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from . import _dtypes as D
from . import _ops, _strings
from ._array_object import Array, as_value, check_device, scalar_value
from ._complex_parts import join, parts
from ._data_type_functions import astype
from ._dims import (
    SymbolicDim,
    graph_dim,
    graph_shape,
    has_symbolic,
    is_size,
    shape_tensor,
    size_value,
)
from ._dtypes import DType
from ._graph import Dim, Value

__all__ = ["arange", "asarray", "empty", "empty_like", "eye", "from_dlpack", "full",
           "full_like", "linspace", "meshgrid", "ones", "ones_like", "tril", "triu", "zeros",
           "zeros_like"]


def _dtype_arg(dtype, func: str) -> DType | None:
    if dtype is None:
        return None
    return D.as_dtype(dtype, func)


def _shape_arg(shape, func: str) -> tuple:
    """Validated sizes: ints, and SymbolicDims read from symbolic arrays."""
    if is_size(shape):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"{func}: shape must be an int or a tuple of ints, got {shape!r}")
    out = []
    for d in shape:
        if not is_size(d):
            raise TypeError(f"{func}: shape entries must be ints, got {d!r}")
        if isinstance(d, SymbolicDim):
            out.append(d)
            continue
        if d < 0:
            raise ValueError(f"{func}: negative dimension {d} in shape {tuple(shape)}")
        out.append(int(d))
    return tuple(out)


def _new(data: np.ndarray, dtype: DType) -> Array:
    return Array._new(Value(dtype, data.shape, data=np.asarray(data, order="C")))


def _scalar_kind_dtype(values: Sequence) -> DType:
    """Default dtype for a nested sequence of Python scalars, by the standard's rules."""
    kinds = set()
    for v in values:
        if isinstance(v, bool):
            kinds.add("b")
        elif isinstance(v, int):
            kinds.add("i")
        elif isinstance(v, float):
            kinds.add("f")
        elif isinstance(v, complex):
            kinds.add("c")
        else:
            raise TypeError(f"asarray: unsupported element {v!r} of type {type(v).__name__}")
    if "c" in kinds:
        return D.DEFAULT_COMPLEX
    if "f" in kinds:
        return D.DEFAULT_FLOAT
    if "i" in kinds:
        return D.DEFAULT_INT
    if not kinds:  # asarray([]): NumPy and array-api-strict give the default float dtype
        return D.DEFAULT_FLOAT
    return D.bool


def _flatten_nested(obj, func: str) -> list:
    out, stack = [], [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif isinstance(item, Array):
            if item._v.data is None:
                raise TypeError(f"{func}: cannot build a concrete array from symbolic elements; "
                                "use stack/concat")
            out.extend(item._v.data.ravel().tolist())
        else:
            out.append(item)
    return out


def asarray(obj, /, *, dtype: DType | None = None, device=None, copy: bool | None = None) -> Array:
    """Convert ``obj`` (array, scalar, nested sequence, buffer, DLPack or NumPy object)."""
    if type(obj) is np.ndarray and dtype is None and device is None and copy is None:
        src = D.BY_NUMPY.get(obj.dtype)  # the common case, without the general checks
        if src is not None and obj.flags.c_contiguous:
            return Array._new(Value(src, obj.shape, None, 0, None, obj))
    check_device(device, "asarray")
    dtype = _dtype_arg(dtype, "asarray")
    if isinstance(obj, Array):
        if dtype is not None and dtype is not obj.dtype:
            if copy is False:
                raise ValueError("asarray: changing the dtype needs a copy, but copy=False")
            return astype(obj, dtype)  # a complex array or dtype is dispatched above
        if copy:
            if obj._v.data is not None:
                return _new(obj._v.data.copy(), obj.dtype)
            return Array._new(obj._v)  # a new array object: assigning into it leaves obj alone
        return obj
    if isinstance(obj, str) or dtype is D.string or _is_text_sequence(obj):
        return _text_array(obj, dtype, copy)
    if isinstance(obj, (bool, int, float, complex)) or isinstance(obj, (list, tuple)):
        if isinstance(obj, (list, tuple)):
            flat = _flatten_nested(obj, "asarray")
            target = dtype or _scalar_kind_dtype(flat)
            nested = _to_nested_python(obj)
        else:
            target = dtype or _scalar_kind_dtype([obj])
            flat, nested = [obj], obj
        if copy is False:
            raise ValueError("asarray: a Python scalar or sequence must be copied, but "
                             "copy=False")
        _check_python_values(flat, target)
        data = np.array(nested, dtype=target.numpy)
        return _new(data, target)
    return _from_buffer_like(obj, dtype, copy)


def _is_text_sequence(obj) -> bool:
    """A nested list/tuple whose first leaf is a str, or NumPy text data."""
    if isinstance(obj, np.ndarray):
        return _strings.is_text_data(obj)
    while isinstance(obj, (list, tuple)) and obj:
        obj = obj[0]
    return isinstance(obj, str)


def _text_array(obj, dtype: DType | None, copy: bool | None) -> Array:
    """``asarray`` of text: Python str (nested), NumPy ``U``/``T``/object-of-str data."""
    if dtype is not None and dtype is not D.string:
        raise TypeError(f"asarray: text cannot become {dtype.name} here; make a string array "
                        "and convert it with astype")
    if isinstance(obj, Array):  # a number array with dtype=string: astype formats it
        return obj if obj.dtype is D.string else astype(obj, D.string)
    if copy is False:
        raise ValueError("asarray: text data must be copied into a string array, but "
                         "copy=False")
    if isinstance(obj, (list, tuple)):
        for item in _flatten_nested(obj, "asarray"):
            if not isinstance(item, str):
                raise TypeError(f"asarray: a string array holds only str, got "
                                f"{type(item).__name__} {item!r}")
        obj = _to_nested_python(obj)
    elif not isinstance(obj, (str, np.ndarray)):
        obj = np.asarray(obj)
    return _new(_strings.text_data(obj, "asarray"), D.string)


def _to_nested_python(obj):
    if isinstance(obj, Array):
        return obj._v.data.tolist() if obj.ndim else obj._v.data.item()
    if isinstance(obj, (list, tuple)):
        return [_to_nested_python(o) for o in obj]
    return obj


def _check_python_values(flat: list, dtype: DType) -> None:
    """Python values convert to an explicit dtype as NumPy and array-api-strict convert them
    (floats to integers truncate, numbers to bool are ``!= 0``), except that a Python int out
    of an integer dtype's range and a complex into a real dtype are errors."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype.numpy)
        for v in flat:
            if isinstance(v, int) and not info.min <= v <= info.max:
                raise OverflowError(f"asarray: the Python int {v} does not fit {dtype.name}")
    if dtype.kind != "c":
        for v in flat:
            if isinstance(v, complex):
                raise TypeError(f"asarray: the Python complex {v!r} cannot become "
                                f"{dtype.name}")


def _from_buffer_like(obj, dtype: DType | None, copy: bool | None) -> Array:
    try:
        if hasattr(obj, "__array__") or hasattr(obj, "__array_interface__"):
            data = np.asarray(obj)
        elif hasattr(obj, "__dlpack__"):
            data = np.from_dlpack(obj)
        else:
            data = np.asarray(memoryview(obj))
    except TypeError:
        raise TypeError(f"asarray: cannot convert an object of type {type(obj).__name__}") \
            from None
    if data.dtype not in D.BY_NUMPY:
        raise TypeError(f"asarray: NumPy dtype {data.dtype} is not supported")
    src = D.BY_NUMPY[data.dtype]
    target = dtype or src
    needs_copy = target is not src or not data.flags.c_contiguous
    if needs_copy and copy is False:
        raise ValueError("asarray: the input must be copied (dtype or layout), but copy=False")
    if target is not src:
        if src.kind == "c" and target.kind != "c" and target is not D.bool:
            raise TypeError(f"asarray: casting {src.name} to {target.name} discards the "
                            "imaginary part; take xp.real(x) first")
        data = data.astype(target.numpy)
    elif copy:
        data = data.copy()
    return _new(data, target)


def _new_filled(shape, value, dtype: DType, func: str) -> Array:
    shape = _shape_arg(shape, func)
    value = _text_fill(value, dtype, func)
    if has_symbolic(shape):  # a size read from a symbolic array: record an Expand
        return Array._new(_filled(value, dtype, shape_tensor(shape), graph_shape(shape)))
    return _new(np.full(shape, value, dtype=dtype.numpy), dtype)


def _filled(value, dtype: DType, shape_val: Value, shape: tuple) -> Value:
    """``value`` expanded to a shape known only when the model runs; a complex value as its
    two real parts (in the graph a complex array has a trailing axis of 2 that the shape does
    not name)."""
    if dtype.kind == "c":
        real = D.real_dtype_of(dtype)
        value = complex(value)
        return join(*(_ops.expand_to(_ops.const(p, real), shape_val, shape)
                      for p in (value.real, value.imag)))
    return _ops.expand_to(_ops.const(value, dtype), shape_val, shape)


def empty(shape, *, dtype: DType | None = None, device=None) -> Array:
    check_device(device, "empty")
    return _new_filled(shape, 0, _dtype_arg(dtype, "empty") or D.DEFAULT_FLOAT, "empty")


def zeros(shape, *, dtype: DType | None = None, device=None) -> Array:
    check_device(device, "zeros")
    return _new_filled(shape, 0, _dtype_arg(dtype, "zeros") or D.DEFAULT_FLOAT, "zeros")


def ones(shape, *, dtype: DType | None = None, device=None) -> Array:
    check_device(device, "ones")
    return _new_filled(shape, 1, _dtype_arg(dtype, "ones") or D.DEFAULT_FLOAT, "ones")


def _text_fill(value, dtype: DType, func: str):
    """The fill of a string array: ``empty``/``zeros`` give "" (as NumPy), ``ones`` has none."""
    if dtype is not D.string or isinstance(value, str):
        return value
    if value == 0:
        return ""
    raise TypeError(f"{func}: string arrays have no {value!r} to fill with; use full")


def _fill_dtype(fill_value, func: str) -> DType:
    if isinstance(fill_value, str):
        return D.string
    if isinstance(fill_value, bool):
        return D.bool
    if isinstance(fill_value, int):
        return D.DEFAULT_INT
    if isinstance(fill_value, float):
        return D.DEFAULT_FLOAT
    if isinstance(fill_value, complex):
        return D.DEFAULT_COMPLEX
    raise TypeError(f"{func}: fill_value must be a Python scalar, got "
                    f"{type(fill_value).__name__}")


def _check_fill(fill_value, dtype: DType, func: str) -> None:
    if isinstance(fill_value, int) and not isinstance(fill_value, bool) and dtype.kind in "fc":
        return
    scalar_value(fill_value, dtype, func)


def full(shape, fill_value, *, dtype: DType | None = None, device=None) -> Array:
    check_device(device, "full")
    if isinstance(fill_value, Array):
        fill_value = fill_value._v.data.item() if fill_value._v.data is not None else None
    dtype = _dtype_arg(dtype, "full") or _fill_dtype(fill_value, "full")
    _check_fill(fill_value, dtype, "full")
    return _new_filled(shape, fill_value, dtype, "full")


def _like(x: Array, value, dtype: DType | None, device, func: str) -> Array:
    check_device(device, func)
    v = as_value(x, func)
    dtype = _dtype_arg(dtype, func) or v.dtype
    value = _text_fill(value, dtype, func)
    if v.data is not None:
        return _new(np.full(v.data.shape, value, dtype=dtype.numpy), dtype)
    # (the logical sizes: a complex array's tensor has a trailing axis of 2 more)
    return Array._new(_filled(value, dtype, _ops.shape_of(v, 0, len(v.shape)), v.shape))


def empty_like(x: Array, /, *, dtype: DType | None = None, device=None) -> Array:
    return _like(x, 0, dtype, device, "empty_like")


def zeros_like(x: Array, /, *, dtype: DType | None = None, device=None) -> Array:
    return _like(x, 0, dtype, device, "zeros_like")


def ones_like(x: Array, /, *, dtype: DType | None = None, device=None) -> Array:
    return _like(x, 1, dtype, device, "ones_like")


def full_like(x: Array, /, fill_value, *, dtype: DType | None = None, device=None) -> Array:
    v = as_value(x, "full_like")
    target = _dtype_arg(dtype, "full_like") or v.dtype
    _check_fill(fill_value, target, "full_like")
    return _like(x, fill_value, target, device, "full_like")


def eye(n_rows: int, n_cols: int | None = None, /, *, k: int = 0, dtype: DType | None = None,
        device=None) -> Array:
    check_device(device, "eye")
    n_cols = n_rows if n_cols is None else n_cols
    dtype = _dtype_arg(dtype, "eye") or D.DEFAULT_FLOAT
    _shape_arg((n_rows, n_cols), "eye")
    if has_symbolic((n_rows, n_cols)):
        # sizes read from symbolic arrays: the diagonal where column - row == k
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise TypeError(f"eye: k must be an int, got {k!r}")
        rows = _ops.unsqueeze(arange(n_rows)._v, [1])
        cols = _ops.unsqueeze(arange(n_cols)._v, [0])
        diag = _ops.compare("Equal", _ops.sub(cols, rows), _ops.i64(int(k)))
        if dtype.kind == "c":  # ones on the diagonal, and an imaginary part of zeros
            return Array._new(join(*parts(_ops.cast(diag, D.real_dtype_of(dtype)))))
        return Array._new(_ops.cast(diag, dtype))
    return _new(np.eye(n_rows, n_cols, k=k, dtype=dtype.numpy), dtype)


def _number(x, func: str, name: str):
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise TypeError(f"{func}: {name} must be a real Python number, got {x!r}")
    return x


def arange(start, /, stop=None, step=1, *, dtype: DType | None = None, device=None) -> Array:
    check_device(device, "arange")
    if stop is None:
        start, stop = 0, start
    start, stop, step = (_array_bound(b, name) for b, name in
                         ((start, "start"), (stop, "stop"), (step, "step")))
    if any(isinstance(b, Array) for b in (start, stop, step)):
        return _traced_arange(start, stop, step, dtype)
    if any(isinstance(b, SymbolicDim) for b in (start, stop, step)):
        return _symbolic_arange(start, stop, step, dtype)
    for name, val in (("start", start), ("stop", stop), ("step", step)):
        _number(val, "arange", name)
    if step == 0 or not all(math.isfinite(b) for b in (start, stop, step)
                            if isinstance(b, (float, np.floating))):
        raise ValueError(_BAD_RANGE)
    is_int = all(isinstance(v, (int, np.integer)) for v in (start, stop, step))
    dtype = _dtype_arg(dtype, "arange") or (D.DEFAULT_INT if is_int else D.DEFAULT_FLOAT)
    if dtype is D.bool:
        raise TypeError("arange: bool is not a numeric dtype")
    if is_int:
        n = max(0, -(-(stop - start) // step))
        data = (start + step * np.arange(n, dtype=np.int64)).astype(dtype.numpy)
    else:
        n = max(0, math.ceil((stop - start) / step))
        data = (start + step * np.arange(n, dtype=np.float64)).astype(dtype.numpy)
    return _new(data, dtype)


_BAD_RANGE = "arange: step must not be zero, and start, stop and step must be finite"


def _array_bound(b, name: str):
    """A 0-d real array as a bound of ``arange``, as NumPy takes it: a concrete one gives its
    Python number, a symbolic one stays an array (a length known only at run time)."""
    if not isinstance(b, Array):
        return b
    if b._v.shape != () or b._v.dtype.kind not in "iuf":
        raise TypeError(f"arange: {name} must be a real number or a 0-d real array, got an "
                        f"array of shape {b._v.shape} and dtype {b.dtype.name}")
    return b._v.data.item() if b._v.data is not None else b


def _traced_arange(start, stop, step, dtype) -> Array:
    """``arange`` with a bound known only at run time: ``start + step * i`` for i in
    ``[0, ceil((stop - start) / step))``, computed in float64 (int64 for integer bounds) as
    the concrete call computes it, then cast."""
    is_int = all(isinstance(b, (int, np.integer, SymbolicDim)) or (
        isinstance(b, Array) and b._v.dtype.kind in "iu") for b in (start, stop, step))
    for name, b in (("start", start), ("stop", stop), ("step", step)):
        if not isinstance(b, (Array, SymbolicDim)):
            _number(b, "arange", name)
    if not isinstance(step, Array) and not isinstance(step, SymbolicDim) and step == 0:
        raise ValueError("arange: step must not be zero")
    dtype = _dtype_arg(dtype, "arange") or (D.DEFAULT_INT if is_int else D.DEFAULT_FLOAT)
    if dtype.kind not in "iuf":
        raise TypeError(f"arange: cannot make {dtype.name} values from a numeric range")
    calc = D.int64 if is_int else D.float64

    def value(b) -> Value:
        if isinstance(b, Array):
            return _ops.cast(b._v, calc)
        if isinstance(b, SymbolicDim):
            return _ops.cast(_ops.reshape(size_value(b), []), calc)
        return _ops.const(b, calc)

    from ._elementwise_functions import ceil, floor_divide, isfinite, logical_and, maximum

    lo, hi, st = (Array._new(value(b)) for b in (start, stop, step))
    # the count, as the concrete call computes it: ceil division of the span
    if is_int:
        count, ok = -floor_divide(lo - hi, st), st != 0
    else:
        span = ceil((hi - lo) / st)
        count, ok = astype(span, D.int64), logical_and(st != 0, isfinite(span))
    check = _ops.check_nonzero(_ops.reshape(_ops.cast(ok._v, D.int64), [1]), _BAD_RANGE)
    count = _ops.add(maximum(count, 0)._v, _ops.reshape(check, []))
    size = Dim()
    i = _ops.bind("Range", [_ops.i64(0), count, _ops.i64(1)], [D.int64], lambda: [(size,)])[0]
    out = _ops.add(lo._v, _ops.mul(st._v, _ops.cast(i, calc)))
    return Array._new(_ops.cast(out, dtype))


def _symbolic_arange(start, stop, step, dtype) -> Array:
    """``arange`` with sizes read from symbolic arrays: one Range node."""
    for name, b in (("start", start), ("stop", stop), ("step", step)):
        if not is_size(b):
            raise TypeError(f"arange: with a symbolic dimension, {name} must be an int too, "
                            f"got {b!r}")
    if not isinstance(step, SymbolicDim) and step == 0:
        raise ValueError("arange: step must not be zero")
    dtype = _dtype_arg(dtype, "arange") or D.DEFAULT_INT
    if dtype.kind not in "iuf":
        raise TypeError(f"arange: cannot make {dtype.name} values from symbolic dimensions")
    bounds = [_ops.cast(_ops.reshape(size_value(b), []), dtype) for b in (start, stop, step)]
    n = stop if (type(start) is int and start == 0 and type(step) is int and step == 1) else None
    size = graph_dim(n) if n is not None else Dim()
    return Array._new(_ops.bind("Range", bounds, [dtype], lambda: [(size,)])[0])


def linspace(start, stop, /, num: int, *, dtype: DType | None = None, device=None,
             endpoint: bool = True) -> Array:
    check_device(device, "linspace")
    bounds = (start, stop)
    cx = any(isinstance(b, (complex, np.complexfloating)) for b in bounds)
    if not cx:
        _number(start, "linspace", "start")
        _number(stop, "linspace", "stop")
    elif any(isinstance(b, bool) for b in bounds):
        raise TypeError(f"linspace: start and stop must be Python numbers, got {bounds!r}")
    if isinstance(num, bool) or not isinstance(num, (int, np.integer)) or num < 0:
        raise ValueError(f"linspace: num must be a non-negative int, got {num!r}")
    dtype = _dtype_arg(dtype, "linspace") or (D.DEFAULT_COMPLEX if cx else D.DEFAULT_FLOAT)
    if dtype.kind not in ("fc" if not cx else "c"):
        raise TypeError(f"linspace: needs a {'complex' if cx else 'floating-point'} dtype for "
                        f"start {start!r} and stop {stop!r}, got {dtype.name}")
    data = np.linspace(start, stop, num, endpoint=endpoint,
                       dtype=np.complex128 if dtype.kind == "c" else np.float64)
    return _new(data.astype(dtype.numpy), dtype)


def from_dlpack(x, /, *, device=None, copy: bool | None = None) -> Array:
    check_device(device, "from_dlpack")
    if isinstance(x, Array):
        if x._v.data is None:
            raise TypeError("from_dlpack: a symbolic array has no data to exchange")
        return asarray(x, copy=copy)
    if not hasattr(x, "__dlpack__"):
        raise TypeError(f"from_dlpack: {type(x).__name__} does not implement __dlpack__")
    kwargs = {} if copy is None else {"copy": copy}
    data = np.from_dlpack(x, **kwargs)
    if data.dtype not in D.BY_NUMPY:
        raise TypeError(f"from_dlpack: dtype {data.dtype} is not supported")
    if not data.flags.c_contiguous:
        if copy is False:
            raise BufferError("from_dlpack: the data is not C-contiguous and copy=False")
        data = np.asarray(data, order="C")
    return _new(data, D.BY_NUMPY[data.dtype])


def _triangle(x: Array, k: int, upper: bool, func: str) -> Array:
    v = as_value(x, func)
    D.no_strings(func, v.dtype)  # onnxruntime's Trilu has no string kernel
    if len(v.shape) < 2:
        raise ValueError(f"{func}: needs an array with at least 2 dimensions, got {len(v.shape)}")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"{func}: k must be an int, got {k!r}")
    out = _ops.bind("Trilu", [v, _ops.i64(int(k))], [v.dtype], lambda: [v.shape],
                    (("upper", int(upper)),))[0]
    return Array._new(out)


def tril(x: Array, /, *, k: int = 0) -> Array:
    return _triangle(x, k, False, "tril")


def triu(x: Array, /, *, k: int = 0) -> Array:
    return _triangle(x, k, True, "triu")


def meshgrid(*arrays: Array, indexing: str = "xy") -> tuple[Array, ...]:
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    values = [as_value(a, "meshgrid") for a in arrays]
    if not values:
        return ()
    for v in values:
        if len(v.shape) != 1:
            raise ValueError(f"meshgrid: inputs must be 1-D, got {len(v.shape)}-D")
        if v.dtype is not values[0].dtype:
            raise TypeError("meshgrid: all inputs must have the same dtype")
    n = len(values)
    dims = [v.shape[0] for v in values]
    sizes = [_ops.dim_of(v, 0) for v in values]
    order = list(range(n))
    if indexing == "xy" and n >= 2:
        order[0], order[1] = 1, 0
    out_dims = [dims[order[i]] for i in range(n)]
    out_sizes = [sizes[order[i]] for i in range(n)]
    shape_val = _ops.concat(out_sizes, 0) if n > 1 else out_sizes[0]
    if all(type(d) is int for d in out_dims):
        shape_val = _ops.i64(out_dims)
    result = []
    for i, v in enumerate(values):
        pos = order.index(i)
        target = [1] * n
        target[pos] = -1
        r = _ops.reshape(v, target) if n > 1 else v
        result.append(Array._new(_ops.expand_to(r, shape_val, tuple(out_dims))))
    return tuple(result)
