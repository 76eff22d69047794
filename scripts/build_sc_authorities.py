"""Build the packaged mapping of OWMS municipality URIs to CBS codes (chapter SCI, SCI-3).

Usage::

    python scripts/build_sc_authorities.py [GEMEENTE_JSON] [--output FILE]

``GEMEENTE_JSON`` defaults to the copy kept in the repository, ``data/sc/lists/Gemeente.json``
(the OWMS value list of municipalities, as the Samenwerkende Catalogi harvest of 2023-10-18
iterated over it; provenance in ``data/sc/SOURCE.md``). The CBS codes come from the shipped
CBS register (chapter MUN, MUN-5), ``digimaat.vocabulary.municipalities.cbs_register``.

The rule, applied mechanically:

1. an OWMS entry without an ``endDate`` (a current municipality) is mapped to the CBS code
   of the 2023 register whose name equals its ``prefLabel`` exactly, when exactly one current
   entry carries that label and exactly one CBS municipality that name (no guessing: no
   case folding, no similarity);
2. the manual correspondences of :data:`MANUAL`, each with its reason, are added;
3. the result must give every CBS code of 2023 at least one URI, map no URI twice, and name
   only codes that are in both the 2023 and the 2024 register; otherwise nothing is written.

The output is deterministic: provenance first, then the authorities sorted by URI, one per
line, UTF-8, a final newline. Running the script again on the same input writes the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["MANUAL", "build", "main"]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INPUT = ROOT / "data" / "sc" / "lists" / "Gemeente.json"
DEFAULT_OUTPUT = ROOT / "src" / "digimaat" / "data" / "sc_authorities.json"
OWMS = "http://standaarden.overheid.nl/owms/terms/"
SOURCE = (
    "OWMS value list of municipalities (https://standaarden.overheid.nl/owms/terms/Gemeente.xml) "
    "as converted to JSON by the public GitHub repository frameless/producten-diensten-overzicht, "
    "path src/generated/owms/Gemeente.json, commit fd6082c3559e141c607c14509f53093b2087ae20 "
    "(2023-10-20), the list the Samenwerkende Catalogi harvest of 2023-10-18 iterated over; "
    "kept in data/sc/lists/Gemeente.json (see data/sc/SOURCE.md)"
)

MANUAL: tuple[tuple[str, str, str], ...] = (
    (
        OWMS + "Utrecht_oud",
        "GM0344",
        "The city of Utrecht publishes its products under this URI, label 'Utrecht (Utr)': 294 "
        "records of the harvest of 2023-10-18, in the response for 'Utrecht (Utr)' "
        "(data/sc/SOURCE.md, quirk 1). The OWMS list marks the URI as ended (endDate "
        "1900-01-01), and the current Utrecht_(gemeente) has no records at all; the CBS "
        "code of the city of Utrecht is GM0344.",
    ),
    (
        OWMS + "Bergen_(Li)",
        "GM0893",
        "A current OWMS entry, label 'Bergen (L)'; CBS writes the same municipality "
        "'Bergen (L.)', with a full stop, so the names are not equal.",
    ),
    (
        OWMS + "Bergen_(NH)",
        "GM0373",
        "A current OWMS entry, label 'Bergen (NH)'; CBS writes the same municipality "
        "'Bergen (NH.)', with a full stop, so the names are not equal.",
    ),
)
"""``(OWMS URI, CBS code, reason)``: the correspondences the rule cannot find by itself."""


class BuildError(Exception):
    """The input does not give a complete, unambiguous mapping; nothing is written."""


def build(entries: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The mapping ``[{uri, label, code, match}]`` sorted by URI, or :class:`BuildError`."""
    from digimaat.vocabulary.municipalities import cbs_register

    register, later = cbs_register(2023), cbs_register(2024)
    problems: list[str] = []
    current = [e for e in entries if "endDate" not in e]
    labels = Counter(e["prefLabel"] for e in current)
    names = Counter(m.name for m in register)
    code_of = {m.name: m.cbs_code for m in register}
    manual = {uri: (code, reason) for uri, code, reason in MANUAL}
    label_of = {e["resourceIdentifier"]: e["prefLabel"] for e in entries}
    out: dict[str, dict[str, str]] = {}
    for entry in current:
        uri, label = entry["resourceIdentifier"], entry["prefLabel"]
        if uri in manual:
            continue
        if labels[label] == 1 and names[label] == 1:
            out[uri] = {"uri": uri, "label": label, "code": code_of[label], "match": "name"}
        else:
            problems.append(f"{uri}: label {label!r} matches no single CBS name")
    for uri, (code, _) in manual.items():
        if uri not in label_of:
            problems.append(f"{uri}: a manual correspondence for a URI not on the list")
            continue
        out[uri] = {"uri": uri, "label": label_of[uri], "code": code, "match": "manual"}
    for item in out.values():
        if item["code"] not in register or item["code"] not in later:
            problems.append(f"{item['uri']}: {item['code']} is not in the 2023 and 2024 registers")
    missing = sorted({m.cbs_code for m in register} - {item["code"] for item in out.values()})
    if missing:
        problems.append(f"CBS codes without an OWMS URI: {', '.join(missing)}")
    if problems:
        raise BuildError("\n".join(problems))
    return [out[uri] for uri in sorted(out)]


def render(authorities: Sequence[dict[str, str]], raw: bytes) -> str:
    """The output file's text: provenance, then one authority per line."""
    provenance = {
        "source": SOURCE,
        "md5": hashlib.md5(raw).hexdigest(),
        "codes": "CBS register 2023 (chapter MUN, MUN-5); every code is also a code of 2024",
        "rule": "a current OWMS entry (no endDate) whose prefLabel equals exactly one CBS name "
        "of 2023, where no other current entry has that label; then the manual "
        "correspondences below",
        "manual": [{"uri": uri, "code": code, "reason": reason} for uri, code, reason in MANUAL],
        "licence": "The OWMS value lists are open government data published by KOOP "
        "(standaarden.overheid.nl); CBS codes: CBS open data, CC BY 4.0, 'Bron: CBS'.",
        "script": "scripts/build_sc_authorities.py",
    }
    lines = [json.dumps(a, ensure_ascii=False) for a in authorities]
    head = json.dumps(provenance, ensure_ascii=False, indent=1)
    return (
        '{\n "provenance": '
        + head.replace("\n", "\n ")
        + ',\n "authorities": [\n  '
        + ",\n  ".join(lines)
        + "\n ]\n}\n"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("input", nargs="?", type=Path, default=DEFAULT_INPUT)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    raw = args.input.read_bytes()
    try:
        authorities = build(json.loads(raw))
    except BuildError as exc:
        sys.stderr.write(f"build_sc_authorities: nothing written:\n{exc}\n")
        return 1
    args.output.write_text(render(authorities, raw), encoding="utf-8")
    manual = sum(1 for a in authorities if a["match"] == "manual")
    sys.stdout.write(f"{args.output.name}: {len(authorities)} URIs ({manual} manual)\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
