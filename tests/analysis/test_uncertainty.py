"""Tests of specification chapter UNC, analysis side: the design (UNC-6), the statistics
(UNC-7, UNC-8), the Sobol' indices (UNC-9), reproducibility (UNC-10) and the test vectors
(UNC-11), and the command ``digimaat uncertainty``.

The vectors' expected numbers were worked out by hand (the working is in the chapter);
the other expected numbers here come from the clauses' own definitions, computed
independently of the implementation (numpy's ``inverted_cdf`` quantiles, SALib's own
``sobol.analyze``, numpy's PCG64 streams).
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from referencing import Registry, Resource

from digimaat.analysis.uncertainty import (
    Design,
    analyse,
    analyse_chunks,
    analyse_files,
    rank_intervals,
    ranks,
)
from digimaat.analysis.uncertainty_statistics import _quantile, _rank_quantiles
from digimaat.cli import main
from digimaat.errors import InvalidValueError, MeasurementError
from digimaat.exchange.profiles import load_profile
from digimaat.measurement.aggregation import AGREEMENT_TOLERANCE
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.profiles import Profile, standard_profile
from digimaat.measurement.uncertainty import UncertaintySection
from digimaat.measurement.weights import Equal, Volume

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
VECTORS = SPECS / "conformance" / "uncertainty"
SCHEMA = SPECS / "schema" / "digimaat-uncertainty-vector-1.0.schema.json"
OFFERINGS_SCHEMA = SPECS / "schema" / "digimaat-offerings-1.0.schema.json"
EXAMPLE_PROFILE = SPECS / "examples" / "profile-uncertainty.toml"
EXAMPLE_DATA = ROOT / "src" / "digimaat" / "data" / "example.json"


@cache
def example_profile() -> Profile:
    return load_profile(EXAMPLE_PROFILE)


@cache
def example_data() -> Dataset:
    from digimaat.exchange import load_dataset

    return load_dataset(EXAMPLE_DATA)


def synthetic(municipalities: int = 12, products: int = 30, seed: int = 3) -> Dataset:
    """A small synthetic dataset from the benchmarks' generator."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import generate

        return generate.national(seed, municipalities, products).dataset()
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


# ---------------------------------------------------------------------- UNC-6
class TestDesign:
    """UNC-6: the same section, dataset, N and seed give the same design, bit for bit."""

    def design(self, samples: int = 100, seed: int = 5, cells: int = 3) -> Design:
        section = example_profile().uncertainty
        assert section is not None
        return Design.build(section, (2, 2, 2), 4, 10, cells, samples, seed)

    def test_streams_are_numpys_pcg64_children_of_the_seed(self) -> None:
        """UNC-6.2: plain coordinates from SeedSequence(seed, spawn_key=(i, 0)), A then B;
        cell c from draws 2c and 2c + 1 of spawn_key=(i, 1)."""
        design = self.design(cells=3)
        plain = 3 + 4 + 10 + 10  # three choices, four parts, two groups of ten products
        a, b = design.uniforms(7, slice(0, 3))
        child = np.random.SeedSequence(5).spawn(8)[7].spawn(2)
        first = np.random.default_rng(child[0]).random(2 * plain)
        cells = np.random.default_rng(child[1]).random(6)
        assert np.array_equal(a, np.r_[first[:plain], cells[0::2]])
        assert np.array_equal(b, np.r_[first[plain:], cells[1::2]])
        # A range of cells is reached without drawing the ones before it.
        a2, b2 = design.uniforms(7, slice(2, 3))
        assert a2[-1] == a[-1]
        assert b2[-1] == b[-1]

    def test_radial_order(self) -> None:
        """UNC-6.2: a base row gives A, A with each group from B, then B."""
        design = self.design()
        groups = len(design.groups)
        points = design.points(0, groups + 2, slice(0, 3))
        a, b = design.uniforms(0, slice(0, 3))
        assert np.array_equal(points[0], a)
        assert np.array_equal(points[-1], b)
        column = 0
        for g, group in enumerate(design.groups):
            width = 3 if group.name == "authentication" else group.width
            expected = a.copy()
            expected[column : column + width] = b[column : column + width]
            assert np.array_equal(points[g + 1], expected)
            column += width

    def test_samples_is_the_largest_multiple(self) -> None:
        """UNC-6.2: B = floor(N / (G + 2)) base rows, at least 2."""
        design = self.design(samples=100)
        assert len(design.groups) == 7
        assert (design.base, design.evaluations) == (11, 99)
        with pytest.raises(InvalidValueError, match="at least 18"):
            self.design(samples=17)

    def test_the_seed_must_be_a_whole_number(self) -> None:
        """UNC-6: a seed is an integer from 0 to 2**63 - 1."""
        with pytest.raises(InvalidValueError):
            self.design(seed=-1)

    def test_option_from_a_coordinate(self) -> None:
        """UNC-6.3: a choice of n options takes floor(u n); a factor 1 - r + 2 r u. UNC-3.1: a
        choice is one factor, the index of one of the n options of its list; UNC-3.2: one
        continuous factor per part of every composite."""
        design = self.design()
        samples = design.samples(0, 9, slice(0, 3), 4, 10)
        points = design.points(0, 9, slice(0, 3))
        assert np.array_equal(samples.weighting, np.floor(points[:, 0] * 2).astype(int))
        assert np.array_equal(samples.part_factors, 1 - 0.25 + 0.5 * points[:, 3:7])
        assert samples.authentication is not None
        assert np.array_equal(samples.authentication, np.floor(points[:, -3:] * 4).astype(int))

    def test_exhaustive_lexicographic(self) -> None:
        """UNC-6.1: every combination once, the first factor varying slowest."""
        section = UncertaintySection(weightings=(Equal(), Volume()), missing=("drop", "zero"))
        design = Design.build(section, (2, 1, 2), 0, 10, 0, 1, 0)
        assert design.exhaustive
        assert design.evaluations == 4
        samples = design.samples(0, 4, slice(0, 0), 0, 10)
        assert samples.weighting.tolist() == [0, 0, 1, 1]
        assert samples.missing.tolist() == [0, 1, 0, 1]


class TestLevelsDesign:
    """UNC-6 for uncertain levels (UNC-3.5): a stream of their own, and each cell's own
    number of options."""

    SECTION = UncertaintySection(
        product_weights=0.1,
        levels={"unknown": ("offline", "information", "online-submission"), "proactive": (6, 0)},
    )

    def test_streams_and_options(self) -> None:
        """UNC-6.2: uncertain level c takes draws 2c and 2c + 1 of the stream spawn_key=(i, 2);
        UNC-6.3: its option is floor(u n) with n the number of levels of its state."""
        counts = [3, 2, 3, 2]
        design = Design.build(self.SECTION, (1, 1, 1), 0, 5, 0, 40, 11, counts)
        assert [g.name for g in design.groups] == ["product-weights", "levels"]
        a, b = design.uniforms(4, slice(0, 0), slice(0, 4))
        child = np.random.SeedSequence(11).spawn(5)[4].spawn(3)
        plain = np.random.default_rng(child[0]).random(10)
        cells = np.random.default_rng(child[2]).random(8)
        assert np.array_equal(a, np.r_[plain[:5], cells[0::2]])
        assert np.array_equal(b, np.r_[plain[5:], cells[1::2]])
        samples = design.samples(0, 8, slice(0, 0), 0, 5, slice(0, 4), counts)
        points = design.points(0, 8, slice(0, 0), slice(0, 4))
        assert samples.levels is not None
        assert np.array_equal(samples.levels, np.floor(points[:, 5:] * np.array(counts)))
        # A range of cells gets the draws it has in the whole.
        tail = design.samples(0, 8, slice(0, 0), 0, 5, slice(2, 4), counts[2:])
        assert tail.levels is not None
        assert np.array_equal(tail.levels, samples.levels[:, 2:])

    def test_exhaustive_counts_each_cells_options(self) -> None:
        """UNC-6.1: the combinations are the product of every cell's number of options,
        enumerated with the first cell varying slowest."""
        section = UncertaintySection(levels={"unknown": ("offline", "information", "proactive")})
        design = Design.build(section, (1, 1, 1), 0, 5, 0, 1, 0, [3, 1, 2])
        assert design.exhaustive
        assert design.evaluations == 6
        samples = design.samples(0, 6, slice(0, 0), 0, 5, slice(0, 3))
        assert samples.levels is not None
        assert samples.levels.tolist() == [
            [0, 0, 0],
            [0, 0, 1],
            [1, 0, 0],
            [1, 0, 1],
            [2, 0, 0],
            [2, 0, 1],
        ]
        too_many = Design.build(section, (1, 1, 1), 0, 5, 0, 40, 0, [3] * 8)
        assert not too_many.exhaustive  # 3**8 = 6561 > 4096


def levels_profile() -> Profile:
    data = example_profile().to_dict()
    data["uncertainty"]["levels"] = {
        "unknown": ["offline", "information", "online-submission"],
        "online-submission": ["information", "online-submission"],
        "fully-online": ["online-submission", "fully-online"],
    }
    return Profile.from_dict(data)


def test_uncertain_levels_whatever_the_chunks_or_the_scheduler() -> None:
    """UNC-10 with uncertain levels: the same results whatever the chunk size, chunks of
    municipalities, or Dask."""
    ds = synthetic(municipalities=9, products=20)
    profile = levels_profile()
    whole = analyse(ds, profile, samples=110, seed=5, chunk=40, pairs=[("GM0001", "GM0002")])
    assert whole.groups[-1] == "levels"
    again = analyse(ds, profile, samples=110, seed=5, chunk=9, pairs=[("GM0001", "GM0002")])
    assert again.to_dict() == whole.to_dict()
    parts = analyse_chunks(
        [ds.take_municipalities(range(0, 4)), ds.take_municipalities(range(4, 9))],
        profile,
        samples=110,
        seed=5,
        chunk=30,
        pairs=[("GM0001", "GM0002")],
    )
    assert parts.to_dict() == whole.to_dict()
    there = analyse(
        ds, profile, samples=110, seed=5, chunk=25, pairs=[("GM0001", "GM0002")], scheduler="local"
    )
    assert there.to_dict() == whole.to_dict()


# ---------------------------------------------------------------------- UNC-7
@given(
    values=st.lists(st.integers(0, 20).map(lambda k: k / 20), min_size=1, max_size=40),
    p=st.sampled_from((0.05, 0.5, 0.95)),
)
def test_quantile_rule_is_inverted_cdf(values: list[float], p: float) -> None:
    """UNC-7.1: the quantile p of n values is the value at position ceil(p n) of the
    sorted values: numpy's method inverted_cdf."""
    ordered = np.sort(np.array(values))[None, :]
    got = _quantile(ordered, np.array([len(values)]), p)[0]
    assert got == np.quantile(np.array(values), p, method="inverted_cdf")


@given(ranked=st.lists(st.integers(0, 40), min_size=1, max_size=60))
def test_rank_quantiles_leave_out_samples_without_a_rank(ranked: list[int]) -> None:
    """UNC-7: quantiles of the rank over the samples in which it is defined (rank 0: none)."""
    got = _rank_quantiles(np.array([ranked], dtype=np.int32), (0.05, 0.5, 0.95))
    defined = [r for r in ranked if r > 0]
    for q, p in zip(got, (0.05, 0.5, 0.95), strict=True):
        if defined:
            assert q[0] == np.quantile(np.array(defined), p, method="inverted_cdf")
        else:
            assert np.isnan(q[0])


@given(
    values=st.lists(
        st.integers(0, 8).map(lambda k: k / 8) | st.just(float("nan")), min_size=1, max_size=12
    ),
    direction=st.sampled_from((1, -1)),
)
def test_ranks_are_competition_ranks(values: list[float], direction: int) -> None:
    """UNC-7.2: the rank is 1 plus the number of strictly better defined values; an
    undefined value has no rank (0)."""
    v = np.array(values)
    got = ranks(v, direction)
    for i, x in enumerate(values):
        if np.isnan(x):
            assert got[i] == 0
        else:
            better = sum(1 for y in values if not np.isnan(y) and direction * (y - x) > 0)
            assert got[i] == better + 1


def test_values_within_the_tolerance_tie() -> None:
    """UNC-7.2: consecutive values that differ by at most 1e-9 tie."""
    v = np.array([0.3, 0.3 + AGREEMENT_TOLERANCE / 2, 0.3 - 2 * AGREEMENT_TOLERANCE, 0.1])
    assert ranks(v).tolist() == [1, 1, 3, 4]


# ---------------------------------------------------------------------- UNC-9
def test_sobol_estimates_are_salibs() -> None:
    """UNC-9: in a sampled design the indices are SALib's first_order (Saltelli 2010) and
    total_order (Jansen) estimators: the same numbers SALib's own sobol.analyze gives for
    the rank shifts, in SALib's order of outputs."""
    from SALib.analyze import sobol

    profile = example_profile()
    result = analyse(example_data(), profile, samples=360, seed=11, metrics=["digimaat-score"])
    # Rebuild the rank shifts from the definition (UNC-9) and feed SALib's analyze.
    from digimaat.analysis.uncertainty import _options
    from digimaat.measurement.uncertainty import BatchScorer

    ds = example_data()
    scorer = BatchScorer(profile, ds, ["digimaat-score"])
    assert profile.uncertainty is not None
    design = Design.build(
        profile.uncertainty, _options(profile), scorer.parts, len(ds.uris), 0, 360, 11
    )
    values = scorer.score(design.samples(0, design.evaluations, slice(0, 0), scorer.parts, 10))
    nominal = ranks(profile.score(ds).results["digimaat-score"].value)
    shift = np.abs(ranks(values[:, 0, :]) - nominal).mean(axis=1)
    groups = [g.name for g in design.groups]
    problem = {
        "num_vars": len(groups),
        "names": groups,
        "bounds": [[0, 1]] * len(groups),
        "groups": groups,
    }
    salib = sobol.analyze(problem, shift, calc_second_order=False, num_resamples=2, seed=1)
    ours = {i.group: i for i in result.sobol}
    for k, name in enumerate(groups):
        first, total = ours[name].first_order, ours[name].total_order
        assert first is not None
        assert total is not None
        assert abs(first - salib["S1"][k]) <= 1e-12
        assert abs(total - salib["ST"][k]) <= 1e-12


# ---------------------------------------------------------------------- UNC-10
def test_results_do_not_depend_on_chunks_or_order() -> None:
    """UNC-10: identical to the last bit whatever the chunk size and the order of the
    municipalities in the input."""
    ds = synthetic()
    profile = example_profile()
    pairs = [("GM0001", "GM0002")]
    first = analyse(ds, profile, samples=200, seed=3, chunk=64, pairs=pairs).to_dict()
    assert analyse(ds, profile, samples=200, seed=3, chunk=7, pairs=pairs).to_dict() == first
    shuffled = Dataset.from_offerings(
        ds.to_offerings()[::-1], ds.municipalities[::-1], products=ds.uris
    )
    again = analyse(shuffled, profile, samples=200, seed=3, chunk=33, pairs=pairs)
    assert again.to_dict() == first
    other_seed = analyse(ds, profile, samples=200, seed=4, chunk=64, pairs=pairs).to_dict()
    assert other_seed != first


def test_chunks_of_municipalities_give_the_same_results() -> None:
    """UNC-10: a population given in chunks of municipalities is analysed as a whole."""
    ds = synthetic(municipalities=10)
    profile = example_profile()
    whole = analyse(ds, profile, samples=120, seed=9, chunk=50)
    parts = analyse_chunks(
        [ds.take_municipalities(range(0, 4)), ds.take_municipalities(range(4, 10))],
        profile,
        samples=120,
        seed=9,
        chunk=50,
    )
    assert parts.to_dict() == whole.to_dict()


def test_dask_gives_the_in_process_results() -> None:
    """UNC-10: on a Dask LocalCluster of processes the results are those of the process."""
    ds = synthetic(municipalities=8, products=20)
    profile = example_profile()
    here = analyse(ds, profile, samples=180, seed=21, chunk=40, pairs=[("GM0001", "GM0003")])
    there = analyse(
        ds,
        profile,
        samples=180,
        seed=21,
        chunk=25,
        pairs=[("GM0001", "GM0003")],
        scheduler="local",
    )
    assert there.to_dict() == here.to_dict()


def test_a_profile_without_a_section_is_refused() -> None:
    """UNC-1: the analysis needs a declared section."""
    with pytest.raises(MeasurementError, match="declares no uncertainty section"):
        analyse(example_data(), standard_profile(), samples=10, seed=1)


def test_rank_intervals_are_plain_data() -> None:
    """The rank intervals, for comparisons and reports, as plain data."""
    result = analyse(example_data(), example_profile(), samples=90, seed=1)
    intervals = rank_intervals(result, "digimaat-score")
    assert set(intervals) == {"GM0556", "GM0606", "GM0622"}
    for interval in intervals.values():
        low, median, high = interval["low"], interval["median"], interval["high"]
        assert low is not None
        assert median is not None
        assert high is not None
        assert 1 <= low <= median <= high <= 3
    json.dumps(result.to_dict(), allow_nan=False)


# ---------------------------------------------------------------------- UNC-11
def vector_files() -> list[Path]:
    return sorted(VECTORS.glob("*.json"))


@cache
def validator() -> Any:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    offerings = json.loads(OFFERINGS_SCHEMA.read_text(encoding="utf-8"))
    registry: Registry[Any] = Registry().with_resource(
        OFFERINGS_SCHEMA.name, Resource.from_contents(offerings)
    )
    return jsonschema.Draft202012Validator(schema, registry=registry)


def agree(expected: str | None, computed: float | None) -> bool:
    if expected is None or computed is None:
        return expected is None and computed is None
    return abs(Decimal(repr(computed)) - Decimal(expected)) <= Decimal(repr(AGREEMENT_TOLERANCE))


def check_vector(vector: dict[str, Any], tmp: Path) -> list[str]:
    """Every disagreement of the reference implementation with a vector (UNC-11)."""
    path = tmp / f"{vector['id']}.json"
    path.write_text(json.dumps(vector["input"]), encoding="utf-8")
    profile = Profile.from_dict(vector["profile"])
    result = analyse_files(
        [path],
        profile,
        samples=vector["samples"],
        seed=vector["seed"],
        metrics=list(vector["expected"]["metrics"]),
        pairs=[tuple(p) for p in vector["pairs"]],
    )
    expected = vector["expected"]
    problems = []
    for key in ("design", "evaluations", "groups"):
        got = getattr(result, key)
        if (list(got) if key == "groups" else got) != expected[key]:
            problems.append(f"{key}: expected {expected[key]!r}, got {got!r}")
    for metric, by_code in expected["metrics"].items():
        for code, fields in by_code.items():
            spread = attrs.asdict(result.spread(metric, code))
            for field, value in fields.items():
                ok = (
                    spread[field] == value
                    if field.endswith("rank")
                    else agree(value, spread[field])
                )
                if not ok:
                    problems.append(
                        f"{metric} {code} {field}: expected {value}, got {spread[field]}"
                    )
    pairs = {(p.metric, p.first, p.second): p.probability for p in result.pairs}
    for pair in expected["pairs"]:
        got = pairs.get((pair["metric"], pair["first"], pair["second"]))
        if not agree(pair["probability"], got):
            problems.append(f"pair {pair}: got {got}")
    sobol = {(i.metric, i.group): i for i in result.sobol}
    for index in expected["sobol"]:
        mine = sobol.get((index["metric"], index["group"]))
        if mine is None:
            problems.append(f"sobol {index}: missing")
            continue
        for field in ("first_order", "total_order"):
            if not agree(index[field], getattr(mine, field)):
                problems.append(f"sobol {index}: {field} got {getattr(mine, field)}")
    return problems


@pytest.mark.parametrize("path", vector_files(), ids=lambda p: p.stem)
def test_vector(path: Path, tmp_path: Path) -> None:
    """UNC-11: the reference implementation agrees with every uncertainty test vector."""
    vector = json.loads(path.read_text(encoding="utf-8"))
    validator().validate(vector)
    assert vector["id"] == path.stem
    assert vector["hand_checked"] is True
    assert check_vector(vector, tmp_path) == []


def test_there_are_vectors_and_each_is_worked_out_in_the_chapter() -> None:
    """UNC-11: every vector is worked out by hand in the chapter."""
    chapter = (SPECS / "15-uncertainty.md").read_text(encoding="utf-8")
    assert vector_files()
    for path in vector_files():
        assert f"### `{path.stem}`" in chapter


def test_the_checker_can_fail(tmp_path: Path) -> None:
    """A vector with one number changed in its last place that matters fails."""
    vector = json.loads(vector_files()[0].read_text(encoding="utf-8"))
    metric = next(iter(vector["expected"]["metrics"]))
    code = next(iter(vector["expected"]["metrics"][metric]))
    vector["expected"]["metrics"][metric][code]["low"] = "0.5000001"
    vector["expected"]["metrics"][metric][code]["median_rank"] = 3
    vector["expected"]["sobol"][0]["total_order"] = "0.1"
    assert len(check_vector(vector, tmp_path)) == 3


# ---------------------------------------------------------------------- the command
def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_command_table_and_json() -> None:
    """``digimaat uncertainty`` prints spreads, pairs and indices; JSON has them all."""
    args = [
        "uncertainty",
        str(EXAMPLE_DATA),
        "--profile",
        str(EXAMPLE_PROFILE),
        "--samples",
        "90",
        "--seed",
        "4",
        "--pairs",
        "GM0606:GM0622",
    ]
    code, out, err = run(*args)
    assert (code, err) == (0, "")
    assert "digimaat-score" in out
    assert "GM0606  GM0622" in out
    assert "Sobol'" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    code, out, _ = run(*args, "--format", "json")
    data = json.loads(out)
    assert data["kind"] == "uncertainty"
    assert data["evaluations"] == 90  # 10 base rows of 7 groups + 2
    direct = analyse(
        example_data(), example_profile(), samples=90, seed=4, pairs=[("GM0606", "GM0622")]
    )
    assert data["metrics"] == json.loads(json.dumps(direct.to_dict()["metrics"]))
    assert [s["municipality"] for s in data["metrics"]["digimaat-score"]] == [
        "GM0556",
        "GM0606",
        "GM0622",
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--samples", "10", "--seed", "1"], "declares no uncertainty section"),
        (
            ["--profile", str(EXAMPLE_PROFILE), "--samples", "10", "--seed", "1"],
            "samples: must be at least 18",
        ),
        (
            ["--profile", str(EXAMPLE_PROFILE), "--samples", "90", "--seed", "1", "--pairs", "x"],
            "--pairs takes CODE:CODE",
        ),
        (
            ["--profile", str(EXAMPLE_PROFILE), "--samples", "90", "--seed", "1", "--metric", "no"],
            "is not a metric of the profile",
        ),
    ],
)
def test_command_errors(argv: list[str], message: str) -> None:
    """Bad arguments end with exit code 2 and a message, never a traceback."""
    code, out, err = run("uncertainty", str(EXAMPLE_DATA), *argv)
    assert code == 2
    assert out == ""
    assert message in err


@settings(max_examples=5)
@given(seed=st.integers(0, 2**63 - 1))
def test_any_seed_is_reproducible(seed: int) -> None:
    """UNC-10: the same seed gives the same results on every run."""
    a = analyse(example_data(), example_profile(), samples=36, seed=seed)
    b = analyse(example_data(), example_profile(), samples=36, seed=seed, chunk=5)
    assert a.to_dict() == b.to_dict()


def test_limits_are_enforced() -> None:
    """The number of samples and the chunk size are bounded; pairs name municipalities."""
    section = example_profile().uncertainty
    assert section is not None
    with pytest.raises(InvalidValueError, match="at most 10,000,000"):
        Design.build(section, (2, 2, 2), 4, 10, 0, 10_000_001, 1)
    with pytest.raises(InvalidValueError, match="chunk"):
        analyse(example_data(), example_profile(), samples=90, seed=1, chunk=0)
    with pytest.raises(InvalidValueError, match="GM9999"):
        analyse(example_data(), example_profile(), samples=90, seed=1, pairs=[("GM9999", "x")])


def test_command_on_a_scheduler_address() -> None:
    """``--dask ADDRESS`` runs on the scheduler at that address, with the same numbers."""
    from distributed import LocalCluster

    args = [
        "uncertainty",
        str(EXAMPLE_DATA),
        "--profile",
        str(EXAMPLE_PROFILE),
        "--samples",
        "90",
        "--seed",
        "8",
        "--format",
        "json",
    ]
    _, here, _ = run(*args)
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        code, there, err = run(*args, "--dask", cluster.scheduler_address)
    assert (code, err) == (0, "")
    assert json.loads(there) == json.loads(here)


# ---------------------------------------------------------------------- UNC-7.3, compare
def test_ranks_within_a_set_are_the_ranks_among_its_members() -> None:
    """UNC-7.3: "the members of the set that are in the data and whose value is defined
    are ranked among themselves as UNC-7.2 ranks all municipalities"; checked on an
    exhaustive design against one whole scoring per combination, ranked within the set by
    :func:`ranks` and summarised with numpy's inverted_cdf quantiles."""
    from digimaat.measurement.uncertainty import BatchScorer, sample_dataset, sample_profile

    data = example_profile().to_dict()
    data["uncertainty"] = {
        "weightings": [{"kind": "equal"}, {"kind": "volume"}],
        "methods": ["arithmetic", "geometric"],
        "missing": ["drop", "zero"],
    }
    profile = Profile.from_dict(data)
    ds = example_data()
    members = ["GM0606", "GM0622", "GM9999"]  # one not in the data: left out
    result = analyse(ds, profile, samples=8, seed=0, within={"pair": members})
    assert result.design == "exhaustive"
    scorer = BatchScorer(profile, ds)
    design = Design.build(profile.uncertainty, (2, 2, 2), scorer.parts, len(ds.uris), 0, 8, 0)  # type: ignore[arg-type]
    samples = design.samples(0, 8, slice(0, 0), scorer.parts, len(ds.uris))
    inside = [ds.index_of("GM0606"), ds.index_of("GM0622")]
    for metric in result.metrics:
        direction = next(m.direction for m in profile.metrics if m.id == metric)
        per_sample = []
        for k in range(8):
            board = sample_profile(profile, ds, samples, k).score(
                sample_dataset(ds, profile.uncertainty, samples, k)  # type: ignore[arg-type]
            )
            per_sample.append(ranks(board.results[metric].value[inside], direction))
        table = np.array(per_sample)
        for j, code in enumerate(["GM0606", "GM0622"]):
            got = result.rank_within("pair", metric, code)
            assert got is not None
            assert got.members == 2
            defined = table[:, j][table[:, j] > 0]
            if not len(defined):
                assert got.median_rank is None
                continue
            for p, field in ((0.05, "rank_low"), (0.5, "median_rank"), (0.95, "rank_high")):
                assert getattr(got, field) == np.quantile(defined, p, method="inverted_cdf")
    assert result.rank_within("pair", "digimaat-score", "GM0556") is None
    everyone = analyse(ds, profile, samples=8, seed=0, within={"all": list(ds.codes)})
    for s in everyone.spreads["digimaat-score"]:
        r = everyone.rank_within("all", "digimaat-score", s.municipality)
        assert r is not None
        assert (r.nominal_rank, r.median_rank, r.rank_low, r.rank_high) == (
            s.nominal_rank,
            s.median_rank,
            s.rank_low,
            s.rank_high,
        )


COMPARE = [
    "compare",
    str(EXAMPLE_DATA),
    "--profile",
    str(EXAMPLE_PROFILE),
    "--samples",
    "90",
    "--seed",
    "4",
]


def test_compare_shows_rank_intervals_beside_the_ranks() -> None:
    """CMP-12.1: a comparison asked how sure its ranks are SHOULD show beside every rank its
    rank interval from one analysis of the data compared: ``compare --samples N --seed S``
    gives the interval of every group beside its rank, in the overview and per
    municipality, as the analysis computes them (UNC-7, UNC-7.3)."""
    direct = analyse(
        example_data(),
        example_profile(),
        samples=90,
        seed=4,
        within={"size class 4": ["GM0556"], "size class 5": ["GM0606", "GM0622"]},
    )
    code, out, err = run(*COMPARE, "--pairs", "GM0606:GM0622")
    assert (code, err) == (0, "")
    assert "Rank intervals: sampled design of 90 samples, seed 4" in out
    assert "5-95%" in out
    assert "P(first ranks above second)" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    schiedam = direct.spread("digimaat-score", "GM0606")
    row = next(line for line in out.splitlines() if "GM0606" in line and "Schiedam" in line)
    assert f" {schiedam.rank_low}-{schiedam.rank_high} " in row
    code, out, err = run(*COMPARE, "--municipality", "GM0606")
    assert code == 0
    within = direct.rank_within("size class 5", "maturity", "GM0606")
    assert within is not None
    table = out.split("in size class 5")[1].split("\n\n")[0]
    line = next(x for x in table.splitlines() if x.startswith("maturity "))
    expected = (
        str(within.rank_low)
        if within.rank_low == within.rank_high
        else f"{within.rank_low}-{within.rank_high}"
    )
    assert f" {expected} " in line


def test_compare_json_and_csv_carry_the_intervals() -> None:
    """JSON: each group's median rank and rank interval, each municipality's spreads and
    the design (UNC-10); CSV: the same as columns of the long table."""
    code, out, _ = run(*COMPARE, "--format", "json", "--pairs", "GM0606:GM0622")
    assert code == 0
    data = json.loads(out)
    assert data["uncertainty"]["design"] == "sampled"
    assert data["uncertainty"]["evaluations"] == 90
    assert data["uncertainty"]["pairs"][0]["first"] == "GM0606"
    first = data["municipalities"][0]
    direct = analyse(example_data(), example_profile(), samples=90, seed=4, metrics=["maturity"])
    spread = direct.spread("maturity", first["municipality"])
    assert first["intervals"]["maturity"]["low"] == spread.low
    every = next(g for g in first["groups"] if g["kind"] == "all")
    assert every["metrics"]["maturity"]["rank_low"] == spread.rank_low
    assert every["metrics"]["maturity"]["rank_high"] == spread.rank_high
    code, out, _ = run(*COMPARE, "--format", "csv")
    assert code == 0
    header = out.splitlines()[0].split(",")
    assert header[-5:] == ["median_rank", "rank_low", "rank_high", "low", "high"]
    plain, _out, _err = run("compare", str(EXAMPLE_DATA), "--format", "csv")
    assert plain == 0
    assert "rank_low" not in _out  # without --samples the output is as it was


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--samples", "90", "--seed", "1"], "declares an uncertainty section"),
        (["--profile", str(EXAMPLE_PROFILE), "--samples", "90"], "--samples needs --seed"),
        (["--profile", str(EXAMPLE_PROFILE), "--seed", "3"], "go with --samples"),
        (["--profile", str(EXAMPLE_PROFILE), "--pairs", "GM0606:GM0622"], "go with --samples"),
        (
            ["--profile", str(EXAMPLE_PROFILE), "--samples", "90", "--seed", "1", "--pairs", "x"],
            "--pairs takes CODE:CODE",
        ),
    ],
)
@pytest.mark.parametrize("command", ["compare", "report"])
def test_interval_options_are_checked(
    command: str, argv: list[str], message: str, tmp_path: Path
) -> None:
    """The interval options go together and need a profile with a section: otherwise a
    usage error (exit code 2) with a message, and nothing written."""
    output = tmp_path / "r.html"
    extra = ["-o", str(output)] if command == "report" else []
    code, out, err = run(command, str(EXAMPLE_DATA), *extra, *argv)
    assert code == 2
    assert out == ""
    assert message in err
    assert not output.exists()
