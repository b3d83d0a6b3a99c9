"""Placeholder for the linear algebra functions section (being written)."""

from __future__ import annotations

__all__ = ["matmul", "matrix_transpose", "tensordot", "vecdot"]


def _todo(name):
    def f(*args, **kwargs):
        raise NotImplementedError(f"{name} is not implemented yet")

    f.__name__ = name
    return f


matmul = _todo("matmul")
matrix_transpose = _todo("matrix_transpose")
tensordot = _todo("tensordot")
vecdot = _todo("vecdot")
