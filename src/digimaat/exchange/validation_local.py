"""The rules of local products, in a document and in a sheet (chapter XCH, XCH-6, XCH-18.4).

A document lists its local products (XCH-6); a sheet defines one in the rows that use it
(XCH-18.4), every row that defines it the same way. A local product may not take the URI
or a name of a product of the catalogue (PRD-6.1), nor be listed twice (PRD-6).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat.errors import N_, InvalidValueError, Problem
from digimaat.exchange import rules
from digimaat.exchange.raw import IntArray, RawTable, joint
from digimaat.exchange.rules import Fault, Item
from digimaat.exchange.validation_checker import RANK, Checker
from digimaat.vocabulary.products import Audience, Catalogue, Product

if TYPE_CHECKING:  # pragma: no cover - the sheets' module is imported when one is read
    from digimaat.exchange.sheet import RawSheet

__all__ = ["LocalProductChecks"]


class LocalProductChecks(Checker):
    """The local products of a document or a sheet."""

    def local_products(self) -> tuple[list[Product], dict[str, str], set[str]]:
        """The local products of a document (XCH-6) or a sheet (XCH-18.4), where each is, and
        the URIs of local products with problems."""
        if self.raw.is_sheet:
            return self.sheet_local_products()
        products: list[Product] = []
        where: dict[str, str] = {}
        broken: set[str] = set()
        rank = RANK["local_products"]
        if self.raw.local_products:  # the records of local products, imported when there are
            from digimaat.exchange.local import read_local_product
        for n, (at, value) in enumerate(self.raw.local_products):
            product, problems = read_local_product(value, at)
            for p in problems:
                self.collector.add(p.at(source=self.source), (rank, n, 0))
            uri = value.get("uri") if isinstance(value, dict) else None
            if product is None:
                if isinstance(uri, str):
                    broken.add(uri)
                continue
            clash = _clash(self.catalogue, product)
            clause = "PRD-6.1"
            if product.uri in where:
                clash = ("uri", f"is listed more than once (also at {where[product.uri]})")
                clause = "PRD-6"
            if clash:
                field, message = clash
                self.collector.add(
                    Problem(
                        field,
                        product.uri if field == "uri" else product.name,
                        message,
                        source=self.source,
                        location=f"{at}/{field}",
                        clause=clause,
                    ),
                    (rank, n, 0),
                )
                broken.add(product.uri)
                continue
            where[product.uri] = at
            products.append(product)
        return products, where, broken

    def sheet_local_products(self) -> tuple[list[Product], dict[str, str], set[str]]:
        """Local products defined in the rows of a sheet that name them (XCH-18.4).

        A row whose ``local_name`` is filled defines the product its ``product`` cell names;
        every row that defines the same product must define it the same way.
        """
        table = cast("RawSheet", self.raw).local_rows if self.raw.is_sheet else None
        products: dict[str, Product] = {}
        where: dict[str, str] = {}
        broken: set[str] = set()
        if table is None:
            return [], where, broken
        d = self.dialect
        rules_of: dict[str, Callable[[Any], Any]] = {
            "uri": lambda v: rules.read_text(v, d, max_length=2000, clause="XCH-6"),
            "name": lambda v: rules.read_text(v, d, max_length=200, clause="XCH-6"),
            "audiences": rules.read_audiences,
            "required_assurance": rules.read_assurance,
            "physical_presence": lambda v: rules.read_boolean(v, d, "XCH-6"),
            "fee_applies": lambda v: rules.read_boolean(v, d, "XCH-6"),
            "reference_target": lambda v: rules.read_level(v, d, "MAT-1"),
            "reason": lambda v: rules.read_text(
                v, d, max_length=self.limits.max_text, multiline=True, clause="XCH-6"
            ),
        }
        defining = table.column("name").codes >= 0
        self.orphan_local_cells(table, defining)
        no_key = defining & (table.column("uri").codes < 0)
        for k in self.each(table, no_key):
            self.problem(
                table,
                k,
                "name",
                Item(
                    "",
                    N_("defines a local product, but the row's product cell is empty"),
                    table.column("name").value(k),
                    "XCH-18.4",
                    N_("write the local product's key in the product cell"),
                ),
            )
        defining &= ~no_key
        coded: dict[str, tuple[IntArray, list[Any]]] = {}
        failed = np.zeros(table.size, dtype=np.bool_)
        for field, rule in rules_of.items():
            codes, parsed, bad = self.apply(table, field, rule, defining)
            coded[field] = (codes, parsed)
            failed |= bad & defining
        rows = np.flatnonzero(defining)
        combination, members = joint([coded[f][0][rows] for f in rules_of])
        from digimaat.exchange.local import LocalProductRecord

        for m, member in enumerate(members):
            chosen = rows[combination == m]
            values = {
                f: (None if c < 0 else coded[f][1][c])
                for f, c in zip(rules_of, member, strict=True)
            }
            if any(isinstance(v, Fault) for v in values.values()):
                if isinstance(values["uri"], str):
                    broken.add(values["uri"])
                continue
            k = int(chosen[0])
            uri = str(values["uri"])
            try:
                product = LocalProductRecord(
                    uri=uri,
                    name=str(values["name"]),
                    audiences=values["audiences"] or (Audience.BURGER,),
                    required_assurance=values["required_assurance"],
                    physical_presence=values["physical_presence"],
                    fee_applies=values["fee_applies"],
                    reference_target=values["reference_target"],
                    reason=values["reason"],
                ).product()
            except InvalidValueError as exc:
                field = {"name": "name", "reason": "reason"}.get(exc.field, "uri")
                self.problem(table, k, field, Item("", exc.problem.message, exc.value, "XCH-6"))
                broken.add(uri)
                continue
            clash = _clash(self.catalogue, product)
            if clash:
                field, message = clash
                named = uri if field == "uri" else product.name
                self.problem(table, k, field, Item("", message, named, "PRD-6.1"))
                broken.add(uri)
                continue
            if uri in products and products[uri] != product:
                for row in chosen.tolist():
                    self.problem(
                        table,
                        row,
                        "name",
                        Item(
                            "",
                            f"defines {uri} otherwise than {where[uri]}",
                            values["name"],
                            "XCH-18.4",
                        ),
                    )
                broken.add(uri)
                continue
            if uri not in products:
                products[uri] = product
                where[uri] = table.locate(k, "", "")
        good = [p for u, p in products.items() if u not in broken]
        return good, where, broken

    def orphan_local_cells(self, table: RawTable, defining: NDArray[np.bool_]) -> None:
        """Local product cells in a row that defines no local product (XCH-18.4): reported,
        never dropped."""
        for field, column in table.columns.items():
            if field in ("uri", "name"):
                continue
            for k in self.each(table, (column.codes >= 0) & ~defining):
                self.problem(
                    table,
                    k,
                    field,
                    Item(
                        "",
                        "is filled, but the row defines no local product (its local_name is empty)",
                        column.value(k),
                        "XCH-18.4",
                        "fill local_name ('naam lokaal product') to define one, or empty the cell",
                    ),
                )


def _clash(catalogue: Catalogue, product: Product) -> tuple[str, str] | None:
    """Why a local product may not be defined (PRD-6.1), as its field and a message: its URI
    or its name already names a product of the catalogue (by URI, key, name or synonym)."""
    problems = catalogue.local_problems(product)
    if not problems:
        return None
    first = problems[0]
    message = first.message.replace(f"of local product {product.uri!r} ", "")
    return first.field, message


guard(__name__)
