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

import enum
import functools
import json
import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import attrs
import numpy as np

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat._package import files
from digimaat._serial import parse_data
from digimaat._text import check_text
from digimaat._version import SPEC_VERSION
from digimaat.errors import (
    InputError,
    InvalidValueError,
    Problem,
    ProfileError,
    UnknownNameError,
)
from digimaat.measurement.aggregation import MissingPolicy
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.metrics import (
    Composite,
    Metric,
    MetricResult,
)
from digimaat.measurement.weights import (
    ChannelCost,
    Custom,
    PerCapita,
    SubjectWeights,
    Weighting,
)
from digimaat.vocabulary.channels import CostTable
from digimaat.vocabulary.maturity import MaturityLevel

if TYPE_CHECKING:  # pragma: no cover - the uncertainty modules are imported when needed
    from digimaat.measurement.uncertainty import UncertaintySection

__all__ = [
    "BUILTIN_PROFILES",
    "Profile",
    "ScoreBoard",
    "ScoreCard",
    "builtin_profile",
    "same_results",
    "standard_profile",
]


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
    if value is None:
        return
    from digimaat.measurement.uncertainty import UncertaintySection

    if not isinstance(value, UncertaintySection):
        raise InvalidValueError(attribute.name, value, "must be an uncertainty section or None")


@attrs.frozen
@shared_repr
@shared_eq
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
    _memo: dict[str, str] = attrs.field(init=False, factory=dict, repr=False, eq=False)
    """The fingerprint once it has been asked for: the canonical form is written once."""

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
            from digimaat.measurement.uncertainty import section_problems

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
        from digimaat.jcs import code_units

        data["metrics"] = sorted(data["metrics"], key=lambda m: code_units(m["id"]))
        _strip_titles(data["metrics"])
        _sort_selectors(data["weighting"])
        return data

    def canonical_json(self) -> bytes:
        """The canonical form written by RFC 8785 (JCS), as the UTF-8 bytes hashed (PRF-4)."""
        from digimaat.jcs import canonical_json

        return canonical_json(self.canonical())

    @property
    def fingerprint(self) -> str:
        """``"sha256:<hex>"`` of the canonical form written by RFC 8785 (PRF-4)."""
        fingerprint = self._memo.get("fingerprint")
        if fingerprint is None:
            import hashlib

            digest = hashlib.sha256(self.canonical_json()).hexdigest()
            fingerprint = self._memo["fingerprint"] = "sha256:" + digest
        return fingerprint

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
        from digimaat.measurement.profile_data import _structure_profile

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
        from digimaat.jcs import code_units

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
_COMPOSED_KINDS = frozenset({"product", "mix", "restrict"})
"""The kinds of the weightings made of weightings (WGT-9 to WGT-11), whose module is imported
only for a profile that has one."""


def _unstructure_weighting(w: Weighting) -> dict[str, Any]:
    if w.kind in _COMPOSED_KINDS:
        return _unstructure_composed(w)
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


def _unstructure_composed(w: Weighting) -> dict[str, Any]:
    from digimaat.measurement.weights_composed import Mix, ProductOf, Restrict

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
    raise InvalidValueError("weighting", w, "must be a weighting of WGT")


def _unstructure_metric(m: Metric) -> dict[str, Any]:
    """A metric as plain data: what the package's cattrs converter makes of it, with its
    lists as lists (a test compares the two), without importing cattrs to score."""
    if isinstance(m, Composite):
        return {
            "kind": m.kind,
            "id": m.id,
            "title": m.title,
            "method": m.method.value,
            "parts": [{"metric": part.id, "weight": weight} for part, weight in m.parts],
        }
    data: dict[str, Any] = {"kind": m.kind}
    for field in attrs.fields(cast("type[attrs.AttrsInstance]", type(m))):
        data[field.name] = _plain_value(getattr(m, field.name))
    return data


def _plain_value(value: Any) -> Any:
    """A field's value as plain data: a level by its label (as the converter writes it),
    another enumeration by its value, a tuple as a list."""
    if isinstance(value, MaturityLevel):
        return value.label
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return [_plain_value(item) for item in value]
    return value


# ---------------------------------------------------------------------- score cards
@attrs.frozen
@shared_repr
@shared_eq
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
@shared_repr
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
        return ScoreCard(
            municipality=muni.cbs_code,
            name=muni.name,
            population=muni.population,
            size_class=muni.size_class.code,
            spec_version=SPEC_VERSION,
            profile=self.profile.name,
            profile_version=self.profile.version,
            fingerprint=self.profile.fingerprint,
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
    folder = files("digimaat.data.profiles")
    source = f"digimaat/data/profiles/{name}.toml"
    text = folder.joinpath(f"{name}.toml").read_text(encoding="utf-8")
    written = _written(folder, name, text)
    data = parse_data(text, "toml", source) if written is None else written["data"]
    from digimaat.measurement.profile_data import _structure_profile

    try:  # the package's own data: its records built by their classes' own checks
        profile = _structure_profile(data, source, trusted=True)
    except InputError:  # every problem, as Profile.from_dict reports them
        profile = Profile.from_dict(data, source=source)
    if profile.name != name:
        raise ProfileError(f"{source} defines profile {profile.name!r}, expected {name!r}")
    fingerprint = None if written is None else written.get("fingerprint")
    if isinstance(fingerprint, str) and fingerprint.startswith("sha256:"):
        profile._memo["fingerprint"] = fingerprint  # as the script computed it of this data
    return profile


def _written(folder: Any, name: str, text: str) -> Any:
    """The entry of a built-in profile that ``scripts/build_profiles.py`` wrote from this
    very text of its TOML file (``builtin.json``, which holds the text, the profile's plain
    data and its fingerprint), or ``None``: then the TOML file is parsed and the
    fingerprint computed. The JSON is read without importing a TOML parser, and the
    fingerprint taken without hashing, a few milliseconds of a short command."""
    try:
        written = json.loads(folder.joinpath(_WRITTEN).read_text(encoding="utf-8"))
        entry = written["profiles"][name]
        if entry["text"] != text or not isinstance(entry["data"], dict):
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return entry


_WRITTEN = "builtin.json"


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
