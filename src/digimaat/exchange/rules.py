"""The rules of the exchange fields, written once for every form (specification chapter XCH).

A reader cuts a file into raw records (:mod:`digimaat.exchange.raw`); the rules read one
raw value of one field and give either the value or a
:class:`~digimaat.exchange.rules_values.Fault` saying what is wrong and which clause it
breaks. They never raise on bad input. The JSON document and the CSV form differ only in
how a raw value is written: a JSON value is typed (a number is a number), a CSV cell is
always a text, and a CSV file separated by ``;`` writes its numbers with a decimal comma
(XCH-12). That difference is the :class:`~digimaat.exchange.rules_values.Dialect`; every
other rule is the same for both forms.

A reader applies each rule once per *distinct* raw value of a field, however many
records repeat it, and spreads the result back over the records.

This module gathers the rules; they live in :mod:`~digimaat.exchange.rules_values` (the
dialects and faults, texts and numbers: XCH-4, XCH-12),
:mod:`~digimaat.exchange.rules_volumes` (rates and volumes: XCH-9, OFF-5, OFF-10 to
OFF-14), :mod:`~digimaat.exchange.rules_names` (the vocabulary's names: XCH-18.2, OFF-2,
CHN-3, MAT-1, MAT-2, MUN-2, LOA-4) and :mod:`~digimaat.exchange.rules_objects` (values with
members: XCH-5, AGG-2.1, CHN-7, OFF-6, OFF-16).

>>> from digimaat.exchange.rules import CSV_NL, JSON, read_integer, read_rate
>>> read_integer("74.124", CSV_NL, 1, 10**9), read_integer(74124, JSON, 1, 10**9)
(74124, 74124)
>>> read_rate("1.000 per jaar", CSV_NL), read_rate("83 per month", JSON)
(1000.0, 996.0)
>>> print(read_rate("-3/week", JSON))
must not be negative (got '-3/week') [OFF-14]
"""

from __future__ import annotations

from digimaat._boundary import guard
from digimaat._serial import shown
from digimaat.exchange import rules_names, rules_objects, rules_values, rules_volumes
from digimaat.exchange.rules_names import *  # noqa: F403 (the names of its __all__)
from digimaat.exchange.rules_objects import *  # noqa: F403
from digimaat.exchange.rules_values import *  # noqa: F403
from digimaat.exchange.rules_volumes import *  # noqa: F403
from digimaat.vocabulary.municipalities import MAX_POPULATION
from digimaat.vocabulary.offerings import MAX_VOLUME, MIN_VOLUME

__all__ = ["MAX_POPULATION", "MAX_VOLUME", "MIN_VOLUME", "shown"]
__all__ += rules_values.__all__
__all__ += rules_volumes.__all__
__all__ += rules_names.__all__
__all__ += rules_objects.__all__

guard(__name__)
