"""Hypothesis strategies for the tests of chapters PRF and EXP (and the dataset of AGG).

Everything is bounded: small catalogues of synthetic products, a few municipalities, and
offerings drawn per cell so that every combination of status, capabilities, targets,
authentication, fee and volume occurs. No strategy filters.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import attrs
from hypothesis import strategies as st

from digimaat.measurement.aggregation import Method, MissingPolicy
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.metrics import (
    Attainment,
    AuthenticationFit,
    Availability,
    Composite,
    Maturity,
    Metric,
    SuccessRatio,
    Uptake,
)
from digimaat.measurement.profiles import Profile
from digimaat.measurement.weights import (
    ChannelCost,
    Custom,
    Equal,
    Mix,
    PerCapita,
    ProductOf,
    Restrict,
    Selector,
    Volume,
    Weighting,
)
from digimaat.vocabulary.assurance import AssuranceLevel, Authentication, AuthMeans
from digimaat.vocabulary.channels import CHANNELS, Channel
from digimaat.vocabulary.channels import ContactCost as Cost
from digimaat.vocabulary.maturity import LADDER, Capability, MaturityLevel
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import FormFunnel, Offering, Status, VolumeRecord
from digimaat.vocabulary.products import Additions, Audience, Catalogue, Product

# --------------------------------------------------------------------------- vocabulary

AUTHENTICATIONS: tuple[Authentication, ...] = (
    Authentication.none(),
    *(Authentication(AuthMeans.DIGID, level) for level in list(AssuranceLevel)[1:]),
    *(Authentication(AuthMeans.EHERKENNING, level) for level in list(AssuranceLevel)[2:]),
)
"""Valid authentications covering every assurance level."""


def gate_caps(level: int) -> frozenset[Capability]:
    """Every capability of the gates of levels 1 to ``level``."""
    return frozenset(c for rung in LADDER[1 : level + 1] for c in rung.gate)


# Strategies are built once: building them inside a composite strategy at every draw is
# what makes generation slow.
_CAPABILITY = st.sampled_from(list(Capability))
_EXTRA = st.sets(_CAPABILITY, max_size=2)
_REMOVED = st.sets(_CAPABILITY, max_size=1)
_LEVEL = st.sampled_from(list(MaturityLevel))
_OPTIONAL_LEVEL = st.none() | _LEVEL
_OPTIONAL_BOOL = st.none() | st.booleans()
_OPTIONAL_ASSURANCE = st.none() | st.sampled_from(list(AssuranceLevel))
_AUDIENCES = st.sets(st.sampled_from(list(Audience)))
_REFERENCE = st.sampled_from([True, True, True, False])
_STATUS = st.sampled_from(
    [Status.OFFERED] * 5 + [Status.NOT_OFFERED, Status.NOT_APPLICABLE, Status.UNKNOWN]
)
_OPTIONAL_AUTHENTICATION = st.none() | st.sampled_from(AUTHENTICATIONS)
_PRODUCT_NAME = st.text(alphabet="abkpxz", min_size=1, max_size=3)


@st.composite
def capability_sets(draw: st.DrawFn) -> frozenset[Capability]:
    """Capability sets spread over every level: a full ladder up to some level, plus or minus
    a few capabilities (so that gaps below a present capability occur too), and often
    without online payment (so that the waiver of MAT-4 matters)."""
    level = int(draw(_LEVEL))
    caps = (gate_caps(level) | draw(_EXTRA)) - draw(_REMOVED)
    if draw(st.booleans()):
        caps -= {Capability.ONLINE_PAYMENT}
    return frozenset(caps)


@st.composite
def catalogues(draw: st.DrawFn, min_size: int = 1, max_size: int = 5) -> Catalogue:
    """A catalogue of synthetic products with drawn additions (reference and local)."""
    names = draw(st.lists(_PRODUCT_NAME, min_size=min_size, max_size=max_size, unique=True))
    products = []
    for name in names:
        additions = Additions(
            required_assurance=draw(_OPTIONAL_ASSURANCE),
            fee_applies=draw(_OPTIONAL_BOOL),
            reference_target=draw(_LEVEL),
            reason="a synthetic test product",
        )
        products.append(
            Product(
                uri=f"urn:test:{name}",
                name=f"product {name}",
                audiences=draw(_AUDIENCES),
                additions=additions,
                reference=draw(_REFERENCE),
            )
        )
    return Catalogue(tuple(products))


volumes_st = st.dictionaries(
    st.sampled_from(CHANNELS), st.integers(0, 4000).map(lambda n: n / 4), max_size=3
).map(VolumeRecord.from_per_year)
"""Volume records: some channels listed, some with a known zero, in quarters of a request."""


@st.composite
def forms_st(draw: st.DrawFn) -> FormFunnel:
    started = draw(st.integers(0, 200))
    return FormFunnel(started, draw(st.integers(0, started)))


_CAPABILITY_SETS = capability_sets()
_OPTIONAL_VOLUMES = st.none() | volumes_st
_OPTIONAL_FORMS = st.none() | forms_st()


def offering_for(draw: st.DrawFn, code: str, product: str) -> Offering:
    """Draw an offering of one cell, of any status, respecting OFF-3."""
    status = draw(_STATUS)
    fee = draw(_OPTIONAL_BOOL)
    if status in (Status.NOT_OFFERED, Status.NOT_APPLICABLE):
        return Offering(code, product, status=status, fee_applies=fee)
    target = draw(_OPTIONAL_LEVEL)
    return Offering(
        code,
        product,
        status=status,
        capabilities=draw(_CAPABILITY_SETS) if status is Status.OFFERED else frozenset(),
        authentication=draw(_OPTIONAL_AUTHENTICATION),
        local_target=target,
        local_target_reason=None if target is None else "a local choice",
        volumes=draw(_OPTIONAL_VOLUMES),
        forms=draw(_OPTIONAL_FORMS),
        fee_applies=fee,
    )


@attrs.frozen
class Case:
    """The inputs of a dataset: what :meth:`Dataset.from_offerings` is called with."""

    offerings: tuple[Offering, ...]
    municipalities: tuple[Municipality, ...]
    catalogue: Catalogue
    products: tuple[str, ...]
    costs: dict[Channel, Cost] | None

    def dataset(
        self,
        offerings: Iterable[Offering] | None = None,
        municipalities: Iterable[Municipality] | None = None,
    ) -> Dataset:
        """The dataset, optionally from other (e.g. shuffled or changed) offerings."""
        return Dataset.from_offerings(
            self.offerings if offerings is None else offerings,
            self.municipalities if municipalities is None else municipalities,
            self.catalogue,
            products=self.products,
            costs=self.costs,
        )


EUR_COSTS: dict[Channel, Cost] = {
    channel: Cost(amount, "EUR", "illustrative test figures")
    for channel, amount in zip(CHANNELS, (9.0, 3.0, 4.5, 1.0, 0.2, 0.2, 0.6), strict=True)
}
"""A cost per contact for every channel (test figures, not sourced)."""


_POPULATION = st.integers(1, 900_000)
_RECORDED = st.sampled_from([True] * 5 + [False])
_COSTS = st.sampled_from([None, EUR_COSTS])


@st.composite
def cases(draw: st.DrawFn, max_municipalities: int = 3, max_products: int = 4) -> Case:
    """A dataset's inputs: municipalities, a catalogue, and an offering for most cells."""
    catalogue = draw(catalogues(max_size=max_products))
    numbers = draw(
        st.lists(st.integers(1, 9999), min_size=1, max_size=max_municipalities, unique=True)
    )
    municipalities = tuple(
        Municipality(f"GM{n:04d}", f"Gemeente {n}", draw(_POPULATION), 2021) for n in numbers
    )
    uris = tuple(p.uri for p in catalogue)
    offerings = []
    for muni in municipalities:
        for uri in uris:
            if draw(_RECORDED):  # some cells have no record
                offerings.append(offering_for(draw, muni.cbs_code, uri))
    costs = draw(_COSTS)
    return Case(tuple(offerings), municipalities, catalogue, uris, costs)


# --------------------------------------------------------------------------- profiles

_IDS = ("a", "b", "c", "d", "e", "f", "g", "h")
_NUMBER = st.just(0.0) | st.floats(1e-15, 10.0)  # a weight: 0, or at least 1e-15 (WGT-1)
_POSITIVE = st.floats(0.125, 10.0)


def _leaf_weightings() -> st.SearchStrategy[Weighting]:
    return st.one_of(
        st.just(Equal()),
        st.just(Volume()),
        _POSITIVE.map(lambda per: PerCapita(per=per)),
        st.sets(st.sampled_from([Channel.BALIE, Channel.TELEFOON, Channel.WEB]), min_size=1).map(
            lambda chs: ChannelCost(channels=tuple(chs))
        ),
        st.builds(
            Custom,
            st.dictionaries(st.sampled_from(["urn:test:a", "urn:test:b", "urn:x/é"]), _NUMBER),
            st.none() | _NUMBER,
        ),
    )


def _selectors() -> st.SearchStrategy[Selector]:
    return st.builds(
        Selector,
        audiences=st.none() | st.lists(st.sampled_from(["burger", "bedrijf"]), min_size=1),
        upl_flags=st.none() | st.lists(st.sampled_from(["Gemeente", "Dienstenwet"]), min_size=1),
    )


def weightings() -> st.SearchStrategy[Weighting]:
    """Every weighting kind, nested at most a few levels deep."""

    def extend(inner: st.SearchStrategy[Weighting]) -> st.SearchStrategy[Weighting]:
        return st.one_of(
            st.builds(ProductOf, inner, inner),
            st.lists(st.tuples(inner, _POSITIVE), min_size=1, max_size=3).map(
                lambda parts: Mix(tuple(parts))
            ),
            st.builds(Restrict, inner, _selectors()),
        )

    return st.recursive(_leaf_weightings(), extend, max_leaves=4)


def _scores() -> st.SearchStrategy[tuple[float, ...]]:
    return st.lists(st.floats(0.0, 1.0, allow_subnormal=False), min_size=7, max_size=7).map(
        lambda xs: tuple(sorted(xs))
    )


_SCOPE = st.sampled_from(["reference", "all"])


# Texts a profile may hold (XCH-4): no control, bidirectional-override or surrogate character.
_SAFE = st.characters(
    exclude_categories=("Cs", "Cc"),
    exclude_characters="\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufffe\uffff",
)
_TITLE = st.text(_SAFE, max_size=8)


def _base_metric(metric_id: str) -> st.SearchStrategy[Metric]:
    title = _TITLE
    return st.one_of(
        st.builds(
            Availability, st.just(metric_id), title, st.sampled_from(list(MaturityLevel)), _SCOPE
        ),
        st.builds(Maturity, st.just(metric_id), title, _scores(), _SCOPE),
        st.builds(
            Attainment, st.just(metric_id), title, st.sampled_from(["reference", "local"]), _SCOPE
        ),
        st.builds(
            AuthenticationFit,
            st.just(metric_id),
            title,
            st.sampled_from(["match", "barrier", "shortfall"]),
            _SCOPE,
        ),
        st.builds(Uptake, st.just(metric_id), title, _SCOPE),
        st.builds(SuccessRatio, st.just(metric_id), title, _SCOPE),
    )


# Built once (see the note on _CAPABILITY above).
_BASE_METRICS = {metric_id: _base_metric(metric_id) for metric_id in _IDS}
_WEIGHTINGS = weightings()
_PART_INDICES = {
    n: st.lists(st.integers(0, n - 1), min_size=1, max_size=min(n, 3), unique=True)
    for n in range(1, len(_IDS) + 1)
}
_METHOD = st.sampled_from(list(Method))
_POLICY = st.sampled_from(list(MissingPolicy))
_PROFILE_NAME = st.text(alphabet="abcdefgh-", min_size=1, max_size=10)
_VERSION = st.sampled_from(["1.0", "2", "0.1-draft"])
_TEXT = st.text(_SAFE, max_size=12)
_COUNT = st.integers(1, 5)
_COMPOSITES = st.integers(0, 2)


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    """A profile with any weighting, policy and metrics, and up to two composites."""
    n = draw(_COUNT)
    metrics: list[Metric] = [draw(_BASE_METRICS[metric_id]) for metric_id in _IDS[:n]]
    for metric_id in _IDS[n : n + draw(_COMPOSITES)]:
        chosen = [metrics[k] for k in draw(_PART_INDICES[len(metrics)])]
        weights = [draw(_NUMBER) for _ in chosen]
        if math.fsum(weights) <= 0:
            weights[0] = 1.0
        metrics.append(
            Composite(
                metric_id,
                draw(_TITLE),
                parts=tuple(zip(chosen, weights, strict=True)),
                method=draw(_METHOD),
            )
        )
    return Profile(
        name=draw(_PROFILE_NAME),
        version=draw(_VERSION),
        weighting=draw(_WEIGHTINGS),
        metrics=tuple(metrics),
        headline=draw(st.sampled_from([m.id for m in metrics])),
        missing=draw(_POLICY),
        title=draw(_TEXT),
        description=draw(_TEXT),
    )


def shuffled_keys(data: Any, order: Callable[[Sequence[str]], Sequence[str]]) -> Any:
    """``data`` with the keys of every object, at every depth, in the order ``order`` gives."""
    if isinstance(data, dict):
        keys = order(list(data))
        return {key: shuffled_keys(data[key], order) for key in keys}
    if isinstance(data, list):
        return [shuffled_keys(item, order) for item in data]
    return data


def integral_floats_as_ints(data: Any) -> Any:
    """``data`` with every integral float written as an integer, as TOML or JSON writers may."""
    if isinstance(data, dict):
        return {key: integral_floats_as_ints(value) for key, value in data.items()}
    if isinstance(data, list):
        return [integral_floats_as_ints(item) for item in data]
    if isinstance(data, float) and data.is_integer():
        return int(data)
    return data


# --------------------------------------------------------------------------- worked example

PARKING = "http://standaarden.overheid.nl/owms/terms/parkeervergunning"
EXEMPTION = "http://standaarden.overheid.nl/owms/terms/parkeerontheffing"
FULLY_ONLINE_CAPS = gate_caps(int(MaturityLevel.FULLY_ONLINE))


def twenty_vs_thousand() -> Dataset:
    """The workshop's example as a dataset (the worked examples of PRF and EXP).

    One municipality: an exemption (parkeerontheffing) requested 20 times a year, fully
    online, and parking permits (parkeervergunning) requested 1,000 times a year at the
    counter, with a form to download and nothing more.
    """
    offerings = [
        Offering(
            "GM0622",
            EXEMPTION,
            capabilities=FULLY_ONLINE_CAPS,
            volumes=VolumeRecord.from_mapping({"web": "20/year"}),
        ),
        Offering(
            "GM0622",
            PARKING,
            capabilities=gate_caps(int(MaturityLevel.DOWNLOADABLE_FORM)),
            volumes=VolumeRecord.from_mapping({"balie": "1000/year"}),
        ),
    ]
    return Dataset.from_offerings(offerings, [Municipality("GM0622", "Vlaardingen", 74124, 2021)])
