"""Profiles: methodology as data, fingerprints, and score cards (specification chapter PRF).

A :class:`Profile` names a weighting, a missing-value policy, the metrics to report and
the headline composite. Its **canonical form** (:meth:`Profile.canonical`) is plain JSON
data; its **fingerprint** is the SHA-256 of that form serialised with sorted keys and no
whitespace (PRF-4). The fingerprint covers everything that changes a number and nothing
that does not (names, titles, descriptions, key order, file format).

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
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from digimaat._version import SPEC_VERSION
from digimaat.errors import InputError, InvalidValueError, Problem
from digimaat.measurement.aggregation import MissingPolicy, PreparedWeights
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
from digimaat.measurement.weights import (
    ChannelCost,
    Custom,
    Equal,
    Mix,
    PerCapita,
    ProductOf,
    Restrict,
    Selector,
    Volume,
    Weighting,
)
from digimaat.vocabulary.maturity import EU_ONLINE_AVAILABILITY, MDD_PERCENT, MaturityLevel

__all__ = [
    "BUILTIN_PROFILES",
    "Profile",
    "ScoreBoard",
    "ScoreCard",
    "builtin_profile",
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
    return tuple(values)


def _policy(value: str | MissingPolicy) -> MissingPolicy:
    return MissingPolicy.parse(value)


@attrs.frozen
class Profile:
    """A named, versioned methodology (PRF-1).

    ``metrics`` are evaluated in order; a composite refers to metrics listed before it.
    ``headline`` is the id of the metric shown as the score.
    """

    name: str = attrs.field(validator=_check_name)
    version: str = attrs.field(validator=_check_name)
    weighting: Weighting
    metrics: tuple[Metric, ...] = attrs.field(converter=_metric_tuple)
    headline: str
    missing: MissingPolicy = attrs.field(default=MissingPolicy.DROP, converter=_policy)
    title: str = ""
    description: str = ""

    def __attrs_post_init__(self) -> None:
        problems: list[Problem] = []
        seen: dict[str, Metric] = {}
        for k, metric in enumerate(self.metrics):
            if metric.id in seen:
                problems.append(
                    Problem(
                        "metrics", metric.id, "metric id listed twice", location=f"/metrics/{k}"
                    )
                )
            if isinstance(metric, Composite):
                for part, _ in metric.parts:
                    if seen.get(part.id) != part:
                        problems.append(
                            Problem(
                                "parts",
                                part.id,
                                "a composite part must be a metric listed before the composite",
                                location=f"/metrics/{k}",
                            )
                        )
            seen[metric.id] = metric
        if self.headline not in seen:
            problems.append(Problem("headline", self.headline, "is not the id of a listed metric"))
        if problems:
            raise InputError(problems)

    # ------------------------------------------------------------------ canonical form
    def canonical(self) -> dict[str, Any]:
        """The methodology as plain data: what the fingerprint hashes (PRF-4).

        Names, titles, descriptions and the profile's version are left out; metric order is
        kept only through composite references, so metrics are listed sorted by id.
        """
        data = self.to_dict()
        for key in ("name", "version", "title", "description"):
            data.pop(key)
        data["metrics"] = sorted(data["metrics"], key=lambda m: m["id"])
        _strip_titles(data["metrics"])
        return data

    @property
    def fingerprint(self) -> str:
        """``"sha256:<hex>"`` of the canonical form serialised as canonical JSON (PRF-4)."""
        return _fingerprint(self.canonical())

    def to_dict(self) -> dict[str, Any]:
        """The whole profile as plain data (the profile file format, PRF-7)."""
        return {
            "name": self.name,
            "version": self.version,
            "title": self.title,
            "description": self.description,
            "weighting": _unstructure_weighting(self.weighting),
            "missing": self.missing.value,
            "metrics": [_unstructure_metric(m) for m in self.metrics],
            "headline": self.headline,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], source: str | None = None) -> Profile:
        """Build a profile from plain data, reporting every problem at once (PRF-7)."""
        return _structure_profile(data, source)

    # ------------------------------------------------------------------ scoring
    def score(self, ds: Dataset) -> ScoreBoard:
        """Evaluate every metric for every municipality (PRF-5)."""
        weights = PreparedWeights.prepare(self.weighting.raw(ds))
        results: dict[str, MetricResult] = {}
        for metric in self.metrics:
            if isinstance(metric, Composite):
                results[metric.id] = metric.combine_results(
                    ds, [results[part.id] for part, _ in metric.parts], self.missing
                )
            else:
                results[metric.id] = metric.evaluate(ds, weights, self.missing)
        return ScoreBoard(self, ds, results)


def _strip_titles(metrics: list[dict[str, Any]]) -> None:
    for metric in metrics:
        metric.pop("title", None)


def _fingerprint(data: Any) -> str:
    text = json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False
    )
    return "sha256:" + hashlib.sha256(text.encode("ascii")).hexdigest()


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


class _Builder:
    """Structures profile data, collecting every problem with its JSON pointer."""

    def __init__(self, source: str | None) -> None:
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, pointer: str, field: str, value: Any, message: str) -> None:
        self.problems.append(
            Problem(field, value, message, source=self.source, location=pointer or "/")
        )

    def mapping(self, pointer: str, value: Any) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.problem(
                pointer, pointer.rsplit("/", 1)[-1] or "profile", value, "must be an object"
            )
            return None
        return value

    def build(self, pointer: str, cls: type[Any], data: Mapping[str, Any], **extra: Any) -> Any:
        from digimaat._serial import converter

        fields = {a.name for a in attrs.fields(cls)}
        unknown = sorted(set(data) - fields - {"kind"})
        for key in unknown:
            self.problem(f"{pointer}/{key}", key, data[key], "is not a field of " + cls.kind)
        payload = {k: v for k, v in data.items() if k in fields and k not in extra}
        try:
            if unknown:
                return None
            return converter().structure({**payload}, cls) if not extra else cls(**payload, **extra)
        except InvalidValueError as exc:
            self.problem(pointer, exc.field, exc.value, exc.problem.message)
        except Exception as exc:  # cattrs groups: report their leaf messages
            for message in _leaf_messages(exc):
                self.problem(pointer, cls.kind, data, message)
        return None

    def weighting(self, pointer: str, value: Any) -> Weighting | None:
        data = self.mapping(pointer, value)
        if data is None:
            return None
        kind = data.get("kind")
        cls = _WEIGHTINGS.get(kind) if isinstance(kind, str) else None
        if cls is None:
            self.problem(
                f"{pointer}/kind",
                "kind",
                kind,
                f"unknown weighting; expected one of: {', '.join(sorted(_WEIGHTINGS))}",
            )
            return None
        if cls is ProductOf:
            left = self.weighting(f"{pointer}/left", data.get("left"))
            right = self.weighting(f"{pointer}/right", data.get("right"))
            return ProductOf(left, right) if left and right else None
        if cls is Mix:
            parts = data.get("parts")
            if not isinstance(parts, list) or not parts:
                self.problem(f"{pointer}/parts", "parts", parts, "must be a non-empty list")
                return None
            built = []
            for k, part in enumerate(parts):
                p = self.mapping(f"{pointer}/parts/{k}", part)
                if p is None:
                    continue
                w = self.weighting(f"{pointer}/parts/{k}/weighting", p.get("weighting"))
                share = p.get("share")
                if not isinstance(share, int | float) or not _is_number(share) or share <= 0:
                    self.problem(
                        f"{pointer}/parts/{k}/share", "share", share, "must be a number > 0"
                    )
                    continue
                if w is not None:
                    built.append((w, float(share)))
            return Mix(tuple(built)) if len(built) == len(parts) else None
        if cls is Restrict:
            base = self.weighting(f"{pointer}/base", data.get("base"))
            sel = self.mapping(f"{pointer}/selector", data.get("selector", {}))
            if sel is None or base is None:
                return None
            selector = self.build(f"{pointer}/selector", Selector, sel)
            return Restrict(base, selector) if selector is not None else None
        if cls is Custom:
            weights = data.get("weights")
            if not isinstance(weights, Mapping):
                self.problem(f"{pointer}/weights", "weights", weights, "must be an object")
                return None
            try:
                return Custom(weights, data.get("default"))
            except InvalidValueError as exc:
                self.problem(f"{pointer}/weights", exc.field, exc.value, exc.problem.message)
                return None
        built_w: Weighting | None = self.build(pointer, cls, data)
        return built_w

    def metric(self, pointer: str, value: Any, known: Mapping[str, Metric]) -> Metric | None:
        data = self.mapping(pointer, value)
        if data is None:
            return None
        kind = data.get("kind")
        cls = _METRICS.get(kind) if isinstance(kind, str) else None
        if cls is None:
            self.problem(
                f"{pointer}/kind",
                "kind",
                kind,
                f"unknown metric; expected one of: {', '.join(sorted(_METRICS))}",
            )
            return None
        if cls is Composite:
            parts = data.get("parts")
            if not isinstance(parts, list) or not parts:
                self.problem(f"{pointer}/parts", "parts", parts, "must be a non-empty list")
                return None
            built = []
            for k, part in enumerate(parts):
                p = self.mapping(f"{pointer}/parts/{k}", part)
                if p is None:
                    continue
                ref, weight = p.get("metric"), p.get("weight", 1.0)
                if not isinstance(ref, str) or ref not in known:
                    self.problem(
                        f"{pointer}/parts/{k}/metric",
                        "metric",
                        ref,
                        "must be the id of a metric listed before this composite",
                    )
                    continue
                if not isinstance(weight, int | float) or not _is_number(weight):
                    self.problem(
                        f"{pointer}/parts/{k}/weight", "weight", weight, "must be a number"
                    )
                    continue
                built.append((known[ref], float(weight)))
            if len(built) != len(parts):
                return None
            extra = {k: v for k, v in data.items() if k not in ("kind", "parts")}
            composite: Metric | None = self.build(pointer, Composite, extra, parts=tuple(built))
            return composite
        built_m: Metric | None = self.build(pointer, cls, data)
        return built_m


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _leaf_messages(exc: BaseException) -> list[str]:
    group = getattr(exc, "exceptions", None)  # an exception group (cattrs validation errors)
    if isinstance(group, tuple):
        out: list[str] = []
        for sub in group:
            notes = [n for n in getattr(sub, "__notes__", []) if isinstance(n, str)]
            for message in _leaf_messages(sub):
                out.append(f"{'; '.join(notes)}: {message}" if notes else message)
        return out
    return [str(exc) or exc.__class__.__name__]


def _structure_profile(data: Any, source: str | None) -> Profile:
    b = _Builder(source)
    root = b.mapping("", data)
    if root is None:
        raise InputError(b.problems)
    allowed = {
        "name",
        "version",
        "title",
        "description",
        "weighting",
        "missing",
        "metrics",
        "headline",
    }
    for key in sorted(set(root) - allowed):
        b.problem(f"/{key}", key, root[key], "is not a profile field")
    for key in ("name", "version", "headline"):
        if not isinstance(root.get(key), str) or not root.get(key):
            b.problem(f"/{key}", key, root.get(key), "is required and must be a string")
    for key in ("title", "description"):
        if key in root and not isinstance(root[key], str):
            b.problem(f"/{key}", key, root[key], "must be a string")
    weighting = b.weighting("/weighting", root.get("weighting"))
    missing: MissingPolicy | None = None
    try:
        missing = MissingPolicy.parse(root.get("missing", "drop"))
    except InvalidValueError as exc:
        b.problem("/missing", "missing", exc.value, exc.problem.message)
    metrics_data = root.get("metrics")
    metrics: list[Metric] = []
    known: dict[str, Metric] = {}
    if not isinstance(metrics_data, list) or not metrics_data:
        b.problem("/metrics", "metrics", metrics_data, "must be a non-empty list")
    else:
        for k, item in enumerate(metrics_data):
            metric = b.metric(f"/metrics/{k}", item, known)
            if metric is not None:
                if metric.id in known:
                    b.problem(f"/metrics/{k}/id", "id", metric.id, "metric id listed twice")
                known[metric.id] = metric
                metrics.append(metric)
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
        )
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
def _scores_from(table: Mapping[MaturityLevel, int]) -> tuple[float, ...]:
    return tuple(table[level] / 100 for level in MaturityLevel)


def _standard_metrics(scores: Sequence[float] | None = None) -> tuple[Metric, ...]:
    maturity = (
        Maturity("maturity", "Maturity (level score, level / 6)")
        if scores is None
        else Maturity("maturity", "Maturity", scores=tuple(scores))
    )
    fully = Availability(
        "fully-online", "Fully online (SDG art. 6(2))", at_least=MaturityLevel.FULLY_ONLINE
    )
    submit = Availability(
        "online-submission", "Can be submitted online", at_least=MaturityLevel.ONLINE_SUBMISSION
    )
    attainment = Attainment("attainment", "Attainment of the reference target")
    local = Attainment(
        "local-attainment", "Attainment of local targets (maatwerk)", target="local", scope="all"
    )
    fit = AuthenticationFit("authentication-fit", "Authentication fits the product's need")
    barrier = AuthenticationFit(
        "authentication-barrier", "More assurance asked than needed", outcome="barrier"
    )
    shortfall = AuthenticationFit(
        "authentication-shortfall", "Less assurance asked than needed", outcome="shortfall"
    )
    uptake = Uptake("uptake", "Share of requests through digital channels")
    success = SuccessRatio("success-ratio", "Web forms completed / started (succesratio)")
    score = Composite(
        "digimaat-score",
        "digimaat score",
        parts=((maturity, 1.0), (attainment, 1.0), (fully, 1.0), (fit, 1.0)),
    )
    return (
        maturity,
        fully,
        submit,
        attainment,
        local,
        fit,
        barrier,
        shortfall,
        uptake,
        success,
        score,
    )


@functools.cache
def _builtins() -> dict[str, Profile]:
    standard = Profile(
        name="digimaat-standard",
        version="1.0",
        weighting=Equal(),
        metrics=_standard_metrics(),
        headline="digimaat-score",
        title="The digimaat standard profile",
        description="Each product counts once; the score is the arithmetic mean of maturity, "
        "reference attainment, fully-online availability and authentication fit.",
    )
    volume = attrs.evolve(
        standard,
        name="digimaat-volume",
        weighting=Volume(),
        title="The digimaat standard profile, weighted per request",
        description="As digimaat-standard, but each product weighs with its requests per year "
        "(massaal digitaal).",
    )
    mdd = Profile(
        name="mdd-product",
        version="1.0",
        weighting=Equal(),
        metrics=(
            Maturity(
                "mdd-maturity",
                "MDD product maturity (0-100 % as a share)",
                scores=_scores_from(MDD_PERCENT),
            ),
        ),
        headline="mdd-maturity",
        title="VNG/MDD product maturity measurement",
        description="Each offered product counts once; the level maps to the MDD percentage.",
    )
    eu = Profile(
        name="eu-online-availability",
        version="1.0",
        weighting=Equal(),
        metrics=(
            Maturity(
                "online-availability",
                "EU eGovernment Benchmark online availability",
                scores=_scores_from(EU_ONLINE_AVAILABILITY),
            ),
        ),
        headline="online-availability",
        title="EU eGovernment Benchmark online availability",
        description="Fully online 100, information online 50, offline 0, averaged per product.",
    )
    return {p.name: p for p in (standard, volume, mdd, eu)}


BUILTIN_PROFILES: tuple[str, ...] = (
    "digimaat-standard",
    "digimaat-volume",
    "mdd-product",
    "eu-online-availability",
)
"""Names of the profiles that ship with digimaat."""


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
