"""Samenwerkende Catalogi (SC 4.0): a national baseline from what municipalities publish.

Every Dutch municipality publishes its product catalogue in the Samenwerkende Catalogi 4.0
format, harvested nationally by the zoekdienst of overheid.nl. :func:`import_sc` reads SRU
responses and SC 4.0 feeds (plain, ``.gz``, ``.xz``, directories, tar archives) into a
standard :class:`~digimaat.exchange.Submission` of offerings, each with its provenance,
and a :class:`Summary` of what was published and what became of it. How the published
fields map to the maturity ladder is specification chapter SCI.

>>> from digimaat.exchange.sc import national_baseline
>>> baseline = national_baseline()
>>> baseline.reference_year, len(baseline.municipalities)
(2023, 342)
"""

from __future__ import annotations

from digimaat._boundary import guard
from digimaat.exchange.sc._inputs import MAX_ARCHIVE_BYTES, MAX_DOCUMENT_BYTES, Limits
from digimaat.exchange.sc.authorities import Authorities, sc_authorities
from digimaat.exchange.sc.baseline import BASELINE_FILE, national_baseline
from digimaat.exchange.sc.importer import ScImport, import_sc
from digimaat.exchange.sc.mapping import (
    PLACEHOLDER,
    ApplicationKind,
    Evidence,
    application_kind,
    evidence_of,
    repair_upl,
)
from digimaat.exchange.sc.records import ScFileError, ScRecord, read_records
from digimaat.exchange.sc.summary import AuthoritySummary, Counts, Summary

__all__ = [
    "BASELINE_FILE",
    "MAX_ARCHIVE_BYTES",
    "MAX_DOCUMENT_BYTES",
    "PLACEHOLDER",
    "ApplicationKind",
    "Authorities",
    "AuthoritySummary",
    "Counts",
    "Evidence",
    "Limits",
    "ScFileError",
    "ScImport",
    "ScRecord",
    "Summary",
    "application_kind",
    "evidence_of",
    "import_sc",
    "national_baseline",
    "read_records",
    "repair_upl",
    "sc_authorities",
]

guard(__name__)
