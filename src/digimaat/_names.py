"""Reading the vocabulary's exchange names (``"online-payment"``, ``"not-offered"``, ...).

Every enumeration of the standard is written in exchange files by its value, a lower-case
name with ``-`` between words. Readers accept any letter case and ``_`` or a space for
``-``; anything else is an :class:`~digimaat.errors.UnknownNameError` naming the field,
the value and the accepted names.

>>> import enum
>>> class Colour(enum.Enum):
...     DARK_RED = "dark-red"
>>> parse_name(Colour, " Dark_Red ", "colour")
<Colour.DARK_RED: 'dark-red'>
>>> parse_name(Colour, "blue", "colour")
Traceback (most recent call last):
...
digimaat.errors.UnknownNameError: colour: unknown name; expected one of: dark-red (got 'blue')
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

from digimaat.errors import UnknownNameError

__all__ = ["exchange_key", "parse_name"]

E = TypeVar("E", bound=enum.Enum)


def exchange_key(text: str) -> str:
    """The exchange form of a name: trimmed, lower case, ``-`` for ``_`` and spaces."""
    return text.strip().lower().replace("_", "-").replace(" ", "-")


def parse_name(
    kind: type[E],
    text: Any,
    field: str,
    error: type[UnknownNameError] = UnknownNameError,
    dutch: Mapping[E, str] | None = None,
) -> E:
    """The member of ``kind`` whose value, or Dutch name, is the exchange form of ``text``.

    ``dutch`` gives the official Dutch name of members that have one (``"niet
    aangeboden"``); it is read like the exchange name, in any letter case and with ``_``,
    ``-`` or a space between words.
    """
    if isinstance(text, kind):
        return text
    if isinstance(text, str):
        key = exchange_key(text)
        for member in kind:
            if member.value == key:
                return member
        for member, name in (dutch or {}).items():
            if exchange_key(name) == key:
                return member
    raise error(field, text, (str(m.value) for m in kind))
