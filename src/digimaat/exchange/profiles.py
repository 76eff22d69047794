"""Profiles as files: TOML or JSON (specification chapter PRF, clause PRF-7).

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
  my-profile.toml:/version: version: is required and must be a non-empty string
  my-profile.toml:/headline: headline: is required and must be a non-empty string
  my-profile.toml:/weighting: weighting: is required and must be an object
  my-profile.toml:/metrics: metrics: is required and must be a non-empty list
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any, Final

from digimaat._serial import parse_data
from digimaat.errors import NO_VALUE, InputError, InvalidValueError, Problem
from digimaat.exchange.source import Limits, read_source, text_source
from digimaat.measurement.profiles import BUILTIN_PROFILES, Profile
from digimaat.measurement.weights import Custom, Mix, ProductOf, Restrict, Weighting

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
    profile selects (``restrict``, ``custom``) must be in ``catalogue`` (the reference
    catalogue by default). Every problem is reported at once, naming the file and the
    JSON pointer.
    """
    name = os.fspath(file) if isinstance(file, str | os.PathLike) else getattr(file, "name", "")
    if form is None:
        form = Path(str(name)).suffix.lower().lstrip(".")
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
    source = text_source(text, name=name or "<profile>", form=form, limits=limits or PROFILE_LIMITS)
    return _read(source.data.decode("utf-8"), form, source.name, catalogue, limits)


def _read(text: str, form: str | None, name: str, catalogue: Any, limits: Limits | None) -> Profile:
    if form not in PROFILE_FORMATS:
        raise InputError(
            [
                Problem(
                    "format",
                    form if form else NO_VALUE,
                    "a profile file must be .toml or .json",
                    source=name,
                    clause="PRF-7",
                )
            ]
        )
    depth = (limits or PROFILE_LIMITS).max_depth
    data = parse_data(text, form, name, depth)
    profile = Profile.from_dict(data, source=name)
    problems: list[Problem] = []
    if profile.name in BUILTIN_PROFILES:
        problems.append(
            Problem(
                "name",
                profile.name,
                "is the name of a built-in profile; a profile file needs a name of its own",
                source=name,
                location="/name",
                clause="PRF-7",
            )
        )
    problems.extend(_unknown_products(profile.weighting, "/weighting", name, catalogue))
    if profile.costs is not None:
        known = _catalogue(catalogue)
        for uri, _ in profile.costs.products:
            if uri not in known:
                token = uri.replace("~", "~0").replace("/", "~1")
                problems.append(_unknown(uri, f"/costs/products/{token}", name, known))
    if problems:
        raise InputError(problems)
    return profile


def _unknown_products(
    weighting: Weighting, where: str, source: str, catalogue: Any
) -> list[Problem]:
    """Product URIs a weighting selects that are not in the catalogue (PRF-7, WGT-8, WGT-11)."""
    known = _catalogue(catalogue)
    problems: list[Problem] = []
    if isinstance(weighting, Restrict):
        for k, uri in enumerate(weighting.selector.uris or ()):
            if uri not in known:
                problems.append(_unknown(uri, f"{where}/selector/uris/{k}", source, known))
        problems.extend(_unknown_products(weighting.base, f"{where}/base", source, catalogue))
    elif isinstance(weighting, Custom):
        for uri, _ in weighting.weights:
            if uri not in known:
                token = uri.replace("~", "~0").replace("/", "~1")
                problems.append(_unknown(uri, f"{where}/weights/{token}", source, known))
    elif isinstance(weighting, ProductOf):
        problems.extend(_unknown_products(weighting.left, f"{where}/left", source, catalogue))
        problems.extend(_unknown_products(weighting.right, f"{where}/right", source, catalogue))
    elif isinstance(weighting, Mix):
        for k, (part, _) in enumerate(weighting.parts):
            problems.extend(
                _unknown_products(part, f"{where}/parts/{k}/weighting", source, catalogue)
            )
    return problems


def _catalogue(catalogue: Any) -> Any:
    from digimaat.vocabulary.products import Catalogue, reference_catalogue

    known = reference_catalogue() if catalogue is None else catalogue
    if not isinstance(known, Catalogue):
        raise InvalidValueError("catalogue", type(known).__name__, "must be a Catalogue")
    return known


def _unknown(uri: str, where: str, source: str, catalogue: Any) -> Problem:
    suggestions = catalogue.suggest(uri)
    return Problem(
        "uri",
        uri,
        "is not a product of the catalogue; it would select nothing",
        source=source,
        location=where,
        clause="PRF-7",
        suggestion=f"did you mean: {', '.join(suggestions)}?" if suggestions else None,
    )


def dumps_profile(profile: Profile) -> str:
    """A profile as a JSON document (the data of ``Profile.to_dict()``)."""
    if not isinstance(profile, Profile):
        raise InvalidValueError("profile", type(profile).__name__, "must be a Profile")
    return json.dumps(profile.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
