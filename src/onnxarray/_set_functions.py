"""Placeholder for the set functions section (being written)."""

from __future__ import annotations

__all__ = ["isin", "unique_all", "unique_counts", "unique_inverse", "unique_values"]


def _todo(name):
    def f(*args, **kwargs):
        raise NotImplementedError(f"{name} is not implemented yet")

    f.__name__ = name
    return f


isin = _todo("isin")
unique_all = _todo("unique_all")
unique_counts = _todo("unique_counts")
unique_inverse = _todo("unique_inverse")
unique_values = _todo("unique_values")
