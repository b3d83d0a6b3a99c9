"""Complex arrays as pairs of real tensors: arithmetic, structure, reductions and dispatch.

onnxruntime computes nothing in complex, so a complex value is a pair (real, imaginary) of real
tensors of the matching float dtype (``_complex_parts`` moves between the views); every complex
function is written on the parts with the real functions, so it runs eagerly and exports alike.
The transcendental functions live in ``_complex_functions``.

``dispatching(name, fn)`` wraps a namespace function: a call with a complex array goes to the
complex implementation of that name, or raises a TypeError if there is none.
"""

from __future__ import annotations

import math

import numpy as np

from . import _dtypes as D
from . import _ops, _sections, _set_functions
from . import _statistical_functions as S
from ._array_object import Array, check_device, scalar_value
from ._complex_functions import FUNCTIONS, exp, log
from ._complex_parts import _zeros_like, complex_of, join, pack, parts, unpack
from ._graph import Dim, Value
from ._manipulation_functions import normalize_axes

__all__ = ["parts", "join", "dispatching", "pack", "unpack", "complex_of", "IMPLS"]


# -- helpers on Arrays --------------------------------------------------------------------------


def _is_complex(a) -> bool:
    return isinstance(a, Array) and a._v.dtype.kind == "c"


# Argument types that are never complex: skipped with one type check.
_NEVER_COMPLEX = frozenset({int, float, bool, type(None), str, slice, np.ndarray})


def _has_complex(args, kwargs, dtypes: bool) -> bool:
    """Whether a call involves a complex array (or, with ``dtypes``, a complex dtype). Runs on
    every op-by-op namespace call, so the common arguments cost one type check each."""
    for a in args:
        t = type(a)
        if t is Array:
            if a._v.dtype.kind == "c":
                return True
        elif t not in _NEVER_COMPLEX and _is_complex_arg(a, dtypes):
            return True
    if kwargs:
        for a in kwargs.values():
            if _is_complex_arg(a, dtypes):
                return True
    return False


def _is_complex_arg(a, dtypes: bool) -> bool:
    if isinstance(a, Array):
        return a._v.dtype.kind == "c"
    if isinstance(a, complex):
        # A Python complex with a real floating array gives the matching complex dtype
        # (the standard's mixing rules since 2024.12).
        return True
    if type(a) in (list, tuple):
        return any(isinstance(b, Array) and b._v.dtype.kind == "c" for b in a)
    return dtypes and isinstance(a, D.DType) and a.kind == "c"


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
    # both in the promoted precision before any arithmetic: complex64 / complex128 computed
    # the divisor's ratio in float32 (a 4e-8 relative error in a complex128 result)
    real = D.real_dtype_of(D.promote(pair[0]._v.dtype, pair[1]._v.dtype, func))
    return tuple(tuple(Array._new(_ops.cast(p._v, real)) for p in _split(a)) for a in pair)


def _complex_dtype(x) -> D.DType:
    """The complex dtype a Python complex takes next to ``x``: the matching one for a float
    array, the default for an integer array (as a Python float gives the default float)."""
    if x._v.dtype.kind in "iu":
        return D.DEFAULT_COMPLEX
    return x._v.dtype if x._v.dtype.kind == "c" else complex_of(x._v.dtype)


def _ns():
    """The section functions, which compute on the real parts (no complex dispatch here: a
    complex argument takes this module's own function)."""
    return _sections


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


# A real operand (Python scalar or real array) is first converted to the complex dtype, as the
# standard's promotion rules say: its imaginary part is +0, so 6.5 - (0 - 0j) has imaginary part
# 0 - (-0) = +0, and (a + bj) * c is the textbook (ac - b*0) + (a*0 + bc)j.


def add(x1, x2, /):
    (a, b), (c, d) = _operand_pair(x1, x2, "add")
    return _cx(a + c, b + d)


def subtract(x1, x2, /):
    (a, b), (c, d) = _operand_pair(x1, x2, "subtract")
    return _cx(a - c, b - d)


def _mul(a, b, c, d):
    ns = _ns()
    return (ns.subtract(ns.multiply(a, c), ns.multiply(b, d)),
            ns.add(ns.multiply(a, d), ns.multiply(b, c)))


def multiply(x1, x2, /):
    (a, b), (c, d) = _operand_pair(x1, x2, "multiply")
    return _cx(*_mul(a, b, c, d))


def _div(a, b, c, d):
    """Smith's algorithm, with the divisor's larger part p and r = (smaller part) / p:
    (a + bj) / (c + dj) = ((a/p + r b/p) + (b/p - r a/p) j) / (1 + r²) for |c| >= |d|, which
    overflows only where the quotient does (a part that overflowed inside is computed again
    from the halved dividend). A zero divisor gives the infinities of C99
    Annex G (copysign(inf, c) times each part of the dividend)."""
    ns = _ns()
    big_c = ns.abs(c) >= ns.abs(d)
    p = ns.where(big_c, c, d)
    r = ns.where(big_c, d, c) / p
    den = 1.0 + r * r

    def parts(a, b):
        ap, bp = a / p, b / p
        return (ns.where(big_c, ap + r * bp, r * ap + bp) / den,
                ns.where(big_c, bp - r * ap, r * bp - ap) / den)
    re, im = parts(a, b)
    # a/p and b/p may overflow where the quotient, up to (1 + r²) <= 2 times smaller, does
    # not ((-7j) / (t + tj) at float32's smallest normal t is -2.98e38 (1 + j)): at finite
    # operands, a part that overflowed is the halved dividend's part doubled
    finite = ns.isfinite(a) & ns.isfinite(b) & ns.isfinite(c) & ns.isfinite(d)
    re2, im2 = parts(a * 0.5, b * 0.5)
    re = ns.where(finite & ~ns.isfinite(re), re2 * 2.0, re)
    im = ns.where(finite & ~ns.isfinite(im), im2 * 2.0, im)
    zero = (c == 0) & (d == 0)
    inf = ns.copysign(ns.full_like(c, math.inf), c)
    return ns.where(zero, inf * a, re), ns.where(zero, inf * b, im)


def divide(x1, x2, /):
    (a, b), (c, d) = _operand_pair(x1, x2, "divide")
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
    """The textbook (a² - b²) + 2ab j, as the standard asks of complex products; where a² - b²
    overflows to inf - inf for finite parts, (a - b)(a + b) from halves."""
    a, b = _split(x)
    ns = _ns()
    re = a * a - b * b
    ha, hb = a / 2.0, b / 2.0
    halves = ((ha - hb) * (ha + hb)) * 4.0
    re = ns.where(ns.isnan(re) & ns.isfinite(a) & ns.isfinite(b), halves, re)
    return _cx(re, (a * b) * 2.0)


def reciprocal(x, /):
    """Smith's algorithm for 1 / (c + dj): t = 1 / (1 + r²), then t/c - (r t / c) j for
    |c| >= |d| (no overflow in c² + d²); 1/0 is inf + NaN j and 1/inf is 0 (with the signs of
    c / |z|² and -d / |z|²), as in C99 Annex G's model of one infinity."""
    c, d = _split(x)
    ns = _ns()
    big_c = ns.abs(c) >= ns.abs(d)
    p = ns.where(big_c, c, d)
    r = ns.where(big_c, d, c) / p
    t = 1.0 / (1.0 + r * r)
    rt = r * t
    re = ns.where(big_c, t, rt) / p
    im = -(ns.where(big_c, rt, t) / p)
    zero = (c == 0) & (d == 0)
    inf = ns.copysign(ns.full_like(c, math.inf), c)
    re, im = ns.where(zero, inf, re), ns.where(zero, inf * d, im)
    big = ns.isinf(c) | ns.isinf(d)
    z = ns.zeros_like(c)
    return _cx(ns.where(big, ns.copysign(z, c), re), ns.where(big, -ns.copysign(z, d), im))


def sign(x, /):
    """z / |z|, scaled by the larger part first (|z| may overflow or be subnormal); 0 + 0j at
    zero, NaN + NaN j where a part is NaN or both are infinite (inf / inf), and the direction
    of the infinite part when one is."""
    a, b = _split(x)
    ns = _ns()
    inf = ns.isinf(a) | ns.isinf(b)
    both = ns.isinf(a) & ns.isinf(b)
    a = ns.where(inf, ns.copysign(ns.astype(ns.isinf(a), a.dtype), a), a)
    b = ns.where(inf, ns.copysign(ns.astype(ns.isinf(b), b.dtype), b), b)
    a = ns.where(both, ns.full_like(a, math.nan), a)
    big = ns.maximum(ns.abs(a), ns.abs(b))
    zero = big == 0
    big = ns.where(zero, ns.ones_like(big), big)
    a, b = a / big, b / big
    m = ns.hypot(a, b)
    nan = ns.isnan(a) | ns.isnan(b)
    re = ns.where(zero, ns.zeros_like(m), a / m)
    im = ns.where(zero, ns.zeros_like(m), b / m)
    return _cx(ns.where(nan, ns.full_like(m, math.nan), re),
               ns.where(nan, ns.full_like(m, math.nan), im))


def pow(x1, x2, /):  # noqa: A001
    """exp(x2 * log(x1)), with x1 ** 0 == 1 and 0 ** x2 == 0 for Re(x2) > 0."""
    (a, b), (c, d) = _operand_pair(x1, x2, "pow")
    ns = _ns()
    # promote first: log(x1) of a complex64 x1 must not be taken in float32 when x2 is wider
    rd = D.promote(a.dtype, c.dtype, "pow")
    a, b, c, d = (ns.astype(t, rd, copy=False) for t in (a, b, c, d))
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


def _accumulator(x, dtype, func: str):
    """The real dtype for each part of a complex ``func`` with ``dtype=``; a real ``dtype``
    would cast complex to real, which the standard does not allow (see astype)."""
    if dtype is None:
        return None
    dtype = D.as_dtype(dtype, func)
    if dtype.kind != "c":
        raise TypeError(f"{func}: dtype {dtype.name} cannot hold the {x.dtype.name} input "
                        "(casting complex to real discards the imaginary part); take xp.real(x) "
                        "first or pass a complex dtype")
    return D.real_dtype_of(dtype)


def sum(x, /, *, axis=None, dtype=None, keepdims=False):  # noqa: A001
    rd = _accumulator(x, dtype, "sum")
    a, b = _split(x)
    ns = _ns()
    out = _cx(ns.sum(a, axis=axis, dtype=rd, keepdims=keepdims),
              ns.sum(b, axis=axis, dtype=rd, keepdims=keepdims))
    return out


def mean(x, /, *, axis=None, keepdims=False):
    a, b = _split(x)
    ns = _ns()
    return _cx(ns.mean(a, axis=axis, keepdims=keepdims), ns.mean(b, axis=axis, keepdims=keepdims))


def prod(x, /, *, axis=None, dtype=None, keepdims=False):
    """Pairwise complex products along the reduced axes (their sizes must be known)."""
    ns = _ns()
    rd = _accumulator(x, dtype, "prod")
    if rd is not None and rd is not D.real_dtype_of(x.dtype):
        x = astype(x, complex_of(rd))
    ndim = len(x._v.shape)
    axes = normalize_axes(axis, ndim, "prod")
    if not axes:  # the product over no axis is each element (no reshape: a size may be 0)
        return ns.asarray(x, copy=True)
    if any(type(x._v.shape[i]) is not int for i in axes):
        raise ValueError("prod: the reduced axes of a complex array need known sizes")
    n = math.prod(x._v.shape[i] for i in axes)
    if n == 0:  # the empty product, 1 + 0j, shaped by a sum (a kept size may be unknown)
        empty = ns.sum(_split(x)[0], axis=tuple(axes), keepdims=keepdims)
        return _cx(ns.ones_like(empty), ns.zeros_like(empty))
    keep = [i for i in range(ndim) if i not in axes]
    moved = IMPLS["permute_dims"](x, tuple(keep) + tuple(axes)) if axes else x
    lead = tuple(x._v.shape[i] for i in keep)
    flat = IMPLS["reshape"](moved, tuple(-1 if type(d) is not int else d for d in lead) + (n,)) \
        if sum_unknown(lead) <= 1 else None
    if flat is None:
        raise ValueError("prod: at most one kept axis of a complex array may have unknown size")
    a, b = _split(flat)
    # (a + bj) * 2**e with the larger part near 1, so no intermediate product overflows
    a, b, e = _rescaled(a, b, ns.zeros_like(a))
    while a.shape[-1] > 1:
        m = a.shape[-1]
        if m % 2:
            a = ns.concat([a, ns.ones_like(a[..., :1])], axis=-1)
            b = ns.concat([b, ns.zeros_like(b[..., :1])], axis=-1)
            e = ns.concat([e, ns.zeros_like(e[..., :1])], axis=-1)
            m += 1
        a, b = _mul(a[..., 0::2], b[..., 0::2], a[..., 1::2], b[..., 1::2])
        a, b, e = _rescaled(a, b, e[..., 0::2] + e[..., 1::2])
    a, b = _unscaled(a, b, e)
    out = _cx(a[..., 0], b[..., 0])
    if keepdims:
        out = IMPLS["reshape"](out, tuple(1 if i in axes else (d if type(d) is int else -1)
                                    for i, d in enumerate(x._v.shape)))
    return out


# Complex products are computed on (w, e) with z = w * 2**e and the larger part of w near 1,
# as float products are (see _statistical_functions._scaled): the parts of w are scaled by a
# power of two, exactly, so no intermediate product overflows or underflows where the final
# one does not. Parts that are infinite or NaN, and zeros, keep e = 0.


def _scaled_parts(re: Value, im: Value, e: Value) -> tuple[Value, Value, Value]:
    dt = re.dtype
    inf = _ops.const(math.inf, dt)
    ar, ai = _ops.unary("Abs", re), _ops.unary("Abs", im)
    finite = _ops.binary("And", _ops.binary("Less", ar, inf, D.bool),
                         _ops.binary("Less", ai, inf, D.bool), D.bool)
    big = _ops.where(finite, _ops.binary("Max", ar, ai), _ops.const(0, dt))
    regular = _ops.binary("Greater", big, _ops.const(0, dt), D.bool)
    big = _ops.where(regular, big, _ops.const(1, dt))
    log2 = _ops.binary("Mul", _ops.unary("Log", big), _ops.const(1 / math.log(2), dt))
    k = _ops.unary("Floor", _ops.binary("Add", log2, _ops.const(0.5, dt)))
    neg = _ops.unary("Neg", k)
    return (S._times_power_of_two(re, neg), S._times_power_of_two(im, neg),
            _ops.binary("Add", e, k))


def _rescaled(a, b, e):
    re, im, e = _scaled_parts(a._v, b._v, e._v)
    return Array._new(re), Array._new(im), Array._new(e)


def _unscaled(a, b, e):
    return (Array._new(S._times_power_of_two(a._v, e._v)),
            Array._new(S._times_power_of_two(b._v, e._v)))


def sum_unknown(dims) -> int:
    return len([d for d in dims if type(d) is not int])


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    rd = _accumulator(x, dtype, "cumulative_sum")
    a, b = _split(x)
    ns = _ns()
    kw = {"axis": axis, "dtype": rd, "include_initial": include_initial}
    return _cx(ns.cumulative_sum(a, **kw), ns.cumulative_sum(b, **kw))


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
    """Log-step doubling as for real arrays, but without padding: step k multiplies
    ``out[s:]`` by ``out[:n - s]`` (s = 2**k) and keeps ``out[:s]``, because a complex
    multiplication by 1 + 0j is not exact for signed zeros. An axis of unknown length takes
    32 steps; those past its length change nothing."""
    rd = _accumulator(x, dtype, "cumulative_prod")
    if rd is not None:
        x = astype(x, complex_of(rd))
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
    # scaled by powers of two as in prod, so no intermediate product overflows
    re, im, e = _scaled_parts(re, im, _zeros_like(re))
    for _ in range(steps):
        stop = n - shift if type(n) is int else _ops.binary(
            "Max", _ops.binary("Sub", size, _ops.i64([shift])), _ops.i64([0]))
        a, b = cut(re, shift, big), cut(im, shift, big)
        c, d = cut(re, 0, stop), cut(im, 0, stop)
        pre = _ops.binary("Sub", _ops.binary("Mul", a, c), _ops.binary("Mul", b, d))
        pim = _ops.binary("Add", _ops.binary("Mul", a, d), _ops.binary("Mul", b, c))
        pe = _ops.binary("Add", cut(e, shift, big), cut(e, 0, stop))
        pre, pim, pe = _scaled_parts(pre, pim, pe)
        re = _ops.concat([cut(re, 0, shift), pre], axis)
        im = _ops.concat([cut(im, 0, shift), pim], axis)
        e = _ops.concat([cut(e, 0, shift), pe], axis)
        shift *= 2
    re, im = S._times_power_of_two(re, e), S._times_power_of_two(im, e)
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
            return getattr(ns, name)(real(x), *args, dtype=cdt, device=device, **kwargs)
        rd = D.real_dtype_of(cdt)
        a = _split(x)[0]
        if name == "full_like":
            fill = complex(args[0] if args else kwargs["fill_value"])
            return _cx(ns.full_like(a, fill.real, dtype=rd), ns.full_like(a, fill.imag, dtype=rd))
        return _cx(getattr(ns, name)(a, dtype=rd), ns.zeros_like(a, dtype=rd))

    impl.__name__ = name
    return impl


def asarray(obj, /, *, dtype=None, device=None, copy=None):
    """``asarray`` of an array with a complex dtype on either side of a change of dtype: the
    complex ``astype``; everything else is the section's ``asarray``."""
    if isinstance(obj, Array) and dtype is not None:
        check_device(device, "asarray")
        dtype = D.as_dtype(dtype, "asarray")
        if dtype is not obj.dtype:
            if copy is False:
                raise ValueError("asarray: changing the dtype needs a copy, but copy=False")
            if _is_complex(obj) and dtype.kind != "c" and dtype is not D.bool:
                raise TypeError(f"asarray: casting {obj.dtype.name} to {dtype.name} discards "
                                "the imaginary part; take xp.real(x) first")
            return astype(obj, dtype)
    return _sections.asarray(obj, dtype=dtype, device=device, copy=copy)


def where(condition, x1, x2, /):
    ns = _ns()
    (a, b), (c, d) = _operand_pair(x1, x2, "where")
    return _cx(ns.where(condition, a, c), ns.where(condition, b, d))


_STRUCTURAL = ("broadcast_to", "concat", "expand_dims", "flip", "moveaxis",
               "permute_dims", "repeat", "reshape", "roll", "squeeze", "stack", "tile", "unstack",
               "take", "take_along_axis", "tril", "triu", "matrix_transpose", "diff")

IMPLS = {name: _lift(name) for name in _STRUCTURAL}
IMPLS.update({f.__name__: f for f in (
    add, subtract, multiply, divide, negative, positive, conj, real, imag, abs, equal,
    not_equal, isnan, isinf, isfinite, square, reciprocal, sign, pow, round, sum, mean, prod,
    cumulative_sum, cumulative_prod, matmul, tensordot, vecdot, astype, asarray,
    where,
    count_nonzero, nonzero)})
IMPLS.update(FUNCTIONS)
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
