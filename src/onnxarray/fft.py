"""The ``fft`` extension on ONNX ``DFT``.

Complex values already live in the graph as real tensors with a trailing dimension of 2, the
layout ``DFT`` reads and writes, so a transform along one axis is one ``DFT`` node (``rfft`` is
its one-sided form on a trailing dimension of 1). Inverse transforms use the forward one,
``ifft(z) = conj(fft(conj(z))) / n``: onnxruntime's inverse float64 ``DFT`` is accurate only to
about 1e-8. ``irfft`` rebuilds the full Hermitian spectrum (of a length known while recording: the
transformed axis's size, or ``n``). n-dimensional transforms apply the 1-D ones axis by axis.
"""

from __future__ import annotations

import numpy as np

from . import _api, _ops
from . import _dtypes as D
from ._array_object import Array, as_value, check_device
from ._complex_parts import complex_of, join, pack, parts, unpack
from ._graph import Dim, Value
from ._manipulation_functions import normalize_axes, roll, roll_at
from ._plans import planned

__all__ = ["fft", "fftfreq", "fftn", "fftshift", "hfft", "ifft", "ifftn", "ifftshift", "ihfft",
           "irfft", "irfftn", "rfft", "rfftfreq", "rfftn"]


def _freq_args(n, d, dtype, device, func: str):
    check_device(device, func)
    if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
        raise ValueError(f"{func}: n must be a positive int, got {n!r}")
    if isinstance(d, bool) or not isinstance(d, (int, float)):
        raise TypeError(f"{func}: d must be a number, got {d!r}")
    dtype = D.DEFAULT_FLOAT if dtype is None else D.as_dtype(dtype, func)
    if dtype.kind != "f":
        raise TypeError(f"{func}: needs a real floating-point dtype, got {dtype.name}")
    return dtype


def fftfreq(n: int, /, *, d: float = 1.0, dtype=None, device=None) -> Array:
    """Sample frequencies of ``fft`` for length ``n`` and spacing ``d``: a constant."""
    dtype = _freq_args(n, d, dtype, device, "fftfreq")
    k = np.concatenate([np.arange(0, (n - 1) // 2 + 1), np.arange(-(n // 2), 0)])
    return Array._new(_ops.const(k / (n * d), dtype))


def rfftfreq(n: int, /, *, d: float = 1.0, dtype=None, device=None) -> Array:
    """Sample frequencies of ``rfft`` for length ``n`` and spacing ``d``: a constant."""
    dtype = _freq_args(n, d, dtype, device, "rfftfreq")
    return Array._new(_ops.const(np.arange(0, n // 2 + 1) / (n * d), dtype))


def _shift(x: Array, axes, func: str, sign: int) -> Array:
    v = as_value(x, func)
    if v.dtype.kind not in "fc":
        raise TypeError(f"{func}: needs a floating-point dtype, got {v.dtype.name}")
    axes = normalize_axes(tuple(axes) if isinstance(axes, list) else axes, len(v.shape), func)
    if not axes:
        return x
    if not all(type(v.shape[a]) is int for a in axes):
        return Array._new(_shift_at_run_time(v, axes, sign))
    shifts = []
    for a in axes:
        n = v.shape[a]
        shifts.append(sign * (n // 2) if sign > 0 else -(n // 2))
    if v.dtype.kind == "c":
        return _ns().roll(x, tuple(shifts), axis=tuple(axes))
    return roll(x, tuple(shifts), axis=tuple(axes))


def _shift_at_run_time(v: Value, axes, sign: int) -> Value:
    """The shift of ``axes`` whose sizes the model reads when it runs: the elements from
    ``n - n // 2`` (``fftshift``) or ``n // 2`` (``ifftshift``) on move to the front."""
    if v.dtype.kind == "c":
        return join(*(_shift_at_run_time(p, axes, sign) for p in parts(v)))
    for a in axes:
        size = _ops.dim_of(v, a)
        half = _ops.binary("Div", size, _ops.i64([2]))
        v = roll_at(v, _ops.binary("Sub", size, half) if sign > 0 else half, a)
    return v


def fftshift(x: Array, /, *, axes=None) -> Array:
    """Move the zero frequency to the centre of ``axes`` (all when None): a ``roll``."""
    return _shift(x, axes, "fftshift", 1)


def ifftshift(x: Array, /, *, axes=None) -> Array:
    """Inverse of ``fftshift``: a ``roll`` the other way."""
    return _shift(x, axes, "ifftshift", -1)


# -- transforms ---------------------------------------------------------------------------------

_NORMS = ("backward", "ortho", "forward")
_SWAP = {"backward": "forward", "ortho": "ortho", "forward": "backward"}


def _ns():
    """The namespace's functions (complex dispatch and plans included)."""
    return _api


def _check_norm(norm, func: str) -> None:
    if norm not in _NORMS:
        raise ValueError(f"{func}: norm must be one of {_NORMS}, got {norm!r}")


def _axis_and_n(v: Value, axis, n, func: str) -> tuple[int, int | None]:
    if not v.shape:
        raise ValueError(f"{func}: needs an array with at least one dimension")
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise TypeError(f"{func}: axis must be an int, got {axis!r}")
    if not -len(v.shape) <= axis < len(v.shape):
        raise IndexError(f"{func}: axis {axis} is out of bounds for {len(v.shape)} dimensions")
    if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1):
        raise ValueError(f"{func}: n must be a positive int, got {n!r}")
    return axis % len(v.shape), n


def _complex_value(x, func: str) -> Value:
    v = as_value(x, func)
    if v.dtype.kind == "c":
        return v
    if v.dtype.kind != "f":
        raise TypeError(f"{func}: needs a floating-point dtype, got {v.dtype.name}")
    return join(*parts(v))


def _real_value(x, func: str) -> Value:
    v = as_value(x, func)
    if v.dtype.kind != "f":
        raise TypeError(f"{func}: needs a real floating-point dtype, got {v.dtype.name}")
    return v


# A float64 transform's sums reach n·max|x| and overflow to inf - inf = NaN where the true
# result is finite or a signed infinity. Signals whose largest magnitude over the transformed
# axes is at least _BIG are transformed scaled by 2**-64 and the result scaled back by 2**64
# (powers of two: exact, and enough for any n < 2**62); every other signal is multiplied by 1,
# so its result is the plain transform's, bit for bit. The rule does not depend on n, so eager
# and exported transforms (n known or not) take the same path. An n-dimensional transform has
# one scale for all its axes: scaled axis by axis, a first pass could round to inf and the next
# meet inf - inf.
_BIG = 2.0 ** 959


def _overflow_guard(src: Value, axes: list[int]) -> tuple[Value, Value]:
    """(``src`` scaled down where its magnitude could overflow the transform along ``axes``,
    the factor that scales the transform back); ``src`` in the real layout DFT reads (a complex
    Value's graph tensor has a trailing dimension of 2), the factor shaped to broadcast
    against it."""
    real = D.float64
    shape = tuple(src.shape) + ((2,) if src.dtype.kind == "c" else ())
    mag = _ops.bind("Abs", [src], [real], lambda: [shape])[0]
    peak = _ops.reduce("ReduceMax", mag, [*axes, len(shape) - 1], True)
    big = _ops.binary("GreaterOrEqual", peak, _ops.const(_BIG, real), D.bool)
    one = _ops.const(1.0, real)
    down = _ops.where(big, _ops.const(2.0 ** -64, real), one)
    up = _ops.where(big, _ops.const(2.0 ** 64, real), one)
    return _ops.bind("Mul", [src, down], [src.dtype], lambda: [src.shape])[0], up


def _guarded(v: Value, axes: list[int]) -> tuple[Value, Value]:
    """The complex or real float64 ``v`` scaled by ``_overflow_guard`` over ``axes``, and the
    factor (shaped for the pair layout of the complex result)."""
    if v.dtype.kind == "c":
        if v.data is None:
            return _overflow_guard(v, axes)
        packed, up = _overflow_guard(_ops.const(pack(v.data), D.float64), axes)
        return _ops.const(unpack(packed.data), v.dtype), up
    src, up = _overflow_guard(_ops.unsqueeze(v, [len(v.shape)]), axes)
    return _ops.squeeze(src, [len(v.shape)]), up


def _pair_binary(op: str, v: Value, other: Value) -> Value:
    """``op`` between each part of the complex ``v`` and the real ``other`` (which broadcasts
    against the (real, imaginary) layout, a trailing dimension of 2): one node, where the
    complex form of the operation would be a dozen (and, for a division, Smith's algorithm
    where a real divisor needs none)."""
    real = D.real_dtype_of(v.dtype)
    if v.data is not None and other.data is not None:  # eager: the node runs on packed data
        packed = _ops.const(pack(v.data), real)
        out = _ops.bind(op, [packed, other], [real], lambda: [packed.shape])[0]
        return _ops.const(unpack(out.data), v.dtype)
    return _ops.bind(op, [v, other], [v.dtype], lambda: [v.shape])[0]


def _conj(v: Value) -> Value:
    """The conjugate of the complex ``v``: its pair times (1, -1), exactly the negated imaginary
    part (a NaN keeps its sign bit: NaNs spread over the whole transform anyway)."""
    return _pair_binary("Mul", v, _ops.const([1.0, -1.0], D.real_dtype_of(v.dtype)))


def _scaled_back(out: Array, up: Value | None) -> Array:
    """The transform ``out`` (normalised already: 1/n first keeps an inverse transform finite)
    multiplied by the factor of ``_overflow_guard``; None: no guard was needed."""
    if up is None:
        return out
    return Array._new(_pair_binary("Mul", out._v, up))


def _dft(v: Value, axis: int, n: int | None, onesided: bool, guard: bool = True
         ) -> tuple[Value, Value | None]:
    """One forward ``DFT`` along ``axis``: ``v`` complex, or real when ``onesided``; with the
    factor that scales it back (see ``_overflow_guard``; None for float32 input, whose
    magnitudes cannot overflow the float64 transform it runs in)."""
    real = D.real_dtype_of(v.dtype)
    if n:
        v = _first(v, axis, n)
    if n and v.shape[axis] == 0 and v.data is not None:
        # the empty signal zero-padded to length n is all zeros (onnxruntime's DFT takes no
        # empty signal: the padded one is given instead)
        v = _ops.const(np.zeros(v.shape[:axis] + (n,) + v.shape[axis + 1:], v.dtype.numpy),
                       v.dtype)
    elif n and (type(v.shape[axis]) is not int or v.shape[axis] == 0):
        v = _one_more_zero(v, axis)
    if real is D.float32:
        # onnxruntime's float32 DFT accumulates in float32: 1e-6 to 1e-4 relative error for
        # lengths that are not powers of two (NumPy's float32 transforms: 1e-7). The float64
        # transform rounded to float32 is accurate to a few float32 ulps.
        ns = _ns()
        wide = ns.astype(Array._new(v), D.complex128 if v.dtype.kind == "c" else D.float64)
        # no guard: float32 magnitudes cannot overflow the float64 transform (an infinity
        # cut off by n scaled the rest by 2**-64, its factor dropped)
        out, _ = _dft(wide._v, axis, n, onesided, guard=False)
        return ns.astype(Array._new(out), D.complex64)._v, None
    size = v.shape[axis] if n is None else n
    out_len = size // 2 + 1 if (onesided and type(size) is int) else size
    if onesided and type(size) is not int:
        out_len = None
    out_shape = v.shape[:axis] + (Dim() if out_len is None else out_len,) + v.shape[axis + 1:]
    attrs = (("axis", axis), ("inverse", 0), ("onesided", int(onesided)))
    extra = [] if n is None else [_ops.i64(n)]
    check = None
    if n is None and onesided and type(v.shape[axis]) is not int and v.data is None:
        # a signal empty at run time has no one-sided transform (eagerly: rfft's ValueError):
        # a check that fails the model in a named node, added to the axis the signal gains
        # below (as a DFT length known only at run time, it made onnxruntime 1.32 infer the
        # one-sided result's shape as the signal's, and reuse a buffer of the wrong size)
        check = _ops.check_nonzero(_ops.dim_of(v, axis),
                                   f"rfft: the transformed axis {axis} is empty")
    cdt = complex_of(real)
    if v.data is not None:  # eager: the nodes run on the packed data
        data = v.data[..., None] if onesided else pack(v.data)
        packed, up = _overflow_guard(_ops.const(data, real), [axis]) if guard else \
            (_ops.const(data, real), None)
        out = _ops.bind("DFT", [packed, *extra], [real], lambda: [out_shape + (2,)], attrs)[0]
        return _ops.const(unpack(out.data), cdt), up
    if check is not None:
        last = _ops.binary("Add", _ops.i64([len(v.shape)]), check)
        src = _ops.bind("Unsqueeze", [v, last], [v.dtype], lambda: [v.shape + (1,)])[0]
    else:
        src = _ops.unsqueeze(v, [len(v.shape)]) if onesided else v
    src, up = _overflow_guard(src, [axis]) if guard else (src, None)
    return _ops.bind("DFT", [src, *extra], [cdt], lambda: [out_shape], attrs)[0], up


def _first(v: Value, axis: int, n: int) -> Value:
    """The first ``n`` elements of ``v`` along ``axis`` (all when fewer): the signal the DFT
    cuts to ``n``, cut before the overflow guard looks at it (a huge value cut off would scale
    the rest down by 2**-64, and values below 2**-958 lose bits as subnormals)."""
    m = v.shape[axis]
    if type(m) is int and m <= n:
        return v
    if v.data is not None:
        return _ops.const(np.ascontiguousarray(np.take(v.data, np.arange(n), axis=axis)),
                          v.dtype)
    shape = v.shape[:axis] + (n if type(m) is int else Dim(),) + v.shape[axis + 1:]
    return _ops.slice_(v, [0], [n], [axis], [1], shape)


def _one_more_zero(v: Value, axis: int) -> Value:
    """The symbolic ``v`` with one zero appended along ``axis``: a signal whose length is known
    only when the model runs may be empty then, and onnxruntime's DFT takes no empty signal. The
    DFT cuts or zero-pads its input to ``n`` anyway, so one more zero changes no bit of the
    result (the padded signal is the same), and the transform runs at every length."""
    m = v.shape[axis]
    shape = v.shape[:axis] + (m + 1 if type(m) is int else Dim(),) + v.shape[axis + 1:]
    pads = _ops.i64([0, 1])
    return _ops.bind("Pad", [v, pads, None, _ops.i64([axis])], [v.dtype], lambda: [shape])[0]


def _scaled(z: Array, size, norm: str, forward: bool, axis: int | None = None,
            of: Value | None = None) -> Array:
    """``z`` scaled by 1/sqrt(n) ("ortho") or 1/n (where ``norm`` puts it on this direction);
    ``size`` is the transform length n, or None for the run-time length of ``axis`` of ``of``
    (default z). Both parts of a complex ``z`` are divided by the real n."""
    ns = _ns()
    if norm != "ortho" and (norm == "forward") != forward:
        return z
    real = D.real_dtype_of(z.dtype)
    # The same operations whether n is known or not, so eager and exported results agree.
    n = _ops.const([size], real) if type(size) is int else _ops.cast(
        _ops.dim_of(z._v if of is None else of, axis), real)
    n = ns.sqrt(Array._new(n))._v if norm == "ortho" else n
    if z.dtype.kind == "c":
        return Array._new(_pair_binary("Div", z._v, n))
    return ns.divide(z, Array._new(n))


def _fft1(v: Value, axis: int, n, norm: str, inverse: bool, guard: bool = True) -> Array:
    """``ifft(z) = conj(fft(conj(z))) / n``, on the (real, imaginary) pairs."""
    if inverse:
        v = _conj(v)
    out, up = _dft(v, axis, n, False, guard)
    if inverse:
        out = _conj(out)
    size = out.shape[axis]
    return _scaled_back(_scaled(Array._new(out), size if type(size) is int else None, norm,
                                not inverse, axis), up)


def fft(x: Array, /, *, n=None, axis: int = -1, norm: str = "backward") -> Array:
    """One-dimensional discrete Fourier transform (one ONNX ``DFT``)."""
    _check_norm(norm, "fft")
    v = _complex_value(x, "fft")
    axis, n = _axis_and_n(v, axis, n, "fft")
    return _fft1(v, axis, n, norm, inverse=False)


def ifft(x: Array, /, *, n=None, axis: int = -1, norm: str = "backward") -> Array:
    """Inverse one-dimensional transform: ``conj(fft(conj(x)))`` scaled by the norm."""
    _check_norm(norm, "ifft")
    v = _complex_value(x, "ifft")
    axis, n = _axis_and_n(v, axis, n, "ifft")
    return _fft1(v, axis, n, norm, inverse=True)


def rfft(x: Array, /, *, n=None, axis: int = -1, norm: str = "backward") -> Array:
    """Transform of real input, non-negative frequencies only (one-sided ONNX ``DFT``)."""
    _check_norm(norm, "rfft")
    v = _real_value(x, "rfft")
    axis, n = _axis_and_n(v, axis, n, "rfft")
    return _rfft1(v, axis, n, norm)


def _rfft1(v: Value, axis: int, n, norm: str, guard: bool = True) -> Array:
    if v.shape[axis] == 0 and n is None:  # no length to transform to
        raise ValueError(f"rfft: the transformed axis {axis} is empty")
    out, up = _dft(v, axis, n, True, guard)
    out = Array._new(out)
    size = v.shape[axis] if n is None else n
    if type(size) is not int:  # the run-time length of the input axis
        if norm == "backward":
            return _scaled_back(out, up)
        return _scaled_back(_scaled(out, None, norm, True, axis, of=v), up)
    return _scaled_back(_scaled(out, size, norm, True), up)


def irfft(x: Array, /, *, n=None, axis: int = -1, norm: str = "backward") -> Array:
    """Inverse of ``rfft``: the Hermitian spectrum is completed, transformed back, and its real
    part returned (the imaginary parts of the zero and Nyquist terms are ignored)."""
    _check_norm(norm, "irfft")
    v = _complex_value(x, "irfft")
    axis, n = _axis_and_n(v, axis, n, "irfft")
    return _irfft1(v, axis, n, norm)


def _irfft1(v: Value, axis: int, n, norm: str, guard: bool = True) -> Array:
    m = v.shape[axis]
    if type(m) is not int and n is None:
        raise ValueError("irfft: the length of the transformed axis must be known, or n given")
    n = 2 * (m - 1) if n is None else n
    if n < 1:
        raise ValueError(f"irfft: the output length must be positive, got {n}")
    z = _real_ends(_fit(Array._new(v), axis, n // 2 + 1), axis, n)
    # The spectrum completed to length n is full = [z, flip(conj(z[1:(n+1)//2]))], and
    # real(ifft(full)) = real(fft(conj(full))) / n with conj(full) = [conj(z), flip(z[1:...])].
    src = _conj(z._v)
    k = (n + 1) // 2
    if k > 1:
        src = _pair_concat([src, _reversed_run(z._v, axis, k)], axis)
    out, up = _dft(src, axis, None, False, guard)
    re = _scaled(Array._new(parts(out)[0]), n, norm, False)
    return _real_scaled_back(re, up)


def _real_scaled_back(re: Array, up: Value | None) -> Array:
    """The real result ``re`` times the guard's factor (which has the trailing axis of the
    pair layout; the real result has none)."""
    if up is None:
        return re
    return Array._new(_ops.binary("Mul", re._v, _ops.squeeze(up, [len(up.shape) - 1])))


def _real_ends(z: Array, axis: int, n: int) -> Array:
    """``z`` with zero imaginary parts at the zero frequency and, for an even ``n``, at the
    Nyquist frequency: a Hermitian spectrum has none there, and NumPy ignores them whatever
    they hold. Left in, they leak through the transform's inexact sin(pi k) (an imaginary part
    of 1e300 at the Nyquist term gave +-3e283 where the result is -0.5) or spread a NaN.
    One ``Where`` on the (real, imaginary) pairs; every other part keeps its bits, a -0.0
    included."""
    v = z._v
    m = n // 2 + 1
    drop = np.zeros((m, 2), bool)
    drop[0, 1] = True
    if n % 2 == 0:
        drop[-1, 1] = True
    drop = _ops.const(drop.reshape((m,) + (1,) * (len(v.shape) - 1 - axis) + (2,)), D.bool)
    real = D.real_dtype_of(v.dtype)
    zero = _ops.const(0.0, real)
    # Where(drop, 0, z), not Where(keep, z, 0): onnxruntime's Where of these shapes keeps the
    # sign of a -0.0 of its second value input only (_ort_compat.where_keeps_sign_of)
    if v.data is not None:  # eager: the node runs on packed data
        packed = _ops.const(pack(v.data), real)
        out = _ops.bind("Where", [drop, zero, packed], [real], lambda: [packed.shape])[0]
        return Array._new(_ops.const(unpack(out.data), v.dtype))
    return Array._new(_ops.bind("Where", [drop, zero, v], [v.dtype], lambda: [v.shape])[0])


def _reversed_run(v: Value, axis: int, k: int) -> Value:
    """Elements ``k - 1`` down to 1 along ``axis`` of the complex ``v`` (``flip(v[1:k])``):
    one Slice of its pairs."""
    if v.data is not None:
        idx = [slice(None)] * len(v.shape)
        idx[axis] = slice(k - 1, 0, -1)
        return _ops.const(np.ascontiguousarray(v.data[tuple(idx)]), v.dtype)
    shape = v.shape[:axis] + (k - 1,) + v.shape[axis + 1:]
    return _ops.slice_(v, [k - 1], [0], [axis], [-1], shape)


def _pair_concat(values: list, axis: int) -> Value:
    """The complex Values joined along ``axis`` (non-negative: the pairs' axis stays last)."""
    if all(v.data is not None for v in values):
        return _ops.const(np.concatenate([v.data for v in values], axis=axis),
                          values[0].dtype)
    return _ops.concat(values, axis)


def _fit(z: Array, axis: int, length: int) -> Array:
    """``z`` cut or zero-padded to ``length`` along ``axis``."""
    ns = _ns()
    m = z._v.shape[axis]
    if type(m) is not int:  # cut to at most ``length``, then padded by what is missing
        return Array._new(_fit_at_run_time(z._v, axis, length))
    if m == length:
        return z
    idx = [slice(None)] * len(z._v.shape)
    if m >= length:
        idx[axis] = slice(0, length)
        return z[tuple(idx)]
    shape = list(z._v.shape)
    shape[axis] = length - m
    if _ops.is_static(shape):
        return ns.concat([z, ns.zeros(tuple(shape), dtype=z.dtype)], axis=axis)
    shape[axis] = length  # symbolic sizes on the other axes: one Pad by the known amount
    return Array._new(_ops.bind("Pad", [z._v, _ops.i64([0, length - m]), None,
                                        _ops.i64([axis])], [z.dtype], lambda: [tuple(shape)])[0])


def _fit_at_run_time(v: Value, axis: int, length: int) -> Value:
    if v.dtype.kind == "c":
        return join(*(_fit_at_run_time(p, axis, length) for p in parts(v)))
    shape = list(v.shape)
    shape[axis] = Dim()
    cut = _ops.slice_(v, [0], [length], [axis], [1], tuple(shape))
    missing = _ops.binary("Sub", _ops.i64([length]), _ops.dim_of(cut, axis))
    shape[axis] = length
    pads = _ops.concat([_ops.i64([0]), missing], 0)
    return _ops.bind("Pad", [cut, pads, None, _ops.i64([axis])], [v.dtype],
                     lambda: [tuple(shape)])[0]


def hfft(x: Array, /, *, n=None, axis: int = -1, norm: str = "backward") -> Array:
    """Transform of a Hermitian-symmetric signal: ``irfft(conj(x))`` with the norm swapped."""
    _check_norm(norm, "hfft")
    v = _complex_value(x, "hfft")
    return irfft(_ns().conj(Array._new(v)), n=n, axis=axis, norm=_SWAP[norm])


def ihfft(x: Array, /, *, n=None, axis: int = -1, norm: str = "backward") -> Array:
    """Inverse of ``hfft``: ``conj(rfft(x))`` with the norm swapped."""
    _check_norm(norm, "ihfft")
    return _ns().conj(rfft(x, n=n, axis=axis, norm=_SWAP[norm]))


def _axes_and_sizes(v: Value, s, axes, func: str):
    ndim = len(v.shape)
    if axes is None:
        axes = tuple(range(ndim)) if s is None else tuple(range(ndim - len(s), ndim))
    axes = tuple(axes)
    norm_axes = normalize_axes(axes, ndim, func, scalar_axis=False)
    if s is None:
        s = (None,) * len(axes)
    s = tuple(s)
    if len(s) != len(axes):
        raise ValueError(f"{func}: s and axes must have the same length")
    if len(set(norm_axes)) != len(norm_axes):
        raise ValueError(f"{func}: repeated axes {axes}")
    return [a % ndim for a in axes], [None if d == -1 else d for d in s]


def _nd(x, s, axes, norm: str, func: str) -> Array:
    """The n-dimensional transform ``func``: 1-D transforms axis by axis (rfftn's ``rfft``
    first, irfftn's ``irfft`` last), under one overflow guard for all axes. float32 signals
    are transformed in float64 and rounded once at the end (rounded after each pass, a sum
    beyond the float32 maximum became inf and the next pass inf - inf)."""
    _check_norm(norm, func)
    v = _real_value(x, func) if func == "rfftn" else _complex_value(x, func)
    axes_, sizes = _axes_and_sizes(v, s, axes, func)
    if not axes_:
        if func in ("rfftn", "irfftn"):
            raise ValueError(f"{func}: needs at least one axis")
        return Array._new(v)
    single = D.real_dtype_of(v.dtype) is D.float32
    if single:
        v = _ns().astype(Array._new(v), D.float64 if v.dtype.kind == "f" else D.complex128)._v
    for a, n in zip(axes_, sizes):  # the guard looks at the signal the transform sees
        if n is not None:
            v = _first(v, a, n // 2 + 1 if func == "irfftn" and a == axes_[-1] else n)
    v, up = _guarded(v, axes_)
    z, pairs = v, list(zip(axes_, sizes))
    if func == "rfftn":
        z = _rfft1(z, *pairs.pop(), norm, guard=False)._v
    last = pairs.pop() if func == "irfftn" else None
    for a, n in pairs:
        z = _fft1(z, a, n, norm, inverse=func in ("ifftn", "irfftn"), guard=False)._v
    if last is not None:
        out = _real_scaled_back(_irfft1(z, *last, norm, guard=False), up)
    else:
        out = _scaled_back(Array._new(z), up)
    if single:
        return _ns().astype(out, D.float32 if func == "irfftn" else D.complex64)
    return out


def fftn(x: Array, /, *, s=None, axes=None, norm: str = "backward") -> Array:
    """n-dimensional transform: ``fft`` along each of ``axes``."""
    return _nd(x, s, axes, norm, "fftn")


def ifftn(x: Array, /, *, s=None, axes=None, norm: str = "backward") -> Array:
    """Inverse n-dimensional transform: ``ifft`` along each of ``axes``."""
    return _nd(x, s, axes, norm, "ifftn")


def rfftn(x: Array, /, *, s=None, axes=None, norm: str = "backward") -> Array:
    """``rfft`` along the last of ``axes``, then ``fft`` along the others."""
    return _nd(x, s, axes, norm, "rfftn")


def irfftn(x: Array, /, *, s=None, axes=None, norm: str = "backward") -> Array:
    """``ifft`` along all but the last of ``axes``, then ``irfft`` along the last."""
    return _nd(x, s, axes, norm, "irfftn")


# Repeated concrete calls of a signature run as one compiled session (see _plans): a transform
# is several nodes (the Hermitian rebuild of irfft, the conjugations of the inverses), which op
# by op would be as many onnxruntime runs. Nested calls on symbolic values record inline.
fft = planned(fft)
ifft = planned(ifft)
rfft = planned(rfft)
irfft = planned(irfft)
hfft = planned(hfft)
ihfft = planned(ihfft)
fftn = planned(fftn)
ifftn = planned(ifftn)
rfftn = planned(rfftn)
irfftn = planned(irfftn)
fftshift = planned(fftshift)
ifftshift = planned(ifftshift)
