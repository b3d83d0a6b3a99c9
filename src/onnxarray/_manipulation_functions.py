"""Placeholder for the manipulation functions section (being written)."""

from __future__ import annotations

__all__ = ["broadcast_arrays", "broadcast_shapes", "broadcast_to", "concat", "expand_dims", "flip", "moveaxis", "permute_dims", "repeat", "reshape", "roll", "squeeze", "stack", "tile", "unstack"]


def _todo(name):
    def f(*args, **kwargs):
        raise NotImplementedError(f"{name} is not implemented yet")

    f.__name__ = name
    return f


broadcast_arrays = _todo("broadcast_arrays")
broadcast_shapes = _todo("broadcast_shapes")
broadcast_to = _todo("broadcast_to")
concat = _todo("concat")
expand_dims = _todo("expand_dims")
flip = _todo("flip")
moveaxis = _todo("moveaxis")
permute_dims = _todo("permute_dims")
repeat = _todo("repeat")
reshape = _todo("reshape")
roll = _todo("roll")
squeeze = _todo("squeeze")
stack = _todo("stack")
tile = _todo("tile")
unstack = _todo("unstack")
