"""A template to fill in: the sheet of offerings, in Dutch or English (chapter XCH, XCH-18).

:func:`template` writes an empty sheet a municipality can fill in with a spreadsheet: the
columns of the sheet (:mod:`digimaat.exchange.sheet`) with Dutch or English headers, one
example row, and, in a workbook, drop-down lists for every column whose values come from a
list (status, the yes/no capability columns, authentication, levels, units), a sheet that
explains every column, and the lists themselves. What the template holds is read back by
the readers as it is.

>>> from digimaat.exchange.template import template
>>> text = template(lang="en", form="csv").decode("utf-8")
>>> text.splitlines()[0].split(",")[:6]
['reference_year', 'cbs_code', 'municipality_name', 'population', 'population_year', 'product']
"""

from __future__ import annotations

import csv
import io
from typing import Any, Final

from digimaat._boundary import guard
from digimaat.errors import InvalidValueError
from digimaat.exchange.sheet import (
    CAPABILITY_COLUMNS,
    COLUMNS,
    DUTCH,
    LOCAL_COLUMNS,
    REQUIRED_COLUMNS,
)
from digimaat.units import TIME_UNITS
from digimaat.vocabulary.assurance import CREDENTIALS
from digimaat.vocabulary.maturity import Capability, MaturityLevel
from digimaat.vocabulary.offerings import Status

__all__ = ["LANGUAGES", "TEMPLATE_COLUMNS", "template"]

LANGUAGES: Final = ("nl", "en")

TEMPLATE_COLUMNS: Final[tuple[str, ...]] = (
    *COLUMNS[:7],  # the document, the municipality, the product and its status
    *CAPABILITY_COLUMNS,
    *(c for c in COLUMNS[8:] if c != "source"),
    *LOCAL_COLUMNS,
    "source",
)
"""The template's columns: capabilities as yes/no columns instead of one list."""

_YES_NO: Final = {"nl": ("ja", "nee"), "en": ("yes", "no")}
_SHEETS: Final = {
    "nl": ("Aanbod", "Toelichting", "Lijsten"),
    "en": ("Offerings", "Instructions", "Lists"),
}
_EXPLAINED: Final[dict[str, tuple[str, str]]] = {
    # column: (English, Dutch)
    "reference_year": (
        "The year the observations and the volumes refer to; the same in every row.",
        "Het jaar waarop waarnemingen en aantallen betrekking hebben; in elke rij gelijk.",
    ),
    "cbs_code": (
        "The CBS code of the municipality, GM and 4 digits.",
        "De CBS-code van de gemeente: GM en 4 cijfers.",
    ),
    "municipality_name": ("The municipality's name.", "De naam van de gemeente."),
    "population": ("The number of inhabitants.", "Het aantal inwoners."),
    "population_year": ("The year of the population.", "Het jaar van het inwonertal."),
    "product": (
        "The product: its UPL name, key or URI, or a word the municipalities use for it "
        "(digimaat catalogue finds it).",
        "Het product: de UPL-naam, -sleutel of -URI, of een woord waarmee gemeenten het "
        "noemen (digimaat catalogue zoekt het op).",
    ),
    "status": ("Whether the product is offered.", "Of het product wordt aangeboden."),
    "authentication": (
        "How users log in, e.g. 'DigiD Midden'; several means separated by '/'.",
        "Hoe gebruikers inloggen, bijvoorbeeld 'DigiD Midden'; meer middelen met '/'.",
    ),
    "local_target": (
        "A local target level, where the municipality sets one (with a reason).",
        "Een lokaal doel, als de gemeente dat stelt (met een reden).",
    ),
    "local_target_reason": ("Why the local target differs.", "Waarom het lokale doel afwijkt."),
    "fee_applies": ("Whether a fee (leges) applies.", "Of er leges worden geheven."),
    "volume_unit": (
        "The unit of the volume cells that hold a bare number.",
        "De eenheid van de aantallen die alleen een getal bevatten.",
    ),
    "forms_started": ("Web forms started in the year.", "Webformulieren gestart in het jaar."),
    "forms_completed": ("Web forms completed in the year.", "Webformulieren afgerond in het jaar."),
    "notes": ("Anything worth keeping; never scored.", "Opmerkingen; tellen niet mee in scores."),
    "source": (
        "Who compiled the data, from what, when.",
        "Wie de gegevens verzamelde, waaruit, wanneer.",
    ),
    "local_name": (
        "Only for a product the UPL does not name: its name (the product cell holds its key).",
        "Alleen voor een product dat niet in de UPL staat: de naam "
        "(de productcel bevat de sleutel).",
    ),
    "local_audiences": ("burger and/or bedrijf.", "burger en/of bedrijf."),
    "local_required_assurance": (
        "The assurance level the local product requires.",
        "Het betrouwbaarheidsniveau dat het lokale product vereist.",
    ),
    "local_physical_presence": (
        "Whether a visit is legally required.",
        "Of een bezoek wettelijk verplicht is.",
    ),
    "local_fee_applies": ("Whether a fee applies.", "Of er leges gelden."),
    "local_reference_target": (
        "The local product's target level.",
        "Het doelniveau van het lokale product.",
    ),
    "local_reason": (
        "Why the local product's fields are what they are.",
        "Waarom de gegevens van het lokale product zo zijn.",
    ),
}


def _heading(column: str, lang: str) -> str:
    if lang == "nl":
        return DUTCH[column]
    return column.removeprefix("capability:")


def _lists(lang: str) -> dict[str, list[str]]:
    """The values of every column that takes a value from a list."""
    yes, no = _YES_NO[lang]
    statuses = [s.dutch if lang == "nl" else s.value for s in Status]
    levels = [m.dutch if lang == "nl" else m.label for m in MaturityLevel]
    means = ["geen" if lang == "nl" else "none"] + [_credential(c) for c in CREDENTIALS]
    if lang == "nl":
        units = ["per jaar", "per kwartaal", "per maand", "per week", "per dag", "per uur"]
    else:
        units = [f"per {name}" for name in TIME_UNITS]
    out = {
        "status": statuses,
        "authentication": means,
        "local_target": levels,
        "local_reference_target": levels,
        "fee_applies": [yes, no],
        "local_fee_applies": [yes, no],
        "local_physical_presence": [yes, no],
        "volume_unit": units,
        "local_audiences": ["burger", "bedrijf", "burger bedrijf"],
        "local_required_assurance": (
            ["geen", "basis", "laag", "substantieel", "hoog"]
            if lang == "nl"
            else ["none", "basis", "low", "substantial", "high"]
        ),
    }
    for column in CAPABILITY_COLUMNS:
        out[column] = [yes, no]
    return out


def _credential(credential: Any) -> str:
    """A credential as its scheme writes it: ``DigiD Midden``, ``eHerkenning EH3``."""
    scheme = {"digid": "DigiD", "eherkenning": "eHerkenning", "eidas": "eIDAS"}
    return f"{scheme.get(credential.means.value, credential.means.value)} {credential.name}"


def _example(lang: str) -> dict[str, Any]:
    """An example row: Vlaardingen's passport, described online with a form to download."""
    yes, no = _YES_NO[lang]
    capabilities = {
        Capability.INFORMATION_ONLINE: yes,
        Capability.DOWNLOADABLE_FORM: yes,
        Capability.ONLINE_SUBMISSION: no,
    }
    row: dict[str, Any] = {
        "reference_year": 2024,
        "cbs_code": "GM0622",
        "municipality_name": "Vlaardingen",
        "population": 76409,
        "population_year": 2024,
        "product": "paspoort",
        "status": Status.OFFERED.dutch if lang == "nl" else Status.OFFERED.value,
        "volume_unit": "per jaar" if lang == "nl" else "per year",
        "volume_balie": 5600,
        "notes": (
            "voorbeeld: vervang deze rij door uw eigen gegevens"
            if lang == "nl"
            else "example: replace this row by your own data"
        ),
    }
    for capability, answer in capabilities.items():
        row[f"capability:{capability.value}"] = answer
    return row


def template(*, lang: str = "nl", form: str = "xlsx") -> bytes:
    """The template as the bytes of a file: a workbook (``xlsx``) or a CSV file (``csv``).

    ``lang`` is ``"nl"`` (Dutch headers and words; a CSV file separated by ``;`` with a
    byte order mark, as a Dutch spreadsheet saves it) or ``"en"``.
    """
    if lang not in LANGUAGES:
        raise InvalidValueError("lang", lang, "must be 'nl' or 'en'")
    if form == "csv":
        return _csv(lang)
    if form == "xlsx":
        return _xlsx(lang)
    raise InvalidValueError("form", form, "must be 'xlsx' or 'csv'")


def _csv(lang: str) -> bytes:
    out = io.StringIO()
    dutch = lang == "nl"
    writer = csv.writer(out, delimiter=";" if dutch else ",", lineterminator="\r\n")
    writer.writerow([_heading(c, lang) for c in TEMPLATE_COLUMNS])
    example = _example(lang)
    writer.writerow([str(example.get(c, "")) for c in TEMPLATE_COLUMNS])
    return (("\ufeff" if dutch else "") + out.getvalue()).encode("utf-8")


def _xlsx(lang: str) -> bytes:
    try:
        import openpyxl
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.datavalidation import DataValidation
    except ImportError:
        raise InvalidValueError(
            "form", "xlsx", "needs the xlsx extra: pip install 'digimaat[xlsx]'"
        ) from None
    data_name, help_name, lists_name = _SHEETS[lang]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = data_name
    headings = [_heading(c, lang) for c in TEMPLATE_COLUMNS]
    sheet.append(headings)
    example = _example(lang)
    sheet.append([example.get(c) for c in TEMPLATE_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for k, heading in enumerate(headings, start=1):
        sheet.column_dimensions[get_column_letter(k)].width = max(12, min(40, len(heading) + 2))
    lists = book.create_sheet(lists_name)
    values = _lists(lang)
    for k, column in enumerate(TEMPLATE_COLUMNS, start=1):
        if column not in values:
            continue
        letter = get_column_letter(k)
        lists.cell(row=1, column=k, value=headings[k - 1])
        for n, value in enumerate(values[column], start=2):
            lists.cell(row=n, column=k, value=value)
        last = len(values[column]) + 1
        rule = DataValidation(
            type="list",
            formula1=f"'{lists_name}'!${letter}$2:${letter}${last}",
            allow_blank=True,
            showErrorMessage=False,  # a word the list lacks is checked by the reader
        )
        rule.add(f"{letter}2:{letter}100000")
        sheet.add_data_validation(rule)
    lists.sheet_state = "hidden"
    helper = book.create_sheet(help_name)
    helper.append(
        ["kolom", "verplicht", "betekenis", "voorbeeld"]
        if lang == "nl"
        else ["column", "required", "meaning", "example"]
    )
    yes, no = _YES_NO[lang]
    for column in TEMPLATE_COLUMNS:
        meaning = _meaning(column, lang)
        helper.append(
            [
                _heading(column, lang),
                yes if column in REQUIRED_COLUMNS else no,
                meaning,
                str(example.get(column, "")),
            ]
        )
    for cell in helper[1]:
        cell.font = Font(bold=True)
    helper.column_dimensions["A"].width = 34
    helper.column_dimensions["C"].width = 90
    book.properties.creator = "digimaat"
    out = io.BytesIO()
    book.save(out)
    return _fixed(out.getvalue())


_STAMP: Final = "2024-01-01T00:00:00Z"
"""The creation and modification time every template workbook states (XCH-18): a template
is the same file whenever it is written."""


def _fixed(data: bytes) -> bytes:
    """The workbook with a fixed time in its properties and its archive, so that the same
    template is the same bytes."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                text = re.sub(
                    r"(<dcterms:(created|modified)[^>]*>)[^<]*(<)",
                    lambda m: f"{m.group(1)}{_STAMP}{m.group(3)}",
                    content.decode("utf-8"),
                )
                content = text.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, content)
    return out.getvalue()


def _meaning(column: str, lang: str) -> str:
    english, dutch = _EXPLAINED.get(column, ("", ""))
    if column.startswith("capability:"):
        capability = Capability(column.removeprefix("capability:"))
        doc = (capability.__doc__ or "").split("\n")[0]
        english = f"Yes if: {doc}" if doc else "Yes or no."
        dutch = "Ja of nee."
    elif column.startswith("volume_") and column != "volume_unit":
        channel = column.removeprefix("volume_")
        english = f"Requests a year through {channel} (a number, or a number and a unit)."
        dutch = f"Aanvragen per jaar via {channel} (een getal, of een getal en een eenheid)."
    return dutch if lang == "nl" else english


guard(__name__)
