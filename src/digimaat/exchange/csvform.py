"""The CSV form of a submission: one row per offering (specification chapter XCH).

The CSV form is meant to be filled in with a spreadsheet. Each row holds one offering
and repeats its municipality; a row with an empty ``product`` lists a municipality that
has no offering. A Dutch spreadsheet export is read as it is: ``;`` as the separator
with a decimal comma, and a byte order mark (XCH-12). Local products are not defined in
CSV: a row may name one only when the catalogue passed to :func:`load_csv` holds it.

>>> from digimaat.exchange import load_csv, dump_csv
>>> text = '''reference_year;cbs_code;municipality_name;population;population_year;product;\
capabilities;volume_unit;volume_balie;volume_web
... 2024;GM0622;Vlaardingen;74.124;2021;parkeervergunning;information-online|downloadable-form;\
per month;58,5;2
... '''
>>> submission = load_csv(text)
>>> submission.municipalities[0].population, submission.offerings[0].volumes.per_year()
(74124, {'balie': 702.0, 'web': 24.0})
>>> load_csv(dump_csv(submission)) == submission
True
"""

from __future__ import annotations

import csv
import io
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any, Final

from digimaat.errors import InputError, InvalidValueError, Problem
from digimaat.exchange._common import (
    MAX_BYTES,
    NO_VALUE,
    ExchangeError,
    Fault,
    FieldParser,
    Input,
    Text,
    format_number,
    gc_paused,
    read_input,
)
from digimaat.exchange.documents import _CAPABILITY_ORDER, _CODE, Submission
from digimaat.vocabulary.channels import CHANNELS, Channel
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import FormFunnel, Offering, Status, Volumes
from digimaat.vocabulary.products import Catalogue, reference_catalogue

__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "dump_csv", "load_csv"]

_VOLUME_COLUMNS = tuple(f"volume_{channel.value}" for channel in CHANNELS)

COLUMNS: Final[tuple[str, ...]] = (
    "reference_year",
    "cbs_code",
    "municipality_name",
    "population",
    "population_year",
    "product",
    "status",
    "capabilities",
    "authentication",
    "local_target",
    "local_target_reason",
    "fee_applies",
    "volume_unit",
    *_VOLUME_COLUMNS,
    "forms_started",
    "forms_completed",
    "source",
)
"""The columns of the CSV form, in the order a writer writes them (XCH-11)."""

REQUIRED_COLUMNS: Final[tuple[str, ...]] = (
    "reference_year",
    "cbs_code",
    "municipality_name",
    "population",
    "population_year",
    "product",
)
"""The columns every CSV file must have; the others may be left out (XCH-11)."""

_OFFERING_COLUMNS = tuple(c for c in COLUMNS[6:] if c != "source")
_TRUE = frozenset({"true", "yes", "ja", "waar"})
_FALSE = frozenset({"false", "no", "nee", "onwaar"})


def _fail(source: str, location: str | None, field: str, value: Any, message: str) -> None:
    raise InputError([Problem(field, value, message, source=source, location=location)])


def _separator(text: str, source: str) -> str:
    """``;`` or ``,``, decided by the header line alone (XCH-12)."""
    header = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]
    semicolon, comma = ";" in header, "," in header
    if semicolon and comma:
        _fail(
            source,
            "row 1",
            "header",
            header.strip(),
            "mixes ';' and ','; the separator must be one of them",
        )
    return ";" if semicolon else ","


def _header(cells: Sequence[str], source: str) -> dict[str, int]:
    """Column name -> position; every header problem is reported together."""
    problems: list[Problem] = []
    positions: dict[str, int] = {}

    def problem(value: Any, message: str) -> None:
        problems.append(Problem("header", value, message, source=source, location="row 1"))

    for position, cell in enumerate(cells):
        name = cell.strip().lower()
        if name.startswith("volume_") and name != "volume_unit":
            try:
                name = "volume_" + Channel.parse(name.removeprefix("volume_"), "header").value
            except InvalidValueError:
                problem(
                    cell,
                    "names an unknown channel; expected volume_ followed by one of: "
                    + ", ".join(c.value for c in CHANNELS),
                )
                continue
        if name not in COLUMNS:
            problem(cell, "is not a column of the CSV form; expected one of: " + ", ".join(COLUMNS))
        elif name in positions:
            problem(cell, f"repeats column {name}")
        else:
            positions[name] = position
    for name in REQUIRED_COLUMNS:
        if name not in positions:
            problem(NO_VALUE, f"lacks the required column {name}")
    if problems:
        raise InputError(problems)
    return positions


def load_csv(
    data: Input,
    catalogue: Catalogue | None = None,
    *,
    name: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Submission:
    """Read the CSV form (XCH-11, XCH-12) into a :class:`~digimaat.exchange.Submission`.

    ``data`` is a path (:class:`pathlib.Path`), the file's bytes or its text (a
    :class:`str` is always the text). Products are resolved in ``catalogue`` (the
    reference catalogue by default), which must hold any local product a row names.
    Rows are numbered as a spreadsheet numbers them: the header is row 1. Every problem
    is reported in one :class:`~digimaat.errors.InputError`.
    """
    return read_text(read_input(data, max_bytes=max_bytes, name=name), catalogue)


def read_text(text: Text, catalogue: Catalogue | None) -> Submission:
    """Read the rows of a CSV file already read and decoded (see :func:`load_csv`)."""
    source = text.source
    separator = _separator(text.text, source)
    cat = reference_catalogue() if catalogue is None else catalogue
    with gc_paused():
        reader = csv.reader(io.StringIO(text.text, newline=""), delimiter=separator, strict=True)
        rows: list[list[str]] = []
        try:
            for row in reader:
                rows.append(row)
        except csv.Error as exc:
            _fail(source, f"row {len(rows) + 1}", "row", NO_VALUE, f"is not valid CSV ({exc})")
        if not rows:  # pragma: no cover - text that is not blank has a row
            _fail(source, None, "file", NO_VALUE, "is empty")
        positions = _header(rows[0], source)
        return _CsvReader(source, cat, positions, separator == ";").read(rows)


_DESCRIPTIVE = (
    "status",
    "capabilities",
    "authentication",
    "local_target",
    "local_target_reason",
    "fee_applies",
)
_MUNICIPAL = ("cbs_code", "municipality_name", "population", "population_year")
_Faults = list[tuple[str, Fault]]


class _CsvReader:
    """Reads the rows of one CSV file, collecting every problem with its row number.

    The cells that describe an offering (status, capabilities, authentication, local
    target, fee) and the cells of a municipality repeat across a national file, so they
    are parsed once per distinct combination of cell texts.
    """

    def __init__(
        self, source: str, catalogue: Catalogue, positions: dict[str, int], decimal_comma: bool
    ) -> None:
        self.source = source
        self.catalogue = catalogue
        self.positions = positions
        self.decimal_comma = decimal_comma
        self.parser = FieldParser(catalogue)
        self.problems: list[Problem] = []

    def add(self, row: int, field: str, value: Any, message: str) -> None:
        self.problems.append(
            Problem(field, value, message, source=self.source, location=f"row {row}")
        )

    def add_faults(self, row: int, faults: _Faults) -> None:
        for field, fault in faults:
            for _, message, value in fault.items:
                self.add(row, field, value, message)

    def read(self, rows: list[list[str]]) -> Submission:
        width = len(rows[0])
        at = self.positions

        def index(name: str) -> int:
            return at.get(name, width)  # a missing column reads as the empty cell at the end

        def getter(names: Sequence[str]) -> Callable[[list[str]], tuple[str, ...]]:
            indices = [index(name) for name in names]
            if len(indices) > 1:
                return operator.itemgetter(*indices)
            return lambda row: tuple(row[i] for i in indices)  # itemgetter(i) is no tuple

        i_year, i_product, i_unit, i_source = (
            index(n) for n in ("reference_year", "product", "volume_unit", "source")
        )
        describing = operator.itemgetter(*(index(n) for n in _DESCRIPTIVE))
        municipal = operator.itemgetter(*(index(n) for n in _MUNICIPAL))
        counting = operator.itemgetter(index("forms_started"), index("forms_completed"))
        volume_channels = tuple(c for c in CHANNELS if f"volume_{c.value}" in at)
        volume_cells = getter([f"volume_{c.value}" for c in volume_channels])
        offering_cells = getter([n for n in _OFFERING_COLUMNS if n in at])
        described: dict[tuple[str, ...], tuple[Any, ...] | _Faults] = {}
        rates: dict[str, dict[str, float | Fault]] = {}  # unit -> cell -> requests per year
        counted: dict[tuple[str, ...], FormFunnel | _Faults | None] = {}
        municipalities: dict[str, tuple[tuple[str, ...], int, Municipality]] = {}
        municipality_cache: dict[tuple[str, ...], Municipality | _Faults] = {}
        seen: dict[tuple[str, str], int] = {}
        offerings: list[Offering] = []
        year: tuple[str, int, int] | None = None  # text, value, row
        first_source: tuple[str, int] | None = None
        product_of = self.parser.product
        problems = self.problems
        add, add_faults = self.add, self.add_faults
        any_rows = False
        for number, row in enumerate(rows[1:], start=2):
            if len(row) != width:
                if not "".join(row).strip():
                    continue  # a blank line
                if len(row) > width:
                    if "".join(row[width:]).strip():
                        any_rows = True
                        add(
                            number, "row", NO_VALUE, f"has {len(row)} cells; the header has {width}"
                        )
                        continue
                    del row[width:]
                else:
                    row.extend([""] * (width - len(row)))  # cells left out at the end are empty
            if not row[i_year].strip() and not "".join(row).strip():
                continue  # a row of empty cells, as a spreadsheet leaves behind
            any_rows = True
            row.append("")
            before = len(problems)
            # The document-wide cells must agree across rows (XCH-11).
            if year is None or row[i_year] != year[0]:
                parsed_year = self._year(number, row[i_year])
                if year is None:
                    if parsed_year is not None:
                        year = (row[i_year], parsed_year, number)
                elif parsed_year is not None and parsed_year != year[1]:
                    add(
                        number,
                        "reference_year",
                        row[i_year],
                        f"differs from the reference year in row {year[2]} ({year[1]})",
                    )
            if first_source is None:
                first_source = (row[i_source], number)
            elif row[i_source] != first_source[0]:
                add(
                    number,
                    "source",
                    row[i_source],
                    f"differs from the source in row {first_source[1]}",
                )
            # The municipality, repeated in every row, must agree with its first row.
            key = municipal(row)
            code = key[0].strip()
            known = municipalities.get(code)
            if known is None or known[0] != key:
                parsed = municipality_cache.get(key)
                if parsed is None:
                    parsed = municipality_cache[key] = self._municipality(key)
                if isinstance(parsed, list):
                    add_faults(number, parsed)
                elif known is None:
                    municipalities[code] = (key, number, parsed)
                elif known[2] != parsed:
                    self._disagree(number, parsed, known[2], known[1])
            product_text = row[i_product].strip()
            if not product_text:
                if any(cell.strip() for cell in offering_cells(row)):
                    add(
                        number,
                        "product",
                        "",
                        "is empty, but other cells of the offering are filled",
                    )
                continue
            product = product_of(product_text)
            if isinstance(product, Fault):
                add_faults(number, [("product", product)])
                product = ""  # the row is dropped below, after its other cells are checked
            description = describing(row)
            parts = described.get(description)
            if parts is None:
                parts = described[description] = self._describe(description)
            if isinstance(parts, list):
                add_faults(number, parts)
                parts = _NO_PARTS
            cells = volume_cells(row)
            volumes = None
            if any(cells):
                found: list[Channel] = []
                values: list[float] = []
                unit = row[i_unit]
                unit_rates = rates.get(unit)
                if unit_rates is None:
                    unit_rates = rates[unit] = {}
                for channel, text in zip(volume_channels, cells, strict=True):
                    if text:
                        value = unit_rates.get(text)
                        if value is None:
                            value = unit_rates[text] = self._rate(text, unit)
                        if isinstance(value, float):
                            found.append(channel)
                            values.append(value)
                        elif value is not _BLANK:
                            add_faults(number, [(f"volume_{channel.value}", value)])
                if found:
                    volumes = Volumes(tuple(found), tuple(values))
            counts = counting(row)
            forms = counted.get(counts, _UNSEEN)
            if forms is _UNSEEN:
                forms = counted[counts] = self._forms(counts)
            if isinstance(forms, list):
                add_faults(number, forms)
            if len(problems) > before:
                continue
            offering_key = (code, product)
            if offering_key in seen:
                add(
                    number,
                    "product",
                    product_text,
                    f"repeats the offering of row {seen[offering_key]} (same municipality "
                    "and product)",
                )
                continue
            seen[offering_key] = number
            # Positional, in the order of Offering's fields: municipality, product, status,
            # capabilities, authentication, local target and its reason, volumes, forms, fee.
            status, capabilities, authentication, target, reason, fee = parts
            try:
                offerings.append(
                    Offering(
                        code,
                        product,
                        status,
                        capabilities,
                        authentication,
                        target,
                        reason,
                        volumes,
                        forms,
                        fee,
                    )
                )
            except InvalidValueError as exc:
                p = exc.problem
                add(number, p.field, p.value, p.message)
        if not any_rows:
            _fail(self.source, None, "file", NO_VALUE, "has a header but no rows")
        if problems:
            raise InputError(problems)
        assert year is not None
        assert first_source is not None
        references = {p.uri for p in self.catalogue.reference_products()}
        local = {o.product for o in offerings} - references
        return Submission(
            year[1],
            tuple(m for _, _, m in municipalities.values()),
            offerings,
            tuple(self.catalogue.get(uri) for uri in local),
            first_source[0] if first_source[0].strip() else None,
            self.catalogue,
        )

    def _disagree(self, number: int, mine: Municipality, first: Municipality, row: int) -> None:
        for field, this, that in (
            ("municipality_name", mine.name, first.name),
            ("population", mine.population, first.population),
            ("population_year", mine.year, first.year),
        ):
            if this != that:
                self.add(
                    number, field, this, f"differs from row {row} ({that!r}) for {first.cbs_code}"
                )

    def _year(self, number: int, text: str) -> int | None:
        if not text.strip():
            self.add(number, "reference_year", text, "is required")
            return None
        parsed = self.parser.integer(text, self.decimal_comma)
        if isinstance(parsed, Fault):
            self.add_faults(number, [("reference_year", parsed)])
            return None
        if not 1800 <= parsed <= 2200:
            self.add(number, "reference_year", text, "must be a calendar year (1800-2200)")
            return None
        return parsed

    def _municipality(self, key: tuple[str, ...]) -> Municipality | _Faults:
        code, name, population, year = key
        faults: _Faults = []
        code = code.strip()
        if not code:
            faults.append(("cbs_code", Fault.one("is required", code)))
        elif not _CODE.fullmatch(code):
            message = "must be 'GM' followed by 4 digits, e.g. 'GM0622'"
            faults.append(("cbs_code", Fault.one(message, code)))
        if not name.strip():
            faults.append(("municipality_name", Fault.one("is required", name)))
        numbers: list[int] = []
        for field, text in (("population", population), ("population_year", year)):
            if not text.strip():
                faults.append((field, Fault.one("is required", text)))
                continue
            parsed = self.parser.integer(text, self.decimal_comma)
            if isinstance(parsed, Fault):
                faults.append((field, parsed))
            else:
                numbers.append(parsed)
        if faults:
            return faults
        try:
            return Municipality(code, name, numbers[0], numbers[1])
        except InvalidValueError as exc:
            p = exc.problem
            field = {"name": "municipality_name", "year": "population_year"}.get(p.field, p.field)
            return [(field, Fault.one(p.message, p.value))]

    def _describe(self, cells: tuple[str, ...]) -> tuple[Any, ...] | _Faults:
        """Status, capabilities, authentication, local target, its reason and the fee."""
        parser = self.parser
        status_text, capability_text, auth_text, target_text, reason, fee_text = cells
        faults: _Faults = []
        parts: list[Any] = []
        for field, text, parse, absent in (
            ("status", status_text, parser.status, Status.OFFERED),
            ("capabilities", capability_text, parser.capability_text, frozenset()),
            ("authentication", auth_text, parser.authentication, None),
            ("local_target", target_text, parser.local_target, None),
            ("fee_applies", fee_text, _boolean, None),
        ):
            value = parse(text.strip()) if text.strip() else absent
            if isinstance(value, Fault):
                faults.append((field, value))
            parts.append(value)
        if faults:
            return faults
        status, capabilities, authentication, target, fee = parts
        return status, capabilities, authentication, target, reason if reason.strip() else None, fee

    def _rate(self, text: str, unit: str) -> float | Fault:
        """A volume cell in requests per year; :data:`_BLANK` for a cell of white space."""
        if text.isspace():
            return _BLANK
        return self.parser.csv_rate(text, self.decimal_comma, unit.strip() or None)

    def _forms(self, cells: tuple[str, ...]) -> FormFunnel | _Faults | None:
        started, completed = (cell.strip() for cell in cells)
        if not started and not completed:
            return None
        faults: _Faults = []
        counts: list[int] = []
        for field, text in (("forms_started", started), ("forms_completed", completed)):
            if not text:
                faults.append(
                    (field, Fault.one("must be filled when the other forms cell is", text))
                )
                continue
            parsed = self.parser.integer(text, self.decimal_comma)
            if isinstance(parsed, Fault):
                faults.append((field, parsed))
            elif parsed < 0:
                faults.append((field, Fault.one("must be a non-negative integer", text)))
            else:
                counts.append(parsed)
        if faults:
            return faults
        try:
            return FormFunnel(counts[0], counts[1])
        except InvalidValueError as exc:
            return [("forms_completed", Fault.one(exc.problem.message, completed))]


def _boolean(text: str) -> bool | Fault:
    """A fee_applies cell (XCH-11)."""
    word = text.lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return Fault.one("must be true or false (or ja/nee, waar/onwaar)", text)


_UNSEEN: Any = object()
_BLANK: Fault = Fault(())
_NO_PARTS: tuple[Any, ...] = (Status.OFFERED, frozenset(), None, None, None, None)


def dump_csv(submission: Submission, *, dutch: bool = False) -> str:
    """Write a submission in the CSV form (XCH-13), rows in the submission's canonical order.

    With ``dutch=True`` the text is written as a Dutch spreadsheet expects it: ``;`` as
    the separator, a decimal comma, and a byte order mark. A ``source`` column is written
    only when the submission has a source. A volume record without any channel cannot
    be written in CSV (XCH-11) and raises :class:`~digimaat.exchange.ExchangeError`.
    """
    if not isinstance(submission, Submission):
        raise ExchangeError(f"dump_csv needs a Submission, got {type(submission).__name__}")
    columns = [c for c in COLUMNS if c != "source" or submission.source is not None]
    out = io.StringIO()
    if dutch:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=";" if dutch else ",", lineterminator="\r\n")
    writer.writerow(columns)
    by_code: dict[str, list[Offering]] = {m.cbs_code: [] for m in submission.municipalities}
    for offering in submission.offerings:
        by_code[offering.municipality].append(offering)
    for municipality in submission.municipalities:
        common = {
            "reference_year": str(submission.reference_year),
            "cbs_code": municipality.cbs_code,
            "municipality_name": municipality.name,
            "population": str(municipality.population),
            "population_year": str(municipality.year),
            "source": submission.source or "",
        }
        rows = [_offering_cells(o, dutch) for o in by_code[municipality.cbs_code]] or [{}]
        for cells in rows:
            merged = {**common, **cells}
            writer.writerow([merged.get(column, "") for column in columns])
    return out.getvalue()


def _offering_cells(offering: Offering, dutch: bool) -> dict[str, str]:
    cells = {
        "product": offering.product,
        "status": offering.status.value,
        "capabilities": "|".join(
            c.value for c in sorted(offering.capabilities, key=_CAPABILITY_ORDER.__getitem__)
        ),
        "authentication": offering.authentication.name if offering.authentication else "",
        "local_target": offering.local_target.label if offering.local_target is not None else "",
        "local_target_reason": offering.local_target_reason or "",
        "fee_applies": "" if offering.fee_applies is None else str(offering.fee_applies).lower(),
    }
    if offering.volumes is not None:
        if not offering.volumes.channels:
            raise ExchangeError(
                f"the offering of {offering.product} in {offering.municipality} has a volume "
                "record without any channel, which the CSV form cannot hold (XCH-11); "
                "write an explicit 0 for a channel, or use the JSON form"
            )
        cells["volume_unit"] = "per year"
        for channel, value in zip(
            offering.volumes.channels, offering.volumes.per_year_values, strict=True
        ):
            cells[f"volume_{channel.value}"] = format_number(value, dutch)
    if offering.forms is not None:
        cells["forms_started"] = str(offering.forms.started)
        cells["forms_completed"] = str(offering.forms.completed)
    return cells
