"""The rules of volumes: rates, rate units and the volumes of an offering (chapter XCH, XCH-9).

A volume is a count per unit of time (``"83 per month"``, ``"1.000 per jaar"`` in a Dutch
CSV file), in the JSON document also an object ``{"value": 83, "unit": "per month"}``,
read as requests per year and checked as OFF-14 says. The JSON document writes the volumes
of an offering as an object per channel (OFF-5, XCH-8); the CSV form writes one cell per
channel and a ``volume_unit`` for the cells that hold a bare number (XCH-11).

>>> from digimaat.exchange.rules_volumes import read_rate
>>> from digimaat.exchange.rules_values import CSV_NL, JSON
>>> read_rate("1.000 per jaar", CSV_NL), read_rate("83 per month", JSON)
(1000.0, 996.0)
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._serial import shown
from digimaat.errors import N_, InvalidValueError
from digimaat.exchange.rules_names import read_channel
from digimaat.exchange.rules_objects import read_keys
from digimaat.exchange.rules_values import (
    DOT_FRACTION,
    JSON,
    Dialect,
    Fault,
    Item,
    ambiguous,
    read_number,
)
from digimaat.units import rate_factor, split_rate
from digimaat.vocabulary.channels import CHANNELS
from digimaat.vocabulary.offerings import (
    check_volume,
)

__all__ = [
    "JsonVolumes",
    "is_bare_number",
    "read_rate",
    "read_unit",
]


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
    if dialect.decimal_comma and DOT_FRACTION.match(unit):
        return ambiguous(text)
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


def read_unit(text: str) -> float | Fault:
    """A CSV row's ``volume_unit`` (XCH-9, XCH-11): the factor of a rate unit to a year."""
    try:
        return rate_factor(text)
    except InvalidValueError:
        return Fault.one(
            N_("is not a rate unit"),
            text,
            "XCH-9",
            suggestion="write a count per unit of time, e.g. 'per year', 'per maand', '/week'",
        )


def is_bare_number(cell: Any, dialect: Dialect) -> bool:
    """Whether a volume cell is a number without a rate unit (XCH-11), read in its row's
    ``volume_unit``."""
    parts = split_rate(str(cell), dialect.decimal_comma)
    return parts is not None and not parts[2]


class JsonVolumes:
    """Reads JSON volume objects (OFF-5, XCH-9), remembering each channel name and rate text.

    A national file writes some ten thousand distinct volume objects from a few hundred
    distinct channel names and rate texts; each of those is read by its rule once.
    """

    def __init__(self) -> None:
        self.channels: dict[Any, Any] = {}
        self.rates: dict[str, Any] = {}
        self.layouts: dict[tuple[str, ...], Callable[[list[float]], tuple[float, ...]]] = {}
        """Member names of objects read without a fault -> the channels' requests per year,
        in channel order, from the members' (then NaN for the channels not listed)."""
        self.good: dict[str, float] = {}
        """The rate texts read without a fault."""

    def __call__(self, value: Any) -> NDArray[np.float64] | tuple[float, ...] | Fault:
        if type(value) is dict:  # the names and texts of an object like one read before
            layout = self.layouts.get(tuple(value))
            if layout is not None:
                try:
                    per_year = list(map(self.good.get, value.values()))
                except TypeError:  # an object as a rate
                    per_year = [None]
                if None not in per_year:
                    per_year.append(math.nan)
                    return layout(per_year)  # type: ignore[arg-type]
        if not isinstance(value, dict):
            return Fault.one("must be an object of volumes per channel", shown(value), "XCH-8")
        out = np.full(len(CHANNELS), np.nan)
        items: list[Item] = []
        seen: dict[int, str] = {}
        for key, item in value.items():
            sub = "/" + str(key).replace("~", "~0").replace("/", "~1")
            slot = self.channels.get(key)
            if slot is None:
                channel = read_channel(key, JSON)
                slot = self.channels[key] = (
                    channel if isinstance(channel, Fault) else CHANNELS.index(channel)
                )
            if isinstance(slot, Fault):
                items.extend(attrs.evolve(i, sub=sub) for i in slot.items)
                continue
            if slot in seen:
                items.append(
                    Item(
                        sub,
                        f"repeats channel {CHANNELS[slot].value} (also {seen[slot]!r})",
                        key,
                        "XCH-8",
                    )
                )
                continue
            seen[slot] = key
            rate = self.rates.get(item) if type(item) is str else None
            if rate is None:
                rate = read_rate(item, JSON)
                if type(item) is str:
                    self.rates[item] = rate
                    if type(rate) is float:
                        self.good[item] = rate
            if isinstance(rate, Fault):
                items.extend(rate.within(sub).items)
            else:
                out[slot] = rate
        if items:
            return Fault(tuple(items))
        if type(value) is dict and len(CHANNELS) > 1:
            places = {slot: k for k, slot in enumerate(seen)}  # slot -> member; else NaN
            unlisted = len(seen)
            self.layouts[tuple(value)] = operator.itemgetter(
                *(places.get(slot, unlisted) for slot in range(len(CHANNELS)))
            )
        return out


guard(__name__)
