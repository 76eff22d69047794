"""The first stage of reading: bytes from a file, under limits (specification chapter XCH).

Every reader starts here. A :class:`Source` is the content of one input: its name (for
problems), its bytes (UTF-8, byte order mark removed) and the form it is written in. The
checks made here come before any parsing, so that a hostile file is refused before it can
cost memory or time (XCH-3, XCH-4):

- a file larger than the size limit is refused after reading at most the limit and one
  byte; a compressed file (``.gz``, ``.xz``) is decompressed under the same limit, so a
  compression bomb is refused too;
- text that is not UTF-8, or that starts with a UTF-16 or UTF-32 byte order mark, is
  refused naming the line; an empty file is refused.

>>> from digimaat.exchange.source import Limits, text_source
>>> text_source("\\ufeffcbs_code\\n", form="csv").data
b'cbs_code\\n'
>>> text_source(b"\\xff\\xfea\\x00", name="x.csv", form="csv")
Traceback (most recent call last):
...
digimaat.errors.InputError: 1 problem found:
  x.csv: encoding: is UTF-16 text; save it as UTF-8 (in Excel: 'CSV UTF-8') (got 'UTF-16') [XCH-3]
"""

from __future__ import annotations

import codecs
import os
import zlib
from typing import IO, Any, Final

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat.errors import MAX_PROBLEMS, NO_VALUE, InputError, InvalidValueError, Problem

__all__ = [
    "COMPRESSED",
    "FORMS",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_TEXT",
    "Limits",
    "Source",
    "form_of",
    "path_name",
    "path_suffix",
    "read_source",
    "text_source",
    "without_bom",
]

MAX_BYTES: Final = 128 * 1024 * 1024
"""The default size limit of an input, in bytes (128 MiB, XCH-4), after decompression."""

MAX_DEPTH: Final = 64
"""The default limit of nesting in a JSON document (XCH-4)."""

MAX_TEXT: Final = 10_000
"""The default limit of the length of one text field, in characters (XCH-4)."""

FORMS: Final = ("json", "csv", "xlsx")
"""The forms an exchange file can be written in, by the extension that names them."""
_BINARY: Final = frozenset({"xlsx"})

COMPRESSED: Final = (".gz", ".xz")
"""The extensions of compressed inputs, decompressed under the size limit (XCH-4)."""
_BOMS: Final = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
_PIECE = 16 * 1024


def _positive(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidValueError(attribute.name, value, "must be a positive whole number")


@attrs.frozen
@shared_repr
@shared_eq
class Limits:
    """The limits a reader applies (XCH-4); each is documented in "Limits and bad input".

    >>> Limits().max_bytes, Limits(max_problems=10).max_problems
    (134217728, 10)
    """

    max_bytes: int = attrs.field(default=MAX_BYTES, validator=_positive)
    """Size of one input in bytes, after decompression."""
    max_depth: int = attrs.field(default=MAX_DEPTH, validator=_positive)
    """Nesting of arrays and objects in a JSON document."""
    max_problems: int = attrs.field(default=MAX_PROBLEMS, validator=_positive)
    """Problems kept per read; further problems are counted, not kept."""
    max_text: int = attrs.field(default=MAX_TEXT, validator=_positive)
    """Characters in one text field."""


@attrs.frozen(eq=False)
@shared_repr
class Source:
    """The bytes of one input, checked for size and encoding, and its name and form."""

    name: str
    """The name problems give the input: the path as given, or a stand-in such as ``<text>``."""
    data: bytes
    """The content: UTF-8, without a byte order mark, not empty."""
    form: str | None
    """``"json"`` or ``"csv"`` when known (from the extension or the caller)."""

    def problem(
        self,
        field: str,
        value: Any,
        message: str,
        location: str | None = None,
        clause: str | None = None,
    ) -> InputError:
        """An :class:`InputError` with one problem of this source."""
        return InputError(
            [Problem(field, value, message, source=self.name, location=location, clause=clause)]
        )


def form_of(name: str) -> str | None:
    """The form an input's name gives: its extension, after a compression extension.

    >>> form_of("data/2024.CSV"), form_of("baseline.json.xz"), form_of("notes.txt")
    ('csv', 'json', None)
    """
    suffix = path_suffix(name).lower()
    if suffix in COMPRESSED:
        last = path_name(name)
        suffix = path_suffix(last[: len(last) - len(suffix)]).lower()
    form = suffix.lstrip(".")
    return form if form in FORMS else None


def path_name(path: str) -> str:
    """The last part of a path, as :class:`pathlib.PurePath` names it (without importing
    :mod:`pathlib`, which imports ``urllib.parse`` and ``ipaddress``: a few milliseconds of
    a short command).

    >>> path_name("data/2024.csv"), path_name("data/2024.csv/"), path_name("a/./."), path_name("")
    ('2024.csv', '2024.csv', 'a', '')
    """
    rest = os.path.splitdrive(path)[1]
    if os.altsep:
        rest = rest.replace(os.altsep, os.sep)
    parts = [part for part in rest.split(os.sep) if part and part != "."]
    return parts[-1] if parts else ""


def path_suffix(path: str) -> str:
    """The extension of a path's last part, as :class:`pathlib.PurePath` gives it.

    >>> path_suffix("a/2024.CSV"), path_suffix("b.json.xz"), path_suffix(".json"), path_suffix("x.")
    ('.CSV', '.xz', '', '')
    """
    name = path_name(path)
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""


def read_source(
    file: str | os.PathLike[str] | IO[bytes] | IO[str],
    *,
    name: str | None = None,
    form: str | None = None,
    limits: Limits | None = None,
) -> Source:
    """Read a path or an open file under the limits (XCH-3, XCH-4).

    ``file`` is a path (``str`` or :class:`os.PathLike`) or a file object opened for
    reading (binary or text). ``form`` defaults to the form the name's extension gives. A
    ``.gz`` or ``.xz`` file is decompressed, its decompressed size limited like any other.
    """
    limits = _limits(limits)
    compressed: str | None = None
    if isinstance(file, str | os.PathLike):
        path = os.fspath(file)
        if not isinstance(path, str):
            raise InvalidValueError("file", path, "must be a path, not bytes")
        source_name = name if name is not None else path
        suffix = path_suffix(path).lower()
        compressed = suffix if suffix in COMPRESSED else None
        try:
            with open(path, "rb") as handle:
                raw = handle.read(limits.max_bytes + 1)
        except (OSError, ValueError) as exc:  # ValueError: a path with a NUL character
            reason = exc.strerror if isinstance(exc, OSError) else None
            raise InputError(
                [
                    Problem(
                        "file",
                        path,
                        f"cannot be read ({reason or exc})",
                        source=source_name,
                        clause="XCH-3",
                    )
                ]
            ) from None
    elif hasattr(file, "read"):
        source_name = name if name is not None else str(getattr(file, "name", "<file>"))
        try:
            content = file.read(limits.max_bytes + 1)
        except (OSError, ValueError) as exc:
            raise InputError(
                [Problem("file", NO_VALUE, f"cannot be read ({exc})", source=source_name)]
            ) from None
        if isinstance(content, str):
            return text_source(content, name=source_name, form=form, limits=limits)
        if not isinstance(content, bytes | bytearray):
            raise InvalidValueError("file", type(content).__name__, "read() must return bytes")
        raw = bytes(content)
        compressed = next((c for c in COMPRESSED if source_name.lower().endswith(c)), None)
    else:
        raise InvalidValueError(
            "file",
            type(file).__name__,
            "must be a path or a file object; use loads() for text or bytes in memory",
        )
    if form is None:
        form = form_of(source_name)
    if compressed is not None:
        raw = _decompress(raw, compressed, source_name, limits)
    return _checked(raw, source_name, form, limits)


def text_source(
    text: str | bytes,
    *,
    name: str | None = None,
    form: str | None = None,
    limits: Limits | None = None,
) -> Source:
    """An input held in memory: its text, or its bytes (XCH-3, XCH-4)."""
    limits = _limits(limits)
    if isinstance(text, str):
        source_name = name if name is not None else "<text>"
        if len(text) > limits.max_bytes:
            raise _too_large(source_name, limits)
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise InputError(
                [
                    Problem(
                        "encoding",
                        text[exc.start : exc.end],
                        "is not valid Unicode text (a lone surrogate)",
                        source=source_name,
                        location=_line_of(text, exc.start),
                        clause="XCH-3",
                    )
                ]
            ) from None
    elif isinstance(text, bytes | bytearray | memoryview):
        source_name = name if name is not None else "<bytes>"
        raw = bytes(text)
    else:
        raise InvalidValueError(
            "text", type(text).__name__, "must be text (str) or bytes; use load() for a file"
        )
    return _checked(raw, source_name, form, limits)


def _limits(limits: Limits | None) -> Limits:
    if limits is None:
        return Limits()
    if not isinstance(limits, Limits):
        raise InvalidValueError("limits", type(limits).__name__, "must be a Limits record")
    return limits


def _too_large(name: str, limits: Limits) -> InputError:
    return InputError(
        [
            Problem(
                "file",
                NO_VALUE,
                f"is larger than the limit of {limits.max_bytes:,} bytes",
                source=name,
                clause="XCH-4",
                suggestion="split the file, or raise the limit (max_bytes, --max-bytes)",
            )
        ]
    )


def _decompress(raw: bytes, kind: str, name: str, limits: Limits) -> bytes:
    """Decompress under the size limit: at most ``max_bytes + 1`` bytes are produced."""
    import lzma  # only for a compressed file

    try:
        if kind == ".xz":
            lz = lzma.LZMADecompressor()
            out = lz.decompress(raw, max_length=limits.max_bytes + 1)
            complete = lz.eof
        else:
            gz = zlib.decompressobj(wbits=31)
            out = gz.decompress(raw, limits.max_bytes + 1)
            complete = gz.eof
    except (lzma.LZMAError, zlib.error, EOFError) as exc:
        raise InputError(
            [Problem("file", NO_VALUE, f"is not a valid {kind} file ({exc})", source=name)]
        ) from None
    if len(out) > limits.max_bytes:
        raise _too_large(name, limits)
    if not complete:
        raise InputError([Problem("file", NO_VALUE, f"is a truncated {kind} file", source=name)])
    return out


def _checked(raw: bytes, name: str, form: str | None, limits: Limits) -> Source:
    if len(raw) > limits.max_bytes:
        raise _too_large(name, limits)
    if form in _BINARY:  # a workbook: a zip archive, checked by its reader
        if not raw:
            raise InputError([Problem("file", NO_VALUE, "is empty", source=name, clause="XCH-3")])
        return Source(name, raw, form)
    raw = without_bom(raw, name)
    _check_utf8(raw, name)
    if not raw or raw.isspace():  # as raw.strip() == b"", without copying the input
        raise InputError([Problem("file", NO_VALUE, "is empty", source=name, clause="XCH-3")])
    return Source(name, raw, form)


def without_bom(raw: bytes, name: str) -> bytes:
    """Text without its UTF-8 byte order mark; text that starts with a UTF-16 or UTF-32
    one is refused (XCH-3).

    >>> without_bom(b"\\xef\\xbb\\xbfcbs_code", "x.csv")
    b'cbs_code'
    """
    if raw.startswith(_UTF8_BOM):
        return raw[len(_UTF8_BOM) :]
    for bom, encoding in _BOMS:
        if raw.startswith(bom):
            raise InputError(
                [
                    Problem(
                        "encoding",
                        encoding,
                        f"is {encoding} text; save it as UTF-8 (in Excel: 'CSV UTF-8')",
                        source=name,
                        clause="XCH-3",
                    )
                ]
            )
    return raw


_UTF8_BOM: Final = b"\xef\xbb\xbf"


def _check_utf8(raw: bytes, name: str) -> None:
    """Refuse bytes that are not UTF-8, naming the line; pieces at a time (bounded memory)."""
    try:
        check = Utf8Check()
        check.feed(raw)
        check.close()
    except UnicodeDecodeError:
        try:  # only on error: decode the whole input once more, for the exact offset
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw.count(b"\n", 0, exc.start) + 1
            raise InputError(
                [
                    Problem(
                        "encoding",
                        raw[exc.start : exc.start + 4],
                        "is not UTF-8 text; save the file as UTF-8 (in Excel: 'CSV UTF-8')",
                        source=name,
                        location=f"line {line}",
                        clause="XCH-3",
                    )
                ]
            ) from None


class Utf8Check:
    """Whether bytes given a part at a time are UTF-8 together (XCH-3).

    Only the pieces that hold a byte beyond ASCII are decoded: an ASCII byte is a character
    of its own, so a piece of ASCII bytes is valid UTF-8 unless a sequence of the piece
    before it is left unfinished (then it is decoded, and refused). :meth:`feed` and
    :meth:`close` raise :class:`UnicodeDecodeError` on the first byte that is not UTF-8.

    >>> check = Utf8Check()
    >>> check.feed("caf\\u00e9".encode()[:4]); check.feed(b"\\xa9 au lait"); check.close()
    >>> check.feed(b"\\xff")
    Traceback (most recent call last):
    ...
    UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte
    """

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._pending = False  # a sequence left unfinished at the end of the last part

    def feed(self, data: bytes) -> None:
        """Check the next part."""
        if not self._pending and data.isascii():
            return
        for start in range(0, len(data), _PIECE):
            piece = data[start : start + _PIECE]
            if self._pending or not piece.isascii():
                self._decoder.decode(piece)
                self._pending = bool(self._decoder.getstate()[0])

    def close(self) -> None:
        """Check that the last part left no sequence unfinished."""
        self._decoder.decode(b"", final=True)


def _line_of(text: str, offset: int) -> str:
    return f"line {text.count(chr(10), 0, offset) + 1}"


guard(__name__)
