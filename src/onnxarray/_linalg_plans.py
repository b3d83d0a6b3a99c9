"""Eager linalg: one compiled session per signature whose matrix sizes stay symbolic.

The factorizations are ONNX ``Loop``s whose graphs do not depend on the matrix size, so a
concrete call is traced once on symbolic arguments, built and compiled into one onnxruntime
session, and every later call of the same dtypes and ranks runs that session, whatever its sizes.

The signature keeps which sizes are equal (a square matrix stays square, a right-hand side keeps
the matrix's row count) and which are 1 (they broadcast); every other size is a symbol. The two
matrix sizes of a non-square first argument stay exact, because the algorithms branch on which
one is larger. Calls with an empty axis and calls inside a trace go to ``fallback`` (the
namespace's exact-shape plans, which also raise the proper error for bad arguments). Complex
arrays cross the session boundary as real pairs, like in every plan.
"""

from __future__ import annotations

import functools
import logging
import time

from ._array_object import Array
from ._build import argument
from ._caches import LRUCache
from ._plans import _compile_traced, _static_key, charge_compile, run_plan

__all__ = ["compiled"]

_log = logging.getLogger("onnxarray.plans")
_FAILED = object()
_cache = LRUCache("plans")


def _pattern(shape: tuple, sizes: dict, exact: bool) -> tuple:
    """The shape as a pattern: 1 stays 1, other sizes become ids shared by equal sizes; the
    last two stay exact with ``exact``."""
    out = []
    nd = len(shape)
    for i, d in enumerate(shape):
        if d == 1 or (exact and i >= nd - 2):
            out.append(("=", d))
        else:
            out.append(("n", sizes.setdefault(d, len(sizes))))
    return tuple(out)


def _signature(args: tuple, kwargs: dict):
    """``(key, feeds, patterns)``, or None when the call does not take this path."""
    key: list = []
    feeds: list = []
    patterns: list = []
    sizes: dict = {}
    for pos, a in enumerate((*args, *(kwargs[k] for k in sorted(kwargs)))):
        if isinstance(a, Array):
            data = a._v.data
            if data is None or 0 in data.shape:
                return None
            exact = pos == 0 and data.ndim >= 2 and data.shape[-1] != data.shape[-2]
            pat = _pattern(data.shape, sizes, exact)
            key.append((a._v.dtype, pat))
            patterns.append((a._v.dtype, pat))
            feeds.append(data)
        else:
            try:
                key.append(_static_key(a))
            except TypeError:
                return None
            patterns.append(None)
    key.append(tuple(sorted(kwargs)))
    return tuple(key), feeds, patterns


def _symbolic(args: tuple, kwargs: dict, patterns: list):
    inputs: dict = {}
    values = list(args) + [kwargs[k] for k in sorted(kwargs)]
    out = []
    for a, pat in zip(values, patterns):
        if pat is None:
            out.append(a)
            continue
        dtype, dims = pat
        shape = tuple(d[1] if d[0] == "=" else f"n{d[1]}" for d in dims)
        s = argument(shape=shape, dtype=dtype)
        inputs[f"in{len(inputs)}"] = s
        out.append(s)
    sargs = out[:len(args)]
    skw = dict(zip(sorted(kwargs), out[len(args):]))
    return inputs, sargs, skw


def compiled(fn, fallback):
    """``fn`` for concrete calls through one session per size-free signature."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        sig = _signature(args, kwargs) if _cache.enabled else None
        if sig is None:
            return fallback(*args, **kwargs)
        key, feeds, patterns = sig
        key = (fn, *key)
        plan = _cache.get(key)
        if plan is None:
            start = time.perf_counter()
            try:
                plan = _compile_traced(fn, *_symbolic(args, kwargs, patterns), optimize="none")
            except Exception as exc:  # noqa: BLE001 - the exact-shape path raises the error
                level = logging.DEBUG if isinstance(exc, (TypeError, ValueError)) else (
                    logging.WARNING)
                _log.log(level, "%s: no size-free plan (%s: %s)", fn.__name__,
                         type(exc).__name__, exc, exc_info=level >= logging.WARNING)
                plan = _FAILED
            charge_compile(time.perf_counter() - start)
            plan = _cache.put(key, plan)
        if plan is _FAILED:
            return fallback(*args, **kwargs)
        return run_plan(plan, feeds)

    wrapper.__wrapped_plain__ = fn
    return wrapper
