"""Importing Samenwerkende Catalogi into a submission of offerings (specification chapter SCI).

:func:`import_sc` reads SRU responses and SC 4.0 feeds (files, ``.gz`` or ``.xz`` files,
directories and tar archives), keys every record by its publisher's OWMS URI, maps the
municipalities to CBS codes, turns each record's fields into capabilities (SCI-5 to
SCI-7), makes one offering per municipality and product (SCI-8) with its provenance, and
counts everything in a :class:`~digimaat.exchange.sc.summary.Summary` (SCI-10). A document
that cannot be read is reported and left out; the others are imported.
"""

from __future__ import annotations

import datetime
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_repr
from digimaat._version import SPEC_VERSION, __version__
from digimaat.errors import NO_VALUE, InputError, InvalidValueError, Problem
from digimaat.exchange.sc._inputs import Limits, Member, Skipped, input_size, members
from digimaat.exchange.sc.authorities import sc_authorities
from digimaat.exchange.sc.mapping import (
    Evidence,
    ProductLists,
    application_kind,
    evidence_of,
    pick,
    repair_upl,
)
from digimaat.exchange.sc.records import ScFileError, ScRecord, read_records
from digimaat.exchange.sc.summary import AuthoritySummary, Counts, Summary
from digimaat.exchange.submission import Submission
from digimaat.vocabulary.municipalities import Register, cbs_register
from digimaat.vocabulary.offerings import Offering, Provenance
from digimaat.vocabulary.products import Catalogue, reference_catalogue

__all__ = ["MUNICIPAL_SCHEME", "ScImport", "import_sc"]

MUNICIPAL_SCHEME = "overheid:Gemeente"
"""The ``overheid:authority/@scheme`` of a municipality (SCI-3)."""

_FIRST_REGISTER = 2000
"""No CBS register before this year is looked for (MUN-5 ships 2023 and 2024)."""

Progress = Callable[[int, int], None]
"""A callback ``(bytes read, bytes in all)`` for a progress bar."""


@attrs.frozen(eq=False)
@shared_repr
class ScImport:
    """The result of an import: the submission, its summary, and what was left out."""

    submission: Submission
    """Every municipality with records and its offerings, each with its provenance."""
    summary: Summary
    problems: tuple[Problem, ...]
    """Documents and records left out, and why (each names its document and place)."""
    skipped: tuple[str, ...]
    """Files of directories and members of archives that are not XML, not read."""


def _prefer(new: ScRecord, kept: ScRecord) -> bool:
    """Whether a duplicate replaces the record kept (SCI-2.1): the latest ``modified``, then
    the smallest source and place, so that the order of reading does not matter."""
    if (new.modified or "") != (kept.modified or ""):
        return (new.modified or "") > (kept.modified or "")
    return (new.source, new.position) < (kept.source, kept.position)


def import_sc(
    paths: Iterable[str | os.PathLike[str]],
    *,
    catalogue: Catalogue | None = None,
    upl_lists: Sequence[str | os.PathLike[str]] = (),
    year: int | None = None,
    retrieved: str | datetime.date | None = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
    source: str | None = None,
) -> ScImport:
    """Import SC 4.0 records from files, directories and archives (SCI-1 to SCI-10).

    ``catalogue`` is the product catalogue (the reference catalogue by default);
    ``upl_lists`` are UPL list files (SPARQL JSON or CSV with a ``URI`` column) that tell
    a URI outside the catalogue that is a UPL name from one that is not (SCI-4.1).
    ``year`` is the reference year (default: the year of the latest retrieval date); the
    municipalities are those of the CBS register of that year, or of the latest shipped
    year before it. ``retrieved`` is the
    date to record for documents that carry none (an SC feed); without it such a document
    is reported and left out. ``source`` replaces the submission's default source text.

    Raises :class:`~digimaat.errors.InputError` only when nothing at all can be imported
    (no municipality), or when an argument is wrong; every other problem is in
    :attr:`ScImport.problems`.
    """
    base = reference_catalogue() if catalogue is None else catalogue
    lists = ProductLists.read(base, [Path(p) for p in upl_lists])
    default_date = None if retrieved is None else Provenance("-", ["-"], retrieved).retrieved
    roots = [Path(p) for p in paths]
    limits = Limits() if limits is None else limits
    total = input_size(roots)
    done = 0

    def seen(amount: int) -> None:
        nonlocal done
        done += amount
        if progress is not None:
            progress(done, total)

    problems: list[Problem] = []
    skipped: list[str] = []
    store: dict[tuple[str, str], ScRecord] = {}
    duplicates = 0
    documents = 0
    for root in roots:
        for item in members(root, limits, seen):
            if isinstance(item, Problem):
                problems.append(item)
                continue
            if isinstance(item, Skipped):
                skipped.append(item.name)
                continue
            documents += 1
            for record in _document(item, default_date, problems):
                key = (record.identifier, record.authority)
                kept = store.get(key)
                if kept is not None:
                    duplicates += 1
                    if not _prefer(record, kept):
                        continue
                store[key] = record
    summary_of, offerings, non_municipal = _offerings(store.values(), lists, problems)
    municipalities = sorted({s.code for s in summary_of.values() if s.code is not None})
    if not municipalities:
        problems.append(
            Problem("records", NO_VALUE, "hold no record of a municipality that can be imported")
        )
        raise InputError(problems)
    reference_year = year
    if reference_year is None:
        reference_year = max(r.retrieved for r in store.values() if r.retrieved is not None).year
    register = _register(reference_year, problems)
    summaries = tuple(
        AuthoritySummary(
            s.authority,
            s.code,
            register.get(s.code).name if s.code is not None else s.name,
            s.counts,
        )
        for s in sorted(
            summary_of.values(), key=lambda s: (s.code is None, s.code or "", s.authority)
        )
    )
    national = Counts()
    for entry in summaries:
        national.add(entry.counts)
    if source is None:
        names = ", ".join(sorted({root.name for root in roots}))
        dates = sorted({r.retrieved for r in store.values() if r.retrieved is not None})
        when = f"retrieved {dates[0]} to {dates[-1]}" if dates else "no retrieval date"
        source = (
            f"Samenwerkende Catalogi (SC 4.0) product descriptions from {names} "
            f"({documents} documents, {when}), imported by digimaat {__version__} by chapter "
            f"SCI of specification {SPEC_VERSION}"
        )
    submission = Submission.build(
        [register.get(code) for code in municipalities],
        offerings,
        reference_year=reference_year,
        source=source,
        catalogue=base,
        product_scope="offerings",  # SCI-7: an unpublished product is unknown, not absent
    )
    summary = Summary(
        summaries,
        national,
        tuple(non_municipal),
        documents,
        duplicates,
        len(problems),
    )
    return ScImport(submission, summary, tuple(problems), tuple(skipped))


def _register(year: int, problems: list[Problem]) -> Register:
    """The CBS register of ``year``, or of the latest shipped year before it (SCI-3)."""
    for candidate in range(year, _FIRST_REGISTER - 1, -1):
        try:
            return cbs_register(candidate)
        except InvalidValueError:
            continue
    try:
        return cbs_register(year)
    except InvalidValueError as exc:
        raise InputError([*problems, exc.problem]) from None


def _summary_order(entry: _Entry) -> tuple[bool, str, str]:
    """Mapped authorities by CBS code, then the unmapped ones, each by OWMS URI."""
    return (entry.code is None, entry.code or "", entry.authority)


def _document(
    item: Member, default_date: datetime.date | None, problems: list[Problem]
) -> list[ScRecord]:
    """The records of one document; nothing of a document that cannot be read (SCI-2)."""
    records: list[ScRecord] = []
    found: list[Problem] = []
    try:
        for record in read_records(item.stream, item.name):
            if isinstance(record, Problem):
                found.append(record)
            else:
                records.append(record)
    except ScFileError as exc:
        problems.append(exc.problem)
        return []
    problems.extend(found)
    undated = [r for r in records if r.retrieved is None]
    if undated:
        if default_date is None:
            problems.append(
                Problem(
                    "retrieved",
                    NO_VALUE,
                    f"{len(undated)} records carry no retrieval date (an SC feed has none); "
                    "give the date the document was retrieved (retrieved=, --retrieved)",
                    item.name,
                )
            )
            return []
        records = [
            attrs.evolve(r, retrieved=default_date) if r.retrieved is None else r for r in records
        ]
    return records


@attrs.define
@shared_repr
class _Entry:
    authority: str
    code: str | None
    name: str
    counts: Counts


def _offerings(
    records: Iterable[ScRecord], lists: ProductLists, problems: list[Problem]
) -> tuple[dict[str, _Entry], list[Offering], list[dict[str, object]]]:
    """Counts per authority, the offerings (SCI-8) and the non-municipal authorities."""
    authorities = sc_authorities()
    entries: dict[str, _Entry] = {}
    others: dict[str, tuple[str, str]] = {}
    other_records: dict[str, int] = defaultdict(int)
    candidates: dict[tuple[str, str], list[tuple[Evidence, ScRecord]]] = defaultdict(list)
    unmapped: dict[str, ScRecord] = {}
    for record in sorted(records, key=lambda r: (r.authority, r.identifier)):
        if record.scheme != MUNICIPAL_SCHEME:
            others.setdefault(record.authority, (record.scheme, record.label))
            other_records[record.authority] += 1
            continue
        code = authorities.code(record.authority)
        entry = entries.get(record.authority)
        if entry is None:
            entry = entries[record.authority] = _Entry(
                record.authority, code, record.label, Counts()
            )
        if code is None:
            unmapped.setdefault(record.authority, record)
        evidence = evidence_of(record.online, record.application)
        repairs: list[str] = []
        unknown: list[str] = []
        products: list[str] = []
        for published in record.upl:
            uri, made = repair_upl(published)
            repairs.extend(made)
            if uri in products or uri in unknown:
                continue
            reason = lists.kind(uri)
            if reason is None:
                products.append(uri)
            else:
                unknown.append(uri)
        kinds = [lists.kind(uri) or "" for uri in unknown]
        entry.counts.count_record(
            record.online, application_kind(record.application), repairs, kinds, bool(products)
        )
        if code is not None:
            for uri in products:
                candidates[(code, uri)].append((evidence, record))
    for authority, first in sorted(unmapped.items()):
        count = entries[authority].counts.records
        problems.append(
            Problem(
                "overheid:authority",
                authority,
                f"is a municipality (scheme {MUNICIPAL_SCHEME}) that the shipped mapping of "
                f"OWMS URIs to CBS codes does not hold; its {count} records give no offerings",
                first.source,
                first.position,
            )
        )
    offerings: list[Offering] = []
    for (code, uri), found in sorted(candidates.items()):
        by_identifier = {record.identifier: (evidence, record) for evidence, record in found}
        evidence, best = pick((e, r.identifier) for e, r in found)
        record = by_identifier[best][1]
        others_ids = sorted(set(by_identifier) - {best})
        assert record.retrieved is not None  # every kept record is dated (_document)
        offerings.append(
            Offering(
                code,
                uri,
                capabilities=evidence.capabilities,
                authentication=evidence.authentication,
                provenance=Provenance(record.source, [best, *others_ids], record.retrieved),
            )
        )
        entries[record.authority].counts.offerings += 1
    left_out: list[dict[str, object]] = [
        {"authority": a, "scheme": others[a][0], "label": others[a][1], "records": other_records[a]}
        for a in sorted(others)
    ]
    return entries, offerings, left_out


guard(__name__)
