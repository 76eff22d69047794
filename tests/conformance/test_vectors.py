"""The conformance test vectors (specification chapter CNF), run on the reference implementation.

Every vector in ``specs/conformance/`` is validated against its JSON Schema and then run by
the package's conformance runner (:mod:`digimaat.conformance`), as CNF-4 and CNF-9 say: for
a scores vector, the input read as an exchange document (XCH), the profile built (PRF-2,
PRF-7), every municipality scored (PRF-5), and every expected value, coverage and
contribution compared within ``AGREEMENT_TOLERANCE`` = 1e-9 absolute (AGG-8), with the
fingerprint, canonical form, decompositions and priorities where the vector pins them; for
a fingerprint vector, the canonical form and the fingerprint; for a rejection vector, the
clauses of the problems raised. The expected values were worked out by hand (the working is
in the chapter), never taken from this implementation's output: a failure here is either an
error in a vector or a bug in the implementation, and must be investigated as such.

The other tests keep the set of vectors honest: it covers every kind of weighting and metric,
every method and policy, every status and both scopes (CNF-8); the scenario vectors relate
to each other as the scenarios say; every vector is worked out in the chapter; and the
runner itself can fail.
"""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import numpy as np
import pytest
from referencing import Registry, Resource

from digimaat._version import SPEC_VERSION, keeps_numbers_of
from digimaat.conformance import (
    Outcome,
    agrees,
    main,
    run_directory,
    run_vector,
    succeeded,
    vector_dataset,
    vector_profile,
)
from digimaat.errors import InputError
from digimaat.measurement.aggregation import AGREEMENT_TOLERANCE, Method, MissingPolicy
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.metrics import LINEAR_SCORES, Composite, Maturity, Metric
from digimaat.measurement.profile_data import _METRICS, _weightings
from digimaat.measurement.profiles import BUILTIN_PROFILES, Profile, ScoreBoard
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


# ---------------------------------------------------------------------------- the vectors
@cache
def vectors() -> dict[str, Vector]:
    """Every vector file, by its file name without ``.json``."""
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted(FOLDER.glob("*.json"))
    }


def vector_ids() -> list[str]:
    return sorted(vectors())


def of_kind(kind: str) -> dict[str, Vector]:
    return {i: v for i, v in vectors().items() if v["kind"] == kind}


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
    return vector_profile(vector)


def score(vector: Vector) -> tuple[Profile, Dataset, ScoreBoard]:
    """CNF-4, steps 1 to 3: every municipality scored with the profile."""
    profile = vector_profile(vector)
    ds = vector_dataset(vector)
    return profile, ds, profile.score(ds)


def outcome_of(vector: Vector) -> Outcome:
    return run_vector(copy.deepcopy(vector), f"{vector['id']}.json")


# ---------------------------------------------------------------------------- every vector
@pytest.mark.parametrize("vector_id", vector_ids())
def test_the_vector_is_well_formed(vector_id: str) -> None:
    """CNF-2: the file validates against the schema, is named by its id, and belongs to this
    version of the specification or to an earlier release of its MAJOR version, whose
    vectors stay valid (CNF-6, VER-2)."""
    vector = vectors()[vector_id]
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator().iter_errors(vector)
    ]
    assert errors == []
    assert vector["id"] == vector_id
    assert keeps_numbers_of(vector["spec_version"])
    assert vector["spec_version"] in ("1.0", SPEC_VERSION)


@pytest.mark.parametrize("vector_id", vector_ids())
def test_the_reference_implementation_agrees_with_the_vector(vector_id: str) -> None:
    """CNF-4, CNF-9: the runner finds no difference: every expected value, coverage and
    contribution agrees within 1e-9, null is undefined, the fingerprint, canonical form,
    decompositions and priorities match where given, and an input to reject is rejected
    with problems that name exactly the clauses expected. No vector is skipped: every
    problem this implementation raises names its clause."""
    outcome = outcome_of(vectors()[vector_id])
    assert outcome.status == "pass", outcome.differences or outcome.reason


def test_the_runner_runs_the_whole_folder() -> None:
    """CNF-5: the runner reports every vector of the folder, by id."""
    outcomes = run_directory(FOLDER)
    assert [o.vector for o in outcomes] == vector_ids()
    assert [o.vector for o in outcomes if o.status != "pass"] == []
    assert succeeded(outcomes, strict=True)


def test_the_command_passes_every_vector_strictly() -> None:
    """CNF-5: a conformance report names the specification version and the vectors passed
    and failed; with --strict a vector that is not checked counts as failed, and the
    published vectors, rejection vectors included, all pass."""
    out = io.StringIO()
    assert main(["--strict", str(FOLDER)], out) == 0
    report = out.getvalue().splitlines()
    rejections = of_kind("rejection")
    assert len(rejections) >= 40
    assert {line.split()[1] for line in report if line.startswith("PASS ")} == set(vectors())
    assert report[-1].endswith(f"{len(vectors())} passed, 0 failed, 0 skipped or not vectors")


# ---------------------------------------------------------------------------- the runner can fail
def test_there_are_vectors() -> None:
    assert len(of_kind("scores")) >= 35
    assert of_kind("fingerprint")


def test_the_runner_reports_every_kind_of_disagreement() -> None:
    """CNF-4: a value off by more than 1e-9, a defined value where null is expected, a wrong
    contribution, a missing product, a missing metric, a wrong fingerprint and a wrong
    canonical form are each found, one difference each."""
    vector = vectors()["cnf-scenario-3-volume"]
    assert outcome_of(vector).status == "pass"
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
        outcome = outcome_of(broken)
        assert outcome.status == "fail", needle
        assert len(outcome.differences) == 1, (needle, outcome.differences)
        assert needle in outcome.first_difference, (needle, outcome.differences)
    # A difference of less than the tolerance is agreement (AGG-8): 1/51 + 5e-10.
    close = copy.deepcopy(vector)
    close["expected"]["municipalities"]["GM0622"]["fully-online"]["value"] = "0.0196078436"
    assert outcome_of(close).status == "pass"
    wrong = copy.deepcopy(vector)
    wrong["expected"]["fingerprint"] = "sha256:" + "0" * 64
    assert [f[:12] for f in outcome_of(wrong).differences] == ["fingerprint:"]
    form = copy.deepcopy(vector)
    form["expected"]["canonical_json"] = "{}"
    assert [f[:15] for f in outcome_of(form).differences] == ["canonical form:"]


def test_the_runner_checks_the_order_of_decompositions_and_priorities() -> None:
    """CNF-3: a decomposition or a list of priorities in another order, or a gain that
    differs by more than the tolerance, is a difference."""
    with_explain = [v for v in of_kind("scores").values() if "priorities" in v["expected"]]
    assert with_explain, "no vector pins priorities"
    vector = with_explain[0]
    assert outcome_of(vector).status == "pass"
    for code, rankings in vector["expected"]["priorities"].items():
        for by, listed in rankings.items():
            if listed:
                broken = copy.deepcopy(vector)
                broken["expected"]["priorities"][code][by][0]["gain"] = "0.000002"
                assert "gain of" in outcome_of(broken).first_difference
            broken = copy.deepcopy(vector)
            broken["expected"]["priorities"][code][by] = [
                {"product": "urn:x:none", "gain": "0.5"},
                *listed,
            ]
            assert f"priorities of {code} by {by}" in outcome_of(broken).first_difference
    for code, metrics in vector["expected"].get("decompositions", {}).items():
        for metric_id, order in metrics.items():
            broken = copy.deepcopy(vector)
            broken["expected"]["decompositions"][code][metric_id] = [*order[::-1], "urn:x"]
            assert "decomposition of" in outcome_of(broken).first_difference


def test_the_runner_refuses_what_is_not_a_vector(tmp_path: Path) -> None:
    """CNF-2: a file that is not a vector of a known kind is reported as an error, not run."""
    vector = vectors()["cnf-weighting-mix"]
    cases = {
        "not-json": "{",
        "array": "[]",
        "no-format": json.dumps({**vector, "format": "x"}),
        "unknown-kind": json.dumps({**vector, "kind": "median"}),
        "extra-member": json.dumps({**vector, "comment": "x"}),
        "no-expected": json.dumps({k: v for k, v in vector.items() if k != "expected"}),
    }
    for name, text in cases.items():
        (tmp_path / f"{name}.json").write_text(text, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a vector", encoding="utf-8")
    outcomes = run_directory(tmp_path)
    assert [Path(o.source).stem for o in outcomes] == sorted(cases)
    assert {o.status for o in outcomes} == {"error"}, outcomes
    assert all(o.reason for o in outcomes)


@pytest.mark.parametrize("version", ["2.0", "1.9", "1.0-draft", "1.1-draft", "1", "1.01x"])
def test_a_vector_of_another_version_is_skipped(version: str) -> None:
    """CNF-6: an implementation reports a vector of any other version (a later MINOR,
    another MAJOR, a draft) as not checked."""
    vector = {**vectors()["cnf-weighting-mix"], "spec_version": version}
    outcome = outcome_of(vector)
    assert outcome.status == "skip"
    assert version in outcome.reason


@pytest.mark.parametrize("version", ["1.0", SPEC_VERSION])
def test_a_vector_of_an_earlier_release_is_checked(version: str) -> None:
    """CNF-6: an implementation checks the vectors of the version it implements and those
    of the earlier releases of the same MAJOR version (VER-2)."""
    vector = {**vectors()["cnf-weighting-mix"], "spec_version": version}
    assert outcome_of(vector).status == "pass"


def test_agreement_is_judged_exactly_on_the_decimal() -> None:
    """CNF-4: the computed binary64 number and the expected decimal differ by at most 1e-9."""
    assert agrees(0.5, "0.500000001")
    assert not agrees(0.5, "0.5000000011")
    assert not agrees(float("nan"), "0")


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
        for profile in (profile_of(v) for v in of_kind("scores").values())
        for metric in profile.metrics
    ]


def test_the_vectors_cover_every_kind_of_weighting_and_metric() -> None:
    """CNF-8: The vectors MUST cover every weighting kind and every metric kind."""
    profiles = [profile_of(v) for v in of_kind("scores").values()]
    weightings = {kind for p in profiles for kind in weighting_kinds(p.weighting)}
    assert weightings == set(_weightings())
    assert {metric.kind for _, metric in all_metrics()} == set(_METRICS)


def test_the_vectors_cover_every_method_policy_and_scope() -> None:
    """CNF-8: The vectors MUST cover every composite method, with a part where lower is
    better, every missing-value policy, both scopes and the maturity score tables of MAT-6."""
    composites = [m for _, m in all_metrics() if isinstance(m, Composite)]
    assert {c.method for c in composites} == set(Method)
    assert any(part.direction < 0 for c in composites for part, _ in c.parts)
    assert {profile_of(v).missing for v in of_kind("scores").values()} == set(MissingPolicy)
    assert {getattr(m, "scope", None) for _, m in all_metrics()} >= {"reference", "all"}
    tables = {m.scores for _, m in all_metrics() if isinstance(m, Maturity)}
    mdd = tuple(MDD_PERCENT[level] / 100 for level in MaturityLevel)
    eu = tuple(EU_ONLINE_AVAILABILITY[level] / 100 for level in MaturityLevel)
    assert {LINEAR_SCORES, mdd, eu} <= tables


def test_the_vectors_cover_every_status() -> None:
    """CNF-8: The vectors MUST cover each of the five statuses of AGG-2, a cell without a
    record included."""
    statuses = set()
    for vector in of_kind("scores").values():
        offerings = vector["input"]["offerings"]
        statuses |= {o.get("status") or "offered" for o in offerings}
        products = {o["product"] for o in offerings}
        for municipality in vector["input"]["municipalities"]:
            code = municipality["cbs_code"]
            if {o["product"] for o in offerings if o["municipality"] == code} != products:
                statuses.add("no record")
    assert statuses == {"offered", "not-offered", "not-applicable", "unknown", "no record"}


def test_the_vectors_cover_the_cases_of_1_0() -> None:
    """CNF-8: The vectors MUST together cover ... `zero` on a metric whose direction is −1,
    a metric that does not apply (MET-1.2), a mix over a metric whose subject is narrower
    than the applicable cells (WGT-10), every kind of comparison of AGG-10 with numbers that
    tie, and the canonical bytes and fingerprint of every built-in profile (PRF-4)."""
    scores = of_kind("scores")
    assert any(
        profile_of(v).missing is MissingPolicy.ZERO
        and any(m.direction < 0 for m in profile_of(v).metrics)
        for v in scores.values()
    )
    not_applying = False
    for vector in scores.values():
        board = score(vector)[2]
        not_applying |= any(not r.applies.all() for r in board.results.values())
    assert not_applying
    assert any(
        isinstance(profile_of(v).weighting, Mix)
        and any(getattr(m, "kind", "") == "authentication-fit" for m in profile_of(v).metrics)
        for v in scores.values()
    )
    minimum = [m for _, m in all_metrics() if isinstance(m, Composite)]
    assert any(m.method is Method.MINIMUM for m in minimum)
    explained = [v["expected"] for v in scores.values()]
    assert any("decompositions" in e for e in explained)
    assert any(
        not listed
        for e in explained
        for r in e.get("priorities", {}).values()
        for listed in r.values()
    )
    pinned = {
        v["profile"] for v in of_kind("fingerprint").values() if isinstance(v["profile"], str)
    }
    assert pinned == {BUILTIN + name for name in BUILTIN_PROFILES}
    assert {"AGG-10"} <= {c for v in scores.values() for c in v["clauses"]}


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
    for vector_id, vector in of_kind("scores").items():
        for text in decimals(vector["expected"]):
            digits = text.replace(".", "").lstrip("0")
            assert len(digits) <= 10 or len(digits) >= 17, (vector_id, text)


def test_the_builtin_profiles_of_the_vectors_exist() -> None:
    names = {v["profile"] for v in vectors().values() if isinstance(v.get("profile"), str)}
    assert names <= {BUILTIN + name for name in BUILTIN_PROFILES}


def test_the_vectors_are_the_files_of_the_folder_beside_the_chapters() -> None:
    """CNF-1: The test vectors ... are the JSON files of the folder `conformance/` beside the
    chapters, one file per vector, each named after the vector's id with `.json` added."""
    files = sorted(p.name for p in FOLDER.iterdir() if p.is_file())
    assert files == sorted(f"{vector_id}.json" for vector_id in vector_ids())
    assert FOLDER.parent == SPECS
    assert {v["kind"] for v in vectors().values()} == {"scores", "fingerprint", "rejection"}


# ---------------------------------------------------------------------------- rejection
def _rejection(subject: str, given: Any, problems: list[str], **extra: Any) -> Vector:
    return {
        "format": "digimaat-conformance",
        "kind": "rejection",
        "spec_version": SPEC_VERSION,
        "id": "cnf-reject-test",
        "title": "t",
        "clauses": ["CNF-9"],
        "description": "d",
        "hand_checked": True,
        "subject": subject,
        "input": given,
        "expected": {"problems": problems},
        **extra,
    }


@attrs.frozen
class _Attributed:
    """A problem that names its clause, as the exchange readers' problems will."""

    clause: str

    def __str__(self) -> str:
        return f"a problem of {self.clause}"


def test_rejection_vectors_compare_the_sets_of_clauses(monkeypatch: pytest.MonkeyPatch) -> None:
    """CNF-9: the implementation passes the vector when the set of the clause ids of its
    problems equals the expected set; it fails when it accepts the input; where its problems
    carry no clause ids it reports the vector as not checked. The input may be a JSON value,
    the text of a JSON document (that need not be JSON at all) or the text of a CSV file."""
    from digimaat import conformance

    valid = vectors()["cnf-weighting-mix"]["input"]
    accepted = run_vector(_rejection("offerings", valid, ["XCH-5"]))
    assert accepted.status == "fail"
    assert "accepted" in accepted.first_difference
    for given, extra, clauses in (
        ({"format": "digimaat-offerings"}, {}, ["XCH-5"]),
        ("{not json", {"media_type": "application/json"}, ["XCH-5"]),
        ("municipality,product\nGM0622,\n", {"media_type": "text/csv"}, ["XCH-11"]),
    ):
        outcome = run_vector(_rejection("offerings", given, clauses, **extra))
        assert outcome.status == "pass", outcome
        outcome = run_vector(_rejection("offerings", given, ["PRF-1"], **extra))
        assert outcome.status == "fail", outcome

    def raising(*clauses: str) -> Any:
        def read(*args: Any, **kwargs: Any) -> None:
            raise InputError([_Attributed(c) for c in clauses])  # type: ignore[misc]

        return read

    monkeypatch.setattr(conformance, "loads", raising("XCH-5", "XCH-5", "MUN-2"))
    assert run_vector(_rejection("offerings", {}, ["MUN-2", "XCH-5"])).status == "pass"
    wrong = run_vector(_rejection("offerings", {}, ["XCH-5"]))
    assert wrong.status == "fail"
    assert "MUN-2" in wrong.first_difference
    not_a_vector = run_vector(_rejection("profile", "x", ["PRF-1"], media_type="text/csv"))
    assert not_a_vector.status == "error"
