"""The progress bar: on a terminal only, never in pipes or CI, and cleared when done."""

from __future__ import annotations

import io

import pytest

from digimaat.progress import Progress, wanted


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_is_drawn_on_a_terminal_and_cleared(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    screen = Terminal()
    with Progress(1000, "work", stream=screen) as bar:
        assert bar.active
        bar.update(1000)
    text = screen.getvalue()
    assert "work [####################] 100%" in text
    assert text.endswith("\r")  # the line is cleared at the end


def test_no_bar_in_ci_or_in_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert not wanted(Terminal())
    monkeypatch.delenv("CI")
    assert wanted(Terminal())
    pipe = io.StringIO()
    assert not wanted(pipe)
    with Progress(10, "work", stream=pipe) as bar:
        bar.update(5)
        bar.advance(5)
        assert bar.done == 10
    assert pipe.getvalue() == ""


def test_work_done_is_clamped_and_a_total_of_zero_is_full() -> None:
    screen = Terminal()
    bar = Progress(0, "x", stream=screen, active=True)
    bar.update(50)
    bar.close()
    assert "100%" in screen.getvalue()
    other = Progress(10, "x", stream=io.StringIO(), active=False)
    other.update(-3)
    assert other.done == 0
