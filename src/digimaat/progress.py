"""A progress bar for long commands: on a terminal only, never in pipes, files or CI.

The bar is written to standard error, and only when standard error is a terminal and the
environment variable ``CI`` is not set (continuous-integration services set it). Anywhere
else a :class:`Progress` does nothing, so a command's output and its logs stay clean. It
has no dependencies and knows nothing of digimaat, so any command can use it:

>>> import io
>>> bar = Progress(total=200, label="import", stream=io.StringIO())
>>> bar.active  # a StringIO is not a terminal
False
>>> with bar:
...     bar.update(100)
>>> shown = io.StringIO()
>>> with Progress(total=200, label="import", stream=shown, active=True) as bar:
...     bar.update(100)
>>> print(shown.getvalue().split("\\r")[1])
import [##########----------]  50%

A bar is also a callback ``(done, total)``, the form in which readers report their
progress (:func:`digimaat.exchange.load`, :func:`digimaat.analysis.report.render_report`),
so a command hands it over as it is:

>>> shown = io.StringIO()
>>> with Progress(0, "read", stream=shown, active=True) as bar:
...     bar(1, 4)
>>> print(shown.getvalue().split("\\r")[1])
read [#####---------------]  25%
"""

from __future__ import annotations

import os
import sys
import time
from types import TracebackType
from typing import TextIO

from digimaat._boundary import guard

__all__ = ["Progress", "wanted"]

_WIDTH = 20
_INTERVAL = 0.1
"""Seconds between redraws: drawing is cheap, but not free on a slow terminal."""


def wanted(stream: TextIO | None = None) -> bool:
    """Whether a bar belongs on ``stream`` (default: standard error): a terminal, not CI."""
    stream = sys.stderr if stream is None else stream
    if os.environ.get("CI"):
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # a closed or detached stream
        return False


class Progress:
    """A one-line bar, ``label [####------]  40%``, redrawn in place as work is done.

    ``total`` is the amount of work (any unit, e.g. bytes); :meth:`update` sets how much is
    done. ``active`` defaults to :func:`wanted`; an inactive bar writes nothing. Use it as a
    context manager, so that the line is cleared when the work ends, also on an error.
    """

    def __init__(
        self,
        total: int,
        label: str,
        *,
        stream: TextIO | None = None,
        active: bool | None = None,
    ) -> None:
        self.total = max(int(total), 0)
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.active = wanted(self.stream) if active is None else active
        self.done = 0
        self._drawn = -1.0
        self._last = ""

    def update(self, done: int) -> None:
        """Set the work done so far (clamped to ``0 .. total``) and redraw when due."""
        self.done = min(max(int(done), 0), self.total)
        if not self.active:
            return
        now = time.monotonic()
        if now - self._drawn >= _INTERVAL or self.done >= self.total:
            self._drawn = now
            self._draw()

    def __call__(self, done: int, total: int) -> None:
        """Set the total and the work done: the bar as a callback ``(done, total)``."""
        self.total = max(int(total), 0)
        self.update(done)

    def advance(self, amount: int) -> None:
        """Add ``amount`` to the work done."""
        self.update(self.done + amount)

    def _draw(self) -> None:
        share = self.done / self.total if self.total else 1.0
        filled = int(share * _WIDTH)
        line = f"{self.label} [{'#' * filled}{'-' * (_WIDTH - filled)}] {share:4.0%}"
        if line != self._last:
            self._last = line
            self.stream.write("\r" + line)
            self.stream.flush()

    def close(self) -> None:
        """Clear the line (an inactive bar writes nothing)."""
        if self.active and self._last:
            self._draw()
            self.stream.write("\r" + " " * len(self._last) + "\r")
            self.stream.flush()
            self._last = ""

    def __enter__(self) -> Progress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


guard(__name__)
