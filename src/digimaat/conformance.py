"""The conformance runner: run a folder of test vectors against this implementation (CNF).

A test vector (specification chapter CNF, CNF-2) is a JSON file of one of three kinds:

- ``scores``: an exchange document and a profile, with the values, coverages and
  contributions the clauses give, and where the vector pins them the fingerprint, the
  canonical form of the profile, decompositions and priorities (CNF-3, CNF-4);
- ``fingerprint``: a profile, with its canonical form and fingerprint (CNF-3);
- ``rejection``: an input that must be rejected, with the clause ids of the problems it
  must produce (CNF-9).

:func:`run_directory` runs every ``*.json`` file of a folder and reports, per vector,
whether it passed, with every difference found; the command ``digimaat conformance DIR``
and ``python -m digimaat.conformance DIR`` print that report and exit with 0 when no
vector failed, 1 otherwise. The vectors of the specification this package implements
ship with it (:func:`published_vectors`).

>>> outcomes = run_directory(published_vectors())
>>> all(o.status == "pass" for o in outcomes)
True
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, TextIO

import attrs

from digimaat._boundary import guard
from digimaat._classes import shared_eq, shared_repr
from digimaat._version import SPEC_VERSION, keeps_numbers_of
from digimaat.errors import DigimaatError, InputError, InvalidValueError, Problem
from digimaat.exchange import loads
from digimaat.exchange.profiles import loads_profile
from digimaat.measurement.aggregation import AGREEMENT_TOLERANCE
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.explain import RANKINGS, decompose, priorities
from digimaat.measurement.profiles import BUILTIN_PROFILES, Profile, ScoreBoard, builtin_profile

if TYPE_CHECKING:  # pragma: no cover
    if sys.version_info >= (3, 11):
        from importlib.resources.abc import Traversable
    else:
        from importlib.abc import Traversable

__all__ = [
    "FORMAT",
    "KINDS",
    "MAX_VECTOR_BYTES",
    "Outcome",
    "main",
    "published_vectors",
    "run_directory",
    "run_vector",
    "vector_dataset",
    "vector_profile",
]

FORMAT: Final = "digimaat-conformance"
"""The ``format`` member of every vector (CNF-2)."""

KINDS: Final = ("scores", "fingerprint", "rejection")
"""The kinds of vector (CNF-2)."""

MAX_VECTOR_BYTES: Final = 16 * 1024 * 1024
"""A vector file larger than this is refused unread: vectors are small worked examples."""

BUILTIN: Final = "builtin:"
"""The prefix of a ``profile`` member that names a built-in profile (CNF-2)."""

Status = Literal["pass", "fail", "skip", "error"]

_COMMON = ("format", "spec_version", "id", "title", "clauses", "description", "hand_checked")
_MEMBERS: Final = {
    "scores": frozenset({*_COMMON, "kind", "input", "profile", "expected"}),
    "fingerprint": frozenset({*_COMMON, "kind", "profile", "expected"}),
    "rejection": frozenset({*_COMMON, "kind", "subject", "media_type", "input", "expected"}),
}
_REQUIRED: Final = {
    "scores": frozenset({*_COMMON, "kind", "input", "profile", "expected"}),
    "fingerprint": frozenset({*_COMMON, "kind", "profile", "expected"}),
    "rejection": frozenset({*_COMMON, "kind", "subject", "input", "expected"}),
}


@attrs.frozen
@shared_repr
@shared_eq
class Outcome:
    """The result of running one vector."""

    vector: str
    """The vector's id (its file name without ``.json`` where the file has no usable id)."""
    source: str
    """Where the vector was read from."""
    status: Status
    """``pass``, ``fail`` (a difference), ``skip`` (cannot be checked here, see ``reason``)
    or ``error`` (the file is not a vector)."""
    differences: tuple[str, ...] = ()
    """Every difference found, in a stable order (CNF-4)."""
    reason: str = ""
    """Why the vector was skipped, or why it is not a vector."""

    @property
    def first_difference(self) -> str:
        """The first difference, or the reason of a skip or an error; empty when passed."""
        return self.differences[0] if self.differences else self.reason


class _NotAVectorError(Exception):
    """The file is not a well-formed vector."""


# ---------------------------------------------------------------------- reading
def published_vectors() -> Traversable:
    """The folder of the vectors published with the specification this package implements.

    In an installed package they are package data (``digimaat/spec/conformance``); in a
    checkout of the repository they are ``specs/conformance``.
    """
    shipped = resources.files("digimaat").joinpath("spec").joinpath("conformance")
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[2] / "specs" / "conformance"


def _files(directory: Traversable | str | Path) -> list[Traversable]:
    given: object = directory
    if not isinstance(given, str | Path) and not hasattr(given, "iterdir"):
        raise InvalidValueError("directory", given, "must be a folder: a path or a Traversable")
    folder: Traversable = Path(directory) if isinstance(directory, str | Path) else directory
    if not folder.is_dir():
        raise InputError([Problem("directory", str(directory), "is not a folder of vectors")])
    return sorted(
        (f for f in folder.iterdir() if f.is_file() and f.name.endswith(".json")),
        key=lambda f: f.name.removesuffix(".json"),
    )


def _read(file: Traversable) -> Any:
    with file.open("rb") as stream:
        data = stream.read(MAX_VECTOR_BYTES + 1)
    if len(data) > MAX_VECTOR_BYTES:
        raise _NotAVectorError(f"is larger than {MAX_VECTOR_BYTES} bytes")
    try:
        return json.loads(data.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise _NotAVectorError(f"is not JSON text in UTF-8: {exc}") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_shape(vector: Any) -> str:
    """The vector's kind, after checking the members every vector of that kind has (CNF-2)."""
    if not isinstance(vector, dict):
        raise _NotAVectorError("is not a JSON object")
    if vector.get("format") != FORMAT:
        raise _NotAVectorError(f"has no member format = {FORMAT!r}")
    kind = vector.get("kind")
    if kind not in KINDS:
        raise _NotAVectorError(f"has an unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    missing = sorted(_REQUIRED[kind] - set(vector))
    if missing:
        raise _NotAVectorError(f"lacks the members {', '.join(missing)}")
    unknown = sorted(set(vector) - _MEMBERS[kind])
    if unknown:
        raise _NotAVectorError(
            f"has members that a {kind} vector does not have: {', '.join(unknown)}"
        )
    if not isinstance(vector["expected"], dict):
        raise _NotAVectorError("has an expected member that is not an object")
    return str(kind)


# ---------------------------------------------------------------------- comparing numbers
def _decimal(text: Any) -> Decimal:
    if not isinstance(text, str):
        raise _NotAVectorError(f"has an expected number that is not a decimal string: {text!r}")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise _NotAVectorError(f"has an expected number that is not a decimal: {text!r}") from None


def agrees(computed: float, expected: str | None) -> bool:
    """CNF-4 and AGG-8: ``null`` means undefined; otherwise defined and within 1e-9.

    The difference is taken between the computed binary64 number and the expected
    decimal, both exactly.

    >>> agrees(1 / 51, "0.019607843137254901961"), agrees(1 / 51, "0.019607845")
    (True, False)
    >>> agrees(float("nan"), None), agrees(0.0, None)
    (True, False)
    """
    if expected is None:
        return math.isnan(computed)
    if math.isnan(computed):
        return False
    return abs(Decimal(computed) - _decimal(expected)) <= Decimal(AGREEMENT_TOLERANCE)


def _shown(value: float) -> str:
    return "undefined" if math.isnan(value) else repr(float(value))


# ---------------------------------------------------------------------- the three kinds
def vector_profile(vector: Mapping[str, Any]) -> Profile:
    """CNF-4, step 2: a built-in profile by name, or the profile data read by PRF-7.

    The profile of a scores vector is read as a profile file is, with the reference
    catalogue (PRF-7 to PRF-7.2); that of a fingerprint vector as profile data only, since
    its canonical form does not depend on a file's limits or on a catalogue (CNF-4).
    """
    spec = _member(vector, "profile")
    if isinstance(spec, str):
        name = spec.removeprefix(BUILTIN)
        if not spec.startswith(BUILTIN) or name not in BUILTIN_PROFILES:
            raise _NotAVectorError(f"names no built-in profile: {spec!r}")
        return builtin_profile(name)
    if not isinstance(spec, dict):
        raise _NotAVectorError("has a profile that is neither a built-in name nor an object")
    source = f"{_member(vector, 'id')}.json#/profile"
    if vector.get("kind") == "fingerprint":
        return Profile.from_dict(spec, source=source)
    return loads_profile(json.dumps(spec, ensure_ascii=False), form="json", name=source)


def vector_dataset(vector: Mapping[str, Any]) -> Dataset:
    """CNF-4, step 1: the input read as an exchange document, in its own catalogue."""
    text = json.dumps(_member(vector, "input"), ensure_ascii=False)
    return loads(text, form="json", name=f"{_member(vector, 'id')}.json#/input").dataset()


def _member(vector: object, name: str) -> Any:
    """A member of a vector (CNF-2), or an error naming the one it lacks."""
    if not isinstance(vector, Mapping) or name not in vector:
        raise InvalidValueError("vector", type(vector).__name__, f"has no member {name!r}")
    return vector[name]


def _fingerprint_differences(profile: Profile, expected: Mapping[str, Any]) -> list[str]:
    found = []
    canonical = expected.get("canonical_json")
    if canonical is not None:
        computed = profile.canonical_json()
        if not isinstance(canonical, str) or computed != canonical.encode("utf-8"):
            found.append(
                f"canonical form: expected {canonical!r}, computed {computed.decode('utf-8')!r}"
            )
    pinned = expected.get("fingerprint")
    if pinned is not None and pinned != profile.fingerprint:
        found.append(f"fingerprint: expected {pinned}, computed {profile.fingerprint}")
    return found


def _score_differences(
    vector: Mapping[str, Any], profile: Profile, ds: Dataset, board: ScoreBoard
) -> list[str]:
    """Every comparison of CNF-4 that fails, in a stable order."""
    expected = vector["expected"]
    found = _fingerprint_differences(profile, expected)
    municipalities = expected.get("municipalities")
    if not isinstance(municipalities, dict):
        raise _NotAVectorError("has no expected municipalities")
    if set(municipalities) != set(ds.codes):
        found.append(f"municipalities: expected {sorted(municipalities)}, input has {ds.codes}")
    for code, metrics in sorted(municipalities.items()):
        if code not in ds.codes:
            continue
        i = ds.index_of(code)
        if not isinstance(metrics, dict):
            raise _NotAVectorError(f"has expected results for {code} that are not an object")
        if set(metrics) != set(board.results):
            found.append(
                f"{code}: expected metrics {sorted(metrics)}, profile has {sorted(board.results)}"
            )
        for metric_id, result in sorted(metrics.items()):
            if metric_id not in board.results:
                continue
            computed = board.results[metric_id]
            for field in ("value", "coverage"):
                number = float(getattr(computed, field)[i])
                if not agrees(number, result.get(field)):
                    found.append(
                        f"{code} {metric_id} {field}: expected {result.get(field)}, "
                        f"computed {_shown(number)}"
                    )
            contributions = result.get("contributions")
            if contributions is None:
                continue
            if set(contributions) != set(ds.uris):
                found.append(
                    f"{code} {metric_id} contributions: expected products "
                    f"{sorted(contributions)}, the dataset has {list(ds.uris)}"
                )
            for j, uri in enumerate(ds.uris):
                if uri not in contributions:
                    continue
                number = float(computed.contribution[i, j])
                if not agrees(number, contributions[uri]):
                    found.append(
                        f"{code} {metric_id} contribution of {uri}: expected "
                        f"{contributions[uri]}, computed {_shown(number)}"
                    )
    found += _decomposition_differences(expected.get("decompositions"), ds, board)
    found += _priority_differences(expected.get("priorities"), ds, profile)
    return found


def _decomposition_differences(expected: Any, ds: Dataset, board: ScoreBoard) -> list[str]:
    """CNF-3: the products a decomposition lists, in the order of EXP-1."""
    found: list[str] = []
    for code, metrics in sorted((expected or {}).items()):
        for metric_id, order in sorted(metrics.items()):
            if code not in ds.codes or metric_id not in board.results:
                found.append(f"decomposition of {code} {metric_id}: no such municipality or metric")
                continue
            listed = [item.uri for item in decompose(board, code, metric_id).items]
            if listed != order:
                found.append(
                    f"decomposition of {code} {metric_id}: expected {order}, computed {listed}"
                )
    return found


def _priority_differences(expected: Any, ds: Dataset, profile: Profile) -> list[str]:
    """CNF-3: the priorities of EXP-3, in order, each with its gain."""
    found: list[str] = []
    for code, rankings in sorted((expected or {}).items()):
        for by, wanted in sorted(rankings.items()):
            if code not in ds.codes or by not in RANKINGS:
                found.append(f"priorities of {code} by {by}: no such municipality or ranking")
                continue
            ranked = priorities(ds, profile, code, by=by)
            listed = [p.uri for p in ranked]
            order = [item["product"] for item in wanted]
            if listed != order:
                found.append(f"priorities of {code} by {by}: expected {order}, computed {listed}")
                continue
            for item, priority in zip(wanted, ranked, strict=True):
                if not agrees(priority.gain, item["gain"]):
                    found.append(
                        f"priorities of {code} by {by}: gain of {priority.uri}: expected "
                        f"{item['gain']}, computed {priority.gain!r}"
                    )
    return found


def _rejection(vector: Mapping[str, Any]) -> tuple[Status, list[str], str]:
    """CNF-9: read the input, which MUST fail, and compare the clauses of its problems."""
    subject = vector["subject"]
    wanted = vector["expected"].get("problems")
    if not isinstance(wanted, list) or not wanted:
        raise _NotAVectorError("has no expected problems (a non-empty list of clause ids)")
    source = f"{vector['id']}.json#/input"
    media_type = vector.get("media_type", "application/json")
    given = vector["input"]
    read: Callable[[], object]
    if subject == "offerings" and media_type == "text/csv":
        if not isinstance(given, str):
            raise _NotAVectorError("has a CSV input that is not a string")
        read = lambda: loads(given, form="csv", name=source)  # noqa: E731
    elif subject == "offerings" and media_type == "application/json":
        text = given if isinstance(given, str) else json.dumps(given, ensure_ascii=False)
        read = lambda: loads(text, form="json", name=source)  # noqa: E731
    elif subject == "profile" and media_type == "application/json":
        text = given if isinstance(given, str) else json.dumps(given, ensure_ascii=False)
        read = lambda: loads_profile(text, form="json", name=source)  # noqa: E731
    else:
        raise _NotAVectorError(
            f"has a subject {subject!r} with a media type {media_type!r} it cannot have"
        )
    try:
        read()
    except InputError as exc:
        problems = exc.problems
    else:
        return "fail", ["the input was accepted; it must be rejected"], ""
    clauses = [getattr(problem, "clause", None) for problem in problems]
    if any(clause is None for clause in clauses):
        return (
            "skip",
            [],
            "the problems this implementation raises carry no clause ids yet, so the "
            f"clauses cannot be compared ({_count(len(problems), 'problem')} raised)",
        )
    raised = sorted({str(clause) for clause in clauses})
    if raised != sorted(set(wanted)):
        return "fail", [f"problems: expected clauses {sorted(set(wanted))}, raised {raised}"], ""
    return "pass", [], ""


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def run_vector(vector: Any, source: str = "<vector>") -> Outcome:
    """Run one vector, already read from JSON, and report every difference (CNF-4)."""
    name = source.rsplit("/", 1)[-1].removesuffix(".json")
    ident = vector.get("id", name) if isinstance(vector, dict) else name
    ident = ident if isinstance(ident, str) else name
    try:
        kind = _check_shape(vector)
        if not keeps_numbers_of(vector["spec_version"]):
            return Outcome(
                ident,
                source,
                "skip",
                reason=f"states the numbers of specification {vector['spec_version']}; "
                f"this implementation implements {SPEC_VERSION} (CNF-6)",
            )
        if kind == "rejection":
            status, found, reason = _rejection(vector)
            return Outcome(ident, source, status, tuple(found), reason)
        profile = vector_profile(vector)
        if kind == "fingerprint":
            found = _fingerprint_differences(profile, vector["expected"])
        else:
            ds = vector_dataset(vector)
            found = _score_differences(vector, profile, ds, profile.score(ds))
    except _NotAVectorError as exc:
        return Outcome(ident, source, "error", reason=f"not a vector: it {exc}")
    except DigimaatError as exc:
        return Outcome(ident, source, "fail", (f"refused: {exc}",))
    return Outcome(ident, source, "fail" if found else "pass", tuple(found))


def run_directory(directory: Traversable | str | Path) -> list[Outcome]:
    """Run every ``*.json`` file of a folder, in the order of the file names."""
    outcomes = []
    for file in _files(directory):
        source = str(file)
        try:
            vector = _read(file)
        except _NotAVectorError as exc:
            outcomes.append(
                Outcome(file.name.removesuffix(".json"), source, "error", reason=f"it {exc}")
            )
            continue
        outcomes.append(run_vector(vector, source))
    return outcomes


# ---------------------------------------------------------------------- report
def _safe(text: str) -> str:
    """Text with control characters escaped, safe to print in a terminal."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def report(outcomes: Sequence[Outcome], out: TextIO, *, verbose: bool = False) -> None:
    """Write one line per vector, then a count (CNF-5: the ids passed and failed)."""
    for outcome in outcomes:
        line = f"{outcome.status.upper():5} {_safe(outcome.vector)}"
        detail = outcome.first_difference
        if detail:
            line += f": {_safe(detail)}"
        out.write(line + "\n")
        if verbose:
            for more in outcome.differences[1:]:
                out.write(f"      {_safe(more)}\n")
    counts = {status: sum(o.status == status for o in outcomes) for status in ("pass", "fail")}
    others = len(outcomes) - counts["pass"] - counts["fail"]
    out.write(
        f"specification {SPEC_VERSION}: {len(outcomes)} vectors, {counts['pass']} passed, "
        f"{counts['fail']} failed, {others} skipped or not vectors\n"
    )


def succeeded(outcomes: Iterable[Outcome], *, strict: bool = False) -> bool:
    """No vector failed or was not a vector; with ``strict``, none was skipped either."""
    bad = {"fail", "error", "skip"} if strict else {"fail", "error"}
    return not any(o.status in bad for o in outcomes)


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """``python -m digimaat.conformance DIR``: exit 0 when every vector passed, 1 otherwise."""
    out = out if out is not None else sys.stdout
    parser = argparse.ArgumentParser(
        prog="python -m digimaat.conformance",
        description="Run a folder of digimaat conformance vectors against this implementation.",
    )
    parser.add_argument(
        "directory",
        nargs="?",
        help="folder of vectors (default: those published with the specification)",
    )
    parser.add_argument("--strict", action="store_true", help="count skipped vectors as failed")
    parser.add_argument("--verbose", "-v", action="store_true", help="show every difference")
    args = parser.parse_args(argv)
    try:
        outcomes = run_directory(args.directory or published_vectors())
    except DigimaatError as exc:
        sys.stderr.write(f"digimaat conformance: error: {exc}\n")
        return 2
    report(outcomes, out, verbose=args.verbose)
    return 0 if succeeded(outcomes, strict=args.strict) else 1


if __name__ == "__main__":  # pragma: no cover - exercised through the command line
    sys.exit(main())

guard(__name__)
