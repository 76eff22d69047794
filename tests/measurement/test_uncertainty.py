"""Tests of specification chapter UNC, measurement side: the uncertainty section of a
profile (UNC-1, UNC-2), samples and their scores (UNC-3, UNC-4) and batch scoring (UNC-5).

The batch scorer is checked against the definition of UNC-4: the score of a sample is
what a whole :meth:`Profile.score` of the sample profile on the sample dataset gives
(:func:`sample_profile`, :func:`sample_dataset`), which these tests build one sample at a
time.
"""

from __future__ import annotations

import json
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import InputError, InvalidValueError, MeasurementError
from digimaat.exchange.profiles import dumps_profile, loads_profile
from digimaat.measurement.aggregation import Method, MissingPolicy, combine
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.profiles import Profile, builtin_profile, standard_profile
from digimaat.measurement.uncertainty import (
    BatchScorer,
    Samples,
    UncertaintySection,
    authentication_cells,
    level_cells,
    sample_dataset,
    sample_profile,
    with_maturity,
)
from digimaat.measurement.weights import Equal, Mix, Volume
from digimaat.vocabulary.assurance import AssuranceLevel
from digimaat.vocabulary.maturity import MaturityLevel
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import Offering
from digimaat.vocabulary.products import UPL_NAMESPACE, Catalogue, Product
from tests.measurement.strategies import WORLD_SETTINGS, World, gates_up_to, worlds

TOLERANCE = 1e-12
"""Batch scores and one scoring per sample differ by rounding only (UNC-5)."""

SECTION = {
    "weightings": [{"kind": "equal"}, {"kind": "volume"}],
    "methods": ["arithmetic", "geometric", "minimum"],
    "missing": ["drop", "zero", "propagate"],
    "part_weights": 0.25,
    "product_weights": 0.25,
    "volumes": 0.5,
    "authentication": ["none", "low", "substantial", "high"],
    "levels": {
        "unknown": ["offline", "information", "online-submission", "fully-online"],
        "online-submission": ["information", "downloadable-form", "online-submission"],
        "fully-online": ["online-submission", "fully-online"],
    },
}


def with_section(section: dict[str, Any], base: Profile | None = None) -> Profile:
    data = (base or standard_profile()).to_dict()
    data["name"] = "with-section"
    data["uncertainty"] = section
    return Profile.from_dict(data)


PROFILE = with_section(SECTION)


def random_samples(scorer: BatchScorer, n: int, seed: int, factors: bool = True) -> Samples:
    """``n`` samples of the scorer's section, drawn from ``seed``."""
    rng = np.random.default_rng(seed)
    section = scorer.section
    p = len(scorer.dataset.uris)

    def choice(options: tuple[Any, ...]) -> np.ndarray[Any, Any]:
        return rng.integers(0, max(1, len(options)), n)

    return Samples(
        weighting=choice(section.weightings),
        method=choice(section.methods),
        missing=choice(section.missing),
        part_factors=rng.uniform(0.75, 1.25, (n, scorer.parts)) if factors else None,
        product_factors=rng.uniform(0.75, 1.25, (n, p)) if factors else None,
        volume_factors=rng.uniform(0.5, 1.5, (n, p)) if factors else None,
        authentication=rng.integers(0, len(section.authentication), (n, len(scorer.cells)))
        if section.authentication
        else None,
        levels=(rng.random((n, len(scorer.level_cells))) * scorer.level_counts).astype(np.intp)
        if section.levels
        else None,
    )


def one_by_one(profile: Profile, ds: Dataset, samples: Samples, ids: tuple[str, ...]) -> Any:
    """``[n, metrics, m]`` by one whole scoring per sample (UNC-4)."""
    section = profile.uncertainty or UncertaintySection()
    out = []
    for k in range(samples.size):
        board = sample_profile(profile, ds, samples, k).score(
            sample_dataset(ds, section, samples, k)
        )
        out.append(np.stack([board.results[mid].value for mid in ids]))
    return np.stack(out)


# ---------------------------------------------------------------------- UNC-1
class TestSection:
    """UNC-1: the section is profile data, written whole, part of the fingerprint."""

    def test_round_trip_through_files_keeps_the_fingerprint(self) -> None:
        """UNC-1: "A writer MUST write every field of the section, defaults included"; the
        fingerprint does not depend on the file format (PRF-4)."""
        written = PROFILE.to_dict()["uncertainty"]
        assert written == {**SECTION, "part_weights": 0.25, "volumes": 0.5}
        again = loads_profile(dumps_profile(PROFILE), form="json")
        assert again == PROFILE
        assert again.fingerprint == PROFILE.fingerprint

    def test_the_section_changes_the_fingerprint(self) -> None:
        """UNC-1: the section is part of the canonical form and fingerprint; a default
        written out or left out changes nothing."""
        assert PROFILE.fingerprint != attrs.evolve(PROFILE, uncertainty=None).fingerprint
        sparse = with_section({"methods": ["arithmetic", "geometric"]})
        full = with_section(
            {
                "weightings": [],
                "methods": ["arithmetic", "geometric"],
                "missing": [],
                "part_weights": 0,
                "product_weights": 0.0,
                "volumes": 0,
                "authentication": [],
                "levels": {},
            }
        )
        assert sparse.fingerprint == full.fingerprint
        assert "uncertainty" in sparse.canonical()
        reordered = with_section({"methods": ["geometric", "arithmetic"]})
        assert reordered.fingerprint != sparse.fingerprint  # the order selects options

    def test_a_profile_without_a_section_keeps_its_fingerprint(self) -> None:
        """UNC-1: "A profile without a section has no member uncertainty, and its canonical
        form and fingerprint are those it has without this chapter" (the fingerprint of
        digimaat-volume is pinned by the conformance vectors, CNF-3)."""
        volume = builtin_profile("digimaat-volume")
        assert "uncertainty" not in volume.to_dict()
        assert "uncertainty" not in volume.canonical()
        assert volume.fingerprint == (
            "sha256:31eb21c9bbf992031dcec3ff00bc8276db65e6c01c1f8fcbd0cc93c5bf3a24ec"
        )

    def test_every_problem_is_reported_with_its_pointer(self) -> None:
        """UNC-1: a reader MUST reject unknown keys, wrong types, unknown names and options
        listed twice, reporting every problem together with its JSON pointer."""
        data = standard_profile().to_dict()
        data["uncertainty"] = {
            "weightings": [{"kind": "equal"}, {"kind": "heavy"}],
            "methods": ["arithmetic", "median"],
            "missing": "drop",
            "part_weights": 1.0,
            "volumes": True,
            "authentication": ["low", 3],
            "colour": "red",
        }
        with pytest.raises(InputError) as raised:
            Profile.from_dict(data, source="p.json")
        where = sorted(p.location or "" for p in raised.value.problems)
        assert where == [
            "/uncertainty/authentication/1",
            "/uncertainty/colour",
            "/uncertainty/methods/1",
            "/uncertainty/missing",
            "/uncertainty/part_weights",
            "/uncertainty/volumes",
            "/uncertainty/weightings/1/kind",
        ]
        assert all(p.source == "p.json" for p in raised.value.problems)

    def test_an_option_listed_twice_is_rejected(self) -> None:
        """UNC-1: an option listed twice MUST be rejected."""
        with pytest.raises(InputError) as raised:
            with_section({"missing": ["drop", "zero", "drop"]})
        (problem,) = raised.value.problems
        assert problem.location == "/uncertainty/missing/2"
        assert "twice" in problem.message

    def test_toml(self) -> None:
        """UNC-1: "In TOML the section is the table [uncertainty]"."""
        text = dumps_profile(PROFILE)
        as_toml = "\n".join(
            [
                'name = "t"',
                'version = "1"',
                'headline = "s"',
                'weighting = { kind = "equal" }',
                "[[metrics]]",
                'kind = "availability"',
                'id = "s"',
                'title = "S"',
                "[uncertainty]",
                'weightings = [{ kind = "equal" }, { kind = "volume" }]',
                "part_weights = 0",
            ]
        )
        profile = loads_profile(as_toml, form="toml")
        assert profile.uncertainty == UncertaintySection(weightings=(Equal(), Volume()))
        assert json.loads(text)["uncertainty"]["authentication"] == SECTION["authentication"]


# ---------------------------------------------------------------------- UNC-2
class TestFit:
    """UNC-2: a section MUST fit its profile."""

    def test_the_profiles_own_choices_must_be_listed(self) -> None:
        """UNC-2: a listed weightings, missing or methods MUST include the profile's own."""
        with pytest.raises(InputError) as raised:
            with_section(
                {
                    "weightings": [{"kind": "volume"}],
                    "missing": ["zero"],
                    "methods": ["geometric"],
                }
            )
        assert sorted(p.location or "" for p in raised.value.problems) == [
            "/uncertainty/methods",
            "/uncertainty/missing",
            "/uncertainty/weightings",
        ]

    def test_composite_choices_need_a_composite(self) -> None:
        """UNC-2: methods and part_weights other than their defaults need a composite."""
        with pytest.raises(InputError) as raised:
            with_section(
                {"methods": ["arithmetic"], "part_weights": 0.1}, builtin_profile("mdd-product")
            )
        assert len(raised.value.problems) == 2

    def test_volume_uncertainty_refuses_a_mix_of_volumes(self) -> None:
        """UNC-2: volumes > 0 MUST NOT be combined with a mix with a part based on volumes."""
        mixed = attrs.evolve(standard_profile(), weighting=Mix(((Equal(), 1), (Volume(), 1))))
        with pytest.raises(InputError, match="mix"):
            attrs.evolve(mixed, uncertainty=UncertaintySection(volumes=0.1))
        attrs.evolve(mixed, uncertainty=UncertaintySection(product_weights=0.1))  # fine


# ---------------------------------------------------------------------- UNC-3, UNC-4, UNC-5
def test_uncertain_authentication_cells() -> None:
    """UNC-3.4: offered, at level 3 or higher, authentication not recorded."""

    def up_to(level: int) -> list[str]:
        return [c.value for c in gates_up_to(level)]

    uris = [UPL_NAMESPACE + tail for tail in ("bezafspr", "paspoort", "verhuismelding")]
    ds = Dataset.from_offerings(
        [
            Offering("GM0606", uris[0], capabilities=up_to(4)),
            Offering("GM0606", uris[1], capabilities=up_to(2)),
            Offering("GM0606", uris[2], capabilities=up_to(3), authentication="DigiD Midden"),
        ],
        [Municipality("GM0606", "Schiedam", 79279, 2021)],
    )
    assert authentication_cells(ds).tolist() == [0]


@given(world=worlds(), seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6))
@WORLD_SETTINGS
def test_batch_scores_are_one_scoring_per_sample(world: World, seed: int, n: int) -> None:
    """UNC-5: an implementation MAY compute the scores of samples in any way whose values
    agree with UNC-4 within the tolerance of AGG-8 (here within 1e-12), and MUST keep
    every value in its range. The samples carry every kind of factor: choices (UNC-3.1),
    part weights ("a sample multiplies each part weight by its factor", UNC-3.2) and
    product weights and volumes ("multiplies the raw weight of every cell of a product by
    the product's factor", UNC-3.3)."""
    ds = world.dataset()
    scorer = BatchScorer(PROFILE, ds)
    samples = random_samples(scorer, n, seed)
    batch = scorer.score(samples)
    expected = one_by_one(PROFILE, ds, samples, scorer.metric_ids)
    assert np.array_equal(np.isnan(batch), np.isnan(expected))
    assert np.nanmax(np.abs(batch - expected), initial=0.0) <= TOLERANCE
    finite = batch[~np.isnan(batch)]
    assert ((finite >= 0) & (finite <= 1)).all()


@given(world=worlds(), seed=st.integers(0, 2**32 - 1))
@WORLD_SETTINGS
def test_choices_alone_give_the_profiles_own_numbers_exactly(world: World, seed: int) -> None:
    """UNC-5: "A batch that varies only choices is scored by the reductions of AGG-3
    themselves, so it gives the nominal numbers exactly": a sample with the profile's own
    options and no perturbation is the nominal result, bit for bit."""
    ds = world.dataset()
    section = UncertaintySection(
        weightings=(Equal(), Volume()),
        missing=(MissingPolicy.DROP, MissingPolicy.ZERO),
        methods=(Method.ARITHMETIC, Method.GEOMETRIC),
    )
    profile = attrs.evolve(standard_profile(), uncertainty=section)
    scorer = BatchScorer(profile, ds)
    rng = np.random.default_rng(seed)
    n = 5
    samples = Samples(rng.integers(0, 2, n), rng.integers(0, 2, n), rng.integers(0, 2, n))
    batch = scorer.score(samples)
    for k in range(n):
        board = sample_profile(profile, ds, samples, k).score(ds)
        expected = np.stack([board.results[mid].value for mid in scorer.metric_ids])
        assert np.array_equal(batch[k], expected, equal_nan=True)
    nominal = Samples(np.zeros(1, np.intp), np.zeros(1, np.intp), np.zeros(1, np.intp))
    board = standard_profile().score(ds)
    expected = np.stack([board.results[mid].value for mid in scorer.metric_ids])
    assert np.array_equal(scorer.score(nominal)[0], expected, equal_nan=True)


@given(world=worlds(), seed=st.integers(0, 2**32 - 1))
@WORLD_SETTINGS
def test_unit_factors_give_the_nominal_numbers(world: World, seed: int) -> None:
    """UNC-4: factors of exactly 1 perturb nothing: the matrix products give the nominal
    numbers within the tolerance of UNC-5."""
    ds = world.dataset()
    profile = attrs.evolve(
        standard_profile(), uncertainty=UncertaintySection(product_weights=0.5, part_weights=0.5)
    )
    scorer = BatchScorer(profile, ds)
    one = np.zeros(2, np.intp)
    samples = Samples(
        one, one, one, np.ones((2, scorer.parts)), np.ones((2, len(ds.uris))), None, None
    )
    board = standard_profile().score(ds)
    expected = np.stack([board.results[mid].value for mid in scorer.metric_ids])
    for row in scorer.score(samples):
        assert np.array_equal(np.isnan(row), np.isnan(expected))
        assert np.nanmax(np.abs(row - expected), initial=0.0) <= TOLERANCE


@given(world=worlds(min_municipalities=2), seed=st.integers(0, 2**32 - 1))
@WORLD_SETTINGS
def test_a_samples_numbers_do_not_depend_on_its_batch(world: World, seed: int) -> None:
    """UNC-10: results identical whatever the chunk size: each sample scored alone gives
    the numbers it gets in a batch, to the last bit."""
    ds = world.dataset()
    scorer = BatchScorer(PROFILE, ds)
    samples = random_samples(scorer, 5, seed)
    batch = scorer.score(samples)
    for k in range(samples.size):
        assert np.array_equal(scorer.score(samples.row(k))[0], batch[k], equal_nan=True)


@given(world=worlds(min_municipalities=2), seed=st.integers(0, 2**32 - 1))
@WORLD_SETTINGS
def test_the_order_of_the_input_changes_nothing(world: World, seed: int) -> None:
    """UNC-10 with AGG-1: the same records in another order give the same batch scores."""
    ds = world.dataset()
    reversed_ds = Dataset.from_offerings(
        world.offerings[::-1], world.municipalities[::-1], world.catalogue, products=world.uris
    )
    scorer = BatchScorer(PROFILE, ds)
    samples = random_samples(scorer, 4, seed)
    again = BatchScorer(PROFILE, reversed_ds).score(samples)
    assert np.array_equal(scorer.score(samples), again, equal_nan=True)


@given(
    values=st.lists(
        st.lists(st.floats(0, 1) | st.just(float("nan")), min_size=6, max_size=6),
        min_size=1,
        max_size=4,
    ),
    weights=st.lists(st.floats(0, 4), min_size=24, max_size=24),
    method=st.sampled_from(Method),
    policy=st.sampled_from(MissingPolicy),
)
def test_combine_with_a_weight_per_column(
    values: list[list[float]], weights: list[float], method: Method, policy: MissingPolicy
) -> None:
    """AGG-5 with one weight vector per column: each column is combined exactly as it is
    alone (UNC-5 combines many samples' parts at once)."""
    v = np.array(values)
    k, columns = v.shape
    w = np.array(weights[: k * columns]).reshape(k, columns)
    together, _ = combine(v, w, method, policy)
    for c in range(columns):
        alone, _ = combine(v[:, c : c + 1], w[:, c], method, policy)
        assert np.array_equal(together[c : c + 1], alone, equal_nan=True)


def test_sample_dataset_sets_the_chosen_levels() -> None:
    """UNC-4: the sample dataset has every uncertain authentication at its chosen level."""
    world = uncertain_world()
    ds = world.dataset()
    cells = authentication_cells(ds)
    assert len(cells) == 1
    section = UncertaintySection(authentication=(AssuranceLevel.LOW, AssuranceLevel.HIGH))
    one = np.zeros(1, np.intp)
    samples = Samples(one, one, one, authentication=np.array([[1]]))
    chosen = sample_dataset(ds, section, samples)
    assert int(chosen.auth_level.reshape(-1)[cells[0]]) == int(AssuranceLevel.HIGH)
    assert int(ds.auth_level.reshape(-1)[cells[0]]) == -1


def uncertain_world() -> World:
    """One product offered at online submission, its authentication not recorded."""
    catalogue = Catalogue((Product(uri="urn:example:a", name="a"),))
    offering = Offering("GM0606", "urn:example:a", capabilities=[c.value for c in gates_up_to(3)])
    return World(catalogue, (Municipality("GM0606", "Schiedam", 79279, 2021),), (offering,))


def test_distinct_rows_survive_hash_collisions(monkeypatch: pytest.MonkeyPatch) -> None:
    """Samples that share factors share sums (UNC-5): rows are grouped exactly, even when
    every hash collides."""
    from digimaat.measurement import uncertainty_batch as uncertainty

    rows = np.array([[1.0, 2.0], [3.0, 4.0], [1.0, 2.0], [3.0, 4.5]])
    levels = np.array([[0, 1], [1, 1], [0, 1], [1, 1]], dtype=np.int8)
    first, again = uncertainty._distinct_rows(rows, levels)
    assert first.tolist() == [0, 1, 3]
    assert again.tolist() == [0, 1, 0, 2]
    monkeypatch.setattr(uncertainty, "_MULTIPLIERS", np.zeros(8192, dtype=np.uint64))
    first, again = uncertainty._distinct_rows(rows, levels)
    assert first.tolist() == [0, 1, 3]
    assert again.tolist() == [0, 1, 0, 2]


# ---------------------------------------------------------------------- UNC-3.5
LEVELS = UncertaintySection(
    levels={
        "unknown": ("offline", "information", "online-submission"),
        "online-submission": ("information", "online-submission"),
    }
)


def levels_world() -> tuple[Dataset, list[str]]:
    """Schiedam: a claimed online submission, information only, an unknown offering and,
    in the scope of every product of the data, a product without a record."""
    uris = [UPL_NAMESPACE + tail for tail in ("bezafspr", "paspoort", "parkeervergunning")]
    uris.append(UPL_NAMESPACE + "verhuismelding")

    def up_to(level: int) -> list[str]:
        return [c.value for c in gates_up_to(level)]

    offerings = [
        Offering("GM0606", uris[0], capabilities=up_to(3)),
        Offering("GM0606", uris[1], capabilities=up_to(1)),
        Offering("GM0606", uris[2], status="unknown"),
        Offering("GM0622", uris[3], capabilities=up_to(4), authentication="DigiD Midden"),
    ]
    municipalities = [
        Municipality("GM0606", "Schiedam", 79279, 2021),
        Municipality("GM0622", "Vlaardingen", 74124, 2021),
    ]
    return Dataset.from_offerings(offerings, municipalities, products="offerings"), uris


def test_uncertain_level_cells() -> None:
    """UNC-3.5: a cell whose level is not known (status unknown, or no record within a
    common product scope, AGG-2) is in the state unknown; an offered cell at a listed
    level is in that level's state; the cells are in canonical order."""
    ds, uris = levels_world()
    cells, kinds = level_cells(ds, LEVELS)
    p = len(ds.uris)
    where = [(ds.codes[c // p], ds.uris[c % p].rsplit("/", 1)[1]) for c in cells.tolist()]
    assert where == [
        ("GM0606", "bezafspr"),  # online submission, claimed
        ("GM0606", "parkeervergunning"),  # status unknown
        ("GM0606", "verhuismelding"),  # no record
        ("GM0622", "bezafspr"),  # no record
        ("GM0622", "parkeervergunning"),
        ("GM0622", "paspoort"),
    ]
    assert uris[0] == ds.uris[0]
    assert kinds.tolist() == [1, 0, 0, 0, 0, 0]  # online-submission is the second state


def test_uncertain_levels_that_may_be_online_have_an_uncertain_authentication() -> None:
    """UNC-3.4: an uncertain authentication is a cell without a recorded authentication
    that is offered at level 3 or higher, or whose uncertain level may be."""
    ds, _ = levels_world()
    section = attrs.evolve(LEVELS, authentication=("low", "substantial"))
    assert authentication_cells(ds).tolist() == [0]
    assert authentication_cells(ds, section).tolist() == level_cells(ds, section)[0].tolist()
    offline_only = UncertaintySection(levels={"unknown": ["offline", "information"]})
    assert authentication_cells(ds, offline_only).tolist() == [0]


def test_gates_reach_their_level() -> None:
    """UNC-3.5: a cell set to a level has the capabilities of the gates up to it, from
    which tier gating derives exactly that level (MAT-3), with or without a fee."""
    ds, _ = levels_world()
    cells = np.arange(ds.status.size)
    for level in MaturityLevel:
        chosen = np.full(len(cells), int(level), np.int8)
        sample = with_maturity(ds, cells, chosen)
        derived = sample.with_arrays(capabilities=sample.capabilities, status=sample.status)
        assert (derived.level == int(level)).all()
        assert sample.observed.all()
        waived = sample.with_arrays(fee_override=np.zeros_like(ds.fee_override))
        assert (waived.level == int(level)).all()


def test_sample_dataset_offers_each_uncertain_level_at_its_option() -> None:
    """UNC-4: the sample dataset has every uncertain level offered at the level its
    choice selects; the data as given is unchanged."""
    ds, _ = levels_world()
    cells, _ = level_cells(ds, LEVELS)
    one = np.zeros(1, np.intp)
    samples = Samples(one, one, one, levels=np.array([[0, 2, 0, 1, 2, 1]]))
    chosen = sample_dataset(ds, LEVELS, samples)
    assert chosen.level.reshape(-1)[cells].tolist() == [1, 3, 0, 1, 3, 1]  # ([1, 3], [0, 1, 3])
    assert chosen.observed.reshape(-1)[cells].all()
    assert ds.level.reshape(-1)[cells].tolist() == [3, -1, -1, -1, -1, -1]


def test_a_batch_must_choose_every_uncertain_cell() -> None:
    """UNC-3: a sample gives every factor a value: a batch without a level for every
    uncertain level, or with an option out of range, is refused."""
    ds, _ = levels_world()
    profile = with_section({"levels": LEVELS.to_dict(lambda w: {})["levels"]})
    scorer = BatchScorer(profile, ds)
    one = np.zeros(1, np.intp)
    with pytest.raises(MeasurementError, match="levels must have shape"):
        scorer.score(Samples(one, one, one))
    with pytest.raises(MeasurementError, match="out of range"):
        scorer.score(Samples(one, one, one, levels=np.array([[2, 0, 0, 0, 0, 0]])))


class TestLevelsSection:
    """UNC-1: the field ``levels``, from a recorded state to the levels it may have."""

    def test_written_in_canonical_order_and_read_back(self) -> None:
        """UNC-1: the states are written unknown first, then by level; TOML's table
        ``[uncertainty.levels]`` reads as the same section and fingerprint."""
        profile = with_section(
            {
                "levels": {
                    "online-submission": ["online-submission", "information"],
                    "unknown": ["offline"],
                }
            }
        )
        written = profile.to_dict()["uncertainty"]["levels"]
        assert list(written) == ["unknown", "online-submission"]
        assert written["unknown"] == ["offline"]
        assert written["online-submission"] == ["online-submission", "information"]
        again = loads_profile(dumps_profile(profile), form="json")
        assert again.fingerprint == profile.fingerprint
        as_toml = "\n".join(
            [
                'name = "t"',
                'version = "1"',
                'headline = "s"',
                'weighting = { kind = "equal" }',
                "[[metrics]]",
                'kind = "availability"',
                'id = "s"',
                'title = "S"',
                "[uncertainty.levels]",
                'unknown = ["offline"]',
                'online-submission = ["online-submission", "information"]',
            ]
        )
        section = loads_profile(as_toml, form="toml").uncertainty
        assert section is not None
        assert section.levels == profile.uncertainty.levels if profile.uncertainty else False

    def test_every_problem_is_reported_with_its_pointer(self) -> None:
        """UNC-1: a state that is not 'unknown' or a level, a level that is not one, a
        list that is empty or names a level twice, and a level's list without the level
        itself are each reported at their JSON pointer."""
        data = standard_profile().to_dict()
        data["uncertainty"] = {
            "levels": {
                "unknown": ["offline", "offline"],
                "online/submission": ["information"],
                "information": ["online-submission"],
                "fully-online": [],
                "offline": ["offline", "level nine"],
            }
        }
        with pytest.raises(InputError) as raised:
            Profile.from_dict(data, source="p.json")
        assert sorted(p.location or "" for p in raised.value.problems) == [
            "/uncertainty/levels/fully-online",
            "/uncertainty/levels/information",
            "/uncertainty/levels/offline/1",
            "/uncertainty/levels/online~1submission",
            "/uncertainty/levels/unknown/1",
        ]
        assert all(p.clause == "UNC-1" for p in raised.value.problems)
        with pytest.raises(InvalidValueError, match="itself"):
            UncertaintySection(levels={"fully-online": ["online-submission"]})

    def test_levels_refuse_a_mix_where_a_subject_depends_on_them(self) -> None:
        """UNC-2: levels MUST NOT be combined with a mix when the profile has a metric of
        authentication (MET-5), whose subject the level decides."""
        mixed = attrs.evolve(standard_profile(), weighting=Mix(((Equal(), 1), (Volume(), 1))))
        with pytest.raises(InputError, match="mix"):
            attrs.evolve(mixed, uncertainty=LEVELS)
        maturity_only = attrs.evolve(
            builtin_profile("mdd-product"), weighting=Mix(((Equal(), 1), (Volume(), 1)))
        )
        attrs.evolve(maturity_only, uncertainty=LEVELS)  # fine: no subject depends on them


@given(world=worlds(), seed=st.integers(0, 2**32 - 1), n=st.integers(1, 5))
@WORLD_SETTINGS
def test_uncertain_levels_alone_are_one_scoring_per_sample(world: World, seed: int, n: int) -> None:
    """UNC-5 for uncertain levels and authentications without any factor: each sample's
    score agrees with a whole scoring of its sample dataset (UNC-4) within 1e-12, under
    every missing-value policy, and is undefined exactly where that scoring's is."""
    ds = world.dataset()
    section = {
        "missing": ["drop", "zero", "propagate"],
        "authentication": ["none", "high"],
        "levels": {
            "unknown": ["offline", "online-submission", "proactive"],
            "information": ["information", "fully-online"],
            "fully-online": ["downloadable-form", "fully-online"],
        },
    }
    profile = with_section(section)
    scorer = BatchScorer(profile, ds)
    samples = random_samples(scorer, n, seed, factors=False)
    batch = scorer.score(samples)
    expected = one_by_one(profile, ds, samples, scorer.metric_ids)
    assert np.array_equal(np.isnan(batch), np.isnan(expected))
    assert np.nanmax(np.abs(batch - expected), initial=0.0) <= TOLERANCE


@given(world=worlds(), seed=st.integers(0, 2**32 - 1))
@WORLD_SETTINGS
def test_a_mix_is_scored_by_each_metrics_subject(world: World, seed: int) -> None:
    """UNC-4 with WGT-10: a mix's raw weights depend on the metric's subject, and the
    batch scorer weights each metric by its own, as one whole scoring does."""
    ds = world.dataset()
    mixed = attrs.evolve(standard_profile(), weighting=Mix(((Equal(), 1), (Volume(), 2))))
    profile = attrs.evolve(
        mixed,
        uncertainty=UncertaintySection(missing=("drop", "zero"), product_weights=0.25),
    )
    scorer = BatchScorer(profile, ds)
    samples = random_samples(scorer, 3, seed)
    batch = scorer.score(samples)
    expected = one_by_one(profile, ds, samples, scorer.metric_ids)
    assert np.array_equal(np.isnan(batch), np.isnan(expected))
    assert np.nanmax(np.abs(batch - expected), initial=0.0) <= TOLERANCE
    choices = Samples(samples.weighting, samples.method, samples.missing)
    exact = BatchScorer(profile, ds).score(choices)
    assert np.array_equal(
        exact, one_by_one(profile, ds, choices, scorer.metric_ids), equal_nan=True
    )
