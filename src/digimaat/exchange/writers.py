"""Writing submissions: the JSON document and the CSV form (chapter XCH, XCH-10, XCH-13).

Both writers write the canonical form, so that the same submission always gives the same
text, and a file read and written again is the same text (XCH-14).

>>> from digimaat.exchange import loads
>>> from digimaat.exchange.writers import format_number
>>> format_number(996.0), format_number(0.1), format_number(2.5, decimal_comma=True)
('996', '0.1', '2,5')
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from digimaat._boundary import guard
from digimaat._version import SPEC_VERSION
from digimaat.errors import DigimaatError
from digimaat.exchange.sheet import COLUMNS, LOCAL_COLUMNS, SCOPE_COLUMN
from digimaat.exchange.submission import Submission
from digimaat.exchange.validation import FORMAT
from digimaat.vocabulary.maturity import Capability
from digimaat.vocabulary.offerings import Offering, check_volume
from digimaat.vocabulary.products import DEFAULT_ADDITIONS, Product

__all__ = ["ExchangeError", "dumps_csv", "dumps_json", "format_number", "offering_record"]

_CAPABILITY_ORDER = {c: i for i, c in enumerate(Capability)}  # the order of MAT-2


class ExchangeError(DigimaatError):
    """A submission cannot be written in the asked form (e.g. an unused local product in CSV,
    XCH-13)."""


def format_number(value: float, decimal_comma: bool = False) -> str:
    """The canonical written form of a number of requests per year (XCH-10).

    Whole numbers below 10**15 are written without a fraction; other numbers in the
    shortest form that reads back as the same binary64 number.
    """
    value = check_volume("volume", value)  # a number of requests per year (OFF-14)
    text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return text.replace(".", ",") if decimal_comma else text


def offering_record(offering: Offering) -> dict[str, Any]:
    """The canonical JSON record of an offering (XCH-10): absent fields are left out."""
    record: dict[str, Any] = {
        "municipality": offering.municipality,
        "product": offering.product,
        "status": offering.status.value,
    }
    if offering.capabilities:
        record["capabilities"] = [
            c.value for c in sorted(offering.capabilities, key=_CAPABILITY_ORDER.__getitem__)
        ]
    if offering.authentication is not None:
        record["authentication"] = offering.authentication.name
    if offering.local_target is not None:
        record["local_target"] = offering.local_target.label
        record["local_target_reason"] = offering.local_target_reason
    if offering.fee_applies is not None:
        record["fee_applies"] = offering.fee_applies
    if offering.volumes is not None:
        record["volumes"] = {
            c.value: f"{format_number(v)}/year"
            for c, v in zip(
                offering.volumes.channels, offering.volumes.per_year_values, strict=True
            )
        }
    if offering.forms is not None:
        record["forms"] = {"started": offering.forms.started, "completed": offering.forms.completed}
    if offering.notes is not None:
        record["notes"] = offering.notes
    if offering.provenance is not None:
        provenance = offering.provenance
        record["provenance"] = {
            "source": provenance.source,
            "records": list(provenance.records),
            "retrieved": provenance.retrieved.isoformat(),
        }
    return record


def dumps_json(submission: Submission) -> str:
    """A submission as a JSON document in canonical form (XCH-10).

    Members appear in a fixed order, records in the submission's canonical order, one
    record per line; volumes are written as requests per year (``"996/year"``).
    """
    if not isinstance(submission, Submission):
        raise ExchangeError(f"dumps_json needs a Submission, got {type(submission).__name__}")

    def line(record: Any) -> str:
        return json.dumps(record, ensure_ascii=False, allow_nan=False)

    def array(records: Iterable[Mapping[str, Any]]) -> str:
        lines = [f"    {line(r)}" for r in records]
        return "[\n" + ",\n".join(lines) + "\n  ]" if lines else "[]"

    head: dict[str, Any] = {
        "format": FORMAT,
        "spec_version": SPEC_VERSION,
        "reference_year": submission.reference_year,
    }
    if submission.source is not None:
        head["source"] = submission.source
    if submission.product_scope != "recorded":
        scope = submission.product_scope
        head["product_scope"] = scope if isinstance(scope, str) else list(scope)
    if submission.costs is not None:
        costs = submission.costs.to_dict()
        del costs["origin"]
        head["costs"] = costs
    parts = [f"  {json.dumps(key)}: {line(value)}" for key, value in head.items()]
    municipalities = (
        {"cbs_code": m.cbs_code, "name": m.name, "population": m.population, "year": m.year}
        for m in submission.municipalities
    )
    parts.append(f'  "municipalities": {array(municipalities)}')
    if submission.local_products:
        from digimaat.exchange.local import local_record

        _exchangeable(submission.local_products)
        parts.append(
            f'  "local_products": {array(local_record(p) for p in submission.local_products)}'
        )
    parts.append(f'  "offerings": {array(offering_record(o) for o in submission.offerings)}')
    return "{\n" + ",\n".join(parts) + "\n}\n"


def _exchangeable(products: Iterable[Product]) -> None:
    """Refuse local products that cannot be written as records (XCH-6)."""
    for product in products:
        for name in ("task_types", "sdg_codes", "upl_flags", "legal_bases"):
            if getattr(product, name):
                raise ExchangeError(
                    f"the local product {product.uri} has {name}, which a document cannot "
                    "hold for a local product (XCH-6); leave it empty"
                )
        if not product.uri or any(c.isspace() for c in product.uri):
            raise ExchangeError(
                f"the local product {product.uri!r} has no URI a document can hold (XCH-6): "
                "it must not be empty or hold white space"
            )
        if product.additions != DEFAULT_ADDITIONS and not product.additions.reason.strip():
            raise ExchangeError(
                f"the local product {product.uri} has additions without a reason, which a "
                "document cannot hold (XCH-6, PRD-4); give the reason"
            )


def dumps_csv(submission: Submission, *, dutch: bool = False) -> str:
    """A submission in the CSV form (XCH-13), rows in the submission's canonical order.

    With ``dutch=True`` the text is written as a Dutch spreadsheet expects it: ``;`` as
    the separator, a decimal comma, and a byte order mark. ``source`` and ``notes`` columns
    are written only when there is something in them, and the local product columns only when
    the submission defines local products, each in the first row that names it (XCH-18.4). A
    volume record without any channel cannot be written in CSV (XCH-11), nor can a local
    product that no offering names (XCH-13).
    """
    if not isinstance(submission, Submission):
        raise ExchangeError(f"dumps_csv needs a Submission, got {type(submission).__name__}")
    if not isinstance(submission.product_scope, str):
        raise ExchangeError(
            "the submission lists its product scope, which the CSV form cannot hold (XCH-11); "
            "use the JSON document"
        )
    if submission.costs is not None:
        raise ExchangeError(
            "the submission states costs, which the CSV form cannot hold (XCH-11); use the "
            "JSON document or a cost file"
        )
    offerings = submission.offerings
    local = _local_cells(submission.local_products, offerings)
    with_notes = any(o.notes is not None for o in offerings)
    scoped = submission.product_scope != "recorded"
    columns = [
        c
        for c in COLUMNS
        if (c != "source" or submission.source is not None) and (c != "notes" or with_notes)
    ]
    if local:
        at = columns.index("source") if "source" in columns else len(columns)
        columns[at:at] = LOCAL_COLUMNS
    if scoped:
        columns.append(SCOPE_COLUMN)
    out = io.StringIO()
    if dutch:
        out.write("\ufeff")
    import csv  # only to write the CSV form

    writer = csv.writer(out, delimiter=";" if dutch else ",", lineterminator="\r\n")
    writer.writerow(columns)
    by_code: dict[str, list[Offering]] = {m.cbs_code: [] for m in submission.municipalities}
    for offering in offerings:
        by_code[offering.municipality].append(offering)
    for municipality in submission.municipalities:
        common = {
            "reference_year": str(submission.reference_year),
            "cbs_code": municipality.cbs_code,
            "municipality_name": municipality.name,
            "population": str(municipality.population),
            "population_year": str(municipality.year),
            "source": submission.source or "",
            "product_scope": str(submission.product_scope),
        }
        rows = [
            {**_cells(o, dutch), **local.pop(o.product, {})} for o in by_code[municipality.cbs_code]
        ] or [{}]
        for cells in rows:
            merged = {**common, **cells}
            writer.writerow([merged.get(column, "") for column in columns])
    return out.getvalue()


def _local_cells(
    products: Iterable[Product], offerings: Iterable[Offering]
) -> dict[str, dict[str, str]]:
    """The local product cells of each local product, by URI: written in the first row that
    names it (XCH-13, XCH-18.4). A local product that no row names, or that has fields the
    sheet has no column for, cannot be written."""
    products = tuple(products)
    if not products:
        return {}
    _exchangeable(products)
    used = {o.product for o in offerings}
    out: dict[str, dict[str, str]] = {}
    for product in products:
        if product.uri not in used:
            raise ExchangeError(
                f"the local product {product.uri} is named by no offering, and the CSV form "
                "defines a local product only in a row that names it (XCH-13); use the JSON "
                "document"
            )
        if product.interaction_kinds:
            raise ExchangeError(
                f"the local product {product.uri} has interaction_kinds, which the CSV form "
                "cannot hold (XCH-18.4); use the JSON document"
            )
        from digimaat.exchange.local import local_record

        record = local_record(product)

        def text(value: Any) -> str:
            if value is None:
                return ""
            if isinstance(value, bool):
                return str(value).lower()
            return str(value)

        out[product.uri] = {
            "local_name": record["name"],
            "local_audiences": "|".join(record.get("audiences", ())),
            **{
                f"local_{field}": text(record.get(field))
                for field in (
                    "required_assurance",
                    "physical_presence",
                    "fee_applies",
                    "reference_target",
                    "reason",
                )
            },
        }
    return out


def _cells(offering: Offering, dutch: bool) -> dict[str, str]:
    cells = {
        "product": offering.product,
        "status": offering.status.value,
        "capabilities": "|".join(
            c.value for c in sorted(offering.capabilities, key=_CAPABILITY_ORDER.__getitem__)
        ),
        "authentication": offering.authentication.name if offering.authentication else "",
        "local_target": offering.local_target.label if offering.local_target is not None else "",
        "local_target_reason": offering.local_target_reason or "",
        "fee_applies": "" if offering.fee_applies is None else str(offering.fee_applies).lower(),
        "notes": offering.notes or "",
    }
    if offering.volumes is not None:
        if not offering.volumes.channels:
            raise ExchangeError(
                f"the offering of {offering.product} in {offering.municipality} has a volume "
                "record without any channel, which the CSV form cannot hold (XCH-11); "
                "write an explicit 0 for a channel, or use the JSON form"
            )
        cells["volume_unit"] = "per year"
        for channel, value in zip(
            offering.volumes.channels, offering.volumes.per_year_values, strict=True
        ):
            cells[f"volume_{channel.value}"] = format_number(value, dutch)
    if offering.forms is not None:
        cells["forms_started"] = str(offering.forms.started)
        cells["forms_completed"] = str(offering.forms.completed)
    return cells


guard(__name__)
