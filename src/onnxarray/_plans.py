"""Compiled plans: a whole call traced once per exact signature and run as one session.

Running a function op by op costs a session run plus Python bookkeeping per node. A *plan* is
the function traced on symbolic arguments with the exact dtypes and shapes of a call, built into
one model and compiled into one onnxruntime session, so a repeated call costs one session run
and a dictionary lookup. The lowering is the same one an exported model uses.

- ``jit(fn)`` compiles on the first call of each signature.
- The namespace functions are wrapped by ``planned``: a signature seen ``PROMOTE_AFTER`` times
  gets a plan, earlier calls run op by op (one-off shapes never pay for a compilation). Plans
  and the call counts are kept in bounded least-recently-used caches (see ``_caches``). A call
  whose trace fails (bad input, a value-dependent check) runs op by op, which raises the proper
  error; the reason is logged (logger ``onnxarray.plans``, level DEBUG for a check that failed
  on the call's arguments, WARNING for anything else, which is a library bug).
- Compiling costs about three op-by-op calls of the same function once the graph is large
  (onnxruntime 1.32: tracing ~20 us, building ~20 us and creating the session ~35 us per
  node, ~25 ms for the 312 nodes of ``linalg.eigh``'s plan; a graph unrolled over its data
  has thousands). So a signature whose op-by-op calls all took ``BACKGROUND_SECONDS`` or
  more is traced and compiled in a background daemon thread, and its calls keep running op by
  op until the plan is ready; such a signature is promoted on its ``PROMOTE_SLOW_AFTER``-th
  call already (a slow call repeated pays for its compile soonest, and the first calls of a
  new signature are the ones to keep short). Cheaper signatures compile on the promoting
  call. Either way the plan is compiled without graph optimizations, so its results equal op
  by op bit for bit.
- Compiling even a one-node plan costs ~0.5-1 ms, ten to fifty times its op-by-op call, and a
  program's first repeats promote many signatures at once (a scikit-learn ``fit`` promotes ~30
  on its third call). So the compiles done on the promoting call are paid from a time budget
  (``_SyncBudget``): every op-by-op call of a planned function earns ``SYNC_SHARE`` of its time,
  up to ``SYNC_BURST`` seconds (a process starts with nothing), and each synchronous compile
  spends what it took. A signature
  promoted while the budget does not cover ``COMPILE_CALLS`` of its op-by-op calls (and at
  least ``MIN_COMPILE_SECONDS``, a session's creation) compiles in the background instead
  and keeps running op by op meanwhile (same bits), so no call gets much slower than its
  op-by-op run. The background thread compiles at most ``BACKGROUND_DUTY`` of the time (it
  rests between compiles): its CPU time is the program's too, and a burst of compiles spreads
  over the following calls (a quarter: on a busy machine a call's wall time is several times
  its CPU time, and at half the compiles of a scikit-learn ``fit``'s first repeats added
  ~5 ms of CPU to each ~15 ms call).
  ``wait_for_plans`` waits for the background compiles (tests rely on plans existing).

A plan whose every node is an exact operator with a NumPy kernel (data movement, integer and
bool operators, the float operators IEEE 754 rounds once: ``_numpy_kernels``) runs those
kernels in order instead of its session (a reshape or a basic assignment then costs ~1-3 us,
not a ~6-9 us session run); the session, created when a kernel first declines, answers those
calls with the same bits.

The signature is the dtype and shape of every array argument (also inside lists and tuples)
and the value of every other argument; an unhashable argument or a symbolic array bypasses
plans.
"""

from __future__ import annotations

import atexit
import functools
import logging
import math
import queue
import struct
import threading
import time

from ._array_object import Array
from ._build import argument, build
from ._caches import LRUCache
from ._complex_parts import pack, unpack
from ._dims import SymbolicDim
from ._executor import (
    RUN_FAILURES,
    RUN_OPTIONS,
    eager_opset,
    session_for_model,
    session_runner,
)
from ._graph import Value, topological_order
from ._numpy_kernels import program
from ._opset_forms import min_opset

__all__ = ["planned", "signature", "compile_plan", "run_plan", "wait_for_plans",
           "charge_compile", "SYMBOLIC"]

PROMOTE_AFTER = 3
PROMOTE_SLOW_AFTER = 2  # a signature whose first call was slow compiles on its second call
BACKGROUND_SECONDS = 0.05  # an op-by-op call this slow compiles its plan in the background
MAX_QUEUED = 8  # background compiles waiting at most; more signatures wait their turn
BACKGROUND_DUTY = 0.25  # share of the time the background thread spends compiling
SYNC_SHARE = 0.5  # synchronous compiles may add this share of the op-by-op time run so far
SYNC_BURST = 0.005  # seconds of synchronous compiling saved up at most
COMPILE_CALLS = 3  # a compile takes about as long as this many op-by-op calls, or more
MIN_COMPILE_SECONDS = 0.001  # and at least this long: creating any session costs ~0.5-1 ms

SYMBOLIC = object()  # signature() result: a symbolic array is involved, record inline
_UNPLANNABLE = object()  # cache entry: this signature runs op by op
_plans = LRUCache("plans")
_seen = LRUCache("plan_candidates")
_log = logging.getLogger("onnxarray.plans")


_F64 = struct.Struct("<d")
# Slice bounds that are their own key: ints (not bools, which hash like ints) and None.
_PLAIN_BOUND = frozenset({int, type(None)})


def _static_key(a):
    """A hashable key for a non-array argument that tells apart values that act differently."""
    t = type(a)
    if t is float:
        if a != 0.0 and a == a:  # a nonzero non-NaN float is its own key (the common case)
            return (float, a)
        return (float, _F64.pack(a))  # the bits: -0.0, 0.0 and NaNs of either sign differ
    if t is int or t is bool or a is None or t is str:
        return (t, a)
    if t is slice:
        return (slice, _static_key(a.start), _static_key(a.stop), _static_key(a.step))
    if t is complex:
        return (complex, _F64.pack(a.real), _F64.pack(a.imag))
    if isinstance(a, float):  # NumPy floating scalars
        return (t, _F64.pack(float(a)))
    hash(a)  # TypeError for unhashable arguments
    return (t, a)


def _arg_key(a, key: list, feeds: list):
    t = type(a)
    if t is Array or isinstance(a, Array):
        data = a._v.data
        if data is None:
            return SYMBOLIC
        key.append(a._v.dtype)
        key.append(data.shape)
        feeds.append(data)
        return None
    if t is list or t is tuple:
        key.append((t, len(a)))
        for item in a:
            if _arg_key(item, key, feeds) is SYMBOLIC:
                return SYMBOLIC
        return None
    if t is slice:
        start, stop, step = a.start, a.stop, a.step
        if type(start) in _PLAIN_BOUND and type(stop) in _PLAIN_BOUND \
                and type(step) in _PLAIN_BOUND:
            key.append((slice, start, stop, step))  # ints and Nones: exact keys already
            return None
        if any(isinstance(b, SymbolicDim) for b in (start, stop, step)):
            return SYMBOLIC  # a size read from a symbolic array: the call records
    elif isinstance(a, SymbolicDim):
        return SYMBOLIC
    key.append(_static_key(a))
    return None


def signature(args: tuple, kwargs: dict):
    """``(key, feeds)`` of a call; SYMBOLIC if an array is symbolic; raises TypeError if some
    argument is unhashable."""
    key: list = []
    feeds: list = []
    for a in args:
        t = type(a)
        if t is Array:  # the common cases, inlined: this runs on every eager call
            v = a._v
            data = v.data
            if data is None:
                return SYMBOLIC
            key.append(v.dtype)
            key.append(data.shape)
            feeds.append(data)
        elif t is int or t is bool or t is str or a is None:
            key.append((t, a))  # as _static_key
        elif t is float and a == a and a != 0.0:
            key.append((float, a))  # as _static_key: a nonzero non-NaN float is its own key
        elif t is slice and type(a.start) in _PLAIN_BOUND and type(a.stop) in _PLAIN_BOUND \
                and type(a.step) in _PLAIN_BOUND:
            key.append((slice, a.start, a.stop, a.step))  # as _arg_key
        elif _arg_key(a, key, feeds) is SYMBOLIC:
            return SYMBOLIC
    if kwargs:
        for name in sorted(kwargs) if len(kwargs) > 1 else kwargs:
            key.append(name)
            a = kwargs[name]
            t = type(a)
            if t is int or t is bool or t is str or a is None:
                key.append((t, a))  # as _static_key
            elif _arg_key(a, key, feeds) is SYMBOLIC:
                return SYMBOLIC
    return key, feeds


def _symbolic_args(obj, inputs: dict):
    """``obj`` with every concrete array replaced by an exact-shape argument (in key order)."""
    if isinstance(obj, Array):
        s = argument(shape=obj._v.data.shape, dtype=obj._v.dtype)
        inputs[f"in{len(inputs)}"] = s
        return s
    if type(obj) in (list, tuple):
        return type(obj)([_symbolic_args(o, inputs) for o in obj])
    return obj


class NotAnArrayResult(TypeError):
    """The traced function returned something other than arrays."""


def _flatten_result(out):
    if isinstance(out, Array):
        return [out], None
    if isinstance(out, (tuple, list)) and all(isinstance(o, Array) for o in out):
        return list(out), type(out)
    raise NotAnArrayResult(type(out).__name__)


def _symbolic_call(args: tuple, kwargs: dict):
    """``(inputs, args, kwargs)`` with exact-shape arguments in place of the concrete arrays."""
    inputs: dict = {}
    sargs = [_symbolic_args(a, inputs) for a in args]
    skw = {k: _symbolic_args(kwargs[k], inputs) for k in sorted(kwargs)}
    return inputs, sargs, skw


def compile_plan(fn, args: tuple, kwargs: dict, *, optimize: str):
    """Trace ``fn`` on exact-shape arguments, build it and compile one session."""
    return _compile_traced(fn, *_symbolic_call(args, kwargs), optimize=optimize)


def _compile_traced(fn, inputs: dict, sargs: list, skw: dict, *, optimize: str):
    outs, container = _flatten_result(fn(*sargs, **skw))
    order = topological_order([o._v for o in outs])
    # the eager sessions' opset, for the same ONNX forms (or the newer one string ops need)
    opset, _ = min_opset(order, eager_opset())
    model = build(inputs, {f"out{i}": o for i, o in enumerate(outs)}, allow_unused_inputs=True,
                  opset=opset)
    dtypes = [o.dtype for o in outs]
    # Complex inputs and outputs cross the session boundary as real pairs (see _complex).
    complex_io = any(a.dtype.kind == "c" for a in inputs.values()) or any(
        d.kind == "c" for d in dtypes)
    make = functools.partial(_session_plan, model.SerializeToString(), optimize, list(inputs),
                             [f"out{i}" for i in range(len(outs))], dtypes, container,
                             complex_io)
    # A plan of exact operators runs them with NumPy (_numpy_kernels), ~1-3 us a node instead
    # of a ~9 us session run; the session serves the inputs a kernel declines, and is created
    # when one first does (most never do: creating it costs ~0.3-1 ms, a program's first
    # repeats promote dozens of such plans).
    kernels = None if complex_io else program(
        order, [o._v for o in outs], [a._v for a in inputs.values()])
    if kernels is None:
        return make()
    return functools.partial(_run_kernel_plan, kernels, _LazyPlan(make), dtypes, container)


def _session_plan(model: bytes, optimize: str, in_names: list, out_names: list, dtypes: list,
                  container, complex_io: bool):
    sess = session_for_model(model, optimize=optimize)
    return _runner(session_runner(sess), in_names, out_names, dtypes, container, complex_io)


class _LazyPlan:
    """The session plan of a plan of exact operators, compiled on its first call."""

    __slots__ = ("_make", "_plan", "_lock")

    def __init__(self, make) -> None:
        self._make = make
        self._plan = None
        self._lock = threading.Lock()

    @property
    def compiled(self) -> bool:
        return self._plan is not None

    def __call__(self, feeds: list):
        plan = self._plan
        if plan is None:
            with self._lock:
                if self._plan is None:
                    self._plan = self._make()
                    self._make = None
                plan = self._plan
        return plan(feeds)


def _run_kernel_plan(kernels, plan, dtypes, container, feeds: list):
    results = kernels(feeds)
    if results is None:
        return plan(feeds)
    if container is None:
        r = results[0]
        return _new_array(Value(dtypes[0], r.shape, None, 0, None, r))
    return _wrap_results(results, dtypes, container)


def run_plan(plan, feeds: list):
    """Run a compiled plan on the data of its array arguments (in signature order)."""
    return plan(feeds)


_new_array = Array._new


def _runner(run, in_names: list, out_names: list, dtypes: list, container, complex_io: bool):
    """The plan as a function of its feeds. The common one-array result of one or two inputs
    gets a function of its own: a plan's Python overhead is part of every repeated eager
    call of a small op (a session run is ~5 us)."""
    if complex_io:
        return functools.partial(_run_complex_plan, run, in_names, out_names, dtypes, container)
    if container is not None:
        def plan(feeds):
            results = run(out_names, dict(zip(in_names, feeds)), RUN_OPTIONS)
            return _wrap_results(results, dtypes, container)
        return plan
    dtype = dtypes[0]
    if len(in_names) == 1:
        (name0,) = in_names

        def plan(feeds):
            r = run(out_names, {name0: feeds[0]}, RUN_OPTIONS)[0]
            return _new_array(Value(dtype, r.shape, None, 0, None, r))
        return plan
    if len(in_names) == 2:
        name0, name1 = in_names

        def plan(feeds):
            r = run(out_names, {name0: feeds[0], name1: feeds[1]}, RUN_OPTIONS)[0]
            return _new_array(Value(dtype, r.shape, None, 0, None, r))
        return plan

    def plan(feeds):
        r = run(out_names, dict(zip(in_names, feeds)), RUN_OPTIONS)[0]
        return _new_array(Value(dtype, r.shape, None, 0, None, r))
    return plan


def _run_complex_plan(run, in_names, out_names, dtypes, container, feeds: list):
    feeds = [pack(f) if f.dtype.kind == "c" else f for f in feeds]
    results = run(out_names, dict(zip(in_names, feeds)), RUN_OPTIONS)
    results = [unpack(r) if dt.kind == "c" else r for r, dt in zip(results, dtypes)]
    return _wrap_results(results, dtypes, container)


def _wrap_results(results, dtypes, container):
    outs = [Array._new(Value(dt, r.shape, None, 0, None, r)) for r, dt in zip(results, dtypes)]
    if container is None:
        return outs[0]
    if container is tuple or container is list:
        return container(outs)
    return container(*outs)  # a named tuple


# Errors a namespace function raises for bad arguments: tracing the call on exact-shape
# arguments raises them too (the op-by-op call then raises the same error for the user).
_USER_ERRORS = (TypeError, ValueError, IndexError, OverflowError)


def _unplannable(fn, exc: Exception):
    level = logging.DEBUG if isinstance(exc, _USER_ERRORS) else logging.WARNING
    if _log.isEnabledFor(level):
        _log.log(level, "%s: no plan for this signature, running op by op (%s: %s)",
                 getattr(fn, "__name__", fn), type(exc).__name__, exc,
                 exc_info=level >= logging.WARNING)
    return _UNPLANNABLE


class _SyncBudget:
    """Seconds that synchronous plan compiles may still take: earned by op-by-op calls
    (``SYNC_SHARE`` of their time, saved up to ``SYNC_BURST``), spent by compiles.

    A new budget holds ``left`` seconds, the whole burst unless told."""

    def __init__(self, burst: float = SYNC_BURST, left: float | None = None) -> None:
        self._lock = threading.Lock()
        self._burst = burst
        self._left = burst if left is None else left

    def earn(self, seconds: float) -> None:
        # Without the lock (every op-by-op call earns): two threads earning at once may
        # lose one share, which only makes a later compile more likely to go to the
        # background.
        self._left = min(self._burst, self._left + SYNC_SHARE * seconds)

    def spend(self, seconds: float) -> None:
        with self._lock:
            self._left -= seconds

    def covers(self, seconds: float) -> bool:
        """Whether what is left covers a compile expected to take ``seconds``."""
        return self._left > seconds


# The process starts with nothing saved: its first calls already pay for onnxruntime's
# start-up and their one-node sessions, and the compiles of the signatures they promote on top
# made the first call of a scikit-learn ``fit`` the slowest of all by ~2-4 ms; they earn it.
_budget = _SyncBudget(left=0.0)


def charge_compile(seconds: float) -> None:
    """Charge a compile made on the calling thread outside ``planned`` (a size-free linalg
    plan, ~10-20 ms) to the synchronous budget: the signatures promoted in the same call and
    the next ones compile in the background instead of adding to it."""
    _budget.spend(seconds)


class _Pending:
    """Cache entry of a plan being compiled in the background; ``done`` is set when it ends."""

    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = threading.Event()


class _Background:
    """One daemon thread compiling queued plans (a daemon never delays interpreter exit); at
    most ``MAX_QUEUED`` compiles wait or run at once."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._slots = threading.BoundedSemaphore(MAX_QUEUED)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._state = threading.Condition()
        self._running = False
        self._closed = False

    def close(self, timeout: float = 60.0) -> None:
        """Run no more jobs and wait (up to ``timeout`` s) for the one running to finish; called
        at interpreter exit, where a daemon thread stopped inside onnxruntime aborts the
        process."""
        with self._state:
            self._closed = True
            self._state.wait_for(lambda: not self._running, timeout)

    def reserve(self) -> bool:
        """Take a slot for one job; False if all are taken."""
        return self._slots.acquire(blocking=False)

    def release(self) -> None:
        """Give back a reserved slot that no job took."""
        self._slots.release()

    def submit(self, job) -> None:
        """Queue ``job()`` in a reserved slot."""
        self._jobs.put(job)
        with self._lock:  # started lazily, and again in a forked child
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="onnxarray-plans",
                                                daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            with self._state:
                if self._closed:
                    self._slots.release()
                    continue
                self._running = True
            start = time.perf_counter()
            try:
                job()
            finally:
                self._slots.release()
                with self._state:
                    self._running = False
                    self._state.notify_all()
            # Rest as long as the compile took, times (1 - BACKGROUND_DUTY) / BACKGROUND_DUTY:
            # the compiles take at most that share of the time, so a burst of them spreads
            # over the following calls instead of doubling the next one.
            time.sleep((time.perf_counter() - start) * (1.0 / BACKGROUND_DUTY - 1.0))


_background = _Background()
atexit.register(_background.close)


def _compile_job(key, fn, traced, pending: _Pending):
    def job():
        try:
            plan = _compile_traced(fn, *traced, optimize="none")
        except Exception as exc:  # noqa: BLE001 - logged; the calls keep running op by op
            plan = _unplannable(fn, exc)
        try:
            if _plans.get(key) is pending:  # not dropped or cleared meanwhile
                _plans.replace(key, plan)
        finally:
            pending.done.set()
    return job


def _promote(fn, key, args: tuple, kwargs: dict, seconds: float):
    """The cache entry of a signature called ``PROMOTE_AFTER`` times: a plan, _UNPLANNABLE,
    a _Pending background compile, or None while the background is busy (counted again)."""
    if seconds < BACKGROUND_SECONDS and _budget.covers(max(COMPILE_CALLS * seconds,
                                                           MIN_COMPILE_SECONDS)):
        start = time.perf_counter()
        try:
            plan = compile_plan(fn, args, kwargs, optimize="none")  # bitwise as op by op
        except Exception as exc:  # noqa: BLE001 - the op-by-op call raises the error
            plan = _unplannable(fn, exc)
        _budget.spend(time.perf_counter() - start)
        return _plans.put(key, plan)
    if not _background.reserve():
        return None
    # Only the arrays' dtypes and shapes go to the job: it holds no data of the call.
    try:
        traced = _symbolic_call(args, kwargs)
    except BaseException:
        _background.release()
        raise
    pending = _Pending()
    kept = _plans.put(key, pending)
    if kept is not pending:  # another thread promoted this signature first
        _background.release()
        return kept
    _background.submit(_compile_job(key, fn, traced, pending))
    return pending


def planned(fn):
    """Wrap a namespace function so that repeated concrete calls run as compiled plans."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            sig = signature(args, kwargs)
        except TypeError:
            return fn(*args, **kwargs)
        if sig is SYMBOLIC:
            return fn(*args, **kwargs)
        key, feeds = sig
        key.append(fn)
        key = tuple(key)
        plan = _plans.get(key)
        if plan is None:
            if not _plans.enabled:
                return fn(*args, **kwargs)
            # (calls so far, fastest of them in seconds): a single preempted call is not slow
            seen, seconds = _seen.get(key, (0, math.inf))
            if seen + 1 < (PROMOTE_SLOW_AFTER if seconds >= BACKGROUND_SECONDS
                           else PROMOTE_AFTER):
                start = time.perf_counter()
                out = fn(*args, **kwargs)  # a call that raises is not counted
                took = time.perf_counter() - start
                _seen.replace(key, (seen + 1, min(seconds, took)))
                _budget.earn(took)
                return out
            plan = _promote(fn, key, args, kwargs, seconds)
        if plan is None or plan is _UNPLANNABLE or type(plan) is _Pending:
            start = time.perf_counter()
            out = fn(*args, **kwargs)
            _budget.earn(time.perf_counter() - start)
            return out
        try:
            return plan(feeds)
        except RUN_FAILURES:  # a check of the data failed: op by op raises the proper error
            return fn(*args, **kwargs)

    wrapper.__wrapped_plain__ = fn
    return wrapper


def wait_for_plans(timeout: float | None = None) -> bool:
    """Wait until no plan compile is pending in the background (or ``timeout`` seconds
    passed); True when none is pending. Calls made meanwhile may queue more."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        pending = [p for p in _plans.values() if type(p) is _Pending]
        if not pending:
            return True
        for p in pending:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not p.done.wait(left):
                return False


def plan_count() -> int:
    return sum(1 for p in _plans.values() if p is not _UNPLANNABLE and type(p) is not _Pending)


def _entry(fn, args: tuple, kwargs: dict | None = None):
    """The plan cache entry of a call (None if there is none or it never plans)."""
    try:
        sig = signature(args, kwargs or {})
    except TypeError:
        return None
    if sig is SYMBOLIC:
        return None
    return _plans.get(tuple(sig[0]) + (getattr(fn, "__wrapped_plain__", fn),))


def has_plan(fn, args: tuple, kwargs: dict | None = None) -> bool | None:
    """Whether the call ``fn(*args, **kwargs)`` runs as a compiled plan: True, False when
    it runs op by op (not called often enough yet, its plan still compiling, or unplannable),
    None if it never plans (symbolic or unhashable arguments). ``fn`` is a namespace
    function."""
    try:
        sig = signature(args, kwargs or {})
    except TypeError:
        return None
    if sig is SYMBOLIC:
        return None
    plan = _entry(fn, args, kwargs)
    return plan is not None and plan is not _UNPLANNABLE and type(plan) is not _Pending
