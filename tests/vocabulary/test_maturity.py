"""Tests of specification chapter MAT (capabilities and the maturity ladder).

The gates, names and correspondence tables below are transcribed from
``specs/04-maturity.md``; the level is recomputed here by an independent reading of the
tier rule (MAT-3), not by calling the implementation's helpers.
"""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import DigimaatError, UnknownCapabilityError, UnknownNameError
from digimaat.vocabulary.maturity import (
    EU_ONLINE_AVAILABILITY,
    LADDER,
    MDD_PERCENT,
    Capability,
    MaturityLevel,
    capability_mask,
    gate_masks,
    level_of,
    missing_for,
    parse_capabilities,
    samenwerkende_catalogi,
    sdg_fully_online,
)

# --- the specification's tables ------------------------------------------------------------

LEVEL_NAMES = [
    "offline",
    "information",
    "downloadable-form",
    "online-submission",
    "fully-online",
    "prefilled",
    "proactive",
]
"""MAT-1, by number."""

GATES: dict[int, frozenset[str]] = {
    0: frozenset(),
    1: frozenset({"information-online"}),
    2: frozenset({"downloadable-form"}),
    3: frozenset({"online-submission"}),
    4: frozenset(
        {
            "remote-identification",
            "electronic-evidence",
            "online-payment",
            "automatic-acknowledgement",
            "electronic-outcome",
            "electronic-notification",
        }
    ),
    5: frozenset({"prefilled"}),
    6: frozenset({"proactive"}),
}
"""MAT-2: the gate of each level, by exchange name."""

CAPABILITY_NAMES = sorted(name for gate in GATES.values() for name in gate)

SDG_CRITERIA: dict[str, set[str]] = {
    "a": {"online-submission", "remote-identification", "electronic-evidence"},
    "b": {"automatic-acknowledgement"},
    "c": {"electronic-outcome"},
    "d": {"electronic-notification"},
    "fee": {"online-payment"},
}
"""MAT-4: SDG art. 6(2) criteria (a)-(d), and online payment where a fee applies."""

MDD = [0, 0, 25, 50, 75, 100, 100]
EU = [0, 50, 50, 50, 100, 100, 100]
SC_DIGID = ["nee", "nee", "nee", "digid", "digid", "digid", "digid"]
SC_OTHER = ["nee", "nee", "nee", "ja", "ja", "ja", "ja"]
"""MAT-6: the correspondence tables, by level number."""


def effective(names: set[str], fee_applies: bool = True) -> set[str]:
    """MAT-2 and MAT-4 read literally: waived payment, and a form submitted online is a form."""
    have = set(names) if fee_applies else set(names) | {"online-payment"}
    if "online-submission" in have:
        have.add("downloadable-form")
    return have


def spec_level(names: set[str], fee_applies: bool = True) -> int:
    """MAT-3 read literally: the largest L such that the gates of levels 1..L are all present."""
    have = effective(names, fee_applies)
    candidates = [top for top in range(7) if all(GATES[k] <= have for k in range(1, top + 1))]
    return max(candidates)


def names(capabilities: set[Capability] | frozenset[Capability]) -> set[str]:
    return {c.value for c in capabilities}


def assert_names(exc: BaseException, field: str, value: Any) -> None:
    """The error is a DigimaatError whose message names the field and the value."""
    assert isinstance(exc, DigimaatError)
    text = str(exc)
    assert f"{field}:" in text, text
    assert f"(got {value!r})" in text, text


capability_sets = st.sets(st.sampled_from(list(Capability)))
levels = st.sampled_from(list(MaturityLevel))


@st.composite
def respelled(draw: st.DrawFn, name: str) -> str:
    """An exchange name in random case, with ``_`` or a space in place of each ``-``."""
    flips = draw(st.lists(st.booleans(), min_size=len(name), max_size=len(name)))
    cased = "".join(ch.upper() if up else ch for ch, up in zip(name, flips, strict=True))
    return cased.replace("-", draw(st.sampled_from(["-", "_", " "])))


# --- MAT-1 ---------------------------------------------------------------------------------


def test_levels_are_the_seven_rungs_in_order() -> None:
    """MAT-1: The maturity levels are the seven rungs, ordered by their number."""
    assert [(int(lv), lv.label) for lv in MaturityLevel] == list(enumerate(LEVEL_NAMES))
    assert [rung.level for rung in LADDER] == list(MaturityLevel)


@pytest.mark.property
@given(st.integers(min_value=0, max_value=6), st.data())
def test_levels_parse_by_name_or_number(number: int, data: st.DataObject) -> None:
    """MAT-1: A reader MUST also accept the level's number (0 to 6, as an integer or as text), and
    the exchange name in any letter case."""
    expected = MaturityLevel(number)
    text = data.draw(respelled(LEVEL_NAMES[number]))
    assert MaturityLevel.parse(text) is expected
    assert MaturityLevel.parse(number) is expected
    assert MaturityLevel.parse(str(number)) is expected


@pytest.mark.parametrize("value", [7, -1, True, 4.0, "7", "fully", "level-4", None])
def test_other_levels_are_rejected(value: object) -> None:
    """MAT-1: Any other value MUST be rejected with an error that names the field and the value."""
    with pytest.raises(UnknownNameError) as info:
        MaturityLevel.parse(value, field="local_target")  # type: ignore[arg-type]
    assert_names(info.value, "local_target", value)


# --- MAT-2 ---------------------------------------------------------------------------------


def test_the_eleven_capabilities() -> None:
    """MAT-2: The capabilities are the eleven of the table, by exchange name."""
    assert sorted(c.value for c in Capability) == CAPABILITY_NAMES
    assert len(CAPABILITY_NAMES) == 11


def test_gates_are_the_specified_ones() -> None:
    """MAT-2: Each capability belongs to the gate of the level given in the table."""
    assert {int(rung.level): names(rung.gate) for rung in LADDER} == GATES


def test_every_capability_is_in_exactly_one_gate() -> None:
    """MAT-2: Each capability belongs to the gate of exactly one level."""
    for capability in Capability:
        assert sum(capability in rung.gate for rung in LADDER) == 1


@pytest.mark.property
@given(st.sampled_from(CAPABILITY_NAMES).flatmap(lambda n: st.tuples(st.just(n), respelled(n))))
def test_capabilities_parse_in_any_spelling(case: tuple[str, str]) -> None:
    """MAT-2: A reader MUST accept a capability by its exchange name, in any letter case and with _
    or a space in place of -."""
    name, text = case
    assert Capability.parse(text).value == name
    assert parse_capabilities([text, name]) == {Capability(name)}


@pytest.mark.property
@given(st.text(alphabet=string.ascii_letters + string.digits + "-_ ", max_size=20))
def test_unknown_capabilities_are_rejected(tail: str) -> None:
    """MAT-2: A reader MUST reject any other name with an error that names the field and the value;
    an unknown capability is never ignored."""
    text = "zz" + tail  # no capability name starts with "zz"
    with pytest.raises(UnknownCapabilityError) as info:
        parse_capabilities(["information-online", text])
    assert_names(info.value, "capabilities", text)
    assert info.value.value == text


@pytest.mark.parametrize("value", [5, None, "online-payment"])
def test_capabilities_that_are_not_names_are_rejected(value: object) -> None:
    """MAT-2: Any other name MUST be rejected; a single string is not a list of capabilities."""
    values: Any = value if isinstance(value, str) else [value]
    with pytest.raises(UnknownCapabilityError) as info:
        parse_capabilities(values)
    assert_names(info.value, "capabilities", value)


def test_capability_masks_match_the_gates() -> None:
    """MAT-2: Each capability belongs to exactly one gate (the bit masks used by measurement
    agree)."""
    bits = [c.bit for c in Capability]
    assert len(set(bits)) == len(bits)
    assert all(b & (b - 1) == 0 for b in bits)  # one bit each
    assert gate_masks() == tuple(capability_mask(rung.gate) for rung in LADDER)


# --- MAT-3 ---------------------------------------------------------------------------------


@pytest.mark.property
@given(capability_sets, st.booleans())
def test_tier_gating(capabilities: set[Capability], fee_applies: bool) -> None:
    """MAT-3: A level MUST count only when every capability of its gate and of the gates of all
    levels below it is present."""
    derived = level_of(capabilities, fee_applies=fee_applies)
    assert int(derived) == spec_level(names(capabilities), fee_applies)


@pytest.mark.parametrize(
    ("observed", "expected"),
    [
        (set(), 0),
        ({"downloadable-form"}, 0),  # a PDF without information online stays offline
        ({"information-online"}, 1),
        ({"information-online", "downloadable-form"}, 2),
        ({"information-online", "online-submission"}, 3),  # an online form is a form (MAT-2)
        ({"information-online", "prefilled"}, 1),  # rung 2 missing
        ({"information-online", "downloadable-form", "online-submission"}, 3),
        ({"information-online", "downloadable-form", "online-submission", "prefilled"}, 3),
        (set(CAPABILITY_NAMES) - {"prefilled"}, 4),
        (set(CAPABILITY_NAMES) - {"proactive"}, 5),
        (set(CAPABILITY_NAMES), 6),
    ],
)
def test_tier_gating_examples(observed: set[str], expected: int) -> None:
    """MAT-3: A capability of a higher gate counts for nothing while a lower gate is incomplete."""
    assert level_of(parse_capabilities(observed)) == MaturityLevel(expected)


# --- MAT-4 ---------------------------------------------------------------------------------


def test_fully_online_gate_is_the_sdg_test_plus_payment() -> None:
    """MAT-4: The gate of level 4 is the test of art. 6(2) of the SDG Regulation, plus online
    payment where a fee applies."""
    required = set().union(*SDG_CRITERIA.values())
    below_and_at_four = set().union(*(GATES[k] for k in range(1, 5)))
    assert required <= below_and_at_four
    assert GATES[4] | {"online-submission"} == required


@pytest.mark.property
@given(capability_sets, st.booleans())
def test_sdg_fully_online_is_level_four_or_higher(
    capabilities: set[Capability], fee_applies: bool
) -> None:
    """MAT-4: An offering is fully online in the sense of the SDG Regulation exactly when its level
    is 4 or higher."""
    level = level_of(capabilities, fee_applies=fee_applies)
    assert sdg_fully_online(capabilities, fee_applies=fee_applies) == (level >= 4)


@pytest.mark.property
@given(capability_sets)
def test_fee_waiver(capabilities: set[Capability]) -> None:
    """MAT-4: When no fee applies, online-payment MUST be treated as present."""
    with_payment = capabilities | {Capability.ONLINE_PAYMENT}
    assert level_of(capabilities, fee_applies=False) == level_of(with_payment)
    assert level_of(capabilities, fee_applies=False) == level_of(with_payment, fee_applies=False)


def test_payment_is_needed_where_a_fee_applies() -> None:
    """MAT-4: Where a fee applies, online payment is part of the gate of level 4."""
    everything_but_payment = parse_capabilities(
        set().union(*(GATES[k] for k in range(1, 5))) - {"online-payment"}
    )
    assert level_of(everything_but_payment) == MaturityLevel.ONLINE_SUBMISSION
    assert level_of(everything_but_payment, fee_applies=False) == MaturityLevel.FULLY_ONLINE
    assert not sdg_fully_online(everything_but_payment)


# --- MAT-5 ---------------------------------------------------------------------------------


@pytest.mark.property
@given(capability_sets, st.sampled_from(list(Capability)), st.booleans())
def test_adding_a_capability_never_lowers_the_level(
    capabilities: set[Capability], extra: Capability, fee_applies: bool
) -> None:
    """MAT-5: Adding a capability MUST never lower the level."""
    before = level_of(capabilities, fee_applies=fee_applies)
    after = level_of(capabilities | {extra}, fee_applies=fee_applies)
    assert after >= before


@pytest.mark.property
@given(st.lists(st.sampled_from(list(Capability)), max_size=30), st.randoms(), st.booleans())
def test_level_is_independent_of_order_and_repetition(
    recorded: list[Capability], rnd: Any, fee_applies: bool
) -> None:
    """MAT-5: The level is a function of the set of capabilities present and of whether a fee
    applies, not of order or repetition."""
    shuffled = list(recorded)
    rnd.shuffle(shuffled)
    expected = level_of(set(recorded), fee_applies=fee_applies)
    assert level_of(recorded, fee_applies=fee_applies) == expected
    assert level_of(shuffled, fee_applies=fee_applies) == expected
    assert level_of(recorded + recorded, fee_applies=fee_applies) == expected
    as_names = [c.value.upper() for c in shuffled]
    assert level_of(parse_capabilities(as_names), fee_applies=fee_applies) == expected


# --- MAT-6 ---------------------------------------------------------------------------------


def test_correspondence_tables_match_the_specification() -> None:
    """MAT-6: An implementation that reports one of the correspondences MUST use these tables."""
    assert [MDD_PERCENT[lv] for lv in MaturityLevel] == MDD
    assert [EU_ONLINE_AVAILABILITY[lv] for lv in MaturityLevel] == EU
    assert [samenwerkende_catalogi(lv, digid=True) for lv in MaturityLevel] == SC_DIGID
    assert [samenwerkende_catalogi(lv, digid=False) for lv in MaturityLevel] == SC_OTHER
    assert set(MDD_PERCENT) == set(EU_ONLINE_AVAILABILITY) == set(MaturityLevel)


SC_RANK = {"nee": 0, "ja": 1, "digid": 1}


@pytest.mark.property
@given(levels, levels, st.booleans())
def test_correspondences_are_monotone(a: MaturityLevel, b: MaturityLevel, digid: bool) -> None:
    """MAT-6: Each is monotone: a higher level never corresponds to a lower value."""
    low, high = sorted((a, b))
    assert MDD_PERCENT[low] <= MDD_PERCENT[high]
    assert EU_ONLINE_AVAILABILITY[low] <= EU_ONLINE_AVAILABILITY[high]
    assert (
        SC_RANK[samenwerkende_catalogi(low, digid)] <= SC_RANK[samenwerkende_catalogi(high, digid)]
    )


def test_published_anchors() -> None:
    """MAT-6: MDD 0 % is a request only on paper and 100 % a pre-filled online form; EU 100 is
    fully online."""
    assert MDD_PERCENT[MaturityLevel.OFFLINE] == 0
    assert MDD_PERCENT[MaturityLevel.PREFILLED] == 100
    assert EU_ONLINE_AVAILABILITY[MaturityLevel.INFORMATION] == 50
    assert EU_ONLINE_AVAILABILITY[MaturityLevel.FULLY_ONLINE] == 100


# --- MAT-7 ---------------------------------------------------------------------------------


@pytest.mark.property
@given(capability_sets, levels, st.booleans())
def test_missing_capabilities_are_exactly_what_is_needed(
    capabilities: set[Capability], target: MaturityLevel, fee_applies: bool
) -> None:
    """MAT-7: Adding exactly these capabilities MUST give a level of at least T."""
    missing = missing_for(target, capabilities, fee_applies=fee_applies)
    have = effective(names(capabilities), fee_applies)
    needed = set().union(*(GATES[k] for k in range(1, int(target) + 1)))
    expected = needed - have
    if "online-submission" in expected:  # adding it brings the form with it (MAT-2)
        expected.discard("downloadable-form")
    assert names(missing) == expected
    assert level_of(capabilities | missing, fee_applies=fee_applies) >= target
    assert (not missing) == (level_of(capabilities, fee_applies=fee_applies) >= target)


@pytest.mark.property
@given(capability_sets, st.integers(min_value=1, max_value=6))
def test_missing_capabilities_are_all_necessary(capabilities: set[Capability], top: int) -> None:
    """MAT-7: The set holds only capabilities not present: leaving any one out misses the target."""
    target = MaturityLevel(top)
    missing = missing_for(target, capabilities)
    assert not (missing & capabilities)
    for left_out in missing:
        assert level_of(capabilities | (missing - {left_out})) < target


# ---------------------------------------------------------------------------- PRD-4.3
def test_a_fee_puts_online_payment_in_the_fully_online_gate() -> None:
    """PRD-4.3: *Fee* records whether a fee applies. When it applies, online payment is part
    of the fully-online gate; where no fee applies, the same capabilities without online
    payment are fully online."""
    from digimaat.vocabulary.maturity import Capability, MaturityLevel, level_of
    from digimaat.vocabulary.products import reference_catalogue

    gates = [c for c in Capability if c.value not in ("prefilled", "proactive")]
    without_payment = [c for c in gates if c is not Capability.ONLINE_PAYMENT]
    assert level_of(gates, fee_applies=True) == MaturityLevel.FULLY_ONLINE
    assert level_of(without_payment, fee_applies=True) == MaturityLevel.ONLINE_SUBMISSION
    assert level_of(without_payment, fee_applies=False) == MaturityLevel.FULLY_ONLINE
    catalogue = reference_catalogue()
    assert catalogue.resolve("parkeervergunning").fee_applies is True
    assert catalogue.resolve("bezafspr").fee_applies is False
