"""Tests of specification chapter OFF (offerings, local targets, volumes).

The units of volumes (OFF-10 to OFF-15) are tested in ``tests/test_units.py``; here the
volume record itself (OFF-5) is tested.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import DigimaatError, InputError, InvalidValueError, UnknownNameError
from digimaat.vocabulary.assurance import Authentication
from digimaat.vocabulary.channels import CHANNELS, Channel
from digimaat.vocabulary.maturity import Capability, MaturityLevel, level_of
from digimaat.vocabulary.offerings import FormFunnel, Offering, Provenance, Status, VolumeRecord
from digimaat.vocabulary.products import Additions, Product

GM = "GM0622"
URI = "urn:gm0622:product:test"
STATUSES = ["offered", "not-offered", "not-applicable", "unknown"]
"""OFF-2."""

CHANNEL_NAMES = [c.value for c in CHANNELS]


def assert_names(exc: BaseException, field: str, value: Any) -> None:
    """The error is a DigimaatError whose message names the field and the value."""
    assert isinstance(exc, DigimaatError)
    text = str(exc)
    assert f"{field}:" in text, text
    assert f"(got {value!r})" in text, text


def offering(**fields: Any) -> Offering:
    return Offering(municipality=GM, product=URI, **fields)


def product(fee_applies: bool | None = None) -> Product:
    return Product.local(
        URI, "test product", additions=Additions(fee_applies=fee_applies, reason="t")
    )


# --- OFF-1 ---------------------------------------------------------------------------------


def test_defaults_and_key() -> None:
    """OFF-1: municipality and product are REQUIRED; the others are OPTIONAL, with the default
    shown."""
    o = offering()
    assert o.key == (GM, URI)
    assert o.status is Status.OFFERED
    assert o.capabilities == frozenset()
    assert (o.authentication, o.local_target, o.local_target_reason) == (None, None, None)
    assert (o.volumes, o.forms, o.fee_applies) == (None, None, None)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("fee_applies", "yes"),
        ("fee_applies", 1),
        ("volumes", {"web": "5/year"}),
        ("forms", (3, 2)),
        ("local_target_reason", 5),
    ],
)
def test_values_of_the_wrong_kind_are_rejected(field: str, value: object) -> None:
    """OFF-1: A value of the wrong kind MUST be rejected with an error that names the field and the
    value."""
    fields: dict[str, Any] = {field: value}
    if field == "local_target_reason":
        fields["local_target"] = "prefilled"
    with pytest.raises(InvalidValueError) as info:
        offering(**fields)
    assert_names(info.value, field, value)


@pytest.mark.parametrize(
    ("field", "value"), [("municipality", "GM62"), ("product", ""), ("product", None)]
)
def test_keys_are_checked(field: str, value: object) -> None:
    """OFF-1: municipality is a CBS code and product a URI; other values are rejected."""
    fields = {"municipality": GM, "product": URI, field: value}
    with pytest.raises(InvalidValueError) as info:
        Offering(**fields)
    assert_names(info.value, field, value)


# --- OFF-2 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", STATUSES)
def test_status_names(name: str) -> None:
    """OFF-2: The status of an offering is exactly one of offered, not-offered, not-applicable,
    unknown."""
    assert offering(status=name).status.value == name
    assert offering(status=name.upper().replace("-", "_")).status.value == name
    assert {s.value for s in Status} == set(STATUSES)


@pytest.mark.parametrize("value", ["absent", "", None, 0])
def test_unknown_status_is_rejected(value: object) -> None:
    """OFF-2: The status of an offering is exactly one of the four (an error names the field and
    the value)."""
    with pytest.raises(UnknownNameError) as info:
        offering(status=value)
    assert_names(info.value, "status", value)


def test_statuses_are_distinct_from_level_zero() -> None:
    """OFF-2: None of the last three is maturity level 0: level 0 is an offered product with
    nothing online."""
    p = product()
    assert offering().level_for(p) == MaturityLevel.OFFLINE
    for name in STATUSES[1:]:
        assert offering(status=name).level_for(p) is None
    assert len({offering(status=name) for name in STATUSES}) == 4


# --- OFF-3 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", STATUSES[1:])
def test_only_offered_offerings_have_capabilities(name: str) -> None:
    """OFF-3: An offering that is not offered MUST have no capabilities."""
    with pytest.raises(InvalidValueError) as info:
        offering(status=name, capabilities=["online-payment", "information-online"])
    assert_names(info.value, "capabilities", ["information-online", "online-payment"])


ABSENT_FIELDS: dict[str, Any] = {
    "authentication": Authentication.from_name("DigiD Midden"),
    "volumes": VolumeRecord.from_mapping({"web": "5/year"}),
    "forms": FormFunnel(started=2, completed=1),
    "local_target": MaturityLevel.PREFILLED,
}


@pytest.mark.parametrize("name", ["not-offered", "not-applicable"])
@pytest.mark.parametrize("field", sorted(ABSENT_FIELDS))
def test_not_offered_and_not_applicable_carry_nothing(name: str, field: str) -> None:
    """OFF-3: An offering that is not-offered or not-applicable MUST carry no authentication, no
    volumes, no forms and no local target."""
    fields: dict[str, Any] = {field: ABSENT_FIELDS[field]}
    if field == "local_target":
        fields["local_target_reason"] = "a reason"
    with pytest.raises(InvalidValueError) as info:
        offering(status=name, **fields)
    assert_names(info.value, field, ABSENT_FIELDS[field])


def test_unknown_may_carry_volumes_and_the_rest() -> None:
    """OFF-3: An offering that is unknown MAY carry them (its volumes may well be known)."""
    o = offering(status="unknown", local_target_reason="a reason", **ABSENT_FIELDS)
    assert o.volumes == ABSENT_FIELDS["volumes"]
    assert o.capabilities == frozenset()


# --- OFF-4 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [None, "", "   ", "\n"])
def test_local_target_needs_a_reason(reason: str | None) -> None:
    """OFF-4: A local target MUST come with a reason, a non-empty text."""
    with pytest.raises(InvalidValueError) as info:
        offering(local_target="online-submission", local_target_reason=reason)
    assert_names(info.value, "local_target_reason", reason)


def test_reason_without_local_target_is_rejected() -> None:
    """OFF-4: A reason without a local target MUST be rejected."""
    with pytest.raises(InvalidValueError) as info:
        offering(local_target_reason="we prefer the counter")
    assert "local_target:" in str(info.value)


@pytest.mark.parametrize("target", ["online-submission", "Online Submission", 3, "3"])
def test_local_target_with_reason(target: object) -> None:
    """OFF-4: A municipality MAY set a local target for an offering: a maturity level (MAT-1)."""
    o = offering(local_target=target, local_target_reason="small volume; counter preferred")
    assert o.local_target is MaturityLevel.ONLINE_SUBMISSION


def test_invalid_local_target_is_rejected() -> None:
    """OFF-4: A local target is a maturity level (MAT-1); any other value is rejected."""
    with pytest.raises(UnknownNameError) as info:
        offering(local_target="perfect", local_target_reason="x")
    assert_names(info.value, "local_target", "perfect")


# --- OFF-5 ---------------------------------------------------------------------------------


def test_all_problems_of_a_volume_record_are_reported_together() -> None:
    """OFF-5: A reader MUST report every problem of a volume record together, each naming the field
    and the value."""
    record = {
        "web": "-3/year",
        "fax": "2/year",
        "post": "5 m",
        "balie": 700,
        "online": "1/year",
        "telefoon": "nan/year",
    }
    with pytest.raises(InputError) as info:
        VolumeRecord.from_mapping(record)
    problems = {(p.field, repr(p.value)) for p in info.value.problems}
    assert problems == {
        ("volumes.web", "'-3/year'"),
        ("channel", "'fax'"),
        ("volumes.post", "'5 m'"),
        ("volumes.balie", "700"),
        ("channel", "'online'"),  # web listed twice, through its alias
        ("volumes.telefoon", "'nan/year'"),
    }
    text = str(info.value)
    assert text.startswith("6 problems found:")
    for field, value in problems:
        assert f"{field}: " in text
        assert f"(got {value})" in text


def test_unlisted_channels_have_no_requests() -> None:
    """OFF-5: A channel that is not listed has no requests: its volume is zero."""
    v = VolumeRecord.from_mapping({"balie": "700/year", "web": "0/year"})
    assert v.per_year() == {"balie": 700.0, "web": 0.0}
    assert v.quantity("post").magnitude == 0.0
    assert v.quantity("web").magnitude == 0.0
    assert v.total() == 700.0


def test_no_volume_record_is_unknown_not_zero() -> None:
    """OFF-5: An offering without a volume record has an unknown volume, which is not zero."""
    assert offering().volumes is None
    assert offering(volumes=VolumeRecord.from_mapping({})).volumes == VolumeRecord.from_mapping({})
    assert offering().volumes != VolumeRecord.from_mapping({})


@pytest.mark.property
@given(
    st.dictionaries(
        st.sampled_from(CHANNEL_NAMES), st.integers(min_value=0, max_value=10**9), max_size=7
    ),
    st.randoms(),
)
def test_volume_records_do_not_depend_on_order(counts: dict[str, int], rnd: Any) -> None:
    """OFF-5: The volume is held per channel as requests per year; the order of the record does not
    matter."""
    items = [(name, f"{n}/year") for name, n in counts.items()]
    shuffled = list(items)
    rnd.shuffle(shuffled)
    a, b = VolumeRecord.from_mapping(dict(items)), VolumeRecord.from_mapping(dict(shuffled))
    assert a == b
    assert a.per_year() == {name: float(n) for name, n in counts.items()}
    assert list(a.per_year()) == [c for c in CHANNEL_NAMES if c in counts]


@pytest.mark.property
@given(st.sampled_from(CHANNEL_NAMES), st.integers(min_value=0, max_value=10**9))
def test_per_month_is_twelve_times_per_year(channel: str, n: int) -> None:
    """OFF-5: A volume is recorded with an explicit unit and held as requests per year (a month is
    a twelfth of a year)."""
    monthly = VolumeRecord.from_mapping({channel: f"{n} per month"}).per_year()[channel]
    yearly = VolumeRecord.from_mapping({channel: f"{n * 12}/year"}).per_year()[channel]
    # Tolerance: relative 1e-12 (the unit conversion is a float product; n < 2**53).
    assert monthly == pytest.approx(yearly, rel=1e-12, abs=0.0)
    assert yearly == float(n * 12)


def test_from_per_year_checks_its_numbers() -> None:
    """OFF-5: A volume MUST be finite and not negative (also when given as plain numbers per
    year)."""
    with pytest.raises(InputError) as info:
        VolumeRecord.from_per_year({Channel.WEB: -1.0, "balie": float("nan"), "post": "5"})
    assert {(p.field, repr(p.value)) for p in info.value.problems} == {
        ("volumes.web", "-1.0"),
        ("volumes.balie", "nan"),
        ("volumes.post", "'5'"),
    }
    assert VolumeRecord.from_per_year({"Web": 3}) == VolumeRecord.from_per_year({Channel.WEB: 3.0})


def test_volumes_are_not_built_from_inconsistent_parts() -> None:
    """OFF-5: A channel MUST appear at most once; a volume record holds one number per channel."""
    with pytest.raises(InvalidValueError) as info:
        VolumeRecord((Channel.WEB,), (1.0, 2.0))
    assert "volumes.per_year_values:" in str(info.value)
    with pytest.raises(InvalidValueError) as info:
        VolumeRecord((Channel.WEB, Channel.WEB), (1.0, 2.0))
    assert "volumes.channels:" in str(info.value)
    with pytest.raises(InvalidValueError) as info:
        VolumeRecord.from_mapping(["web"])  # type: ignore[arg-type]
    assert_names(info.value, "volumes", ["web"])


# --- OFF-6 ---------------------------------------------------------------------------------


@pytest.mark.property
@given(st.integers(min_value=0, max_value=10**7), st.data())
def test_completed_forms_never_exceed_started(started: int, data: st.DataObject) -> None:
    """OFF-6: started and completed are non-negative integers with completed not greater than
    started."""
    completed = data.draw(st.integers(min_value=0, max_value=started))
    assert FormFunnel(started=started, completed=completed).completed == completed
    too_many = started + data.draw(st.integers(min_value=1, max_value=10**6))
    with pytest.raises(InvalidValueError) as info:
        FormFunnel(started=started, completed=too_many)
    assert_names(info.value, "forms.completed", too_many)


@pytest.mark.parametrize(
    ("field", "value"),
    [("started", -1), ("completed", -1), ("started", 1.0), ("completed", True)],
)
def test_form_counts_are_non_negative_integers(field: str, value: object) -> None:
    """OFF-6: The numbers of web forms started and completed are non-negative integers."""
    counts: dict[str, Any] = {"started": 10, "completed": 0, field: value}
    with pytest.raises(InvalidValueError) as info:
        FormFunnel(**counts)
    assert_names(info.value, f"forms.{field}", value)


# --- OFF-7 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "product_fee", "expected"),
    [
        (None, None, True),  # the default of PRD-5
        (None, False, False),
        (None, True, True),
        (False, True, False),
        (True, False, True),
        (False, None, False),
    ],
)
def test_fee(override: bool | None, product_fee: bool | None, expected: bool) -> None:
    """OFF-7: The offering's fee_applies when recorded; otherwise the product's; when neither is
    recorded, a fee applies."""
    assert offering(fee_applies=override).fee_for(product(product_fee)) is expected


# --- OFF-8 ---------------------------------------------------------------------------------


@pytest.mark.property
@given(
    st.sets(st.sampled_from(list(Capability))),
    st.sampled_from([None, True, False]),
    st.sampled_from([None, True, False]),
)
def test_level_is_derived_by_tier_gating_with_the_fee(
    capabilities: set[Capability], override: bool | None, product_fee: bool | None
) -> None:
    """OFF-8: The maturity level of an offered offering is derived from its capabilities by tier
    gating (MAT-3), with the fee of OFF-7."""
    o = offering(capabilities=capabilities, fee_applies=override)
    fee = override if override is not None else (product_fee is not False)
    assert o.level_for(product(product_fee)) == level_of(capabilities, fee_applies=fee)


def test_level_for_another_product_is_refused() -> None:
    """OFF-8: The level is derived with the offering's own product."""
    other = Product.local("urn:gm0622:product:other", "other")
    with pytest.raises(InvalidValueError) as info:
        offering().level_for(other)
    assert_names(info.value, "product", "urn:gm0622:product:other")


# --- OFF-9 ---------------------------------------------------------------------------------


def test_authentication_is_read_by_name() -> None:
    """OFF-9: The authentication field records the authentication the offering asks (LOA-4)."""
    assert offering(authentication="DigiD Midden").authentication == Authentication.from_name(
        "digid low"
    )
    assert offering(authentication="none").authentication == Authentication.none()


def test_absent_authentication_is_not_none() -> None:
    """OFF-9: An absent authentication MUST NOT be read as none."""
    assert offering().authentication is None
    assert offering().authentication != Authentication.none()


def test_unknown_authentication_is_rejected() -> None:
    """OFF-9: The authentication is read as in LOA-4; any other value is rejected naming field and
    value."""
    with pytest.raises(UnknownNameError) as info:
        offering(authentication="DigiD Extra")
    assert_names(info.value, "authentication", "DigiD Extra")


# --- OFF-16 --------------------------------------------------------------------------------


def test_provenance_is_recorded_and_checked() -> None:
    """OFF-16: An offering MAY record its provenance: a source, a non-empty list of distinct
    record identifiers and the date they were retrieved (YYYY-MM-DD)."""
    provenance = Provenance("Maassluis.xml", ["https://a", "https://b"], "2023-10-18")
    assert offering(provenance=provenance).provenance == provenance
    assert provenance.records == ("https://a", "https://b")  # the order given: evidence first
    assert provenance.retrieved.isoformat() == "2023-10-18"


@pytest.mark.parametrize(
    ("fields", "field", "value"),
    [
        ({"source": " "}, "provenance.source", " "),
        ({"records": []}, "provenance.records", []),
        ({"records": "https://a"}, "provenance.records", "https://a"),
        ({"records": ["a", "a"]}, "provenance.records", ["a"]),
        ({"records": ["a", ""]}, "provenance.records", ""),
        ({"retrieved": "18-10-2023"}, "provenance.retrieved", "18-10-2023"),
        ({"retrieved": "2023-02-30"}, "provenance.retrieved", "2023-02-30"),
    ],
)
def test_a_bad_provenance_is_rejected(fields: dict[str, Any], field: str, value: Any) -> None:
    """OFF-16: A provenance that breaks these rules MUST be rejected with an error that names
    the field and the value."""
    given_fields = {"source": "x.xml", "records": ["a"], "retrieved": "2023-10-18", **fields}
    with pytest.raises(InvalidValueError) as info:
        Provenance(**given_fields)
    assert_names(info.value, field, value)


def test_provenance_is_never_scored() -> None:
    """OFF-16: no value, coverage or contribution of any metric may depend on it, and two
    offerings that differ only in their provenance give the same scores."""
    from digimaat.measurement.dataset import Dataset
    from digimaat.measurement.profiles import builtin_profile
    from digimaat.vocabulary.municipalities import Municipality

    upl = "http://standaarden.overheid.nl/owms/terms/"
    gm = [Municipality(GM, "Vlaardingen", 74124, 2021)]
    caps = ["information-online", "downloadable-form", "online-submission"]
    plain = Offering(GM, upl + "paspoort", capabilities=caps, authentication="digid")
    traced = Offering(
        GM,
        upl + "paspoort",
        capabilities=caps,
        authentication="digid",
        provenance=Provenance("x.xml", ["https://a"], "2023-10-18"),
    )
    for name in ("digimaat-standard", "sc-online"):
        profile = builtin_profile(name)
        a = profile.score(Dataset.from_offerings([plain], gm)).card(GM)
        b = profile.score(Dataset.from_offerings([traced], gm)).card(GM)
        assert (a.values, a.coverage) == (b.values, b.coverage)
