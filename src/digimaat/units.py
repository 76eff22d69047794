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
digimaat.errors.UnitError: volume: '5 m' is not a rate (a count per unit of time, e.g. '1000/year') (got '5 m')
"""

from __future__ import annotations

import functools
import math
import numbers
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
    "eurocent = 0.01 euro = ct",
    "pound_sterling = [currency_GBP] = GBP = gbp",
    "penny = 0.01 pound_sterling = p_sterling",
)


@functools.cache
def registry() -> pint.UnitRegistry:
    """Return digimaat's unit registry (created on first use, then shared)."""
    import pint

    ureg = pint.UnitRegistry(cache_folder=None)
    for definition in _DEFINITIONS:
        ureg.define(definition)
    return ureg


def quantity(value: Any, unit: str | None = None) -> pint.Quantity:
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
        raise UnitError("quantity", value if unit is None else f"{value} {unit}",
                        f"cannot be read as a quantity ({exc.__class__.__name__})") from exc
    raise UnitError("quantity", value, "needs an explicit unit, e.g. '1000/year'")


def annual_rate(value: Any, field: str = "volume") -> float:
    """Convert a volume to a plain float in requests per year, checking it.

    Accepts a pint quantity, a string such as ``"1000/year"`` or ``"83 per month"``.
    A bare number is rejected because its time unit would be a guess. The value must be
    finite and not negative, and its unit must be a count per unit of time.
    """
    if isinstance(value, bool | numbers.Number):
        raise UnitError(field, value, "a bare number has no time unit; write e.g. '1000/year'")
    try:
        q = quantity(value)
    except UnitError as exc:
        raise UnitError(field, value, exc.problem.message) from exc
    ureg = registry()
    if not q.check("1/[time]"):
        raise UnitError(field, value,
                        f"{value!r} is not a rate (a count per unit of time, e.g. '1000/year')"
                        if isinstance(value, str) else
                        f"unit {q.units} is not a rate (a count per unit of time)")
    magnitude = q.to(ureg.request / ureg.year).magnitude
    return _check_amount(field, value, magnitude)


def cost_per_contact(value: Any, field: str = "cost") -> tuple[float, str]:
    """Convert a cost per contact to ``(amount, currency)``, e.g. ``"8.62 GBP"`` or ``"3 EUR/contact"``.

    >>> cost_per_contact("8.62 GBP")
    (8.62, 'GBP')
    >>> cost_per_contact("250 ct / contact")
    (2.5, 'EUR')
    """
    if isinstance(value, bool | numbers.Number):
        raise UnitError(field, value, "a bare number has no currency; write e.g. '2.50 EUR'")
    q = quantity(value)
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
