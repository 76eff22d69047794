"""Reading the small files of the analysis layer under a size limit (peer groups, score documents).

Each reader reports a file that cannot be read, is too large, is not UTF-8 or is not valid
JSON as an :class:`~digimaat.errors.InputError` naming the file, never with a traceback.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from digimaat.errors import NO_VALUE, InputError, InvalidValueError, Problem

__all__ = ["decode", "json_value", "read_bytes"]


def read_bytes(path: str | os.PathLike[str], max_bytes: int, kind: str) -> bytes:
    """The bytes of a file, refused when it holds more than ``max_bytes`` (read no further)."""
    limit: object = max_bytes
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidValueError("max_bytes", max_bytes, "must be a positive number of bytes")
    source = os.fspath(path)
    try:
        with Path(path).open("rb") as handle:
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(
            [Problem(kind, NO_VALUE, f"cannot be read ({exc.strerror or exc})", source)]
        ) from None
    if len(raw) > max_bytes:
        raise InputError(
            [Problem(kind, NO_VALUE, f"is larger than the limit of {max_bytes:,} bytes", source)]
        )
    return raw


def decode(raw: bytes, source: str, kind: str) -> str:
    """UTF-8 text, a byte order mark ignored."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            [
                Problem(
                    "encoding",
                    NO_VALUE,
                    f"is not UTF-8 text (a {kind} must be saved as UTF-8)",
                    source,
                    f"byte {exc.start + 1}",
                )
            ]
        ) from None


def _unique_keys(pairs: Sequence[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"the member {key!r} occurs twice in one object")
        out[key] = value
    return out


def json_value(text: str, source: str, kind: str) -> Any:
    """The JSON value of a text; an object with a member twice is refused (not last-wins)."""
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise InputError(
            [
                Problem(
                    kind,
                    NO_VALUE,
                    f"is not valid JSON: {exc.msg}",
                    source,
                    f"line {exc.lineno} column {exc.colno}",
                )
            ]
        ) from None
    except (ValueError, RecursionError) as exc:
        message = "is nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise InputError([Problem(kind, NO_VALUE, message, source)]) from None
