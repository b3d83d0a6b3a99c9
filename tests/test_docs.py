"""Every Python code example in README.md and docs/ runs (blocks of a file share a namespace)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_examples_run(path):
    blocks = BLOCK.findall(path.read_text())
    assert blocks, f"{path.name} has no python examples"
    namespace: dict = {}
    for i, code in enumerate(blocks):
        exec(compile(code, f"{path.name}[block {i}]", "exec"), namespace)
