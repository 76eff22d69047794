"""The summary of an import: what each publisher published and what became of it (SCI-10).

Per municipality (per publishing authority, keyed by the OWMS URI as published) the
summary counts its records, the records with a product of the catalogue, the values of
``onlineAanvragen``, the kinds of application address, the repairs of UPL URIs, the UPL
URIs that named no product of the catalogue and the offerings written; the national totals
add them up, and say what was left out (authorities that are not municipalities,
duplicates, documents with problems). :meth:`Summary.to_dict` gives the JSON form,
:meth:`Summary.table` the table printed on a terminal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat.analysis.tables import Column, Table
from digimaat.exchange.sc.mapping import REPAIRS, UNKNOWN_KINDS, ApplicationKind
from digimaat.exchange.sc.records import ONLINE_VALUES

__all__ = ["APPLICATION_KINDS", "AuthoritySummary", "Counts", "Summary"]

APPLICATION_KINDS: tuple[str, ...] = ("web", "pdf", "doc", "email", "other", "missing", "none")
"""The kinds of application address counted (SCI-10): those of SCI-6, with ``missing`` (a
claim of ``ja`` or ``digid`` without an address) apart from ``none`` (``nee`` without one)."""


def _zero(keys: Sequence[str]) -> dict[str, int]:
    return dict.fromkeys(keys, 0)


@attrs.define
@shared_repr
class Counts:
    """The counts of SCI-10, for one municipality or the whole country."""

    records: int = 0
    records_with_product: int = 0
    online_aanvragen: dict[str, int] = attrs.field(factory=lambda: _zero(ONLINE_VALUES))
    application_urls: dict[str, int] = attrs.field(factory=lambda: _zero(APPLICATION_KINDS))
    repairs: dict[str, int] = attrs.field(factory=lambda: _zero(REPAIRS))
    unknown_products: dict[str, int] = attrs.field(factory=lambda: _zero(UNKNOWN_KINDS))
    offerings: int = 0

    def count_record(
        self,
        online: str,
        kind: ApplicationKind,
        repairs: Sequence[str],
        unknown: Sequence[str],
        with_product: bool,
    ) -> None:
        """Count one record: its flag, its address, its repairs and its unknown URIs."""
        self.records += 1
        self.records_with_product += with_product
        self.online_aanvragen[online] += 1
        address = kind.value
        if kind is ApplicationKind.NONE:
            address = "none" if online == "nee" else "missing"
        self.application_urls[address] += 1
        for repair in repairs:
            self.repairs[repair] += 1
        for reason in unknown:
            self.unknown_products[reason] += 1

    def add(self, other: Counts) -> None:
        """Add another's counts to these."""
        self.records += other.records
        self.records_with_product += other.records_with_product
        self.offerings += other.offerings
        for mine, theirs in (
            (self.online_aanvragen, other.online_aanvragen),
            (self.application_urls, other.application_urls),
            (self.repairs, other.repairs),
            (self.unknown_products, other.unknown_products),
        ):
            for key, value in theirs.items():
                mine[key] += value

    def to_dict(self) -> dict[str, Any]:
        """The counts as JSON members, in the order of SCI-10."""
        return {
            "records": self.records,
            "records_with_product": self.records_with_product,
            "online_aanvragen": dict(self.online_aanvragen),
            "application_urls": dict(self.application_urls),
            "repairs": dict(self.repairs),
            "unknown_products": dict(self.unknown_products),
            "offerings": self.offerings,
        }


@attrs.frozen
@shared_repr
@shared_eq
class AuthoritySummary:
    """One publishing municipality: its OWMS URI, its CBS code (``None`` if unmapped)."""

    authority: str
    code: str | None
    name: str
    """The CBS name of the municipality, or the label as published when it is unmapped."""
    counts: Counts

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``authority``, ``code``, ``name`` and the counts (SCI-10)."""
        return {
            "authority": self.authority,
            "code": self.code,
            "name": self.name,
            **self.counts.to_dict(),
        }


@attrs.frozen
@shared_repr
@shared_eq
class Summary:
    """The summary of one import (SCI-10)."""

    municipalities: tuple[AuthoritySummary, ...]
    """Every municipal authority with records, mapped ones by CBS code, then unmapped ones."""
    national: Counts
    """The same counts over every municipal authority."""
    non_municipal: tuple[Mapping[str, Any], ...]
    """Authorities that are not municipalities, left out: ``{authority, scheme, label,
    records}``."""
    documents: int
    """XML documents read."""
    duplicates: int
    """Records read more than once (the same identifier and authority), counted once."""
    problems: int
    """Problems reported (documents and records left out, and notices)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: per municipality and the national totals (SCI-10)."""
        mapped = [m for m in self.municipalities if m.code is not None]
        return {
            "municipalities": [m.to_dict() for m in self.municipalities],
            "national": {
                **self.national.to_dict(),
                "municipalities": len({m.code for m in mapped}),
                "unmapped_authorities": [
                    m.authority for m in self.municipalities if m.code is None
                ],
                "non_municipal": [dict(n) for n in self.non_municipal],
                "documents": self.documents,
                "duplicates": self.duplicates,
                "problems": self.problems,
            },
        }

    def as_table(self) -> Table:
        """The summary as a table, one row per municipality and the national totals last."""
        columns = (
            Column("code", "code", "code"),
            Column("municipality", "municipality", "text", width=12),
            Column("records", "recs", "integer"),
            Column("records_with_product", "prod", "integer"),
            Column("nee", "nee", "integer"),
            Column("ja", "ja", "integer"),
            Column("digid", "digid", "integer"),
            Column("pdf", "pdf", "integer"),
            Column("email", "mail", "integer"),
            Column("missing", "miss", "integer"),
            Column("repairs", "rep", "integer"),
            Column("unknown_products", "unkn", "integer"),
            Column("offerings", "offer", "integer"),
        )
        rows = [_row(m.code or "-", m.name, m.counts) for m in self.municipalities]
        rows.append(_row("", "total", self.national))
        return Table("summary", columns, tuple(rows), note=" ".join(self.legend()))

    def legend(self) -> list[str]:
        """What the table's columns mean, and what was left out."""
        out = [
            "recs: records; prod: records with a product of the catalogue; nee/ja/digid: "
            "onlineAanvragen; pdf: a .pdf, .doc or .docx address; mail: mailto:; miss: ja or "
            "digid without an address; rep: UPL URIs repaired; unkn: UPL URIs that name no "
            "product of the catalogue; offer: offerings written."
        ]
        left = [f"{n['label']} ({n['records']} records)" for n in self.non_municipal]
        if left:
            out.append("Not municipalities, left out: " + "; ".join(left) + ".")
        if self.duplicates:
            out.append(f"Records read twice, counted once: {self.duplicates}.")
        return out


def _row(code: str, name: str, counts: Counts) -> tuple[Any, ...]:
    urls = counts.application_urls
    flags = counts.online_aanvragen
    return (
        code,
        name,
        counts.records,
        counts.records_with_product,
        *(flags[v] for v in ONLINE_VALUES),
        urls["pdf"] + urls["doc"],
        urls["email"],
        urls["missing"],
        sum(counts.repairs.values()),
        sum(counts.unknown_products.values()),
        counts.offerings,
    )


guard(__name__)
