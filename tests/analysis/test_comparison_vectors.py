"""The conformance vectors of the comparison chapter (CMP-13), run on the reference implementation.

Every vector in ``specs/conformance/comparison/`` is validated against its JSON Schema and
run by its kind: peer statistics (CMP-5 to CMP-8), size classes (CMP-2), peer-group files
(CMP-3), trends and the explanation of a change (CMP-9, CMP-11) and saved score cards of
several years (CMP-10). Numbers are compared within 1e-9 (AGG-8); ranks and counts must be
equal. The expected values were worked out by hand (the working is in each vector's
description), never taken from this implementation's output.
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from digimaat.analysis.peers import group_statistics, parse_peer_groups, size_class_groups
from digimaat.analysis.scores import ScoreDocument
from digimaat.analysis.trends import trend, trend_of_scores
from digimaat.errors import InputError, MeasurementError
from digimaat.exchange import loads
from digimaat.measurement.aggregation import AGREEMENT_TOLERANCE
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.profiles import ScoreCard, builtin_profile
from digimaat.vocabulary.municipalities import Municipality

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "specs" / "conformance" / "comparison"
SCHEMA = ROOT / "specs" / "schema" / "digimaat-comparison-vector-1.0.schema.json"
OFFERINGS_SCHEMA = ROOT / "specs" / "schema" / "digimaat-offerings-1.0.schema.json"
CHAPTER = ROOT / "specs" / "14-comparison.md"
KINDS = ("statistics", "size-classes", "peer-groups", "trend", "trend-scores")

Vector = dict[str, Any]


@cache
def vectors() -> dict[str, Vector]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(FOLDER.glob("*.json"))
    }


@cache
def validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    offerings = json.loads(OFFERINGS_SCHEMA.read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resource(
        offerings["$id"], Resource.from_contents(offerings)
    )
    return jsonschema.Draft202012Validator(schema, registry=registry)


def agrees(computed: float | None, expected: str | None) -> bool:
    """AGG-8: ``null`` is undefined; a number agrees within 1e-9 absolute."""
    if expected is None:
        return computed is None or math.isnan(computed)
    if computed is None or math.isnan(computed):
        return False
    return abs(computed - float(expected)) <= AGREEMENT_TOLERANCE


# ---------------------------------------------------------------------- one checker per kind
def check_statistics(vector: Vector) -> list[str]:
    given, expected = vector["input"], vector["expected"]
    values = {c: None if v is None else float(v) for c, v in given["values"].items()}
    result = group_statistics(values, direction=given["direction"], absent=given["absent"])
    found = []
    for key in ("count", "undefined", "absent"):
        if getattr(result, key) != expected[key]:
            found.append(f"{key}: {getattr(result, key)} != {expected[key]}")
    for key in ("mean", "median"):
        if not agrees(getattr(result, key), expected[key]):
            found.append(f"{key}: {getattr(result, key)} != {expected[key]}")
    if set(result.positions) != set(expected["positions"]):
        found.append(f"positions of {sorted(result.positions)}")
    for code, want in expected["positions"].items():
        got = result.positions.get(code)
        if (
            got is None
            or got.rank != want["rank"]
            or not agrees(got.percentile, want["percentile"])
        ):
            found.append(f"{code}: {got} != {want}")
    return found


def check_size_classes(vector: Vector) -> list[str]:
    given = vector["input"]
    municipalities = [
        Municipality(m["cbs_code"], f"municipality {m['cbs_code']}", m["population"], 2024)
        for m in given["municipalities"]
    ]
    ds = Dataset.from_offerings([], municipalities)
    groups = size_class_groups(ds, register_year=given.get("register_year"))
    got = {code: g.size_class for g in groups for code in g.members}
    return [] if got == vector["expected"] else [f"classes {got} != {vector['expected']}"]


def check_peer_groups(vector: Vector) -> list[str]:
    given, expected = vector["input"], vector["expected"]
    try:
        groups = parse_peer_groups(given["text"], given["form"], f"{vector['id']}.{given['form']}")
    except InputError as exc:
        got = {(p.location, p.field) for p in exc.problems}
        want = {(p["location"], p["field"]) for p in expected.get("problems", [])}
        return [] if got == want else [f"problems {sorted(got)} != {sorted(want)}"]
    got_groups = {g.name: list(g.members) for g in groups}
    if got_groups != expected.get("groups"):
        return [f"groups {got_groups} != {expected.get('groups')}"]
    return []


def check_trend(vector: Vector) -> list[str]:
    given, expected = vector["input"], vector["expected"]
    data = {}
    for year, document in given["years"].items():
        submission = loads(
            json.dumps(document), form="json", name=f"{vector['id']}.json#/input/{year}"
        )
        data[int(year)] = Dataset.from_offerings(
            submission.offerings, submission.municipalities, submission.catalogue
        )
    series = trend(data, builtin_profile(given["profile"].removeprefix("builtin:")))
    found = []
    for point in series.series(given["municipality"], given["metric"]):
        if not agrees(point.value, expected["values"][str(point.year)]):
            found.append(f"value of {point.year}: {point.value} != {expected['values']}")
    change = series.explain(given["municipality"], given["metric"])
    if not agrees(change.change, expected["change"]):
        found.append(f"change {change.change} != {expected['change']}")
    got = {item.uri: item for item in change.items}
    if set(got) != set(expected["products"]):
        found.append(f"products {sorted(got)} != {sorted(expected['products'])}")
    for uri, want in expected["products"].items():
        item = got.get(uri)
        if item is None:
            continue
        if not agrees(item.change, want["change"]) or list(item.movements) != want["movements"]:
            found.append(f"{uri}: {item.change} {item.movements} != {want}")
    if change.change is not None and abs(change.total - change.change) > AGREEMENT_TOLERANCE:
        found.append("the per-product changes do not sum to the change")
    return found


def _document(year: str, saved: dict[str, Any]) -> ScoreDocument:
    profile = saved["profile"]
    cards = tuple(
        ScoreCard(
            municipality=card["municipality"],
            name=card["municipality"],
            population=1,
            size_class=1,
            spec_version=saved["spec_version"],
            profile=profile["name"],
            profile_version=profile["version"],
            fingerprint=profile["fingerprint"],
            headline=saved["headline"],
            values={k: None if v is None else float(v) for k, v in card["values"].items()},
            coverage=dict.fromkeys(card["values"]),
        )
        for card in saved["cards"]
    )
    return ScoreDocument(
        saved["spec_version"],
        profile["name"],
        profile["version"],
        profile["fingerprint"],
        cards,
        f"scores-{year}.json",
    )


def check_trend_scores(vector: Vector) -> list[str]:
    given, expected = vector["input"], vector["expected"]
    documents = {int(year): _document(year, saved) for year, saved in given["years"].items()}
    try:
        series = trend_of_scores(documents, mixed=given["mixed"])
    except MeasurementError as exc:
        return [] if expected.get("refused") else [f"refused: {exc}"]
    if expected.get("refused"):
        return ["not refused"]
    got = {
        code: {str(p.year): p.value for p in series.series(code) if p.present}
        for code in series.codes
    }
    want = expected["values"]
    if set(got) != set(want) or any(set(got[c]) != set(want[c]) for c in got):
        return [f"values {got} != {want}"]
    return [
        f"{code} {year}: {got[code][year]} != {value}"
        for code, years in want.items()
        for year, value in years.items()
        if not agrees(got[code][year], value)
    ]


CHECKERS = {
    "statistics": check_statistics,
    "size-classes": check_size_classes,
    "peer-groups": check_peer_groups,
    "trend": check_trend,
    "trend-scores": check_trend_scores,
}


# ---------------------------------------------------------------------- the tests
@pytest.mark.parametrize("name", sorted(vectors()))
def test_vector_is_valid(name: str) -> None:
    """CMP-13: every vector validates against the published schema and is named after its id."""
    vector = vectors()[name]
    errors = sorted(validator().iter_errors(vector), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    assert vector["id"] == name


@pytest.mark.parametrize("name", sorted(vectors()))
def test_vector(name: str) -> None:
    """CMP-13: an implementation conforms to the chapter when it agrees with every vector."""
    vector = vectors()[name]
    assert CHECKERS[vector["kind"]](vector) == []


def test_every_kind_and_clause_has_vectors() -> None:
    """The vectors cover every kind and the statistical and trend clauses of the chapter."""
    kinds = {v["kind"] for v in vectors().values()}
    assert kinds == set(KINDS)
    clauses = {c for v in vectors().values() for c in v["clauses"]}
    for clause in ("CMP-2", "CMP-3", "CMP-5", "CMP-6", "CMP-7", "CMP-8", "CMP-10", "CMP-11"):
        assert clause in clauses, clause


def test_every_vector_clause_exists_in_the_specification() -> None:
    """Each clause a vector names is a clause of the specification (INT-7)."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "specs").glob("*.md"))
    for vector in vectors().values():
        for clause in vector["clauses"]:
            assert f"**{clause}.**" in text, (vector["id"], clause)


@pytest.mark.parametrize("kind", KINDS)
def test_the_checker_can_fail(kind: str) -> None:
    """A vector with a wrong expected result is caught, for every kind."""
    vector = json.loads(json.dumps(next(v for v in vectors().values() if v["kind"] == kind)))
    expected = vector["expected"]
    if kind == "statistics":
        expected["median"] = "0.123"
    elif kind == "size-classes":
        code = next(iter(expected))
        expected[code] = expected[code] % 8 + 1
    elif kind == "peer-groups":
        vector["expected"] = {"groups": {"somewhere": ["GM0001"]}}
    elif kind == "trend":
        expected["values"] = dict.fromkeys(expected["values"], "0.5")
    else:
        vector["expected"] = {"values": {}} if expected.get("refused") else {"refused": True}
    assert CHECKERS[kind](vector) != []


def test_the_chapter_names_the_vector_folder_and_schema() -> None:
    text = CHAPTER.read_text(encoding="utf-8")
    assert "conformance/comparison/" in text
    assert SCHEMA.name in text
