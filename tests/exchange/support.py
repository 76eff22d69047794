"""Shared fixtures of the exchange tests: a small catalogue, documents, and checks."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from digimaat.errors import DigimaatError, InputError, Problem
from digimaat.exchange import MAX_BYTES, MAX_DEPTH, Limits, Submission, load, loads
from digimaat.measurement.dataset import Dataset
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
    "spec_version": "1.0",
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


# -- Reading, as the tests call it ----------------------------------------------------------


def _read(
    form: str,
    data: Any,
    catalogue: Catalogue | None,
    name: str | None,
    max_bytes: int,
    max_depth: int,
) -> Submission:
    limits = Limits(max_bytes=max_bytes, max_depth=max_depth)
    if isinstance(data, str | bytes | bytearray):
        return loads(
            bytes(data) if isinstance(data, bytearray) else data,
            form=form,
            name=name,
            catalogue=catalogue,
            limits=limits,
        )
    return load(data, form=form, catalogue=catalogue, limits=limits)


def read_json(
    data: Any,
    catalogue: Catalogue | None = None,
    *,
    name: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
) -> Submission:
    """A JSON document read from its text or bytes (``loads``) or from a path (``load``)."""
    return _read("json", data, catalogue, name, max_bytes, max_depth)


def read_csv(
    data: Any,
    catalogue: Catalogue | None = None,
    *,
    name: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Submission:
    """A CSV file read from its text or bytes (``loads``) or from a path (``load``)."""
    return _read("csv", data, catalogue, name, max_bytes, MAX_DEPTH)


# -- The array build against the record view ---------------------------------------------

JSON_NAME = "offerings.json"
CSV_NAME = "offerings.csv"

Outcome = Dataset | list[tuple[Any, ...]]
"""A dataset read, or the problems reported (source, location, field, repr of value, message)."""


def _problem(problem: Problem) -> tuple[Any, ...]:
    # repr, so that a NaN in a problem equals the same NaN in the other report
    return (problem.source, problem.location, problem.field, repr(problem.value), problem.message)


def outcome(read: Callable[[], Dataset]) -> Outcome:
    """The dataset read, or the problems reported."""
    try:
        return read()
    except InputError as exc:
        return [_problem(p) for p in exc.problems]


def from_records(submissions: Sequence[Submission], **options: Any) -> Dataset:
    """The dataset of submissions' offering records, built as ``Dataset.from_offerings`` does.

    A local product that a later submission defines otherwise than an earlier one is an
    :class:`InputError`, as the reader reports one key defined differently in two files."""
    catalogue = submissions[0].catalogue
    for extra in submissions[1:]:
        differing = [
            p for p in extra.local_products if p.uri in catalogue and catalogue.get(p.uri) != p
        ]
        if differing:
            raise InputError(
                [Problem("uri", p.uri, "is defined differently in another file") for p in differing]
            )
        local = [p for p in extra.local_products if p.uri not in catalogue]
        if local:
            catalogue = catalogue.with_local(*local)
    return Dataset.from_offerings(
        [o for s in submissions for o in s.offerings],
        [m for s in submissions for m in s.municipalities],
        catalogue,
        **options,
    )


def rechecked(dataset: Dataset) -> Dataset:
    """The dataset of the same arrays, through every check of :meth:`Dataset.from_arrays`."""
    return Dataset.from_arrays(
        dataset.municipalities,
        dataset.products,
        status=dataset.status,
        capabilities=dataset.capabilities,
        volume=dataset.volume,
        auth_means=dataset.auth_means,
        auth_level=dataset.auth_level,
        fee_override=dataset.fee_override,
        local_target=dataset.local_target,
        local_target_reasons=dataset.local_target_reasons,
        forms_started=dataset.forms_started,
        forms_completed=dataset.forms_completed,
        costs=dataset.cost_table,
        product_scope=dataset.product_scope,
    )


def assert_same(columns: Outcome, records: Outcome) -> None:
    """The same problems, or datasets with equal arrays (NaN-aware) and equal records."""
    if isinstance(records, list):
        assert columns == records
        return
    assert isinstance(columns, Dataset), columns
    for field in attrs.fields(Dataset):
        if field.name == "_derived":
            continue
        mine, theirs = getattr(columns, field.name), getattr(records, field.name)
        if isinstance(theirs, np.ndarray):
            assert mine.dtype == theirs.dtype, field.name
            np.testing.assert_array_equal(mine, theirs, err_msg=field.name, strict=True)
        else:
            assert mine == theirs, field.name


def _both(read: Callable[[], Submission], **options: Any) -> Outcome:
    """The dataset built from the columns, checked against the one built from the records."""
    try:
        submission = read()
    except InputError as exc:
        return [_problem(p) for p in exc.problems]
    columns = outcome(lambda: submission.dataset(**options))
    if isinstance(columns, Dataset):  # built without a second round of checks: it passes them
        assert_same(rechecked(columns), columns)
    records = outcome(lambda: from_records([submission], **options))
    if isinstance(records, list):  # an option the dataset refuses: both refuse it
        assert isinstance(columns, list), columns
        return columns
    assert_same(columns, records)
    return columns


def _careful_json(data: str | bytes, catalogue: Catalogue, max_depth: int) -> Submission:
    """A JSON document read the careful way only (the tokenizer's second way)."""
    from digimaat.errors import ProblemCollector
    from digimaat.exchange.jsonform import tokenize
    from digimaat.exchange.source import text_source
    from digimaat.exchange.submission import merge
    from digimaat.exchange.validation import validate

    limits = Limits(max_depth=max_depth)
    source = text_source(data, name=JSON_NAME, form="json", limits=limits)
    collector = ProblemCollector()
    content = validate(tokenize(source, limits, careful=True), catalogue, limits, collector)
    submission = merge([content] if content else [], catalogue, collector)
    collector.raise_if_any()
    assert submission is not None
    return submission


def same_json(
    data: str | bytes, catalogue: Catalogue = CATALOGUE, max_depth: int = 64, **options: Any
) -> Outcome:
    """A JSON document's dataset: the same from both ways of the tokenizer, from its columns
    and from its records (or the same problems)."""
    result = _both(
        lambda: read_json(data, catalogue, name=JSON_NAME, max_depth=max_depth), **options
    )
    careful = _both(lambda: _careful_json(data, catalogue, max_depth), **options)
    assert_same(result, careful)
    return result


def same_csv(data: str | bytes, catalogue: Catalogue = CATALOGUE, **options: Any) -> Outcome:
    """A CSV file's dataset: the same from the pure and the native tokenizer (where pyarrow
    is installed), from its columns and from its records (or the same problems)."""
    import os

    from digimaat.exchange import native

    pure = _both(lambda: read_csv(data, catalogue, name=CSV_NAME), **options)
    threshold = native.NATIVE_CSV_MIN_BYTES
    native.NATIVE_CSV_MIN_BYTES = 0
    try:
        assert not os.environ.get("DIGIMAAT_PURE")
        fast = _both(lambda: read_csv(data, catalogue, name=CSV_NAME), **options)
    finally:
        native.NATIVE_CSV_MIN_BYTES = threshold
    assert_same(fast, pure)
    return pure
