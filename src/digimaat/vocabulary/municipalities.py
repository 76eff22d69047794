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

import functools
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat._package import files
from digimaat._text import check_text
from digimaat.errors import InvalidValueError

__all__ = [
    "MAX_NAME",
    "MAX_POPULATION",
    "SIZE_CLASSES",
    "Municipality",
    "Register",
    "SizeClass",
    "cbs_register",
    "register_years",
    "size_class",
]

# A CBS gemeentecode: "GM" and four ASCII digits. Not \d, which also matches the digits of
# other scripts (e.g. Arabic-Indic), which are no CBS code.
_CODE = re.compile(r"GM[0-9]{4}")


@attrs.frozen
@shared_repr
@shared_eq
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


MAX_POPULATION = 10**9
"""The largest population of a municipality (MUN-1, XCH-4)."""


def _check_population(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidValueError(attribute.name, value, "must be a positive integer")
    if value > MAX_POPULATION:  # as every reader refuses it
        raise InvalidValueError(
            attribute.name, value, f"must be at most {MAX_POPULATION:,}", "XCH-4"
        )


def _check_year(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1800 <= value <= 2200:
        raise InvalidValueError(attribute.name, value, "must be a calendar year (1800-2200)")


MAX_NAME = 200
"""The longest name of a municipality, in characters (XCH-4)."""


def _check_name(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    check_text(attribute.name, value, max_length=MAX_NAME)  # as every reader checks it


@attrs.frozen(order=False)
@shared_repr
@shared_eq
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


@attrs.frozen
@shared_repr
@shared_eq
class Register:
    """The CBS list of the municipalities of one year, with their populations (MUN-5).

    Build it with :func:`cbs_register`. Look municipalities up by CBS code, never by name:
    names change (from 2024 CBS writes ``"Beek (L.)"``), codes of one year do not.
    """

    year: int
    """The year of the codes; populations are those of 1 January of this year."""
    municipalities: tuple[Municipality, ...]
    """Every municipality of the year, sorted by CBS code."""
    source: str
    """The CBS product the figures come from."""
    licence: str
    _by_code: Mapping[str, Municipality] = attrs.field(repr=False, eq=False)

    def __len__(self) -> int:
        return len(self.municipalities)

    def __iter__(self) -> Iterator[Municipality]:
        return iter(self.municipalities)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Municipality:
        """The municipality with this CBS code, or an error naming the code and the year."""
        try:
            return self._by_code[code]
        except (KeyError, TypeError):
            raise InvalidValueError(
                "cbs_code", code, f"is not a municipality of the CBS register of {self.year}"
            ) from None


def _register_document() -> Mapping[str, Any]:
    text = files("digimaat.data").joinpath("municipalities.json").read_bytes()
    document: Mapping[str, Any] = json.loads(text)
    return document


@functools.cache
def cbs_register(year: int = 2024) -> Register:
    """The shipped CBS register of ``year`` (MUN-5): 2023 or 2024.

    >>> register = cbs_register(2024)
    >>> len(register), register.get("GM0556").name, register.get("GM0556").population
    (342, 'Maassluis', 35832)
    >>> register.get("GM0556").size_class.code, cbs_register(2023).get("GM0888").name
    (4, 'Beek')
    """
    document = _register_document()
    years = document["years"]
    if isinstance(year, bool) or str(year) not in years:
        raise InvalidValueError(
            "year", year, f"has no shipped CBS register; available: {', '.join(sorted(years))}"
        )
    entry = years[str(year)]
    municipalities = tuple(
        Municipality(m["code"], m["name"], m["population"], year) for m in entry["municipalities"]
    )
    return Register(
        year,
        municipalities,
        entry["source"],
        document["provenance"]["licence"],
        {m.cbs_code: m for m in municipalities},
    )


def register_years() -> tuple[int, ...]:
    """The years of the shipped CBS registers (MUN-5), oldest first.

    >>> register_years()
    (2023, 2024)
    """
    return tuple(sorted(int(year) for year in _register_document()["years"]))


guard(__name__)
