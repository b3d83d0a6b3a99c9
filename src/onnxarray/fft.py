"""The ``fft`` extension, in progress.

Present: the frequency and shift helpers, which need no complex arithmetic. The transforms
(fft, ifft, fftn, ifftn, rfft, irfft, rfftn, irfftn, hfft, ihfft) need complex dtypes, which
are not supported yet.
"""

from __future__ import annotations

import numpy as np

from . import _dtypes as D
from . import _ops
from ._array_object import Array, as_value
from ._creation_functions import check_device
from ._manipulation_functions import normalize_axes, roll

__all__ = ["fftfreq", "fftshift", "ifftshift", "rfftfreq"]


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
    dtype = _freq_args(n, d, dtype, device, "fftfreq")
    k = np.concatenate([np.arange(0, (n - 1) // 2 + 1), np.arange(-(n // 2), 0)])
    return Array._new(_ops.const(k / (n * d), dtype))


def rfftfreq(n: int, /, *, d: float = 1.0, dtype=None, device=None) -> Array:
    dtype = _freq_args(n, d, dtype, device, "rfftfreq")
    return Array._new(_ops.const(np.arange(0, n // 2 + 1) / (n * d), dtype))


def _shift(x: Array, axes, func: str, sign: int) -> Array:
    v = as_value(x, func)
    if v.dtype.kind != "f":
        raise TypeError(f"{func}: needs a floating-point dtype, got {v.dtype.name}")
    axes = normalize_axes(axes, len(v.shape), func)
    if not axes:
        return x
    shifts = []
    for a in axes:
        n = v.shape[a]
        if type(n) is not int:
            raise ValueError(f"{func}: the size of axis {a} must be known")
        shifts.append(sign * (n // 2) if sign > 0 else -(n // 2))
    return roll(x, tuple(shifts), axis=tuple(axes))


def fftshift(x: Array, /, *, axes=None) -> Array:
    return _shift(x, axes, "fftshift", 1)


def ifftshift(x: Array, /, *, axes=None) -> Array:
    return _shift(x, axes, "ifftshift", -1)
