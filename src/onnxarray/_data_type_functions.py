"""Placeholder for the data type functions section (being written)."""

from __future__ import annotations

__all__ = ["astype", "can_cast", "finfo", "iinfo", "isdtype", "result_type"]


def _todo(name):
    def f(*args, **kwargs):
        raise NotImplementedError(f"{name} is not implemented yet")

    f.__name__ = name
    return f


astype = _todo("astype")
can_cast = _todo("can_cast")
finfo = _todo("finfo")
iinfo = _todo("iinfo")
isdtype = _todo("isdtype")
result_type = _todo("result_type")
