"""Reading Samenwerkende Catalogi records from XML, safely and as a stream (SCI-1, SCI-2).

Two kinds of document hold SC 4.0 product descriptions: a response of the SRU zoekdienst
(root ``srw:searchRetrieveResponse``, one ``srw:record`` per product) and an SC 4.0 feed
(root ``overheidproduct:scproducten``, one ``overheidproduct:scproduct`` per product).
:func:`read_records` reads either from a binary stream and yields one :class:`ScRecord`
per product, holding only the fields the import uses; each product's elements are
cleared as soon as it is read, so memory does not grow with the document.

The XML is untrusted. It is parsed by :mod:`defusedxml` over the standard library's
expat parser: a document type declaration is refused outright (so no entity is ever
expanded and no external entity or DTD is ever fetched), and expat itself opens no
network connection.

>>> import io
>>> feed = b'''<overheidproduct:scproducten
...   xmlns:overheidproduct="http://standaarden.overheid.nl/product/terms/"
...   xmlns:dcterms="http://purl.org/dc/terms/"
...   xmlns:overheid="http://standaarden.overheid.nl/owms/terms/">
... <overheidproduct:scproduct owms-version="4.0"><overheidproduct:meta>
...  <overheidproduct:owmskern>
...   <dcterms:identifier>https://www.example.nl/paspoort</dcterms:identifier>
...   <overheid:authority scheme="overheid:Gemeente"
...     resourceIdentifier="http://standaarden.overheid.nl/owms/terms/Delft_(gemeente)"
...     >Delft</overheid:authority>
...  </overheidproduct:owmskern>
...  <overheidproduct:scmeta>
...   <overheidproduct:onlineAanvragen>digid</overheidproduct:onlineAanvragen>
...   <overheidproduct:uniformeProductnaam
...     resourceIdentifier="http://standaarden.overheid.nl/owms/terms/paspoort"/>
...  </overheidproduct:scmeta>
... </overheidproduct:meta></overheidproduct:scproduct>
... </overheidproduct:scproducten>'''
>>> record, = read_records(io.BytesIO(feed), "feed.xml")
>>> record.identifier, record.online, record.application, record.upl
('https://www.example.nl/paspoort', 'digid', None, ('http://standaarden.overheid.nl/owms/terms/paspoort',))
>>> list(read_records(io.BytesIO(b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'), "bomb.xml"))
Traceback (most recent call last):
...
digimaat.exchange.sc.records.ScFileError: bomb.xml:line 1: document: has a document type
declaration (DTD), which is refused: no entity is expanded and nothing is fetched
"""

from __future__ import annotations

import datetime
import lzma
import re
import tarfile
import zlib
from collections.abc import Iterator
from typing import IO, Any, Final
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

import attrs
from defusedxml import DefusedXmlException, DTDForbidden
from defusedxml import ElementTree as SafeXml

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat.errors import NO_VALUE, DigimaatError, Problem
from digimaat.exchange.sc._inputs import LimitExceededError

__all__ = ["MAX_HELD_ELEMENTS", "ONLINE_VALUES", "ScFileError", "ScRecord", "read_records"]

SRW: Final = "{http://www.loc.gov/zing/srw/}"
GZD: Final = "{http://standaarden.overheid.nl/sru}"
OP: Final = "{http://standaarden.overheid.nl/product/terms/}"
DC: Final = "{http://purl.org/dc/terms/}"
OW: Final = "{http://standaarden.overheid.nl/owms/terms/}"
DTF: Final = "{http://standaarden.overheid.nl/sru/dtf}"
ONLINE_VALUES: Final = ("nee", "ja", "digid")
"""The values of ``overheidproduct:onlineAanvragen`` (SC 4.0), in the order of SCI-5."""

MAX_HELD_ELEMENTS: Final = 100_000
"""Elements a document may open before a record is read and cleared (a real record has
about 60): bounds the memory of a crafted record of many or deeply nested elements."""
_SRU_ROOT: Final = SRW + "searchRetrieveResponse"
_FEED_ROOT: Final = OP + "scproducten"
_DATE = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})(?:$|T)", re.ASCII)
_PATH_KERN = f"{OP}meta/{OP}owmskern/"
_PATH_META = f"{OP}meta/{OP}scmeta/"
_PRODUCT_IN_RECORD = f"{SRW}recordData/{GZD}gzd/{GZD}originalData/{OP}scproduct"


class ScFileError(DigimaatError):
    """A document that cannot be read at all: nothing of it is imported (SCI-2)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@attrs.frozen(slots=True)
@shared_repr
@shared_eq
class ScRecord:
    """One SC product description, reduced to what the import uses (SCI-2).

    Texts are as published with surrounding white space removed, except the UPL URIs,
    which are kept exactly as published so that their repairs can be counted (SCI-4).
    """

    source: str
    """The document it was read from (``national.tar.xz:per-gemeente/Delft.xml``)."""
    position: str
    """Where in the document: ``record 27`` (SRU ``recordPosition``) or ``product 3``."""
    identifier: str
    """``dcterms:identifier``: the product page's address; with the authority, its key."""
    authority: str
    """``overheid:authority/@resourceIdentifier``: the OWMS URI of the publisher."""
    scheme: str
    """``overheid:authority/@scheme``, e.g. ``overheid:Gemeente``."""
    label: str
    """``overheid:authority`` text, e.g. ``Maassluis``."""
    online: str
    """``overheidproduct:onlineAanvragen``: ``nee``, ``ja`` or ``digid``."""
    application: str | None
    """``overheidproduct:aanvraagURL/@resourceIdentifier`` as published; ``None`` if absent."""
    upl: tuple[str, ...]
    """Every ``overheidproduct:uniformeProductnaam/@resourceIdentifier``, as published."""
    modified: str | None
    """``dcterms:modified`` (``YYYY-MM-DD``), or ``None``."""
    retrieved: datetime.date | None
    """The date of the SRU response (``dtf:timestamp``); ``None`` in a feed."""


def _text(element: Element | None) -> str | None:
    if element is None:
        return None
    text = "".join(element.itertext()).strip()
    return text or None


def _record(product: Element, source: str, position: str, retrieved: Any) -> ScRecord | Problem:
    """The record of one ``overheidproduct:scproduct``, or the problem that stops it."""

    def problem(field: str, value: Any, message: str) -> Problem:
        return Problem(field, value, message, source, position)

    identifier = _text(product.find(_PATH_KERN + DC + "identifier"))
    if identifier is None:
        return problem("dcterms:identifier", NO_VALUE, "is missing or empty; the record has no key")
    authority = product.find(_PATH_KERN + OW + "authority")
    uri = None if authority is None else (authority.get("resourceIdentifier") or "").strip()
    if authority is None or not uri:
        return problem("overheid:authority", NO_VALUE, "has no resourceIdentifier (OWMS URI)")
    raw_online = _text(product.find(_PATH_META + OP + "onlineAanvragen"))
    online = None if raw_online is None else raw_online.lower()
    if online not in ONLINE_VALUES:
        return problem(
            "overheidproduct:onlineAanvragen",
            raw_online if raw_online is not None else NO_VALUE,
            "must be nee, ja or digid",
        )
    url = product.find(_PATH_META + OP + "aanvraagURL")
    application = None
    if url is not None:
        application = url.get("resourceIdentifier")
        if application is None:
            application = _text(url)
    upl = tuple(
        element.get("resourceIdentifier") or ""
        for element in product.iterfind(_PATH_META + OP + "uniformeProductnaam")
    )
    return ScRecord(
        source=source,
        position=position,
        identifier=identifier,
        authority=uri,
        scheme=(authority.get("scheme") or "").strip(),
        label=_text(authority) or "",
        online=online,
        application=application,
        upl=upl,
        modified=_text(product.find(_PATH_KERN + DC + "modified")),
        retrieved=retrieved,
    )


def _retrieved(record: Element) -> datetime.date | None:
    """The date of an SRU record's ``dtf:timestamp`` (the response time), if readable."""
    stamp = _text(record.find(f"{SRW}extraRecordData/{DTF}timestamp"))
    match = _DATE.match(stamp or "")
    if match is None:
        return None
    try:
        return datetime.date.fromisoformat(match.group(1))
    except ValueError:
        return None


def read_records(stream: IO[bytes], source: str) -> Iterator[ScRecord | Problem]:
    """The records of one SRU response or SC 4.0 feed, as they are read (SCI-1, SCI-2).

    A record that cannot be used (no identifier, no authority, an ``onlineAanvragen``
    that is not ``nee``, ``ja`` or ``digid``) is yielded as a
    :class:`~digimaat.errors.Problem` naming the document, the record, the field and the
    value. A document that cannot be read at all (not well-formed, a DTD, another root
    element, a stream that cannot be decompressed or is over its size limit) raises
    :class:`ScFileError` with the line where the parser stopped; the caller then keeps
    nothing of it.
    """
    position = 0
    xml_parser = SafeXml.DefusedXMLParser(
        target=TreeBuilder(), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    parser = SafeXml.iterparse(stream, events=("start", "end"), parser=xml_parser)
    container: Element | None = None
    root = ""
    declared: int | None = None
    held = 0
    try:
        for event, element in parser:
            tag = element.tag
            if event == "start":
                held += 1
                if held > MAX_HELD_ELEMENTS:
                    raise ScFileError(
                        Problem(
                            "document",
                            NO_VALUE,
                            f"opens more than {MAX_HELD_ELEMENTS:,} elements before a record "
                            "ends; no SC record is that large",
                            source,
                            _line(xml_parser),
                        )
                    )
            if not root:
                root = tag
                if tag not in (_SRU_ROOT, _FEED_ROOT):
                    raise ScFileError(
                        Problem(
                            "document",
                            tag,
                            "is neither an SRU response (srw:searchRetrieveResponse) nor an "
                            "SC 4.0 feed (overheidproduct:scproducten)",
                            source,
                            "line 1",
                        )
                    )
                if tag == _FEED_ROOT:
                    container = element
                continue
            if event == "start":
                if tag == SRW + "records":
                    container = element
                continue
            if root == _SRU_ROOT and tag == SRW + "record":
                position += 1
                number = _text(element.find(SRW + "recordPosition")) or str(position)
                where = f"record {number}"
                product = element.find(_PRODUCT_IN_RECORD)
                if product is None:
                    yield Problem(
                        "record", NO_VALUE, "holds no overheidproduct:scproduct", source, where
                    )
                else:
                    yield _record(product, source, where, _retrieved(element))
                if container is not None:
                    container.clear()
                held = 0
            elif root == _FEED_ROOT and tag == OP + "scproduct":
                position += 1
                yield _record(element, source, f"product {position}", None)
                if container is not None:
                    container.clear()
                held = 0
            elif tag == SRW + "numberOfRecords":
                declared = _count(element.text)
    except ParseError as exc:
        line, column = exc.position
        raise ScFileError(
            Problem(
                "document",
                NO_VALUE,
                f"is not well-formed XML: {_reason(exc)}",
                source,
                f"line {line} column {column + 1}",
            )
        ) from None
    except DTDForbidden:
        raise ScFileError(
            Problem(
                "document",
                NO_VALUE,
                "has a document type declaration (DTD), which is refused: no entity is "
                "expanded and nothing is fetched",
                source,
                _line(xml_parser),
            )
        ) from None
    except DefusedXmlException as exc:  # entities or external references (no DTD: defensive)
        raise ScFileError(
            Problem("document", NO_VALUE, f"is refused: {exc}", source, _line(xml_parser))
        ) from None
    except LimitExceededError as exc:
        raise ScFileError(
            Problem("document", NO_VALUE, f"decompresses to more than {exc.limit:,} bytes", source)
        ) from None
    except (OSError, EOFError, lzma.LZMAError, zlib.error, tarfile.TarError) as exc:
        raise ScFileError(
            Problem("document", NO_VALUE, f"cannot be read to its end: {exc}", source)
        ) from None
    if root == _SRU_ROOT and declared is not None and declared > position:
        yield Problem(
            "numberOfRecords",
            declared,
            f"is more than the {position} records this response holds: the response is one "
            "page of a larger result; the other pages are not in it",
            source,
        )


def _count(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None


def _reason(exc: ParseError) -> str:
    """Expat's message without its own ``line .., column ..`` suffix."""
    return re.sub(r":\s*line \d+, column \d+$", "", str(exc))


def _line(xml_parser: Any) -> str | None:
    """The line the expat parser under ``xml_parser`` has reached."""
    line = getattr(getattr(xml_parser, "parser", None), "CurrentLineNumber", None)
    return f"line {line}" if isinstance(line, int) else None


guard(__name__)
