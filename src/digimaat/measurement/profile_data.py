"""Reading a profile from data: every problem at once, with its pointer and clause (PRF-7)."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeGuard

import attrs

from digimaat._boundary import guard
from digimaat._numbers import weight
from digimaat._serial import problems_of
from digimaat._text import FORBIDDEN_MESSAGE, forbidden
from digimaat.errors import (
    NO_VALUE,
    InputError,
    InvalidValueError,
    Problem,
)
from digimaat.measurement.aggregation import MissingPolicy
from digimaat.measurement.metrics import (
    Attainment,
    AuthenticationFit,
    Availability,
    Composite,
    Maturity,
    Metric,
    SuccessRatio,
    Uptake,
)
from digimaat.measurement.profiles import Profile, _policy
from digimaat.measurement.weights import (
    ChannelCost,
    Custom,
    Equal,
    PerCapita,
    Volume,
    Weighting,
)
from digimaat.vocabulary.channels import CostTable

if TYPE_CHECKING:  # pragma: no cover - the composed weightings are imported when needed
    from digimaat.measurement.weights_composed import Selector

__all__: list[str] = []


_LEAVES: dict[str, type[Weighting]] = {
    cls.kind: cls for cls in (Equal, Volume, PerCapita, ChannelCost, Custom)
}
"""The weightings of WGT-4 to WGT-8 by kind."""


@functools.cache
def _weightings() -> dict[str, type[Weighting]]:
    """Every weighting by kind, with those made of weightings (WGT-9 to WGT-11), whose module
    is imported only for a profile that names one (or a kind that is not a leaf's)."""
    from digimaat.measurement.weights_composed import Mix, ProductOf, Restrict

    return {**_LEAVES, **{cls.kind: cls for cls in (ProductOf, Mix, Restrict)}}


_METRICS: dict[str, type[Metric]] = {
    cls.kind: cls
    for cls in (
        Availability,
        Maturity,
        Attainment,
        AuthenticationFit,
        Uptake,
        SuccessRatio,
        Composite,
    )
}


def _token(key: object) -> str:
    """A JSON pointer reference token for an object key (RFC 6901: ``~`` and ``/`` escaped)."""
    return str(key).replace("~", "~0").replace("/", "~1")


# Keys allowed in the weightings whose fields are themselves weightings or lists.
_NESTED_KEYS: dict[str, frozenset[str]] = {
    "product": frozenset({"kind", "left", "right"}),
    "mix": frozenset({"kind", "parts"}),
    "restrict": frozenset({"kind", "base", "selector"}),
    "custom": frozenset({"kind", "weights", "default"}),
}

FORM: str = "PRF-7"
"""The clause of a problem with the form of profile data: a key that is not a field, a
missing field, a value of the wrong type, a metric of an unknown kind (PRF-7)."""

_NAME_CLAUSES: dict[str, str] = {"at_least": "MAT-1", "channel": "CHN-3", "channels": "CHN-3"}
"""The clauses that define the vocabularies the vocabulary chapters check without naming a
clause: a maturity level (MAT-1) and a channel (CHN-3), PRF-7's tables."""


class _Builder:
    """Structures profile data, collecting every problem with its JSON pointer and the clause
    it breaks (PRF-7): the form of the data is PRF-7's, a value's range or vocabulary the
    clause its field's row in PRF-7 names, and the rules of PRF-1 PRF-1's."""

    def __init__(self, source: str | None, trusted: bool = False) -> None:
        self.source = source
        self.trusted = trusted
        self.problems: list[Problem] = []

    def problem(self, pointer: str, field: str, value: Any, message: str, clause: str) -> None:
        self.problems.append(
            Problem(
                field, value, message, source=self.source, location=pointer or "/", clause=clause
            )
        )

    def required(self, pointer: str, field: str) -> None:
        """A required field that is missing (PRF-7)."""
        self.problem(pointer, field, NO_VALUE, "is required", FORM)

    def mapping(self, pointer: str, value: Any, what: str) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            shown = NO_VALUE if value is None else value
            message = "is required and must be an object" if value is None else "must be an object"
            self.problem(pointer, what, shown, message, FORM)
            return None
        return value

    def unknown_keys(self, pointer: str, data: Mapping[str, Any], allowed: Any, what: str) -> bool:
        """Report keys not in ``allowed``; ``True`` when there were none."""
        unknown = sorted((k for k in data if k not in allowed), key=str)
        for key in unknown:
            self.problem(
                f"{pointer}/{_token(key)}", str(key), data[key], f"is not a field of {what}", FORM
            )
        return not unknown

    def build(
        self, pointer: str, cls: type[Any], data: Mapping[str, Any], what: str, **extra: Any
    ) -> Any:
        """Structure an attrs class from ``data`` (minus ``kind``), reporting every problem."""
        from digimaat._serial import converter

        fields = {a.name: a for a in attrs.fields(cls) if a.init}
        ok = self.unknown_keys(pointer, data, {*fields, "kind"} - set(extra), what)
        for name, field in fields.items():
            if field.default is attrs.NOTHING and name not in data and name not in extra:
                self.required(f"{pointer}/{name}", name)
                ok = False
        if not ok:
            return None
        payload = {k: v for k, v in data.items() if k in fields and k not in extra}
        try:
            if extra:
                return cls(**payload, **extra)
            if self.trusted:  # the package's data: the class's own checks, no converter
                return cls(**payload)
            return converter().structure(payload, cls)
        except Exception as exc:  # the one walker of cattrs' error trees reports it
            for problem in problems_of(exc, payload, pointer, cls, form=FORM):
                clause = problem.clause or _NAME_CLAUSES.get(problem.field, FORM)
                self.problems.append(attrs.evolve(problem.at(source=self.source), clause=clause))
        return None

    def kind_of(
        self,
        pointer: str,
        data: Mapping[str, Any],
        table: Mapping[str, type[Any]],
        what: str,
        clause: str,
    ) -> type[Any] | None:
        """The class of ``data``'s ``kind``; an unknown kind breaks ``clause``."""
        kind = data.get("kind")
        if "kind" not in data:
            self.required(f"{pointer}/kind", "kind")
            return None
        cls = table.get(kind) if isinstance(kind, str) else None
        if cls is None:
            self.problem(
                f"{pointer}/kind",
                "kind",
                kind,
                f"unknown {what}; expected one of: {', '.join(sorted(table))}",
                clause if isinstance(kind, str) else FORM,
            )
        return cls

    def texts(self, pointer: str, data: Mapping[str, Any], key: str) -> bool:
        """Whether ``data[key]``, where present, is a list of texts; else a problem of PRF-7."""
        values = data.get(key, [])
        if isinstance(values, list) and all(isinstance(v, str) for v in values):
            return True
        where = f"{pointer}/{_token(key)}"
        self.problem(where, key, values, "must be a list of texts", FORM)
        return False

    def in_range(self, pointer: str, field: str, value: Any, positive: bool = False) -> bool:
        """Whether a number of the methodology is within the range of WGT-1."""
        try:
            weight(field, value, positive=positive)
        except InvalidValueError as exc:
            self.problem(pointer, field, value, exc.problem.message, "WGT-1")
            return False
        return True

    def number(self, pointer: str, field: str, value: Any) -> bool:
        """Whether ``value`` is a number; a value of another type breaks PRF-7."""
        if _is_number(value):
            return True
        self.problem(pointer, field, value, "must be a number", FORM)
        return False

    # ------------------------------------------------------------------ weightings
    def weighting(self, pointer: str, value: Any, what: str = "weighting") -> Weighting | None:
        data = self.mapping(pointer, value, what)
        if data is None:
            return None
        kind = data.get("kind")
        cls = _LEAVES.get(kind) if isinstance(kind, str) else None
        if cls is None:
            cls = self.kind_of(pointer, data, _weightings(), "weighting", "WGT-1")
        if cls is None:
            return None
        if cls.kind in _NESTED_KEYS and not self.unknown_keys(
            pointer, data, _NESTED_KEYS[cls.kind], cls.kind
        ):
            return None
        if cls.kind in ("product", "mix", "restrict"):
            return self.composed(pointer, data, cls.kind)
        if cls is Custom:
            return self.custom(pointer, data)
        if cls is ChannelCost and not self.texts(pointer, data, "channels"):
            return None
        built: Weighting | None = self.build(pointer, cls, data, cls.kind)
        return built

    def composed(self, pointer: str, data: Mapping[str, Any], kind: str) -> Weighting | None:
        """A weighting made of weightings (WGT-9 to WGT-11)."""
        from digimaat.measurement.weights_composed import ProductOf, Restrict

        if kind == "product":
            left = self.weighting(f"{pointer}/left", data.get("left"), "left")
            right = self.weighting(f"{pointer}/right", data.get("right"), "right")
            if left is None or right is None:
                return None
            try:
                return ProductOf(left, right)
            except InvalidValueError as exc:  # too many factors (WGT-9)
                self.problems.append(exc.problem.at(source=self.source, location=pointer))
                return None
        if kind == "mix":
            return self.mix(pointer, data)
        base = self.weighting(f"{pointer}/base", data.get("base"), "base")
        sel = self.mapping(f"{pointer}/selector", data.get("selector", {}), "selector")
        selector = None if sel is None else self.selector(f"{pointer}/selector", sel)
        return Restrict(base, selector) if base is not None and selector is not None else None

    def selector(self, pointer: str, data: Mapping[str, Any]) -> Selector | None:
        """A selector (WGT-11): each criterion a list of texts."""
        from digimaat.measurement.weights_composed import Selector

        keys = frozenset(a.name for a in attrs.fields(Selector))
        ok = True
        for key in data:
            if key in keys and not self.texts(pointer, data, key):
                ok = False
        if not ok:
            self.unknown_keys(pointer, data, keys, "selector")
            return None
        built: Selector | None = self.build(pointer, Selector, data, "selector")
        return built

    def mix(self, pointer: str, data: Mapping[str, Any]) -> Weighting | None:
        if "parts" not in data:
            self.required(f"{pointer}/parts", "parts")
            return None
        parts = data["parts"]
        if not isinstance(parts, list):
            self.problem(f"{pointer}/parts", "parts", parts, "must be a list", FORM)
            return None
        if not parts:
            self.problem(f"{pointer}/parts", "parts", parts, "must list a weighting", "WGT-10")
            return None
        built: list[tuple[Weighting, float]] = []
        for k, part in enumerate(parts):
            where = f"{pointer}/parts/{k}"
            p = self.mapping(where, part, "parts")
            if p is None or not self.unknown_keys(where, p, {"weighting", "share"}, "a mix part"):
                continue
            w = self.weighting(f"{where}/weighting", p.get("weighting"))
            if "share" not in p:
                self.required(f"{where}/share", "share")
                continue
            share = p["share"]
            if not self.number(f"{where}/share", "share", share):
                continue
            if share <= 0:
                self.problem(f"{where}/share", "share", share, "must be a number > 0", "WGT-10")
                continue
            checked = float(share)
            if not self.in_range(f"{where}/share", "share", share, positive=True):
                continue
            if w is not None:
                built.append((w, checked))
        from digimaat.measurement.weights_composed import Mix

        return Mix(tuple(built)) if len(built) == len(parts) else None

    def custom(self, pointer: str, data: Mapping[str, Any]) -> Weighting | None:
        if "weights" not in data:
            self.required(f"{pointer}/weights", "weights")
            return None
        weights = data["weights"]
        if not isinstance(weights, Mapping):
            self.problem(
                f"{pointer}/weights",
                "weights",
                weights,
                "must be an object mapping product URIs to weights",
                FORM,
            )
            return None
        ok = True
        for uri, value in weights.items():
            where = f"{pointer}/weights/{_token(uri)}"
            if ":" not in str(uri):  # a UPL tail such as "parkeervergunning" would never match
                self.problem(
                    where,
                    "weights",
                    uri,
                    "keys must be full product URIs, e.g. "
                    "'http://standaarden.overheid.nl/owms/terms/parkeervergunning'",
                    "WGT-8",
                )
                ok = False
            if not self.number(where, f"weights[{uri}]", value):
                ok = False
            elif value < 0:
                self.problem(where, f"weights[{uri}]", value, "must be a number >= 0", "WGT-8")
                ok = False
            elif not self.in_range(where, f"weights[{uri}]", value):
                ok = False
        if "default" in data:
            default = data["default"]
            if not self.number(f"{pointer}/default", "default", default):
                ok = False
            elif default < 0:
                self.problem(f"{pointer}/default", "default", default, "must be >= 0", "WGT-8")
                ok = False
            elif not self.in_range(f"{pointer}/default", "default", default):
                ok = False
        if not ok:
            return None
        try:
            return Custom(weights, data.get("default"))
        except InvalidValueError as exc:  # pragma: no cover - every value is checked above
            self.problem(pointer, exc.field, exc.value, exc.problem.message, "WGT-8")
            return None

    # ------------------------------------------------------------------ metrics
    def metric(
        self,
        pointer: str,
        value: Any,
        known: Mapping[str, Metric],
        listed: Sequence[Any],
        later: Sequence[Any],
    ) -> Metric | None:
        """A metric; ``known`` are the metrics built before it, ``listed`` the ids listed
        before it (built or not) and ``later`` the ids listed after it."""
        data = self.mapping(pointer, value, "metric")
        if data is None:
            return None
        cls = self.kind_of(pointer, data, _METRICS, "metric", FORM)
        if cls is None:
            return None
        if cls is Maturity and not isinstance(data.get("scores", []), list):
            self.problem(f"{pointer}/scores", "scores", data["scores"], "must be a list", FORM)
            return None
        level = data.get("at_least", 0)
        if cls is Availability and (isinstance(level, bool) or not isinstance(level, str | int)):
            self.problem(
                f"{pointer}/at_least", "at_least", level, "must be a level's name or number", FORM
            )
            return None
        if cls is Composite and not isinstance(data.get("method", ""), str):
            self.problem(f"{pointer}/method", "method", data["method"], "must be a text", FORM)
            return None
        if cls is not Composite:
            built_m: Metric | None = self.build(pointer, cls, data, cls.kind)
            return built_m
        parts: list[Any] = []
        if "parts" not in data:
            self.required(f"{pointer}/parts", "parts")
        elif not isinstance(data["parts"], list):
            self.problem(f"{pointer}/parts", "parts", data["parts"], "must be a list", FORM)
        else:
            parts = data["parts"]
            if not parts:
                self.problem(f"{pointer}/parts", "parts", parts, "must list a metric", "MET-8")
        built: list[tuple[Metric, float]] = []
        complete = bool(parts)
        for k, part in enumerate(parts):
            where = f"{pointer}/parts/{k}"
            p = self.mapping(where, part, "parts")
            if p is None or not self.unknown_keys(where, p, {"metric", "weight"}, "a part"):
                complete = False
                continue
            value = p.get("weight", 1.0)
            checked = float(value) if _is_number(value) else 0.0
            if not self.number(f"{where}/weight", "weight", value):
                complete = False
            elif value < 0:
                self.problem(f"{where}/weight", "weight", value, "must be a number >= 0", "MET-8")
                complete = False
            elif not self.in_range(f"{where}/weight", "weight", value):
                complete = False
            if "metric" not in p:
                self.required(f"{where}/metric", "metric")
                complete = False
                continue
            ref = p["metric"]
            if isinstance(ref, str) and ref in known:
                built.append((known[ref], checked))
                continue
            complete = False
            if not isinstance(ref, str):
                self.problem(f"{where}/metric", "metric", ref, "must be a metric id (a text)", FORM)
                continue
            if ref in listed:
                continue  # that metric has problems of its own, reported where it is listed
            message = (
                "is listed after this composite; a part must be listed before it"
                if ref in later
                else "must be the id of a metric listed before this composite"
            )
            self.problem(f"{where}/metric", "metric", ref, message, "PRF-1")
        for key in ("id", "title"):
            if key in data and not isinstance(data[key], str):
                self.problem(f"{pointer}/{key}", key, data[key], "must be a string", FORM)
                complete = False
        if not complete:
            self.unknown_keys(
                pointer, data, {"kind", "id", "title", "method", "parts"}, "composite"
            )
            return None
        extra = {k: v for k, v in data.items() if k != "parts"}
        composite: Metric | None = self.build(
            pointer, Composite, extra, "composite", parts=tuple(built)
        )
        return composite


def _is_number(value: object) -> TypeGuard[float]:
    """A finite number (an ``int`` or a ``float``, not a boolean)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


_PROFILE_KEYS = (
    "costs",
    "name",
    "version",
    "title",
    "description",
    "weighting",
    "missing",
    "metrics",
    "headline",
    "uncertainty",
)


def _unsafe(key: str, value: str, source: str | None) -> Problem:
    """A text of the profile that holds what a text may not hold (XCH-4)."""
    return Problem(key, value, FORBIDDEN_MESSAGE, source=source, location=f"/{key}", clause="XCH-4")


def _structure_profile(data: Any, source: str | None, trusted: bool = False) -> Profile:
    """The profile of ``data``, or an :class:`~digimaat.errors.InputError` with every problem.

    ``trusted`` is for the built-in profiles, the package's own data: each record is built
    by its class's constructor, with the class's validators and converters, instead of by
    the cattrs converter, whose stricter checks of types are for files from elsewhere (a
    test checks that both give the same profiles).
    """
    b = _Builder(source, trusted)
    root = b.mapping("", data, "profile")
    if root is None:
        raise InputError(b.problems)
    b.unknown_keys("", root, _PROFILE_KEYS, "a profile")
    for key in ("name", "version", "headline"):
        if key not in root:
            b.required(f"/{key}", key)
        elif not isinstance(root[key], str):
            b.problem(f"/{key}", key, root[key], "must be a text", FORM)
        elif not root[key].strip():
            b.problem(f"/{key}", key, root[key], "must not be empty", "PRF-1")
        elif forbidden(root[key]):
            b.problems.append(_unsafe(key, root[key], source))
    for key in ("title", "description"):
        if key in root and not isinstance(root[key], str):
            b.problem(f"/{key}", key, root[key], "must be a text", FORM)
        elif key in root and forbidden(root[key], multiline=key == "description"):
            b.problems.append(_unsafe(key, root[key], source))
    weighting = b.weighting("/weighting", root.get("weighting"))
    missing: MissingPolicy | None = None
    policy = root.get("missing", MissingPolicy.DROP.value)
    if not isinstance(policy, str):
        b.problem("/missing", "missing", policy, "must be a text", FORM)
    else:
        try:
            missing = _policy(policy)
        except InvalidValueError as exc:
            b.problem("/missing", "missing", exc.value, exc.problem.message, "AGG-4")
    metrics_data = root.get("metrics")
    metrics: list[Metric] = []
    known: dict[str, Metric] = {}
    if "metrics" not in root:
        b.required("/metrics", "metrics")
        metrics_data = []
    elif not isinstance(metrics_data, list):
        b.problem("/metrics", "metrics", metrics_data, "must be a list", FORM)
        metrics_data = []
    elif not metrics_data:
        b.problem("/metrics", "metrics", metrics_data, "must list a metric", "PRF-1")
    ids = [item.get("id") if isinstance(item, Mapping) else None for item in metrics_data]
    for k, item in enumerate(metrics_data):
        if isinstance(ids[k], str) and ids[k] in ids[:k]:
            b.problem(f"/metrics/{k}/id", "id", ids[k], "metric id listed twice", "PRF-1")
            continue
        metric = b.metric(f"/metrics/{k}", item, known, ids[:k], ids[k + 1 :])
        if metric is not None:
            known[metric.id] = metric
            metrics.append(metric)
    headline = root.get("headline")
    every_id = all(isinstance(i, str) for i in ids)  # else the missing id is the problem
    if isinstance(headline, str) and headline.strip() and ids and every_id and headline not in ids:
        b.problem("/headline", "headline", headline, "is not the id of a listed metric", "PRF-1")
    # The uncertainty section reads itself (chapter UNC); its fit to the profile is checked
    # when the profile is built.
    section = None
    if "uncertainty" in root:
        from digimaat.measurement.uncertainty import structure_section

        section = structure_section(b, "/uncertainty", root["uncertainty"])
    costs: CostTable | None = None
    if root.get("costs") is not None:  # the profile's cost table (CHN-7, CHN-8)
        try:
            costs = CostTable.from_mapping(root["costs"], origin="profile")
        except InvalidValueError as exc:
            problem = exc.problem
            field = problem.field if problem.field.startswith("costs") else f"costs.{problem.field}"
            pointer = "/" + field.replace(".", "/")
            b.problem(pointer, field, problem.value, problem.message, problem.clause or "CHN-7")
    if b.problems:
        raise InputError(b.problems)
    assert weighting is not None
    assert missing is not None
    try:
        return Profile(
            name=root["name"],
            version=root["version"],
            weighting=weighting,
            metrics=tuple(metrics),
            headline=root["headline"],
            missing=missing,
            title=root.get("title", ""),
            description=root.get("description", ""),
            costs=costs,
            uncertainty=section,
        )
    except InputError as exc:
        raise InputError([p.at(source=source) for p in exc.problems]) from None
    except InvalidValueError as exc:  # a rule of the record itself, where it is
        where = f"/{exc.field}" if exc.field in root else ""
        raise InputError([exc.problem.at(source=source, location=where)]) from None


guard(__name__)
