"""Placeholder for the statistical functions section (being written)."""

from __future__ import annotations

__all__ = ["cumulative_sum", "cumulative_prod", "max", "mean", "min", "prod", "std", "sum", "var"]


def _todo(name):
    def f(*args, **kwargs):
        raise NotImplementedError(f"{name} is not implemented yet")

    f.__name__ = name
    return f


cumulative_sum = _todo("cumulative_sum")
cumulative_prod = _todo("cumulative_prod")
max = _todo("max")
mean = _todo("mean")
min = _todo("min")
prod = _todo("prod")
std = _todo("std")
sum = _todo("sum")
var = _todo("var")
