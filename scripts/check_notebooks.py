#!/usr/bin/env python3
"""Validates every exported notebook with nbformat and executes it headless with nbclient
(the notebooks in notebooks-export/ are what `searchlab export notebook` writes).

    .venv/bin/python scripts/check_notebooks.py notebooks-export [more folders or .ipynb files]

Fails (exit 1) on a schema violation or any cell that raises. The executed copies are not
written back: the committed notebooks keep their export-time outputs.
"""
import pathlib
import sys

import nbformat
from nbclient import NotebookClient


def notebooks(args):
    for arg in args:
        path = pathlib.Path(arg)
        yield from sorted(path.glob("*.ipynb")) if path.is_dir() else [path]


def check(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    ids = [cell.get("id") for cell in nb.cells]
    if len(set(ids)) != len(ids) or None in ids:
        raise ValueError("cell ids are missing or repeated")
    # Cells exported with a plot must draw one again when run (matplotlib's inline backend).
    plotted = {c.id for c in nb.cells if any("image/svg+xml" in o.get("data", {}) for o in c.get("outputs", []))}
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.get("output_type") == "error"]
    if errors:
        raise RuntimeError(f"{len(errors)} cells raised")
    for cell in nb.cells:
        if cell.id in plotted:
            drew = any(k.startswith("image/") for o in cell.outputs for k in o.get("data", {}))
            said = any("no data" in o.get("text", "") for o in cell.outputs)
            if not (drew or said):
                raise RuntimeError(f"cell {cell.id} drew no figure when executed")
    return len(nb.cells)


def main():
    found = list(notebooks(sys.argv[1:] or ["notebooks-export"]))
    if not found:
        sys.exit("check_notebooks: no notebooks found")
    failed = 0
    for path in found:
        try:
            cells = check(path)
            print(f"{path}: valid nbformat {4}, {cells} cells, executed without errors")
        except Exception as error:  # report every notebook, then fail
            failed += 1
            print(f"{path}: FAILED: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}", file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
