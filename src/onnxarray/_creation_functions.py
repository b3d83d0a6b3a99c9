"""Placeholder for the creation functions section (being written)."""

from __future__ import annotations

__all__ = ["arange", "asarray", "empty", "empty_like", "eye", "from_dlpack", "full", "full_like", "linspace", "meshgrid", "ones", "ones_like", "tril", "triu", "zeros", "zeros_like"]


def _todo(name):
    def f(*args, **kwargs):
        raise NotImplementedError(f"{name} is not implemented yet")

    f.__name__ = name
    return f


arange = _todo("arange")
asarray = _todo("asarray")
empty = _todo("empty")
empty_like = _todo("empty_like")
eye = _todo("eye")
from_dlpack = _todo("from_dlpack")
full = _todo("full")
full_like = _todo("full_like")
linspace = _todo("linspace")
meshgrid = _todo("meshgrid")
ones = _todo("ones")
ones_like = _todo("ones_like")
tril = _todo("tril")
triu = _todo("triu")
zeros = _todo("zeros")
zeros_like = _todo("zeros_like")
