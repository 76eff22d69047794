"""Submissions and their JSON document form (specification chapter XCH).

A :class:`Submission` is what one exchange file holds: one or more municipalities, their
offerings, the local products (maatwerk) those offerings use, and the reference year.
:func:`load_json` reads the JSON document form and :func:`dump_json` writes it; both
round-trip exactly. Every problem of a document is reported together in one
:class:`~digimaat.errors.InputError`, each with the file, the JSON pointer, the field and
the value.

>>> from digimaat.exchange import load_json, dump_json
>>> document = '''{"format": "digimaat-offerings", "spec_version": "1.0-draft",
...   "reference_year": 2024,
...   "municipalities": [{"cbs_code": "GM0622", "name": "Vlaardingen",
...                       "population": 74124, "year": 2021}],
...   "offerings": [{"municipality": "GM0622", "product": "parkeervergunning",
...                  "capabilities": ["information-online", "downloadable-form"],
...                  "volumes": {"balie": "700/year", "post": "25 per month"}}]}'''
>>> submission = load_json(document)
>>> offering = submission.offerings[0]
>>> offering.product, offering.volumes.per_year()
('http://standaarden.overheid.nl/owms/terms/parkeervergunning', {'balie': 700.0, 'post': 300.0})
>>> load_json(dump_json(submission)) == submission
True
>>> load_json(document.replace('"700/year"', '"-700/year"'), name="vlaardingen.json")
Traceback (most recent call last):
...
digimaat.errors.InputError: 1 problem found:
  vlaardingen.json:/offerings/0/volumes/balie: volumes.balie: must not be negative (got '-700/year')
"""

from __future__ import annotations

import functools
import json
import operator
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Final

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    BaseValidationError,
    ForbiddenExtraKeysError,
    IterableValidationNote,
)

from digimaat._serial import converter
from digimaat._version import SPEC_VERSION
from digimaat.errors import InputError, InvalidValueError, Problem, UnknownNameError
from digimaat.exchange._common import (
    MAX_BYTES,
    MAX_DEPTH,
    NO_VALUE,
    ExchangeError,
    Fault,
    FieldParser,
    Input,
    Text,
    format_number,
    gc_paused,
    json_keys_faults,
    pointer,
    read_input,
    shown,
)
from digimaat.vocabulary.assurance import AssuranceLevel
from digimaat.vocabulary.maturity import Capability, MaturityLevel
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import FormFunnel, Offering, Provenance, Status
from digimaat.vocabulary.products import (
    DEFAULT_ADDITIONS,
    Additions,
    Audience,
    Catalogue,
    InteractionKind,
    Product,
    reference_catalogue,
)

__all__ = [
    "FORMAT",
    "MAX_BYTES",
    "MAX_DEPTH",
    "ExchangeError",
    "Submission",
    "dump_json",
    "load_json",
]

FORMAT: Final = "digimaat-offerings"
"""The value of a document's ``format`` member (XCH-5)."""

_VERSION = re.compile(r"([0-9]+)\.([0-9]+)(?:-[0-9A-Za-z.]+)?", re.ASCII)
_CODE = re.compile(r"GM[0-9]{4}", re.ASCII)
_MAJOR = SPEC_VERSION.split(".", 1)[0]
_UNSEEN: Any = object()
_NO_CAPABILITIES: frozenset[Capability] = frozenset()
_CAPABILITY_ORDER = {c: i for i, c in enumerate(Capability)}  # the order of MAT-2


# -- Submission ---------------------------------------------------------------------------


def _tuple_of(kind: type, field: str, items: Iterable[Any]) -> tuple[Any, ...]:
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise InvalidValueError(field, shown(items), f"must be a sequence of {kind.__name__}")
    out = tuple(items)
    if not all(type(item) is kind for item in out):  # the fast test; subclasses pass below
        for item in out:
            if not isinstance(item, kind):
                raise InvalidValueError(field, item, f"must hold {kind.__name__} records only")
    return out


def _municipalities(items: Iterable[Municipality]) -> tuple[Municipality, ...]:
    ordered = _tuple_of(Municipality, "municipalities", items)
    return tuple(sorted(ordered, key=operator.attrgetter("cbs_code")))


def _offerings(items: Iterable[Offering]) -> tuple[Offering, ...]:
    ordered = _tuple_of(Offering, "offerings", items)
    return tuple(sorted(ordered, key=operator.attrgetter("municipality", "product")))


def _local_products(items: Iterable[Product]) -> tuple[Product, ...]:
    ordered = _tuple_of(Product, "local_products", items)
    return tuple(sorted(ordered, key=operator.attrgetter("uri")))


def _check_year(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1800 <= value <= 2200:
        raise InvalidValueError(attribute.name, value, "must be a calendar year (1800-2200)")


def _check_source(instance: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise InvalidValueError(attribute.name, value, "must be a non-empty text or absent")


def _catalogue_for(submission: Submission) -> Catalogue:
    return reference_catalogue().with_local(*submission.local_products)


def _check_catalogue(
    instance: object, attribute: attrs.Attribute[Catalogue], value: object
) -> None:
    if not isinstance(value, Catalogue):
        raise InvalidValueError(attribute.name, shown(value), "must be a Catalogue")


@attrs.frozen
class Submission:
    """The content of one exchange file (XCH-1): municipalities, offerings, local products.

    The records are kept in canonical order (municipalities by CBS code, offerings by
    municipality and product URI, local products by URI), so two submissions with the
    same records are equal whatever order they were read in. ``catalogue`` is the
    catalogue the offerings' products were resolved in: by default the reference
    catalogue with the local products added. It takes no part in equality.

    Building a submission checks that it is consistent, and reports every problem
    together: at least one municipality, no CBS code twice, every offering for a listed
    municipality and a product of the catalogue, at most one offering per municipality
    and product, and every local product used by an offering listed in
    ``local_products``.
    """

    reference_year: int = attrs.field(validator=_check_year)
    """The calendar year the observations and the volumes refer to."""
    municipalities: tuple[Municipality, ...] = attrs.field(converter=_municipalities)
    offerings: tuple[Offering, ...] = attrs.field(converter=_offerings)
    local_products: tuple[Product, ...] = attrs.field(default=(), converter=_local_products)
    source: str | None = attrs.field(default=None, validator=_check_source)
    """Free text: who compiled the data, from what and when."""
    catalogue: Catalogue = attrs.field(
        default=attrs.Factory(_catalogue_for, takes_self=True),
        eq=False,
        repr=False,
        validator=_check_catalogue,
    )

    def __attrs_post_init__(self) -> None:
        problems = list(_consistency(self))
        if problems:
            raise InputError(problems)

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
    ) -> Submission:
        """Build a submission whose catalogue is ``catalogue`` plus the local products.

        ``catalogue`` defaults to the reference catalogue; it must not already hold the
        local products.
        """
        local = tuple(local_products)
        base = reference_catalogue() if catalogue is None else catalogue
        return cls(
            reference_year,
            tuple(municipalities),
            tuple(offerings),
            local,
            source,
            base.with_local(*local) if local else base,
        )

    def municipality(self, cbs_code: str) -> Municipality:
        """The municipality with this CBS code."""
        for municipality in self.municipalities:
            if municipality.cbs_code == cbs_code:
                return municipality
        raise InvalidValueError("cbs_code", cbs_code, "is not a municipality of this submission")


def _consistency(submission: Submission) -> Iterator[Problem]:
    """Every inconsistency of a submission (XCH-7), without file locations."""
    catalogue = submission.catalogue
    if not submission.municipalities:
        yield Problem("municipalities", NO_VALUE, "must list at least one municipality")
    codes: set[str] = set()
    for municipality in submission.municipalities:
        if municipality.cbs_code in codes:
            yield Problem("cbs_code", municipality.cbs_code, "is listed more than once")
        codes.add(municipality.cbs_code)
    local_uris: set[str] = set()
    for product in submission.local_products:
        if product.reference:
            yield Problem("local_products", product.uri, "is marked as a reference product")
        if product.uri in local_uris:
            yield Problem("local_products", product.uri, "is listed more than once")
        local_uris.add(product.uri)
        if product.uri not in catalogue or catalogue.get(product.uri) != product:
            yield Problem("local_products", product.uri, "is not in the submission's catalogue")
        yield from _exchangeable(product)
    offerings = submission.offerings
    allowed = {p.uri for p in catalogue.products if p.reference} | (
        local_uris & set(_uris(catalogue))
    )
    places = [o.municipality for o in offerings]
    products = [o.product for o in offerings]
    if (
        codes.issuperset(places)
        and allowed.issuperset(products)
        and len(set(zip(places, products, strict=True))) == len(offerings)
    ):
        return  # the common case, decided on whole columns; the loop below finds the culprits
    keys: set[tuple[str, str]] = set()
    for offering in offerings:
        if offering.municipality not in codes:
            yield Problem("municipality", offering.municipality, "is not a listed municipality")
        if offering.product not in catalogue:
            yield Problem("product", offering.product, "is not in the submission's catalogue")
        elif not catalogue.get(offering.product).reference and offering.product not in local_uris:
            yield Problem("product", offering.product, "is a local product not in local_products")
        if offering.key in keys:
            yield Problem(
                "product", offering.product, f"has two offerings in {offering.municipality}"
            )
        keys.add(offering.key)


def _uris(catalogue: Catalogue) -> Iterator[str]:
    return (product.uri for product in catalogue.products)


def _exchangeable(product: Product) -> Iterator[Problem]:
    """Problems that keep a local product from being written as a record (XCH-6)."""
    if any(c.isspace() for c in product.uri):
        yield Problem("uri", product.uri, "must be a URI: no white space")
    for name in ("task_types", "sdg_codes", "upl_flags", "legal_bases"):
        if getattr(product, name):
            yield Problem(
                name, product.uri, "cannot be exchanged for a local product; leave it empty"
            )
    if product.additions != DEFAULT_ADDITIONS and not product.additions.reason.strip():
        yield Problem("reason", product.uri, "a local product's additions need a reason")


# -- The converter ------------------------------------------------------------------------


@attrs.frozen
class LocalProductRecord:
    """A local product as written in a document (XCH-6); :meth:`product` builds the Product."""

    uri: str
    name: str
    audiences: tuple[Audience, ...] = (Audience.BURGER,)
    interaction_kinds: tuple[InteractionKind, ...] = ()
    required_assurance: AssuranceLevel | None = None
    physical_presence: bool | None = None
    fee_applies: bool | None = None
    reference_target: MaturityLevel | None = None
    reason: str | None = None

    def product(self) -> Product:
        """The local product; additions are the defaults (PRD-5) when none is given."""
        if not self.uri or any(c.isspace() for c in self.uri):
            raise InvalidValueError("uri", self.uri, "must be a URI: not empty, no white space")
        given = (
            self.required_assurance,
            self.physical_presence,
            self.fee_applies,
            self.reference_target,
            self.reason,
        )
        additions = DEFAULT_ADDITIONS
        if any(value is not None for value in given):
            if not (self.reason or "").strip():
                raise InvalidValueError("reason", self.reason, "additions need a reason (PRD-4)")
            additions = Additions(
                required_assurance=self.required_assurance,
                physical_presence=bool(self.physical_presence),
                fee_applies=self.fee_applies,
                reference_target=(
                    MaturityLevel.FULLY_ONLINE
                    if self.reference_target is None
                    else self.reference_target
                ),
                reason=self.reason or "",
            )
        for field, values in (
            ("audiences", self.audiences),
            ("interaction_kinds", self.interaction_kinds),
        ):
            if len(set(values)) != len(values):
                raise InvalidValueError(field, [v.value for v in values], "lists a name twice")
        return Product.local(
            self.uri,
            self.name,
            additions=additions,
            audiences=self.audiences,
            interaction_kinds=self.interaction_kinds,
        )

    @classmethod
    def of(cls, product: Product) -> LocalProductRecord:
        """The record of a local product."""
        extra: dict[str, Any] = {}
        if product.additions != DEFAULT_ADDITIONS:
            additions = product.additions
            extra = {
                "required_assurance": additions.required_assurance,
                "physical_presence": additions.physical_presence,
                "fee_applies": additions.fee_applies,
                "reference_target": additions.reference_target,
                "reason": additions.reason,
            }
        return cls(
            uri=product.uri,
            name=product.name,
            audiences=tuple(sorted(product.audiences, key=lambda a: a.value)),
            interaction_kinds=tuple(sorted(product.interaction_kinds, key=lambda k: k.value)),
            **extra,
        )


def _names(kind: type[Audience] | type[InteractionKind], field: str) -> Any:
    def hook(value: Any, _: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise InvalidValueError(field, shown(value), "must be an array of names")
        out = []
        for item in value:
            if isinstance(item, kind):
                out.append(item)
                continue
            try:
                out.append(kind(item))
            except ValueError:
                raise UnknownNameError(field, item, (m.value for m in kind)) from None
        return tuple(out)

    return hook


@functools.cache
def _converter() -> cattrs.Converter:
    """The package converter with the hooks of the exchange records."""
    conv = converter().copy()
    conv.register_structure_hook_func(
        lambda t: t == tuple[Audience, ...], _names(Audience, "audiences")
    )
    conv.register_structure_hook_func(
        lambda t: t == tuple[InteractionKind, ...], _names(InteractionKind, "interaction_kinds")
    )
    conv.register_unstructure_hook(AssuranceLevel, lambda v: v.label)
    conv.register_unstructure_hook(MaturityLevel, lambda v: v.label)
    return conv


def _structure(value: Any, kind: type[Any], where: str, source: str) -> tuple[Any, list[Problem]]:
    """Structure one record with cattrs; the problems carry JSON pointers (XCH-2).

    Any exception of structuring becomes problems: cattrs groups the errors of the
    fields, and notes the path of each, which :func:`_walk` turns into pointers.
    """
    try:
        return _converter().structure(value, kind), []
    except Exception as exc:  # cattrs' groups, our InvalidValueError, or a type error
        return None, [
            problem.at(source=source) for problem in _problems_of(exc, value, where, kind)
        ]


def _problems_of(exc: BaseException, raw: Any, where: str, kind: type[Any]) -> Iterator[Problem]:
    """Walk a cattrs error tree; each leaf becomes a problem at its JSON pointer."""
    yield from _walk(exc, raw, [], where, kind)


def _walk(
    exc: BaseException, raw: Any, path: list[str | int], where: str, kind: type[Any]
) -> Iterator[Problem]:
    if isinstance(exc, BaseValidationError):
        with_notes, others = exc.group_exceptions()
        for inner, note in with_notes:
            step: str | int = (
                (note.name if isinstance(note, AttributeValidationNote) else note.index)
                if isinstance(note, AttributeValidationNote | IterableValidationNote)
                else ""
            )
            yield from _walk(inner, raw, [*path, step], where, kind)
        for inner in others:
            yield from _walk(inner, raw, path, where, kind)
        return
    names = [str(p) for p in path if isinstance(p, str)]
    if isinstance(exc, ForbiddenExtraKeysError):
        allowed = ", ".join(a.name for a in attrs.fields(kind))
        for key in sorted(exc.extra_fields):
            yield Problem(
                ".".join([*names, key]),
                NO_VALUE,
                f"unknown member; expected one of: {allowed}",
                location=where + pointer(*path, key),
            )
        return
    if isinstance(exc, KeyError):
        yield Problem(
            ".".join(names) or "record", NO_VALUE, "is required", location=where + pointer(*path)
        )
        return
    if isinstance(exc, InvalidValueError):
        problem = exc.problem
        field = problem.field
        if field in ("value", "assurance", "level") and names:
            field = ".".join(names)
        steps: Sequence[str | int] = path
        if not path and isinstance(raw, dict) and field in raw:
            steps = [field]  # raised by the class itself: point at the field it names
        yield Problem(field, problem.value, problem.message, location=where + pointer(*steps))
        return
    value = _at(raw, path)
    yield Problem(
        ".".join(names) or "record",
        shown(value),
        f"has the wrong type ({exc.__class__.__name__}: {exc})",
        location=where + pointer(*path),
    )


def _at(raw: Any, path: Sequence[str | int]) -> Any:
    for step in path:
        try:
            raw = raw[step]
        except (KeyError, IndexError, TypeError):
            return NO_VALUE
    return raw


# -- Reading ------------------------------------------------------------------------------

_TOP_KEYS = frozenset(
    {
        "format",
        "spec_version",
        "reference_year",
        "source",
        "municipalities",
        "local_products",
        "offerings",
    }
)
_TOP_REQUIRED = ("format", "spec_version", "reference_year", "municipalities", "offerings")
_OFFERING_KEYS = frozenset(
    {
        "municipality",
        "product",
        "status",
        "capabilities",
        "authentication",
        "local_target",
        "local_target_reason",
        "volumes",
        "forms",
        "fee_applies",
        "provenance",
    }
)
_OFFERING_REQUIRED = ("municipality", "product")
_PROVENANCE_ORDER = ("source", "records", "retrieved")
_PROVENANCE_KEYS = frozenset(_PROVENANCE_ORDER)
_PROVENANCE_SAMPLE = {"source": "-", "records": ["-"], "retrieved": "2000-01-01"}
_FORM_KEYS = frozenset({"started", "completed"})


def load_json(
    data: Input,
    catalogue: Catalogue | None = None,
    *,
    name: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
) -> Submission:
    """Read a JSON document (XCH-5 to XCH-9) into a :class:`Submission`.

    ``data`` is a path (:class:`pathlib.Path` or another ``os.PathLike``), the document's
    bytes, or its text (a :class:`str` is always the text, never a file name; use
    :func:`digimaat.exchange.load` for a file name). Products are resolved in
    ``catalogue`` (the reference catalogue by default) plus the document's local
    products. ``name`` names the source in problems (default: the path). Every problem
    is reported in one :class:`~digimaat.errors.InputError`.
    """
    with gc_paused():
        document = parse_document(data, name=name, max_bytes=max_bytes, max_depth=max_depth)
        return read_document(document, catalogue)


@attrs.frozen(eq=False)
class Document:
    """A JSON document parsed, not yet read into records: what both readers start from."""

    text: Text
    """The document's text, as read."""
    value: Any
    """The parsed JSON value (not yet checked)."""
    members: int
    """The members of all objects, outside strings (reveals a member name given twice)."""


def parse_document(
    data: Input, *, name: str | None, max_bytes: int, max_depth: int = MAX_DEPTH
) -> Document:
    """Read, check the limits of and parse a JSON document (XCH-3, XCH-4); no record is read.

    Problems of encoding, size, nesting and JSON syntax are raised as in :func:`load_json`.
    """
    check_depth_limit(max_depth)
    return parse_text(read_input(data, max_bytes=max_bytes, name=name, kind="document"), max_depth)


def check_depth_limit(max_depth: int) -> None:
    """Refuse a ``max_depth`` that is not a positive number of levels."""
    depth_limit: object = max_depth
    if isinstance(depth_limit, bool) or not isinstance(depth_limit, int) or depth_limit < 1:
        raise InvalidValueError("max_depth", max_depth, "must be a positive number of levels")


def parse_text(text: Text, max_depth: int) -> Document:
    """Check the nesting of a document already read, and parse it (see :func:`parse_document`)."""
    source = text.source
    assert text.data is not None
    depth, offset, members = _scan(text.data, max_depth)
    if depth > max_depth:
        line, column = _line_column(text.data, offset)
        raise InputError(
            [
                Problem(
                    "document",
                    NO_VALUE,
                    f"is nested more than {max_depth} levels deep",
                    source=source,
                    location=f"line {line} column {column}",
                )
            ]
        )
    try:
        value = json.loads(text.text)
    except json.JSONDecodeError as exc:
        raise InputError(
            [
                Problem(
                    "document",
                    NO_VALUE,
                    f"is not valid JSON: {exc.msg}",
                    source=source,
                    location=f"line {exc.lineno} column {exc.colno}",
                )
            ]
        ) from None
    except ValueError as exc:  # an integer with more digits than Python converts
        message = "has a number with too many digits" if "digits" in str(exc) else str(exc)
        raise InputError(
            [Problem("document", NO_VALUE, f"is not valid JSON: {message}", source=source)]
        ) from None
    except RecursionError as exc:  # pragma: no cover - the scan refuses such nesting first
        raise InputError(
            [
                Problem(
                    "document",
                    NO_VALUE,
                    f"is not valid JSON: {exc}",
                    source=source,
                )
            ]
        ) from None
    return Document(text, value, members)


def read_document(document: Document, catalogue: Catalogue | None) -> Submission:
    """Read the records of a parsed document into a :class:`Submission` (XCH-5 to XCH-9)."""
    base = reference_catalogue() if catalogue is None else catalogue
    reader = _JsonReader(document.text.source, base, document.text.text, document.members)
    return reader.read(document.value)


_STRUCTURE = b'"[]{}:'
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(_STRUCTURE)))


def _scan(data: bytes, max_depth: int) -> tuple[int, int, int]:
    """Nesting depth, where it first exceeds ``max_depth``, and object members, outside strings.

    A vectorised pass over the bytes, so that a document nested too deeply is refused
    before the JSON parser recurses into it (XCH-4). The number of name separators
    (``:``) outside strings is the number of members of all objects, which reveals a
    member name repeated within an object (:meth:`_JsonReader._repeated_members`).

    Escaped backslashes and then escaped quotes are removed first (an escape in a JSON
    string always pairs a backslash with the next character, from left to right), so that
    every quote left opens or closes a string; then only quotes, brackets and colons are
    kept. The byte offset of too deep a nesting is found only when there is one.
    """
    import numpy as np

    plain = data
    if b"\\" in plain:  # (a search of the bytes; the removals copy them)
        plain = plain.replace(b"\\\\", b"").replace(b'\\"', b"")
    kept = plain.translate(None, _NOT_STRUCTURE)
    chars = np.frombuffer(kept, dtype=np.uint8)
    quote = chars == 0x22
    # In a string (an odd number of quotes up to here), or a quote itself; the running
    # parity is an exclusive-or accumulated over bytes.
    inside = np.bitwise_xor.accumulate(quote.view(np.uint8)).view(bool) | quote
    chars = chars[~inside]
    colon = chars == 0x3A
    members = int(colon.sum())
    brackets = chars[~colon]
    if not brackets.size:
        return 0, 0, members
    depth = np.cumsum(np.where((brackets == 0x5B) | (brackets == 0x7B), 1, -1).astype(np.int32))
    deepest = int(depth.max())
    if deepest <= max_depth:
        return deepest, 0, members
    return deepest, _deep_offset(data, max_depth), members


def _deep_offset(data: bytes, max_depth: int) -> int:
    """The byte offset of the first bracket below ``max_depth`` levels (only on error)."""
    depth = 0
    in_string = escaped = False
    for offset, byte in enumerate(data):
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):
            depth += 1
            if depth > max_depth:
                return offset
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return 0  # pragma: no cover - only called when the scan found too deep a nesting


def _line_column(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    column = len(data[data.rfind(b"\n", 0, offset) + 1 : offset].decode("utf-8", "replace")) + 1
    return line, column


class _JsonReader:
    """Reads one parsed document, collecting every problem with its pointer."""

    def __init__(self, source: str, catalogue: Catalogue, text: str, members: int) -> None:
        self.source = source
        self.base = catalogue
        self.text = text
        self.members = members
        self.counted = 0
        self.problems: list[Problem] = []
        # Codes and URIs of records with problems: offerings that name them are not
        # reported again as naming an unknown municipality or product.
        self.broken: set[str] = set()

    def add(self, location: str, field: str, value: Any, message: str) -> None:
        self.problems.append(Problem(field, value, message, source=self.source, location=location))

    def add_fault(self, where: str, field: str, fault: Fault) -> None:
        for sub, message, value in fault.items:
            sub_field = ".".join(p for p in sub.split("/") if p and not p.isdigit())
            self.add(where + sub, f"{field}.{sub_field}" if sub_field else field, value, message)

    def read(self, document: Any) -> Submission:
        if not isinstance(document, dict):
            self.add("", "document", shown(document), "must be a JSON object")
            raise InputError(self.problems)
        self.counted += len(document)
        for sub, message, value in json_keys_faults(document, _TOP_KEYS, _TOP_REQUIRED):
            self.add(sub, sub[1:], value, message)
        self._header(document)
        municipalities = self._municipalities(document.get("municipalities"))
        local = self._local_products(document.get("local_products"))
        catalogue = self.base.with_local(*local) if local else self.base
        offerings = self._offerings(document.get("offerings"), catalogue, municipalities)
        if self.counted != self.members:
            self._repeated_members()
        if self.problems:
            raise InputError(self.problems)
        return Submission(
            document["reference_year"],
            tuple(municipalities.values()),
            offerings,
            local,
            document.get("source"),
            catalogue,
        )

    def _header(self, document: dict[str, Any]) -> None:
        fmt = document.get("format", FORMAT)
        if fmt != FORMAT:
            self.add(
                "/format",
                "format",
                shown(fmt),
                f"must be {FORMAT!r}: this is not an offerings document",
            )
            raise InputError(self.problems)
        version = document.get("spec_version", SPEC_VERSION)
        match = _VERSION.fullmatch(version) if isinstance(version, str) else None
        if match is None:
            self.add(
                "/spec_version",
                "spec_version",
                shown(version),
                "must be a specification version such as '1.0' or '1.0-draft'",
            )
        elif match.group(1) != _MAJOR:
            self.add(
                "/spec_version",
                "spec_version",
                version,
                f"has another major version than this reader's ({SPEC_VERSION})",
            )
            raise InputError(self.problems)
        if "reference_year" in document:
            year = document["reference_year"]
            if isinstance(year, bool) or not isinstance(year, int) or not 1800 <= year <= 2200:
                self.add(
                    "/reference_year",
                    "reference_year",
                    shown(year),
                    "must be a calendar year (1800-2200)",
                )
        source = document.get("source")
        if source is not None and (not isinstance(source, str) or not source.strip()):
            self.add("/source", "source", shown(source), "must be a non-empty text")

    def _array(self, value: Any, key: str, required: bool) -> list[Any]:
        if value is None and not required:
            return []
        if not isinstance(value, list):
            if value is not None:
                self.add(f"/{key}", key, shown(value), "must be an array")
            return []
        return value

    def _municipalities(self, value: Any) -> dict[str, Municipality]:
        found: dict[str, Municipality] = {}
        where_of: dict[str, str] = {}
        items = self._array(value, "municipalities", required=True)
        if isinstance(value, list) and not items:
            self.add(
                "/municipalities", "municipalities", NO_VALUE, "must list at least one municipality"
            )
        for index, item in enumerate(items):
            where = pointer("municipalities", index)
            if not isinstance(item, dict):
                self.add(where, "municipalities", shown(item), "must be an object")
                continue
            self.counted += len(item)
            municipality, problems = _structure(item, Municipality, where, self.source)
            if problems and isinstance(item.get("cbs_code"), str):
                self.broken.add(item["cbs_code"])
            if problems and not any(
                p.message == "is required" or p.message.startswith("unknown member")
                for p in problems
            ):
                problems = self._each_field(item, Municipality, where) or problems
            self.problems.extend(problems)
            if municipality is None:
                continue
            code = municipality.cbs_code
            if code in found:
                self.add(
                    f"{where}/cbs_code",
                    "cbs_code",
                    code,
                    f"is listed more than once (also at {where_of[code]})",
                )
                continue
            found[code] = municipality
            where_of[code] = where
        return found

    def _each_field(self, item: dict[str, Any], kind: type[Any], where: str) -> list[Problem]:
        """Run each field's validator on its own, so that every bad field is reported."""
        problems = []
        instance = object.__new__(kind)
        for field in attrs.fields(kind):
            if field.name in item and field.validator is not None:
                try:
                    field.validator(instance, field, item[field.name])
                except InvalidValueError as exc:
                    p = exc.problem
                    problems.append(
                        Problem(
                            p.field,
                            p.value,
                            p.message,
                            source=self.source,
                            location=f"{where}/{field.name}",
                        )
                    )
        return problems

    def _local_products(self, value: Any) -> tuple[Product, ...]:
        out: list[Product] = []
        where_of: dict[str, str] = {}
        for index, item in enumerate(self._array(value, "local_products", required=False)):
            where = pointer("local_products", index)
            if not isinstance(item, dict):
                self.add(where, "local_products", shown(item), "must be an object")
                continue
            self.counted += len(item)
            record, problems = _structure(item, LocalProductRecord, where, self.source)
            self.problems.extend(problems)
            if isinstance(item.get("uri"), str):
                self.broken.add(item["uri"])  # taken out again below when the record is good
            if record is None:
                continue
            try:
                product = record.product()
            except InvalidValueError as exc:
                p = exc.problem
                known = {a.name for a in attrs.fields(LocalProductRecord)}
                at = f"{where}/{p.field}" if p.field in known else where
                self.add(at, p.field, p.value, p.message)
                continue
            if product.uri in where_of:
                self.add(
                    f"{where}/uri",
                    "uri",
                    product.uri,
                    f"is listed more than once (also at {where_of[product.uri]})",
                )
                continue
            if product.uri in self.base:
                self.add(
                    f"{where}/uri",
                    "uri",
                    product.uri,
                    "is already a product of the catalogue; a local product needs its own URI",
                )
                continue
            where_of[product.uri] = where
            self.broken.discard(product.uri)
            out.append(product)
        return tuple(out)

    def _offerings(
        self, value: Any, catalogue: Catalogue, municipalities: Mapping[str, Municipality]
    ) -> tuple[Offering, ...]:
        """The offerings; the inner loop looks each value up in the parser's memos first."""
        parser = FieldParser(catalogue)
        products, statuses, auths = parser.products, parser.statuses, parser.authentications
        capability_lists, targets = parser.capability_lists, parser.targets
        codes: dict[str, Fault | None] = {}
        seen: dict[tuple[str, str], int] = {}
        out: list[Offering] = []
        problems = self.problems
        add, add_fault = self.add, self.add_fault
        counted = 0
        # Each value is checked before use; Any spares the type checker a union per field.
        municipality: Any
        product: Any
        status: Any
        capabilities: Any
        authentication: Any
        target: Any
        volumes: Any
        hit: Any
        for index, record in enumerate(self._array(value, "offerings", required=True)):
            if type(record) is not dict:
                add(f"/offerings/{index}", "offerings", shown(record), "must be an object")
                continue
            counted += len(record)
            before = len(problems)
            get = record.get
            if (
                not _OFFERING_KEYS.issuperset(record)
                or "product" not in record
                or "municipality" not in record
            ):
                self._members(record, f"/offerings/{index}")
            municipality = get("municipality")
            if type(municipality) is str:
                fault = codes.get(municipality, _UNSEEN)
                if fault is _UNSEEN:
                    fault = codes[municipality] = _code_fault(municipality, municipalities)
                    if municipality in self.broken:
                        fault = codes[municipality] = None
                if fault is not None:
                    add_fault(f"/offerings/{index}/municipality", "municipality", fault)
            elif "municipality" in record:
                add(
                    f"/offerings/{index}/municipality",
                    "municipality",
                    shown(municipality),
                    "must be a CBS code (a text)",
                )
            product = get("product")
            if product is not None:
                hit = products.get(product) if type(product) is str else None
                given, product = product, parser.product(product) if hit is None else hit
                if isinstance(product, Fault) and (
                    type(given) is not str or given not in self.broken
                ):
                    add_fault(f"/offerings/{index}/product", "product", product)
            elif "product" in record:
                add(f"/offerings/{index}/product", "product", None, "must be a product URI")
            status = get("status")
            if status is None:
                status = Status.OFFERED
            else:
                hit = statuses.get(status) if type(status) is str else None
                status = parser.status(status) if hit is None else hit
                if isinstance(status, Fault):
                    add_fault(f"/offerings/{index}/status", "status", status)
            capabilities = get("capabilities")
            if capabilities is None:
                capabilities = _NO_CAPABILITIES
            else:
                hit = None
                if type(capabilities) is list:
                    try:
                        hit = capability_lists.get(tuple(capabilities))
                    except TypeError:
                        hit = None
                capabilities = parser.capability_list(capabilities) if hit is None else hit
                if isinstance(capabilities, Fault):
                    add_fault(f"/offerings/{index}/capabilities", "capabilities", capabilities)
            authentication = get("authentication")
            if authentication is not None:
                hit = auths.get(authentication) if type(authentication) is str else None
                if hit is None:
                    if type(authentication) is dict:
                        counted += len(authentication)
                    hit = parser.authentication(authentication)
                authentication = hit
                if isinstance(authentication, Fault):
                    add_fault(f"/offerings/{index}/authentication", "authentication", hit)
            target = get("local_target")
            if target is not None:
                hit = targets.get(target) if type(target) is str else None
                target = parser.local_target(target) if hit is None else hit
                if isinstance(target, Fault):
                    add_fault(f"/offerings/{index}/local_target", "local_target", target)
            reason = get("local_target_reason")
            if reason is not None and type(reason) is not str:
                add(
                    f"/offerings/{index}/local_target_reason",
                    "local_target_reason",
                    shown(reason),
                    "must be a text",
                )
            volumes = get("volumes")
            if volumes is not None:
                if type(volumes) is dict:
                    counted += len(volumes)
                    for item in volumes.values():
                        if type(item) is dict:
                            counted += len(item)
                volumes = parser.json_volumes(volumes)
                if isinstance(volumes, Fault):
                    add_fault(f"/offerings/{index}/volumes", "volumes", volumes)
            forms = get("forms")
            if forms is not None:
                if type(forms) is dict:
                    counted += len(forms)
                forms = self._forms(forms, f"/offerings/{index}")
            fee = get("fee_applies")
            if fee is not None and type(fee) is not bool:
                add(
                    f"/offerings/{index}/fee_applies",
                    "fee_applies",
                    shown(fee),
                    "must be true or false",
                )
            provenance = get("provenance")
            if provenance is not None:
                if type(provenance) is dict:
                    counted += len(provenance)
                provenance = self._provenance(provenance, f"/offerings/{index}/provenance")
            if len(problems) > before or isinstance(product, Fault):
                continue
            key = (municipality, product)
            if key in seen:
                add(
                    f"/offerings/{index}/product",
                    "product",
                    product,
                    f"repeats the offering at /offerings/{seen[key]} (same municipality "
                    "and product)",
                )
                continue
            seen[key] = index
            try:  # positional, in the order of Offering's fields
                out.append(
                    Offering(
                        municipality,
                        product,
                        status,
                        capabilities,
                        authentication,
                        target,
                        reason,
                        volumes,
                        forms,
                        fee,
                        provenance,
                    )
                )
            except InvalidValueError as exc:
                p = exc.problem
                add(
                    f"/offerings/{index}" + (f"/{p.field}" if p.field in _OFFERING_KEYS else ""),
                    p.field,
                    shown(p.value),
                    p.message,
                )
        self.counted += counted
        return tuple(out)

    def _members(self, record: dict[str, Any], where: str) -> None:
        """Report the unknown and the missing members of an offering."""
        for sub, message, item in json_keys_faults(record, _OFFERING_KEYS, _OFFERING_REQUIRED):
            self.add(where + sub, sub[1:], item, message)

    def _forms(self, value: Any, where: str) -> FormFunnel | None:
        where = where + "/forms"
        if not isinstance(value, dict):
            self.add(where, "forms", shown(value), "must be an object {started, completed}")
            return None
        before = len(self.problems)
        for sub, message, item in json_keys_faults(value, _FORM_KEYS, ("started", "completed")):
            self.add(where + sub, "forms" + sub.replace("/", "."), item, message)
        for key in ("started", "completed"):
            number = value.get(key)
            if key in value and (
                isinstance(number, bool) or not isinstance(number, int) or number < 0
            ):
                self.add(
                    f"{where}/{key}",
                    f"forms.{key}",
                    shown(number),
                    "must be a non-negative integer",
                )
        if len(self.problems) > before:
            return None
        try:
            return FormFunnel(value["started"], value["completed"])
        except InvalidValueError as exc:
            p = exc.problem
            self.add(f"{where}/completed", p.field, p.value, p.message)
            return None

    def _provenance(self, value: Any, where: str) -> Provenance | None:
        """An offering's provenance (OFF-16), every problem at its pointer."""
        if not isinstance(value, dict):
            self.add(
                where, "provenance", shown(value), "must be an object {source, records, retrieved}"
            )
            return None
        before = len(self.problems)
        for sub, message, item in json_keys_faults(value, _PROVENANCE_KEYS, _PROVENANCE_ORDER):
            self.add(where + sub, "provenance" + sub.replace("/", "."), item, message)
        records = value.get("records")
        if isinstance(records, list):
            for k, record in enumerate(records):
                if not isinstance(record, str):
                    self.add(
                        f"{where}/records/{k}",
                        "provenance.records",
                        shown(record),
                        "must be a text",
                    )
        texts = not isinstance(records, list) or all(isinstance(r, str) for r in records)
        for key in _PROVENANCE_ORDER:
            if key not in value or (key == "records" and not texts):
                continue  # reported above
            try:  # each field on its own, so that every bad field is reported
                Provenance(**{**_PROVENANCE_SAMPLE, key: value[key]})
            except InvalidValueError as exc:
                p = exc.problem
                self.add(f"{where}/{key}", p.field, shown(p.value), p.message)
        if len(self.problems) > before:
            return None
        return Provenance(value["source"], value["records"], value["retrieved"])

    def _repeated_members(self) -> None:
        """Find member names repeated within an object; the parser would keep only the last."""
        found: list[tuple[str, str]] = []

        class _Repeats(dict[str, Any]):
            repeated: list[str]

        def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
            result = dict(pairs)
            if len(result) == len(pairs):
                return result
            marked = _Repeats(result)
            names = [name for name, _ in pairs]
            marked.repeated = sorted({n for n in names if names.count(n) > 1})
            return marked

        stack: list[tuple[str, Any]] = [("", json.loads(self.text, object_pairs_hook=hook))]
        while stack:
            where, node = stack.pop()
            if isinstance(node, _Repeats):
                found.extend((where + pointer(name), name) for name in node.repeated)
            if isinstance(node, dict):
                stack.extend((where + pointer(k), v) for k, v in node.items())
            elif isinstance(node, list):
                stack.extend((where + pointer(i), v) for i, v in enumerate(node))
        for location, name in sorted(found):
            self.add(
                location,
                name,
                NO_VALUE,
                "is repeated within its object; every member name must be unique",
            )


def _code_fault(code: str, municipalities: Mapping[str, Municipality]) -> Fault | None:
    if code in municipalities:
        return None
    if not _CODE.fullmatch(code):
        return Fault.one("must be 'GM' followed by 4 digits, e.g. 'GM0622'", code)
    return Fault.one("is not a municipality listed in /municipalities", code)


# -- Writing ------------------------------------------------------------------------------


def offering_record(offering: Offering) -> dict[str, Any]:
    """The canonical JSON record of an offering (XCH-8): absent fields are left out."""
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
    if offering.provenance is not None:
        provenance = offering.provenance
        record["provenance"] = {
            "source": provenance.source,
            "records": list(provenance.records),
            "retrieved": provenance.retrieved.isoformat(),
        }
    return record


def _local_record(product: Product) -> dict[str, Any]:
    raw = _converter().unstructure(LocalProductRecord.of(product))
    return {key: value for key, value in raw.items() if value is not None}


def dump_json(submission: Submission) -> str:
    """Write a submission as a JSON document in canonical form (XCH-10).

    Members appear in a fixed order, records in the submission's canonical order, one
    record per line; volumes are written as requests per year (``"996/year"``).
    """
    if not isinstance(submission, Submission):
        raise ExchangeError(f"dump_json needs a Submission, got {type(submission).__name__}")

    def line(record: Any) -> str:
        return json.dumps(record, ensure_ascii=False, allow_nan=False)

    def array(records: Iterable[Mapping[str, Any]]) -> str:
        lines = [f"    {line(r)}" for r in records]
        return "[\n" + ",\n".join(lines) + "\n  ]" if lines else "[]"

    conv = _converter()
    head: dict[str, Any] = {
        "format": FORMAT,
        "spec_version": SPEC_VERSION,
        "reference_year": submission.reference_year,
    }
    if submission.source is not None:
        head["source"] = submission.source
    parts = [f"  {json.dumps(key)}: {line(value)}" for key, value in head.items()]
    parts.append(
        f'  "municipalities": {array(conv.unstructure(m) for m in submission.municipalities)}'
    )
    if submission.local_products:
        parts.append(
            f'  "local_products": {array(_local_record(p) for p in submission.local_products)}'
        )
    parts.append(f'  "offerings": {array(offering_record(o) for o in submission.offerings)}')
    return "{\n" + ",\n".join(parts) + "\n}\n"
