"""Profiles as files: TOML or JSON (specification chapter PRF, clause PRF-7).

A profile file holds the plain data of :meth:`Profile.to_dict
<digimaat.measurement.profiles.Profile.to_dict>`. The built-in profiles ship in this
format (``digimaat/data/profiles/*.toml``). A profile's fingerprint does not depend on
the format it was read from:

>>> from digimaat.exchange.profiles import dump_profile, load_profile
>>> from digimaat.measurement.profiles import standard_profile
>>> profile = standard_profile()
>>> load_profile(dump_profile(profile), format="json").fingerprint == profile.fingerprint
True
>>> load_profile('name = "x"', format="toml", name="my-profile.toml")
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
from typing import Any

from digimaat.errors import NO_VALUE, InputError, Problem
from digimaat.exchange._common import MAX_BYTES, MAX_DEPTH, Input, read_input
from digimaat.measurement.profiles import Profile, read_toml

__all__ = ["PROFILE_FORMATS", "dump_profile", "load_profile"]

PROFILE_FORMATS = ("toml", "json")
"""The file formats a profile can be read from."""


def load_profile(
    data: Input,
    *,
    format: str | None = None,
    name: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> Profile:
    """Read a profile from a TOML or JSON file, or from its bytes or text.

    ``format`` is ``"toml"`` or ``"json"``; for a path it defaults to the file's
    extension. Every problem is reported at once, naming the file and JSON pointer.
    """
    if format is None and isinstance(data, os.PathLike):
        format = Path(data).suffix.lower().lstrip(".")
    source_name = name or (str(data) if isinstance(data, os.PathLike) else None)
    if format not in PROFILE_FORMATS:
        raise InputError(
            [
                Problem(
                    "format",
                    format if format else NO_VALUE,
                    "a profile file must be .toml or .json",
                    source=source_name or "<profile>",
                )
            ]
        )
    text = read_input(data, max_bytes=max_bytes, name=name, kind="profile")
    if format == "toml":
        content = read_toml(text.text, text.source)
    else:
        try:
            content = json.loads(text.text, parse_constant=_reject_constant)
        except (json.JSONDecodeError, ValueError) as exc:
            raise InputError(
                [Problem("profile", NO_VALUE, f"is not valid JSON: {exc}", source=text.source)]
            ) from None
        except RecursionError:
            raise InputError(
                [
                    Problem(
                        "profile",
                        NO_VALUE,
                        f"is nested more than {MAX_DEPTH} levels deep",
                        source=text.source,
                    )
                ]
            ) from None
    return Profile.from_dict(content, source=text.source)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def dump_profile(profile: Profile) -> str:
    """Write a profile as a JSON document (the data of ``Profile.to_dict()``)."""
    return json.dumps(profile.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
