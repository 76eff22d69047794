"""The command ``digimaat import sc``: a thin wrapper over ``import_sc`` (SCI-10)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from digimaat.cli import main
from digimaat.exchange import load as load_json
from digimaat.exchange.sc import import_sc


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_import_writes_the_document_and_the_summary(raw: Path, tmp_path: Path) -> None:
    """SCI-10: the offerings document that score reads, the summary as JSON, and the table
    of the same summary on standard output; the result is that of the Python API."""
    mvs = [str(raw / f"{name}.xml") for name in ("Maassluis", "Vlaardingen", "Schiedam")]
    output, summary = tmp_path / "mvs.json", tmp_path / "summary.json"
    code, out, err = run("import", "sc", *mvs, "-o", str(output), "--summary", str(summary))
    assert (code, err) == (0, "")
    api = import_sc(mvs)
    assert load_json(output) == api.submission
    written = json.loads(summary.read_text(encoding="utf-8"))
    assert (written["format"], written["kind"]) == ("digimaat-output", "sc-summary")
    assert written["municipalities"] == api.summary.to_dict()["municipalities"]
    for row in api.summary.as_table().rows:  # the summary's rows, as the renderer writes them
        assert f"{row[2]:,}" in out
        assert f"{row[12]:,}" in out
    assert out.startswith("code   municipality")
    assert "3\nmunicipalities, 144 offerings" in out or "3 municipalities, 144" in out
    assert max(len(line) for line in out.splitlines() if str(tmp_path) not in line) <= 80
    code, out, _ = run("score", str(output), "--profile", "sc-online")
    assert code == 0
    assert "GM0556" in out


def test_documents_left_out_exit_1_and_are_listed(raw: Path, tmp_path: Path) -> None:
    """SCI-2: a document that cannot be read is reported, the others are imported; the
    command exits 1 (findings) after writing what it could import."""
    (tmp_path / "broken.xml").write_bytes(b"<searchRetrieveResponse")
    output = tmp_path / "out.json"
    code, out, _ = run("import", "sc", str(tmp_path / "broken.xml"), str(raw / "Delft.xml"),
                       "-o", str(output))  # fmt: skip
    assert code == 1
    assert "broken.xml:line 1 column" in out
    assert [m.cbs_code for m in load_json(output).municipalities] == ["GM0503"]


def test_nothing_to_import_exits_2_without_output(tmp_path: Path) -> None:
    """No municipality at all: an input error, exit 2, nothing written."""
    (tmp_path / "empty.xml").write_bytes(b"<searchRetrieveResponse")
    output = tmp_path / "out.json"
    code, out, err = run("import", "sc", str(tmp_path / "empty.xml"), "-o", str(output))
    assert code == 2
    assert out == ""
    assert "empty.xml" in err
    assert not output.exists()


def test_import_needs_an_output(raw: Path) -> None:
    code, _, _ = run("import", "sc", str(raw / "Delft.xml"))
    assert code == 2


def test_the_summary_as_a_workbook(raw: Path, tmp_path: Path) -> None:
    """``--summary FILE.xlsx`` writes the summary table as a sheet, counts as numbers, and
    the legend and the files read on the sheet about it."""
    openpyxl = pytest.importorskip("openpyxl")
    mvs = [str(raw / f"{name}.xml") for name in ("Maassluis", "Vlaardingen", "Schiedam")]
    output, summary = tmp_path / "mvs.json", tmp_path / "summary.xlsx"
    code, _, err = run("import", "sc", *mvs, "-o", str(output), "--summary", str(summary))
    assert (code, err) == (0, "")
    book = openpyxl.load_workbook(summary)
    assert book.sheetnames == ["summary", "about"]
    rows = [tuple(r) for r in book["summary"].iter_rows(values_only=True)]
    table = import_sc(mvs).summary.as_table()
    assert rows[0] == tuple(c.key for c in table.columns)
    assert rows[1:] == [tuple(v if v != "" else None for v in row) for row in table.rows]
    about = [tuple(r) for r in book["about"].iter_rows(values_only=True)]
    assert ("sources 1 file", mvs[0]) in about
    assert any(str(value).startswith("recs: records;") for _, value in about)
    piped = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    assert main(["import", "sc", *mvs, "-o", str(output), "--format", "xlsx"], piped) == 0
    piped.flush()
    assert piped.buffer.getvalue() == summary.read_bytes()  # type: ignore[attr-defined]
