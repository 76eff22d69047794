"""The range of the numbers a methodology is given (WGT-1), in one place.

A weight of a ``custom`` weighting and its default, the ``per`` of ``per-capita``, the
shares of a ``mix``, the weights of a composite metric and a cost per contact are each 0
or a number from :data:`MIN_WEIGHT` to :data:`MAX_WEIGHT` (shares and ``per`` are never 0).
Within these bounds raw weights stay finite, a raw weight that is not 0 stays a normal
binary64 number, and their normalisation can neither overflow nor vanish in denormal
numbers (AGG-7). A profile file refuses a number outside them as a record built in code
does.

>>> from digimaat._numbers import weight
>>> weight("weights[a]", 3), weight("share", 1e-15, positive=True)
(3.0, 1e-15)
>>> weight("weights[a]", 1e-320)
Traceback (most recent call last):
...
digimaat.errors.InvalidValueError: weights[a]: must be 0 or from 1e-15 to 1e+15 (got 1e-320) [WGT-1]
"""

from __future__ import annotations

import math
import numbers
from typing import Final

from digimaat.errors import InvalidValueError

__all__ = ["MAX_WEIGHT", "MIN_WEIGHT", "weight"]

MAX_WEIGHT: Final = 1e15
"""The largest weight, share, ``per`` or cost per contact (WGT-1); also the largest
magnitude of any number in a profile file (PRF-7)."""
MIN_WEIGHT: Final = 1e-15
"""The smallest weight, share, ``per`` or cost per contact that is not 0 (WGT-1)."""


def weight(field: str, value: object, *, positive: bool = False, clause: str = "WGT-1") -> float:
    """A number of a methodology, checked against the range of WGT-1, as a float.

    ``positive``: 0 is refused too (a share, ``per``). A value that is no number, negative,
    infinite or NaN breaks the rule of its own kind, ``clause`` (``WGT-8`` for a weight of
    ``custom``, ...); a finite one outside the range breaks WGT-1.
    """
    lowest = "> 0" if positive else ">= 0"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidValueError(field, value, f"must be a finite number {lowest}", clause)
    try:
        number = float(value)
    except (OverflowError, ValueError):  # an integer too large for a float
        number = math.inf
    if number == 0 and not positive:
        return 0.0
    if not number > 0 or (math.isinf(number) and not isinstance(value, numbers.Integral)):
        raise InvalidValueError(field, value, f"must be a finite number {lowest}", clause)
    if not MIN_WEIGHT <= number <= MAX_WEIGHT:
        lowest = "from" if positive else "0 or from"
        raise InvalidValueError(
            field, value, f"must be {lowest} {MIN_WEIGHT:g} to {MAX_WEIGHT:g}", "WGT-1"
        )
    return number
