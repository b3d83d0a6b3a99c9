"""What onnxruntime's private session ``run`` saves per small-op call (see
``_executor.session_runner``): a cached one-node session run through the public
``InferenceSession.run`` and through the C++ session's ``run``, then a whole eager ``xp.add``
call with either.

Run with ``python benchmarks/session_run.py``. Prints the best of several repeats in
microseconds of CPU time per call; the difference is the cost of the public method's Python checks.
"""

from __future__ import annotations

import time
import timeit

import numpy as np

import onnxarray as xp
from onnxarray import _executor


def _best(fn, number: int = 5000, repeat: int = 25) -> float:
    """Best CPU time per call (process time: a busy machine's waiting is not counted)."""
    times = timeit.repeat(fn, number=number, repeat=repeat, timer=time.process_time)
    return min(times) / number * 1e6


def main() -> None:
    model = _executor._one_node_model("Add", "", (), [xp.float64, xp.float64], [1, 1],
                                      [xp.float64])
    sess = _executor.session_for_model(model, optimize="none")
    feeds = {"i0": np.ones(4), "i1": np.ones(4)}
    opts = _executor.RUN_OPTIONS
    public, private = sess.run, _executor.session_runner(sess)

    a, b = xp.asarray(np.ones(4)), xp.asarray(np.ones(4))
    add = xp.add.__wrapped_plain__  # op by op, never a plan
    add(a, b)
    key = next(k for k in _executor._sessions._data if k[0] == "Add" and k[4] is xp.float64)
    _, names, outs = _executor._sessions.get(key)

    def eager_add_with(run):
        def call():
            return add(a, b)
        call.setup = lambda: _executor._sessions.replace(key, (run, names, outs))
        return call

    rows = [("session run, public", lambda: public(["o0"], feeds, opts), None),
            ("session run, private", lambda: private(["o0"], feeds, opts), None),
            ("eager xp.add (4 floats), public", *_pair(eager_add_with(public))),
            ("eager xp.add (4 floats), private", *_pair(eager_add_with(private)))]
    for name, fn, setup in rows * 2:
        if setup is not None:
            setup()
        print(f"{name:34s} {_best(fn):7.2f} us")


def _pair(call):
    return call, call.setup


if __name__ == "__main__":
    main()
