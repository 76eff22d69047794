"""SCI-1, SCI-1.1, SCI-2: the inputs of an import, and hostile documents.

Every hostile document must give a problem naming the document, never a crash, a hang or
a network connection, and must not stop the other documents from being imported.
"""

from __future__ import annotations

import gzip
import io
import lzma
import tarfile
from pathlib import Path

import pytest

from digimaat.exchange.sc import Limits, ScFileError, import_sc, read_records
from tests.exchange.sc.conftest import TARBALL

MAASSLUIS_RECORDS = 113  # SOURCE.md, "Files here"


def test_plain_gz_xz_directory_and_tar_give_the_same_import(raw: Path, tmp_path: Path) -> None:
    """SCI-1: An importer MUST read [SRU responses] as files, compressed with gzip or xz, as
    the members of a tar archive (itself possibly compressed), and as the files of a
    directory; compression and archives MUST be recognised by their content."""
    data = (raw / "Maassluis.xml").read_bytes()
    (tmp_path / "plain.xml").write_bytes(data)
    (tmp_path / "packed.gz").write_bytes(gzip.compress(data))
    (tmp_path / "packed.xz").write_bytes(lzma.compress(data))
    (tmp_path / "misnamed.bin").write_bytes(lzma.compress(data))  # content decides, not name
    with tarfile.open(tmp_path / "archive.tar.xz", "w:xz") as archive:
        archive.add(raw / "Maassluis.xml", arcname="inner/Maassluis.xml")
    folder = tmp_path / "folder"
    (folder / "deeper").mkdir(parents=True)
    (folder / "deeper" / "Maassluis.xml.gz").write_bytes(gzip.compress(data))
    (folder / "notes.txt").write_text("not read")
    results = {
        name: import_sc([tmp_path / name])
        for name in ("plain.xml", "packed.gz", "packed.xz", "misnamed.bin", "archive.tar.xz")
    }
    results["folder"] = import_sc([folder])
    offerings = {name: r.submission.offerings for name, r in results.items()}
    first = offerings["plain.xml"]
    for name, found in offerings.items():
        assert [(o.municipality, o.product, o.capabilities) for o in found] == [
            (o.municipality, o.product, o.capabilities) for o in first
        ], name
        assert results[name].summary.national.records == MAASSLUIS_RECORDS, name
        assert results[name].problems == (), name
    assert results["folder"].skipped == ("folder/notes.txt",)
    sources = {o.provenance.source for o in results["archive.tar.xz"].submission.offerings}
    assert sources == {"archive.tar.xz:inner/Maassluis.xml"}
    sources = {o.provenance.source for o in results["folder"].submission.offerings}
    assert sources == {"folder/deeper/Maassluis.xml.gz"}


def test_document_names_hold_no_more_of_the_path_than_given(raw: Path) -> None:
    """SCI-1: a name never holds more of the path than was given."""
    result = import_sc([raw / "Delft.xml"])
    assert {o.provenance.source for o in result.submission.offerings} == {"Delft.xml"}
    assert all(str(raw) not in o.provenance.source for o in result.submission.offerings)


def test_the_national_tarball_is_read_as_a_stream(national: object) -> None:
    """SCI-1: the 609 responses of the tarball are 609 documents (SOURCE.md)."""
    from digimaat.exchange.sc import ScImport

    assert isinstance(national, ScImport)
    assert national.summary.documents == 609
    assert national.problems == ()


# -- hostile documents (SCI-1.1, SCI-2) ------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<searchRetrieveResponse xmlns="http://www.loc.gov/zing/srw/">&lol3;</searchRetrieveResponse>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE searchRetrieveResponse SYSTEM "http://127.0.0.1:9/evil.dtd">
<searchRetrieveResponse xmlns="http://www.loc.gov/zing/srw/"/>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<searchRetrieveResponse xmlns="http://www.loc.gov/zing/srw/">&x;</searchRetrieveResponse>"""
UNCLOSED = b"<searchRetrieveResponse xmlns='http://www.loc.gov/zing/srw/'><records>"
WRONG_NAMESPACE = b"""<searchRetrieveResponse xmlns="http://example.org/not-srw">
<numberOfRecords>0</numberOfRecords></searchRetrieveResponse>"""


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(
    ("content", "location", "message"),
    [
        (BILLION_LAUGHS, "line 2", "document type declaration"),
        (EXTERNAL_DTD, "line 2", "document type declaration"),
        (EXTERNAL_ENTITY, "line 2", "document type declaration"),
        (WRONG_NAMESPACE, "line 1", "neither an SRU response"),
        (UNCLOSED, "line 1", "not well-formed"),
        (b"", "line 1", "not well-formed"),
        (b"\x00\x01binary", "line 1", "not well-formed"),
    ],
    ids=["entity-expansion", "external-dtd", "external-entity", "wrong-namespace",
         "unclosed", "empty", "binary"],
)  # fmt: skip
def test_hostile_documents_are_problems_and_the_others_still_import(
    raw: Path, tmp_path: Path, content: bytes, location: str, message: str
) -> None:
    """SCI-1.1: An importer MUST refuse a document that declares a document type (DTD), so
    that no entity is ever expanded and nothing is ever fetched; it MUST NOT open any
    network connection. SCI-2: An importer MUST import every document it can read and
    report each one it cannot, with a problem that names the document and the line."""
    (tmp_path / "hostile.xml").write_bytes(content)
    result = import_sc([tmp_path / "hostile.xml", raw / "Maassluis.xml"])
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.source == "hostile.xml"
    assert problem.location is not None
    assert problem.location.startswith(location)
    assert message in problem.message
    assert result.summary.national.records == MAASSLUIS_RECORDS


def test_a_truncated_file_is_a_problem_naming_its_line(raw: Path, tmp_path: Path) -> None:
    """SCI-2: a document that is not well-formed XML ... Nothing of such a document is
    imported; the other documents are."""
    data = (raw / "Delft.xml").read_bytes()
    cut = data[: len(data) // 2]
    (tmp_path / "Delft.xml").write_bytes(cut)
    result = import_sc([tmp_path / "Delft.xml", raw / "Mook-en-Middelaar.xml"])
    (problem,) = result.problems
    assert (problem.source, problem.field) == ("Delft.xml", "document")
    assert problem.location is not None
    line = cut.count(b"\n") + 1
    assert problem.location.startswith(f"line {line} column ")
    assert [m.cbs_code for m in result.submission.municipalities] == [
        "GM0944"
    ]  # Mook en Middelaar (CBS)
    assert result.summary.national.records == 1


def test_a_truncated_compressed_stream_is_a_problem(raw: Path, tmp_path: Path) -> None:
    """SCI-2: a document that cannot be decompressed or read to its end is reported."""
    packed = lzma.compress((raw / "Delft.xml").read_bytes())
    (tmp_path / "Delft.xml.xz").write_bytes(packed[: len(packed) // 2])
    result = import_sc([tmp_path / "Delft.xml.xz", raw / "Mook-en-Middelaar.xml"])
    assert [p.source for p in result.problems] == ["Delft.xml.xz"]
    assert result.summary.national.records == 1


def test_a_compression_bomb_stops_at_the_limit(raw: Path, tmp_path: Path) -> None:
    """SCI-1.1: It MUST limit the bytes that decompression may produce, per document and
    per path given, and refuse a document or archive over a limit with a problem."""
    root = b'<searchRetrieveResponse xmlns="http://www.loc.gov/zing/srw/">'
    bomb = gzip.compress(root + b" " * (8 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 64 * 1024
    (tmp_path / "bomb.gz").write_bytes(bomb)
    with tarfile.open(tmp_path / "bombs.tar", "w") as archive:
        for k in range(3):
            info = tarfile.TarInfo(f"bomb{k}.xml")
            info.size = 2 * 1024 * 1024
            archive.addfile(info, io.BytesIO(b" " * info.size))
    limits = Limits(document=1024 * 1024, archive=5 * 1024 * 1024)
    result = import_sc(
        [tmp_path / "bomb.gz", tmp_path / "bombs.tar", raw / "Mook-en-Middelaar.xml"],
        limits=limits,
    )
    messages = {(p.source, p.message) for p in result.problems}
    assert ("bomb.gz", "decompresses to more than 1,048,576 bytes") in messages
    assert any(s.startswith("bombs.tar:bomb") for s, _ in messages)  # each over 1 MiB
    assert result.summary.national.records == 1


def test_an_archive_over_its_limit_is_refused(tmp_path: Path) -> None:
    """SCI-1.1: ... per path given ... refuse a document or archive over a limit."""
    with tarfile.open(tmp_path / "many.tar.gz", "w:gz") as archive:
        for k in range(4):
            info = tarfile.TarInfo(f"x{k}.xml")
            data = b"<a>" + b" " * 300_000 + b"</a>"
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    from digimaat.errors import InputError

    with pytest.raises(InputError) as info:
        import_sc([tmp_path / "many.tar.gz"], limits=Limits(document=400_000, archive=700_000))
    messages = [p.message for p in info.value.problems]
    assert any("more than 700,000 bytes" in m for m in messages)


def test_a_document_is_read_without_holding_its_records(raw: Path) -> None:
    """SCI-1.1: It SHOULD read a document as a stream ... so that memory does not grow with
    the size of a document. Records are yielded while the document is still being read."""
    stream = (raw / "Groningen.xml").open("rb")
    with stream:
        records = read_records(stream, "Groningen.xml")
        next(records)
        assert stream.tell() < (raw / "Groningen.xml").stat().st_size // 2


def test_a_file_error_names_file_and_line() -> None:
    """SCI-2: the problem names the document and, where the parser stopped, the line."""
    text = b"<scproducten xmlns='http://standaarden.overheid.nl/product/terms/'>\n\n<a></b>"
    with pytest.raises(ScFileError) as info:
        list(read_records(io.BytesIO(text), "feed.xml"))
    assert info.value.problem.location == "line 3 column 6"  # at the "b" of "</b>"
    assert str(TARBALL.name) == "national-2023-10-18.tar.xz"


def test_a_record_of_too_many_elements_is_refused(raw: Path, tmp_path: Path) -> None:
    """SCI-1.1: [an importer] MUST bound what one record may hold: a document that opens more
    than 100,000 elements before a record ends is refused (deep nesting as well)."""
    from digimaat.exchange.sc.records import MAX_HELD_ELEMENTS

    head = b'<searchRetrieveResponse xmlns="http://www.loc.gov/zing/srw/"><records><record>'
    wide = (
        head + b"<a/>" * (MAX_HELD_ELEMENTS + 1) + b"</record></records></searchRetrieveResponse>"
    )
    deep = head + b"<a>" * (MAX_HELD_ELEMENTS + 1)
    (tmp_path / "wide.xml").write_bytes(wide)
    (tmp_path / "deep.xml.gz").write_bytes(gzip.compress(deep))
    result = import_sc([tmp_path / "wide.xml", tmp_path / "deep.xml.gz", raw / "Delft.xml"])
    assert [p.source for p in result.problems] == ["wide.xml", "deep.xml.gz"]
    assert all("100,000 elements" in p.message for p in result.problems)
    assert result.summary.national.records == 261  # Delft (SOURCE.md)
