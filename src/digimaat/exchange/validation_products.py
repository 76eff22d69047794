"""The product keys of offerings, resolved (chapter XCH, XCH-8, PRD-7.2, PRD-7.3).

An offering names its product by URI, key, name or synonym (PRD-7.2); each distinct key is
resolved once, an ambiguous one listing its candidates and an unknown one its suggestions
(PRD-7.3). A key the national steps leave unresolved may be an own name of the
municipality of its offering (PRD-7.2 step 5, PRD-8.4), resolved once per municipality and
key.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._serial import shown
from digimaat.errors import N_
from digimaat.exchange import rules
from digimaat.exchange.raw import IntArray, RawTable, joint
from digimaat.exchange.rules import Fault
from digimaat.exchange.validation_checker import Checker
from digimaat.vocabulary.products import UPL_NAMESPACE, Catalogue, Product, Resolution

__all__ = ["ProductKeys"]


class ProductKeys:
    """Resolves product keys (XCH-8) by URI, key, name or synonym (PRD-7.2), each distinct key
    once; an ambiguous key lists its candidates, an unknown one its suggestions (PRD-7.3). A
    key of a broken local product is silent: its own problem is reported where it is defined.

    A key the national steps leave unresolved may still be an own name of the municipality
    of its offering (PRD-7.2, step 5; PRD-8.4). When the catalogue has own names such a key
    is *pending*: :meth:`__call__` returns a silent fault for it, without the cost of
    suggestions, and :meth:`per_municipality` then resolves it once per distinct
    (municipality, key) pair and reports what still fails at its rows. Keys that resolve
    nationally take the fast path alone, once per distinct key.
    """

    def __init__(self, catalogue: Catalogue, broken: set[str], sheet: bool = False) -> None:
        self.catalogue = catalogue
        self.broken = broken
        self.sheet = sheet
        self.own = catalogue.has_own_names
        self.pending: set[str] = set()
        """The pending keys, as written."""
        self.implied: dict[str, tuple[Product, int]] = {}
        """The local products a sheet's rows name by an unnamed own name of their
        municipality (XCH-18.9), by URI, with the first row (in file order) that names each."""

    def __call__(self, value: Any) -> str | Fault:
        if not isinstance(value, str):
            return Fault.one("must be a text: a product URI or key", shown(value), "XCH-8")
        key = value.strip()
        if key in self.broken:
            return Fault(())
        resolution = self.catalogue.lookup(key, suggestions=not self.own)
        if resolution.product is not None:
            return resolution.product.uri
        if not self.own:
            return self.fault(value, resolution)
        self.pending.add(value)
        return _PENDING

    def fault(self, value: str, resolution: Resolution) -> Fault:
        """The fault of a key that names no product, with its suggestion (PRD-7.3); in a
        sheet, where nothing comes close, how to define a local product (XCH-18.4)."""
        problem = resolution.error("product").problem
        hint = problem.suggestion
        if self.sheet and not resolution.candidates and not hint:
            hint = N_(
                "for a product the UPL does not name, write ja in a column 'lokaal product' "
                "(local_product), or fill local_name ('naam lokaal product'), to define it here"
            )
            words, hits = self.catalogue.search_leading(value)
            if hits:  # products to check, never the key's product (XCH-18.4)
                found = ", ".join(
                    f"{h.product.uri.removeprefix(UPL_NAMESPACE)!r} ({h.product.name})"
                    for h in hits
                )
                hint = f"the catalogue has for {words!r}: {found}; give the key meant, or {hint}"
        return Fault.one(problem.message, value, "XCH-8", suggestion=hint)

    def per_municipality(
        self,
        validator: Checker,
        table: RawTable,
        municipalities: tuple[IntArray, list[Any]],
        products: tuple[IntArray, list[Any], NDArray[np.bool_]],
        reportable: NDArray[np.bool_],
    ) -> tuple[IntArray, list[Any], NDArray[np.bool_]]:
        """The product codes, parsed values and failures with the pending keys resolved.

        Each row of a pending key gets the outcome of its (municipality, key) pair, a new
        parsed value: the product's URI, or the fault to report. The municipality is the
        CBS code the row writes, also where the municipality's own record has a problem
        (reported there); where the row holds no CBS code the national fault stands.
        Faults are reported at the reportable rows, as :meth:`Checker.apply` reports.
        """
        m_codes, m_parsed = municipalities
        p_codes, p_parsed, failed = products
        pending = np.array([p is _PENDING for p in p_parsed] or [False], dtype=np.bool_)
        rows = np.flatnonzero((p_codes >= 0) & pending[np.maximum(p_codes, 0)])
        pairs, members = joint([m_codes[rows], p_codes[rows]])
        values = table.column("product").values
        written = table.column("municipality").values
        outcomes: list[Any] = []
        firsts: IntArray | None = None  # the first row of each pair, found when needed
        for pair, (m_code, p_code) in enumerate(members):
            value = values[p_code]
            listed = code = m_parsed[m_code] if m_code >= 0 else None
            if isinstance(code, Fault):
                code = rules.read_code(written[m_code], validator.dialect)
            municipality = code if isinstance(code, str) else None
            resolution = self.catalogue.lookup(value.strip(), municipality=municipality)
            found = resolution.product
            if found is None and self.sheet and isinstance(listed, str):
                local = self.unnamed(value, listed, resolution)
                if local is not None:
                    if firsts is None:  # rows ascend, so a pair's first index is its first row
                        firsts = rows[np.unique(pairs, return_index=True)[1]]
                    first = int(firsts[pair])
                    known = self.implied.get(local.uri)
                    if known is None or first < known[1]:
                        self.implied[local.uri] = (local, first)
                    outcomes.append(local.uri)
                    continue
            outcomes.append(found.uri if found is not None else self.fault(value, resolution))
        codes = p_codes.copy()
        codes[rows] = len(p_parsed) + pairs
        parsed = [*p_parsed, *outcomes]
        bad = np.array([isinstance(o, Fault) for o in outcomes] or [False], dtype=np.bool_)
        failed = failed.copy()
        failed[rows] = bad[pairs]
        report = rows[bad[pairs] & reportable[rows]]
        if report.size:
            validator.report_at(table, "product", report, codes[report], parsed)
        return codes, parsed, failed

    def unnamed(self, value: str, municipality: str, resolution: Resolution) -> Product | None:
        """The local product a sheet's row of ``municipality`` names by ``value`` (XCH-18.9):
        a key that no step of PRD-7.2 resolves and that finds no candidates, and that is
        a title the municipality's own records link to the placeholder only (PRD-8.4). The
        product is made as a ``local_product`` that says yes makes it (XCH-18.4), named as
        the municipality's records write the title; ``None`` for any other key, or when
        that product would take or shadow one of the catalogue (PRD-6.1)."""
        if resolution.candidates:
            return None
        own = self.catalogue.own_name(value, municipality)
        if own is None or not own.unnamed:
            return None
        from digimaat.exchange.sheet import local_uri  # only a sheet gets here

        product = Product.local(local_uri(municipality, own.text), own.text)
        if self.catalogue.local_problems(product):
            return None
        return product


_PENDING: Final = Fault(())
"""What :class:`ProductKeys` makes of a key that only a municipality's own names may resolve."""


guard(__name__)
