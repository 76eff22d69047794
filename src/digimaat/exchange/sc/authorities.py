"""The shipped mapping of OWMS municipality URIs to CBS codes (chapter SCI, SCI-3).

Samenwerkende Catalogi names a publisher by its OWMS URI (``…/Maassluis_(gemeente)``,
``…/Rotterdam``, ``…/Utrecht_oud``), the standard names a municipality by its CBS code
(MUN-2). The mapping between them is package data, ``digimaat/data/sc_authorities.json``,
derived by ``scripts/build_sc_authorities.py`` from the OWMS list of municipalities and the
CBS register (MUN-5), with every manual correspondence and its reason in its provenance.

>>> authorities = sc_authorities()
>>> authorities.code("http://standaarden.overheid.nl/owms/terms/Maassluis_(gemeente)")
'GM0556'
>>> authorities.code("http://standaarden.overheid.nl/owms/terms/Utrecht_oud")
'GM0344'
>>> authorities.code("http://standaarden.overheid.nl/owms/terms/Utrecht_(provincie)") is None
True
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from importlib import resources
from typing import Any

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr

__all__ = ["Authorities", "sc_authorities"]


@attrs.frozen
@shared_repr
@shared_eq
class Authorities:
    """OWMS municipality URIs and their CBS codes, with the mapping's provenance."""

    codes: Mapping[str, str]
    """``{OWMS URI: CBS code}``."""
    provenance: Mapping[str, Any]

    def code(self, uri: str) -> str | None:
        """The CBS code of an OWMS municipality URI, or ``None`` when it is not mapped."""
        return self.codes.get(uri)


@functools.cache
def sc_authorities() -> Authorities:
    """The shipped mapping (read once)."""
    text = resources.files("digimaat.data").joinpath("sc_authorities.json").read_bytes()
    document = json.loads(text)
    codes = {item["uri"]: item["code"] for item in document["authorities"]}
    return Authorities(codes, document["provenance"])


guard(__name__)
