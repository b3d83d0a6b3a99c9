"""The namespace as a whole: names, version, and recognition by array-api-compat."""

import array_api_compat
import numpy as np
from parity import to_onnxarray

import onnxarray as xp


def test_version_and_names():
    assert xp.__array_api_version__ == "2025.12"
    for name in xp.__all__:
        assert hasattr(xp, name), name


def test_array_api_compat_recognises_both_kinds():
    concrete = to_onnxarray(np.ones(3))
    symbolic = xp.argument(shape=("N",), dtype=xp.float32)
    assert array_api_compat.array_namespace(concrete) is xp
    assert array_api_compat.array_namespace(symbolic) is xp
    assert array_api_compat.array_namespace(concrete, symbolic) is xp
    assert concrete.__array_namespace__() is xp
