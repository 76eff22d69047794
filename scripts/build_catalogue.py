"""Build the packaged UPL extract of the reference product catalogue (specification PRD-2, PRD-3).

Usage::

    python scripts/build_catalogue.py [PATH/TO/UPL-actueel.csv] [--output FILE]

The export defaults to the copy kept in the repository, ``data/upl/UPL-actueel.csv``
(provenance in ``data/upl/SOURCE.md``).

The input is the UPL "actueel" CSV export (19 columns, one row per product and legal basis).
The script keeps the municipal subset (``Gemeente`` = ``X``), merges the rows of each URI
into one record (its legal bases merged, every other column required to agree), checks every
record against :meth:`digimaat.vocabulary.products.Product.from_upl`, and writes a
deterministic JSON document: provenance first, then the products sorted by URI. Running it
again on the same input writes the same bytes.

Every problem found in the input is reported together, with its row number, and nothing is
written when there is one. The provenance text describes one copy of the export (the one
with :data:`EXPECTED_MD5`); for another copy, ``--source`` and ``--retrieved`` must say
where it came from.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from digimaat.errors import InputError, InvalidValueError, Problem, ProblemCollector
from digimaat.vocabulary.products import Product

__all__ = ["COLUMNS", "build", "main", "render"]

COLUMNS: tuple[str, ...] = (
    "UniformeProductnaam",
    "URI",
    "Rijk",
    "Provincie",
    "Waterschap",
    "Gemeente",
    "Burger",
    "Bedrijf",
    "Dienstenwet",
    "SDG",
    "Autonomie",
    "Medebewind",
    "Aanvraag",
    "Subsidie",
    "Melding",
    "Verplichting",
    "Grondslag",
    "Grondslaglabel",
    "Grondslaglink",
)
"""The export's columns, in order."""

FLAGS: tuple[str, ...] = tuple(
    c
    for c in COLUMNS
    if c
    not in {"UniformeProductnaam", "URI", "SDG", "Grondslag", "Grondslaglabel", "Grondslaglink"}
)
"""The flag columns (``X`` or empty), in the export's order."""

_LEGAL = ("Grondslag", "Grondslaglabel", "Grondslaglink")
_PRODUCT_COLUMNS = tuple(c for c in COLUMNS if c not in _LEGAL)

_AUDIENCES = {"Burger": "burger", "Bedrijf": "bedrijf"}
_TASK_TYPES = {"Autonomie": "autonomie", "Medebewind": "medebewind"}
_INTERACTIONS = {
    "Aanvraag": "aanvraag",
    "Melding": "melding",
    "Verplichting": "verplichting",
    "Subsidie": "subsidie",
}

EXPECTED_MD5 = "e121346f754fe7905b99c2430cb2b3ed"
"""The md5 of the copy of the export that :data:`SOURCE` and :data:`RETRIEVED` describe."""

SOURCE = (
    "Uniforme Productnamenlijst (UPL), export UPL-actueel.csv, published by Logius/KOOP "
    "(standaarden.overheid.nl, OWMS value list overheid.uniformeproductnaam); copy taken from "
    "the public GitHub repository nl-portal/nl-portal-docker-compose, path "
    "imports/openproduct/init/UPL-actueel.csv, commit 53fc0012aa29c77dfb0b1b1ad2a6c2bfbc3ca61c"
)
"""Where the copy with :data:`EXPECTED_MD5` comes from."""

RETRIEVED = "2025-04-30"
"""The date of that copy (the date of the commit that added it)."""

SCRIPT = "scripts/build_catalogue.py"


def _read(path: Path, collector: ProblemCollector) -> list[dict[str, str]]:
    text = path.read_bytes().decode("utf-8")
    if text.startswith("\ufeff"):
        collector.add(Problem("file", "BOM", "must be UTF-8 without a byte-order mark"))
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or tuple(header) != COLUMNS:
        collector.add(
            Problem("header", header, f"must be the {len(COLUMNS)} columns {', '.join(COLUMNS)}"),
            "row 1",
        )
        return []
    rows = []
    for number, values in enumerate(reader, start=2):
        if len(values) != len(COLUMNS):
            collector.add(
                Problem("row", len(values), f"must have {len(COLUMNS)} fields"), f"row {number}"
            )
            continue
        row = {column: value.strip() for column, value in zip(COLUMNS, values, strict=True)}
        row["_row"] = str(number)
        rows.append(row)
    return rows


def _check_row(row: Mapping[str, str], collector: ProblemCollector) -> None:
    where = f"row {row['_row']}"
    for column in FLAGS:
        if row[column] not in ("", "X"):
            collector.add(Problem(column, row[column], "must be 'X' or empty"), where)
    if not row["URI"]:
        collector.add(Problem("URI", row["URI"], "must not be empty"), where)
    if not row["UniformeProductnaam"]:
        collector.add(Problem("UniformeProductnaam", "", "must not be empty"), where)
    if not row["Grondslag"] and (row["Grondslaglabel"] or row["Grondslaglink"]):
        collector.add(
            Problem(
                "Grondslag", "", "must not be empty when Grondslaglabel or Grondslaglink is set"
            ),
            where,
        )


def _record(rows: Sequence[Mapping[str, str]], collector: ProblemCollector) -> dict[str, Any]:
    first = rows[0]
    for other in rows[1:]:
        for column in _PRODUCT_COLUMNS:
            if other[column] != first[column]:
                collector.add(
                    Problem(
                        column,
                        other[column],
                        f"differs from row {first['_row']} ({first[column]!r}) for the "
                        f"same URI {first['URI']!r}",
                    ),
                    f"row {other['_row']}",
                )
    codes = first["SDG"].split(";") if first["SDG"] else []
    if len(set(codes)) != len(codes):
        collector.add(Problem("SDG", first["SDG"], "repeats a code"), f"row {first['_row']}")
    bases = {(r["Grondslag"], r["Grondslaglabel"], r["Grondslaglink"]) for r in rows}
    return {
        "uri": first["URI"],
        "name": first["UniformeProductnaam"],
        "audiences": [v for k, v in _AUDIENCES.items() if first[k] == "X"],
        "task_types": [v for k, v in _TASK_TYPES.items() if first[k] == "X"],
        "interaction_kinds": [v for k, v in _INTERACTIONS.items() if first[k] == "X"],
        "sdg_codes": codes,
        "upl_flags": [column for column in FLAGS if first[column] == "X"],
        "legal_bases": [
            {"uri": uri, "label": label, "link": link} for uri, label, link in sorted(bases) if uri
        ],
    }


def build(
    path: Path, *, source: str = SOURCE, retrieved: str = RETRIEVED, check_md5: bool = True
) -> dict[str, Any]:
    """Read the export at ``path`` and return the catalogue document.

    Raises :class:`~digimaat.errors.InputError` with every problem found. With
    ``check_md5`` the file must be the copy that ``source`` and ``retrieved`` describe.
    """
    data = path.read_bytes()
    md5 = hashlib.md5(data).hexdigest()
    collector = ProblemCollector(source=path.name)
    if check_md5 and md5 != EXPECTED_MD5:
        collector.add(
            Problem(
                "md5",
                md5,
                f"is not the md5 of the copy the provenance text "
                f"describes ({EXPECTED_MD5}); give --source and --retrieved "
                "for another copy",
            )
        )
    rows = _read(path, collector)
    grouped: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        _check_row(row, collector)
        grouped.setdefault(row["URI"], []).append(row)
    products = []
    for uri in sorted(grouped):
        group = grouped[uri]
        if not any(r["Gemeente"] == "X" for r in group):
            continue
        record = _record(group, collector)
        with collector.catching(location=f"row {group[0]['_row']}"):
            Product.from_upl(record)
        products.append(record)
    collector.raise_if_any()
    return {
        "provenance": {
            "source": source,
            "retrieved": retrieved,
            "md5": md5,
            "rows": len(rows),
            "unique_uris": len(grouped),
            "municipal_uris": len(products),
            "script": SCRIPT,
        },
        "products": products,
    }


def render(document: Mapping[str, Any]) -> str:
    """The document as deterministic JSON: fixed key order, one-space indent, final newline."""
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    default = Path(__file__).resolve().parent.parent / "src/digimaat/data/upl_gemeente.json"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "csv",
        type=Path,
        nargs="?",
        default=Path(__file__).resolve().parents[1] / "data" / "upl" / "UPL-actueel.csv",
        help="the UPL-actueel.csv export (default: data/upl/UPL-actueel.csv)",
    )
    parser.add_argument(
        "--output",
        "-o",
        type=Path,
        default=default,
        help="where to write the JSON (default: the package data file)",
    )
    parser.add_argument("--source", help="provenance text for a copy other than the known one")
    parser.add_argument("--retrieved", help="date (YYYY-MM-DD) of a copy other than the known one")
    args = parser.parse_args(argv)
    if (args.source is None) != (args.retrieved is None):
        parser.error("--source and --retrieved go together")
    try:
        if args.source is None:
            document = build(args.csv)
        else:
            document = build(
                args.csv, source=args.source, retrieved=args.retrieved, check_md5=False
            )
    except (InputError, InvalidValueError) as exc:
        print(exc, file=sys.stderr)
        return 1
    args.output.write_text(render(document), encoding="utf-8", newline="\n")
    counts = document["provenance"]
    print(
        f"{args.output.name}: {counts['municipal_uris']} municipal products "
        f"of {counts['unique_uris']} URIs in {counts['rows']} rows"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
