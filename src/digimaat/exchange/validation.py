"""The third stage of reading: the rules applied to raw records (specification chapter XCH).

:func:`validate` takes the raw records of one file, as either tokenizer gives them, and
applies the rules of :mod:`digimaat.exchange.rules` to every field: once per distinct raw
value, with the result spread back over the records as arrays. It then checks what spans
fields and records: the rules of an offering (chapter OFF, by building one
:class:`~digimaat.vocabulary.offerings.Offering` per distinct combination of fields, so
that OFF's rules are OFF's own code), that CSV rows agree on their municipality and
document cells, and that no municipality and product occur twice (XCH-7).

Every problem is recorded in one :class:`~digimaat.errors.ProblemCollector` with its
file, location, field, value, clause and suggestion; beyond the collector's limit
problems are counted, never built. The result is a :class:`FileContent`: the validated
columns of the file, from which a dataset's arrays or offering records are made.

The checks live by the part of a file they concern:
:mod:`~digimaat.exchange.validation_checker` (applying a rule per distinct value, and
problems in file order), :mod:`~digimaat.exchange.validation_document` (the document's
members and the municipalities), :mod:`~digimaat.exchange.validation_local` (local
products), :mod:`~digimaat.exchange.validation_offerings` (offerings) and
:mod:`~digimaat.exchange.validation_products` (their product keys).
"""

from __future__ import annotations

from typing import Any

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_repr
from digimaat.errors import ProblemCollector
from digimaat.exchange.raw import RawFile
from digimaat.exchange.source import Limits
from digimaat.exchange.validation_document import FORMAT, DocumentChecks
from digimaat.exchange.validation_local import LocalProductChecks
from digimaat.exchange.validation_offerings import OfferingChecks, OfferingColumns
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.products import Catalogue, Product

__all__ = ["FORMAT", "FileContent", "OfferingColumns", "validate"]


@attrs.frozen(eq=False)
@shared_repr
class FileContent:
    """The validated content of one exchange file."""

    source: str
    reference_year: int | None
    description: str | None
    """The document's ``source`` text: who compiled the data, from what and when."""
    municipalities: tuple[Municipality, ...]
    municipality_where: dict[str, str]
    local_products: tuple[Product, ...]
    local_where: dict[str, str]
    offerings: OfferingColumns
    product_scope: str | tuple[str, ...] | None = None
    """The product scope the file claims (AGG-2.1): a name, or product URIs; ``None`` if
    it claims none."""
    costs: Any = None
    """The cost table the file states (CHN-7), a ``CostTable``, or ``None``."""


class _Validator(DocumentChecks, LocalProductChecks, OfferingChecks):
    """Applies the rules to the raw records of one file: every part's checks."""


def validate(
    raw: RawFile,
    catalogue: Catalogue,
    limits: Limits,
    collector: ProblemCollector,
) -> FileContent | None:
    """Apply every rule to the raw records of one file; ``None`` when nothing could be read.

    Problems go into ``collector``; the content returned holds only what passed.
    """
    validator = _Validator(raw, catalogue, limits, collector)
    for problem in raw.problems:
        validator.collector.add(problem)
    try:
        if not raw.complete:
            if not raw.is_sheet:
                validator.document(complete=False)  # a format problem replaces the syntax one
            return None
        year, text, go_on = validator.document()
        if not go_on:
            return None
        municipalities, municipality_where, broken_codes = validator.municipalities()
        local, local_where, broken_uris = validator.local_products()
        full = catalogue.with_local(*local) if local else catalogue
        offerings = validator.offerings(municipalities, broken_codes, full, broken_uris)
        for uri, (product, where) in validator.implied_local.items():  # XCH-18.9
            local.append(product)
            local_where[uri] = where
        product_scope = validator.resolved_scope(full)
        costs = validator.resolved_costs(full)
    finally:
        validator.collector.flush()
    return FileContent(
        source=raw.source.name,
        reference_year=year,
        description=text,
        municipalities=tuple(municipalities[c] for c in sorted(municipalities)),
        municipality_where=municipality_where,
        local_products=tuple(sorted(local, key=lambda p: p.uri)),
        local_where=local_where,
        offerings=offerings,
        product_scope=product_scope,
        costs=costs,
    )


guard(__name__)
