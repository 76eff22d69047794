"""Limits and hostile input of the exchange formats (XCH-2, XCH-4, SEC-4, SEC-5).

Problem storms: a reader keeps at most a limit of problems, the first ones in the order of
the file, and counts the rest without building them. The memory and the time of a storm
of millions of problems are measured in ``tests/test_scale.py``.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.cli import EXIT_ERROR, EXIT_FINDINGS, main
from digimaat.errors import MAX_PROBLEMS, InputError
from digimaat.exchange import Limits, loads
from tests.exchange.support import CATALOGUE

# -- Problem storms (XCH-2, XCH-4) -------------------------------------------------------

STORM_HEADER = (
    "reference_year,cbs_code,municipality_name,population,population_year,product,status,"
    "fee_applies,volume_web"
)
BAD_CELLS = {"status": "sold-out", "fee_applies": "maybe", "volume_web": "-3/year"}
"""A bad value of three fields; each breaks its own rule (OFF-2, OFF-7, OFF-14)."""


def storm(form: str, rows: int, bad: tuple[str, ...]) -> str:
    """A file whose every offering has a problem in each field of ``bad``."""
    products = [p.uri for p in CATALOGUE]
    if form == "csv":
        lines = [STORM_HEADER]
        for k in range(rows):
            cells = [BAD_CELLS[f] if f in bad else "" for f in BAD_CELLS]
            code = f"GM{k // len(products) + 1:04d}"
            lines.append(f"2024,{code},Gemeente,1000,2021,{products[k % len(products)]},")
            lines[-1] += ",".join(cells)
        return "\n".join(lines) + "\n"
    json_value = {"status": "sold-out", "fee_applies": "maybe", "volumes": {"web": "-3/year"}}
    offerings = []
    for k in range(rows):
        record: dict[str, Any] = {
            "municipality": f"GM{k // len(products) + 1:04d}",
            "product": products[k % len(products)],
        }
        for field in bad:
            key = "volumes" if field == "volume_web" else field
            record[key] = json_value[key]
        offerings.append(record)
    codes = sorted({o["municipality"] for o in offerings})
    return json.dumps(
        {
            "format": "digimaat-offerings",
            "spec_version": "1.0",
            "reference_year": 2024,
            "municipalities": [
                {"cbs_code": c, "name": "Gemeente", "population": 1000, "year": 2021} for c in codes
            ],
            "offerings": offerings,
        },
        indent=1,
    )


def refused(text: str, form: str, limit: int) -> InputError:
    with pytest.raises(InputError) as caught:
        loads(text, form=form, catalogue=CATALOGUE, limits=Limits(max_problems=limit))
    return caught.value


@pytest.mark.property
@given(
    form=st.sampled_from(["json", "csv"]),
    rows=st.integers(1, 40),
    bad=st.lists(st.sampled_from(sorted(BAD_CELLS)), min_size=1, max_size=3, unique=True),
    limit=st.integers(1, 30),
)
def test_beyond_the_limit_problems_are_counted_not_kept(
    form: str, rows: int, bad: list[str], limit: int
) -> None:
    """XCH-2: A reader keeps at most a limit of problems (XCH-4); it MUST count the problems
    beyond it, without keeping them, and say how many there were. The problems kept are the
    first ones in the order of the file, whichever field finds them."""
    text = storm(form, rows, tuple(bad))
    every = refused(text, form, 10**6)
    assert every.more == 0
    assert len(every.problems) == rows * len(bad)
    some = refused(text, form, limit)
    kept = min(limit, rows * len(bad))
    assert len(some.problems) == kept
    assert some.more == rows * len(bad) - kept
    assert some.problems == every.problems[:kept]
    if some.more:
        assert f"({some.more:,} more not shown)" in str(some)


def test_the_default_limit_keeps_a_thousand_problems() -> None:
    """XCH-4: problems kept per read: 1,000 by default; the rest are counted."""
    error = refused(storm("csv", 1500, ("status",)), "csv", MAX_PROBLEMS)
    assert (len(error.problems), error.more) == (1000, 500)
    assert str(error).startswith("1,500 problems found; the first 1,000 are shown (500 more")
    with pytest.raises(InputError) as caught:
        loads(storm("json", 1500, ("status",)), form="json", catalogue=CATALOGUE)
    assert (len(caught.value.problems), caught.value.more) == (1000, 500)


def test_the_command_line_sets_the_limit(tmp_path: Any) -> None:
    """XCH-4: An implementation MAY let its caller set other limits: ``--max-problems``."""
    path = tmp_path / "storm.csv"
    path.write_text(storm("csv", 50, ("status", "fee_applies")), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", str(path), "--max-problems", "7", "--format", "json"], out, err)
    assert code == EXIT_FINDINGS
    report = json.loads(out.getvalue())
    assert (len(report["problems"]), report["more"], report["findings"]) == (7, 93, 100)
    out = io.StringIO()
    assert main(["validate", str(path), "--max-problems", "7"], out, err) == EXIT_FINDINGS
    assert "100 problems found (93 not shown)" in out.getvalue()
    for bad in ("0", "-1", "many"):
        err = io.StringIO()
        assert main(["validate", str(path), "--max-problems", bad], out, err) == EXIT_ERROR
        assert "--max-problems" in err.getvalue()


def test_a_limit_must_be_a_positive_whole_number() -> None:
    """XCH-4: the limits are positive whole numbers; anything else is refused."""
    from digimaat.errors import InvalidValueError

    for bad in (0, -1, 1.5, True, "10", None):
        with pytest.raises(InvalidValueError, match="max_problems"):
            Limits(max_problems=bad)  # type: ignore[arg-type]


def test_a_header_problem_does_not_hide_the_rows() -> None:
    """XCH-2: A problem in a CSV header does not hide the problems of the rows that can
    still be checked."""
    text = storm("csv", 3, ("status",)).replace("fee_applies", "fee_aplies", 1)
    error = refused(text, "csv", 100)
    fields = [(p.location, p.field) for p in error.problems]
    assert fields[0] == ("row 1, column H", "header")
    assert [f for f in fields if f[1] == "status"] == [
        (f"row {k}, column G", "status") for k in (2, 3, 4)
    ]


# -- Text (XCH-4, XCH-17, SEC-6) ------------------------------------------------------------

LINE_BREAKS = "\t\n\r"
"""Allowed in the texts that may hold several lines: reasons, sources and notes (XCH-4)."""
FORBIDDEN = (
    [chr(c) for c in range(0x20) if chr(c) not in LINE_BREAKS]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
    + ["\ud800", "\udbff", "\udc00", "\udfff", "\ufffe", "\uffff"]
)
"""Characters no text field may hold: C0 and C1 controls, bidirectional embeddings,
overrides and isolates, surrogates, the noncharacters U+FFFE and U+FFFF."""


def _json_with(field: str, text: str) -> tuple[str, str]:
    """A document with ``text`` in one text field (escaped as JSON writes it), and where."""
    document: dict[str, Any] = {
        "format": "digimaat-offerings",
        "spec_version": "1.0",
        "reference_year": 2024,
        "municipalities": [
            {"cbs_code": "GM0622", "name": "Vlaardingen", "population": 74124, "year": 2021}
        ],
        "local_products": [
            {"uri": "urn:gm0622:product:x", "name": "x", "fee_applies": True, "reason": "r"}
        ],
        "offerings": [
            {
                "municipality": "GM0622",
                "product": "paspoort",
                "local_target": "prefilled",
                "local_target_reason": "r",
            }
        ],
    }
    places = {
        "source": (document, "source", "/source"),
        "municipality name": (document["municipalities"][0], "name", "/municipalities/0/name"),
        "product name": (document["local_products"][0], "name", "/local_products/0/name"),
        "product reason": (document["local_products"][0], "reason", "/local_products/0/reason"),
        "notes": (document["offerings"][0], "notes", "/offerings/0/notes"),
        "reason": (
            document["offerings"][0],
            "local_target_reason",
            "/offerings/0/local_target_reason",
        ),
    }
    record, key, pointer = places[field]
    record[key] = text
    return json.dumps(document), pointer  # ensure_ascii: every character as an escape


SHEET_FIELDS = {
    "source": ("source", "N"),
    "municipality name": ("municipality_name", "C"),
    "product name": ("local_name", "G"),
    "product reason": ("local_reason", "H"),
    "notes": ("notes", "M"),
    "reason": ("local_target_reason", "L"),
}
_SHEET_HEADER = [
    "reference_year",
    "cbs_code",
    "municipality_name",
    "population",
    "population_year",
    "product",
    "local_name",
    "local_reason",
    "local_fee_applies",
    "status",
    "local_target",
    "local_target_reason",
    "notes",
    "source",
]


def _sheet_rows(field: str, text: str) -> list[list[Any]]:
    row: list[Any] = [2024, "GM0622", "Vlaardingen", 74124, 2021, "urn:gm0622:product:x"]
    row += ["x", "r", "true", "offered", "prefilled", "r", "n", "s"]
    row[_SHEET_HEADER.index(SHEET_FIELDS[field][0])] = text
    return [_SHEET_HEADER, row]


def _csv_with(field: str, text: str) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(_sheet_rows(field, text))
    return out.getvalue().encode("utf-8")


def _xlsx_with(field: str, text: str) -> bytes:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    for row in _sheet_rows(field, text):
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


MULTILINE = frozenset({"source", "product reason", "notes", "reason"})


@pytest.mark.property
@given(
    form=st.sampled_from(["json", "csv", "xlsx"]),
    field=st.sampled_from(sorted(SHEET_FIELDS)),
    character=st.sampled_from(FORBIDDEN + list(LINE_BREAKS)),
)
def test_every_text_field_of_every_form_refuses_what_a_terminal_acts_on(
    form: str, field: str, character: str
) -> None:
    """XCH-4: A text field (a name, a reason, a source, notes) MUST NOT hold control
    characters (C0 and C1; tab, line feed and carriage return are allowed in the fields that
    may hold several lines: reasons, sources and notes), bidirectional embeddings, overrides
    or isolates, surrogate code points, or the noncharacters U+FFFE and U+FFFF. JSON and the
    CSV form accept exactly the same values: so does a workbook."""
    text = f"a{character}b"
    if form != "json" and "\ud800" <= character <= "\udfff":
        return  # no UTF-8 text, CSV or workbook can hold a lone surrogate (XCH-3)
    if form == "xlsx" and (
        character in "\ufffe\uffff" or (ord(character) < 0x20 and character not in LINE_BREAKS)
    ):
        return  # XML 1.0 cannot hold these: a workbook's format refuses them itself
    if form == "json":
        data: str | bytes
        data, location = _json_with(field, text)
    else:
        data = (_csv_with if form == "csv" else _xlsx_with)(field, text)
        location = f"row 2, column {SHEET_FIELDS[field][1]}"
    accepted = character in LINE_BREAKS and field in MULTILINE
    if form == "xlsx":  # XML reads a carriage return as a line feed (its end-of-line rule)
        text = text.replace("\r", "\n")
    if accepted:
        submission = loads(data, form=form)
        kept = {
            "source": submission.source,
            "municipality name": submission.municipalities[0].name,
            "product name": submission.local_products[0].name if submission.local_products else "",
            "product reason": (
                submission.local_products[0].additions.reason if submission.local_products else ""
            ),
            "notes": submission.offerings[0].notes,
            "reason": submission.offerings[0].local_target_reason,
        }
        assert kept[field] == text
        return
    with pytest.raises(InputError) as caught:
        loads(data, form=form)
    problems = [(p.location, p.clause, p.value) for p in caught.value.problems]
    assert problems == [(location, "XCH-4", text)], problems
    assert "\\" in str(caught.value)  # shown escaped (XCH-2)
    for character_shown in FORBIDDEN:
        assert character_shown not in str(caught.value)


def _standard_toml(key: str, text: str) -> str:
    """The standard profile's TOML file renamed, with ``text`` as the value of ``key``."""
    from importlib import resources

    toml = (resources.files("digimaat.data.profiles") / "digimaat-standard.toml").read_text()
    value = _toml_string(text)
    top = {"name": 'name = "mine"', "description": 'description = "d"'}
    if key != "metric title":
        top[key] = f"{key} = {value}"
    out: list[str] = []
    section = ""
    for line in toml.splitlines():
        if line.startswith("reference attainment"):
            continue  # the second line of the description, replaced as a whole
        if line.startswith("["):
            section = line
        name = line.split(" = ", 1)[0]
        if not section and name in top:
            line = top[name]
        elif key == "metric title" and section == "[[metrics]]" and name == "title":
            line, key = f"title = {value}", ""
        out.append(line)
    return "\n".join(out) + "\n"


def _toml_string(text: str) -> str:
    """A TOML basic string: every character outside printable ASCII as an escape."""
    return (
        '"'
        + "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\u{ord(c):04x}" for c in text)
        + '"'
    )


@pytest.mark.property
@given(
    form=st.sampled_from(["json", "toml"]),
    key=st.sampled_from(["name", "version", "title", "description", "metric title"]),
    character=st.sampled_from(FORBIDDEN + list(LINE_BREAKS)),
)
def test_a_profile_file_refuses_what_a_terminal_acts_on(
    form: str, key: str, character: str
) -> None:
    """XCH-4, PRF-7: the texts of a profile file (its name, version, title, description and
    the titles of its metrics) follow the rule of texts, in JSON and in TOML alike; only the
    description may hold several lines."""
    from digimaat.exchange.profiles import loads_profile
    from digimaat.measurement.profiles import standard_profile

    data = standard_profile().to_dict()
    data["name"] = "mine"
    text = f"a{character}b"
    if key == "metric title":
        data["metrics"][0]["title"] = text
        pointer = "/metrics/0/title"
    else:
        data[key] = text
        pointer = f"/{key}"
    if form == "json":
        document = json.dumps(data)
    else:
        if "\ud800" <= character <= "\udfff":
            return  # TOML escapes only Unicode scalar values: its parser refuses the file
        document = _standard_toml(key, text)
    if character in LINE_BREAKS and key == "description":
        assert loads_profile(document, form=form).description == text
        return
    with pytest.raises(InputError) as caught:
        loads_profile(document, form=form)
    assert [(p.location, p.clause) for p in caught.value.problems] == [(pointer, "XCH-4")]


@pytest.mark.property
@given(
    form=st.sampled_from(["json", "csv"]),
    character=st.sampled_from(FORBIDDEN + list(LINE_BREAKS)),
)
def test_a_peer_group_file_refuses_what_a_terminal_acts_on(form: str, character: str) -> None:
    """CMP-3, XCH-4: a group name is one line without any character a text may not hold, in
    either form of a peer-group file."""
    from digimaat.analysis.peers import parse_peer_groups

    name = f"a{character}b"
    if form == "json":
        text = json.dumps({"format": "digimaat-peer-groups", "groups": {name: ["GM0622"]}})
    elif "\ud800" <= character <= "\udfff":
        return  # CSV is UTF-8 text: a lone surrogate cannot be written (XCH-3)
    else:
        text = 'group,cbs_code\n"' + name + '",GM0622\n'
    with pytest.raises(InputError) as caught:
        parse_peer_groups(text, form)
    (problem,) = caught.value.problems
    assert (problem.field, problem.clause) == ("name", "XCH-4")


# -- Numbers (XCH-4, XCH-5, XCH-9, OFF-6, OFF-14, MUN-1) -----------------------------------

INTEGER_FIELDS = {
    # field: (JSON place, CSV column, lowest, highest)
    "population": ("municipality", "population", 1, 10**9),
    "year": ("municipality", "population_year", 1800, 2200),
    "reference_year": ("document", "reference_year", 1800, 2200),
    "forms started": ("forms", "forms_started", 0, 10**12),
    "forms completed": ("forms", "forms_completed", 0, 10**12),
}


def _number_document(field: str, raw: str) -> str:
    """A document with the JSON text ``raw`` as the value of one integer field."""
    where, _, _, _ = INTEGER_FIELDS[field]
    municipality = {"cbs_code": "GM0622", "name": "V", "population": 1, "year": 2021}
    document: dict[str, Any] = {
        "format": "digimaat-offerings",
        "spec_version": "1.0",
        "reference_year": 2024,
        "municipalities": [municipality],
        "offerings": [
            {
                "municipality": "GM0622",
                "product": "paspoort",
                "forms": {"started": 10**12, "completed": 0},
            }
        ],
    }
    marker = "__NUMBER__"
    if where == "municipality":
        municipality["population" if field == "population" else "year"] = marker
    elif where == "document":
        document["reference_year"] = marker
    else:
        document["offerings"][0]["forms"]["started" if "started" in field else "completed"] = marker
    return json.dumps(document).replace(f'"{marker}"', raw)


def _number_sheet(field: str, cell: str, dutch: bool) -> str:
    _, column, _, _ = INTEGER_FIELDS[field]
    cells = {
        "reference_year": "2024",
        "cbs_code": "GM0622",
        "municipality_name": "V",
        "population": "1",
        "population_year": "2021",
        "product": "paspoort",
        "forms_started": "1.000.000.000.000" if dutch else "1000000000000",
        "forms_completed": "0",
        column: cell,
    }
    separator = ";" if dutch else ","
    return separator.join(cells) + "\n" + separator.join(cells.values()) + "\n"


def _read_integer(field: str, submission: Any) -> int:
    municipality = submission.municipalities[0]
    forms = submission.offerings[0].forms
    return {
        "population": municipality.population,
        "year": municipality.year,
        "reference_year": submission.reference_year,
        "forms started": forms.started,
        "forms completed": forms.completed,
    }[field]


def _outcome(text: str, form: str, field: str) -> int | str:
    """The integer read, or the problems when the file was refused."""
    try:
        return _read_integer(field, loads(text, form=form))
    except InputError as exc:
        return "refused: " + ", ".join(p.field for p in exc.problems)


_INTEGERS = st.one_of(
    st.integers(-(10**20), 10**20),
    st.sampled_from([0, 1, 1799, 1800, 2200, 2201, 10**9, 10**9 + 1, 10**12, 10**12 + 1]),
    st.sampled_from([2**53 - 1, 2**53, 2**53 + 1, 10**16, 10**400]),
)


@pytest.mark.property
@given(field=st.sampled_from(sorted(INTEGER_FIELDS)), number=_INTEGERS)
def test_json_and_csv_accept_exactly_the_same_integers(field: str, number: int) -> None:
    """XCH-4: JSON and the CSV form accept exactly the same values; every integer up to
    2^53 - 1 is exact. An integer is read into its field exactly as written, in the JSON
    document, in the CSV form and in the CSV form of a Dutch spreadsheet (thousands grouped
    with '.'), or refused by all three; never overflowed, rounded or clamped."""
    _, _, low, high = INTEGER_FIELDS[field]
    if field == "forms completed":
        high = 10**12  # completed may not exceed started, which is 10^12 here
    grouped = f"{number:,}".replace(",", ".")
    outcomes = {
        "json": _outcome(_number_document(field, str(number)), "json", field),
        "csv": _outcome(_number_sheet(field, str(number), False), "csv", field),
        "csv-nl": _outcome(_number_sheet(field, grouped, True), "csv", field),
    }
    if low <= number <= high:
        assert outcomes == dict.fromkeys(outcomes, number)
    else:  # one problem, at the field itself, in every form
        assert all(isinstance(o, str) and "," not in o for o in outcomes.values()), outcomes


@pytest.mark.parametrize(
    "raw",
    [
        "1e308",
        "1" + "0" * 400,
        "1e400",
        "5e-324",
        "-0.0",
        "-0",
        "74124.0",
        "7.4124e4",
        '"74124"',
        "true",
        "null",
        "[74124]",
        "NaN",
        "Infinity",
        "-Infinity",
    ],
)
@pytest.mark.parametrize("field", sorted(INTEGER_FIELDS))
def test_a_number_that_is_not_a_whole_number_in_range_is_a_problem(field: str, raw: str) -> None:
    """XCH-4, XCH-5: every number is finite and within its limit; NaN and Infinity, which are
    not JSON, MUST be refused wherever they occur; a number written as a text is not a
    number. Each is one problem at the field (or, for what is not JSON, at its line),
    never an overflow, an infinity or a number read otherwise than written."""
    _, _, low, _ = INTEGER_FIELDS[field]
    if raw in ("-0", "-0.0") and low == 0 and raw == "-0":
        assert _read_integer(field, loads(_number_document(field, raw), form="json")) == 0
        return  # -0 is the integer 0
    with pytest.raises(InputError) as caught:
        loads(_number_document(field, raw), form="json")
    (problem,) = caught.value.problems
    if raw in ("NaN", "Infinity", "-Infinity"):
        assert (problem.field, problem.clause) == ("document", "XCH-5")
    else:
        assert problem.clause is not None
        assert "got" in str(problem) or "required" in str(problem)


VOLUMES = [
    ("1e308/year", "OFF-14"),
    ("1e400/year", "OFF-14"),
    ("5e-324/year", "OFF-14"),
    ("1e-320/year", "OFF-14"),
    ("9.99e-7/year", "OFF-14"),
    ("1.0000001e12/year", "OFF-14"),
    ("1.2e8 per hour", "OFF-14"),
    ("-1/year", "OFF-14"),
    ("NaN/year", "XCH-9"),
    ("Infinity/year", "XCH-9"),
    ("inf/year", "XCH-9"),
    ("0x10/year", "XCH-9"),
    ("1_000/year", "XCH-9"),
    ("\u0665/year", "XCH-9"),
    ("5", "OFF-13"),
]


@pytest.mark.parametrize(("volume", "clause"), VOLUMES)
@pytest.mark.parametrize("form", ["json", "json object", "csv"])
def test_a_volume_outside_its_limits_is_a_problem(form: str, volume: str, clause: str) -> None:
    """OFF-14, XCH-9: a volume is 0 or from 1e-6 to 1e12 requests a year, and its number is
    written in the closed grammar of rates; anything else is one problem at the volume,
    in every form: never an overflow, an infinity or a denormal weight."""
    number, _, unit = volume.partition("/") if "/" in volume else volume.partition(" per ")
    if form == "json object":
        try:
            json.loads(number)  # a JSON number, written as it is (1e400 too)
        except ValueError:
            return  # not a JSON number: the text forms cover it
        if not unit:
            return
        volumes: Any = {"web": {"value": "__NUMBER__", "unit": "per " + unit.split()[-1]}}
    else:
        volumes = {"web": volume}
    if form == "csv":
        text = _sheet_volume(volume)
    else:
        document = json.loads(_number_document("population", "1"))
        document["offerings"][0]["volumes"] = volumes
        text = json.dumps(document).replace('"__NUMBER__"', number)
    with pytest.raises(InputError) as caught:
        loads(text, form="csv" if form == "csv" else "json")
    (problem,) = caught.value.problems
    if form == "json object" and number in ("NaN", "Infinity"):
        clause = "XCH-5"  # not JSON (XCH-5), wherever it occurs
    assert problem.clause in (clause, "XCH-4")


def _sheet_volume(volume: str) -> str:
    header = "reference_year,cbs_code,municipality_name,population,population_year,product,"
    return header + "volume_web\n2024,GM0622,V,1,2021,paspoort," + volume + "\n"


@pytest.mark.parametrize("volume", ["-0/year", "-0.0/year", "0/year", "0e5/year"])
def test_a_negative_zero_volume_is_a_zero(volume: str) -> None:
    """OFF-14: -0 is 0 (a listed channel with no requests), never a negative volume; it is
    written back as 0."""
    document = json.loads(_number_document("population", "1"))
    document["offerings"][0]["volumes"] = {"web": volume}
    (offering,) = loads(json.dumps(document), form="json").offerings
    assert offering.volumes is not None
    (value,) = offering.volumes.per_year_values
    assert (value, str(value)) == (0.0, "0.0")


# -- Profiles (PRF-7, XCH-4) -------------------------------------------------------------------


def _profile_data(**changes: Any) -> dict[str, Any]:
    from digimaat.measurement.profiles import standard_profile

    return {**standard_profile().to_dict(), "name": "mine", **changes}


@pytest.mark.parametrize(
    ("form", "text", "location"),
    [
        ("json", '{"name": "a", "name": "b"}', None),
        ("toml", 'name = "a"\nname = "b"\n', None),
        ("json", '{"name": ' + "[" * 5000 + "]" * 5000 + "}", None),
        ("toml", "name = " + "[" * 5000 + "]" * 5000 + "\n", None),
        ("toml", "a = " + "{b = " * 2000 + "1" + "}" * 2000 + "\n", None),
        ("json", json.dumps(_profile_data(name="digimaat-standard")), "/name"),
        (
            "json",
            json.dumps(_profile_data(weighting={"kind": "per-capita", "per": 1e16})),
            "/weighting/per",
        ),
        (
            "json",
            json.dumps(_profile_data(weighting={"kind": "per-capita", "per": 10**400})),
            "/weighting/per",
        ),
        (
            "json",
            json.dumps(
                _profile_data(
                    weighting={
                        "kind": "restrict",
                        "base": {"kind": "equal"},
                        "selector": {"uris": ["http://example.org/none"]},
                    }
                )
            ),
            "/weighting/selector/uris/0",
        ),
        (
            "json",
            json.dumps(
                _profile_data(
                    weighting={"kind": "custom", "weights": {"urn:x:none": 1}, "default": 1}
                )
            ),
            "/weighting/weights/urn:x:none",
        ),
    ],
    ids=[
        "repeated-json",
        "repeated-toml",
        "deep-json",
        "deep-toml-arrays",
        "deep-toml-tables",
        "built-in-name",
        "number-over-1e15",
        "integer-beyond-binary64",
        "unknown-uri-restrict",
        "unknown-uri-custom",
    ],
)
def test_a_profile_file_refuses_hostile_input(form: str, text: str, location: str | None) -> None:
    """PRF-7.1, PRF-3, PRF-7.2, XCH-4: a member named twice is refused in either form;
    nesting is limited with a problem, never a RecursionError; numbers are limited; a file
    may not take a built-in profile's name; a product URI a profile selects must be in the
    catalogue (it would otherwise select nothing, silently)."""
    from digimaat.exchange.profiles import loads_profile

    with pytest.raises(InputError) as caught:
        loads_profile(text, form=form)
    first = caught.value.problems[0]
    # PRF-3: a built-in profile's name; PRF-7.2: a URI the catalogue does not hold;
    # PRF-7.1: what a file may hold (syntax, names, nesting, numbers).
    where = str(location)
    clause = "PRF-3" if where == "/name" else "PRF-7.1"
    if "/uris/" in where or "/weights/" in where:
        clause = "PRF-7.2"
    assert first.clause == clause
    if location is not None:
        assert first.location == location
