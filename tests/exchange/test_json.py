"""Tests of the JSON document form (specification chapter XCH, XCH-2 to XCH-10, XCH-15).

Every bad-input test asserts that the error names the file, the JSON pointer (or line),
the field and, where there is one, the offending value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from digimaat._version import SPEC_VERSION
from digimaat.errors import DigimaatError, InputError
from digimaat.exchange import MAX_BYTES, MAX_DEPTH, Submission, dumps, load, loads
from digimaat.exchange.writers import dumps_json
from digimaat.vocabulary.assurance import Authentication
from digimaat.vocabulary.channels import Channel
from digimaat.vocabulary.maturity import Capability, MaturityLevel
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import FormFunnel, Offering, Status, VolumeRecord
from digimaat.vocabulary.products import Catalogue, Product
from tests.exchange.support import (
    BASE,
    CATALOGUE,
    DOG_TAX,
    EVENTS,
    PARKING,
    PASSPORT,
    assert_reports,
    document,
    problems_of,
    read_json,
    text,
    with_offering,
)

SRC = "offerings.json"


def read(doc: Any, **kwargs: Any) -> Submission:
    data = doc if isinstance(doc, str | bytes) else text(doc)
    return read_json(data, CATALOGUE, name=SRC, **kwargs)


def failure(doc: Any, **kwargs: Any) -> InputError:
    with pytest.raises(InputError) as info:
        read(doc, **kwargs)
    return info.value


# --- Reading a valid document ---------------------------------------------------------------


def test_a_minimal_document_reads_into_vocabulary_objects() -> None:
    """XCH-5, XCH-8: the document's records become municipalities and offerings."""
    submission = read(BASE)
    assert submission.reference_year == 2024
    assert [m.cbs_code for m in submission.municipalities] == ["GM0556", "GM0622"]
    parking = next(o for o in submission.offerings if o.product == PARKING)
    assert parking.status is Status.OFFERED
    assert parking.capabilities == {Capability.INFORMATION_ONLINE, Capability.DOWNLOADABLE_FORM}
    assert parking.volumes is not None
    # 700 a year at the counter; 25 a month by post is 25 * 12 = 300 a year.
    assert parking.volumes.per_year() == {"balie": 700.0, "post": 300.0}
    passport = next(o for o in submission.offerings if o.product == PASSPORT)
    assert passport.status is Status.UNKNOWN
    assert passport.volumes is None


def test_every_optional_field_is_read() -> None:
    """XCH-8: each optional field of an offering record is read into the Offering."""
    doc = with_offering(
        0,
        status="offered",
        authentication={"means": "digid", "level": "low"},
        local_target="online-submission",
        local_target_reason="a site visit comes first",
        fee_applies=False,
        forms={"started": 10, "completed": 7},
        volumes={"web": {"value": 2, "unit": "per week"}, "E-Mail": "1 request / day"},
    )
    offering = next(o for o in read(doc).offerings if o.product == PARKING)
    assert offering.authentication == Authentication.from_name("digid low")
    assert offering.local_target is MaturityLevel.ONLINE_SUBMISSION
    assert offering.local_target_reason == "a site visit comes first"
    assert offering.fee_applies is False
    assert offering.forms == FormFunnel(10, 7)
    assert offering.volumes is not None
    # 2 a week: 2 * 365.25 / 7 a year; 1 a day: 365.25 a year (OFF-12).
    assert offering.volumes.channels == (Channel.EMAIL, Channel.WEB)
    assert offering.volumes.per_year_values == pytest.approx((365.25, 2 * 365.25 / 7), rel=1e-15)


def test_a_product_may_be_named_by_the_last_segment_of_its_upl_uri() -> None:
    """XCH-8: a reader accepts a UPL URI's last segment; the offering holds the full URI."""
    doc = with_offering(0, product="evenementenvergunning")
    assert {o.product for o in read(doc).offerings} == {EVENTS, PASSPORT}


def test_authentication_is_read_by_any_name_the_vocabulary_accepts() -> None:
    """XCH-8: authentication is the canonical name, another accepted name, or {means, level}."""
    for name in (
        "digid low",
        "DigiD Midden",
        "urn:oasis:names:tc:SAML:2.0:ac:classes:MobileTwoFactorContract",
    ):
        offering = next(
            o for o in read(with_offering(0, authentication=name)).offerings if o.product == PARKING
        )
        assert offering.authentication == Authentication.from_name("digid low")


def test_null_means_absent() -> None:
    """XCH-8: an optional member whose value is null is read as if it were absent."""
    doc = with_offering(0, status=None, authentication=None, fee_applies=None)
    doc["offerings"][0].update(
        {"authentication": None, "fee_applies": None, "forms": None, "local_target": None}
    )
    doc["source"] = None
    doc["local_products"] = None
    assert read(doc) == read(BASE)


def test_reading_accepts_a_path_bytes_and_text(tmp_path: Path) -> None:
    """XCH-1: the same document read from a file, from bytes and from text is the same."""
    file = tmp_path / "x.json"
    file.write_text(text(BASE), encoding="utf-8")
    from_file = read_json(file, CATALOGUE)
    assert from_file == read(text(BASE)) == read(text(BASE).encode("utf-8"))
    assert read(text(BASE).encode("utf-8-sig")) == from_file  # a byte order mark is ignored


def test_load_picks_the_form_by_extension(tmp_path: Path) -> None:
    """XCH-1: ``load`` reads ``.json`` as the document form, and refuses a file of no form."""
    file = tmp_path / "X.JSON"
    file.write_text(text(BASE), encoding="utf-8")
    assert read(BASE) == load(file, catalogue=CATALOGUE)
    other = tmp_path / "x.txt"
    other.write_text(text(BASE), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load(other, catalogue=CATALOGUE)
    assert_reports(info.value, str(other), None, "file", ".txt")
    assert load(other, form="json", catalogue=CATALOGUE) == read(BASE)


# --- XCH-2: every problem together, each with file, pointer, field and value -------------------


def test_all_problems_of_a_document_are_reported_together() -> None:
    """XCH-2: every problem of a file is reported together, each with its location, in the
    order of the file. The offering of a municipality whose record has a problem still has
    its own fields checked."""
    doc = document()
    doc["municipalities"][1]["population"] = -5
    doc["offerings"][0]["volumes"] = {"web": "-3/year", "fax": "2/year"}
    doc["offerings"][1]["status"] = "sometimes"
    exc = failure(doc)
    assert [p.location for p in problems_of(exc)] == [
        "/municipalities/1/population",
        "/offerings/0/volumes/web",
        "/offerings/0/volumes/fax",
        "/offerings/1/status",
    ]
    assert_reports(exc, SRC, "/municipalities/1/population", "population", -5)
    assert_reports(exc, SRC, "/offerings/0/volumes/web", "volumes.web", "-3/year")
    assert_reports(exc, SRC, "/offerings/0/volumes/fax", "volumes.fax", "fax")
    assert_reports(exc, SRC, "/offerings/1/status", "status", "sometimes")
    assert str(exc).startswith("4 problems found:")


def test_malformed_json_names_line_and_column() -> None:
    """XCH-2: malformed JSON is reported with its line and column; the members that were not
    read, or not read whole, are not reported as missing or wrong."""
    exc = failure('{\n  "format": "digimaat-offerings",\n  "reference_year": 20 24\n}')
    assert_reports(exc, SRC, "line 3, column 24", "document")
    assert "not valid JSON" in str(exc)
    assert len(problems_of(exc)) == 1


@pytest.mark.parametrize(
    ("doc", "location", "field", "value"),
    [
        (document(reference_year="2024"), "/reference_year", "reference_year", "2024"),
        (document(reference_year=True), "/reference_year", "reference_year", True),
        (document(source=12), "/source", "source", 12),
        (document(offerings={"a": 1}), "/offerings", "offerings", None),
        (document(offerings=[3]), "/offerings/0", "offerings", 3),
        (
            with_offering(0, capabilities="information-online"),
            "/offerings/0/capabilities",
            "capabilities",
            "information-online",
        ),
        (with_offering(0, fee_applies="yes"), "/offerings/0/fee_applies", "fee_applies", "yes"),
        (
            with_offering(0, forms={"started": "10", "completed": 1}),
            "/offerings/0/forms/started",
            "forms.started",
            "10",
        ),
        (with_offering(0, status=1), "/offerings/0/status", "status", 1),
        (with_offering(0, product=["x"]), "/offerings/0/product", "product", None),
        (with_offering(0, local_target=2.5), "/offerings/0/local_target", "local_target", 2.5),
        (with_offering(0, volumes=["web"]), "/offerings/0/volumes", "volumes", None),
        (with_offering(0, volumes={"web": 20}), "/offerings/0/volumes/web", "volumes.web", 20),
    ],
)
def test_a_value_of_the_wrong_type_is_reported(
    doc: dict[str, Any], location: str, field: str, value: Any
) -> None:
    """XCH-2, OFF-1: a value of the wrong kind is rejected, naming the field and the value."""
    assert_reports(failure(doc), SRC, location, field, value)


def test_a_municipality_of_the_wrong_type_is_reported() -> None:
    """XCH-6: the fields of a municipality record are checked one by one (MUN-1)."""
    doc = document()
    doc["municipalities"][0] = {
        "cbs_code": "GM0622",
        "name": "V",
        "population": "74124",
        "year": 2021.0,
    }
    exc = failure(doc)
    assert_reports(exc, SRC, "/municipalities/0/population", "population", "74124")
    assert_reports(exc, SRC, "/municipalities/0/year", "year", 2021.0)


@pytest.mark.parametrize(
    ("doc", "location", "field"),
    [
        (document(offerings=None), "/offerings", "offerings"),
        (
            {k: v for k, v in BASE.items() if k != "reference_year"},
            "/reference_year",
            "reference_year",
        ),
        (with_offering(0, product=None), "/offerings/0/product", "product"),
        (with_offering(0, municipality=None), "/offerings/0/municipality", "municipality"),
        (with_offering(0, forms={"started": 3}), "/offerings/0/forms/completed", "forms.completed"),
    ],
)
def test_a_missing_required_field_is_reported(
    doc: dict[str, Any], location: str, field: str
) -> None:
    """XCH-5, XCH-8: a missing required member is reported at the pointer where it belongs."""
    if doc.get("offerings", 0) is None:
        del doc["offerings"]
    problem = assert_reports(failure(doc), SRC, location, field)
    assert problem.message == "is required"


def test_a_missing_municipality_field_is_reported() -> None:
    """XCH-6: every missing field of a municipality record is reported."""
    doc = document()
    del doc["municipalities"][0]["name"]
    del doc["municipalities"][0]["year"]
    exc = failure(doc)
    assert_reports(exc, SRC, "/municipalities/0/name", "name")
    assert_reports(exc, SRC, "/municipalities/0/year", "year")


def test_an_unknown_member_is_reported() -> None:
    """XCH-5: a member the format does not define is an error, not ignored."""
    doc = with_offering(0, colour="blue")
    doc["municipalities"][0]["mayor"] = "x"
    doc["extra"] = 1
    exc = failure(doc)
    assert_reports(exc, SRC, "/offerings/0/colour", "colour")
    assert_reports(exc, SRC, "/municipalities/0/mayor", "mayor")
    assert_reports(exc, SRC, "/extra", "extra")


def test_an_unknown_product_is_reported_with_close_matches() -> None:
    """XCH-7: a product that is not in the catalogue is reported, with close matches."""
    exc = failure(with_offering(0, product="parkeervergunnig"))
    problem = assert_reports(exc, SRC, "/offerings/0/product", "product", "parkeervergunnig")
    assert problem.suggestion is not None
    assert "did you mean" in problem.suggestion
    assert PARKING in problem.suggestion
    assert str(problem).endswith(f"; {problem.suggestion} [XCH-8]")


@pytest.mark.parametrize(
    ("doc", "location", "field", "value"),
    [
        (
            with_offering(0, volumes={"fax": "3/year"}),
            "/offerings/0/volumes/fax",
            "volumes.fax",
            "fax",
        ),
        (
            with_offering(0, authentication="DigiD Ultra"),
            "/offerings/0/authentication",
            "authentication",
            "DigiD Ultra",
        ),
        (
            with_offering(0, authentication={"means": "digid", "level": "extreme"}),
            "/offerings/0/authentication/level",
            "authentication.level",
            "extreme",
        ),
        (
            with_offering(0, capabilities=["information-online", "chatbot"]),
            "/offerings/0/capabilities/1",
            "capabilities",
            "chatbot",
        ),
        (
            with_offering(0, local_target="excellent", local_target_reason="r"),
            "/offerings/0/local_target",
            "local_target",
            "excellent",
        ),
        (
            document(
                local_products=[
                    {"uri": "urn:x", "name": "x", "required_assurance": "extreme", "reason": "r"}
                ]
            ),
            "/local_products/0/required_assurance",
            "required_assurance",
            "extreme",
        ),
    ],
)
def test_an_unknown_name_is_reported(
    doc: dict[str, Any], location: str, field: str, value: Any
) -> None:
    """XCH-8: an unknown channel, assurance level, capability or level is never ignored."""
    problem = assert_reports(failure(doc), SRC, location, field, value)
    assert "expected one of" in problem.message or "allowed" in problem.message


@pytest.mark.parametrize(
    ("volume", "location", "value", "message"),
    [
        ("-3/year", "/offerings/0/volumes/web", "-3/year", "must not be negative"),
        ("1e400/year", "/offerings/0/volumes/web", "1e400/year", "at most 1e12"),
        ("nan/year", "/offerings/0/volumes/web", "nan/year", "must be a number"),
        ("20", "/offerings/0/volumes/web", "20", "bare number"),
        ("5 m", "/offerings/0/volumes/web", "5 m", "unknown rate unit"),
        ("5 m/year", "/offerings/0/volumes/web", "5 m/year", "unknown rate unit"),
        (
            "5 per fortnightly",
            "/offerings/0/volumes/web",
            "5 per fortnightly",
            "unknown rate unit",
        ),
        ("5 per decade", "/offerings/0/volumes/web", "5 per decade", "unknown rate unit"),
        ("2000 / (2 years)", "/offerings/0/volumes/web", "2000 / (2 years)", "unknown rate"),
        (
            {"value": -1, "unit": "/year"},
            "/offerings/0/volumes/web/value",
            -1,
            "must not be negative",
        ),
        ({"value": 1, "unit": "kg"}, "/offerings/0/volumes/web/unit", "kg", "unknown rate unit"),
        ({"value": 2e12, "unit": "/year"}, "/offerings/0/volumes/web/value", 2e12, "at most 1e12"),
        # A number too large to show is named, not printed.
        ({"value": 10**400, "unit": "/year"}, "/offerings/0/volumes/web/value", None, "too large"),
    ],
)
def test_a_bad_volume_is_reported(volume: Any, location: str, value: Any, message: str) -> None:
    """XCH-9, OFF-13, OFF-14: negative, non-finite, unitless, out of range and non-rate
    volumes are rejected; the rate grammar is closed (no arithmetic, no other time units)."""
    exc = failure(with_offering(0, volumes={"web": volume}))
    problem = assert_reports(exc, SRC, location, location.split("/", 3)[3].replace("/", "."), value)
    assert message in problem.message
    assert problem.clause is not None
    assert len(problems_of(exc)) == 1
    assert len(str(exc)) < 400


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_rejected(literal: str) -> None:
    """XCH-5: NaN and Infinity, which are not JSON, are rejected where they appear: at their
    line and column, as the text is not JSON there."""
    raw = text(with_offering(0, volumes={"web": {"value": 0, "unit": "/year"}}))
    raw = raw.replace('"value": 0', f'"value": {literal}')
    problem = assert_reports(
        failure(raw), SRC, f"line 1, column {raw.index(literal) + 1}", "document"
    )
    assert "not a JSON number" in problem.message
    raw = json.dumps(document(reference_year=0), indent=2).replace(
        '"reference_year": 0', f'"reference_year": {literal}'
    )
    column = raw.splitlines()[3].index(literal) + 1
    assert_reports(failure(raw), SRC, f"line 4, column {column}", "document")


def test_a_duplicate_offering_is_reported() -> None:
    """XCH-7: at most one offering per municipality and product; the repeat names the first."""
    doc = document()
    doc["offerings"].append({"municipality": "GM0622", "product": "parkeervergunning"})
    problem = assert_reports(failure(doc), SRC, "/offerings/2/product", "product", PARKING)
    assert "/offerings/0" in problem.message


def test_a_duplicate_municipality_is_reported() -> None:
    """XCH-7: every CBS code at most once."""
    doc = document()
    doc["municipalities"].append(dict(doc["municipalities"][0]))
    problem = assert_reports(failure(doc), SRC, "/municipalities/2/cbs_code", "cbs_code", "GM0622")
    assert "/municipalities/0" in problem.message


@pytest.mark.parametrize("code", ["0622", "gm0622", "GM622", "GM06222", "GM０６２２"])
def test_a_malformed_cbs_code_is_reported(code: str) -> None:
    """XCH-6, MUN-2: a CBS code is exactly 'GM' and four ASCII digits."""
    doc = document()
    doc["municipalities"][0]["cbs_code"] = code
    doc["offerings"][0]["municipality"] = code
    exc = failure(doc)
    assert_reports(exc, SRC, "/municipalities/0/cbs_code", "cbs_code", code)
    doc = with_offering(1, municipality=code)
    assert_reports(failure(doc), SRC, "/offerings/1/municipality", "municipality", code)


def test_an_offering_of_a_municipality_not_listed_is_reported() -> None:
    """XCH-7: every offering's municipality is listed in ``municipalities``."""
    problem = assert_reports(
        failure(with_offering(1, municipality="GM0606")),
        SRC,
        "/offerings/1/municipality",
        "municipality",
        "GM0606",
    )
    assert "not a municipality listed" in problem.message


def test_a_broken_municipality_does_not_also_fail_its_offerings() -> None:
    """XCH-2: a problem is reported once, where it is, not again at every record naming it."""
    doc = document()
    doc["municipalities"][0]["population"] = 0
    exc = failure(doc)
    assert [p.location for p in problems_of(exc)] == ["/municipalities/0/population"]


def test_a_local_target_without_a_reason_is_reported() -> None:
    """XCH-8, OFF-4: a local target needs a reason, and a reason a local target."""
    exc = failure(with_offering(0, local_target="prefilled"))
    assert_reports(exc, SRC, "/offerings/0/local_target_reason", "local_target_reason")
    exc = failure(with_offering(0, local_target="prefilled", local_target_reason="   "))
    assert_reports(exc, SRC, "/offerings/0/local_target_reason", "local_target_reason", "   ")
    exc = failure(with_offering(0, local_target_reason="why not"))
    assert_reports(exc, SRC, "/offerings/0/local_target", "local_target")


@pytest.mark.parametrize("first", [True, False])
def test_true_is_not_a_level_wherever_it_stands(first: bool) -> None:
    """A level may be written as a number (1), never as true: ``true == 1`` in Python, and a
    parsed value remembered for one must not stand for the other."""
    values = [True, 1] if first else [1, True]
    doc = document()
    for offering, value in zip(doc["offerings"], values, strict=True):
        offering.update(status="offered", local_target=value, local_target_reason="local rule")
    exc = failure(doc)
    at = next(k for k, value in enumerate(values) if value is True)
    assert [p.location for p in problems_of(exc)] == [f"/offerings/{at}/local_target"]
    assert_reports(exc, SRC, f"/offerings/{at}/local_target", "local_target", True)


def test_a_record_breaking_a_status_rule_is_reported() -> None:
    """XCH-8, OFF-3: capabilities of an offering that is not offered are rejected."""
    exc = failure(with_offering(0, status="not-offered"))
    assert_reports(exc, SRC, "/offerings/0/capabilities", "capabilities")


@pytest.mark.parametrize("data", ["", "   \n\t ", b"", b"\xef\xbb\xbf\n"])
def test_an_empty_file_is_reported(data: str | bytes) -> None:
    """XCH-3: an empty file (nothing but white space) is rejected."""
    problem = assert_reports(failure(data), SRC, None, "file")
    assert problem.message == "is empty"
    assert problem.clause == "XCH-3"


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path: Path) -> None:
    """XCH-4: a file over the size limit is refused; the limit is a parameter."""
    assert MAX_BYTES == 128 * 1024 * 1024
    raw = text(BASE)
    limit = len(raw.encode()) - 1
    problem = assert_reports(failure(raw, max_bytes=limit), SRC, None, "file")
    assert str(limit) in problem.message
    assert read(raw, max_bytes=limit + 1) == read(raw)
    file = tmp_path / "big.json"
    file.write_text(raw + " " * 1000, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_json(file, CATALOGUE, max_bytes=len(raw))
    assert_reports(info.value, str(file), None, "file")
    # Not parsed: a file that is far from JSON is refused for its size, not its syntax.
    assert_reports(failure("x" * 100, max_bytes=99), SRC, None, "file")


@pytest.mark.parametrize("depth", [64, 65, 200, 100_000])
def test_deeply_nested_json_is_refused_without_recursion_errors(depth: int) -> None:
    """XCH-4: a document nested deeper than the limit is refused, without recursion errors:
    at its member where the parser could read it, else at the first place too deep."""
    assert MAX_DEPTH == 64
    raw = '{"format": "digimaat-offerings", "source": ' + "[" * depth + "]" * depth + "}"
    exc = failure(raw)
    if depth == 100_000:
        # 43 characters precede the value; its first "[" (column 44) is level 2 below the
        # object, so the 64th "[" (column 44 + 63 = 107) is the first at level 65.
        problem = assert_reports(exc, SRC, "line 1, column 107", "document")
        assert len(problems_of(exc)) == 1
    else:
        problem = assert_reports(exc, SRC, "/source", "source")
        assert [p.location for p in problems_of(exc)].count("/source") == 1
    assert "nested more than 64 levels" in problem.message
    assert problem.clause == "XCH-4"


def test_nesting_within_the_limit_is_parsed() -> None:
    """XCH-4: depth is counted outside strings; a limit can be set per call."""
    raw = text(
        document(source="[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[")
    )
    assert read(raw).source is not None
    nested = text(document(source=[[[[[["x"]]]]]]))
    # The object is level 1, so the value's sixth "[" is at level 7: within a limit of 7
    # it is parsed (and then refused as not a text), beyond a limit of 6 it is refused.
    problem = assert_reports(failure(nested, max_depth=7), SRC, "/source", "source")
    assert "must be a text" in problem.message
    problem = assert_reports(failure(nested, max_depth=6), SRC, "/source", "source")
    assert "nested more than 6 levels" in problem.message
    escaped = text(document(source='a \\" [[[[[[[[ "'))
    assert read(escaped, max_depth=4).source == 'a \\" [[[[[[[[ "'


def test_a_wrong_encoding_is_reported() -> None:
    """XCH-3: text that is not UTF-8 is refused with a clear error naming the line."""
    raw = text(document(source="Schiedam")).replace("Schiedam", "Sch\xe9dam")
    exc = failure(raw.encode("latin-1"))
    problem = assert_reports(exc, SRC, "line 1", "encoding")
    assert "not UTF-8" in problem.message
    exc = failure(text(BASE).encode("utf-16"))
    problem = assert_reports(exc, SRC, None, "encoding", "UTF-16")


def test_a_repeated_member_name_is_reported() -> None:
    """XCH-5: a member name repeated within an object is rejected, not silently overwritten."""
    raw = text(BASE).replace('"status": "unknown"', '"status": "unknown", "status": "offered"')
    problem = assert_reports(failure(raw), SRC, "/offerings/1/status", "status")
    assert "repeated" in problem.message


def test_a_document_of_another_format_or_major_version_is_refused() -> None:
    """XCH-5, XCH-15: ``format`` must be 'digimaat-offerings'; another MAJOR version is refused."""
    assert_reports(
        failure(document(format="digimaat-profile")), SRC, "/format", "format", "digimaat-profile"
    )
    exc = failure(document(spec_version="2.0"))
    assert_reports(exc, SRC, "/spec_version", "spec_version", "2.0")
    assert_reports(
        failure(document(spec_version="one")), SRC, "/spec_version", "spec_version", "one"
    )
    for version in ("1.0", "1.3", "1.0-draft", "1.12-rc.1"):
        assert read(document(spec_version=version)) == read(BASE)


def test_a_document_that_is_not_an_object_is_reported() -> None:
    """XCH-5: the document is a JSON object."""
    assert_reports(failure("[1, 2]"), SRC, "", "document")


# --- Local products ------------------------------------------------------------------------


def test_local_products_are_added_to_the_catalogue() -> None:
    """XCH-6: a document's local products join the catalogue its offerings are resolved in."""
    doc = document(
        local_products=[
            {"uri": "urn:gm0622:product:balieafspraak", "name": "afspraak balie"},
            {"uri": "urn:gm0622:product:x", "name": "x", "fee_applies": False, "reason": "free"},
        ]
    )
    doc["offerings"].append({"municipality": "GM0622", "product": "urn:gm0622:product:x"})
    submission = read(doc)
    assert [p.uri for p in submission.local_products] == [
        "urn:gm0622:product:balieafspraak",
        "urn:gm0622:product:x",
    ]
    product = submission.catalogue.get("urn:gm0622:product:x")
    assert product.reference is False
    assert product.fee_applies is False
    assert PARKING in submission.catalogue


def test_a_bad_local_product_is_reported() -> None:
    """XCH-6: additions need a reason; a local product must not reuse a catalogue URI."""
    doc = document(
        local_products=[
            {"uri": "urn:x", "name": "x", "fee_applies": True},
            {"uri": PARKING, "name": "mine"},
            {"uri": "urn:y", "name": "y", "audiences": "burger"},
            {"uri": "urn:z", "name": "z"},
            {"uri": "urn:z", "name": "z again"},
        ]
    )
    exc = failure(doc)
    assert_reports(exc, SRC, "/local_products/0/reason", "reason")
    assert_reports(exc, SRC, "/local_products/1/uri", "uri", PARKING)
    assert_reports(exc, SRC, "/local_products/2/audiences", "audiences", "burger")
    assert_reports(exc, SRC, "/local_products/4/uri", "uri", "urn:z")


@pytest.mark.parametrize("text", ["a\u202eb", "red\x1b[31m", "nul\x00", "\ud800"])
def test_a_text_with_control_characters_is_refused_in_every_record(text: str) -> None:
    """XCH-4: no text field holds a control, bidirectional-override or surrogate character:
    not the document's source, a municipality's name, an offering's texts or a local
    product's URI, name or reason."""
    doc = document(
        source=text,
        local_products=[
            {"uri": "urn:a" + text, "name": "a"},
            {"uri": "urn:b", "name": text},
            {"uri": "urn:c", "name": "c", "fee_applies": True, "reason": text},
        ],
    )
    doc["municipalities"][0]["name"] = text
    doc["offerings"][0].update(local_target="prefilled", local_target_reason=text, notes=text)
    data = json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")
    exc = failure(data)
    if text == "\ud800":  # not UTF-8 at all: refused with the encoding (XCH-3)
        assert_reports(exc, SRC, "line 1", "encoding")
        return
    expected = [
        ("/source", "source", text),
        ("/municipalities/0/name", "name", text),
        ("/local_products/0/uri", "uri", "urn:a" + text),
        ("/local_products/1/name", "name", text),
        ("/local_products/2/reason", "reason", text),
        ("/offerings/0/local_target_reason", "local_target_reason", text),
        ("/offerings/0/notes", "notes", text),
    ]
    for location, field, value in expected:
        assert assert_reports(exc, SRC, location, field, value).clause == "XCH-4"
    assert len(problems_of(exc)) == len(expected)


# --- Writing ---------------------------------------------------------------------------------


def test_the_written_document_is_canonical() -> None:
    """XCH-10: fixed member order, canonical record order, one record per line, '/year' rates."""
    written = dumps_json(read(BASE))
    lines = written.splitlines()
    assert lines[:4] == [
        "{",
        '  "format": "digimaat-offerings",',
        f'  "spec_version": "{SPEC_VERSION}",',
        '  "reference_year": 2024,',
    ]
    assert (
        '    {"cbs_code": "GM0556", "name": "Maassluis", "population": 34148, "year": 2022},'
        in lines
    )
    assert (
        '    {"municipality": "GM0622", "product": "' + PARKING + '", "status": "offered", '
        '"capabilities": ["information-online", "downloadable-form"], '
        '"volumes": {"balie": "700/year", "post": "300/year"}}'
    ) in lines
    assert written.endswith("}\n")
    assert dumps_json(read(written)) == written


def test_writing_keeps_every_field() -> None:
    """XCH-10, XCH-14: JSON -> objects -> JSON -> objects gives the same objects."""
    submission = Submission.build(
        [Municipality("GM0622", "Vlaardingen", 74124, 2021)],
        [
            Offering(
                "GM0622",
                PARKING,
                Status.OFFERED,
                ["information-online"],
                Authentication.from_name("eherkenning substantial"),
                "prefilled",
                "reason",
                VolumeRecord.from_per_year({Channel.WEB: 0.1, Channel.APP: 1e12}),
                FormFunnel(3, 2),
                True,
                "seen on the site",
            ),
            Offering("GM0622", DOG_TAX, Status.NOT_APPLICABLE),
            Offering("GM0622", EVENTS, Status.OFFERED, volumes=VolumeRecord.from_per_year({})),
            Offering("GM0622", "urn:own", Status.UNKNOWN),
        ],
        reference_year=2023,
        source="a test\nwith two lines",
        local_products=[Product.local("urn:own", "own product", audiences=["bedrijf"])],
        catalogue=CATALOGUE,
    )
    again = read_json(dumps_json(submission), CATALOGUE)
    assert again == submission
    assert again.offerings[0].volumes == submission.offerings[0].volumes


def test_dump_json_needs_a_submission() -> None:
    """XCH-10: writing anything else raises a DigimaatError."""
    with pytest.raises(DigimaatError):
        dumps_json("not a submission")  # type: ignore[arg-type]


def test_the_reference_catalogue_is_the_default() -> None:
    """XCH-8: without a catalogue, products are resolved in the reference catalogue."""
    submission = read_json(text(BASE))
    assert {o.product for o in submission.offerings} == {PARKING, PASSPORT}
    assert len(submission.catalogue.reference_products()) == 512


def test_a_document_may_be_read_by_file_name(tmp_path: Path) -> None:
    """XCH-1: ``load`` reads a file by its name; problems name that file."""
    file = tmp_path / "bad.json"
    file.write_text(json.dumps(with_offering(0, status="maybe")), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load(str(file), catalogue=CATALOGUE)
    assert_reports(info.value, str(file), "/offerings/0/status", "status", "maybe")


def test_a_missing_file_is_a_digimaat_error(tmp_path: Path) -> None:
    """XCH-2: a file that cannot be read is reported as a DigimaatError naming it."""
    with pytest.raises(InputError) as info:
        read_json(tmp_path / "absent.json", CATALOGUE)
    problem = assert_reports(info.value, str(tmp_path / "absent.json"), None, "file")
    assert "cannot be read" in problem.message


def test_a_catalogue_may_be_given() -> None:
    """XCH-8: products are resolved in the catalogue given."""
    tiny = Catalogue((Product(PARKING, "parkeervergunning"),))
    exc = failure_in(tiny)
    assert_reports(exc, SRC, "/offerings/1/product", "product", "paspoort")


def failure_in(catalogue: Catalogue) -> InputError:
    with pytest.raises(InputError) as info:
        read_json(text(BASE), catalogue, name=SRC)
    return info.value


PROVENANCE_DOCUMENT = """{"format": "digimaat-offerings", "spec_version": "1.0",
 "reference_year": 2023,
 "municipalities": [{"cbs_code": "GM0556", "name": "Maassluis", "population": 34148,
                     "year": 2023}],
 "offerings": [{"municipality": "GM0556", "product": "paspoort",
   "capabilities": ["information-online"], "authentication": "digid",
   "provenance": {"source": "Maassluis.xml", "records": ["https://b", "https://a"],
                  "retrieved": "2023-10-18"}}]}"""


def test_provenance_is_read_written_and_valid() -> None:
    """XCH-8, OFF-16: an offering's provenance is read, written back unchanged (the records
    in their order) and the written document validates against the schema (XCH-16)."""
    import jsonschema

    from tests.exchange.support import SCHEMA

    submission = loads(PROVENANCE_DOCUMENT, form="json")
    provenance = submission.offerings[0].provenance
    assert provenance is not None
    assert provenance.records == ("https://b", "https://a")
    text = dumps(submission)
    assert loads(text, form="json") == submission
    assert '"provenance": {"source": "Maassluis.xml"' in text
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(json.loads(text))) == []


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ('"retrieved": "2023-10-18"', "/offerings/0/provenance/retrieved"),
        ('"records": ["https://b", "https://a"]', "/offerings/0/provenance/records"),
        ('"source": "Maassluis.xml"', "/offerings/0/provenance/source"),
    ],
)
def test_a_bad_provenance_is_reported_at_its_pointer(change: str, pointer: str) -> None:
    """XCH-2, OFF-16: a bad provenance is reported at its pointer."""
    key = change.split(":", 1)[0]
    broken = PROVENANCE_DOCUMENT.replace(change, f"{key}: 7")
    with pytest.raises(InputError) as caught:
        loads(broken, form="json", name="p.json")
    assert [p.location for p in caught.value.problems] == [pointer]
