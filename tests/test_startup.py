"""``digimaat score`` on a small file imports only what a score needs (issue 9: start-up).

The time itself is measured in ``benchmarks/exchange_peers.py``; these tests keep the
modules that only some runs need out of a plain ``score`` of a small JSON file, so that a
new import at the top of a module cannot bring them back unnoticed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path, PurePath

from hypothesis import given
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "src" / "digimaat" / "data" / "example.json"

LATE = (
    # profiles with an uncertainty section, comparisons among peers
    "digimaat.measurement.uncertainty",
    "digimaat.measurement.uncertainty_section",
    "digimaat.measurement.uncertainty_batch",
    "digimaat.analysis.uncertainty",
    "digimaat.analysis.peers",
    "numpy.random",
    # product names (synonyms), other commands, a package that is not a folder
    "digimaat.vocabulary.product_names",
    "digimaat.cli.intake",
    "importlib.resources",
    # the built-in profiles and the reference catalogue are built without cattrs, from
    # JSON without a TOML parser; weightings made of weightings where a profile has one
    "cattrs",
    "tomllib",
    # a built-in profile's fingerprint is taken from that JSON: no hashing, no canonical form
    "hashlib",
    "digimaat.jcs",
    "digimaat.measurement.weights_composed",
    # the readers of what a small JSON document does not hold, and the writers
    "orjson",
    "digimaat.exchange.native",
    "digimaat.exchange.jsoncareful",
    "digimaat.exchange.local",
    "digimaat.exchange.costs",
    "digimaat.exchange.writers",
    "digimaat.exchange.sheet",
    "csv",
    "lzma",
    "bz2",
    "difflib",
    # argparse's help formatter would import shutil for the terminal's width
    "shutil",
    # the package's folders and a file's name are found with os.path
    "pathlib",
    "urllib.parse",
    "ipaddress",
)
"""Modules a score of a small JSON file with a built-in profile does not need."""


def _modules_after(code: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    names: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return set(names)


def test_score_on_a_small_file_leaves_the_late_modules_unimported() -> None:
    code = (
        "import io, contextlib, json, sys\n"
        "from digimaat.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    assert main(['score', {str(EXAMPLE)!r}]) == 0\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    imported = _modules_after(code)
    assert "digimaat.measurement.profiles" in imported  # the score ran
    assert not {m for m in LATE if m in imported}


def test_the_late_modules_come_when_they_are_needed() -> None:
    """A name of the product names, of ``cli.intake`` or of the composed weightings is still
    where it was."""
    code = (
        "import json, sys\n"
        "from digimaat.vocabulary.products import SynonymTable, reference_synonyms\n"
        "from digimaat.cli.commands import validate\n"
        "from digimaat.measurement.weights import Mix, Restrict, Selector, factors\n"
        "from digimaat.exchange import ExchangeError\n"
        "assert ExchangeError.__module__ == 'digimaat.exchange.writers'\n"
        "assert validate.__module__ == 'digimaat.cli.intake'\n"
        "assert Mix.__module__ == 'digimaat.measurement.weights_composed'\n"
        "assert reference_synonyms().synonyms\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    imported = _modules_after(code)
    assert {
        "digimaat.vocabulary.product_names",
        "digimaat.cli.intake",
        "digimaat.measurement.weights_composed",
    } <= imported


def test_the_program_imports_none_of_the_late_modules() -> None:
    """``python -m digimaat score FILE``, the program itself, imports none of them either
    (the modules it imports, as ``-X importtime`` lists them)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "digimaat", "score", str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    imported = {
        line.rsplit("|", 1)[-1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "digimaat.measurement.profiles" in imported  # the score ran
    assert not {m for m in LATE if m in imported}


# -- what replaces pathlib on the way of a score ----------------------------------------------


def _paths() -> st.SearchStrategy[str]:
    """Paths of parts such as ``a``, ``.b``, ``a.json``, ``.``, ``..`` and empty ones."""
    seps = [os.sep, *([os.altsep] if os.altsep else [])]
    part = st.text(alphabet="ab.", max_size=5)
    return st.lists(part, max_size=4).flatmap(
        lambda parts: st.lists(st.sampled_from(seps), min_size=len(parts), max_size=len(parts)).map(
            lambda chosen: "".join(p + s for p, s in zip(parts, chosen, strict=True))
        )
    ) | st.builds(lambda a, b: a + b, st.text(alphabet="ab./", max_size=8), part)


@given(_paths())
def test_names_and_extensions_are_pathlib_s(path: str) -> None:
    """XCH-1: a file's form is named by its extension; the extension and the last part of a
    path are those :class:`pathlib.PurePath` gives, found without importing pathlib."""
    from digimaat.exchange.source import path_name, path_suffix

    pure = PurePath(path)
    assert path_name(path) == pure.name
    assert path_suffix(path) == pure.suffix


def test_the_package_s_folders_are_what_importlib_resources_gives() -> None:
    """The package's files, as ``digimaat._package.files`` gives them, are the files
    ``importlib.resources.files`` gives: the same names, kinds and contents."""
    from importlib import resources

    from digimaat._package import Folder, files

    for package in ("digimaat", "digimaat.data", "digimaat.data.profiles"):
        mine, theirs = files(package), resources.files(package)
        assert isinstance(mine, Folder)
        assert os.fspath(mine) == os.fspath(theirs)  # type: ignore[call-overload]
        assert sorted(p.name for p in mine.iterdir()) == sorted(p.name for p in theirs.iterdir())
        for entry in mine.iterdir():
            other = theirs / entry.name
            assert (entry.is_dir(), entry.is_file()) == (other.is_dir(), other.is_file())
            if entry.is_file():
                assert entry.read_bytes() == other.read_bytes()
                with entry.open("rb") as handle:
                    assert handle.read() == other.read_bytes()
    text = files("digimaat").joinpath("data", "profiles", "mdd-product.toml").read_text("utf-8")
    assert text == (resources.files("digimaat.data.profiles") / "mdd-product.toml").read_text(
        encoding="utf-8"
    )


# -- the end of the program --------------------------------------------------------------------

_PROGRAM = """
import atexit, sys
atexit.register(lambda: print("atexit ran"))
sys.argv = ["digimaat", *sys.argv[1:]]
from digimaat.cli import run
run()
"""


def _program(*arguments: str, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PROGRAM, *arguments],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        cwd=ROOT,
    )


def test_the_program_ends_with_its_output_flushed_and_atexit_run() -> None:
    """The program ends without the interpreter's shutdown, but as a program ends: its
    whole output written, the :mod:`atexit` functions run, and the command's exit code."""
    done = _program("score", str(EXAMPLE))
    assert done.returncode == 0, done.stderr
    assert "Profile digimaat-standard" in done.stdout
    assert done.stdout.rstrip().endswith("atexit ran")
    failed = _program("score", "no-such-file.json")
    assert failed.returncode == 2
    assert "no-such-file.json" in failed.stderr
    assert failed.stdout.strip() == "atexit ran"


def test_output_that_cannot_be_written_is_an_error() -> None:
    """Output to a device that takes none (Linux's ``/dev/full``) ends with exit code 2 and
    a line on standard error, not with a code of success."""
    if not Path("/dev/full").exists():
        import pytest

        pytest.skip("no /dev/full here")
    with open("/dev/full", "w") as full:
        done = _program("score", str(EXAMPLE), stdout=full)
    assert done.returncode == 2
    assert "No space left on device" in done.stderr


def test_the_program_under_a_profiler_or_tracer_ends_as_python_ends(tmp_path: Path) -> None:
    """Under a profiler (``python -m cProfile``) or a tracer, the program ends as Python
    ends it, by ``SystemExit``: the profiler writes its results, and a program that traces
    the command finds the exception and its exit code, rather than a process that is gone."""
    written = tmp_path / "score.prof"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cProfile",
            "-o",
            str(written),
            "-m",
            "digimaat",
            "score",
            str(EXAMPLE),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert written.stat().st_size > 0
    traced = (
        "import sys\n"
        "sys.settrace(lambda *args: None)\n"
        "sys.argv = ['digimaat', 'score', sys.argv[1]]\n"
        "from digimaat.cli import run\n"
        "try:\n"
        "    run()\n"
        "except SystemExit as exc:\n"
        "    print('exit code', exc.code, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", traced, str(EXAMPLE)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().endswith("exit code 0")
