"""Offerings: one municipality's provision of one product (specification chapter OFF).

An offering records what an assessor observed (capabilities, hence the maturity level),
the authentication asked, an optional local target with its reason (maatwerk), the annual
volume per channel, and optionally the web-form funnel (started and completed forms).

>>> from digimaat.vocabulary.offerings import Offering, VolumeRecord
>>> o = Offering(
...     municipality="GM0622",
...     product="http://standaarden.overheid.nl/owms/terms/parkeervergunning",
...     capabilities=["information-online", "downloadable-form"],
...     volumes=VolumeRecord.from_mapping({"balie": "700/year", "post": "25 per month"}),
... )
>>> o.volumes.per_year()
{'balie': 700.0, 'post': 300.0}
>>> Offering(municipality="GM0622", product="urn:x", local_target="prefilled")
Traceback (most recent call last):
...
digimaat.errors.InvalidValueError: local_target_reason: a local target needs a reason ... [OFF-4]
"""

from __future__ import annotations

import datetime
import enum
import math
import numbers
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from digimaat._boundary import guard, renamed
from digimaat._classes import shared_eq, shared_repr
from digimaat._names import parse_name
from digimaat._text import check_text
from digimaat.errors import N_, InvalidValueError, ProblemCollector
from digimaat.vocabulary.assurance import (
    Authentication,
    AuthenticationOptions,
    authentication_of,
)
from digimaat.vocabulary.channels import CHANNELS, Channel
from digimaat.vocabulary.maturity import (
    Capability,
    MaturityLevel,
    level_of,
    parse_capabilities,
)
from digimaat.vocabulary.municipalities import _check_code
from digimaat.vocabulary.products import Product

__all__ = [
    "MAX_FORMS",
    "MAX_VOLUME",
    "MIN_VOLUME",
    "FormFunnel",
    "Offering",
    "Provenance",
    "Status",
    "VolumeRecord",
    "check_spanning",
    "check_volume",
]


class Status(enum.Enum):
    """Whether a product is offered, and whether that is known (OFF-2).

    These are distinct from each other and from a level of zero.
    """

    OFFERED = "offered"
    """The municipality provides the product; its capabilities are recorded."""
    NOT_OFFERED = "not-offered"
    """The municipality does not provide the product (e.g. no paid parking, no permits)."""
    NOT_APPLICABLE = "not-applicable"
    """The product does not apply to the municipality (e.g. a port permit without a port)."""
    UNKNOWN = "unknown"
    """The municipality provides the product, but what it offers online was not observed."""

    @classmethod
    def parse(cls, text: str | Status, field: str = "status") -> Status:
        """Parse by exchange name (``"not-offered"``) or Dutch name (``"niet aangeboden"``).

        >>> Status.parse("Niet van toepassing")
        <Status.NOT_APPLICABLE: 'not-applicable'>
        """
        return parse_name(cls, text, field, dutch=STATUS_DUTCH, aliases=STATUS_ALIASES)

    @property
    def dutch(self) -> str:
        """The status's Dutch name (``"niet aangeboden"``), as a Dutch spreadsheet writes it."""
        return STATUS_DUTCH[self]


STATUS_DUTCH: dict[Status, str] = {
    Status.OFFERED: "aangeboden",
    Status.NOT_OFFERED: "niet aangeboden",
    Status.NOT_APPLICABLE: "niet van toepassing",
    Status.UNKNOWN: "onbekend",
}
"""The Dutch name of every status (OFF-2)."""

STATUS_ALIASES: dict[str, Status] = {
    "n.v.t.": Status.NOT_APPLICABLE,
    "nvt": Status.NOT_APPLICABLE,
    "n/a": Status.NOT_APPLICABLE,
}
"""Abbreviations a spreadsheet writes for a status (OFF-2): "n.v.t." is "niet van
toepassing"."""


@attrs.frozen
@shared_repr
@shared_eq
class VolumeRecord:
    """Annual volume per channel, held as plain floats in requests per year (OFF-5).

    Build with :meth:`from_mapping` from quantities or strings in any time unit. A
    channel not listed has no requests; an offering without a ``VolumeRecord`` record has an
    unknown volume.
    """

    channels: tuple[Channel, ...]
    per_year_values: tuple[float, ...]

    def __attrs_post_init__(self) -> None:
        channels: object = self.channels
        values: object = self.per_year_values
        if not isinstance(channels, tuple) or not all(isinstance(c, Channel) for c in channels):
            raise InvalidValueError("volumes.channels", channels, "must be a tuple of channels")
        if channels != tuple(c for c in CHANNELS if c in channels):
            raise InvalidValueError(
                "volumes.channels", channels, "must be distinct and in the canonical order (CHN-4)"
            )
        if not isinstance(values, tuple) or len(values) != len(channels):
            raise InvalidValueError(
                "volumes.per_year_values", values, "must hold one number per channel"
            )
        for channel, value in zip(channels, values, strict=True):
            _check_per_year(channel, value)

    @classmethod
    def from_mapping(cls, volumes: Mapping[str | Channel, Any]) -> VolumeRecord:
        """Build from ``{channel: volume}``; every volume must carry a rate unit.

        All problems are reported together:

        >>> VolumeRecord.from_mapping({"web": "-3/year", "fax": "2/year", "post": "5 m"})
        Traceback (most recent call last):
        ...
        digimaat.errors.InputError: 3 problems found:
          volumes.web: must not be negative (got '-3/year')
          channel: unknown name; expected one of: app, balie, ... web (got 'fax')
          volumes.post: '5 m' is not a rate (a count per unit of time, ...) (got '5 m')
        """
        from digimaat.units import annual_rate

        if not isinstance(volumes, Mapping):
            raise InvalidValueError("volumes", volumes, "must map channels to volumes")
        collector = ProblemCollector()
        parsed: dict[Channel, float] = {}
        seen: set[Channel] = set()  # also channels whose volume is invalid
        for key, value in volumes.items():
            with collector.catching():
                channel = Channel.parse(key)
                if channel in seen:
                    raise InvalidValueError("channel", key, "is listed twice")
                seen.add(channel)
                parsed[channel] = annual_rate(value, f"volumes.{channel.value}")
        collector.raise_if_any()
        return cls.from_per_year(parsed)

    @classmethod
    def from_per_year(cls, volumes: Mapping[Channel, float] | Mapping[str, float]) -> VolumeRecord:
        """Build from plain numbers already in requests per year (checked, not converted).

        Keys are channels or channel names; every problem is reported together.
        """
        if not isinstance(volumes, Mapping):
            raise InvalidValueError("volumes", volumes, "must map channels to volumes")
        collector = ProblemCollector()
        parsed: dict[Channel, float] = {}
        seen: set[Channel] = set()  # also channels whose volume is invalid
        for key, value in volumes.items():
            with collector.catching():
                channel = Channel.parse(key)
                if channel in seen:
                    raise InvalidValueError("channel", key, "is listed twice")
                seen.add(channel)
                parsed[channel] = _check_per_year(channel, value)
        collector.raise_if_any()
        channels = tuple(c for c in CHANNELS if c in parsed)
        return cls(channels, tuple(parsed[c] for c in channels))

    def per_year(self) -> dict[str, float]:
        """The volumes as ``{channel name: requests per year}``."""
        return {c.value: v for c, v in zip(self.channels, self.per_year_values, strict=True)}

    def total(self) -> float:
        """Requests per year over all channels."""
        return float(sum(self.per_year_values))

    def quantity(self, channel: Channel | str) -> Any:
        """The volume of one channel as a pint quantity (requests per year)."""
        from digimaat.units import PER_YEAR, quantity

        channel = Channel.parse(channel)
        value = dict(zip(self.channels, self.per_year_values, strict=True)).get(channel, 0.0)
        return quantity(value, PER_YEAR)


MAX_VOLUME = 1e12
"""The largest volume of one channel, in requests per year (OFF-14)."""
MIN_VOLUME = 1e-6
"""The smallest volume of one channel that is not zero, in requests per year (OFF-14)."""


def check_volume(field: str, value: object, shown: object = None) -> float:
    """A volume of one channel in requests per year, checked (OFF-14).

    It is a number, 0 or from :data:`MIN_VOLUME` to :data:`MAX_VOLUME`: a negative,
    infinite or not-a-number volume is refused, and so are volumes too large to add up
    safely or so small (a denormal number) that weights computed from them lose their
    meaning. ``shown`` is the value named in the error (default: ``value``).

    >>> check_volume("volumes.web", 996.0), check_volume("volumes.web", 0)
    (996.0, 0.0)
    >>> check_volume("volumes.web", 1e-320)
    Traceback (most recent call last):
    ...
    digimaat.errors.InvalidValueError: volumes.web: must be 0 or at least 1e-06 ... [OFF-14]
    """
    got = value if shown is None else shown
    if type(value) is float and MIN_VOLUME <= value <= MAX_VOLUME:
        return value  # the common case, checked without the slower numbers.Real test
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidValueError(field, got, "must be a number of requests per year", "OFF-14")
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float
        number = math.inf
    if math.isnan(number):
        raise InvalidValueError(field, got, "must be a number, not NaN", "OFF-14")
    if number < 0:
        raise InvalidValueError(field, got, N_("must not be negative"), "OFF-14")
    if number == 0:
        return 0.0
    if number > MAX_VOLUME:
        raise InvalidValueError(field, got, N_("must be at most 1e12 requests a year"), "OFF-14")
    if number < MIN_VOLUME:
        raise InvalidValueError(
            field, got, f"must be 0 or at least {MIN_VOLUME:g} requests a year", "OFF-14"
        )
    return number


def _check_per_year(channel: Channel, value: object) -> float:
    return check_volume(f"volumes.{channel.value}", value)


MAX_FORMS = 10**12
"""The largest count of web forms started or completed (OFF-6, XCH-4)."""


def _check_funnel(instance: FormFunnel, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidValueError(f"forms.{attribute.name}", value, "must be a non-negative integer")
    if value > MAX_FORMS:  # as every reader refuses it
        raise InvalidValueError(
            f"forms.{attribute.name}", value, f"must be at most {MAX_FORMS:,}", "XCH-4"
        )


@attrs.frozen
@shared_repr
@shared_eq
class FormFunnel:
    """Web forms started and completed in the reference year (OFF-6, the MDD *succesratio*)."""

    started: int = attrs.field(validator=_check_funnel)
    completed: int = attrs.field(validator=_check_funnel)

    def __attrs_post_init__(self) -> None:
        if self.completed > self.started:
            raise InvalidValueError(
                "forms.completed", self.completed, f"cannot exceed forms started ({self.started})"
            )


_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _check_text(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    check_text(f"provenance.{attribute.name}", value, message="must be a non-empty text")


def _to_records(values: Any) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise InvalidValueError("provenance.records", values, "must be a list of identifiers")
    records = tuple(values)
    if not records:
        raise InvalidValueError("provenance.records", [], "must name at least one record")
    for record in records:
        check_text("provenance.records", record, message="must be a non-empty text")
    if len(set(records)) != len(records):
        repeated = sorted({r for r in records if records.count(r) > 1})
        raise InvalidValueError("provenance.records", repeated, "must not name a record twice")
    return records


def _to_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidValueError("provenance.retrieved", value, "must be a date written YYYY-MM-DD")


@attrs.frozen
@shared_repr
@shared_eq
class Provenance:
    """Where an offering's observations come from (OFF-16): never part of a score.

    ``source`` names the file or service, ``records`` the identifiers of the records the
    offering was made from (the one whose fields it takes first), ``retrieved`` the date
    they were retrieved.

    >>> p = Provenance("sc.xml", ["https://www.maassluis.nl/vog"], "2023-10-18")
    >>> p.retrieved.isoformat(), p.records
    ('2023-10-18', ('https://www.maassluis.nl/vog',))
    >>> Provenance("sc.xml", [], "2023-10-18")
    Traceback (most recent call last):
    ...
    digimaat.errors.InvalidValueError: provenance.records: must name at least one record (got [])
    """

    source: str = attrs.field(validator=_check_text)
    records: tuple[str, ...] = attrs.field(converter=_to_records)
    retrieved: datetime.date = attrs.field(converter=_to_date)


def check_spanning(
    status: Status,
    capabilities: frozenset[Capability],
    authentication: Authentication | AuthenticationOptions | None,
    local_target: MaturityLevel | None,
    local_target_reason: str | None,
    volumes: VolumeRecord | None,
    forms: FormFunnel | None,
) -> None:
    """The rules of an offering that span its fields (OFF-3, OFF-4), on fields each valid on
    its own (an :class:`Offering` checks them when it is made; a reader, which has read every
    field by its rule, checks each distinct combination of them here).

    >>> check_spanning(Status.OFFERED, frozenset(), None, MaturityLevel(2), " ", None, None)
    Traceback (most recent call last):
    ...
    digimaat.errors.InvalidValueError: local_target_reason: a local target needs a reason ...
    """
    if local_target is not None and not (local_target_reason or "").strip():
        raise InvalidValueError(
            "local_target_reason", local_target_reason, "a local target needs a reason", "OFF-4"
        )
    if local_target is None and local_target_reason is not None:
        raise InvalidValueError(
            "local_target", None, "a local target reason was given without a local target", "OFF-4"
        )
    if status is not Status.OFFERED and capabilities:
        raise InvalidValueError(
            "capabilities",
            sorted(c.value for c in capabilities),
            f"must be empty when the status is {status.value}",
            "OFF-3",
        )
    if status in (Status.NOT_OFFERED, Status.NOT_APPLICABLE):
        fields = {
            "authentication": authentication,
            "volumes": volumes,
            "forms": forms,
            "local_target": local_target,
        }
        for name, value in fields.items():
            if value is not None:
                raise InvalidValueError(
                    name, value, f"must be absent when the status is {status.value}", "OFF-3"
                )


def _capabilities(values: Iterable[str | Capability]) -> frozenset[Capability]:
    return parse_capabilities(values, "capabilities")


def _optional_target(value: Any) -> MaturityLevel | None:
    return None if value is None else MaturityLevel.parse(value, "local_target")


def _optional_auth(value: Any) -> Authentication | AuthenticationOptions | None:
    if value is None:
        return None
    return authentication_of(value)


def _check_uri(instance: Offering, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError("product", value, "must be a product URI")


def _to_status(value: str | Status) -> Status:
    return Status.parse(value, "status")


def _optional_text(instance: Offering, attribute: attrs.Attribute[Any], value: object) -> None:
    """``None``, or a text that may hold several lines, by the rule every reader applies:
    nothing a terminal acts on (XCH-4); not empty (a reason is checked by OFF-4)."""
    if value is not None:
        reason = attribute.name == "local_target_reason"
        what = "must be a text" if reason else "must be a non-empty text"
        check_text(attribute.name, value, multiline=True, empty=reason, message=what)


def _optional(kind: type, what: str) -> Any:
    """A validator: ``None`` or an instance of ``kind``, else an error naming field and value."""

    def check(instance: Offering, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None and not isinstance(value, kind):
            raise InvalidValueError(attribute.name, value, f"must be {what} or absent")

    return check


@attrs.frozen
@shared_repr
@shared_eq
class Offering:
    """One municipality's provision of one product (OFF-1)."""

    municipality: str = attrs.field(validator=_check_code)
    product: str = attrs.field(validator=_check_uri)
    """The product's URI (a UPL URI, or a local product's URI)."""
    status: Status = attrs.field(default=Status.OFFERED, converter=_to_status)
    capabilities: frozenset[Capability] = attrs.field(factory=frozenset, converter=_capabilities)
    authentication: Authentication | AuthenticationOptions | None = attrs.field(
        default=None, converter=_optional_auth
    )
    """The authentication asked, or the several means accepted (LOA-4.2); ``None`` when not
    recorded or when nothing is done online."""
    local_target: MaturityLevel | None = attrs.field(default=None, converter=_optional_target)
    local_target_reason: str | None = attrs.field(default=None, validator=_optional_text)
    volumes: VolumeRecord | None = attrs.field(
        default=None,
        validator=_optional(VolumeRecord, "a volume record (VolumeRecord.from_mapping)"),
    )
    forms: FormFunnel | None = attrs.field(
        default=None, validator=_optional(FormFunnel, "a FormFunnel record")
    )
    fee_applies: bool | None = attrs.field(default=None, validator=_optional(bool, "true or false"))
    """Overrides the product's ``fee_applies`` for this municipality (local fees differ)."""
    notes: str | None = attrs.field(default=None, validator=_optional_text)
    """Free text kept with the offering (an analyst's remarks); never scored (OFF-17)."""
    provenance: Provenance | None = attrs.field(
        default=None, validator=_optional(Provenance, "a Provenance record")
    )
    """Where the observations come from (OFF-16); not scored."""

    def __attrs_post_init__(self) -> None:
        check_spanning(
            self.status,
            self.capabilities,
            self.authentication,
            self.local_target,
            self.local_target_reason,
            self.volumes,
            self.forms,
        )

    @property
    def key(self) -> tuple[str, str]:
        """``(municipality, product)``: at most one offering per key in a dataset."""
        return (self.municipality, self.product)

    def fee_for(self, product: Product) -> bool:
        """Whether a fee applies: this offering's override, else the product's, else ``True``.

        ``True`` for an unrecorded fee is the standard's documented default (PRD-5).
        """
        if self.fee_applies is not None:
            return self.fee_applies
        return True if product.fee_applies is None else product.fee_applies

    def level_for(self, product: Product) -> MaturityLevel | None:
        """The maturity level (MAT-3), or ``None`` unless the status is ``offered``."""
        if product.uri != self.product:
            raise InvalidValueError(
                "product", product.uri, f"is not this offering's product ({self.product})"
            )
        if self.status is not Status.OFFERED:
            return None
        return level_of(self.capabilities, fee_applies=self.fee_for(product))


guard(__name__)

__getattr__ = renamed(__name__, {"Volumes": "VolumeRecord"}, "the volume record of OFF-5")
"""Names of earlier releases, kept for one MINOR release with a deprecation warning."""
