"""Write the built-in profiles' data as JSON, for the command line to start quickly (PRF-2).

Usage::

    python scripts/build_profiles.py [TOML ...] [--output FILE]

The TOML files default to the built-in profiles, ``src/digimaat/data/profiles/*.toml``: they
are the definition of each profile. Each is read as every profile file is read
(``digimaat._serial.parse_data``: duplicate keys, nesting, the size of numbers) and built
into its profile, which must carry the file's name; its plain data is written, with the
file's text and the profile's fingerprint (PRF-4), to
``src/digimaat/data/profiles/builtin.json``.

``digimaat.measurement.profiles`` takes a built-in profile's data and fingerprint from that
file only when the TOML text it reads is the one recorded (else it parses the TOML file
and computes the fingerprint), so the TOML files stay the definition: reading JSON spares
the command line importing and running a TOML parser, and taking the fingerprint spares it
importing ``hashlib`` and writing the canonical form, a few milliseconds of each
``digimaat score``. The output is deterministic; ``make profiles`` runs the script, and a
test checks that the packaged file is what the script writes and that each fingerprint is
the one the profile computes.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["build", "main"]

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "src" / "digimaat" / "data" / "profiles"
DEFAULT_OUTPUT = FOLDER / "builtin.json"


def build(paths: Sequence[Path]) -> dict[str, Any]:
    """The document of the built-in profiles' data: one entry per TOML file, by name."""
    from digimaat._serial import parse_data
    from digimaat.measurement.profiles import Profile

    profiles: dict[str, Any] = {}
    for path in sorted(paths, key=lambda p: p.name):
        text = path.read_text(encoding="utf-8")
        source = f"digimaat/data/profiles/{path.name}"
        data = parse_data(text, "toml", source)
        profile = Profile.from_dict(data, source=source)
        if profile.name != path.stem:
            raise SystemExit(f"{path} defines profile {profile.name!r}, expected {path.stem!r}")
        profiles[path.stem] = {
            "file": path.name,
            "text": text,
            "data": data,
            "fingerprint": profile.fingerprint,
        }
    return {
        "about": (
            "The plain data of digimaat's built-in profiles, as read from their TOML files "
            "(the definition), each with the file's text and the profile's fingerprint "
            "(PRF-4); written by scripts/build_profiles.py and used only where the file's "
            "text is the one recorded."
        ),
        "profiles": profiles,
    }


def text_of(document: dict[str, Any]) -> str:
    """The file's text: JSON with one-space indentation, UTF-8 as it is, a final newline."""
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("toml", nargs="*", type=Path, help="profile files (default: built-in)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the JSON file")
    args = parser.parse_args(argv)
    paths = args.toml or sorted(FOLDER.glob("*.toml"))
    text = text_of(build(paths))
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {len(paths)} profiles to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
