"""The second stage of reading: raw records, as columns (specification chapter XCH).

A tokenizer (the JSON document's, the CSV form's, or an optional native one) cuts a
:class:`~digimaat.exchange.source.Source` into *raw records*: for each kind of record
(municipalities, local products, offerings) and each field, the raw value of every record
as the file writes it, and where it is. Nothing is checked here beyond the file's own
syntax; the rules of the fields (:mod:`digimaat.exchange.rules`) come next, the same for
every form.

Raw records are held as columns: a :class:`RawColumn` is the list of the *distinct* raw
values of one field and, for every record, the index of its value (``-1`` where the
record does not have the field). A national file repeats a handful of statuses,
capability lists and units 180,000 times; as columns, each distinct value is read by its
rule once, and the results are spread back over the records with numpy.

>>> import numpy as np
>>> from digimaat.exchange.raw import factorize
>>> codes, values = factorize(["offered", "unknown", "offered", None])
>>> codes.tolist(), values
([0, 1, 0, -1], ['offered', 'unknown'])
"""

from __future__ import annotations

import collections
import itertools
import operator
from collections.abc import Callable, Hashable, Sequence
from typing import Any, ClassVar, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat.errors import Problem
from digimaat.exchange.rules import JSON, Dialect
from digimaat.exchange.source import Source

__all__ = [
    "ABSENT",
    "OFFERING_DESCRIPTION",
    "IntArray",
    "RawColumn",
    "RawFile",
    "RawTable",
    "RecordColumns",
    "TooDeep",
    "factorize",
]

IntArray = NDArray[np.intp]

ABSENT: Final = -1
"""The code of a record that does not have a field (or has ``null``, or an empty cell)."""


@attrs.frozen
@shared_repr
@shared_eq
class TooDeep:
    """Stands in for a raw value nested deeper than the limit (XCH-4)."""

    depth: int

    def __repr__(self) -> str:
        return f"<a value nested {self.depth} levels deep>"


@attrs.frozen(eq=False)
@shared_repr
class RawColumn:
    """One field of every record of a table: codes into the distinct raw values."""

    codes: IntArray
    """Per record, the index of its value in :attr:`values`, or :data:`ABSENT`."""
    values: list[Any]
    """The distinct raw values, in the order they first occur."""

    @classmethod
    def absent(cls, size: int) -> RawColumn:
        """A column that no record has (read-only, one code seen through every record)."""
        return cls(np.broadcast_to(np.intp(ABSENT), (size,)), [])

    def value(self, record: int) -> Any:
        """The raw value of one record (``None`` where absent)."""
        code = int(self.codes[record])
        return None if code < 0 else self.values[code]

    def present(self) -> NDArray[np.bool_]:
        """Per record, whether it has this field."""
        present: NDArray[np.bool_] = self.codes >= 0
        return present

    def take(self, records: IntArray) -> RawColumn:
        """The column of the given records only, its values in the order they first occur
        among them."""
        codes = np.asarray(self.codes[records], dtype=np.intp)
        present = codes >= 0
        if not present.any():
            return RawColumn(np.full(len(codes), ABSENT, dtype=np.intp), [])
        used, first = np.unique(codes[present], return_index=True)
        used = used[np.argsort(first, kind="stable")]
        lookup = np.full(len(self.values) + 1, ABSENT, dtype=np.intp)  # code -1: the last
        lookup[used] = np.arange(len(used), dtype=np.intp)
        return RawColumn(lookup[codes], [self.values[int(k)] for k in used])


Locator = Callable[[int, str, str], str]
"""``(record, field, sub) -> location``: where a field (and a place inside it) of a record is."""


@attrs.frozen(eq=False)
@shared_repr
class RawTable:
    """The raw records of one kind, as columns, and how to name where each one is."""

    name: str
    """``"document"``, ``"municipalities"``, ``"local_products"`` or ``"offerings"``."""
    size: int
    """The number of records."""
    columns: dict[str, RawColumn]
    """Field name -> column; a field no record has may be missing."""
    locate: Locator = attrs.field(repr=False)
    """Where a field of a record is: a JSON pointer, or a CSV row and column."""
    repeated: bool = False
    """Whether a record may occur several times and must then agree (CSV: municipality and
    document cells repeated in every row, XCH-11)."""
    names: dict[str, str] = attrs.field(factory=dict)
    """The name problems give a field, where it differs from the field (a CSV column)."""
    unread: frozenset[int] = frozenset()
    """Records that are not objects (XCH-5): reported where they are, and their fields, which
    they do not have, not reported as missing."""

    def readable(self) -> NDArray[np.bool_]:
        """Per record, whether it is an object whose fields can be read."""
        out = np.ones(self.size, dtype=np.bool_)
        if self.unread:
            out[list(self.unread)] = False
        return out

    def column(self, field: str) -> RawColumn:
        """The column of a field (an absent column if no record has it)."""
        found = self.columns.get(field)
        return found if found is not None else RawColumn.absent(self.size)

    def take(self, records: IntArray) -> RawTable:
        """The table of the given records only (in that order), each still located where
        it is in the file."""
        whole = self.locate

        def locate(k: int, field: str, sub: str) -> str:
            return whole(int(records[k]) if 0 <= k < len(records) else -1, field, sub)

        position = {int(r): k for k, r in enumerate(records.tolist())} if self.unread else {}
        return RawTable(
            self.name,
            len(records),
            {field: column.take(records) for field, column in self.columns.items()},
            locate,
            self.repeated,
            self.names,
            frozenset(position[r] for r in self.unread if r in position),
        )


OFFERING_DESCRIPTION: Final = (
    "status",
    "capabilities",
    "authentication",
    "local_target",
    "local_target_reason",
    "fee_applies",
)
"""The fields that describe an offering, named alike in every form and written in this order
(XCH-8, XCH-11); the rules of an offering span them (OFF-3, OFF-4)."""


@attrs.frozen(eq=False)
@shared_repr
class RawFile:
    """One file cut into raw records, whatever its form: the same tables from every tokenizer.

    The JSON document's tokenizer gives a :class:`~digimaat.exchange.jsonform.RawDocument`,
    the CSV form's and a workbook's a :class:`~digimaat.exchange.sheet.RawSheet`.
    """

    source: Source
    document: RawTable
    """The document's own members (``format``, ``reference_year``, ...): one record in a
    document, one per row in a sheet."""
    municipalities: RawTable
    local_products: tuple[tuple[str, Any], ...]
    """``(pointer, raw record)`` of every local product a document lists (few; read one by
    one)."""
    offerings: RawTable
    problems: tuple[Problem, ...]
    """Problems of the file's structure: syntax, members, nesting, header, separator."""
    complete: bool
    """``False`` when the reading stopped (a syntax or separator problem): the records are
    incomplete."""
    dialect: Dialect = JSON
    """How the raw values are written (:mod:`digimaat.exchange.rules`)."""
    is_sheet: ClassVar[bool] = False
    """Whether the file is a sheet (a :class:`~digimaat.exchange.sheet.RawSheet`), told
    without importing the sheets' module where none is read."""


def factorize(values: Sequence[Any]) -> tuple[IntArray, list[Any]]:
    """Codes into the distinct values of a sequence, ``None`` coded as :data:`ABSENT`.

    Values are distinct as raw values of a file are: ``1``, ``1.0`` and ``true`` differ,
    and so do ``"1"`` and ``1``; an array and an object are compared by their content
    (``[1]`` and ``[true]`` differ too).
    """
    seen: collections.defaultdict[Hashable, int] = collections.defaultdict(
        itertools.count().__next__
    )
    try:
        codes = np.fromiter(map(seen.__getitem__, values), dtype=np.intp, count=len(values))
        distinct: list[Any] = list(seen)
        if all(type(v) is str or v is None for v in distinct):
            return _absent_none(codes, distinct)
    except TypeError:  # an array or an object among the values
        pass
    return _careful(values)


def _absent_none(codes: IntArray, distinct: list[Any]) -> tuple[IntArray, list[Any]]:
    """Code ``None`` as absent and drop it from the distinct values."""
    if None not in distinct:
        return codes, distinct
    at = distinct.index(None)
    del distinct[at]
    remap = np.arange(len(distinct) + 1, dtype=np.intp) - (np.arange(len(distinct) + 1) > at)
    remap[at] = ABSENT
    return remap[codes], distinct


def _careful(values: Sequence[Any]) -> tuple[IntArray, list[Any]]:
    index: dict[Hashable, int] = {}
    distinct: list[Any] = []
    codes = np.empty(len(values), dtype=np.intp)
    for k, value in enumerate(values):
        if value is None:
            codes[k] = ABSENT
            continue
        key = raw_key(value)
        code = index.get(key)
        if code is None:
            code = index[key] = len(distinct)
            distinct.append(value)
        codes[k] = code
    return codes, distinct


def raw_key(value: Any) -> Hashable:
    """A hashable key of a raw JSON value that keeps its type (iteratively, any depth)."""
    if type(value) is str:
        return value
    if not isinstance(value, list | dict):
        return (type(value).__name__, value)
    # Containers: an iterative walk, so no nesting can exhaust the interpreter's stack.
    out: list[Any] = []
    stack: list[tuple[str, Any]] = [("v", value)]
    while stack:
        kind, item = stack.pop()
        if kind == "k":
            out.append(("key", item))
        elif isinstance(item, list):
            out.append(("[", len(item)))
            stack.extend(("v", x) for x in reversed(item))
        elif isinstance(item, dict):
            out.append(("{", len(item)))
            for k, v in reversed(item.items()):
                stack.append(("v", v))
                stack.append(("k", k))
        else:
            out.append((type(item).__name__, item))
    return tuple(out)


def depth(value: Any) -> int:
    """The nesting depth of a raw JSON value: 0 for a scalar, 1 for a flat array or object."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, list):
            stack.extend((x, level + 1) for x in item)
            deepest = max(deepest, level + 1)
        elif isinstance(item, dict):
            stack.extend((x, level + 1) for x in item.values())
            deepest = max(deepest, level + 1)
    return deepest


class RecordColumns:
    """Accumulates JSON records (objects), batch by batch, into raw columns.

    Records with the same member names in the same order are read together with one
    ``itemgetter``; each field's values are coded against the distinct values seen so far,
    so memory holds the codes and the distinct values, not the records.
    """

    def __init__(self, fields: Sequence[str]) -> None:
        self.fields = tuple(fields)
        self.known = frozenset(fields)
        self._codes: dict[str, list[IntArray | int]] = {f: [] for f in self.fields}
        """Per field, the codes of each batch, or the batch's size where no record has it."""
        self._counters = {f: itertools.count() for f in self.fields}
        self._index: dict[str, dict[Hashable, int]] = {f: self._new_index(f) for f in self.fields}
        self._fast_index: dict[tuple[str, str, str], dict[Any, int]] = {}
        self._values: dict[str, list[Any]] = {f: [] for f in self.fields}
        self.size = 0
        self.signatures: collections.Counter[tuple[str, ...]] = collections.Counter()
        """How many records have each tuple of member names (in order)."""
        self.others: list[tuple[int, dict[str, Any]]] = []
        """Records that are not objects, or have members the format does not define."""
        self.unread: set[int] = set()
        """Records that are not objects."""

    def add(self, records: list[Any]) -> None:
        """Add the next records (in file order)."""
        start = self.size
        count = len(records)
        self.size += count
        if not count:
            return
        if set(map(type, records)) != {dict}:
            for k, r in enumerate(records):
                if type(r) is not dict:
                    self.others.append((start + k, r))
                    if not isinstance(r, dict):
                        self.unread.add(start + k)
            # An object in which a member name is repeated (reported where it is, XCH-5) is
            # read with the value its last occurrence gives, so its other fields are checked.
            records = [
                r if type(r) is dict else dict(r) if isinstance(r, dict) else {} for r in records
            ]
        signature_codes, signatures = _signatures(records)
        counts = np.bincount(signature_codes, minlength=len(signatures)).tolist()
        for g, keys in enumerate(signatures):
            self.signatures[keys] += counts[g]
            if not self.known.issuperset(keys):
                rows = np.flatnonzero(signature_codes == g).tolist()
                self.others.extend((start + k, records[k]) for k in rows)
        for field in self.fields:
            having = [g for g, keys in enumerate(signatures) if field in keys]
            if not having:
                self._codes[field].append(count)  # absent from the batch: only its size
                continue
            if len(having) == len(signatures):
                codes = self._code(field, list(map(operator.itemgetter(field), records)))
            else:
                rows = np.flatnonzero(np.isin(signature_codes, having))
                codes = np.full(count, ABSENT, dtype=np.intp)
                having_records = _items(records, rows.tolist())
                codes[rows] = self._code(
                    field, list(map(operator.itemgetter(field), having_records))
                )
            self._codes[field].append(codes)

    def _code(self, field: str, part: Sequence[Any]) -> IntArray:
        """The codes of the values of one field in a group of records (all present).

        Values are looked up by a fast key in an index of their kind: a text by itself, an
        array or an object by the tuple of its items, a number or ``true``/``false`` by
        itself. ``1``, ``1.0`` and ``true`` are one key of a dictionary but three values of a
        file, so a fast index only ever holds values of one type (and containers of one
        type of item); anything mixed is looked up by :func:`raw_key`, which keeps types
        apart.
        """
        kinds = set(map(type, part))
        if len(kinds) == 1:
            (kind,) = kinds
            if kind is str:
                return self._lookup(field, self._index[field], part, part)
            if kind in _SCALARS:
                return self._lookup(field, self._fast(field, kind, kind), part, part)
            if kind is list or kind is dict:
                keys = (
                    list(map(tuple, part))
                    if kind is list
                    else list(map(tuple, map(dict.items, part)))
                )
                items = (
                    itertools.chain.from_iterable(part)
                    if kind is list
                    else itertools.chain.from_iterable(map(dict.values, part))
                )
                inner = set(map(type, items))
                if not inner or inner == {str}:
                    return self._lookup(field, self._fast(field, kind, str), keys, part)
                if len(inner) == 1 and inner <= _SCALARS:
                    return self._lookup(field, self._fast(field, kind, inner.pop()), keys, part)
        careful = [None if v is None else raw_key(v) for v in part]
        return self._lookup(field, self._index[field], careful, part)

    def _lookup(
        self, field: str, index: dict[Any, int], keys: Sequence[Any], part: Sequence[Any]
    ) -> IntArray:
        """Codes of ``keys`` in ``index``; a new key gets the next code and its value is kept.

        Every key is hashable here (texts, tagged tuples of texts or of numbers of one type,
        or :func:`raw_key`), so the lookup runs at C speed: a miss calls the index's
        factory, which hands out the field's next code, and the values of the new codes are
        found afterwards at their first occurrence.
        """
        distinct = self._values[field]
        old = len(distinct)
        known = len(index)
        codes = np.fromiter(map(index.__getitem__, keys), dtype=np.intp, count=len(keys))
        if len(index) != known:  # new values: kept at their first occurrence
            # A miss takes the next code, so new codes first occur in increasing order:
            # each first occurrence raises the highest code seen so far.
            new = np.flatnonzero(codes >= old)
            seen = np.maximum.accumulate(codes[new])
            first = new[np.diff(seen, prepend=old - 1) > 0]
            distinct.extend(map(part.__getitem__, first.tolist()))
        return codes

    def _fast(self, field: str, kind: type, inner: type) -> dict[Any, int]:
        key = (field, kind.__name__, inner.__name__)
        index = self._fast_index.get(key)
        if index is None:
            index = self._fast_index[key] = self._new_index(field)
        return index

    def _new_index(self, field: str) -> dict[Any, int]:
        """An index whose misses take the field's next code (shared by its indexes)."""
        index: dict[Any, int] = collections.defaultdict(self._counters[field].__next__)
        index[None] = ABSENT
        return index

    def table(self, name: str, locate: Locator) -> RawTable:
        """The raw table of every record added."""
        columns: dict[str, RawColumn] = {}
        for field in self.fields:
            parts = self._codes[field]
            if all(type(part) is int for part in parts):  # no record has the field
                columns[field] = RawColumn.absent(self.size)  # one code seen everywhere
                continue
            if len(parts) > 1 or type(parts[0]) is int:
                # One array, filled batch by batch; the batches are let go (SEC-5).
                joined = np.empty(self.size, dtype=np.intp)
                at = 0
                for part in parts:
                    if isinstance(part, int):
                        joined[at : at + part] = ABSENT
                        at += part
                    else:
                        joined[at : at + len(part)] = part
                        at += len(part)
                parts[:] = [joined]
            codes = parts[0]
            assert not isinstance(codes, int)
            columns[field] = RawColumn(codes, self._values[field])
        return RawTable(name, self.size, columns, locate, unread=frozenset(self.unread))


_SCALARS: Final = frozenset({int, float, bool})


def _items(items: Sequence[Any], at: list[int]) -> Sequence[Any]:
    """The items at the given positions (at C speed)."""
    if len(at) == 1:
        return [items[at[0]]]
    found: Sequence[Any] = operator.itemgetter(*at)(items) if at else ()
    return found


def _signatures(records: list[dict[str, Any]]) -> tuple[IntArray, list[tuple[str, ...]]]:
    seen: collections.defaultdict[tuple[str, ...], int] = collections.defaultdict(
        itertools.count().__next__
    )
    codes = np.fromiter(
        map(seen.__getitem__, map(tuple, records)), dtype=np.intp, count=len(records)
    )
    return codes, list(seen)


def compact(keys: IntArray, bound: int, out: IntArray | None = None) -> tuple[IntArray, IntArray]:
    """The distinct keys (sorted) and each key's index among them; keys lie in ``0..bound-1``.

    Without sorting where the bound is small (a presence table), else with ``np.unique``.
    The indices are written into ``out`` where it is given and the bound is small.

    >>> distinct, index = compact(np.array([5, 2, 5, 9]), 10)
    >>> distinct.tolist(), index.tolist()
    ([2, 5, 9], [1, 0, 1, 2])
    """
    if bound <= 4 * len(keys) + 1024:
        present = np.zeros(bound, dtype=np.bool_)
        present[keys] = True
        distinct = np.flatnonzero(present)
        # Only the entries of the keys present are written and read: the rest of the table
        # is never touched (nor its memory paged in).
        position = np.empty(bound, dtype=np.intp)
        position[distinct] = np.arange(len(distinct), dtype=np.intp)
        if out is None:
            return distinct, position[keys]
        # Every key is in the table (it was marked present above): "clip" never clips, and
        # unlike "raise" it writes into ``out`` without a buffer of its size.
        return distinct, np.take(position, keys, out=out, mode="clip")
    distinct, inverse = np.unique(keys, return_inverse=True)
    return distinct.astype(np.intp), inverse.astype(np.intp).reshape(-1)


def joint(columns: Sequence[IntArray]) -> tuple[IntArray, list[tuple[int, ...]]]:
    """Codes of the distinct combinations of several code columns, and the combinations.

    Codes may be :data:`ABSENT` (-1). Each combination is a tuple of one code per column.
    The columns are folded into one key per record, digit after digit, and the keys are
    made compact (their distinct values numbered) only when the next digit would make
    them too large for a table of presence, and at the end.

    >>> codes, members = joint([np.array([0, 1, 0]), np.array([-1, 2, -1])])
    >>> codes.tolist(), members
    ([0, 1, 0], [(0, -1), (1, 2)])
    """
    size = len(columns[0]) if columns else 0
    if not size:
        return np.zeros(0, dtype=np.intp), []
    limit = 4 * size + 1024  # the bound up to which compact() needs no sort
    codes: IntArray | None = None  # each record's combination among the members
    members: list[tuple[int, ...]] = [()]
    keys: IntArray | None = None  # the keys folded since the members were last made
    scratch = np.empty(size, dtype=np.intp)
    bound = 1  # the keys lie in 0..bound-1
    folded: list[tuple[int, int]] = []  # since then: (width, 0) a column folded, (0, v) one v
    for column in columns:
        low, high = int(column.min()), int(column.max())
        if low == high:  # one value in every record: each combination extends by it
            folded.append((0, low))
            continue
        width = high + 2
        if keys is not None and bound * width > limit:
            codes, members = _members(keys, bound, members, folded, codes)
            keys, folded = None, []
        if keys is None:
            if codes is None:
                keys = np.add(column, 1, out=scratch)
            else:
                keys = np.multiply(codes, width, out=scratch)
                keys += column
                keys += 1
            bound = len(members) * width
        else:
            keys *= width
            keys += column
            keys += 1
            bound *= width
        folded.append((width, 0))
    if keys is not None:
        codes, members = _members(keys, bound, members, folded, codes)
    else:
        constants = tuple(value for _, value in folded)
        members = [(*member, *constants) for member in members]
    return (np.zeros(size, dtype=np.intp) if codes is None else codes), members


def _members(
    keys: IntArray,
    bound: int,
    members: list[tuple[int, ...]],
    folded: list[tuple[int, int]],
    out: IntArray | None,
) -> tuple[IntArray, list[tuple[int, ...]]]:
    """The keys made compact, and the combination each stands for: a member of before and
    the values ``folded`` into the key since (see :func:`joint`)."""
    distinct, codes = compact(keys, bound, out=out)
    digits: dict[int, list[int]] = {}
    rest = distinct
    for n in reversed(range(len(folded))):
        width = folded[n][0]
        if width:
            rest, digit = np.divmod(rest, width)
            digits[n] = (digit - 1).tolist()
    values = [
        digits[n] if width else itertools.repeat(value) for n, (width, value) in enumerate(folded)
    ]
    found = [
        (*members[prefix], *more) for prefix, *more in zip(rest.tolist(), *values, strict=False)
    ]
    return codes, found


guard(__name__)
