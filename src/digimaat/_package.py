"""The files shipped inside the package, found without importing ``importlib.resources``
where the package is a folder.

For a package imported from a folder, :func:`importlib.resources.files` gives that folder as
a :class:`pathlib.Path`; importing it costs the command line several milliseconds (it
imports ``tempfile``, ``zipfile`` and more), which a short command notices. :func:`files`
gives the same path directly, and asks ``importlib.resources`` for a package imported in
another way (from a zip file, say).

>>> (files("digimaat.data") / "example.json").is_file()
True
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import importlib.machinery
import pathlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from digimaat._boundary import guard

if TYPE_CHECKING:  # pragma: no cover
    from importlib.abc import Traversable

__all__ = ["collector_paused", "files"]

_FOLDER_LOADERS = (importlib.machinery.SourceFileLoader, importlib.machinery.SourcelessFileLoader)


def files(package: str) -> Traversable:
    """The files of a package of digimaat, as :func:`importlib.resources.files` gives them."""
    module = importlib.import_module(package)
    spec = module.__spec__
    origin = getattr(module, "__file__", None)
    if spec is not None and isinstance(spec.loader, _FOLDER_LOADERS) and origin:
        return pathlib.Path(origin).parent
    from importlib import resources

    return resources.files(package)


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
