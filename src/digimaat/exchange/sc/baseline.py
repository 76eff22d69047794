"""The national baseline: the SC harvest of 2023-10-18, imported, as package data (SCI-11).

The offerings document is ``digimaat/data/sc-baseline-2023-10-18.json.xz``: the JSON
document of the exchange format (XCH), compressed with xz, written by
``scripts/build_sc_baseline.py`` from ``data/sc/national-2023-10-18.tar.xz`` (``make
sc-baseline``). Its ``source`` member holds the provenance and the source's terms; every
offering holds its own provenance. It is read here by the exchange format's own reader.
"""

from __future__ import annotations

import functools
import lzma
from importlib import resources
from typing import Final

from digimaat._boundary import guard
from digimaat.exchange import Limits, loads
from digimaat.exchange.submission import Submission

__all__ = ["BASELINE_FILE", "national_baseline"]

BASELINE_FILE: Final = "sc-baseline-2023-10-18.json.xz"
"""The package data file of the national baseline (in ``digimaat/data``)."""
_MAX_BYTES: Final = 64 * 1024 * 1024


@functools.cache
def national_baseline() -> Submission:
    """The national baseline of 2023-10-18 (342 municipalities), read once per process."""
    packed = resources.files("digimaat.data").joinpath(BASELINE_FILE).read_bytes()
    decompressor = lzma.LZMADecompressor()
    text = decompressor.decompress(packed, max_length=_MAX_BYTES)
    if not decompressor.eof:  # pragma: no cover - the shipped file is far smaller
        raise ValueError(f"{BASELINE_FILE} decompresses to more than {_MAX_BYTES} bytes")
    return loads(
        text,
        form="json",
        name=f"digimaat/data/{BASELINE_FILE}",
        limits=Limits(max_bytes=_MAX_BYTES),
    )


guard(__name__)
