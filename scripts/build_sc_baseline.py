"""Build the packaged national baseline from the SC harvest of 2023-10-18 (chapter SCI, SCI-11).

Usage::

    python scripts/build_sc_baseline.py [TARBALL] [--upl-list FILE] [--output FILE]

``TARBALL`` defaults to the harvest kept in the repository,
``data/sc/national-2023-10-18.tar.xz`` (609 SRU responses; provenance and terms in
``data/sc/SOURCE.md``), and ``--upl-list`` to the UPL list of that date,
``data/sc/lists/UPL-actueel.json``. The script imports the tarball with
:func:`digimaat.exchange.sc.import_sc`, checks that the import reported no problem and that
the harvest's known facts hold (51,568 records; 342 municipalities and two provinces),
and writes the offerings document (XCH) compressed with xz to
``src/digimaat/data/sc-baseline-2023-10-18.json.xz``. The document's ``source`` member
records the provenance and the source's terms; every offering records its own. The output
is deterministic: the same tarball and package version give the same bytes. ``make
sc-baseline`` runs it.
"""

from __future__ import annotations

import argparse
import hashlib
import lzma
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["build", "main"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = ROOT / "data" / "sc" / "national-2023-10-18.tar.xz"
DEFAULT_LIST = ROOT / "data" / "sc" / "lists" / "UPL-actueel.json"
DEFAULT_OUTPUT = ROOT / "src" / "digimaat" / "data" / "sc-baseline-2023-10-18.json.xz"
EXPECTED_RECORDS = 51_568
EXPECTED_MUNICIPALITIES = 342


def source_text(tarball: Path, digest: str, version: str) -> str:
    """The document's ``source``: provenance, terms and how it was made."""
    return (
        "Samenwerkende Catalogi (SC 4.0) product descriptions of all Dutch municipalities, "
        "as published through the SRU zoekdienst of overheid.nl (KOOP) and harvested on "
        "2023-10-18 by the public GitHub repository frameless/producten-diensten-overzicht "
        "(commit fd6082c3559e141c607c14509f53093b2087ae20, src/generated/per-gemeente: 609 "
        f"responses), kept unmodified as {tarball.name} (md5 {digest}; see data/sc/SOURCE.md). "
        "Terms: openly published government metadata, each municipality's own description "
        "of its products; the repository states no licence for the data and the licence of "
        "the data.overheid.nl record 'samenwerkende-catalogi-producten-en-diensten' was not "
        "verified. Cite as 'Samenwerkende Catalogi via zoekdienst.overheid.nl, harvested "
        "2023-10-18 by frameless/producten-diensten-overzicht'. Imported with the UPL list of "
        "that date by scripts/build_sc_baseline.py, digimaat "
        f"{version}, by chapter SCI of the digimaat specification: what each offering "
        "records is what the municipality published, mapped to capabilities, and nothing "
        "more (no payment, outcome, volumes or assurance levels)."
    )


def build(tarball: Path, upl_list: Path) -> bytes:
    """The compressed offerings document, or :class:`SystemExit` on any problem."""
    from digimaat._version import __version__
    from digimaat.exchange.sc import import_sc
    from digimaat.exchange.writers import dumps_json as dump_json

    digest = hashlib.md5(tarball.read_bytes()).hexdigest()
    result = import_sc(
        [tarball], upl_lists=[upl_list], source=source_text(tarball, digest, __version__)
    )
    summary = result.summary
    records = summary.national.records + sum(int(n["records"]) for n in summary.non_municipal)
    failures = [str(p) for p in result.problems]
    if records != EXPECTED_RECORDS:
        failures.append(f"{records} records, expected {EXPECTED_RECORDS}")
    if len(result.submission.municipalities) != EXPECTED_MUNICIPALITIES:
        failures.append(f"{len(result.submission.municipalities)} municipalities")
    if failures:
        raise SystemExit("build_sc_baseline: nothing written:\n" + "\n".join(failures))
    text = dump_json(result.submission).encode("utf-8")
    return lzma.compress(text, format=lzma.FORMAT_XZ, preset=9 | lzma.PRESET_EXTREME)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("tarball", nargs="?", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("--upl-list", type=Path, default=DEFAULT_LIST)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    packed = build(args.tarball, args.upl_list)
    args.output.write_bytes(packed)
    sys.stdout.write(f"{args.output.name}: {len(packed):,} bytes\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
