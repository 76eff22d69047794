"""Peer groups and the statistics of a group (specification chapter CMP, clauses CMP-1 to CMP-8).

Property tests check the statistics against a plain reading of the clauses (every pair of
members compared, in Python), and the properties the chapter states: percentiles within
[0, 100] averaging 50, ranks a permutation when no two values are tied, statistics
independent of the order of the members.
"""

from __future__ import annotations

import json
import math
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.analysis.peers import (
    ALL,
    MAX_PEER_FILE_BYTES,
    TIE_TOLERANCE,
    PeerGroup,
    PeerGroups,
    compare,
    group_statistics,
    parse_peer_groups,
    peer_groups_from_mapping,
    read_peer_groups,
    size_class_groups,
)
from digimaat.errors import InputError, InvalidValueError
from digimaat.exchange import load_dataset
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.profiles import ScoreBoard, standard_profile
from digimaat.vocabulary.municipalities import Municipality, cbs_register

EXAMPLE = str(resources.files("digimaat.data").joinpath("example.json"))

codes = st.integers(1, 9999).map(lambda k: f"GM{k:04d}")
values = st.one_of(
    st.none(),
    st.sampled_from([0.0, 0.25, 0.5, 1.0]),
    st.floats(0, 1, allow_nan=False),
)
groups_of_values = st.dictionaries(codes, values, max_size=40)


def board() -> ScoreBoard:
    return standard_profile().score(load_dataset(EXAMPLE))


# ---------------------------------------------------------------------- a plain oracle
def oracle(vals: dict[str, float | None], direction: int) -> dict[str, tuple[int, float | None]]:
    """CMP-6 to CMP-8 read literally: every pair compared, in Python."""
    known = {c: v for c, v in vals.items() if v is not None}
    n = len(known)
    out = {}
    for code, v in known.items():
        better = sum(1 for c, u in known.items() if c != code and direction * (u - v) > 1e-9)
        worse = sum(1 for c, u in known.items() if c != code and direction * (v - u) > 1e-9)
        tied = n - 1 - better - worse
        percentile = None if n < 2 else 100 * (worse + tied / 2) / (n - 1)
        out[code] = (1 + better, percentile)
    return out


# ---------------------------------------------------------------------- CMP-1 to CMP-4
def test_cmp_1_absent_members_are_counted_not_dropped() -> None:
    """CMP-1: a comparison MUST report the number of absent members of every group it shows."""
    groups = peer_groups_from_mapping({"Waterweg": ["GM0556", "GM0606", "GM0622", "GM0599"]})
    comparison = compare(board(), groups)
    stats = comparison.statistics("Waterweg", "digimaat-score")
    assert (stats.count, stats.undefined, stats.absent) == (3, 0, 1)
    assert [g.name for g in comparison.groups_of("GM0622")] == ["Waterweg", ALL]


def test_cmp_1_a_municipality_is_compared_in_every_group_it_is_in() -> None:
    """CMP-1: a municipality MAY be a member of several groups; each is compared separately."""
    size = size_class_groups(board())
    own = peer_groups_from_mapping(
        {"pair": ["GM0606", "GM0622"], "trio": ["GM0556", "GM0606", "GM0622"]}
    )
    comparison = compare(board(), size.combine(own))
    names = [g.name for g in comparison.groups_of("GM0622")]
    assert names == ["size class 5", "pair", "trio", ALL]
    assert len(comparison.place("GM0622")) == 4 * len(comparison.metrics)


def test_cmp_2_size_classes_from_the_population_in_the_data() -> None:
    """CMP-2: the size class MUST be derived from a population: the one in the data..."""
    ds = Dataset.from_offerings(
        [],
        [
            Municipality("GM0001", "a", 49_999, 2024),
            Municipality("GM0002", "b", 50_000, 2024),
            Municipality("GM0003", "c", 99_999, 2024),
        ],
    )
    groups = size_class_groups(ds)
    assert [(g.name, g.size_class, g.members) for g in groups] == [
        ("size class 4", 4, ("GM0001",)),
        ("size class 5", 5, ("GM0002", "GM0003")),
    ]
    assert "population in the data" in groups.basis


def test_cmp_2_size_classes_from_the_register_of_a_stated_year() -> None:
    """CMP-2: ...or its population on 1 January of a stated year in the CBS register."""
    register = cbs_register(2024)
    ds = Dataset.from_offerings([], [Municipality("GM0556", "Maassluis", 60_000, 2024)])
    (group,) = size_class_groups(ds, register_year=2024)
    assert group.size_class == register.get("GM0556").size_class.code == 4
    assert "2024" in size_class_groups(ds, register_year=2024).basis


def test_cmp_2_a_municipality_not_in_the_register_is_an_error() -> None:
    """CMP-2: a municipality not in the register MUST be an error naming its code and the year."""
    ds = Dataset.from_offerings(
        [],
        [
            Municipality("GM0001", "x", 1, 2024),
            Municipality("GM1992", "Voorne aan Zee", 70_000, 2024),
        ],
    )
    with pytest.raises(InputError) as caught:
        size_class_groups(ds, register_year=2023)
    assert [str(p) for p in caught.value.problems] == [
        "municipality: is not in the CBS register of 2023 (got 'GM0001')"
    ]
    with pytest.raises(InvalidValueError, match="available: 2023, 2024"):
        size_class_groups(ds, register_year=2019)


def test_cmp_3_json_file(tmp_path: Path) -> None:
    """CMP-3: a JSON peer-group file: format, groups (name to CBS codes), optional source."""
    path = tmp_path / "peers.json"
    path.write_text(
        json.dumps(
            {
                "format": "digimaat-peer-groups",
                "source": "regio",
                "groups": {"Waterweg": ["GM0622", "GM0556"]},
            }
        ),
        encoding="utf-8",
    )
    (group,) = read_peer_groups(path)
    assert (group.name, group.members, group.kind) == ("Waterweg", ("GM0556", "GM0622"), "file")


def test_cmp_3_a_member_twice_in_an_object_is_refused() -> None:
    """CMP-3: an object MUST NOT hold a member twice (no silent last-wins)."""
    text = '{"format": "digimaat-peer-groups", "groups": {"a": ["GM0001"], "a": ["GM0002"]}}'
    with pytest.raises(InputError, match="occurs twice"):
        parse_peer_groups(text, "json")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("too-large.json", b"x" * (MAX_PEER_FILE_BYTES + 1), "larger than the limit"),
        ("latin.csv", "group,cbs_code\nR\xe9gion,GM0001\n".encode("latin-1"), "not UTF-8"),
        ("peers.xlsx", b"PK", "unknown extension"),
        ("broken.json", b'{"format": ', "not valid JSON"),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        ("empty.csv", b"", "header"),
    ],
)
def test_cmp_3_files_that_cannot_be_read_are_refused(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    """CMP-3: a file of more than 4 MiB MUST be refused before it is parsed; bad files refused."""
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(InputError, match=message) as caught:
        read_peer_groups(path)
    assert all(p.source == str(path) for p in caught.value.problems)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x" * 201, "longer than 200"),
        ("line\nbreak", "must not hold control"),
        ("bell\x07", "must not hold control"),
        ("para\u2029graph", "must not hold control"),
        ("evil\u202eexe", "bidirectional-override"),
        ("lone\ud800", "surrogate"),
        ("c1\x9b31m", "must not hold control"),
        (ALL, "reserved"),
        (" ", "non-empty"),
    ],
)
def test_cmp_3_group_names(name: str, message: str) -> None:
    """CMP-3: a group name MUST be a non-empty text of at most 200 characters without control
    characters (nor any other character XCH-4 refuses in a text), and MUST NOT be ``all``."""
    with pytest.raises(InputError, match=message):
        peer_groups_from_mapping({name: ["GM0001"]})


def test_cmp_3_every_problem_is_reported_together() -> None:
    """CMP-3: a reader MUST report every problem together, each with file, row, field, value."""
    text = "group;cbs_code\nA;GM0001\nA;GM0001\n;GM0002\nB;0622\nC\n"
    with pytest.raises(InputError) as caught:
        parse_peer_groups(text, "csv", "peers.csv")
    assert [(p.location, p.field, p.value) for p in caught.value.problems] == [
        ("row 3", "cbs_code", "GM0001"),
        ("row 4", "name", ""),
        ("row 5", "cbs_code", "0622"),
        ("row 6", "row", ["C"]),
    ]


def test_cmp_3_peer_groups_object_checks_names() -> None:
    """Two groups of one name cannot be combined: group names stay distinct."""
    a = peer_groups_from_mapping({"x": ["GM0001"]})
    with pytest.raises(InvalidValueError, match="names two peer groups"):
        a.combine(a)
    with pytest.raises(InvalidValueError, match="reserved"):
        PeerGroups((PeerGroup(ALL, ("GM0001",)),), "groups made in code")


def test_cmp_4_the_group_of_all_and_national() -> None:
    """CMP-4: every municipality is compared among all; *national* only for the whole register."""
    comparison = compare(board(), year=2024)
    assert comparison.everyone.members == ("GM0556", "GM0606", "GM0622")
    assert comparison.national is False
    register = cbs_register(2024)
    ds = Dataset.from_offerings([], register.municipalities)
    whole = compare(standard_profile().score(ds), year=2024)
    assert whole.national is True
    assert compare(standard_profile().score(ds)).national is False  # no year known
    fewer = Dataset.from_offerings([], register.municipalities[1:])
    assert compare(standard_profile().score(fewer), year=2024).national is False


# ---------------------------------------------------------------------- CMP-5 to CMP-8
def test_cmp_5_undefined_values_are_left_out_never_zero() -> None:
    """CMP-5: an undefined value MUST NOT be taken as 0; mean and median are undefined for n = 0."""
    result = group_statistics({"GM0001": None, "GM0002": 0.4, "GM0003": math.nan})
    assert (result.count, result.undefined, result.mean, result.median) == (1, 2, 0.4, 0.4)
    assert result.positions["GM0001"].rank is None
    empty = group_statistics({"GM0001": None})
    assert (empty.mean, empty.median) == (None, None)


@given(groups_of_values)
def test_cmp_5_mean_and_median_as_defined(vals: dict[str, float | None]) -> None:
    """CMP-5: the mean is the sum over n; the median the middle value, or the mean of the two
    middle values when n is even."""
    result = group_statistics(vals)
    known = sorted(v for v in vals.values() if v is not None)
    if not known:
        assert result.mean is None
        assert result.median is None
        return
    exact = sum(Fraction(v) for v in known) / len(known)
    assert result.mean is not None
    assert abs(Fraction(result.mean) - exact) <= Fraction(1, 10**15)
    half = len(known) // 2
    middle = known[half] if len(known) % 2 else (known[half - 1] + known[half]) / 2
    assert result.median == middle


@given(groups_of_values, st.sampled_from([1, -1]))
def test_cmp_6_to_8_agree_with_every_pair_compared(
    vals: dict[str, float | None], direction: int
) -> None:
    """CMP-6 to CMP-8: better by more than 1e-9 in the metric's direction; rank = 1 + better;
    percentile = 100 x (W + T/2) / (n - 1)."""
    result = group_statistics(vals, direction=direction)
    expected = oracle(vals, direction)
    for code, position in result.positions.items():
        if vals[code] is None:
            assert (position.rank, position.percentile) == (None, None)
            continue
        rank, percentile = expected[code]
        assert position.rank == rank
        if percentile is None:
            assert position.percentile is None
        else:
            assert position.percentile is not None
            assert abs(position.percentile - percentile) <= 1e-9


@given(groups_of_values, st.sampled_from([1, -1]))
def test_cmp_8_percentiles_within_0_and_100_and_average_50(
    vals: dict[str, float | None], direction: int
) -> None:
    """CMP-8: P lies from 0 to 100; the mean of the percentiles of a group's members is 50."""
    result = group_statistics(vals, direction=direction)
    percentiles = [p.percentile for p in result.positions.values() if p.percentile is not None]
    assert all(0.0 <= p <= 100.0 for p in percentiles)
    if percentiles:
        assert abs(math.fsum(percentiles) / len(percentiles) - 50.0) <= 1e-9


@given(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=40, unique=True), st.sampled_from([1, -1])
)
def test_cmp_7_ranks_are_a_permutation_without_ties(ints: list[int], direction: int) -> None:
    """CMP-7: when no two values are tied, the ranks of the n members are 1, 2, ..., n."""
    vals: dict[str, float | None] = {f"GM{k + 1:04d}": v / 10**6 for k, v in enumerate(ints)}
    result = group_statistics(vals, direction=direction)
    ranks = sorted(p.rank for p in result.positions.values() if p.rank is not None)
    assert ranks == list(range(1, len(ints) + 1))
    best = max(vals, key=lambda c: direction * (vals[c] or 0.0))
    assert result.positions[best].rank == 1


@given(groups_of_values, st.randoms(use_true_random=False), st.sampled_from([1, -1]))
def test_statistics_do_not_depend_on_the_order_of_the_members(
    vals: dict[str, float | None], rnd: object, direction: int
) -> None:
    """CMP-5 to CMP-8 define the statistics of a set: reordering the members changes nothing."""
    items = list(vals.items())
    rnd.shuffle(items)  # type: ignore[attr-defined]
    a = group_statistics(vals, direction=direction)
    b = group_statistics(dict(items), direction=direction)
    assert a == b


def test_cmp_6_ties_within_the_tolerance() -> None:
    """CMP-6: tied when |u - v| <= 1e-9, better when more than that."""
    assert TIE_TOLERANCE == 1e-9
    result = group_statistics({"GM0001": 0.3, "GM0002": 0.3 + 5e-10, "GM0003": 0.3 + 2e-9})
    assert [result.positions[c].rank for c in ("GM0001", "GM0002", "GM0003")] == [2, 2, 1]


def test_cmp_8_worked_example_of_the_chapter() -> None:
    """CMP-8's example: Vlaardingen rank 2 of 2 in class 5 (percentile 0), 2 of 3 among all (50)."""
    places = compare(board()).place("GM0622", "digimaat-score")
    assert [
        (p.group.name, p.position.rank, p.position.count, p.position.percentile) for p in places
    ] == [
        ("size class 5", 2, 2, 0.0),
        ("all", 2, 3, 50.0),
    ]


def test_group_statistics_rejects_a_direction_that_is_not_a_sign() -> None:
    with pytest.raises(InvalidValueError, match="direction"):
        group_statistics({"GM0001": 0.5}, direction=0)


def test_comparison_rejects_unknown_groups_and_municipalities() -> None:
    comparison = compare(board())
    with pytest.raises(InvalidValueError):
        comparison.statistics("nowhere", "digimaat-score")
    with pytest.raises(InvalidValueError):
        comparison.place("GM9999")
