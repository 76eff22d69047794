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
    aliases: Mapping[str, E] | None = None,
) -> E:
    """The member of ``kind`` whose value, Dutch name or alias is the exchange form of ``text``.

    ``dutch`` gives the official Dutch name of members that have one (``"niet
    aangeboden"``); ``aliases`` other accepted spellings (``"n.v.t."``). Both are read like
    the exchange name, in any letter case and with ``_``, ``-`` or a space between words.
    An unknown name gets the closest accepted name as a suggestion, where one is close (the
    vocabularies are a few names each, so the comparison is with every one of them).
    """
    if isinstance(text, kind):
        return text
    names = _names(kind, dutch, aliases)
    suggestion = None
    if isinstance(text, str):
        key = exchange_key(text)
        if key in names:
            return names[key]
        if len(key) <= 100:
            import difflib  # only for a name that is not known: costs the command line time

            close = difflib.get_close_matches(key, list(names), n=1, cutoff=0.75)
            if close:
                suggestion = f"did you mean {close[0]!r}?"
    raise error(field, text, (str(m.value) for m in kind), suggestion=suggestion)


def _names(
    kind: type[E], dutch: Mapping[E, str] | None, aliases: Mapping[str, E] | None
) -> dict[str, E]:
    """The members of ``kind`` by every accepted name: made once per enumeration and
    tables (the vocabulary's constants, kept with the names so that they stay the same
    objects), not once per name read."""
    key = (kind, id(dutch), id(aliases))
    found = _TABLES.get(key)
    if found is not None and found[0] is dutch and found[1] is aliases:
        return found[2]
    names: dict[str, Any] = {str(member.value): member for member in kind}
    names |= {exchange_key(name): member for member, name in (dutch or {}).items()}
    names |= {exchange_key(name): member for name, member in (aliases or {}).items()}
    if len(_TABLES) < 256:  # enumerations and their constant tables: a handful
        _TABLES[key] = (dutch, aliases, names)
    return names


_TABLES: dict[tuple[type, int, int], tuple[Any, Any, dict[str, Any]]] = {}
