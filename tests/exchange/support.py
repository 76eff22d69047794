"""Shared fixtures of the exchange tests: a small catalogue, documents, and checks."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from digimaat.errors import DigimaatError, InputError, Problem
from digimaat.vocabulary.products import UPL_NAMESPACE, Additions, Catalogue, Product

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "specs" / "examples"
SCHEMA = ROOT / "specs" / "schema" / "digimaat-offerings-1.0.schema.json"

PARKING = UPL_NAMESPACE + "parkeervergunning"
PASSPORT = UPL_NAMESPACE + "paspoort"
EVENTS = UPL_NAMESPACE + "evenementenvergunning"
DOG_TAX = UPL_NAMESPACE + "hondenbelasting"
APPOINTMENT = UPL_NAMESPACE + "bezafspr"
MOVING = UPL_NAMESPACE + "verhuismelding"


def small_catalogue() -> Catalogue:
    """Six real UPL products, enough for the exchange tests (independent of package data)."""
    reason = "test additions"
    return Catalogue(
        (
            Product(
                PARKING, "parkeervergunning", additions=Additions(fee_applies=True, reason=reason)
            ),
            Product(
                PASSPORT, "paspoort", additions=Additions(physical_presence=True, reason=reason)
            ),
            Product(EVENTS, "evenementenvergunning"),
            Product(DOG_TAX, "hondenbelasting"),
            Product(
                APPOINTMENT, "bezoekafspraak", additions=Additions(fee_applies=False, reason=reason)
            ),
            Product(MOVING, "verhuismelding"),
        )
    )


CATALOGUE = small_catalogue()

BASE: dict[str, Any] = {
    "format": "digimaat-offerings",
    "spec_version": "1.0-draft",
    "reference_year": 2024,
    "municipalities": [
        {"cbs_code": "GM0622", "name": "Vlaardingen", "population": 74124, "year": 2021},
        {"cbs_code": "GM0556", "name": "Maassluis", "population": 34148, "year": 2022},
    ],
    "offerings": [
        {
            "municipality": "GM0622",
            "product": PARKING,
            "capabilities": ["information-online", "downloadable-form"],
            "volumes": {"balie": "700/year", "post": "25 per month"},
        },
        {"municipality": "GM0556", "product": "paspoort", "status": "unknown"},
    ],
}
"""A minimal valid document: two municipalities, two offerings."""


def document(**top: Any) -> dict[str, Any]:
    """A deep copy of :data:`BASE` with top-level members replaced."""
    doc = copy.deepcopy(BASE)
    doc.update(top)
    return doc


def with_offering(index: int, **fields: Any) -> dict[str, Any]:
    """:data:`BASE` with fields of one offering replaced (``None`` removes a field)."""
    doc = copy.deepcopy(BASE)
    for key, value in fields.items():
        if value is None:
            doc["offerings"][index].pop(key, None)
        else:
            doc["offerings"][index][key] = value
    return doc


def text(doc: Any) -> str:
    return json.dumps(doc, ensure_ascii=False)


HEADER = (
    "reference_year,cbs_code,municipality_name,population,population_year,product,status,"
    "capabilities,authentication,local_target,local_target_reason,fee_applies,volume_unit,"
    "volume_balie,volume_post,volume_web,forms_started,forms_completed"
)
ROWS = (
    "2024,GM0622,Vlaardingen,74124,2021,parkeervergunning,,information-online|downloadable-form,"
    ",,,,,700/year,25 per month,,,",
    "2024,GM0556,Maassluis,34148,2022,paspoort,unknown,,,,,,,,,,,",
)
"""The CSV form of :data:`BASE`."""


def csv_text(*rows: str, header: str = HEADER) -> str:
    return "\n".join((header, *(rows or ROWS))) + "\n"


def problems_of(exc: BaseException) -> tuple[Problem, ...]:
    assert isinstance(exc, InputError), f"{type(exc).__name__}: {exc}"
    return exc.problems


def assert_reports(
    exc: BaseException, source: str, location: str | None, field: str, value: Any = None
) -> Problem:
    """The error is an InputError with a problem at the location naming field and value.

    The rendered message must show the file, the location and the field, and the value
    when one is given.
    """
    assert isinstance(exc, DigimaatError)
    found = [
        p
        for p in problems_of(exc)
        if p.source == source and p.location == location and p.field == field
    ]
    if value is not None:
        found = [p for p in found if p.value == value]
    assert found, f"no problem at {source}:{location} for {field} = {value!r} in:\n{exc}"
    problem = found[0]
    where = ":".join(part for part in (source, location) if part)
    assert f"{where}: {field}: " in str(exc), str(exc)
    if value is not None:
        assert problem.value == value, problem
        shown = repr(value) if len(repr(value)) <= 80 else repr(value)[:77] + "..."
        assert f"(got {shown})" in str(exc), str(exc)
    return problem
