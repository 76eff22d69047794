"""Artifacts of the browser tests: their paths are printed at the end of the run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
"""Where screenshots and PDFs of the report are kept (git-ignored)."""

_WRITTEN = pytest.StashKey[list[Path]]()


@pytest.fixture
def artifact(request: pytest.FixtureRequest) -> Callable[[str], Path]:
    """A path in ``tests/artifacts/`` for a file a test keeps; listed at the end of the run."""

    def path(name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS / name
        request.config.stash.setdefault(_WRITTEN, []).append(target)
        return target

    return path


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    written = config.stash.get(_WRITTEN, [])
    if written:
        terminalreporter.section("browser artifacts")
        for target in written:
            terminalreporter.line(str(target))
