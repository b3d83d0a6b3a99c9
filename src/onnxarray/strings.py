"""String functions beyond the standard, with ``numpy.strings`` names where ONNX can do them."""

from __future__ import annotations

__all__: list[str] = []
