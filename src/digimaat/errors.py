"""The ``DigimaatError`` hierarchy.

Every error that digimaat raises on bad input or on a computation it refuses to do is a
subclass of :class:`DigimaatError`, so a caller can catch one type. Errors about input name
the field and the offending value; errors raised while reading a file also name the file
and the row (CSV) or JSON pointer (JSON). A reader that meets several problems reports
them all at once in an :class:`InputError`.

>>> from digimaat.errors import DigimaatError, InvalidValueError
>>> try:
...     raise InvalidValueError("volume", -3, "must not be negative")
... except DigimaatError as exc:
...     print(exc)
volume: must not be negative (got -3)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import attrs

__all__ = [
    "NO_VALUE",
    "AmbiguousProductError",
    "DigimaatError",
    "InputError",
    "InvalidValueError",
    "MeasurementError",
    "Problem",
    "ProfileError",
    "UnitError",
    "UnknownCapabilityError",
    "UnknownNameError",
    "UnknownProductError",
]


def _strings(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen
class Problem:
    """One problem found in input: where it is, which field, which value, and what is wrong.

    ``source`` is a file name (or ``None`` for objects built in code), ``location`` a row
    (``"row 3"``) or a JSON pointer (``"/offerings/2/volumes/web"``).
    """

    field: str
    value: Any
    message: str
    source: str | None = None
    location: str | None = None
    suggestions: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    """What the value may have meant: close matches for an unknown value, or the candidates
    among which an ambiguous value does not choose (for a product, their URIs)."""

    def at(self, *, source: str | None = None, location: str | None = None) -> Problem:
        """Return a copy placed in a file and at a location (kept when already set)."""
        return attrs.evolve(
            self,
            source=self.source if self.source is not None else source,
            location=self.location if self.location is not None else location,
        )

    def __str__(self) -> str:
        where = ":".join(part for part in (self.source, self.location) if part)
        prefix = f"{where}: " if where else ""
        shown = _show(self.value)
        got = f" (got {shown})" if shown is not None else ""
        return f"{prefix}{self.field}: {self.message}{got}"


def _show(value: Any) -> str | None:
    if value is _NO_VALUE:
        return None
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


_NO_VALUE: Any = object()
"""Marker for a problem that has no single offending value (e.g. a missing field)."""

NO_VALUE: Any = _NO_VALUE
"""Public name of the marker for a problem without a single offending value."""


class DigimaatError(Exception):
    """Base class of every error raised by digimaat."""


class InvalidValueError(DigimaatError, ValueError):
    """A single value is invalid. The message names the field and the value."""

    def __init__(self, field: str, value: Any, message: str) -> None:
        self.problem = Problem(field=field, value=value, message=message)
        super().__init__(str(self.problem))

    @property
    def field(self) -> str:
        """Name of the offending field."""
        return self.problem.field

    @property
    def value(self) -> Any:
        """The offending value."""
        return self.problem.value


class UnknownNameError(InvalidValueError, LookupError):
    """A name (assurance level, channel, capability, ...) is not in the standard's vocabulary."""

    def __init__(self, field: str, value: Any, known: Iterable[str]) -> None:
        names = ", ".join(sorted(known))
        super().__init__(field, value, f"unknown name; expected one of: {names}")


class UnknownCapabilityError(UnknownNameError):
    """A capability name is not one of the maturity ladder's capabilities."""


class UnknownProductError(InvalidValueError, LookupError):
    """A product URI or name is not in the catalogue. ``suggestions`` lists close matches.

    The suggestions are product URIs; the error's :attr:`problem` carries them too.
    """

    def __init__(self, field: str, value: Any, suggestions: Sequence[str] = ()) -> None:
        self.suggestions = tuple(suggestions)
        hint = f"; did you mean: {', '.join(self.suggestions)}" if self.suggestions else ""
        super().__init__(field, value, f"not in the product catalogue{hint}")
        self.problem = attrs.evolve(self.problem, suggestions=self.suggestions)


class AmbiguousProductError(InvalidValueError, LookupError):
    """A product key names more than one product; it is never resolved to one of them.

    ``candidates`` lists the products it names, as URIs, most likely first; the error's
    :attr:`problem` carries them as its suggestions. ``listing`` is how the message lists
    them (by default their URIs).

    >>> err = AmbiguousProductError("product", "balie", ["urn:a", "urn:b"])
    >>> print(err)
    product: names more than one product: urn:a, urn:b; give the URI or key of one (got 'balie')
    >>> err.problem.suggestions
    ('urn:a', 'urn:b')
    """

    def __init__(
        self, field: str, value: Any, candidates: Sequence[str], listing: str = ""
    ) -> None:
        self.candidates = tuple(candidates)
        listing = listing or ", ".join(self.candidates)
        super().__init__(
            field, value, f"names more than one product: {listing}; give the URI or key of one"
        )
        self.problem = attrs.evolve(self.problem, suggestions=self.candidates)


class UnitError(InvalidValueError):
    """A quantity has the wrong dimension (e.g. a volume that is not a rate)."""


class MeasurementError(DigimaatError):
    """A computation the standard does not define was asked for (e.g. weights summing to zero)."""


class ProfileError(DigimaatError):
    """A profile (methodology as data) is malformed or inconsistent."""


class InputError(DigimaatError, ValueError):
    """All problems found in one input, reported together.

    >>> err = InputError([Problem("cbs_code", "GM12", "must be GM followed by 4 digits",
    ...                           source="data.csv", location="row 2")])
    >>> print(err)
    1 problem found:
      data.csv:row 2: cbs_code: must be GM followed by 4 digits (got 'GM12')
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found:"
        super().__init__("\n  ".join([head, *(str(p) for p in self.problems)]))


class ProblemCollector:
    """Collects problems while validating and raises them together.

    >>> collector = ProblemCollector(source="x.json")
    >>> with collector.catching(location="/offerings/0"):
    ...     raise InvalidValueError("volume", -1, "must not be negative")
    >>> collector.problems[0].location
    '/offerings/0'
    """

    def __init__(self, source: str | None = None) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def add(self, problem: Problem, location: str | None = None) -> None:
        """Record one problem."""
        self.problems.append(problem.at(source=self.source, location=location))

    def catching(self, location: str | None = None) -> _Catcher:
        """A context manager that records an :class:`InvalidValueError` or :class:`InputError`."""
        return _Catcher(self, location)

    def raise_if_any(self) -> None:
        """Raise an :class:`InputError` with every recorded problem, if there are any."""
        if self.problems:
            raise InputError(self.problems)


class _Catcher:
    def __init__(self, collector: ProblemCollector, location: str | None) -> None:
        self.collector = collector
        self.location = location

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, InvalidValueError):
            self.collector.add(exc.problem, self.location)
            return True
        if isinstance(exc, InputError):
            for problem in exc.problems:
                self.collector.add(problem, self.location)
            return True
        return False
