"""Machinery shared by the JSON and CSV forms (specification chapter XCH).

Reading input under the size limit and the encoding rule, the written forms of numbers
and rates, and cached parsers of the fields of an offering. The parsers return either
the parsed value or a :class:`Fault`, never raise on bad input, and remember every
distinct input they have seen: a national file repeats the same few statuses,
capability lists, authentication names and units many thousands of times, so each
distinct text is parsed once, and pint is asked about each distinct unit once.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import pathlib
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final, TypeVar

import attrs

from digimaat.errors import NO_VALUE, DigimaatError, InputError, InvalidValueError, Problem
from digimaat.units import rate_factor
from digimaat.vocabulary.assurance import Authentication
from digimaat.vocabulary.channels import CHANNELS, Channel
from digimaat.vocabulary.maturity import Capability, MaturityLevel
from digimaat.vocabulary.offerings import Status, Volumes
from digimaat.vocabulary.products import UPL_NAMESPACE, Catalogue

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "NO_VALUE",
    "ExchangeError",
    "Fault",
    "FieldParser",
    "Input",
    "format_number",
    "gc_paused",
    "pointer",
    "read_input",
]

MAX_BYTES: Final = 128 * 1024 * 1024
"""The default size limit of an input file, in bytes (128 MiB, XCH-4), checked before parsing."""

MAX_DEPTH: Final = 64
"""The default limit of nesting in a JSON document (XCH-4), checked before parsing."""

Input = str | bytes | os.PathLike[str]
"""What the loaders read: a path (``pathlib.Path``), the file's bytes, or its text."""

_T = TypeVar("_T")


class ExchangeError(DigimaatError):
    """A submission cannot be written in the asked form (e.g. local products in CSV, XCH-13)."""


@attrs.frozen
class Fault:
    """Why a value could not be parsed: ``(sub-location, message, value)`` items.

    The sub-location is a JSON pointer suffix (``"/2"`` for the third capability of a
    list) or ``""`` for the value itself.
    """

    items: tuple[tuple[str, str, Any], ...]

    @classmethod
    def one(cls, message: str, value: Any, sub: str = "") -> Fault:
        """A fault with a single item."""
        return cls(((sub, message, value),))

    @classmethod
    def of(cls, exc: InvalidValueError, sub: str = "") -> Fault:
        """The fault an :class:`~digimaat.errors.InvalidValueError` describes."""
        return cls.one(exc.problem.message, exc.problem.value, sub)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the records of a file are built.

    A national file creates about a million small objects, none of them in a reference
    cycle; the collector would otherwise walk all of them again and again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def pointer(*parts: str | int) -> str:
    """A JSON pointer (RFC 6901) from its reference tokens.

    >>> pointer("offerings", 3, "volumes", "e-mail")
    '/offerings/3/volumes/e-mail'
    >>> pointer("a/b", "c~d")
    '/a~1b/c~0d'
    """
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in parts)


@attrs.frozen
class Summary:
    """Stands in for a JSON array or object in a problem, so messages stay short."""

    text: str

    def __repr__(self) -> str:
        return self.text


def shown(value: Any) -> Any:
    """The value to put in a problem: scalars as they are, arrays and objects summarised."""
    if isinstance(value, dict):
        return Summary(f"{{...}} (an object with {len(value)} members)")
    if isinstance(value, list):
        return Summary(f"[...] (an array of {len(value)} items)")
    return value


# -- Reading input -----------------------------------------------------------------------

_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)


@attrs.frozen
class Text:
    """Decoded input: the text, its UTF-8 bytes where they were read, and the source name."""

    text: str
    data: bytes | None
    source: str


def _fail(source: str, field: str, value: Any, message: str, location: str | None = None) -> None:
    raise InputError([Problem(field, value, message, source=source, location=location)])


def read_input(data: Input, *, max_bytes: int, name: str | None, kind: str = "file") -> Text:
    """Read a path, bytes or text under the size limit and decode it as UTF-8 (XCH-3, XCH-4).

    A UTF-8 byte order mark is ignored. Text that is not UTF-8, a file over ``max_bytes``
    and an empty file (nothing but white space) are refused with an
    :class:`~digimaat.errors.InputError` naming the source.

    >>> read_input("\\ufeffcbs_code\\n", max_bytes=100, name=None).text
    'cbs_code\\n'
    >>> read_input(b"\\xff\\xfea\\x00", max_bytes=100, name="x.csv")
    Traceback (most recent call last):
    ...
    digimaat.errors.InputError: 1 problem found:
      x.csv: encoding: is UTF-16 text; save it as UTF-8 (in Excel: 'CSV UTF-8') (got 'UTF-16')
    """
    limit: object = max_bytes
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidValueError("max_bytes", max_bytes, "must be a positive number of bytes")
    raw: bytes | None
    if isinstance(data, os.PathLike):
        path = os.fspath(data)
        source = name or str(path)
        try:
            with open(path, "rb") as handle:
                raw = handle.read(max_bytes + 1)
        except OSError as exc:
            _fail(source, kind, str(path), f"cannot be read ({exc.strerror or exc})")
            raise AssertionError("unreachable") from None  # pragma: no cover
    elif isinstance(data, bytes | bytearray | memoryview):
        source = name or f"<{kind} bytes>"
        raw = bytes(data)
    elif isinstance(data, str):
        source = name or f"<{kind} text>"
        if len(data) > max_bytes:
            _too_large(source, max_bytes)
        try:
            raw = data.encode("utf-8")
        except UnicodeEncodeError as exc:
            _fail(
                source,
                "encoding",
                data[exc.start : exc.end],
                "is not valid Unicode text (a lone surrogate)",
                f"character {exc.start + 1}",
            )
            raise AssertionError("unreachable") from None  # pragma: no cover
    else:
        raise InvalidValueError(
            kind, shown(data), "must be a path (pathlib.Path), bytes or text (str)"
        )
    if len(raw) > max_bytes:
        _too_large(source, max_bytes)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    else:
        for bom, encoding in _BOMS:
            if raw.startswith(bom):
                _fail(
                    source,
                    "encoding",
                    encoding,
                    "is " + encoding + " text; save it as UTF-8 (in Excel: 'CSV UTF-8')",
                )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        _fail(
            source,
            "encoding",
            raw[exc.start : exc.start + 4],
            "is not UTF-8 text; save the file as UTF-8 (in Excel: 'CSV UTF-8')",
            f"line {line}",
        )
        raise AssertionError("unreachable") from None  # pragma: no cover
    if not text or text.isspace():  # as text.strip() == "", without copying the text
        _fail(source, kind, NO_VALUE, "is empty")
    return Text(text, raw, source)


def unknown_extension(path: str | os.PathLike[str]) -> InputError:
    """The error for a file whose extension names neither form (``.json``, ``.csv``)."""
    suffix = pathlib.Path(path).suffix
    return InputError(
        [
            Problem(
                "file",
                suffix or NO_VALUE,
                "has an unknown extension; expected .json or .csv",
                source=str(path),
            )
        ]
    )


def _too_large(source: str, max_bytes: int) -> None:
    _fail(source, "file", NO_VALUE, f"is larger than the limit of {max_bytes} bytes")


# -- Numbers and rates -------------------------------------------------------------------

_DIGITS_DOT = r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?"
_DIGITS_COMMA = r"(?:[0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)(?:,[0-9]+)?(?:[eE][+-]?[0-9]+)?"
_RATE = {
    False: re.compile(rf"\s*([+-]?)({_DIGITS_DOT})\s*(.*?)\s*", re.DOTALL),
    True: re.compile(rf"\s*([+-]?)({_DIGITS_COMMA})\s*(.*?)\s*", re.DOTALL),
}
_INTEGER = {
    False: re.compile(r"\s*([+-]?)([0-9]+)\s*"),
    True: re.compile(r"\s*([+-]?)([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+)\s*"),
}
_MAX_INTEGER_DIGITS = 15


def parse_integer(text: str, decimal_comma: bool) -> int | Fault:
    """An integer written in a CSV cell; ``.`` groups thousands when ``decimal_comma``.

    >>> parse_integer("74.124", True), parse_integer("74124", False)
    (74124, 74124)
    >>> parse_integer("74.124", False).items[0][1]
    'must be a whole number written with the digits 0-9'
    """
    match = _INTEGER[decimal_comma].fullmatch(text)
    if match is None:
        return Fault.one("must be a whole number written with the digits 0-9", text)
    digits = match.group(2).replace(".", "")
    if len(digits) > _MAX_INTEGER_DIGITS:
        return Fault.one("is too large", text)
    number = int(digits)
    return -number if match.group(1) == "-" else number


def parse_rate(text: str, decimal_comma: bool, default_unit: str | None) -> float | Fault:
    """A volume written as a number and a rate unit, in requests per year (XCH-9).

    The unit may be left out only when ``default_unit`` is given (a CSV ``volume_unit``).

    >>> parse_rate("83 per month", False, None), parse_rate("1.000,5/year", True, None)
    (996.0, 1000.5)
    >>> parse_rate("20", False, "per month")
    240.0
    >>> parse_rate("20", False, None).items[0][1]
    "a bare number has no time unit; write e.g. '20/year'"
    """
    parts = rate_parts(text, decimal_comma)
    if isinstance(parts, Fault):
        return parts
    negative, number, unit = parts
    if not unit:
        if default_unit is None:
            return Fault.one("a bare number has no time unit; write e.g. '20/year'", text)
        unit = default_unit
    factor = rate_factor_or_fault(unit)
    if isinstance(factor, Fault):
        return Fault.one(factor.items[0][1], text)
    value = number * factor
    if negative and value != 0:
        return Fault.one("must not be negative", text)
    if not math.isfinite(value):
        return Fault.one("is too large", text)
    return value + 0.0  # -0.0 becomes 0.0


def rate_parts(text: str, decimal_comma: bool) -> tuple[bool, float, str] | Fault:
    """The parts of a written rate (XCH-9): a minus sign, the number, and the unit text.

    :func:`parse_rate` is ``number * rate_factor(unit)`` (the unit being the default unit
    when the text has none), refused when negative and not zero or when not finite. A
    reader of many cells parses each distinct text into its parts once and multiplies
    whole columns of numbers by their factors.

    >>> rate_parts("+1.000,5 per month", True), rate_parts("20", False)
    ((False, 1000.5, 'per month'), (False, 20.0, ''))
    """
    match = _RATE[decimal_comma].fullmatch(text)
    if match is None:
        example = "'1.000,5/year'" if decimal_comma else "'1000.5/year'"
        return Fault.one(f"must be a number followed by a rate unit, e.g. {example}", text)
    sign, digits, unit = match.groups()
    if decimal_comma:
        digits = digits.replace(".", "").replace(",", ".")
    return sign == "-", float(digits), unit


def rate_factor_or_fault(unit: str) -> float | Fault:
    """:func:`digimaat.units.rate_factor`, with a fault instead of an exception."""
    try:
        return rate_factor(unit)
    except InvalidValueError as exc:
        return Fault.one(f"{exc.problem.message} (unit {unit!r})", unit)


def format_number(value: float, decimal_comma: bool = False) -> str:
    """The canonical written form of a number of requests per year (XCH-9).

    Whole numbers below 10**15 are written without a fraction; other numbers in the
    shortest form that reads back as the same float (Python's ``repr``).

    >>> format_number(996.0), format_number(0.1), format_number(1e-05), format_number(2.5, True)
    ('996', '0.1', '1e-05', '2,5')
    """
    text = str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    return text.replace(".", ",") if decimal_comma else text


# -- Cached parsers of offering fields -----------------------------------------------------

_MISS: Any = object()
_CHANNEL_INDEX = {channel: index for index, channel in enumerate(CHANNELS)}


_NUMBERS = (bool, int, float)


def _through(memo: dict[Any, Any], key: Any, parse: Callable[[Any], _T | Fault]) -> _T | Fault:
    """Look ``key`` up in ``memo``, parsing and remembering it on a miss.

    Numbers are parsed every time: ``True``, ``1`` and ``1.0`` are one key of a
    dictionary, but not one value of a file (``1`` is a level, ``true`` is not).
    """
    if type(key) in _NUMBERS:
        return parse(key)
    try:
        hit = memo.get(key, _MISS)
    except TypeError:  # an unhashable JSON value (array or object): a fault anyway
        return parse(key)
    if hit is _MISS:
        hit = memo[key] = parse(key)
    return hit  # type: ignore[no-any-return]


def _catching(parse: Callable[[Any], _T]) -> Callable[[Any], _T | Fault]:
    def wrapped(value: Any) -> _T | Fault:
        try:
            return parse(value)
        except InvalidValueError as exc:
            return Fault.of(exc)

    return wrapped


def _parse_status(value: Any) -> Status | Fault:
    return _catching(Status.parse)(value)


def _parse_channel(value: Any) -> Channel | Fault:
    return _catching(Channel.parse)(value)


def _parse_capability(value: Any) -> Capability | Fault:
    if not isinstance(value, str):
        return Fault.one("must be a capability name (a text)", shown(value))
    return _catching(Capability.parse)(value)


def _parse_target(value: Any) -> MaturityLevel | Fault:
    if isinstance(value, bool) or not isinstance(value, str | int):
        return Fault.one("must be a maturity level name such as 'fully-online'", shown(value))
    return _catching(lambda v: MaturityLevel.parse(v, "local_target"))(value)


class FieldParser:
    """Parses the fields of offerings, remembering each distinct input (one per reader).

    The memo dictionaries are public so that the readers' inner loops can look a value
    up directly and call a method only for a value not seen before. A memo maps an
    input to its parsed value or to a :class:`Fault`.
    """

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.products: dict[Any, str | Fault] = {}
        self.statuses: dict[Any, Status | Fault] = {}
        self.authentications: dict[Any, Authentication | Fault] = {}
        self.targets: dict[Any, MaturityLevel | Fault] = {}
        self.channels: dict[Any, Channel | Fault] = {}
        self.capabilities: dict[Any, Capability | Fault] = {}
        self.capability_lists: dict[Any, frozenset[Capability] | Fault] = {}
        self.capability_texts: dict[Any, frozenset[Capability] | Fault] = {}
        self.channel_orders: dict[Any, tuple[tuple[Channel, ...], tuple[Any, ...]] | Fault] = {}
        self.rates: dict[Any, float | Fault] = {}
        self.units: dict[Any, float | Fault] = {}
        self.csv_rates: dict[Any, float | Fault] = {}
        self.integers: dict[Any, int | Fault] = {}

    # Scalars shared by both forms.

    def product(self, value: Any) -> str | Fault:
        """A product URI, or the last segment of a UPL URI, resolved in the catalogue (XCH-8)."""
        return _through(self.products, value, self._product)

    def _product(self, value: Any) -> str | Fault:
        if not isinstance(value, str):
            return Fault.one("must be a text: a product URI", shown(value))
        if value in self.catalogue:
            return value
        if "/" not in value and (UPL_NAMESPACE + value) in self.catalogue:
            return UPL_NAMESPACE + value
        suggestions = self.catalogue.suggest(value) if value.strip() else []
        hint = f"; did you mean: {', '.join(suggestions)}" if suggestions else ""
        return Fault.one(f"is not a product in the catalogue{hint}", value)

    def status(self, value: Any) -> Status | Fault:
        """An offering status by its exchange name (OFF-2)."""
        return _through(self.statuses, value, _parse_status)

    def authentication(self, value: Any) -> Authentication | Fault:
        """An authentication by name (``"digid low"``) or ``{"means": ..., "level": ...}``."""
        if isinstance(value, dict):
            return self._authentication_parts(value)
        return _through(self.authentications, value, self._authentication)

    @staticmethod
    def _authentication(value: Any) -> Authentication | Fault:
        if not isinstance(value, str):
            return Fault.one(
                "must be a scheme name such as 'digid low', or an object {means, level}",
                shown(value),
            )
        try:
            return Authentication.from_name(value)
        except InvalidValueError as exc:
            return Fault.of(exc)

    @staticmethod
    def _authentication_parts(value: dict[str, Any]) -> Authentication | Fault:
        items = [
            (f"/{key}", "unknown member; expected means and level", NO_VALUE)
            for key in sorted(set(value) - {"means", "level"})
        ]
        items += [
            (f"/{key}", "is required", NO_VALUE) for key in ("means", "level") if key not in value
        ]
        for key in ("means", "level"):
            if key in value and not isinstance(value[key], str):
                items.append((f"/{key}", "must be a text", shown(value[key])))
        if items:
            return Fault(tuple(items))
        try:
            return Authentication(value["means"], value["level"])
        except InvalidValueError as exc:
            sub = "/level" if exc.problem.field.endswith("level") else "/means"
            return Fault.of(exc, sub)

    def local_target(self, value: Any) -> MaturityLevel | Fault:
        """A maturity level by exchange name or number (MAT-1)."""
        return _through(self.targets, value, _parse_target)

    def channel(self, value: Any) -> Channel | Fault:
        """A channel by exchange name or alias (CHN-3)."""
        return _through(self.channels, value, _parse_channel)

    def capability(self, value: Any) -> Capability | Fault:
        """One capability by exchange name (MAT-2)."""
        return _through(self.capabilities, value, _parse_capability)

    # The JSON form.

    def capability_list(self, value: Any) -> frozenset[Capability] | Fault:
        """A JSON array of capability names (MAT-2); every name once."""
        if not isinstance(value, list):
            return Fault.one("must be an array of capability names", shown(value))
        names = tuple(value)
        if all(type(name) is str for name in names):
            return _through(self.capability_lists, names, self._capability_list)
        return self._capability_list(names)  # not remembered: [1] and [true] are one key

    def _capability_list(self, names: Sequence[Any]) -> frozenset[Capability] | Fault:
        items: list[tuple[str, str, Any]] = []
        seen: set[Capability] = set()
        for index, name in enumerate(names):
            parsed = self.capability(name)
            if isinstance(parsed, Fault):
                items.extend((f"/{index}", m, v) for _, m, v in parsed.items)
            elif parsed in seen:
                items.append((f"/{index}", "is listed more than once", name))
            else:
                seen.add(parsed)
        return Fault(tuple(items)) if items else frozenset(seen)

    def json_rate(self, value: Any) -> float | Fault:
        """A volume in JSON: ``"20/year"`` or ``{"value": 20, "unit": "1/year"}`` (XCH-9)."""
        if isinstance(value, str):
            return _through(self.rates, value, _json_rate_text)
        if isinstance(value, dict):
            return self._rate_object(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return Fault.one("a bare number has no time unit; write e.g. '20/year'", value)
        return Fault.one(
            "must be a text such as '20/year' or an object {value, unit}", shown(value)
        )

    def _rate_object(self, value: dict[str, Any]) -> float | Fault:
        items = [
            (f"/{key}", "unknown member; expected value and unit", NO_VALUE)
            for key in sorted(set(value) - {"value", "unit"})
        ]
        items += [
            (f"/{key}", "is required", NO_VALUE) for key in ("value", "unit") if key not in value
        ]
        number, unit = value.get("value"), value.get("unit")
        factor: float | Fault = 1.0
        if "unit" in value:
            if isinstance(unit, str):
                factor = _through(self.units, unit, rate_factor_or_fault)
                if isinstance(factor, Fault):
                    items.append(("/unit", factor.items[0][1], unit))
            else:
                items.append(("/unit", "must be a text such as '1/year'", shown(unit)))
        if "value" in value:
            if isinstance(number, bool) or not isinstance(number, int | float):
                items.append(("/value", "must be a number", shown(number)))
            elif isinstance(number, int) and abs(number) > 1e308:
                items.append(("/value", "is too large", number))
            elif not math.isfinite(number):
                items.append(("/value", "must be finite", number))
            elif number < 0:
                items.append(("/value", "must not be negative", number))
        if items:
            return Fault(tuple(items))
        assert isinstance(number, int | float)
        assert isinstance(factor, float)
        result = float(number) * factor
        if not math.isfinite(result):
            return Fault.one("is too large", number, "/value")
        return result

    def json_volumes(self, value: Any) -> Volumes | Fault:
        """A JSON object of volumes per channel (OFF-5, XCH-9)."""
        if not isinstance(value, dict):
            return Fault.one("must be an object of volumes per channel", shown(value))
        order = _through(self.channel_orders, tuple(value), self._channel_order)
        items: list[tuple[str, str, Any]] = []
        if isinstance(order, Fault):  # report the channels, and the volumes of the others
            items.extend(order.items)
            named = {sub[1:] for sub, _, _ in order.items}
            order = ((), tuple(key for key in value if key not in named))
        channels, keys = order
        rates = self.rates
        values: list[float] = []
        for key in keys:
            item = value[key]
            rate = rates.get(item) if type(item) is str else None
            if rate is None:
                rate = self.json_rate(item)
            if isinstance(rate, Fault):
                items.extend((f"/{key}{sub}", m, v) for sub, m, v in rate.items)
            else:
                values.append(rate)
        if items:
            return Fault(tuple(items))
        return Volumes(channels, tuple(values))

    def _channel_order(
        self, keys: tuple[Any, ...]
    ) -> tuple[tuple[Channel, ...], tuple[Any, ...]] | Fault:
        """The channels of a volume record in canonical order, with their keys."""
        items: list[tuple[str, str, Any]] = []
        found: dict[Channel, Any] = {}
        for key in keys:
            channel = self.channel(key)
            if isinstance(channel, Fault):
                items.extend((f"/{key}", m, v) for _, m, v in channel.items)
            elif channel in found:
                items.append((f"/{key}", f"repeats channel {channel.value}", key))
            else:
                found[channel] = key
        if items:
            return Fault(tuple(items))
        ordered = sorted(found, key=_CHANNEL_INDEX.__getitem__)
        return tuple(ordered), tuple(found[c] for c in ordered)

    # The CSV form: every value is a text.

    def capability_text(self, text: str) -> frozenset[Capability] | Fault:
        """Capability names separated by ``|`` or white space (XCH-11)."""
        return _through(self.capability_texts, text, self._capability_text)

    def _capability_text(self, text: str) -> frozenset[Capability] | Fault:
        names = [name for name in re.split(r"[|\s]+", text) if name]
        parsed = self._capability_list(names)
        if isinstance(parsed, Fault):
            return Fault(tuple(("", m, v) for _, m, v in parsed.items))
        return parsed

    def csv_rate(self, text: str, decimal_comma: bool, unit: str | None) -> float | Fault:
        """A volume cell: a number with a unit, or a bare number in ``unit`` (XCH-11)."""
        return _through(self.csv_rates, (text, decimal_comma, unit), _csv_rate)

    def integer(self, text: str, decimal_comma: bool) -> int | Fault:
        """A whole number in a CSV cell."""
        return _through(self.integers, (text, decimal_comma), _integer)


def _json_rate_text(text: str) -> float | Fault:
    return parse_rate(text, False, None)


def _csv_rate(key: tuple[str, bool, str | None]) -> float | Fault:
    return parse_rate(*key)


def _integer(key: tuple[str, bool]) -> int | Fault:
    return parse_integer(*key)


def json_keys_faults(
    record: Mapping[str, Any], allowed: frozenset[str], required: Sequence[str]
) -> list[tuple[str, str, Any]]:
    """Unknown and missing members of a JSON object, as fault items."""
    items: list[tuple[str, str, Any]] = []
    if not allowed.issuperset(record):
        expected = ", ".join(sorted(allowed))
        items += [
            (pointer(key), f"unknown member; expected one of: {expected}", NO_VALUE)
            for key in sorted(set(record) - allowed)
        ]
    items += [(pointer(key), "is required", NO_VALUE) for key in required if key not in record]
    return items
