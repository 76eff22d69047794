"""Limits and hostile input of the exchange formats (XCH-2, XCH-4, SEC-4, SEC-5).

Problem storms: a reader keeps at most a limit of problems, the first ones in the order of
the file, and counts the rest without building them. The memory and the time of a storm
of millions of problems are measured in ``tests/test_scale.py``.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat.cli import EXIT_ERROR, EXIT_FINDINGS, main
from digimaat.errors import MAX_PROBLEMS, InputError
from digimaat.exchange import Limits, loads
from tests.exchange.support import CATALOGUE

# -- Problem storms (XCH-2, XCH-4) -------------------------------------------------------

STORM_HEADER = (
    "reference_year,cbs_code,municipality_name,population,population_year,product,status,"
    "fee_applies,volume_web"
)
BAD_CELLS = {"status": "sold-out", "fee_applies": "maybe", "volume_web": "-3/year"}
"""A bad value of three fields; each breaks its own rule (OFF-2, OFF-7, OFF-14)."""


def storm(form: str, rows: int, bad: tuple[str, ...]) -> str:
    """A file whose every offering has a problem in each field of ``bad``."""
    products = [p.uri for p in CATALOGUE]
    if form == "csv":
        lines = [STORM_HEADER]
        for k in range(rows):
            cells = [BAD_CELLS[f] if f in bad else "" for f in BAD_CELLS]
            code = f"GM{k // len(products) + 1:04d}"
            lines.append(f"2024,{code},Gemeente,1000,2021,{products[k % len(products)]},")
            lines[-1] += ",".join(cells)
        return "\n".join(lines) + "\n"
    json_value = {"status": "sold-out", "fee_applies": "maybe", "volumes": {"web": "-3/year"}}
    offerings = []
    for k in range(rows):
        record: dict[str, Any] = {
            "municipality": f"GM{k // len(products) + 1:04d}",
            "product": products[k % len(products)],
        }
        for field in bad:
            key = "volumes" if field == "volume_web" else field
            record[key] = json_value[key]
        offerings.append(record)
    codes = sorted({o["municipality"] for o in offerings})
    return json.dumps(
        {
            "format": "digimaat-offerings",
            "spec_version": "1.0",
            "reference_year": 2024,
            "municipalities": [
                {"cbs_code": c, "name": "Gemeente", "population": 1000, "year": 2021} for c in codes
            ],
            "offerings": offerings,
        },
        indent=1,
    )


def refused(text: str, form: str, limit: int) -> InputError:
    with pytest.raises(InputError) as caught:
        loads(text, form=form, catalogue=CATALOGUE, limits=Limits(max_problems=limit))
    return caught.value


@pytest.mark.property
@given(
    form=st.sampled_from(["json", "csv"]),
    rows=st.integers(1, 40),
    bad=st.lists(st.sampled_from(sorted(BAD_CELLS)), min_size=1, max_size=3, unique=True),
    limit=st.integers(1, 30),
)
def test_beyond_the_limit_problems_are_counted_not_kept(
    form: str, rows: int, bad: list[str], limit: int
) -> None:
    """XCH-2: A reader keeps at most a limit of problems (XCH-4); it MUST count the problems
    beyond it, without keeping them, and say how many there were. The problems kept are the
    first ones in the order of the file, whichever field finds them."""
    text = storm(form, rows, tuple(bad))
    every = refused(text, form, 10**6)
    assert every.more == 0
    assert len(every.problems) == rows * len(bad)
    some = refused(text, form, limit)
    kept = min(limit, rows * len(bad))
    assert len(some.problems) == kept
    assert some.more == rows * len(bad) - kept
    assert some.problems == every.problems[:kept]
    if some.more:
        assert f"({some.more:,} more not shown)" in str(some)


def test_the_default_limit_keeps_a_thousand_problems() -> None:
    """XCH-4: problems kept per read: 1,000 by default; the rest are counted."""
    error = refused(storm("csv", 1500, ("status",)), "csv", MAX_PROBLEMS)
    assert (len(error.problems), error.more) == (1000, 500)
    assert str(error).startswith("1,500 problems found; the first 1,000 are shown (500 more")
    with pytest.raises(InputError) as caught:
        loads(storm("json", 1500, ("status",)), form="json", catalogue=CATALOGUE)
    assert (len(caught.value.problems), caught.value.more) == (1000, 500)


def test_the_command_line_sets_the_limit(tmp_path: Any) -> None:
    """XCH-4: An implementation MAY let its caller set other limits: ``--max-problems``."""
    path = tmp_path / "storm.csv"
    path.write_text(storm("csv", 50, ("status", "fee_applies")), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate", str(path), "--max-problems", "7", "--format", "json"], out, err)
    assert code == EXIT_FINDINGS
    report = json.loads(out.getvalue())
    assert (len(report["problems"]), report["more"], report["findings"]) == (7, 93, 100)
    out = io.StringIO()
    assert main(["validate", str(path), "--max-problems", "7"], out, err) == EXIT_FINDINGS
    assert "100 problems found (93 not shown)" in out.getvalue()
    for bad in ("0", "-1", "many"):
        err = io.StringIO()
        assert main(["validate", str(path), "--max-problems", bad], out, err) == EXIT_ERROR
        assert "--max-problems" in err.getvalue()


def test_a_limit_must_be_a_positive_whole_number() -> None:
    """XCH-4: the limits are positive whole numbers; anything else is refused."""
    from digimaat.errors import InvalidValueError

    for bad in (0, -1, 1.5, True, "10", None):
        with pytest.raises(InvalidValueError, match="max_problems"):
            Limits(max_problems=bad)  # type: ignore[arg-type]


def test_a_header_problem_does_not_hide_the_rows() -> None:
    """XCH-2: A problem in a CSV header does not hide the problems of the rows that can
    still be checked."""
    text = storm("csv", 3, ("status",)).replace("fee_applies", "fee_aplies", 1)
    error = refused(text, "csv", 100)
    fields = [(p.location, p.field) for p in error.problems]
    assert fields[0] == ("row 1, column H", "header")
    assert [f for f in fields if f[1] == "status"] == [
        (f"row {k}, column G", "status") for k in (2, 3, 4)
    ]
