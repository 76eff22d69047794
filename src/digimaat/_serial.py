"""The package's cattrs converter, shared by the package data loaders and the exchange layer.

The converter knows the vocabulary's exchange names: an assurance level is written as its
name (``"substantial"``), a maturity level as its label (``"fully-online"``), a channel or
capability as its value. Structuring applies the same parsers the vocabulary uses, so a
name is accepted in the same forms everywhere.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import attrs

from digimaat._classes import shared_eq, shared_repr
from digimaat._numbers import MAX_WEIGHT
from digimaat.errors import NO_VALUE, InvalidValueError, Problem

if TYPE_CHECKING:  # pragma: no cover - cattrs is imported when the converter is first built
    import cattrs

__all__ = [
    "MAX_NUMBER",
    "Shown",
    "WrongTypeError",
    "converter",
    "parse_data",
    "problems_of",
    "shown",
    "structure",
]


class WrongTypeError(InvalidValueError):
    """A value of the wrong type for its field (a text where a number is expected).

    A problem of the form of the data rather than of a value's rule: :func:`problems_of`
    gives it the clause its caller names for the form (``form``).
    """


@functools.cache
def converter() -> cattrs.Converter:
    """Return the shared converter (built on first use)."""
    import cattrs

    from digimaat.vocabulary.assurance import AssuranceLevel, AuthMeans, parse_level
    from digimaat.vocabulary.channels import Channel
    from digimaat.vocabulary.maturity import Capability, MaturityLevel

    conv = cattrs.Converter(forbid_extra_keys=True)

    # Strict primitives: cattrs would otherwise call bool("no") -> True or str(3) -> "3".
    def _strict(kind: type, name: str) -> Any:
        def hook(value: Any, _: type) -> Any:
            if isinstance(value, bool) and kind is not bool:
                raise WrongTypeError("value", value, f"must be {name}, not a boolean")
            if kind is float and isinstance(value, int):
                return float(value)
            if not isinstance(value, kind):
                raise WrongTypeError("value", value, f"must be {name}")
            return value

        return hook

    conv.register_structure_hook(bool, _strict(bool, "true or false"))
    conv.register_structure_hook(int, _strict(int, "an integer"))
    conv.register_structure_hook(float, _strict(float, "a number"))
    conv.register_structure_hook(str, _strict(str, "a string"))

    def _level(value: Any, _: type) -> AssuranceLevel:
        return parse_level(value)

    conv.register_structure_hook(AssuranceLevel, _level)
    conv.register_unstructure_hook(AssuranceLevel, lambda v: v.label)
    conv.register_structure_hook(MaturityLevel, lambda v, _: MaturityLevel.parse(v))
    conv.register_unstructure_hook(MaturityLevel, lambda v: v.label)
    conv.register_structure_hook(AuthMeans, lambda v, _: AuthMeans.parse(v))
    conv.register_structure_hook(Channel, lambda v, _: Channel.parse(v))
    conv.register_structure_hook(Capability, lambda v, _: Capability.parse(v))
    return conv


def structure(value: Any, kind: type[Any], where: str = "") -> tuple[Any, list[Problem]]:
    """Structure plain data into ``kind`` with the shared converter, or report why not.

    Every problem of the data is reported, each at its JSON pointer below ``where``: cattrs
    groups the errors of the fields of a record and notes the path of each, and
    :func:`problems_of` (the one walker of cattrs' error trees) turns them into problems.

    >>> import attrs
    >>> @attrs.frozen
    ... class Pair:
    ...     left: int
    ...     right: int
    >>> structure({"left": 1, "right": 2}, Pair)
    (Pair(left=1, right=2), [])
    >>> _, problems = structure({"left": "1", "rigt": 2}, Pair, "/pairs/0")
    >>> for p in problems:
    ...     print(p)
    /pairs/0/left: left: must be an integer (got '1')
    /pairs/0/right: right: is required
    /pairs/0/rigt: rigt: is not a member here; expected one of: left, right
    """
    try:
        return converter().structure(value, kind), []
    except Exception as exc:  # cattrs' groups, InvalidValueError, or a type error
        return None, list(problems_of(exc, value, where, kind))


def problems_of(
    exc: BaseException,
    raw: Any,
    where: str,
    kind: type[Any],
    *,
    form: str | None = None,
    unknown: str | None = None,
) -> Iterator[Problem]:
    """Every leaf of a cattrs error tree as a problem at its JSON pointer (the one walker).

    A problem of the form of the data (a value of the wrong type, a missing member) names
    the clause ``form``, a member the record does not have the clause ``unknown`` (by
    default ``form``); a value that breaks the rule of its field keeps the clause its
    validator names, or none.
    """
    clauses = (form, unknown if unknown is not None else form)
    yield from _walk(exc, raw, [], where, kind, clauses)


def _walk(
    exc: BaseException,
    raw: Any,
    path: list[str | int],
    where: str,
    kind: type[Any],
    clauses: tuple[str | None, str | None],
) -> Iterator[Problem]:
    from cattrs.errors import (
        AttributeValidationNote,
        BaseValidationError,
        ForbiddenExtraKeysError,
        IterableValidationNote,
    )

    if isinstance(exc, BaseValidationError):
        with_notes, others = exc.group_exceptions()
        for inner, note in with_notes:
            step: str | int = ""
            if isinstance(note, AttributeValidationNote):
                step = note.name
            elif isinstance(note, IterableValidationNote):
                step = note.index
            yield from _walk(inner, raw, [*path, step], where, kind, clauses)
        for inner in others:
            yield from _walk(inner, raw, path, where, kind, clauses)
        return
    names = [str(p) for p in path if isinstance(p, str) and p]
    if isinstance(exc, ForbiddenExtraKeysError):
        target = exc.cl if attrs.has(exc.cl) else kind
        allowed = ", ".join(a.name for a in attrs.fields(target)) if attrs.has(target) else ""
        for key in sorted(exc.extra_fields, key=str):
            yield Problem(
                ".".join([*names, str(key)]),
                NO_VALUE,
                f"is not a member here; expected one of: {allowed}",
                location=where + _pointer(*path, key),
                clause=clauses[1],
            )
        return
    if isinstance(exc, KeyError):
        yield Problem(
            ".".join(names) or "record",
            NO_VALUE,
            "is required",
            location=where + _pointer(*path),
            clause=clauses[0],
        )
        return
    if isinstance(exc, InvalidValueError):
        problem = exc.problem
        field = problem.field
        if field in ("value", "assurance", "level") and names:
            field = ".".join(names)
        steps: list[str | int] = list(path)
        if not path and isinstance(raw, dict) and field in raw:
            steps = [field]  # raised by the class itself: point at the field it names
        yield Problem(
            field,
            problem.value,
            problem.message,
            location=where + _pointer(*steps),
            clause=clauses[0] if isinstance(exc, WrongTypeError) else problem.clause,
        )
        return
    yield Problem(
        ".".join(names) or "record",
        shown(_at(raw, path)),
        "has the wrong type",
        location=where + _pointer(*path),
        clause=clauses[0],
    )


def _pointer(*parts: str | int) -> str:
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in parts if p != "")


def _at(raw: Any, path: list[str | int]) -> Any:
    for step in path:
        if step == "":
            continue
        try:
            raw = raw[step]
        except (KeyError, IndexError, TypeError):
            return NO_VALUE
    return raw


def shown(value: Any) -> Any:
    """A value as a problem shows it: scalars as they are, an object or an array by its size.

    >>> shown({"a": 1}), shown([1, 2]), shown(3)
    ({...} (an object with 1 members), [...] (an array of 2 items), 3)
    """
    if isinstance(value, dict):
        return Shown(f"{{...}} (an object with {len(value)} members)")
    if isinstance(value, list | tuple):
        return Shown(f"[...] (an array of {len(value)} items)")
    return value


@attrs.frozen
@shared_repr
@shared_eq
class Shown:
    """A description shown in a problem in place of a value (``repr`` gives it bare)."""

    text: str

    def __repr__(self) -> str:
        return self.text


MAX_NUMBER = MAX_WEIGHT
"""The largest magnitude of a number in a profile file (PRF-7.1): that of a weight (WGT-1)."""


def parse_data(text: str, form: str, source: str, max_depth: int = 64) -> Any:
    """Plain data from the text of a TOML or JSON file, checked as the standard requires.

    The one reader of profile files (PRF-7.1), for files and for the built-in profiles
    alike: a member or key given twice is refused in either form (TOML refuses it by its
    own rules), ``NaN`` and infinities are refused, numbers larger than
    :data:`MAX_NUMBER` in magnitude are refused, and nesting deeper than ``max_depth``
    levels is refused before it can exhaust a parser. Every problem names the source.

    >>> parse_data('{"a": 1, "a": 2}', "json", "p.json")
    Traceback (most recent call last):
    ...
    digimaat.errors.InputError: 1 problem found:
      p.json:/a: a: is repeated within its object; every member name must be unique [PRF-7.1]
    """
    from digimaat.errors import InputError

    problems: list[Problem] = []
    if _too_deep(text, max_depth, 1 if form == "toml" else 0):
        raise InputError(
            [
                Problem(
                    "profile",
                    NO_VALUE,
                    f"is nested more than {max_depth} levels deep",
                    source=source,
                    clause="PRF-7.1",
                )
            ]
        )
    if form == "toml":
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - exercised on Python 3.10 only
            import tomli as tomllib
        try:
            data: Any = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError) as exc:
            raise InputError(
                [
                    Problem(
                        "profile",
                        NO_VALUE,
                        f"is not valid TOML: {exc}",
                        source=source,
                        clause="PRF-7.1",
                    )
                ]
            ) from None
    elif form == "json":
        repeated: list[tuple[str, ...]] = []

        def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
            result = dict(items)
            if len(result) != len(items):
                names = [name for name, _ in items]
                repeated.append(tuple(sorted({n for n in names if names.count(n) > 1})))
                return _Repeated(result, repeated[-1])
            return result

        def constant(name: str) -> Any:
            raise ValueError(f"{name} is not a JSON number")

        try:
            data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
        except (ValueError, RecursionError) as exc:
            raise InputError(
                [
                    Problem(
                        "profile",
                        NO_VALUE,
                        f"is not valid JSON: {exc}",
                        source=source,
                        clause="PRF-7.1",
                    )
                ]
            ) from None
    else:
        raise InvalidValueError("format", form, "must be 'toml' or 'json'")
    for where, node in _nodes(data):
        if isinstance(node, _Repeated):
            problems.extend(
                Problem(
                    name,
                    NO_VALUE,
                    "is repeated within its object; every member name must be unique",
                    source=source,
                    location=f"{where}{_pointer(name)}",
                    clause="PRF-7.1",
                )
                for name in node.repeated
            )
        elif (
            isinstance(node, float | int)
            and not isinstance(node, bool)
            and (abs(node) > MAX_NUMBER or not math.isfinite(node))  # an int may be huge
        ):
            value = node if isinstance(node, float) else Shown("a number too large")
            problems.append(
                Problem(
                    where.rsplit("/", 1)[-1] or "profile",
                    value,
                    f"must be a finite number at most {MAX_NUMBER:.0e}",
                    source=source,
                    location=where or "/",
                    clause="PRF-7.1",
                )
            )
    if problems:
        raise InputError(problems)
    return _plain(data)


class _Repeated(dict[str, Any]):
    def __init__(self, data: dict[str, Any], repeated: tuple[str, ...]) -> None:
        super().__init__(data)
        self.repeated = repeated


def _nodes(data: Any) -> Iterator[tuple[str, Any]]:
    stack: list[tuple[str, Any]] = [("", data)]
    while stack:
        where, node = stack.pop()
        yield where, node
        if isinstance(node, dict):
            stack.extend((where + _pointer(k), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((where + _pointer(i), v) for i, v in enumerate(node))


def _plain(data: Any) -> Any:
    """The data with marked objects turned back into plain dictionaries."""
    if isinstance(data, dict):
        return {k: _plain(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_plain(v) for v in data]
    return data


def _too_deep(text: str, max_depth: int, start: int = 0) -> bool:
    """Whether brackets nest deeper than ``max_depth`` (outside strings), before parsing."""
    depth = start
    in_string = False
    escaped = False
    comment = False
    quote = ""
    for char in text:
        if comment:
            comment = char != "\n"
        elif in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                in_string = False
        elif char in "\"'":
            in_string, quote = True, char
        elif char in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif char in "]}":
            depth -= 1
        elif char == "#":
            comment = True
    return False
