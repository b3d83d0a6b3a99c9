"""Placeholder for __array_namespace_info__ (being written)."""


def __array_namespace_info__():
    raise NotImplementedError("__array_namespace_info__ is not implemented yet")
