"""The maturity ladder and the capabilities it is derived from (specification chapter MAT).

A maturity level is never recorded directly. An assessor records which **capabilities**
an offering has (things anyone can observe on a municipal website), and the level follows
by **tier gating** (MAT-3): a level is reached only when every capability of that level
*and of every level below it* is present. Two assessors who record the same capabilities
therefore get the same level.

>>> from digimaat.vocabulary.maturity import Capability as C, level_of, MaturityLevel
>>> level_of({C.INFORMATION_ONLINE, C.DOWNLOADABLE_FORM})
<MaturityLevel.DOWNLOADABLE_FORM: 2>

A PDF form alone, without information online, stays offline: the gate of the first rung
is missing, so nothing above it counts.

>>> level_of({C.DOWNLOADABLE_FORM})
<MaturityLevel.OFFLINE: 0>

The gate of :attr:`MaturityLevel.FULLY_ONLINE` is the "fully online" test of the Single
Digital Gateway Regulation, art. 6(2), plus online payment where a fee applies (MAT-4):

>>> fully = set(C) - {C.PREFILLED, C.PROACTIVE}
>>> level_of(fully)
<MaturityLevel.FULLY_ONLINE: 4>
>>> level_of(fully - {C.ONLINE_PAYMENT})
<MaturityLevel.ONLINE_SUBMISSION: 3>
>>> level_of(fully - {C.ONLINE_PAYMENT}, fee_applies=False)
<MaturityLevel.FULLY_ONLINE: 4>
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from types import MappingProxyType

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat._names import parse_name
from digimaat.errors import UnknownCapabilityError, UnknownNameError

__all__ = [
    "EU_ONLINE_AVAILABILITY",
    "LADDER",
    "MDD_PERCENT",
    "Capability",
    "MaturityLevel",
    "Rung",
    "capability_mask",
    "effective_mask",
    "level_of",
    "missing_for",
    "parse_capabilities",
    "samenwerkende_catalogi",
    "sdg_fully_online",
]


class Capability(enum.Enum):
    """An observable capability of an offering (MAT-2). Values are the exchange names.

    A capability that concerns a step the procedure does not have is recorded as present
    (MAT-2): no identification or evidence needed, the outcome given at once instead of an
    acknowledgement, or no form at all because the municipality acts without an application.
    """

    INFORMATION_ONLINE = "information-online"
    """The product is described online: what it is, conditions, costs, how to apply."""
    DOWNLOADABLE_FORM = "downloadable-form"
    """A form can be obtained online: downloaded (e.g. a PDF) to be filled in and handed in or
    posted, or filled in on screen. An online form that can be submitted counts too (MAT-2)."""
    ONLINE_SUBMISSION = "online-submission"
    """The request can be submitted electronically at a distance (a web form, an app)."""
    REMOTE_IDENTIFICATION = "remote-identification"
    """The user can identify and sign electronically at a distance (or none is needed)."""
    ELECTRONIC_EVIDENCE = "electronic-evidence"
    """Supporting evidence can be provided electronically (or none is needed)."""
    ONLINE_PAYMENT = "online-payment"
    """A fee can be paid online. Waived when no fee applies."""
    AUTOMATIC_ACKNOWLEDGEMENT = "automatic-acknowledgement"
    """The user receives an automatic acknowledgement of receipt (or the outcome at once)."""
    ELECTRONIC_OUTCOME = "electronic-outcome"
    """The outcome (decision, document, permit) is delivered electronically (or physically,
    where Union or national law requires that)."""
    ELECTRONIC_NOTIFICATION = "electronic-notification"
    """The user receives an electronic notification that the procedure is complete."""
    PREFILLED = "prefilled"
    """The form is pre-filled from authentic sources (basisregistraties)."""
    PROACTIVE = "proactive"
    """The municipality acts without an application (proactive or automatic service)."""

    _bit: int  # set once for every member below the class (not a member itself)

    @property
    def bit(self) -> int:
        """This capability's bit in a capability mask (:func:`capability_mask`).

        The bit is ``1 << k`` for the ``k``-th capability in declaration order; it is
        computed once, when the module is imported.
        """
        return self._bit

    @classmethod
    def parse(cls, text: str | Capability, field: str = "capabilities") -> Capability:
        """Parse a capability by its exchange name (``"online-payment"``) or its Dutch name
        (``"online betalen"``), case-insensitively."""
        return parse_name(cls, text, field, UnknownCapabilityError, CAPABILITY_DUTCH)

    @property
    def dutch(self) -> str:
        """The capability's Dutch name (``"online betalen"``)."""
        return CAPABILITY_DUTCH[self]


_ORDER: tuple[Capability, ...] = tuple(Capability)

CAPABILITY_DUTCH: dict[Capability, str] = {
    Capability.INFORMATION_ONLINE: "informatie online",
    Capability.DOWNLOADABLE_FORM: "formulier downloaden",
    Capability.ONLINE_SUBMISSION: "online indienen",
    Capability.REMOTE_IDENTIFICATION: "online identificeren",
    Capability.ELECTRONIC_EVIDENCE: "bewijsstukken online",
    Capability.ONLINE_PAYMENT: "online betalen",
    Capability.AUTOMATIC_ACKNOWLEDGEMENT: "ontvangstbevestiging",
    Capability.ELECTRONIC_OUTCOME: "uitkomst digitaal",
    Capability.ELECTRONIC_NOTIFICATION: "bericht bij afhandeling",
    Capability.PREFILLED: "vooringevuld",
    Capability.PROACTIVE: "proactief",
}
"""The Dutch name of every capability (MAT-2), as a Dutch spreadsheet writes it."""
for _k, _member in enumerate(_ORDER):
    _member._bit = 1 << _k
del _k, _member
_ALL_CAPABILITIES: frozenset[Capability] = frozenset(Capability)


class MaturityLevel(enum.IntEnum):
    """The rungs of the ladder, grounded in the EU stage model (MAT-1)."""

    OFFLINE = 0
    """Nothing online: the product can only be requested at the counter, by phone or by post."""
    INFORMATION = 1
    """Information online (EU stage 1)."""
    DOWNLOADABLE_FORM = 2
    """One-way interaction: a form to download, e.g. a PDF (EU stage 2)."""
    ONLINE_SUBMISSION = 3
    """Two-way interaction: the request can be submitted online (EU stage 3)."""
    FULLY_ONLINE = 4
    """Full transaction, the SDG art. 6(2) "fully online" test (EU stage 4)."""
    PREFILLED = 5
    """Fully online and pre-filled from authentic sources (VNG's 100 %; EU stage 5)."""
    PROACTIVE = 6
    """Proactive: no application needed (EU stage 5, targetisation)."""

    @property
    def label(self) -> str:
        """The level's exchange name (``"fully-online"``)."""
        return self.name.lower().replace("_", "-")

    @classmethod
    def parse(cls, text: str | int | MaturityLevel, field: str = "level") -> MaturityLevel:
        """Parse a level from its exchange name (``"fully-online"``), its Dutch name
        (``"volledig online"``) or its number."""
        if isinstance(text, MaturityLevel):
            return text
        if isinstance(text, int) and not isinstance(text, bool) and 0 <= text <= len(cls) - 1:
            return cls(text)
        if isinstance(text, str):
            key = text.strip().lower().replace("_", "-").replace(" ", "-")
            for member in cls:
                if member.label == key or str(member.value) == key:
                    return member
            for member, name in LEVEL_DUTCH.items():
                if name.replace(" ", "-") == key:
                    return member
        raise UnknownNameError(field, text, (m.label for m in cls))

    @property
    def dutch(self) -> str:
        """The level's Dutch name (``"volledig online"``)."""
        return LEVEL_DUTCH[self]


LEVEL_DUTCH: dict[MaturityLevel, str] = {
    MaturityLevel.OFFLINE: "niet online",
    MaturityLevel.INFORMATION: "informatie",
    MaturityLevel.DOWNLOADABLE_FORM: "formulier downloaden",
    MaturityLevel.ONLINE_SUBMISSION: "online indienen",
    MaturityLevel.FULLY_ONLINE: "volledig online",
    MaturityLevel.PREFILLED: "vooringevuld",
    MaturityLevel.PROACTIVE: "proactief",
}
"""The Dutch name of every level (MAT-1)."""


@attrs.frozen
@shared_repr
@shared_eq
class Rung:
    """One level of the ladder: its gate (capabilities it adds) and its correspondences."""

    level: MaturityLevel
    gate: frozenset[Capability]
    eu_stage: str
    description: str


LADDER: tuple[Rung, ...] = (
    Rung(
        MaturityLevel.OFFLINE,
        frozenset(),
        "0: no online presence",
        "Only at the counter, by phone or by post.",
    ),
    Rung(
        MaturityLevel.INFORMATION,
        frozenset({Capability.INFORMATION_ONLINE}),
        "1: information",
        "The product is described online.",
    ),
    Rung(
        MaturityLevel.DOWNLOADABLE_FORM,
        frozenset({Capability.DOWNLOADABLE_FORM}),
        "2: one-way interaction",
        "A form can be downloaded; submission is on paper.",
    ),
    Rung(
        MaturityLevel.ONLINE_SUBMISSION,
        frozenset({Capability.ONLINE_SUBMISSION}),
        "3: two-way interaction",
        "The request can be submitted online.",
    ),
    Rung(
        MaturityLevel.FULLY_ONLINE,
        frozenset(
            {
                Capability.REMOTE_IDENTIFICATION,
                Capability.ELECTRONIC_EVIDENCE,
                Capability.ONLINE_PAYMENT,
                Capability.AUTOMATIC_ACKNOWLEDGEMENT,
                Capability.ELECTRONIC_OUTCOME,
                Capability.ELECTRONIC_NOTIFICATION,
            }
        ),
        "4: transaction",
        "Fully online in the sense of SDG Regulation art. 6(2).",
    ),
    Rung(
        MaturityLevel.PREFILLED,
        frozenset({Capability.PREFILLED}),
        "5: personalisation",
        "Fully online and pre-filled from authentic sources.",
    ),
    Rung(
        MaturityLevel.PROACTIVE,
        frozenset({Capability.PROACTIVE}),
        "5: targetisation (proactive)",
        "No application needed.",
    ),
)
"""The ladder, lowest rung first. Every capability belongs to exactly one gate (MAT-2)."""

MDD_PERCENT: Mapping[MaturityLevel, int] = MappingProxyType(
    {
        MaturityLevel.OFFLINE: 0,
        MaturityLevel.INFORMATION: 0,
        MaturityLevel.DOWNLOADABLE_FORM: 25,
        MaturityLevel.ONLINE_SUBMISSION: 50,
        MaturityLevel.FULLY_ONLINE: 75,
        MaturityLevel.PREFILLED: 100,
        MaturityLevel.PROACTIVE: 100,
    }
)
"""Correspondence with the MDD/VNG 0-100 % product maturity (MAT-6).

Its anchors are published: 0 % when a request can only be handed in on paper, 100 % for
a pre-filled form that can be submitted online. The steps between are the standard's
reading; the published level-by-level MDD definitions could not be retrieved.
"""

EU_ONLINE_AVAILABILITY: Mapping[MaturityLevel, int] = MappingProxyType(
    {
        MaturityLevel.OFFLINE: 0,
        MaturityLevel.INFORMATION: 50,
        MaturityLevel.DOWNLOADABLE_FORM: 50,
        MaturityLevel.ONLINE_SUBMISSION: 50,
        MaturityLevel.FULLY_ONLINE: 100,
        MaturityLevel.PREFILLED: 100,
        MaturityLevel.PROACTIVE: 100,
    }
)
"""Correspondence with the EU eGovernment Benchmark online-availability score (MAT-6).

The 2020+ framework scores a service step 100 when fully online, 50 when only
information is online and 0 when offline.
"""

_GATE_MASKS: tuple[int, ...] = tuple(sum(c.bit for c in rung.gate) for rung in LADDER)


def parse_capabilities(
    values: Iterable[str | Capability], field: str = "capabilities"
) -> frozenset[Capability]:
    """Parse capability names into a set, rejecting unknown names (MAT-2)."""
    if isinstance(values, frozenset) and values <= _ALL_CAPABILITIES:
        return values  # already parsed (the fast path for readers of large files)
    if isinstance(values, str):
        raise UnknownCapabilityError(field, values, (m.value for m in Capability))
    return frozenset(Capability.parse(v, field) for v in values)


def capability_mask(capabilities: Iterable[Capability]) -> int:
    """Encode a set of capabilities as an integer bit mask (for the measurement arrays)."""
    return sum({c.bit for c in capabilities})


IMPLIED: tuple[tuple[Capability, Capability], ...] = (
    (Capability.ONLINE_SUBMISSION, Capability.DOWNLOADABLE_FORM),
)
"""Capabilities that imply another (MAT-2): a form that can be submitted online is a form
obtained online, so a fully online procedure without a PDF is not held at level 1."""


def _effective(capabilities: Iterable[Capability], fee_applies: bool) -> set[Capability]:
    have = set(capabilities)
    if not fee_applies:
        have.add(Capability.ONLINE_PAYMENT)  # MAT-4: payment is waived without a fee
    for present, implied in IMPLIED:
        if present in have:
            have.add(implied)
    return have


def effective_mask(mask: int, fee_applies: bool = True) -> int:
    """A capability mask with the waived and implied capabilities added (MAT-2, MAT-4).

    >>> effective_mask(Capability.ONLINE_SUBMISSION.bit) == capability_mask(
    ...     {Capability.ONLINE_SUBMISSION, Capability.DOWNLOADABLE_FORM})
    True
    """
    out = mask if fee_applies else mask | Capability.ONLINE_PAYMENT.bit
    for present, implied in IMPLIED:
        if out & present.bit:
            out |= implied.bit
    return out


def level_of(capabilities: Iterable[Capability], *, fee_applies: bool = True) -> MaturityLevel:
    """Derive the maturity level from observed capabilities by tier gating (MAT-3)."""
    have = _effective(capabilities, fee_applies)
    level = MaturityLevel.OFFLINE
    for rung in LADDER[1:]:
        if not rung.gate <= have:
            break
        level = rung.level
    return level


def missing_for(
    target: MaturityLevel, capabilities: Iterable[Capability], *, fee_applies: bool = True
) -> frozenset[Capability]:
    """The capabilities still needed to reach ``target`` (empty when it is reached; MAT-7).

    >>> sorted(c.value for c in missing_for(MaturityLevel.ONLINE_SUBMISSION,
    ...                                     {Capability.INFORMATION_ONLINE}))
    ['online-submission']
    >>> sorted(c.value for c in missing_for(MaturityLevel.DOWNLOADABLE_FORM,
    ...                                     {Capability.INFORMATION_ONLINE}))
    ['downloadable-form']
    """
    have = _effective(capabilities, fee_applies)
    needed: set[Capability] = set()
    for rung in LADDER[1 : int(target) + 1]:
        needed |= rung.gate
    missing = needed - have
    for present, implied in IMPLIED:  # adding `present` brings `implied` with it
        if present in missing:
            missing.discard(implied)
    return frozenset(missing)


def sdg_fully_online(capabilities: Iterable[Capability], *, fee_applies: bool = True) -> bool:
    """Whether an offering is fully online in the sense of SDG art. 6(2) (MAT-4)."""
    return level_of(capabilities, fee_applies=fee_applies) >= MaturityLevel.FULLY_ONLINE


def samenwerkende_catalogi(level: MaturityLevel, digid: bool) -> str:
    """The Samenwerkende Catalogi ``onlineAanvragen`` value for a level (MAT-6).

    ``nee`` below online submission; at or above it ``digid`` when DigiD is the means of
    authentication and ``ja`` otherwise.

    >>> samenwerkende_catalogi(MaturityLevel.DOWNLOADABLE_FORM, digid=False)
    'nee'
    >>> samenwerkende_catalogi(MaturityLevel.FULLY_ONLINE, digid=True)
    'digid'
    """
    if level < MaturityLevel.ONLINE_SUBMISSION:
        return "nee"
    return "digid" if digid else "ja"


def gate_masks() -> tuple[int, ...]:
    """The bit mask of each rung's gate, lowest rung first (for vectorised level derivation)."""
    return _GATE_MASKS


guard(__name__)
