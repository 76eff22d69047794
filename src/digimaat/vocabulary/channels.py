"""Channels through which a product is requested (specification chapter CHN).

>>> from digimaat.vocabulary.channels import Channel, CHANNELS
>>> [c.value for c in CHANNELS]
['balie', 'telefoon', 'post', 'e-mail', 'web', 'app', 'chat']
>>> Channel.parse("Web").digital, Channel.parse("balie").digital
(True, False)
>>> Channel.BALIE.default_cost
ChannelCost(amount=8.62, currency='GBP', source='Socitm, average cost per ... (UK)')
"""

from __future__ import annotations

import enum
import numbers

import attrs

from digimaat._boundary import guard
from digimaat._numbers import weight
from digimaat.errors import InvalidValueError, UnknownNameError

__all__ = ["CHANNELS", "Channel", "ChannelCost"]

_SOCITM = "Socitm, average cost per local-government transaction (UK)"


def _amount(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidValueError(
            "cost.amount", value, "must be a number (use from_quantity for text)", "CHN-6"
        )
    return weight("cost.amount", value)  # 0, or from 1e-15 to 1e15 (WGT-1, CHN-6)


def _check_currency(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    from digimaat.units import CURRENCIES

    if value not in CURRENCIES:
        raise UnknownNameError("cost.currency", value, CURRENCIES)


def _check_source(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError("cost.source", value, "must name the source of the figure")


@attrs.frozen
class ChannelCost:
    """A cost per contact in one currency, with its source (CHN-6)."""

    amount: float = attrs.field(converter=_amount)
    currency: str = attrs.field(validator=_check_currency)
    source: str = attrs.field(validator=_check_source)

    @classmethod
    def from_quantity(cls, value: object, source: str) -> ChannelCost:
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
    def default_cost(self) -> ChannelCost | None:
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
    Channel.BALIE: ChannelCost(8.62, "GBP", _SOCITM),
    Channel.TELEFOON: ChannelCost(2.83, "GBP", _SOCITM),
    Channel.WEB: ChannelCost(0.15, "GBP", _SOCITM),
    Channel.APP: ChannelCost(0.15, "GBP", _SOCITM + "; the online figure"),
}

CHANNELS: tuple[Channel, ...] = tuple(Channel)
"""All channels in the standard's canonical order (CHN-4; the order of measurement arrays)."""

guard(__name__)
