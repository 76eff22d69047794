"""Fixtures of the SC import tests: real SRU responses taken from the national harvest.

The harvest is kept unmodified in ``data/sc/national-2023-10-18.tar.xz``; the members the
tests need are copied, byte for byte, into a temporary directory once per test run. Facts
asserted about them are those of ``data/sc/SOURCE.md``.
"""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest

from digimaat.exchange.sc import ScImport, import_sc

ROOT = Path(__file__).resolve().parents[3]
TARBALL = ROOT / "data" / "sc" / "national-2023-10-18.tar.xz"
UPL_2023 = ROOT / "data" / "sc" / "lists" / "UPL-actueel.json"
OWMS = "http://standaarden.overheid.nl/owms/terms/"
RAW = (
    "Maassluis", "Vlaardingen", "Schiedam", "Rotterdam", "Amsterdam", "Mook-en-Middelaar",
    "Voorschoten", "Leiden", "Delft", "Waddinxveen", "Utrecht", "Utrecht--Utr-", "Groningen",
    "Bedum",
)  # fmt: skip
"""The 14 responses SOURCE.md describes one by one (its table "Files here")."""


@pytest.fixture(scope="session")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory ``raw/`` with the 14 described responses, copied from the tarball."""
    folder = tmp_path_factory.mktemp("sc") / "raw"
    folder.mkdir()
    wanted = {f"per-gemeente/{name}.xml" for name in RAW}
    with tarfile.open(TARBALL, "r:xz") as archive:
        for info in archive:
            if info.name in wanted:
                source = archive.extractfile(info)
                assert source is not None
                (folder / Path(info.name).name).write_bytes(source.read())
    assert len(list(folder.iterdir())) == len(RAW)
    return folder


@pytest.fixture(scope="session")
def imported(raw: Path) -> ScImport:
    """The 14 responses imported with the UPL list of the harvest's date."""
    return import_sc([raw], upl_lists=[UPL_2023])


@pytest.fixture(scope="session")
def national() -> ScImport:
    """The whole national harvest imported from the tarball (about 7 s)."""
    return import_sc([TARBALL], upl_lists=[UPL_2023])


def entry(result: ScImport, authority: str) -> dict[str, object]:
    """The summary entry of one authority (the OWMS URI without the namespace)."""
    for item in result.summary.to_dict()["municipalities"]:
        if item["authority"] == OWMS + authority:
            return dict(item)
    raise KeyError(authority)


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails the test."""
    import socket

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the import tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
