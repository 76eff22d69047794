"""Build the packaged CBS municipality register (specification chapter MUN, clause MUN-5).

Usage::

    python scripts/build_municipalities.py [DATA_DIR] [--output FILE]

``DATA_DIR`` defaults to the copy kept in the repository, ``data/cbs/`` (provenance and
licence in ``data/cbs/SOURCE.md``). It holds one file per year, ``gemeenten-YYYY.csv``,
with the header ``code,name,population,population_date`` and one row per municipality.

Every row is checked against :class:`digimaat.vocabulary.municipalities.Municipality`; every
problem of every file is reported together, and nothing is written when there is one. The
output is deterministic: provenance first, then one register per year, municipalities sorted
by CBS code. Running the script again on the same input writes the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from digimaat.errors import InputError, InvalidValueError, Problem

__all__ = ["build", "main"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT / "data" / "cbs"
DEFAULT_OUTPUT = ROOT / "src" / "digimaat" / "data" / "municipalities.json"
HEADER = ["code", "name", "population", "population_date"]
SOURCES = {
    2023: "CBS Wijk- en Buurtkaart 2023, version 1, gemeenten layer (Kerncijfers wijken en "
    "buurten 2023, StatLine 85618NED), population on 1 January 2023",
    2024: "CBS StatLine 85755NED 'Gebieden in Nederland 2024', column Inwonertal, population "
    "on 1 January 2024",
}
LICENCE = (
    "CBS open data, Creative Commons Attribution (CC BY 4.0); attribution: 'Bron: CBS'. "
    "See data/cbs/SOURCE.md for the copies used and the cross-checks made."
)
_FILE = re.compile(r"gemeenten-(\d{4})\.csv")


def _read_year(path: Path, year: int, problems: list[Problem]) -> list[dict[str, Any]]:
    from digimaat.vocabulary.municipalities import Municipality

    raw = path.read_bytes()
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    source = path.name
    if not rows or rows[0] != HEADER:
        problems.append(Problem("header", rows[0] if rows else None, f"must be {HEADER}", source))
        return []
    out: list[dict[str, Any]] = []
    for number, row in enumerate(rows[1:], start=2):
        where = f"row {number}"
        if len(row) != len(HEADER):
            problems.append(Problem("row", row, "must have 4 cells", source, where))
            continue
        code, name, population, date = row
        if date != f"{year}-01-01":
            problems.append(
                Problem("population_date", date, f"must be {year}-01-01", source, where)
            )
        try:
            municipality = Municipality(code, name, int(population), year)
        except (InvalidValueError, ValueError) as exc:
            problems.append(Problem("row", row, str(exc), source, where))
            continue
        out.append(
            {
                "code": municipality.cbs_code,
                "name": municipality.name,
                "population": municipality.population,
            }
        )
    codes = [m["code"] for m in out]
    if len(set(codes)) != len(codes):
        problems.append(Problem("code", None, "a CBS code occurs twice", source))
    return sorted(out, key=lambda m: m["code"])


def build(data: Path) -> dict[str, Any]:
    """The register document built from the ``gemeenten-YYYY.csv`` files of ``data``."""
    problems: list[Problem] = []
    years: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for path in sorted(data.glob("gemeenten-*.csv")):
        match = _FILE.fullmatch(path.name)
        if match is None:
            continue
        year = int(match.group(1))
        municipalities = _read_year(path, year, problems)
        years[str(year)] = {
            "source": SOURCES.get(year, f"CBS, population on 1 January {year}"),
            "population_date": f"{year}-01-01",
            "count": len(municipalities),
            "total_population": sum(m["population"] for m in municipalities),
            "municipalities": municipalities,
        }
        files[path.name] = hashlib.md5(path.read_bytes()).hexdigest()
    if not years:
        problems.append(Problem("data", str(data), "holds no gemeenten-YYYY.csv file"))
    if problems:
        raise InputError(problems)
    return {
        "provenance": {
            "publisher": "Centraal Bureau voor de Statistiek (CBS)",
            "licence": LICENCE,
            "files_md5": files,
            "script": "scripts/build_municipalities.py",
        },
        "years": years,
    }


def render(document: dict[str, Any]) -> str:
    """The JSON text written: one municipality per line, a line feed at the end."""
    lines = ["{", f'  "provenance": {json.dumps(document["provenance"], ensure_ascii=False)},']
    lines.append('  "years": {')
    year_parts = []
    for year, register in document["years"].items():
        head = {k: v for k, v in register.items() if k != "municipalities"}
        rows = ",\n".join(
            f"      {json.dumps(m, ensure_ascii=False)}" for m in register["municipalities"]
        )
        body = json.dumps(head, ensure_ascii=False)[:-1]
        year_parts.append(f'    "{year}": {body}, "municipalities": [\n{rows}\n    ]}}')
    lines.append(",\n".join(year_parts))
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Build the register and write it; exit 2 with every problem on bad input."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    try:
        document = build(args.data)
    except InputError as exc:
        print(exc, file=sys.stderr)
        return 2
    args.output.write_text(render(document), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
