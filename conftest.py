"""Collection of the examples in ``src/``: a module whose examples need an optional extra that
is not installed is left out, so the tests of an installation without it still pass. The
``dev`` extra installs every extra, so CI runs them all."""

from __future__ import annotations

from importlib.util import find_spec

_NEEDS = {
    "src/digimaat/analysis/frames.py": ("pandas", "polars"),
    "src/digimaat/cli/workbook.py": ("openpyxl",),
    "src/digimaat/plot.py": ("matplotlib",),
}

collect_ignore = [
    path for path, modules in _NEEDS.items() if any(find_spec(module) is None for module in modules)
]
