"""The sign bit of a float, recorded as one private ``SignBit`` node.

Its ONNX form depends on the target opset (``_opset_forms``): from opset 26, ``BitCast`` reads
the bit itself, NaNs included; below, ``x < 0 or (x == 0 and 1 / x < 0)`` reports False for
every NaN. Eager sessions and plans run at ``_executor.eager_opset()``: 26 where the installed
onnx and onnxruntime have ``BitCast``, so eager results equal models built at opset >= 26.
"""

from __future__ import annotations

from . import _dtypes as D
from . import _ops
from ._graph import Value
from ._opset_forms import PRIVATE_DOMAIN

__all__ = ["signbit"]


def signbit(v: Value) -> Value:
    """Whether the sign bit of float ``v`` is set, elementwise (a bool Value)."""
    return _ops.bind("SignBit", [v], [D.bool], lambda: [v.shape], domain=PRIVATE_DOMAIN)[0]
