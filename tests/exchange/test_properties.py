"""Property tests of the exchange formats, grouped by clause (XCH-2, XCH-9, XCH-14, XCH-16).

The readers are fuzzed with arbitrary JSON values, arbitrary text and bytes, and with
valid files changed at random: whatever the input, a reader returns a submission or
raises a ``DigimaatError``, never another exception. Round trips are checked on
generated submissions.
"""

from __future__ import annotations

import json
import math
import random
from typing import Any

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import DigimaatError
from digimaat.exchange import COLUMNS, Submission, dump_csv, dump_json, load_csv, load_json
from digimaat.exchange._common import FieldParser, format_number, parse_rate
from digimaat.units import annual_rate, rate_factor, registry
from digimaat.vocabulary.assurance import Authentication
from digimaat.vocabulary.channels import CHANNELS, Channel
from digimaat.vocabulary.maturity import Capability, MaturityLevel
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import FormFunnel, Offering, Status, Volumes
from digimaat.vocabulary.products import Additions, Product
from tests.exchange.support import BASE, CATALOGUE, HEADER, ROWS, SCHEMA, text

pytestmark = pytest.mark.property

CODES = ("GM0622", "GM0556", "GM0606", "GM1992")
URIS = tuple(p.uri for p in CATALOGUE)
AUTHENTICATIONS = tuple(
    Authentication.from_name(n)
    for n in (
        "none",
        "digid basis",
        "digid low",
        "digid high",
        "eherkenning substantial",
        "eidas high",
        "own-account low",
    )
)

# Free text: any character but surrogates, with a letter first so that it is never blank.
free_text = st.builds(
    str.__add__,
    st.sampled_from("AbÉz"),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=15),
)
rates = st.floats(min_value=0.0, max_value=1.7e308, allow_nan=False, allow_infinity=False)


@st.composite
def volume_records(draw: st.DrawFn, min_channels: int) -> Volumes:
    channels = draw(st.sets(st.sampled_from(CHANNELS), min_size=min_channels))
    return Volumes.from_per_year({c: draw(rates) for c in channels})


@st.composite
def offerings(draw: st.DrawFn, code: str, uri: str, csv: bool) -> Offering:
    """An offering that obeys OFF-1 to OFF-7; ``csv`` keeps volume records non-empty."""
    status = draw(st.sampled_from(list(Status)))
    capabilities = (
        draw(st.frozensets(st.sampled_from(list(Capability))))
        if status is Status.OFFERED
        else frozenset()
    )
    extra = status in (Status.OFFERED, Status.UNKNOWN)
    target = reason = None
    if extra and draw(st.booleans()):
        target, reason = draw(st.sampled_from(list(MaturityLevel))), draw(free_text)
    forms = None
    if extra and draw(st.booleans()):
        started = draw(st.integers(0, 10**9))
        forms = FormFunnel(started, draw(st.integers(0, started)))
    return Offering(
        code,
        uri,
        status,
        capabilities,
        draw(st.none() | st.sampled_from(AUTHENTICATIONS)) if extra else None,
        target,
        reason,
        draw(st.none() | volume_records(1 if csv else 0)) if extra else None,
        forms,
        draw(st.none() | st.booleans()),
    )


@st.composite
def submissions(draw: st.DrawFn, csv: bool = False) -> Submission:
    """A consistent submission of up to three municipalities over the test catalogue.

    With ``csv`` it holds only what the CSV form can hold (XCH-11, XCH-13); otherwise it
    may have a source, local products and volume records without channels.
    """
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True))
    municipalities = [
        Municipality(
            code, draw(free_text), draw(st.integers(1, 10**9)), draw(st.integers(1800, 2200))
        )
        for code in codes
    ]
    local: list[Product] = []
    if not csv:
        for index in range(draw(st.integers(0, 2))):
            additions = draw(
                st.none()
                | st.builds(
                    Additions,
                    required_assurance=st.none() | st.sampled_from(["none", "low", "high"]),
                    physical_presence=st.booleans(),
                    fee_applies=st.none() | st.booleans(),
                    reference_target=st.sampled_from(list(MaturityLevel)),
                    reason=free_text,
                )
            )
            local.append(
                Product.local(f"urn:test:product:{index}", draw(free_text), additions=additions)
            )
    uris = URIS + tuple(p.uri for p in local)
    records = [
        draw(offerings(code, uri, csv))
        for code in codes
        for uri in draw(st.lists(st.sampled_from(uris), unique=True, max_size=4))
    ]
    return Submission.build(
        municipalities,
        records,
        reference_year=draw(st.integers(1800, 2200)),
        source=draw(st.none() | free_text),
        local_products=local,
        catalogue=CATALOGUE,
    )


# --- XCH-14: round trips ---------------------------------------------------------------------


@given(submissions())
def test_json_round_trip(submission: Submission) -> None:
    """XCH-14: A submission read from a file, written, and read again, is the same submission."""
    written = dump_json(submission)
    again = load_json(written, CATALOGUE)
    assert again == submission
    assert dump_json(again) == written


@given(submissions(csv=True), st.booleans())
def test_csv_json_csv_round_trip(submission: Submission, dutch: bool) -> None:
    """XCH-14: CSV → records → JSON → records → CSV gives the same records and the same text."""
    written = dump_csv(submission, dutch=dutch)
    from_csv = load_csv(written, CATALOGUE)
    assert from_csv == submission
    from_json = load_json(dump_json(from_csv), CATALOGUE)
    assert from_json == from_csv
    assert dump_csv(from_json, dutch=dutch) == written


@given(submissions(), st.randoms(use_true_random=False))
def test_the_order_of_records_carries_no_meaning(
    submission: Submission, rnd: random.Random
) -> None:
    """XCH-1: two files with the same records in another order hold the same submission."""
    document = json.loads(dump_json(submission))
    for key in ("municipalities", "local_products", "offerings"):
        if key in document:
            rnd.shuffle(document[key])
        for record in document.get(key, []):
            items = list(record.items())
            rnd.shuffle(items)
            record.clear()
            record.update(items)
    assert load_json(json.dumps(document), CATALOGUE) == submission


# --- XCH-16: the schema ------------------------------------------------------------------------

VALIDATOR = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


@given(submissions())
def test_written_documents_validate_against_the_schema(submission: Submission) -> None:
    """XCH-16: Every document a writer writes MUST validate against it."""
    errors = [e.message for e in VALIDATOR.iter_errors(json.loads(dump_json(submission)))]
    assert errors == []


# --- XCH-9: rates --------------------------------------------------------------------------

UNITS = ("/year", "per month", "per week", "requests / day", "contacts per hour", "1/a", "/yr")


@given(st.integers(0, 10**12) | st.floats(0, 1e12, allow_nan=False), st.sampled_from(UNITS))
def test_a_rate_is_the_number_times_the_requests_per_year_of_its_unit(
    number: float, unit: str
) -> None:
    """XCH-9: The volume is the number times the requests per year of one unit of the rate
    unit, as OFF-12 defines them (exactly what the unit registry computes)."""
    written = f"{number!r} {unit}"
    expected = annual_rate(written)  # pint's conversion of OFF-10 to OFF-12
    assert parse_rate(written, False, None) == expected
    assert FieldParser(CATALOGUE).json_rate({"value": number, "unit": unit}) == expected
    assert parse_rate(written.replace(".", ","), True, None) == expected


@given(rates)
def test_the_written_number_reads_back_exactly(value: float) -> None:
    """XCH-10: the number is written in the shortest form that reads back as the same double."""
    assert parse_rate(format_number(value) + "/year", False, None) == value
    assert parse_rate(format_number(value, True) + "/year", True, None) == value


def test_the_table_of_time_units_agrees_with_the_registry() -> None:
    """XCH-9: the common time units convert exactly as the unit registry converts them."""
    ureg = registry()
    for name in (
        "year",
        "years",
        "a",
        "yr",
        "month",
        "months",
        "week",
        "weeks",
        "day",
        "days",
        "d",
        "hour",
        "hours",
        "h",
        "hr",
    ):
        expected = float(ureg.Quantity(1.0, f"request / {name}").to("request / year").magnitude)
        assert rate_factor(f"/{name}") == expected, name
    assert rate_factor("per Month") == 12.0
    assert math.isclose(rate_factor("per minute"), 365.25 * 24 * 60, rel_tol=1e-15)


# --- XCH-2: the readers fail only with their documented error --------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=25,
)


def reads_or_refuses(read: Any, data: Any) -> None:
    """Reading returns a Submission or raises a DigimaatError; any other exception fails."""
    try:
        result = read(data, CATALOGUE)
    except DigimaatError:
        return
    assert isinstance(result, Submission)


@given(json_values)
def test_json_reader_refuses_arbitrary_json_cleanly(value: Any) -> None:
    """XCH-2: A reader MUST NOT fail with any error other than its documented error for bad
    input, whatever the input."""
    reads_or_refuses(load_json, json.dumps(value))


PATHS = [
    ("reference_year",),
    ("source",),
    ("municipalities",),
    ("municipalities", 0),
    ("municipalities", 0, "population"),
    ("municipalities", 1, "cbs_code"),
    ("offerings",),
    ("offerings", 0),
    ("offerings", 0, "product"),
    ("offerings", 0, "capabilities"),
    ("offerings", 0, "capabilities", 0),
    ("offerings", 0, "volumes"),
    ("offerings", 0, "volumes", "balie"),
    ("offerings", 0, "forms"),
    ("offerings", 0, "authentication"),
    ("offerings", 1, "status"),
    ("offerings", 1, "municipality"),
    ("offerings", 0, "local_target"),
    ("local_products",),
    ("format",),
    ("spec_version",),
]


@given(st.lists(st.tuples(st.sampled_from(PATHS), json_values), min_size=1, max_size=4))
def test_json_reader_refuses_damaged_documents_cleanly(
    changes: list[tuple[tuple[Any, ...], Any]],
) -> None:
    """XCH-2: A reader MUST NOT fail with any error other than its documented error for bad
    input, whatever the input."""
    document = json.loads(text(BASE))
    for path, value in changes:
        node = document
        for step in path[:-1]:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                break
        else:
            if isinstance(node, dict) or (
                isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node)
            ):
                node[path[-1]] = value
    reads_or_refuses(load_json, json.dumps(document))


@given(st.text(max_size=300))
def test_json_reader_refuses_arbitrary_text_cleanly(data: str) -> None:
    """XCH-2: A reader MUST NOT fail with any error other than its documented error for bad
    input, whatever the input."""
    reads_or_refuses(load_json, data)


@given(st.binary(max_size=300))
def test_readers_refuse_arbitrary_bytes_cleanly(data: bytes) -> None:
    """XCH-2: A reader MUST NOT fail with any error other than its documented error for bad
    input, whatever the input."""
    reads_or_refuses(load_json, data)
    reads_or_refuses(load_csv, data)


@given(st.text(max_size=300))
def test_csv_reader_refuses_arbitrary_text_cleanly(data: str) -> None:
    """XCH-2: A reader MUST NOT fail with any error other than its documented error for bad
    input, whatever the input."""
    reads_or_refuses(load_csv, data)


CELLS = st.sampled_from(
    [
        "",
        " ",
        "2024",
        "GM0622",
        "GM0556",
        "gm06",
        "Vlaardingen",
        "74124",
        "74.124",
        "-1",
        "0",
        "1e400",
        "parkeervergunning",
        "paspoort",
        "urn:x",
        "offered",
        "not-offered",
        "unknown",
        "information-online|downloadable-form",
        "chatbot",
        "digid low",
        "DigiD Ultra",
        "prefilled",
        "why",
        "ja",
        "maybe",
        "per month",
        "metres",
        "20",
        "20/year",
        "-3/year",
        "nan",
        "1,5",
        "1.000,5",
        '"',
        "\x00",
        "a\nb",
        "12",
        "3",
    ]
) | st.text(max_size=8)


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
    reads_or_refuses(load_csv, "\n".join(lines))


@given(st.lists(st.tuples(st.integers(0, 1), st.integers(0, 17), CELLS), max_size=4))
def test_csv_reader_refuses_changed_cells_cleanly(changes: list[tuple[int, int, str]]) -> None:
    """XCH-2: A reader MUST NOT fail with any error other than its documented error for bad
    input, whatever the input."""
    rows = [r.split(",") for r in ROWS]
    for row, column, cell in changes:
        rows[row][column] = cell
    data = "\n".join([HEADER, *(",".join(r) for r in rows)])
    reads_or_refuses(load_csv, data)


def test_a_channel_is_listed_in_canonical_order() -> None:
    """XCH-10: channels in the order of CHN-4, whatever the order in the input."""
    submission = load_json(
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
    assert '"volumes": {"balie": "2/year", "chat": "1/year"}' in dump_json(submission)
