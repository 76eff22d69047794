"""Tests of specification chapter CHN (channels and costs per contact).

Names, aliases and default costs are transcribed from ``specs/02-channels.md``.
"""

from __future__ import annotations

import math
import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import DigimaatError, InvalidValueError, UnitError, UnknownNameError
from digimaat.units import registry
from digimaat.vocabulary.channels import CHANNELS, Channel, ContactCost

NAMES = ["balie", "telefoon", "post", "e-mail", "web", "app", "chat"]
"""CHN-1 and CHN-4: the exchange names in canonical order."""

DIGITAL = {"e-mail", "web", "app", "chat"}
"""CHN-2."""

ALIASES = {
    "counter": "balie",
    "phone": "telefoon",
    "telephone": "telefoon",
    "mail": "post",
    "email": "e-mail",
    "online": "web",
    "website": "web",
}
"""CHN-3."""

DEFAULT_COSTS: dict[str, tuple[float, str] | None] = {
    "balie": (8.62, "GBP"),
    "telefoon": (2.83, "GBP"),
    "post": None,
    "e-mail": None,
    "web": (0.15, "GBP"),
    "app": (0.15, "GBP"),
    "chat": None,
}
"""CHN-5."""


def assert_names(exc: BaseException, field: str, value: Any) -> None:
    """The error is a DigimaatError whose message names the field and the value."""
    assert isinstance(exc, DigimaatError)
    text = str(exc)
    assert f"{field}:" in text, text
    assert f"(got {value!r})" in text, text


@st.composite
def respelled(draw: st.DrawFn, name: str) -> str:
    """``name`` in random letter case with surrounding white space."""
    flips = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    cased = "".join(ch.upper() if up else ch for ch, up in zip(name, flips, strict=True))
    left = draw(st.sampled_from(["", " ", "\t", " \n"]))
    right = draw(st.sampled_from(["", " ", "  "]))
    return left + cased + right


# --- CHN-1, CHN-2, CHN-4 -------------------------------------------------------------------


def test_the_seven_channels() -> None:
    """CHN-1: The standard knows exactly the seven channels, each with its exchange name."""
    assert sorted(c.value for c in Channel) == sorted(NAMES)


def test_digital_channels() -> None:
    """CHN-2: The channels e-mail, web, app and chat are digital; balie, telefoon and post are
    not."""
    assert {c.value for c in Channel if c.digital} == DIGITAL
    assert {c.value for c in Channel if not c.digital} == {"balie", "telefoon", "post"}


def test_canonical_order() -> None:
    """CHN-4: The canonical order of the channels is balie, telefoon, post, e-mail, web, app,
    chat."""
    assert [c.value for c in CHANNELS] == NAMES


# --- CHN-3 ---------------------------------------------------------------------------------


@pytest.mark.property
@given(st.sampled_from(NAMES).flatmap(lambda n: st.tuples(st.just(n), respelled(n))))
def test_exchange_names_parse_in_any_case(case: tuple[str, str]) -> None:
    """CHN-3: A reader MUST accept a channel's exchange name in any letter case, with surrounding
    white space ignored."""
    name, text = case
    assert Channel.parse(text).value == name


@pytest.mark.property
@given(st.sampled_from(sorted(ALIASES)).flatmap(lambda a: st.tuples(st.just(a), respelled(a))))
def test_aliases(case: tuple[str, str]) -> None:
    """CHN-3: A reader MUST accept the English aliases counter, phone, telephone, mail, email,
    online and website."""
    alias, text = case
    assert Channel.parse(text).value == ALIASES[alias]


@pytest.mark.property
@given(st.text(alphabet=string.ascii_letters + "-_ ", max_size=15))
def test_unknown_channel_names_are_rejected(tail: str) -> None:
    """CHN-3: Any other name MUST be rejected with an error that names the field and the value."""
    text = "fax" + tail  # no channel name or alias starts with "fax"
    with pytest.raises(UnknownNameError) as info:
        Channel.parse(text, field="volumes")
    assert_names(info.value, "volumes", text)


@pytest.mark.parametrize("value", [None, 3, "", "e mail", "counters"])
def test_values_that_are_not_channel_names_are_rejected(value: object) -> None:
    """CHN-3: Any other name MUST be rejected with an error that names the field and the value."""
    with pytest.raises(UnknownNameError) as info:
        Channel.parse(value)  # type: ignore[arg-type]
    assert_names(info.value, "channel", value)


# --- CHN-5 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), sorted(DEFAULT_COSTS.items()))
def test_default_costs(name: str, expected: tuple[float, str] | None) -> None:
    """CHN-5: Where a dataset states no costs at all, the defaults in the table apply; a channel
    without a default has none."""
    cost = Channel(name).default_cost
    if expected is None:
        assert cost is None
    else:
        assert cost is not None
        assert (cost.amount, cost.currency) == expected
        assert "Socitm" in cost.source


# --- CHN-6 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "field"),
    [
        (-0.01, "cost.amount"),
        (math.nan, "cost.amount"),
        (math.inf, "cost.amount"),
        ("2.50", "cost.amount"),
        (True, "cost.amount"),
    ],
)
def test_invalid_amounts_are_rejected(amount: object, field: str) -> None:
    """CHN-6: A negative amount and a NaN or infinite amount MUST be rejected with an error that
    names the field and the value."""
    with pytest.raises(InvalidValueError) as info:
        ContactCost(amount, "EUR", "local figure")  # type: ignore[arg-type]
    assert_names(info.value, field, amount)


def test_unknown_currency_is_rejected() -> None:
    """CHN-6: The currencies are the euro (EUR) and the pound sterling (GBP)."""
    with pytest.raises(UnknownNameError) as info:
        ContactCost(2.5, "USD", "local figure")
    assert_names(info.value, "cost.currency", "USD")


@pytest.mark.parametrize("source", ["", "   ", None])
def test_a_cost_needs_a_source(source: object) -> None:
    """CHN-6: A cost per contact is a finite, non-negative amount of money in one currency, with
    its source."""
    with pytest.raises(InvalidValueError) as info:
        ContactCost(2.5, "EUR", source)  # type: ignore[arg-type]
    assert_names(info.value, "cost.source", source)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.50 EUR", (2.5, "EUR")),
        ("250 eurocent / contact", (2.5, "EUR")),
        ("3 EUR / transaction", (3.0, "EUR")),
        ("8.62 GBP", (8.62, "GBP")),
        ("15 p_sterling / request", (0.15, "GBP")),
    ],
)
def test_costs_from_quantities(text: str, expected: tuple[float, str]) -> None:
    """CHN-6: A cost MAY be written per contact, per request or per transaction; these counting
    units are dimensionless."""
    cost = ContactCost.from_quantity(text, "local figure")
    assert cost.amount == pytest.approx(expected[0], rel=1e-12)  # decimal prefixes: rel 1e-12
    assert cost.currency == expected[1]
    assert cost.source == "local figure"


def test_cost_quantity_is_in_the_registry() -> None:
    """CHN-6: Each currency is its own dimension (no conversion between currencies)."""
    quantity: Any = ContactCost(2.5, "EUR", "x").quantity()
    assert isinstance(quantity, registry().Quantity)
    assert quantity.to("eurocent / contact").magnitude == pytest.approx(250.0, rel=1e-12)
    assert not quantity.check("[currency_GBP]")


@pytest.mark.parametrize("text", ["3 EUR/year", "5 m", "12 USD"])
def test_costs_that_are_not_money_per_contact_are_rejected(text: str) -> None:
    """CHN-6: A bare number, an amount per unit of time MUST be rejected with an error that names
    the field and the value."""
    with pytest.raises(UnitError) as info:
        ContactCost.from_quantity(text, "x")
    assert_names(info.value, "cost", text)
