"""The JSON Canonicalization Scheme, JCS (RFC 8785), used for profile fingerprints (PRF-4).

JCS writes a JSON value as one exact sequence of bytes, whatever the language that writes
it: no whitespace; the members of every object sorted by their names compared as
sequences of UTF-16 code units; strings with the fewest escapes JSON allows; and every
number as the ECMAScript ``Number.prototype.toString`` of its binary64 value. The result
is encoded in UTF-8.

This module writes the plain data Python's :mod:`json` reads (``dict`` with ``str`` keys,
``list``, ``str``, ``int``, ``float``, ``bool`` and ``None``). It refuses what JCS cannot
write rather than guess: a NaN or an infinite number, an integer beyond the range of
binary64, a string with a lone surrogate, a key that is not a string, and any other
type.

>>> from digimaat.jcs import canonical_json
>>> canonical_json({"b": [1.0, 2.5, 1e-7], "a": "€", "c": 10.0**21}).decode("utf-8")
'{"a":"€","b":[1,2.5,1e-7],"c":1e+21}'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from digimaat._boundary import guard
from digimaat.errors import InvalidValueError

__all__ = ["canonical_json", "code_units", "number_text", "string_text"]

_MAX_DEPTH = 64
"""Nesting deeper than this is refused: canonical forms of profiles are a few levels deep."""

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def number_text(value: float | int) -> str:
    """A number as JCS writes it: ECMAScript's ``Number.prototype.toString`` (RFC 8785, 3.2.2.3).

    The digits are the shortest that read back as the same binary64 number (Python's
    ``repr`` finds the same digits); their placement follows ECMAScript: positional
    notation from 1e-6 up to, not including, 1e21, exponent notation with an explicit sign
    otherwise. Negative zero is written ``0``.

    >>> [number_text(x) for x in (0.0, -0.0, 3, 1000.0, 0.000001, 1e-7, 1e21, 2.5e16)]
    ['0', '0', '3', '1000', '0.000001', '1e-7', '1e+21', '25000000000000000']
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidValueError("number", value, "must be a number")
    if isinstance(value, int):
        # A JSON number is the binary64 number nearest to it (RFC 8785, 3.2.2.3), as a
        # JSON reader gives it: an integer is rounded to that number, as ``float`` does.
        try:
            value = float(value)
        except OverflowError:
            raise InvalidValueError("number", value, "is beyond the range of binary64") from None
    if not math.isfinite(value):
        raise InvalidValueError("number", value, "must be finite (JSON has no NaN or Infinity)")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits_tuple = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(str(d) for d in digits_tuple.digits).rstrip("0")
    exponent = int(digits_tuple.exponent)  # value = 0.digits... shifted: see below
    # ``repr`` gives the shortest round-trip digits d1 d2 ... dk with value = digits x 10**e;
    # trailing zeros were stripped above, so shift the exponent by what was stripped.
    k = len(digits)
    stripped = len(digits_tuple.digits) - k
    n = exponent + stripped + k  # ECMAScript's n: value = 0.d1...dk x 10**n
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mantissa = digits if k == 1 else digits[0] + "." + digits[1:]
        text = f"{mantissa}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + text


def string_text(value: str) -> str:
    """A string as JCS writes it, quoted (RFC 8785, 3.2.2.2).

    Only ``"`` and ``\\`` and the characters below U+0020 are escaped: the five with a short
    form as ``\\b``, ``\\t``, ``\\n``, ``\\f``, ``\\r``, the others as ``\\u`` and four
    lower-case hexadecimal digits. Every other character is written as itself.

    >>> string_text('a"b\\\\c\\u000f\\n€😀')
    '"a\\\\"b\\\\\\\\c\\\\u000f\\\\n€😀"'
    """
    if not isinstance(value, str):
        raise InvalidValueError("string", value, "must be a string")
    out = ['"']
    for char in value:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            raise InvalidValueError(
                "string", value, f"has a lone surrogate U+{code:04X}, which JSON text cannot hold"
            )
        escaped = _ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif code < 0x20:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def code_units(text: str) -> bytes:
    """A sort key: the text as UTF-16 code units, big-endian, so bytes sort as units do.

    RFC 8785 orders member names by their UTF-16 code units, which differs from code point
    order above U+FFFF: U+1F600 (D83D DE00) comes before U+FB33.

    >>> sorted(["\ufb33", "\U0001f600"], key=code_units) == ["\U0001f600", "\ufb33"]
    True
    """
    return text.encode("utf-16-be", errors="surrogatepass")


def _write(value: Any, out: list[str], depth: int) -> None:
    if depth > _MAX_DEPTH:
        raise InvalidValueError("value", "...", f"is nested deeper than {_MAX_DEPTH} levels")
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int | float):
        out.append(number_text(value))
    elif isinstance(value, str):
        out.append(string_text(value))
    elif isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise InvalidValueError("key", key, "object member names must be strings")
            string_text(key)  # refuses a lone surrogate before it reaches the sort
        out.append("{")
        for n, key in enumerate(sorted(value, key=code_units)):
            if n:
                out.append(",")
            out.append(string_text(key))
            out.append(":")
            _write(value[key], out, depth + 1)
        out.append("}")
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        out.append("[")
        for n, item in enumerate(value):
            if n:
                out.append(",")
            _write(item, out, depth + 1)
        out.append("]")
    else:
        raise InvalidValueError("value", type(value).__name__, "is not a JSON value")


def canonical_json(value: Any) -> bytes:
    """The JCS canonical form of a JSON value, as the UTF-8 bytes that are hashed (RFC 8785).

    >>> canonical_json({"numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 1e-27]})
    b'{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}'
    """
    out: list[str] = []
    _write(value, out, 0)
    return "".join(out).encode("utf-8")


guard(__name__)
