"""The analysis layer: above measurement, beside exchange, never importing the command line."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "digimaat"


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_analysis_never_imports_the_command_line() -> None:
    for path in [*sorted((SRC / "analysis").glob("*.py")), SRC / "plot.py"]:
        assert not {m for m in imports(path) if m.startswith("digimaat.cli")}, path


def test_lower_layers_never_import_analysis() -> None:
    for folder in ("vocabulary", "measurement", "exchange"):
        for path in sorted((SRC / folder).glob("*.py")):
            assert not {
                m for m in imports(path) if m.startswith(("digimaat.analysis", "digimaat.plot"))
            }, path


def test_the_analysis_layer_reads_exchange_files_in_one_place() -> None:
    """Only ``read_years`` reads exchange files, so a new exchange layer changes one function."""
    users = [
        path.name
        for path in sorted((SRC / "analysis").glob("*.py"))
        if any(m.startswith("digimaat.exchange") for m in imports(path))
    ]
    assert users == ["trends.py"]
    source = (SRC / "analysis" / "trends.py").read_text(encoding="utf-8")
    assert source.count("from digimaat.exchange import") == 1
