"""The command line: exit codes, stable JSON output, 80-column tables, errors without tracebacks."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from digimaat._version import SPEC_VERSION, __version__
from digimaat.cli import main
from digimaat.measurement.profiles import BUILTIN_PROFILES, builtin_profile

EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "digimaat" / "data" / "example.json"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_version_names_package_and_specification() -> None:
    code, printed, _ = run("--version")
    assert code == 0
    assert __version__ in printed
    assert SPEC_VERSION in printed


@pytest.mark.parametrize(
    "command",
    [
        "score",
        "explain",
        "next",
        "compare",
        "validate",
        "catalogue",
        "profiles",
        "example",
        "import",
        "template",
        "trend",
        "report",
        "conformance",
    ],
)
def test_every_subcommand_has_help(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert "usage: digimaat " + command in out


def test_the_program_exits_with_the_command_s_code() -> None:
    """``python -m digimaat`` (and the ``digimaat`` script, both :func:`digimaat.cli.run`)
    writes what :func:`main` writes and exits with its code."""
    python = [sys.executable, "-m", "digimaat"]
    done = subprocess.run([*python, "score", str(EXAMPLE)], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == run("score", str(EXAMPLE))[1]
    done = subprocess.run([*python, "frobnicate"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "invalid choice" in done.stderr


@pytest.mark.parametrize(("given", "used"), [(None, "1"), ("3", "3")])
def test_the_program_runs_blas_in_one_thread_unless_told(given: str | None, used: str) -> None:
    """The program sets ``OPENBLAS_NUM_THREADS`` to 1 before numpy is imported, where it is
    not set; a value given is kept."""
    import os

    code = (
        "import atexit, os, sys\n"
        "atexit.register(lambda: print('threads', os.environ.get('OPENBLAS_NUM_THREADS')))\n"
        "sys.argv = ['digimaat', '--version']\n"
        "from digimaat.cli import run\n"
        "assert 'numpy' not in sys.modules\n"
        "run()\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == f"threads {used}"


def test_main_leaves_the_garbage_collector_as_it_was() -> None:
    """The command line pauses Python's garbage collector while it starts and freezes what
    it imported; a program that calls :func:`main` finds the collector as it left it."""
    import gc

    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    assert run("score", str(EXAMPLE))[0] == 0
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
    gc.disable()
    try:
        assert run("score", str(EXAMPLE))[0] == 0
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_usage_errors_exit_2() -> None:
    """A usage error exits 2 with the usage on the error stream given, nothing else."""
    code, out, err = run()
    assert (code, out) == (2, "")
    assert err.startswith("usage: digimaat")
    assert run("score")[0] == 2  # FILE is required
    assert run("frobnicate")[0] == 2
    assert run("next", str(EXAMPLE), "--municipality", "GM0622", "--limit", "0")[0] == 2


def test_score_table_fits_80_columns() -> None:
    code, out, err = run("score", str(EXAMPLE))
    assert code == 0, err
    assert max(len(line) for line in out.splitlines()) <= 80
    for name in ("Maassluis", "Schiedam", "Vlaardingen"):
        assert name in out


@pytest.mark.parametrize(
    "argv",
    [
        ("compare", str(EXAMPLE)),
        ("explain", str(EXAMPLE), "--municipality", "GM0622"),
        ("next", str(EXAMPLE), "--municipality", "GM0556"),
        ("catalogue", "vergunning"),
        ("profiles", "digimaat-standard"),
        ("example",),
    ],
)
def test_tables_fit_80_columns(argv: tuple[str, ...]) -> None:
    code, out, err = run(*argv)
    assert code == 0, err
    assert out.strip()
    # A URI on a line of its own is not cut: it would no longer be the URI.
    too_wide = [line for line in out.splitlines() if len(line) > 80 and " " in line.strip()]
    assert not too_wide


def test_score_json_is_the_documented_envelope() -> None:
    code, out, _ = run("score", str(EXAMPLE), "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["format"] == "digimaat-output"
    assert data["kind"] == "scores"
    assert data["spec_version"] == SPEC_VERSION
    assert data["package_version"] == __version__
    assert data["profile"]["fingerprint"] == builtin_profile("digimaat-standard").fingerprint
    codes = [card["municipality"] for card in data["cards"]]
    assert codes == sorted(codes) == ["GM0556", "GM0606", "GM0622"]
    for card in data["cards"]:
        assert set(card) == {
            "municipality",
            "name",
            "population",
            "size_class",
            "headline",
            "score",
            "values",
            "coverage",
        }
        assert card["score"] == card["values"][card["headline"]]
        for value in card["values"].values():
            assert value is None or 0.0 <= value <= 1.0


def test_score_json_equals_the_library() -> None:
    """The command line prints what the library computes, at full precision."""
    from digimaat.exchange import load
    from digimaat.measurement.dataset import Dataset

    submission = load(EXAMPLE)
    ds = Dataset.from_offerings(
        submission.offerings, submission.municipalities, submission.catalogue
    )
    board = builtin_profile("digimaat-volume").score(ds)
    _, out, _ = run("score", str(EXAMPLE), "--profile", "digimaat-volume", "--format", "json")
    for card in json.loads(out)["cards"]:
        assert card["values"] == board.card(card["municipality"]).values


def test_score_csv_has_a_row_per_municipality() -> None:
    code, out, _ = run("score", str(EXAMPLE), "--format", "csv")
    lines = out.strip().splitlines()
    assert code == 0
    assert lines[0].startswith("municipality,name,size_class,profile,fingerprint,score,")
    assert len(lines) == 4
    fingerprint = builtin_profile("digimaat-standard").fingerprint
    assert all(f",digimaat-standard,{fingerprint}," in line for line in lines[1:])


def test_explain_contributions_add_up_to_the_score() -> None:
    code, out, _ = run("explain", str(EXAMPLE), "--municipality", "GM0622", "--format", "json")
    data = json.loads(out)
    assert code == 0
    total = sum(item["contribution"] for item in data["contributions"])
    assert total == pytest.approx(data["value"], abs=1e-12)


def test_next_ranks_by_gain() -> None:
    code, out, _ = run("next", str(EXAMPLE), "--municipality", "GM0556", "--format", "json")
    gains = [p["gain"] for p in json.loads(out)["priorities"]]
    assert code == 0
    assert gains
    assert gains == sorted(gains, reverse=True)
    assert all(g > 0 for g in gains)


def test_profiles_lists_every_builtin_profile() -> None:
    code, out, _ = run("profiles", "--format", "json")
    names = [p["name"] for p in json.loads(out)["profiles"]]
    assert code == 0
    assert names == list(BUILTIN_PROFILES)


def test_a_profile_file_gives_the_same_fingerprint(tmp_path: Path) -> None:
    from digimaat.exchange.profiles import dumps_profile

    written = dumps_profile(builtin_profile("mdd-product"))
    path = tmp_path / "mine.json"
    # A profile file needs a name of its own (PRF-3); the name is not part of the fingerprint.
    path.write_text(written.replace('"mdd-product"', '"my-mdd"', 1), encoding="utf-8")
    code, out, _ = run("score", str(EXAMPLE), "--profile", str(path), "--format", "json")
    assert code == 0
    assert json.loads(out)["profile"]["fingerprint"] == builtin_profile("mdd-product").fingerprint
    path.write_text(written, encoding="utf-8")
    code, out, err = run("score", str(EXAMPLE), "--profile", str(path))
    assert (code, out) == (2, "")
    assert "mine.json:/name" in err


def test_validate_ok_exits_0() -> None:
    code, out, _ = run("validate", str(EXAMPLE))
    assert code == 0
    assert out.splitlines()[2].split()[1:] == ["ok", "3", "20", "0"]
    code, out, _ = run("validate", str(EXAMPLE), "--format", "json")
    assert code == 0
    assert json.loads(out)["kind"] == "validation"


def test_validate_reports_all_problems_of_all_files_and_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace('"GM0622"', '"GM62"', 1), encoding="utf-8"
    )
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    code, out, _ = run("validate", str(bad), str(empty))
    assert code == 1
    assert "bad.json" in out
    assert "cbs_code" in out
    assert "'GM62'" in out
    assert "empty.csv" in out


@pytest.mark.parametrize(
    "content",
    ["{not json", '{"format": "digimaat-offerings"}', "[]", "\u00ff\u00fe"],
)
def test_bad_input_exits_2_with_the_file_named_and_no_partial_result(
    tmp_path: Path, content: str
) -> None:
    path = tmp_path / "input.json"
    path.write_text(content, encoding="latin-1" if content.startswith("\u00ff") else "utf-8")
    code, out, err = run("score", str(path))
    assert code == 2
    assert out == ""
    assert "input.json" in err
    assert "Traceback" not in err


def test_unknown_municipality_and_profile_exit_2() -> None:
    code, out, err = run("explain", str(EXAMPLE), "--municipality", "GM9999")
    assert (code, out) == (2, "")
    assert "GM9999" in err
    code, out, err = run("score", str(EXAMPLE), "--profile", "no-such-profile")
    assert (code, out) == (2, "")
    assert "no-such-profile" in err


def test_python_dash_m_runs_the_command_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "digimaat", "profiles"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    assert "digimaat-standard" in result.stdout


@pytest.mark.parametrize(
    ("words", "key", "via", "matched"),
    [
        (["paspoort"], "paspoort", "name", "exact: name"),
        (["id-kaart"], "identiteitskaart", "ambiguous name", 'exact (9, ambiguous): "ID-kaart"'),
        (["verhuizing"], "verhuismelding", "synonym", 'exact (151): "Verhuizing"'),
        (["parkeren"], "parkeervergunning", "ambiguous name", 'exact (7, ambiguous): "Parkeren"'),
        (["verhuizing", "doorgeven"], "verhuismelding", "synonym", None),
    ],
)
def test_catalogue_finds_products_by_the_names_people_use(
    words: list[str], key: str, via: str, matched: str | None
) -> None:
    """PRD-7.4: ``digimaat catalogue WORDS`` ranks by name, synonym and key and shows the
    key of each product and what matched; JSON and CSV also its name and URI."""
    code, out, err = run("catalogue", *words)
    assert code == 0, err
    first = out.splitlines()[2]
    assert first.split()[0] == key
    if matched is not None:  # shortened with "…" where 80 columns are not enough
        shown = first.split("  ")[-1]
        assert matched.startswith(shown.removesuffix("…"))
        assert len(shown) >= min(len(matched), 20)
    assert max(len(line) for line in out.splitlines()) <= 80
    data = json.loads(run("catalogue", *words, "--format", "json")[1])
    top = data["products"][0]
    assert (top["key"], top["match"], top["matched_via"]) == (key, "exact", via)
    assert top["uri"] == f"http://standaarden.overheid.nl/owms/terms/{key}"


def test_catalogue_without_words_lists_every_product() -> None:
    code, out, _ = run("catalogue", "--format", "csv")
    rows = out.strip().splitlines()
    assert code == 0
    assert rows[0] == (
        "uri,key,name,required_assurance,reference_target,match,matched_via,matched_text,"
        "municipalities"
    )
    assert len(rows) == 513


# -- Output safe in a terminal and a spreadsheet (XCH-17, SEC-6) ---------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _report(texts: list[str]) -> Any:
    from digimaat.analysis.tables import Column, Report, Table

    columns = (
        Column("name", "name", "text"),
        Column("code", "code\x1b[2J", "code"),
        Column("share", "share", "share"),
        Column("number", "number", "number"),
        Column("count", "count", "integer"),
    )
    rows = tuple((t, t, -0.25, -1234.5, -3) for t in texts)
    return Report("test", title="title \x1b[31m", tables=(Table("t", columns, rows),))


@pytest.mark.property
@given(st.lists(st.text(max_size=8), min_size=1, max_size=5))
def test_a_terminal_never_receives_a_control_character(texts: list[str]) -> None:
    """XCH-17: Text written to a terminal MUST have every control character, bidirectional
    override and other character a terminal could act on escaped."""
    from digimaat.cli.render import render

    out = io.StringIO()
    render(_report(texts), "table", out)
    written = out.getvalue()
    assert all(c.isprintable() or c == "\n" for c in written), repr(written)


@pytest.mark.property
@given(st.lists(st.text(max_size=8), min_size=1, max_size=5), st.booleans())
def test_a_spreadsheet_never_runs_a_cell_and_numbers_stay_numbers(
    texts: list[str], dutch: bool
) -> None:
    """XCH-17: A CSV file of results MUST neutralise every text cell that a spreadsheet would
    run as a formula: a cell that starts with =, +, -, @, a tab or a carriage return is
    written with a ' before it, while numbers are written as numbers (also negative ones,
    in the CSV for a Dutch spreadsheet too)."""
    import csv

    from digimaat.cli.render import render

    out = io.StringIO()
    render(_report(texts), "csv-nl" if dutch else "csv", out)
    rows = list(
        csv.reader(
            io.StringIO(out.getvalue().lstrip("\ufeff"), newline=""),
            delimiter=";" if dutch else ",",
        )
    )
    header, body = rows[0], rows[1:]
    assert not any(cell.startswith(FORMULA_STARTS) for cell in header)
    assert len(body) == len(texts)
    for text, (name, code, share, number, count) in zip(texts, body, strict=True):
        for cell in (name, code):
            assert not cell.startswith(FORMULA_STARTS)
            assert cell == ("'" + text if text.startswith(FORMULA_STARTS) else text)
        assert (share, number, count) == (
            ("-25,0", "-1234,5", "-3") if dutch else ("-0.25", "-1234.5", "-3")
        )


@pytest.mark.parametrize("form", ["csv", "csv-nl"])
def test_every_csv_command_output_is_safe_in_a_spreadsheet(form: str) -> None:
    """XCH-17, SEC-6: every command that writes CSV writes it through the one renderer."""
    import csv

    for argv in (
        ("score", str(EXAMPLE)),
        ("explain", str(EXAMPLE), "--municipality", "GM0622"),
        ("next", str(EXAMPLE), "--municipality", "GM0622"),
        ("catalogue", "paspoort"),
    ):
        code, out, _ = run(*argv, "--format", form)
        assert code == 0
        cells = [
            c
            for row in csv.reader(
                io.StringIO(out.lstrip("\ufeff")), delimiter=";" if form == "csv-nl" else ","
            )
            for c in row
        ]
        for cell in cells:
            if cell.startswith(FORMULA_STARTS):
                float(cell.replace(",", "."))  # only a (negative) number may start so


# -- Exit codes: 0 success, 1 findings, 2 bad input or usage, 3 internal error -----------


def test_exit_code_0_is_success() -> None:
    """Exit 0: the command did what was asked; its result is on the output stream."""
    code, out, err = run("score", str(EXAMPLE))
    assert (code, err) == (0, "")
    assert "GM0622" in out


def test_exit_code_1_is_findings(tmp_path: Path) -> None:
    """Exit 1: ``validate`` found problems; they are its result, on the output stream."""
    bad = tmp_path / "bad.json"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace('"GM0622"', '"GM622"'), "utf-8")
    code, out, err = run("validate", str(bad))
    assert (code, err) == (1, "")
    assert "GM622" in out


@pytest.mark.parametrize(
    "argv",
    [
        ("score", "{missing}"),
        ("score", "{bad}"),
        ("score", "{bad}", "--format", "json"),
        ("explain", str(EXAMPLE), "--municipality", "GM9999"),
        ("score", str(EXAMPLE), "--profile", "no-such-profile"),
        ("score", str(EXAMPLE), "--max-bytes", "10"),
        ("score", str(EXAMPLE), "--frobnicate"),
        ("score",),
    ],
)
def test_exit_code_2_is_bad_input_or_usage(tmp_path: Path, argv: tuple[str, ...]) -> None:
    """Exit 2: the input or the usage is wrong. The error says what, without a traceback,
    and nothing is written to the output stream: no partial result."""
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00garbage")
    names = {"missing": str(tmp_path / "missing.json"), "bad": str(bad)}
    code, out, err = run(*(a.format(**names) for a in argv))
    assert (code, out) == (2, "")
    assert err
    assert "Traceback" not in err


def _broken(monkeypatch: pytest.MonkeyPatch, exc: Exception) -> None:
    from digimaat.cli import commands

    def fail(args: Any) -> Any:
        raise exc

    monkeypatch.setattr(commands, "score", fail)


@pytest.mark.parametrize(
    "exc", [KeyError("x"), TypeError("line one\nline two"), RecursionError(), ZeroDivisionError()]
)
def test_exit_code_3_is_an_internal_error_in_one_line(
    monkeypatch: pytest.MonkeyPatch, exc: Exception
) -> None:
    """Exit 3: an internal error (a bug), printed as one line that says so and how to see
    more (``--debug``); never a traceback by default, never a partial result."""
    _broken(monkeypatch, exc)
    code, out, err = run("score", str(EXAMPLE))
    assert (code, out) == (3, "")
    assert err.count("\n") == 1
    assert err.endswith("\n")
    assert all(word in err for word in ("internal error", "--debug", type(exc).__name__))
    assert "Traceback" not in err


def test_debug_shows_the_traceback_of_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--debug`` prints the traceback of an internal error; the exit code stays 3."""
    _broken(monkeypatch, KeyError("the bug"))
    code, out, err = run("--debug", "score", str(EXAMPLE))
    assert (code, out) == (3, "")
    assert err.startswith("Traceback (most recent call last):")
    assert "KeyError: 'the bug'" in err


def test_no_traceback_from_the_installed_command(tmp_path: Path) -> None:
    """Whole process, as a user runs it: bad input exits 2 with one line per problem and no
    traceback."""
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "digimaat", "score", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert "Traceback" not in done.stderr
    assert "bad.json" in done.stderr


# -- next: what each step takes (EXP-3) --------------------------------------------------------


def test_next_says_what_each_step_takes() -> None:
    """EXP-3: each step lists the capabilities still missing and the change of authentication
    its gain includes; JSON holds both for programs."""
    code, out, _ = run("next", str(EXAMPLE), "--municipality", "GM0556")
    assert code == 0
    steps = out.split("What each step takes; the gain includes the change of authentication:")
    assert len(steps) == 2
    assert " 5. verhuismelding: add prefilled; authentication digid low → digid substantial" in out
    assert max(len(line) for line in out.splitlines()) <= 80
    code, out, _ = run("next", str(EXAMPLE), "--municipality", "GM0556", "--format", "json")
    moving = next(p for p in json.loads(out)["priorities"] if p["name"] == "verhuismelding")
    assert (moving["missing"], moving["authentication"], moving["asks"]) == (
        ["prefilled"],
        "digid low",
        "digid substantial",
    )


# -- compare: -m/--metric and --top -----------------------------------------------------------

BASELINE = EXAMPLE.parent / "sc-baseline-2023-10-18.json.xz"


def test_compare_fits_a_screen_for_a_national_file() -> None:
    """The default table of a national file is one row per municipality, 20 of them, best
    first, within 80 columns; JSON and CSV hold every municipality."""
    code, out, err = run("compare", str(BASELINE), "--profile", "sc-online")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) <= 35
    assert max(len(line) for line in lines) <= 80
    assert "The first 20 of 342 municipalities by online-submission" in " ".join(lines)
    ranks = [int(line.split()[0]) for line in lines[5:25]]
    assert ranks == sorted(ranks)
    code, out, _ = run("compare", str(BASELINE), "--profile", "sc-online", "--format", "json")
    assert len(json.loads(out)["municipalities"]) == 342


def test_compare_orders_by_the_first_metric_and_shows_the_top() -> None:
    """-m/--metric chooses the metrics and the order, --top how many."""
    code, out, _ = run(
        "compare",
        str(EXAMPLE),
        "-m",
        "attainment",
        "fully-online",
        "--top",
        "2",
        "--format",
        "json",
    )
    assert code == 0
    document = json.loads(out)
    assert document["metrics"] == ["attainment", "fully-online"]
    shown = [m["values"]["attainment"] for m in document["municipalities"]]
    assert len(shown) == 2
    assert shown == sorted(shown, reverse=True)
    code, out, _ = run("compare", str(EXAMPLE), "--metric", "authentication-barrier")
    assert code == 0
    rows = [line.split() for line in out.splitlines()[5:8]]
    assert [r[1] for r in rows][-1] == "GM0556"  # lower is better: the highest barrier last
    code, _, err = run("compare", str(EXAMPLE), "-m", "nope")
    assert code == 2
    assert "nope is not a metric of the profile" in err


# -- template (XCH-18) --------------------------------------------------------------------------


def test_template_writes_csv_to_standard_output_and_a_workbook_to_a_file(
    tmp_path: Path,
) -> None:
    """``digimaat template``: CSV to standard output, as the library writes it; a workbook
    needs -o; what it writes reads back."""
    from digimaat.exchange import load
    from digimaat.exchange.template import template

    code, out, _ = run("template", "--lang", "nl")
    assert code == 0
    assert out == template(lang="nl", form="csv").decode("utf-8")
    code, out, _ = run("--lang", "nl", "template", "--format", "csv")
    assert out == template(lang="nl", form="csv").decode("utf-8")
    code, _, err = run("template", "--format", "xlsx")
    assert code == 2
    assert "-o FILE.xlsx" in err
    target = tmp_path / "aanbod.xlsx"
    code, out, _ = run("template", "--lang", "nl", "-o", str(target))
    assert code == 0
    assert str(target) in out
    assert len(load(target).offerings) == 1
    code, _, _ = run("validate", str(target), "--sheet", "Aanbod")
    assert code == 0
    code, _, err = run("validate", str(target), "--sheet", "Offerings")
    assert code == 1
