"""Tables and reports: results arranged for people, rendered in any format.

A :class:`Report` is what a command of the command line, or a Python user, gets back: a
title, the facts needed to reproduce it (profile, fingerprint, specification version,
sources), paragraphs of text, and :class:`Table` objects whose columns say what kind of
value they hold (a code, a text, a whole number, a share shown as a percentage). One
renderer per format turns a report into a terminal table, JSON, CSV or a spreadsheet;
no command formats its own output.

>>> from digimaat.analysis.tables import Column, Table
>>> table = Table("scores", (Column("code", "code", "code"), Column("score", "score", "share")),
...               (("GM0622", 0.5),))
>>> table.records()
[{'code': 'GM0622', 'score': 0.5}]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat.errors import InvalidTypeError, InvalidValueError

if TYPE_CHECKING:  # pragma: no cover
    import pandas
    import polars

    from digimaat.measurement.profiles import ScoreCard

__all__ = ["KINDS", "Column", "Report", "Table", "scores_table"]

KINDS: Final = ("text", "code", "integer", "number", "share")
"""What a column holds: free text, a code or name, a whole number, a number, or a share
(0 to 1, shown as a percentage)."""


def _kind(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in KINDS:
        raise InvalidValueError(attribute.name, value, f"must be one of {', '.join(KINDS)}")


@attrs.frozen
@shared_repr
@shared_eq
class Column:
    """One column: its key (in JSON and CSV), its heading on a terminal, and its kind."""

    key: str
    heading: str
    kind: str = attrs.field(default="text", validator=_kind)
    width: int | None = None
    """The most characters a terminal shows of a text in this column (longer ones end in …)."""


@attrs.frozen
@shared_repr
@shared_eq
class Table:
    """Rows of values under columns; ``None`` is a value that is not defined."""

    name: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]
    title: str = ""
    note: str = ""
    """A sentence printed under the table on a terminal (a legend)."""

    def __attrs_post_init__(self) -> None:
        width = len(self.columns)
        for row in self.rows:
            if len(row) != width:
                raise InvalidValueError("rows", row, f"must have {width} values")

    def records(self) -> list[dict[str, Any]]:
        """The rows as records keyed by column key (JSON)."""
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]

    def to_pandas(self) -> pandas.DataFrame:
        """The table as a pandas data frame (:func:`digimaat.analysis.frames.to_pandas`)."""
        from digimaat.analysis.frames import to_pandas

        return to_pandas(self)

    def to_polars(self) -> polars.DataFrame:
        """The table as a polars data frame (:func:`digimaat.analysis.frames.to_polars`)."""
        from digimaat.analysis.frames import to_polars

        return to_polars(self)


@attrs.frozen
@shared_repr
@shared_eq
class Report:
    """What a command returns: a title, facts, text and tables, and data for JSON."""

    kind: str
    """What the report is (``"scores"``, ``"explanation"``, ...); JSON's ``kind``."""
    title: str = ""
    meta: Mapping[str, Any] = attrs.field(factory=dict)
    """Facts that make the result reproducible (profile, fingerprint, sources)."""
    text: tuple[str, ...] = ()
    """Paragraphs printed before the tables on a terminal."""
    tables: tuple[Table, ...] = ()
    data: Mapping[str, Any] = attrs.field(factory=dict)
    """Structured content written to JSON besides the tables."""
    after: tuple[str, ...] = ()
    """Paragraphs printed after the tables on a terminal."""


def scores_table(cards: Iterable[ScoreCard]) -> Table:
    """Score cards as a table: a row per municipality, with what the cards were computed
    under (profile, fingerprint) and every metric's value and coverage (PRF-6).

    The columns are ``municipality``, ``name``, ``size_class``, ``profile``,
    ``fingerprint``, ``score`` (the headline), a share per metric id and a share
    ``coverage:<metric id>`` per metric: the table of ``digimaat score --format csv``.
    Cards of different profiles or metrics cannot share a table.

    >>> from importlib import resources
    >>> from digimaat.exchange import load_dataset
    >>> from digimaat.measurement.profiles import standard_profile
    >>> ds = load_dataset(str(resources.files("digimaat.data").joinpath("example.json")))
    >>> table = scores_table(standard_profile().score(ds).cards())
    >>> [c.key for c in table.columns][:7]
    ['municipality', 'name', 'size_class', 'profile', 'fingerprint', 'score', 'maturity']
    >>> len(table.rows)
    3
    """
    from digimaat.measurement.profiles import ScoreCard

    given: object = cards
    if not isinstance(given, Iterable) or isinstance(given, str | bytes):
        raise InvalidTypeError("cards", cards, "Iterable[ScoreCard]")
    listed = list(cards)
    if not all(isinstance(c, ScoreCard) for c in listed):
        raise InvalidTypeError("cards", cards, "Iterable[ScoreCard]")
    metrics = list(listed[0].values) if listed else []
    for card in listed:
        if list(card.values) != metrics or card.fingerprint != listed[0].fingerprint:
            raise InvalidValueError(
                "cards", card.municipality, "has other metrics or another profile than the first"
            )
    columns = (
        Column("municipality", "code", "code"),
        Column("name", "municipality", "text"),
        Column("size_class", "cl", "integer"),
        Column("profile", "profile", "code"),
        Column("fingerprint", "fingerprint", "code"),
        Column("score", "score", "share"),
        *(Column(m, m, "share") for m in metrics),
        *(Column(f"coverage:{m}", f"coverage:{m}", "share") for m in metrics),
    )
    rows = tuple(
        (
            c.municipality,
            c.name,
            c.size_class,
            c.profile,
            c.fingerprint,
            c.score,
            *(c.values[m] for m in metrics),
            *(c.coverage[m] for m in metrics),
        )
        for c in listed
    )
    return Table("scores", columns, rows)


guard(__name__)
