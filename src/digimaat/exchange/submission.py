"""The last stage of reading: submissions, and the datasets built from them (chapter XCH).

A :class:`Submission` is what one or more exchange files hold, validated: a reference
year, municipalities, their offerings and the local products those use (XCH-1). It keeps
the offerings as the validated columns the reader made; :meth:`Submission.dataset` turns
them into the measurement core's arrays directly, and :attr:`Submission.offerings` gives
them as :class:`~digimaat.vocabulary.offerings.Offering` records, a view of the same
columns made on first use.

Several files are read into one submission when they agree (XCH-7): every municipality
in one file only, every local product defined the same way wherever it is defined, and one
reference year. The result never depends on the order of the files or of their records.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from digimaat._boundary import guard
from digimaat._classes import shared_repr
from digimaat._serial import shown
from digimaat.errors import NO_VALUE, InputError, InvalidValueError, Problem, ProblemCollector
from digimaat.exchange.submission_columns import canonical_order, columns_of, concatenate
from digimaat.exchange.validation import FileContent, OfferingColumns
from digimaat.measurement.dataset import STATUS_CODES, Dataset, StatusCode
from digimaat.measurement.dataset_arrays import checked_fields
from digimaat.vocabulary.assurance import (
    AssuranceLevel,
    Authentication,
    AuthMeans,
)
from digimaat.vocabulary.channels import CHANNELS, Channel, ContactCost, CostTable
from digimaat.vocabulary.maturity import Capability, MaturityLevel
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import FormFunnel, Offering, Status, VolumeRecord
from digimaat.vocabulary.products import Catalogue, Product, reference_catalogue

__all__ = ["Submission", "merge"]

_STATUS_BY_CODE = {code: status for status, code in STATUS_CODES.items()}
_MEANS = tuple(AuthMeans)
_CAPABILITIES = tuple(Capability)


@functools.cache
def _capability_set(mask: int) -> frozenset[Capability]:
    return frozenset(c for c in _CAPABILITIES if mask & c.bit)


@functools.cache
def _authentication(means: int, level: int) -> Authentication | None:
    if means < 0:
        return None
    return Authentication(_MEANS[means], None if level < 0 else AssuranceLevel(level))


def _check_year(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1800 <= value <= 2200:
        raise InvalidValueError(attribute.name, value, "must be a calendar year (1800-2200)")


@attrs.frozen(eq=False)
@shared_repr
class Submission:
    """The content of one or more exchange files (XCH-1), validated.

    Build one by reading files (:func:`digimaat.exchange.load`) or from records with
    :meth:`build`. Records are kept in canonical order (municipalities by CBS code, local
    products by URI, offerings by municipality and product URI), so two submissions with
    the same records are equal whatever order they were read in.
    """

    reference_year: int = attrs.field(validator=_check_year)
    """The calendar year the observations and the volumes refer to."""
    municipalities: tuple[Municipality, ...]
    local_products: tuple[Product, ...]
    source: str | None
    """Free text: who compiled the data, from what and when. Read from several files, it
    is their common ``source`` (``None`` when they differ; see :attr:`sources`)."""
    catalogue: Catalogue = attrs.field(repr=False)
    """The catalogue the offerings' products were resolved in, local products included."""
    columns: OfferingColumns = attrs.field(repr=False)
    """The validated offerings as columns."""
    files: tuple[str, ...] = ()
    """The files read, by name."""
    sources: tuple[str | None, ...] = ()
    """The ``source`` text of each file of :attr:`files`, in the same order."""
    product_scope: str | tuple[str, ...] = "recorded"
    """The product scope the data claims (AGG-2.1): ``"recorded"`` (the default),
    ``"reference"``, ``"offerings"``, or the URIs of the products listed."""
    costs: CostTable | None = None
    """The cost table the data states (CHN-7), or ``None``."""

    # -- the records view -------------------------------------------------------------------

    @functools.cached_property
    def offerings(self) -> tuple[Offering, ...]:
        """The offerings as records, in canonical order (a view of :attr:`columns`)."""
        c = self.columns
        order = canonical_order(c)
        out: list[Offering] = []
        volumes_of: dict[bytes, VolumeRecord] = {}
        for k in order.tolist():
            volume = None
            if c.has_volume[k]:
                row = c.volume[k]
                key = row.tobytes()
                volume = volumes_of.get(key)
                if volume is None:
                    listed = {
                        ch: float(v)
                        for ch, v in zip(CHANNELS, row.tolist(), strict=True)
                        if not np.isnan(v)
                    }
                    volume = volumes_of[key] = VolumeRecord.from_per_year(listed)
            forms = None
            if not np.isnan(c.forms_started[k]):
                forms = FormFunnel(int(c.forms_started[k]), int(c.forms_completed[k]))
            target = int(c.local_target[k])
            fee = int(c.fee[k])
            out.append(
                Offering(
                    c.cbs_codes[int(c.municipality[k])],
                    c.uris[int(c.product[k])],
                    _STATUS_BY_CODE[int(c.status[k])],
                    _capability_set(int(c.capabilities[k])),
                    c.options.get(k) or _authentication(int(c.auth_means[k]), int(c.auth_level[k])),
                    None if target < 0 else MaturityLevel(target),
                    c.reasons.get(k),
                    volume,
                    forms,
                    None if fee < 0 else bool(fee),
                    notes=c.notes.get(k),
                    provenance=c.provenance.get(k),
                )
            )
        return tuple(out)

    def municipality(self, cbs_code: str) -> Municipality:
        """The municipality with this CBS code."""
        for municipality in self.municipalities:
            if municipality.cbs_code == cbs_code:
                return municipality
        raise InvalidValueError("cbs_code", cbs_code, "is not a municipality of this submission")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Submission):
            return NotImplemented
        return (
            self.reference_year == other.reference_year
            and self.municipalities == other.municipalities
            and self.local_products == other.local_products
            and self.source == other.source
            and self.product_scope == other.product_scope
            and self.costs == other.costs
            and self.offerings == other.offerings
        )

    __hash__ = None  # type: ignore[assignment]

    # -- the dataset --------------------------------------------------------------------------

    def dataset(
        self,
        *,
        products: Iterable[str] | str | None = None,
        costs: CostTable | Mapping[Channel, ContactCost] | None = None,
    ) -> Dataset:
        """The measurement core's dataset of this submission's offerings (AGG-1).

        ``products`` is the product scope (AGG-2.1), by default the one the data claims
        (:attr:`product_scope`): ``"recorded"``, ``"reference"``, ``"offerings"`` or a
        list of URIs; in the last three, a product of the scope without an offering in a
        municipality has the status "no record" there. ``costs`` is the cost table, by
        default the one the data states (:attr:`costs`), else the defaults of CHN-5.
        """
        c = self.columns
        counts = np.bincount(c.product, minlength=len(c.uris)) if c.size else np.zeros(0)
        used = {c.uris[j] for j in np.flatnonzero(counts).tolist()}
        scope = self.product_scope if products is None else products
        if costs is None:
            costs = self.costs
        listed = scope != "recorded"
        if scope in ("recorded", "offerings"):
            uris = sorted(used)
        elif scope == "reference":
            uris = sorted(used | {p.uri for p in self.catalogue if p.reference})
        elif isinstance(scope, str):
            raise InvalidValueError(
                "products", scope, "must be 'recorded', 'reference', 'offerings' or a list"
            )
        else:
            products = scope
            wanted = _uri_list(products)
            missing = sorted(used - set(wanted))
            unknown = sorted(u for u in wanted if u not in self.catalogue)
            problems = [
                Problem("products", uri, "is named by an offering but not in the product list")
                for uri in missing
            ] + [Problem("products", uri, "is not in the catalogue") for uri in unknown]
            if problems:
                raise InputError(problems)
            uris = sorted(set(wanted))
        codes = [m.cbs_code for m in self.municipalities]
        code_index = {code: i for i, code in enumerate(codes)}
        uri_index = {uri: j for j, uri in enumerate(uris)}
        m, p, n = len(codes), len(uris), c.size
        status = np.full((m, p), StatusCode.NO_RECORD, dtype=np.int8)
        masks = np.zeros((m, p), dtype=np.int16)
        fee = np.full((m, p), -1, dtype=np.int8)
        target = np.full((m, p), -1, dtype=np.int8)
        means = np.full((m, p), -1, dtype=np.int8)
        level = np.full((m, p), -1, dtype=np.int8)
        volume = np.full((m, p, len(CHANNELS)), np.nan)
        started = np.full((m, p), np.nan)
        completed = np.full((m, p), np.nan)
        reasons: list[tuple[int, int, str]] = []
        if n:
            i = np.array([code_index[code] for code in c.cbs_codes], dtype=np.intp)[c.municipality]
            column_of = np.array([uri_index[u] for u in c.uris], dtype=np.intp)
            j = column_of[c.product]
            cell = i * p + j  # the offerings' cells, in the arrays laid out flat
            for array, values in (
                (status, c.status),
                (masks, c.capabilities),
                (fee, c.fee),
                (target, c.local_target),
                (means, c.auth_means),
                (level, c.auth_level),
                (started, c.forms_started),
                (completed, c.forms_completed),
            ):
                array.reshape(-1)[cell] = values
            # A channel a volume record does not list has no requests (0); without a volume
            # record every channel is unknown (NaN, as the array is filled).
            recorded = np.flatnonzero(c.has_volume)
            given = c.volume[recorded]
            # NaN to 0 in one pass: fmax takes the number where one is NaN, and a volume
            # is never below 0 (OFF-14), so every other value stays as it is.
            np.fmax(given, 0.0, out=given)
            volume.reshape(m * p, len(CHANNELS))[cell[recorded]] = given
            reasons = [(int(i[k]), int(j[k]), reason) for k, reason in c.reasons.items()]
        # The offerings were checked by the exchange rules when they were read, and the
        # arrays are made here of their dtype and shape: the dataset takes them without
        # the second round of checks Dataset.from_arrays gives arrays from elsewhere.
        arrays = {
            "status": status,
            "capabilities": masks,
            "fee_override": fee,
            "local_target": target,
            "auth_means": means,
            "auth_level": level,
            "volume": volume,
            "forms_started": started,
            "forms_completed": completed,
        }
        return Dataset(
            **checked_fields(
                self.municipalities,
                tuple(self.catalogue.get(uri) for uri in uris),
                arrays,
                tuple(sorted(reasons)),
                costs,
                "listed" if listed else "recorded",
            )
        )

    # -- from records --------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        municipalities: Iterable[Municipality],
        offerings: Iterable[Offering],
        *,
        reference_year: int,
        local_products: Iterable[Product] = (),
        source: str | None = None,
        catalogue: Catalogue | None = None,
        product_scope: str | Iterable[str] = "recorded",
        costs: CostTable | None = None,
    ) -> Submission:
        """A submission of records built in code, checked as a file's would be (XCH-7).

        ``catalogue`` defaults to the reference catalogue; the local products are added to
        it, and a local product of ``catalogue`` that an offering names is one of the
        submission's local products. Every problem is reported together in an
        :class:`~digimaat.errors.InputError`.
        """
        munis = _records(municipalities, Municipality, "municipalities")
        offers = _records(offerings, Offering, "offerings")
        local = _records(local_products, Product, "local_products")
        text: object = source
        if text is not None and (not isinstance(text, str) or not text.strip()):
            raise InvalidValueError("source", source, "must be a non-empty text or absent")
        base = reference_catalogue() if catalogue is None else catalogue
        if not isinstance(base, Catalogue):
            raise InvalidValueError("catalogue", shown(base), "must be a Catalogue")
        collector = ProblemCollector()
        if not munis:
            collector.add(
                Problem("municipalities", [], "must list at least one municipality", clause="XCH-5")
            )
        codes: set[str] = set()
        for municipality in munis:
            if municipality.cbs_code in codes:
                collector.add(
                    Problem(
                        "cbs_code",
                        municipality.cbs_code,
                        "is listed more than once",
                        clause="XCH-7",
                    )
                )
            codes.add(municipality.cbs_code)
        full = base
        uris: set[str] = set()
        for product in local:
            if product.reference:
                collector.add(
                    Problem(
                        "local_products",
                        product.uri,
                        "is marked as a reference product",
                        clause="PRD-6",
                    )
                )
            elif product.uri in base or product.uri in uris:
                collector.add(
                    Problem(
                        "local_products",
                        product.uri,
                        "is listed more than once or is a catalogue product",
                        clause="XCH-7",
                    )
                )
            uris.add(product.uri)
        if local and not collector.problems:
            full = base.with_local(*local)
        _check(offers, codes, full, collector)
        columns = columns_of(offers)
        collector.raise_if_any()
        # Local products of the caller's catalogue that offerings name are the submission's
        # too, as when files are read (merge).
        named = {o.product for o in offers} - {p.uri for p in local}
        local += [full.get(uri) for uri in sorted(named) if not full.get(uri).reference]
        scope: str | tuple[str, ...]
        if isinstance(product_scope, str):
            if product_scope not in ("recorded", "reference", "offerings"):
                raise InvalidValueError(
                    "product_scope", product_scope, "must be recorded, reference or offerings"
                )
            scope = product_scope
        else:
            scope = tuple(sorted(set(_uri_list(product_scope))))
            outside = sorted({o.product for o in offers} - set(scope))
            if outside:
                raise InvalidValueError(
                    "product_scope", outside, "must list every product an offering names"
                )
        if costs is not None and not isinstance(costs, CostTable):
            raise InvalidValueError("costs", shown(costs), "must be a CostTable or absent")
        return cls(
            reference_year,
            tuple(sorted(munis, key=operator.attrgetter("cbs_code"))),
            tuple(sorted(local, key=operator.attrgetter("uri"))),
            source,
            full,
            columns,
            product_scope=scope,
            costs=costs,
        )


def _uri_list(products: Iterable[str]) -> list[str]:
    if isinstance(products, str) or not isinstance(products, Iterable):
        raise InvalidValueError("products", shown(products), "must be a list of product URIs")
    out = list(products)
    for uri in out:
        if not isinstance(uri, str):
            raise InvalidValueError("products", shown(uri), "must hold product URIs (texts)")
    return out


def _records(items: Iterable[Any], kind: type, field: str) -> list[Any]:
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise InvalidValueError(field, shown(items), f"must be a sequence of {kind.__name__}")
    out = list(items)
    for item in out:
        if not isinstance(item, kind):
            raise InvalidValueError(field, shown(item), f"must hold {kind.__name__} records only")
    return out


def _check(
    offerings: Sequence[Offering],
    codes: set[str],
    catalogue: Catalogue,
    collector: ProblemCollector,
) -> None:
    """The checks of XCH-7 of offerings built in code: their municipalities are listed, their
    products are in the catalogue, and no municipality has two offerings of one product."""
    seen: set[tuple[str, str]] = set()
    for k, o in enumerate(offerings):
        where = f"offering {k}"
        if o.municipality not in codes:
            collector.add(
                Problem(
                    "municipality",
                    o.municipality,
                    "is not a listed municipality",
                    location=where,
                    clause="XCH-7",
                )
            )
        if o.product not in catalogue:
            collector.add(
                Problem(
                    "product",
                    o.product,
                    "is not in the catalogue",
                    location=where,
                    clause="XCH-8",
                    suggestion=_hint(catalogue, o.product),
                )
            )
        if o.key in seen:
            collector.add(
                Problem(
                    "product",
                    o.product,
                    f"has two offerings in {o.municipality}",
                    location=where,
                    clause="XCH-7",
                )
            )
        seen.add(o.key)


def _hint(catalogue: Catalogue, key: str) -> str | None:
    suggestions = catalogue.suggest(key)
    return f"did you mean: {', '.join(suggestions)}?" if suggestions else None


def merge(
    contents: Sequence[FileContent],
    base: Catalogue,
    collector: ProblemCollector,
    *,
    one_year: bool = True,
) -> Submission | None:
    """One submission of several files' contents, checking that they agree (XCH-7).

    A municipality in two files, a local product defined differently in two files, and
    (with ``one_year``) files of different reference years are problems naming both files.
    ``None`` when there is a problem.
    """
    contents = sorted(contents, key=lambda c: c.source)
    municipalities: dict[str, tuple[Municipality, str, str]] = {}
    local: dict[str, tuple[Product, str, str]] = {}
    before = collector.count
    years = {c.reference_year for c in contents if c.reference_year is not None}
    several = one_year and len(years) > 1  # then a municipality of each year is no clash
    for content in contents:
        for municipality in content.municipalities:
            code = municipality.cbs_code
            where = content.municipality_where[code]
            if code in municipalities and not several:
                _, other, other_where = municipalities[code]
                collector.add(
                    Problem(
                        "cbs_code",
                        code,
                        f"is also a municipality of {other} ({other_where}); a "
                        "municipality may be in one file only",
                        source=content.source,
                        location=where,
                        clause="XCH-7",
                    )
                )
                continue
            municipalities[code] = (municipality, content.source, where)
        for product in content.local_products:
            where = content.local_where[product.uri]
            if product.uri in local and local[product.uri][0] != product:
                _, other, other_where = local[product.uri]
                collector.add(
                    Problem(
                        "uri",
                        product.uri,
                        f"is defined differently in {other} ({other_where})",
                        source=content.source,
                        location=where,
                        clause="XCH-7",
                    )
                )
                continue
            local.setdefault(product.uri, (product, content.source, where))
    if several:
        first = min(contents, key=lambda c: (c.reference_year or 0, c.source))
        for content in contents:
            if content.reference_year not in (None, first.reference_year):
                collector.add(
                    Problem(
                        "reference_year",
                        content.reference_year,
                        f"differs from the reference year of {first.source} "
                        f"({first.reference_year}); read data of several years with "
                        "load_years() (on the command line: digimaat trend)",
                        source=content.source,
                        clause="XCH-7",
                    )
                )
    if collector.count > before or not contents:
        return None
    products = [p for p, _, _ in sorted(local.values(), key=lambda t: t[0].uri)]
    catalogue = base.with_local(*products) if products else base
    # Local products of the caller's catalogue that offerings name are the submission's too.
    named = {u for c in contents for u in c.offerings.uris} - {p.uri for p in products}
    products += [catalogue.get(u) for u in sorted(named) if not catalogue.get(u).reference]
    products.sort(key=lambda p: p.uri)
    descriptions = {c.description for c in contents if c.description is not None}
    year = next(iter(years)) if years else None
    if year is None:
        return None
    return Submission(
        year,
        tuple(m for m, _, _ in (municipalities[c] for c in sorted(municipalities))),
        tuple(products),
        descriptions.pop() if len(descriptions) == 1 else None,
        catalogue,
        concatenate([c.offerings for c in contents]),
        tuple(c.source for c in contents),
        tuple(c.description for c in contents),
        _agreed(contents, "product_scope", collector) or "recorded",
        _agreed(contents, "costs", collector),
    )


def _agreed(contents: Sequence[FileContent], name: str, collector: ProblemCollector) -> Any:
    """A document member several files must agree on (XCH-7): the one value they state, or
    ``None``; files that state different values are a problem naming both."""
    stated = [(c.source, getattr(c, name)) for c in contents if getattr(c, name) is not None]
    for source, value in stated[1:]:
        if value != stated[0][1]:
            collector.add(
                Problem(
                    name,
                    NO_VALUE,
                    f"differs from the {name} of {stated[0][0]}; files read together must "
                    "agree on it",
                    source=source,
                    location=f"/{name}",
                    clause="XCH-7",
                )
            )
            return None
    return stated[0][1] if stated else None


_ = Status

guard(__name__)
