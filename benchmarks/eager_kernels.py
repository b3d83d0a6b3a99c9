"""Per-node cost of eager execution: a NumPy kernel against the cached one-node session.

Usage: ``PYTHONPATH=src python benchmarks/eager_kernels.py [--quick]``. Both sides run the same
node on the same inputs, interleaved, CPU time, the fastest of the rounds; the session side is
``_executor.run_session`` (the path every node took before ``_numpy_kernels``), warmed up so
that its session exists.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from onnxarray import _dtypes as D
from onnxarray import _numpy_kernels
from onnxarray._executor import run_session
from onnxarray._graph import Value


def _value(a):
    return None if a is None else Value(D.BY_NUMPY[a.dtype], a.shape, data=a)


def cases():
    rng = np.random.default_rng(0)
    x = rng.random((32, 32))
    i = np.arange(100, dtype=np.int64)

    def i64(*v):
        return np.array(v, np.int64)

    return {
        "Reshape (32,32)->(-1,)": ("Reshape", (), [x, i64(-1)]),
        "Transpose (32,32)": ("Transpose", (("perm", (1, 0)),), [x]),
        "Slice [1:-1]": ("Slice", (), [x, i64(1), i64(-1), i64(0), i64(1)]),
        "Gather row 3": ("Gather", (("axis", 0),), [x, np.array(3)]),
        "Squeeze": ("Squeeze", (), [x[:1].copy(), i64(0)]),
        "Unsqueeze": ("Unsqueeze", (), [x, i64(0)]),
        "Concat 2x(32,32)": ("Concat", (("axis", 0),), [x, x]),
        "int64 Add (100,)": ("Add", (), [i, i]),
        "int64 Less (100,)": ("Less", (), [i, i]),
        "int64 -> int32 Cast": ("Cast", (("to", D.int32.onnx),), [i]),
        "int64 ReduceSum": ("ReduceSum", (("keepdims", 0),), [i, None]),
        "ScatterND x[0:2] = rows": ("ScatterND", (), [x, i64([0], [1]), np.ones((2, 32))]),
        "ScatterND 16 rows": ("ScatterND", (), [x, np.arange(0, 32, 2)[:, None],
                                                 np.ones((16, 32))]),
        "ScatterElements (32,1)": ("ScatterElements", (("axis", 1),),
                                   [x, np.zeros((32, 1), np.int64), np.ones((32, 1))]),
        "NonZero (32,32) mask": ("NonZero", (), [x > 0.5]),
        "GatherND a[mask]": ("GatherND", (), [x, np.argwhere(x > 0.5)]),
        "int64 ArgMax axis 0": ("ArgMax", (("axis", 0), ("keepdims", 0)), [i.reshape(10, 10)]),
        "int64 BitwiseXor (100,)": ("BitwiseXor", (), [i, i]),
    }


def clock(fn, number: int, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        for _ in range(number):
            fn()
        best = min(best, (time.process_time() - t0) / number)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    number, repeat = (200, 3) if args.quick else (2000, 7)
    print(f"{'node':26s} {'session':>10s} {'NumPy':>10s} {'speedup':>8s}")
    for name, (op, attrs, arrays) in cases().items():
        values = [_value(a) for a in arrays]
        (want,) = _numpy_kernels.run(op, "", attrs, arrays)
        out_dtypes = [D.BY_NUMPY[want.dtype]]
        (got,) = run_session(op, "", attrs, values, out_dtypes)
        assert got.tobytes() == want.tobytes() and got.dtype == want.dtype, name
        sides = {
            "session": lambda op=op, attrs=attrs, values=values, out_dtypes=out_dtypes:
                run_session(op, "", attrs, values, out_dtypes),
            "numpy": lambda op=op, attrs=attrs, arrays=arrays:
                _numpy_kernels.run(op, "", attrs, arrays),
        }
        t = {side: float("inf") for side in sides}
        for _ in range(repeat):  # interleaved rounds: a busy machine slows both sides alike
            for side, fn in sides.items():
                t[side] = min(t[side], clock(fn, number, 1))
        print(f"{name:26s} {t['session'] * 1e6:7.1f} us {t['numpy'] * 1e6:7.1f} us "
              f"{t['session'] / t['numpy']:7.1f}x")


if __name__ == "__main__":
    main()
