"""Tests of the units of volumes and costs (specification chapter OFF, clauses OFF-10 to
OFF-15, and CHN-6 for costs per contact).

Expected numbers are computed by hand from the unit definitions the specification gives
(a year of 365.25 days, a month of a twelfth of a year, a week of 7 days).
"""

from __future__ import annotations

import math
from typing import Any

import pint
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import DigimaatError, InvalidValueError, UnitError
from digimaat.units import PER_YEAR, annual_rate, cost_per_contact, quantity, registry

REL = 1e-12
"""Tolerance of unit conversions: relative 1e-12 (each is a short product of floats)."""

PER_WEEK = 365.25 / 7
"""OFF-12: weeks in a Julian year."""


@pytest.fixture(scope="module")
def other() -> pint.UnitRegistry[Any]:
    """A pint registry that is not digimaat's (another program's)."""
    return pint.UnitRegistry(cache_folder=None)


def assert_names(exc: BaseException, field: str, value: Any) -> None:
    """The error is a DigimaatError whose message names the field and the value."""
    assert isinstance(exc, DigimaatError)
    text = str(exc)
    assert f"{field}:" in text, text
    assert f"(got {value!r})" in text, text


# --- OFF-10 --------------------------------------------------------------------------------


def test_one_registry() -> None:
    """OFF-10: VolumeRecord MUST be read with one unit registry."""
    assert registry() is registry()
    assert isinstance(quantity("3/year"), registry().Quantity)
    assert quantity(3, PER_YEAR).to("1/year").magnitude == 3


# --- OFF-11 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "1000/year",
        "1000 request/year",
        "1000 requests / year",
        "1000 req/year",
        "1000 contacts/year",
        "1000 contact / year",
        "1000 transactions / year",
        "1000 transaction per year",
    ],
)
def test_counting_units_are_dimensionless(text: str) -> None:
    """OFF-11: The counting units request, contact and transaction are dimensionless: "1000/year"
    and "1000 request/year" are the same rate."""
    assert annual_rate(text) == 1000.0


# --- OFF-12 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1000/year", 1000.0),
        ("83 per month", 83 * 12.0),
        ("20 requests / a", 20.0),
        ("20 requests / yr", 20.0),
        ("5 per week", 5 * PER_WEEK),
        ("2 per day", 2 * 365.25),
        ("1 per hour", 24 * 365.25),
        ("20 per jaar", 20.0),
        ("3 aanvragen per maand", 36.0),
        ("1 per kwartaal", 4.0),
        ("2 per dag", 2 * 365.25),
    ],
)
def test_rate_forms(text: str, expected: float) -> None:
    """OFF-12: A year is the Julian year of 365.25 days, a month a twelfth of a year, a week 7
    days; a rate MAY be written with / or per (XCH-9: also with the Dutch names)."""
    assert annual_rate(text) == pytest.approx(expected, rel=REL, abs=0.0)


def test_year_and_month() -> None:
    """OFF-12: A year is the Julian year of 365.25 days, and a month is a twelfth of a year
    (30.4375 days)."""
    ureg = registry()
    assert ureg.Quantity(1, "year").to("day").magnitude == pytest.approx(365.25, rel=REL)
    assert ureg.Quantity(1, "month").to("day").magnitude == pytest.approx(30.4375, rel=REL)


@pytest.mark.property
@given(st.integers(min_value=0, max_value=10**12))
def test_integer_rates_per_year_are_exact(n: int) -> None:
    """OFF-12: A rate in requests per year is held as requests per year, unchanged."""
    assert annual_rate(f"{n}/year") == float(n)


@pytest.mark.property
@given(st.integers(min_value=0, max_value=10**9))
def test_weekly_and_monthly_rates(n: int) -> None:
    """OFF-12: 5 per week is 5 x 365.25 / 7 per year; 83 per month is 996 per year."""
    assert annual_rate(f"{n} per week") == pytest.approx(n * PER_WEEK, rel=REL, abs=0.0)
    assert annual_rate(f"{n}/month") == pytest.approx(12.0 * n, rel=REL, abs=0.0)


# --- OFF-13 --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1000, 1000.0, 0, True])
def test_bare_numbers_are_rejected(value: object) -> None:
    """OFF-13: A bare number (a number without unit) MUST be rejected, because its unit of time
    would be a guess."""
    with pytest.raises(UnitError) as info:
        annual_rate(value)
    assert_names(info.value, "volume", value)


@pytest.mark.parametrize("text", ["1000", " 83 ", "1e3"])
def test_text_that_is_only_a_number_is_rejected(text: str) -> None:
    """OFF-13: Text that is only a number MUST be rejected."""
    with pytest.raises(UnitError) as info:
        annual_rate(text, field="volumes.web")
    assert_names(info.value, "volumes.web", text)


@pytest.mark.parametrize(
    "text",
    # The rate grammar is closed (XCH-9): no arithmetic is evaluated, so neither
    # "2000 per 2 years" nor "2000 / (2 years)" is read; the rate is written "1000 per year".
    # Time units other than those of the grammar are not read either.
    [
        "5 m",
        "5 m/year",
        "3 EUR/year",
        "12 hours",
        "5 kg per month",
        "2000 per 2 years",
        "2000 / (2 years)",
        "5 per decade",
        "5 per minute",
    ],
)
def test_quantities_that_are_not_rates_are_rejected(text: str) -> None:
    """OFF-13: A quantity that is not a count per unit of time MUST be rejected."""
    with pytest.raises(UnitError) as info:
        annual_rate(text)
    assert_names(info.value, "volume", text)


@pytest.mark.parametrize("text", ["", "many per year", "5 per fortnightly", "5 // year"])
def test_unreadable_volumes_are_rejected(text: str) -> None:
    """OFF-13: A volume MUST carry a unit of time; what cannot be read as a quantity is rejected."""
    with pytest.raises(UnitError) as info:
        annual_rate(text)
    assert_names(info.value, "volume", text)


def test_metres_from_the_registry_are_rejected() -> None:
    """OFF-13: A quantity that is not a count per unit of time MUST be rejected."""
    metres = registry().Quantity(5, "m")
    with pytest.raises(UnitError) as info:
        annual_rate(metres)
    assert_names(info.value, "volume", metres)


# --- OFF-14 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-3/year", "must not be negative"),
        ("-0.5 per month", "must not be negative"),
        # The grammar's numbers are written with digits (XCH-9): nan and inf are not numbers.
        ("nan/year", "is not a rate"),
        ("inf/year", "is not a rate"),
        ("-inf per week", "is not a rate"),
        ("1e999/year", "must be finite"),
    ],
)
def test_negative_and_non_finite_volumes_are_rejected(text: str, message: str) -> None:
    """OFF-14: A negative, NaN or infinite volume MUST be rejected with an error that names the
    field and the value."""
    with pytest.raises(InvalidValueError) as info:
        annual_rate(text)
    assert_names(info.value, "volume", text)
    assert message in str(info.value)


@pytest.mark.parametrize("magnitude", [-1.0, math.nan, math.inf])
def test_negative_and_non_finite_quantities_are_rejected(magnitude: float) -> None:
    """OFF-14: A negative, NaN or infinite volume MUST be rejected; it is never clamped to zero or
    dropped."""
    q = registry().Quantity(magnitude, "request / year")
    with pytest.raises(InvalidValueError) as info:
        annual_rate(q)
    assert_names(info.value, "volume", q)


# --- OFF-15 --------------------------------------------------------------------------------


def test_quantities_from_the_registry() -> None:
    """OFF-15 (with OFF-10): quantities of the standard's own registry are read directly."""
    ureg = registry()
    assert annual_rate(ureg.Quantity(83, "request / month")) == pytest.approx(996.0, rel=REL)
    assert annual_rate(ureg.Quantity(5, "1 / week")) == pytest.approx(5 * PER_WEEK, rel=REL)
    assert annual_rate(quantity(1000, PER_YEAR)) == 1000.0


@pytest.mark.parametrize(
    ("unit", "expected"),
    [("1 / month", 996.0), ("1 / year", 83.0), ("count / week", 83 * PER_WEEK)],
)
def test_quantities_from_another_registry(
    other: pint.UnitRegistry[Any], unit: str, expected: float
) -> None:
    """OFF-15: A quantity object made with another unit registry MUST be accepted when its unit is
    known to the standard's registry."""
    assert annual_rate(other.Quantity(83, unit)) == pytest.approx(expected, rel=REL)


def test_another_registry_with_another_format(other: pint.UnitRegistry[Any]) -> None:
    """OFF-15: It is re-expressed through its unit names (whatever the other registry's display
    format)."""
    formatted = pint.UnitRegistry(cache_folder=None)
    formatted.formatter.default_format = "~P"
    assert annual_rate(formatted.Quantity(83, "1/month")) == pytest.approx(996.0, rel=REL)


def test_metres_from_another_registry_are_rejected(other: pint.UnitRegistry[Any]) -> None:
    """OFF-15: ... and then checked as any other volume (metres are no rate)."""
    metres = other.Quantity(5, "m")
    with pytest.raises(UnitError) as info:
        annual_rate(metres)
    assert_names(info.value, "volume", metres)


def test_unit_unknown_to_the_registry_is_rejected() -> None:
    """OFF-15: A unit the standard's registry does not know MUST be rejected."""
    widgets = pint.UnitRegistry(cache_folder=None)
    widgets.define("widget = [widgets]")
    value = widgets.Quantity(3, "widget / year")
    with pytest.raises(UnitError) as info:
        annual_rate(value)
    assert_names(info.value, "volume", value)


# --- CHN-6: costs per contact ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("8.62 GBP", (8.62, "GBP")),
        ("2.83 GBP / contact", (2.83, "GBP")),
        ("15 p_sterling", (0.15, "GBP")),
        ("2.50 EUR", (2.5, "EUR")),
        ("250 eurocent / contact", (2.5, "EUR")),
        ("3 EUR / request", (3.0, "EUR")),
        ("3 euro per transaction", (3.0, "EUR")),
        ("0 EUR", (0.0, "EUR")),
    ],
)
def test_costs_per_contact(value: str, expected: tuple[float, str]) -> None:
    """CHN-6: A cost per contact is an amount of money in one currency, per contact, request or
    transaction."""
    amount, currency = cost_per_contact(value)
    assert amount == pytest.approx(expected[0], rel=REL, abs=0.0)
    assert currency == expected[1]


def test_cost_from_a_quantity() -> None:
    """CHN-6: A cost MAY be given as a quantity of the registry."""
    assert cost_per_contact(registry().Quantity(8.62, "GBP / contact")) == (8.62, "GBP")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (2.5, "bare number"),
        ("2.5", "not an amount of money"),
        ("3 EUR/year", "not an amount of money"),
        ("5 m", "not an amount of money"),
        ("12 USD", "cannot be read"),
        ("-1 EUR", "must not be negative"),
        ("nan GBP", "must be finite"),
        ("inf EUR", "must be finite"),
    ],
)
def test_invalid_costs_are_rejected(value: object, message: str) -> None:
    """CHN-6: A bare number, an amount per unit of time, a negative amount and a NaN or infinite
    amount MUST be rejected with an error that names the field and the value."""
    with pytest.raises(DigimaatError) as info:
        cost_per_contact(value, field="costs.balie")
    assert_names(info.value, "costs.balie", value)
    assert message in str(info.value)


def test_currencies_are_never_converted() -> None:
    """CHN-6: An implementation MUST NOT convert between currencies."""
    euros = quantity("1 EUR")
    assert euros.check("[currency_EUR]")
    assert not euros.check("[currency_GBP]")
    with pytest.raises(pint.DimensionalityError):
        euros.to("GBP")
