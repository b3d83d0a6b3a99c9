"""Exported models at batch sizes 0 and 1.

A symbolic size is assumed to be at least 1 while recording, so code that branches on it takes
the branch for a non-empty batch. For every entry of the parity table, the model exported with
dynamic sizes runs on the same inputs cut down to a batch of 0 and of 1 along the leading axis:
it must give the eager result bit for bit (and eager must agree with array-api-strict), or, where
eager rejects the inputs, the model must fail when it runs. A wrong result is never acceptable.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from onnxruntime.capi.onnxruntime_pybind11_state import Fail, InvalidArgument, RuntimeException
from parity import check, export, run_model, to_onnxarray
from test_parity_all import TABLE

import onnxarray as oxp

ENTRIES = [e for e in TABLE if e[3].get("exported", True) and e[3].get("dynamic", True)]
# The errors onnxruntime raises when a model refuses its inputs while running.
RUNTIME_ERRORS = (Fail, InvalidArgument, RuntimeException)


def batch(arrays: list[np.ndarray], k: int) -> list[np.ndarray] | None:
    """``arrays`` with the leading axis of the first one cut to ``k``, and of every other array of
    the same rank and leading size (those that share its batch). None when the first is 0-d."""
    first = arrays[0]
    if first.ndim == 0:
        return None
    n = first.shape[0]
    return [a[:k] if a.ndim == first.ndim and a.shape[0] == n else a for a in arrays]


def _eager_error(fn, arrays) -> Exception | None:
    try:
        fn(oxp, *[to_onnxarray(a) for a in arrays])
    except (TypeError, ValueError, IndexError) as e:
        return e
    return None


@pytest.mark.parametrize("name,fn,strategy,kw", ENTRIES, ids=[e[0] for e in ENTRIES])
def test_batch_of_0_and_1(name, fn, strategy, kw):
    @settings(max_examples=max(3, settings().max_examples // 5))
    @given(strategy)
    def run(arrays):
        arrays = [np.asarray(a) for a in arrays]
        model = export(fn, *arrays)
        for k in (0, 1):
            cut = batch(arrays, k)
            if cut is None:
                continue
            if _eager_error(fn, cut) is None:
                check(fn, *cut, **kw)  # eager == plan == exported (bits) ~ array-api-strict
            else:
                feeds = {f"x{i}": a for i, a in enumerate(cut)}
                with pytest.raises(RUNTIME_ERRORS):
                    run_model(model, feeds)

    run()
