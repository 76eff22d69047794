"""Tests of specification chapter LOA (assurance levels and authentication).

The expected tables below are transcribed from ``specs/03-assurance.md``, not taken from
the implementation, so a change to either side makes a test fail.
"""

from __future__ import annotations

import itertools
import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import DigimaatError, InvalidValueError, UnknownNameError
from digimaat.vocabulary.assurance import (
    CREDENTIALS,
    AssuranceLevel,
    Authentication,
    AuthMeans,
    Fit,
    parse_level,
)

# --- the specification's tables (LOA-1, LOA-2, LOA-3, LOA-5) ------------------------------

SCALE = ["none", "basis", "low", "substantial", "high"]
"""LOA-1, lowest first."""

_SAML = "urn:oasis:names:tc:SAML:2.0:ac:classes:"
_EH = "urn:etoegang:core:assurance-class:"
_EIDAS = "http://eidas.europa.eu/LoA/"

MAPPING: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("digid", "Basis", "basis", (_SAML + "PasswordProtectedTransport", "10")),
    ("digid", "Midden", "low", (_SAML + "MobileTwoFactorContract", "20")),
    ("digid", "Substantieel", "substantial", (_SAML + "Smartcard", "25")),
    ("digid", "Hoog", "high", (_SAML + "SmartcardPKI", "30")),
    ("eherkenning", "EH1", "low", (_EH + "loa1",)),
    ("eherkenning", "EH2", "low", (_EH + "loa2",)),
    ("eherkenning", "EH2+", "low", (_EH + "loa2plus",)),
    ("eherkenning", "EH3", "substantial", (_EH + "loa3",)),
    ("eherkenning", "EH4", "high", (_EH + "loa4",)),
    ("eidas", "low", "low", (_EIDAS + "low",)),
    ("eidas", "substantial", "substantial", (_EIDAS + "substantial",)),
    ("eidas", "high", "high", (_EIDAS + "high",)),
]
"""LOA-2: means, name, level, machine identifiers."""

DUTCH = {
    "geen": "none",
    "basis": "basis",
    "laag": "low",
    "substantieel": "substantial",
    "hoog": "high",
}
"""LOA-3: the Dutch forms of the level names."""

PROVIDES: dict[str, set[str]] = {
    "none": {"none"},
    "digid": {"basis", "low", "substantial", "high"},
    "eherkenning": {"low", "substantial", "high"},
    "eidas": {"low", "substantial", "high"},
    "own-account": {"basis", "low", "substantial", "high"},
}
"""LOA-5: the levels each means provides."""


def level(label: str) -> AssuranceLevel:
    """The level with this exchange name, looked up by label, not through the parser."""
    return {lv.label: lv for lv in AssuranceLevel}[label]


def assert_names(exc: BaseException, field: str, value: Any) -> None:
    """The error is a DigimaatError whose message names the field and the value."""
    assert isinstance(exc, DigimaatError)
    text = str(exc)
    assert f"{field}:" in text, text
    assert f"(got {value!r})" in text, text


# Every name a reader must accept (LOA-3), with the level it must give.
ALL_NAMES: list[tuple[str, str]] = [
    *((name, name) for name in SCALE),
    *DUTCH.items(),
    *((f"{means} {name}", lvl) for means, name, lvl, _ in MAPPING),
    *((f"{'DigiD' if m == 'digid' else m} {name}", lvl) for m, name, lvl, _ in MAPPING),
    *((name, lvl) for means, name, lvl, _ in MAPPING if means == "eherkenning"),
    *((ident, lvl) for _, _, lvl, idents in MAPPING for ident in idents),
]


@st.composite
def respelled(draw: st.DrawFn, text: str) -> str:
    """``text`` with random letter case, padding, and inner spaces widened (LOA-3)."""
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    cased = "".join(ch.upper() if up else ch.lower() for ch, up in zip(text, flips, strict=True))
    gap = draw(st.sampled_from([" ", "  ", "\t", " \t "]))
    pad_left = draw(st.sampled_from(["", " ", "\t", "\n "]))
    pad_right = draw(st.sampled_from(["", " ", "  ", "\n"]))
    return pad_left + cased.replace(" ", gap) + pad_right


# --- LOA-1 ---------------------------------------------------------------------------------


def test_scale_has_the_five_levels_in_order() -> None:
    """LOA-1: The standard orders assurance levels on one scale none < basis < low < substantial <
    high."""
    assert [lv.label for lv in sorted(AssuranceLevel)] == SCALE


@pytest.mark.property
@given(st.sampled_from(SCALE), st.sampled_from(SCALE))
def test_order_follows_the_scale(a: str, b: str) -> None:
    """LOA-1: Levels MUST be compared by this order only."""
    assert (level(a) < level(b)) == (SCALE.index(a) < SCALE.index(b))
    assert (level(a) == level(b)) == (a == b)


def test_basis_is_below_eidas_low() -> None:
    """LOA-1: basis is DigiD Basis, a user name and password: it lies below eIDAS low."""
    assert parse_level("DigiD Basis") < parse_level("eIDAS low")
    assert parse_level("DigiD Midden") == parse_level("eIDAS low")


# --- LOA-2 ---------------------------------------------------------------------------------


def test_credentials_are_the_specified_mapping() -> None:
    """LOA-2: Every named level of DigiD, eHerkenning and eIDAS has the level and identifiers of
    the table."""
    actual = [(c.means.value, c.name, c.level.label, c.identifiers) for c in CREDENTIALS]
    assert actual == MAPPING


def test_every_credential_states_its_source() -> None:
    """LOA-2: The mapping follows Logius (2017) and Implementing Regulation (EU) 2015/1502."""
    for cred in CREDENTIALS:
        expected = "2015/1502" if cred.means is AuthMeans.EIDAS else "Logius"
        assert expected in cred.source


def test_machine_identifiers_are_unique() -> None:
    """LOA-2: An implementation MUST map them exactly so (no identifier names two levels)."""
    identifiers = [i for c in CREDENTIALS for i in c.identifiers]
    assert len(identifiers) == len(set(identifiers))


# --- LOA-3 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), ALL_NAMES)
def test_every_name_and_identifier_parses_to_its_level(text: str, expected: str) -> None:
    """LOA-3: A reader MUST read each to the level the table of LOA-2 gives it."""
    assert parse_level(text) is level(expected)


@pytest.mark.property
@given(
    st.sampled_from(ALL_NAMES).flatmap(lambda pair: st.tuples(respelled(pair[0]), st.just(pair[1])))
)
def test_parsing_ignores_case_and_white_space(case: tuple[str, str]) -> None:
    """LOA-3: A reader MUST read an assurance level ignoring letter case, surrounding white space
    and repeated inner white space."""
    text, expected = case
    assert parse_level(text) is level(expected)


@pytest.mark.parametrize(("dutch", "english"), sorted(DUTCH.items()))
def test_dutch_synonyms(dutch: str, english: str) -> None:
    """LOA-3: The level names and their Dutch forms geen, laag, substantieel and hoog MUST be
    read."""
    assert parse_level(dutch) is parse_level(english) is level(english)


def test_a_level_is_passed_through() -> None:
    """LOA-3: A level that is already a level is itself."""
    for lv in AssuranceLevel:
        assert parse_level(lv) is lv


@pytest.mark.property
@given(st.text(alphabet=string.ascii_letters + string.digits + " +-:/", max_size=20))
def test_unknown_names_are_rejected_naming_field_and_value(tail: str) -> None:
    """LOA-3: Any other value MUST be rejected with an error that names the field and the value."""
    text = "zz" + tail  # no name or identifier of the standard starts with "zz"
    with pytest.raises(UnknownNameError) as info:
        parse_level(text)
    assert_names(info.value, "assurance", text)
    assert info.value.field == "assurance"
    assert info.value.value == text


@pytest.mark.parametrize("text", ["Midden", "Substantieel DigiD", "digid", "eh5", "low2", ""])
def test_partial_or_misspelt_names_are_not_guessed(text: str) -> None:
    """LOA-3: An implementation MUST NOT guess a level from a partial or misspelt name."""
    with pytest.raises(UnknownNameError) as info:
        parse_level(text, field="required_assurance")
    assert_names(info.value, "required_assurance", text)


@pytest.mark.parametrize("value", [20, 2.0, None, True])
def test_values_that_are_not_text_are_rejected(value: object) -> None:
    """LOA-3: A value that is not text is rejected, with an error naming the field and the value."""
    with pytest.raises(InvalidValueError) as info:
        parse_level(value)  # type: ignore[arg-type]
    assert_names(info.value, "assurance", value)


# --- LOA-4 ---------------------------------------------------------------------------------

VALID_PAIRS = sorted((m, lv) for m, levels in PROVIDES.items() for lv in levels)


def test_the_means_are_the_specified_ones() -> None:
    """LOA-4: The means are none, digid, eherkenning, eidas and own-account."""
    assert {m.value for m in AuthMeans} == set(PROVIDES)


@pytest.mark.parametrize(("means", "label"), VALID_PAIRS)
def test_canonical_name_round_trips(means: str, label: str) -> None:
    """LOA-4: Reading the canonical name of an authentication MUST give that authentication back."""
    auth = Authentication(means, label)  # type: ignore[arg-type]
    expected_name = "none" if means == "none" else f"{means} {label}"
    assert auth.name == expected_name
    assert Authentication.from_name(auth.name) == auth


@pytest.mark.property
@given(st.sampled_from([(m, lv) for m, lv in VALID_PAIRS if m != "none"]), st.data())
def test_canonical_name_is_read_in_any_spelling(pair: tuple[str, str], data: st.DataObject) -> None:
    """LOA-4: A reader MUST read the canonical name (the means also with a space or underscore in
    place of its hyphen)."""
    means, label = pair
    means_spelling = data.draw(
        st.sampled_from([means, means.replace("-", " "), means.replace("-", "_")])
    )
    level_spelling = data.draw(
        st.sampled_from([label, *(d for d, e in DUTCH.items() if e == label)])
    )
    text = data.draw(respelled(f"{means_spelling} {level_spelling}"))
    assert Authentication.from_name(text) == Authentication(AuthMeans(means), level(label))


@pytest.mark.parametrize(("means", "name", "label", "identifiers"), MAPPING)
def test_scheme_names_and_identifiers_give_means_and_level(
    means: str, name: str, label: str, identifiers: tuple[str, ...]
) -> None:
    """LOA-4: A reader MUST read every scheme name and machine identifier of LOA-2, giving the
    scheme's means and level."""
    expected = Authentication(AuthMeans(means), level(label))
    for text in (f"{means} {name}", *identifiers):
        assert Authentication.from_name(text) == expected
        assert Authentication.from_name(Authentication.from_name(text).name) == expected


@pytest.mark.parametrize("text", ["none", "geen", " NONE "])
def test_no_authentication(text: str) -> None:
    """LOA-4: The canonical name of an authentication is none, or the means and the level name."""
    assert Authentication.from_name(text) == Authentication.none()
    assert Authentication.none().means is AuthMeans.NONE
    assert Authentication.none().level is AssuranceLevel.NONE


@pytest.mark.parametrize("text", ["digid midden-ish", "fax low", "own-accounts", "EH9", "digi d"])
def test_unknown_authentication_is_rejected(text: str) -> None:
    """LOA-4: Any other value MUST be rejected with an error that names the field and the value."""
    with pytest.raises(UnknownNameError) as info:
        Authentication.from_name(text)
    assert_names(info.value, "authentication", text)


# --- LOA-4.1 -------------------------------------------------------------------------------

UNKNOWN_LEVEL_SPELLINGS = {
    "digid": ["digid", "DigiD", " DIGID "],
    "eherkenning": ["eherkenning", "eHerkenning"],
    "eidas": ["eidas", "eIDAS"],
    "own-account": ["own-account", "own account", "own_account", "Own-Account"],
}


@pytest.mark.parametrize(
    ("means", "text"), [(m, t) for m, texts in UNKNOWN_LEVEL_SPELLINGS.items() for t in texts]
)
def test_a_means_alone_is_that_means_at_an_unknown_level(means: str, text: str) -> None:
    """LOA-4.1: a reader MUST read the means alone, in the spellings of LOA-4, as that means
    at an unknown level, and a writer MUST write the means alone for it."""
    authentication = Authentication.from_name(text)
    assert authentication == Authentication(AuthMeans(means), None)
    assert authentication.level is None
    assert authentication.name == means
    assert Authentication.from_name(authentication.name) == authentication


def test_an_unknown_level_is_not_a_known_one() -> None:
    """LOA-4.1: An implementation MUST NOT substitute a level for an unknown one, and MUST
    keep it apart from an authentication that is not recorded at all."""
    unknown = Authentication.from_name("digid")
    assert all(unknown != Authentication(AuthMeans.DIGID, lv) for lv in AssuranceLevel if lv > 0)
    assert unknown is not None
    assert unknown.means is AuthMeans.DIGID


@pytest.mark.parametrize("value", [None])
def test_the_means_none_has_no_unknown_level(value: None) -> None:
    """LOA-4.1: The means `none` has no unknown level: `none` is always no authentication at
    level `none`."""
    with pytest.raises(InvalidValueError) as info:
        Authentication(AuthMeans.NONE, value)
    assert info.value.field == "authentication.level"
    assert Authentication.from_name("none").level is AssuranceLevel.NONE


def test_unknown_means_is_rejected() -> None:
    """LOA-4: Any other value MUST be rejected with an error that names the field and the value."""
    with pytest.raises(UnknownNameError) as info:
        Authentication("fax", "low")  # type: ignore[arg-type]
    assert_names(info.value, "authentication.means", "fax")


def test_authentication_that_is_not_text_is_rejected() -> None:
    """LOA-4: Any other value MUST be rejected with an error that names the field and the value."""
    with pytest.raises(InvalidValueError) as info:
        Authentication.from_name(5)  # type: ignore[arg-type]
    assert_names(info.value, "authentication", 5)


# --- LOA-5 ---------------------------------------------------------------------------------

INVALID_PAIRS = sorted(
    (m, lv) for m, lv in itertools.product(PROVIDES, SCALE) if lv not in PROVIDES[m]
)


@pytest.mark.parametrize(("means", "label"), INVALID_PAIRS)
def test_levels_a_means_does_not_provide_are_rejected(means: str, label: str) -> None:
    """LOA-5: An authentication whose level its means does not provide MUST be rejected with an
    error that names the field and the value."""
    with pytest.raises(InvalidValueError) as info:
        Authentication(means, label)  # type: ignore[arg-type]
    assert_names(info.value, "authentication.level", label)
    assert means in str(info.value)


@pytest.mark.parametrize(("means", "label"), INVALID_PAIRS)
def test_invalid_pairs_are_rejected_by_name_too(means: str, label: str) -> None:
    """LOA-5: An authentication whose level its means does not provide MUST be rejected."""
    with pytest.raises(InvalidValueError):
        Authentication.from_name(f"{means} {label}")


def test_scheme_levels_are_the_levels_of_the_mapping() -> None:
    """LOA-5: The levels of digid, eherkenning and eidas are those of LOA-2."""
    for means in ("digid", "eherkenning", "eidas"):
        assert {lvl for m, _, lvl, _ in MAPPING if m == means} == PROVIDES[means]


# --- LOA-6 ---------------------------------------------------------------------------------


@pytest.mark.property
@given(st.sampled_from(list(AssuranceLevel)), st.sampled_from(list(AssuranceLevel)))
def test_fit_is_consistent_with_the_order(used: AssuranceLevel, required: AssuranceLevel) -> None:
    """LOA-6: A used level equal to the required is a match, above it a barrier, below it a
    shortfall."""
    fit = used.fit(required=required)
    i, j = SCALE.index(used.label), SCALE.index(required.label)
    expected = Fit.MATCH if i == j else Fit.BARRIER if i > j else Fit.SHORTFALL
    assert fit is expected
    mirrored = {Fit.MATCH: Fit.MATCH, Fit.BARRIER: Fit.SHORTFALL, Fit.SHORTFALL: Fit.BARRIER}
    assert required.fit(required=used) is mirrored[fit]


def test_fit_over_all_pairs() -> None:
    """LOA-6: The fit is exactly one of match, barrier and shortfall (checked for all 25 pairs)."""
    counts = dict.fromkeys(Fit, 0)
    for used, required in itertools.product(AssuranceLevel, AssuranceLevel):
        counts[used.fit(required=required)] += 1
    assert counts == {Fit.MATCH: 5, Fit.BARRIER: 10, Fit.SHORTFALL: 10}


def test_vlaardingen_digid_for_a_counter_appointment_is_a_barrier() -> None:
    """LOA-6: A used level above the required level is a barrier (DigiD to book a counter
    appointment)."""
    used = Authentication.from_name("DigiD Midden").level
    assert used.fit(required=parse_level("none")) is Fit.BARRIER
    assert parse_level("DigiD Basis").fit(required=parse_level("substantial")) is Fit.SHORTFALL
