"""The rule of a text field (XCH-4), in one place for every reader and every record.

A text a person writes into the standard's data (a municipality's or a product's name, a
reason, notes, a source, a profile's title) MUST NOT hold control characters (C0 and C1;
tab, line feed and carriage return are allowed in the texts that may hold several
lines), bidirectional embeddings, overrides or isolates (U+202A to U+202E, U+2066 to
U+2069), surrogate code points or the noncharacters U+FFFE and U+FFFF: they can hide or
reorder what a reader of the data sees. The readers of every form (the JSON document, the
CSV form, a workbook, profile files, peer-group files) and the records built in code
(:class:`~digimaat.vocabulary.municipalities.Municipality`,
:class:`~digimaat.vocabulary.offerings.Offering`,
:class:`~digimaat.vocabulary.products.Product`, ...) apply this one rule, so that a writer
never writes what a reader refuses.

>>> from digimaat._text import check_text, forbidden
>>> forbidden("Vlaardingen"), forbidden("Vlaar\\u202edingen"), forbidden("a\\nb", multiline=True)
(False, True, False)
>>> check_text("name", "Maas\\x1b[31msluis")
Traceback (most recent call last):
...
digimaat.errors.InvalidValueError: name: must not hold control, ... [XCH-4]
"""

from __future__ import annotations

import functools
import re
from typing import Final

from digimaat.errors import N_, InvalidValueError

__all__ = ["FORBIDDEN_MESSAGE", "check_text", "forbidden"]

_FORBIDDEN_LINE: Final = "[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
_FORBIDDEN_LINES: Final = (
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
"""The characters a text may not hold, in one line or in several (tab, line feed and
carriage return allowed): every one of them is unprintable (``str.isprintable``)."""

FORBIDDEN_MESSAGE: Final = N_(
    "must not hold control, bidirectional-override or surrogate characters"
)
"""What a problem says of a text with a forbidden character (XCH-4)."""


def forbidden(text: str, *, multiline: bool = False) -> bool:
    """Whether a text holds a character a text field may not hold (XCH-4).

    ``multiline`` allows tab, line feed and carriage return (reasons, sources, notes).
    """
    if text.isprintable():  # every forbidden character is unprintable: most texts end here
        return False
    return _pattern(multiline).search(text) is not None


@functools.cache
def _pattern(multiline: bool) -> re.Pattern[str]:
    """The forbidden characters as a pattern, compiled when first needed (a pattern of
    characters beyond Latin-1 takes the better part of a millisecond to compile)."""
    return re.compile(_FORBIDDEN_LINES if multiline else _FORBIDDEN_LINE)


def check_text(
    field: str,
    value: object,
    *,
    multiline: bool = False,
    empty: bool = False,
    max_length: int | None = None,
    message: str = "must be a non-empty string",
) -> str:
    """A text field of a record, checked by the rule of XCH-4; the text itself.

    It must be a ``str``, not empty (unless ``empty``) or only white space (else the error
    says ``message``), at most ``max_length`` characters where a length is given, and
    without a forbidden character.
    """
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise InvalidValueError(field, value, message)
    if max_length is not None and len(value) > max_length:
        raise InvalidValueError(field, value, f"is longer than {max_length:,} characters", "XCH-4")
    if forbidden(value, multiline=multiline):
        raise InvalidValueError(field, value, FORBIDDEN_MESSAGE, "XCH-4")
    return value
