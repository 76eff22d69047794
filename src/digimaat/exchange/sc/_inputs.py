"""The inputs of an import: files, compressed files, directories and tar archives (SCI-1).

Every path is opened as a stream and never unpacked to disk. Compression is recognised by
its magic bytes (gzip, xz), a tar archive by the ``ustar`` mark of its first header, so a
file's name does not decide how it is read; in a directory only files whose names end in
``.xml``, ``.gz``, ``.xz``, ``.tar``, ``.tgz`` or ``.txz`` are read (the others are counted
as skipped). Decompressed bytes are counted against two limits: one per XML document and
one per path, so that a small compressed file cannot expand without bound.
"""

from __future__ import annotations

import gzip
import io
import lzma
import os
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Final

import attrs

from digimaat._classes import shared_eq, shared_repr
from digimaat.errors import NO_VALUE, Problem

__all__ = [
    "MAX_ARCHIVE_BYTES",
    "MAX_DOCUMENT_BYTES",
    "LimitExceededError",
    "Limits",
    "Member",
    "input_size",
    "members",
]

MAX_DOCUMENT_BYTES: Final = 64 * 1024 * 1024
"""Default limit on one XML document after decompression (the largest SRU response of the
national harvest of 2023 is 2.4 MB; a response of 1,000 records about 3 MB)."""
MAX_ARCHIVE_BYTES: Final = 2 * 1024 * 1024 * 1024
"""Default limit on everything one path decompresses to (the national harvest: 176 MB)."""
_DIRECTORY_SUFFIXES: Final = (".xml", ".gz", ".xz", ".tar", ".tgz", ".txz")
_GZIP: Final = b"\x1f\x8b"
_XZ: Final = b"\xfd7zXZ\x00"
_CHUNK: Final = 1 << 16


@attrs.frozen
@shared_repr
@shared_eq
class Limits:
    """Decompressed-size limits of an import (SCI-1.1), in bytes."""

    document: int = MAX_DOCUMENT_BYTES
    """One XML document (a file, or a member of an archive)."""
    archive: int = MAX_ARCHIVE_BYTES
    """Everything one path (a file or an archive) decompresses to."""


class LimitExceededError(Exception):
    """A stream gave more bytes than its limit allows."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"{what} is larger than the limit of {limit:,} bytes")
        self.what = what
        self.limit = limit


class _Passed(io.RawIOBase):
    """A read-only stream of another stream's bytes, passed on as they are read: at most
    ``limit`` of them (more is refused), each reported to ``seen`` (for a progress bar)."""

    def __init__(
        self,
        inner: IO[bytes] | gzip.GzipFile | lzma.LZMAFile,
        *,
        limit: int | None = None,
        what: str = "",
        seen: Callable[[int], None] | None = None,
    ) -> None:
        self._inner = inner
        self._left = limit
        self._limit = 0 if limit is None else limit
        self._what = what
        self._seen = seen

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        left = self._left
        data = self._inner.read(len(view) if left is None else min(len(view), left + 1))
        if left is not None:
            if len(data) > left:
                raise LimitExceededError(self._what, self._limit)
            self._left = left - len(data)
        view[: len(data)] = data
        if data and self._seen is not None:
            self._seen(len(data))
        return len(data)


@attrs.frozen(eq=False)
@shared_repr
class Member:
    """One XML document to read: its name in provenance and problems, and its stream."""

    name: str
    stream: IO[bytes]


@attrs.frozen(eq=False)
@shared_repr
class Skipped:
    """A file of a directory, or a member of an archive, that is not read, and why."""

    name: str
    reason: str


def input_size(paths: list[Path]) -> int:
    """The bytes the paths hold on disk (for a progress bar); files that fail count 0."""
    total = 0
    for path in paths:
        try:
            if path.is_dir():
                total += sum(f.stat().st_size for f in _directory_files(path)[0])
            else:
                total += path.stat().st_size
        except OSError:
            continue
    return total


def _directory_files(path: Path) -> tuple[list[Path], list[Path]]:
    """The files of a directory tree that are read, and those that are not, sorted."""
    read: list[Path] = []
    other: list[Path] = []
    for folder, dirs, files in os.walk(path):
        dirs.sort()
        for name in sorted(files):
            file = Path(folder, name)
            (read if name.lower().endswith(_DIRECTORY_SUFFIXES) else other).append(file)
    return read, other


def members(
    path: Path, limits: Limits, seen: Callable[[int], None]
) -> Iterator[Member | Skipped | Problem]:
    """The XML documents of one path argument, in a fixed order (SCI-1).

    Names are the path's last part, then the path inside a directory (``raw/Delft.xml``)
    or, after a colon, inside an archive (``national.tar.xz:per-gemeente/Delft.xml``): never
    an absolute path. A path that cannot be read gives a :class:`~digimaat.errors.Problem`.
    """
    name = path.name or str(path)
    if path.is_dir():
        read, other = _directory_files(path)
        for file in other:
            yield Skipped(
                f"{name}/{file.relative_to(path).as_posix()}", "not .xml, .gz, .xz or tar"
            )
        for file in read:
            yield from _file(file, f"{name}/{file.relative_to(path).as_posix()}", limits, seen)
        return
    yield from _file(path, name, limits, seen)


def _file(
    path: Path, name: str, limits: Limits, seen: Callable[[int], None]
) -> Iterator[Member | Skipped | Problem]:
    try:
        raw = path.open("rb")
    except OSError as exc:
        yield Problem("file", NO_VALUE, f"cannot be read: {exc.strerror or exc}", name)
        return
    with raw:
        counted = io.BufferedReader(_Passed(raw, seen=seen), _CHUNK)
        magic = counted.peek(6)[:6]
        stream: IO[bytes] | gzip.GzipFile | lzma.LZMAFile = counted
        if magic.startswith(_GZIP):
            stream = gzip.GzipFile(fileobj=counted, mode="rb")
        elif magic.startswith(_XZ):
            stream = lzma.LZMAFile(counted, mode="rb")  # noqa: SIM115 (closed with raw)
        limited = io.BufferedReader(_Passed(stream, limit=limits.archive, what=name), _CHUNK)
        try:
            head = limited.peek(512)[:512]
        except (OSError, EOFError, lzma.LZMAError, LimitExceededError) as exc:
            yield _broken(name, exc)
            return
        if len(head) >= 262 and head[257:262] == b"ustar":
            yield from _archive(limited, name, limits)
            return
        document = _Passed(limited, limit=limits.document, what=name)
        yield Member(name, io.BufferedReader(document, _CHUNK))


def _archive(stream: IO[bytes], name: str, limits: Limits) -> Iterator[Member | Skipped | Problem]:
    """The XML members of a tar archive, read as a stream (members are never written)."""
    try:
        with tarfile.open(fileobj=stream, mode="r|") as archive:
            for info in archive:
                member = f"{name}:{info.name}"
                if info.isdir():
                    continue
                if not info.isfile():
                    yield Skipped(member, "not a regular file")
                    continue
                if not info.name.lower().endswith(".xml"):
                    yield Skipped(member, "not .xml")
                    continue
                if info.size > limits.document:
                    yield _broken(member, LimitExceededError(member, limits.document))
                    continue
                content = archive.extractfile(info)
                if content is None:  # pragma: no cover - a regular file always has content
                    continue
                yield Member(member, content)
    except (OSError, EOFError, lzma.LZMAError, tarfile.TarError, LimitExceededError) as exc:
        yield _broken(name, exc)


def _broken(name: str, exc: BaseException) -> Problem:
    """A problem for a file that cannot be decompressed or unpacked."""
    if isinstance(exc, LimitExceededError):
        return Problem("file", NO_VALUE, f"decompresses to more than {exc.limit:,} bytes", name)
    if isinstance(exc, tarfile.TarError):
        return Problem("file", NO_VALUE, f"is not a readable tar archive: {exc}", name)
    return Problem("file", NO_VALUE, f"cannot be decompressed: {exc}", name)
