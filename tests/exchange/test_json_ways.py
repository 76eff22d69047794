"""The two ways of the JSON tokenizer, and the dataset of columns and of records (XCH).

A document in the writers' layout is parsed a megabyte at a time; any other document is
read record by record. Both must give the same raw records, so the same submission or the
same problems in the same order; and the dataset built from a submission's columns must
equal the one ``Dataset.from_offerings`` builds from its records. The properties compare
them on generated submissions, on the same documents damaged at random and laid out in
other ways; other tests check that written documents take the fast way.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.exchange import Limits, Submission
from digimaat.exchange.jsonfast import read_fast
from digimaat.exchange.source import text_source
from digimaat.exchange.writers import dumps_json
from digimaat.measurement.dataset import Dataset
from digimaat.vocabulary.channels import Channel, ContactCost
from digimaat.vocabulary.products import Product
from tests.exchange.strategies import PATHS, damaged, json_values, submissions
from tests.exchange.support import (
    BASE,
    CATALOGUE,
    PARKING,
    PASSPORT,
    same_json,
    text,
)


@pytest.mark.property
@given(submissions())
def test_a_written_document_read_as_columns_holds_the_submission(submission: Submission) -> None:
    """XCH-1: A file holds one submission: a reference year, one or more municipalities
    (MUN-1), their offerings (OFF-1), the local products (PRD-6) those offerings use, and
    optionally a free-text source."""
    written = dumps_json(submission)
    assert isinstance(same_json(written), Dataset)
    # ... and a written document without escapes takes the fast way.
    if "\\" not in written and submission.offerings:
        assert read_fast(text_source(written, form="json"), Limits()) is not None


@pytest.mark.property
@given(st.lists(st.tuples(st.sampled_from(PATHS), json_values), min_size=1, max_size=4))
def test_a_damaged_document_gives_the_same_problems(
    changes: list[tuple[tuple[Any, ...], Any]],
) -> None:
    """XCH-2: A reader MUST check the whole file and report every problem it finds
    together, in one error."""
    document = damaged(json.loads(text(BASE)), changes)
    same_json(json.dumps(document))


OFFERING_FIELDS = (
    "municipality",
    "product",
    "status",
    "capabilities",
    "authentication",
    "local_target",
    "local_target_reason",
    "volumes",
    "forms",
    "fee_applies",
    "extra",
)


@pytest.mark.property
@given(
    submissions(),
    st.lists(
        st.tuples(st.integers(0, 20), st.sampled_from(OFFERING_FIELDS), json_values), max_size=3
    ),
)
def test_damaged_offerings_give_the_same_problems(
    submission: Submission, changes: list[tuple[int, str, Any]]
) -> None:
    """XCH-2: Each problem MUST name the file, the location, the field and the offending
    value (where there is one)."""
    document = json.loads(dumps_json(submission))
    for index, field, value in changes:
        if document["offerings"]:
            document["offerings"][index % len(document["offerings"])][field] = value
    same_json(json.dumps(document, ensure_ascii=False))


LAYOUTS = st.fixed_dictionaries(
    {
        "indent": st.sampled_from([None, 0, 2]),
        "separators": st.sampled_from([(", ", ": "), (",", ":"), (" ,  ", " : ")]),
        "ensure_ascii": st.booleans(),
    }
)


@pytest.mark.property
@given(submissions(), LAYOUTS, st.randoms(use_true_random=False))
def test_a_document_laid_out_otherwise_reads_the_same(
    submission: Submission, layout: dict[str, Any], rnd: random.Random
) -> None:
    """XCH-1: The records of a submission are a set: the order in which a file lists
    municipalities, local products, offerings or rows carries no meaning."""
    document = json.loads(dumps_json(submission))
    for key in ("municipalities", "local_products", "offerings"):
        records = document.get(key, [])
        rnd.shuffle(records)
        for k, record in enumerate(records):
            items = list(record.items())
            rnd.shuffle(items)
            records[k] = dict(items)
    same_json(json.dumps(document, **layout))


EDITS = st.sampled_from(
    [
        ('"status": ', '"status": "offered", "status": '),  # a member given twice
        ('"volumes": {', '"volumes": {"web": "1/year", '),  # possibly a channel twice
        ("{", "{ "),
        ("}", " }"),
        (", ", ",\n"),
        ('"offerings": [', '"offerings": [1, '),
        ('"offerings": [', '"offerings": [[], '),
        ('"offerings"', '"offerings": [], "offerings"'),
        ("/year", "/ year"),
        ("/year", " per month"),
        ('"GM', '"gm'),
        ("]", "]]"),
        ('"', "'"),
        ("offered", "off\\u0065red"),
        ("2024", "1e3"),
        ("\n", ""),
        ("\n", "\r\n"),
    ]
)


@pytest.mark.property
@given(submissions(), st.lists(st.tuples(EDITS, st.integers(0, 50)), min_size=1, max_size=3))
def test_an_edited_document_gives_the_same_result(
    submission: Submission, edits: list[tuple[tuple[str, str], int]]
) -> None:
    """XCH-2: A reader MUST NOT return part of a file that has a problem, and MUST NOT fail
    with any error other than its documented error for bad input."""
    written = dumps_json(submission)
    for (old, new), which in edits:
        found = [k for k in range(len(written)) if written.startswith(old, k)]
        if found:
            at = found[which % len(found)]
            written = written[:at] + new + written[at + len(old) :]
    same_json(written)


LOCAL = Product.local("urn:gm0622:product:1", "Parkeren voor mantelzorgers")


def test_local_products_of_a_document_are_products_of_the_dataset() -> None:
    document = {
        **BASE,
        "local_products": [{"uri": LOCAL.uri, "name": LOCAL.name}],
        "offerings": [
            *BASE["offerings"],
            {
                "municipality": "GM0622",
                "product": LOCAL.uri,
                "capabilities": ["information-online"],
            },
        ],
    }
    dataset = same_json(text(document))
    assert isinstance(dataset, Dataset)
    assert LOCAL.uri in dataset.uris
    assert not dataset.products[dataset.uris.index(LOCAL.uri)].reference
    assert dataset.level[dataset.index_of("GM0622"), dataset.uris.index(LOCAL.uri)] == 1


def test_the_products_and_costs_options_are_those_of_from_offerings() -> None:
    document = text(BASE)
    wider = same_json(document, products=[PARKING, PASSPORT, CATALOGUE.products[0].uri])
    assert isinstance(wider, Dataset)
    assert len(wider.uris) == 3
    narrower = same_json(document, products=[PARKING])
    assert isinstance(narrower, list)
    unknown = same_json(document, products=[PARKING, PASSPORT, "urn:nothing"])
    assert isinstance(unknown, list)
    costs = {Channel.BALIE: ContactCost(12.5, "EUR", "a test")}
    priced = same_json(document, costs=costs)
    assert isinstance(priced, Dataset)
    assert (priced.cost[:, list(priced.channels).index(Channel.BALIE)] == 12.5).all()


def test_other_spellings_of_values_are_read_as_columns_too() -> None:
    document = {
        **BASE,
        "source": "offerings",
        "offerings": [
            {
                "municipality": "GM0622",
                "product": "parkeervergunning",
                "authentication": {"means": "digid", "level": "low"},
                "local_target": 4,
                "local_target_reason": "a local rule",
                "volumes": {"web": {"value": 20, "unit": "per month"}, "balie": "3/week"},
            },
            {"municipality": "GM0556", "product": "paspoort", "status": "unknown"},
        ],
    }
    written = text(document)
    dataset = same_json(written)
    assert isinstance(dataset, Dataset)
    assert dataset.volume[dataset.index_of("GM0622"), 0, :].tolist() == [
        3 * 52.17857142857142,
        0.0,
        0.0,
        0.0,
        240.0,
        0.0,
        0.0,
    ]
    del written


@pytest.mark.parametrize("max_depth", [1, 2, 3, 4, 5, 64])
def test_the_nesting_limit_is_that_of_the_record_reader(max_depth: int) -> None:
    """XCH-4: nesting is checked before the content is parsed, whichever reader reads."""
    document = {
        **BASE,
        "offerings": [
            {
                "municipality": "GM0622",
                "product": "paspoort",
                "volumes": {"web": {"value": 3, "unit": "/year"}},
            }
        ],
    }
    result = same_json(text(document), max_depth=max_depth)
    assert isinstance(result, Dataset) == (max_depth >= 5)
