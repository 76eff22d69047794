"""The rules of offerings (chapter XCH, XCH-7 to XCH-9, XCH-11, XCH-18.3, chapter OFF).

Every field of an offering is read by its rule and reported on its own (XCH-8); then what
spans fields: a sheet's capability columns beside its capabilities list (XCH-18.3), the
volumes of a row with its unit (XCH-9, XCH-11, OFF-5), the web forms (OFF-6), the rules of
an offering (OFF-3, OFF-4, by applying
:func:`~digimaat.vocabulary.offerings.check_spanning`, which every
:class:`~digimaat.vocabulary.offerings.Offering` applies, to each distinct combination of
the fields it spans, so that OFF's rules are OFF's own code), and no municipality and
product twice (XCH-7). The
result is the validated offerings as columns, :class:`OfferingColumns`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_repr
from digimaat._serial import shown
from digimaat.errors import N_, NO_VALUE, InvalidValueError
from digimaat.exchange import rules
from digimaat.exchange.raw import IntArray, RawTable, compact, joint
from digimaat.exchange.rules import Fault, Item
from digimaat.exchange.sheet_columns import CAPABILITY_COLUMNS, VOLUME_COLUMNS
from digimaat.exchange.validation_checker import Checker, walk
from digimaat.exchange.validation_products import ProductKeys
from digimaat.measurement.dataset import STATUS_CODES
from digimaat.vocabulary.assurance import (
    Authentication,
    AuthenticationOptions,
    AuthMeans,
)
from digimaat.vocabulary.channels import CHANNELS
from digimaat.vocabulary.maturity import Capability, capability_mask
from digimaat.vocabulary.municipalities import Municipality
from digimaat.vocabulary.offerings import (
    FormFunnel,
    Provenance,
    Status,
    VolumeRecord,
    check_spanning,
)
from digimaat.vocabulary.products import Catalogue

__all__ = ["OfferingChecks"]

FloatArray = NDArray[np.float64]
Int8Array = NDArray[np.int8]
_MEANS_CODE: Final = {means: code for code, means in enumerate(AuthMeans)}
_SOME_VOLUMES: Final = VolumeRecord((), ())
_SOME_FORMS: Final = FormFunnel(0, 0)
_SPANNED: Final = (
    "status",
    "capabilities",
    "authentication",
    "local_target",
    "local_target_reason",
)
"""The fields :func:`~digimaat.vocabulary.offerings.check_spanning` spans, with whether an
offering has volumes and web forms (which stand in for the record's own)."""


@attrs.frozen(eq=False)
@shared_repr
class OfferingColumns:
    """The validated offerings of one file, as columns (one entry per offering)."""

    size: int
    municipality: IntArray
    cbs_codes: tuple[str, ...]
    """The CBS code of each offering is ``cbs_codes[municipality[k]]``: the distinct codes
    (sorted), and the index of each offering's."""
    uris: tuple[str, ...]
    """The distinct product URIs, indexed by :attr:`product`."""
    product: IntArray
    status: Int8Array
    """Status codes (``digimaat.measurement.dataset.StatusCode``)."""
    capabilities: NDArray[np.int16]
    auth_means: Int8Array
    auth_level: Int8Array
    local_target: Int8Array
    fee: Int8Array
    volume: FloatArray
    """``[offering, channel]`` requests per year; NaN where the channel is not listed."""
    has_volume: NDArray[np.bool_]
    """Per offering, whether it has a volume record (which may list no channel)."""
    forms_started: FloatArray
    forms_completed: FloatArray
    reasons: dict[int, str]
    notes: dict[int, str]
    provenance: dict[int, Provenance]
    options: dict[int, AuthenticationOptions]
    """The offerings that accept several means (LOA-4.2); the arrays hold the weakest."""
    where: Callable[[int], str]
    """The location of an offering in its file."""

    def __attrs_post_init__(self) -> None:
        # Read-only: a dataset is built from them without checking them again.
        for value in attrs.astuple(self, recurse=False):
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    @classmethod
    def empty(cls) -> OfferingColumns:
        """No offerings."""
        none = np.zeros(0, dtype=np.int8)
        return cls(
            size=0,
            municipality=np.zeros(0, dtype=np.intp),
            cbs_codes=(),
            uris=(),
            product=np.zeros(0, dtype=np.intp),
            status=none,
            capabilities=np.zeros(0, dtype=np.int16),
            auth_means=none,
            auth_level=none,
            local_target=none,
            fee=none,
            volume=np.zeros((0, len(CHANNELS))),
            has_volume=np.zeros(0, dtype=np.bool_),
            forms_started=np.zeros(0),
            forms_completed=np.zeros(0),
            reasons={},
            notes={},
            provenance={},
            options={},
            where=lambda k: "",
        )


class OfferingChecks(Checker):
    """The offerings: every field by its rule, then what spans fields and records."""

    def offerings(
        self,
        municipalities: dict[str, Municipality],
        broken_codes: set[str],
        catalogue: Catalogue,
        broken_uris: set[str],
    ) -> OfferingColumns:
        """The offerings (XCH-8, OFF): every field by its rule, then what spans fields."""
        table = self.raw.offerings
        n = table.size
        d = self.dialect
        live = np.ones(n, dtype=np.bool_)
        for field in ("municipality", "product"):
            missing = table.column(field).codes < 0
            if self.csv and (field not in table.names or field == "municipality"):
                # A missing column is a header problem, and an empty CBS code cell a
                # problem of the row's municipality: both are reported there.
                live &= ~missing
            elif self.csv:
                live &= ~self._listing_rows(table, missing)
            elif missing.any():
                live &= ~missing
                for k in self.each(table, missing & table.readable()):
                    self.problem(table, k, field, Item("", N_("is required"), NO_VALUE, "XCH-8"))

        def municipality(value: Any) -> Any:
            code = rules.read_code(value, d, "MUN-2")
            if isinstance(code, Fault):
                return Fault(()) if self.csv else code
            if code in municipalities:
                return code
            if self.csv or code in broken_codes:
                return Fault(())  # its own record has a problem, reported there
            return Fault.one("is not a municipality listed in /municipalities", code, "XCH-7")

        # Every field of an offering is checked and reported on its own, whatever its other
        # fields hold (what spans fields, OFF-3, OFF-4 and XCH-7, only where every field could
        # be read): reportable are all records but the rows that list a municipality and
        # nothing else.
        reportable = live.copy() if self.csv else np.ones(n, dtype=np.bool_)
        m_codes, m_parsed, failed = self.apply(table, "municipality", municipality, reportable)
        live &= ~failed
        resolver = ProductKeys(catalogue, broken_uris, self.csv)
        p_codes, p_parsed, failed = self.apply(table, "product", resolver, reportable)
        if resolver.pending:
            p_codes, p_parsed, failed = resolver.per_municipality(
                self, table, (m_codes, m_parsed), (p_codes, p_parsed, failed), reportable
            )
        self.implied_local = {  # XCH-18.9
            uri: (product, table.locate(k, "product", ""))
            for uri, (product, k) in sorted(resolver.implied.items())
        }
        live &= ~failed

        text = self.limits.max_text
        descriptive: dict[str, Callable[[Any], Any]] = {
            "status": lambda v: rules.read_status(v, d),
            "capabilities": lambda v: rules.read_capabilities(v, d),
            "authentication": lambda v: rules.read_authentication(v, d),
            "local_target": lambda v: rules.read_level(v, d, "MAT-1"),
            "local_target_reason": lambda v: rules.read_text(
                v, d, max_length=text, multiline=True, clause="OFF-4"
            ),
            "fee_applies": lambda v: rules.read_boolean(v, d, "OFF-7"),
            "notes": lambda v: rules.read_text(
                v, d, max_length=text, multiline=True, clause="OFF-17"
            ),
            "provenance": rules.read_provenance,
        }
        coded: dict[str, tuple[IntArray, list[Any]]] = {}
        for field, rule in descriptive.items():
            codes, parsed, failed = self.apply(table, field, rule, reportable)
            coded[field] = (codes, parsed)
            live &= ~failed
        if self.csv and any(c in table.columns for c in CAPABILITY_COLUMNS):
            coded["capabilities"], failed = self.capability_columns(
                table, coded["capabilities"], reportable
            )
            live &= ~failed
        volume, has_volume, failed = self.volumes(table, reportable)
        live &= ~failed
        started, completed, failed = self.forms(table, reportable)
        live &= ~failed
        live &= ~self.combinations(table, coded, has_volume, ~np.isnan(started), live)
        live &= ~self.repeats(table, m_codes, p_codes, p_parsed, live)

        rows = np.flatnonzero(live)

        def kept(array: NDArray[Any]) -> NDArray[Any]:
            """The entries of the offerings kept (the array itself when every one is)."""
            return array if rows.size == n else array[rows]

        m_kept, p_kept = kept(m_codes), kept(p_codes)
        cbs_codes, municipality_of = _distinct(m_kept, m_parsed)
        uris, product_of = _distinct(p_kept, p_parsed)

        def spread(
            field: str, code_of: Callable[[Any], int], dtype: Any, absent: int = -1
        ) -> NDArray[Any]:
            """Per offering, the code of its parsed value (``absent`` where it has none)."""
            codes, parsed = coded[field]
            lookup = np.array(
                [code_of(v) if not isinstance(v, Fault) else -1 for v in parsed] + [absent],
                dtype=dtype,
            )
            spread: NDArray[Any] = lookup[kept(codes)]  # code -1 (absent): the last entry
            return spread

        status = spread("status", STATUS_CODES.__getitem__, np.int8, STATUS_CODES[Status.OFFERED])
        auth_codes, auth_parsed = coded["authentication"]
        codes_k = kept(auth_codes)

        def texts(field: str, only: type | None = None) -> dict[int, Any]:
            codes, parsed = coded[field]
            chosen = kept(codes)
            if only is None:
                at = np.flatnonzero(chosen >= 0)
            else:
                kind = np.array([isinstance(v, only) for v in parsed] + [False], dtype=np.bool_)
                at = np.flatnonzero(kind[chosen])
            return dict(zip(at.tolist(), map(parsed.__getitem__, chosen[at].tolist()), strict=True))

        return OfferingColumns(
            size=len(rows),
            municipality=municipality_of[m_kept],
            cbs_codes=cbs_codes,
            uris=uris,
            product=product_of[p_kept],
            status=status,
            capabilities=spread("capabilities", capability_mask, np.int16, 0),
            auth_means=_auth_part(auth_parsed, codes_k, lambda a: _MEANS_CODE[a.means]),
            auth_level=_auth_part(
                auth_parsed, codes_k, lambda a: -1 if a.level is None else int(a.level)
            ),
            local_target=spread("local_target", int, np.int8),
            fee=spread("fee_applies", int, np.int8),
            volume=kept(volume),
            has_volume=kept(has_volume),
            forms_started=kept(started),
            forms_completed=kept(completed),
            reasons=texts("local_target_reason"),
            notes=texts("notes"),
            provenance=texts("provenance"),
            options=texts("authentication", AuthenticationOptions),
            where=_places(table, rows),
        )

    def capability_columns(
        self,
        table: RawTable,
        listed: tuple[IntArray, list[Any]],
        live: NDArray[np.bool_],
    ) -> tuple[tuple[IntArray, list[Any]], NDArray[np.bool_]]:
        """The capabilities of every row from its yes/no columns and its list (XCH-18.3).

        A capability is present when its column says yes or the ``capabilities`` list names
        it; a column that says no while the list names the capability is a problem.
        """
        codes, parsed = listed
        lookup = np.array(
            [capability_mask(v) if isinstance(v, frozenset) else 0 for v in parsed] + [0],
            dtype=np.int32,
        )
        masks = lookup[np.where(codes >= 0, codes, len(parsed))]
        failed = np.zeros(table.size, dtype=np.bool_)
        for capability in Capability:
            field = f"capability:{capability.value}"
            if field not in table.columns:
                continue
            answer, values, bad = self.apply(
                table, field, lambda v: rules.read_tick(v, self.dialect), live
            )
            failed |= bad
            yes = np.array([v is True for v in values] + [False], dtype=np.bool_)
            no = np.array([v is False for v in values] + [False], dtype=np.bool_)
            at = np.where(answer >= 0, answer, len(values))
            conflict = no[at] & ((masks & capability.bit) != 0) & live & ~failed
            for k in self.each(table, conflict):
                self.problem(
                    table,
                    k,
                    field,
                    Item(
                        "",
                        f"says no, but the capabilities cell lists {capability.value}",
                        table.column(field).value(k),
                        "XCH-18.3",
                    ),
                )
            failed |= conflict
            masks = np.where(yes[at], masks | capability.bit, masks)
        distinct, index = compact(masks.astype(np.intp), 1 << len(Capability))
        sets = [frozenset(c for c in Capability if int(m) & c.bit) for m in distinct.tolist()]
        return (index, sets), failed

    def _listing_rows(self, table: RawTable, listing: NDArray[np.bool_]) -> NDArray[np.bool_]:
        """CSV rows without a product: they list a municipality, nothing else (XCH-11)."""
        if not listing.any():
            return listing
        filled = np.zeros(table.size, dtype=np.bool_)
        for field, column in table.columns.items():
            if field not in ("municipality", "product"):
                filled |= column.codes >= 0
        for k in self.each(table, listing & filled):
            self.problem(
                table,
                k,
                "product",
                Item(
                    "",
                    N_("is empty, but other cells of the offering are filled"),
                    "",
                    "XCH-11",
                    N_("fill in the product, or empty the row's other offering cells"),
                ),
            )
        return listing

    def volumes(
        self, table: RawTable, live: NDArray[np.bool_]
    ) -> tuple[FloatArray, NDArray[np.bool_], NDArray[np.bool_]]:
        """Requests per year per listed channel (XCH-9, XCH-11, OFF-5), whether each record has
        volumes, and whether its volumes failed. NaN where a channel is not listed."""
        n = table.size
        # Not listed anywhere: one NaN seen through every record (no memory per record).
        volume: FloatArray = np.broadcast_to(np.nan, (n, len(CHANNELS)))
        if not self.csv:
            codes, parsed, failed = self.apply(table, "volumes", rules.JsonVolumes(), live)
            ok = (codes >= 0) & ~failed
            if ok.any():
                volume = np.full((n, len(CHANNELS)), np.nan)
                unlisted = np.full(len(CHANNELS), np.nan)
                stack = np.array([unlisted if isinstance(p, Fault) else p for p in parsed])
                volume[ok] = stack[codes[ok]]
            return volume, ok, failed
        failed = np.zeros(n, dtype=np.bool_)
        d = self.dialect
        unit_codes, units, _ = self.apply(
            table, "volume_unit", lambda v: rules.read_unit(str(v)), live
        )
        unit_cells = table.column("volume_unit").values
        filled = np.zeros(n, dtype=np.bool_)
        rates: dict[tuple[Any, str | None], Any] = {}  # a cell and unit read once for all columns

        def rate(cell: Any, unit: str | None) -> Any:
            found = rates.get((cell, unit), rates)
            if found is rates:
                found = rates[cell, unit] = rules.read_rate(cell, d, unit)
            return found

        for slot, column_name in enumerate(VOLUME_COLUMNS):
            column = table.column(column_name)
            if not column.values:
                continue
            present = column.codes >= 0
            filled |= present
            at = np.flatnonzero(present)
            # One reading per distinct pair of cell and unit, by the one rule of rates.
            pair, members = joint([column.codes[at], unit_codes[at]])
            results: list[Any] = []
            for cell_code, unit_code in members:
                cell = column.values[cell_code]
                unit = None if unit_code < 0 else units[unit_code]
                if isinstance(unit, Fault):  # reported at the unit; a bare number waits for it
                    own = rate(cell, None)
                    bare = isinstance(own, Fault) and rules.is_bare_number(cell, d)
                    results.append(Fault(()) if bare else own)
                    continue
                unit_text = None if unit_code < 0 else str(unit_cells[unit_code]).strip()
                results.append(rate(cell, unit_text))
            failed_member = np.array([isinstance(r, Fault) for r in results], dtype=np.bool_)
            bad = failed_member[pair]
            if bad.any():
                reported = bad & live[at]
                self.report_at(table, column_name, at[reported], pair[reported], results)
                failed[at[bad]] = True
            values = np.array([r if isinstance(r, float) else 0.0 for r in results])
            if not volume.flags.writeable:
                volume = np.full((n, len(CHANNELS)), np.nan)
            volume[at, slot] = values[pair]
        return volume, filled, failed

    def forms(
        self, table: RawTable, live: NDArray[np.bool_]
    ) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
        """Web forms started and completed (OFF-6); NaN without a record."""
        n = table.size
        started: FloatArray = np.broadcast_to(np.nan, n)  # no record anywhere: no memory
        completed: FloatArray = started
        d = self.dialect
        if not self.csv:
            codes, parsed, failed = self.apply(table, "forms", rules.read_forms, live)
            ok = (codes >= 0) & ~failed
            if ok.any():
                started, completed = np.full(n, np.nan), np.full(n, np.nan)
                pairs = np.array(
                    [(0, 0) if isinstance(p, Fault) else p for p in parsed], dtype=np.float64
                )
                started[ok] = pairs[codes[ok], 0]
                completed[ok] = pairs[codes[ok], 1]
            return started, completed, failed
        failed = np.zeros(n, dtype=np.bool_)
        counts: list[tuple[IntArray, list[Any]]] = []
        for field in ("forms_started", "forms_completed"):
            codes, parsed, bad = self.apply(
                table,
                field,
                lambda v: rules.read_integer(v, d, 0, rules.MAX_COUNT, "OFF-6", above="XCH-4"),
                live,
            )
            counts.append((codes, parsed))
            failed |= bad
        (s_codes, s_parsed), (c_codes, c_parsed) = counts
        at = np.flatnonzero((s_codes >= 0) | (c_codes >= 0))  # the rows with either cell
        pair, members = joint([s_codes[at], c_codes[at]])
        results: list[Any] = []
        for s_code, c_code in members:
            first = None if s_code < 0 else s_parsed[s_code]
            done = None if c_code < 0 else c_parsed[c_code]
            if isinstance(first, Fault) or isinstance(done, Fault):
                results.append(Fault(()))  # reported at its cell
            elif first is None and done is None:
                results.append(None)
            elif first is None or done is None:
                other = "forms_started" if first is None else "forms_completed"
                results.append(
                    Fault.one(
                        N_("must be filled when the other forms cell is"), "", "OFF-6", sub=other
                    )
                )
            else:
                try:
                    FormFunnel(first, done)
                except InvalidValueError as exc:
                    results.append(
                        Fault.one(exc.problem.message, done, "OFF-6", sub="forms_completed")
                    )
                else:
                    results.append((first, done))
        bad_member = np.array([isinstance(r, Fault) for r in results], dtype=np.bool_)
        bad = bad_member[pair] & ~failed[at]
        reported = bad & live[at]
        if reported.any():
            self.report_at(table, "forms_started", at[reported], pair[reported], results)
        failed[at[bad_member[pair]]] = True
        ok = np.array([isinstance(r, tuple) for r in results], dtype=np.bool_)[pair]
        if ok.any():
            started, completed = np.full(n, np.nan), np.full(n, np.nan)
            values = np.array(
                [r if isinstance(r, tuple) else (0, 0) for r in results], dtype=np.float64
            )
            started[at[ok]] = values[pair[ok], 0]
            completed[at[ok]] = values[pair[ok], 1]
        return started, completed, failed

    def combinations(
        self,
        table: RawTable,
        coded: dict[str, tuple[IntArray, list[Any]]],
        has_volumes: NDArray[np.bool_],
        has_forms: NDArray[np.bool_],
        live: NDArray[np.bool_],
    ) -> NDArray[np.bool_]:
        """The rules of an offering that span its fields (OFF-3, OFF-4), once per combination."""
        fields = _SPANNED
        rows = np.flatnonzero(live)
        failed = np.zeros(table.size, dtype=np.bool_)
        if not rows.size:
            return failed
        every = rows.size == table.size  # then the columns as they are, not a copy

        def of(array: NDArray[Any]) -> NDArray[Any]:
            return array if every else array[rows]

        combination, members = joint(
            [of(coded[f][0]) for f in fields]
            + [of(has_volumes).astype(np.intp), of(has_forms).astype(np.intp)]
        )
        faults: list[Any] = []
        for key in members:
            values = [None if c < 0 else coded[f][1][c] for f, c in zip(fields, key, strict=False)]
            status, capabilities, authentication, target, reason = values
            try:
                check_spanning(
                    Status.OFFERED if status is None else status,
                    capabilities or frozenset(),
                    authentication,
                    target,
                    reason,
                    _SOME_VOLUMES if key[5] else None,
                    _SOME_FORMS if key[6] else None,
                )
            except InvalidValueError as exc:
                # VolumeRecord and forms stand in for the record's own (reported at its field),
                # and None is a field left out: neither is a value to show.
                stand_in = exc.value is None or exc.field in ("volumes", "forms")
                value = NO_VALUE if stand_in else shown(exc.value)
                item = Item(exc.field, exc.problem.message, value, exc.problem.clause)
                faults.append(Fault((item,)))
            else:
                faults.append(None)
        bad_member = np.array([f is not None for f in faults], dtype=np.bool_)
        bad = bad_member[combination]
        if bad.any():
            failed[rows[bad]] = True
            member_of = np.zeros(table.size, dtype=np.intp)
            member_of[rows] = combination
            for k in self.each(table, failed):
                item = faults[int(member_of[k])].items[0]
                self.problem(table, k, item.sub, attrs.evolve(item, sub=""))
        return failed

    def repeats(
        self,
        table: RawTable,
        m_codes: IntArray,
        p_codes: IntArray,
        p_parsed: list[Any],
        live: NDArray[np.bool_],
    ) -> NDArray[np.bool_]:
        """Two offerings of one municipality and product: the later is refused (XCH-7)."""
        rows = np.flatnonzero(live)
        failed = np.zeros(table.size, dtype=np.bool_)
        if not rows.size:
            return failed
        uri_codes: dict[str, int] = {}
        uri_of = np.array(
            [uri_codes.setdefault(u, len(uri_codes)) if isinstance(u, str) else 0 for u in p_parsed]
            or [0],
            dtype=np.intp,
        )
        width = len(uri_codes) + 1
        key = m_codes[rows] * width
        key += uri_of[p_codes[rows]]
        distinct, index = compact(key, (int(key.max()) // width + 1) * width)
        if len(distinct) == rows.size:
            return failed
        first = np.full(len(distinct), rows.size, dtype=np.intp)
        np.minimum.at(first, index, np.arange(rows.size))
        repeat = np.flatnonzero(first[index] != np.arange(rows.size))
        for at in walk(repeat):
            k = int(rows[at])
            failed[k] = True
            place = table.locate(int(rows[first[index[at]]]), "", "").split(",")[0]
            self.problem(
                table,
                k,
                "product",
                Item(
                    "",
                    f"repeats the offering at {place} (same municipality and product)",
                    p_parsed[int(p_codes[k])],
                    "XCH-7",
                ),
            )
        return failed


def _distinct(codes: IntArray, parsed: list[Any]) -> tuple[tuple[str, ...], IntArray]:
    """The distinct texts (sorted) that the codes of the validated offerings give, and the
    index among them of each parsed value (-1 where it is not one of them)."""
    named = np.flatnonzero(np.bincount(codes, minlength=len(parsed)))
    texts = tuple(sorted({parsed[c] for c in named.tolist()}))
    index = {text: j for j, text in enumerate(texts)}
    return texts, np.array(
        [index.get(v, -1) if isinstance(v, str) else -1 for v in parsed] or [-1], dtype=np.intp
    )


def _places(table: RawTable, rows: IntArray) -> Callable[[int], str]:
    """Where the ``k``-th validated offering is in its file (its row or JSON pointer)."""

    locate = table.locate  # not the table: its columns are not kept with the offerings

    def where(k: int) -> str:
        return locate(int(rows[k]), "", "").split(",")[0]

    return where


def _auth_part(
    parsed: list[Any],
    codes: IntArray,
    part: Callable[[Authentication | AuthenticationOptions], int],
) -> Int8Array:
    """One part (means or level code) of every row's authentication; -1 where absent."""
    lookup = np.array(
        [part(a) if isinstance(a, Authentication | AuthenticationOptions) else -1 for a in parsed]
        + [-1],
        dtype=np.int8,
    )
    return lookup[codes]  # code -1 (absent) takes the last entry


guard(__name__)
