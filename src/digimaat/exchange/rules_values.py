"""The rules of texts and numbers, and the language of every rule (chapter XCH, XCH-4, XCH-12).

A rule reads one raw value of one field in a :class:`Dialect` (typed JSON, or the text of a
CSV cell with a decimal point or a decimal comma) and gives the value or a :class:`Fault`:
one or more :class:`Item` saying what is wrong and which clause it breaks. The rules here
are those of texts (XCH-4) and of whole and other numbers, in JSON and in both CSV
dialects (XCH-4, XCH-12); :mod:`digimaat.exchange.rules` gathers them with the others.

>>> from digimaat.exchange.rules_values import CSV_NL, JSON, read_integer
>>> read_integer("74.124", CSV_NL, 1, 10**9), read_integer(74124, JSON, 1, 10**9)
(74124, 74124)
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat._serial import Shown, shown
from digimaat._text import FORBIDDEN_MESSAGE, forbidden
from digimaat.errors import N_, NO_VALUE, InvalidValueError, safe_text
from digimaat.units import split_rate
from digimaat.vocabulary.offerings import (
    MAX_FORMS,
)

__all__ = [
    "CSV",
    "CSV_NL",
    "JSON",
    "MAX_COUNT",
    "MAX_INTEGER",
    "Dialect",
    "Fault",
    "Item",
    "read_integer",
    "read_number",
    "read_text",
    "read_year",
]

MAX_INTEGER: Final = 2**53 - 1
"""The largest magnitude of an integer in an exchange file (XCH-4): exact in binary64."""

MAX_COUNT: Final = MAX_FORMS
"""The largest count of web forms started or completed (OFF-6, XCH-4), as the vocabulary
says."""


@attrs.frozen
@shared_repr
@shared_eq
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
@shared_repr
@shared_eq
class Item:
    """One thing wrong with a value: where inside it, what, which value and which clause."""

    sub: str
    """A JSON pointer suffix inside the value (``"/2"``), or ``""`` for the value itself."""
    message: str
    value: Any
    clause: str | None = None
    suggestion: str | None = None


@attrs.frozen
@shared_repr
@shared_eq
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
            return ambiguous(value)
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

DOT_FRACTION = re.compile(r"\.[0-9]")
"""What is left of a number such as ``1.5`` when ``.`` groups thousands (XCH-12)."""


def ambiguous(value: Any) -> Fault:
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


guard(__name__)
