"""The ``digimaat`` command line (documented in ``docs/cli.md``).

Subcommands: ``score``, ``explain``, ``next`` (:mod:`digimaat.cli.commands`), ``validate``
and ``import sc`` (:mod:`digimaat.cli.intake`), ``compare``, ``report``
(:mod:`digimaat.cli.comparison`), ``trend`` (:mod:`digimaat.cli.trends`), ``template``
(:mod:`digimaat.cli.sheets`), ``catalogue``, ``profiles``, ``conformance`` and ``example``
(:mod:`digimaat.cli.reference`). Each builds a report that one renderer
per format writes (:mod:`digimaat.cli.render`), in the language of ``--lang``
(:mod:`digimaat.cli.i18n`).

Exit codes: 0 success; 1 findings (``validate`` found problems); 2 bad input or usage;
3 an internal error, printed as one line with a hint to run again with ``--debug``. No
traceback is printed unless ``--debug`` is given, and no partial result ever.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NoReturn, TextIO

from digimaat._boundary import guard
from digimaat._version import SPEC_VERSION, __version__

__all__ = ["EXIT_ERROR", "EXIT_FINDINGS", "EXIT_INTERNAL", "EXIT_OK", "main", "run"]

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INTERNAL = 3
_FORMATS = ("table", "json", "csv", "csv-nl", "xlsx")


class _Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """The sub-commands, each one's parser made only when its command is invoked.

    ``digimaat --help`` lists every command with its help text, and argparse checks a
    command's name against the names of all; the parser of a command, with its arguments,
    is made when argparse reaches the command's name (``digimaat score ...``, ``digimaat
    score --help``), so that a command builds only its own parser: building all fourteen
    takes a few milliseconds, most of it argparse looking up its own messages' translations.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fillers: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Any]] = {}

    def command(
        self,
        name: str,
        fill: Callable[[argparse.ArgumentParser], None],
        help: str,
        **options: Any,
    ) -> None:
        """A command with its help; its parser is made with ``options`` and given its
        arguments by ``fill`` when the command is invoked."""
        # What add_parser does for the help (listed by digimaat --help) and the name (a
        # choice), without making the parser: it is made by add_parser in __call__.
        self._choices_actions.append(self._ChoicesPseudoAction(name, (), help))
        self._name_parser_map[name] = None
        self.fillers[name] = (fill, options)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        name = values[0]
        if name in self.fillers:
            fill, options = self.fillers.pop(name)
            del self._name_parser_map[name]
            command = self.add_parser(name, formatter_class=_Formatter, **options)
            _lang(command)  # --lang also after the command's name
            fill(command)
        super().__call__(parser, namespace, values, option_string)


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, as wide as the terminal as ``shutil.get_terminal_size``
    finds it (``COLUMNS``, else the terminal of standard output, else 80), without
    importing :mod:`shutil`, which imports the compression modules."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 24,
        width: int | None = None,
    ) -> None:
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    """The columns of the terminal, as ``shutil.get_terminal_size().columns`` gives them."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            stdout = sys.__stdout__  # None where there is none: an AttributeError, as in shutil
            columns = os.get_terminal_size(stdout.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
        columns = columns or 80
    return columns


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="digimaat",
        formatter_class=_Formatter,
        description="Score the digital maturity of municipal services with the digimaat standard.",
        epilog="Exit codes: 0 ok, 1 validation findings, 2 usage or input error, 3 internal error.",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"digimaat {__version__} (specification {SPEC_VERSION})",
    )
    parser.add_argument(
        "--debug", action="store_true", help="print a traceback on an internal error"
    )
    from digimaat.cli.i18n import ENGLISH

    _lang(parser, ENGLISH)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", action=_Commands)
    sub.required = True
    assert isinstance(sub, _Commands)
    sub.command("score", _score, help="score municipalities with a profile")
    sub.command("explain", _explain, help="decompose a municipality's score per product")
    sub.command("next", _next, help="what a municipality could digitise next")
    sub.command("compare", _compare, help="municipalities among their peers: rank and percentile")
    sub.command("trend", _trend, help="each metric per reference year, and what changed")
    sub.command("report", _report, help="write an HTML report with charts, peers and trends")
    sub.command("validate", _validate, help="check files and report every problem")
    sub.command(
        "template",
        _template,
        help="write an empty sheet of offerings to fill in (Dutch with --lang nl)",
        description="Write the sheet of offerings to fill in, with Dutch headers and words "
        "with --lang nl and English ones otherwise: a workbook (xlsx) with drop-down lists, "
        "an instructions sheet and an example row, or a CSV file (as a Dutch spreadsheet "
        "saves it with --lang nl). CSV is written to standard output unless -o is given; a "
        "workbook needs -o.",
    )
    sub.command("catalogue", _catalogue, help="search the reference product catalogue")
    sub.command("profiles", _profiles, help="list the built-in profiles or show one")
    sub.command(
        "uncertainty",
        _uncertainty,
        help="how sure is a rank: intervals, rank intervals and Sobol' indices",
    )
    sub.command(
        "conformance",
        _conformance,
        help="run a folder of conformance vectors against this implementation",
    )
    sub.command("example", _example, help="run the worked example on the embedded data")
    sub.command("import", _import, help="import another format into an offerings document")
    return parser


# -- the arguments of the commands ---------------------------------------------------------


def _lang(p: argparse.ArgumentParser, default: Any = argparse.SUPPRESS) -> None:
    from digimaat.cli.i18n import languages

    spoken = languages()
    p.add_argument(
        "--lang",
        choices=spoken,
        default=default,
        help=f"language of messages and table headings: {', '.join(spoken)} (default en)",
    )


def _formats(
    p: argparse.ArgumentParser, choices: Sequence[str] = _FORMATS, output: bool = True
) -> None:
    p.add_argument(
        "--format",
        choices=choices,
        default="table",
        help="output format (default: table); csv-nl is CSV for a Dutch spreadsheet, "
        "xlsx a workbook",
    )
    if output:
        p.add_argument(
            "-o",
            "--output",
            dest="destination",
            metavar="FILE",
            help="write the output to FILE instead of standard output (a workbook "
            "needs a file, or standard output redirected to one)",
        )


def _profile(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--profile",
        metavar="NAME|PATH",
        help="built-in profile name or a .toml/.json profile file (default: digimaat-standard)",
    )


def _files(p: argparse.ArgumentParser, help: str = "exchange files (.json, .csv or .xlsx)") -> None:
    p.add_argument("files", nargs="+", metavar="FILE", help=help)
    p.add_argument(
        "--sheet",
        metavar="NAME",
        help="the sheet of a workbook (.xlsx) to read (default: its first sheet)",
    )
    p.add_argument(
        "--max-bytes",
        type=_positive,
        metavar="N",
        help="refuse a file larger than N bytes (default 134217728, 128 MiB)",
    )
    p.add_argument(
        "--max-problems",
        type=_positive,
        metavar="N",
        help="report at most N problems and count the rest (default 1000)",
    )
    p.add_argument(
        "--costs",
        metavar="FILE",
        help="a cost table (.toml or .json: currency, source, channels, products) to use "
        "instead of the data's or the profile's costs (CHN-8)",
    )
    p.add_argument(
        "--product-scope",
        choices=("recorded", "reference", "offerings"),
        help="the product scope (AGG-2.1) instead of the one the data claims "
        "(default: recorded, each municipality's own records)",
    )


def _peers(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--peers",
        nargs="?",
        const="",
        metavar="FILE",
        help="compare within CBS size classes and, with FILE, within the groups of a "
        "peer-group file (JSON or CSV)",
    )
    p.add_argument(
        "--population-year",
        type=int,
        metavar="YEAR",
        help="size classes by the population in the CBS register of YEAR (2023 or 2024) "
        "instead of the population in the data",
    )


def _municipalities(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--municipality",
        nargs="+",
        metavar="CODE",
        help="CBS codes of the municipalities to show (default: all)",
    )


def _intervals(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--samples",
        type=_positive,
        metavar="N",
        help="rank intervals over N samples of the profile's uncertainty section "
        "(chapter UNC; the profile must declare one)",
    )
    p.add_argument("--seed", type=int, metavar="S", help="the seed of the samples")
    p.add_argument(
        "--pairs",
        nargs="+",
        metavar="CODE:CODE",
        help="with --samples: the probability that the first ranks above the second",
    )


def _score(p: argparse.ArgumentParser) -> None:
    _files(p)
    _profile(p)
    _formats(p)


def _explain(p: argparse.ArgumentParser) -> None:
    _files(p)
    p.add_argument("--municipality", required=True, metavar="CODE", help="CBS code")
    p.add_argument("-m", "--metric", metavar="ID", help="metric id (default: the headline)")
    _profile(p)
    _formats(p)


def _next(p: argparse.ArgumentParser) -> None:
    _files(p)
    p.add_argument("--municipality", required=True, metavar="CODE", help="CBS code")
    p.add_argument(
        "--by",
        choices=("score", "requests", "cost"),
        default="score",
        help="rank by the score gain (score), with every request counting (requests) or "
        "every unit of non-digital contact cost counting (cost)",
    )
    p.add_argument("--limit", type=_positive, default=10, help="show at most this many (10)")
    _profile(p)
    _formats(p)


def _compare(p: argparse.ArgumentParser) -> None:
    _files(p)
    _peers(p)
    _municipalities(p)
    _intervals(p)
    p.add_argument(
        "-m",
        "--metric",
        nargs="+",
        metavar="ID",
        help="metric ids to show and rank by, the first deciding the order "
        "(default: the headline and its parts)",
    )
    p.add_argument(
        "--top",
        type=_positive,
        metavar="N",
        help="show the first N municipalities in that order (the table shows 20 by default; "
        "json and csv show all)",
    )
    _profile(p)
    _formats(p)


def _trend(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "files",
        nargs="*",
        metavar="FILE",
        help="exchange files; files of one reference year are read together",
    )
    p.add_argument(
        "--scores",
        action="append",
        metavar="YEAR=FILE",
        help="a saved 'digimaat score --format json' document for a reference year",
    )
    _municipalities(p)
    p.add_argument(
        "-m",
        "--metric",
        metavar="ID",
        help="metric id (default: every metric; explain: the headline)",
    )
    p.add_argument(
        "--explain",
        action="store_true",
        help="explain the change from the first to the last year, product by product",
    )
    p.add_argument("--from", dest="start", type=int, metavar="YEAR", help="explain from YEAR")
    p.add_argument("--to", dest="end", type=int, metavar="YEAR", help="explain to YEAR")
    p.add_argument(
        "--allow-mixed",
        action="store_true",
        help="allow years scored with different profiles or specification versions",
    )
    p.add_argument(
        "--limit", type=_positive, default=10, help="products shown per change (default 10)"
    )
    _profile(p)
    _formats(p)


def _report(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="exchange files; with several reference years the report shows the trend",
    )
    p.add_argument("--output", "-o", required=True, metavar="PATH", help="the HTML file to write")
    _peers(p)
    _municipalities(p)
    _intervals(p)
    _profile(p)


def _validate(p: argparse.ArgumentParser) -> None:
    _files(p)
    _formats(p, ("table", "json", "xlsx"))


def _template(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--format",
        choices=("xlsx", "csv"),
        help="xlsx or csv (default: the extension of -o, else csv)",
    )
    p.add_argument("-o", "--output", metavar="FILE", help="the file to write")


def _catalogue(p: argparse.ArgumentParser) -> None:
    p.add_argument("query", nargs="*", help="words that must occur in the name or URI")
    _formats(p)


def _profiles(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", nargs="?", metavar="NAME|PATH")
    _formats(p, ("table", "json", "xlsx"))


def _uncertainty(p: argparse.ArgumentParser) -> None:
    _files(p)
    _profile(p)
    p.add_argument("--samples", type=_positive, required=True, help="the number of samples (N)")
    p.add_argument("--seed", type=int, required=True, help="the seed of the design")
    p.add_argument(
        "--pairs",
        nargs="+",
        metavar="CODE:CODE",
        help="pairs for the probability that the first ranks above the second",
    )
    p.add_argument(
        "--metric",
        action="append",
        metavar="ID",
        help="a metric to analyse (repeatable; default: the headline and its parts)",
    )
    p.add_argument(
        "--dask",
        metavar="ADDRESS|local",
        help="run on Dask: 'local' for a local cluster, or a scheduler address",
    )
    p.add_argument("--chunk", type=_positive, default=256, help="samples per chunk (default 256)")
    _formats(p, ("table", "json"))


def _conformance(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "directory",
        nargs="?",
        metavar="DIR",
        help="folder of vectors (default: those of the specification this package implements)",
    )
    p.add_argument("--strict", action="store_true", help="count skipped vectors as failed")
    p.add_argument("--verbose", "-v", action="store_true", help="show every difference")
    _formats(p, ("table", "json", "xlsx"))


def _example(p: argparse.ArgumentParser) -> None:
    """``digimaat example`` has no arguments of its own."""


def _import(p: argparse.ArgumentParser) -> None:
    kinds = p.add_subparsers(dest="kind", metavar="FORMAT")
    kinds.required = True
    p = kinds.add_parser(
        "sc",
        formatter_class=_Formatter,
        help="Samenwerkende Catalogi (SC 4.0): SRU responses or feeds",
        description="Import SC 4.0 product descriptions (SRU responses or feeds; files, .gz, "
        ".xz, directories or tar archives) into an offerings document (specification "
        "chapter SCI). Prints the summary as a table; documents that cannot be read are "
        "reported and left out (exit code 1).",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, directories or archives")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="offerings document")
    p.add_argument("--summary", metavar="FILE", help="also write the summary as JSON")
    p.add_argument(
        "--upl-list",
        action="append",
        default=[],
        metavar="FILE",
        help="a UPL list (SPARQL JSON or CSV with a URI column) of the harvest's date, to "
        "tell UPL names outside the catalogue from URIs on no list; may be repeated",
    )
    p.add_argument("--year", type=int, help="reference year (default: the retrieval year)")
    p.add_argument(
        "--retrieved",
        metavar="YYYY-MM-DD",
        help="the retrieval date of documents that carry none (SC feeds)",
    )
    _formats(p, ("table", "json", "xlsx"), output=False)  # -o is the offerings document


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number (got {text!r})") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {value})")
    return value


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line; returns the exit code."""
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    with _starting() as started:
        from digimaat.cli.i18n import language

        parser = _parser()
        try:  # argparse writes help and usage errors itself: to the streams given here
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                args = parser.parse_args(argv)
        except SystemExit as exc:  # argparse: --help/--version exit 0, usage errors exit 2
            return int(exc.code) if isinstance(exc.code, int) else EXIT_ERROR
        with language(args.lang):
            try:
                return _run(args, out, started)
            except Exception as exc:  # every failure ends in an exit code, never a traceback
                return _failed(args, exc, err)


@contextlib.contextmanager
def _starting() -> Iterator[Callable[[], None]]:
    """Pause Python's cyclic garbage collector while the command line starts.

    Parsing the arguments and importing the command's module (with the modules its
    commands need) make tens of thousands of objects that live as long as the process, none
    of them garbage; the collector would walk them again and again. The block is given a
    function to call once the command has started: it moves every object made so far out
    of the collector's reach (:func:`gc.freeze`) and resumes the collector for the
    command's own work. At the end the objects are given back to the collector, so that
    calling :func:`main` in a program leaves the collector as it was. A program that paused
    the collector or froze objects itself is left alone.
    """
    ours = gc.isenabled() and gc.get_freeze_count() == 0
    state = {"paused": ours, "frozen": False}

    def started() -> None:
        if state["paused"]:
            gc.freeze()
            state.update(paused=False, frozen=True)
            gc.enable()

    if ours:
        gc.disable()
    try:
        yield started
    finally:
        if state["frozen"]:
            gc.unfreeze()
        if state["paused"]:
            gc.enable()


def run() -> None:
    """The ``digimaat`` program (the script, and ``python -m digimaat``): :func:`main` on the
    process's arguments, then the process's end with its exit code.

    The program runs BLAS (numpy's OpenBLAS) in one thread, unless ``OPENBLAS_NUM_THREADS``
    says otherwise: it is set before numpy is imported, which otherwise starts a BLAS
    thread per core that waits for work by spinning, taking a core from the command and
    from other work on the machine. Its commands make only small matrix products, and the
    uncertainty analysis scores its chunks with BLAS in one thread anyway (in this process
    and in the processes of a local Dask cluster, which inherit the setting); the results
    are the same.

    The process ends without the interpreter's shutdown (see :func:`_end`), which would
    only free, object by object, memory that the end of the process frees anyway. It is
    the program's end, not a function to call and go on from: a program that runs the
    command line and then continues calls :func:`main`, which returns the exit code.
    """
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    _end(main())


def _end(code: int) -> NoReturn:
    """End the process with ``code`` once the command is done: the :mod:`atexit` functions
    run and the standard streams are flushed (a stream that cannot be written makes the
    code :data:`EXIT_ERROR`, with a line on standard error where it can still be written),
    then the process exits at once (:func:`os._exit`).

    The interpreter's shutdown would free every module and object one by one, a few
    milliseconds of a short command, and its collections would walk every object the
    command made and imported. Every file a command writes is closed by the command
    itself. Where a thread other than the main one is still running, where the program
    runs under a debugger, profiler or tracer, or with an interactive prompt to follow
    (:func:`_watched`), or where the interpreter cannot run the :mod:`atexit` functions on
    request, the process ends as Python ends it (:func:`sys.exit`), with every object out
    of the collector's reach (:func:`gc.freeze`).
    """
    import atexit
    import threading

    gc.freeze()
    run_exit_functions = getattr(atexit, "_run_exitfuncs", None)
    if threading.active_count() > 1 or run_exit_functions is None or _watched():
        sys.exit(code)
    run_exit_functions()
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError) as exc:
            code = EXIT_ERROR
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.write(f"digimaat: {exc}\n")
                sys.stderr.flush()
    os._exit(code)


def _watched() -> bool:
    """Whether the program runs where something expects the interpreter to go on after it:
    a debugger, profiler or tracer (``python -m cProfile``, ``pdb``, ``trace``, coverage),
    which writes its results or takes over once the program's ``SystemExit`` reaches it,
    or an interactive prompt (``python -i``, ``PYTHONINSPECT``)."""
    if sys.flags.interactive or sys.flags.inspect or os.environ.get("PYTHONINSPECT"):
        return True
    if sys.gettrace() is not None or sys.getprofile() is not None:
        return True
    monitoring = getattr(sys, "monitoring", None)  # Python 3.12+: cProfile and pdb use it
    return monitoring is not None and any(
        monitoring.get_tool(tool) is not None for tool in range(6)
    )


_MODULES = {
    "score": "commands",
    "explain": "commands",
    "next": "commands",
    "validate": "intake",
    "import": "intake",
    "compare": "comparison",
    "trend": "trends",
    "report": "comparison",
    "template": "sheets",
    "catalogue": "reference",
    "profiles": "reference",
    "conformance": "reference",
    "example": "reference",
    "uncertainty": "uncertainty",
}
"""The module of each command's function (of the same name, but ``next_steps`` and
``import_sc``)."""
_FUNCTIONS = {"next": "next_steps", "import": "import_sc"}


def _run(args: argparse.Namespace, out: TextIO, started: Callable[[], None]) -> int:
    import importlib

    from digimaat.cli.render import check_destination, deliver, output

    module = importlib.import_module(f"digimaat.cli.{_MODULES[args.command]}")
    started()  # the command's modules are imported: the collector resumes
    command: Callable[[argparse.Namespace], Any] = getattr(
        module, _FUNCTIONS.get(args.command, args.command)
    )
    form = getattr(args, "format", None) or "table"
    destination = getattr(args, "destination", None)
    if hasattr(args, "destination") or args.command == "import":  # not template's own -o
        option = "-o FILE" if hasattr(args, "destination") else "--summary FILE.xlsx"
        check_destination(form, destination, out, option)  # before the work, not after
    result = command(args)
    if isinstance(result, str):  # a file's text, written as it is (digimaat template)
        out.write(result)
        return EXIT_OK
    reports: list[Any] = result if isinstance(result, list) else [result]
    deliver(output(reports, form), destination, out)  # only complete results are written
    if any(report.data.get("findings") for report in reports):
        return EXIT_FINDINGS  # validate found problems, or import left documents out
    return EXIT_OK


def _failed(args: argparse.Namespace, exc: Exception, err: TextIO) -> int:
    from digimaat.cli.i18n import _, problems_text
    from digimaat.errors import DigimaatError, InputError, safe_text

    error = _("error")
    if isinstance(exc, InputError):
        err.write(f"digimaat {args.command}: {error}: {problems_text(exc)}\n")
        return EXIT_ERROR
    if isinstance(exc, DigimaatError):
        err.write(f"digimaat {args.command}: {error}: {exc}\n")
        return EXIT_ERROR
    if isinstance(exc, OSError):
        err.write(f"digimaat {args.command}: {error}: {safe_text(str(exc))}\n")
        return EXIT_ERROR
    if args.debug:
        import traceback

        traceback.print_exception(exc, file=err)
    else:
        name = type(exc).__name__
        internal = _(
            "internal error ({error}); this is a bug in digimaat: run again with --debug for "
            "details and report it"
        ).format(error=f"{name}: {safe_text(str(exc))[:200]}")
        err.write(f"digimaat {args.command}: {internal}\n")
    return EXIT_INTERNAL


guard(__name__)
