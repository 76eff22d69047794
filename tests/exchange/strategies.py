"""Hypothesis strategies of the exchange tests: submissions, JSON values and CSV cells."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from digimaat.exchange import Submission
from digimaat.vocabulary.assurance import Authentication
from digimaat.vocabulary.channels import CHANNELS
from digimaat.vocabulary.maturity import Capability, MaturityLevel
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import FormFunnel, Offering, Status, VolumeRecord
from digimaat.vocabulary.products import Additions, Product
from tests.exchange.support import CATALOGUE

CODES = ("GM0622", "GM0556", "GM0606", "GM1992")
URIS = tuple(p.uri for p in CATALOGUE)
AUTHENTICATIONS = tuple(
    Authentication.from_name(n)
    for n in (
        "none",
        "digid basis",
        "digid low",
        "digid high",
        "eherkenning substantial",
        "eidas high",
        "own-account low",
    )
)

# Free text: any character a text field accepts (XCH-4: no control characters, surrogates,
# bidirectional overrides or noncharacters), with a letter first so that it is never blank.
FORBIDDEN = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufffe\uffff"
free_text = st.builds(
    str.__add__,
    st.sampled_from("AbÉz"),
    st.text(
        st.characters(exclude_categories=("Cs", "Cc"), exclude_characters=FORBIDDEN),
        max_size=15,
    ),
)
# VolumeRecord of one channel: 0, or from 1e-6 to 1e12 requests a year (OFF-14).
rates = st.just(0.0) | st.floats(
    min_value=1e-6, max_value=1e12, allow_nan=False, allow_infinity=False
)


@st.composite
def volume_records(draw: st.DrawFn, min_channels: int) -> VolumeRecord:
    channels = draw(st.sets(st.sampled_from(CHANNELS), min_size=min_channels))
    return VolumeRecord.from_per_year({c: draw(rates) for c in channels})


@st.composite
def offerings(draw: st.DrawFn, code: str, uri: str, csv: bool) -> Offering:
    """An offering that obeys OFF-1 to OFF-7; ``csv`` keeps volume records non-empty."""
    status = draw(st.sampled_from(list(Status)))
    capabilities = (
        draw(st.frozensets(st.sampled_from(list(Capability))))
        if status is Status.OFFERED
        else frozenset()
    )
    extra = status in (Status.OFFERED, Status.UNKNOWN)
    target = reason = None
    if extra and draw(st.booleans()):
        target, reason = draw(st.sampled_from(list(MaturityLevel))), draw(free_text)
    forms = None
    if extra and draw(st.booleans()):
        started = draw(st.integers(0, 10**9))
        forms = FormFunnel(started, draw(st.integers(0, started)))
    return Offering(
        code,
        uri,
        status,
        capabilities,
        draw(st.none() | st.sampled_from(AUTHENTICATIONS)) if extra else None,
        target,
        reason,
        draw(st.none() | volume_records(1 if csv else 0)) if extra else None,
        forms,
        draw(st.none() | st.booleans()),
    )


@st.composite
def submissions(draw: st.DrawFn, csv: bool = False) -> Submission:
    """A consistent submission of up to three municipalities over the test catalogue.

    With ``csv`` it holds only what the CSV form can hold (XCH-11, XCH-13); otherwise it
    may have a source, local products and volume records without channels.
    """
    codes = draw(st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True))
    municipalities = [
        Municipality(
            code, draw(free_text), draw(st.integers(1, 10**9)), draw(st.integers(1800, 2200))
        )
        for code in codes
    ]
    local: list[Product] = []
    if not csv:
        for index in range(draw(st.integers(0, 2))):
            additions = draw(
                st.none()
                | st.builds(
                    Additions,
                    required_assurance=st.none() | st.sampled_from(["none", "low", "high"]),
                    physical_presence=st.booleans(),
                    fee_applies=st.none() | st.booleans(),
                    reference_target=st.sampled_from(list(MaturityLevel)),
                    reason=free_text,
                )
            )
            local.append(
                Product.local(f"urn:test:product:{index}", draw(free_text), additions=additions)
            )
    uris = URIS + tuple(p.uri for p in local)
    records = [
        draw(offerings(code, uri, csv))
        for code in codes
        for uri in draw(st.lists(st.sampled_from(uris), unique=True, max_size=4))
    ]
    return Submission.build(
        municipalities,
        records,
        reference_year=draw(st.integers(1800, 2200)),
        source=draw(st.none() | free_text),
        local_products=local,
        catalogue=CATALOGUE,
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=25,
)


PATHS = [
    ("reference_year",),
    ("source",),
    ("municipalities",),
    ("municipalities", 0),
    ("municipalities", 0, "population"),
    ("municipalities", 1, "cbs_code"),
    ("offerings",),
    ("offerings", 0),
    ("offerings", 0, "product"),
    ("offerings", 0, "capabilities"),
    ("offerings", 0, "capabilities", 0),
    ("offerings", 0, "volumes"),
    ("offerings", 0, "volumes", "balie"),
    ("offerings", 0, "forms"),
    ("offerings", 0, "authentication"),
    ("offerings", 1, "status"),
    ("offerings", 1, "municipality"),
    ("offerings", 0, "local_target"),
    ("local_products",),
    ("format",),
    ("spec_version",),
]
"""JSON paths into a valid document, for damaging it (:func:`damaged`)."""


def damaged(document: Any, changes: list[tuple[tuple[Any, ...], Any]]) -> Any:
    """``document`` (parsed JSON, changed in place) with each path set to its value.

    A path that leads nowhere in the document is skipped.
    """
    for path, value in changes:
        node = document
        for step in path[:-1]:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                break
        else:
            if isinstance(node, dict) or (
                isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node)
            ):
                node[path[-1]] = value
    return document


CELLS = st.sampled_from(
    [
        "",
        " ",
        "2024",
        "GM0622",
        "GM0556",
        "gm06",
        "Vlaardingen",
        "74124",
        "74.124",
        "-1",
        "0",
        "1e400",
        "parkeervergunning",
        "paspoort",
        "urn:x",
        "offered",
        "not-offered",
        "unknown",
        "information-online|downloadable-form",
        "chatbot",
        "digid low",
        "DigiD Ultra",
        "prefilled",
        "why",
        "ja",
        "maybe",
        "per month",
        "metres",
        "20",
        "20/year",
        "-3/year",
        "nan",
        "1,5",
        "1.000,5",
        '"',
        "\x00",
        "a\nb",
        "12",
        "3",
    ]
) | st.text(max_size=8)
