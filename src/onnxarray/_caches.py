"""Bounded, thread-safe least-recently-used caches for compiled sessions, and their limits.

Every compiled onnxruntime session is kept in one of these caches, so memory stays bounded
however many signatures a program calls:

- ``sessions``: one-node sessions of eager execution, one per (op, attributes, input dtypes);
  every shape and rank shares a session.
- ``plans``: compiled plans of the namespace functions, one per exact call signature.
- ``plan_candidates``: how often each not-yet-planned signature was called (a plan is built on
  the ``PROMOTE_AFTER``-th call); small entries, so the limit is larger.
- ``jit``: compiled sessions of one ``jit``-wrapped function (each wrapper has its own cache of
  this size).

When a cache is full, the entry used least recently is dropped (a later call of that signature
compiles it again). ``cache_limits`` reads and sets the limits; a lowered limit takes effect on
the caches at once. A limit of 0 disables caching (every call compiles; for testing only).
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict

__all__ = ["LRUCache", "cache_limits", "DEFAULT_LIMITS"]

# A one-node session takes ~20 KB and ~0.5 ms to compile; a plan or jit session a few times
# that. These limits keep the caches under ~100 MB in the worst case.
DEFAULT_LIMITS = {"sessions": 2048, "plans": 256, "plan_candidates": 4096, "jit": 128}

_limits = dict(DEFAULT_LIMITS)
_limits_lock = threading.Lock()
_caches: weakref.WeakSet = weakref.WeakSet()  # every live cache, trimmed when a limit drops


class LRUCache:
    """A mapping with at most ``cache_limits()[kind]`` entries, least recently used out first.

    ``get`` marks an entry as used; ``put`` keeps an entry that another thread stored first
    (so every caller of one signature shares one compiled session) and returns the kept one.
    """

    __slots__ = ("kind", "_data", "_lock", "__weakref__")

    def __init__(self, kind: str) -> None:
        if kind not in _limits:
            raise ValueError(f"unknown cache kind {kind!r}")
        self.kind = kind
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        _caches.add(self)

    @property
    def enabled(self) -> bool:
        """False when the limit is 0: nothing is kept."""
        return _limits[self.kind] > 0

    def get(self, key, default=None):
        # Without the lock: every eager call reads a cache, and taking a lock costs as much
        # as the lookup. A dict lookup stays consistent if another thread changes the cache
        # meanwhile (it sees the entry or not), and moving an entry is one C call; writers
        # keep the lock, so two of them never interleave.
        data = self._data
        value = data.get(key, default)
        if value is not default:
            try:
                data.move_to_end(key)
            except KeyError:  # dropped by another thread since the read
                pass
        return value

    def put(self, key, value):
        limit = _limits[self.kind]
        with self._lock:
            kept = self._data.get(key)
            if kept is not None:
                self._data.move_to_end(key)
                return kept
            if limit > 0:
                self._data[key] = value
                while len(self._data) > limit:
                    self._data.popitem(last=False)
            return value

    def replace(self, key, value) -> None:
        """Store ``value`` under ``key`` whether or not an entry exists."""
        limit = _limits[self.kind]
        with self._lock:
            if limit > 0:
                self._data[key] = value
                self._data.move_to_end(key)
                while len(self._data) > limit:
                    self._data.popitem(last=False)

    def trim(self) -> None:
        limit = _limits[self.kind]
        with self._lock:
            while len(self._data) > limit:
                self._data.popitem(last=False)

    def values(self) -> list:
        with self._lock:
            return list(self._data.values())

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key) -> bool:
        with self._lock:
            return key in self._data


def cache_limits(*, sessions: int | None = None, plans: int | None = None,
                 plan_candidates: int | None = None, jit: int | None = None) -> dict[str, int]:
    """Read or set how many compiled sessions onnxarray keeps; returns the limits in effect.

    ``sessions`` (default 2048) bounds the one-node sessions of eager calls, ``plans``
    (default 256) the compiled plans of repeated namespace calls, ``plan_candidates`` (default
    4096) the call signatures counted towards a plan, ``jit`` (default 128) the signatures kept
    by each ``jit``-wrapped function. Least recently used entries go first; lowering a limit
    drops entries at once. Called without arguments, only reads. ``cache_limits(plans=0)``
    turns plans off.
    """
    changes = {"sessions": sessions, "plans": plans, "plan_candidates": plan_candidates,
               "jit": jit}
    for name, value in changes.items():
        if value is not None and (type(value) is not int or value < 0):
            raise ValueError(f"cache_limits: {name} must be a non-negative int, got {value!r}")
    with _limits_lock:
        for name, value in changes.items():
            if value is not None:
                _limits[name] = value
        for cache in list(_caches):
            if changes[cache.kind] is not None:
                cache.trim()
        return dict(_limits)
