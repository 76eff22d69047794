"""The commands that take files in without scoring them: ``validate`` and ``import sc``.

Like the commands of :mod:`digimaat.cli.commands`, which offers these two as well, each
builds a :class:`~digimaat.analysis.tables.Report` that the renderer of the asked format
writes, and imports the readers it needs when it runs.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path
from typing import Any

from digimaat._boundary import guard
from digimaat.analysis.tables import Column, Report, Table
from digimaat.cli.i18n import _, ngettext, problem_text

__all__ = [
    "import_sc",
    "validate",
]


# -- validate -------------------------------------------------------------------------------


def validate(args: argparse.Namespace) -> Report:
    """Check files and list every problem; the report's data says whether there were any."""
    from digimaat.cli.commands import limits_of, part_of, reading
    from digimaat.errors import InputError
    from digimaat.exchange import load

    results: list[tuple[str, str, int | None, int | None, int]] = []
    problems: list[Any] = []
    more = 0
    count = len(args.files)
    sheet = getattr(args, "sheet", None)
    with reading(args.files, args) as bar:
        for n, path in enumerate(args.files):
            try:
                progress = part_of(bar, n, count)
                submission = load(path, limits=limits_of(args), sheet=sheet, progress=progress)
            except InputError as exc:
                problems.extend(exc.problems)
                more += exc.more
                results.append((path, "problems", None, None, len(exc.problems) + exc.more))
                continue
            results.append((path, "ok", len(submission.municipalities), submission.columns.size, 0))
    if args.format == "table":  # the result in words; in JSON a code
        results = [(r[0], _(r[1]), *r[2:]) for r in results]
    table = Table(
        "files",
        (
            Column("file", _("file"), "text"),
            Column("result", _("result"), "code"),
            Column("municipalities", _("municipalities"), "integer"),
            Column("offerings", _("offerings"), "integer"),
            Column("problems", _("problems"), "integer"),
        ),
        tuple(results),
    )
    count = len(problems) + more
    text = tuple(problem_text(p) for p in problems)
    tables: tuple[Table, ...] = (table,)
    if args.format != "table":  # a row per problem rather than a line of text
        listed = [p.to_dict() for p in problems]
        keys = ("source", "location", "field", "value", "message", "clause", "suggestion")
        columns = tuple(Column(k, k, "code" if k == "clause" else "text") for k in keys)
        tables += (Table("problems", columns, tuple(tuple(p[k] for k in keys) for p in listed)),)
        text = ()
    after: tuple[str, ...] = ()
    if count:
        found = ngettext("{count:,} problem found", "{count:,} problems found", count)
        hidden = _(" ({more:,} not shown)").format(more=more) if more else ""
        after = (found.format(count=count) + hidden,)
    return Report(
        "validation",
        text=text,
        tables=tables,
        data={"problems": [p.to_dict() for p in problems], "more": more, "findings": count},
        after=after,
    )


# -- import sc ------------------------------------------------------------------------------


def import_sc(args: argparse.Namespace) -> Report:
    """Import Samenwerkende Catalogi (SC 4.0) into an offerings document (chapter SCI).

    ``--summary FILE`` also writes the summary: as a workbook when FILE ends in ``.xlsx``,
    else as JSON.
    """
    from digimaat.cli.render import check_destination, deliver, output
    from digimaat.exchange import dumps
    from digimaat.exchange.sc import import_sc as run
    from digimaat.progress import Progress

    workbook = bool(args.summary) and args.summary.lower().endswith(".xlsx")
    if workbook:
        check_destination("xlsx", args.summary, io.StringIO())  # before the work
    with Progress(0, "digimaat import sc") as bar:
        result = run(
            args.paths,
            upl_lists=args.upl_list,
            year=args.year,
            retrieved=args.retrieved,
            progress=bar,
        )
    Path(args.output).write_text(dumps(result.submission, form="json"), encoding="utf-8")
    summary = result.summary
    after = summary.legend()
    if result.skipped:
        after.append(f"Not read (not XML, compressed or tar): {len(result.skipped)} files.")
    submission = result.submission
    after.append(
        f"Wrote {args.output}: {len(submission.municipalities)} municipalities, "
        f"{submission.columns.size:,} offerings."
    )
    if result.problems:
        after.append(f"{len(result.problems)} problems; what they name was left out:")
        after.extend(f"  {problem}" for problem in result.problems)
    table = summary.as_table()
    report = Report(
        "sc-import",
        meta={"sources": [{"file": path} for path in args.paths]},
        tables=(Table(table.name, table.columns, table.rows),),
        after=tuple(after),
        data={"findings": len(result.problems), "summary": summary.to_dict()},
    )
    if workbook:
        deliver(output([report], "xlsx"), args.summary, io.StringIO())
    elif args.summary:
        deliver(
            output([Report("sc-summary", data=summary.to_dict())], "json"),
            args.summary,
            io.StringIO(),
        )
    return report


guard(__name__)
