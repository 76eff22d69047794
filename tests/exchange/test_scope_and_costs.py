"""The product scope and the cost table a document states (XCH-5, AGG-2.1, CHN-7, CHN-8)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from digimaat.cli import main
from digimaat.errors import InputError
from digimaat.exchange import dumps, loads
from digimaat.exchange.costs import load_costs, loads_costs
from digimaat.measurement.profiles import standard_profile
from digimaat.vocabulary.channels import Channel
from digimaat.vocabulary.products import UPL_NAMESPACE

UPL = UPL_NAMESPACE
BASE: dict[str, Any] = {
    "format": "digimaat-offerings",
    "spec_version": "1.0",
    "reference_year": 2024,
    "municipalities": [
        {"cbs_code": "GM0622", "name": "Vlaardingen", "population": 74124, "year": 2021}
    ],
    "offerings": [
        {
            "municipality": "GM0622",
            "product": "paspoort",
            "capabilities": ["information-online"],
            "volumes": {"balie": "100/year", "telefoon": "10/year"},
        }
    ],
}
COSTS = {
    "source": "Begroting 2024",
    "channels": {"balie": 12.5, "telefoon": 6},
    "products": {"Paspoort": {"balie": 25}},
}


def document(**members: Any) -> str:
    return json.dumps({**BASE, **members})


@pytest.mark.parametrize(
    ("scope", "uris", "kind"),
    [
        (None, [UPL + "paspoort"], "recorded"),
        ("recorded", [UPL + "paspoort"], "recorded"),
        ("offerings", [UPL + "paspoort"], "listed"),
        (
            ["paspoort", "Verhuizing doorgeven"],
            [UPL + "paspoort", UPL + "verhuismelding"],
            "listed",
        ),
    ],
)
def test_xch_5_product_scope_member(scope: Any, uris: list[str], kind: str) -> None:
    """XCH-5, AGG-2.1: `product_scope` is `recorded` (the default when absent), `reference`,
    `offerings`, or an array of product keys (PRD-7.2)."""
    members = {} if scope is None else {"product_scope": scope}
    submission = loads(document(**members), form="json")
    ds = submission.dataset()
    assert list(ds.uris) == sorted(uris)
    assert ds.product_scope == kind
    assert loads(dumps(submission), form="json") == submission


def test_xch_5_the_reference_scope_spans_the_catalogue() -> None:
    """AGG-2.1: `reference`: every product of the reference catalogue, for every
    municipality; the products without a record are unknown and lower the coverage."""
    ds = loads(document(product_scope="reference"), form="json").dataset()
    assert len(ds.uris) == 512
    card = standard_profile().score(ds).card("GM0622")
    assert card.coverage["maturity"] == pytest.approx(1 / 512, abs=1e-12)


@pytest.mark.parametrize(
    ("scope", "pointer"),
    [
        ("everything", "/product_scope"),
        ([], "/product_scope"),
        (["paspoort", 7], "/product_scope/1"),
        (["paspoort", "paspoortt"], "/product_scope/1"),
    ],
)
def test_xch_5_a_bad_product_scope_is_a_problem(scope: Any, pointer: str) -> None:
    """XCH-5: a product scope that is not one of the names or a list of product keys is
    refused, at its pointer."""
    with pytest.raises(InputError) as caught:
        loads(document(product_scope=scope), form="json")
    assert [(p.location, p.clause) for p in caught.value.problems] == [(pointer, "XCH-5")]


def test_the_csv_form_names_a_scope_in_every_row() -> None:
    """XCH-11: `product_scope` holds one of the names, the same in every row."""
    header = "reference_year,cbs_code,municipality_name,population,population_year,product,"
    header += "product_scope\n"
    row = "2024,GM0622,Vlaardingen,74124,2021,{},{}\n"
    text = header + row.format("paspoort", "reference") + row.format("bezafspr", "reference")
    assert loads(text, form="csv").product_scope == "reference"
    bad = header + row.format("paspoort", "reference") + row.format("bezafspr", "recorded")
    with pytest.raises(InputError) as caught:
        loads(bad, form="csv")
    assert caught.value.problems[0].field == "product_scope"


def test_chn_7_the_costs_member_is_read_with_product_keys_resolved() -> None:
    """CHN-7, XCH-5: a cost table with a currency (EUR when absent), a source, costs per
    channel and per product; the products by any product key."""
    submission = loads(document(costs=COSTS), form="json")
    table = submission.costs
    assert table is not None
    assert (table.currency, table.origin) == ("EUR", "data")
    assert table.cost(Channel.BALIE, UPL + "paspoort") == 25.0
    ds = submission.dataset()
    assert ds.cost_table == table
    assert list(ds.cost[0, :2]) == [25.0, 6.0]
    again = loads(dumps(submission), form="json")
    assert again == submission


@pytest.mark.parametrize(
    ("costs", "pointer"),
    [
        ({**COSTS, "channels": {"balie": -1}}, "/costs/channels/balie"),
        ({**COSTS, "channels": {"fax": 1}}, "/costs/channels/fax"),
        ({**COSTS, "channels": {"balie": 1e7}}, "/costs/channels/balie"),
        ({**COSTS, "currency": "USD"}, "/costs/currency"),
        ({"channels": {"balie": 1}}, "/costs/source"),
        ({**COSTS, "products": {"paspoortt": {"balie": 1}}}, "/costs/products/paspoortt"),
        ({**COSTS, "rate": 1}, "/costs"),
    ],
)
def test_chn_7_a_bad_cost_table_is_a_problem(costs: dict[str, Any], pointer: str) -> None:
    """CHN-7: any other value, a channel or a product that does not exist, and a table
    without a source MUST be rejected with an error that names the field and the value."""
    with pytest.raises(InputError) as caught:
        loads(document(costs=costs), form="json", name="c.json")
    problems = caught.value.problems
    assert len(problems) == 1
    assert problems[0].location == pointer
    assert problems[0].source == "c.json"


def test_chn_8_the_data_costs_come_before_the_profiles() -> None:
    """CHN-8: the cost table of a computation is, in this order: the table the data states;
    else the profile's costs; else the defaults of CHN-5."""
    import attrs

    profile_table = loads_costs('source = "p"\n[channels]\nbalie = 1\n', form="toml")
    profile = attrs.evolve(standard_profile(), costs=profile_table)
    stated = loads(document(costs=COSTS), form="json").dataset()
    bare = loads(document(), form="json").dataset()
    assert profile.costed(stated).cost_table.origin == "data"
    assert profile.costed(bare).cost_table.origin == "profile"
    assert standard_profile().costed(bare).cost_table.origin == "default"


def test_a_cost_file_is_read_and_checked(tmp_path: Path) -> None:
    """CHN-7: a cost file holds one cost table, TOML or JSON, every problem at once."""
    path = tmp_path / "costs.json"
    path.write_text(json.dumps({"format": "digimaat-costs", **COSTS}), encoding="utf-8")
    assert load_costs(path).cost(Channel.BALIE, UPL + "paspoort") == 25.0
    path.write_text(json.dumps({"format": "other", **COSTS}), encoding="utf-8")
    with pytest.raises(InputError, match="not a cost file"):
        load_costs(path)


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out, err), out.getvalue(), err.getvalue()


def test_chn_8_next_by_cost_names_its_cost_table_first(tmp_path: Path) -> None:
    """CHN-8: a result computed with the defaults MUST say so before any number; every
    result that uses costs MUST say which table it used."""
    data = tmp_path / "data.json"
    data.write_text(document(), encoding="utf-8")
    code, out, err = run("next", str(data), "--municipality", "GM0622", "--by", "cost")
    assert code == 0, err
    assert out.startswith("No costs were given")
    assert "GBP" in out.split("\n\n")[0]
    costs = tmp_path / "costs.toml"
    costs.write_text('source = "Begroting 2024"\n[channels]\nbalie = 12.5\ntelefoon = 6\n')
    code, out, err = run(
        "next", str(data), "--municipality", "GM0622", "--by", "cost", "--costs", str(costs)
    )
    assert code == 0, err
    assert out.startswith("Costs: EUR per contact, from the data: Begroting 2024.")
    code, out, _ = run(
        "next",
        str(data),
        "--municipality",
        "GM0622",
        "--by",
        "cost",
        "--format",
        "json",
        "--costs",
        str(costs),
    )
    assert json.loads(out)["costs"]["origin"] == "data"
