"""The rules of the vocabulary's names (chapter XCH, XCH-18.2).

A status (OFF-2), a channel (CHN-3), a maturity level (MAT-1), a capability (MAT-2), a CBS
code (MUN-2), yes or no (XCH-11), a capability's yes/no cell (XCH-18.3), the authentication
asked (LOA-4) and the audiences and assurance of a local product (XCH-6, LOA-1), each by
its exchange name or its Dutch name; a name that is close to one the reader knows gets a
suggestion.

>>> from digimaat.exchange.rules_names import read_status
>>> from digimaat.exchange.rules_values import CSV
>>> read_status("aangeboden", CSV)
<Status.OFFERED: 'offered'>
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs

from digimaat._boundary import guard
from digimaat._names import exchange_key
from digimaat._serial import shown
from digimaat.errors import N_, InvalidValueError
from digimaat.exchange.rules_objects import read_keys
from digimaat.exchange.rules_values import CSV, Dialect, Fault, Item
from digimaat.vocabulary.assurance import (
    AssuranceLevel,
    Authentication,
    AuthenticationOptions,
    authentication_of,
    parse_level,
)
from digimaat.vocabulary.channels import Channel
from digimaat.vocabulary.maturity import CAPABILITY_DUTCH, LEVEL_DUTCH, Capability, MaturityLevel
from digimaat.vocabulary.offerings import (
    STATUS_DUTCH,
    Status,
)
from digimaat.vocabulary.products import Audience

__all__ = [
    "close_name",
    "read_assurance",
    "read_audiences",
    "read_authentication",
    "read_boolean",
    "read_capabilities",
    "read_channel",
    "read_code",
    "read_level",
    "read_status",
    "read_tick",
]


def close_name(text: str, names: Mapping[str, str]) -> str | None:
    """A suggestion for a name that is not in a vocabulary: the closest of ``names`` (the
    names a reader accepts, each with the exchange name it stands for), or ``None``.

    >>> close_name("online betaling", {"online betalen": "online-payment"})
    "did you mean 'online betalen' (online-payment)?"
    """
    import difflib

    keys = {exchange_key(name): name for name in names}
    close = difflib.get_close_matches(exchange_key(text), list(keys), n=1, cutoff=0.75)
    if not close:
        return None
    name = keys[close[0]]
    meant = names[name]
    return f"did you mean {name!r}{f' ({meant})' if meant != name else ''}?"


def _named(
    parse: Callable[[Any], Any], clause: str, names: Mapping[str, str] | None = None
) -> Callable[[Any, Dialect], Any]:
    def read(value: Any, dialect: Dialect) -> Any:
        if not isinstance(value, str):
            return Fault.one("must be a name (a text)", shown(value), clause)
        try:
            return parse(value)
        except InvalidValueError as exc:
            hint = close_name(value, names) if names else None
            problem = exc.problem
            return Fault.one(problem.message, value, problem.clause or clause, suggestion=hint)

    return read


def _vocabulary(kind: Any, dutch: Mapping[Any, str]) -> dict[str, str]:
    """The names of a vocabulary a reader accepts: exchange names and Dutch names (XCH-18.2),
    each with the exchange name it stands for."""
    names = {member.value: member.value for member in kind}
    names.update({name: member.value for member, name in dutch.items()})
    return names


read_status: Callable[[Any, Dialect], Status | Fault] = _named(
    Status.parse, "OFF-2", _vocabulary(Status, STATUS_DUTCH)
)
"""An offering status by its exchange name or its Dutch name (OFF-2, XCH-18.2)."""

read_channel: Callable[[Any, Dialect], Channel | Fault] = _named(Channel.parse, "CHN-3")
"""A channel by its exchange name or an alias (CHN-3)."""

_capability = _named(Capability.parse, "MAT-2", _vocabulary(Capability, CAPABILITY_DUTCH))

_LEVEL_NAMES: Final = {
    **{level.label: level.label for level in MaturityLevel},
    **{name: level.label for level, name in LEVEL_DUTCH.items()},
}


def read_level(value: Any, dialect: Dialect, clause: str) -> MaturityLevel | Fault:
    """A maturity level by its name (``"fully-online"``), its Dutch name (``"volledig
    online"``, XCH-18.2) or its number (MAT-1)."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return Fault.one("must be a maturity level such as 'fully-online'", shown(value), clause)
    try:
        return MaturityLevel.parse(value, "level")
    except InvalidValueError as exc:
        hint = close_name(value, _LEVEL_NAMES) if isinstance(value, str) else None
        return Fault.one(exc.problem.message, value, clause, suggestion=hint)


_CODE = re.compile(r"GM[0-9]{4}", re.ASCII)


def read_code(value: Any, dialect: Dialect, clause: str = "MUN-2") -> str | Fault:
    """A CBS code, written exactly as ``GM`` and four digits (MUN-2)."""
    if not isinstance(value, str):
        return Fault.one("must be a CBS code (a text)", shown(value), clause)
    code = value if dialect.typed else value.strip()
    if not _CODE.fullmatch(code):
        return Fault.one(N_("must be 'GM' followed by 4 digits, e.g. 'GM0622'"), value, clause)
    return code


_TRUE: Final = frozenset({"true", "yes", "ja", "waar", "j", "y"})

_FALSE: Final = frozenset({"false", "no", "nee", "onwaar", "n"})


def read_boolean(value: Any, dialect: Dialect, clause: str) -> bool | Fault:
    """``true`` or ``false``; in a sheet's cell also yes/no, ja/nee, waar/onwaar, j/n, y/n
    (XCH-11, XCH-18.2)."""
    if dialect.typed:
        if type(value) is bool:
            return value
        return Fault.one("must be true or false", shown(value), clause)
    word = str(value).strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    words = {w: w for w in ("ja", "nee", "yes", "no", "true", "false")}
    hint = close_name(word, words) or N_("write ja or nee")
    return Fault.one(N_("must be true or false (or ja/nee)"), value, clause, suggestion=hint)


_NOT_APPLICABLE: Final = frozenset({"n.v.t.", "nvt", "n.v.t", "niet van toepassing", "n/a"})


def read_tick(value: Any, dialect: Dialect) -> bool | Fault:
    """A capability's yes/no cell (XCH-18.3): yes or no as :func:`read_boolean` reads them,
    and "n.v.t." (not applicable) as yes, because MAT-2 records a capability that concerns
    a step the procedure does not have as present."""
    if not dialect.typed and str(value).strip().lower() in _NOT_APPLICABLE:
        return True
    return read_boolean(value, dialect, "XCH-18.3")


_SEPARATORS = re.compile(r"[|,;]")

_WHITE = re.compile(r"\s+")


def _capability_names(cell: str) -> list[str]:
    """The names of a sheet's capabilities cell (XCH-11, XCH-18.2): the cell is cut at ``|``,
    ``,`` and ``;``, and a part that is not one name (a Dutch name holds a space, ``online
    betalen``) at white space, unless none of its words is a name: then the part is one
    (unknown) name.

    >>> _capability_names("informatie online | online betalen; prefilled")
    ['informatie online', 'online betalen', 'prefilled']
    >>> _capability_names(" information-online  downloadable-form ")
    ['information-online', 'downloadable-form']
    >>> _capability_names("informatie onlien"), _capability_names("information-online pdf")
    (['informatie onlien'], ['information-online', 'pdf'])
    """
    names: list[str] = []
    for part in _SEPARATORS.split(cell):
        part = part.strip()
        if not part:
            continue
        words = _WHITE.split(part)
        if (
            len(words) > 1
            and isinstance(_capability(part, CSV), Fault)
            and not all(isinstance(_capability(w, CSV), Fault) for w in words)
        ):
            names.extend(words)
        else:
            names.append(part)
    return names


def read_capabilities(value: Any, dialect: Dialect) -> frozenset[Capability] | Fault:
    """Capability names (MAT-2), each at most once: a JSON array, or a sheet's cell with the
    names, in English or Dutch, separated by ``|``, ``,``, ``;`` or white space (XCH-8,
    XCH-11, XCH-18.2)."""
    if dialect.typed:
        if not isinstance(value, list):
            return Fault.one("must be an array of capability names", shown(value), "XCH-8")
        names: Sequence[Any] = value
    else:
        names = _capability_names(str(value))
    items: list[Item] = []
    seen: set[Capability] = set()
    for index, name in enumerate(names):
        sub = f"/{index}" if dialect.typed else ""
        parsed = _capability(name, dialect)
        if isinstance(parsed, Fault):
            items.extend(attrs.evolve(i, sub=sub) for i in parsed.items)
        elif parsed in seen:
            items.append(Item(sub, N_("is listed more than once"), name, "XCH-8"))
        else:
            seen.add(parsed)
    return Fault(tuple(items)) if items else frozenset(seen)


_AUTHENTICATION_MEMBERS: Final = ("means", "level")


def read_authentication(
    value: Any, dialect: Dialect
) -> Authentication | AuthenticationOptions | Fault:
    """The authentication asked (LOA-4): a scheme name or identifier (``"DigiD Midden"``,
    ``"digid low"``, ``"EH3"``), several accepted means (``"DigiD Midden / EH3"``, LOA-4.2;
    in JSON also an array of names), or in JSON an object ``{"means": ..., "level": ...}``
    whose level may be null: the means at an unknown level (LOA-4.1)."""
    clause = "LOA-4"
    if dialect.typed and isinstance(value, list):
        clause = "LOA-4.2"
        if not all(isinstance(item, str) for item in value):
            return Fault.one("must be an array of scheme names", shown(value), clause)
        if len(value) < 2:
            return Fault.one(
                "an array of means needs at least two; write one means as a text",
                shown(value),
                clause,
            )
    elif dialect.typed and isinstance(value, dict):
        items = read_keys(
            value, frozenset(_AUTHENTICATION_MEMBERS), _AUTHENTICATION_MEMBERS, "LOA-4"
        )
        items += [
            Item(f"/{key}", "must be a text", shown(value[key]), "LOA-4")
            for key in ("means", "level")
            if key in value
            and not isinstance(value[key], str)
            and not (key == "level" and value[key] is None)  # unknown level (LOA-4.1)
        ]
        if items:
            return Fault(tuple(items))
        try:
            return Authentication(value["means"], value["level"])
        except InvalidValueError as exc:
            sub = "/level" if exc.field.endswith("level") else "/means"
            return Fault.of(exc, "LOA-4", sub)
    elif not isinstance(value, str):
        return Fault.one(
            "must be a scheme name such as 'DigiD Midden', or an object {means, level}",
            shown(value),
            clause,
        )
    try:  # a scheme name or identifier, or several accepted means
        return authentication_of(value)
    except InvalidValueError as exc:
        return Fault.of(exc, clause)


def read_audiences(value: Any) -> tuple[Audience, ...] | Fault:
    """Audiences of a local product in a sheet cell: ``burger``, ``bedrijf`` (XCH-6)."""
    out: list[Audience] = []
    for name in re.split(r"[|,;\s]+", str(value).strip()):
        if not name:
            continue
        try:
            out.append(Audience(name.lower()))
        except ValueError:
            return Fault.one(N_("must be burger and/or bedrijf"), value, "XCH-6")
    return tuple(out)


def read_assurance(value: Any) -> AssuranceLevel | Fault:
    """The assurance level a local product requires, in a sheet cell (LOA-1)."""
    try:
        return parse_level(str(value).strip(), "required_assurance")
    except InvalidValueError as exc:
        return Fault.of(exc, "LOA-1")


guard(__name__)
