"""``__array_namespace_info__``: what this library supports, per the inspection API."""

from __future__ import annotations

from . import _dtypes as D
from ._array_object import CPU

__all__ = ["__array_namespace_info__"]


class _Devices(tuple):
    """A tuple, as ``devices()`` returns since 2025.12, that also concatenates with a list:
    code written for earlier versions (which returned a list) does ``devices() + [None]``."""

    __slots__ = ()

    def __add__(self, other):
        return _Devices(tuple(self) + tuple(other))

    def __radd__(self, other):
        return type(other)(other) + list(self) if isinstance(other, list) else \
            _Devices(tuple(other) + tuple(self))


class Info:
    """The namespace inspection object of the standard."""

    __slots__ = ()

    def capabilities(self) -> dict:
        """Boolean indexing and data-dependent shapes are supported; up to 32 dimensions."""
        return {"boolean indexing": True, "data-dependent shapes": True,
                "max dimensions": 32}

    def default_device(self):
        """The only device, the CPU."""
        return CPU

    def devices(self) -> tuple:
        """The supported devices, as a tuple (the return type since 2025.12; a list before):
        only the CPU."""
        return _Devices((CPU,))

    def default_dtypes(self, *, device=None) -> dict:
        """The defaults: float64, complex128, int64, and int64 for indexing."""
        _check(device)
        # Complex dtypes are not supported yet; the key is required, so name the default the
        # standard prescribes for when they are.
        return {"real floating": D.float64, "complex floating": D.complex128,
                "integral": D.int64, "indexing": D.int64}

    def dtypes(self, *, device=None, kind=None) -> dict:
        """The supported dtypes by name; only those of ``kind`` when given (as in ``isdtype``)."""
        _check(device)
        supported = {d.name: d for d in D.SUPPORTED}
        if kind is None:
            return supported
        kinds = kind if isinstance(kind, tuple) else (kind,)
        out = {}
        for k in kinds:
            if isinstance(k, D.DType):
                if k in D.SUPPORTED:
                    out[k.name] = k
                continue
            if k not in D.CATEGORIES or k in ("all", "integer"):
                raise ValueError(f"dtypes: unknown kind {k!r}")
            out.update({d.name: d for d in D.CATEGORIES[k] if d in D.SUPPORTED})
        return out


def _check(device) -> None:
    if device is not None and device != CPU:
        raise ValueError(f"__array_namespace_info__: unknown device {device!r}")


def __array_namespace_info__() -> Info:
    """The inspection object of the standard: capabilities, devices and dtypes."""
    return Info()
