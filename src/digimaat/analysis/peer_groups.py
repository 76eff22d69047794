"""Peer groups: by CBS size class, from a file, and of every municipality (CMP-2 to CMP-4).

The groups a municipality is compared within: the municipalities of the data in the same
CBS size class (:func:`size_class_groups`, CMP-2), groups a user defines in a file
(:func:`read_peer_groups`, CMP-3), and every municipality of the data (:data:`ALL`,
CMP-4). :mod:`digimaat.analysis.peers` compares score cards within them and offers these
names too.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Final

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat._text import FORBIDDEN_MESSAGE, check_text, forbidden
from digimaat.analysis._files import decode, json_value, read_bytes
from digimaat.errors import NO_VALUE, InputError, InvalidValueError, Problem
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.profiles import ScoreBoard
from digimaat.vocabulary.municipalities import cbs_register, size_class

__all__ = [
    "ALL",
    "MAX_PEER_FILE_BYTES",
    "PEER_GROUPS_FORMAT",
    "PeerGroup",
    "PeerGroups",
    "parse_peer_groups",
    "peer_groups_from_mapping",
    "read_peer_groups",
    "size_class_groups",
]


PEER_GROUPS_FORMAT: Final = "digimaat-peer-groups"
"""The ``format`` member of a peer-group file in JSON (CMP-3)."""

MAX_PEER_FILE_BYTES: Final = 4 * 1024 * 1024
"""The size limit of a peer-group file: 4 MiB, checked before parsing (CMP-3)."""

MAX_NAME_LENGTH: Final = 200
"""The longest group name, in characters (CMP-3)."""

ALL: Final = "all"
"""The name of the group of every municipality of the data (CMP-4)."""

_CODE = re.compile(r"GM[0-9]{4}")
_SEPARATORS = re.compile("[\u2028\u2029]")
"""Line and paragraph separators: a group name is one line (besides the rule of XCH-4)."""
_KINDS = ("size-class", "file", "all")


# ---------------------------------------------------------------------- groups
def _sorted_codes(codes: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(codes)))


def _name(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    """A group's name: the rule a peer-group file's names follow (CMP-3, XCH-4)."""
    check_text("name", value, max_length=MAX_NAME_LENGTH, message="must be a non-empty text")
    assert isinstance(value, str)
    if _SEPARATORS.search(value):
        raise InvalidValueError("name", value, "must be one line", "CMP-3")


@attrs.frozen
@shared_repr
@shared_eq
class PeerGroup:
    """A named set of CBS codes to compare among (CMP-1)."""

    name: str = attrs.field(validator=_name)
    members: tuple[str, ...] = attrs.field(converter=_sorted_codes)
    """The members' CBS codes, sorted."""
    kind: str = attrs.field(default="file")
    """``"size-class"`` (CMP-2), ``"file"`` (CMP-3) or ``"all"`` (CMP-4)."""
    size_class: int | None = None
    """The CBS size class of a size-class group (MUN-3)."""

    @kind.validator
    def _kind(self, attribute: attrs.Attribute[str], value: str) -> None:
        if value not in _KINDS:
            raise InvalidValueError("kind", value, f"must be one of {_KINDS}")


@attrs.frozen
@shared_repr
@shared_eq
class PeerGroups:
    """Peer groups and how they were formed (stated with every comparison, CMP-2, CMP-3)."""

    groups: tuple[PeerGroup, ...]
    basis: str
    """How the groups were formed, for people: the population used, or the file read."""
    _by_code: Mapping[str, tuple[PeerGroup, ...]] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        names: set[str] = set()
        for group in self.groups:
            if group.name in names:
                raise InvalidValueError("name", group.name, "names two peer groups")
            names.add(group.name)
        if ALL in names:
            raise InvalidValueError("name", ALL, "is reserved for every municipality (CMP-4)")
        index: dict[str, list[PeerGroup]] = {}
        for group in self.groups:
            for code in group.members:
                index.setdefault(code, []).append(group)
        object.__setattr__(self, "_by_code", {c: tuple(gs) for c, gs in index.items()})

    def __iter__(self) -> Iterator[PeerGroup]:
        return iter(self.groups)

    def __len__(self) -> int:
        return len(self.groups)

    def of(self, code: str) -> tuple[PeerGroup, ...]:
        """The groups a municipality is a member of, in the order listed."""
        return self._by_code.get(code, ())

    def combine(self, other: PeerGroups) -> PeerGroups:
        """These groups followed by ``other``'s; group names must stay distinct."""
        return PeerGroups(self.groups + other.groups, f"{self.basis}; {other.basis}")


def size_class_groups(
    data: Dataset | ScoreBoard, *, register_year: int | None = None
) -> PeerGroups:
    """One group per CBS size class of the municipalities of the data (CMP-2).

    The class comes from each municipality's population in the data (MUN-1), or, with
    ``register_year``, from its population in the CBS register of that year (MUN-5); a
    municipality not in that register is an error, all of them reported together.

    >>> from digimaat.analysis.peers import size_class_groups
    >>> from digimaat.measurement.dataset import Dataset
    >>> from digimaat.vocabulary.municipalities import Municipality
    >>> ds = Dataset.from_offerings([], [Municipality("GM0556", "Maassluis", 34148, 2022),
    ...     Municipality("GM0606", "Schiedam", 79342, 2021),
    ...     Municipality("GM0622", "Vlaardingen", 74124, 2021)])
    >>> [(g.name, g.members) for g in size_class_groups(ds)]
    [('size class 4', ('GM0556',)), ('size class 5', ('GM0606', 'GM0622'))]
    """
    ds = data.dataset if isinstance(data, ScoreBoard) else data
    if register_year is None:
        populations = {m.cbs_code: m.population for m in ds.municipalities}
        basis = "CBS size class by the population in the data"
    else:
        register = cbs_register(register_year)
        problems = [
            Problem("municipality", code, f"is not in the CBS register of {register.year}")
            for code in ds.codes
            if code not in register
        ]
        if problems:
            raise InputError(problems)
        populations = {code: register.get(code).population for code in ds.codes}
        basis = f"CBS size class by the population on 1 January {register.year} ({register.source})"
    classes: dict[int, list[str]] = {}
    for code, population in populations.items():
        classes.setdefault(size_class(population).code, []).append(code)
    return PeerGroups(
        tuple(
            PeerGroup(f"size class {k}", members, "size-class", k)
            for k, members in sorted(classes.items())
        ),
        basis,
    )


def peer_groups_from_mapping(
    groups: Mapping[str, Iterable[str]], source: str | None = None
) -> PeerGroups:
    """Peer groups from ``{name: CBS codes}``, checked as a peer-group file is (CMP-3).

    >>> from digimaat.analysis.peers import peer_groups_from_mapping
    >>> (group,) = peer_groups_from_mapping({"Waterweg": ["GM0622", "GM0556", "GM0606"]})
    >>> group.name, group.members, group.kind
    ('Waterweg', ('GM0556', 'GM0606', 'GM0622'), 'file')
    """
    problems: list[Problem] = []
    built: list[PeerGroup] = []
    for name, codes in groups.items():
        members = list(codes) if not isinstance(codes, str) else codes
        group = _group(name, members, f"/groups/{_token(str(name))}", source, problems)
        if group is not None:
            built.append(group)
    if not groups:
        problems.append(Problem("groups", NO_VALUE, "must name at least one group", source))
    if problems:
        raise InputError(problems)
    return PeerGroups(tuple(built), f"peer groups of {source}" if source else "peer groups")


def _token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _group(
    name: object, members: object, where: str, source: str | None, problems: list[Problem]
) -> PeerGroup | None:
    """One group, every problem of it recorded (CMP-3)."""
    before = len(problems)
    if not isinstance(name, str) or not name.strip():
        problems.append(Problem("name", name, "must be a non-empty text", source, where))
    elif len(name) > MAX_NAME_LENGTH:
        problems.append(
            Problem("name", name, f"is longer than {MAX_NAME_LENGTH} characters", source, where)
        )
    elif forbidden(name) or _SEPARATORS.search(name):  # the rule of texts (XCH-4)
        problems.append(
            Problem(
                "name",
                name,
                FORBIDDEN_MESSAGE.replace("control", "control, line-separator"),
                source,
                where,
                clause="XCH-4",
            )
        )
    elif name == ALL:
        problems.append(
            Problem("name", name, "is reserved for every municipality (CMP-4)", source, where)
        )
    if not isinstance(members, list) or not members:
        problems.append(
            Problem("members", members, "must be a non-empty list of CBS codes", source, where)
        )
        return None
    seen: set[str] = set()
    for k, code in enumerate(members):
        at = f"{where}/{k}"
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            problems.append(
                Problem("cbs_code", code, "must be 'GM' followed by 4 digits", source, at)
            )
        elif code in seen:
            problems.append(Problem("cbs_code", code, "is listed twice in the group", source, at))
        else:
            seen.add(code)
    if len(problems) > before:
        return None
    assert isinstance(name, str)
    return PeerGroup(name, tuple(seen), "file")


def read_peer_groups(
    path: str | os.PathLike[str], *, max_bytes: int = MAX_PEER_FILE_BYTES
) -> PeerGroups:
    """Read a peer-group file, JSON or CSV by its extension (CMP-3).

    Every problem of the file is reported together, each with the file, the JSON pointer
    or row, the field and the value.
    """
    source = os.fspath(path)
    suffix = Path(path).suffix.lower()
    if suffix not in (".json", ".csv"):
        raise InputError(
            [Problem("file", suffix, "has an unknown extension; expected .json or .csv", source)]
        )
    text = decode(read_bytes(path, max_bytes, "peer-group file"), source, "peer-group file")
    return parse_peer_groups(text, suffix[1:], source)


def parse_peer_groups(text: str, form: str, source: str = "<peer groups>") -> PeerGroups:
    """Peer groups from the text of a peer-group file in the ``"json"`` or ``"csv"`` form (CMP-3).

    >>> from digimaat.analysis.peers import parse_peer_groups
    >>> groups = parse_peer_groups("group,cbs_code\\nWaterweg,GM0556\\nWaterweg,GM0622\\n", "csv")
    >>> [(g.name, g.members) for g in groups]
    [('Waterweg', ('GM0556', 'GM0622'))]
    >>> parse_peer_groups('{"format": "digimaat-peer-groups", "groups": {"": ["GM556"]}}', "json")
    Traceback (most recent call last):
    ...
    digimaat.errors.InputError: 2 problems found:
      <peer groups>:/groups/: name: must be a non-empty text (got '')
      <peer groups>:/groups//0: cbs_code: must be 'GM' followed by 4 digits (got 'GM556')
    """
    text = text.removeprefix("\ufeff")  # a byte order mark is allowed (CMP-3)
    if form == "json":
        return _parse_json(text, source)
    if form == "csv":
        return _parse_csv(text, source)
    raise InvalidValueError("form", form, "must be 'json' or 'csv'")


def _parse_json(text: str, source: str) -> PeerGroups:
    document = json_value(text, source, "peer-group file")
    if not isinstance(document, dict):
        raise InputError([Problem("peer-group file", NO_VALUE, "must be a JSON object", source)])
    problems: list[Problem] = []
    for key in sorted(set(document) - {"format", "groups", "source"}):
        problems.append(
            Problem(key, document[key], "is not a member of a peer-group file", source, f"/{key}")
        )
    if document.get("format") != PEER_GROUPS_FORMAT:
        problems.append(
            Problem(
                "format",
                document.get("format", NO_VALUE),
                f"must be {PEER_GROUPS_FORMAT!r}",
                source,
                "/format",
            )
        )
    if "source" in document and not isinstance(document["source"], str):
        problems.append(Problem("source", document["source"], "must be a text", source, "/source"))
    elif "source" in document and forbidden(document["source"], multiline=True):
        problems.append(
            Problem(
                "source", document["source"], FORBIDDEN_MESSAGE, source, "/source", clause="XCH-4"
            )
        )
    groups = document.get("groups")
    built: list[PeerGroup] = []
    if not isinstance(groups, dict) or not groups:
        problems.append(
            Problem(
                "groups",
                NO_VALUE if groups is None else groups,
                "must be an object from group names to lists of CBS codes, with one group at least",
                source,
                "/groups",
            )
        )
    else:
        for name, members in groups.items():
            group = _group(name, members, f"/groups/{_token(name)}", source, problems)
            if group is not None:
                built.append(group)
    if problems:
        raise InputError(problems)
    return PeerGroups(tuple(built), f"peer groups of {source}")


def _parse_csv(text: str, source: str) -> PeerGroups:
    lines = text.splitlines()
    header = lines[0] if lines else ""
    separator = ";" if header.count(";") > header.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=separator, strict=False))
    problems: list[Problem] = []
    if not rows or [cell.strip() for cell in rows[0]] != ["group", "cbs_code"]:
        raise InputError(
            [
                Problem(
                    "header",
                    rows[0] if rows else NO_VALUE,
                    "must be the two columns group and cbs_code",
                    source,
                    "row 1",
                )
            ]
        )
    members: dict[str, list[str]] = {}
    rows_of: dict[str, list[int]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line (spreadsheets end files with them)
        if len(row) != 2:
            problems.append(
                Problem("row", row, "must have exactly two cells", source, f"row {number}")
            )
            continue
        name, code = row[0].strip(), row[1].strip()
        members.setdefault(name, []).append(code)
        rows_of.setdefault(name, []).append(number)
    if not members and not problems:
        problems.append(Problem("groups", NO_VALUE, "must name at least one group", source))
    built: list[PeerGroup] = []
    for name, codes in members.items():
        found: list[Problem] = []
        group = _group(name, codes, "", source, found)
        for problem in found:  # a pointer into the list becomes the row of the CSV
            location = problem.location or ""
            k = int(location.rsplit("/", 1)[1]) if location.startswith("/") else 0
            problems.append(attrs.evolve(problem, location=f"row {rows_of[name][k]}"))
        if group is not None:
            built.append(group)
    if problems:
        raise InputError(sorted(problems, key=lambda p: int((p.location or "row 0")[4:])))
    return PeerGroups(tuple(built), f"peer groups of {source}")


guard(__name__)
