"""The validated offerings as columns: built from records, joined, ordered (chapter XCH).

A reader gives the offerings of a file as the columns of
:class:`~digimaat.exchange.validation.OfferingColumns`; this module makes the same columns
of :class:`~digimaat.vocabulary.offerings.Offering` records built in code
(:func:`columns_of`), joins the columns of several files (:func:`concatenate`), and gives
the canonical order of offerings (XCH-14: by CBS code, then product URI).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from digimaat._boundary import guard
from digimaat.exchange.validation import OfferingColumns
from digimaat.measurement.dataset import STATUS_CODES
from digimaat.vocabulary.assurance import Authentication, AuthenticationOptions, AuthMeans
from digimaat.vocabulary.channels import CHANNELS
from digimaat.vocabulary.maturity import capability_mask
from digimaat.vocabulary.offerings import Offering, Provenance

__all__ = ["canonical_order", "columns_of", "concatenate"]

_MEANS_CODE = {means: code for code, means in enumerate(AuthMeans)}


def canonical_order(c: OfferingColumns) -> np.ndarray[Any, np.dtype[np.intp]]:
    """Offerings in canonical order: by CBS code, then product URI (XCH-14)."""
    if not c.size:
        return np.zeros(0, dtype=np.intp)
    rank = np.argsort(np.argsort(np.array(c.uris, dtype=object), kind="stable"), kind="stable")
    code_rank = np.argsort(
        np.argsort(np.array(c.cbs_codes, dtype=object), kind="stable"), kind="stable"
    )
    keys = np.lexsort((rank[c.product], code_rank[c.municipality]))
    return keys.astype(np.intp)


def columns_of(offerings: Sequence[Offering]) -> OfferingColumns:
    """The columns of offerings built in code (checked before, XCH-7)."""
    n = len(offerings)
    uris = sorted({o.product for o in offerings})
    uri_index = {uri: j for j, uri in enumerate(uris)}
    cbs_codes = sorted({o.municipality for o in offerings})
    code_index = {code: i for i, code in enumerate(cbs_codes)}
    volume = np.full((n, len(CHANNELS)), np.nan)
    has_volume = np.array([o.volumes is not None for o in offerings], dtype=np.bool_)
    started = np.full(n, np.nan)
    completed = np.full(n, np.nan)
    for k, o in enumerate(offerings):
        if o.volumes is not None:
            for channel, value in zip(o.volumes.channels, o.volumes.per_year_values, strict=True):
                volume[k, CHANNELS.index(channel)] = value
        if o.forms is not None:
            started[k], completed[k] = o.forms.started, o.forms.completed
    return OfferingColumns(
        size=n,
        municipality=np.array([code_index[o.municipality] for o in offerings], dtype=np.intp),
        cbs_codes=tuple(cbs_codes),
        uris=tuple(uris),
        product=np.array([uri_index[o.product] for o in offerings], dtype=np.intp),
        status=np.array([STATUS_CODES[o.status] for o in offerings], dtype=np.int8),
        capabilities=np.array([capability_mask(o.capabilities) for o in offerings], dtype=np.int16),
        auth_means=np.array(
            [
                -1 if o.authentication is None else _MEANS_CODE[o.authentication.means]
                for o in offerings
            ],
            dtype=np.int8,
        ),
        auth_level=np.array([_level_code(o.authentication) for o in offerings], dtype=np.int8),
        local_target=np.array(
            [-1 if o.local_target is None else int(o.local_target) for o in offerings],
            dtype=np.int8,
        ),
        fee=np.array(
            [-1 if o.fee_applies is None else int(o.fee_applies) for o in offerings], dtype=np.int8
        ),
        volume=volume,
        has_volume=has_volume,
        forms_started=started,
        forms_completed=completed,
        reasons={
            k: o.local_target_reason
            for k, o in enumerate(offerings)
            if o.local_target_reason is not None
        },
        notes={k: o.notes for k, o in enumerate(offerings) if o.notes is not None},
        provenance={k: o.provenance for k, o in enumerate(offerings) if o.provenance is not None},
        options={
            k: o.authentication
            for k, o in enumerate(offerings)
            if isinstance(o.authentication, AuthenticationOptions)
        },
        where=lambda k: f"offering {k}",
    )


def _level_code(authentication: Authentication | AuthenticationOptions | None) -> int:
    """The level code of an authentication: -1 where none is recorded or it is unknown."""
    if authentication is None or authentication.level is None:
        return -1
    return int(authentication.level)


def concatenate(parts: Sequence[OfferingColumns]) -> OfferingColumns:
    """The offerings of several files as one set of columns."""
    parts = [p for p in parts if p.size]
    if not parts:
        return OfferingColumns.empty()
    if len(parts) == 1:
        return parts[0]
    uris = tuple(sorted({u for p in parts for u in p.uris}))
    index = {u: j for j, u in enumerate(uris)}
    cbs_codes = tuple(sorted({code for p in parts for code in p.cbs_codes}))
    code_index = {code: i for i, code in enumerate(cbs_codes)}
    offsets = np.cumsum([0] + [p.size for p in parts])
    reasons: dict[int, str] = {}
    notes: dict[int, str] = {}
    provenance: dict[int, Provenance] = {}
    options: dict[int, AuthenticationOptions] = {}
    places: list[tuple[int, OfferingColumns]] = []
    for offset, part in zip(offsets.tolist(), parts, strict=False):
        reasons.update({offset + k: v for k, v in part.reasons.items()})
        notes.update({offset + k: v for k, v in part.notes.items()})
        provenance.update({offset + k: v for k, v in part.provenance.items()})
        options.update({offset + k: v for k, v in part.options.items()})
        places.append((offset, part))

    def where(k: int) -> str:
        for offset, part in reversed(places):
            if k >= offset:
                return part.where(k - offset)
        return ""  # pragma: no cover

    return OfferingColumns(
        size=int(offsets[-1]),
        municipality=np.concatenate(
            [
                np.array([code_index[code] for code in p.cbs_codes], dtype=np.intp)[p.municipality]
                for p in parts
            ]
        ),
        cbs_codes=cbs_codes,
        uris=uris,
        product=np.concatenate(
            [np.array([index[u] for u in p.uris], dtype=np.intp)[p.product] for p in parts]
        ),
        status=np.concatenate([p.status for p in parts]),
        capabilities=np.concatenate([p.capabilities for p in parts]),
        auth_means=np.concatenate([p.auth_means for p in parts]),
        auth_level=np.concatenate([p.auth_level for p in parts]),
        local_target=np.concatenate([p.local_target for p in parts]),
        fee=np.concatenate([p.fee for p in parts]),
        volume=np.concatenate([p.volume for p in parts]),
        has_volume=np.concatenate([p.has_volume for p in parts]),
        forms_started=np.concatenate([p.forms_started for p in parts]),
        forms_completed=np.concatenate([p.forms_completed for p in parts]),
        reasons=reasons,
        notes=notes,
        provenance=provenance,
        options=options,
        where=where,
    )


guard(__name__)
