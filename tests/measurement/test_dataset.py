"""Tests of the dataset the measurement core works on (chapter AGG: AGG-1, AGG-2).

The dataset turns offerings into arrays indexed [municipality, product(, channel)] in a
canonical order. These tests check it against the vocabulary objects it is built from: the
level of every cell against :func:`~digimaat.vocabulary.maturity.level_of`, the status codes
against OFF-2, and the way back to offerings.
"""

from __future__ import annotations

import math
import random
from typing import Any

import attrs
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from digimaat.errors import DigimaatError, InputError, InvalidValueError
from digimaat.measurement.dataset import NO_LEVEL, Dataset, StatusCode
from digimaat.vocabulary.channels import CHANNELS, Channel, ContactCost
from digimaat.vocabulary.maturity import Capability, MaturityLevel, level_of
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import Offering, Status, VolumeRecord
from digimaat.vocabulary.products import UPL_NAMESPACE, Catalogue, reference_catalogue
from tests.measurement._profile_strategies import Case, cases

GM = Municipality("GM0622", "Vlaardingen", 74124, 2021)
SCHIEDAM = Municipality("GM0606", "Schiedam", 79087, 2021)
PARKING = UPL_NAMESPACE + "parkeervergunning"
PASPOORT = UPL_NAMESPACE + "paspoort"

ARRAYS = (
    "status",
    "level",
    "capabilities",
    "fee_override",
    "local_target",
    "auth_means",
    "auth_level",
    "volume",
    "forms_started",
    "forms_completed",
    "cost",
    "population",
    "reference_target",
    "required_assurance",
    "is_reference",
    "applicable",
    "reference_cells",
    "observed",
    "digital",
)


def _caps(mask: int) -> frozenset[Capability]:
    return frozenset(c for c in Capability if mask & c.bit)


def _same_arrays(a: Dataset, b: Dataset) -> None:
    for name in ARRAYS:
        assert np.array_equal(getattr(a, name), getattr(b, name), equal_nan=True), name
    assert a.codes == b.codes
    assert a.uris == b.uris
    assert a.local_target_reasons == b.local_target_reasons


def _normalised(offering: Offering) -> Offering:
    """An offering with zero volumes left out of its volume record.

    OFF-5: a channel that is not listed has no requests, so a listed zero and an unlisted
    channel mean the same; the arrays hold both as 0.0.
    """
    if offering.volumes is None:
        return offering
    kept = {ch: v for ch, v in offering.volumes.per_year().items() if v != 0.0}
    return attrs.evolve(offering, volumes=VolumeRecord.from_per_year(kept))


# --------------------------------------------------------------------------- construction


def test_every_problem_of_the_input_is_reported_at_once() -> None:
    """Unknown municipality, unknown product (with suggestions), duplicate offering and a
    product outside the dataset's products are reported together, each with its place."""
    offerings = [
        Offering("GM0001", PARKING),
        Offering("GM0622", UPL_NAMESPACE + "parkeervergunnin"),
        Offering("GM0622", PARKING),
        Offering("GM0622", PARKING),
        Offering("GM0622", PASPOORT),
    ]
    with pytest.raises(InputError) as caught:
        Dataset.from_offerings(offerings, [GM], reference_catalogue(), products=[PARKING])
    problems = caught.value.problems
    found = {(p.location, p.field, str(p.value)) for p in problems}
    assert found == {
        ("offering 0", "municipality", "GM0001"),
        ("offering 1", "product", UPL_NAMESPACE + "parkeervergunnin"),
        ("offering 3", "offering", str(["GM0622", PARKING])),
        ("offering 4", "product", PASPOORT),
    }
    unknown = next(p for p in problems if p.location == "offering 1")
    assert unknown.suggestion is not None
    assert PARKING in unknown.suggestion  # "did you mean ..." names the close match
    assert "not among the dataset's products" in next(
        p.message for p in problems if p.location == "offering 4"
    )


def test_unknown_product_without_a_product_list_is_placed_at_its_first_offering() -> None:
    offerings = [Offering("GM0622", PARKING), Offering("GM0622", "urn:nowhere")]
    with pytest.raises(InputError) as caught:
        Dataset.from_offerings(offerings, [GM], reference_catalogue())
    (problem,) = caught.value.problems
    assert (problem.location, problem.field, problem.value) == (
        "offering 1",
        "product",
        "urn:nowhere",
    )


def test_an_unknown_product_in_the_product_list_is_reported() -> None:
    with pytest.raises(InputError) as caught:
        Dataset.from_offerings([], [GM], reference_catalogue(), products=[PARKING, "urn:nope"])
    (problem,) = caught.value.problems
    assert (problem.location, problem.value) == ("products", "urn:nope")


def test_a_municipality_listed_twice_is_reported() -> None:
    with pytest.raises(InputError, match="municipality listed twice"):
        Dataset.from_offerings([], [GM, GM], reference_catalogue(), products=[PARKING])


def test_costs_in_two_currencies_are_refused() -> None:
    costs = {
        Channel.BALIE: ContactCost(9.0, "EUR", "test"),
        Channel.TELEFOON: ContactCost(2.83, "GBP", "test"),
    }
    with pytest.raises(DigimaatError, match="one currency"):
        Dataset.from_offerings([], [GM], reference_catalogue(), products=[PARKING], costs=costs)


def test_status_codes_are_distinct_and_never_a_level() -> None:
    """AGG-2: Every cell has one of five statuses: the four of an offering record (OFF-2)
    and *no record*, for a cell without an offering record. They MUST be kept apart and
    counted as follows."""
    cat = reference_catalogue()
    uris = [PARKING, PASPOORT, UPL_NAMESPACE + "bezafspr", UPL_NAMESPACE + "bijstand"]
    offerings = [
        Offering("GM0622", uris[0], capabilities=[]),
        Offering("GM0622", uris[1], status="not-offered"),
        Offering("GM0622", uris[2], status="not-applicable"),
        Offering("GM0622", uris[3], status="unknown"),
    ]
    ds = Dataset.from_offerings(offerings, [GM, SCHIEDAM], cat, products=uris)
    by_uri = {uri: j for j, uri in enumerate(ds.uris)}
    row = ds.index_of("GM0622")
    codes = [int(ds.status[row, by_uri[u]]) for u in uris]
    assert codes == [
        StatusCode.OFFERED,
        StatusCode.NOT_OFFERED,
        StatusCode.NOT_APPLICABLE,
        StatusCode.UNKNOWN,
    ]
    assert [int(ds.level[row, by_uri[u]]) for u in uris] == [0, NO_LEVEL, NO_LEVEL, NO_LEVEL]
    other = ds.index_of("GM0606")
    assert set(ds.status[other].tolist()) == {StatusCode.NO_RECORD}
    assert set(ds.level[other].tolist()) == {NO_LEVEL}
    # Not offered and not applicable leave the denominators; unknown and no record stay.
    assert ds.applicable[row].tolist() == [
        by_uri[u] not in (by_uri[uris[1]], by_uri[uris[2]]) for u in ds.uris
    ]
    assert ds.applicable[other].all()


def test_a_volume_record_gives_zeros_and_no_record_gives_nan() -> None:
    """OFF-5: a channel that is not listed has no requests: its volume is zero. An offering
    without a volume record has an *unknown* volume, which is not zero."""
    offerings = [
        Offering("GM0622", PARKING, volumes=VolumeRecord.from_mapping({"balie": "1000/year"})),
        Offering("GM0622", PASPOORT),
    ]
    ds = Dataset.from_offerings(offerings, [GM], reference_catalogue())
    j_parking, j_pas = ds.uris.index(PARKING), ds.uris.index(PASPOORT)
    expected = [1000.0 if ch is Channel.BALIE else 0.0 for ch in CHANNELS]
    assert ds.volume[0, j_parking].tolist() == expected
    assert np.isnan(ds.volume[0, j_pas]).all()
    assert ds.total_volume[0, j_parking] == 1000.0
    assert math.isnan(ds.total_volume[0, j_pas])


@pytest.mark.property
@given(cases(), st.randoms(use_true_random=False))
def test_canonical_order_is_independent_of_input_order(case: Case, rnd: random.Random) -> None:
    """AGG-1: Every array of the computation and every listing of results MUST use this
    order, and no computed number may depend on the order of the input."""
    offerings, municipalities = list(case.offerings), list(case.municipalities)
    rnd.shuffle(offerings)
    rnd.shuffle(municipalities)
    products = list(case.products)
    rnd.shuffle(products)
    ds = case.dataset()
    shuffled = Dataset.from_offerings(
        offerings, municipalities, case.catalogue, products=products, costs=case.costs
    )
    _same_arrays(ds, shuffled)
    assert list(ds.codes) == sorted(m.cbs_code for m in case.municipalities)
    assert list(ds.uris) == sorted(case.products)


@pytest.mark.property
@given(cases())
def test_to_offerings_gives_back_the_input(case: Case) -> None:
    """INT-8: It MUST NOT silently drop, clamp or guess a value: the dataset holds every
    recorded offering, and turned back into offerings gives the input (up to OFF-5: a listed
    zero and an unlisted channel are the same volume)."""
    ds = case.dataset()
    back = ds.to_offerings()
    assert len(back) == len(case.offerings)
    assert {_normalised(o) for o in back} == {_normalised(o) for o in case.offerings}


@pytest.mark.property
@given(cases())
def test_levels_are_the_vocabularys_levels(case: Case) -> None:
    """MAT-3: A level MUST count only when every capability of its gate and of the gates of
    all levels below it is present; the dataset's level of every offered cell is the level
    ``level_of`` derives, and every other cell has none (AGG-2)."""
    ds = case.dataset()
    products = {p.uri: p for p in case.catalogue}
    expected = np.full(ds.status.shape, NO_LEVEL)
    for o in case.offerings:
        i, j = ds.index_of(o.municipality), ds.uris.index(o.product)
        if o.status is Status.OFFERED:
            expected[i, j] = level_of(o.capabilities, fee_applies=o.fee_for(products[o.product]))
    assert ds.level.tolist() == expected.tolist()


@pytest.mark.property
@given(cases(max_municipalities=2, max_products=3), st.data())
def test_with_arrays_derives_the_level_again(case: Case, data: st.DataObject) -> None:
    """MAT-5: The level is a function of the set of capabilities present and of whether a
    fee applies, and of nothing else: replacing the capability masks or fee overrides of a
    dataset gives the level ``level_of`` derives for each cell."""
    ds = case.dataset()
    masks = data.draw(hnp.arrays(np.int16, ds.status.shape, elements=st.integers(0, (1 << 11) - 1)))
    fees = data.draw(hnp.arrays(np.int8, ds.status.shape, elements=st.integers(-1, 1)))
    status = np.full(ds.status.shape, StatusCode.OFFERED, dtype=np.int8)
    changed = ds.with_arrays(capabilities=masks, fee_override=fees, status=status)
    for (i, j), mask in np.ndenumerate(masks):
        fee = int(fees[i, j])
        product_fee = ds.products[j].fee_applies
        fee_applies = bool(fee) if fee >= 0 else product_fee is not False
        assert changed.level[i, j] == level_of(_caps(int(mask)), fee_applies=fee_applies)
    # Only the replaced arrays change.
    assert np.array_equal(changed.volume, ds.volume, equal_nan=True)
    assert changed.codes == ds.codes


@pytest.mark.property
@given(cases())
def test_arrays_are_read_only(case: Case) -> None:
    """AGG-1: no computed number may depend on the order of the input; the reference
    implementation keeps a dataset's canonical arrays as built by making them read-only."""
    ds = case.dataset()
    for name in (*ARRAYS, "total_volume", "digital_volume"):
        array = getattr(ds, name)
        assert not array.flags.writeable, name
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 0


@pytest.mark.property
@given(cases(), st.data())
def test_take_municipalities_equals_building_from_their_offerings(
    case: Case, data: st.DataObject
) -> None:
    """PRF-5: The result for a municipality MUST depend only on that municipality's cells:
    taking some municipalities' rows equals building a dataset from their offerings alone."""
    ds = case.dataset()
    n = len(ds.codes)
    chosen = sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1)))
    taken = ds.take_municipalities(chosen)
    codes = {ds.codes[i] for i in chosen}
    alone = case.dataset(
        offerings=[o for o in case.offerings if o.municipality in codes],
        municipalities=[m for m in case.municipalities if m.cbs_code in codes],
    )
    _same_arrays(taken, alone)


def test_take_municipalities_relabels_copies() -> None:
    ds = Dataset.from_offerings(
        [Offering("GM0622", PARKING, local_target="prefilled", local_target_reason="why")],
        [GM],
        reference_catalogue(),
    )
    labels = [attrs.evolve(GM, cbs_code=f"GM000{n}") for n in range(3)]
    copies = ds.take_municipalities([0, 0, 0], labels)
    assert copies.codes == ("GM0000", "GM0001", "GM0002")
    assert copies.local_target.tolist() == [[5], [5], [5]]
    assert copies.local_target_reasons == ((0, 0, "why"), (1, 0, "why"), (2, 0, "why"))
    with pytest.raises(InvalidValueError, match="sorted by CBS code"):
        ds.take_municipalities([0, 0])  # two rows with one code


def test_index_of_an_unknown_code_names_it() -> None:
    ds = Dataset.from_offerings([Offering("GM0622", PARKING)], [GM], reference_catalogue())
    assert ds.index_of("GM0622") == 0
    with pytest.raises(InvalidValueError, match="GM9999"):
        ds.index_of("GM9999")


def test_local_products_need_a_catalogue_that_holds_them() -> None:
    """PRD-6: a local product is known only to a catalogue that holds it."""
    from digimaat.vocabulary.products import Product

    local = Product.local("urn:gm0622:product:balieafspraak", "afspraak balie")
    offerings = [Offering("GM0622", local.uri, capabilities=["information-online"])]
    with pytest.raises(InputError) as caught:
        Dataset.from_offerings(offerings, [GM], reference_catalogue())
    assert isinstance(caught.value, DigimaatError)
    assert any(p.field == "product" for p in caught.value.problems)
    cat: Catalogue = reference_catalogue().with_local(local)
    ds = Dataset.from_offerings(offerings, [GM], cat)
    assert ds.level.tolist() == [[int(MaturityLevel.INFORMATION)]]
    assert not ds.is_reference[0]


# ---------------------------------------------------------------------------- AGG-2.1
def test_agg_2_1_the_default_scope_is_each_municipalitys_own_records() -> None:
    """AGG-2.1: `recorded`, the default: for each municipality, the products it has an
    offering record for ... adding or removing another municipality never changes them.
    Under `offerings`, adding another municipality can add products to the scope and so
    lower a municipality's coverage; under a list, it cannot."""
    from digimaat.measurement.metrics import Maturity

    upl = UPL_NAMESPACE
    one = [Offering("GM0606", upl + "paspoort", capabilities=["information-online"])]
    other = [Offering("GM0622", upl + "parkeervergunning", capabilities=["information-online"])]
    munis = [
        Municipality("GM0606", "Schiedam", 79279, 2021),
        Municipality("GM0622", "Vlaardingen", 74124, 2021),
    ]
    maturity = Maturity("maturity", "Maturity")

    def schiedam(ds: Dataset) -> tuple[float, float]:
        result = maturity.evaluate(ds)
        return result.of("GM0606"), float(result.coverage[ds.index_of("GM0606")])

    alone = Dataset.from_offerings(one, munis[:1])
    together = Dataset.from_offerings(one + other, munis)
    assert (alone.product_scope, together.product_scope) == ("recorded", "recorded")
    assert together.uris == (upl + "parkeervergunning", upl + "paspoort")
    assert schiedam(alone) == schiedam(together) == (1 / 6, 1.0)
    # Under `offerings`, Vlaardingen's product is a no-record cell of Schiedam's.
    union = Dataset.from_offerings(one + other, munis, products="offerings")
    assert union.product_scope == "listed"
    assert schiedam(union) == (1 / 6, 0.5)
    # A listed scope is the same for every municipality, whoever else is in the data.
    both = [upl + "paspoort", upl + "parkeervergunning"]
    fixed = Dataset.from_offerings(one + other, munis, products=both)
    scoped = Dataset.from_offerings(one, munis[:1], products=both)
    assert schiedam(fixed) == schiedam(scoped) == (1 / 6, 0.5)
    reference = Dataset.from_offerings(one, munis[:1], products="reference")
    assert len(reference.uris) == 512
    assert schiedam(reference) == (1 / 6, 1 / 512)


@pytest.mark.property
@given(st.permutations(range(4)), st.integers(1, 3))
def test_agg_2_1_adding_municipalities_never_changes_another_under_recorded(
    order: list[int], keep: int
) -> None:
    """AGG-2.1: A municipality's results then depend on its own records only, and adding or
    removing another municipality never changes them."""
    from digimaat.measurement.profiles import standard_profile

    upl = UPL_NAMESPACE
    codes = ["GM0556", "GM0599", "GM0606", "GM0622"]
    products = ["paspoort", "parkeervergunning", "bezafspr", "geluidsontheffing"]
    munis = [Municipality(c, c, 50000 + k, 2021) for k, c in enumerate(codes)]
    offerings = [
        Offering(codes[k], upl + products[(k + j) % 4], capabilities=["information-online"])
        for k in range(4)
        for j in range(k + 1)
    ]
    chosen = sorted({*order[:keep], 2})
    subset = [o for o in offerings if o.municipality in {codes[k] for k in chosen}]
    full = standard_profile().score(Dataset.from_offerings(offerings, munis)).card("GM0606")
    part = (
        standard_profile()
        .score(Dataset.from_offerings(subset, [munis[k] for k in chosen]))
        .card("GM0606")
    )
    assert full.values == part.values
    assert full.coverage == part.coverage


def _arrays(ds: Dataset) -> dict[str, np.ndarray]:
    """Every array a dataset shows: its fields, and the arrays metrics share (derived)."""
    out = {
        f.name: getattr(ds, f.name)
        for f in attrs.fields(Dataset)
        if isinstance(getattr(ds, f.name), np.ndarray)
    }
    out["derived:ones"] = ds.derived("ones", lambda: np.ones(ds.status.shape))
    return out


def _views(array: np.ndarray) -> list[np.ndarray]:
    """The array, views of it, and every array below it (its ``base`` chain)."""
    views = [array, array.view(), array[...], array.reshape(-1), array.T, np.asarray(array)]
    base = array.base
    while isinstance(base, np.ndarray):
        views.append(base)
        base = base.base
    return views


@pytest.mark.property
@given(cases())
def test_no_array_can_be_made_writeable(case: Case) -> None:
    """AGG-1: a dataset's canonical arrays stay as built: no public attribute, view or base
    of them can be made writeable (their memory is an immutable buffer), and neither can an
    array a metric caches through ``derived``."""
    ds = case.dataset()
    for name, array in _arrays(ds).items():
        for view in _views(array):
            assert not view.flags.writeable, name
            with pytest.raises(ValueError, match=r"WRITEABLE|read-only|writeable"):
                view.flags.writeable = True
            with pytest.raises(ValueError, match="read-only"):
                view[...] = 0


@pytest.mark.property
@given(cases(), st.data())
def test_derived_datasets_share_no_array(case: Case, data: st.DataObject) -> None:
    """AGG-1: a dataset derived from another (``take_municipalities``, ``with_arrays``) or
    built from arrays (``from_arrays``) shares no memory with it or with the arrays given:
    changing the arrays given afterwards changes nothing."""
    ds = case.dataset()
    n = len(ds.codes)
    taken = ds.take_municipalities(sorted(data.draw(st.sets(st.integers(0, n - 1), min_size=1))))
    given_caps = np.array(ds.capabilities)
    changed = ds.with_arrays(capabilities=given_caps)
    given_arrays = {
        "status": np.array(ds.status),
        "capabilities": np.array(ds.capabilities),
        "volume": np.array(ds.volume),
        "forms_started": np.array(ds.forms_started),
        "forms_completed": np.array(ds.forms_completed),
    }
    rebuilt = Dataset.from_arrays(
        ds.municipalities,
        ds.products,
        **given_arrays,
        local_target=np.array(ds.local_target),
        local_target_reasons=ds.local_target_reasons,
    )
    datasets = [ds, taken, changed, rebuilt]
    arrays = [(k, a) for d in datasets for a in _arrays(d).values() for k in [id(d)]]
    arrays += [(0, a) for a in (given_caps, *given_arrays.values())]
    for x, (owner_a, a) in enumerate(arrays):
        for owner_b, b in arrays[x + 1 :]:
            if owner_a != owner_b and a.size and b.size:
                assert not np.shares_memory(a, b)
    before = np.array(rebuilt.volume)
    given_arrays["volume"][...] = 5.0
    assert np.array_equal(rebuilt.volume, before, equal_nan=True)


FROM_ARRAYS_REFUSED = {
    "a status that is not whole": {"status": np.full((1, 1), 1.5)},
    "an infinite status": {"status": np.full((1, 1), np.inf)},
    "a NaN status": {"status": np.full((1, 1), np.nan)},
    "a negative status": {"status": np.full((1, 1), -1)},
    "booleans for a status": {"status": np.zeros((1, 1), dtype=bool)},
    "texts for a status": {"status": np.array([["0"]])},
    "a status too large for its type": {"status": np.full((1, 1), 2**40)},
    "capabilities that are not whole": {"capabilities": np.full((1, 1), 0.5)},
    "a negative volume": {"volume": np.full((1, 1, 7), -1.0)},
    "an infinite volume": {"volume": np.full((1, 1, 7), np.inf)},
    "a volume over 1e12": {"volume": np.full((1, 1, 7), 2e12)},
    "a denormal volume": {"volume": np.full((1, 1, 7), 1e-320)},
    "a volume record with some channels unknown": {
        "volume": np.array([[[np.nan, 1, 1, 1, 1, 1, 1]]])
    },
    "negative forms": {"forms_started": np.full((1, 1), -1.0), "forms_completed": np.zeros((1, 1))},
    "infinite forms": {
        "forms_started": np.full((1, 1), np.inf),
        "forms_completed": np.zeros((1, 1)),
    },
    "forms that are not whole": {
        "forms_started": np.full((1, 1), 2.5),
        "forms_completed": np.zeros((1, 1)),
    },
    "a reason that is no triple": {"local_target_reasons": ["why"]},
    "a reason at an index that is not whole": {"local_target_reasons": [(0.0, 0, "why")]},
    "a reason that is no text": {"local_target_reasons": [(0, 0, 5)]},
    "a reason with a control character": {"local_target_reasons": [(0, 0, "why\x1b[2J")]},
    "costs that are not costs": {"costs": {"balie": 5}},
}


@pytest.mark.parametrize("change", sorted(FROM_ARRAYS_REFUSED))
def test_from_arrays_refuses_what_the_standard_forbids(change: str) -> None:
    """INT-8, OFF-5, OFF-6, OFF-14: ``from_arrays`` refuses non-integral numbers where
    whole ones are meant, infinities, negatives, numbers beyond their limits and reasons
    that are no texts, with a ``DigimaatError`` naming the field: never a bare error,
    never a value silently cast."""
    arrays: dict[str, Any] = {
        "status": np.zeros((1, 1), dtype=np.int8),
        "capabilities": np.zeros((1, 1), dtype=np.int16),
        "volume": np.zeros((1, 1, 7)),
        "local_target": np.full((1, 1), 5),
        "local_target_reasons": [(0, 0, "why")],
    }
    arrays.update(FROM_ARRAYS_REFUSED[change])
    with pytest.raises(DigimaatError):
        Dataset.from_arrays([GM], [reference_catalogue().get(PARKING)], **arrays)
