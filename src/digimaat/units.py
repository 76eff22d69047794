"""The package's single pint unit registry and the conversions at its boundary.

Volumes (requests or contacts per unit of time) and costs (an amount of money per
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

from digimaat.errors import InvalidValueError, UnitError

if TYPE_CHECKING:  # pragma: no cover
    import pint

__all__ = [
    "CURRENCIES",
    "PER_YEAR",
    "annual_rate",
    "cost_per_contact",
    "quantity",
    "rate_factor",
    "registry",
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


def annual_rate(value: Any, field: str = "volume") -> float:
    """Convert a volume to a plain float in requests per year, checking it.

    Accepts a pint quantity, a string such as ``"1000/year"`` or ``"83 per month"``.
    A bare number is rejected because its time unit would be a guess. The value must be
    finite and not negative, and its unit must be a count per unit of time (OFF-10 to
    OFF-15).
    """
    if isinstance(value, bool | numbers.Number):
        raise UnitError(field, value, "a bare number has no time unit; write e.g. '1000/year'")
    try:
        q = quantity(value)
    except UnitError as exc:
        raise UnitError(field, value, exc.problem.message) from exc
    ureg = registry()
    if not q.check("1/[time]"):
        raise UnitError(
            field,
            value,
            f"{value!r} is not a rate (a count per unit of time, e.g. '1000/year')"
            if isinstance(value, str)
            else f"unit {q.units} is not a rate (a count per unit of time)",
        )
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
    r"\s*(?:(?i:1|req|requests?|contacts?|transactions?)\s*)?(?:/|(?i:per)\s)\s*([A-Za-z_]+)\s*"
)
_TIME_WORDS = frozenset(
    {"year", "years", "month", "months", "week", "weeks", "day", "days", "hour", "hours"}
)


_TIME_FACTORS = {
    # Requests per year in one request per <unit>, for the common time units. Each equals
    # the factor pint computes from its definitions (a year is 365.25 days, a month a
    # twelfth of it), which the tests check; the table spares a reader of a large file
    # the cost of building the unit registry.
    **dict.fromkeys(("year", "years", "yr", "a"), 1.0),
    **dict.fromkeys(("month", "months"), 12.0),
    **dict.fromkeys(("week", "weeks"), 52.17857142857142),
    **dict.fromkeys(("day", "days", "d"), 365.25),
    **dict.fromkeys(("hour", "hours", "h", "hr"), 8766.0),
}


@functools.lru_cache(maxsize=256)
def rate_factor(unit: str) -> float:
    """Requests per year in one ``unit`` of a rate, e.g. ``12.0`` for ``"per month"``.

    This is the fast path for readers of large files: a volume written as a number and a
    unit is converted as ``number * rate_factor(unit)``, which equals what
    :func:`annual_rate` computes, while pint parses each distinct unit text only once.
    The unit is a count and a time unit joined by ``/`` or ``per``: the count is
    optional and one of ``1``, ``req``, ``request(s)``, ``contact(s)`` or
    ``transaction(s)``; the time unit is a name pint knows (``year``, ``a``, ``month``,
    ``week``, ``day``, ``hour``, ...). White space around the parts is ignored, and so is
    letter case, except in a time unit other than the words year, month, week, day and
    hour (and their plurals): pint's symbols are case-sensitive (``Ms`` is not ``ms``).
    Anything else raises :class:`~digimaat.errors.UnitError`, so no arithmetic in the
    unit text is ever evaluated.

    >>> rate_factor("per month"), rate_factor("/year"), rate_factor("Requests Per Year")
    (12.0, 1.0, 1.0)
    >>> rate_factor("per week") == annual_rate("1 per week")
    True
    >>> rate_factor("m")
    Traceback (most recent call last):
    ...
    digimaat.errors.UnitError: unit: is not a rate unit; ... (got 'm')
    """
    match = _RATE_UNIT.fullmatch(unit)
    if match is None:
        raise UnitError(
            "unit",
            unit,
            "is not a rate unit; write a count per unit of time, such as '/year', "
            "'per month' or 'requests / week'",
        )
    name = match.group(1)
    if name.lower() in _TIME_WORDS:
        name = name.lower()
    if name in _TIME_FACTORS:
        return _TIME_FACTORS[name]
    ureg = registry()
    try:
        per_unit = ureg.Quantity(1.0, f"request / {name}")
        factor = float(per_unit.to(ureg.request / ureg.year).magnitude)
    except Exception as exc:  # pint raises several unrelated exception types
        raise UnitError("unit", unit, f"{name!r} is not a unit of time") from exc
    if not math.isfinite(factor) or factor <= 0:  # pragma: no cover - pint time units are positive
        raise UnitError("unit", unit, "is not a usable unit of time")
    return factor
