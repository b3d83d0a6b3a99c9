"""The docs: every Python example in README.md and docs/ runs (blocks of a file share a
namespace), and docs/api.md matches its generator."""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"```python\n(.*?)```", re.S)
# A page whose examples need optional packages says so: <!-- requires: dask, distributed -->
REQUIRES = re.compile(r"<!-- requires: ([\w., ]+) -->")


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_examples_run(path):
    text = path.read_text()
    for group in REQUIRES.findall(text):
        for module in filter(None, (m.strip() for m in group.split(","))):
            pytest.importorskip(module)
    blocks = BLOCK.findall(text)
    assert blocks, f"{path.name} has no python examples"
    namespace: dict = {}
    for i, code in enumerate(blocks):
        exec(compile(code, f"{path.name}[block {i}]", "exec"), namespace)


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_api", ROOT / "docs" / "gen_api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_api_reference_is_current():
    """docs/api.md is what docs/gen_api.py writes from the current namespaces and docstrings."""
    expected = _load_generator().render()
    actual = (ROOT / "docs" / "api.md").read_text()
    assert actual == expected, "docs/api.md is out of date: run python docs/gen_api.py"
