"""``jit``: trace a function once per input signature and run it as one onnxruntime session.

The signature is the dtypes and shapes of the array arguments plus the values of every other
argument (which must be hashable). Each jitted function keeps its compiled signatures in a
bounded least-recently-used cache (``cache_limits(jit=...)``, see ``_caches``). Like eager
calls, results are concrete arrays; calling a jitted function on symbolic arrays simply records
it inline. See ``_plans`` for the mechanism, which the namespace functions share.
"""

from __future__ import annotations

import functools

from ._caches import LRUCache
from ._executor import RUN_FAILURES
from ._plans import SYMBOLIC, NotAnArrayResult, compile_plan, run_plan, signature

__all__ = ["jit"]


def jit(fn=None, /):
    """Compile ``fn`` into one onnxruntime session per input signature, then reuse it."""
    if fn is None:
        return jit
    if not callable(fn):
        raise TypeError(f"jit: expected a callable, got {type(fn).__name__}")
    cache = LRUCache("jit")

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            sig = signature(args, kwargs)
        except TypeError:
            raise TypeError("jit: non-array arguments must be hashable") from None
        if sig is SYMBOLIC:
            return fn(*args, **kwargs)  # inside a trace: record inline
        key, feeds = sig
        key = tuple(key)
        plan = cache.get(key)
        if plan is None:
            try:
                # No graph rewrites: onnxruntime's fusions and its NoopElimination (which drops an
                # Add of a subnormal constant) could change bits, and a jitted call must give
                # the bits of the same call op by op.
                plan = compile_plan(fn, args, kwargs, optimize="none")
            except NotAnArrayResult as exc:
                raise TypeError(f"jit: the function must return an array or a tuple/list of "
                                f"arrays, got {exc}") from None
            plan = cache.put(key, plan)
        try:
            return run_plan(plan, feeds)
        except RUN_FAILURES:  # a check of the data failed: op by op raises the proper error
            return fn(*args, **kwargs)

    wrapper.cache_size = lambda: len(cache)
    return wrapper
