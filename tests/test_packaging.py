"""The release: the sdist and the wheel, each used on its own (VER-7, VER-8, CLS-4).

``python -m build`` makes the sdist and then builds the wheel *from the sdist*, so a wheel
that builds shows that the sdist holds what a build needs. These tests then

- check the metadata with ``twine check``;
- install the wheel alone into a clean virtual environment and run the command line and a
  conformance run of the vectors it carries;
- unpack the sdist into an empty folder, install it from there with its test extra into
  another clean environment, and run a quick subset of its own tests.

They are slow (a minute or two: two environments are created and filled) and run with the
rest of the tests in ``make test``; ``make dist-check`` runs only them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from digimaat._version import SPEC_VERSION, __version__

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.packaging


def _run(*argv: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    result = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{argv}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and the wheel built from it, as ``make dist`` builds them."""
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ROOT)
    return out


def _venv(where: Path) -> Path:
    _run(sys.executable, "-m", "venv", where)
    return where / ("Scripts" if os.name == "nt" else "bin")


def test_twine_finds_the_metadata_clean(dist: Path) -> None:
    """The distributions' metadata (README as the long description, licences) is valid."""
    result = _run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()))
    assert result.stdout.count("PASSED") == 2


def test_the_wheel_carries_the_specification_and_the_licences_of_its_data(dist: Path) -> None:
    """VER-8: the vectors and schemas are published with the specification; the wheel
    carries them, the chapters and the built-in profiles as package data, and the licences
    of the code and of the shipped data beside each other."""
    (wheel,) = dist.glob("*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "digimaat/spec/schema/digimaat-conformance-1.0.schema.json" in names
    assert "digimaat/spec/conformance/cnf-weighting-mix.json" in names
    assert "digimaat/spec/13-conformance.md" in names
    assert "digimaat/data/profiles/digimaat-standard.toml" in names
    licences = {n.rsplit("/", 1)[-1] for n in names if "/licenses/" in n}
    assert licences == {"LICENSE", "NOTICE"}
    notice = (
        zipfile.ZipFile(wheel)
        .read(next(n for n in names if n.endswith("/licenses/NOTICE")))
        .decode("utf-8")
    )
    assert "Uniforme Productnamenlijst" in notice
    assert "CC BY 4.0" in notice
    assert "Bron: CBS" in notice
    assert "own_names.json.xz" in notice  # Samenwerkende Catalogi, licence not verified


def test_the_wheel_works_on_its_own(dist: Path, tmp_path: Path) -> None:
    """VER-7, CLS-4: installed alone in a clean environment, the wheel reports both
    versions, scores the worked example and passes the vectors it carries (read through
    importlib.resources)."""
    (wheel,) = dist.glob("*.whl")
    bin_dir = _venv(tmp_path / "venv")
    _run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel)
    version = _run(bin_dir / "digimaat", "--version").stdout
    assert __version__ in version
    assert f"specification {SPEC_VERSION}" in version
    report = _run(bin_dir / "digimaat", "conformance").stdout
    assert f"specification {SPEC_VERSION}" in report
    assert " 0 failed" in report
    _run(bin_dir / "python", "-m", "digimaat.conformance")
    example = _run(bin_dir / "digimaat", "example").stdout
    assert "Vlaardingen" in example
    # The compiled message catalogues travel in the wheel: --lang nl speaks Dutch.
    dutch = _run(bin_dir / "digimaat", "--lang", "nl", "profiles").stdout
    assert dutch.startswith("naam ")
    probe = (
        "import importlib.resources as r, json; "
        "spec = r.files('digimaat') / 'spec'; "
        "print(json.dumps([(spec / 'schema' / 'digimaat-offerings-1.0.schema.json').is_file(), "
        "len([f for f in (spec / 'conformance').iterdir() if f.name.endswith('.json')]), "
        "(r.files('digimaat.data.profiles') / 'mdd-product.toml').is_file()]))"
    )
    schema, vectors, profile = json.loads(_run(bin_dir / "python", "-c", probe).stdout)
    assert schema
    assert profile
    assert vectors == len(list((ROOT / "specs" / "conformance").glob("*.json")))
    # Without its optional extras, what needs them says which extra to install.
    probe = (
        "import io, sys; from digimaat.cli import main; err = io.StringIO(); "
        "code = main(['profiles', '--format', 'xlsx', '-o', 'p.xlsx'], io.StringIO(), err); "
        "from digimaat.analysis.tables import Table\n"
        "try: Table('t', (), ()).to_pandas()\n"
        "except ImportError as exc: print(code, err.getvalue().strip(), exc, sep='|')"
    )
    printed = _run(bin_dir / "python", "-c", probe, cwd=tmp_path).stdout.strip().split("|")
    assert printed[0] == "2"
    assert "pip install 'digimaat[xlsx]'" in printed[1]
    assert "pip install 'digimaat[frames]'" in printed[2]
    assert not (tmp_path / "p.xlsx").exists()


def test_the_sdist_installs_and_passes_its_tests_on_its_own(dist: Path, tmp_path: Path) -> None:
    """The sdist holds everything its tests need: unpacked into an empty folder and
    installed from there with its test extra, it passes a quick subset of its tests (the
    vectors, the specification, RFC 8785, the conformance classes)."""
    (sdist,) = dist.glob("*.tar.gz")
    with tarfile.open(sdist) as archive:
        if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and later
            archive.extractall(tmp_path / "unpacked", filter="data")
        else:  # pragma: no cover - older Pythons; the archive is our own
            archive.extractall(tmp_path / "unpacked")
    (source,) = (tmp_path / "unpacked").iterdir()
    assert not (source / ".git").exists()
    bin_dir = _venv(tmp_path / "venv")
    _run(bin_dir / "python", "-m", "pip", "install", "--quiet", f"{source}[test]")
    tests = [
        "tests/conformance",
        "tests/test_jcs.py",
        "tests/test_specification.py",
        "tests/test_conformance_classes.py",
    ]
    result = _run(
        bin_dir / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", *tests, cwd=source
    )
    assert " passed" in result.stdout
    assert " failed" not in result.stdout
