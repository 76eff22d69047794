"""Build the packaged synonym and own-name tables of the product catalogue (PRD-8, PRD-8.4).

Usage::

    python scripts/build_synonyms.py [PATH/TO/national-2023-10-18.tar.xz] [--output FILE]
        [--own-names FILE]

The harvest defaults to the copy kept in the repository, ``data/sc/national-2023-10-18.tar.xz``
(provenance and quirks in ``data/sc/SOURCE.md``): the Samenwerkende Catalogi responses of the
overheid.nl zoekdienst for every municipality, one XML file each, in one tarball.

From every record of a municipal authority the script takes two things only: the product
title the municipality publishes (``dcterms:title``) and the UPL URIs it links the record to
(``overheidproduct:uniformeProductnaam/@resourceIdentifier``). It repairs the malformed URIs
the harvest is known to hold (a doubled namespace prefix, ``hhttp``, ``https``, surrounding
whitespace), skips the placeholder and the URIs that are not in the reference catalogue, and
derives from the titles, and from their short forms, the names that point to exactly one
product in the municipalities' own use (the rules are PRD-8.1 and PRD-8.2). It writes a
deterministic JSON document: provenance first, then the synonyms and the ambiguous names,
each sorted by its normal form (PRD-7.1).

From the same reading it derives each municipality's own names (PRD-8.4): per CBS code (the
authorities mapped by the packaged correspondence of SCI-3), every title of the
municipality's own records with the products those records link it to. It writes them as
xz-compressed JSON (``--own-names``, by default ``own_names.json.xz`` beside ``--output``):
provenance first, then one line per municipality, sorted by CBS code, its names sorted by
normal form. Running the script again on the same input writes the same bytes, both files.

The XML is read with ``defusedxml`` (no entity expansion, no DTD), one record at a time;
each member of the tarball is limited to :data:`MAX_MEMBER_BYTES`. The provenance text
describes one copy of the harvest (the one with :data:`EXPECTED_MD5`); the script refuses
another unless ``--source`` and ``--harvested`` say where it came from.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import lzma
import re
import sys
import tarfile
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import IO, Any

from defusedxml.ElementTree import iterparse

from digimaat.exchange.sc.authorities import Authorities, sc_authorities
from digimaat.vocabulary.products import (
    UPL_NAMESPACE,
    UPL_PLACEHOLDER,
    Catalogue,
    canonical_upl_uri,
    normalise_key,
    reference_catalogue,
)

__all__ = [
    "build",
    "derive",
    "linked_records",
    "main",
    "read_harvest",
    "render",
    "render_own_names",
    "repair_uri",
    "short_forms",
]

EXPECTED_MD5 = "4ff43678a30daeb751913a4197732329"
"""The md5 of the copy of the harvest that :data:`SOURCE` and :data:`HARVESTED` describe."""

SOURCE = (
    "Samenwerkende Catalogi (SC 4.0) via zoekdienst.overheid.nl (SRU, x-connection=sc), "
    "harvested 2023-10-18 by frameless/producten-diensten-overzicht: the 609 per-municipality "
    "responses of the public GitHub repository frameless/producten-diensten-overzicht, path "
    "src/generated/per-gemeente/, commit fd6082c3559e141c607c14509f53093b2087ae20, kept "
    "unmodified in data/sc/national-2023-10-18.tar.xz"
)
"""Where the copy with :data:`EXPECTED_MD5` comes from (``data/sc/SOURCE.md``)."""

HARVESTED = "2023-10-18"
"""The date the zoekdienst was queried."""

_LICENCE_FINDINGS = (
    "No licence is stated in the responses or in the repository they were taken from (its "
    "package.json states EUPL-1.2, which covers the repository's code). The content is "
    "metadata that each municipality publishes about its own products, collected and "
    "offered through an open interface by the overheid.nl zoekdienst (verified from "
    "logius.nl); the collection is registered on data.overheid.nl as the dataset "
    "samenwerkende-catalogi-producten-en-diensten, whose licence was not verified. "
)

LICENCE = _LICENCE_FINDINGS + (
    "This table holds titles and counts derived from it, not the records."
)
"""The licence findings, as ``data/sc/SOURCE.md`` states them."""

OWN_NAMES_LICENCE = _LICENCE_FINDINGS + (
    "This table holds, per municipality, the titles of its own records and the UPL keys "
    "those records link them to, not the records."
)
"""The same findings, for the own-name table."""

AUTHORITIES_FILE = "sc_authorities.json"
"""The package data file that maps the records' authorities to CBS codes (SCI-3)."""

AUTHORITIES = (
    "digimaat/data/sc_authorities.json: the OWMS URIs of municipalities and their CBS codes, "
    "derived by scripts/build_sc_authorities.py (specification SCI-3)"
)
"""How the own-name table's provenance names that correspondence."""

SCRIPT = "scripts/build_synonyms.py"

MIN_MUNICIPALITIES = 2
"""A name is taken from the data only when at least this many municipalities use it (PRD-8.1)."""

MIN_LENGTH = 3
"""A name shorter than this, in normal form, is not taken (PRD-8.1)."""

REQUEST_VERBS: tuple[str, ...] = (
    "aanvragen",
    "aangeven",
    "doorgeven",
    "indienen",
    "melden",
    "opvragen",
)
"""Final words dropped from a title to make a short form (PRD-8.2)."""

MAX_MEMBER_BYTES = 64 * 1024 * 1024
"""The largest member of the tarball the script reads (the largest in the harvest: 2.4 MB)."""

MAX_TITLE = 500
"""Titles longer than this are not used (counted in ``titles_too_long``; the longest in the
harvest has 192 characters): nobody types them as a product key."""

_SRW = "{http://www.loc.gov/zing/srw/}"
_DCTERMS = "{http://purl.org/dc/terms/}"
_PRODUCT = "{http://standaarden.overheid.nl/product/terms/}"
_OWMS = "{http://standaarden.overheid.nl/owms/terms/}"
_MUNICIPAL = "overheid:Gemeente"


def read_harvest(
    stream: IO[bytes], counts: Counter[str] | None = None
) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
    """The records of the harvest tarball: ``(authority URI, scheme, title, UPL URIs)``.

    One tuple per ``srw:record``, in the order of the tarball's members and of the records
    in each; the UPL URIs are the ``resourceIdentifier`` attributes of the record's
    ``uniformeProductnaam`` elements, as written. ``counts`` (if given) receives the
    number of XML members read (``files``).
    """
    counts = Counter() if counts is None else counts
    with tarfile.open(fileobj=stream, mode="r:xz") as tar:
        for member in tar:
            if not member.isfile() or not member.name.endswith(".xml"):
                continue
            if member.size > MAX_MEMBER_BYTES:
                raise ValueError(f"{member.name}: {member.size} bytes, over {MAX_MEMBER_BYTES}")
            handle = tar.extractfile(member)
            if handle is None:  # pragma: no cover - a regular file always has one
                continue
            counts["files"] += 1
            authority = scheme = title = ""
            uris: list[str] = []
            for _, element in iterparse(handle, events=("end",), forbid_dtd=True):
                tag = element.tag
                if tag == f"{_DCTERMS}title":
                    title = element.text or ""
                elif tag == f"{_PRODUCT}uniformeProductnaam":
                    uris.append(element.get("resourceIdentifier", ""))
                elif tag == f"{_OWMS}authority":
                    authority = element.get("resourceIdentifier", "")
                    scheme = element.get("scheme", "")
                elif tag == f"{_SRW}record":
                    yield authority, scheme, title, tuple(uris)
                    authority = scheme = title = ""
                    uris = []
                    element.clear()


def repair_uri(text: str) -> str:
    """A UPL URI with the harvest's known quirks repaired (``data/sc/SOURCE.md``, quirk 6).

    Surrounding whitespace, ``hhttp`` for ``http``, ``https`` and a doubled namespace
    prefix are repaired; anything else is returned as written (stripped).

    >>> repair_uri(" hhttp://standaarden.overheid.nl/owms/terms/paspoort")
    'http://standaarden.overheid.nl/owms/terms/paspoort'
    >>> repair_uri(UPL_NAMESPACE + UPL_NAMESPACE + "omgevingsvergunning_bouw")
    'http://standaarden.overheid.nl/owms/terms/omgevingsvergunning_bouw'
    """
    uri = text.strip()
    if uri.lower().startswith("hhttp"):
        uri = uri[1:]
    while (doubled := _DOUBLED.match(uri)) is not None:
        uri = uri[doubled.end() :]
    return canonical_upl_uri(uri) or uri


_DOUBLED = re.compile(r"https?://standaarden\.overheid\.nl/owms/terms/(?=https?://)", re.I)


_PARENTHESES = re.compile(r"\(([^()]*)\)")
_VERB = re.compile(r"^(.*?)\s+(?:" + "|".join(REQUEST_VERBS) + r")[\W_]*$", re.I | re.S)
_ABBREVIATION = re.compile(r"\s*[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*\s*")


def short_forms(title: str) -> list[str]:
    """The short forms of a title (PRD-8.2): what a parenthesis holds, the title without its
    parentheses, and either of those two without a final request verb.

    >>> for form in short_forms("Verklaring omtrent het gedrag (VOG) aanvragen"):
    ...     print(form)
    VOG
    Verklaring omtrent het gedrag aanvragen
    Verklaring omtrent het gedrag (VOG)
    Verklaring omtrent het gedrag
    >>> short_forms("Paspoort aanvragen")
    ['Paspoort']
    """
    out: list[str] = []
    bare = title
    if _PARENTHESES.search(title):
        out.extend(
            _display(inside)
            for inside in _PARENTHESES.findall(title)
            if _ABBREVIATION.fullmatch(inside)
        )
        bare = _display(_PARENTHESES.sub(" ", title))
        out.append(bare)
    for text in dict.fromkeys((title, bare)):
        found = _VERB.match(text)
        if found:
            out.append(_display(found.group(1)))
    return [form for form in dict.fromkeys(out) if form and form != title]


def _display(text: str) -> str:
    """A title as the table shows it: control and format characters dropped, runs of white
    space made one space, no space before punctuation, nothing a spreadsheet would read as
    a formula at the start."""
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf") or c.isspace())
    text = re.sub(r"\s+(?=[,.;:])", "", " ".join(text.split()))
    return text.lstrip("=+-@ ")


class _Evidence:
    """What the harvest says about one normal form: who links it to which products."""

    def __init__(self) -> None:
        self.links: defaultdict[str, set[str]] = defaultdict(set)  # uri -> authorities
        self.common: set[str] | None = None  # the products every record links
        self.spellings: Counter[str] = Counter()
        self.title = False  # some record's whole title has this normal form

    def add(self, authority: str, uris: set[str], spelling: str, *, title: bool) -> None:
        for uri in uris:
            self.links[uri].add(authority)
        self.common = set(uris) if self.common is None else self.common & uris
        self.spellings[spelling] += 1
        self.title = self.title or title

    @property
    def municipalities(self) -> int:
        return len(set().union(*self.links.values()))

    @property
    def spelling(self) -> str:
        return min(self.spellings.items(), key=lambda item: (-item[1], item[0]))[0]


def linked_records(
    path: Path, uris: set[str], counts: Counter[str], municipalities: set[str]
) -> Iterator[tuple[str, str, set[str]]]:
    """The records of the harvest at ``path`` that the derivation uses (PRD-8.1, PRD-8.4).

    One ``(authority URI, title, linked URIs)`` per record of a municipal authority with a
    title of at most :data:`MAX_TITLE` characters and at least one link to a URI of
    ``uris`` once repaired; the title as the tables show it (:func:`_display`). A record
    whose every link is to the placeholder (PRD-2.2), which says that the product has no
    UPL name, is given with no linked URIs: only the own-name table uses it (PRD-8.4).
    ``counts`` receives the counts of the provenance, ``municipalities`` every municipal
    authority.
    """
    with path.open("rb") as stream:
        for authority, scheme, title, written in read_harvest(stream, counts):
            counts["records"] += 1
            if scheme != _MUNICIPAL:
                continue
            counts["municipal_records"] += 1
            municipalities.add(authority)
            linked: set[str] = set()
            placeholder = other = 0
            for text in written:
                counts["links"] += 1
                uri = repair_uri(text)
                if uri != text:
                    counts["links_repaired"] += 1
                uri = canonical_upl_uri(uri) or uri
                if uri == UPL_PLACEHOLDER:
                    counts["links_placeholder"] += 1
                    placeholder += 1
                elif uri not in uris:
                    counts["links_not_in_catalogue"] += 1
                    other += 1
                else:
                    linked.add(uri)
            title = _display(title)
            if len(title) > MAX_TITLE:
                counts["titles_too_long"] += 1
                continue
            if not title:
                continue
            if linked:
                counts["records_linked"] += 1
                yield authority, title, linked
            elif placeholder and not other:
                counts["records_unnamed"] += 1
                yield authority, title, linked


def _md5(path: Path, check_md5: bool) -> str:
    """The md5 of the harvest; with ``check_md5`` it must be :data:`EXPECTED_MD5`."""
    digest = hashlib.md5()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    md5 = digest.hexdigest()
    if check_md5 and md5 != EXPECTED_MD5:
        raise ValueError(
            f"{path.name}: md5 {md5} is not the md5 of the copy the provenance text describes "
            f"({EXPECTED_MD5}); give --source and --harvested for another copy"
        )
    return md5


def build(
    path: Path,
    catalogue: Catalogue,
    *,
    source: str = SOURCE,
    harvested: str = HARVESTED,
    check_md5: bool = True,
) -> dict[str, Any]:
    """Read the harvest at ``path`` and return the synonym document (PRD-8).

    ``catalogue`` supplies the products, names and keys (the reference catalogue); its
    synonyms, if it has any, are not used. With ``check_md5`` the file must be the copy
    that ``source`` and ``harvested`` describe. :func:`derive` returns the own-name
    document as well, from the same reading.
    """
    return derive(path, catalogue, source=source, harvested=harvested, check_md5=check_md5)[0]


def derive(
    path: Path,
    catalogue: Catalogue,
    *,
    authorities: Authorities | None = None,
    source: str = SOURCE,
    harvested: str = HARVESTED,
    check_md5: bool = True,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read the harvest at ``path`` once; return the synonym document (PRD-8) and the
    own-name document (PRD-8.4).

    ``authorities`` maps the records' authorities to CBS codes (SCI-3); by default the
    packaged correspondence, ``digimaat/data/sc_authorities.json``.
    """
    md5 = _md5(path, check_md5)
    uris = {p.uri for p in catalogue}
    taken = {normalise_key(p.name) for p in catalogue}
    taken |= {normalise_key(p.uri.removeprefix(UPL_NAMESPACE)) for p in catalogue}
    if authorities is None:
        authorities = sc_authorities()
        described, authorities_md5 = AUTHORITIES, _packaged_md5(AUTHORITIES_FILE)
    else:
        described, authorities_md5 = "given by the caller", ""
    counts: Counter[str] = Counter()
    municipalities: set[str] = set()
    evidence: defaultdict[str, _Evidence] = defaultdict(_Evidence)
    own: defaultdict[str, defaultdict[str, _OwnEvidence]] = defaultdict(
        lambda: defaultdict(_OwnEvidence)
    )
    for authority, title, linked in linked_records(path, uris, counts, municipalities):
        form = normalise_key(title)
        if linked:
            evidence[form].add(authority, linked, title, title=True)
            for short in short_forms(title):
                evidence[normalise_key(short)].add(authority, linked, short, title=False)
        code = authorities.code(authority)
        if code is None:
            counts["records_without_code" if linked else "unnamed_without_code"] += 1
        else:
            own[code][form].add(linked, title)
    known = {
        "source": source,
        "harvested": harvested,
        "md5": md5,
        "catalogue_md5": catalogue.provenance.md5 if catalogue.provenance is not None else "",
    }
    synonyms = _synonym_document(evidence, taken, counts, municipalities, known)
    names = _own_name_document(own, taken, counts, known, described, authorities_md5)
    return synonyms, names


def _synonym_document(
    evidence: Mapping[str, _Evidence],
    taken: set[str],
    counts: Counter[str],
    municipalities: set[str],
    known: Mapping[str, str],
) -> dict[str, Any]:
    """The synonym table of PRD-8.1 from the evidence of every municipality."""
    synonyms: list[dict[str, Any]] = []
    ambiguous: list[dict[str, Any]] = []
    for form in sorted(evidence):
        found = evidence[form]
        if len(form) < MIN_LENGTH or form in taken:
            continue
        if found.municipalities < MIN_MUNICIPALITIES:
            continue
        ranked = sorted(found.links.items(), key=lambda item: (-len(item[1]), item[0]))
        if found.common is not None and len(found.common) == 1:
            (uri,) = found.common
            synonyms.append(
                {
                    "text": found.spelling,
                    "product": uri.removeprefix(UPL_NAMESPACE),
                    "municipalities": len(found.links[uri]),
                    "kind": "title" if found.title else "short form",
                }
            )
        else:
            ambiguous.append(
                {
                    "text": found.spelling,
                    "candidates": [
                        {"product": uri.removeprefix(UPL_NAMESPACE), "municipalities": len(who)}
                        for uri, who in ranked
                    ],
                }
            )
    return {
        "provenance": {
            "source": known["source"],
            "harvested": known["harvested"],
            "md5": known["md5"],
            "licence": LICENCE,
            "catalogue_md5": known["catalogue_md5"],
            "files": counts["files"],
            "records": counts["records"],
            "municipal_records": counts["municipal_records"],
            "municipalities": len(municipalities),
            "links": counts["links"],
            "links_repaired": counts["links_repaired"],
            "links_placeholder": counts["links_placeholder"],
            "links_not_in_catalogue": counts["links_not_in_catalogue"],
            "records_linked": counts["records_linked"],
            "titles_too_long": counts["titles_too_long"],
            "max_title": MAX_TITLE,
            "min_municipalities": MIN_MUNICIPALITIES,
            "min_length": MIN_LENGTH,
            "request_verbs": list(REQUEST_VERBS),
            "synonyms": len(synonyms),
            "short_forms": sum(s["kind"] == "short form" for s in synonyms),
            "ambiguous": len(ambiguous),
            "script": SCRIPT,
        },
        "synonyms": synonyms,
        "ambiguous": ambiguous,
    }


class _OwnEvidence:
    """What one municipality's records say about one normal form of their titles."""

    def __init__(self) -> None:
        self.records: Counter[str] = Counter()  # uri -> records that link it
        self.spellings: Counter[str] = Counter()  # of the records that link a product
        self.unnamed: Counter[str] = Counter()  # of the records that link the placeholder only

    def add(self, uris: set[str], spelling: str) -> None:
        if uris:
            self.records.update(uris)
            self.spellings[spelling] += 1
        else:
            self.unnamed[spelling] += 1

    @property
    def spelling(self) -> str:
        """The most frequent spelling of the records that decide: those that link a product,
        or, when none does, those that link the placeholder only."""
        spellings = self.spellings or self.unnamed
        return min(spellings.items(), key=lambda item: (-item[1], item[0]))[0]


def _own_name_document(
    own: Mapping[str, Mapping[str, _OwnEvidence]],
    taken: set[str],
    counts: Counter[str],
    known: Mapping[str, str],
    authorities: str,
    authorities_md5: str,
) -> dict[str, Any]:
    """The own-name table of PRD-8.4: per CBS code, every title of the municipality's own
    records with the products they link it to, most linked first; a title that only
    records linking the placeholder give has no products (the municipality says that it
    has no UPL name)."""
    table: dict[str, list[dict[str, Any]]] = {}
    left_out: Counter[str] = Counter()
    for code in sorted(own):
        names: list[dict[str, Any]] = []
        for form in sorted(own[code]):
            if len(form) < MIN_LENGTH:
                left_out["short"] += 1
                continue
            if form in taken:
                left_out["taken"] += 1
                continue
            found = own[code][form]
            ranked = sorted(found.records.items(), key=lambda item: (-item[1], item[0]))
            names.append(
                {
                    "text": found.spelling,
                    "products": [uri.removeprefix(UPL_NAMESPACE) for uri, _ in ranked],
                }
            )
        if names:
            table[code] = names
    return {
        "provenance": {
            "source": known["source"],
            "harvested": known["harvested"],
            "md5": known["md5"],
            "licence": OWN_NAMES_LICENCE,
            "catalogue_md5": known["catalogue_md5"],
            "authorities": authorities,
            "authorities_md5": authorities_md5,
            "records_linked": counts["records_linked"],
            "records_without_code": counts["records_without_code"],
            "records_unnamed": counts["records_unnamed"],
            "unnamed_without_code": counts["unnamed_without_code"],
            "municipalities": len(table),
            "names": sum(len(names) for names in table.values()),
            "ambiguous": sum(len(n["products"]) > 1 for names in table.values() for n in names),
            "unnamed": sum(not n["products"] for names in table.values() for n in names),
            "left_out_short": left_out["short"],
            "left_out_taken": left_out["taken"],
            "max_title": MAX_TITLE,
            "min_length": MIN_LENGTH,
            "script": SCRIPT,
        },
        "municipalities": table,
    }


def _packaged_md5(name: str) -> str:
    """The md5 of a file of the package data."""
    data = resources.files("digimaat.data").joinpath(name).read_bytes()
    return hashlib.md5(data).hexdigest()


def render(document: Mapping[str, Any]) -> str:
    """The document as deterministic JSON: fixed key order, one entry a line, final newline."""
    lines = ["{", f' "provenance": {json.dumps(document["provenance"], ensure_ascii=False)},']
    for name in ("synonyms", "ambiguous"):
        entries = document[name]
        lines.append(f' "{name}": [')
        lines.extend(
            f"  {json.dumps(entry, ensure_ascii=False)}{',' if i < len(entries) - 1 else ''}"
            for i, entry in enumerate(entries)
        )
        lines.append(" ]," if name == "synonyms" else " ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_own_names(document: Mapping[str, Any]) -> bytes:
    """The own-name document as xz-compressed deterministic JSON: the provenance on one
    line, then one line per municipality, final newline; xz preset 9e, CRC64 check."""
    table = document["municipalities"]
    lines = ["{", f' "provenance": {json.dumps(document["provenance"], ensure_ascii=False)},']
    lines.append(' "municipalities": {')
    lines.extend(
        f"  {json.dumps(code)}: {json.dumps(table[code], ensure_ascii=False)}"
        f"{',' if i < len(table) - 1 else ''}"
        for i, code in enumerate(sorted(table))
    )
    lines.extend([" }", "}"])
    text = ("\n".join(lines) + "\n").encode("utf-8")
    return lzma.compress(
        text, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=9 | lzma.PRESET_EXTREME
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    root = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "tarball",
        type=Path,
        nargs="?",
        default=root / "data" / "sc" / "national-2023-10-18.tar.xz",
        help="the harvest (default: data/sc/national-2023-10-18.tar.xz)",
    )
    parser.add_argument(
        "--output",
        "-o",
        type=Path,
        default=root / "src" / "digimaat" / "data" / "synonyms.json",
        help="where to write the JSON (default: the package data file)",
    )
    parser.add_argument(
        "--own-names",
        type=Path,
        help="where to write the own-name table (default: own_names.json.xz beside --output)",
    )
    parser.add_argument("--source", help="provenance text for a copy other than the known one")
    parser.add_argument("--harvested", help="date (YYYY-MM-DD) of a copy other than the known one")
    args = parser.parse_args(argv)
    if (args.source is None) != (args.harvested is None):
        parser.error("--source and --harvested go together")
    own_output = args.own_names or args.output.with_name("own_names.json.xz")
    catalogue = reference_catalogue()
    try:
        if args.source is None:
            document, own = derive(args.tarball, catalogue)
        else:
            document, own = derive(
                args.tarball,
                catalogue,
                source=args.source,
                harvested=args.harvested,
                check_md5=False,
            )
    except (ValueError, OSError, tarfile.TarError, ET.ParseError) as exc:
        print(exc, file=sys.stderr)
        return 1
    args.output.write_text(render(document), encoding="utf-8", newline="\n")
    own_output.write_bytes(render_own_names(own))
    counts = document["provenance"]
    print(
        f"{args.output.name}: {counts['synonyms']} synonyms ({counts['short_forms']} short "
        f"forms) and {counts['ambiguous']} ambiguous names from {counts['records_linked']:,} "
        f"linked records of {counts['municipalities']} municipalities"
    )
    counts = own["provenance"]
    print(
        f"{own_output.name}: {counts['names']:,} own names ({counts['ambiguous']:,} linked to "
        f"several products) of {counts['municipalities']} municipalities"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
