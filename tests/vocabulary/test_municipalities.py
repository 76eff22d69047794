"""Tests of specification chapter MUN (municipalities and CBS size classes).

The size-class table is transcribed from ``specs/05-municipalities.md``.
"""

from __future__ import annotations

import string
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import DigimaatError, InvalidValueError
from digimaat.vocabulary.municipalities import SIZE_CLASSES, Municipality, size_class

LOWER_BOUNDS = [0, 5_000, 10_000, 20_000, 50_000, 100_000, 150_000, 250_000]
"""MUN-3: the lower bound of classes 1 to 8."""

DIGITS = "0123456789"


def assert_names(exc: BaseException, field: str, value: Any) -> None:
    """The error is a DigimaatError whose message names the field and the value."""
    assert isinstance(exc, DigimaatError)
    text = str(exc)
    assert f"{field}:" in text, text
    assert f"(got {value!r})" in text, text


def municipality(
    code: Any = "GM0622", name: Any = "Vlaardingen", population: Any = 74_124, year: Any = 2021
) -> Municipality:
    return Municipality(code, name, population, year)


# --- MUN-1 ---------------------------------------------------------------------------------


def test_a_valid_record() -> None:
    """MUN-1: A municipality record has four fields, all REQUIRED: cbs_code, name, population,
    year."""
    m = municipality()
    assert (m.cbs_code, m.name, m.population, m.year) == ("GM0622", "Vlaardingen", 74_124, 2021)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "   "),
        ("name", None),
        ("population", 0),
        ("population", -1),
        ("population", 1.5),
        ("population", True),
        ("population", "74124"),
        ("year", 1799),
        ("year", 2201),
        ("year", True),
        ("year", "2021"),
    ],
)
def test_invalid_fields_are_rejected(field: str, value: object) -> None:
    """MUN-1: A value outside these rules MUST be rejected with an error that names the field and
    the value."""
    with pytest.raises(InvalidValueError) as info:
        municipality(**{"code" if field == "cbs_code" else field: value})
    assert_names(info.value, field, value)


@pytest.mark.parametrize("year", [1800, 2200])
def test_year_bounds_are_included(year: int) -> None:
    """MUN-1: The reference year is an integer from 1800 to 2200."""
    assert municipality(year=year).year == year


# --- MUN-2 ---------------------------------------------------------------------------------

valid_codes = st.text(alphabet=DIGITS, min_size=4, max_size=4).map(lambda d: "GM" + d)

NOT_G = string.ascii_uppercase.replace("G", "") + "0 "
NOT_M = string.ascii_uppercase.replace("M", "") + "0 "
NOT_ASCII_DIGIT = string.ascii_letters + " -_+.\u0660\u0661\u0669\uff10\uff11\u00b2\u0966"
"""Letters, punctuation, Arabic-Indic, fullwidth and Devanagari digits and a superscript."""


@st.composite
def digit_replaced(draw: st.DrawFn) -> str:
    """A valid code with one of its four digits replaced by something that is no ASCII digit."""
    digits = draw(st.text(alphabet=DIGITS, min_size=4, max_size=4))
    i = draw(st.integers(min_value=0, max_value=3))
    other = draw(st.sampled_from(NOT_ASCII_DIGIT))
    return "GM" + digits[:i] + other + digits[i + 1 :]


four_digits = st.text(alphabet=DIGITS, min_size=4, max_size=4)

invalid_even_when_typed = st.one_of(
    # a wrong first letter, a wrong second letter (in either case)
    st.tuples(st.sampled_from(NOT_G + NOT_G.lower()), four_digits).map(lambda t: t[0] + "M" + t[1]),
    st.tuples(st.sampled_from(NOT_M + NOT_M.lower()), four_digits).map(lambda t: "G" + t[0] + t[1]),
    # too few or too many digits
    st.text(alphabet=DIGITS, max_size=3).map(lambda d: "GM" + d),
    st.text(alphabet=DIGITS, min_size=5, max_size=8).map(lambda d: "GM" + d),
    # no prefix at all
    st.text(alphabet=DIGITS, min_size=1, max_size=6),
    # digits of other scripts, letters, punctuation
    digit_replaced(),
)
"""Codes that stay invalid after the normalisation of typed codes (MUN-2)."""

invalid_codes = st.one_of(
    invalid_even_when_typed,
    # lower case or white space: only typed input is normalised (from_code), records are not
    valid_codes.map(str.lower),
    valid_codes.map(lambda c: "g" + c[1:]),
    valid_codes.map(lambda c: " " + c),
    valid_codes.map(lambda c: c + "\n"),
)


@pytest.mark.property
@given(valid_codes)
def test_codes_of_gm_and_four_digits_are_accepted(code: str) -> None:
    """MUN-2: A CBS code is the letters GM followed by exactly four ASCII digits."""
    assert municipality(code=code).cbs_code == code


@pytest.mark.property
@given(invalid_codes)
def test_other_codes_are_rejected(code: str) -> None:
    """MUN-2: Any other value, including digits of other scripts, MUST be rejected."""
    with pytest.raises(InvalidValueError) as info:
        municipality(code=code)
    assert_names(info.value, "cbs_code", code)


@pytest.mark.parametrize(
    "code",
    ["GM\u0660\u0666\u0662\u0662", "GM\uff10\uff16\uff12\uff12", "GM\u0966622", "GM062\u00b2"],
)
def test_digits_of_other_scripts_are_rejected(code: str) -> None:
    """MUN-2: Any other value, including digits of other scripts, MUST be rejected."""
    with pytest.raises(InvalidValueError) as info:
        municipality(code=code)
    assert_names(info.value, "cbs_code", code)
    with pytest.raises(InvalidValueError):
        Municipality.from_code(code, "x", population=1, year=2021)


@pytest.mark.parametrize("code", [622, None, b"GM0622"])
def test_codes_that_are_not_text_are_rejected(code: object) -> None:
    """MUN-2: Any other value MUST be rejected."""
    with pytest.raises(InvalidValueError) as info:
        Municipality.from_code(code, "Vlaardingen", population=74_124, year=2021)  # type: ignore[arg-type]
    assert_names(info.value, "cbs_code", code)


@pytest.mark.property
@given(valid_codes, st.data())
def test_from_code_normalises_typed_codes(code: str, data: st.DataObject) -> None:
    """MUN-2: An implementation MAY accept lower-case letters and surrounding white space, and MUST
    then normalise the code."""
    prefix = data.draw(st.sampled_from(["GM", "gm", "Gm", "gM"]))
    left = data.draw(st.sampled_from(["", " ", "\t", "  "]))
    right = data.draw(st.sampled_from(["", " ", "\n"]))
    typed = left + prefix + code[2:] + right
    m = Municipality.from_code(typed, "x", population=1, year=2021)
    assert m.cbs_code == code


@pytest.mark.property
@given(invalid_even_when_typed)
def test_from_code_does_not_repair_other_codes(code: str) -> None:
    """MUN-2: After normalisation, any other value MUST be rejected."""
    with pytest.raises(InvalidValueError) as info:
        Municipality.from_code(code, "x", population=1, year=2021)
    assert "cbs_code:" in str(info.value)


# --- MUN-3 ---------------------------------------------------------------------------------


def test_size_class_table() -> None:
    """MUN-3: The size class is one of the eight CBS gemeentegrootte classes."""
    assert [bound for bound, _ in SIZE_CLASSES] == LOWER_BOUNDS
    assert [cls.code for _, cls in SIZE_CLASSES] == list(range(1, 9))


@pytest.mark.parametrize("bound", LOWER_BOUNDS[1:])
def test_a_class_includes_its_lower_bound(bound: int) -> None:
    """MUN-3: A class includes its lower bound and excludes its upper bound."""
    code = LOWER_BOUNDS.index(bound) + 1
    assert size_class(bound).code == code
    assert size_class(bound - 1).code == code - 1


@pytest.mark.property
@given(st.integers(min_value=0, max_value=20_000_000))
def test_size_class_of_any_population(population: int) -> None:
    """MUN-3: An implementation MUST derive the size class from the population."""
    expected = sum(1 for bound in LOWER_BOUNDS if population >= bound)
    assert size_class(population).code == expected
    if population > 0:
        assert municipality(population=population).size_class == size_class(population)


@pytest.mark.parametrize("population", [-1, 2.5, True, "100"])
def test_size_class_of_an_invalid_population(population: object) -> None:
    """MUN-3: A population that is not a non-negative integer has no size class."""
    with pytest.raises(InvalidValueError) as info:
        size_class(population)  # type: ignore[arg-type]
    assert_names(info.value, "population", population)


def test_the_mvs_municipalities() -> None:
    """MUN-3: Maassluis is in class 4; Vlaardingen and Schiedam are in class 5."""
    maassluis = Municipality.from_code("GM0556", "Maassluis", population=34_148, year=2022)
    vlaardingen = Municipality.from_code("GM0622", "Vlaardingen", population=74_124, year=2021)
    schiedam = Municipality.from_code("GM0606", "Schiedam", population=79_342, year=2021)
    assert [m.size_class.code for m in (maassluis, vlaardingen, schiedam)] == [4, 5, 5]


# --- MUN-4 ---------------------------------------------------------------------------------


def test_records_of_different_years_are_different() -> None:
    """MUN-4: Codes, names and populations are specific to a year."""
    assert municipality(year=2021) != municipality(year=2022)
    assert municipality(year=2021) == municipality(year=2021)


# -- MUN-5: the shipped register ---------------------------------------------------------


@pytest.mark.parametrize(("year", "total"), [(2023, 17_811_291), (2024, 17_942_942)])
def test_register_totals_are_cbs_national_totals(year: int, total: int) -> None:
    """MUN-5: the register holds the 342 municipalities of the year, CBS's national total."""
    from digimaat.vocabulary.municipalities import cbs_register

    register = cbs_register(year)
    assert len(register) == 342
    assert sum(m.population for m in register) == total
    assert [m.cbs_code for m in register] == sorted({m.cbs_code for m in register})
    assert all(m.year == year for m in register)


def test_register_matches_the_source_files() -> None:
    """MUN-5: the packaged register equals the CBS files kept in data/cbs, row by row."""
    import csv
    from pathlib import Path

    from digimaat.vocabulary.municipalities import cbs_register

    root = Path(__file__).resolve().parents[2] / "data" / "cbs"
    for year in (2023, 2024):
        with (root / f"gemeenten-{year}.csv").open(encoding="utf-8", newline="") as handle:
            rows = {r["code"]: (r["name"], int(r["population"])) for r in csv.DictReader(handle)}
        register = cbs_register(year)
        assert {m.cbs_code: (m.name, m.population) for m in register} == rows


def test_register_looks_up_by_code_not_name() -> None:
    """MUN-5: a municipality is looked up by CBS code and year, never by name."""
    from digimaat.errors import InvalidValueError
    from digimaat.vocabulary.municipalities import cbs_register

    assert cbs_register(2023).get("GM0888").name == "Beek"
    assert cbs_register(2024).get("GM0888").name == "Beek (L.)"
    assert "GM0888" in cbs_register(2024)
    with pytest.raises(InvalidValueError, match="not a municipality"):
        cbs_register(2024).get("Beek")
    with pytest.raises(InvalidValueError, match="available: 2023, 2024"):
        cbs_register(2019)


def test_register_size_classes_match_cbs_counts() -> None:
    """MUN-3, MUN-5: the 2024 class counts are those of CBS 85755NED."""
    from collections import Counter

    from digimaat.vocabulary.municipalities import cbs_register

    counts = Counter(m.size_class.code for m in cbs_register(2024))
    assert [counts[c] for c in range(1, 9)] == [5, 7, 53, 182, 63, 14, 14, 4]
