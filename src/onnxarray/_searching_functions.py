"""Placeholder for the searching functions section (being written)."""

from __future__ import annotations

__all__ = ["argmax", "argmin", "count_nonzero", "nonzero", "searchsorted", "where"]


def _todo(name):
    def f(*args, **kwargs):
        raise NotImplementedError(f"{name} is not implemented yet")

    f.__name__ = name
    return f


argmax = _todo("argmax")
argmin = _todo("argmin")
count_nonzero = _todo("count_nonzero")
nonzero = _todo("nonzero")
searchsorted = _todo("searchsorted")
where = _todo("where")
