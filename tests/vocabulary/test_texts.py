"""Records built in code follow the rules every reader applies (XCH-4).

A record built in code (a municipality, an offering, a product, a profile, a peer group)
refuses a text or a number that a reader of the standard's files would refuse, so that a
writer never writes a file that a reader refuses: any text a record accepts survives a
round trip through the JSON document and the CSV form.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.analysis.peers import PeerGroup
from digimaat.errors import DigimaatError, InvalidValueError
from digimaat.exchange import Submission, dumps, loads
from digimaat.measurement.metrics import Availability
from digimaat.measurement.profiles import Profile, standard_profile
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import FormFunnel, Offering, Provenance
from digimaat.vocabulary.products import Additions, LegalBasis, Product
from tests.exchange.test_limits import FORBIDDEN, LINE_BREAKS

pytestmark = pytest.mark.property

PARKING = "http://standaarden.overheid.nl/owms/terms/parkeervergunning"


def _profile(**fields: Any) -> Profile:
    return attrs.evolve(standard_profile(), **fields)  # evolve runs the validators


MAKERS: dict[str, tuple[Callable[[str], object], bool]] = {
    "Municipality.name": (lambda t: Municipality("GM0622", t, 74124, 2021), False),
    "Offering.notes": (lambda t: Offering("GM0622", PARKING, notes=t), True),
    "Offering.local_target_reason": (
        lambda t: Offering("GM0622", PARKING, local_target="prefilled", local_target_reason=t),
        True,
    ),
    "Provenance.source": (lambda t: Provenance(t, ["r"], "2024-01-01"), False),
    "Provenance.records": (lambda t: Provenance("s", [t], "2024-01-01"), False),
    "Product.name": (lambda t: Product.local("urn:gm0622:x", t), False),
    "Product.uri": (lambda t: Product.local("urn:gm0622:" + t, "x"), False),
    "Additions.reason": (lambda t: Additions(fee_applies=True, reason=t), True),
    "LegalBasis.label": (lambda t: LegalBasis("urn:law", label=t), False),
    "Profile.name": (lambda t: _profile(name=t), False),
    "Profile.title": (lambda t: _profile(title=t), False),
    "Profile.description": (lambda t: _profile(description=t), True),
    "Metric.title": (lambda t: Availability("m", t), False),
    "PeerGroup.name": (lambda t: PeerGroup(t, ("GM0622",)), False),
}


@given(
    maker=st.sampled_from(sorted(MAKERS)),
    character=st.sampled_from(FORBIDDEN + list(LINE_BREAKS)),
)
def test_a_record_refuses_what_a_reader_refuses(maker: str, character: str) -> None:
    """XCH-4: no text field holds a control, bidirectional-override or surrogate character
    or a noncharacter; tab, line feed and carriage return only a text of several lines. A
    record built in code refuses them as every reader does, with the same clause."""
    make, multiline = MAKERS[maker]
    text = f"a{character}b"
    if character in LINE_BREAKS and multiline:
        make(text)
        return
    with pytest.raises(InvalidValueError) as caught:
        make(text)
    assert caught.value.problem.clause in ("XCH-4", "XCH-6", "CMP-3")  # XCH-6: a URI's space
    assert character not in str(caught.value)


def _round_trip(submission: Submission) -> None:
    assert loads(dumps(submission, form="json"), form="json") == submission
    if not submission.local_products:
        assert loads(dumps(submission, form="csv"), form="csv") == submission


@given(text=st.text(max_size=12), field=st.sampled_from(["name", "notes", "reason", "product"]))
def test_what_a_record_accepts_a_reader_reads_back(text: str, field: str) -> None:
    """XCH-4, XCH-14: a writer never writes what a reader refuses: any text that a record
    accepts is read back the same from the JSON document and from the CSV form."""
    try:
        municipality = Municipality("GM0622", text if field == "name" else "V", 74124, 2021)
        local = Product.local("urn:gm0622:x", text) if field == "product" else None
        offering = Offering(
            "GM0622",
            local.uri if local else PARKING,
            notes=text if field == "notes" else None,
            local_target="prefilled" if field == "reason" else None,
            local_target_reason=text if field == "reason" else None,
        )
    except DigimaatError:
        return  # refused where it is made: never written
    submission = Submission.build(
        [municipality],
        [offering],
        reference_year=2024,
        local_products=[local] if local else (),
    )
    _round_trip(submission)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Municipality("GM0622", "V", 10**9 + 1, 2021), "population"),
        (lambda: Municipality("GM0622", "x" * 201, 1, 2021), "name"),
        (lambda: Offering("GM0622", PARKING, forms=FormFunnel(10**12 + 1, 0)), "forms.started"),
        (lambda: FormFunnel(10**12, 10**12 + 1), "forms.completed"),
    ],
)
def test_a_record_refuses_the_numbers_and_lengths_a_reader_refuses(
    make: Callable[[], object], field: str
) -> None:
    """XCH-4: a population is at most 10^9, a count of web forms at most 10^12, a
    municipality's name at most 200 characters, in a record as in every file."""
    with pytest.raises(InvalidValueError) as caught:
        make()
    assert (caught.value.field, caught.value.problem.clause) == (field, "XCH-4")


def test_every_forbidden_character_is_unprintable() -> None:
    """XCH-4: a text MUST NOT hold control, bidirectional-override or surrogate characters
    or the noncharacters U+FFFE and U+FFFF; every one of them is unprintable
    (``str.isprintable``), which lets the rule pass a printable text without its pattern."""
    from digimaat._text import _FORBIDDEN_LINE, _pattern

    pattern = re.compile(_FORBIDDEN_LINE)
    caught = [chr(c) for c in range(0x10000) if pattern.fullmatch(chr(c))]
    assert len(caught) == 32 + 33 + 5 + 4 + 2048 + 2
    assert not any(c.isprintable() for c in caught)
    assert all(_pattern(False).fullmatch(c) for c in caught)
    assert all(_pattern(True).fullmatch(c) for c in caught if c not in "\t\n\r")


@given(st.text(max_size=20), st.booleans())
def test_the_rule_of_texts_is_its_pattern(text: str, multiline: bool) -> None:
    """XCH-4: a text is refused exactly when it holds a character the rule's pattern names."""
    from digimaat._text import _FORBIDDEN_LINE, _FORBIDDEN_LINES, forbidden

    pattern = re.compile(_FORBIDDEN_LINES if multiline else _FORBIDDEN_LINE)
    assert forbidden(text, multiline=multiline) == (pattern.search(text) is not None)
