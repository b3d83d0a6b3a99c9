"""Placeholder for the utility functions section (being written)."""

from __future__ import annotations

__all__ = ["all", "any", "diff"]


def _todo(name):
    def f(*args, **kwargs):
        raise NotImplementedError(f"{name} is not implemented yet")

    f.__name__ = name
    return f


all = _todo("all")
any = _todo("any")
diff = _todo("diff")
