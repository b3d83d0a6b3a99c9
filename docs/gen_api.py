"""Write docs/api.md, the API reference, from onnxarray's namespaces and docstrings.

Run ``python docs/gen_api.py`` after changing a public name or its docstring;
``python docs/gen_api.py --check`` (and tests/test_docs.py) fail when docs/api.md is stale.

Each public name is filed under the section of the standard its defining module implements
(one private module per section); names from onnxarray's own modules get a section of their
own. A public name from any other module is an error, so a new module must be added here.
"""

from __future__ import annotations

import inspect
import re
import sys
import textwrap
import types
from pathlib import Path

import onnxarray as xp
from onnxarray import _complex, _dtypes

OUT = Path(__file__).resolve().parent / "api.md"
SPEC = "https://data-apis.org/array-api/latest"

# defining module -> (section title, the standard's page for it)
SECTIONS = {
    "_creation_functions": ("Creation functions", "creation_functions"),
    "_data_type_functions": ("Data type functions", "data_type_functions"),
    "_elementwise_functions": ("Element-wise functions", "elementwise_functions"),
    "_indexing_functions": ("Indexing functions", "indexing_functions"),
    "_linear_algebra_functions": ("Linear algebra functions", "linear_algebra_functions"),
    "_manipulation_functions": ("Manipulation functions", "manipulation_functions"),
    "_searching_functions": ("Searching functions", "searching_functions"),
    "_set_functions": ("Set functions", "set_functions"),
    "_sorting_functions": ("Sorting functions", "sorting_functions"),
    "_statistical_functions": ("Statistical functions", "statistical_functions"),
    "_utility_functions": ("Utility functions", "utility_functions"),
    "_info": ("Inspection", "inspection"),
}
OWN_MODULES = ("_build", "_jit", "_caches", "_array_object", "_dims", "_onnx_import", "_functions")
EXTENSIONS = (
    ("linalg", "Linear algebra extension (`onnxarray.linalg`)",
     "extensions/linear_algebra_functions"),
    ("fft", "Fourier transform extension (`onnxarray.fft`)",
     "extensions/fourier_transform_functions"),
    ("lax", "Control flow (`onnxarray.lax`, beyond the standard)", None),
    ("strings", "String functions (`onnxarray.strings`, beyond the standard)", None),
)

# The standard's one-line description, shown only for a name whose docstring is missing.
STANDARD_SUMMARY = {
    "arange": "Evenly spaced values within the half-open interval [start, stop).",
    "empty": "An uninitialized array of the given shape (zeros in onnxarray).",
    "empty_like": "An uninitialized array with the shape of ``x`` (zeros in onnxarray).",
    "eye": "A two-dimensional array with ones on the ``k``-th diagonal and zeros elsewhere.",
    "from_dlpack": "An array from an object that supports the DLPack protocol.",
    "full": "An array of the given shape filled with ``fill_value``.",
    "full_like": "An array with the shape of ``x`` filled with ``fill_value``.",
    "linspace": "``num`` evenly spaced numbers over the interval [start, stop].",
    "meshgrid": "Coordinate matrices from coordinate vectors.",
    "ones": "An array of the given shape filled with ones.",
    "ones_like": "An array with the shape of ``x`` filled with ones.",
    "tril": "The lower triangle of a matrix (or a stack of matrices).",
    "triu": "The upper triangle of a matrix (or a stack of matrices).",
    "zeros": "An array of the given shape filled with zeros.",
    "zeros_like": "An array with the shape of ``x`` filled with zeros.",
    "matmul": "Matrix product of two arrays.",
    "matrix_transpose": "Transposes a matrix (or a stack of matrices): the last two axes swap.",
    "tensordot": "Tensor contraction of two arrays over specific axes.",
    "cross": "Cross product of 3-element vectors.",
    "matrix_norm": "Matrix norm of a matrix (or a stack of matrices).",
    "matrix_power": "Raises a square matrix (or a stack of square matrices) to an integer power.",
    "outer": "Outer product of two vectors.",
    "trace": "Sum along a diagonal of a matrix (or a stack of matrices).",
    "vector_norm": "Vector norm over the given axes.",
}

INTRO = """\
# API reference

Every public name of `onnxarray`, `onnxarray.linalg`, `onnxarray.fft`, `onnxarray.lax` and
`onnxarray.strings`, by section of the [Array API standard]({spec}/API_specification/index.html)
(revision 2025.12),
then onnxarray's own additions. Each entry gives the signature and the docstring: what the
function computes, then how it lowers to ONNX and its limits where these matter. Functions
marked *complex* accept complex64 and complex128 arrays (see
[data types and opsets](dtypes-and-opsets.md)).

Every function works the same on concrete arrays (computed at once through onnxruntime) and on
symbolic arrays from `argument` (recorded into the model that `build` exports):

```python
import onnxarray as xp

x = xp.argument(shape=("N", 3), dtype=xp.float32)
y = xp.sort(xp.abs(x), axis=1)
model = xp.build({{"x": x}}, {{"y": y}})
assert [o.name for o in model.graph.output] == ["y"]
info = xp.__array_namespace_info__()
assert info.default_dtypes()["real floating"] == xp.float64
```

This page is generated by `docs/gen_api.py` from the docstrings; do not edit it by hand.
"""


class _Annotation:
    """An annotation that prints as its source text (annotations are strings here)."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _ann(a):
    if a is inspect.Parameter.empty or a is inspect.Signature.empty:
        return a
    return _Annotation(a) if isinstance(a, str) else _Annotation(inspect.formatannotation(a))


def signature(name: str, fn) -> str:
    sig = inspect.signature(fn)
    params = [p.replace(annotation=_ann(p.annotation)) for p in sig.parameters.values()]
    sig = sig.replace(parameters=params, return_annotation=_ann(sig.return_annotation))
    return f"{name}{sig}"


def _escape(text: str) -> str:
    """Escape Markdown emphasis characters outside code spans."""
    parts = re.split(r"(``.*?``|`[^`]*`)", text)
    return "".join(p if p.startswith("`") else p.replace("*", r"\*") for p in parts)


def paragraphs(doc: str | None) -> list[str]:
    """A docstring as Markdown paragraphs: wrapped lines joined, list lines kept apart."""
    if not doc:
        return []
    out = []
    for block in re.split(r"\n\s*\n", inspect.cleandoc(doc).strip()):
        lines = [ln.strip() for ln in block.splitlines()]
        if any(re.match(r"([-*] |\d+\. )", ln) for ln in lines):
            out.append("\n".join(_escape(ln) for ln in lines))
        else:
            out.append(_wrap(_escape(" ".join(lines))))
    return out


def _wrap(text: str, width: int = 96) -> str:
    return textwrap.fill(text, width, break_long_words=False, break_on_hyphens=False)


def _indent(text: str) -> str:
    return "\n".join("    " + ln if ln else "" for ln in text.splitlines())


def entry(title: str, doc: str | None, fallback: str | None = None,
          marks: tuple[str, ...] = ()) -> str:
    paras = paragraphs(doc) or paragraphs(fallback) or ["(No description yet.)"]
    head = f"- `{title}`"
    if marks:
        head += " " + " ".join(f"*{m}*" for m in marks)
    lines = [f"{head}<br>\n{_indent(paras[0])}"]
    lines += ["", *(_indent(p) + "\n" for p in paras[1:])] if paras[1:] else []
    return "\n".join(lines).rstrip() + "\n"


def _module_of(obj) -> str:
    return getattr(obj, "__module__", "").rsplit(".", 1)[-1]


def function_entry(prefix: str, name: str, fn, *, complex_ok: bool = False,
                   same_as: str | None = None) -> str:
    marks = ("complex",) if complex_ok else ()
    doc = fn.__doc__
    if same_as:
        doc = (doc or STANDARD_SUMMARY.get(name, "")) + f"\n\nThe same function as `{same_as}`."
    return entry(signature(prefix + name, fn), doc, STANDARD_SUMMARY.get(name), marks)


def class_entry(prefix: str, name: str, cls: type) -> str:
    if issubclass(cls, tuple) and hasattr(cls, "_fields"):
        fields = ", ".join(cls._fields)
        return entry(f"{prefix}{name}({fields})", "A named tuple of arrays.")
    bases = [b.__name__ for b in cls.__bases__ if b is not object]
    title = f"class {prefix}{name}" + (f"({', '.join(bases)})" if bases else "")
    doc = cls.__doc__ or ""
    if not issubclass(cls, BaseException):
        public = sorted(n for n in dir(cls) if not n.startswith("_"))
        if public:
            doc += "\n\nPublic attributes and methods: " + ", ".join(f"`{n}`" for n in public) + "."
    return entry(title, doc)


def section(title: str, page: str | None, intro: str | None, entries: list[str]) -> str:
    out = [f"## {title}\n"]
    if page:
        out.append(f"The standard: [{title.split(' (')[0].lower()}]({SPEC}/API_specification/"
                   f"{page}.html).\n")
    for p in paragraphs(intro):
        out.append(p + "\n")
    if entries:
        out.append("\n".join(entries))  # blank lines between items: some have paragraphs
    return "\n".join(out)


def render() -> str:
    grouped: dict[str, list[str]] = {m: [] for m in SECTIONS}
    own: list[str] = []
    constants: list[str] = []
    dtypes: list[str] = []
    for name in sorted(xp.__all__, key=str.lower):
        obj = getattr(xp, name)
        module = _module_of(obj)
        if isinstance(obj, types.ModuleType):
            continue  # the extensions have sections of their own
        if isinstance(obj, type):
            own.append(class_entry("", name, obj))
        elif isinstance(obj, _dtypes.DType):
            dtypes.append(obj)
        elif name == "__array_api_version__":
            grouped["_info"].append(entry(f"{name} = {obj!r}",
                                          "The revision of the standard implemented."))
        elif not callable(obj):
            constants.append(entry(f"{name} = {obj!r}", None, "A constant of the standard."))
        elif module in SECTIONS:
            grouped[module].append(function_entry("", name, obj,
                                                  complex_ok=name in _complex.IMPLS))
        elif module in OWN_MODULES:
            own.append(function_entry("", name, obj))
        else:
            raise SystemExit(f"gen_api: onnxarray.{name} comes from {module!r}, which no section "
                             "covers; add the module to SECTIONS or OWN_MODULES")

    parts = [INTRO.format(spec=SPEC)]
    parts.append(section(
        "Data types", "data_types",
        "The dtype objects of the standard, compared by identity: "
        + ", ".join(f"`{d.name}`" for d in sorted(dtypes, key=_dtypes.ACCEPTED.index)
                    if d in _dtypes.ALL)
        + ". Promotion follows the standard's table; see "
        "[data types and opsets](dtypes-and-opsets.md). Beyond the standard, `string` (ONNX "
        "STRING, UTF-8 text) joins no promotion with numbers; see [strings](strings.md).", []))
    parts.append(section("Constants", "constants", None, constants))
    for module, (title, page) in SECTIONS.items():
        intro = sys.modules[f"onnxarray.{module}"].__doc__
        parts.append(section(title, page, _body(intro), grouped[module]))
    for ext, title, page in EXTENSIONS:
        ns = getattr(xp, ext)
        entries = []
        for name in sorted(ns.__all__, key=str.lower):
            obj = getattr(ns, name)
            if isinstance(obj, type):
                entries.append(class_entry(f"{ext}.", name, obj))
                continue
            same = getattr(xp, name, None) is obj
            entries.append(function_entry(f"{ext}.", name, obj,
                                          same_as=f"onnxarray.{name}" if same else None))
        parts.append(section(title, page, _body(ns.__doc__), entries))
    parts.append(section(
        "onnxarray's own names", None,
        "Beyond the standard: symbolic inputs, export, compiled functions, and the types and "
        "errors that symbolic arrays bring.", own))
    return "\n".join(parts).rstrip() + "\n"


def _body(doc: str | None) -> str | None:
    """A module docstring without its title line, which the section heading replaces."""
    if not doc:
        return None
    paras = re.split(r"\n\s*\n", inspect.cleandoc(doc).strip(), maxsplit=1)
    return paras[1] if len(paras) > 1 else None


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if not OUT.exists() or OUT.read_text() != text:
            print("docs/api.md is out of date: run python docs/gen_api.py", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
