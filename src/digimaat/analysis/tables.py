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

from collections.abc import Mapping
from typing import Any, Final

import attrs

from digimaat._boundary import guard
from digimaat.errors import InvalidValueError

__all__ = ["KINDS", "Column", "Report", "Table"]

KINDS: Final = ("text", "code", "integer", "number", "share")
"""What a column holds: free text, a code or name, a whole number, a number, or a share
(0 to 1, shown as a percentage)."""


def _kind(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if value not in KINDS:
        raise InvalidValueError(attribute.name, value, f"must be one of {', '.join(KINDS)}")


@attrs.frozen
class Column:
    """One column: its key (in JSON and CSV), its heading on a terminal, and its kind."""

    key: str
    heading: str
    kind: str = attrs.field(default="text", validator=_kind)
    width: int | None = None
    """The most characters a terminal shows of a text in this column (longer ones end in …)."""


@attrs.frozen
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


@attrs.frozen
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


guard(__name__)
