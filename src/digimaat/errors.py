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

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr

__all__ = [
    "MAX_PROBLEMS",
    "NO_VALUE",
    "N_",
    "AmbiguousProductError",
    "DigimaatError",
    "InputError",
    "InvalidTypeError",
    "InvalidValueError",
    "MeasurementError",
    "Problem",
    "ProblemCollector",
    "ProfileError",
    "UnitError",
    "UnknownCapabilityError",
    "UnknownNameError",
    "UnknownProductError",
    "UsageError",
    "safe_text",
    "shown_value",
]


def N_(message: str) -> str:  # noqa: N802 (the name gettext tools look for)
    """Mark a problem's message for the message catalogue of the command line, which shows
    it in the reader's language; the message itself is returned unchanged.

    >>> N_("must not be empty")
    'must not be empty'
    """
    return message


@attrs.frozen
@shared_repr
@shared_eq
class Problem:
    """One problem found in input: where it is, which field, which value, and what is wrong.

    Every reader of the standard's files reports problems in this one shape:

    - ``source``: the file (or ``None`` for objects built in code);
    - ``location``: where in it, a row and column (``"row 3, column F"``) in a CSV file or a
      spreadsheet, a JSON pointer (``"/offerings/2/volumes/web"``) in a JSON document, or a
      line and column (``"line 4, column 17"``) where the text cannot be parsed;
    - ``field``: the field or column;
    - ``value``: the offending value (:data:`NO_VALUE` when there is none), shown escaped
      and shortened;
    - ``message``: what is wrong, in words a person can act on;
    - ``clause``: the specification clause that the input breaks (``"XCH-9"``), if known;
    - ``suggestion``: how to fix it (``"did you mean 'parkeervergunning'?"``), if known.

    >>> print(Problem("volume_balie", "-3/week", "must not be negative", source="x.csv",
    ...               location="row 3, column N", clause="OFF-14"))
    x.csv:row 3, column N: volume_balie: must not be negative (got '-3/week') [OFF-14]
    """

    field: str
    value: Any
    message: str
    source: str | None = None
    location: str | None = None
    clause: str | None = attrs.field(default=None, kw_only=True)
    suggestion: str | None = attrs.field(default=None, kw_only=True)

    def at(self, *, source: str | None = None, location: str | None = None) -> Problem:
        """Return a copy placed in a file and at a location (kept when already set)."""
        return attrs.evolve(
            self,
            source=self.source if self.source is not None else source,
            location=self.location if self.location is not None else location,
        )

    def __str__(self) -> str:
        where = ":".join(safe_text(part) for part in (self.source, self.location) if part)
        prefix = f"{where}: " if where else ""
        shown = _show(self.value)
        got = f" (got {shown})" if shown is not None else ""
        clause = f" [{self.clause}]" if self.clause else ""
        hint = f"; {safe_text(self.suggestion)}" if self.suggestion else ""
        return f"{prefix}{safe_text(self.field)}: {safe_text(self.message)}{got}{hint}{clause}"

    def to_dict(self) -> dict[str, Any]:
        """The problem as plain data (JSON-safe), as the command line writes it."""
        shown = _show(self.value)
        return {
            "source": self.source,
            "location": self.location,
            "field": self.field,
            "value": shown,
            "message": self.message,
            "clause": self.clause,
            "suggestion": self.suggestion,
        }


SHOWN_LENGTH = 80
"""The longest an offending value is shown in a problem, in characters of its escaped form."""


def safe_text(text: str) -> str:
    """``text`` with every character a terminal could act on escaped.

    Control characters (C0, C1, DEL), bidirectional overrides and isolates, lone
    surrogates and other characters Python does not consider printable are written as
    ``\\xNN``, ``\\uNNNN`` or ``\\UNNNNNNNN``; everything else is kept.

    >>> safe_text("a\\u202eb\\x1b[31mc")
    'a\\\\u202eb\\\\x1b[31mc'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def shown_value(value: Any) -> str | None:
    """A problem's value as it is shown: its ``repr``, escaped (:func:`safe_text`) and
    shortened to :data:`SHOWN_LENGTH` characters; ``None`` for :data:`NO_VALUE`."""
    return _show(value)


def _show(value: Any) -> str | None:
    if value is _NO_VALUE:
        return None
    try:
        text = repr(value)
    except Exception:  # a value whose repr fails is shown by its type
        text = f"<{type(value).__name__}>"
    text = safe_text(text)
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 3] + "..."


_NO_VALUE: Any = object()
"""Marker for a problem that has no single offending value (e.g. a missing field)."""

NO_VALUE: Any = _NO_VALUE
"""Public name of the marker for a problem without a single offending value."""


class DigimaatError(Exception):
    """Base class of every error raised by digimaat."""


class InvalidValueError(DigimaatError, ValueError):
    """A single value is invalid. The message names the field and the value."""

    def __init__(
        self,
        field: str,
        value: Any,
        message: str,
        clause: str | None = None,
        *,
        suggestion: str | None = None,
    ) -> None:
        self.problem = Problem(
            field=field, value=value, message=message, clause=clause, suggestion=suggestion
        )
        super().__init__(str(self.problem))

    @property
    def field(self) -> str:
        """Name of the offending field."""
        return self.problem.field

    @property
    def value(self) -> Any:
        """The offending value."""
        return self.problem.value


class InvalidTypeError(InvalidValueError, TypeError):
    """An argument of a public function or constructor is of a type it does not accept.

    The message names the parameter, the type its annotation asks for and the value given;
    it is also a ``TypeError``, as Python's own errors of that kind are.

    >>> print(InvalidTypeError("offerings", None, "Iterable[Offering]"))
    offerings: must be Iterable[Offering], not NoneType (got None)
    """

    def __init__(self, field: str, value: Any, expected: str) -> None:
        self.expected = expected
        super().__init__(field, value, f"must be {expected}, not {type(value).__name__}")


class UnknownNameError(InvalidValueError, LookupError):
    """A name (assurance level, channel, capability, ...) is not in the standard's vocabulary."""

    def __init__(
        self,
        field: str,
        value: Any,
        known: Iterable[str],
        clause: str | None = None,
        *,
        suggestion: str | None = None,
    ) -> None:
        names = ", ".join(sorted(known))
        super().__init__(
            field, value, f"unknown name; expected one of: {names}", clause, suggestion=suggestion
        )


class UnknownCapabilityError(UnknownNameError):
    """A capability name is not one of the maturity ladder's capabilities."""


class UnknownProductError(InvalidValueError, LookupError):
    """A product key is not in the catalogue. ``suggestions`` lists close matches, as URIs,
    best first; the problem's suggestion names them ("did you mean: ...?").

    >>> print(UnknownProductError("product", "paspoortt", ["urn:a"]))
    product: is not a product in the catalogue (got 'paspoortt'); did you mean: urn:a?
    """

    def __init__(self, field: str, value: Any, suggestions: Sequence[str] = ()) -> None:
        self.suggestions = tuple(suggestions)
        hint = f"did you mean: {', '.join(self.suggestions)}?" if self.suggestions else None
        super().__init__(field, value, N_("is not a product in the catalogue"), suggestion=hint)


class AmbiguousProductError(InvalidValueError, LookupError):
    """A product key names more than one product; it is never resolved to one of them.

    ``candidates`` lists the products it names, as URIs, most likely first. ``listing`` is
    how the message lists them (by default their URIs).

    >>> err = AmbiguousProductError("product", "balie", ["urn:a", "urn:b"])
    >>> print(err)
    product: names more than one product: urn:a, urn:b (got 'balie'); give the URI or key of one
    """

    def __init__(
        self, field: str, value: Any, candidates: Sequence[str], listing: str = ""
    ) -> None:
        self.candidates = tuple(candidates)
        listing = listing or ", ".join(self.candidates)
        super().__init__(
            field,
            value,
            f"names more than one product: {listing}",
            suggestion="give the URI or key of one",
        )


class UnitError(InvalidValueError):
    """A quantity has the wrong dimension (e.g. a volume that is not a rate)."""


class MeasurementError(DigimaatError):
    """A computation the standard does not define was asked for (e.g. weights summing to zero)."""


class ProfileError(DigimaatError):
    """A profile (methodology as data) is malformed or inconsistent."""


class InputError(DigimaatError, ValueError):
    """All problems found in one input, reported together.

    ``problems`` holds at most the collector's limit of problems (default
    :data:`MAX_PROBLEMS`); ``more`` counts the problems found beyond it, which were counted
    but not kept.

    >>> err = InputError([Problem("cbs_code", "GM12", "must be GM followed by 4 digits",
    ...                           source="data.csv", location="row 2")])
    >>> print(err)
    1 problem found:
      data.csv:row 2: cbs_code: must be GM followed by 4 digits (got 'GM12')
    """

    def __init__(self, problems: Sequence[Problem], more: int = 0) -> None:
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems: tuple[Problem, ...] = tuple(problems)
        self.more = more
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found:"
        if more:
            head = (
                f"{count + more:,} problems found; the first {count:,} are shown "
                f"({more:,} more not shown):"
            )
        super().__init__("\n  ".join([head, *(str(p) for p in self.problems)]))


MAX_PROBLEMS = 1000
"""The default number of problems a reader keeps; beyond it problems are only counted."""


class UsageError(DigimaatError, ValueError):
    """Arguments that do not fit together (a command line's usage error)."""


class ProblemCollector:
    """Collects problems while validating and raises them together.

    At most ``limit`` problems are kept; further ones are counted in :attr:`more`
    without being stored, so a file with millions of problems is validated in bounded
    memory.

    >>> collector = ProblemCollector(source="x.json")
    >>> with collector.catching(location="/offerings/0"):
    ...     raise InvalidValueError("volume", -1, "must not be negative")
    >>> collector.problems[0].location
    '/offerings/0'
    """

    def __init__(self, source: str | None = None, limit: int = MAX_PROBLEMS) -> None:
        limit_value: object = limit
        if isinstance(limit_value, bool) or not isinstance(limit_value, int) or limit < 1:
            raise InvalidValueError("max_problems", limit, "must be a positive whole number")
        self.source = source
        self.limit = limit
        self.problems: list[Problem] = []
        self.more = 0

    @property
    def full(self) -> bool:
        """Whether the limit is reached: further problems are only counted."""
        return len(self.problems) >= self.limit

    @property
    def count(self) -> int:
        """Every problem found, kept or only counted."""
        return len(self.problems) + self.more

    def add(self, problem: Problem, location: str | None = None) -> None:
        """Record one problem (or only count it, beyond the limit)."""
        if len(self.problems) >= self.limit:
            self.more += 1
            return
        self.problems.append(problem.at(source=self.source, location=location))

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record several problems."""
        for problem in problems:
            self.add(problem)

    def count_more(self, n: int) -> None:
        """Count ``n`` problems found but not built (they are beyond the limit)."""
        self.more += n

    def absorb(self, error: InputError) -> None:
        """Record the problems of another error, and its count of problems not kept."""
        self.extend(error.problems)
        self.more += error.more

    def catching(self, location: str | None = None) -> _Catcher:
        """A context manager that records an :class:`InvalidValueError` or :class:`InputError`."""
        return _Catcher(self, location)

    def error(self) -> InputError | None:
        """The :class:`InputError` of the recorded problems, or ``None`` when there are none."""
        if not self.problems:
            return None
        return InputError(self.problems, self.more)

    def raise_if_any(self) -> None:
        """Raise an :class:`InputError` with every recorded problem, if there are any."""
        error = self.error()
        if error is not None:
            raise error


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
            self.collector.count_more(exc.more)
            return True
        return False


guard(__name__)
