"""The rules of the exchange fields, written once for every form (specification chapter XCH).

A reader cuts a file into raw records (:mod:`digimaat.exchange.raw`); the rules here read
one raw value of one field and give either the value or a :class:`Fault` saying what is
wrong and which clause it breaks. They never raise on bad input. The JSON document and
the CSV form differ only in how a raw value is written: a JSON value is typed (a number
is a number), a CSV cell is always a text, and a CSV file separated by ``;`` writes its
numbers with a decimal comma (XCH-12). That difference is the :class:`Dialect`; every
other rule is the same for both forms.

A reader applies each rule once per *distinct* raw value of a field, however many
records repeat it, and spreads the result back over the records.

>>> from digimaat.exchange.rules import CSV_NL, JSON, read_integer, read_rate
>>> read_integer("74.124", CSV_NL, 1, 10**9), read_integer(74124, JSON, 1, 10**9)
(74124, 74124)
>>> read_rate("1.000 per jaar", CSV_NL), read_rate("83 per month", JSON)
(1000.0, 996.0)
>>> print(read_rate("-3/week", JSON))
must not be negative (got '-3/week') [OFF-14]
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs

from digimaat._boundary import guard
from digimaat._names import exchange_key
from digimaat._serial import Shown, shown
from digimaat._text import FORBIDDEN_MESSAGE, forbidden
from digimaat.errors import N_, NO_VALUE, InvalidValueError, safe_text
from digimaat.units import rate_factor, split_rate
from digimaat.vocabulary.assurance import (
    Authentication,
    AuthenticationOptions,
    authentication_of,
)
from digimaat.vocabulary.channels import Channel
from digimaat.vocabulary.maturity import CAPABILITY_DUTCH, LEVEL_DUTCH, Capability, MaturityLevel
from digimaat.vocabulary.municipalities import MAX_POPULATION
from digimaat.vocabulary.offerings import (
    MAX_FORMS,
    MAX_VOLUME,
    MIN_VOLUME,
    STATUS_DUTCH,
    Status,
    check_volume,
)

__all__ = [
    "CSV",
    "CSV_NL",
    "JSON",
    "MAX_COUNT",
    "MAX_INTEGER",
    "MAX_POPULATION",
    "MAX_VOLUME",
    "MIN_VOLUME",
    "Dialect",
    "Fault",
    "Item",
    "read_authentication",
    "read_boolean",
    "read_capabilities",
    "read_channel",
    "read_code",
    "read_costs",
    "read_integer",
    "read_level",
    "read_product_scope",
    "read_rate",
    "read_status",
    "read_text",
    "read_tick",
    "read_year",
]

MAX_INTEGER: Final = 2**53 - 1
"""The largest magnitude of an integer in an exchange file (XCH-4): exact in binary64."""
MAX_COUNT: Final = MAX_FORMS
"""The largest count of web forms started or completed (OFF-6, XCH-4), as the vocabulary
says."""


@attrs.frozen
class Dialect:
    """How raw values are written: typed (JSON) or as texts (CSV), and the decimal mark."""

    typed: bool
    """Whether values carry their JSON type; otherwise every value is a text."""
    decimal_comma: bool = False
    """Whether numbers are written with a decimal comma and ``.`` groups thousands (XCH-12)."""


JSON: Final = Dialect(typed=True)
"""The JSON document."""
CSV: Final = Dialect(typed=False)
"""The CSV form separated by ``,``: decimal point, no thousands separator."""
CSV_NL: Final = Dialect(typed=False, decimal_comma=True)
"""The CSV form separated by ``;`` (a Dutch spreadsheet): decimal comma, ``.`` for thousands."""


@attrs.frozen
class Item:
    """One thing wrong with a value: where inside it, what, which value and which clause."""

    sub: str
    """A JSON pointer suffix inside the value (``"/2"``), or ``""`` for the value itself."""
    message: str
    value: Any
    clause: str | None = None
    suggestion: str | None = None


@attrs.frozen
class Fault:
    """Why a raw value could not be read: one or more :class:`Item`."""

    items: tuple[Item, ...]

    @classmethod
    def one(
        cls,
        message: str,
        value: Any,
        clause: str | None = None,
        *,
        sub: str = "",
        suggestion: str | None = None,
    ) -> Fault:
        """A fault with a single item."""
        return cls((Item(sub, message, value, clause, suggestion),))

    @classmethod
    def of(cls, exc: InvalidValueError, clause: str | None = None, sub: str = "") -> Fault:
        """The fault an :class:`~digimaat.errors.InvalidValueError` describes."""
        problem = exc.problem
        return cls.one(
            problem.message,
            problem.value,
            problem.clause or clause,
            sub=sub,
            suggestion=problem.suggestion,
        )

    def within(self, sub: str) -> Fault:
        """The same fault, placed inside a value at ``sub``."""
        return Fault(tuple(attrs.evolve(item, sub=sub + item.sub) for item in self.items))

    def __str__(self) -> str:
        parts = []
        for item in self.items:
            got = "" if item.value is NO_VALUE else f" (got {safe_text(repr(item.value))})"
            clause = f" [{item.clause}]" if item.clause else ""
            parts.append(f"{item.sub}{' ' if item.sub else ''}{item.message}{got}{clause}")
        return "; ".join(parts)


def _is_int(value: Any) -> bool:
    return type(value) is int


# -- Texts --------------------------------------------------------------------------------


def read_text(
    value: Any,
    dialect: Dialect,
    *,
    max_length: int,
    multiline: bool = False,
    clause: str = "XCH-4",
) -> str | Fault:
    """A text field: not empty, at most ``max_length`` characters, nothing a terminal acts on.

    Control characters (C0 and C1, but tab, line feed and carriage return in a field that
    may hold several lines), bidirectional overrides and isolates, lone surrogates and the
    noncharacters U+FFFE and U+FFFF are refused (XCH-4): they can hide or reorder what a
    reader of the data sees.

    >>> print(read_text("Vlaardingen\\u202e", JSON, max_length=100))
    must not hold control, ... characters (got 'Vlaardingen\\u202e') [XCH-4]
    """
    if dialect.typed and not isinstance(value, str):
        return Fault.one("must be a text", shown(value), clause)
    text = str(value)
    if not text.strip():
        return Fault.one(N_("must not be empty"), text, clause)
    if len(text) > max_length:
        return Fault.one(f"is longer than {max_length:,} characters", text, "XCH-4")
    if forbidden(text, multiline=multiline):  # the one rule of texts (digimaat._text)
        return Fault.one(FORBIDDEN_MESSAGE, text, "XCH-4")
    return text


# -- Numbers ------------------------------------------------------------------------------

_INTEGER = {
    False: re.compile(r"\s*([+-]?)([0-9]+)\s*"),
    True: re.compile(r"\s*([+-]?)([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)\s*"),
}
_MAX_DIGITS = 16


def read_integer(
    value: Any,
    dialect: Dialect,
    low: int,
    high: int,
    clause: str = "XCH-4",
    *,
    above: str | None = None,
) -> int | Fault:
    """A whole number from ``low`` to ``high``: a JSON integer, or digits in a CSV cell.

    In a CSV file separated by ``;`` a ``.`` groups thousands (``74.124``). JSON and CSV
    accept the same range, never more than :data:`MAX_INTEGER` in magnitude (XCH-4).
    ``clause`` is the clause of a value that is not a whole number or is below ``low``;
    ``above`` that of one above ``high``, where ``high`` is a limit of XCH-4 rather than a
    rule of the field (a population above 10^9 is a positive integer, MUN-1, over the
    limit, XCH-4).
    """
    if dialect.typed:
        if not _is_int(value):
            return Fault.one("must be a whole number", shown(value), clause)
        number = int(value)
    else:
        match = _INTEGER[dialect.decimal_comma].fullmatch(str(value))
        if match is None and dialect.decimal_comma and _DOT_DECIMAL.fullmatch(str(value)):
            return _ambiguous(value)
        if match is None:
            example = "74.124" if dialect.decimal_comma else "74124"
            return Fault.one(
                f"must be a whole number written with the digits 0-9, e.g. {example}",
                value,
                clause,
            )
        digits = match.group(2).replace(".", "")
        if len(digits) > _MAX_DIGITS:
            return Fault.one(f"must be at most {high:,}", value, "XCH-4")
        number = int(digits)
        if match.group(1) == "-":
            number = -number
    if not low <= number <= high:
        if abs(number) > 10**_MAX_DIGITS:
            return Fault.one(f"must be from {low:,} to {high:,}", Shown("a huge number"), "XCH-4")
        beyond = above if above is not None and number > high else clause
        return Fault.one(f"must be from {low:,} to {high:,}", value, beyond)
    return number


_DOT_DECIMAL = re.compile(r"\s*[+-]?[0-9]+\.[0-9]+(?:[eE][+-]?[0-9]+)?\s*")
"""A number with a decimal point, which a file separated by ``;`` cannot hold (XCH-12)."""
_DOT_FRACTION = re.compile(r"\.[0-9]")
"""What is left of a number such as ``1.5`` when ``.`` groups thousands (XCH-12)."""


def _ambiguous(value: Any) -> Fault:
    """``1.5`` in a file separated by ``;``: a decimal point or a thousands separator (XCH-12)."""
    return Fault.one(
        "is ambiguous in a file separated by ';', where '.' groups thousands",
        value,
        "XCH-12",
        suggestion="write a decimal comma (1,5) or whole thousands (1.500)",
    )


def read_year(value: Any, dialect: Dialect, clause: str) -> int | Fault:
    """A calendar year from 1800 to 2200 (MUN-1, XCH-5)."""
    year = read_integer(value, dialect, 1800, 2200, clause)
    if isinstance(year, Fault):
        return Fault.one(N_("must be a calendar year (1800-2200)"), year.items[0].value, clause)
    return year


def read_number(value: Any, dialect: Dialect, clause: str) -> float | Fault:
    """A finite number: a JSON number, or a number written in a CSV cell."""
    if dialect.typed:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return Fault.one(N_("must be a number"), shown(value), clause)
        if isinstance(value, int):
            if abs(value) > MAX_INTEGER:
                return Fault.one(N_("is too large"), Shown("a huge number"), "XCH-4")
            return float(value)
        if not math.isfinite(value):  # a JSON number beyond binary64, such as 1e400
            return Fault.one("is too large", Shown("a huge number"), "XCH-4")
        return value
    parts = split_rate(str(value), dialect.decimal_comma)
    if parts is None or parts[2]:
        return Fault.one(N_("must be a number"), value, clause)
    negative, number, _ = parts
    if not math.isfinite(number):
        return Fault.one(N_("is too large"), value, "XCH-4")
    return -number if negative else number


# -- Rates (volumes) ----------------------------------------------------------------------


def read_rate(value: Any, dialect: Dialect, default_unit: str | None = None) -> float | Fault:
    """A volume in requests per year (XCH-9, OFF-10 to OFF-14).

    A text with a number and a rate unit (``"83 per month"``, ``"1.000 per jaar"`` in a
    Dutch CSV file); in the JSON document also an object ``{"value": 83, "unit": "per
    month"}``. A bare number is read in ``default_unit`` (a CSV row's ``volume_unit``) and
    refused without one. The volume is the number times the unit's factor, checked as
    OFF-14 says.
    """
    if dialect.typed and isinstance(value, dict):
        return _rate_object(value)
    if dialect.typed and not isinstance(value, str):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Fault.one(
                N_("a bare number has no time unit"),
                value,
                "OFF-13",
                suggestion="write e.g. '20/year'",
            )
        return Fault.one(
            "must be a text such as '20/year' or an object {value, unit}", shown(value), "XCH-9"
        )
    text = str(value)
    parts = split_rate(text, dialect.decimal_comma)
    if parts is None:
        example = "'1.000 per jaar'" if dialect.decimal_comma else "'1000/year'"
        return Fault.one(
            N_("must be a number followed by a rate unit"),
            text,
            "XCH-9",
            suggestion=f"write e.g. {example}",
        )
    negative, number, unit = parts
    if dialect.decimal_comma and _DOT_FRACTION.match(unit):
        return _ambiguous(text)
    if not unit:
        if default_unit is None:
            return Fault.one(
                N_("a bare number has no time unit"),
                text,
                "OFF-13",
                suggestion=N_("write e.g. '20/year', or fill volume_unit"),
            )
        unit = default_unit
    factor = _factor(unit)
    if isinstance(factor, Fault):
        item = factor.items[0]
        return Fault.one(item.message, text, "XCH-9", suggestion=item.suggestion)
    return _checked_volume(-number if negative else number, factor, text)


def _factor(unit: str) -> float | Fault:
    try:
        return rate_factor(unit)
    except InvalidValueError:
        return Fault.one(
            f"has an unknown rate unit {unit.strip()!r}",
            unit,
            "XCH-9",
            suggestion=N_("write a count per unit of time, e.g. 'per year', 'per maand', '/week'"),
        )


def _checked_volume(number: float, factor: float, shown_value: Any) -> float | Fault:
    volume = number * factor
    try:
        return check_volume("volume", volume + 0.0, shown_value)
    except InvalidValueError as exc:
        return Fault.of(exc, "OFF-14")


_RATE_MEMBERS: Final = ("value", "unit")


def _rate_object(value: dict[str, Any]) -> float | Fault:
    items = read_keys(value, frozenset(_RATE_MEMBERS), _RATE_MEMBERS, "XCH-9")
    number = value.get("value")
    unit = value.get("unit")
    factor: float | Fault = 1.0
    if "unit" in value:
        if isinstance(unit, str):
            factor = _factor(unit)
            if isinstance(factor, Fault):
                items.extend(attrs.evolve(i, sub="/unit") for i in factor.items)
        else:
            items.append(Item("/unit", "must be a text such as 'per year'", shown(unit), "XCH-9"))
    parsed: float | Fault = 0.0
    if "value" in value:
        parsed = read_number(number, JSON, "XCH-9")
        if isinstance(parsed, Fault):
            items.extend(attrs.evolve(i, sub="/value") for i in parsed.items)
    if items:
        return Fault(tuple(items))
    assert isinstance(parsed, float)
    assert isinstance(factor, float)
    result = _checked_volume(parsed, factor, number)
    return result.within("/value") if isinstance(result, Fault) else result


# -- Names of the vocabulary --------------------------------------------------------------


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


def read_keys(
    value: Mapping[str, Any], allowed: frozenset[str], required: Sequence[str], clause: str
) -> list[Item]:
    """The members of a JSON object that the format does not define (XCH-5), and those
    missing (``clause``, the clause that defines the object)."""
    items: list[Item] = []
    if not allowed.issuperset(value):
        expected = ", ".join(sorted(allowed))
        items += [
            Item(
                f"/{_token(key)}",
                f"is not a member here; expected one of: {expected}",
                NO_VALUE,
                "XCH-5",
            )
            for key in sorted(set(value) - allowed, key=str)
        ]
    items += [
        Item(f"/{_token(key)}", N_("is required"), NO_VALUE, clause)
        for key in required
        if key not in value
    ]
    return items


def _token(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


PRODUCT_SCOPES: Final = ("recorded", "reference", "offerings")
"""The named product scopes of AGG-2.1; a JSON document may also list products."""
MAX_SCOPE_PRODUCTS: Final = 100_000
"""The most products a listed product scope may name (XCH-5)."""


def read_product_scope(value: Any, dialect: Dialect) -> str | tuple[str, ...] | Fault:
    """The product scope a document claims (AGG-2.1, XCH-5): ``recorded`` (the default),
    ``reference`` or ``offerings``; in JSON also a list of product keys, resolved later."""
    if isinstance(value, str):
        name = value.strip().lower()
        if name in PRODUCT_SCOPES:
            return name
        return Fault.one(
            f"must be one of {', '.join(PRODUCT_SCOPES)}"
            + (" or a list of products" if dialect.typed else ""),
            value,
            "XCH-5",
        )
    if dialect.typed and isinstance(value, list):
        if not value or len(value) > MAX_SCOPE_PRODUCTS:
            return Fault.one(
                f"must list 1 to {MAX_SCOPE_PRODUCTS:,} products", shown(value), "XCH-5"
            )
        items = [
            Item(f"/{k}", "must be a product key (a text)", shown(v), "XCH-5")
            for k, v in enumerate(value)
            if not isinstance(v, str) or not v.strip()
        ]
        if items:
            return Fault(tuple(items))
        return tuple(value)
    return Fault.one("must be a product scope name or a list of products", shown(value), "XCH-5")


def read_costs(value: Any, dialect: Dialect) -> Any:
    """The cost table a document states (CHN-7, XCH-5): ``currency`` (default EUR),
    ``source``, ``channels`` and optionally ``products`` (keys resolved later)."""
    from digimaat.vocabulary.channels import CostTable

    if not dialect.typed or not isinstance(value, dict):
        return Fault.one(
            "must be an object: currency, source, channels, products", shown(value), "XCH-5"
        )
    try:
        return CostTable.from_mapping(value)
    except InvalidValueError as exc:
        field = exc.field.removeprefix("costs").removeprefix(".")
        sub = "/" + field.replace(".", "/") if field and field != "costs" else ""
        return Fault.of(exc, "CHN-7", sub)


guard(__name__)
