"""Municipalities (gemeenten) and CBS size classes (specification chapter MUN).

>>> from digimaat.vocabulary.municipalities import Municipality
>>> m = Municipality.from_code("GM0622", "Vlaardingen", population=74124, year=2021)
>>> m.size_class
SizeClass(code=5, label='50 000 - 100 000 inhabitants')
>>> Municipality.from_code("0622", "Vlaardingen", population=74124, year=2021)
Traceback (most recent call last):
...
digimaat.errors.InvalidValueError: cbs_code: must be 'GM' followed by 4 digits, ... (got '0622')
"""

from __future__ import annotations

import re

import attrs

from digimaat.errors import InvalidValueError

__all__ = ["SIZE_CLASSES", "Municipality", "SizeClass", "size_class"]

# A CBS gemeentecode: "GM" and four ASCII digits. Not \d, which also matches the digits of
# other scripts (e.g. Arabic-Indic), which are no CBS code.
_CODE = re.compile(r"GM[0-9]{4}")


@attrs.frozen
class SizeClass:
    """A CBS gemeentegrootte class (MUN-3)."""

    code: int
    label: str


SIZE_CLASSES: tuple[tuple[int, SizeClass], ...] = (
    (0, SizeClass(1, "fewer than 5 000 inhabitants")),
    (5_000, SizeClass(2, "5 000 - 10 000 inhabitants")),
    (10_000, SizeClass(3, "10 000 - 20 000 inhabitants")),
    (20_000, SizeClass(4, "20 000 - 50 000 inhabitants")),
    (50_000, SizeClass(5, "50 000 - 100 000 inhabitants")),
    (100_000, SizeClass(6, "100 000 - 150 000 inhabitants")),
    (150_000, SizeClass(7, "150 000 - 250 000 inhabitants")),
    (250_000, SizeClass(8, "250 000 inhabitants or more")),
)
"""The 8 CBS size classes as (lower bound, class); a class includes its lower bound (MUN-3)."""


def size_class(population: int) -> SizeClass:
    """The CBS size class of a population: the class with the largest lower bound <= it.

    >>> size_class(4_999).code, size_class(5_000).code, size_class(250_000).code
    (1, 2, 8)
    """
    value: object = population
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidValueError("population", population, "must be a non-negative integer")
    chosen = SIZE_CLASSES[0][1]
    for bound, cls in SIZE_CLASSES:
        if population >= bound:
            chosen = cls
    return chosen


def _check_code(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not _CODE.fullmatch(value):
        raise InvalidValueError(
            attribute.name, value, "must be 'GM' followed by 4 digits, e.g. 'GM0622'"
        )


def _check_population(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidValueError(attribute.name, value, "must be a positive integer")


def _check_year(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1800 <= value <= 2200:
        raise InvalidValueError(attribute.name, value, "must be a calendar year (1800-2200)")


def _check_name(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(attribute.name, value, "must be a non-empty string")


@attrs.frozen(order=False)
class Municipality:
    """A municipality: CBS code, name, population and the year the population refers to (MUN-1).

    Two municipalities are equal when all fields are equal; datasets key them by ``cbs_code``.
    """

    cbs_code: str = attrs.field(validator=_check_code)
    name: str = attrs.field(validator=_check_name)
    population: int = attrs.field(validator=_check_population)
    year: int = attrs.field(validator=_check_year)

    @classmethod
    def from_code(cls, code: str, name: str, *, population: int, year: int) -> Municipality:
        """Build from a CBS code; ``"gm0622"`` is normalised to ``"GM0622"``."""
        raw: object = code
        normalised = raw.strip().upper() if isinstance(raw, str) else code
        return cls(normalised, name, population, year)

    @property
    def size_class(self) -> SizeClass:
        """The CBS size class derived from the population (MUN-3)."""
        return size_class(self.population)
