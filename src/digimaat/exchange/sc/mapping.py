"""From published SC fields to observable capabilities (specification chapter SCI).

Three steps, each a clause of SCI:

- :func:`repair_upl` repairs a UPL URI where the intent is unambiguous and names each
  repair (SCI-4); :class:`ProductLists` says whether the repaired URI is a product of the
  catalogue, the placeholder, or unknown (SCI-4.1);
- :func:`application_kind` classifies the application address (SCI-6);
- :func:`evidence_of` turns ``onlineAanvragen`` and the application address into the
  capabilities, authentication and rank of one record (SCI-5 to SCI-7), and
  :func:`pick` chooses, among several records of one municipality for one product, the
  record whose evidence the offering takes (SCI-8).

>>> repair_upl(" https://standaarden.overheid.nl/owms/terms/paspoort")
('http://standaarden.overheid.nl/owms/terms/paspoort', ('whitespace', 'https'))
>>> application_kind("https://www.delft.nl/formulier.PDF?v=2")
<ApplicationKind.PDF: 'pdf'>
>>> e = evidence_of("ja", "https://www.delft.nl/formulier.pdf")
>>> sorted(c.value for c in e.capabilities), e.verified
(['downloadable-form', 'information-online'], True)
"""

from __future__ import annotations

import enum
import json
import urllib.parse
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat.errors import NO_VALUE, InputError, InvalidValueError, Problem
from digimaat.vocabulary.assurance import Authentication, AuthMeans
from digimaat.vocabulary.maturity import Capability, MaturityLevel, level_of
from digimaat.vocabulary.products import UPL_NAMESPACE, Catalogue

__all__ = [
    "PLACEHOLDER",
    "REPAIRS",
    "ApplicationKind",
    "Evidence",
    "ProductLists",
    "application_kind",
    "evidence_of",
    "pick",
    "repair_upl",
]

PLACEHOLDER: Final = UPL_NAMESPACE + "UPL-naam_nog_niet_beschikbaar"
""""UPL name not yet available": names no product (SCI-4.1, PRD-2.2)."""
REPAIRS: Final = ("whitespace", "hhttp", "https", "doubled-prefix")
"""The repairs of SCI-4, in the order they are made."""
UNKNOWN_KINDS: Final = ("placeholder", "not-in-catalogue", "not-on-list")
"""Why a UPL URI of a record gives no offering (SCI-4.1)."""
_HTTPS_NAMESPACE: Final = "https://" + UPL_NAMESPACE.removeprefix("http://")
_DOCUMENTS: Final = (".pdf", ".doc", ".docx")
_MAX_LIST_BYTES: Final = 64 * 1024 * 1024


def repair_upl(published: str) -> tuple[str, tuple[str, ...]]:
    """The UPL URI a published value means, and the repairs made (SCI-4).

    Repairs are made only where the intent is unambiguous: surrounding white space is
    removed (``whitespace``); a doubled scheme letter ``hhttp://`` or ``hhttps://`` loses
    its first letter (``hhttp``); the UPL namespace written with ``https://`` is written
    with ``http://`` (``https``); the namespace written twice or more in a row is written
    once (``doubled-prefix``). Anything else is left as it is.

    >>> repair_upl("http://standaarden.overheid.nl/owms/terms/"
    ...            "http://standaarden.overheid.nl/owms/terms/omgevingsvergunning")
    ('http://standaarden.overheid.nl/owms/terms/omgevingsvergunning', ('doubled-prefix',))
    """
    repairs: list[str] = []
    uri = published.strip()
    if uri != published:
        repairs.append("whitespace")
    if uri.lower().startswith(("hhttp://", "hhttps://")):
        uri = uri[1:]
        repairs.append("hhttp")
    if uri.startswith(_HTTPS_NAMESPACE):
        uri = UPL_NAMESPACE + uri.removeprefix(_HTTPS_NAMESPACE)
        repairs.append("https")
    doubled = False
    while True:
        rest = uri.removeprefix(UPL_NAMESPACE)
        if rest.startswith((UPL_NAMESPACE, _HTTPS_NAMESPACE)):
            uri = UPL_NAMESPACE + rest.split("/owms/terms/", 1)[1]
            doubled = True
        else:
            break
    if doubled:
        repairs.append("doubled-prefix")
    return uri, tuple(repairs)


@attrs.frozen(eq=False)
@shared_repr
class ProductLists:
    """What a repaired UPL URI is: a product of the catalogue, or unknown and why (SCI-4.1).

    ``listed`` holds the URIs of UPL lists given to the import (for example the list of the
    harvest's date); without them every URI outside the catalogue is ``not-in-catalogue``.
    """

    catalogue: Catalogue
    listed: frozenset[str] = frozenset()
    _products: frozenset[str] = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        products = frozenset(p.uri for p in self.catalogue if p.reference and not p.placeholder)
        object.__setattr__(self, "_products", products)

    def kind(self, uri: str) -> str | None:
        """``None`` for a product of the catalogue, else one of :data:`UNKNOWN_KINDS`."""
        if uri == PLACEHOLDER:
            return "placeholder"
        if uri in self._products:
            return None
        if self.listed and uri not in self.listed:
            return "not-on-list"
        return "not-in-catalogue"

    @classmethod
    def read(cls, catalogue: Catalogue, paths: Sequence[Path]) -> ProductLists:
        """Read UPL lists: SPARQL JSON (``UPL-actueel.json``) or CSV with a ``URI`` column."""
        listed: set[str] = set()
        problems: list[Problem] = []
        for path in paths:
            try:
                listed |= _upl_list(path)
            except (OSError, ValueError) as exc:
                problems.append(Problem("upl_list", NO_VALUE, f"cannot be read: {exc}", path.name))
        if problems:
            raise InputError(problems)
        return cls(catalogue, frozenset(listed))


def _upl_list(path: Path) -> set[str]:
    """The URIs of one UPL list file (each stripped of surrounding white space)."""
    with path.open("rb") as file:
        data = file.read(_MAX_LIST_BYTES + 1)
    if len(data) > _MAX_LIST_BYTES:
        raise ValueError(f"is larger than {_MAX_LIST_BYTES:,} bytes")
    text = data.decode("utf-8-sig")
    if text.lstrip().startswith("{"):
        document = json.loads(text)
        bindings = (
            document.get("results", {}).get("bindings") if isinstance(document, dict) else None
        )
        if not isinstance(bindings, list):
            raise ValueError("a JSON list must be SPARQL results with results.bindings")
        uris = {b.get("URI", {}).get("value") for b in bindings if isinstance(b, dict)}
        return {u.strip() for u in uris if isinstance(u, str) and u.strip()}
    import csv
    import io

    rows = csv.DictReader(io.StringIO(text, newline=""))
    if rows.fieldnames is None or "URI" not in rows.fieldnames:
        raise ValueError("a CSV list must have a URI column")
    return {row["URI"].strip() for row in rows if (row.get("URI") or "").strip()}


class ApplicationKind(enum.Enum):
    """What an application address (``aanvraagURL``) is (SCI-6)."""

    WEB = "web"
    """An ``http://`` or ``https://`` address of a web page or form."""
    PDF = "pdf"
    """A ``.pdf`` document: a form to download."""
    DOC = "doc"
    """A ``.doc`` or ``.docx`` document: a form to download."""
    EMAIL = "email"
    """A ``mailto:`` address: the request is sent by e-mail."""
    OTHER = "other"
    """Anything else: ``tel:``, a bare number, a relative path, free text, DigiD's own site."""
    NONE = "none"
    """No address at all."""


def application_kind(published: str | None) -> ApplicationKind:
    """Classify a published ``aanvraagURL`` (SCI-6); surrounding white space is ignored.

    >>> [application_kind(v).value for v in (None, " ", "mailto: info@x.nl", "76319",
    ...     "https://www.digid.nl", "https://x.nl/aanvraag", "/form.docx")]
    ['none', 'none', 'email', 'other', 'other', 'web', 'doc']
    """
    value = (published or "").strip()
    if not value:
        return ApplicationKind.NONE
    lower = value.lower()
    if lower.startswith("mailto:"):
        return ApplicationKind.EMAIL
    path = lower.split("#", 1)[0].split("?", 1)[0]
    if path.endswith(_DOCUMENTS):
        return ApplicationKind.PDF if path.endswith(".pdf") else ApplicationKind.DOC
    if lower.startswith(("http://", "https://")):
        host = (urllib.parse.urlsplit(lower).hostname or "").removeprefix("www.")
        if host == "digid.nl":
            return ApplicationKind.OTHER  # DigiD's own site is not an application
        return ApplicationKind.WEB
    return ApplicationKind.OTHER


@attrs.frozen
@shared_repr
@shared_eq
class Evidence:
    """What one record shows about its products (SCI-5 to SCI-7)."""

    capabilities: frozenset[Capability]
    authentication: Authentication | None
    verified: bool
    """Whether the record's address bears its claim out: a web address for a claim of
    online submission, a document for a form; always true for ``nee`` (nothing claimed)."""
    rank: int
    """The evidence class of SCI-8, 1 (weakest) to 6 (strongest)."""

    @property
    def level(self) -> MaturityLevel:
        """The maturity level of these capabilities (MAT-3; no fee waiver is known)."""
        return level_of(self.capabilities)


_INFORMATION = frozenset({Capability.INFORMATION_ONLINE})
_FORM = _INFORMATION | {Capability.DOWNLOADABLE_FORM}
_SUBMISSION = _INFORMATION | {Capability.ONLINE_SUBMISSION}
_DIGID_SUBMISSION = _SUBMISSION | {Capability.REMOTE_IDENTIFICATION}
_DIGID_UNKNOWN_LEVEL = Authentication(AuthMeans.DIGID, None)


def evidence_of(online: str, application: str | None) -> Evidence:
    """The evidence of one record's ``onlineAanvragen`` and ``aanvraagURL`` (SCI-5 to SCI-8).

    >>> e = evidence_of("digid", None)
    >>> e.level.label, e.authentication.name, e.verified, e.rank
    ('online-submission', 'digid', False, 5)
    """
    kind = application_kind(application)
    if kind in (ApplicationKind.PDF, ApplicationKind.DOC):
        return Evidence(_FORM, None, verified=True, rank=2)  # whatever the flag (SCI-6)
    if online == "nee" or kind is ApplicationKind.EMAIL:
        return Evidence(_INFORMATION, None, verified=online == "nee", rank=1)
    verified = kind is ApplicationKind.WEB
    if online == "digid":
        return Evidence(_DIGID_SUBMISSION, _DIGID_UNKNOWN_LEVEL, verified, 6 if verified else 5)
    return Evidence(_SUBMISSION, None, verified, 4 if verified else 3)


def pick(candidates: Iterable[tuple[Evidence, str]]) -> tuple[Evidence, str]:
    """The ``(evidence, identifier)`` an offering takes from its records (SCI-8).

    The highest rank wins; among equals, the smallest identifier in code point order.

    >>> a, b = evidence_of("ja", None), evidence_of("ja", "https://x.nl/form")
    >>> pick([(a, "https://x.nl/1"), (b, "https://x.nl/2")])[1]
    'https://x.nl/2'
    """
    best: tuple[Evidence, str] | None = None
    for evidence, identifier in candidates:
        if (
            best is None
            or evidence.rank > best[0].rank
            or (evidence.rank == best[0].rank and identifier < best[1])
        ):
            best = (evidence, identifier)
    if best is None:
        raise InvalidValueError("candidates", [], "pick needs at least one record")
    return best


guard(__name__)
