"""The conformance test vectors (specification chapter CNF), run on the reference implementation.

Every vector in ``specs/conformance/`` is validated against its JSON Schema and then run as
CNF-4 says: the input read as an exchange document (XCH), the profile built (PRF-2, PRF-7),
every municipality scored (PRF-5), and every expected value, coverage and contribution
compared within ``AGREEMENT_TOLERANCE`` = 1e-9 absolute (AGG-8); the fingerprint where the
vector pins it. The expected values were worked out by hand (the working is in the chapter),
never taken from this implementation's output: a failure here is either an error in a
vector or a bug in the implementation, and must be investigated as such.

The other tests keep the set of vectors honest: it covers every kind of weighting and metric,
every method and policy, every status and both scopes (CNF-8); the scenario vectors relate
to each other as the scenarios say; every vector is worked out in the chapter; and the
checker itself can fail.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
from referencing import Registry, Resource

from digimaat._version import SPEC_VERSION
from digimaat.exchange import loads
from digimaat.measurement.aggregation import AGREEMENT_TOLERANCE, Method, MissingPolicy
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.metrics import LINEAR_SCORES, Composite, Maturity, Metric
from digimaat.measurement.profiles import (
    _METRICS,
    _WEIGHTINGS,
    BUILTIN_PROFILES,
    Profile,
    ScoreBoard,
    builtin_profile,
)
from digimaat.measurement.weights import Mix, ProductOf, Restrict, Weighting
from digimaat.vocabulary.maturity import EU_ONLINE_AVAILABILITY, MDD_PERCENT, MaturityLevel

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
FOLDER = SPECS / "conformance"
SCHEMA = SPECS / "schema" / "digimaat-conformance-1.0.schema.json"
OFFERINGS_SCHEMA = SPECS / "schema" / "digimaat-offerings-1.0.schema.json"
CHAPTER = SPECS / "13-conformance.md"
BUILTIN = "builtin:"

Vector = dict[str, Any]


# ---------------------------------------------------------------------------- the checker
@cache
def vectors() -> dict[str, Vector]:
    """Every vector file, by its file name without ``.json``."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(FOLDER.glob("*.json"))
    }


def vector_ids() -> list[str]:
    return sorted(vectors())


@cache
def validator() -> jsonschema.protocols.Validator:
    """The vector schema, with the offerings schema it refers to for ``input`` (XCH-16)."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    offerings = json.loads(OFFERINGS_SCHEMA.read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resource(
        offerings["$id"], Resource.from_contents(offerings)
    )
    return jsonschema.Draft202012Validator(schema, registry=registry)


def profile_of(vector: Vector) -> Profile:
    """CNF-4, step 2: a built-in profile by name, or the profile data read by PRF-7."""
    profile = vector["profile"]
    if isinstance(profile, str):
        return builtin_profile(profile.removeprefix(BUILTIN))
    return Profile.from_dict(profile, source=f"{vector['id']}.json#/profile")


def dataset_of(vector: Vector) -> Dataset:
    """CNF-4, step 1: the input read as an exchange document, in its own catalogue."""
    submission = loads(json.dumps(vector["input"]), form="json", name=f"{vector['id']}.json#/input")
    return submission.dataset()


def score(vector: Vector) -> tuple[Profile, Dataset, ScoreBoard]:
    """CNF-4, step 3: every municipality scored with the profile."""
    profile = profile_of(vector)
    ds = dataset_of(vector)
    return profile, ds, profile.score(ds)


def agrees(computed: float, expected: str | None) -> bool:
    """CNF-4 and AGG-8: null means undefined; otherwise defined and within 1e-9 absolute."""
    if expected is None:
        return math.isnan(computed)
    return not math.isnan(computed) and abs(computed - float(expected)) <= AGREEMENT_TOLERANCE


def disagreements(vector: Vector, profile: Profile, ds: Dataset, board: ScoreBoard) -> list[str]:
    """Every way the computed results differ from the vector's expected results (CNF-3, CNF-4)."""
    found: list[str] = []
    expected = vector["expected"]
    pinned = expected.get("fingerprint")
    if pinned is not None and pinned != profile.fingerprint:
        found.append(f"fingerprint: expected {pinned}, computed {profile.fingerprint}")
    municipalities: Mapping[str, Any] = expected["municipalities"]
    if set(municipalities) != set(ds.codes):
        found.append(f"municipalities: expected {sorted(municipalities)}, input has {ds.codes}")
    for code, metrics in sorted(municipalities.items()):
        if code not in ds.codes:
            continue
        i = ds.index_of(code)
        if set(metrics) != set(board.results):
            found.append(
                f"{code}: expected metrics {sorted(metrics)}, profile has {sorted(board.results)}"
            )
        for metric_id, result in metrics.items():
            if metric_id not in board.results:
                continue
            computed = board.results[metric_id]
            for field, value in (("value", computed.value[i]), ("coverage", computed.coverage[i])):
                if not agrees(float(value), result[field]):
                    found.append(
                        f"{code} {metric_id} {field}: expected {result[field]}, computed {value!r}"
                    )
            contributions = result.get("contributions")
            if contributions is None:
                continue
            if set(contributions) != set(ds.uris):
                found.append(
                    f"{code} {metric_id} contributions: expected products {sorted(contributions)}, "
                    f"the dataset has {list(ds.uris)}"
                )
            for j, uri in enumerate(ds.uris):
                if uri in contributions and not agrees(
                    float(computed.contribution[i, j]), contributions[uri]
                ):
                    found.append(
                        f"{code} {metric_id} contribution of {uri}: expected {contributions[uri]}, "
                        f"computed {float(computed.contribution[i, j])!r}"
                    )
    return found


# ---------------------------------------------------------------------------- every vector
@pytest.mark.parametrize("vector_id", vector_ids())
def test_the_vector_is_well_formed(vector_id: str) -> None:
    """CNF-2: the file validates against the schema, is named by its id, and belongs to this
    version of the specification (CNF-6)."""
    vector = vectors()[vector_id]
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator().iter_errors(vector)
    ]
    assert errors == []
    assert vector["id"] == vector_id
    assert vector["spec_version"] == SPEC_VERSION


@pytest.mark.parametrize("vector_id", vector_ids())
def test_the_reference_implementation_agrees_with_the_vector(vector_id: str) -> None:
    """CNF-4: every expected value, coverage and contribution agrees within 1e-9, null is
    undefined, and the fingerprint matches where it is given."""
    vector = vectors()[vector_id]
    assert disagreements(vector, *score(vector)) == []


# ---------------------------------------------------------------------------- the checker can fail
def test_there_are_vectors() -> None:
    assert len(vectors()) >= 25


def test_the_checker_reports_every_kind_of_disagreement() -> None:
    """CNF-4: a value off by more than 1e-9, a defined value where null is expected, a wrong
    contribution, a missing product, a missing metric and a wrong fingerprint are each found."""
    vector = vectors()["cnf-scenario-3-volume"]
    profile, ds, board = score(vector)
    assert disagreements(vector, profile, ds, board) == []
    cases: list[tuple[str, Any]] = [
        ("value", lambda m: m["fully-online"].update(value="0.0196078451")),
        ("value", lambda m: m["maturity"].update(value=None)),
        ("coverage", lambda m: m["authentication-fit"].update(coverage="0")),
        (
            "contribution",
            lambda m: m["fully-online"]["contributions"].update(
                {"http://standaarden.overheid.nl/owms/terms/parkeervergunning": "0.000000002"}
            ),
        ),
        ("contributions", lambda m: m["fully-online"]["contributions"].popitem()),
        ("expected metrics", lambda m: m.pop("uptake")),
    ]
    for needle, change in cases:
        broken = copy.deepcopy(vector)
        change(broken["expected"]["municipalities"]["GM0622"])
        found = disagreements(broken, profile, ds, board)
        assert len(found) == 1, (needle, found)
        assert needle in found[0], (needle, found)
    # A difference of less than the tolerance is agreement (AGG-8): 1/51 + 5e-10.
    close = copy.deepcopy(vector)
    close["expected"]["municipalities"]["GM0622"]["fully-online"]["value"] = "0.0196078436"
    assert disagreements(close, profile, ds, board) == []
    wrong = copy.deepcopy(vector)
    wrong["expected"]["fingerprint"] = "sha256:" + "0" * 64
    assert [f[:12] for f in disagreements(wrong, profile, ds, board)] == ["fingerprint:"]


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    """CNF-2: the schema is a JSON Schema of draft 2020-12 with an $id, a title and a
    description, published beside the schema of the exchange format."""
    document = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(document)
    assert document["$id"].endswith("/specs/schema/digimaat-conformance-1.0.schema.json")
    assert document["title"]
    assert document["description"]


def test_the_schema_rejects_malformed_vectors() -> None:
    """CNF-2, CNF-3: the schema is not vacuous. It refuses a number where a decimal string is
    expected, a decimal outside [0, 1], an unknown member, a missing coverage, a malformed
    fingerprint, an unknown built-in profile, an unknown metric kind, and an input that is
    not an exchange document."""
    base = vectors()["cnf-weighting-mix"]
    changes: list[Any] = [
        lambda v: v["expected"]["municipalities"]["GM0622"]["maturity"].update(value=0.5),
        lambda v: v["expected"]["municipalities"]["GM0622"]["maturity"].update(value="1.5"),
        lambda v: v["expected"]["municipalities"]["GM0622"]["maturity"].update(value="-0"),
        lambda v: v.update(comment="unknown member"),
        lambda v: v["expected"]["municipalities"]["GM0622"]["maturity"].pop("coverage"),
        lambda v: v["expected"].update(fingerprint="sha256:ABC"),
        lambda v: v.update(profile="builtin:digimaat-everything"),
        lambda v: v["profile"]["metrics"][0].update(kind="median"),
        lambda v: v["profile"]["weighting"].update(kind="population"),
        lambda v: v["input"].update(format="digimaat-profile"),
        lambda v: v["input"]["offerings"][0].update(volumes={"web": "20"}),
    ]
    assert list(validator().iter_errors(base)) == []
    for k, change in enumerate(changes):
        broken = copy.deepcopy(base)
        change(broken)
        assert list(validator().iter_errors(broken)), f"change {k} was accepted"


# ---------------------------------------------------------------------------- coverage (CNF-8)
def weighting_kinds(weighting: Weighting) -> Iterator[str]:
    yield weighting.kind
    if isinstance(weighting, ProductOf):
        yield from weighting_kinds(weighting.left)
        yield from weighting_kinds(weighting.right)
    elif isinstance(weighting, Mix):
        for part, _ in weighting.parts:
            yield from weighting_kinds(part)
    elif isinstance(weighting, Restrict):
        yield from weighting_kinds(weighting.base)


def all_metrics() -> list[tuple[Profile, Metric]]:
    return [
        (profile, metric)
        for profile in (profile_of(v) for v in vectors().values())
        for metric in profile.metrics
    ]


def test_the_vectors_cover_every_kind_of_weighting_and_metric() -> None:
    """CNF-8: The vectors MUST cover every weighting kind and every metric kind."""
    profiles = [profile_of(v) for v in vectors().values()]
    weightings = {kind for p in profiles for kind in weighting_kinds(p.weighting)}
    assert weightings == set(_WEIGHTINGS)
    assert {metric.kind for _, metric in all_metrics()} == set(_METRICS)


def test_the_vectors_cover_every_method_policy_and_scope() -> None:
    """CNF-8: The vectors MUST cover every composite method, with a part where lower is
    better, every missing-value policy, both scopes and the maturity score tables of MAT-6."""
    composites = [m for _, m in all_metrics() if isinstance(m, Composite)]
    assert {c.method for c in composites} == set(Method)
    assert any(part.direction < 0 for c in composites for part, _ in c.parts)
    assert {profile_of(v).missing for v in vectors().values()} == set(MissingPolicy)
    assert {getattr(m, "scope", None) for _, m in all_metrics()} >= {"reference", "all"}
    tables = {m.scores for _, m in all_metrics() if isinstance(m, Maturity)}
    mdd = tuple(MDD_PERCENT[level] / 100 for level in MaturityLevel)
    eu = tuple(EU_ONLINE_AVAILABILITY[level] / 100 for level in MaturityLevel)
    assert {LINEAR_SCORES, mdd, eu} <= tables


def test_the_vectors_cover_every_status() -> None:
    """CNF-8: The vectors MUST cover each of the five statuses of AGG-2, a cell without a
    record included."""
    statuses = set()
    for vector in vectors().values():
        offerings = vector["input"]["offerings"]
        statuses |= {o.get("status") or "offered" for o in offerings}
        products = {o["product"] for o in offerings}
        for municipality in vector["input"]["municipalities"]:
            code = municipality["cbs_code"]
            if {o["product"] for o in offerings if o["municipality"] == code} != products:
                statuses.add("no record")
    assert statuses == {"offered", "not-offered", "not-applicable", "unknown", "no record"}


# ---------------------------------------------------------------------------- the scenarios
def expected(vector_id: str) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = vectors()[vector_id]["expected"]["municipalities"]
    return result


def test_scenario_2_removing_digid_raises_fit_and_worsens_nothing() -> None:
    """MET-5: Lowering the used level of a cell with a barrier to the required level MUST NOT
    lower its fit, MUST NOT raise its barrier or its shortfall, and MUST NOT lower any
    composite in which these metrics enter with their directions."""
    before, after = expected("cnf-scenario-2-before"), expected("cnf-scenario-2-after")
    profile = profile_of(vectors()["cnf-scenario-2-before"])
    directions = {m.id: m.direction for m in profile.metrics}
    for metric_id, old in before["GM0622"].items():
        new = after["GM0622"][metric_id]
        if old["value"] is None:
            assert new["value"] is None, metric_id
            continue
        change = Decimal(new["value"]) - Decimal(old["value"])
        assert change * directions[metric_id] >= 0, metric_id
    for metric_id in ("authentication-fit", "digimaat-score"):
        assert Decimal(after["GM0622"][metric_id]["value"]) > Decimal(
            before["GM0622"][metric_id]["value"]
        )
    assert Decimal(after["GM0622"]["authentication-barrier"]["value"]) < Decimal(
        before["GM0622"]["authentication-barrier"]["value"]
    )


def test_scenario_4_volumes_per_month_give_the_results_per_year() -> None:
    """WGT-2: The unit of time in which volumes were given MUST NOT change any value."""
    assert expected("cnf-scenario-4-monthly") == expected("cnf-scenario-3-volume")
    _, _, monthly = score(vectors()["cnf-scenario-4-monthly"])
    _, _, yearly = score(vectors()["cnf-scenario-3-volume"])
    for metric_id, result in monthly.results.items():
        np.testing.assert_allclose(
            result.value, yearly.results[metric_id].value, rtol=0, atol=AGREEMENT_TOLERANCE
        )


def test_scenario_3_per_product_is_half_and_per_request_one_in_fifty_one() -> None:
    """WGT-2: per product 1/2 = 0.5, per request 20/1020 = 1/51 (question 4 of INT)."""
    equal = expected("cnf-scenario-3-equal")["GM0622"]["fully-online"]["value"]
    volume = expected("cnf-scenario-3-volume")["GM0622"]["fully-online"]["value"]
    assert Decimal(equal) == Decimal("0.5")
    assert abs(Decimal(volume) * 51 - 1) < Decimal("1e-18")


def test_scenario_5_a_local_target_changes_only_local_attainment() -> None:
    """MET-4: A local target MUST NOT change the value, coverage or contributions of any
    metric that uses the reference target, nor of any other metric of this chapter."""
    results = expected("cnf-scenario-5-local-target")
    without, with_target = results["GM0606"], results["GM0622"]
    changed = {m for m in without if without[m] != with_target[m]}
    assert changed == {"local-attainment"}


def test_scenario_6_the_order_of_records_changes_nothing() -> None:
    """AGG-1: the same offerings, municipalities and products given in any order MUST give the
    same values, coverages and contributions; in the reference implementation identical to
    the last bit."""
    a, b = vectors()["cnf-scenario-6-order-a"], vectors()["cnf-scenario-6-order-b"]
    assert a["input"]["offerings"] != b["input"]["offerings"]
    assert a["input"]["municipalities"] != b["input"]["municipalities"]
    assert a["expected"] == b["expected"]
    _, _, board_a = score(a)
    _, _, board_b = score(b)
    for metric_id, result in board_a.results.items():
        other = board_b.results[metric_id]
        assert result.value.tobytes() == other.value.tobytes()
        assert result.coverage.tobytes() == other.coverage.tobytes()
        assert result.contribution.tobytes() == other.contribution.tobytes()


# ---------------------------------------------------------------------------- the chapter
CLAUSE = re.compile(r"\*\*([A-Z]{3}-[0-9]+(?:\.[0-9]+)?)\.\*\*")
SECTION = re.compile(r"^### `(cnf-[a-z0-9-]+)`", re.MULTILINE)


def test_every_vector_is_worked_out_in_the_chapter() -> None:
    """CNF-7: every hand-checked vector has its working in the chapter, and the chapter works
    out no vector that does not exist."""
    worked = SECTION.findall(CHAPTER.read_text(encoding="utf-8"))
    assert len(worked) == len(set(worked))
    hand_checked = {i for i, v in vectors().items() if v["hand_checked"]}
    assert hand_checked == set(vectors())
    assert set(worked) == hand_checked


def test_every_clause_a_vector_names_exists() -> None:
    """INT-7: vectors refer to clauses by identifier; every identifier is a clause of the
    specification."""
    clauses = set()
    for chapter in SPECS.glob("[0-9][0-9]-*.md"):
        clauses |= set(CLAUSE.findall(chapter.read_text(encoding="utf-8")))
    named = {clause for v in vectors().values() for clause in v["clauses"]}
    assert named - clauses == set()


def decimals(data: Any) -> Iterator[str]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key in ("value", "coverage") and isinstance(value, str):
                yield value
            elif key == "contributions":
                yield from value.values()
            else:
                yield from decimals(value)


def test_every_expected_decimal_is_short_or_has_17_significant_digits() -> None:
    """CNF-3: an expected decimal is exact where a short exact decimal exists, and otherwise
    has at least 17 significant digits. A decimal of 11 to 16 digits is neither: it is
    typically a binary64 result pasted in, which this rule keeps out."""
    for vector_id, vector in vectors().items():
        for text in decimals(vector["expected"]):
            digits = text.replace(".", "").lstrip("0")
            assert len(digits) <= 10 or len(digits) >= 17, (vector_id, text)


def test_the_builtin_profiles_of_the_vectors_exist() -> None:
    names = {v["profile"] for v in vectors().values() if isinstance(v["profile"], str)}
    assert names <= {BUILTIN + name for name in BUILTIN_PROFILES}
