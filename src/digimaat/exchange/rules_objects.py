"""The rules of values with members (chapter XCH, XCH-5).

The members of an object the format defines (XCH-5), the product scope a document claims
(AGG-2.1), the cost table it states (CHN-7), and the records of an offering that the JSON
document writes as objects: its provenance (OFF-16) and its web forms (OFF-6).

>>> from digimaat.exchange.rules_objects import read_forms
>>> read_forms({"started": 10, "completed": 8})
(10, 8)
>>> print(read_forms({"started": 10}))
/completed is required [OFF-6]
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from digimaat._boundary import guard
from digimaat._serial import shown
from digimaat.errors import N_, NO_VALUE, InvalidValueError
from digimaat.exchange.rules_values import JSON, MAX_COUNT, Dialect, Fault, Item, read_integer
from digimaat.vocabulary.offerings import (
    FormFunnel,
    Provenance,
)

__all__ = [
    "MAX_SCOPE_PRODUCTS",
    "PRODUCT_SCOPES",
    "read_costs",
    "read_forms",
    "read_keys",
    "read_product_scope",
    "read_provenance",
]


def read_keys(
    value: Mapping[str, Any], allowed: frozenset[str], required: Sequence[str], clause: str
) -> list[Item]:
    """The members of a JSON object that the format does not define (XCH-5), and those
    missing (``clause``, the clause that defines the object)."""
    items: list[Item] = []
    if not allowed.issuperset(value):
        expected = ", ".join(sorted(allowed))
        items += [
            Item(
                f"/{_token(key)}",
                f"is not a member here; expected one of: {expected}",
                NO_VALUE,
                "XCH-5",
            )
            for key in sorted(set(value) - allowed, key=str)
        ]
    items += [
        Item(f"/{_token(key)}", N_("is required"), NO_VALUE, clause)
        for key in required
        if key not in value
    ]
    return items


def _token(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


PRODUCT_SCOPES: Final = ("recorded", "reference", "offerings")
"""The named product scopes of AGG-2.1; a JSON document may also list products."""

MAX_SCOPE_PRODUCTS: Final = 100_000
"""The most products a listed product scope may name (XCH-5)."""


def read_product_scope(value: Any, dialect: Dialect) -> str | tuple[str, ...] | Fault:
    """The product scope a document claims (AGG-2.1, XCH-5): ``recorded`` (the default),
    ``reference`` or ``offerings``; in JSON also a list of product keys, resolved later."""
    if isinstance(value, str):
        name = value.strip().lower()
        if name in PRODUCT_SCOPES:
            return name
        return Fault.one(
            f"must be one of {', '.join(PRODUCT_SCOPES)}"
            + (" or a list of products" if dialect.typed else ""),
            value,
            "XCH-5",
        )
    if dialect.typed and isinstance(value, list):
        if not value or len(value) > MAX_SCOPE_PRODUCTS:
            return Fault.one(
                f"must list 1 to {MAX_SCOPE_PRODUCTS:,} products", shown(value), "XCH-5"
            )
        items = [
            Item(f"/{k}", "must be a product key (a text)", shown(v), "XCH-5")
            for k, v in enumerate(value)
            if not isinstance(v, str) or not v.strip()
        ]
        if items:
            return Fault(tuple(items))
        return tuple(value)
    return Fault.one("must be a product scope name or a list of products", shown(value), "XCH-5")


def read_costs(value: Any, dialect: Dialect) -> Any:
    """The cost table a document states (CHN-7, XCH-5): ``currency`` (default EUR),
    ``source``, ``channels`` and optionally ``products`` (keys resolved later)."""
    from digimaat.vocabulary.channels import CostTable

    if not dialect.typed or not isinstance(value, dict):
        return Fault.one(
            "must be an object: currency, source, channels, products", shown(value), "XCH-5"
        )
    try:
        return CostTable.from_mapping(value)
    except InvalidValueError as exc:
        field = exc.field.removeprefix("costs").removeprefix(".")
        sub = "/" + field.replace(".", "/") if field and field != "costs" else ""
        return Fault.of(exc, "CHN-7", sub)


_PROVENANCE_FIELDS: Final = ("source", "records", "retrieved")

_PROVENANCE_SAMPLE: Final[dict[str, Any]] = {
    "source": "-",
    "records": ["-"],
    "retrieved": "2000-01-01",
}


def read_provenance(value: Any) -> Provenance | Fault:
    """An offering's provenance (OFF-16): ``{"source", "records", "retrieved"}``."""
    if not isinstance(value, dict):
        return Fault.one("must be an object {source, records, retrieved}", shown(value), "OFF-16")
    items = read_keys(value, frozenset(_PROVENANCE_FIELDS), _PROVENANCE_FIELDS, "OFF-16")
    records = value.get("records")
    if isinstance(records, list):
        items += [
            Item(f"/records/{k}", "must be a text", shown(r), "OFF-16")
            for k, r in enumerate(records)
            if not isinstance(r, str)
        ]
    for key in _PROVENANCE_FIELDS:
        if key not in value or any(i.sub.startswith(f"/{key}") for i in items):
            continue
        try:  # each field on its own, so that every bad field is reported
            Provenance(**{**_PROVENANCE_SAMPLE, key: value[key]})
        except InvalidValueError as exc:
            items.append(Item(f"/{key}", exc.problem.message, shown(exc.value), "OFF-16"))
    if items:
        return Fault(tuple(items))
    return Provenance(value["source"], value["records"], value["retrieved"])


def read_forms(value: Any) -> tuple[int, int] | Fault:
    """A forms record ``{"started": ..., "completed": ...}`` (OFF-6)."""
    if not isinstance(value, dict):
        return Fault.one("must be an object {started, completed}", shown(value), "XCH-8")
    items = read_keys(value, frozenset({"started", "completed"}), ("started", "completed"), "OFF-6")
    counts: list[int] = []
    for key in ("started", "completed"):
        if key in value:
            number = read_integer(value[key], JSON, 0, MAX_COUNT, "OFF-6", above="XCH-4")
            if isinstance(number, Fault):
                items.extend(number.within(f"/{key}").items)
            else:
                counts.append(number)
    if items:
        return Fault(tuple(items))
    try:
        FormFunnel(counts[0], counts[1])
    except InvalidValueError as exc:
        return Fault.one(exc.problem.message, counts[1], "OFF-6", sub="/completed")
    return counts[0], counts[1]


guard(__name__)
