"""Complex arrays as pairs of real tensors.

onnxruntime computes nothing in complex, so a complex value is a pair (real, imaginary) of real
tensors of the matching float dtype. A concrete complex array holds NumPy complex data; a
symbolic one is, in the graph, a real tensor with a trailing dimension of 2 (real, imaginary) —
the layout ONNX ``DFT`` uses, and the layout of complex model inputs and outputs. ``parts``
and ``join`` move between the two views; every complex function is written on the parts with
the real functions, so it runs eagerly and exports alike.

``dispatching(name, fn)`` wraps a namespace function: a call with a complex array goes to the
complex implementation of that name, or raises a TypeError if there is none.
"""

from __future__ import annotations

import math

import numpy as np

from . import _dtypes as D
from . import _ops, _set_functions
from ._array_object import Array, scalar_value
from ._graph import Dim, Value

__all__ = ["parts", "join", "dispatching", "pack", "unpack", "IMPLS"]


def complex_of(real: D.DType) -> D.DType:
    return D.complex128 if real is D.float64 else D.complex64


# -- the two views -------------------------------------------------------------------------------


def parts(v: Value) -> tuple[Value, Value]:
    """(real, imaginary) Values of a complex Value; a real Value gets a zero imaginary part."""
    if v.dtype.kind != "c":
        real = _real_float(v)
        return real, _zeros_like(real)
    rd = D.real_dtype_of(v.dtype)
    if v.data is not None:
        return (_ops.const(np.asarray(v.data.real, order="C"), rd),
                _ops.const(np.asarray(v.data.imag, order="C"), rd))
    return tuple(_ops.bind("Gather", [v, _ops.i64(i)], [rd], lambda: [v.shape],
                           (("axis", -1),))[0] for i in (0, 1))


def join(re: Value, im: Value) -> Value:
    """The complex Value with parts ``re`` and ``im`` (real floats of one dtype and shape)."""
    if re.dtype is not im.dtype:
        dt = D.promote(re.dtype, im.dtype)
        re, im = _ops.cast(re, dt), _ops.cast(im, dt)
    if tuple(re.shape) != tuple(im.shape) and not _same_at_run_time(re.shape, im.shape):
        shape = _ops.broadcast_shapes(re.shape, im.shape)
        re, im = _broadcast(re, im, shape), _broadcast(im, re, shape)
    cdt = complex_of(re.dtype)
    if re.data is not None and im.data is not None:
        data = np.empty(re.data.shape, cdt.numpy)
        data.real = re.data
        data.imag = im.data
        return _ops.const(data, cdt)
    n = len(re.shape)
    pair = [_ops.unsqueeze(p, [n]) for p in (re, im)]
    return _ops.bind("Concat", pair, [cdt], lambda: [re.shape], (("axis", -1),))[0]


def _same_at_run_time(a: tuple, b: tuple) -> bool:
    """Shapes that differ only in unknown dims: the parts of one result, which both come from
    broadcasting the same operands (each broadcast makes its own unknown dims)."""
    return len(a) == len(b) and all(x == y or (type(x) is not int and type(y) is not int)
                                    for x, y in zip(a, b))


def _broadcast(v: Value, other: Value, shape: tuple) -> Value:
    """``v`` broadcast against ``other`` without arithmetic (which would lose -0.0)."""
    if tuple(v.shape) == tuple(shape):
        return v
    if v.data is not None and _ops.is_static(shape):
        return _ops.const(np.broadcast_to(v.data, shape).copy(), v.dtype)
    return _ops.expand_to(v, _ops.shape_of(other), shape)


def _zeros_like(v: Value) -> Value:
    if v.data is not None:
        return _ops.const(np.zeros(v.data.shape, v.dtype.numpy), v.dtype)
    if _ops.is_static(v.shape):
        return _ops.const(np.zeros(v.shape, v.dtype.numpy), v.dtype)
    zero = _ops.const(0, v.dtype)
    return _ops.expand_to(zero, _ops.shape_of(v), v.shape)


def _real_float(v: Value) -> Value:
    if v.dtype.kind == "f":
        return v
    return _ops.cast(v, D.DEFAULT_FLOAT)


def pack(data: np.ndarray) -> np.ndarray:
    """NumPy complex data in the model layout: a real array with a trailing dimension of 2."""
    data = np.asarray(data, order="C")
    real = np.float64 if data.dtype == np.complex128 else np.float32
    return data.reshape(data.shape + (1,)).view(real)


def unpack(data: np.ndarray) -> np.ndarray:
    """The inverse of ``pack``."""
    data = np.asarray(data, order="C")
    cplx = np.complex128 if data.dtype == np.float64 else np.complex64
    return data.view(cplx).reshape(data.shape[:-1])


# -- helpers on Arrays --------------------------------------------------------------------------


def _is_complex(a) -> bool:
    return isinstance(a, Array) and a._v.dtype.kind == "c"


def _has_complex(args, kwargs, dtypes: bool) -> bool:
    """Whether a call involves a complex array (or, with ``dtypes``, a complex dtype)."""
    for a in (*args, *kwargs.values()):
        if isinstance(a, Array):
            if a._v.dtype.kind == "c":
                return True
        elif isinstance(a, complex):
            # A Python complex with a real floating array gives the matching complex dtype
            # (the standard's mixing rules since 2024.12).
            return True
        elif type(a) in (list, tuple):
            if any(isinstance(b, Array) and b._v.dtype.kind == "c" for b in a):
                return True
        elif dtypes and isinstance(a, D.DType) and a.kind == "c":
            return True
    return False


def _split(x) -> tuple[Array, Array]:
    re, im = parts(x._v)
    return Array._new(re), Array._new(im)


def _cx(re: Array, im: Array) -> Array:
    return Array._new(join(re._v, im._v))


def _operand_pair(x1, x2, func: str):
    """Two operands as complex (re, im) Array pairs; Python scalars take the array's dtype."""
    if not isinstance(x1, Array):
        x1 = Array._new(scalar_value(x1, _complex_dtype(x2), func))
    if not isinstance(x2, Array):
        x2 = Array._new(scalar_value(x2, _complex_dtype(x1), func))
    pair = []
    for a, other in ((x1, x2), (x2, x1)):
        if a._v.dtype.kind in "iu":  # an integer array with a complex one: the complex dtype
            a = Array._new(_ops.cast(a._v, D.real_dtype_of(_complex_dtype(other))))
        elif a._v.dtype.kind not in "fc":
            raise TypeError(f"{func}: cannot combine a complex array with {a._v.dtype.name}")
        pair.append(a)
    return _split(pair[0]), _split(pair[1])


def _complex_dtype(x) -> D.DType:
    """The complex dtype a Python complex takes next to ``x``: the matching one for a float
    array, the default for an integer array (as a Python float gives the default float)."""
    if x._v.dtype.kind in "iu":
        return D.DEFAULT_COMPLEX
    return x._v.dtype if x._v.dtype.kind == "c" else complex_of(x._v.dtype)


def _ns():
    import onnxarray

    return onnxarray


# -- structural functions: the same function on both parts -----------------------------------


def _lift(name: str):
    """``name`` applied to the real and the imaginary parts separately (bool and integer
    arrays, such as conditions and indices, are passed to both calls unchanged)."""

    def impl(*args, **kwargs):
        fn = getattr(_ns(), name)
        re_args, im_args = _lift_args(args)
        re_kw, im_kw = {}, {}
        for k, v in kwargs.items():
            re_kw[k], im_kw[k] = _lift_one(v)
        return _zip_join(fn(*re_args, **re_kw), fn(*im_args, **im_kw))

    impl.__name__ = name
    return impl


def _lift_args(args):
    pairs = [_lift_one(a) for a in args]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _lift_one(a):
    if isinstance(a, Array):
        if a._v.dtype.kind in "fc":
            return _split(a)
        return a, a
    if type(a) in (list, tuple) and any(isinstance(b, Array) for b in a):
        pairs = [_lift_one(b) for b in a]
        return type(a)(p[0] for p in pairs), type(a)(p[1] for p in pairs)
    if isinstance(a, complex):
        return a.real, a.imag
    return a, a


def _per_array(name: str):
    """``name`` over several arrays (broadcast_arrays, meshgrid): complex inputs give complex
    outputs, the others keep their dtype."""

    def impl(*arrays, **kwargs):
        fn = getattr(_ns(), name)
        flags = [_is_complex(a) for a in arrays]
        re = fn(*[_split(a)[0] if f else a for a, f in zip(arrays, flags)], **kwargs)
        im = fn(*[_split(a)[1] if f else a for a, f in zip(arrays, flags)], **kwargs)
        out = [_cx(r, i) if f else r for r, i, f in zip(re, im, flags)]
        return type(re)(out) if isinstance(re, tuple) else out

    impl.__name__ = name
    return impl


def _zip_join(re, im):
    if isinstance(re, Array):
        return _cx(re, im)
    return type(re)(_cx(r, i) for r, i in zip(re, im))


# -- arithmetic -----------------------------------------------------------------------------------


def _real_operand(x) -> bool:
    return not isinstance(x, complex) and not _is_complex(x)


def add(x1, x2, /):
    (a, b), (c, d) = _operand_pair(x1, x2, "add")
    ns = _ns()
    # A real operand leaves the other's imaginary part alone (-0.0 + 0.0 would be +0.0).
    im = b if _real_operand(x2) else d if _real_operand(x1) else ns.add(b, d)
    return _cx(ns.add(a, c), im)


def subtract(x1, x2, /):
    (a, b), (c, d) = _operand_pair(x1, x2, "subtract")
    ns = _ns()
    im = b if _real_operand(x2) else -d if _real_operand(x1) else ns.subtract(b, d)
    return _cx(ns.subtract(a, c), im)


def _mul(a, b, c, d):
    ns = _ns()
    return (ns.subtract(ns.multiply(a, c), ns.multiply(b, d)),
            ns.add(ns.multiply(a, d), ns.multiply(b, c)))


def multiply(x1, x2, /):
    (a, b), (c, d) = _operand_pair(x1, x2, "multiply")
    if _real_operand(x2):  # (a + bj) * c, without the 0 * inf of a zero imaginary part
        return _cx(a * c, b * c)
    if _real_operand(x1):
        return _cx(a * c, a * d)
    return _cx(*_mul(a, b, c, d))


def _div(a, b, c, d):
    """Smith's algorithm: scale by the larger of |c| and |d| to avoid overflow."""
    ns = _ns()
    big_c = ns.abs(c) >= ns.abs(d)
    r = ns.where(big_c, d / c, c / d)
    den = ns.where(big_c, c + d * r, c * r + d)
    re = ns.where(big_c, (a + b * r) / den, (a * r + b) / den)
    im = ns.where(big_c, (b - a * r) / den, (b * r - a) / den)
    # 1/(0+0j) and friends: the textbook quotient, which gives the infinities and NaNs.
    zero = (c == 0) & (d == 0)
    n2 = c * c + d * d
    re = ns.where(zero, (a * c + b * d) / n2, re)
    im = ns.where(zero, (b * c - a * d) / n2, im)
    return re, im


def divide(x1, x2, /):
    (a, b), (c, d) = _operand_pair(x1, x2, "divide")
    if _real_operand(x2):
        return _cx(a / c, b / c)
    return _cx(*_div(a, b, c, d))


def negative(x, /):
    a, b = _split(x)
    return _cx(-a, -b)


def positive(x, /):
    return x


def conj(x, /):
    a, b = _split(x)
    return _cx(a, -b)


def real(x, /):
    return _split(x)[0]


def imag(x, /):
    return _split(x)[1]


def abs(x, /):  # noqa: A001
    a, b = _split(x)
    return _ns().hypot(a, b)


def equal(x1, x2, /):
    (a, b), (c, d) = _operand_pair(x1, x2, "equal")
    return (a == c) & (b == d)


def not_equal(x1, x2, /):
    (a, b), (c, d) = _operand_pair(x1, x2, "not_equal")
    return (a != c) | (b != d)


def isnan(x, /):
    a, b = _split(x)
    ns = _ns()
    return ns.isnan(a) | ns.isnan(b)


def isinf(x, /):
    a, b = _split(x)
    ns = _ns()
    return ns.isinf(a) | ns.isinf(b)


def isfinite(x, /):
    a, b = _split(x)
    ns = _ns()
    return ns.isfinite(a) & ns.isfinite(b)


def _nonzero_mask(x) -> Array:
    a, b = _split(x)
    return (a != 0) | (b != 0)


def count_nonzero(x, /, *, axis=None, keepdims=False):
    return _ns().count_nonzero(_nonzero_mask(x), axis=axis, keepdims=keepdims)


def nonzero(x, /):
    return _ns().nonzero(_nonzero_mask(x))


def all_(x, /, *, axis=None, keepdims=False):
    return _ns().all(_nonzero_mask(x), axis=axis, keepdims=keepdims)


def any_(x, /, *, axis=None, keepdims=False):
    return _ns().any(_nonzero_mask(x), axis=axis, keepdims=keepdims)


def square(x, /):
    a, b = _split(x)
    return _cx(*_mul(a, b, a, b))


def reciprocal(x, /):
    a, b = _split(x)
    ns = _ns()
    return _cx(*_div(ns.ones_like(a), ns.zeros_like(a), a, b))


def sign(x, /):
    a, b = _split(x)
    ns = _ns()
    m = ns.hypot(a, b)
    nonzero = m != 0
    safe = ns.where(nonzero, m, ns.ones_like(m))
    return _cx(ns.where(nonzero, a / safe, a), ns.where(nonzero, b / safe, b))


def exp(x, /):
    a, b = _split(x)
    ns = _ns()
    e = ns.exp(a)
    real_axis = b == 0  # exp(a + 0j) is exp(a) + 0j exactly, also for infinite a
    re = ns.where(real_axis, e, e * ns.cos(b))
    im = ns.where(real_axis, b, e * ns.sin(b))
    # exp(-inf + yj) is 0 for any y; exp(+inf + yj) for an infinite or NaN y is inf + NaN j
    vanish = e == 0
    zero = ns.zeros_like(e)
    re = ns.where(vanish, zero, re)
    im = ns.where(vanish, zero, im)
    blowup = ns.isinf(e) & ~ns.isfinite(b)
    return _cx(ns.where(blowup, e, re), ns.where(blowup, b - b, im))


def expm1(x, /):
    a, b = _split(x)
    ns = _ns()
    s = ns.sin(b / 2)
    re = ns.expm1(a) * ns.cos(b) - 2 * s * s  # exp(a)cos(b) - 1 without cancellation
    real_axis = b == 0
    return _cx(ns.where(real_axis, ns.expm1(a), re),
               ns.where(real_axis, b, ns.exp(a) * ns.sin(b)))


def log(x, /):
    a, b = _split(x)
    ns = _ns()
    return _cx(ns.log(ns.hypot(a, b)), ns.atan2(b, a))


def log1p(x, /):
    a, b = _split(x)
    ns = _ns()
    # |1 + z|^2 = 1 + (2a + a^2 + b^2): log1p of the small term keeps accuracy near 0.
    re = 0.5 * ns.log1p(a * (2 + a) + b * b)
    big = ns.abs(a) + ns.abs(b) > 0.5
    re = ns.where(big, ns.log(ns.hypot(a + 1, b)), re)
    return _cx(re, ns.atan2(b, a + 1))


def log2(x, /):
    re, im = _split(log(x))
    c = 1 / math.log(2)
    return _cx(re * c, im * c)


def log10(x, /):
    re, im = _split(log(x))
    c = 1 / math.log(10)
    return _cx(re * c, im * c)


def sqrt(x, /):
    """Principal square root: t = sqrt((|a| + |z|) / 2), then the other part is b / (2t)."""
    a, b = _split(x)
    ns = _ns()
    m = ns.hypot(a, b)
    t = ns.sqrt((ns.abs(a) + m) / 2)
    safe = ns.where(t == 0, ns.ones_like(t), t)
    other = b / (2 * safe)
    pos = ns.signbit(a) == False  # noqa: E712 - elementwise
    re = ns.where(pos, t, ns.abs(other))
    im = ns.where(pos, other, ns.copysign(t, b))
    zero = t == 0
    re = ns.where(zero, ns.zeros_like(t), re)
    im = ns.where(zero, b, im)
    inf_b = ns.isinf(b)  # sqrt(x + inf j) = inf + inf j for every x, NaN included
    return _cx(ns.where(inf_b, ns.abs(b), re), ns.where(inf_b, b, im))


def sin(x, /):
    a, b = _split(x)
    ns = _ns()
    return _cx(ns.sin(a) * ns.cosh(b), ns.cos(a) * ns.sinh(b))


def cos(x, /):
    a, b = _split(x)
    ns = _ns()
    return _cx(ns.cos(a) * ns.cosh(b), -(ns.sin(a) * ns.sinh(b)))


def sinh(x, /):
    a, b = _split(x)
    ns = _ns()
    return _cx(ns.sinh(a) * ns.cos(b), ns.cosh(a) * ns.sin(b))


def cosh(x, /):
    a, b = _split(x)
    ns = _ns()
    return _cx(ns.cosh(a) * ns.cos(b), ns.sinh(a) * ns.sin(b))


def tanh(x, /):
    """tanh(a + bj) = (sinh 2a + j sin 2b) / (cosh 2a + cos 2b), with tanh(a) for large |a|."""
    a, b = _split(x)
    ns = _ns()
    den = ns.cosh(2 * a) + ns.cos(2 * b)
    re = ns.sinh(2 * a) / den
    im = ns.sin(2 * b) / den
    big = ns.abs(a) > 20
    # For large |a| the formula overflows; tanh tends to sign(a) + 4 sin(2b) exp(-2|a|) j.
    im_big = 4 * ns.sin(b) * ns.cos(b) * ns.exp(-2 * ns.abs(a))
    return _cx(ns.where(big, ns.tanh(a), re), ns.where(big, im_big, im))


def tan(x, /):
    # tan(z) = -j tanh(j z)
    a, b = _split(x)
    re, im = _split(tanh(_cx(-b, a)))
    return _cx(im, -re)


def asinh(x, /):
    # asinh(z) = log(z + sqrt(z^2 + 1)), with the odd symmetry used for accuracy on the left
    a, b = _split(x)
    ns = _ns()
    neg = ns.signbit(a)
    sa = ns.where(neg, -a, a)
    sb = ns.where(neg, -b, b)
    z = _cx(sa, sb)
    re, im = _split(log(add(z, sqrt(add(square(z), 1.0)))))
    # For |z| beyond 1/sqrt(eps), asinh(z) = log(2z) to working precision (z^2 would overflow).
    big = ns.hypot(sa, sb) > 1 / math.sqrt(np.finfo(D.real_dtype_of(z.dtype).numpy).eps)
    lre, lim = _split(log(z))
    re = ns.where(big, lre + math.log(2), re)
    im = ns.where(big, lim, im)
    return _cx(ns.where(neg, -re, re), ns.where(neg, -im, im))


def asin(x, /):
    # asin(z) = -j asinh(j z)
    a, b = _split(x)
    re, im = _split(asinh(_cx(-b, a)))
    return _cx(im, -re)


def acos(x, /):
    re, im = _split(asin(x))
    return _cx(math.pi / 2 - re, -im)


def acosh(x, /):
    # acosh(z) = log(z + sqrt(z + 1) sqrt(z - 1))
    return log(add(x, multiply(sqrt(add(x, 1.0)), sqrt(subtract(x, 1.0)))))


def atanh(x, /):
    # atanh(z) = (log1p(z) - log1p(-z)) / 2
    re, im = _split(subtract(log1p(x), log1p(negative(x))))
    return _cx(re / 2, im / 2)


def atan(x, /):
    # atan(z) = -j atanh(j z)
    a, b = _split(x)
    re, im = _split(atanh(_cx(-b, a)))
    return _cx(im, -re)


def pow(x1, x2, /):  # noqa: A001
    """exp(x2 * log(x1)), with x1 ** 0 == 1 and 0 ** x2 == 0 for Re(x2) > 0."""
    (a, b), (c, d) = _operand_pair(x1, x2, "pow")
    ns = _ns()
    z1, z2 = _cx(a, b), _cx(c, d)
    out_re, out_im = _split(exp(multiply(z2, log(z1))))
    exp0 = (c == 0) & (d == 0)
    base0 = (a == 0) & (b == 0) & (c > 0)
    out_re = ns.where(exp0, ns.ones_like(out_re), ns.where(base0, ns.zeros_like(out_re), out_re))
    out_im = ns.where(exp0 | base0, ns.zeros_like(out_im), out_im)
    return _cx(out_re, out_im)


def round(x, /):  # noqa: A001
    a, b = _split(x)
    ns = _ns()
    return _cx(ns.round(a), ns.round(b))


# -- reductions and linear algebra ---------------------------------------------------------------


def sum(x, /, *, axis=None, dtype=None, keepdims=False):  # noqa: A001
    a, b = _split(x)
    ns = _ns()
    rd = None if dtype is None else D.real_dtype_of(dtype)
    out = _cx(ns.sum(a, axis=axis, dtype=rd, keepdims=keepdims),
              ns.sum(b, axis=axis, dtype=rd, keepdims=keepdims))
    return out


def mean(x, /, *, axis=None, keepdims=False):
    a, b = _split(x)
    ns = _ns()
    return _cx(ns.mean(a, axis=axis, keepdims=keepdims), ns.mean(b, axis=axis, keepdims=keepdims))


def prod(x, /, *, axis=None, dtype=None, keepdims=False):
    """Pairwise complex products along the reduced axes (their sizes must be known)."""
    from ._manipulation_functions import normalize_axes

    ns = _ns()
    if dtype is not None and dtype is not x.dtype:
        x = astype(x, dtype)
    ndim = len(x._v.shape)
    axes = normalize_axes(axis, ndim, "prod")
    if any(type(x._v.shape[i]) is not int for i in axes):
        raise ValueError("prod: the reduced axes of a complex array need known sizes")
    keep = [i for i in range(ndim) if i not in axes]
    moved = ns.permute_dims(x, tuple(keep) + tuple(axes)) if axes else x
    lead = tuple(x._v.shape[i] for i in keep)
    n = math.prod(x._v.shape[i] for i in axes)
    flat = ns.reshape(moved, tuple(-1 if type(d) is not int else d for d in lead) + (n,)) \
        if sum_unknown(lead) <= 1 else None
    if flat is None:
        raise ValueError("prod: at most one kept axis of a complex array may have unknown size")
    a, b = _split(flat)
    if n == 0:
        a, b = ns.ones_like(a[..., :1]), ns.zeros_like(b[..., :1])
    while a.shape[-1] > 1:
        m = a.shape[-1]
        if m % 2:
            a = ns.concat([a, ns.ones_like(a[..., :1])], axis=-1)
            b = ns.concat([b, ns.zeros_like(b[..., :1])], axis=-1)
            m += 1
        a, b = _mul(a[..., 0::2], b[..., 0::2], a[..., 1::2], b[..., 1::2])
    out = _cx(a[..., 0], b[..., 0])
    if keepdims:
        out = ns.reshape(out, tuple(1 if i in axes else (d if type(d) is int else -1)
                                    for i, d in enumerate(x._v.shape)))
    return out


def sum_unknown(dims) -> int:
    return len([d for d in dims if type(d) is not int])


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    a, b = _split(x)
    ns = _ns()
    rd = None if dtype is None else D.real_dtype_of(dtype)
    kw = {"axis": axis, "dtype": rd, "include_initial": include_initial}
    return _cx(ns.cumulative_sum(a, **kw), ns.cumulative_sum(b, **kw))


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
    """Log-step doubling as for real arrays, but without padding: step k multiplies
    ``out[s:]`` by ``out[:n - s]`` (s = 2**k) and keeps ``out[:s]``, because a complex
    multiplication by 1 + 0j is not exact for signed zeros. An axis of unknown length takes
    32 steps; those past its length change nothing."""
    from . import _statistical_functions as S

    if dtype is not None:
        x = _ns().astype(x, dtype)
    v = x._v
    axis = S._cumulative_axis(v, axis, "cumulative_prod")
    re, im = parts(v)
    n = re.shape[axis]
    steps = (n - 1).bit_length() if type(n) is int and n > 0 else (0 if n == 0 else 32)
    size = n if type(n) is int else _ops.dim_of(re, axis)
    big = np.iinfo(np.int64).max

    def cut(t: Value, start, stop) -> Value:
        shape = t.shape[:axis] + (Dim(),) + t.shape[axis + 1:]
        if type(start) is int and type(stop) is int:
            if type(n) is int:
                shape = t.shape[:axis] + (max(0, min(stop, n) - start),) + t.shape[axis + 1:]
            return _ops.slice_(t, [start], [stop], [axis], [1], shape)
        bounds = [b if isinstance(b, Value) else _ops.i64([b]) for b in (start, stop)]
        return _ops.bind("Slice", [t, *bounds, _ops.i64([axis])], [t.dtype],
                         lambda: [shape])[0]

    shift = 1
    for _ in range(steps):
        stop = n - shift if type(n) is int else _ops.binary(
            "Max", _ops.binary("Sub", size, _ops.i64([shift])), _ops.i64([0]))
        a, b = cut(re, shift, big), cut(im, shift, big)
        c, d = cut(re, 0, stop), cut(im, 0, stop)
        pre = _ops.binary("Sub", _ops.binary("Mul", a, c), _ops.binary("Mul", b, d))
        pim = _ops.binary("Add", _ops.binary("Mul", a, d), _ops.binary("Mul", b, c))
        re = _ops.concat([cut(re, 0, shift), pre], axis)
        im = _ops.concat([cut(im, 0, shift), pim], axis)
        shift *= 2
    if include_initial:
        re, im = S._prepend(re, axis, 1), S._prepend(im, axis, 0)
    return Array._new(join(re, im))


def matmul(x1, x2, /):
    (a, b), (c, d) = _operand_pair(x1, x2, "matmul")
    ns = _ns()
    return _cx(ns.matmul(a, c) - ns.matmul(b, d), ns.matmul(a, d) + ns.matmul(b, c))


def tensordot(x1, x2, /, *, axes=2):
    (a, b), (c, d) = _operand_pair(x1, x2, "tensordot")
    ns = _ns()

    def td(p, q):
        return ns.tensordot(p, q, axes=axes)

    return _cx(td(a, c) - td(b, d), td(a, d) + td(b, c))


def vecdot(x1, x2, /, *, axis=-1):
    """sum(conj(x1) * x2) along ``axis``."""
    (a, b), (c, d) = _operand_pair(x1, x2, "vecdot")
    ns = _ns()
    re = ns.vecdot(a, c, axis=axis) + ns.vecdot(b, d, axis=axis)
    im = ns.vecdot(a, d, axis=axis) - ns.vecdot(b, c, axis=axis)
    return _cx(re, im)


# -- data types and creation -------------------------------------------------------------------


def astype(x, dtype, /, *, copy=True, device=None):
    ns = _ns()
    if not isinstance(dtype, D.DType):
        raise TypeError(f"astype: expected an onnxarray dtype, got {dtype!r}")
    if _is_complex(x):
        a, b = _split(x)
        if dtype.kind == "c":
            rd = D.real_dtype_of(dtype)
            return _cx(ns.astype(a, rd), ns.astype(b, rd))
        if dtype is D.bool:
            return (a != 0) | (b != 0)
        raise TypeError(f"astype: casting {x.dtype.name} to {dtype.name} discards the imaginary "
                        "part; take xp.real(x) first")
    v = x._v if x._v.dtype is not D.bool else _ops.cast(x._v, D.uint8)
    real = ns.astype(Array._new(v), D.real_dtype_of(dtype))
    return _cx(real, ns.zeros_like(real))


def _like(name: str):
    def impl(x, /, *args, dtype=None, device=None, **kwargs):
        ns = _ns()
        cdt = dtype or x.dtype
        if cdt.kind != "c":
            return getattr(ns, name)(ns.real(x), *args, dtype=cdt, device=device, **kwargs)
        rd = D.real_dtype_of(cdt)
        a = _split(x)[0]
        if name == "full_like":
            fill = complex(args[0] if args else kwargs["fill_value"])
            return _cx(ns.full_like(a, fill.real, dtype=rd), ns.full_like(a, fill.imag, dtype=rd))
        return _cx(getattr(ns, name)(a, dtype=rd), ns.zeros_like(a, dtype=rd))

    impl.__name__ = name
    return impl


def where(condition, x1, x2, /):
    ns = _ns()
    (a, b), (c, d) = _operand_pair(x1, x2, "where")
    return _cx(ns.where(condition, a, c), ns.where(condition, b, d))


_STRUCTURAL = ("broadcast_to", "concat", "expand_dims", "flip", "moveaxis",
               "permute_dims", "repeat", "reshape", "roll", "squeeze", "stack", "tile", "unstack",
               "take", "take_along_axis", "tril", "triu", "matrix_transpose", "diff")

# -- special values (C99 Annex G, as the standard lists them) ----------------------------------
#
# The formulas above are right for finite inputs; at infinities and NaNs they can produce NaN
# where the standard gives a value (or the reverse). Each table lists, for inputs folded to
# imag >= 0 (conjugate symmetry, f(conj z) = conj f(z)) and, for even or odd functions, to
# real >= 0, the results of the special classes. The result is then unfolded. ("unfolded":
# the cases hold for every sign as listed.)

_PI = math.pi
_NAN = math.nan
_INF = math.inf


def _is_zero(ns, v):
    return v == 0


def _is_pinf(ns, v):
    return v == _INF


def _is_ninf(ns, v):
    return v == -_INF


def _is_inf(ns, v):
    return ns.isinf(v)


def _is_nan(ns, v):
    return ns.isnan(v)


def _is_finite(ns, v):
    return ns.isfinite(v)


def _is_finite_nonzero(ns, v):
    return ns.isfinite(v) & (v != 0)


def _is_nonzero(ns, v):
    return v != 0


_CASES = {
    "cosh": ("even", [
        (_is_zero, _is_pinf, _NAN, 0.0), (_is_zero, _is_nan, _NAN, 0.0),
        (_is_finite_nonzero, _is_pinf, _NAN, _NAN), (_is_finite_nonzero, _is_nan, _NAN, _NAN),
        (_is_pinf, _is_zero, _INF, 0.0), (_is_pinf, _is_pinf, _INF, _NAN),
        (_is_pinf, _is_nan, _INF, _NAN), (_is_nan, _is_zero, _NAN, 0.0),
        (_is_nan, _is_nonzero, _NAN, _NAN)]),
    "sinh": ("odd", [
        (_is_zero, _is_pinf, 0.0, _NAN), (_is_zero, _is_nan, 0.0, _NAN),
        (_is_finite_nonzero, _is_pinf, _NAN, _NAN), (_is_finite_nonzero, _is_nan, _NAN, _NAN),
        (_is_pinf, _is_zero, _INF, 0.0), (_is_pinf, _is_pinf, _INF, _NAN),
        (_is_pinf, _is_nan, _INF, _NAN), (_is_nan, _is_zero, _NAN, 0.0),
        (_is_nan, _is_nonzero, _NAN, _NAN)]),
    "tanh": ("odd", [
        (_is_finite_nonzero, _is_pinf, _NAN, _NAN), (_is_finite_nonzero, _is_nan, _NAN, _NAN),
        (_is_zero, _is_pinf, 0.0, _NAN), (_is_zero, _is_nan, 0.0, _NAN),
        (_is_pinf, _is_pinf, 1.0, 0.0), (_is_pinf, _is_nan, 1.0, 0.0),
        (_is_pinf, _is_finite, 1.0, 0.0),
        (_is_nan, _is_zero, _NAN, 0.0), (_is_nan, _is_nonzero, _NAN, _NAN)]),
    "atanh": ("odd", [
        (_is_zero, _is_nan, 0.0, _NAN), (_is_finite, _is_pinf, 0.0, _PI / 2),
        (_is_finite_nonzero, _is_nan, _NAN, _NAN), (_is_pinf, _is_finite, 0.0, _PI / 2),
        (_is_pinf, _is_pinf, 0.0, _PI / 2), (_is_pinf, _is_nan, 0.0, _NAN),
        (_is_nan, _is_finite, _NAN, _NAN), (_is_nan, _is_pinf, 0.0, _PI / 2),
        (_is_nan, _is_nan, _NAN, _NAN)]),
    "asinh": ("odd", [
        (_is_nan, _is_zero, _NAN, 0.0), (_is_nan, _is_finite_nonzero, _NAN, _NAN),
        (_is_nan, _is_pinf, _INF, _NAN), (_is_pinf, _is_nan, _INF, _NAN),
        (_is_finite, _is_nan, _NAN, _NAN), (_is_pinf, _is_pinf, _INF, _PI / 4),
        (_is_pinf, _is_finite, _INF, 0.0), (_is_finite, _is_pinf, _INF, _PI / 2)]),
    "acosh": (None, [
        (_is_zero, _is_zero, 0.0, _PI / 2), (_is_finite, _is_pinf, _INF, _PI / 2),
        (_is_zero, _is_nan, _NAN, _PI / 2), (_is_finite_nonzero, _is_nan, _NAN, _NAN),
        (_is_ninf, _is_finite, _INF, _PI), (_is_pinf, _is_finite, _INF, 0.0),
        (_is_ninf, _is_pinf, _INF, 3 * _PI / 4), (_is_pinf, _is_pinf, _INF, _PI / 4),
        (_is_inf, _is_nan, _INF, _NAN), (_is_nan, _is_finite, _NAN, _NAN),
        (_is_nan, _is_pinf, _INF, _NAN), (_is_nan, _is_nan, _NAN, _NAN)]),
    "acos": (None, [
        (_is_zero, _is_zero, _PI / 2, -0.0), (_is_zero, _is_nan, _PI / 2, _NAN),
        (_is_finite, _is_pinf, _PI / 2, -_INF), (_is_finite_nonzero, _is_nan, _NAN, _NAN),
        (_is_ninf, _is_finite, _PI, -_INF), (_is_pinf, _is_finite, 0.0, -_INF),
        (_is_ninf, _is_pinf, 3 * _PI / 4, -_INF), (_is_pinf, _is_pinf, _PI / 4, -_INF),
        (_is_inf, _is_nan, _NAN, _INF), (_is_nan, _is_finite, _NAN, _NAN),
        (_is_nan, _is_pinf, _NAN, -_INF), (_is_nan, _is_nan, _NAN, _NAN)]),
    "exp": (None, [(_is_finite, _is_nan, _NAN, _NAN), (_is_finite, _is_pinf, _NAN, _NAN)]),
    "expm1": (None, [
        (_is_zero, _is_zero, 0.0, 0.0), (_is_finite, _is_pinf, _NAN, _NAN),
        (_is_finite, _is_nan, _NAN, _NAN),
        (_is_pinf, _is_pinf, _INF, _NAN), (_is_pinf, _is_nan, _INF, _NAN),
        (_is_ninf, _is_pinf, -1.0, 0.0), (_is_ninf, _is_nan, -1.0, 0.0)]),
    "log1p": (None, [
        (_is_inf, _is_nan, _INF, _NAN), (_is_nan, _is_pinf, _INF, _NAN),
        (_is_finite, _is_pinf, _INF, _PI / 2)]),
    "sign": ("unfolded", [(_is_zero, _is_zero, 0.0, 0.0)]),
}


def _with_special_values(fn):
    """``fn`` with the special-value table of its name applied to its result."""
    parity, cases = _CASES[fn.__name__]

    def wrapper(x, /):
        out = fn(x)
        ns = _ns()
        a, b = _split(x)
        re, im = _split(out)
        if parity in ("even", "odd"):  # fold to real >= 0: z -> -z
            flip_a = ns.signbit(a)
            a, b = ns.where(flip_a, -a, a), ns.where(flip_a, -b, b)
        folded = parity != "unfolded"
        if folded:  # fold to imag >= 0: z -> conj(z)
            flip_b = ns.signbit(b)
            b = ns.abs(b)
        hit = None
        sre = sim = None
        for pa, pb, vr, vi in cases:
            cond = pa(ns, a) & pb(ns, b)
            hit = cond if hit is None else hit | cond
            sre = ns.where(cond, vr, sre if sre is not None else re)
            sim = ns.where(cond, vi, sim if sim is not None else im)
        if folded:
            sim = ns.where(flip_b, -sim, sim)
        if parity == "odd":
            sre, sim = ns.where(flip_a, -sre, sre), ns.where(flip_a, -sim, sim)
        return _cx(ns.where(hit, sre, re), ns.where(hit, sim, im))

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


for _name in _CASES:
    globals()[_name] = _with_special_values(globals()[_name])


IMPLS = {name: _lift(name) for name in _STRUCTURAL}
IMPLS.update({f.__name__: f for f in (
    add, subtract, multiply, divide, negative, positive, conj, real, imag, abs, equal,
    not_equal, isnan, isinf, isfinite, square, reciprocal, sign, exp, expm1, log, log1p, log2,
    log10, sqrt, sin, cos, tan, sinh, cosh, tanh, asin, acos, atan, asinh, acosh, atanh, pow,
    round, sum, mean, prod, cumulative_sum, cumulative_prod, matmul, tensordot, vecdot, astype,
    where,
    count_nonzero, nonzero)})
IMPLS.update({"all": all_, "any": any_})
IMPLS.update({name: _per_array(name) for name in ("broadcast_arrays", "meshgrid")})
IMPLS.update({name: getattr(_set_functions, name) for name in (
    "unique_values", "unique_counts", "unique_inverse", "unique_all")})  # complex-aware
IMPLS.update({name: _like(name) for name in ("zeros_like", "ones_like", "empty_like",
                                             "full_like")})


def dispatching(name: str, fn):
    """``fn``, except that calls with a complex array go to the complex implementation."""
    impl = IMPLS.get(name)

    def wrapper(*args, **kwargs):
        if _has_complex(args, kwargs, impl is not None):
            if impl is None:
                raise TypeError(f"{name}: complex dtypes are not supported")
            return impl(*args, **kwargs)
        return fn(*args, **kwargs)

    wrapper.__name__ = fn.__name__
    wrapper.__qualname__ = fn.__qualname__
    wrapper.__doc__ = fn.__doc__
    wrapper.__module__ = fn.__module__
    wrapper.__wrapped__ = fn
    return wrapper
