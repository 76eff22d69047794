"""The uncertainty section of a profile (specification chapter UNC, UNC-1 and UNC-2).

A profile may declare how uncertain its own methodology and its data are
(:class:`UncertaintySection`): alternative *choices* (weightings, the composite method, the
missing-value policy), *perturbations* of weights (each composite part weight, each
product's weight, each product's volumes within a relative range) and *data sets* (an
offering that is online but whose authentication was not recorded has one of a set of
assurance levels; a cell whose maturity level is unknown, or only claimed, has one of a
set of levels). This module reads the section from profile data and checks that it
fits its profile; :mod:`digimaat.measurement.uncertainty` gathers the chapter's names.

>>> from digimaat.measurement.uncertainty_section import UncertaintySection
>>> section = UncertaintySection(methods=("arithmetic", "geometric"), part_weights=0.25)
>>> section.to_dict(lambda w: {"kind": w.kind})["methods"]
['arithmetic', 'geometric']
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol

import attrs
import numpy as np
from numpy.typing import NDArray

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat.errors import NO_VALUE, InvalidTypeError, InvalidValueError
from digimaat.measurement.aggregation import Method, MissingPolicy
from digimaat.measurement.metrics import Composite, Metric
from digimaat.measurement.weights import (
    ChannelCost,
    Mix,
    PerCapita,
    ProductOf,
    Restrict,
    Volume,
    Weighting,
)
from digimaat.vocabulary.assurance import AssuranceLevel
from digimaat.vocabulary.maturity import MaturityLevel

__all__ = [
    "SECTION_KEYS",
    "UNKNOWN_LEVEL",
    "LevelSet",
    "UncertaintySection",
    "section_problems",
    "structure_section",
    "uses_volume",
]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.intp]
Indices = NDArray[np.integer[Any]]

SECTION_KEYS = (
    "weightings",
    "methods",
    "missing",
    "part_weights",
    "product_weights",
    "volumes",
    "authentication",
    "levels",
)
"""The fields of the uncertainty section, in their canonical order (UNC-1)."""

UNKNOWN_LEVEL = "unknown"
"""The key of ``levels`` for the cells whose level is not known (UNC-3.5, AGG-2)."""

LevelSet = tuple[MaturityLevel | None, tuple[MaturityLevel, ...]]
"""One entry of ``levels``: a recorded state (a level, or ``None`` for a level that is not
known) and the levels a cell in that state may have (UNC-3.5)."""


def _half_width(name: str, value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value < 1
    ):
        raise InvalidValueError(name, value, "must be a number >= 0 and < 1")
    return float(value) + 0.0


def _part_weights(value: Any) -> float:
    return _half_width("part_weights", value)


def _product_weights(value: Any) -> float:
    return _half_width("product_weights", value)


def _volumes(value: Any) -> float:
    return _half_width("volumes", value)


def _distinct(name: str, values: Sequence[Any]) -> None:
    seen: list[Any] = []
    for value in values:
        if value in seen:
            raise InvalidValueError(name, value, "is listed twice")
        seen.append(value)


def _items(name: str, values: Any) -> tuple[Any, ...]:
    """The items of a list the section is given (a single text is a list of one)."""
    if isinstance(values, str):
        return (values,)
    if isinstance(values, bytes | bytearray) or not isinstance(values, Iterable):
        raise InvalidTypeError(name, values, "a list")
    return tuple(values)


def _weightings(values: Any) -> tuple[Weighting, ...]:
    out = _items("weightings", values)
    for w in out:
        if not isinstance(w, Weighting):
            raise InvalidValueError("weightings", w, "must be a weighting")
    _distinct("weightings", out)
    return out


def _methods(values: Any) -> tuple[Method, ...]:
    out = tuple(Method.parse(v) for v in _items("methods", values))
    _distinct("methods", out)
    return out


def _policies(values: Any) -> tuple[MissingPolicy, ...]:
    out = tuple(MissingPolicy.parse(v) for v in _items("missing", values))
    _distinct("missing", out)
    return out


def _levels(values: Any) -> tuple[AssuranceLevel, ...]:
    out = tuple(AssuranceLevel.parse(v, "authentication") for v in _items("authentication", values))
    _distinct("authentication", out)
    return out


def _state(value: Any) -> MaturityLevel | None:
    if value is None or (isinstance(value, str) and value.strip().lower() == UNKNOWN_LEVEL):
        return None
    return MaturityLevel.parse(value, "levels")


def _state_name(state: MaturityLevel | None) -> str:
    return UNKNOWN_LEVEL if state is None else state.label


def _level_sets(values: Any) -> tuple[LevelSet, ...]:
    """``levels`` from a mapping (or pairs) of a state to its levels, in canonical order:
    the unknown level first, then the levels from low to high."""
    pairs = list(values.items()) if isinstance(values, Mapping) else _items("levels", values)
    out: dict[MaturityLevel | None, tuple[MaturityLevel, ...]] = {}
    for pair in pairs:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise InvalidTypeError("levels", pair, "a pair of a state and its levels")
        key, options = pair
        state = _state(key)
        if state in out:
            raise InvalidValueError("levels", key, "is listed twice")
        items = (options,) if isinstance(options, str | int) else _items("levels", options)
        chosen = tuple(MaturityLevel.parse(v, "levels") for v in items)
        _distinct(f"levels.{_state_name(state)}", chosen)
        if not chosen:
            raise InvalidValueError(f"levels.{_state_name(state)}", [], "must list a level")
        if state is not None and state not in chosen:
            raise InvalidValueError(
                f"levels.{state.label}",
                [c.label for c in chosen],
                f"must include the level {state.label!r} itself",
            )
        out[state] = chosen
    return tuple(sorted(out.items(), key=lambda kv: -1 if kv[0] is None else int(kv[0])))


@attrs.frozen
@shared_repr
@shared_eq
class UncertaintySection:
    """How uncertain a profile's choices and its data are (UNC-1).

    Every field is optional; an empty choice keeps the profile's own, a half-width of 0
    perturbs nothing. A listed choice gives its options in order; it must include the
    profile's own (UNC-2), which :class:`~digimaat.measurement.profiles.Profile` checks.
    """

    weightings: tuple[Weighting, ...] = attrs.field(default=(), converter=_weightings)
    """Alternative weightings (WGT), the profile's own among them."""
    methods: tuple[Method, ...] = attrs.field(default=(), converter=_methods)
    """Alternative methods for every composite (AGG-5)."""
    missing: tuple[MissingPolicy, ...] = attrs.field(default=(), converter=_policies)
    """Alternative missing-value policies (AGG-4)."""
    part_weights: float = attrs.field(default=0.0, converter=_part_weights)
    """Each composite part weight times a factor uniform in [1 - r, 1 + r]."""
    product_weights: float = attrs.field(default=0.0, converter=_product_weights)
    """Each product's raw weight times a factor uniform in [1 - r, 1 + r], one per product."""
    volumes: float = attrs.field(default=0.0, converter=_volumes)
    """Each product's volumes times a factor uniform in [1 - r, 1 + r], one per product."""
    authentication: tuple[AssuranceLevel, ...] = attrs.field(default=(), converter=_levels)
    """The levels an unrecorded authentication of an online offering may have (UNC-3.4)."""
    levels: tuple[LevelSet, ...] = attrs.field(default=(), converter=_level_sets)
    """The levels a cell whose level is uncertain may have, by its recorded state: the
    unknown level (``None``) or a level (UNC-3.5). Given as a mapping such as
    ``{"unknown": ["information", "online-submission"]}``."""

    def options_of(self, state: MaturityLevel | None) -> tuple[MaturityLevel, ...]:
        """The levels listed for a recorded state (``None``: the unknown level); ``()``
        when the state's level is certain."""
        return dict(self.levels).get(state, ())

    @property
    def empty(self) -> bool:
        """Whether the section varies nothing."""
        return not (
            self.weightings
            or self.methods
            or self.missing
            or self.part_weights
            or self.product_weights
            or self.volumes
            or self.authentication
            or self.levels
        )

    def to_dict(self, weighting: Callable[[Weighting], dict[str, Any]]) -> dict[str, Any]:
        """The section as plain data, every field written (UNC-1); ``weighting``
        unstructures a weighting object (the profile's own writer)."""
        return {
            "weightings": [weighting(w) for w in self.weightings],
            "methods": [m.value for m in self.methods],
            "missing": [p.value for p in self.missing],
            "part_weights": self.part_weights,
            "product_weights": self.product_weights,
            "volumes": self.volumes,
            "authentication": [level.label for level in self.authentication],
            "levels": {
                _state_name(state): [level.label for level in options]
                for state, options in self.levels
            },
        }


class _Sink(Protocol):
    """What the profile reader gives the section's reader: a place for problems and a
    reader of weighting objects (PRF-7)."""

    def problem(self, pointer: str, field: str, value: Any, message: str, clause: str) -> None: ...

    def weighting(self, pointer: str, value: Any, what: str = "weighting") -> Weighting | None: ...


def structure_section(sink: _Sink, pointer: str, data: Any) -> UncertaintySection | None:
    """Read the uncertainty section from profile data, reporting every problem to ``sink``
    with its JSON pointer (UNC-1, PRF-7); ``None`` when there was a problem."""
    if not isinstance(data, Mapping):
        sink.problem(pointer, "uncertainty", data, "must be an object", "UNC-1")
        return None
    ok = True
    for key in sorted((k for k in data if k not in SECTION_KEYS), key=str):
        sink.problem(
            f"{pointer}/{key}", str(key), data[key], "is not a field of uncertainty", "UNC-1"
        )
        ok = False
    fields: dict[str, Any] = {}
    weightings = data.get("weightings", [])
    if not isinstance(weightings, list):
        sink.problem(f"{pointer}/weightings", "weightings", weightings, "must be a list", "UNC-1")
        ok = False
    else:
        built = [
            sink.weighting(f"{pointer}/weightings/{k}", w, "weightings")
            for k, w in enumerate(weightings)
        ]
        if all(w is not None for w in built):
            fields["weightings"] = tuple(w for w in built if w is not None)
        else:
            ok = False
    names: tuple[tuple[str, Callable[[Any], Any]], ...] = (
        ("methods", lambda v: Method.parse(v)),
        ("missing", lambda v: MissingPolicy.parse(v)),
        ("authentication", lambda v: AssuranceLevel.parse(v, "authentication")),
    )
    for key, parse in names:
        values = data.get(key, [])
        if not isinstance(values, list):
            sink.problem(f"{pointer}/{key}", key, values, "must be a list", "UNC-1")
            ok = False
            continue
        parsed = []
        for k, value in enumerate(values):
            try:
                if not isinstance(value, str):
                    raise InvalidValueError(key, value, "must be a name")
                parsed.append(parse(value))
            except InvalidValueError as exc:
                sink.problem(f"{pointer}/{key}/{k}", key, value, exc.problem.message, "UNC-1")
                ok = False
        fields[key] = tuple(parsed)
    levels = _read_levels(sink, f"{pointer}/levels", data.get("levels", {}))
    if levels is None:
        ok = False
    else:
        fields["levels"] = levels
    for key in ("part_weights", "product_weights", "volumes"):
        value = data.get(key, 0.0)
        try:
            fields[key] = _half_width(key, value)
        except InvalidValueError as exc:
            sink.problem(f"{pointer}/{key}", key, value, exc.problem.message, "UNC-1")
            ok = False
    if not ok:
        return None
    for key in ("weightings", "methods", "missing", "authentication"):
        values = list(fields.get(key, ()))
        for k, value in enumerate(values):
            if value in values[:k]:
                shown = data[key][k]
                sink.problem(f"{pointer}/{key}/{k}", key, shown, "is listed twice", "UNC-1")
                ok = False
    return UncertaintySection(**fields) if ok else None


def _token(key: object) -> str:
    """A key as a JSON pointer's reference token (RFC 6901)."""
    return str(key).replace("~", "~0").replace("/", "~1")


def _read_levels(sink: _Sink, pointer: str, data: Any) -> tuple[LevelSet, ...] | None:
    """The field ``levels`` (UNC-1, UNC-3.5), every problem reported with its pointer."""
    if not isinstance(data, Mapping):
        sink.problem(pointer, "levels", data, "must be an object", "UNC-1")
        return None
    ok = True
    out: list[tuple[MaturityLevel | None, tuple[MaturityLevel, ...]]] = []
    seen: set[MaturityLevel | None] = set()
    for key in sorted(data, key=str):
        where = f"{pointer}/{_token(key)}"
        try:
            state = _state(key)
        except InvalidValueError:
            sink.problem(
                where,
                "levels",
                key,
                f"must be {UNKNOWN_LEVEL!r} or the name of a maturity level",
                "UNC-1",
            )
            ok = False
            continue
        if state in seen:
            sink.problem(where, "levels", key, "names a state listed twice", "UNC-1")
            ok = False
        seen.add(state)
        values = data[key]
        if not isinstance(values, list) or not values:
            sink.problem(where, "levels", values, "must be a non-empty list of levels", "UNC-1")
            ok = False
            continue
        parsed: list[MaturityLevel] = []
        fine = True
        for k, value in enumerate(values):
            try:
                if not isinstance(value, str):
                    raise InvalidValueError("levels", value, "must be a name")
                level = MaturityLevel.parse(value, "levels")
            except InvalidValueError as exc:
                sink.problem(f"{where}/{k}", "levels", value, exc.problem.message, "UNC-1")
                fine = False
                continue
            if level in parsed:
                sink.problem(f"{where}/{k}", "levels", value, "is listed twice", "UNC-1")
                fine = False
            parsed.append(level)
        if fine and state is not None and state not in parsed:
            sink.problem(
                where,
                "levels",
                values,
                f"must include the level {state.label!r} itself",
                "UNC-1",
            )
            fine = False
        ok = ok and fine
        out.append((state, tuple(parsed)))
    return _level_sets(out) if ok else None


def section_problems(
    section: UncertaintySection,
    weighting: Weighting,
    metrics: Sequence[Metric],
    missing: MissingPolicy,
) -> list[tuple[str, str, Any, str]]:
    """What makes a section unfit for its profile (UNC-2), as ``(pointer, field, value,
    message)``: a listed choice without the profile's own, a composite choice in a
    profile without a composite, volume uncertainty under a mix of volume weightings,
    uncertain levels under a mix where a metric's subject depends on the level."""
    out: list[tuple[str, str, Any, str]] = []
    composites = [m for m in metrics if isinstance(m, Composite)]
    if section.weightings and weighting not in section.weightings:
        out.append(
            (
                "/uncertainty/weightings",
                "weightings",
                NO_VALUE,
                "must include the profile's own weighting",
            )
        )
    if section.missing and missing not in section.missing:
        out.append(
            (
                "/uncertainty/missing",
                "missing",
                [p.value for p in section.missing],
                f"must include the profile's own policy {missing.value!r}",
            )
        )
    if section.methods:
        if not composites:
            out.append(
                ("/uncertainty/methods", "methods", NO_VALUE, "the profile has no composite")
            )
        for metric in composites:
            if metric.method not in section.methods:
                out.append(
                    (
                        "/uncertainty/methods",
                        "methods",
                        [m.value for m in section.methods],
                        f"must include the method {metric.method.value!r} of composite "
                        f"{metric.id!r}",
                    )
                )
    if section.part_weights and not composites:
        out.append(
            (
                "/uncertainty/part_weights",
                "part_weights",
                section.part_weights,
                "the profile has no composite",
            )
        )
    if section.volumes:
        for k, option in enumerate(section.weightings or (weighting,)):
            if _mixes_volume(option):
                out.append(
                    (
                        f"/uncertainty/weightings/{k}" if section.weightings else "/weighting",
                        "weighting",
                        option.kind,
                        "volume uncertainty cannot be applied to a mix that uses volumes",
                    )
                )
    if section.levels and any(m.kind == "authentication-fit" for m in metrics):
        for k, option in enumerate(section.weightings or (weighting,)):
            if option.by_subject:
                out.append(
                    (
                        f"/uncertainty/weightings/{k}" if section.weightings else "/weighting",
                        "weighting",
                        option.kind,
                        "uncertain levels cannot be combined with a mix in a profile with an "
                        "authentication metric, whose subject the levels change",
                    )
                )
    return out


def uses_volume(weighting: Weighting) -> bool:
    """Whether a weighting's raw weights are proportional to volumes (UNC-3.3)."""
    if isinstance(weighting, Volume | PerCapita | ChannelCost):
        return True
    if isinstance(weighting, ProductOf):
        return uses_volume(weighting.left) or uses_volume(weighting.right)
    if isinstance(weighting, Restrict):
        return uses_volume(weighting.base)
    if isinstance(weighting, Mix):
        return any(uses_volume(w) for w, _ in weighting.parts)
    return False


def _mixes_volume(weighting: Weighting) -> bool:
    if isinstance(weighting, Mix):
        return any(uses_volume(w) for w, _ in weighting.parts)
    if isinstance(weighting, ProductOf):
        return _mixes_volume(weighting.left) or _mixes_volume(weighting.right)
    if isinstance(weighting, Restrict):
        return _mixes_volume(weighting.base)
    return False


guard(__name__)
