"""The files shipped inside the package, found without importing ``importlib.resources``
where the package is a folder.

For a package imported from a folder, :func:`importlib.resources.files` gives that folder as
a :class:`pathlib.Path`; importing it costs the command line several milliseconds (it
imports ``tempfile``, ``zipfile`` and more), which a short command notices. :func:`files`
gives the folder directly, as a :class:`Folder`, a traversable of the folder's files made
with :mod:`os.path` (:mod:`pathlib` imports ``urllib.parse`` and ``ipaddress``, a few
milliseconds more), and asks ``importlib.resources`` for a package imported in another way
(from a zip file, say).

>>> (files("digimaat.data") / "example.json").is_file()
True
>>> sorted(p.name for p in files("digimaat.data.profiles").iterdir() if p.name.endswith(".toml"))[0]
'digimaat-standard.toml'
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.machinery
import os
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, cast

from digimaat._boundary import guard

if TYPE_CHECKING:  # pragma: no cover
    from importlib.abc import Traversable

__all__ = ["Folder", "collector_paused", "files"]

_FOLDER_LOADERS = (importlib.machinery.SourceFileLoader, importlib.machinery.SourcelessFileLoader)


def files(package: str) -> Traversable:
    """The files of a package of digimaat, as :func:`importlib.resources.files` gives them."""
    module = importlib.import_module(package)
    spec = module.__spec__
    origin = getattr(module, "__file__", None)
    if spec is not None and isinstance(spec.loader, _FOLDER_LOADERS) and origin:
        return cast("Traversable", Folder(os.path.dirname(origin)))
    from importlib import resources

    return resources.files(package)


class Folder:
    """A file or folder of the package, with what :class:`importlib.abc.Traversable` offers
    (``name``, ``joinpath`` and ``/``, ``iterdir``, ``is_dir``, ``is_file``, ``open``,
    ``read_bytes``, ``read_text``), and its path (``os.fspath``)."""

    __slots__ = ("_path",)

    def __init__(self, path: str) -> None:
        self._path = path

    def __fspath__(self) -> str:
        return self._path

    def __str__(self) -> str:
        return self._path

    def __repr__(self) -> str:
        return f"Folder({self._path!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Folder) and other._path == self._path

    def __hash__(self) -> int:
        return hash(self._path)

    @property
    def name(self) -> str:
        """The last part of the path."""
        return os.path.basename(self._path)

    def joinpath(self, *descendants: str) -> Folder:
        """The file or folder at ``descendants`` below this one."""
        return Folder(os.path.join(self._path, *descendants))

    def __truediv__(self, child: str) -> Folder:
        return self.joinpath(child)

    def iterdir(self) -> Iterator[Folder]:
        """The files and folders in this folder."""
        return (self.joinpath(name) for name in os.listdir(self._path))

    def is_dir(self) -> bool:
        return os.path.isdir(self._path)

    def is_file(self) -> bool:
        return os.path.isfile(self._path)

    def open(self, mode: str = "r", *args: Any, **kwargs: Any) -> IO[Any]:
        """The file, opened as :func:`open` opens it."""
        return open(self._path, mode, *args, **kwargs)

    def read_bytes(self) -> bytes:
        with open(self._path, "rb") as handle:
            return handle.read()

    def read_text(self, encoding: str | None = None, errors: str | None = None) -> str:
        with open(self._path, encoding=encoding, errors=errors) as handle:
            return handle.read()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector within the block, where it would find nothing.

    Reading a national file, or the package's reference catalogue, creates many objects,
    none of them in a reference cycle; the collector would otherwise walk them again and
    again. The collector is resumed after the block only if it was running before it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


guard(__name__)
