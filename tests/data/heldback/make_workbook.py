"""Write the held-back Dutch spreadsheet of Delft, as a municipal analyst keeps it.

The sheet is written the way an analyst in a Dutch municipality would fill it in by hand:
product names as the municipality's own website titles them (its Samenwerkende Catalogi
records of 18 October 2023), Dutch column headers, Dutch status words, capabilities
ticked with "ja", "nee" and "n.v.t.", volumes such as "1.000 per jaar" and
"25 per maand", a notes column, one offering that accepts two authentication means and
one local product that is not in the UPL.

The CBS code and population are Delft's real figures (CBS, Gebieden in Nederland 2024,
StatLine 85755NED, population on 1 January 2024). The offerings, their capabilities,
authentication and volumes are illustrative.

Run from the repository root to (re)write the four files next to this script::

    python tests/data/heldback/make_workbook.py [OUTPUT_DIR]

- ``delft-2024.xlsx``: the workbook, sheet "Producten" first, a sheet "Toelichting" after it;
- ``delft-2024.csv``: the same sheet as Dutch Excel saves it ("CSV UTF-8"): separator
  ``;``, decimal comma, thousands dot as displayed, UTF-8 with a byte order mark, CRLF;
- ``delft-2024-fouten.xlsx`` and ``delft-2024-fouten.csv``: the same sheet with three
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

HEADERS = [
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


def rows(mistakes: bool = False) -> list[list[object]]:
    """The data rows of the sheet, with or without the three typing errors."""
    out: list[list[object]] = []
    for product, status, ticks, auth, counter, digital, local, notes in OFFERINGS:
        row: list[object] = [CODE, NAME, POPULATION, YEAR, product, status]
        row += [TICK[t] for t in ticks]
        row += [auth, counter, digital, local, notes]
        out.append(row)
    if mistakes:
        for index, header, value in MISTAKES:
            out[index][HEADERS.index(header)] = value
    return out


def write_xlsx(path: Path, data: list[list[object]]) -> None:
    """The workbook as the analyst saves it: the data sheet first, explanation second."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Producten"
    sheet.append(HEADERS)
    for row in data:
        sheet.append([None if value == "" else value for value in row])
    for cell in sheet["C"][1:]:
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


def write_csv(path: Path, data: list[list[object]]) -> None:
    """The sheet as Dutch Excel's "CSV UTF-8 (door lijstscheidingsteken gescheiden)"."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in data:
        writer.writerow([displayed(value) for value in row])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def main(argv: list[str]) -> int:
    """Write the clean and the broken sheet, each as workbook and as CSV."""
    out = Path(argv[0]) if argv else Path(__file__).resolve().parent
    out.mkdir(parents=True, exist_ok=True)
    for stem, mistakes in (("delft-2024", False), ("delft-2024-fouten", True)):
        data = rows(mistakes)
        write_xlsx(out / f"{stem}.xlsx", data)
        write_csv(out / f"{stem}.csv", data)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
