"""Profiles as files: TOML or JSON (specification chapter PRF, clauses PRF-7 to PRF-7.2).

A profile file holds the plain data of :meth:`Profile.to_dict
<digimaat.measurement.profiles.Profile.to_dict>`. The built-in profiles ship in this
format (``digimaat/data/profiles/*.toml``) and are read by the same reader. A profile's
fingerprint does not depend on the format it was read from:

>>> from digimaat.exchange.profiles import dumps_profile, loads_profile
>>> from digimaat.measurement.profiles import standard_profile
>>> profile = standard_profile()
>>> loads_profile(dumps_profile(profile).replace("digimaat-standard", "mine"),
...               form="json").fingerprint == profile.fingerprint
True
>>> loads_profile('name = "x"', form="toml", name="my-profile.toml")
Traceback (most recent call last):
...
digimaat.errors.InputError: 4 problems found:
  my-profile.toml:/version: version: is required [PRF-7]
  my-profile.toml:/headline: headline: is required [PRF-7]
  my-profile.toml:/weighting: weighting: is required and must be an object [PRF-7]
  my-profile.toml:/metrics: metrics: is required [PRF-7]

Every problem names the clause it breaks: the form of the data PRF-7, a file's syntax and
limits PRF-7.1, a product URI the catalogue does not hold PRF-7.2, the name of a built-in
profile PRF-3, and a value the clause that defines it (WGT, MET, AGG):

>>> loads_profile('{"name": "mdd-product", "version": "1", "headline": "m", '
...               '"weighting": {"kind": "per-capita", "per": 0}, '
...               '"metrics": [{"kind": "uptake", "id": "m", "title": "M"}]}',
...               form="json", name="p.json")
Traceback (most recent call last):
...
digimaat.errors.InputError: 2 problems found:
  p.json:/name: name: is a built-in profile's name (got 'mdd-product'); choose another [PRF-3]
  p.json:/weighting/per: per: must be a finite number > 0 (got 0.0) [WGT-6]
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Final

import attrs

from digimaat._boundary import guard
from digimaat._serial import parse_data
from digimaat.errors import NO_VALUE, InputError, InvalidValueError, Problem
from digimaat.exchange.source import Limits, read_source, text_source
from digimaat.measurement.profiles import BUILTIN_PROFILES, Profile

__all__ = [
    "PROFILE_FORMATS",
    "PROFILE_LIMITS",
    "dumps_profile",
    "load_profile",
    "loads_profile",
]

PROFILE_FORMATS: Final = ("toml", "json")
"""The file formats a profile can be read from."""

PROFILE_LIMITS: Final = Limits(max_bytes=1024 * 1024)
"""The default limits of a profile file: 1 MiB (a profile is a few kilobytes)."""


def load_profile(
    file: str | os.PathLike[str] | IO[bytes] | IO[str],
    *,
    form: str | None = None,
    catalogue: Any = None,
    limits: Limits | None = None,
) -> Profile:
    """Read a profile from a TOML or JSON file (a path or an open file), PRF-7.

    ``form`` is ``"toml"`` or ``"json"``; by default the file's extension. Product URIs the
    profile weighs or selects (``custom``, ``restrict``) must be in ``catalogue`` (the
    reference catalogue by default, PRF-7.2). Every problem is reported at once, naming
    the file, the JSON pointer and the clause it breaks.
    """
    name = os.fspath(file) if isinstance(file, str | os.PathLike) else getattr(file, "name", "")
    if form is None:
        form = Path(str(name)).suffix.lower().lstrip(".")
    with _file_limits():
        source = read_source(file, form=form, limits=limits or PROFILE_LIMITS)
    return _read(source.data.decode("utf-8"), form, source.name, catalogue, limits)


def loads_profile(
    text: str | bytes,
    *,
    form: str,
    name: str | None = None,
    catalogue: Any = None,
    limits: Limits | None = None,
) -> Profile:
    """Read a profile from its text (or bytes) in a form, ``"toml"`` or ``"json"`` (PRF-7)."""
    with _file_limits():
        source = text_source(
            text, name=name or "<profile>", form=form, limits=limits or PROFILE_LIMITS
        )
    return _read(source.data.decode("utf-8"), form, source.name, catalogue, limits)


@contextlib.contextmanager
def _file_limits() -> Iterator[None]:
    """The limits of a profile file are PRF-7.1's: a file over one names that clause."""
    try:
        yield
    except InputError as exc:
        problems = [
            attrs.evolve(p, clause="PRF-7.1") if p.clause == "XCH-4" else p for p in exc.problems
        ]
        raise InputError(problems, exc.more) from None


def _read(text: str, form: str | None, name: str, catalogue: Any, limits: Limits | None) -> Profile:
    known = _catalogue(catalogue)
    if form not in PROFILE_FORMATS:
        raise InputError(
            [
                Problem(
                    "format",
                    form if form else NO_VALUE,
                    "a profile file must be .toml or .json",
                    source=name,
                    clause="PRF-7.1",
                )
            ]
        )
    depth = (limits or PROFILE_LIMITS).max_depth
    data = parse_data(text, form, name, depth)
    problems: list[Problem] = []
    if isinstance(data, dict) and data.get("name") in BUILTIN_PROFILES:
        problems.append(
            Problem(
                "name",
                data["name"],
                "is a built-in profile's name",
                source=name,
                location="/name",
                clause="PRF-3",
                suggestion="choose another",
            )
        )
    try:
        profile = Profile.from_dict(data, source=name)
    except InputError as exc:
        problems.extend(exc.problems)
    if isinstance(data, dict):
        problems.extend(_unknown_products(data.get("weighting"), "/weighting", name, known))
        costs = data.get("costs")
        products = costs.get("products") if isinstance(costs, dict) else None
        if isinstance(products, dict):  # a cost of its own for a product (CHN-7, PRF-7.2)
            for uri in products:
                if isinstance(uri, str) and uri not in known:
                    token = uri.replace("~", "~0").replace("/", "~1")
                    at = f"/costs/products/{token}"
                    problems.append(_unknown(uri, at, name, known, "price"))
    if problems:
        raise InputError(problems)
    return profile


def _catalogue(catalogue: Any) -> Any:
    from digimaat.vocabulary.products import Catalogue, reference_catalogue

    if catalogue is None:
        return reference_catalogue()
    if not isinstance(catalogue, Catalogue):
        raise InvalidValueError("catalogue", type(catalogue).__name__, "must be a Catalogue")
    return catalogue


def _unknown_products(weighting: Any, where: str, source: str, catalogue: Any) -> list[Problem]:
    """Product URIs a weighting weighs or selects that the catalogue does not hold (PRF-7.2).

    Wherever the weighting holds them: the keys of a ``custom`` weighting (WGT-8) and the
    ``uris`` of a selector (WGT-11), also inside a ``product``, a ``mix`` or a ``restrict``.
    The data is walked as it was read, so that these problems are reported together with
    every other problem of the profile; a key that is not a full URI is WGT-8's problem, and
    a value of the wrong type PRF-7's, reported by the reader of the data.
    """
    if not isinstance(weighting, dict):
        return []
    kind = weighting.get("kind")
    problems: list[Problem] = []
    if kind == "restrict":
        selector = weighting.get("selector")
        uris = selector.get("uris") if isinstance(selector, dict) else None
        for k, uri in enumerate(uris if isinstance(uris, list) else ()):
            if isinstance(uri, str) and uri not in catalogue:
                at = f"{where}/selector/uris/{k}"
                problems.append(_unknown(uri, at, source, catalogue, "select"))
        problems += _unknown_products(weighting.get("base"), f"{where}/base", source, catalogue)
    elif kind == "custom":
        weights = weighting.get("weights")
        for uri in weights if isinstance(weights, dict) else ():
            if ":" in uri and uri not in catalogue:
                at = f"{where}/weights/{uri.replace('~', '~0').replace('/', '~1')}"
                problems.append(_unknown(uri, at, source, catalogue, "weigh"))
    elif kind == "product":
        for side in ("left", "right"):
            problems += _unknown_products(weighting.get(side), f"{where}/{side}", source, catalogue)
    elif kind == "mix":
        parts = weighting.get("parts")
        for k, part in enumerate(parts if isinstance(parts, list) else ()):
            if isinstance(part, dict):
                at = f"{where}/parts/{k}/weighting"
                problems += _unknown_products(part.get("weighting"), at, source, catalogue)
    return problems


def _unknown(uri: str, where: str, source: str, catalogue: Any, verb: str) -> Problem:
    suggestions = catalogue.suggest(uri)
    return Problem(
        "uri",
        uri,
        f"is not a product of the catalogue; it would {verb} nothing",
        source=source,
        location=where,
        clause="PRF-7.2",
        suggestion=f"did you mean: {', '.join(suggestions)}?" if suggestions else None,
    )


def dumps_profile(profile: Profile) -> str:
    """A profile as a JSON document (the data of ``Profile.to_dict()``)."""
    if not isinstance(profile, Profile):
        raise InvalidValueError("profile", type(profile).__name__, "must be a Profile")
    return json.dumps(profile.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


guard(__name__)
