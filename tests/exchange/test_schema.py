"""Tests of the published JSON Schema and the example files (XCH-16, XCH-14)."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest

from digimaat.exchange import load
from digimaat.exchange.writers import dumps_csv, dumps_json
from digimaat.vocabulary.products import reference_catalogue
from tests.exchange.support import EXAMPLES, SCHEMA, read_csv, read_json

EXAMPLE_JSON = EXAMPLES / "offerings.json"
EXAMPLE_CSV = EXAMPLES / "offerings.csv"
EXAMPLE_LOCAL = EXAMPLES / "offerings-local-products.json"


def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return loaded


def validator() -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(schema())


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    """XCH-16: the schema is a JSON Schema of draft 2020-12 with an $id, titles and descriptions."""
    document = schema()
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert document["$id"].endswith("/digimaat-offerings-1.0.schema.json")
    assert document["title"]
    assert document["description"]
    for name, definition in document["$defs"].items():
        assert definition.get("title"), name
        assert definition.get("description"), name
    for name, definition in document["properties"].items():
        assert definition.get("title"), name
        assert definition.get("description"), name


@pytest.mark.parametrize("path", [EXAMPLE_JSON, EXAMPLE_LOCAL], ids=lambda p: p.name)
def test_the_examples_validate_against_the_schema(path: Any) -> None:
    """XCH-16: the example documents validate against the schema."""
    errors = [e.message for e in validator().iter_errors(json.loads(path.read_text("utf-8")))]
    assert errors == []


def test_the_schema_rejects_what_a_reader_rejects() -> None:
    """XCH-16: the schema is not vacuous: it refuses a bare-number volume, a local target
    without a reason, an unknown member and a malformed CBS code."""
    base = json.loads(EXAMPLE_JSON.read_text("utf-8"))
    cases = []
    for change in (
        lambda d: d["offerings"][0].update(volumes={"web": "20"}),
        lambda d: d["offerings"][0].update(local_target="prefilled"),
        lambda d: d["offerings"][0].update(colour="blue"),
        lambda d: d["municipalities"][0].update(cbs_code="0622"),
        lambda d: d.update(spec_version="2.0"),
        lambda d: d["offerings"][0].update(capabilities=["chatbot"]),
    ):
        doc = copy.deepcopy(base)
        change(doc)
        cases.append(list(validator().iter_errors(doc)))
    assert all(cases), cases


def test_the_json_and_csv_examples_hold_the_same_submission() -> None:
    """XCH-14: the JSON and the CSV example are the same submission, in canonical form."""
    from_json = read_json(EXAMPLE_JSON)
    from_csv = read_csv(EXAMPLE_CSV)
    assert from_json == from_csv
    assert load(EXAMPLE_JSON) == load(str(EXAMPLE_CSV))
    assert dumps_json(from_csv) == EXAMPLE_JSON.read_text("utf-8")
    # The CSV form is written with CRLF line ends (RFC 4180); a checkout may change them.
    written = EXAMPLE_CSV.read_bytes().decode("utf-8").replace("\r\n", "\n")
    assert dumps_csv(from_json).replace("\r\n", "\n") == written
    assert len(from_json.offerings) == 6


def test_the_local_product_example_is_canonical() -> None:
    """XCH-10: the local product example reads, and writes back to the same text."""
    submission = read_json(EXAMPLE_LOCAL)
    assert dumps_json(submission) == EXAMPLE_LOCAL.read_text("utf-8")
    uris = {p.uri for p in submission.local_products}
    assert uris == {
        "urn:gm0606:product:rondleiding-stadhuis",
        "urn:gm0606:product:stoepkrijtvergunning",
    }
    for uri in uris:
        assert not submission.catalogue.get(uri).reference
    assert len(reference_catalogue()) == 512
