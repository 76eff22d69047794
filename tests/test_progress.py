"""The progress bar: on a terminal only, never in pipes or CI, and cleared when done; the
readers and the report tell a callback how far they are, and the command line draws."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from digimaat.cli import main
from digimaat.errors import InputError
from digimaat.exchange import load, load_years
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


# -- who reports progress, and who draws it ----------------------------------------------

DATA = Path(__file__).resolve().parents[1] / "src" / "digimaat" / "data"
EXAMPLE = DATA / "example.json"
EXAMPLE_2023 = DATA / "example-2023.json"


def test_reading_files_reports_three_steps_per_file(tmp_path: Path) -> None:
    """load() tells a callback the steps done (read, cut into records, checked), from 0 to
    all of them, also past a file that cannot be read; it draws nothing itself."""
    calls: list[tuple[int, int]] = []
    load(EXAMPLE, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]
    calls.clear()
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError):
        load_years(EXAMPLE_2023, broken, EXAMPLE, progress=lambda d, t: calls.append((d, t)))
    assert calls[0] == (0, 9)
    assert calls[-1] == (9, 9)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_the_report_reports_each_municipality() -> None:
    pytest.importorskip("matplotlib")
    from digimaat.analysis.report import render_report
    from digimaat.analysis.trends import read_years
    from digimaat.measurement.profiles import standard_profile

    calls: list[tuple[int, int]] = []
    years = read_years([EXAMPLE], progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (3, 3)
    calls.clear()
    render_report(years, standard_profile(), progress=lambda d, t: calls.append((d, t)))
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


COMMANDS = [
    (("score", str(EXAMPLE)), "digimaat score: reading example.json"),
    (("validate", str(EXAMPLE_2023), str(EXAMPLE)), "digimaat validate: reading 2 files"),
    (("compare", str(EXAMPLE), "--format", "json"), "digimaat compare: reading example.json"),
    (("trend", str(EXAMPLE_2023), str(EXAMPLE), "--explain"), "digimaat trend: explaining 3"),
]


@pytest.mark.parametrize(("argv", "label"), COMMANDS)
def test_commands_draw_a_bar_on_a_terminal_only(
    argv: tuple[str, ...], label: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal a command shows its bar on standard error and clears it; in a pipe
    and under CI it writes nothing there; its output is the same either way."""
    monkeypatch.delenv("CI", raising=False)
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    shown = io.StringIO()
    assert main(list(argv), shown, io.StringIO()) in (0, 1)
    drawn = screen.getvalue()
    assert label in drawn
    assert "100%" in drawn
    assert drawn.endswith("\r")  # cleared
    for environment, stream in (("true", Terminal()), (None, io.StringIO())):
        if environment:
            monkeypatch.setenv("CI", environment)
        else:
            monkeypatch.delenv("CI", raising=False)
        monkeypatch.setattr(sys, "stderr", stream)
        quiet = io.StringIO()
        assert main(list(argv), quiet, io.StringIO()) in (0, 1)
        assert stream.getvalue() == ""
        assert quiet.getvalue() == shown.getvalue()


def test_the_report_command_draws_reading_and_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("matplotlib")
    monkeypatch.delenv("CI", raising=False)
    screen = Terminal()
    monkeypatch.setattr(sys, "stderr", screen)
    page = tmp_path / "report.html"
    assert main(["report", str(EXAMPLE), "-o", str(page)], io.StringIO(), io.StringIO()) == 0
    drawn = screen.getvalue()
    assert "digimaat report: reading example.json" in drawn
    assert "digimaat report: 3 municipalities [####################] 100%" in drawn
