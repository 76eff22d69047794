"""Saved score documents: the JSON ``digimaat score --format json`` writes (PRF-6).

A trend over years can be drawn from score cards saved in earlier years
(:func:`~digimaat.analysis.trends.trend_of_scores`). :func:`read_scores` reads such a
document back into :class:`~digimaat.measurement.profiles.ScoreCard` objects, with the
specification version and the profile's name, version and fingerprint they were computed
under, and reports every problem of the document together.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from typing import Any, Final

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat.analysis._files import decode, json_value, read_bytes
from digimaat.errors import NO_VALUE, InputError, Problem
from digimaat.measurement.profiles import ScoreCard

__all__ = ["MAX_SCORES_BYTES", "ScoreDocument", "parse_scores", "read_scores"]

MAX_SCORES_BYTES: Final = 64 * 1024 * 1024
"""The size limit of a saved score document: 64 MiB, checked before parsing."""

OUTPUT_FORMAT: Final = "digimaat-output"
"""The ``format`` member of the command line's JSON output."""


@attrs.frozen
@shared_repr
@shared_eq
class ScoreDocument:
    """A saved score document: the JSON ``digimaat score --format json`` writes (PRF-6)."""

    spec_version: str
    profile: str
    profile_version: str
    fingerprint: str
    cards: tuple[ScoreCard, ...]
    source: str


def read_scores(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_SCORES_BYTES
) -> ScoreDocument:
    """Read a saved score document; every problem of it is reported together."""
    source = os.fspath(path)
    text = decode(read_bytes(path, max_bytes, "score document"), source, "score document")
    return parse_scores(text, source)


def _number_or_null(value: object) -> bool:
    if value is None:
        return True
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and 0.0 <= value <= 1.0
    )


def parse_scores(text: str, source: str = "<scores>") -> ScoreDocument:
    """A score document from its JSON text (members this reader does not know are ignored).

    >>> from digimaat.analysis.scores import parse_scores
    >>> parse_scores('{"format": "digimaat-output", "kind": "catalogue"}', "x.json")
    Traceback (most recent call last):
    ...
    digimaat.errors.InputError: 4 problems found:
      x.json:/kind: kind: must be 'scores' (got 'catalogue')
      x.json:/spec_version: spec_version: is required and must be a text
      x.json:/profile: profile: is required and must be an object with name, version and fingerprint
      x.json:/cards: cards: is required and must be a list
    """
    document = json_value(text, source, "score document")
    if not isinstance(document, dict):
        raise InputError([Problem("score document", NO_VALUE, "must be a JSON object", source)])
    problems: list[Problem] = []

    def problem(pointer: str, field: str, value: Any, message: str) -> None:
        problems.append(Problem(field, value, message, source, pointer))

    if document.get("format") != OUTPUT_FORMAT:
        problem("/format", "format", document.get("format", NO_VALUE), f"must be {OUTPUT_FORMAT!r}")
    if document.get("kind") != "scores":
        problem("/kind", "kind", document.get("kind", NO_VALUE), "must be 'scores'")
    spec_version = document.get("spec_version")
    if not isinstance(spec_version, str) or not spec_version:
        problem("/spec_version", "spec_version", NO_VALUE, "is required and must be a text")
    profile = document.get("profile")
    names = ("name", "version", "fingerprint")
    if not isinstance(profile, dict) or not all(
        isinstance(profile.get(k), str) and profile.get(k) for k in names
    ):
        problem(
            "/profile",
            "profile",
            NO_VALUE,
            "is required and must be an object with name, version and fingerprint",
        )
        profile = None
    raw_cards = document.get("cards")
    if not isinstance(raw_cards, list):
        problem("/cards", "cards", NO_VALUE, "is required and must be a list")
        raw_cards = []
    cards: list[ScoreCard] = []
    seen: set[str] = set()
    for k, card in enumerate(raw_cards):
        built = _card(card, f"/cards/{k}", problem, spec_version, profile)
        if built is None:
            continue
        if built.municipality in seen:
            problem(f"/cards/{k}/municipality", "municipality", built.municipality, "listed twice")
            continue
        seen.add(built.municipality)
        cards.append(built)
    if problems:
        raise InputError(problems)
    assert isinstance(spec_version, str)
    assert isinstance(profile, dict)
    return ScoreDocument(
        spec_version,
        profile["name"],
        profile["version"],
        profile["fingerprint"],
        tuple(sorted(cards, key=lambda c: c.municipality)),
        source,
    )


def _card(
    card: object,
    where: str,
    problem: Any,
    spec_version: object,
    profile: Mapping[str, str] | None,
) -> ScoreCard | None:
    if not isinstance(card, dict):
        problem(where, "card", card, "must be an object")
        return None
    ok = True
    code, name = card.get("municipality"), card.get("name")
    population, size = card.get("population"), card.get("size_class")
    headline, values, coverage = card.get("headline"), card.get("values"), card.get("coverage")
    if not isinstance(code, str) or not re.fullmatch(r"GM[0-9]{4}", code):
        problem(f"{where}/municipality", "municipality", code, "must be a CBS code")
        ok = False
    if not isinstance(name, str) or not name.strip():
        problem(f"{where}/name", "name", name, "must be a non-empty text")
        ok = False
    if isinstance(population, bool) or not isinstance(population, int) or population <= 0:
        problem(f"{where}/population", "population", population, "must be a positive integer")
        ok = False
    if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= 8:
        problem(f"{where}/size_class", "size_class", size, "must be a size class from 1 to 8")
        ok = False
    for key, table in (("values", values), ("coverage", coverage)):
        if not isinstance(table, dict) or not table:
            problem(f"{where}/{key}", key, table, "must be an object from metric ids to numbers")
            ok = False
            continue
        for metric, value in table.items():
            if not _number_or_null(value):
                problem(
                    f"{where}/{key}/{metric}", key, value, "must be a number from 0 to 1 or null"
                )
                ok = False
    if ok and set(values) != set(coverage):  # type: ignore[arg-type]
        problem(f"{where}/coverage", "coverage", NO_VALUE, "must name the metrics of values")
        ok = False
    if not isinstance(headline, str) or not (isinstance(values, dict) and headline in values):
        problem(f"{where}/headline", "headline", headline, "must be the id of one of the values")
        ok = False
    if not ok or profile is None or not isinstance(spec_version, str):
        return None
    assert isinstance(values, dict)
    assert isinstance(coverage, dict)
    return ScoreCard(
        municipality=str(code),
        name=str(name),
        population=int(population),  # type: ignore[arg-type]
        size_class=int(size),  # type: ignore[arg-type]
        spec_version=spec_version,
        profile=profile["name"],
        profile_version=profile["version"],
        fingerprint=profile["fingerprint"],
        headline=str(headline),
        values={str(k): _float(v) for k, v in values.items()},
        coverage={str(k): _float(v) for k, v in coverage.items()},
    )


def _float(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


guard(__name__)
