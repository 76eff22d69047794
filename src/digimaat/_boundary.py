"""The boundary of the public API: a wrong type is a ``DigimaatError``, never an internal one.

Every public function, constructor and ``from_...`` constructor of digimaat checks the
values it is given (a CBS code, a volume, a weight) and refuses a bad one with a
:class:`~digimaat.errors.DigimaatError`. A value of the wrong *type* (``None`` for a
dataset, a number for a list of offerings) would otherwise fail somewhere inside, as a
``TypeError`` or an ``AttributeError`` that names digimaat's internals rather than the
argument. :func:`guard` makes the public names of a module report such a call as an
:class:`~digimaat.errors.InvalidTypeError` naming the parameter, the value and the type
its annotation asks for.

The check costs nothing on a call that succeeds: only when a call fails with an error that
is not a ``DigimaatError`` are its arguments compared with the annotations of the
function. An argument of another type than its annotation allows is then the cause, and
is reported as such; when every argument has its annotated type, the failure is a bug of
digimaat and propagates as it is (the command line reports it as an internal error).

>>> from digimaat.measurement.dataset import Dataset
>>> Dataset.from_offerings(None, [])
Traceback (most recent call last):
...
digimaat.errors.InvalidTypeError: offerings: must be Iterable[Offering], not NoneType (got None)
"""

from __future__ import annotations

import collections.abc
import enum
import functools
import io
import numbers
import os
import sys
import types
import typing
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

__all__ = ["guard", "guarded", "renamed"]

F = TypeVar("F", bound=Callable[..., Any])

_CONTAINERS = (list, tuple, set, frozenset, dict, collections.abc.Mapping, bytes, bytearray)
"""Containers whose items are compared with the annotation (they hold them already)."""


def guarded(func: F, module: str | None = None) -> F:
    """``func``, reporting a failure caused by an argument of the wrong type (see above)."""
    if getattr(func, "__digimaat_guarded__", False):
        return func

    @functools.wraps(func)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            from digimaat.errors import DigimaatError, InvalidTypeError

            if isinstance(exc, DigimaatError):
                raise
            wrong = _wrong_argument(func, module, args, kwargs)
            if wrong is None:
                raise  # every argument has its type: a bug, reported as one
            name, value, annotation = wrong
            raise InvalidTypeError(name, value, annotation) from exc

    call.__digimaat_guarded__ = True  # type: ignore[attr-defined]
    return call  # type: ignore[return-value]


def guard(module_name: str) -> None:
    """Guard the public names of a module (its ``__all__``): functions, the constructors
    and ``from_...`` constructors of classes, and the look-up of enumerations."""
    module = sys.modules[module_name]
    for name in getattr(module, "__all__", ()):
        value = getattr(module, name, None)
        if isinstance(value, type):
            if getattr(value, "__module__", None) == module_name:
                _guard_class(value, module_name)
        elif isinstance(value, types.FunctionType) and value.__module__ == module_name:
            setattr(module, name, guarded(value, module_name))


def renamed(module_name: str, names: dict[str, str], what: str) -> Callable[[str], object]:
    """The ``__getattr__`` of a module whose names of earlier releases (``names``: old to
    new) are kept for one MINOR release: an old name is the new one's value, with a
    ``DeprecationWarning`` that says ``what`` it names; any other name is not there."""

    def attribute(name: str) -> object:
        if name in names:
            import warnings

            warnings.warn(
                f"{module_name}.{name} is now {names[name]}: {what}",
                DeprecationWarning,
                stacklevel=2,
            )
            return getattr(sys.modules[module_name], names[name])
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    return attribute


def _guard_class(cls: type, module: str) -> None:
    if issubclass(cls, BaseException):
        return
    if issubclass(cls, enum.Enum):
        if "_missing_" not in vars(cls):
            setattr(cls, "_missing_", classmethod(_missing))  # noqa: B010
        return
    init = vars(cls).get("__init__")
    if isinstance(init, types.FunctionType):
        setattr(cls, "__init__", guarded(init, module))  # noqa: B010
    for name, attribute in list(vars(cls).items()):
        if name.startswith("from_") and isinstance(attribute, classmethod):
            setattr(cls, name, classmethod(guarded(attribute.__func__, module)))


def _missing(cls: type[enum.Enum], value: object) -> enum.Enum:
    """An unknown value of an enumeration: the names it has, never a bare ``ValueError``."""
    from digimaat.errors import UnknownNameError

    raise UnknownNameError(cls.__name__, value, (str(m.value) for m in cls))


# -- Comparing arguments with annotations ------------------------------------------------


def _wrong_argument(
    func: Callable[..., Any], module: str | None, args: tuple[Any, ...], kwargs: dict[str, Any]
) -> tuple[str, Any, str] | None:
    """The first argument whose type its annotation does not allow: name, value, annotation."""
    import inspect  # only when a call has failed: importing it costs the command line time

    try:
        signature = inspect.signature(func)
        bound = signature.bind(*args, **kwargs)
    except (TypeError, ValueError):
        return None  # a call that does not fit the signature fails as Python says
    namespace = _namespace(func, module)
    for name, value in bound.arguments.items():
        if name in ("self", "cls"):
            continue
        parameter = signature.parameters[name]
        text = parameter.annotation
        if text is inspect.Parameter.empty:
            continue
        annotation = _evaluate(text, namespace)
        values: Iterable[Any] = (value,)
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            values = value
        elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
            values = value.values()
        for item in values:
            if not _conforms(item, annotation):
                shown = text if isinstance(text, str) else _describe(annotation)
                return name, item, shown
    return None


def _namespace(func: Callable[..., Any], module: str | None) -> dict[str, Any]:
    namespace: dict[str, Any] = dict(vars(typing))
    namespace.update(getattr(func, "__globals__", {}))
    if module is not None and module in sys.modules:
        namespace.update(vars(sys.modules[module]))
    return namespace


class _Unknown:
    """An annotation naming a type imported only for type checking: any value may have it."""


def _evaluate(annotation: Any, namespace: dict[str, Any]) -> Any:
    """An annotation as an object. Where a name cannot be found (imported only for type
    checking), each part of a union is taken on its own and an unknown one stands for
    :class:`_Unknown`: ``Traversable | str`` still refuses ``None``."""
    if not isinstance(annotation, str):
        return annotation
    try:
        return eval(annotation, namespace)  # our own annotations: never input
    except Exception:
        parts = [p.strip() for p in annotation.split("|")]
        if len(parts) == 1 or any("[" in p for p in parts):
            return _Unknown
        return typing.Union[tuple(_evaluate_part(p, namespace) for p in parts)]  # noqa: UP007


def _evaluate_part(part: str, namespace: dict[str, Any]) -> Any:
    try:
        return eval(part, namespace)
    except Exception:
        return _Unknown


def _conforms(value: Any, annotation: Any) -> bool:
    """Whether a value has a type its annotation allows (items of a container included)."""
    if annotation is Any or annotation is object or isinstance(annotation, TypeVar):
        return True
    if annotation is _Unknown:
        return value is not None  # whatever it is, it is not None (else None is named)
    if annotation is None or annotation is type(None):
        return value is None
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return any(_conforms(value, a) for a in arguments)
    if origin is typing.Literal:
        try:
            return value in arguments
        except TypeError:
            return False
    if origin is type:
        return isinstance(value, type)
    if origin in (collections.abc.Callable, Callable):
        return callable(value)
    if origin is not None:
        return _conforms_generic(value, origin, arguments)
    if annotation in (typing.IO, typing.TextIO, typing.BinaryIO):
        return hasattr(value, "read") or hasattr(value, "write")
    if not isinstance(annotation, type):
        return True  # a construct not compared here
    return _instance(value, annotation)


def _instance(value: Any, cls: type) -> bool:
    if cls is float:
        return isinstance(value, numbers.Real)
    if cls is int:
        return isinstance(value, numbers.Integral)
    if cls is complex:
        return isinstance(value, numbers.Complex)
    if cls is bytes:
        return isinstance(value, bytes | bytearray | memoryview)
    if cls.__module__ == "numpy" and cls.__name__ == "ndarray":
        return True  # array-likes are converted and checked by the function itself
    try:
        return isinstance(value, cls)
    except TypeError:  # a protocol that cannot be checked at run time
        return True


def _conforms_generic(value: Any, origin: Any, arguments: tuple[Any, ...]) -> bool:
    if origin in (typing.IO, io.IOBase) or getattr(origin, "__name__", "") in ("IO", "TextIO"):
        return hasattr(value, "read") or hasattr(value, "write")
    if origin is os.PathLike:
        return isinstance(value, os.PathLike)
    if isinstance(origin, type) and origin.__module__ == "numpy":
        return True  # numpy's typed arrays: array-likes, checked by the function itself
    if not isinstance(origin, type):
        return True  # a construct not compared here
    if not _instance(value, origin):
        return False
    if not arguments or not isinstance(value, _CONTAINERS):
        return True
    if isinstance(value, collections.abc.Mapping):
        key, item = (*arguments, Any, Any)[:2]
        return all(_conforms(k, key) and _conforms(v, item) for k, v in value.items())
    if isinstance(value, tuple) and origin is tuple:
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return all(_conforms(v, arguments[0]) for v in value)
        return len(value) == len(arguments) and all(
            _conforms(v, a) for v, a in zip(value, arguments, strict=True)
        )
    return all(_conforms(v, arguments[0]) for v in value)


def _describe(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")
