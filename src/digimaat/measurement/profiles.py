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

from digimaat._serial import parse_data, problems_of
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
        raise InvalidValueError(attribute.name, value, "must be a non-empty string")


def _metric_tuple(values: Sequence[Metric]) -> tuple[Metric, ...]:
    metrics = tuple(values)
    for metric in metrics:
        if not isinstance(metric, Metric):
            raise InvalidValueError("metrics", metric, "must be a metric")
    if not metrics:
        raise InvalidValueError("metrics", [], "a profile needs at least one metric")
    return metrics


def _check_weighting(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Weighting):
        raise InvalidValueError(attribute.name, value, "must be a weighting")


def _check_text(instance: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str):
        raise InvalidValueError(attribute.name, value, "must be a string")


def _policy(value: str | MissingPolicy) -> MissingPolicy:
    return MissingPolicy.parse(value)


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
                    Problem("id", metric.id, "metric id listed twice", location=f"/metrics/{k}/id")
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
        """Build a profile from plain data, reporting every problem at once (PRF-7)."""
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


class _Builder:
    """Structures profile data, collecting every problem with its JSON pointer (PRF-7)."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, pointer: str, field: str, value: Any, message: str) -> None:
        self.problems.append(
            Problem(field, value, message, source=self.source, location=pointer or "/")
        )

    def mapping(self, pointer: str, value: Any, what: str) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            shown = NO_VALUE if value is None else value
            message = "is required and must be an object" if value is None else "must be an object"
            self.problem(pointer, what, shown, message)
            return None
        return value

    def unknown_keys(self, pointer: str, data: Mapping[str, Any], allowed: Any, what: str) -> bool:
        """Report keys not in ``allowed``; ``True`` when there were none."""
        unknown = sorted((k for k in data if k not in allowed), key=str)
        for key in unknown:
            self.problem(
                f"{pointer}/{_token(key)}", str(key), data[key], f"is not a field of {what}"
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
                self.problem(f"{pointer}/{name}", name, NO_VALUE, "is required")
                ok = False
        if not ok:
            return None
        payload = {k: v for k, v in data.items() if k in fields and k not in extra}
        try:
            if extra:
                return cls(**payload, **extra)
            return converter().structure(payload, cls)
        except Exception as exc:  # the one walker of cattrs' error trees reports it
            for problem in problems_of(exc, payload, pointer, cls):
                self.problems.append(problem.at(source=self.source))
        return None

    def kind_of(
        self, pointer: str, data: Mapping[str, Any], table: Mapping[str, type[Any]], what: str
    ) -> type[Any] | None:
        kind = data.get("kind")
        cls = table.get(kind) if isinstance(kind, str) else None
        if cls is None:
            self.problem(
                f"{pointer}/kind",
                "kind",
                NO_VALUE if kind is None else kind,
                f"unknown {what}; expected one of: {', '.join(sorted(table))}",
            )
        return cls

    # ------------------------------------------------------------------ weightings
    def weighting(self, pointer: str, value: Any, what: str = "weighting") -> Weighting | None:
        data = self.mapping(pointer, value, what)
        if data is None:
            return None
        cls = self.kind_of(pointer, data, _WEIGHTINGS, "weighting")
        if cls is None:
            return None
        if cls.kind in _NESTED_KEYS and not self.unknown_keys(
            pointer, data, _NESTED_KEYS[cls.kind], cls.kind
        ):
            return None
        if cls is ProductOf:
            left = self.weighting(f"{pointer}/left", data.get("left"), "left")
            right = self.weighting(f"{pointer}/right", data.get("right"), "right")
            return ProductOf(left, right) if left is not None and right is not None else None
        if cls is Mix:
            return self.mix(pointer, data.get("parts"))
        if cls is Restrict:
            base = self.weighting(f"{pointer}/base", data.get("base"), "base")
            sel = self.mapping(f"{pointer}/selector", data.get("selector", {}), "selector")
            selector = (
                None
                if sel is None
                else self.build(f"{pointer}/selector", Selector, sel, "selector")
            )
            return Restrict(base, selector) if base is not None and selector is not None else None
        if cls is Custom:
            return self.custom(pointer, data)
        built: Weighting | None = self.build(pointer, cls, data, cls.kind)
        return built

    def mix(self, pointer: str, parts: Any) -> Weighting | None:
        if not isinstance(parts, list) or not parts:
            self.problem(
                f"{pointer}/parts",
                "parts",
                NO_VALUE if parts is None else parts,
                "must be a non-empty list",
            )
            return None
        built: list[tuple[Weighting, float]] = []
        for k, part in enumerate(parts):
            where = f"{pointer}/parts/{k}"
            p = self.mapping(where, part, "parts")
            if p is None or not self.unknown_keys(where, p, {"weighting", "share"}, "a mix part"):
                continue
            w = self.weighting(f"{where}/weighting", p.get("weighting"))
            share = p.get("share")
            if not _is_number(share) or share <= 0:
                self.problem(
                    f"{where}/share",
                    "share",
                    NO_VALUE if share is None else share,
                    "must be a finite number > 0",
                )
                continue
            if w is not None:
                built.append((w, float(share)))
        return Mix(tuple(built)) if len(built) == len(parts) else None

    def custom(self, pointer: str, data: Mapping[str, Any]) -> Weighting | None:
        weights = data.get("weights")
        if not isinstance(weights, Mapping):
            self.problem(
                f"{pointer}/weights",
                "weights",
                NO_VALUE if weights is None else weights,
                "must be an object mapping product URIs to weights",
            )
            return None
        ok = True
        for uri, weight in weights.items():
            if not _is_number(weight) or weight < 0:
                self.problem(
                    f"{pointer}/weights/{_token(uri)}",
                    f"weights[{uri}]",
                    weight,
                    "must be a finite number >= 0",
                )
                ok = False
        default = data.get("default")
        if "default" in data and (not _is_number(default) or default < 0):
            self.problem(
                f"{pointer}/default", "default", default, "must be a finite number >= 0 or absent"
            )
            ok = False
        if not ok:
            return None
        try:
            return Custom(weights, default)
        except InvalidValueError as exc:  # pragma: no cover - every value is checked above
            self.problem(pointer, exc.field, exc.value, exc.problem.message)
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
        cls = self.kind_of(pointer, data, _METRICS, "metric")
        if cls is None:
            return None
        if cls is not Composite:
            built_m: Metric | None = self.build(pointer, cls, data, cls.kind)
            return built_m
        parts = data.get("parts")
        if not isinstance(parts, list) or not parts:
            self.problem(
                f"{pointer}/parts",
                "parts",
                NO_VALUE if parts is None else parts,
                "must be a non-empty list",
            )
            parts = []
        built: list[tuple[Metric, float]] = []
        complete = bool(parts)
        for k, part in enumerate(parts):
            where = f"{pointer}/parts/{k}"
            p = self.mapping(where, part, "parts")
            if p is None or not self.unknown_keys(where, p, {"metric", "weight"}, "a part"):
                complete = False
                continue
            ref, weight = p.get("metric"), p.get("weight", 1.0)
            if not _is_number(weight) or weight < 0:
                self.problem(f"{where}/weight", "weight", weight, "must be a finite number >= 0")
                complete = False
            if isinstance(ref, str) and ref in known:
                built.append((known[ref], float(weight) if _is_number(weight) else 0.0))
                continue
            complete = False
            if isinstance(ref, str) and ref in listed:
                continue  # that metric has problems of its own, reported where it is listed
            message = (
                "is listed after this composite; a part must be listed before it"
                if ref in later
                else "must be the id of a metric listed before this composite"
            )
            self.problem(f"{where}/metric", "metric", NO_VALUE if ref is None else ref, message)
        for key in ("id", "title"):
            if key in data and not isinstance(data[key], str):
                self.problem(f"{pointer}/{key}", key, data[key], "must be a string")
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


def _structure_profile(data: Any, source: str | None) -> Profile:
    b = _Builder(source)
    root = b.mapping("", data, "profile")
    if root is None:
        raise InputError(b.problems)
    b.unknown_keys("", root, _PROFILE_KEYS, "a profile")
    for key in ("name", "version", "headline"):
        value = root.get(key)
        if not isinstance(value, str) or not value.strip():
            b.problem(
                f"/{key}",
                key,
                NO_VALUE if value is None else value,
                "is required and must be a non-empty string",
            )
    for key in ("title", "description"):
        if key in root and not isinstance(root[key], str):
            b.problem(f"/{key}", key, root[key], "must be a string")
    weighting = b.weighting("/weighting", root.get("weighting"))
    missing: MissingPolicy | None = None
    policy = root.get("missing", MissingPolicy.DROP.value)
    try:
        if not isinstance(policy, str):
            raise UnknownNameError("missing", policy, (m.value for m in MissingPolicy))
        missing = MissingPolicy.parse(policy)
    except InvalidValueError as exc:
        b.problem("/missing", "missing", exc.value, exc.problem.message)
    metrics_data = root.get("metrics")
    metrics: list[Metric] = []
    known: dict[str, Metric] = {}
    if not isinstance(metrics_data, list) or not metrics_data:
        b.problem(
            "/metrics",
            "metrics",
            NO_VALUE if metrics_data is None else metrics_data,
            "is required and must be a non-empty list",
        )
        metrics_data = []
    ids = [item.get("id") if isinstance(item, Mapping) else None for item in metrics_data]
    for k, item in enumerate(metrics_data):
        if ids[k] is not None and ids[k] in ids[:k]:
            b.problem(f"/metrics/{k}/id", "id", ids[k], "metric id listed twice")
            continue
        metric = b.metric(f"/metrics/{k}", item, known, ids[:k], ids[k + 1 :])
        if metric is not None:
            known[metric.id] = metric
            metrics.append(metric)
    headline = root.get("headline")
    if isinstance(headline, str) and headline.strip() and ids and headline not in ids:
        b.problem("/headline", "headline", headline, "is not the id of a listed metric")
    # The uncertainty section reads itself (chapter UNC); its fit to the profile is checked
    # when the profile is built.
    section = (
        structure_section(b, "/uncertainty", root["uncertainty"]) if "uncertainty" in root else None
    )
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
            costs=root.get("costs"),
            uncertainty=section,
        )
    except InvalidValueError as exc:
        problem = exc.problem  # the cost table's: the one member not checked above
        field = problem.field if problem.field.startswith("costs") else "costs." + problem.field
        located = attrs.evolve(
            problem, field=field, location="/" + field.replace(".", "/"), source=source
        )
        raise InputError([located]) from None
    except InputError as exc:
        raise InputError([p.at(source=source) for p in exc.problems]) from None


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
def _builtins() -> dict[str, Profile]:
    """The built-in profiles, read from the TOML files shipped as package data (PRF-2)."""
    folder = resources.files("digimaat.data.profiles")
    out = {}
    for name in BUILTIN_PROFILES:
        source = f"digimaat/data/profiles/{name}.toml"
        text = folder.joinpath(f"{name}.toml").read_text(encoding="utf-8")
        profile = Profile.from_dict(parse_data(text, "toml", source), source=source)
        if profile.name != name:
            raise ProfileError(f"{source} defines profile {profile.name!r}, expected {name!r}")
        out[name] = profile
    return out


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
    try:
        return _builtins()[name]
    except KeyError:
        from digimaat.errors import UnknownNameError

        raise UnknownNameError("profile", name, BUILTIN_PROFILES) from None


def standard_profile() -> Profile:
    """The default profile, ``digimaat-standard``."""
    return builtin_profile("digimaat-standard")
