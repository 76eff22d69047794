"""Write the held-back Dutch spreadsheet of Delft, as a municipal analyst keeps it.

The sheet was first written the way an analyst in a Dutch municipality fills it in by
hand (``AS_WRITTEN``): product names as the municipality's own website titles them (its
Samenwerkende Catalogi records of 18 October 2023), Dutch column headers, Dutch status
words, capabilities ticked with "ja", "nee" and "n.v.t.", volumes such as
"1.000 per jaar" and "25 per maand", a notes column, one offering that accepts two
authentication means and one local product that is not in the UPL.

The sheet the tests score (``ADAPTED``) is the same sheet after the changes that the
reader's messages and the documentation ask for, each listed below with its reason
(``HEADER_CHANGES``, ``FOLDED``, ``ADDED``, ``PRODUCT_KEYS``, ``CELL_CHANGES``,
``LOCAL_PRODUCT_URI``); README.md in this folder says which of them are documented.

The CBS code and population are Delft's real figures (CBS, Gebieden in Nederland 2024,
StatLine 85755NED, population on 1 January 2024). The offerings, their capabilities,
authentication and volumes are illustrative.

Run from the repository root to (re)write the files next to this script::

    python tests/data/heldback/make_workbook.py [OUTPUT_DIR]

- ``delft-2024-zoals-geschreven.xlsx``: the workbook as first written, before any change;
- ``delft-2024.xlsx``: the adapted workbook, sheet "Producten" first, "Toelichting" after;
- ``delft-2024.csv``: the same sheet as Dutch Excel saves it ("CSV UTF-8"): separator
  ``;``, decimal comma, thousands dot as displayed, UTF-8 with a byte order mark, CRLF;
- ``delft-2024-fouten.xlsx`` and ``delft-2024-fouten.csv``: the adapted sheet with three
  typing errors (a misspelt product, "1.000 per jaartje", an unknown status word).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook

# The sheet as first written ------------------------------------------------------------

AS_WRITTEN_HEADERS = [
    "Gemeentecode",
    "Gemeente",
    "Inwoners",
    "Peiljaar",
    "Product",
    "Status",
    "Informatie online",
    "Formulier downloaden",
    "Online aanvragen",
    "Digitaal identificeren",
    "Bewijsstukken digitaal",
    "Online betalen",
    "Ontvangstbevestiging",
    "Besluit digitaal",
    "Afhandelbericht",
    "Vooringevuld",
    "Authenticatie",
    "Aantal balie",
    "Aantal digitaal",
    "Lokaal product",
    "Opmerkingen",
]

CODE, NAME, POPULATION, YEAR = "GM0503", "Delft", 109577, 2024

STAMP = datetime.datetime(2024, 3, 1, 9, 0, 0)

TICK = {"j": "ja", "n": "nee", "-": "n.v.t.", " ": ""}

# product, status, ticks (info, form, online, id, evidence, payment, receipt, outcome,
# notification, prefilled), authentication, counter volume, digital volume, local, notes
OFFERINGS = [
    (
        "Paspoort aanvragen",
        "Aangeboden",
        "jnnnnnnnnn",
        "",
        "8.500 per jaar",
        "",
        "",
        "Alleen op afspraak aan de balie: foto en vingerafdrukken worden daar afgenomen.",
    ),
    (
        "Identiteitskaart aanvragen",
        "Aangeboden",
        "jnnnnnnnnn",
        "",
        "9.000 per jaar",
        "",
        "",
        "Zelfde afspraak als voor een paspoort.",
    ),
    (
        "Rijbewijs verlengen",
        "Aangeboden",
        "jnnnnnnnnn",
        "",
        "4.500 per jaar",
        "",
        "",
        "Online verlengen bieden we nog niet aan.",
    ),
    (
        "Uittreksel BRP",
        "Aangeboden",
        "jnjjjjjjjn",
        "DigiD Midden",
        "40 per maand",
        "3.600 per jaar",
        "",
        "Digitaal uittreksel als pdf, betalen met iDEAL.",
    ),
    (
        "Verhuizing melden",
        "Aangeboden",
        "jnjjj-jjjj",
        "DigiD Midden",
        "25 per maand",
        "9.500 per jaar",
        "",
        "Formulier is vooringevuld met het huidige adres uit de BRP; geen kosten.",
    ),
    (
        "Parkeervergunning bewoners",
        "Aangeboden",
        "jnjjjjjjjn",
        "DigiD Midden",
        "",
        "1.000 per jaar",
        "",
        "Via het digitale parkeerloket van Parkeren Delft.",
    ),
    (
        "Evenementenvergunning",
        "Aangeboden",
        "jjjjjnjnnn",
        "DigiD Midden / eHerkenning EH3",
        "",
        "85 per jaar",
        "",
        "Pdf-formulier of e-formulier; organisatoren loggen in met DigiD of eHerkenning. "
        "Leges via factuur.",
    ),
    (
        "Terras plaatsen",
        "Aangeboden",
        "jnjjjjjjjn",
        "eHerkenning EH3",
        "",
        "37,5 per maand",
        "",
        "Gemiddelde over 2023; seizoensterrassen tellen mee.",
    ),
    (
        "Geboorte aangeven",
        "Aangeboden",
        "jnjjj-jjjn",
        "DigiD Midden",
        "600 per jaar",
        "900 per jaar",
        "",
        "Digitaal aangeven kan als het kind in Delft is geboren.",
    ),
    (
        "Bijzondere bijstand aanvragen",
        "Aangeboden",
        "jjjjj-jnnn",
        "DigiD Midden",
        "20 per maand",
        "150 per maand",
        "",
        "Besluit volgt per post.",
    ),
    (
        "Melding over de buitenruimte",
        "Aangeboden",
        "jnjnj-jjjn",
        "Geen",
        "",
        "1.250 per maand",
        "",
        "Melden zonder inloggen; ook telefonisch via 14 015.",
    ),
    (
        "Afspraak maken of annuleren",
        "Aangeboden",
        "jnjnn-jjjn",
        "Geen",
        "",
        "2.500 per maand",
        "",
        "Geen DigiD nodig.",
    ),
    (
        "Huisvestingsvergunning",
        "Aangeboden",
        "jjjjjjjjjn",
        "DigiD Midden",
        "",
        "300 per jaar",
        "",
        "",
    ),
    (
        "Gehandicaptenparkeerkaart",
        "Aangeboden",
        "jjnnnnnnnn",
        "",
        "160 per jaar",
        "",
        "",
        "Pdf-formulier; medische keuring door de GGD.",
    ),
    (
        "Woonwagenstandplaats",
        "Niet aangeboden",
        "          ",
        "",
        "",
        "",
        "",
        "Geen standplaatsen beschikbaar.",
    ),
    ("Havengeld", "n.v.t.", "          ", "", "", "", "", "Geen gemeentelijke haven."),
    (
        "Straatfeest melden",
        "Aangeboden",
        "jnjnn-jnjn",
        "Geen",
        "",
        "60 per jaar",
        "ja",
        "Eigen Delfts product (melding op grond van de APV), staat niet in de UPL.",
    ),
]


# The changes the reader's messages and the documentation ask for -----------------------

# Headers the reader refuses, renamed as its message suggests ("did you mean ...?") or,
# without a suggestion, to the column of the specification (XCH-11).
HEADER_CHANGES = {
    "Digitaal identificeren": "Online identificeren",
    "Bewijsstukken digitaal": "Bewijsstukken online",
    "Besluit digitaal": "Uitkomst digitaal",
    "Aantal digitaal": "volume_web",
    "Lokaal product": "Naam lokaal product",
}

# Tick columns the reader refuses without a suggestion: their capability (MAT-2) is
# written in the list column ``capabilities`` of the specification (XCH-11) instead.
FOLDED = {
    "Online aanvragen": "online-submission",
    "Afhandelbericht": "electronic-notification",
}
CAPABILITIES_COLUMN = "capabilities"

# A required column the sheet lacked (XCH-11): the year of the CBS code and population.
ADDED = {"population_year": YEAR}

# Website titles the reader refuses as ambiguous or unknown, replaced by the UPL key it
# asks for ("give the URI or key of one", "did you mean ...?", or `digimaat catalogue`).
PRODUCT_KEYS = {
    "Paspoort aanvragen": "paspoort",
    "Uittreksel BRP": "brpUittr",
    "Verhuizing melden": "verhuismelding",
    "Terras plaatsen": "terrasvergunning",
    "Geboorte aangeven": "geboorteaangifte",
    "Melding over de buitenruimte": "melding_openbare_ruimte_(algemeen)",
    "Afspraak maken of annuleren": "bezafspr",
}

# The local product: the reader takes a row as the definition of a local product when its
# column "Naam lokaal product" holds the name, and then wants a URI as its product. The
# product page of the municipality's website is that URI.
LOCAL_PRODUCT_URI = "https://www.delft.nl/straatfeest-melden"

# Cells the reader refuses: "n.v.t." in a tick column ("must be true or false (or
# ja/nee)") is "ja", since MAT-2 records a step the procedure does not have as present;
# "n.v.t." as a status is the specification's not-applicable (OFF-2).
CELL_CHANGES = {("tick", "n.v.t."): "ja", ("Status", "n.v.t."): "not-applicable"}


def adapted_headers() -> list[str]:
    """The header row of the adapted sheet."""
    out: list[str] = []
    for header in AS_WRITTEN_HEADERS:
        if header == "Online aanvragen":
            out.append(CAPABILITIES_COLUMN)
        elif header in FOLDED:
            continue
        else:
            out.append(HEADER_CHANGES.get(header, header))
        if header == "Inwoners":
            out.extend(ADDED)
    return out


HEADERS = adapted_headers()
TICKS = AS_WRITTEN_HEADERS[6:16]

# The broken copy: (row index in OFFERINGS, column header, wrong value)
MISTAKES = [
    (5, "Product", "Parkeervergunnig bewoners"),
    (0, "Aantal balie", "1.000 per jaartje"),
    (12, "Status", "Aangebonden"),
]

TOELICHTING = [
    ("Toelichting",),
    ("Inventarisatie digitale dienstverlening gemeente Delft, peiljaar 2024.",),
    ("Productnamen zoals op delft.nl; aantallen zijn schattingen van het team Publiekszaken.",),
    ("Vinkjes: ja = aanwezig, nee = niet aanwezig, n.v.t. = niet van toepassing.",),
]


def as_written_rows() -> list[list[object]]:
    """The data rows of the sheet as first written, in the order of its headers."""
    out: list[list[object]] = []
    for product, status, ticks, auth, counter, digital, local, notes in OFFERINGS:
        row: list[object] = [CODE, NAME, POPULATION, YEAR, product, status]
        row += [TICK[t] for t in ticks]
        row += [auth, counter, digital, local, notes]
        out.append(row)
    return out


def adapt(row: list[object]) -> list[object]:
    """One row as first written, with the changes above applied."""
    cells = dict(zip(AS_WRITTEN_HEADERS, row, strict=True))
    if cells["Lokaal product"] == "ja":
        cells["Lokaal product"] = cells["Product"]
        cells["Product"] = LOCAL_PRODUCT_URI
    cells["Product"] = PRODUCT_KEYS.get(str(cells["Product"]), cells["Product"])
    cells["Status"] = CELL_CHANGES.get(("Status", cells["Status"]), cells["Status"])
    for tick in TICKS:
        cells[tick] = CELL_CHANGES.get(("tick", cells[tick]), cells[tick])
    folded = " ".join(name for header, name in FOLDED.items() if cells[header] == "ja")
    out: list[object] = []
    for header in AS_WRITTEN_HEADERS:
        if header == "Online aanvragen":
            out.append(folded)
        elif header not in FOLDED:
            out.append(cells[header])
        if header == "Inwoners":
            out.extend(ADDED.values())
    return out


def rows(mistakes: bool = False) -> list[list[object]]:
    """The data rows of the adapted sheet, with or without the three typing errors."""
    out = [adapt(row) for row in as_written_rows()]
    if mistakes:
        for index, header, value in MISTAKES:
            out[index][HEADERS.index(header)] = value
    return out


def write_xlsx(path: Path, headers: list[str], data: list[list[object]]) -> None:
    """The workbook as the analyst saves it: the data sheet first, explanation second."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Producten"
    sheet.append(headers)
    for row in data:
        sheet.append([None if value == "" else value for value in row])
    for cell in sheet["C"][1:]:  # Inwoners, shown with a thousands separator
        cell.number_format = "#,##0"
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("Toelichting")
    for line in TOELICHTING:
        notes.append(list(line))
    book.properties.creator = "Gemeente Delft"
    book.properties.created = STAMP
    saved = io.BytesIO()
    book.save(saved)
    path.write_bytes(reproducible(saved.getvalue()))


def reproducible(xlsx: bytes) -> bytes:
    """The same workbook with fixed times, so that every run writes the same bytes.

    openpyxl stamps the time of saving into the document properties and the zip entries.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + STAMP.isoformat().encode() + rb"Z\g<2>",
                    data,
                )
            info = zipfile.ZipInfo(item.filename, date_time=STAMP.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return out.getvalue()


def displayed(value: object) -> str:
    """A cell as Dutch Excel shows it, and therefore writes it to CSV."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 10000:
        return f"{value:,}".replace(",", ".")
    return str(value)


def write_csv(path: Path, headers: list[str], data: list[list[object]]) -> None:
    """The sheet as Dutch Excel's "CSV UTF-8 (door lijstscheidingsteken gescheiden)"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    for row in data:
        writer.writerow([displayed(value) for value in row])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def main(argv: list[str]) -> int:
    """Write the sheet as first written, and the adapted and the broken sheet as
    workbook and as CSV."""
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    write_xlsx(out / "delft-2024-zoals-geschreven.xlsx", AS_WRITTEN_HEADERS, as_written_rows())
    for stem, mistakes in (("delft-2024", False), ("delft-2024-fouten", True)):
        data = rows(mistakes)
        write_xlsx(out / f"{stem}.xlsx", HEADERS, data)
        write_csv(out / f"{stem}.csv", HEADERS, data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
