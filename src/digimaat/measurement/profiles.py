"""Profiles: methodology as data, fingerprints, and score cards (specification chapter PRF).

A :class:`Profile` names a weighting, a missing-value policy, the metrics to report and
the headline composite. Its **canonical form** (:meth:`Profile.canonical`) is plain JSON
data; its **fingerprint** is the SHA-256 of that form written by the JSON Canonicalization
Scheme of RFC 8785 (:mod:`digimaat.jcs`, PRF-4). The fingerprint covers every number and
choice of the methodology and nothing else: not names, titles, descriptions, the profile's
version, the order of the metrics or of keys, whitespace or the file format.

Scoring a dataset gives a :class:`ScoreBoard`; each municipality's :class:`ScoreCard`
records the specification version and the profile fingerprint, so two tools can show they
computed the same thing (PRF-6).

>>> from digimaat.measurement.profiles import standard_profile
>>> profile = standard_profile()
>>> profile.name, profile.headline
('digimaat-standard', 'digimaat-score')
>>> profile.fingerprint.startswith("sha256:")
True
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any, TypeGuard

import attrs
import numpy as np

from digimaat._boundary import guard
from digimaat._numbers import weight
from digimaat._serial import parse_data, problems_of
from digimaat._text import FORBIDDEN_MESSAGE, check_text, forbidden
from digimaat._version import SPEC_VERSION
from digimaat.errors import (
    NO_VALUE,
    InputError,
    InvalidValueError,
    Problem,
    ProfileError,
    UnknownNameError,
)
from digimaat.jcs import canonical_json, code_units
from digimaat.measurement.aggregation import MissingPolicy
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.metrics import (
    Attainment,
    AuthenticationFit,
    Availability,
    Composite,
    Maturity,
    Metric,
    MetricResult,
    SuccessRatio,
    Uptake,
)
from digimaat.measurement.uncertainty import (
    UncertaintySection,
    section_problems,
    structure_section,
)
from digimaat.measurement.weights import (
    ChannelCost,
    Custom,
    Equal,
    Mix,
    PerCapita,
    ProductOf,
    Restrict,
    Selector,
    SubjectWeights,
    Volume,
    Weighting,
)
from digimaat.vocabulary.channels import CostTable

__all__ = [
    "BUILTIN_PROFILES",
    "Profile",
    "ScoreBoard",
    "ScoreCard",
    "builtin_profile",
    "same_results",
    "standard_profile",
]

_WEIGHTINGS: dict[str, type[Weighting]] = {
    cls.kind: cls
    for cls in (Equal, Volume, PerCapita, ChannelCost, Custom, ProductOf, Mix, Restrict)
}
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


def _check_name(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise InvalidValueError(attribute.name, value, "must be a non-empty string", "PRF-1")
    check_text(attribute.name, value)  # the one rule of texts (XCH-4)


def _metric_tuple(values: Sequence[Metric]) -> tuple[Metric, ...]:
    metrics = tuple(values)
    for metric in metrics:
        if not isinstance(metric, Metric):
            raise InvalidValueError("metrics", metric, "must be a metric", "PRF-1")
    if not metrics:
        raise InvalidValueError("metrics", [], "a profile needs at least one metric", "PRF-1")
    return metrics


def _check_weighting(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Weighting):
        raise InvalidValueError(attribute.name, value, "must be a weighting", "PRF-1")


def _check_text(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidValueError(attribute.name, value, "must be a string", "PRF-1")
    check_text(attribute.name, value, empty=True, multiline=attribute.name == "description")


def _policy(value: str | MissingPolicy) -> MissingPolicy:
    try:
        return MissingPolicy.parse(value)
    except InvalidValueError:
        raise UnknownNameError(
            "missing", value, (m.value for m in MissingPolicy), "AGG-4"
        ) from None


def _profile_costs(value: object) -> CostTable | None:
    if value is None or isinstance(value, CostTable):
        return None if value is None else value.with_origin("profile")
    if isinstance(value, Mapping):
        return CostTable.from_mapping(value, origin="profile")
    raise InvalidValueError("costs", value, "must be a cost table: currency, source, channels")


def _unstructure_costs(costs: CostTable) -> dict[str, Any]:
    data = costs.to_dict()
    del data["origin"]
    return data


def _check_section(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, UncertaintySection):
        raise InvalidValueError(attribute.name, value, "must be an uncertainty section or None")


@attrs.frozen
class Profile:
    """A named, versioned methodology (PRF-1).

    ``metrics`` are evaluated in order; a composite refers to metrics listed before it.
    ``headline`` is the id of the metric shown as the score. ``uncertainty`` is the
    optional uncertainty section (chapter UNC), part of the fingerprint.
    """

    name: str = attrs.field(validator=_check_name)
    version: str = attrs.field(validator=_check_name)
    weighting: Weighting = attrs.field(validator=_check_weighting)
    metrics: tuple[Metric, ...] = attrs.field(converter=_metric_tuple)
    headline: str = attrs.field(validator=_check_name)
    missing: MissingPolicy = attrs.field(default=MissingPolicy.DROP, converter=_policy)
    title: str = attrs.field(default="", validator=_check_text)
    description: str = attrs.field(default="", validator=_check_text)
    costs: CostTable | None = attrs.field(default=None, converter=_profile_costs)
    """The profile's cost table (CHN-8): used where the data states no costs."""
    uncertainty: UncertaintySection | None = attrs.field(default=None, validator=_check_section)

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        seen: dict[str, Metric] = {}
        for k, metric in enumerate(self.metrics):
            if metric.id in seen:
                problems.append(
                    Problem(
                        "id",
                        metric.id,
                        "metric id listed twice",
                        location=f"/metrics/{k}/id",
                        clause="PRF-1",
                    )
                )
            if isinstance(metric, Composite):
                for n, (part, _) in enumerate(metric.parts):
                    if seen.get(part.id) != part:
                        problems.append(
                            Problem(
                                "metric",
                                part.id,
                                "a composite part must be a metric listed before the composite",
                                location=f"/metrics/{k}/parts/{n}/metric",
                                clause="PRF-1",
                            )
                        )
            seen[metric.id] = metric
        if self.headline not in seen:
            problems.append(
                Problem(
                    "headline",
                    self.headline,
                    "is not the id of a listed metric",
                    location="/headline",
                    clause="PRF-1",
                )
            )
        if self.uncertainty is not None:
            for pointer, field, value, message in section_problems(
                self.uncertainty, self.weighting, self.metrics, self.missing
            ):
                problems.append(Problem(field, value, message, location=pointer))
        if problems:
            raise InputError(problems)

    # ------------------------------------------------------------------ canonical form
    def canonical(self) -> dict[str, Any]:
        """The methodology as plain data: what the fingerprint hashes (PRF-4).

        Names, titles, descriptions and the profile's version are left out; metric order is
        kept only through composite references, so metrics are listed sorted by id. The
        lists of a selector are sorted too. Every sort compares texts as RFC 8785 compares
        member names, by their UTF-16 code units.
        """
        data = self.to_dict()
        for key in ("name", "version", "title", "description"):
            data.pop(key)
        data["metrics"] = sorted(data["metrics"], key=lambda m: code_units(m["id"]))
        _strip_titles(data["metrics"])
        _sort_selectors(data["weighting"])
        return data

    def canonical_json(self) -> bytes:
        """The canonical form written by RFC 8785 (JCS), as the UTF-8 bytes hashed (PRF-4)."""
        return canonical_json(self.canonical())

    @property
    def fingerprint(self) -> str:
        """``"sha256:<hex>"`` of the canonical form written by RFC 8785 (PRF-4)."""
        return "sha256:" + hashlib.sha256(self.canonical_json()).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        """The whole profile as plain data (the profile file format, PRF-7).

        The uncertainty section (UNC-1) is written when the profile has one, so a profile
        without it keeps its data and its fingerprint.
        """
        data = {
            "name": self.name,
            "version": self.version,
            "title": self.title,
            "description": self.description,
            "weighting": _unstructure_weighting(self.weighting),
            "missing": self.missing.value,
            "metrics": [_unstructure_metric(m) for m in self.metrics],
            "headline": self.headline,
        }
        if self.costs is not None:
            data["costs"] = _unstructure_costs(self.costs)
        if self.uncertainty is not None:
            data["uncertainty"] = self.uncertainty.to_dict(_unstructure_weighting)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str | None = None) -> Profile:
        """Build a profile from plain data, reporting every problem at once (PRF-7).

        Each problem names the clause it breaks. This is the constructor of profile data,
        on which the canonical form and the fingerprint are defined: it does not check what
        only a reader of files knows, the limits of a file (PRF-7.1), the product URIs
        against a catalogue (PRF-7.2) and the names of the built-in profiles (PRF-3);
        ``digimaat.exchange.profiles.load_profile`` and ``loads_profile`` do.
        """
        return _structure_profile(data, source)

    # ------------------------------------------------------------------ scoring
    def costed(self, ds: Dataset) -> Dataset:
        """The dataset with the cost table of the computation (CHN-8): the data's where it
        states costs, else the profile's where it has one, else the defaults."""
        if self.costs is not None and ds.cost_table.origin == "default":
            return ds.with_costs(self.costs)
        return ds

    def score(self, ds: Dataset) -> ScoreBoard:
        """Evaluate every metric for every municipality (PRF-5).

        Where the data states no costs (its cost table is the default of CHN-5) and the
        profile has a cost table, the profile's is used (CHN-8).
        """
        ds = self.costed(ds)
        weights = SubjectWeights(ds, self.weighting)
        results: dict[str, MetricResult] = {}
        for metric in self.metrics:
            if isinstance(metric, Composite):
                results[metric.id] = metric.combine_results(
                    ds, [results[part.id] for part, _ in metric.parts], self.missing
                )
            else:
                results[metric.id] = metric.evaluate(ds, weights, self.missing)
        return ScoreBoard(self, ds, results)


def _sort_selectors(weighting: dict[str, Any]) -> None:
    """Sort every list of every selector in a weighting, by UTF-16 code units (PRF-4)."""
    selector = weighting.get("selector")
    if isinstance(selector, dict):
        for key, values in selector.items():
            selector[key] = sorted(values, key=code_units)
    for key in ("left", "right", "base"):
        if isinstance(weighting.get(key), dict):
            _sort_selectors(weighting[key])
    for part in weighting.get("parts", ()):
        _sort_selectors(part["weighting"])


def _strip_titles(metrics: list[dict[str, Any]]) -> None:
    for metric in metrics:
        metric.pop("title", None)


# ---------------------------------------------------------------------- (un)structuring
def _unstructure_weighting(w: Weighting) -> dict[str, Any]:
    if isinstance(w, ProductOf):
        return {
            "kind": w.kind,
            "left": _unstructure_weighting(w.left),
            "right": _unstructure_weighting(w.right),
        }
    if isinstance(w, Mix):
        return {
            "kind": w.kind,
            "parts": [
                {"weighting": _unstructure_weighting(part), "share": share}
                for part, share in w.parts
            ],
        }
    if isinstance(w, Restrict):
        from digimaat._serial import converter

        selector = {
            k: list(v) for k, v in converter().unstructure(w.selector).items() if v is not None
        }
        return {"kind": w.kind, "base": _unstructure_weighting(w.base), "selector": selector}
    if isinstance(w, Custom):
        out: dict[str, Any] = {"kind": w.kind, "weights": dict(w.weights)}
        if w.default is not None:
            out["default"] = w.default
        return out
    if isinstance(w, ChannelCost):
        return {"kind": w.kind, "channels": [ch.value for ch in w.channels]}
    if isinstance(w, PerCapita):
        return {"kind": w.kind, "per": w.per}
    return {"kind": w.kind}


def _unstructure_metric(m: Metric) -> dict[str, Any]:
    from digimaat._serial import converter

    if isinstance(m, Composite):
        return {
            "kind": m.kind,
            "id": m.id,
            "title": m.title,
            "method": m.method.value,
            "parts": [{"metric": part.id, "weight": weight} for part, weight in m.parts],
        }
    data = converter().unstructure(m)
    if "scores" in data:
        data["scores"] = list(data["scores"])
    return {"kind": m.kind, **data}


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

    def __init__(self, source: str | None) -> None:
        self.source = source
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
        cls = self.kind_of(pointer, data, _WEIGHTINGS, "weighting", "WGT-1")
        if cls is None:
            return None
        if cls.kind in _NESTED_KEYS and not self.unknown_keys(
            pointer, data, _NESTED_KEYS[cls.kind], cls.kind
        ):
            return None
        if cls is ProductOf:
            left = self.weighting(f"{pointer}/left", data.get("left"), "left")
            right = self.weighting(f"{pointer}/right", data.get("right"), "right")
            if left is None or right is None:
                return None
            try:
                return ProductOf(left, right)
            except InvalidValueError as exc:  # too many factors (WGT-9)
                self.problems.append(exc.problem.at(source=self.source, location=pointer))
                return None
        if cls is Mix:
            return self.mix(pointer, data)
        if cls is Restrict:
            base = self.weighting(f"{pointer}/base", data.get("base"), "base")
            sel = self.mapping(f"{pointer}/selector", data.get("selector", {}), "selector")
            selector = None if sel is None else self.selector(f"{pointer}/selector", sel)
            return Restrict(base, selector) if base is not None and selector is not None else None
        if cls is Custom:
            return self.custom(pointer, data)
        if cls is ChannelCost and not self.texts(pointer, data, "channels"):
            return None
        built: Weighting | None = self.build(pointer, cls, data, cls.kind)
        return built

    def selector(self, pointer: str, data: Mapping[str, Any]) -> Selector | None:
        """A selector (WGT-11): each criterion a list of texts."""
        ok = True
        for key in data:
            if key in _SELECTOR_KEYS and not self.texts(pointer, data, key):
                ok = False
        if not ok:
            self.unknown_keys(pointer, data, _SELECTOR_KEYS, "selector")
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


_SELECTOR_KEYS = frozenset(a.name for a in attrs.fields(Selector))


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


def _structure_profile(data: Any, source: str | None) -> Profile:
    b = _Builder(source)
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
    section = (
        structure_section(b, "/uncertainty", root["uncertainty"]) if "uncertainty" in root else None
    )
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


# ---------------------------------------------------------------------- score cards
@attrs.frozen
class ScoreCard:
    """One municipality's scores under one profile, with what is needed to reproduce them (PRF-6).

    Values and coverages are full-precision floats, or ``None`` where not defined.
    """

    municipality: str
    name: str
    population: int
    size_class: int
    spec_version: str
    profile: str
    profile_version: str
    fingerprint: str
    headline: str
    values: dict[str, float | None]
    coverage: dict[str, float | None]

    @property
    def score(self) -> float | None:
        """The headline value."""
        return self.values[self.headline]

    def comparable_with(self, other: ScoreCard) -> bool:
        """Whether two cards may be compared (PRF-6, VER-5, INT-3).

        They may when their fingerprints are equal and their specification versions are
        equal, or are releases (not drafts) of one MAJOR version.

        >>> card = standard_profile().score(_example_dataset()).card("GM0622")
        >>> card.comparable_with(attrs.evolve(card, municipality="GM0606"))
        True
        >>> card.comparable_with(attrs.evolve(card, spec_version="0.9-draft"))
        False
        """
        return self.fingerprint == other.fingerprint and same_results(
            self.spec_version, other.spec_version
        )


def same_results(version: str, other: str) -> bool:
    """Whether two specification versions compute the same numbers (VER-5, INT-3).

    Equal versions do; so do two releases of one MAJOR version (a MINOR release changes no
    number, VER-2); a draft only equals itself.

    >>> same_results("1.0", "1.2"), same_results("1.0", "2.0"), same_results("1.0-draft", "1.0")
    (True, False, False)
    """
    if version == other:
        return True
    if "-" in version or "-" in other:
        return False
    return version.split(".", 1)[0] == other.split(".", 1)[0]


def _example_dataset() -> Dataset:
    """A one-product dataset for the examples of this module."""
    from digimaat.vocabulary.municipalities import Municipality
    from digimaat.vocabulary.offerings import Offering
    from digimaat.vocabulary.products import UPL_NAMESPACE

    return Dataset.from_offerings(
        [
            Offering(
                "GM0622", UPL_NAMESPACE + "parkeervergunning", capabilities=["information-online"]
            )
        ],
        [Municipality("GM0622", "Vlaardingen", 74124, 2021)],
    )


def _opt(value: float) -> float | None:
    return None if math.isnan(value) else float(value)


@attrs.frozen(eq=False)
class ScoreBoard:
    """Every metric of a profile evaluated for every municipality of a dataset (PRF-5)."""

    profile: Profile
    dataset: Dataset
    results: Mapping[str, MetricResult]

    @property
    def headline(self) -> MetricResult:
        """The result of the profile's headline metric."""
        return self.results[self.profile.headline]

    def card(self, code: str) -> ScoreCard:
        """The score card of one municipality (by CBS code)."""
        i = self.dataset.index_of(code)
        muni = self.dataset.municipalities[i]
        fingerprint = self.profile.fingerprint
        return ScoreCard(
            municipality=muni.cbs_code,
            name=muni.name,
            population=muni.population,
            size_class=muni.size_class.code,
            spec_version=SPEC_VERSION,
            profile=self.profile.name,
            profile_version=self.profile.version,
            fingerprint=fingerprint,
            headline=self.profile.headline,
            values={mid: _opt(r.value[i]) for mid, r in self.results.items()},
            coverage={mid: _opt(r.coverage[i]) for mid, r in self.results.items()},
        )

    def cards(self) -> tuple[ScoreCard, ...]:
        """All score cards, in CBS-code order."""
        return tuple(self.card(code) for code in self.dataset.codes)

    def values(self) -> dict[str, np.ndarray[Any, np.dtype[np.float64]]]:
        """``{metric id: value per municipality}`` as arrays in CBS-code order."""
        return {mid: r.value for mid, r in self.results.items()}


# ---------------------------------------------------------------------- built-in profiles
@functools.cache
def _builtin(name: str) -> Profile:
    """A built-in profile, read from its TOML file shipped as package data (PRF-2) when it
    is first asked for."""
    folder = resources.files("digimaat.data.profiles")
    source = f"digimaat/data/profiles/{name}.toml"
    text = folder.joinpath(f"{name}.toml").read_text(encoding="utf-8")
    profile = Profile.from_dict(parse_data(text, "toml", source), source=source)
    if profile.name != name:
        raise ProfileError(f"{source} defines profile {profile.name!r}, expected {name!r}")
    return profile


BUILTIN_PROFILES: tuple[str, ...] = (
    "digimaat-standard",
    "digimaat-volume",
    "mdd-product",
    "eu-online-availability",
    "sc-online",
)
"""Names of the profiles that ship with digimaat (``sc-online``: chapter SCI, SCI-9)."""


def builtin_profile(name: str) -> Profile:
    """A built-in profile by name."""
    if name not in BUILTIN_PROFILES:
        from digimaat.errors import UnknownNameError

        raise UnknownNameError("profile", name, BUILTIN_PROFILES)
    return _builtin(name)


def standard_profile() -> Profile:
    """The default profile, ``digimaat-standard``."""
    return builtin_profile("digimaat-standard")


guard(__name__)
