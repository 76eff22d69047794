"""Acceptance test of issue 12: a Dutch spreadsheet written by hand, as a municipality would.

``tests/data/heldback/`` holds a sheet of Delft (GM0503) written the way a municipal
analyst keeps it, first without reading the reader or its documentation, then changed
only where the reader refused a cell; its README lists every change and whether the way
out was documented. The test checks the issue's "Done when": the sheet scores, the
workbook and its Dutch CSV export give the same submission, and every rejection names
the cell and suggests the fix. The values asserted below are worked out by hand from the
specification, clause by clause, not taken from the program's output. What a
municipality could not fix, or should not have had to, is an expected failure (strict),
with the reason.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import openpyxl
import pytest

from digimaat.cli import main
from digimaat.errors import InputError, Problem
from digimaat.exchange import Submission, load, loads
from digimaat.measurement.aggregation import AGREEMENT_TOLERANCE
from digimaat.measurement.dataset import Dataset
from digimaat.measurement.profiles import builtin_profile
from digimaat.vocabulary.assurance import AssuranceLevel
from digimaat.vocabulary.maturity import Capability, MaturityLevel
from digimaat.vocabulary.products import UPL_NAMESPACE

DATA = Path(__file__).parent / "data" / "heldback"
WORKBOOK = DATA / "delft-2024.xlsx"
CSV = DATA / "delft-2024.csv"
AS_WRITTEN = DATA / "delft-2024-zoals-geschreven.xlsx"
BROKEN = (DATA / "delft-2024-fouten.xlsx", DATA / "delft-2024-fouten.csv")


def _script() -> ModuleType:
    """The script that writes the sheets; its tables are the sheet's content."""
    spec = importlib.util.spec_from_file_location("make_workbook", DATA / "make_workbook.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SHEET = _script()


def column(header: str, headers: list[str] | None = None) -> str:
    """The spreadsheet letter of a column of the adapted sheet (or of ``headers``)."""
    index = (SHEET.HEADERS if headers is None else headers).index(header)
    return chr(ord("A") + index)


def row_of(product: str) -> int:
    """The spreadsheet row of an offering, by its product as first written."""
    return 2 + [offering[0] for offering in SHEET.OFFERINGS].index(product)


def agrees(value: float | None, by_hand: float) -> bool:
    """A computed value agrees with a hand calculation (AGG-8)."""
    return value is not None and abs(value - by_hand) <= AGREEMENT_TOLERANCE


def problems_of(path: Path) -> list[Problem]:
    """The problems a reader reports for a file, which must have some."""
    with pytest.raises(InputError) as caught:
        load(path)
    return list(caught.value.problems)


CELL = re.compile(r"^row [1-9][0-9]*, column [A-Z]+$")


def suggests_a_fix(problem: Problem) -> bool:
    """Whether a problem says how to fix it: a suggestion, or the values it accepts.

    A pointer to the specification's list of columns ("see the columns of the sheet in the
    specification") is not a fix for a Dutch sheet: that list holds neither the Dutch
    columns the reader accepts nor its tick columns.
    """
    suggestion = problem.suggestion or ""
    if suggestion and not suggestion.startswith("see "):
        return True
    return "expected one of" in problem.message or "must be true or false" in problem.message


# --- The files ------------------------------------------------------------------------


def cells(path: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Every sheet of a workbook with its cell values, as a spreadsheet program shows them."""
    book = openpyxl.load_workbook(path)
    try:
        return [(sheet.title, list(sheet.iter_rows(values_only=True))) for sheet in book]
    finally:
        book.close()


def test_the_files_are_what_the_script_writes(tmp_path: Path) -> None:
    """The committed sheets are what ``make_workbook.py`` writes: each CSV byte for byte,
    each workbook cell for cell (its bytes depend on the versions of openpyxl and zlib)."""
    assert SHEET.main([str(tmp_path)]) == 0
    written = sorted(path.name for path in tmp_path.iterdir())
    committed = sorted(path.name for path in DATA.iterdir() if path.suffix in {".xlsx", ".csv"})
    assert written == committed
    for name in written:
        if name.endswith(".csv"):
            assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name
        else:
            assert cells(tmp_path / name) == cells(DATA / name), name
    assert [title for title, _ in cells(WORKBOOK)] == ["Producten", "Toelichting"]


def test_the_csv_is_a_dutch_excel_export() -> None:
    """XCH-12: ``;``, a decimal comma, ``.`` between thousands, a byte order mark, CRLF."""
    raw = CSV.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    lines = raw[3:].split(b"\r\n")
    assert lines[-1] == b""
    assert all(b"\n" not in line for line in lines)
    assert len(lines) == 1 + len(SHEET.OFFERINGS) + 1
    text = raw.decode("utf-8-sig")
    assert text.startswith("Gemeentecode;Gemeente;Inwoners;")
    for cell in ("109.577", "1.000 per jaar", "25 per maand", "37,5 per maand"):
        assert f";{cell};" in text, cell


# --- The adapted sheet loads and scores ----------------------------------------------


@pytest.fixture(scope="module")
def workbook() -> Submission:
    return load(WORKBOOK)


@pytest.fixture(scope="module")
def exported() -> Submission:
    return load(CSV)


def test_workbook_and_csv_export_give_the_same_submission(
    workbook: Submission, exported: Submission
) -> None:
    """XCH-14: a workbook and its CSV export hold the same records."""
    assert workbook == exported
    assert load(WORKBOOK, sheet="Producten") == workbook  # the first sheet, by its name


@pytest.mark.parametrize("path", [WORKBOOK, CSV], ids=["xlsx", "csv"])
def test_digimaat_score_exits_0(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``digimaat score`` reads the sheet as sent and prints the hand-computed headline."""
    assert main(["validate", str(path)]) == 0
    assert main(["score", str(path)]) == 0
    assert "GM0503" in capsys.readouterr().out
    assert main(["score", str(path), "--format", "json"]) == 0
    (card,) = json.loads(capsys.readouterr().out)["cards"]
    assert card["municipality"] == "GM0503"
    assert agrees(card["score"], 1753 / 3360)


def offering(submission: Submission, key: str) -> Any:
    """The offering of a product of the UPL, by its key, or of the local product."""
    uri = key if key.startswith(("https://", "urn:")) else UPL_NAMESPACE + key
    (found,) = [o for o in submission.offerings if o.product == uri]
    return found


def test_the_municipality_and_its_offerings(workbook: Submission) -> None:
    """MUN-1, OFF-2: one municipality, 17 rows, 15 offered, one not offered, one n/a."""
    (delft,) = workbook.municipalities
    assert (delft.cbs_code, delft.name, delft.population, delft.year) == (
        "GM0503",
        "Delft",
        109577,
        2024,
    )
    assert workbook.reference_year == 2024
    assert len(workbook.offerings) == len(SHEET.OFFERINGS) == 17
    statuses = sorted(o.status.value for o in workbook.offerings)
    assert statuses == ["not-applicable", "not-offered"] + ["offered"] * 15
    assert offering(workbook, "woonwagenstandplaats").status.value == "not-offered"
    assert offering(workbook, "havengeld").status.value == "not-applicable"


def test_volumes_in_dutch_units(workbook: Submission) -> None:
    """XCH-9: '25 per maand' is 25 x 12 = 300 a year, '37,5 per maand' 450, '1.000 per
    jaar' one thousand; each channel keeps its own unit."""
    assert offering(workbook, "verhuismelding").volumes.per_year() == {
        "balie": 300.0,
        "web": 9500.0,
    }
    assert offering(workbook, "terrasvergunning").volumes.per_year() == {"web": 450.0}
    assert offering(workbook, "parkeervergunning").volumes.per_year() == {"web": 1000.0}
    assert offering(workbook, "paspoort").volumes.per_year() == {"balie": 8500.0}
    assert offering(workbook, "bijzBijstUitk").volumes.per_year() == {
        "balie": 240.0,
        "web": 1800.0,
    }


def test_the_notes_are_kept(workbook: Submission) -> None:
    """OFF-17: the column "Opmerkingen" is kept with each offering, as written."""
    written = {notes for *_, notes in SHEET.OFFERINGS if notes}
    kept = {o.notes for o in workbook.offerings if o.notes}
    assert kept == written
    assert len(kept) == 16  # every row but the housing permit's has a note


def test_two_means_ask_the_lower_level(workbook: Submission) -> None:
    """LOA-4.2, LOA-7.1: "DigiD Midden / eHerkenning EH3" accepts both; DigiD Midden is
    low and EH3 substantial (LOA-4), so the offering asks low, the weaker way in."""
    events = offering(workbook, "evenementenvergunning")
    assert events.authentication.level is AssuranceLevel.LOW
    assert events.authentication.name == "digid low / eherkenning substantial"


# The levels by hand (MAT-3: the highest rung whose gates, and all below, are complete;
# MAT-2: online submission implies a form; MAT-4: no payment needed where no fee applies,
# per the additions of PRD-4: verhuismelding, geboorteaangifte, bezafspr and the melding
# have no fee; the others, and the products the standard has not assessed, have one).
LEVELS = {
    "paspoort": MaturityLevel.INFORMATION,  # information only
    "identiteitskaart": MaturityLevel.INFORMATION,
    "rijbVerlengen": MaturityLevel.INFORMATION,
    "brpUittr": MaturityLevel.FULLY_ONLINE,  # the whole gate of rung 4, not pre-filled
    "verhuismelding": MaturityLevel.PREFILLED,  # rung 4 and pre-filled
    "parkeervergunning": MaturityLevel.FULLY_ONLINE,
    "evenementenvergunning": MaturityLevel.ONLINE_SUBMISSION,  # no payment, no outcome
    "terrasvergunning": MaturityLevel.FULLY_ONLINE,
    "geboorteaangifte": MaturityLevel.FULLY_ONLINE,
    "bijzBijstUitk": MaturityLevel.ONLINE_SUBMISSION,  # the decision comes by post
    "melding_openbare_ruimte_(algemeen)": MaturityLevel.ONLINE_SUBMISSION,  # no id ticked
    "bezafspr": MaturityLevel.ONLINE_SUBMISSION,  # no identification ticked
    "huisvestingsvergunning": MaturityLevel.FULLY_ONLINE,
    "gehandicaptenparkeerkaart": MaturityLevel.DOWNLOADABLE_FORM,  # a PDF
    SHEET.LOCAL_PRODUCT_URI: MaturityLevel.ONLINE_SUBMISSION,
}


def test_levels_follow_the_ticks(workbook: Submission) -> None:
    """MAT-3: each offered product's level, from the ticks and the capabilities column."""
    catalogue = workbook.catalogue
    levels = {}
    for key in LEVELS:
        o = offering(workbook, key)
        levels[key] = o.level_for(catalogue.get(o.product))
    assert levels == LEVELS


def test_the_local_product_is_defined_in_the_sheet(workbook: Submission) -> None:
    """PRD-6: "Straatfeest melden" is a local product of the submission, with the defaults
    of PRD-5, and counts only in metrics of scope ``all`` (MET-1.1)."""
    (local,) = workbook.local_products
    assert local.uri == SHEET.LOCAL_PRODUCT_URI
    assert local.name == "Straatfeest melden"
    assert local.reference_target is MaturityLevel.FULLY_ONLINE


def test_scores_by_hand(workbook: Submission) -> None:
    """MET-2 to MET-6, MET-8 under ``digimaat-standard`` (equal weights, AGG-3).

    The 14 offered reference products count; the local product only in local attainment.
    Levels (above): three at 1, one at 2, four at 3, five at 4, one at 5.
    - maturity: (3 + 2 + 15 + 16 + 5) / 6 / 14 = 42 / 84 = 1/2;
    - fully online: 6 of 14 = 3/7;
    - attainment, min(level, target) / target: the passport and identity card 1/3 each
      (target online submission), the driving licence 1/4, the BRP extract 4/5 (target
      pre-filled), the change of address 5/5, the disabled parking card 2/4, four at 3/4
      and four at 4/4: 613/60 over 14 = 613/840; with the street party's 3/4 over 15 in
      local attainment (scope all), 658/900;
    - authentication fit (offered, level 3 or more, required level assessed): seven
      products; the parking permit (low), the melding and the appointment (none) fit, the
      BRP extract, the change of address, the birth and the event permit ask low where
      substantial is required: fit 3/7, shortfall 4/7, barrier 0;
    - uptake, the digital share of each product's requests: 0 for the three at the counter
      and the parking card, 1 for the six with only web requests, 3600/4080 = 15/17 and
      1800/2040 = 15/17, 900/1500 = 3/5 and 9500/9800 = 95/98, over 14;
    - the headline, the mean of maturity, attainment, fully online and fit:
      (420 + 613 + 360 + 360) / 840 / 4 = 1753/3360.
    """
    card = builtin_profile("digimaat-standard").score(workbook.dataset()).card("GM0503")
    by_hand = {
        "maturity": 1 / 2,
        "fully-online": 3 / 7,
        "attainment": 613 / 840,
        "local-attainment": 658 / 900,
        "authentication-fit": 3 / 7,
        "authentication-barrier": 0.0,
        "authentication-shortfall": 4 / 7,
        "uptake": (6 + 3 / 5 + 30 / 17 + 95 / 98) / 14,
        "digimaat-score": 1753 / 3360,
    }
    for metric, value in by_hand.items():
        assert agrees(card.values[metric], value), (metric, card.values[metric], value)
    assert card.size_class == 6  # 100,000 to 150,000 inhabitants (MUN-3)


def test_two_means_lower_the_fit(workbook: Submission) -> None:
    """LOA-7.1: had the event permit asked eHerkenning EH3 alone, it would fit its required
    substantial level, and fit would be 4/7, shortfall 3/7."""
    alone = [
        attrs.evolve(o, authentication="eHerkenning EH3")
        if o.product == UPL_NAMESPACE + "evenementenvergunning"
        else o
        for o in workbook.offerings
    ]
    data = Dataset.from_offerings(alone, workbook.municipalities, workbook.catalogue)
    card = builtin_profile("digimaat-standard").score(data).card("GM0503")
    assert agrees(card.values["authentication-fit"], 4 / 7)
    assert agrees(card.values["authentication-shortfall"], 3 / 7)


def test_fully_online_per_request(exported: Submission) -> None:
    """WGT-5, MET-2 under ``digimaat-volume``: requests a year of the fully online products,
    4,080 + 9,800 + 1,000 + 450 + 1,500 + 300 = 17,130, over the 86,415 of all 14 offered
    reference products."""
    card = builtin_profile("digimaat-volume").score(exported.dataset()).card("GM0503")
    assert agrees(card.values["fully-online"], 17130 / 86415)


# --- The broken copy: every problem names its cell and suggests the fix ---------------


def mistake_cells() -> dict[str, tuple[str, str]]:
    """The cell of each typing error of the broken copy: cell -> (column, wrong value)."""
    return {
        f"row {index + 2}, column {column(header)}": (header, value)
        for index, header, value in SHEET.MISTAKES
    }


@pytest.mark.parametrize("path", BROKEN, ids=["xlsx", "csv"])
def test_typing_errors_name_their_cell_and_suggest_a_fix(path: Path) -> None:
    """XCH-2: three typing errors, three problems, each at its cell, with its value and a
    way to fix it."""
    problems = problems_of(path)
    expected = mistake_cells()
    assert {p.location: p.value for p in problems} == {
        cell: value for cell, (_, value) in expected.items()
    }
    for problem in problems:
        assert problem.source is not None
        assert problem.source.endswith(path.name)
        assert suggests_a_fix(problem), problem
    (product,) = [p for p in problems if p.value == "Parkeervergunnig bewoners"]
    assert "parkeervergunning" in (product.suggestion or "")


def test_typing_errors_are_the_same_in_both_forms() -> None:
    """A workbook and its CSV export are checked alike (XCH-2, XCH-12)."""
    xlsx, exported = (problems_of(path) for path in BROKEN)
    assert [(p.location, p.field, p.value, p.clause) for p in xlsx] == [
        (p.location, p.field, p.value, p.clause) for p in exported
    ]


def test_a_misspelt_dutch_status_suggests_the_dutch_word() -> None:
    (status,) = [p for p in problems_of(BROKEN[0]) if p.value == "Aangebonden"]
    assert "aangeboden" in (status.suggestion or "").lower()


# --- The sheet as first written ------------------------------------------------------


def test_the_sheet_as_first_written_scores_without_edits(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Issue 12, "Done when": the sheet as first written scores without edits.

    E13, "Afspraak maken of annuleren", is Delft's local product (XCH-18.9; the test
    below), so the 13 other offered reference products count. By hand, from the levels of
    ``test_scores_by_hand`` without the appointment (online submission, target fully
    online, only web requests, authentication none where none is required):
    - maturity: (42 - 3) / 6 / 13 = 1/2;
    - fully online: 6 of 13;
    - attainment: (613/60 - 3/4) over 13 = 568/780 = 142/195;
    - local attainment (scope all): the appointment's 3/4 moves from the reference to the
      local products, so 658/900 as before;
    - authentication fit: six products, of which the parking permit and the melding fit:
      fit 1/3, shortfall 2/3;
    - uptake: (5 + 3/5 + 30/17 + 95/98) / 13;
    - the headline: (1/2 + 142/195 + 6/13 + 1/3) / 4 = 789/1560.
    """
    assert main(["score", str(AS_WRITTEN), "--format", "json"]) == 0
    (card,) = json.loads(capsys.readouterr().out)["cards"]
    assert agrees(card["score"], 789 / 1560)
    by_hand = {
        "maturity": 1 / 2,
        "fully-online": 6 / 13,
        "attainment": 142 / 195,
        "local-attainment": 658 / 900,
        "authentication-fit": 1 / 3,
        "authentication-shortfall": 2 / 3,
        "uptake": (5 + 3 / 5 + 30 / 17 + 95 / 98) / 13,
    }
    submission = load(AS_WRITTEN)
    found = builtin_profile("digimaat-standard").score(submission.dataset()).card("GM0503")
    for metric, value in by_hand.items():
        assert agrees(found.values[metric], value), (metric, found.values[metric], value)


def test_the_appointment_is_delfts_local_product_by_its_own_records() -> None:
    """XCH-18.9: Delft's own records publish "Afspraak maken of annuleren" and link it to
    the placeholder only (PRD-8.4), so the row names Delft's local product of that title,
    made as a ``local_product`` that says yes makes one (XCH-18.4), beside the street
    party its ``Lokaal product`` column defines."""
    submission = load(AS_WRITTEN)
    locals_ = {p.uri: p for p in submission.local_products}
    appointment = locals_["urn:gm0503:product:afspraak-maken-of-annuleren"]
    assert appointment.name == "Afspraak maken of annuleren"
    assert not appointment.reference
    assert not appointment.assessed
    assert set(locals_) == {appointment.uri, "urn:gm0503:product:straatfeest-melden"}
    (row,) = [o for o in submission.offerings if o.product == appointment.uri]
    assert row.notes == "Geen DigiD nodig."


def test_a_title_delft_does_not_publish_is_refused_with_products_to_check(
    tmp_path: Path,
) -> None:
    """XCH-18.4, XCH-8: a name that no step of PRD-7.2 resolves and that is no unnamed own
    name of Delft is refused at its cell, with the products a search finds for its first
    words ('afspraak maken': bezafspr first) to check, and how to define a local product."""
    path = written_with(
        tmp_path, {("Afspraak maken of annuleren", "Product"): "Afspraak maken of verzetten"}
    )
    (problem,) = problems_of(path)
    assert problem.location == f"row {row_of('Afspraak maken of annuleren')}, column E"
    assert problem.clause == "XCH-8"
    assert problem.suggestion is not None
    assert problem.suggestion.startswith("the catalogue has for 'afspraak maken': 'bezafspr'")
    assert "lokaal product" in problem.suggestion


def written_with(tmp_path: Path, changes: dict[tuple[str, str], object]) -> Path:
    """The workbook as first written, with cells changed: (product, header) -> value."""
    book = openpyxl.load_workbook(AS_WRITTEN)
    sheet = book.worksheets[0]
    for (product, header), value in changes.items():
        sheet.cell(row_of(product), SHEET.AS_WRITTEN_HEADERS.index(header) + 1).value = value
    path = tmp_path / AS_WRITTEN.name
    book.save(path)
    return path


def test_the_first_sheet_answered_as_its_problem_suggests_scores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the key the problem suggests in E13, the sheet as first written scores as the
    adapted sheet does: its Dutch headers, the population's year from the CBS register
    (XCH-18.8) and its local product (XCH-18.4) give the same numbers."""
    path = written_with(tmp_path, {("Afspraak maken of annuleren", "Product"): "bezafspr"})
    assert main(["score", str(path), "--format", "json"]) == 0
    (card,) = json.loads(capsys.readouterr().out)["cards"]
    assert agrees(card["score"], 1753 / 3360)
    submission = load(path)
    (delft,) = submission.municipalities
    assert delft.year == 2024  # 109,577 is CBS's population of Delft on 1 January 2024
    (local,) = submission.local_products
    assert (local.uri, local.name) == (
        "urn:gm0503:product:straatfeest-melden",
        "Straatfeest melden",
    )
    party = offering(submission, local.uri)
    assert party.volumes.per_year() == {"web": 60.0}  # 'Aantal digitaal': the web channel
    # The ticks j n j n n - j n j n of make_workbook.py, "Online aanvragen" (online
    # submission) and "Afhandelbericht" (notification) among them; n.v.t. is yes (MAT-2).
    assert {c.value for c in party.capabilities} == {
        "information-online",
        "online-submission",
        "online-payment",
        "automatic-acknowledgement",
        "electronic-notification",
    }


def test_every_problem_of_the_first_sheet_names_its_cell(first_problems: list[Problem]) -> None:
    """XCH-2: each problem of the sheet as first written is at a row and column."""
    for problem in first_problems:
        assert problem.location is not None, problem
        assert CELL.match(problem.location), problem


# The cells of the sheet as first written that the reader may refuse. A cell the reader
# accepts passes.
HEADERS_WRITTEN = SHEET.AS_WRITTEN_HEADERS


def _written_cells() -> list[str]:
    cells = [f"row 1, column {column(h, HEADERS_WRITTEN)}" for h in HEADERS_WRITTEN]
    cells += [f"row {row_of(product)}, column E" for product, *_ in SHEET.OFFERINGS]
    cells += [
        f"row {row_of(product)}, column {column('Online betalen', HEADERS_WRITTEN)}"
        for product, *_ in SHEET.OFFERINGS
    ]
    cells += [f"row {row_of('Havengeld')}, column F"]
    return cells


@pytest.fixture(scope="module")
def first_problems() -> list[Problem]:
    try:
        load(AS_WRITTEN)
    except InputError as error:
        return list(error.problems)
    return []


@pytest.mark.parametrize("cell", _written_cells())
def test_every_problem_of_the_first_sheet_suggests_a_fix(
    cell: str, first_problems: list[Problem]
) -> None:
    """Issue 12, "Done when": every rejection names the cell and suggests the fix."""
    for problem in first_problems:
        if problem.location == cell:
            assert suggests_a_fix(problem), problem


def test_a_population_the_register_does_not_have_needs_its_year(tmp_path: Path) -> None:
    """XCH-18.8: without a column population_year, a population that is not the CBS
    register's for one year is refused as a missing column, with the register's figures."""
    path = written_with(tmp_path, {(o[0], "Inwoners"): 109000 for o in SHEET.OFFERINGS})
    missing = [p for p in problems_of(path) if p.location == "row 1"]
    assert [p.message for p in missing] == ["lacks the required column population_year"]
    assert "GM0503 (row 2, 109000 written) 106086 in 2023, 109577 in 2024" in (
        missing[0].suggestion or ""
    )


# --- What a municipality writes and should not have to change ------------------------


def with_cell(row: int, header: str, value: str) -> str:
    """The adapted CSV export with one cell as the analyst first wrote it."""
    table = list(csv.reader(io.StringIO(CSV.read_text("utf-8-sig")), delimiter=";"))
    table[row - 1][SHEET.HEADERS.index(header)] = value
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(table)
    return out.getvalue()


# Delft's own titles, each linked to exactly this UPL product in Delft's own Samenwerkende
# Catalogi records (harvest of 2023-10-18).
OWN_TITLES = {
    "Paspoort aanvragen": "paspoort",
    "Uittreksel BRP": "brpUittr",
    "Verhuizing melden": "verhuismelding",
    "Terras plaatsen": "terrasvergunning",
    "Geboorte aangeven": "geboorteaangifte",
    "Melding over de buitenruimte": "melding_openbare_ruimte_(algemeen)",
}


@pytest.mark.parametrize("title", OWN_TITLES)
def test_the_municipalitys_own_titles_name_its_products(title: str) -> None:
    row = row_of(title)
    submission = loads(with_cell(row, "Product", title), form="csv")
    assert offering(submission, OWN_TITLES[title]).status.value == "offered"


def test_nvt_in_a_tick_column_is_a_step_the_procedure_does_not_have() -> None:
    row = row_of("Straatfeest melden")
    submission = loads(with_cell(row, "Online betalen", "n.v.t."), form="csv")
    party = offering(submission, SHEET.LOCAL_PRODUCT_URI)
    assert Capability.ONLINE_PAYMENT in party.capabilities


def test_nvt_as_a_status_is_not_applicable() -> None:
    submission = loads(with_cell(row_of("Havengeld"), "Status", "n.v.t."), form="csv")
    assert offering(submission, "havengeld").status.value == "not-applicable"
