"""Tests of the profile file reader (chapter PRF: PRF-3, PRF-7.1, PRF-7.2).

A profile file is read as a file of offerings is: bytes under limits, the syntax of its
format, the data of PRF-7, and the product URIs against a catalogue. Every problem names the
clause it breaks (INT-7), which the rejection vectors of CNF-9 compare.
"""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.errors import InputError
from digimaat.exchange import Limits
from digimaat.exchange.profiles import PROFILE_LIMITS, dumps_profile, load_profile, loads_profile
from digimaat.measurement.profiles import BUILTIN_PROFILES, Profile, builtin_profile
from digimaat.vocabulary.products import Catalogue, Product, reference_catalogue
from tests.exchange.strategies import json_values

UPL = "http://standaarden.overheid.nl/owms/terms/"
SPECS = Path(__file__).resolve().parents[2] / "specs"
SPEC_CLAUSES = frozenset(
    re.findall(
        r"\*\*([A-Z]{3}-[0-9]+(?:\.[0-9]+)?)\.\*\*",
        "".join(p.read_text(encoding="utf-8") for p in SPECS.glob("[0-9][0-9]-*.md")),
    )
)
"""Every clause of the specification (INT-7)."""


def mine() -> dict[str, Any]:
    """The data of a profile of one's own: ``digimaat-volume`` under another name."""
    data = builtin_profile("digimaat-volume").to_dict()
    data["name"] = "mine"
    return data


def clauses_of(text: str | bytes, form: str = "json", **kwargs: Any) -> set[str | None]:
    with pytest.raises(InputError) as caught:
        loads_profile(text, form=form, **kwargs)
    return {p.clause for p in caught.value.problems}


# --------------------------------------------------------------------------- PRF-3


@pytest.mark.parametrize("name", BUILTIN_PROFILES)
def test_profile_data_cannot_take_a_built_in_name(name: str) -> None:
    """PRF-3: A profile that is not one of these five MUST have a name other than theirs: a
    reader MUST reject profile data that takes one of these names, whatever else it holds."""
    data = builtin_profile(name).to_dict()  # even the built-in profile's own data
    with pytest.raises(InputError) as caught:
        loads_profile(json.dumps(data), form="json", name="p.json")
    [problem] = caught.value.problems
    assert (problem.location, problem.field, problem.value, problem.clause) == (
        "/name",
        "name",
        name,
        "PRF-3",
    )
    data["name"] = "my-" + name
    assert loads_profile(json.dumps(data), form="json").fingerprint == (
        builtin_profile(name).fingerprint
    )


def test_a_built_in_name_is_reported_with_the_other_problems() -> None:
    """PRF-7: A reader MUST report every problem of a profile together."""
    data = mine()
    data["name"] = "mdd-product"
    data["weighting"] = {"kind": "per-capita", "per": -1}
    assert clauses_of(json.dumps(data)) == {"PRF-3", "WGT-6"}


# --------------------------------------------------------------------------- PRF-7.1


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ('{"name": "a", "name": "b"}', "json"),
        ('name = "a"\nname = "b"\n', "toml"),
        ('{"name": "a",', "json"),
        ("name = ", "toml"),
        ('{"weighting": {"kind": "per-capita", "per": NaN}}', "json"),
        ('{"weighting": {"kind": "per-capita", "per": -Infinity}}', "json"),
        ("[weighting]\nkind = 'per-capita'\nper = nan\n", "toml"),
        ("[weighting]\nkind = 'per-capita'\nper = inf\n", "toml"),
        ('{"weighting": {"kind": "per-capita", "per": 1e16}}', "json"),
        ('{"weighting": {"kind": "per-capita", "per": 10000000000000001}}', "json"),
        ("[weighting]\nkind = 'per-capita'\nper = -2e15\n", "toml"),
        ('{"description": ' + "[" * 64 + "]" * 64 + "}", "json"),
        ("description = " + "[" * 64 + "]" * 64, "toml"),
    ],
)
def test_a_profile_file_is_checked_before_its_data(text: str, form: str) -> None:
    """PRF-7.1: A reader MUST refuse, and report as problems of this clause, a file that is
    not valid JSON or TOML, a member name that occurs twice in one object, NaN and the
    infinities, a number whose magnitude is greater than 10^15, and nesting deeper than 64
    levels."""
    assert clauses_of(text, form) == {"PRF-7.1"}


def test_numbers_up_to_the_limit_and_nesting_up_to_64_levels_are_read() -> None:
    """PRF-7.1: the limits are the largest values accepted: 10^15 and 64 levels."""
    data = mine()
    data["weighting"] = {"kind": "per-capita", "per": 1e15}
    assert loads_profile(json.dumps(data), form="json").weighting.per == 1e15  # type: ignore[attr-defined]
    data = mine()
    data["description"] = "DEEP"
    deep = json.dumps(data).replace('"DEEP"', "[" * 63 + "]" * 63)
    assert clauses_of(deep) == {"PRF-7"}  # read: the description is not a text


def test_a_profile_file_over_the_size_limit_names_its_clause(tmp_path: Path) -> None:
    """PRF-7.1: before it parses the file, a reader MUST refuse a file larger than 1 MiB
    (1,048,576 bytes); an implementation MAY let its caller set another limit."""
    assert PROFILE_LIMITS.max_bytes == 1_048_576
    data = mine()
    data["description"] = "PAD"
    text = dumps_profile(Profile.from_dict(data))
    padded = text.replace('"PAD"', '"' + "x" * 1_048_576 + '"')
    path = tmp_path / "big.json"
    path.write_text(padded, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_profile(path)
    [problem] = caught.value.problems
    assert problem.clause == "PRF-7.1"
    assert "1048576" in problem.message.replace(",", "")
    assert clauses_of(text, limits=Limits(max_bytes=100)) == {"PRF-7.1"}
    assert load_profile(io.BytesIO(text.encode()), form="json").name == "mine"


@pytest.mark.parametrize("form", [None, "yaml"])
def test_a_profile_file_is_json_or_toml(tmp_path: Path, form: str | None) -> None:
    """PRF-7.1: a reader learns the format from the name's extension or from its caller,
    and refuses any other."""
    path = tmp_path / "profile.yaml"
    path.write_text("name: x\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_profile(path, form=form)
    assert {p.clause for p in caught.value.problems} == {"PRF-7.1"}


@pytest.mark.parametrize("text", ["", "  \n", b"\xff\xfe{\x00}\x00", b'{"name": "\xe9"}'])
def test_the_encoding_of_a_profile_file_is_checked_as_xch_3_says(text: str | bytes) -> None:
    """PRF-7.1: The file is encoded and checked as XCH-3 says of exchange files: in UTF-8,
    not empty, and a problem with its encoding breaks XCH-3."""
    assert clauses_of(text) == {"XCH-3"}


# --------------------------------------------------------------------------- PRF-7.2


def _places() -> Iterator[tuple[dict[str, Any], str]]:
    """A weighting holding an unknown URI, and the pointer of that URI."""
    unknown = UPL + "parkeervergunnig"
    select = {"kind": "restrict", "base": {"kind": "volume"}, "selector": {"uris": [unknown]}}
    weigh = {"kind": "custom", "weights": {unknown: 2}, "default": 1}
    token = unknown.replace("/", "~1")
    yield select, "/weighting/selector/uris/0"
    yield weigh, f"/weighting/weights/{token}"
    yield (
        {"kind": "product", "left": {"kind": "volume"}, "right": weigh},
        (f"/weighting/right/weights/{token}"),
    )
    yield (
        {"kind": "mix", "parts": [{"weighting": select, "share": 1}]},
        ("/weighting/parts/0/weighting/selector/uris/0"),
    )
    yield {"kind": "restrict", "base": weigh, "selector": {}}, f"/weighting/base/weights/{token}"


@pytest.mark.parametrize(("weighting", "pointer"), list(_places()))
def test_a_product_uri_must_name_a_product_of_the_catalogue(
    weighting: dict[str, Any], pointer: str
) -> None:
    """PRF-7.2: A product URI in a profile, a key of the weights of a custom weighting or an
    item of the uris of a selector, wherever it occurs in the weighting, MUST be the URI of
    a product of that catalogue. A reader MUST reject one that is not, with the catalogue's
    close matches as suggestions."""
    data = mine()
    data["weighting"] = weighting
    with pytest.raises(InputError) as caught:
        loads_profile(json.dumps(data), form="json")
    [problem] = caught.value.problems
    assert (problem.location, problem.clause) == (pointer, "PRF-7.2")
    assert UPL + "parkeervergunning" in (problem.suggestion or "")
    # The same URI, corrected, is read; and the fingerprint does not depend on a catalogue.
    fixed = json.loads(json.dumps(data).replace("parkeervergunnig", "parkeervergunning"))
    assert loads_profile(json.dumps(fixed), form="json").fingerprint == (
        Profile.from_dict(fixed).fingerprint
    )


def test_the_catalogue_of_a_reader_may_hold_local_products() -> None:
    """PRF-7.2: A reader reads a profile with a catalogue: the reference catalogue unless it
    is given another, such as the catalogue of the data it will score with its local
    products."""
    local = "urn:gm0622:product:balieafspraak"
    data = mine()
    data["weighting"] = {
        "kind": "restrict",
        "base": {"kind": "volume"},
        "selector": {"uris": [local]},
    }
    text = json.dumps(data)
    assert clauses_of(text) == {"PRF-7.2"}
    catalogue = Catalogue((*reference_catalogue().products, Product.local(local, "Balieafspraak")))
    profile = loads_profile(text, form="json", catalogue=catalogue)
    assert profile.fingerprint == Profile.from_dict(data).fingerprint


def test_a_key_that_is_not_a_full_uri_breaks_wgt_8_only() -> None:
    """PRF-7.2: A key of weights that is not a full URI breaks WGT-8 instead."""
    data = mine()
    data["weighting"] = {"kind": "custom", "weights": {"paspoort": 1}}
    assert clauses_of(json.dumps(data)) == {"WGT-8"}


def test_unknown_uris_are_reported_with_the_other_problems() -> None:
    """PRF-7: A reader MUST report every problem of a profile together."""
    data = mine()
    data["weighting"] = {
        "kind": "restrict",
        "base": {"kind": "per-capita", "per": 0},
        "selector": {"uris": ["urn:nothing"], "audiences": ["toerist"]},
    }
    assert clauses_of(json.dumps(data)) == {"PRF-7.2", "WGT-6", "WGT-11"}


# --------------------------------------------------------------------------- every problem


def _paths(data: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*at, key))
    elif isinstance(data, list):
        for k, value in enumerate(data):
            yield from _paths(value, (*at, k))


BASES = [mine(), *(builtin_profile(n).to_dict() for n in ("mdd-product", "sc-online"))]
PATHS = sorted({path for base in BASES for path in _paths(base) if path}, key=str)


def _damaged(base: dict[str, Any], changes: list[tuple[tuple[Any, ...], Any, str]]) -> Any:
    data = copy.deepcopy(base)
    data["name"] = "damaged"
    for path, value, how in changes:
        node = data
        for step in path[:-1]:
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                break
        else:
            last = path[-1]
            if isinstance(node, dict) and how == "drop":
                node.pop(last, None)
            elif isinstance(node, dict) and how == "add":
                node[f"{last}-extra"] = value
            elif isinstance(node, dict) or (
                isinstance(node, list) and isinstance(last, int) and last < len(node)
            ):
                node[last] = value
    return data


@given(
    st.sampled_from(range(len(BASES))),
    st.lists(
        st.tuples(st.sampled_from(PATHS), json_values, st.sampled_from(["set", "drop", "add"])),
        min_size=1,
        max_size=4,
    ),
)
def test_every_problem_of_a_damaged_profile_names_a_clause(
    base: int, changes: list[tuple[tuple[Any, ...], Any, str]]
) -> None:
    """PRF-7: A reader MUST report every problem of a profile together, each with ... the
    clause the problem breaks (INT-7); it fails with its documented error only."""
    data = _damaged(BASES[base], changes)
    try:
        text = json.dumps(data, allow_nan=True)
    except (TypeError, ValueError):  # pragma: no cover - json_values are all writable
        return
    try:
        loads_profile(text, form="json")
    except InputError as exc:
        unknown = [str(p) for p in exc.problems if p.clause not in SPEC_CLAUSES]
        assert unknown == []
