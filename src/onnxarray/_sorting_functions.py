"""Placeholder for the sorting functions section (being written)."""

from __future__ import annotations

__all__ = ["argsort", "sort"]


def _todo(name):
    def f(*args, **kwargs):
        raise NotImplementedError(f"{name} is not implemented yet")

    f.__name__ = name
    return f


argsort = _todo("argsort")
sort = _todo("sort")
