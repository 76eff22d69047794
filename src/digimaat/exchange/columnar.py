"""Exchange files read straight into a dataset: the columnar readers (specification chapter XCH).

:func:`load_dataset` reads one or more exchange files (the form named by each file's
extension, as :func:`~digimaat.exchange.load` does), :func:`load_csv_dataset` the CSV form
and :func:`load_json_dataset` the JSON document, into a
:class:`~digimaat.measurement.dataset.Dataset` for the measurement core. They check
exactly what the record readers check and give exactly what reading the records and
building the dataset with :meth:`Dataset.from_offerings
<digimaat.measurement.dataset.Dataset.from_offerings>` gives: the same arrays, or the
same :class:`~digimaat.errors.InputError` with the same problems (file, row or JSON
pointer, field, value, message), all of them at once.

What differs is the cost. A national file (350 municipalities × 512 products, some
180,000 offerings) is not turned into 180,000 :class:`~digimaat.vocabulary.offerings.Offering`
records:

- a CSV file is cut into columns on its bytes, with numpy, and each column into its
  distinct texts;
- a JSON document's offerings array is cut likewise into the members of its records,
  and the JSON parser reads each distinct piece once (the rest of the document, with the
  municipalities, is read as the record reader reads it). A document whose text holds
  escapes, or whose records are spread over lines, is parsed whole, and its records are
  read field by field, a column at a time.

Each distinct text is parsed once, by the record readers' own parsers, and the parsed
values are spread back over the rows as arrays; CSV volumes are numbers multiplied by the
factors of their rate units, a whole column at a time. Records are built only for the
municipalities and the local products, and one offering per distinct combination of
status, capabilities, authentication, local target, fee and the presence of volumes and
forms, so that OFF's rules are checked by OFF's code.

A file with any problem at all, or one written in a way the columnar readers do not
cut (a CSV row shorter than the header, a quoted cell over more than one line, and the
like), is read by the record readers, which then report its problems or give its
records: the report and the result are theirs by construction.

>>> from digimaat.exchange import load_csv_dataset
>>> form = '''reference_year;cbs_code;municipality_name;population;population_year;product;\
capabilities;volume_unit;volume_balie;volume_web
... 2024;GM0622;Vlaardingen;74.124;2021;parkeervergunning;information-online;per month;58,5;2
... 2024;GM0622;Vlaardingen;74.124;2021;paspoort;;;3/week;
... '''
>>> ds = load_csv_dataset(form)
>>> ds.shape, ds.codes
((1, 2, 7), ('GM0622',))
>>> [uri.rsplit("/", 1)[1] for uri in ds.uris]
['parkeervergunning', 'paspoort']
>>> ds.volume[0, :, :].tolist()[0]
[702.0, 0.0, 0.0, 0.0, 24.0, 0.0, 0.0]
>>> ds.level.tolist()
[[1, 0]]
>>> load_csv_dataset(form.replace("3/week", "-3/week"), name="vlaardingen.csv")
Traceback (most recent call last):
...
digimaat.errors.InputError: 1 problem found:
  vlaardingen.csv:row 3: volume_balie: must not be negative (got '-3/week')
"""

from __future__ import annotations

import collections
import csv
import itertools
import json
import math
import operator
import os
import re
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat.errors import InputError, InvalidValueError, Problem
from digimaat.exchange._common import (
    MAX_BYTES,
    MAX_DEPTH,
    Fault,
    FieldParser,
    Input,
    Text,
    gc_paused,
    json_keys_faults,
    rate_factor_or_fault,
    rate_parts,
    read_input,
    unknown_extension,
)
from digimaat.exchange.csvform import _CsvReader, _header, _separator, read_text
from digimaat.exchange.documents import (
    _OFFERING_KEYS,
    _TOP_KEYS,
    _TOP_REQUIRED,
    Document,
    Submission,
    _JsonReader,
    _scan,
    check_depth_limit,
    parse_text,
    read_document,
)
from digimaat.measurement.dataset import STATUS_CODES, Dataset, StatusCode
from digimaat.vocabulary.assurance import Authentication, AuthMeans
from digimaat.vocabulary.channels import CHANNELS, Channel, ChannelCost
from digimaat.vocabulary.maturity import Capability, MaturityLevel, capability_mask
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import FormFunnel, Offering, Status, Volumes
from digimaat.vocabulary.products import Catalogue, Product, reference_catalogue

__all__ = ["load_csv_dataset", "load_dataset", "load_json_dataset"]

IntArray = NDArray[np.intp]
FloatArray = NDArray[np.float64]
Costs = dict[Channel, ChannelCost]

_MEANS_CODE: Final = {means: code for code, means in enumerate(AuthMeans)}
_CHANNEL_INDEX: Final = {channel: index for index, channel in enumerate(CHANNELS)}
_SOME_VOLUMES: Final = Volumes((), ())
_SOME_FORMS: Final = FormFunnel(0, 0)
_NONE = type(None)
_CHUNK = 1 << 22
"""Bytes searched at a time for a separator (keeps the temporary masks small)."""


class _DeclineError(Exception):
    """The columnar reader leaves the file to the record readers (which report exactly)."""


# -- One file as columns --------------------------------------------------------------------


@attrs.frozen(eq=False)
class _Columns:
    """One file's offerings as validated columns, one entry per offering (in any order)."""

    municipalities: tuple[Municipality, ...]
    """Every municipality of the file, also those without offerings."""
    catalogue: Catalogue
    """The catalogue the file's products were resolved in."""
    local_products: tuple[Product, ...]
    codes: tuple[str, ...]
    """CBS codes, indexed by :attr:`municipality`."""
    uris: tuple[str, ...]
    """Product URIs, indexed by :attr:`product`; every one is used by an offering."""
    municipality: IntArray
    product: IntArray
    status: NDArray[np.int8]
    capabilities: NDArray[np.int16]
    auth_means: NDArray[np.int8]
    auth_level: NDArray[np.int8]
    fee_override: NDArray[np.int8]
    local_target: NDArray[np.int8]
    reasons: tuple[tuple[int, str], ...]
    """``(offering, reason)`` for every offering with a local target."""
    volume: FloatArray
    """``[offering, channel]`` requests per year; NaN without a volume record."""
    forms_started: FloatArray
    forms_completed: FloatArray


@attrs.frozen
class _Described:
    """The parsed descriptive fields of an offering, and their codes in a dataset's arrays."""

    status: Status
    capabilities: frozenset[Capability]
    authentication: Authentication | None
    local_target: MaturityLevel | None
    reason: str | None
    fee: bool | None

    def codes(self) -> tuple[int, int, int, int, int, int]:
        """Status, capability mask, means, assurance level, local target and fee override."""
        auth = self.authentication
        return (
            STATUS_CODES[self.status],
            capability_mask(self.capabilities),
            -1 if auth is None else _MEANS_CODE[auth.means],
            -1 if auth is None or auth.level is None else int(auth.level),
            -1 if self.local_target is None else int(self.local_target),
            -1 if self.fee is None else int(self.fee),
        )


def _columns_of(submission: Submission) -> _Columns:
    """The columns of a submission read by the record readers."""
    offerings = submission.offerings
    codes = tuple(m.cbs_code for m in submission.municipalities)
    code_index = {code: i for i, code in enumerate(codes)}
    uris = tuple(sorted({o.product for o in offerings}))
    uri_index = {uri: j for j, uri in enumerate(uris)}
    described = [
        _Described(
            o.status,
            o.capabilities,
            o.authentication,
            o.local_target,
            o.local_target_reason,
            o.fee_applies,
        ).codes()
        for o in offerings
    ]
    table = np.array(described, dtype=np.int64).reshape(len(offerings), 6)
    volume = np.full((len(offerings), len(CHANNELS)), np.nan)
    started = np.full(len(offerings), np.nan)
    completed = np.full(len(offerings), np.nan)
    for k, o in enumerate(offerings):
        if o.volumes is not None:
            volume[k] = 0.0
            for channel, value in zip(o.volumes.channels, o.volumes.per_year_values, strict=True):
                volume[k, _CHANNEL_INDEX[channel]] = value
        if o.forms is not None:
            started[k], completed[k] = o.forms.started, o.forms.completed
    return _Columns(
        municipalities=submission.municipalities,
        catalogue=submission.catalogue,
        local_products=submission.local_products,
        codes=codes,
        uris=uris,
        municipality=np.array([code_index[o.municipality] for o in offerings], dtype=np.intp),
        product=np.array([uri_index[o.product] for o in offerings], dtype=np.intp),
        status=table[:, 0].astype(np.int8),
        capabilities=table[:, 1].astype(np.int16),
        auth_means=table[:, 2].astype(np.int8),
        auth_level=table[:, 3].astype(np.int8),
        local_target=table[:, 4].astype(np.int8),
        fee_override=table[:, 5].astype(np.int8),
        reasons=tuple(
            (k, o.local_target_reason)
            for k, o in enumerate(offerings)
            if o.local_target is not None and o.local_target_reason is not None
        ),
        volume=volume,
        forms_started=started,
        forms_completed=completed,
    )


# -- Helpers ------------------------------------------------------------------------------------


def _factorize(values: Sequence[Hashable]) -> tuple[IntArray, list[Any]]:
    """Codes into the distinct values (in order of first occurrence), and those values.

    Only for values that are equal exactly when they are the same text (texts, bytes and
    tuples of texts): ``True``, ``1`` and ``1.0`` would be one value here. One look-up per
    value: a value not seen before is given the next code.
    """
    seen: collections.defaultdict[Hashable, int] = collections.defaultdict(
        itertools.count().__next__
    )
    try:
        codes = np.fromiter(map(seen.__getitem__, values), dtype=np.intp, count=len(values))
    except TypeError:  # an array or object where a text belongs: the record reader's
        raise _DeclineError from None
    return codes, list(seen)


def _parsed(column: Sequence[Any], parse: Callable[[Any], Any], kinds: tuple[type, ...]) -> Any:
    """``(codes, parsed distinct values)`` of a column of JSON values; declines on a fault.

    Only values of the given types are accepted (the others are the record readers'), and
    each distinct value is parsed once.
    """
    if not set(map(type, column)).issubset(kinds):
        raise _DeclineError
    codes, distinct = _factorize(column)
    parsed = [parse(value) for value in distinct]
    if any(isinstance(value, Fault) for value in parsed):
        raise _DeclineError
    return codes, parsed


def _positions(buffer: NDArray[np.uint8], byte: int) -> IntArray:
    """The offsets of a byte in a buffer, found a few megabytes at a time."""
    if len(buffer) <= _CHUNK:
        return np.flatnonzero(buffer == byte)
    found = [
        np.flatnonzero(buffer[start : start + _CHUNK] == byte) + start
        for start in range(0, len(buffer), _CHUNK)
    ]
    return np.concatenate(found)


def _count(buffer: NDArray[np.uint8], byte: int) -> int:
    """How often a byte occurs in a buffer."""
    return sum(
        int(np.count_nonzero(buffer[start : start + _CHUNK] == byte))
        for start in range(0, len(buffer), _CHUNK)
    )


def _compact(keys: IntArray, bound: int) -> tuple[IntArray, IntArray]:
    """The distinct keys (sorted) and each key's index among them; keys lie in ``0 .. bound-1``."""
    if bound <= 4 * len(keys) + 1024:
        present = np.zeros(bound, dtype=np.bool_)
        present[keys] = True
        index = np.cumsum(present, dtype=np.intp) - 1
        return np.flatnonzero(present), index[keys]
    distinct, inverse = np.unique(keys, return_inverse=True)
    return distinct, inverse.astype(np.intp).reshape(-1)


def _check_offerings(
    combinations: Iterable[tuple[_Described, bool, bool]], codes: Sequence[str], uris: Sequence[str]
) -> None:
    """Build one offering per distinct combination, code and URI: OFF's rules decide (OFF-1).

    An offering's rules look at its fields and at whether it has volumes and forms, never
    at their numbers, so one offering stands for every offering with the same fields.
    """
    if not codes or not uris:
        return
    try:
        for described, volumes, forms in combinations:
            Offering(
                codes[0],
                uris[0],
                described.status,
                described.capabilities,
                described.authentication,
                described.local_target,
                described.reason,
                _SOME_VOLUMES if volumes else None,
                _SOME_FORMS if forms else None,
                described.fee,
            )
        for code in codes:
            Offering(code, uris[0])
        for uri in uris:
            Offering(codes[0], uri)
    except InvalidValueError:
        raise _DeclineError from None


def _combinations(
    described: IntArray, volumes: NDArray[np.bool_], forms: NDArray[np.bool_]
) -> list[tuple[int, bool, bool]]:
    """The distinct ``(described, has volumes, has forms)`` of the offerings."""
    if not described.size:
        return []
    keys = described * 4 + volumes * 2 + forms.astype(np.intp)
    joint, _ = _compact(keys, int(keys.max()) + 1)
    return [(k // 4, bool(k & 2), bool(k & 1)) for k in joint.tolist()]


def _unique_keys(municipality: IntArray, product: IntArray, products: int) -> None:
    """Decline when two offerings share a municipality and a product (XCH-7)."""
    keys = municipality * products + product
    if keys.size and np.bincount(keys).max() > 1:
        raise _DeclineError


def _submission_checks(
    year: Any,
    municipalities: Iterable[Municipality],
    local: Iterable[Product],
    source: Any,
    catalogue: Catalogue,
) -> None:
    """The checks of a submission (XCH-7) on everything but its offerings."""
    try:
        Submission(year, tuple(municipalities), (), tuple(local), source, catalogue)
    except (InputError, InvalidValueError):
        raise _DeclineError from None


# -- The CSV form -----------------------------------------------------------------------------

_MUNICIPAL = ("cbs_code", "municipality_name", "population", "population_year")
_DESCRIPTIVE = (
    "status",
    "capabilities",
    "authentication",
    "local_target",
    "local_target_reason",
    "fee_applies",
)
_VOLUME_NAMES = tuple(f"volume_{channel.value}" for channel in CHANNELS)
_FORMS = ("forms_started", "forms_completed")
_OFFERING_CELLS = frozenset((*_DESCRIPTIVE, "volume_unit", *_VOLUME_NAMES, *_FORMS))
# Columns of one kind next to each other are cut out of a row as one piece: a row is cut
# into few pieces, and each kind has few distinct pieces.
_KIND = {
    **dict.fromkeys(("reference_year", *_MUNICIPAL), "municipality"),
    "product": "product",
    **dict.fromkeys((*_DESCRIPTIVE, "volume_unit", *_FORMS, "source"), "offering"),
    **dict.fromkeys(_VOLUME_NAMES, "volumes"),
}


def _cells(line: str, separator: str) -> list[str]:
    """The cells of one line holding a quote, as the csv module reads them (else declines)."""
    try:
        rows = list(csv.reader([line], delimiter=separator, strict=True))
    except csv.Error:
        raise _DeclineError from None
    if len(rows) != 1:
        raise _DeclineError
    return rows[0]


class _CsvColumns:
    """Cuts the rows of a CSV file into columns of pieces, without a Python object per cell.

    A row that holds no quote is a line whose cells are separated by the separator and
    nothing else; numpy finds the separators in the bytes, the separators between
    pieces are turned into line feeds, and one ``split`` gives every piece of every
    row. A line that holds a quote is read by the csv module on its own; when it is not
    a whole row by itself (a quoted line feed) the file is declined.
    """

    def __init__(self, text: Text, catalogue: Catalogue) -> None:
        assert text.data is not None
        data = text.data
        self.source = text.source
        line_end = min(
            (k for k in (text.text.find("\n"), text.text.find("\r")) if k >= 0), default=-1
        )
        try:  # the separator is decided by the header line alone
            self.separator = _separator(text.text[: line_end + 1 or None], self.source)
        except InputError:
            raise _DeclineError from None
        if b"\x00" in data:  # the csv module of Python 3.10 refuses it
            raise _DeclineError
        self.reader = _CsvReader(self.source, catalogue, {}, self.separator == ";")
        buffer = np.frombuffer(data, dtype=np.uint8)
        newlines = _positions(buffer, 0x0A)
        starts = np.concatenate(([0], newlines + 1))
        ends = np.concatenate((newlines, [len(data)]))
        if b"\r" in data:
            carriage = np.zeros(len(starts), dtype=np.bool_)
            carriage[:-1] = (newlines > 0) & (buffer[np.maximum(newlines - 1, 0)] == 0x0D)
            if _count(buffer, 0x0D) != int(carriage.sum()):
                raise _DeclineError  # a carriage return that does not end a line with LF
            ends = ends - carriage
        lengths = ends - starts
        if int(lengths.max()) > csv.field_size_limit() or lengths[0] == 0:
            raise _DeclineError
        header = data[starts[0] : ends[0]].decode("utf-8")
        cells = _cells(header, self.separator) if '"' in header else header.split(self.separator)
        try:
            self.positions = _header(cells, self.source)
        except InputError:
            raise _DeclineError from None
        self.reader.positions = self.positions
        width = len(cells)
        self.name_at = {position: name for name, position in self.positions.items()}
        runs: list[list[int]] = []
        for column in range(width):
            if runs and _KIND[self.name_at[column]] == _KIND[self.name_at[column - 1]]:
                runs[-1][1] = column
            else:
                runs.append([column, column])
        self.runs = [(first, last) for first, last in runs]
        self.run_of = {c: r for r, (first, last) in enumerate(runs) for c in range(first, last + 1)}

        separators = _positions(buffer, ord(self.separator))
        first_separator = np.searchsorted(separators, starts)
        # No separator lies between a line's end and the next line's start.
        counts = np.diff(first_separator, append=len(separators))
        quoted = np.zeros(len(starts), dtype=np.bool_)
        if b'"' in data:
            quoted[np.searchsorted(starts, _positions(buffer, 0x22), side="right") - 1] = True
        whole = counts == width - 1
        blank = whole & (lengths == width - 1)  # nothing but separators: skipped
        plain = whole & ~blank & ~quoted
        plain[0] = False
        if not np.all((plain | quoted | blank | (lengths == 0))[1:]):
            raise _DeclineError  # a row shorter or longer than the header
        lines = np.flatnonzero(plain)
        self.rows = len(lines)
        self.columns: list[list[Any]] = [[] for _ in self.runs]
        self.keep: NDArray[np.bool_] | None = None
        if lines.size:
            self._cut(data, separators, first_separator, starts, lengths, lines)
        year_at = self.positions["reference_year"]
        for line in np.flatnonzero(quoted[1:]) + 1:
            row = _cells(data[starts[line] : ends[line]].decode("utf-8"), self.separator)
            if len(row) != width:
                raise _DeclineError
            if not row[year_at].strip() and not "".join(row).strip():
                continue  # a row of empty cells, skipped as the record reader skips it
            for r, (first, last) in enumerate(self.runs):
                self.columns[r].append(tuple(row[first : last + 1]))
            self.rows += 1
        if not self.rows:
            raise _DeclineError
        self.codes: list[IntArray] = []
        self.pieces: list[list[tuple[str, ...]]] = []
        for r, (first, last) in enumerate(self.runs):
            codes, distinct = _factorize(self.columns[r])
            if self.keep is not None:  # drop the stand-ins; the quoted rows come after
                codes = np.concatenate(
                    (codes[: self.keep.size][self.keep], codes[self.keep.size :])
                )
            self.codes.append(codes)
            self.pieces.append(self._split(distinct, last - first + 1, r == len(self.runs) - 1))
        del self.columns

    def _cut(
        self,
        data: bytes,
        separators: IntArray,
        first_separator: IntArray,
        starts: IntArray,
        lengths: IntArray,
        lines: IntArray,
    ) -> None:
        """Cut the plain lines into pieces: one column of pieces per run of columns.

        The separators between pieces become line feeds, and one ``split`` of the bytes
        gives the pieces of all lines, a fixed number per line. Other lines between the
        first and the last plain line are cut at their first bytes to the same number of
        pieces (which are not read), so that each column is a slice; their rows are
        dropped again after the pieces are coded (:attr:`keep`).
        """
        cuts = np.array([last for _, last in self.runs[:-1]], dtype=np.intp)
        edited = bytearray(data)
        view = np.frombuffer(edited, dtype=np.uint8)
        if cuts.size:
            view[separators[(first_separator[lines][:, None] + cuts[None, :]).ravel()]] = 0x0A
        region = np.arange(int(lines[0]), int(lines[-1]) + 1)
        others = region[~np.isin(region, lines)]
        regular = bool(np.all(lengths[others] >= cuts.size))
        if regular and others.size:
            view[(starts[others][:, None] + np.arange(cuts.size)[None, :]).ravel()] = 0x0A
        del view
        pieces = bytes(edited).split(b"\n")
        del edited
        step = 1 + cuts.size
        if regular:
            at = int(lines[0])  # one piece for the header and for each line before
            after = int(starts.size) - int(lines[-1]) - 1  # one piece each, too
            if len(pieces) != at + step * region.size + after:  # pragma: no cover
                raise _DeclineError
            for r in range(len(self.runs)):
                column = pieces[at + r : at + step * region.size : step]
                for k in (others - lines[0]).tolist():
                    column[k] = column[0]  # a stand-in, dropped after coding
                self.columns[r] = column
            if others.size:
                self.keep = np.isin(region, lines)
        else:  # a line too short to cut (an empty line between rows): pick the pieces
            per_line = np.ones(len(starts), dtype=np.intp)
            per_line[lines] = step
            first = (np.cumsum(per_line) - per_line)[lines]
            table = np.array(pieces, dtype=object)
            for r in range(len(self.runs)):
                self.columns[r] = table[first + r].tolist()

    def _split(self, distinct: list[Any], width: int, last: bool) -> list[tuple[str, ...]]:
        """The cells of each distinct piece (bytes of a plain row, or a quoted row's cells).

        The last piece of a plain line still holds the line's carriage return, if any.
        """
        out: list[tuple[str, ...]] = [()] * len(distinct)
        plain = [k for k, piece in enumerate(distinct) if type(piece) is bytes]
        if plain:
            chosen = (distinct[k] for k in plain)
            if last:
                chosen = (piece.removesuffix(b"\r") for piece in chosen)
            joined = self.separator.encode().join(chosen).decode("utf-8")
            flat = joined.split(self.separator)
            for k, cells in zip(plain, zip(*[iter(flat)] * width, strict=True), strict=True):
                out[k] = cells
        for k, piece in enumerate(distinct):
            if type(piece) is tuple:
                out[k] = piece
        return out

    def group(self, names: Sequence[str]) -> tuple[IntArray, list[tuple[str, ...]]]:
        """Codes per row and the distinct values of some columns (an absent column is empty)."""
        where = [
            (
                self.run_of[self.positions[n]],
                self.positions[n] - self.runs[self.run_of[self.positions[n]]][0],
            )
            if n in self.positions
            else None
            for n in names
        ]
        runs = sorted({w[0] for w in where if w is not None})
        if not runs:
            return np.zeros(self.rows, dtype=np.intp), [("",) * len(names)]
        if len(runs) == 1 and None not in where:
            offsets = [w[1] for w in where if w is not None]
            pieces = self.pieces[runs[0]]
            if offsets == list(range(len(pieces[0]))):
                return self.codes[runs[0]], pieces
            pick = operator.itemgetter(*offsets)
            if len(offsets) == 1:
                return self.codes[runs[0]], [(pick(cells),) for cells in pieces]
            return self.codes[runs[0]], list(map(pick, pieces))
        codes = self.codes[runs[0]]
        members: list[tuple[int, ...]] = [(k,) for k in range(len(self.pieces[runs[0]]))]
        for r in runs[1:]:
            size = len(self.pieces[r])
            joint, codes = _compact(codes * size + self.codes[r], len(members) * size)
            members = [(*members[k // size], k % size) for k in joint.tolist()]
        slot = {r: s for s, r in enumerate(runs)}
        values = [
            tuple("" if w is None else self.pieces[w[0]][member[slot[w[0]]]][w[1]] for w in where)
            for member in members
        ]
        return codes, values

    def blank_offering(self) -> NDArray[np.bool_]:
        """Per row: whether every offering cell of the row is empty or white space."""
        blank = np.ones(self.rows, dtype=np.bool_)
        for r, (first, last) in enumerate(self.runs):
            offsets = [
                c - first for c in range(first, last + 1) if self.name_at[c] in _OFFERING_CELLS
            ]
            if offsets:
                table = np.array(
                    [not any(cells[o].strip() for o in offsets) for cells in self.pieces[r]],
                    dtype=np.bool_,
                )
                blank &= table[self.codes[r]]
        return blank


def _csv_columns(text: Text, catalogue: Catalogue) -> _Columns:
    """The columns of a CSV file (XCH-11, XCH-12), or :class:`_DeclineError`."""
    table = _CsvColumns(text, catalogue)
    reader = table.reader
    parser = reader.parser

    # The document-wide cells: one reference year and one source in every row.
    _, years = table.group(("reference_year",))
    parsed_years = {reader._year(2, text) for (text,) in years}
    if reader.problems or len(parsed_years) != 1:
        raise _DeclineError
    (year,) = parsed_years
    _, sources = table.group(("source",))
    if len(set(sources)) != 1:
        raise _DeclineError
    source_text = sources[0][0]

    # Municipalities: every distinct set of cells, and one municipality per code.
    municipal_codes, municipal = table.group(_MUNICIPAL)
    by_code: dict[str, Municipality] = {}
    municipality_of: list[str] = []
    for cells in municipal:
        parsed = reader._municipality(cells)
        if isinstance(parsed, list):
            raise _DeclineError
        if by_code.setdefault(parsed.cbs_code, parsed) != parsed:
            raise _DeclineError
        municipality_of.append(parsed.cbs_code)
    codes = tuple(sorted(by_code))
    code_index = {code: i for i, code in enumerate(codes)}
    municipality = np.array([code_index[c] for c in municipality_of], dtype=np.intp)[
        municipal_codes
    ]

    # Products; a row without one lists its municipality and nothing else.
    product_codes, product_texts = table.group(("product",))
    resolved: list[str | None] = []
    for (cell,) in product_texts:
        stripped = cell.strip()
        if not stripped:
            resolved.append(None)
            continue
        uri = parser.product(stripped)
        if isinstance(uri, Fault):
            raise _DeclineError
        resolved.append(uri)
    listing = np.array([uri is None for uri in resolved], dtype=np.bool_)[product_codes]
    if listing.any() and not np.all(table.blank_offering()[listing]):
        raise _DeclineError
    offers = ~listing
    if not offers.any():
        uris: tuple[str, ...] = ()
        product = np.zeros(0, dtype=np.intp)
    else:
        used = sorted({uri for uri in resolved if uri is not None})
        uris = tuple(used)
        uri_index = {uri: j for j, uri in enumerate(uris)}
        product_table = np.array(
            [-1 if uri is None else uri_index[uri] for uri in resolved], dtype=np.intp
        )
        product = product_table[product_codes[offers]]
    municipality = municipality[offers]
    _unique_keys(municipality, product, max(len(uris), 1))

    # Status, capabilities, authentication, local target, its reason and the fee.
    described_codes, described_cells = table.group(_DESCRIPTIVE)
    recoded, described_cells = _factorize(described_cells)
    described_codes = recoded[described_codes]
    described: list[_Described] = []
    for cells in described_cells:
        parts = reader._describe(cells)
        if isinstance(parts, list):
            raise _DeclineError
        described.append(_Described(*parts))
    described_codes = described_codes[offers]

    # Volumes: numbers times the factors of their units, a whole column at a time (XCH-9).
    volume = _csv_volumes(table, offers)
    has_volumes = ~np.isnan(volume[:, 0])

    # Forms started and completed.
    form_codes, form_cells = table.group(_FORMS)
    started_table = np.full(len(form_cells), np.nan)
    completed_table = np.full(len(form_cells), np.nan)
    for k, cells in enumerate(form_cells):
        forms = reader._forms(cells)
        if isinstance(forms, list):
            raise _DeclineError
        if forms is not None:
            started_table[k], completed_table[k] = forms.started, forms.completed
    started = started_table[form_codes[offers]]
    completed = completed_table[form_codes[offers]]
    has_forms = ~np.isnan(started)

    _check_offerings(
        (
            (described[k], v, f)
            for k, v, f in _combinations(described_codes, has_volumes, has_forms)
        ),
        codes,
        uris,
    )
    references = {p.uri for p in catalogue.reference_products()}
    local = tuple(catalogue.get(uri) for uri in uris if uri not in references)
    _submission_checks(
        year,
        by_code.values(),
        local,
        source_text if source_text.strip() else None,
        catalogue,
    )
    return _finish(
        by_code,
        catalogue,
        local,
        codes,
        uris,
        municipality,
        product,
        described,
        described_codes,
        volume,
        started,
        completed,
    )


def _csv_volumes(table: _CsvColumns, offers: NDArray[np.bool_]) -> FloatArray:
    """``[offering, channel]`` requests per year from the volume cells (XCH-9, XCH-11).

    Each distinct cell text is cut into its number and its own unit once (as
    :func:`~digimaat.exchange._common.parse_rate` cuts it); a number without a unit takes
    the row's ``volume_unit``. The volumes are computed once per distinct pair of volume
    cells and ``volume_unit``, a whole table at a time, and then spread over the rows.
    """
    names = [name for name in _VOLUME_NAMES if name in table.positions]
    volume = np.full((int(offers.sum()), len(CHANNELS)), np.nan)
    if not names:
        return volume
    channels = np.array([_VOLUME_NAMES.index(name) for name in names], dtype=np.intp)
    cell_codes, cells = table.group(names)
    flat_codes, flat = _factorize([cell for row in cells for cell in row])
    decimal_comma = table.reader.decimal_comma
    number = np.zeros(len(flat))
    own = np.full(len(flat), np.nan)  # the factor of the cell's own unit, if it has one
    negative = np.zeros(len(flat), dtype=np.bool_)
    filled = np.zeros(len(flat), dtype=np.bool_)
    for k, text in enumerate(flat):
        if not text or text.isspace():
            continue  # an empty cell: no requests through the channel
        parts = rate_parts(text, decimal_comma)
        if isinstance(parts, Fault):
            raise _DeclineError
        negative[k], number[k], unit = parts
        filled[k] = True
        if unit:
            unit_factor = rate_factor_or_fault(unit)
            if isinstance(unit_factor, Fault):
                raise _DeclineError
            own[k] = unit_factor
    by_cells = flat_codes.reshape(len(cells), len(names))  # [distinct cells, channel]
    rows = cell_codes[offers]
    bare = filled[by_cells] & np.isnan(own[by_cells])
    if bare.any():  # the volume_unit matters: one table per pair of cells and unit
        unit_codes, units = table.group(("volume_unit",))
        by_unit = np.full(len(units), np.nan)
        for k, (text,) in enumerate(units):
            if text.strip():
                found = rate_factor_or_fault(text.strip())
                if not isinstance(found, Fault):
                    by_unit[k] = found
        pairs, rows = _compact(rows * len(units) + unit_codes[offers], len(cells) * len(units))
        which, unit_of = pairs // len(units), pairs % len(units)
    else:
        which, rows = _compact(rows, len(cells))
        by_unit, unit_of = np.full(1, np.nan), np.zeros(which.size, dtype=np.intp)
    at = by_cells[which]  # [pair, channel] -> distinct cell
    factor = np.where(bare[which], by_unit[unit_of][:, None], own[at])
    if np.isnan(factor[filled[at]]).any():
        raise _DeclineError  # a bare number without a usable volume_unit
    with np.errstate(all="ignore"):
        value = np.where(filled[at], number[at] * factor, 0.0)
    if not np.isfinite(value).all() or (negative[at] & (value != 0)).any():
        raise _DeclineError
    value = value + 0.0  # -0.0 becomes 0.0
    table_of_pairs = np.full((which.size, len(CHANNELS)), np.nan)
    has = filled[at].any(axis=1)
    table_of_pairs[has] = 0.0
    table_of_pairs[np.ix_(has, channels)] = value[has]
    return table_of_pairs[rows]


def _checked(
    value: Mapping[str, Any],
    municipalities: dict[str, Municipality],
    catalogue: Catalogue,
    local: tuple[Product, ...],
    codes: tuple[str, ...],
    uris: tuple[str, ...],
    municipality: IntArray,
    product: IntArray,
    described: list[_Described],
    described_codes: IntArray,
    volume: FloatArray,
    started: FloatArray,
    completed: FloatArray,
) -> _Columns:
    """The offering (OFF) and submission (XCH-7) checks of a JSON document, then the columns."""
    _check_offerings(
        (
            (described[k], v, f)
            for k, v, f in _combinations(
                described_codes, ~np.isnan(volume[:, 0]), ~np.isnan(started)
            )
        ),
        codes,
        uris,
    )
    _submission_checks(
        value["reference_year"], municipalities.values(), local, value.get("source"), catalogue
    )
    return _finish(
        municipalities,
        catalogue,
        local,
        codes,
        uris,
        municipality,
        product,
        described,
        described_codes,
        volume,
        started,
        completed,
    )


def _finish(
    municipalities: dict[str, Municipality],
    catalogue: Catalogue,
    local: tuple[Product, ...],
    codes: tuple[str, ...],
    uris: tuple[str, ...],
    municipality: IntArray,
    product: IntArray,
    described: list[_Described],
    described_codes: IntArray,
    volume: FloatArray,
    started: FloatArray,
    completed: FloatArray,
) -> _Columns:
    """The columns, from the distinct descriptive fields and their codes per offering."""
    table = np.array([d.codes() for d in described], dtype=np.int64).reshape(len(described), 6)
    rows = table[described_codes]
    with_target = np.flatnonzero(rows[:, 4] >= 0)
    reasons = tuple(
        (k, str(described[d].reason))
        for k, d in zip(with_target.tolist(), described_codes[with_target].tolist(), strict=True)
    )
    return _Columns(
        municipalities=tuple(municipalities[code] for code in sorted(municipalities)),
        catalogue=catalogue,
        local_products=local,
        codes=codes,
        uris=uris,
        municipality=municipality,
        product=product,
        status=rows[:, 0].astype(np.int8),
        capabilities=rows[:, 1].astype(np.int16),
        auth_means=rows[:, 2].astype(np.int8),
        auth_level=rows[:, 3].astype(np.int8),
        local_target=rows[:, 4].astype(np.int8),
        fee_override=rows[:, 5].astype(np.int8),
        reasons=reasons,
        volume=volume,
        forms_started=started,
        forms_completed=completed,
    )


# -- The JSON document --------------------------------------------------------------------------


def _json_fields(records: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """The offerings' fields as columns (``None`` where absent), in some order of offerings.

    Offerings with the same members in the same order are read together, with one
    ``itemgetter`` for all their fields; the columns list the offerings group by group.
    """
    signatures = list(map(tuple, records))
    codes, distinct = _factorize(signatures)
    for keys in distinct:
        if (
            "provenance" in keys  # read by the record reader, which checks it (OFF-16)
            or not _OFFERING_KEYS.issuperset(keys)
            or "municipality" not in keys
            or "product" not in keys
        ):
            raise _DeclineError
    if len(distinct) == 1:
        groups = [(distinct[0], records)]
    else:
        by_group = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[by_group], np.arange(len(distinct) + 1))
        groups = []
        for g, keys in enumerate(distinct):
            chosen = by_group[bounds[g] : bounds[g + 1]].tolist()
            groups.append((keys, [records[k] for k in chosen]))
    columns: dict[str, list[Any]] = {key: [] for key in _OFFERING_KEYS}
    for keys, group in groups:
        values = list(map(operator.itemgetter(*keys), group))  # two keys at least
        for key, column in zip(keys, zip(*values, strict=True), strict=True):
            columns[key].extend(column)
        for key in _OFFERING_KEYS.difference(keys):
            columns[key].extend(itertools.repeat(None, len(group)))
    return columns


def _present(column: list[Any]) -> IntArray:
    """The rows of a column whose value is not ``None``."""
    return np.flatnonzero(
        np.fromiter(
            map(operator.is_not, column, itertools.repeat(None)), dtype=np.bool_, count=len(column)
        )
    )


def _json_columns(document: Document, base: Catalogue) -> _Columns:
    """The columns of a JSON document (XCH-5 to XCH-9), or :class:`_DeclineError`."""
    value = document.value
    if type(value) is not dict:
        raise _DeclineError
    reader = _JsonReader(document.text.source, base, document.text.text, document.members)
    reader.counted += len(value)
    if json_keys_faults(value, _TOP_KEYS, _TOP_REQUIRED):
        raise _DeclineError
    try:
        reader._header(value)
    except InputError:
        raise _DeclineError from None
    municipalities = reader._municipalities(value.get("municipalities"))
    local = reader._local_products(value.get("local_products"))
    if reader.problems:
        raise _DeclineError
    catalogue = base.with_local(*local) if local else base
    parser = FieldParser(catalogue)
    records = value.get("offerings")
    if type(records) is not list or (records and set(map(type, records)) != {dict}):
        raise _DeclineError
    counted = reader.counted + sum(map(len, records))
    fields = _json_fields(records)

    # Municipalities and products.
    municipality_codes, named = _parsed(
        fields["municipality"],
        lambda code: code if code in municipalities else Fault(()),
        (str,),
    )
    codes = tuple(sorted(municipalities))
    code_index = {code: i for i, code in enumerate(codes)}
    municipality = np.array([code_index[c] for c in named], dtype=np.intp)[municipality_codes]
    product_codes, resolved = _parsed(fields["product"], parser.product, (str,))
    uris = tuple(sorted(set(resolved)))
    uri_index = {uri: j for j, uri in enumerate(uris)}
    product = np.array([uri_index[u] for u in resolved], dtype=np.intp)[product_codes]
    _unique_keys(municipality, product, max(len(uris), 1))
    allowed = {p.uri for p in catalogue.products if p.reference} | {p.uri for p in local}
    if not allowed.issuperset(uris):
        raise _DeclineError  # a local product of the caller's catalogue not in local_products

    # The descriptive fields, each distinct value parsed once, then their combinations.
    parts = [
        _parsed(
            fields["status"],
            lambda v: Status.OFFERED if v is None else parser.status(v),
            (str, _NONE),
        ),
        _capabilities(fields["capabilities"], parser),
        _parsed(
            fields["authentication"],
            lambda v: None if v is None else parser.authentication(v),
            (str, _NONE),
        ),
        _parsed(
            fields["local_target"],
            lambda v: None if v is None else parser.local_target(v),
            (str, _NONE),
        ),
        _parsed(fields["local_target_reason"], lambda v: v, (str, _NONE)),
        _parsed(fields["fee_applies"], lambda v: v, (bool, _NONE)),
    ]
    described_codes, combinations = _joint(parts, len(records))
    described = [_Described(*values) for values in combinations]

    volume, more = _json_volumes(fields["volumes"], parser)
    counted += more
    started, completed, more = _json_forms(fields["forms"])
    counted += more
    if counted != reader.members:
        raise _DeclineError  # a member name given twice in an object
    return _checked(
        value,
        municipalities,
        catalogue,
        local,
        codes,
        uris,
        municipality,
        product,
        described,
        described_codes,
        volume,
        started,
        completed,
    )


def _joint(
    columns: Sequence[tuple[IntArray, Sequence[Any]]], rows: int
) -> tuple[IntArray, list[tuple[Any, ...]]]:
    """Codes of the distinct combinations of several coded columns, and the combinations."""
    if not rows:
        return np.zeros(0, dtype=np.intp), []
    codes = np.zeros(rows, dtype=np.intp)
    members: list[tuple[int, ...]] = [()]
    for column_codes, values in columns:
        size = len(values)
        joint, codes = _compact(codes * size + column_codes, len(members) * size)
        members = [(*members[k // size], k % size) for k in joint.tolist()]
    return codes, [
        tuple(values[i] for (_, values), i in zip(columns, member, strict=True))
        for member in members
    ]


def _capabilities(column: list[Any], parser: FieldParser) -> tuple[IntArray, list[Any]]:
    """Arrays of capability names (MAT-2), as tuples so that each distinct one is parsed once."""
    if not set(map(type, column)).issubset((list, _NONE)):
        raise _DeclineError
    keys = [() if names is None else tuple(names) for names in column]
    if not all(type(name) is str for name in itertools.chain.from_iterable(keys)):
        raise _DeclineError  # a name that is not a text: the record reader reports it
    codes, distinct = _factorize(keys)
    parsed = [
        frozenset() if not names else parser.capability_list(list(names)) for names in distinct
    ]
    if any(isinstance(value, Fault) for value in parsed):
        raise _DeclineError
    return codes, parsed


def _json_volumes(column: list[Any], parser: FieldParser) -> tuple[FloatArray, int]:
    """``[offering, channel]`` requests per year (OFF-5, XCH-9), and the members counted."""
    volume = np.full((len(column), len(CHANNELS)), np.nan)
    if not set(map(type, column)).issubset((dict, _NONE)):
        raise _DeclineError
    rows = _present(column)
    if not rows.size:
        return volume, 0
    records: list[dict[str, Any]] = [column[k] for k in rows.tolist()]
    sizes = np.fromiter(map(len, records), dtype=np.intp, count=len(records))
    counted = int(sizes.sum())
    signature_codes, signatures = _factorize(list(map(tuple, records)))
    slots: list[list[int]] = []
    for keys in signatures:
        order = parser._channel_order(keys)
        if isinstance(order, Fault):
            raise _DeclineError
        channel_of = dict(zip(order[1], order[0], strict=True))
        slots.append([_CHANNEL_INDEX[channel_of[key]] for key in keys])
    items = list(itertools.chain.from_iterable(map(dict.values, records)))
    if set(map(type, items)).issubset((str,)):
        item_codes, texts = _factorize(items)
        rates = [parser.json_rate(text) for text in texts]
    else:  # rates written as objects {value, unit} too: each item read on its own
        item_codes, rates = np.arange(len(items)), [parser.json_rate(item) for item in items]
        counted += sum(len(item) for item in items if type(item) is dict)
    if any(isinstance(rate, Fault) for rate in rates):
        raise _DeclineError
    values = np.array(rates, dtype=np.float64)[item_codes]
    channel = np.fromiter(
        itertools.chain.from_iterable(map(slots.__getitem__, signature_codes.tolist())),
        dtype=np.intp,
        count=len(items),
    )
    volume[rows] = 0.0
    volume[np.repeat(rows, sizes), channel] = values
    return volume, counted


def _json_forms(column: list[Any]) -> tuple[FloatArray, FloatArray, int]:
    """Forms started and completed (OFF-6), and the members counted."""
    started = np.full(len(column), np.nan)
    completed = np.full(len(column), np.nan)
    if not set(map(type, column)).issubset((dict, _NONE)):
        raise _DeclineError
    rows = _present(column)
    if not rows.size:
        return started, completed, 0
    records: list[dict[str, Any]] = [column[k] for k in rows.tolist()]
    if set(map(frozenset, records)) != {frozenset(("started", "completed"))}:
        raise _DeclineError
    numbers = []
    for key in ("started", "completed"):
        counts = list(map(operator.itemgetter(key), records))
        if set(map(type, counts)) != {int}:
            raise _DeclineError
        try:
            numbers.append(np.array(counts, dtype=np.int64))
        except OverflowError:
            raise _DeclineError from None
    if (numbers[0] < 0).any() or (numbers[1] < 0).any() or (numbers[1] > numbers[0]).any():
        raise _DeclineError
    started[rows] = numbers[0]
    completed[rows] = numbers[1]
    return started, completed, 2 * len(records)


# -- The JSON document, cut as text -------------------------------------------------------------

_COMMA = ord(",")
_STRUCTURAL = np.zeros(256, dtype=np.bool_)
_STRUCTURAL[list(b"[]{},")] = True
_STEP = np.zeros(256, dtype=np.int32)
_STEP[list(b"[{")] = 1
_STEP[list(b"]}")] = -1
_WHITE = np.zeros(256, dtype=np.bool_)
_WHITE[list(b" \t\n\r")] = True
_MARKS = bytes(1 if b == 0x22 else b if b in b"[]{}," else 0 for b in range(256))
_NOT_QUOTE_OR_BRACKET = bytes(sorted(set(range(256)) - set(b'"[]{}')))
_COLON = re.compile(rb"[ \t\n\r]*:")
_OPENING = re.compile(rb"[ \t\n\r]*:[ \t\n\r]*\[")
_DESCRIBED_NAMES = frozenset(_DESCRIPTIVE)
_PIECE_NAMES = (  # the members each kind of piece may hold
    frozenset({"municipality"}),
    frozenset({"product"}),
    _DESCRIBED_NAMES,
    frozenset({"volumes"}),
    frozenset({"forms"}),
)
# The kind of piece a member belongs to, by the first two letters of its name (checked
# again on the names the JSON parser reads).
_KIND_OF = np.full(1 << 16, -1, dtype=np.int8)
for _kind, _names in enumerate(_PIECE_NAMES):
    for _name in _names:
        _KIND_OF[ord(_name[0]) << 8 | ord(_name[1])] = _kind


def _no_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's members; declines when a name is given twice (XCH-5)."""
    record = dict(pairs)
    if len(record) != len(pairs):
        raise _DeclineError
    return record


def _offerings_array(data: bytes) -> int:
    """The offset of the ``[`` that opens the outermost object's ``offerings`` (no escapes).

    Only the text before the member is examined (in a written document: the header and
    the municipalities).
    """
    key = b'"offerings"'
    at = data.find(key)
    while at >= 0:
        before = data[:at]
        if before.count(b'"') % 2 == 0:  # this quote opens a string: the member's name?
            chars = np.frombuffer(before.translate(None, _NOT_QUOTE_OR_BRACKET), dtype=np.uint8)
            quote = chars == 0x22
            inside = np.bitwise_xor.accumulate(quote.view(np.uint8)).view(np.bool_) | quote
            if int(_STEP[chars[~inside]].sum()) == 1 and _COLON.match(data, at + len(key)):
                opening = _OPENING.match(data, at + len(key))
                if opening is None:
                    raise _DeclineError  # the offerings are not an array
                return opening.end() - 1
        at = data.find(key, at + 1)
    raise _DeclineError


def _structure(data: bytes, start: int) -> tuple[IntArray, NDArray[np.uint8]]:
    """Offsets and bytes of the brackets, braces and commas outside strings, from ``start``.

    A byte is outside strings when an even number of quotes comes before it (there are
    no escaped quotes: the text holds no backslash). Only the quotes, brackets, braces
    and commas are looked at, a few megabytes of text at a time.
    """
    positions: list[IntArray] = []
    chars: list[NDArray[np.uint8]] = []
    odd = 0
    for low in range(start, len(data), _CHUNK):
        marks = np.frombuffer(data[low : low + _CHUNK].translate(_MARKS), dtype=np.uint8)
        found = np.flatnonzero(marks)
        kinds = marks[found]  # 1 for a quote, the character itself for the others
        inside = np.bitwise_xor.accumulate(kinds == 1, dtype=np.uint8)
        if odd:
            inside ^= 1
        if inside.size:
            odd = int(inside[-1])
        outside = (kinds > 1) & (inside == 0)
        positions.append(found[outside] + low)
        chars.append(kinds[outside])
    return np.concatenate(positions), np.concatenate(chars)


def _white(buffer: NDArray[np.uint8], low: IntArray, high: IntArray) -> bool:
    """Whether every byte of the ranges ``low[k] .. high[k] - 1`` is white space."""
    lengths = high - low
    if (lengths < 0).any():
        return False
    total = int(lengths.sum())
    if not total:
        return True
    first = np.cumsum(lengths) - lengths
    at = np.arange(total) + np.repeat(low - first, lengths)
    return bool(_WHITE[buffer[at]].all())


@attrs.frozen(eq=False)
class _Pieces:
    """The offerings array of a document, cut into pieces (XCH-8).

    A piece is a run of members of one record that belong to one kind (the
    municipality, the product, the descriptive members, the volumes, the forms); the
    JSON parser reads each distinct piece once.
    """

    end: int
    """The offset just after the array's ``]``."""
    depth: int
    """The deepest nesting inside the array, the array being level 1."""
    records: int
    kinds: tuple[tuple[IntArray, IntArray, list[dict[str, Any]]], ...]
    """Per kind: the record of each piece, its code, and the distinct pieces parsed."""


def _pieces(data: bytes, start: int) -> _Pieces:
    """Cut the array that opens at ``start``; declines unless it is an array of objects.

    The array's elements must be objects separated by commas and white space; within
    an object, the commas at its own level separate its members. Each piece is then
    read by the JSON parser, which refuses what is not JSON.
    """
    buffer = np.frombuffer(data, dtype=np.uint8)
    positions, chars = _structure(data, start)
    step = _STEP[chars]
    depth = np.cumsum(step)
    closed = np.flatnonzero(depth == 0)
    if not closed.size or chars[closed[0]] != ord("]"):
        raise _DeclineError
    last = int(closed[0])
    positions, chars = positions[: last + 1], chars[: last + 1]
    depth, step = depth[: last + 1], step[: last + 1]
    end = int(positions[last]) + 1
    level = depth - step  # the level a character stands at: 1 in the array, 2 in a record
    comma = chars == _COMMA
    opens = (chars == ord("{")) & (level == 1)
    closes = (chars == ord("}")) & (level == 2)
    elements = comma & (level == 1)
    top = level == 1
    top[last] = False
    if (top & ~opens & ~elements).any():
        raise _DeclineError  # an element that is not an object
    o, e, x = positions[opens], positions[closes], positions[elements]
    n = o.size
    if e.size != n or x.size != max(n - 1, 0):
        raise _DeclineError
    if n:
        if not (np.all(o < e) and np.all(e[:-1] < x) and np.all(x < o[1:])):
            raise _DeclineError
        low = np.concatenate(([start + 1], e[:-1] + 1, x + 1, [e[-1] + 1]))
        high = np.concatenate(([o[0]], x, o[1:], [end - 1]))
    else:
        low, high = np.array([start + 1]), np.array([end - 1])
    if not _white(buffer, low, high):
        raise _DeclineError  # something between the records but commas and white space
    if not n:
        return _Pieces(end, int(depth.max()), 0, ())
    members = comma & (level == 2)
    firsts = positions[opens | members] + 1  # where each member starts, in order
    lasts = positions[members | closes]  # and where it ends
    record = np.searchsorted(o, firsts, side="right") - 1
    quote = buffer[firsts] == 0x22
    spaced = (buffer[firsts] == 0x20) & (buffer[firsts + 1] == 0x22)
    if not np.all(quote | spaced):
        raise _DeclineError  # a name not right after the brace or ", "
    name = firsts + 1 + spaced
    kind = _KIND_OF[buffer[name].astype(np.intp) << 8 | buffer[name + 1]]
    if (kind < 0).any():
        raise _DeclineError
    new = np.ones(firsts.size, dtype=np.bool_)
    new[1:] = (record[1:] != record[:-1]) | (kind[1:] != kind[:-1])
    first_member = np.flatnonzero(new)
    last_member = np.concatenate((first_member[1:], [firsts.size])) - 1
    piece_start, piece_end = firsts[first_member], lasts[last_member]
    piece_kind, piece_record = kind[first_member], record[first_member]
    if np.bincount(piece_record * len(_PIECE_NAMES) + piece_kind).max() > 1:
        raise _DeclineError  # the members of a kind not next to each other
    if not np.all(np.bincount(piece_kind, minlength=2)[:2] == n):
        raise _DeclineError  # a record without municipality or product
    kinds = []
    for k, names in enumerate(_PIECE_NAMES):
        chosen = piece_kind == k
        bounds = zip(piece_start[chosen].tolist(), piece_end[chosen].tolist(), strict=True)
        texts = [data[low:high] for low, high in bounds]
        codes, distinct = _factorize(texts)
        joined = b"},{".join(distinct).decode("utf-8")
        try:
            parsed = json.loads(
                f"[{{{joined}}}]" if distinct else "[]", object_pairs_hook=_no_repeats
            )
        except (ValueError, RecursionError):
            raise _DeclineError from None
        if not all(names.issuperset(piece) and piece for piece in parsed):
            raise _DeclineError
        kinds.append((piece_record[chosen], codes, parsed))
    return _Pieces(end, int(depth.max()), n, tuple(kinds))


def _per_record(records: int, rows: IntArray, codes: IntArray, absent: int) -> IntArray:
    """The code of each record's piece of one kind, ``absent`` for a record without one."""
    out = np.full(records, absent, dtype=np.intp)
    out[rows] = codes
    return out


def _json_text_columns(text: Text, base: Catalogue, max_depth: int) -> _Columns:
    """The columns of a JSON document without escapes, read by cutting its text (XCH-5 to XCH-9).

    The offerings array is cut into pieces (:func:`_pieces`); the rest of the document,
    with ``[]`` for the array, is read by the record reader. Declines on anything else.
    """
    data = text.data
    assert data is not None
    if b"\\" in data or b'"provenance"' in data:  # provenance: the record reader checks it
        raise _DeclineError
    start = _offerings_array(data)
    pieces = _pieces(data, start)
    rest = data[:start] + b"[]" + data[pieces.end :]
    depth, _, members = _scan(rest, max_depth)
    if max(depth, pieces.depth + 1) > max_depth:
        raise _DeclineError
    try:
        value = json.loads(rest.decode("utf-8"))
    except (ValueError, RecursionError):
        raise _DeclineError from None
    if type(value) is not dict or value.get("offerings") != []:
        raise _DeclineError
    reader = _JsonReader(text.source, base, "", members)
    reader.counted += len(value)
    if json_keys_faults(value, _TOP_KEYS, _TOP_REQUIRED):
        raise _DeclineError
    try:
        reader._header(value)
    except InputError:
        raise _DeclineError from None
    municipalities = reader._municipalities(value.get("municipalities"))
    local = reader._local_products(value.get("local_products"))
    if reader.problems or reader.counted != members:
        raise _DeclineError
    catalogue = base.with_local(*local) if local else base
    parser = FieldParser(catalogue)
    n = pieces.records
    if not n:
        return _empty_columns(value, municipalities, local, catalogue)
    (m_rows, m_codes, m_parsed), (p_rows, p_codes, p_parsed), *others = pieces.kinds
    (d_rows, d_codes, d_parsed), (v_rows, v_codes, v_parsed), (f_rows, f_codes, f_parsed) = others

    codes = tuple(sorted(municipalities))
    code_index = {code: i for i, code in enumerate(codes)}
    named = [piece["municipality"] for piece in m_parsed]
    if not all(type(code) is str and code in municipalities for code in named):
        raise _DeclineError
    municipality = _per_record(n, m_rows, np.array([code_index[c] for c in named])[m_codes], -1)
    resolved: list[str] = []
    for piece in p_parsed:
        uri = parser.product(piece["product"])
        if isinstance(uri, Fault):
            raise _DeclineError
        resolved.append(uri)
    uris = tuple(sorted(set(resolved)))
    uri_index = {uri: j for j, uri in enumerate(uris)}
    product = _per_record(n, p_rows, np.array([uri_index[u] for u in resolved])[p_codes], -1)
    _unique_keys(municipality, product, max(len(uris), 1))
    allowed = {p.uri for p in catalogue.products if p.reference} | {p.uri for p in local}
    if not allowed.issuperset(uris):
        raise _DeclineError

    described_of = [_described(piece, parser) for piece in [*d_parsed, {}]]
    recoded, described = _factorize(described_of)
    described_codes = recoded[_per_record(n, d_rows, d_codes, len(d_parsed))]
    rates, _ = _json_volumes([piece["volumes"] for piece in v_parsed] + [None], parser)
    volume = rates[_per_record(n, v_rows, v_codes, len(v_parsed))]
    counts = np.array([_forms_of(piece.get("forms")) for piece in [*f_parsed, {}]])
    counts = counts.reshape(-1, 2)[_per_record(n, f_rows, f_codes, len(f_parsed))]
    started, completed = counts[:, 0].copy(), counts[:, 1].copy()
    return _checked(
        value,
        municipalities,
        catalogue,
        local,
        codes,
        uris,
        municipality,
        product,
        described,
        described_codes,
        volume,
        started,
        completed,
    )


def _described(piece: dict[str, Any], parser: FieldParser) -> _Described:
    """The descriptive members of an offering, as the record reader reads them (XCH-8)."""
    status, capabilities = piece.get("status"), piece.get("capabilities")
    authentication, target = piece.get("authentication"), piece.get("local_target")
    reason, fee = piece.get("local_target_reason"), piece.get("fee_applies")
    parsed_status = Status.OFFERED if status is None else parser.status(status)
    parsed_capabilities = (
        frozenset() if capabilities is None else parser.capability_list(capabilities)
    )
    parsed_authentication = (
        None if authentication is None else parser.authentication(authentication)
    )
    parsed_target = None if target is None else parser.local_target(target)
    if (
        isinstance(parsed_status, Fault)
        or isinstance(parsed_capabilities, Fault)
        or isinstance(parsed_authentication, Fault)
        or isinstance(parsed_target, Fault)
        or (reason is not None and type(reason) is not str)
        or (fee is not None and type(fee) is not bool)
    ):
        raise _DeclineError
    return _Described(
        parsed_status, parsed_capabilities, parsed_authentication, parsed_target, reason, fee
    )


def _forms_of(forms: Any) -> tuple[float, float]:
    """Forms started and completed (NaN without forms), as the record reader reads them (OFF-6)."""
    if forms is None:
        return math.nan, math.nan
    if type(forms) is not dict or set(forms) != {"started", "completed"}:
        raise _DeclineError
    started, completed = forms["started"], forms["completed"]
    if type(started) is not int or type(completed) is not int or not 0 <= completed <= started:
        raise _DeclineError
    return float(started), float(completed)


def _empty_columns(
    value: dict[str, Any],
    municipalities: dict[str, Municipality],
    local: tuple[Product, ...],
    catalogue: Catalogue,
) -> _Columns:
    """The columns of a document without offerings."""
    _submission_checks(
        value["reference_year"], municipalities.values(), local, value.get("source"), catalogue
    )
    none = np.zeros(0, dtype=np.intp)
    return _finish(
        municipalities,
        catalogue,
        local,
        tuple(sorted(municipalities)),
        (),
        none,
        none,
        [],
        none,
        np.zeros((0, len(CHANNELS))),
        np.zeros(0),
        np.zeros(0),
    )


# -- Several files, one dataset ------------------------------------------------------------------


class _File:
    """One file read: its columns, and (on demand) its records from the record readers."""

    def __init__(self, columns: _Columns | None, records: Callable[[], Submission]) -> None:
        self._records = records
        self._submission: Submission | None = None
        self.columns = columns if columns is not None else _columns_of(self.records())

    def records(self) -> Submission:
        """The submission, read by the record readers (once)."""
        if self._submission is None:
            self._submission = self._records()
        return self._submission


def _csv_file(text: Text, catalogue: Catalogue | None) -> _File:
    base = reference_catalogue() if catalogue is None else catalogue
    try:
        columns: _Columns | None = _csv_columns(text, base)
    except _DeclineError:
        columns = None
    return _File(columns, lambda: read_text(text, catalogue))


def _json_file(text: Text, catalogue: Catalogue | None, max_depth: int) -> _File:
    """A JSON document: cut as text, else parsed and read as columns, else read as records."""
    base = reference_catalogue() if catalogue is None else catalogue
    try:
        columns = _json_text_columns(text, base, max_depth)
    except _DeclineError:
        pass
    else:
        return _File(columns, lambda: read_document(parse_text(text, max_depth), catalogue))
    document = parse_text(text, max_depth)  # refuses what the record reader refuses
    try:
        parsed: _Columns | None = _json_columns(document, base)
    except _DeclineError:
        parsed = None
    return _File(parsed, lambda: read_document(document, catalogue))


def _merged_catalogue(parts: Sequence[Catalogue], local: Sequence[Sequence[Product]]) -> Catalogue:
    """The first file's catalogue, with the local products of the others it lacks."""
    catalogue = parts[0]
    for products in local[1:]:
        extra = [p for p in products if p.uri not in catalogue]
        if extra:
            catalogue = catalogue.with_local(*extra)
    return catalogue


def _from_submissions(
    submissions: Sequence[Submission], products: Sequence[str] | None, costs: Costs | None
) -> Dataset:
    """The dataset of the records, built as :meth:`Dataset.from_offerings` builds it."""
    catalogue = _merged_catalogue(
        [s.catalogue for s in submissions], [s.local_products for s in submissions]
    )
    return Dataset.from_offerings(
        [o for s in submissions for o in s.offerings],
        [m for s in submissions for m in s.municipalities],
        catalogue,
        products=products,
        costs=costs,
    )


def _assemble(
    parts: Sequence[_Columns], products: Sequence[str] | None, costs: Costs | None
) -> Dataset:
    """The dataset of the files' columns (as :func:`_from_submissions`); may decline."""
    municipalities = [m for part in parts for m in part.municipalities]
    by_code = {m.cbs_code: m for m in municipalities}
    if len(by_code) != len(municipalities):
        raise _DeclineError  # a municipality in two files: Dataset.from_offerings reports it
    catalogue = _merged_catalogue(
        [part.catalogue for part in parts], [part.local_products for part in parts]
    )
    used = set(itertools.chain.from_iterable(part.uris for part in parts))
    if products is None:
        uris = sorted(used)
    else:
        try:
            wanted = set(products)
            if not used.issubset(wanted) or not all(uri in catalogue for uri in wanted):
                raise _DeclineError
            uris = sorted(wanted)
        except TypeError:
            raise _DeclineError from None
    codes = sorted(by_code)
    m, p, c = len(codes), len(uris), len(CHANNELS)
    code_index = {code: i for i, code in enumerate(codes)}
    uri_index = {uri: j for j, uri in enumerate(uris)}
    status = np.full((m, p), StatusCode.NO_RECORD, dtype=np.int8)
    masks = np.zeros((m, p), dtype=np.int16)
    fee = np.full((m, p), -1, dtype=np.int8)
    target = np.full((m, p), -1, dtype=np.int8)
    means = np.full((m, p), -1, dtype=np.int8)
    level = np.full((m, p), -1, dtype=np.int8)
    volume = np.full((m, p, c), np.nan)
    started = np.full((m, p), np.nan)
    completed = np.full((m, p), np.nan)
    reasons: list[tuple[int, int, str]] = []
    for part in parts:
        if not part.uris:
            continue
        i = np.array([code_index[code] for code in part.codes], dtype=np.intp)[part.municipality]
        j = np.array([uri_index[uri] for uri in part.uris], dtype=np.intp)[part.product]
        status[i, j] = part.status
        masks[i, j] = part.capabilities
        fee[i, j] = part.fee_override
        target[i, j] = part.local_target
        means[i, j] = part.auth_means
        level[i, j] = part.auth_level
        volume[i, j] = part.volume
        started[i, j] = part.forms_started
        completed[i, j] = part.forms_completed
        reasons.extend((int(i[k]), int(j[k]), reason) for k, reason in part.reasons)
    return Dataset.from_arrays(
        tuple(by_code[code] for code in codes),
        tuple(catalogue.get(uri) for uri in uris),
        status=status,
        capabilities=masks,
        volume=volume,
        auth_means=means,
        auth_level=level,
        fee_override=fee,
        local_target=target,
        local_target_reasons=sorted(reasons),
        forms_started=started,
        forms_completed=completed,
        costs=costs,
    )


def _dataset(
    files: Sequence[_File], products: Iterable[str] | None, costs: Costs | None
) -> Dataset:
    wanted = None if products is None else tuple(products)
    try:
        return _assemble([f.columns for f in files], wanted, costs)
    except _DeclineError:
        return _from_submissions([f.records() for f in files], wanted, costs)


# -- The readers ------------------------------------------------------------------------------


def load_csv_dataset(
    data: Input,
    catalogue: Catalogue | None = None,
    *,
    name: str | None = None,
    max_bytes: int = MAX_BYTES,
    products: Iterable[str] | None = None,
    costs: Costs | None = None,
) -> Dataset:
    """Read the CSV form (XCH-11, XCH-12) into a :class:`~digimaat.measurement.dataset.Dataset`.

    The result, or the :class:`~digimaat.errors.InputError`, is that of
    ``Dataset.from_offerings(s.offerings, s.municipalities, s.catalogue, products=products,
    costs=costs)`` for ``s = load_csv(data, catalogue, name=name, max_bytes=max_bytes)``:
    ``data``, ``catalogue``, ``name`` and ``max_bytes`` are as in
    :func:`~digimaat.exchange.load_csv`, ``products`` and ``costs`` as in
    :meth:`~digimaat.measurement.dataset.Dataset.from_offerings`.
    """
    with gc_paused():
        text = read_input(data, max_bytes=max_bytes, name=name)
        return _dataset([_csv_file(text, catalogue)], products, costs)


def load_json_dataset(
    data: Input,
    catalogue: Catalogue | None = None,
    *,
    name: str | None = None,
    max_bytes: int = MAX_BYTES,
    max_depth: int = MAX_DEPTH,
    products: Iterable[str] | None = None,
    costs: Costs | None = None,
) -> Dataset:
    """Read a JSON document (XCH-5 to XCH-9) into a :class:`~digimaat.measurement.dataset.Dataset`.

    The result, or the :class:`~digimaat.errors.InputError`, is that of
    ``Dataset.from_offerings(s.offerings, s.municipalities, s.catalogue, products=products,
    costs=costs)`` for ``s = load_json(data, catalogue, name=name, max_bytes=max_bytes,
    max_depth=max_depth)``; the local products of the document are products of the
    dataset like the others.
    """
    check_depth_limit(max_depth)
    with gc_paused():
        text = read_input(data, max_bytes=max_bytes, name=name, kind="document")
        return _dataset([_json_file(text, catalogue, max_depth)], products, costs)


def load_dataset(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]],
    catalogue: Catalogue | None = None,
    *,
    max_bytes: int = MAX_BYTES,
    products: Iterable[str] | None = None,
    costs: Costs | None = None,
) -> Dataset:
    """Read one or more exchange files into one :class:`~digimaat.measurement.dataset.Dataset`.

    Each file is read in the form its extension names, as :func:`~digimaat.exchange.load`
    reads it; every problem of every file is reported together in one
    :class:`~digimaat.errors.InputError`. The dataset is that of the offerings and
    municipalities of all files, with the first file's catalogue and the local products
    of the others added (a municipality in two files is a problem):
    ``Dataset.from_offerings(offerings, municipalities, catalogue, products=products,
    costs=costs)``.
    """
    files = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    if not files:
        raise InvalidValueError("paths", files, "must name at least one file")
    problems: list[Problem] = []
    loaded: list[_File] = []
    with gc_paused():
        for path in files:
            try:
                loaded.append(_load_file(path, catalogue, max_bytes))
            except InputError as exc:
                problems.extend(exc.problems)
        if problems:
            raise InputError(problems)
        return _dataset(loaded, products, costs)


def _load_file(path: str | os.PathLike[str], catalogue: Catalogue | None, max_bytes: int) -> _File:
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix == ".json":
        text = read_input(file, max_bytes=max_bytes, name=None, kind="document")
        return _json_file(text, catalogue, MAX_DEPTH)
    if suffix == ".csv":
        return _csv_file(read_input(file, max_bytes=max_bytes, name=None), catalogue)
    raise unknown_extension(path)
