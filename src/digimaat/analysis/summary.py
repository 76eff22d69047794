"""Per-municipality summaries shown in reports: the ladder, authentication, the largest parts.

These are counts and listings of a dataset for one municipality, for people to look at
beside its score card; they compute no number of the standard. The charts of
:mod:`digimaat.plot` and the tables of the report are drawn from the same summaries, so a
chart and the table beside it show the same numbers.

>>> from importlib import resources
>>> from digimaat.analysis.summary import authentication_summary, ladder_distribution
>>> from digimaat.exchange import load_dataset
>>> ds = load_dataset(str(resources.files("digimaat.data").joinpath("example.json")))
>>> ladder_distribution(ds, "GM0556").levels
(0, 1, 4, 0, 2, 0, 0)
>>> outcome = authentication_summary(ds, "GM0622")
>>> outcome.match, outcome.barrier, outcome.shortfall, outcome.unrecorded
(5, 0, 1, 0)
"""

from __future__ import annotations

import math

import attrs
import numpy as np

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat.measurement.dataset import Dataset, StatusCode
from digimaat.measurement.explain import Decomposition
from digimaat.vocabulary.assurance import AssuranceLevel, AuthMeans
from digimaat.vocabulary.maturity import MaturityLevel

__all__ = [
    "AuthenticationFinding",
    "AuthenticationSummary",
    "LadderDistribution",
    "Part",
    "authentication_summary",
    "ladder_distribution",
    "largest_parts",
]

_MEANS = tuple(AuthMeans)


@attrs.frozen
@shared_repr
@shared_eq
class LadderDistribution:
    """How many of a municipality's products are at each rung of the ladder (MAT-3)."""

    municipality: str
    levels: tuple[int, ...]
    """Offered products at each level, 0 (offline) to 6 (proactive)."""
    unknown: int
    """Products whose level is not known: status unknown, or no record (AGG-2)."""
    not_offered: int
    not_applicable: int

    @property
    def offered(self) -> int:
        """Products offered (with a known level)."""
        return sum(self.levels)


def ladder_distribution(ds: Dataset, code: str) -> LadderDistribution:
    """The products of one municipality by level and status, over the dataset's products."""
    i = ds.index_of(code)
    status = ds.status[i]
    offered = status == StatusCode.OFFERED
    levels = np.bincount(ds.level[i][offered].astype(np.intp), minlength=len(MaturityLevel))
    unknown = int(
        np.count_nonzero((status == StatusCode.UNKNOWN) | (status == StatusCode.NO_RECORD))
    )
    return LadderDistribution(
        code,
        tuple(int(n) for n in levels),
        unknown,
        int(np.count_nonzero(status == StatusCode.NOT_OFFERED)),
        int(np.count_nonzero(status == StatusCode.NOT_APPLICABLE)),
    )


@attrs.frozen
@shared_repr
@shared_eq
class AuthenticationFinding:
    """A product whose authentication does not fit its need (LOA-6, MET-5)."""

    uri: str
    name: str
    outcome: str
    """``"barrier"`` (more asked than needed) or ``"shortfall"`` (less asked)."""
    means: AuthMeans
    asked: AssuranceLevel
    required: AssuranceLevel


@attrs.frozen
@shared_repr
@shared_eq
class AuthenticationSummary:
    """The authentication outcomes of a municipality's products in the subject of MET-5.

    The subject: reference products offered at level 3 (online submission) or higher whose
    required assurance is assessed. Every product of it is a match, a barrier, a shortfall,
    or unrecorded: its authentication was not recorded, or only its means, at a level that
    is unknown (LOA-4.1, LOA-7.1), so its fit is unknown.
    """

    municipality: str
    match: int
    barrier: int
    shortfall: int
    unrecorded: int
    findings: tuple[AuthenticationFinding, ...]
    """The barriers and shortfalls, barriers first, each by product URI."""


def authentication_summary(ds: Dataset, code: str) -> AuthenticationSummary:
    """Count the authentication outcomes of one municipality and list the misfits (MET-5)."""
    i = ds.index_of(code)
    required = ds.required_assurance.astype(np.int16)
    subject = (
        ds.observed[i]
        & ds.is_reference
        & (ds.level[i] >= int(MaturityLevel.ONLINE_SUBMISSION))
        & (required >= 0)
    )
    asked = ds.auth_level[i].astype(np.int16)
    recorded = subject & (asked >= 0)
    barrier = recorded & (asked > required)
    shortfall = recorded & (asked < required)
    findings = []
    for outcome, mask in (("barrier", barrier), ("shortfall", shortfall)):
        for j in np.nonzero(mask)[0].tolist():
            product = ds.products[j]
            findings.append(
                AuthenticationFinding(
                    product.uri,
                    product.name,
                    outcome,
                    _MEANS[int(ds.auth_means[i, j])],
                    AssuranceLevel(int(asked[j])),
                    AssuranceLevel(int(required[j])),
                )
            )
    return AuthenticationSummary(
        code,
        int(np.count_nonzero(recorded & (asked == required))),
        int(np.count_nonzero(barrier)),
        int(np.count_nonzero(shortfall)),
        int(np.count_nonzero(subject & (asked < 0))),
        tuple(findings),
    )


@attrs.frozen
@shared_repr
@shared_eq
class Part:
    """One bar of a chart of contributions: a product, or the rest taken together."""

    label: str
    uri: str | None
    """The product's URI; ``None`` for the rest."""
    value: float
    count: int = 1
    """How many products the part stands for."""


def largest_parts(decomposition: Decomposition, top: int = 10) -> tuple[Part, ...]:
    """The ``top`` largest contributions of a decomposition (EXP-1), and the rest as one part.

    The parts sum to the decomposition's total, so a chart of them adds up to the score.
    """
    items = decomposition.items
    head = [Part(item.name, item.uri, item.contribution) for item in items[:top]]
    rest = items[top:]
    if rest:
        head.append(Part("", None, math.fsum(item.contribution for item in rest), count=len(rest)))
    return tuple(head)


guard(__name__)
