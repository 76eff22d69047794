"""The exchange layer: the standard's file formats (specification chapter XCH).

Exchange turns files into submissions and datasets, and submissions back into files; it
never computes a score. Every file is read by one pipeline:

1. **source** (:mod:`~digimaat.exchange.source`): the bytes, under the size limit, checked
   to be UTF-8;
2. **raw records** (:mod:`~digimaat.exchange.raw`): cut by the tokenizer of the file's form,
   the JSON document's (:mod:`~digimaat.exchange.jsonform`) or the CSV form's
   (:mod:`~digimaat.exchange.csvform`), each value with its place (a JSON pointer, or a row
   and column);
3. **rules** (:mod:`~digimaat.exchange.rules`, :mod:`~digimaat.exchange.validation`): one
   set of rules for every form, each citing its clause, applied once per distinct value;
4. **build** (:mod:`~digimaat.exchange.submission`): a :class:`Submission`, whose
   offerings are columns that become a dataset's arrays directly, or records on demand.

Every problem of every file is reported together in one
:class:`~digimaat.errors.InputError`, each naming its file, place, field, value, clause and,
where there is one, a suggestion.

``load`` and ``load_dataset`` take paths or open files; ``loads`` takes text (or bytes)
held in memory. ``dump`` writes a file; ``dumps`` returns its text.

>>> from digimaat.exchange import loads
>>> submission = loads('''{"format": "digimaat-offerings", "spec_version": "1.0",
...   "reference_year": 2024,
...   "municipalities": [{"cbs_code": "GM0622", "name": "Vlaardingen",
...                       "population": 74124, "year": 2021}],
...   "offerings": [{"municipality": "GM0622", "product": "parkeervergunning",
...                  "capabilities": ["information-online", "downloadable-form"],
...                  "volumes": {"balie": "700/year", "post": "25 per month"}}]}''',
...                    form="json")
>>> offering = submission.offerings[0]
>>> offering.product, offering.volumes.per_year()
('http://standaarden.overheid.nl/owms/terms/parkeervergunning', {'balie': 700.0, 'post': 300.0})
>>> submission.dataset().shape
(1, 1, 7)
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from typing import IO, TYPE_CHECKING, Any, TypeVar, cast

import attrs

from digimaat._boundary import guard
from digimaat._package import collector_paused
from digimaat.errors import InputError, InvalidValueError, Problem, ProblemCollector
from digimaat.exchange.jsonform import RawDocument
from digimaat.exchange.sheet_columns import COLUMNS, REQUIRED_COLUMNS
from digimaat.exchange.source import (
    COMPRESSED,
    MAX_BYTES,
    MAX_DEPTH,
    Limits,
    Source,
    form_of,
    path_suffix,
    read_source,
    text_source,
)
from digimaat.exchange.submission import Submission, merge
from digimaat.exchange.validation import FORMAT, FileContent, validate

if TYPE_CHECKING:  # pragma: no cover - the writers when a file is written, sheets when read
    from digimaat.exchange.sheet import RawSheet
    from digimaat.exchange.writers import ExchangeError

__all__ = [
    "COLUMNS",
    "FORMAT",
    "MAX_BYTES",
    "MAX_DEPTH",
    "REQUIRED_COLUMNS",
    "ExchangeError",
    "Limits",
    "Progress",
    "Submission",
    "dump",
    "dumps",
    "load",
    "load_dataset",
    "load_years",
    "loads",
]

File = str | os.PathLike[str] | IO[bytes] | IO[str]
"""What ``load`` reads: a path, or a file object opened for reading."""

Progress = Callable[[int, int], None]
"""A callback ``(steps done, steps in all)`` for a progress bar: :func:`load` counts three
steps per file (read, cut into records, checked), and calls it before the first and after
every step. The exchange layer draws nothing; the command line draws the bar."""

_FORMS = ("json", "csv", "xlsx")
_Raw = TypeVar("_Raw")


def _read(
    read: Callable[[], Source],
    catalogue: Any,
    limits: Limits,
    collector: ProblemCollector,
    sheet: str | None = None,
    step: Callable[[], None] | None = None,
    stream: Callable[[], RawSheet | None] | None = None,
) -> list[FileContent]:
    """One file through the pipeline: its bytes, the tokenizer of its form, then the rules:
    one content per reference year of the file (a sheet may hold several, XCH-11.1).

    ``read`` gives the file's :class:`Source`; its bytes are let go as soon as the records
    are cut, so that they are not kept while the rules are applied. ``stream``, where
    given, cuts the file a block at a time instead, or gives ``None`` to have it read whole.
    """
    with collector_paused():  # millions of objects for a national file, none in a cycle
        raw: RawDocument | RawSheet | None = stream() if stream is not None else None
        if raw is not None:
            if step is not None:
                step()  # read (and cut, a block at a time)
        else:
            try:
                source = read()
            except InputError as exc:
                collector.absorb(exc)
                return []
            if step is not None:
                step()  # read
            raw = _tokenize(source, limits, collector, sheet)
            del source
            if raw is None:
                return []
        raw = _cut(raw, step)
        parts = cast("RawSheet", raw).by_year() if raw.is_sheet else [raw]
        contents = (validate(part, catalogue, limits, collector) for part in parts)
        return [content for content in contents if content is not None]


def _tokenize(
    source: Source, limits: Limits, collector: ProblemCollector, sheet: str | None
) -> RawDocument | RawSheet | None:
    """The raw records of a source, cut by the tokenizer of its form (without its bytes)."""
    raw: RawDocument | RawSheet
    if source.form == "xlsx":
        from digimaat.exchange.xlsxform import tokenize as tokenize_xlsx

        raw = tokenize_xlsx(source, limits, sheet)
    elif source.form == "json":
        from digimaat.exchange.jsonform import tokenize as tokenize_json

        raw = tokenize_json(source, limits)
    elif source.form == "csv":
        from digimaat.exchange.csvform import tokenize as tokenize_csv

        raw = tokenize_csv(source, limits)
    else:
        collector.add(
            Problem(
                "file",
                path_suffix(source.name),
                "has an unknown form; expected .json, .csv or .xlsx (or give form=)",
                source=source.name,
                clause="XCH-1",
            )
        )
        return None
    return attrs.evolve(raw, source=Source(source.name, b"", source.form))


def _cut(raw: _Raw, step: Callable[[], None] | None) -> _Raw:
    """The raw records of a file, once cut: a step of its progress."""
    if step is not None:
        step()
    return raw


def _files(files: Sequence[File]) -> list[File]:
    if not files:
        raise InvalidValueError("files", [], "name at least one file")
    if len(files) == 1 and isinstance(files[0], list | tuple):
        return list(files[0])
    return list(files)


def _contents(
    files: Sequence[File],
    form: str | None,
    catalogue: Any,
    limits: Limits | None,
    sheet: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[FileContent], ProblemCollector, Any, Limits]:
    from digimaat.vocabulary.products import Catalogue, reference_catalogue

    limits = Limits() if limits is None else limits
    if not isinstance(limits, Limits):
        raise InvalidValueError("limits", type(limits).__name__, "must be a Limits record")
    if form is not None and form not in _FORMS:
        raise InvalidValueError("form", form, "must be 'json', 'csv' or 'xlsx'")
    base = reference_catalogue() if catalogue is None else catalogue
    if not isinstance(base, Catalogue):
        raise InvalidValueError("catalogue", type(base).__name__, "must be a Catalogue")
    collector = ProblemCollector(limit=limits.max_problems)
    contents: list[FileContent] = []
    steps = _Steps(progress, _STEPS * len(files))
    for n, file in enumerate(files, 1):
        read = functools.partial(read_source, file, form=form, limits=limits)
        stream = _streamed(file, form, limits)
        contents += _read(read, base, limits, collector, sheet, steps.step, stream)
        steps.reach(n * _STEPS)
    return contents, collector, base, limits


def _streamed(file: File, form: str | None, limits: Limits) -> Callable[[], RawSheet | None] | None:
    """How a CSV file given by its path is cut a block at a time, never held in memory
    whole (:func:`digimaat.exchange.csvform.tokenize_file`); ``None`` for any other file."""
    if not isinstance(file, str | os.PathLike):
        return None
    path: object = os.fspath(file)
    if not isinstance(path, str) or path_suffix(path).lower() in COMPRESSED:
        return None  # bytes are refused when the file is read
    if (form if form is not None else form_of(path)) != "csv":
        return None
    from digimaat.exchange.csvform import tokenize_file

    return functools.partial(tokenize_file, path, limits)


_STEPS = 3
"""The steps of a file that :data:`Progress` counts: read, cut into records, checked."""


class _Steps:
    """Counts the steps of reading files and reports them to a progress callback."""

    def __init__(self, progress: Callable[[int, int], None] | None, total: int) -> None:
        self.progress = progress
        self.total = total
        self.done = 0
        if progress is not None:
            progress(0, total)

    def step(self) -> None:
        self.reach(self.done + 1)

    def reach(self, done: int) -> None:
        self.done = done
        if self.progress is not None:
            self.progress(done, self.total)


def _raise(collector: ProblemCollector) -> None:
    if collector.problems:
        problems = sorted(collector.problems, key=lambda p: p.source or "")
        raise InputError(problems, collector.more)


def load(
    *files: File,
    form: str | None = None,
    catalogue: Any = None,
    limits: Limits | None = None,
    sheet: str | None = None,
    progress: Progress | None = None,
) -> Submission:
    """Read one or more exchange files into one :class:`Submission` (XCH-1 to XCH-18).

    Each file is a path or an open file; its form (``"json"``, ``"csv"`` or ``"xlsx"``) is
    taken from its extension (also before ``.gz`` or ``.xz``), or from ``form``. A workbook
    is read from its first sheet, or from the sheet named ``sheet``. Products are resolved
    in ``catalogue`` (the reference catalogue by default) plus the files' local products.
    Every problem of every file is reported together in one
    :class:`~digimaat.errors.InputError`. ``progress``, when given, is told the steps done
    (see :data:`Progress`).
    """
    contents, collector, base, _ = _contents(
        _files(files), form, catalogue, limits, sheet, progress
    )
    submission = merge(contents, base, collector)
    _raise(collector)
    assert submission is not None
    return submission


def loads(
    text: str | bytes,
    *,
    form: str,
    name: str | None = None,
    catalogue: Any = None,
    limits: Limits | None = None,
    sheet: str | None = None,
) -> Submission:
    """Read one exchange file held in memory, as text or bytes, in the given form.

    ``name`` names the file in problems (default ``<text>``); a workbook (``form="xlsx"``)
    is given as bytes.
    """
    if form not in _FORMS:
        raise InvalidValueError("form", form, "must be 'json', 'csv' or 'xlsx'")
    source = text_source(text, name=name, form=form, limits=limits)
    from digimaat.vocabulary.products import reference_catalogue

    base = reference_catalogue() if catalogue is None else catalogue
    limits = Limits() if limits is None else limits
    collector = ProblemCollector(limit=limits.max_problems)
    contents = _read(lambda: source, base, limits, collector, sheet)
    submission = merge(contents, base, collector)
    _raise(collector)
    assert submission is not None
    return submission


def load_dataset(
    *files: File,
    form: str | None = None,
    catalogue: Any = None,
    limits: Limits | None = None,
    sheet: str | None = None,
    products: Iterable[str] | None = None,
    costs: Any = None,
    progress: Progress | None = None,
) -> Any:
    """Read one or more exchange files into one :class:`~digimaat.measurement.dataset.Dataset`.

    The same as ``load(*files, ...).dataset(products=products, costs=costs)``.
    """
    submission = load(
        *files, form=form, catalogue=catalogue, limits=limits, sheet=sheet, progress=progress
    )
    return submission.dataset(products=products, costs=costs)


def load_years(
    *files: File,
    form: str | None = None,
    catalogue: Any = None,
    limits: Limits | None = None,
    progress: Progress | None = None,
) -> dict[int, Submission]:
    """Read files of one or more reference years: one :class:`Submission` per year.

    Files of the same year must agree as :func:`load` requires; every problem of every
    file is reported together; ``progress`` is told the steps done, as by :func:`load`.
    """
    contents, collector, base, _ = _contents(
        _files(files), form, catalogue, limits, progress=progress
    )
    by_year: dict[int, list[FileContent]] = {}
    for content in contents:
        if content.reference_year is not None:
            by_year.setdefault(content.reference_year, []).append(content)
    out: dict[int, Submission] = {}
    for year in sorted(by_year):
        submission = merge(by_year[year], base, collector)
        if submission is not None:
            out[year] = submission
    _raise(collector)
    return out


def dumps(submission: Submission, *, form: str = "json", dutch: bool = False) -> str:
    """The text of a submission in a form: ``"json"`` (XCH-10) or ``"csv"`` (XCH-13).

    ``dutch=True`` writes the CSV form as a Dutch spreadsheet expects it (XCH-12).
    """
    from digimaat.exchange.writers import dumps_csv, dumps_json

    if form == "json":
        if dutch:
            raise InvalidValueError("dutch", dutch, "applies to the CSV form only")
        return dumps_json(submission)
    if form == "csv":
        return dumps_csv(submission, dutch=dutch)
    raise InvalidValueError("form", form, "must be 'json' or 'csv'")


def dump(
    submission: Submission,
    file: str | os.PathLike[str] | IO[str],
    *,
    form: str | None = None,
    dutch: bool = False,
) -> None:
    """Write a submission to a path or an open text file, in the form its extension names."""
    if form is None:
        name = os.fspath(file) if isinstance(file, str | os.PathLike) else getattr(file, "name", "")
        form = form_of(str(name)) or "json"
    text = dumps(submission, form=form, dutch=dutch)
    if isinstance(file, str | os.PathLike):
        newline = "" if form == "csv" else None
        with open(file, "w", encoding="utf-8", newline=newline) as handle:
            handle.write(text)
    else:
        file.write(text)


guard(__name__)


def __getattr__(name: str) -> Any:
    """``ExchangeError``, from the writers, which are imported when a file is first written."""
    if name != "ExchangeError":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from digimaat.exchange.writers import ExchangeError

    globals()[name] = ExchangeError
    return ExchangeError


def __dir__() -> list[str]:
    """The module's names, with the one it imports when first asked for."""
    return sorted({*globals(), "ExchangeError"})
