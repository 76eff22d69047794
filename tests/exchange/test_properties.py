"""Property tests of the exchange formats, grouped by clause (XCH-2, XCH-9, XCH-14, XCH-16).

The readers are fuzzed with arbitrary JSON values, arbitrary text and bytes, and with
valid files changed at random: whatever the input, a reader returns a submission or
raises a ``DigimaatError``, never another exception. Round trips are checked on
generated submissions.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import DigimaatError, InputError
from digimaat.exchange import COLUMNS, REQUIRED_COLUMNS, Submission, load
from digimaat.exchange.writers import dumps_csv, dumps_json, format_number
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.profiles import builtin_profile
from digimaat.units import TIME_UNITS, rate_factor, registry
from digimaat.vocabulary.channels import Channel
from digimaat.vocabulary.offerings import MAX_VOLUME, MIN_VOLUME
from tests.exchange.strategies import CELLS, PATHS, damaged, json_values, rates, submissions
from tests.exchange.support import (
    BASE,
    CATALOGUE,
    HEADER,
    PARKING,
    ROWS,
    SCHEMA,
    read_csv,
    read_json,
    text,
    with_offering,
)

pytestmark = pytest.mark.property

# --- XCH-14: round trips ---------------------------------------------------------------------


@given(submissions())
def test_json_round_trip(submission: Submission) -> None:
    """XCH-14: A submission read from a file, written, and read again, is the same submission."""
    written = dumps_json(submission)
    again = read_json(written, CATALOGUE)
    assert again == submission
    assert dumps_json(again) == written


@given(submissions(csv=True), st.booleans())
def test_csv_json_csv_round_trip(submission: Submission, dutch: bool) -> None:
    """XCH-14: CSV → records → JSON → records → CSV gives the same records and the same text."""
    written = dumps_csv(submission, dutch=dutch)
    from_csv = read_csv(written, CATALOGUE)
    assert from_csv == submission
    from_json = read_json(dumps_json(from_csv), CATALOGUE)
    assert from_json == from_csv
    assert dumps_csv(from_json, dutch=dutch) == written


@given(submissions(), st.randoms(use_true_random=False))
def test_the_order_of_records_carries_no_meaning(
    submission: Submission, rnd: random.Random
) -> None:
    """XCH-1: two files with the same records in another order hold the same submission."""
    document = json.loads(dumps_json(submission))
    for key in ("municipalities", "local_products", "offerings"):
        if key in document:
            rnd.shuffle(document[key])
        for record in document.get(key, []):
            items = list(record.items())
            rnd.shuffle(items)
            record.clear()
            record.update(items)
    assert read_json(json.dumps(document), CATALOGUE) == submission


def _split(submission: Submission, files: int, rnd: random.Random, form: str) -> list[Any]:
    """The submission as several files, each with some of its municipalities (at least one)
    and their offerings; every JSON file defines the local products."""
    codes = [m.cbs_code for m in submission.municipalities]
    rnd.shuffle(codes)
    groups = [codes[k::files] for k in range(files)]
    if form == "json":
        document = json.loads(dumps_json(submission))
        out: list[Any] = []
        for k, group in enumerate(groups):
            part = dict(document)
            part["municipalities"] = [
                m for m in document["municipalities"] if m["cbs_code"] in group
            ]
            part["offerings"] = [o for o in document["offerings"] if o["municipality"] in group]
            out.append((f"part-{k}.json", part))
        return out
    header, *rows = csv.reader(io.StringIO(dumps_csv(submission), newline=""))
    column = header.index("cbs_code")
    return [
        (f"part-{k}.csv", [header] + [r for r in rows if r[column] in group])
        for k, group in enumerate(groups)
    ]


def _shuffled(files: list[Any], rnd: random.Random, form: str) -> list[Any]:
    """The same files in another order, each with its records (and members) in another."""
    out = []
    for name, content in files:
        if form == "json":
            content = json.loads(json.dumps(content))
            for key in ("municipalities", "local_products", "offerings"):
                rnd.shuffle(content.get(key, []))
                for record in content.get(key, []):
                    items = list(record.items())
                    rnd.shuffle(items)
                    record.clear()
                    record.update(items)
        else:
            header, *rows = content
            rnd.shuffle(rows)
            content = [header, *rows]
        out.append((name, content))
    rnd.shuffle(out)
    return out


def _opened(files: list[Any], form: str) -> list[io.BytesIO]:
    opened = []
    for name, content in files:
        if form == "json":
            text = json.dumps(content)
        else:
            written = io.StringIO()
            csv.writer(written, lineterminator="\r\n").writerows(content)
            text = written.getvalue()
        handle = io.BytesIO(text.encode("utf-8"))
        handle.name = name
        opened.append(handle)
    return opened


def _outcome_of(files: list[Any], form: str) -> Any:
    try:
        return load(*_opened(files, form), catalogue=CATALOGUE)
    except InputError as exc:
        return exc


@given(st.data(), st.sampled_from(["json", "csv"]), st.randoms(use_true_random=False))
def test_any_permutation_of_files_and_records_gives_the_same_results(
    data: st.DataObject, form: str, rnd: random.Random
) -> None:
    """XCH-7, XCH-14, AGG-1: Reading any permutation of a file's records, or of several
    files, gives the same submission; the result MUST NOT depend on the order in which the
    files are given. The same submission gives the same dataset arrays and the same score
    cards, per product and per request."""
    submission = data.draw(submissions(csv=form == "csv"))
    files = _split(submission, data.draw(st.integers(1, len(submission.municipalities))), rnd, form)
    first, second = _outcome_of(files, form), _outcome_of(_shuffled(files, rnd, form), form)
    assert not isinstance(first, InputError), str(first)
    assert first == second
    a, b = first.dataset(), second.dataset()
    for field in attrs.fields(Dataset):
        left, right = getattr(a, field.name), getattr(b, field.name)
        if isinstance(left, np.ndarray):
            assert np.array_equal(left, right, equal_nan=left.dtype.kind == "f"), field.name
        elif field.name != "_derived":
            assert left == right, field.name
    for name in ("digimaat-standard", "digimaat-volume"):
        profile = builtin_profile(name)
        assert profile.score(a).cards() == profile.score(b).cards()


BREAKS = {"status": "sold-out", "fee_applies": "maybe", "capabilities": ["teleportation"]}


def _problems(outcome: Any) -> list[tuple[Any, ...]]:
    assert isinstance(outcome, InputError)
    return [(p.source, p.field, repr(p.value), p.message, p.clause) for p in outcome.problems]


def _place(location: str | None) -> tuple[int, ...]:
    """The order of a location in its file: a row, or a JSON pointer's table and record."""
    if location is None:
        return (0,)
    if location.startswith("row "):
        return (int(location.split(",")[0].split()[1]),)
    parts = location.split("/")
    tables = {"municipalities": 2, "local_products": 3, "offerings": 4}
    return (tables.get(parts[1], 1), int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else 0)


@given(st.data(), st.sampled_from(["json", "csv"]), st.randoms(use_true_random=False))
def test_any_permutation_gives_the_same_problems_in_file_order(
    data: st.DataObject, form: str, rnd: random.Random
) -> None:
    """XCH-2, XCH-14: any permutation gives problems that differ only in their locations;
    they are reported in the order of the files (by name) and, in each file, in the order
    of its records."""
    submission = data.draw(submissions(csv=form == "csv"))
    if not submission.offerings:
        return
    files = _split(submission, data.draw(st.integers(1, len(submission.municipalities))), rnd, form)
    broken = 0
    for _, content in files:
        if form == "json":
            for record in content["offerings"]:
                if rnd.random() < 0.5:
                    key = rnd.choice(sorted(BREAKS))
                    record[key] = BREAKS[key]
                    broken += 1
        else:
            header = content[0]
            for cells in content[1:]:
                if cells[header.index("product")] and rnd.random() < 0.5:
                    cells[header.index("status")] = "sold-out"
                    broken += 1
    if not broken:
        return
    first, second = _outcome_of(files, form), _outcome_of(_shuffled(files, rnd, form), form)
    assert sorted(_problems(first)) == sorted(_problems(second))
    for outcome in (first, second):
        sources = [p.source for p in outcome.problems]
        assert sources == sorted(sources)
        for source in set(sources):
            places = [_place(p.location) for p in outcome.problems if p.source == source]
            assert places == sorted(places)


# --- XCH-16: the schema ------------------------------------------------------------------------

VALIDATOR = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


@given(submissions())
def test_written_documents_validate_against_the_schema(submission: Submission) -> None:
    """XCH-16: Every document a writer writes MUST validate against it."""
    errors = [e.message for e in VALIDATOR.iter_errors(json.loads(dumps_json(submission)))]
    assert errors == []


# --- XCH-9: rates --------------------------------------------------------------------------

UNITS = (
    ("/year", "year"),
    ("per month", "month"),
    ("per week", "week"),
    ("requests / day", "day"),
    ("contacts per hour", "hour"),
    ("1/a", "a"),
    ("/yr", "yr"),
)
"""Rate units, each with the unit of time the unit registry names it by."""


def web_volume(form: str, volume: Any) -> float:
    """The web volume of Vlaardingen's parking permit, read from a file in ``form``: "json",
    "csv", or "csv-nl" (separated by ';', with a decimal comma)."""
    if form == "json":
        submission = read_json(text(with_offering(0, volumes={"web": volume})), CATALOGUE)
    else:
        separator = ";" if form == "csv-nl" else ","
        cells = ("2024", "GM0622", "Vlaardingen", "74124", "2021", PARKING, volume)
        lines = [(*REQUIRED_COLUMNS, "volume_web"), cells]
        data = "".join(separator.join(line) + "\n" for line in lines)
        submission = read_csv(data, CATALOGUE)
    (offering,) = [o for o in submission.offerings if o.product == PARKING]
    assert offering.volumes is not None
    return offering.volumes.per_year()["web"]


@given(st.integers(0, 10**12) | st.floats(0, 1e12, allow_nan=False), st.sampled_from(UNITS))
def test_a_rate_is_the_number_times_the_requests_per_year_of_its_unit(
    number: float, unit: tuple[str, str]
) -> None:
    """XCH-9: The volume is the number times the requests per year of one unit of the rate
    unit, as OFF-12 defines them (exactly what the unit registry computes), in every form;
    OFF-14: a volume above 1e12 requests a year, or below 1e-6 but not 0, is refused."""
    written, time = unit
    one = registry().Quantity(1.0, f"request / {time}").to("request / year").magnitude
    expected = number * float(one)
    text_form = f"{number!r} {written}"
    readings = {
        "json text": lambda: web_volume("json", text_form),
        "json object": lambda: web_volume("json", {"value": number, "unit": written}),
        "csv": lambda: web_volume("csv", text_form),
        "csv-nl": lambda: web_volume("csv-nl", text_form.replace(".", ",")),
    }
    for name, read in readings.items():
        if expected == 0 or MIN_VOLUME <= expected <= MAX_VOLUME:
            assert read() == expected, name
        else:
            with pytest.raises(InputError) as info:
                read()
            assert [p.clause for p in info.value.problems] == ["OFF-14"], name


@given(rates)
def test_the_written_number_reads_back_exactly(value: float) -> None:
    """XCH-10: the number is written in the shortest form that reads back as the same double."""
    assert web_volume("json", format_number(value) + "/year") == value
    assert web_volume("csv", format_number(value) + "/year") == value
    assert web_volume("csv-nl", format_number(value, True) + "/year") == value


def test_the_table_of_time_units_agrees_with_the_registry() -> None:
    """XCH-9: the time units convert exactly as the unit registry converts them; their Dutch
    names as their English ones; nothing else is a time unit."""
    ureg = registry()
    for unit, (names, factor) in TIME_UNITS.items():
        if unit == "quarter":  # not a unit of pint: three months
            expected = float(ureg.Quantity(1.0, "request / month").to("request / year").m) / 3
        else:
            expected = float(ureg.Quantity(1.0, f"request / {unit}").to("request / year").m)
        assert factor == expected, unit
        for name in names:
            assert rate_factor(f"/{name}") == rate_factor(f"per {name.upper()}") == factor, name
    for name in ("minute", "decade", "fortnight", "s", "(2 years)", "year * 2", "month**-1"):
        with pytest.raises(DigimaatError):
            rate_factor(f"per {name}")


# --- XCH-2: the readers fail only with their documented error --------------------------------


def reads_or_refuses(read: Any, data: Any) -> None:
    """Reading returns a Submission or raises a DigimaatError; any other exception fails.

    XCH-2: each problem names the clause that the value breaks, a clause of the
    specification (CNF-9 compares them)."""
    try:
        result = read(data, CATALOGUE)
    except InputError as exc:
        unknown = [str(p) for p in exc.problems if p.clause not in SPEC_CLAUSES]
        assert unknown == [], unknown
        return
    except DigimaatError:
        return
    assert isinstance(result, Submission)


SPECS = Path(__file__).resolve().parents[2] / "specs"
SPEC_CLAUSES = frozenset(
    re.findall(
        r"\*\*([A-Z]{3}-[0-9]+(?:\.[0-9]+)?)\.\*\*",
        "".join(p.read_text(encoding="utf-8") for p in SPECS.glob("[0-9][0-9]-*.md")),
    )
)
"""Every clause of the specification (INT-7)."""


@given(json_values)
def test_json_reader_refuses_arbitrary_json_cleanly(value: Any) -> None:
    """XCH-2: A reader MUST NOT fail with any error other than its documented error for bad
    input, whatever the input."""
    reads_or_refuses(read_json, json.dumps(value))


@given(st.lists(st.tuples(st.sampled_from(PATHS), json_values), min_size=1, max_size=4))
def test_json_reader_refuses_damaged_documents_cleanly(
    changes: list[tuple[tuple[Any, ...], Any]],
) -> None:
    """XCH-2: A reader MUST NOT fail with any error other than its documented error for bad
    input, whatever the input."""
    document = damaged(json.loads(text(BASE)), changes)
    reads_or_refuses(read_json, json.dumps(document))


@given(st.text(max_size=300))
def test_json_reader_refuses_arbitrary_text_cleanly(data: str) -> None:
    """XCH-2: A reader MUST NOT fail with any error other than its documented error for bad
    input, whatever the input."""
    reads_or_refuses(read_json, data)


@given(st.binary(max_size=300))
def test_readers_refuse_arbitrary_bytes_cleanly(data: bytes) -> None:
    """XCH-2: A reader MUST NOT fail with any error other than its documented error for bad
    input, whatever the input."""
    reads_or_refuses(read_json, data)
    reads_or_refuses(read_csv, data)


@given(st.text(max_size=300))
def test_csv_reader_refuses_arbitrary_text_cleanly(data: str) -> None:
    """XCH-2: A reader MUST NOT fail with any error other than its documented error for bad
    input, whatever the input."""
    reads_or_refuses(read_csv, data)


@given(
    st.lists(st.sampled_from([*COLUMNS, "volume_email", "bogus"]), min_size=1, max_size=12),
    st.lists(st.lists(CELLS, max_size=14), max_size=5),
    st.sampled_from([",", ";"]),
)
def test_csv_reader_refuses_damaged_forms_cleanly(
    header: list[str], rows: list[list[str]], separator: str
) -> None:
    """XCH-2: A reader MUST NOT fail with any error other than its documented error for bad
    input, whatever the input."""
    lines = [separator.join(header), *(separator.join(r) for r in rows)]
    reads_or_refuses(read_csv, "\n".join(lines))


@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 17), CELLS), max_size=4))
def test_csv_reader_refuses_changed_cells_cleanly(changes: list[tuple[int, int, str]]) -> None:
    """XCH-2: A reader MUST NOT fail with any error other than its documented error for bad
    input, whatever the input."""
    rows = [r.split(",") for r in ROWS]
    for row, column, cell in changes:
        rows[row][column] = cell
    data = "\n".join([HEADER, *(",".join(r) for r in rows)])
    reads_or_refuses(read_csv, data)


def test_a_channel_is_listed_in_canonical_order() -> None:
    """XCH-10: channels in the order of CHN-4, whatever the order in the input."""
    submission = read_json(
        text(
            {
                **BASE,
                "offerings": [
                    {
                        "municipality": "GM0622",
                        "product": "paspoort",
                        "volumes": {"chat": "1/year", "balie": "2/year"},
                    }
                ],
            }
        ),
        CATALOGUE,
    )
    assert submission.offerings[0].volumes is not None
    assert submission.offerings[0].volumes.channels == (Channel.BALIE, Channel.CHAT)
    assert '"volumes": {"balie": "2/year", "chat": "1/year"}' in dumps_json(submission)
