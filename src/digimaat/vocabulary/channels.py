"""Channels through which a product is requested (specification chapter CHN).

>>> from digimaat.vocabulary.channels import Channel, CHANNELS
>>> [c.value for c in CHANNELS]
['balie', 'telefoon', 'post', 'e-mail', 'web', 'app', 'chat']
>>> Channel.parse("Web").digital, Channel.parse("balie").digital
(True, False)
>>> Channel.BALIE.default_cost
ContactCost(amount=8.62, currency='GBP', source='Socitm, average cost per ... (UK)')
"""

from __future__ import annotations

import enum
import math
import numbers
from collections.abc import Mapping
from typing import Any, Final

import attrs

from digimaat._boundary import guard, renamed
from digimaat._classes import shared_eq, shared_repr
from digimaat._numbers import MIN_WEIGHT, weight
from digimaat.errors import InvalidValueError, UnknownNameError

__all__ = ["CHANNELS", "COST_ORIGINS", "MAX_COST", "Channel", "ContactCost", "CostTable"]

_SOCITM = "Socitm, average cost per local-government transaction (UK)"

MAX_COST: Final = 1_000_000.0
"""The largest cost per contact a cost table accepts, in its currency (CHN-7)."""


def _amount(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidValueError(
            "cost.amount", value, "must be a number (use from_quantity for text)", "CHN-6"
        )
    number = weight("cost.amount", value, clause="CHN-6")  # 0, or at least 1e-15 (WGT-1)
    if number > MAX_COST:  # as a cost table refuses it (CHN-7)
        raise InvalidValueError(
            "cost.amount", value, f"must be at most {MAX_COST:,.0f} per contact", "CHN-7"
        )
    return number


def _check_currency(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    from digimaat.units import CURRENCIES

    if value not in CURRENCIES:
        raise UnknownNameError("cost.currency", value, CURRENCIES)


def _check_source(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError("cost.source", value, "must name the source of the figure")


@attrs.frozen
@shared_repr
@shared_eq
class ContactCost:
    """A cost per contact in one currency, with its source (CHN-6)."""

    amount: float = attrs.field(converter=_amount)
    currency: str = attrs.field(validator=_check_currency)
    source: str = attrs.field(validator=_check_source)

    @classmethod
    def from_quantity(cls, value: object, source: str) -> ContactCost:
        """Build from a quantity or string with a currency, e.g. ``"2.50 EUR"``."""
        from digimaat.units import cost_per_contact

        amount, currency = cost_per_contact(value)
        return cls(amount, currency, source)

    def quantity(self) -> object:
        """This cost as a pint quantity (currency per contact) in digimaat's registry."""
        from digimaat.units import quantity

        return quantity(self.amount, f"{self.currency} / contact")


class Channel(enum.Enum):
    """A channel (CHN-1). The value is the exchange name, kept in Dutch where official."""

    BALIE = "balie"
    """The counter: a visit to the town hall or a service point."""
    TELEFOON = "telefoon"
    """Telephone."""
    POST = "post"
    """Paper mail (including a downloaded form sent by post)."""
    EMAIL = "e-mail"
    """E-mail."""
    WEB = "web"
    """An online form or portal."""
    APP = "app"
    """A mobile app."""
    CHAT = "chat"
    """Chat (with a person or a chatbot)."""

    @property
    def digital(self) -> bool:
        """Whether the channel is digital (CHN-2): e-mail, web, app and chat are."""
        return self in _DIGITAL

    @property
    def default_cost(self) -> ContactCost | None:
        """The documented default cost per contact, or ``None`` where no sourced figure exists.

        The only sourced figures are UK Socitm ones (face-to-face GBP 8.62, telephone
        GBP 2.83, online GBP 0.15). No Dutch per-contact costs were found; a profile or
        dataset SHOULD state local costs instead (CHN-5).
        """
        return _DEFAULT_COSTS.get(self)

    @classmethod
    def parse(cls, text: str | Channel, field: str = "channel") -> Channel:
        """Parse a channel by its exchange name or an English alias (``"counter"``; CHN-3)."""
        if isinstance(text, Channel):
            return text
        if isinstance(text, str):
            key = text.strip().lower()
            key = _ALIASES.get(key, key)
            for member in cls:
                if member.value == key:
                    return member
        raise UnknownNameError(field, text, (m.value for m in cls))


_DIGITAL = frozenset({Channel.EMAIL, Channel.WEB, Channel.APP, Channel.CHAT})
_ALIASES = {
    "counter": "balie",
    "phone": "telefoon",
    "telephone": "telefoon",
    "mail": "post",
    "email": "e-mail",
    "online": "web",
    "website": "web",
}
_DEFAULT_COSTS = {
    Channel.BALIE: ContactCost(8.62, "GBP", _SOCITM),
    Channel.TELEFOON: ContactCost(2.83, "GBP", _SOCITM),
    Channel.WEB: ContactCost(0.15, "GBP", _SOCITM),
    Channel.APP: ContactCost(0.15, "GBP", _SOCITM + "; the online figure"),
}

CHANNELS: tuple[Channel, ...] = tuple(Channel)
"""All channels in the standard's canonical order (CHN-4; the order of measurement arrays)."""


COST_ORIGINS: Final = ("data", "profile", "default")
"""Where a cost table comes from (CHN-8): the data, the profile, or the defaults of CHN-5."""

_Amounts = tuple[tuple[Channel, float], ...]


def _amounts(value: object, field: str = "channels") -> _Amounts:
    """Costs per channel from a mapping ``{channel: amount}``, in canonical channel order."""
    if isinstance(value, tuple) and all(
        isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], Channel)
        for item in value
    ):
        pairs: list[tuple[object, object]] = list(value)
    elif isinstance(value, Mapping):
        pairs = list(value.items())
    else:
        raise InvalidValueError(field, value, "must map channel names to costs per contact")
    out: dict[Channel, float] = {}
    for name, amount in pairs:
        if not isinstance(name, str | Channel):
            raise InvalidValueError(field, name, "keys must be channel names")
        channel = Channel.parse(name, f"{field}.{name}")
        if channel in out:
            raise InvalidValueError(f"{field}.{channel.value}", name, "is given twice")
        if isinstance(amount, bool) or not isinstance(amount, numbers.Real):
            raise InvalidValueError(
                f"{field}.{channel.value}", amount, "must be a number: a cost per contact"
            )
        number = float(amount)
        if not math.isfinite(number) or number < 0 or number > MAX_COST:
            raise InvalidValueError(
                f"{field}.{channel.value}",
                amount,
                f"must be a finite cost from 0 to {MAX_COST:,.0f} per contact",
                "CHN-7",
            )
        if 0 < number < MIN_WEIGHT:  # a denormal weight would vanish (WGT-1)
            raise InvalidValueError(
                f"{field}.{channel.value}", amount, "must be 0 or at least 1e-15", "WGT-1"
            )
        out[channel] = number + 0.0
    return tuple((ch, out[ch]) for ch in CHANNELS if ch in out)


def _product_amounts(value: object) -> tuple[tuple[str, _Amounts], ...]:
    if isinstance(value, tuple):
        value = dict(value)
    if not isinstance(value, Mapping):
        raise InvalidValueError("products", value, "must map product URIs to costs per channel")
    out = []
    for uri, amounts in value.items():
        if not isinstance(uri, str) or not uri.strip() or uri != uri.strip():
            raise InvalidValueError("products", uri, "keys must be product URIs")
        out.append((uri, _amounts(amounts, f"products.{uri}")))
    return tuple(sorted(out))


def _check_table_currency(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    from digimaat.units import CURRENCIES

    if value not in CURRENCIES:
        raise UnknownNameError("currency", value, CURRENCIES)


def _check_text(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip() or len(value) > 1000:
        raise InvalidValueError(attribute.name, value, "must be a text of 1 to 1,000 characters")
    if not value.isprintable():
        raise InvalidValueError(attribute.name, value, "must not hold control characters")


@attrs.frozen
@shared_repr
@shared_eq
class CostTable:
    """The costs per contact of a computation, per channel and optionally per product (CHN-7).

    One currency (EUR by default), a source, a cost per channel (a channel it does not name
    has no known cost, CHN-5), and per product the channels whose cost differs for that
    product. ``origin`` says where the table came from (CHN-8): the data, the profile, or
    the defaults of CHN-5.

    >>> table = CostTable.from_mapping({"currency": "EUR", "source": "Begroting 2024",
    ...     "channels": {"balie": 12.5, "telefoon": 6}, "products":
    ...     {"http://standaarden.overheid.nl/owms/terms/paspoort": {"balie": 25}}})
    >>> table.cost(Channel.BALIE), table.cost(Channel.POST)
    (12.5, None)
    >>> table.cost(Channel.BALIE, "http://standaarden.overheid.nl/owms/terms/paspoort")
    25.0
    >>> table.describe()
    'EUR per contact, from the data: Begroting 2024'
    >>> CostTable.default().describe()  # doctest: +ELLIPSIS
    'GBP per contact, the defaults of the standard (CHN-5): Socitm, average cost per ...'
    """

    source: str = attrs.field(validator=_check_text)
    channels: _Amounts = attrs.field(converter=_amounts)
    currency: str = attrs.field(default="EUR", validator=_check_table_currency)
    products: tuple[tuple[str, _Amounts], ...] = attrs.field(default=(), converter=_product_amounts)
    origin: str = attrs.field(default="data", validator=attrs.validators.in_(COST_ORIGINS))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], origin: str = "data") -> CostTable:
        """Build from the exchange form (XCH-8 ``costs``): ``currency`` (default ``EUR``),
        ``source``, ``channels`` and optionally ``products``."""
        if not isinstance(data, Mapping):
            raise InvalidValueError("costs", data, "must be an object: currency, source, channels")
        unknown = sorted(set(data) - {"currency", "source", "channels", "products"}, key=str)
        if unknown:
            raise InvalidValueError(
                "costs",
                unknown,
                "has members it does not know; expected currency, source, channels, products",
            )
        for required in ("source", "channels"):
            if required not in data:
                raise InvalidValueError(f"costs.{required}", None, "is required")
        return cls(
            source=data["source"],
            channels=data["channels"],
            currency=data.get("currency", "EUR"),
            products=data.get("products", {}),
            origin=origin,
        )

    @classmethod
    def from_costs(cls, costs: Mapping[Channel, ContactCost], origin: str = "data") -> CostTable:
        """Build from one :class:`ContactCost` per channel, all in one currency (CHN-6)."""
        currencies = {cost.currency for cost in costs.values()}
        if len(currencies) > 1:
            raise InvalidValueError("costs", sorted(currencies), "must all be in one currency")
        sources = sorted({cost.source for cost in costs.values()})
        return cls(
            source="; ".join(sources) or "no costs stated",
            channels={Channel.parse(ch): cost.amount for ch, cost in costs.items()},
            currency=currencies.pop() if currencies else "EUR",
            origin=origin,
        )

    @classmethod
    def default(cls) -> CostTable:
        """The defaults of CHN-5 (Socitm, UK, GBP)."""
        table = cls.from_costs(_DEFAULT_COSTS, origin="default")
        return attrs.evolve(table, source=_SOCITM + " (the online figure also for the app)")

    def cost(self, channel: Channel, product: str | None = None) -> float | None:
        """The cost per contact of a channel, for a product where it has its own."""
        if product is not None:
            for uri, amounts in self.products:
                if uri == product:
                    for ch, amount in amounts:
                        if ch is channel:
                            return amount
        for ch, amount in self.channels:
            if ch is channel:
                return amount
        return None

    def with_origin(self, origin: str) -> CostTable:
        """The same table, said to come from ``origin``."""
        return attrs.evolve(self, origin=origin)

    def describe(self) -> str:
        """Which cost table a result used, in words (CHN-8)."""
        where = {
            "data": "from the data",
            "profile": "from the profile",
            "default": "the defaults of the standard (CHN-5)",
        }[self.origin]
        return f"{self.currency} per contact, {where}: {self.source}"

    def to_dict(self) -> dict[str, Any]:
        """The exchange form (XCH-8 ``costs``), with the origin."""
        out: dict[str, Any] = {
            "currency": self.currency,
            "source": self.source,
            "channels": {ch.value: amount for ch, amount in self.channels},
        }
        if self.products:
            out["products"] = {
                uri: {ch.value: amount for ch, amount in amounts} for uri, amounts in self.products
            }
        out["origin"] = self.origin
        return out


guard(__name__)

__getattr__ = renamed(
    __name__,
    {"ChannelCost": "ContactCost"},
    "a cost per contact (CHN-6); the weighting of that name is "
    "digimaat.measurement.weights.ChannelCost",
)
"""Names of earlier releases, kept for one MINOR release with a deprecation warning."""
