"""The package's single pint unit registry and the conversions at its boundary.

VolumeRecord (requests or contacts per unit of time) and costs (an amount of money per
contact) carry units where they enter digimaat. They are converted once, here, to plain
floats in canonical units: **requests per year** and **a currency amount per contact**.
Inside the measurement core only plain numpy arrays are used.

pint is imported lazily: ``import digimaat`` and scoring an in-memory dataset do not
need it. Every quantity digimaat creates comes from :func:`registry`; quantities from
another registry are accepted and converted through their unit string.

>>> from digimaat.units import annual_rate
>>> annual_rate("83 per month")
996.0
>>> annual_rate("1000/year")
1000.0
>>> annual_rate("20 requests / a")
20.0
>>> annual_rate("5 m")
Traceback (most recent call last):
...
digimaat.errors.UnitError: volume: '5 m' is not a rate (a count per unit of time, ...) (got '5 m')
"""

from __future__ import annotations

import functools
import math
import numbers
import re
from typing import TYPE_CHECKING, Any

from digimaat._boundary import guard
from digimaat.errors import InvalidValueError, UnitError

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = [
    "CURRENCIES",
    "PER_YEAR",
    "TIME_UNITS",
    "annual_rate",
    "cost_per_contact",
    "quantity",
    "rate_factor",
    "registry",
    "split_rate",
]

PER_YEAR = "request / year"
"""The canonical unit of volumes inside digimaat."""

CURRENCIES = ("EUR", "GBP")
"""Currencies digimaat knows. They are separate dimensions: no exchange rate is implied."""

_DEFINITIONS = (
    # Counting units: a request (aanvraag, melding, ...) and a contact are counts, so
    # they are dimensionless; "1000/year" and "1000 requests/year" are the same rate.
    "request = [] = req = requests",
    "contact = request = contacts",
    "transaction = request = transactions",
    # Money. Each currency is its own base dimension: converting between currencies
    # needs an exchange rate and a date, which the standard does not fix.
    "euro = [currency_EUR] = EUR = eur",
    "eurocent = 0.01 euro",
    "pound_sterling = [currency_GBP] = GBP = gbp",
    "penny = 0.01 pound_sterling = p_sterling",
)


@functools.cache
def registry() -> pint.UnitRegistry[Any]:
    """Return digimaat's unit registry (created on first use, then shared)."""
    import pint

    ureg: pint.UnitRegistry[Any] = pint.UnitRegistry(cache_folder=None)
    for definition in _DEFINITIONS:
        ureg.define(definition)
    return ureg


def quantity(value: Any, unit: str | None = None) -> pint.Quantity[Any]:
    """Build a quantity in digimaat's registry from a string, a number and unit, or a quantity.

    Quantities from another pint registry are re-expressed in this one.
    """
    ureg = registry()
    try:
        if unit is not None:
            return ureg.Quantity(value, unit)
        if isinstance(value, ureg.Quantity):
            return value
        if hasattr(value, "magnitude") and hasattr(value, "units"):
            return ureg.Quantity(value.magnitude, str(value.units))
        if isinstance(value, str):
            return ureg.Quantity(value.strip())
    except Exception as exc:  # pint raises several unrelated exception types
        raise UnitError(
            "quantity",
            value if unit is None else f"{value} {unit}",
            f"cannot be read as a quantity ({exc.__class__.__name__})",
        ) from exc
    raise UnitError("quantity", value, "needs an explicit unit, e.g. '1000/year'")


_NUMBER_DOT = r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
_NUMBER_COMMA = r"(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]+)?(?:[eE][+-]?[0-9]+)?"


@functools.cache
def _rate_text(decimal_comma: bool) -> re.Pattern[str]:
    """The pattern of a rate's text, compiled when first needed (the decimal comma's only
    for a file of a Dutch spreadsheet)."""
    number = _NUMBER_COMMA if decimal_comma else _NUMBER_DOT
    return re.compile(rf"\s*([+-]?)({number})\s*(.*?)\s*", re.DOTALL)


def split_rate(text: str, decimal_comma: bool = False) -> tuple[bool, float, str] | None:
    """The parts of a written rate (XCH-9): a minus sign, the number and the unit text.

    The number is written with the digits 0-9, an optional fraction and an optional
    exponent; with ``decimal_comma`` the fraction follows a ``,`` and a ``.`` groups
    thousands (``1.000,5``), as a Dutch spreadsheet writes it (XCH-12). ``None`` when the
    text does not start with a number. The unit text may be empty (a bare number).

    >>> split_rate("+1.000,5 per maand", True), split_rate("20", False)
    ((False, 1000.5, 'per maand'), (False, 20.0, ''))
    """
    match = _rate_text(decimal_comma).fullmatch(text)
    if match is None:
        return None
    sign, digits, unit = match.groups()
    if decimal_comma:
        digits = digits.replace(".", "").replace(",", ".")
    return sign == "-", float(digits), unit


def annual_rate(value: Any, field: str = "volume") -> float:
    """Convert a volume to a plain float in requests per year, checking it.

    Accepts a text in the grammar of XCH-9 (``"1000/year"``, ``"83 per month"``,
    ``"20 per jaar"``) or a pint quantity with a rate unit. A bare number is rejected
    because its time unit would be a guess. The value must be finite and not negative
    (OFF-10 to OFF-15).
    """
    if isinstance(value, bool | numbers.Number):
        raise UnitError(field, value, "a bare number has no time unit; write e.g. '1000/year'")
    if isinstance(value, str):
        parts = split_rate(value)
        if parts is None:
            raise UnitError(
                field,
                value,
                f"{value!r} is not a rate (a count per unit of time, e.g. '1000/year')",
            )
        negative, number, unit = parts
        if not unit:
            raise UnitError(field, value, "a bare number has no time unit; write e.g. '1000/year'")
        try:
            factor = rate_factor(unit)
        except UnitError:
            raise UnitError(
                field,
                value,
                f"{value!r} is not a rate (a count per unit of time, e.g. '1000/year')",
            ) from None
        magnitude = -number * factor if negative else number * factor
        return _check_amount(field, value, magnitude)
    try:
        q = quantity(value)
    except UnitError as exc:
        raise UnitError(field, value, exc.problem.message) from exc
    ureg = registry()
    if not q.check("1/[time]"):
        raise UnitError(field, value, f"unit {q.units} is not a rate (a count per unit of time)")
    magnitude = q.to(ureg.request / ureg.year).magnitude
    return _check_amount(field, value, magnitude)


def cost_per_contact(value: Any, field: str = "cost") -> tuple[float, str]:
    """Convert a cost per contact to ``(amount, currency)``.

    Accepts e.g. ``"8.62 GBP"`` or ``"3 EUR/contact"``; a bare number has no currency and
    is rejected, as is a negative, NaN or infinite amount (CHN-6).

    >>> cost_per_contact("8.62 GBP")
    (8.62, 'GBP')
    >>> cost_per_contact("250 eurocent / contact")
    (2.5, 'EUR')
    """
    if isinstance(value, bool | numbers.Number):
        raise UnitError(field, value, "a bare number has no currency; write e.g. '2.50 EUR'")
    try:
        q = quantity(value)
    except UnitError as exc:
        raise UnitError(field, value, exc.problem.message) from exc
    for currency in CURRENCIES:
        if q.check(f"[currency_{currency}]"):
            amount = q.to(f"{currency} / contact").magnitude
            return _check_amount(field, value, amount), currency
    raise UnitError(field, value, f"is not an amount of money per contact in one of {CURRENCIES}")


def _check_amount(field: str, original: Any, magnitude: Any) -> float:
    try:
        number = float(magnitude)
    except (TypeError, ValueError) as exc:
        raise InvalidValueError(field, original, "must be a single real number") from exc
    if math.isnan(number) or math.isinf(number):
        raise InvalidValueError(field, original, "must be finite")
    if number < 0:
        raise InvalidValueError(field, original, "must not be negative")
    return number


_RATE_UNIT = re.compile(
    r"\s*(?:(1|req|requests?|contacts?|transactions?|aanvra(?:ag|gen)|meldingen|melding)\s*)?"
    r"(?:/|per(?=\s))\s*([a-z]+)\s*",
    re.IGNORECASE,
)

_WEEK = 52.17857142857142
"""Requests per year in one request a week, as pint computes it (``365.25 / 7`` in binary64
arithmetic rounds to the next number up, 52.17857142857143)."""

TIME_UNITS: dict[str, tuple[tuple[str, ...], float]] = {
    # unit: (its spellings, requests per year in one request per unit). A year is the
    # Julian year of 365.25 days, as pint defines it; a month a twelfth and a quarter a
    # fourth of it. Each factor equals the one pint computes (the tests check it).
    "year": (("year", "years", "yr", "a", "jaar", "jaren", "jr"), 1.0),
    "quarter": (("quarter", "quarters", "kwartaal", "kwartalen"), 4.0),
    "month": (("month", "months", "maand", "maanden", "mnd"), 12.0),
    "week": (("week", "weeks", "weken", "wk"), _WEEK),
    "day": (("day", "days", "d", "dag", "dagen"), 365.25),
    "hour": (("hour", "hours", "h", "hr", "uur"), 8766.0),
}
"""The time units of a rate (XCH-9): a closed list, not whatever the unit registry knows."""

_TIME_FACTORS = {
    spelling: factor for spellings, factor in TIME_UNITS.values() for spelling in spellings
}


@functools.lru_cache(maxsize=256)
def rate_factor(unit: str) -> float:
    """Requests per year in one ``unit`` of a rate, e.g. ``12.0`` for ``"per month"`` (XCH-9).

    The unit is an optional count, ``/`` or ``per``, and a time unit of :data:`TIME_UNITS`,
    in English or Dutch, in any letter case, with white space around the parts:

    .. code-block:: abnf

        rate-unit = [count ws] ("/" / "per" 1*WSP) ws time-unit
        count     = "1" / "req" / "request" / "requests" / "contact" / "contacts"
                  / "transaction" / "transactions" / "aanvraag" / "aanvragen"
                  / "melding" / "meldingen"
        time-unit = year / quarter / month / week / day / hour   ; see TIME_UNITS

    Nothing else is a rate unit, whatever a unit registry would accept: arithmetic is never
    evaluated, and the accepted units do not depend on the installed version of pint.

    >>> rate_factor("per month"), rate_factor("/year"), rate_factor("Aanvragen Per Jaar")
    (12.0, 1.0, 1.0)
    >>> rate_factor("per kwartaal"), rate_factor("per week") == annual_rate("1 per week")
    (4.0, True)
    >>> rate_factor("per decade")
    Traceback (most recent call last):
    ...
    digimaat.errors.UnitError: unit: is not a rate unit; ... (got 'per decade')
    """
    given: object = unit
    match = _RATE_UNIT.fullmatch(unit) if isinstance(given, str) else None
    factor = _TIME_FACTORS.get(match.group(2).lower()) if match is not None else None
    if factor is None:
        raise UnitError(
            "unit",
            unit,
            "is not a rate unit; write a count per unit of time, such as '/year', "
            "'per month', 'per jaar' or 'requests / week'",
        )
    return factor


guard(__name__)
