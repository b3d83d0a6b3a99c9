"""Build the documentation site into docs/_build.

The pages are README.md (as index.html) and docs/*.md, rendered with Python-Markdown; links
between them are rewritten from .md to .html. The full reference of every docstring, under
reference/, comes from pdoc. ``nox -s docs`` installs both tools, checks the docs (examples run,
docs/api.md is current) and then runs this script.
"""

from __future__ import annotations

import html
import re
import shutil
import warnings
from pathlib import Path

import markdown
import pdoc
import pdoc.render

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
OUT = DOCS / "_build"
# Reading order of the pages; any other docs/*.md follows, by name.
ORDER = ["getting-started", "writing-exportable-code", "control-flow",
         "exporting-scikit-learn", "from-onnx-and-functions", "scoring-at-scale",
         "dtypes-and-opsets", "strings", "tagger", "api"]

TEMPLATE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - onnxarray</title>
<style>
body {{ font-family: system-ui, sans-serif; line-height: 1.5; margin: 0; color: #222; }}
nav {{ background: #f3f4f6; padding: 0.6em 1.5em; border-bottom: 1px solid #ddd; }}
nav a {{ margin-right: 1.2em; text-decoration: none; }}
nav a.current {{ font-weight: bold; }}
main {{ max-width: 52em; margin: 0 auto; padding: 1em 1.5em 3em; }}
pre {{ background: #f6f8fa; padding: 0.8em; overflow-x: auto; }}
code {{ font-family: ui-monospace, monospace; font-size: 0.92em; }}
table {{ border-collapse: collapse; }}
td, th {{ border: 1px solid #ddd; padding: 0.3em 0.6em; }}
</style>
</head>
<body>
<nav>{nav}</nav>
<main>
{body}
</main>
</body>
</html>
"""


def sources() -> list[tuple[str, Path]]:
    """(output name, Markdown source) for every page, in reading order."""
    found = {p.stem: p for p in DOCS.glob("*.md")}
    names = [n for n in ORDER if n in found] + sorted(set(found) - set(ORDER))
    return [("index", ROOT / "README.md")] + [(n, found[n]) for n in names]


def title_of(text: str, default: str) -> str:
    m = re.search(r"^# (.+)$", text, re.M)
    return m.group(1).strip() if m else default


def rewrite_links(body: str) -> str:
    """Links to .md pages (docs/x.md from the README, x.md between pages) point at .html."""
    def fix(m: re.Match) -> str:
        target = m.group(1)
        if re.match(r"[a-z]+:", target):
            return m.group(0)
        target = re.sub(r"^(\./)?docs/", "", target)
        target = re.sub(r"^README\.md", "index.html", target)
        target = re.sub(r"\.md(#|$)", r".html\1", target)
        return f'href="{target}"'

    return re.sub(r'href="([^"]+)"', fix, body)


def build_pages() -> list[str]:
    pages = []
    for name, path in sources():
        text = path.read_text(encoding="utf-8")
        pages.append((name, title_of(text, name), text))
    written = []
    for name, title, text in pages:
        links = [f'<a href="{n}.html"{" class=current" if n == name else ""}>'
                 f"{html.escape('onnxarray' if n == 'index' else t)}</a>" for n, t, _ in pages]
        links.append('<a href="reference/onnxarray.html">Docstrings (pdoc)</a>')
        md = markdown.Markdown(extensions=["fenced_code", "tables", "toc", "sane_lists"])
        body = rewrite_links(md.convert(text))
        (OUT / f"{name}.html").write_text(
            TEMPLATE.format(title=html.escape(title), nav="\n".join(links), body=body),
            encoding="utf-8")
        written.append(f"{name}.html")
    return written


def build_reference() -> None:
    """pdoc pages for onnxarray and its public submodules (linalg, fft)."""
    pdoc.render.configure(docformat="restructuredtext", footer_text="onnxarray")
    with warnings.catch_warnings():
        # The result named tuples of linalg annotate their fields with the string "Array",
        # which pdoc cannot resolve in their namespace; it shows the string instead.
        warnings.filterwarnings("ignore", "Error parsing type annotation", UserWarning)
        pdoc.pdoc("onnxarray", output_directory=OUT / "reference")


def main() -> None:
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir()
    pages = build_pages()
    build_reference()
    print(f"docs/_build: {len(pages)} pages ({', '.join(pages)}) and reference/")


if __name__ == "__main__":
    main()
