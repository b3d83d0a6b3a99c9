"""Placeholder for the indexing functions section (being written)."""

from __future__ import annotations

__all__ = ["take", "take_along_axis"]


def _todo(name):
    def f(*args, **kwargs):
        raise NotImplementedError(f"{name} is not implemented yet")

    f.__name__ = name
    return f


take = _todo("take")
take_along_axis = _todo("take_along_axis")
