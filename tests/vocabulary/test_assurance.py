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


# --- LOA-3 comparison rule, LOA-4 closed table, LOA-4.2 several means, LOA-7.1 -------------

_LEVEL_WORDS = {
    "basis": "basis",
    "low": "low",
    "laag": "low",
    "substantial": "substantial",
    "substantieel": "substantial",
    "high": "high",
    "hoog": "high",
}
"""LOA-4's table, row *means* *level*: the level names of LOA-3 a means may be followed by."""


def _closed_table() -> dict[str, tuple[str, str | None]]:
    """Every spelling LOA-4's table accepts (lower case), with its means and level label."""
    table: dict[str, tuple[str, str | None]] = {"none": ("none", "none"), "geen": ("none", "none")}
    provides = {means: set(levels) for means, levels in PROVIDES.items()}
    for means in ("digid", "eherkenning", "eidas", "own-account"):
        spellings = {means, means.replace("-", " "), means.replace("-", "_")}
        for spelling in spellings:
            table[spelling] = (means, None)
            for word, label in _LEVEL_WORDS.items():
                if label in provides[means]:
                    table[f"{spelling} {word}"] = (means, label)
    for means, name, label, identifiers in MAPPING:
        table[f"{means} {name}".lower()] = (means, label)
        if means == "eherkenning":
            table[name.lower()] = (means, label)
        for identifier in identifiers:
            table[identifier.lower()] = (means, label)
    return table


CLOSED = _closed_table()


def _as_pair(auth: Authentication) -> tuple[str, str | None]:
    return auth.means.value, None if auth.level is None else auth.level.label


@pytest.mark.parametrize("spelling", sorted(CLOSED))
def test_loa_4_every_spelling_of_the_table_is_read(spelling: str) -> None:
    """LOA-4: a reader MUST read exactly the spellings of the table below."""
    assert _as_pair(Authentication.from_name(spelling)) == CLOSED[spelling]


_NAME_CHARS = st.sampled_from(sorted(set("".join(CLOSED)) | set("ABDEGHIKLMNORSTU -_/.:0123")))


@given(st.text(_NAME_CHARS, min_size=1, max_size=24))
def test_loa_4_everything_else_is_rejected(text: str) -> None:
    """LOA-4: a reader ... MUST reject any other value with an error that names the field
    and the value (compared by the comparison rule of LOA-3)."""
    key = " ".join(text.lower().split())
    if key in CLOSED:
        assert _as_pair(Authentication.from_name(text)) == CLOSED[key]
    else:
        with pytest.raises(InvalidValueError) as caught:
            Authentication.from_name(text)
        assert caught.value.field == "authentication"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  DigiD\u00a0\tMidden\r\n", ("digid", "low")),
        ("EHERKENNING   EH2+", ("eherkenning", "low")),
        ("Own_Account HOOG", ("own-account", "high")),
    ],
)
def test_loa_3_comparison_rule_case_and_white_space(
    text: str, expected: tuple[str, str | None]
) -> None:
    """LOA-3: ASCII letters are compared without regard to case; white space (tab, line
    feed, carriage return, space and no-break space) at either end is ignored, and each run
    of it inside a name is read as one space."""
    assert _as_pair(Authentication.from_name(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "eher\u212aenning",  # KELVIN SIGN folds to "k" in Unicode, not under LOA-3
        "d\u0131gid",  # dotless i
        "digid\u2003midden",  # EM SPACE is not white space of LOA-3
        "digid\u200bmidden",  # zero-width space
    ],
)
def test_loa_3_no_other_character_is_folded(text: str) -> None:
    """LOA-3: no other character is case-folded; every other character is compared exactly."""
    with pytest.raises(InvalidValueError):
        Authentication.from_name(text)


def test_loa_4_2_several_means_written_as_text_or_list() -> None:
    """LOA-4.2: several means are written as one text, the spellings of LOA-4 separated by
    ``/``, ``|``, ``;`` or ``,``, or by the word ``or`` or ``of``; in JSON also as an array."""
    from digimaat.vocabulary.assurance import AuthenticationOptions, authentication_of

    expected = authentication_of(["DigiD Midden", "eHerkenning EH3"])
    assert isinstance(expected, AuthenticationOptions)
    for text in (
        "DigiD Midden / eHerkenning EH3",
        "EH3|digid midden",
        "digid low; eherkenning substantial",
        "DigiD Midden, EH3",
        "DigiD Midden of EH3",
        "EH3 or DigiD Midden",
    ):
        assert authentication_of(text) == expected
    assert expected.name == "digid low / eherkenning substantial"
    assert authentication_of(expected.name) == expected


def test_loa_4_2_identifier_with_a_slash_is_read_whole() -> None:
    """LOA-4.2: a reader MUST first read a text as one spelling, and split it only when it
    is not one."""
    from digimaat.vocabulary.assurance import authentication_of

    read = authentication_of(_EIDAS + "substantial")
    assert isinstance(read, Authentication)
    assert _as_pair(read) == ("eidas", "substantial")


@pytest.mark.parametrize(
    "value", [["DigiD Midden"] * 2, "DigiD Midden / digid low", "EH3 / nonsense", []]
)
def test_loa_4_2_fewer_than_two_or_repeated_means_are_rejected(value: Any) -> None:
    """LOA-4.2: a reader MUST reject a list of fewer than two means and a list that names
    the same authentication twice."""
    from digimaat.vocabulary.assurance import AuthenticationOptions

    with pytest.raises(InvalidValueError):
        AuthenticationOptions(value)


_ANY_AUTH = st.sampled_from(
    sorted({_as_pair(Authentication.from_name(s)) for s in CLOSED}, key=str)
)


@given(st.lists(_ANY_AUTH, min_size=2, max_size=4, unique=True))
def test_loa_7_1_effective_level(pairs: list[tuple[str, str | None]]) -> None:
    """LOA-7.1: the effective level is the lowest level among its means; it is unknown when
    a means of unknown level provides a level below the lowest known level of the others,
    or when no means has a known level."""
    from digimaat.vocabulary.assurance import AuthenticationOptions

    options = AuthenticationOptions([Authentication(m, lv) for m, lv in pairs])
    known = [SCALE.index(lv) for _, lv in pairs if lv is not None]
    lowest = min(known) if known else None
    unknown_floor = [min(SCALE.index(x) for x in PROVIDES[m]) for m, lv in pairs if lv is None]
    if lowest is None or any(floor < lowest for floor in unknown_floor):
        assert options.level is None
    else:
        assert options.level is not None
        assert options.level.label == SCALE[lowest]
    # the canonical order and name round-trip
    again = AuthenticationOptions(list(reversed(options.options)))
    assert again == options
    assert again.name == options.name
