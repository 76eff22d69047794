"""The command that writes the sheet a municipality fills in: ``template`` (XCH-18).

``digimaat template --lang nl|en --format xlsx|csv [-o FILE]`` writes
:func:`digimaat.exchange.template.template`: a workbook with drop-down lists, an
instructions sheet and an example row, or a CSV file, with Dutch or English headers and
words. CSV goes to standard output unless ``-o`` names a file; a workbook needs ``-o``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from digimaat._boundary import guard
from digimaat.analysis.tables import Report
from digimaat.cli.i18n import _
from digimaat.errors import UsageError

__all__ = ["template"]


def template(args: argparse.Namespace) -> Report | str:
    """Write the template to ``-o``, and report where; without ``-o``, the CSV text itself,
    which the command line writes as it is (with its byte order mark and line ends)."""
    from digimaat.exchange.template import LANGUAGES
    from digimaat.exchange.template import template as make

    lang = args.lang
    if lang not in LANGUAGES:
        raise UsageError(
            _("the template is written in {languages} (got --lang {lang})").format(
                languages=" or ".join(LANGUAGES), lang=lang
            )
        )
    form = args.format
    if form is None:
        suffix = Path(args.output).suffix.lower() if args.output else ""
        form = "xlsx" if suffix == ".xlsx" else "csv"
    args.format = None  # the report is text, whatever the template's form
    if form == "xlsx" and not args.output:
        raise UsageError(_("a workbook cannot be written to the terminal: give -o FILE.xlsx"))
    data = make(lang=lang, form=form)
    if not args.output:
        return data.decode("utf-8")
    path = Path(args.output)
    path.write_bytes(data)
    return Report(
        "template",
        text=(
            _("{path}: the {form} template in {language}, {size:,} bytes").format(
                path=path,
                form=form,
                language=_("Dutch") if lang == "nl" else _("English"),
                size=len(data),
            ),
        ),
        data={"output": str(path), "format": form, "lang": lang},
    )


guard(__name__)
