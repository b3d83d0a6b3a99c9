"""Export benchmarks/predict_cases.py with jax2onnx: ``python jax_export.py OUT_DIR``.

Runs in an interpreter that has jax and jax2onnx (benchmarks/run.py starts it as a subprocess,
so onnxarray's environment needs neither); writes one ``<index>.onnx`` per case and prints a
JSON map of case name -> file, or -> the export error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jax.numpy as jnp
import predict_cases
from jax2onnx import to_onnx


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    params = {k: jnp.asarray(v) for k, v in predict_cases.params().items()}
    written = {}
    for i, (name, fn) in enumerate(predict_cases.CASES.items()):
        path = out / f"{i}.onnx"
        try:
            model = to_onnx(lambda x, fn=fn: fn(jnp, x, params),
                            [("N", predict_cases.N_FEATURES)], model_name=f"case{i}")
            path.write_bytes(model.SerializeToString())
            written[name] = str(path)
        except Exception as exc:  # noqa: BLE001 - report the converter's gaps, go on
            written[name] = {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:100]}"}
    print(json.dumps(written))


if __name__ == "__main__":
    main()
