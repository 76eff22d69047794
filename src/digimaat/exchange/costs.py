"""Cost tables as files: TOML or JSON (specification chapters CHN, CHN-7 and CHN-8; XCH-5).

A cost file holds one cost table, the same object as the ``costs`` member of an exchange
document: ``currency`` (``EUR`` when absent), ``source``, ``channels`` and, optionally,
``products``, whose keys are product keys (PRD-7.2). It may also say ``format =
"digimaat-costs"``. The command line reads it with ``--costs FILE``; its costs are the data's
(CHN-8).

>>> from digimaat.exchange.costs import loads_costs
>>> table = loads_costs('''
... format = "digimaat-costs"
... source = "Gemeente Vlaardingen, begroting 2024"
... [channels]
... balie = 12.50
... telefoon = 6
... [products."Verhuizing doorgeven"]
... balie = 9
... ''', form="toml")
>>> table.describe()
'EUR per contact, from the data: Gemeente Vlaardingen, begroting 2024'
>>> table.products[0][0]
'http://standaarden.overheid.nl/owms/terms/verhuismelding'
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any, Final

import attrs

from digimaat._boundary import guard
from digimaat._serial import parse_data
from digimaat.errors import NO_VALUE, InputError, InvalidValueError, Problem
from digimaat.exchange.source import Limits, read_source, text_source
from digimaat.vocabulary.channels import CostTable

__all__ = ["COST_FORMAT", "COST_LIMITS", "load_costs", "loads_costs", "resolve_products"]

COST_FORMAT: Final = "digimaat-costs"
"""The optional ``format`` member of a cost file."""
COST_LIMITS: Final = Limits(max_bytes=4 * 1024 * 1024)
"""The default limits of a cost file: 4 MiB (a table of every product is some 100 kB)."""


def load_costs(
    file: str | os.PathLike[str] | IO[bytes] | IO[str],
    *,
    form: str | None = None,
    catalogue: Any = None,
    limits: Limits | None = None,
) -> CostTable:
    """Read a cost table from a TOML or JSON file (CHN-7); every problem at once."""
    name = os.fspath(file) if isinstance(file, str | os.PathLike) else getattr(file, "name", "")
    if form is None:
        form = Path(str(name)).suffix.lower().lstrip(".")
    source = read_source(file, form=form, limits=limits or COST_LIMITS)
    return _read(source.data.decode("utf-8"), form, source.name, catalogue)


def loads_costs(
    text: str | bytes, *, form: str, name: str | None = None, catalogue: Any = None
) -> CostTable:
    """Read a cost table from its text in a form, ``"toml"`` or ``"json"`` (CHN-7)."""
    source = text_source(text, name=name or "<costs>", form=form, limits=COST_LIMITS)
    return _read(source.data.decode("utf-8"), form, source.name, catalogue)


def _read(text: str, form: str | None, name: str, catalogue: Any) -> CostTable:
    if form not in ("toml", "json"):
        raise InputError(
            [
                Problem(
                    "format",
                    form or NO_VALUE,
                    "a cost file must be .toml or .json",
                    source=name,
                    clause="CHN-7",
                )
            ]
        )
    data = parse_data(text, form, name)
    if isinstance(data, dict) and "format" in data:
        data = dict(data)
        if data.pop("format") != COST_FORMAT:
            raise InputError(
                [
                    Problem(
                        "format",
                        text[:40],
                        f"is not {COST_FORMAT!r}: not a cost file",
                        source=name,
                        location="/format",
                        clause="CHN-7",
                    )
                ]
            )
    try:
        table = CostTable.from_mapping(data)
    except InvalidValueError as exc:
        problem = exc.problem
        located = attrs.evolve(
            problem,
            source=name,
            location="/" + problem.field.removeprefix("costs").lstrip(".").replace(".", "/"),
            clause=problem.clause or "CHN-7",
        )
        raise InputError([located]) from None
    return resolve_products(table, catalogue, name)


def resolve_products(table: CostTable, catalogue: Any, source: str | None = None) -> CostTable:
    """The table with its products' keys resolved to URIs in ``catalogue`` (PRD-7.2); an
    unknown or ambiguous key, or two keys of one product, is a problem (CHN-7)."""
    if not table.products:
        return table
    if catalogue is None:
        from digimaat.vocabulary.products import reference_catalogue

        catalogue = reference_catalogue()
    products: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, amounts in table.products:
        resolution = catalogue.lookup(key)
        where = f"/products/{key.replace('~', '~0').replace('/', '~1')}"
        if resolution.product is None:
            found = resolution.error("products").problem
            problems.append(attrs.evolve(found, source=source, location=where, clause="CHN-7"))
        elif resolution.product.uri in products:
            problems.append(
                Problem(
                    "products",
                    key,
                    "names a product listed before",
                    source=source,
                    location=where,
                    clause="CHN-7",
                )
            )
        else:
            products[resolution.product.uri] = amounts
    if problems:
        raise InputError(problems)
    return attrs.evolve(table, products=products)


guard(__name__)
